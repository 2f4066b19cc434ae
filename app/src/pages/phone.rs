//! The layout of the pages people hold in their hands (the member's page, a scanned code),
//! of the check-in projector page and of the admin page: a scrolling column designed for a
//! 390 px phone first that widens on larger screens, in the wall's colours, with who is
//! logged in and the logout button in its header (docs/RULES.md §10).

use leptos::prelude::*;

use crate::Hydrated;
use crate::components::signed_in::SignedInBadge;

/// `wide`: the projector and admin pages use the whole width of a large screen.
#[component]
pub fn Phone(#[prop(into)] title: String, #[prop(optional)] wide: bool, children: Children) -> impl IntoView {
    let hydrated = expect_context::<Hydrated>();
    view! {
        <div class="phone" class:phone-wide=wide data-testid="phone" data-hydrated=hydrated.attr()>
            <header class="phone-head">
                <span class="phone-mark" aria-hidden="true">"党"</span>
                <h1 class="phone-title">{title}</h1>
                <SignedInBadge />
            </header>
            <main class="phone-body">{children()}</main>
        </div>
    }
}

/// A message in place of a page's content (an error, nothing to show).
#[component]
pub fn Notice(#[prop(into)] text: String, #[prop(optional, into)] kind: String) -> impl IntoView {
    view! { <p class=format!("phone-notice {kind}") role="status" data-testid="notice">{text}</p> }
}
