//! The monthly reports (docs/RULES.md §6/§11): generated for a month once, frozen, read many
//! times.
//!
//! - [`generate`] computes every member report and every report of a grassroots organisation
//!   with members ([`engine::report`]), adds the words of the lights and the month's warnings,
//!   and commits them in one transaction with the month's [`ReportRun`] (the rules' and
//!   catalogue's versions and the data sequence read) and the "reports ready" messages
//!   ([`crate::outbox::Topic::Reports`]). A month that has a run is never generated again, so
//!   later data never changes a report; generating it again is a no-op.
//! - [`run_due`] is the job of `serve`: at 08:00 on the 5th (Asia/Shanghai) the month before
//!   is due, and a server that starts after that time and finds the run missing catches up.
//!   Two servers sharing a store claim the run through a `job_runs` row: the one whose insert
//!   wins runs it and renews the claim while it runs; a claim not renewed for
//!   [`CLAIM_STALE_MICROS`] (a server killed mid-run) is taken over.
//! - [`list`], [`get`] and [`branch_members`] read them back for the pages and the API, which
//!   check the caller's scope.

use std::collections::HashMap;

use domain::report::{BranchReport, MemberReport, ReportEntry, ReportRun, ReportWarning};
use domain::{Period, Timestamp};
use engine::hub::{Hub, HubError};
use store::Store;
use store::sql::{self, Tx, args};

use crate::OpsError;
use crate::lit::Reason;
use crate::outbox::Recipients;
use crate::warnings::{self, WarningFilter};

/// The `job_runs.job` of the monthly reports.
pub const JOB: &str = "monthly_reports";
/// A claim this old that never finished is a server killed mid-run: another may take it. A
/// running job renews its claim every [`HEARTBEAT`].
pub const CLAIM_STALE_MICROS: i64 = 90 * 1_000_000;
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(20);
/// The day of the month and the hour (Asia/Shanghai) the reports of the month before are due.
pub const DUE_DAY: u32 = 5;
pub const DUE_HOUR: u32 = 8;
/// At most this many reports in one page of [`list`].
pub const MAX_PAGE: usize = 1000;

impl From<HubError> for OpsError {
    fn from(e: HubError) -> Self {
        match e {
            HubError::BadRequest(m) | HubError::NotFound(m) => OpsError::Invalid(m),
            HubError::NotReady | HubError::Busy => OpsError::NotReady,
            HubError::Engine(e) => OpsError::Engine(e),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct RunRow {
    month: String,
    generated_at: i64,
    rules_version: i64,
    catalogue_version: i64,
    data_seq: i64,
    member_reports: i64,
    branch_reports: i64,
}

impl RunRow {
    fn view(self) -> ReportRun {
        ReportRun {
            month: self.month,
            generated_at: warnings::at(self.generated_at),
            rules_version: self.rules_version as u32,
            catalogue_version: self.catalogue_version as u32,
            data_seq: self.data_seq,
            member_reports: self.member_reports,
            branch_reports: self.branch_reports,
        }
    }
}

/// The run of `month`, when it has been generated.
pub async fn run_of(store: &Store, month: Period) -> Result<Option<ReportRun>, OpsError> {
    let row: Option<RunRow> = sql::optional(
        store,
        "SELECT month, generated_at, rules_version, catalogue_version, data_seq, member_reports, branch_reports FROM report_runs WHERE month = $1",
        args![month.to_string()],
    )
    .await?;
    Ok(row.map(RunRow::view))
}

/// What [`generate`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub run: ReportRun,
    /// `false` when the month had been generated before (nothing was written).
    pub created: bool,
}

/// Generates the reports of `month` from the hub's current figures, once (see the module).
/// A month outside the data is refused (400); a hub still loading answers 503.
pub async fn generate(hub: &Hub, month: Period) -> Result<Generated, OpsError> {
    let store = hub.store();
    if let Some(run) = run_of(store, month).await? {
        return Ok(Generated { run, created: false });
    }
    let t0 = std::time::Instant::now();
    let (state, mut reports) = hub.month_reports(month).await?;
    let t_figures = t0.elapsed();
    for m in &mut reports.members {
        for l in &mut m.open_lights {
            if let Some(r) = Reason::parse(&l.reason) {
                let measure = l.months.to_string();
                l.words = r.words(&measure);
                l.advice = r.clears(&measure);
            }
        }
    }
    let mut by_org: HashMap<String, Vec<ReportWarning>> = HashMap::new();
    for w in warnings::list(store, &WarningFilter { month: Some(month), ..WarningFilter::default() }).await? {
        by_org.entry(w.org_id.clone()).or_default().push(ReportWarning {
            warning_id: w.id,
            subject_kind: w.subject_kind.clone(),
            subject_id: w.subject_id.clone(),
            subject_name: w.subject_name.clone(),
            reason_zh: w.reason_zh(),
            light: w.light(),
            state: w.state.clone(),
            state_zh: w.state().zh().into(),
            raised_at: warnings::at(w.raised_at),
        });
    }
    for b in &mut reports.branches {
        b.warnings = by_org.remove(&b.org.org_id).unwrap_or_default();
    }
    let rows = tokio::task::spawn_blocking(move || to_rows(&reports))
        .await
        .map_err(|e| OpsError::Engine(engine::EngineError::Internal(format!("report bodies task: {e}"))))??;
    let t_bodies = t0.elapsed();

    let now = access::clock::now().0;
    let (rules_version, catalogue_version) = (hub.rules().version, hub.catalogue().version);
    let members = rows.iter().filter(|r| r.kind == "member").count() as i64;
    let branches = rows.len() as i64 - members;
    let mut tx = Tx::write(store).await?;
    let inserted = tx
        .execute(
            "INSERT INTO report_runs (month, generated_at, rules_version, catalogue_version, data_seq, member_reports, branch_reports) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (month) DO NOTHING",
            args![month.to_string(), now, i64::from(rules_version), i64::from(catalogue_version), state.ds.max_seq, members, branches],
        )
        .await?;
    if inserted == 0 {
        // Another server generated it meanwhile: keep its reports.
        drop(tx);
        let run = run_of(store, month).await?.ok_or_else(|| OpsError::Invalid(format!("the reports of {month} vanished")))?;
        return Ok(Generated { run, created: false });
    }
    for r in &rows {
        tx.execute(
            "INSERT INTO reports (month, kind, subject_id, subject_name, org_id, body) VALUES ($1, $2, $3, $4, $5, $6)",
            args![month.to_string(), r.kind, r.subject_id.as_str(), r.subject_name.as_str(), r.org_id.as_str(), r.body.as_str()],
        )
        .await?;
    }
    let recipients = Recipients::load(&mut tx).await?;
    let sent = recipients.enqueue_reports(&mut tx, month, &rows, now).await?;
    tx.commit().await?;
    tracing::info!(
        %month, members, branches, messages = sent, figures = ?t_figures, bodies = ?(t_bodies - t_figures), write = ?(t0.elapsed() - t_bodies),
        "monthly reports generated"
    );
    let run = run_of(store, month).await?.ok_or_else(|| OpsError::Invalid(format!("the reports of {month} vanished")))?;
    Ok(Generated { run, created: true })
}

/// One report as written: its key and its JSON body.
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub kind: &'static str,
    pub subject_id: String,
    pub subject_name: String,
    pub org_id: String,
    pub body: String,
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, OpsError> {
    serde_json::to_string(v).map_err(|e| OpsError::Invalid(format!("a report could not be written as JSON: {e}")))
}

fn to_rows(reports: &engine::report::MonthReports) -> Result<Vec<ReportRow>, OpsError> {
    let mut out = Vec::with_capacity(reports.members.len() + reports.branches.len());
    for m in &reports.members {
        out.push(ReportRow { kind: "member", subject_id: m.member_id.clone(), subject_name: m.name.clone(), org_id: m.org.org_id.clone(), body: json(m)? });
    }
    for b in &reports.branches {
        out.push(ReportRow {
            kind: "branch",
            subject_id: b.org.org_id.clone(),
            subject_name: b.org.name.clone(),
            org_id: b.org.org_id.clone(),
            body: json(b)?,
        });
    }
    Ok(out)
}

/// The month whose reports are due at `now` (local time): the month before `now`'s, once
/// its 5th 08:00 has passed; before that, the month before that one.
pub fn due_month(now: Timestamp) -> Period {
    let this = now.period();
    let (y, m) = (this.year(), this.month());
    let due_at = Timestamp::from_parts(y, m, DUE_DAY, DUE_HOUR, 0, 0);
    if now.0 >= due_at.0 { Period(this.0 - 1) } else { Period(this.0 - 2) }
}

/// The job (see the module): generates the month due at `now` when it has not been, the data
/// reach it, and this server wins the claim. `Some` with the run when this call generated it.
pub async fn run_due(hub: &Hub, now: Timestamp) -> Result<Option<ReportRun>, OpsError> {
    let month = due_month(now);
    let store = hub.store();
    if run_of(store, month).await?.is_some() {
        return Ok(None);
    }
    let state = hub.state()?;
    // Not yet imported (or before the data start): due again at the next look.
    if state.resolve_month(Some(&month.to_string())).is_err() {
        tracing::debug!(%month, "monthly reports due, but the data do not reach the month yet");
        return Ok(None);
    }
    if !claim(store, month, now.0).await? {
        return Ok(None);
    }
    // Renew the claim while generating, so that a live run is never taken over.
    let beat = {
        let (store, period) = (store.clone(), month.to_string());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(HEARTBEAT).await;
                let now = access::clock::now().0;
                if let Err(e) = sql::execute(
                    &store,
                    "UPDATE job_runs SET started_at = $3 WHERE job = $1 AND period = $2 AND finished_at IS NULL",
                    args![JOB, period.as_str(), now],
                )
                .await
                {
                    tracing::warn!(error = %e, "renewing the claim of the monthly reports failed");
                }
            }
        })
    };
    let generated = generate(hub, month).await;
    beat.abort();
    match generated {
        Ok(g) => {
            sql::execute(store, "UPDATE job_runs SET finished_at = $3 WHERE job = $1 AND period = $2", args![JOB, month.to_string(), access::clock::now().0])
                .await?;
            Ok(g.created.then_some(g.run))
        }
        Err(e) => {
            // Give the claim back so that the next look tries again.
            sql::execute(store, "DELETE FROM job_runs WHERE job = $1 AND period = $2 AND finished_at IS NULL", args![JOB, month.to_string()]).await?;
            Err(e)
        }
    }
}

/// Claims the run of `month` for this server: `true` when the row is ours.
async fn claim(store: &Store, month: Period, now: i64) -> Result<bool, OpsError> {
    let mut tx = Tx::write(store).await?;
    let inserted = tx
        .execute("INSERT INTO job_runs (job, period, started_at) VALUES ($1, $2, $3) ON CONFLICT (job, period) DO NOTHING", args![JOB, month.to_string(), now])
        .await?;
    let ours = inserted == 1
        || tx
            .execute(
                "UPDATE job_runs SET started_at = $3 WHERE job = $1 AND period = $2 AND finished_at IS NULL AND started_at < $4",
                args![JOB, month.to_string(), now, now - CLAIM_STALE_MICROS],
            )
            .await?
            == 1;
    tx.commit().await?;
    Ok(ours)
}

/// A stored report without its body.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportHead {
    pub id: i64,
    pub month: String,
    pub kind: String,
    pub subject_id: String,
    pub subject_name: String,
    pub org_id: String,
    pub generated_at: i64,
}

impl ReportHead {
    pub fn entry(&self) -> ReportEntry {
        ReportEntry {
            id: self.id,
            month: self.month.clone(),
            kind: self.kind.clone(),
            subject_id: self.subject_id.clone(),
            subject_name: self.subject_name.clone(),
            org_id: self.org_id.clone(),
            generated_at: warnings::at(self.generated_at),
            url: format!("/reports/{}", self.id),
            pdf: format!("/reports/{}.pdf", self.id),
        }
    }
}

/// The reports of `month` (every month when `None`), optionally of one member, by month
/// (newest first), kind (branch reports first) and subject. The caller keeps those of its
/// scope.
pub async fn list(store: &Store, month: Option<Period>, member_id: Option<&str>) -> Result<Vec<ReportHead>, OpsError> {
    let month = month.map(|m| m.to_string()).unwrap_or_default();
    let member = member_id.unwrap_or_default().to_string();
    let mut rows: Vec<ReportHead> = sql::all(
        store,
        "SELECT r.id, r.month, r.kind, r.subject_id, r.subject_name, r.org_id, u.generated_at FROM reports r JOIN report_runs u ON u.month = r.month \
         WHERE ($1 = '' OR r.month = $1) AND ($2 = '' OR (r.kind = 'member' AND r.subject_id = $2))",
        args![month, member],
    )
    .await?;
    rows.sort_by(|a, b| b.month.cmp(&a.month).then(a.kind.cmp(&b.kind)).then(a.subject_id.as_bytes().cmp(b.subject_id.as_bytes())));
    Ok(rows)
}

/// A stored report with its run.
#[derive(Debug, Clone)]
pub enum Report {
    Member(Box<MemberReport>),
    Branch(Box<BranchReport>),
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct BodyRow {
    id: i64,
    month: String,
    kind: String,
    subject_id: String,
    subject_name: String,
    org_id: String,
    generated_at: i64,
    body: String,
}

impl BodyRow {
    fn split(self) -> Result<(ReportHead, Report), OpsError> {
        let bad = |e: serde_json::Error| OpsError::Invalid(format!("report {} cannot be read: {e}", self.id));
        let report = match self.kind.as_str() {
            "member" => Report::Member(Box::new(serde_json::from_str(&self.body).map_err(bad)?)),
            _ => Report::Branch(Box::new(serde_json::from_str(&self.body).map_err(bad)?)),
        };
        let head = ReportHead {
            id: self.id,
            month: self.month,
            kind: self.kind,
            subject_id: self.subject_id,
            subject_name: self.subject_name,
            org_id: self.org_id,
            generated_at: self.generated_at,
        };
        Ok((head, report))
    }
}

/// Report `id`, or [`OpsError::UnknownReport`].
pub async fn get(store: &Store, id: i64) -> Result<(ReportHead, Report), OpsError> {
    const SQL: &str = "SELECT r.id, r.month, r.kind, r.subject_id, r.subject_name, r.org_id, u.generated_at, r.body \
                       FROM reports r JOIN report_runs u ON u.month = r.month WHERE r.id = $1";
    let row: Option<BodyRow> = sql::optional(store, SQL, args![id]).await?;
    row.ok_or(OpsError::UnknownReport(id))?.split()
}

/// The member reports of organisation `org_id`'s own members for `month`, by `member_id`.
pub async fn branch_members(store: &Store, org_id: &str, month: Period) -> Result<Vec<MemberReport>, OpsError> {
    const SQL: &str = "SELECT r.id, r.month, r.kind, r.subject_id, r.subject_name, r.org_id, u.generated_at, r.body \
                       FROM reports r JOIN report_runs u ON u.month = r.month WHERE r.org_id = $1 AND r.month = $2 AND r.kind = 'member'";
    let rows: Vec<BodyRow> = sql::all(store, SQL, args![org_id, month.to_string()]).await?;
    let mut out = vec![];
    for r in rows {
        if let (_, Report::Member(m)) = r.split()? {
            out.push(*m);
        }
    }
    out.sort_by(|a, b| a.member_id.as_bytes().cmp(b.member_id.as_bytes()));
    Ok(out)
}

/// The run of the month a report belongs to (for its footer: rules and catalogue versions).
pub async fn run_of_report(store: &Store, head: &ReportHead) -> Result<ReportRun, OpsError> {
    let month = Period::parse(&head.month).map_err(OpsError::Invalid)?;
    run_of(store, month).await?.ok_or(OpsError::UnknownReport(head.id))
}

/// The report of `kind` (`member` or `branch`) about `subject_id` for `month`, if generated.
pub async fn find(store: &Store, month: Period, kind: &str, subject_id: &str) -> Result<Option<(ReportHead, Report)>, OpsError> {
    const SQL: &str = "SELECT r.id, r.month, r.kind, r.subject_id, r.subject_name, r.org_id, u.generated_at, r.body \
                       FROM reports r JOIN report_runs u ON u.month = r.month WHERE r.month = $1 AND r.kind = $2 AND r.subject_id = $3";
    let row: Option<BodyRow> = sql::optional(store, SQL, args![month.to_string(), kind, subject_id]).await?;
    row.map(BodyRow::split).transpose()
}

/// The reports about organisation `org_id` and its own members, every month, in [`list`]'s
/// order.
pub async fn of_org(store: &Store, org_id: &str) -> Result<Vec<ReportHead>, OpsError> {
    let mut rows: Vec<ReportHead> = sql::all(
        store,
        "SELECT r.id, r.month, r.kind, r.subject_id, r.subject_name, r.org_id, u.generated_at FROM reports r JOIN report_runs u ON u.month = r.month \
         WHERE r.org_id = $1",
        args![org_id],
    )
    .await?;
    rows.sort_by(|a, b| b.month.cmp(&a.month).then(a.kind.cmp(&b.kind)).then(a.subject_id.as_bytes().cmp(b.subject_id.as_bytes())));
    Ok(rows)
}
