//! [`PostgresStore`]: the PostgreSQL backend (`DATABASE_URL=postgres://...`), for deployments
//! with more than one server process or a managed database.
//!
//! Every thread and item row has a `bigserial` sequence (`seq`) and pages are ordered by it, so
//! there are no ties. An upsert (`save_item`, `save_thread`) updates the row in place and so keeps
//! its `seq`. Ownership is checked in the same statement as each write (`... WHERE EXISTS (thread
//! owned by the context)`), so there is no window between the check and the write. A sequence
//! value is taken at insert time, not at commit: the items of one thread are written one after
//! the other by the engine, so their order is their sequence order.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chatkit_types::{Attachment, FeedbackKind, Order, Page, ThreadItem, ThreadMetadata};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tracing::instrument;

use crate::sql::{
    decode, decode_page, encode, encode_attachment, feedback_kind, feedback_kind_name, fetch_limit,
    item_cursor_bound, map_err, map_migrate_err, open_bound,
};
use crate::{FeedbackRecord, Store, StoreContext, StoreError, StoreResult};

/// How long a call waits for a free connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections in the pool.
const MAX_CONNECTIONS: u32 = 16;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A [`Store`] in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to the database at a `postgres://` (or `postgresql://`) URL and migrates it.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url).map_err(map_err)?;
        Self::connect_with(options).await
    }

    /// Connects with `options` and migrates the database.
    pub async fn connect_with(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(map_err)?;
        MIGRATOR.run(&pool).await.map_err(map_migrate_err)?;
        Ok(Self { pool })
    }

    /// The connection pool (for health checks and shutdown).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for PostgresStore {
    #[instrument(level = "debug", skip_all, fields(thread_id = %thread_id))]
    async fn load_thread(
        &self,
        thread_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<ThreadMetadata> {
        let json: String = sqlx::query_scalar(
            "SELECT json::text FROM threads WHERE id = $1 AND identity = $2 AND agent = $3",
        )
        .bind(thread_id)
        .bind(&ctx.identity)
        .bind(&ctx.agent)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        decode(&json)
    }

    #[instrument(level = "debug", skip_all, fields(thread_id = %thread.id))]
    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &StoreContext) -> StoreResult<()> {
        let done = sqlx::query(
            "INSERT INTO threads (id, identity, agent, created_at, json) \
             VALUES ($1, $2, $3, $4::timestamptz, $5::json) \
             ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, json = excluded.json \
             WHERE threads.identity = excluded.identity AND threads.agent = excluded.agent",
        )
        .bind(&thread.id)
        .bind(&ctx.identity)
        .bind(&ctx.agent)
        .bind(thread.created_at.to_string())
        .bind(encode(thread)?)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
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
            Some(cursor) => sqlx::query_scalar::<_, i64>(
                "SELECT seq FROM threads WHERE id = $1 AND identity = $2 AND agent = $3",
            )
            .bind(cursor)
            .bind(&ctx.identity)
            .bind(&ctx.agent)
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?,
            None => open_bound(ascending),
        };
        let sql = if ascending {
            "SELECT id, json::text FROM threads WHERE identity = $1 AND agent = $2 AND seq > $3 \
             ORDER BY seq ASC LIMIT $4"
        } else {
            "SELECT id, json::text FROM threads WHERE identity = $1 AND agent = $2 AND seq < $3 \
             ORDER BY seq DESC LIMIT $4"
        };
        let rows: Vec<(String, String)> = sqlx::query_as(sql)
            .bind(&ctx.identity)
            .bind(&ctx.agent)
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
        let done =
            sqlx::query("DELETE FROM threads WHERE id = $1 AND identity = $2 AND agent = $3")
                .bind(thread_id)
                .bind(&ctx.identity)
                .bind(&ctx.agent)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "DELETE FROM attachments WHERE thread_id = $1 AND identity = $2 AND agent = $3",
        )
        .bind(thread_id)
        .bind(&ctx.identity)
        .bind(&ctx.agent)
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
        // One row when the thread is the context's; its column is the cursor item's seq.
        let cursor: Option<i64> = sqlx::query_scalar(
            "SELECT (SELECT seq FROM items WHERE thread_id = t.id AND id = $4) \
             FROM threads t WHERE t.id = $1 AND t.identity = $2 AND t.agent = $3",
        )
        .bind(thread_id)
        .bind(&ctx.identity)
        .bind(&ctx.agent)
        .bind(after)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        let bound = item_cursor_bound(after, cursor, ascending)?;
        let sql = if ascending {
            "SELECT id, json::text FROM items WHERE thread_id = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3"
        } else {
            "SELECT id, json::text FROM items WHERE thread_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3"
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
        let done = sqlx::query(
            "INSERT INTO items (thread_id, id, created_at, json) \
             SELECT $1, $2, $3::timestamptz, $4::json \
             WHERE EXISTS (SELECT 1 FROM threads WHERE id = $1 AND identity = $5 AND agent = $6)",
        )
        .bind(thread_id)
        .bind(item.id())
        .bind(item.created_at().to_string())
        .bind(encode(item)?)
        .bind(&ctx.identity)
        .bind(&ctx.agent)
        .execute(&self.pool)
        .await
        .map_err(|e| match map_err(e) {
            StoreError::Conflict(_) => StoreError::Conflict(item.id().to_owned()),
            e => e,
        })?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[instrument(level = "debug", skip_all, fields(thread_id = %thread_id, item_id = %item.id()))]
    async fn save_item(
        &self,
        thread_id: &str,
        item: &ThreadItem,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        // The update keeps the row, so a replaced item keeps its seq (its place in the order).
        let done = sqlx::query(
            "INSERT INTO items (thread_id, id, created_at, json) \
             SELECT $1, $2, $3::timestamptz, $4::json \
             WHERE EXISTS (SELECT 1 FROM threads WHERE id = $1 AND identity = $5 AND agent = $6) \
             ON CONFLICT (thread_id, id) DO UPDATE \
             SET created_at = excluded.created_at, json = excluded.json",
        )
        .bind(thread_id)
        .bind(item.id())
        .bind(item.created_at().to_string())
        .bind(encode(item)?)
        .bind(&ctx.identity)
        .bind(&ctx.agent)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[instrument(level = "debug", skip_all, fields(thread_id = %thread_id, item_id = %item_id))]
    async fn load_item(
        &self,
        thread_id: &str,
        item_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<ThreadItem> {
        let json: String = sqlx::query_scalar(
            "SELECT i.json::text FROM items i JOIN threads t ON t.id = i.thread_id \
             WHERE i.thread_id = $1 AND i.id = $2 AND t.identity = $3 AND t.agent = $4",
        )
        .bind(thread_id)
        .bind(item_id)
        .bind(&ctx.identity)
        .bind(&ctx.agent)
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
        // The item's feedback goes with it (ON DELETE CASCADE).
        let done = sqlx::query(
            "DELETE FROM items WHERE thread_id = $1 AND id = $2 \
             AND EXISTS (SELECT 1 FROM threads WHERE id = $1 AND identity = $3 AND agent = $4)",
        )
        .bind(thread_id)
        .bind(item_id)
        .bind(&ctx.identity)
        .bind(&ctx.agent)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[instrument(level = "debug", skip_all, fields(attachment_id = %attachment.id()))]
    async fn save_attachment(
        &self,
        attachment: &Attachment,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "INSERT INTO attachments (id, identity, agent, thread_id, json) \
             VALUES ($1, $2, $3, $4, $5::json) \
             ON CONFLICT (id) DO UPDATE SET thread_id = excluded.thread_id, json = excluded.json \
             WHERE attachments.identity = excluded.identity AND attachments.agent = excluded.agent",
        )
        .bind(attachment.id())
        .bind(&ctx.identity)
        .bind(&ctx.agent)
        .bind(attachment.thread_id())
        .bind(encode_attachment(attachment))
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[instrument(level = "debug", skip_all, fields(attachment_id = %attachment_id))]
    async fn load_attachment(
        &self,
        attachment_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<Attachment> {
        let json: String = sqlx::query_scalar(
            "SELECT json::text FROM attachments WHERE id = $1 AND identity = $2 AND agent = $3",
        )
        .bind(attachment_id)
        .bind(&ctx.identity)
        .bind(&ctx.agent)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        decode(&json)
    }

    #[instrument(level = "debug", skip_all, fields(attachment_id = %attachment_id))]
    async fn delete_attachment(&self, attachment_id: &str, ctx: &StoreContext) -> StoreResult<()> {
        let done =
            sqlx::query("DELETE FROM attachments WHERE id = $1 AND identity = $2 AND agent = $3")
                .bind(attachment_id)
                .bind(&ctx.identity)
                .bind(&ctx.agent)
                .execute(&self.pool)
                .await
                .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
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
            let done = sqlx::query(
                "INSERT INTO feedback (thread_id, item_id, identity, kind, created_at) \
                 SELECT i.thread_id, i.id, $3, $4, now() \
                 FROM items i JOIN threads t ON t.id = i.thread_id \
                 WHERE i.thread_id = $1 AND i.id = $2 AND t.identity = $3 AND t.agent = $5 \
                 ON CONFLICT (thread_id, item_id, identity) DO UPDATE \
                 SET kind = excluded.kind, created_at = excluded.created_at",
            )
            .bind(thread_id)
            .bind(item_id)
            .bind(&ctx.identity)
            .bind(feedback_kind_name(kind))
            .bind(&ctx.agent)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
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
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT f.item_id, f.kind FROM feedback f \
             JOIN items i ON i.thread_id = f.thread_id AND i.id = f.item_id \
             WHERE f.thread_id = $1 ORDER BY i.seq, f.identity",
        )
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
