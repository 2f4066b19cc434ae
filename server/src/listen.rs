//! Accepting connections with limits (issue 11 item 2): at most [`MAX_CONNECTIONS`] open at
//! once (beyond, a new connection is closed at once), a client that does not finish sending
//! its request headers within [`HEADER_TIMEOUT`] of their first byte (or of connecting) is
//! dropped, a kept-alive connection idle for [`IDLE_TIMEOUT`] is closed, and on shutdown
//! every connection is asked to finish ([`crate::shutdown`] gives them a grace period).
//!
//! axum's own `serve` offers none of these knobs, so this is its accept loop with them:
//! hyper's connection builder (`hyper-util`, already under axum), a [`Watch`] per connection
//! for the two timeouts, and `hyper_util::server::graceful` for the shutdown.
//!
//! Why not hyper's own `header_read_timeout`: its clock also runs while a kept-alive
//! connection waits for its next request, so every connection idle for 10 s was closed, and
//! each wall reconnected for every version's snapshot — 200 walls, 200 new connections at the
//! same instant (issue 11's soak: the bursts after such a pause were the slowest).

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Connections open at once, at most.
pub const MAX_CONNECTIONS: usize = 4096;
/// A request's headers must arrive within this of their first byte (a new connection's,
/// of connecting).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A kept-alive connection with no request for this long is closed (nginx's default): longer
/// than the pauses between a wall's fetches while data arrives, so the walls keep theirs.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(75);

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
        let watch = Arc::new(Watch::new());
        let on_request = watch.clone();
        let service = TowerToHyperService::new(tower::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            let watch = on_request.clone();
            watch.request_began();
            async move {
                let res = app.oneshot(req.map(Body::new)).await.unwrap_or_else(|e| match e {});
                Ok::<_, Infallible>(res.map(|body| Body::new(Answer { body, watch: Some(watch) })))
            }
        }));
        let mut builder = Builder::new(TokioExecutor::new());
        // The timeouts are the watch's (hyper's would close every idle kept-alive connection).
        builder.http1().header_read_timeout(None);
        let io = TokioIo::new(Watched { io: stream, watch: watch.clone() });
        let conn = graceful.watch(builder.serve_connection_with_upgrades(io, service).into_owned());
        tokio::spawn(async move {
            tokio::select! {
                ended = conn => if let Err(e) = ended {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                },
                why = watch.expired() => tracing::debug!(%peer, why, "connection closed"),
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

/// What a connection's watchdog knows of it: the deadline of what it waits for (the headers
/// of a request, or the next request on an idle kept-alive connection), and the requests whose
/// answers are not finished (none may be cut: a stream of events lasts for hours).
struct Watch {
    /// Milliseconds after `start` by which the connection must have moved on; [`NONE`] while
    /// answers are open.
    deadline: AtomicU64,
    /// Whether `deadline` is an idle one ([`IDLE_TIMEOUT`]): the first byte read then starts
    /// a request's headers.
    idle: std::sync::atomic::AtomicBool,
    answering: AtomicUsize,
    /// Bytes were read while an answer was open: the next request's (hyper reads ahead) or the
    /// request's body; either way, once the answers end, a request's headers are due.
    read_meanwhile: std::sync::atomic::AtomicBool,
    /// Wakes the watchdog when a deadline is set (it may be sooner than the one it sleeps on).
    moved: tokio::sync::Notify,
    start: Instant,
}

const NONE: u64 = u64::MAX;

impl Watch {
    fn new() -> Watch {
        let w = Watch {
            deadline: AtomicU64::new(NONE),
            idle: false.into(),
            answering: AtomicUsize::new(0),
            read_meanwhile: false.into(),
            moved: tokio::sync::Notify::new(),
            start: Instant::now(),
        };
        w.wait(HEADER_TIMEOUT, false);
        w
    }

    fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    fn wait(&self, limit: Duration, idle: bool) {
        self.idle.store(idle, Ordering::SeqCst);
        self.deadline.store(self.now() + limit.as_millis() as u64, Ordering::SeqCst);
        self.moved.notify_one();
    }

    /// Bytes arrived: on an idle connection, a request's headers have begun.
    fn read_some(&self) {
        if self.answering.load(Ordering::SeqCst) > 0 {
            self.read_meanwhile.store(true, Ordering::SeqCst);
        } else if self.idle.swap(false, Ordering::SeqCst) {
            self.wait(HEADER_TIMEOUT, false);
        }
    }

    /// A request's headers are in.
    fn request_began(&self) {
        self.answering.fetch_add(1, Ordering::SeqCst);
        self.read_meanwhile.store(false, Ordering::SeqCst);
        self.idle.store(false, Ordering::SeqCst);
        self.deadline.store(NONE, Ordering::SeqCst);
    }

    /// An answer was sent whole (or given up): with none left open, the connection is idle,
    /// unless bytes came meanwhile.
    fn answer_ended(&self) {
        if self.answering.fetch_sub(1, Ordering::SeqCst) == 1 {
            if self.read_meanwhile.swap(false, Ordering::SeqCst) {
                self.wait(HEADER_TIMEOUT, false);
            } else {
                self.wait(IDLE_TIMEOUT, true);
            }
        }
    }

    /// Resolves when the connection's deadline passes, saying which one.
    async fn expired(&self) -> &'static str {
        loop {
            let deadline = self.deadline.load(Ordering::SeqCst);
            let now = self.now();
            if deadline != NONE && now >= deadline {
                return if self.idle.load(Ordering::SeqCst) { "idle" } else { "request headers not sent in time" };
            }
            if deadline == NONE {
                self.moved.notified().await;
            } else {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(deadline - now)) => {}
                    _ = self.moved.notified() => {}
                }
            }
        }
    }
}

/// A connection's socket, telling its [`Watch`] when bytes arrive.
struct Watched {
    io: TcpStream,
    watch: Arc<Watch>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.watch.read_some();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[std::io::IoSlice<'_>]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// An answer's body, telling the connection's [`Watch`] when it is sent whole or dropped.
struct Answer {
    body: Body,
    watch: Option<Arc<Watch>>,
}

impl Answer {
    fn end(&mut self) {
        if let Some(w) = self.watch.take() {
            w.answer_ended();
        }
    }
}

impl hyper::body::Body for Answer {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) {
            self.end();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Answer {
    fn drop(&mut self) {
        self.end();
    }
}
