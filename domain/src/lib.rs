//! Vanguard's data contract (docs/RULES.md §2–§5) as types.
//!
//! Everything here is pure: parsing and validating interchange fields, exact decimals,
//! civil dates in Asia/Shanghai local time, the enumerations of §2/§3, the lights of §5
//! and the units of §7's catalogue. The store's importer, the seeder, the engine and the
//! wall all speak these types, so a rule of §3 (or a light's spelling, or a month's form)
//! lives in exactly one place.

pub mod access;
pub mod decimal;
pub mod ids;
pub mod kinds;
pub mod light;
pub mod masking;
pub mod org;
pub mod points;
pub mod records;
pub mod report;
pub mod time;
pub mod unit;
pub mod wire;

pub use access::{Role, mask_name};
pub use decimal::Dec6;
pub use kinds::*;
pub use light::Light;
pub use masking::Masked;
pub use org::OrgNode;
pub use points::Points;
pub use records::*;
pub use time::{Date, Period, Timestamp};
pub use unit::Unit;

/// A field that failed validation: which column and why, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    pub field: &'static str,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self { field, reason: reason.into() }
    }
}
