//! The names of every column the store hands the engine ([`crate::extract`], [`crate::extras`]).
//!
//! One place names them, and both sides read them from here: the store when it builds the
//! frames, the engine when it filters, joins and reads them (`engine::schema` re-exports
//! these beside the columns the engine derives). A renamed column is then a compile-time
//! change, never a frame that silently lacks it. Names are spelled out (`occurred_month`,
//! not `om`); months are `domain::Period` numbers, days `domain::Date` numbers, timestamps
//! microseconds of local time (Asia/Shanghai, docs/RULES.md §3).
//!
//! The frames:
//! - organisations: [`ID`], [`ORG_ID`], [`PARENT`], [`NAME`], [`KIND`], [`ESTABLISHED_ON`], [`ESTABLISHED_MONTH`];
//! - members: [`ID`], [`MEMBER_ID`], [`NAME`], [`ORG`], [`JOINED_ON`], [`JOINED_MONTH`], [`MONTHLY_DUES`], [`CATEGORY`];
//! - activities: [`ID`], [`ORG`], [`KIND`], [`HELD_AT`], [`HELD_MONTH`], [`SCORES`], [`ORG_LIFE`], [`ALL_MEMBER`];
//! - events (`Store::events_between`): [`SEQ`], [`MEMBER`], [`KIND`], [`OCCURRED_AT`], [`OCCURRED_MONTH`], [`ACTIVITY`], [`QUANTITY`], [`PERIOD`], [`EVENT_ID`];
//! - study sessions counted (engine's columnar copy): [`MEMBER`], [`OCCURRED_MONTH`], [`COUNT`];
//! - resources: [`RESOURCE_ID`], [`KIND`], [`TITLE`], [`TAGS`]; transfers: [`MEMBER`], [`FROM_ORG`], [`TO_ORG`],
//!   [`REQUESTED_ON`], [`COMPLETED_ON`], [`REQUESTED_MONTH`], [`COMPLETED_MONTH`]; ratings: [`ORG`], [`YEAR`], [`STARS`];
//!   projects: [`ORG`], [`STARTED_ON`], [`DUE_ON`], [`COMPLETED_ON`], [`PROGRESS`], [`STARTED_MONTH`], [`DUE_MONTH`],
//!   [`COMPLETED_MONTH`]; candidates: [`CANDIDATE_ID`], [`ORG`], [`STEP`], [`STEP_ON`], [`STEP_MONTH`];
//!   resource uses: [`ORG`], [`RESOURCE_ID`], [`USED_ON`].

/// Surrogate id of the row (orgs, members, activities).
pub const ID: &str = "id";

/// Interchange id of an organisation (§3).
pub const ORG_ID: &str = "org_id";

/// Surrogate id of the parent organisation (null for a root).
pub const PARENT: &str = "parent";

/// Name of an organisation or a member.
pub const NAME: &str = "name";

/// Vocabulary code: `OrgKind` (orgs), `ActivityKind` (activities), `EventKind` (events); the resource kind as text (resources).
pub const KIND: &str = "kind";

/// Day number of `established_on`.
pub const ESTABLISHED_ON: &str = "established_on";

/// Month (`Period` number) of `established_on`.
pub const ESTABLISHED_MONTH: &str = "established_month";

/// Interchange id of a member (§3).
pub const MEMBER_ID: &str = "member_id";

/// Surrogate id of an organisation: a member's own, an activity's holder, a fact's subject.
pub const ORG: &str = "org";

/// Day number of `joined_on`.
pub const JOINED_ON: &str = "joined_on";

/// Month (`Period` number) of `joined_on`.
pub const JOINED_MONTH: &str = "joined_month";

/// Monthly dues in millionths of a yuan.
pub const MONTHLY_DUES: &str = "monthly_dues";

/// Member category as text (§3).
pub const CATEGORY: &str = "category";

/// `held_at` in microseconds of local time.
pub const HELD_AT: &str = "held_at";

/// Month (`Period` number) of `held_at`.
pub const HELD_MONTH: &str = "held_month";

/// Whether attending an activity of this kind scores a point (§4).
pub const SCORES: &str = "scores";

/// Whether the activity kind is organisation life (the first six of §3); in organisation facts, how many were held.
pub const ORG_LIFE: &str = "org_life";

/// Whether the activity kind is open to all members (§3's four marked *).
pub const ALL_MEMBER: &str = "all_member";

/// Append order of an event in the store.
pub const SEQ: &str = "seq";

/// Surrogate id of a member.
pub const MEMBER: &str = "member";

/// `occurred_at` in microseconds of local time.
pub const OCCURRED_AT: &str = "occurred_at";

/// Month (`Period` number) of `occurred_at`; for a scoring item, the month it counts in.
pub const OCCURRED_MONTH: &str = "occurred_month";

/// Surrogate id of an activity.
pub const ACTIVITY: &str = "activity";

/// Event quantity in millionths (yuan of dues, hours of volunteering, evaluation grade).
pub const QUANTITY: &str = "quantity";

/// `period` as a `Period` number (dues, evaluation).
pub const PERIOD: &str = "period";

/// Interchange id of an event (kept for evaluations only: §4's tie-break).
pub const EVENT_ID: &str = "event_id";

/// A count of rows: study sessions of a member and month, events behind a scoring item, records.
pub const COUNT: &str = "count";

/// Interchange id of a library resource.
pub const RESOURCE_ID: &str = "resource_id";

/// Title of a resource.
pub const TITLE: &str = "title";

/// `;`-separated topic tags of a resource.
pub const TAGS: &str = "tags";

/// Surrogate id of the organisation a transfer leaves.
pub const FROM_ORG: &str = "from_org";

/// Surrogate id of the organisation a transfer joins.
pub const TO_ORG: &str = "to_org";

/// Day number a transfer was requested.
pub const REQUESTED_ON: &str = "requested_on";

/// Day number a transfer or project was completed (null while open).
pub const COMPLETED_ON: &str = "completed_on";

/// Month (`Period` number) of `requested_on`.
pub const REQUESTED_MONTH: &str = "requested_month";

/// Month (`Period` number) of `completed_on`.
pub const COMPLETED_MONTH: &str = "completed_month";

/// Calendar year of a star rating.
pub const YEAR: &str = "year";

/// Stars of a rating (1–5); in organisation facts, the stars of the month's year.
pub const STARS: &str = "stars";

/// Day number a project started.
pub const STARTED_ON: &str = "started_on";

/// Day number a project is due.
pub const DUE_ON: &str = "due_on";

/// Project progress, 0–100.
pub const PROGRESS: &str = "progress";

/// Month (`Period` number) of `started_on`.
pub const STARTED_MONTH: &str = "started_month";

/// Month (`Period` number) of `due_on`.
pub const DUE_MONTH: &str = "due_month";

/// Interchange id of a development candidate.
pub const CANDIDATE_ID: &str = "candidate_id";

/// `CandidateStep` code (1 application … 5 full).
pub const STEP: &str = "step";

/// Day number a step was reached.
pub const STEP_ON: &str = "step_on";

/// Month (`Period` number) of `step_on`.
pub const STEP_MONTH: &str = "step_month";

/// Day number a resource was used.
pub const USED_ON: &str = "used_on";
