//! Error codes and stream errors (Python: `chatkit/errors.py`).
//!
//! [`ErrorCode`] is open, as Python's comment says ("new error codes can and will be added"):
//! codes this crate does not know are kept in [`ErrorCode::Other`]. The default HTTP status and
//! retry tables are [`DEFAULT_STATUS`] / [`DEFAULT_ALLOW_RETRY`], read through
//! [`ErrorCode::default_status`] / [`ErrorCode::default_allow_retry`] with Python's fallbacks
//! (500, no retry). [`StreamError`] and [`CustomStreamError`] are the two errors a responder
//! raises to end a stream with an `error` event.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::event::{ErrorEvent, ErrorEventCode};

/// An error code that maps to a localized, user-facing message in the client (Python:
/// `ErrorCode`, a `str` enum).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `"stream.error"` (Python: `STREAM_ERROR`): generic failure while producing the reply.
    StreamError,
    /// A code this crate does not know (Python's enum would reject it).
    Other(String),
}

/// Default HTTP status per code (Python: `DEFAULT_STATUS`); codes absent here use 500.
pub const DEFAULT_STATUS: &[(&str, u16)] = &[("stream.error", 500)];

/// Default `allow_retry` per code (Python: `DEFAULT_ALLOW_RETRY`); codes absent here use `false`.
pub const DEFAULT_ALLOW_RETRY: &[(&str, bool)] = &[("stream.error", true)];

impl ErrorCode {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            Self::StreamError => "stream.error",
            Self::Other(s) => s,
        }
    }

    /// The HTTP status Python associates with this code (`DEFAULT_STATUS.get(code, 500)`).
    pub fn default_status(&self) -> u16 {
        DEFAULT_STATUS
            .iter()
            .find(|(code, _)| *code == self.as_str())
            .map_or(500, |(_, status)| *status)
    }

    /// Whether the client offers a retry by default (`DEFAULT_ALLOW_RETRY.get(code, False)`).
    pub fn default_allow_retry(&self) -> bool {
        DEFAULT_ALLOW_RETRY
            .iter()
            .find(|(code, _)| *code == self.as_str())
            .is_some_and(|(_, retry)| *retry)
    }
}

impl From<&str> for ErrorCode {
    fn from(s: &str) -> Self {
        match s {
            "stream.error" => Self::StreamError,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Ok(match s.as_str() {
            "stream.error" => Self::StreamError,
            _ => Self::Other(s),
        })
    }
}

/// An error with a code the client localizes (Python: `StreamError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamError {
    /// The error code.
    pub code: ErrorCode,
    /// Whether the client offers a retry.
    pub allow_retry: bool,
    /// HTTP status associated with the code.
    pub status_code: u16,
}

impl StreamError {
    /// An error with `code`, its default status and its default `allow_retry`.
    pub fn new(code: ErrorCode) -> Self {
        Self {
            allow_retry: code.default_allow_retry(),
            status_code: code.default_status(),
            code,
        }
    }

    /// Overrides `allow_retry` (Python's `allow_retry=` keyword).
    pub fn with_allow_retry(mut self, allow_retry: bool) -> Self {
        self.allow_retry = allow_retry;
        self
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stream error `{}`", self.code)
    }
}

impl std::error::Error for StreamError {}

/// An error whose message is shown to the user as is (Python: `CustomStreamError`); localize it
/// before raising.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomStreamError {
    /// The user-facing message.
    pub message: String,
    /// Whether the client offers a retry (default `false`).
    pub allow_retry: bool,
}

impl CustomStreamError {
    /// An error with `message` and no retry.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            allow_retry: false,
        }
    }

    /// Overrides `allow_retry`.
    pub fn with_allow_retry(mut self, allow_retry: bool) -> Self {
        self.allow_retry = allow_retry;
        self
    }
}

impl fmt::Display for CustomStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CustomStreamError {}

impl From<StreamError> for ErrorEvent {
    /// `ErrorEvent(code=e.code, allow_retry=e.allow_retry)`, as the Python server builds it.
    fn from(e: StreamError) -> Self {
        ErrorEvent {
            code: ErrorEventCode::Code(e.code),
            message: None,
            allow_retry: e.allow_retry,
        }
    }
}

impl From<CustomStreamError> for ErrorEvent {
    /// `ErrorEvent(code="custom", message=e.message, allow_retry=e.allow_retry)`.
    fn from(e: CustomStreamError) -> Self {
        ErrorEvent {
            code: ErrorEventCode::Custom,
            message: Some(e.message),
            allow_retry: e.allow_retry,
        }
    }
}
