//! The wall's header: the title, where we are (the breadcrumb takes the middle, the widest
//! part, since paths down to a member are long), and the controls and state at the right
//! (rotation, month, print, live status, clock).

use domain::wire::Crumb;
use leptos::prelude::*;

use super::breadcrumb::Breadcrumb;
use super::clock::Clock;
use super::month::MonthSelect;
use super::print::PrintButton;
use super::signed_in::SignedInBadge;
use super::stale::LiveStatus;
use crate::TITLE;

#[component]
pub fn WallHeader(
    #[prop(into)] crumbs: Signal<Vec<Crumb>>,
    #[prop(into)] tail: Signal<Option<String>>,
    #[prop(into)] month: Signal<String>,
    #[prop(into)] months: Signal<Vec<String>>,
    /// A short note before the month (`轮播 2/9 · 每30秒`), empty for none.
    #[prop(into, optional)]
    note: Signal<String>,
) -> impl IntoView {
    view! {
        <header class="wall-header">
            <div class="header-left">
                <div class="brand-mark" aria-hidden="true">"党"</div>
                <h1 class="wall-title" data-testid="title">{TITLE}</h1>
            </div>
            <div class="header-center">
                <Breadcrumb crumbs tail />
            </div>
            <div class="header-right">
                <span class="header-note" data-testid="header-note">{move || note.get()}</span>
                <MonthSelect current=month months />
                <PrintButton />
                <LiveStatus />
                <Clock />
                <SignedInBadge />
            </div>
        </header>
    }
}
