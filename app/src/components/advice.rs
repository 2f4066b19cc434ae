//! The advice matrix (党建诊疗): each weak indicator × the organisations it affects × the
//! prescription × the recommended resources from the library, ranked by the engine
//! (severity, then members touched); a row over a threshold carries its light's colour.

use domain::wire::{AdviceRow, WallSnapshot};
use leptos::prelude::*;

use super::pager::Pager;
use super::panel::Panel;
use super::{Shown, cell, list_of, org_name_of, slots};
use crate::format::{format_count, name_under, resource_kind_zh};
use crate::layout::Presentation;
use crate::urls::{org_href, use_keep};

/// Findings per page, on the wall and on the briefing screen.
pub const ADVICE_PER_PAGE: usize = 5;
pub const BRIEFING_ADVICE_PER_PAGE: usize = 1;
/// Organisations named per finding (the rest are counted).
pub const ORGS_NAMED: usize = 2;

#[component]
pub fn AdvicePanel(snap: Shown<WallSnapshot>, reset: Memo<String>) -> impl IntoView {
    let all = list_of(snap, |s| s.advice.clone());
    let total = Memo::new(move |_| all.with(Vec::len));
    let pager = Pager::new(total, Presentation::get().per_page(ADVICE_PER_PAGE, BRIEFING_ADVICE_PER_PAGE), reset);
    let rows: Memo<Vec<AdviceRow>> = pager.slice(all);
    let keep = use_keep();
    let parent = org_name_of(snap);
    let aside = pager.label();
    // The briefing's narrower head says it in fewer words, on one line.
    let head = Presentation::get().pick("涉及组织 · 处方建议 · 推荐资源", "涉及组织 · 处方 · 资源");
    view! {
        <Panel title="党建诊疗 · 建议矩阵" class="area-advice" testid="advice" aside>
            <div class="matrix-head" aria-hidden="true">
                <span>"薄弱指标"</span>
                <span>{move || head.get()}</span>
            </div>
            <ul class="matrix">
                <For each=slots(rows) key=|i| *i let:i>
                    <li class=move || format!("matrix-row {}", rows.with(|r| r.get(i).map(|a| a.light.as_str()).unwrap_or("green"))) data-testid="advice-row" data-indicator=cell(rows, i, |a| a.indicator_id.clone())>
                        <div class="matrix-indicator">
                            <div class="indicator-name">{cell(rows, i, |a| a.indicator_zh.clone())}</div>
                            <div class="indicator-count">
                                <span class="count">{cell(rows, i, |a| format_count(a.affected))}</span>
                                "个组织"
                            </div>
                            <div class="indicator-count">
                                <span class="count">{cell(rows, i, |a| format_count(a.members))}</span>
                                "名党员"
                            </div>
                        </div>
                        <div class="matrix-detail">
                            <div class="matrix-orgs">
                                {move || {
                                    let k = keep.get();
                                    let context = parent.get();
                                    rows.with(|r| r.get(i).map(|a| {
                                        let named = a.orgs.iter().take(ORGS_NAMED).map(|o| view! {
                                            <a class="org-chip" href=org_href(&o.org_id, false, &k) data-org-id=o.org_id.clone() title=o.name.clone()>
                                                {name_under(&o.name, &context)}
                                            </a>
                                        }).collect_view();
                                        let more = (a.affected as usize).saturating_sub(named_count(a));
                                        view! { {named} {(more > 0).then(|| view! { <span class="more">{format!("等{}个", format_count(a.affected))}</span> })} }
                                    }))
                                }}
                            </div>
                            <div class="matrix-prescription">{cell(rows, i, |a| a.prescription.clone())}</div>
                            <div class="matrix-resources">
                                {move || rows.with(|r| r.get(i).map(|a| a.resources.iter().map(|res| view! {
                                    <span class="resource" data-resource-id=res.resource_id.clone()>
                                        <span class="resource-kind">{resource_kind_zh(&res.kind)}</span>
                                        <span class="resource-title">{res.title.clone()}</span>
                                    </span>
                                }).collect_view()))}
                            </div>
                        </div>
                    </li>
                </For>
            </ul>
            {move || all.with(Vec::is_empty).then(|| view! { <p class="notice all-clear">"各项指标均达标"</p> })}
        </Panel>
    }
}

/// How many of the affected organisations are named on the row.
fn named_count(a: &AdviceRow) -> usize {
    a.orgs.len().min(ORGS_NAMED)
}
