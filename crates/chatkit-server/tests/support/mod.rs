//! Test support: a harness around an [`Engine`] over a `MemoryStore`, a scripted responder keyed
//! by the user message's text, a fake attachment handler, a probing store wrapper, and the
//! conformance record writer (every request, stream and reply the tests produce goes to
//! `$CHATKIT_CONFORMANCE_DIR/chatkit-server-engine.jsonl`).

#![allow(dead_code, unreachable_pub)]

use std::collections::VecDeque;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chatkit_server::{
    AttachmentError, AttachmentHandler, Engine, EngineOptions, EngineReply, EventStream,
    ProtocolError, RequestContext, Responder, ResponderError, ThreadHandle,
};
use chatkit_store::{FeedbackRecord, IdKind, MemoryStore, Store, StoreContext, StoreResult};
use chatkit_types::widgets::{Button, Card, Text};
use chatkit_types::{
    Action, ActionConfig, AssistantMessageContent, AssistantMessageContentPartAdded,
    AssistantMessageContentPartDone, AssistantMessageContentPartTextDelta, AssistantMessageItem,
    Attachment, AttachmentCreateParams, AttachmentUploadDescriptor, AudioInput, ClientEffectEvent,
    ClientToolCallItem, ClientToolCallStatus, CustomStreamError, ErrorCode, FeedbackKind,
    FileAttachment, HiddenContextItem, ImageAttachment, NoticeEvent, NoticeLevel, Order, Page,
    ProgressUpdateEvent, StreamError, StructuredInput, StructuredInputFreeform,
    StructuredInputItem, StructuredInputItemStatus, StructuredInputMultipleChoice,
    StructuredInputMultipleChoiceOption, SyncCustomActionResponse, Task, TaskStatusIndicator,
    ThoughtTask, ThreadItem, ThreadItemAddedEvent, ThreadItemDoneEvent, ThreadItemRemovedEvent,
    ThreadItemReplacedEvent, ThreadItemUpdate, ThreadItemUpdatedEvent, ThreadMetadata,
    ThreadStatus, ThreadStreamEvent, Timestamp, TranscriptionResult, UploadMethod,
    UserMessageContent, UserMessageItem, WidgetItem, WidgetRoot, Workflow, WorkflowItem,
    WorkflowTaskAdded, WorkflowTaskUpdated, WorkflowType,
};
use futures::StreamExt;
use futures::stream;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Conformance records

/// The record file, truncated once per run of this test binary.
fn records() -> &'static Mutex<File> {
    static FILE: OnceLock<Mutex<File>> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = std::env::var_os("CHATKIT_CONFORMANCE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/conformance")
            });
        fs::create_dir_all(&dir).expect("create the conformance directory");
        let file = File::create(dir.join("chatkit-server-engine.jsonl"))
            .expect("create the conformance record file");
        Mutex::new(file)
    })
}

fn record(line: &Value) {
    let mut text = line.to_string();
    text.push('\n');
    // One write of a whole line under the lock: parallel tests never interleave.
    let mut file = records().lock().unwrap_or_else(|e| e.into_inner());
    file.write_all(text.as_bytes())
        .expect("write a conformance record");
}

/// Records a request we sent.
pub fn record_request(body: &Value) {
    record(&json!({"kind": "request", "body": body}));
}

/// Records a whole streamed reply.
pub fn record_stream(op: &str, raw: &str) {
    record(&json!({
        "kind": "stream", "request_type": op, "status": 200,
        "content_type": "text/event-stream", "raw": raw,
    }));
}

/// Records a JSON reply.
pub fn record_reply(op: &str, body: &Value) {
    record(&json!({
        "kind": "reply", "request_type": op, "status": 200,
        "content_type": "application/json", "body": body,
    }));
}

// ---------------------------------------------------------------------------------------------
// Harness

/// A streamed reply: the frames as sent, and each frame's JSON.
#[derive(Debug)]
pub struct Streamed {
    /// Every frame, concatenated.
    pub raw: String,
    /// Each data frame's event, as JSON.
    pub events: Vec<Value>,
}

impl Streamed {
    /// The `type` of each event.
    pub fn types(&self) -> Vec<&str> {
        self.events
            .iter()
            .map(|e| e["type"].as_str().unwrap_or("?"))
            .collect()
    }

    /// The events of one `type`.
    pub fn of_type(&self, t: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["type"] == t).collect()
    }

    /// The thread id of `thread.created`.
    pub fn thread_id(&self) -> String {
        self.events[0]["thread"]["id"]
            .as_str()
            .expect("a thread.created first")
            .to_owned()
    }

    /// The items of every `thread.item.done`.
    pub fn done_items(&self) -> Vec<&Value> {
        self.of_type("thread.item.done")
            .into_iter()
            .map(|e| &e["item"])
            .collect()
    }

    /// The concatenated text deltas.
    pub fn text(&self) -> String {
        self.events
            .iter()
            .filter(|e| e["update"]["type"] == "assistant_message.content_part.text_delta")
            .map(|e| e["update"]["delta"].as_str().unwrap_or_default())
            .collect()
    }
}

/// Splits a frame into its event, checking the framing is exact.
pub fn parse_frame(frame: &[u8]) -> Value {
    let text = std::str::from_utf8(frame).expect("UTF-8 frame");
    assert!(
        text.starts_with("data: "),
        "frame must start with `data: `: {text:?}"
    );
    assert!(
        text.ends_with("\n\n"),
        "frame must end with a blank line: {text:?}"
    );
    let json = &text["data: ".len()..text.len() - 2];
    assert!(
        !json.contains('\n'),
        "one line of compact JSON per frame: {text:?}"
    );
    let value: Value = serde_json::from_str(json).expect("frame JSON");
    // Every frame is a ThreadStreamEvent our own types read back.
    let event: ThreadStreamEvent = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("frame is not a ThreadStreamEvent ({e}): {json}"));
    assert_eq!(
        serde_json::to_value(&event).expect("serialize"),
        value,
        "frame round trip"
    );
    value
}

/// The engine under test, the store behind it, and the caller's context.
#[derive(Clone)]
pub struct Harness {
    pub engine: Engine,
    pub store: Arc<dyn Store>,
    pub ctx: RequestContext,
    pub script: Arc<Script>,
    pub uploads: Arc<FakeUploads>,
}

impl Harness {
    /// A MemoryStore, the scripted responder, attachments enabled, default options.
    pub fn new() -> Self {
        Self::build(Arc::new(MemoryStore::new()), EngineOptions::default())
    }

    /// The same with other options.
    pub fn with_options(options: EngineOptions) -> Self {
        Self::build(Arc::new(MemoryStore::new()), options)
    }

    /// The scripted responder over `store`.
    pub fn build(store: Arc<dyn Store>, options: EngineOptions) -> Self {
        let script = Arc::new(Script::default());
        let uploads = Arc::new(FakeUploads::default());
        let engine = Engine::new(Arc::clone(&store), script.clone())
            .with_options(options)
            .with_attachments(uploads.clone());
        Self {
            engine,
            store,
            ctx: RequestContext::new("user_a", "default"),
            script,
            uploads,
        }
    }

    /// An engine with `responder` and no attachment handler.
    pub fn bare(responder: Arc<dyn Responder>) -> Self {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        Self {
            engine: Engine::new(Arc::clone(&store), responder),
            store,
            ctx: RequestContext::new("user_a", "default"),
            script: Arc::new(Script::default()),
            uploads: Arc::new(FakeUploads::default()),
        }
    }

    /// The same engine and store, acting for another identity and agent.
    pub fn as_caller(&self, identity: &str, agent: &str) -> Self {
        Self {
            ctx: RequestContext::new(identity, agent),
            ..self.clone()
        }
    }

    /// Sends a streaming request and reads the whole stream (recorded for conformance).
    pub async fn stream(&self, body: Value) -> Streamed {
        let reply = self.start(&body).await;
        let EngineReply::Stream(mut frames) = reply else {
            panic!("expected a stream for {body}");
        };
        let mut raw = String::new();
        let mut events = Vec::new();
        while let Some(frame) = frames.next().await {
            events.push(parse_frame(&frame));
            raw.push_str(std::str::from_utf8(&frame).expect("UTF-8"));
        }
        record_stream(op_of(&body), &raw);
        Streamed { raw, events }
    }

    /// Sends a request and returns the reply unread (the request is recorded).
    pub async fn start(&self, body: &Value) -> EngineReply {
        record_request(body);
        let bytes = serde_json::to_vec(body).expect("serialize the request");
        match self.engine.process(&bytes, self.ctx.clone()).await {
            Ok(reply) => {
                assert_eq!(
                    reply.content_type(),
                    if is_streaming(op_of(body)) {
                        "text/event-stream"
                    } else {
                        "application/json"
                    }
                );
                reply
            }
            Err(e) => panic!("{} failed: {} {} {e}", op_of(body), e.status(), e.code()),
        }
    }

    /// Sends a non-streaming request and returns its JSON reply (recorded for conformance).
    pub async fn reply(&self, body: Value) -> Value {
        let reply = self.start(&body).await;
        let EngineReply::Json(bytes) = reply else {
            panic!("expected JSON for {body}");
        };
        let value: Value = serde_json::from_slice(&bytes).expect("reply JSON");
        record_reply(op_of(&body), &value);
        value
    }

    /// Sends a request that must fail before any reply; a valid request is recorded.
    pub async fn fail(&self, body: Value) -> ProtocolError {
        record_request(&body);
        let bytes = serde_json::to_vec(&body).expect("serialize the request");
        self.fail_raw(&bytes).await
    }

    /// Sends a raw body that must fail before any reply (not recorded: it is not a request).
    pub async fn fail_raw(&self, body: &[u8]) -> ProtocolError {
        match self.engine.process(body, self.ctx.clone()).await {
            Ok(reply) => panic!("expected a failure, got {reply:?}"),
            Err(e) => e,
        }
    }

    /// Every item of the thread in the store, hidden ones included, oldest first.
    pub async fn items(&self, thread_id: &str) -> Vec<ThreadItem> {
        self.store
            .load_thread_items(thread_id, None, 1000, Order::Asc, &self.ctx.store_ctx)
            .await
            .expect("load items")
            .data
    }

    /// The thread's metadata in the store.
    pub async fn thread(&self, thread_id: &str) -> ThreadMetadata {
        self.store
            .load_thread(thread_id, &self.ctx.store_ctx)
            .await
            .expect("load thread")
    }

    /// Starts a thread with `text` and returns its id and the stream.
    pub async fn create(&self, text: &str) -> (String, Streamed) {
        let s = self.stream(create(text)).await;
        (s.thread_id(), s)
    }
}

fn op_of(body: &Value) -> &str {
    body["type"].as_str().expect("a request type")
}

fn is_streaming(op: &str) -> bool {
    chatkit_types::StreamingReq::TYPES.contains(&op)
}

// ---------------------------------------------------------------------------------------------
// Requests

/// A user message input.
pub fn input(text: &str) -> Value {
    json!({"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}})
}

/// `threads.create`.
pub fn create(text: &str) -> Value {
    json!({"type": "threads.create", "params": {"input": input(text)}})
}

/// `threads.add_user_message`.
pub fn add_message(thread_id: &str, text: &str) -> Value {
    json!({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": input(text)}})
}

/// `threads.add_client_tool_output`.
pub fn tool_output(thread_id: &str, result: Value) -> Value {
    json!({"type": "threads.add_client_tool_output", "params": {"thread_id": thread_id, "result": result}})
}

/// `threads.retry_after_item`.
pub fn retry(thread_id: &str, item_id: &str) -> Value {
    json!({"type": "threads.retry_after_item", "params": {"thread_id": thread_id, "item_id": item_id}})
}

/// `threads.custom_action` (or `threads.sync_custom_action` with `sync`).
pub fn action(thread_id: &str, item_id: Option<&str>, action_type: &str, sync: bool) -> Value {
    let mut params =
        json!({"thread_id": thread_id, "action": {"type": action_type, "payload": {"n": 1}}});
    if let Some(item_id) = item_id {
        params["item_id"] = json!(item_id);
    }
    let op = if sync {
        "threads.sync_custom_action"
    } else {
        "threads.custom_action"
    };
    json!({"type": op, "params": params})
}

/// `items.list`.
pub fn list_items(thread_id: &str, limit: i64, order: &str, after: Option<&str>) -> Value {
    let mut params = json!({"thread_id": thread_id, "limit": limit, "order": order});
    if let Some(after) = after {
        params["after"] = json!(after);
    }
    json!({"type": "items.list", "params": params})
}

/// `threads.list`.
pub fn list_threads(limit: i64, order: &str, after: Option<&str>) -> Value {
    let mut params = json!({"limit": limit, "order": order});
    if let Some(after) = after {
        params["after"] = json!(after);
    }
    json!({"type": "threads.list", "params": params})
}

/// `threads.get_by_id`.
pub fn get_thread(thread_id: &str) -> Value {
    json!({"type": "threads.get_by_id", "params": {"thread_id": thread_id}})
}

// ---------------------------------------------------------------------------------------------
// Event builders

pub fn new_id() -> String {
    chatkit_store::generate_id(IdKind::Message)
}

pub fn assistant(id: &str, thread_id: &str, text: Option<&str>) -> ThreadItem {
    AssistantMessageItem {
        id: id.to_owned(),
        thread_id: thread_id.to_owned(),
        created_at: Timestamp::now(),
        content: text
            .map(|t| vec![AssistantMessageContent::text(t)])
            .unwrap_or_default(),
    }
    .into()
}

pub fn added(item: ThreadItem) -> ThreadStreamEvent {
    ThreadItemAddedEvent { item }.into()
}

pub fn done(item: ThreadItem) -> ThreadStreamEvent {
    ThreadItemDoneEvent { item }.into()
}

pub fn updated(item_id: &str, update: ThreadItemUpdate) -> ThreadStreamEvent {
    ThreadItemUpdatedEvent {
        item_id: item_id.to_owned(),
        update,
    }
    .into()
}

pub fn part_added(item_id: &str) -> ThreadStreamEvent {
    updated(
        item_id,
        ThreadItemUpdate::AssistantMessageContentPartAdded(AssistantMessageContentPartAdded {
            content_index: 0,
            content: AssistantMessageContent::text(""),
        }),
    )
}

pub fn delta(item_id: &str, text: &str) -> ThreadStreamEvent {
    updated(
        item_id,
        ThreadItemUpdate::AssistantMessageContentPartTextDelta(
            AssistantMessageContentPartTextDelta {
                content_index: 0,
                delta: text.to_owned(),
            },
        ),
    )
}

pub fn part_done(item_id: &str, text: &str) -> ThreadStreamEvent {
    updated(
        item_id,
        ThreadItemUpdate::AssistantMessageContentPartDone(AssistantMessageContentPartDone {
            content_index: 0,
            content: AssistantMessageContent::text(text),
        }),
    )
}

/// A full streamed assistant reply with `id`: added, part added, one delta per word, part done,
/// done.
pub fn reply_steps(id: &str, thread_id: &str, words: &[String]) -> Vec<Step> {
    let text: String = words.concat();
    let mut steps = vec![
        Step::Emit(added(assistant(id, thread_id, None))),
        Step::Emit(part_added(id)),
    ];
    steps.extend(words.iter().map(|w| Step::Emit(delta(id, w))));
    steps.push(Step::Emit(part_done(id, &text)));
    steps.push(Step::Emit(done(assistant(id, thread_id, Some(&text)))));
    steps
}

pub fn widget_root(label: &str) -> WidgetRoot {
    Card::new()
        .child(Text::new(label).id("label"))
        .child(
            Button::new()
                .label("Go")
                .on_click_action(ActionConfig::new("replace_sender")),
        )
        .into()
}

pub fn widget(id: &str, thread_id: &str, label: &str) -> ThreadItem {
    WidgetItem {
        id: id.to_owned(),
        thread_id: thread_id.to_owned(),
        created_at: Timestamp::now(),
        widget: widget_root(label),
        copy_text: Some(label.to_owned()),
    }
    .into()
}

pub fn client_tool_call(id: &str, thread_id: &str, call_id: &str) -> ThreadItem {
    let mut arguments = chatkit_types::JsonObject::new();
    arguments.insert("a".to_owned(), json!(1));
    ClientToolCallItem {
        id: id.to_owned(),
        thread_id: thread_id.to_owned(),
        created_at: Timestamp::now(),
        status: ClientToolCallStatus::Pending,
        call_id: call_id.to_owned(),
        name: "get_selection".to_owned(),
        arguments,
        output: None,
    }
    .into()
}

pub fn hidden(thread_id: &str, content: Value) -> ThreadItem {
    HiddenContextItem {
        id: chatkit_store::generate_id(IdKind::Message),
        thread_id: thread_id.to_owned(),
        created_at: Timestamp::now(),
        content,
    }
    .into()
}

pub fn structured_input(id: &str, thread_id: &str) -> ThreadItem {
    let options = |values: &[&str]| {
        values
            .iter()
            .map(|v| StructuredInputMultipleChoiceOption {
                value: (*v).to_owned(),
            })
            .collect::<Vec<_>>()
    };
    StructuredInputItem {
        id: id.to_owned(),
        thread_id: thread_id.to_owned(),
        created_at: Timestamp::now(),
        status: StructuredInputItemStatus::Pending,
        inputs: vec![
            StructuredInput::MultipleChoice(StructuredInputMultipleChoice {
                id: "size".to_owned(),
                question: "Which size?".to_owned(),
                answer: None,
                options: options(&["S", "M", "L"]),
                multiple: false,
            }),
            StructuredInput::MultipleChoice(StructuredInputMultipleChoice {
                id: "toppings".to_owned(),
                question: "Which toppings?".to_owned(),
                answer: None,
                options: options(&["cheese", "ham", "olives"]),
                multiple: true,
            }),
            StructuredInput::Freeform(StructuredInputFreeform {
                id: "note".to_owned(),
                question: "Anything else?".to_owned(),
                answer: None,
                description: Some("Optional".to_owned()),
            }),
            StructuredInput::Freeform(StructuredInputFreeform {
                id: "name".to_owned(),
                question: "Your name?".to_owned(),
                answer: None,
                description: None,
            }),
        ],
    }
    .into()
}

fn workflow(id: &str, thread_id: &str, tasks: Vec<Task>) -> ThreadItem {
    WorkflowItem {
        id: id.to_owned(),
        thread_id: thread_id.to_owned(),
        created_at: Timestamp::now(),
        workflow: Workflow {
            r#type: WorkflowType::Custom,
            tasks,
            summary: None,
            expanded: false,
        },
    }
    .into()
}

fn thought(text: &str) -> Task {
    Task::Thought(ThoughtTask {
        status_indicator: TaskStatusIndicator::Complete,
        title: None,
        content: text.to_owned(),
    })
}

// ---------------------------------------------------------------------------------------------
// The scripted responder

/// One step of a scripted reply.
#[allow(clippy::large_enum_variant)] // test scripts: a few steps each
pub enum Step {
    /// Yield this event.
    Emit(ThreadStreamEvent),
    /// Wait (tokio time, so paused-time tests advance it).
    Sleep(Duration),
    /// Set the thread's title through the handle.
    Title(String),
    /// Set a private metadata key through the handle.
    Meta(&'static str, Value),
    /// Set the thread's status.
    Status(ThreadStatus),
    /// Fail the stream.
    Fail(ResponderError),
    /// Never yield again.
    Hang,
    /// Panic.
    Panic,
    /// Read the history and reply to the newest visible item (resumes).
    Resume,
}

/// Counts what a scripted stream produced and whether it was dropped (upstream cancelled).
#[derive(Debug, Default)]
pub struct Upstream {
    pub yielded: AtomicUsize,
    pub dropped: AtomicBool,
}

struct DropFlag(Arc<Upstream>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.dropped.store(true, Ordering::SeqCst);
    }
}

/// Plays `steps` as an event stream.
pub fn play(steps: Vec<Step>, thread: ThreadHandle, upstream: Arc<Upstream>) -> EventStream {
    let state = (VecDeque::from(steps), thread, DropFlag(upstream));
    Box::pin(stream::unfold(
        state,
        |(mut steps, thread, flag)| async move {
            loop {
                match steps.pop_front()? {
                    Step::Emit(event) => {
                        flag.0.yielded.fetch_add(1, Ordering::SeqCst);
                        return Some((Ok(event), (steps, thread, flag)));
                    }
                    Step::Sleep(d) => tokio::time::sleep(d).await,
                    Step::Title(t) => thread.set_title(t),
                    Step::Meta(k, v) => thread.update(|m| {
                        m.metadata.insert(k.to_owned(), v);
                    }),
                    Step::Status(s) => thread.set_status(s),
                    Step::Fail(e) => return Some((Err(e), (VecDeque::new(), thread, flag))),
                    Step::Hang => std::future::pending::<()>().await,
                    Step::Panic => panic!("scripted panic"),
                    Step::Resume => {
                        let history = thread.history(20).await.expect("history");
                        let text = resume_text(&history);
                        let id = new_id();
                        let tid = thread.id();
                        for step in reply_steps(&id, &tid, &[text]).into_iter().rev() {
                            steps.push_front(step);
                        }
                    }
                }
            }
        },
    ))
}

/// What a resumed reply says about the newest visible item.
fn resume_text(history: &[ThreadItem]) -> String {
    match history.iter().rev().find(|i| !i.is_hidden()) {
        Some(ThreadItem::ClientToolCall(call)) => format!(
            "Tool {} returned {}",
            call.name,
            call.output.clone().unwrap_or(Value::Null)
        ),
        Some(ThreadItem::StructuredInput(si)) => {
            let answers: Vec<String> = si
                .inputs
                .iter()
                .map(|q| match q.answer() {
                    Some(a) if !a.skipped => format!("{}={}", q.id(), a.values.join("+")),
                    _ => format!("{}=skipped", q.id()),
                })
                .collect();
            format!("Answers: {}", answers.join(", "))
        }
        Some(other) => format!("Resumed after {}", other.type_name()),
        None => "Resumed".to_owned(),
    }
}

/// The scripted responder: replies according to the user message's text.
#[derive(Debug, Default)]
pub struct Script {
    /// The latest stream's counters.
    pub upstream: Mutex<Arc<Upstream>>,
    /// Feedback handed to `add_feedback`.
    pub feedback: Mutex<Vec<(String, Vec<String>, FeedbackKind)>>,
    /// The inputs `respond` received (user message ids, or None).
    pub inputs: Mutex<Vec<Option<String>>>,
}

impl Script {
    fn upstream(&self) -> Arc<Upstream> {
        let fresh = Arc::new(Upstream::default());
        *self.upstream.lock().unwrap() = Arc::clone(&fresh);
        fresh
    }

    /// The latest stream's counters.
    pub fn last_upstream(&self) -> Arc<Upstream> {
        Arc::clone(&self.upstream.lock().unwrap())
    }
}

fn text_of(message: &UserMessageItem) -> String {
    message
        .content
        .iter()
        .filter_map(|c| match c {
            UserMessageContent::InputText(t) => Some(t.text.as_str()),
            UserMessageContent::InputTag(_) => None,
        })
        .collect()
}

fn words(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("w{i} ")).collect()
}

/// The steps answering `text` in thread `tid`.
fn script_for(text: &str, tid: &str) -> Vec<Step> {
    let id = new_id();
    let mut parts = text.split_whitespace();
    let first = parts.next().unwrap_or_default();
    let number = |s: Option<&str>| s.and_then(|n| n.parse::<usize>().ok()).unwrap_or(3);
    match first {
        "stream" => reply_steps(&id, tid, &words(number(parts.next()))),
        "slow" => {
            let n = number(parts.next());
            let mut steps = vec![
                Step::Emit(added(assistant(&id, tid, None))),
                Step::Emit(part_added(&id)),
            ];
            for w in words(n) {
                steps.push(Step::Sleep(Duration::from_millis(10)));
                steps.push(Step::Emit(delta(&id, &w)));
            }
            steps.push(Step::Emit(done(assistant(
                &id,
                tid,
                Some(&words(n).concat()),
            ))));
            steps
        }
        "tick" => {
            // A delta every second, forever.
            let mut steps = vec![Step::Emit(added(assistant(&id, tid, None)))];
            for w in words(10_000) {
                steps.push(Step::Sleep(Duration::from_secs(1)));
                steps.push(Step::Emit(delta(&id, &w)));
            }
            steps
        }
        "hang" => vec![
            Step::Emit(added(assistant(&id, tid, None))),
            Step::Emit(delta(&id, "Thinking")),
            Step::Hang,
        ],
        "pause" => {
            let mut steps = vec![Step::Sleep(Duration::from_millis(3500))];
            steps.extend(reply_steps(&id, tid, &words(1)));
            steps
        }
        "client" => {
            // "client tool": a pending call, then hidden context after it (as an agent that
            // records model context would do).
            vec![
                Step::Emit(done(assistant(&id, tid, Some("Let me look.")))),
                Step::Emit(done(client_tool_call(
                    &chatkit_store::generate_id(IdKind::ToolCall),
                    tid,
                    "call_1",
                ))),
                Step::Emit(done(hidden(tid, json!({"note": "asked the client"})))),
            ]
        }
        "two" => vec![
            // "two client tools": two pending calls.
            Step::Emit(done(client_tool_call(
                &chatkit_store::generate_id(IdKind::ToolCall),
                tid,
                "call_old",
            ))),
            Step::Emit(done(client_tool_call(
                &chatkit_store::generate_id(IdKind::ToolCall),
                tid,
                "call_new",
            ))),
        ],
        "widget" => vec![
            Step::Emit(done(widget(&id, tid, "Pick one"))),
            Step::Emit(done(assistant(&new_id(), tid, Some("Here is a widget.")))),
        ],
        "error" => vec![
            // "error midway"
            Step::Emit(added(assistant(&id, tid, None))),
            Step::Emit(delta(&id, "Partial")),
            Step::Fail(ResponderError::other("upstream broke")),
        ],
        "custom" => vec![Step::Fail(
            CustomStreamError::new("Quota exceeded, try tomorrow.").into(),
        )],
        "coded" => vec![Step::Fail(
            StreamError::new(ErrorCode::StreamError)
                .with_allow_retry(false)
                .into(),
        )],
        "panic" => vec![
            Step::Emit(done(assistant(&id, tid, Some("Before")))),
            Step::Panic,
        ],
        "title" => {
            let mut steps = reply_steps(&id, tid, &words(2));
            steps.push(Step::Title("Greeting".to_owned()));
            steps.push(Step::Meta("secret", json!("never on the wire")));
            steps
        }
        "midway" => {
            // "midway title": the title changes after the first event.
            let mut steps = reply_steps(&id, tid, &words(2));
            steps.insert(1, Step::Title("Early title".to_owned()));
            steps
        }
        "status" => vec![
            Step::Emit(done(assistant(&id, tid, Some("Locking.")))),
            Step::Status(ThreadStatus::Locked(chatkit_types::LockedStatus {
                reason: Some("Read only".to_owned()),
            })),
        ],
        "titled" => vec![
            // "titled error": an item, then a title change and a failure in the same poll.
            Step::Emit(done(assistant(&id, tid, Some("Hmm")))),
            Step::Title("Before the error".to_owned()),
            Step::Fail(ResponderError::other("later failure")),
        ],
        "hidden" => vec![
            // "hidden context"
            Step::Emit(added(hidden(tid, json!({"k": "v"})))),
            Step::Emit(done(hidden(tid, json!({"k": "v"})))),
            Step::Emit(done(
                chatkit_types::SDKHiddenContextItem {
                    id: chatkit_store::generate_id(IdKind::SdkHiddenContext),
                    thread_id: tid.to_owned(),
                    created_at: Timestamp::now(),
                    content: "sdk note".to_owned(),
                }
                .into(),
            )),
            Step::Emit(done(assistant(&id, tid, Some("Visible answer")))),
        ],
        "duplicate" => {
            // "duplicate ids": placeholder ids twice (the Agents SDK's `__fake_id__`), an
            // empty id, an id that repeats one from this run, and the id of an existing item.
            let fake = "__fake_id__";
            let mut steps = reply_steps(fake, tid, &["one".to_owned()]);
            steps.extend(reply_steps(fake, tid, &["two".to_owned()]));
            steps.push(Step::Emit(done(assistant("", tid, Some("three")))));
            steps.push(Step::Emit(done(assistant("msg_same", tid, Some("four")))));
            steps.push(Step::Emit(done(assistant("msg_same", tid, Some("five")))));
            steps
        }
        "collide" => vec![Step::Resume], // handled in respond (needs the user message id)
        "structured" => vec![
            Step::Emit(done(assistant(&id, tid, Some("A few questions:")))),
            Step::Emit(done(structured_input(&new_id(), tid))),
        ],
        "workflow" => {
            let wid = chatkit_store::generate_id(IdKind::Workflow);
            vec![
                Step::Emit(added(workflow(&wid, tid, vec![]))),
                Step::Emit(updated(
                    &wid,
                    ThreadItemUpdate::WorkflowTaskAdded(WorkflowTaskAdded {
                        task_index: 0,
                        task: thought("Considering"),
                    }),
                )),
                Step::Emit(updated(
                    &wid,
                    ThreadItemUpdate::WorkflowTaskUpdated(WorkflowTaskUpdated {
                        task_index: 0,
                        task: thought("Considered"),
                    }),
                )),
                Step::Emit(done(workflow(&wid, tid, vec![thought("Considered")]))),
                Step::Emit(done(assistant(&id, tid, Some("Done thinking.")))),
            ]
        }
        "edit" => {
            // "edit": replace one item, remove another.
            let keep = new_id();
            let temp = new_id();
            vec![
                Step::Emit(done(assistant(&keep, tid, Some("draft")))),
                Step::Emit(
                    ThreadItemReplacedEvent {
                        item: assistant(&keep, tid, Some("final")),
                    }
                    .into(),
                ),
                Step::Emit(done(assistant(&temp, tid, Some("temporary")))),
                Step::Emit(ThreadItemRemovedEvent { item_id: temp }.into()),
            ]
        }
        "effects" => vec![
            Step::Emit(
                ProgressUpdateEvent {
                    icon: Some(chatkit_types::IconName::from("search")),
                    text: "Searching".to_owned(),
                }
                .into(),
            ),
            Step::Emit(effect("toast")),
            Step::Emit(
                NoticeEvent {
                    level: NoticeLevel::Info,
                    message: "Heads up".to_owned(),
                    title: None,
                }
                .into(),
            ),
            Step::Emit(done(assistant(&id, tid, Some("With effects.")))),
        ],
        _ => reply_steps(&id, tid, &[format!("You said: {text}")]),
    }
}

fn effect(name: &str) -> ThreadStreamEvent {
    let mut data = chatkit_types::JsonObject::new();
    data.insert("t".to_owned(), json!("do"));
    ClientEffectEvent {
        name: name.to_owned(),
        data,
    }
    .into()
}

#[async_trait]
impl Responder for Script {
    fn respond(
        &self,
        thread: ThreadHandle,
        input: Option<UserMessageItem>,
        _ctx: &RequestContext,
    ) -> EventStream {
        self.inputs
            .lock()
            .unwrap()
            .push(input.as_ref().map(|m| m.id.clone()));
        let tid = thread.id();
        let steps = match &input {
            None => vec![Step::Resume],
            Some(message) if text_of(message) == "collide" => {
                // An assistant message reusing the user message's id.
                vec![Step::Emit(done(assistant(
                    &message.id,
                    &tid,
                    Some("Collides"),
                )))]
            }
            Some(message) => script_for(&text_of(message), &tid),
        };
        play(steps, thread, self.upstream())
    }

    fn action(
        &self,
        thread: ThreadHandle,
        action: Action,
        sender: Option<WidgetItem>,
        _ctx: &RequestContext,
    ) -> EventStream {
        let tid = thread.id();
        let mut steps = Vec::new();
        if action.r#type == "replace_sender"
            && let Some(sender) = &sender
        {
            let mut replaced = sender.clone();
            replaced.widget = widget_root("Picked");
            steps.push(Step::Emit(
                ThreadItemReplacedEvent {
                    item: replaced.into(),
                }
                .into(),
            ));
        }
        steps.push(Step::Emit(effect(&action.r#type)));
        let who = sender.map_or("nobody".to_owned(), |s| s.id);
        steps.push(Step::Emit(done(assistant(
            &new_id(),
            &tid,
            Some(&format!("Action {} from {who}", action.r#type)),
        ))));
        play(steps, thread, self.upstream())
    }

    async fn sync_action(
        &self,
        thread: ThreadHandle,
        action: Action,
        sender: Option<WidgetItem>,
        _ctx: &RequestContext,
    ) -> Result<SyncCustomActionResponse, ResponderError> {
        match action.r#type.as_str() {
            "update" => {
                let mut item = sender.expect("a sender");
                item.widget = widget_root("Updated synchronously");
                thread.set_title("Synced");
                Ok(SyncCustomActionResponse {
                    updated_item: Some(item.into()),
                })
            }
            "refuse" => Err(CustomStreamError::new("Not allowed right now.").into()),
            "crash" => Err(ResponderError::other("database on fire")),
            _ => Ok(SyncCustomActionResponse::default()),
        }
    }

    async fn add_feedback(
        &self,
        thread_id: &str,
        item_ids: &[String],
        kind: FeedbackKind,
        _ctx: &RequestContext,
    ) -> Result<(), ResponderError> {
        self.feedback
            .lock()
            .unwrap()
            .push((thread_id.to_owned(), item_ids.to_vec(), kind));
        Ok(())
    }

    async fn transcribe(
        &self,
        audio: AudioInput,
        _ctx: &RequestContext,
    ) -> Result<TranscriptionResult, ResponderError> {
        Ok(TranscriptionResult {
            text: format!("{} bytes of {}", audio.data.len(), audio.media_type()),
        })
    }
}

/// A responder that only implements `respond` (every other hook at its default).
#[derive(Debug, Default)]
pub struct Minimal;

impl Responder for Minimal {
    fn respond(
        &self,
        thread: ThreadHandle,
        _input: Option<UserMessageItem>,
        _ctx: &RequestContext,
    ) -> EventStream {
        let tid = thread.id();
        play(
            vec![Step::Emit(done(assistant(
                &new_id(),
                &tid,
                Some("Minimal."),
            )))],
            thread,
            Arc::new(Upstream::default()),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Attachments

/// Two-phase uploads to a fake file host; refuses over 1 MB and executables.
#[derive(Debug, Default)]
pub struct FakeUploads {
    pub deleted: Mutex<Vec<String>>,
}

#[async_trait]
impl AttachmentHandler for FakeUploads {
    async fn create(
        &self,
        params: &AttachmentCreateParams,
        _ctx: &RequestContext,
    ) -> Result<Attachment, AttachmentError> {
        if params.size > 1_000_000 {
            return Err(AttachmentError::TooLarge(Some(1_000_000)));
        }
        if params.mime_type == "application/x-msdownload" {
            return Err(AttachmentError::TypeNotAllowed(params.mime_type.clone()));
        }
        let id = chatkit_store::generate_id(IdKind::Attachment);
        let mut metadata = chatkit_types::JsonObject::new();
        metadata.insert("storage_key".to_owned(), json!(format!("bucket/{id}")));
        let upload_descriptor = Some(AttachmentUploadDescriptor {
            url: format!("https://files.example/u/{id}"),
            method: UploadMethod::Put,
            headers: [("x-upload-token".to_owned(), "t0k".to_owned())].into(),
        });
        Ok(if params.mime_type.starts_with("image/") {
            Attachment::Image(ImageAttachment {
                preview_url: format!("https://files.example/p/{id}"),
                id,
                name: params.name.clone(),
                mime_type: params.mime_type.clone(),
                upload_descriptor,
                thread_id: None,
                metadata: Some(metadata),
            })
        } else {
            Attachment::File(FileAttachment {
                id,
                name: params.name.clone(),
                mime_type: params.mime_type.clone(),
                upload_descriptor,
                thread_id: None,
                metadata: Some(metadata),
            })
        })
    }

    async fn delete(
        &self,
        attachment_id: &str,
        _ctx: &RequestContext,
    ) -> Result<(), AttachmentError> {
        self.deleted.lock().unwrap().push(attachment_id.to_owned());
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// A probing store

/// Wraps a store: each write is slowed down and logged when it completes (to prove writes finish
/// before their frames are sent), and inserts of assistant messages can be made to fail.
#[derive(Debug, Default)]
pub struct Probe {
    pub inner: MemoryStore,
    /// Completed writes, as `add:<id>`, `save:<id>`, `delete:<id>`.
    pub log: Mutex<Vec<String>>,
    /// Slow every write down by this much.
    pub write_delay: Mutex<Option<Duration>>,
    /// Fail `add_thread_item` of assistant messages.
    pub fail_assistant_inserts: AtomicBool,
}

impl Probe {
    async fn slow(&self) {
        let delay = *self.write_delay.lock().unwrap();
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
    }

    fn note(&self, entry: String) {
        self.log.lock().unwrap().push(entry);
    }

    /// Whether `entry` was logged.
    pub fn logged(&self, entry: &str) -> bool {
        self.log.lock().unwrap().iter().any(|e| e == entry)
    }
}

#[async_trait]
impl Store for Probe {
    async fn load_thread(
        &self,
        thread_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<ThreadMetadata> {
        self.inner.load_thread(thread_id, ctx).await
    }

    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &StoreContext) -> StoreResult<()> {
        self.slow().await;
        let r = self.inner.save_thread(thread, ctx).await;
        self.note(format!("save_thread:{}", thread.id));
        r
    }

    async fn load_threads(
        &self,
        limit: usize,
        after: Option<&str>,
        order: Order,
        ctx: &StoreContext,
    ) -> StoreResult<Page<ThreadMetadata>> {
        self.inner.load_threads(limit, after, order, ctx).await
    }

    async fn delete_thread(&self, thread_id: &str, ctx: &StoreContext) -> StoreResult<()> {
        self.inner.delete_thread(thread_id, ctx).await
    }

    async fn load_thread_items(
        &self,
        thread_id: &str,
        after: Option<&str>,
        limit: usize,
        order: Order,
        ctx: &StoreContext,
    ) -> StoreResult<Page<ThreadItem>> {
        self.inner
            .load_thread_items(thread_id, after, limit, order, ctx)
            .await
    }

    async fn add_thread_item(
        &self,
        thread_id: &str,
        item: &ThreadItem,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        if self.fail_assistant_inserts.load(Ordering::SeqCst)
            && matches!(item, ThreadItem::AssistantMessage(_))
        {
            return Err(chatkit_store::StoreError::Backend("disk full".into()));
        }
        self.slow().await;
        let r = self.inner.add_thread_item(thread_id, item, ctx).await;
        self.note(format!("add:{}", item.id()));
        r
    }

    async fn save_item(
        &self,
        thread_id: &str,
        item: &ThreadItem,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        self.slow().await;
        let r = self.inner.save_item(thread_id, item, ctx).await;
        self.note(format!("save:{}", item.id()));
        r
    }

    async fn load_item(
        &self,
        thread_id: &str,
        item_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<ThreadItem> {
        self.inner.load_item(thread_id, item_id, ctx).await
    }

    async fn delete_thread_item(
        &self,
        thread_id: &str,
        item_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        self.slow().await;
        let r = self.inner.delete_thread_item(thread_id, item_id, ctx).await;
        self.note(format!("delete:{item_id}"));
        r
    }

    async fn save_attachment(
        &self,
        attachment: &Attachment,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        self.inner.save_attachment(attachment, ctx).await
    }

    async fn load_attachment(
        &self,
        attachment_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<Attachment> {
        self.inner.load_attachment(attachment_id, ctx).await
    }

    async fn delete_attachment(&self, attachment_id: &str, ctx: &StoreContext) -> StoreResult<()> {
        self.inner.delete_attachment(attachment_id, ctx).await
    }

    async fn add_feedback(
        &self,
        thread_id: &str,
        item_ids: &[String],
        kind: FeedbackKind,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        self.inner
            .add_feedback(thread_id, item_ids, kind, ctx)
            .await
    }

    async fn load_feedback(
        &self,
        thread_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<Vec<FeedbackRecord>> {
        self.inner.load_feedback(thread_id, ctx).await
    }
}

/// Reads frames from a stream until `stop` says so; returns them (unrecorded).
pub async fn read_until(
    frames: &mut chatkit_server::FrameStream,
    mut stop: impl FnMut(&Value) -> bool,
) -> Vec<Bytes> {
    let mut out = Vec::new();
    while let Some(frame) = frames.next().await {
        let event = parse_frame(&frame);
        out.push(frame);
        if stop(&event) {
            break;
        }
    }
    out
}

/// Concatenates frames into a raw body.
pub fn raw_of(frames: &[Bytes]) -> String {
    frames
        .iter()
        .map(|f| std::str::from_utf8(f).expect("UTF-8"))
        .collect()
}
