//! Monthly facts: the counts and sums every indicator of the catalogue is a formula over.
//!
//! Two frames, both dense (one row per subject and month of the window, zeros where
//! nothing happened) so that a formula's window always sees every month:
//! - **member facts** (`member, month, …`): what one member did in month `m` — points by
//!   dimension (from the same scoring items as the index, [`crate::index::contributions_between`]),
//!   attendance by activity kind, leave, study, volunteer hours, model posts, dues on time,
//!   the evaluation grade that stands, and what was expected of the member;
//! - **organisation facts** (`org, month, …`): what an organisation held (activities by kind),
//!   its direct members' facts summed, and the small tables (transfers, ratings, projects,
//!   development steps). Summing them over a subtree ([`subtree_facts`]) gives the same
//!   columns for any higher organisation: every roll-up is a sum of counts.
//!
//! Readings (where docs/RULES.md §7 names an indicator but not its formula):
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
use crate::schema::{self as c, attend_col, grade_col, held_col};
use domain::Period;
use domain::kinds::{ActivityKind, EventKind, OrgKind};
use domain::time::MICROS_PER_DAY;
use polars::prelude::*;
use store::extras::Extras;

/// The per-member columns summed into organisation facts (besides the activity counts).
pub fn member_sum_columns() -> Vec<String> {
    let mut v: Vec<String> = [
        c::POINTS,
        c::PARTY_LIFE,
        c::DUTY,
        c::CONTRIBUTION,
        c::MORALITY,
        c::DUES_ON_TIME,
        c::DUES_DUE,
        c::ATTENDED_OWN,
        c::EXPECTED,
        c::LEAVES,
        c::STUDY,
        c::VOLUNTEER_Q,
        c::MODEL_POSTS,
        c::RECORDS,
        c::ENROLLED,
        &grade_col(1),
        &grade_col(2),
        &grade_col(3),
        &grade_col(4),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(ActivityKind::ALL.iter().map(|k| attend_col(*k)));
    v
}

fn kind_is(k: EventKind) -> Expr {
    col(c::KIND).eq(lit(k.code()))
}

/// The months `from..=to` (`month`) with their years (`month_year`).
fn months_frame(from: i32, to: i32) -> PolarsResult<LazyFrame> {
    let m: Vec<i32> = (from..=to).collect();
    let y: Vec<i32> = m.iter().map(|m| Period(*m).year()).collect();
    Ok(DataFrame::new_infer_height(vec![Column::new(c::MONTH.into(), m), Column::new(c::MONTH_YEAR.into(), y)])?.lazy())
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
        col(c::ID).alias(c::MEMBER),
        col(c::ORG),
        col(c::JOINED_MONTH),
        col(c::MONTHLY_DUES),
        (col(c::JOINED_ON).cast(DataType::Int64) * lit(MICROS_PER_DAY)).alias(c::JOINED_AT),
    ]);
    let grid = members.clone().cross_join(months_frame(f, t)?, None).with_columns([
        col(c::JOINED_MONTH).lt_eq(col(c::MONTH)).cast(DataType::Int64).alias(c::ENROLLED),
        (col(c::JOINED_MONTH).lt_eq(col(c::MONTH)).and(col(c::MONTHLY_DUES).gt(lit(0i64)))).cast(DataType::Int64).alias(c::DUES_DUE),
    ]);

    // Points by dimension, and what gives them, from the scoring items of §4.
    let items = contributions_between(ds, rules, from, to)?;
    let points = dimension_sums(items.clone(), &[c::MEMBER, c::OCCURRED_MONTH])
        .with_column((col(c::PARTY_LIFE) + col(c::DUTY) + col(c::CONTRIBUTION) + col(c::MORALITY)).alias(c::POINTS))
        .rename([c::OCCURRED_MONTH], [c::MONTH], true);
    let dues = items
        .clone()
        .filter(col(c::RULE).eq(lit(EventKind::Dues.code())))
        .group_by([col(c::MEMBER), col(c::OCCURRED_MONTH)])
        .agg([len().cast(DataType::Int64).alias(c::DUES_ON_TIME)])
        .rename([c::OCCURRED_MONTH], [c::MONTH], true);
    let grade_of = |g: i64| col(c::GRADE).eq(lit(g)).cast(DataType::Int64).sum().alias(grade_col(g));
    let grades = items
        .filter(col(c::RULE).eq(lit(EventKind::Evaluation.code())))
        .group_by([col(c::MEMBER), col(c::OCCURRED_MONTH)])
        .agg([grade_of(1), grade_of(2), grade_of(3), grade_of(4)])
        .rename([c::OCCURRED_MONTH], [c::MONTH], true);

    // Attendance: once per member and activity, in the activity's month.
    let acts = ds.activities.clone().lazy().filter(in_window(c::HELD_MONTH, f, t)).select([
        col(c::ID).alias(c::ACTIVITY),
        col(c::ORG).alias(c::HELD_BY),
        col(c::KIND).alias(c::ACTIVITY_KIND),
        col(c::HELD_AT),
        col(c::HELD_MONTH).alias(c::MONTH),
        col(c::ALL_MEMBER),
    ]);
    let mut att_aggs: Vec<Expr> =
        ActivityKind::ALL.iter().map(|k| col(c::ACTIVITY_KIND).eq(lit(k.code())).cast(DataType::Int64).sum().alias(attend_col(*k))).collect();
    att_aggs.push(
        (col(c::ALL_MEMBER).and(col(c::HELD_BY).eq(col(c::ORG))).and(col(c::HELD_AT).gt_eq(col(c::JOINED_AT))))
            .cast(DataType::Int64)
            .sum()
            .alias(c::ATTENDED_OWN),
    );
    let attended = ds
        .events
        .clone()
        .lazy()
        .filter(kind_is(EventKind::Attend))
        .select([col(c::MEMBER), col(c::ACTIVITY)])
        .unique(None, UniqueKeepStrategy::Any)
        .join(acts.clone(), [col(c::ACTIVITY)], [col(c::ACTIVITY)], JoinArgs::new(JoinType::Inner))
        .join(members.clone().select([col(c::MEMBER), col(c::ORG), col(c::JOINED_AT)]), [col(c::MEMBER)], [col(c::MEMBER)], JoinArgs::new(JoinType::Inner))
        .group_by([col(c::MEMBER), col(c::MONTH)])
        .agg(att_aggs);

    // Expected: the own organisation's all-member activities held at or after joining.
    let expected = members
        .clone()
        .select([col(c::MEMBER), col(c::ORG), col(c::JOINED_AT)])
        .join(acts.filter(col(c::ALL_MEMBER)), [col(c::ORG)], [col(c::HELD_BY)], JoinArgs::new(JoinType::Inner))
        .filter(col(c::HELD_AT).gt_eq(col(c::JOINED_AT)))
        .group_by([col(c::MEMBER), col(c::MONTH)])
        .agg([len().cast(DataType::Int64).alias(c::EXPECTED)]);

    // Events counted one by one in their month.
    let count_of = |k: EventKind, name: &str| kind_is(k).cast(DataType::Int64).sum().alias(name);
    let singles = ds
        .events
        .clone()
        .lazy()
        .filter(in_window(c::OCCURRED_MONTH, f, t))
        .group_by([col(c::MEMBER), col(c::OCCURRED_MONTH)])
        .agg([
            count_of(EventKind::Leave, c::LEAVES),
            count_of(EventKind::ModelPost, c::MODEL_POSTS),
            len().cast(DataType::Int64).alias(c::EVENT_ROWS),
            when(kind_is(EventKind::Volunteer)).then(col(c::QUANTITY)).otherwise(lit(0i64)).cast(DataType::Int64).sum().alias(c::VOLUNTEER_Q),
        ])
        .rename([c::OCCURRED_MONTH], [c::MONTH], true);
    let study = ds.study.clone().lazy().filter(in_window(c::OCCURRED_MONTH, f, t)).select([
        col(c::MEMBER),
        col(c::OCCURRED_MONTH).alias(c::MONTH),
        col(c::COUNT).cast(DataType::Int64).alias(c::STUDY),
    ]);

    let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    let mut att_cols: Vec<String> = ActivityKind::ALL.iter().map(|k| attend_col(*k)).collect();
    att_cols.push(c::ATTENDED_OWN.into());
    let keys = [c::MEMBER, c::MONTH];
    let out = attach(grid, points, &keys, &s(&[c::PARTY_LIFE, c::DUTY, c::CONTRIBUTION, c::MORALITY, c::POINTS]));
    let out = attach(out, dues, &keys, &s(&[c::DUES_ON_TIME]));
    let out = attach(out, grades, &keys, &s(&[&grade_col(1), &grade_col(2), &grade_col(3), &grade_col(4)]));
    let out = attach(out, attended, &keys, &att_cols);
    let out = attach(out, expected, &keys, &s(&[c::EXPECTED]));
    let out = attach(out, singles, &keys, &s(&[c::LEAVES, c::MODEL_POSTS, c::VOLUNTEER_Q, c::EVENT_ROWS]));
    let out = attach(out, study, &keys, &s(&[c::STUDY]));
    // Every event of the month, study sessions one by one (the wall's "records").
    let out = out.with_column((col(c::EVENT_ROWS) + col(c::STUDY)).alias(c::RECORDS));
    let mut cols: Vec<Expr> = vec![col(c::MEMBER), col(c::ORG), col(c::MONTH)];
    cols.extend(member_sum_columns().iter().map(|c| col(c.as_str())));
    out.select(cols).sort([c::MEMBER, c::MONTH], SortMultipleOptions::default()).collect()
}

/// Replaces the rows of the members `members` in `all` (a per-member frame: member facts,
/// member lights) by `fresh` (the same frame computed for a dataset restricted to them, see
/// [`Dataset::restrict`]); sorted again by `order` when given (a stable sort), else the
/// fresh rows come last (for frames that are only filtered and grouped).
pub fn splice(all: &DataFrame, fresh: &DataFrame, members: &[i64], order: Option<&str>) -> PolarsResult<DataFrame> {
    splice_on(all, fresh, c::MEMBER, members, order.as_slice())
}

/// The rows of `all` whose `key` is not one of `ids`, and then `fresh` (the recomputed rows
/// of those ids), sorted by `order` (stable; none keeps that order).
pub fn splice_on(all: &DataFrame, fresh: &DataFrame, key: &str, ids: &[i64], order: &[&str]) -> PolarsResult<DataFrame> {
    let ids = Series::new("ids".into(), ids);
    let kept = all.clone().lazy().filter(col(key).is_in(lit(ids).implode(false), false).not());
    let joined = concat([kept, fresh.clone().lazy()], UnionArgs::default())?;
    if order.is_empty() {
        return joined.collect();
    }
    joined.sort(order.iter().map(|c| c.to_string()).collect::<Vec<_>>(), SortMultipleOptions::default().with_maintain_order(true)).collect()
}

/// Organisation facts for the months `from..=to` (one row per organisation and month):
/// activities held by kind, direct members' facts summed, and the small tables.
pub fn org_facts(ds: &Dataset, extras: &Extras, members: &DataFrame, from: Period, to: Period) -> PolarsResult<DataFrame> {
    let (f, t) = (from.0, to.0);
    let grassroots = [OrgKind::Committee, OrgKind::GeneralBranch, OrgKind::Branch].iter().fold(lit(false), |acc, k| acc.or(col(c::KIND).eq(lit(k.code()))));
    let grid = ds
        .orgs
        .clone()
        .lazy()
        .select([col(c::ID).alias(c::ORG), col(c::ESTABLISHED_MONTH), grassroots.alias(c::GRASSROOTS)])
        .cross_join(months_frame(f, t)?, None)
        .with_column((col(c::GRASSROOTS).and(col(c::ESTABLISHED_MONTH).lt_eq(col(c::MONTH)))).cast(DataType::Int64).alias(c::GRASSROOTS_WITH_MEMBERS));

    let mut held: Vec<Expr> = ActivityKind::ALL.iter().map(|k| col(c::KIND).eq(lit(k.code())).cast(DataType::Int64).sum().alias(held_col(*k))).collect();
    held.push(col(c::ORG_LIFE).cast(DataType::Int64).sum().alias(c::ORG_LIFE));
    let acts = ds.activities.clone().lazy().filter(in_window(c::HELD_MONTH, f, t)).group_by([col(c::ORG), col(c::HELD_MONTH)]).agg(held).rename(
        [c::HELD_MONTH],
        [c::MONTH],
        true,
    );

    let sums = member_sum_columns();
    let from_members = members
        .clone()
        .lazy()
        .filter(in_window(c::MONTH, f, t))
        .group_by([col(c::ORG), col(c::MONTH)])
        .agg(sums.iter().map(|c| col(c.as_str()).sum()).collect::<Vec<_>>());

    let transfers = extras.transfers.clone().lazy();
    let done = transfers
        .clone()
        .filter(col(c::COMPLETED_ON).is_not_null())
        .select([col(c::TO_ORG).alias(c::ORG), col(c::COMPLETED_MONTH).alias(c::MONTH)])
        .group_by([col(c::ORG), col(c::MONTH)])
        .agg([len().cast(DataType::Int64).alias(c::TRANSFERS_DONE)]);
    // Pending at m: requested by the end of m, completed after m (or not yet).
    let pending = transfers
        .select([col(c::FROM_ORG).alias(c::ORG), col(c::REQUESTED_MONTH).alias(c::REQUESTED_MONTH), col(c::COMPLETED_MONTH).alias(c::COMPLETED_MONTH)])
        .cross_join(months_frame(f, t)?, None)
        .filter(col(c::REQUESTED_MONTH).lt_eq(col(c::MONTH)).and(col(c::COMPLETED_MONTH).is_null().or(col(c::COMPLETED_MONTH).gt(col(c::MONTH)))))
        .group_by([col(c::ORG), col(c::MONTH)])
        .agg([len().cast(DataType::Int64).alias(c::TRANSFERS_PENDING)]);

    let ratings = extras.ratings.clone().lazy().cross_join(months_frame(f, t)?, None).filter(col(c::MONTH_YEAR).eq(col(c::YEAR))).select([
        col(c::ORG),
        col(c::MONTH),
        col(c::STARS).alias(c::STARS),
        lit(1i64).alias(c::RATED),
    ]);

    let projects = extras
        .projects
        .clone()
        .lazy()
        .select([
            col(c::ORG),
            col(c::STARTED_MONTH).alias(c::STARTED_MONTH),
            col(c::DUE_MONTH).alias(c::DUE_MONTH),
            col(c::COMPLETED_MONTH).alias(c::COMPLETED_MONTH),
            col(c::DUE_ON),
            col(c::COMPLETED_ON),
            col(c::PROGRESS),
        ])
        .cross_join(months_frame(f, t)?, None)
        .group_by([col(c::ORG), col(c::MONTH)])
        .agg([
            (col(c::STARTED_MONTH).lt_eq(col(c::MONTH)).and(col(c::COMPLETED_MONTH).is_null().or(col(c::COMPLETED_MONTH).gt(col(c::MONTH)))))
                .cast(DataType::Int64)
                .sum()
                .alias(c::PROJECTS_OPEN),
            (col(c::STARTED_MONTH)
                .lt_eq(col(c::MONTH))
                .and(col(c::COMPLETED_MONTH).is_null().or(col(c::COMPLETED_MONTH).gt(col(c::MONTH))))
                .and(col(c::DUE_MONTH).lt_eq(col(c::MONTH))))
            .cast(DataType::Int64)
            .sum()
            .alias(c::PROJECTS_OVERDUE),
            col(c::COMPLETED_MONTH).eq(col(c::MONTH)).fill_null(lit(false)).cast(DataType::Int64).sum().alias(c::PROJECTS_DONE),
            (col(c::COMPLETED_MONTH).eq(col(c::MONTH)).and(col(c::COMPLETED_ON).lt_eq(col(c::DUE_ON))))
                .fill_null(lit(false))
                .cast(DataType::Int64)
                .sum()
                .alias(c::PROJECTS_DONE_ON_TIME),
            when(col(c::STARTED_MONTH).lt_eq(col(c::MONTH)).and(col(c::COMPLETED_MONTH).is_null().or(col(c::COMPLETED_MONTH).gt(col(c::MONTH)))))
                .then(col(c::PROGRESS))
                .otherwise(lit(0i64))
                .cast(DataType::Int64)
                .sum()
                .alias(c::PROGRESS_SUM),
        ]);

    // Development steps: each step after the first, on time when within its limit.
    let limit = when(col(c::STEP).eq(lit(2i16)))
        .then(lit(92i32))
        .when(col(c::STEP).eq(lit(3i16)))
        .then(lit(730i32))
        .when(col(c::STEP).eq(lit(4i16)))
        .then(lit(365i32))
        .otherwise(lit(396i32));
    let steps = extras
        .candidates
        .clone()
        .lazy()
        .sort([c::CANDIDATE_ID, c::STEP], SortMultipleOptions::default())
        .with_column(col(c::STEP_ON).shift(lit(1)).over([col(c::CANDIDATE_ID)])?.alias(c::PREV_ON))
        .filter(col(c::STEP).gt(lit(1i16)))
        .with_column(col(c::STEP_MONTH).alias(c::MONTH))
        .group_by([col(c::ORG), col(c::MONTH)])
        .agg([
            len().cast(DataType::Int64).alias(c::DEV_STEPS),
            (col(c::STEP_ON) - col(c::PREV_ON)).lt_eq(limit).fill_null(lit(false)).cast(DataType::Int64).sum().alias(c::DEV_ON_TIME),
        ]);

    let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    let mut held_cols: Vec<String> = ActivityKind::ALL.iter().map(|k| held_col(*k)).collect();
    held_cols.push(c::ORG_LIFE.into());
    let keys = [c::ORG, c::MONTH];
    let out = attach(grid, acts, &keys, &held_cols);
    let out = attach(out, from_members, &keys, &sums);
    let out = attach(out, done, &keys, &s(&[c::TRANSFERS_DONE]));
    let out = attach(out, pending, &keys, &s(&[c::TRANSFERS_PENDING]));
    let out = attach(out, ratings, &keys, &s(&[c::STARS, c::RATED]));
    let out = attach(out, projects, &keys, &s(&[c::PROJECTS_OPEN, c::PROJECTS_OVERDUE, c::PROJECTS_DONE, c::PROJECTS_DONE_ON_TIME, c::PROGRESS_SUM]));
    let out = attach(out, steps, &keys, &s(&[c::DEV_STEPS, c::DEV_ON_TIME]));
    out.with_columns([
        // A grassroots organisation with members that held organisation life this month.
        (col(c::GRASSROOTS_WITH_MEMBERS).gt(lit(0i64)).and(col(c::ENROLLED).gt(lit(0i64)))).cast(DataType::Int64).alias(c::GRASSROOTS_WITH_MEMBERS),
        (col(c::GRASSROOTS_WITH_MEMBERS).gt(lit(0i64)).and(col(c::ENROLLED).gt(lit(0i64))).and(col(c::ORG_LIFE).gt(lit(0i64))))
            .cast(DataType::Int64)
            .alias(c::GRASSROOTS_HELD_ORG_LIFE),
    ])
    .drop(cols([c::ESTABLISHED_MONTH, c::GRASSROOTS, c::MONTH_YEAR]))
    .sort([c::ORG, c::MONTH], SortMultipleOptions::default())
    .collect()
}

/// Facts summed over every organisation's subtree (itself included): the same columns as
/// [`org_facts`], keyed by the subtree's top `org`.
pub fn subtree_facts(org_facts: &DataFrame, ancestry: &DataFrame) -> PolarsResult<DataFrame> {
    let values: Vec<Expr> = org_facts.get_column_names().iter().filter(|c| !matches!(c.as_str(), c::ORG | c::MONTH)).map(|c| col(c.as_str()).sum()).collect();
    org_facts
        .clone()
        .lazy()
        .join(ancestry.clone().lazy(), [col(c::ORG)], [col(c::ORG)], JoinArgs::new(JoinType::Inner))
        .group_by([col(c::ANCESTOR), col(c::MONTH)])
        .agg(values)
        .rename([c::ANCESTOR], [c::ORG], true)
        .sort([c::ORG, c::MONTH], SortMultipleOptions::default())
        .collect()
}
