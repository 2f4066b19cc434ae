//! `vanguard serve`: the axum server for the wall (SSR + hydration + server functions).
//!
//! Works in two situations without any configuration:
//! * run from the repository root after `cargo leptos build --release` (no environment
//!   variables: the site is read from `target/site`, the bundle is `pkg/vanguard.*`);
//! * run by `cargo leptos serve|watch|end-to-end`, which sets `LEPTOS_*` variables; they win.

use std::env;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use app::{App, shell};
use axum::{Router, routing::get};
use engine::hub::Hub;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::{compression::CompressionLayer, limit::RequestBodyLimitLayer, services::ServeFile};

/// Output name of the wasm/js/css bundle (`name` in `[[workspace.metadata.leptos]]`).
const OUTPUT_NAME: &str = "vanguard";
/// Site root relative to the repository root (`site-root`).
const SITE_ROOT: &str = "target/site";
/// Bundle directory inside the site root (`site-pkg-dir`).
const SITE_PKG_DIR: &str = "pkg";
/// The largest request body accepted (JSON of the API, server functions, the login form):
/// axum's extractors refuse more (413), and every other reader of a body (the server
/// functions) finds it cut there.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Default listen address (`site-addr`).
const DEFAULT_ADDR: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 3000);

/// Serves the wall until Ctrl-C or SIGTERM.
///
/// `addr` (from `--addr`) wins over `LEPTOS_SITE_ADDR`, which wins over 127.0.0.1:3000.
/// The hub loads the figures in the background: the server answers at once (pages and
/// `/api/v1` say "not ready" until the first figures are computed, `/readyz` tells when).
pub async fn serve(hub: Hub, addr: Option<SocketAddr>) -> io::Result<()> {
    let options = leptos_options(addr)?;
    let addr = options.site_addr;
    check_site(&options);

    let (trigger, stopping) = crate::shutdown::channel();
    let app = router(hub, options).layer(axum::Extension(stopping));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tracing::info!(addr = %local, "Vanguard wall listening on http://{local}");

    let stop = async move {
        crate::shutdown::signal().await;
        // The event streams end now; open requests get GRACE.
        trigger.fire();
    };
    crate::listen::serve(listener, app, stop, crate::shutdown::GRACE).await;
    tracing::info!("server stopped");
    Ok(())
}

/// `/metrics` alone, without a credential, on its own address (`serve --metrics-addr`): bound
/// now, so a taken address fails the start, then served in the background.
pub async fn serve_metrics(hub: Hub, addr: SocketAddr) -> io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "metrics at http://{}/metrics", listener.local_addr()?);
    let app: Router = Router::new().route(
        "/metrics",
        get(move || {
            let hub = hub.clone();
            async move { crate::metrics::exposition(&hub).await }
        }),
    );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics address stopped");
        }
    });
    Ok(())
}

/// The complete axum router: health checks, `/api/v1`, server functions, SSR routes,
/// static files.
pub fn router(hub: Hub, options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let dev = var("VANGUARD_DEV_ENDPOINTS").is_some_and(|v| v == "1");
    let auth = crate::auth::Auth::new(hub.store().clone());
    let public_url = var("VANGUARD_PUBLIC_URL").unwrap_or_else(|| format!("http://{}", options.site_addr));
    let ops = crate::ops::Ops::start(hub.clone(), public_url);
    crate::reports::start_job(hub.clone(), ops.worker.clone());
    let api = crate::api::routes(hub.clone(), auth.clone(), ops, dev);
    let (ready_hub, metrics_hub) = (hub.clone(), hub.clone());

    // Server functions reach the data through the hub alone (app/src/functions).
    let context = move || provide_context(hub.clone());
    let app_shell = {
        let options = options.clone();
        move || shell(options.clone())
    };

    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(move || readyz(ready_hub.clone())))
        .route("/metrics", get(move |scope: app::auth::Scope| crate::metrics::for_admin(metrics_hub.clone(), scope)));

    // `cargo leptos build` renames wasm-bindgen's `<name>_bg.wasm` to `<name>.wasm`, but a server
    // compiled by plain `cargo build` (no LEPTOS_OUTPUT_NAME at compile time) still asks for
    // `<name>_bg.wasm`: answer that request with the file that exists.
    let pkg = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let bg_wasm = pkg.join(format!("{}_bg.wasm", options.output_name));
    let wasm = pkg.join(format!("{}.wasm", options.output_name));
    if !bg_wasm.exists() && wasm.exists() {
        router = router.route_service(&format!("{}{}_bg.wasm", options.site_pkg_dir_route_base(), options.output_name), ServeFile::new(wasm));
    }

    let router = router
        .merge(api)
        // Server functions are registered by `leptos_routes_with_context`; any other path
        // under /api names nothing: 404 JSON, never the HTML 404 page (issue 11 item 2).
        .route("/api/{*rest}", axum::routing::any(unknown_api))
        .leptos_routes_with_context(&options, routes, context.clone(), app_shell)
        .route_service(&leptos_axum::site_pkg_dir_service_route_path(&options), leptos_axum::site_pkg_dir_service(&options))
        .fallback(leptos_axum::file_and_error_handler_with_context::<LeptosOptions, _>(context, shell));
    // Every request passes the access layer (docs/RULES.md §10): no route answers without a
    // credential unless `auth::is_public` says so.
    crate::auth::guard(router, auth)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::from_fn(crate::limits::timeout))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(crate::metrics::record))
        .with_state(options)
}

async fn unknown_api() -> crate::api::ApiError {
    crate::api::ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", "没有这个接口")
}

async fn healthz() -> &'static str {
    "ok"
}

/// 200 with the data version once the figures are computed and the store answers; 503 before
/// (with the hub's status) and while the store cannot be reached (issue 11 item 3; the cause
/// is in the log, not in the answer).
async fn readyz(hub: Hub) -> (axum::http::StatusCode, String) {
    if hub.outage().is_some() {
        return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "store unavailable".into());
    }
    match hub.state() {
        Ok(s) => (axum::http::StatusCode::OK, format!("ready version {}", s.version)),
        Err(_) => (axum::http::StatusCode::SERVICE_UNAVAILABLE, hub.status()),
    }
}

/// LeptosOptions from `LEPTOS_*` variables when set (cargo-leptos), else the values of
/// `[[workspace.metadata.leptos]]` in the root Cargo.toml.
pub fn leptos_options(addr: Option<SocketAddr>) -> io::Result<LeptosOptions> {
    let output_name = var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|| OUTPUT_NAME.to_string());
    let site_root = var("LEPTOS_SITE_ROOT").unwrap_or_else(default_site_root);
    let site_pkg_dir = var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| SITE_PKG_DIR.to_string());
    let env = match var("LEPTOS_ENV").map(|v| v.to_ascii_lowercase()).as_deref() {
        Some("dev" | "development") => Env::DEV,
        _ => Env::PROD,
    };
    let site_addr = match (addr, var("LEPTOS_SITE_ADDR")) {
        (Some(addr), _) => addr,
        (None, Some(v)) => v.parse().map_err(|e| invalid(format!("LEPTOS_SITE_ADDR={v:?}: {e}")))?,
        (None, None) => DEFAULT_ADDR,
    };
    let reload_port = match var("LEPTOS_RELOAD_PORT") {
        Some(v) => v.parse().map_err(|e| invalid(format!("LEPTOS_RELOAD_PORT={v:?}: {e}")))?,
        None => 3001,
    };
    let hash_files = var("LEPTOS_HASH_FILES").is_some_and(|v| v == "true");

    Ok(LeptosOptions::builder()
        .output_name(output_name)
        .site_root(site_root)
        .site_pkg_dir(site_pkg_dir)
        .env(env)
        .site_addr(site_addr)
        .reload_port(reload_port)
        .hash_files(hash_files)
        .build())
}

/// `target/site` under the working directory (the repository root); failing that, the
/// `site` directory next to the binary's profile directory (`target/release/vanguard`).
fn default_site_root() -> String {
    if Path::new(SITE_ROOT).is_dir() {
        return SITE_ROOT.to_string();
    }
    let beside_exe: Option<PathBuf> = env::current_exe().ok().and_then(|exe| Some(exe.parent()?.parent()?.join("site"))).filter(|p| p.is_dir());
    match beside_exe {
        Some(p) => p.to_string_lossy().into_owned(),
        None => SITE_ROOT.to_string(),
    }
}

/// Warns (does not fail: the API and SSR still work) when the browser bundle is missing.
fn check_site(options: &LeptosOptions) {
    let js = Path::new(&*options.site_root).join(&*options.site_pkg_dir).join(format!("{}.js", options.output_name));
    if js.is_file() {
        tracing::info!(site_root = %options.site_root, "serving site");
    } else {
        tracing::warn!(
            missing = %js.display(),
            "browser bundle not found: run `cargo leptos build --release` from the repository root \
             (pages will render but not hydrate)"
        );
    }
}

fn var(key: &str) -> Option<String> {
    env::var(key).ok().filter(|v| !v.is_empty())
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}
