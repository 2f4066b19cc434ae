//! How each entity is stored: its table, its columns (key columns first) and the contract
//! name each column reports as when a re-imported row conflicts with the stored one.

use domain::Entity;

/// A value bound for the database. Text and integers only: dates, timestamps, periods,
/// decimals and vocabulary codes are integers by the time they get here.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Val {
    Int(i64),
    Text(String),
    Null,
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}

impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}

impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Val::Null, Into::into)
    }
}

/// A row ready for its table: values in [`TableSpec::cols`] order, and where it came from.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub line: u64,
    pub vals: Vec<Val>,
}

impl Prepared {
    /// The key as one string, for finding duplicates within a chunk.
    pub fn key(&self, spec: &TableSpec) -> String {
        let mut k = String::new();
        for v in &self.vals[..spec.key] {
            match v {
                Val::Int(i) => k.push_str(&i.to_string()),
                Val::Text(t) => k.push_str(t),
                Val::Null => {}
            }
            k.push('\u{1f}');
        }
        k
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    Int,
    Text,
}

#[derive(Debug)]
pub struct TableSpec {
    pub entity: Entity,
    pub table: &'static str,
    /// (column, type, contract name reported on a conflict)
    pub cols: &'static [(&'static str, ColType, &'static str)],
    /// The first `key` columns identify a row.
    pub key: usize,
}

use ColType::{Int, Text};

pub const ORGS: TableSpec = TableSpec {
    entity: Entity::Orgs,
    table: "orgs",
    cols: &[
        ("org_id", Text, "org_id"),
        ("id", Int, "org_id"),
        ("parent", Int, "parent_id"),
        ("name", Text, "name"),
        ("kind", Text, "kind"),
        ("established_on", Int, "established_on"),
    ],
    key: 1,
};

pub const MEMBERS: TableSpec = TableSpec {
    entity: Entity::Members,
    table: "members",
    cols: &[
        ("member_id", Text, "member_id"),
        ("id", Int, "member_id"),
        ("org", Int, "org_id"),
        ("name", Text, "name"),
        ("gender", Text, "gender"),
        ("birth_date", Int, "birth_date"),
        ("joined_on", Int, "joined_on"),
        ("status", Text, "status"),
        ("category", Text, "category"),
        ("monthly_dues", Int, "monthly_dues"),
    ],
    key: 1,
};

pub const ACTIVITIES: TableSpec = TableSpec {
    entity: Entity::Activities,
    table: "activities",
    cols: &[
        ("activity_id", Text, "activity_id"),
        ("id", Int, "activity_id"),
        ("org", Int, "org_id"),
        ("kind", Text, "kind"),
        ("held_at", Int, "held_at"),
        ("title", Text, "title"),
    ],
    key: 1,
};

pub const EVENTS: TableSpec = TableSpec {
    entity: Entity::Events,
    table: "events",
    cols: &[
        ("event_id", Text, "event_id"),
        ("member", Int, "member_id"),
        ("kind", Int, "kind"),
        ("occurred_at", Int, "occurred_at"),
        ("activity", Int, "activity_id"),
        ("quantity", Int, "quantity"),
        ("period", Int, "period"),
        ("source", Int, "source"),
    ],
    key: 1,
};

pub const RESOURCES: TableSpec = TableSpec {
    entity: Entity::Resources,
    table: "resources",
    cols: &[("resource_id", Text, "resource_id"), ("kind", Text, "kind"), ("title", Text, "title"), ("tags", Text, "tags")],
    key: 1,
};

pub const TRANSFERS: TableSpec = TableSpec {
    entity: Entity::Transfers,
    table: "transfers",
    cols: &[
        ("transfer_id", Text, "transfer_id"),
        ("member", Int, "member_id"),
        ("from_org", Int, "from_org_id"),
        ("to_org", Int, "to_org_id"),
        ("requested_on", Int, "requested_on"),
        ("completed_on", Int, "completed_on"),
    ],
    key: 1,
};

pub const RATINGS: TableSpec =
    TableSpec { entity: Entity::Ratings, table: "ratings", cols: &[("org", Int, "org_id"), ("year", Int, "year"), ("stars", Int, "stars")], key: 2 };

pub const PROJECTS: TableSpec = TableSpec {
    entity: Entity::Projects,
    table: "projects",
    cols: &[
        ("project_id", Text, "project_id"),
        ("org", Int, "org_id"),
        ("title", Text, "title"),
        ("started_on", Int, "started_on"),
        ("due_on", Int, "due_on"),
        ("completed_on", Int, "completed_on"),
        ("progress", Int, "progress"),
    ],
    key: 1,
};

pub const CANDIDATES: TableSpec = TableSpec {
    entity: Entity::Candidates,
    table: "candidates",
    cols: &[("candidate_id", Text, "candidate_id"), ("step", Text, "step"), ("org", Int, "org_id"), ("name", Text, "name"), ("step_on", Int, "step_on")],
    key: 2,
};

pub fn spec(entity: Entity) -> &'static TableSpec {
    match entity {
        Entity::Orgs => &ORGS,
        Entity::Members => &MEMBERS,
        Entity::Activities => &ACTIVITIES,
        Entity::Events => &EVENTS,
        Entity::Resources => &RESOURCES,
        Entity::Transfers => &TRANSFERS,
        Entity::Ratings => &RATINGS,
        Entity::Projects => &PROJECTS,
        Entity::Candidates => &CANDIDATES,
    }
}
