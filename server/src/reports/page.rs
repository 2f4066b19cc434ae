//! The printable reports (docs/RULES.md §6/§11): one A4 HTML document per report, or one for
//! a branch's member reports (a page each). The same document is what a person opens at
//! `/reports/ID` and what headless Chromium prints to PDF ([`super::pdf`]), so the PDF says
//! exactly what the page says. Every text from the store passes [`escape`].

use std::fmt::Write;

use domain::Light;
use domain::report::{BranchReport, MemberReport, ReportRun};
use domain::wire::OrgIndicator;

use crate::html::escape;

/// The four dimensions of §4 with their Chinese names (the wall's labels).
const DIMENSIONS: [(&str, &str); 4] = [("party_life", "组织生活"), ("duty", "履职尽责"), ("contribution", "奉献贡献"), ("morality", "品德表现")];

/// A4 portrait, CJK fonts that Chromium embeds in the PDF, black on white for print; on a
/// screen the page sits on a grey desk with a toolbar that does not print.
const STYLE: &str = r#"
@page { size: A4; margin: 14mm 14mm 16mm; }
* { box-sizing: border-box; }
html { background: #e9ebef; }
body { margin: 0; font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; color: #1d1f24; font-size: 11pt; line-height: 1.5; }
.toolbar { position: sticky; top: 0; display: flex; gap: 12px; justify-content: center; padding: 10px; background: #8f0a10; }
.toolbar a { color: #fff; text-decoration: none; border: 1px solid #ffffff88; border-radius: 4px; padding: 4px 14px; font-size: 14px; }
.sheet { width: 210mm; min-height: 297mm; margin: 16px auto; padding: 14mm; background: #fff; box-shadow: 0 2px 12px #0002; }
.sheet + .sheet { page-break-before: always; break-before: page; }
h1 { margin: 0 0 2mm; font-size: 20pt; color: #b3121a; letter-spacing: 1px; }
h2 { margin: 6mm 0 2mm; font-size: 13pt; color: #b3121a; border-bottom: 1.5px solid #b3121a; padding-bottom: 1mm; }
.sub { color: #555; font-size: 10.5pt; }
.kpis { display: flex; gap: 4mm; margin: 4mm 0; }
.kpi { flex: 1; border: 1px solid #d8d9de; border-radius: 2mm; padding: 3mm; }
.kpi .label { font-size: 9.5pt; color: #555; }
.kpi .value { font-size: 18pt; font-weight: bold; }
.kpi .note { font-size: 9pt; color: #555; }
table { width: 100%; border-collapse: collapse; font-size: 10pt; }
th, td { border: 1px solid #d8d9de; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
th { background: #f3f4f6; font-weight: bold; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr { page-break-inside: avoid; break-inside: avoid; }
.light { display: inline-block; min-width: 3.2em; text-align: center; border-radius: 1mm; padding: 0 1.5mm; color: #fff; font-size: 9.5pt; }
.light.red { background: #d3141c; } .light.yellow { background: #e39b00; } .light.green { background: #1f8a4c; }
.finding { border: 1px solid #d8d9de; border-left: 4px solid #999; border-radius: 1mm; padding: 2mm 3mm; margin: 2mm 0; page-break-inside: avoid; break-inside: avoid; }
.finding.red { border-left-color: #d3141c; } .finding.yellow { border-left-color: #e39b00; }
.finding .head { font-weight: bold; }
.finding .evidence { color: #333; }
.finding .rx { margin-top: 1mm; }
.finding ul { margin: 1mm 0 0; padding-left: 5mm; }
.empty { color: #555; }
footer { margin-top: 6mm; font-size: 8.5pt; color: #666; border-top: 1px solid #d8d9de; padding-top: 2mm; }
svg.spark { vertical-align: middle; }
@media print {
  html { background: #fff; }
  .toolbar { display: none; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
}
"#;

fn document(title: &str, toolbar: &str, sheets: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>{toolbar}{sheets}</body></html>\n",
        escape(title)
    )
}

/// The screen toolbar: the PDF of the same report, and back.
fn toolbar(pdf: Option<&str>) -> String {
    let mut t = String::from("<nav class=\"toolbar\">");
    if let Some(pdf) = pdf {
        let _ = write!(t, "<a href=\"{}\" data-testid=\"report-pdf\">下载 PDF</a>", escape(pdf));
    }
    t.push_str("<a href=\"javascript:window.print()\">打印</a><a href=\"/work\">返回工作台</a></nav>");
    t
}

fn light_tag(l: Light) -> String {
    format!("<span class=\"light {}\">{}</span>", l.as_str(), l.zh())
}

fn month_zh(month: &str) -> String {
    domain::Period::parse(month).map(|p| p.zh()).unwrap_or_else(|_| month.to_string())
}

fn footer(run: &ReportRun) -> String {
    format!(
        "<footer>生成于 {} · 计分规则版本 {} · 指标库版本 {} · 数据序号 {} · 本报告生成后不随数据变化</footer>",
        escape(&run.generated_at),
        run.rules_version,
        run.catalogue_version,
        run.data_seq
    )
}

fn signed(change: &str) -> String {
    if change.starts_with('-') || change == "0" { change.to_string() } else { format!("+{change}") }
}

fn rank_note(now: i64, before: Option<i64>) -> String {
    match before {
        Some(b) if b > now => format!("上月第{b}名，上升{}位", b - now),
        Some(b) if b < now => format!("上月第{b}名，下降{}位", now - b),
        Some(b) => format!("上月第{b}名，持平"),
        None => "本年首月".into(),
    }
}

/// One member report as a sheet (a `<section>` of the document).
fn member_sheet(r: &MemberReport, run: &ReportRun) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<section class=\"sheet\" data-testid=\"member-report\" data-member-id=\"{}\">\
         <h1>锋领指数报告</h1><div class=\"sub\">{} · {}（{}） · {} · {}</div>",
        escape(&r.member_id),
        escape(&month_zh(&r.month)),
        escape(&r.name),
        escape(&r.member_id),
        escape(&r.org.name),
        escape(&r.category)
    );
    let change = r.change.as_deref().map(signed).unwrap_or_else(|| "—".into());
    let _ = write!(
        s,
        "<div class=\"kpis\">\
         <div class=\"kpi\"><div class=\"label\">锋领指数（本年累计）</div><div class=\"value\" data-testid=\"report-index\">{}</div><div class=\"note\">较上月 {}</div></div>\
         <div class=\"kpi\"><div class=\"label\">本月得分</div><div class=\"value\">{}</div><div class=\"note\">{}</div></div>\
         <div class=\"kpi\"><div class=\"label\">支部排名</div><div class=\"value\">{}/{}</div><div class=\"note\">{}</div></div>\
         <div class=\"kpi\"><div class=\"label\">全区排名</div><div class=\"value\">{}/{}</div><div class=\"note\">{}</div></div>\
         </div>",
        escape(&r.index),
        escape(&change),
        escape(&r.month_points),
        escape(&month_zh(&r.month)),
        r.org_rank,
        r.org_population,
        rank_note(r.org_rank, r.previous_org_rank),
        r.district_rank,
        r.district_population,
        rank_note(r.district_rank, r.previous_district_rank),
    );
    s.push_str("<h2>分维度得分</h2><table><tr><th>维度</th><th class=\"num\">本年累计</th><th class=\"num\">本月</th></tr>");
    for (key, zh) in DIMENSIONS {
        let (year, month) = match key {
            "party_life" => (&r.party_life, &r.month_party_life),
            "duty" => (&r.duty, &r.month_duty),
            "contribution" => (&r.contribution, &r.month_contribution),
            _ => (&r.morality, &r.month_morality),
        };
        let _ = write!(s, "<tr><td>{zh}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>", escape(year), escape(month));
    }
    let _ = write!(s, "<tr><th>合计</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></table>", escape(&r.index), escape(&r.month_points));

    let _ = write!(s, "<h2>红黄灯 {}</h2>", light_tag(r.light));
    if r.open_lights.is_empty() {
        s.push_str("<p class=\"empty\">本月未亮灯，请继续保持。</p>");
    } else {
        s.push_str("<table><tr><th>灯色</th><th>原因</th><th>如何消除</th></tr>");
        for l in &r.open_lights {
            let _ = write!(s, "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", light_tag(l.light), escape(&l.words), escape(&l.advice));
        }
        s.push_str("</table>");
    }

    s.push_str("<h2>本月积分明细</h2>");
    if r.trace.is_empty() {
        s.push_str("<p class=\"empty\">本月没有计分事项。</p>");
    } else {
        s.push_str("<table data-testid=\"report-trace\"><tr><th>规则</th><th>事项</th><th class=\"num\">次数</th><th class=\"num\">得分</th></tr>");
        for t in &r.trace {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&t.rule_zh),
                escape(&t.detail),
                t.events,
                escape(&t.points)
            );
        }
        s.push_str("</table>");
    }
    s.push_str(&footer(run));
    s.push_str("</section>");
    s
}

/// A trend of up to 12 values as a small line (no values: nothing).
fn sparkline(trend: &[Option<f64>]) -> String {
    let pts: Vec<(usize, f64)> = trend.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
    if pts.len() < 2 {
        return String::new();
    }
    let (lo, hi) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, v)| (lo.min(*v), hi.max(*v)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let (w, h) = (96.0, 18.0);
    let n = trend.len().max(2) - 1;
    let line: Vec<String> = pts.iter().map(|(i, v)| format!("{:.1},{:.1}", *i as f64 * w / n as f64, h - 1.0 - (v - lo) / span * (h - 2.0))).collect();
    format!(
        "<svg class=\"spark\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\"><polyline points=\"{}\" fill=\"none\" stroke=\"#b3121a\" stroke-width=\"1.4\"/></svg>",
        line.join(" ")
    )
}

fn indicator_row(i: &OrgIndicator, unit: &str) -> String {
    let avg = i.district_average.map(|a| i.unit.format(a)).unwrap_or_else(|| "—".into());
    let first = i.trend.iter().flatten().next().map(|v| i.unit.format(*v));
    let trend_text = match first {
        Some(f) => format!("{f} → {}", i.text.clone().unwrap_or_else(|| "—".into())),
        None => "—".into(),
    };
    format!(
        "<tr><td>{}</td><td class=\"num\">{}{}</td><td class=\"num\">{}</td><td>{}</td><td>{} <span class=\"sub\">{}</span></td></tr>",
        escape(&i.zh),
        escape(i.text.as_deref().unwrap_or("—")),
        escape(unit),
        escape(&avg),
        light_tag(i.light),
        sparkline(&i.trend),
        escape(&trend_text)
    )
}

fn branch_sheet(r: &BranchReport, run: &ReportRun) -> String {
    let mut s = String::new();
    let path: Vec<String> = r.path.iter().map(|c| escape(&c.name)).collect();
    let _ = write!(
        s,
        "<section class=\"sheet\" data-testid=\"branch-report\" data-org-id=\"{}\"><h1>支部党建诊疗报告</h1><div class=\"sub\">{} · {}（{}）</div><div class=\"sub\">{}</div>",
        escape(&r.org.org_id),
        escape(&month_zh(&r.month)),
        escape(&r.org.name),
        escape(&r.org.org_id),
        path.join(" › ")
    );
    let st = &r.standing;
    let rank = match (st.index_rank, &st.mean_index) {
        (Some(k), Some(v)) => format!("{}（第{k}/{}名）", escape(v), st.branches),
        _ => "—".into(),
    };
    let _ = write!(
        s,
        "<div class=\"kpis\">\
         <div class=\"kpi\"><div class=\"label\">支部灯色</div><div class=\"value\">{}</div><div class=\"note\">断档{}个月 {} · 红灯占比 {}</div></div>\
         <div class=\"kpi\"><div class=\"label\">党员</div><div class=\"value\">{}</div><div class=\"note\">红{} · 黄{} · 绿{}</div></div>\
         <div class=\"kpi\"><div class=\"label\">平均锋领指数（全区排名）</div><div class=\"value\" style=\"font-size:14pt\">{rank}</div><div class=\"note\">全区支部 红{} · 黄{} · 绿{}</div></div>\
         <div class=\"kpi\"><div class=\"label\">诊断发现</div><div class=\"value\">{}项</div><div class=\"note\">全区平均 {:.1} 项</div></div>\
         </div>",
        light_tag(r.lights.light),
        r.lights.org_life_gap,
        light_tag(r.lights.gap_light),
        light_tag(r.lights.share_light),
        r.lights.members,
        r.lights.red_members,
        r.lights.yellow_members,
        r.lights.green_members,
        st.red_branches,
        st.yellow_branches,
        st.green_branches,
        st.findings,
        st.district_mean_findings
    );

    s.push_str("<h2>体检表</h2><table data-testid=\"report-indicators\"><tr><th>指标</th><th class=\"num\">本月</th><th class=\"num\">全区平均</th><th>灯色</th><th>近12个月</th></tr>");
    for i in &r.indicators {
        let unit = match i.unit.zh() {
            "" => String::new(),
            u => format!(" {u}"),
        };
        s.push_str(&indicator_row(i, &unit));
    }
    s.push_str("</table>");

    let _ = write!(s, "<h2>诊断发现与处方（{}项）</h2>", r.findings.len());
    if r.findings.is_empty() {
        s.push_str("<p class=\"empty\">各项指标均无问题。</p>");
    }
    for f in &r.findings {
        let _ = write!(
            s,
            "<div class=\"finding {}\" data-testid=\"report-finding\"><div class=\"head\">{} {}：本月 {}</div><div class=\"evidence\">依据：{}</div><div class=\"rx\">处方：{}</div>",
            f.light.as_str(),
            light_tag(f.light),
            escape(&f.indicator_zh),
            escape(&f.text),
            escape(&f.evidence),
            escape(&f.prescription)
        );
        if !f.resources.is_empty() {
            s.push_str("<ul>");
            for res in &f.resources {
                let _ = write!(s, "<li>{}：{}</li>", escape(app::format::resource_kind_zh(&res.kind)), escape(&res.title));
            }
            s.push_str("</ul>");
        }
        s.push_str("</div>");
    }

    let _ = write!(s, "<h2>本月预警（{}条）</h2>", r.warnings.len());
    if r.warnings.is_empty() {
        s.push_str("<p class=\"empty\">本月没有预警。</p>");
    } else {
        s.push_str("<table><tr><th>对象</th><th>原因</th><th>灯色</th><th>状态</th><th>发出时间</th></tr>");
        for w in &r.warnings {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&w.subject_name),
                escape(&w.reason_zh),
                light_tag(w.light),
                escape(&w.state_zh),
                escape(&w.raised_at)
            );
        }
        s.push_str("</table>");
    }
    s.push_str(&footer(run));
    s.push_str("</section>");
    s
}

/// The page of one member report; `pdf` links its PDF on screen.
pub fn member(r: &MemberReport, run: &ReportRun, pdf: Option<&str>) -> String {
    document(&format!("{} 锋领指数报告 · {}", r.name, month_zh(&r.month)), &toolbar(pdf), &member_sheet(r, run))
}

/// The page of one branch report.
pub fn branch(r: &BranchReport, run: &ReportRun, pdf: Option<&str>) -> String {
    document(&format!("{} 党建诊疗报告 · {}", r.org.name, month_zh(&r.month)), &toolbar(pdf), &branch_sheet(r, run))
}

/// A branch's member reports in one document, a sheet (A4 page or more) each.
pub fn members(org_name: &str, month: &str, reports: &[MemberReport], run: &ReportRun) -> String {
    let sheets: String = reports.iter().map(|r| member_sheet(r, run)).collect();
    let sheets =
        if sheets.is_empty() { "<section class=\"sheet\"><p class=\"empty\">该支部本月没有党员报告。</p></section>".to_string() } else { sheets };
    document(&format!("{org_name} 党员锋领指数报告 · {}", month_zh(month)), "", &sheets)
}
