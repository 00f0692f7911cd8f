//! The model providers over real HTTP on loopback, against a scripted local server: the stream
//! parsers on captured samples (model-apis §2, §3, §3.1), the retry policy (§4), the request
//! bodies (§1, §3), transcription (§5), and what errors and `Debug` may show.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::serve::ListenerExt;
use chatkit_agents::model::{
    Annotation, AudioClip, FunctionTool, InputItem, InputPart, ModelClient, ModelError,
    ModelErrorKind, ModelEvent, ModelRequest, ModelSettings, Role, ToolCall, ToolChoice, Usage,
};
use chatkit_agents::provider::{AuthStyle, ProviderConfig, ProviderKind, connect};
use futures::StreamExt;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const KEY: &str = "sk-test-0123456789abcdef";

// ---------------------------------------------------------------------------------------------
// The scripted server.

/// What the server answers to one request.
#[derive(Clone)]
enum Reply {
    /// A whole reply.
    Full {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// A 200 event stream sent piece by piece (each piece its own write), each after a pause.
    Paced(Vec<Bytes>, Duration),
    /// A 200 event stream that sends these pieces and then falls silent, connection open.
    StallAfter(Vec<String>),
    /// No reply at all (the request is read, then nothing).
    Hang,
}

impl Reply {
    /// A 200 event stream.
    fn sse(body: String) -> Self {
        Reply::Full {
            status: 200,
            headers: vec![("content-type", "text/event-stream".to_owned())],
            body,
        }
    }

    /// An error reply in the OpenAI envelope.
    fn error(status: u16, kind: &str, code: Option<&str>, message: &str) -> Self {
        Reply::Full {
            status,
            headers: vec![("content-type", "application/json".to_owned())],
            body: json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
                .to_string(),
        }
    }

    /// The same reply with an extra header.
    fn with_header(mut self, name: &'static str, value: &str) -> Self {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name, value.to_owned()));
        }
        self
    }
}

/// A request the server saw.
#[derive(Debug, Clone)]
struct Recorded {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Recorded {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }
}

#[derive(Default)]
struct MockState {
    /// Replies in order; the last one repeats.
    script: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<Recorded>>,
    /// TCP connections accepted.
    connections: AtomicUsize,
}

/// A scripted HTTP server on a free loopback port.
struct Mock {
    addr: SocketAddr,
    state: Arc<MockState>,
    task: JoinHandle<()>,
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Mock {
    async fn start(replies: Vec<Reply>) -> Self {
        let state = Arc::new(MockState {
            script: Mutex::new(replies.into()),
            requests: Mutex::default(),
            connections: AtomicUsize::new(0),
        });
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let counter = state.clone();
        let listener = listener.tap_io(move |_| {
            counter.connections.fetch_add(1, Ordering::Relaxed);
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, state, task }
    }

    /// The API base, `/v1` included.
    fn base(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    fn count(&self) -> usize {
        self.state.requests.lock().unwrap().len()
    }
}

async fn handle(State(state): State<Arc<MockState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    state.requests.lock().unwrap().push(Recorded {
        path: parts.uri.path().to_owned(),
        headers: parts.headers,
        body,
    });
    let reply = {
        let mut script = state.script.lock().unwrap();
        if script.len() > 1 {
            script.pop_front()
        } else {
            script.front().cloned()
        }
    };
    let sse = |body: Body| {
        Response::builder()
            .status(200)
            .header("content-type", "text/event-stream")
            .body(body)
            .unwrap()
    };
    match reply.expect("a scripted reply") {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut response = Response::builder().status(status);
            for (name, value) in headers {
                response = response.header(name, value);
            }
            response.body(Body::from(body)).unwrap()
        }
        Reply::Paced(pieces, pause) => sse(Body::from_stream(futures::stream::iter(pieces).then(
            move |piece| async move {
                tokio::time::sleep(pause).await;
                Ok::<_, Infallible>(piece)
            },
        ))),
        Reply::StallAfter(pieces) => sse(Body::from_stream(
            futures::stream::iter(pieces.into_iter().map(Ok::<_, Infallible>))
                .chain(futures::stream::pending()),
        )),
        Reply::Hang => std::future::pending().await,
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn config(kind: ProviderKind, base: String) -> ProviderConfig {
    ProviderConfig {
        kind,
        response_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(5),
        ..ProviderConfig::openai(base, SecretString::from(KEY))
    }
}

fn client(kind: ProviderKind, mock: &Mock) -> Arc<dyn ModelClient> {
    connect(config(kind, mock.base())).unwrap()
}

fn hello() -> ModelRequest {
    ModelRequest {
        model: "gpt-5".to_owned(),
        instructions: None,
        input: vec![InputItem::Message {
            role: Role::User,
            content: vec![InputPart::Text("Hello".to_owned())],
        }],
        tools: Vec::new(),
        tool_choice: ToolChoice::Auto,
        settings: ModelSettings::default(),
    }
}

/// Runs one call: its events, and the error that ended it, if one did.
async fn run(
    client: &Arc<dyn ModelClient>,
    request: &ModelRequest,
) -> Result<(Vec<ModelEvent>, Option<ModelError>), ModelError> {
    let mut stream = client.stream(request).await?;
    let mut events = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(event) => events.push(event),
            Err(error) => {
                assert!(stream.next().await.is_none(), "nothing follows an error");
                return Ok((events, Some(error)));
            }
        }
    }
    Ok((events, None))
}

/// A Responses event stream: `event:` and `data:` lines, with sequence numbers.
fn responses_sse(events: &[Value]) -> String {
    let mut body = String::new();
    for (n, event) in events.iter().enumerate() {
        let mut event = event.clone();
        event["sequence_number"] = json!(n);
        body.push_str(&format!(
            "event: {}\ndata: {}\n\n",
            event["type"].as_str().unwrap(),
            event
        ));
    }
    body
}

/// A Chat Completions stream: `data:` lines, without `[DONE]`.
fn chat_sse(choices: &[Value]) -> String {
    let mut body = String::new();
    for choice in choices {
        let chunk = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk",
            "created": 1_760_000_000, "model": "gpt-4.1-mini", "choices": [choice], "usage": null});
        body.push_str(&format!("data: {chunk}\n\n"));
    }
    body
}

fn chat_usage_chunk(prompt: u64, completion: u64) -> String {
    let chunk = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk",
        "created": 1_760_000_000, "model": "gpt-4.1-mini", "choices": [],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                  "total_tokens": prompt + completion}});
    format!("data: {chunk}\n\n")
}

fn response_object(status: &str) -> Value {
    json!({"id": "resp_1", "object": "response", "created_at": 1_760_000_000, "status": status,
        "error": null, "incomplete_details": null, "instructions": null, "model": "gpt-5",
        "output": [], "parallel_tool_calls": true, "tool_choice": "auto", "tools": [],
        "usage": null})
}

fn completed(input: u64, output: u64) -> Value {
    let mut response = response_object("completed");
    response["usage"] = json!({"input_tokens": input, "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output, "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input + output});
    json!({"type": "response.completed", "response": response})
}

fn created() -> Vec<Value> {
    vec![
        json!({"type": "response.created", "response": response_object("in_progress")}),
        json!({"type": "response.in_progress", "response": response_object("in_progress")}),
    ]
}

fn text_reply(text: &str) -> Vec<Value> {
    let mut events = created();
    events.extend([
        json!({"type": "response.output_item.added", "output_index": 0, "item": {"id": "msg_1",
            "type": "message", "status": "in_progress", "role": "assistant", "content": []}}),
        json!({"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0,
            "content_index": 0, "delta": text, "logprobs": []}),
        json!({"type": "response.output_item.done", "output_index": 0, "item": {"id": "msg_1",
            "type": "message", "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]}}),
        completed(5, 1),
    ]);
    events
}

fn text_events(text: &str) -> Vec<ModelEvent> {
    vec![
        ModelEvent::MessageStarted,
        ModelEvent::TextDelta(text.to_owned()),
        ModelEvent::MessageDone {
            text: text.to_owned(),
        },
        ModelEvent::Completed {
            usage: Some(Usage {
                input_tokens: 5,
                output_tokens: 1,
            }),
            incomplete: None,
        },
    ]
}

fn call(call_id: &str, name: &str, arguments: &str) -> ModelEvent {
    ModelEvent::ToolCall(ToolCall {
        call_id: call_id.to_owned(),
        name: name.to_owned(),
        arguments: arguments.to_owned(),
    })
}

// ---------------------------------------------------------------------------------------------
// The Responses stream parser.

#[tokio::test]
async fn a_responses_stream_with_reasoning_text_citations_and_a_function_call_is_understood() {
    let mut events = created();
    events.extend([
        json!({"type": "response.output_item.added", "output_index": 0,
            "item": {"id": "rs_1", "type": "reasoning", "summary": []}}),
        json!({"type": "response.reasoning_summary_part.added", "item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "part": {"type": "summary_text", "text": ""}}),
        json!({"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "delta": "**Checking the forecast**\n\n"}),
        json!({"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "delta": "I will look it up."}),
        json!({"type": "response.reasoning_summary_text.done", "item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "text": "**Checking the forecast**\n\nI will look it up."}),
        json!({"type": "response.reasoning_summary_part.done", "item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "part": {"type": "summary_text", "text": "…"}}),
        json!({"type": "response.reasoning_summary_part.added", "item_id": "rs_1", "output_index": 0,
            "summary_index": 1, "part": {"type": "summary_text", "text": ""}}),
        json!({"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0,
            "summary_index": 1, "delta": "Then answer."}),
        json!({"type": "response.output_item.done", "output_index": 0, "item": {"id": "rs_1",
            "type": "reasoning", "summary": [], "encrypted_content": null}}),
        json!({"type": "response.output_item.added", "output_index": 1, "item": {"id": "msg_1",
            "type": "message", "status": "in_progress", "role": "assistant", "content": []}}),
        json!({"type": "response.content_part.added", "item_id": "msg_1", "output_index": 1,
            "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": [], "logprobs": []}}),
        json!({"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 1,
            "content_index": 0, "delta": "It is 18 °C", "logprobs": [], "obfuscation": "k3Q"}),
        json!({"type": "response.output_text.annotation.added", "item_id": "msg_1", "output_index": 1,
            "content_index": 0, "annotation_index": 0, "annotation": {"type": "url_citation",
            "url": "https://example.com/a", "title": "Example", "start_index": 0, "end_index": 11}}),
        json!({"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 1,
            "content_index": 0, "delta": " in Paris.", "logprobs": []}),
        json!({"type": "response.output_text.annotation.added", "item_id": "msg_1", "output_index": 1,
            "content_index": 0, "annotation_index": 1, "annotation": {"type": "file_citation",
            "file_id": "file-1", "filename": "handbook.pdf", "index": 21}}),
        json!({"type": "response.output_text.annotation.added", "item_id": "msg_1", "output_index": 1,
            "content_index": 0, "annotation_index": 2, "annotation": {"type": "container_file_citation",
            "container_id": "cntr_1", "file_id": "cfile_1", "filename": "plot.png",
            "start_index": 10, "end_index": 40}}),
        json!({"type": "response.output_text.annotation.added", "item_id": "msg_1", "output_index": 1,
            "content_index": 0, "annotation_index": 3, "annotation": {"type": "file_path",
            "file_id": "file-1", "index": 0}}),
        json!({"type": "response.output_text.done", "item_id": "msg_1", "output_index": 1,
            "content_index": 0, "text": "It is 18 °C in Paris.", "logprobs": []}),
        json!({"type": "response.content_part.done", "item_id": "msg_1", "output_index": 1,
            "content_index": 0, "part": {"type": "output_text", "text": "It is 18 °C in Paris.",
            "annotations": [], "logprobs": []}}),
        json!({"type": "response.output_item.done", "output_index": 1, "item": {"id": "msg_1",
            "type": "message", "status": "completed", "role": "assistant", "content": [{"type":
            "output_text", "text": "It is 18 °C in Paris.", "annotations": [], "logprobs": []}]}}),
        json!({"type": "response.output_item.added", "output_index": 2, "item": {"id": "fc_1",
            "type": "function_call", "status": "in_progress", "call_id": "call_abc",
            "name": "get_weather", "arguments": ""}}),
        json!({"type": "response.function_call_arguments.delta", "item_id": "fc_1",
            "output_index": 2, "delta": "{\"city\":"}),
        json!({"type": "response.function_call_arguments.delta", "item_id": "fc_1",
            "output_index": 2, "delta": "\"Paris\"}"}),
        json!({"type": "response.function_call_arguments.done", "item_id": "fc_1",
            "output_index": 2, "arguments": "{\"city\":\"Paris\"}"}),
        json!({"type": "response.output_item.done", "output_index": 2, "item": {"id": "fc_1",
            "type": "function_call", "status": "completed", "call_id": "call_abc",
            "name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}),
        json!({"type": "response.some_future_event", "output_index": 2, "delta": 42}),
        completed(42, 12),
    ]);
    // Comments, CRLF line ends and a stray `[DONE]` (after the terminal event) are tolerated.
    let body =
        format!(": keep-alive\n\n{}data: [DONE]\n\n", responses_sse(&events)).replace("\n", "\r\n");
    let mock = Mock::start(vec![Reply::sse(body)]).await;

    let (events, error) = run(&client(ProviderKind::Responses, &mock), &hello())
        .await
        .unwrap();

    assert_eq!(error, None);
    assert_eq!(
        events,
        vec![
            ModelEvent::ReasoningStarted,
            ModelEvent::ReasoningDelta {
                part: 0,
                delta: "**Checking the forecast**\n\n".to_owned()
            },
            ModelEvent::ReasoningDelta {
                part: 0,
                delta: "I will look it up.".to_owned()
            },
            ModelEvent::ReasoningDelta {
                part: 1,
                delta: "Then answer.".to_owned()
            },
            ModelEvent::ReasoningDone,
            ModelEvent::MessageStarted,
            ModelEvent::TextDelta("It is 18 °C".to_owned()),
            ModelEvent::Annotation(Annotation::Url {
                url: "https://example.com/a".to_owned(),
                title: "Example".to_owned(),
                index: Some(11)
            }),
            ModelEvent::TextDelta(" in Paris.".to_owned()),
            ModelEvent::Annotation(Annotation::File {
                filename: "handbook.pdf".to_owned(),
                index: Some(21)
            }),
            ModelEvent::Annotation(Annotation::File {
                filename: "plot.png".to_owned(),
                index: Some(40)
            }),
            ModelEvent::MessageDone {
                text: "It is 18 °C in Paris.".to_owned()
            },
            call("call_abc", "get_weather", "{\"city\":\"Paris\"}"),
            ModelEvent::Completed {
                usage: Some(Usage {
                    input_tokens: 42,
                    output_tokens: 12
                }),
                incomplete: None
            },
        ]
    );
}

#[tokio::test]
async fn a_responses_stream_of_data_lines_only_split_into_small_pieces_is_understood() {
    let body = responses_sse(&text_reply("Héllo, wörld!"))
        .lines()
        .filter(|line| !line.starts_with("event:"))
        .map(|line| format!("{line}\n"))
        .collect::<String>();
    // 7-byte pieces split lines, `data:` fields and multi-byte characters.
    let pieces = body
        .as_bytes()
        .chunks(7)
        .map(Bytes::copy_from_slice)
        .collect::<Vec<_>>();
    assert!(
        pieces
            .iter()
            .any(|piece| std::str::from_utf8(piece).is_err()),
        "some piece splits a character"
    );
    let mock = Mock::start(vec![Reply::Paced(pieces, Duration::from_millis(1))]).await;

    let (events, error) = run(&client(ProviderKind::Responses, &mock), &hello())
        .await
        .unwrap();

    assert_eq!(error, None);
    assert_eq!(events, text_events("Héllo, wörld!"));
}

#[tokio::test]
async fn an_incomplete_response_completes_with_its_reason() {
    let mut events = text_reply("Cut sh");
    let mut response = response_object("incomplete");
    response["incomplete_details"] = json!({"reason": "max_output_tokens"});
    *events.last_mut().unwrap() = json!({"type": "response.incomplete", "response": response});
    let mock = Mock::start(vec![Reply::sse(responses_sse(&events))]).await;

    let (events, error) = run(&client(ProviderKind::Responses, &mock), &hello())
        .await
        .unwrap();

    assert_eq!(error, None);
    assert_eq!(
        events.last(),
        Some(&ModelEvent::Completed {
            usage: None,
            incomplete: Some("max_output_tokens".to_owned())
        })
    );
}

#[tokio::test]
async fn a_failed_response_is_a_server_error_with_its_code() {
    let mut events = created();
    let mut response = response_object("failed");
    response["error"] = json!({"code": "server_error",
        "message": "An error occurred while processing your request."});
    events.push(json!({"type": "response.failed", "response": response}));
    let mock = Mock::start(vec![Reply::sse(responses_sse(&events))]).await;

    let (events, error) = run(&client(ProviderKind::Responses, &mock), &hello())
        .await
        .unwrap();

    assert!(events.is_empty());
    let error = error.unwrap();
    assert_eq!(error.kind, ModelErrorKind::Server);
    assert_eq!(error.code.as_deref(), Some("server_error"));
    assert_eq!(
        error.message,
        "An error occurred while processing your request."
    );
    assert_eq!(mock.count(), 1, "a stream that started is never retried");
}

#[tokio::test]
async fn stream_error_events_are_read_in_the_flat_and_the_nested_form() {
    let flat = json!({"type": "error", "code": "server_is_overloaded",
        "message": "Overloaded.", "param": null});
    let nested = json!({"type": "error", "error": {"type": "insufficient_quota",
        "code": "insufficient_quota", "message": "Quota exceeded.", "param": null}});
    let both = json!({"type": "error", "code": "rate_limit_exceeded", "message": "Slow down.",
        "param": null, "error": {"type": "requests", "code": "rate_limit_exceeded",
        "message": "Slow down.", "param": null}});
    for (event, kind, code, message) in [
        (
            flat,
            ModelErrorKind::Server,
            "server_is_overloaded",
            "Overloaded.",
        ),
        (
            nested,
            ModelErrorKind::RateLimited,
            "insufficient_quota",
            "Quota exceeded.",
        ),
        (
            both,
            ModelErrorKind::RateLimited,
            "rate_limit_exceeded",
            "Slow down.",
        ),
    ] {
        let mut events = text_reply("partial");
        events.truncate(4);
        events.push(event);
        let mock = Mock::start(vec![Reply::sse(responses_sse(&events))]).await;

        let (events, error) = run(&client(ProviderKind::Responses, &mock), &hello())
            .await
            .unwrap();

        assert_eq!(
            events,
            vec![
                ModelEvent::MessageStarted,
                ModelEvent::TextDelta("partial".to_owned())
            ]
        );
        let error = error.unwrap();
        assert_eq!(
            (error.kind, error.code.as_deref(), error.message.as_str()),
            (kind, Some(code), message)
        );
    }
}

#[tokio::test]
async fn a_responses_stream_that_ends_without_a_terminal_event_is_interrupted() {
    let mut events = text_reply("Half an ans");
    events.truncate(4);
    let mock = Mock::start(vec![Reply::sse(responses_sse(&events))]).await;

    let (events, error) = run(&client(ProviderKind::Responses, &mock), &hello())
        .await
        .unwrap();

    assert_eq!(
        events,
        vec![
            ModelEvent::MessageStarted,
            ModelEvent::TextDelta("Half an ans".to_owned())
        ]
    );
    assert_eq!(error.unwrap().kind, ModelErrorKind::Interrupted);
}

#[tokio::test]
async fn generated_images_arrive_partial_then_done() {
    let mut events = created();
    events.extend([
        json!({"type": "response.output_item.added", "output_index": 0, "item": {"id": "ig_1",
            "type": "image_generation_call", "status": "in_progress", "result": null}}),
        json!({"type": "response.image_generation_call.in_progress", "item_id": "ig_1", "output_index": 0}),
        json!({"type": "response.image_generation_call.partial_image", "item_id": "ig_1",
            "output_index": 0, "partial_image_index": 0, "partial_image_b64": "iVBORw0KGgo="}),
        json!({"type": "response.image_generation_call.completed", "item_id": "ig_1", "output_index": 0}),
        json!({"type": "response.output_item.done", "output_index": 0, "item": {"id": "ig_1",
            "type": "image_generation_call", "status": "completed", "result": "iVBORw0KGgoAAAA="}}),
        completed(3, 4),
    ]);
    let mock = Mock::start(vec![Reply::sse(responses_sse(&events))]).await;

    let (events, error) = run(&client(ProviderKind::Responses, &mock), &hello())
        .await
        .unwrap();

    assert_eq!(error, None);
    assert_eq!(
        events[..2],
        [
            ModelEvent::ImagePartial {
                id: "ig_1".to_owned(),
                b64: "iVBORw0KGgo=".to_owned(),
                index: 0
            },
            ModelEvent::ImageDone {
                id: "ig_1".to_owned(),
                b64: "iVBORw0KGgoAAAA=".to_owned()
            },
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// The Chat Completions stream parser.

#[tokio::test]
async fn a_chat_stream_of_text_with_a_usage_chunk_is_understood() {
    let body = chat_sse(&[
        json!({"index": 0, "delta": {"role": "assistant", "content": "", "refusal": null},
            "logprobs": null, "finish_reason": null}),
        json!({"index": 0, "delta": {"content": "Hel"}, "logprobs": null, "finish_reason": null}),
        json!({"index": 0, "delta": {"content": "lo!"}, "logprobs": null, "finish_reason": null}),
        json!({"index": 0, "delta": {}, "logprobs": null, "finish_reason": "stop"}),
    ]) + &chat_usage_chunk(20, 5)
        + "data: [DONE]\n\n";
    let mock = Mock::start(vec![Reply::sse(body)]).await;

    let (events, error) = run(&client(ProviderKind::ChatCompletions, &mock), &hello())
        .await
        .unwrap();

    assert_eq!(error, None);
    assert_eq!(
        events,
        vec![
            ModelEvent::MessageStarted,
            ModelEvent::TextDelta("Hel".to_owned()),
            ModelEvent::TextDelta("lo!".to_owned()),
            ModelEvent::MessageDone {
                text: "Hello!".to_owned()
            },
            ModelEvent::Completed {
                usage: Some(Usage {
                    input_tokens: 20,
                    output_tokens: 5
                }),
                incomplete: None
            },
        ]
    );
}

/// Runs a chat stream of these choices (then `[DONE]`) and returns its events.
async fn chat_events(choices: &[Value]) -> Vec<ModelEvent> {
    let mock = Mock::start(vec![Reply::sse(chat_sse(choices) + "data: [DONE]\n\n")]).await;
    let (events, error) = run(&client(ProviderKind::ChatCompletions, &mock), &hello())
        .await
        .unwrap();
    assert_eq!(error, None);
    events
}

fn done_without_usage() -> ModelEvent {
    ModelEvent::Completed {
        usage: None,
        incomplete: None,
    }
}

#[tokio::test]
async fn parallel_chat_tool_call_fragments_are_joined_per_index() {
    let events = chat_events(&[
        json!({"index": 0, "delta": {"role": "assistant", "content": null, "tool_calls": [{"index": 0,
            "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}],
            "refusal": null}, "logprobs": null, "finish_reason": null}),
        json!({"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{\"city\":"}}]},
            "logprobs": null, "finish_reason": null}),
        json!({"index": 0, "delta": {"tool_calls": [{"index": 1, "id": "call_2", "type": "function",
            "function": {"name": "get_time", "arguments": ""}}]}, "logprobs": null, "finish_reason": null}),
        json!({"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "\"Paris\"}"}},
            {"index": 1, "function": {"arguments": "{}"}}]}, "logprobs": null, "finish_reason": null}),
        json!({"index": 0, "delta": {}, "logprobs": null, "finish_reason": "tool_calls"}),
    ])
    .await;

    assert_eq!(
        events,
        vec![
            call("call_1", "get_weather", "{\"city\":\"Paris\"}"),
            call("call_2", "get_time", "{}"),
            done_without_usage(),
        ]
    );
}

#[tokio::test]
async fn chat_tool_calls_without_ids_get_unique_synthesized_ids() {
    // Ollama with gpt-oss, vLLM: no id at all, or `id:""` on continuation fragments.
    let choices = [
        json!({"index": 0, "delta": {"tool_calls": [{"index": 0, "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"city\":"}}]}, "finish_reason": null}),
        json!({"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "",
            "function": {"arguments": "\"Oslo\"}"}}]}, "finish_reason": null}),
        json!({"index": 0, "delta": {"tool_calls": [{"index": 1,
            "function": {"name": "get_time", "arguments": "{}"}}]}, "finish_reason": null}),
        json!({"index": 0, "delta": {}, "finish_reason": "tool_calls"}),
    ];
    let first = chat_events(&choices).await;
    let second = chat_events(&choices).await;

    let ids = |events: &[ModelEvent]| -> Vec<String> {
        events
            .iter()
            .filter_map(|event| match event {
                ModelEvent::ToolCall(call) => Some(call.call_id.clone()),
                _ => None,
            })
            .collect()
    };
    let (a, b) = (ids(&first), ids(&second));
    assert_eq!(a.len(), 2);
    assert!(a.iter().chain(&b).all(|id| id.starts_with("call_")));
    assert_ne!(a[0], a[1]);
    assert!(a.iter().all(|id| !b.contains(id)), "unique across replies");
    let ModelEvent::ToolCall(weather) = &first[0] else {
        panic!("a tool call first: {first:?}");
    };
    assert_eq!(
        (weather.name.as_str(), weather.arguments.as_str()),
        ("get_weather", "{\"city\":\"Oslo\"}")
    );
}

#[tokio::test]
async fn repeated_chat_tool_call_ids_and_names_are_taken_once() {
    // DeepSeek, Qwen: the full id (and name) in every fragment.
    let events = chat_events(&[
        json!({"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_x", "type": "function",
            "function": {"name": "get_weather", "arguments": ""}}]}, "finish_reason": null}),
        json!({"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_x", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"city\":"}}]}, "finish_reason": null}),
        json!({"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_x", "type": "function",
            "function": {"arguments": "\"Rome\"}"}}]}, "finish_reason": null}),
        json!({"index": 0, "delta": {}, "finish_reason": "tool_calls"}),
    ])
    .await;

    assert_eq!(
        events,
        vec![
            call("call_x", "get_weather", "{\"city\":\"Rome\"}"),
            done_without_usage()
        ]
    );
}

#[tokio::test]
async fn chat_tool_call_indexes_may_start_at_one_or_be_missing() {
    // LiteLLM: index from 1. Old Ollama: no index (array position).
    let events = chat_events(&[
        json!({"index": 0, "delta": {"tool_calls": [{"index": 1, "id": "call_a", "type": "function",
            "function": {"name": "a", "arguments": "{\"n\":"}}]}, "finish_reason": null}),
        json!({"index": 0, "delta": {"tool_calls": [{"index": 1, "function": {"arguments": "1}"}}]},
            "finish_reason": null}),
        json!({"index": 0, "delta": {"tool_calls": [{"index": 2, "id": "call_b", "type": "function",
            "function": {"name": "b", "arguments": "{}"}}]}, "finish_reason": null}),
        json!({"index": 0, "delta": {}, "finish_reason": "tool_calls"}),
    ])
    .await;
    assert_eq!(
        events,
        vec![
            call("call_a", "a", "{\"n\":1}"),
            call("call_b", "b", "{}"),
            done_without_usage()
        ]
    );

    let events = chat_events(&[json!({"index": 0, "delta": {"tool_calls": [
            {"id": "call_a", "type": "function", "function": {"name": "a", "arguments": "{}"}},
            {"id": "call_b", "type": "function", "function": {"name": "b", "arguments": "{}"}}]},
            "finish_reason": "tool_calls"})])
    .await;
    assert_eq!(
        events,
        vec![
            call("call_a", "a", "{}"),
            call("call_b", "b", "{}"),
            done_without_usage()
        ]
    );
}

#[tokio::test]
async fn a_chat_tool_call_in_one_fragment_with_finish_reason_stop_is_still_a_tool_call() {
    // Ollama: name and whole arguments in one fragment, and `stop` despite the call; the
    // fragment lacks `type` (vLLM with a named tool choice).
    let events = chat_events(&[
        json!({"index": 0, "delta": {"role": "assistant", "content": "", "tool_calls": [{"index": 0,
            "id": "call_9", "function": {"name": "get_weather", "arguments": "{\"city\":\"Lima\"}"}}]},
            "finish_reason": null}),
        json!({"index": 0, "delta": {}, "finish_reason": "stop"}),
    ])
    .await;

    assert_eq!(
        events,
        vec![
            call("call_9", "get_weather", "{\"city\":\"Lima\"}"),
            done_without_usage()
        ]
    );
}

#[tokio::test]
async fn chat_reasoning_content_and_reasoning_become_one_reasoning_item() {
    let expected = vec![
        ModelEvent::ReasoningStarted,
        ModelEvent::ReasoningDelta {
            part: 0,
            delta: "Let me ".to_owned(),
        },
        ModelEvent::ReasoningDelta {
            part: 0,
            delta: "think.".to_owned(),
        },
        ModelEvent::ReasoningDone,
        ModelEvent::MessageStarted,
        ModelEvent::TextDelta("42".to_owned()),
        ModelEvent::MessageDone {
            text: "42".to_owned(),
        },
        done_without_usage(),
    ];
    for field in ["reasoning_content", "reasoning"] {
        let events = chat_events(&[
            json!({"index": 0, "delta": {"role": "assistant", "content": null, field: "Let me "},
                "finish_reason": null}),
            json!({"index": 0, "delta": {field: "think."}, "finish_reason": null}),
            json!({"index": 0, "delta": {"content": "42", field: null}, "finish_reason": null}),
            json!({"index": 0, "delta": {}, "finish_reason": "stop"}),
        ])
        .await;
        assert_eq!(events, expected, "{field}");
    }
}

#[tokio::test]
async fn a_chat_error_payload_after_the_200_is_an_error() {
    let body = chat_sse(&[json!({"index": 0, "delta": {"content": "Hi"}, "finish_reason": null})])
        + "data: {\"error\":{\"message\":\"Upstream overloaded\",\"code\":\"server_error\"}}\n\n";
    let mock = Mock::start(vec![Reply::sse(body)]).await;

    let (events, error) = run(&client(ProviderKind::ChatCompletions, &mock), &hello())
        .await
        .unwrap();

    assert_eq!(
        events,
        vec![
            ModelEvent::MessageStarted,
            ModelEvent::TextDelta("Hi".to_owned())
        ]
    );
    let error = error.unwrap();
    assert_eq!(error.kind, ModelErrorKind::Server);
    assert_eq!(error.code.as_deref(), Some("server_error"));
    assert_eq!(error.message, "Upstream overloaded");

    // OpenRouter's form: a numeric code, read as an HTTP status.
    let body = "data: {\"error\":{\"message\":\"Rate limited\",\"code\":429}}\n\n".to_owned();
    let mock = Mock::start(vec![Reply::sse(body)]).await;
    let (_, error) = run(&client(ProviderKind::ChatCompletions, &mock), &hello())
        .await
        .unwrap();
    assert_eq!(error.unwrap().kind, ModelErrorKind::RateLimited);
}

#[tokio::test]
async fn a_chat_stream_without_done_or_without_finish_reason_is_interrupted() {
    let text = json!({"index": 0, "delta": {"content": "Hi"}, "finish_reason": null});
    let stop = json!({"index": 0, "delta": {}, "finish_reason": "stop"});
    for body in [
        chat_sse(&[text.clone(), stop]),
        chat_sse(std::slice::from_ref(&text)),
        chat_sse(std::slice::from_ref(&text)) + "data: [DONE]\n\n",
    ] {
        let mock = Mock::start(vec![Reply::sse(body)]).await;
        let (events, error) = run(&client(ProviderKind::ChatCompletions, &mock), &hello())
            .await
            .unwrap();
        assert_eq!(
            events,
            vec![
                ModelEvent::MessageStarted,
                ModelEvent::TextDelta("Hi".to_owned())
            ]
        );
        assert_eq!(error.unwrap().kind, ModelErrorKind::Interrupted);
    }
}

#[tokio::test]
async fn finish_reason_length_completes_as_incomplete() {
    let events = chat_events(&[
        json!({"index": 0, "delta": {"content": "Cut"}, "finish_reason": null}),
        json!({"index": 0, "delta": {"content": " sh"}, "finish_reason": "length"}),
    ])
    .await;
    assert_eq!(
        events.last(),
        Some(&ModelEvent::Completed {
            usage: None,
            incomplete: Some("max_output_tokens".to_owned())
        })
    );
    assert_eq!(
        events[events.len() - 2],
        ModelEvent::MessageDone {
            text: "Cut sh".to_owned()
        }
    );
}

#[tokio::test]
async fn sequential_calls_reuse_one_connection() {
    let chat =
        chat_sse(&[json!({"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"})])
            + "data: [DONE]\n\n";
    for (kind, body) in [
        (ProviderKind::Responses, responses_sse(&text_reply("ok"))),
        (ProviderKind::ChatCompletions, chat),
    ] {
        // Something (a comment) still follows the terminal event, in another write.
        let pieces = vec![Bytes::from(body), Bytes::from_static(b": bye\n\n")];
        let mock = Mock::start(vec![Reply::Paced(pieces, Duration::from_millis(5))]).await;
        let client = client(kind, &mock);
        for _ in 0..3 {
            let (events, error) = run(&client, &hello()).await.unwrap();
            assert_eq!((events.len(), error), (4, None));
            // The rest of the body is read in the background.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(mock.count(), 3);
        assert_eq!(
            mock.state.connections.load(Ordering::Relaxed),
            1,
            "{kind:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Retries and timeouts (model-apis §4).

#[tokio::test]
async fn a_500_is_retried_and_the_second_attempt_streams() {
    let mock = Mock::start(vec![
        Reply::error(500, "server_error", None, "The server had an error."),
        Reply::sse(responses_sse(&text_reply("ok"))),
    ])
    .await;

    let (events, error) = run(&client(ProviderKind::Responses, &mock), &hello())
        .await
        .unwrap();

    assert_eq!(error, None);
    assert_eq!(events, text_events("ok"));
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("x-stainless-retry-count"), Some("0"));
    assert_eq!(requests[1].header("x-stainless-retry-count"), Some("1"));
    assert_eq!(requests[0].body, requests[1].body);
}

#[tokio::test]
async fn a_429_waits_as_long_as_retry_after_ms_says() {
    let mock = Mock::start(vec![
        Reply::error(
            429,
            "requests",
            Some("rate_limit_exceeded"),
            "Rate limit reached.",
        )
        .with_header("retry-after-ms", "700")
        .with_header("retry-after", "30"),
        Reply::sse(
            chat_sse(&[json!({"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"})])
                + "data: [DONE]\n\n",
        ),
    ])
    .await;
    let started = tokio::time::Instant::now();

    let (events, error) = run(&client(ProviderKind::ChatCompletions, &mock), &hello())
        .await
        .unwrap();

    let waited = started.elapsed();
    assert_eq!(error, None);
    assert_eq!(events.len(), 4);
    assert_eq!(mock.count(), 2);
    assert!(
        waited >= Duration::from_millis(700) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
}

#[tokio::test]
async fn a_400_is_not_retried_and_keeps_the_envelope() {
    let mock = Mock::start(vec![Reply::error(
        400,
        "invalid_request_error",
        Some("unknown_parameter"),
        "Unknown parameter: 'foo'.",
    )])
    .await;

    let error = run(&client(ProviderKind::Responses, &mock), &hello())
        .await
        .unwrap_err();

    assert_eq!(mock.count(), 1);
    assert_eq!(error.kind, ModelErrorKind::BadRequest);
    assert_eq!(error.status, Some(400));
    assert_eq!(error.code.as_deref(), Some("unknown_parameter"));
    assert_eq!(error.message, "Unknown parameter: 'foo'.");
    assert!(!error.allow_retry());
}

#[tokio::test]
async fn insufficient_quota_is_not_retried() {
    let mock = Mock::start(vec![
        Reply::error(
            429,
            "insufficient_quota",
            Some("insufficient_quota"),
            "You exceeded your current quota.",
        )
        .with_header("retry-after-ms", "1"),
    ])
    .await;

    let error = run(&client(ProviderKind::Responses, &mock), &hello())
        .await
        .unwrap_err();

    assert_eq!(mock.count(), 1);
    assert_eq!(error.kind, ModelErrorKind::RateLimited);
    assert_eq!(error.code.as_deref(), Some("insufficient_quota"));
    assert!(!error.allow_retry());
}

#[tokio::test]
async fn x_should_retry_overrides_the_status_and_long_waits_are_not_retried() {
    let mock = Mock::start(vec![
        Reply::error(500, "server_error", None, "No.").with_header("x-should-retry", "false"),
    ])
    .await;
    let error = run(&client(ProviderKind::Responses, &mock), &hello())
        .await
        .unwrap_err();
    assert_eq!((mock.count(), error.kind), (1, ModelErrorKind::Server));

    let mock = Mock::start(vec![
        Reply::error(400, "invalid_request_error", None, "Try again.")
            .with_header("x-should-retry", "true")
            .with_header("retry-after-ms", "1"),
        Reply::sse(responses_sse(&text_reply("ok"))),
    ])
    .await;
    let (events, _) = run(&client(ProviderKind::Responses, &mock), &hello())
        .await
        .unwrap();
    assert_eq!((mock.count(), events), (2, text_events("ok")));

    let mock = Mock::start(vec![
        Reply::error(429, "tokens", Some("rate_limit_exceeded"), "Later.")
            .with_header("retry-after", "120"),
    ])
    .await;
    let error = run(&client(ProviderKind::Responses, &mock), &hello())
        .await
        .unwrap_err();
    assert_eq!(mock.count(), 1);
    assert_eq!(error.kind, ModelErrorKind::RateLimited);
    assert_eq!(error.retry_after, Some(Duration::from_secs(120)));
}

#[tokio::test]
async fn max_retries_bounds_the_attempts() {
    let mock = Mock::start(vec![
        Reply::error(503, "server_error", Some("slow_down"), "Overloaded.")
            .with_header("retry-after-ms", "5"),
    ])
    .await;
    let client = connect(ProviderConfig {
        max_retries: 3,
        ..config(ProviderKind::ChatCompletions, mock.base())
    })
    .unwrap();

    let error = run(&client, &hello()).await.unwrap_err();

    assert_eq!(mock.count(), 4);
    assert_eq!(error.kind, ModelErrorKind::Server);
    assert_eq!(error.status, Some(503));

    let mock = Mock::start(vec![Reply::error(500, "server_error", None, "Down.")]).await;
    let client = connect(ProviderConfig {
        max_retries: 0,
        ..config(ProviderKind::Responses, mock.base())
    })
    .unwrap();
    run(&client, &hello()).await.unwrap_err();
    assert_eq!(mock.count(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_a_connection_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = connect(ProviderConfig {
        max_retries: 1,
        ..config(ProviderKind::Responses, format!("http://{addr}/v1"))
    })
    .unwrap();

    let error = run(&client, &hello()).await.unwrap_err();

    assert_eq!(error.kind, ModelErrorKind::Connection);
    assert!(error.allow_retry());
    assert!(!error.message.contains(KEY));
}

#[tokio::test]
async fn no_reply_headers_within_the_response_timeout_is_a_timeout() {
    let mock = Mock::start(vec![Reply::Hang]).await;
    let client = connect(ProviderConfig {
        response_timeout: Duration::from_millis(200),
        max_retries: 1,
        ..config(ProviderKind::Responses, mock.base())
    })
    .unwrap();

    let error = run(&client, &hello()).await.unwrap_err();

    assert_eq!(error.kind, ModelErrorKind::Timeout);
    assert_eq!(mock.count(), 2, "a timeout before the reply is retried");
}

#[tokio::test]
async fn silence_mid_stream_beyond_the_idle_timeout_is_a_timeout() {
    let mut events = text_reply("So far");
    events.truncate(4);
    let mock = Mock::start(vec![Reply::StallAfter(vec![responses_sse(&events)])]).await;
    let client = connect(ProviderConfig {
        idle_timeout: Duration::from_millis(300),
        ..config(ProviderKind::Responses, mock.base())
    })
    .unwrap();

    let (events, error) = run(&client, &hello()).await.unwrap();

    assert_eq!(
        events,
        vec![
            ModelEvent::MessageStarted,
            ModelEvent::TextDelta("So far".to_owned())
        ]
    );
    assert_eq!(error.unwrap().kind, ModelErrorKind::Timeout);
    assert_eq!(mock.count(), 1);
}

#[tokio::test]
async fn keep_alive_comments_keep_a_slow_stream_within_the_idle_timeout() {
    // 8 pieces 100 ms apart, idle timeout 500 ms: the stream lasts longer than the timeout.
    let mut pieces = vec![Bytes::from_static(b": keep-alive\n\n"); 7];
    pieces.push(Bytes::from(responses_sse(&text_reply("slow"))));
    let mock = Mock::start(vec![Reply::Paced(pieces, Duration::from_millis(100))]).await;
    let client = connect(ProviderConfig {
        idle_timeout: Duration::from_millis(500),
        ..config(ProviderKind::Responses, mock.base())
    })
    .unwrap();

    let (events, error) = run(&client, &hello()).await.unwrap();

    assert_eq!(error, None);
    assert_eq!(events, text_events("slow"));
}

#[tokio::test]
async fn errors_never_show_the_key_even_when_the_server_echoes_it() {
    let mock = Mock::start(vec![Reply::error(
        401,
        "invalid_request_error",
        Some("invalid_api_key"),
        &format!("Incorrect API key provided: {KEY}."),
    )])
    .await;

    let error = run(&client(ProviderKind::Responses, &mock), &hello())
        .await
        .unwrap_err();

    assert_eq!(error.kind, ModelErrorKind::Auth);
    assert_eq!(mock.count(), 1);
    assert!(!error.to_string().contains(KEY), "{error}");
    assert!(error.message.contains("[REDACTED]"));
}

#[tokio::test]
async fn a_json_reply_to_a_streaming_request_is_an_error_not_an_empty_stream() {
    let mock = Mock::start(vec![Reply::Full {
        status: 200,
        headers: vec![("content-type", "application/json".to_owned())],
        body: json!({"id": "chatcmpl-1", "choices": []}).to_string(),
    }])
    .await;

    let error = run(&client(ProviderKind::ChatCompletions, &mock), &hello())
        .await
        .unwrap_err();

    assert_eq!(error.kind, ModelErrorKind::Protocol);
}

// ---------------------------------------------------------------------------------------------
// Request bodies and headers.

fn everything() -> ModelRequest {
    ModelRequest {
        model: "gpt-5".to_owned(),
        instructions: Some("You are a concise assistant.".to_owned()),
        input: vec![
            InputItem::Message {
                role: Role::Developer,
                content: vec![InputPart::Text("Today is Monday.".to_owned())],
            },
            InputItem::Message {
                role: Role::System,
                content: vec![
                    InputPart::Text("Answer in French.".to_owned()),
                    InputPart::Text("Be brief.".to_owned()),
                ],
            },
            InputItem::Message {
                role: Role::User,
                content: vec![
                    InputPart::Text("What is in this picture and this file?".to_owned()),
                    InputPart::Image {
                        url: "data:image/png;base64,iVBOR".to_owned(),
                        detail: "auto".to_owned(),
                    },
                    InputPart::File {
                        filename: "spec.pdf".to_owned(),
                        data_url: "data:application/pdf;base64,JVBER".to_owned(),
                    },
                ],
            },
            InputItem::AssistantText {
                text: "Let me check.".to_owned(),
            },
            InputItem::FunctionCall {
                call_id: "call_1".to_owned(),
                name: "get_weather".to_owned(),
                arguments: "{\"city\":\"Paris\"}".to_owned(),
            },
            InputItem::FunctionCall {
                call_id: "call_2".to_owned(),
                name: "get_time".to_owned(),
                arguments: "{}".to_owned(),
            },
            InputItem::FunctionCallOutput {
                call_id: "call_1".to_owned(),
                output: "{\"temp_c\":18}".to_owned(),
            },
            InputItem::FunctionCallOutput {
                call_id: "call_2".to_owned(),
                output: "12:00".to_owned(),
            },
            InputItem::AssistantText {
                text: "18 °C at noon.".to_owned(),
            },
            InputItem::Message {
                role: Role::User,
                content: vec![InputPart::Text("Thanks!".to_owned())],
            },
        ],
        tools: vec![
            FunctionTool {
                name: "get_weather".to_owned(),
                description: Some("Current weather".to_owned()),
                parameters: json!({"type": "object", "properties": {"city": {"type": "string"}},
                    "required": ["city"], "additionalProperties": false}),
                strict: true,
            },
            FunctionTool {
                name: "get_time".to_owned(),
                description: None,
                parameters: json!({"type": "object", "properties": {}}),
                strict: false,
            },
        ],
        tool_choice: ToolChoice::Function("get_weather".to_owned()),
        settings: ModelSettings {
            temperature: Some(0.5),
            max_output_tokens: Some(500),
            reasoning_effort: Some("low".to_owned()),
            reasoning_summary: Some("auto".to_owned()),
        },
    }
}

/// Sends `request` with `config` to a server answering `reply`; returns what it received.
async fn sent(config: impl FnOnce(String) -> ProviderConfig, request: &ModelRequest) -> Recorded {
    let mock = Mock::start(vec![Reply::error(
        400,
        "invalid_request_error",
        None,
        "Stop.",
    )])
    .await;
    let client = connect(config(mock.base())).unwrap();
    let _ = client.stream(request).await;
    mock.requests().remove(0)
}

#[tokio::test]
async fn the_responses_body_carries_every_input_kind() {
    let request = sent(
        |base| {
            let mut config = config(ProviderKind::Responses, base);
            config.headers = vec![
                ("OpenAI-Organization".to_owned(), "org-1".to_owned()),
                ("OpenAI-Project".to_owned(), "proj_1".to_owned()),
            ];
            config
        },
        &everything(),
    )
    .await;

    assert_eq!(request.path, "/v1/responses");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(request.header("api-key"), None);
    assert_eq!(request.header("openai-organization"), Some("org-1"));
    assert_eq!(request.header("openai-project"), Some("proj_1"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({
            "model": "gpt-5", "stream": true, "store": false,
            "instructions": "You are a concise assistant.",
            "input": [
                {"type": "message", "role": "developer",
                 "content": [{"type": "input_text", "text": "Today is Monday."}]},
                {"type": "message", "role": "system",
                 "content": [{"type": "input_text", "text": "Answer in French."},
                             {"type": "input_text", "text": "Be brief."}]},
                {"type": "message", "role": "user", "content": [
                    {"type": "input_text", "text": "What is in this picture and this file?"},
                    {"type": "input_image", "image_url": "data:image/png;base64,iVBOR", "detail": "auto"},
                    {"type": "input_file", "filename": "spec.pdf",
                     "file_data": "data:application/pdf;base64,JVBER"}]},
                {"type": "message", "role": "assistant",
                 "content": [{"type": "output_text", "text": "Let me check.", "annotations": []}]},
                {"type": "function_call", "call_id": "call_1", "name": "get_weather",
                 "arguments": "{\"city\":\"Paris\"}"},
                {"type": "function_call", "call_id": "call_2", "name": "get_time", "arguments": "{}"},
                {"type": "function_call_output", "call_id": "call_1", "output": "{\"temp_c\":18}"},
                {"type": "function_call_output", "call_id": "call_2", "output": "12:00"},
                {"type": "message", "role": "assistant",
                 "content": [{"type": "output_text", "text": "18 °C at noon.", "annotations": []}]},
                {"type": "message", "role": "user",
                 "content": [{"type": "input_text", "text": "Thanks!"}]}
            ],
            "tools": [
                {"type": "function", "name": "get_weather", "description": "Current weather",
                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                "required": ["city"], "additionalProperties": false},
                 "strict": true},
                {"type": "function", "name": "get_time",
                 "parameters": {"type": "object", "properties": {}}, "strict": false}
            ],
            "tool_choice": {"type": "function", "name": "get_weather"},
            "reasoning": {"effort": "low", "summary": "auto"},
            "max_output_tokens": 500,
            "temperature": 0.5
        })
    );
}

#[tokio::test]
async fn the_chat_body_carries_every_input_kind() {
    let request = sent(
        |base| config(ProviderKind::ChatCompletions, base),
        &everything(),
    )
    .await;

    assert_eq!(request.path, "/v1/chat/completions");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(
        request.json(),
        json!({
            "model": "gpt-5", "stream": true, "stream_options": {"include_usage": true},
            "messages": [
                {"role": "system", "content": "You are a concise assistant."},
                {"role": "system", "content": "Today is Monday."},
                {"role": "system", "content": "Answer in French.\n\nBe brief."},
                {"role": "user", "content": [
                    {"type": "text", "text": "What is in this picture and this file?"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBOR", "detail": "auto"}},
                    {"type": "file", "file": {"filename": "spec.pdf",
                                              "file_data": "data:application/pdf;base64,JVBER"}}]},
                {"role": "assistant", "content": "Let me check.", "tool_calls": [
                    {"id": "call_1", "type": "function",
                     "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
                    {"id": "call_2", "type": "function",
                     "function": {"name": "get_time", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp_c\":18}"},
                {"role": "tool", "tool_call_id": "call_2", "content": "12:00"},
                {"role": "assistant", "content": "18 °C at noon."},
                {"role": "user", "content": "Thanks!"}
            ],
            "tools": [
                {"type": "function", "function": {"name": "get_weather", "description": "Current weather",
                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                "required": ["city"], "additionalProperties": false},
                 "strict": true}},
                {"type": "function", "function": {"name": "get_time",
                 "parameters": {"type": "object", "properties": {}}, "strict": false}}
            ],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "max_completion_tokens": 500,
            "temperature": 0.5,
            "reasoning_effort": "low"
        })
    );
}

#[tokio::test]
async fn calls_without_preceding_text_form_an_assistant_message_with_null_content() {
    let mut request = hello();
    request.input.extend([
        InputItem::FunctionCall {
            call_id: "call_1".to_owned(),
            name: "a".to_owned(),
            arguments: "{}".to_owned(),
        },
        InputItem::FunctionCallOutput {
            call_id: "call_1".to_owned(),
            output: "1".to_owned(),
        },
    ]);
    let request = sent(
        |base| ProviderConfig {
            include_usage: false,
            ..config(ProviderKind::ChatCompletions, base)
        },
        &request,
    )
    .await;

    assert_eq!(
        request.json(),
        json!({
            "model": "gpt-5", "stream": true,
            "messages": [
                {"role": "user", "content": "Hello"},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "a", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "1"}
            ]
        })
    );
}

#[tokio::test]
async fn a_minimal_request_sends_no_optional_keys() {
    let request = sent(|base| config(ProviderKind::Responses, base), &hello()).await;
    assert_eq!(
        request.json(),
        json!({"model": "gpt-5", "stream": true, "store": false, "input": [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hello"}]}]})
    );
}

#[tokio::test]
async fn tool_choice_forms_follow_each_dialect() {
    let tool = FunctionTool {
        name: "a".to_owned(),
        description: None,
        parameters: json!({"type": "object"}),
        strict: false,
    };
    for (choice, responses, chat) in [
        (ToolChoice::Auto, json!("auto"), json!("auto")),
        (ToolChoice::None, json!("none"), json!("none")),
        (ToolChoice::Required, json!("required"), json!("required")),
        (
            ToolChoice::Function("a".to_owned()),
            json!({"type": "function", "name": "a"}),
            json!({"type": "function", "function": {"name": "a"}}),
        ),
    ] {
        let mut request = hello();
        request.tools = vec![tool.clone()];
        request.tool_choice = choice;
        let sent_responses = sent(|base| config(ProviderKind::Responses, base), &request).await;
        let sent_chat = sent(|base| config(ProviderKind::ChatCompletions, base), &request).await;
        assert_eq!(sent_responses.json()["tool_choice"], responses);
        assert_eq!(sent_chat.json()["tool_choice"], chat);
    }
}

#[tokio::test]
async fn the_api_key_style_sends_an_api_key_header_and_no_authorization() {
    let request = sent(
        |base| ProviderConfig {
            auth: AuthStyle::ApiKey,
            ..config(ProviderKind::ChatCompletions, base)
        },
        &hello(),
    )
    .await;
    assert_eq!(request.header("api-key"), Some(KEY));
    assert_eq!(request.header("authorization"), None);

    let request = sent(
        |base| ProviderConfig {
            api_key: None,
            ..config(ProviderKind::ChatCompletions, base)
        },
        &hello(),
    )
    .await;
    assert_eq!(request.header("authorization"), None);
}

#[tokio::test]
async fn a_trailing_slash_in_the_base_url_is_tolerated() {
    let request = sent(
        |base| config(ProviderKind::Responses, format!("{base}/")),
        &hello(),
    )
    .await;
    assert_eq!(request.path, "/v1/responses");
}

// ---------------------------------------------------------------------------------------------
// Transcription, configuration, Debug.

#[tokio::test]
async fn transcription_posts_a_named_audio_file_and_the_model() {
    let mock = Mock::start(vec![Reply::Full {
        status: 200,
        headers: vec![("content-type", "application/json".to_owned())],
        body: json!({"text": "Hello there.", "usage": {"type": "duration", "seconds": 3}})
            .to_string(),
    }])
    .await;
    let client = client(ProviderKind::ChatCompletions, &mock);

    let text = client
        .transcribe(
            AudioClip {
                data: Bytes::from_static(b"OggS-fake-audio"),
                mime_type: "audio/webm;codecs=opus".to_owned(),
            },
            "gpt-4o-mini-transcribe",
        )
        .await
        .unwrap();

    assert_eq!(text, "Hello there.");
    let request = mock.requests().remove(0);
    assert_eq!(request.path, "/v1/audio/transcriptions");
    assert!(
        request
            .header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    let body = String::from_utf8_lossy(&request.body);
    assert!(
        body.contains("name=\"file\"; filename=\"audio.webm\"\r\nContent-Type: audio/webm\r\n\r\nOggS-fake-audio"),
        "{body}"
    );
    assert!(body.contains("name=\"model\"\r\n\r\ngpt-4o-mini-transcribe\r\n"));

    let error = client
        .transcribe(
            AudioClip {
                data: Bytes::from_static(b"x"),
                mime_type: "text/plain".to_owned(),
            },
            "whisper-1",
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, ModelErrorKind::BadRequest);
    assert_eq!(mock.count(), 1);
}

#[tokio::test]
async fn transcription_failures_keep_the_envelope() {
    let mock = Mock::start(vec![Reply::error(
        400,
        "invalid_request_error",
        Some("invalid_value"),
        "Invalid file format.",
    )])
    .await;
    let error = client(ProviderKind::Responses, &mock)
        .transcribe(
            AudioClip {
                data: Bytes::from_static(b"x"),
                mime_type: "audio/mpeg".to_owned(),
            },
            "whisper-1",
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, ModelErrorKind::BadRequest);
    assert_eq!(error.message, "Invalid file format.");
    let request = mock.requests().remove(0);
    assert!(String::from_utf8_lossy(&request.body).contains("filename=\"audio.mp3\""));
}

#[test]
fn invalid_configurations_are_refused_without_showing_values() {
    let bad_base = connect(ProviderConfig::openai("not a url", SecretString::from(KEY)));
    assert_eq!(bad_base.unwrap_err().kind, ModelErrorKind::BadRequest);
    let ftp = connect(ProviderConfig::openai(
        "ftp://example.com/v1",
        SecretString::from(KEY),
    ));
    assert_eq!(ftp.unwrap_err().kind, ModelErrorKind::BadRequest);
    let bad_key = connect(ProviderConfig::openai(
        "http://127.0.0.1:1/v1",
        SecretString::from("sk-line\nbreak"),
    ));
    let error = bad_key.unwrap_err();
    assert_eq!(error.kind, ModelErrorKind::BadRequest);
    assert!(!error.message.contains("sk-line"));
    let mut config = ProviderConfig::openai("http://127.0.0.1:1/v1", SecretString::from(KEY));
    config.headers = vec![("X-Secret".to_owned(), "s3cr\n3t".to_owned())];
    let error = connect(config).unwrap_err();
    assert!(error.message.contains("X-Secret") && !error.message.contains("s3cr"));
}

#[tokio::test]
async fn debug_never_prints_the_key_or_header_values() {
    let mut config = ProviderConfig::openai("http://127.0.0.1:1/v1", SecretString::from(KEY));
    config.headers = vec![("X-Extra-Auth".to_owned(), "hidden-value".to_owned())];
    let shown = format!("{config:?}");
    assert!(
        !shown.contains(KEY) && !shown.contains("hidden-value"),
        "{shown}"
    );
    assert!(shown.contains("X-Extra-Auth") && shown.contains("[REDACTED]"));
    let client = connect(config).unwrap();
    let shown = format!("{client:?}");
    assert!(
        !shown.contains(KEY) && !shown.contains("hidden-value"),
        "{shown}"
    );

    let default = ProviderConfig::default();
    assert_eq!(default.kind, ProviderKind::Responses);
    assert_eq!(default.base_url, "https://api.openai.com/v1");
    assert!(default.api_key.is_none());
}
