//! The OpenAI Responses API client (model-apis §1–§2): `POST {base}/responses` with
//! `stream:true` and `store:false` (the whole history on every call, nothing kept upstream), and
//! the parser that turns its `response.*` events into [`ModelEvent`]s.
//!
//! The parser dispatches on the JSON `type` (never the `event:` line), ignores types it does not
//! know, and ends the stream at the first terminal event: `response.completed` or
//! `response.incomplete` ([`ModelEvent::Completed`]), `response.failed` or `error` (an error). A
//! body that ends before one of those is [`ModelErrorKind::Interrupted`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::http::{Transport, code_text, error_code, kind_for_code};
use super::sse::{EventParser, Pending};
use super::synthesize_call_id;
use crate::model::{
    Annotation, AudioClip, FunctionTool, InputItem, InputPart, ModelClient, ModelError,
    ModelErrorKind, ModelEvent, ModelRequest, ModelStream, Role, ToolCall, ToolChoice, Usage,
};

/// A Responses API server.
pub(crate) struct ResponsesClient {
    /// The connection pool and its policy.
    transport: Transport,
}

impl ResponsesClient {
    /// A client over `transport`.
    pub(crate) fn new(transport: Transport) -> Self {
        Self { transport }
    }
}

impl fmt::Debug for ResponsesClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponsesClient")
            .field("base_url", &self.transport.base_url())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl ModelClient for ResponsesClient {
    async fn stream(&self, request: &ModelRequest) -> Result<ModelStream, ModelError> {
        let body = RequestBody::new(request);
        self.transport
            .stream("responses", &body, ResponsesParser::default())
            .await
    }

    async fn transcribe(&self, audio: AudioClip, model: &str) -> Result<String, ModelError> {
        self.transport.transcribe(audio, model).await
    }
}

/// The request body (model-apis §1), borrowing from the [`ModelRequest`].
#[derive(Serialize)]
struct RequestBody<'a> {
    model: &'a str,
    stream: bool,
    store: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    instructions: Option<&'a str>,
    input: Vec<Item<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Tool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<Choice<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning: Option<Reasoning<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_output_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
}

impl<'a> RequestBody<'a> {
    /// The body for `request`.
    fn new(request: &'a ModelRequest) -> Self {
        let settings = &request.settings;
        let reasoning = (settings.reasoning_effort.is_some()
            || settings.reasoning_summary.is_some())
        .then_some(Reasoning {
            effort: settings.reasoning_effort.as_deref(),
            summary: settings.reasoning_summary.as_deref(),
        });
        Self {
            model: &request.model,
            stream: true,
            store: false,
            instructions: request.instructions.as_deref(),
            input: request.input.iter().map(Item::new).collect(),
            tools: request.tools.iter().map(Tool::new).collect(),
            // A tool choice without tools is an error upstream.
            tool_choice: (!request.tools.is_empty()).then(|| Choice::new(&request.tool_choice)),
            reasoning,
            max_output_tokens: settings.max_output_tokens,
            temperature: settings.temperature,
        }
    }
}

/// One `input` item.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Item<'a> {
    Message {
        role: &'static str,
        content: Vec<Part<'a>>,
    },
    FunctionCall {
        call_id: &'a str,
        name: &'a str,
        arguments: &'a str,
    },
    FunctionCallOutput {
        call_id: &'a str,
        output: &'a str,
    },
}

impl<'a> Item<'a> {
    /// The wire form of `item`.
    fn new(item: &'a InputItem) -> Self {
        match item {
            InputItem::Message { role, content } => Item::Message {
                role: match role {
                    Role::User => "user",
                    Role::System => "system",
                    Role::Developer => "developer",
                },
                content: content.iter().map(Part::new).collect(),
            },
            InputItem::AssistantText { text } => Item::Message {
                role: "assistant",
                content: vec![Part::OutputText {
                    text,
                    annotations: [],
                }],
            },
            InputItem::FunctionCall {
                call_id,
                name,
                arguments,
            } => Item::FunctionCall {
                call_id,
                name,
                arguments,
            },
            InputItem::FunctionCallOutput { call_id, output } => {
                Item::FunctionCallOutput { call_id, output }
            }
        }
    }
}

/// One part of a message's `content`.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Part<'a> {
    InputText {
        text: &'a str,
    },
    InputImage {
        image_url: &'a str,
        detail: &'a str,
    },
    InputFile {
        filename: &'a str,
        file_data: &'a str,
    },
    OutputText {
        text: &'a str,
        annotations: [(); 0],
    },
}

impl<'a> Part<'a> {
    /// The wire form of `part`.
    fn new(part: &'a InputPart) -> Self {
        match part {
            InputPart::Text(text) => Part::InputText { text },
            InputPart::Image { url, detail } => Part::InputImage {
                image_url: url,
                detail,
            },
            InputPart::File { filename, data_url } => Part::InputFile {
                filename,
                file_data: data_url,
            },
        }
    }
}

/// A (flat) function tool.
#[derive(Serialize)]
struct Tool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    parameters: &'a Value,
    strict: bool,
}

impl<'a> Tool<'a> {
    /// The wire form of `tool`.
    fn new(tool: &'a FunctionTool) -> Self {
        Self {
            kind: "function",
            name: &tool.name,
            description: tool.description.as_deref(),
            parameters: &tool.parameters,
            strict: tool.strict,
        }
    }
}

/// `tool_choice`: a mode string or a named function.
#[derive(Serialize)]
#[serde(untagged)]
enum Choice<'a> {
    Mode(&'static str),
    Function {
        #[serde(rename = "type")]
        kind: &'static str,
        name: &'a str,
    },
}

impl<'a> Choice<'a> {
    /// The wire form of `choice`.
    fn new(choice: &'a ToolChoice) -> Self {
        match choice {
            ToolChoice::Auto => Choice::Mode("auto"),
            ToolChoice::None => Choice::Mode("none"),
            ToolChoice::Required => Choice::Mode("required"),
            ToolChoice::Function(name) => Choice::Function {
                kind: "function",
                name,
            },
        }
    }
}

/// `reasoning`, with only the keys that are set.
#[derive(Serialize)]
struct Reasoning<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    effort: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
}

/// The fields of a stream event the parser reads; the hot events (deltas) borrow their text.
#[derive(Deserialize)]
struct RawEvent<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default)]
    output_index: Option<u64>,
    #[serde(default, borrow)]
    delta: Option<Cow<'a, str>>,
    #[serde(default)]
    summary_index: Option<usize>,
    #[serde(default)]
    content_index: Option<usize>,
    #[serde(default, borrow)]
    item_id: Option<Cow<'a, str>>,
    #[serde(default)]
    arguments: Option<String>,
    #[serde(default)]
    item: Option<Value>,
    #[serde(default)]
    annotation: Option<Value>,
    #[serde(default)]
    response: Option<ResponseObject>,
    #[serde(default)]
    partial_image_b64: Option<String>,
    #[serde(default)]
    partial_image_index: Option<u32>,
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error: Option<Value>,
}

/// Just the `type` of an event, to tell an unknown event from a malformed known one.
#[derive(Deserialize)]
struct EventType<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
}

/// The parts of the `response` object the terminal events need.
#[derive(Deserialize, Default)]
struct ResponseObject {
    #[serde(default)]
    usage: Option<RawUsage>,
    #[serde(default)]
    incomplete_details: Option<IncompleteDetails>,
    #[serde(default)]
    error: Option<Value>,
}

/// Token counts of a response.
#[derive(Deserialize)]
struct RawUsage {
    #[serde(default)]
    input_tokens: Option<u64>,
    #[serde(default)]
    output_tokens: Option<u64>,
}

/// Why a response is incomplete.
#[derive(Deserialize)]
struct IncompleteDetails {
    #[serde(default)]
    reason: Option<String>,
}

/// A function call being streamed.
#[derive(Default)]
struct PendingCall {
    /// The item id (`fc_…`).
    id: String,
    /// The call id (`call_…`).
    call_id: String,
    /// The tool's name (from `output_item.added`).
    name: String,
    /// The arguments so far.
    arguments: String,
}

/// The Responses stream parser (model-apis §2).
#[derive(Default)]
pub(crate) struct ResponsesParser {
    /// The text of each open message, by `output_index`.
    messages: HashMap<u64, String>,
    /// Each open function call, by `output_index`.
    calls: HashMap<u64, PendingCall>,
    /// The `output_index`es of open reasoning items.
    reasoning: Vec<u64>,
    /// How many call ids were synthesized.
    synthesized: usize,
}

impl EventParser for ResponsesParser {
    fn data(&mut self, data: &str, out: &mut Pending) -> bool {
        let data = data.trim();
        if data.is_empty() || data == "[DONE]" {
            return false;
        }
        match serde_json::from_str::<RawEvent<'_>>(data) {
            Ok(event) => self.event(event, out),
            Err(error) => match serde_json::from_str::<EventType<'_>>(data) {
                Ok(event) if !is_known(&event.kind) => false,
                _ => {
                    out.push_back(Err(ModelError::new(
                        ModelErrorKind::Protocol,
                        format!("unreadable Responses stream event: {error}"),
                    )));
                    true
                }
            },
        }
    }

    fn end(&mut self, out: &mut Pending) {
        out.push_back(Err(ModelError::new(
            ModelErrorKind::Interrupted,
            "the Responses stream ended without a terminal event",
        )));
    }
}

/// The event types the parser acts on.
fn is_known(kind: &str) -> bool {
    matches!(
        kind,
        "response.output_item.added"
            | "response.output_item.done"
            | "response.output_text.delta"
            | "response.refusal.delta"
            | "response.output_text.annotation.added"
            | "response.reasoning_summary_text.delta"
            | "response.reasoning_text.delta"
            | "response.function_call_arguments.delta"
            | "response.function_call_arguments.done"
            | "response.image_generation_call.partial_image"
            | "response.completed"
            | "response.incomplete"
            | "response.failed"
            | "error"
    )
}

impl ResponsesParser {
    /// Handles one decoded event; `true` when it ends the stream.
    fn event(&mut self, event: RawEvent<'_>, out: &mut Pending) -> bool {
        let index = event.output_index.unwrap_or(0);
        match &*event.kind {
            "response.output_item.added" => {
                let Some(item) = &event.item else {
                    return false;
                };
                match item_type(item) {
                    "reasoning" => {
                        self.reasoning.push(index);
                        out.push_back(Ok(ModelEvent::ReasoningStarted));
                    }
                    "message" => {
                        self.messages.insert(index, String::new());
                        out.push_back(Ok(ModelEvent::MessageStarted));
                    }
                    "function_call" => {
                        self.calls.insert(
                            index,
                            PendingCall {
                                id: str_field(item, "id").to_owned(),
                                call_id: str_field(item, "call_id").to_owned(),
                                name: str_field(item, "name").to_owned(),
                                arguments: str_field(item, "arguments").to_owned(),
                            },
                        );
                    }
                    _ => {}
                }
            }
            "response.output_text.delta" | "response.refusal.delta" => {
                if let Some(delta) = event.delta.filter(|delta| !delta.is_empty()) {
                    let text = self.messages.entry(index).or_insert_with(|| {
                        // A server that skipped `output_item.added`.
                        out.push_back(Ok(ModelEvent::MessageStarted));
                        String::new()
                    });
                    text.push_str(&delta);
                    out.push_back(Ok(ModelEvent::TextDelta(delta.into_owned())));
                }
            }
            "response.output_text.annotation.added" => {
                if let Some(annotation) = event.annotation.as_ref().and_then(annotation) {
                    out.push_back(Ok(ModelEvent::Annotation(annotation)));
                }
            }
            "response.reasoning_summary_text.delta" | "response.reasoning_text.delta" => {
                if let Some(delta) = event.delta.filter(|delta| !delta.is_empty()) {
                    if !self.reasoning.contains(&index) {
                        self.reasoning.push(index);
                        out.push_back(Ok(ModelEvent::ReasoningStarted));
                    }
                    let part = if event.kind == "response.reasoning_text.delta" {
                        event.content_index
                    } else {
                        event.summary_index
                    };
                    out.push_back(Ok(ModelEvent::ReasoningDelta {
                        part: part.unwrap_or(0),
                        delta: delta.into_owned(),
                    }));
                }
            }
            "response.function_call_arguments.delta" => {
                if let Some(delta) = event.delta {
                    let call = self.calls.entry(index).or_default();
                    if call.id.is_empty()
                        && let Some(id) = event.item_id
                    {
                        call.id = id.into_owned();
                    }
                    call.arguments.push_str(&delta);
                }
            }
            "response.function_call_arguments.done" => {
                if let Some(arguments) = event.arguments {
                    self.calls.entry(index).or_default().arguments = arguments;
                }
            }
            "response.image_generation_call.partial_image" => {
                if let Some(b64) = event.partial_image_b64 {
                    out.push_back(Ok(ModelEvent::ImagePartial {
                        id: event.item_id.map(Cow::into_owned).unwrap_or_default(),
                        b64,
                        index: event.partial_image_index.unwrap_or(0),
                    }));
                }
            }
            "response.output_item.done" => {
                if let Some(item) = &event.item {
                    self.item_done(index, item, out);
                }
            }
            "response.completed" | "response.incomplete" => {
                self.close_open_items(out);
                let response = event.response.unwrap_or_default();
                let mut incomplete = response
                    .incomplete_details
                    .and_then(|details| details.reason);
                if incomplete.is_none() && event.kind == "response.incomplete" {
                    incomplete = Some("unknown".to_owned());
                }
                out.push_back(Ok(ModelEvent::Completed {
                    usage: response.usage.map(|usage| Usage {
                        input_tokens: usage.input_tokens.unwrap_or(0),
                        output_tokens: usage.output_tokens.unwrap_or(0),
                    }),
                    incomplete,
                }));
                return true;
            }
            "response.failed" => {
                let error = event.response.and_then(|response| response.error);
                out.push_back(Err(stream_error(
                    error.as_ref(),
                    None,
                    None,
                    "the response failed",
                )));
                return true;
            }
            "error" => {
                out.push_back(Err(stream_error(
                    event.error.as_ref(),
                    event.code.as_ref(),
                    event.message,
                    "the stream reported an error",
                )));
                return true;
            }
            _ => {}
        }
        false
    }

    /// `response.output_item.done`: ends a reasoning item or a message, or completes a function
    /// call or a generated image.
    fn item_done(&mut self, index: u64, item: &Value, out: &mut Pending) {
        match item_type(item) {
            "reasoning" => {
                self.reasoning.retain(|open| *open != index);
                out.push_back(Ok(ModelEvent::ReasoningDone));
            }
            "message" => {
                let streamed = self.messages.remove(&index);
                let mut text = streamed.clone().unwrap_or_default();
                if text.is_empty() {
                    // A server that sent the text only in the finished item.
                    let whole = message_text(item);
                    if !whole.is_empty() {
                        if streamed.is_none() {
                            out.push_back(Ok(ModelEvent::MessageStarted));
                        }
                        out.push_back(Ok(ModelEvent::TextDelta(whole.clone())));
                        text = whole;
                    }
                }
                if streamed.is_some() || !text.is_empty() {
                    out.push_back(Ok(ModelEvent::MessageDone { text }));
                }
            }
            "function_call" => {
                let pending = self.calls.remove(&index).unwrap_or_default();
                let pick = |field: &str, fallback: String| match str_field(item, field) {
                    "" => fallback,
                    value => value.to_owned(),
                };
                let id = pick("id", pending.id);
                let mut call_id = pick("call_id", pending.call_id);
                if call_id.is_empty() {
                    call_id = if id.is_empty() {
                        self.synthesized += 1;
                        synthesize_call_id(self.synthesized - 1)
                    } else {
                        id
                    };
                }
                out.push_back(Ok(ModelEvent::ToolCall(ToolCall {
                    call_id,
                    name: pick("name", pending.name),
                    arguments: match item.get("arguments").and_then(Value::as_str) {
                        Some(arguments) => arguments.to_owned(),
                        None => pending.arguments,
                    },
                })));
            }
            "image_generation_call" => {
                if let Some(b64) = item.get("result").and_then(Value::as_str)
                    && !b64.is_empty()
                {
                    out.push_back(Ok(ModelEvent::ImageDone {
                        id: str_field(item, "id").to_owned(),
                        b64: b64.to_owned(),
                    }));
                }
            }
            _ => {}
        }
    }

    /// Before the terminal event: ends reasoning items and messages a server left open, so every
    /// start has its end.
    fn close_open_items(&mut self, out: &mut Pending) {
        for _ in self.reasoning.drain(..) {
            out.push_back(Ok(ModelEvent::ReasoningDone));
        }
        let mut messages: Vec<(u64, String)> = self.messages.drain().collect();
        messages.sort_by_key(|(index, _)| *index);
        for (_, text) in messages {
            out.push_back(Ok(ModelEvent::MessageDone { text }));
        }
    }
}

/// An item's `type`.
fn item_type(item: &Value) -> &str {
    str_field(item, "type")
}

/// A string field of an object, or `""`.
fn str_field<'v>(value: &'v Value, field: &str) -> &'v str {
    value.get(field).and_then(Value::as_str).unwrap_or("")
}

/// The text of a finished message item: its `output_text` (and `refusal`) parts joined.
fn message_text(item: &Value) -> String {
    let mut text = String::new();
    for part in item
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match item_type(part) {
            "output_text" => text.push_str(str_field(part, "text")),
            "refusal" => text.push_str(str_field(part, "refusal")),
            _ => {}
        }
    }
    text
}

/// A citation (model-apis §2.3) as an [`Annotation`]; `None` for kinds the runtime does not show.
fn annotation(value: &Value) -> Option<Annotation> {
    let index = |field: &str| {
        value
            .get(field)
            .and_then(Value::as_u64)
            .and_then(|index| usize::try_from(index).ok())
    };
    match item_type(value) {
        "url_citation" => Some(Annotation::Url {
            url: str_field(value, "url").to_owned(),
            title: str_field(value, "title").to_owned(),
            index: index("end_index"),
        }),
        "file_citation" => Some(Annotation::File {
            filename: str_field(value, "filename").to_owned(),
            index: index("index"),
        }),
        "container_file_citation" => Some(Annotation::File {
            filename: str_field(value, "filename").to_owned(),
            index: index("end_index"),
        }),
        _ => None,
    }
}

/// An error reported inside the stream: `code`/`message` read from the flat fields or the
/// nested `error` object (model-apis §2.11), the kind from the code.
fn stream_error(
    nested: Option<&Value>,
    flat_code: Option<&Value>,
    flat_message: Option<String>,
    fallback: &str,
) -> ModelError {
    let nested = nested.filter(|error| error.is_object());
    let code = flat_code
        .and_then(code_text)
        .or_else(|| nested.and_then(error_code));
    let message = flat_message
        .filter(|message| !message.is_empty())
        .or_else(|| {
            nested
                .and_then(|error| error.get("message"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| fallback.to_owned());
    ModelError {
        kind: kind_for_code(code.as_deref()),
        message,
        code,
        status: None,
        retry_after: None,
    }
}
