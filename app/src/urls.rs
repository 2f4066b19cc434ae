//! The URL is the wall's whole state: `/` (the district), `/org/:org_id`,
//! `/member/:member_id`, `?month=YYYY-MM` (default: the newest month) and
//! `?rotate=SECONDS` (rotation mode). These helpers read it and build links that keep it.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

/// The shortest rotation interval honoured; anything faster would not be readable.
pub const MIN_ROTATE_SECONDS: u32 = 1;

/// `?month=` when it is a well-formed `YYYY-MM`, else `None` (the newest month).
pub fn parse_month(raw: Option<String>) -> Option<String> {
    let raw = raw?;
    let b = raw.as_bytes();
    let ok = b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!(&raw[5..], "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12");
    ok.then_some(raw)
}

/// `?rotate=` as whole seconds (fractions rounded down, at least [`MIN_ROTATE_SECONDS`]);
/// `None` when absent, zero or not a number.
pub fn parse_rotate(raw: Option<String>) -> Option<u32> {
    let secs: f64 = raw?.trim().parse().ok()?;
    (secs.is_finite() && secs >= 1.0).then(|| (secs as u32).max(MIN_ROTATE_SECONDS))
}

/// The month chosen in the URL, if any.
pub fn use_url_month() -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| parse_month(query.with(|q| q.get("month"))))
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
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a").ok().flatten())
            .is_some()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months() {
        assert_eq!(parse_month(Some("2026-03".into())), Some("2026-03".into()));
        assert_eq!(parse_month(Some("2026-13".into())), None);
        assert_eq!(parse_month(Some("2026-3".into())), None);
        assert_eq!(parse_month(Some("20a6-03".into())), None);
        assert_eq!(parse_month(None), None);
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
    }
}
