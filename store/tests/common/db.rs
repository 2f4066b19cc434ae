//! Fresh databases for tests, on every backend: always a new SQLite file in a temporary
//! directory; PostgreSQL too when `VANGUARD_TEST_PG` names a server (e.g.
//! `postgres://postgres@127.0.0.1:5432/test`): each test gets its own `CREATE DATABASE vg_…`,
//! dropped again (`WITH (FORCE)`) when the [`TestDb`] is dropped. Without `VANGUARD_TEST_PG`
//! the tests run on SQLite only — except under CI (`CI` set), where PostgreSQL must be tested
//! and its absence is a failure.
//!
//! Included by the store's tests (through `common`), and by path by the engine's, the access
//! crate's and the server's.

#![allow(dead_code)]

use sqlx::{AssertSqlSafe, Connection, Row};
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use store::Store;
use tempfile::TempDir;

pub const PG_ENV: &str = "VANGUARD_TEST_PG";

/// One database under test.
pub struct TestDb {
    /// `sqlite` or `postgres`, for assertion messages.
    pub label: &'static str,
    pub url: String,
    pub store: Store,
    // Dropped after `store` (declaration order): the pool first, then the database.
    pg: Option<PgDatabase>,
    _dir: Option<TempDir>,
}

impl TestDb {
    /// A second, independent connection to the same database (as another process would have).
    pub async fn reconnect(&self) -> Store {
        Store::connect(&self.url).await.unwrap_or_else(|e| panic!("[{}] reconnect to {}: {e}", self.label, self.url))
    }
}

/// The PostgreSQL server to test against, if any. Panics under CI when none is given.
pub fn pg_base_url() -> Option<String> {
    static NOTE: Once = Once::new();
    match std::env::var(PG_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().to_owned()),
        _ => {
            if std::env::var_os("CI").is_some() {
                panic!("{PG_ENV} is not set but CI is: PostgreSQL must be tested in CI (e.g. {PG_ENV}=postgres://postgres@127.0.0.1:5432/test)");
            }
            NOTE.call_once(|| {
                // Straight to stderr: the test harness captures eprintln! of passing tests.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "\n####################################################################################\n\
                     ## NOTE: {PG_ENV} is not set: the store tests run on SQLite ONLY.\n\
                     ##       Set {PG_ENV}=postgres://postgres@127.0.0.1:5432/test to test PostgreSQL.\n\
                     ####################################################################################\n"
                );
            });
            None
        }
    }
}

/// A fresh SQLite database, and a fresh PostgreSQL database when configured.
pub async fn backends() -> Vec<TestDb> {
    let mut out = vec![sqlite().await];
    if let Some(base) = pg_base_url() {
        out.push(postgres(&base).await);
    }
    out
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vanguard.db");
    let url = format!("sqlite://{}", path.display());
    let store = Store::connect(&url).await.unwrap_or_else(|e| panic!("[sqlite] connect {url}: {e}"));
    TestDb { label: "sqlite", url, store, pg: None, _dir: Some(dir) }
}

pub async fn postgres(base: &str) -> TestDb {
    let db = PgDatabase::create(base).await;
    let url = db.url.clone();
    let store = Store::connect(&url).await.unwrap_or_else(|e| panic!("[postgres] connect {url}: {e}"));
    TestDb { label: "postgres", url, store, pg: Some(db), _dir: None }
}

/// A database of its own on the test server, dropped (best effort) when this is dropped.
pub struct PgDatabase {
    pub admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    pub async fn create(base: &str) -> PgDatabase {
        let name = unique_name();
        let mut conn = sqlx::PgConnection::connect(base).await.unwrap_or_else(|e| panic!("cannot connect to {PG_ENV}={base}: {e}"));
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name} on {base}: {e}"));
        let _ = conn.close().await;
        PgDatabase { admin_url: base.to_owned(), url: with_database(base, &name), name }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        // Drop may run inside a runtime (the end of a #[tokio::test]); use a thread of our own.
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                let r = sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))).execute(&mut conn).await;
                let _ = conn.close().await;
                r.ok()
            })
        })
        .join();
        if !matches!(done, Ok(Some(_))) {
            eprintln!("note: could not drop the test database {}", self.name);
        }
    }
}

/// `vg_<pid>_<time>_<counter>`: unique across parallel tests and test binaries.
pub fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("vg_{}_{}_{}", std::process::id(), nanos % 1_000_000_000_000, COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// `base` with its database (the URL path) replaced by `db`; the query string is kept.
pub fn with_database(base: &str, db: &str) -> String {
    let (main, query) = match base.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (base, None),
    };
    let scheme_end = main.find("://").map_or(0, |i| i + 3);
    let root = match main[scheme_end..].find('/') {
        Some(i) => &main[..scheme_end + i],
        None => main,
    };
    match query {
        Some(q) => format!("{root}/{db}?{q}"),
        None => format!("{root}/{db}"),
    }
}

/// Runs a query returning rows of text (every column cast to TEXT by the caller's SQL) on
/// either backend. NULL comes back as `None`.
pub async fn rows(store: &Store, sql: &str) -> Vec<Vec<Option<String>>> {
    fn collect<R: Row>(rows: Vec<R>) -> Vec<Vec<Option<String>>>
    where
        for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        usize: sqlx::ColumnIndex<R>,
    {
        rows.iter().map(|r| (0..r.len()).map(|i| r.try_get::<Option<String>, _>(i).expect("a text column")).collect()).collect()
    }
    match store {
        Store::Sqlite(p) => collect(sqlx::query(AssertSqlSafe(sql.to_owned())).fetch_all(p).await.unwrap_or_else(|e| panic!("[sqlite] {sql}: {e}"))),
        Store::Postgres(p) => collect(sqlx::query(AssertSqlSafe(sql.to_owned())).fetch_all(p).await.unwrap_or_else(|e| panic!("[postgres] {sql}: {e}"))),
    }
}

/// A single BIGINT value (e.g. a COUNT).
pub async fn scalar(store: &Store, sql: &str) -> i64 {
    match store {
        Store::Sqlite(p) => sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql.to_owned())).fetch_one(p).await.unwrap_or_else(|e| panic!("[sqlite] {sql}: {e}")),
        Store::Postgres(p) => {
            sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql.to_owned())).fetch_one(p).await.unwrap_or_else(|e| panic!("[postgres] {sql}: {e}"))
        }
    }
}
