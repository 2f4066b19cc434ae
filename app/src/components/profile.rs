//! The member view's card (who, where, index, ranks, lights), the index by dimension and
//! the index through the year.

use domain::wire::MemberProfile;
use domain::{Category, Light, Period, Unit};
use leptos::prelude::*;

use super::charts::Chart;
use super::charts::bar::Columns;
use super::charts::line::LineData;
use super::charts::theme;
use super::kpi::{Kpi, index_text};
use super::panel::Panel;
use super::{Shown, version_of};
use crate::format::format_count;
use crate::layout::Presentation;

/// The charts' sizes on the wall and on the briefing screen.
pub const DIMENSIONS_SIZE: (u32, u32) = (972, 700);
pub const BRIEFING_DIMENSIONS_SIZE: (u32, u32) = (752, 420);
pub const MONTHLY_SIZE: (u32, u32) = (2272, 560);
pub const BRIEFING_MONTHLY_SIZE: (u32, u32) = (904, 420);

/// The four dimensions of the index (§4), in the order the wall shows them.
pub const DIMENSIONS: [(&str, &str); 4] = [("party_life", "组织生活"), ("duty", "履职尽责"), ("contribution", "奉献贡献"), ("morality", "品德表现")];

/// The points of a profile in one dimension, as text.
pub fn dimension_text<'a>(p: &'a MemberProfile, dimension: &str) -> &'a str {
    match dimension {
        "party_life" => &p.party_life,
        "duty" => &p.duty,
        "contribution" => &p.contribution,
        _ => &p.morality,
    }
}

#[component]
pub fn ProfilePanel(profile: Shown<MemberProfile>) -> impl IntoView {
    let read = move |f: fn(&MemberProfile) -> String| Signal::derive(move || profile.with(|p| p.as_deref().map(f).unwrap_or_default()));
    let light = Signal::derive(move || profile.with(|p| p.as_deref().map(|p| p.light)));
    let name = read(|p| p.name.clone());
    let org = read(|p| p.org.name.clone());
    let category = read(|p| Category::parse(&p.category).map_or(p.category.clone(), |c| c.zh().to_string()));
    let joined = read(|p| format!("{} 入党", p.joined_on));
    view! {
        <Panel title="党员画像" class="area-profile" testid="member-profile">
            <div class="profile-head">
                <div class="profile-name" data-testid="member-name">{move || name.get()}</div>
                <div class=move || format!("light-badge {}", light.get().map_or("", Light::as_str)) data-testid="member-light">{move || light.get().unwrap_or_default().zh()}</div>
            </div>
            <div class="profile-facts">
                <span>{move || org.get()}</span>
                <span>{move || category.get()}</span>
                <span>{move || joined.get()}</span>
            </div>
            <div class="kpi-grid">
                <Kpi label="锋领指数（本年累计）" value=read(|p| index_text(&p.index)) unit="分" testid="member-index" big=true />
                <Kpi label="全区排名" value=read(|p| format!("{}/{}", format_count(p.district_rank), format_count(p.district_population))) unit="" testid="member-district-rank" />
                <Kpi label="支部排名" value=read(|p| format!("{}/{}", p.org_rank, p.org_population)) unit="" testid="member-org-rank" />
                <Kpi label="党费连续欠交" value=read(|p| p.dues_arrears.to_string()) unit="个月" testid="member-dues-arrears" />
                <Kpi label="连续缺席组织生活" value=read(|p| p.absence.to_string()) unit="个月" testid="member-absence" />
            </div>
        </Panel>
    }
}

#[component]
pub fn DimensionsPanel(profile: Shown<MemberProfile>) -> impl IntoView {
    let data = Signal::derive(move || {
        profile.with(|p| match p.as_deref() {
            None => Columns { labels: Vec::new(), values: Vec::new(), colors: Vec::new(), unit: Unit::Points },
            Some(p) => Columns {
                labels: DIMENSIONS.iter().map(|(_, zh)| zh.to_string()).collect(),
                values: DIMENSIONS.iter().map(|(d, _)| dimension_text(p, d).parse().unwrap_or(0.0)).collect(),
                colors: vec![theme::GOLD, theme::CYAN, theme::GREEN, theme::VIOLET],
                unit: Unit::Points,
            },
        })
    });
    view! {
        <Panel title="指数构成（分维度）" class="area-dims" testid="member-dimensions">
            <Chart name="member-dimensions" label="锋领指数分维度" size=Presentation::get().pick(DIMENSIONS_SIZE, BRIEFING_DIMENSIONS_SIZE) data version=version_of(profile, |p| p.version) />
        </Panel>
    }
}

/// The index at the end of each month of the year; a click on a month shows its trace.
#[component]
pub fn MonthlyPanel(profile: Shown<MemberProfile>, selected: RwSignal<String>, on_pick: Callback<String>) -> impl IntoView {
    let data = Signal::derive(move || {
        profile.with(|p| {
            let Some(p) = p.as_deref() else {
                return LineData { ticks: Vec::new(), keys: Vec::new(), values: Vec::new(), unit: Unit::Points, color: theme::GOLD, selected: None };
            };
            let months: Vec<Period> = (1..=p.monthly_index.len() as u32).map(|m| Period::new(p.year, m)).collect();
            let keys: Vec<String> = months.iter().map(Period::to_string).collect();
            let chosen = selected.get();
            LineData {
                ticks: months.iter().map(|m| m.tick_zh()).collect(),
                selected: keys.iter().position(|k| *k == chosen),
                keys,
                values: p.monthly_index.iter().map(|v| Some(*v)).collect(),
                unit: Unit::Points,
                color: theme::GOLD,
            }
        })
    });
    view! {
        <Panel title="锋领指数月度走势（点击月份查看明细）" class="area-monthly" testid="member-monthly">
            <Chart name="member-monthly" label="锋领指数月度走势" size=Presentation::get().pick(MONTHLY_SIZE, BRIEFING_MONTHLY_SIZE) data version=version_of(profile, |p| p.version) on_pick />
        </Panel>
    }
}
