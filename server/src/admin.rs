//! Accounts, kiosk tokens and the audit log in the browser (docs/RULES.md §10: "an admin can
//! also do it in the browser"): the same `access` functions as `vanguard user …`, `token …`
//! and `export audit`, for an `admin` and within its scope. Each write commits with its audit
//! row inside `access`; a disable or revoke also drops the credentials this server has
//! resolved, so it takes effect at once here (and within the cache's 200 ms elsewhere).

use crate::api::{ApiError, ApiResult};
use crate::auth::{Auth, ConnectInfoOpt};
use crate::extract::{Path, Query};
use access::{Actor, AuditFilter};
use app::auth::Scope;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::Role;
use domain::wire::{AccountView, AuditRecord, CreatedToken, NewAccount, NewKioskToken, TokenView};
use engine::hub::Hub;
use serde::Deserialize;
use utoipa::IntoParams;

/// The newest rows the audit page reads at most.
pub const AUDIT_LIMIT: i64 = access::audit::PAGE_ROWS;

#[derive(Clone)]
pub(crate) struct Admin {
    hub: Hub,
    auth: Auth,
}

/// An `admin`, and the organisation it names inside its scope.
fn admin_in(a: &Admin, scope: &Scope, org_id: Option<&str>) -> ApiResult<()> {
    scope.require(&[Role::Admin])?;
    scope.org(&*a.hub.state()?, org_id)?;
    Ok(())
}

/// `GET /api/v1/accounts`: every account, by login.
#[utoipa::path(get, path = "/api/v1/accounts", responses((status = 200, body = Vec<AccountView>), (status = 403, body = domain::wire::ErrorBody)), tag = "admin")]
pub(crate) async fn accounts(State(a): State<Admin>, scope: Scope) -> ApiResult<Json<Vec<AccountView>>> {
    admin_in(&a, &scope, None)?;
    Ok(Json(access::list_accounts(a.hub.store()).await?.into_iter().map(|a| a.view()).collect()))
}

/// `POST /api/v1/accounts`: adds an account (as `vanguard user add`): 201, 400 for a bad
/// login, password, role, organisation or member, 409 for a login that exists.
#[utoipa::path(post, path = "/api/v1/accounts", request_body = NewAccount, responses((status = 201, body = AccountView), (status = 400, body = domain::wire::ErrorBody), (status = 409, body = domain::wire::ErrorBody)), tag = "admin")]
pub(crate) async fn add_account(
    State(a): State<Admin>,
    scope: Scope,
    ConnectInfoOpt(ip): ConnectInfoOpt,
    Json(body): Json<NewAccount>,
) -> ApiResult<(StatusCode, Json<AccountView>)> {
    admin_in(&a, &scope, Some(&body.org_id))?;
    let role = Role::parse(&body.role).map_err(|e| ApiError::bad(format!("role: {e}")))?;
    let member = body.member_id.as_deref().filter(|m| !m.is_empty());
    let account =
        access::add_user(a.hub.store(), body.login.trim(), role, &body.org_id, member, &body.password, &Actor::caller(scope.caller(), ip.as_deref())).await?;
    Ok((StatusCode::CREATED, Json(account.view())))
}

/// `POST /api/v1/accounts/{login}/disable`: the account and its sessions stop working at once.
#[utoipa::path(post, path = "/api/v1/accounts/{login}/disable", params(("login" = String, Path)), responses((status = 200, body = AccountView), (status = 404, body = domain::wire::ErrorBody)), tag = "admin")]
pub(crate) async fn disable_account(
    State(a): State<Admin>,
    scope: Scope,
    ConnectInfoOpt(ip): ConnectInfoOpt,
    Path(login): Path<String>,
) -> ApiResult<Json<AccountView>> {
    admin_in(&a, &scope, None)?;
    let account = access::disable_user(a.hub.store(), &login, &Actor::caller(scope.caller(), ip.as_deref())).await?;
    a.auth.forget();
    Ok(Json(account.view()))
}

/// `GET /api/v1/tokens`: every kiosk token, newest first (never the token itself).
#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, body = Vec<TokenView>), (status = 403, body = domain::wire::ErrorBody)), tag = "admin")]
pub(crate) async fn tokens(State(a): State<Admin>, scope: Scope) -> ApiResult<Json<Vec<TokenView>>> {
    admin_in(&a, &scope, None)?;
    Ok(Json(access::list_tokens(a.hub.store()).await?.into_iter().map(|t| t.view()).collect()))
}

/// `POST /api/v1/tokens`: a kiosk token (as `vanguard token create`), shown this once.
#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewKioskToken, responses((status = 201, body = CreatedToken), (status = 400, body = domain::wire::ErrorBody)), tag = "admin")]
pub(crate) async fn create_token(
    State(a): State<Admin>,
    scope: Scope,
    ConnectInfoOpt(ip): ConnectInfoOpt,
    Json(body): Json<NewKioskToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    admin_in(&a, &scope, Some(&body.org_id))?;
    let label = body.label.as_deref().map(str::trim).filter(|l| !l.is_empty());
    let new = access::create_token(a.hub.store(), &body.org_id, body.days, label, &Actor::caller(scope.caller(), ip.as_deref())).await?;
    let kiosk_path = format!("/kiosk?token={}", new.token);
    Ok((StatusCode::CREATED, Json(CreatedToken { id: new.info.id, token: new.token, kiosk_path })))
}

/// `DELETE /api/v1/tokens/{id}`: revokes a kiosk token at once: 204, 404 if unknown.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = domain::wire::ErrorBody)), tag = "admin")]
pub(crate) async fn revoke_token(State(a): State<Admin>, scope: Scope, ConnectInfoOpt(ip): ConnectInfoOpt, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    admin_in(&a, &scope, None)?;
    access::revoke_token_id(a.hub.store(), id, &Actor::caller(scope.caller(), ip.as_deref())).await?;
    a.auth.forget();
    Ok(StatusCode::NO_CONTENT)
}

/// The audit page's filter: `actor`, `action`, and `from` / `to` as `YYYY-MM-DD` or
/// `YYYY-MM-DDTHH:MM:SS` local time (`to` exclusive; a bare date means its midnight).
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// `GET /api/v1/audit`: the newest rows of the audit log (at most 500) matching the filter.
#[utoipa::path(get, path = "/api/v1/audit", params(AuditQuery), responses((status = 200, body = Vec<AuditRecord>), (status = 400, body = domain::wire::ErrorBody)), tag = "admin")]
pub(crate) async fn audit(State(a): State<Admin>, scope: Scope, Query(q): Query<AuditQuery>) -> ApiResult<Json<Vec<AuditRecord>>> {
    admin_in(&a, &scope, None)?;
    let filter = AuditFilter::parse(q.actor.as_deref(), q.action.as_deref(), q.from.as_deref(), q.to.as_deref()).map_err(ApiError::bad)?;
    Ok(Json(access::read_audit(a.hub.store(), &filter, AUDIT_LIMIT).await?))
}

/// The admin routes.
pub fn routes<S: Clone + Send + Sync + 'static>(hub: Hub, auth: Auth) -> Router<S> {
    Router::new()
        .route("/api/v1/accounts", get(accounts).post(add_account))
        .route("/api/v1/accounts/{login}/disable", post(disable_account))
        .route("/api/v1/tokens", get(tokens).post(create_token))
        .route("/api/v1/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/api/v1/audit", get(audit))
        .with_state(Admin { hub, auth })
}
