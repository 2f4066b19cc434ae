use leptos::prelude::*;

/// Shown for paths no route matches (the server sets 404 for them).
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="panel notice-page" data-testid="not-found">
            <h2 class="panel-title">"页面不存在"</h2>
            <p class="notice">
                <a href="/">"返回全区总览"</a>
            </p>
        </section>
    }
}
