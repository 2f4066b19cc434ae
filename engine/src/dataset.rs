//! The frames the engine computes from.

use crate::columnar::Loaded;
use crate::member_rows::MemberRows;
use crate::schema as c;
use polars::prelude::*;
use store::extract::Reference;

/// A consistent picture of the store: reference tables and every event up to `max_seq`.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub orgs: DataFrame,
    pub members: DataFrame,
    pub activities: DataFrame,
    /// Every event except study sessions ([`store::extract::events_schema`] without `seq`).
    pub events: DataFrame,
    /// Study sessions counted per member and month: `member, occurred_month, count`.
    pub study: DataFrame,
    /// The data start (§5): the earliest month (as a `Period` number) of any activity's
    /// `held_at` or event's `occurred_at`; `None` when the store holds neither.
    pub data_start: Option<i32>,
    pub max_seq: i64,
    /// Where each member's rows lie in `events`, and in `study` ([`Dataset::restrict`]).
    pub member_rows: MemberRows,
    pub study_rows: MemberRows,
}

fn min_i32(df: &DataFrame, col: &str) -> PolarsResult<Option<i32>> {
    Ok(df.column(col)?.i32()?.min())
}

impl Dataset {
    pub fn new(reference: Reference, loaded: Loaded) -> PolarsResult<Dataset> {
        let Loaded { events, study, max_seq } = loaded;
        let starts = [min_i32(&reference.activities, c::HELD_MONTH)?, min_i32(&events, c::OCCURRED_MONTH)?, min_i32(&study, c::OCCURRED_MONTH)?];
        let data_start = starts.into_iter().flatten().min();
        Ok(Dataset {
            orgs: reference.orgs,
            members: reference.members,
            activities: reference.activities,
            events,
            study,
            data_start,
            max_seq,
            member_rows: MemberRows::default(),
            study_rows: MemberRows::default(),
        })
    }

    /// The floor below which no run of §5 reaches. Without any activity or event there is
    /// no data start to limit a run, so only the joined or established month does.
    pub(crate) fn floor(&self) -> i32 {
        self.data_start.unwrap_or(i32::MIN / 2)
    }
}

impl Dataset {
    /// Events held: the rows of `events` and the study sessions behind `study`'s counts (what
    /// the store holds, where `events.height()` alone leaves out the study sessions).
    pub fn records(&self) -> PolarsResult<i64> {
        let study = self.study.column(c::COUNT)?.as_materialized_series().sum::<i64>()?;
        Ok(self.events.height() as i64 + study)
    }

    /// The same data limited to the members with surrogate ids in `members` (their events,
    /// study counts and member rows; organisations and activities whole, the data start of
    /// the whole store). Every per-member figure of §4/§5 depends only on the member's own
    /// rows and the reference tables, so a figure computed here equals the full one: this is
    /// what an incremental refresh recomputes.
    pub fn restrict(&self, members: &[i64]) -> PolarsResult<Dataset> {
        // One member (a profile's trace) is an equality test: a plain comparison, no hashing.
        let of = |c: &str| match members {
            [one] => col(c).eq(lit(*one)),
            _ => col(c).is_in(lit(Series::new("ids".into(), members)).implode(false), false),
        };
        let keep = |df: &DataFrame, c: &str| df.clone().lazy().filter(of(c)).collect();
        Ok(Dataset {
            orgs: self.orgs.clone(),
            members: keep(&self.members, c::ID)?,
            activities: self.activities.clone(),
            // The members' own rows gathered by the indexes, in the order a filter keeps.
            events: self.member_rows.gather(&self.events, members)?,
            study: self.study_rows.gather(&self.study, members)?,
            data_start: self.data_start,
            max_seq: self.max_seq,
            member_rows: MemberRows::default(),
            study_rows: MemberRows::default(),
        })
    }

    /// The newest month with an activity or an event (`None` for an empty store).
    pub fn latest_month(&self) -> PolarsResult<Option<i32>> {
        let max = |df: &DataFrame, c: &str| -> PolarsResult<Option<i32>> { Ok(df.column(c)?.i32()?.max()) };
        Ok([max(&self.activities, c::HELD_MONTH)?, max(&self.events, c::OCCURRED_MONTH)?, max(&self.study, c::OCCURRED_MONTH)?].into_iter().flatten().max())
    }
}
