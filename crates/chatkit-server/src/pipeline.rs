//! The event pipeline of a streamed reply (Python: `_process_events`), run in its own task and
//! feeding the HTTP body through a bounded channel.
//!
//! Order of a run: the preamble's frames (`thread.created`, the user message), `stream_options`,
//! then every event of the responder's stream, each one
//! 1. given a unique id if it introduces an item whose id is empty, a known placeholder
//!    ([`PLACEHOLDER_IDS`]) or already used in the thread; later events naming the responder's id
//!    are rewritten to the new one, so `added`/`updated`/`done` stay consistent;
//! 2. persisted: `thread.item.done` inserts, `thread.item.replaced` upserts,
//!    `thread.item.removed` deletes; `added`/`updated` are folded into a pending copy;
//! 3. sent, unless it shows a hidden item (`hidden_context_item`, `sdk_hidden_context`);
//! 4. followed by `thread.updated` when the responder changed the thread's metadata (saved first).
//!
//! A responder error, a store failure or a timeout ends the reply with an `error` frame (then a
//! final `thread.updated` if the thread changed) and a clean end. When the client goes away (a
//! send fails, the channel closes, or no frame is accepted for the idle timeout), the responder's
//! stream is dropped at once, which cancels its upstream work, and the reference's cancellation
//! hook runs: pending assistant messages with text are persisted, then the hidden "cancelled"
//! note. All of this runs in the task, so it completes although nobody is listening.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use bytes::Bytes;
use chatkit_store::{IdKind, Store, StoreError};
use chatkit_types::{
    AssistantMessageContent, ErrorCode, ErrorEvent, ErrorEventCode, SDKHiddenContextItem,
    StreamOptionsEvent, Thread, ThreadItem, ThreadItemUpdate, ThreadItemUpdatedEvent,
    ThreadMetadata, ThreadStreamEvent, ThreadUpdatedEvent, Timestamp,
};
use futures::future::Either;
use futures::{FutureExt, StreamExt};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until, timeout};

use crate::context::{RequestContext, ThreadHandle};
use crate::engine::{Engine, EngineOptions};
use crate::preamble::{Hook, Plan};
use crate::responder::{EventStream, Responder};
use crate::sse;

/// Item ids that are placeholders, never real ids: the Agents SDK gives every Chat Completions
/// message `__fake_id__` (chatkit-js#58), which makes later replies overwrite earlier ones.
pub const PLACEHOLDER_IDS: &[&str] = &["__fake_id__"];

/// The hidden note added when the client cancels a stream (the reference's exact text).
pub const CANCELLED_NOTE: &str =
    "The user cancelled the stream. Stop responding to the prior request.";

/// The sending end of a reply's frame channel.
///
/// A frame travels boxed: tokio's channel allocates its slots 32 at a time whatever its capacity,
/// and every open stream keeps that block, so pointer-sized slots keep it at about 300 bytes
/// instead of 1 kB (one small allocation per frame is the price).
pub(crate) type FrameSender = mpsc::Sender<Box<Bytes>>;

/// Why the pipeline stops early.
enum Stop {
    /// The client is gone: run the cancellation hook.
    Gone,
    /// End the reply with this `error` frame.
    Failed(ErrorEvent),
}

/// What woke the pump up.
// Lives for one loop turn on the stack; boxing the event would allocate per event.
#[allow(clippy::large_enum_variant)]
enum Wake {
    Gone,
    Timeout(&'static str),
    Heartbeat,
    Next(Option<Result<ThreadStreamEvent, crate::ResponderError>>),
    Panicked,
}

fn generic_error() -> ErrorEvent {
    ErrorEvent {
        code: ErrorEventCode::Code(ErrorCode::StreamError),
        message: None,
        allow_retry: true,
    }
}

fn store_failure(e: StoreError, doing: &str) -> Stop {
    tracing::error!(error = %e, "store failure while {doing}");
    Stop::Failed(generic_error())
}

/// What a run sends and calls before the responder's events: a [`Plan`] without its thread.
pub(crate) struct Opening {
    /// Frames sent before `stream_options`, already persisted.
    pub(crate) before: Vec<ThreadStreamEvent>,
    /// Events run through the pipeline right after `stream_options`.
    pub(crate) lead: Vec<ThreadStreamEvent>,
    /// The hook that streams the reply.
    pub(crate) hook: Hook,
}

/// Starts the pipeline of `plan`: the future of the stream's whole run.
///
/// A plain function, not part of the task's `async` block, so that the plan's pieces are moved
/// into the run rather than kept in the task's own state next to it.
pub(crate) fn start(
    engine: &Engine,
    ctx: RequestContext,
    plan: Plan,
    tx: FrameSender,
) -> impl Future<Output = ()> + Send + 'static {
    let Plan {
        thread,
        before,
        lead,
        hook,
    } = plan;
    let thread = ThreadHandle::new(thread, Arc::clone(&engine.store), ctx.store_ctx.clone());
    Run::new(engine, ctx, thread, tx).run(Box::new(Opening { before, lead, hook }))
}

/// One streamed reply.
pub(crate) struct Run {
    store: Arc<dyn Store>,
    responder: Arc<dyn Responder>,
    options: Arc<EngineOptions>,
    ctx: RequestContext,
    thread: ThreadHandle,
    thread_id: String,
    /// The metadata last saved (and announced).
    saved: ThreadMetadata,
    /// The handle's version when `saved` was taken.
    seen_version: u64,
    tx: FrameSender,
    /// Items added but not done, in the order they were added (for cancellation).
    pending: Vec<ThreadItem>,
    // A reply has a few ids: B-trees take less room than hash maps and allocate nothing while
    // empty (this struct lives as long as the stream).
    /// The responder's item ids to the ids the items got.
    id_map: BTreeMap<String, String>,
    /// Ids given to items in this run.
    run_ids: BTreeSet<String>,
    /// Ids of hidden items of this run (nothing about them is sent).
    hidden: BTreeSet<String>,
    deadline: Instant,
    last_frame: Instant,
}

impl Run {
    fn new(engine: &Engine, ctx: RequestContext, thread: ThreadHandle, tx: FrameSender) -> Self {
        let now = Instant::now();
        let saved = thread.snapshot();
        Self {
            store: Arc::clone(&engine.store),
            responder: Arc::clone(&engine.responder),
            options: Arc::clone(&engine.options),
            ctx,
            thread_id: saved.id.clone(),
            seen_version: thread.version(),
            saved,
            thread,
            tx,
            pending: Vec::new(),
            id_map: BTreeMap::new(),
            run_ids: BTreeSet::new(),
            hidden: BTreeSet::new(),
            deadline: now + engine.options.stream_timeout,
            last_frame: now,
        }
    }

    /// Runs the reply to its end (or the client's), then drops the channel, which ends the
    /// frame stream.
    ///
    /// Every phase runs boxed: the opening, the wait on the responder, each event's
    /// persist-and-send, and the ending. A stream that waits (on a model, or held open) thus
    /// keeps the run and the one phase it is in; inline, every phase would size the task for as
    /// long as it lives, and the compiler's layout of the phases side by side leaves gaps (see
    /// docs/performance.md).
    // An `async` block rather than an `async fn`: the arguments of an `async fn` are stored twice
    // in its future (as arguments, and as the locals they are moved to), and `self` is most of it.
    #[allow(clippy::manual_async_fn)]
    pub(crate) fn run(mut self, opening: Box<Opening>) -> impl Future<Output = ()> + Send {
        async move {
            let outcome = match Box::pin(self.open(opening)).await {
                Ok(events) => Box::pin(self.pump(events)).await,
                Err(stop) => Err(stop),
            };
            Box::pin(self.end(outcome)).await;
        }
    }

    /// Ends the reply after the responder's stream: the thread's last metadata change, the
    /// `error` frame of a failure, or the cancellation of a client that is gone.
    async fn end(mut self, outcome: Result<(), Stop>) {
        let outcome = match outcome {
            Ok(()) => match self.sync_thread().await {
                Err(Stop::Failed(error)) => self.finish_with_error(error).await,
                other => other,
            },
            Err(Stop::Failed(error)) => self.finish_with_error(error).await,
            Err(Stop::Gone) => Err(Stop::Gone),
        };
        if let Err(Stop::Gone) = outcome {
            self.cancelled().await;
        }
    }

    /// The frames before the responder's (the preamble's, `stream_options`, then the lead events
    /// through the pipeline), then the responder's stream.
    async fn open(&mut self, opening: Box<Opening>) -> Result<EventStream, Stop> {
        let Opening { before, lead, hook } = *opening;
        for event in &before {
            self.send_event(event).await?;
        }
        drop(before);
        let options = self.responder.stream_options(&self.saved, &self.ctx);
        self.send_event(
            &StreamOptionsEvent {
                stream_options: options,
            }
            .into(),
        )
        .await?;
        for event in lead {
            self.step(event).await?;
        }
        Ok(self.start(hook))
    }

    /// One event of the responder through the pipeline, then the thread's metadata if it changed.
    async fn step(&mut self, event: ThreadStreamEvent) -> Result<(), Stop> {
        self.handle(event).await?;
        self.sync_thread().await
    }

    /// Calls the hook; a panic there fails the reply like an error.
    fn start(&self, hook: Hook) -> EventStream {
        let thread = self.thread.clone();
        let responder = Arc::clone(&self.responder);
        let ctx = &self.ctx;
        let started = std::panic::catch_unwind(AssertUnwindSafe(|| match hook {
            Hook::Respond(input) => responder.respond(thread, input, ctx),
            Hook::Action { action, sender } => responder.action(thread, action, sender, ctx),
        }));
        started.unwrap_or_else(|_| {
            tracing::error!("the responder panicked starting its stream");
            crate::responder::failed_stream(crate::ResponderError::other("the responder panicked"))
        })
    }

    /// Pulls the responder's events until it ends, fails, times out or the client goes away.
    /// Returning drops the stream, which cancels the responder's work.
    async fn pump(&mut self, mut events: EventStream) -> Result<(), Stop> {
        let idle = self.options.idle_timeout;
        let mut idle_deadline = Instant::now() + idle;
        loop {
            let heartbeat_at = self.options.heartbeat.map(|every| self.last_frame + every);
            // One timer for the earliest of the deadlines (each timer is memory in the task).
            let wake_at = heartbeat_at.map_or(self.deadline.min(idle_deadline), |at| {
                at.min(self.deadline).min(idle_deadline)
            });
            let wake = tokio::select! {
                biased;
                () = self.tx.closed() => Wake::Gone,
                () = sleep_until(wake_at) => {
                    let now = Instant::now();
                    if now >= self.deadline {
                        Wake::Timeout("the stream timeout")
                    } else if now >= idle_deadline {
                        Wake::Timeout("the idle timeout")
                    } else {
                        Wake::Heartbeat
                    }
                }
                next = AssertUnwindSafe(events.next()).catch_unwind() => match next {
                    Ok(next) => Wake::Next(next),
                    Err(_) => Wake::Panicked,
                },
            };
            // The work is awaited after the match, so that `wake` (an event's size) is not kept
            // in the future while it runs.
            let work = match wake {
                Wake::Gone => return Err(Stop::Gone),
                Wake::Timeout(which) => {
                    tracing::warn!("the reply was stopped by {which}");
                    return Err(Stop::Failed(generic_error()));
                }
                Wake::Heartbeat => {
                    Either::Left(Box::pin(self.send(Bytes::from_static(sse::HEARTBEAT))))
                }
                Wake::Panicked => {
                    tracing::error!("the responder's stream panicked");
                    return Err(Stop::Failed(generic_error()));
                }
                Wake::Next(None) => return Ok(()),
                Wake::Next(Some(Err(e))) => {
                    match &e {
                        crate::ResponderError::Custom(_) | crate::ResponderError::Stream(_) => {
                            tracing::info!(error = %e, "the responder ended the reply with an error")
                        }
                        _ => tracing::error!(error = %e, "the responder failed"),
                    }
                    return Err(Stop::Failed(e.to_event()));
                }
                Wake::Next(Some(Ok(event))) => {
                    idle_deadline = Instant::now() + idle;
                    Either::Right(Box::pin(self.step(event)))
                }
            };
            work.await?;
        }
    }

    /// Persists, then sends, one event of the responder.
    async fn handle(&mut self, event: ThreadStreamEvent) -> Result<(), Stop> {
        match event {
            ThreadStreamEvent::ThreadItemAdded(mut e) => {
                let id = self.assign_id(&mut e.item, false).await?;
                let hidden = e.item.is_hidden();
                if hidden {
                    self.hidden.insert(id.clone());
                }
                self.pending.retain(|p| p.id() != id);
                self.pending.push(e.item.clone());
                if !hidden {
                    self.send_event(&e.into()).await?;
                }
            }
            ThreadStreamEvent::ThreadItemUpdated(mut e) => {
                e.item_id = self.map_id(&e.item_id);
                self.fold(&e);
                if !self.hidden.contains(&e.item_id) {
                    self.send_event(&e.into()).await?;
                }
            }
            ThreadStreamEvent::ThreadItemDone(mut e) => {
                let id = self.assign_id(&mut e.item, true).await?;
                self.insert(&e.item).await?;
                self.pending.retain(|p| p.id() != id);
                if e.item.is_hidden() {
                    self.hidden.insert(id);
                } else {
                    self.send_event(&e.into()).await?;
                }
            }
            ThreadStreamEvent::ThreadItemReplaced(mut e) => {
                let id = self.map_id(e.item.id());
                e.item.set_id(id.clone());
                e.item.set_thread_id(self.thread_id.clone());
                self.store
                    .save_item(&self.thread_id, &e.item, &self.ctx.store_ctx)
                    .await
                    .map_err(|err| store_failure(err, "replacing an item"))?;
                self.pending.retain(|p| p.id() != id);
                if e.item.is_hidden() {
                    self.hidden.insert(id);
                } else if !self.hidden.contains(&id) {
                    self.send_event(&e.into()).await?;
                }
            }
            ThreadStreamEvent::ThreadItemRemoved(mut e) => {
                e.item_id = self.map_id(&e.item_id);
                match self
                    .store
                    .delete_thread_item(&self.thread_id, &e.item_id, &self.ctx.store_ctx)
                    .await
                {
                    // Removing an item that never got `done` deletes nothing; still tell the
                    // client, which may show it.
                    Ok(()) | Err(StoreError::NotFound) => {}
                    Err(err) => return Err(store_failure(err, "removing an item")),
                }
                self.pending.retain(|p| p.id() != e.item_id);
                if !self.hidden.contains(&e.item_id) {
                    self.send_event(&e.into()).await?;
                }
            }
            ThreadStreamEvent::ThreadUpdated(e) => {
                // The responder announces a change itself: apply it to the thread, so it is
                // saved, and let the change check below send the one `thread.updated`.
                let t = e.thread;
                self.thread.update(|m| {
                    m.title = t.title;
                    m.status = t.status;
                    m.allowed_image_domains = t.allowed_image_domains;
                });
            }
            ThreadStreamEvent::ThreadCreated(_) => {
                tracing::warn!(
                    "the responder sent thread.created; dropped (the engine creates threads)"
                );
            }
            other => self.send_event(&other).await?,
        }
        Ok(())
    }

    /// The id an event's item gets. An item keeps the responder's id unless it is empty, a
    /// placeholder, or already used in the thread (by this run or an earlier one); a `done` of an
    /// item this run `added` gets the id the `added` got.
    async fn assign_id(&mut self, item: &mut ThreadItem, done: bool) -> Result<String, Stop> {
        item.set_thread_id(self.thread_id.clone());
        let raw = item.id().to_owned();
        if done
            && let Some(mapped) = self.id_map.get(&raw)
            && self.pending.iter().any(|p| p.id() == mapped)
        {
            let mapped = mapped.clone();
            item.set_id(mapped.clone());
            return Ok(mapped);
        }
        let fresh = raw.trim().is_empty()
            || PLACEHOLDER_IDS.contains(&raw.as_str())
            || self.run_ids.contains(&raw)
            || self.exists(&raw).await?;
        let id = if fresh {
            self.store.generate_item_id(id_kind(item))
        } else {
            raw.clone()
        };
        self.id_map.insert(raw, id.clone());
        self.run_ids.insert(id.clone());
        item.set_id(id.clone());
        Ok(id)
    }

    /// Whether the thread already holds an item with this id.
    async fn exists(&self, id: &str) -> Result<bool, Stop> {
        match self
            .store
            .load_item(&self.thread_id, id, &self.ctx.store_ctx)
            .await
        {
            Ok(_) => Ok(true),
            Err(StoreError::NotFound) => Ok(false),
            Err(e) => Err(store_failure(e, "checking an item id")),
        }
    }

    /// The id an item the responder names by `id` has now.
    fn map_id(&self, id: &str) -> String {
        self.id_map
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }

    /// Inserts a finished item; an item this run already upserted (replaced before done) is
    /// upserted again.
    async fn insert(&self, item: &ThreadItem) -> Result<(), Stop> {
        let ctx = &self.ctx.store_ctx;
        match self.store.add_thread_item(&self.thread_id, item, ctx).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_)) => self
                .store
                .save_item(&self.thread_id, item, ctx)
                .await
                .map_err(|e| store_failure(e, "saving an item")),
            Err(e) => Err(store_failure(e, "adding an item")),
        }
    }

    /// Folds an update into the pending copy of its item (Python: `_update_pending_items`), so a
    /// cancelled reply persists what the client saw.
    fn fold(&mut self, event: &ThreadItemUpdatedEvent) {
        let Some(item) = self.pending.iter_mut().find(|p| p.id() == event.item_id) else {
            return;
        };
        match (item, &event.update) {
            (ThreadItem::AssistantMessage(message), update) => {
                let index = match update {
                    ThreadItemUpdate::AssistantMessageContentPartAdded(u) => u.content_index,
                    ThreadItemUpdate::AssistantMessageContentPartTextDelta(u) => u.content_index,
                    ThreadItemUpdate::AssistantMessageContentPartAnnotationAdded(u) => {
                        u.content_index
                    }
                    ThreadItemUpdate::AssistantMessageContentPartDone(u) => u.content_index,
                    _ => return,
                };
                // Updates may name a part not created yet: pad, as the reference does.
                while message.content.len() <= index {
                    message.content.push(AssistantMessageContent::text(""));
                }
                let part = &mut message.content[index];
                match update {
                    ThreadItemUpdate::AssistantMessageContentPartAdded(u) => {
                        *part = u.content.clone();
                    }
                    ThreadItemUpdate::AssistantMessageContentPartTextDelta(u) => {
                        part.text.push_str(&u.delta);
                    }
                    ThreadItemUpdate::AssistantMessageContentPartAnnotationAdded(u) => {
                        let at = u.annotation_index.min(part.annotations.len());
                        part.annotations.insert(at, u.annotation.clone());
                    }
                    ThreadItemUpdate::AssistantMessageContentPartDone(u) => {
                        *part = u.content.clone();
                    }
                    _ => {}
                }
            }
            (ThreadItem::Workflow(workflow), ThreadItemUpdate::WorkflowTaskAdded(u)) => {
                workflow.workflow.tasks.push(u.task.clone());
            }
            (ThreadItem::Workflow(workflow), ThreadItemUpdate::WorkflowTaskUpdated(u)) => {
                if let Some(task) = workflow.workflow.tasks.get_mut(u.task_index) {
                    *task = u.task.clone();
                }
            }
            _ => {}
        }
    }

    /// Saves and announces the thread's metadata if the responder changed it.
    async fn sync_thread(&mut self) -> Result<(), Stop> {
        let version = self.thread.version();
        if version == self.seen_version {
            return Ok(());
        }
        self.seen_version = version;
        let now = self.thread.snapshot();
        if now == self.saved {
            return Ok(());
        }
        self.store
            .save_thread(&now, &self.ctx.store_ctx)
            .await
            .map_err(|e| store_failure(e, "saving the thread"))?;
        self.saved = now.clone();
        self.send_event(
            &ThreadUpdatedEvent {
                thread: Thread::from(now),
            }
            .into(),
        )
        .await
    }

    /// Sends the `error` frame, then a final `thread.updated` if the thread changed.
    async fn finish_with_error(&mut self, error: ErrorEvent) -> Result<(), Stop> {
        self.send_event(&error.into()).await?;
        match self.sync_thread().await {
            // Already logged; the reply has its error frame.
            Err(Stop::Failed(_)) => Ok(()),
            other => other,
        }
    }

    async fn send_event(&mut self, event: &ThreadStreamEvent) -> Result<(), Stop> {
        match sse::frame(event) {
            Ok(frame) => self.send(frame).await,
            Err(e) => {
                tracing::error!(error = %e, "an event could not be serialized");
                Err(Stop::Failed(generic_error()))
            }
        }
    }

    /// Sends one frame; a client that is gone, or accepts nothing for the idle timeout, is
    /// [`Stop::Gone`].
    async fn send(&mut self, frame: Bytes) -> Result<(), Stop> {
        match timeout(self.options.idle_timeout, self.tx.send(Box::new(frame))).await {
            Ok(Ok(())) => {
                self.last_frame = Instant::now();
                Ok(())
            }
            Ok(Err(_)) | Err(_) => Err(Stop::Gone),
        }
    }

    /// The client went away (Python: `handle_stream_cancelled`): persist each pending assistant
    /// message that has text, keep metadata changes, and add the hidden "cancelled" note so the
    /// next turn does not resume the cancelled answer.
    async fn cancelled(mut self) {
        tracing::debug!(
            pending = self.pending.len(),
            "client disconnected; persisting the partial reply"
        );
        let ctx = self.ctx.store_ctx.clone();
        for item in std::mem::take(&mut self.pending) {
            let ThreadItem::AssistantMessage(message) = &item else {
                continue;
            };
            if message.content.iter().all(|c| c.text.trim().is_empty()) {
                continue;
            }
            // A failure is logged by `insert`; the note below still goes in.
            let _ = self.insert(&item).await;
        }
        let now = self.thread.snapshot();
        if now != self.saved
            && let Err(e) = self.store.save_thread(&now, &ctx).await
        {
            tracing::error!(error = %e, "saving the thread of a cancelled reply");
        }
        let note = SDKHiddenContextItem {
            id: self.store.generate_item_id(IdKind::SdkHiddenContext),
            thread_id: self.thread_id.clone(),
            created_at: Timestamp::now(),
            content: CANCELLED_NOTE.to_owned(),
        };
        if let Err(e) = self
            .store
            .add_thread_item(&self.thread_id, &note.into(), &ctx)
            .await
        {
            tracing::error!(error = %e, "adding the cancellation note");
        }
    }
}

/// The kind of id an item gets (Python: `StoreItemType`).
fn id_kind(item: &ThreadItem) -> IdKind {
    match item {
        ThreadItem::ClientToolCall(_) => IdKind::ToolCall,
        ThreadItem::Workflow(_) => IdKind::Workflow,
        ThreadItem::Task(_) => IdKind::Task,
        ThreadItem::SDKHiddenContext(_) => IdKind::SdkHiddenContext,
        _ => IdKind::Message,
    }
}
