//! A complete, valid §3 dataset imports completely on every backend, in every form the
//! contract allows (plain CSV; BOM/CRLF/quoted/reordered/multi-part CSV; all-string Parquet;
//! typed Parquet), re-imports as a no-op, and normalises identically across forms.

mod common;

use common::data::{Dataset, expect};
use common::{TestDb, backends, dump};
use std::path::Path;
use store::TableCounts;
use store::import::{ImportOptions, ImportReport, import_dir};

fn opts(chunk_rows: usize) -> ImportOptions {
    ImportOptions { chunk_rows, progress: false }
}

fn expected_counts() -> TableCounts {
    TableCounts {
        orgs: expect::ORGS,
        members: expect::MEMBERS,
        activities: expect::ACTIVITIES,
        events: expect::EVENTS,
        resources: expect::RESOURCES,
        transfers: expect::TRANSFERS,
        ratings: expect::RATINGS,
        projects: expect::PROJECTS,
        candidates: expect::CANDIDATES,
    }
}

#[derive(Clone, Copy, Debug)]
enum Variant {
    CsvPlain,
    CsvAwkward,
    ParquetStrings,
    ParquetTyped,
}

const VARIANTS: [Variant; 4] = [Variant::CsvPlain, Variant::CsvAwkward, Variant::ParquetStrings, Variant::ParquetTyped];

fn write_variant(data: &Dataset, v: Variant, dir: &Path) {
    match v {
        Variant::CsvPlain => data.write_csv_plain(dir),
        Variant::CsvAwkward => data.write_csv_awkward(dir),
        Variant::ParquetStrings => data.write_parquet_strings(dir),
        Variant::ParquetTyped => data.write_parquet_typed(dir),
    }
}

async fn import(db: &TestDb, dir: &Path, chunk_rows: usize, what: &str) -> ImportReport {
    match import_dir(&db.store, dir, &opts(chunk_rows)).await {
        Ok(r) => r,
        Err(e) => panic!("[{}] {what}: import failed: {e}", db.label),
    }
}

fn rejections_text(r: &ImportReport) -> String {
    r.rejections.iter().map(|x| format!("\n  {x}")).collect()
}

/// Everything accepted, nothing rejected, every file's figures add up.
fn assert_all_accepted(db: &TestDb, r: &ImportReport, data: &Dataset, what: &str) {
    let label = db.label;
    assert_eq!(r.rejected, 0, "[{label}] {what}: rejections:{}", rejections_text(r));
    assert!(r.rejections.is_empty(), "[{label}] {what}");
    assert_eq!(r.accepted, data.total_rows(), "[{label}] {what}: accepted (unchanged {})", r.unchanged);
    assert_eq!(r.unchanged, 0, "[{label}] {what}: unchanged");
    for f in &r.files {
        assert_eq!(f.rejected, 0, "[{label}] {what}: {}", f.file);
        assert!(f.accepted > 0, "[{label}] {what}: file {} imported nothing", f.file);
    }
    let per_file: u64 = r.files.iter().map(|f| f.accepted).sum();
    assert_eq!(per_file, r.accepted, "[{label}] {what}: per-file accepted should add up to the total");
}

/// A second import of the same data: nothing new, nothing rejected, all unchanged.
fn assert_no_op(db: &TestDb, r: &ImportReport, data: &Dataset, what: &str) {
    let label = db.label;
    assert_eq!(r.rejected, 0, "[{label}] {what}: rejections:{}", rejections_text(r));
    assert_eq!(r.accepted, 0, "[{label}] {what}: accepted");
    assert_eq!(r.unchanged, data.total_rows(), "[{label}] {what}: unchanged");
}

async fn assert_counts(db: &TestDb, what: &str) {
    let c = db.store.counts().await.unwrap_or_else(|e| panic!("[{}] counts: {e}", db.label));
    assert_eq!(c, expected_counts(), "[{}] {what}: table counts", db.label);
}

/// The tree as the wall sees it: the district at the top with every member and grassroots
/// organisation below it, and the right figures one and two levels down.
async fn assert_tree(db: &TestDb, what: &str) {
    let label = db.label;
    let roots = db.store.org_children(None).await.unwrap_or_else(|e| panic!("[{label}] org_children(None): {e}"));
    assert_eq!(roots.len(), 1, "[{label}] {what}: one root expected, got {roots:?}");
    let d = &roots[0];
    assert_eq!((d.org_id.as_str(), d.name.as_str(), d.kind.as_str()), ("D1", "滨海新区", "district"), "[{label}] {what}");
    assert_eq!(d.members, expect::MEMBERS, "[{label}] {what}: district members");
    assert_eq!(d.grassroots, expect::GRASSROOTS, "[{label}] {what}: district grassroots organisations");
    assert_eq!(d.children, expect::DISTRICT_CHILDREN, "[{label}] {what}: district children");

    let kids = db.store.org_children(Some("D1")).await.unwrap();
    let got: Vec<(&str, &str, i64, i64, i64)> = kids.iter().map(|n| (n.org_id.as_str(), n.kind.as_str(), n.members, n.grassroots, n.children)).collect();
    assert_eq!(
        got,
        vec![("K2", "committee", 2, 2, 1), ("P1", "township", 1, 1, 1), ("S1", "street", 7, 4, 1), ("T1", "town", 2, 1, 1), ("U1", "unit", 1, 1, 1),],
        "[{label}] {what}: children of the district (org_id, kind, members, grassroots, children)"
    );
    let u1 = kids.iter().find(|n| n.org_id == "U1").unwrap();
    assert_eq!(u1.name, "区教育局, \"实验\"学校", "[{label}] {what}: a quoted name with a comma and quotes");

    // The general branch holds two members directly and two branches of its own.
    let g = db.store.org_children(Some("K1")).await.unwrap();
    assert_eq!(g.len(), 1, "[{label}] {what}: K1 children {g:?}");
    assert_eq!((g[0].org_id.as_str(), g[0].members, g[0].grassroots, g[0].children), ("G1", 7, 3, 2), "[{label}] {what}: G1");
    let b = db.store.org_children(Some("G1")).await.unwrap();
    let got: Vec<(&str, i64, i64)> = b.iter().map(|n| (n.org_id.as_str(), n.members, n.grassroots)).collect();
    assert_eq!(got, vec![("B1", 3, 1), ("B2", 2, 1)], "[{label}] {what}: G1's branches");
    let leaf = db.store.org_children(Some("B1")).await.unwrap();
    assert!(leaf.is_empty(), "[{label}] {what}: a branch has no child organisations");
    let none = db.store.org_children(Some("NOPE")).await.unwrap();
    assert!(none.is_empty(), "[{label}] {what}: an unknown parent has no children");
}

/// Values stored exactly: decimals to the millionth, timestamps to the microsecond, text with
/// its commas, quotes and line breaks.
async fn assert_values(db: &TestDb, what: &str) {
    let label = db.label;
    let one = |sql: &'static str| async move { common::rows(&db.store, sql).await };
    let r = one("SELECT CAST(monthly_dues AS TEXT) FROM members WHERE member_id = 'M08'").await;
    assert_eq!(r, vec![vec![Some("33333333".to_owned())]], "[{label}] {what}: 33.333333 yuan in millionths");
    let r = one("SELECT CAST(monthly_dues AS TEXT) FROM members WHERE member_id = 'M02'").await;
    assert_eq!(r, vec![vec![Some("5500000".to_owned())]], "[{label}] {what}: \"5.50\" yuan");
    let r = one("SELECT CAST(quantity AS TEXT), CAST(period AS TEXT) FROM events WHERE event_id = 'E017'").await;
    assert_eq!(r, vec![vec![Some("2750000".to_owned()), Some((2024 * 12).to_string())]], "[{label}] {what}: partial dues");
    let r = one("SELECT CAST(held_at AS TEXT) FROM activities WHERE activity_id = 'A03'").await;
    assert_eq!(r, vec![vec![Some(common::data::micros("2024-01-20T19:30:00.25").to_string())]], "[{label}] {what}: held_at with fraction");
    let r = one("SELECT title FROM activities WHERE activity_id = 'A04'").await;
    assert_eq!(r, vec![vec![Some("党课：\n新时代\n党的建设".to_owned())]], "[{label}] {what}: title with line breaks");
    let r = one("SELECT title FROM resources WHERE resource_id = 'R2'").await;
    assert_eq!(r, vec![vec![Some("\"两学一做\"专题课".to_owned())]], "[{label}] {what}: title with quotes");
    let r = one("SELECT CAST(completed_on AS TEXT) FROM transfers WHERE transfer_id = 'TR2'").await;
    assert_eq!(r, vec![vec![None]], "[{label}] {what}: a pending transfer has no completed_on");
    let r = one("SELECT CAST(quantity AS TEXT), CAST(activity AS TEXT) FROM events WHERE event_id = 'E023'").await;
    assert_eq!(r, vec![vec![None, None]], "[{label}] {what}: model_post without quantity or activity");
    let r = one("SELECT CAST(quantity AS TEXT) FROM events WHERE event_id = 'E035'").await;
    assert_eq!(r, vec![vec![Some("2000000".to_owned())]], "[{label}] {what}: grade \"2.0\"");
    let r = one("SELECT CAST(established_on AS TEXT) FROM orgs WHERE org_id = 'V1'").await;
    assert_eq!(r, vec![vec![Some(common::data::days("2002-02-28").to_string())]], "[{label}] {what}: a date as days");
}

#[tokio::test]
async fn every_variant_imports_completely_and_reimports_as_no_op() {
    let data = Dataset::full();
    let files = tempfile::tempdir().unwrap();
    for v in VARIANTS {
        let dir = files.path().join(format!("{v:?}"));
        write_variant(&data, v, &dir);
        for db in backends().await {
            let what = format!("{v:?}");
            let r = import(&db, &dir, 50_000, &what).await;
            assert_all_accepted(&db, &r, &data, &what);
            if matches!(v, Variant::CsvAwkward) {
                assert_eq!(r.skipped, vec!["README.txt".to_string()], "[{}] {what}: skipped files", db.label);
                let names: Vec<&str> = r.files.iter().map(|f| f.file.as_str()).collect();
                for n in ["orgs-1.csv", "orgs-2.csv", "events-1.csv", "events-2.csv"] {
                    assert!(names.contains(&n), "[{}] {what}: {n} should be reported, got {names:?}", db.label);
                }
            }
            assert_counts(&db, &what).await;
            assert_tree(&db, &what).await;
            assert_values(&db, &what).await;
            let before = dump(&db.store).await;

            let what = format!("{v:?} re-imported");
            let r = import(&db, &dir, 50_000, &what).await;
            assert_no_op(&db, &r, &data, &what);
            assert_counts(&db, &what).await;
            assert_eq!(dump(&db.store).await, before, "[{}] {what}: the stored data changed", db.label);
        }
    }
}

/// All four forms of the same data normalise to the same stored rows: importing one after
/// another is all unchanged, and each form alone stores exactly the same data.
#[tokio::test]
async fn all_variants_store_the_same_values() {
    let data = Dataset::full();
    let files = tempfile::tempdir().unwrap();
    for v in VARIANTS {
        write_variant(&data, v, &files.path().join(format!("{v:?}")));
    }
    for db in backends().await {
        let r = import(&db, &files.path().join("CsvPlain"), 50_000, "CsvPlain").await;
        assert_all_accepted(&db, &r, &data, "CsvPlain");
        let reference = dump(&db.store).await;
        assert_eq!(reference.len() as u64, data.total_rows(), "[{}] dump size", db.label);
        for v in [Variant::CsvAwkward, Variant::ParquetStrings, Variant::ParquetTyped] {
            let what = format!("{v:?} after CsvPlain");
            let r = import(&db, &files.path().join(format!("{v:?}")), 50_000, &what).await;
            assert_no_op(&db, &r, &data, &what);
            assert_counts(&db, &what).await;
        }
        assert_eq!(dump(&db.store).await, reference, "[{}] data changed by re-importing other forms", db.label);

        // And each form alone, into a database of its own, stores the identical rows.
        for v in [Variant::CsvAwkward, Variant::ParquetStrings, Variant::ParquetTyped] {
            let fresh = fresh_like(&db).await;
            let what = format!("{v:?} alone");
            let r = import(&fresh, &files.path().join(format!("{v:?}")), 50_000, &what).await;
            assert_all_accepted(&fresh, &r, &data, &what);
            let got = dump(&fresh.store).await;
            let diff: Vec<String> = got.iter().filter(|l| !reference.contains(l)).cloned().collect();
            assert!(diff.is_empty(), "[{}] {what}: rows stored differently from plain CSV:\n{}", db.label, diff.join("\n"));
        }
    }
}

/// A fresh database of the same backend as `db`.
async fn fresh_like(db: &TestDb) -> TestDb {
    match db.label {
        "sqlite" => common::sqlite().await,
        _ => common::postgres(&common::pg_base_url().expect("postgres configured")).await,
    }
}

/// Chunks of 7 rows (many transactions, files split mid-way, parts of one entity in separate
/// chunks) give exactly the result of one big chunk.
#[tokio::test]
async fn small_chunks_give_the_same_result() {
    let data = Dataset::full();
    let files = tempfile::tempdir().unwrap();
    for v in [Variant::CsvAwkward, Variant::ParquetTyped] {
        write_variant(&data, v, &files.path().join(format!("{v:?}")));
    }
    for db in backends().await {
        let big = fresh_like(&db).await;
        let r = import(&big, &files.path().join("CsvAwkward"), 50_000, "one chunk").await;
        assert_all_accepted(&big, &r, &data, "one chunk");
        let reference = dump(&big.store).await;

        for v in [Variant::CsvAwkward, Variant::ParquetTyped] {
            let small = fresh_like(&db).await;
            let what = format!("{v:?} in chunks of 7");
            let r = import(&small, &files.path().join(format!("{v:?}")), 7, &what).await;
            assert_all_accepted(&small, &r, &data, &what);
            assert_counts(&small, &what).await;
            assert_tree(&small, &what).await;
            assert_eq!(dump(&small.store).await, reference, "[{}] {what}: stored rows differ from a one-chunk import", db.label);
            let what = format!("{v:?} in chunks of 7, re-imported");
            let r = import(&small, &files.path().join(format!("{v:?}")), 7, &what).await;
            assert_no_op(&small, &r, &data, &what);
            let r = import(&small, &files.path().join(format!("{v:?}")), 1, "chunks of 1").await;
            assert_no_op(&small, &r, &data, "chunks of 1");
        }
        // Chunk size 1 from scratch.
        let one = fresh_like(&db).await;
        let r = import(&one, &files.path().join("CsvAwkward"), 1, "chunks of 1 from scratch").await;
        assert_all_accepted(&one, &r, &data, "chunks of 1 from scratch");
        assert_eq!(dump(&one.store).await, reference, "[{}] chunks of 1: stored rows differ", db.label);
    }
}

/// Files may arrive in separate imports: entity by entity, each import referring to rows
/// stored by earlier ones, with the events before the optional files.
#[tokio::test]
async fn entity_by_entity_imports() {
    let data = Dataset::full();
    let files = tempfile::tempdir().unwrap();
    let all = files.path().join("all");
    data.write_csv_plain(&all);
    for db in backends().await {
        for stem in ["orgs", "resources", "members", "activities", "events", "transfers", "ratings", "projects", "candidates"] {
            let dir = files.path().join(format!("{}-{stem}", db.label));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::copy(all.join(format!("{stem}.csv")), dir.join(format!("{stem}.csv"))).unwrap();
            let r = import(&db, &dir, 50_000, stem).await;
            assert_eq!(r.rejected, 0, "[{}] {stem} alone:{}", db.label, rejections_text(&r));
            assert_eq!(r.accepted, data.table(stem).rows.len() as u64, "[{}] {stem} alone", db.label);
        }
        assert_counts(&db, "entity by entity").await;
        assert_tree(&db, "entity by entity").await;
        let r = import(&db, &all, 50_000, "all again").await;
        assert_no_op(&db, &r, &data, "all again");
    }
}

/// An empty directory and a directory of non-interchange files import nothing, successfully.
#[tokio::test]
async fn empty_directory() {
    let files = tempfile::tempdir().unwrap();
    std::fs::write(files.path().join("notes.txt"), "x").unwrap();
    for db in backends().await {
        let r = import(&db, files.path(), 50_000, "empty dir").await;
        assert_eq!((r.accepted, r.unchanged, r.rejected), (0, 0, 0), "[{}]", db.label);
        assert_eq!(r.skipped, vec!["notes.txt".to_string()], "[{}]", db.label);
        assert_eq!(db.store.counts().await.unwrap(), TableCounts::default(), "[{}]", db.label);
        assert!(db.store.org_children(None).await.unwrap().is_empty(), "[{}]", db.label);
    }
}

/// The typed fixture really is typed (so the typed path of the reader is what gets tested).
#[test]
fn typed_parquet_fixture_has_the_contract_types() {
    use polars::prelude::{DataType, TimeUnit};
    use polars_io::SerReader;
    use polars_io::parquet::read::ParquetReader;
    let files = tempfile::tempdir().unwrap();
    Dataset::full().write_parquet_typed(files.path());
    let dtype = |file: &str, col: &str| {
        let df = ParquetReader::new(std::fs::File::open(files.path().join(file)).unwrap()).finish().unwrap();
        df.column(col).unwrap().dtype().clone()
    };
    assert_eq!(dtype("orgs.parquet", "established_on"), DataType::Date);
    assert_eq!(dtype("members.parquet", "birth_date"), DataType::Date);
    assert!(matches!(dtype("members.parquet", "monthly_dues"), DataType::Decimal(_, 6)));
    assert_eq!(dtype("activities.parquet", "held_at"), DataType::Datetime(TimeUnit::Microseconds, None));
    assert_eq!(dtype("events.part1.parquet", "occurred_at"), DataType::Datetime(TimeUnit::Microseconds, None));
    assert!(matches!(dtype("events.part2.parquet", "quantity"), DataType::Decimal(_, 6)));
    assert_eq!(dtype("ratings.parquet", "year"), DataType::Int32);
    assert_eq!(dtype("ratings.parquet", "stars"), DataType::Int8);
    assert_eq!(dtype("projects.parquet", "progress"), DataType::Int64);
    assert_eq!(dtype("transfers.parquet", "completed_on"), DataType::Date);
}

/// `chunk_rows = 0` (e.g. `vanguard import --chunk-rows 0`) must not hang: it is either refused
/// or treated as some positive chunk size. Runs on a thread of its own so that a hang fails
/// this test instead of blocking the whole test binary.
#[test]
fn chunk_rows_zero_does_not_hang() {
    let data = Dataset::full();
    let files = tempfile::tempdir().unwrap();
    let dir = files.path().join("typed");
    data.write_parquet_typed(&dir);
    // Only the organisations: enough to show the problem without writing to the database in a loop.
    for f in std::fs::read_dir(&dir).unwrap() {
        let p = f.unwrap().path();
        if !p.file_name().unwrap().to_string_lossy().starts_with("orgs") {
            std::fs::remove_file(p).unwrap();
        }
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let r = rt.block_on(async {
            let db = common::sqlite().await;
            import_dir(&db.store, &dir, &opts(0)).await.map(|r| (r.accepted, r.rejected)).map_err(|e| e.to_string())
        });
        let _ = tx.send(r);
    });
    match rx.recv_timeout(std::time::Duration::from_secs(30)) {
        Ok(Ok((accepted, rejected))) => {
            assert_eq!((accepted, rejected), (expect::ORGS as u64, 0), "chunk_rows = 0 imported something else than the organisations")
        }
        Ok(Err(_refused)) => {}
        Err(_) => panic!("import_dir with chunk_rows = 0 on a Parquet file did not finish within 30 s (it loops forever)"),
    }
    std::mem::forget(files); // the stuck thread may still read them
}
