//! The operations loop (docs/RULES.md §11): what happens after a light turns on.
//!
//! - [`lit`]: the lights of §5 that are on at the newest month — what raises warnings;
//! - [`warnings`]: warnings as stored facts, raised, escalated and cleared in one
//!   transaction with their messages, and moved by people (acknowledge, resolve);
//! - [`outbox`]: the messages, one row per recipient channel; [`webhooks`]: where they go
//!   and in which format; [`worker`]: the delivery loop inside `serve`;
//! - [`reports`]: the monthly reports, generated once per month and frozen, and their job.
//!
//! No web framework: the server's routes call these functions after checking the caller's
//! scope, and the `vanguard` CLI calls them as `cli`.

pub mod error;
pub mod lit;
pub mod outbox;
pub mod reports;
pub mod warnings;
pub mod webhooks;
pub mod worker;

pub use error::OpsError;
pub use lit::{Lights, Lit, Reason, SubjectKind};
pub use warnings::{Raised, WarningFilter, WarningRow, WarningState, raise};
pub use worker::Worker;

/// Brings the warnings up to date with the data in the store now (the CLI's way; `serve` does
/// it after each new data version): loads the dataset, computes the lights of the newest
/// month and raises.
pub async fn sync(store: &store::Store, copy: &engine::columnar::ColumnarCopy, rules: &engine::Rules) -> Result<Raised, OpsError> {
    let ds = engine::load::load(store, copy).await?;
    let rules = rules.clone();
    let lights = tokio::task::spawn_blocking(move || lit::at_newest(&ds, &rules))
        .await
        .map_err(|e| OpsError::Engine(engine::EngineError::Internal(format!("lights task: {e}"))))??;
    raise(store, &lights).await
}
