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
use domain::kinds::{EventKind, OrgKind};
use domain::time::MICROS_PER_DAY;
use domain::Period;
use polars::prelude::*;

fn kind_is(k: EventKind) -> Expr {
    col("kind").eq(lit(k.code()))
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
    let ev = ds.events.clone().lazy().filter(col("om").lt_eq(lit(m)));

    let population = ds
        .members
        .clone()
        .lazy()
        .filter(col("joined_on").lt_eq(lit(month.last_day().0)))
        .select([
            col("id").alias("member"),
            col("member_id"),
            col("org"),
            col("monthly_dues"),
            (col("joined_on").cast(DataType::Int64) * lit(MICROS_PER_DAY)).alias("joined_at"),
            greatest(col("jm"), lit(data_start)).alias("floor"),
        ]);

    // Dues: the last period in [floor, M] paid in full by the end of M.
    let last_paid = ev
        .clone()
        .filter(kind_is(EventKind::Dues).and(col("period").lt_eq(lit(m))))
        .group_by([col("member"), col("period")])
        .agg([col("quantity").sum().alias("paid")])
        .join(population.clone().select([col("member"), col("monthly_dues"), col("floor")]), [col("member")], [col("member")], JoinArgs::new(JoinType::Inner))
        .filter(col("paid").gt_eq(col("monthly_dues")).and(col("period").gt_eq(col("floor"))))
        .group_by([col("member")])
        .agg([col("period").max().alias("last_paid")]);

    // Absence. A month of the member's organisation counts for the member when the latest
    // all-member organisation-life activity it held that month was at or after the joined
    // date (then at least one was); the run is the counted months after the last month in
    // which the member answered (attend or leave) one of the activities that count for them.
    let qualifying = ds
        .activities
        .clone()
        .lazy()
        // No activity is held before the data start, so only the joined date limits the run.
        .filter(col("all_member").and(col("hm").lt_eq(lit(m))))
        .select([col("id").alias("activity"), col("org").alias("held_by"), col("held_at"), col("hm")]);
    let org_months = qualifying.clone().group_by([col("held_by"), col("hm")]).agg([col("held_at").max().alias("last_held")]);
    let members_orgs = population.clone().select([col("member"), col("org"), col("joined_at")]);
    let months = members_orgs
        .clone()
        .join(org_months, [col("org")], [col("held_by")], JoinArgs::new(JoinType::Inner))
        .filter(col("last_held").gt_eq(col("joined_at")))
        .select([col("member"), col("hm")]);
    let last_response = ev
        .filter(kind_is(EventKind::Attend).or(kind_is(EventKind::Leave)))
        .select([col("member"), col("activity")])
        .join(qualifying, [col("activity")], [col("activity")], JoinArgs::new(JoinType::Inner))
        .join(members_orgs, [col("member")], [col("member")], JoinArgs::new(JoinType::Inner))
        .filter(col("held_by").eq(col("org")).and(col("held_at").gt_eq(col("joined_at"))))
        .group_by([col("member")])
        .agg([col("hm").max().alias("last_response")]);
    let absence = months
        .join(last_response, [col("member")], [col("member")], JoinArgs::new(JoinType::Left))
        .filter(col("last_response").is_null().or(col("hm").gt(col("last_response"))))
        .group_by([col("member")])
        .agg([len().cast(DataType::Int64).alias("absence")]);

    let orgs = ds.orgs.clone().lazy().select([col("id").alias("org"), col("org_id")]);
    let left = || JoinArgs::new(JoinType::Left);
    let run_since_floor = greatest(lit(m as i64) - col("floor").cast(DataType::Int64) + lit(1i64), lit(0i64));
    population
        .join(last_paid, [col("member")], [col("member")], left())
        .join(absence, [col("member")], [col("member")], left())
        .join(orgs, [col("org")], [col("org")], left())
        .with_columns([
            when(col("monthly_dues").eq(lit(0i64)))
                .then(lit(0i64))
                .when(col("last_paid").is_null())
                .then(run_since_floor)
                .otherwise(lit(m as i64) - col("last_paid").cast(DataType::Int64))
                .alias("dues_arrears"),
            col("absence").fill_null(lit(0i64)),
        ])
        .with_columns([
            light_of(col("dues_arrears"), rules.arrears_yellow, rules.arrears_red).alias("dues_light"),
            light_of(col("absence"), rules.absence_yellow, rules.absence_red).alias("absence_light"),
        ])
        .with_column(greatest(col("dues_light"), col("absence_light")).alias("light"))
        .select([
            col("member"),
            col("member_id"),
            col("org"),
            col("org_id"),
            col("dues_arrears"),
            col("absence"),
            col("dues_light"),
            col("absence_light"),
            col("light"),
        ])
        .sort(["member_id"], SortMultipleOptions::default())
}

/// One row per grassroots organisation established by the end of M with direct members:
/// `org, org_id, members, red_members, yellow_members, green_members, org_life_gap,
/// gap_light, share_light, light`, sorted by `org_id`. `members` is the frame of
/// [`member_lights_lazy`] for the same month.
pub fn branch_lights_lazy(ds: &Dataset, rules: &Rules, month: Period, members: LazyFrame) -> LazyFrame {
    let m = month.0;
    let data_start = ds.floor();
    let grassroots: Vec<i16> = [OrgKind::Committee, OrgKind::GeneralBranch, OrgKind::Branch].iter().map(|k| k.code()).collect();
    let is_grassroots = grassroots.iter().fold(lit(false), |acc, k| acc.or(col("kind").eq(lit(*k))));
    let orgs = ds
        .orgs
        .clone()
        .lazy()
        .filter(is_grassroots.and(col("established_on").lt_eq(lit(month.last_day().0))))
        .select([col("id").alias("org"), col("org_id"), greatest(col("em"), lit(data_start)).alias("floor")]);

    let counts = members.group_by([col("org")]).agg([
        len().cast(DataType::Int64).alias("members"),
        col("light").eq(lit(2i64)).cast(DataType::Int64).sum().alias("red_members"),
        col("light").eq(lit(1i64)).cast(DataType::Int64).sum().alias("yellow_members"),
        col("light").eq(lit(0i64)).cast(DataType::Int64).sum().alias("green_members"),
    ]);

    let last_held = ds
        .activities
        .clone()
        .lazy()
        .filter(col("org_life").and(col("hm").lt_eq(lit(m))))
        .select([col("org"), col("hm")])
        .join(orgs.clone().select([col("org"), col("floor")]), [col("org")], [col("org")], JoinArgs::new(JoinType::Inner))
        .filter(col("hm").gt_eq(col("floor")))
        .group_by([col("org")])
        .agg([col("hm").max().alias("last_held")]);

    let run_since_floor = greatest(lit(m as i64) - col("floor").cast(DataType::Int64) + lit(1i64), lit(0i64));
    let (sy, sr) = (rules.share_yellow_pct, rules.share_red_pct);
    orgs.join(counts, [col("org")], [col("org")], JoinArgs::new(JoinType::Inner))
        .join(last_held, [col("org")], [col("org")], JoinArgs::new(JoinType::Left))
        .with_column(
            when(col("last_held").is_null())
                .then(run_since_floor)
                .otherwise(lit(m as i64) - col("last_held").cast(DataType::Int64))
                .alias("org_life_gap"),
        )
        .with_columns([
            light_of(col("org_life_gap"), rules.gap_yellow, rules.gap_red).alias("gap_light"),
            when((col("red_members") * lit(100i64)).gt_eq(col("members") * lit(sr)))
                .then(lit(2i64))
                .when((col("red_members") * lit(100i64)).gt_eq(col("members") * lit(sy)))
                .then(lit(1i64))
                .otherwise(lit(0i64))
                .cast(DataType::Int64)
                .alias("share_light"),
        ])
        .with_column(greatest(col("gap_light"), col("share_light")).alias("light"))
        .select([
            col("org"),
            col("org_id"),
            col("members"),
            col("red_members"),
            col("yellow_members"),
            col("green_members"),
            col("org_life_gap"),
            col("gap_light"),
            col("share_light"),
            col("light"),
        ])
        .sort(["org_id"], SortMultipleOptions::default())
}

pub fn branch_lights_frame(ds: &Dataset, rules: &Rules, month: Period) -> PolarsResult<DataFrame> {
    let members = member_lights_lazy(ds, rules, month);
    branch_lights_lazy(ds, rules, month, members).collect()
}

/// Every (organisation, ancestor-or-self) pair of the tree, as `org, ancestor`.
pub fn ancestry(ds: &Dataset) -> PolarsResult<DataFrame> {
    let ids = ds.orgs.column("id")?.i64()?;
    let parents = ds.orgs.column("parent")?.i64()?;
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
    DataFrame::new_infer_height(vec![Column::new("org".into(), org), Column::new("ancestor".into(), anc)])
}

/// For every organisation, the red / yellow / green members and branches of its subtree
/// (itself included): `org, org_id, red_members, yellow_members, green_members,
/// red_branches, yellow_branches, green_branches`, sorted by `org_id`.
pub fn subtree_counts_lazy(ds: &Dataset, members: LazyFrame, branches: LazyFrame) -> PolarsResult<LazyFrame> {
    let anc = ancestry(ds)?.lazy();
    let count = |frame: LazyFrame, what: &str| {
        frame
            .select([col("org"), col("light")])
            .join(anc.clone(), [col("org")], [col("org")], JoinArgs::new(JoinType::Inner))
            .group_by([col("ancestor")])
            .agg([
                col("light").eq(lit(2i64)).cast(DataType::Int64).sum().alias(format!("red_{what}")),
                col("light").eq(lit(1i64)).cast(DataType::Int64).sum().alias(format!("yellow_{what}")),
                col("light").eq(lit(0i64)).cast(DataType::Int64).sum().alias(format!("green_{what}")),
            ])
            .rename(["ancestor"], ["org"], true)
    };
    let zero = |c: &str| col(c).fill_null(lit(0i64));
    Ok(ds
        .orgs
        .clone()
        .lazy()
        .select([col("id").alias("org"), col("org_id")])
        .join(count(members, "members"), [col("org")], [col("org")], JoinArgs::new(JoinType::Left))
        .join(count(branches, "branches"), [col("org")], [col("org")], JoinArgs::new(JoinType::Left))
        .select([
            col("org"),
            col("org_id"),
            zero("red_members"),
            zero("yellow_members"),
            zero("green_members"),
            zero("red_branches"),
            zero("yellow_branches"),
            zero("green_branches"),
        ])
        .sort(["org_id"], SortMultipleOptions::default()))
}
