//! `/work`, the secretary's workbench (docs/RULES.md §11; secretaries, officers and admins,
//! within their scope), on a desk screen or a phone:
//! - 预警处理: the warnings to handle, each with its subject, the reason in words, since when,
//!   its state and age (overdue in red), a link to the subject's view (the trace behind its
//!   light), and the buttons 确认 (acknowledge) and 整改完成 (resolve, with a note);
//! - 支部体检表: an organisation's indicators against the district average with their 12-month
//!   trend, and its findings with prescriptions and resources (标记已使用 records a use);
//! - 资源库: the resource library by kind and tag, each with the organisation's latest use
//!   and 标记已使用;
//! - 月度报告: the organisation's reports of the newest generated month (its diagnosis, its
//!   members' reports, all of them in one PDF).
//!
//! Reads go through server functions; writes to the JSON API, which checks the scope and
//! audits them; the page then reads again. `?warning=ID` (the link in a pushed message) puts
//! that warning first, marked.

use domain::wire::{Finding, LibraryItem, OrgIndicator, WarningView};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::phone::{Notice, Phone};
use crate::components::warnings::state_label;
use crate::format::format_in_unit;
use crate::functions::reports::{ReportShelf, report_shelf};
use crate::functions::work::{Checkup, work_checkup, work_inbox};
use crate::urls::{Keep, member_href, org_href};

/// The state filters of the inbox: (query value, label).
const TABS: &[(&str, &str)] = &[("", "全部"), ("open", "待处理"), ("acknowledged", "整改中"), ("resolved", "已整改"), ("cleared", "已消除")];

/// Sends a write to the API and, when it answered `ok`, reads again; else shows the answer.
#[cfg(feature = "hydrate")]
fn write(method: &'static str, url: String, body: Option<String>, ok: u16, status: RwSignal<Option<String>>, reload: impl Fn() + 'static) {
    leptos::task::spawn_local(async move {
        match crate::http::send(method, &url, body).await {
            Ok(a) if a.status == ok => {
                status.set(None);
                reload();
            }
            Ok(a) => status.set(Some(a.message("操作失败"))),
            Err(e) => status.set(Some(e)),
        }
    });
}

#[component]
pub fn WorkPage() -> impl IntoView {
    let query = use_query_map();
    let focus = Memo::new(move |_| query.with(|q| q.get("warning").and_then(|w| w.parse::<i64>().ok())));
    let tab = RwSignal::new(String::new());
    let org = RwSignal::new(None::<String>);
    let inbox = Resource::new(move || tab.get(), |t| work_inbox(Some(t).filter(|t| !t.is_empty())));
    let checkup = Resource::new(move || org.get(), work_checkup);
    let shelf = Resource::new(move || org.get(), |o| report_shelf(o, None));
    let status = RwSignal::new(None::<String>);

    let inbox_view = move || {
        Suspend::new(async move {
            match inbox.await {
                Ok(page) => {
                    let mut rows = page.rows.clone();
                    if let Some(id) = focus.get_untracked() {
                        rows.sort_by_key(|w| w.warning_id != id);
                    }
                    let summary = format!("共 {} 条 · 待处理 {} · 超期 {}", page.total, page.active, page.overdue);
                    view! {
                        <p class="work-summary" data-testid="work-summary">{summary}</p>
                        {rows.is_empty().then(|| view! { <Notice text="暂无预警" /> })}
                        <ul class="work-list">
                            {rows.into_iter().map(|w| view! { <WarningCard w focus status reload=move || inbox.refetch() /> }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
                Err(e) => view! { <Notice text=e.message_zh() kind="error" /> }.into_any(),
            }
        })
    };
    let checkup_view = move || {
        Suspend::new(async move {
            match checkup.await {
                Ok(c) => view! { <CheckupView c org status reload=move || checkup.refetch() /> }.into_any(),
                Err(e) => view! { <Notice text=e.message_zh() kind="error" /> }.into_any(),
            }
        })
    };
    let shelf_view = move || {
        Suspend::new(async move {
            match shelf.await {
                Ok(s) => view! { <Shelf s /> }.into_any(),
                Err(e) => view! { <Notice text=e.message_zh() kind="error" /> }.into_any(),
            }
        })
    };

    view! {
        <Phone title="预警处理与支部体检" wide=true>
            {move || status.get().map(|s| view! { <p class="form-error" role="alert" data-testid="work-error">{s}</p> })}
            <section class="me-card" data-testid="work-inbox">
                <h2>"预警处理"</h2>
                <nav class="work-tabs">
                    {TABS.iter().map(|(value, label)| view! {
                        <button
                            class="small"
                            class:active=move || tab.get() == *value
                            data-tab=*value
                            on:click=move |_| tab.set(value.to_string())
                        >{*label}</button>
                    }).collect_view()}
                </nav>
                <Transition fallback=|| view! { <Notice text="加载中…" /> }>{inbox_view}</Transition>
            </section>
            <section class="me-card" data-testid="work-checkup">
                <Transition fallback=|| view! { <Notice text="加载中…" /> }>{checkup_view}</Transition>
            </section>
            <section class="me-card" data-testid="work-reports">
                <Transition fallback=|| view! { <Notice text="加载中…" /> }>{shelf_view}</Transition>
            </section>
        </Phone>
    }
}

/// The organisation's monthly reports (§11): its diagnosis, its members' reports one by one
/// and all in one PDF.
#[component]
fn Shelf(s: ReportShelf) -> impl IntoView {
    let title = match &s.month {
        Some(m) => format!("月度报告（{m}）"),
        None => "月度报告".to_string(),
    };
    let empty = s.branch.is_none() && s.members.is_empty();
    view! {
        <h2>{title}</h2>
        {empty.then(|| view! { <Notice text="尚未生成报告：每月5日08:00自动生成上月报告" /> })}
        <ul class="work-reports">
            {s.branch.map(|b| view! {
                <li data-testid="report-branch">
                    <a href=b.url.clone() target="_blank" rel="noopener">{format!("支部党建诊疗报告 · {}", b.subject_name)}</a>
                    " "
                    <a class="small" href=b.pdf.clone() target="_blank" rel="noopener">"PDF"</a>
                </li>
            })}
            {s.members_pdf.map(|u| view! {
                <li data-testid="report-members-pdf">
                    <a href=u target="_blank" rel="noopener">{format!("全体党员锋领指数报告（{}份，一个PDF）", s.members.len())}</a>
                </li>
            })}
        </ul>
        <ul class="work-reports work-report-members">
            {s.members.into_iter().map(|m| view! {
                <li data-testid="report-member"><a href=m.url.clone() target="_blank" rel="noopener">{m.subject_name.clone()}</a></li>
            }).collect_view()}
        </ul>
    }
}

/// One warning with what can be done about it.
#[component]
fn WarningCard(w: WarningView, focus: Memo<Option<i64>>, status: RwSignal<Option<String>>, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    #[cfg(not(feature = "hydrate"))]
    let _ = (status, reload);
    let id = w.warning_id;
    let note = RwSignal::new(String::new());
    let keep = Keep::month(&w.month);
    let href = if w.subject_kind == "member" { member_href(&w.subject_id, &keep) } else { org_href(&w.subject_id, false, &keep) };
    let active = w.state == "open" || w.state == "acknowledged";
    let ack = move |_| {
        #[cfg(feature = "hydrate")]
        write("POST", format!("/api/v1/warnings/{id}/ack"), None, 200, status, reload);
    };
    let resolve = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let body = serde_json::json!({ "note": note.get_untracked() }).to_string();
            write("POST", format!("/api/v1/warnings/{id}/resolve"), Some(body), 200, status, reload);
        }
    };
    let who = if w.subject_kind == "member" { format!("{} · {}", w.subject_name, w.org_name) } else { w.subject_name.clone() };
    let handled = match (&w.resolved_by, &w.acked_by) {
        (Some(by), _) => format!("{by} 于 {} 整改完成：{}", w.resolved_at.clone().unwrap_or_default(), w.note.clone().unwrap_or_default()),
        (None, Some(by)) => format!("{by} 于 {} 确认", w.acked_at.clone().unwrap_or_default()),
        _ => String::new(),
    };
    view! {
        <li
            class=format!("work-card {}", w.light)
            class:focus=move || focus.get() == Some(id)
            class:overdue=w.overdue
            data-testid="work-warning"
            data-warning-id=id.to_string()
            data-state=w.state.clone()
        >
            <div class="work-card-head">
                <span class=format!("light-tag {}", w.light)>{w.light.zh()}</span>
                <a class="work-subject" href=href rel="external">{who}</a>
                <span class=format!("feed-state {}", if w.overdue { "overdue" } else { w.state.as_str() }) data-testid="work-state">{state_label(&w)}</span>
            </div>
            <div class="work-reason">{w.reason_zh.clone()}</div>
            <div class="work-meta">{format!("{} 月预警 · {} 发出 · 已 {} 天", w.month, w.raised_at, w.age_days)}</div>
            {(!handled.is_empty()).then(|| view! { <div class="work-meta">{handled}</div> })}
            {active.then(|| view! {
                <form class="form form-row" on:submit=resolve>
                    {(w.state == "open").then(|| view! { <button type="button" class="small" data-testid="ack" on:click=ack>"确认"</button> })}
                    <input
                        placeholder="整改情况（必填）"
                        required
                        data-testid="note"
                        prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev))
                    />
                    <button type="submit" class="small" data-testid="resolve">"整改完成"</button>
                </form>
            })}
        </li>
    }
}

/// The 体检表 of one organisation.
#[component]
fn CheckupView(c: Checkup, org: RwSignal<Option<String>>, status: RwSignal<Option<String>>, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let org_id = c.org_id.clone();
    view! {
        <h2>{format!("支部体检表 · {} · {}", c.org_name, c.month)}</h2>
        <label class="work-pick">
            "组织："
            <select prop:value=c.org_id.clone() on:change=move |ev| org.set(Some(event_target_value(&ev)))>
                {c.choices.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
            </select>
        </label>
        <div class="work-scroll">
        <table class="admin-table work-indicators" data-testid="indicators">
            <thead><tr><th>"指标"</th><th>"本组织"</th><th>"全区平均"</th><th>"近12个月"</th><th></th></tr></thead>
            <tbody>
                {c.indicators.iter().map(|i| view! { <IndicatorRow i=i.clone() /> }).collect_view()}
            </tbody>
        </table>
        </div>
        <h3>{format!("诊断发现（{} 项）", c.findings.len())}</h3>
        {c.findings.is_empty().then(|| view! { <Notice text="各项指标均无问题" /> })}
        <ul class="work-list" data-testid="findings">
            {c.findings.into_iter().map(|f| view! { <FindingCard f org_id=org_id.clone() status reload /> }).collect_view()}
        </ul>
        <Library items=c.library org_id=c.org_id.clone() status reload />
    }
}

/// The resource library (§6), browsed by kind and tag; 标记已使用 records that the
/// organisation used one (it is then not recommended to it for 12 months).
#[component]
fn Library(items: Vec<LibraryItem>, org_id: String, status: RwSignal<Option<String>>, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    #[cfg(not(feature = "hydrate"))]
    let _ = (status, reload);
    let kind = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let mut kinds: Vec<String> = items.iter().map(|r| r.kind.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let mut tags: Vec<String> = items.iter().flat_map(|r| r.tags.clone()).collect();
    tags.sort();
    tags.dedup();
    let total = items.len();
    let rows = items.into_iter().map(|r| {
        let (k, t) = (r.kind.clone(), r.tags.clone());
        let shown = move || (kind.with(|s| s.is_empty() || *s == k)) && tag.with(|s| s.is_empty() || t.contains(s));
        let (_org, _rid) = (org_id.clone(), r.resource_id.clone());
        let used = move |_| {
            #[cfg(feature = "hydrate")]
            write("POST", format!("/api/v1/orgs/{_org}/resources/{_rid}/used"), Some("{}".into()), 204, status, reload);
        };
        view! {
            <li class="work-resource" data-testid="library-item" data-resource-id=r.resource_id.clone() style:display=move || if shown() { "" } else { "none" }>
                <span class="resource-kind">{crate::format::resource_kind_zh(&r.kind)}</span>
                <span class="work-resource-title">{r.title.clone()}</span>
                <span class="work-meta">{r.tags.join(" · ")}</span>
                <span class="work-meta">{r.last_used.clone().map(|d| format!("上次使用 {d}")).unwrap_or_else(|| "未使用".into())}</span>
                <button class="small" on:click=used>"标记已使用"</button>
            </li>
        }
    }).collect_view();
    view! {
        <h3>{format!("资源库（{total} 项）")}</h3>
        <div class="work-filters">
            <label>"类别："
                <select data-testid="library-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="">"全部"</option>
                    {kinds.into_iter().map(|k| view! { <option value=k.clone()>{crate::format::resource_kind_zh(&k)}</option> }).collect_view()}
                </select>
            </label>
            <label>"标签："
                <select data-testid="library-tag" on:change=move |ev| tag.set(event_target_value(&ev))>
                    <option value="">"全部"</option>
                    {tags.into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                </select>
            </label>
        </div>
        <ul class="work-library" data-testid="library">{rows}</ul>
    }
}

#[component]
fn IndicatorRow(i: OrgIndicator) -> impl IntoView {
    let value = i.text.clone().unwrap_or_else(|| format_in_unit(i.value, i.unit));
    view! {
        <tr class=format!("light-{}", i.light)>
            <td>{i.zh.clone()}</td>
            <td>{value}</td>
            <td>{format_in_unit(i.district_average, i.unit)}</td>
            <td><Sparkline values=i.trend.clone() /></td>
            <td><span class=format!("light-tag {}", i.light)>{i.light.zh()}</span></td>
        </tr>
    }
}

/// A 12-month trend as a small line (SVG; months without a value are skipped).
#[component]
fn Sparkline(values: Vec<Option<f64>>) -> impl IntoView {
    let known: Vec<(usize, f64)> = values.iter().enumerate().filter_map(|(i, v)| v.filter(|x| x.is_finite()).map(|x| (i, x))).collect();
    let (lo, hi) = known.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, v)| (lo.min(v), hi.max(v)));
    let n = values.len().max(2) - 1;
    let points: String = known
        .iter()
        .map(|&(i, v)| {
            let y = if hi > lo { 22.0 - 20.0 * (v - lo) / (hi - lo) } else { 12.0 };
            format!("{:.1},{:.1}", 2.0 + 116.0 * i as f64 / n as f64, y)
        })
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <svg class="sparkline" viewBox="0 0 120 24" width="120" height="24" aria-hidden="true">
            <polyline points=points fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
    }
}

#[component]
fn FindingCard(f: Finding, org_id: String, status: RwSignal<Option<String>>, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    #[cfg(not(feature = "hydrate"))]
    let _ = (status, reload);
    view! {
        <li class=format!("work-card {}", f.light) data-testid="finding">
            <div class="work-card-head">
                <span class=format!("light-tag {}", f.light)>{f.light.zh()}</span>
                <span class="work-subject">{f.indicator_zh.clone()}</span>
                <span class="work-value">{format!("本月 {}", f.text)}</span>
            </div>
            <div class="work-evidence" data-testid="finding-evidence">{f.evidence.clone()}</div>
            <div class="work-reason">{f.prescription.clone()}</div>
            <ul class="work-resources">
                {f.resources.into_iter().map(|r| {
                    let (_org, _rid) = (org_id.clone(), r.resource_id.clone());
                    let used = move |_| {
                        #[cfg(feature = "hydrate")]
                        write("POST", format!("/api/v1/orgs/{_org}/resources/{_rid}/used"), Some("{}".into()), 204, status, reload);
                    };
                    view! {
                        <li>
                            {format!("{}：{}", crate::format::resource_kind_zh(&r.kind), r.title)}
                            " "
                            <button class="small" on:click=used>"标记已使用"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </li>
    }
}
