//! Every `/api/v1` route answered in-process from a hub over a small hand-worked district
//! (SQLite, and PostgreSQL when `VANGUARD_TEST_PG` is set): status, figures and scope.
//! [`ROUTES`] is checked against the OpenAPI document, so a documented route without a test
//! here fails.

#[path = "../../../store/tests/common/db.rs"]
mod common;

use super::*;
use axum::body::Body;
use axum::http::Request;
use engine::catalogue::Catalogue;
use engine::columnar::ColumnarCopy;
use engine::Rules;
use futures_util::StreamExt;
use serde_json::Value;
use store::import::{import_dir, ImportOptions};
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
        ("orgs.csv", "org_id,parent_id,name,kind,established_on\nD,,某区,district,2000-01-01\nS,D,某街道,street,2000-01-01\nB1,S,第一支部,branch,2001-01-01\nB2,S,第二支部,branch,2001-01-01\n"),
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
    hub: Hub,
    _copy: tempfile::TempDir,
}

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
    Fixture { hub, _copy: copy }
}

/// One request through the router: (status, body as JSON, or as text in `Value::String`).
async fn call(hub: &Hub, method: &str, uri: &str, scope: Option<&str>, body: Option<&str>) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(org) = scope {
        req = req.header(SCOPE_HEADER, org);
    }
    let req = match body {
        Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let res = routes::<()>(hub.clone(), false).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).to_string();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn get(hub: &Hub, uri: &str) -> Value {
    let (status, body) = call(hub, "GET", uri, None, None).await;
    assert_eq!(status, StatusCode::OK, "GET {uri}: {body}");
    body
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}")).iter().map(|r| r[key].as_str().unwrap().to_string()).collect()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_with_the_figures_of_the_contract() {
    for db in common::backends().await {
        let f = fixture(&db.store).await;
        let hub = &f.hub;
        let label = db.label;

        // The tree.
        assert_eq!(ids(&get(hub, "/api/v1/orgs").await, "org_id"), ["D"], "[{label}]");
        let s = get(hub, "/api/v1/orgs/S").await;
        assert_eq!((s["members"].as_i64(), s["grassroots"].as_i64(), s["children"].as_i64(), s["parent_id"].as_str()), (Some(3), Some(2), Some(2), Some("D")), "[{label}] {s}");
        assert_eq!(ids(&get(hub, "/api/v1/orgs/S/children").await, "org_id"), ["B1", "B2"], "[{label}]");

        // The wall and a member.
        let snap = get(hub, "/api/v1/snapshot?org=B1").await;
        assert_eq!(snap["month"], "2024-03", "[{label}] newest month");
        assert_eq!(snap["headline"]["members"], 2, "[{label}]");
        let m1 = get(hub, "/api/v1/members/M1?month=2024-03").await;
        assert_eq!(m1["index"], "4", "[{label}] {m1}");

        // Rankings: the index so far this year, by district rank, in the subtree asked.
        let r = get(hub, "/api/v1/rankings").await;
        assert_eq!(r["total"], 3, "[{label}]");
        assert_eq!(ids(&r["rows"], "member_id"), ["M1", "M3", "M2"], "[{label}] {r}");
        assert_eq!((r["rows"][0]["index"].as_str(), r["rows"][0]["party_life"].as_str(), r["rows"][0]["name"].as_str()), (Some("4"), Some("4"), Some("张三")), "[{label}]");
        let r = get(hub, "/api/v1/rankings?org=B1&limit=1&offset=1").await;
        assert_eq!((r["total"].as_i64(), ids(&r["rows"], "member_id")), (Some(2), vec!["M2".to_string()]), "[{label}] {r}");
        assert_eq!(r["rows"][0]["org_rank"], 2, "[{label}]");

        // Lights of §5 at March.
        let l = get(hub, "/api/v1/lights/members").await;
        assert_eq!(ids(&l, "member_id"), ["M2"], "[{label}] red and yellow only");
        assert_eq!((l[0]["dues_arrears"].as_i64(), l[0]["absence"].as_i64(), l[0]["dues_light"].as_str(), l[0]["absence_light"].as_str(), l[0]["light"].as_str()), (Some(3), Some(2), Some("red"), Some("yellow"), Some("red")), "[{label}] {l}");
        assert_eq!(ids(&get(hub, "/api/v1/lights/members?all=true").await, "member_id"), ["M1", "M2", "M3"], "[{label}]");
        let b = get(hub, "/api/v1/lights/branches?org=S&month=2024-03").await;
        assert_eq!(ids(&b, "org_id"), ["B1", "B2"], "[{label}]");
        assert_eq!((b[0]["light"].as_str(), b[0]["share_light"].as_str(), b[0]["red_members"].as_i64()), (Some("red"), Some("red"), Some(1)), "[{label}] {b}");
        assert_eq!((b[1]["light"].as_str(), b[1]["org_life_gap"].as_i64(), b[1]["gap_light"].as_str()), (Some("yellow"), Some(1), Some("yellow")), "[{label}] {b}");

        // Indicators and findings.
        let cat = get(hub, "/api/v1/indicators").await;
        assert_eq!(cat["indicators"].as_array().map(Vec::len), Some(59), "[{label}]");
        let inds = get(hub, "/api/v1/orgs/B2/indicators?month=2024-03").await;
        assert_eq!(inds.as_array().map(Vec::len), Some(26), "[{label}]");
        let gap = inds.as_array().unwrap().iter().find(|i| i["id"] == "org_life_gap").expect("org_life_gap");
        assert_eq!(gap["trend"].as_array().map(Vec::len), Some(3), "[{label}] January to March: no month before the data start");
        let findings = get(hub, "/api/v1/findings?org=S").await;
        let orgs = ids(&findings, "org_id");
        assert!(!orgs.is_empty() && orgs.iter().all(|o| o == "B1" || o == "B2"), "[{label}] {findings}");
        let b2_gap = findings.as_array().unwrap().iter().find(|f| f["org_id"] == "B2" && f["indicator_id"] == "org_life_gap").expect("B2's gap is a finding");
        assert_eq!(b2_gap["light"], "yellow", "[{label}]");
        assert!(ids(&b2_gap["resources"], "resource_id").contains(&"R1".to_string()), "[{label}] {b2_gap}");

        // Recording resource use: R1 is then not recommended to B2.
        let (status, _) = call(hub, "POST", "/api/v1/orgs/B2/resources/R1/used", None, Some(r#"{"used_on":"2024-03-15"}"#)).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "[{label}]");
        let t = std::time::Instant::now();
        loop {
            let findings = get(hub, "/api/v1/findings?org=B2").await;
            let g = findings.as_array().unwrap().iter().find(|f| f["indicator_id"] == "org_life_gap").cloned().unwrap();
            if !ids(&g["resources"], "resource_id").contains(&"R1".to_string()) {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(20), "[{label}] R1 still recommended after its use: {g}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (status, e) = call(hub, "POST", "/api/v1/orgs/B2/resources/NOPE/used", None, Some("{}")).await;
        assert_eq!((status, e["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "[{label}]");
        let (status, _) = call(hub, "POST", "/api/v1/orgs/B2/resources/R1/used", None, Some(r#"{"used_on":"2024-13-01"}"#)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{label}]");

        // The version, pushed on the event stream.
        let v = get(hub, "/api/v1/version").await;
        assert!(v["version"].as_u64().unwrap() >= 1, "[{label}] {v}");
        let res = routes::<()>(hub.clone(), false).oneshot(Request::get("/api/v1/events").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream", "[{label}]");
        let mut stream = res.into_body().into_data_stream();
        let first = tokio::time::timeout(Duration::from_secs(5), stream.next()).await.expect("an event at once").unwrap().unwrap();
        let first = String::from_utf8_lossy(&first);
        assert!(first.contains("event: version") && first.contains("\"latest_month\":\"2024-03\""), "[{label}] {first}");

        // Errors are JSON with a code.
        for (uri, status, code) in [
            ("/api/v1/orgs/NOPE", StatusCode::NOT_FOUND, "not_found"),
            ("/api/v1/members/NOPE", StatusCode::NOT_FOUND, "not_found"),
            ("/api/v1/snapshot?month=2024-13", StatusCode::BAD_REQUEST, "bad_request"),
            ("/api/v1/rankings?month=2023-12", StatusCode::BAD_REQUEST, "bad_request"),
            ("/api/v1/lights/branches?org=NOPE", StatusCode::NOT_FOUND, "not_found"),
        ] {
            let (s, e) = call(hub, "GET", uri, None, None).await;
            assert_eq!((s, e["error"].as_str()), (status, Some(code)), "[{label}] {uri}: {e}");
        }

        // Scoped to B2: its own subtree only.
        let scoped = |uri: &'static str| call(hub, "GET", uri, Some("B2"), None);
        assert_eq!(ids(&scoped("/api/v1/orgs").await.1, "org_id"), ["B2"], "[{label}]");
        for uri in ["/api/v1/orgs/B1", "/api/v1/orgs/S/children", "/api/v1/snapshot?org=B1", "/api/v1/members/M1", "/api/v1/rankings?org=D", "/api/v1/lights/members?org=B1", "/api/v1/orgs/B1/indicators", "/api/v1/findings?org=S"] {
            let (s, e) = scoped(uri).await;
            assert_eq!((s, e["error"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "[{label}] {uri}: {e}");
        }
        let (s, r) = scoped("/api/v1/rankings").await;
        assert_eq!((s, ids(&r["rows"], "member_id")), (StatusCode::OK, vec!["M3".to_string()]), "[{label}] {r}");
        let (s, l) = scoped("/api/v1/lights/members?all=true").await;
        assert_eq!((s, ids(&l, "member_id")), (StatusCode::OK, vec!["M3".to_string()]), "[{label}]");
        let (s, _) = call(hub, "POST", "/api/v1/orgs/B1/resources/R2/used", Some("B2"), Some("{}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "[{label}]");
    }
}
