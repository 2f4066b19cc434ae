//! The path from the district down to what is in view; every step above goes back up.

use domain::wire::Crumb;
use leptos::prelude::*;

use super::{cell, slots};
use crate::format::kind_zh;
use crate::urls::{org_href, use_keep};

/// `crumbs` root first. Without a `tail` the last crumb is the organisation in view (not
/// a link); with one (a member's name) every crumb links and the tail ends the path.
#[component]
pub fn Breadcrumb(#[prop(into)] crumbs: Signal<Vec<Crumb>>, #[prop(into)] tail: Signal<Option<String>>) -> impl IntoView {
    let keep = use_keep();
    let crumbs = Memo::new(move |_| crumbs.get());
    let last = Memo::new(move |_| crumbs.with(Vec::len).saturating_sub(1));
    let is_link = move |i: usize| tail.with(Option::is_some) || i < last.get();

    view! {
        <nav class="breadcrumb" aria-label="组织层级">
            <ol data-testid="breadcrumb">
                <For each=slots(crumbs) key=|i| *i let:i>
                    <li
                        class="crumb"
                        class:current=move || !is_link(i)
                        data-testid="crumb"
                        data-org-id=cell(crumbs, i, |c| c.org_id.clone())
                    >
                        <span class="crumb-kind">{cell(crumbs, i, |c| kind_zh(&c.kind))}</span>
                        <a
                            class="crumb-link"
                            href=move || {
                                let id = crumbs.with(|c| c.get(i).map(|c| c.org_id.clone())).unwrap_or_default();
                                keep.with(|k| org_href(&id, i == 0, k))
                            }
                            aria-current=move || (!is_link(i)).then_some("page")
                        >
                            {cell(crumbs, i, |c| c.name.clone())}
                        </a>
                    </li>
                </For>
                {move || tail.get().map(|name| view! {
                    <li class="crumb current" data-testid="crumb-tail">
                        <span class="crumb-kind">"党员"</span>
                        <span class="crumb-link">{name}</span>
                    </li>
                })}
            </ol>
        </nav>
    }
}
