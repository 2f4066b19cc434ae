//! Member and branch lights of §5, as of the end of month M.
//!
//! Readings of §5 (also in the closing note of issue 3):
//! - "≤ the end of M" is "before the first instant of M+1": an event counts when the month
//!   of its `occurred_at` is ≤ M, an activity when the month of its `held_at` is;
//! - the data start is taken over the whole store, not only up to M;
//! - dues arrears: periods from max(data start, month joined) to M; a period is paid when
//!   the payments for it made by the end of M add up to `monthly_dues`; the run is the
//!   unpaid periods after the last paid one (all of them when none is paid);
//! - absence: a month counts when the member's own organisation (not its subtree) held an
//!   all-member organisation-life activity in it, at or after 00:00 of `joined_on`; it is
//!   absent when the member has no `attend` and no `leave` row (by the end of M) for any of
//!   that month's such activities; months with none are skipped;
//! - branches: grassroots organisations established by the end of M with at least one
//!   direct member at M (`joined_on` ≤ the last day of M); the org-life gap looks at the
//!   organisation's own activities of the six organisation-life kinds, from max(data start,
//!   month established); the share compares red direct members with direct members in
//!   integers (`red × 100 ≥ 20 × members`).

use crate::dataset::Dataset;
use crate::rules::Rules;
use crate::schema as c;
use domain::Period;
use domain::kinds::{EventKind, OrgKind};
use domain::time::MICROS_PER_DAY;
use polars::prelude::*;

fn kind_is(k: EventKind) -> Expr {
    col(c::KIND).eq(lit(k.code()))
}

/// `max(a, b)` for two integer expressions.
fn greatest(a: Expr, b: Expr) -> Expr {
    when(a.clone().gt_eq(b.clone())).then(a).otherwise(b)
}

/// A run's light: red from `red`, yellow from `yellow`, green below.
fn light_of(run: Expr, yellow: i64, red: i64) -> Expr {
    // Literal-only branches would take polars' default integer type; lights are Int64.
    when(run.clone().gt_eq(lit(red))).then(lit(2i64)).when(run.gt_eq(lit(yellow))).then(lit(1i64)).otherwise(lit(0i64)).cast(DataType::Int64)
}

/// One row per member with `joined_on` ≤ the last day of M:
/// `member, member_id, org, org_id, dues_arrears, absence, dues_light, absence_light, light`
/// (lights as 0 green, 1 yellow, 2 red), sorted by `member_id`.
pub fn member_lights_frame(ds: &Dataset, rules: &Rules, month: Period) -> PolarsResult<DataFrame> {
    member_lights_lazy(ds, rules, month).collect()
}

pub fn member_lights_lazy(ds: &Dataset, rules: &Rules, month: Period) -> LazyFrame {
    let m = month.0;
    let data_start = ds.floor();
    let ev = ds.events.clone().lazy().filter(col(c::OCCURRED_MONTH).lt_eq(lit(m)));

    let population = ds.members.clone().lazy().filter(col(c::JOINED_ON).lt_eq(lit(month.last_day().0))).select([
        col(c::ID).alias(c::MEMBER),
        col(c::MEMBER_ID),
        col(c::ORG),
        col(c::MONTHLY_DUES),
        (col(c::JOINED_ON).cast(DataType::Int64) * lit(MICROS_PER_DAY)).alias(c::JOINED_AT),
        greatest(col(c::JOINED_MONTH), lit(data_start)).alias(c::FLOOR),
    ]);

    // Dues: the last period in [floor, M] paid in full by the end of M.
    let last_paid = ev
        .clone()
        .filter(kind_is(EventKind::Dues).and(col(c::PERIOD).lt_eq(lit(m))))
        .group_by([col(c::MEMBER), col(c::PERIOD)])
        .agg([col(c::QUANTITY).sum().alias(c::PAID)])
        .join(
            population.clone().select([col(c::MEMBER), col(c::MONTHLY_DUES), col(c::FLOOR)]),
            [col(c::MEMBER)],
            [col(c::MEMBER)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col(c::PAID).gt_eq(col(c::MONTHLY_DUES)).and(col(c::PERIOD).gt_eq(col(c::FLOOR))))
        .group_by([col(c::MEMBER)])
        .agg([col(c::PERIOD).max().alias(c::LAST_PAID)]);

    // Absence. A month of the member's organisation counts for the member when the latest
    // all-member organisation-life activity it held that month was at or after the joined
    // date (then at least one was); the run is the counted months after the last month in
    // which the member answered (attend or leave) one of the activities that count for them.
    let qualifying = ds
        .activities
        .clone()
        .lazy()
        // No activity is held before the data start, so only the joined date limits the run.
        .filter(col(c::ALL_MEMBER).and(col(c::HELD_MONTH).lt_eq(lit(m))))
        .select([col(c::ID).alias(c::ACTIVITY), col(c::ORG).alias(c::HELD_BY), col(c::HELD_AT), col(c::HELD_MONTH)]);
    let org_months = qualifying.clone().group_by([col(c::HELD_BY), col(c::HELD_MONTH)]).agg([col(c::HELD_AT).max().alias(c::LAST_HELD)]);
    let members_orgs = population.clone().select([col(c::MEMBER), col(c::ORG), col(c::JOINED_AT)]);
    let months = members_orgs
        .clone()
        .join(org_months, [col(c::ORG)], [col(c::HELD_BY)], JoinArgs::new(JoinType::Inner))
        .filter(col(c::LAST_HELD).gt_eq(col(c::JOINED_AT)))
        .select([col(c::MEMBER), col(c::HELD_MONTH)]);
    let last_response = ev
        .filter(kind_is(EventKind::Attend).or(kind_is(EventKind::Leave)))
        .select([col(c::MEMBER), col(c::ACTIVITY)])
        .join(qualifying, [col(c::ACTIVITY)], [col(c::ACTIVITY)], JoinArgs::new(JoinType::Inner))
        .join(members_orgs, [col(c::MEMBER)], [col(c::MEMBER)], JoinArgs::new(JoinType::Inner))
        .filter(col(c::HELD_BY).eq(col(c::ORG)).and(col(c::HELD_AT).gt_eq(col(c::JOINED_AT))))
        .group_by([col(c::MEMBER)])
        .agg([col(c::HELD_MONTH).max().alias(c::LAST_RESPONSE)]);
    let absence = months
        .join(last_response, [col(c::MEMBER)], [col(c::MEMBER)], JoinArgs::new(JoinType::Left))
        .filter(col(c::LAST_RESPONSE).is_null().or(col(c::HELD_MONTH).gt(col(c::LAST_RESPONSE))))
        .group_by([col(c::MEMBER)])
        .agg([len().cast(DataType::Int64).alias(c::ABSENCE)]);

    let orgs = ds.orgs.clone().lazy().select([col(c::ID).alias(c::ORG), col(c::ORG_ID)]);
    let left = || JoinArgs::new(JoinType::Left);
    let run_since_floor = greatest(lit(m as i64) - col(c::FLOOR).cast(DataType::Int64) + lit(1i64), lit(0i64));
    population
        .join(last_paid, [col(c::MEMBER)], [col(c::MEMBER)], left())
        .join(absence, [col(c::MEMBER)], [col(c::MEMBER)], left())
        .join(orgs, [col(c::ORG)], [col(c::ORG)], left())
        .with_columns([
            when(col(c::MONTHLY_DUES).eq(lit(0i64)))
                .then(lit(0i64))
                .when(col(c::LAST_PAID).is_null())
                .then(run_since_floor)
                .otherwise(lit(m as i64) - col(c::LAST_PAID).cast(DataType::Int64))
                .alias(c::DUES_ARREARS),
            col(c::ABSENCE).fill_null(lit(0i64)),
        ])
        .with_columns([
            light_of(col(c::DUES_ARREARS), rules.arrears_yellow, rules.arrears_red).alias(c::DUES_LIGHT),
            light_of(col(c::ABSENCE), rules.absence_yellow, rules.absence_red).alias(c::ABSENCE_LIGHT),
        ])
        .with_column(greatest(col(c::DUES_LIGHT), col(c::ABSENCE_LIGHT)).alias(c::LIGHT))
        .select([
            col(c::MEMBER),
            col(c::MEMBER_ID),
            col(c::ORG),
            col(c::ORG_ID),
            col(c::DUES_ARREARS),
            col(c::ABSENCE),
            col(c::DUES_LIGHT),
            col(c::ABSENCE_LIGHT),
            col(c::LIGHT),
        ])
        .sort([c::MEMBER_ID], SortMultipleOptions::default())
}

/// One row per grassroots organisation established by the end of M with direct members:
/// `org, org_id, members, red_members, yellow_members, green_members, org_life_gap,
/// gap_light, share_light, light`, sorted by `org_id`. `members` is the frame of
/// [`member_lights_lazy`] for the same month.
pub fn branch_lights_lazy(ds: &Dataset, rules: &Rules, month: Period, members: LazyFrame) -> LazyFrame {
    let m = month.0;
    let data_start = ds.floor();
    let grassroots: Vec<i16> = [OrgKind::Committee, OrgKind::GeneralBranch, OrgKind::Branch].iter().map(|k| k.code()).collect();
    let is_grassroots = grassroots.iter().fold(lit(false), |acc, k| acc.or(col(c::KIND).eq(lit(*k))));
    let orgs = ds.orgs.clone().lazy().filter(is_grassroots.and(col(c::ESTABLISHED_ON).lt_eq(lit(month.last_day().0)))).select([
        col(c::ID).alias(c::ORG),
        col(c::ORG_ID),
        greatest(col(c::ESTABLISHED_MONTH), lit(data_start)).alias(c::FLOOR),
    ]);

    let counts = members.group_by([col(c::ORG)]).agg([
        len().cast(DataType::Int64).alias(c::MEMBERS),
        col(c::LIGHT).eq(lit(2i64)).cast(DataType::Int64).sum().alias(c::RED_MEMBERS),
        col(c::LIGHT).eq(lit(1i64)).cast(DataType::Int64).sum().alias(c::YELLOW_MEMBERS),
        col(c::LIGHT).eq(lit(0i64)).cast(DataType::Int64).sum().alias(c::GREEN_MEMBERS),
    ]);

    let last_held = ds
        .activities
        .clone()
        .lazy()
        .filter(col(c::ORG_LIFE).and(col(c::HELD_MONTH).lt_eq(lit(m))))
        .select([col(c::ORG), col(c::HELD_MONTH)])
        .join(orgs.clone().select([col(c::ORG), col(c::FLOOR)]), [col(c::ORG)], [col(c::ORG)], JoinArgs::new(JoinType::Inner))
        .filter(col(c::HELD_MONTH).gt_eq(col(c::FLOOR)))
        .group_by([col(c::ORG)])
        .agg([col(c::HELD_MONTH).max().alias(c::LAST_HELD)]);

    let run_since_floor = greatest(lit(m as i64) - col(c::FLOOR).cast(DataType::Int64) + lit(1i64), lit(0i64));
    let (sy, sr) = (rules.share_yellow_pct, rules.share_red_pct);
    orgs.join(counts, [col(c::ORG)], [col(c::ORG)], JoinArgs::new(JoinType::Inner))
        .join(last_held, [col(c::ORG)], [col(c::ORG)], JoinArgs::new(JoinType::Left))
        .with_column(
            when(col(c::LAST_HELD).is_null()).then(run_since_floor).otherwise(lit(m as i64) - col(c::LAST_HELD).cast(DataType::Int64)).alias(c::ORG_LIFE_GAP),
        )
        .with_columns([
            light_of(col(c::ORG_LIFE_GAP), rules.gap_yellow, rules.gap_red).alias(c::GAP_LIGHT),
            when((col(c::RED_MEMBERS) * lit(100i64)).gt_eq(col(c::MEMBERS) * lit(sr)))
                .then(lit(2i64))
                .when((col(c::RED_MEMBERS) * lit(100i64)).gt_eq(col(c::MEMBERS) * lit(sy)))
                .then(lit(1i64))
                .otherwise(lit(0i64))
                .cast(DataType::Int64)
                .alias(c::SHARE_LIGHT),
        ])
        .with_column(greatest(col(c::GAP_LIGHT), col(c::SHARE_LIGHT)).alias(c::LIGHT))
        .select([
            col(c::ORG),
            col(c::ORG_ID),
            col(c::MEMBERS),
            col(c::RED_MEMBERS),
            col(c::YELLOW_MEMBERS),
            col(c::GREEN_MEMBERS),
            col(c::ORG_LIFE_GAP),
            col(c::GAP_LIGHT),
            col(c::SHARE_LIGHT),
            col(c::LIGHT),
        ])
        .sort([c::ORG_ID], SortMultipleOptions::default())
}

pub fn branch_lights_frame(ds: &Dataset, rules: &Rules, month: Period) -> PolarsResult<DataFrame> {
    let members = member_lights_lazy(ds, rules, month);
    branch_lights_lazy(ds, rules, month, members).collect()
}

/// Every (organisation, ancestor-or-self) pair of the tree, as `org, ancestor`.
pub fn ancestry(ds: &Dataset) -> PolarsResult<DataFrame> {
    let ids = ds.orgs.column(c::ID)?.i64()?;
    let parents = ds.orgs.column(c::PARENT)?.i64()?;
    let parent_of: std::collections::HashMap<i64, Option<i64>> = (0..ids.len()).filter_map(|i| ids.get(i).map(|id| (id, parents.get(i)))).collect();
    let (mut org, mut anc) = (Vec::new(), Vec::new());
    for &id in parent_of.keys() {
        let mut cur = Some(id);
        // The importer refuses cycles; the depth bound only guards against a corrupt store.
        let mut depth = 0;
        while let Some(a) = cur
            && depth <= parent_of.len()
        {
            org.push(id);
            anc.push(a);
            cur = parent_of.get(&a).copied().flatten();
            depth += 1;
        }
    }
    DataFrame::new_infer_height(vec![Column::new(c::ORG.into(), org), Column::new(c::ANCESTOR.into(), anc)])
}

/// For every organisation, the red / yellow / green members and branches of its subtree
/// (itself included): `org, org_id, red_members, yellow_members, green_members,
/// red_branches, yellow_branches, green_branches`, sorted by `org_id`.
pub fn subtree_counts_lazy(ds: &Dataset, members: LazyFrame, branches: LazyFrame) -> PolarsResult<LazyFrame> {
    let anc = ancestry(ds)?.lazy();
    // The red / yellow / green counts of `frame`'s lights per ancestor, named `names`.
    let count = |frame: LazyFrame, [red, yellow, green]: [&str; 3]| {
        frame
            .select([col(c::ORG), col(c::LIGHT)])
            .join(anc.clone(), [col(c::ORG)], [col(c::ORG)], JoinArgs::new(JoinType::Inner))
            .group_by([col(c::ANCESTOR)])
            .agg([
                col(c::LIGHT).eq(lit(2i64)).cast(DataType::Int64).sum().alias(red),
                col(c::LIGHT).eq(lit(1i64)).cast(DataType::Int64).sum().alias(yellow),
                col(c::LIGHT).eq(lit(0i64)).cast(DataType::Int64).sum().alias(green),
            ])
            .rename([c::ANCESTOR], [c::ORG], true)
    };
    let zero = |c: &str| col(c).fill_null(lit(0i64));
    Ok(ds
        .orgs
        .clone()
        .lazy()
        .select([col(c::ID).alias(c::ORG), col(c::ORG_ID)])
        .join(count(members, [c::RED_MEMBERS, c::YELLOW_MEMBERS, c::GREEN_MEMBERS]), [col(c::ORG)], [col(c::ORG)], JoinArgs::new(JoinType::Left))
        .join(count(branches, [c::RED_BRANCHES, c::YELLOW_BRANCHES, c::GREEN_BRANCHES]), [col(c::ORG)], [col(c::ORG)], JoinArgs::new(JoinType::Left))
        .select([
            col(c::ORG),
            col(c::ORG_ID),
            zero(c::RED_MEMBERS),
            zero(c::YELLOW_MEMBERS),
            zero(c::GREEN_MEMBERS),
            zero(c::RED_BRANCHES),
            zero(c::YELLOW_BRANCHES),
            zero(c::GREEN_BRANCHES),
        ])
        .sort([c::ORG_ID], SortMultipleOptions::default()))
}
