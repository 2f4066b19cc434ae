//! Monthly facts: the counts and sums every indicator of the catalogue is a formula over.
//!
//! Two frames, both dense (one row per subject and month of the window, zeros where
//! nothing happened) so that a formula's window always sees every month:
//! - **member facts** (`member, m, …`): what one member did in month `m` — points by
//!   dimension (from the same scoring items as the index, [`crate::index::contributions_between`]),
//!   attendance by activity kind, leave, study, volunteer hours, model posts, dues on time,
//!   the evaluation grade that stands, and what was expected of the member;
//! - **organisation facts** (`org, m, …`): what an organisation held (activities by kind),
//!   its direct members' facts summed, and the small tables (transfers, ratings, projects,
//!   development steps). Summing them over a subtree ([`subtree_facts`]) gives the same
//!   columns for any higher organisation: every roll-up is a sum of counts.
//!
//! Readings (where DOMAIN.md §7 names an indicator but not its formula):
//! - attendance is counted per activity held in `m` (by the activity's month), once per
//!   member and activity; "expected" is, per member, the all-member organisation-life
//!   activities of the member's own organisation held in `m` at or after 00:00 of
//!   `joined_on` (the population of §5's absence rule);
//! - a member is due dues for `m` when joined by the end of `m` with `monthly_dues` > 0, and
//!   pays on time when §4's dues point is earned for `m`;
//! - a transfer is handled in `m` when completed in `m` (counted for the receiving
//!   organisation), pending at `m` when requested by the end of `m` and not completed by
//!   then (counted for the sending organisation);
//! - a secretary project is open at `m` when started by the end of `m` and not completed by
//!   then, overdue when also due before the end of `m`;
//! - a development step (activist … full) is on time when reached within its limit after the
//!   candidate's previous step: activist 92 days after application, candidate 730 days after
//!   activist, probationary 365 days after candidate, full 396 days after probationary (one
//!   year of probation and a month to convene the meeting).

use crate::dataset::Dataset;
use crate::index::{contributions_between, dimension_sums};
use crate::rules::Rules;
use domain::kinds::{ActivityKind, EventKind, OrgKind};
use domain::time::MICROS_PER_DAY;
use domain::Period;
use polars::prelude::*;
use store::extras::Extras;

/// Column of member facts counting attended activities of `kind`.
pub fn attend_col(kind: ActivityKind) -> String {
    format!("att_{}", kind.as_str())
}

/// Column of organisation facts counting activities of `kind` held.
pub fn held_col(kind: ActivityKind) -> String {
    format!("act_{}", kind.as_str())
}

/// The per-member columns summed into organisation facts (besides the activity counts).
pub fn member_sum_columns() -> Vec<String> {
    let mut v: Vec<String> = ["points", "party_life", "duty", "contribution", "morality", "dues_on_time", "dues_due", "attended_own", "expected", "leaves", "study", "volunteer_q", "model_posts", "records", "enrolled", "grade_1", "grade_2", "grade_3", "grade_4"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.extend(ActivityKind::ALL.iter().map(|k| attend_col(*k)));
    v
}

fn kind_is(k: EventKind) -> Expr {
    col("kind").eq(lit(k.code()))
}

/// The months `from..=to` (`m`) with their years (`y`).
fn months_frame(from: i32, to: i32) -> PolarsResult<LazyFrame> {
    let m: Vec<i32> = (from..=to).collect();
    let y: Vec<i32> = m.iter().map(|m| Period(*m).year()).collect();
    Ok(DataFrame::new_infer_height(vec![Column::new("m".into(), m), Column::new("y".into(), y)])?.lazy())
}

fn in_window(c: &str, from: i32, to: i32) -> Expr {
    col(c).gt_eq(lit(from)).and(col(c).lt_eq(lit(to)))
}

/// Left-joins `right` (keyed by `keys`) onto `left` and fills its value columns with 0.
fn attach(left: LazyFrame, right: LazyFrame, keys: &[&str], values: &[String]) -> LazyFrame {
    let k: Vec<Expr> = keys.iter().map(|c| col(*c)).collect();
    let mut out = left.join(right, k.clone(), k, JoinArgs::new(JoinType::Left));
    for v in values {
        out = out.with_column(col(v.as_str()).fill_null(lit(0i64)).cast(DataType::Int64));
    }
    out
}

/// Member facts for the months `from..=to`: one row per member of `ds` and month.
pub fn member_facts(ds: &Dataset, rules: &Rules, from: Period, to: Period) -> PolarsResult<DataFrame> {
    let (f, t) = (from.0, to.0);
    let members = ds.members.clone().lazy().select([
        col("id").alias("member"),
        col("org"),
        col("jm"),
        col("monthly_dues"),
        (col("joined_on").cast(DataType::Int64) * lit(MICROS_PER_DAY)).alias("joined_at"),
    ]);
    let grid = members
        .clone()
        .cross_join(months_frame(f, t)?, None)
        .with_columns([
            col("jm").lt_eq(col("m")).cast(DataType::Int64).alias("enrolled"),
            (col("jm").lt_eq(col("m")).and(col("monthly_dues").gt(lit(0i64)))).cast(DataType::Int64).alias("dues_due"),
        ]);

    // Points by dimension, and what gives them, from the scoring items of §4.
    let items = contributions_between(ds, rules, from, to)?;
    let points = dimension_sums(items.clone(), &["member", "om"])
        .with_column((col("party_life") + col("duty") + col("contribution") + col("morality")).alias("points"))
        .rename(["om"], ["m"], true);
    let dues = items
        .clone()
        .filter(col("rule").eq(lit(EventKind::Dues.code())))
        .group_by([col("member"), col("om")])
        .agg([len().cast(DataType::Int64).alias("dues_on_time")])
        .rename(["om"], ["m"], true);
    let grade_of = |g: i64| col("grade").eq(lit(g)).cast(DataType::Int64).sum().alias(format!("grade_{g}"));
    let grades = items
        .filter(col("rule").eq(lit(EventKind::Evaluation.code())))
        .group_by([col("member"), col("om")])
        .agg([grade_of(1), grade_of(2), grade_of(3), grade_of(4)])
        .rename(["om"], ["m"], true);

    // Attendance: once per member and activity, in the activity's month.
    let acts = ds.activities.clone().lazy().filter(in_window("hm", f, t)).select([
        col("id").alias("activity"),
        col("org").alias("held_by"),
        col("kind").alias("akind"),
        col("held_at"),
        col("hm").alias("m"),
        col("all_member"),
    ]);
    let mut att_aggs: Vec<Expr> = ActivityKind::ALL
        .iter()
        .map(|k| col("akind").eq(lit(k.code())).cast(DataType::Int64).sum().alias(attend_col(*k)))
        .collect();
    att_aggs.push(
        (col("all_member").and(col("held_by").eq(col("org"))).and(col("held_at").gt_eq(col("joined_at"))))
            .cast(DataType::Int64)
            .sum()
            .alias("attended_own"),
    );
    let attended = ds
        .events
        .clone()
        .lazy()
        .filter(kind_is(EventKind::Attend))
        .select([col("member"), col("activity")])
        .unique(None, UniqueKeepStrategy::Any)
        .join(acts.clone(), [col("activity")], [col("activity")], JoinArgs::new(JoinType::Inner))
        .join(members.clone().select([col("member"), col("org"), col("joined_at")]), [col("member")], [col("member")], JoinArgs::new(JoinType::Inner))
        .group_by([col("member"), col("m")])
        .agg(att_aggs);

    // Expected: the own organisation's all-member activities held at or after joining.
    let expected = members
        .clone()
        .select([col("member"), col("org"), col("joined_at")])
        .join(acts.filter(col("all_member")), [col("org")], [col("held_by")], JoinArgs::new(JoinType::Inner))
        .filter(col("held_at").gt_eq(col("joined_at")))
        .group_by([col("member"), col("m")])
        .agg([len().cast(DataType::Int64).alias("expected")]);

    // Events counted one by one in their month.
    let count_of = |k: EventKind, name: &str| kind_is(k).cast(DataType::Int64).sum().alias(name);
    let singles = ds
        .events
        .clone()
        .lazy()
        .filter(in_window("om", f, t))
        .group_by([col("member"), col("om")])
        .agg([
            count_of(EventKind::Leave, "leaves"),
            count_of(EventKind::ModelPost, "model_posts"),
            len().cast(DataType::Int64).alias("events_n"),
            when(kind_is(EventKind::Volunteer)).then(col("quantity")).otherwise(lit(0i64)).cast(DataType::Int64).sum().alias("volunteer_q"),
        ])
        .rename(["om"], ["m"], true);
    let study = ds.study.clone().lazy().filter(in_window("om", f, t)).select([col("member"), col("om").alias("m"), col("n").cast(DataType::Int64).alias("study")]);

    let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    let mut att_cols: Vec<String> = ActivityKind::ALL.iter().map(|k| attend_col(*k)).collect();
    att_cols.push("attended_own".into());
    let keys = ["member", "m"];
    let out = attach(grid, points, &keys, &s(&["party_life", "duty", "contribution", "morality", "points"]));
    let out = attach(out, dues, &keys, &s(&["dues_on_time"]));
    let out = attach(out, grades, &keys, &s(&["grade_1", "grade_2", "grade_3", "grade_4"]));
    let out = attach(out, attended, &keys, &att_cols);
    let out = attach(out, expected, &keys, &s(&["expected"]));
    let out = attach(out, singles, &keys, &s(&["leaves", "model_posts", "volunteer_q", "events_n"]));
    let out = attach(out, study, &keys, &s(&["study"]));
    // Every event of the month, study sessions one by one (the wall's "records").
    let out = out.with_column((col("events_n") + col("study")).alias("records"));
    let mut cols: Vec<Expr> = vec![col("member"), col("org"), col("m")];
    cols.extend(member_sum_columns().iter().map(|c| col(c.as_str())));
    out.select(cols).sort(["member", "m"], SortMultipleOptions::default()).collect()
}

/// Replaces the rows of the members `members` in `all` (a per-member frame: member facts,
/// member lights) by `fresh` (the same frame computed for a dataset restricted to them, see
/// [`Dataset::restrict`]); sorted again by `order` when given (a stable sort), else the
/// fresh rows come last (for frames that are only filtered and grouped).
pub fn splice(all: &DataFrame, fresh: &DataFrame, members: &[i64], order: Option<&str>) -> PolarsResult<DataFrame> {
    let ids = Series::new("ids".into(), members);
    let kept = all.clone().lazy().filter(col("member").is_in(lit(ids).implode(false), false).not());
    let joined = concat([kept, fresh.clone().lazy()], UnionArgs::default())?;
    match order {
        Some(c) => joined.sort([c], SortMultipleOptions::default().with_maintain_order(true)).collect(),
        None => joined.collect(),
    }
}

/// Organisation facts for the months `from..=to` (one row per organisation and month):
/// activities held by kind, direct members' facts summed, and the small tables.
pub fn org_facts(ds: &Dataset, extras: &Extras, members: &DataFrame, from: Period, to: Period) -> PolarsResult<DataFrame> {
    let (f, t) = (from.0, to.0);
    let grassroots = [OrgKind::Committee, OrgKind::GeneralBranch, OrgKind::Branch].iter().fold(lit(false), |acc, k| acc.or(col("kind").eq(lit(k.code()))));
    let grid = ds
        .orgs
        .clone()
        .lazy()
        .select([col("id").alias("org"), col("em"), grassroots.alias("grassroots")])
        .cross_join(months_frame(f, t)?, None)
        .with_column((col("grassroots").and(col("em").lt_eq(col("m")))).cast(DataType::Int64).alias("gr"));

    let mut held: Vec<Expr> = ActivityKind::ALL.iter().map(|k| col("kind").eq(lit(k.code())).cast(DataType::Int64).sum().alias(held_col(*k))).collect();
    held.push(col("org_life").cast(DataType::Int64).sum().alias("org_life"));
    let acts = ds.activities.clone().lazy().filter(in_window("hm", f, t)).group_by([col("org"), col("hm")]).agg(held).rename(["hm"], ["m"], true);

    let sums = member_sum_columns();
    let from_members = members
        .clone()
        .lazy()
        .filter(in_window("m", f, t))
        .group_by([col("org"), col("m")])
        .agg(sums.iter().map(|c| col(c.as_str()).sum()).collect::<Vec<_>>());

    let transfers = extras.transfers.clone().lazy();
    let done = transfers
        .clone()
        .filter(col("completed_on").is_not_null())
        .select([col("to_org").alias("org"), col("completed_m").alias("m")])
        .group_by([col("org"), col("m")])
        .agg([len().cast(DataType::Int64).alias("transfers_done")]);
    // Pending at m: requested by the end of m, completed after m (or not yet).
    let pending = transfers
        .select([col("from_org").alias("org"), col("requested_m").alias("rm"), col("completed_m").alias("cm")])
        .cross_join(months_frame(f, t)?, None)
        .filter(col("rm").lt_eq(col("m")).and(col("cm").is_null().or(col("cm").gt(col("m")))))
        .group_by([col("org"), col("m")])
        .agg([len().cast(DataType::Int64).alias("transfers_pending")]);

    let ratings = extras
        .ratings
        .clone()
        .lazy()
        .cross_join(months_frame(f, t)?, None)
        .filter(col("y").eq(col("year")))
        .select([col("org"), col("m"), col("stars").alias("stars"), lit(1i64).alias("rated")]);

    let projects = extras
        .projects
        .clone()
        .lazy()
        .select([col("org"), col("started_m").alias("sm"), col("due_m").alias("dm"), col("completed_m").alias("cm"), col("due_on"), col("completed_on"), col("progress")])
        .cross_join(months_frame(f, t)?, None)
        .group_by([col("org"), col("m")])
        .agg([
            (col("sm").lt_eq(col("m")).and(col("cm").is_null().or(col("cm").gt(col("m"))))).cast(DataType::Int64).sum().alias("projects_open"),
            (col("sm").lt_eq(col("m")).and(col("cm").is_null().or(col("cm").gt(col("m")))).and(col("dm").lt_eq(col("m"))))
                .cast(DataType::Int64)
                .sum()
                .alias("projects_overdue"),
            col("cm").eq(col("m")).fill_null(lit(false)).cast(DataType::Int64).sum().alias("projects_done"),
            (col("cm").eq(col("m")).and(col("completed_on").lt_eq(col("due_on")))).fill_null(lit(false)).cast(DataType::Int64).sum().alias("projects_done_on_time"),
            when(col("sm").lt_eq(col("m")).and(col("cm").is_null().or(col("cm").gt(col("m"))))).then(col("progress")).otherwise(lit(0i64)).cast(DataType::Int64).sum().alias("progress_sum"),
        ]);

    // Development steps: each step after the first, on time when within its limit.
    let limit = when(col("step").eq(lit(2i16)))
        .then(lit(92i32))
        .when(col("step").eq(lit(3i16)))
        .then(lit(730i32))
        .when(col("step").eq(lit(4i16)))
        .then(lit(365i32))
        .otherwise(lit(396i32));
    let steps = extras
        .candidates
        .clone()
        .lazy()
        .sort(["candidate_id", "step"], SortMultipleOptions::default())
        .with_column(col("step_on").shift(lit(1)).over([col("candidate_id")])?.alias("prev_on"))
        .filter(col("step").gt(lit(1i16)))
        .with_column(col("step_m").alias("m"))
        .group_by([col("org"), col("m")])
        .agg([
            len().cast(DataType::Int64).alias("dev_steps"),
            (col("step_on") - col("prev_on")).lt_eq(limit).fill_null(lit(false)).cast(DataType::Int64).sum().alias("dev_on_time"),
        ]);

    let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    let mut held_cols: Vec<String> = ActivityKind::ALL.iter().map(|k| held_col(*k)).collect();
    held_cols.push("org_life".into());
    let keys = ["org", "m"];
    let out = attach(grid, acts, &keys, &held_cols);
    let out = attach(out, from_members, &keys, &sums);
    let out = attach(out, done, &keys, &s(&["transfers_done"]));
    let out = attach(out, pending, &keys, &s(&["transfers_pending"]));
    let out = attach(out, ratings, &keys, &s(&["stars", "rated"]));
    let out = attach(out, projects, &keys, &s(&["projects_open", "projects_overdue", "projects_done", "projects_done_on_time", "progress_sum"]));
    let out = attach(out, steps, &keys, &s(&["dev_steps", "dev_on_time"]));
    out.with_columns([
        // A grassroots organisation with members that held organisation life this month.
        (col("gr").gt(lit(0i64)).and(col("enrolled").gt(lit(0i64)))).cast(DataType::Int64).alias("gr"),
        (col("gr").gt(lit(0i64)).and(col("enrolled").gt(lit(0i64))).and(col("org_life").gt(lit(0i64)))).cast(DataType::Int64).alias("gr_held"),
    ])
    .drop(cols(["em", "grassroots", "y"]))
    .sort(["org", "m"], SortMultipleOptions::default())
    .collect()
}

/// Facts summed over every organisation's subtree (itself included): the same columns as
/// [`org_facts`], keyed by the subtree's top `org`.
pub fn subtree_facts(org_facts: &DataFrame, ancestry: &DataFrame) -> PolarsResult<DataFrame> {
    let values: Vec<Expr> = org_facts.get_column_names().iter().filter(|c| !matches!(c.as_str(), "org" | "m")).map(|c| col(c.as_str()).sum()).collect();
    org_facts
        .clone()
        .lazy()
        .join(ancestry.clone().lazy(), [col("org")], [col("org")], JoinArgs::new(JoinType::Inner))
        .group_by([col("ancestor"), col("m")])
        .agg(values)
        .rename(["ancestor"], ["org"], true)
        .sort(["org", "m"], SortMultipleOptions::default())
        .collect()
}
