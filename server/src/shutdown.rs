//! Stopping `serve` in bounded time (issue 11 item 3): on Ctrl-C or SIGTERM the server stops
//! accepting, the SSE streams end (a wall reconnects to whichever server comes up next), the
//! open requests get [`GRACE`] to finish, and then the process exits whatever is still open.
//! Without this a single wall holding `/api/v1/events` kept a restart waiting forever.

use std::time::Duration;

use tokio::sync::watch;

/// How long open requests may run on after the signal.
pub const GRACE: Duration = Duration::from_secs(8);

/// Fires the shutdown (held by `serve`).
pub struct Trigger(watch::Sender<bool>);

/// Tells a long-lived response (the SSE stream) that the server is stopping; given to
/// handlers as an `Extension`.
#[derive(Clone)]
pub struct Stopping(watch::Receiver<bool>);

pub fn channel() -> (Trigger, Stopping) {
    let (tx, rx) = watch::channel(false);
    (Trigger(tx), Stopping(rx))
}

impl Trigger {
    pub fn fire(&self) {
        let _ = self.0.send(true);
    }
}

impl Stopping {
    /// Resolves once the shutdown has begun (or its trigger is gone).
    pub async fn wait(mut self) {
        let _ = self.0.wait_for(|stopping| *stopping).await;
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received: closing the event streams, finishing open requests");
}
