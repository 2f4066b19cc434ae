//! The members an organisation holds directly (a branch's members), with their Vanguard
//! Index as bars; a click opens the member.

use domain::Unit;
use domain::wire::MemberRow;

use super::charts::bar::BarRow;
use super::charts::theme;
use super::children::CHART_WIDTH;
use super::kpi::index_text;
use super::rows::{BarSpec, ListSpec, RowContext, RowItem, RowKind};
use crate::urls::member_href;

/// The one chart takes the width of the three comparison charts and the gaps between them
/// (24 on the wall, 16 on the briefing screen).
const INDEX_WIDTH: (u32, u32) = (CHART_WIDTH.0 * 3 + 2 * 24, CHART_WIDTH.1 * 3 + 2 * 16);

fn member_item(m: &MemberRow, cx: &RowContext) -> RowItem {
    RowItem {
        id: m.member_id.clone(),
        href: member_href(&m.member_id, cx.keep),
        name: m.name.clone(),
        title: m.name.clone(),
        light: m.light,
        tag: format!("第{}名", m.org_rank),
        figure: index_text(&m.index),
        has_children: false,
    }
}

fn specs() -> Vec<BarSpec<MemberRow>> {
    vec![BarSpec {
        name: "member-index",
        title: "锋领指数（本年累计）",
        width: INDEX_WIDTH,
        colors: vec![theme::GOLD],
        parts: &[],
        max: None,
        unit: Unit::Points,
        bar: |m| BarRow { key: String::new(), parts: vec![m.index_value.max(0.0)], label: index_text(&m.index) },
    }]
}

/// The members the organisation in view holds directly.
pub static MEMBERS: ListSpec<MemberRow> = ListSpec {
    heading: "直属党员",
    head_figure: "指数",
    kind: RowKind::Member,
    testid: "member-row",
    rows: |s| s.members.clone(),
    item: member_item,
    bars: specs,
};
