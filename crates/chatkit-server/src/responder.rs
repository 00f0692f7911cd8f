//! [`Responder`]: what produces a reply (Python: the hooks a `ChatKitServer` subclass overrides).
//!
//! The engine does the protocol (parsing, loading, persisting, ids, `stream_options`,
//! `thread.updated`, hidden items, cancellation); a responder only says what to answer. The agent
//! runtime implements it; tests use scripted responders.

use std::fmt;

use async_trait::async_trait;
use chatkit_types::{
    Action, AudioInput, CustomStreamError, ErrorCode, ErrorEvent, ErrorEventCode, FeedbackKind,
    StreamError, StreamOptions, SyncCustomActionResponse, ThreadMetadata, ThreadStreamEvent,
    TranscriptionResult, UserMessageItem, WidgetItem,
};
use futures::stream::{self, BoxStream};

use crate::context::{RequestContext, ThreadHandle};

/// The events of one reply, as the responder produces them. `'static` so the engine can drive it
/// from its own task: clone what it needs (the [`ThreadHandle`], the [`RequestContext`], `Arc`s)
/// into it.
///
/// Dropping the stream must cancel the work behind it (an HTTP request to a model, a spawned
/// task): the engine drops it when the client disconnects or a timeout fires, and expects no more
/// tokens to be paid for after that.
pub type EventStream = BoxStream<'static, Result<ThreadStreamEvent, ResponderError>>;

/// Why a responder failed.
///
/// In a stream, an error ends the reply with an `error` frame, as the reference does:
/// [`ResponderError::Custom`] → `{"code":"custom","message",…}`, [`ResponderError::Stream`] →
/// `{"code",…}` with the code's `allow_retry`, anything else → `stream.error` with retry allowed.
/// From a non-streaming hook it becomes a [`crate::ProtocolError`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ResponderError {
    /// An error with a code the client localizes (Python: `StreamError`).
    Stream(StreamError),
    /// An error whose message the user sees (Python: `CustomStreamError`).
    Custom(CustomStreamError),
    /// The responder does not implement this hook (Python: `NotImplementedError`).
    Unsupported(&'static str),
    /// Anything else: logged, and reported to the client as a generic `stream.error`.
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl ResponderError {
    /// Wraps any error as [`ResponderError::Other`].
    pub fn other(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Other(e.into())
    }

    /// The `error` event the client gets for this error.
    pub fn to_event(&self) -> ErrorEvent {
        match self {
            Self::Stream(e) => e.clone().into(),
            Self::Custom(e) => e.clone().into(),
            Self::Unsupported(_) | Self::Other(_) => ErrorEvent {
                code: ErrorEventCode::Code(ErrorCode::StreamError),
                message: None,
                allow_retry: true,
            },
        }
    }
}

impl fmt::Display for ResponderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stream(e) => write!(f, "{e}"),
            Self::Custom(e) => write!(f, "custom stream error: {e}"),
            Self::Unsupported(what) => write!(f, "the responder does not implement {what}"),
            Self::Other(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ResponderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Stream(e) => Some(e),
            Self::Custom(e) => Some(e),
            Self::Unsupported(_) => None,
            Self::Other(e) => Some(e.as_ref()),
        }
    }
}

impl From<StreamError> for ResponderError {
    fn from(e: StreamError) -> Self {
        Self::Stream(e)
    }
}

impl From<CustomStreamError> for ResponderError {
    fn from(e: CustomStreamError) -> Self {
        Self::Custom(e)
    }
}

/// A stream that fails at once with `error` (for hooks that cannot start).
pub fn failed_stream(error: ResponderError) -> EventStream {
    Box::pin(stream::once(async move { Err(error) }))
}

/// What produces replies. Names follow Python's `ChatKitServer` hooks.
///
/// The engine persists everything the streams yield (`thread.item.done` inserts,
/// `thread.item.replaced` upserts, `thread.item.removed` deletes) before sending it; a responder
/// never saves the items it streams. It may read the thread's history through the
/// [`ThreadHandle`] and save items it does not stream (hidden context) through
/// [`ThreadHandle::store`].
#[async_trait]
pub trait Responder: Send + Sync {
    /// Streams the reply to a new user message (`input`), to a retried one (`input` is the user
    /// message answered again), or to a resume after a client tool call or structured input
    /// (`input` is `None`). Python: `respond`.
    fn respond(
        &self,
        thread: ThreadHandle,
        input: Option<UserMessageItem>,
        ctx: &RequestContext,
    ) -> EventStream;

    /// Streams the reply to a widget action (`threads.custom_action`); `sender` is the widget
    /// item that sent it, when the client named one. Python: `action`. The default fails the
    /// stream with `stream.error`, as Python's `NotImplementedError` does.
    fn action(
        &self,
        thread: ThreadHandle,
        action: Action,
        sender: Option<WidgetItem>,
        ctx: &RequestContext,
    ) -> EventStream {
        let _ = (thread, action, sender, ctx);
        failed_stream(ResponderError::Unsupported("action"))
    }

    /// Answers a non-streaming widget action (`threads.sync_custom_action`) with at most one
    /// updated item, which the engine does *not* persist (as in the reference: save it yourself
    /// if it should last). Python: `sync_action`. The default answers `action_unavailable`.
    async fn sync_action(
        &self,
        thread: ThreadHandle,
        action: Action,
        sender: Option<WidgetItem>,
        ctx: &RequestContext,
    ) -> Result<SyncCustomActionResponse, ResponderError> {
        let _ = (thread, action, sender, ctx);
        Err(ResponderError::Unsupported("sync_action"))
    }

    /// Called after the engine recorded feedback through the store. Python: `add_feedback`.
    /// The default does nothing.
    async fn add_feedback(
        &self,
        thread_id: &str,
        item_ids: &[String],
        kind: FeedbackKind,
        ctx: &RequestContext,
    ) -> Result<(), ResponderError> {
        let _ = (thread_id, item_ids, kind, ctx);
        Ok(())
    }

    /// Transcribes dictated audio (`input.transcribe`). Python: `transcribe`. The default answers
    /// `transcription_unavailable`.
    async fn transcribe(
        &self,
        audio: AudioInput,
        ctx: &RequestContext,
    ) -> Result<TranscriptionResult, ResponderError> {
        let _ = (audio, ctx);
        Err(ResponderError::Unsupported("transcribe"))
    }

    /// The `stream_options` sent at the start of every streamed reply. Python:
    /// `get_stream_options`; the default allows cancelling (the client shows a Stop button).
    fn stream_options(&self, thread: &ThreadMetadata, ctx: &RequestContext) -> StreamOptions {
        let _ = (thread, ctx);
        StreamOptions { allow_cancel: true }
    }
}
