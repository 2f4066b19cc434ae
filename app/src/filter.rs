//! Drill-down from the pies of the composition panel (issue 12): a click on a slice (or on its
//! legend entry) lists that set in the view's comparison panel — the members held directly
//! in it, the child organisations that have such members (most of them first) — and the URL
//! holds it (`?light=red`, `?category=retired`, `?grade=1`), so a reload or a shared link
//! shows the same list. One filter at a time: a slice of another pie replaces it, a second
//! click on the same slice clears it, and drilling down leaves it behind
//! ([`crate::urls::Keep`]).
//!
//! The snapshot carries what each pie counts per child organisation (its lights' members,
//! [`ChildBar::category_members`], [`ChildBar::grade_members`]) and per direct member
//! ([`MemberRow::category`], [`MemberRow::grade`]), so a filtered list agrees with its slice.

use std::cmp::Reverse;

use domain::Light;
use domain::kinds::{Category, grade_zh};
use domain::wire::{ChildBar, MemberRow, WallSnapshot};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::urls::with_param;

/// Which pie a filter comes from: each has its query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pie {
    Lights,
    Categories,
    Grades,
}

impl Pie {
    /// The query parameters, in the order a URL naming several is read.
    pub const ALL: [Pie; 3] = [Pie::Lights, Pie::Categories, Pie::Grades];

    pub fn param(self) -> &'static str {
        match self {
            Pie::Lights => "light",
            Pie::Categories => "category",
            Pie::Grades => "grade",
        }
    }
}

/// The set of members a slice stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Light(Light),
    Category(Category),
    /// `1` 优秀 … `4` 不合格 ([`grade_zh`]).
    Grade(i64),
}

impl Filter {
    /// The filter `key` names in `pie`; `None` for a key that pie does not have.
    pub fn parse(pie: Pie, key: &str) -> Option<Filter> {
        match pie {
            Pie::Lights => key.parse().ok().map(Filter::Light),
            Pie::Categories => Category::parse(key).ok().map(Filter::Category),
            Pie::Grades => key.parse().ok().filter(|g| grade_zh(*g).is_some() && g.to_string() == key).map(Filter::Grade),
        }
    }

    pub fn pie(self) -> Pie {
        match self {
            Filter::Light(_) => Pie::Lights,
            Filter::Category(_) => Pie::Categories,
            Filter::Grade(_) => Pie::Grades,
        }
    }

    /// The slice's key (as its pie and the URL have it).
    pub fn key(self) -> String {
        match self {
            Filter::Light(l) => l.as_str().to_string(),
            Filter::Category(c) => c.as_str().to_string(),
            Filter::Grade(g) => g.to_string(),
        }
    }

    fn holds(self, m: &MemberRow) -> bool {
        match self {
            Filter::Light(l) => m.light == l,
            Filter::Category(c) => m.category == c.as_str(),
            Filter::Grade(_) => m.grade.as_deref() == Some(self.key().as_str()),
        }
    }

    /// How many members of the set a child organisation's subtree has.
    fn members_of(self, c: &ChildBar) -> i64 {
        match self {
            Filter::Light(Light::Red) => c.red_members,
            Filter::Light(Light::Yellow) => c.yellow_members,
            Filter::Light(Light::Green) => c.members - c.red_members - c.yellow_members,
            Filter::Category(k) => c.category_members.get(k.as_str()).copied().unwrap_or(0),
            Filter::Grade(_) => c.grade_members.get(&self.key()).copied().unwrap_or(0),
        }
    }

    /// What the comparison panel's title bar says while filtered.
    pub fn note_zh(self) -> String {
        let what = match self {
            Filter::Light(l) => format!("{}党员", l.zh()),
            Filter::Category(c) => c.zh().to_string(),
            Filter::Grade(g) => format!("民主评议{}的党员", grade_zh(g).unwrap_or_default()),
        };
        format!("筛选：{what}（再次点击饼图取消）")
    }
}

/// The filter the query pairs name (the first of [`Pie::ALL`] that names a known slice).
pub fn from_pairs<'a>(mut get: impl FnMut(&'static str) -> Option<&'a str>) -> Option<Filter> {
    Pie::ALL.into_iter().find_map(|pie| get(pie.param()).and_then(|key| Filter::parse(pie, key)))
}

/// The filter in the URL.
pub fn use_pie_filter() -> Memo<Option<Filter>> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| from_pairs(|p| q.get_str(p))))
}

/// The children with members of the set, those with the most first (ties keep their order).
fn narrow_children(children: &mut Vec<ChildBar>, filter: Filter) {
    children.retain(|c| filter.members_of(c) > 0);
    children.sort_by_key(|c| Reverse(filter.members_of(c)));
}

/// `snap` with its lists narrowed to the set: the direct members in it, the children with
/// members in it.
pub fn narrowed(snap: &WallSnapshot, filter: Filter) -> WallSnapshot {
    let mut s = snap.clone();
    s.members.retain(|m| filter.holds(m));
    narrow_children(&mut s.children, filter);
    s
}

/// The page in view (`path`, query `pairs`) filtered to the slice `key` of `pie` (any other
/// pie's filter dropped), or without a filter when that slice is the one in force (the
/// second click).
pub fn toggle_href(path: &str, pairs: &[(String, String)], current: Option<Filter>, pie: Pie, key: &str) -> String {
    let on = current.is_some_and(|f| f.pie() == pie && f.key() == key);
    let others: Vec<(String, String)> = pairs.iter().filter(|(k, _)| Pie::ALL.iter().all(|p| p == &pie || p.param() != k)).cloned().collect();
    with_param(path, &others, pie.param(), (!on).then_some(key))
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
            category_members: [("employed".to_string(), members - red), ("retired".to_string(), red)].into(),
            grade_members: [("1".to_string(), yellow), ("2".to_string(), 0)].into(),
        }
    }

    fn ids(children: &[ChildBar]) -> Vec<&str> {
        children.iter().map(|c| c.org_id.as_str()).collect()
    }

    fn narrowed_ids(all: &[ChildBar], f: Filter) -> Vec<String> {
        let mut c = all.to_vec();
        narrow_children(&mut c, f);
        ids(&c).into_iter().map(String::from).collect()
    }

    #[test]
    fn narrows_the_children() {
        let all = vec![child("A", 10, 1, 0), child("B", 10, 3, 2), child("C", 10, 0, 0)];
        assert_eq!(narrowed_ids(&all, Filter::Light(Light::Red)), ["B", "A"]);
        assert_eq!(narrowed_ids(&all, Filter::Light(Light::Green)), ["C", "A", "B"]);
        assert_eq!(narrowed_ids(&all, Filter::Light(Light::Yellow)), ["B"]);
        assert_eq!(narrowed_ids(&all, Filter::Category(Category::Retired)), ["B", "A"]);
        assert_eq!(narrowed_ids(&all, Filter::Category(Category::Employed)), ["C", "A", "B"]);
        assert_eq!(narrowed_ids(&all, Filter::Category(Category::Student)), Vec::<String>::new());
        assert_eq!(narrowed_ids(&all, Filter::Grade(1)), ["B"]);
        assert_eq!(narrowed_ids(&all, Filter::Grade(2)), Vec::<String>::new());
    }

    #[test]
    fn narrows_the_members() {
        let row = |id: &str, light, category: &str, grade: Option<&str>| MemberRow {
            member_id: id.into(),
            name: id.into(),
            index: "0".into(),
            index_value: 0.0,
            org_rank: 1,
            light,
            category: category.into(),
            grade: grade.map(String::from),
        };
        let members = [row("M1", Light::Red, "retired", Some("1")), row("M2", Light::Green, "employed", None), row("M3", Light::Green, "retired", Some("4"))];
        let keep = |f: Filter| members.iter().filter(|m| f.holds(m)).map(|m| m.member_id.as_str()).collect::<Vec<_>>();
        assert_eq!(keep(Filter::Light(Light::Green)), ["M2", "M3"]);
        assert_eq!(keep(Filter::Category(Category::Retired)), ["M1", "M3"]);
        assert_eq!(keep(Filter::Grade(4)), ["M3"]);
    }

    #[test]
    fn parses_and_links() {
        let pairs = vec![("month".to_string(), "2026-03".to_string())];
        assert_eq!(toggle_href("/", &pairs, None, Pie::Lights, "red"), "/?month=2026-03&light=red");
        assert_eq!(toggle_href("/", &pairs, Some(Filter::Light(Light::Yellow)), Pie::Lights, "red"), "/?month=2026-03&light=red");
        let on = vec![("light".to_string(), "red".to_string())];
        assert_eq!(toggle_href("/org/O1", &on, Some(Filter::Light(Light::Red)), Pie::Lights, "red"), "/org/O1");
        // a slice of another pie replaces the filter
        assert_eq!(toggle_href("/org/O1", &on, Some(Filter::Light(Light::Red)), Pie::Grades, "2"), "/org/O1?grade=2");
        let retired = vec![("category".to_string(), "retired".to_string()), ("layout".to_string(), "briefing".to_string())];
        assert_eq!(toggle_href("/", &retired, Some(Filter::Category(Category::Retired)), Pie::Categories, "retired"), "/?layout=briefing");

        let get = |q: &'static [(&'static str, &'static str)]| from_pairs(|p| q.iter().find(|(k, _)| *k == p).map(|(_, v)| *v));
        assert_eq!(get(&[("light", "red")]), Some(Filter::Light(Light::Red)));
        assert_eq!(get(&[("light", "Red")]), None);
        assert_eq!(get(&[("category", "new_economy")]), Some(Filter::Category(Category::NewEconomy)));
        assert_eq!(get(&[("grade", "3")]), Some(Filter::Grade(3)));
        assert_eq!(get(&[("grade", "5")]), None);
        assert_eq!(get(&[]), None);
        assert_eq!(Filter::Grade(1).note_zh(), "筛选：民主评议优秀的党员（再次点击饼图取消）");
        assert_eq!(Filter::Category(Category::Retired).note_zh(), "筛选：离退休党员（再次点击饼图取消）");
        assert_eq!(Filter::Light(Light::Red).note_zh(), "筛选：红灯党员（再次点击饼图取消）");
    }
}
