//! Warnings as stored facts (docs/RULES.md §11).
//!
//! [`raise`] brings the warnings of the newest month in line with its lights, in one
//! transaction with the outbox rows of every message it causes ([`crate::outbox`]):
//! - a light that is on and has no warning yet raises one, keyed (subject, month, reason)
//!   by a unique constraint, so that two servers, a restart or a recompute never raise a
//!   key twice;
//! - a yellow warning whose light is now red is escalated (the same row, light red, sent
//!   again); a light never goes back down;
//! - an open or acknowledged warning whose light is green again is `cleared`; a cleared one
//!   whose light comes back on (late data of the month) is opened again and sent again.
//!   A resolved warning stays resolved: the secretary said it was dealt with.
//!
//! People move a warning open → acknowledged → resolved (with a note) through
//! [`acknowledge`] and [`resolve`], each with its audit row in the same transaction.

use std::collections::HashMap;
use std::io::Write;

use access::{AuditEntry, audit_in};
use domain::wire::{WarningPage, WarningView};
use domain::{Light, Period, Timestamp};
use store::Store;
use store::sql::{self, Tx, args};

use crate::OpsError;
use crate::lit::{Lights, Reason};
use crate::outbox::{Recipients, Topic};

/// Open or acknowledged for longer than this is overdue (§11).
pub const OVERDUE_DAYS: i64 = 7;
const MICROS_PER_DAY: i64 = 86_400 * 1_000_000;

/// The states of §11.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WarningState {
    Open,
    Acknowledged,
    Resolved,
    Cleared,
}

impl WarningState {
    pub const ALL: [WarningState; 4] = [WarningState::Open, WarningState::Acknowledged, WarningState::Resolved, WarningState::Cleared];

    pub fn as_str(self) -> &'static str {
        match self {
            WarningState::Open => "open",
            WarningState::Acknowledged => "acknowledged",
            WarningState::Resolved => "resolved",
            WarningState::Cleared => "cleared",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            WarningState::Open => "待处理",
            WarningState::Acknowledged => "整改中",
            WarningState::Resolved => "已整改",
            WarningState::Cleared => "已消除",
        }
    }

    pub fn parse(s: &str) -> Option<WarningState> {
        WarningState::ALL.into_iter().find(|w| w.as_str() == s)
    }

    /// Still waiting for someone: open or acknowledged.
    pub fn active(self) -> bool {
        matches!(self, WarningState::Open | WarningState::Acknowledged)
    }
}

/// `SELECT` of every column of [`WarningRow`] from `warnings`, followed by `$tail`.
macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT id, month, subject_kind, subject_id, subject_name, org_id, org_name, reason, light, measure, state, raised_at, ",
            "escalated_at, acked_by, acked_at, resolved_by, resolved_at, note, cleared_at FROM warnings ",
            $tail
        )
    };
}

/// One warning by its id.
macro_rules! by_id {
    () => {
        select!("WHERE id = $1")
    };
}

/// A row of `warnings`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct WarningRow {
    pub id: i64,
    pub month: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub subject_name: String,
    pub org_id: String,
    pub org_name: String,
    pub reason: String,
    pub light: String,
    pub measure: String,
    pub state: String,
    pub raised_at: i64,
    pub escalated_at: Option<i64>,
    pub acked_by: Option<String>,
    pub acked_at: Option<i64>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<i64>,
    pub note: Option<String>,
    pub cleared_at: Option<i64>,
}

/// A stored time as the wire prints it: `YYYY-MM-DDTHH:MM:SS`, to the second.
pub fn at(t: i64) -> String {
    Timestamp(t - t.rem_euclid(1_000_000)).to_string()
}

impl WarningRow {
    pub fn state(&self) -> WarningState {
        WarningState::parse(&self.state).unwrap_or(WarningState::Open)
    }

    pub fn reason(&self) -> Option<Reason> {
        Reason::parse(&self.reason)
    }

    pub fn light(&self) -> Light {
        self.light.parse().unwrap_or(Light::Yellow)
    }

    pub fn reason_zh(&self) -> String {
        self.reason().map(|r| r.words(&self.measure)).unwrap_or_default()
    }

    /// Overdue at `now` (§11): open or acknowledged for more than 7 days.
    pub fn overdue(&self, now: Timestamp) -> bool {
        self.state().active() && now.0 - self.raised_at > OVERDUE_DAYS * MICROS_PER_DAY
    }

    /// As the API, the inbox and the wall read it (names unmasked: the caller's layer masks).
    pub fn view(&self, now: Timestamp) -> WarningView {
        WarningView {
            warning_id: self.id,
            month: self.month.clone(),
            subject_kind: self.subject_kind.clone(),
            subject_id: self.subject_id.clone(),
            subject_name: self.subject_name.clone(),
            org_id: self.org_id.clone(),
            org_name: self.org_name.clone(),
            reason: self.reason.clone(),
            reason_zh: self.reason_zh(),
            advice: self.reason().map(|r| r.advice(self.light())).unwrap_or_default(),
            light: self.light(),
            state: self.state.clone(),
            state_zh: self.state().zh().into(),
            raised_at: at(self.raised_at),
            escalated_at: self.escalated_at.map(at),
            acked_by: self.acked_by.clone(),
            acked_at: self.acked_at.map(at),
            resolved_by: self.resolved_by.clone(),
            resolved_at: self.resolved_at.map(at),
            note: self.note.clone(),
            cleared_at: self.cleared_at.map(at),
            age_days: ((now.0 - self.raised_at) / MICROS_PER_DAY).max(0),
            overdue: self.overdue(now),
        }
    }
}

/// What one [`raise`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Raised {
    pub raised: usize,
    pub escalated: usize,
    pub reopened: usize,
    pub cleared: usize,
    /// Outbox rows written (messages to deliver, one per recipient channel).
    pub messages: usize,
    /// The warnings whose row changed, for the live event.
    pub changed: Vec<i64>,
}

impl Raised {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty()
    }
}

/// What [`raise`] reads of the month's warnings: (id, subject_kind, subject_id, reason, light,
/// state, measure).
type Row = (i64, String, String, String, String, String, String);

/// Whether bringing the stored warnings `rows` in line with `lights` changes anything (the
/// same decisions as [`raise`], without writing).
fn changes(rows: &[Row], lights: &Lights) -> bool {
    let by_key: HashMap<(&str, &str, &str), &Row> = rows.iter().map(|r| ((r.1.as_str(), r.2.as_str(), r.3.as_str()), r)).collect();
    let mut lit_keys = std::collections::HashSet::new();
    for lit in &lights.lit {
        let key = (lit.kind.as_str(), lit.subject_id.as_str(), lit.reason.as_str());
        lit_keys.insert(key);
        match by_key.get(&key) {
            None => return true,
            Some(r) if (r.4 == "yellow" && lit.light == Light::Red) || r.5 == "cleared" || r.6 != lit.measure => return true,
            Some(_) => {}
        }
    }
    rows.iter().any(|r| !lit_keys.contains(&(r.1.as_str(), r.2.as_str(), r.3.as_str())) && WarningState::parse(&r.5).is_some_and(WarningState::active))
}

/// A warning's key within a month: (subject_kind, subject_id, reason).
type Key = (String, String, String);
/// What [`raise`] reads of a stored warning: (id, light, state, measure).
type Stored = (i64, String, String, String);

/// Brings the warnings of `lights.month` in line with its lights (see the module's
/// documentation), writing each message's outbox rows in the same transaction.
pub async fn raise(store: &Store, lights: &Lights) -> Result<Raised, OpsError> {
    let Some(month) = lights.month else { return Ok(Raised::default()) };
    let month = month.to_string();
    const EXISTING: &str = "SELECT id, subject_kind, subject_id, reason, light, state, measure FROM warnings WHERE month = $1";
    // Most versions change no warning: find out without taking the write lock (which would
    // hold up check-ins), then do the work in a write transaction that reads again.
    let before: Vec<Row> = sql::all(store, EXISTING, args![&month]).await?;
    if !changes(&before, lights) {
        return Ok(Raised::default());
    }
    let now = access::clock::now().0;
    let mut tx = Tx::write(store).await?;
    let existing: Vec<Row> = tx.all(EXISTING, args![&month]).await?;
    let recipients = Recipients::load(&mut tx).await?;
    let mut by_key: HashMap<Key, Stored> = existing.into_iter().map(|(id, k, s, r, l, st, m)| ((k, s, r), (id, l, st, m))).collect();
    let mut out = Raised::default();
    for lit in &lights.lit {
        let key = (lit.kind.as_str().to_string(), lit.subject_id.clone(), lit.reason.as_str().to_string());
        let Some((id, light, state, measure)) = by_key.remove(&key) else {
            let id: Option<(i64,)> = tx
                .optional(
                    "INSERT INTO warnings (month, subject_kind, subject_id, subject_name, org_id, org_name, reason, light, measure, state, raised_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10) \
                     ON CONFLICT (subject_kind, subject_id, month, reason) DO NOTHING RETURNING id",
                    args![
                        &month,
                        lit.kind.as_str(),
                        &lit.subject_id,
                        &lit.subject_name,
                        &lit.org_id,
                        &lit.org_name,
                        lit.reason.as_str(),
                        lit.light.as_str(),
                        &lit.measure,
                        now
                    ],
                )
                .await?;
            if let Some((id,)) = id {
                out.raised += 1;
                out.messages += recipients.enqueue(&mut tx, lights, lit, id, Topic::Raised, now).await?;
                out.changed.push(id);
            }
            continue;
        };
        let was = WarningState::parse(&state).unwrap_or(WarningState::Open);
        if light == "yellow" && lit.light == Light::Red {
            let n = tx
                .execute("UPDATE warnings SET light = 'red', measure = $2, escalated_at = $3 WHERE id = $1 AND light = 'yellow'", args![id, &lit.measure, now])
                .await?;
            if n == 1 && was != WarningState::Cleared && was != WarningState::Resolved {
                out.escalated += 1;
                out.messages += recipients.enqueue(&mut tx, lights, lit, id, Topic::Escalated, now).await?;
            }
            out.changed.push(id);
        } else if measure != lit.measure {
            tx.execute("UPDATE warnings SET measure = $2 WHERE id = $1", args![id, &lit.measure]).await?;
        }
        if was == WarningState::Cleared {
            let n = tx.execute("UPDATE warnings SET state = 'open', cleared_at = NULL WHERE id = $1 AND state = 'cleared'", args![id]).await?;
            if n == 1 {
                out.reopened += 1;
                out.messages += recipients.enqueue(&mut tx, lights, lit, id, Topic::Reopened, now).await?;
                out.changed.push(id);
            }
        }
    }
    // What is left had its light turn green.
    for (_, (id, _, state, _)) in by_key {
        if WarningState::parse(&state).is_some_and(WarningState::active) {
            let n = tx
                .execute("UPDATE warnings SET state = 'cleared', cleared_at = $2 WHERE id = $1 AND state IN ('open', 'acknowledged')", args![id, now])
                .await?;
            if n == 1 {
                out.cleared += 1;
                out.changed.push(id);
            }
        }
    }
    tx.commit().await?;
    out.changed.sort_unstable();
    out.changed.dedup();
    Ok(out)
}

/// Which warnings to read.
#[derive(Debug, Clone, Default)]
pub struct WarningFilter {
    /// `YYYY-MM`; every month when `None`.
    pub month: Option<Period>,
    pub state: Option<WarningState>,
    /// Only the warnings about this member (a member reading its own).
    pub member_id: Option<String>,
}

impl WarningFilter {
    /// The query parameters of `GET /api/v1/warnings`, checked (400 on a bad one).
    pub fn parse(month: Option<&str>, state: Option<&str>) -> Result<WarningFilter, OpsError> {
        let month = match month.filter(|s| !s.is_empty()) {
            None => None,
            Some(m) => Some(Period::parse(m).map_err(|e| OpsError::Invalid(format!("month: {e}")))?),
        };
        let state = match state.filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(WarningState::parse(s).ok_or_else(|| OpsError::Invalid(format!("state: {s:?} is not open, acknowledged, resolved or cleared")))?),
        };
        Ok(WarningFilter { month, state, member_id: None })
    }
}

/// The warnings that match `filter`: open and acknowledged first, then red before yellow,
/// oldest first (the longest waiting on top). The caller keeps those of its scope and pages them.
pub async fn list(store: &Store, filter: &WarningFilter) -> Result<Vec<WarningRow>, OpsError> {
    let month = filter.month.map(|m| m.to_string()).unwrap_or_default();
    let state = filter.state.map(|s| s.as_str()).unwrap_or_default();
    let member = filter.member_id.clone().unwrap_or_default();
    let mut rows: Vec<WarningRow> = sql::all(
        store,
        select!("WHERE ($1 = '' OR month = $1) AND ($2 = '' OR state = $2) AND ($3 = '' OR (subject_kind = 'member' AND subject_id = $3))"),
        args![month, state, member],
    )
    .await?;
    // Open and acknowledged together: acknowledging a warning does not move it on a wall.
    rows.sort_by(|a, b| {
        (!a.state().active(), std::cmp::Reverse(a.light()), a.raised_at, a.id).cmp(&(!b.state().active(), std::cmp::Reverse(b.light()), b.raised_at, b.id))
    });
    Ok(rows)
}

/// One page of `rows` (already those of the caller's scope, in [`list`]'s order) with the
/// counts of all of them, read at data version `version`.
pub fn page(rows: &[WarningRow], offset: usize, limit: usize, version: u64, now: Timestamp) -> WarningPage {
    WarningPage {
        version,
        total: rows.len() as i64,
        active: rows.iter().filter(|w| w.state().active()).count() as i64,
        overdue: rows.iter().filter(|w| w.overdue(now)).count() as i64,
        rows: rows.iter().skip(offset).take(limit).map(|w| w.view(now)).collect(),
    }
}

pub async fn get(store: &Store, id: i64) -> Result<WarningRow, OpsError> {
    let row: Option<WarningRow> = sql::optional(store, by_id!(), args![id]).await?;
    row.ok_or(OpsError::UnknownWarning(id))
}

async fn get_in(tx: &mut Tx, id: i64) -> Result<WarningRow, OpsError> {
    let row: Option<WarningRow> = tx.optional(by_id!(), args![id]).await?;
    row.ok_or(OpsError::UnknownWarning(id))
}

/// Longest note kept, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// `open` → `acknowledged` by `entry`'s actor (the caller checked the scope), with its audit
/// row in the same transaction. Acknowledging an acknowledged warning again is a no-op.
pub async fn acknowledge(store: &Store, id: i64, entry: &AuditEntry) -> Result<WarningRow, OpsError> {
    let mut tx = Tx::write(store).await?;
    let row = get_in(&mut tx, id).await?;
    match row.state() {
        WarningState::Open => {}
        WarningState::Acknowledged => return Ok(row),
        s => return Err(OpsError::WrongState { state: s.zh().into(), wanted: "acknowledged" }),
    }
    let now = access::clock::now().0;
    tx.execute("UPDATE warnings SET state = 'acknowledged', acked_by = $2, acked_at = $3 WHERE id = $1", args![id, &entry.actor.name, now]).await?;
    audit_in(&mut tx, entry).await?;
    let row = get_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// `open` or `acknowledged` → `resolved` with a non-empty note, audited in the same
/// transaction.
pub async fn resolve(store: &Store, id: i64, note: &str, entry: &AuditEntry) -> Result<WarningRow, OpsError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(OpsError::Invalid("note: say what was done (it must not be empty)".into()));
    }
    if note.chars().count() > MAX_NOTE_CHARS || note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(OpsError::Invalid(format!("note: at most {MAX_NOTE_CHARS} characters, without control characters")));
    }
    let mut tx = Tx::write(store).await?;
    let row = get_in(&mut tx, id).await?;
    if !row.state().active() {
        return Err(OpsError::WrongState { state: row.state().zh().into(), wanted: "resolved" });
    }
    let now = access::clock::now().0;
    tx.execute(
        "UPDATE warnings SET state = 'resolved', resolved_by = $2, resolved_at = $3, note = $4, \
         acked_by = COALESCE(acked_by, $2), acked_at = COALESCE(acked_at, $3) WHERE id = $1",
        args![id, &entry.actor.name, now, note],
    )
    .await?;
    audit_in(&mut tx, entry).await?;
    let row = get_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// `vanguard export warnings` (§11): `warning_id, month, subject_kind, subject_id, org_id,
/// reason, light, state, raised_at`, sorted by `subject_kind, subject_id, reason` (bytes).
/// Every warning of the month is written, cleared ones included (their state says so).
pub async fn export(store: &Store, month: Period, out: &mut dyn Write) -> Result<usize, OpsError> {
    let filter = WarningFilter { month: Some(month), ..Default::default() };
    let mut rows = list(store, &filter).await?;
    rows.sort_by(|a, b| {
        (a.subject_kind.as_bytes(), a.subject_id.as_bytes(), a.reason.as_bytes()).cmp(&(
            b.subject_kind.as_bytes(),
            b.subject_id.as_bytes(),
            b.reason.as_bytes(),
        ))
    });
    writeln!(out, "warning_id,month,subject_kind,subject_id,org_id,reason,light,state,raised_at")?;
    for r in &rows {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            r.id,
            r.month,
            r.subject_kind,
            csv_field(&r.subject_id),
            csv_field(&r.org_id),
            r.reason,
            r.light,
            r.state,
            at(r.raised_at)
        )?;
    }
    Ok(rows.len())
}

/// A CSV field, quoted when it must be (ids are plain codes; this is for the odd one).
fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")).into() } else { s.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states() {
        for s in WarningState::ALL {
            assert_eq!(WarningState::parse(s.as_str()), Some(s));
        }
        assert!(WarningState::Open.active() && WarningState::Acknowledged.active());
        assert!(!WarningState::Resolved.active() && !WarningState::Cleared.active());
    }

    #[test]
    fn filter_rejects_bad_input() {
        assert!(WarningFilter::parse(Some("2024-13"), None).is_err());
        assert!(WarningFilter::parse(None, Some("closed")).is_err());
        let f = WarningFilter::parse(Some("2024-05"), Some("open")).unwrap();
        assert_eq!(f.month.map(|m| m.to_string()).as_deref(), Some("2024-05"));
        assert_eq!(f.state, Some(WarningState::Open));
    }

    #[test]
    fn times_print_to_the_second() {
        let t = Timestamp::from_parts(2024, 5, 1, 9, 30, 0).0 + 123_456;
        assert_eq!(at(t), "2024-05-01T09:30:00");
    }
}
