//! The live warning feed: the red and yellow lights on in the subtree, worst first, paged
//! by itself; an entry opens the member or branch it is about.

use domain::wire::{WallSnapshot, Warning};
use leptos::prelude::*;

use super::pager::Pager;
use super::panel::Panel;
use super::{Shown, cell, list_of, org_name_of, slots};
use crate::format::{format_count, month_zh, name_under};
use crate::urls::{member_href, org_href, use_link_month};

/// Entries per page.
pub const WARNINGS_PER_PAGE: usize = 8;

/// Where a warning leads: the member, or the branch.
pub fn warning_href(w: &Warning, month: Option<&str>) -> String {
    if w.subject == "member" { member_href(&w.subject_id, month) } else { org_href(&w.subject_id, false, month) }
}

#[component]
pub fn WarningsPanel(snap: Shown<WallSnapshot>, reset: Memo<String>) -> impl IntoView {
    let all = list_of(snap, |s| s.warnings.clone());
    let total = Memo::new(move |_| all.with(Vec::len));
    let pager = Pager::new(total, WARNINGS_PER_PAGE, reset);
    let rows = pager.slice(all, WARNINGS_PER_PAGE);
    let month = use_link_month();
    let parent = org_name_of(snap);
    let page = pager.label();
    let aside = Signal::derive(move || format!("共 {} 条  {}", format_count(total.get() as i64), page.get()));
    view! {
        <Panel title="实时预警" class="area-warnings" testid="warnings" aside>
            <ul class="feed">
                <For each=slots(rows) key=|i| *i let:i>
                    <li
                        class=cell(rows, i, |w| format!("feed-item {}", w.light))
                        data-testid="warning-row"
                        data-subject=cell(rows, i, |w| w.subject.clone())
                        data-subject-id=cell(rows, i, |w| w.subject_id.clone())
                    >
                        <a href=move || rows.with(|r| r.get(i).map(|w| warning_href(w, month.get().as_deref()))).unwrap_or_default()>
                            <div class="feed-line">
                                <span class=cell(rows, i, |w| format!("light-tag {}", w.light))>{cell(rows, i, |w| w.light.zh())}</span>
                                <span class="feed-subject">{cell(rows, i, |w| w.subject_name.clone())}</span>
                                <span class="feed-org">
                                    {move || parent.with(|p| rows.with(|r| r.get(i).map(|w| if w.subject == "member" { name_under(&w.org_name, p) } else { "基层组织".to_string() }))).unwrap_or_default()}
                                </span>
                                <span class="feed-since">{cell(rows, i, |w| format!("自{}起", month_zh(&w.since)))}</span>
                            </div>
                            <div class="feed-reason">{cell(rows, i, |w| w.reason.clone())}</div>
                        </a>
                    </li>
                </For>
            </ul>
            {move || all.with(Vec::is_empty).then(|| view! { <p class="notice all-clear">"当前无预警"</p> })}
        </Panel>
    }
}
