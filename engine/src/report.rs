//! The figures of a month's reports (docs/RULES.md §6/§11) for every member and every
//! grassroots organisation with members at once, from the month's figures: a report run
//! reads each frame a fixed number of times, never once per subject, so the district's
//! 47,411 member reports and every branch report come from a handful of queries.
//!
//! What is left to the caller: the words of the open lights (the `operations` crate owns
//! them with the warnings) and the month's warnings (stored facts, read from the store).

use std::collections::HashMap;

use domain::report::{BranchReport, MemberReport, OpenLight, Standing};
use domain::wire::TraceItem;
use domain::{Period, Points};
use polars::prelude::*;

use crate::catalogue::Level;
use crate::month::light_str;
use crate::read::{f64s, i64s, strs};
use crate::schema as c;
use crate::snapshot::{ActivityDetails, Ctx, trace_rows};

/// Every report of a month, in `member_id` and `org_id` order.
#[derive(Debug, Clone, Default)]
pub struct MonthReports {
    pub members: Vec<MemberReport>,
    pub branches: Vec<BranchReport>,
}

fn pts(v: i64) -> String {
    Points(v).to_string()
}

impl Ctx<'_> {
    /// The reports of the figures' month. `trace` is [`crate::index::contributions_between`]
    /// of the month alone for every member; `details` the titles of its activities.
    pub fn reports(&self, trace: &DataFrame, details: &ActivityDetails) -> PolarsResult<MonthReports> {
        let members = self.member_reports(trace, details)?;
        let branches = self.branch_reports()?;
        Ok(MonthReports { members, branches })
    }

    fn member_reports(&self, trace: &DataFrame, details: &ActivityDetails) -> PolarsResult<Vec<MemberReport>> {
        let fig = self.fig;
        let (m, year) = (fig.month.0, fig.month.year());
        let key = || [col(c::MEMBER)];
        let left = || JoinArgs::new(JoinType::Left);

        // The month's own points by dimension.
        let month_points = self.base.member_facts.clone().lazy().filter(col(c::MONTH).eq(lit(m))).select([
            col(c::MEMBER),
            col(c::PARTY_LIFE).alias("m_party_life"),
            col(c::DUTY).alias("m_duty"),
            col(c::CONTRIBUTION).alias("m_contribution"),
            col(c::MORALITY).alias("m_morality"),
            col(c::POINTS).alias("m_points"),
        ]);
        // The index so far at the end of the month before, within the same year.
        let previous = if fig.month.month() > 1 {
            let jan = Period::new(year, 1).0;
            let sums = self.base.member_facts.clone().lazy().filter(col(c::MONTH).gt_eq(lit(jan)).and(col(c::MONTH).lt(lit(m)))).group_by(key()).agg([
                col(c::PARTY_LIFE).sum(),
                col(c::DUTY).sum(),
                col(c::CONTRIBUTION).sum(),
                col(c::MORALITY).sum(),
            ]);
            Some(crate::index::index_from(self.ds, year, sums)?.select([
                col(c::MEMBER),
                col(c::INDEX).alias("p_index"),
                col(c::DISTRICT_RANK).alias("p_district_rank"),
                col(c::ORG_RANK).alias("p_org_rank"),
            ]))
        } else {
            None
        };
        let names = self.ds.members.clone().lazy().select([col(c::ID).alias(c::MEMBER), col(c::NAME), col(c::CATEGORY)]);
        let lights = fig.member_lights.clone().lazy().select([
            col(c::MEMBER),
            col(c::DUES_ARREARS),
            col(c::ABSENCE),
            col(c::DUES_LIGHT),
            col(c::ABSENCE_LIGHT),
            col(c::LIGHT),
        ]);
        let org_sizes = fig.index.clone().lazy().group_by([col(c::ORG)]).agg([len().cast(DataType::Int64).alias(c::COUNT)]);
        let mut all =
            fig.index.clone().lazy().join(names, key(), key(), left()).join(month_points, key(), key(), left()).join(lights, key(), key(), left()).join(
                org_sizes,
                [col(c::ORG)],
                [col(c::ORG)],
                left(),
            );
        if let Some(p) = previous {
            all = all.join(p, key(), key(), left());
        }
        let df = all.sort([c::MEMBER_ID], SortMultipleOptions::default()).collect()?;

        let mut items: HashMap<i64, Vec<TraceItem>> = HashMap::new();
        for (member, item) in trace_rows(trace, details)? {
            items.entry(member).or_default().push(item);
        }
        let col_i = |n: &str| i64s(&df, n);
        let opt_i = |n: &str| -> PolarsResult<Option<Vec<Option<i64>>>> {
            if df.column(n).is_err() {
                return Ok(None);
            }
            Ok(Some(df.column(n)?.as_materialized_series().cast(&DataType::Int64)?.i64()?.iter().collect()))
        };
        let (member, org) = (col_i(c::MEMBER)?, col_i(c::ORG)?);
        let (member_id, name, category) = (strs(&df, c::MEMBER_ID)?, strs(&df, c::NAME)?, strs(&df, c::CATEGORY)?);
        let (index, pl, du, co, mo) = (col_i(c::INDEX)?, col_i(c::PARTY_LIFE)?, col_i(c::DUTY)?, col_i(c::CONTRIBUTION)?, col_i(c::MORALITY)?);
        let (mp, mpl, mdu, mco, mmo) = (col_i("m_points")?, col_i("m_party_life")?, col_i("m_duty")?, col_i("m_contribution")?, col_i("m_morality")?);
        let (dr, or, org_pop) = (col_i(c::DISTRICT_RANK)?, col_i(c::ORG_RANK)?, col_i(c::COUNT)?);
        let (arrears, absence, dues_light, absence_light, light) =
            (col_i(c::DUES_ARREARS)?, col_i(c::ABSENCE)?, col_i(c::DUES_LIGHT)?, col_i(c::ABSENCE_LIGHT)?, col_i(c::LIGHT)?);
        let (p_index, p_dr, p_or) = (opt_i("p_index")?, opt_i("p_district_rank")?, opt_i("p_org_rank")?);
        let at = |v: &Option<Vec<Option<i64>>>, i: usize| v.as_ref().and_then(|v| v[i]);
        let population = df.height() as i64;

        let mut out = Vec::with_capacity(df.height());
        for i in 0..df.height() {
            let mut open_lights = vec![];
            for (reason, l, months) in [("dues", dues_light[i], arrears[i]), ("absence", absence_light[i], absence[i])] {
                if l > 0 {
                    open_lights.push(OpenLight { reason: reason.into(), light: light_str(l), months, words: String::new(), advice: String::new() });
                }
            }
            let previous_index = at(&p_index, i);
            out.push(MemberReport {
                month: fig.month.to_string(),
                member_id: member_id[i].clone(),
                name: name[i].clone(),
                org: self.tree.crumb(org[i]),
                category: domain::kinds::Category::parse(&category[i]).map(|c| c.zh().to_string()).unwrap_or(category[i].clone()),
                index: pts(index[i]),
                party_life: pts(pl[i]),
                duty: pts(du[i]),
                contribution: pts(co[i]),
                morality: pts(mo[i]),
                month_points: pts(mp[i]),
                month_party_life: pts(mpl[i]),
                month_duty: pts(mdu[i]),
                month_contribution: pts(mco[i]),
                month_morality: pts(mmo[i]),
                previous_index: previous_index.map(pts),
                change: previous_index.map(|p| pts(index[i] - p)),
                district_rank: dr[i],
                district_population: population,
                org_rank: or[i],
                org_population: org_pop[i],
                previous_district_rank: at(&p_dr, i),
                previous_org_rank: at(&p_or, i),
                light: light_str(light[i]),
                open_lights,
                trace: items.remove(&member[i]).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    fn branch_reports(&self) -> PolarsResult<Vec<BranchReport>> {
        let fig = self.fig;
        // Every grassroots organisation with members, by org_id.
        let mut lights = vec![];
        for root in &self.tree.roots {
            lights.extend(self.branch_lights(*root)?.into_iter().filter(|b| b.members > 0));
        }
        lights.sort_by(|a, b| a.org_id.as_bytes().cmp(b.org_id.as_bytes()));
        lights.retain(|b| self.tree.by_org_id.contains_key(&b.org_id));
        let orgs: Vec<i64> = lights.iter().map(|b| self.tree.by_org_id[&b.org_id]).collect();

        // The 体检表 of every branch in one evaluation, split by organisation.
        let table = fig.org_indicators(self.cat, &orgs)?;
        let mut rows_of: HashMap<i64, DataFrame> = HashMap::new();
        for part in table.partition_by([c::ORG], true)? {
            let org = i64s(&part, c::ORG)?.first().copied().unwrap_or(-1);
            rows_of.insert(org, part.sort([c::TARGET_MONTH], SortMultipleOptions::default())?);
        }
        // Findings of every branch, with their resources.
        let mut findings_of: HashMap<String, Vec<domain::wire::Finding>> = HashMap::new();
        for root in &self.tree.roots {
            for f in self.findings(*root)? {
                findings_of.entry(f.org_id.clone()).or_default().push(f);
            }
        }
        // Standing: the branch's mean index among the branches' (the catalogue's
        // `mean_index`, own facts), and the district's lights.
        let mean_index: HashMap<i64, f64> = match self.cat.of(Level::Branch).find(|i| i.id == "mean_index") {
            Some(ind) => {
                let bi = &fig.branch_indicators;
                i64s(bi, c::ORG)?.into_iter().zip(f64s(bi, &ind.id)?).filter_map(|(o, v)| v.map(|v| (o, v))).collect()
            }
            None => HashMap::new(),
        };
        let mut sorted: Vec<f64> = mean_index.values().copied().collect();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let count_light = |l: domain::Light| lights.iter().filter(|b| b.light == l).count() as i64;
        let (red_b, yellow_b, green_b) = (count_light(domain::Light::Red), count_light(domain::Light::Yellow), count_light(domain::Light::Green));
        let total_findings: usize = findings_of.values().map(Vec::len).sum();
        let district_mean_findings = if orgs.is_empty() { 0.0 } else { total_findings as f64 / orgs.len() as f64 };

        let mut out = Vec::with_capacity(orgs.len());
        for (org, branch_lights) in orgs.iter().zip(lights) {
            let crumb = self.tree.crumb(*org);
            let findings = findings_of.remove(&crumb.org_id).unwrap_or_default();
            let mi = mean_index.get(org).copied();
            let indicators = rows_of.get(org).map(|rows| self.indicator_rows(rows)).transpose()?.unwrap_or_default();
            out.push(BranchReport {
                month: fig.month.to_string(),
                path: self.tree.path(*org),
                org: crumb,
                lights: branch_lights,
                standing: Standing {
                    mean_index: mi.map(|v| self.cat.get("mean_index").map_or_else(|| v.to_string(), |ind| ind.format(v))),
                    index_rank: mi.map(|v| 1 + sorted.iter().filter(|x| **x > v).count() as i64),
                    branches: orgs.len() as i64,
                    red_branches: red_b,
                    yellow_branches: yellow_b,
                    green_branches: green_b,
                    findings: findings.len() as i64,
                    district_mean_findings,
                },
                indicators,
                findings,
                warnings: vec![],
            });
        }
        Ok(out)
    }
}
