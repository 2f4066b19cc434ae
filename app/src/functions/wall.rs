//! The wall's data: one snapshot per organisation and month, the member profile, and the
//! data version (the browser compares it with what the server pushes on `/api/v1/events`).
//!
//! Snapshots are computed once per data version by the hub and served from memory; these
//! functions only look them up.

use domain::wire::{MemberProfile, VersionEvent, WallSnapshot, WarningPage};
use leptos::prelude::*;

use crate::errors::AppError;

#[cfg(feature = "ssr")]
pub(crate) fn hub() -> Result<engine::hub::Hub, AppError> {
    use_context::<engine::hub::Hub>().ok_or_else(|| AppError::Internal("the hub is not in the server functions' context".into()))
}

/// Everything the wall shows for `org_id` (the root when `None`) at `month` (`YYYY-MM`; the
/// newest month with data when `None`).
// The macro's struct is named explicitly: by default it would be `WallSnapshot`, the wire type.
#[server(name = GetWallSnapshot)]
pub async fn wall_snapshot(org_id: Option<String>, month: Option<String>) -> Result<WallSnapshot, AppError> {
    use domain::Masked;
    let (scope, _) = crate::auth::request_scope().await?;
    let hub = hub()?;
    let state = hub.state()?;
    let org = scope.org(&state, org_id.as_deref())?;
    let org_id = state.tree.by_id.get(&org).map(|o| o.org_id.clone());
    let snap = WallSnapshot::clone(&*hub.snapshot(org_id.as_deref(), month.as_deref()).await?);
    Ok(if scope.masked() { snap.masked() } else { snap })
}

/// The member view for `member_id` at `month` (the year is the month's year).
#[server(name = GetMemberProfile)]
pub async fn member_profile(member_id: String, month: Option<String>) -> Result<MemberProfile, AppError> {
    use domain::Masked;
    let (scope, ip) = crate::auth::request_scope().await?;
    let hub = hub()?;
    scope.member(&*hub.state()?, &member_id)?;
    let profile = MemberProfile::clone(&*hub.member(&member_id, month.as_deref()).await?);
    crate::auth::member_viewed(&hub, &scope.who, ip.as_deref(), &member_id).await;
    Ok(if scope.masked() { profile.masked() } else { profile })
}

/// Entries the wall's 实时预警 feed reads at most.
pub const WALL_WARNINGS: usize = 40;

/// The wall's 实时预警 feed (docs/RULES.md §11): the stored warnings of `org_id`'s subtree
/// (the root when `None`) raised for `month` (the newest when `None`), active ones first, red
/// before yellow, the longest waiting on top; at most [`WALL_WARNINGS`], with the counts of
/// all. Read from the store, not recomputed from the lights: it shows their state and age.
#[server(name = GetWallWarnings)]
pub async fn wall_warnings(org_id: Option<String>, month: Option<String>) -> Result<WarningPage, AppError> {
    use domain::Masked;
    let (scope, _) = crate::auth::request_scope().await?;
    let hub = hub()?;
    let state = hub.state()?;
    let within = scope.warnings(&state, org_id.as_deref())?;
    let mut filter = operations::WarningFilter { month: Some(state.resolve_month(month.as_deref())?), ..Default::default() };
    if let crate::auth::WarningScope::Own(m) = &within {
        filter.member_id = Some(m.clone());
    }
    let rows: Vec<operations::WarningRow> = operations::warnings::list(hub.store(), &filter)
        .await
        .map_err(|e| AppError::internal("wall warnings", e))?
        .into_iter()
        .filter(|w| within.sees(&state, &w.subject_kind, &w.subject_id, &w.org_id))
        .collect();
    let page = operations::warnings::page(&rows, 0, WALL_WARNINGS, state.version, access::clock::now());
    Ok(if scope.masked() { page.masked() } else { page })
}

/// The data version now, with the newest month.
#[server(name = GetDataVersion)]
pub async fn data_version() -> Result<VersionEvent, AppError> {
    crate::auth::request_scope().await?;
    let hub = hub()?;
    // While the store cannot be reached the figures shown may be out of date: the wall's
    // watchdog takes this error as "stale" and asks again until the store is back.
    if hub.outage().is_some() {
        return Err(AppError::Unavailable("数据库暂时无法连接".into()));
    }
    Ok(hub.version_event())
}
