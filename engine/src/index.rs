//! The Vanguard Index of §4 for one calendar year, with its four dimensions and ranks.
//!
//! Readings of §4 (also in the closing note of issue 3):
//! - the population is every member with `joined_on` ≤ 31 December of Y, events or not;
//! - an `attend` scores when its activity's kind is organisation life, theory study,
//!   democratic consultation or democratic evaluation; a member's attend rows for one
//!   activity count once, in the year of the earliest of them;
//! - dues for P score (in the year of P) when the completing payment falls no later than
//!   the last day of P. Payments are positive, so the running total reaches `monthly_dues`
//!   by the end of P exactly when the payments made up to the end of P add up to it; the
//!   engine sums those (it needs no running total). `monthly_dues` 0 never scores;
//! - the last `evaluation` of the year (by `occurred_at`, then `event_id` bytes) stands;
//! - ranks: index descending, then `member_id` ascending in byte order (polars compares
//!   strings by bytes), 1-based, distinct.

use crate::dataset::Dataset;
use crate::rules::Rules;
use crate::schema as c;
use domain::kinds::EventKind;
use domain::{Date, Period};
use polars::prelude::*;

const Q_ONE: i64 = 1_000_000; // a quantity of 1 (six implied decimals)

fn kind_is(k: EventKind) -> Expr {
    col(c::KIND).eq(lit(k.code()))
}

fn in_months(c: &str, from: i32, to: i32) -> Expr {
    col(c).gt_eq(lit(from)).and(col(c).lt_eq(lit(to)))
}

/// Points per member for year `year`, one row per member of the population:
/// `member, member_id, org, org_id, index, party_life, duty, contribution, morality,
/// district_rank, org_rank` (points in units of 10⁻⁷, ranks as i64), sorted by rank.
pub fn index_frame(ds: &Dataset, rules: &Rules, year: i32) -> PolarsResult<DataFrame> {
    index_lazy(ds, rules, year)?.collect()
}

/// The items that give points in year `year` — the trace behind every figure of the index,
/// one row per item: `member, rule` (the [`EventKind`] code of the rule: attend, dues,
/// model_post, volunteer, study, evaluation), `occurred_month` (the month it counts in), `activity`
/// (attend), `period` (dues, evaluation), `occurred_at` (model post, volunteer, evaluation;
/// for attend the earliest row's month is `occurred_month`), `count` (events behind the item: study
/// sessions of the month, else 1), `points` and `grade` (evaluation 1–4, else null). The
/// index is their sum per member.
pub fn contributions_lazy(ds: &Dataset, rules: &Rules, year: i32) -> PolarsResult<LazyFrame> {
    contributions_between(ds, rules, Period::new(year, 1), Period::new(year, 12))
}

/// [`contributions_lazy`] for the items that count in the months `from..=to` (of any
/// years): what the wall needs for "the index so far this year" and for monthly facts.
/// An evaluation counts in December of the year evaluated, so it is in the range when
/// that December is.
pub fn contributions_between(ds: &Dataset, rules: &Rules, from: Period, to: Period) -> PolarsResult<LazyFrame> {
    let (jan, dec) = (from.0, to.0);
    let ev = ds.events.clone().lazy();
    let rule = |k: EventKind| lit(k.code()).cast(DataType::Int16).alias(c::RULE);
    let none_i64 = |name: &str| lit(NULL).cast(DataType::Int64).alias(name);
    let none_i32 = |name: &str| lit(NULL).cast(DataType::Int32).alias(name);
    let one = || lit(1i64).cast(DataType::Int64).alias(c::COUNT);
    let pts = |v: i64| lit(v).cast(DataType::Int64).alias(c::POINTS);

    // attend: once per (member, activity), dated by the earliest row.
    let scoring = ds.activities.clone().lazy().filter(col(c::SCORES)).select([col(c::ID).alias(c::ACTIVITY)]);
    let attend = ev
        .clone()
        // Rows after Y cannot be the earliest of a pair that counts in Y.
        .filter(kind_is(EventKind::Attend).and(col(c::OCCURRED_MONTH).lt_eq(lit(dec))))
        .select([col(c::MEMBER), col(c::ACTIVITY), col(c::OCCURRED_MONTH)])
        .join(scoring, [col(c::ACTIVITY)], [col(c::ACTIVITY)], JoinArgs::new(JoinType::Inner))
        .group_by([col(c::MEMBER), col(c::ACTIVITY)])
        .agg([col(c::OCCURRED_MONTH).min()])
        .filter(in_months(c::OCCURRED_MONTH, jan, dec))
        .select([
            col(c::MEMBER),
            rule(EventKind::Attend),
            col(c::OCCURRED_MONTH),
            col(c::ACTIVITY),
            none_i32(c::PERIOD),
            none_i64(c::OCCURRED_AT),
            one(),
            pts(rules.attend.0),
            none_i64(c::GRADE),
        ]);

    // dues: periods of Y paid in full by payments made no later than the end of the period.
    let dues = ev
        .clone()
        .filter(kind_is(EventKind::Dues).and(in_months(c::PERIOD, jan, dec)).and(col(c::OCCURRED_MONTH).lt_eq(col(c::PERIOD))))
        .group_by([col(c::MEMBER), col(c::PERIOD)])
        .agg([col(c::QUANTITY).sum().alias(c::PAID), len().cast(DataType::Int64).alias(c::COUNT)])
        .join(
            ds.members.clone().lazy().select([col(c::ID).alias(c::MEMBER), col(c::MONTHLY_DUES)]),
            [col(c::MEMBER)],
            [col(c::MEMBER)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col(c::MONTHLY_DUES).gt(lit(0i64)).and(col(c::PAID).gt_eq(col(c::MONTHLY_DUES))))
        .select([
            col(c::MEMBER),
            rule(EventKind::Dues),
            col(c::PERIOD).alias(c::OCCURRED_MONTH),
            none_i64(c::ACTIVITY),
            col(c::PERIOD),
            none_i64(c::OCCURRED_AT),
            col(c::COUNT),
            pts(rules.dues.0),
            none_i64(c::GRADE),
        ]);

    // study sessions, counted per member and month.
    let study = ds.study.clone().lazy().filter(in_months(c::OCCURRED_MONTH, jan, dec)).select([
        col(c::MEMBER),
        rule(EventKind::Study),
        col(c::OCCURRED_MONTH),
        none_i64(c::ACTIVITY),
        none_i32(c::PERIOD),
        none_i64(c::OCCURRED_AT),
        col(c::COUNT).cast(DataType::Int64),
        (col(c::COUNT).cast(DataType::Int64) * lit(rules.study.0)).alias(c::POINTS),
        none_i64(c::GRADE),
    ]);

    // model posts and volunteer hours, each event on its own.
    let per_hour = rules.volunteer_per_hour.0;
    let single = ev.clone().filter(in_months(c::OCCURRED_MONTH, jan, dec).and(kind_is(EventKind::ModelPost).or(kind_is(EventKind::Volunteer)))).select([
        col(c::MEMBER),
        col(c::KIND).cast(DataType::Int16).alias(c::RULE),
        col(c::OCCURRED_MONTH),
        none_i64(c::ACTIVITY),
        none_i32(c::PERIOD),
        col(c::OCCURRED_AT),
        one(),
        when(kind_is(EventKind::ModelPost))
            .then(lit(rules.model_post.0))
            .otherwise(col(c::QUANTITY) * lit(per_hour) / lit(Q_ONE))
            .cast(DataType::Int64)
            .alias(c::POINTS),
        none_i64(c::GRADE),
    ]);

    // evaluation for Y: the last row by (occurred_at, event_id) stands.
    let [g1, g2, g3, g4] = rules.evaluation.map(|p| p.0);
    let evaluation = ev
        .filter(kind_is(EventKind::Evaluation).and(in_months(c::PERIOD, jan, dec)).and((col(c::PERIOD) % lit(12)).eq(lit(11))))
        .group_by([col(c::MEMBER), col(c::PERIOD)])
        .agg([
            col(c::QUANTITY).sort_by([col(c::OCCURRED_AT), col(c::EVENT_ID)], SortMultipleOptions::default()).last().alias(c::GRADE),
            col(c::OCCURRED_AT).sort_by([col(c::OCCURRED_AT), col(c::EVENT_ID)], SortMultipleOptions::default()).last(),
        ])
        .select([
            col(c::MEMBER),
            rule(EventKind::Evaluation),
            col(c::PERIOD).alias(c::OCCURRED_MONTH),
            none_i64(c::ACTIVITY),
            col(c::PERIOD),
            col(c::OCCURRED_AT),
            one(),
            when(col(c::GRADE).eq(lit(Q_ONE)))
                .then(lit(g1))
                .when(col(c::GRADE).eq(lit(2 * Q_ONE)))
                .then(lit(g2))
                .when(col(c::GRADE).eq(lit(3 * Q_ONE)))
                .then(lit(g3))
                .otherwise(lit(g4))
                .cast(DataType::Int64)
                .alias(c::POINTS),
            (col(c::GRADE) / lit(Q_ONE)).cast(DataType::Int64).alias(c::GRADE),
        ]);

    concat([attend, dues, study, single, evaluation], UnionArgs::default())
}

pub fn index_lazy(ds: &Dataset, rules: &Rules, year: i32) -> PolarsResult<LazyFrame> {
    index_from(ds, year, dimension_sums(contributions_lazy(ds, rules, year)?, &[c::MEMBER]))
}

/// The points of `contributions` (rows of [`contributions_lazy`]'s shape) summed by `by`
/// into the four dimensions of §4: `party_life` (attend, dues), `duty` (model posts, study),
/// `contribution` (volunteer hours) and `morality` (evaluation).
pub fn dimension_sums(contributions: LazyFrame, by: &[&str]) -> LazyFrame {
    let dimension = |kinds: &[EventKind]| kinds.iter().fold(lit(false), |acc, k| acc.or(col(c::RULE).eq(lit(k.code()))));
    let sum_of = |kinds: &[EventKind], name: &str| when(dimension(kinds)).then(col(c::POINTS)).otherwise(lit(0i64)).cast(DataType::Int64).sum().alias(name);
    contributions.group_by(by.iter().map(|c| col(*c)).collect::<Vec<_>>()).agg([
        sum_of(&[EventKind::Attend, EventKind::Dues], c::PARTY_LIFE),
        sum_of(&[EventKind::ModelPost, EventKind::Study], c::DUTY),
        sum_of(&[EventKind::Volunteer], c::CONTRIBUTION),
        sum_of(&[EventKind::Evaluation], c::MORALITY),
    ])
}

/// Ranks `year`'s population (every member joined by 31 December, points or not) by the
/// dimension sums in `sums` (`member, party_life, duty, contribution, morality`, one row
/// per member): the index frame of [`index_frame`].
pub fn index_from(ds: &Dataset, year: i32, sums: LazyFrame) -> PolarsResult<LazyFrame> {
    let last_day = Date::from_ymd(year, 12, 31).0;
    let population =
        ds.members.clone().lazy().filter(col(c::JOINED_ON).lt_eq(lit(last_day))).select([col(c::ID).alias(c::MEMBER), col(c::MEMBER_ID), col(c::ORG)]);

    let left = || JoinArgs::new(JoinType::Left);
    let orgs = ds.orgs.clone().lazy().select([col(c::ID).alias(c::ORG), col(c::ORG_ID)]);
    let scored = population
        .join(sums, [col(c::MEMBER)], [col(c::MEMBER)], left())
        .join(orgs, [col(c::ORG)], [col(c::ORG)], left())
        .select([
            col(c::MEMBER),
            col(c::MEMBER_ID),
            col(c::ORG),
            col(c::ORG_ID),
            col(c::PARTY_LIFE).fill_null(lit(0i64)),
            col(c::DUTY).fill_null(lit(0i64)),
            col(c::CONTRIBUTION).fill_null(lit(0i64)),
            col(c::MORALITY).fill_null(lit(0i64)),
        ])
        .with_column((col(c::PARTY_LIFE) + col(c::DUTY) + col(c::CONTRIBUTION) + col(c::MORALITY)).alias(c::INDEX));

    // Ranks: district-wide, then within the organisation from the same order.
    let order = SortMultipleOptions::default().with_order_descending_multi([true, false]).with_maintain_order(true);
    let ranked = scored
        .sort_by_exprs([col(c::INDEX), col(c::MEMBER_ID)], order)
        .with_row_index(c::DISTRICT_RANK, Some(1))
        .with_column(col(c::DISTRICT_RANK).cast(DataType::Int64))
        // Rows of one organisation, in district order, are numbered from their first row.
        .sort([c::ORG, c::DISTRICT_RANK], SortMultipleOptions::default())
        .with_row_index(c::ROW_RANK, None)
        .with_column(col(c::ROW_RANK).cast(DataType::Int64))
        .with_column((col(c::ROW_RANK) - col(c::ROW_RANK).min().over([col(c::ORG)])? + lit(1i64)).alias(c::ORG_RANK));
    Ok(ranked.sort([c::DISTRICT_RANK], SortMultipleOptions::default()))
}

/// The trace of one member's index for `year`: the rows of [`contributions_lazy`] for the
/// member with `member_id`, by rule and month — every point with the events behind it.
pub fn member_trace(ds: &Dataset, rules: &Rules, year: i32, member_id: &str) -> PolarsResult<DataFrame> {
    let member = ds.members.clone().lazy().filter(col(c::MEMBER_ID).eq(lit(member_id))).select([col(c::ID).alias(c::MEMBER)]);
    contributions_lazy(ds, rules, year)?
        .join(member, [col(c::MEMBER)], [col(c::MEMBER)], JoinArgs::new(JoinType::Inner))
        .sort([c::RULE, c::OCCURRED_MONTH], SortMultipleOptions::default())
        .collect()
}
