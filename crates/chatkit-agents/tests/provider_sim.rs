//! Both providers against the simulator (`chatkit-sim`), which validates the request bodies with
//! its own code and scripts replies from markers in the last user message: plain text, a tool
//! call round trip, reasoning, citations, failures before and after the 200, retries, a stream
//! cut mid-way, and the `api-key` header style.

use std::sync::Arc;
use std::time::Duration;

use chatkit_agents::model::{
    Annotation, FunctionTool, InputItem, InputPart, ModelClient, ModelError, ModelErrorKind,
    ModelEvent, ModelRequest, ModelSettings, Role, ToolCall, ToolChoice,
};
use chatkit_agents::provider::{AuthStyle, ProviderConfig, ProviderKind, connect};
use chatkit_sim::SimHandle;
use futures::StreamExt;
use secrecy::SecretString;
use serde_json::{Value, json};

const KEY: &str = "sk-sim-0123456789abcdef";
const KINDS: [ProviderKind; 2] = [ProviderKind::Responses, ProviderKind::ChatCompletions];

/// The endpoint path each provider calls.
fn path(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Responses => "/v1/responses",
        ProviderKind::ChatCompletions => "/v1/chat/completions",
    }
}

fn config(kind: ProviderKind, sim: &SimHandle) -> ProviderConfig {
    ProviderConfig {
        kind,
        response_timeout: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(10),
        ..ProviderConfig::openai(format!("{}/v1", sim.base_url()), SecretString::from(KEY))
    }
}

fn client(kind: ProviderKind, sim: &SimHandle) -> Arc<dyn ModelClient> {
    connect(config(kind, sim)).unwrap()
}

fn ask(text: &str) -> ModelRequest {
    ModelRequest {
        model: "gpt-5-mini".to_owned(),
        instructions: Some("You are a helpful assistant.".to_owned()),
        input: vec![InputItem::Message {
            role: Role::User,
            content: vec![InputPart::Text(text.to_owned())],
        }],
        tools: Vec::new(),
        tool_choice: ToolChoice::Auto,
        settings: ModelSettings::default(),
    }
}

/// Runs one call: its events, and the error that ended the stream, if one did.
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

/// The text deltas of `events`, joined.
fn deltas(events: &[ModelEvent]) -> String {
    events
        .iter()
        .filter_map(|event| match event {
            ModelEvent::TextDelta(delta) => Some(delta.as_str()),
            _ => None,
        })
        .collect()
}

/// The text of the `MessageDone` of `events`.
fn message(events: &[ModelEvent]) -> Option<&str> {
    events.iter().find_map(|event| match event {
        ModelEvent::MessageDone { text } => Some(text.as_str()),
        _ => None,
    })
}

fn tool_calls(events: &[ModelEvent]) -> Vec<ToolCall> {
    events
        .iter()
        .filter_map(|event| match event {
            ModelEvent::ToolCall(call) => Some(call.clone()),
            _ => None,
        })
        .collect()
}

fn assert_completed(events: &[ModelEvent], incomplete: Option<&str>) {
    match events.last() {
        Some(ModelEvent::Completed {
            usage,
            incomplete: reason,
        }) => {
            assert!(usage.is_some_and(|usage| usage.input_tokens > 0));
            assert_eq!(reason.as_deref(), incomplete);
        }
        other => panic!("ends with {other:?}"),
    }
}

#[tokio::test]
async fn plain_text_streams_word_by_word_on_both_providers() {
    let sim = SimHandle::spawn().await.unwrap();
    for kind in KINDS {
        let (events, error) = run(&client(kind, &sim), &ask("Hello there, simulator"))
            .await
            .unwrap();

        assert_eq!(error, None, "{kind:?}");
        assert_eq!(events.first(), Some(&ModelEvent::MessageStarted));
        let text = "Simulated reply to: Hello there, simulator";
        assert_eq!(message(&events), Some(text), "{kind:?}");
        assert_eq!(deltas(&events), text);
        assert!(events.len() > 5, "word deltas: {events:?}");
        assert_completed(&events, None);
    }
    let requests = sim.sim.requests();
    assert_eq!(
        requests.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
        KINDS.map(path)
    );
}

#[tokio::test]
async fn a_tool_call_round_trip_carries_the_call_and_its_output() {
    let sim = SimHandle::spawn().await.unwrap();
    for kind in KINDS {
        sim.sim.clear_requests();
        let client = client(kind, &sim);
        let mut request = ask("What's the weather? [[tool:get_weather {\"city\":\"Paris\"}]]");
        request.tools = vec![FunctionTool {
            name: "get_weather".to_owned(),
            description: Some("Current weather in a city".to_owned()),
            parameters: json!({"type": "object", "properties": {"city": {"type": "string"}},
                "required": ["city"], "additionalProperties": false}),
            strict: true,
        }];

        let (events, error) = run(&client, &request).await.unwrap();

        assert_eq!(error, None, "{kind:?}");
        let calls = tool_calls(&events);
        assert_eq!(calls.len(), 1, "{kind:?}: {events:?}");
        let call = &calls[0];
        assert_eq!(call.name, "get_weather");
        assert!(!call.call_id.is_empty());
        assert_eq!(
            serde_json::from_str::<Value>(&call.arguments).unwrap(),
            json!({"city": "Paris"})
        );
        assert_completed(&events, None);

        request.input.extend([
            InputItem::FunctionCall {
                call_id: call.call_id.clone(),
                name: call.name.clone(),
                arguments: call.arguments.clone(),
            },
            InputItem::FunctionCallOutput {
                call_id: call.call_id.clone(),
                output: "{\"temp_c\":18}".to_owned(),
            },
        ]);
        let (events, error) = run(&client, &request).await.unwrap();

        assert_eq!(error, None, "{kind:?}");
        assert_eq!(
            message(&events),
            Some("The tool get_weather returned: {\"temp_c\":18}"),
            "{kind:?}"
        );
        let requests = sim.sim.requests();
        assert_eq!(requests.len(), 2);
        let history = requests[1].body.to_string();
        assert!(
            history.contains(&call.call_id) && history.contains("{\\\"temp_c\\\":18}"),
            "{history}"
        );
    }
}

#[tokio::test]
async fn reasoning_arrives_before_the_message() {
    let sim = SimHandle::spawn().await.unwrap();
    for kind in KINDS {
        let mut request = ask("[[reason]] Why is the sky blue?");
        request.settings.reasoning_effort = Some("low".to_owned());
        request.settings.reasoning_summary = Some("auto".to_owned());

        let (events, error) = run(&client(kind, &sim), &request).await.unwrap();

        assert_eq!(error, None, "{kind:?}");
        assert_eq!(events.first(), Some(&ModelEvent::ReasoningStarted));
        let done = events
            .iter()
            .position(|event| *event == ModelEvent::ReasoningDone)
            .expect("reasoning done");
        let started = events
            .iter()
            .position(|event| *event == ModelEvent::MessageStarted)
            .expect("a message");
        assert!(done < started);
        let reasoning: String = events[..done]
            .iter()
            .filter_map(|event| match event {
                ModelEvent::ReasoningDelta { delta, .. } => Some(delta.as_str()),
                _ => None,
            })
            .collect();
        assert!(
            reasoning.contains("Considering the question."),
            "{reasoning}"
        );
        assert_eq!(
            message(&events),
            Some("Simulated reply to: Why is the sky blue?")
        );
        assert_completed(&events, None);
    }
}

#[tokio::test]
async fn a_citation_comes_with_the_responses_text() {
    let sim = SimHandle::spawn().await.unwrap();
    let (events, error) = run(
        &client(ProviderKind::Responses, &sim),
        &ask("[[cite]] Tell me more"),
    )
    .await
    .unwrap();

    assert_eq!(error, None);
    let text = message(&events).unwrap();
    let citation = events
        .iter()
        .find_map(|event| match event {
            ModelEvent::Annotation(annotation) => Some(annotation.clone()),
            _ => None,
        })
        .expect("a citation");
    assert_eq!(
        citation,
        Annotation::Url {
            url: "https://example.com/source".to_owned(),
            title: "Example source".to_owned(),
            index: Some(text.trim_end().chars().count()),
        }
    );
}

#[tokio::test]
async fn a_failure_after_the_200_is_a_server_error_and_is_not_retried() {
    let sim = SimHandle::spawn().await.unwrap();
    for kind in KINDS {
        sim.sim.clear_requests();
        let (events, error) = run(&client(kind, &sim), &ask("[[error]] Hello"))
            .await
            .unwrap();

        let error = error.expect("an error");
        assert_eq!(error.kind, ModelErrorKind::Server, "{kind:?}");
        assert_eq!(error.code.as_deref(), Some("server_error"));
        assert!(
            !events
                .iter()
                .any(|event| matches!(event, ModelEvent::Completed { .. }))
        );
        assert_eq!(sim.sim.requests().len(), 1);
    }
}

#[tokio::test]
async fn a_429_is_retried_then_given_up() {
    let sim = SimHandle::spawn().await.unwrap();
    for kind in KINDS {
        sim.sim.clear_requests();
        let error = run(&client(kind, &sim), &ask("[[error:429]] Hello"))
            .await
            .unwrap_err();

        assert_eq!(error.kind, ModelErrorKind::RateLimited, "{kind:?}");
        assert_eq!(error.status, Some(429));
        assert_eq!(error.code.as_deref(), Some("rate_limit_exceeded"));
        assert_eq!(error.retry_after, Some(Duration::from_millis(20)));
        let requests = sim.sim.requests();
        assert_eq!(requests.len(), 3, "3 attempts with the default 2 retries");
        let counts: Vec<_> = requests
            .iter()
            .map(|r| r.headers.get("x-stainless-retry-count").cloned())
            .collect();
        assert_eq!(counts, ["0", "1", "2"].map(|n| Some(n.to_owned())).to_vec());
    }
}

#[tokio::test]
async fn quota_and_bad_requests_are_not_retried() {
    let sim = SimHandle::spawn().await.unwrap();
    for kind in KINDS {
        for (marker, kind_expected, code) in [
            (
                "[[quota]]",
                ModelErrorKind::RateLimited,
                "insufficient_quota",
            ),
            ("[[error:400]]", ModelErrorKind::BadRequest, "invalid_value"),
            ("[[error:401]]", ModelErrorKind::Auth, "invalid_api_key"),
        ] {
            sim.sim.clear_requests();
            let error = run(&client(kind, &sim), &ask(&format!("{marker} Hello")))
                .await
                .unwrap_err();
            assert_eq!(
                (error.kind, error.code.as_deref()),
                (kind_expected, Some(code)),
                "{kind:?} {marker}"
            );
            assert!(!error.message.contains(KEY));
            assert_eq!(sim.sim.requests().len(), 1, "{kind:?} {marker}");
        }
    }
}

#[tokio::test]
async fn a_flaky_server_succeeds_on_the_retry() {
    let sim = SimHandle::spawn().await.unwrap();
    for kind in KINDS {
        sim.sim.clear_requests();
        let (events, error) = run(&client(kind, &sim), &ask("[[flaky]] Hello"))
            .await
            .unwrap();

        assert_eq!(error, None, "{kind:?}");
        assert_eq!(message(&events), Some("Simulated reply to: Hello"));
        assert_eq!(sim.sim.requests().len(), 2, "{kind:?}");
    }
}

#[tokio::test]
async fn a_stream_cut_midway_is_interrupted_after_some_deltas() {
    let sim = SimHandle::spawn().await.unwrap();
    for kind in KINDS {
        sim.sim.clear_requests();
        let (events, error) = run(
            &client(kind, &sim),
            &ask("[[midfail]] Tell me a rather long story about the sea"),
        )
        .await
        .unwrap();

        assert_eq!(
            error.map(|error| error.kind),
            Some(ModelErrorKind::Interrupted),
            "{kind:?}"
        );
        assert!(!deltas(&events).is_empty(), "{kind:?}: {events:?}");
        assert!(message(&events).is_none());
        assert_eq!(
            sim.sim.requests().len(),
            1,
            "a started stream is never replayed"
        );
    }
}

#[tokio::test]
async fn an_incomplete_reply_completes_with_the_reason() {
    let sim = SimHandle::spawn().await.unwrap();
    for kind in KINDS {
        let (events, error) = run(
            &client(kind, &sim),
            &ask("[[incomplete]] Tell me a rather long story about the sea"),
        )
        .await
        .unwrap();

        assert_eq!(error, None, "{kind:?}");
        assert!(!deltas(&events).is_empty());
        assert_completed(&events, Some("max_output_tokens"));
    }
}

#[tokio::test]
async fn the_api_key_header_style_is_accepted() {
    let sim = SimHandle::spawn().await.unwrap();
    for kind in KINDS {
        sim.sim.clear_requests();
        let client = connect(ProviderConfig {
            auth: AuthStyle::ApiKey,
            ..config(kind, &sim)
        })
        .unwrap();

        let (events, error) = run(&client, &ask("Hello")).await.unwrap();

        assert_eq!(error, None, "{kind:?}");
        assert_eq!(message(&events), Some("Simulated reply to: Hello"));
        let request = sim.sim.requests().remove(0);
        assert_eq!(
            request.headers.get("api-key").map(String::as_str),
            Some(KEY)
        );
        assert!(!request.headers.contains_key("authorization"));
    }
}

#[tokio::test]
async fn a_hanging_server_times_out_and_a_slow_one_does_not() {
    let sim = SimHandle::spawn().await.unwrap();
    for kind in KINDS {
        let client = connect(ProviderConfig {
            response_timeout: Duration::from_millis(300),
            idle_timeout: Duration::from_millis(500),
            max_retries: 0,
            ..config(kind, &sim)
        })
        .unwrap();

        let error = run(&client, &ask("[[hang]] Hello")).await.unwrap_err();
        assert_eq!(error.kind, ModelErrorKind::Timeout, "{kind:?}");

        let (events, error) = run(&client, &ask("[[slow]] Hello")).await.unwrap();
        assert_eq!(error, None, "{kind:?}");
        assert_completed(&events, None);
    }
}

#[tokio::test]
async fn transcription_answers_the_text() {
    let sim = SimHandle::spawn().await.unwrap();
    let text = client(ProviderKind::Responses, &sim)
        .transcribe(
            chatkit_agents::model::AudioClip {
                data: bytes::Bytes::from_static(b"RIFF-not-really-audio"),
                mime_type: "audio/wav".to_owned(),
            },
            "gpt-4o-mini-transcribe",
        )
        .await
        .unwrap();
    assert_eq!(text, "This is a simulated transcription.");
}

#[tokio::test]
async fn every_input_kind_and_setting_is_accepted() {
    let sim = SimHandle::spawn().await.unwrap();
    let request = ModelRequest {
        model: "gpt-5-mini".to_owned(),
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
                        url: "data:image/png;base64,iVBORw0KGgo=".to_owned(),
                        detail: "auto".to_owned(),
                    },
                    InputPart::File {
                        filename: "spec.pdf".to_owned(),
                        data_url: "data:application/pdf;base64,JVBERi0=".to_owned(),
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
        tool_choice: ToolChoice::Required,
        settings: ModelSettings {
            temperature: Some(0.5),
            max_output_tokens: Some(500),
            reasoning_effort: Some("low".to_owned()),
            reasoning_summary: Some("auto".to_owned()),
        },
    };
    for kind in KINDS {
        let (events, error) = run(&client(kind, &sim), &request).await.unwrap();
        assert_eq!(error, None, "{kind:?}");
        assert_completed(&events, None);
    }
}
