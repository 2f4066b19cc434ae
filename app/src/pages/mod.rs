//! One module per kind of route: the organisation views (`/`, `/org/:org_id`), the member
//! view (`/member/:member_id`), the 404 page, and the pages people use (docs/RULES.md §10):
//! `/me`, the check-in pages (`/checkin`, `/checkin/:activity_id`, `/c/:token`), `/admin` and the
//! workbench `/work` (docs/RULES.md §11).

pub mod admin;
pub mod checkin;
pub mod me;
pub mod member;
pub mod not_found;
pub mod org;
pub mod phone;
pub mod work;

use std::future::Future;

use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::components::header::WallHeader;
use crate::errors::AppError;
use crate::live::Feed;
use crate::urls::{month_error_zh, use_here, with_param};

/// A view over one feed of data. The first value comes through a resource, so the server
/// renders the view with its data and the browser hydrates the same; from then on a
/// [`Feed`] follows `key` and the data version, and `body` (run once) reads its signals.
pub fn live_view<K, T, Fut, V>(
    key: Memo<K>,
    fetch: fn(K) -> Fut,
    version_of: fn(&T) -> u64,
    body: impl Fn(Feed<T>) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + Send + 'static,
{
    let first_key = key.get_untracked();
    let first = Resource::new(
        {
            let k = first_key.clone();
            move || k.clone()
        },
        fetch,
    );
    view! {
        <Suspense fallback=|| view! { <Loading /> }>
            {move || {
                let (first_key, body) = (first_key.clone(), body.clone());
                Suspend::new(async move { body(Feed::new(first.await, first_key, key, fetch, version_of)) })
            }}
        </Suspense>
    }
}

/// Shown in place of the body while the first data of a view is on its way.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <div class="wall-loading" data-testid="loading">"数据加载中…"</div> }
}

/// Shown in place of a view whose `?month=` is not `YYYY-MM` (`raw` as given): the page says
/// so and links to the same view at the newest month, rather than showing the newest month
/// under a URL that asked for another.
#[component]
pub fn BadMonth(raw: String) -> impl IntoView {
    let here = use_here();
    let newest = move || here.with(|(path, pairs)| with_param(path, pairs, "month", None));
    let tail: Option<String> = None;
    // Erased: the header's view type is deep, and this page is itself erased in a match
    // (with it whole, the server binary would need a higher recursion limit).
    let header = view! { <WallHeader crumbs=Vec::new() tail month=String::new() months=Vec::new() /> }.into_any();
    view! {
        {header}
        <main class="wall-body">
            <section class="panel notice-page" role="alert" data-testid="bad-month">
                <h2 class="panel-title">{month_error_zh(&raw)}</h2>
                <p class="notice">
                    <a href=newest data-testid="newest-month">"查看最新月份"</a>
                </p>
            </section>
        </main>
    }
}

/// Shown over the panels when a view has nothing to show (its first load failed); the
/// feed keeps retrying behind it.
#[component]
pub fn LoadError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        {move || error.get().map(|e| view! {
            <div class="load-error" role="alert" data-testid="load-error">
                <div class="load-error-title">{e.message_zh()}</div>
                <div class="load-error-hint"><a href="/">"返回全区总览"</a></div>
            </div>
        })}
    }
}
