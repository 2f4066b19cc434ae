//! The API's answers besides the snapshot and the profile ([`crate::snapshot`]): rankings,
//! lights, indicators, findings and organisation entries, built from a month's figures as
//! `domain::wire` types.
//!
//! The server only routes, decides the caller's scope and maps errors: every frame is read
//! here, through [`crate::schema`] and [`crate::read`], so a missing column is an error and
//! never a zero in an answer.

use crate::catalogue::Level;
use crate::month::light_str;
use crate::read::{f64s, i64s, strs};
use crate::schema as c;
use crate::snapshot::{Ctx, OrgTree, recommend};
use domain::Points;
use domain::wire::{BranchLight, Finding, LibraryItem, MemberLight, OrgEntry, OrgIndicator, RankingRow, Rankings};
use polars::prelude::*;

/// At most this many rows in one page of the rankings.
pub const MAX_PAGE: usize = 1000;

/// Filter on the organisations of `org`'s subtree (column [`c::ORG`]).
fn in_subtree(tree: &OrgTree, org: i64) -> Expr {
    let ids = Series::new("ids".into(), tree.subtree(org));
    col(c::ORG).is_in(lit(ids).implode(false), false)
}

fn org_id(tree: &OrgTree, org: i64) -> PolarsResult<&str> {
    tree.by_id.get(&org).map(|i| i.org_id.as_str()).ok_or_else(|| polars_err!(ComputeError: "organisation {org} is not in the tree"))
}

impl OrgTree {
    /// An organisation with its subtree sizes; `None` for an id not in the tree.
    pub fn entry(&self, id: i64) -> Option<OrgEntry> {
        let i = self.by_id.get(&id)?;
        Some(OrgEntry {
            org_id: i.org_id.clone(),
            name: i.name.clone(),
            kind: i.kind.as_str().into(),
            kind_zh: i.kind.zh().into(),
            parent_id: i.parent.and_then(|p| self.by_id.get(&p)).map(|p| p.org_id.clone()),
            members: self.subtree_members.get(&id).copied().unwrap_or(0),
            grassroots: self.subtree_grassroots.get(&id).copied().unwrap_or(0),
            children: self.children.get(&id).map_or(0, |c| c.len() as i64),
        })
    }

    /// The entries of `org`'s direct children, in `org_id` order.
    pub fn children_entries(&self, org: i64) -> Vec<OrgEntry> {
        self.children.get(&org).map(|c| c.iter().filter_map(|c| self.entry(*c)).collect()).unwrap_or_default()
    }
}

impl Ctx<'_> {
    /// The Vanguard Index so far this year within `org`'s subtree, by district rank:
    /// `limit` rows (at most [`MAX_PAGE`]) from `offset`.
    pub fn rankings(&self, org: i64, offset: usize, limit: usize) -> PolarsResult<Rankings> {
        let names = self.ds.members.clone().lazy().select([col(c::ID).alias(c::MEMBER), col(c::NAME)]);
        let all = self.fig.index.clone().lazy().filter(in_subtree(self.tree, org));
        let total = all.clone().select([len().cast(DataType::Int64).alias(c::COUNT)]).collect()?;
        let page = all
            .slice(offset.min(i64::MAX as usize) as i64, limit.min(MAX_PAGE) as u32)
            .join(names, [col(c::MEMBER)], [col(c::MEMBER)], JoinArgs::new(JoinType::Left))
            .collect()?;
        let points = |name: &str| -> PolarsResult<Vec<String>> { Ok(i64s(&page, name)?.into_iter().map(|v| Points(v).to_string()).collect()) };
        let (district_rank, org_rank) = (i64s(&page, c::DISTRICT_RANK)?, i64s(&page, c::ORG_RANK)?);
        let (member_id, name, org_ids) = (strs(&page, c::MEMBER_ID)?, strs(&page, c::NAME)?, strs(&page, c::ORG_ID)?);
        let (index, party_life, duty, contribution, morality) =
            (points(c::INDEX)?, points(c::PARTY_LIFE)?, points(c::DUTY)?, points(c::CONTRIBUTION)?, points(c::MORALITY)?);
        let rows = (0..page.height())
            .map(|i| RankingRow {
                district_rank: district_rank[i],
                org_rank: org_rank[i],
                member_id: member_id[i].clone(),
                name: name[i].clone(),
                org_id: org_ids[i].clone(),
                index: index[i].clone(),
                party_life: party_life[i].clone(),
                duty: duty[i].clone(),
                contribution: contribution[i].clone(),
                morality: morality[i].clone(),
            })
            .collect();
        Ok(Rankings { month: self.fig.month.to_string(), org_id: org_id(self.tree, org)?.to_string(), total: crate::read::i64_at(&total, c::COUNT, 0)?, rows })
    }

    /// Member lights of §5 within `org`'s subtree, by `member_id`: red and yellow only unless
    /// `all`.
    pub fn member_lights(&self, org: i64, all: bool) -> PolarsResult<Vec<MemberLight>> {
        let mut keep = in_subtree(self.tree, org);
        if !all {
            keep = keep.and(col(c::LIGHT).gt(lit(0i64)));
        }
        let df = self.fig.member_lights.clone().lazy().filter(keep).collect()?;
        let (member_id, org_ids) = (strs(&df, c::MEMBER_ID)?, strs(&df, c::ORG_ID)?);
        let (arrears, absence) = (i64s(&df, c::DUES_ARREARS)?, i64s(&df, c::ABSENCE)?);
        let (dues_light, absence_light, light) = (i64s(&df, c::DUES_LIGHT)?, i64s(&df, c::ABSENCE_LIGHT)?, i64s(&df, c::LIGHT)?);
        Ok((0..df.height())
            .map(|i| MemberLight {
                member_id: member_id[i].clone(),
                org_id: org_ids[i].clone(),
                dues_arrears: arrears[i],
                absence: absence[i],
                dues_light: light_str(dues_light[i]),
                absence_light: light_str(absence_light[i]),
                light: light_str(light[i]),
            })
            .collect())
    }

    /// Branch lights of §5 within `org`'s subtree, by `org_id`.
    pub fn branch_lights(&self, org: i64) -> PolarsResult<Vec<BranchLight>> {
        let df = self.fig.branch_lights.clone().lazy().filter(in_subtree(self.tree, org)).collect()?;
        let org_ids = strs(&df, c::ORG_ID)?;
        let (members, red, yellow, green) = (i64s(&df, c::MEMBERS)?, i64s(&df, c::RED_MEMBERS)?, i64s(&df, c::YELLOW_MEMBERS)?, i64s(&df, c::GREEN_MEMBERS)?);
        let (gap, gap_light, share_light, light) = (i64s(&df, c::ORG_LIFE_GAP)?, i64s(&df, c::GAP_LIGHT)?, i64s(&df, c::SHARE_LIGHT)?, i64s(&df, c::LIGHT)?);
        Ok((0..df.height())
            .map(|i| BranchLight {
                org_id: org_ids[i].clone(),
                members: members[i],
                red_members: red[i],
                yellow_members: yellow[i],
                green_members: green[i],
                org_life_gap: gap[i],
                gap_light: light_str(gap_light[i]),
                share_light: light_str(share_light[i]),
                light: light_str(light[i]),
            })
            .collect())
    }

    /// Every branch indicator of `org` (on its subtree's facts) with the district average
    /// and the 12-month trend.
    pub fn org_indicators(&self, org: i64) -> PolarsResult<Vec<OrgIndicator>> {
        self.indicator_rows(&self.fig.org_indicators(self.cat, &[org])?)
    }

    /// [`Ctx::org_indicators`] from the rows of one organisation of
    /// [`crate::month::MonthFigures::org_indicators`] (its 12 trend months, oldest first).
    pub fn indicator_rows(&self, rows: &DataFrame) -> PolarsResult<Vec<OrgIndicator>> {
        let mut out = vec![];
        for (ind, average) in self.cat.of(Level::Branch).zip(&self.fig.branch_averages) {
            let trend = f64s(rows, &ind.id)?;
            let value = trend.last().copied().flatten();
            out.push(OrgIndicator {
                id: ind.id.clone(),
                zh: ind.zh.clone(),
                unit: ind.unit,
                direction: ind.direction.as_str().into(),
                value,
                text: value.map(|v| ind.format(v)),
                district_average: *average,
                trend,
                light: value.map_or(crate::Light::Green, |v| ind.light(v)),
            });
        }
        Ok(out)
    }

    /// The whole resource library (§6) for organisation `org`, by `resource_id`: each with its
    /// tags and the organisation's latest use (what the workbench browses by kind and tag).
    pub fn library(&self, org: i64) -> PolarsResult<Vec<LibraryItem>> {
        let uses = &self.extras.resource_uses;
        let (uo, ur, ud) = (uses.column(c::ORG)?.i64()?, uses.column(c::RESOURCE_ID)?.str()?, uses.column(c::USED_ON)?.i32()?);
        let mut last: std::collections::HashMap<&str, i32> = std::collections::HashMap::new();
        for i in 0..uses.height() {
            if let (Some(o), Some(r), Some(d)) = (uo.get(i), ur.get(i), ud.get(i))
                && o == org
            {
                let e = last.entry(r).or_insert(d);
                *e = (*e).max(d);
            }
        }
        let r = &self.extras.resources;
        let (ids, kinds, titles, tags) = (strs(r, c::RESOURCE_ID)?, strs(r, c::KIND)?, strs(r, c::TITLE)?, strs(r, c::TAGS)?);
        let mut out: Vec<LibraryItem> = (0..r.height())
            .map(|i| LibraryItem {
                last_used: last.get(ids[i].as_str()).map(|d| domain::Date(*d).to_string()),
                resource_id: ids[i].clone(),
                kind: kinds[i].clone(),
                title: titles[i].clone(),
                tags: tags[i].split(';').map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect(),
            })
            .collect();
        out.sort_by(|a, b| a.resource_id.as_bytes().cmp(b.resource_id.as_bytes()));
        Ok(out)
    }

    /// The findings of the diagnosis (§6, by the catalogue's rule) for the branches of
    /// `org`'s subtree, by organisation and then worst first (red, yellow, the rest; more
    /// bases first): each with its evidence, prescription and up to three resources the
    /// branch has not used in 12 months.
    pub fn findings(&self, org: i64) -> PolarsResult<Vec<Finding>> {
        let df = self
            .fig
            .findings
            .clone()
            .lazy()
            .filter(in_subtree(self.tree, org))
            .sort_by_exprs([col(c::ORG), col(c::INDICATOR)], SortMultipleOptions::default())
            .collect()?;
        let indicators: Vec<_> = self.cat.of(Level::Branch).collect();
        let (orgs, positions, lights) = (i64s(&df, c::ORG)?, i64s(&df, c::INDICATOR)?, i64s(&df, c::LIGHT)?);
        let (values, averages) = (f64s(&df, c::VALUE)?, f64s(&df, c::AVERAGE)?);
        let (bases, ranks, ranked, members) = (i64s(&df, c::BASIS)?, i64s(&df, c::BAD_RANK)?, i64s(&df, c::RANKED)?, i64s(&df, c::MEMBERS)?);
        let evidence = strs(&df, c::EVIDENCE)?;
        let mut out = Vec::with_capacity(df.height());
        for i in 0..df.height() {
            let ind = indicators
                .get(positions[i] as usize)
                .ok_or_else(|| polars_err!(ComputeError: "finding of indicator {} outside the catalogue", positions[i]))?;
            let info = self.tree.by_id.get(&orgs[i]).ok_or_else(|| polars_err!(ComputeError: "finding of organisation {} outside the tree", orgs[i]))?;
            out.push(Finding {
                org_id: info.org_id.clone(),
                org_name: info.name.clone(),
                indicator_id: ind.id.clone(),
                indicator_zh: ind.zh.clone(),
                value: values[i].unwrap_or(f64::NAN),
                text: values[i].map(|v| ind.format(v)).unwrap_or_default(),
                district_average: averages[i],
                light: light_str(lights[i]),
                bases: crate::catalogue::Basis::of_mask(bases[i]).map(|b| b.as_str().to_string()).collect(),
                evidence: evidence[i].clone(),
                bad_rank: ranks[i],
                ranked: ranked[i],
                members: members[i],
                prescription: ind.prescription.clone(),
                resources: recommend(self.extras, &ind.tags, orgs[i], self.fig.month)?,
            });
        }
        // Within each organisation (stable: organisations stay in their order): red, yellow,
        // then the rest; more bases first; then catalogue order.
        let mut keyed: Vec<_> = out.into_iter().zip(orgs.iter().copied()).collect();
        keyed.sort_by_key(|(f, o)| (*o, std::cmp::Reverse(f.light as i64), std::cmp::Reverse(f.bases.len())));
        Ok(keyed.into_iter().map(|(f, _)| f).collect())
    }
}
