//! The live warning feed (实时预警, docs/RULES.md §11): the stored warnings of the subtree at
//! the month in view — their light, state and age, overdue ones marked red — paged by
//! itself; an entry opens the member or branch it is about.
//!
//! It reads the warnings from the store ([`wall_warnings`]), not from the lights: a warning
//! is a fact with a state that people change. A change of a warning is published as a new
//! data version, so this feed (like every panel) follows it in place.

use domain::wire::{WallSnapshot, WarningPage, WarningView};
use leptos::prelude::*;

use super::pager::Pager;
use super::panel::Panel;
use super::{Shown, cell, list_of, org_name_of, slots};
use crate::errors::AppError;
use crate::format::{format_count, name_under};
use crate::functions::wall::wall_warnings;
use crate::layout::Presentation;
use crate::live::Feed;
use crate::pages::live_view;
use crate::urls::{Keep, member_href, org_href, use_keep};

/// Entries per page, on the wall and on the briefing screen.
pub const WARNINGS_PER_PAGE: usize = 8;
pub const BRIEFING_WARNINGS_PER_PAGE: usize = 3;

/// Where a warning leads: the member, or the branch.
pub fn warning_href(w: &WarningView, keep: &Keep) -> String {
    if w.subject_kind == "member" { member_href(&w.subject_id, keep) } else { org_href(&w.subject_id, false, keep) }
}

/// The state as the feed prints it: overdue ones with their age.
pub fn state_label(w: &WarningView) -> String {
    if w.overdue { format!("超期{}天", w.age_days) } else { w.state_zh.clone() }
}

type Key = (Option<String>, Option<String>);

async fn fetch((org, month): Key) -> Result<WarningPage, AppError> {
    wall_warnings(org, month).await
}

#[component]
pub fn WarningsPanel(snap: Shown<WallSnapshot>, reset: Memo<String>) -> impl IntoView {
    // The organisation and month in view (those of the snapshot shown).
    let key: Memo<Key> = Memo::new(move |_| snap.with(|s| s.as_deref().map(|s| (Some(s.org.org_id.clone()), Some(s.month.clone()))).unwrap_or_default()));
    let parent = org_name_of(snap);
    let per_page = Presentation::get().per_page(WARNINGS_PER_PAGE, BRIEFING_WARNINGS_PER_PAGE);
    // The title bar's counts, from the feed once it exists.
    let counts: RwSignal<Option<(Feed<WarningPage>, Pager)>> = RwSignal::new(None);
    // The briefing's narrower title bar: the active and overdue counts and the bare page
    // (`1/63`), without the total.
    let briefing = Presentation::get().pick(false, true);
    let aside = Signal::derive(move || {
        let Some((feed, pager)) = counts.get() else { return String::new() };
        feed.data
            .with(|p| {
                p.as_deref().map(|p| {
                    if briefing.get() {
                        let page = pager.short_text();
                        if page.is_empty() {
                            format!("待处理 {} · 超期 {}", p.active, p.overdue)
                        } else {
                            format!("待处理 {} · 超期 {} · {page}", p.active, p.overdue)
                        }
                    } else {
                        format!("待处理 {} · 超期 {} · 共 {}  {}", p.active, p.overdue, format_count(p.total), pager.label_text())
                    }
                })
            })
            .unwrap_or_default()
    });
    view! {
        <Panel title="实时预警" class="area-warnings" testid="warnings" aside>
            {live_view(key, fetch, |p: &WarningPage| p.version, move |feed| {
                let shown: Shown<WarningPage> = feed.data.into();
                let all = list_of(shown, |p| p.rows.clone());
                let total = Memo::new(move |_| all.with(Vec::len));
                let pager = Pager::new(total, per_page, reset);
                counts.set(Some((feed, pager)));
                let rows = pager.slice(all);
                view! { <WarningRows rows parent /> }
            })}
        </Panel>
    }
}

#[component]
fn WarningRows(rows: Memo<Vec<WarningView>>, parent: Signal<String>) -> impl IntoView {
    let keep = use_keep();
    view! {
        <ul class="feed">
            <For each=slots(rows) key=|i| *i let:i>
                <li
                    class=cell(rows, i, |w| format!("feed-item {}{}", w.light, if w.overdue { " overdue" } else { "" }))
                    data-testid="warning-row"
                    data-subject=cell(rows, i, |w| w.subject_kind.clone())
                    data-subject-id=cell(rows, i, |w| w.subject_id.clone())
                    data-warning-id=cell(rows, i, |w| w.warning_id.to_string())
                    data-state=cell(rows, i, |w| w.state.clone())
                >
                    <a href=move || rows.with(|r| r.get(i).map(|w| keep.with(|k| warning_href(w, k)))).unwrap_or_default()>
                        <div class="feed-line">
                            <span class=cell(rows, i, |w| format!("light-tag {}", w.light))>{cell(rows, i, |w| w.light.zh())}</span>
                            <span class="feed-subject">{cell(rows, i, |w| w.subject_name.clone())}</span>
                            <span class="feed-org">
                                {move || parent.with(|p| rows.with(|r| r.get(i).map(|w| if w.subject_kind == "member" { name_under(&w.org_name, p) } else { "基层组织".to_string() }))).unwrap_or_default()}
                            </span>
                            <span class=cell(rows, i, |w| format!("feed-state {}", if w.overdue { "overdue" } else { w.state.as_str() }))>
                                {cell(rows, i, state_label)}
                            </span>
                        </div>
                        <div class="feed-reason">{cell(rows, i, |w| w.reason_zh.clone())}</div>
                    </a>
                </li>
            </For>
        </ul>
        {move || rows.with(Vec::is_empty).then(|| view! { <p class="notice all-clear">"当前无预警"</p> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_ones_say_for_how_long() {
        let mut w = WarningView {
            warning_id: 1,
            month: "2024-05".into(),
            subject_kind: "member".into(),
            subject_id: "M1".into(),
            subject_name: "张三".into(),
            org_id: "B1".into(),
            org_name: "第一支部".into(),
            reason: "dues".into(),
            reason_zh: "连续3个月未缴纳党费".into(),
            advice: "您已亮起红灯，请及时缴纳党费".into(),
            light: domain::Light::Red,
            state: "open".into(),
            state_zh: "待处理".into(),
            raised_at: "2024-06-01T00:00:00".into(),
            escalated_at: None,
            acked_by: None,
            acked_at: None,
            resolved_by: None,
            resolved_at: None,
            note: None,
            cleared_at: None,
            age_days: 9,
            overdue: true,
        };
        assert_eq!(state_label(&w), "超期9天");
        w.overdue = false;
        assert_eq!(state_label(&w), "待处理");
        assert_eq!(warning_href(&w, &Keep::default()), member_href("M1", &Keep::default()));
    }
}
