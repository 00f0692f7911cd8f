//! Stream events (Python: `### THREAD STREAM EVENT TYPES` in `chatkit/types.py`): each SSE frame
//! of a streaming reply is one [`ThreadStreamEvent`] as `data: <json>\n\n`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::JsonObject;
use crate::error::ErrorCode;
use crate::icon::IconName;
use crate::item::ThreadItem;
use crate::thread::Thread;
use crate::update::ThreadItemUpdate;

/// A stream event (Python: `ThreadStreamEvent`, discriminated on `type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(tag = "type")]
pub enum ThreadStreamEvent {
    /// A thread was created (first frame of `threads.create`).
    #[serde(rename = "thread.created")]
    ThreadCreated(ThreadCreatedEvent),
    /// The thread's metadata (title, status, …) changed.
    #[serde(rename = "thread.updated")]
    ThreadUpdated(ThreadUpdatedEvent),
    /// An item is complete (and saved).
    #[serde(rename = "thread.item.done")]
    ThreadItemDone(ThreadItemDoneEvent),
    /// An item started streaming.
    #[serde(rename = "thread.item.added")]
    ThreadItemAdded(ThreadItemAddedEvent),
    /// An incremental change to a streaming item (Python: `ThreadItemUpdatedEvent`, alias
    /// `ThreadItemUpdated`).
    #[serde(rename = "thread.item.updated")]
    ThreadItemUpdated(ThreadItemUpdatedEvent),
    /// An item was removed.
    #[serde(rename = "thread.item.removed")]
    ThreadItemRemoved(ThreadItemRemovedEvent),
    /// An item was replaced in place.
    #[serde(rename = "thread.item.replaced")]
    ThreadItemReplaced(ThreadItemReplacedEvent),
    /// Runtime stream settings (sent at the start of every response segment).
    #[serde(rename = "stream_options")]
    StreamOptions(StreamOptionsEvent),
    /// A transient status line.
    #[serde(rename = "progress_update")]
    ProgressUpdate(ProgressUpdateEvent),
    /// A fire-and-forget effect for the client (`onEffect`).
    #[serde(rename = "client_effect")]
    ClientEffect(ClientEffectEvent),
    /// An error; the stream ends after it.
    #[serde(rename = "error")]
    Error(ErrorEvent),
    /// A user-facing banner.
    #[serde(rename = "notice")]
    Notice(NoticeEvent),
}

/// A thread was created (Python: `ThreadCreatedEvent`, `type: "thread.created"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadCreatedEvent {
    /// The new thread.
    pub thread: Thread,
}

/// A thread was updated (Python: `ThreadUpdatedEvent`, `type: "thread.updated"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadUpdatedEvent {
    /// The thread as it is now.
    pub thread: Thread,
}

/// An item started streaming (Python: `ThreadItemAddedEvent`, `type: "thread.item.added"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadItemAddedEvent {
    /// The item in its first state.
    pub item: ThreadItem,
}

/// An incremental change to an item (Python: `ThreadItemUpdatedEvent`,
/// `type: "thread.item.updated"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadItemUpdatedEvent {
    /// The item changed.
    pub item_id: String,
    /// The change.
    pub update: ThreadItemUpdate,
}

/// Python's backwards-compatible alias of [`ThreadItemUpdatedEvent`] (`ThreadItemUpdated`).
pub type ThreadItemUpdated = ThreadItemUpdatedEvent;

/// An item is complete (Python: `ThreadItemDoneEvent`, `type: "thread.item.done"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadItemDoneEvent {
    /// The final, full item.
    pub item: ThreadItem,
}

/// An item was removed (Python: `ThreadItemRemovedEvent`, `type: "thread.item.removed"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadItemRemovedEvent {
    /// The removed item's id.
    pub item_id: String,
}

/// An item was replaced (Python: `ThreadItemReplacedEvent`, `type: "thread.item.replaced"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadItemReplacedEvent {
    /// The new item (same id).
    pub item: ThreadItem,
}

/// Settings that control the stream at runtime (Python: `StreamOptions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct StreamOptions {
    /// Whether the client shows a Stop button.
    pub allow_cancel: bool,
}

/// Sets stream options (Python: `StreamOptionsEvent`, `type: "stream_options"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct StreamOptionsEvent {
    /// The options.
    pub stream_options: StreamOptions,
}

/// A transient status line (Python: `ProgressUpdateEvent`, `type: "progress_update"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ProgressUpdateEvent {
    /// Optional icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<IconName>,
    /// The status text.
    pub text: String,
}

/// A client side effect (Python: `ClientEffectEvent`, `type: "client_effect"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ClientEffectEvent {
    /// Effect name.
    pub name: String,
    /// Effect data; default `{}`.
    #[serde(default)]
    pub data: JsonObject,
}

/// The `code` of an [`ErrorEvent`] (Python: `ErrorCode | Literal["custom"]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum ErrorEventCode {
    /// `"custom"` (the default): the client shows the event's `message`.
    #[default]
    Custom,
    /// A code whose message the client localizes.
    Code(ErrorCode),
}

impl ErrorEventCode {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Custom => "custom",
            Self::Code(code) => code.as_str(),
        }
    }
}

impl fmt::Display for ErrorEventCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<ErrorCode> for ErrorEventCode {
    fn from(code: ErrorCode) -> Self {
        Self::Code(code)
    }
}

impl Serialize for ErrorEventCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorEventCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Ok(if s == "custom" {
            Self::Custom
        } else {
            Self::Code(ErrorCode::from(s.as_str()))
        })
    }
}

/// An error while producing the reply (Python: `ErrorEvent`, `type: "error"`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ErrorEvent {
    /// Error code; default `"custom"`.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub code: ErrorEventCode,
    /// Message shown for `"custom"` errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Whether the client offers a retry; default `false`.
    #[serde(default)]
    pub allow_retry: bool,
}

/// Severity of a notice (Python: `Literal["info", "warning", "danger"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "lowercase")]
pub enum NoticeLevel {
    /// `"info"`.
    Info,
    /// `"warning"`.
    Warning,
    /// `"danger"`.
    Danger,
}

/// A user-facing banner (Python: `NoticeEvent`, `type: "notice"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct NoticeEvent {
    /// Severity.
    pub level: NoticeLevel,
    /// The message (markdown).
    pub message: String,
    /// Optional title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

macro_rules! event_from {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(
            impl From<$ty> for ThreadStreamEvent {
                fn from(event: $ty) -> Self {
                    Self::$variant(event)
                }
            }
        )*
    };
}

event_from!(
    ThreadCreated(ThreadCreatedEvent),
    ThreadUpdated(ThreadUpdatedEvent),
    ThreadItemDone(ThreadItemDoneEvent),
    ThreadItemAdded(ThreadItemAddedEvent),
    ThreadItemUpdated(ThreadItemUpdatedEvent),
    ThreadItemRemoved(ThreadItemRemovedEvent),
    ThreadItemReplaced(ThreadItemReplacedEvent),
    StreamOptions(StreamOptionsEvent),
    ProgressUpdate(ProgressUpdateEvent),
    ClientEffect(ClientEffectEvent),
    Error(ErrorEvent),
    Notice(NoticeEvent),
);
