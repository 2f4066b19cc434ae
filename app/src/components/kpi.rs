//! Headline figures of the organisation in view: size of the subtree, records behind the
//! figures, mean Vanguard Index, and the red / yellow / green counts of members and branches.

use domain::wire::{Headline, WallSnapshot};
use leptos::prelude::*;

use super::Shown;
use super::panel::Panel;
use crate::format::{format_count, share};

/// The mean index as the wall prints it (two decimals; the exact text is the tooltip).
pub fn index_text(exact: &str) -> String {
    exact.parse::<f64>().map(|v| format!("{v:.2}")).unwrap_or_else(|_| exact.to_string())
}

#[component]
pub fn Kpi(label: &'static str, #[prop(into)] value: Signal<String>, unit: &'static str, testid: &'static str, #[prop(optional)] big: bool) -> impl IntoView {
    view! {
        <div class="kpi" class:kpi-big=big data-testid=testid>
            <div class="kpi-label">{label}</div>
            <div class="kpi-value">
                <span class="kpi-number">{move || value.get()}</span>
                <span class="kpi-unit">{unit}</span>
            </div>
        </div>
    }
}

/// One row of lights: red, yellow and green counts with the red-and-yellow share.
#[component]
fn LightRow(label: &'static str, what: &'static str, #[prop(into)] counts: Signal<(i64, i64, i64)>) -> impl IntoView {
    let count = move |k: usize| {
        move || {
            let (r, y, g) = counts.get();
            format_count([r, y, g][k])
        }
    };
    let warn_share = move || {
        let (r, y, g) = counts.get();
        format!("预警占比 {:.1}%", share(r + y, r + y + g))
    };
    view! {
        <div class="light-row">
            <div class="light-row-label">{label}</div>
            <div class="light red" data-testid=format!("kpi-red-{what}")>
                <span class="dot"></span>
                <span class="light-name">"红"</span>
                <span class="light-count">{count(0)}</span>
            </div>
            <div class="light yellow" data-testid=format!("kpi-yellow-{what}")>
                <span class="dot"></span>
                <span class="light-name">"黄"</span>
                <span class="light-count">{count(1)}</span>
            </div>
            <div class="light green" data-testid=format!("kpi-green-{what}")>
                <span class="dot"></span>
                <span class="light-name">"绿"</span>
                <span class="light-count">{count(2)}</span>
            </div>
            <div class="light-share">{warn_share}</div>
        </div>
    }
}

#[component]
pub fn HeadlinePanel(snap: Shown<WallSnapshot>) -> impl IntoView {
    let h = Memo::new(move |_| snap.with(|s| s.as_deref().map(|s| s.headline.clone()).unwrap_or_default()));
    let count = move |f: fn(&Headline) -> i64| Signal::derive(move || h.with(|h| format_count(f(h))));
    let mean = Signal::derive(move || h.with(|h| index_text(&h.mean_index)));
    let mean_exact = move || h.with(|h| h.mean_index.clone());
    view! {
        <Panel title="核心指标" class="area-kpi" testid="kpis">
            <div class="kpi-grid">
                <Kpi label="党组织" value=count(|h| h.orgs) unit="个" testid="kpi-orgs" />
                <Kpi label="基层党组织" value=count(|h| h.grassroots) unit="个" testid="kpi-grassroots" />
                <Kpi label="党员总数" value=count(|h| h.members) unit="名" testid="kpi-members" />
                <Kpi label="数据记录" value=count(|h| h.records) unit="条" testid="kpi-records" />
            </div>
            <div class="kpi-index" title=mean_exact>
                <Kpi label="平均锋领指数（本年累计）" value=mean unit="分" testid="kpi-mean-index" big=true />
            </div>
            <div class="light-table">
                <LightRow label="党员" what="members" counts=Signal::derive(move || h.with(|h| (h.red_members, h.yellow_members, h.green_members))) />
                <LightRow label="基层组织" what="branches" counts=Signal::derive(move || h.with(|h| (h.red_branches, h.yellow_branches, h.green_branches))) />
            </div>
        </Panel>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn index_text() {
        assert_eq!(super::index_text("23.456789"), "23.46");
        assert_eq!(super::index_text("-5"), "-5.00");
        assert_eq!(super::index_text("n/a"), "n/a");
    }
}
