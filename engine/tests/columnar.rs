//! The columnar copy: grows with new events, survives debris, and rebuilds itself when the
//! database behind it is not the one it was made from. Every check compares exports from the
//! copy with exports from a brand-new copy of the same database.

#[path = "../../store/tests/common/mod.rs"]
mod common;

use engine::columnar::ColumnarCopy;
use engine::{Export, Rules};
use std::path::Path;
use store::Store;
use store::import::{ImportOptions, import_dir};

const CASE: &str = "tests/cases/index_dues/input";

async fn import(store: &Store, dir: &Path) {
    let r = import_dir(store, dir, &ImportOptions::default()).await.expect("import");
    assert_eq!(r.rejected, 0, "{:?}", r.files);
}

async fn index_2024(store: &Store, copy: &ColumnarCopy) -> (Vec<u8>, usize) {
    let ds = engine::load::load(store, copy).await.expect("load");
    let mut out = Vec::new();
    engine::write_export(&ds, &Rules::default(), Export::Index { year: 2024 }, &mut out).expect("export");
    (out, ds.events.height())
}

fn extra_events(dir: &Path, from: u32, n: u32) {
    let mut csv = String::from("event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\n");
    for i in from..from + n {
        csv += &format!("X{i:05},p01_ontime,model_post,2024-06-{:02}T10:00:00,,,,manual\n", 1 + i % 28);
        csv += &format!("S{i:05},p02_late,study,2024-07-{:02}T10:00:00,,,,manual\n", 1 + i % 28);
    }
    std::fs::write(dir.join("events-extra.csv"), csv).expect("write events");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_grows_with_imports_and_matches_a_fresh_copy() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join(CASE);
    for db in common::backends().await {
        import(&db.store, &case).await;
        let dir = tempfile::tempdir().unwrap();
        let copy = ColumnarCopy::open(dir.path()).unwrap();
        let (first, n_first) = index_2024(&db.store, &copy).await;

        // New events arrive in three small imports: each sync appends a segment. The first
        // also brings a new member, so the saved reference tables must be refreshed.
        for round in 0..3 {
            let extra = tempfile::tempdir().unwrap();
            extra_events(extra.path(), round * 10, 10);
            if round == 0 {
                std::fs::write(
                    extra.path().join("members.csv"),
                    "member_id,org_id,name,gender,birth_date,joined_on,status,category,monthly_dues\nz_new,B1,New,F,1990-01-01,2024-02-01,full,employed,10\n",
                )
                .unwrap();
                std::fs::write(
                    extra.path().join("events-new.csv"),
                    "event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\nZ1,z_new,model_post,2024-03-01T09:00:00,,,,manual\n",
                )
                .unwrap();
            }
            import(&db.store, extra.path()).await;
        }
        let (grown, n_grown) = index_2024(&db.store, &copy).await;
        assert_eq!(n_grown, n_first + 31, "[{}] 31 model posts added (study sessions are counted apart)", db.label);
        assert!(String::from_utf8_lossy(&grown).contains(",z_new,B1,"), "[{}] the new member is ranked", db.label);
        assert_ne!(first, grown, "[{}] the new events change the index", db.label);

        let fresh_dir = tempfile::tempdir().unwrap();
        let (fresh, _) = index_2024(&db.store, &ColumnarCopy::open(fresh_dir.path()).unwrap()).await;
        assert_eq!(String::from_utf8_lossy(&grown), String::from_utf8_lossy(&fresh), "[{}] grown copy = fresh copy", db.label);

        // Debris of a killed write (half a segment, a temporary file) is ignored.
        std::fs::write(dir.path().join("events-000000000999999-000000001000000.parquet"), b"half").unwrap();
        std::fs::write(dir.path().join(".events-x.parquet.tmp"), b"tmp").unwrap();
        let (again, _) = index_2024(&db.store, &copy).await;
        assert_eq!(again, fresh, "[{}] debris does not change the figures", db.label);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_of_another_database_is_rebuilt() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join(CASE);
    let dir = tempfile::tempdir().unwrap();
    let copy = ColumnarCopy::open(dir.path()).unwrap();

    // A copy made from a database with extra events…
    let a = common::sqlite().await;
    import(&a.store, &case).await;
    let extra = tempfile::tempdir().unwrap();
    extra_events(extra.path(), 0, 50);
    import(&a.store, extra.path()).await;
    let (from_a, _) = index_2024(&a.store, &copy).await;

    // …then pointed at a different database with fewer events: it must not reuse them.
    let b = common::sqlite().await;
    import(&b.store, &case).await;
    let (from_b, n_b) = index_2024(&b.store, &copy).await;
    let fresh_dir = tempfile::tempdir().unwrap();
    let (fresh_b, n_fresh) = index_2024(&b.store, &ColumnarCopy::open(fresh_dir.path()).unwrap()).await;
    assert_ne!(from_a, from_b);
    assert_eq!(from_b, fresh_b, "the stale copy was rebuilt from the database");
    assert_eq!(n_b, n_fresh);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_refresh_appends_new_events_and_members() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join(CASE);
    for db in common::backends().await {
        import(&db.store, &case).await;
        let dir = tempfile::tempdir().unwrap();
        let mut live = engine::live::Live::open(db.store.clone(), ColumnarCopy::open(dir.path()).unwrap()).await.expect("open");
        let extra = tempfile::tempdir().unwrap();
        extra_events(extra.path(), 0, 5);
        std::fs::write(
            extra.path().join("members.csv"),
            "member_id,org_id,name,gender,birth_date,joined_on,status,category,monthly_dues\nz_live,B1,Live,M,1990-01-01,2024-01-01,full,retired,5\n",
        )
        .unwrap();
        import(&db.store, extra.path()).await;
        let r = live.refresh().await.expect("refresh");
        assert_eq!((r.new_events, r.reference_changed, r.reloaded), (10, true, false), "[{}] {r:?}", db.label);
        let nothing = live.refresh().await.expect("refresh");
        assert_eq!(nothing.new_events, 0);

        let mut got = Vec::new();
        engine::write_export(live.dataset(), &Rules::default(), Export::Index { year: 2024 }, &mut got).unwrap();
        let fresh_dir = tempfile::tempdir().unwrap();
        let (fresh, _) = index_2024(&db.store, &ColumnarCopy::open(fresh_dir.path()).unwrap()).await;
        assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&fresh), "[{}] live = fresh load", db.label);
        assert!(String::from_utf8_lossy(&got).contains(",z_live,B1,"));

        // What a server saves when it stops: an image of the grown chain, from its frames,
        // which the next load reads (the segments made unreadable do not matter to it).
        let copy = ColumnarCopy::open(dir.path()).unwrap();
        let ds = live.dataset();
        copy.save_image(ds.max_seq, &ds.events, &ds.study).expect("save image");
        for e in std::fs::read_dir(dir.path()).unwrap() {
            let e = e.unwrap();
            if e.file_name().to_string_lossy().starts_with("events-") {
                std::fs::write(e.path(), b"not parquet").unwrap();
            }
        }
        let (next_start, _) = index_2024(&db.store, &copy).await;
        assert_eq!(String::from_utf8_lossy(&next_start), String::from_utf8_lossy(&fresh), "[{}] the saved image = a fresh load", db.label);
    }
}

/// Issue 11 item 7: a load keeps an image of the chain it loaded, the next load of the same
/// chain reads the image (not the segments), and a grown chain replaces it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_keeps_an_image_that_the_next_load_reads() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join(CASE);
    let db = common::sqlite().await;
    import(&db.store, &case).await;
    let dir = tempfile::tempdir().unwrap();
    let copy = ColumnarCopy::open(dir.path()).unwrap();
    let files = |prefix: &str| -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.unwrap().file_name().into_string().ok()).filter(|n| n.starts_with(prefix)).collect();
        v.sort();
        v
    };
    index_2024(&db.store, &copy).await;
    let first = files("image-");
    assert_eq!(first.len(), 2, "{first:?}");

    let extra = tempfile::tempdir().unwrap();
    extra_events(extra.path(), 0, 10);
    import(&db.store, extra.path()).await;
    let (grown, n_grown) = index_2024(&db.store, &copy).await;
    let second = files("image-");
    assert_eq!(second.len(), 2, "one image, of the grown chain: {second:?}");
    assert!(second.iter().all(|n| !first.contains(n)), "the old image is gone: {first:?} {second:?}");
    let fresh_dir = tempfile::tempdir().unwrap();
    let (fresh, n_fresh) = index_2024(&db.store, &ColumnarCopy::open(fresh_dir.path()).unwrap()).await;
    assert_eq!((String::from_utf8_lossy(&grown), n_grown), (String::from_utf8_lossy(&fresh), n_fresh), "the image's figures are the segments'");

    // The next load reads the image alone: segments made unreadable do not matter to it.
    for name in files("events-") {
        std::fs::write(dir.path().join(name), b"not parquet").unwrap();
    }
    let (from_image, n_image) = index_2024(&db.store, &copy).await;
    assert_eq!((from_image, n_image), (fresh, n_fresh));
}
