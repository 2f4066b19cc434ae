//! Vanguard's analytics engine (DOMAIN.md §4–§7).
//!
//! Every aggregate is a polars lazy query over the frames of a [`Dataset`]: integer
//! surrogate ids, vocabulary codes, timestamps in microseconds, months as `Period` numbers
//! and points in units of 10⁻⁷ ([`domain::Points`]), so nothing is ever rounded. The rules
//! are data ([`Rules`]).

pub mod columnar;
pub mod dataset;
pub mod export;
pub mod index;
pub mod lights;
pub mod recompute;
pub mod live;
pub mod load;
pub mod rules;

pub use dataset::Dataset;
pub use export::{write_export, Export};
pub use rules::{Light, Rules};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("analytics query failed: {0}")]
    Polars(#[from] polars::prelude::PolarsError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("internal error: {0}")]
    Internal(String),
}
