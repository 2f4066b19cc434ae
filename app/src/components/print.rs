//! Printing what is on screen (issue 12): the print button of the header and the footer that
//! ends the printed view. The page itself is laid out for A4 landscape by the print stylesheet
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

/// The footer that ends the printed view: the month, the time and the version of the data
/// shown.
/// Hidden on screen.
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
    view! {
        <footer class="print-footer" data-testid="print-footer">
            <span>{move || format!("统计月份：{}", month_zh(&month.get()))}</span>
            <span>{move || format!("数据时间：{}", data_time(&at.get()))}</span>
            <span>{move || format!("数据版本：{}", version.get().map_or_else(|| "—".to_string(), |v| v.to_string()))}</span>
            <span class="print-footer-title">{crate::TITLE}</span>
        </footer>
    }
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
}
