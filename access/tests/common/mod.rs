//! Shared helpers of the access crate's integration tests: the store's fresh-database helper
//! on every backend and raw SQL look-ups (store/tests/common/db.rs, included by path), and a
//! small organisation tree to hang accounts on.

#![allow(dead_code)]

#[path = "../../../store/tests/common/db.rs"]
mod db;

pub use db::*;
use sqlx::AssertSqlSafe;
use store::Store;

/// A small §3 tree imported through the store's importer: district D, street S under it,
/// branches B1 (under S) and B2 (under D); members M1 in B1 and M2 in B2.
pub async fn with_orgs(store: &Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("orgs.csv"),
        "org_id,parent_id,name,kind,established_on\nD,,区,district,2000-01-01\nS,D,街道,street,2000-01-01\nB1,S,第一支部,branch,2001-01-01\nB2,D,第二支部,branch,2001-01-01\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("members.csv"),
        "member_id,org_id,name,gender,birth_date,joined_on,status,category,monthly_dues\nM1,B1,张三,M,1980-01-01,2000-01-01,full,employed,10\nM2,B2,欧阳娜娜,F,1981-01-01,2001-01-01,full,retired,0.5\n",
    )
    .unwrap();
    let report = store::import::import_dir(store, dir.path(), &Default::default()).await.expect("import");
    assert_eq!(report.rejected, 0, "fixture rejected: {:?}", report.rejections);
}

/// Runs one statement; the database's error as text when it fails (to test refusals).
pub async fn exec(store: &Store, sql: &str) -> Result<u64, String> {
    match store {
        Store::Sqlite(p) => sqlx::query(AssertSqlSafe(sql.to_owned())).execute(p).await.map(|r| r.rows_affected()).map_err(|e| e.to_string()),
        Store::Postgres(p) => sqlx::query(AssertSqlSafe(sql.to_owned())).execute(p).await.map(|r| r.rows_affected()).map_err(|e| e.to_string()),
    }
}
