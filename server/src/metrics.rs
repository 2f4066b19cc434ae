//! What an operator needs (issue 11 item 6): one INFO line per request (the access log:
//! method, path without its query string, status, time, caller) and the Prometheus metrics of
//! `GET /metrics` (text format, from the `prometheus-client` crate): requests and their
//! latency by route, the hub's data version and last refresh time, its caches, the event
//! streams, connections and computations waiting, the events held, the outbox backlog.
//!
//! `/metrics` answers an `admin` on the wall's own port; `serve --metrics-addr ADDR` serves it
//! to anyone who reaches ADDR (meant for a loopback address a local Prometheus scrapes).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use engine::hub::Hub;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use app::auth::Scope;

/// Who made a request; the access layer puts it on the response, and the access log names it
/// `role:login` (written only when the line is, not built for every request).
#[derive(Clone, Debug)]
pub struct LoggedCaller(pub std::sync::Arc<access::Caller>);

/// The access log's `caller` field: `role:login`, or `-` for nobody.
struct CallerField<'a>(Option<&'a LoggedCaller>);

impl std::fmt::Display for CallerField<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(c) => write!(f, "{}:{}", c.0.role, c.0.login),
            None => f.write_str("-"),
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    cache: &'static str,
}

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    version: Gauge,
    refresh_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
    store_up: Gauge,
    cache_entries: Family<CacheLabels, Gauge>,
    cache_bytes: Family<CacheLabels, Gauge>,
    months_computed: Gauge,
    busy: Gauge,
    waiting: Gauge,
    sse_clients: Gauge,
    connections: Gauge,
    events: Gauge,
    outbox_backlog: Gauge,
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut registry = Registry::with_prefix("vanguard");
        let m = Metrics {
            registry: Registry::default(),
            requests: Family::default(),
            latency: Family::new_with_constructor(|| Histogram::new(exponential_buckets(0.0005, 2.0, 16))),
            version: Gauge::default(),
            refresh_seconds: Gauge::default(),
            store_up: Gauge::default(),
            cache_entries: Family::default(),
            cache_bytes: Family::default(),
            months_computed: Gauge::default(),
            busy: Gauge::default(),
            waiting: Gauge::default(),
            sse_clients: Gauge::default(),
            connections: Gauge::default(),
            events: Gauge::default(),
            outbox_backlog: Gauge::default(),
        };
        registry.register("http_requests", "Requests answered, by method, route and status", m.requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer (to the response's headers), by route", m.latency.clone());
        registry.register("data_version", "The data version the wall shows", m.version.clone());
        registry.register("hub_refresh_seconds", "How long the last refresh of the figures took", m.refresh_seconds.clone());
        registry.register("store_up", "1 while the store answers, 0 during an outage", m.store_up.clone());
        registry.register("cache_entries", "Answers kept for the current data version, by cache", m.cache_entries.clone());
        registry.register("cache_bytes", "Bytes kept for the current data version, by cache", m.cache_bytes.clone());
        registry.register("months_computed", "Months' figures computed on request since start", m.months_computed.clone());
        registry.register("busy_answers", "Requests answered 503 busy since start", m.busy.clone());
        registry.register("computations_waiting", "Requests waiting for a computation", m.waiting.clone());
        registry.register("sse_clients", "Event streams open", m.sse_clients.clone());
        registry.register("connections", "Connections open", m.connections.clone());
        registry.register("events", "Events (records) behind the figures, study sessions included", m.events.clone());
        registry.register("outbox_backlog", "Webhook messages waiting for delivery", m.outbox_backlog.clone());
        Metrics { registry, ..m }
    })
}

/// The access log line and the request metrics of every request.
pub async fn record(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "other".to_owned(), |p| p.as_str().to_owned());
    let res = next.run(req).await;
    let took = started.elapsed();
    let status = res.status().as_u16();
    let caller = CallerField(res.extensions().get::<LoggedCaller>());
    tracing::info!(target: "access", method = %method, path = %path, status, ms = took.as_micros() as f64 / 1000.0, caller = %caller, "request");
    let m = metrics();
    m.requests.get_or_create(&RequestLabels { method: method.as_str().to_owned(), route: route.clone(), status }).inc();
    m.latency.get_or_create(&RouteLabels { route }).observe(took.as_secs_f64());
    res
}

/// `GET /metrics` on the wall's port: an `admin`'s only.
pub async fn for_admin(hub: Hub, scope: Scope) -> Response {
    if scope.caller().role != domain::Role::Admin {
        return (StatusCode::FORBIDDEN, axum::Json(domain::wire::ErrorBody { error: "forbidden".into(), message: "超出您的权限范围".into() })).into_response();
    }
    exposition(&hub).await
}

/// The metrics now, in Prometheus' text format.
pub async fn exposition(hub: &Hub) -> Response {
    let m = metrics();
    let stats = hub.stats();
    use std::sync::atomic::Ordering::Relaxed;
    if let Ok(state) = hub.state() {
        m.version.set(state.version as i64);
        match state.ds.records() {
            Ok(n) => {
                m.events.set(n);
            }
            Err(e) => tracing::warn!(error = %e, "metrics: counting the events held failed"),
        }
        let c = state.cache_sizes();
        for (cache, entries, bytes) in [
            ("months", c.months, c.month_bytes),
            ("snapshots", c.snapshots, c.snapshot_bytes),
            ("profiles", c.profiles, c.profile_bytes),
            ("traces", c.traces, c.trace_bytes),
        ] {
            m.cache_entries.get_or_create(&CacheLabels { cache }).set(entries as i64);
            m.cache_bytes.get_or_create(&CacheLabels { cache }).set(bytes as i64);
        }
    }
    m.refresh_seconds.set(stats.last_refresh_ms.load(Relaxed) as f64 / 1000.0);
    m.store_up.set(i64::from(hub.outage().is_none()));
    m.months_computed.set(stats.months_computed.load(Relaxed) as i64);
    m.busy.set(stats.busy.load(Relaxed) as i64);
    m.waiting.set(hub.waiting() as i64);
    m.sse_clients.set(crate::limits::sse_slots().open() as i64);
    m.connections.set(crate::listen::open_connections() as i64);
    match operations::outbox::backlog(hub.store()).await {
        Ok(n) => {
            m.outbox_backlog.set(n);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: reading the outbox backlog failed"),
    }
    let mut text = String::new();
    if let Err(e) = prometheus_client::encoding::text::encode(&mut text, &m.registry) {
        tracing::error!(error = %e, "metrics: encoding failed");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let mut res = text.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"));
    res
}
