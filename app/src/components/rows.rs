//! A paged list of organisations or members with bar charts level with its rows: the
//! names are HTML (legible, clickable, found by tests), the bars are plotters charts
//! sharing the list's [`RowGeometry`]. A click on a row or on its bar opens the same view.

use domain::wire::WallSnapshot;
use domain::{Light, Unit};
use leptos::prelude::*;

use super::charts::Chart;
use super::charts::bar::{BarRow, BarRows, RowGeometry};
use super::charts::theme::Rgb;
use super::pager::Pager;
use super::{Shown, cell, list_of, org_name_of, slots, version_of};
use crate::layout::Presentation;
use crate::urls::{Keep, use_keep, use_open};

/// What a row links to: an organisation or a member (tests find rows by these ids).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    Org,
    Member,
}

/// One row as the list prints it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowItem {
    pub id: String,
    pub href: String,
    pub name: String,
    /// The full name, for the tooltip when `name` is shortened.
    pub title: String,
    /// The dot before the name (its class is the light's word).
    pub light: Light,
    /// A short tag after the name (the kind, the rank).
    pub tag: String,
    /// The figure at the end of the row (members, index).
    pub figure: String,
    /// An organisation with children of its own (it drills further down).
    pub has_children: bool,
}

/// What a printed row depends on besides its item.
pub struct RowContext<'a> {
    /// What links keep of the URL (the month, a forced layout).
    pub keep: &'a Keep,
    /// The name of the organisation in view (names under it are shortened).
    pub parent: &'a str,
}

/// One bar chart of a block: how each row becomes a bar.
pub struct BarSpec<T> {
    pub name: &'static str,
    pub title: &'static str,
    /// Canvas width on the wall and on the briefing screen.
    pub width: (u32, u32),
    pub colors: Vec<Rgb>,
    /// Names of the stacked parts, shown as a legend in the title (empty for one part).
    pub parts: &'static [&'static str],
    pub max: Option<f64>,
    pub unit: Unit,
    pub bar: fn(&T) -> BarRow,
}

/// What a block lists and how: one constant per kind of list (children, members).
pub struct ListSpec<T: 'static> {
    pub heading: &'static str,
    pub head_figure: &'static str,
    pub kind: RowKind,
    /// `data-testid` of each row.
    pub testid: &'static str,
    pub rows: fn(&WallSnapshot) -> Vec<T>,
    /// A source row as the list prints it.
    pub item: fn(&T, &RowContext) -> RowItem,
    pub bars: fn() -> Vec<BarSpec<T>>,
}

/// Width of the names column on the wall and on the briefing screen; the charts share the
/// rest of the panel.
pub const LIST_WIDTH: u32 = 700;
pub const BRIEFING_LIST_WIDTH: u32 = 380;

/// The list `spec` of the snapshot shown, with its charts; `reset` is the organisation in
/// view (back to the first page when it changes). `geometry` follows the layout (and holds
/// every row when printing).
#[component]
pub fn RowBlock<T: Clone + PartialEq + Send + Sync + 'static>(
    spec: &'static ListSpec<T>,
    snap: Shown<WallSnapshot>,
    #[prop(into)] geometry: Signal<RowGeometry>,
    reset: Memo<String>,
) -> impl IntoView {
    let ListSpec { heading, head_figure, kind, testid, rows, item, bars } = *spec;
    let rows = list_of(snap, rows);
    let parent = org_name_of(snap);
    let version = version_of(snap, |s| s.version);
    let presentation = Presentation::get();
    let list_width = presentation.pick(LIST_WIDTH, BRIEFING_LIST_WIDTH);
    let per_page = Signal::derive(move || geometry.with(|g| g.slots as usize));
    let total = Memo::new(move |_| rows.with(Vec::len));
    let pager = Pager::new(total, per_page, reset);
    let page = pager.slice(rows);
    let keep = use_keep();
    let items = Memo::new(move |_| {
        let k = keep.get();
        parent.with(|parent| {
            let cx = RowContext { keep: &k, parent };
            page.with(|p| p.iter().map(|r| item(r, &cx)).collect::<Vec<_>>())
        })
    });
    let page_label = pager.label();

    let open = use_open();
    let charts = bars()
        .into_iter()
        .map(|spec| {
            let BarSpec { name, title, width, colors, parts, max, unit, bar } = spec;
            let tooltip = if parts.is_empty() { title.to_string() } else { format!("{title}：{}", parts.join(" / ")) };
            let legend = parts
                .iter()
                .zip(&colors)
                .map(|(part, color)| view! { <span class="part"><span class="chip" style=format!("background:{}", color.css())></span>{*part}</span> })
                .collect_view();
            let data = Signal::derive(move || {
                // a bar opens what its row opens
                let rows = items.with(|items| page.with(|p| p.iter().zip(items).map(|(r, it)| BarRow { key: it.href.clone(), ..bar(r) }).collect()));
                BarRows { geometry: geometry.get(), rows, colors: colors.clone(), max, unit }
            });
            let layout = presentation.layout;
            let size = Signal::derive(move || (layout.get().pick(width.0, width.1), geometry.with(RowGeometry::height)));
            view! {
                <div class="row-chart">
                    <div class="row-chart-title" title=tooltip>
                        <span>{title}</span>
                        {legend}
                    </div>
                    <Chart name label=title size data version on_pick=open />
                </div>
            }
        })
        .collect_view();

    let style = move || format!("--row-h:{}px;--list-w:{}px", geometry.get().row(page.with(Vec::len)), list_width.get());
    view! {
        <div class="row-block" style=style>
            <div class="row-list">
                <div class="row-head">
                    <span class="row-head-name">{heading}</span>
                    <span class="row-head-page">{move || page_label.get()}</span>
                    <span class="row-head-figure">{head_figure}</span>
                </div>
                <ul class="rows">
                    <For each=slots(items) key=|i| *i let:i>
                        <li
                            class="row"
                            data-testid=testid
                            data-org-id=cell(items, i, move |r| (kind == RowKind::Org).then(|| r.id.clone()))
                            data-member-id=cell(items, i, move |r| (kind == RowKind::Member).then(|| r.id.clone()))
                            data-has-children=cell(items, i, move |r| (kind == RowKind::Org).then(|| r.has_children.to_string()))
                        >
                            <a class="row-link" href=cell(items, i, |r| r.href.clone()) title=cell(items, i, |r| r.title.clone())>
                                <span class=cell(items, i, |r| format!("dot {}", r.light))></span>
                                <span class="row-name">{cell(items, i, |r| r.name.clone())}</span>
                                <span class="row-tag">{cell(items, i, |r| r.tag.clone())}</span>
                                <span class="row-figure">{cell(items, i, |r| r.figure.clone())}</span>
                            </a>
                        </li>
                    </For>
                </ul>
                {move || rows.with(Vec::is_empty).then(|| view! { <p class="notice rows-empty">"暂无数据"</p> })}
            </div>
            {charts}
        </div>
    }
}
