//! The URL is the wall's whole state: `/` (the district), `/org/:org_id`,
//! `/member/:member_id`, `?month=YYYY-MM` (default: the newest month) and
//! `?rotate=SECONDS` (rotation mode). These helpers read it and build links that keep it.

use domain::Period;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

/// The shortest rotation interval honoured; anything faster would not be readable.
pub const MIN_ROTATE_SECONDS: u32 = 1;

/// The month `?month=` asks for.
///
/// Read with [`Period::parse`], the one parser of §3's `YYYY-MM`. A malformed month is kept
/// as given so that the page can say so: showing the newest month instead would pass off
/// another month's figures as the ones asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlMonth {
    /// No `?month=`: the newest month with data.
    Newest,
    /// A well-formed month.
    At(Period),
    /// Not `YYYY-MM` (`2026-13`, `2026-1`, an empty value …), as it was in the URL.
    Malformed(String),
}

impl UrlMonth {
    /// `raw` is the `?month=` value, `None` when the URL has none.
    pub fn parse(raw: Option<&str>) -> Self {
        match raw {
            None => UrlMonth::Newest,
            Some(raw) => Period::parse(raw).map_or_else(|_| UrlMonth::Malformed(raw.to_string()), UrlMonth::At),
        }
    }

    /// The month to ask the server for and to keep in links (`YYYY-MM`); `None` for the
    /// newest. A malformed month asks for nothing: its page shows [`UrlMonth::error_zh`].
    pub fn as_query(&self) -> Option<String> {
        match self {
            UrlMonth::At(p) => Some(p.to_string()),
            UrlMonth::Newest | UrlMonth::Malformed(_) => None,
        }
    }

    /// What was given, when it is not a month.
    pub fn malformed(&self) -> Option<&str> {
        match self {
            UrlMonth::Malformed(raw) => Some(raw),
            UrlMonth::Newest | UrlMonth::At(_) => None,
        }
    }

    /// The message for a malformed month: `月份格式不正确：2026-13（应为 YYYY-MM）`.
    pub fn error_zh(&self) -> Option<String> {
        self.malformed().map(month_error_zh)
    }
}

/// Characters of a malformed month repeated in its message; a longer value is cut.
const SHOWN_CHARS: usize = 32;

/// The message for a `?month=` that is not `YYYY-MM`. An empty value is named as such and
/// one with spaces around it is quoted, so the reader sees what is wrong with it.
pub fn month_error_zh(raw: &str) -> String {
    let mut shown: String = raw.chars().take(SHOWN_CHARS).collect();
    if raw.chars().count() > SHOWN_CHARS {
        shown.push('…');
    }
    let shown = if raw.is_empty() {
        "（空）".to_string()
    } else if raw.trim() != raw {
        format!("“{shown}”")
    } else {
        shown
    };
    format!("月份格式不正确：{shown}（应为 YYYY-MM）")
}

/// `?rotate=` as whole seconds (fractions rounded down, at least [`MIN_ROTATE_SECONDS`]);
/// `None` when absent, zero or not a number.
pub fn parse_rotate(raw: Option<String>) -> Option<u32> {
    let secs: f64 = raw?.trim().parse().ok()?;
    (secs.is_finite() && secs >= 1.0).then(|| (secs as u32).max(MIN_ROTATE_SECONDS))
}

/// The month the URL asks for; pages show [`UrlMonth::error_zh`] for a malformed one.
pub fn use_url_month() -> Memo<UrlMonth> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| UrlMonth::parse(q.get_str("month"))))
}

/// The month links keep (`YYYY-MM`), `None` for the newest: see [`UrlMonth::as_query`].
pub fn use_link_month() -> Memo<Option<String>> {
    let month = use_url_month();
    Memo::new(move |_| month.with(UrlMonth::as_query))
}

/// The rotation interval in the URL, if any.
pub fn use_url_rotate() -> Memo<Option<u32>> {
    let query = use_query_map();
    Memo::new(move |_| parse_rotate(query.with(|q| q.get("rotate"))))
}

/// A callback that opens a link of the wall (client-side navigation), for clicks on
/// canvases. The router's navigate function may not cross threads (callbacks must), so the
/// callback hands the link to an Effect that navigates.
pub fn use_open() -> Callback<String> {
    let navigate = use_navigate();
    let wanted = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(href) = wanted.get() {
            navigate(&href, Default::default());
        }
    });
    Callback::new(move |href: String| wanted.set(Some(href)))
}

/// Whether a click landed on a link (which the router follows by itself), so that a
/// clickable row around the link does not navigate a second time.
pub fn on_link(ev: &leptos::ev::MouseEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|el| el.closest("a").ok().flatten()).is_some()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        false
    }
}

fn with_month_query(path: String, month: Option<&str>) -> String {
    match month {
        Some(m) => format!("{path}?month={m}"),
        None => path,
    }
}

/// Link to an organisation's view; the root is the district view `/`. Drilling keeps the
/// chosen month and leaves rotation mode (whoever clicks has taken over the wall).
pub fn org_href(org_id: &str, is_root: bool, month: Option<&str>) -> String {
    let path = if is_root { "/".to_string() } else { format!("/org/{org_id}") };
    with_month_query(path, month)
}

/// Link to a member's view, keeping the chosen month.
pub fn member_href(member_id: &str, month: Option<&str>) -> String {
    with_month_query(format!("/member/{member_id}"), month)
}

/// The current page at another month, keeping rotation mode if it is on.
pub fn month_href(path: &str, month: &str, rotate: Option<u32>) -> String {
    match rotate {
        Some(secs) => format!("{path}?month={month}&rotate={secs}"),
        None => format!("{path}?month={month}"),
    }
}

/// The current page at the newest month (no `?month=`), keeping rotation mode if it is on.
pub fn newest_href(path: &str, rotate: Option<u32>) -> String {
    match rotate {
        Some(secs) => format!("{path}?rotate={secs}"),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months() {
        let march = UrlMonth::parse(Some("2026-03"));
        assert_eq!(march, UrlMonth::At(Period::new(2026, 3)));
        assert_eq!((march.as_query(), march.error_zh()), (Some("2026-03".into()), None));
        assert_eq!(UrlMonth::parse(None), UrlMonth::Newest);
        assert_eq!((UrlMonth::Newest.as_query(), UrlMonth::Newest.error_zh()), (None, None));
    }

    #[test]
    fn malformed_months_are_said_not_replaced() {
        for raw in ["2026-13", "0000-01", "2026-1", "", " 2026-01", "2026-00", "20a6-03", "2026-03-01"] {
            let m = UrlMonth::parse(Some(raw));
            assert_eq!(m, UrlMonth::Malformed(raw.to_string()), "{raw:?}");
            assert_eq!(m.as_query(), None, "{raw:?}");
            assert!(m.error_zh().is_some_and(|e| e.contains("应为 YYYY-MM")), "{raw:?}");
        }
        assert_eq!(UrlMonth::parse(Some("2026-13")).error_zh().unwrap(), "月份格式不正确：2026-13（应为 YYYY-MM）");
        assert_eq!(UrlMonth::parse(Some("")).error_zh().unwrap(), "月份格式不正确：（空）（应为 YYYY-MM）");
        assert_eq!(UrlMonth::parse(Some(" 2026-01")).error_zh().unwrap(), "月份格式不正确：“ 2026-01”（应为 YYYY-MM）");
        assert!(month_error_zh(&"9".repeat(100)).contains(&format!("{}…（", "9".repeat(SHOWN_CHARS))));
    }

    #[test]
    fn rotation() {
        assert_eq!(parse_rotate(Some("30".into())), Some(30));
        assert_eq!(parse_rotate(Some("2.5".into())), Some(2));
        assert_eq!(parse_rotate(Some("0".into())), None);
        assert_eq!(parse_rotate(Some("-4".into())), None);
        assert_eq!(parse_rotate(Some("fast".into())), None);
        assert_eq!(parse_rotate(None), None);
    }

    #[test]
    fn links() {
        assert_eq!(org_href("ORG1", true, None), "/");
        assert_eq!(org_href("ORG7", false, Some("2026-03")), "/org/ORG7?month=2026-03");
        assert_eq!(member_href("M1", None), "/member/M1");
        assert_eq!(month_href("/org/ORG7", "2026-03", Some(20)), "/org/ORG7?month=2026-03&rotate=20");
        assert_eq!(month_href("/", "2026-03", None), "/?month=2026-03");
        assert_eq!(newest_href("/org/ORG7", Some(20)), "/org/ORG7?rotate=20");
        assert_eq!(newest_href("/", None), "/");
    }
}
