//! Vanguard's system of record.
//!
//! One [`Store`] speaks to SQLite (the embedded default, a file created if missing) or to
//! PostgreSQL, chosen by the sqlx URL; migrations run when it connects. Every write path —
//! the importer, the seeder's files (the `seed` crate writes interchange files, `vanguard
//! seed` imports them) — goes through [`import`], which validates with the `domain` crate.

pub mod db;
pub mod error;
pub mod extract;
pub mod extras;
pub mod import;
pub mod queries;
pub mod schema;
pub mod sql;

pub use db::{Backend, Store};
pub use error::StoreError;
pub use queries::{OrgNode, TableCounts};

/// The embedded default database, relative to the working directory (the repository root
/// when the wall is started by `scripts/wall.sh`).
pub const DEFAULT_DB_URL: &str = "sqlite://data/vanguard.db";
