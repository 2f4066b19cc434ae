//! Vanguard's analytics engine (docs/RULES.md §4–§7).
//!
//! Every aggregate is a polars lazy query over the frames of a [`Dataset`]: integer
//! surrogate ids, vocabulary codes, timestamps in microseconds, months as `Period` numbers
//! and points in units of 10⁻⁷ ([`domain::Points`]), so nothing is ever rounded. The rules
//! are data ([`Rules`]), and so is the indicator catalogue ([`catalogue::Catalogue`]),
//! whose formulas compile to polars expressions over monthly facts ([`facts`]).
//! [`hub::Hub`] is the long-running form the server uses: versioned state, incremental
//! refresh, every answer computed once per version.

mod arrow_file;
pub mod catalogue;
pub mod columnar;
pub mod dataset;
pub mod export;
pub mod facts;
pub mod formula;
pub mod hub;
pub mod index;
pub mod lights;
pub mod live;
pub mod load;
pub mod lru;
pub mod member_rows;
pub mod month;
pub mod read;
pub mod recompute;
pub mod report;
pub mod rules;
pub mod saved;
pub mod schema;
pub mod snapshot;
pub mod views;

pub use dataset::Dataset;
pub use export::{Export, write_export};
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
