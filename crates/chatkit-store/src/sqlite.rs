//! [`SqliteStore`]: the default backend, one SQLite file (in the data directory) with WAL.
//!
//! Durability: WAL with `synchronous=NORMAL`. A call that returned `Ok` is in the WAL before the
//! engine sends its frame, so it survives the process being killed (the kill -9 test in the binary
//! shows it); a power loss or OS crash may roll back the last commits but never corrupts the file.
//! `FULL` would add an fsync to every commit (three per conversation) without protecting against
//! anything more that we promise: a killed process loses nothing either way. Foreign keys are on (items and
//! feedback cascade from their thread), and writers wait for each other up to the busy timeout.
//!
//! The `seq` of threads and items is an `INTEGER PRIMARY KEY AUTOINCREMENT`: it never ties and is
//! never reused. The operations themselves are [`SqlStore`]'s, shared with PostgreSQL; this module
//! only connects and migrates.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::Sqlite;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::sql::{SqlStore, map_err, map_migrate_err};
use crate::{StoreError, StoreResult};

/// The file name of the database in a data directory.
pub const SQLITE_FILE_NAME: &str = "chatkit.db";

/// How long a writer waits for another to finish before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections in the pool (WAL lets readers run beside the one writer).
const MAX_CONNECTIONS: u32 = 8;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A [`crate::Store`] in a SQLite database file.
pub type SqliteStore = SqlStore<Sqlite>;

impl SqlStore<Sqlite> {
    /// Opens (creating it and its directory if needed) the database at a `sqlite:` URL, e.g.
    /// `sqlite:///var/lib/chatkit/chatkit.db` or `sqlite://data/chatkit.db?mode=rwc`, and
    /// migrates it.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url).map_err(map_err)?;
        Self::connect_with(options).await
    }

    /// Opens (creating it and its directory if needed) the database file at `path` and migrates
    /// it.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        Self::connect_with(SqliteConnectOptions::new().filename(path)).await
    }

    /// Opens the database `chatkit.db` in the data directory `dir` (created if needed).
    pub async fn open_in_dir(dir: &Path) -> StoreResult<Self> {
        Self::open(&dir.join(SQLITE_FILE_NAME)).await
    }

    /// Opens the database with `options`, over which the store's settings (WAL, `synchronous =
    /// NORMAL`, foreign keys, busy timeout, create if missing) are applied, and migrates it.
    pub async fn connect_with(options: SqliteConnectOptions) -> StoreResult<Self> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let file = options.get_filename();
        let in_memory = file.as_os_str().is_empty()
            || file.to_string_lossy().contains(":memory:")
            || file.to_string_lossy().starts_with("file:sqlx-in-memory");
        if !in_memory && let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Backend(Box::new(e)))?;
        }
        let mut pool_options = SqlitePoolOptions::new().max_connections(MAX_CONNECTIONS);
        if in_memory {
            // An in-memory database lives as long as one of its connections: keep one forever.
            pool_options = pool_options
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
        let pool = pool_options.connect_with(options).await.map_err(map_err)?;
        MIGRATOR.run(&pool).await.map_err(map_migrate_err)?;
        Ok(Self::from_pool(pool))
    }
}
