//! Custom mode over HTTP: `POST /chatkit` and `POST /chatkit/{agent}` with real identities, the
//! error envelope for failures decided before a reply starts, and the per-visitor stream limits.
//! Every request, stream and JSON reply is also recorded for the conformance checker (the
//! official `openai-chatkit` package validates them after the tests).

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, cookie_client, spawn_app};

/// Appends one record to this binary's conformance file (truncated on first use).
pub(crate) fn record(value: Value) {
    static FILE: OnceLock<Mutex<std::fs::File>> = OnceLock::new();
    let file = FILE.get_or_init(|| {
        let dir = std::env::var("CHATKIT_CONFORMANCE_DIR").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/conformance").to_owned()
        });
        std::fs::create_dir_all(&dir).expect("the conformance directory");
        Mutex::new(
            std::fs::File::create(format!("{dir}/chatkit-http.jsonl")).expect("the records file"),
        )
    });
    let mut file = file.lock().unwrap();
    writeln!(file, "{value}").expect("a record is written");
}

pub(crate) fn user_input(text: &str) -> Value {
    json!({"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}})
}

/// A protocol call by `client` to `path`: the reply, recorded.
pub(crate) async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    body: &Value,
) -> Reply {
    let reply = Reply::read(
        client
            .post(app.url(path))
            .json(body)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    if reply.status == StatusCode::OK {
        let op = body["type"].as_str().unwrap_or_default();
        record(json!({"kind": "request", "body": body}));
        if reply
            .header("content-type")
            .is_some_and(|ct| ct.starts_with("text/event-stream"))
        {
            record(json!({"kind": "stream", "request_type": op, "raw": reply.text}));
        } else {
            record(json!({"kind": "reply", "request_type": op, "status": 200, "body": reply.body}));
        }
    }
    reply
}

/// The JSON events of a streamed reply.
pub(crate) fn events(reply: &Reply) -> Vec<Value> {
    reply
        .text
        .split("\n\n")
        .filter(|frame| !frame.is_empty())
        .map(|frame| {
            let json = frame
                .strip_prefix("data: ")
                .expect("every frame is `data: `");
            serde_json::from_str(json).expect("every frame is JSON")
        })
        .collect()
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

async fn protocol_app(configure: impl FnOnce(&mut chatkit::Config)) -> TestApp {
    spawn_app(|c| {
        c.protocol.scripted_agent = Some("bench".into());
        configure(c);
    })
    .await
}

#[tokio::test]
async fn a_thread_is_created_streamed_and_listed_for_its_visitor() {
    // Arrange
    let app = protocol_app(|_| {}).await;

    // Act
    let created = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.create", "params": {"input": user_input("hello there")}}),
    )
    .await;
    let events = events(&created);
    let thread_id = events[0]["thread"]["id"].as_str().unwrap().to_owned();
    let listed = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.list", "params": {}}),
    )
    .await;
    let items = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "items.list", "params": {"thread_id": thread_id}}),
    )
    .await;

    // Assert
    assert_eq!(created.status, StatusCode::OK);
    assert_eq!(created.header("content-type"), Some("text/event-stream"));
    assert_eq!(created.header("x-accel-buffering"), Some("no"));
    assert!(
        !created.text.contains("\n:"),
        "no SSE comment lines by default"
    );
    let kinds = types(&events);
    assert_eq!(
        &kinds[..3],
        ["thread.created", "thread.item.done", "stream_options"]
    );
    assert!(
        kinds.contains(&"thread.updated"),
        "the first exchange titles the thread"
    );
    let reply = events
        .iter()
        .rfind(|e| e["type"] == "thread.item.done")
        .unwrap();
    assert_eq!(
        reply["item"]["content"][0]["text"], "Simulated reply to: hello there",
        "the default agent answered through the simulated model"
    );
    assert_eq!(listed.body["data"][0]["id"], thread_id.as_str());
    assert_eq!(
        items.body["data"].as_array().unwrap().len(),
        2,
        "{}",
        items.text
    );
}

#[tokio::test]
async fn another_visitor_neither_sees_nor_reaches_the_thread() {
    // Arrange
    let app = protocol_app(|_| {}).await;
    let created = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.create", "params": {"input": user_input("mine")}}),
    )
    .await;
    let thread_id = events(&created)[0]["thread"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stranger = cookie_client();

    // Act
    let listed = call(
        &app,
        &stranger,
        "/chatkit",
        &json!({"type": "threads.list", "params": {}}),
    )
    .await;
    let fetched = call(
        &app,
        &stranger,
        "/chatkit",
        &json!({"type": "threads.get_by_id", "params": {"thread_id": thread_id}}),
    )
    .await;
    let posted = call(&app, &stranger, "/chatkit", &json!({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": user_input("hi")}})).await;

    // Assert
    assert_eq!(listed.body["data"], json!([]));
    fetched.assert_error(StatusCode::NOT_FOUND, "thread_not_found");
    posted.assert_error(StatusCode::NOT_FOUND, "thread_not_found");
}

#[tokio::test]
async fn a_thread_belongs_to_the_agent_that_created_it() {
    // Arrange
    let app = protocol_app(|_| {}).await;
    let created = call(
        &app,
        &app.client,
        "/chatkit/bench",
        &json!({"type": "threads.create", "params": {"input": user_input("go")}}),
    )
    .await;
    let thread_id = events(&created)[0]["thread"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Act
    let from_default = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "items.list", "params": {"thread_id": thread_id}}),
    )
    .await;
    let default_list = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.list", "params": {}}),
    )
    .await;
    let bench_list = call(
        &app,
        &app.client,
        "/chatkit/bench",
        &json!({"type": "threads.list", "params": {}}),
    )
    .await;

    // Assert
    let deltas = events(&created)
        .iter()
        .filter(|e| e["update"]["type"] == "assistant_message.content_part.text_delta")
        .count();
    assert_eq!(deltas, 20, "the scripted benchmark reply");
    from_default.assert_error(StatusCode::NOT_FOUND, "thread_not_found");
    assert_eq!(default_list.body["data"], json!([]));
    assert_eq!(bench_list.body["data"][0]["id"], thread_id.as_str());
}

#[tokio::test]
async fn failures_before_a_reply_starts_are_4xx_in_the_envelope() {
    // Arrange
    let app = protocol_app(|c| c.protocol.body_limit_bytes = 2048).await;
    let raw = |body: &'static str| {
        app.client
            .post(app.url("/chatkit"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    // Act
    let bad_json = Reply::read(raw("{not json").await.unwrap()).await;
    let unknown = Reply::read(
        raw(r#"{"type":"threads.explode","params":{}}"#)
            .await
            .unwrap(),
    )
    .await;
    let unknown_agent = call(
        &app,
        &app.client,
        "/chatkit/nobody",
        &json!({"type": "threads.list", "params": {}}),
    )
    .await;
    let too_big = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.create", "params": {"input": user_input(&"x".repeat(4096))}}),
    )
    .await;
    let no_thread = call(&app, &app.client, "/chatkit", &json!({"type": "threads.add_user_message", "params": {"thread_id": "thr_missing", "input": user_input("x")}})).await;
    let no_tool_call = {
        let created = call(
            &app,
            &app.client,
            "/chatkit",
            &json!({"type": "threads.create", "params": {"input": user_input("x")}}),
        )
        .await;
        let thread_id = events(&created)[0]["thread"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        call(&app, &app.client, "/chatkit", &json!({"type": "threads.add_client_tool_output", "params": {"thread_id": thread_id, "result": {"ok": true}}})).await
    };

    // Assert
    bad_json.assert_error(StatusCode::BAD_REQUEST, "invalid_json");
    unknown.assert_error(StatusCode::BAD_REQUEST, "unknown_request_type");
    unknown_agent.assert_error(StatusCode::NOT_FOUND, "agent_not_found");
    too_big.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    no_thread.assert_error(StatusCode::NOT_FOUND, "thread_not_found");
    no_tool_call.assert_error(StatusCode::CONFLICT, "no_pending_tool_call");
}

#[tokio::test]
async fn a_malformed_state_header_is_refused() {
    // Arrange
    let app = protocol_app(|_| {}).await;

    // Act
    let reply = Reply::read(
        app.client
            .post(app.url("/chatkit"))
            .header("chatkit-state", r#"{"nested": {"no": 1}}"#)
            .json(&json!({"type": "threads.list", "params": {}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let fine = Reply::read(
        app.client
            .post(app.url("/chatkit"))
            .header("chatkit-state", r#"{"plan": "pro", "seats": 3}"#)
            .json(&json!({"type": "threads.list", "params": {}}))
            .send()
            .await
            .unwrap(),
    )
    .await;

    // Assert
    reply.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(fine.status, StatusCode::OK);
}

#[tokio::test]
async fn a_visitor_may_stream_only_so_many_replies_at_once() {
    // Arrange: one stream at a time; a held reply keeps the first one open.
    let app = protocol_app(|c| c.protocol.max_streams_per_identity = 1).await;
    // The scripted agent holds a `[[hold]]` reply open; the limit is per visitor, across agents.
    let held = app
        .client
        .post(app.url("/chatkit/bench"))
        .json(&json!({"type": "threads.create", "params": {"input": user_input("[[hold]]")}}))
        .send()
        .await
        .expect("the held stream starts");
    assert_eq!(held.status(), StatusCode::OK);

    // Act
    let second = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.create", "params": {"input": user_input("again")}}),
    )
    .await;
    let listing = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.list", "params": {}}),
    )
    .await;
    drop(held);
    let mut after = None;
    for _ in 0..50 {
        let reply = call(
            &app,
            &app.client,
            "/chatkit",
            &json!({"type": "threads.create", "params": {"input": user_input("later")}}),
        )
        .await;
        if reply.status == StatusCode::OK {
            after = Some(reply);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Assert
    second.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_streams");
    assert_eq!(
        listing.status,
        StatusCode::OK,
        "non-streaming calls are not limited"
    );
    assert!(
        after.is_some(),
        "the slot is released when the client goes away"
    );
}

#[tokio::test]
async fn a_visitor_may_start_only_so_many_replies_a_minute() {
    // Arrange
    let app = protocol_app(|c| c.protocol.messages_per_minute_per_identity = 2).await;
    let create = json!({"type": "threads.create", "params": {"input": user_input("hi")}});

    // Act
    let first = call(&app, &app.client, "/chatkit", &create).await;
    let second = call(&app, &app.client, "/chatkit", &create).await;
    let third = call(&app, &app.client, "/chatkit", &create).await;

    // Assert
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(second.status, StatusCode::OK);
    third.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert!(third.header("retry-after").is_some());
}
