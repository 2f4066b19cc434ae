//! Accepting connections with limits (issue 11 item 2): at most [`MAX_CONNECTIONS`] open at
//! once (beyond, a new connection is closed at once), a client that does not finish sending
//! its request headers within [`HEADER_TIMEOUT`] is dropped, and on shutdown every
//! connection is asked to finish ([`crate::shutdown`] gives them a grace period).
//!
//! axum's own `serve` offers none of these knobs, so this is its accept loop with them:
//! hyper's connection builder (`hyper-util`, already under axum) with a timer for the header
//! timeout, and `hyper_util::server::graceful` for the shutdown.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Connections open at once, at most.
pub const MAX_CONNECTIONS: usize = 4096;
/// A request's headers must arrive within this.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections open now (for `/metrics`).
pub fn open_connections() -> usize {
    MAX_CONNECTIONS - SLOTS.available_permits()
}

static SLOTS: Semaphore = Semaphore::const_new(MAX_CONNECTIONS);

/// Serves `app` on `listener` until `stop` resolves, then lets open connections finish for
/// at most `grace`.
pub async fn serve(listener: TcpListener, app: Router, stop: impl std::future::Future<Output = ()>, grace: Duration) {
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let Ok(slot) = SLOTS.try_acquire() else {
            tracing::warn!(%peer, limit = MAX_CONNECTIONS, "too many connections: closing a new one");
            drop(stream);
            continue;
        };
        slot.forget();
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = TowerToHyperService::new(tower::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            async move { Ok::<_, Infallible>(app.oneshot(req.map(Body::new)).await.unwrap_or_else(|e| match e {})) }
        }));
        let mut builder = Builder::new(TokioExecutor::new());
        builder.http1().timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            SLOTS.add_permits(1);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(grace) => tracing::warn!(?grace, "open requests did not finish in time: stopping anyway"),
    }
}
