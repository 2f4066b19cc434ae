//! Kiosk tokens (docs/RULES.md §10): a bearer credential with the `viewer` role for the wall's
//! display, scoped to an organisation's subtree. The token is shown once, when it is made;
//! the store keeps only its SHA-256, so neither a copy of the database nor the audit log can
//! be turned back into a working token.

use crate::audit::{self, Action, Actor, AuditEntry, Outcome};
use crate::db::{self, Tx, args};
use crate::{AccessError, Caller, Principal, accounts, clock, secret};
use domain::{Role, Timestamp};
use std::time::Duration;
use store::Store;

/// Longest validity `--days` accepts (ten years).
pub const MAX_TOKEN_DAYS: u32 = 3650;
/// The label of a token made without one.
pub const DEFAULT_LABEL: &str = "kiosk";

/// A token just made: the only time [`NewToken::token`] exists outside the display it is for.
#[derive(Clone, PartialEq, Eq)]
pub struct NewToken {
    /// The bearer secret (43 characters of base64url).
    pub token: String,
    pub info: TokenInfo,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken").field("token", &"…").field("info", &self.info).finish()
    }
}

/// What the store knows about a token (for the admin's page and the audit log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: i64,
    pub org_id: String,
    pub label: String,
    pub created_at: Timestamp,
    /// `None`: valid until revoked.
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

impl TokenInfo {
    /// As the admin page and `GET /api/v1/tokens` show it.
    pub fn view(&self) -> domain::wire::TokenView {
        domain::wire::TokenView {
            id: self.id,
            org_id: self.org_id.clone(),
            label: self.label.clone(),
            created_at: crate::clock::format_millis(self.created_at),
            expires_at: self.expires_at.map(crate::clock::format_millis),
            revoked_at: self.revoked_at.map(crate::clock::format_millis),
        }
    }

    /// How the audit log names it: `token:LABEL#ID` (labels need not be unique).
    pub fn audit_name(&self) -> String {
        format!("token:{}#{}", self.label, self.id)
    }

    pub fn is_valid_at(&self, t: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| t < e)
    }
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    org_id: String,
    label: String,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl From<TokenRow> for TokenInfo {
    fn from(r: TokenRow) -> TokenInfo {
        TokenInfo {
            id: r.id,
            org_id: r.org_id,
            label: r.label,
            created_at: Timestamp(r.created_at),
            expires_at: r.expires_at.map(Timestamp),
            revoked_at: r.revoked_at.map(Timestamp),
        }
    }
}

const BY_HASH: &str = "SELECT id, org_id, label, created_at, expires_at, revoked_at FROM kiosk_tokens WHERE token_hash = $1";
const BY_ID: &str = "SELECT id, org_id, label, created_at, expires_at, revoked_at FROM kiosk_tokens WHERE id = $1";

fn check_label(label: &str) -> Result<(), AccessError> {
    let n = label.chars().count();
    if n == 0 || n > 64 || label.chars().any(char::is_control) {
        return Err(AccessError::BadLabel);
    }
    Ok(())
}

/// Makes a `viewer` token for `org_id`'s subtree, valid `days` days (`None`: until revoked —
/// a wall that runs for years must not go dark on a date; revocation is the way to stop it),
/// with its `token_create` audit row in the same transaction.
pub async fn create_token(store: &Store, org_id: &str, days: Option<u32>, label: Option<&str>, actor: &Actor) -> Result<NewToken, AccessError> {
    let mut tx = Tx::write(store).await?;
    let new = create_token_in(&mut tx, org_id, days, label, actor).await?;
    tx.commit().await?;
    Ok(new)
}

pub(crate) async fn create_token_in(tx: &mut Tx, org_id: &str, days: Option<u32>, label: Option<&str>, actor: &Actor) -> Result<NewToken, AccessError> {
    let label = label.unwrap_or(DEFAULT_LABEL);
    check_label(label)?;
    if days.is_some_and(|d| d == 0 || d > MAX_TOKEN_DAYS) {
        return Err(AccessError::BadDays);
    }
    accounts::check_org(tx, org_id).await?;
    let token = secret::new_secret()?;
    let now = clock::now();
    let expires_at = days.map(|d| clock::plus(now, Duration::from_secs(u64::from(d) * 86_400)));
    let (id,): (i64,) = tx
        .optional(
            "INSERT INTO kiosk_tokens (token_hash, org_id, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            args![secret::digest(&token), org_id, label, now.0, expires_at.map(|t| t.0)],
        )
        .await?
        .ok_or(AccessError::Corrupt("no id for a new token"))?;
    let info = TokenInfo { id, org_id: org_id.to_owned(), label: label.to_owned(), created_at: now, expires_at, revoked_at: None };
    audit::insert(tx, &AuditEntry::new(actor.clone(), Action::TokenCreate, format!("{} ({org_id})", info.audit_name()), Outcome::Ok)).await?;
    Ok(NewToken { token, info })
}

/// Revokes the token given in full (`vanguard token revoke --token T`).
pub async fn revoke_token(store: &Store, token: &str, actor: &Actor) -> Result<TokenInfo, AccessError> {
    let hash = secret::digest(token);
    revoke(store, BY_HASH, db::Arg::from(hash), actor).await
}

/// Revokes a token by its id (the admin's page lists tokens, never their secrets).
pub async fn revoke_token_id(store: &Store, id: i64, actor: &Actor) -> Result<TokenInfo, AccessError> {
    revoke(store, BY_ID, db::Arg::from(id), actor).await
}

/// Sets `revoked_at` and deletes the token's sessions in one transaction with the
/// `token_revoke` row, so the display stops at its next request, whether it sends the
/// token or a session cookie made from it. Revoking a revoked token is audited again and
/// changes nothing else.
async fn revoke(store: &Store, sql: &'static str, key: db::Arg, actor: &Actor) -> Result<TokenInfo, AccessError> {
    let mut tx = Tx::write(store).await?;
    let row: Option<TokenRow> = tx.optional(sql, vec![key]).await?;
    let mut info = TokenInfo::from(row.ok_or(AccessError::UnknownToken)?);
    if info.revoked_at.is_none() {
        let now = clock::now();
        tx.execute("UPDATE kiosk_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", args![info.id, now.0]).await?;
        info.revoked_at = Some(now);
    }
    tx.execute("DELETE FROM sessions WHERE token_id = $1", args![info.id]).await?;
    audit::insert(&mut tx, &AuditEntry::new(actor.clone(), Action::TokenRevoke, info.audit_name(), Outcome::Ok)).await?;
    tx.commit().await?;
    Ok(info)
}

/// The caller an `Authorization: Bearer TOKEN` (or `/kiosk?token=TOKEN`) stands for, or
/// `None` for an unknown, revoked or expired token.
pub async fn token_caller(store: &Store, bearer: &str) -> Result<Option<Caller>, AccessError> {
    if !secret::looks_like_secret(bearer) {
        return Ok(None);
    }
    let row: Option<TokenRow> = db::optional(store, BY_HASH, args![secret::digest(bearer)]).await?;
    Ok(row.map(TokenInfo::from).filter(|t| t.is_valid_at(clock::now())).map(|t| token_as_caller(&t, None)))
}

pub(crate) fn token_as_caller(t: &TokenInfo, session: Option<String>) -> Caller {
    Caller {
        login: format!("token:{}", t.label),
        role: Role::Viewer,
        org_id: t.org_id.clone(),
        member_id: None,
        masked: true,
        session,
        principal: Principal::Token(t.id),
    }
}

/// Every token, newest first (for the admin's page).
pub async fn list_tokens(store: &Store) -> Result<Vec<TokenInfo>, AccessError> {
    let rows: Vec<TokenRow> =
        db::all(store, "SELECT id, org_id, label, created_at, expires_at, revoked_at FROM kiosk_tokens ORDER BY id DESC", args![]).await?;
    Ok(rows.into_iter().map(TokenInfo::from).collect())
}
