//! One organisation's wall snapshot and one member's profile, assembled from a month's
//! figures ([`MonthFigures`]): filters and small joins only, no scan of the events.

use crate::catalogue::{Catalogue, Level};
use crate::dataset::Dataset;
use crate::month::{Base, MonthFigures, TREND_MONTHS, light_str, member_indicators};
use crate::read::{f64_at, i64_at, str_at};
use crate::rules::Light;
use crate::schema as c;
use domain::kinds::{Category, EventKind, OrgKind, grade_zh};
use domain::wire::{AdviceRow, ChildBar, Crumb, Headline, IndicatorValue, LeaderRow, MemberProfile, MemberRow, ResourceRef, Slice, TraceItem, WallSnapshot};
use domain::{Date, Period, Points};
use polars::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use store::extras::Extras;

/// The organisation tree as lookups.
#[derive(Debug, Clone, Default)]
pub struct OrgTree {
    pub by_id: HashMap<i64, OrgInfo>,
    pub by_org_id: HashMap<String, i64>,
    pub children: HashMap<i64, Vec<i64>>,
    pub roots: Vec<i64>,
    /// Members and grassroots organisations of each subtree (itself included).
    pub subtree_members: HashMap<i64, i64>,
    pub subtree_grassroots: HashMap<i64, i64>,
}

#[derive(Debug, Clone)]
pub struct OrgInfo {
    pub id: i64,
    pub org_id: String,
    pub name: String,
    pub kind: OrgKind,
    pub parent: Option<i64>,
}

impl OrgTree {
    pub fn new(ds: &Dataset) -> PolarsResult<OrgTree> {
        let o = &ds.orgs;
        let (ids, oids, parents, names, kinds) =
            (o.column(c::ID)?.i64()?, o.column(c::ORG_ID)?.str()?, o.column(c::PARENT)?.i64()?, o.column(c::NAME)?.str()?, o.column(c::KIND)?.i16()?);
        let mut t = OrgTree::default();
        for i in 0..o.height() {
            let (Some(id), Some(org_id), Some(name), Some(kind)) = (ids.get(i), oids.get(i), names.get(i), kinds.get(i).and_then(OrgKind::from_code)) else {
                continue;
            };
            let parent = parents.get(i);
            t.by_org_id.insert(org_id.to_string(), id);
            t.by_id.insert(id, OrgInfo { id, org_id: org_id.to_string(), name: name.to_string(), kind, parent });
        }
        for info in t.by_id.values() {
            match info.parent {
                Some(p) => t.children.entry(p).or_default().push(info.id),
                None => t.roots.push(info.id),
            }
        }
        let key = |id: &i64| t.by_id.get(id).map(|i| i.org_id.clone()).unwrap_or_default();
        let mut children = std::mem::take(&mut t.children);
        for v in children.values_mut() {
            v.sort_by_key(key);
        }
        t.children = children;
        let mut roots = std::mem::take(&mut t.roots);
        roots.sort_by_key(key);
        t.roots = roots;

        let mut direct: HashMap<i64, i64> = HashMap::new();
        for org in ds.members.column(c::ORG)?.i64()?.into_no_null_iter() {
            *direct.entry(org).or_default() += 1;
        }
        // Children after parents in `order`, so a reverse pass adds each subtree into its parent.
        let mut order = t.roots.clone();
        let mut i = 0;
        while i < order.len() {
            if let Some(c) = t.children.get(&order[i]) {
                order.extend(c.iter().copied());
            }
            i += 1;
        }
        for &id in order.iter().rev() {
            let m = direct.get(&id).copied().unwrap_or(0) + t.children.get(&id).map_or(0, |c| c.iter().map(|c| t.subtree_members[c]).sum());
            let g = i64::from(t.by_id[&id].kind.is_grassroots()) + t.children.get(&id).map_or(0, |c| c.iter().map(|c| t.subtree_grassroots[c]).sum());
            t.subtree_members.insert(id, m);
            t.subtree_grassroots.insert(id, g);
        }
        Ok(t)
    }

    pub fn crumb(&self, id: i64) -> Crumb {
        let i = &self.by_id[&id];
        Crumb { org_id: i.org_id.clone(), name: i.name.clone(), kind: i.kind.as_str().to_string() }
    }

    /// Root first, `id` last.
    pub fn path(&self, id: i64) -> Vec<Crumb> {
        let mut out = vec![];
        let mut cur = Some(id);
        while let Some(c) = cur {
            if out.len() > self.by_id.len() {
                break;
            }
            out.push(self.crumb(c));
            cur = self.by_id.get(&c).and_then(|i| i.parent);
        }
        out.reverse();
        out
    }

    /// Whether `org` is `ancestor` or lies below it: a walk up `org`'s parents (a few steps),
    /// not a walk of the subtree, since every request asks it (docs/RULES.md §10 scope).
    pub fn is_within(&self, ancestor: i64, org: i64) -> bool {
        let mut cur = Some(org);
        // The depth bound guards against a cycle in corrupt data.
        for _ in 0..=self.by_id.len() {
            match cur {
                Some(c) if c == ancestor => return true,
                Some(c) => cur = self.by_id.get(&c).and_then(|i| i.parent),
                None => return false,
            }
        }
        false
    }

    /// `id` and every organisation below it.
    pub fn subtree(&self, id: i64) -> Vec<i64> {
        let mut out = vec![id];
        let mut i = 0;
        while i < out.len() {
            if let Some(c) = self.children.get(&out[i]) {
                out.extend(c.iter().copied());
            }
            i += 1;
        }
        out
    }
}

fn series_i64(ids: &[i64]) -> polars::prelude::Series {
    polars::prelude::Series::new("ids".into(), ids)
}

fn in_set(c: &str, ids: &[i64]) -> Expr {
    col(c).is_in(lit(series_i64(ids)).implode(false), false)
}

/// The row of `org` in a frame keyed by `org` (and `target_month` = `t` when given).
fn row_of(df: &DataFrame, org: i64, t: Option<i32>) -> PolarsResult<DataFrame> {
    let mut f = col(c::ORG).eq(lit(org));
    if let Some(t) = t {
        f = f.and(col(c::TARGET_MONTH).eq(lit(t)));
    }
    df.clone().lazy().filter(f).collect()
}

/// Mean points as text with two decimals (the index itself is exact; a mean is not).
fn mean_text(points_sum: f64, members: i64) -> (f64, String) {
    if members == 0 {
        return (0.0, "0".into());
    }
    let v = points_sum / members as f64 / domain::points::POINT as f64;
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    (v, if s == "-0" { "0".into() } else { s })
}

/// What [`Ctx::composition`] counts.
#[derive(Default)]
struct Composition {
    categories: HashMap<String, i64>,
    grades: HashMap<String, i64>,
    child_categories: Vec<BTreeMap<String, i64>>,
    child_grades: Vec<BTreeMap<String, i64>>,
    member_category: HashMap<i64, String>,
    member_grade: HashMap<i64, i64>,
}

pub struct Ctx<'a> {
    pub ds: &'a Dataset,
    pub extras: &'a Extras,
    pub base: &'a Base,
    pub tree: &'a OrgTree,
    pub cat: &'a Catalogue,
    pub fig: &'a MonthFigures,
    pub version: u64,
    pub computed_at: &'a str,
}

impl Ctx<'_> {
    fn months(&self) -> Vec<Period> {
        let m = self.fig.month.0;
        (m - TREND_MONTHS + 1..=m).map(Period).collect()
    }

    fn available(&self) -> Vec<String> {
        (self.base.first.0..=self.base.latest.0).map(|p| Period(p).to_string()).collect()
    }

    pub fn snapshot(&self, org: i64) -> PolarsResult<WallSnapshot> {
        let fig = self.fig;
        let m = fig.month.0;
        let sub = self.tree.subtree(org);
        let months = self.months();

        // Headline.
        let st = row_of(&fig.subtree, org, None)?;
        let sf = fig.subtree_facts.clone().lazy().filter(col(c::ORG).eq(lit(org)).and(col(c::MONTH).eq(lit(m)))).collect()?;
        let jan = Period::new(fig.month.year(), 1).0;
        let ytd_points = fig
            .subtree_facts
            .clone()
            .lazy()
            .filter(col(c::ORG).eq(lit(org)).and(col(c::MONTH).gt_eq(lit(jan))).and(col(c::MONTH).lt_eq(lit(m))))
            .select([col(c::POINTS).cast(DataType::Float64).sum()])
            .collect()?;
        let ytd_points = f64_at(&ytd_points, c::POINTS, 0)?.unwrap_or(0.0);
        let members = i64_at(&sf, c::ENROLLED, 0)?;
        let grassroots = sub.iter().filter(|o| self.tree.by_id[o].kind.is_grassroots()).count() as i64;
        let records = i64_at(&row_of(&fig.records, org, None)?, c::RECORDS, 0)?;
        let headline = Headline {
            orgs: sub.len() as i64,
            grassroots,
            members,
            records,
            red_members: i64_at(&st, c::RED_MEMBERS, 0)?,
            yellow_members: i64_at(&st, c::YELLOW_MEMBERS, 0)?,
            green_members: i64_at(&st, c::GREEN_MEMBERS, 0)?,
            red_branches: i64_at(&st, c::RED_BRANCHES, 0)?,
            yellow_branches: i64_at(&st, c::YELLOW_BRANCHES, 0)?,
            green_branches: i64_at(&st, c::GREEN_BRANCHES, 0)?,
            mean_index: mean_text(ytd_points, members).1,
        };

        // Trends: organisation life held (a fact), and three indicators of the subtree.
        let trend_rows = fig.org_indicators(self.cat, &[org])?;
        let facts_rows = fig.subtree_facts.clone().lazy().filter(col(c::ORG).eq(lit(org))).collect()?;
        let first = self.base.first.0;
        let value_at = |df: &DataFrame, key: &str, c: &str, t: i32| -> PolarsResult<Option<f64>> {
            if t < first {
                return Ok(None);
            }
            let r = df.clone().lazy().filter(col(key).eq(lit(t))).collect()?;
            Ok(if r.height() == 0 { None } else { f64_at(&r, c, 0)? })
        };
        let mut trends = vec![domain::wire::Series {
            id: "org_life".into(),
            zh: "组织生活开展次数".into(),
            unit: domain::Unit::Count,
            values: months.iter().map(|p| value_at(&facts_rows, c::MONTH, c::ORG_LIFE, p.0)).collect::<PolarsResult<_>>()?,
        }];
        for id in ["attendance_rate_month", "dues_rate_month", "mean_index"] {
            let Some(ind) = self.cat.get(id) else { continue };
            trends.push(domain::wire::Series {
                id: id.into(),
                zh: ind.zh.clone(),
                unit: ind.unit,
                values: months.iter().map(|p| value_at(&trend_rows, c::TARGET_MONTH, id, p.0)).collect::<PolarsResult<_>>()?,
            });
        }

        // Compositions of the subtree (the pies), per child and per direct member (what a
        // click on a slice lists).
        let kids: &[i64] = self.tree.children.get(&org).map(Vec::as_slice).unwrap_or(&[]);
        let comp = self.composition(org, &sub, kids)?;

        // Children.
        let mut children = vec![];
        for (k, &child) in kids.iter().enumerate() {
            let info = &self.tree.by_id[&child];
            let cst = row_of(&fig.subtree, child, None)?;
            let cf = fig.subtree_facts.clone().lazy().filter(col(c::ORG).eq(lit(child)).and(col(c::MONTH).eq(lit(m)))).collect()?;
            let cmembers = i64_at(&cf, c::ENROLLED, 0)?;
            let cpoints = fig
                .subtree_facts
                .clone()
                .lazy()
                .filter(col(c::ORG).eq(lit(child)).and(col(c::MONTH).gt_eq(lit(jan))).and(col(c::MONTH).lt_eq(lit(m))))
                .select([col(c::POINTS).cast(DataType::Float64).sum()])
                .collect()?;
            let (mi, mt) = mean_text(f64_at(&cpoints, c::POINTS, 0)?.unwrap_or(0.0), cmembers);
            let (gr, held) = (i64_at(&cf, c::GRASSROOTS_WITH_MEMBERS, 0)?, i64_at(&cf, c::GRASSROOTS_HELD_ORG_LIFE, 0)?);
            let own = row_of(&fig.branch_lights, child, None)?;
            let light = if own.height() > 0 {
                light_str(i64_at(&own, c::LIGHT, 0)?)
            } else if i64_at(&cst, c::RED_BRANCHES, 0)? > 0 {
                Light::Red
            } else if i64_at(&cst, c::YELLOW_BRANCHES, 0)? > 0 {
                Light::Yellow
            } else {
                Light::Green
            };
            children.push(ChildBar {
                org_id: info.org_id.clone(),
                name: info.name.clone(),
                kind: info.kind.as_str().into(),
                members: cmembers,
                mean_index: mi,
                mean_index_text: mt,
                org_life_completion: (gr > 0).then(|| 100.0 * held as f64 / gr as f64),
                red_members: i64_at(&cst, c::RED_MEMBERS, 0)?,
                yellow_members: i64_at(&cst, c::YELLOW_MEMBERS, 0)?,
                red_branches: i64_at(&cst, c::RED_BRANCHES, 0)?,
                yellow_branches: i64_at(&cst, c::YELLOW_BRANCHES, 0)?,
                light,
                has_children: self.tree.children.get(&child).is_some_and(|v| !v.is_empty()),
                category_members: comp.child_categories.get(k).cloned().unwrap_or_default(),
                grade_members: comp.child_grades.get(k).cloned().unwrap_or_default(),
            });
        }

        // Pies.
        let categories = Category::ALL
            .iter()
            .map(|c| Slice { key: c.as_str().into(), zh: c.zh().into(), value: comp.categories.get(c.as_str()).copied().unwrap_or(0) })
            .collect();
        let member_lights = vec![
            Slice { key: Light::Red.as_str().into(), zh: Light::Red.zh().into(), value: headline.red_members },
            Slice { key: Light::Yellow.as_str().into(), zh: Light::Yellow.zh().into(), value: headline.yellow_members },
            Slice { key: Light::Green.as_str().into(), zh: Light::Green.zh().into(), value: headline.green_members },
        ];
        let grades = (1..=4)
            .map(|k: i64| {
                let key = k.to_string();
                Slice { value: comp.grades.get(&key).copied().unwrap_or(0), key, zh: grade_zh(k).unwrap_or_default().into() }
            })
            .collect();

        // Leaderboard and the direct members.
        let names = self.ds.members.clone().lazy().select([col(c::ID).alias(c::MEMBER), col(c::NAME)]);
        let top = fig
            .index
            .clone()
            .lazy()
            .filter(in_set(c::ORG, &sub))
            .sort([c::DISTRICT_RANK], SortMultipleOptions::default())
            .limit(10)
            .join(names.clone(), [col(c::MEMBER)], [col(c::MEMBER)], JoinArgs::new(JoinType::Left))
            .collect()?;
        let leaderboard = (0..top.height())
            .map(|i| -> PolarsResult<LeaderRow> {
                let org_of = i64_at(&top, c::ORG, i)?;
                let p = Points(i64_at(&top, c::INDEX, i)?);
                Ok(LeaderRow {
                    rank: i as i64 + 1,
                    district_rank: i64_at(&top, c::DISTRICT_RANK, i)?,
                    member_id: str_at(&top, c::MEMBER_ID, i)?,
                    name: str_at(&top, c::NAME, i)?,
                    org_id: str_at(&top, c::ORG_ID, i)?,
                    org_name: self.tree.by_id.get(&org_of).map(|o| o.name.clone()).unwrap_or_default(),
                    index: p.to_string(),
                    index_value: p.as_f64(),
                })
            })
            .collect::<PolarsResult<_>>()?;
        let direct = fig
            .index
            .clone()
            .lazy()
            .filter(col(c::ORG).eq(lit(org)))
            .join(names, [col(c::MEMBER)], [col(c::MEMBER)], JoinArgs::new(JoinType::Left))
            .join(fig.member_lights.clone().lazy().select([col(c::MEMBER), col(c::LIGHT)]), [col(c::MEMBER)], [col(c::MEMBER)], JoinArgs::new(JoinType::Left))
            .sort([c::ORG_RANK], SortMultipleOptions::default())
            .collect()?;
        let members_list = (0..direct.height())
            .map(|i| -> PolarsResult<MemberRow> {
                let p = Points(i64_at(&direct, c::INDEX, i)?);
                let member = i64_at(&direct, c::MEMBER, i)?;
                Ok(MemberRow {
                    member_id: str_at(&direct, c::MEMBER_ID, i)?,
                    name: str_at(&direct, c::NAME, i)?,
                    index: p.to_string(),
                    index_value: p.as_f64(),
                    org_rank: i64_at(&direct, c::ORG_RANK, i)?,
                    light: light_str(i64_at(&direct, c::LIGHT, i)?),
                    category: comp.member_category.get(&member).cloned().unwrap_or_default(),
                    grade: comp.member_grade.get(&member).map(i64::to_string),
                })
            })
            .collect::<PolarsResult<_>>()?;

        Ok(WallSnapshot {
            version: self.version,
            computed_at: self.computed_at.to_string(),
            month: fig.month.to_string(),
            available_months: self.available(),
            org: self.tree.crumb(org),
            path: self.tree.path(org),
            headline,
            months: months.iter().map(|p| p.to_string()).collect(),
            trends,
            children,
            categories,
            member_lights,
            grades,
            leaderboard,
            advice: self.advice(&sub)?,
            members: members_list,
        })
    }

    /// The members of the subtree of `org` (joined by the month) by category and by the
    /// evaluation grade that stands: in all (the pies), per child of `kids` (in their order)
    /// and for each member held directly by `org` — one pass over the subtree's members, so
    /// a child's counts add up to the pie's exactly.
    fn composition(&self, org: i64, sub: &[i64], kids: &[i64]) -> PolarsResult<Composition> {
        let m = self.fig.month.0;
        let child_of: HashMap<i64, usize> = kids.iter().enumerate().flat_map(|(k, &child)| self.tree.subtree(child).into_iter().map(move |o| (o, k))).collect();
        let rows = self
            .ds
            .members
            .clone()
            .lazy()
            .filter(in_set(c::ORG, sub).and(col(c::JOINED_MONTH).lt_eq(lit(m))))
            .select([col(c::ID).alias(c::MEMBER), col(c::ORG), col(c::CATEGORY)])
            .join(self.fig.grades.clone().lazy().select([col(c::MEMBER), col(c::GRADE)]), [col(c::MEMBER)], [col(c::MEMBER)], JoinArgs::new(JoinType::Left))
            .collect()?;
        let (members, orgs, cats) = (crate::read::i64s(&rows, c::MEMBER)?, crate::read::i64s(&rows, c::ORG)?, crate::read::strs(&rows, c::CATEGORY)?);
        let grades = rows.column(c::GRADE)?.as_materialized_series().cast(&DataType::Int64)?;
        let mut out = Composition {
            child_categories: vec![Category::ALL.iter().map(|c| (c.as_str().to_string(), 0)).collect(); kids.len()],
            child_grades: vec![(1..=4).map(|g: i64| (g.to_string(), 0)).collect(); kids.len()],
            ..Composition::default()
        };
        for (i, grade) in grades.i64()?.iter().enumerate() {
            let child = child_of.get(&orgs[i]).copied();
            *out.categories.entry(cats[i].clone()).or_default() += 1;
            if let Some(k) = child {
                *out.child_categories[k].entry(cats[i].clone()).or_default() += 1;
            }
            if let Some(g) = grade {
                *out.grades.entry(g.to_string()).or_default() += 1;
                if let Some(k) = child {
                    *out.child_grades[k].entry(g.to_string()).or_default() += 1;
                }
            }
            if orgs[i] == org {
                out.member_category.insert(members[i], cats[i].clone());
                if let Some(g) = grade {
                    out.member_grade.insert(members[i], g);
                }
            }
        }
        Ok(out)
    }

    /// The advice matrix of the subtree: the indicators with findings, ranked by severity
    /// (the light of their worst finding: red, yellow, then findings on the worst-share or
    /// falling rule only) and then by the members of the branches they touch; each with its
    /// worst organisations, prescription and resources.
    fn advice(&self, sub: &[i64]) -> PolarsResult<Vec<AdviceRow>> {
        let fig = self.fig;
        let f = fig.findings.clone().lazy().filter(in_set(c::ORG, sub)).collect()?;
        let inds: Vec<_> = self.cat.of(Level::Branch).collect();
        let mut rows = vec![];
        for (k, ind) in inds.iter().enumerate() {
            let r = f.clone().lazy().filter(col(c::INDICATOR).eq(lit(k as i32))).collect()?;
            if r.height() == 0 {
                continue;
            }
            let orgs = crate::read::i64s(&r, c::ORG)?;
            let members: i64 = crate::read::i64s(&r, c::MEMBERS)?.iter().sum();
            let light = light_str(crate::read::i64s(&r, c::LIGHT)?.into_iter().max().unwrap_or(0));
            let worst = orgs[0];
            rows.push(AdviceRow {
                indicator_id: ind.id.clone(),
                indicator_zh: ind.zh.clone(),
                affected: r.height() as i64,
                members,
                light,
                orgs: orgs.iter().take(5).map(|o| self.tree.crumb(*o)).collect(),
                prescription: ind.prescription.clone(),
                resources: recommend(self.extras, &ind.tags, worst, fig.month)?,
            });
        }
        rows.sort_by(|a, b| (b.light as i64).cmp(&(a.light as i64)).then(b.members.cmp(&a.members)).then(b.affected.cmp(&a.affected)));
        Ok(rows.into_iter().take(12).collect())
    }
}

/// Up to three resources whose tags share a tag with `tags` and that `org` has not used in
/// the 12 months up to the end of `month`: most shared tags first, then by `resource_id`.
pub fn recommend(extras: &Extras, tags: &[String], org: i64, month: Period) -> PolarsResult<Vec<ResourceRef>> {
    if tags.is_empty() {
        return Ok(vec![]);
    }
    let since = Period(month.0 - 11).first_day().0;
    let until = month.last_day().0;
    let uses = &extras.resource_uses;
    let (uo, ur, ud) = (uses.column(c::ORG)?.i64()?, uses.column(c::RESOURCE_ID)?.str()?, uses.column(c::USED_ON)?.i32()?);
    let used: HashSet<&str> =
        (0..uses.height()).filter(|&i| uo.get(i) == Some(org) && ud.get(i).is_some_and(|d| d >= since && d <= until)).filter_map(|i| ur.get(i)).collect();
    let r = &extras.resources;
    let (ids, kinds, titles, rtags) = (r.column(c::RESOURCE_ID)?.str()?, r.column(c::KIND)?.str()?, r.column(c::TITLE)?.str()?, r.column(c::TAGS)?.str()?);
    let mut scored: Vec<(usize, &str, usize)> = vec![];
    for i in 0..r.height() {
        let (Some(id), Some(t)) = (ids.get(i), rtags.get(i)) else { continue };
        if used.contains(id) {
            continue;
        }
        let shared = t.split(';').filter(|x| tags.iter().any(|w| w == x.trim())).count();
        if shared > 0 {
            scored.push((shared, id, i));
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.as_bytes().cmp(b.1.as_bytes())));
    Ok(scored
        .into_iter()
        .take(3)
        .map(|(_, id, i)| ResourceRef {
            resource_id: id.to_string(),
            kind: kinds.get(i).unwrap_or_default().to_string(),
            title: titles.get(i).unwrap_or_default().to_string(),
        })
        .collect())
}

/// What a member's trace needs besides the engine's frames: activity titles from the store.
pub type ActivityDetails = HashMap<i64, (String, String, i64)>;

impl Ctx<'_> {
    /// The member profile at the month. `trace` is [`crate::index::contributions_between`]
    /// for the member from January to the month; `details` the titles of its activities.
    pub fn profile(&self, member: i64, trace: &DataFrame, details: &ActivityDetails) -> PolarsResult<MemberProfile> {
        let fig = self.fig;
        let m = fig.month.0;
        let mrow = self.ds.members.clone().lazy().filter(col(c::ID).eq(lit(member))).collect()?;
        let org = i64_at(&mrow, c::ORG, 0)?;
        let ix = fig.index.clone().lazy().filter(col(c::MEMBER).eq(lit(member))).collect()?;
        let ml = fig.member_lights.clone().lazy().filter(col(c::MEMBER).eq(lit(member))).collect()?;
        let pts = |c: &str| -> PolarsResult<String> { Ok(Points(i64_at(&ix, c, 0)?).to_string()) };
        let org_population = fig.index.clone().lazy().filter(col(c::ORG).eq(lit(org))).collect()?.height() as i64;

        // Index at the end of each month of the year so far.
        let jan = Period::new(fig.month.year(), 1).0;
        let monthly = self
            .base
            .facts_of(&[member])?
            .lazy()
            .filter(col(c::MONTH).gt_eq(lit(jan)).and(col(c::MONTH).lt_eq(lit(m))))
            .sort([c::MONTH], SortMultipleOptions::default())
            .collect()?;
        let mut acc = 0i64;
        let monthly_index = crate::read::i64s(&monthly, c::POINTS)?
            .into_iter()
            .map(|p| {
                acc += p;
                Points(acc).as_f64()
            })
            .collect();

        // Indicators: the member's own over 12 months, against the district at the month.
        let targets: Vec<i32> = (m - TREND_MONTHS + 1..=m).collect();
        let own = member_indicators(self.cat, self.base, &fig.index, &fig.member_lights, fig.month, &targets, Some(&[member]))?;
        let mut indicators = vec![];
        // Rows of `own` by target month, read column by column (one query per cell was most of
        // a profile's cost).
        let row_of: HashMap<i32, usize> = own.column(c::TARGET_MONTH)?.i32()?.iter().enumerate().filter_map(|(i, t)| t.map(|t| (t, i))).collect();
        for (ind, avg) in self.cat.of(Level::Member).zip(fig.member_averages(self.cat, self.base)?) {
            let values = crate::read::f64s(&own, &ind.id)?;
            let trend: Vec<Option<f64>> = targets.iter().map(|t| if *t < self.base.first.0 { None } else { row_of.get(t).and_then(|&i| values[i]) }).collect();
            let value = trend.last().copied().flatten();
            let light = value.map_or(Light::Green, |v| ind.light(v));
            indicators.push(IndicatorValue {
                id: ind.id.clone(),
                zh: ind.zh.clone(),
                en: ind.en.clone(),
                unit: ind.unit,
                direction: ind.direction.as_str().into(),
                value: value.map(|v| ind.format(v)),
                district_average: avg.map(|v| ind.format(v)),
                trend,
                light,
                finding: light != Light::Green || matches!((value, avg), (Some(v), Some(a)) if ind.worse_than(v, *a)),
            });
        }

        let trace_items = trace_items(trace, details)?;
        let joined = Date(i64_at(&mrow, c::JOINED_ON, 0)? as i32).to_string();
        let category = str_at(&mrow, c::CATEGORY, 0)?;
        Ok(MemberProfile {
            version: self.version,
            member_id: str_at(&mrow, c::MEMBER_ID, 0)?,
            name: str_at(&mrow, c::NAME, 0)?,
            org: self.tree.crumb(org),
            path: self.tree.path(org),
            category: domain::kinds::Category::parse(&category).map(|c| c.zh().to_string()).unwrap_or(category),
            joined_on: joined,
            year: fig.month.year(),
            month: fig.month.to_string(),
            available_months: self.available(),
            index: pts(c::INDEX)?,
            party_life: pts(c::PARTY_LIFE)?,
            duty: pts(c::DUTY)?,
            contribution: pts(c::CONTRIBUTION)?,
            morality: pts(c::MORALITY)?,
            district_rank: i64_at(&ix, c::DISTRICT_RANK, 0)?,
            district_population: fig.index.height() as i64,
            org_rank: i64_at(&ix, c::ORG_RANK, 0)?,
            org_population,
            monthly_index,
            dues_arrears: i64_at(&ml, c::DUES_ARREARS, 0)?,
            absence: i64_at(&ml, c::ABSENCE, 0)?,
            dues_light: light_str(i64_at(&ml, c::DUES_LIGHT, 0)?),
            absence_light: light_str(i64_at(&ml, c::ABSENCE_LIGHT, 0)?),
            light: light_str(i64_at(&ml, c::LIGHT, 0)?),
            indicators,
            trace: trace_items,
        })
    }
}

fn trace_items(trace: &DataFrame, details: &ActivityDetails) -> PolarsResult<Vec<TraceItem>> {
    Ok(trace_rows(trace, details)?.into_iter().map(|(_, item)| item).collect())
}

/// The items of [`crate::index::contributions_between`] (of any number of members) in words,
/// each with its member's surrogate id: by member, month and rule. What a profile's trace
/// and a member report's list of the month's points show.
pub fn trace_rows(trace: &DataFrame, details: &ActivityDetails) -> PolarsResult<Vec<(i64, TraceItem)>> {
    let t = trace.clone().lazy().sort([c::MEMBER, c::OCCURRED_MONTH, c::RULE], SortMultipleOptions::default().with_maintain_order(true)).collect()?;
    // Each column read once (a cell at a time would cast the whole column per cell).
    let col = |name: &str| crate::read::i64s(&t, name);
    let (members, rules, months, counts) = (col(c::MEMBER)?, col(c::RULE)?, col(c::OCCURRED_MONTH)?, col(c::COUNT)?);
    let (activities, periods, grades, ats, points) = (col(c::ACTIVITY)?, col(c::PERIOD)?, col(c::GRADE)?, col(c::OCCURRED_AT)?, col(c::POINTS)?);
    let mut out = Vec::with_capacity(t.height());
    for (i, member) in members.into_iter().enumerate() {
        let Some(rule) = EventKind::from_code(rules[i] as i16) else { continue };
        let period = Period(months[i] as i32);
        let month = period.to_string();
        let n = counts[i];
        let dimension = match rule {
            EventKind::Attend | EventKind::Dues => c::PARTY_LIFE,
            EventKind::ModelPost | EventKind::Study => c::DUTY,
            EventKind::Volunteer => c::CONTRIBUTION,
            _ => c::MORALITY,
        };
        let detail = match rule {
            EventKind::Attend => {
                let a = activities[i];
                match details.get(&a) {
                    Some((kind, title, held)) => {
                        format!("{} · {} {}", domain::kinds::ActivityKind::parse(kind).map(|k| k.zh()).unwrap_or(""), domain::Timestamp(*held).date(), title)
                    }
                    None => format!("活动 {a}"),
                }
            }
            EventKind::Dues => format!("{} 党费按时足额交纳（{n}笔）", Period(periods[i] as i32)),
            EventKind::Study => format!("{month} 学习{n}次"),
            EventKind::Evaluation => {
                format!("{}年度民主评议：{}", period.year(), grade_zh(grades[i]).unwrap_or(""))
            }
            EventKind::ModelPost => format!("{} 示范岗", domain::Timestamp(ats[i]).date()),
            EventKind::Volunteer => format!("{} 志愿服务", domain::Timestamp(ats[i]).date()),
            EventKind::Leave => String::new(),
        };
        out.push((
            member,
            TraceItem {
                rule: rule.as_str().into(),
                rule_zh: rule.zh().into(),
                dimension: dimension.into(),
                month,
                points: Points(points[i]).to_string(),
                events: n,
                detail,
            },
        ));
    }
    Ok(out)
}
