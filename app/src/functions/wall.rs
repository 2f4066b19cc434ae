//! The wall's data: one snapshot per organisation and month, the member profile, and the
//! data version (the browser compares it with what the server pushes on `/api/v1/events`).
//!
//! Snapshots are computed once per data version by the hub and served from memory; these
//! functions only look them up.

use domain::wire::{MemberProfile, VersionEvent, WallSnapshot};
use leptos::prelude::*;

use crate::errors::AppError;

#[cfg(feature = "ssr")]
fn hub() -> Result<engine::hub::Hub, AppError> {
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

/// The data version now, with the newest month.
#[server(name = GetDataVersion)]
pub async fn data_version() -> Result<VersionEvent, AppError> {
    crate::auth::request_scope().await?;
    Ok(hub()?.version_event())
}
