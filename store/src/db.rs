//! Connecting to either database, and the few places where their SQL differs.

use crate::StoreError;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the system of record; cheap to clone (a pool inside).
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static PG_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long `serve` waits for a PostgreSQL connection before it says the store is unavailable
/// (issue 11 item 3: "a store timeout of a few seconds, never 30"). Commands, and a server on
/// SQLite (a file cannot go away; its waits are a writer's turn), keep sqlx's 30 s.
pub const SERVING_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(4);

impl Store {
    /// Connects (creating a SQLite file and its directory if missing) and applies migrations.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Self::connect_with(url, Duration::from_secs(30)).await
    }

    /// [`Store::connect`] for a server: a request waits at most [`SERVING_ACQUIRE_TIMEOUT`]
    /// for a connection, so a database outage is an answer in seconds.
    pub async fn connect_serving(url: &str) -> Result<Store, StoreError> {
        Self::connect_with(url, SERVING_ACQUIRE_TIMEOUT).await
    }

    async fn connect_with(url: &str, acquire_timeout: Duration) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                // WAL + NORMAL: a killed process never corrupts or half-writes a transaction.
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(false)
                .pragma("cache_size", "-262144")
                .pragma("temp_store", "memory");
            if let Some(dir) = opts.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir { path: url.to_owned(), source })?;
            }
            let pool = SqlitePoolOptions::new().max_connections(4).acquire_timeout(acquire_timeout).connect_with(opts).await?;
            SQLITE_MIGRATIONS.run(&pool).await?;
            Ok(Store::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new().max_connections(8).acquire_timeout(acquire_timeout).connect_with(opts).await?;
            PG_MIGRATIONS.run(&pool).await?;
            Ok(Store::Postgres(pool))
        } else {
            Err(StoreError::BadUrl(url.to_owned()))
        }
    }

    /// An online copy of a SQLite store into the new file `out` (`VACUUM INTO`: one read
    /// transaction, so a running server goes on reading and writing meanwhile, and the copy
    /// is consistent). PostgreSQL has its own tool: the error says to use `pg_dump`.
    pub async fn backup_into(&self, out: &std::path::Path) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => {
                sqlx::query("VACUUM INTO ?").bind(out.to_string_lossy().into_owned()).execute(pool).await?;
                Ok(())
            }
            Store::Postgres(_) => Err(StoreError::Other(format!(
                "a PostgreSQL store is backed up with its own tool: pg_dump --format=custom --file {} DATABASE_URL",
                out.display()
            ))),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(p) => p.close().await,
            Store::Postgres(p) => p.close().await,
        }
    }
}
