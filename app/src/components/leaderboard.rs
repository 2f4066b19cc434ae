//! The Vanguard Index leaderboard: the best members of the subtree, with their rank in
//! the organisation in view and in the district. A row opens the member.

use domain::wire::{LeaderRow, WallSnapshot};
use leptos::prelude::*;

use super::kpi::index_text;
use super::panel::Panel;
use super::{Shown, cell, org_name_of, slots};
use crate::format::name_under;
use crate::layout::Presentation;
use crate::urls::{member_href, on_link, use_keep, use_open};

/// Rows the panel has room for, on the wall and on the briefing screen (all the snapshot
/// holds when printing).
pub const LEADERS_SHOWN: usize = 10;
pub const BRIEFING_LEADERS_SHOWN: usize = 8;

#[component]
pub fn LeaderboardPanel(snap: Shown<WallSnapshot>) -> impl IntoView {
    let shown = Presentation::get().per_page(LEADERS_SHOWN, BRIEFING_LEADERS_SHOWN);
    let rows: Memo<Vec<LeaderRow>> = Memo::new(move |_| {
        let n = shown.get();
        snap.with(|s| s.as_deref().map(|s| s.leaderboard.iter().take(n).cloned().collect()).unwrap_or_default())
    });
    let keep = use_keep();
    let href = move |i: usize| {
        let id = rows.with(|r| r.get(i).map(|r| r.member_id.clone())).unwrap_or_default();
        keep.with(|k| member_href(&id, k))
    };
    let open = use_open();
    let parent = org_name_of(snap);
    view! {
        <Panel title="锋领指数排行榜" class="area-leaders" testid="leaderboard">
            <table class="table leaders">
                <thead>
                    <tr>
                        <th class="col-rank">"排名"</th>
                        <th>"姓名"</th>
                        <th>"所在组织"</th>
                        <th class="num">"锋领指数"</th>
                        <th class="num">"全区排名"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=slots(rows) key=|i| *i let:i>
                        <tr
                            class="clickable"
                            data-testid="leaderboard-row"
                            data-member-id=cell(rows, i, |r| r.member_id.clone())
                            on:click=move |ev| if !on_link(&ev) { open.run(href(i)) }
                        >
                            <td class="col-rank">
                                <span class=cell(rows, i, |r| format!("rank rank-{}", r.rank.min(4)))>{cell(rows, i, |r| r.rank)}</span>
                            </td>
                            <td class="name">
                                <a href=move || href(i)>{cell(rows, i, |r| r.name.clone())}</a>
                            </td>
                            <td class="muted ellipsis" title=cell(rows, i, |r| r.org_name.clone())>
                                {move || parent.with(|p| rows.with(|r| r.get(i).map(|r| name_under(&r.org_name, p)))).unwrap_or_default()}
                            </td>
                            <td class="num gold">{cell(rows, i, |r| index_text(&r.index))}</td>
                            <td class="num">{cell(rows, i, |r| r.district_rank)}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
            {move || rows.with(Vec::is_empty).then(|| view! { <p class="notice">"暂无数据"</p> })}
        </Panel>
    }
}
