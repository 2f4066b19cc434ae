//! Server-side sessions (docs/RULES.md §10): the cookie holds a random id, the store a row with
//! its SHA-256, the account or token it stands for and when it expires. Because the session
//! lives on the server, logging out, disabling the account or revoking the token ends it at
//! once — a copied cookie stops working too — and sessions survive a restart of the server.
//!
//! Expiry slides: each use moves it forward (at most once a minute, to spare the store a
//! write per request), so a person is logged out after [`ACCOUNT_IDLE`] without a request,
//! and a kiosk display that shows the wall day and night stays logged in while its token is
//! valid.

use crate::audit::{self, Action, Actor, AuditEntry, Outcome};
use crate::db::{self, Tx, args};
use crate::tokens::{self, TokenInfo};
use crate::{AccessError, clock, secret};
use domain::{Role, Timestamp};
use std::time::Duration;
use store::Store;

/// A person's session ends after this long without a request.
pub const ACCOUNT_IDLE: Duration = Duration::from_secs(12 * 3600);
/// A kiosk display's session ends after this long without a request (and always with its
/// token).
pub const TOKEN_IDLE: Duration = Duration::from_secs(30 * 86_400);
/// The expiry is moved forward only when the last recorded use is older than this.
pub const SLIDE_EVERY: Duration = Duration::from_secs(60);

/// What a session or a token is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Principal {
    /// An account, by its id.
    Account(i64),
    /// A kiosk token, by its id.
    Token(i64),
}

/// Who is calling, as every page, server function, API route and SSE stream reads it (§10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The account's login, or `token:LABEL` for a kiosk token.
    pub login: String,
    pub role: Role,
    /// The root of the caller's scope.
    pub org_id: String,
    /// The member this caller is (check-in, "my report"), if any.
    pub member_id: Option<String>,
    /// Member names must be masked for this caller ([`domain::mask_name`]): a `viewer`.
    pub masked: bool,
    /// The SHA-256 (hex) of the session the caller came with; `None` for a bearer token.
    /// Not a secret: it names the session in logs and for [`end_session_by_hash`].
    pub session: Option<String>,
    pub principal: Principal,
}

/// The value of a session cookie: 32 random bytes, base64url. Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl SessionId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// The SHA-256 (hex) under which the store keeps it (= [`Caller::session`]).
    pub fn hash(&self) -> String {
        secret::digest(&self.0)
    }
}

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionId(…)")
    }
}

/// Starts a session for an account (after [`crate::verify_login`]) or a token (after
/// [`crate::token_caller`], for `/kiosk?token=`). Expired sessions of anyone are swept in the
/// same transaction. Fails with [`AccessError::InvalidCredentials`] if the account is disabled
/// or the token revoked or expired by now.
pub async fn create_session(store: &Store, principal: Principal) -> Result<SessionId, AccessError> {
    let id = SessionId(secret::new_secret()?);
    let now = clock::now();
    let mut tx = Tx::write(store).await?;
    let (account_id, token_id, idle) = match principal {
        Principal::Account(a) => {
            let live: Option<(i64,)> = tx.optional("SELECT id FROM accounts WHERE id = $1 AND disabled_at IS NULL", args![a]).await?;
            live.ok_or(AccessError::InvalidCredentials)?;
            (Some(a), None, ACCOUNT_IDLE)
        }
        Principal::Token(t) => {
            let live: Option<(i64,)> = tx
                .optional("SELECT id FROM kiosk_tokens WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)", args![t, now.0])
                .await?;
            live.ok_or(AccessError::InvalidCredentials)?;
            (None, Some(t), TOKEN_IDLE)
        }
    };
    tx.execute("DELETE FROM sessions WHERE expires_at <= $1", args![now.0]).await?;
    tx.execute(
        "INSERT INTO sessions (id_hash, account_id, token_id, created_at, last_seen, expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
        args![id.hash(), account_id, token_id, now.0, clock::plus(now, idle).0],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    last_seen: i64,
    expires_at: i64,
    account_id: Option<i64>,
    login: Option<String>,
    role: Option<String>,
    account_org: Option<String>,
    member_id: Option<String>,
    disabled_at: Option<i64>,
    token_id: Option<i64>,
    label: Option<String>,
    token_org: Option<String>,
    token_created: Option<i64>,
    token_expires: Option<i64>,
    revoked_at: Option<i64>,
}

/// The caller a session cookie stands for, or `None` when there is no such session, it has
/// expired, its account is disabled or its token revoked or expired. A live session's expiry
/// slides forward; a dead one is deleted.
pub async fn session(store: &Store, cookie: &str) -> Result<Option<Caller>, AccessError> {
    if !secret::looks_like_secret(cookie) {
        return Ok(None);
    }
    let hash = secret::digest(cookie);
    let row: Option<SessionRow> = db::optional(
        store,
        "SELECT s.last_seen, s.expires_at,
                s.account_id, a.login, a.role, a.org_id AS account_org, a.member_id, a.disabled_at,
                s.token_id, t.label, t.org_id AS token_org, t.created_at AS token_created, t.expires_at AS token_expires, t.revoked_at
         FROM sessions s
         LEFT JOIN accounts a ON a.id = s.account_id
         LEFT JOIN kiosk_tokens t ON t.id = s.token_id
         WHERE s.id_hash = $1",
        args![hash.clone()],
    )
    .await?;
    let Some(r) = row else { return Ok(None) };
    let now = clock::now();
    let (caller, idle) = if r.expires_at <= now.0 {
        (None, ACCOUNT_IDLE)
    } else if let (Some(id), Some(login), Some(role), Some(org)) = (r.account_id, r.login, r.role, r.account_org) {
        let role = Role::parse(&role).map_err(|_| AccessError::Corrupt("an account's role"))?;
        let caller = Caller {
            login,
            role,
            org_id: org,
            member_id: r.member_id,
            masked: role.masks_names(),
            session: Some(hash.clone()),
            principal: Principal::Account(id),
        };
        (r.disabled_at.is_none().then_some(caller), ACCOUNT_IDLE)
    } else if let (Some(id), Some(label), Some(org), Some(created)) = (r.token_id, r.label, r.token_org, r.token_created) {
        let t = TokenInfo {
            id,
            org_id: org,
            label,
            created_at: Timestamp(created),
            expires_at: r.token_expires.map(Timestamp),
            revoked_at: r.revoked_at.map(Timestamp),
        };
        (t.is_valid_at(now).then(|| tokens::token_as_caller(&t, Some(hash.clone()))), TOKEN_IDLE)
    } else {
        (None, ACCOUNT_IDLE)
    };
    match &caller {
        None => {
            db::execute(store, "DELETE FROM sessions WHERE id_hash = $1", args![hash]).await?;
        }
        Some(_) if clock::minus(now, SLIDE_EVERY).0 >= r.last_seen => {
            // Never brings a deleted session back: an UPDATE of a row that `end_session`,
            // `disable_user` or `revoke_token` has just deleted changes nothing.
            db::execute(store, "UPDATE sessions SET last_seen = $2, expires_at = $3 WHERE id_hash = $1", args![hash, now.0, clock::plus(now, idle).0]).await?;
        }
        Some(_) => {}
    }
    Ok(caller)
}

/// Logs out: deletes the session (a copy of the cookie stops working too) and writes a
/// `logout` row in the same transaction. `false` when there was no such session.
pub async fn end_session(store: &Store, cookie: &str, ip: Option<&str>) -> Result<bool, AccessError> {
    if !secret::looks_like_secret(cookie) {
        return Ok(false);
    }
    end_session_by_hash(store, &secret::digest(cookie), ip).await
}

/// [`end_session`] for a session known by its hash ([`Caller::session`]).
pub async fn end_session_by_hash(store: &Store, hash: &str, ip: Option<&str>) -> Result<bool, AccessError> {
    let mut tx = Tx::write(store).await?;
    let who: Option<(Option<String>, Option<String>, Option<String>)> = tx
        .optional(
            "SELECT a.login, a.role, t.label FROM sessions s
             LEFT JOIN accounts a ON a.id = s.account_id LEFT JOIN kiosk_tokens t ON t.id = s.token_id
             WHERE s.id_hash = $1",
            args![hash],
        )
        .await?;
    let Some((login, role, label)) = who else { return Ok(false) };
    tx.execute("DELETE FROM sessions WHERE id_hash = $1", args![hash]).await?;
    let (name, role) = match (login, label) {
        (Some(login), _) => (login, role.and_then(|r| Role::parse(&r).ok())),
        (None, Some(label)) => (format!("token:{label}"), Some(Role::Viewer)),
        (None, None) => ("?".to_owned(), None),
    };
    let target = name.clone();
    audit::insert(&mut tx, &AuditEntry::new(Actor { name, role, ip: ip.map(str::to_owned) }, Action::Logout, target, Outcome::Ok)).await?;
    tx.commit().await?;
    Ok(true)
}
