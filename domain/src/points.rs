//! Vanguard Index points, exact.
//!
//! Points are held as integers in units of 10⁻⁷ point: every default rule of §4 is a whole
//! multiple of that unit (0.5 per study session, and 0.5 per volunteer hour on quantities
//! with at most six decimals gives at most seven), so sums and ranks never round.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Units per point.
pub const POINT: i64 = 10_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Points(pub i64);

impl Points {
    pub fn from_int(v: i64) -> Self {
        Points(v * POINT)
    }

    /// `v / 10` points, e.g. `tenths(5)` is 0.5 — for writing rules.
    pub const fn tenths(v: i64) -> Self {
        Points(v * (POINT / 10))
    }

    /// As a float, for charts only (never for figures that are compared or exported).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / POINT as f64
    }
}

impl fmt::Display for Points {
    /// The shortest exact decimal (`187.5`, `-5`, `0`, `0.165`), as §9 prints numbers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::decimal::write_scaled(f, self.0, 7)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_shortest_exact() {
        assert_eq!(Points::from_int(0).to_string(), "0");
        assert_eq!(Points(1_875_000_000).to_string(), "187.5");
        assert_eq!(Points::from_int(-5).to_string(), "-5");
        assert_eq!(Points(1_650_000).to_string(), "0.165");
        assert_eq!(Points(-5_000_000).to_string(), "-0.5");
        assert_eq!(Points(1).to_string(), "0.0000001");
        assert_eq!(Points(-1).to_string(), "-0.0000001");
        assert_eq!(Points::tenths(5).to_string(), "0.5");
    }
}
