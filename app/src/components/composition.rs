//! Compositions of the subtree's members as donuts: categories, lights and evaluation
//! grades, each with a legend of names and counts. Each slice (and its legend entry) filters
//! the view's lists to its members ([`crate::filter`]).

use domain::wire::{Slice, WallSnapshot};
use leptos::prelude::*;

use super::charts::Chart;
use super::charts::pie::{PieData, PieSlice};
use super::charts::theme;
use super::panel::Panel;
use super::{Shown, cell, list_of, slots, version_of};
use crate::filter::{Pie, toggle_href, use_pie_filter};
use crate::format::{format_count, format_figure, share};
use crate::layout::Presentation;
use crate::urls::{use_here, use_open};

/// Each donut's canvas on the wall (one of three rows of the panel, the legend beside it).
pub const PIE_SIZE: u32 = 236;
/// On the briefing screen the categories' donut (six slices, the longest legend) is larger
/// than the lights' and the grades'.
pub const BRIEFING_PIE_SIZES: [u32; 3] = [220, 170, 170];

/// `name` without the `strip` ending, unless nothing would be left.
fn short_name(name: &str, strip: &str) -> String {
    match name.strip_suffix(strip) {
        Some(short) if !strip.is_empty() && !short.is_empty() => short.to_string(),
        _ => name.to_string(),
    }
}

#[component]
fn Donut(
    name: &'static str,
    title: &'static str,
    caption: &'static str,
    /// Dropped from the end of slice names the title already says (`党员类别`: 在职党员 → 在职).
    #[prop(optional)]
    strip: &'static str,
    slices: Memo<Vec<Slice>>,
    version: Signal<Option<u64>>,
    /// Side of the canvas on the briefing screen.
    briefing: u32,
    /// The pie a click on a slice or its legend entry filters the view's lists by.
    pie: Pie,
) -> impl IntoView {
    let size = Presentation::get().pick((PIE_SIZE, PIE_SIZE), (briefing, briefing));
    let here = use_here();
    let current = use_pie_filter();
    let href = move |key: &str| here.with(|(path, pairs)| toggle_href(path, pairs, current.get(), pie, key));
    let key_at = move |i: usize| slices.with(|s| s.get(i).map(|s| s.key.clone())).unwrap_or_default();
    let data = Signal::derive(move || PieData {
        slices: slices
            .with(|s| s.iter().enumerate().map(|(i, s)| PieSlice { key: s.key.clone(), value: s.value as f64, color: theme::slice(&s.key, i) }).collect()),
        caption: caption.to_string(),
    });
    let open = use_open();
    let pick = Callback::new(move |key: String| open.run(here.with_untracked(|(path, pairs)| toggle_href(path, pairs, current.get_untracked(), pie, &key))));
    let chart = view! { <Chart name label=title size data version on_pick=pick /> };
    view! {
        <div class="donut" data-testid=format!("pie-{name}")>
            {chart}
            <div class="donut-side">
            <div class="donut-title">{title}</div>
            <ul class="legend">
                <For each=slots(slices) key=|i| *i let:i>
                    <li
                        class="legend-item"
                        class:on=move || current.get().is_some_and(|f| f.pie() == pie && f.key() == key_at(i))
                        data-testid="legend-item"
                        data-key=cell(slices, i, |s| s.key.clone())
                    >
                        <a class="legend-link" href=move || href(&key_at(i))>
                            <span class="chip" style=cell(slices, i, move |s| format!("background:{}", theme::slice(&s.key, i).css()))></span>
                            <span class="legend-name">{cell(slices, i, move |s| short_name(&s.zh, strip))}</span>
                            <span class="legend-value">{cell(slices, i, |s| format_count(s.value))}</span>
                            <span class="legend-share">{move || slices.with(|s| s.get(i).map(|x| format!("{}%", format_figure(share(x.value, s.iter().map(|s| s.value.max(0)).sum()))))).unwrap_or_default()}</span>
                        </a>
                    </li>
                </For>
            </ul>
            </div>
        </div>
    }
}

#[component]
pub fn CompositionPanel(snap: Shown<WallSnapshot>) -> impl IntoView {
    let version = version_of(snap, |s| s.version);
    view! {
        <Panel title="党员结构" class="area-pies" testid="composition">
            <div class="donuts">
                <Donut name="categories" title="党员类别" caption="党员" strip="党员" slices=list_of(snap, |s| s.categories.clone()) version briefing=BRIEFING_PIE_SIZES[0] pie=Pie::Categories />
                <Donut name="member-lights" title="党员红黄绿灯" caption="党员" slices=list_of(snap, |s| s.member_lights.clone()) version briefing=BRIEFING_PIE_SIZES[1] pie=Pie::Lights />
                <Donut name="grades" title="民主评议等次" caption="人次" slices=list_of(snap, |s| s.grades.clone()) version briefing=BRIEFING_PIE_SIZES[2] pie=Pie::Grades />
            </div>
        </Panel>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_names() {
        assert_eq!(super::short_name("离退休党员", "党员"), "离退休");
        assert_eq!(super::short_name("党员", "党员"), "党员");
        assert_eq!(super::short_name("优秀", ""), "优秀");
    }
}
