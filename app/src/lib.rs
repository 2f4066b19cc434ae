//! Vanguard web UI: the HTML shell, the router and the pages.
//!
//! Built twice: with `ssr` inside the server binary (server functions run there and reach
//! the store through context) and with `hydrate` into the wasm bundle (`frontend`).

pub mod errors;
pub mod models;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::pages::{district::DistrictPage, not_found::NotFound};

/// Product title shown in the browser tab and the wall header.
pub const TITLE: &str = "锋领指数 · 智慧党建指挥中心";

/// The HTML document rendered by the server around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let css = options.css_path();
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="dark" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <link rel="stylesheet" id="leptos" href=css />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Root component: a fixed 3:1 design canvas (see `style/main.css`) holding the header and
/// the routed page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    // Effects run only in the browser, so this flips once hydration has finished;
    // end-to-end tests wait for `data-hydrated="true"`.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));

    view! {
        <Title text=TITLE />
        <Router>
            <div class="stage">
                <div
                    class="wall"
                    data-testid="wall"
                    data-hydrated=move || hydrated.get().then_some("true")
                >
                    <WallHeader />
                    <main class="wall-body">
                        <Routes fallback=NotFound>
                            <Route path=path!("/") view=DistrictPage />
                        </Routes>
                    </main>
                </div>
            </div>
        </Router>
    }
}

#[component]
fn WallHeader() -> impl IntoView {
    view! {
        <header class="wall-header">
            <div class="brand-mark" aria-hidden="true">"党"</div>
            <h1 class="wall-title" data-testid="title">{TITLE}</h1>
            <div class="wall-subtitle">"党建大数据监测中心 · 全区总览"</div>
        </header>
    }
}
