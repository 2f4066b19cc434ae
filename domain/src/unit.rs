//! The units of the indicator catalogue (§7: "id, name, level, formula, unit, …").
//!
//! One closed list, so that how a figure reads (its exact text, the suffix after it on the
//! wall, the unit's Chinese name) is decided here once, for the engine's exact texts and
//! the wall's charts alike. It travels as the lowercase word the catalogue JSON uses.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The unit of an indicator's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Activities, sessions, people (whole numbers).
    Count,
    /// A share in percent, 0–100.
    Percent,
    /// Vanguard Index points (§4).
    Points,
    /// Volunteer hours.
    Hours,
    /// A run of months (arrears, absence, gap of §5).
    Months,
    /// Star rating, 1–5.
    Stars,
    /// Democratic evaluation grade, 1–4.
    Grade,
    /// A rank (1 = best).
    Rank,
    /// An amount of money in yuan.
    Yuan,
}

/// A word that is not a unit of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a unit (expected one of: count, percent, points, hours, months, stars, grade, rank, yuan)")]
pub struct UnknownUnit(pub String);

impl Unit {
    pub const ALL: [Unit; 9] = [Unit::Count, Unit::Percent, Unit::Points, Unit::Hours, Unit::Months, Unit::Stars, Unit::Grade, Unit::Rank, Unit::Yuan];

    /// As the catalogue JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Percent => "percent",
            Unit::Points => "points",
            Unit::Hours => "hours",
            Unit::Months => "months",
            Unit::Stars => "stars",
            Unit::Grade => "grade",
            Unit::Rank => "rank",
            Unit::Yuan => "yuan",
        }
    }

    /// The unit's Chinese name, for a column heading (`次`, `%`, `分`, `名` …).
    pub fn zh(self) -> &'static str {
        match self {
            Unit::Count => "次",
            Unit::Percent => "%",
            Unit::Points => "分",
            Unit::Hours => "小时",
            Unit::Months => "个月",
            Unit::Stars => "星",
            Unit::Grade => "等",
            Unit::Rank => "名",
            Unit::Yuan => "元",
        }
    }

    /// What follows a figure on the wall (`87.5%`, `56.5分`, `3个月`). Counts, stars, grades
    /// and ranks print bare: their panels already say what is counted.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Points => "分",
            Unit::Months => "个月",
            Unit::Hours => "小时",
            Unit::Yuan => "元",
            Unit::Count | Unit::Stars | Unit::Grade | Unit::Rank => "",
        }
    }

    /// Decimals a value of this unit is shown with at most: counts, ranks and months are
    /// whole, percentages have one decimal, the rest two.
    pub fn decimals(self) -> usize {
        match self {
            Unit::Count | Unit::Rank | Unit::Months => 0,
            Unit::Percent => 1,
            Unit::Points | Unit::Hours | Unit::Stars | Unit::Grade | Unit::Yuan => 2,
        }
    }

    /// A value as shown beside the district average: rounded to [`Unit::decimals`], without
    /// trailing zeros (`87.5`, `12`, `0.17`), never `-0`.
    pub fn format(self, v: f64) -> String {
        let s = format!("{v:.*}", self.decimals());
        let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
        if s == "-0" { "0".into() } else { s }
    }
}

impl FromStr for Unit {
    type Err = UnknownUnit;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Unit::ALL.into_iter().find(|u| u.as_str() == s).ok_or_else(|| UnknownUnit(s.to_string()))
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for u in Unit::ALL {
            assert_eq!(u.as_str().parse::<Unit>(), Ok(u));
            assert_eq!(serde_json::to_string(&u).unwrap(), format!("\"{u}\""));
            assert_eq!(serde_json::from_str::<Unit>(&format!("\"{u}\"")).unwrap(), u);
        }
        assert!("Percent".parse::<Unit>().is_err());
        assert!(serde_json::from_str::<Unit>("\"metres\"").is_err());
    }

    #[test]
    fn formats() {
        assert_eq!(Unit::Percent.format(87.5), "87.5");
        assert_eq!(Unit::Percent.format(87.54), "87.5");
        assert_eq!(Unit::Points.format(12.0), "12");
        assert_eq!(Unit::Points.format(1.234), "1.23");
        assert_eq!(Unit::Hours.format(2.50), "2.5");
        assert_eq!(Unit::Count.format(2.6), "3");
        assert_eq!(Unit::Months.format(-0.2), "0");
        assert_eq!(Unit::Count.format(10.0), "10");
    }

    #[test]
    fn labels() {
        assert_eq!((Unit::Percent.suffix(), Unit::Count.suffix(), Unit::Months.suffix()), ("%", "", "个月"));
        assert_eq!((Unit::Count.zh(), Unit::Rank.zh(), Unit::Stars.zh()), ("次", "名", "星"));
    }
}
