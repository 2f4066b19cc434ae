//! The data of the pages people hold in their hands or put on a projector (docs/RULES.md §10):
//! the member's own page, the secretary's check-in page and the admin page. Reads only: every
//! write these pages make goes to the JSON API (`/api/v1/checkin`, `/api/v1/activities`,
//! `/api/v1/accounts`, `/api/v1/tokens`), which audits it, so each write has one way in.

use domain::wire::{AccountView, ActivityChoice, AuditRecord, CheckinRoll, MemberProfile, TokenView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::errors::AppError;

/// An organisation an activity can be created for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgChoice {
    pub org_id: String,
    pub name: String,
}

/// What the check-in start page offers: the organisations of the scope and the activities
/// held from a day ago to a week ahead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckinChoices {
    pub orgs: Vec<OrgChoice>,
    pub activities: Vec<ActivityChoice>,
    /// Now, `YYYY-MM-DDTHH:MM` (the form's default time).
    pub now: String,
}

/// The admin page: accounts, kiosk tokens and the newest audit rows matching the filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminData {
    pub accounts: Vec<AccountView>,
    pub tokens: Vec<TokenView>,
    pub audit: Vec<AuditRecord>,
    /// The audited actions, for the filter's choices.
    pub actions: Vec<String>,
    /// The webhooks warnings are pushed to (§11), with their delivered and failed messages.
    pub webhooks: Vec<domain::wire::WebhookView>,
}

#[cfg(feature = "ssr")]
use crate::functions::wall::hub;

#[cfg(feature = "ssr")]
fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::internal("people page", e)
}

/// The roles that create activities and open check-in (within their scope).
#[cfg(feature = "ssr")]
pub const ORGANISERS: &[domain::Role] = &[domain::Role::Admin, domain::Role::Officer, domain::Role::Secretary];

/// The caller's own profile (a `member` account): `/me`.
#[server(name = GetMyProfile)]
pub async fn my_profile(month: Option<String>) -> Result<MemberProfile, AppError> {
    let (scope, _) = crate::auth::request_scope().await?;
    let c = scope.caller();
    let Some(member_id) = c.member_id.clone().filter(|_| c.role == domain::Role::Member) else {
        return Err(AppError::Forbidden);
    };
    let hub = hub()?;
    scope.member(&*hub.state()?, &member_id)?;
    Ok(MemberProfile::clone(&*hub.member(&member_id, month.as_deref()).await?))
}

/// The organisations and activities of the scope a check-in can be opened for.
#[server(name = GetCheckinChoices)]
pub async fn checkin_choices() -> Result<CheckinChoices, AppError> {
    let (scope, _) = crate::auth::request_scope().await?;
    scope.require(ORGANISERS)?;
    let hub = hub()?;
    let state = hub.state()?;
    let root = scope.root(&state)?;
    let inside: std::collections::HashSet<i64> = state.tree.subtree(root).into_iter().collect();
    let mut orgs: Vec<OrgChoice> = inside
        .iter()
        .filter_map(|id| state.tree.by_id.get(id))
        .filter(|o| o.kind.is_grassroots())
        .map(|o| OrgChoice { org_id: o.org_id.clone(), name: o.name.clone() })
        .collect();
    orgs.sort_by(|a, b| a.org_id.cmp(&b.org_id));
    let now = domain::Timestamp::parse(&engine::hub::now_local()).map_err(internal)?;
    let day = 86_400 * 1_000_000;
    let activities = hub.store().activities_between(now.0 - day, now.0 + 7 * day, 5_000).await.map_err(internal)?;
    let activities =
        activities.into_iter().filter(|a| state.tree.by_org_id.get(&a.org_id).is_some_and(|id| inside.contains(id))).take(200).map(|a| a.choice()).collect();
    Ok(CheckinChoices { orgs, activities, now: now.to_string()[..16].to_owned() })
}

/// The check-in page of one activity: who checked in, of how many.
#[server(name = GetCheckinRoll)]
pub async fn checkin_roll(activity_id: String) -> Result<CheckinRoll, AppError> {
    let (scope, _) = crate::auth::request_scope().await?;
    scope.require(ORGANISERS)?;
    let hub = hub()?;
    let Some(activity) = hub.store().activity(&activity_id).await.map_err(internal)? else {
        return Err(AppError::NotFound(format!("activity {activity_id}")));
    };
    scope.org(&*hub.state()?, Some(&activity.org_id))?;
    let roll = hub.store().checkin_roll(&activity_id).await.map_err(internal)?;
    let members = hub.store().members_of(&activity.org_id).await.map_err(internal)?;
    let checked_in = roll
        .into_iter()
        .map(|(member_id, name, at)| domain::wire::RollEntry {
            member_id,
            name,
            at: domain::Timestamp(at).to_string().get(11..19).unwrap_or_default().to_owned(),
        })
        .collect();
    Ok(CheckinRoll { version: hub.version_event().version, activity: activity.choice(), checked_in, members })
}

/// The admin page's data, the audit rows filtered by actor, action and time.
#[server(name = GetAdminData)]
pub async fn admin_data(actor: Option<String>, action: Option<String>, from: Option<String>, to: Option<String>) -> Result<AdminData, AppError> {
    let (scope, _) = crate::auth::request_scope().await?;
    scope.require(&[domain::Role::Admin])?;
    let store = hub()?.store().clone();
    let filter = access::AuditFilter::parse(actor.as_deref(), action.as_deref(), from.as_deref(), to.as_deref()).map_err(AppError::BadRequest)?;
    Ok(AdminData {
        accounts: access::list_accounts(&store).await.map_err(internal)?.iter().map(access::Account::view).collect(),
        tokens: access::list_tokens(&store).await.map_err(internal)?.iter().map(access::TokenInfo::view).collect(),
        audit: access::read_audit(&store, &filter, access::audit::PAGE_ROWS).await.map_err(internal)?,
        actions: access::Action::ALL.iter().map(|a| a.as_str().to_owned()).collect(),
        webhooks: operations::webhooks::list(&store).await.map_err(internal)?,
    })
}
