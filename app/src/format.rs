//! How figures and vocabulary read on the wall (Chinese labels, thousands separators).

use domain::{OrgKind, Period, Unit};

/// Formats a count with thousands separators (`47411` → `47,411`).
pub fn format_count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A chart figure with at most one decimal, without a trailing `.0` (`87.5`, `12`).
pub fn format_figure(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 { format!("{rounded:.0}") } else { format!("{rounded:.1}") }
}

/// A value of a series in its unit (`87.5%`, `12`, `56.5分`); `—` where there is none.
pub fn format_in_unit(v: Option<f64>, unit: Unit) -> String {
    match v {
        None => "—".to_string(),
        Some(v) => format!("{}{}", format_figure(v), unit.suffix()),
    }
}

/// The Chinese label of a stored organisation kind (区, 街道 … 党支部).
pub fn kind_zh(kind: &str) -> &'static str {
    OrgKind::parse(kind).map_or("其他", OrgKind::zh)
}

/// The Chinese label of a resource kind of the library.
pub fn resource_kind_zh(kind: &str) -> &'static str {
    domain::ResourceKind::parse(kind).map_or("资源", domain::ResourceKind::zh)
}

/// A month of the wire (`YYYY-MM`) as the wall names it: `2026-03` → `2026年3月` (see
/// [`Period::zh`]); anything that is not a month (an empty `since`) is shown as it is.
pub fn month_zh(month: &str) -> String {
    Period::parse(month).map_or_else(|_| month.to_string(), Period::zh)
}

/// `2026-03` → `3`: a month column's head where the table says it holds months (the
/// briefing's points table, whose twelve columns have no room for `12月`).
pub fn month_number(month: &str) -> String {
    Period::parse(month).map_or_else(|_| month.to_string(), |p| p.month().to_string())
}

/// `2026-03` → `3月`, the short tick label of a trend chart (see [`Period::tick_zh`]).
pub fn month_tick(month: &str) -> String {
    Period::parse(month).map_or_else(|_| month.to_string(), Period::tick_zh)
}

/// `2026-03-05T14:03:22` → `14:03:22` (the time of a computed snapshot).
pub fn clock_of(stamp: &str) -> &str {
    stamp.split_once('T').map_or(stamp, |(_, t)| t)
}

/// Shortest prefix two names must share before it is dropped (`东湖小学` under `东湖街道`
/// keeps its name; `东湖街道退休干部党支部` becomes `退休干部党支部`).
const SHARED_PREFIX_MIN: usize = 3;

/// An organisation's name as read under `context` (the organisation in view): without the
/// beginning the two share, when that is at least three characters and something is left.
pub fn name_under(name: &str, context: &str) -> String {
    let shared = name.chars().zip(context.chars()).take_while(|(a, b)| a == b).count();
    let rest: String = name.chars().skip(shared).collect();
    if shared >= SHARED_PREFIX_MIN && rest.chars().count() >= 2 { rest } else { name.to_string() }
}

/// Share of `part` in `whole` in percent, `0` for an empty whole.
pub fn share(part: i64, whole: i64) -> f64 {
    if whole <= 0 { 0.0 } else { part as f64 * 100.0 / whole as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(47411), "47,411");
        assert_eq!(format_count(-1234567), "-1,234,567");
    }

    #[test]
    fn figures() {
        assert_eq!(format_figure(87.54), "87.5");
        assert_eq!(format_figure(12.0), "12");
        assert_eq!(format_figure(-5.0), "-5");
        assert_eq!(format_in_unit(Some(87.5), Unit::Percent), "87.5%");
        assert_eq!(format_in_unit(None, Unit::Percent), "—");
        assert_eq!(format_in_unit(Some(3.0), Unit::Count), "3");
        assert_eq!(format_in_unit(Some(56.5), Unit::Points), "56.5分");
    }

    #[test]
    fn labels() {
        assert_eq!(kind_zh("general_branch"), "党总支");
        assert_eq!(kind_zh("nonsense"), "其他");
        assert_eq!(month_zh("2026-03"), "2026年3月");
        assert_eq!(month_zh("2026-10"), "2026年10月");
        assert_eq!(month_tick("2026-10"), "10月");
        assert_eq!(month_tick("2026-03"), "3月");
        assert_eq!(month_number("2026-10"), "10");
        assert_eq!(month_number("2026-03"), "3");
        assert_eq!(month_zh(""), "");
        assert_eq!(clock_of("2026-03-05T14:03:22"), "14:03:22");
        assert_eq!(share(1, 4), 25.0);
        assert_eq!(name_under("东湖街道退休干部党支部", "东湖街道"), "退休干部党支部");
        assert_eq!(name_under("东湖小学", "东湖街道"), "东湖小学");
        assert_eq!(name_under("金创环保有限公司第一党支部", "金创环保有限公司党总支"), "第一党支部");
        assert_eq!(name_under("滨江区", "滨江区"), "滨江区");
        assert_eq!(name_under("滨江区人民医院", "滨江区"), "人民医院");
        assert_eq!(share(1, 0), 0.0);
    }
}
