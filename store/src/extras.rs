//! The small tables beside the events that the indicators read (§3's optional files and
//! the resource library), as frames, and the one write the diagnosis needs: a resource used.

use crate::schema as c;
use crate::{Store, StoreError};
use domain::Date;
use domain::kinds::CandidateStep;
use polars::prelude::*;

/// Every small table, read whole (thousands of rows at the reference scale).
#[derive(Debug, Clone)]
pub struct Extras {
    /// `resource_id, kind, title, tags` (tags `;`-separated).
    pub resources: DataFrame,
    /// `member, from_org, to_org, requested_on, completed_on` (days), `requested_month,
    /// completed_month` (their months as `Period` numbers).
    pub transfers: DataFrame,
    /// `org, year, stars`.
    pub ratings: DataFrame,
    /// `org, started_on, due_on, completed_on, progress` (days; progress 0–100) and
    /// `started_month, due_month, completed_month` (months).
    pub projects: DataFrame,
    /// `candidate_id, org, step` (the [`CandidateStep`] code: 1 application … 5 full), `step_on` (days), `step_month` (its month).
    pub candidates: DataFrame,
    /// `org, resource_id, used_on` (days).
    pub resource_uses: DataFrame,
}

fn polars_err(e: PolarsError) -> StoreError {
    StoreError::Other(format!("building analytics frames: {e}"))
}

macro_rules! fetch_all {
    ($store:expr, $sql:expr, $T:ty $(, $bind:expr)*) => {
        match $store {
            Store::Sqlite(p) => sqlx::query_as::<_, $T>($sql)$(.bind($bind))*.fetch_all(p).await?,
            Store::Postgres(p) => sqlx::query_as::<_, $T>($sql)$(.bind($bind))*.fetch_all(p).await?,
        }
    };
}

type ResourceRow = (String, String, String, String);
type TransferRow = (i64, i64, i64, i64, Option<i64>);
type RatingRow = (i64, i64, i64);
type ProjectRow = (i64, i64, i64, Option<i64>, i64);
type CandidateRow = (String, i64, String, i64);
type UseRow = (i64, String, i64);

fn days(v: i64) -> i32 {
    v as i32
}

/// The month (a `Period` number) of a day number: the indicators filter on months.
fn month(v: i64) -> i32 {
    Date(v as i32).period().0
}

impl Store {
    pub async fn extras(&self) -> Result<Extras, StoreError> {
        let r: Vec<ResourceRow> = fetch_all!(self, "SELECT resource_id, kind, title, tags FROM resources ORDER BY resource_id", ResourceRow);
        let resources = DataFrame::new_infer_height(vec![
            Column::new(c::RESOURCE_ID.into(), r.iter().map(|x| x.0.as_str()).collect::<Vec<_>>()),
            Column::new(c::KIND.into(), r.iter().map(|x| x.1.as_str()).collect::<Vec<_>>()),
            Column::new(c::TITLE.into(), r.iter().map(|x| x.2.as_str()).collect::<Vec<_>>()),
            Column::new(c::TAGS.into(), r.iter().map(|x| x.3.as_str()).collect::<Vec<_>>()),
        ])
        .map_err(polars_err)?;

        let t: Vec<TransferRow> = fetch_all!(
            self,
            "SELECT member, from_org, to_org, CAST(requested_on AS BIGINT), CAST(completed_on AS BIGINT) FROM transfers ORDER BY transfer_id",
            TransferRow
        );
        let transfers = DataFrame::new_infer_height(vec![
            Column::new(c::MEMBER.into(), t.iter().map(|x| x.0).collect::<Vec<_>>()),
            Column::new(c::FROM_ORG.into(), t.iter().map(|x| x.1).collect::<Vec<_>>()),
            Column::new(c::TO_ORG.into(), t.iter().map(|x| x.2).collect::<Vec<_>>()),
            Column::new(c::REQUESTED_ON.into(), t.iter().map(|x| days(x.3)).collect::<Vec<_>>()),
            Column::new(c::COMPLETED_ON.into(), t.iter().map(|x| x.4.map(days)).collect::<Vec<_>>()),
            Column::new(c::REQUESTED_MONTH.into(), t.iter().map(|x| month(x.3)).collect::<Vec<_>>()),
            Column::new(c::COMPLETED_MONTH.into(), t.iter().map(|x| x.4.map(month)).collect::<Vec<_>>()),
        ])
        .map_err(polars_err)?;

        let g: Vec<RatingRow> = fetch_all!(self, "SELECT org, CAST(year AS BIGINT), CAST(stars AS BIGINT) FROM ratings ORDER BY org, year", RatingRow);
        let ratings = DataFrame::new_infer_height(vec![
            Column::new(c::ORG.into(), g.iter().map(|x| x.0).collect::<Vec<_>>()),
            Column::new(c::YEAR.into(), g.iter().map(|x| x.1 as i32).collect::<Vec<_>>()),
            Column::new(c::STARS.into(), g.iter().map(|x| x.2).collect::<Vec<_>>()),
        ])
        .map_err(polars_err)?;

        let p: Vec<ProjectRow> = fetch_all!(
            self,
            "SELECT org, CAST(started_on AS BIGINT), CAST(due_on AS BIGINT), CAST(completed_on AS BIGINT), CAST(progress AS BIGINT) FROM projects ORDER BY project_id",
            ProjectRow
        );
        let projects = DataFrame::new_infer_height(vec![
            Column::new(c::ORG.into(), p.iter().map(|x| x.0).collect::<Vec<_>>()),
            Column::new(c::STARTED_ON.into(), p.iter().map(|x| days(x.1)).collect::<Vec<_>>()),
            Column::new(c::DUE_ON.into(), p.iter().map(|x| days(x.2)).collect::<Vec<_>>()),
            Column::new(c::COMPLETED_ON.into(), p.iter().map(|x| x.3.map(days)).collect::<Vec<_>>()),
            Column::new(c::PROGRESS.into(), p.iter().map(|x| x.4).collect::<Vec<_>>()),
            Column::new(c::STARTED_MONTH.into(), p.iter().map(|x| month(x.1)).collect::<Vec<_>>()),
            Column::new(c::DUE_MONTH.into(), p.iter().map(|x| month(x.2)).collect::<Vec<_>>()),
            Column::new(c::COMPLETED_MONTH.into(), p.iter().map(|x| x.3.map(month)).collect::<Vec<_>>()),
        ])
        .map_err(polars_err)?;

        let c: Vec<CandidateRow> =
            fetch_all!(self, "SELECT candidate_id, org, step, CAST(step_on AS BIGINT) FROM candidates ORDER BY candidate_id, step_on", CandidateRow);
        let mut steps = Vec::with_capacity(c.len());
        for x in &c {
            steps.push(CandidateStep::parse(&x.2).map_err(StoreError::Other)?.code());
        }
        let candidates = DataFrame::new_infer_height(vec![
            Column::new(c::CANDIDATE_ID.into(), c.iter().map(|x| x.0.as_str()).collect::<Vec<_>>()),
            Column::new(c::ORG.into(), c.iter().map(|x| x.1).collect::<Vec<_>>()),
            Column::new(c::STEP.into(), steps),
            Column::new(c::STEP_ON.into(), c.iter().map(|x| days(x.3)).collect::<Vec<_>>()),
            Column::new(c::STEP_MONTH.into(), c.iter().map(|x| month(x.3)).collect::<Vec<_>>()),
        ])
        .map_err(polars_err)?;

        let u: Vec<UseRow> = fetch_all!(self, "SELECT org, resource_id, CAST(used_on AS BIGINT) FROM resource_uses ORDER BY org, resource_id, used_on", UseRow);
        let resource_uses = DataFrame::new_infer_height(vec![
            Column::new(c::ORG.into(), u.iter().map(|x| x.0).collect::<Vec<_>>()),
            Column::new(c::RESOURCE_ID.into(), u.iter().map(|x| x.1.as_str()).collect::<Vec<_>>()),
            Column::new(c::USED_ON.into(), u.iter().map(|x| days(x.2)).collect::<Vec<_>>()),
        ])
        .map_err(polars_err)?;

        Ok(Extras { resources, transfers, ratings, projects, candidates, resource_uses })
    }

    /// Titles and times of activities by surrogate id (for the trace of one member).
    pub async fn activity_details(&self, ids: &[i64]) -> Result<Vec<(i64, String, String, i64)>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        // Small batches keep the statement within both databases' parameter limits.
        for chunk in ids.chunks(500) {
            let list = chunk.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
            // Only integers are spliced into the statement, so it is safe to build.
            let sql = sqlx::AssertSqlSafe(format!("SELECT id, kind, title, held_at FROM activities WHERE id IN ({list})"));
            let rows: Vec<(i64, String, String, i64)> = fetch_all!(self, sql, (i64, String, String, i64));
            out.extend(rows);
        }
        Ok(out)
    }
}

/// Records, inside the caller's transaction (which adds its audit row), that organisation
/// `org_id` used resource `resource_id` on `on`. Returns `false` (and writes nothing) when
/// either is unknown; recording the same use twice is a no-op.
pub async fn record_resource_use(tx: &mut crate::sql::Tx, org_id: &str, resource_id: &str, on: Date) -> Result<bool, StoreError> {
    const SQL: &str = "INSERT INTO resource_uses (org, resource_id, used_on)
        SELECT o.id, r.resource_id, $3 FROM orgs o, resources r WHERE o.org_id = $1 AND r.resource_id = $2
        ON CONFLICT DO NOTHING";
    const EXISTS: &str = "SELECT COUNT(*) FROM orgs o, resources r WHERE o.org_id = $1 AND r.resource_id = $2";
    tx.execute(SQL, crate::args![org_id, resource_id, i64::from(on.0)]).await?;
    let (n,): (i64,) = tx.optional(EXISTS, crate::args![org_id, resource_id]).await?.unwrap_or((0,));
    Ok(n > 0)
}
