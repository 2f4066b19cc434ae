//! Every column name the engine reads or writes: the store's frames (re-exported from
//! [`store::schema`]) and the frames the engine derives from them (member lights, branch
//! lights, subtree counts, the index and its scoring items, monthly facts, indicators and
//! findings). No other module spells a column name; reading one that a frame lacks is an
//! error ([`crate::read`]), never a zero.
//!
//! Fact columns are also the vocabulary of the catalogue's formulas
//! (`engine/catalogue/default.json`), so renaming one of those is a change of the
//! catalogue format: the formulas name them as written here.

pub use store::schema::*;

/// Month (`Period` number) a row of facts is about.
pub const MONTH: &str = "month";

/// Month (`Period` number) a formula is evaluated at.
pub const TARGET_MONTH: &str = "target_month";

/// Calendar year of `month` (the grid of months).
pub const MONTH_YEAR: &str = "month_year";

/// 00:00 of `joined_on`, in microseconds.
pub const JOINED_AT: &str = "joined_at";

/// First month a §5 run may reach: max(data start, month joined or established).
pub const FLOOR: &str = "floor";

/// Dues paid for a period (millionths of a yuan).
pub const PAID: &str = "paid";

/// Last period paid in full.
pub const LAST_PAID: &str = "last_paid";

/// Surrogate id of the organisation that held an activity.
pub const HELD_BY: &str = "held_by";

/// Latest `held_at` (or month) of an organisation's qualifying activities.
pub const LAST_HELD: &str = "last_held";

/// Latest month a member answered (attend or leave) a qualifying activity.
pub const LAST_RESPONSE: &str = "last_response";

/// §5 dues-arrears run.
pub const DUES_ARREARS: &str = "dues_arrears";

/// §5 absence run.
pub const ABSENCE: &str = "absence";

/// Light code of the dues run (0 green, 1 yellow, 2 red).
pub const DUES_LIGHT: &str = "dues_light";

/// Light code of the absence run.
pub const ABSENCE_LIGHT: &str = "absence_light";

/// Light code (0 green, 1 yellow, 2 red): the worst of a subject's lights.
pub const LIGHT: &str = "light";

/// Direct members of a branch at the month.
pub const MEMBERS: &str = "members";

/// Members with a red light.
pub const RED_MEMBERS: &str = "red_members";

/// Members with a yellow light.
pub const YELLOW_MEMBERS: &str = "yellow_members";

/// Members with a green light.
pub const GREEN_MEMBERS: &str = "green_members";

/// Branches with a red light in a subtree.
pub const RED_BRANCHES: &str = "red_branches";

/// Branches with a yellow light in a subtree.
pub const YELLOW_BRANCHES: &str = "yellow_branches";

/// Branches with a green light in a subtree.
pub const GREEN_BRANCHES: &str = "green_branches";

/// Members with a light at the month (the population of §5).
pub const LIT_MEMBERS: &str = "lit_members";

/// §5 organisation-life gap run.
pub const ORG_LIFE_GAP: &str = "org_life_gap";

/// Light code of the gap.
pub const GAP_LIGHT: &str = "gap_light";

/// Light code of the red-member share.
pub const SHARE_LIGHT: &str = "share_light";

/// Surrogate id of an organisation above (or equal to) `org`.
pub const ANCESTOR: &str = "ancestor";

/// `EventKind` code of the §4 rule a scoring item comes from.
pub const RULE: &str = "rule";

/// Points in units of 10⁻⁷ (`domain::Points`).
pub const POINTS: &str = "points";

/// Evaluation grade 1–4.
pub const GRADE: &str = "grade";

/// Points of the party_life dimension (§4).
pub const PARTY_LIFE: &str = "party_life";

/// Points of the duty dimension (§4).
pub const DUTY: &str = "duty";

/// Points of the contribution dimension (§4).
pub const CONTRIBUTION: &str = "contribution";

/// Points of the morality dimension (§4).
pub const MORALITY: &str = "morality";

/// Vanguard Index: the sum of the four dimensions.
pub const INDEX: &str = "index";

/// Rank in the district (1-based, distinct).
pub const DISTRICT_RANK: &str = "district_rank";

/// Rank within the member's own organisation.
pub const ORG_RANK: &str = "org_rank";

/// Position in the district order (a step of ranking by organisation).
pub const ROW_RANK: &str = "row_rank";

/// 1 when the member had joined by the month.
pub const ENROLLED: &str = "enrolled";

/// 1 when dues are due for the month.
pub const DUES_DUE: &str = "dues_due";

/// Periods paid in full on time (§4's dues point).
pub const DUES_ON_TIME: &str = "dues_on_time";

/// Own organisation's all-member activities attended.
pub const ATTENDED_OWN: &str = "attended_own";

/// Own organisation's all-member activities held since joining.
pub const EXPECTED: &str = "expected";

/// Excused absences.
pub const LEAVES: &str = "leaves";

/// Study sessions.
pub const STUDY: &str = "study";

/// Volunteer hours in millionths.
pub const VOLUNTEER_Q: &str = "volunteer_q";

/// Model posts created.
pub const MODEL_POSTS: &str = "model_posts";

/// Records (events, activities) behind the figures.
pub const RECORDS: &str = "records";

/// Events of the month other than study sessions.
pub const EVENT_ROWS: &str = "event_rows";

/// `ActivityKind` code of the activity attended.
pub const ACTIVITY_KIND: &str = "activity_kind";

/// Whether an organisation is grassroots (§2).
pub const GRASSROOTS: &str = "grassroots";

/// Grassroots organisations established by the month with members.
pub const GRASSROOTS_WITH_MEMBERS: &str = "grassroots_with_members";

/// Of those, the ones that held organisation life in the month.
pub const GRASSROOTS_HELD_ORG_LIFE: &str = "grassroots_held_org_life";

/// Transfers completed in the month (receiving organisation).
pub const TRANSFERS_DONE: &str = "transfers_done";

/// Transfers pending at the month (sending organisation).
pub const TRANSFERS_PENDING: &str = "transfers_pending";

/// 1 when the organisation has a star rating for the month's year.
pub const RATED: &str = "rated";

/// Secretary projects open at the month.
pub const PROJECTS_OPEN: &str = "projects_open";

/// Open projects past their due month.
pub const PROJECTS_OVERDUE: &str = "projects_overdue";

/// Projects completed in the month.
pub const PROJECTS_DONE: &str = "projects_done";

/// Projects completed in the month by their due day.
pub const PROJECTS_DONE_ON_TIME: &str = "projects_done_on_time";

/// Sum of the progress of open projects.
pub const PROGRESS_SUM: &str = "progress_sum";

/// Development steps reached in the month.
pub const DEV_STEPS: &str = "dev_steps";

/// Of those, reached within their limit.
pub const DEV_ON_TIME: &str = "dev_on_time";

/// Day number of a candidate's previous step.
pub const PREV_ON: &str = "prev_on";

/// Position of an indicator in the branch catalogue.
pub const INDICATOR: &str = "indicator";

/// Value of an indicator.
pub const VALUE: &str = "value";

/// District average of an indicator.
pub const AVERAGE: &str = "average";

/// How far a value is on the bad side of the average (for ordering findings).
pub const BADNESS: &str = "badness";

/// Why a value is a finding: a mask of [`crate::catalogue::Basis`].
pub const BASIS: &str = "basis";

/// 1 + the branches strictly worse on an indicator.
pub const BAD_RANK: &str = "bad_rank";

/// Branches with a value of an indicator.
pub const RANKED: &str = "ranked";

/// A finding's reasons in words.
pub const EVIDENCE: &str = "evidence";

/// A run length (consecutive months).
pub const RUN: &str = "run";

/// Member-facts column counting attended activities of `kind` (a formula column).
pub fn attend_col(kind: domain::ActivityKind) -> String {
    format!("att_{}", kind.as_str())
}

/// Organisation-facts column counting activities of `kind` held (a formula column).
pub fn held_col(kind: domain::ActivityKind) -> String {
    format!("act_{}", kind.as_str())
}

/// Member-facts column counting evaluations of grade `g` (1–4) that stand (a formula column).
pub fn grade_col(g: i64) -> String {
    format!("grade_{g}")
}
