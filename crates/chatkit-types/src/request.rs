//! Requests (Python: `### REQUEST TYPES` in `chatkit/types.py`): the 16 operations of 1.6.5.
//!
//! Every request is `{"type": <op>, "params": {...}, "metadata": {...}}`; `params` is required for
//! every op and `metadata` defaults to `{}` (and is always written out, as Python does). The split
//! between ops answered with an SSE stream and ops answered with one JSON document is made at the
//! type level: [`StreamingReq`] and [`NonStreamingReq`], joined by [`ChatKitReq`], which parses any
//! request and says which kind it is. Unknown fields are ignored; an unknown `type` is an error
//! that names it ([`ChatKitReqError`]).

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::JsonObject;
use crate::action::Action;
use crate::message::UserMessageInput;
use crate::structured_input::StructuredInputSubmission;

/// A request answered with an SSE stream of `ThreadStreamEvent`s (Python: `StreamingReq`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(tag = "type")]
#[allow(clippy::enum_variant_names)] // variant names follow the Python class names
pub enum StreamingReq {
    /// `threads.create`: create a thread from a user message.
    #[serde(rename = "threads.create")]
    ThreadsCreate(ThreadsCreateReq),
    /// `threads.add_user_message`: append a user message to a thread.
    #[serde(rename = "threads.add_user_message")]
    ThreadsAddUserMessage(ThreadsAddUserMessageReq),
    /// `threads.add_client_tool_output`: report a client tool call's output, resuming the reply.
    #[serde(rename = "threads.add_client_tool_output")]
    ThreadsAddClientToolOutput(ThreadsAddClientToolOutputReq),
    /// `threads.add_structured_input`: answer a pending structured input item (1.6.4).
    #[serde(rename = "threads.add_structured_input")]
    ThreadsAddStructuredInput(ThreadsAddStructuredInputReq),
    /// `threads.retry_after_item`: regenerate the reply after a user message.
    #[serde(rename = "threads.retry_after_item")]
    ThreadsRetryAfterItem(ThreadsRetryAfterItemReq),
    /// `threads.custom_action`: run a widget action, streaming the reply.
    #[serde(rename = "threads.custom_action")]
    ThreadsCustomAction(ThreadsCustomActionReq),
}

impl StreamingReq {
    /// Every `type` of this kind.
    pub const TYPES: [&'static str; 6] = [
        "threads.create",
        "threads.add_user_message",
        "threads.add_client_tool_output",
        "threads.add_structured_input",
        "threads.retry_after_item",
        "threads.custom_action",
    ];

    /// The request's wire `type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::ThreadsCreate(_) => ThreadsCreateReq::TYPE,
            Self::ThreadsAddUserMessage(_) => ThreadsAddUserMessageReq::TYPE,
            Self::ThreadsAddClientToolOutput(_) => ThreadsAddClientToolOutputReq::TYPE,
            Self::ThreadsAddStructuredInput(_) => ThreadsAddStructuredInputReq::TYPE,
            Self::ThreadsRetryAfterItem(_) => ThreadsRetryAfterItemReq::TYPE,
            Self::ThreadsCustomAction(_) => ThreadsCustomActionReq::TYPE,
        }
    }

    /// The request's metadata.
    pub fn metadata(&self) -> &JsonObject {
        match self {
            Self::ThreadsCreate(r) => &r.metadata,
            Self::ThreadsAddUserMessage(r) => &r.metadata,
            Self::ThreadsAddClientToolOutput(r) => &r.metadata,
            Self::ThreadsAddStructuredInput(r) => &r.metadata,
            Self::ThreadsRetryAfterItem(r) => &r.metadata,
            Self::ThreadsCustomAction(r) => &r.metadata,
        }
    }
}

impl From<ThreadsCreateReq> for StreamingReq {
    fn from(req: ThreadsCreateReq) -> Self {
        Self::ThreadsCreate(req)
    }
}

impl From<ThreadsCreateReq> for ChatKitReq {
    fn from(req: ThreadsCreateReq) -> Self {
        StreamingReq::from(req).into()
    }
}

impl From<ThreadsAddUserMessageReq> for StreamingReq {
    fn from(req: ThreadsAddUserMessageReq) -> Self {
        Self::ThreadsAddUserMessage(req)
    }
}

impl From<ThreadsAddUserMessageReq> for ChatKitReq {
    fn from(req: ThreadsAddUserMessageReq) -> Self {
        StreamingReq::from(req).into()
    }
}

impl From<ThreadsAddClientToolOutputReq> for StreamingReq {
    fn from(req: ThreadsAddClientToolOutputReq) -> Self {
        Self::ThreadsAddClientToolOutput(req)
    }
}

impl From<ThreadsAddClientToolOutputReq> for ChatKitReq {
    fn from(req: ThreadsAddClientToolOutputReq) -> Self {
        StreamingReq::from(req).into()
    }
}

impl From<ThreadsAddStructuredInputReq> for StreamingReq {
    fn from(req: ThreadsAddStructuredInputReq) -> Self {
        Self::ThreadsAddStructuredInput(req)
    }
}

impl From<ThreadsAddStructuredInputReq> for ChatKitReq {
    fn from(req: ThreadsAddStructuredInputReq) -> Self {
        StreamingReq::from(req).into()
    }
}

impl From<ThreadsRetryAfterItemReq> for StreamingReq {
    fn from(req: ThreadsRetryAfterItemReq) -> Self {
        Self::ThreadsRetryAfterItem(req)
    }
}

impl From<ThreadsRetryAfterItemReq> for ChatKitReq {
    fn from(req: ThreadsRetryAfterItemReq) -> Self {
        StreamingReq::from(req).into()
    }
}

impl From<ThreadsCustomActionReq> for StreamingReq {
    fn from(req: ThreadsCustomActionReq) -> Self {
        Self::ThreadsCustomAction(req)
    }
}

impl From<ThreadsCustomActionReq> for ChatKitReq {
    fn from(req: ThreadsCustomActionReq) -> Self {
        StreamingReq::from(req).into()
    }
}

/// A request answered with one JSON document (Python: `NonStreamingReq`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(tag = "type")]
#[allow(clippy::enum_variant_names)] // variant names follow the Python class names
pub enum NonStreamingReq {
    /// `threads.get_by_id`: fetch a thread with its first page of items.
    #[serde(rename = "threads.get_by_id")]
    ThreadsGetById(ThreadsGetByIdReq),
    /// `threads.list`: list threads.
    #[serde(rename = "threads.list")]
    ThreadsList(ThreadsListReq),
    /// `items.list`: list a thread's items.
    #[serde(rename = "items.list")]
    ItemsList(ItemsListReq),
    /// `items.feedback`: thumbs up or down on items.
    #[serde(rename = "items.feedback")]
    ItemsFeedback(ItemsFeedbackReq),
    /// `attachments.create`: register an attachment (step 1 of a two-phase upload).
    #[serde(rename = "attachments.create")]
    AttachmentsCreate(AttachmentsCreateReq),
    /// `attachments.delete`: remove an attachment.
    #[serde(rename = "attachments.delete")]
    AttachmentsDelete(AttachmentsDeleteReq),
    /// `threads.update`: rename a thread.
    #[serde(rename = "threads.update")]
    ThreadsUpdate(ThreadsUpdateReq),
    /// `threads.delete`: delete a thread.
    #[serde(rename = "threads.delete")]
    ThreadsDelete(ThreadsDeleteReq),
    /// `input.transcribe`: transcribe dictated audio (1.6.0).
    #[serde(rename = "input.transcribe")]
    InputTranscribe(InputTranscribeReq),
    /// `threads.sync_custom_action`: run a widget action and reply with at most one updated item (1.6.2).
    #[serde(rename = "threads.sync_custom_action")]
    ThreadsSyncCustomAction(ThreadsSyncCustomActionReq),
}

impl NonStreamingReq {
    /// Every `type` of this kind.
    pub const TYPES: [&'static str; 10] = [
        "threads.get_by_id",
        "threads.list",
        "items.list",
        "items.feedback",
        "attachments.create",
        "attachments.delete",
        "threads.update",
        "threads.delete",
        "input.transcribe",
        "threads.sync_custom_action",
    ];

    /// The request's wire `type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::ThreadsGetById(_) => ThreadsGetByIdReq::TYPE,
            Self::ThreadsList(_) => ThreadsListReq::TYPE,
            Self::ItemsList(_) => ItemsListReq::TYPE,
            Self::ItemsFeedback(_) => ItemsFeedbackReq::TYPE,
            Self::AttachmentsCreate(_) => AttachmentsCreateReq::TYPE,
            Self::AttachmentsDelete(_) => AttachmentsDeleteReq::TYPE,
            Self::ThreadsUpdate(_) => ThreadsUpdateReq::TYPE,
            Self::ThreadsDelete(_) => ThreadsDeleteReq::TYPE,
            Self::InputTranscribe(_) => InputTranscribeReq::TYPE,
            Self::ThreadsSyncCustomAction(_) => ThreadsSyncCustomActionReq::TYPE,
        }
    }

    /// The request's metadata.
    pub fn metadata(&self) -> &JsonObject {
        match self {
            Self::ThreadsGetById(r) => &r.metadata,
            Self::ThreadsList(r) => &r.metadata,
            Self::ItemsList(r) => &r.metadata,
            Self::ItemsFeedback(r) => &r.metadata,
            Self::AttachmentsCreate(r) => &r.metadata,
            Self::AttachmentsDelete(r) => &r.metadata,
            Self::ThreadsUpdate(r) => &r.metadata,
            Self::ThreadsDelete(r) => &r.metadata,
            Self::InputTranscribe(r) => &r.metadata,
            Self::ThreadsSyncCustomAction(r) => &r.metadata,
        }
    }
}

impl From<ThreadsGetByIdReq> for NonStreamingReq {
    fn from(req: ThreadsGetByIdReq) -> Self {
        Self::ThreadsGetById(req)
    }
}

impl From<ThreadsGetByIdReq> for ChatKitReq {
    fn from(req: ThreadsGetByIdReq) -> Self {
        NonStreamingReq::from(req).into()
    }
}

impl From<ThreadsListReq> for NonStreamingReq {
    fn from(req: ThreadsListReq) -> Self {
        Self::ThreadsList(req)
    }
}

impl From<ThreadsListReq> for ChatKitReq {
    fn from(req: ThreadsListReq) -> Self {
        NonStreamingReq::from(req).into()
    }
}

impl From<ItemsListReq> for NonStreamingReq {
    fn from(req: ItemsListReq) -> Self {
        Self::ItemsList(req)
    }
}

impl From<ItemsListReq> for ChatKitReq {
    fn from(req: ItemsListReq) -> Self {
        NonStreamingReq::from(req).into()
    }
}

impl From<ItemsFeedbackReq> for NonStreamingReq {
    fn from(req: ItemsFeedbackReq) -> Self {
        Self::ItemsFeedback(req)
    }
}

impl From<ItemsFeedbackReq> for ChatKitReq {
    fn from(req: ItemsFeedbackReq) -> Self {
        NonStreamingReq::from(req).into()
    }
}

impl From<AttachmentsCreateReq> for NonStreamingReq {
    fn from(req: AttachmentsCreateReq) -> Self {
        Self::AttachmentsCreate(req)
    }
}

impl From<AttachmentsCreateReq> for ChatKitReq {
    fn from(req: AttachmentsCreateReq) -> Self {
        NonStreamingReq::from(req).into()
    }
}

impl From<AttachmentsDeleteReq> for NonStreamingReq {
    fn from(req: AttachmentsDeleteReq) -> Self {
        Self::AttachmentsDelete(req)
    }
}

impl From<AttachmentsDeleteReq> for ChatKitReq {
    fn from(req: AttachmentsDeleteReq) -> Self {
        NonStreamingReq::from(req).into()
    }
}

impl From<ThreadsUpdateReq> for NonStreamingReq {
    fn from(req: ThreadsUpdateReq) -> Self {
        Self::ThreadsUpdate(req)
    }
}

impl From<ThreadsUpdateReq> for ChatKitReq {
    fn from(req: ThreadsUpdateReq) -> Self {
        NonStreamingReq::from(req).into()
    }
}

impl From<ThreadsDeleteReq> for NonStreamingReq {
    fn from(req: ThreadsDeleteReq) -> Self {
        Self::ThreadsDelete(req)
    }
}

impl From<ThreadsDeleteReq> for ChatKitReq {
    fn from(req: ThreadsDeleteReq) -> Self {
        NonStreamingReq::from(req).into()
    }
}

impl From<InputTranscribeReq> for NonStreamingReq {
    fn from(req: InputTranscribeReq) -> Self {
        Self::InputTranscribe(req)
    }
}

impl From<InputTranscribeReq> for ChatKitReq {
    fn from(req: InputTranscribeReq) -> Self {
        NonStreamingReq::from(req).into()
    }
}

impl From<ThreadsSyncCustomActionReq> for NonStreamingReq {
    fn from(req: ThreadsSyncCustomActionReq) -> Self {
        Self::ThreadsSyncCustomAction(req)
    }
}

impl From<ThreadsSyncCustomActionReq> for ChatKitReq {
    fn from(req: ThreadsSyncCustomActionReq) -> Self {
        NonStreamingReq::from(req).into()
    }
}

/// Any request (Python: `ChatKitReq`, discriminated on `type`), split by how it is answered.
///
/// Parsing reads `type` first: an unknown or missing `type` fails with a message that names it
/// (see [`ChatKitReqError`]), then the body is parsed as that op's request.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatKitReq {
    /// A request answered with an SSE stream.
    Streaming(StreamingReq),
    /// A request answered with one JSON document.
    NonStreaming(NonStreamingReq),
}

/// Whether `request` is answered with a stream (Python: `is_streaming_req`).
pub fn is_streaming_req(request: &ChatKitReq) -> bool {
    request.is_streaming()
}

impl ChatKitReq {
    /// Whether the request is answered with a stream.
    pub fn is_streaming(&self) -> bool {
        matches!(self, Self::Streaming(_))
    }

    /// The request's wire `type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Streaming(r) => r.type_name(),
            Self::NonStreaming(r) => r.type_name(),
        }
    }

    /// The request's metadata.
    pub fn metadata(&self) -> &JsonObject {
        match self {
            Self::Streaming(r) => r.metadata(),
            Self::NonStreaming(r) => r.metadata(),
        }
    }

    /// Whether `type` names a streaming op (`None` when it names no op at all).
    pub fn type_is_streaming(r#type: &str) -> Option<bool> {
        if StreamingReq::TYPES.contains(&r#type) {
            Some(true)
        } else if NonStreamingReq::TYPES.contains(&r#type) {
            Some(false)
        } else {
            None
        }
    }

    /// Parses a request body.
    pub fn from_slice(body: &[u8]) -> Result<Self, ChatKitReqError> {
        let value: Value = serde_json::from_slice(body).map_err(ChatKitReqError::Json)?;
        Self::from_value(value)
    }

    /// Parses a request already read as JSON.
    pub fn from_value(value: Value) -> Result<Self, ChatKitReqError> {
        let r#type = match value.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(other) => return Err(ChatKitReqError::UnknownType(other.to_string())),
            None => return Err(ChatKitReqError::MissingType),
        };
        let invalid = |source| ChatKitReqError::Invalid {
            op: r#type.clone(),
            source,
        };
        match Self::type_is_streaming(&r#type) {
            Some(true) => StreamingReq::deserialize(value)
                .map(Self::Streaming)
                .map_err(invalid),
            Some(false) => NonStreamingReq::deserialize(value)
                .map(Self::NonStreaming)
                .map_err(invalid),
            None => Err(ChatKitReqError::UnknownType(r#type)),
        }
    }
}

impl From<StreamingReq> for ChatKitReq {
    fn from(req: StreamingReq) -> Self {
        Self::Streaming(req)
    }
}

impl From<NonStreamingReq> for ChatKitReq {
    fn from(req: NonStreamingReq) -> Self {
        Self::NonStreaming(req)
    }
}

impl Serialize for ChatKitReq {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Streaming(r) => r.serialize(serializer),
            Self::NonStreaming(r) => r.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ChatKitReq {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(value).map_err(D::Error::custom)
    }
}

/// Why a request body is not a [`ChatKitReq`].
#[derive(Debug)]
pub enum ChatKitReqError {
    /// The body is not JSON.
    Json(serde_json::Error),
    /// The body has no `type` (or is not an object).
    MissingType,
    /// `type` names no op of 1.6.5 (holds the `type` as sent; JSON text when not a string).
    UnknownType(String),
    /// The op is known but its body does not match it.
    Invalid {
        /// The op (the request's `type`).
        op: String,
        /// What is wrong.
        source: serde_json::Error,
    },
}

impl fmt::Display for ChatKitReqError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(e) => write!(f, "request body is not valid JSON: {e}"),
            Self::MissingType => f.write_str("request has no `type`"),
            Self::UnknownType(t) => write!(
                f,
                "unknown request type `{t}`; expected one of: {}, {}",
                StreamingReq::TYPES.join(", "),
                NonStreamingReq::TYPES.join(", ")
            ),
            Self::Invalid { op, source } => write!(f, "invalid `{op}` request: {source}"),
        }
    }
}

impl std::error::Error for ChatKitReqError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Json(e) | Self::Invalid { source: e, .. } => Some(e),
            Self::MissingType | Self::UnknownType(_) => None,
        }
    }
}

/// Create a thread from a user message. (Python: `ThreadsCreateReq`, `type: "threads.create"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadsCreateReq {
    /// The op's parameters.
    pub params: ThreadCreateParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ThreadsCreateReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "threads.create";

    /// A request with `params` and empty metadata.
    pub fn new(params: ThreadCreateParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Append a user message to a thread. (Python: `ThreadsAddUserMessageReq`, `type: "threads.add_user_message"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadsAddUserMessageReq {
    /// The op's parameters.
    pub params: ThreadAddUserMessageParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ThreadsAddUserMessageReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "threads.add_user_message";

    /// A request with `params` and empty metadata.
    pub fn new(params: ThreadAddUserMessageParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Report a client tool call's output, resuming the reply. (Python: `ThreadsAddClientToolOutputReq`, `type: "threads.add_client_tool_output"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadsAddClientToolOutputReq {
    /// The op's parameters.
    pub params: ThreadAddClientToolOutputParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ThreadsAddClientToolOutputReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "threads.add_client_tool_output";

    /// A request with `params` and empty metadata.
    pub fn new(params: ThreadAddClientToolOutputParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Answer a pending structured input item (1.6.4). (Python: `ThreadsAddStructuredInputReq`, `type: "threads.add_structured_input"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadsAddStructuredInputReq {
    /// The op's parameters.
    pub params: ThreadAddStructuredInputParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ThreadsAddStructuredInputReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "threads.add_structured_input";

    /// A request with `params` and empty metadata.
    pub fn new(params: ThreadAddStructuredInputParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Regenerate the reply after a user message. (Python: `ThreadsRetryAfterItemReq`, `type: "threads.retry_after_item"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadsRetryAfterItemReq {
    /// The op's parameters.
    pub params: ThreadRetryAfterItemParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ThreadsRetryAfterItemReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "threads.retry_after_item";

    /// A request with `params` and empty metadata.
    pub fn new(params: ThreadRetryAfterItemParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Run a widget action, streaming the reply. (Python: `ThreadsCustomActionReq`, `type: "threads.custom_action"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadsCustomActionReq {
    /// The op's parameters.
    pub params: ThreadCustomActionParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ThreadsCustomActionReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "threads.custom_action";

    /// A request with `params` and empty metadata.
    pub fn new(params: ThreadCustomActionParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Fetch a thread with its first page of items. (Python: `ThreadsGetByIdReq`, `type: "threads.get_by_id"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadsGetByIdReq {
    /// The op's parameters.
    pub params: ThreadGetByIdParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ThreadsGetByIdReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "threads.get_by_id";

    /// A request with `params` and empty metadata.
    pub fn new(params: ThreadGetByIdParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// List threads. (Python: `ThreadsListReq`, `type: "threads.list"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadsListReq {
    /// The op's parameters.
    pub params: ThreadListParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ThreadsListReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "threads.list";

    /// A request with `params` and empty metadata.
    pub fn new(params: ThreadListParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// List a thread's items. (Python: `ItemsListReq`, `type: "items.list"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ItemsListReq {
    /// The op's parameters.
    pub params: ItemsListParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ItemsListReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "items.list";

    /// A request with `params` and empty metadata.
    pub fn new(params: ItemsListParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Thumbs up or down on items. (Python: `ItemsFeedbackReq`, `type: "items.feedback"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ItemsFeedbackReq {
    /// The op's parameters.
    pub params: ItemFeedbackParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ItemsFeedbackReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "items.feedback";

    /// A request with `params` and empty metadata.
    pub fn new(params: ItemFeedbackParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Register an attachment (step 1 of a two-phase upload). (Python: `AttachmentsCreateReq`, `type: "attachments.create"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct AttachmentsCreateReq {
    /// The op's parameters.
    pub params: AttachmentCreateParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl AttachmentsCreateReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "attachments.create";

    /// A request with `params` and empty metadata.
    pub fn new(params: AttachmentCreateParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Remove an attachment. (Python: `AttachmentsDeleteReq`, `type: "attachments.delete"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct AttachmentsDeleteReq {
    /// The op's parameters.
    pub params: AttachmentDeleteParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl AttachmentsDeleteReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "attachments.delete";

    /// A request with `params` and empty metadata.
    pub fn new(params: AttachmentDeleteParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Rename a thread. (Python: `ThreadsUpdateReq`, `type: "threads.update"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadsUpdateReq {
    /// The op's parameters.
    pub params: ThreadUpdateParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ThreadsUpdateReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "threads.update";

    /// A request with `params` and empty metadata.
    pub fn new(params: ThreadUpdateParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Delete a thread. (Python: `ThreadsDeleteReq`, `type: "threads.delete"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadsDeleteReq {
    /// The op's parameters.
    pub params: ThreadDeleteParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ThreadsDeleteReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "threads.delete";

    /// A request with `params` and empty metadata.
    pub fn new(params: ThreadDeleteParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Transcribe dictated audio (1.6.0). (Python: `InputTranscribeReq`, `type: "input.transcribe"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct InputTranscribeReq {
    /// The op's parameters.
    pub params: InputTranscribeParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl InputTranscribeReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "input.transcribe";

    /// A request with `params` and empty metadata.
    pub fn new(params: InputTranscribeParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Run a widget action and reply with at most one updated item (1.6.2). (Python: `ThreadsSyncCustomActionReq`, `type: "threads.sync_custom_action"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadsSyncCustomActionReq {
    /// The op's parameters.
    pub params: ThreadCustomActionParams,
    /// Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ThreadsSyncCustomActionReq {
    /// The request's wire `type`.
    pub const TYPE: &'static str = "threads.sync_custom_action";

    /// A request with `params` and empty metadata.
    pub fn new(params: ThreadCustomActionParams) -> Self {
        Self {
            params,
            metadata: JsonObject::new(),
        }
    }
}

/// Parameters of `threads.get_by_id` (Python: `ThreadGetByIdParams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadGetByIdParams {
    /// Thread id.
    pub thread_id: String,
}

/// Parameters of `threads.create` (Python: `ThreadCreateParams`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadCreateParams {
    /// The first user message.
    pub input: UserMessageInput,
}

/// Sort order of a listing (Python: `Literal["asc", "desc"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// `"asc"`: oldest first.
    Asc,
    /// `"desc"` (the default): newest first.
    #[default]
    Desc,
}

/// Parameters of `threads.list` (Python: `ThreadListParams`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadListParams {
    /// Page size (the Python server uses 20 when absent or 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<i32>"))]
    pub limit: Option<i64>,
    /// Sort order; default `"desc"`.
    #[serde(default)]
    pub order: Order,
    /// Cursor: the id of the last thread of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// Parameters of `threads.add_user_message` (Python: `ThreadAddUserMessageParams`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadAddUserMessageParams {
    /// The user message.
    pub input: UserMessageInput,
    /// Thread id.
    pub thread_id: String,
}

/// Parameters of `threads.add_client_tool_output` (Python: `ThreadAddClientToolOutputParams`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadAddClientToolOutputParams {
    /// Thread id.
    pub thread_id: String,
    /// The tool's output: any JSON, required but may be `null` (Python: `Any`). Omitted on output
    /// when `null`, as `exclude_none` does.
    #[serde(skip_serializing_if = "Value::is_null")]
    pub result: Value,
}

/// Parameters of `threads.add_structured_input` (Python: `ThreadAddStructuredInputParams`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadAddStructuredInputParams {
    /// Thread id.
    pub thread_id: String,
    /// The pending `structured_input` item.
    pub item_id: String,
    /// The answers.
    pub input: StructuredInputSubmission,
}

/// Parameters of `threads.custom_action` and `threads.sync_custom_action` (Python:
/// `ThreadCustomActionParams`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadCustomActionParams {
    /// Thread id.
    pub thread_id: String,
    /// The widget item that sent the action, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// The action.
    pub action: Action,
}

/// Parameters of `threads.retry_after_item` (Python: `ThreadRetryAfterItemParams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadRetryAfterItemParams {
    /// Thread id.
    pub thread_id: String,
    /// The user message to answer again.
    pub item_id: String,
}

/// Sentiment of feedback (Python: `FeedbackKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "lowercase")]
pub enum FeedbackKind {
    /// `"positive"`: thumbs up.
    Positive,
    /// `"negative"`: thumbs down.
    Negative,
}

/// Parameters of `items.feedback` (Python: `ItemFeedbackParams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ItemFeedbackParams {
    /// Thread id.
    pub thread_id: String,
    /// The items rated.
    pub item_ids: Vec<String>,
    /// The rating.
    pub kind: FeedbackKind,
}

/// Parameters of `attachments.delete` (Python: `AttachmentDeleteParams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct AttachmentDeleteParams {
    /// Attachment id.
    pub attachment_id: String,
}

/// Parameters of `attachments.create` (Python: `AttachmentCreateParams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct AttachmentCreateParams {
    /// File name.
    pub name: String,
    /// Size in bytes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: i64,
    /// MIME type.
    pub mime_type: String,
}

/// Parameters of `input.transcribe` (Python: `InputTranscribeParams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct InputTranscribeParams {
    /// Base64-encoded audio bytes.
    pub audio_base64: String,
    /// Raw MIME type of the audio, e.g. `audio/webm;codecs=opus`.
    pub mime_type: String,
}

/// Decoded audio handed to a transcriber (Python: `AudioInput`; not on the wire).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioInput {
    /// Audio bytes.
    pub data: Vec<u8>,
    /// Raw MIME type, e.g. `audio/webm;codecs=opus`.
    pub mime_type: String,
}

impl AudioInput {
    /// The MIME type without parameters, e.g. `audio/webm`.
    pub fn media_type(&self) -> &str {
        self.mime_type.split(';').next().unwrap_or_default()
    }
}

/// Reply of `input.transcribe` (Python: `TranscriptionResult`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct TranscriptionResult {
    /// The transcribed text.
    pub text: String,
}

/// Parameters of `items.list` (Python: `ItemsListParams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ItemsListParams {
    /// Thread id.
    pub thread_id: String,
    /// Page size (the Python server uses 20 when absent or 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<i32>"))]
    pub limit: Option<i64>,
    /// Sort order; default `"desc"`.
    #[serde(default)]
    pub order: Order,
    /// Cursor: the id of the last item of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// Parameters of `threads.update` (Python: `ThreadUpdateParams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadUpdateParams {
    /// Thread id.
    pub thread_id: String,
    /// The new title.
    pub title: String,
}

/// Parameters of `threads.delete` (Python: `ThreadDeleteParams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadDeleteParams {
    /// Thread id.
    pub thread_id: String,
}
