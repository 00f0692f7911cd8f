//! The SQL backends' one implementation: [`SqlStore`], generic over a [`Dialect`] (SQLite or
//! PostgreSQL). Every operation's control flow lives here once; a dialect only supplies its SQL
//! (the [`Statements`], written once below and specialized by a few fragments) and how to read
//! the number of rows a statement changed. The backends' modules keep what really differs:
//! connecting, pool settings and migrations.
//!
//! Every thread and item row has an insertion sequence (`seq`), which never ties, and pages are
//! ordered by it. An upsert (`save_item`, `save_thread`, `save_attachment`) updates the row in
//! place and so keeps its `seq`. Ownership is checked in the same statement as each write
//! (`... WHERE EXISTS (thread owned by the context)`), so there is no window between the check
//! and the write.

use std::fmt;

use async_trait::async_trait;
use chatkit_types::{Attachment, FeedbackKind, Order, Page, ThreadItem, ThreadMetadata};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Type};
use tracing::instrument;

use crate::{FeedbackRecord, Store, StoreContext, StoreError, StoreResult};

/// The SQL of every operation, in one dialect.
#[derive(Debug)]
pub struct Statements {
    load_thread: &'static str,
    save_thread: &'static str,
    thread_seq: &'static str,
    threads_asc: &'static str,
    threads_desc: &'static str,
    delete_thread: &'static str,
    delete_thread_attachments: &'static str,
    item_cursor: &'static str,
    items_asc: &'static str,
    items_desc: &'static str,
    add_item: &'static str,
    save_item: &'static str,
    load_item: &'static str,
    delete_item: &'static str,
    save_attachment: &'static str,
    load_attachment: &'static str,
    delete_attachment: &'static str,
    add_feedback: &'static str,
    load_feedback: &'static str,
}

/// The statements, written once. The dialects differ only in these fragments: `as_text` after a
/// selected `json` column (PostgreSQL stores `json` and hands it back as text), `timestamp` and
/// `json` after the parameters bound to such columns (PostgreSQL casts the bound text), and `now`,
/// the current time as the `created_at` of feedback.
macro_rules! statements {
    (as_text: $text:literal, timestamp: $ts:literal, json: $json:literal, now: $now:literal) => {
        Statements {
            load_thread: concat!(
                "SELECT json", $text, " FROM threads WHERE id = $1 AND identity = $2 AND agent = $3"
            ),
            save_thread: concat!(
                "INSERT INTO threads (id, identity, agent, created_at, json) \
                 VALUES ($1, $2, $3, $4", $ts, ", $5", $json, ") \
                 ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, json = excluded.json \
                 WHERE threads.identity = excluded.identity AND threads.agent = excluded.agent"
            ),
            thread_seq: "SELECT seq FROM threads WHERE id = $1 AND identity = $2 AND agent = $3",
            threads_asc: concat!(
                "SELECT id, json", $text, " FROM threads \
                 WHERE identity = $1 AND agent = $2 AND seq > $3 ORDER BY seq ASC LIMIT $4"
            ),
            threads_desc: concat!(
                "SELECT id, json", $text, " FROM threads \
                 WHERE identity = $1 AND agent = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4"
            ),
            delete_thread: "DELETE FROM threads WHERE id = $1 AND identity = $2 AND agent = $3",
            delete_thread_attachments: "DELETE FROM attachments \
                 WHERE thread_id = $1 AND identity = $2 AND agent = $3",
            // One row when the thread is the context's; its column is the cursor item's seq.
            item_cursor: "SELECT (SELECT seq FROM items WHERE thread_id = t.id AND id = $4) \
                 FROM threads t WHERE t.id = $1 AND t.identity = $2 AND t.agent = $3",
            items_asc: concat!(
                "SELECT id, json", $text, " FROM items \
                 WHERE thread_id = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3"
            ),
            items_desc: concat!(
                "SELECT id, json", $text, " FROM items \
                 WHERE thread_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3"
            ),
            add_item: concat!(
                "INSERT INTO items (thread_id, id, created_at, json) \
                 SELECT $1, $2, $3", $ts, ", $4", $json, " \
                 WHERE EXISTS (SELECT 1 FROM threads WHERE id = $1 AND identity = $5 AND agent = $6)"
            ),
            // The update keeps the row, so a replaced item keeps its seq (its place in the order).
            save_item: concat!(
                "INSERT INTO items (thread_id, id, created_at, json) \
                 SELECT $1, $2, $3", $ts, ", $4", $json, " \
                 WHERE EXISTS (SELECT 1 FROM threads WHERE id = $1 AND identity = $5 AND agent = $6) \
                 ON CONFLICT (thread_id, id) DO UPDATE \
                 SET created_at = excluded.created_at, json = excluded.json"
            ),
            load_item: concat!(
                "SELECT i.json", $text, " FROM items i JOIN threads t ON t.id = i.thread_id \
                 WHERE i.thread_id = $1 AND i.id = $2 AND t.identity = $3 AND t.agent = $4"
            ),
            // The item's feedback goes with it (ON DELETE CASCADE).
            delete_item: "DELETE FROM items WHERE thread_id = $1 AND id = $2 \
                 AND EXISTS (SELECT 1 FROM threads WHERE id = $1 AND identity = $3 AND agent = $4)",
            save_attachment: concat!(
                "INSERT INTO attachments (id, identity, agent, thread_id, json) \
                 VALUES ($1, $2, $3, $4, $5", $json, ") \
                 ON CONFLICT (id) DO UPDATE SET thread_id = excluded.thread_id, json = excluded.json \
                 WHERE attachments.identity = excluded.identity AND attachments.agent = excluded.agent"
            ),
            load_attachment: concat!(
                "SELECT json", $text, " FROM attachments WHERE id = $1 AND identity = $2 AND agent = $3"
            ),
            delete_attachment: "DELETE FROM attachments WHERE id = $1 AND identity = $2 AND agent = $3",
            add_feedback: concat!(
                "INSERT INTO feedback (thread_id, item_id, identity, kind, created_at) \
                 SELECT i.thread_id, i.id, $3, $4, ", $now, " \
                 FROM items i JOIN threads t ON t.id = i.thread_id \
                 WHERE i.thread_id = $1 AND i.id = $2 AND t.identity = $3 AND t.agent = $5 \
                 ON CONFLICT (thread_id, item_id, identity) DO UPDATE \
                 SET kind = excluded.kind, created_at = excluded.created_at"
            ),
            load_feedback: "SELECT f.item_id, f.kind FROM feedback f \
                 JOIN items i ON i.thread_id = f.thread_id AND i.id = f.item_id \
                 WHERE f.thread_id = $1 ORDER BY i.seq, f.identity",
        }
    };
}

/// SQLite: columns are `TEXT`; timestamps are RFC 3339 text.
const SQLITE: Statements = statements!(
    as_text: "", timestamp: "", json: "", now: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
);

/// PostgreSQL: `timestamptz` and `json` columns.
const POSTGRES: Statements =
    statements!(as_text: "::text", timestamp: "::timestamptz", json: "::json", now: "now()");

mod sealed {
    pub trait Sealed {}
    impl Sealed for sqlx::Sqlite {}
    impl Sealed for sqlx::Postgres {}
}

/// A database [`SqlStore`] runs on: SQLite or PostgreSQL (sealed).
pub trait Dialect: Database + sealed::Sealed {
    /// The store's name in `Debug` output.
    const STORE_NAME: &'static str;
    /// Its SQL.
    const SQL: Statements;
    /// How many rows a statement inserted, updated or deleted.
    fn rows_affected(result: &Self::QueryResult) -> u64;
}

impl Dialect for sqlx::Sqlite {
    const STORE_NAME: &'static str = "SqliteStore";
    const SQL: Statements = SQLITE;
    fn rows_affected(result: &Self::QueryResult) -> u64 {
        result.rows_affected()
    }
}

impl Dialect for sqlx::Postgres {
    const STORE_NAME: &'static str = "PostgresStore";
    const SQL: Statements = POSTGRES;
    fn rows_affected(result: &Self::QueryResult) -> u64 {
        result.rows_affected()
    }
}

/// A [`Store`] in a SQL database: [`crate::SqliteStore`] or [`crate::PostgresStore`].
pub struct SqlStore<DB: Database> {
    pool: Pool<DB>,
}

impl<DB: Database> SqlStore<DB> {
    /// A store over `pool`, which must be migrated already.
    pub(crate) fn from_pool(pool: Pool<DB>) -> Self {
        Self { pool }
    }

    /// The connection pool (for health checks and shutdown).
    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl<DB: Database> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
        }
    }
}

impl<DB: Dialect> fmt::Debug for SqlStore<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(DB::STORE_NAME)
            .field("pool", &self.pool)
            .finish()
    }
}

/// Fails with `NotFound` when a write changed no row (the record is absent or another
/// context's).
fn changed<DB: Dialect>(result: DB::QueryResult) -> StoreResult<()> {
    if DB::rows_affected(&result) == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

#[async_trait]
impl<DB> Store for SqlStore<DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'a> &'a str: Encode<'a, DB> + Type<DB>,
    for<'a> Option<&'a str>: Encode<'a, DB> + Type<DB>,
    String: for<'r> Decode<'r, DB> + Type<DB>,
    i64: for<'a> Encode<'a, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    #[instrument(level = "debug", skip_all, fields(thread_id = %thread_id))]
    async fn load_thread(
        &self,
        thread_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<ThreadMetadata> {
        let json: String = sqlx::query_scalar(DB::SQL.load_thread)
            .bind(thread_id)
            .bind(ctx.identity.as_str())
            .bind(ctx.agent.as_str())
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        decode(&json)
    }

    #[instrument(level = "debug", skip_all, fields(thread_id = %thread.id))]
    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &StoreContext) -> StoreResult<()> {
        let done = sqlx::query(DB::SQL.save_thread)
            .bind(thread.id.as_str())
            .bind(ctx.identity.as_str())
            .bind(ctx.agent.as_str())
            .bind(thread.created_at.to_string().as_str())
            .bind(encode(thread)?.as_str())
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        changed::<DB>(done)
    }

    #[instrument(level = "debug", skip_all, fields(limit, ?order))]
    async fn load_threads(
        &self,
        limit: usize,
        after: Option<&str>,
        order: Order,
        ctx: &StoreContext,
    ) -> StoreResult<Page<ThreadMetadata>> {
        let ascending = matches!(order, Order::Asc);
        let bound = match after {
            Some(cursor) => sqlx::query_scalar::<DB, i64>(DB::SQL.thread_seq)
                .bind(cursor)
                .bind(ctx.identity.as_str())
                .bind(ctx.agent.as_str())
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)?,
            None => open_bound(ascending),
        };
        let sql = if ascending {
            DB::SQL.threads_asc
        } else {
            DB::SQL.threads_desc
        };
        let rows: Vec<(String, String)> = sqlx::query_as(sql)
            .bind(ctx.identity.as_str())
            .bind(ctx.agent.as_str())
            .bind(bound)
            .bind(fetch_limit(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        decode_page(rows, limit)
    }

    #[instrument(level = "debug", skip_all, fields(thread_id = %thread_id))]
    async fn delete_thread(&self, thread_id: &str, ctx: &StoreContext) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        // Items and their feedback go with the thread (ON DELETE CASCADE).
        let done = sqlx::query(DB::SQL.delete_thread)
            .bind(thread_id)
            .bind(ctx.identity.as_str())
            .bind(ctx.agent.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        changed::<DB>(done)?;
        sqlx::query(DB::SQL.delete_thread_attachments)
            .bind(thread_id)
            .bind(ctx.identity.as_str())
            .bind(ctx.agent.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    #[instrument(level = "debug", skip_all, fields(thread_id = %thread_id, limit, ?order))]
    async fn load_thread_items(
        &self,
        thread_id: &str,
        after: Option<&str>,
        limit: usize,
        order: Order,
        ctx: &StoreContext,
    ) -> StoreResult<Page<ThreadItem>> {
        let ascending = matches!(order, Order::Asc);
        let cursor: Option<i64> = sqlx::query_scalar(DB::SQL.item_cursor)
            .bind(thread_id)
            .bind(ctx.identity.as_str())
            .bind(ctx.agent.as_str())
            .bind(after)
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        let bound = item_cursor_bound(after, cursor, ascending)?;
        let sql = if ascending {
            DB::SQL.items_asc
        } else {
            DB::SQL.items_desc
        };
        let rows: Vec<(String, String)> = sqlx::query_as(sql)
            .bind(thread_id)
            .bind(bound)
            .bind(fetch_limit(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        decode_page(rows, limit)
    }

    #[instrument(level = "debug", skip_all, fields(thread_id = %thread_id, item_id = %item.id()))]
    async fn add_thread_item(
        &self,
        thread_id: &str,
        item: &ThreadItem,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        let done = sqlx::query(DB::SQL.add_item)
            .bind(thread_id)
            .bind(item.id())
            .bind(item.created_at().to_string().as_str())
            .bind(encode(item)?.as_str())
            .bind(ctx.identity.as_str())
            .bind(ctx.agent.as_str())
            .execute(&self.pool)
            .await
            .map_err(|e| match map_err(e) {
                StoreError::Conflict(_) => StoreError::Conflict(item.id().to_owned()),
                e => e,
            })?;
        changed::<DB>(done)
    }

    #[instrument(level = "debug", skip_all, fields(thread_id = %thread_id, item_id = %item.id()))]
    async fn save_item(
        &self,
        thread_id: &str,
        item: &ThreadItem,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        let done = sqlx::query(DB::SQL.save_item)
            .bind(thread_id)
            .bind(item.id())
            .bind(item.created_at().to_string().as_str())
            .bind(encode(item)?.as_str())
            .bind(ctx.identity.as_str())
            .bind(ctx.agent.as_str())
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        changed::<DB>(done)
    }

    #[instrument(level = "debug", skip_all, fields(thread_id = %thread_id, item_id = %item_id))]
    async fn load_item(
        &self,
        thread_id: &str,
        item_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<ThreadItem> {
        let json: String = sqlx::query_scalar(DB::SQL.load_item)
            .bind(thread_id)
            .bind(item_id)
            .bind(ctx.identity.as_str())
            .bind(ctx.agent.as_str())
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        decode(&json)
    }

    #[instrument(level = "debug", skip_all, fields(thread_id = %thread_id, item_id = %item_id))]
    async fn delete_thread_item(
        &self,
        thread_id: &str,
        item_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        let done = sqlx::query(DB::SQL.delete_item)
            .bind(thread_id)
            .bind(item_id)
            .bind(ctx.identity.as_str())
            .bind(ctx.agent.as_str())
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        changed::<DB>(done)
    }

    #[instrument(level = "debug", skip_all, fields(attachment_id = %attachment.id()))]
    async fn save_attachment(
        &self,
        attachment: &Attachment,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        let done = sqlx::query(DB::SQL.save_attachment)
            .bind(attachment.id())
            .bind(ctx.identity.as_str())
            .bind(ctx.agent.as_str())
            .bind(attachment.thread_id())
            .bind(encode_attachment(attachment).as_str())
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        changed::<DB>(done)
    }

    #[instrument(level = "debug", skip_all, fields(attachment_id = %attachment_id))]
    async fn load_attachment(
        &self,
        attachment_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<Attachment> {
        let json: String = sqlx::query_scalar(DB::SQL.load_attachment)
            .bind(attachment_id)
            .bind(ctx.identity.as_str())
            .bind(ctx.agent.as_str())
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        decode(&json)
    }

    #[instrument(level = "debug", skip_all, fields(attachment_id = %attachment_id))]
    async fn delete_attachment(&self, attachment_id: &str, ctx: &StoreContext) -> StoreResult<()> {
        let done = sqlx::query(DB::SQL.delete_attachment)
            .bind(attachment_id)
            .bind(ctx.identity.as_str())
            .bind(ctx.agent.as_str())
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        changed::<DB>(done)
    }

    #[instrument(level = "debug", skip_all, fields(thread_id = %thread_id, items = item_ids.len()))]
    async fn add_feedback(
        &self,
        thread_id: &str,
        item_ids: &[String],
        kind: FeedbackKind,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        if item_ids.is_empty() {
            // Nothing to record, but a foreign or unknown thread is still not found.
            return self.load_thread(thread_id, ctx).await.map(drop);
        }
        // All or nothing: an unknown item rolls back the feedback recorded before it.
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        for item_id in item_ids {
            let done = sqlx::query(DB::SQL.add_feedback)
                .bind(thread_id)
                .bind(item_id.as_str())
                .bind(ctx.identity.as_str())
                .bind(feedback_kind_name(kind))
                .bind(ctx.agent.as_str())
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            changed::<DB>(done)?;
        }
        tx.commit().await.map_err(map_err)
    }

    #[instrument(level = "debug", skip_all, fields(thread_id = %thread_id))]
    async fn load_feedback(
        &self,
        thread_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<Vec<FeedbackRecord>> {
        self.load_thread(thread_id, ctx).await?;
        let rows: Vec<(String, String)> = sqlx::query_as(DB::SQL.load_feedback)
            .bind(thread_id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.into_iter()
            .map(|(item_id, kind)| {
                Ok(FeedbackRecord {
                    thread_id: thread_id.to_owned(),
                    item_id,
                    kind: feedback_kind(&kind)?,
                })
            })
            .collect()
    }
}

/// Maps a sqlx error to the store's: a missing row is `NotFound`, a unique violation `Conflict`,
/// a missing referenced row `NotFound`, a value that cannot be read `Corrupt`, anything else
/// `Backend`.
pub(crate) fn map_err(err: sqlx::Error) -> StoreError {
    match err {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_owned())
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
        sqlx::Error::Decode(e) => StoreError::Corrupt(e.to_string()),
        e @ (sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::TypeNotFound { .. }) => StoreError::Corrupt(e.to_string()),
        e => StoreError::Backend(Box::new(e)),
    }
}

/// Maps a migration failure (at connect) to `Backend`.
pub(crate) fn map_migrate_err(err: sqlx::migrate::MigrateError) -> StoreError {
    StoreError::Backend(Box::new(err))
}

/// The JSON text a value is stored as.
fn encode<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(Box::new(e)))
}

/// The JSON text an attachment is stored as: its wire form plus `metadata`.
fn encode_attachment(attachment: &Attachment) -> String {
    attachment.to_storage_value().to_string()
}

/// A stored value read back; a value that does not parse is `Corrupt`.
fn decode<T: DeserializeOwned>(json: &str) -> StoreResult<T> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The stored name of a feedback kind.
fn feedback_kind_name(kind: FeedbackKind) -> &'static str {
    match kind {
        FeedbackKind::Positive => "positive",
        FeedbackKind::Negative => "negative",
    }
}

/// A feedback kind read back.
fn feedback_kind(name: &str) -> StoreResult<FeedbackKind> {
    match name {
        "positive" => Ok(FeedbackKind::Positive),
        "negative" => Ok(FeedbackKind::Negative),
        other => Err(StoreError::Corrupt(format!(
            "unknown feedback kind {other:?}"
        ))),
    }
}

/// The SQL `LIMIT` that fetches one row beyond a page of `limit`, to learn `has_more`.
fn fetch_limit(limit: usize) -> i64 {
    i64::try_from(limit)
        .unwrap_or(i64::MAX - 1)
        .min(i64::MAX - 1)
        + 1
}

/// The sequence bound that admits every row when there is no cursor: rows come after 0 in
/// ascending order and before `i64::MAX` in descending order.
fn open_bound(ascending: bool) -> i64 {
    if ascending { 0 } else { i64::MAX }
}

/// Rows of `(id, stored JSON)`, fetched with [`fetch_limit`], decoded into a page of `limit`.
fn decode_page<T: DeserializeOwned>(
    rows: Vec<(String, String)>,
    limit: usize,
) -> StoreResult<Page<T>> {
    let rows = rows
        .into_iter()
        .map(|(id, json)| Ok((id, decode(&json)?)))
        .collect::<StoreResult<_>>()?;
    Ok(crate::page_of(rows, limit))
}

/// The sequence bound of an item page: open without a cursor; the cursor item's `seq` when it is
/// in the thread; `NotFound` when a cursor was given but is not.
fn item_cursor_bound(
    after: Option<&str>,
    cursor_seq: Option<i64>,
    ascending: bool,
) -> StoreResult<i64> {
    match (after, cursor_seq) {
        (None, _) => Ok(open_bound(ascending)),
        (Some(_), Some(seq)) => Ok(seq),
        (Some(_), None) => Err(StoreError::NotFound),
    }
}
