//! QR check-in pages (扫码签到, docs/RULES.md §10):
//! - `/checkin`: a secretary (officer, admin) creates an activity of the scope, or picks one
//!   held from a day ago to a week ahead;
//! - `/checkin/ACTIVITY_ID`: for a projector — the QR code of `/c/TOKEN`, renewed every
//!   [`RENEW_SECONDS`] (a token is valid 60 s, so a code on screen always scans), and the names
//!   of those who checked in, live, against the organisation's members;
//! - `/c/TOKEN`: what a member's phone opens from the code (after logging in if needed): it
//!   checks in and goes to `/me` with the result.

use domain::ActivityKind;
use domain::wire::CheckinRoll;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::live_view;
use super::phone::{Notice, Phone};
use crate::components::Shown;
use crate::errors::AppError;
use crate::functions::people::{checkin_choices, checkin_roll};
use crate::live::Feed;

/// How often the projector asks for a new code.
pub const RENEW_SECONDS: u64 = 30;

#[component]
pub fn CheckinStartPage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| checkin_choices());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let (org, kind, held, title) =
        (RwSignal::new(String::new()), RwSignal::new("theme_day".to_string()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        #[cfg(feature = "hydrate")]
        {
            let body = serde_json::json!({
                "org_id": org.get_untracked(),
                "kind": kind.get_untracked(),
                "held_at": format!("{}:00", held.get_untracked()),
                "title": title.get_untracked(),
            })
            .to_string();
            leptos::task::spawn_local(async move {
                match crate::http::send("POST", "/api/v1/activities", Some(body)).await {
                    Ok(a) if a.status == 201 => crate::http::go(&format!("/checkin/{}", a.text("activity_id"))),
                    Ok(a) => error.set(Some(a.message("创建失败"))),
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        }
    };
    view! {
        <Phone title="扫码签到" wide=true>
            <Suspense fallback=|| view! { <Notice text="加载中…" /> }>
                {move || Suspend::new(async move {
                    match choices.await {
                        Err(e) => view! { <Notice text=e.message_zh() kind="error" /> }.into_any(),
                        Ok(c) => {
                            if org.get_untracked().is_empty() {
                                org.set(c.orgs.first().map(|o| o.org_id.clone()).unwrap_or_default());
                                held.set(c.now.clone());
                            }
                            view! {
                                <section class="me-card">
                                    <h2>"新建活动并开启签到"</h2>
                                    <form class="form" on:submit=submit data-testid="activity-form">
                                        <label>"组织"
                                            <select prop:value=move || org.get() on:change=move |ev| org.set(event_target_value(&ev)) data-testid="activity-org">
                                                {c.orgs.iter().map(|o| view! { <option value=o.org_id.clone()>{format!("{} {}", o.name, o.org_id)}</option> }).collect_view()}
                                            </select>
                                        </label>
                                        <label>"类型"
                                            <select prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                                                {ActivityKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.zh()}</option> }).collect_view()}
                                            </select>
                                        </label>
                                        <label>"时间"
                                            <input type="datetime-local" required prop:value=move || held.get() on:input=move |ev| held.set(event_target_value(&ev)) />
                                        </label>
                                        <label>"名称"
                                            <input required maxlength="200" placeholder="如：十二月主题党日" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) data-testid="activity-title" />
                                        </label>
                                        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                                        <button type="submit" disabled=move || busy.get() data-testid="activity-submit">"创建并显示签到码"</button>
                                    </form>
                                </section>
                                <section class="me-card">
                                    <h2>"近期活动"</h2>
                                    <ul class="activity-list">
                                        {if c.activities.is_empty() {
                                            view! { <li class="me-empty">"近一周没有活动"</li> }.into_any()
                                        } else {
                                            c.activities.iter().map(|a| view! {
                                                <li><a href=format!("/checkin/{}", a.activity_id)>
                                                    <b>{a.title.clone()}</b>
                                                    <span>{format!("{} · {} · {}", a.kind_zh, a.org_name, a.held_at.replace('T', " "))}</span>
                                                </a></li>
                                            }).collect_view().into_any()
                                        }}
                                    </ul>
                                </section>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </Phone>
    }
}

async fn fetch_roll(activity_id: String) -> Result<CheckinRoll, AppError> {
    checkin_roll(activity_id).await
}

#[component]
pub fn CheckinPage() -> impl IntoView {
    let params = use_params_map();
    let activity = Memo::new(move |_| params.with(|p| p.get("activity_id").unwrap_or_default()));
    view! {
        <Phone title="扫码签到" wide=true>
            {live_view(activity, fetch_roll, |r: &CheckinRoll| r.version, move |feed| view! { <Roll feed activity_id=activity.get_untracked() /> })}
        </Phone>
    }
}

#[component]
fn Roll(feed: Feed<CheckinRoll>, activity_id: String) -> impl IntoView {
    let roll: Shown<CheckinRoll> = feed.data.into();
    let error = feed.error;
    let head = move || {
        roll.get().map(|r| {
            view! {
                <div class="roll-head">
                    <h2 data-testid="roll-title">{r.activity.title.clone()}</h2>
                    <p>{format!("{} · {} · {}", r.activity.kind_zh, r.activity.org_name, r.activity.held_at.replace('T', " "))}</p>
                    <p class="roll-count" data-testid="roll-count">
                        <b>{r.checked_in.len()}</b>{format!(" / {} 人已签到", r.members)}
                    </p>
                </div>
            }
        })
    };
    let names = move || {
        roll.get().map(|r| {
            r.checked_in.iter().map(|e| view! { <li data-member=e.member_id.clone()><b>{e.name.clone()}</b><span>{e.at.clone()}</span></li> }).collect_view()
        })
    };
    view! {
        {move || error.get().filter(|_| roll.with(Option::is_none)).map(|e| view! { <Notice text=e.message_zh() kind="error" /> })}
        <div class="checkin-screen" class:hidden=move || roll.with(Option::is_none)>
            <QrCode activity_id />
            <section class="roll">
                {head}
                <ul class="roll-names" data-testid="roll-names">{names}</ul>
            </section>
        </div>
    }
}

/// The current code: fetched at once in the browser and every [`RENEW_SECONDS`] after.
#[component]
fn QrCode(activity_id: String) -> impl IntoView {
    let svg = RwSignal::new(None::<String>);
    let url = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    {
        let renew = move || {
            let path = format!("/api/v1/activities/{activity_id}/checkin-code");
            leptos::task::spawn_local(async move {
                match crate::http::send("POST", &path, None).await {
                    Ok(a) if a.status == 200 => {
                        svg.set(Some(a.text("svg")));
                        url.set(a.text("url"));
                        message.set(None);
                    }
                    Ok(a) => {
                        svg.set(None);
                        message.set(Some(a.message("无法获取签到码")));
                    }
                    Err(e) => message.set(Some(e)),
                }
            });
        };
        Effect::new(move |_| {
            renew();
            if let Ok(h) = set_interval_with_handle(renew.clone(), std::time::Duration::from_secs(RENEW_SECONDS)) {
                on_cleanup(move || h.clear());
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = activity_id;
    view! {
        <section class="qr" data-testid="qr" data-url=move || url.get()>
            {move || match (svg.get(), message.get()) {
                (_, Some(m)) => view! { <p class="qr-message" role="alert" data-testid="qr-message">{m}</p> }.into_any(),
                (Some(s), None) => view! { <div class="qr-code" inner_html=s></div> }.into_any(),
                (None, None) => view! { <p class="qr-message">"签到码生成中…"</p> }.into_any(),
            }}
            <p class="qr-hint">"请使用手机扫码签到 · 每30秒更新"</p>
        </section>
    }
}

/// `/c/TOKEN`: checks the caller in with the scanned token and goes to `/me` with the result;
/// an error stays on this page, in words.
#[component]
pub fn ScanPage() -> impl IntoView {
    let params = use_params_map();
    let message = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let token = params.with_untracked(|p| p.get("token").unwrap_or_default());
        leptos::task::spawn_local(async move {
            let body = serde_json::json!({ "token": token }).to_string();
            match crate::http::send("POST", "/api/v1/checkin", Some(body)).await {
                Ok(a) if a.status == 201 || a.status == 200 => {
                    let title = String::from(js_sys::encode_uri_component(&a.text("title")));
                    let tail = if a.status == 201 { format!("new&points={}", a.text("points")) } else { "already".into() };
                    crate::http::go(&format!("/me?checkin={tail}&title={title}"));
                }
                Ok(a) if a.status == 403 => message.set(Some("只有党员账号可以扫码签到".into())),
                Ok(a) => message.set(Some(a.message("签到失败，请重新扫码"))),
                Err(e) => message.set(Some(e)),
            }
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = params;
    view! {
        <Phone title="扫码签到">
            {move || match message.get() {
                Some(m) => view! { <Notice text=m kind="error" /> }.into_any(),
                None => view! { <Notice text="正在签到…" /> }.into_any(),
            }}
            <p class="me-note"><a href="/me">"查看我的锋领指数"</a></p>
        </Phone>
    }
}
