//! The frame every panel shares: a glowing edge, the red corner tab and a title bar.

use leptos::prelude::*;

/// A titled panel. `class` places it in the page grid; `aside` is text at the right of
/// the title bar (a current figure, a page indicator).
#[component]
pub fn Panel(
    title: &'static str,
    class: &'static str,
    testid: &'static str,
    #[prop(into, optional)] aside: Signal<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class=format!("panel {class}") data-testid=testid>
            <h2 class="panel-title">
                <span class="panel-name">{title}</span>
                <span class="panel-aside">{move || aside.get()}</span>
            </h2>
            <div class="panel-body">{children()}</div>
        </section>
    }
}
