use thiserror::Error;

/// Failures of the store itself (not of the data being imported: those are rejections).
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database URL {0:?} is neither sqlite://PATH nor postgres://…")]
    BadUrl(String),
    #[error("cannot create the directory for {path}: {source}")]
    CreateDir { path: String, source: std::io::Error },
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    /// The database could not be reached (no connection in time, the connection broke, the
    /// pool closed): a condition that passes, unlike a failed statement.
    pub fn is_unreachable(&self) -> bool {
        match self {
            StoreError::Sql(e) => unreachable_sql(e),
            _ => false,
        }
    }
}

/// [`StoreError::is_unreachable`] for a bare sqlx error.
pub fn unreachable_sql(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed)
}
