//! `/admin` (docs/RULES.md §10, for `admin` accounts): accounts (list, add, disable), kiosk
//! tokens (list, create — the token is shown this once with its kiosk link —, revoke), the
//! webhooks of §11 (add, send a test message, remove; failed messages shown) and the audit
//! log filtered by actor, action and time. Writes go to the JSON API
//! (`/api/v1/accounts`, `/api/v1/tokens`), which audits them; the page then reads again.

use domain::Role;
use leptos::prelude::*;

use super::phone::{Notice, Phone};
use crate::functions::people::{AdminData, admin_data};

type Filter = (Option<String>, Option<String>, Option<String>, Option<String>);

/// Sends a write and, when it succeeded, reads the page's data again; a failure is shown.
#[cfg(feature = "hydrate")]
fn write(
    method: &'static str,
    url: String,
    body: Option<String>,
    ok: u16,
    status: RwSignal<Option<String>>,
    then: impl FnOnce(crate::http::Answer) + 'static,
    reload: impl Fn() + 'static,
) {
    leptos::task::spawn_local(async move {
        match crate::http::send(method, &url, body).await {
            Ok(a) if a.status == ok => {
                status.set(None);
                then(a);
                reload();
            }
            Ok(a) => status.set(Some(a.message("操作失败"))),
            Err(e) => status.set(Some(e)),
        }
    });
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let filter = RwSignal::new(Filter::default());
    let data = Resource::new(move || filter.get(), |(actor, action, from, to)| admin_data(actor, action, from, to));
    let status = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<(String, String)>);
    #[cfg(feature = "hydrate")]
    let reload = move || data.refetch();

    // Add an account.
    let (login, password, role, org, member) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new("secretary".to_string()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let body = serde_json::json!({
                "login": login.get_untracked(), "password": password.get_untracked(), "role": role.get_untracked(),
                "org_id": org.get_untracked(), "member_id": Some(member.get_untracked()).filter(|m| !m.is_empty()),
            });
            write("POST", "/api/v1/accounts".into(), Some(body.to_string()), 201, status, move |_| password.set(String::new()), reload);
        }
    };
    // Create a kiosk token.
    let (t_org, t_label, t_days) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let days: Option<u32> = t_days.get_untracked().trim().parse().ok();
            let body = serde_json::json!({ "org_id": t_org.get_untracked(), "label": t_label.get_untracked(), "days": days });
            write(
                "POST",
                "/api/v1/tokens".into(),
                Some(body.to_string()),
                201,
                status,
                move |a| created.set(Some((a.text("token"), a.text("kiosk_path")))),
                reload,
            );
        }
    };
    let disable = move |_login: String| {
        #[cfg(feature = "hydrate")]
        write("POST", format!("/api/v1/accounts/{_login}/disable"), None, 200, status, |_| (), reload);
    };
    let revoke = move |_id: i64| {
        #[cfg(feature = "hydrate")]
        write("DELETE", format!("/api/v1/tokens/{_id}"), None, 204, status, |_| (), reload);
    };
    // Webhooks (§11): add, send a test message, remove.
    let (w_org, w_kind, w_url, w_secret) =
        (RwSignal::new(String::new()), RwSignal::new("wecom".to_string()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let add_hook = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let secret = Some(w_secret.get_untracked()).filter(|s| !s.is_empty());
            let body = serde_json::json!({ "org_id": w_org.get_untracked(), "kind": w_kind.get_untracked(), "url": w_url.get_untracked(), "secret": secret });
            write("POST", "/api/v1/webhooks".into(), Some(body.to_string()), 201, status, move |_| w_secret.set(String::new()), reload);
        }
    };
    let test_hook = move |_id: i64| {
        #[cfg(feature = "hydrate")]
        write("POST", format!("/api/v1/webhooks/{_id}/test"), None, 202, status, |_| (), reload);
    };
    let remove_hook = move |_id: i64| {
        #[cfg(feature = "hydrate")]
        write("DELETE", format!("/api/v1/webhooks/{_id}"), None, 204, status, |_| (), reload);
    };
    // The audit filter, applied on submit.
    let (f_actor, f_action, f_from, f_to) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let some = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        filter.set((some(f_actor), some(f_action), some(f_from), some(f_to)));
    };

    let body = move |d: AdminData| {
        let actions = d.actions.clone();
        view! {
            <section class="me-card">
                <h2>"账号"</h2>
                <table class="admin-table" data-testid="accounts">
                    <thead><tr><th>"用户名"</th><th>"角色"</th><th>"组织"</th><th>"党员"</th><th>"状态"</th><th></th></tr></thead>
                    <tbody>
                        {d.accounts.into_iter().map(|a| {
                            let l = a.login.clone();
                            let role_zh = Role::parse(&a.role).map(|r| r.zh()).unwrap_or("?");
                            view! {
                                <tr data-login=a.login.clone()>
                                    <td>{a.login.clone()}</td><td>{role_zh}</td><td>{a.org_id.clone()}</td><td>{a.member_id.clone().unwrap_or_default()}</td>
                                    <td>{if a.disabled_at.is_some() { "已停用" } else { "正常" }}</td>
                                    <td>{a.disabled_at.is_none().then(|| view! { <button class="small" on:click=move |_| disable(l.clone())>"停用"</button> })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <form class="form form-row" on:submit=add data-testid="account-form">
                    <input placeholder="用户名" required prop:value=move || login.get() on:input=move |ev| login.set(event_target_value(&ev)) />
                    <input type="password" placeholder="密码（至少10位）" required minlength="10" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                    <select prop:value=move || role.get() on:change=move |ev| role.set(event_target_value(&ev))>
                        {Role::ALL.iter().map(|r| view! { <option value=r.as_str()>{r.zh()}</option> }).collect_view()}
                    </select>
                    <input placeholder="组织编号" required prop:value=move || org.get() on:input=move |ev| org.set(event_target_value(&ev)) />
                    <input placeholder="党员编号（党员账号必填）" prop:value=move || member.get() on:input=move |ev| member.set(event_target_value(&ev)) />
                    <button type="submit">"添加账号"</button>
                </form>
            </section>
            <section class="me-card">
                <h2>"大屏令牌"</h2>
                {move || created.get().map(|(token, path)| view! {
                    <p class="created-token" data-testid="created-token">"新令牌（仅显示一次）：" <code>{token}</code> " 大屏打开：" <code>{path}</code></p>
                })}
                <table class="admin-table" data-testid="tokens">
                    <thead><tr><th>"编号"</th><th>"名称"</th><th>"组织"</th><th>"有效期至"</th><th>"状态"</th><th></th></tr></thead>
                    <tbody>
                        {d.tokens.into_iter().map(|t| {
                            let id = t.id;
                            view! {
                                <tr>
                                    <td>{t.id}</td><td>{t.label.clone()}</td><td>{t.org_id.clone()}</td><td>{t.expires_at.clone().unwrap_or_else(|| "长期".into())}</td>
                                    <td>{if t.revoked_at.is_some() { "已撤销" } else { "有效" }}</td>
                                    <td>{t.revoked_at.is_none().then(|| view! { <button class="small" on:click=move |_| revoke(id)>"撤销"</button> })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <form class="form form-row" on:submit=create data-testid="token-form">
                    <input placeholder="组织编号" required prop:value=move || t_org.get() on:input=move |ev| t_org.set(event_target_value(&ev)) />
                    <input placeholder="名称（如：大厅大屏）" prop:value=move || t_label.get() on:input=move |ev| t_label.set(event_target_value(&ev)) />
                    <input type="number" min="1" placeholder="有效天数（空为长期）" prop:value=move || t_days.get() on:input=move |ev| t_days.set(event_target_value(&ev)) />
                    <button type="submit">"创建令牌"</button>
                </form>
            </section>
            <section class="me-card">
                <h2>"预警推送（Webhook）"</h2>
                <table class="admin-table" data-testid="webhooks">
                    <thead><tr><th>"编号"</th><th>"组织"</th><th>"类型"</th><th>"地址"</th><th>"待发"</th><th>"已送达"</th><th>"失败"</th><th>"最近错误"</th><th></th></tr></thead>
                    <tbody>
                        {d.webhooks.into_iter().map(|w| {
                            let id = w.id;
                            let kind_zh = match w.kind.as_str() { "wecom" => "企业微信", "dingtalk" => "钉钉", _ => "通用" };
                            let failing = w.failed > 0;
                            view! {
                                <tr class:denied=failing data-webhook=w.id.to_string()>
                                    <td>{w.id}</td><td>{w.org_id.clone()}</td><td>{kind_zh}{if w.signed { "（签名）" } else { "" }}</td><td>{w.url.clone()}</td>
                                    <td>{w.pending}</td><td>{w.delivered}</td><td data-testid="webhook-failed">{w.failed}</td><td>{w.last_error.clone().unwrap_or_default()}</td>
                                    <td>
                                        <button class="small" on:click=move |_| test_hook(id)>"发送测试消息"</button>
                                        " "
                                        <button class="small" on:click=move |_| remove_hook(id)>"删除"</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <form class="form form-row" on:submit=add_hook data-testid="webhook-form">
                    <input placeholder="组织编号" required prop:value=move || w_org.get() on:input=move |ev| w_org.set(event_target_value(&ev)) />
                    <select prop:value=move || w_kind.get() on:change=move |ev| w_kind.set(event_target_value(&ev))>
                        <option value="wecom">"企业微信群机器人"</option>
                        <option value="dingtalk">"钉钉自定义机器人"</option>
                        <option value="generic">"通用 HTTP"</option>
                    </select>
                    <input placeholder="地址 https://…" required prop:value=move || w_url.get() on:input=move |ev| w_url.set(event_target_value(&ev)) />
                    <input placeholder="签名密钥（可选）" prop:value=move || w_secret.get() on:input=move |ev| w_secret.set(event_target_value(&ev)) />
                    <button type="submit">"添加推送"</button>
                </form>
            </section>
            <section class="me-card">
                <h2>"审计日志"</h2>
                <form class="form form-row" on:submit=apply data-testid="audit-filter">
                    <input placeholder="操作人" prop:value=move || f_actor.get() on:input=move |ev| f_actor.set(event_target_value(&ev)) />
                    <select prop:value=move || f_action.get() on:change=move |ev| f_action.set(event_target_value(&ev))>
                        <option value="">"全部操作"</option>
                        {actions.into_iter().map(|a| view! { <option value=a.clone()>{a.clone()}</option> }).collect_view()}
                    </select>
                    <input type="date" title="起始日期" prop:value=move || f_from.get() on:input=move |ev| f_from.set(event_target_value(&ev)) />
                    <input type="date" title="截止日期（不含）" prop:value=move || f_to.get() on:input=move |ev| f_to.set(event_target_value(&ev)) />
                    <button type="submit">"筛选"</button>
                </form>
                <table class="admin-table" data-testid="audit">
                    <thead><tr><th>"时间"</th><th>"操作人"</th><th>"角色"</th><th>"操作"</th><th>"对象"</th><th>"结果"</th><th>"地址"</th></tr></thead>
                    <tbody>
                        {d.audit.into_iter().map(|r| { let denied = r.outcome == "denied"; view! {
                            <tr class:denied=denied>
                                <td>{r.at}</td><td>{r.actor}</td><td>{r.role}</td><td>{r.action}</td><td>{r.target}</td><td>{r.outcome}</td><td>{r.ip}</td>
                            </tr>
                        }}).collect_view()}
                    </tbody>
                </table>
            </section>
        }
    };

    view! {
        <Phone title="系统管理" wide=true>
            {move || status.get().map(|s| view! { <p class="form-error" role="alert" data-testid="admin-error">{s}</p> })}
            <Transition fallback=|| view! { <Notice text="加载中…" /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => body(d).into_any(),
                        Err(e) => view! { <Notice text=e.message_zh() kind="error" /> }.into_any(),
                    }
                })}
            </Transition>
        </Phone>
    }
}
