//! End-to-end checks of the generated files against the §3 contract.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::cal::{self, DAY};
use super::*;

fn small() -> SeedConfig {
    SeedConfig { members: 300, years: 2, seed: 7, end_month: (2026, 10) }
}

fn read(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let raw = std::fs::read(path).unwrap();
    assert!(!raw.contains(&b'\r'), "{} has CR line ends", path.display());
    assert_eq!(raw.last(), Some(&b'\n'), "{} ends with LF", path.display());
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(raw.as_slice());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

fn valid_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

fn day(s: &str) -> i32 {
    assert_eq!(s.len(), 10, "date {s}");
    let b = s.as_bytes();
    assert!(b[4] == b'-' && b[7] == b'-', "date {s}");
    let (y, m, d) = (s[0..4].parse().unwrap(), s[5..7].parse().unwrap(), s[8..10].parse().unwrap());
    assert!((1..=12).contains(&m) && d >= 1 && d <= cal::days_in_month(y, m), "date {s}");
    cal::days_from_civil(y, m, d)
}

fn ts(s: &str) -> i64 {
    assert_eq!(s.len(), 19, "timestamp {s}");
    assert_eq!(&s[10..11], "T");
    let (h, mi, se): (i64, i64, i64) = (s[11..13].parse().unwrap(), s[14..16].parse().unwrap(), s[17..19].parse().unwrap());
    assert!(h < 24 && mi < 60 && se < 60, "timestamp {s}");
    day(&s[..10]) as i64 * DAY + h * 3600 + mi * 60 + se
}

/// Exact decimal with at most two places → hundredths.
fn hundredths(s: &str) -> i64 {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    assert!(!int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()), "decimal {s}");
    assert!(frac.len() <= 2 && frac.bytes().all(|b| b.is_ascii_digit()), "decimal {s}");
    assert!(!frac.ends_with('0'), "shortest form {s}");
    let f: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().unwrap() };
    int.parse::<i64>().unwrap() * 100 + f
}

fn unique(rows: &[Vec<String>], col: usize, what: &str) -> HashSet<String> {
    let mut set = HashSet::new();
    for r in rows {
        assert!(valid_id(&r[col]), "{what} id {:?}", r[col]);
        assert!(set.insert(r[col].clone()), "duplicate {what} id {}", r[col]);
    }
    set
}

#[test]
fn deterministic_and_seed_sensitive() {
    let a = tempfile::TempDir::new().unwrap();
    let b = tempfile::TempDir::new().unwrap();
    let c = tempfile::TempDir::new().unwrap();
    let sa = write_dataset(a.path(), &small(), None).unwrap();
    let sb = write_dataset(b.path(), &small(), None).unwrap();
    let sc = write_dataset(c.path(), &SeedConfig { seed: 8, ..small() }, None).unwrap();
    assert_eq!(sa.files.len(), sb.files.len());
    let mut differs = false;
    for (fa, fb) in sa.files.iter().zip(&sb.files) {
        assert_eq!(fa.file_name(), fb.file_name());
        assert!(std::fs::read(fa).unwrap() == std::fs::read(fb).unwrap(), "{} differs between runs", fa.display());
        let fc = c.path().join(fa.file_name().unwrap());
        differs |= std::fs::read(fa).unwrap() != std::fs::read(fc).unwrap();
    }
    assert!(differs, "another seed gives other data");
    assert_eq!((sa.events, sa.activities), (sb.events, sb.activities));
    assert!(sc.events > 0);
}

#[test]
fn files_follow_the_contract() {
    let dir = tempfile::TempDir::new().unwrap();
    let cfg = small();
    let s = write_dataset(dir.path(), &cfg, None).unwrap();
    let win = cal::Window::new(cfg.years, cfg.end_month).unwrap();
    let names: Vec<String> = s.files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(
        names,
        [
            "orgs.csv",
            "members.csv",
            "activities.csv",
            "resources.csv",
            "transfers.csv",
            "ratings.csv",
            "projects.csv",
            "candidates.csv",
            "events-2024.csv",
            "events-2025.csv",
            "events-2026.csv"
        ]
    );

    // Organisations: ids, kinds, parents listed first (so no cycles), one root.
    let (h, orgs) = read(&dir.path().join("orgs.csv"));
    assert_eq!(h, ["org_id", "parent_id", "name", "kind", "established_on"]);
    assert_eq!(orgs.len() as u64, s.orgs);
    unique(&orgs, 0, "org");
    let mut org_kind: HashMap<String, String> = HashMap::new();
    for r in &orgs {
        if r[1].is_empty() {
            assert!(org_kind.is_empty() && r[3] == "district");
        } else {
            assert!(org_kind.contains_key(&r[1]), "parent {} of {} listed before it", r[1], r[0]);
        }
        assert!(!r[2].is_empty());
        assert!(["district", "street", "town", "township", "community", "village", "unit", "committee", "general_branch", "branch"].contains(&r[3].as_str()));
        day(&r[4]);
        org_kind.insert(r[0].clone(), r[3].clone());
    }
    let grassroots = |k: &str| matches!(k, "committee" | "general_branch" | "branch");
    assert_eq!(org_kind.values().filter(|k| grassroots(k)).count() as u64, s.grassroots);
    assert_eq!(s.grassroots, tree::grassroots_target(300) as u64);

    // Members.
    let (h, members) = read(&dir.path().join("members.csv"));
    assert_eq!(h, ["member_id", "org_id", "name", "gender", "birth_date", "joined_on", "status", "category", "monthly_dues"]);
    assert_eq!(members.len() as u64, s.members);
    assert_eq!(s.members, 300);
    unique(&members, 0, "member");
    let mut member_org = HashMap::new();
    let mut member_joined = HashMap::new();
    let mut member_dues = HashMap::new();
    for r in &members {
        assert!(grassroots(&org_kind[&r[1]]), "member {} in {}", r[0], r[1]);
        assert!(r[3] == "M" || r[3] == "F");
        let (b, j) = (day(&r[4]), day(&r[5]));
        assert!(j >= cal::add_years(b, 18) && j <= win.end_day, "member {} joined {}", r[0], r[5]);
        assert!(r[6] == "full" || r[6] == "probationary");
        assert_eq!(r[6] == "probationary", cal::add_years(j, 1) > win.end_day);
        assert!(["employed", "retired", "mobile", "new_economy", "rural", "student"].contains(&r[7].as_str()));
        member_dues.insert(r[0].clone(), hundredths(&r[8]));
        member_org.insert(r[0].clone(), r[1].clone());
        member_joined.insert(r[0].clone(), j);
    }

    // Activities: of grassroots organisations, within the window, after establishment.
    let (h, acts) = read(&dir.path().join("activities.csv"));
    assert_eq!(h, ["activity_id", "org_id", "kind", "held_at", "title"]);
    assert_eq!(acts.len() as u64, s.activities);
    unique(&acts, 0, "activity");
    let est: HashMap<&str, i32> = orgs.iter().map(|r| (r[0].as_str(), day(&r[4]))).collect();
    let mut act_org = HashMap::new();
    let mut act_kinds = HashSet::new();
    for r in &acts {
        assert!(grassroots(&org_kind[&r[1]]));
        let t = ts(&r[3]);
        assert!(t >= win.start_ts() && t <= win.end_ts() && t >= est[r[1].as_str()] as i64 * DAY);
        assert!(!r[4].is_empty());
        act_kinds.insert(r[2].clone());
        act_org.insert(r[0].clone(), (r[1].clone(), t));
    }
    for k in [
        "party_congress",
        "committee_meeting",
        "group_meeting",
        "party_lesson",
        "theme_day",
        "org_life_meeting",
        "theory_study",
        "democratic_consultation",
        "democratic_evaluation",
        "volunteer_activity",
        "condolence_visit",
    ] {
        assert!(act_kinds.contains(k), "no {k} activity");
    }
    assert_eq!(act_kinds.len(), 11);
    assert!(acts.iter().any(|r| r[4].contains(',')), "some titles need quoting");

    // Events.
    let mut event_ids = HashSet::new();
    let mut kinds: HashMap<String, u64> = HashMap::new();
    let mut evals: HashMap<(String, String), u32> = HashMap::new();
    for f in s.files.iter().filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("events-")) {
        let year: i32 = f.file_stem().unwrap().to_string_lossy()[7..].parse().unwrap();
        let (h, rows) = read(f);
        assert_eq!(h, ["event_id", "member_id", "kind", "occurred_at", "activity_id", "quantity", "period", "source"]);
        assert!(!rows.is_empty());
        for r in &rows {
            assert!(valid_id(&r[0]) && event_ids.insert(r[0].clone()), "event id {}", r[0]);
            let org = member_org.get(&r[1]).unwrap_or_else(|| panic!("unknown member {}", r[1]));
            let t = ts(&r[3]);
            assert_eq!(cal::civil_from_days(t.div_euclid(DAY) as i32).0, year, "{} in the file of its year", r[0]);
            assert!(t >= win.start_ts() && t <= win.end_ts(), "event {} at {} outside the window", r[0], r[3]);
            assert!(t >= member_joined[&r[1]] as i64 * DAY, "event {} before {} joined", r[0], r[1]);
            assert!(["fengling_ejia", "fenglinghui", "yongzhiyuan", "checkin", "manual"].contains(&r[7].as_str()));
            *kinds.entry(r[2].clone()).or_default() += 1;
            match r[2].as_str() {
                "attend" | "leave" => {
                    let (aorg, _) = act_org.get(&r[4]).unwrap_or_else(|| panic!("event {} references unknown activity {}", r[0], r[4]));
                    assert_eq!(aorg, org, "event {} references another organisation's activity", r[0]);
                    assert!(r[5].is_empty() && r[6].is_empty());
                }
                "dues" => {
                    assert!(r[4].is_empty());
                    assert!(hundredths(&r[5]) > 0);
                    assert!(hundredths(&r[5]) <= member_dues[&r[1]]);
                    let p = day(&format!("{}-01", r[6]));
                    assert!(p >= win.start_day && p <= win.end_day && p >= cal::month_first_day(cal::month_of_day(member_joined[&r[1]])));
                }
                "volunteer" => assert!(hundredths(&r[5]) > 0 && r[6].is_empty()),
                "evaluation" => {
                    let g = hundredths(&r[5]);
                    assert!([100, 200, 300, 400].contains(&g), "grade {}", r[5]);
                    assert!(r[6].ends_with("-12") && r[6].len() == 7);
                    *evals.entry((r[1].clone(), r[6].clone())).or_default() += 1;
                }
                "study" | "model_post" => assert!(r[4].is_empty() && r[5].is_empty() && r[6].is_empty()),
                k => panic!("unknown event kind {k}"),
            }
        }
    }
    assert_eq!(event_ids.len() as u64, s.events);
    for k in ["attend", "leave", "dues", "study", "volunteer", "evaluation"] {
        assert!(kinds.get(k).copied().unwrap_or(0) > 0, "no {k} events");
    }
    assert!(kinds["study"] > kinds["attend"] && kinds["attend"] > kinds["dues"]);
    assert!(evals.values().all(|&n| n <= 2));
    let per_member_year = s.events as f64 / (300.0 * cfg.years as f64);
    assert!((350.0..900.0).contains(&per_member_year), "{per_member_year} events per member-year");

    // Resources, transfers, ratings, projects, candidates.
    let (h, res) = read(&dir.path().join("resources.csv"));
    assert_eq!(h, ["resource_id", "kind", "title", "tags"]);
    assert_eq!(res.len() as u64, s.resources);
    unique(&res, 0, "resource");
    for tag in ["三会一课", "组织生活", "党费", "志愿服务", "理论学习", "民主评议", "发展党员"] {
        assert!(res.iter().filter(|r| r[3].split(';').any(|t| t == tag)).count() >= 10, "tag {tag}");
    }
    assert!(res.iter().all(|r| ["lecturer", "lesson", "video", "base"].contains(&r[1].as_str())));
    assert!(res.iter().any(|r| r[2].contains('\n')), "a multi-line title");

    let (h, tr) = read(&dir.path().join("transfers.csv"));
    assert_eq!(h, ["transfer_id", "member_id", "from_org_id", "to_org_id", "requested_on", "completed_on"]);
    assert_eq!(tr.len() as u64, s.transfers);
    unique(&tr, 0, "transfer");
    for r in &tr {
        assert!(member_org.contains_key(&r[1]) && org_kind.contains_key(&r[2]) && org_kind.contains_key(&r[3]) && r[2] != r[3]);
        if !r[5].is_empty() {
            assert!(day(&r[5]) >= day(&r[4]));
            assert_eq!(member_org[&r[1]], r[3]);
        } else {
            assert_eq!(member_org[&r[1]], r[2]);
        }
    }

    let (h, ratings) = read(&dir.path().join("ratings.csv"));
    assert_eq!(h, ["org_id", "year", "stars"]);
    assert_eq!(ratings.len() as u64, s.ratings);
    let mut seen = HashSet::new();
    for r in &ratings {
        assert!(grassroots(&org_kind[&r[0]]));
        assert!(seen.insert((r[0].clone(), r[1].clone())));
        assert!((1..=5).contains(&r[2].parse::<u32>().unwrap()));
    }

    let (h, projects) = read(&dir.path().join("projects.csv"));
    assert_eq!(h, ["project_id", "org_id", "title", "started_on", "due_on", "completed_on", "progress"]);
    assert_eq!(projects.len() as u64, s.projects);
    unique(&projects, 0, "project");
    for r in &projects {
        assert!(org_kind.contains_key(&r[1]));
        assert!(day(&r[4]) > day(&r[3]));
        let progress: u32 = r[6].parse().unwrap();
        assert!(progress <= 100);
        if !r[5].is_empty() {
            assert_eq!(progress, 100);
            assert!(day(&r[5]) <= win.end_day);
        }
    }

    let (h, cands) = read(&dir.path().join("candidates.csv"));
    assert_eq!(h, ["candidate_id", "org_id", "name", "step", "step_on"]);
    assert_eq!(cands.len() as u64, s.candidates);
    let order = ["application", "activist", "candidate", "probationary", "full"];
    let mut last: HashMap<String, (usize, i32)> = HashMap::new();
    for r in &cands {
        assert!(valid_id(&r[0]) && org_kind.contains_key(&r[1]));
        let step = order.iter().position(|s| *s == r[3]).unwrap();
        let on = day(&r[4]);
        assert!(on <= win.end_day);
        if let Some(&(ps, pd)) = last.get(&r[0]) {
            assert_eq!(step, ps + 1, "steps in order for {}", r[0]);
            assert!(on > pd);
        } else {
            assert_eq!(step, 0);
        }
        last.insert(r[0].clone(), (step, on));
    }
}

#[test]
fn tiny_and_reference_scales() {
    // The reference district: exactly 2,654 grassroots organisations (tree only).
    let win = cal::Window::new(1, (2026, 10)).unwrap();
    let t = tree::build(47_411, 42, &win);
    assert_eq!(t.orgs.iter().filter(|o| o.kind.is_grassroots()).count(), 2_654);

    // 100 members: a handful of organisations, everything still valid.
    let dir = tempfile::TempDir::new().unwrap();
    let s = write_dataset(dir.path(), &SeedConfig { members: 100, years: 1, seed: 1, end_month: (2026, 12) }, None).unwrap();
    assert!(s.orgs <= 15 && s.grassroots >= 1, "{s:?}");
    assert_eq!(s.files.iter().filter(|p| p.to_string_lossy().contains("events-")).count(), 1);
    assert!(s.events > 100 * 300);

    // No members at all still gives a tree with a branch.
    let dir = tempfile::TempDir::new().unwrap();
    let s = write_dataset(dir.path(), &SeedConfig { members: 0, ..SeedConfig::default() }, None).unwrap();
    assert_eq!((s.members, s.events, s.grassroots), (0, 0, 1));
}
