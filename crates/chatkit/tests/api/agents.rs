//! The agent runtime over HTTP: agents declared in a TOML file, served at `/chatkit/<id>`,
//! replying through the simulator's Responses and Chat Completions endpoints. Every frame is
//! recorded for the conformance checker, as in `protocol.rs`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use chatkit_sim::RecordedRequest;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::helpers::{TestApp, cookie_client, spawn_app};
use crate::protocol::{call, events, user_input};

/// What a local tool or action server received.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Value,
}

/// A local server standing in for an integrator's tool and action endpoints.
struct ToolServer {
    base: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl ToolServer {
    async fn start() -> Self {
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        async fn record(
            State(received): State<Arc<Mutex<Vec<Received>>>>,
            path: &str,
            headers: HeaderMap,
            body: Value,
        ) {
            received.lock().unwrap().push(Received {
                path: path.to_owned(),
                headers,
                body,
            });
        }
        let app = axum::Router::new()
            .route(
                "/orders/lookup",
                post(|s: State<_>, h: HeaderMap, Json(body): Json<Value>| async move {
                    let id = body["order_id"].as_str().unwrap_or_default().to_owned();
                    record(s, "/orders/lookup", h, body).await;
                    Json(json!({
                        "output": {"order_id": id, "status": "shipped"},
                        "widget": {"type": "Card", "children": [{"type": "Text", "value": format!("Order {id}: shipped")}]}
                    }))
                }),
            )
            .route(
                "/broken",
                post(|s: State<_>, h: HeaderMap, Json(body): Json<Value>| async move {
                    record(s, "/broken", h, body).await;
                    (StatusCode::INTERNAL_SERVER_ERROR, "boom")
                }),
            )
            .route(
                "/slow",
                post(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    Json(json!({"output": "late"}))
                }),
            )
            .route(
                "/refund",
                post(|s: State<_>, h: HeaderMap, Json(body): Json<Value>| async move {
                    record(s, "/refund", h, body).await;
                    Json(json!({
                        "widget": {"type": "Card", "children": [{"type": "Text", "value": "Refund approved"}]},
                        "message": "The refund is on its way."
                    }))
                }),
            )
            .with_state(received.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { base, received }
    }

    fn received(&self, path: &str) -> Vec<Received> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

/// The agent file every test here uses; `{tools}` is the tool server's base URL.
fn agents_toml(tools: &str) -> String {
    format!(
        r#"
[providers.compat]
kind = "chat_completions"
base_url = "{{SIM}}/v1"
headers = {{ Authorization = "Bearer sk-compat" }}

[[agent]]
id = "helper"
name = "Helper"
default = true
instructions = "You help {{{{state.customer}}}} on the {{{{state.plan}}}} plan."
model = "sim-model"
composer_models = ["sim-model-large"]
reasoning_summary = "auto"
transcription_model = "gpt-4o-mini-transcribe"

[agent.state.customer]
type = "string"
default = "there"

[agent.state.plan]
type = "string"
default = "free"
claim = "plan"

[[agent.tools]]
type = "client"
name = "get_page_info"
description = "The page's title and URL."

[[agent.tools]]
type = "http"
name = "lookup_order"
description = "Finds an order."
url = "{tools}/orders/lookup"
headers = {{ Authorization = "Bearer tool-secret" }}
label = "Looking up the order"
parameters = {{ type = "object", properties = {{ order_id = {{ type = "string" }} }}, required = ["order_id"] }}

[[agent.tools]]
type = "http"
name = "broken_tool"
url = "{tools}/broken"

[[agent.tools]]
type = "http"
name = "slow_tool"
url = "{tools}/slow"
timeout_ms = 200
display = "progress"

[[agent.tools]]
type = "showcase"
name = "show"

[agent.actions."refund.approve"]
url = "{tools}/refund"

[providers.unreachable]
kind = "responses"
base_url = "http://127.0.0.1:9/v1"
max_retries = 0

[[agent]]
id = "deaf"
name = "Unreachable"
provider = "unreachable"
model = "m"
transcription_model = "whisper-1"

[[agent]]
id = "compat"
name = "On Chat Completions"
provider = "compat"
model = "llama-sim"
instructions = "Be brief."

[[agent.tools]]
type = "client"
name = "get_page_info"
"#
    )
}

/// A server whose agents come from [`agents_toml`], plus the tool server.
async fn agent_app() -> (TestApp, ToolServer) {
    let tools = ToolServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agents.toml");
    let text = agents_toml(&tools.base);
    let app = spawn_app(move |c| {
        let base = c.openai.api_base.clone().unwrap();
        std::fs::write(&path, text.replace("{SIM}", &base)).unwrap();
        c.agents.paths = vec![path.display().to_string()];
        // Keep the directory alive for the server's lifetime.
        std::mem::forget(dir);
    })
    .await;
    (app, tools)
}

fn model_calls(app: &TestApp) -> Vec<RecordedRequest> {
    app.sim
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/responses" || r.path == "/v1/chat/completions")
        .collect()
}

/// The model calls that are replies, not titles.
fn reply_calls(app: &TestApp) -> Vec<RecordedRequest> {
    model_calls(app)
        .into_iter()
        .filter(|r| {
            !r.body["instructions"]
                .as_str()
                .unwrap_or_default()
                .contains("conversation title")
        })
        .collect()
}

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e["type"].as_str().unwrap() {
            "thread.item.updated" => format!("update:{}", e["update"]["type"].as_str().unwrap()),
            "thread.item.added" | "thread.item.done" => {
                format!(
                    "{}:{}",
                    e["type"].as_str().unwrap(),
                    e["item"]["type"].as_str().unwrap()
                )
            }
            other => other.to_owned(),
        })
        .collect()
}

fn assistant_texts(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "assistant_message")
        .map(|e| e["item"]["content"][0]["text"].as_str().unwrap().to_owned())
        .collect()
}

/// The last event of a reply that is not the final `thread.updated`.
fn final_event(reply: &crate::helpers::Reply) -> Value {
    events(reply)
        .into_iter()
        .rfind(|e| e["type"] != "thread.updated")
        .unwrap()
}

fn create(text: &str) -> Value {
    json!({"type": "threads.create", "params": {"input": user_input(text)}})
}

fn thread_id(events: &[Value]) -> String {
    events[0]["thread"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_reply_streams_from_the_responses_api_and_the_thread_gets_a_title() {
    // Arrange
    let (app, _tools) = agent_app().await;

    // Act
    let reply = call(
        &app,
        &app.client,
        "/chatkit",
        &create("Where is my parcel today?"),
    )
    .await;

    // Assert
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let events = events(&reply);
    let kinds = types(&events);
    // The title is written alongside the reply, so its `thread.updated` may come at any point.
    let reply_kinds: Vec<&String> = kinds.iter().filter(|k| *k != "thread.updated").collect();
    assert_eq!(
        &reply_kinds[..6],
        [
            "thread.created",
            "thread.item.done:user_message",
            "stream_options",
            "thread.item.added:assistant_message",
            "update:assistant_message.content_part.added",
            "update:assistant_message.content_part.text_delta",
        ],
        "{kinds:?}"
    );
    let deltas = kinds
        .iter()
        .filter(|k| *k == "update:assistant_message.content_part.text_delta")
        .count();
    assert!(deltas >= 5, "streamed as deltas, got {deltas}");
    assert!(
        assistant_texts(&events)[0].starts_with("Simulated reply to: Where is my parcel today?")
    );
    let updated = events
        .iter()
        .rfind(|e| e["type"] == "thread.updated")
        .expect("a thread.updated with the title");
    assert_eq!(updated["thread"]["title"], "Where is my parcel today");
    let calls = reply_calls(&app);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].body["model"], "sim-model");
    assert_eq!(
        calls[0].body["instructions"],
        "You help there on the free plan."
    );
    assert_eq!(calls[0].body["stream"], true);
    assert_eq!(
        calls[0].headers["authorization"],
        format!("Bearer {}", crate::helpers::SERVER_KEY),
        "the configured key"
    );
    let titled = model_calls(&app).len() - calls.len();
    assert_eq!(titled, 1, "one title call");
}

#[tokio::test]
async fn the_same_conversation_runs_on_a_chat_completions_server() {
    // Arrange
    let (app, _tools) = agent_app().await;

    // Act
    let reply = call(
        &app,
        &app.client,
        "/chatkit/compat",
        &create("hello compat"),
    )
    .await;

    // Assert
    let events = events(&reply);
    assert!(
        assistant_texts(&events)[0].starts_with("Simulated reply to: hello compat"),
        "{}",
        reply.text
    );
    let calls = reply_calls(&app);
    assert_eq!(calls[0].path, "/v1/chat/completions");
    assert_eq!(calls[0].body["messages"][0]["role"], "system");
    assert_eq!(calls[0].headers["authorization"], "Bearer sk-compat");
}

#[tokio::test]
async fn the_second_model_call_carries_the_first_turns_history() {
    // Arrange
    let (app, _tools) = agent_app().await;
    let first = call(&app, &app.client, "/chatkit", &create("first question")).await;
    let thread = thread_id(&events(&first));

    // Act
    let second = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.add_user_message", "params": {"thread_id": thread, "input": user_input("second question")}}),
    )
    .await;

    // Assert
    assert!(assistant_texts(&events(&second))[0].contains("second question"));
    let calls = reply_calls(&app);
    assert_eq!(calls.len(), 2);
    let input = calls[1].body["input"].to_string();
    let first_at = input.find("first question").expect("the first question");
    let answer_at = input
        .find("Simulated reply to: first question")
        .expect("the first answer");
    let second_at = input.find("second question").expect("the new question");
    assert!(first_at < answer_at && answer_at < second_at, "{input}");
    assert!(
        !events(&second)
            .iter()
            .any(|e| e["type"] == "thread.updated" && e["thread"]["title"] != "first question"),
        "the title is written once, after the first exchange"
    );
}

#[tokio::test]
async fn reasoning_summaries_become_a_reasoning_workflow_and_citations_annotations() {
    // Arrange
    let (app, _tools) = agent_app().await;

    // Act
    let reply = call(
        &app,
        &app.client,
        "/chatkit",
        &create("[[reason]] [[cite]] why"),
    )
    .await;

    // Assert
    let events = events(&reply);
    let kinds = types(&events);
    let added = kinds
        .iter()
        .position(|k| k == "thread.item.added:workflow")
        .expect("a workflow");
    assert_eq!(events[added]["item"]["workflow"]["type"], "reasoning");
    let thoughts: Vec<&Value> = events
        .iter()
        .filter(|e| e["update"]["type"] == "workflow.task.added")
        .collect();
    assert_eq!(thoughts.len(), 2, "two summary parts, two thoughts");
    assert_eq!(thoughts[0]["update"]["task"]["type"], "thought");
    let done = events
        .iter()
        .find(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "workflow")
        .expect("the workflow is closed");
    assert_eq!(
        done["item"]["workflow"]["tasks"][1]["content"],
        "Planning a short answer."
    );
    assert!(done["item"]["workflow"]["summary"]["duration"].is_number());
    let done_at = kinds
        .iter()
        .position(|k| k == "thread.item.done:workflow")
        .unwrap();
    let message_at = kinds
        .iter()
        .position(|k| k == "thread.item.added:assistant_message")
        .unwrap();
    assert!(
        done_at < message_at,
        "the workflow closes before the message"
    );
    assert!(kinds.contains(&"update:assistant_message.content_part.annotation_added".to_owned()));
    let message = events
        .iter()
        .find(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "assistant_message")
        .unwrap();
    assert_eq!(
        message["item"]["content"][0]["annotations"][0]["source"]["url"],
        "https://example.com/source"
    );
}

#[tokio::test]
async fn a_client_tool_call_pauses_the_reply_until_the_page_answers() {
    // Arrange
    let (app, _tools) = agent_app().await;
    let first = call(
        &app,
        &app.client,
        "/chatkit",
        &create("[[tool:get_page_info]] where am I"),
    )
    .await;
    let first_events = events(&first);
    let thread = thread_id(&first_events);

    // Act
    let resumed = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.add_client_tool_output", "params": {"thread_id": thread, "result": {"title": "Orders", "url": "https://shop.example/orders"}}}),
    )
    .await;

    // Assert
    let pending = first_events
        .iter()
        .find(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "client_tool_call")
        .expect("a client tool call");
    assert_eq!(pending["item"]["status"], "pending");
    assert_eq!(pending["item"]["name"], "get_page_info");
    assert_eq!(resumed.status, StatusCode::OK, "{}", resumed.text);
    let text = &assistant_texts(&events(&resumed))[0];
    assert!(
        text.starts_with("The tool get_page_info returned:"),
        "{text}"
    );
    assert!(text.contains("shop.example"), "{text}");
    let calls = reply_calls(&app);
    let input = calls.last().unwrap().body["input"]
        .as_array()
        .unwrap()
        .clone();
    let call_item = input.iter().find(|i| i["type"] == "function_call").unwrap();
    let output = input
        .iter()
        .find(|i| i["type"] == "function_call_output")
        .unwrap();
    assert_eq!(call_item["call_id"], output["call_id"]);
    assert_eq!(call_item["call_id"], pending["item"]["call_id"]);
}

#[tokio::test]
async fn an_http_tool_is_called_shown_as_a_task_and_its_widget_displayed() {
    // Arrange
    let (app, tools) = agent_app().await;

    // Act
    let reply = call(
        &app,
        &app.client,
        "/chatkit",
        &create(r#"[[tool:lookup_order {"order_id":"A-17"}]] my order"#),
    )
    .await;

    // Assert
    let received = tools.received("/orders/lookup");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].body, json!({"order_id": "A-17"}));
    assert_eq!(received[0].headers["authorization"], "Bearer tool-secret");
    assert_eq!(received[0].headers["x-chatkit-tool"], "lookup_order");
    let events = events(&reply);
    let tasks: Vec<&Value> = events
        .iter()
        .filter(|e| {
            e["update"]["type"] == "workflow.task.added"
                || e["update"]["type"] == "workflow.task.updated"
        })
        .collect();
    assert_eq!(tasks[0]["update"]["task"]["status_indicator"], "loading");
    assert_eq!(tasks[0]["update"]["task"]["title"], "Looking up the order");
    assert_eq!(tasks[1]["update"]["task"]["status_indicator"], "complete");
    let widget = events
        .iter()
        .find(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "widget")
        .expect("the tool's widget");
    assert_eq!(
        widget["item"]["widget"]["children"][0]["value"],
        "Order A-17: shipped"
    );
    let text = &assistant_texts(&events)[0];
    assert!(
        text.contains(r#""status":"shipped""#),
        "the model got the output: {text}"
    );
    assert!(
        !reply.text.contains("tool-secret"),
        "header values never reach the client"
    );
}

#[tokio::test]
async fn a_failing_or_slow_tool_is_reported_and_the_reply_goes_on() {
    // Arrange
    let (app, _tools) = agent_app().await;

    // Act
    let broken = call(
        &app,
        &app.client,
        "/chatkit",
        &create("[[tool:broken_tool]] try"),
    )
    .await;
    let slow = call(
        &app,
        &app.client,
        "/chatkit",
        &create("[[tool:slow_tool]] try"),
    )
    .await;

    // Assert
    let broken_events = events(&broken);
    let failed = broken_events
        .iter()
        .find(|e| e["update"]["type"] == "workflow.task.updated")
        .expect("the task is updated");
    assert_eq!(failed["update"]["task"]["title"], "broken_tool failed");
    assert_eq!(failed["update"]["task"]["content"], "it answered HTTP 500");
    assert!(assistant_texts(&broken_events)[0].contains("failed"));
    let slow_events = events(&slow);
    assert!(
        slow_events.iter().any(|e| e["type"] == "progress_update"),
        "a progress tool shows progress"
    );
    let text = &assistant_texts(&slow_events)[0];
    assert!(text.contains("did not answer within"), "{text}");
    assert!(!slow_events.iter().any(|e| e["type"] == "error"));
}

#[tokio::test]
async fn upstream_failures_before_output_are_error_frames() {
    // Arrange
    let (app, _tools) = agent_app().await;

    // Act
    let failed = call(&app, &app.client, "/chatkit", &create("[[error]] now")).await;
    let refused = call(&app, &app.client, "/chatkit", &create("[[error:401]] now")).await;
    let flaky = call(&app, &app.client, "/chatkit", &create("[[flaky]] now")).await;

    // Assert: the error ends the reply (only the title, written alongside, may follow it, as
    // the reference sends a final `thread.updated` after an error).
    let last = final_event(&failed);
    assert_eq!(last["type"], "error");
    assert_eq!(last["allow_retry"], true);
    let last = final_event(&refused);
    assert_eq!(last["type"], "error");
    assert_eq!(
        last["allow_retry"], false,
        "a refused key is not worth retrying"
    );
    assert!(
        !refused.text.contains("sk-"),
        "no key fragment reaches the client"
    );
    assert!(
        assistant_texts(&events(&flaky))[0].starts_with("Simulated reply"),
        "a 500 before the stream is retried"
    );
}

#[tokio::test]
async fn a_stream_that_breaks_keeps_its_partial_text() {
    // Arrange
    let (app, _tools) = agent_app().await;

    // Act
    let reply = call(
        &app,
        &app.client,
        "/chatkit",
        &create("[[midfail]] tell me a story"),
    )
    .await;
    let events = events(&reply);
    let thread = thread_id(&events);
    let items = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "items.list", "params": {"thread_id": thread}}),
    )
    .await;

    // Assert
    let partial = assistant_texts(&events);
    assert_eq!(partial.len(), 1);
    assert!(!partial[0].is_empty());
    assert!(
        !partial[0].contains("tell me a story"),
        "only part of the reply: {}",
        partial[0]
    );
    let last = final_event(&reply);
    assert_eq!(last["type"], "error");
    assert_eq!(last["allow_retry"], true);
    let stored: Vec<&Value> = items.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "assistant_message")
        .collect();
    assert_eq!(stored[0]["content"][0]["text"], partial[0].as_str());
}

#[tokio::test]
async fn a_widget_action_goes_to_its_handler_which_replaces_the_widget_and_speaks() {
    // Arrange
    let (app, tools) = agent_app().await;
    let shown = call(&app, &app.client, "/chatkit", &create("[[show:widget]]")).await;
    let shown_events = events(&shown);
    let thread = thread_id(&shown_events);
    let widget_id = shown_events
        .iter()
        .find(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "widget")
        .unwrap()["item"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Act
    let acted = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.custom_action", "params": {"thread_id": thread, "item_id": widget_id, "action": {"type": "refund.approve", "payload": {"order": "A-17"}}}}),
    )
    .await;
    let pressed = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.custom_action", "params": {"thread_id": thread, "item_id": widget_id, "action": {"type": "showcase.press", "payload": {"count": 0}}}}),
    )
    .await;

    // Assert
    let received = tools.received("/refund");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].body["action"]["payload"]["order"], "A-17");
    assert_eq!(received[0].body["item_id"], widget_id.as_str());
    let acted_events = events(&acted);
    let replaced = acted_events
        .iter()
        .find(|e| e["type"] == "thread.item.replaced")
        .expect("the widget is replaced");
    assert_eq!(replaced["item"]["id"], widget_id.as_str());
    assert_eq!(
        replaced["item"]["widget"]["children"][0]["value"],
        "Refund approved"
    );
    assert_eq!(
        assistant_texts(&acted_events),
        ["The refund is on its way."]
    );
    let pressed_events = events(&pressed);
    assert!(
        assistant_texts(&pressed_events)[0].contains("pressed the button once"),
        "the showcase handles its own actions"
    );
}

#[tokio::test]
async fn the_showcase_shows_every_kind_on_request() {
    // Arrange
    let (app, _tools) = agent_app().await;
    let expectations = [
        ("widget", "thread.item.done:widget"),
        ("form", "thread.item.done:widget"),
        ("notice", "notice"),
        ("progress", "progress_update"),
        ("workflow", "thread.item.done:workflow"),
        ("client_tool", "thread.item.done:client_tool_call"),
        ("error", "error"),
        ("structured_input", "thread.item.done:structured_input"),
        ("image", "thread.item.done:generated_image"),
    ];
    for (kind, expected) in expectations {
        // Act
        let reply = call(
            &app,
            &app.client,
            "/chatkit",
            &create(&format!("[[show:{kind}]]")),
        )
        .await;

        // Assert
        let kinds = types(&events(&reply));
        assert!(kinds.contains(&expected.to_owned()), "{kind}: {kinds:?}");
    }
}

#[tokio::test]
async fn state_variables_composer_model_and_forced_tools_reach_the_model() {
    // Arrange
    let (app, _tools) = agent_app().await;
    let mut input = user_input("hi");
    input["inference_options"] =
        json!({"model": "sim-model-large", "tool_choice": {"id": "get_page_info"}});
    let mut refused_model = user_input("hi again");
    refused_model["inference_options"] = json!({"model": "some-other-model"});

    // Act
    let reply = app
        .client
        .post(app.url("/chatkit"))
        .header("chatkit-state", r#"{"customer":"Ada","plan":"enterprise"}"#)
        .json(&json!({"type": "threads.create", "params": {"input": input}}))
        .send()
        .await
        .unwrap();
    let _ = reply.text().await.unwrap();
    let other = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.create", "params": {"input": refused_model}}),
    )
    .await;

    // Assert
    assert_eq!(other.status, StatusCode::OK);
    let calls = reply_calls(&app);
    assert_eq!(
        calls[0].body["instructions"], "You help Ada on the enterprise plan.",
        "the page's state; `plan` takes a request value because only its claim is verified"
    );
    assert_eq!(calls[0].body["model"], "sim-model-large");
    assert_eq!(
        calls[0].body["tool_choice"],
        json!({"type": "function", "name": "get_page_info"})
    );
    assert_eq!(
        calls.last().unwrap().body["model"],
        "sim-model",
        "an unlisted model is ignored"
    );
}

#[tokio::test]
async fn dictation_uses_the_providers_transcription_endpoint() {
    // Arrange
    let (app, _tools) = agent_app().await;

    // Act
    let with_model = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "input.transcribe", "params": {"audio_base64": "AAAA", "mime_type": "audio/webm;codecs=opus"}}),
    )
    .await;
    let without = call(
        &app,
        &app.client,
        "/chatkit/compat",
        &json!({"type": "input.transcribe", "params": {"audio_base64": "AAAA", "mime_type": "audio/webm"}}),
    )
    .await;

    // Assert
    assert_eq!(with_model.status, StatusCode::OK, "{}", with_model.text);
    assert_eq!(
        with_model.body["text"],
        "This is a simulated transcription."
    );
    let upload = app
        .sim
        .sim
        .requests()
        .into_iter()
        .find(|r| r.path == "/v1/audio/transcriptions")
        .unwrap();
    assert!(upload.headers["content-type"].starts_with("multipart/form-data"));
    without.assert_error(StatusCode::BAD_REQUEST, "transcription_unavailable");
    let failed = call(
        &app,
        &app.client,
        "/chatkit/deaf",
        &json!({"type": "input.transcribe", "params": {"audio_base64": "AAAA", "mime_type": "audio/webm"}}),
    )
    .await;
    failed.assert_error(StatusCode::BAD_GATEWAY, "transcription_failed");
    assert_eq!(
        failed.error_message(),
        "The model service failed to answer. Try again."
    );
}

#[tokio::test]
async fn the_agents_are_listed_for_the_ui() {
    // Arrange
    let (app, _tools) = agent_app().await;

    // Act
    let listed = app.get("/api/agents").await;

    // Assert
    assert_eq!(listed.status, StatusCode::OK);
    let agents = listed.body["data"].as_array().unwrap();
    assert_eq!(agents.len(), 3);
    assert_eq!(agents[0]["id"], "helper");
    assert_eq!(agents[0]["default"], true);
    assert_eq!(agents[0]["url"], "/chatkit/helper");
    assert_eq!(agents[0]["models"], json!(["sim-model", "sim-model-large"]));
    assert_eq!(
        agents[0]["tools"][0],
        json!({"id": "get_page_info", "kind": "client", "description": "The page's title and URL."})
    );
    assert!(!listed.text.contains("tool-secret"), "no endpoint secrets");
    assert!(!listed.text.contains("/orders/lookup"), "no endpoint URLs");
    let _ = cookie_client();
}

#[tokio::test]
async fn an_unhandled_action_reaches_the_model_as_hidden_context_for_a_reply() {
    // Arrange
    let (app, _tools) = agent_app().await;
    let shown = call(&app, &app.client, "/chatkit", &create("[[show:widget]]")).await;
    let thread = thread_id(&events(&shown));

    // Act
    let acted = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.custom_action", "params": {"thread_id": thread, "action": {"type": "survey.rate", "payload": {"stars": 5}}}}),
    )
    .await;
    let items = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "items.list", "params": {"thread_id": thread}}),
    )
    .await;

    // Assert
    let acted_events = events(&acted);
    assert!(
        !acted.text.contains("hidden_context_item"),
        "hidden items are never sent"
    );
    assert_eq!(assistant_texts(&acted_events).len(), 1, "the model replied");
    let last = reply_calls(&app).pop().unwrap();
    let input = last.body["input"].to_string();
    assert!(
        input.contains("survey.rate") && input.contains(r#"\"stars\":5"#),
        "the action reached the model: {input}"
    );
    assert!(
        !items.text.contains("hidden_context_item"),
        "and is not listed"
    );
}

#[tokio::test]
async fn a_sync_action_returns_the_handlers_widget_and_keeps_it() {
    // Arrange
    let (app, _tools) = agent_app().await;
    let shown = call(&app, &app.client, "/chatkit", &create("[[show:widget]]")).await;
    let shown_events = events(&shown);
    let thread = thread_id(&shown_events);
    let widget_id = shown_events
        .iter()
        .find(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "widget")
        .unwrap()["item"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Act
    let synced = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.sync_custom_action", "params": {"thread_id": thread, "item_id": widget_id, "action": {"type": "refund.approve"}}}),
    )
    .await;
    let items = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "items.list", "params": {"thread_id": thread}}),
    )
    .await;

    // Assert
    assert_eq!(synced.status, StatusCode::OK, "{}", synced.text);
    assert_eq!(synced.body["updated_item"]["id"], widget_id.as_str());
    assert_eq!(
        synced.body["updated_item"]["widget"]["children"][0]["value"],
        "Refund approved"
    );
    let stored = items.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == widget_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(stored["widget"]["children"][0]["value"], "Refund approved");
}

#[tokio::test]
async fn an_attached_image_reaches_the_model_as_image_input() {
    // Arrange
    let (app, _tools) = agent_app().await;
    let boundary = "agent-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dot.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(b"\x89PNG\r\n\x1a\nfake");
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let uploaded = app
        .client
        .post(app.url("/chatkit/helper/upload"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::OK);
    let attachment: Value = uploaded.json().await.unwrap();
    let mut input = user_input("what is this?");
    input["attachments"] = json!([attachment["id"]]);

    // Act
    let reply = call(
        &app,
        &app.client,
        "/chatkit/helper",
        &json!({"type": "threads.create", "params": {"input": input}}),
    )
    .await;

    // Assert
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let call = reply_calls(&app).pop().unwrap();
    let parts = &call.body["input"][0]["content"];
    assert_eq!(
        parts[0],
        json!({"type": "input_text", "text": "what is this?"})
    );
    assert_eq!(parts[1]["type"], "input_image");
    assert_eq!(
        parts[1]["image_url"],
        "data:image/png;base64,iVBORw0KGgpmYWtl"
    );
}

#[tokio::test]
async fn a_client_tool_round_trip_works_on_a_chat_completions_server_too() {
    // Arrange
    let (app, _tools) = agent_app().await;
    let first = call(
        &app,
        &app.client,
        "/chatkit/compat",
        &create("[[tool:get_page_info]] where am I"),
    )
    .await;
    let thread = thread_id(&events(&first));

    // Act
    let resumed = call(
        &app,
        &app.client,
        "/chatkit/compat",
        &json!({"type": "threads.add_client_tool_output", "params": {"thread_id": thread, "result": {"title": "Cart"}}}),
    )
    .await;

    // Assert
    assert!(
        events(&first)
            .iter()
            .any(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "client_tool_call")
    );
    let text = &assistant_texts(&events(&resumed))[0];
    assert!(
        text.starts_with("The tool get_page_info returned:"),
        "{text}"
    );
    let last = reply_calls(&app).pop().unwrap();
    assert_eq!(last.path, "/v1/chat/completions");
    let messages = last.body["messages"].as_array().unwrap();
    let assistant = messages
        .iter()
        .find(|m| m["role"] == "assistant" && m.get("tool_calls").is_some())
        .expect("the call in the history");
    let tool = messages.iter().find(|m| m["role"] == "tool").unwrap();
    assert_eq!(assistant["tool_calls"][0]["id"], tool["tool_call_id"]);
    assert_eq!(tool["content"], r#"{"title":"Cart"}"#);
}
