//! The provider-neutral shape of a model call: what the runtime asks ([`ModelRequest`]), what it
//! gets back ([`ModelEvent`]s), and how a call fails ([`ModelError`]).
//!
//! Both providers (OpenAI Responses and OpenAI-compatible Chat Completions, in
//! [`crate::provider`]) translate to and from these types, so the runtime (history conversion,
//! tools, the mapping to ChatKit events) is written once. The shapes follow the Responses API,
//! the richer of the two: Chat Completions simply never produces some events (annotations,
//! images).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use futures::stream::BoxStream;
use serde_json::Value;

/// One call to a model: everything a provider needs to build its request body.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRequest {
    /// The model name (`gpt-5-mini`, `llama3.1:8b`).
    pub model: String,
    /// The system prompt (Responses `instructions`; a leading `system` message in Chat
    /// Completions). Sent with every call: it is never carried over.
    pub instructions: Option<String>,
    /// The conversation so far, oldest first.
    pub input: Vec<InputItem>,
    /// The function tools the model may call.
    pub tools: Vec<FunctionTool>,
    /// Whether and which tool the model must call.
    pub tool_choice: ToolChoice,
    /// Sampling and reasoning settings.
    pub settings: ModelSettings,
}

/// Sampling and reasoning settings; `None` leaves the provider's default (the key is not sent).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelSettings {
    /// Sampling temperature.
    pub temperature: Option<f64>,
    /// Upper bound on generated tokens (Responses `max_output_tokens`, Chat `max_completion_tokens`).
    pub max_output_tokens: Option<u32>,
    /// Reasoning effort (`minimal|low|medium|high|…`), for reasoning models.
    pub reasoning_effort: Option<String>,
    /// Reasoning summaries (`auto|concise|detailed`); summary events arrive only when set.
    pub reasoning_summary: Option<String>,
}

/// One item of model input.
#[derive(Debug, Clone, PartialEq)]
pub enum InputItem {
    /// A message from the user, or a system/developer message carrying context.
    Message {
        /// Who speaks.
        role: Role,
        /// What they say, in order.
        content: Vec<InputPart>,
    },
    /// An earlier assistant reply.
    AssistantText {
        /// Its text.
        text: String,
    },
    /// An earlier tool call by the model.
    FunctionCall {
        /// The model's call id (unique within the conversation).
        call_id: String,
        /// The tool's name.
        name: String,
        /// The arguments, a JSON **string**, as the model wrote them.
        arguments: String,
    },
    /// The result of an earlier tool call.
    FunctionCallOutput {
        /// The call it answers.
        call_id: String,
        /// The result, usually JSON text.
        output: String,
    },
}

/// Who speaks in an [`InputItem::Message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The person chatting.
    User,
    /// System context (Chat Completions `system`).
    System,
    /// Developer context (Responses `developer`; Chat Completions servers get `system`).
    Developer,
}

/// One part of a message's content.
#[derive(Debug, Clone, PartialEq)]
pub enum InputPart {
    /// Text.
    Text(String),
    /// An image, as an `https:` or `data:` URL.
    Image {
        /// The URL.
        url: String,
        /// `low|high|auto`.
        detail: String,
    },
    /// A file, inline.
    File {
        /// Its name, with an extension (the model API detects the format from it).
        filename: String,
        /// A `data:<mime>;base64,…` URL.
        data_url: String,
    },
}

/// A function tool offered to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionTool {
    /// Its name (`^[a-zA-Z0-9_-]{1,64}$`).
    pub name: String,
    /// What it does, for the model.
    pub description: Option<String>,
    /// The JSON schema of its arguments.
    pub parameters: Value,
    /// Whether the model must follow the schema exactly (`strict`).
    pub strict: bool,
}

/// Whether and which tool the model must call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ToolChoice {
    /// The model decides (the default).
    #[default]
    Auto,
    /// The model must not call a tool.
    None,
    /// The model must call some tool.
    Required,
    /// The model must call this function.
    Function(String),
}

/// What a model stream reports, in order. A well-formed stream ends with exactly one
/// [`ModelEvent::Completed`]; a stream that ends without it failed
/// ([`ModelErrorKind::Interrupted`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ModelEvent {
    /// A reasoning item began (Responses `output_item.added` of type `reasoning`; Chat
    /// Completions: the first reasoning fragment).
    ReasoningStarted,
    /// A fragment of a reasoning summary (Chat Completions: of `reasoning_content`).
    ReasoningDelta {
        /// Which summary part (0, 1, …); a new index starts a new thought.
        part: usize,
        /// The fragment.
        delta: String,
    },
    /// A reasoning item ended.
    ReasoningDone,
    /// An assistant message began.
    MessageStarted,
    /// A fragment of the assistant message's text.
    TextDelta(String),
    /// A citation attached to the message text.
    Annotation(Annotation),
    /// The assistant message ended, with its whole text.
    MessageDone {
        /// The text (the deltas joined).
        text: String,
    },
    /// A complete tool call (arguments fully accumulated).
    ToolCall(ToolCall),
    /// A partial render of a generated image.
    ImagePartial {
        /// The image generation call's id.
        id: String,
        /// The image, base64 (PNG unless the tool said otherwise).
        b64: String,
        /// Which partial (0, 1, …).
        index: u32,
    },
    /// A finished generated image.
    ImageDone {
        /// The image generation call's id.
        id: String,
        /// The image, base64.
        b64: String,
    },
    /// The model finished this call.
    Completed {
        /// Token counts, when the server reported them.
        usage: Option<Usage>,
        /// Why the output was cut short (`max_output_tokens`, `content_filter`), if it was.
        incomplete: Option<String>,
    },
}

/// A citation on the message text.
#[derive(Debug, Clone, PartialEq)]
pub enum Annotation {
    /// A web page.
    Url {
        /// Its URL.
        url: String,
        /// Its title.
        title: String,
        /// Where in the text it applies (the end index), when known.
        index: Option<usize>,
    },
    /// A file.
    File {
        /// The file's name.
        filename: String,
        /// Where in the text it applies, when known.
        index: Option<usize>,
    },
}

/// A tool call the model made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    /// The call id to answer with (never empty: synthesized when a server sends none).
    pub call_id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments, a JSON string as the model wrote it.
    pub arguments: String,
}

/// Token counts of a call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Generated tokens.
    pub output_tokens: u64,
}

/// The events of one model call.
pub type ModelStream = BoxStream<'static, Result<ModelEvent, ModelError>>;

/// Audio to transcribe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioClip {
    /// The bytes.
    pub data: bytes::Bytes,
    /// The base MIME type (`audio/webm`, without `;codecs=…`).
    pub mime_type: String,
}

/// A model server: streams replies, and transcribes audio when it can.
#[async_trait]
pub trait ModelClient: Send + Sync + fmt::Debug {
    /// Starts a streamed call. Retries (bounded) happen here, before the stream starts; once a
    /// stream is returned, a failure inside it is final ([`ModelErrorKind::Interrupted`] or an
    /// upstream error event), because deltas may already have reached the user.
    async fn stream(&self, request: &ModelRequest) -> Result<ModelStream, ModelError>;

    /// Transcribes `audio` with `model` (`POST /audio/transcriptions`), returning the text.
    async fn transcribe(&self, audio: AudioClip, model: &str) -> Result<String, ModelError>;
}

/// How a model call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    /// The class of failure (decides retries and what the user is told).
    pub kind: ModelErrorKind,
    /// What happened, for logs; never contains the API key. Upstream messages are kept as
    /// the server sent them.
    pub message: String,
    /// The upstream error code (`rate_limit_exceeded`, `model_not_found`), when there was one.
    pub code: Option<String>,
    /// The HTTP status, when the failure was a non-2xx reply.
    pub status: Option<u16>,
    /// How long the server asked us to wait (`retry-after-ms` / `retry-after`), when it did.
    pub retry_after: Option<Duration>,
}

/// The class of a [`ModelError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelErrorKind {
    /// The request was refused as invalid (400, 404, 422): retrying will not help.
    BadRequest,
    /// The key was refused (401, 403).
    Auth,
    /// Rate limited or out of quota (429).
    RateLimited,
    /// The server failed (5xx, or an error event / `response.failed` in the stream).
    Server,
    /// The connection could not be made or broke before a reply began.
    Connection,
    /// The call took longer than its timeout.
    Timeout,
    /// The stream broke after it began (no terminal event).
    Interrupted,
    /// The reply could not be understood (bad JSON, a shape we do not know).
    Protocol,
}

impl ModelError {
    /// An error of `kind` with `message` and nothing else.
    pub fn new(kind: ModelErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            code: None,
            status: None,
            retry_after: None,
        }
    }

    /// Whether the user may usefully try again (everything but bad requests and refused keys).
    pub fn allow_retry(&self) -> bool {
        !matches!(self.kind, ModelErrorKind::BadRequest | ModelErrorKind::Auth)
            && self.code.as_deref() != Some("insufficient_quota")
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.kind)?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        if let Some(code) = &self.code {
            write!(f, " [{code}]")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ModelError {}
