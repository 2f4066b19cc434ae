//! The secretary's workbench (`/work`, docs/RULES.md §11): the warnings to handle in the
//! caller's scope, and the 体检表 of one organisation — its indicators against the district
//! average with their 12-month trend, the findings with prescriptions and resources, and the
//! resource library with the organisation's uses.
//! Reads only; the page's writes (acknowledge, resolve, a resource used) go to the JSON API.

use domain::wire::{Finding, LibraryItem, OrgIndicator, WarningPage};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::errors::AppError;

/// Warnings the workbench lists at most (the counts cover all of them).
pub const WORK_WARNINGS: usize = 200;

/// The roles with a workbench: those that handle warnings.
#[cfg(feature = "ssr")]
pub const WORKERS: &[domain::Role] = &[domain::Role::Admin, domain::Role::Officer, domain::Role::Secretary];

/// One organisation's 体检表 at the newest month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkup {
    pub org_id: String,
    pub org_name: String,
    pub month: String,
    pub indicators: Vec<OrgIndicator>,
    pub findings: Vec<Finding>,
    /// The resource library, with the organisation's latest use of each.
    pub library: Vec<LibraryItem>,
    /// The organisations of the scope the caller may switch to (id, name), its own first.
    pub choices: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::internal("workbench", e)
}

/// The warnings of the caller's scope in `state` (`open`, `acknowledged`, `resolved`,
/// `cleared`; every state when `None`), every month, active first.
#[server(name = GetWorkInbox)]
pub async fn work_inbox(state: Option<String>) -> Result<WarningPage, AppError> {
    use domain::Masked;
    let (scope, _) = crate::auth::request_scope().await?;
    scope.require(WORKERS)?;
    let hub = crate::functions::wall::hub()?;
    let now_state = hub.state()?;
    let within = scope.warnings(&now_state, None)?;
    let filter = operations::WarningFilter::parse(None, state.as_deref()).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let rows: Vec<operations::WarningRow> = operations::warnings::list(hub.store(), &filter)
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|w| within.sees(&now_state, &w.subject_kind, &w.subject_id, &w.org_id))
        .collect();
    let page = operations::warnings::page(&rows, 0, WORK_WARNINGS, now_state.version, access::clock::now());
    Ok(if scope.masked() { page.masked() } else { page })
}

/// The 体检表 of `org_id` (the caller's own organisation when `None`) at the newest month.
#[server(name = GetWorkCheckup)]
pub async fn work_checkup(org_id: Option<String>) -> Result<Checkup, AppError> {
    let (scope, _) = crate::auth::request_scope().await?;
    scope.require(WORKERS)?;
    let hub = crate::functions::wall::hub()?;
    let state = hub.state()?;
    let root = scope.root(&state)?;
    let org = scope.org(&state, org_id.as_deref())?;
    let info = state.tree.entry(org).ok_or_else(|| AppError::NotFound(format!("organisation {org}")))?;
    let (indicators, findings, library) = hub.view(&state, None, move |ctx| Ok((ctx.org_indicators(org)?, ctx.findings(org)?, ctx.library(org)?))).await?;
    let month = state.resolve_month(None)?.to_string();
    let mut choices = vec![(state.tree.by_id[&root].org_id.clone(), state.tree.by_id[&root].name.clone())];
    choices.extend(
        state
            .tree
            .subtree(root)
            .into_iter()
            .filter(|&o| o != root)
            .filter_map(|o| state.tree.by_id.get(&o))
            .map(|o| (o.org_id.clone(), o.name.clone()))
            .take(500),
    );
    Ok(Checkup { org_id: info.org_id, org_name: info.name, month, indicators, findings, library, choices })
}
