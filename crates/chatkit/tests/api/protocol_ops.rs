//! Every protocol operation and every pipeline rule over real HTTP, against the default agent
//! (and the scripted benchmark agent where a test needs a reply held open or paced: its
//! `[[hold]]` and `[[slow]]` markers).
//!
//! Callers are cookie-keeping clients, like browsers. Tests also open the server's store (the
//! SQLite file in its data directory), read the identity and agent a thread belongs to from it,
//! and use it to check what was persisted and to add the items a model would produce (a pending
//! client tool call, a structured input form, a widget, hidden context), so that the ops resuming
//! from them can be driven whatever the agent says. Assertions rely on protocol behaviour, not on
//! the agent's words. Every request, stream and reply is recorded for the conformance checker,
//! streams read frame by frame included.

use std::time::Duration;

use chatkit_store::{FeedbackRecord, IdKind, SqliteStore, Store, StoreContext, generate_id};
use chatkit_types::{FeedbackKind, ThreadItem};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, cookie_client, spawn_app};
use crate::protocol::{call, events, record, user_input};

/// The default agent's endpoint.
const ENDPOINT: &str = "/chatkit";

/// The scripted benchmark agent's id, served when configured (`protocol.scripted_agent`).
const SCRIPTED: &str = "bench";

/// A fixed timestamp for items the tests add (the store orders by insertion, not by time).
const CREATED_AT: &str = "2026-11-21T10:26:20.644729Z";

/// A caller: a client that keeps cookies, like a browser, talking to one agent.
struct Visitor {
    client: reqwest::Client,
    endpoint: String,
}

impl Visitor {
    /// A visitor of the default agent.
    fn new() -> Visitor {
        Visitor {
            client: cookie_client(),
            endpoint: ENDPOINT.to_owned(),
        }
    }

    /// A visitor of the scripted agent (see [`scripted_app`]).
    fn of_scripted_agent() -> Visitor {
        Visitor {
            client: cookie_client(),
            endpoint: format!("{ENDPOINT}/{SCRIPTED}"),
        }
    }

    /// A protocol call to the visitor's agent, recorded.
    async fn call(&self, app: &TestApp, body: Value) -> Reply {
        call(app, &self.client, &self.endpoint, &body).await
    }

    /// A protocol call that must succeed.
    async fn ok(&self, app: &TestApp, body: Value) -> Reply {
        let op = body["type"].clone();
        let reply = self.call(app, body).await;
        assert_eq!(reply.status, StatusCode::OK, "{op}: {}", reply.text);
        reply
    }

    /// `threads.create` with `text`: the thread id and the events.
    async fn create_thread(&self, app: &TestApp, text: &str) -> (String, Vec<Value>) {
        let reply = self.ok(app, create(text)).await;
        let events = events(&reply);
        (thread_id_of(&events), events)
    }
}

/// The server's store, opened beside it (SQLite in WAL mode takes readers and writers from
/// another connection pool) once the server answers, so that it has migrated the database.
pub(crate) async fn open_store(app: &TestApp) -> SqliteStore {
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK, "the server is up");
    SqliteStore::open_in_dir(app.data_dir.path())
        .await
        .expect("the server's store opens")
}

async fn ops_app() -> (TestApp, SqliteStore) {
    let app = spawn_app(|_| {}).await;
    let store = open_store(&app).await;
    (app, store)
}

/// A server that also serves the scripted agent, whose replies can be held open (`[[hold]]`) or
/// paced (`[[slow]]`), configured by `configure`.
async fn scripted_app(configure: impl FnOnce(&mut chatkit::Config)) -> (TestApp, SqliteStore) {
    let app = spawn_app(|c| {
        c.protocol.scripted_agent = Some(SCRIPTED.to_owned());
        configure(c);
    })
    .await;
    let store = open_store(&app).await;
    (app, store)
}

/// The identity and agent a thread belongs to.
pub(crate) async fn owner_of(store: &SqliteStore, thread_id: &str) -> StoreContext {
    let (identity, agent): (String, String) =
        sqlx::query_as("SELECT identity, agent FROM threads WHERE id = $1")
            .bind(thread_id)
            .fetch_one(store.pool())
            .await
            .expect("the thread is stored");
    StoreContext { identity, agent }
}

// ---------------------------------------------------------------------------------------------
// Request bodies

fn create(text: &str) -> Value {
    json!({"type": "threads.create", "params": {"input": user_input(text)}})
}

fn add_message(thread_id: &str, text: &str) -> Value {
    json!({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": user_input(text)}})
}

fn tool_output(thread_id: &str, result: Value) -> Value {
    json!({"type": "threads.add_client_tool_output", "params": {"thread_id": thread_id, "result": result}})
}

fn structured(thread_id: &str, item_id: &str, input: Value) -> Value {
    json!({"type": "threads.add_structured_input", "params": {"thread_id": thread_id, "item_id": item_id, "input": input}})
}

fn retry(thread_id: &str, item_id: &str) -> Value {
    json!({"type": "threads.retry_after_item", "params": {"thread_id": thread_id, "item_id": item_id}})
}

fn action(thread_id: &str, item_id: Option<&str>, sync: bool) -> Value {
    let op = if sync {
        "threads.sync_custom_action"
    } else {
        "threads.custom_action"
    };
    let mut params =
        json!({"thread_id": thread_id, "action": {"type": "choice.pick", "payload": {"n": 1}}});
    if let Some(item_id) = item_id {
        params["item_id"] = json!(item_id);
    }
    json!({"type": op, "params": params})
}

fn get_thread(thread_id: &str) -> Value {
    json!({"type": "threads.get_by_id", "params": {"thread_id": thread_id}})
}

fn list_threads(limit: i64, order: &str, after: Option<&str>) -> Value {
    let mut params = json!({"limit": limit, "order": order});
    if let Some(after) = after {
        params["after"] = json!(after);
    }
    json!({"type": "threads.list", "params": params})
}

fn list_items(thread_id: &str, limit: i64, order: &str, after: Option<&str>) -> Value {
    let mut params = json!({"thread_id": thread_id, "limit": limit, "order": order});
    if let Some(after) = after {
        params["after"] = json!(after);
    }
    json!({"type": "items.list", "params": params})
}

fn update(thread_id: &str, title: &str) -> Value {
    json!({"type": "threads.update", "params": {"thread_id": thread_id, "title": title}})
}

fn delete(thread_id: &str) -> Value {
    json!({"type": "threads.delete", "params": {"thread_id": thread_id}})
}

fn feedback(thread_id: &str, item_ids: &[&str], kind: &str) -> Value {
    json!({"type": "items.feedback", "params": {"thread_id": thread_id, "item_ids": item_ids, "kind": kind}})
}

fn transcribe(audio_base64: &str) -> Value {
    json!({"type": "input.transcribe", "params": {"audio_base64": audio_base64, "mime_type": "audio/webm;codecs=opus"}})
}

// ---------------------------------------------------------------------------------------------
// Reading replies

fn kinds(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["type"].as_str().expect("every event has a type"))
        .collect()
}

fn thread_id_of(events: &[Value]) -> String {
    assert_eq!(events[0]["type"], "thread.created", "{events:?}");
    events[0]["thread"]["id"]
        .as_str()
        .expect("the thread id")
        .to_owned()
}

/// The items of the `thread.item.done` events.
fn done_items(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter(|e| e["type"] == "thread.item.done")
        .map(|e| &e["item"])
        .collect()
}

/// The text of the assistant messages a stream finished.
fn assistant_text(events: &[Value]) -> String {
    done_items(events)
        .into_iter()
        .filter(|item| item["type"] == "assistant_message")
        .flat_map(|item| item["content"].as_array().cloned().unwrap_or_default())
        .filter_map(|part| part["text"].as_str().map(str::to_owned))
        .collect()
}

/// The id of the first done item of `kind`.
fn done_id(events: &[Value], kind: &str) -> String {
    done_items(events)
        .into_iter()
        .find(|item| item["type"] == kind)
        .and_then(|item| item["id"].as_str())
        .unwrap_or_else(|| panic!("no {kind} in {events:?}"))
        .to_owned()
}

/// The ids of a page's `data`.
fn page_ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("a page: {page}"))
        .iter()
        .map(|record| record["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The `type`s of a page's `data`.
fn page_kinds(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("a page: {page}"))
        .iter()
        .map(|record| record["type"].as_str().expect("a type").to_owned())
        .collect()
}

/// Every page of a listing, following `after` while `has_more` (and checking that a cursor is
/// given exactly then).
async fn walk_pages(
    app: &TestApp,
    visitor: &Visitor,
    request: impl Fn(Option<&str>) -> Value,
) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = visitor.ok(app, request(after.as_deref())).await.body;
        let ids = page_ids(&page);
        let has_more = page["has_more"].as_bool().expect("has_more");
        let cursor = page.get("after").and_then(Value::as_str).map(str::to_owned);
        assert_eq!(
            cursor.is_some(),
            has_more,
            "a cursor exactly when more follow: {page}"
        );
        pages.push(ids);
        if !has_more {
            return pages;
        }
        assert!(pages.len() < 20, "the cursor goes round in circles");
        after = cursor;
    }
}

/// The thread's stored items (hidden ones included), oldest first.
async fn stored_items(store: &SqliteStore, ctx: &StoreContext, thread_id: &str) -> Vec<ThreadItem> {
    store
        .load_thread_items(thread_id, None, 100, chatkit_types::Order::Asc, ctx)
        .await
        .expect("the thread's items")
        .data
}

/// A thread's stored items once its last is hidden (the note a cancellation adds), or as they are
/// after 5 s.
async fn stored_once_cancelled(
    store: &SqliteStore,
    ctx: &StoreContext,
    thread_id: &str,
) -> Vec<ThreadItem> {
    let mut stored = Vec::new();
    for _ in 0..200 {
        stored = stored_items(store, ctx, thread_id).await;
        if stored.last().is_some_and(ThreadItem::is_hidden) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    stored
}

fn stored_kinds(items: &[ThreadItem]) -> Vec<&'static str> {
    items.iter().map(ThreadItem::type_name).collect()
}

/// The pages of `items.list` over `stored` (oldest first) in `order`: the store's windows of
/// `limit` items, each without its hidden items.
fn expected_pages(stored: &[ThreadItem], limit: usize, order: &str) -> Vec<Vec<String>> {
    let mut items: Vec<&ThreadItem> = stored.iter().collect();
    if order == "desc" {
        items.reverse();
    }
    items
        .chunks(limit)
        .map(|window| {
            window
                .iter()
                .filter(|item| !item.is_hidden())
                .map(|item| item.id().to_owned())
                .collect()
        })
        .collect()
}

/// The ids of the visible stored items, oldest first.
fn visible_ids(stored: &[ThreadItem]) -> Vec<String> {
    expected_pages(stored, usize::MAX, "asc").concat()
}

// ---------------------------------------------------------------------------------------------
// Items a model would produce, added through the store

fn item(value: Value) -> ThreadItem {
    serde_json::from_value(value).expect("an item fixture")
}

fn pending_tool_call(thread_id: &str) -> ThreadItem {
    item(json!({
        "type": "client_tool_call", "id": generate_id(IdKind::ToolCall), "thread_id": thread_id,
        "created_at": CREATED_AT, "status": "pending", "call_id": "call_sel_1",
        "name": "get_selection", "arguments": {"max_chars": 200},
    }))
}

fn pending_form(thread_id: &str) -> ThreadItem {
    item(json!({
        "type": "structured_input", "id": generate_id(IdKind::Message), "thread_id": thread_id,
        "created_at": CREATED_AT, "status": "pending",
        "inputs": [
            {"type": "multiple_choice", "id": "size", "question": "Which size?", "multiple": false,
             "options": [{"value": "S"}, {"value": "M"}, {"value": "L"}]},
            {"type": "freeform", "id": "note", "question": "Anything else?"},
        ],
    }))
}

fn widget(thread_id: &str) -> ThreadItem {
    item(json!({
        "type": "widget", "id": generate_id(IdKind::Message), "thread_id": thread_id,
        "created_at": CREATED_AT,
        "widget": {"type": "Card", "children": [{"type": "Text", "value": "Pick one"}]},
    }))
}

fn hidden_context(thread_id: &str) -> ThreadItem {
    item(json!({
        "type": "hidden_context_item", "id": generate_id(IdKind::Message), "thread_id": thread_id,
        "created_at": CREATED_AT, "content": {"user_tz": "Europe/Paris"},
    }))
}

fn sdk_hidden_context(thread_id: &str) -> ThreadItem {
    item(json!({
        "type": "sdk_hidden_context", "id": generate_id(IdKind::SdkHiddenContext),
        "thread_id": thread_id, "created_at": CREATED_AT, "content": "model-only context",
    }))
}

async fn add_item(store: &SqliteStore, ctx: &StoreContext, thread_id: &str, item: &ThreadItem) {
    store
        .add_thread_item(thread_id, item, ctx)
        .await
        .expect("the item is added");
}

// ---------------------------------------------------------------------------------------------
// A stream read frame by frame (recorded when dropped)

/// A streamed reply read one frame at a time, so a test can act between frames or go away
/// mid-stream. The frames received are recorded for the checker when it is dropped.
struct LiveStream {
    response: Option<reqwest::Response>,
    op: String,
    pending: Vec<u8>,
    raw: String,
}

impl LiveStream {
    async fn start(app: &TestApp, visitor: &Visitor, body: Value) -> LiveStream {
        let response = visitor
            .client
            .post(app.url(&visitor.endpoint))
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/event-stream")
        );
        record(json!({"kind": "request", "body": body}));
        LiveStream {
            response: Some(response),
            op: body["type"].as_str().unwrap_or_default().to_owned(),
            pending: Vec::new(),
            raw: String::new(),
        }
    }

    /// The next event, or `None` at the end of the reply.
    async fn next(&mut self) -> Option<Value> {
        loop {
            if let Some(end) = self.pending.windows(2).position(|w| w == b"\n\n") {
                let frame: Vec<u8> = self.pending.drain(..end + 2).collect();
                let frame = String::from_utf8(frame).expect("frames are UTF-8");
                self.raw.push_str(&frame);
                let json = frame
                    .strip_prefix("data: ")
                    .expect("every frame is `data: `");
                return Some(serde_json::from_str(json.trim_end()).expect("every frame is JSON"));
            }
            let response = self.response.as_mut()?;
            match response.chunk().await.expect("the stream is readable") {
                Some(bytes) => self.pending.extend_from_slice(&bytes),
                None => {
                    assert!(self.pending.is_empty(), "a partial frame at the end");
                    return None;
                }
            }
        }
    }

    /// Reads until an event of `kind` arrives; the events read on the way, that one last.
    async fn until(&mut self, kind: &str) -> Vec<Value> {
        let mut seen = Vec::new();
        while let Some(event) = self.next().await {
            let found = event["type"] == kind;
            seen.push(event);
            if found {
                return seen;
            }
        }
        panic!("the stream ended without {kind}: {seen:?}");
    }

    /// Closes the connection, as a browser tab that goes away.
    fn hang_up(&mut self) {
        self.response = None;
    }
}

impl Drop for LiveStream {
    fn drop(&mut self) {
        record(json!({"kind": "stream", "request_type": self.op, "raw": self.raw}));
    }
}

// ---------------------------------------------------------------------------------------------
// Streaming ops

#[tokio::test]
async fn a_user_message_is_sent_first_then_stream_options_then_the_reply() {
    // Arrange
    let (app, store) = ops_app().await;
    let visitor = Visitor::new();
    let (thread_id, created) = visitor.create_thread(&app, "first question").await;
    let ctx = owner_of(&store, &thread_id).await;

    // Act
    let reply = visitor
        .ok(&app, add_message(&thread_id, "second question"))
        .await;

    // Assert
    assert_eq!(reply.header("content-type"), Some("text/event-stream"));
    let events = events(&reply);
    assert_eq!(&kinds(&events)[..2], ["thread.item.done", "stream_options"]);
    let message = &events[0]["item"];
    assert_eq!(message["type"], "user_message");
    assert_eq!(message["thread_id"], thread_id.as_str());
    assert_eq!(message["content"][0]["text"], "second question");
    assert_eq!(events[1]["stream_options"]["allow_cancel"], true);
    assert!(!assistant_text(&events).is_empty(), "the agent replied");
    let listed = visitor
        .ok(&app, list_items(&thread_id, 50, "asc", None))
        .await;
    let ids = page_ids(&listed.body);
    assert_eq!(
        ids,
        visible_ids(&stored_items(&store, &ctx, &thread_id).await)
    );
    let first = done_id(&created, "user_message");
    let second = message["id"].as_str().unwrap();
    assert_eq!(ids[0], first);
    let at = ids
        .iter()
        .position(|id| id == second)
        .expect("the message is listed");
    assert!(
        ids[1..at].contains(&done_id(&created, "assistant_message")),
        "the first reply comes between the messages: {ids:?}"
    );
    assert!(at + 1 < ids.len(), "the reply follows the message");
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "every item has its own id");
}

#[tokio::test]
async fn every_item_is_in_the_store_by_the_time_its_done_frame_arrives() {
    // Arrange: a reply cut into several messages, each finished a moment after the last.
    let (app, store) = scripted_app(|_| {}).await;
    let visitor = Visitor::of_scripted_agent();
    let mut stream = LiveStream::start(&app, &visitor, create("[[slow]] tell me more")).await;

    // Act: at each `thread.item.done`, before reading on, ask the store for the item.
    let mut owner: Option<(String, StoreContext)> = None;
    let mut checked = Vec::new();
    while let Some(event) = stream.next().await {
        if event["type"] == "thread.created" {
            let thread_id = event["thread"]["id"].as_str().expect("a thread id");
            owner = Some((thread_id.to_owned(), owner_of(&store, thread_id).await));
        }
        if event["type"] == "thread.item.done" {
            let (thread_id, ctx) = owner.as_ref().expect("thread.created came first");
            let item_id = event["item"]["id"].as_str().expect("an item id");
            let stored = store.load_item(thread_id, item_id, ctx).await;
            checked.push((item_id.to_owned(), stored.is_ok()));
        }
    }

    // Assert
    assert!(
        checked.len() >= 3,
        "the user message and at least two assistant messages: {checked:?}"
    );
    assert!(
        checked.iter().all(|(_, stored)| *stored),
        "every done item was persisted before its frame: {checked:?}"
    );
}

#[tokio::test]
async fn a_client_tool_output_completes_the_pending_call_behind_hidden_items_and_resumes() {
    // Arrange: the call is pending, and hidden context was added after it.
    let (app, store) = ops_app().await;
    let visitor = Visitor::new();
    let (thread_id, _) = visitor.create_thread(&app, "what did I select?").await;
    let ctx = owner_of(&store, &thread_id).await;
    let call_item = pending_tool_call(&thread_id);
    add_item(&store, &ctx, &thread_id, &call_item).await;
    add_item(&store, &ctx, &thread_id, &hidden_context(&thread_id)).await;

    // Act
    let resumed = visitor
        .ok(
            &app,
            tool_output(&thread_id, json!({"selection": "the second paragraph"})),
        )
        .await;
    let again = visitor
        .call(&app, tool_output(&thread_id, json!({"selection": "again"})))
        .await;

    // Assert
    let events = events(&resumed);
    assert_eq!(kinds(&events)[0], "stream_options", "nothing comes first");
    assert!(
        !done_items(&events).is_empty(),
        "the agent resumed: {events:?}"
    );
    let stored = store
        .load_item(&thread_id, call_item.id(), &ctx)
        .await
        .expect("the call is kept");
    let stored = serde_json::to_value(&stored).unwrap();
    assert_eq!(stored["status"], "completed");
    assert_eq!(
        stored["output"],
        json!({"selection": "the second paragraph"})
    );
    again.assert_error(StatusCode::CONFLICT, "no_pending_tool_call");
    let listed = visitor
        .ok(&app, list_items(&thread_id, 50, "asc", None))
        .await;
    let kinds = page_kinds(&listed.body);
    assert!(kinds.contains(&"client_tool_call".to_owned()), "{kinds:?}");
    assert!(
        !kinds.contains(&"hidden_context_item".to_owned()),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn structured_input_answers_replace_the_form_first_then_the_reply_resumes() {
    // Arrange
    let (app, store) = ops_app().await;
    let visitor = Visitor::new();
    let (thread_id, created) = visitor.create_thread(&app, "order a pizza").await;
    let ctx = owner_of(&store, &thread_id).await;
    let form = pending_form(&thread_id);
    add_item(&store, &ctx, &thread_id, &form).await;
    let answers = json!({"status": "answered", "answers": {
        "size": {"values": ["M", "L"], "skipped": false},
        "note": {"values": [], "skipped": false},
    }});

    // Act
    let answered = visitor
        .ok(&app, structured(&thread_id, form.id(), answers.clone()))
        .await;
    let twice = visitor
        .call(&app, structured(&thread_id, form.id(), answers.clone()))
        .await;
    let not_a_form = visitor
        .call(
            &app,
            structured(&thread_id, &done_id(&created, "user_message"), answers),
        )
        .await;

    // Assert
    let events = events(&answered);
    assert_eq!(
        &kinds(&events)[..2],
        ["stream_options", "thread.item.replaced"]
    );
    let replaced = &events[1]["item"];
    assert_eq!(replaced["id"], form.id());
    assert_eq!(replaced["status"], "answered");
    assert_eq!(
        replaced["inputs"][0]["answer"],
        json!({"values": ["M"], "skipped": false}),
        "a single choice keeps its first value"
    );
    assert_eq!(
        replaced["inputs"][1]["answer"],
        json!({"values": [], "skipped": true}),
        "an empty answer is skipped"
    );
    assert!(
        !done_items(&events).is_empty(),
        "the agent resumed: {events:?}"
    );
    let stored = store.load_item(&thread_id, form.id(), &ctx).await.unwrap();
    assert_eq!(serde_json::to_value(&stored).unwrap()["status"], "answered");
    twice.assert_error(StatusCode::CONFLICT, "structured_input_not_pending");
    not_a_form.assert_error(StatusCode::CONFLICT, "structured_input_not_pending");
}

#[tokio::test]
async fn a_retry_deletes_every_later_item_and_answers_the_message_again() {
    // Arrange
    let (app, store) = ops_app().await;
    let visitor = Visitor::new();
    let (thread_id, created) = visitor.create_thread(&app, "first").await;
    let ctx = owner_of(&store, &thread_id).await;
    let first = done_id(&created, "user_message");
    visitor.ok(&app, add_message(&thread_id, "second")).await;
    add_item(&store, &ctx, &thread_id, &hidden_context(&thread_id)).await;
    let before = stored_items(&store, &ctx, &thread_id).await;

    // Act
    let retried = visitor.ok(&app, retry(&thread_id, &first)).await;

    // Assert
    let events = events(&retried);
    assert_eq!(kinds(&events)[0], "stream_options");
    assert!(
        !kinds(&events).contains(&"thread.item.removed"),
        "the client drops later items itself"
    );
    assert!(
        !assistant_text(&events).is_empty(),
        "the first message is answered again"
    );
    let after = stored_items(&store, &ctx, &thread_id).await;
    assert_eq!(after[0].id(), first);
    assert!(
        before[1..]
            .iter()
            .all(|old| after.iter().all(|new| new.id() != old.id())),
        "everything after the first message is gone, hidden items too"
    );
    let answered: Vec<String> = done_items(&events)
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(visible_ids(&after[1..]), answered, "then the new answer");
}

#[tokio::test]
async fn a_retry_must_name_a_user_message_of_the_thread() {
    // Arrange
    let (app, _store) = ops_app().await;
    let visitor = Visitor::new();
    let (thread_id, created) = visitor.create_thread(&app, "first").await;
    let reply_id = done_id(&created, "assistant_message");
    let before = visitor
        .ok(&app, list_items(&thread_id, 50, "asc", None))
        .await;

    // Act
    let of_a_reply = visitor.call(&app, retry(&thread_id, &reply_id)).await;
    let of_nothing = visitor.call(&app, retry(&thread_id, "msg_missing")).await;
    let after = visitor
        .ok(&app, list_items(&thread_id, 50, "asc", None))
        .await;

    // Assert
    of_a_reply.assert_error(StatusCode::BAD_REQUEST, "retry_target_not_user_message");
    of_nothing.assert_error(StatusCode::NOT_FOUND, "item_not_found");
    assert_eq!(
        page_ids(&after.body),
        page_ids(&before.body),
        "nothing was deleted"
    );
}

#[tokio::test]
async fn a_custom_action_streams_after_stream_options_and_ends_cleanly() {
    // Arrange
    let (app, store) = ops_app().await;
    let visitor = Visitor::new();
    let (thread_id, created) = visitor.create_thread(&app, "show me choices").await;
    let ctx = owner_of(&store, &thread_id).await;
    let sender = widget(&thread_id);
    add_item(&store, &ctx, &thread_id, &sender).await;

    // Act
    let from_widget = visitor
        .ok(&app, action(&thread_id, Some(sender.id()), false))
        .await;
    let from_nowhere = visitor.ok(&app, action(&thread_id, None, false)).await;
    let from_a_message = visitor
        .call(
            &app,
            action(&thread_id, Some(&done_id(&created, "user_message")), false),
        )
        .await;
    let from_a_ghost = visitor
        .call(&app, action(&thread_id, Some("msg_missing"), false))
        .await;

    // Assert
    for reply in [&from_widget, &from_nowhere] {
        // Whatever the agent makes of the action (a reply, or an `error` frame when it has no
        // actions), the stream starts with its options and ends cleanly.
        assert_eq!(reply.header("content-type"), Some("text/event-stream"));
        let events = events(reply);
        assert_eq!(kinds(&events)[0], "stream_options", "{}", reply.text);
        assert!(events.len() > 1, "{}", reply.text);
    }
    from_a_message.assert_error(StatusCode::BAD_REQUEST, "sender_not_widget");
    from_a_ghost.assert_error(StatusCode::NOT_FOUND, "item_not_found");
}

#[tokio::test]
async fn a_cancelled_stream_keeps_the_user_message_and_adds_a_hidden_note() {
    // Arrange: the reply is held, so the stream is open and idle when the client goes away.
    let (app, store) = scripted_app(|c| c.protocol.max_streams_per_identity = 1).await;
    let visitor = Visitor::of_scripted_agent();
    let mut stream = LiveStream::start(&app, &visitor, create("[[hold]] take your time")).await;
    let before = stream.until("stream_options").await;
    let thread_id = thread_id_of(&before);
    let ctx = owner_of(&store, &thread_id).await;

    // Act
    stream.hang_up();
    let mut stored = Vec::new();
    for _ in 0..200 {
        stored = stored_items(&store, &ctx, &thread_id).await;
        if stored.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let listed = visitor
        .ok(&app, list_items(&thread_id, 50, "desc", None))
        .await;
    let fetched = visitor.ok(&app, get_thread(&thread_id)).await;
    let next = visitor
        .call(&app, add_message(&thread_id, "still there?"))
        .await;

    // Assert
    assert_eq!(
        stored_kinds(&stored),
        ["user_message", "sdk_hidden_context"],
        "the cancellation note follows the message"
    );
    let note = serde_json::to_value(&stored[1]).unwrap();
    assert_eq!(note["content"], chatkit_server::CANCELLED_NOTE);
    assert_eq!(page_kinds(&listed.body), ["user_message"]);
    assert_eq!(page_kinds(&fetched.body["items"]), ["user_message"]);
    assert_eq!(
        next.status,
        StatusCode::OK,
        "the stream's slot was released: {}",
        next.text
    );
}

#[tokio::test]
async fn a_stream_cancelled_mid_reply_keeps_the_partial_text_then_the_hidden_note() {
    // Arrange: a paced reply; the client goes away after its first words.
    let (app, store) = scripted_app(|_| {}).await;
    let visitor = Visitor::of_scripted_agent();
    let mut stream = LiveStream::start(&app, &visitor, create("[[slow]] go on")).await;
    let head = stream.until("stream_options").await;
    let thread_id = thread_id_of(&head);
    let ctx = owner_of(&store, &thread_id).await;
    let added = stream.until("thread.item.added").await;
    let reply_id = added.last().unwrap()["item"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut said = String::new();
    while said.is_empty() {
        let updates = stream.until("thread.item.updated").await;
        let update = &updates.last().unwrap()["update"];
        said.push_str(update["delta"].as_str().unwrap_or_default());
    }

    // Act
    stream.hang_up();
    let stored = stored_once_cancelled(&store, &ctx, &thread_id).await;

    // Assert
    assert_eq!(
        stored_kinds(&stored),
        ["user_message", "assistant_message", "sdk_hidden_context"],
        "the reply so far, then the note"
    );
    assert_eq!(stored[1].id(), reply_id);
    let partial = serde_json::to_value(&stored[1]).unwrap();
    let text = partial["content"][0]["text"].as_str().unwrap_or_default();
    assert!(text.starts_with(&said), "{text:?} begins with {said:?}");
}

#[tokio::test]
async fn replies_stream_over_http2_side_by_side_and_a_reset_stream_is_cancelled() {
    // Arrange: a client that speaks HTTP/2 with prior knowledge (h2c), as a proxy in front of the
    // server may.
    let (app, store) = scripted_app(|c| c.protocol.max_streams_per_identity = 8).await;
    let visitor = Visitor {
        client: reqwest::Client::builder()
            .http2_prior_knowledge()
            .cookie_store(true)
            .no_proxy()
            .build()
            .expect("an HTTP/2 client"),
        endpoint: format!("{ENDPOINT}/{SCRIPTED}"),
    };
    let version = visitor
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("sent")
        .version();

    // Act: two replies held open at once, one answered in full, then one held reply reset.
    let mut kept = LiveStream::start(&app, &visitor, create("[[hold]] keep me")).await;
    let mut reset = LiveStream::start(&app, &visitor, create("[[hold]] reset me")).await;
    let kept_head = kept.until("stream_options").await;
    let reset_head = reset.until("stream_options").await;
    let answered = visitor.ok(&app, create("hello over h2")).await;
    let reset_thread = thread_id_of(&reset_head);
    let ctx = owner_of(&store, &reset_thread).await;
    reset.hang_up();
    let stored = stored_once_cancelled(&store, &ctx, &reset_thread).await;
    let kept_thread = thread_id_of(&kept_head);
    let kept_listed = visitor
        .ok(&app, list_items(&kept_thread, 50, "asc", None))
        .await;

    // Assert
    assert_eq!(version, reqwest::Version::HTTP_2);
    let events = events(&answered);
    assert_eq!(
        kinds(&events)[..3],
        ["thread.created", "thread.item.done", "stream_options"]
    );
    assert!(
        kinds(&events).contains(&"thread.item.done") && answered.text.contains("assistant_message"),
        "the reply streamed to its end: {}",
        answered.text
    );
    assert_eq!(
        stored_kinds(&stored),
        ["user_message", "sdk_hidden_context"],
        "a stream the client reset is cancelled like a disconnect"
    );
    assert_eq!(
        page_kinds(&kept_listed.body),
        ["user_message"],
        "the other held reply is untouched"
    );
    drop(kept);
}

// ---------------------------------------------------------------------------------------------
// Non-streaming ops

#[tokio::test]
async fn get_by_id_returns_the_thread_with_its_visible_items_oldest_first() {
    // Arrange
    let (app, store) = ops_app().await;
    let visitor = Visitor::new();
    let (thread_id, created) = visitor.create_thread(&app, "one").await;
    let ctx = owner_of(&store, &thread_id).await;
    add_item(&store, &ctx, &thread_id, &hidden_context(&thread_id)).await;
    add_item(&store, &ctx, &thread_id, &sdk_hidden_context(&thread_id)).await;
    visitor.ok(&app, add_message(&thread_id, "two")).await;

    // Act
    let fetched = visitor.ok(&app, get_thread(&thread_id)).await;

    // Assert
    let thread = &fetched.body;
    assert_eq!(thread["id"], thread_id.as_str());
    assert_eq!(thread["created_at"], created[0]["thread"]["created_at"]);
    assert_eq!(thread["status"], json!({"type": "active"}));
    let stored = stored_items(&store, &ctx, &thread_id).await;
    assert_eq!(
        page_ids(&thread["items"]),
        visible_ids(&stored),
        "the items oldest first, hidden ones left out"
    );
    assert!(stored.iter().filter(|item| item.is_hidden()).count() >= 2);
}

#[tokio::test]
async fn threads_are_listed_newest_or_oldest_first_a_page_at_a_time() {
    // Arrange
    let (app, _store) = ops_app().await;
    let visitor = Visitor::new();
    let mut created = Vec::new();
    for n in 0..5 {
        created.push(visitor.create_thread(&app, &format!("thread {n}")).await.0);
    }
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();

    // Act
    let desc = walk_pages(&app, &visitor, |after| list_threads(2, "desc", after)).await;
    let asc = walk_pages(&app, &visitor, |after| list_threads(2, "asc", after)).await;
    let bad_cursor = visitor
        .call(&app, list_threads(2, "desc", Some("thr_nowhere")))
        .await;

    // Assert
    assert_eq!(desc.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 1]);
    assert_eq!(desc.concat(), newest_first);
    assert_eq!(asc.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 1]);
    assert_eq!(asc.concat(), created);
    bad_cursor.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn items_are_listed_in_either_order_a_page_at_a_time_without_hidden_ones() {
    // Arrange: three exchanges, with hidden context after the first.
    let (app, store) = ops_app().await;
    let visitor = Visitor::new();
    let (thread_id, _) = visitor.create_thread(&app, "one").await;
    let ctx = owner_of(&store, &thread_id).await;
    add_item(&store, &ctx, &thread_id, &hidden_context(&thread_id)).await;
    visitor.ok(&app, add_message(&thread_id, "two")).await;
    visitor.ok(&app, add_message(&thread_id, "three")).await;
    let stored = stored_items(&store, &ctx, &thread_id).await;

    // Act
    let asc = walk_pages(&app, &visitor, |after| {
        list_items(&thread_id, 4, "asc", after)
    })
    .await;
    let desc = walk_pages(&app, &visitor, |after| {
        list_items(&thread_id, 4, "desc", after)
    })
    .await;
    let bad_cursor = visitor
        .call(&app, list_items(&thread_id, 4, "asc", Some("msg_nowhere")))
        .await;

    // Assert: a page is a window of the store's order; its hidden items take their place in it
    // but are not shown.
    assert!(stored.len() > 4, "more than one page: {}", stored.len());
    assert_eq!(asc, expected_pages(&stored, 4, "asc"));
    assert_eq!(desc, expected_pages(&stored, 4, "desc"));
    let mut reversed = desc.concat();
    reversed.reverse();
    assert_eq!(asc.concat(), reversed);
    bad_cursor.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn a_thread_is_renamed_and_the_new_title_is_what_every_op_shows() {
    // Arrange
    let (app, _store) = ops_app().await;
    let visitor = Visitor::new();
    let (thread_id, _) = visitor.create_thread(&app, "hello").await;

    // Act
    let updated = visitor.ok(&app, update(&thread_id, "Trip to Lisbon")).await;
    let fetched = visitor.ok(&app, get_thread(&thread_id)).await;
    let listed = visitor.ok(&app, list_threads(10, "desc", None)).await;
    let missing = visitor.call(&app, update("thr_nowhere", "Anything")).await;

    // Assert
    assert_eq!(updated.body["id"], thread_id.as_str());
    assert_eq!(updated.body["title"], "Trip to Lisbon");
    assert_eq!(
        updated.body["items"],
        json!({"data": [], "has_more": false}),
        "an update answers the thread with an empty page"
    );
    assert_eq!(fetched.body["title"], "Trip to Lisbon");
    assert_eq!(listed.body["data"][0]["title"], "Trip to Lisbon");
    missing.assert_error(StatusCode::NOT_FOUND, "thread_not_found");
}

#[tokio::test]
async fn a_deleted_thread_is_gone_with_its_items() {
    // Arrange
    let (app, store) = ops_app().await;
    let visitor = Visitor::new();
    let (kept, _) = visitor.create_thread(&app, "keep me").await;
    let (thread_id, created) = visitor.create_thread(&app, "delete me").await;
    let ctx = owner_of(&store, &thread_id).await;
    let message_id = done_id(&created, "user_message");

    // Act
    let deleted = visitor.ok(&app, delete(&thread_id)).await;
    let fetched = visitor.call(&app, get_thread(&thread_id)).await;
    let items = visitor
        .call(&app, list_items(&thread_id, 10, "asc", None))
        .await;
    let twice = visitor.call(&app, delete(&thread_id)).await;
    let listed = visitor.ok(&app, list_threads(10, "desc", None)).await;

    // Assert
    assert_eq!(deleted.body, json!({}));
    fetched.assert_error(StatusCode::NOT_FOUND, "thread_not_found");
    items.assert_error(StatusCode::NOT_FOUND, "thread_not_found");
    twice.assert_error(StatusCode::NOT_FOUND, "thread_not_found");
    assert_eq!(page_ids(&listed.body), [kept]);
    assert!(
        store
            .load_item(&thread_id, &message_id, &ctx)
            .await
            .is_err(),
        "the items went with the thread"
    );
}

#[tokio::test]
async fn feedback_is_recorded_in_the_store_with_the_items_and_the_identity() {
    // Arrange
    let (app, store) = ops_app().await;
    let visitor = Visitor::new();
    let (thread_id, created) = visitor.create_thread(&app, "rate me").await;
    let ctx = owner_of(&store, &thread_id).await;
    let reply_id = done_id(&created, "assistant_message");
    let message_id = done_id(&created, "user_message");

    // Act
    let positive = visitor
        .ok(&app, feedback(&thread_id, &[&reply_id], "positive"))
        .await;
    let after_positive = store.load_feedback(&thread_id, &ctx).await.unwrap();
    let negative = visitor
        .ok(
            &app,
            feedback(&thread_id, &[&message_id, &reply_id], "negative"),
        )
        .await;
    let unknown_item = visitor
        .call(
            &app,
            feedback(&thread_id, &[&reply_id, "msg_missing"], "positive"),
        )
        .await;
    let unknown_thread = visitor
        .call(&app, feedback("thr_nowhere", &[&reply_id], "positive"))
        .await;

    // Assert
    assert_eq!(positive.body, json!({}));
    assert_eq!(
        after_positive,
        [FeedbackRecord {
            thread_id: thread_id.clone(),
            item_id: reply_id.clone(),
            kind: FeedbackKind::Positive
        }]
    );
    assert_eq!(negative.body, json!({}));
    let record = |item_id: &str| FeedbackRecord {
        thread_id: thread_id.clone(),
        item_id: item_id.to_owned(),
        kind: FeedbackKind::Negative,
    };
    unknown_item.assert_error(StatusCode::NOT_FOUND, "item_not_found");
    unknown_thread.assert_error(StatusCode::NOT_FOUND, "thread_not_found");
    assert_eq!(
        store.load_feedback(&thread_id, &ctx).await.unwrap(),
        [record(&message_id), record(&reply_id)],
        "the later feedback replaced the earlier, and the refused call recorded nothing"
    );
}

#[tokio::test]
async fn transcription_the_agent_does_not_offer_is_a_clear_4xx() {
    // Arrange
    let (app, _store) = ops_app().await;
    let visitor = Visitor::new();

    // Act
    let audio = visitor
        .call(&app, transcribe("GkXfo59ChoEBQveBAULygQRC84EIQoKEd2VibQ=="))
        .await;
    let not_base64 = visitor.call(&app, transcribe("not base64 !")).await;

    // Assert
    audio.assert_error(StatusCode::BAD_REQUEST, "transcription_unavailable");
    not_base64.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn a_sync_custom_action_the_agent_does_not_handle_is_a_clear_4xx() {
    // Arrange
    let (app, store) = ops_app().await;
    let visitor = Visitor::new();
    let (thread_id, created) = visitor.create_thread(&app, "show me choices").await;
    let ctx = owner_of(&store, &thread_id).await;
    let sender = widget(&thread_id);
    add_item(&store, &ctx, &thread_id, &sender).await;

    // Act
    let from_widget = visitor
        .call(&app, action(&thread_id, Some(sender.id()), true))
        .await;
    let from_a_message = visitor
        .call(
            &app,
            action(&thread_id, Some(&done_id(&created, "user_message")), true),
        )
        .await;
    let unknown_thread = visitor.call(&app, action("thr_nowhere", None, true)).await;

    // Assert
    from_widget.assert_error(StatusCode::BAD_REQUEST, "action_unavailable");
    from_a_message.assert_error(StatusCode::BAD_REQUEST, "sender_not_widget");
    unknown_thread.assert_error(StatusCode::NOT_FOUND, "thread_not_found");
    let stored = store
        .load_item(&thread_id, sender.id(), &ctx)
        .await
        .unwrap();
    assert_eq!(stored, sender, "the widget is unchanged");
}

// ---------------------------------------------------------------------------------------------
// Isolation and bad input

#[tokio::test]
async fn another_identity_gets_thread_not_found_from_every_op_and_changes_nothing() {
    // Arrange
    let (app, store) = ops_app().await;
    let owner = Visitor::new();
    let stranger = Visitor::new();
    let (thread_id, created) = owner.create_thread(&app, "private").await;
    let ctx = owner_of(&store, &thread_id).await;
    let message_id = done_id(&created, "user_message");
    let reply_id = done_id(&created, "assistant_message");
    let form = pending_form(&thread_id);
    add_item(&store, &ctx, &thread_id, &pending_tool_call(&thread_id)).await;
    add_item(&store, &ctx, &thread_id, &form).await;
    let before = stored_items(&store, &ctx, &thread_id).await;
    let title = owner.ok(&app, get_thread(&thread_id)).await.body["title"].clone();
    let answers = json!({"status": "skipped", "answers": {}});
    let attempts = [
        get_thread(&thread_id),
        list_items(&thread_id, 10, "asc", None),
        update(&thread_id, "Mine now"),
        feedback(&thread_id, &[&reply_id], "negative"),
        action(&thread_id, None, true),
        add_message(&thread_id, "hi"),
        tool_output(&thread_id, json!("stolen")),
        structured(&thread_id, form.id(), answers),
        retry(&thread_id, &message_id),
        action(&thread_id, None, false),
        delete(&thread_id),
    ];

    for attempt in attempts {
        // Act
        let reply = stranger.call(&app, attempt.clone()).await;

        // Assert
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{attempt}: {}",
            reply.text
        );
        reply.assert_error(StatusCode::NOT_FOUND, "thread_not_found");
    }
    let listed = stranger.ok(&app, list_threads(10, "desc", None)).await;
    assert_eq!(listed.body["data"], json!([]));
    let fetched = owner.ok(&app, get_thread(&thread_id)).await;
    assert_eq!(fetched.body["title"], title, "the title is the owner's");
    assert_eq!(stored_items(&store, &ctx, &thread_id).await, before);
    assert!(
        store
            .load_feedback(&thread_id, &ctx)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn bad_bodies_are_4xx_with_a_stable_code_and_create_nothing() {
    // Arrange
    let (app, _store) = ops_app().await;
    let visitor = Visitor::new();
    let raw = |body: &'static str| {
        visitor
            .client
            .post(app.url(ENDPOINT))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let cases: [(&str, &str, StatusCode); 8] = [
        (
            "{\"type\": \"threads.create\",",
            "invalid_json",
            StatusCode::BAD_REQUEST,
        ),
        ("[1, 2, 3]", "invalid_json", StatusCode::BAD_REQUEST),
        ("", "invalid_json", StatusCode::BAD_REQUEST),
        (
            r#"{"params": {}}"#,
            "unknown_request_type",
            StatusCode::BAD_REQUEST,
        ),
        (
            r#"{"type": "threads.summon", "params": {}}"#,
            "unknown_request_type",
            StatusCode::BAD_REQUEST,
        ),
        (
            r#"{"type": "threads.create", "params": {}}"#,
            "invalid_request",
            StatusCode::BAD_REQUEST,
        ),
        (
            r#"{"type": "threads.list", "params": {"limit": "ten"}}"#,
            "invalid_request",
            StatusCode::BAD_REQUEST,
        ),
        (
            r#"{"type": "items.feedback", "params": {"thread_id": "thr_x", "item_ids": [], "kind": "meh"}}"#,
            "invalid_request",
            StatusCode::BAD_REQUEST,
        ),
    ];

    for (body, code, status) in cases {
        // Act
        let reply = Reply::read(raw(body).await.expect("sent")).await;

        // Assert
        assert_eq!(reply.status, status, "{body}: {}", reply.text);
        reply.assert_error(status, code);
    }
    let listed = visitor.ok(&app, list_threads(10, "desc", None)).await;
    assert_eq!(listed.body["data"], json!([]), "nothing was created");
}

#[tokio::test]
async fn an_oversized_body_is_a_413_whether_its_length_is_declared_or_not() {
    // Arrange
    let app = spawn_app(|c| c.protocol.body_limit_bytes = 4096).await;
    let visitor = Visitor::new();
    let body = create(&"x".repeat(8192)).to_string();
    let send = |body: reqwest::Body| {
        visitor
            .client
            .post(app.url(ENDPOINT))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    // Act
    let declared = Reply::read(send(body.clone().into()).await.expect("sent")).await;
    let chunks = futures::stream::iter(
        body.clone()
            .into_bytes()
            .chunks(1024)
            .map(|chunk| Ok::<_, std::io::Error>(chunk.to_vec()))
            .collect::<Vec<_>>(),
    );
    let streamed = Reply::read(
        send(reqwest::Body::wrap_stream(chunks))
            .await
            .expect("sent"),
    )
    .await;
    let listed = visitor.ok(&app, list_threads(10, "desc", None)).await;

    // Assert
    declared.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    streamed.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(listed.body["data"], json!([]), "nothing was created");
}

#[tokio::test]
async fn an_unknown_thread_is_thread_not_found_for_every_op_that_names_one() {
    // Arrange
    let (app, _store) = ops_app().await;
    let visitor = Visitor::new();
    let missing = "thr_0123456789abcdef";
    let attempts = [
        get_thread(missing),
        list_items(missing, 10, "asc", None),
        update(missing, "x"),
        delete(missing),
        feedback(missing, &["msg_x"], "positive"),
        action(missing, None, true),
        add_message(missing, "hi"),
        tool_output(missing, json!(null)),
        structured(
            missing,
            "msg_x",
            json!({"status": "skipped", "answers": {}}),
        ),
        retry(missing, "msg_x"),
        action(missing, None, false),
    ];

    for attempt in attempts {
        // Act
        let reply = visitor.call(&app, attempt.clone()).await;

        // Assert
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{attempt}: {}",
            reply.text
        );
        reply.assert_error(StatusCode::NOT_FOUND, "thread_not_found");
    }
}
