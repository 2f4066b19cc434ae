//! Warnings equal the lights (docs/RULES.md §11): on every hand-worked case of
//! `engine/tests/cases/`, imported at once, the warnings export of the newest month holds
//! exactly the non-green lights of §5 at that month — one row per light that is on, as
//! (subject, reason, light) — and bringing them up to date again changes nothing.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{backends, scalar};
use engine::{Export, Rules};

/// (subject_kind, subject_id, reason, light) of the lights export of `month`.
fn lights_of(ds: &engine::Dataset, month: domain::Period) -> BTreeSet<(String, String, String, String)> {
    let mut out = BTreeSet::new();
    let mut buf = Vec::new();
    engine::write_export(ds, &Rules::default(), Export::MemberLights { month }, &mut buf).unwrap();
    for line in String::from_utf8(buf).unwrap().lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        for (reason, light) in [("dues", f[4]), ("absence", f[5])] {
            if light != "green" {
                out.insert(("member".into(), f[0].into(), reason.into(), light.into()));
            }
        }
    }
    let mut buf = Vec::new();
    engine::write_export(ds, &Rules::default(), Export::BranchLights { month }, &mut buf).unwrap();
    for line in String::from_utf8(buf).unwrap().lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        for (reason, light) in [("gap", f[6]), ("share", f[7])] {
            if light != "green" {
                out.insert(("org".into(), f[0].into(), reason.into(), light.into()));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_warnings_of_the_newest_month_are_its_lights() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/cases");
    let mut cases: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.join("input").is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 8, "the hand-worked cases are missing");
    let mut lit_somewhere = 0;
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        for db in backends().await {
            let (s, label) = (&db.store, format!("{name}/{}", db.label));
            let r = store::import::import_dir(s, &case.join("input"), &Default::default()).await.unwrap();
            assert_eq!(r.rejected, 0, "[{label}] {:?}", r.rejections);
            let copy = tempfile::tempdir().unwrap();
            let copy = engine::columnar::ColumnarCopy::open(copy.path()).unwrap();
            operations::sync(s, &copy, &Rules::default()).await.unwrap();
            let again = operations::sync(s, &copy, &Rules::default()).await.unwrap();
            assert!(again.is_empty(), "[{label}] a second sync changed {again:?}");

            let ds = engine::load::load(s, &copy).await.unwrap();
            let Some(month) = ds.latest_month().unwrap().map(domain::Period) else { continue };
            let expected = lights_of(&ds, month);
            let mut buf = Vec::new();
            operations::warnings::export(s, month, &mut buf).await.unwrap();
            let text = String::from_utf8(buf).unwrap();
            let mut rows: Vec<(String, String, String, String)> = Vec::new();
            for line in text.lines().skip(1) {
                let f: Vec<&str> = line.split(',').collect();
                assert_eq!(f[1], month.to_string(), "[{label}] {line}");
                assert_eq!(f[7], "open", "[{label}] {line}");
                rows.push((f[2].into(), f[3].into(), f[5].into(), f[6].into()));
            }
            let got: BTreeSet<_> = rows.iter().cloned().collect();
            assert_eq!(got.len(), rows.len(), "[{label}] duplicate keys in\n{text}");
            assert_eq!(got, expected, "[{label}]\n{text}");
            let mut sorted = rows.clone();
            sorted.sort_by(|a, b| (a.0.as_bytes(), a.1.as_bytes(), a.2.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes(), b.2.as_bytes())));
            assert_eq!(rows, sorted, "[{label}] sorted by subject_kind, subject_id, reason");
            lit_somewhere += rows.len();
            assert_eq!(scalar(s, "SELECT COUNT(*) FROM warnings").await as usize, rows.len(), "[{label}]");
        }
    }
    assert!(lit_somewhere > 0, "no case has a light on at its newest month");
}
