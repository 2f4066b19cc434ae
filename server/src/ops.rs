//! The operations loop inside `serve` (docs/RULES.md §11): warnings raised after every new
//! data version, the delivery worker, the live `warning` event, and the routes of warnings
//! and webhooks. The rules themselves live in the `operations` crate; this module checks the
//! caller's scope (the one extractor, [`Scope`]) and masks names for a `viewer`.

use std::time::Duration;

use crate::api::{ApiError, ApiResult};
use crate::auth::ConnectInfoOpt;
use crate::extract::{Path, Query};
use access::{Action, AuditEntry};
use app::auth::{Refused, Scope, WarningScope};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::wire::{NewWebhook, ResolveWarning, WarningPage, WarningView, WebhookView};
use domain::{Masked, Role};
use engine::hub::{Hub, State as HubState};
use operations::outbox::Topic;
use operations::{OpsError, WarningFilter, WarningRow, Worker};
use serde::Deserialize;
use tokio::sync::broadcast;
use utoipa::IntoParams;

/// The roles that handle warnings (§11: a secretary, officer or admin in scope).
pub const HANDLE_WARNINGS: &[Role] = &[Role::Admin, Role::Officer, Role::Secretary];
/// Live `warning` events sent for one raise at most; a wall refetches its feed on any, so a
/// burst (the first raise of a district) needs only a few.
const EVENTS_PER_RAISE: usize = 100;
/// How long after a new version its warnings are raised. Every wall fetches the version's
/// snapshot as soon as it is told of it — hundreds of requests within some tens of
/// milliseconds — and computing the lights and writing the warnings at that same moment
/// held that burst back by as long as they took (issue 11's soak: p99 131 ms with the
/// server answering each in under 10 ms). Well inside §11's 5 s for a warning to arrive.
const RAISE_AFTER: Duration = Duration::from_millis(300);

/// What the operations routes and tasks share.
#[derive(Clone)]
pub struct Ops {
    pub hub: Hub,
    pub worker: Worker,
    /// Each changed warning, for the SSE streams (which keep those in their caller's scope).
    pub events: broadcast::Sender<WarningView>,
}

impl From<OpsError> for ApiError {
    fn from(e: OpsError) -> Self {
        match StatusCode::from_u16(e.status()) {
            Ok(status) if status != StatusCode::INTERNAL_SERVER_ERROR => ApiError::new(status, e.code(), &e.to_string()),
            _ => ApiError::internal(format!("operations: {e}: {:?}", std::error::Error::source(&e))),
        }
    }
}

impl Ops {
    /// Starts the raise task and the delivery worker. `public_url` is the server's address as
    /// people reach it (links in messages): `VANGUARD_PUBLIC_URL`, else `http://ADDR`.
    pub fn start(hub: Hub, public_url: String) -> Ops {
        let worker = match Worker::new(hub.store().clone(), public_url) {
            Ok(w) => w,
            Err(e) => panic!("the webhook client cannot be built: {e}"),
        };
        let (events, _) = broadcast::channel(1024);
        let ops = Ops { hub, worker, events };
        tokio::spawn(ops.worker.clone().run());
        tokio::spawn(ops.clone().raise_on_versions());
        ops
    }

    /// After every new data version, raises the warnings of the newest month (§11); a failed
    /// raise is tried again every 5 s until it succeeds or a newer version supersedes it.
    async fn raise_on_versions(self) {
        let mut rx = self.hub.subscribe();
        let mut done = 0;
        loop {
            let mut version = rx.borrow_and_update().version;
            if version != done && self.hub.state().is_ok() {
                tokio::time::sleep(RAISE_AFTER).await;
                // Versions published meanwhile are raised together (raise_now reads the newest).
                version = rx.borrow_and_update().version;
                match self.raise_now().await {
                    Ok(()) => done = version,
                    Err(e) => {
                        tracing::warn!(error = %e, source = ?std::error::Error::source(&e), "raising warnings failed; retrying in 5 s");
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        continue;
                    }
                }
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    }

    async fn raise_now(&self) -> Result<(), OpsError> {
        let Ok(state) = self.hub.state() else { return Ok(()) };
        let hub = self.hub.clone();
        let lights = tokio::task::spawn_blocking(move || -> Result<operations::Lights, OpsError> {
            let Some(base) = state.base.as_ref() else { return Ok(operations::Lights::default()) };
            let fig = state.figures(hub.rules(), hub.catalogue(), base.latest).map_err(|e| OpsError::Engine(engine::EngineError::Internal(e.to_string())))?;
            Ok(operations::lit::from_frames(&state.ds, &state.tree, base.latest, &fig.member_lights, &fig.branch_lights)?)
        })
        .await
        .map_err(|e| OpsError::Engine(engine::EngineError::Internal(format!("lights task: {e}"))))??;
        let raised = operations::raise(self.hub.store(), &lights).await?;
        if raised.is_empty() {
            return Ok(());
        }
        tracing::info!(
            month = ?lights.month.map(|m| m.to_string()),
            raised = raised.raised,
            escalated = raised.escalated,
            reopened = raised.reopened,
            cleared = raised.cleared,
            messages = raised.messages,
            "warnings raised"
        );
        if raised.messages > 0 {
            self.worker.wake();
        }
        for id in raised.changed.iter().take(EVENTS_PER_RAISE) {
            let _ = self.events.send(operations::warnings::get(self.hub.store(), *id).await?.view(access::clock::now()));
        }
        self.republish().await;
        Ok(())
    }

    /// A warning changed: tells the SSE streams in its scope, and publishes the figures again
    /// as a new version, so that every wall refetches its feed of warnings in place.
    async fn announce(&self, row: &WarningRow) {
        // No subscriber is no error.
        let _ = self.events.send(row.view(access::clock::now()));
        self.republish().await;
    }

    async fn republish(&self) {
        if let Err(e) = self.hub.bump().await {
            tracing::warn!(error = %e, "publishing the changed warnings failed");
        }
    }
}

/// Whether `scope`'s caller may read a warning about `subject_id` of organisation `org_id`.
pub fn sees(scope: &Scope, state: &HubState, kind: &str, subject_id: &str, org_id: &str) -> Result<bool, Refused> {
    Ok(scope.warnings(state, None)?.sees(state, kind, subject_id, org_id))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct WarningQuery {
    /// Organisation id: its subtree (the caller's scope when omitted).
    pub org: Option<String>,
    /// `open`, `acknowledged`, `resolved` or `cleared`.
    pub state: Option<String>,
    /// `YYYY-MM`; every month when omitted.
    pub month: Option<String>,
    /// Rows to return (default 50, at most 1000).
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// `GET /api/v1/warnings`: the warnings in the caller's scope (a member: its own), active
/// first, red before yellow, the longest waiting on top.
#[utoipa::path(get, path = "/api/v1/warnings", params(WarningQuery), responses((status = 200, body = WarningPage), (status = 400, body = domain::wire::ErrorBody)), tag = "warnings")]
pub(crate) async fn list(State(ops): State<Ops>, scope: Scope, Query(q): Query<WarningQuery>) -> ApiResult<Json<WarningPage>> {
    let state = ops.hub.state()?;
    let mut filter = WarningFilter::parse(q.month.as_deref(), q.state.as_deref())?;
    let limit = q.limit.unwrap_or(50);
    if limit == 0 || limit > 1000 {
        return Err(ApiError::bad("limit: 1 to 1000".into()));
    }
    let within = scope.warnings(&state, q.org.as_deref())?;
    if let WarningScope::Own(m) = &within {
        filter.member_id = Some(m.clone());
    }
    let rows: Vec<WarningRow> = operations::warnings::list(ops.hub.store(), &filter)
        .await?
        .into_iter()
        .filter(|w| within.sees(&state, &w.subject_kind, &w.subject_id, &w.org_id))
        .collect();
    let page = operations::warnings::page(&rows, q.offset.unwrap_or(0), limit, state.version, access::clock::now());
    Ok(Json(if scope.masked() { page.masked() } else { page }))
}

/// A warning the caller may read, or 404 / 403.
async fn readable(ops: &Ops, scope: &Scope, id: i64) -> ApiResult<WarningRow> {
    let row = operations::warnings::get(ops.hub.store(), id).await?;
    if !sees(scope, &*ops.hub.state()?, &row.subject_kind, &row.subject_id, &row.org_id)? {
        return Err(Refused::Forbidden.into());
    }
    Ok(row)
}

fn view_for(scope: &Scope, row: &WarningRow) -> WarningView {
    let v = row.view(access::clock::now());
    if scope.masked() { v.masked() } else { v }
}

/// `GET /api/v1/warnings/{id}`.
#[utoipa::path(get, path = "/api/v1/warnings/{id}", params(("id" = i64, Path)), responses((status = 200, body = WarningView), (status = 403, body = domain::wire::ErrorBody), (status = 404, body = domain::wire::ErrorBody)), tag = "warnings")]
pub(crate) async fn one(State(ops): State<Ops>, scope: Scope, Path(id): Path<i64>) -> ApiResult<Json<WarningView>> {
    Ok(Json(view_for(&scope, &readable(&ops, &scope, id).await?)))
}

/// `POST /api/v1/warnings/{id}/ack`: open → acknowledged (again: no change), audited.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/ack", params(("id" = i64, Path)), responses((status = 200, body = WarningView), (status = 403, body = domain::wire::ErrorBody), (status = 409, body = domain::wire::ErrorBody)), tag = "warnings")]
pub(crate) async fn ack(State(ops): State<Ops>, scope: Scope, ConnectInfoOpt(ip): ConnectInfoOpt, Path(id): Path<i64>) -> ApiResult<Json<WarningView>> {
    scope.require(HANDLE_WARNINGS)?;
    readable(&ops, &scope, id).await?;
    let entry = AuditEntry::ok(scope.caller(), ip.as_deref(), Action::WarningAck, format!("warning:{id}"));
    let row = operations::warnings::acknowledge(ops.hub.store(), id, &entry).await?;
    ops.announce(&row).await;
    Ok(Json(view_for(&scope, &row)))
}

/// `POST /api/v1/warnings/{id}/resolve` `{"note"}`: open or acknowledged → resolved, audited.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/resolve", params(("id" = i64, Path)), request_body = ResolveWarning, responses((status = 200, body = WarningView), (status = 400, body = domain::wire::ErrorBody), (status = 403, body = domain::wire::ErrorBody), (status = 409, body = domain::wire::ErrorBody)), tag = "warnings")]
pub(crate) async fn resolve(
    State(ops): State<Ops>,
    scope: Scope,
    ConnectInfoOpt(ip): ConnectInfoOpt,
    Path(id): Path<i64>,
    Json(body): Json<ResolveWarning>,
) -> ApiResult<Json<WarningView>> {
    scope.require(HANDLE_WARNINGS)?;
    readable(&ops, &scope, id).await?;
    let entry = AuditEntry::ok(scope.caller(), ip.as_deref(), Action::WarningResolve, format!("warning:{id}"));
    let row = operations::warnings::resolve(ops.hub.store(), id, &body.note, &entry).await?;
    ops.announce(&row).await;
    Ok(Json(view_for(&scope, &row)))
}

/// An `admin`, and the organisation it names inside its scope.
fn admin_in(ops: &Ops, scope: &Scope, org_id: Option<&str>) -> ApiResult<()> {
    scope.require(&[Role::Admin])?;
    scope.org(&*ops.hub.state()?, org_id)?;
    Ok(())
}

/// `GET /api/v1/webhooks` (admin): the webhooks with their pending, delivered and failed
/// message counts.
#[utoipa::path(get, path = "/api/v1/webhooks", responses((status = 200, body = Vec<WebhookView>), (status = 403, body = domain::wire::ErrorBody)), tag = "admin")]
pub(crate) async fn webhooks(State(ops): State<Ops>, scope: Scope) -> ApiResult<Json<Vec<WebhookView>>> {
    admin_in(&ops, &scope, None)?;
    let state = ops.hub.state()?;
    let root = scope.root(&state)?;
    let inside = |org: &str| state.tree.by_org_id.get(org).is_some_and(|&o| state.tree.is_within(root, o));
    Ok(Json(operations::webhooks::list(ops.hub.store()).await?.into_iter().filter(|w| inside(&w.org_id)).collect()))
}

/// `POST /api/v1/webhooks` (admin): adds a webhook (as `vanguard webhook add`).
#[utoipa::path(post, path = "/api/v1/webhooks", request_body = NewWebhook, responses((status = 201, body = i64), (status = 400, body = domain::wire::ErrorBody)), tag = "admin")]
pub(crate) async fn add_webhook(
    State(ops): State<Ops>,
    scope: Scope,
    ConnectInfoOpt(ip): ConnectInfoOpt,
    Json(body): Json<NewWebhook>,
) -> ApiResult<(StatusCode, Json<i64>)> {
    admin_in(&ops, &scope, Some(&body.org_id))?;
    let caller = scope.caller().clone();
    let id = operations::webhooks::add(ops.hub.store(), &body, |id| AuditEntry::ok(&caller, ip.as_deref(), Action::WebhookChange, format!("webhook:{id} add")))
        .await?;
    Ok((StatusCode::CREATED, Json(id)))
}

/// A webhook of the admin's scope.
async fn admin_hook(ops: &Ops, scope: &Scope, id: i64) -> ApiResult<operations::webhooks::Webhook> {
    let hook = operations::webhooks::get(ops.hub.store(), id).await?;
    admin_in(ops, scope, Some(&hook.org_id))?;
    Ok(hook)
}

/// `DELETE /api/v1/webhooks/{id}` (admin): stops using it; its waiting messages fail.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = domain::wire::ErrorBody)), tag = "admin")]
pub(crate) async fn remove_webhook(State(ops): State<Ops>, scope: Scope, ConnectInfoOpt(ip): ConnectInfoOpt, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    admin_hook(&ops, &scope, id).await?;
    let entry = AuditEntry::ok(scope.caller(), ip.as_deref(), Action::WebhookChange, format!("webhook:{id} remove"));
    operations::webhooks::remove(ops.hub.store(), id, &entry).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/webhooks/{id}/test` (admin): queues a test message; the page then shows
/// whether it was delivered.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", params(("id" = i64, Path)), responses((status = 202), (status = 404, body = domain::wire::ErrorBody)), tag = "admin")]
pub(crate) async fn test_webhook(State(ops): State<Ops>, scope: Scope, ConnectInfoOpt(ip): ConnectInfoOpt, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    admin_hook(&ops, &scope, id).await?;
    let mut tx = store::sql::Tx::write(ops.hub.store()).await?;
    let now = access::clock::now().0;
    let line = format!("这是一条来自锋领指数指挥中心的测试消息（{}）", operations::warnings::at(now));
    operations::outbox::insert_webhook(&mut tx, Topic::Test, None, &line, id, now).await?;
    access::audit_in(&mut tx, &AuditEntry::ok(scope.caller(), ip.as_deref(), Action::WebhookChange, format!("webhook:{id} test"))).await?;
    tx.commit().await?;
    ops.worker.wake();
    Ok(StatusCode::ACCEPTED)
}

/// The routes of warnings and webhooks.
pub fn routes<S: Clone + Send + Sync + 'static>(ops: Ops) -> Router<S> {
    Router::new()
        .route("/api/v1/warnings", get(list))
        .route("/api/v1/warnings/{id}", get(one))
        .route("/api/v1/warnings/{id}/ack", post(ack))
        .route("/api/v1/warnings/{id}/resolve", post(resolve))
        .route("/api/v1/webhooks", get(webhooks).post(add_webhook))
        .route("/api/v1/webhooks/{id}", axum::routing::delete(remove_webhook))
        .route("/api/v1/webhooks/{id}/test", post(test_webhook))
        .with_state(ops)
}
