//! The access layer (docs/RULES.md §10): one middleware in front of every route that decides who
//! is calling, and the routes that log in and out.
//!
//! - The credential is the session cookie or `Authorization: Bearer TOKEN` (a kiosk token);
//!   it is resolved through the `access` crate (sessions and tokens live in the store, so a
//!   logout, `user disable` or `token revoke` ends them for every server) and the caller put
//!   into the request as [`Who`] for the one extractor ([`app::auth`]).
//! - Without a credential only [`is_public`] routes answer: API routes and server functions
//!   get 401 JSON, pages a 303 to `/login?next=PATH`.
//! - A POST, PUT, PATCH or DELETE carried by a cookie must come from the server's own origin
//!   (`Origin`, else `Referer`), else 403: a page of another site cannot act for a logged-in
//!   user.
//! - Every 403 answered to a caller is written to the audit log as `denied`.
//!
//! Resolved credentials are kept for [`CACHE_TTL`], so a wall polling snapshots costs no
//! store query per request; a logout through this server drops its entry at once, and a
//! disable or revoke made elsewhere (the CLI) is seen within the TTL. A credential is resolved
//! once however many requests carry it at the same moment: the others wait for that answer
//! (200 walls fetching the snapshot of a new version together ask the store once, not 200
//! times through its pool — that queue was most of the soak's p99, issue 11).

use access::{AccessError, AuditEntry, Caller, Principal, SessionId};
use app::auth::Who;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::Store;

/// The session cookie.
pub const COOKIE: &str = "vanguard_session";
/// How long a resolved credential is trusted without asking the store again.
pub const CACHE_TTL: Duration = Duration::from_millis(200);
/// Entries kept at most (a flood of made-up cookies cannot grow memory).
const CACHE_MAX: usize = 10_000;
/// §10: after this many failed logins for one login or one address within [`THROTTLE_WINDOW`],
/// further attempts get 429.
pub const THROTTLE_FAILURES: i64 = 5;
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Credentials being resolved or resolved, and since when: session cookies and bearer tokens
/// apart, so a request's credential is looked up as the header carries it (no key built per
/// request; what a wall polling snapshots costs is issue 9's benchmark).
#[derive(Default)]
struct CredentialCache {
    cookies: HashMap<String, Resolution>,
    bearers: HashMap<String, Resolution>,
}

impl CredentialCache {
    fn len(&self) -> usize {
        self.cookies.len() + self.bearers.len()
    }

    fn retain_fresh(&mut self) {
        self.cookies.retain(|_, r| r.began.elapsed() < CACHE_TTL);
        self.bearers.retain(|_, r| r.began.elapsed() < CACHE_TTL);
    }

    fn clear(&mut self) {
        self.cookies.clear();
        self.bearers.clear();
    }

    /// The map of `cred`'s kind, and the key it is found by there.
    fn of<'a>(&mut self, cred: Credential<'a>) -> (&mut HashMap<String, Resolution>, &'a str) {
        match cred {
            Credential::Cookie(c) => (&mut self.cookies, c),
            Credential::Bearer(t) => (&mut self.bearers, t),
        }
    }
}

/// One resolution of a credential: the first request runs it, requests arriving while it runs
/// wait for its answer, and later ones read it until [`CACHE_TTL`] after it began. A failed
/// resolution leaves the cell empty, so the next request tries again.
struct Resolution {
    began: Instant,
    caller: Arc<tokio::sync::OnceCell<Option<Arc<Caller>>>>,
}

/// The store and the credential cache; cheap to clone.
#[derive(Clone)]
pub struct Auth {
    store: Store,
    cache: Arc<Mutex<CredentialCache>>,
    /// Credentials resolved in the store since start (what the cache saves is the rest).
    lookups: Arc<std::sync::atomic::AtomicU64>,
}

impl Auth {
    pub fn new(store: Store) -> Auth {
        Auth { store, cache: Arc::default(), lookups: Arc::default() }
    }

    /// How many times a credential was resolved in the store since start.
    #[cfg(test)]
    pub fn lookups(&self) -> u64 {
        self.lookups.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, CredentialCache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The caller a credential stands for (`None`: unknown, expired, disabled or revoked).
    async fn resolve(&self, cred: &Credential<'_>) -> Result<Option<Arc<Caller>>, AccessError> {
        let cell = {
            let mut cache = self.cache();
            let (map, key) = cache.of(*cred);
            let fresh = map.get(key).filter(|r| r.began.elapsed() < CACHE_TTL).map(|r| r.caller.clone());
            match fresh {
                Some(cell) => cell,
                None => {
                    if cache.len() >= CACHE_MAX {
                        cache.retain_fresh();
                        if cache.len() >= CACHE_MAX {
                            cache.clear();
                        }
                    }
                    let cell = Arc::new(tokio::sync::OnceCell::new());
                    cache.of(*cred).0.insert(key.to_owned(), Resolution { began: Instant::now(), caller: cell.clone() });
                    cell
                }
            }
        };
        let caller = cell
            .get_or_try_init(|| async {
                self.lookups.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok::<_, AccessError>(
                    match *cred {
                        Credential::Cookie(c) => access::session(&self.store, c).await?,
                        Credential::Bearer(t) => access::token_caller(&self.store, t).await?,
                    }
                    .map(Arc::new),
                )
            })
            .await?;
        Ok(caller.clone())
    }

    /// Forgets every resolved credential (after a logout, disable or revoke made here).
    pub fn forget(&self) {
        self.cache().clear();
    }
}

/// A request's credential, as its headers carry it.
#[derive(Clone, Copy)]
enum Credential<'a> {
    Cookie(&'a str),
    Bearer(&'a str),
}

impl<'a> Credential<'a> {
    fn from_headers(headers: &'a HeaderMap) -> Option<Credential<'a>> {
        if let Some(token) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")) {
            return Some(Credential::Bearer(token.trim()));
        }
        cookie(headers, COOKIE).map(Credential::Cookie)
    }
}

/// The value of cookie `name`, if the request carries it.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The routes that answer without a credential (§10): health, the OpenAPI document, logging
/// in (page, form and API), the kiosk link, and the site's static files.
pub fn is_public(method: &Method, path: &str) -> bool {
    needs_no_caller(path)
        || matches!(path, "/api/v1/openapi.json" | "/login" | "/kiosk")
        || (path == "/api/v1/session" && (method == Method::POST || method == Method::GET))
}

/// Requests answered with JSON (API routes and server functions) rather than pages.
fn wants_json(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The client's address, when the server was started with connection info.
fn client_ip(req_ext: &axum::http::Extensions) -> Option<String> {
    client_addr(req_ext).map(|ip| ip.to_string())
}

fn client_addr(req_ext: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    req_ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

fn error_json(status: StatusCode, error: &'static str, message: &'static str) -> Response {
    (status, Json(domain::wire::ErrorBody { error: error.into(), message: message.into() })).into_response()
}

pub fn unauthenticated() -> Response {
    error_json(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录")
}

fn internal() -> Response {
    error_json(StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务内部错误")
}

/// The answer while the store cannot say who a credential belongs to (an outage): 503 with
/// `Retry-After`, never the store's own words.
fn unavailable() -> Response {
    let mut r = error_json(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "数据库暂时无法连接，请稍后再试");
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    r
}

/// Routes that never look at the caller: health probes and the site's static files answer
/// the same to everyone, so they must not wait for the store (a probe carrying a session
/// cookie still reads 503 from `/readyz` during an outage, not an error about the cookie).
fn needs_no_caller(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/favicon.svg" | "/favicon.ico") || path.starts_with("/pkg/")
}

/// Whether a cookie-carried write comes from the server's own origin: the host of `Origin`
/// (else of `Referer`) equals the request's `Host`.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else { return false };
    let from = headers.get(header::ORIGIN).or_else(|| headers.get(header::REFERER)).and_then(|v| v.to_str().ok());
    let Some(from) = from else { return false };
    let rest = from.split_once("://").map_or(from, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.eq_ignore_ascii_case(host)
}

/// The middleware: resolves the caller, refuses what needs one, checks the origin of
/// cookie-carried writes, and logs every 403 answered to a caller.
///
/// What it does for every request is kept small (no string built unless a request is refused):
/// its cost is what separates a snapshot from `/healthz` in `scripts/bench-api.sh`.
pub async fn layer(State(auth): State<Auth>, mut req: Request, next: Next) -> Response {
    // A parsed URI shares the request's bytes: cloning it copies no text.
    let (method, uri) = (req.method().clone(), req.uri().clone());
    let path = uri.path();
    let cred = if needs_no_caller(path) { None } else { Credential::from_headers(req.headers()) };
    let by_cookie = matches!(cred, Some(Credential::Cookie(_)));
    let caller = match &cred {
        Some(c) => match auth.resolve(c).await {
            Ok(caller) => caller,
            // A public route still answers (as to nobody); any other waits for the store.
            Err(e) if is_public(&method, path) => {
                tracing::warn!(error = %e, %path, "resolving a credential failed; answering as to nobody");
                None
            }
            Err(e) => {
                tracing::error!(error = %e, source = ?std::error::Error::source(&e), "resolving a credential failed");
                return unavailable();
            }
        },
        None => None,
    };
    let ip = client_addr(req.extensions());
    let cookie_write = by_cookie && !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    if cookie_write && !same_origin(req.headers()) {
        if let Some(c) = &caller {
            deny(&auth, c, ip, path).await;
        }
        return error_json(StatusCode::FORBIDDEN, "cross_origin", "跨站请求已被拒绝");
    }
    match &caller {
        Some(c) => {
            req.extensions_mut().insert(Who(c.clone()));
        }
        None if is_public(&method, path) => {}
        None if wants_json(path) => return unauthenticated(),
        None => {
            let next_path = req.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned();
            return Redirect::to(&format!("/login?next={}", urlencode(&next_path))).into_response();
        }
    }
    let mut res = next.run(req).await;
    if let Some(c) = &caller {
        if res.status() == StatusCode::FORBIDDEN {
            deny(&auth, c, ip, path).await;
        }
        res.extensions_mut().insert(crate::metrics::LoggedCaller(c.clone()));
    }
    res
}

/// One `denied` row for a refused request.
async fn deny(auth: &Auth, caller: &Caller, ip: Option<std::net::IpAddr>, path: &str) {
    let ip = ip.map(|ip| ip.to_string());
    if let Err(e) = access::audit(&auth.store, &AuditEntry::denied(caller, ip.as_deref(), path)).await {
        tracing::error!(error = %e, "writing a denied row to the audit log failed");
    }
}

/// Percent-encodes a path for a query parameter.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `next` when it is a path of this site (never another site: an open redirect), else `/`.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// The `Set-Cookie` value of a new session (`Secure` behind https, as a proxy says with
/// `X-Forwarded-Proto`).
fn session_cookie(id: &SessionId, headers: &HeaderMap, max_age: Duration) -> HeaderValue {
    let secure = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let v = format!("{COOKIE}={}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}{}", id.as_str(), max_age.as_secs(), if secure { "; Secure" } else { "" });
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("vanguard_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
}

/// `POST /api/v1/session` and the login form's body.
#[derive(Debug, Deserialize)]
pub struct LoginBody {
    pub login: String,
    pub password: String,
    #[serde(default)]
    pub next: Option<String>,
}

/// Who the caller is: `GET /api/v1/session` and the answer of a login.
#[derive(Debug, Serialize)]
pub struct SessionInfo {
    pub login: String,
    pub role: domain::Role,
    pub org_id: String,
    pub member_id: Option<String>,
}

impl From<&Caller> for SessionInfo {
    fn from(c: &Caller) -> Self {
        SessionInfo { login: c.login.clone(), role: c.role, org_id: c.org_id.clone(), member_id: c.member_id.clone() }
    }
}

enum LoginFailed {
    Throttled,
    Invalid,
    Internal,
}

/// Checks the throttle of §10, the password, and starts a session.
async fn log_in(auth: &Auth, body: &LoginBody, ip: Option<&str>) -> Result<(SessionInfo, SessionId), LoginFailed> {
    let internal = |e: AccessError| {
        tracing::error!(error = %e, source = ?std::error::Error::source(&e), "login");
        LoginFailed::Internal
    };
    let failures = access::login_failures(&auth.store, &body.login, ip, THROTTLE_WINDOW).await.map_err(internal)?;
    if failures.by_login >= THROTTLE_FAILURES || failures.by_ip >= THROTTLE_FAILURES {
        return Err(LoginFailed::Throttled);
    }
    let account = match access::verify_login(&auth.store, &body.login, &body.password, ip).await {
        Ok(a) => a,
        Err(AccessError::InvalidCredentials | AccessError::BadLogin | AccessError::LongPassword) => return Err(LoginFailed::Invalid),
        Err(e) => return Err(internal(e)),
    };
    let id = access::create_session(&auth.store, Principal::Account(account.id)).await.map_err(|e| match e {
        AccessError::InvalidCredentials => LoginFailed::Invalid,
        e => internal(e),
    })?;
    Ok((SessionInfo { login: account.login, role: account.role, org_id: account.org_id, member_id: account.member_id }, id))
}

fn login_failed(f: LoginFailed) -> Response {
    match f {
        LoginFailed::Throttled => {
            let mut r = error_json(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", "登录失败次数过多，请15分钟后再试");
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(THROTTLE_WINDOW.as_secs()));
            r
        }
        LoginFailed::Invalid => error_json(StatusCode::UNAUTHORIZED, "invalid_credentials", "用户名或密码错误"),
        LoginFailed::Internal => internal(),
    }
}

/// `POST /api/v1/session`: logs in; 200 with who, and the session cookie.
async fn create(State(auth): State<Auth>, req: Request) -> Response {
    let ip = client_ip(req.extensions());
    let headers = req.headers().clone();
    let body = match axum::body::to_bytes(req.into_body(), 16 * 1024).await {
        Ok(b) => b,
        Err(_) => return error_json(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "请求体过大"),
    };
    let Ok(body) = serde_json::from_slice::<LoginBody>(&body) else {
        return error_json(StatusCode::BAD_REQUEST, "bad_request", "需要 JSON：{\"login\",\"password\"}");
    };
    match log_in(&auth, &body, ip.as_deref()).await {
        Ok((info, id)) => ([(header::SET_COOKIE, session_cookie(&id, &headers, access::sessions::ACCOUNT_IDLE))], Json(info)).into_response(),
        Err(f) => login_failed(f),
    }
}

/// `GET /api/v1/session`: who the caller is, or 401.
async fn current(who: Option<Who>) -> Response {
    match who {
        Some(w) => Json(SessionInfo::from(w.caller())).into_response(),
        None => unauthenticated(),
    }
}

/// Ends the caller's session (a copied cookie stops working too).
async fn end(auth: &Auth, who: &Who, ip: Option<&str>) -> Result<(), Response> {
    if let Some(hash) = &who.caller().session {
        access::end_session_by_hash(&auth.store, hash, ip).await.map_err(|e| {
            tracing::error!(error = %e, "logout");
            internal()
        })?;
    }
    auth.forget();
    Ok(())
}

/// `DELETE /api/v1/session`: logs out; 204.
async fn delete(State(auth): State<Auth>, who: Who, req: Request) -> Response {
    let ip = client_ip(req.extensions());
    match end(&auth, &who, ip.as_deref()).await {
        Ok(()) => (StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear_cookie())]).into_response(),
        Err(r) => r,
    }
}

/// `POST /logout` (the header's button): logs out and goes to the login page.
async fn logout_form(State(auth): State<Auth>, who: Who, req: Request) -> Response {
    let ip = client_ip(req.extensions());
    match end(&auth, &who, ip.as_deref()).await {
        Ok(()) => ([(header::SET_COOKIE, clear_cookie())], Redirect::to("/login")).into_response(),
        Err(r) => r,
    }
}

/// `POST /login` (the login page's form): 303 to `next`, or back to the form with the reason.
async fn login_form(State(auth): State<Auth>, ConnectInfoOpt(ip): ConnectInfoOpt, headers: HeaderMap, Form(body): Form<LoginBody>) -> Response {
    let next = safe_next(body.next.as_deref());
    match log_in(&auth, &body, ip.as_deref()).await {
        Ok((info, id)) => {
            // A member has no wall: its home is its own page.
            let next = if next == "/" && info.role == domain::Role::Member { "/me".to_owned() } else { next };
            ([(header::SET_COOKIE, session_cookie(&id, &headers, access::sessions::ACCOUNT_IDLE))], Redirect::to(&next)).into_response()
        }
        Err(f) => {
            let reason = match f {
                LoginFailed::Throttled => "throttled",
                LoginFailed::Invalid => "invalid",
                LoginFailed::Internal => "internal",
            };
            Redirect::to(&format!("/login?error={reason}&next={}", urlencode(&next))).into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
struct KioskQuery {
    token: Option<String>,
}

/// `GET /kiosk?token=TOKEN`: the wall's display opens this once; the token becomes a session
/// cookie and the display goes to the wall (303 to `/`).
async fn kiosk(State(auth): State<Auth>, headers: HeaderMap, Query(q): Query<KioskQuery>) -> Response {
    let Some(token) = q.token.filter(|t| !t.is_empty()) else { return Redirect::to("/login?error=token").into_response() };
    let caller = match access::token_caller(&auth.store, &token).await {
        Ok(Some(c)) => c,
        Ok(None) => return Redirect::to("/login?error=token").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "kiosk token");
            return internal();
        }
    };
    match access::create_session(&auth.store, caller.principal).await {
        Ok(id) => ([(header::SET_COOKIE, session_cookie(&id, &headers, access::sessions::TOKEN_IDLE))], Redirect::to("/")).into_response(),
        Err(AccessError::InvalidCredentials) => Redirect::to("/login?error=token").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "kiosk session");
            internal()
        }
    }
}

/// The client address when the server runs with connection info (tests call the router
/// without it).
pub struct ConnectInfoOpt(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ConnectInfoOpt {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ConnectInfoOpt(client_ip(&parts.extensions)))
    }
}

/// `router` with the session routes and behind the access layer: what the server serves
/// (and what the tests call).
pub fn guard<S: Clone + Send + Sync + 'static>(router: Router<S>, auth: Auth) -> Router<S> {
    router.merge(routes(auth.clone())).layer(axum::middleware::from_fn_with_state(auth, layer))
}

/// The session routes and the kiosk link.
pub fn routes<S: Clone + Send + Sync + 'static>(auth: Auth) -> Router<S> {
    Router::new()
        .route("/api/v1/session", post(create).get(current).delete(delete))
        .route("/login", get(crate::login_page::page).post(login_form))
        .route("/logout", post(logout_form))
        .route("/kiosk", get(kiosk))
        .with_state(auth)
}
