//! The connection state in the header: live, or the stale badge "数据未更新" with the time
//! of the last successful update while the server cannot be reached.

use leptos::prelude::*;

use crate::live::Live;

#[component]
pub fn LiveStatus() -> impl IntoView {
    let live = Live::get();
    let since = move || live.last_ok.get().map(|t| format!("最后更新 {t}")).unwrap_or_else(|| "尚未连接".to_string());
    view! {
        <Show
            when=move || live.stale.get()
            fallback=move || view! {
                <div class="live-ok" data-testid="live-ok">
                    <span class="live-dot" aria-hidden="true"></span>
                    <span>"实时"</span>
                    <span class="live-time">{move || live.last_ok.get()}</span>
                </div>
            }
        >
            <div class="stale-badge" data-testid="stale-badge" role="alert">
                <span class="stale-icon" aria-hidden="true">"!"</span>
                <span class="stale-text">"数据未更新"</span>
                <span class="stale-time">{since}</span>
            </div>
        </Show>
    }
}
