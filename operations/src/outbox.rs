//! The outbox (docs/RULES.md §11): one row per message and channel, written in the
//! transaction of the warning it carries, so that a message exists exactly when its warning
//! does and survives any crash after the commit.
//!
//! Channels are the in-app inbox of each recipient account and each webhook whose
//! organisation's subtree holds the warning's organisation. An inbox row is delivered by
//! being written: the inbox is this table, read by the recipient's pages (it is born
//! `delivered`). A webhook row waits `pending` for the worker ([`crate::worker`]), which
//! claims it for a lease, sends it, and marks it `delivered`, or schedules a retry, or after
//! 24 h marks it `failed` for the admins to see.

use std::collections::HashMap;

use domain::Role;
use store::Store;
use store::sql::{self, Tx, args};

use crate::OpsError;
use crate::lit::{Lights, Lit, SubjectKind};

/// Why a message is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Raised,
    Escalated,
    /// A cleared warning whose light came back on.
    Reopened,
    /// The monthly reports are ready.
    Reports,
    /// An admin's "send a test message".
    Test,
}

impl Topic {
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Raised => "raised",
            Topic::Escalated => "escalated",
            Topic::Reopened => "reopened",
            Topic::Reports => "reports",
            Topic::Test => "test",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        [Topic::Raised, Topic::Escalated, Topic::Reopened, Topic::Reports, Topic::Test].into_iter().find(|t| t.as_str() == s)
    }

    /// The heading of a message (`【红灯预警】`, `【预警升级】` …).
    pub fn zh(self) -> &'static str {
        match self {
            Topic::Raised => "预警",
            Topic::Escalated => "预警升级",
            Topic::Reopened => "预警复现",
            Topic::Reports => "月度报告",
            Topic::Test => "测试消息",
        }
    }
}

/// Who receives what (§11), read once per [`crate::warnings::raise`]: enabled accounts by
/// role and organisation, and the webhooks in use.
#[derive(Debug, Default)]
pub struct Recipients {
    secretaries: HashMap<String, Vec<i64>>,
    officers: HashMap<String, Vec<i64>>,
    members: HashMap<String, Vec<i64>>,
    webhooks: HashMap<String, Vec<i64>>,
}

impl Recipients {
    pub async fn load(tx: &mut Tx) -> Result<Recipients, OpsError> {
        let accounts: Vec<(i64, String, String, Option<String>)> = tx
            .all("SELECT id, role, org_id, member_id FROM accounts WHERE disabled_at IS NULL AND role IN ('secretary', 'officer', 'member')", args![])
            .await?;
        let mut r = Recipients::default();
        for (id, role, org_id, member_id) in accounts {
            match (role.parse::<Role>(), member_id) {
                (Ok(Role::Secretary), _) => r.secretaries.entry(org_id).or_default().push(id),
                (Ok(Role::Officer), _) => r.officers.entry(org_id).or_default().push(id),
                (Ok(Role::Member), Some(m)) => r.members.entry(m).or_default().push(id),
                _ => {}
            }
        }
        let hooks: Vec<(i64, String)> = tx.all("SELECT id, org_id FROM webhooks WHERE removed_at IS NULL", args![]).await?;
        for (id, org_id) in hooks {
            r.webhooks.entry(org_id).or_default().push(id);
        }
        Ok(r)
    }

    /// The accounts whose inbox gets `lit` (§11): a member's warning goes to the secretaries of
    /// its organisation and to the member; a branch's to its secretaries and to the officers of
    /// every organisation above it.
    pub fn accounts(&self, lights: &Lights, lit: &Lit) -> Vec<i64> {
        let get = |m: &HashMap<String, Vec<i64>>, k: &str| m.get(k).cloned().unwrap_or_default();
        let mut out = get(&self.secretaries, &lit.org_id);
        match lit.kind {
            SubjectKind::Member => out.extend(get(&self.members, &lit.subject_id)),
            SubjectKind::Org => {
                for above in lights.chain(&lit.org_id).iter().skip(1) {
                    out.extend(get(&self.officers, above));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The webhooks whose organisation's subtree holds `lit`'s organisation.
    pub fn webhooks(&self, lights: &Lights, lit: &Lit) -> Vec<i64> {
        let mut out: Vec<i64> = lights.chain(&lit.org_id).iter().flat_map(|o| self.webhooks.get(o).cloned().unwrap_or_default()).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Writes the outbox rows of one message about warning `id`; the number written.
    pub async fn enqueue(&self, tx: &mut Tx, lights: &Lights, lit: &Lit, id: i64, topic: Topic, now: i64) -> Result<usize, OpsError> {
        let line = format!("{} {}：{}", lit.light.zh(), lit.subject_name, lit.reason.words(&lit.measure));
        let mut n = 0;
        for account in self.accounts(lights, lit) {
            insert_inbox(tx, topic, Some(id), &line, account, now).await?;
            n += 1;
        }
        for hook in self.webhooks(lights, lit) {
            insert_webhook(tx, topic, Some(id), &line, hook, now).await?;
            n += 1;
        }
        Ok(n)
    }
}

impl Recipients {
    /// "Reports ready" for `month` (§11: delivered to secretaries like a warning): each
    /// branch report to its organisation's secretaries, each member report to the member's
    /// own account, and one message to every webhook in use. The number written.
    pub async fn enqueue_reports(&self, tx: &mut Tx, month: domain::Period, rows: &[crate::reports::ReportRow], now: i64) -> Result<usize, OpsError> {
        let mut n = 0;
        let (mut members, mut branches) = (0, 0);
        for r in rows {
            let (accounts, line) = match r.kind {
                "branch" => {
                    branches += 1;
                    (self.secretaries.get(&r.org_id), format!("{month} 支部党建诊疗报告已生成：{}", r.subject_name))
                }
                _ => {
                    members += 1;
                    (self.members.get(&r.subject_id), format!("{month} 您的锋领指数报告已生成"))
                }
            };
            for account in accounts.into_iter().flatten() {
                insert_inbox(tx, Topic::Reports, None, &line, *account, now).await?;
                n += 1;
            }
        }
        let line = format!("{month} 月度报告已生成：党员锋领指数报告 {members} 份，支部党建诊疗报告 {branches} 份");
        let mut hooks: Vec<i64> = self.webhooks.values().flatten().copied().collect();
        hooks.sort_unstable();
        hooks.dedup();
        for hook in hooks {
            insert_webhook(tx, Topic::Reports, None, &line, hook, now).await?;
            n += 1;
        }
        Ok(n)
    }
}

/// An inbox message: delivered by being written.
pub async fn insert_inbox(tx: &mut Tx, topic: Topic, warning: Option<i64>, line: &str, account: i64, now: i64) -> Result<(), OpsError> {
    tx.execute(
        "INSERT INTO outbox (topic, warning_id, subject, account_id, state, attempts, created_at, next_at, delivered_at) \
         VALUES ($1, $2, $3, $4, 'delivered', 0, $5, $5, $5)",
        args![topic.as_str(), warning, line, account, now],
    )
    .await?;
    Ok(())
}

/// A webhook message, due at once.
pub async fn insert_webhook(tx: &mut Tx, topic: Topic, warning: Option<i64>, line: &str, hook: i64, now: i64) -> Result<(), OpsError> {
    tx.execute(
        "INSERT INTO outbox (topic, warning_id, subject, webhook_id, state, attempts, created_at, next_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
        args![topic.as_str(), warning, line, hook, now],
    )
    .await?;
    Ok(())
}

/// A claimed webhook message, with what its payload needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub topic: String,
    pub warning_id: Option<i64>,
    pub subject: String,
    pub webhook_id: i64,
    pub attempts: i64,
    pub created_at: i64,
}

/// How long a claim holds: longer than one round of sends (each at most 10 s, sent side by
/// side), so that a live worker never loses its rows, and short enough that the rows of a
/// killed one are taken up again soon after a restart.
pub const LEASE_MICROS: i64 = 30 * 1_000_000;
/// Rows claimed per round.
pub const CLAIM_BATCH: i64 = 200;

/// Claims the due webhook messages until `now + LEASE`. The outer conditions are checked
/// again on the row each worker updates, so two workers (two servers) never claim one row.
pub async fn claim(store: &Store, now: i64) -> Result<Vec<Claimed>, OpsError> {
    let mut tx = Tx::write(store).await?;
    let rows: Vec<Claimed> = tx
        .all(
            "UPDATE outbox SET claimed_until = $2 \
             WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1) \
                          ORDER BY id LIMIT $3) \
               AND state = 'pending' AND (claimed_until IS NULL OR claimed_until < $1) \
             RETURNING id, topic, warning_id, subject, webhook_id, attempts, created_at",
            args![now, now + LEASE_MICROS, CLAIM_BATCH],
        )
        .await?;
    tx.commit().await?;
    Ok(rows)
}

/// Webhook messages not yet delivered nor given up (the worker's backlog, for `/metrics`).
pub async fn backlog(store: &Store) -> Result<i64, OpsError> {
    let row: Option<(i64,)> = sql::optional(store, "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND webhook_id IS NOT NULL", args![]).await?;
    Ok(row.map_or(0, |r| r.0))
}

/// Makes every waiting message due now (a server starting: whoever restarts it has usually
/// just mended what failed, and should not wait out a backoff of minutes). Claims are left
/// alone: another live server may hold them.
pub async fn retry_now(store: &Store, now: i64) -> Result<u64, OpsError> {
    Ok(sql::execute(store, "UPDATE outbox SET next_at = $1 WHERE state = 'pending' AND next_at > $1", args![now]).await?)
}

pub async fn mark_delivered(store: &Store, ids: &[i64], now: i64) -> Result<(), OpsError> {
    let mut tx = Tx::write(store).await?;
    for &id in ids {
        tx.execute(
            "UPDATE outbox SET state = 'delivered', delivered_at = $2, attempts = attempts + 1, claimed_until = NULL, last_error = NULL WHERE id = $1",
            args![id, now],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A failed attempt: due again at `next_at`, or `failed` for good when `give_up`.
pub async fn mark_retry(store: &Store, id: i64, next_at: i64, give_up: bool, error: &str) -> Result<(), OpsError> {
    let error: String = error.chars().take(300).collect();
    sql::execute(
        store,
        "UPDATE outbox SET state = CASE WHEN $3 = 1 THEN 'failed' ELSE 'pending' END, attempts = attempts + 1, next_at = $2, \
         claimed_until = NULL, last_error = $4 WHERE id = $1",
        args![id, next_at, i64::from(give_up), error],
    )
    .await?;
    Ok(())
}

/// Puts a claimed row back without counting an attempt (a robot over its rate, §11).
pub async fn postpone(store: &Store, id: i64, next_at: i64) -> Result<(), OpsError> {
    sql::execute(store, "UPDATE outbox SET next_at = $2, claimed_until = NULL WHERE id = $1", args![id, next_at]).await?;
    Ok(())
}
