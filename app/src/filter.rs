//! Drill-down from the pie of the members' lights (issue 12): a click on a slice (or on its
//! legend entry) lists that set in the view's comparison panel — the members held directly
//! with that light, the child organisations that have such members (most of them first) —
//! and the URL holds it (`?light=red`), so a reload or a shared link shows the same list. A
//! second click on the same slice clears it; drilling down leaves it behind
//! ([`crate::urls::Keep`]).
//!
//! The categories' and the grades' pies are sets of members too, but the snapshot says
//! neither a member's category nor grade, nor how many of each a child organisation has: they
//! are not filters (yet).

use std::cmp::Reverse;

use domain::Light;
use domain::wire::{ChildBar, WallSnapshot};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::urls::with_param;

/// The query parameter of the filter.
pub const LIGHT_PARAM: &str = "light";

/// The light `?light=` names (`red`, `yellow`, `green`); anything else filters nothing.
pub fn parse(raw: Option<&str>) -> Option<Light> {
    raw?.parse().ok()
}

/// The filter in the URL.
pub fn use_light_filter() -> Memo<Option<Light>> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| parse(q.get_str(LIGHT_PARAM))))
}

/// How many members of `light` a child organisation's subtree has.
fn members_of(c: &ChildBar, light: Light) -> i64 {
    match light {
        Light::Red => c.red_members,
        Light::Yellow => c.yellow_members,
        Light::Green => c.members - c.red_members - c.yellow_members,
    }
}

/// The children with members of `light`, those with the most first (ties keep their order).
fn narrow_children(children: &mut Vec<ChildBar>, light: Light) {
    children.retain(|c| members_of(c, light) > 0);
    children.sort_by_key(|c| Reverse(members_of(c, light)));
}

/// `snap` with its lists narrowed to `light`: the direct members with it, the children with
/// members of it.
pub fn narrowed(snap: &WallSnapshot, light: Light) -> WallSnapshot {
    let mut s = snap.clone();
    s.members.retain(|m| m.light == light);
    narrow_children(&mut s.children, light);
    s
}

/// The page in view (`path`, query `pairs`) filtered to `key`, or without the filter when it
/// is the one in force (the second click).
pub fn toggle_href(path: &str, pairs: &[(String, String)], current: Option<Light>, key: &str) -> String {
    let on = current.is_some_and(|l| l.as_str() == key);
    with_param(path, pairs, LIGHT_PARAM, (!on).then_some(key))
}

/// What the comparison panel's title bar says while filtered.
pub fn note_zh(light: Light) -> String {
    format!("筛选：{}党员（再次点击饼图取消）", light.zh())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(id: &str, members: i64, red: i64, yellow: i64) -> ChildBar {
        ChildBar {
            org_id: id.into(),
            name: id.into(),
            kind: "branch".into(),
            members,
            mean_index: 0.0,
            mean_index_text: "0".into(),
            org_life_completion: None,
            red_members: red,
            yellow_members: yellow,
            red_branches: 0,
            yellow_branches: 0,
            light: Light::Green,
            has_children: false,
        }
    }

    fn ids(children: &[ChildBar]) -> Vec<&str> {
        children.iter().map(|c| c.org_id.as_str()).collect()
    }

    #[test]
    fn narrows_the_children() {
        let all = vec![child("A", 10, 1, 0), child("B", 10, 3, 2), child("C", 10, 0, 0)];
        let mut red = all.clone();
        narrow_children(&mut red, Light::Red);
        assert_eq!(ids(&red), ["B", "A"]);
        let mut green = all.clone();
        narrow_children(&mut green, Light::Green);
        assert_eq!(ids(&green), ["C", "A", "B"]);
        let mut yellow = all;
        narrow_children(&mut yellow, Light::Yellow);
        assert_eq!(ids(&yellow), ["B"]);
    }

    #[test]
    fn links() {
        let pairs = vec![("month".to_string(), "2026-03".to_string())];
        assert_eq!(toggle_href("/", &pairs, None, "red"), "/?month=2026-03&light=red");
        assert_eq!(toggle_href("/", &pairs, Some(Light::Yellow), "red"), "/?month=2026-03&light=red");
        let on = vec![("light".to_string(), "red".to_string())];
        assert_eq!(toggle_href("/org/O1", &on, Some(Light::Red), "red"), "/org/O1");
        assert_eq!(parse(Some("red")), Some(Light::Red));
        assert_eq!(parse(Some("Red")), None);
        assert_eq!(parse(None), None);
    }
}
