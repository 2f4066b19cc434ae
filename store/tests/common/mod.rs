//! Shared helpers of the store's integration tests: a fresh database per test on every
//! backend, raw SQL look-ups into the store's tables, and the independent §3 fixture data
//! ([`data`]).
//!
//! Backends: always a fresh SQLite file in a temporary directory; PostgreSQL too when
//! `VANGUARD_TEST_PG` names a server (e.g. `postgres://postgres@127.0.0.1:5432/test`): each
//! test gets its own `CREATE DATABASE vg_…`, dropped again (`WITH (FORCE)`) when the
//! [`TestDb`] is dropped. Without `VANGUARD_TEST_PG` the tests run on SQLite only — except
//! under CI (`CI` set), where PostgreSQL must be tested and its absence is a failure.

#![allow(dead_code)]

pub mod data;
mod db;

pub use db::*;
use store::Store;

/// A full dump of the store's data tables (interchange ids resolved, surrogate keys and batch
/// ids left out), sorted: two stores holding the same data dump identically.
pub async fn dump(store: &Store) -> Vec<String> {
    const QUERIES: [&str; 9] = [
        "SELECT 'org', o.org_id, p.org_id, o.name, o.kind, CAST(o.established_on AS TEXT) FROM orgs o LEFT JOIN orgs p ON p.id = o.parent",
        "SELECT 'member', m.member_id, o.org_id, m.name, m.gender, CAST(m.birth_date AS TEXT), CAST(m.joined_on AS TEXT), m.status, m.category, CAST(m.monthly_dues AS TEXT) FROM members m LEFT JOIN orgs o ON o.id = m.org",
        "SELECT 'activity', a.activity_id, o.org_id, a.kind, CAST(a.held_at AS TEXT), a.title FROM activities a LEFT JOIN orgs o ON o.id = a.org",
        "SELECT 'event', e.event_id, m.member_id, CAST(e.kind AS TEXT), CAST(e.occurred_at AS TEXT), a.activity_id, CAST(e.quantity AS TEXT), CAST(e.period AS TEXT), CAST(e.source AS TEXT) FROM events e LEFT JOIN members m ON m.id = e.member LEFT JOIN activities a ON a.id = e.activity",
        "SELECT 'resource', resource_id, kind, title, tags FROM resources",
        "SELECT 'transfer', t.transfer_id, m.member_id, f.org_id, o.org_id, CAST(t.requested_on AS TEXT), CAST(t.completed_on AS TEXT) FROM transfers t LEFT JOIN members m ON m.id = t.member LEFT JOIN orgs f ON f.id = t.from_org LEFT JOIN orgs o ON o.id = t.to_org",
        "SELECT 'rating', o.org_id, CAST(r.year AS TEXT), CAST(r.stars AS TEXT) FROM ratings r LEFT JOIN orgs o ON o.id = r.org",
        "SELECT 'project', p.project_id, o.org_id, p.title, CAST(p.started_on AS TEXT), CAST(p.due_on AS TEXT), CAST(p.completed_on AS TEXT), CAST(p.progress AS TEXT) FROM projects p LEFT JOIN orgs o ON o.id = p.org",
        "SELECT 'candidate', c.candidate_id, c.step, o.org_id, c.name, CAST(c.step_on AS TEXT) FROM candidates c LEFT JOIN orgs o ON o.id = c.org",
    ];
    let mut out = Vec::new();
    for q in QUERIES {
        for r in rows(store, q).await {
            out.push(r.iter().map(|v| v.as_deref().map_or("∅".to_owned(), |s| format!("{s:?}"))).collect::<Vec<_>>().join(" | "));
        }
    }
    out.sort();
    out
}

/// Asserts that `haystack` contains every needle (case-insensitive), with context on failure.
pub fn assert_mentions(what: &str, haystack: &str, needles: &[&str]) {
    let lower = haystack.to_lowercase();
    for n in needles {
        assert!(lower.contains(&n.to_lowercase()), "{what}: reason {haystack:?} should mention {n:?}");
    }
}
