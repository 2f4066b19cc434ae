//! `/api/v1`: the JSON API (OpenAPI document at `/api/v1/openapi.json`) and the push
//! channel `/api/v1/events` (SSE).
//!
//! Every handler answers from the hub's in-memory state (snapshots and profiles are cached
//! with their JSON per data version), and every handler takes the caller's [`Scope`] from
//! one extractor, so that role-based access is added in one place.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::{header, request::Parts, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use domain::wire::{MemberProfile, VersionEvent, WallSnapshot};
use engine::catalogue::Level;
use engine::hub::{Hub, HubError, State as HubState};
use futures_util::stream::Stream;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// The header that names the caller's organisation; requests see only its subtree. Without
/// it the caller sees the whole district (the command centre).
pub const SCOPE_HEADER: &str = "x-vanguard-org";

/// What the caller may see: the subtree of one organisation, or everything.
#[derive(Debug, Clone)]
pub struct Scope {
    pub org_id: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Scope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let org_id = match parts.headers.get(SCOPE_HEADER) {
            None => None,
            Some(v) => Some(v.to_str().map_err(|_| ApiError::bad(format!("{SCOPE_HEADER} is not text")))?.to_string()),
        };
        Ok(Scope { org_id })
    }
}

impl Scope {
    /// Refuses organisations outside the caller's subtree.
    fn check(&self, state: &HubState, org: i64) -> Result<(), ApiError> {
        let Some(root) = &self.org_id else { return Ok(()) };
        let root = state.resolve_org(Some(root))?;
        if state.tree.subtree(root).contains(&org) {
            Ok(())
        } else {
            Err(ApiError { status: StatusCode::FORBIDDEN, code: "forbidden", message: "该组织不在您的权限范围内".into() })
        }
    }

    /// The organisation a request is about: the one it names, else the caller's own, else
    /// the root; checked against the scope.
    fn org(&self, state: &HubState, asked: Option<&str>) -> Result<i64, ApiError> {
        let org = state.resolve_org(asked.or(self.org_id.as_deref()))?;
        self.check(state, org)?;
        Ok(org)
    }
}

/// An error as JSON: `{"error": code, "message": text}` with its HTTP status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}

impl ApiError {
    fn bad(message: String) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code: "bad_request", message }
    }
}

impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        let (status, code) = match &e {
            HubError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            HubError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            HubError::NotReady => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
            HubError::Engine(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "api");
        }
        ApiError { status, code, message: e.to_string() }
    }
}

impl From<PolarsError> for ApiError {
    fn from(e: PolarsError) -> Self {
        HubError::from(e).into()
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

type ApiResult<T> = Result<T, ApiError>;

/// Pre-serialised JSON (cached per data version).
fn json_bytes(b: Bytes) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], b).into_response()
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

/// An organisation in the tree with its subtree sizes.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgEntry {
    pub org_id: String,
    pub name: String,
    pub kind: String,
    pub kind_zh: String,
    pub parent_id: Option<String>,
    pub members: i64,
    pub grassroots: i64,
    pub children: i64,
}

fn org_entry(state: &HubState, id: i64) -> OrgEntry {
    let t = &state.tree;
    let i = &t.by_id[&id];
    OrgEntry {
        org_id: i.org_id.clone(),
        name: i.name.clone(),
        kind: i.kind.as_str().into(),
        kind_zh: i.kind.zh().into(),
        parent_id: i.parent.and_then(|p| t.by_id.get(&p)).map(|p| p.org_id.clone()),
        members: t.subtree_members.get(&id).copied().unwrap_or(0),
        grassroots: t.subtree_grassroots.get(&id).copied().unwrap_or(0),
        children: t.children.get(&id).map_or(0, |c| c.len() as i64),
    }
}

/// The roots of the organisation tree (the caller's own organisation when scoped).
#[utoipa::path(get, path = "/api/v1/orgs", responses((status = 200, body = [OrgEntry])), tag = "orgs")]
async fn orgs(State(hub): State<Hub>, scope: Scope) -> ApiResult<Json<Vec<OrgEntry>>> {
    let state = hub.state()?;
    let roots = match &scope.org_id {
        Some(_) => vec![scope.org(&state, None)?],
        None => state.tree.roots.clone(),
    };
    Ok(Json(roots.into_iter().map(|r| org_entry(&state, r)).collect()))
}

/// One organisation.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}", params(("org_id" = String, Path)), responses((status = 200, body = OrgEntry), (status = 404, body = ErrorBody)), tag = "orgs")]
async fn org(State(hub): State<Hub>, scope: Scope, Path(org_id): Path<String>) -> ApiResult<Json<OrgEntry>> {
    let state = hub.state()?;
    let id = scope.org(&state, Some(&org_id))?;
    Ok(Json(org_entry(&state, id)))
}

/// The direct children of an organisation.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/children", params(("org_id" = String, Path)), responses((status = 200, body = [OrgEntry]), (status = 404, body = ErrorBody)), tag = "orgs")]
async fn children(State(hub): State<Hub>, scope: Scope, Path(org_id): Path<String>) -> ApiResult<Json<Vec<OrgEntry>>> {
    let state = hub.state()?;
    let id = scope.org(&state, Some(&org_id))?;
    Ok(Json(state.tree.children.get(&id).map(|c| c.iter().map(|c| org_entry(&state, *c)).collect()).unwrap_or_default()))
}

/// Everything the wall shows for an organisation and month, in one response.
#[utoipa::path(get, path = "/api/v1/snapshot", params(OrgMonthQuery), responses((status = 200, body = WallSnapshot), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)), tag = "wall")]
async fn snapshot(State(hub): State<Hub>, scope: Scope, Query(q): Query<OrgMonthQuery>) -> ApiResult<Response> {
    let state = hub.state()?;
    let org = scope.org(&state, q.org.as_deref())?;
    let org_id = state.tree.by_id[&org].org_id.clone();
    Ok(json_bytes(hub.snapshot_cached(Some(&org_id), q.month.as_deref()).await?.json.clone()))
}

/// A member: index by dimension, ranks, lights, indicators and the events behind every point.
#[utoipa::path(get, path = "/api/v1/members/{member_id}", params(("member_id" = String, Path), MonthQuery), responses((status = 200, body = MemberProfile), (status = 404, body = ErrorBody)), tag = "members")]
async fn member(State(hub): State<Hub>, scope: Scope, Path(member_id): Path<String>, Query(q): Query<MonthQuery>) -> ApiResult<Response> {
    let state = hub.state()?;
    let id = state.resolve_member(&member_id)?;
    let org = state.ds.members.clone().lazy().filter(col("id").eq(lit(id))).select([col("org")]).collect()?.column("org")?.i64()?.get(0).unwrap_or(0);
    scope.check(&state, org)?;
    Ok(json_bytes(hub.member_cached(&member_id, q.month.as_deref()).await?.json.clone()))
}

/// One row of the rankings.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankingRow {
    pub district_rank: i64,
    pub org_rank: i64,
    pub member_id: String,
    pub name: String,
    pub org_id: String,
    pub index: String,
    pub party_life: String,
    pub duty: String,
    pub contribution: String,
    pub morality: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Rankings {
    pub month: String,
    pub org_id: String,
    pub total: i64,
    pub rows: Vec<RankingRow>,
}

fn col_i64(df: &DataFrame, c: &str) -> PolarsResult<Vec<i64>> {
    Ok(df.column(c)?.cast(&DataType::Int64)?.i64()?.iter().map(|v| v.unwrap_or(0)).collect())
}

fn col_str(df: &DataFrame, c: &str) -> PolarsResult<Vec<String>> {
    Ok(df.column(c)?.str()?.iter().map(|v| v.unwrap_or_default().to_string()).collect())
}

fn subtree_filter(state: &HubState, org: i64) -> Expr {
    let ids: Vec<i64> = state.tree.subtree(org);
    col("org").is_in(lit(Series::new("ids".into(), ids)).implode(false), false)
}

/// The Vanguard Index so far this year, by district rank, within an organisation's subtree.
#[utoipa::path(get, path = "/api/v1/rankings", params(RankingQuery), responses((status = 200, body = Rankings)), tag = "members")]
async fn rankings(State(hub): State<Hub>, scope: Scope, Query(q): Query<RankingQuery>) -> ApiResult<Json<Rankings>> {
    let state = hub.state()?;
    let org = scope.org(&state, q.org.as_deref())?;
    let month = state.resolve_month(q.month.as_deref())?;
    let fig = state.figures(hub.rules(), hub.catalogue(), month)?;
    let names = state.ds.members.clone().lazy().select([col("id").alias("member"), col("name")]);
    let all = fig.index.clone().lazy().filter(subtree_filter(&state, org));
    let total = all.clone().select([len().alias("n")]).collect()?.column("n")?.cast(&DataType::Int64)?.i64()?.get(0).unwrap_or(0);
    let page = all
        .slice(q.offset.unwrap_or(0) as i64, q.limit.unwrap_or(50).min(1000) as u32)
        .join(names, [col("member")], [col("member")], JoinArgs::new(JoinType::Left))
        .collect()?;
    let p = |c: &str| -> PolarsResult<Vec<String>> { Ok(col_i64(&page, c)?.into_iter().map(|v| domain::Points(v).to_string()).collect()) };
    let (dr, or, mid, name, oid) = (col_i64(&page, "district_rank")?, col_i64(&page, "org_rank")?, col_str(&page, "member_id")?, col_str(&page, "name")?, col_str(&page, "org_id")?);
    let (ix, pl, du, co, mo) = (p("index")?, p("party_life")?, p("duty")?, p("contribution")?, p("morality")?);
    let rows = (0..page.height())
        .map(|i| RankingRow {
            district_rank: dr[i],
            org_rank: or[i],
            member_id: mid[i].clone(),
            name: name[i].clone(),
            org_id: oid[i].clone(),
            index: ix[i].clone(),
            party_life: pl[i].clone(),
            duty: du[i].clone(),
            contribution: co[i].clone(),
            morality: mo[i].clone(),
        })
        .collect();
    Ok(Json(Rankings { month: month.to_string(), org_id: state.tree.by_id[&org].org_id.clone(), total, rows }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberLight {
    pub member_id: String,
    pub org_id: String,
    pub dues_arrears: i64,
    pub absence: i64,
    pub dues_light: String,
    pub absence_light: String,
    pub light: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BranchLight {
    pub org_id: String,
    pub members: i64,
    pub red_members: i64,
    pub yellow_members: i64,
    pub green_members: i64,
    pub org_life_gap: i64,
    pub gap_light: String,
    pub share_light: String,
    pub light: String,
}

/// §9's word for a light code of the engine's frames (these responses carry it as text).
fn light_str(code: i64) -> String {
    domain::Light::from_code(code).as_str().into()
}

/// Member lights (§5) at the month within the subtree, by `member_id`; red and yellow only
/// unless `all=true`.
#[utoipa::path(get, path = "/api/v1/lights/members", params(OrgMonthQuery, ("all" = Option<bool>, Query)), responses((status = 200, body = [MemberLight])), tag = "lights")]
async fn member_lights(State(hub): State<Hub>, scope: Scope, Query(q): Query<OrgMonthQuery>, Query(all): Query<AllQuery>) -> ApiResult<Json<Vec<MemberLight>>> {
    let state = hub.state()?;
    let org = scope.org(&state, q.org.as_deref())?;
    let fig = state.figures(hub.rules(), hub.catalogue(), state.resolve_month(q.month.as_deref())?)?;
    let mut f = subtree_filter(&state, org);
    if !all.all.unwrap_or(false) {
        f = f.and(col("light").gt(lit(0i64)));
    }
    let df = fig.member_lights.clone().lazy().filter(f).collect()?;
    let (mid, oid, da, ab, dl, al, l) = (col_str(&df, "member_id")?, col_str(&df, "org_id")?, col_i64(&df, "dues_arrears")?, col_i64(&df, "absence")?, col_i64(&df, "dues_light")?, col_i64(&df, "absence_light")?, col_i64(&df, "light")?);
    Ok(Json((0..df.height()).map(|i| MemberLight { member_id: mid[i].clone(), org_id: oid[i].clone(), dues_arrears: da[i], absence: ab[i], dues_light: light_str(dl[i]), absence_light: light_str(al[i]), light: light_str(l[i]) }).collect()))
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
    let fig = state.figures(hub.rules(), hub.catalogue(), state.resolve_month(q.month.as_deref())?)?;
    let df = fig.branch_lights.clone().lazy().filter(subtree_filter(&state, org)).collect()?;
    let oid = col_str(&df, "org_id")?;
    let n = ["members", "red_members", "yellow_members", "green_members", "org_life_gap", "gap_light", "share_light", "light"].map(|c| col_i64(&df, c));
    let [m, r, y, g, gap, gl, sl, l] = n;
    let (m, r, y, g, gap, gl, sl, l) = (m?, r?, y?, g?, gap?, gl?, sl?, l?);
    Ok(Json(
        (0..df.height())
            .map(|i| BranchLight { org_id: oid[i].clone(), members: m[i], red_members: r[i], yellow_members: y[i], green_members: g[i], org_life_gap: gap[i], gap_light: light_str(gl[i]), share_light: light_str(sl[i]), light: light_str(l[i]) })
            .collect(),
    ))
}

/// The indicator catalogue (§7).
#[utoipa::path(get, path = "/api/v1/indicators", responses((status = 200, description = "the catalogue: version and indicators")), tag = "indicators")]
async fn catalogue(State(hub): State<Hub>) -> Json<engine::catalogue::Catalogue> {
    Json(hub.catalogue().clone())
}

/// A branch indicator for an organisation's subtree at the month.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgIndicator {
    pub id: String,
    pub zh: String,
    pub unit: String,
    pub direction: String,
    pub value: Option<f64>,
    pub text: Option<String>,
    /// Mean over the district's branches (each on its own facts).
    pub district_average: Option<f64>,
    /// The 12 months up to the month, oldest first.
    pub trend: Vec<Option<f64>>,
    pub light: String,
}

/// Every branch indicator of an organisation (its subtree's facts) with the district
/// average and the 12-month trend.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/indicators", params(("org_id" = String, Path), MonthQuery), responses((status = 200, body = [OrgIndicator])), tag = "indicators")]
async fn org_indicators(State(hub): State<Hub>, scope: Scope, Path(org_id): Path<String>, Query(q): Query<MonthQuery>) -> ApiResult<Json<Vec<OrgIndicator>>> {
    let state = hub.state()?;
    let org = scope.org(&state, Some(&org_id))?;
    let month = state.resolve_month(q.month.as_deref())?;
    let fig = state.figures(hub.rules(), hub.catalogue(), month)?;
    let rows = fig.org_indicators(hub.catalogue(), org)?;
    let mut out = vec![];
    for (ind, avg) in hub.catalogue().of(Level::Branch).zip(&fig.branch_averages) {
        let trend: Vec<Option<f64>> = rows.column(&ind.id)?.f64()?.iter().map(|v| v.filter(|x| x.is_finite())).collect();
        let value = trend.last().copied().flatten();
        out.push(OrgIndicator {
            id: ind.id.clone(),
            zh: ind.zh.clone(),
            unit: ind.unit.as_str().into(),
            direction: ind.direction.as_str().into(),
            value,
            text: value.map(|v| ind.format(v)),
            district_average: *avg,
            trend,
            light: value.map_or(domain::Light::Green, |v| ind.light(v)).as_str().into(),
        });
    }
    Ok(Json(out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Finding {
    pub org_id: String,
    pub org_name: String,
    pub indicator_id: String,
    pub indicator_zh: String,
    pub value: f64,
    pub district_average: Option<f64>,
    pub light: String,
    pub prescription: String,
    pub resources: Vec<domain::wire::ResourceRef>,
}

/// The findings of the diagnosis (§6) for the branches of a subtree at the month: each
/// indicator below the district average or over a threshold, with prescription and up to
/// three resources the branch has not used in 12 months.
#[utoipa::path(get, path = "/api/v1/findings", params(OrgMonthQuery), responses((status = 200, body = [Finding])), tag = "indicators")]
async fn findings(State(hub): State<Hub>, scope: Scope, Query(q): Query<OrgMonthQuery>) -> ApiResult<Json<Vec<Finding>>> {
    let state = hub.state()?;
    let org = scope.org(&state, q.org.as_deref())?;
    let month = state.resolve_month(q.month.as_deref())?;
    let fig = state.figures(hub.rules(), hub.catalogue(), month)?;
    let df = fig.findings.clone().lazy().filter(subtree_filter(&state, org)).sort_by_exprs([col("org"), col("indicator")], SortMultipleOptions::default()).collect()?;
    let inds: Vec<_> = hub.catalogue().of(Level::Branch).collect();
    let (orgs, ks, ls) = (col_i64(&df, "org")?, col_i64(&df, "indicator")?, col_i64(&df, "light")?);
    let vals: Vec<f64> = df.column("value")?.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
    let avgs: Vec<Option<f64>> = df.column("average")?.f64()?.iter().collect();
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let ind = inds[ks[i] as usize];
        let info = &state.tree.by_id[&orgs[i]];
        out.push(Finding {
            org_id: info.org_id.clone(),
            org_name: info.name.clone(),
            indicator_id: ind.id.clone(),
            indicator_zh: ind.zh.clone(),
            value: vals[i],
            district_average: avgs[i],
            light: light_str(ls[i]),
            prescription: ind.prescription.clone(),
            resources: engine::snapshot::recommend(&state.extras, &ind.tags, orgs[i], month)?,
        });
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResourceUse {
    /// `YYYY-MM-DD`; today when omitted.
    pub used_on: Option<String>,
}

/// Records that an organisation used a library resource (it is then not recommended to it
/// for 12 months).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/resources/{resource_id}/used", params(("org_id" = String, Path), ("resource_id" = String, Path)), request_body = ResourceUse, responses((status = 204), (status = 404, body = ErrorBody)), tag = "indicators")]
async fn resource_used(State(hub): State<Hub>, scope: Scope, Path((org_id, resource_id)): Path<(String, String)>, Json(body): Json<ResourceUse>) -> ApiResult<StatusCode> {
    let state = hub.state()?;
    scope.org(&state, Some(&org_id))?;
    let on = match body.used_on {
        Some(d) => domain::Date::parse(&d).map_err(|e| ApiError::bad(format!("used_on: {e}")))?,
        None => domain::Timestamp::parse(&engine::hub::now_local()).map_err(ApiError::bad)?.date(),
    };
    if !hub.store().record_resource_use(&org_id, &resource_id, on).await.map_err(HubError::from)? {
        return Err(HubError::NotFound(format!("organisation {org_id} or resource {resource_id}")).into());
    }
    hub.poke();
    Ok(StatusCode::NO_CONTENT)
}

/// The data version now.
#[utoipa::path(get, path = "/api/v1/version", responses((status = 200, body = VersionEvent)), tag = "wall")]
async fn version(State(hub): State<Hub>) -> Json<VersionEvent> {
    Json(hub.version_event())
}

/// Server-sent events: `version` with a [`VersionEvent`] on connect and after every data
/// change; a keep-alive comment every 15 s.
#[utoipa::path(get, path = "/api/v1/events", responses((status = 200, description = "text/event-stream of `version` events")), tag = "wall")]
async fn events(State(hub): State<Hub>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = hub.subscribe();
    let stream = futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let v = rx.borrow_and_update().clone();
        let event = Event::default().event("version").json_data(&v).unwrap_or_else(|_| Event::default().comment("unserialisable"));
        Some((Ok(event), (rx, false)))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Test-only: publish the same data as a new version (enabled by VANGUARD_DEV_ENDPOINTS=1).
async fn dev_bump(State(hub): State<Hub>) -> ApiResult<Json<VersionEvent>> {
    Ok(Json(hub.bump()?))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Vanguard 锋领指数 API", description = "District Party-building command centre: organisations, wall snapshots, members, rankings, lights, indicators and findings. Every figure is computed once per data version and served from memory."),
    paths(orgs, org, children, snapshot, member, rankings, member_lights, branch_lights, catalogue, org_indicators, findings, resource_used, version, events),
    components(schemas(OrgEntry, ErrorBody, RankingRow, Rankings, MemberLight, BranchLight, OrgIndicator, Finding, ResourceUse, WallSnapshot, MemberProfile, VersionEvent))
)]
pub struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The `/api/v1` routes, ready to merge into a router of any state.
pub fn routes<S: Clone + Send + Sync + 'static>(hub: Hub, dev_endpoints: bool) -> Router<S> {
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
        .route("/api/v1/events", get(events));
    if dev_endpoints {
        r = r.route("/api/v1/dev/bump", post(dev_bump));
    }
    r.with_state(hub)
}
