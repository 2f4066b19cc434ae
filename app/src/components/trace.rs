//! The events behind the index: a matrix of points by rule and month for the year (each
//! column is a point of the monthly chart), and for the month chosen (a point of the chart,
//! a month button or a column) every scoring item with its rule, dimension, points and the
//! events that gave it.

use domain::wire::{MemberProfile, TraceItem};
use leptos::prelude::*;

use super::pager::Pager;
use super::panel::Panel;
use super::{Shown, cell, slots};
use crate::format::{format_figure, month_number, month_tick, month_zh};
use crate::layout::Presentation;

/// Items per page of the month's details, on the wall and on the briefing screen.
pub const TRACE_PER_PAGE: usize = 14;
pub const BRIEFING_TRACE_PER_PAGE: usize = 3;

/// Rules in the order the matrix lists them (others follow in order of appearance).
const RULE_ORDER: [&str; 6] = ["attend", "dues", "study", "model_post", "volunteer", "evaluation"];

/// One row of the matrix: a rule's points in each month of the year, and in total.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleRow {
    pub rule: String,
    pub rule_zh: String,
    pub cells: Vec<Option<f64>>,
    pub total: f64,
}

/// The matrix of `trace` over `months` (the year so far, in order).
pub fn rule_matrix(trace: &[TraceItem], months: &[String]) -> Vec<RuleRow> {
    let mut rows: Vec<RuleRow> = Vec::new();
    for item in trace {
        let Some(col) = months.iter().position(|m| *m == item.month) else { continue };
        let points = item.points.parse::<f64>().unwrap_or(0.0);
        let at = match rows.iter().position(|r| r.rule == item.rule) {
            Some(at) => at,
            None => {
                rows.push(RuleRow { rule: item.rule.clone(), rule_zh: item.rule_zh.clone(), cells: vec![None; months.len()], total: 0.0 });
                rows.len() - 1
            }
        };
        let row = &mut rows[at];
        row.cells[col] = Some(row.cells[col].unwrap_or(0.0) + points);
        row.total += points;
    }
    let rank = |rule: &str| RULE_ORDER.iter().position(|r| *r == rule).unwrap_or(RULE_ORDER.len());
    rows.sort_by_key(|r| rank(&r.rule));
    rows
}

fn points_text(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), format_figure)
}

/// The Chinese name of a dimension of the index.
pub fn dimension_zh(dimension: &str) -> &'static str {
    match dimension {
        "party_life" => "组织生活",
        "duty" => "履职尽责",
        "contribution" => "奉献贡献",
        "morality" => "品德表现",
        _ => "其他",
    }
}

/// Sum of the points of `items` (exact texts; the sum is for display only).
fn points_sum(items: &[TraceItem]) -> f64 {
    items.iter().filter_map(|t| t.points.parse::<f64>().ok()).sum()
}

#[component]
pub fn TracePanel(profile: Shown<MemberProfile>, selected: RwSignal<String>, reset: Memo<String>) -> impl IntoView {
    let months = Memo::new(move |_| {
        profile.with(|p| p.as_deref().map(|p| (1..=p.monthly_index.len()).map(|m| format!("{}-{m:02}", p.year)).collect::<Vec<_>>()).unwrap_or_default())
    });
    let items = Memo::new(move |_| {
        let m = selected.get();
        profile.with(|p| p.as_deref().map(|p| p.trace.iter().filter(|t| t.month == m).cloned().collect::<Vec<_>>()).unwrap_or_default())
    });
    let total = Memo::new(move |_| items.with(Vec::len));
    let page_reset = Memo::new(move |_| format!("{}|{}", reset.get(), selected.get()));
    let pager = Pager::new(total, Presentation::get().per_page(TRACE_PER_PAGE, BRIEFING_TRACE_PER_PAGE), page_reset);
    let rows = pager.slice(items);
    let matrix = Memo::new(move |_| months.with(|m| profile.with(|p| p.as_deref().map(|p| rule_matrix(&p.trace, m)).unwrap_or_default())));
    let totals = Memo::new(move |_| {
        let n = months.with(Vec::len);
        matrix.with(|rows| (0..n).map(|j| rows.iter().filter_map(|r| r.cells[j]).sum::<f64>()).collect::<Vec<_>>())
    });
    let column = move |j: usize| months.with(|m| m.get(j).cloned()).unwrap_or_default();
    let page = pager.label();
    let aside = Signal::derive(move || {
        let sum = items.with(|i| points_sum(i));
        format!("{} 合计 {}分 · {}项  {}", month_zh(&selected.get()), format_figure(sum), total.get(), page.get())
    });
    // The briefing's table heads its twelve month columns with bare numbers (`10`, not `10月`).
    let presentation = Presentation::get();
    let (rule_head, month_head) = (presentation.pick("积分规则", "规则＼月"), presentation.pick(month_tick as fn(&str) -> String, month_number));
    view! {
        <Panel title="积分明细（指数溯源）" class="area-trace" testid="member-trace" aside>
            <div class="month-chips" role="tablist">
                <For each=move || months.get() key=|m| m.clone() let:m>
                    {
                        let key = m.clone();
                        let is_on = move || selected.with(|s| *s == key);
                        let pick = m.clone();
                        view! {
                            <button class="chip-button" class:on=is_on data-testid="trace-month" data-month=m.clone() on:click=move |_| selected.set(pick.clone())>
                                {month_tick(&m)}
                            </button>
                        }
                    }
                </For>
            </div>
            <table class="table rule-matrix" data-testid="trace-matrix">
                <thead>
                    <tr>
                        <th class="rule-col">{move || rule_head.get()}</th>
                        <For each=slots(months) key=|j| *j let:j>
                            <th class="num month-col" class:on=move || selected.get() == column(j) on:click=move |_| selected.set(column(j))>
                                {move || month_head.get()(&column(j))}
                            </th>
                        </For>
                        <th class="num">"合计"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=slots(matrix) key=|i| *i let:i>
                        <tr data-testid="trace-rule" data-rule=cell(matrix, i, |r| r.rule.clone())>
                            <td class="rule-col">{cell(matrix, i, |r| r.rule_zh.clone())}</td>
                            <For each=slots(months) key=|j| *j let:j>
                                <td class="num" class:on=move || selected.get() == column(j)>
                                    {move || matrix.with(|m| m.get(i).map(|r| points_text(r.cells.get(j).copied().flatten()))).unwrap_or_default()}
                                </td>
                            </For>
                            <td class="num gold">{cell(matrix, i, |r| format_figure(r.total))}</td>
                        </tr>
                    </For>
                    <tr class="total-row">
                        <td class="rule-col">"当月得分"</td>
                        <For each=slots(months) key=|j| *j let:j>
                            <td class="num" class:on=move || selected.get() == column(j)>{move || totals.with(|t| t.get(j).map(|v| format_figure(*v))).unwrap_or_default()}</td>
                        </For>
                        <td class="num gold">{move || format_figure(totals.with(|t| t.iter().sum::<f64>()))}</td>
                    </tr>
                </tbody>
            </table>
            <div class="trace-title">{move || format!("{} 积分明细", month_zh(&selected.get()))}</div>
            <table class="table trace">
                <thead>
                    <tr>
                        <th>"积分规则"</th>
                        <th>"维度"</th>
                        <th class="num">"得分"</th>
                        <th class="num">"事件数"</th>
                        <th>"明细"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=slots(rows) key=|i| *i let:i>
                        <tr data-testid="trace-row" data-rule=cell(rows, i, |t| t.rule.clone())>
                            <td>{cell(rows, i, |t| t.rule_zh.clone())}</td>
                            <td class="muted">{cell(rows, i, |t| dimension_zh(&t.dimension))}</td>
                            <td class="num gold">{cell(rows, i, |t| t.points.clone())}</td>
                            <td class="num">{cell(rows, i, |t| t.events)}</td>
                            <td class="ellipsis detail">{cell(rows, i, |t| t.detail.clone())}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
            {move || items.with(Vec::is_empty).then(|| view! { <p class="notice">"本月无积分事件"</p> })}
        </Panel>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_by_rule_and_month() {
        let item = |rule: &str, month: &str, p: &str| TraceItem {
            rule: rule.into(),
            rule_zh: rule.into(),
            dimension: "duty".into(),
            month: month.into(),
            points: p.into(),
            events: 1,
            detail: String::new(),
        };
        let months = vec!["2026-01".to_string(), "2026-02".to_string()];
        let trace = [item("study", "2026-01", "0.5"), item("attend", "2026-02", "1"), item("attend", "2026-02", "1"), item("study", "2025-12", "9")];
        let m = rule_matrix(&trace, &months);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].rule, "attend");
        assert_eq!(m[0].cells, vec![None, Some(2.0)]);
        assert_eq!(m[1].cells, vec![Some(0.5), None]);
        assert_eq!(m[1].total, 0.5);
    }

    #[test]
    fn sums_and_names() {
        let item = |p: &str| TraceItem {
            rule: "study".into(),
            rule_zh: "学习".into(),
            dimension: "duty".into(),
            month: "2026-03".into(),
            points: p.into(),
            events: 1,
            detail: String::new(),
        };
        assert_eq!(points_sum(&[item("0.5"), item("2"), item("-5")]), -2.5);
        assert_eq!(dimension_zh("duty"), "履职尽责");
        assert_eq!(dimension_zh("x"), "其他");
    }
}
