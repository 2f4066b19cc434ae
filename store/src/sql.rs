//! The few SQL primitives that the small writers (the `access` crate, single records) need,
//! once for both databases.
//!
//! [`Store`] is SQLite or PostgreSQL, chosen at run time by the URL. Their statements are written once in the SQL both understand (`$1` placeholders, `ON CONFLICT`,
//! `RETURNING`); [`Arg`] carries their parameters and [`Tx`] runs them on whichever backend
//! the store is. Rows come back as types that decode on both ([`BothRows`]: tuples or
//! `#[derive(sqlx::FromRow)]` structs of `i64`, `String` and their `Option`s).

use crate::Store;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Postgres, Sqlite, Transaction};

/// The error of a statement (sqlx's), for crates that do not depend on sqlx themselves.
pub use sqlx::Error as SqlError;

/// A statement parameter.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(Some(v.to_owned()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(Some(v))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Arg {
        Arg::Text(v.map(str::to_owned))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Arg {
        Arg::Text(v)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Arg {
        Arg::Int(v)
    }
}

/// `args![a, b, …]`: the parameters `$1, $2, …` of a statement.
#[macro_export]
macro_rules! args {
    ($($a:expr),* $(,)?) => { vec![$($crate::sql::Arg::from($a)),*] };
}
pub use args;

/// A row type that decodes from both backends.
pub trait BothRows: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> BothRows for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(v) => q.bind(v),
                Arg::Int(v) => q.bind(v),
            };
        }
        q
    }};
}

/// An open transaction on either backend; dropped without [`Tx::commit`] it rolls back.
pub enum Tx {
    /// On SQLite, with the importer's lock file when the transaction must hold it until it
    /// ends ([`crate::import::one`]).
    Sqlite(Transaction<'static, Sqlite>, Option<std::fs::File>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    /// A transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one failing
    /// when it upgrades a read; it is also what makes check-then-insert race-free there. On
    /// PostgreSQL the unique constraints settle races (`ON CONFLICT DO NOTHING`).
    pub async fn write(store: &Store) -> Result<Tx, sqlx::Error> {
        Ok(match store {
            Store::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?, None),
            Store::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A read-only transaction that sees one snapshot throughout (for a long export).
    pub async fn snapshot(store: &Store) -> Result<Tx, sqlx::Error> {
        Ok(match store {
            Store::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN DEFERRED").await?, None),
            Store::Postgres(p) => Tx::Postgres(p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?),
        })
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t, _) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }

    /// Runs a statement; the number of rows it changed.
    pub async fn execute(&mut self, sql: &'static str, args: Vec<Arg>) -> Result<u64, sqlx::Error> {
        Ok(match self {
            Tx::Sqlite(t, _) => bind_all!(sqlx::query(sql), args).execute(&mut **t).await?.rows_affected(),
            Tx::Postgres(t) => bind_all!(sqlx::query(sql), args).execute(&mut **t).await?.rows_affected(),
        })
    }

    pub async fn optional<T: BothRows>(&mut self, sql: &'static str, args: Vec<Arg>) -> Result<Option<T>, sqlx::Error> {
        match self {
            Tx::Sqlite(t, _) => bind_all!(sqlx::query_as::<Sqlite, T>(sql), args).fetch_optional(&mut **t).await,
            Tx::Postgres(t) => bind_all!(sqlx::query_as::<Postgres, T>(sql), args).fetch_optional(&mut **t).await,
        }
    }

    pub async fn all<T: BothRows>(&mut self, sql: &'static str, args: Vec<Arg>) -> Result<Vec<T>, sqlx::Error> {
        match self {
            Tx::Sqlite(t, _) => bind_all!(sqlx::query_as::<Sqlite, T>(sql), args).fetch_all(&mut **t).await,
            Tx::Postgres(t) => bind_all!(sqlx::query_as::<Postgres, T>(sql), args).fetch_all(&mut **t).await,
        }
    }
}

/// One statement on its own (autocommit), for reads and single idempotent writes.
pub async fn execute(store: &Store, sql: &'static str, args: Vec<Arg>) -> Result<u64, sqlx::Error> {
    Ok(match store {
        Store::Sqlite(p) => bind_all!(sqlx::query(sql), args).execute(p).await?.rows_affected(),
        Store::Postgres(p) => bind_all!(sqlx::query(sql), args).execute(p).await?.rows_affected(),
    })
}

pub async fn optional<T: BothRows>(store: &Store, sql: &'static str, args: Vec<Arg>) -> Result<Option<T>, sqlx::Error> {
    match store {
        Store::Sqlite(p) => bind_all!(sqlx::query_as::<Sqlite, T>(sql), args).fetch_optional(p).await,
        Store::Postgres(p) => bind_all!(sqlx::query_as::<Postgres, T>(sql), args).fetch_optional(p).await,
    }
}

pub async fn all<T: BothRows>(store: &Store, sql: &'static str, args: Vec<Arg>) -> Result<Vec<T>, sqlx::Error> {
    match store {
        Store::Sqlite(p) => bind_all!(sqlx::query_as::<Sqlite, T>(sql), args).fetch_all(p).await,
        Store::Postgres(p) => bind_all!(sqlx::query_as::<Postgres, T>(sql), args).fetch_all(p).await,
    }
}
