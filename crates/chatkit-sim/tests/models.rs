//! The model endpoints over real HTTP: `POST /v1/responses` and `POST /v1/chat/completions`,
//! streaming and not, every marker of the scripted contract, framing, auth and validation.

use std::time::{Duration, Instant};

use chatkit_sim::SimHandle;
use futures::StreamExt;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

const KEY: &str = "sk-test-0123456789abcdef";

fn client() -> Client {
    Client::builder().build().expect("client")
}

/// A POST with `Authorization: Bearer`.
async fn post(sim: &SimHandle, path: &str, body: &Value) -> Response {
    client()
        .post(format!("{}{path}", sim.base_url()))
        .bearer_auth(KEY)
        .json(body)
        .send()
        .await
        .expect("request sent")
}

/// A Responses body with one user message.
fn resp_body(text: &str, stream: bool) -> Value {
    json!({ "model": "gpt-5", "stream": stream, "input": [{ "role": "user", "content": text }] })
}

/// A chat body with one user message.
fn chat_body(text: &str, stream: bool) -> Value {
    json!({ "model": "gpt-4.1-mini", "stream": stream,
            "messages": [{ "role": "user", "content": text }] })
}

/// A flat Responses function tool.
fn resp_tool(name: &str) -> Value {
    json!({ "type": "function", "name": name, "description": "Current weather", "strict": true,
            "parameters": { "type": "object",
                            "properties": { "city": { "type": "string" }, "days": { "type": "integer" } },
                            "required": ["city", "days"], "additionalProperties": false } })
}

/// The same tool, nested the Chat Completions way.
fn chat_tool(name: &str) -> Value {
    let flat = resp_tool(name);
    json!({ "type": "function", "function": { "name": name, "description": flat["description"],
            "parameters": flat["parameters"], "strict": true } })
}

/// Splits an SSE body into `(event line, data)` frames; `data` is kept as text.
fn frames(body: &str) -> Vec<(Option<String>, String)> {
    assert!(!body.contains('\r'));
    body.split("\n\n")
        .filter(|frame| !frame.is_empty())
        .map(|frame| {
            let mut event = None;
            let mut data = Vec::new();
            for line in frame.lines() {
                if let Some(name) = line.strip_prefix("event: ") {
                    event = Some(name.to_owned());
                } else if let Some(payload) = line.strip_prefix("data: ") {
                    data.push(payload);
                } else {
                    panic!("unexpected line {line:?}");
                }
            }
            (event, data.join("\n"))
        })
        .collect()
}

/// Streams a Responses request and checks the framing and §2's invariants; returns the events.
async fn resp_events(sim: &SimHandle, body: &Value) -> Vec<Value> {
    let response = post(sim, "/v1/responses", body).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/event-stream; charset=utf-8"
    );
    assert!(
        response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .starts_with("req_")
    );
    assert!(response.headers().contains_key("openai-processing-ms"));
    assert!(
        response
            .headers()
            .contains_key("x-ratelimit-remaining-requests")
    );
    let text = response.text().await.expect("complete body");
    let events: Vec<Value> = frames(&text)
        .into_iter()
        .map(|(event, data)| {
            let value: Value = serde_json::from_str(&data).expect("JSON event");
            assert_eq!(
                event.as_deref(),
                value["type"].as_str(),
                "event: line = type"
            );
            value
        })
        .collect();
    check_invariants(&events);
    events
}

/// Sequence numbers, first and terminal events, item pairing and the final output.
fn check_invariants(events: &[Value]) {
    for (index, event) in events.iter().enumerate() {
        assert_eq!(event["sequence_number"], index as u64, "{event}");
    }
    assert_eq!(events[0]["type"], "response.created");
    assert_eq!(events[1]["type"], "response.in_progress");
    let terminals = [
        "response.completed",
        "response.incomplete",
        "response.failed",
        "error",
    ];
    let last = events.last().unwrap();
    assert!(terminals.contains(&last["type"].as_str().unwrap()));
    assert_eq!(
        events
            .iter()
            .filter(|e| terminals.contains(&e["type"].as_str().unwrap()))
            .count(),
        1
    );
    let added: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "response.output_item.added")
        .collect();
    let done: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "response.output_item.done")
        .collect();
    assert_eq!(added.len(), done.len());
    for (index, (a, d)) in added.iter().zip(&done).enumerate() {
        assert_eq!(a["output_index"], index as u64);
        assert_eq!(d["output_index"], index as u64);
        assert_eq!(a["item"]["id"], d["item"]["id"]);
    }
    if last["type"] != "error" {
        let output: Vec<Value> = done.iter().map(|d| d["item"].clone()).collect();
        assert_eq!(last["response"]["output"], Value::Array(output));
        assert_eq!(
            last["response"]["id"], events[0]["response"]["id"],
            "one response id"
        );
    }
    // Text deltas concatenate to their done text.
    let deltas: String = events
        .iter()
        .filter(|e| e["type"] == "response.output_text.delta")
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    if let Some(done) = events
        .iter()
        .find(|e| e["type"] == "response.output_text.done")
    {
        assert_eq!(done["text"], deltas);
    }
}

fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

/// Streams a chat request; returns the chunks and whether `data: [DONE]` ended the stream.
async fn chat_chunks(sim: &SimHandle, body: &Value) -> (Vec<Value>, bool) {
    let response = post(sim, "/v1/chat/completions", body).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/event-stream; charset=utf-8"
    );
    let text = response.text().await.expect("complete body");
    let mut chunks = Vec::new();
    let mut done = false;
    for (event, data) in frames(&text) {
        assert_eq!(event, None, "chat frames are data-only");
        assert!(!done, "nothing after [DONE]");
        if data == "[DONE]" {
            done = true;
        } else {
            chunks.push(serde_json::from_str(&data).expect("JSON chunk"));
        }
    }
    (chunks, done)
}

/// The concatenated `delta.content` of chunks.
fn chat_text(chunks: &[Value]) -> String {
    chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect()
}

/// `(name, arguments)` of each tool call in chunks, accumulated by index.
fn chat_calls(chunks: &[Value]) -> Vec<(String, String, String)> {
    let mut calls: Vec<(String, String, String)> = Vec::new();
    for chunk in chunks {
        for call in chunk["choices"][0]["delta"]["tool_calls"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let index = call["index"].as_u64().unwrap() as usize;
            if index == calls.len() {
                assert_eq!(call["function"]["arguments"], "", "first fragment");
                assert_eq!(call["type"], "function");
                calls.push((
                    call["id"].as_str().unwrap().to_owned(),
                    call["function"]["name"].as_str().unwrap().to_owned(),
                    String::new(),
                ));
            } else {
                assert!(call.get("id").is_none() && call["function"].get("name").is_none());
                calls[index].2 += call["function"]["arguments"].as_str().unwrap();
            }
        }
    }
    calls
}

fn finish_reason(chunks: &[Value]) -> Vec<&str> {
    chunks
        .iter()
        .filter_map(|c| c["choices"][0]["finish_reason"].as_str())
        .collect()
}

/// Reads a body that must fail midway; returns the bytes received before the cut.
async fn cut_body(response: Response) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    let mut stream = response.bytes_stream();
    let mut received = Vec::new();
    loop {
        match stream.next().await {
            Some(Ok(bytes)) => received.extend_from_slice(&bytes),
            Some(Err(_)) => break,
            None => panic!(
                "the body ended cleanly: {}",
                String::from_utf8_lossy(&received)
            ),
        }
    }
    String::from_utf8(received).unwrap()
}

/// Checks status and the four-key envelope; returns `error`.
async fn expect_error(
    response: Response,
    status: StatusCode,
    kind: &str,
    code: Option<&str>,
    param: Option<&str>,
) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = response.json().await.expect("JSON error");
    let error = body["error"].clone();
    assert_eq!(error.as_object().unwrap().len(), 4, "{error}");
    assert_eq!(error["type"], kind, "{error}");
    assert_eq!(error["code"].as_str(), code, "{error}");
    assert_eq!(error["param"].as_str(), param, "{error}");
    error
}

// ---------------------------------------------------------------------------------------------
// Plain text

#[tokio::test]
async fn responses_streams_a_plain_reply_one_word_per_delta() {
    let sim = SimHandle::spawn().await.unwrap();

    let events = resp_events(&sim, &resp_body("Hello   there, [[unknown]] sim", true)).await;

    assert_eq!(
        kinds(&events),
        [
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.completed",
        ]
    );
    let deltas: Vec<&str> = of_type(&events, "response.output_text.delta")
        .iter()
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    assert_eq!(
        deltas,
        ["Simulated ", "reply ", "to: ", "Hello ", "there, ", "sim"]
    );
    let created = &events[0]["response"];
    assert!(created["id"].as_str().unwrap().starts_with("resp_"));
    assert_eq!(created["status"], "in_progress");
    assert_eq!(created["output"], json!([]));
    for key in [
        "error",
        "incomplete_details",
        "instructions",
        "usage",
        "user",
        "completed_at",
        "previous_response_id",
    ] {
        assert_eq!(created[key], Value::Null, "{key} is an explicit null");
    }
    let delta = &events[4];
    assert_eq!(delta["logprobs"], json!([]));
    assert!(delta["obfuscation"].is_string());
    assert!(delta["item_id"].as_str().unwrap().starts_with("msg_"));
    let completed = &events.last().unwrap()["response"];
    assert_eq!(completed["status"], "completed");
    assert!(completed["completed_at"].is_u64());
    assert_eq!(
        completed["output"][0]["content"][0],
        json!({ "type": "output_text", "text": "Simulated reply to: Hello there, sim",
                "annotations": [], "logprobs": [] })
    );
    assert_eq!(completed["usage"]["input_tokens"], 4);
    assert_eq!(completed["usage"]["output_tokens"], 6);
    assert_eq!(completed["usage"]["total_tokens"], 10);
    assert_eq!(
        completed["usage"]["input_tokens_details"],
        json!({ "cached_tokens": 0, "cache_write_tokens": 0 })
    );
}

#[tokio::test]
async fn responses_accepts_a_string_input_and_can_turn_obfuscation_off() {
    let sim = SimHandle::spawn().await.unwrap();
    let body = json!({ "model": "gpt-5", "stream": true, "input": "hi",
                       "stream_options": { "include_obfuscation": false } });

    let events = resp_events(&sim, &body).await;

    let delta = of_type(&events, "response.output_text.delta")[0];
    assert!(delta.get("obfuscation").is_none());
    let done = of_type(&events, "response.output_text.done")[0];
    assert_eq!(done["text"], "Simulated reply to: hi");
}

#[tokio::test]
async fn responses_without_stream_answers_the_final_response_object() {
    let sim = SimHandle::spawn().await.unwrap();
    let mut body = resp_body("hi there", false);
    body["instructions"] = json!("Be brief.");
    body["metadata"] = json!({ "k": "v" });

    let response = post(&sim, "/v1/responses", &body).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let object: Value = response.json().await.unwrap();
    assert_eq!(object["object"], "response");
    assert_eq!(object["status"], "completed");
    assert_eq!(object["instructions"], "Be brief.");
    assert_eq!(object["metadata"], json!({ "k": "v" }));
    assert_eq!(object["store"], true);
    assert_eq!(
        object["output"][0]["content"][0]["text"],
        "Simulated reply to: hi there"
    );
    assert_eq!(object["usage"]["input_tokens"], 4);
}

#[tokio::test]
async fn chat_streams_data_only_chunks_ending_with_done() {
    let sim = SimHandle::spawn().await.unwrap();

    let (chunks, done) = chat_chunks(&sim, &chat_body("Hello there", true)).await;

    assert!(done);
    let first = &chunks[0];
    assert_eq!(
        first["choices"][0]["delta"],
        json!({ "role": "assistant", "content": "", "refusal": null })
    );
    assert!(
        first.get("usage").is_none(),
        "no usage key without include_usage"
    );
    for chunk in &chunks {
        assert_eq!(chunk["id"], first["id"]);
        assert_eq!(chunk["created"], first["created"]);
        assert_eq!(chunk["object"], "chat.completion.chunk");
        assert_eq!(chunk["model"], "gpt-4.1-mini");
    }
    assert!(first["id"].as_str().unwrap().starts_with("chatcmpl-"));
    assert_eq!(chat_text(&chunks), "Simulated reply to: Hello there");
    assert_eq!(chunks.len(), 1 + 5 + 1);
    assert_eq!(finish_reason(&chunks), ["stop"]);
    assert_eq!(chunks.last().unwrap()["choices"][0]["delta"], json!({}));
}

#[tokio::test]
async fn chat_with_include_usage_sends_null_usage_then_a_usage_chunk() {
    let sim = SimHandle::spawn().await.unwrap();
    let mut body = chat_body("one two three", true);
    body["stream_options"] = json!({ "include_usage": true });

    let (chunks, done) = chat_chunks(&sim, &body).await;

    assert!(done);
    let (usage_chunk, rest) = chunks.split_last().unwrap();
    assert!(
        rest.iter()
            .all(|c| c["usage"].is_null() && c.get("usage").is_some())
    );
    assert_eq!(usage_chunk["choices"], json!([]));
    assert_eq!(usage_chunk["usage"]["prompt_tokens"], 3);
    assert_eq!(usage_chunk["usage"]["completion_tokens"], 6);
    assert_eq!(usage_chunk["usage"]["total_tokens"], 9);
}

#[tokio::test]
async fn chat_without_stream_answers_a_chat_completion() {
    let sim = SimHandle::spawn().await.unwrap();

    let response = post(&sim, "/v1/chat/completions", &chat_body("hi", false)).await;

    assert_eq!(response.status(), StatusCode::OK);
    let completion: Value = response.json().await.unwrap();
    assert_eq!(completion["object"], "chat.completion");
    assert_eq!(
        completion["choices"][0],
        json!({ "index": 0, "logprobs": null, "finish_reason": "stop",
                "message": { "role": "assistant", "content": "Simulated reply to: hi",
                             "refusal": null, "annotations": [] } })
    );
    assert_eq!(completion["usage"]["completion_tokens"], 4);
}

// ---------------------------------------------------------------------------------------------
// Tools

#[tokio::test]
async fn responses_tool_markers_make_parallel_calls_with_streamed_arguments() {
    let sim = SimHandle::spawn().await.unwrap();
    let mut body = resp_body(
        r#"Weather? [[tool:get_weather]] [[tool:get_weather {"city": "Paris", "days": 2}]] [[show:card]]"#,
        true,
    );
    body["tools"] = json!([resp_tool("get_weather"),
        { "type": "function", "name": "show", "parameters": null, "strict": null }]);

    let events = resp_events(&sim, &body).await;

    let done: Vec<&Value> = of_type(&events, "response.output_item.done");
    assert_eq!(done.len(), 3);
    assert!(of_type(&events, "response.output_text.delta").is_empty());
    let arguments: Vec<&str> = done
        .iter()
        .map(|d| d["item"]["arguments"].as_str().unwrap())
        .collect();
    assert_eq!(
        arguments,
        [
            r#"{"city":"example","days":1}"#,
            r#"{"city": "Paris", "days": 2}"#,
            r#"{"kind":"card"}"#
        ]
    );
    for (index, item) in done.iter().enumerate() {
        let item = &item["item"];
        assert_eq!(item["type"], "function_call");
        assert_eq!(item["status"], "completed");
        assert!(item["id"].as_str().unwrap().starts_with("fc_"));
        assert!(item["call_id"].as_str().unwrap().starts_with("call_"));
        let fragments: String = events
            .iter()
            .filter(|e| {
                e["type"] == "response.function_call_arguments.delta" && e["item_id"] == item["id"]
            })
            .map(|e| e["delta"].as_str().unwrap())
            .collect();
        assert_eq!(fragments, item["arguments"].as_str().unwrap());
        let args_done = events
            .iter()
            .find(|e| {
                e["type"] == "response.function_call_arguments.done" && e["item_id"] == item["id"]
            })
            .unwrap();
        assert_eq!(args_done["arguments"], item["arguments"]);
        assert_eq!(args_done["output_index"], index as u64);
    }
    let added = of_type(&events, "response.output_item.added")[0];
    assert_eq!(added["item"]["name"], "get_weather");
    assert_eq!(added["item"]["arguments"], "");
    assert!(
        of_type(&events, "response.function_call_arguments.delta").len() >= 6,
        "a few fragments per call"
    );
    assert_eq!(events.last().unwrap()["response"]["status"], "completed");
}

#[tokio::test]
async fn chat_tool_markers_stream_indexed_tool_call_fragments() {
    let sim = SimHandle::spawn().await.unwrap();
    let mut body = chat_body(
        r#"[[tool:get_weather]] [[tool:get_time {"tz":"UTC"}]]"#,
        true,
    );
    body["tools"] = json!([chat_tool("get_weather"),
        { "type": "function", "function": { "name": "get_time" } }]);

    let (chunks, done) = chat_chunks(&sim, &body).await;

    assert!(done);
    let first = &chunks[0]["choices"][0]["delta"];
    assert_eq!(first["role"], "assistant");
    assert_eq!(first["content"], Value::Null);
    assert_eq!(first["tool_calls"][0]["index"], 0);
    let calls = chat_calls(&chunks);
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].1, "get_weather");
    assert_eq!(calls[0].2, r#"{"city":"example","days":1}"#);
    assert_eq!(calls[1].1, "get_time");
    assert_eq!(calls[1].2, r#"{"tz":"UTC"}"#);
    assert!(calls.iter().all(|c| c.0.starts_with("call_")));
    assert_eq!(chat_text(&chunks), "");
    assert_eq!(finish_reason(&chunks), ["tool_calls"]);
}

#[tokio::test]
async fn a_tool_that_was_not_offered_gets_an_explanation_instead() {
    let sim = SimHandle::spawn().await.unwrap();
    let mut body = resp_body("[[tool:nope]]", false);
    body["tools"] = json!([resp_tool("get_weather")]);
    let object: Value = post(&sim, "/v1/responses", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        object["output"][0]["content"][0]["text"],
        "(simulator) no tool named nope was offered"
    );

    let body = chat_body("[[show:card]]", false);
    let completion: Value = post(&sim, "/v1/chat/completions", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        "(simulator) no tool named show was offered"
    );
}

#[tokio::test]
async fn a_forced_tool_choice_calls_the_tool_without_a_marker() {
    let sim = SimHandle::spawn().await.unwrap();
    let mut body = resp_body("hi", false);
    body["tools"] = json!([resp_tool("a"), resp_tool("b")]);
    body["tool_choice"] = json!({ "type": "function", "name": "b" });
    let object: Value = post(&sim, "/v1/responses", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(object["output"][0]["name"], "b");
    body["tool_choice"] = json!("required");
    let object: Value = post(&sim, "/v1/responses", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(object["output"][0]["name"], "a");
    assert_eq!(
        object["output"][0]["arguments"],
        r#"{"city":"example","days":1}"#
    );

    let mut body = chat_body("hi", false);
    body["tools"] = json!([chat_tool("a"), chat_tool("b")]);
    body["tool_choice"] = json!({ "type": "function", "function": { "name": "b" } });
    let completion: Value = post(&sim, "/v1/chat/completions", &body)
        .await
        .json()
        .await
        .unwrap();
    let choice = &completion["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls");
    assert_eq!(choice["message"]["content"], Value::Null);
    assert_eq!(choice["message"]["tool_calls"][0]["function"]["name"], "b");
    body["tool_choice"] = json!("required");
    let completion: Value = post(&sim, "/v1/chat/completions", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        completion["choices"][0]["message"]["tool_calls"][0]["function"]["name"],
        "a"
    );
}

#[tokio::test]
async fn a_tool_result_is_echoed_and_only_slow_and_midfail_still_apply() {
    let sim = SimHandle::spawn().await.unwrap();
    let long = "x".repeat(400);
    let body = json!({ "model": "gpt-5", "stream": true, "tools": [resp_tool("get_weather")],
        "input": [
            { "role": "user", "content": "[[tool:get_weather]] [[error:500]] [[reason]]" },
            { "type": "function_call", "call_id": "call_1", "name": "get_weather",
              "arguments": "{\"city\":\"Paris\"}" },
            { "type": "function_call_output", "call_id": "call_1", "output": long }
        ] });

    let events = resp_events(&sim, &body).await;

    let text = of_type(&events, "response.output_text.done")[0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        text,
        format!("The tool get_weather returned: {}", "x".repeat(300))
    );
    assert_eq!(of_type(&events, "response.output_item.added").len(), 1);

    let body = json!({ "model": "gpt-4.1-mini", "stream": true, "tools": [chat_tool("get_weather")],
        "messages": [
            { "role": "user", "content": "[[tool:get_weather]] [[midfail]]" },
            { "role": "assistant", "content": null, "tool_calls": [{ "id": "call_1",
              "type": "function", "function": { "name": "get_weather", "arguments": "{}" } }] },
            { "role": "tool", "tool_call_id": "call_1", "content": "{\"temp_c\":18}" }
        ] });
    let received = cut_body(post(&sim, "/v1/chat/completions", &body).await).await;
    assert!(received.contains("The "), "{received}");
    assert!(!received.contains("[DONE]"));
}

#[tokio::test]
async fn previous_response_id_chains_onto_a_stored_response() {
    let sim = SimHandle::spawn().await.unwrap();
    let mut body = resp_body("[[tool:get_weather]]", false);
    body["tools"] = json!([resp_tool("get_weather")]);
    let first: Value = post(&sim, "/v1/responses", &body)
        .await
        .json()
        .await
        .unwrap();
    let call_id = first["output"][0]["call_id"].as_str().unwrap();

    let next = json!({ "model": "gpt-5", "previous_response_id": first["id"],
        "tools": [resp_tool("get_weather")],
        "input": [{ "type": "function_call_output", "call_id": call_id, "output": "sunny" }] });
    let second: Value = post(&sim, "/v1/responses", &next)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        second["output"][0]["content"][0]["text"],
        "The tool get_weather returned: sunny"
    );
    assert_eq!(second["previous_response_id"], first["id"]);

    let unanswered = json!({ "model": "gpt-5", "previous_response_id": first["id"],
        "input": "and now?" });
    let error = expect_error(
        post(&sim, "/v1/responses", &unanswered).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        None,
        Some("input"),
    )
    .await;
    assert_eq!(
        error["message"],
        format!("No tool output found for function call {call_id}.")
    );

    let unknown = json!({ "model": "gpt-5", "previous_response_id": "resp_nope", "input": "x" });
    expect_error(
        post(&sim, "/v1/responses", &unknown).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        Some("previous_response_not_found"),
        Some("previous_response_id"),
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Titles, reasoning, citations, images

#[tokio::test]
async fn title_instructions_get_the_first_six_words() {
    let sim = SimHandle::spawn().await.unwrap();
    let mut body = resp_body("What is the [[slow]] weather like in Paris today?", false);
    body["instructions"] = json!("Write a short Conversation Title for this.");
    let object: Value = post(&sim, "/v1/responses", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        object["output"][0]["content"][0]["text"],
        "What is the weather like in"
    );

    let body = json!({ "model": "m", "messages": [
        { "role": "developer", "content": "Generate a conversation title." },
        { "role": "user", "content": "Hi!" }] });
    let completion: Value = post(&sim, "/v1/chat/completions", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(completion["choices"][0]["message"]["content"], "Hi");
    let body = json!({ "model": "m", "messages": [
        { "role": "system", "content": "conversation title" },
        { "role": "user", "content": "[[error:500]]" }] });
    let completion: Value = post(&sim, "/v1/chat/completions", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        "New conversation"
    );
}

#[tokio::test]
async fn reason_streams_a_summary_only_when_asked_for() {
    let sim = SimHandle::spawn().await.unwrap();
    let mut body = resp_body("[[reason]] [[cite]] why?", true);
    body["reasoning"] = json!({ "effort": "low", "summary": "auto" });

    let events = resp_events(&sim, &body).await;

    let reasoning = &of_type(&events, "response.output_item.done")[0]["item"];
    assert!(reasoning["id"].as_str().unwrap().starts_with("rs_"));
    assert_eq!(
        reasoning["summary"],
        json!([{ "type": "summary_text", "text": "Considering the question." },
               { "type": "summary_text", "text": "Planning a short answer." }])
    );
    assert_eq!(
        of_type(&events, "response.reasoning_summary_part.added").len(),
        2
    );
    let first_summary: String = of_type(&events, "response.reasoning_summary_text.delta")
        .iter()
        .filter(|e| e["summary_index"] == 0)
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    assert_eq!(first_summary, "Considering the question.");
    assert_eq!(
        of_type(&events, "response.reasoning_summary_part.done")[1]["part"]["text"],
        "Planning a short answer."
    );
    assert_eq!(
        of_type(&events, "response.output_text.annotation.added").len(),
        1,
        "[[cite]] combines with [[reason]]"
    );
    let completed = &events.last().unwrap()["response"];
    assert_eq!(
        completed["usage"]["output_tokens_details"]["reasoning_tokens"],
        7
    );
    assert_eq!(
        completed["reasoning"],
        json!({ "effort": "low", "summary": "auto" })
    );

    let events = resp_events(&sim, &resp_body("[[reason]] why?", true)).await;
    let reasoning = &of_type(&events, "response.output_item.done")[0]["item"];
    assert_eq!(reasoning["type"], "reasoning");
    assert_eq!(reasoning["summary"], json!([]));
    assert!(of_type(&events, "response.reasoning_summary_part.added").is_empty());
    assert_eq!(of_type(&events, "response.output_item.done").len(), 2);
}

#[tokio::test]
async fn chat_reason_sends_reasoning_content_before_the_text() {
    let sim = SimHandle::spawn().await.unwrap();

    let (chunks, _) = chat_chunks(&sim, &chat_body("[[reason]] [[cite]] why?", true)).await;

    let reasoning: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["reasoning_content"].as_str())
        .collect();
    assert_eq!(
        reasoning,
        "Considering the question. Planning a short answer."
    );
    let first_content = chunks
        .iter()
        .position(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        })
        .unwrap();
    let last_reasoning = chunks
        .iter()
        .rposition(|c| c["choices"][0]["delta"].get("reasoning_content").is_some())
        .unwrap();
    assert!(last_reasoning < first_content);
    assert_eq!(chat_text(&chunks), "Simulated reply to: why?");

    let completion: Value = post(
        &sim,
        "/v1/chat/completions",
        &chat_body("[[reason]] x", false),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        completion["choices"][0]["message"]["reasoning_content"],
        "Considering the question. Planning a short answer."
    );
}

#[tokio::test]
async fn cite_annotates_the_last_word() {
    let sim = SimHandle::spawn().await.unwrap();

    let events = resp_events(&sim, &resp_body("see the source [[cite]]", true)).await;

    let added = of_type(&events, "response.output_text.annotation.added")[0];
    let annotation = json!({ "type": "url_citation", "url": "https://example.com/source",
        "title": "Example source", "start_index": 28, "end_index": 34 });
    assert_eq!(added["annotation"], annotation);
    assert_eq!(added["annotation_index"], 0);
    let position = |kind: &str| events.iter().position(|e| e["type"] == kind).unwrap();
    assert!(
        position("response.output_text.annotation.added") > position("response.output_text.delta")
    );
    assert!(
        position("response.output_text.annotation.added") < position("response.output_text.done")
    );
    let text = "Simulated reply to: see the source";
    assert_eq!(&text[28..34], "source");
    assert_eq!(
        of_type(&events, "response.content_part.done")[0]["part"]["annotations"],
        json!([annotation])
    );
    assert_eq!(
        events.last().unwrap()["response"]["output"][0]["content"][0]["annotations"],
        json!([annotation])
    );
}

#[tokio::test]
async fn image_needs_the_image_generation_tool() {
    let sim = SimHandle::spawn().await.unwrap();
    let mut body = resp_body("a fox [[image]]", true);
    body["tools"] = json!([{ "type": "image_generation", "partial_images": 2 }]);

    let events = resp_events(&sim, &body).await;

    let partials = of_type(&events, "response.image_generation_call.partial_image");
    assert_eq!(partials.len(), 2);
    assert_eq!(partials[1]["partial_image_index"], 1);
    let image = &of_type(&events, "response.output_item.done")[0]["item"];
    assert_eq!(image["type"], "image_generation_call");
    assert!(image["id"].as_str().unwrap().starts_with("ig_"));
    assert!(image["result"].as_str().unwrap().starts_with("iVBORw0KGgo"));
    assert_eq!(
        of_type(&events, "response.output_item.done")[1]["item"]["type"],
        "message"
    );

    let events = resp_events(&sim, &resp_body("a fox [[image]]", true)).await;
    assert_eq!(of_type(&events, "response.output_item.added").len(), 1);
    let (chunks, _) = chat_chunks(&sim, &chat_body("a fox [[image]]", true)).await;
    assert_eq!(chat_text(&chunks), "Simulated reply to: a fox");
}

// ---------------------------------------------------------------------------------------------
// Failures

#[tokio::test]
async fn error_fails_after_the_200_before_any_output() {
    let sim = SimHandle::spawn().await.unwrap();

    let events = resp_events(&sim, &resp_body("[[error]]", true)).await;
    assert_eq!(
        kinds(&events),
        [
            "response.created",
            "response.in_progress",
            "response.failed"
        ]
    );
    let failed = &events[2]["response"];
    assert_eq!(failed["status"], "failed");
    assert_eq!(
        failed["error"],
        json!({ "code": "server_error", "message": "The simulator failed this response on purpose." })
    );

    let response = post(&sim, "/v1/chat/completions", &chat_body("[[error]]", true)).await;
    let text = response.text().await.unwrap();
    assert_eq!(
        text,
        "data: {\"error\":{\"code\":\"server_error\",\"message\":\"The simulator failed this \
         response on purpose.\",\"param\":null,\"type\":\"server_error\"}}\n\n"
    );

    let object: Value = post(&sim, "/v1/responses", &resp_body("[[error]]", false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(object["status"], "failed");
    expect_error(
        post(&sim, "/v1/chat/completions", &chat_body("[[error]]", false)).await,
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        Some("server_error"),
        None,
    )
    .await;
}

#[tokio::test]
async fn error_status_markers_answer_in_the_envelope_before_streaming() {
    let sim = SimHandle::spawn().await.unwrap();
    let cases = [
        (400, "invalid_request_error", Some("invalid_value")),
        (401, "invalid_request_error", Some("invalid_api_key")),
        (
            403,
            "request_forbidden",
            Some("unsupported_country_region_territory"),
        ),
        (404, "invalid_request_error", Some("model_not_found")),
        (429, "requests", Some("rate_limit_exceeded")),
        (500, "server_error", None),
        (503, "server_error", Some("server_is_overloaded")),
    ];
    for (status, kind, code) in cases {
        let marker = format!("[[error:{status}]]");
        for (path, body, input) in [
            ("/v1/responses", resp_body(&marker, true), "input"),
            ("/v1/chat/completions", chat_body(&marker, true), "messages"),
        ] {
            let response = post(&sim, path, &body).await;
            let headers = response.headers().clone();
            let param = (status == 400).then_some(input);
            let status = StatusCode::from_u16(status).unwrap();
            expect_error(response, status, kind, code, param).await;
            if status == StatusCode::TOO_MANY_REQUESTS {
                assert_eq!(headers["retry-after-ms"], "20");
                assert_eq!(headers["retry-after"], "1");
            }
        }
    }
}

#[tokio::test]
async fn quota_is_a_429_without_retry_after() {
    let sim = SimHandle::spawn().await.unwrap();
    for (path, body) in [
        ("/v1/responses", resp_body("[[quota]]", true)),
        ("/v1/chat/completions", chat_body("[[quota]]", false)),
    ] {
        let response = post(&sim, path, &body).await;
        assert!(!response.headers().contains_key("retry-after"));
        assert!(!response.headers().contains_key("retry-after-ms"));
        expect_error(
            response,
            StatusCode::TOO_MANY_REQUESTS,
            "insufficient_quota",
            Some("insufficient_quota"),
            None,
        )
        .await;
    }
}

#[tokio::test]
async fn flaky_fails_odd_requests_across_both_endpoints() {
    let sim = SimHandle::spawn().await.unwrap();
    let statuses = [
        post(&sim, "/v1/responses", &resp_body("[[flaky]]", false))
            .await
            .status(),
        post(&sim, "/v1/chat/completions", &chat_body("[[flaky]]", false))
            .await
            .status(),
        post(&sim, "/v1/chat/completions", &chat_body("no marker", false))
            .await
            .status(),
        post(&sim, "/v1/chat/completions", &chat_body("[[flaky]]", true))
            .await
            .status(),
        post(&sim, "/v1/responses", &resp_body("[[flaky]]", true))
            .await
            .status(),
    ];
    assert_eq!(
        statuses,
        [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::OK
        ]
    );
}

#[tokio::test]
async fn midfail_cuts_the_connection_about_halfway_through_the_text() {
    let sim = SimHandle::spawn().await.unwrap();

    let received = cut_body(
        post(
            &sim,
            "/v1/responses",
            &resp_body("one two three four [[midfail]]", true),
        )
        .await,
    )
    .await;
    let events: Vec<Value> = frames(&received)
        .into_iter()
        .map(|(_, data)| serde_json::from_str(&data).unwrap())
        .collect();
    assert_eq!(
        of_type(&events, "response.output_text.delta").len(),
        4,
        "half of 7, rounded up"
    );
    assert_eq!(events.last().unwrap()["type"], "response.output_text.delta");

    let received = cut_body(
        post(
            &sim,
            "/v1/chat/completions",
            &chat_body("one two three four [[midfail]]", true),
        )
        .await,
    )
    .await;
    assert!(!received.contains("finish_reason\":\"stop"));
    assert!(!received.contains("[DONE]"));
    let chunks: Vec<Value> = frames(&received)
        .into_iter()
        .map(|(_, data)| serde_json::from_str(&data).unwrap())
        .collect();
    assert_eq!(chat_text(&chunks), "Simulated reply to: one ");

    let response = client()
        .post(format!("{}/v1/responses", sim.base_url()))
        .bearer_auth(KEY)
        .json(&resp_body("[[midfail]]", false))
        .send()
        .await;
    assert!(response.is_err(), "non-streaming: the connection is cut");
}

#[tokio::test]
async fn incomplete_keeps_the_partial_text() {
    let sim = SimHandle::spawn().await.unwrap();

    let events = resp_events(&sim, &resp_body("one two three four [[incomplete]]", true)).await;

    let last = events.last().unwrap();
    assert_eq!(last["type"], "response.incomplete");
    assert_eq!(last["response"]["status"], "incomplete");
    assert_eq!(
        last["response"]["incomplete_details"],
        json!({ "reason": "max_output_tokens" })
    );
    let message = &last["response"]["output"][0];
    assert_eq!(message["status"], "incomplete");
    assert_eq!(message["content"][0]["text"], "Simulated reply to: one ");

    let (chunks, done) =
        chat_chunks(&sim, &chat_body("one two three four [[incomplete]]", true)).await;
    assert!(done);
    assert_eq!(finish_reason(&chunks), ["length"]);
    assert_eq!(chat_text(&chunks), "Simulated reply to: one ");
}

#[tokio::test]
async fn slow_makes_a_long_reply_paced_by_the_model_pace() {
    let sim = SimHandle::spawn().await.unwrap();
    let _ = sim.sim.clone().with_model_pace(Duration::from_millis(5));

    let started = Instant::now();
    let events = resp_events(&sim, &resp_body("hi [[slow]]", true)).await;
    let elapsed = started.elapsed();

    let deltas = of_type(&events, "response.output_text.delta");
    assert_eq!(deltas.len(), 40);
    assert!(elapsed >= Duration::from_millis(5 * 40), "{elapsed:?}");
    let text = of_type(&events, "response.output_text.done")[0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        text.starts_with("Simulated reply to: hi word1 word2"),
        "{text}"
    );

    let started = Instant::now();
    let received = cut_body(
        post(
            &sim,
            "/v1/chat/completions",
            &chat_body("hi [[slow]] [[midfail]]", true),
        )
        .await,
    )
    .await;
    assert!(started.elapsed() >= Duration::from_millis(5 * 20));
    let chunks: Vec<Value> = frames(&received)
        .into_iter()
        .map(|(_, data)| serde_json::from_str(&data).unwrap())
        .collect();
    assert_eq!(
        chunks.len(),
        1 + 20,
        "role chunk, then half of the 40 deltas"
    );
}

#[tokio::test]
async fn hang_never_answers_and_shutdown_cuts_it() {
    let sim = SimHandle::spawn().await.unwrap();
    let url = format!("{}/v1/chat/completions", sim.base_url());

    let timed_out = client()
        .post(&url)
        .bearer_auth(KEY)
        .timeout(Duration::from_millis(300))
        .json(&chat_body("[[hang]]", true))
        .send()
        .await
        .unwrap_err();
    assert!(timed_out.is_timeout());

    let pending = tokio::spawn(
        client()
            .post(format!("{}/v1/responses", sim.base_url()))
            .bearer_auth(KEY)
            .json(&resp_body("[[hang]]", true))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    sim.shutdown().await;
    let result = pending.await.unwrap();
    assert!(result.is_err(), "the connection is cut");
    assert!(started.elapsed() < Duration::from_secs(5));
}

// ---------------------------------------------------------------------------------------------
// Auth and validation

#[tokio::test]
async fn both_bearer_and_azure_api_key_headers_are_accepted_and_recorded() {
    let sim = SimHandle::spawn().await.unwrap();

    let azure = client()
        .post(format!("{}/v1/chat/completions", sim.base_url()))
        .header("api-key", KEY)
        .json(&chat_body("hi", false))
        .send()
        .await
        .unwrap();
    assert_eq!(azure.status(), StatusCode::OK);
    let bearer = post(&sim, "/v1/responses", &resp_body("hi", false)).await;
    assert_eq!(bearer.status(), StatusCode::OK);
    for path in ["/v1/responses", "/v1/chat/completions"] {
        let none = client()
            .post(format!("{}{path}", sim.base_url()))
            .json(&chat_body("hi", false))
            .send()
            .await
            .unwrap();
        expect_error(
            none,
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            None,
        )
        .await;
        let empty = client()
            .post(format!("{}{path}", sim.base_url()))
            .header("api-key", "  ")
            .json(&chat_body("hi", false))
            .send()
            .await
            .unwrap();
        assert_eq!(empty.status(), StatusCode::UNAUTHORIZED);
    }

    let requests = sim.sim.requests();
    assert_eq!(requests[0].path, "/v1/chat/completions");
    assert_eq!(requests[0].headers["api-key"], KEY);
    assert!(!requests[0].headers.contains_key("authorization"));
    assert_eq!(
        requests[1].headers["authorization"],
        format!("Bearer {KEY}")
    );
    assert_eq!(requests[1].body["input"][0]["content"], "hi");
}

/// A rejected request: path, body, expected code, param and (optionally) message.
type InvalidCase = (
    &'static str,
    Value,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

#[tokio::test]
async fn invalid_requests_are_rejected_with_param_and_code() {
    let sim = SimHandle::spawn().await.unwrap();
    let r = "/v1/responses";
    let c = "/v1/chat/completions";
    let call =
        json!({ "type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}" });
    let cases: Vec<InvalidCase> = vec![
        (
            r,
            json!({ "input": "x" }),
            Some("missing_required_parameter"),
            Some("model"),
            Some("Missing required parameter: 'model'."),
        ),
        (
            r,
            json!({ "model": "m" }),
            Some("missing_required_parameter"),
            Some("input"),
            None,
        ),
        (
            r,
            json!({ "model": "m", "input": "x", "messages": [] }),
            Some("unknown_parameter"),
            Some("messages"),
            Some("Unknown parameter: 'messages'."),
        ),
        (
            r,
            json!({ "model": "m", "input": 3 }),
            Some("invalid_type"),
            Some("input"),
            None,
        ),
        (
            r,
            json!({ "model": "m", "input": "x", "tools": [chat_tool("f")] }),
            Some("missing_required_parameter"),
            Some("tools[0].name"),
            None,
        ),
        (
            r,
            json!({ "model": "m", "input": "x", "tools": [{ "type": "function", "name": "f", "parameters": {} }] }),
            Some("missing_required_parameter"),
            Some("tools[0].strict"),
            None,
        ),
        (
            r,
            json!({ "model": "m", "input": "x", "tools": [{ "type": "function", "name": "f", "strict": true,
            "parameters": { "type": "object", "properties": { "a": { "type": "string" } } } }] }),
            Some("invalid_function_parameters"),
            Some("tools[0].parameters"),
            None,
        ),
        (
            r,
            json!({ "model": "m", "input": "x", "tools": [{ "type": "function", "name": "bad name", "parameters": null, "strict": null }] }),
            Some("invalid_value"),
            Some("tools[0].name"),
            None,
        ),
        (
            r,
            json!({ "model": "m", "input": [{ "type": "function_call_output", "call_id": "call_x", "output": "1" }] }),
            None,
            Some("input"),
            Some("No tool call found for function call output with call_id call_x."),
        ),
        (
            r,
            json!({ "model": "m", "input": [call] }),
            None,
            Some("input"),
            Some("No tool output found for function call call_1."),
        ),
        (
            r,
            json!({ "model": "m", "input": [{ "role": "bot", "content": "x" }] }),
            Some("invalid_value"),
            Some("input[0].role"),
            None,
        ),
        (
            r,
            json!({ "model": "m", "input": [{ "role": "assistant", "content": [{ "type": "input_text", "text": "x" }] }] }),
            Some("invalid_value"),
            Some("input[0].content[0]"),
            None,
        ),
        (
            r,
            json!({ "model": "m", "input": [{ "role": "user", "content": "x", "extra": 1 }] }),
            Some("unknown_parameter"),
            Some("input[0].extra"),
            None,
        ),
        (
            r,
            json!({ "model": "m", "input": "x", "stream_options": {} }),
            Some("invalid_value"),
            Some("stream_options"),
            None,
        ),
        (
            r,
            json!({ "model": "m", "input": "x", "max_output_tokens": 5 }),
            Some("integer_below_min_value"),
            Some("max_output_tokens"),
            None,
        ),
        (
            r,
            json!({ "model": "m", "input": "x", "reasoning": { "summary": "long" } }),
            Some("invalid_value"),
            Some("reasoning.summary"),
            None,
        ),
        (
            c,
            json!({ "messages": [] }),
            Some("missing_required_parameter"),
            Some("model"),
            None,
        ),
        (
            c,
            json!({ "model": "m" }),
            Some("missing_required_parameter"),
            Some("messages"),
            None,
        ),
        (
            c,
            json!({ "model": "m", "messages": [] }),
            Some("empty_array"),
            Some("messages"),
            None,
        ),
        (
            c,
            json!({ "model": "m", "messages": [{ "role": "user", "content": "x" }], "input": "x" }),
            Some("unknown_parameter"),
            Some("input"),
            None,
        ),
        (
            c,
            json!({ "model": "m", "messages": [{ "role": "user", "content": "x" }], "tools": [resp_tool("f")] }),
            Some("missing_required_parameter"),
            Some("tools[0].function"),
            None,
        ),
        (
            c,
            json!({ "model": "m", "messages": [{ "role": "user", "content": "x" }], "tool_choice": "auto" }),
            None,
            Some("tool_choice"),
            None,
        ),
        (
            c,
            json!({ "model": "m", "messages": [{ "role": "tool", "tool_call_id": "call_1", "content": "x" }] }),
            None,
            Some("messages.[0].role"),
            Some(
                "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
            ),
        ),
        (
            c,
            json!({ "model": "m", "messages": [
            { "role": "assistant", "tool_calls": [{ "id": "call_1", "type": "function", "function": { "name": "f", "arguments": "{}" } }] },
            { "role": "tool", "tool_call_id": "call_2", "content": "x" }] }),
            None,
            Some("messages.[1].tool_call_id"),
            None,
        ),
        (
            c,
            json!({ "model": "m", "messages": [
            { "role": "assistant", "tool_calls": [{ "id": "call_1", "type": "function", "function": { "name": "f", "arguments": "{}" } }] },
            { "role": "user", "content": "x" }] }),
            None,
            Some("messages.[0].role"),
            None,
        ),
        (
            c,
            json!({ "model": "m", "messages": [{ "role": "user" }] }),
            Some("missing_required_parameter"),
            Some("messages[0].content"),
            None,
        ),
        (
            c,
            json!({ "model": "m", "messages": [{ "role": "user", "content": "x" }], "stream_options": { "include_usage": true } }),
            Some("invalid_value"),
            Some("stream_options"),
            None,
        ),
    ];
    for (path, body, code, param, message) in cases {
        let error = expect_error(
            post(&sim, path, &body).await,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            code,
            param,
        )
        .await;
        if let Some(message) = message {
            assert_eq!(error["message"], message, "{body}");
        }
    }

    let not_json = client()
        .post(format!("{}{r}", sim.base_url()))
        .bearer_auth(KEY)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    expect_error(
        not_json,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        None,
        None,
    )
    .await;
}

#[tokio::test]
async fn a_model_named_missing_is_not_found() {
    let sim = SimHandle::spawn().await.unwrap();
    let mut body = resp_body("hi", true);
    body["model"] = json!("missing-model");
    let error = expect_error(
        post(&sim, "/v1/responses", &body).await,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        Some("model_not_found"),
        None,
    )
    .await;
    assert_eq!(
        error["message"],
        "The model `missing-model` does not exist or you do not have access to it."
    );
    let mut body = chat_body("hi", false);
    body["model"] = json!("missing");
    expect_error(
        post(&sim, "/v1/chat/completions", &body).await,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        Some("model_not_found"),
        None,
    )
    .await;
}

#[tokio::test]
async fn the_documented_full_requests_are_accepted() {
    let sim = SimHandle::spawn().await.unwrap();
    let responses = json!({"model":"gpt-5","stream":true,"store":false,"instructions":"You are a concise assistant.",
     "input":[
      {"role":"user","content":"Weather in Paris?"},
      {"type":"message","role":"user","content":[{"type":"input_text","text":"What is in this picture and these files?"},
         {"type":"input_image","image_url":"data:image/png;base64,iVBOR","detail":"auto"},{"type":"input_file","file_id":"file-abc"},
         {"type":"input_file","filename":"spec.pdf","file_data":"data:application/pdf;base64,JVBER"}]},
      {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Earlier answer.","annotations":[]}]},
      {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
      {"type":"function_call_output","call_id":"call_1","output":"{\"temp_c\":18}"}],
     "tools":[resp_tool("get_weather"),
        {"type":"web_search","search_context_size":"medium"},
        {"type":"image_generation","partial_images":2,"size":"1024x1024","quality":"high","output_format":"png"}],
     "tool_choice":"auto", "parallel_tool_calls":true,
     "reasoning":{"effort":"low","summary":"auto"}, "include":["reasoning.encrypted_content"],
     "stream_options":{"include_obfuscation":false}});
    let events = resp_events(&sim, &responses).await;
    assert_eq!(
        of_type(&events, "response.output_text.done")[0]["text"],
        "The tool get_weather returned: {\"temp_c\":18}"
    );

    let chat = json!({"model":"gpt-4.1-mini","stream":true,"stream_options":{"include_usage":true},
     "messages":[{"role":"system","content":"Be brief."},
      {"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,x","detail":"auto"}}]},
      {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"{\"temp_c\":18}"}],
     "tools":[chat_tool("get_weather")],
     "tool_choice":"auto","parallel_tool_calls":true});
    let (chunks, done) = chat_chunks(&sim, &chat).await;
    assert!(done);
    assert_eq!(
        chat_text(&chunks),
        "The tool get_weather returned: {\"temp_c\":18}"
    );
}
