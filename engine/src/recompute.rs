//! A full recompute: the index for a year and the lights and subtree counts for a month,
//! all materialised — what a data change costs before the wall can show it.

use crate::dataset::Dataset;
use crate::rules::Rules;
use crate::{index, lights};
use domain::Period;
use polars::prelude::*;

#[derive(Debug, Clone)]
pub struct Figures {
    pub year: i32,
    pub month: Period,
    /// See [`index::index_frame`].
    pub index: DataFrame,
    /// See [`lights::member_lights_lazy`].
    pub member_lights: DataFrame,
    /// See [`lights::branch_lights_lazy`].
    pub branch_lights: DataFrame,
    /// See [`lights::subtree_counts_lazy`].
    pub subtree: DataFrame,
}

pub fn recompute(ds: &Dataset, rules: &Rules, year: i32, month: Period) -> PolarsResult<Figures> {
    let t = std::time::Instant::now();
    let index = index::index_frame(ds, rules, year)?;
    let t_index = t.elapsed();
    let member_lights = lights::member_lights_frame(ds, rules, month)?;
    let t_members = t.elapsed();
    let branch_lights = lights::branch_lights_lazy(ds, rules, month, member_lights.clone().lazy()).collect()?;
    let subtree = lights::subtree_counts_lazy(ds, member_lights.clone().lazy(), branch_lights.clone().lazy())?.collect()?;
    tracing::debug!(index = ?t_index, member_lights = ?(t_members - t_index), branches_and_subtree = ?(t.elapsed() - t_members), "recompute");
    Ok(Figures { year, month, index, member_lights, branch_lights, subtree })
}
