//! The 12-month trends of the organisation in view: organisation-life activities held,
//! attendance rate, dues collection rate and mean Vanguard Index, one line chart each.

use domain::Unit;
use domain::wire::WallSnapshot;
use leptos::prelude::*;

use super::charts::Chart;
use super::charts::line::LineData;
use super::charts::theme::{self, Rgb};
use super::panel::Panel;
use super::{Shown, version_of};
use crate::format::{format_in_unit, month_tick};
use crate::layout::Presentation;

/// Size of each of the four charts (a 2 × 2 grid in the panel), on the wall and on the
/// briefing screen.
pub const TREND_SIZE: (u32, u32) = (1124, 256);
pub const BRIEFING_TREND_SIZE: (u32, u32) = (532, 172);

/// Chart names and colours by position (the snapshot's order of the four series).
const SLOTS: [(&str, Rgb); 4] = [("trend-1", theme::GOLD), ("trend-2", theme::CYAN), ("trend-3", theme::GREEN), ("trend-4", theme::ORANGE)];

#[component]
pub fn TrendsPanel(snap: Shown<WallSnapshot>) -> impl IntoView {
    let version = version_of(snap, |s| s.version);
    let size = Presentation::get().pick(TREND_SIZE, BRIEFING_TREND_SIZE);
    let cells = SLOTS
        .iter()
        .enumerate()
        .map(|(i, &(name, color))| {
            let series = Memo::new(move |_| snap.with(|s| s.as_deref().and_then(|s| s.trends.get(i).cloned())));
            let ticks = Memo::new(move |_| snap.with(|s| s.as_deref().map(|s| s.months.iter().map(|m| month_tick(m)).collect::<Vec<_>>()).unwrap_or_default()));
            let data = Signal::derive(move || {
                let (values, unit) = series.with(|s| s.as_ref().map_or((Vec::new(), Unit::Count), |s| (s.values.clone(), s.unit)));
                LineData { ticks: ticks.get(), keys: Vec::new(), values, unit, color, selected: None }
            });
            let title = move || series.with(|s| s.as_ref().map(|s| s.zh.clone()).unwrap_or_default());
            let latest = move || series.with(|s| s.as_ref().map(|s| format_in_unit(s.values.iter().rev().find_map(|v| *v), s.unit)).unwrap_or_default());
            view! {
                <div class="trend" data-testid=format!("trend-{}", i + 1)>
                    <div class="trend-head">
                        <span class="trend-name" style=format!("--accent:{}", color.css())>{title}</span>
                        <span class="trend-latest" style=format!("color:{}", color.css())>{latest}</span>
                    </div>
                    <Chart name label="近12个月趋势" size data version />
                </div>
            }
        })
        .collect_view();
    view! {
        <Panel title="近12个月趋势" class="area-trends" testid="trends">
            <div class="trend-grid">{cells}</div>
        </Panel>
    }
}
