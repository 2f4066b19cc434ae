//! District view (`/`): the top of the organisation tree with subtree totals.

use leptos::prelude::*;

use crate::errors::AppError;
use crate::models::org::{OrgSummary, OrgTopLevel, format_count};

/// The root organisation(s) and their direct children, with subtree totals.
#[server]
pub async fn get_org_top_level() -> Result<Vec<OrgTopLevel>, AppError> {
    let store = use_context::<store::Store>().ok_or(AppError::NoStore)?;
    let roots = store.org_children(None).await.inspect_err(|e| {
        leptos::logging::error!("get_org_top_level: loading roots failed: {e}");
    })?;
    let mut top = Vec::with_capacity(roots.len());
    for root in roots {
        let children = store
            .org_children(Some(&root.org_id))
            .await
            .inspect_err(|e| {
                leptos::logging::error!(
                    "get_org_top_level: loading children of {} failed: {e}",
                    root.org_id
                );
            })?;
        top.push(OrgTopLevel {
            root,
            children,
        });
    }
    Ok(top)
}

#[component]
pub fn DistrictPage() -> impl IntoView {
    let top = Resource::new(|| (), |_| get_org_top_level());

    view! {
        <Transition fallback=|| view! { <p class="loading" data-testid="loading">"数据加载中…"</p> }>
            {move || Suspend::new(async move {
                match top.await {
                    Ok(levels) => view! { <DistrictOverview levels /> }.into_any(),
                    Err(error) => view! { <LoadError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DistrictOverview(levels: Vec<OrgTopLevel>) -> impl IntoView {
    let members: i64 = levels.iter().map(|l| l.root.members).sum();
    let grassroots: i64 = levels.iter().map(|l| l.root.grassroots).sum();
    let children: usize = levels.iter().map(|l| l.children.len()).sum();
    let heading = levels
        .iter()
        .map(|l| l.root.name.clone())
        .collect::<Vec<_>>()
        .join(" · ");

    view! {
        <section class="kpis" data-testid="kpis">
            <Kpi label="党员总数" value=format_count(members) unit="名" testid="kpi-members" />
            <Kpi label="基层党组织" value=format_count(grassroots) unit="个" testid="kpi-grassroots" />
            <Kpi label="直属下级组织" value=format_count(children as i64) unit="个" testid="kpi-children" />
        </section>
        <section class="panel org-panel" data-testid="org-top">
            <h2 class="panel-title">
                "组织体系"
                <span class="panel-sub">{heading}</span>
            </h2>
            <OrgTable levels />
        </section>
    }
}

#[component]
fn Kpi(
    label: &'static str,
    value: String,
    unit: &'static str,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <div class="kpi" data-testid=testid>
            <div class="kpi-label">{label}</div>
            <div class="kpi-value">
                <span class="kpi-number">{value}</span>
                <span class="kpi-unit">{unit}</span>
            </div>
        </div>
    }
}

#[component]
fn OrgTable(levels: Vec<OrgTopLevel>) -> impl IntoView {
    if levels.is_empty() {
        return view! { <p class="notice" data-testid="org-empty">"暂无组织数据，请先导入"</p> }
            .into_any();
    }
    let rows = levels
        .into_iter()
        .flat_map(|l| {
            std::iter::once(view! { <OrgRow org=l.root depth=0 /> }).chain(
                l.children
                    .into_iter()
                    .map(|c| view! { <OrgRow org=c depth=1 /> }),
            )
        })
        .collect_view();

    view! {
        <table class="org-table">
            <thead>
                <tr>
                    <th class="col-name">"组织名称"</th>
                    <th class="col-kind">"类型"</th>
                    <th class="col-num">"党员数"</th>
                    <th class="col-num">"基层党组织"</th>
                    <th class="col-num">"下级组织"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

#[component]
fn OrgRow(org: OrgSummary, depth: u8) -> impl IntoView {
    let kind_label = org.kind_label();
    view! {
        <tr
            class=if depth == 0 { "org-row org-root" } else { "org-row org-child" }
            data-testid="org-row"
            data-org-id=org.org_id
            data-kind=org.kind
            data-depth=depth
        >
            <td class="col-name">{org.name}</td>
            <td class="col-kind">
                <span class="kind-tag" data-testid="org-kind">{kind_label}</span>
            </td>
            <td class="col-num">{format_count(org.members)}</td>
            <td class="col-num">{format_count(org.grassroots)}</td>
            <td class="col-num">{format_count(org.children)}</td>
        </tr>
    }
}

#[component]
fn LoadError(error: AppError) -> impl IntoView {
    view! {
        <section class="panel">
            <p class="notice notice-error" role="alert" data-testid="load-error">
                {error.message_zh()}
            </p>
        </section>
    }
}
