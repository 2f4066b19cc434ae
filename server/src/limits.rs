//! Per-request limits of `serve` (issue 11 item 2): a request that has not answered within
//! [`REQUEST_TIMEOUT`] is answered 503 `timeout` (its work dropped), and the event streams are
//! capped per client address ([`SSE_PER_CLIENT`]) and in all ([`SSE_TOTAL`]): beyond, 429
//! JSON with `Retry-After`. Body sizes are capped where the router is built
//! ([`crate::web::BODY_LIMIT`]); connections and header reads in [`crate::listen`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::ApiError;

/// A request must have its answer (its headers, for a stream) within this.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Event streams open at once from one client address. A wall is one stream; this leaves
/// room for a control room's screens behind one address, and a soak test's 200 walls.
pub const SSE_PER_CLIENT: usize = 256;
/// Event streams open at once in all.
pub const SSE_TOTAL: usize = 2048;

/// Answers 503 `timeout` for a request that takes longer than [`REQUEST_TIMEOUT`].
pub async fn timeout(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(%path, timeout = ?REQUEST_TIMEOUT, "request timed out");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "timeout", "请求处理超时，请稍后重试").into_response()
        }
    }
}

/// The server's event streams (one count for every router of the process).
pub fn sse_slots() -> &'static SseSlots {
    static SLOTS: std::sync::OnceLock<SseSlots> = std::sync::OnceLock::new();
    SLOTS.get_or_init(SseSlots::default)
}

/// The open event streams, by client address. Cheap to clone.
#[derive(Clone, Default)]
pub struct SseSlots {
    open: Arc<Mutex<(usize, HashMap<String, usize>)>>,
}

/// The answer when a client has too many streams open, or all are taken: 429 JSON.
#[derive(Debug)]
pub struct TooManyStreams;

impl IntoResponse for TooManyStreams {
    fn into_response(self) -> Response {
        let mut r = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_streams", "实时连接过多，请稍后重试").into_response();
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        r
    }
}

/// One open stream; freed when the stream ends (dropped with it).
pub struct SseSlot {
    slots: SseSlots,
    client: String,
}

impl SseSlots {
    /// A slot for a stream of `client`, unless it has too many or all are taken.
    pub fn take(&self, client: Option<&str>) -> Result<SseSlot, TooManyStreams> {
        let client = client.unwrap_or("unknown").to_owned();
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let mine = open.1.get(&client).copied().unwrap_or(0);
        if open.0 >= SSE_TOTAL || mine >= SSE_PER_CLIENT {
            return Err(TooManyStreams);
        }
        open.0 += 1;
        *open.1.entry(client.clone()).or_insert(0) += 1;
        Ok(SseSlot { slots: self.clone(), client })
    }

    /// Streams open now.
    pub fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).0
    }
}

impl Drop for SseSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|e| e.into_inner());
        open.0 = open.0.saturating_sub(1);
        if let Some(n) = open.1.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                open.1.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_capped_per_client_and_freed_when_dropped() {
        let slots = SseSlots::default();
        let mine: Vec<SseSlot> = (0..SSE_PER_CLIENT).map(|_| slots.take(Some("10.0.0.1")).ok().unwrap()).collect();
        let refused = slots.take(Some("10.0.0.1")).err().expect("over the cap").into_response();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.headers().contains_key(header::RETRY_AFTER));
        assert!(slots.take(Some("10.0.0.2")).is_ok(), "another client is not refused");
        assert_eq!(slots.open(), SSE_PER_CLIENT);
        drop(mine);
        assert_eq!(slots.open(), 0);
        assert!(slots.take(Some("10.0.0.1")).is_ok());
    }
}
