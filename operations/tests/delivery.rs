//! Delivery through the outbox (docs/RULES.md §11) to a local webhook receiver that fails,
//! answers `Retry-After` and (as the robots do) HTTP 200 with a non-zero `errcode`, on SQLite
//! and PostgreSQL: every message delivered at least once, exactly once by `Idempotency-Key`,
//! after a worker was killed holding its claim; signatures valid; a robot never sent more
//! than 20 requests a minute.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use access::{Action, Actor, AuditEntry, Outcome};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use common::{backends, district, lights, lit, scalar};
use domain::Light;
use domain::wire::NewWebhook;
use operations::{Reason, SubjectKind, Worker};
use store::Store;

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Got {
    path: String,
    query: HashMap<String, String>,
    headers: HeaderMap,
    body: Vec<u8>,
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Got>>>,
}

/// `/generic`: the first request of each Idempotency-Key gets 503 with `Retry-After: 1`.
/// `/wecom`: the first request gets HTTP 200 with errcode 45009. `/dingtalk`: 200, errcode 0.
async fn receive(
    State(r): State<Receiver>,
    Path(path): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    let got = Got { path: path.clone(), query, headers: headers.clone(), body: body.to_vec() };
    let mut all = r.got.lock().unwrap();
    let seen_before = match path.as_str() {
        "generic" => {
            let key = headers.get("idempotency-key").map(|v| v.to_str().unwrap().to_owned());
            all.iter().any(|g| g.path == "generic" && g.headers.get("idempotency-key").map(|v| v.to_str().unwrap().to_owned()) == key)
        }
        p => all.iter().any(|g| g.path == p),
    };
    all.push(got);
    drop(all);
    match path.as_str() {
        "generic" if !seen_before => (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "1")], "busy").into_response(),
        "wecom" if !seen_before => (StatusCode::OK, r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#).into_response(),
        _ => (StatusCode::OK, r#"{"errcode":0,"errmsg":"ok"}"#).into_response(),
    }
}

async fn start_receiver() -> (String, Receiver) {
    let r = Receiver::default();
    let app = axum::Router::new().route("/{path}", axum::routing::post(receive)).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), r)
}

async fn add_hook(s: &Store, kind: &str, url: String, secret: Option<&str>) -> i64 {
    let new = NewWebhook { org_id: "D".into(), kind: kind.into(), url, secret: secret.map(String::from) };
    operations::webhooks::add(s, &new, |id| AuditEntry::new(Actor::cli(), Action::WebhookChange, format!("webhook:{id} add"), Outcome::Ok)).await.unwrap()
}

/// Runs worker rounds until nothing is pending (at most `limit`).
async fn drain(w: &Worker, s: &Store, limit: Duration, label: &str) {
    let t = Instant::now();
    loop {
        w.round().await.unwrap();
        if scalar(s, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'").await == 0 {
            return;
        }
        assert!(t.elapsed() < limit, "[{label}] messages still pending after {limit:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn every_message_delivered_once_by_key_after_a_kill() {
    for db in backends().await {
        let (s, label) = (&db.store, db.label);
        district(s).await;
        let (base, receiver) = start_receiver().await;
        let generic_hook = add_hook(s, "generic", format!("{base}/generic"), Some("s3cret")).await;
        add_hook(s, "wecom", format!("{base}/wecom"), None).await;
        add_hook(s, "dingtalk", format!("{base}/dingtalk?access_token=T"), Some("SECabc")).await;
        let set = lights(vec![
            lit(SubjectKind::Member, "M1", "B1", Reason::Dues, Light::Yellow, "1"),
            lit(SubjectKind::Member, "M3", "B2", Reason::Absence, Light::Red, "3"),
            lit(SubjectKind::Org, "B1", "B1", Reason::Gap, Light::Red, "2"),
        ]);
        operations::raise(s, &set).await.unwrap();
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM outbox WHERE webhook_id IS NOT NULL").await, 9, "[{label}]");

        // A worker is killed holding its claim, after the first generic message reached the
        // receiver but before the row was marked: its lease runs out, and the next worker
        // sends everything again.
        let claimed = operations::outbox::claim(s, access::clock::now().0).await.unwrap();
        assert_eq!(claimed.len(), 9, "[{label}]");
        let first = claimed.iter().find(|c| c.webhook_id == generic_hook).map(|c| c.id).unwrap();
        let client = reqwest::Client::new();
        client.post(format!("{base}/generic")).header("Idempotency-Key", first.to_string()).body("{}").send().await.unwrap();
        assert!(operations::outbox::claim(s, access::clock::now().0).await.unwrap().is_empty(), "[{label}] a live claim is not taken twice");
        expire_leases(&db).await;

        let worker = Worker::new(s.clone(), "http://wall.example").unwrap();
        drain(&worker, s, Duration::from_secs(40), label).await;
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM outbox WHERE webhook_id IS NOT NULL AND state = 'delivered'").await, 9, "[{label}]");

        let got = receiver.got.lock().unwrap().clone();
        // Generic: each message's key seen, the failing first attempts retried; by key, once.
        let generic: Vec<&Got> = got.iter().filter(|g| g.path == "generic").collect();
        let mut keys: Vec<String> = generic.iter().map(|g| g.headers["idempotency-key"].to_str().unwrap().to_owned()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 3, "[{label}] {keys:?}");
        for g in generic.iter().filter(|g| g.body != b"{}") {
            let sig = g.headers["x-vanguard-signature"].to_str().unwrap();
            assert_eq!(sig, operations::webhooks::generic_signature("s3cret", &g.body), "[{label}]");
            let v: serde_json::Value = serde_json::from_slice(&g.body).unwrap();
            for field in ["warning_id", "month", "subject_kind", "subject_id", "subject_name", "org_id", "reason", "light", "state", "raised_at", "url"] {
                assert!(v.get(field).is_some(), "[{label}] generic body without {field}: {v}");
            }
            assert_eq!(v["month"], common::MONTH, "[{label}]");
        }
        // WeCom: markdown; the errcode answer was a failure, so one message went twice.
        let wecom: Vec<&Got> = got.iter().filter(|g| g.path == "wecom").collect();
        assert_eq!(wecom.len(), 4, "[{label}] 3 messages + the retry of the refused one");
        let v: serde_json::Value = serde_json::from_slice(&wecom[0].body).unwrap();
        assert_eq!(v["msgtype"], "markdown", "[{label}]");
        assert!(v["markdown"]["content"].as_str().unwrap().contains("预警"), "[{label}] {v}");
        // DingTalk: title and text, signed in the query.
        let ding: Vec<&Got> = got.iter().filter(|g| g.path == "dingtalk").collect();
        assert_eq!(ding.len(), 3, "[{label}]");
        for g in ding {
            let ts: i64 = g.query["timestamp"].parse().unwrap();
            assert_eq!(g.query["sign"], operations::webhooks::dingtalk_sign("SECabc", ts), "[{label}]");
            assert_eq!(g.query["access_token"], "T", "[{label}]");
            let v: serde_json::Value = serde_json::from_slice(&g.body).unwrap();
            assert!(v["markdown"]["title"].is_string() && v["markdown"]["text"].is_string(), "[{label}] {v}");
        }
    }
}

/// Every claim runs out now (as it does 30 s after its worker died).
async fn expire_leases(db: &common::TestDb) {
    let s = &db.store;
    assert!(scalar(s, "SELECT COUNT(*) FROM outbox WHERE claimed_until IS NOT NULL").await > 0);
    store::sql::execute(s, "UPDATE outbox SET claimed_until = 1 WHERE claimed_until IS NOT NULL", store::args![]).await.unwrap();
}

#[tokio::test]
async fn a_robot_gets_at_most_twenty_requests_a_minute() {
    for db in backends().await {
        let (s, label) = (&db.store, db.label);
        district(s).await;
        let (base, receiver) = start_receiver().await;
        add_hook(s, "dingtalk", format!("{base}/dingtalk"), None).await;
        // 30 members' warnings at once (the fixture's members suffice: subjects are keys).
        let set = lights((0..30).map(|i| lit(SubjectKind::Member, &format!("X{i:02}"), "B1", Reason::Dues, Light::Yellow, "1")).collect());
        operations::raise(s, &set).await.unwrap();
        let worker = Worker::new(s.clone(), "http://wall.example").unwrap();
        drain(&worker, s, Duration::from_secs(20), label).await;
        let got = receiver.got.lock().unwrap().clone();
        assert_eq!(got.len(), 20, "[{label}] 19 messages and one digest of the other 11");
        let digest = got.iter().map(|g| serde_json::from_slice::<serde_json::Value>(&g.body).unwrap()).find(|v| v["markdown"]["title"] == "预警汇总");
        let digest = digest.unwrap_or_else(|| panic!("[{label}] no digest"));
        assert!(digest["markdown"]["text"].as_str().unwrap().contains("共 11 条"), "[{label}] {digest}");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM outbox WHERE state = 'delivered' AND webhook_id IS NOT NULL").await, 30, "[{label}]");
    }
}

#[tokio::test]
async fn a_restart_retries_at_once() {
    for db in backends().await {
        let (s, label) = (&db.store, db.label);
        district(s).await;
        add_hook(s, "generic", "http://127.0.0.1:9/down".into(), None).await;
        operations::raise(s, &lights(vec![lit(SubjectKind::Member, "M1", "B1", Reason::Dues, Light::Red, "3")])).await.unwrap();
        // A message that failed for a while: its next attempt is minutes away.
        let later = access::clock::now().0 + 600 * 1_000_000;
        store::sql::execute(s, "UPDATE outbox SET next_at = $1, attempts = 9 WHERE webhook_id IS NOT NULL", store::args![later]).await.unwrap();
        assert!(operations::outbox::claim(s, access::clock::now().0).await.unwrap().is_empty(), "[{label}] not due yet");
        assert_eq!(operations::outbox::retry_now(s, access::clock::now().0).await.unwrap(), 1, "[{label}]");
        assert_eq!(operations::outbox::claim(s, access::clock::now().0).await.unwrap().len(), 1, "[{label}] due at once after a restart");
    }
}
