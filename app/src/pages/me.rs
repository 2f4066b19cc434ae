//! `/me`: a member's own page on the phone (docs/RULES.md §10): the index so far this year by
//! dimension, the rank in the branch and the district, the lights, this month's points and
//! the events behind them, and the result of a check-in just made (`?checkin=`). It follows
//! the data version like the wall, so a check-in's point appears without a reload.

use domain::wire::MemberProfile;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::live_view;
use super::phone::{Notice, Phone};
use crate::components::Shown;
use crate::components::profile::{DIMENSIONS, dimension_text};
use crate::errors::AppError;
use crate::functions::people::my_profile;
use crate::functions::reports::my_reports;
use crate::live::Feed;

async fn fetch(_: ()) -> Result<MemberProfile, AppError> {
    my_profile(None).await
}

#[component]
pub fn MePage() -> impl IntoView {
    let key = Memo::new(|_| ());
    view! {
        <Phone title="我的锋领指数">
            <CheckinBanner />
            {live_view(key, fetch, |p: &MemberProfile| p.version, |feed| view! { <MeBody feed /> })}
            <MyReports />
        </Phone>
    }
}

/// The member's monthly 锋领指数报告 (§11), newest first: read once (they are generated on
/// the 5th and never change), apart from the live profile above.
#[component]
fn MyReports() -> impl IntoView {
    let reports = Resource::new(|| (), |_| my_reports());
    let list = move || {
        Suspend::new(async move {
            match reports.await {
                Ok(rows) if !rows.is_empty() => view! {
                    <section class="me-card" data-testid="me-reports">
                        <h2>"我的月度报告"</h2>
                        <ul class="me-reports">
                            {rows.into_iter().take(12).map(|r| view! {
                                <li><a href=r.url.clone() target="_blank" rel="noopener">{format!("{} 锋领指数报告", r.month)}</a>" "<a href=r.pdf.clone() target="_blank" rel="noopener">"PDF"</a></li>
                            }).collect_view()}
                        </ul>
                    </section>
                }
                .into_any(),
                _ => ().into_any(),
            }
        })
    };
    view! { <Transition fallback=|| ()>{list}</Transition> }
}

/// What `/c/TOKEN` reports after a check-in: `?checkin=new|already&title=…&points=…`.
#[component]
fn CheckinBanner() -> impl IntoView {
    let q = use_query_map();
    move || {
        q.with(|q| {
            let title = q.get("title").unwrap_or_default();
            match q.get("checkin").as_deref() {
                Some("new") => {
                    let points = q.get("points").unwrap_or_else(|| "0".into());
                    Some(
                        view! {
                            <div class="me-banner ok" role="status" data-testid="checkin-result">
                                <strong>"签到成功"</strong>
                                <span>{title}</span>
                                <span class="me-banner-points" data-testid="checkin-points">{format!("+{points} 分")}</span>
                            </div>
                        }
                        .into_any(),
                    )
                }
                Some("already") => Some(
                    view! {
                        <div class="me-banner" role="status" data-testid="checkin-result">
                            <strong>"已签到"</strong>
                            <span>{title}</span>
                            <span class="me-banner-points">"本次活动已记录，无需重复签到"</span>
                        </div>
                    }
                    .into_any(),
                ),
                _ => None,
            }
        })
    }
}

#[component]
fn MeBody(feed: Feed<MemberProfile>) -> impl IntoView {
    let profile: Shown<MemberProfile> = feed.data.into();
    let error = feed.error;
    move || match profile.get() {
        None => {
            let text = match error.get() {
                Some(AppError::Forbidden) => "此页面供党员查看本人的锋领指数；您的账号未关联党员。".to_string(),
                Some(e) => e.message_zh().to_string(),
                None => "数据加载中…".to_string(),
            };
            view! { <Notice text /> }.into_any()
        }
        Some(p) => me_view(&p).into_any(),
    }
}

/// This month's points: the sum of the trace items of the profile's month.
fn month_points(p: &MemberProfile) -> String {
    let sum: f64 = p.trace.iter().filter(|t| t.month == p.month).filter_map(|t| t.points.parse::<f64>().ok()).sum();
    crate::format::format_figure(sum)
}

fn me_view(p: &MemberProfile) -> impl IntoView + use<> {
    let dims: Vec<(&str, String)> = DIMENSIONS.iter().map(|(key, label)| (*label, dimension_text(p, key).to_owned())).collect();
    let lights = [("综合", p.light), ("党费", p.dues_light), ("出勤", p.absence_light)];
    let this_month: Vec<_> = p.trace.iter().filter(|t| t.month == p.month).cloned().collect();
    view! {
        <section class="me-card me-head" data-testid="me">
            <div class="me-name">{p.name.clone()}</div>
            <div class="me-org">{p.org.name.clone()}</div>
            <div class="me-index">
                <span class="me-index-label">{format!("{} 年锋领指数（截至 {}）", p.year, p.month)}</span>
                <span class="me-index-value" data-testid="me-index">{p.index.clone()}</span>
            </div>
            <div class="me-ranks">
                <div><span>"支部排名"</span><b data-testid="me-org-rank">{format!("{} / {}", p.org_rank, p.org_population)}</b></div>
                <div><span>"全区排名"</span><b>{format!("{} / {}", p.district_rank, p.district_population)}</b></div>
            </div>
        </section>
        <section class="me-card">
            <h2>"分维度得分"</h2>
            <ul class="me-dims">
                {dims.into_iter().map(|(label, v)| view! { <li><span>{label}</span><b>{v}</b></li> }).collect_view()}
            </ul>
        </section>
        <section class="me-card">
            <h2>"预警灯"</h2>
            <ul class="me-lights">
                {lights.into_iter().map(|(label, l)| view! {
                    <li class=format!("light-{}", l.as_str())><i aria-hidden="true"></i><span>{label}</span><b>{l.zh()}</b></li>
                }).collect_view()}
            </ul>
            <p class="me-note">{format!("党费欠缴 {} 个月 · 缺席活动 {} 次", p.dues_arrears, p.absence)}</p>
        </section>
        <section class="me-card">
            <h2>{format!("本月积分 {} 分", month_points(p))}</h2>
            <ul class="me-trace" data-testid="me-trace">
                {if this_month.is_empty() {
                    view! { <li class="me-empty">"本月暂无积分记录"</li> }.into_any()
                } else {
                    this_month.into_iter().map(|t| view! {
                        <li><span class="me-trace-rule">{t.rule_zh}</span><span class="me-trace-detail">{t.detail}</span><b>{format!("{} 分", t.points)}</b></li>
                    }).collect_view().into_any()
                }}
            </ul>
        </section>
    }
}
