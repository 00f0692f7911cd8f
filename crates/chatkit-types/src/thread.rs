//! Threads, their status, and pages (Python: `### THREAD TYPES` and `Page` in
//! `chatkit/types.py`).
//!
//! [`ThreadMetadata`] is the store-side record and serializes its `metadata` as is (a store may
//! persist it). [`Thread`] is what goes on the wire, and its `metadata` is always `{}` there: the
//! Python server rebuilds every thread it sends without the stored metadata
//! (`_to_thread_response`), so the integration's private data never leaks.

use serde::{Deserialize, Serialize, Serializer};

use crate::JsonObject;
use crate::item::ThreadItem;
use crate::timestamp::Timestamp;

/// One page of a paginated collection (Python: `Page[T]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Page<T> {
    /// The records; default `[]`.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// Whether more records follow; default `false`.
    #[serde(default)]
    pub has_more: bool,
    /// Cursor for the next page (the id of the last record) when `has_more`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub after: Option<String>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            data: Vec::new(),
            has_more: false,
            after: None,
        }
    }
}

/// Lifecycle state of a thread (Python: `ThreadStatus`, discriminated on `type`). UI-only: the
/// server does not refuse work on locked or closed threads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(tag = "type")]
pub enum ThreadStatus {
    /// `"active"`: the default.
    #[serde(rename = "active")]
    Active(ActiveStatus),
    /// `"locked"`: the composer is disabled, `reason` shown as its placeholder.
    #[serde(rename = "locked")]
    Locked(LockedStatus),
    /// `"closed"`: the composer is replaced by a banner.
    #[serde(rename = "closed")]
    Closed(ClosedStatus),
}

impl Default for ThreadStatus {
    fn default() -> Self {
        Self::Active(ActiveStatus {})
    }
}

/// The thread is active (Python: `ActiveStatus`, `type: "active"`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
// ts-rs would write an empty struct as `Record<string, never>`, which no tagged literal matches.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "{}"))]
pub struct ActiveStatus {}

/// The thread is locked (Python: `LockedStatus`, `type: "locked"`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct LockedStatus {
    /// Why, shown as the composer's placeholder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The thread is closed (Python: `ClosedStatus`, `type: "closed"`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ClosedStatus {
    /// Why, shown in the banner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A thread without its items, as a store keeps it (Python: `ThreadMetadata`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThreadMetadata {
    /// Title shown in the history list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Thread id.
    pub id: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Lifecycle state; default `{"type": "active"}`.
    #[serde(default)]
    pub status: ThreadStatus,
    /// Image hosts assistant markdown may load from (1.6.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_image_domains: Option<Vec<String>>,
    /// Integration-private metadata; default `{}`. Serialized here (for storage), never in a
    /// [`Thread`].
    #[serde(default)]
    pub metadata: JsonObject,
}

impl ThreadMetadata {
    /// An active, untitled thread with no metadata.
    pub fn new(id: impl Into<String>, created_at: Timestamp) -> Self {
        Self {
            title: None,
            id: id.into(),
            created_at,
            status: ThreadStatus::default(),
            allowed_image_domains: None,
            metadata: JsonObject::new(),
        }
    }
}

/// A thread with a page of its items, as sent to the client (Python: `Thread`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct Thread {
    /// Title shown in the history list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Thread id.
    pub id: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Lifecycle state; default `{"type": "active"}`.
    #[serde(default)]
    pub status: ThreadStatus,
    /// Image hosts assistant markdown may load from (1.6.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_image_domains: Option<Vec<String>>,
    /// Integration-private metadata, read from input and kept, but always serialized as `{}`.
    #[serde(default, serialize_with = "empty_object")]
    #[cfg_attr(feature = "ts", ts(type = "Record<string, never>"))]
    pub metadata: JsonObject,
    /// A page of the thread's items.
    pub items: Page<ThreadItem>,
}

fn empty_object<S: Serializer>(_: &JsonObject, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    serializer.serialize_map(Some(0))?.end()
}

impl Thread {
    /// The thread `metadata` describes, with `items`.
    pub fn from_metadata(metadata: ThreadMetadata, items: Page<ThreadItem>) -> Self {
        let ThreadMetadata {
            title,
            id,
            created_at,
            status,
            allowed_image_domains,
            metadata,
        } = metadata;
        Self {
            title,
            id,
            created_at,
            status,
            allowed_image_domains,
            metadata,
            items,
        }
    }

    /// The thread as the Python server sends it (`_to_thread_response`): hidden items removed
    /// from `items.data`, `has_more` and `after` kept.
    pub fn into_response(mut self) -> Self {
        self.items.data.retain(|item| !item.is_hidden());
        self
    }

    /// Splits the thread into its metadata and its items.
    pub fn into_parts(self) -> (ThreadMetadata, Page<ThreadItem>) {
        let Thread {
            title,
            id,
            created_at,
            status,
            allowed_image_domains,
            metadata,
            items,
        } = self;
        (
            ThreadMetadata {
                title,
                id,
                created_at,
                status,
                allowed_image_domains,
                metadata,
            },
            items,
        )
    }
}

impl From<ThreadMetadata> for Thread {
    /// The thread with an empty page of items.
    fn from(metadata: ThreadMetadata) -> Self {
        Self::from_metadata(metadata, Page::default())
    }
}
