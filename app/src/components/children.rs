//! Comparison of the child organisations: the list of children (click to drill down) with
//! bar charts of their mean index, organisation-life completion and red / yellow members.

use domain::Unit;
use domain::wire::ChildBar;

use super::charts::bar::BarRow;
use super::charts::theme;
use super::kpi::index_text;
use super::rows::{BarSpec, ListSpec, RowContext, RowItem, RowKind};
use crate::format::{format_count, format_in_unit, kind_zh, name_under};
use crate::urls::org_href;

/// Width of each of the three charts, on the wall and on the briefing screen.
pub const CHART_WIDTH: (u32, u32) = (500, 217);

fn child_item(c: &ChildBar, cx: &RowContext) -> RowItem {
    RowItem {
        id: c.org_id.clone(),
        href: org_href(&c.org_id, false, cx.keep),
        name: name_under(&c.name, cx.parent),
        title: c.name.clone(),
        light: c.light,
        tag: kind_zh(&c.kind).to_string(),
        figure: format_count(c.members),
        has_children: c.has_children,
    }
}

fn specs() -> Vec<BarSpec<ChildBar>> {
    vec![
        BarSpec {
            name: "child-index",
            title: "平均锋领指数",
            width: CHART_WIDTH,
            colors: vec![theme::GOLD],
            parts: &[],
            max: None,
            unit: Unit::Points,
            bar: |c| BarRow { key: String::new(), parts: vec![c.mean_index.max(0.0)], label: index_text(&c.mean_index_text) },
        },
        BarSpec {
            name: "child-org-life",
            title: "组织生活完成率",
            width: CHART_WIDTH,
            colors: vec![theme::CYAN],
            parts: &[],
            max: Some(100.0),
            unit: Unit::Percent,
            bar: |c| BarRow {
                key: String::new(),
                parts: vec![c.org_life_completion.unwrap_or(0.0)],
                label: format_in_unit(c.org_life_completion, Unit::Percent),
            },
        },
        BarSpec {
            name: "child-lights",
            title: "预警党员",
            width: CHART_WIDTH,
            colors: vec![theme::RED, theme::YELLOW],
            parts: &["红灯", "黄灯"],
            max: None,
            unit: Unit::Count,
            bar: |c| BarRow {
                key: String::new(),
                parts: vec![c.red_members as f64, c.yellow_members as f64],
                label: format!("{} / {}", c.red_members, c.yellow_members),
            },
        },
    ]
}

/// The children of the organisation in view.
pub static CHILDREN: ListSpec<ChildBar> =
    ListSpec {
        heading: "下级组织", head_figure: "党员", kind: RowKind::Org, testid: "child-row", rows: |s| s.children.clone(), item: child_item, bars: specs
    };
