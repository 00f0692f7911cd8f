//! [`PostgresStore`]: the PostgreSQL backend (`DATABASE_URL=postgres://...`), for deployments
//! with more than one server process or a managed database.
//!
//! The `seq` of threads and items is a `bigserial`, so there are no ties. A sequence value is taken
//! at insert time, not at commit: the items of one thread are written one after the other by the
//! engine, so their order is their sequence order. The operations themselves are [`SqlStore`]'s,
//! shared with SQLite; this module only connects and migrates.

use std::str::FromStr;
use std::time::Duration;

use sqlx::Postgres;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::StoreResult;
use crate::sql::{SqlStore, map_err, map_migrate_err};

/// How long a call waits for a free connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections in the pool.
const MAX_CONNECTIONS: u32 = 16;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A [`crate::Store`] in a PostgreSQL database.
pub type PostgresStore = SqlStore<Postgres>;

impl SqlStore<Postgres> {
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
        Ok(Self::from_pool(pool))
    }
}
