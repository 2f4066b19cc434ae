//! Webhooks (docs/RULES.md §11): where warnings are pushed besides the inboxes, and the three
//! formats they are pushed in.
//!
//! - `wecom` (企业微信群机器人): `{"msgtype":"markdown","markdown":{"content":…}}`;
//! - `dingtalk` (钉钉自定义机器人): `{"msgtype":"markdown","markdown":{"title":…,"text":…}}`,
//!   signed in the query (`timestamp`, `sign`) when a secret is set;
//! - `generic`: the warning as JSON, with `Idempotency-Key: <outbox row id>` and
//!   `X-Vanguard-Signature: sha256=<hex HMAC-SHA256(secret, body)>` when a secret is set.
//!
//! The signatures use RustCrypto's `hmac` and `sha2`; nothing is hand-rolled.

use access::{AuditEntry, audit_in};
use base64ct::{Base64, Encoding};
use domain::wire::{NewWebhook, WebhookView};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use store::Store;
use store::sql::{self, Tx, args};

use crate::OpsError;
use crate::warnings::at;

/// A robot's limit (§11): more messages than this in a minute go as one digest.
pub const ROBOT_PER_MINUTE: i64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    WeCom,
    DingTalk,
    Generic,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::WeCom => "wecom",
            Kind::DingTalk => "dingtalk",
            Kind::Generic => "generic",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        [Kind::WeCom, Kind::DingTalk, Kind::Generic].into_iter().find(|k| k.as_str() == s)
    }

    /// A group chat's robot, which takes at most [`ROBOT_PER_MINUTE`] messages a minute and
    /// answers a refusal as HTTP 200 with a non-zero `errcode`.
    pub fn robot(self) -> bool {
        self != Kind::Generic
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Webhook {
    pub id: i64,
    pub org_id: String,
    pub kind: String,
    pub url: String,
    pub secret: Option<String>,
    pub created_at: i64,
}

impl Webhook {
    pub fn kind(&self) -> Kind {
        Kind::parse(&self.kind).unwrap_or(Kind::Generic)
    }
}

/// Checks a webhook to add: a known kind, an `http(s)` URL, an organisation of the store.
async fn check(tx: &mut Tx, new: &NewWebhook) -> Result<Kind, OpsError> {
    let kind = Kind::parse(&new.kind).ok_or_else(|| OpsError::Invalid(format!("kind: {:?} is not wecom, dingtalk or generic", new.kind)))?;
    let url = reqwest::Url::parse(&new.url).map_err(|e| OpsError::Invalid(format!("url: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(OpsError::Invalid("url: must be an http:// or https:// address".into()));
    }
    if new.secret.as_deref().is_some_and(|s| s.is_empty() || s.len() > 512) {
        return Err(OpsError::Invalid("secret: 1 to 512 bytes when given".into()));
    }
    let org: Option<(i64,)> = tx.optional("SELECT id FROM orgs WHERE org_id = $1", args![&new.org_id]).await?;
    if org.is_none() {
        return Err(OpsError::Invalid(format!("org_id: no organisation {:?}", new.org_id)));
    }
    Ok(kind)
}

/// Adds a webhook (`vanguard webhook add`, or an admin in the browser), audited in the same
/// transaction; its id.
pub async fn add(store: &Store, new: &NewWebhook, entry: impl FnOnce(i64) -> AuditEntry) -> Result<i64, OpsError> {
    let mut tx = Tx::write(store).await?;
    let kind = check(&mut tx, new).await?;
    let now = access::clock::now().0;
    let (id,): (i64,) = tx
        .optional(
            "INSERT INTO webhooks (org_id, kind, url, secret, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            args![&new.org_id, kind.as_str(), &new.url, new.secret.clone(), now],
        )
        .await?
        .ok_or_else(|| OpsError::Invalid("webhook not stored".into()))?;
    audit_in(&mut tx, &entry(id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Stops using a webhook: its pending messages are marked failed; its history stays.
pub async fn remove(store: &Store, id: i64, entry: &AuditEntry) -> Result<(), OpsError> {
    let mut tx = Tx::write(store).await?;
    let now = access::clock::now().0;
    let n = tx.execute("UPDATE webhooks SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL", args![id, now]).await?;
    if n == 0 {
        return Err(OpsError::UnknownWebhook(id));
    }
    tx.execute("UPDATE outbox SET state = 'failed', last_error = 'webhook removed' WHERE webhook_id = $1 AND state = 'pending'", args![id]).await?;
    audit_in(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn get(store: &Store, id: i64) -> Result<Webhook, OpsError> {
    let w: Option<Webhook> =
        sql::optional(store, "SELECT id, org_id, kind, url, secret, created_at FROM webhooks WHERE id = $1 AND removed_at IS NULL", args![id]).await?;
    w.ok_or(OpsError::UnknownWebhook(id))
}

/// The webhooks in use, with their message counts, for the admin page.
pub async fn list(store: &Store) -> Result<Vec<WebhookView>, OpsError> {
    let hooks: Vec<Webhook> =
        sql::all(store, "SELECT id, org_id, kind, url, secret, created_at FROM webhooks WHERE removed_at IS NULL ORDER BY id", args![]).await?;
    let counts: Vec<(i64, String, i64)> =
        sql::all(store, "SELECT webhook_id, state, COUNT(*) FROM outbox WHERE webhook_id IS NOT NULL GROUP BY webhook_id, state", args![]).await?;
    let errors: Vec<(i64, String)> = sql::all(
        store,
        "SELECT o.webhook_id, o.last_error FROM outbox o \
         WHERE o.id IN (SELECT MAX(id) FROM outbox WHERE webhook_id IS NOT NULL AND last_error IS NOT NULL GROUP BY webhook_id)",
        args![],
    )
    .await?;
    Ok(hooks
        .into_iter()
        .map(|h| {
            let count = |s: &str| counts.iter().filter(|(w, st, _)| *w == h.id && st == s).map(|c| c.2).sum();
            WebhookView {
                id: h.id,
                org_id: h.org_id.clone(),
                kind: h.kind.clone(),
                url: h.url.clone(),
                signed: h.secret.is_some(),
                created_at: at(h.created_at),
                pending: count("pending"),
                delivered: count("delivered"),
                failed: count("failed"),
                last_error: errors.iter().find(|(w, _)| *w == h.id).map(|e| e.1.clone()),
            }
        })
        .collect())
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(secret: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// DingTalk's `sign` for `timestamp` (ms): base64 of HMAC-SHA256(secret, `timestamp + "\n" +
/// secret`). The caller URL-encodes it as a query value.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    Base64::encode_string(&hmac(secret.as_bytes(), format!("{timestamp_ms}\n{secret}").as_bytes()))
}

/// The generic webhook's `X-Vanguard-Signature`: `sha256=` and the lowercase hex of
/// HMAC-SHA256(secret, body).
pub fn generic_signature(secret: &str, body: &[u8]) -> String {
    let mut s = String::from("sha256=");
    for b in hmac(secret.as_bytes(), body) {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The URL a DingTalk message is posted to: with `timestamp` and `sign` when signed.
pub fn dingtalk_url(url: &str, secret: Option<&str>, timestamp_ms: i64) -> Result<reqwest::Url, OpsError> {
    let mut u = reqwest::Url::parse(url).map_err(|e| OpsError::Invalid(format!("url: {e}")))?;
    if let Some(secret) = secret {
        u.query_pairs_mut().append_pair("timestamp", &timestamp_ms.to_string()).append_pair("sign", &dingtalk_sign(secret, timestamp_ms));
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_known_values() {
        // HMAC-SHA256 test vector of RFC 4231, case 2 ("Jefe").
        assert_eq!(generic_signature("Jefe", b"what do ya want for nothing?"), "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        // DingTalk: the same HMAC over "timestamp\nsecret", base64, then URL-encoded in the query.
        let s = dingtalk_sign("SEC123", 1_700_000_000_000);
        assert_eq!(s, Base64::encode_string(&hmac(b"SEC123", b"1700000000000\nSEC123")));
        let u = dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=T", Some("SEC123"), 1_700_000_000_000).unwrap();
        let q: Vec<(String, String)> = u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        assert_eq!(q, vec![("access_token".into(), "T".into()), ("timestamp".into(), "1700000000000".into()), ("sign".into(), s.clone())]);
        assert!(!u.as_str().contains('+') || !s.contains('+'), "the sign is URL-encoded");
    }
}
