//! One record at a time (`store::import::import_one`, docs/RULES.md §10 check-in): the same
//! validation as a file's row, an existing key left as it is, new keys that never collide
//! with a file import, and the importer's lock respected without waiting.

mod common;

use common::{backends, scalar};
use domain::Entity;
use store::Store;
use store::import::{ImportError, ImportOptions, Recorded, import_dir, import_one};
use store::sql::Tx;

async fn base(store: &Store) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orgs.csv"), "org_id,parent_id,name,kind,established_on\nD,,某区,district,2000-01-01\nB,D,支部,branch,2001-01-01\n")
        .unwrap();
    std::fs::write(
        dir.path().join("members.csv"),
        "member_id,org_id,name,gender,birth_date,joined_on,status,category,monthly_dues\nM1,B,张三,M,1980-01-01,2000-01-01,full,employed,10\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("activities.csv"), "activity_id,org_id,kind,held_at,title\nA1,B,theme_day,2024-01-10T09:00:00,主题党日\n").unwrap();
    let r = import_dir(store, dir.path(), &ImportOptions::default()).await.unwrap();
    assert_eq!(r.rejected, 0, "{:?}", r.rejections);
}

async fn one(store: &Store, entity: Entity, fields: &[&str]) -> Result<Recorded, ImportError> {
    let mut tx = Tx::write(store).await.unwrap();
    let r = import_one(&mut tx, entity, fields, "checkin").await;
    tx.commit().await.unwrap();
    r
}

#[tokio::test]
async fn one_record_like_a_file_row() {
    for db in backends().await {
        let (s, label) = (&db.store, db.label);
        base(s).await;
        let ev = ["chk-1", "M1", "attend", "2024-01-10T09:05:00", "A1", "", "", "checkin"];
        assert!(matches!(one(s, Entity::Events, &ev).await.unwrap(), Recorded::Stored { .. }), "[{label}]");
        assert_eq!(one(s, Entity::Events, &ev).await.unwrap(), Recorded::Existing, "[{label}] the same key again");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM events WHERE event_id = 'chk-1'").await, 1, "[{label}]");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM import_batches WHERE source = 'checkin' AND accepted = 1").await, 1, "[{label}] its own batch");

        // The validation of §3, with the field named.
        let unknown = ["chk-2", "M9", "attend", "2024-01-10T09:05:00", "A1", "", "", "checkin"];
        match one(s, Entity::Events, &unknown).await.unwrap() {
            Recorded::Rejected(reason) => assert!(reason.contains("member_id") && reason.contains("M9"), "[{label}] {reason}"),
            other => panic!("[{label}] {other:?}"),
        }
        let bad_time = ["chk-3", "M1", "attend", "yesterday", "A1", "", "", "checkin"];
        assert!(matches!(one(s, Entity::Events, &bad_time).await.unwrap(), Recorded::Rejected(_)), "[{label}]");

        // A new activity gets the next key; a file import after it goes on from there.
        assert!(
            matches!(one(s, Entity::Activities, &["ACT-x", "B", "theme_day", "2024-02-10T09:00:00", "新活动"]).await.unwrap(), Recorded::Stored { .. }),
            "[{label}]"
        );
        assert_eq!(scalar(s, "SELECT id FROM activities WHERE activity_id = 'ACT-x'").await, 2, "[{label}]");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("activities.csv"), "activity_id,org_id,kind,held_at,title\nA2,B,party_lesson,2024-03-10T09:00:00,党课\n").unwrap();
        assert_eq!(import_dir(s, dir.path(), &ImportOptions::default()).await.unwrap().accepted, 1, "[{label}]");
        assert_eq!(scalar(s, "SELECT id FROM activities WHERE activity_id = 'A2'").await, 3, "[{label}]");

        // Organisations only come whole, from files.
        assert!(matches!(one(s, Entity::Orgs, &["X", "D", "x", "branch", "2001-01-01"]).await.unwrap(), Recorded::Rejected(_)), "[{label}]");
        // A rolled-back record leaves nothing.
        let mut tx = Tx::write(s).await.unwrap();
        let r = import_one(&mut tx, Entity::Events, &["chk-4", "M1", "attend", "2024-01-10T09:05:00", "A1", "", "", "checkin"], "checkin").await.unwrap();
        assert!(matches!(r, Recorded::Stored { .. }), "[{label}]");
        drop(tx);
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM events WHERE event_id = 'chk-4'").await, 0, "[{label}] rolled back");
    }
}

/// While another process holds the importer's lock, a record that needs new keys is `Busy` at
/// once (no wait); one that needs none goes in.
#[tokio::test]
async fn a_running_import_makes_new_keys_wait() {
    for db in backends().await {
        let (s, label) = (&db.store, db.label);
        base(s).await;
        let other = db.reconnect().await;
        // Hold the lock the way a file import does.
        let _held: Box<dyn std::any::Any> = match &other {
            Store::Sqlite(p) => {
                let file = p.connect_options().get_filename().to_owned();
                let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(format!("{}-import.lock", file.display())).unwrap();
                f.lock().unwrap();
                Box::new(f)
            }
            Store::Postgres(p) => {
                let mut c = p.acquire().await.unwrap().detach();
                sqlx::query("SELECT pg_advisory_lock(1447120455)").execute(&mut c).await.unwrap();
                Box::new(c)
            }
        };
        let r = one(s, Entity::Activities, &["ACT-y", "B", "theme_day", "2024-02-10T09:00:00", "新活动"]).await;
        assert!(matches!(r, Err(ImportError::Busy)), "[{label}] {r:?}");
        let ev = ["chk-9", "M1", "attend", "2024-01-10T09:05:00", "A1", "", "", "checkin"];
        assert!(matches!(one(s, Entity::Events, &ev).await.unwrap(), Recorded::Stored { .. }), "[{label}] events need no new key");
    }
}
