//! Storage for the ChatKit protocol server.
//!
//! [`Store`] keeps threads, their items (hidden ones included) and attachment metadata, with the
//! semantics of `openai-chatkit`'s `Store` (see the protocol reference, section 9). Every call
//! carries a [`StoreContext`]: the identity and agent it acts for. A thread belongs to the
//! identity and the agent that created it; anything else asking for it gets [`StoreError::NotFound`],
//! never a different error, so a caller cannot tell "not yours" from "not there".
//!
//! Ordering never ties: each backend gives every thread and item an insertion sequence number, and
//! pages are ordered by it (creation order), so two items created in the same microsecond keep the
//! order in which they were added. Cursors (`after`) are ids and exclusive.
//!
//! Rules every backend follows (the story test in `tests/story.rs` holds them to it):
//! - a cursor that is not a record of the page's collection (unknown, deleted, another thread's
//!   item, another context's thread) is `NotFound`;
//! - a page of `limit` fetches one record more to learn `has_more`; `after` is the last id of
//!   `data` when `has_more`, else `None`;
//! - `save_thread`, `save_item` and `save_attachment` upsert in place (a replaced item keeps its
//!   place and its feedback); ids held by another context are `NotFound`;
//! - `add_feedback` is all or nothing: an item id not in the thread is `NotFound` and nothing is
//!   recorded; `load_feedback` lists records in item order;
//! - deleting an item deletes its feedback; deleting a thread deletes its items, their feedback
//!   and the metadata of the context's attachments whose `thread_id` is that thread (their bytes
//!   are the caller's to delete).
//!
//! Backends: SQLite (the default: one file in the data directory, WAL, migrations at start) and
//! PostgreSQL (`postgres://…`), picked from the URL by [`connect`], both one [`SqlStore`] over
//! their [`Dialect`]; and an in-memory one for tests.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use chatkit_types::{Attachment, FeedbackKind, Order, Page, ThreadItem, ThreadMetadata};

pub mod memory;
pub mod postgres;
pub mod sql;
pub mod sqlite;

pub use memory::MemoryStore;
pub use postgres::PostgresStore;
pub use sql::{Dialect, SqlStore};
pub use sqlite::{SQLITE_FILE_NAME, SqliteStore};

/// Opens the store a URL names, migrating it:
///
/// - `postgres://…` or `postgresql://…`: [`PostgresStore`];
/// - `sqlite:…` (e.g. `sqlite:///var/lib/chatkit/chatkit.db`, `sqlite://data/chatkit.db?mode=rwc`,
///   `sqlite::memory:`): [`SqliteStore`];
/// - a plain file path: [`SqliteStore`] on that file, or on `chatkit.db` inside it when it is an
///   existing directory (the data directory);
/// - `memory:`: a fresh [`MemoryStore`].
///
/// Any other `scheme://` is an error naming the supported ones.
pub async fn connect(url: &str) -> StoreResult<Arc<dyn Store>> {
    let url = url.trim();
    let scheme = url
        .split_once("://")
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("postgres" | "postgresql") => Ok(Arc::new(PostgresStore::connect(url).await?)),
        Some("sqlite") => Ok(Arc::new(SqliteStore::connect(url).await?)),
        Some(other) => Err(StoreError::Backend(
            format!(
                "unsupported database URL scheme {other:?}: use sqlite://…, postgres://…, \
                 memory: or a file path"
            )
            .into(),
        )),
        None if url.is_empty() => Err(StoreError::Backend(
            "empty database URL: use sqlite://…, postgres://…, memory: or a file path".into(),
        )),
        None if url == "memory:" => Ok(Arc::new(MemoryStore::new())),
        None if url.starts_with("sqlite:") => Ok(Arc::new(SqliteStore::connect(url).await?)),
        None => {
            let path = Path::new(url);
            let store = if path.is_dir() {
                SqliteStore::open_in_dir(path).await?
            } else {
                SqliteStore::open(path).await?
            };
            Ok(Arc::new(store))
        }
    }
}

/// Who a store call acts for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StoreContext {
    /// The caller's identity id (visitor cookie id or JWT `sub`).
    pub identity: String,
    /// The agent the request was addressed to (`/chatkit/<agent>`).
    pub agent: String,
}

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thread, item or attachment does not exist for this context.
    #[error("not found")]
    NotFound,
    /// An insert collided with an existing id.
    #[error("already exists: {0}")]
    Conflict(String),
    /// A stored value could not be read back (corrupt or from an incompatible version).
    #[error("stored data could not be decoded: {0}")]
    Corrupt(String),
    /// The backend failed (connection, I/O, constraint).
    #[error("storage backend error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// The kinds of id a store generates (Python: `StoreItemType`), with their prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// `thr_`
    Thread,
    /// `msg_`: user and assistant messages, widgets, generated images, structured input.
    Message,
    /// `tc_`
    ToolCall,
    /// `wf_`
    Workflow,
    /// `tsk_`
    Task,
    /// `atc_`
    Attachment,
    /// `shcx_`
    SdkHiddenContext,
}

impl IdKind {
    /// The id prefix, without the underscore.
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::Thread => "thr",
            IdKind::Message => "msg",
            IdKind::ToolCall => "tc",
            IdKind::Workflow => "wf",
            IdKind::Task => "tsk",
            IdKind::Attachment => "atc",
            IdKind::SdkHiddenContext => "shcx",
        }
    }
}

/// A fresh id: the kind's prefix and 16 hex digits of a random UUID (the reference uses 8; 16 makes
/// collisions across a large store negligible).
pub fn generate_id(kind: IdKind) -> String {
    let uuid = uuid::Uuid::new_v4().simple().to_string();
    format!("{}_{}", kind.prefix(), &uuid[..16])
}

/// Feedback on items, as recorded (for review and evaluation data later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRecord {
    /// The thread.
    pub thread_id: String,
    /// The item.
    pub item_id: String,
    /// Thumbs up or down.
    pub kind: FeedbackKind,
}

/// Threads, items, attachment metadata and feedback, scoped by [`StoreContext`].
///
/// Method names follow the Python `Store` so a diff against the reference stays mechanical.
#[async_trait]
pub trait Store: Send + Sync + fmt::Debug {
    /// A new thread id.
    fn generate_thread_id(&self) -> String {
        generate_id(IdKind::Thread)
    }

    /// A new item id of `kind`.
    fn generate_item_id(&self, kind: IdKind) -> String {
        generate_id(kind)
    }

    /// The thread, or `NotFound` when absent or another context's.
    async fn load_thread(&self, thread_id: &str, ctx: &StoreContext)
    -> StoreResult<ThreadMetadata>;

    /// Inserts or updates a thread (creation and every metadata change). Saving another context's
    /// thread id is `NotFound`.
    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &StoreContext) -> StoreResult<()>;

    /// The context's threads in creation order (`Desc`: newest first), `limit` at most, after the
    /// thread `after` (exclusive); `has_more` and `after` (the last id) when more follow.
    async fn load_threads(
        &self,
        limit: usize,
        after: Option<&str>,
        order: Order,
        ctx: &StoreContext,
    ) -> StoreResult<Page<ThreadMetadata>>;

    /// Deletes a thread, its items, its feedback and the metadata of its attachments.
    async fn delete_thread(&self, thread_id: &str, ctx: &StoreContext) -> StoreResult<()>;

    /// A thread's items (hidden ones included) in creation order, with the same cursor rules as
    /// [`Store::load_threads`]. `NotFound` when the thread is absent or another context's.
    async fn load_thread_items(
        &self,
        thread_id: &str,
        after: Option<&str>,
        limit: usize,
        order: Order,
        ctx: &StoreContext,
    ) -> StoreResult<Page<ThreadItem>>;

    /// Inserts an item at the end of the thread (`Conflict` if the id exists).
    async fn add_thread_item(
        &self,
        thread_id: &str,
        item: &ThreadItem,
        ctx: &StoreContext,
    ) -> StoreResult<()>;

    /// Inserts or replaces an item by id; a replaced item keeps its place in the order.
    async fn save_item(
        &self,
        thread_id: &str,
        item: &ThreadItem,
        ctx: &StoreContext,
    ) -> StoreResult<()>;

    /// One item, or `NotFound`.
    async fn load_item(
        &self,
        thread_id: &str,
        item_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<ThreadItem>;

    /// Deletes one item (`NotFound` if absent).
    async fn delete_thread_item(
        &self,
        thread_id: &str,
        item_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<()>;

    /// Inserts or updates attachment metadata (called again once the attachment joins a thread).
    async fn save_attachment(&self, attachment: &Attachment, ctx: &StoreContext)
    -> StoreResult<()>;

    /// Attachment metadata, or `NotFound`.
    async fn load_attachment(
        &self,
        attachment_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<Attachment>;

    /// Deletes attachment metadata (`NotFound` if absent).
    async fn delete_attachment(&self, attachment_id: &str, ctx: &StoreContext) -> StoreResult<()>;

    /// Records feedback on items of a thread (replacing earlier feedback on the same items).
    async fn add_feedback(
        &self,
        thread_id: &str,
        item_ids: &[String],
        kind: FeedbackKind,
        ctx: &StoreContext,
    ) -> StoreResult<()>;

    /// The feedback recorded on a thread's items.
    async fn load_feedback(
        &self,
        thread_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<Vec<FeedbackRecord>>;
}

/// Builds a page from up to `limit + 1` rows `(id, value)` already in page order: the first
/// `limit` are the data; a row beyond them means `has_more`, and `after` is then the id of the
/// last row kept.
pub(crate) fn page_of<T>(mut rows: Vec<(String, T)>, limit: usize) -> Page<T> {
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    let after = if has_more {
        rows.last().map(|(id, _)| id.clone())
    } else {
        None
    };
    Page {
        data: rows.into_iter().map(|(_, value)| value).collect(),
        has_more,
        after,
    }
}
