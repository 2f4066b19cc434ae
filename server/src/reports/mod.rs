//! The monthly reports in `serve` (docs/RULES.md §6/§11): the job that generates them on the
//! 5th, their printable pages and PDFs, and `GET /api/v1/reports`. The reports themselves are
//! made and stored by `operations::reports`; this module checks the caller (the one
//! extractor, [`Scope`]) and renders.
//!
//! Who reads what (§11: "a member reads its own, a secretary or officer those of its scope"):
//! a `member` its own member reports; a `secretary`, `officer` or `admin` every report whose
//! organisation lies in its scope; a `viewer` (the kiosk wall) none. A report that does not
//! exist answers like a forbidden one (403) to a caller who sees only part of the tree.

pub mod chromium;
pub mod page;
pub mod pdf;

use std::time::Duration;

use crate::extract::{Path, Query};
use app::auth::{Refused, Scope};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::report::{ReportEntry, ReportList};
use domain::{Period, Role};
use engine::hub::{Hub, State as HubState};
use operations::OpsError;
use operations::reports::{self, Report, ReportHead};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::{ApiError, ApiResult};
use crate::auth::ConnectInfoOpt;

/// How often `serve` looks whether a month's reports are due (the 5th, 08:00).
pub const JOB_EVERY: Duration = Duration::from_secs(60);

impl From<pdf::PdfError> for ApiError {
    fn from(e: pdf::PdfError) -> Self {
        match e {
            pdf::PdfError::NoBrowser => {
                tracing::error!(error = %e, "report pdf");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "pdf_unavailable", "服务器未安装 PDF 打印组件")
            }
            e => ApiError::internal(format!("report pdf: {e}")),
        }
    }
}

/// The monthly job inside `serve`: once the figures are loaded, and then every
/// [`JOB_EVERY`], generates the month that is due if nobody has (catching up after downtime);
/// messages it writes are sent at once. `VANGUARD_REPORT_JOB=off` turns it off.
pub fn start_job(hub: Hub, worker: operations::Worker) {
    if std::env::var("VANGUARD_REPORT_JOB").is_ok_and(|v| v == "off") {
        tracing::info!("monthly report job off (VANGUARD_REPORT_JOB=off)");
        return;
    }
    tokio::spawn(async move {
        let mut versions = hub.subscribe();
        while hub.state().is_err() {
            if versions.changed().await.is_err() {
                return;
            }
        }
        loop {
            match reports::run_due(&hub, access::clock::now()).await {
                Ok(Some(run)) => {
                    tracing::info!(month = %run.month, members = run.member_reports, branches = run.branch_reports, "monthly reports of the due month generated");
                    worker.wake();
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, source = ?std::error::Error::source(&e), "monthly report job failed; trying again in a minute"),
            }
            tokio::time::sleep(JOB_EVERY).await;
        }
    });
}

/// Whether `scope` may read the report `head` (see the module).
fn may_read(scope: &Scope, state: &HubState, head: &ReportHead) -> Result<(), Refused> {
    match scope.caller().role {
        Role::Member => {
            if head.kind == "member" && scope.caller().member_id.as_deref() == Some(head.subject_id.as_str()) {
                Ok(())
            } else {
                Err(Refused::Forbidden)
            }
        }
        Role::Viewer => Err(Refused::Forbidden),
        _ => scope.org(state, Some(head.org_id.as_str())).map(|_| ()),
    }
}

/// A report the caller may read; an unknown one is 404 only to a caller who sees the whole
/// tree (anyone else cannot tell it from a forbidden one).
async fn readable(hub: &Hub, scope: &Scope, id: i64) -> ApiResult<(ReportHead, Report)> {
    let state = hub.state()?;
    match reports::get(hub.store(), id).await {
        Ok((head, report)) => {
            may_read(scope, &state, &head)?;
            Ok((head, report))
        }
        Err(OpsError::UnknownReport(_)) => {
            let whole = scope.root(&state).is_ok_and(|r| state.tree.roots.contains(&r));
            Err(if whole { OpsError::UnknownReport(id).into() } else { Refused::Forbidden.into() })
        }
        Err(e) => Err(e.into()),
    }
}

/// A member report read by a person is a profile view (§10's `member_view`).
async fn audit_view(hub: &Hub, scope: &Scope, ip: Option<&str>, head: &ReportHead) {
    if head.kind == "member" {
        app::auth::member_viewed(hub, &scope.who, ip, &head.subject_id).await;
    }
}

fn pdf_response(bytes: Vec<u8>, name: &str) -> Response {
    let mut r = bytes.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// The HTML of a report (with or without its screen toolbar).
async fn html_of(hub: &Hub, head: &ReportHead, report: &Report, toolbar: bool) -> ApiResult<String> {
    let run = reports::run_of_report(hub.store(), head).await?;
    let pdf = toolbar.then(|| format!("/reports/{}.pdf", head.id));
    Ok(match report {
        Report::Member(m) => page::member(m, &run, pdf.as_deref()),
        Report::Branch(b) => page::branch(b, &run, pdf.as_deref()),
    })
}

/// `GET /reports/{id}` (the printable page) and `GET /reports/{id}.pdf`.
async fn report_file(State(hub): State<Hub>, scope: Scope, ConnectInfoOpt(ip): ConnectInfoOpt, Path(file): Path<String>) -> ApiResult<Response> {
    let (id, is_pdf) = match file.strip_suffix(".pdf") {
        Some(id) => (id, true),
        None => (file.as_str(), false),
    };
    let id: i64 = id.parse().map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "not_found", "没有这份报告"))?;
    let (head, report) = readable(&hub, &scope, id).await?;
    let html = html_of(&hub, &head, &report, !is_pdf).await?;
    audit_view(&hub, &scope, ip.as_deref(), &head).await;
    if is_pdf { Ok(pdf_response(pdf::print(&html).await?, &format!("report-{id}.pdf"))) } else { Ok(Html(html).into_response()) }
}

/// `GET /reports/branch/{org_id}/{month}/members.pdf`: every member report of the
/// organisation's own members for the month in one PDF (`members` without `.pdf`: the page).
async fn branch_members(State(hub): State<Hub>, scope: Scope, Path((org_id, month, file)): Path<(String, String, String)>) -> ApiResult<Response> {
    let is_pdf = match file.as_str() {
        "members.pdf" => true,
        "members" => false,
        _ => return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "没有这份报告")),
    };
    let state = hub.state()?;
    scope.require(&[Role::Admin, Role::Officer, Role::Secretary])?;
    let org = scope.org(&state, Some(&org_id))?;
    let month = Period::parse(&month).map_err(|e| ApiError::bad(format!("month: {e}")))?;
    let run = reports::run_of(hub.store(), month).await?.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "该月报告尚未生成"))?;
    let rows = reports::branch_members(hub.store(), &org_id, month).await?;
    let name = state.tree.by_id.get(&org).map(|i| i.name.clone()).unwrap_or_default();
    let html = page::members(&name, &month.to_string(), &rows, &run);
    if is_pdf { Ok(pdf_response(pdf::print(&html).await?, &format!("members-{org_id}-{month}.pdf"))) } else { Ok(Html(html).into_response()) }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// The reports of this organisation's subtree; the caller's scope when omitted.
    pub org: Option<String>,
    /// `YYYY-MM`; every generated month when omitted.
    pub month: Option<String>,
    /// `member` or `branch`; both when omitted.
    pub kind: Option<String>,
    /// At most 1000; 100 when omitted.
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// `GET /api/v1/reports?org=&month=&kind=&limit=&offset=`: the generated reports the caller
/// may read (a member its own), newest month first, branch reports before member reports.
#[utoipa::path(get, path = "/api/v1/reports", params(ReportQuery), responses((status = 200, body = ReportList), (status = 400, body = domain::wire::ErrorBody), (status = 403, body = domain::wire::ErrorBody)), tag = "reports")]
pub(crate) async fn list(State(hub): State<Hub>, scope: Scope, Query(q): Query<ReportQuery>) -> ApiResult<Json<ReportList>> {
    let state = hub.state()?;
    let month = match q.month.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => Some(Period::parse(m).map_err(|e| ApiError::bad(format!("month: {e}")))?),
        None => None,
    };
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k @ ("member" | "branch")) => Some(k.to_string()),
        Some(k) => return Err(ApiError::bad(format!("kind: {k:?} is not member or branch"))),
    };
    let limit = q.limit.unwrap_or(100);
    if limit > reports::MAX_PAGE {
        return Err(ApiError::bad(format!("limit: at most {}", reports::MAX_PAGE)));
    }
    let heads = match scope.caller().role {
        Role::Viewer => return Err(Refused::Forbidden.into()),
        Role::Member => {
            let own = scope.caller().member_id.clone().ok_or(Refused::Forbidden)?;
            reports::list(hub.store(), month, Some(&own)).await?
        }
        _ => {
            let root = scope.org(&state, q.org.as_deref())?;
            let inside = |org_id: &str| state.tree.by_org_id.get(org_id).is_some_and(|&o| state.tree.is_within(root, o));
            reports::list(hub.store(), month, None).await?.into_iter().filter(|h| inside(&h.org_id)).collect()
        }
    };
    let rows: Vec<ReportEntry> = heads.iter().filter(|h| kind.as_deref().is_none_or(|k| h.kind == k)).map(ReportHead::entry).collect();
    let total = rows.len() as i64;
    Ok(Json(ReportList { total, rows: rows.into_iter().skip(q.offset.unwrap_or(0)).take(limit).collect() }))
}

/// The routes of the reports.
pub fn routes<S: Clone + Send + Sync + 'static>(hub: Hub) -> Router<S> {
    Router::new()
        .route("/api/v1/reports", get(list))
        .route("/reports/{file}", get(report_file))
        .route("/reports/branch/{org_id}/{month}/{file}", get(branch_members))
        .with_state(hub)
}
