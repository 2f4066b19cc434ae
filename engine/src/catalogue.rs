//! The indicator catalogue of §7 as data: 26 branch and 33 member indicators, each with
//! its names, level, formula ([`crate::formula`]), unit, direction and thresholds, plus the
//! tags and prescription the diagnosis (§6) uses. The default set is
//! `engine/catalogue/default.json`; another set can be loaded with [`Catalogue::from_json`].
//! The §4/§5 figures are entries of it (`m_index`, `m_dues_arrears`, `m_absence`,
//! `org_life_gap`, `red_member_share`), read from the same frames as the exports.

use crate::formula::{self, Ast, WINDOW};
use crate::rules::Light;
use crate::schema as c;
use domain::Unit;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Branch,
    Member,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Indicator {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub level: Level,
    pub formula: String,
    /// `count`, `percent`, `points`, `hours`, `months`, `stars`, `grade`, `rank` (a
    /// catalogue naming another unit is refused when it is loaded).
    pub unit: Unit,
    pub direction: Direction,
    /// Thresholds on the bad side of `direction`: for `higher`, a value below `yellow` is
    /// yellow and below `red` is red; for `lower`, at or above.
    pub yellow: Option<f64>,
    pub red: Option<f64>,
    /// Topic tags matched against the resource library.
    pub tags: Vec<String>,
    pub prescription: String,
    #[serde(skip)]
    ast: Option<Ast>,
}

impl Indicator {
    /// The fact columns its formula reads.
    pub fn columns(&self) -> Vec<&str> {
        self.ast.as_ref().map(|a| a.columns()).unwrap_or_default()
    }

    /// The column when the formula is exactly `last(column)` (its value at the target month).
    pub fn last_of(&self) -> Option<&str> {
        match &self.ast {
            Some(Ast::Last(c)) => Some(c.as_str()),
            _ => None,
        }
    }

    pub fn light(&self, v: f64) -> Light {
        let bad = |t: Option<f64>| match (t, self.direction) {
            (Some(t), Direction::Higher) => v < t,
            (Some(t), Direction::Lower) => v >= t,
            (None, _) => false,
        };
        if bad(self.red) {
            Light::Red
        } else if bad(self.yellow) {
            Light::Yellow
        } else {
            Light::Green
        }
    }

    /// On the bad side of the district average (a relative margin of 1e-9 absorbs float noise).
    pub fn worse_than(&self, v: f64, average: f64) -> bool {
        let eps = 1e-9 * average.abs().max(1.0);
        match self.direction {
            Direction::Higher => v < average - eps,
            Direction::Lower => v > average + eps,
        }
    }

    /// `v` is strictly better than `other` on this indicator's direction (the same margin).
    pub fn better_than(&self, v: f64, other: f64) -> bool {
        let eps = 1e-9 * other.abs().max(1.0);
        match self.direction {
            Direction::Higher => v > other + eps,
            Direction::Lower => v < other - eps,
        }
    }

    /// How far on the bad side of `average` `v` is, relative to it (0 when not worse): the
    /// order of "worst first".
    pub fn badness(&self, v: f64, average: f64) -> f64 {
        let d = match self.direction {
            Direction::Higher => average - v,
            Direction::Lower => v - average,
        };
        d.max(0.0) / average.abs().max(1.0)
    }

    /// The value as shown, in its unit (see [`Unit::format`]).
    pub fn format(&self, v: f64) -> String {
        self.unit.format(v)
    }

    pub fn unit_zh(&self) -> &'static str {
        self.unit.zh()
    }
}

/// When a branch indicator becomes a finding of the diagnosis (§6, and issue 10's "a
/// diagnosis that points somewhere"), kept as data beside the indicators. A finding is a
/// value that is
/// - over one of the indicator's own thresholds (its light is yellow or red), or
/// - among the worst `worst_share` of the district's branches: at most that share of the
///   branches with a value are as bad as it or worse (so a value shared by many — 60 % of
///   branches holding no meeting — is never "the worst tenth"; the threshold catches it),
///   and it is on the bad side of the average, or
/// - worse than the month before in each of the last `falling_months` months of the
///   branch's own trend.
///
/// Reading of §6: its "below the district average" made about half of all branches a
/// finding on every indicator, which told nobody what to do first; this rule replaces it,
/// and each finding says which of the three it met ([`Basis`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DiagnosisRule {
    pub worst_share: f64,
    pub falling_months: u32,
}

impl Default for DiagnosisRule {
    fn default() -> Self {
        DiagnosisRule { worst_share: 0.1, falling_months: 3 }
    }
}

/// Why an indicator is a finding (see [`DiagnosisRule`]); a finding can meet several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    Threshold = 1,
    WorstShare = 2,
    Falling = 4,
}

impl Basis {
    pub const ALL: [Basis; 3] = [Basis::Threshold, Basis::WorstShare, Basis::Falling];

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Threshold => "threshold",
            Basis::WorstShare => "worst_share",
            Basis::Falling => "falling",
        }
    }

    /// The bases set in a bit mask of [`Basis`] values.
    pub fn of_mask(mask: i64) -> impl Iterator<Item = Basis> {
        Basis::ALL.into_iter().filter(move |b| mask & (*b as i64) != 0)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Catalogue {
    /// Bumped whenever an entry changes; part of every cache key.
    pub version: u32,
    /// The rule that makes an indicator a finding; the default when a catalogue omits it.
    #[serde(default)]
    pub diagnosis: DiagnosisRule,
    pub indicators: Vec<Indicator>,
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue::from_json(include_str!("../catalogue/default.json")).expect("the default catalogue is valid (checked by a test)")
    }
}

impl Catalogue {
    /// Parses a catalogue and every formula in it; errors name the indicator.
    pub fn from_json(json: &str) -> Result<Catalogue, String> {
        let mut c: Catalogue = serde_json::from_str(json).map_err(|e| format!("indicator catalogue: {e}"))?;
        let d = &c.diagnosis;
        if !(d.worst_share >= 0.0 && d.worst_share < 1.0) || d.falling_months > 12 {
            return Err(format!("indicator catalogue: diagnosis rule {d:?}: worst_share must be in [0, 1) and falling_months at most 12"));
        }
        let mut seen = std::collections::HashSet::new();
        for ind in &mut c.indicators {
            if !seen.insert(ind.id.clone()) {
                return Err(format!("indicator catalogue: id {:?} appears twice", ind.id));
            }
            ind.ast = Some(formula::parse(&ind.formula).map_err(|e| format!("indicator {}: formula {:?}: {e}", ind.id, ind.formula))?);
        }
        Ok(c)
    }

    pub fn of(&self, level: Level) -> impl Iterator<Item = &Indicator> {
        self.indicators.iter().filter(move |i| i.level == level)
    }

    pub fn get(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// Evaluates the indicators of `level` over `facts` (a `subject` column, `month`, fact
    /// columns) at each target month of `targets`: one row per subject and target, columns
    /// `subject, t` and one Float64 column per indicator id (null where undefined).
    pub fn evaluate(&self, level: Level, facts: LazyFrame, subject: &str, targets: &[i32]) -> PolarsResult<LazyFrame> {
        let schema = facts.clone().collect_schema()?;
        let mut aggs = Vec::new();
        for ind in self.of(level) {
            let ast = ind.ast.as_ref().ok_or_else(|| polars_err!(ComputeError: "indicator {} was not compiled", ind.id))?;
            for c in ast.columns() {
                if schema.get(c).is_none() {
                    polars_bail!(ColumnNotFound: "indicator {}: formula {:?} reads the fact column {:?}, which does not exist", ind.id, ind.formula, c);
                }
            }
            aggs.push(ast.compile().alias(ind.id.as_str()));
        }
        let t = DataFrame::new_infer_height(vec![Column::new(c::TARGET_MONTH.into(), targets.to_vec())])?.lazy();
        Ok(facts
            .cross_join(t, None)
            .filter(col(c::MONTH).gt(col(c::TARGET_MONTH) - lit(WINDOW)).and(col(c::MONTH).lt_eq(col(c::TARGET_MONTH))))
            .group_by([col(subject), col(c::TARGET_MONTH)])
            .agg(aggs)
            .sort([subject, c::TARGET_MONTH], SortMultipleOptions::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_catalogue_has_the_real_counts() {
        let c = Catalogue::default();
        assert_eq!(c.of(Level::Branch).count(), 26);
        assert_eq!(c.of(Level::Member).count(), 33);
        for id in ["m_index", "m_dues_arrears", "m_absence", "org_life_gap", "red_member_share"] {
            assert!(c.get(id).is_some(), "{id}");
        }
    }

    #[test]
    fn bad_catalogues_name_the_indicator() {
        let e = Catalogue::from_json(r#"{"version":1,"indicators":[{"id":"x","zh":"x","en":"x","level":"branch","formula":"sum(a, 13)","unit":"count","direction":"higher","yellow":null,"red":null,"tags":[],"prescription":""}]}"#).unwrap_err();
        assert!(e.contains("indicator x"), "{e}");
        let e = Catalogue::from_json(r#"{"version":1,"indicators":[{"id":"x","zh":"x","en":"x","level":"branch","formula":"sum(a, 3)","unit":"metres","direction":"higher","yellow":null,"red":null,"tags":[],"prescription":""}]}"#).unwrap_err();
        assert!(e.contains("metres"), "{e}");
    }

    #[test]
    fn lights_follow_direction() {
        let c = Catalogue::default();
        let gap = c.get("org_life_gap").unwrap();
        assert_eq!((gap.light(0.0), gap.light(1.0), gap.light(2.0)), (Light::Green, Light::Yellow, Light::Red));
        let att = c.get("attendance_rate_year").unwrap();
        assert_eq!((att.light(90.0), att.light(70.0), att.light(59.9)), (Light::Green, Light::Yellow, Light::Red));
        assert!(att.worse_than(70.0, 80.0) && !att.worse_than(80.0, 80.0));
        assert_eq!(att.format(87.5), "87.5");
        assert_eq!(c.get("mean_index").unwrap().format(12.0), "12");
    }
}
