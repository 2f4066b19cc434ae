//! Everything the wall and the API read for one month, for every organisation at once:
//! the index so far this year, the lights and subtree counts, organisation facts over the
//! trend window, the indicator table of every organisation (its own and its subtree's),
//! the district averages and the findings of §6. Computed once per data version and month;
//! a snapshot of one organisation ([`crate::snapshot`]) only filters these frames.

use crate::catalogue::{Catalogue, Level};
use crate::dataset::Dataset;
use crate::facts::{org_facts, subtree_facts};
use crate::member_rows::MemberRows;
use crate::read::f64s;
use crate::rules::{Light, Rules};
use crate::schema::{self as c, grade_col};
use crate::{index, lights};
use domain::Period;
use polars::prelude::*;
use std::collections::HashMap;
use store::extras::Extras;

/// Months of facts kept per month: a 12-month trend of 12-month windows.
pub const FACT_MONTHS: i32 = 24;
/// Months in a trend.
pub const TREND_MONTHS: i32 = 12;

/// Figures that do not depend on the month: member facts over every month with data, and
/// the organisation tree.
#[derive(Debug, Clone)]
pub struct Base {
    /// [`crate::facts::member_facts`] from the data start to the newest month.
    pub member_facts: DataFrame,
    /// `org, ancestor` pairs, see [`lights::ancestry`].
    pub ancestry: DataFrame,
    /// First and newest month with data.
    pub first: Period,
    pub latest: Period,
    /// Where each member's rows lie in `member_facts` (a profile reads one member's), built
    /// on first use. Private, so that no `Base` is made with another frame's index: every
    /// one is made by [`Base::new`].
    facts_rows: MemberRows,
}

impl Base {
    pub fn new(member_facts: DataFrame, ancestry: DataFrame, first: Period, latest: Period) -> Base {
        Base { member_facts, ancestry, first, latest, facts_rows: MemberRows::default() }
    }

    pub fn compute(ds: &Dataset, rules: &Rules) -> PolarsResult<Option<Base>> {
        let (Some(first), Some(latest)) = (ds.data_start, ds.latest_month()?) else { return Ok(None) };
        let (first, latest) = (Period(first), Period(latest));
        let member_facts = crate::facts::member_facts(ds, rules, first, latest)?;
        Ok(Some(Base::new(member_facts, lights::ancestry(ds)?, first, latest)))
    }

    /// The member facts of `members` (surrogate ids), every month, in the frame's order:
    /// gathered by the index rather than filtered from every member's.
    pub fn facts_of(&self, members: &[i64]) -> PolarsResult<DataFrame> {
        self.facts_rows.gather(&self.member_facts, members)
    }
}

#[derive(Debug, Clone)]
pub struct MonthFigures {
    pub month: Period,
    /// [`index::index_from`] over January..=month: `member, member_id, org, org_id, index,
    /// party_life, duty, contribution, morality, district_rank, org_rank`.
    pub index: DataFrame,
    pub member_lights: DataFrame,
    pub branch_lights: DataFrame,
    pub subtree: DataFrame,
    /// Organisation facts (direct) and subtree facts over the trend window, with the lights
    /// columns (`org_life_gap, red_members, yellow_members, lit_members`) at the month.
    pub org_facts: DataFrame,
    pub subtree_facts: DataFrame,
    /// Branch indicators of each branch with lights (its own facts) at the month, with the
    /// district averages of each indicator (in catalogue order, branch level).
    pub branch_indicators: DataFrame,
    /// The same at the `falling_months` months before the month (what "falling" compares).
    branch_history: DataFrame,
    pub branch_averages: Vec<Option<f64>>,
    /// Every member's indicators at the month (`member, t, <indicator ids>`), computed on
    /// first use ([`MonthFigures::member_averages`]: only member profiles read them), or
    /// carried from the previous figures by [`MonthFigures::update`].
    member_values: std::sync::OnceLock<Result<DataFrame, String>>,
    /// District averages of the member indicators at the month, from `member_values`.
    member_averages: std::sync::OnceLock<Result<Vec<Option<f64>>, String>>,
    /// Findings of the diagnosis, worst first within each indicator (see [`findings`]).
    pub findings: DataFrame,
    /// Records behind the figures per subtree up to the month: `org, records`.
    pub records: DataFrame,
    /// The evaluation grade that stands per member for the latest December ≤ month:
    /// `member, grade`.
    pub grades: DataFrame,
}

/// The mean of the non-null values of a column (`None` when there are none).
fn mean(df: &DataFrame, c: &str) -> PolarsResult<Option<f64>> {
    let v: Vec<f64> = f64s(df, c)?.into_iter().flatten().filter(|x| x.is_finite()).collect();
    Ok(if v.is_empty() { None } else { Some(v.iter().sum::<f64>() / v.len() as f64) })
}

impl MonthFigures {
    /// Its frames by name, with what else it holds: what [`crate::saved`] writes.
    pub(crate) fn parts(&self) -> (Vec<(&'static str, &DataFrame)>, &[Option<f64>]) {
        let frames = vec![
            ("index", &self.index),
            ("member_lights", &self.member_lights),
            ("branch_lights", &self.branch_lights),
            ("subtree", &self.subtree),
            ("org_facts", &self.org_facts),
            ("subtree_facts", &self.subtree_facts),
            ("branch_indicators", &self.branch_indicators),
            ("branch_history", &self.branch_history),
            ("findings", &self.findings),
            ("records", &self.records),
            ("grades", &self.grades),
        ];
        (frames, &self.branch_averages)
    }

    /// The figures [`parts`](Self::parts) described, read back (`frame` gives each by name).
    pub(crate) fn from_parts(
        month: Period,
        branch_averages: Vec<Option<f64>>,
        mut frame: impl FnMut(&str) -> Result<DataFrame, crate::EngineError>,
    ) -> Result<MonthFigures, crate::EngineError> {
        Ok(MonthFigures {
            month,
            index: frame("index")?,
            member_lights: frame("member_lights")?,
            branch_lights: frame("branch_lights")?,
            subtree: frame("subtree")?,
            org_facts: frame("org_facts")?,
            subtree_facts: frame("subtree_facts")?,
            branch_indicators: frame("branch_indicators")?,
            branch_history: frame("branch_history")?,
            branch_averages,
            member_values: std::sync::OnceLock::new(),
            member_averages: std::sync::OnceLock::new(),
            findings: frame("findings")?,
            records: frame("records")?,
            grades: frame("grades")?,
        })
    }

    /// The bytes its frames hold, as polars estimates them (what the hub's month cache counts).
    pub fn estimated_bytes(&self) -> usize {
        [
            &self.index,
            &self.member_lights,
            &self.branch_lights,
            &self.subtree,
            &self.org_facts,
            &self.subtree_facts,
            &self.branch_indicators,
            &self.findings,
            &self.records,
            &self.grades,
        ]
        .iter()
        .map(|df| df.estimated_size())
        .sum()
    }

    /// Computes the figures of `month`. `member_lights`, when given, is the member-lights
    /// frame of the month already brought up to date (an incremental refresh splices the
    /// affected members into it instead of recomputing every member).
    pub fn compute(
        ds: &Dataset,
        extras: &Extras,
        base: &Base,
        rules: &Rules,
        cat: &Catalogue,
        month: Period,
        member_lights: Option<DataFrame>,
    ) -> PolarsResult<MonthFigures> {
        let m = month.0;
        let t0 = std::time::Instant::now();
        let index = index_at(ds, base, month)?;
        let member_lights = match member_lights {
            Some(l) => l,
            None => lights::member_lights_frame(ds, rules, month)?,
        };
        let t_lights = t0.elapsed();
        let branch_lights = lights::branch_lights_lazy(ds, rules, month, member_lights.clone().lazy()).collect()?;
        let subtree = lights::subtree_counts_lazy(ds, member_lights.clone().lazy(), branch_lights.clone().lazy())?.collect()?;

        // Organisation facts over the window, with the month's lights attached at `m`.
        let direct = org_facts(ds, extras, &base.member_facts, fact_window(base, month), month)?;
        let org_facts = with_lights(direct, &member_lights, &branch_lights, m)?;
        let subtree_facts = subtree_facts(&org_facts.clone().drop(c::ORG_LIFE_GAP)?, &base.ancestry)?;
        let t_facts = t0.elapsed();

        let (branch_indicators, branch_history) = evaluate_branches(cat, base, &org_facts, &branch_lights, m)?;
        let t_indicators = t0.elapsed();
        let fig =
            Self::finish(ds, base, cat, month, index, member_lights, branch_lights, subtree, org_facts, subtree_facts, branch_indicators, branch_history)?;
        tracing::debug!(%month, index_and_member_lights = ?t_lights, facts = ?(t_facts - t_lights), indicators = ?(t_indicators - t_facts), rest = ?(t0.elapsed() - t_indicators), "month figures");
        Ok(fig)
    }

    /// The figures of `old`'s month after a change that brought only new events of the
    /// members `members` (no reference row, no small-table row: [`incremental`] decides),
    /// with `member_lights` already spliced. Only the organisations of those members can
    /// have other figures, and only their ancestors other subtree sums: their rows are
    /// recomputed and spliced into `old`'s frames; what ranks or averages over everyone
    /// (the index's ranks, the subtree counts, averages, findings, records) is recomputed
    /// whole from the spliced frames. Equal to [`MonthFigures::compute`] (tested), at a
    /// fraction of its cost: this is what keeps a check-in's way to the wall short (§10).
    #[allow(clippy::too_many_arguments)]
    pub fn update(
        old: &MonthFigures,
        ds: &Dataset,
        extras: &Extras,
        base: &Base,
        rules: &Rules,
        cat: &Catalogue,
        members: &[i64],
        member_lights: DataFrame,
    ) -> PolarsResult<MonthFigures> {
        let month = old.month;
        let m = month.0;
        let t0 = std::time::Instant::now();
        let index = index_after(ds, base, &old.index, month, members)?;
        let ids = Series::new("ids".into(), members);
        let orgs = distinct_i64(ds.members.clone().lazy().filter(col(c::ID).is_in(lit(ids).implode(false), false)), c::ORG)?;
        let ancestors = distinct_i64(base.ancestry.clone().lazy().filter(is_in(c::ORG, &orgs)), c::ANCESTOR)?;
        let t_index = t0.elapsed();

        let lights_part = member_lights.clone().lazy().filter(is_in(c::ORG, &orgs)).collect()?;
        let branches_part = lights::branch_lights_lazy(ds, rules, month, lights_part.clone().lazy()).collect()?;
        let branch_lights = crate::facts::splice_on(&old.branch_lights, &branches_part, c::ORG, &orgs, &[c::ORG_ID])?;
        let subtree = lights::subtree_counts_lazy(ds, member_lights.clone().lazy(), branch_lights.clone().lazy())?.collect()?;
        let t_lights = t0.elapsed();

        // The organisations' own facts, on a dataset and member facts narrowed to them.
        let (narrowed, their_extras) = narrow_to_orgs(ds, extras, &orgs)?;
        let their_facts = base.member_facts.clone().lazy().filter(is_in(c::ORG, &orgs)).collect()?;
        let direct = org_facts(&narrowed, &their_extras, &their_facts, fact_window(base, month), month)?;
        let facts_part = with_lights(direct, &lights_part, &branches_part, m)?;
        let org_facts = crate::facts::splice_on(&old.org_facts, &facts_part, c::ORG, &orgs, &[c::ORG, c::MONTH])?;
        let t_own = t0.elapsed();
        let subtree_facts = subtree_after(old, &facts_part, base, &orgs, &ancestors)?;
        let t_facts = t0.elapsed();

        let (now_part, history_part) = evaluate_branches(cat, base, &facts_part, &branches_part, m)?;
        let key = [c::ORG, c::TARGET_MONTH];
        let branch_indicators = crate::facts::splice_on(&old.branch_indicators, &now_part, c::ORG, &orgs, &key)?;
        let branch_history = crate::facts::splice_on(&old.branch_history, &history_part, c::ORG, &orgs, &key)?;
        let t_indicators = t0.elapsed();

        let fig =
            Self::finish(ds, base, cat, month, index, member_lights, branch_lights, subtree, org_facts, subtree_facts, branch_indicators, branch_history)?;
        // Every member's indicators carried over when the old figures had them, so that the
        // first profile read after a check-in does not evaluate the whole district again.
        if let Some(Ok(values)) = old.member_values.get()
            && let Some(v) = member_values_after(cat, base, &fig, values, members)?
        {
            let _ = fig.member_values.set(Ok(v));
        }
        tracing::debug!(%month, orgs = orgs.len(), index = ?t_index, lights = ?(t_lights - t_index), facts = ?(t_own - t_lights), subtree_facts = ?(t_facts - t_own), indicators = ?(t_indicators - t_facts), rest = ?(t0.elapsed() - t_indicators), "month figures updated");
        Ok(fig)
    }

    /// What [`compute`](Self::compute) and [`update`](Self::update) derive alike from the
    /// frames above: branch averages and findings, records and grades.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        ds: &Dataset,
        base: &Base,
        cat: &Catalogue,
        month: Period,
        index: DataFrame,
        member_lights: DataFrame,
        branch_lights: DataFrame,
        subtree: DataFrame,
        org_facts: DataFrame,
        subtree_facts: DataFrame,
        branch_indicators: DataFrame,
        branch_history: DataFrame,
    ) -> PolarsResult<MonthFigures> {
        let m = month.0;
        let t0 = std::time::Instant::now();
        let branch_averages = cat.of(Level::Branch).map(|i| mean(&branch_indicators, &i.id)).collect::<PolarsResult<Vec<_>>>()?;
        let sizes: HashMap<i64, i64> = {
            let (o, n) = (crate::read::i64s(&branch_lights, c::ORG)?, crate::read::i64s(&branch_lights, c::MEMBERS)?);
            o.into_iter().zip(n).collect()
        };
        let findings = findings(cat, &branch_indicators, &branch_history, &branch_averages, &sizes)?;
        let t_findings = t0.elapsed();
        let records = records(ds, base, month)?;
        let t_records = t0.elapsed();
        let dec = if month.month() == 12 { m } else { Period::new(month.year() - 1, 12).0 };
        let grades = base
            .member_facts
            .clone()
            .lazy()
            .filter(col(c::MONTH).eq(lit(dec)))
            .select([
                col(c::MEMBER),
                when(col(grade_col(1)).gt(lit(0i64)))
                    .then(lit(1i64))
                    .when(col(grade_col(2)).gt(lit(0i64)))
                    .then(lit(2i64))
                    .when(col(grade_col(3)).gt(lit(0i64)))
                    .then(lit(3i64))
                    .when(col(grade_col(4)).gt(lit(0i64)))
                    .then(lit(4i64))
                    .otherwise(lit(NULL).cast(DataType::Int64))
                    .alias(c::GRADE),
            ])
            .filter(col(c::GRADE).is_not_null())
            .collect()?;
        tracing::debug!(%month, findings = ?t_findings, records = ?(t_records - t_findings), grades = ?(t0.elapsed() - t_records), "month figures finished");
        Ok(MonthFigures {
            month,
            index,
            member_lights,
            branch_lights,
            subtree,
            org_facts,
            subtree_facts,
            branch_indicators,
            branch_history,
            branch_averages,
            member_values: std::sync::OnceLock::new(),
            member_averages: std::sync::OnceLock::new(),
            findings,
            records,
            grades,
        })
    }
}

/// The index so far this year (January to `month`), from the monthly dimension sums.
fn index_at(ds: &Dataset, base: &Base, month: Period) -> PolarsResult<DataFrame> {
    index::index_from(ds, month.year(), dimension_sums(base, month, None))?.collect()
}

/// The index of `old` (the index at `month`) after only the facts of `members` changed:
/// their dimension sums computed again, everyone else's read from `old` (the index's
/// dimensions are the sums themselves), and the ranks computed again over everyone.
fn index_after(ds: &Dataset, base: &Base, old: &DataFrame, month: Period, members: &[i64]) -> PolarsResult<DataFrame> {
    let dims = [c::PARTY_LIFE, c::DUTY, c::CONTRIBUTION, c::MORALITY];
    let kept = old.clone().lazy().filter(is_in(c::MEMBER, members).not()).select([c::MEMBER].iter().chain(&dims).map(|n| col(*n)).collect::<Vec<_>>());
    let sums = concat([kept, dimension_sums(base, month, Some(members))], UnionArgs::default())?;
    index::index_from(ds, month.year(), sums)?.collect()
}

/// Each member's dimension sums from January to `month` (`member, party_life, duty,
/// contribution, morality`), of every member or only of `only`.
fn dimension_sums(base: &Base, month: Period, only: Option<&[i64]>) -> LazyFrame {
    let (m, jan) = (month.0, Period::new(month.year(), 1).0);
    let mut facts = base.member_facts.clone().lazy();
    if let Some(ids) = only {
        facts = facts.filter(is_in(c::MEMBER, ids));
    }
    facts.filter(col(c::MONTH).gt_eq(lit(jan)).and(col(c::MONTH).lt_eq(lit(m)))).group_by([col(c::MEMBER)]).agg([
        col(c::PARTY_LIFE).sum(),
        col(c::DUTY).sum(),
        col(c::CONTRIBUTION).sum(),
        col(c::MORALITY).sum(),
    ])
}

/// The dataset's organisations and activities, and the small tables, limited to what
/// [`org_facts`] reads for the organisations `orgs`: every row of theirs (a transfer from or
/// to one of them; every step of a candidate with a step in one of them, since a step's time
/// is measured from the candidate's step before). [`org_facts`] groups by organisation, so
/// its rows for `orgs` are the same on these as on the whole tables, at a fraction of the
/// cost. The events and the study counts are not read by it and are left whole.
fn narrow_to_orgs(ds: &Dataset, extras: &Extras, orgs: &[i64]) -> PolarsResult<(Dataset, Extras)> {
    let keep = |df: &DataFrame, by: Expr| df.clone().lazy().filter(by).collect();
    let narrowed = Dataset { orgs: keep(&ds.orgs, is_in(c::ID, orgs))?, activities: keep(&ds.activities, is_in(c::ORG, orgs))?, ..ds.clone() };
    let theirs = extras.candidates.clone().lazy().filter(is_in(c::ORG, orgs)).select([col(c::CANDIDATE_ID)]).unique(None, UniqueKeepStrategy::Any).collect()?;
    let candidates = theirs.column(c::CANDIDATE_ID)?.as_materialized_series().clone();
    let their = Extras {
        transfers: keep(&extras.transfers, is_in(c::FROM_ORG, orgs).or(is_in(c::TO_ORG, orgs)))?,
        ratings: keep(&extras.ratings, is_in(c::ORG, orgs))?,
        projects: keep(&extras.projects, is_in(c::ORG, orgs))?,
        candidates: keep(&extras.candidates, col(c::CANDIDATE_ID).is_in(lit(candidates).implode(false), false))?,
        ..extras.clone()
    };
    Ok((narrowed, their))
}

/// The subtree facts of `old` after the organisation facts of `orgs` became `fresh` (their
/// rows, lights columns included), `ancestors` being every organisation whose subtree holds
/// one of them. A subtree's facts are sums of its organisations' facts, every column an
/// Int64 ([`org_facts`] casts them), so each ancestor's row moves by the sum of its changed
/// organisations' differences, exactly: far less work than summing the district again (the
/// top organisation is an ancestor of every one).
fn subtree_after(old: &MonthFigures, fresh: &DataFrame, base: &Base, orgs: &[i64], ancestors: &[i64]) -> PolarsResult<DataFrame> {
    let keys = || [col(c::ORG), col(c::MONTH)];
    let values: Vec<String> = old.subtree_facts.get_column_names().iter().filter(|n| !matches!(n.as_str(), c::ORG | c::MONTH)).map(|n| n.to_string()).collect();
    let before = old
        .org_facts
        .clone()
        .lazy()
        .filter(is_in(c::ORG, orgs))
        .select(keys().into_iter().chain(values.iter().map(|v| col(v.as_str()).alias(format!("{v}.before")))).collect::<Vec<_>>());
    let change: Vec<Expr> =
        values.iter().map(|v| (col(v.as_str()).fill_null(lit(0i64)) - col(format!("{v}.before")).fill_null(lit(0i64))).alias(v.as_str())).collect();
    let their_ancestry = base.ancestry.clone().lazy().filter(is_in(c::ORG, orgs));
    let moved = fresh
        .clone()
        .lazy()
        .join(before, keys(), keys(), JoinArgs::new(JoinType::Inner))
        .select(keys().into_iter().chain(change).collect::<Vec<_>>())
        .join(their_ancestry, [col(c::ORG)], [col(c::ORG)], JoinArgs::new(JoinType::Inner))
        .group_by([col(c::ANCESTOR), col(c::MONTH)])
        .agg(values.iter().map(|v| col(v.as_str()).sum().alias(format!("{v}.moved"))).collect::<Vec<_>>())
        .rename([c::ANCESTOR], [c::ORG], true);
    let moved_rows = old
        .subtree_facts
        .clone()
        .lazy()
        .filter(is_in(c::ORG, ancestors))
        .join(moved, keys(), keys(), JoinArgs::new(JoinType::Left))
        .select(
            keys()
                .into_iter()
                .chain(values.iter().map(|v| (col(v.as_str()) + col(format!("{v}.moved")).fill_null(lit(0i64))).alias(v.as_str())))
                .collect::<Vec<_>>(),
        )
        .collect()?;
    crate::facts::splice_on(&old.subtree_facts, &moved_rows, c::ORG, ancestors, &[c::ORG, c::MONTH])
}

/// The first month of the organisation facts kept for `month` (its trend window).
fn fact_window(base: &Base, month: Period) -> Period {
    Period((month.0 - FACT_MONTHS + 1).max(base.first.0))
}

/// `column` is one of `ids`.
fn is_in(column: &str, ids: &[i64]) -> Expr {
    col(column).is_in(lit(Series::new("ids".into(), ids)).implode(false), false)
}

/// The distinct values of an Int64 `column` of `frame`, sorted.
fn distinct_i64(frame: LazyFrame, column: &str) -> PolarsResult<Vec<i64>> {
    let df = frame.select([col(column)]).unique(None, UniqueKeepStrategy::Any).sort([column], SortMultipleOptions::default()).collect()?;
    Ok(df.column(column)?.i64()?.iter().flatten().collect())
}

/// Organisation facts (`direct`, of [`org_facts`]) with the month's lights columns
/// (`red_members, yellow_members, lit_members, org_life_gap`) attached at `m`: known at the
/// month for every organisation (0 without members), unknown before.
fn with_lights(direct: DataFrame, member_lights: &DataFrame, branch_lights: &DataFrame, m: i32) -> PolarsResult<DataFrame> {
    let lit_by_org = member_lights
        .clone()
        .lazy()
        .group_by([col(c::ORG)])
        .agg([
            col(c::LIGHT).eq(lit(2i64)).cast(DataType::Int64).sum().alias(c::RED_MEMBERS),
            col(c::LIGHT).eq(lit(1i64)).cast(DataType::Int64).sum().alias(c::YELLOW_MEMBERS),
            len().cast(DataType::Int64).alias(c::LIT_MEMBERS),
        ])
        .with_column(lit(m).alias(c::MONTH));
    let gaps = branch_lights.clone().lazy().select([col(c::ORG), col(c::ORG_LIFE_GAP), lit(m).alias(c::MONTH)]);
    let keys = || [col(c::ORG), col(c::MONTH)];
    let at_m = |c: &str| when(col(c::MONTH).eq(lit(m))).then(col(c).fill_null(lit(0i64))).otherwise(lit(NULL).cast(DataType::Int64)).alias(c);
    direct
        .lazy()
        .join(lit_by_org, keys(), keys(), JoinArgs::new(JoinType::Left))
        .join(gaps, keys(), keys(), JoinArgs::new(JoinType::Left))
        .with_columns([at_m(c::RED_MEMBERS), at_m(c::YELLOW_MEMBERS), at_m(c::LIT_MEMBERS)])
        .collect()
}

/// Each branch with lights (of `branch_lights`), on its own facts (of `org_facts`), at the
/// month and at the months before it that "falling" looks at, in one evaluation: the values
/// at `m`, and the history before it.
fn evaluate_branches(cat: &Catalogue, base: &Base, org_facts: &DataFrame, branch_lights: &DataFrame, m: i32) -> PolarsResult<(DataFrame, DataFrame)> {
    let branches = branch_lights.clone().lazy().select([col(c::ORG)]);
    let own = org_facts.clone().lazy().join(branches, [col(c::ORG)], [col(c::ORG)], JoinArgs::new(JoinType::Inner));
    let falling = cat.diagnosis.falling_months as i32;
    let targets: Vec<i32> = (m - falling..=m).filter(|t| *t >= base.first.0).collect();
    let evaluated = cat.evaluate(Level::Branch, own, c::ORG, &targets)?.collect()?;
    let now = evaluated.clone().lazy().filter(col(c::TARGET_MONTH).eq(lit(m))).collect()?;
    let history = evaluated.lazy().filter(col(c::TARGET_MONTH).lt(lit(m))).collect()?;
    Ok((now, history))
}

/// Whether member indicator `i` reads a rank (which moves with every other member's index).
fn reads_rank(i: &crate::catalogue::Indicator) -> bool {
    i.columns().iter().any(|c| *c == c::DISTRICT_RANK || *c == c::ORG_RANK)
}

/// Every member's indicators at the month after only `members`' facts changed, from the
/// values before (`old`, of the same month): those members' rows evaluated again, and the
/// indicators that read a rank (`last(district_rank)`, `last(org_rank)`) taken from the new
/// index for everyone. `None` when an indicator reads a rank other than as `last(rank)`: the
/// values are then computed whole on first use.
fn member_values_after(cat: &Catalogue, base: &Base, fig: &MonthFigures, old: &DataFrame, members: &[i64]) -> PolarsResult<Option<DataFrame>> {
    let ranked: Vec<(&str, &str)> = cat.of(Level::Member).filter(|i| reads_rank(i)).map(|i| (i.id.as_str(), i.last_of().unwrap_or(""))).collect();
    if ranked.iter().any(|(_, c)| *c != c::DISTRICT_RANK && *c != c::ORG_RANK) {
        return Ok(None);
    }
    let m = fig.month.0;
    let fresh = member_indicators(cat, base, &fig.index, &fig.member_lights, fig.month, &[m], Some(members))?;
    let values = crate::facts::splice_on(old, &fresh, c::MEMBER, members, &[c::MEMBER, c::TARGET_MONTH])?;
    let ranks = fig
        .index
        .clone()
        .lazy()
        .select(ranked.iter().map(|(id, rank)| col(*rank).cast(DataType::Float64).alias(*id)).chain([col(c::MEMBER)]).collect::<Vec<_>>());
    let order: Vec<Expr> = values.get_column_names().iter().map(|n| col(n.as_str())).collect();
    let ids: Vec<&str> = ranked.iter().map(|(id, _)| *id).collect();
    Ok(Some(values.lazy().drop(cols(ids)).join(ranks, [col(c::MEMBER)], [col(c::MEMBER)], JoinArgs::new(JoinType::Left)).select(order).collect()?))
}

impl MonthFigures {
    /// The branch indicators of the subtrees of `orgs` (their subtree facts) at the 12 trend
    /// months: `org, t, <indicator ids>`, by organisation and month. Evaluated on request:
    /// 24 rows of facts per organisation (a report run asks for every branch at once).
    pub fn org_indicators(&self, cat: &Catalogue, orgs: &[i64]) -> PolarsResult<DataFrame> {
        let m = self.month.0;
        let targets: Vec<i32> = (m - TREND_MONTHS + 1..=m).collect();
        let ids = Series::new("ids".into(), orgs);
        let facts = self
            .subtree_facts
            .clone()
            .lazy()
            .filter(col(c::ORG).is_in(lit(ids).implode(false), false))
            // The gap is a branch's own figure; a subtree has none.
            .with_column(lit(NULL).cast(DataType::Int64).alias(c::ORG_LIFE_GAP));
        cat.evaluate(Level::Branch, facts, c::ORG, &targets)?.collect()
    }

    /// District averages of the member indicators at the month (catalogue order). Computed
    /// once per figures: concurrent first readers wait for the one computation (every member's
    /// indicators) instead of each running it — under a burst of profile reads after each new
    /// version, that was the server's whole load. A failure is kept with these figures; the
    /// next version computes again.
    pub fn member_averages(&self, cat: &Catalogue, base: &Base) -> PolarsResult<&[Option<f64>]> {
        let r = self.member_averages.get_or_init(|| {
            let all = self
                .member_values
                .get_or_init(|| member_indicators(cat, base, &self.index, &self.member_lights, self.month, &[self.month.0], None).map_err(|e| e.to_string()))
                .as_ref()
                .map_err(|e| e.clone())?;
            cat.of(Level::Member).map(|i| mean(all, &i.id)).collect::<PolarsResult<Vec<_>>>().map_err(|e| e.to_string())
        });
        r.as_deref().map_err(|e| PolarsError::ComputeError(format!("member averages: {e}").into()))
    }
}

/// The members whose figures a change from `old` to `new` can touch, when only members can be
/// affected: members with new events (`event_members`), new members, and the members of every
/// organisation that holds a new activity (their expected attendance and absence runs).
/// `None` when the change needs a full recompute: the organisation tree changed, or the data
/// start or newest month moved (every run and window shifts).
pub fn affected_members(old: &Dataset, new: &Dataset, event_members: &[i64]) -> PolarsResult<Option<Vec<i64>>> {
    let same_tree = old.orgs.height() == new.orgs.height() && old.orgs.column(c::ID)?.i64()?.max() == new.orgs.column(c::ID)?.i64()?.max();
    if !same_tree || old.data_start != new.data_start || old.latest_month()? != new.latest_month()? {
        return Ok(None);
    }
    let fresh = |n: &DataFrame, o: &DataFrame| -> PolarsResult<LazyFrame> {
        let ids = o.column(c::ID)?.as_materialized_series().clone();
        Ok(n.clone().lazy().filter(col(c::ID).is_in(lit(ids).implode(false), false).not()))
    };
    let new_members = fresh(&new.members, &old.members)?.select([col(c::ID).alias(c::MEMBER)]);
    let orgs = fresh(&new.activities, &old.activities)?.select([col(c::ORG)]).unique(None, UniqueKeepStrategy::Any);
    let in_those_orgs =
        new.members.clone().lazy().join(orgs, [col(c::ORG)], [col(c::ORG)], JoinArgs::new(JoinType::Inner)).select([col(c::ID).alias(c::MEMBER)]);
    let events = DataFrame::new_infer_height(vec![Column::new(c::MEMBER.into(), event_members.to_vec())])?.lazy();
    let all = concat([new_members, in_those_orgs, events], UnionArgs::default())?
        .unique(None, UniqueKeepStrategy::Any)
        .sort([c::MEMBER], SortMultipleOptions::default())
        .collect()?;
    Ok(Some(all.column(c::MEMBER)?.i64()?.iter().flatten().collect()))
}

/// Brings `base` and the figures of `fig`'s month up to date with `ds` when the change since
/// they were computed touches only the members `members` (see [`affected_members`]): those
/// members' facts and lights are recomputed on [`Dataset::restrict`] and spliced in, and the
/// month's derived frames (ranks, organisation facts, indicators, findings) rebuilt from them.
/// Equal to a full recompute (tested), at a fraction of its cost.
///
/// `only_events` says the change brought new events and nothing else (no reference row,
/// no small-table row): then only the organisations of `members` can have other figures,
/// and the month's frames are updated rather than rebuilt ([`MonthFigures::update`]).
#[allow(clippy::too_many_arguments)]
pub fn incremental(
    ds: &Dataset,
    extras: &Extras,
    base: &Base,
    fig: Option<&MonthFigures>,
    members: &[i64],
    rules: &Rules,
    cat: &Catalogue,
    only_events: bool,
) -> PolarsResult<(Base, Option<MonthFigures>)> {
    let t0 = std::time::Instant::now();
    let part = ds.restrict(members)?;
    let t_restrict = t0.elapsed();
    let fresh = crate::facts::member_facts(&part, rules, base.first, base.latest)?;
    let base = Base::new(crate::facts::splice(&base.member_facts, &fresh, members, None)?, base.ancestry.clone(), base.first, base.latest);
    let t_facts = t0.elapsed();
    let fig = match fig {
        Some(old) => {
            let fresh_lights = lights::member_lights_frame(&part, rules, old.month)?;
            let lights = crate::facts::splice(&old.member_lights, &fresh_lights, members, Some(c::MEMBER_ID))?;
            tracing::debug!(restrict = ?t_restrict, member_facts = ?(t_facts - t_restrict), member_lights = ?(t0.elapsed() - t_facts), "incremental: the members' own figures");
            Some(if only_events {
                MonthFigures::update(old, ds, extras, &base, rules, cat, members, lights)?
            } else {
                MonthFigures::compute(ds, extras, &base, rules, cat, old.month, Some(lights))?
            })
        }
        None => None,
    };
    Ok((base, fig))
}

/// Member indicators at `targets`, for every member or only those of `only` (surrogate ids). The
/// member facts are joined with the month's lights and ranks (`dues_arrears, absence,
/// district_rank, org_rank`), known at `month` only.
pub fn member_indicators(
    cat: &Catalogue,
    base: &Base,
    index: &DataFrame,
    member_lights: &DataFrame,
    month: Period,
    targets: &[i32],
    only: Option<&[i64]>,
) -> PolarsResult<DataFrame> {
    let m = month.0;
    let lo = targets.iter().min().copied().unwrap_or(m) - crate::formula::WINDOW + 1;
    let window = col(c::MONTH).gt_eq(lit(lo)).and(col(c::MONTH).lt_eq(lit(m)));
    let mf = match only {
        Some(ids) => base.facts_of(ids)?.lazy().filter(window),
        None => base.member_facts.clone().lazy().filter(window),
    };
    let mut ml = member_lights.clone().lazy();
    let mut ix = index.clone().lazy();
    if let Some(ids) = only {
        ml = ml.filter(is_in(c::MEMBER, ids));
        ix = ix.filter(is_in(c::MEMBER, ids));
    }
    let at_m = ml
        .select([col(c::MEMBER), col(c::DUES_ARREARS), col(c::ABSENCE)])
        .join(
            ix.select([col(c::MEMBER), col(c::DISTRICT_RANK), col(c::ORG_RANK)]),
            [col(c::MEMBER)],
            [col(c::MEMBER)],
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .with_column(lit(m).alias(c::MONTH));
    let facts = mf.join(at_m, [col(c::MEMBER), col(c::MONTH)], [col(c::MEMBER), col(c::MONTH)], JoinArgs::new(JoinType::Left));
    cat.evaluate(Level::Member, facts, c::MEMBER, targets)?.collect()
}

/// The findings of the diagnosis among branches, by the catalogue's rule
/// ([`crate::catalogue::DiagnosisRule`]): `org, indicator` (position in the branch
/// catalogue), `value, average, light, badness, basis` (a mask of
/// [`crate::catalogue::Basis`]), `bad_rank` (1 + the branches strictly worse), `ranked`
/// (branches with a value), `members` (the branch's) and `evidence` (why, in words), worst
/// first within each indicator: red before yellow before none, more bases first, then the
/// farthest from the average. `history` holds each branch's own values at the
/// `falling_months` months before the month (column `t`).
fn findings(cat: &Catalogue, values: &DataFrame, history: &DataFrame, averages: &[Option<f64>], members: &HashMap<i64, i64>) -> PolarsResult<DataFrame> {
    use crate::catalogue::{Basis, Direction};
    let rule = &cat.diagnosis;
    let orgs: Vec<Option<i64>> = values.column(c::ORG)?.i64()?.iter().collect();
    let h_orgs: Vec<Option<i64>> = history.column(c::ORG)?.i64()?.iter().collect();
    let h_t: Vec<Option<i32>> = history.column(c::TARGET_MONTH)?.i32()?.iter().collect();
    // Each branch's rows of the history, by month: found once for every indicator.
    let mut rows_of: HashMap<i64, Vec<usize>> = HashMap::new();
    for (r, (o, t)) in h_orgs.iter().zip(&h_t).enumerate() {
        if let (Some(o), Some(_)) = (o, t) {
            rows_of.entry(*o).or_default().push(r);
        }
    }
    for rows in rows_of.values_mut() {
        rows.sort_by_key(|r| h_t[*r]);
    }
    let (mut org, mut ind, mut val, mut avg, mut light, mut bad) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut basis, mut rank, mut ranked, mut size, mut evidence) = (vec![], vec![], vec![], vec![], vec![]);
    for (k, (i, a)) in cat.of(Level::Branch).zip(averages).enumerate() {
        let vs = f64s(values, &i.id)?;
        // Worst first: for "higher is better" the lowest value, else the highest.
        let key = |v: f64| if i.direction == Direction::Higher { v } else { -v };
        let mut keys: Vec<f64> = vs.iter().flatten().copied().filter(|v| v.is_finite()).map(key).collect();
        keys.sort_by(f64::total_cmp);
        let n = keys.len();
        let past = f64s(history, &i.id)?;
        for (o, v) in orgs.iter().zip(vs) {
            let (Some(o), Some(v)) = (*o, v) else { continue };
            if !v.is_finite() {
                continue;
            }
            let (kv, eps) = (key(v), 1e-9 * v.abs().max(1.0));
            let as_bad = keys.partition_point(|x| *x <= kv + eps);
            let worse_before = keys.partition_point(|x| *x < kv - eps);
            let l = i.light(v);
            let mut mask = 0i64;
            let mut why = vec![];
            if l != Light::Green {
                mask |= Basis::Threshold as i64;
                let (line, t) = if l == Light::Red { ("红灯线", i.red) } else { ("黄灯线", i.yellow) };
                let side = if i.direction == Direction::Higher { "低于" } else { "达到" };
                why.push(format!("{side}{line} {}", t.map(|t| i.format(t)).unwrap_or_default()));
            }
            if (as_bad as f64) <= rule.worst_share * n as f64 && a.is_some_and(|a| i.worse_than(v, a)) {
                mask |= Basis::WorstShare as i64;
                why.push(format!("全区倒数第{}（{}个支部中）", worse_before + 1, n));
            }
            let months = rule.falling_months as usize;
            if months > 0 {
                // The values at M−months … M−1 (all of them, so consecutive), then M.
                let mut series: Vec<f64> = rows_of.get(&o).map_or(&[][..], |r| &r[..]).iter().filter_map(|r| past[*r]).collect();
                let known = series.len();
                series.push(v);
                if known == months && series.windows(2).all(|w| i.better_than(w[0], w[1])) {
                    mask |= Basis::Falling as i64;
                    why.push(format!("连续{months}个月下降：{}", series.iter().map(|x| i.format(*x)).collect::<Vec<_>>().join(" → ")));
                }
            }
            if mask == 0 {
                continue;
            }
            org.push(o);
            ind.push(k as i32);
            val.push(v);
            avg.push(*a);
            light.push(l as i64);
            bad.push(a.map_or(0.0, |a| i.badness(v, a)));
            basis.push(mask);
            rank.push(worse_before as i64 + 1);
            ranked.push(n as i64);
            size.push(members.get(&o).copied().unwrap_or(0));
            evidence.push(why.join("；"));
        }
    }
    let bases: Vec<i64> = basis.iter().map(|m: &i64| i64::from(m.count_ones())).collect();
    DataFrame::new_infer_height(vec![
        Column::new(c::ORG.into(), org),
        Column::new(c::INDICATOR.into(), ind),
        Column::new(c::VALUE.into(), val),
        Column::new(c::AVERAGE.into(), avg),
        Column::new(c::LIGHT.into(), light),
        Column::new(c::BADNESS.into(), bad),
        Column::new(c::BASIS.into(), basis),
        Column::new(c::COUNT.into(), bases),
        Column::new(c::BAD_RANK.into(), rank),
        Column::new(c::RANKED.into(), ranked),
        Column::new(c::MEMBERS.into(), size),
        Column::new(c::EVIDENCE.into(), evidence),
    ])?
    .lazy()
    .sort_by_exprs(
        [col(c::INDICATOR), col(c::LIGHT), col(c::COUNT), col(c::BADNESS)],
        SortMultipleOptions::default().with_order_descending_multi([false, true, true, true]).with_maintain_order(true),
    )
    .collect()?
    .drop(c::COUNT)
}

/// Activities and events (study sessions one by one) of each subtree up to `month`: the
/// events from the member facts' `records` (every month from the data start is there).
fn records(ds: &Dataset, base: &Base, month: Period) -> PolarsResult<DataFrame> {
    let m = month.0;
    let acts = ds.activities.clone().lazy().filter(col(c::HELD_MONTH).lt_eq(lit(m))).group_by([col(c::ORG)]).agg([len().cast(DataType::Int64).alias(c::COUNT)]);
    let events = base.member_facts.clone().lazy().filter(col(c::MONTH).lt_eq(lit(m))).group_by([col(c::ORG)]).agg([col(c::RECORDS).sum().alias(c::COUNT)]);
    concat([acts, events], UnionArgs::default())?
        .join(base.ancestry.clone().lazy(), [col(c::ORG)], [col(c::ORG)], JoinArgs::new(JoinType::Inner))
        .group_by([col(c::ANCESTOR)])
        .agg([col(c::COUNT).sum().alias(c::RECORDS)])
        .rename([c::ANCESTOR], [c::ORG], true)
        .collect()
}

/// Light of a frame code (0 green, 1 yellow, 2 red). Kept under its old name so callers
/// need not change; new code can call [`Light::from_code`] directly.
pub fn light_str(code: i64) -> Light {
    Light::from_code(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Basis;

    fn frame(cols: Vec<Column>) -> DataFrame {
        DataFrame::new_infer_height(cols).unwrap()
    }

    /// Each finding as (indicator, org, basis mask, evidence), from [`findings`] of `x`
    /// (higher is better, yellow below 50, red below 30) and `y` (no thresholds).
    fn run(x: &[(i64, f64)], y: &[(i64, f64)], history: &[(i64, i32, f64)]) -> Vec<(i32, i64, i64, String)> {
        let cat = Catalogue::from_json(
            r#"{"version":1,"diagnosis":{"worst_share":0.1,"falling_months":3},"indicators":[
            {"id":"x","zh":"x","en":"x","level":"branch","formula":"sum(a, 1)","unit":"percent","direction":"higher","yellow":50,"red":30,"tags":[],"prescription":"p"},
            {"id":"y","zh":"y","en":"y","level":"branch","formula":"sum(a, 1)","unit":"count","direction":"higher","yellow":null,"red":null,"tags":[],"prescription":"p"}]}"#,
        )
        .unwrap();
        let orgs: Vec<i64> = x.iter().map(|p| p.0).collect();
        let yv: Vec<Option<f64>> = orgs.iter().map(|o| y.iter().find(|p| p.0 == *o).map(|p| p.1)).collect();
        let values = frame(vec![
            Column::new(c::ORG.into(), orgs.clone()),
            Column::new("x".into(), x.iter().map(|p| p.1).collect::<Vec<_>>()),
            Column::new("y".into(), yv),
        ]);
        let history = frame(vec![
            Column::new(c::ORG.into(), history.iter().map(|h| h.0).collect::<Vec<_>>()),
            Column::new(c::TARGET_MONTH.into(), history.iter().map(|h| h.1).collect::<Vec<_>>()),
            Column::new("x".into(), history.iter().map(|h| h.2).collect::<Vec<_>>()),
            Column::new("y".into(), history.iter().map(|_| None::<f64>).collect::<Vec<_>>()),
        ]);
        let averages = vec![mean(&values, "x").unwrap(), mean(&values, "y").unwrap()];
        let sizes: HashMap<i64, i64> = orgs.iter().map(|o| (*o, 10)).collect();
        let f = findings(&cat, &values, &history, &averages, &sizes).unwrap();
        let (o, i, b, e) = (
            crate::read::i64s(&f, c::ORG).unwrap(),
            crate::read::i64s(&f, c::INDICATOR).unwrap(),
            crate::read::i64s(&f, c::BASIS).unwrap(),
            crate::read::strs(&f, c::EVIDENCE).unwrap(),
        );
        (0..f.height()).map(|k| (i[k] as i32, o[k], b[k], e[k].clone())).collect()
    }

    #[test]
    fn a_finding_is_a_threshold_the_worst_tenth_or_a_fall() {
        // 20 branches at 80..99 on x, one at 40 (yellow), one at 25 (red): the two are also the
        // worst tenth (2.2 of 22). Branch 1 fell for three months: 105 → 103 → 101 → 99;
        // branch 2 has two months of history only.
        let mut x: Vec<(i64, f64)> = (1..=20).map(|i| (i, 100.0 - i as f64)).collect();
        x.extend([(21, 40.0), (22, 25.0)]);
        let history = [(1, 7, 105.0), (1, 8, 103.0), (1, 9, 101.0), (2, 8, 100.0), (2, 9, 99.0)];
        let f = run(&x, &[], &history);
        let (t, w, fall) = (Basis::Threshold as i64, Basis::WorstShare as i64, Basis::Falling as i64);
        let on_x: Vec<(i64, i64)> = f.iter().filter(|r| r.0 == 0).map(|r| (r.1, r.2)).collect();
        // Red first, then yellow, then the rest.
        assert_eq!(on_x, [(22, t | w), (21, t | w), (1, fall)]);
        let evidence = &f.iter().find(|r| r.1 == 22).unwrap().3;
        assert!(evidence.contains("低于红灯线 30") && evidence.contains("全区倒数第1（22个支部中）"), "{evidence}");
        let fell = &f.iter().find(|r| r.1 == 1).unwrap().3;
        assert!(fell.contains("连续3个月下降：105 → 103 → 101 → 99"), "{fell}");
    }

    #[test]
    fn a_value_many_share_is_never_the_worst_tenth() {
        // y: six branches hold none, fourteen hold five: "none" is 30 % of the district, not
        // its worst tenth, and y has no thresholds; x is green everywhere.
        let x: Vec<(i64, f64)> = (1..=20).map(|i| (i, 90.0)).collect();
        let y: Vec<(i64, f64)> = (1..=20).map(|i| (i, if i <= 6 { 0.0 } else { 5.0 })).collect();
        assert!(run(&x, &y, &[]).is_empty());
        // One branch alone at the bottom is.
        let y: Vec<(i64, f64)> = (1..=20).map(|i| (i, if i == 1 { 0.0 } else { 5.0 })).collect();
        let f = run(&x, &y, &[]);
        assert_eq!(f.iter().map(|r| (r.0, r.1, r.2)).collect::<Vec<_>>(), [(1, 1, Basis::WorstShare as i64)]);
    }
}
