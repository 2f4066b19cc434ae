//! Every `/api/v1` route answered in-process from a hub over a small hand-worked district
//! (SQLite, and PostgreSQL when `VANGUARD_TEST_PG` is set): status, figures and scope.
//! [`ROUTES`] is checked against the OpenAPI document, so a documented route without a test
//! here fails.

#[path = "../../../store/tests/common/db.rs"]
mod common;

use super::*;
use app::auth::SCOPE_HEADER;
use axum::Router;
use axum::body::Body;
use axum::http::Request;
use engine::Rules;
use engine::catalogue::Catalogue;
use engine::columnar::ColumnarCopy;
use futures_util::StreamExt;
use serde_json::Value;
use store::import::{ImportOptions, import_dir};
use tower::ServiceExt;

/// Every documented path, with the request that exercises it below.
const ROUTES: &[&str] = &[
    "/api/v1/orgs",
    "/api/v1/orgs/{org_id}",
    "/api/v1/orgs/{org_id}/children",
    "/api/v1/orgs/{org_id}/indicators",
    "/api/v1/orgs/{org_id}/resources/{resource_id}/used",
    "/api/v1/snapshot",
    "/api/v1/members/{member_id}",
    "/api/v1/rankings",
    "/api/v1/lights/members",
    "/api/v1/lights/branches",
    "/api/v1/indicators",
    "/api/v1/findings",
    "/api/v1/version",
    "/api/v1/events",
    "/api/v1/activities",
    "/api/v1/activities/{activity_id}/checkin-code",
    "/api/v1/checkin",
    "/api/v1/accounts",
    "/api/v1/accounts/{login}/disable",
    "/api/v1/tokens",
    "/api/v1/tokens/{id}",
    "/api/v1/audit",
    "/api/v1/warnings",
    "/api/v1/warnings/{id}",
    "/api/v1/warnings/{id}/ack",
    "/api/v1/warnings/{id}/resolve",
    "/api/v1/webhooks",
    "/api/v1/webhooks/{id}",
    "/api/v1/webhooks/{id}/test",
    "/api/v1/reports",
];

/// District D → street S → branches B1 (M1, M2) and B2 (M3), January to March 2024.
/// - M1 (dues 10): attends A1 (B1, January) and pays every month: index 4 (absent once).
/// - M2 (dues 0.5): pays nothing, answers neither A1 nor A3 (B1, March): dues arrears 3
///   (red), absence 2 (yellow).
/// - M3 (no dues): attends A2 (B2, February): index 1.
/// - B1 held organisation life in March (gap 0) and has 1 red of 2 members (red);
///   B2 held none in March (gap 1, yellow) and no red member.
fn district(dir: &std::path::Path) {
    let files = [
        (
            "orgs.csv",
            "org_id,parent_id,name,kind,established_on\nD,,某区,district,2000-01-01\nS,D,某街道,street,2000-01-01\nB1,S,第一支部,branch,2001-01-01\nB2,S,第二支部,branch,2001-01-01\n",
        ),
        (
            "members.csv",
            "member_id,org_id,name,gender,birth_date,joined_on,status,category,monthly_dues\n\
             M1,B1,张三,M,1980-01-01,2000-01-01,full,employed,10\n\
             M2,B1,欧阳娜娜,F,1981-01-01,2001-01-01,full,retired,0.5\n\
             M3,B2,李四,M,1982-01-01,2002-01-01,full,employed,0\n",
        ),
        (
            "activities.csv",
            "activity_id,org_id,kind,held_at,title\n\
             A1,B1,theme_day,2024-01-10T09:00:00,主题党日\n\
             A2,B2,theme_day,2024-02-10T09:00:00,主题党日\n\
             A3,B1,party_lesson,2024-03-10T09:00:00,党课\n",
        ),
        (
            "events.csv",
            "event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\n\
             E1,M1,attend,2024-01-10T09:00:00,A1,,,checkin\n\
             E2,M1,dues,2024-01-31T10:00:00,,10,2024-01,manual\n\
             E4,M1,dues,2024-02-20T10:00:00,,10,2024-02,manual\n\
             E5,M1,dues,2024-03-20T10:00:00,,10,2024-03,manual\n\
             E3,M3,attend,2024-02-10T09:00:00,A2,,,checkin\n",
        ),
        ("resources.csv", "resource_id,kind,title,tags\nR1,lesson,如何开好组织生活会,组织生活;三会一课\nR2,video,党费收缴规范,党费\n"),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

struct Fixture {
    router: Router,
    hub: Hub,
    /// `Cookie` header values of logged-in accounts, by login.
    cookies: std::collections::HashMap<&'static str, String>,
    /// A kiosk (`viewer`) token for the street S.
    kiosk: String,
    auth: crate::auth::Auth,
    _copy: tempfile::TempDir,
}

/// The accounts of the tests: (login, role, organisation, member).
const ACCOUNTS: &[(&str, domain::Role, &str, Option<&str>)] = &[
    ("admin1", domain::Role::Admin, "D", None),
    ("officer1", domain::Role::Officer, "S", None),
    ("secretary2", domain::Role::Secretary, "B2", None),
    ("member1", domain::Role::Member, "B1", Some("M1")),
    ("member3", domain::Role::Member, "B2", Some("M3")),
];
const PASSWORD: &str = "correct horse battery";
const ADMIN: As<'static> = As::Login("admin1");

async fn fixture(store: &store::Store) -> Fixture {
    let data = tempfile::tempdir().unwrap();
    district(data.path());
    let r = import_dir(store, data.path(), &ImportOptions::default()).await.expect("import");
    assert_eq!(r.rejected, 0, "{:?}", r.rejections);
    let copy = tempfile::tempdir().unwrap();
    let hub = Hub::start(store.clone(), ColumnarCopy::open(copy.path()).unwrap(), Rules::default(), Catalogue::default());
    let t = std::time::Instant::now();
    while hub.state().is_err() {
        assert!(t.elapsed() < Duration::from_secs(60), "the hub never became ready: {}", hub.status());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let auth = crate::auth::Auth::new(store.clone());
    let ops = crate::ops::Ops::start(hub.clone(), "http://127.0.0.1:3000".into());
    let router = crate::auth::guard(routes::<()>(hub.clone(), auth.clone(), ops, false), auth.clone());
    let mut f = Fixture { router, hub: hub.clone(), cookies: Default::default(), kiosk: String::new(), auth, _copy: copy };
    for (login, role, org, member) in ACCOUNTS {
        access::add_user(store, login, *role, org, *member, PASSWORD, &access::Actor::cli()).await.expect("add user");
        f.cookies.insert(login, f.log_in(login, PASSWORD).await.expect("log in"));
    }
    f.kiosk = access::create_token(store, "S", None, Some("wall"), &access::Actor::cli()).await.expect("token").token;
    f
}

/// A credential of a request.
#[derive(Clone, Copy)]
enum As<'a> {
    Nobody,
    Login(&'a str),
    Bearer(&'a str),
}

impl Fixture {
    /// Logs in through the API: the `Cookie` header value of the session, or the status.
    async fn log_in(&self, login: &str, password: &str) -> Result<String, StatusCode> {
        let body = serde_json::json!({ "login": login, "password": password }).to_string();
        let req = Request::post("/api/v1/session").header(header::CONTENT_TYPE, "application/json").body(Body::from(body)).unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        if res.status() != StatusCode::OK {
            return Err(res.status());
        }
        let set = res.headers()[header::SET_COOKIE].to_str().unwrap().to_string();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"), "{set}");
        Ok(set.split(';').next().unwrap().to_string())
    }

    /// One request through the guarded router: (status, body as JSON, or as text in
    /// `Value::String`). Writes carry a same-origin `Origin`.
    async fn call(&self, who: As<'_>, method: &str, uri: &str, headers: &[(&str, &str)], body: Option<&str>) -> (StatusCode, Value) {
        let res = self.raw(who, method, uri, headers, body).await;
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
        let text = String::from_utf8_lossy(&bytes).to_string();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// [`Fixture::call`]'s request, answered as it is.
    async fn raw(&self, who: As<'_>, method: &str, uri: &str, headers: &[(&str, &str)], body: Option<&str>) -> Response {
        let mut req = Request::builder().method(method).uri(uri).header(header::HOST, "wall.test");
        match who {
            As::Nobody => {}
            As::Login(l) => req = req.header(header::COOKIE, self.cookies[l].as_str()),
            As::Bearer(t) => req = req.header(header::AUTHORIZATION, format!("Bearer {t}")),
        }
        if method != "GET" {
            req = req.header(header::ORIGIN, "http://wall.test");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        self.router.clone().oneshot(req).await.unwrap()
    }

    async fn get(&self, who: As<'_>, uri: &str) -> Value {
        let (status, body) = self.call(who, "GET", uri, &[], None).await;
        assert_eq!(status, StatusCode::OK, "GET {uri}: {body}");
        body
    }
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}")).iter().map(|r| r[key].as_str().unwrap().to_string()).collect()
}

/// The events of an SSE body, (name, data as JSON), read until `done` says so of all read
/// so far (at most 10 s).
async fn sse_until(body: &mut axum::body::BodyDataStream, done: impl Fn(&[(String, Value)]) -> bool) -> Vec<(String, Value)> {
    let (mut text, mut events) = (String::new(), Vec::new());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done(&events) {
        let chunk = tokio::time::timeout_at(deadline, body.next()).await.expect("the event in time").expect("the stream open").unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let field = |f: &str| block.lines().find_map(|l| l.strip_prefix(f)).map(str::trim).unwrap_or("").to_string();
            if !block.starts_with(':') {
                events.push((field("event:"), serde_json::from_str(&field("data:")).unwrap_or(Value::Null)));
            }
        }
    }
    events
}

#[test]
fn accept_encoding_is_read_as_rfc_9110_says() {
    let accepts = |v: &str| {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        accepts_gzip(&h)
    };
    for yes in ["gzip", "gzip, deflate, br, zstd", "br;q=1.0, GZIP;q=0.5", "x-gzip", "*", "identity, *;q=0.1", "deflate, gzip;q=0.001"] {
        assert!(accepts(yes), "{yes}");
    }
    for no in ["", "identity", "br, zstd", "gzip;q=0", "gzip;q=0.0, *", "*;q=0", "gzip; q=zero"] {
        assert!(!accepts(no), "{no}");
    }
    assert!(!accepts_gzip(&HeaderMap::new()));
}

#[test]
fn every_documented_route_is_tested_here() {
    let doc = ApiDoc::openapi();
    let mut documented: Vec<&str> = doc.paths.paths.keys().map(String::as_str).collect();
    documented.sort_unstable();
    let mut tested = ROUTES.to_vec();
    tested.sort_unstable();
    assert_eq!(documented, tested, "a route of the OpenAPI document without a test in api/tests.rs, or the reverse");
}

/// 200 walls fetch the snapshot of a new version at the same moment with the same kind of
/// credential: it is resolved in the store once, the other requests wait for that answer
/// instead of queueing for the store's pool (issue 11's soak p99).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_requests_with_one_cookie_resolves_it_once() {
    for db in common::backends().await {
        let f = fixture(&db.store).await;
        let label = db.label;
        for round in 0..2 {
            tokio::time::sleep(crate::auth::CACHE_TTL + Duration::from_millis(50)).await;
            let before = f.auth.lookups();
            let answers = futures_util::future::join_all((0..50).map(|_| f.call(ADMIN, "GET", "/api/v1/version", &[], None))).await;
            assert!(answers.iter().all(|(s, _)| *s == StatusCode::OK), "[{label}] round {round}: {:?}", answers.iter().map(|a| a.0).collect::<Vec<_>>());
            assert_eq!(f.auth.lookups() - before, 1, "[{label}] round {round}: one lookup for 50 requests");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_with_the_figures_of_the_contract() {
    for db in common::backends().await {
        let f = fixture(&db.store).await;
        let label = db.label;

        // The tree.
        assert_eq!(ids(&f.get(ADMIN, "/api/v1/orgs").await, "org_id"), ["D"], "[{label}]");
        let s = f.get(ADMIN, "/api/v1/orgs/S").await;
        assert_eq!(
            (s["members"].as_i64(), s["grassroots"].as_i64(), s["children"].as_i64(), s["parent_id"].as_str()),
            (Some(3), Some(2), Some(2), Some("D")),
            "[{label}] {s}"
        );
        assert_eq!(ids(&f.get(ADMIN, "/api/v1/orgs/S/children").await, "org_id"), ["B1", "B2"], "[{label}]");

        // Parameters that do not parse, or are out of their type's range, are 400 JSON with a
        // code, never axum's plain text (issue 11 item 2).
        for (method, uri, code) in [
            ("GET", "/api/v1/rankings?limit=-1", "bad_query"),
            ("GET", "/api/v1/rankings?limit=100000", "bad_request"),
            ("GET", "/api/v1/rankings?limit=0", "bad_request"),
            ("GET", "/api/v1/rankings?offset=99999999999999999999999", "bad_query"),
            ("GET", "/api/v1/warnings?limit=abc", "bad_query"),
            ("GET", "/api/v1/warnings/not-a-number", "bad_path"),
            ("GET", "/api/v1/audit?from=2024-13-45", "bad_request"),
            ("DELETE", "/api/v1/tokens/x1", "bad_path"),
        ] {
            let (status, body) = f.call(ADMIN, method, uri, &[], None).await;
            assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "[{label}] {uri}: {body}");
        }

        // The wall and a member.
        let snap = f.get(ADMIN, "/api/v1/snapshot?org=B1").await;
        assert_eq!(snap["month"], "2024-03", "[{label}] newest month");
        assert_eq!(snap["headline"]["members"], 2, "[{label}]");
        let m1 = f.get(ADMIN, "/api/v1/members/M1?month=2024-03").await;
        assert_eq!(m1["index"], "4", "[{label}] {m1}");

        // Rankings: the index so far this year, by district rank, in the subtree asked.
        let r = f.get(ADMIN, "/api/v1/rankings").await;
        assert_eq!(r["total"], 3, "[{label}]");
        assert_eq!(ids(&r["rows"], "member_id"), ["M1", "M3", "M2"], "[{label}] {r}");
        assert_eq!(
            (r["rows"][0]["index"].as_str(), r["rows"][0]["party_life"].as_str(), r["rows"][0]["name"].as_str()),
            (Some("4"), Some("4"), Some("张三")),
            "[{label}]"
        );
        let r = f.get(ADMIN, "/api/v1/rankings?org=B1&limit=1&offset=1").await;
        assert_eq!((r["total"].as_i64(), ids(&r["rows"], "member_id")), (Some(2), vec!["M2".to_string()]), "[{label}] {r}");
        assert_eq!(r["rows"][0]["org_rank"], 2, "[{label}]");

        // Lights of §5 at March.
        let l = f.get(ADMIN, "/api/v1/lights/members").await;
        assert_eq!(ids(&l, "member_id"), ["M2"], "[{label}] red and yellow only");
        assert_eq!(
            (l[0]["dues_arrears"].as_i64(), l[0]["absence"].as_i64(), l[0]["dues_light"].as_str(), l[0]["absence_light"].as_str(), l[0]["light"].as_str()),
            (Some(3), Some(2), Some("red"), Some("yellow"), Some("red")),
            "[{label}] {l}"
        );
        assert_eq!(ids(&f.get(ADMIN, "/api/v1/lights/members?all=true").await, "member_id"), ["M1", "M2", "M3"], "[{label}]");
        let b = f.get(ADMIN, "/api/v1/lights/branches?org=S&month=2024-03").await;
        assert_eq!(ids(&b, "org_id"), ["B1", "B2"], "[{label}]");
        assert_eq!((b[0]["light"].as_str(), b[0]["share_light"].as_str(), b[0]["red_members"].as_i64()), (Some("red"), Some("red"), Some(1)), "[{label}] {b}");
        assert_eq!(
            (b[1]["light"].as_str(), b[1]["org_life_gap"].as_i64(), b[1]["gap_light"].as_str()),
            (Some("yellow"), Some(1), Some("yellow")),
            "[{label}] {b}"
        );

        // Indicators and findings.
        let cat = f.get(ADMIN, "/api/v1/indicators").await;
        assert_eq!(cat["indicators"].as_array().map(Vec::len), Some(59), "[{label}]");
        let inds = f.get(ADMIN, "/api/v1/orgs/B2/indicators?month=2024-03").await;
        assert_eq!(inds.as_array().map(Vec::len), Some(26), "[{label}]");
        let gap = inds.as_array().unwrap().iter().find(|i| i["id"] == "org_life_gap").expect("org_life_gap");
        assert_eq!(gap["trend"].as_array().map(Vec::len), Some(3), "[{label}] January to March: no month before the data start");
        let findings = f.get(ADMIN, "/api/v1/findings?org=S").await;
        let orgs = ids(&findings, "org_id");
        assert!(!orgs.is_empty() && orgs.iter().all(|o| o == "B1" || o == "B2"), "[{label}] {findings}");
        let b2_gap = findings.as_array().unwrap().iter().find(|f| f["org_id"] == "B2" && f["indicator_id"] == "org_life_gap").expect("B2's gap is a finding");
        assert_eq!(b2_gap["light"], "yellow", "[{label}]");
        assert!(ids(&b2_gap["resources"], "resource_id").contains(&"R1".to_string()), "[{label}] {b2_gap}");

        // Recording resource use: R1 is then not recommended to B2.
        let (status, _) = f.call(ADMIN, "POST", "/api/v1/orgs/B2/resources/R1/used", &[], Some(r#"{"used_on":"2024-03-15"}"#)).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "[{label}]");
        let t = std::time::Instant::now();
        loop {
            let findings = f.get(ADMIN, "/api/v1/findings?org=B2").await;
            let g = findings.as_array().unwrap().iter().find(|f| f["indicator_id"] == "org_life_gap").cloned().unwrap();
            if !ids(&g["resources"], "resource_id").contains(&"R1".to_string()) {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(20), "[{label}] R1 still recommended after its use: {g}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (status, e) = f.call(ADMIN, "POST", "/api/v1/orgs/B2/resources/NOPE/used", &[], Some("{}")).await;
        assert_eq!((status, e["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "[{label}]");
        let (status, _) = f.call(ADMIN, "POST", "/api/v1/orgs/B2/resources/R1/used", &[], Some(r#"{"used_on":"2024-13-01"}"#)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{label}]");

        // The version, pushed on the event stream.
        let v = f.get(ADMIN, "/api/v1/version").await;
        assert!(v["version"].as_u64().unwrap() >= 1, "[{label}] {v}");
        let req = Request::get("/api/v1/events").header(header::COOKIE, f.cookies["admin1"].as_str()).body(Body::empty()).unwrap();
        let res = f.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream", "[{label}]");
        let mut stream = res.into_body().into_data_stream();
        let first = tokio::time::timeout(Duration::from_secs(5), stream.next()).await.expect("an event at once").unwrap().unwrap();
        let first = String::from_utf8_lossy(&first);
        assert!(first.contains("event: version") && first.contains("\"latest_month\":\"2024-03\""), "[{label}] {first}");

        // Errors are JSON with a code.
        for (uri, status, code) in [
            ("/api/v1/orgs/NOPE", StatusCode::NOT_FOUND, "not_found"),
            // An unknown member gets the answer of a forbidden one: member ids cannot be probed.
            ("/api/v1/members/NOPE", StatusCode::FORBIDDEN, "forbidden"),
            ("/api/v1/snapshot?month=2024-13", StatusCode::BAD_REQUEST, "bad_request"),
            ("/api/v1/rankings?month=2023-12", StatusCode::BAD_REQUEST, "bad_request"),
            ("/api/v1/lights/branches?org=NOPE", StatusCode::NOT_FOUND, "not_found"),
        ] {
            let (s, e) = f.call(ADMIN, "GET", uri, &[], None).await;
            assert_eq!((s, e["error"].as_str()), (status, Some(code)), "[{label}] {uri}: {e}");
        }

        // A secretary of B2: its own subtree only.
        let b2 = As::Login("secretary2");
        assert_eq!(ids(&f.get(b2, "/api/v1/orgs").await, "org_id"), ["B2"], "[{label}]");
        for uri in [
            "/api/v1/orgs/B1",
            "/api/v1/orgs/NOPE",
            "/api/v1/orgs/S/children",
            "/api/v1/snapshot?org=B1",
            "/api/v1/members/M1",
            "/api/v1/members/NOPE",
            "/api/v1/rankings?org=D",
            "/api/v1/lights/members?org=B1",
            "/api/v1/orgs/B1/indicators",
            "/api/v1/findings?org=S",
        ] {
            let (s, e) = f.call(b2, "GET", uri, &[], None).await;
            assert_eq!((s, e["error"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "[{label}] {uri}: {e}");
        }
        let r = f.get(b2, "/api/v1/rankings").await;
        assert_eq!(ids(&r["rows"], "member_id"), ["M3"], "[{label}] {r}");
        assert_eq!(ids(&f.get(b2, "/api/v1/lights/members?all=true").await, "member_id"), ["M3"], "[{label}]");
        let (s, _) = f.call(b2, "POST", "/api/v1/orgs/B1/resources/R2/used", &[], Some("{}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "[{label}]");
        // X-Vanguard-Org narrows a scope, never widens it.
        let (s, _) = f.call(b2, "GET", "/api/v1/rankings", &[(SCOPE_HEADER, "D")], None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "[{label}] widening");
        let (s, r) = f.call(As::Login("officer1"), "GET", "/api/v1/rankings", &[(SCOPE_HEADER, "B2")], None).await;
        assert_eq!((s, ids(&r["rows"], "member_id")), (StatusCode::OK, vec!["M3".to_string()]), "[{label}] narrowing {r}");
    }
}

/// A request for every documented route (with the ids of the fixture).
fn concrete(route: &str) -> (&'static str, String) {
    let uri = route
        .replace("{org_id}", "B1")
        .replace("{resource_id}", "R1")
        .replace("{member_id}", "M1")
        .replace("{activity_id}", "A1")
        .replace("{login}", "member1")
        .replace("{id}", "1");
    let post = route.ends_with("/used") || route.contains("/activities") || route.ends_with("/checkin") || route.ends_with("/disable");
    (
        if route.ends_with("{id}") {
            "DELETE"
        } else if post {
            "POST"
        } else {
            "GET"
        },
        uri,
    )
}

/// docs/RULES.md §10 through the access layer: 401 without a credential on every route, each role
/// inside and outside its scope, masking for the viewer, logout, disable and revoke cutting
/// a copied credential, the origin check, login throttling and the audit rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_applies_the_callers_scope() {
    for db in common::backends().await {
        let f = fixture(&db.store).await;
        let label = db.label;

        // Nothing but the OpenAPI document answers without a credential; the answer is JSON.
        for route in ROUTES {
            let (method, uri) = concrete(route);
            let (s, e) = f.call(As::Nobody, method, &uri, &[], (method == "POST").then_some("{}")).await;
            assert_eq!((s, e["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")), "[{label}] {method} {uri}: {e}");
        }
        assert_eq!(f.call(As::Nobody, "GET", "/api/v1/openapi.json", &[], None).await.0, StatusCode::OK, "[{label}]");
        assert_eq!(f.call(As::Nobody, "GET", "/api/v1/session", &[], None).await.0, StatusCode::UNAUTHORIZED, "[{label}]");
        let (s, e) = f.call(As::Bearer("not-a-token"), "GET", "/api/v1/rankings", &[], None).await;
        assert_eq!((s, e["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")), "[{label}]");
        // A session id is no bearer token, and a token no session cookie, even while the other
        // is in the resolved credentials' cache (kept apart by kind).
        let session_id = f.cookies["officer1"].split_once('=').unwrap().1.to_string();
        assert_eq!(f.call(As::Login("officer1"), "GET", "/api/v1/rankings", &[], None).await.0, StatusCode::OK, "[{label}]");
        assert_eq!(
            f.call(As::Bearer(&session_id), "GET", "/api/v1/rankings", &[], None).await.0,
            StatusCode::UNAUTHORIZED,
            "[{label}] a session id as a token"
        );
        assert_eq!(f.call(As::Bearer(&f.kiosk), "GET", "/api/v1/rankings", &[], None).await.0, StatusCode::OK, "[{label}]");
        let token_cookie = format!("{}={}", crate::auth::COOKIE, f.kiosk);
        let (s, _) = f.call(As::Nobody, "GET", "/api/v1/rankings", &[("cookie", &token_cookie)], None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "[{label}] a token as a session cookie");

        // Who am I.
        let me = f.get(As::Login("member1"), "/api/v1/session").await;
        assert_eq!(
            (me["login"].as_str(), me["role"].as_str(), me["org_id"].as_str(), me["member_id"].as_str()),
            (Some("member1"), Some("member"), Some("B1"), Some("M1")),
            "[{label}]"
        );

        // A member: its own profile, nothing else.
        let m = f.get(As::Login("member1"), "/api/v1/members/M1").await;
        assert_eq!(m["name"], "张三", "[{label}]");
        for uri in ["/api/v1/members/M2", "/api/v1/snapshot", "/api/v1/rankings", "/api/v1/orgs", "/api/v1/lights/members", "/api/v1/findings"] {
            assert_eq!(f.call(As::Login("member1"), "GET", uri, &[], None).await.0, StatusCode::FORBIDDEN, "[{label}] member {uri}");
        }

        // The kiosk (a viewer of S): read-only, member names masked everywhere.
        let kiosk = As::Bearer(&f.kiosk);
        let snap = f.get(kiosk, "/api/v1/snapshot?org=B1").await;
        let names: Vec<&str> = snap["members"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["张*", "欧***"], "[{label}] snapshot members");
        assert!(snap["leaderboard"].as_array().unwrap().iter().all(|r| r["name"].as_str().unwrap().chars().skip(1).all(|c| c == '*')), "[{label}] {snap}");
        assert_eq!(f.get(kiosk, "/api/v1/members/M2").await["name"], "欧***", "[{label}]");
        let r = f.get(kiosk, "/api/v1/rankings").await;
        assert!(r["rows"].as_array().unwrap().iter().all(|r| r["name"].as_str().unwrap().ends_with('*')), "[{label}] {r}");
        // The same snapshot for an officer keeps the names (the masked JSON is a copy).
        let snap = f.get(As::Login("officer1"), "/api/v1/snapshot?org=B1").await;
        assert_eq!(snap["members"][0]["name"], "张三", "[{label}]");
        // A browser accepts gzip: the same JSON, compressed once by the hub, masked for the
        // kiosk; without gzip among what is accepted, the JSON as it is.
        for (who, uri, name, other) in
            [(kiosk, "/api/v1/snapshot?org=B1", "欧***", "欧阳娜娜"), (As::Login("officer1"), "/api/v1/members/M2", "欧阳娜娜", "欧***")]
        {
            let res = f.raw(who, "GET", uri, &[("accept-encoding", "gzip, deflate, br, zstd")], None).await;
            assert_eq!(
                (res.status(), res.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap())),
                (StatusCode::OK, Some("gzip")),
                "[{label}] {uri}"
            );
            assert_eq!(res.headers()[header::VARY], "accept-encoding", "[{label}] {uri}");
            let z = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
            let mut json = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&z[..]), &mut json).unwrap();
            assert!(json.contains(name) && !json.contains(other), "[{label}] {uri}: {json}");
            let res = f.raw(who, "GET", uri, &[("accept-encoding", "gzip;q=0, identity")], None).await;
            assert!(res.headers().get(header::CONTENT_ENCODING).is_none(), "[{label}] {uri}");
            assert_eq!(axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap(), json.as_bytes(), "[{label}] {uri}");
        }
        assert_eq!(f.call(kiosk, "GET", "/api/v1/orgs/D", &[], None).await.0, StatusCode::FORBIDDEN, "[{label}] above the kiosk's street");
        assert_eq!(f.call(kiosk, "POST", "/api/v1/orgs/B1/resources/R1/used", &[], Some("{}")).await.0, StatusCode::FORBIDDEN, "[{label}] read-only");

        // A write carried by a cookie from another origin, or none, is refused.
        let req = Request::post("/api/v1/orgs/B1/resources/R1/used")
            .header(header::HOST, "wall.test")
            .header(header::ORIGIN, "http://evil.test")
            .header(header::COOKIE, f.cookies["admin1"].as_str())
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        assert_eq!(f.router.clone().oneshot(req).await.unwrap().status(), StatusCode::FORBIDDEN, "[{label}] cross-origin");
        let req = Request::post("/api/v1/orgs/B1/resources/R1/used")
            .header(header::HOST, "wall.test")
            .header(header::COOKIE, f.cookies["admin1"].as_str())
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        assert_eq!(f.router.clone().oneshot(req).await.unwrap().status(), StatusCode::FORBIDDEN, "[{label}] no origin");
        let (s, _) = f.call(ADMIN, "POST", "/api/v1/orgs/B1/resources/R1/used", &[], Some("{}")).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "[{label}] same origin");

        // Logging out ends the session on the server: a copy of the cookie stops working.
        let copy = f.log_in("officer1", PASSWORD).await.unwrap();
        let req = Request::delete("/api/v1/session")
            .header(header::HOST, "wall.test")
            .header(header::ORIGIN, "http://wall.test")
            .header(header::COOKIE, copy.as_str())
            .body(Body::empty())
            .unwrap();
        assert_eq!(f.router.clone().oneshot(req).await.unwrap().status(), StatusCode::NO_CONTENT, "[{label}] logout");
        let req = Request::get("/api/v1/rankings").header(header::COOKIE, copy.as_str()).body(Body::empty()).unwrap();
        assert_eq!(f.router.clone().oneshot(req).await.unwrap().status(), StatusCode::UNAUTHORIZED, "[{label}] after logout");
        // The officer's other session still works.
        assert_eq!(f.call(As::Login("officer1"), "GET", "/api/v1/rankings", &[], None).await.0, StatusCode::OK, "[{label}]");

        // Disabling the account (from the CLI: another process) and revoking the token cut
        // their credentials within the layer's cache time.
        access::disable_user(&db.store, "officer1", &access::Actor::cli()).await.unwrap();
        access::revoke_token(&db.store, &f.kiosk, &access::Actor::cli()).await.unwrap();
        tokio::time::sleep(crate::auth::CACHE_TTL + Duration::from_millis(50)).await;
        assert_eq!(f.call(As::Login("officer1"), "GET", "/api/v1/rankings", &[], None).await.0, StatusCode::UNAUTHORIZED, "[{label}] disabled");
        assert_eq!(f.call(kiosk, "GET", "/api/v1/rankings", &[], None).await.0, StatusCode::UNAUTHORIZED, "[{label}] revoked");
        assert_eq!(f.log_in("officer1", PASSWORD).await, Err(StatusCode::UNAUTHORIZED), "[{label}] a disabled account cannot log in");

        // Wrong password and unknown login: the same 401; after 5 failures, 429.
        assert_eq!(f.log_in("secretary2", "wrong password!").await, Err(StatusCode::UNAUTHORIZED), "[{label}]");
        assert_eq!(f.log_in("nobody-at-all", "wrong password!").await, Err(StatusCode::UNAUTHORIZED), "[{label}]");
        for _ in 0..4 {
            assert_eq!(f.log_in("secretary2", "wrong password!").await, Err(StatusCode::UNAUTHORIZED), "[{label}]");
        }
        assert_eq!(f.log_in("secretary2", PASSWORD).await, Err(StatusCode::TOO_MANY_REQUESTS), "[{label}] throttled even with the right password");

        // The audit log holds every action of this test.
        let mut out = Vec::new();
        access::export_audit(&db.store, &mut out).await.unwrap();
        let log = String::from_utf8(out).unwrap();
        assert!(log.starts_with("at,actor,role,action,target,outcome,ip\n"), "[{label}]");
        for needle in [
            ",admin1,admin,login,",
            ",member1,member,member_view,M1,ok,",
            ",token:wall,viewer,denied,",
            ",member1,member,denied,/api/v1/members/M2,denied,",
            ",officer1,officer,logout,",
            ",cli,,user_disable,officer1,ok,",
            ",nobody-at-all,,login_failed,",
            ",admin1,admin,resource_use,B1/R1,ok,",
        ] {
            assert!(log.contains(needle), "[{label}] the audit log lacks {needle:?}:\n{log}");
        }
        assert!(!log.contains(",token:wall,viewer,member_view,"), "[{label}] a viewer's profile views are not member_view");
    }
}

/// QR check-in (docs/RULES.md §10): activities made in scope, codes only around `held_at`,
/// one event per member and activity, forged and expired tokens refused, the limits, the
/// audit row, and the point on the member's profile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_check_in() {
    for db in common::backends().await {
        let f = fixture(&db.store).await;
        let label = db.label;
        let (sec, member) = (As::Login("secretary2"), As::Login("member3"));
        let now = engine::hub::now_local();
        let activity = |org: &str, held: &str| serde_json::json!({ "org_id": org, "kind": "theme_day", "held_at": held, "title": "主题党日" }).to_string();

        let (s, a) = f.call(sec, "POST", "/api/v1/activities", &[], Some(&activity("B2", &now))).await;
        assert_eq!(s, StatusCode::CREATED, "[{label}] {a}");
        let act = a["activity_id"].as_str().unwrap().to_string();
        assert_eq!(f.call(sec, "POST", "/api/v1/activities", &[], Some(&activity("B1", &now))).await.0, StatusCode::FORBIDDEN, "[{label}] outside the scope");
        assert_eq!(f.call(member, "POST", "/api/v1/activities", &[], Some(&activity("B2", &now))).await.0, StatusCode::FORBIDDEN, "[{label}] a member");
        let bad = serde_json::json!({ "org_id": "B2", "kind": "picnic", "held_at": now, "title": "x" }).to_string();
        assert_eq!(f.call(sec, "POST", "/api/v1/activities", &[], Some(&bad)).await.0, StatusCode::BAD_REQUEST, "[{label}] bad kind");

        // Codes only from 2 h before to 6 h after the activity.
        let (s, old) = f.call(sec, "POST", "/api/v1/activities", &[], Some(&activity("B2", "2024-03-01T09:00:00"))).await;
        assert_eq!(s, StatusCode::CREATED, "[{label}] {old}");
        let (s, e) = f.call(sec, "POST", &format!("/api/v1/activities/{}/checkin-code", old["activity_id"].as_str().unwrap()), &[], None).await;
        assert_eq!((s, e["error"].as_str()), (StatusCode::CONFLICT, Some("not_open")), "[{label}] {e}");
        let (s, code) = f.call(sec, "POST", &format!("/api/v1/activities/{act}/checkin-code"), &[], None).await;
        assert_eq!(s, StatusCode::OK, "[{label}] {code}");
        assert!(code["svg"].as_str().unwrap().contains("<svg") && code["url"].as_str().unwrap().starts_with("http://wall.test/c/"), "[{label}] {code}");
        let token = code["token"].as_str().unwrap().to_string();

        // The member checks in once; again is "already", never a second event.
        let body = serde_json::json!({ "token": token }).to_string();
        let (s, r) = f.call(member, "POST", "/api/v1/checkin", &[], Some(&body)).await;
        assert_eq!((s, r["points"].as_str(), r.get("already")), (StatusCode::CREATED, Some("1"), None), "[{label}] {r}");
        let event = r["event_id"].as_str().unwrap().to_string();
        let (s, r) = f.call(member, "POST", "/api/v1/checkin", &[], Some(&body)).await;
        assert_eq!((s, r["already"].as_bool(), r["event_id"].as_str()), (StatusCode::OK, Some(true), Some(event.as_str())), "[{label}] {r}");
        assert_eq!(common::scalar(&db.store, &format!("SELECT COUNT(*) FROM events WHERE event_id = '{event}'")).await, 1, "[{label}]");
        assert_eq!(f.call(sec, "POST", "/api/v1/checkin", &[], Some(&body)).await.0, StatusCode::FORBIDDEN, "[{label}] not a member");

        // The point is on the member's profile (the newest month is now this month).
        let t = std::time::Instant::now();
        loop {
            let p = f.get(ADMIN, "/api/v1/members/M3").await;
            if p["month"].as_str() == now.get(..7) && p["index"] == "1" {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(20), "[{label}] the check-in is not on the profile: {}", p["index"]);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // Forged and expired tokens.
        let mut forged = token.clone().into_bytes();
        let i = forged.len() - 5;
        forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
        let (s, e) =
            f.call(member, "POST", "/api/v1/checkin", &[], Some(&serde_json::json!({ "token": String::from_utf8(forged).unwrap() }).to_string())).await;
        assert_eq!((s, e["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_token")), "[{label}]");
        let key = access::checkin_key(&db.store).await.unwrap();
        let expired = crate::checkin::sign(&key, &act, crate::checkin::now_secs() - 61, [9; 16]);
        let (s, e) = f.call(member, "POST", "/api/v1/checkin", &[], Some(&serde_json::json!({ "token": expired }).to_string())).await;
        assert_eq!((s, e["error"].as_str()), (StatusCode::GONE, Some("expired")), "[{label}]");

        // At most 10 check-ins a minute for a member (2 so far).
        for _ in 0..8 {
            assert_eq!(f.call(member, "POST", "/api/v1/checkin", &[], Some(&body)).await.0, StatusCode::OK, "[{label}]");
        }
        assert_eq!(f.call(member, "POST", "/api/v1/checkin", &[], Some(&body)).await.0, StatusCode::TOO_MANY_REQUESTS, "[{label}] 11th");
        // 30 bad tokens from one address (2 so far): the rest of the minute is 429.
        let nonsense = serde_json::json!({ "token": "nonsense" }).to_string();
        for _ in 0..28 {
            assert_eq!(f.call(As::Login("member1"), "POST", "/api/v1/checkin", &[], Some(&nonsense)).await.0, StatusCode::BAD_REQUEST, "[{label}]");
        }
        assert_eq!(
            f.call(As::Login("member1"), "POST", "/api/v1/checkin", &[], Some(&body)).await.0,
            StatusCode::TOO_MANY_REQUESTS,
            "[{label}] 31st from one address"
        );

        let mut out = Vec::new();
        access::export_audit(&db.store, &mut out).await.unwrap();
        let log = String::from_utf8(out).unwrap();
        assert!(log.contains(&format!(",member3,member,checkin,{act},ok,")), "[{label}] {log}");
        assert!(log.contains(&format!(",secretary2,secretary,activity_create,{act} (B2),ok,")), "[{label}] {log}");
        assert_eq!(log.matches(",checkin,").count(), 1, "[{label}] one check-in, one row (an `already` changes nothing): {log}");

        // The check-in page's roll: who, of how many.
        let roll = db.store.checkin_roll(&act).await.unwrap();
        assert_eq!(roll.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect::<Vec<_>>(), [("M3", "李四")], "[{label}]");
        assert_eq!(db.store.members_of("B2").await.unwrap(), 1, "[{label}]");
    }
}

/// Accounts, kiosk tokens and the audit log through the API (the admin page's writes): only
/// an `admin`, every write audited, a disable and a revoke cutting credentials at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_routes() {
    for db in common::backends().await {
        let mut f = fixture(&db.store).await;
        let label = db.label;
        let account = |login: &str, role: &str, org: &str, member: Option<&str>, password: &str| {
            serde_json::json!({ "login": login, "password": password, "role": role, "org_id": org, "member_id": member }).to_string()
        };

        // Nobody but an admin.
        for who in [As::Login("officer1"), As::Login("secretary2"), As::Login("member1"), As::Bearer(&f.kiosk)] {
            for (method, uri) in [("GET", "/api/v1/accounts"), ("GET", "/api/v1/tokens"), ("GET", "/api/v1/audit"), ("DELETE", "/api/v1/tokens/1")] {
                assert_eq!(f.call(who, method, uri, &[], None).await.0, StatusCode::FORBIDDEN, "[{label}] {method} {uri}");
            }
            let body = account("new1", "viewer", "B1", None, PASSWORD);
            assert_eq!(f.call(who, "POST", "/api/v1/accounts", &[], Some(&body)).await.0, StatusCode::FORBIDDEN, "[{label}] add");
        }

        // Add: 201; the same login again 409; a short password, an unknown role or
        // organisation, a member account without a member: 400.
        let (s, a) = f.call(ADMIN, "POST", "/api/v1/accounts", &[], Some(&account("sec9", "secretary", "B1", None, PASSWORD))).await;
        assert_eq!((s, a["login"].as_str(), a["role"].as_str()), (StatusCode::CREATED, Some("sec9"), Some("secretary")), "[{label}] {a}");
        assert!(a.get("password_hash").is_none() && !a.to_string().contains(PASSWORD), "[{label}] {a}");
        let (s, e) = f.call(ADMIN, "POST", "/api/v1/accounts", &[], Some(&account("sec9", "secretary", "B1", None, PASSWORD))).await;
        assert_eq!((s, e["error"].as_str()), (StatusCode::CONFLICT, Some("login_taken")), "[{label}] {e}");
        for bad in [
            account("x1", "secretary", "B1", None, "short"),
            account("x2", "chief", "B1", None, PASSWORD),
            account("x3", "secretary", "B1", None, PASSWORD).replace("\"B1\"", "\"NOPE\""),
            account("x4", "member", "B1", None, PASSWORD),
        ] {
            let (s, e) = f.call(ADMIN, "POST", "/api/v1/accounts", &[], Some(&bad)).await;
            assert!(s == StatusCode::BAD_REQUEST || s == StatusCode::NOT_FOUND, "[{label}] {bad}: {s} {e}");
        }
        let cookie = f.log_in("sec9", PASSWORD).await.expect("the new account logs in");
        f.cookies.insert("sec9", cookie);
        assert_eq!(f.call(As::Login("sec9"), "GET", "/api/v1/orgs/B1", &[], None).await.0, StatusCode::OK, "[{label}]");
        let listed = f.get(ADMIN, "/api/v1/accounts").await;
        assert!(ids(&listed, "login").contains(&"sec9".to_string()), "[{label}] {listed}");

        // Disable: its session stops at once.
        let (s, a) = f.call(ADMIN, "POST", "/api/v1/accounts/sec9/disable", &[], None).await;
        assert_eq!((s, a["disabled_at"].is_string()), (StatusCode::OK, true), "[{label}] {a}");
        assert_eq!(f.call(As::Login("sec9"), "GET", "/api/v1/orgs/B1", &[], None).await.0, StatusCode::UNAUTHORIZED, "[{label}] disabled");
        assert_eq!(f.call(ADMIN, "POST", "/api/v1/accounts/nobody/disable", &[], None).await.0, StatusCode::NOT_FOUND, "[{label}]");

        // Tokens: create (shown once), list (never the secret), revoke at once.
        let (s, t) = f.call(ADMIN, "POST", "/api/v1/tokens", &[], Some(r#"{"org_id":"B2","label":"lobby","days":30}"#)).await;
        assert_eq!(s, StatusCode::CREATED, "[{label}] {t}");
        let token = t["token"].as_str().unwrap().to_string();
        assert_eq!(t["kiosk_path"].as_str(), Some(format!("/kiosk?token={token}").as_str()), "[{label}]");
        let r = f.get(As::Bearer(&token), "/api/v1/rankings").await;
        assert!(r.to_string().contains("李*") && !r.to_string().contains("李四"), "[{label}] masked: {r}");
        let listed = f.get(ADMIN, "/api/v1/tokens").await;
        assert!(!listed.to_string().contains(&token) && listed.to_string().contains("lobby"), "[{label}] {listed}");
        let id = t["id"].as_i64().unwrap();
        assert_eq!(f.call(ADMIN, "DELETE", &format!("/api/v1/tokens/{id}"), &[], None).await.0, StatusCode::NO_CONTENT, "[{label}]");
        assert_eq!(f.call(As::Bearer(&token), "GET", "/api/v1/rankings", &[], None).await.0, StatusCode::UNAUTHORIZED, "[{label}] revoked");
        assert_eq!(f.call(ADMIN, "DELETE", "/api/v1/tokens/999999", &[], None).await.0, StatusCode::NOT_FOUND, "[{label}]");
        assert_eq!(f.call(ADMIN, "POST", "/api/v1/tokens", &[], Some(r#"{"org_id":"B2","days":0}"#)).await.0, StatusCode::BAD_REQUEST, "[{label}]");

        // The audit log, filtered.
        let rows = f.get(ADMIN, "/api/v1/audit?actor=admin1&action=user_add").await;
        let rows = rows.as_array().unwrap();
        assert!(!rows.is_empty() && rows.iter().all(|r| r["actor"] == "admin1" && r["action"] == "user_add"), "[{label}] {rows:?}");
        assert!(rows[0]["target"].as_str().unwrap().starts_with("sec9"), "[{label}] {rows:?}");
        let all = f.get(ADMIN, "/api/v1/audit").await;
        for action in ["user_disable", "token_create", "token_revoke", "denied"] {
            assert!(all.as_array().unwrap().iter().any(|r| r["action"] == action), "[{label}] no {action} in {all}");
        }
        assert_eq!(f.get(ADMIN, "/api/v1/audit?from=2999-01-01").await, serde_json::json!([]), "[{label}]");
        for bad in ["/api/v1/audit?action=nonsense", "/api/v1/audit?from=yesterday"] {
            assert_eq!(f.call(ADMIN, "GET", bad, &[], None).await.0, StatusCode::BAD_REQUEST, "[{label}] {bad}");
        }
    }
}

/// The warnings of §11 raised by the server after the data arrived, read and handled within
/// each caller's scope, and the admins' webhooks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_and_webhooks() {
    for db in common::backends().await {
        let f = fixture(&db.store).await;
        let label = db.label;
        // Raised in the background once the figures are there: M2's dues (red) and absence
        // (yellow), B1's red-member share (red), B2's org-life gap (yellow), all of 2024-03.
        let t = std::time::Instant::now();
        let all = loop {
            let page = f.get(ADMIN, "/api/v1/warnings").await;
            if page["total"] == 4 {
                break page;
            }
            assert!(t.elapsed() < Duration::from_secs(20), "[{label}] warnings never raised: {page}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let keys: Vec<String> = all["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| format!("{} {} {} {}", w["subject_id"], w["reason"], w["light"], w["state"]).replace('"', ""))
            .collect();
        assert_eq!(
            keys,
            ["M2 dues red open", "B1 share red open", "M2 absence yellow open", "B2 gap yellow open"],
            "[{label}] red first, then in order of raising"
        );
        assert!(all["rows"].as_array().unwrap().iter().all(|w| w["month"] == "2024-03" && w["overdue"] == false), "[{label}] {all}");
        let m2 = all["rows"].as_array().unwrap().iter().find(|w| w["reason"] == "dues").unwrap().clone();
        assert_eq!((m2["subject_name"].as_str(), m2["reason_zh"].as_str()), (Some("欧阳娜娜"), Some("连续3个月未缴纳党费")), "[{label}]");

        // Scope: a secretary its branch, a member nothing of others, the kiosk masked names.
        let b2 = f.get(As::Login("secretary2"), "/api/v1/warnings").await;
        assert_eq!(ids(&b2["rows"], "subject_id"), ["B2"], "[{label}]");
        assert_eq!(f.get(As::Login("member1"), "/api/v1/warnings").await["total"], 0, "[{label}]");
        let kiosk = f.get(As::Bearer(&f.kiosk), "/api/v1/warnings?month=2024-03&state=open").await;
        assert_eq!(kiosk["total"], 4, "[{label}]");
        assert!(kiosk.to_string().contains("欧***") && !kiosk.to_string().contains("欧阳娜娜"), "[{label}] masked: {kiosk}");
        let one = f.get(ADMIN, &format!("/api/v1/warnings/{}", m2["warning_id"])).await;
        assert_eq!(one["subject_id"], "M2", "[{label}]");
        let b1 = all["rows"].as_array().unwrap().iter().find(|w| w["subject_id"] == "B1").unwrap()["warning_id"].as_i64().unwrap();
        let gap = b2["rows"][0]["warning_id"].as_i64().unwrap();
        assert_eq!(f.call(As::Login("secretary2"), "GET", &format!("/api/v1/warnings/{b1}"), &[], None).await.0, StatusCode::FORBIDDEN, "[{label}]");
        assert_eq!(f.call(ADMIN, "GET", "/api/v1/warnings/999999", &[], None).await.0, StatusCode::NOT_FOUND, "[{label}]");
        for bad in ["/api/v1/warnings?state=closed", "/api/v1/warnings?month=2024-13", "/api/v1/warnings?limit=0", "/api/v1/warnings?limit=5000"] {
            assert_eq!(f.call(ADMIN, "GET", bad, &[], None).await.0, StatusCode::BAD_REQUEST, "[{label}] {bad}");
        }

        // The event stream carries a handled warning to the callers in scope (§11), unless it is
        // narrowed to versions, as the pages open it: then only the version that follows.
        let open = |uri: &str| {
            let req = Request::get(uri).header(header::COOKIE, f.cookies["admin1"].as_str()).body(Body::empty()).unwrap();
            f.router.clone().oneshot(req)
        };
        let mut everything = open("/api/v1/events").await.unwrap().into_body().into_data_stream();
        let mut versions = open(app::live::EVENTS_URL).await.unwrap().into_body().into_data_stream();
        let (s, e) = f.call(ADMIN, "GET", "/api/v1/events?events=version,news", &[], None).await;
        assert_eq!((s, e["error"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")), "[{label}] {e}");

        // Handling: in scope only, by the roles that handle warnings; each change audited.
        let ack = |id: i64| format!("/api/v1/warnings/{id}/ack");
        let resolve = |id: i64| format!("/api/v1/warnings/{id}/resolve");
        assert_eq!(f.call(As::Login("secretary2"), "POST", &ack(b1), &[], None).await.0, StatusCode::FORBIDDEN, "[{label}] outside the scope");
        assert_eq!(f.call(As::Bearer(&f.kiosk), "POST", &ack(gap), &[], None).await.0, StatusCode::FORBIDDEN, "[{label}] a viewer");
        assert_eq!(f.call(As::Login("member3"), "POST", &ack(gap), &[], None).await.0, StatusCode::FORBIDDEN, "[{label}] a member");
        let (s, w) = f.call(As::Login("secretary2"), "POST", &ack(gap), &[], None).await;
        assert_eq!((s, w["state"].as_str(), w["acked_by"].as_str()), (StatusCode::OK, Some("acknowledged"), Some("secretary2")), "[{label}] {w}");
        let after = f.get(ADMIN, "/api/v1/version").await["version"].as_u64().unwrap();
        let acked = |(name, data): &(String, Value)| name == "warning" && data["warning_id"] == gap && data["state"] == "acknowledged";
        let seen = sse_until(&mut everything, |e| e.iter().any(acked)).await;
        assert!(seen.iter().any(acked), "[{label}] {seen:?}");
        let seen = sse_until(&mut versions, |e| e.iter().any(|(n, d)| n == "version" && d["version"].as_u64() >= Some(after))).await;
        assert!(seen.iter().all(|(n, _)| n == "version"), "[{label}] versions only: {seen:?}");
        let (s, e) = f.call(As::Login("secretary2"), "POST", &resolve(gap), &[], Some(r#"{"note":"   "}"#)).await;
        assert_eq!((s, e["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_input")), "[{label}] {e}");
        let (s, w) = f.call(As::Login("secretary2"), "POST", &resolve(gap), &[], Some(r#"{"note":"3月28日已补开支部委员会"}"#)).await;
        assert_eq!((s, w["state"].as_str(), w["note"].as_str()), (StatusCode::OK, Some("resolved"), Some("3月28日已补开支部委员会")), "[{label}] {w}");
        let (s, e) = f.call(As::Login("secretary2"), "POST", &ack(gap), &[], None).await;
        assert_eq!((s, e["error"].as_str()), (StatusCode::CONFLICT, Some("wrong_state")), "[{label}] {e}");
        let audit = f.get(ADMIN, "/api/v1/audit?actor=secretary2").await;
        for action in ["warning_ack", "warning_resolve"] {
            assert!(audit.as_array().unwrap().iter().any(|r| r["action"] == action && r["target"] == format!("warning:{gap}")), "[{label}] {audit}");
        }
        assert_eq!(f.get(ADMIN, "/api/v1/warnings?state=resolved").await["total"], 1, "[{label}]");

        // Webhooks: admins only; added, listed (never the secret), tested, removed.
        assert_eq!(f.call(As::Login("officer1"), "GET", "/api/v1/webhooks", &[], None).await.0, StatusCode::FORBIDDEN, "[{label}]");
        let hook = r#"{"org_id":"S","kind":"generic","url":"http://127.0.0.1:9/hook","secret":"s3cret"}"#;
        assert_eq!(f.call(As::Login("officer1"), "POST", "/api/v1/webhooks", &[], Some(hook)).await.0, StatusCode::FORBIDDEN, "[{label}]");
        let (s, id) = f.call(ADMIN, "POST", "/api/v1/webhooks", &[], Some(hook)).await;
        assert_eq!(s, StatusCode::CREATED, "[{label}] {id}");
        let id = id.as_i64().unwrap();
        for bad in [hook.replace("generic", "telegram"), hook.replace("http://127.0.0.1:9/hook", "ftp://x"), hook.replace("\"S\"", "\"NOPE\"")] {
            let (s, e) = f.call(ADMIN, "POST", "/api/v1/webhooks", &[], Some(&bad)).await;
            assert!(s == StatusCode::BAD_REQUEST || s == StatusCode::NOT_FOUND, "[{label}] {bad}: {s} {e}");
        }
        let listed = f.get(ADMIN, "/api/v1/webhooks").await;
        assert!(listed.to_string().contains("127.0.0.1:9") && !listed.to_string().contains("s3cret"), "[{label}] {listed}");
        assert_eq!(listed[0]["signed"], true, "[{label}]");
        assert_eq!(f.call(ADMIN, "POST", &format!("/api/v1/webhooks/{id}/test"), &[], None).await.0, StatusCode::ACCEPTED, "[{label}]");
        assert_eq!(f.call(ADMIN, "DELETE", &format!("/api/v1/webhooks/{id}"), &[], None).await.0, StatusCode::NO_CONTENT, "[{label}]");
        assert_eq!(f.call(ADMIN, "DELETE", &format!("/api/v1/webhooks/{id}"), &[], None).await.0, StatusCode::NOT_FOUND, "[{label}]");
        assert_eq!(f.get(ADMIN, "/api/v1/webhooks").await, serde_json::json!([]), "[{label}]");
        let audit = f.get(ADMIN, "/api/v1/audit?action=webhook_change").await;
        assert_eq!(audit.as_array().unwrap().len(), 3, "[{label}] add, test, remove: {audit}");
    }
}

/// Every registered server function and every page answers only with a credential: 401 JSON
/// for a server function, 303 to `/login?next=PATH` for a page. The server functions are
/// read from the registry, so a new one is checked without being listed here.
#[tokio::test]
async fn server_functions_and_pages_need_a_credential() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::connect(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
    let reached = || async { "reached" };
    let mut router: Router = Router::new();
    let mut paths = Vec::new();
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        router = router.route(path, axum::routing::on(axum::routing::MethodFilter::try_from(method.clone()).unwrap(), reached));
        paths.push((path, method));
    }
    for name in ["wall_snapshot", "member_profile", "data_version", "signed_in", "my_profile", "checkin_roll", "checkin_choices", "admin_data"] {
        assert!(paths.iter().any(|(p, _)| p.contains(name)), "{name} is not registered: {paths:?}");
    }
    let pages = [
        "/",
        "/org/B1",
        "/member/M1",
        "/me",
        "/checkin",
        "/checkin/A1",
        "/c/sometoken",
        "/admin",
        "/work",
        "/reports/1",
        "/reports/1.pdf",
        "/reports/branch/B1/2024-03/members.pdf",
        "/metrics",
    ];
    for page in pages {
        router = router.route(page, axum::routing::get(reached));
    }
    let router = crate::auth::guard(router, crate::auth::Auth::new(store));
    for (path, method) in &paths {
        let req = Request::builder().method(method.clone()).uri(*path).header(header::HOST, "wall.test").body(Body::empty()).unwrap();
        let res = router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    for page in pages {
        let res = router.clone().oneshot(Request::get(page).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{page}");
        let to = res.headers()[header::LOCATION].to_str().unwrap().to_string();
        assert!(to.starts_with("/login?next="), "{page} → {to}");
    }
}

/// The text of a PDF, by `pdftotext` (poppler-utils, installed by scripts/test.sh).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output().expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The monthly reports (docs/RULES.md §6/§11): generated once with their versions, frozen
/// against later data, listed and read within the caller's scope, and printed to PDFs whose
/// text holds the member's name, index and the items of the month.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monthly_reports() {
    for db in common::backends().await {
        let f = fixture(&db.store).await;
        let label = db.label;
        let march = domain::Period::parse("2024-03").unwrap();
        let g = operations::reports::generate(&f.hub, march).await.unwrap();
        assert!(g.created, "[{label}]");
        assert_eq!((g.run.member_reports, g.run.branch_reports, g.run.rules_version, g.run.catalogue_version), (3, 2, 1, 2), "[{label}] {g:?}");
        let again = operations::reports::generate(&f.hub, march).await.unwrap();
        assert!(!again.created && again.run == g.run, "[{label}] a month is generated once");
        // Secretary of B2 was told (one inbox row), as was the member M1 and M3 (their accounts).
        let (told,): (i64,) =
            store::sql::optional(&db.store, "SELECT COUNT(*) FROM outbox WHERE topic = 'reports'", store::sql::args![]).await.unwrap().unwrap();
        assert_eq!(told, 3, "[{label}] secretary2, member1, member3");

        // Lists by scope: everything for the admin, the subtree for a secretary, one's own for a
        // member, nothing for the kiosk.
        let all = f.get(ADMIN, "/api/v1/reports?month=2024-03").await;
        assert_eq!(all["total"], 5, "[{label}] {all}");
        assert_eq!(ids(&all["rows"], "subject_id"), ["B1", "B2", "M1", "M2", "M3"], "[{label}]");
        let b2 = f.get(As::Login("secretary2"), "/api/v1/reports").await;
        assert_eq!(ids(&b2["rows"], "subject_id"), ["B2", "M3"], "[{label}]");
        let own = f.get(As::Login("member1"), "/api/v1/reports").await;
        assert_eq!(ids(&own["rows"], "subject_id"), ["M1"], "[{label}]");
        assert_eq!(f.call(As::Bearer(&f.kiosk), "GET", "/api/v1/reports", &[], None).await.0, StatusCode::FORBIDDEN, "[{label}] kiosk");
        assert_eq!(f.call(ADMIN, "GET", "/api/v1/reports?month=2024-13", &[], None).await.0, StatusCode::BAD_REQUEST, "[{label}]");
        assert_eq!(f.call(As::Login("secretary2"), "GET", "/api/v1/reports?org=B1", &[], None).await.0, StatusCode::FORBIDDEN, "[{label}]");

        let id_of = |subject: &str| all["rows"].as_array().unwrap().iter().find(|r| r["subject_id"] == subject).unwrap()["id"].as_i64().unwrap();
        let (m1, m2, b1) = (id_of("M1"), id_of("M2"), id_of("B1"));
        // The member's own page: its figures; another member's and an unknown one: 403.
        let (s, page) = f.call(As::Login("member1"), "GET", &format!("/reports/{m1}"), &[], None).await;
        let page = page.as_str().unwrap_or_default().to_string();
        assert_eq!(s, StatusCode::OK, "[{label}]");
        for needle in ["锋领指数报告", "张三", "2024年3月", "规则版本 1", "指标库版本 2", "data-testid=\"report-index\">4<"] {
            assert!(page.contains(needle), "[{label}] the member page lacks {needle:?}");
        }
        assert_eq!(f.call(As::Login("member1"), "GET", &format!("/reports/{m2}"), &[], None).await.0, StatusCode::FORBIDDEN, "[{label}]");
        assert_eq!(f.call(As::Login("member1"), "GET", "/reports/999999", &[], None).await.0, StatusCode::FORBIDDEN, "[{label}] unknown = forbidden");
        assert_eq!(f.call(ADMIN, "GET", "/reports/999999", &[], None).await.0, StatusCode::NOT_FOUND, "[{label}] the admin sees the whole tree");
        assert_eq!(f.call(As::Login("secretary2"), "GET", &format!("/reports/{b1}"), &[], None).await.0, StatusCode::FORBIDDEN, "[{label}]");
        // M2's open lights say what clears them; B1's report has its 体检表 and its warnings.
        let (_, m2_page) = f.call(ADMIN, "GET", &format!("/reports/{m2}"), &[], None).await;
        assert!(m2_page.as_str().unwrap().contains("连续3个月未缴纳党费") && m2_page.as_str().unwrap().contains("补缴拖欠的3个月党费"), "[{label}] {m2_page}");
        let (_, b1_page) = f.call(ADMIN, "GET", &format!("/reports/{b1}"), &[], None).await;
        let b1_page = b1_page.as_str().unwrap().to_string();
        for needle in ["支部党建诊疗报告", "第一支部", "体检表", "党员参会率（近12个月）", "本月预警"] {
            assert!(b1_page.contains(needle), "[{label}] the branch page lacks {needle:?}");
        }

        // Later data never change a generated report.
        let before = operations::reports::get(&db.store, m1).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("events.csv"),
            "event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\nE9,M1,model_post,2024-03-25T09:00:00,,,,manual\n",
        )
        .unwrap();
        import_dir(&db.store, dir.path(), &ImportOptions::default()).await.unwrap();
        let v0 = f.hub.version_event().version;
        f.hub.poke();
        let t = std::time::Instant::now();
        while f.hub.version_event().version == v0 {
            assert!(t.elapsed() < Duration::from_secs(30), "[{label}] no new version");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_ne!(f.get(ADMIN, "/api/v1/members/M1?month=2024-03").await["index"], "4", "[{label}] the new event counts on the wall");
        assert!(!operations::reports::generate(&f.hub, march).await.unwrap().created, "[{label}]");
        let after = operations::reports::get(&db.store, m1).await.unwrap();
        assert_eq!(format!("{:?}", before.1), format!("{:?}", after.1), "[{label}] a generated report never changes");

        // PDFs (printed by headless Chromium): the member's name, index and the month's items.
        let res = f
            .router
            .clone()
            .oneshot(Request::get(format!("/reports/{m1}.pdf")).header(header::COOKIE, f.cookies["member1"].as_str()).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "[{label}]");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/pdf", "[{label}]");
        let pdf = axum::body::to_bytes(res.into_body(), 1 << 26).await.unwrap();
        let text = pdf_text(&pdf);
        for needle in ["锋领指数报告", "张三", "M1", "党费按时足额交纳"] {
            assert!(text.contains(needle), "[{label}] the PDF text lacks {needle:?}:\n{text}");
        }
        let res = f
            .router
            .clone()
            .oneshot(
                Request::get("/reports/branch/B2/2024-03/members.pdf").header(header::COOKIE, f.cookies["secretary2"].as_str()).body(Body::empty()).unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "[{label}]");
        let text = pdf_text(&axum::body::to_bytes(res.into_body(), 1 << 26).await.unwrap());
        assert!(text.contains("李四") && !text.contains("张三"), "[{label}] B2's members only:\n{text}");
        assert_eq!(f.call(As::Login("secretary2"), "GET", "/reports/branch/B1/2024-03/members.pdf", &[], None).await.0, StatusCode::FORBIDDEN, "[{label}]");
        assert_eq!(f.call(As::Login("member1"), "GET", "/reports/branch/B1/2024-03/members.pdf", &[], None).await.0, StatusCode::FORBIDDEN, "[{label}]");
    }
}

/// Two servers sharing a store: the job on the 5th runs once; before 08:00 the month before
/// that is due; a later look finds nothing to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monthly_job_runs_once_for_two_servers() {
    use domain::Timestamp;
    for db in common::backends().await {
        let f = fixture(&db.store).await;
        let label = db.label;
        let copy = tempfile::tempdir().unwrap();
        let other = Hub::start(db.store.clone(), ColumnarCopy::open(copy.path()).unwrap(), Rules::default(), Catalogue::default());
        while other.state().is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // 2024-04-05 07:59: February is due (and its data exist), not March.
        let early = Timestamp::from_parts(2024, 4, 5, 7, 59, 0);
        assert_eq!(operations::reports::due_month(early).to_string(), "2024-02", "[{label}]");
        let on_time = Timestamp::from_parts(2024, 4, 5, 8, 0, 0);
        let (a, b) = tokio::join!(operations::reports::run_due(&f.hub, on_time), operations::reports::run_due(&other, on_time));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(usize::from(a.is_some()) + usize::from(b.is_some()), 1, "[{label}] exactly one server generated: {a:?} {b:?}");
        assert_eq!(a.or(b).unwrap().month, "2024-03", "[{label}]");
        let (runs,): (i64,) = store::sql::optional(&db.store, "SELECT COUNT(*) FROM report_runs", store::sql::args![]).await.unwrap().unwrap();
        let (done,): (i64,) =
            store::sql::optional(&db.store, "SELECT COUNT(*) FROM job_runs WHERE job = 'monthly_reports' AND finished_at IS NOT NULL", store::sql::args![])
                .await
                .unwrap()
                .unwrap();
        assert_eq!((runs, done), (1, 1), "[{label}]");
        // Catch-up after downtime: a server starting on the 20th finds March done.
        assert!(operations::reports::run_due(&other, Timestamp::from_parts(2024, 4, 20, 12, 0, 0)).await.unwrap().is_none(), "[{label}]");
        // May's reports are due in June, but the data end in March: nothing yet.
        assert!(operations::reports::run_due(&f.hub, Timestamp::from_parts(2024, 6, 5, 9, 0, 0)).await.unwrap().is_none(), "[{label}]");
    }
}
