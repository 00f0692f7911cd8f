//! The preambles of the six streaming ops (Python: `_process_streaming_impl`): every check and
//! every write that comes before the event pipeline, each op mirroring the reference's steps
//! (§8.2 of the protocol reference). A check that fails is a [`ProtocolError`], decided before the
//! stream starts; the reference would answer `200` and abort or send a lone `error` frame.
//!
//! The result is a [`Plan`]: the frames already persisted that go first (`thread.created`, the
//! user message's `thread.item.done`), the events that go through the pipeline right after
//! `stream_options` (the answered structured input's `thread.item.replaced`), and which responder
//! hook to run.

use chatkit_store::IdKind;
use chatkit_types::{
    Action, Attachment, ClientToolCallStatus, Order, StreamingReq, StructuredInput,
    StructuredInputAnswer, StructuredInputItem, StructuredInputItemStatus,
    StructuredInputSubmission, StructuredInputSubmissionStatus, Thread, ThreadCreatedEvent,
    ThreadItem, ThreadItemDoneEvent, ThreadItemReplacedEvent, ThreadMetadata, ThreadStreamEvent,
    Timestamp, UserMessageInput, UserMessageItem, WidgetItem,
};

use crate::context::RequestContext;
use crate::engine::{Engine, not_found_as};
use crate::error::ProtocolError;

/// Page size used when walking a thread's items backwards (retry).
const WALK_PAGE: usize = 100;

/// Which responder hook produces the reply.
pub(crate) enum Hook {
    /// `respond(thread, input)`.
    Respond(Option<UserMessageItem>),
    /// `action(thread, action, sender)`.
    Action {
        action: Action,
        sender: Option<WidgetItem>,
    },
}

/// What a streaming op does once its preamble passed.
pub(crate) struct Plan {
    /// The thread as the preamble left it.
    pub(crate) thread: ThreadMetadata,
    /// Frames sent before `stream_options`, already persisted.
    pub(crate) before: Vec<ThreadStreamEvent>,
    /// Events run through the pipeline (persisted, then sent) right after `stream_options`.
    pub(crate) lead: Vec<ThreadStreamEvent>,
    /// The hook that streams the reply.
    pub(crate) hook: Hook,
}

/// Runs the preamble of `request`.
pub(crate) async fn prepare(
    engine: &Engine,
    request: StreamingReq,
    ctx: &RequestContext,
) -> Result<Plan, ProtocolError> {
    match request {
        StreamingReq::ThreadsCreate(req) => create_thread(engine, req.params.input, ctx).await,
        StreamingReq::ThreadsAddUserMessage(req) => {
            let thread = engine.load_thread(&req.params.thread_id, ctx).await?;
            let attachments = load_attachments(engine, &req.params.input.attachments, ctx).await?;
            let message =
                add_user_message(engine, &thread, req.params.input, attachments, ctx).await?;
            Ok(Plan {
                thread,
                before: vec![done(message.clone().into())],
                lead: Vec::new(),
                hook: Hook::Respond(Some(message)),
            })
        }
        StreamingReq::ThreadsAddClientToolOutput(req) => {
            let thread = engine.load_thread(&req.params.thread_id, ctx).await?;
            complete_client_tool_call(engine, &thread, req.params.result, ctx).await?;
            Ok(Plan {
                thread,
                before: Vec::new(),
                lead: Vec::new(),
                hook: Hook::Respond(None),
            })
        }
        StreamingReq::ThreadsAddStructuredInput(req) => {
            let p = req.params;
            let thread = engine.load_thread(&p.thread_id, ctx).await?;
            let item = match engine.load_item(&p.thread_id, &p.item_id, ctx).await? {
                ThreadItem::StructuredInput(item)
                    if item.status == StructuredInputItemStatus::Pending =>
                {
                    item
                }
                _ => return Err(ProtocolError::StructuredInputNotPending(p.item_id)),
            };
            let answered = apply_submission(item, &p.input);
            Ok(Plan {
                thread,
                before: Vec::new(),
                // Inside the pipeline, as the reference does, so it is persisted (save_item)
                // before its frame like any other replacement.
                lead: vec![
                    ThreadItemReplacedEvent {
                        item: answered.into(),
                    }
                    .into(),
                ],
                hook: Hook::Respond(None),
            })
        }
        StreamingReq::ThreadsRetryAfterItem(req) => {
            let p = req.params;
            let thread = engine.load_thread(&p.thread_id, ctx).await?;
            let message = match engine.load_item(&p.thread_id, &p.item_id, ctx).await? {
                ThreadItem::UserMessage(message) => message,
                _ => return Err(ProtocolError::RetryTargetNotUserMessage(p.item_id)),
            };
            delete_items_after(engine, &thread, &message.id, ctx).await?;
            Ok(Plan {
                thread,
                before: Vec::new(),
                lead: Vec::new(),
                hook: Hook::Respond(Some(message)),
            })
        }
        StreamingReq::ThreadsCustomAction(req) => {
            let p = req.params;
            let thread = engine.load_thread(&p.thread_id, ctx).await?;
            let sender = engine
                .load_sender(&p.thread_id, p.item_id.as_deref(), ctx)
                .await?;
            Ok(Plan {
                thread,
                before: Vec::new(),
                lead: Vec::new(),
                hook: Hook::Action {
                    action: p.action,
                    sender,
                },
            })
        }
    }
}

fn done(item: ThreadItem) -> ThreadStreamEvent {
    ThreadItemDoneEvent { item }.into()
}

/// `threads.create`: a new thread (`thread.created`), then the user message. Attachments are
/// checked first, so a bad id creates nothing.
async fn create_thread(
    engine: &Engine,
    input: UserMessageInput,
    ctx: &RequestContext,
) -> Result<Plan, ProtocolError> {
    let attachments = load_attachments(engine, &input.attachments, ctx).await?;
    let thread = ThreadMetadata::new(engine.store.generate_thread_id(), Timestamp::now());
    engine.store.save_thread(&thread, &ctx.store_ctx).await?;
    let created = ThreadCreatedEvent {
        thread: Thread::from(thread.clone()),
    };
    let message = add_user_message(engine, &thread, input, attachments, ctx).await?;
    Ok(Plan {
        thread,
        before: vec![created.into(), done(message.clone().into())],
        lead: Vec::new(),
        hook: Hook::Respond(Some(message)),
    })
}

/// The caller's attachments named by a user message, or `attachment_not_found`.
async fn load_attachments(
    engine: &Engine,
    ids: &[String],
    ctx: &RequestContext,
) -> Result<Vec<Attachment>, ProtocolError> {
    let mut attachments = Vec::with_capacity(ids.len());
    for id in ids {
        let attachment = engine
            .store
            .load_attachment(id, &ctx.store_ctx)
            .await
            .map_err(|e| not_found_as(e, || ProtocolError::AttachmentNotFound(id.clone())))?;
        attachments.push(attachment);
    }
    Ok(attachments)
}

/// Builds the user message (Python: `_build_user_message_item`), stamps its attachments with
/// the thread id and re-saves them (an upsert), then inserts the message.
async fn add_user_message(
    engine: &Engine,
    thread: &ThreadMetadata,
    input: UserMessageInput,
    mut attachments: Vec<Attachment>,
    ctx: &RequestContext,
) -> Result<UserMessageItem, ProtocolError> {
    for attachment in &mut attachments {
        attachment.set_thread_id(Some(thread.id.clone()));
        engine
            .store
            .save_attachment(attachment, &ctx.store_ctx)
            .await?;
    }
    let message = UserMessageItem {
        id: engine.store.generate_item_id(IdKind::Message),
        thread_id: thread.id.clone(),
        created_at: Timestamp::now(),
        content: input.content,
        attachments,
        quoted_text: input.quoted_text,
        inference_options: input.inference_options,
    };
    engine
        .store
        .add_thread_item(&thread.id, &message.clone().into(), &ctx.store_ctx)
        .await?;
    Ok(message)
}

/// `threads.add_client_tool_output`: completes the newest pending client tool call among the
/// newest `tool_call_lookback` items, whatever follows it (hidden context, a cancellation note,
/// items with equal timestamps); the reference only looks at the single newest item. Other
/// still-pending calls in that window are deleted, as the reference's cleanup does.
async fn complete_client_tool_call(
    engine: &Engine,
    thread: &ThreadMetadata,
    result: serde_json::Value,
    ctx: &RequestContext,
) -> Result<(), ProtocolError> {
    let window = engine
        .store
        .load_thread_items(
            &thread.id,
            None,
            engine.options.tool_call_lookback.max(1),
            Order::Desc,
            &ctx.store_ctx,
        )
        .await?;
    let mut pending = window.data.into_iter().filter_map(|item| match item {
        ThreadItem::ClientToolCall(call) if call.status == ClientToolCallStatus::Pending => {
            Some(call)
        }
        _ => None,
    });
    let Some(mut call) = pending.next() else {
        return Err(ProtocolError::NoPendingToolCall(thread.id.clone()));
    };
    call.output = (!result.is_null()).then_some(result);
    call.status = ClientToolCallStatus::Completed;
    engine
        .store
        .save_item(&thread.id, &call.into(), &ctx.store_ctx)
        .await?;
    for stale in pending {
        tracing::warn!(call_id = %stale.call_id, "client tool call was not completed; deleting it");
        match engine
            .store
            .delete_thread_item(&thread.id, &stale.id, &ctx.store_ctx)
            .await
        {
            Ok(()) | Err(chatkit_store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The structured input item answered by `submission` (Python:
/// `_apply_structured_input_submission`): a question is skipped when the whole submission is,
/// or its answer is missing, marked skipped or empty; a single-choice question keeps only the
/// first value; answers to unknown question ids are ignored.
pub(crate) fn apply_submission(
    mut item: StructuredInputItem,
    submission: &StructuredInputSubmission,
) -> StructuredInputItem {
    let skipped_all = submission.status == StructuredInputSubmissionStatus::Skipped;
    for question in &mut item.inputs {
        let answer = submission.answers.get(question.id());
        let answer = match answer {
            Some(a) if !skipped_all && !a.skipped && !a.values.is_empty() => {
                let mut values = a.values.clone();
                if let StructuredInput::MultipleChoice(q) = question
                    && !q.multiple
                {
                    values.truncate(1);
                }
                StructuredInputAnswer {
                    values,
                    skipped: false,
                }
            }
            _ => StructuredInputAnswer {
                values: Vec::new(),
                skipped: true,
            },
        };
        question.set_answer(Some(answer));
    }
    let unknown: Vec<&str> = submission
        .answers
        .keys()
        .filter(|id| !item.inputs.iter().any(|q| q.id() == id.as_str()))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        tracing::warn!(item_id = %item.id, unknown = ?unknown, "structured input answers to unknown questions ignored");
    }
    item.status = match submission.status {
        StructuredInputSubmissionStatus::Answered => StructuredInputItemStatus::Answered,
        StructuredInputSubmissionStatus::Skipped => StructuredInputItemStatus::Skipped,
    };
    item
}

/// `threads.retry_after_item`: deletes every item newer than `item_id` (no `thread.item.removed`
/// events: the client drops them itself), walking the thread newest first.
async fn delete_items_after(
    engine: &Engine,
    thread: &ThreadMetadata,
    item_id: &str,
    ctx: &RequestContext,
) -> Result<(), ProtocolError> {
    let mut newer = Vec::new();
    let mut after: Option<String> = None;
    'walk: loop {
        let page = engine
            .store
            .load_thread_items(
                &thread.id,
                after.as_deref(),
                WALK_PAGE,
                Order::Desc,
                &ctx.store_ctx,
            )
            .await?;
        for item in page.data {
            if item.id() == item_id {
                break 'walk;
            }
            newer.push(item.id().to_owned());
        }
        match page.after {
            Some(cursor) if page.has_more => after = Some(cursor),
            // Loaded a moment ago, so it is there; a concurrent delete leaves nothing to retry.
            _ => return Err(ProtocolError::ItemNotFound(item_id.to_owned())),
        }
    }
    for id in newer {
        match engine
            .store
            .delete_thread_item(&thread.id, &id, &ctx.store_ctx)
            .await
        {
            Ok(()) | Err(chatkit_store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
