//! Who is logged in, with the logout button (docs/RULES.md §10): in the header of every page.
//! Logging out is a plain form post, so it works before (and without) hydration.

use leptos::prelude::*;

use crate::functions::session::signed_in;

#[component]
pub fn SignedInBadge() -> impl IntoView {
    let who = Resource::new(|| (), |_| signed_in());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                who.await.ok().map(|w| view! {
                    <span class="signed-in" data-testid="signed-in">
                        {w.links.iter().map(|(href, label)| view! {
                            <a class="signed-in-link" href=href.clone() rel="external">{label.clone()}</a>
                        }).collect_view()}
                        <span class="signed-in-name">{w.login.clone()}</span>
                        <span class="signed-in-role">{w.role_zh.clone()}</span>
                        {(!w.kiosk).then(|| view! {
                            <form class="logout" method="post" action="/logout">
                                <button type="submit" data-testid="logout">"退出"</button>
                            </form>
                        })}
                    </span>
                })
            })}
        </Suspense>
    }
}
