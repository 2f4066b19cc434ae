//! What the server sends: the JSON of `/api/v1` and of the wall's server functions.
//!
//! One set of types from the engine to the browser (wasm-safe: serde only). Figures that
//! decide standing travel as exact decimal strings (`text`, `index`) beside an `f64` that is
//! only ever used to draw a chart.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Light, Unit};

/// One step of the breadcrumb (root first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Crumb {
    pub org_id: String,
    pub name: String,
    /// Stored kind (`district` … `branch`).
    pub kind: String,
}

/// Headline figures of an organisation's subtree at the snapshot month.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Headline {
    /// Organisations in the subtree, itself included.
    pub orgs: i64,
    /// Grassroots organisations (committee, general branch, branch) in the subtree.
    pub grassroots: i64,
    /// Members of the subtree (joined by the end of the month).
    pub members: i64,
    /// Records behind the figures: activities and events of the subtree up to the month.
    pub records: i64,
    pub red_members: i64,
    pub yellow_members: i64,
    pub green_members: i64,
    pub red_branches: i64,
    pub yellow_branches: i64,
    pub green_branches: i64,
    /// Mean Vanguard Index of the subtree's members, year to date (exact decimal).
    pub mean_index: String,
}

/// A monthly series for a line chart: one value per entry of [`WallSnapshot::months`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Series {
    /// Indicator id of the catalogue the series comes from.
    pub id: String,
    pub zh: String,
    /// `count`, `percent`, `points` …
    pub unit: Unit,
    /// `None` where the month has no meaningful value (nothing due, nobody to attend).
    pub values: Vec<Option<f64>>,
}

/// One child organisation in the comparison bar charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChildBar {
    pub org_id: String,
    pub name: String,
    pub kind: String,
    /// Members of the child's subtree.
    pub members: i64,
    /// Mean Vanguard Index year to date, for the chart and as exact text.
    pub mean_index: f64,
    pub mean_index_text: String,
    /// Share of the child's grassroots organisations that held organisation life in the
    /// month, in percent (`None` without grassroots organisations).
    pub org_life_completion: Option<f64>,
    pub red_members: i64,
    pub yellow_members: i64,
    pub red_branches: i64,
    pub yellow_branches: i64,
    /// The child's own light: a branch's §5 light; above branches, red when any branch of
    /// its subtree is red, yellow when any is yellow.
    pub light: Light,
    /// Whether the child has children of its own (else a click opens its members).
    pub has_children: bool,
    /// Members of the child's subtree by category (the keys of the categories' pie, each
    /// category present, zero included): what a click on a slice of that pie lists.
    #[serde(default)]
    pub category_members: BTreeMap<String, i64>,
    /// Members of the child's subtree by the evaluation grade that stands (`1`…`4`, as the
    /// grades' pie counts them).
    #[serde(default)]
    pub grade_members: BTreeMap<String, i64>,
}

/// One slice of a pie chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slice {
    /// Stable key (`employed`, `red`, `1` …) for colours and tests.
    pub key: String,
    pub zh: String,
    pub value: i64,
}

/// One row of the Vanguard Index leaderboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeaderRow {
    /// Rank within the organisation in view (1 = best); district rank beside it.
    pub rank: i64,
    pub district_rank: i64,
    pub member_id: String,
    pub name: String,
    pub org_id: String,
    pub org_name: String,
    pub index: String,
    pub index_value: f64,
}

/// A library resource recommended with a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResourceRef {
    pub resource_id: String,
    /// lecturer / lesson / video / base
    pub kind: String,
    pub title: String,
}

/// One row of the advice matrix: a weak indicator, the organisations it affects, what to
/// do and what to use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdviceRow {
    pub indicator_id: String,
    pub indicator_zh: String,
    /// Organisations (in the subtree in view) with a finding on this indicator.
    pub affected: i64,
    /// Members of those organisations: the second key of the matrix's order.
    pub members: i64,
    /// The light of the worst of those findings (`green` when none is over a threshold):
    /// the first key of the order.
    pub light: Light,
    /// Up to five of them, worst first.
    pub orgs: Vec<Crumb>,
    pub prescription: String,
    pub resources: Vec<ResourceRef>,
}

/// A member of a branch, for the branch view's member list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberRow {
    pub member_id: String,
    pub name: String,
    pub index: String,
    pub index_value: f64,
    pub org_rank: i64,
    pub light: Light,
    /// The member's category (a key of the categories' pie: `employed` …).
    #[serde(default)]
    pub category: String,
    /// The evaluation grade that stands for the member (`1` 优秀 … `4` 不合格, a key of the
    /// grades' pie); none before the member's first evaluation.
    #[serde(default)]
    pub grade: Option<String>,
}

/// Everything the wall shows for one organisation and month, in one response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WallSnapshot {
    /// Data version the snapshot was computed from; bumps with every data change.
    pub version: u64,
    /// When this version was computed (`YYYY-MM-DDTHH:MM:SS`, Asia/Shanghai).
    pub computed_at: String,
    /// The month in view (`YYYY-MM`) and the months with data that can be chosen.
    pub month: String,
    pub available_months: Vec<String>,
    /// The organisation in view and the path from the root to it.
    pub org: Crumb,
    pub path: Vec<Crumb>,
    pub headline: Headline,
    /// The 12 months of the trends, oldest first (`YYYY-MM`).
    pub months: Vec<String>,
    /// Line charts: organisation-life activities held, attendance rate, dues collection
    /// rate, mean Vanguard Index.
    pub trends: Vec<Series>,
    /// Child organisations (empty for a branch).
    pub children: Vec<ChildBar>,
    /// Pie charts.
    pub categories: Vec<Slice>,
    pub member_lights: Vec<Slice>,
    pub grades: Vec<Slice>,
    /// Top members of the subtree by Vanguard Index.
    pub leaderboard: Vec<LeaderRow>,
    pub advice: Vec<AdviceRow>,
    /// Direct members (for a branch or any organisation holding members directly).
    pub members: Vec<MemberRow>,
}

/// One item behind a member's index: a rule, when it counts, its points and what gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceItem {
    /// Event kind of the rule (`attend`, `dues`, `study` …) and its Chinese label.
    pub rule: String,
    pub rule_zh: String,
    /// party_life / duty / contribution / morality
    pub dimension: String,
    /// Month it counts in (`YYYY-MM`).
    pub month: String,
    pub points: String,
    /// Events behind the item (study sessions of the month, dues payments of the period…).
    pub events: i64,
    /// Human-readable detail (`主题党日 · 2025-03-08 活动名称`, `2025-03 党费`).
    pub detail: String,
}

/// A member indicator at the month, against the district average.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorValue {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub unit: Unit,
    /// `higher` or `lower` is better.
    pub direction: String,
    /// Exact decimal text, or `None` when not defined for the month.
    pub value: Option<String>,
    pub district_average: Option<String>,
    /// The last 12 months, oldest first (chart only).
    pub trend: Vec<Option<f64>>,
    /// `red` / `yellow` / `green` against the thresholds, `green` without thresholds.
    pub light: Light,
    /// Below the district average (on its direction's bad side) or over a threshold.
    pub finding: bool,
}

/// The member view: index by dimension, ranks, lights and the events behind every point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberProfile {
    pub version: u64,
    pub member_id: String,
    pub name: String,
    pub org: Crumb,
    pub path: Vec<Crumb>,
    pub category: String,
    pub joined_on: String,
    pub year: i32,
    pub month: String,
    /// The months with data that can be chosen (`YYYY-MM`, oldest first).
    pub available_months: Vec<String>,
    pub index: String,
    pub party_life: String,
    pub duty: String,
    pub contribution: String,
    pub morality: String,
    pub district_rank: i64,
    pub district_population: i64,
    pub org_rank: i64,
    pub org_population: i64,
    /// Index at the end of each month of the year so far (chart).
    pub monthly_index: Vec<f64>,
    pub dues_arrears: i64,
    pub absence: i64,
    pub dues_light: Light,
    pub absence_light: Light,
    pub light: Light,
    pub indicators: Vec<IndicatorValue>,
    pub trace: Vec<TraceItem>,
}

/// What the server pushes on `/api/v1/events` (SSE, event name `version`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionEvent {
    pub version: u64,
    pub computed_at: String,
    /// Newest month with data.
    pub latest_month: String,
}

// ---- `/api/v1` answers besides the wall's snapshot and the member profile ----

/// An organisation in the tree with its subtree sizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgEntry {
    pub org_id: String,
    pub name: String,
    pub kind: String,
    pub kind_zh: String,
    pub parent_id: Option<String>,
    /// Members of the subtree (itself included).
    pub members: i64,
    /// Grassroots organisations of the subtree (itself included).
    pub grassroots: i64,
    /// Direct children.
    pub children: i64,
}

/// One row of the rankings: the Vanguard Index so far this year (exact decimal text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankingRow {
    pub district_rank: i64,
    pub org_rank: i64,
    pub member_id: String,
    pub name: String,
    pub org_id: String,
    pub index: String,
    pub party_life: String,
    pub duty: String,
    pub contribution: String,
    pub morality: String,
}

/// A page of the rankings of an organisation's subtree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rankings {
    pub month: String,
    pub org_id: String,
    /// Rows in the subtree (all pages).
    pub total: i64,
    pub rows: Vec<RankingRow>,
}

/// A member's lights of §5 at the month (the columns of the member-lights export).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberLight {
    pub member_id: String,
    pub org_id: String,
    pub dues_arrears: i64,
    pub absence: i64,
    pub dues_light: Light,
    pub absence_light: Light,
    pub light: Light,
}

/// A branch's lights of §5 at the month (the columns of the branch-lights export).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BranchLight {
    pub org_id: String,
    pub members: i64,
    pub red_members: i64,
    pub yellow_members: i64,
    pub green_members: i64,
    pub org_life_gap: i64,
    pub gap_light: Light,
    pub share_light: Light,
    pub light: Light,
}

/// A branch indicator for an organisation's subtree at the month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgIndicator {
    pub id: String,
    pub zh: String,
    pub unit: Unit,
    pub direction: String,
    pub value: Option<f64>,
    pub text: Option<String>,
    /// Mean over the district's branches (each on its own facts).
    pub district_average: Option<f64>,
    /// The 12 months up to the month, oldest first; months before the data start are left out.
    pub trend: Vec<Option<f64>>,
    pub light: Light,
}

/// A finding of the diagnosis (§6) with its prescription and recommended resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub org_id: String,
    pub org_name: String,
    pub indicator_id: String,
    pub indicator_zh: String,
    pub value: f64,
    /// The value in the indicator's unit, as shown.
    pub text: String,
    pub district_average: Option<f64>,
    pub light: Light,
    /// Which rules of the diagnosis it meets: `threshold`, `worst_share`, `falling`.
    pub bases: Vec<String>,
    /// Why, in words (`低于红灯线 60；全区倒数第3（2654个支部中）`).
    pub evidence: String,
    /// 1 + the branches strictly worse on this indicator, out of `ranked`.
    pub bad_rank: i64,
    pub ranked: i64,
    /// The branch's members (how many the finding touches).
    pub members: i64,
    pub prescription: String,
    pub resources: Vec<ResourceRef>,
}

/// A resource of the library (§6) as an organisation sees it: what it is, its tags, and when
/// the organisation last used it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LibraryItem {
    pub resource_id: String,
    /// lecturer / lesson / video / base
    pub kind: String,
    pub title: String,
    pub tags: Vec<String>,
    /// `YYYY-MM-DD` of the organisation's latest use, if any.
    pub last_used: Option<String>,
}

/// The body of `POST /api/v1/orgs/{org_id}/resources/{resource_id}/used`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResourceUse {
    /// `YYYY-MM-DD`; today when omitted.
    pub used_on: Option<String>,
}

/// Every error of `/api/v1`: a stable code (`bad_request`, `forbidden`, `not_found`,
/// `not_ready`, `internal`) and a message for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}

// ---- QR check-in (docs/RULES.md §10) ----

/// `POST /api/v1/activities`: an activity to create (formats of §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewActivity {
    pub org_id: String,
    /// An activity kind of §3 (`theme_day`, `party_lesson` …).
    pub kind: String,
    /// `YYYY-MM-DDTHH:MM:SS`, local time of Asia/Shanghai.
    pub held_at: String,
    pub title: String,
}

/// The id given to a new activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewActivityId {
    pub activity_id: String,
}

/// A check-in code: the token, the URL a phone opens and that URL as a QR code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckinCode {
    pub token: String,
    pub url: String,
    /// `YYYY-MM-DDTHH:MM:SS`, local time: 60 s after issue.
    pub expires_at: String,
    /// The QR code of `url`, an SVG document.
    pub svg: String,
}

/// `POST /api/v1/checkin`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckinRequest {
    pub token: String,
}

/// A check-in: 201 with the points the first time, 200 with `already` after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckinResult {
    pub event_id: String,
    pub activity_id: String,
    /// The points of the attendance (exact decimal text); only the first time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub already: bool,
    /// The activity's title, for the member's page (an addition to §10's answer).
    #[serde(default)]
    pub title: String,
}

/// One row of the audit log as the admin page and `GET /api/v1/audit` show it (§10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    /// `YYYY-MM-DDTHH:MM:SS.mmm`, local time of Asia/Shanghai.
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub ip: String,
}

/// An account as the admin page lists it (never its password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountView {
    pub login: String,
    pub role: String,
    pub org_id: String,
    pub member_id: Option<String>,
    pub created_at: String,
    /// When it was disabled; `None` while it works.
    pub disabled_at: Option<String>,
}

/// `POST /api/v1/accounts`: an account to add (as `vanguard user add`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAccount {
    pub login: String,
    /// At least 10 characters.
    pub password: String,
    /// `admin`, `officer`, `secretary`, `member` or `viewer`.
    pub role: String,
    pub org_id: String,
    /// Required for `member`.
    #[serde(default)]
    pub member_id: Option<String>,
}

/// A kiosk token as the admin page lists it (never the token itself, which is stored only as
/// a hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenView {
    pub id: i64,
    pub org_id: String,
    pub label: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// `POST /api/v1/tokens`: a kiosk token to create (as `vanguard token create`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewKioskToken {
    pub org_id: String,
    /// Days of validity; none: until revoked.
    #[serde(default)]
    pub days: Option<u32>,
    #[serde(default)]
    pub label: Option<String>,
}

/// A created kiosk token: shown once, with the URL the wall's display opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub id: i64,
    pub token: String,
    /// `/kiosk?token=…` (relative: the display opens it on this server).
    pub kiosk_path: String,
}

/// An activity that check-in can be opened for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityChoice {
    pub activity_id: String,
    pub org_id: String,
    pub org_name: String,
    /// §3's kind and its Chinese name.
    pub kind: String,
    pub kind_zh: String,
    pub title: String,
    /// `YYYY-MM-DDTHH:MM:SS`.
    pub held_at: String,
}

/// One member checked in at an activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollEntry {
    pub member_id: String,
    pub name: String,
    /// `HH:MM:SS` local time.
    pub at: String,
}

/// The secretary's check-in page: the activity, who checked in, of how many.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckinRoll {
    /// The data version it was read at (the page refetches when the server's changes).
    pub version: u64,
    pub activity: ActivityChoice,
    pub checked_in: Vec<RollEntry>,
    /// Members of the activity's organisation.
    pub members: i64,
}

/// A stored warning (docs/RULES.md §11): the key (subject, month, reason), its light (which
/// only goes up), its state and who moved it. `GET /api/v1/warnings`, the SSE event
/// `warning`, the inboxes and the wall's 实时预警 feed all carry this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningView {
    pub warning_id: i64,
    /// `YYYY-MM`: the month whose lights raised it.
    pub month: String,
    /// `member` or `org`.
    pub subject_kind: String,
    pub subject_id: String,
    pub subject_name: String,
    /// The member's organisation, or the branch itself.
    pub org_id: String,
    pub org_name: String,
    /// `dues`, `absence`, `gap` or `share`.
    pub reason: String,
    /// The reason in words, with its figure (`连续3个月未缴纳党费`).
    pub reason_zh: String,
    /// What the subject is asked to do (`您已亮起黄灯，请及时缴纳党费`): a member's own page.
    pub advice: String,
    pub light: Light,
    /// `open`, `acknowledged`, `resolved` or `cleared`.
    pub state: String,
    pub state_zh: String,
    /// `YYYY-MM-DDTHH:MM:SS`, Asia/Shanghai.
    pub raised_at: String,
    pub escalated_at: Option<String>,
    pub acked_by: Option<String>,
    pub acked_at: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    /// The rectification note of `resolved`.
    pub note: Option<String>,
    pub cleared_at: Option<String>,
    /// Whole days since it was raised.
    pub age_days: i64,
    /// Open or acknowledged for more than 7 days (§11): red on the wall's feed.
    pub overdue: bool,
}

/// One page of warnings, newest state first, with how many match in all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningPage {
    /// The data version it was read at (a change of a warning is a new version too).
    pub version: u64,
    pub total: i64,
    /// Of the matching ones: still open or acknowledged, and of those, overdue.
    pub active: i64,
    pub overdue: i64,
    pub rows: Vec<WarningView>,
}

/// `POST /api/v1/warnings/ID/resolve`: what was done (not empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolveWarning {
    pub note: String,
}

/// A webhook as the admin page lists it (its secret is never sent back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookView {
    pub id: i64,
    pub org_id: String,
    /// `wecom`, `dingtalk` or `generic`.
    pub kind: String,
    pub url: String,
    pub signed: bool,
    pub created_at: String,
    /// Messages waiting, delivered and failed (failed ones are shown to admins, §11).
    pub pending: i64,
    pub delivered: i64,
    pub failed: i64,
    /// The error of the newest failed or retried message.
    pub last_error: Option<String>,
}

/// `POST /api/v1/webhooks`: a webhook to add (as `vanguard webhook add`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewWebhook {
    pub org_id: String,
    pub kind: String,
    pub url: String,
    #[serde(default)]
    pub secret: Option<String>,
}
