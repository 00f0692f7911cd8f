//! The OpenAI-compatible Chat Completions client (model-apis §3): `POST {base}/chat/completions`
//! with `stream:true`, and the parser that turns `chat.completion.chunk`s into [`ModelEvent`]s,
//! tolerant of the deviations of compatible servers (§3.1).
//!
//! Request: the instructions become a leading `system` message, developer messages become
//! `system`, consecutive function calls (with the assistant text just before them) form one
//! assistant message with `tool_calls`, and each output a `tool` message. A message whose content
//! is a single text is sent as a plain string, which every compatible server accepts.
//!
//! Stream: reasoning (`delta.reasoning_content`, else `delta.reasoning`, or a `<think>…</think>`
//! block leading the content) becomes one reasoning item (part 0), the content one message; tool-call fragments are accumulated by `index` (the array
//! position when absent) in a map, their `id`/`name` taken once and never concatenated, and the
//! calls are emitted at the end, decided by what accumulated rather than by `finish_reason`. The
//! stream is complete only with a `finish_reason` and `[DONE]`; otherwise it is
//! [`ModelErrorKind::Interrupted`].

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::http::{Transport, error_code, kind_for_code};
use super::sse::{EventParser, Pending};
use super::synthesize_call_id;
use crate::model::{
    AudioClip, FunctionTool, InputItem, InputPart, ModelClient, ModelError, ModelErrorKind,
    ModelEvent, ModelRequest, ModelStream, Role, ToolCall, ToolChoice, Usage,
};

/// A Chat Completions server.
pub(crate) struct ChatClient {
    /// The connection pool and its policy.
    transport: Transport,
    /// Whether to ask for a usage chunk.
    include_usage: bool,
}

impl ChatClient {
    /// A client over `transport`.
    pub(crate) fn new(transport: Transport, include_usage: bool) -> Self {
        Self {
            transport,
            include_usage,
        }
    }
}

impl fmt::Debug for ChatClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatClient")
            .field("base_url", &self.transport.base_url())
            .field("include_usage", &self.include_usage)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl ModelClient for ChatClient {
    async fn stream(&self, request: &ModelRequest) -> Result<ModelStream, ModelError> {
        let body = RequestBody::new(request, self.include_usage);
        self.transport
            .stream("chat/completions", &body, ChatParser::default())
            .await
    }

    async fn transcribe(&self, audio: AudioClip, model: &str) -> Result<String, ModelError> {
        self.transport.transcribe(audio, model).await
    }
}

/// The request body (model-apis §3), borrowing from the [`ModelRequest`].
#[derive(Serialize)]
struct RequestBody<'a> {
    model: &'a str,
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
    messages: Vec<Message<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Tool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<Choice<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning_effort: Option<&'a str>,
}

impl<'a> RequestBody<'a> {
    /// The body for `request`.
    fn new(request: &'a ModelRequest, include_usage: bool) -> Self {
        let settings = &request.settings;
        Self {
            model: &request.model,
            stream: true,
            stream_options: include_usage.then_some(StreamOptions {
                include_usage: true,
            }),
            messages: messages(request),
            tools: request.tools.iter().map(Tool::new).collect(),
            // A tool choice without tools is an error upstream.
            tool_choice: (!request.tools.is_empty()).then(|| Choice::new(&request.tool_choice)),
            max_completion_tokens: settings.max_output_tokens,
            temperature: settings.temperature,
            reasoning_effort: settings.reasoning_effort.as_deref(),
        }
    }
}

/// `stream_options`.
#[derive(Serialize)]
struct StreamOptions {
    include_usage: bool,
}

/// One message of `messages`.
#[derive(Serialize)]
struct Message<'a> {
    role: &'static str,
    /// `null` for an assistant message with only tool calls.
    content: Content<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_calls: Vec<CallOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_call_id: Option<&'a str>,
}

impl<'a> Message<'a> {
    /// A message with plain text content.
    fn text(role: &'static str, text: &'a str) -> Self {
        Self {
            role,
            content: Content::Text(text),
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }
}

/// A message's `content`.
#[derive(Serialize)]
#[serde(untagged)]
enum Content<'a> {
    /// `null`.
    None,
    /// A plain string.
    Text(&'a str),
    /// Several texts joined (a multi-part system message).
    Joined(String),
    /// Content parts.
    Parts(Vec<Part<'a>>),
}

/// A user content part.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Part<'a> {
    Text { text: &'a str },
    ImageUrl { image_url: ImageUrl<'a> },
    File { file: FileData<'a> },
}

/// `image_url` of an image part.
#[derive(Serialize)]
struct ImageUrl<'a> {
    url: &'a str,
    detail: &'a str,
}

/// `file` of a file part.
#[derive(Serialize)]
struct FileData<'a> {
    filename: &'a str,
    file_data: &'a str,
}

/// One entry of an assistant message's `tool_calls`.
#[derive(Serialize)]
struct CallOut<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    function: CallFunction<'a>,
}

/// The `function` of a [`CallOut`].
#[derive(Serialize)]
struct CallFunction<'a> {
    name: &'a str,
    arguments: &'a str,
}

/// The `messages` of `request`.
fn messages(request: &ModelRequest) -> Vec<Message<'_>> {
    let mut messages = Vec::with_capacity(request.input.len() + 1);
    if let Some(instructions) = &request.instructions {
        messages.push(Message::text("system", instructions));
    }
    for item in &request.input {
        match item {
            InputItem::Message { role, content } => messages.push(match role {
                Role::User => Message {
                    content: user_content(content),
                    ..Message::text("user", "")
                },
                Role::System | Role::Developer => Message {
                    content: system_content(content),
                    ..Message::text("system", "")
                },
            }),
            InputItem::AssistantText { text } => messages.push(Message::text("assistant", text)),
            InputItem::FunctionCall {
                call_id,
                name,
                arguments,
            } => {
                let call = CallOut {
                    id: call_id,
                    kind: "function",
                    function: CallFunction { name, arguments },
                };
                // Calls made in one turn (after the turn's text, if any) are one assistant message.
                match messages.last_mut() {
                    Some(last) if last.role == "assistant" => last.tool_calls.push(call),
                    _ => messages.push(Message {
                        content: Content::None,
                        tool_calls: vec![call],
                        ..Message::text("assistant", "")
                    }),
                }
            }
            InputItem::FunctionCallOutput { call_id, output } => messages.push(Message {
                tool_call_id: Some(call_id),
                ..Message::text("tool", output)
            }),
        }
    }
    messages
}

/// A user message's content: a string for a single text, parts otherwise.
fn user_content(parts: &[InputPart]) -> Content<'_> {
    if let [InputPart::Text(text)] = parts {
        return Content::Text(text);
    }
    Content::Parts(
        parts
            .iter()
            .map(|part| match part {
                InputPart::Text(text) => Part::Text { text },
                InputPart::Image { url, detail } => Part::ImageUrl {
                    image_url: ImageUrl { url, detail },
                },
                InputPart::File { filename, data_url } => Part::File {
                    file: FileData {
                        filename,
                        file_data: data_url,
                    },
                },
            })
            .collect(),
    )
}

/// A system message's content: its texts as one string (servers' chat templates expect one),
/// or parts when it holds anything else.
fn system_content(parts: &[InputPart]) -> Content<'_> {
    let texts: Option<Vec<&str>> = parts
        .iter()
        .map(|part| match part {
            InputPart::Text(text) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    match texts.as_deref() {
        Some([text]) => Content::Text(text),
        Some(texts) => Content::Joined(texts.join("\n\n")),
        None => user_content(parts),
    }
}

/// A function tool, nested under `function`.
#[derive(Serialize)]
struct Tool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    function: ToolFunction<'a>,
}

/// The `function` of a [`Tool`].
#[derive(Serialize)]
struct ToolFunction<'a> {
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
            function: ToolFunction {
                name: &tool.name,
                description: tool.description.as_deref(),
                parameters: &tool.parameters,
                strict: tool.strict,
            },
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
        function: NamedFunction<'a>,
    },
}

/// `{"name": …}` of a named tool choice.
#[derive(Serialize)]
struct NamedFunction<'a> {
    name: &'a str,
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
                function: NamedFunction { name },
            },
        }
    }
}

/// The fields of a chunk the parser reads; text fragments are borrowed when unescaped.
#[derive(Deserialize)]
struct Chunk<'a> {
    #[serde(default, borrow)]
    choices: Option<Vec<ChunkChoice<'a>>>,
    #[serde(default)]
    usage: Option<ChunkUsage>,
    #[serde(default)]
    error: Option<Value>,
}

/// One choice of a chunk.
#[derive(Deserialize)]
struct ChunkChoice<'a> {
    #[serde(default)]
    index: Option<u64>,
    #[serde(default, borrow)]
    delta: Option<Delta<'a>>,
    #[serde(default)]
    finish_reason: Option<String>,
}

/// A choice's `delta`.
#[derive(Deserialize)]
struct Delta<'a> {
    #[serde(default, borrow)]
    content: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    refusal: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    reasoning_content: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    reasoning: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    tool_calls: Option<Vec<CallFragment<'a>>>,
}

/// A fragment of a tool call.
#[derive(Deserialize)]
struct CallFragment<'a> {
    #[serde(default)]
    index: Option<u64>,
    #[serde(default, borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    function: Option<FunctionFragment<'a>>,
}

/// The `function` of a [`CallFragment`].
#[derive(Deserialize)]
struct FunctionFragment<'a> {
    #[serde(default, borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    arguments: Option<Cow<'a, str>>,
}

/// A usage chunk's counts.
#[derive(Deserialize)]
struct ChunkUsage {
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
}

/// A tool call being accumulated.
#[derive(Default)]
struct PendingCall {
    /// The first non-empty id.
    id: String,
    /// The first non-empty name.
    name: String,
    /// The argument fragments, concatenated.
    arguments: String,
}

/// The Chat Completions stream parser (model-apis §3, §3.1).
#[derive(Default)]
pub(crate) struct ChatParser {
    /// Whether a reasoning item is open.
    reasoning_open: bool,
    /// Whether the message began.
    message_started: bool,
    /// The message text so far.
    text: String,
    /// Tool calls by their `index`.
    calls: BTreeMap<u64, PendingCall>,
    /// The choice's `finish_reason`, once it came.
    finish_reason: Option<String>,
    /// The last usage reported.
    usage: Option<Usage>,
    /// Splits a leading `<think>…</think>` off the content (LM Studio and others, §3.1).
    think: ThinkSplitter,
}

/// A piece of content, after the `<think>` split.
#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Reasoning(String),
    Text(String),
}

/// Where a [`ThinkSplitter`] stands.
#[derive(Debug, Default)]
enum ThinkState {
    /// At the start of the content: it may yet begin with `<think>`.
    #[default]
    Start,
    /// Inside the think block.
    Thinking,
    /// Past it (or there was none).
    Text,
}

/// Routes a leading `<think>…</think>` block of streamed content to reasoning, even when the
/// tags are split across chunks. Content that does not begin with `<think>` passes unchanged.
#[derive(Debug, Default)]
struct ThinkSplitter {
    state: ThinkState,
    /// Content held back until it can be classified (a possible partial tag).
    held: String,
}

const THINK_OPEN: &str = "<think>";
const THINK_CLOSE: &str = "</think>";

impl ThinkSplitter {
    /// Takes one content fragment; returns what can be classified now.
    fn push(&mut self, fragment: &str) -> Vec<Piece> {
        self.held.push_str(fragment);
        let mut out = Vec::new();
        loop {
            match self.state {
                ThinkState::Text => {
                    if !self.held.is_empty() {
                        out.push(Piece::Text(std::mem::take(&mut self.held)));
                    }
                    return out;
                }
                ThinkState::Start => {
                    let trimmed = self.held.trim_start();
                    if let Some(rest) = trimmed.strip_prefix(THINK_OPEN) {
                        self.held = rest.to_owned();
                        self.state = ThinkState::Thinking;
                    } else if THINK_OPEN.starts_with(trimmed) {
                        return out;
                    } else {
                        self.state = ThinkState::Text;
                    }
                }
                ThinkState::Thinking => {
                    if let Some(at) = self.held.find(THINK_CLOSE) {
                        let thought = self.held[..at].to_owned();
                        let rest = self.held[at + THINK_CLOSE.len()..].trim_start().to_owned();
                        if !thought.is_empty() {
                            out.push(Piece::Reasoning(thought));
                        }
                        self.held = rest;
                        self.state = ThinkState::Text;
                        continue;
                    }
                    // Keep back what could be the start of a split closing tag.
                    let keep = (1..THINK_CLOSE.len())
                        .rev()
                        .find(|n| self.held.ends_with(&THINK_CLOSE[..*n]))
                        .unwrap_or(0);
                    let cut = self.held.len() - keep;
                    if cut > 0 {
                        let thought: String = self.held.drain(..cut).collect();
                        out.push(Piece::Reasoning(thought));
                    }
                    return out;
                }
            }
        }
    }

    /// The end of the content: whatever is held back, as what it was.
    fn finish(&mut self) -> Option<Piece> {
        let held = std::mem::take(&mut self.held);
        if held.is_empty() {
            return None;
        }
        Some(match self.state {
            ThinkState::Thinking => Piece::Reasoning(held),
            ThinkState::Start | ThinkState::Text => Piece::Text(held),
        })
    }
}

impl EventParser for ChatParser {
    fn data(&mut self, data: &str, out: &mut Pending) -> bool {
        let data = data.trim();
        if data == "[DONE]" {
            self.done(out);
            return true;
        }
        if data.is_empty() {
            return false;
        }
        let chunk = match serde_json::from_str::<Chunk<'_>>(data) {
            Ok(chunk) => chunk,
            Err(error) => {
                out.push_back(Err(ModelError::new(
                    ModelErrorKind::Protocol,
                    format!("unreadable chat completion chunk: {error}"),
                )));
                return true;
            }
        };
        if let Some(error) = chunk.error.filter(|error| !error.is_null()) {
            out.push_back(Err(chunk_error(&error)));
            return true;
        }
        if let Some(usage) = chunk.usage {
            self.usage = Some(Usage {
                input_tokens: usage.prompt_tokens.unwrap_or(0),
                output_tokens: usage.completion_tokens.unwrap_or(0),
            });
        }
        for choice in chunk.choices.into_iter().flatten() {
            // One choice is asked for (no `n`); others would belong to another answer.
            if choice.index.unwrap_or(0) != 0 {
                continue;
            }
            if let Some(delta) = choice.delta {
                self.delta(delta, out);
            }
            if let Some(reason) = choice.finish_reason {
                self.finish_reason = Some(reason);
            }
        }
        false
    }

    fn end(&mut self, out: &mut Pending) {
        let message = if self.finish_reason.is_some() {
            "the chat completion stream ended without [DONE]"
        } else {
            "the chat completion stream ended without a finish_reason"
        };
        out.push_back(Err(ModelError::new(ModelErrorKind::Interrupted, message)));
    }
}

impl ChatParser {
    /// Applies one choice's delta.
    fn delta(&mut self, delta: Delta<'_>, out: &mut Pending) {
        let reasoning = delta
            .reasoning_content
            .filter(|text| !text.is_empty())
            .or(delta.reasoning);
        if let Some(reasoning) = reasoning.filter(|text| !text.is_empty()) {
            self.reasoning_delta(reasoning.into_owned(), out);
        }
        if let Some(content) = delta.content.filter(|c| !c.is_empty()) {
            for piece in self.think.push(&content) {
                self.piece(piece, out);
            }
        }
        if let Some(refusal) = delta.refusal.filter(|c| !c.is_empty()) {
            self.text_delta(refusal.into_owned(), out);
        }
        for (position, fragment) in delta.tool_calls.into_iter().flatten().enumerate() {
            let index = fragment.index.unwrap_or(position as u64);
            let call = self.calls.entry(index).or_default();
            if call.id.is_empty()
                && let Some(id) = fragment.id
            {
                call.id = id.into_owned();
            }
            if let Some(function) = fragment.function {
                if call.name.is_empty()
                    && let Some(name) = function.name
                {
                    call.name = name.into_owned();
                }
                if let Some(arguments) = function.arguments {
                    call.arguments.push_str(&arguments);
                }
            }
        }
    }

    fn piece(&mut self, piece: Piece, out: &mut Pending) {
        match piece {
            Piece::Reasoning(text) => self.reasoning_delta(text, out),
            Piece::Text(text) => self.text_delta(text, out),
        }
    }

    fn reasoning_delta(&mut self, delta: String, out: &mut Pending) {
        if !self.reasoning_open {
            self.reasoning_open = true;
            out.push_back(Ok(ModelEvent::ReasoningStarted));
        }
        out.push_back(Ok(ModelEvent::ReasoningDelta { part: 0, delta }));
    }

    fn text_delta(&mut self, delta: String, out: &mut Pending) {
        self.close_reasoning(out);
        if !self.message_started {
            self.message_started = true;
            out.push_back(Ok(ModelEvent::MessageStarted));
        }
        self.text.push_str(&delta);
        out.push_back(Ok(ModelEvent::TextDelta(delta)));
    }

    /// Ends the reasoning item, if one is open.
    fn close_reasoning(&mut self, out: &mut Pending) {
        if self.reasoning_open {
            self.reasoning_open = false;
            out.push_back(Ok(ModelEvent::ReasoningDone));
        }
    }

    /// `[DONE]`: ends the reasoning and the message, emits the tool calls and completes, or fails
    /// when no `finish_reason` came.
    fn done(&mut self, out: &mut Pending) {
        let Some(reason) = self.finish_reason.take() else {
            self.end(out);
            return;
        };
        if let Some(piece) = self.think.finish() {
            self.piece(piece, out);
        }
        self.close_reasoning(out);
        if self.message_started {
            out.push_back(Ok(ModelEvent::MessageDone {
                text: std::mem::take(&mut self.text),
            }));
        }
        for (n, (index, call)) in std::mem::take(&mut self.calls).into_iter().enumerate() {
            if call.name.is_empty() {
                out.push_back(Err(ModelError::new(
                    ModelErrorKind::Protocol,
                    format!("tool call {index} arrived without a function name"),
                )));
                return;
            }
            let call_id = if call.id.is_empty() {
                synthesize_call_id(n)
            } else {
                call.id
            };
            out.push_back(Ok(ModelEvent::ToolCall(ToolCall {
                call_id,
                name: call.name,
                arguments: call.arguments,
            })));
        }
        let incomplete = match reason.as_str() {
            "length" => Some("max_output_tokens".to_owned()),
            "content_filter" => Some("content_filter".to_owned()),
            _ => None,
        };
        out.push_back(Ok(ModelEvent::Completed {
            usage: self.usage,
            incomplete,
        }));
    }
}

/// A `data: {"error": …}` payload as a [`ModelError`] (the kind from its code, or from a numeric
/// code read as an HTTP status).
fn chunk_error(error: &Value) -> ModelError {
    if let Some(text) = error.as_str() {
        return ModelError::new(ModelErrorKind::Server, text);
    }
    let code = error_code(error);
    let status = error
        .get("code")
        .and_then(Value::as_u64)
        .and_then(|code| u16::try_from(code).ok())
        .filter(|code| (400..600).contains(code));
    let kind = match status.and_then(|code| reqwest::StatusCode::from_u16(code).ok()) {
        Some(status) => super::http::kind_for_status(status),
        None => kind_for_code(code.as_deref()),
    };
    ModelError {
        kind,
        message: error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("the stream reported an error")
            .to_owned(),
        code,
        status: None,
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(fragments: &[&str]) -> Vec<Piece> {
        let mut splitter = ThinkSplitter::default();
        let mut out: Vec<Piece> = fragments.iter().flat_map(|f| splitter.push(f)).collect();
        out.extend(splitter.finish());
        // Join neighbours of one kind, as a reader sees them.
        let mut joined: Vec<Piece> = Vec::new();
        for piece in out {
            match (joined.last_mut(), piece) {
                (Some(Piece::Reasoning(a)), Piece::Reasoning(b)) => a.push_str(&b),
                (Some(Piece::Text(a)), Piece::Text(b)) => a.push_str(&b),
                (_, piece) => joined.push(piece),
            }
        }
        joined
    }

    #[test]
    fn a_leading_think_block_becomes_reasoning_even_when_its_tags_are_split() {
        assert_eq!(
            split(&["<thi", "nk>Let me ", "see.</th", "ink>\n\nHello", " there"]),
            [
                Piece::Reasoning("Let me see.".into()),
                Piece::Text("Hello there".into())
            ]
        );
        assert_eq!(
            split(&["\n<think>", "a</think>b"]),
            [Piece::Reasoning("a".into()), Piece::Text("b".into())]
        );
    }

    #[test]
    fn other_content_passes_unchanged() {
        assert_eq!(split(&["<b>bold</b>"]), [Piece::Text("<b>bold</b>".into())]);
        assert_eq!(split(&["<", "p>"]), [Piece::Text("<p>".into())]);
        assert_eq!(
            split(&["Hi <think>not at the start</think>"]),
            [Piece::Text("Hi <think>not at the start</think>".into())]
        );
        assert_eq!(split(&["<thi"]), [Piece::Text("<thi".into())]);
        assert_eq!(
            split(&["<think>never closed"]),
            [Piece::Reasoning("never closed".into())]
        );
    }
}
