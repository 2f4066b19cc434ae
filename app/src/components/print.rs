//! Printing what is on screen (issue 12): the print button of the header and the footer of
//! every printed page. The page itself is laid out for A4 landscape by the print stylesheet
//! (`@media print` in `style/main.css`); while printing, every list shows all its rows
//! ([`crate::layout::Presentation::print`]).

use leptos::prelude::*;

use crate::format::month_zh;
use crate::layout::Presentation;

/// Prints the view as it is (shown on the briefing screen; the unattended wall has no use
/// for it).
#[component]
pub fn PrintButton() -> impl IntoView {
    let presentation = Presentation::get();
    view! {
        <button class="print-button" type="button" data-testid="print" title="以A4横向打印当前视图" on:click=move |_| presentation.print_now()>
            "打印"
        </button>
    }
}

/// The footer of every printed page: the month, the time and the version of the data shown,
/// the system's name and the page number. CSS margin boxes of `@page` (`@bottom-left`,
/// `@bottom-right`; Chromium ≥ 131 prints them) put it in the page's bottom margin, so each
/// sheet handed round says what it shows, however the view breaks across pages. Their look
/// is in `style/main.css`; the words change with the data, so they are this rule's.
#[component]
pub fn PrintFooter(
    /// `YYYY-MM` of the data shown.
    #[prop(into)]
    month: Signal<String>,
    /// When the data were computed (`YYYY-MM-DDTHH:MM:SS`), empty when not known.
    #[prop(into)]
    at: Signal<String>,
    #[prop(into)] version: Signal<Option<u64>>,
) -> impl IntoView {
    // `inner_html`: the text of a <style> is not HTML, so it must not be escaped as HTML is.
    view! { <style data-testid="print-footer" inner_html=move || page_footer_rule(&month.get(), &at.get(), version.get()) /> }
}

/// The `@page` rule that prints the footer (see [`PrintFooter`]).
pub fn page_footer_rule(month: &str, at: &str, version: Option<u64>) -> String {
    let left = format!("统计月份：{}　数据时间：{}　数据版本：{}", month_zh(month), data_time(at), version.map_or_else(|| "—".to_string(), |v| v.to_string()));
    format!(
        "@page {{ @bottom-left {{ content: {}; }} @bottom-right {{ content: {} counter(page) \" 页 / 共 \" counter(pages) \" 页\"; }} }}",
        css_string(&left),
        css_string(&format!("{}　第 ", crate::TITLE)),
    )
}

/// `text` as a CSS string: quoted, with what would end the string, the rule or the <style>
/// element escaped.
fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for ch in text.chars() {
        match ch {
            '"' | '\\' | '<' | '>' | '{' | '}' | ';' => out.push_str(&format!("\\{:x} ", ch as u32)),
            c if c.is_control() => out.push_str(&format!("\\{:x} ", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `2026-03-05T08:00:12` → `2026-03-05 08:00:12`; `—` when not known.
pub fn data_time(at: &str) -> String {
    if at.is_empty() { "—".to_string() } else { at.replacen('T', " ", 1) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn data_time() {
        assert_eq!(super::data_time("2026-03-05T08:00:12"), "2026-03-05 08:00:12");
        assert_eq!(super::data_time(""), "—");
    }

    #[test]
    fn page_footer_rule() {
        let rule = super::page_footer_rule("2026-03", "2026-04-05T08:00:12", Some(17));
        assert!(rule.starts_with("@page { @bottom-left { content: \"统计月份：2026年3月　数据时间：2026-04-05 08:00:12　数据版本：17\"; }"), "{rule}");
        assert!(rule.ends_with("第 \" counter(page) \" 页 / 共 \" counter(pages) \" 页\"; } }"), "{rule}");
        assert!(super::page_footer_rule("", "", None).contains("数据时间：—　数据版本：—"));
    }

    #[test]
    fn css_strings() {
        assert_eq!(super::css_string("a\"b"), "\"a\\22 b\"");
        assert_eq!(super::css_string("</style>{}"), "\"\\3c /style\\3e \\7b \\7d \"");
        assert_eq!(super::css_string("x\ny"), "\"x\\a y\"");
    }
}
