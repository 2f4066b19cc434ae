//! The organisation views: `/` (the district) and `/org/:org_id`, at `?month=` and in
//! rotation mode with `?rotate=`.
//!
//! The first snapshot comes from a resource (so the server renders the wall with its data
//! and the browser hydrates the same); from then on a [`Feed`] keeps it current. Moving to
//! another organisation of the same route (a click on a child, a rotation step, a month)
//! changes the feed's key and updates the panels in place.

use std::sync::Arc;

use domain::wire::WallSnapshot;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;

use super::{BadMonth, LoadError, live_view};
use crate::components::Shown;
use crate::components::advice::AdvicePanel;
use crate::components::charts::bar::RowGeometry;
use crate::components::children::CHILDREN;
use crate::components::composition::CompositionPanel;
use crate::components::header::WallHeader;
use crate::components::kpi::HeadlinePanel;
use crate::components::leaderboard::LeaderboardPanel;
use crate::components::members::MEMBERS;
use crate::components::panel::Panel;
use crate::components::print::PrintFooter;
use crate::components::rows::RowBlock;
use crate::components::trends::TrendsPanel;
use crate::components::version_of;
use crate::components::warnings::WarningsPanel;
use crate::filter::{narrowed, use_pie_filter};
use crate::functions::wall::wall_snapshot;
use crate::layout::Presentation;
use crate::live::Feed;
use crate::rotation::Rotation;
use crate::scale::Layout;
use crate::urls::{UrlMonth, use_url_month, use_url_rotate};

/// Rows of the comparison panel when it holds one list, on the wall and on the briefing
/// screen.
const FULL: RowGeometry = RowGeometry { top: 0, area: 672, axis: 44, slots: 12, min_rows: 8 };
const BRIEFING_FULL: RowGeometry = RowGeometry { top: 0, area: 510, axis: 40, slots: 10, min_rows: 7 };
/// When it holds both the children and the members held directly, the two lists share
/// this many rows (of [`SPLIT_ROW`] pixels on the wall, [`BRIEFING_SPLIT_ROW`] on the
/// briefing screen).
const SPLIT_ROWS: u32 = 11;
const SPLIT_ROW: u32 = 52;
const BRIEFING_SPLIT_ROWS: u32 = 8;
const BRIEFING_SPLIT_ROW: u32 = 50;

/// The two geometries of a panel split into `rows` rows of `row` pixels: the children get
/// the rows they need (at least two), the members the rest (at least three).
fn split(children: usize, rows: u32, row: u32) -> (RowGeometry, RowGeometry) {
    let top = (children as u32).clamp(2, rows - 3);
    let block = |slots: u32| RowGeometry { top: 0, area: slots * row, axis: 40, slots, min_rows: slots };
    (block(top), block(rows - top))
}

/// A list of `n` rows whole, at the row height `g` has with a full page (the print view).
fn whole(g: RowGeometry, n: usize) -> RowGeometry {
    let slots = (n as u32).max(1);
    RowGeometry { top: 0, area: slots * g.row(g.slots as usize), axis: g.axis, slots, min_rows: slots }
}

/// The geometries of the comparison panel's lists (the second one for [`Lists::Both`]) in
/// `layout`; `print` holds the `(children, members)` counts when every row is shown.
fn geometries(lists: Lists, layout: Layout, print: Option<(usize, usize)>) -> (RowGeometry, RowGeometry) {
    let (first, second) = match lists {
        Lists::Both(children) => match layout {
            Layout::Wall => split(children, SPLIT_ROWS, SPLIT_ROW),
            Layout::Briefing => split(children, BRIEFING_SPLIT_ROWS, BRIEFING_SPLIT_ROW),
        },
        Lists::Children | Lists::Members => {
            let full = layout.pick(FULL, BRIEFING_FULL);
            (full, full)
        }
    };
    match (print, lists) {
        (None, _) => (first, second),
        (Some((children, _)), Lists::Children) => (whole(first, children), second),
        (Some((_, members)), Lists::Members) => (whole(first, members), second),
        (Some((children, members)), Lists::Both(_)) => (whole(first, children), whole(second, members)),
    }
}

type Key = (Option<String>, Option<String>);

/// The organisation a path names: `/org/ORG7` → `ORG7`; `/` (the district) → `None`.
fn org_in_path(path: &str) -> Option<String> {
    path.strip_prefix("/org/").map(|id| id.trim_end_matches('/').to_string()).filter(|id| !id.is_empty())
}

async fn fetch((org, month): Key) -> Result<WallSnapshot, crate::errors::AppError> {
    wall_snapshot(org, month).await
}

#[component]
pub fn OrgPage() -> impl IntoView {
    let location = use_location();
    let url_org = Memo::new(move |_| location.pathname.with(|p| org_in_path(p)));
    let month = use_url_month();
    let malformed = Memo::new(move |_| month.with(|m| m.malformed().map(str::to_string)));
    let rotation = Rotation::new(url_org, use_url_rotate());
    let key: Memo<Key> = Memo::new(move |_| (rotation.shown.get(), month.with(UrlMonth::as_query)));
    view! {
        // A malformed month says so instead of showing the newest month's figures.
        {move || match malformed.get() {
            Some(raw) => view! { <BadMonth raw /> }.into_any(),
            None => live_view(key, fetch, |s: &WallSnapshot| s.version, move |feed| {
                rotation.follow(feed.data);
                view! { <OrgWall feed rotation /> }
            })
            .into_any(),
        }}
        // The child routes (`/` and `/org/:org_id`) render nothing, but the router completes
        // a navigation (and updates the address bar) only once the outlet has shown them.
        <Outlet />
    }
}

/// What the comparison panel holds (for both lists: how many children there are).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lists {
    Children,
    Members,
    Both(usize),
}

#[component]
fn OrgWall(feed: Feed<WallSnapshot>, rotation: Rotation) -> impl IntoView {
    let snap: Shown<WallSnapshot> = feed.data.into();
    let read = move |f: fn(&WallSnapshot) -> String| Signal::derive(move || snap.with(|s| s.as_deref().map(f).unwrap_or_default()));
    let crumbs = Signal::derive(move || snap.with(|s| s.as_deref().map(|s| s.path.clone()).unwrap_or_default()));
    let months = Signal::derive(move || snap.with(|s| s.as_deref().map(|s| s.available_months.clone()).unwrap_or_default()));
    let reset = Memo::new(move |_| snap.with(|s| s.as_deref().map(|s| s.org.org_id.clone()).unwrap_or_default()));
    let note = Signal::derive(move || match (rotation.step.get(), rotation.every.get()) {
        (Some((at, of)), Some(secs)) => format!("轮播 {at}/{of} · 每{secs}秒"),
        (None, Some(secs)) => format!("轮播 · 每{secs}秒"),
        _ => String::new(),
    });
    let lists = Memo::new(move |_| {
        snap.with(|s| match s.as_deref() {
            Some(s) if s.children.is_empty() && !s.members.is_empty() => Lists::Members,
            Some(s) if !s.children.is_empty() && !s.members.is_empty() => Lists::Both(s.children.len().min(8)),
            _ => Lists::Children,
        })
    });

    // The lists of the comparison panel, narrowed to a pie's slice when the URL says so.
    let filter = use_pie_filter();
    let listed: Shown<WallSnapshot> = Memo::new(move |_| {
        let s = snap.get()?;
        Some(match filter.get() {
            Some(f) => Arc::new(narrowed(&s, f)),
            None => s,
        })
    })
    .into();
    let filter_note = Signal::derive(move || filter.get().map(|f| f.note_zh()).unwrap_or_default());
    let presentation = Presentation::get();
    let counts = Memo::new(move |_| listed.with(|s| s.as_deref().map(|s| (s.children.len(), s.members.len())).unwrap_or_default()));
    let shapes = Memo::new(move |_| {
        let print = presentation.print.get().then(|| counts.get());
        geometries(lists.get(), presentation.layout.get(), print)
    });
    let first = Signal::derive(move || shapes.get().0);
    let second = Signal::derive(move || shapes.get().1);

    let tail = Signal::derive(|| None::<String>);
    view! {
        <WallHeader crumbs tail month=read(|s| s.month.clone()) months note />
        <main class="wall-body org-wall">
            <HeadlinePanel snap />
            <TrendsPanel snap />
            <LeaderboardPanel snap />
            <AdvicePanel snap reset />
            <CompositionPanel snap />
            {move || match lists.get() {
                Lists::Children => view! {
                    <Panel title="下级组织对比（点击下钻）" class="area-compare" testid="compare" aside=filter_note>
                        <RowBlock spec=&CHILDREN snap=listed geometry=first reset />
                    </Panel>
                }
                .into_any(),
                Lists::Members => view! {
                    <Panel title="党员锋领指数（点击查看党员）" class="area-compare" testid="compare" aside=filter_note>
                        <RowBlock spec=&MEMBERS snap=listed geometry=first reset />
                    </Panel>
                }
                .into_any(),
                Lists::Both(_) => {
                    view! {
                        <Panel title="下级组织与直属党员" class="area-compare" testid="compare" aside=filter_note>
                            <RowBlock spec=&CHILDREN snap=listed geometry=first reset />
                            <RowBlock spec=&MEMBERS snap=listed geometry=second reset />
                        </Panel>
                    }
                    .into_any()
                }
            }}
            <WarningsPanel snap reset />
            <LoadError error=feed.error />
        </main>
        <PrintFooter month=read(|s| s.month.clone()) at=read(|s| s.computed_at.clone()) version=version_of(snap, |s| s.version) />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(org_in_path("/"), None);
        assert_eq!(org_in_path("/org/ORG00012"), Some("ORG00012".into()));
        assert_eq!(org_in_path("/org/ORG00012/"), Some("ORG00012".into()));
        assert_eq!(org_in_path("/org/"), None);
    }

    #[test]
    fn split_panels_fit() {
        for children in [1, 2, 5, 8, 30] {
            let (top, bottom) = geometries(Lists::Both(children.min(8)), Layout::Wall, None);
            assert_eq!(top.slots + bottom.slots, SPLIT_ROWS);
            assert!(bottom.slots >= 3);
            // two heads of 52, the gap of 16 and both canvases within the panel body (786)
            assert!(52 * 2 + 16 + top.height() + bottom.height() <= 786);
            // on the briefing screen: two heads of 48, the gap and both within 602
            let (top, bottom) = geometries(Lists::Both(children.min(8)), Layout::Briefing, None);
            assert_eq!(top.slots + bottom.slots, BRIEFING_SPLIT_ROWS);
            assert!(bottom.slots >= 3);
            assert!(48 * 2 + 16 + top.height() + bottom.height() <= 602);
        }
        assert_eq!(split(1, SPLIT_ROWS, SPLIT_ROW).0.slots, 2);
        assert_eq!(split(30, SPLIT_ROWS, SPLIT_ROW).0.slots, 8);
        assert!(FULL.height() + 52 <= 786);
        assert!(BRIEFING_FULL.height() + 48 <= 602);
    }

    #[test]
    fn printing_shows_every_row() {
        let (all, _) = geometries(Lists::Children, Layout::Briefing, Some((30, 0)));
        assert_eq!((all.slots, all.divisions(30), all.row(30)), (30, 30, BRIEFING_FULL.row(10)));
        let (children, members) = geometries(Lists::Both(3), Layout::Briefing, Some((3, 17)));
        assert_eq!((children.slots, members.slots), (3, 17));
        assert_eq!(members.row(17), BRIEFING_SPLIT_ROW);
        let (none, _) = geometries(Lists::Members, Layout::Wall, Some((0, 0)));
        assert_eq!(none.slots, 1);
    }
}
