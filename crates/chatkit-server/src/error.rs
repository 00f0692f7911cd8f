//! [`ProtocolError`]: every failure the engine decides *before* a reply starts, with a stable
//! `code()`, an HTTP `status()` and a `message()` safe to show to the caller.
//!
//! The reference server answers some of these with a `200 text/event-stream` that aborts or sends
//! a lone `error` frame; this engine decides all of them before the first byte, so the binary can
//! answer a 4xx in its error envelope (`{"error": {"code", "message"}}`). Failures after a stream
//! started are `error` frames instead (see [`crate::pipeline`]).
//!
//! | code | status | when |
//! |---|---|---|
//! | `invalid_json` | 400 | the body is not JSON, or not a JSON object |
//! | `unknown_request_type` | 400 | `type` is missing or names no op of 1.6.5 |
//! | `invalid_request` | 400 | a known op with missing or mistyped fields, bad base64, an unknown cursor |
//! | `thread_not_found` | 404 | no such thread for this identity and agent |
//! | `item_not_found` | 404 | no such item in the thread |
//! | `attachment_not_found` | 404 | no such attachment for this identity and agent |
//! | `no_pending_tool_call` | 409 | `threads.add_client_tool_output` with no pending client tool call |
//! | `structured_input_not_pending` | 409 | `threads.add_structured_input` on an item that is not a pending `structured_input` |
//! | `retry_target_not_user_message` | 400 | `threads.retry_after_item` naming an item that is not a user message |
//! | `sender_not_widget` | 400 | a custom action whose `item_id` is not a widget |
//! | `attachments_unavailable` | 400 | attachment ops on an engine without an [`crate::AttachmentHandler`] |
//! | `attachment_too_large` | 413 | the attachment handler refused the size |
//! | `attachment_type_not_allowed` | 415 | the attachment handler refused the MIME type |
//! | `transcription_unavailable` | 400 | `input.transcribe` and the responder does not transcribe |
//! | `action_unavailable` | 400 | `threads.sync_custom_action` and the responder has no sync actions |
//! | `action_failed` | 400 | a responder hook refused with a user-facing message ([`chatkit_types::CustomStreamError`]) |
//! | `internal` | 500 | a store or responder failure; details are logged, never returned |
//!
//! Conflicts with the thread's state (nothing pending to resume) are 409; requests that name the
//! wrong kind of item are 400; missing-feature replies are 400 (the request asks for something
//! this deployment does not do, which the client can know from its configuration).

use chatkit_store::StoreError;

/// A failure decided before any byte of the reply is sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The body is not JSON, or not a JSON object.
    #[error("the request body is not valid JSON: {0}")]
    InvalidJson(String),
    /// `type` is missing or names no op (holds the `type` as sent, or `None` when absent).
    #[error("{}", unknown_type_message(.0.as_deref()))]
    UnknownRequestType(Option<String>),
    /// A known op whose fields are wrong.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// No such thread for this identity and agent (or another identity's or agent's thread).
    #[error("thread `{0}` was not found")]
    ThreadNotFound(String),
    /// No such item in the thread.
    #[error("item `{0}` was not found in the thread")]
    ItemNotFound(String),
    /// No such attachment for this identity and agent.
    #[error("attachment `{0}` was not found")]
    AttachmentNotFound(String),
    /// `threads.add_client_tool_output` found no pending client tool call among the newest items.
    #[error("thread `{0}` has no pending client tool call")]
    NoPendingToolCall(String),
    /// `threads.add_structured_input` named an item that is not a pending `structured_input`.
    #[error("item `{0}` is not a pending structured input")]
    StructuredInputNotPending(String),
    /// `threads.retry_after_item` named an item that is not a user message.
    #[error("item `{0}` is not a user message")]
    RetryTargetNotUserMessage(String),
    /// A custom action's sender item is not a widget.
    #[error("item `{0}` is not a widget")]
    SenderNotWidget(String),
    /// No attachment handler is configured.
    #[error("attachments are not enabled on this server")]
    AttachmentsUnavailable,
    /// The attachment handler refused the size.
    #[error("the attachment is too large{}", .0.map_or(String::new(), |max| format!(" (at most {max} bytes)")))]
    AttachmentTooLarge(Option<u64>),
    /// The attachment handler refused the MIME type.
    #[error("attachments of type `{0}` are not allowed")]
    AttachmentTypeNotAllowed(String),
    /// The responder does not transcribe audio.
    #[error("dictation is not available on this server")]
    TranscriptionUnavailable,
    /// The responder's transcription failed upstream; the message is meant for the user.
    #[error("{0}")]
    TranscriptionFailed(String),
    /// The responder does not handle synchronous custom actions.
    #[error("this action is not available")]
    ActionUnavailable,
    /// A responder hook refused with a message meant for the user.
    #[error("{0}")]
    ActionFailed(String),
    /// A store failure (logged; the message says nothing more).
    #[error("storage failure: {0}")]
    Store(#[source] StoreError),
    /// Any other server-side failure (logged; the message says nothing more).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ProtocolError {
    /// The stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidJson(_) => "invalid_json",
            Self::UnknownRequestType(_) => "unknown_request_type",
            Self::InvalidRequest(_) => "invalid_request",
            Self::ThreadNotFound(_) => "thread_not_found",
            Self::ItemNotFound(_) => "item_not_found",
            Self::AttachmentNotFound(_) => "attachment_not_found",
            Self::NoPendingToolCall(_) => "no_pending_tool_call",
            Self::StructuredInputNotPending(_) => "structured_input_not_pending",
            Self::RetryTargetNotUserMessage(_) => "retry_target_not_user_message",
            Self::SenderNotWidget(_) => "sender_not_widget",
            Self::AttachmentsUnavailable => "attachments_unavailable",
            Self::AttachmentTooLarge(_) => "attachment_too_large",
            Self::AttachmentTypeNotAllowed(_) => "attachment_type_not_allowed",
            Self::TranscriptionUnavailable => "transcription_unavailable",
            Self::TranscriptionFailed(_) => "transcription_failed",
            Self::ActionUnavailable => "action_unavailable",
            Self::ActionFailed(_) => "action_failed",
            Self::Store(_) | Self::Internal(_) => "internal",
        }
    }

    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            Self::InvalidJson(_)
            | Self::UnknownRequestType(_)
            | Self::InvalidRequest(_)
            | Self::RetryTargetNotUserMessage(_)
            | Self::SenderNotWidget(_)
            | Self::AttachmentsUnavailable
            | Self::TranscriptionUnavailable
            | Self::ActionUnavailable
            | Self::ActionFailed(_) => 400,
            Self::ThreadNotFound(_) | Self::ItemNotFound(_) | Self::AttachmentNotFound(_) => 404,
            Self::NoPendingToolCall(_) | Self::StructuredInputNotPending(_) => 409,
            Self::AttachmentTooLarge(_) => 413,
            Self::AttachmentTypeNotAllowed(_) => 415,
            Self::TranscriptionFailed(_) => 502,
            Self::Store(_) | Self::Internal(_) => 500,
        }
    }

    /// Whether this is the server's fault (status 500): log it; its message hides the details.
    /// (A 502 is the model provider's fault, told in words meant for the user.)
    pub fn is_server_error(&self) -> bool {
        self.status() == 500
    }

    /// Text for the caller: the error's description, except for server errors, whose details
    /// (store or responder internals) stay in the log.
    pub fn message(&self) -> String {
        if self.is_server_error() {
            "An unexpected error occurred.".to_owned()
        } else if let Self::ActionFailed(message) | Self::TranscriptionFailed(message) = self {
            message.clone()
        } else {
            let mut text = self.to_string();
            if let Some(first) = text.get(..1) {
                let upper = first.to_uppercase();
                text.replace_range(..1, &upper);
            }
            text
        }
    }
}

impl From<StoreError> for ProtocolError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

fn unknown_type_message(r#type: Option<&str>) -> String {
    let known = chatkit_types::StreamingReq::TYPES
        .iter()
        .chain(chatkit_types::NonStreamingReq::TYPES.iter())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    match r#type {
        Some(t) => format!("unknown request type `{t}`; expected one of: {known}"),
        None => format!("the request has no `type`; expected one of: {known}"),
    }
}
