//! Vanguard web UI: the HTML shell, the router and the wall's pages.
//!
//! Built twice: with `ssr` inside the server binary (server functions run there and reach
//! the engine's hub through context) and with `hydrate` into the wasm bundle (`frontend`),
//! which alone draws the charts and listens for live updates.

// The panels' view types nest deeply; hydrating them needs more than the default 128.
#![recursion_limit = "256"]

#[cfg(feature = "ssr")]
pub mod auth;
pub mod components;
pub mod errors;
pub mod filter;
pub mod format;
pub mod functions;
#[cfg(feature = "hydrate")]
pub mod http;
pub mod layout;
pub mod live;
pub mod pages;
pub mod rotation;
pub mod scale;
pub mod urls;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use crate::layout::Presentation;
use crate::live::Live;
use crate::pages::admin::AdminPage;
use crate::pages::checkin::{CheckinPage, CheckinStartPage, ScanPage};
use crate::pages::me::MePage;
use crate::pages::work::WorkPage;
use crate::pages::{member::MemberPage, not_found::NotFound, org::OrgPage};

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
                // Before the first paint, so the server-rendered wall already has its size.
                <script inner_html=scale::FIT_SCRIPT></script>
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

/// Whether hydration has finished (end-to-end tests wait for `data-hydrated="true"` on the
/// page's root element).
#[derive(Clone, Copy)]
pub struct Hydrated(pub ReadSignal<bool>);

impl Hydrated {
    pub fn attr(self) -> impl Fn() -> Option<&'static str> + Copy + Send + Sync + 'static {
        move || self.0.get().then_some("true")
    }
}

/// Root component: the router. The wall's routes render inside the fixed design canvas
/// ([`WallStage`]); the pages people hold in their hands (`/me`, `/c/TOKEN`), the check-in
/// projector page and the admin page have their own layout ([`pages::phone::Phone`]). The live
/// state (server version, stale badge) lives here so that it survives navigation.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Live::provide();

    // Effects run only in the browser, so this flips once hydration has finished.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    provide_context(Hydrated(hydrated));

    view! {
        <Title text=TITLE />
        <Router>
            <Routes fallback=|| view! { <WallStage><NotFound /></WallStage> }>
                <Route path=path!("/me") view=MePage />
                <Route path=path!("/c/:token") view=ScanPage />
                <Route path=path!("/checkin") view=CheckinStartPage />
                <Route path=path!("/checkin/:activity_id") view=CheckinPage />
                <Route path=path!("/admin") view=AdminPage />
                <Route path=path!("/work") view=WorkPage />
                // One parent for `/` and `/org/:org_id`, so that going from the district to
                // an organisation and back keeps the page mounted and only its data changes
                // (OrgPage reads the path itself).
                <ParentRoute path=path!("") view=|| view! { <WallStage><OrgPage /></WallStage> }>
                    <Route path=path!("") view=|| () />
                    <Route path=path!("org/:org_id") view=|| () />
                </ParentRoute>
                <Route path=path!("/member/:member_id") view=|| view! { <WallStage><MemberPage /></WallStage> } />
            </Routes>
        </Router>
    }
}

/// The wall's fixed design canvas (chosen and scaled by [`scale::FIT_SCRIPT`]) around a wall
/// page, with the page's [`Presentation`] (layout, print view) in context.
#[component]
pub fn WallStage(children: Children) -> impl IntoView {
    let live = Live::get();
    let hydrated = expect_context::<Hydrated>();
    let presentation = Presentation::provide();
    view! {
        <div class="stage">
            <div
                class="wall"
                class:is-stale=move || live.stale.get()
                class:is-print=move || presentation.print.get()
                data-testid="wall"
                data-hydrated=hydrated.attr()
                data-version=move || live.shown_version.get().map(|v| v.to_string())
            >
                {children()}
            </div>
        </div>
    }
}
