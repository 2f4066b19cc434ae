//! `/api/v1`: the JSON API (OpenAPI document at `/api/v1/openapi.json`) and the push
//! channel `/api/v1/events` (SSE).
//!
//! Every handler answers from the hub's in-memory state (snapshots and profiles are cached
//! with their JSON per data version), and every handler takes the caller from the one
//! extractor ([`app::auth::Scope`] / [`app::auth::Who`], docs/RULES.md §10): it asks the scope
//! for the organisation or member a request is about, and masks names for a `viewer`.

use std::convert::Infallible;
use std::time::Duration;

use crate::extract::{Path, Query};
use app::auth::{RECORD_RESOURCE_USE, Refused, Scope, Who};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use domain::Masked;
use domain::wire::{
    BranchLight, ErrorBody, Finding, MemberLight, MemberProfile, OrgEntry, OrgIndicator, RankingRow, Rankings, ResourceUse, VersionEvent, WallSnapshot,
};
use engine::hub::{Cached, Hub, HubError, State as HubState};
use futures_util::stream::StreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

/// An error as JSON: `{"error": code, "message": text}` with its HTTP status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: &str) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    pub fn bad(message: String) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code: "bad_request", message }
    }

    /// The store cannot be reached: logged with its detail, answered 503 without it.
    pub fn unavailable(detail: String) -> ApiError {
        tracing::error!(error = %detail, "api");
        ApiError { status: StatusCode::SERVICE_UNAVAILABLE, code: "store_unavailable", message: "数据库暂时无法连接，请稍后重试".into() }
    }

    /// A failure of the server itself: logged with its detail, answered without it.
    pub fn internal(detail: String) -> ApiError {
        tracing::error!(error = %detail, "api");
        ApiError { status: StatusCode::INTERNAL_SERVER_ERROR, code: "internal", message: "服务内部错误".into() }
    }
}

/// The engine's and the store's own words stay in the log (issue 11 item 3): a store that
/// cannot be reached is a 503 `store_unavailable` the client may retry, anything else of
/// theirs a bare 500.
impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        match e {
            HubError::NotFound(_) => ApiError { status: StatusCode::NOT_FOUND, code: "not_found", message: e.to_string() },
            HubError::BadRequest(_) => ApiError { status: StatusCode::BAD_REQUEST, code: "bad_request", message: e.to_string() },
            HubError::NotReady => ApiError { status: StatusCode::SERVICE_UNAVAILABLE, code: "not_ready", message: e.to_string() },
            HubError::Busy => ApiError { status: StatusCode::SERVICE_UNAVAILABLE, code: "busy", message: "服务繁忙，请稍后重试".into() },
            HubError::Engine(engine::EngineError::Store(e)) => e.into(),
            HubError::Engine(e) => ApiError::internal(format!("engine: {e}")),
        }
    }
}

/// The access layer's own refusals (a taken login, an unknown organisation…) keep their
/// status and code, with the error's text; its failures are the server's.
impl From<access::AccessError> for ApiError {
    fn from(e: access::AccessError) -> Self {
        match StatusCode::from_u16(e.status()) {
            Ok(status) if status != StatusCode::INTERNAL_SERVER_ERROR => ApiError { status, code: e.code(), message: e.to_string() },
            _ => ApiError::internal(format!("access: {e}")),
        }
    }
}

impl From<store::sql::SqlError> for ApiError {
    fn from(e: store::sql::SqlError) -> Self {
        if store::error::unreachable_sql(&e) { ApiError::unavailable(format!("store: {e}")) } else { ApiError::internal(format!("store: {e}")) }
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        if e.is_unreachable() { ApiError::unavailable(format!("store: {e}")) } else { ApiError::internal(format!("store: {e}")) }
    }
}

/// A single record's write ([`store::import::import_one`]): a running file import is a 503
/// the client may retry; anything else is the server's failure.
impl From<store::import::ImportError> for ApiError {
    fn from(e: store::import::ImportError) -> Self {
        match e {
            store::import::ImportError::Busy => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "import_running", "正在导入数据，请稍后重试"),
            e => ApiError::internal(format!("import: {e}")),
        }
    }
}

impl From<Refused> for ApiError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::Unauthenticated => ApiError { status: StatusCode::UNAUTHORIZED, code: "unauthenticated", message: "请先登录".into() },
            Refused::Forbidden => ApiError { status: StatusCode::FORBIDDEN, code: "forbidden", message: "超出您的权限范围".into() },
            Refused::Hub(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(ErrorBody { error: self.code.into(), message: self.message })).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        r
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A cached answer's JSON (kept by the hub per data version), masked for a `viewer`, and
/// gzip-compressed when the request accepts it: compressed once per answer and kept beside it
/// ([`Cached::gzip_for`]) rather than by the compression layer on every request, which leaves
/// an answer that already has a `Content-Encoding` alone.
fn cached_json<T: serde::Serialize + Masked + Clone>(cached: &Cached<T>, masked: bool, headers: &HeaderMap) -> ApiResult<Response> {
    let (body, encoding) = if accepts_gzip(headers) { (cached.gzip_for(masked)?, Some("gzip")) } else { (cached.json_for(masked)?, None) };
    let mut res = ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response();
    if let Some(e) = encoding {
        res.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
    }
    res.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    Ok(res)
}

/// Whether `Accept-Encoding` admits gzip (RFC 9110 §12.5.3): `gzip` (or `x-gzip`), else `*`,
/// with a q-value above 0.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut star = false;
    for item in headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')) {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim();
        let q = parts.filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q="))).next_back();
        let admitted = q.is_none_or(|q| q.trim().parse::<f32>().is_ok_and(|q| q > 0.0));
        if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            return admitted;
        }
        if coding == "*" {
            star = admitted;
        }
    }
    star
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MonthQuery {
    /// `YYYY-MM`; the newest month with data when omitted.
    pub month: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OrgMonthQuery {
    /// Organisation id; the caller's own (or the root) when omitted.
    pub org: Option<String>,
    /// `YYYY-MM`; the newest month with data when omitted.
    pub month: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RankingQuery {
    pub org: Option<String>,
    pub month: Option<String>,
    /// Rows to return (default 50, at most 1000).
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

fn org_entry(state: &HubState, id: i64) -> ApiResult<OrgEntry> {
    state.tree.entry(id).ok_or_else(|| HubError::NotFound(format!("organisation {id}")).into())
}

/// The root of the caller's scope (the district for an admin).
#[utoipa::path(get, path = "/api/v1/orgs", responses((status = 200, body = [OrgEntry])), tag = "orgs")]
async fn orgs(State(hub): State<Hub>, scope: Scope) -> ApiResult<Json<Vec<OrgEntry>>> {
    let state = hub.state()?;
    Ok(Json(vec![org_entry(&state, scope.root(&state)?)?]))
}

/// One organisation.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}", params(("org_id" = String, Path)), responses((status = 200, body = OrgEntry), (status = 404, body = ErrorBody)), tag = "orgs")]
async fn org(State(hub): State<Hub>, scope: Scope, Path(org_id): Path<String>) -> ApiResult<Json<OrgEntry>> {
    let state = hub.state()?;
    let id = scope.org(&state, Some(&org_id))?;
    Ok(Json(org_entry(&state, id)?))
}

/// The direct children of an organisation.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/children", params(("org_id" = String, Path)), responses((status = 200, body = [OrgEntry]), (status = 404, body = ErrorBody)), tag = "orgs")]
async fn children(State(hub): State<Hub>, scope: Scope, Path(org_id): Path<String>) -> ApiResult<Json<Vec<OrgEntry>>> {
    let state = hub.state()?;
    let id = scope.org(&state, Some(&org_id))?;
    Ok(Json(state.tree.children_entries(id)))
}

/// Everything the wall shows for an organisation and month, in one response.
#[utoipa::path(get, path = "/api/v1/snapshot", params(OrgMonthQuery), responses((status = 200, body = WallSnapshot), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)), tag = "wall")]
async fn snapshot(State(hub): State<Hub>, scope: Scope, headers: HeaderMap, Query(q): Query<OrgMonthQuery>) -> ApiResult<Response> {
    let state = hub.state()?;
    let org = scope.org(&state, q.org.as_deref())?;
    cached_json(&*hub.snapshot_of(&state, org, q.month.as_deref()).await?, scope.masked(), &headers)
}

/// A member: index by dimension, ranks, lights, indicators and the events behind every point.
#[utoipa::path(get, path = "/api/v1/members/{member_id}", params(("member_id" = String, Path), MonthQuery), responses((status = 200, body = MemberProfile), (status = 404, body = ErrorBody)), tag = "members")]
async fn member(
    State(hub): State<Hub>,
    scope: Scope,
    ip: crate::auth::ConnectInfoOpt,
    headers: HeaderMap,
    Path(member_id): Path<String>,
    Query(q): Query<MonthQuery>,
) -> ApiResult<Response> {
    let state = hub.state()?;
    scope.member(&state, &member_id)?;
    let res = cached_json(&*hub.member_cached(&member_id, q.month.as_deref()).await?, scope.masked(), &headers)?;
    app::auth::member_viewed(&hub, &scope.who, ip.0.as_deref(), &member_id).await;
    Ok(res)
}

/// The Vanguard Index so far this year, by district rank, within an organisation's subtree.
#[utoipa::path(get, path = "/api/v1/rankings", params(RankingQuery), responses((status = 200, body = Rankings), (status = 400, body = ErrorBody)), tag = "members")]
async fn rankings(State(hub): State<Hub>, scope: Scope, Query(q): Query<RankingQuery>) -> ApiResult<Json<Rankings>> {
    let state = hub.state()?;
    let org = scope.org(&state, q.org.as_deref())?;
    let (offset, limit) = (q.offset.unwrap_or(0), q.limit.unwrap_or(50));
    if limit == 0 || limit > engine::views::MAX_PAGE {
        return Err(ApiError::bad(format!("limit: 1 to {}", engine::views::MAX_PAGE)));
    }
    let rankings = hub.view(&state, q.month.as_deref(), move |ctx| ctx.rankings(org, offset, limit)).await?;
    Ok(Json(if scope.masked() { rankings.masked() } else { rankings }))
}

/// Member lights (§5) at the month within the subtree, by `member_id`; red and yellow only
/// unless `all=true`.
#[utoipa::path(get, path = "/api/v1/lights/members", params(OrgMonthQuery, ("all" = Option<bool>, Query)), responses((status = 200, body = [MemberLight])), tag = "lights")]
async fn member_lights(State(hub): State<Hub>, scope: Scope, Query(q): Query<OrgMonthQuery>, Query(all): Query<AllQuery>) -> ApiResult<Json<Vec<MemberLight>>> {
    let state = hub.state()?;
    let org = scope.org(&state, q.org.as_deref())?;
    let all = all.all.unwrap_or(false);
    Ok(Json(hub.view(&state, q.month.as_deref(), move |ctx| ctx.member_lights(org, all)).await?))
}

#[derive(Debug, Deserialize)]
pub struct AllQuery {
    pub all: Option<bool>,
}

/// Branch lights (§5) at the month within the subtree, by `org_id`.
#[utoipa::path(get, path = "/api/v1/lights/branches", params(OrgMonthQuery), responses((status = 200, body = [BranchLight])), tag = "lights")]
async fn branch_lights(State(hub): State<Hub>, scope: Scope, Query(q): Query<OrgMonthQuery>) -> ApiResult<Json<Vec<BranchLight>>> {
    let state = hub.state()?;
    let org = scope.org(&state, q.org.as_deref())?;
    Ok(Json(hub.view(&state, q.month.as_deref(), move |ctx| ctx.branch_lights(org)).await?))
}

/// The indicator catalogue (§7).
#[utoipa::path(get, path = "/api/v1/indicators", responses((status = 200, description = "the catalogue: version and indicators")), tag = "indicators")]
async fn catalogue(State(hub): State<Hub>, _who: Who) -> Json<engine::catalogue::Catalogue> {
    Json(hub.catalogue().clone())
}

/// Every branch indicator of an organisation (its subtree's facts) with the district
/// average and the 12-month trend.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/indicators", params(("org_id" = String, Path), MonthQuery), responses((status = 200, body = [OrgIndicator])), tag = "indicators")]
async fn org_indicators(State(hub): State<Hub>, scope: Scope, Path(org_id): Path<String>, Query(q): Query<MonthQuery>) -> ApiResult<Json<Vec<OrgIndicator>>> {
    let state = hub.state()?;
    let org = scope.org(&state, Some(&org_id))?;
    Ok(Json(hub.view(&state, q.month.as_deref(), move |ctx| ctx.org_indicators(org)).await?))
}

/// The findings of the diagnosis (§6) for the branches of a subtree at the month: each
/// indicator below the district average or over a threshold, with prescription and up to
/// three resources the branch has not used in 12 months.
#[utoipa::path(get, path = "/api/v1/findings", params(OrgMonthQuery), responses((status = 200, body = [Finding])), tag = "indicators")]
async fn findings(State(hub): State<Hub>, scope: Scope, Query(q): Query<OrgMonthQuery>) -> ApiResult<Json<Vec<Finding>>> {
    let state = hub.state()?;
    let org = scope.org(&state, q.org.as_deref())?;
    Ok(Json(hub.view(&state, q.month.as_deref(), move |ctx| ctx.findings(org)).await?))
}

/// Records that an organisation used a library resource (it is then not recommended to it
/// for 12 months).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/resources/{resource_id}/used", params(("org_id" = String, Path), ("resource_id" = String, Path)), request_body = ResourceUse, responses((status = 204), (status = 404, body = ErrorBody)), tag = "indicators")]
async fn resource_used(
    State(hub): State<Hub>,
    scope: Scope,
    ip: crate::auth::ConnectInfoOpt,
    Path((org_id, resource_id)): Path<(String, String)>,
    Json(body): Json<ResourceUse>,
) -> ApiResult<StatusCode> {
    let state = hub.state()?;
    scope.require(RECORD_RESOURCE_USE)?;
    scope.org(&state, Some(&org_id))?;
    let on = match body.used_on {
        Some(d) => domain::Date::parse(&d).map_err(|e| ApiError::bad(format!("used_on: {e}")))?,
        None => domain::Timestamp::parse(&engine::hub::now_local()).map_err(ApiError::bad)?.date(),
    };
    // The use and its audit row commit together.
    let mut tx = store::sql::Tx::write(hub.store()).await?;
    if !store::extras::record_resource_use(&mut tx, &org_id, &resource_id, on).await? {
        return Err(HubError::NotFound(format!("organisation {org_id} or resource {resource_id}")).into());
    }
    let entry = access::AuditEntry::ok(scope.caller(), ip.0.as_deref(), access::Action::ResourceUse, format!("{org_id}/{resource_id}"));
    access::audit_in(&mut tx, &entry).await?;
    tx.commit().await?;
    hub.poke();
    Ok(StatusCode::NO_CONTENT)
}

/// The data version now.
#[utoipa::path(get, path = "/api/v1/version", responses((status = 200, body = VersionEvent)), tag = "wall")]
async fn version(State(hub): State<Hub>, _who: Who) -> Json<VersionEvent> {
    Json(hub.version_event())
}

/// Server-sent events: `version` with a [`VersionEvent`] on connect and after every data
/// change; `warning` with a [`domain::wire::WarningView`] when a warning in the caller's scope
/// is raised, escalated, cleared or handled (§11; names masked for a `viewer`); a keep-alive
/// comment every 15 s. `?events=version` (a comma-separated list of the two names) narrows
/// the stream to those events: the browser's pages read only `version` (a changed warning
/// publishes a new version too, so a wall's feed refetches on that), and one raise in a
/// district sends dozens of `warning` events to every stream that takes them, at the moment
/// every wall fetches the new version.
#[utoipa::path(get, path = "/api/v1/events", params(EventsQuery), responses((status = 200, description = "text/event-stream of `version` and `warning` events"), (status = 400, body = ErrorBody)), tag = "wall")]
///
/// The stream ends when the server begins to stop ([`crate::shutdown`]), so a restart never
/// waits on a wall.
///
/// At most [`crate::limits::SSE_PER_CLIENT`] streams per client address and
/// [`crate::limits::SSE_TOTAL`] in all: beyond, 429 JSON.
async fn events(
    State(hub): State<Hub>,
    Extension(ops): Extension<crate::ops::Ops>,
    stopping: Option<Extension<crate::shutdown::Stopping>>,
    crate::auth::ConnectInfoOpt(ip): crate::auth::ConnectInfoOpt,
    scope: Scope,
    Query(q): Query<EventsQuery>,
) -> Response {
    let (want_versions, want_warnings) = match q.wanted() {
        Ok(w) => w,
        Err(e) => return e.into_response(),
    };
    let slot = match crate::limits::sse_slots().take(ip.as_deref()) {
        Ok(slot) => slot,
        Err(too_many) => return too_many.into_response(),
    };
    let rx = hub.subscribe();
    let versions = futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let v = rx.borrow_and_update().clone();
        let event = Event::default().event("version").json_data(&v).unwrap_or_else(|_| Event::default().comment("unserialisable"));
        Some((Ok::<Event, Infallible>(event), (rx, false)))
    });
    let warnings = futures_util::stream::unfold((ops.events.subscribe(), hub, scope), |(mut rx, hub, scope)| async move {
        loop {
            let w = match rx.recv().await {
                Ok(w) => w,
                // A slow stream skips what it missed: the wall refetches its feed on the next one.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            };
            let Ok(state) = hub.state() else { continue };
            if !crate::ops::sees(&scope, &state, &w.subject_kind, &w.subject_id, &w.org_id).unwrap_or(false) {
                continue;
            }
            let w = if scope.masked() { w.masked() } else { w };
            let event = Event::default().event("warning").json_data(&w).unwrap_or_else(|_| Event::default().comment("unserialisable"));
            return Some((Ok::<Event, Infallible>(event), (rx, hub, scope)));
        }
    });
    let stop: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> = match stopping {
        Some(Extension(s)) => Box::pin(s.wait()),
        None => Box::pin(std::future::pending()),
    };
    let versions = if want_versions { versions.left_stream() } else { futures_util::stream::empty().right_stream() };
    let warnings = if want_warnings { warnings.left_stream() } else { futures_util::stream::empty().right_stream() };
    // The slot is freed when the stream is dropped (the client went, or the server stops).
    let stream = futures_util::stream::select(versions, warnings).take_until(stop).map(move |e| {
        let _held = &slot;
        e
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EventsQuery {
    /// The events to receive, comma-separated among `version` and `warning`; both when
    /// omitted.
    pub events: Option<String>,
}

impl EventsQuery {
    /// (versions, warnings) wanted; 400 for a name that is neither.
    fn wanted(&self) -> ApiResult<(bool, bool)> {
        let Some(list) = &self.events else { return Ok((true, true)) };
        let (mut versions, mut warnings) = (false, false);
        for name in list.split(',').map(str::trim) {
            match name {
                "version" => versions = true,
                "warning" => warnings = true,
                _ => return Err(ApiError::bad(format!("events: `{name}` is not an event of this stream (version, warning)"))),
            }
        }
        Ok((versions, warnings))
    }
}

/// Test-only: publish the same data as a new version (enabled by VANGUARD_DEV_ENDPOINTS=1).
async fn dev_bump(State(hub): State<Hub>) -> ApiResult<Json<VersionEvent>> {
    Ok(Json(hub.bump().await?))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vanguard 锋领指数 API",
        description = "District Party-building command centre: organisations, wall snapshots, members, rankings, lights, indicators and findings. Every figure is computed once per data version and served from memory."
    ),
    paths(
        orgs,
        org,
        children,
        snapshot,
        member,
        rankings,
        member_lights,
        branch_lights,
        catalogue,
        org_indicators,
        findings,
        resource_used,
        version,
        events,
        crate::checkin::create_activity,
        crate::checkin::checkin_code,
        crate::checkin::checkin,
        crate::admin::accounts,
        crate::admin::add_account,
        crate::admin::disable_account,
        crate::admin::tokens,
        crate::admin::create_token,
        crate::admin::revoke_token,
        crate::admin::audit,
        crate::ops::list,
        crate::ops::one,
        crate::ops::ack,
        crate::ops::resolve,
        crate::ops::webhooks,
        crate::ops::add_webhook,
        crate::ops::remove_webhook,
        crate::ops::test_webhook,
        crate::reports::list
    ),
    components(schemas(
        OrgEntry,
        ErrorBody,
        RankingRow,
        Rankings,
        MemberLight,
        BranchLight,
        OrgIndicator,
        Finding,
        ResourceUse,
        WallSnapshot,
        MemberProfile,
        VersionEvent,
        domain::wire::NewActivity,
        domain::wire::NewActivityId,
        domain::wire::CheckinCode,
        domain::wire::CheckinRequest,
        domain::wire::CheckinResult,
        domain::wire::AccountView,
        domain::wire::NewAccount,
        domain::wire::TokenView,
        domain::wire::NewKioskToken,
        domain::wire::CreatedToken,
        domain::wire::AuditRecord,
        domain::wire::WarningView,
        domain::wire::WarningPage,
        domain::wire::ResolveWarning,
        domain::wire::WebhookView,
        domain::wire::NewWebhook,
        domain::report::ReportList,
        domain::report::ReportEntry
    ))
)]
pub struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The `/api/v1` routes, ready to merge into a router of any state.
pub fn routes<S: Clone + Send + Sync + 'static>(hub: Hub, auth: crate::auth::Auth, ops: crate::ops::Ops, dev_endpoints: bool) -> Router<S> {
    let mut r = Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/orgs", get(orgs))
        .route("/api/v1/orgs/{org_id}", get(org))
        .route("/api/v1/orgs/{org_id}/children", get(children))
        .route("/api/v1/orgs/{org_id}/indicators", get(org_indicators))
        .route("/api/v1/orgs/{org_id}/resources/{resource_id}/used", post(resource_used))
        .route("/api/v1/snapshot", get(snapshot))
        .route("/api/v1/members/{member_id}", get(member))
        .route("/api/v1/rankings", get(rankings))
        .route("/api/v1/lights/members", get(member_lights))
        .route("/api/v1/lights/branches", get(branch_lights))
        .route("/api/v1/indicators", get(catalogue))
        .route("/api/v1/findings", get(findings))
        .route("/api/v1/version", get(version))
        .route("/api/v1/events", get(events).layer(Extension(ops.clone())));
    if dev_endpoints {
        r = r.route("/api/v1/dev/bump", post(dev_bump));
    }
    let hub_for_reports = hub.clone();
    r.with_state(hub.clone())
        .merge(crate::checkin::routes(hub.clone()))
        .merge(crate::admin::routes(hub, auth))
        .merge(crate::ops::routes(ops))
        .merge(crate::reports::routes(hub_for_reports))
}

#[cfg(test)]
mod tests;
