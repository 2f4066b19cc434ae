//! The audit log (docs/RULES.md §10): one row per `login`, `login_failed`, `logout`,
//! `token_create`, `token_revoke`, `user_add`, `user_disable`, `member_view`, `checkin`,
//! `warning_ack`, `warning_resolve`, `resource_use`, `webhook_change`, `rules_change` and
//! `denied`, with `outcome` `ok` or `denied`.
//!
//! This module is the only writer of the `audit` table: the writes of this crate call
//! [`insert`] inside their own transaction (the change and its row commit together or not
//! at all), and everything else calls [`audit`]. Rows are never updated or deleted: the
//! table's triggers refuse it on both databases, whoever asks.

use crate::clock::{self, format_millis};
use crate::db::{self, Tx, args};
use crate::{AccessError, Caller};
use domain::{Role, Timestamp};
use std::io::Write;
use std::time::Duration;
use store::Store;

/// What was done (§10's list, spelt as the export writes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Login,
    LoginFailed,
    Logout,
    TokenCreate,
    TokenRevoke,
    UserAdd,
    UserDisable,
    /// A member profile opened by a person (not a `viewer`).
    MemberView,
    Checkin,
    /// An activity created in the browser or through the API (§10 check-in, step 1): a write
    /// like the others, so it is audited too (an addition to §10's list).
    ActivityCreate,
    WarningAck,
    WarningResolve,
    ResourceUse,
    WebhookChange,
    RulesChange,
    /// A request refused with 403.
    Denied,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Login,
        Action::LoginFailed,
        Action::Logout,
        Action::TokenCreate,
        Action::TokenRevoke,
        Action::UserAdd,
        Action::UserDisable,
        Action::MemberView,
        Action::Checkin,
        Action::ActivityCreate,
        Action::WarningAck,
        Action::WarningResolve,
        Action::ResourceUse,
        Action::WebhookChange,
        Action::RulesChange,
        Action::Denied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::LoginFailed => "login_failed",
            Action::Logout => "logout",
            Action::TokenCreate => "token_create",
            Action::TokenRevoke => "token_revoke",
            Action::UserAdd => "user_add",
            Action::UserDisable => "user_disable",
            Action::MemberView => "member_view",
            Action::Checkin => "checkin",
            Action::ActivityCreate => "activity_create",
            Action::WarningAck => "warning_ack",
            Action::WarningResolve => "warning_resolve",
            Action::ResourceUse => "resource_use",
            Action::WebhookChange => "webhook_change",
            Action::RulesChange => "rules_change",
            Action::Denied => "denied",
        }
    }
}

/// `ok`, or `denied` (a refused login, a 403).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Ok,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
        }
    }
}

/// Who acts: a caller of the web layer, the command line (`cli`) or the server itself on its
/// first run (`system`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// A login, `token:LABEL`, `cli` or `system`.
    pub name: String,
    /// `None` for `cli` and `system`, which are no account.
    pub role: Option<Role>,
    /// The client address, for requests over the network.
    pub ip: Option<String>,
}

impl Actor {
    /// The `vanguard` command line: whoever can run it can read the database anyway.
    pub fn cli() -> Actor {
        Actor { name: "cli".to_owned(), role: None, ip: None }
    }

    /// The server acting on its own (the first-run admin and kiosk token).
    pub fn system() -> Actor {
        Actor { name: "system".to_owned(), role: None, ip: None }
    }

    /// A caller of the web layer, from `ip`.
    pub fn caller(caller: &Caller, ip: Option<&str>) -> Actor {
        Actor { name: caller.login.clone(), role: Some(caller.role), ip: ip.map(str::to_owned) }
    }
}

/// One row of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor: Actor,
    pub action: Action,
    /// What it was done to: a login, `token:LABEL#ID`, a member or warning id, a path…
    pub target: String,
    pub outcome: Outcome,
}

impl AuditEntry {
    pub fn new(actor: Actor, action: Action, target: impl Into<String>, outcome: Outcome) -> AuditEntry {
        AuditEntry { actor, action, target: target.into(), outcome }
    }

    /// `action` by `caller` from `ip`, `ok`.
    pub fn ok(caller: &Caller, ip: Option<&str>, action: Action, target: impl Into<String>) -> AuditEntry {
        AuditEntry::new(Actor::caller(caller, ip), action, target, Outcome::Ok)
    }

    /// A 403: `denied`, `denied`.
    pub fn denied(caller: &Caller, ip: Option<&str>, target: impl Into<String>) -> AuditEntry {
        AuditEntry::new(Actor::caller(caller, ip), Action::Denied, target, Outcome::Denied)
    }
}

/// Longest text kept in a column: the actor of a failed login and a target can come from a
/// client, which must not be able to flood the log.
const MAX_FIELD_CHARS: usize = 200;

/// Control characters (line breaks included) become spaces and the text is cut to
/// [`MAX_FIELD_CHARS`], so that a row always reads as one line of plain text.
fn clean(s: &str) -> String {
    s.chars().take(MAX_FIELD_CHARS).map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Appends `e` inside the caller's transaction, so the change and its row commit together or
/// not at all: the writes of this crate, and those of others made in a [`store::sql::Tx`]
/// (a check-in, a created activity, a resource use).
pub async fn insert(tx: &mut Tx, e: &AuditEntry) -> Result<(), AccessError> {
    tx.execute(
        "INSERT INTO audit (at, actor, role, action, target, outcome, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![
            clock::now().0,
            clean(&e.actor.name),
            e.actor.role.map_or("", Role::as_str),
            e.action.as_str(),
            clean(&e.target),
            e.outcome.as_str(),
            clean(e.actor.ip.as_deref().unwrap_or(""))
        ],
    )
    .await?;
    Ok(())
}

/// Appends one row on its own: for actions that change nothing else (`member_view`,
/// `denied`, `login_failed`). A write appends its row with [`insert`] in its own transaction.
pub async fn audit(store: &Store, entry: &AuditEntry) -> Result<(), AccessError> {
    let mut tx = Tx::write(store).await?;
    insert(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Failed logins within a window, counted from the log itself, so the count is shared by
/// every server process on the store and survives a restart. §10: after 5 failures for one
/// login or one client address within 15 minutes, further attempts get 429 — the web layer
/// decides with these two numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    pub by_login: i64,
    pub by_ip: i64,
}

pub async fn login_failures(store: &Store, login: &str, ip: Option<&str>, window: Duration) -> Result<Failures, AccessError> {
    let since = clock::minus(clock::now(), window).0;
    let (by_login, by_ip): (i64, i64) = db::optional(
        store,
        "SELECT CAST(COALESCE(SUM(CASE WHEN actor = $2 THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN ip = $3 AND ip <> '' THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM audit WHERE at >= $1 AND action = 'login_failed'",
        args![since, clean(login), clean(ip.unwrap_or(""))],
    )
    .await?
    .unwrap_or((0, 0));
    Ok(Failures { by_login, by_ip })
}

/// The columns of the export, in order (§10).
pub const EXPORT_HEADER: [&str; 7] = ["at", "actor", "role", "action", "target", "outcome", "ip"];

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: i64,
    actor: String,
    role: String,
    action: String,
    target: String,
    outcome: String,
    ip: String,
}

/// Writes the whole log as CSV (`at,actor,role,action,target,outcome,ip`, header row, LF line
/// ends, RFC 4180 quoting), sorted by `at` then by order of writing; `at` as
/// `YYYY-MM-DDTHH:MM:SS.mmm` Asia/Shanghai ([`crate::clock`]). Reads one snapshot page by
/// page, so a long log never sits in memory whole. Returns the number of rows written.
pub async fn export_audit(store: &Store, out: impl Write) -> Result<u64, AccessError> {
    const PAGE: i64 = 5_000;
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
    let csv_err = |e: csv::Error| AccessError::Export(e.into());
    w.write_record(EXPORT_HEADER).map_err(csv_err)?;
    let mut tx = Tx::snapshot(store).await?;
    let (mut after_at, mut after_id, mut n) = (i64::MIN, i64::MIN, 0u64);
    loop {
        let rows: Vec<Row> = tx
            .all(
                "SELECT id, at, actor, role, action, target, outcome, ip FROM audit
                 WHERE at > $1 OR (at = $1 AND id > $2) ORDER BY at, id LIMIT $3",
                args![after_at, after_id, PAGE],
            )
            .await?;
        for r in &rows {
            let at = format_millis(Timestamp(r.at));
            w.write_record([at.as_str(), &r.actor, &r.role, &r.action, &r.target, &r.outcome, &r.ip]).map_err(csv_err)?;
            n += 1;
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE => (after_at, after_id) = (last.at, last.id),
            _ => break,
        }
    }
    tx.commit().await?;
    w.flush().map_err(AccessError::Export)?;
    Ok(n)
}

/// The rows of the log an admin page (or `GET /api/v1/audit`) shows at most: the newest.
pub const PAGE_ROWS: i64 = 500;

/// What the admin page filters the log by (each `None` lets everything through).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// From this time on (inclusive).
    pub from: Option<Timestamp>,
    /// Before this time (exclusive).
    pub to: Option<Timestamp>,
}

impl AuditFilter {
    /// From the admin page's fields (blank: no filter): `from` / `to` as `YYYY-MM-DD` (its
    /// midnight) or `YYYY-MM-DDTHH:MM:SS`, local time; `action` one of [`Action::ALL`]. The
    /// error names the field.
    pub fn parse(actor: Option<&str>, action: Option<&str>, from: Option<&str>, to: Option<&str>) -> Result<AuditFilter, String> {
        let text = |v: Option<&str>| v.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let time = |field: &str, v: Option<&str>| -> Result<Option<Timestamp>, String> {
            match text(v) {
                None => Ok(None),
                Some(s) if s.len() == 10 => Timestamp::parse(&format!("{s}T00:00:00")).map(Some).map_err(|e| format!("{field}: {e}")),
                Some(s) => Timestamp::parse(&s).map(Some).map_err(|e| format!("{field}: {e}")),
            }
        };
        let action = text(action);
        if let Some(a) = &action
            && !Action::ALL.iter().any(|x| x.as_str() == a)
        {
            return Err(format!("action: {a:?} is not an audited action"));
        }
        Ok(AuditFilter { actor: text(actor), action, from: time("from", from)?, to: time("to", to)? })
    }
}

/// Rows of the log matching `filter`, newest first, at most `limit` (the admin page reads
/// the recent end; the whole log is `export audit`).
pub async fn read_audit(store: &Store, filter: &AuditFilter, limit: i64) -> Result<Vec<domain::wire::AuditRecord>, AccessError> {
    let rows: Vec<Row> = db::all(
        store,
        "SELECT id, at, actor, role, action, target, outcome, ip FROM audit
         WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2) AND at >= $3 AND at < $4
         ORDER BY at DESC, id DESC LIMIT $5",
        args![
            filter.actor.as_deref().unwrap_or(""),
            filter.action.as_deref().unwrap_or(""),
            filter.from.map_or(i64::MIN, |t| t.0),
            filter.to.map_or(i64::MAX, |t| t.0),
            limit.clamp(1, 10_000)
        ],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| domain::wire::AuditRecord {
            at: format_millis(Timestamp(r.at)),
            actor: r.actor,
            role: r.role,
            action: r.action,
            target: r.target,
            outcome: r.outcome,
            ip: r.ip,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning() {
        assert_eq!(clean("a\nb\r\tc"), "a b  c");
        assert_eq!(clean(&"x".repeat(500)).len(), MAX_FIELD_CHARS);
        assert_eq!(clean("张三"), "张三");
    }

    #[test]
    fn spelling() {
        let all: Vec<_> = Action::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(all.len(), 16);
        assert!(all.contains(&"login_failed") && all.contains(&"member_view") && all.contains(&"denied"));
    }
}
