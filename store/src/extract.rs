//! Reading the system of record into columns for the analytics engine.
//!
//! The engine never decodes rows itself: it receives polars frames with the integer
//! surrogate ids, vocabulary codes and a few derived columns it filters on (the month of
//! every timestamp and date as a [`Period`] number), so that every rule of §4/§5 becomes
//! an integer comparison. Events are read by `seq` range — the store only ever appends
//! events — which is what lets the columnar copy grow by "everything after seq N".

use crate::schema as c;
use crate::{Store, StoreError};
use domain::kinds::{ActivityKind, EventKind, OrgKind};
use domain::time::{Date, Timestamp};
use futures_util::TryStreamExt;
use polars::prelude::*;

/// The reference tables (small: thousands of organisations, tens of thousands of members,
/// a few hundred thousand activities), read whole.
#[derive(Debug, Clone)]
pub struct Reference {
    /// `id, org_id, parent, name, kind, established_on, established_month` (names in [`crate::schema`]).
    pub orgs: DataFrame,
    /// `id, member_id, name, org, joined_on, joined_month, monthly_dues, category` (dues in millionths of a yuan).
    pub members: DataFrame,
    /// `id, org, kind, held_at, held_month, scores, org_life, all_member`.
    pub activities: DataFrame,
}

/// Column names and types of the events frame (see [`Store::events_after`]).
pub fn events_schema() -> Schema {
    Schema::from_iter([
        Field::new(c::SEQ.into(), DataType::Int64),
        Field::new(c::MEMBER.into(), DataType::Int64),
        Field::new(c::KIND.into(), DataType::Int16),
        Field::new(c::OCCURRED_AT.into(), DataType::Int64),
        Field::new(c::OCCURRED_MONTH.into(), DataType::Int32),
        Field::new(c::ACTIVITY.into(), DataType::Int64),
        Field::new(c::QUANTITY.into(), DataType::Int64),
        Field::new(c::PERIOD.into(), DataType::Int32),
        Field::new(c::EVENT_ID.into(), DataType::String),
    ])
}

fn polars_err(e: PolarsError) -> StoreError {
    StoreError::Other(format!("building analytics frames: {e}"))
}

type OrgRow = (i64, String, Option<i64>, String, String, i64);
type MemberRow = (i64, String, i64, i64, i64, String, String);
type ActivityRow = (i64, i64, String, i64);
type EventRow = (i64, i64, i64, i64, Option<i64>, Option<i64>, Option<i64>, Option<String>);

const ORGS_SQL: &str = "SELECT id, org_id, parent, name, kind, CAST(established_on AS BIGINT) FROM orgs ORDER BY id";
const MEMBERS_SQL: &str = "SELECT id, member_id, org, CAST(joined_on AS BIGINT), monthly_dues, category, name FROM members ORDER BY id";
const ACTIVITIES_SQL: &str = "SELECT id, org, kind, held_at FROM activities ORDER BY id";
// Only evaluations need their event_id (the tie-break of §4); other rows carry NULL so the
// columnar copy does not hold 80 million strings nobody reads.
const EVENTS_SQL: &str = "SELECT seq, CAST(member AS BIGINT), CAST(kind AS BIGINT), occurred_at, CAST(activity AS BIGINT), quantity, CAST(period AS BIGINT),
        CASE WHEN kind = 7 THEN event_id END
    FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq";

macro_rules! fetch_all {
    ($store:expr, $sql:expr, $T:ty $(, $bind:expr)*) => {
        match $store {
            Store::Sqlite(p) => sqlx::query_as::<_, $T>($sql)$(.bind($bind))*.fetch_all(p).await?,
            Store::Postgres(p) => sqlx::query_as::<_, $T>($sql)$(.bind($bind))*.fetch_all(p).await?,
        }
    };
}

impl Store {
    /// Reads organisations, members and activities into frames.
    pub async fn reference_frames(&self) -> Result<Reference, StoreError> {
        let orgs: Vec<OrgRow> = fetch_all!(self, ORGS_SQL, OrgRow);
        let mut kinds = Vec::with_capacity(orgs.len());
        for o in &orgs {
            kinds.push(OrgKind::parse(&o.4).map_err(StoreError::Other)?.code());
        }
        let orgs = DataFrame::new_infer_height(vec![
            Column::new(c::ID.into(), orgs.iter().map(|o| o.0).collect::<Vec<_>>()),
            Column::new(c::ORG_ID.into(), orgs.iter().map(|o| o.1.as_str()).collect::<Vec<_>>()),
            Column::new(c::PARENT.into(), orgs.iter().map(|o| o.2).collect::<Vec<_>>()),
            Column::new(c::NAME.into(), orgs.iter().map(|o| o.3.as_str()).collect::<Vec<_>>()),
            Column::new(c::KIND.into(), kinds),
            Column::new(c::ESTABLISHED_ON.into(), orgs.iter().map(|o| o.5 as i32).collect::<Vec<_>>()),
            Column::new(c::ESTABLISHED_MONTH.into(), orgs.iter().map(|o| Date(o.5 as i32).period().0).collect::<Vec<_>>()),
        ])
        .map_err(polars_err)?;

        let members: Vec<MemberRow> = fetch_all!(self, MEMBERS_SQL, MemberRow);
        let members = DataFrame::new_infer_height(vec![
            Column::new(c::ID.into(), members.iter().map(|m| m.0).collect::<Vec<_>>()),
            Column::new(c::MEMBER_ID.into(), members.iter().map(|m| m.1.as_str()).collect::<Vec<_>>()),
            Column::new(c::NAME.into(), members.iter().map(|m| m.6.as_str()).collect::<Vec<_>>()),
            Column::new(c::ORG.into(), members.iter().map(|m| m.2).collect::<Vec<_>>()),
            Column::new(c::JOINED_ON.into(), members.iter().map(|m| m.3 as i32).collect::<Vec<_>>()),
            Column::new(c::JOINED_MONTH.into(), members.iter().map(|m| Date(m.3 as i32).period().0).collect::<Vec<_>>()),
            Column::new(c::MONTHLY_DUES.into(), members.iter().map(|m| m.4).collect::<Vec<_>>()),
            Column::new(c::CATEGORY.into(), members.iter().map(|m| m.5.as_str()).collect::<Vec<_>>()),
        ])
        .map_err(polars_err)?;

        let acts: Vec<ActivityRow> = fetch_all!(self, ACTIVITIES_SQL, ActivityRow);
        let mut kinds = Vec::with_capacity(acts.len());
        for a in &acts {
            kinds.push(ActivityKind::parse(&a.2).map_err(StoreError::Other)?);
        }
        let activities = DataFrame::new_infer_height(vec![
            Column::new(c::ID.into(), acts.iter().map(|a| a.0).collect::<Vec<_>>()),
            Column::new(c::ORG.into(), acts.iter().map(|a| a.1).collect::<Vec<_>>()),
            Column::new(c::KIND.into(), kinds.iter().map(|k| k.code()).collect::<Vec<_>>()),
            Column::new(c::HELD_AT.into(), acts.iter().map(|a| a.3).collect::<Vec<_>>()),
            Column::new(c::HELD_MONTH.into(), acts.iter().map(|a| Timestamp(a.3).period().0).collect::<Vec<_>>()),
            Column::new(c::SCORES.into(), kinds.iter().map(|k| k.attendance_scores()).collect::<Vec<_>>()),
            Column::new(c::ORG_LIFE.into(), kinds.iter().map(|k| k.is_org_life()).collect::<Vec<_>>()),
            Column::new(c::ALL_MEMBER.into(), kinds.iter().map(|k| k.is_all_member()).collect::<Vec<_>>()),
        ])
        .map_err(polars_err)?;
        Ok(Reference { orgs, members, activities })
    }

    /// A fingerprint of the reference tables: row count and highest surrogate id of orgs,
    /// members and activities, and the row counts of the small tables of [`Extras`]. Stored
    /// rows are never updated or deleted (a different row with a stored id is a conflict), so
    /// equal fingerprints mean equal tables. The leading `v3` names the layout of the frames,
    /// so that a copy saved by an older build is never trusted.
    pub async fn reference_stamp(&self) -> Result<String, StoreError> {
        const SQL: &str = "SELECT (SELECT COUNT(*) FROM orgs), (SELECT COALESCE(MAX(id), 0) FROM orgs),
            (SELECT COUNT(*) FROM members), (SELECT COALESCE(MAX(id), 0) FROM members),
            (SELECT COUNT(*) FROM activities), (SELECT COALESCE(MAX(id), 0) FROM activities),
            (SELECT COUNT(*) FROM resources), (SELECT COUNT(*) FROM transfers), (SELECT COUNT(*) FROM ratings),
            (SELECT COUNT(*) FROM projects), (SELECT COUNT(*) FROM candidates), (SELECT COUNT(*) FROM resource_uses)";
        let row: Vec<i64> = match self {
            Store::Sqlite(p) => {
                let r = sqlx::query(SQL).fetch_one(p).await?;
                (0..12).map(|i| sqlx::Row::get::<i64, _>(&r, i)).collect()
            }
            Store::Postgres(p) => {
                let r = sqlx::query(SQL).fetch_one(p).await?;
                (0..12).map(|i| sqlx::Row::get::<i64, _>(&r, i)).collect()
            }
        };
        let s = |i: usize| row[i];
        Ok(format!(
            "v3 orgs {} {} members {} {} activities {} {} resources {} transfers {} ratings {} projects {} candidates {} uses {}",
            s(0),
            s(1),
            s(2),
            s(3),
            s(4),
            s(5),
            s(6),
            s(7),
            s(8),
            s(9),
            s(10),
            s(11)
        ))
    }

    /// The highest event `seq` stored (0 when there are none).
    pub async fn max_event_seq(&self) -> Result<i64, StoreError> {
        let (n,): (Option<i64>,) = match self {
            Store::Sqlite(p) => sqlx::query_as("SELECT MAX(seq) FROM events").fetch_one(p).await?,
            Store::Postgres(p) => sqlx::query_as("SELECT MAX(seq) FROM events").fetch_one(p).await?,
        };
        Ok(n.unwrap_or(0))
    }

    /// The event_id stored at `seq`, if any: the columnar copy checks with it that the
    /// database it was built from is still the one behind the URL.
    pub async fn event_id_at(&self, seq: i64) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = match self {
            Store::Sqlite(p) => sqlx::query_as("SELECT event_id FROM events WHERE seq = $1").bind(seq).fetch_optional(p).await?,
            Store::Postgres(p) => sqlx::query_as("SELECT event_id FROM events WHERE seq = $1").bind(seq).fetch_optional(p).await?,
        };
        Ok(row.map(|r| r.0))
    }

    /// Events with `after < seq <= upto`, as a frame of [`events_schema`], streamed so that
    /// only the columns (never the decoded rows) are held.
    pub async fn events_between(&self, after: i64, upto: i64) -> Result<DataFrame, StoreError> {
        let mut cols = EventColumns::default();
        match self {
            Store::Sqlite(p) => {
                let mut rows = sqlx::query_as::<_, EventRow>(EVENTS_SQL).bind(after).bind(upto).fetch(p);
                while let Some(r) = rows.try_next().await? {
                    cols.push(r);
                }
            }
            Store::Postgres(p) => {
                let mut rows = sqlx::query_as::<_, EventRow>(EVENTS_SQL).bind(after).bind(upto).fetch(p);
                while let Some(r) = rows.try_next().await? {
                    cols.push(r);
                }
            }
        }
        cols.into_frame().map_err(polars_err)
    }
}

#[derive(Default)]
struct EventColumns {
    seq: Vec<i64>,
    member: Vec<i64>,
    kind: Vec<i16>,
    occurred_at: Vec<i64>,
    om: Vec<i32>,
    activity: Vec<Option<i64>>,
    quantity: Vec<Option<i64>>,
    period: Vec<Option<i32>>,
    event_id: Vec<Option<String>>,
}

impl EventColumns {
    fn push(&mut self, r: EventRow) {
        debug_assert!(EventKind::from_code(r.2 as i16).is_some());
        self.seq.push(r.0);
        self.member.push(r.1);
        self.kind.push(r.2 as i16);
        self.occurred_at.push(r.3);
        self.om.push(Timestamp(r.3).period().0);
        self.activity.push(r.4);
        self.quantity.push(r.5);
        self.period.push(r.6.map(|p| p as i32));
        self.event_id.push(r.7);
    }

    fn into_frame(self) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            Column::new(c::SEQ.into(), self.seq),
            Column::new(c::MEMBER.into(), self.member),
            Column::new(c::KIND.into(), self.kind),
            Column::new(c::OCCURRED_AT.into(), self.occurred_at),
            Column::new(c::OCCURRED_MONTH.into(), self.om),
            Column::new(c::ACTIVITY.into(), self.activity),
            Column::new(c::QUANTITY.into(), self.quantity),
            Column::new(c::PERIOD.into(), self.period),
            Column::new(c::EVENT_ID.into(), self.event_id),
        ])
    }
}
