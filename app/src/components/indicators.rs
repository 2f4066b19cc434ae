//! The member's indicators at the month against the district average, in two columns;
//! findings (worse than average or over a threshold) stand out.

use domain::Unit;
use domain::wire::{IndicatorValue, MemberProfile};
use leptos::prelude::*;

use super::panel::Panel;
use super::{Shown, cell, list_of, slots};

/// Rows per column; two columns hold the whole catalogue of member indicators.
pub const ROWS_PER_COLUMN: usize = 17;

/// An exact figure with its unit, `—` where it is not defined.
fn with_unit(v: &Option<String>, unit: Unit) -> String {
    match v {
        Some(v) => format!("{v}{}", unit.suffix()),
        None => "—".to_string(),
    }
}

#[component]
fn IndicatorColumn(rows: Memo<Vec<IndicatorValue>>) -> impl IntoView {
    view! {
        <table class="table indicators">
            <thead>
                <tr>
                    <th>"指标"</th>
                    <th class="num">"本人"</th>
                    <th class="num">"全区平均"</th>
                    <th class="col-light">"状态"</th>
                </tr>
            </thead>
            <tbody>
                <For each=slots(rows) key=|i| *i let:i>
                    <tr data-testid="indicator-row" data-indicator=cell(rows, i, |r| r.id.clone()) class:finding=cell(rows, i, |r| r.finding)>
                        <td class="ellipsis" title=cell(rows, i, |r| r.en.clone())>{cell(rows, i, |r| r.zh.clone())}</td>
                        <td class="num value">{cell(rows, i, |r| with_unit(&r.value, r.unit))}</td>
                        <td class="num muted">{cell(rows, i, |r| with_unit(&r.district_average, r.unit))}</td>
                        <td class="col-light">
                            <span class=cell(rows, i, |r| format!("light-tag {}", r.light))>{cell(rows, i, |r| r.light.zh())}</span>
                        </td>
                    </tr>
                </For>
            </tbody>
        </table>
    }
}

#[component]
pub fn IndicatorsPanel(profile: Shown<MemberProfile>) -> impl IntoView {
    let left = list_of(profile, |p| p.indicators.iter().take(ROWS_PER_COLUMN).cloned().collect());
    let right = list_of(profile, |p| p.indicators.iter().skip(ROWS_PER_COLUMN).take(ROWS_PER_COLUMN).cloned().collect());
    let findings = Signal::derive(move || {
        profile.with(|p| p.as_deref().map(|p| format!("待改进 {} 项", p.indicators.iter().filter(|i| i.finding).count())).unwrap_or_default())
    });
    view! {
        <Panel title="党员指标" class="area-indicators" testid="member-indicators" aside=findings>
            <div class="indicator-columns">
                <IndicatorColumn rows=left />
                <IndicatorColumn rows=right />
            </div>
        </Panel>
    }
}
