//! What can go wrong in the operations loop, typed, with a stable [`OpsError::code`] and the
//! HTTP status a web layer answers with ([`OpsError::status`]). Messages never carry text
//! from the database or the engine; those stay in `source()` for the log.

use thiserror::Error;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum OpsError {
    #[error("no warning {0}")]
    UnknownWarning(i64),
    #[error("no webhook {0}")]
    UnknownWebhook(i64),
    #[error("no report {0}")]
    UnknownReport(i64),
    /// The figures are still being loaded (a server starting).
    #[error("the figures are still being computed")]
    NotReady,
    /// A state change the warning's state does not allow (acknowledging a resolved one…).
    #[error("the warning is {state}: it cannot be {wanted}")]
    WrongState { state: String, wanted: &'static str },
    #[error("{0}")]
    Invalid(String),
    #[error("internal storage error")]
    Store(#[source] store::sql::SqlError),
    #[error("computing the lights failed")]
    Engine(#[source] engine::EngineError),
    #[error(transparent)]
    Access(#[from] access::AccessError),
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
}

impl OpsError {
    pub fn code(&self) -> &'static str {
        match self {
            OpsError::UnknownWarning(_) | OpsError::UnknownWebhook(_) | OpsError::UnknownReport(_) => "not_found",
            OpsError::NotReady => "not_ready",
            OpsError::WrongState { .. } => "wrong_state",
            OpsError::Invalid(_) => "invalid_input",
            OpsError::Access(e) => e.code(),
            OpsError::Store(_) | OpsError::Engine(_) | OpsError::Io(_) => "internal",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            OpsError::UnknownWarning(_) | OpsError::UnknownWebhook(_) | OpsError::UnknownReport(_) => 404,
            OpsError::NotReady => 503,
            OpsError::WrongState { .. } => 409,
            OpsError::Invalid(_) => 400,
            OpsError::Access(e) => e.status(),
            OpsError::Store(_) | OpsError::Engine(_) | OpsError::Io(_) => 500,
        }
    }
}

impl From<store::sql::SqlError> for OpsError {
    fn from(e: store::sql::SqlError) -> Self {
        OpsError::Store(e)
    }
}

impl From<engine::EngineError> for OpsError {
    fn from(e: engine::EngineError) -> Self {
        OpsError::Engine(e)
    }
}

impl From<polars::prelude::PolarsError> for OpsError {
    fn from(e: polars::prelude::PolarsError) -> Self {
        OpsError::Engine(engine::EngineError::Polars(e))
    }
}
