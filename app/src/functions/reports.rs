//! The monthly reports on the pages people hold (docs/RULES.md §11): the shelf of an
//! organisation on the workbench (its 党建诊疗报告 and its members' 锋领指数报告 of the newest
//! generated month, with the one-PDF link of the members), and a member's own reports on
//! `/me`. The reports themselves are pages of the server (`/reports/ID`, `.pdf`).

use domain::report::ReportEntry;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::errors::AppError;

/// One organisation's reports of one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportShelf {
    pub org_id: String,
    /// The month shown (`YYYY-MM`), and every month generated for the organisation.
    pub month: Option<String>,
    pub months: Vec<String>,
    pub branch: Option<ReportEntry>,
    pub members: Vec<ReportEntry>,
    /// `/reports/branch/ORG/MONTH/members.pdf` when there are member reports.
    pub members_pdf: Option<String>,
}

#[cfg(feature = "ssr")]
fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::internal("reports", e)
}

/// The reports of `org_id` (the caller's own organisation when `None`) for `month` (the
/// newest generated when `None`).
#[server(name = GetReportShelf)]
pub async fn report_shelf(org_id: Option<String>, month: Option<String>) -> Result<ReportShelf, AppError> {
    let (scope, _) = crate::auth::request_scope().await?;
    scope.require(crate::functions::work::WORKERS)?;
    let hub = crate::functions::wall::hub()?;
    let state = hub.state()?;
    let org = scope.org(&state, org_id.as_deref())?;
    let org_id = state.tree.by_id.get(&org).map(|i| i.org_id.clone()).ok_or(AppError::Forbidden)?;
    let heads = operations::reports::of_org(hub.store(), &org_id).await.map_err(internal)?;
    let mut months: Vec<String> = heads.iter().map(|h| h.month.clone()).collect();
    months.dedup();
    let month = month.filter(|m| months.contains(m)).or_else(|| months.first().cloned());
    let of_month: Vec<ReportEntry> = heads.iter().filter(|h| Some(&h.month) == month.as_ref()).map(|h| h.entry()).collect();
    let branch = of_month.iter().find(|e| e.kind == "branch").cloned();
    let members: Vec<ReportEntry> = of_month.into_iter().filter(|e| e.kind == "member").collect();
    let members_pdf = month.as_ref().filter(|_| !members.is_empty()).map(|m| format!("/reports/branch/{org_id}/{m}/members.pdf"));
    Ok(ReportShelf { org_id, month, months, branch, members, members_pdf })
}

/// A member's own reports, newest first.
#[server(name = GetMyReports)]
pub async fn my_reports() -> Result<Vec<ReportEntry>, AppError> {
    let (scope, _) = crate::auth::request_scope().await?;
    scope.require(&[domain::Role::Member])?;
    let member = scope.caller().member_id.clone().ok_or(AppError::Forbidden)?;
    let hub = crate::functions::wall::hub()?;
    Ok(operations::reports::list(hub.store(), None, Some(&member)).await.map_err(internal)?.iter().map(|h| h.entry()).collect())
}
