//! Read queries the web layer needs before the analytics engine exists.

use crate::{Store, StoreError};
use serde::{Deserialize, Serialize};
use sqlx::Row;

pub use domain::OrgNode;

/// Row counts of the main tables.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCounts {
    pub orgs: i64,
    pub members: i64,
    pub activities: i64,
    pub events: i64,
    pub resources: i64,
    pub transfers: i64,
    pub ratings: i64,
    pub projects: i64,
    pub candidates: i64,
}

// One statement for both databases: `$1` is the parent's org_id, or NULL for the roots.
const ORG_CHILDREN: &str = "
WITH RECURSIVE
  tops AS (
    SELECT o.id FROM orgs o
    WHERE (CAST($1 AS TEXT) IS NULL AND o.parent IS NULL)
       OR o.parent = (SELECT p.id FROM orgs p WHERE p.org_id = CAST($1 AS TEXT))
  ),
  sub(top, id) AS (
    SELECT id, id FROM tops
    UNION ALL
    SELECT sub.top, o.id FROM orgs o JOIN sub ON o.parent = sub.id
  ),
  m AS (SELECT sub.top, COUNT(*) AS n FROM sub JOIN members mm ON mm.org = sub.id GROUP BY sub.top),
  g AS (SELECT sub.top, COUNT(*) AS n FROM sub JOIN orgs go ON go.id = sub.id
        WHERE go.kind IN ('committee', 'general_branch', 'branch') GROUP BY sub.top),
  c AS (SELECT parent AS top, COUNT(*) AS n FROM orgs WHERE parent IN (SELECT id FROM tops) GROUP BY parent)
SELECT o.org_id, o.name, o.kind,
       CAST(COALESCE(m.n, 0) AS BIGINT) AS members,
       CAST(COALESCE(g.n, 0) AS BIGINT) AS grassroots,
       CAST(COALESCE(c.n, 0) AS BIGINT) AS children
FROM tops t JOIN orgs o ON o.id = t.id
LEFT JOIN m ON m.top = t.id LEFT JOIN g ON g.top = t.id LEFT JOIN c ON c.top = t.id
ORDER BY o.org_id";

/// An activity with its organisation (check-in pages and codes).
#[derive(Debug, Clone, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct ActivityInfo {
    pub activity_id: String,
    pub org_id: String,
    pub org_name: String,
    /// As §3 writes it (`theme_day`, …).
    pub kind: String,
    pub title: String,
    /// Microseconds of local time.
    pub held_at: i64,
}

impl ActivityInfo {
    /// As the check-in pages show it.
    pub fn choice(self) -> domain::wire::ActivityChoice {
        let kind_zh = domain::ActivityKind::parse(&self.kind).map(|k| k.zh()).unwrap_or("活动").to_owned();
        domain::wire::ActivityChoice {
            activity_id: self.activity_id,
            org_id: self.org_id,
            org_name: self.org_name,
            kind: self.kind,
            kind_zh,
            title: self.title,
            held_at: domain::Timestamp(self.held_at).to_string(),
        }
    }
}

impl Store {
    /// The children of `parent` (by org_id), or the roots of the tree for `None`, each with
    /// its subtree's member and grassroots counts.
    pub async fn org_children(&self, parent: Option<&str>) -> Result<Vec<OrgNode>, StoreError> {
        let parent = parent.map(str::to_owned);
        let rows = match self {
            Store::Sqlite(p) => sqlx::query(ORG_CHILDREN).bind(parent).fetch_all(p).await?.into_iter().map(org_node).collect(),
            Store::Postgres(p) => sqlx::query(ORG_CHILDREN).bind(parent).fetch_all(p).await?.into_iter().map(org_node).collect(),
        };
        Ok(rows)
    }

    pub async fn counts(&self) -> Result<TableCounts, StoreError> {
        const SQL: &str = "SELECT
            (SELECT COUNT(*) FROM orgs), (SELECT COUNT(*) FROM members), (SELECT COUNT(*) FROM activities),
            (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM resources), (SELECT COUNT(*) FROM transfers),
            (SELECT COUNT(*) FROM ratings), (SELECT COUNT(*) FROM projects), (SELECT COUNT(*) FROM candidates)";
        let v: Vec<i64> = match self {
            Store::Sqlite(p) => {
                let r = sqlx::query(SQL).fetch_one(p).await?;
                (0..9).map(|i| r.get::<i64, _>(i)).collect()
            }
            Store::Postgres(p) => {
                let r = sqlx::query(SQL).fetch_one(p).await?;
                (0..9).map(|i| r.get::<i64, _>(i)).collect()
            }
        };
        Ok(TableCounts {
            orgs: v[0],
            members: v[1],
            activities: v[2],
            events: v[3],
            resources: v[4],
            transfers: v[5],
            ratings: v[6],
            projects: v[7],
            candidates: v[8],
        })
    }

    /// An activity as check-in shows it (docs/RULES.md §10); `None` when unknown.
    pub async fn activity(&self, activity_id: &str) -> Result<Option<ActivityInfo>, StoreError> {
        const SQL: &str = "SELECT a.activity_id, o.org_id, o.name AS org_name, a.kind, a.title, a.held_at FROM activities a JOIN orgs o ON o.id = a.org WHERE a.activity_id = $1";
        Ok(match self {
            Store::Sqlite(p) => sqlx::query_as(SQL).bind(activity_id).fetch_optional(p).await?,
            Store::Postgres(p) => sqlx::query_as(SQL).bind(activity_id).fetch_optional(p).await?,
        })
    }

    /// Activities held from `from` to `to` (microseconds of local time), oldest first, at most
    /// `limit`: what a check-in page offers to pick from.
    pub async fn activities_between(&self, from: i64, to: i64, limit: i64) -> Result<Vec<ActivityInfo>, StoreError> {
        const SQL: &str = "SELECT a.activity_id, o.org_id, o.name AS org_name, a.kind, a.title, a.held_at FROM activities a JOIN orgs o ON o.id = a.org \
            WHERE a.held_at BETWEEN $1 AND $2 ORDER BY a.held_at, a.activity_id LIMIT $3";
        Ok(match self {
            Store::Sqlite(p) => sqlx::query_as(SQL).bind(from).bind(to).bind(limit).fetch_all(p).await?,
            Store::Postgres(p) => sqlx::query_as(SQL).bind(from).bind(to).bind(limit).fetch_all(p).await?,
        })
    }

    /// Who checked in at an activity by QR code (`attend` events with source `checkin`):
    /// member id, name and `occurred_at` (microseconds), in the order they came.
    pub async fn checkin_roll(&self, activity_id: &str) -> Result<Vec<(String, String, i64)>, StoreError> {
        // `source = 4` and `kind = 1` spelt out so that the partial index `events_checkin` applies.
        const SQL: &str = "SELECT m.member_id, m.name, e.occurred_at FROM events e JOIN members m ON m.id = e.member \
            WHERE e.activity = (SELECT id FROM activities WHERE activity_id = $1) AND e.source = 4 AND e.kind = 1 ORDER BY e.occurred_at, e.seq";
        const _: () = assert!(domain::Source::Checkin.code() == 4 && domain::EventKind::Attend.code() == 1);
        Ok(match self {
            Store::Sqlite(p) => sqlx::query_as(SQL).bind(activity_id).fetch_all(p).await?,
            Store::Postgres(p) => sqlx::query_as(SQL).bind(activity_id).fetch_all(p).await?,
        })
    }

    /// Members whose organisation is `org_id` (the roll's "of how many").
    pub async fn members_of(&self, org_id: &str) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM members m JOIN orgs o ON o.id = m.org WHERE o.org_id = $1";
        Ok(match self {
            Store::Sqlite(p) => sqlx::query_scalar(SQL).bind(org_id).fetch_one(p).await?,
            Store::Postgres(p) => sqlx::query_scalar(SQL).bind(org_id).fetch_one(p).await?,
        })
    }

    /// Whether an event with `event_id` is stored.
    pub async fn event_exists(&self, event_id: &str) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE event_id = $1 LIMIT 1) x";
        let n: i64 = match self {
            Store::Sqlite(p) => sqlx::query_scalar(SQL).bind(event_id).fetch_one(p).await?,
            Store::Postgres(p) => sqlx::query_scalar(SQL).bind(event_id).fetch_one(p).await?,
        };
        Ok(n > 0)
    }

    /// True when no organisation is stored yet (the seeder only fills an empty database).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM orgs LIMIT 1) x";
        let n: i64 = match self {
            Store::Sqlite(p) => sqlx::query_scalar(SQL).fetch_one(p).await?,
            Store::Postgres(p) => sqlx::query_scalar(SQL).fetch_one(p).await?,
        };
        Ok(n == 0)
    }
}

fn org_node<R: Row>(r: R) -> OrgNode
where
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    OrgNode { org_id: r.get(0), name: r.get(1), kind: r.get(2), members: r.get(3), grassroots: r.get(4), children: r.get(5) }
}
