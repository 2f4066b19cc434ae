use leptos::prelude::*;

use crate::components::header::WallHeader;

/// Shown for paths no route matches (the server answers them with 404).
#[component]
pub fn NotFound() -> impl IntoView {
    let tail: Option<String> = None;
    view! {
        <WallHeader crumbs=Vec::new() tail month=String::new() months=Vec::new() />
        <main class="wall-body">
            <section class="panel notice-page" data-testid="not-found">
                <h2 class="panel-title">"页面不存在"</h2>
                <p class="notice">
                    <a href="/">"返回全区总览"</a>
                </p>
            </section>
        </main>
    }
}
