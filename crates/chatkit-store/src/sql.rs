//! What the SQL backends share: error mapping, JSON encoding of stored values, page limits.

use chatkit_types::{Attachment, FeedbackKind};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{StoreError, StoreResult};

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
pub(crate) fn encode<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(Box::new(e)))
}

/// The JSON text an attachment is stored as: its wire form plus `metadata`.
pub(crate) fn encode_attachment(attachment: &Attachment) -> String {
    attachment.to_storage_value().to_string()
}

/// A stored value read back; a value that does not parse is `Corrupt`.
pub(crate) fn decode<T: DeserializeOwned>(json: &str) -> StoreResult<T> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The stored name of a feedback kind.
pub(crate) fn feedback_kind_name(kind: FeedbackKind) -> &'static str {
    match kind {
        FeedbackKind::Positive => "positive",
        FeedbackKind::Negative => "negative",
    }
}

/// A feedback kind read back.
pub(crate) fn feedback_kind(name: &str) -> StoreResult<FeedbackKind> {
    match name {
        "positive" => Ok(FeedbackKind::Positive),
        "negative" => Ok(FeedbackKind::Negative),
        other => Err(StoreError::Corrupt(format!(
            "unknown feedback kind {other:?}"
        ))),
    }
}

/// The SQL `LIMIT` that fetches one row beyond a page of `limit`, to learn `has_more`.
pub(crate) fn fetch_limit(limit: usize) -> i64 {
    i64::try_from(limit)
        .unwrap_or(i64::MAX - 1)
        .min(i64::MAX - 1)
        + 1
}

/// The sequence bound that admits every row when there is no cursor: rows come after 0 in
/// ascending order and before `i64::MAX` in descending order.
pub(crate) fn open_bound(ascending: bool) -> i64 {
    if ascending { 0 } else { i64::MAX }
}

/// Rows of `(id, stored JSON)`, fetched with [`fetch_limit`], decoded into a page of `limit`.
pub(crate) fn decode_page<T: DeserializeOwned>(
    rows: Vec<(String, String)>,
    limit: usize,
) -> StoreResult<chatkit_types::Page<T>> {
    let rows = rows
        .into_iter()
        .map(|(id, json)| Ok((id, decode(&json)?)))
        .collect::<StoreResult<_>>()?;
    Ok(crate::page_of(rows, limit))
}

/// The sequence bound of an item page: open without a cursor; the cursor item's `seq` when it is
/// in the thread; `NotFound` when a cursor was given but is not.
pub(crate) fn item_cursor_bound(
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
