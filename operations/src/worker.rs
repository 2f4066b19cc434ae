//! The delivery worker inside `serve` (docs/RULES.md §11).
//!
//! Each round claims the due webhook messages ([`outbox::claim`]), sends them side by side
//! (each with a 10 s limit), and records each result: a 2xx (and, for a robot, no non-zero
//! `errcode` in its body) is delivered; anything else is retried after 1 s, 2 s, 4 s … up
//! to 10 min, or after the receiver's `Retry-After` when it is longer, until the message is
//! 24 h old, when it is `failed`. A robot gets at most 20 requests a minute (counted in the
//! store, so a restart does not reset it): beyond that, the messages due go as one digest.
//!
//! Nothing is lost on a kill: a row is marked only after its answer, and a claim expires
//! after [`outbox::LEASE_MICROS`]; a receiver that honours `Idempotency-Key` (the outbox row
//! id) sees a message resent after a kill once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use store::Store;
use store::sql::{self, args};
use tokio::sync::Notify;

use crate::OpsError;
use crate::outbox::{self, Claimed, Topic};
use crate::warnings::{self, WarningRow};
use crate::webhooks::{self, Kind, ROBOT_PER_MINUTE, Webhook};

/// §11: no answer in 10 s is a failure.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// §11: retries start at 1 s and double up to 10 min …
const FIRST_RETRY_MICROS: i64 = 1_000_000;
const MAX_RETRY_MICROS: i64 = 600 * 1_000_000;
/// … for 24 h.
const GIVE_UP_MICROS: i64 = 24 * 3600 * 1_000_000;
const MINUTE_MICROS: i64 = 60 * 1_000_000;
/// Lines of a digest shown in full; the rest are counted.
const DIGEST_LINES: usize = 30;
/// How often the worker looks for due rows when nobody wakes it.
const IDLE: Duration = Duration::from_millis(1000);

/// Why a send failed, and how long the receiver asked us to wait.
#[derive(Debug, Clone)]
pub struct Failure {
    pub error: String,
    pub retry_after: Option<Duration>,
}

/// The delay before attempt `attempts + 1`, after `attempts` failed ones (≥ 1).
pub fn backoff(attempts: i64, retry_after: Option<Duration>) -> i64 {
    let doubled = FIRST_RETRY_MICROS.saturating_mul(1i64 << (attempts - 1).clamp(0, 30));
    let ours = doubled.min(MAX_RETRY_MICROS);
    let theirs = retry_after.map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX).min(3600 * 1_000_000));
    ours.max(theirs)
}

/// Delivers the outbox's webhook messages, for the life of the server.
#[derive(Clone)]
pub struct Worker {
    store: Store,
    client: reqwest::Client,
    /// The server's address as people reach it, for the links in messages.
    public_url: String,
    wake: Arc<Notify>,
}

impl Worker {
    pub fn new(store: Store, public_url: impl Into<String>) -> Result<Worker, OpsError> {
        let client = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .connect_timeout(SEND_TIMEOUT)
            .user_agent(concat!("vanguard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OpsError::Invalid(format!("cannot build the HTTP client: {e}")))?;
        Ok(Worker { store, client, public_url: public_url.into().trim_end_matches('/').to_string(), wake: Arc::new(Notify::new()) })
    }

    /// Wakes the worker now (new messages were written).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs rounds until the task is dropped; at start, messages waiting for a retry are due
    /// at once ([`outbox::retry_now`]).
    pub async fn run(self) {
        match outbox::retry_now(&self.store, access::clock::now().0).await {
            Ok(n) if n > 0 => tracing::info!(messages = n, "messages waiting for a retry are due now"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot reschedule the waiting messages"),
        }
        loop {
            match self.round().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, source = ?std::error::Error::source(&e), "delivering the outbox failed; retrying"),
            }
            tokio::select! {
                _ = tokio::time::sleep(IDLE) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    /// One round: claims the due messages and sends them; how many it claimed.
    pub async fn round(&self) -> Result<usize, OpsError> {
        let now = access::clock::now().0;
        let claimed = outbox::claim(&self.store, now).await?;
        let n = claimed.len();
        let mut by_hook: BTreeMap<i64, Vec<Claimed>> = BTreeMap::new();
        for c in claimed {
            by_hook.entry(c.webhook_id).or_default().push(c);
        }
        let results = join_all(by_hook.into_iter().map(|(hook, rows)| self.deliver_to(hook, rows))).await;
        for r in results {
            r?;
        }
        Ok(n)
    }

    async fn deliver_to(&self, hook_id: i64, rows: Vec<Claimed>) -> Result<(), OpsError> {
        let hook = match webhooks::get(&self.store, hook_id).await {
            Ok(h) => h,
            Err(OpsError::UnknownWebhook(_)) => {
                for r in &rows {
                    outbox::mark_retry(&self.store, r.id, r.created_at, true, "webhook removed").await?;
                }
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let now = access::clock::now().0;
        if !hook.kind().robot() {
            let sends = rows.iter().map(|r| self.send_one(&hook, r));
            for r in join_all(sends).await {
                r?;
            }
            return Ok(());
        }
        // A robot: at most ROBOT_PER_MINUTE requests in any minute.
        let recent: Vec<(i64,)> = sql::all(
            &self.store,
            "SELECT sent_at FROM webhook_sends WHERE webhook_id = $1 AND sent_at > $2 ORDER BY sent_at",
            args![hook.id, now - MINUTE_MICROS],
        )
        .await?;
        let room = ROBOT_PER_MINUTE - recent.len() as i64;
        if room <= 0 {
            let free_at = recent.first().map_or(now, |t| t.0) + MINUTE_MICROS;
            for r in &rows {
                outbox::postpone(&self.store, r.id, free_at).await?;
            }
            return Ok(());
        }
        let room = room as usize;
        let (single, digest) = if rows.len() <= room { (rows.as_slice(), &[][..]) } else { rows.split_at(room - 1) };
        for r in join_all(single.iter().map(|r| self.send_one(&hook, r))).await {
            r?;
        }
        if !digest.is_empty() {
            self.send_digest(&hook, digest).await?;
        }
        Ok(())
    }

    /// Sends one message and records the result.
    async fn send_one(&self, hook: &Webhook, row: &Claimed) -> Result<(), OpsError> {
        let warning = match row.warning_id {
            Some(id) => Some(warnings::get(&self.store, id).await?),
            None => None,
        };
        let body = self.body(hook, row, warning.as_ref());
        let result = self.post(hook, body, Some(row.id)).await?;
        self.record(&[row], result).await
    }

    /// Sends the rows as one digest message and records the result for each.
    async fn send_digest(&self, hook: &Webhook, rows: &[Claimed]) -> Result<(), OpsError> {
        let mut text = format!("### 【预警汇总】共 {} 条\n", rows.len());
        for r in rows.iter().take(DIGEST_LINES) {
            text.push_str(&format!("- {}\n", r.subject));
        }
        if rows.len() > DIGEST_LINES {
            text.push_str(&format!("- ……另有 {} 条\n", rows.len() - DIGEST_LINES));
        }
        text.push_str(&format!("\n[查看全部预警]({}/work)", self.public_url));
        let body = markdown(hook.kind(), "预警汇总", &text);
        let result = self.post(hook, body, None).await?;
        let refs: Vec<&Claimed> = rows.iter().collect();
        self.record(&refs, result).await
    }

    async fn record(&self, rows: &[&Claimed], result: Result<(), Failure>) -> Result<(), OpsError> {
        let now = access::clock::now().0;
        match result {
            Ok(()) => outbox::mark_delivered(&self.store, &rows.iter().map(|r| r.id).collect::<Vec<_>>(), now).await,
            Err(f) => {
                for r in rows {
                    let give_up = now - r.created_at >= GIVE_UP_MICROS;
                    let next = now + backoff(r.attempts + 1, f.retry_after);
                    if give_up {
                        tracing::warn!(outbox = r.id, error = %f.error, "message failed for 24 h: given up");
                    }
                    outbox::mark_retry(&self.store, r.id, next, give_up, &f.error).await?;
                }
                Ok(())
            }
        }
    }

    /// The body of one message in the webhook's format.
    fn body(&self, hook: &Webhook, row: &Claimed, w: Option<&WarningRow>) -> Vec<u8> {
        let topic = Topic::parse(&row.topic).unwrap_or(Topic::Raised);
        let url = match w {
            Some(w) => format!("{}/work?warning={}", self.public_url, w.id),
            None => format!("{}/work", self.public_url),
        };
        match (hook.kind(), w) {
            (Kind::Generic, Some(w)) => serde_json::to_vec(&serde_json::json!({
                "warning_id": w.id,
                "month": w.month,
                "subject_kind": w.subject_kind,
                "subject_id": w.subject_id,
                "subject_name": w.subject_name,
                "org_id": w.org_id,
                "reason": w.reason,
                "light": w.light,
                "state": w.state,
                "raised_at": warnings::at(w.raised_at),
                "url": url,
                "topic": topic.as_str(),
                "reason_zh": w.reason_zh(),
            }))
            .unwrap_or_default(),
            (Kind::Generic, None) => serde_json::to_vec(&serde_json::json!({ "topic": topic.as_str(), "text": row.subject, "url": url })).unwrap_or_default(),
            (kind, Some(w)) => {
                let title = format!("【{}{}】{}", w.light().zh(), topic.zh(), w.subject_name);
                let text = format!(
                    "### {title}\n- 组织：{}\n- 原因：{}\n- 月份：{}\n- 状态：{}\n\n[查看并处理]({url})",
                    w.org_name,
                    w.reason_zh(),
                    w.month,
                    w.state().zh()
                );
                markdown(kind, &title, &text)
            }
            (kind, None) => {
                let title = format!("【{}】", topic.zh());
                markdown(kind, &title, &format!("### {title}\n{}\n\n[查看]({url})", row.subject))
            }
        }
    }

    /// Posts `body`; `Ok` when the receiver took it.
    async fn post(&self, hook: &Webhook, body: Vec<u8>, idempotency: Option<i64>) -> Result<Result<(), Failure>, OpsError> {
        // Only a robot's requests are counted (its limit of 20 a minute).
        if hook.kind().robot() {
            let now = access::clock::now().0;
            sql::execute(&self.store, "INSERT INTO webhook_sends (webhook_id, sent_at) VALUES ($1, $2)", args![hook.id, now]).await?;
        }
        let url = match hook.kind() {
            Kind::DingTalk => webhooks::dingtalk_url(&hook.url, hook.secret.as_deref(), unix_ms())?,
            _ => reqwest::Url::parse(&hook.url).map_err(|e| OpsError::Invalid(format!("url: {e}")))?,
        };
        let mut req = self.client.post(url).header(reqwest::header::CONTENT_TYPE, "application/json");
        if hook.kind() == Kind::Generic {
            if let Some(id) = idempotency {
                req = req.header("Idempotency-Key", id.to_string());
            }
            if let Some(secret) = &hook.secret {
                req = req.header("X-Vanguard-Signature", webhooks::generic_signature(secret, &body));
            }
        }
        let resp = match req.body(body).send().await {
            Ok(r) => r,
            Err(e) => {
                let what = if e.is_timeout() { "no answer in 10 s".to_string() } else { format!("cannot reach the receiver: {}", without_url(&e)) };
                return Ok(Err(Failure { error: what, retry_after: None }));
            }
        };
        let status = resp.status();
        let retry_after =
            resp.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            return Ok(Err(Failure { error: format!("HTTP {}", status.as_u16()), retry_after }));
        }
        if hook.kind().robot() {
            // The platforms answer HTTP 200 with {"errcode": N, "errmsg": …}: non-zero is a failure.
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
            let code = v.get("errcode").and_then(serde_json::Value::as_i64).unwrap_or(0);
            if code != 0 {
                let msg = v.get("errmsg").and_then(serde_json::Value::as_str).unwrap_or("");
                return Ok(Err(Failure { error: format!("errcode {code}: {msg}"), retry_after }));
            }
        }
        Ok(Ok(()))
    }
}

/// A robot's markdown message.
fn markdown(kind: Kind, title: &str, text: &str) -> Vec<u8> {
    let v = match kind {
        Kind::DingTalk => serde_json::json!({"msgtype": "markdown", "markdown": {"title": title, "text": text}}),
        _ => serde_json::json!({"msgtype": "markdown", "markdown": {"content": text}}),
    };
    serde_json::to_vec(&v).unwrap_or_default()
}

/// reqwest's error without the URL (a robot's URL holds its access token).
fn without_url(e: &reqwest::Error) -> String {
    let mut s = String::new();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(x) = src {
        s = x.to_string();
        src = x.source();
    }
    if s.is_empty() { "connection failed".into() } else { s }
}

fn unix_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_ten_minutes_and_honours_retry_after() {
        assert_eq!(backoff(1, None), 1_000_000);
        assert_eq!(backoff(2, None), 2_000_000);
        assert_eq!(backoff(4, None), 8_000_000);
        assert_eq!(backoff(40, None), 600_000_000);
        assert_eq!(backoff(1, Some(Duration::from_secs(30))), 30_000_000);
        assert_eq!(backoff(12, Some(Duration::from_secs(5))), 600_000_000);
    }
}
