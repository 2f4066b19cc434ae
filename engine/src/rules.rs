//! The points rules of §4 and the light thresholds of §5, as data.
//!
//! Every figure the engine computes reads its constants from a [`Rules`] value, and the
//! value carries a version so that stored or cached figures can say which rules made them.
//! [`Rules::default`] is the contract's default set, version 1.

use domain::Points;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// Bumped whenever a value below changes; part of every cache key.
    pub version: u32,
    /// `attend` of an activity whose kind scores (organisation life, theory study,
    /// democratic consultation or evaluation), once per activity.
    pub attend: Points,
    /// One period's dues paid in full on time.
    pub dues: Points,
    pub model_post: Points,
    pub study: Points,
    /// Per hour of `volunteer` quantity. The quantity has at most six decimals, so the
    /// product is exact when this is a multiple of 0.1 point (the unit is 10⁻⁷).
    pub volunteer_per_hour: Points,
    /// Evaluation grade 1 (优秀) … 4 (不合格).
    pub evaluation: [Points; 4],
    /// Dues arrears: yellow from this many periods, red from the second figure.
    pub arrears_yellow: i64,
    pub arrears_red: i64,
    /// Absence run: yellow from, red from.
    pub absence_yellow: i64,
    pub absence_red: i64,
    /// Organisation-life gap: yellow from, red from (months).
    pub gap_yellow: i64,
    pub gap_red: i64,
    /// Red-member share, in percent: yellow from, red from.
    pub share_yellow_pct: i64,
    pub share_red_pct: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            version: 1,
            attend: Points::from_int(1),
            dues: Points::from_int(1),
            model_post: Points::from_int(2),
            study: Points::tenths(5),
            volunteer_per_hour: Points::tenths(5),
            evaluation: [Points::from_int(5), Points::from_int(0), Points::from_int(-5), Points::from_int(-10)],
            arrears_yellow: 1,
            arrears_red: 3,
            absence_yellow: 2,
            absence_red: 3,
            gap_yellow: 1,
            gap_red: 2,
            share_yellow_pct: 10,
            share_red_pct: 20,
        }
    }
}

/// Severity of a light (§5), ordered so that the worst of several is their maximum. It
/// lives in `domain` beside the wire types that carry it; re-exported here for the rules.
pub use domain::Light;
