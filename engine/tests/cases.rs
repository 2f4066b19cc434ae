//! The hand-worked cases of `tests/cases/` (see its README): each case's §3 files are
//! imported into a fresh store — SQLite, and PostgreSQL when `VANGUARD_TEST_PG` is set —
//! and every export listed in its `case.toml` must equal the hand-made file byte for byte.

#[path = "../../store/tests/common/mod.rs"]
mod common;

use engine::{Export, Rules};
use std::path::{Path, PathBuf};
use store::import::{ImportOptions, import_dir};

/// One `[[check]]` of a case.toml.
#[derive(Debug, Default)]
struct Check {
    export: String,
    year: Option<i32>,
    month: Option<String>,
    expected: String,
}

/// Reads the few `key = value` lines of a case.toml (the format is fixed by the cases' README).
fn read_checks(path: &Path) -> Vec<Check> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut checks: Vec<Check> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if line == "[[check]]" {
            checks.push(Check::default());
            continue;
        }
        let (k, v) = line.split_once('=').unwrap_or_else(|| panic!("{}:{}: expected key = value", path.display(), n + 1));
        let (k, v) = (k.trim(), v.trim().trim_matches('"').to_owned());
        let c = checks.last_mut().unwrap_or_else(|| panic!("{}:{}: key before [[check]]", path.display(), n + 1));
        match k {
            "export" => c.export = v,
            "year" => c.year = Some(v.parse().expect("year")),
            "month" => c.month = Some(v),
            "expected" => c.expected = v,
            other => panic!("{}:{}: unknown key {other}", path.display(), n + 1),
        }
    }
    assert!(!checks.is_empty(), "{}: no [[check]]", path.display());
    checks
}

fn export_of(c: &Check) -> Export {
    let month = || domain::Period::parse(c.month.as_deref().expect("month")).expect("month YYYY-MM");
    match c.export.as_str() {
        "index" => Export::Index { year: c.year.expect("year") },
        "member-lights" => Export::MemberLights { month: month() },
        "branch-lights" => Export::BranchLights { month: month() },
        other => panic!("unknown export {other}"),
    }
}

fn case_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(&root).expect("tests/cases").filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.join("case.toml").exists()).collect();
    dirs.sort();
    assert!(dirs.len() >= 8, "expected the hand-worked cases under {}", root.display());
    dirs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hand_worked_cases_match_exactly() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in case_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        for db in common::backends().await {
            let report = import_dir(&db.store, &dir.join("input"), &ImportOptions::default()).await.expect("import");
            assert_eq!(report.rejected, 0, "[{}] {name}: the case's input must import cleanly: {:?}", db.label, report.files);
            let copy_dir = tempfile::tempdir().expect("temp dir");
            let copy = engine::columnar::ColumnarCopy::open(copy_dir.path()).expect("columnar dir");
            let ds = engine::load::load(&db.store, &copy).await.expect("load");
            for check in read_checks(&dir.join("case.toml")) {
                let mut got = Vec::new();
                engine::write_export(&ds, &Rules::default(), export_of(&check), &mut got).expect("export");
                let want = std::fs::read(dir.join(&check.expected)).expect("expected file");
                checked += 1;
                if got != want {
                    failures.push(diff(&format!("[{}] {name}/{}", db.label, check.expected), &want, &got));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} exports differ:\n{}", failures.len(), failures.join("\n"));
}

fn diff(what: &str, want: &[u8], got: &[u8]) -> String {
    let (w, g) = (String::from_utf8_lossy(want), String::from_utf8_lossy(got));
    let mut out = format!("{what}:\n");
    let (wl, gl): (Vec<&str>, Vec<&str>) = (w.lines().collect(), g.lines().collect());
    for i in 0..wl.len().max(gl.len()) {
        let (a, b) = (wl.get(i).copied().unwrap_or("<none>"), gl.get(i).copied().unwrap_or("<none>"));
        if a != b {
            out += &format!("  line {}: want {a}\n           got  {b}\n", i + 1);
        }
    }
    out
}
