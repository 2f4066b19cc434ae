//! The URL is the wall's whole state: `/` (the district), `/org/:org_id`,
//! `/member/:member_id`, `?month=YYYY-MM` (default: the newest month),
//! `?rotate=SECONDS` (rotation mode), `?layout=wall|briefing` (a forced design canvas,
//! [`crate::scale`]), `?print=1` (the print view) and a pie's filter of the view's list
//! ([`crate::filter`]). These helpers read it and build links that keep it.

use domain::Period;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

use crate::scale::Layout;

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

/// What the wall's links keep of the URL: the month in view and a forced layout. Drilling
/// leaves rotation mode (whoever clicks has taken over the wall), a pie's filter and the
/// print view behind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keep {
    /// `YYYY-MM`, `None` for the newest (see [`UrlMonth::as_query`]).
    pub month: Option<String>,
    pub layout: Option<Layout>,
}

impl Keep {
    /// Links at `month`, no layout forced.
    pub fn month(month: &str) -> Self {
        Keep { month: Some(month.to_string()), layout: None }
    }

    fn on(&self, path: String) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(m) = &self.month {
            pairs.push(("month", m));
        }
        if let Some(l) = self.layout {
            pairs.push(("layout", l.as_str()));
        }
        format!("{path}{}", query_string(pairs))
    }
}

/// What links keep of the URL in view.
pub fn use_keep() -> Memo<Keep> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| Keep { month: UrlMonth::parse(q.get_str("month")).as_query(), layout: q.get_str("layout").and_then(Layout::parse) }))
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

/// Link to an organisation's view; the root is the district view `/`.
pub fn org_href(org_id: &str, is_root: bool, keep: &Keep) -> String {
    keep.on(if is_root { "/".to_string() } else { format!("/org/{org_id}") })
}

/// Link to a member's view.
pub fn member_href(member_id: &str, keep: &Keep) -> String {
    keep.on(format!("/member/{member_id}"))
}

/// `?k=v&…` of `pairs` (empty for none), each escaped as a URL query wants it.
fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let escape = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => char::from(b).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    let joined: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{}={}", escape(k), escape(v))).collect();
    if joined.is_empty() { String::new() } else { format!("?{}", joined.join("&")) }
}

/// `path` with the query `pairs` (those of the URL in view, in their order) but `key` set to
/// `value`, or left out when `None`: the same view at another month (rotation, layout and
/// filter kept), or with another filter.
pub fn with_param(path: &str, pairs: &[(String, String)], key: &str, value: Option<&str>) -> String {
    let mut out: Vec<(&str, &str)> = Vec::new();
    let mut placed = false;
    for (k, v) in pairs {
        if k == key {
            if let (Some(value), false) = (value, placed) {
                out.push((key, value));
            }
            placed = true;
        } else {
            out.push((k.as_str(), v.as_str()));
        }
    }
    if let (Some(value), false) = (value, placed) {
        out.push((key, value));
    }
    format!("{path}{}", query_string(out))
}

/// The path and query pairs of the URL in view, for [`with_param`].
pub fn use_here() -> Memo<(String, Vec<(String, String)>)> {
    let location = use_location();
    let query = use_query_map();
    Memo::new(move |_| (location.pathname.get(), query.with(|q| q.latest_values().map(|(k, v)| (k.to_string(), v.to_string())).collect())))
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
        let none = Keep::default();
        assert_eq!(org_href("ORG1", true, &none), "/");
        assert_eq!(org_href("ORG7", false, &Keep::month("2026-03")), "/org/ORG7?month=2026-03");
        assert_eq!(member_href("M1", &none), "/member/M1");
        let briefing = Keep { month: Some("2026-03".into()), layout: Some(Layout::Briefing) };
        assert_eq!(member_href("M1", &briefing), "/member/M1?month=2026-03&layout=briefing");
        assert_eq!(org_href("ORG1", true, &Keep { month: None, layout: Some(Layout::Wall) }), "/?layout=wall");
    }

    #[test]
    fn params_are_replaced_in_place() {
        let pairs = |s: &[(&str, &str)]| s.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let rotating = pairs(&[("rotate", "20")]);
        assert_eq!(with_param("/org/ORG7", &rotating, "month", Some("2026-03")), "/org/ORG7?rotate=20&month=2026-03");
        assert_eq!(with_param("/", &[], "month", Some("2026-03")), "/?month=2026-03");
        let full = pairs(&[("month", "2026-03"), ("rotate", "20"), ("layout", "briefing")]);
        assert_eq!(with_param("/", &full, "month", Some("2026-04")), "/?month=2026-04&rotate=20&layout=briefing");
        assert_eq!(with_param("/", &full, "month", None), "/?rotate=20&layout=briefing");
        assert_eq!(with_param("/", &pairs(&[("month", "")]), "month", None), "/");
        assert_eq!(with_param("/", &pairs(&[("month", " 2026-01")]), "light", Some("red")), "/?month=%202026-01&light=red");
    }
}
