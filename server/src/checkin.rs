//! QR check-in (扫码签到, docs/RULES.md §10): a secretary creates an activity (or picks an
//! imported one) and shows a code that changes every 30 s; a member scans it and the
//! `attend` event is stored through the importer's own validation, so the wall, the member's
//! page and the trace have it within 2 s (the hub is poked at once).
//!
//! A check-in token is `base64url(len ‖ activity_id ‖ issued_at ‖ nonce ‖ mac)`: the length of
//! the activity id (one byte), the id, the issue time (seconds of local time, 8 bytes
//! big-endian), 16 random bytes, and HMAC-SHA256 over everything before it with the key the
//! server keeps in the store (`access::checkin_key`), compared in constant time. A token is
//! valid for [`TOKEN_SECONDS`]; codes are issued from [`OPEN_BEFORE`] before `held_at` to
//! [`OPEN_AFTER`] after it.
//!
//! Limits (per server process): a member checks in at most [`PER_MEMBER_PER_MINUTE`] times a
//! minute; a client address that sends [`BAD_TOKENS_PER_MINUTE`] bad tokens in a minute gets
//! 429 for the rest of that minute.

use crate::api::{ApiError, ApiResult};
use crate::extract::Path;
use app::auth::{Scope, Who};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64ct::{Base64UrlUnpadded, Encoding};
use domain::wire::{CheckinCode, CheckinRequest, CheckinResult, NewActivity, NewActivityId};
use domain::{ActivityKind, Entity, Role, Timestamp};
use engine::hub::{Hub, HubError};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::import::Recorded;

/// How long a token is valid.
pub const TOKEN_SECONDS: i64 = 60;
/// Codes are issued from this long before `held_at` …
pub const OPEN_BEFORE: i64 = 2 * 3600;
/// … to this long after it.
pub const OPEN_AFTER: i64 = 6 * 3600;
pub const PER_MEMBER_PER_MINUTE: u32 = 10;
pub const BAD_TOKENS_PER_MINUTE: u32 = 30;

/// The roles that create activities and open check-in (within their scope).
const ORGANISERS: &[Role] = &[Role::Admin, Role::Officer, Role::Secretary];

type HmacSha256 = Hmac<Sha256>;

/// Seconds of local time now.
pub(crate) fn now_secs() -> i64 {
    Timestamp::parse(&engine::hub::now_local()).map(|t| t.0 / 1_000_000).unwrap_or(0)
}

fn mac(key: &[u8; 32]) -> HmacSha256 {
    <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length")
}

/// A signed token for `activity_id` issued at `issued_at` (seconds of local time).
pub fn sign(key: &[u8; 32], activity_id: &str, issued_at: i64, nonce: [u8; 16]) -> String {
    let mut body = Vec::with_capacity(1 + activity_id.len() + 8 + 16 + 32);
    body.push(activity_id.len() as u8);
    body.extend_from_slice(activity_id.as_bytes());
    body.extend_from_slice(&issued_at.to_be_bytes());
    body.extend_from_slice(&nonce);
    let mut m = mac(key);
    m.update(&body);
    body.extend_from_slice(&m.finalize().into_bytes());
    Base64UrlUnpadded::encode_string(&body)
}

/// The activity and issue time of a token whose MAC verifies; `None` for anything else.
pub fn verify(key: &[u8; 32], token: &str) -> Option<(String, i64)> {
    let raw = Base64UrlUnpadded::decode_vec(token.trim()).ok()?;
    let len = usize::from(*raw.first()?);
    if raw.len() != 1 + len + 8 + 16 + 32 {
        return None;
    }
    let (body, tag) = raw.split_at(raw.len() - 32);
    let mut m = mac(key);
    m.update(body);
    m.verify_slice(tag).ok()?;
    let id = std::str::from_utf8(&body[1..1 + len]).ok()?.to_owned();
    let issued = i64::from_be_bytes(body[1 + len..1 + len + 8].try_into().ok()?);
    Some((id, issued))
}

/// `chk-` and 24 hex digits of SHA-256(activity ‖ "\n" ‖ member): one event per member and
/// activity, whatever the number of scans.
pub fn event_id(activity_id: &str, member_id: &str) -> String {
    let d = Sha256::digest(format!("{activity_id}\n{member_id}").as_bytes());
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    format!("chk-{}", &hex[..24])
}

/// Hits per key within the last minute (a sliding window, so no minute boundary resets a
/// burst half-way).
#[derive(Default)]
struct PerMinute(Mutex<HashMap<String, VecDeque<Instant>>>);

const MINUTE: Duration = Duration::from_secs(60);

impl PerMinute {
    fn recent<'a>(m: &'a mut HashMap<String, VecDeque<Instant>>, key: &str) -> &'a mut VecDeque<Instant> {
        let q = m.entry(key.to_owned()).or_default();
        while q.front().is_some_and(|t| t.elapsed() >= MINUTE) {
            q.pop_front();
        }
        q
    }

    /// Counts one for `key`; whether it is still within `limit` for the last minute.
    fn hit(&self, key: &str, limit: u32) -> bool {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() > 100_000 {
            m.retain(|_, q| q.back().is_some_and(|t| t.elapsed() < MINUTE));
        }
        let q = Self::recent(&mut m, key);
        if q.len() as u32 >= limit {
            return false;
        }
        q.push_back(Instant::now());
        true
    }

    /// Whether `key` has reached `limit` within the last minute.
    fn over(&self, key: &str, limit: u32) -> bool {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        Self::recent(&mut m, key).len() as u32 >= limit
    }
}

#[derive(Clone)]
pub(crate) struct Checkin {
    hub: Hub,
    /// The server's check-in key, read from the store once.
    key: Arc<tokio::sync::OnceCell<[u8; 32]>>,
    members: Arc<PerMinute>,
    bad: Arc<PerMinute>,
}

impl Checkin {
    async fn key(&self) -> ApiResult<[u8; 32]> {
        Ok(*self.key.get_or_try_init(|| access::checkin_key(self.hub.store())).await?)
    }
}

fn too_many() -> ApiError {
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", "操作过于频繁，请稍后再试")
}

/// Stores one row of `entity` through the importer's validation ([`store::import::import_one`])
/// with its audit row, in one transaction: both or neither. An existing key or a rejection
/// writes nothing (no audit row either: nothing changed).
async fn record(hub: &Hub, entity: Entity, fields: &[&str], entry: &access::AuditEntry) -> ApiResult<Recorded> {
    let mut tx = store::sql::Tx::write(hub.store()).await?;
    let recorded = store::import::import_one(&mut tx, entity, fields, "checkin").await?;
    if matches!(recorded, Recorded::Stored { .. }) {
        access::audit_in(&mut tx, entry).await?;
        tx.commit().await?;
        hub.poke();
    }
    Ok(recorded)
}

/// `POST /api/v1/activities`: a new activity of an organisation in the caller's scope.
#[utoipa::path(post, path = "/api/v1/activities", request_body = NewActivity, responses((status = 201, body = NewActivityId), (status = 400, body = domain::wire::ErrorBody), (status = 403, body = domain::wire::ErrorBody)), tag = "checkin")]
pub(crate) async fn create_activity(
    State(c): State<Checkin>,
    scope: Scope,
    ip: crate::auth::ConnectInfoOpt,
    Json(body): Json<NewActivity>,
) -> ApiResult<Response> {
    scope.require(ORGANISERS)?;
    let state = c.hub.state()?;
    scope.org(&state, Some(&body.org_id))?;
    ActivityKind::parse(&body.kind).map_err(|e| ApiError::bad(format!("kind: {e}")))?;
    let held = Timestamp::parse(&body.held_at).map_err(|e| ApiError::bad(format!("held_at: {e}")))?;
    let title = body.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(ApiError::bad("title: 1 to 200 characters".into()));
    }
    let mut nonce = [0u8; 6];
    getrandom::fill(&mut nonce).map_err(|e| ApiError::internal(format!("random: {e}")))?;
    let activity_id = format!("ACT-{}", nonce.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let held = held.to_string();
    let entry = access::AuditEntry::ok(scope.caller(), ip.0.as_deref(), access::Action::ActivityCreate, format!("{activity_id} ({})", body.org_id));
    match record(&c.hub, Entity::Activities, &[&activity_id, &body.org_id, &body.kind, &held, title], &entry).await? {
        Recorded::Stored { .. } => {}
        Recorded::Rejected(reason) => return Err(ApiError::bad(reason)),
        Recorded::Existing => return Err(ApiError::internal(format!("a new activity id {activity_id} was taken"))),
    }
    Ok((StatusCode::CREATED, Json(NewActivityId { activity_id })).into_response())
}

/// `POST /api/v1/activities/{activity_id}/checkin-code`: a code valid for 60 s, as a token,
/// its URL and that URL as a QR code (SVG).
#[utoipa::path(post, path = "/api/v1/activities/{activity_id}/checkin-code", params(("activity_id" = String, Path)), responses((status = 200, body = CheckinCode), (status = 409, body = domain::wire::ErrorBody)), tag = "checkin")]
pub(crate) async fn checkin_code(State(c): State<Checkin>, scope: Scope, headers: HeaderMap, Path(activity_id): Path<String>) -> ApiResult<Json<CheckinCode>> {
    scope.require(ORGANISERS)?;
    let activity = c.hub.store().activity(&activity_id).await.map_err(HubError::from)?.ok_or_else(|| HubError::NotFound(format!("activity {activity_id}")))?;
    scope.org(&*c.hub.state()?, Some(&activity.org_id))?;
    let now = now_secs();
    let held = activity.held_at / 1_000_000;
    if now < held - OPEN_BEFORE || now > held + OPEN_AFTER {
        return Err(ApiError::new(StatusCode::CONFLICT, "not_open", "签到码只在活动开始前2小时至开始后6小时内发放"));
    }
    let key = c.key().await?;
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(|e| ApiError::internal(format!("random: {e}")))?;
    let token = sign(&key, &activity_id, now, nonce);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:3000");
    let url = format!("http://{host}/c/{token}");
    let svg = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| ApiError::internal(format!("QR code: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .build();
    Ok(Json(CheckinCode { token, url, expires_at: Timestamp((now + TOKEN_SECONDS) * 1_000_000).to_string(), svg }))
}

/// `POST /api/v1/checkin`: a member checks in with a scanned token: 201 the first time, 200
/// `already` after, 400 `invalid_token`, 410 `expired`, 403 for a caller who is no member.
#[utoipa::path(post, path = "/api/v1/checkin", request_body = CheckinRequest, responses((status = 201, body = CheckinResult), (status = 200, body = CheckinResult), (status = 400, body = domain::wire::ErrorBody), (status = 410, body = domain::wire::ErrorBody), (status = 429, body = domain::wire::ErrorBody)), tag = "checkin")]
pub(crate) async fn checkin(State(c): State<Checkin>, who: Who, ip: crate::auth::ConnectInfoOpt, Json(body): Json<CheckinRequest>) -> ApiResult<Response> {
    let caller = who.caller();
    let Some(member_id) = caller.member_id.clone().filter(|_| caller.role == Role::Member) else {
        return Err(app::auth::Refused::Forbidden.into());
    };
    let client = ip.0.clone().unwrap_or_default();
    if c.bad.over(&client, BAD_TOKENS_PER_MINUTE) {
        return Err(too_many());
    }
    let key = c.key().await?;
    let Some((activity_id, issued)) = verify(&key, &body.token) else {
        c.bad.hit(&client, BAD_TOKENS_PER_MINUTE);
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_token", "签到码无效"));
    };
    if now_secs() - issued > TOKEN_SECONDS {
        c.bad.hit(&client, BAD_TOKENS_PER_MINUTE);
        return Err(ApiError::new(StatusCode::GONE, "expired", "签到码已过期，请重新扫码"));
    }
    if !c.members.hit(&member_id, PER_MEMBER_PER_MINUTE) {
        return Err(too_many());
    }
    let event_id = event_id(&activity_id, &member_id);
    let Some(activity) = c.hub.store().activity(&activity_id).await.map_err(HubError::from)? else {
        // Signed by this server for an activity the store no longer has.
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_token", "签到码无效"));
    };
    let answer = |status: StatusCode, points: Option<String>| {
        let already = status == StatusCode::OK;
        (status, Json(CheckinResult { event_id: event_id.clone(), activity_id: activity_id.clone(), points, already, title: activity.title.clone() }))
            .into_response()
    };
    if c.hub.store().event_exists(&event_id).await.map_err(HubError::from)? {
        return Ok(answer(StatusCode::OK, None));
    }
    let now = engine::hub::now_local();
    let entry = access::AuditEntry::ok(caller, ip.0.as_deref(), access::Action::Checkin, activity_id.clone());
    match record(&c.hub, Entity::Events, &[&event_id, &member_id, "attend", &now, &activity_id, "", "", "checkin"], &entry).await? {
        Recorded::Stored { .. } => {}
        // Two scans at once: the other one stored it.
        Recorded::Existing => return Ok(answer(StatusCode::OK, None)),
        Recorded::Rejected(reason) => return Err(ApiError::bad(reason)),
    }
    let scores = ActivityKind::parse(&activity.kind).is_ok_and(|k| k.attendance_scores());
    let points = if scores { c.hub.rules().attend } else { domain::Points(0) };
    Ok(answer(StatusCode::CREATED, Some(points.to_string())))
}

/// The check-in routes.
pub fn routes<S: Clone + Send + Sync + 'static>(hub: Hub) -> Router<S> {
    Router::new()
        .route("/api/v1/activities", post(create_activity))
        .route("/api/v1/activities/{activity_id}/checkin-code", post(checkin_code))
        .route("/api/v1/checkin", post(checkin))
        .with_state(Checkin { hub, key: Arc::default(), members: Arc::default(), bad: Arc::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_forgeries_do_not() {
        let key = [7u8; 32];
        let t = sign(&key, "ACT-1", 1_700_000_000, [1; 16]);
        assert_eq!(verify(&key, &t), Some(("ACT-1".to_string(), 1_700_000_000)));
        assert_eq!(verify(&[8u8; 32], &t), None, "another key");
        let mut raw = Base64UrlUnpadded::decode_vec(&t).unwrap();
        raw[3] ^= 1;
        assert_eq!(verify(&key, &Base64UrlUnpadded::encode_string(&raw)), None, "a flipped byte");
        assert_eq!(verify(&key, "not a token"), None);
        assert_eq!(event_id("A1", "M1"), event_id("A1", "M1"));
        assert_ne!(event_id("A1", "M1"), event_id("A1", "M2"));
        assert!(event_id("A1", "M1").starts_with("chk-") && event_id("A1", "M1").len() == 28);
    }
}
