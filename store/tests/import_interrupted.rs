//! Imports that do not run alone or do not run to the end: two imports at once into one
//! database, and an import cancelled (its future dropped, as a web request or a timeout
//! would) while it writes events. What is committed must be whole, a later import — from this
//! process or another — must complete it, and the result must equal a clean import.

mod common;

use common::data::Dataset;
use common::{TestDb, backends, scalar};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use store::TableCounts;
use store::import::{ImportOptions, import_dir};

fn opts(chunk_rows: usize) -> ImportOptions {
    ImportOptions { chunk_rows, progress: false }
}

/// Starts `import_dir` of `dir` in the background with chunks of `chunk_rows`.
fn spawn_import(
    store: &store::Store,
    dir: &Path,
    chunk_rows: usize,
) -> tokio::task::JoinHandle<Result<store::import::ImportReport, store::import::ImportError>> {
    let (store, dir) = (store.clone(), dir.to_owned());
    tokio::spawn(async move { import_dir(&store, &dir, &opts(chunk_rows)).await })
}

fn events_csv(prefix: &str, n: usize) -> String {
    let mut s = String::from("event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\n");
    let members = ["M01", "M02", "M03", "M04", "M05", "M06", "M07", "M08", "M09", "M10", "M11", "M12", "M13"];
    for i in 0..n {
        s.push_str(&format!("{prefix}{i:05},{},study,2024-05-{:02}T10:00:00,,,,manual\n", members[i % members.len()], 1 + i % 28));
    }
    s
}

/// Two imports of different data at the same time, from two connections: both complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_imports_both_complete() {
    let root = tempfile::tempdir().unwrap();
    let data = Dataset::full();
    let mut problems = Vec::new();
    for db in backends().await {
        let base = root.path().join(format!("base-{}", db.label));
        data.write_csv_plain(&base);
        let r = import_dir(&db.store, &base, &opts(50_000)).await.unwrap();
        assert_eq!(r.rejected, 0);
        let (a, b) = (root.path().join(format!("a-{}", db.label)), root.path().join(format!("b-{}", db.label)));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("events.csv"), events_csv("CA", 400)).unwrap();
        std::fs::write(b.join("events.csv"), events_csv("CB", 400)).unwrap();
        let other = db.reconnect().await;
        let small = opts(5);
        let (ra, rb) = tokio::join!(import_dir(&db.store, &a, &small), import_dir(&other, &b, &small));
        for (name, r) in [("a", ra), ("b", rb)] {
            match r {
                Ok(r) if r.accepted == 400 && r.rejected == 0 => {}
                Ok(r) => problems.push(format!("[{}] import {name}: accepted {}, rejected {}", db.label, r.accepted, r.rejected)),
                Err(e) => problems.push(format!("[{}] import {name} failed while another import ran: {e}", db.label)),
            }
        }
        let events = db.store.counts().await.unwrap().events;
        if events != common::data::expect::EVENTS + 800 {
            problems.push(format!("[{}] {events} events stored, expected {}", db.label, common::data::expect::EVENTS + 800));
        }
        other.close().await;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Event files of a seeded directory, by name, with their data rows.
fn event_files(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("events")).collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let n = std::fs::read_to_string(&p).unwrap().lines().skip(1).filter(|l| !l.is_empty()).count() as u64;
            (p, n)
        })
        .collect()
}

/// Whole chunks only: the stored event rows are complete and their count is a whole number of
/// chunks of the event files, in order.
async fn assert_whole(db: &TestDb, store: &store::Store, files: &[(PathBuf, u64)], chunk: u64) {
    let label = db.label;
    let nulls = scalar(
        store,
        "SELECT COUNT(*) FROM events WHERE event_id IS NULL OR member IS NULL OR kind IS NULL OR occurred_at IS NULL OR source IS NULL OR batch_id IS NULL",
    )
    .await;
    assert_eq!(nulls, 0, "[{label}] events with NULL in NOT NULL columns");
    let dups = scalar(store, "SELECT COUNT(*) - COUNT(DISTINCT event_id) FROM events").await;
    assert_eq!(dups, 0, "[{label}] duplicate event ids");
    let orphans = scalar(store, "SELECT COUNT(*) FROM events e LEFT JOIN members m ON m.id = e.member WHERE m.id IS NULL").await;
    assert_eq!(orphans, 0, "[{label}] events of unknown members");
    let n = store.counts().await.unwrap().events as u64;
    let mut possible = vec![0u64];
    let mut before = 0;
    for (_, rows) in files {
        let mut k = 1;
        while (k - 1) * chunk < *rows {
            possible.push(before + (k * chunk).min(*rows));
            k += 1;
        }
        before += rows;
    }
    assert!(possible.contains(&n), "[{label}] {n} events stored: not whole chunks of {chunk} rows of {:?}", files.iter().map(|f| f.1).collect::<Vec<_>>());
}

/// An import cancelled while writing events leaves whole chunks; another import — through a
/// different connection, as another process would — completes it (it must not wait for a lock
/// the cancelled import never released), and the result equals a clean import.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_import_leaves_whole_chunks_and_is_completed_later() {
    const CHUNK: u64 = 1000;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("seed");
    let cfg = seed::SeedConfig { members: 400, years: 1, seed: 3, ..Default::default() };
    seed::write_dataset(&dir, &cfg, None).expect("seed files");
    let files = event_files(&dir);
    let all_events: u64 = files.iter().map(|f| f.1).sum();
    assert!(all_events > 4 * CHUNK, "several chunks of events expected: {files:?}");

    let mut problems = Vec::new();
    for db in backends().await {
        let label = db.label;
        let task = spawn_import(&db.store, &dir, CHUNK as usize);
        let t0 = Instant::now();
        loop {
            let c = db.store.counts().await.unwrap();
            if c.events > 0 || task.is_finished() || t0.elapsed() > Duration::from_secs(300) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let finished = task.is_finished();
        task.abort();
        let _ = task.await;
        if finished {
            eprintln!("[{label}] note: the import finished before it could be cancelled");
        }
        assert_whole(&db, &db.store, &files, CHUNK).await;
        eprintln!("[{label}] cancelled with {} events stored", db.store.counts().await.unwrap().events);

        // Another connection (another process) completes the import.
        let other = db.reconnect().await;
        let o = opts(CHUNK as usize);
        let r = tokio::time::timeout(Duration::from_secs(120), import_dir(&other, &dir, &o)).await;
        match r {
            Err(_) => {
                problems.push(format!("[{label}] an import after the cancelled one did not finish within 120 s (waiting for the cancelled import's lock?)"));
                other.close().await;
                continue;
            }
            Ok(Err(e)) => {
                problems.push(format!("[{label}] the import after the cancelled one failed: {e}"));
                continue;
            }
            Ok(Ok(r)) => {
                if r.rejected != 0 {
                    problems.push(format!(
                        "[{label}] the completing import rejected {} rows: {:?}",
                        r.rejected,
                        r.rejections.iter().take(5).collect::<Vec<_>>()
                    ));
                }
            }
        }
        let running = scalar(&other, "SELECT COUNT(*) FROM import_batches WHERE status = 'running'").await;
        if running != 0 {
            problems.push(format!("[{label}] {running} batch(es) still 'running' after a completed import"));
        }
        let recovered = other.counts().await.unwrap();
        other.close().await;

        // The same files into a fresh database.
        let clean = match label {
            "sqlite" => common::sqlite().await,
            _ => common::postgres(&common::pg_base_url().unwrap()).await,
        };
        let r = import_dir(&clean.store, &dir, &opts(50_000)).await.unwrap();
        assert_eq!(r.rejected, 0, "[{label}] clean import");
        let want: TableCounts = clean.store.counts().await.unwrap();
        if recovered != want {
            problems.push(format!("[{label}] after cancel + re-import {recovered:?}, clean import {want:?}"));
        }
        if common::dump(&db.store).await != common::dump(&clean.store).await {
            problems.push(format!("[{label}] the recovered database holds other rows than a clean import"));
        }
        assert_eq!(want.events as u64, all_events, "[{label}]");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// An import cancelled while it waits for the reader (its connection idle, between two
/// transactions) must not leave the database locked for every later import from another
/// connection. (On PostgreSQL the import holds a session-level advisory lock; a cancelled
/// import's connection goes back to its pool still holding it.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_between_chunks_does_not_lock_out_later_imports() {
    const BIG: usize = 300_000;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("big");
    Dataset::full().write_csv_plain(&dir);
    std::fs::remove_file(dir.join("events.csv")).unwrap();
    std::fs::write(dir.join("events.csv"), events_csv("BIG", BIG)).unwrap();
    let mut problems = Vec::new();
    for db in backends().await {
        let label = db.label;
        // One chunk for the whole events file: the writer waits while the reader reads it.
        let task = spawn_import(&db.store, &dir, 10 * BIG);
        let t0 = Instant::now();
        loop {
            let c = db.store.counts().await.unwrap();
            if c.candidates == common::data::expect::CANDIDATES || task.is_finished() || t0.elapsed() > Duration::from_secs(120) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let events_when_cancelled = db.store.counts().await.unwrap().events;
        let finished = task.is_finished();
        task.abort();
        let _ = task.await;
        eprintln!("[{label}] cancelled after {:?} (finished: {finished}, events stored: {events_when_cancelled})", t0.elapsed());
        let events = db.store.counts().await.unwrap().events;
        if events != 0 && events != BIG as i64 {
            problems.push(format!("[{label}] {events} events stored after the cancel: the one chunk is all or nothing"));
        }

        let other = db.reconnect().await;
        if label == "postgres" {
            // Give the cancelled import's connection time to go back to its pool, then look.
            tokio::time::sleep(Duration::from_millis(500)).await;
            let held = scalar(
                &other,
                "SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()",
            )
            .await;
            eprintln!("[{label}] advisory locks held after the cancel: {held}");
            if held != 0 {
                problems.push(format!("[{label}] {held} advisory lock(s) still held after the import was cancelled"));
            }
        }
        let o = opts(50_000);
        match tokio::time::timeout(Duration::from_secs(60), import_dir(&other, &dir, &o)).await {
            Err(_) => {
                problems.push(format!(
                    "[{label}] an import from another connection did not finish within 60 s after an import was cancelled between chunks (the cancelled import's lock is still held by its pooled connection)"
                ));
                // Closing would wait for the blocked connection; dropping the database ends it.
                drop(other);
                continue;
            }
            Ok(Err(e)) => problems.push(format!("[{label}] import after the cancelled one failed: {e}")),
            Ok(Ok(r)) => {
                if r.rejected != 0 {
                    problems.push(format!("[{label}] rejected {}", r.rejected));
                }
                let events = other.counts().await.unwrap().events;
                if events != BIG as i64 {
                    problems.push(format!("[{label}] {events} events after the completing import, expected {BIG}"));
                }
            }
        }
        other.close().await;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
