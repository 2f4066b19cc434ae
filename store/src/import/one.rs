//! One record written on its own, inside the caller's transaction: a member's check-in, an
//! activity created in the browser (docs/RULES.md §10). It goes through the same validation as
//! a row of an interchange file ([`prepare_row`]) and is recorded as a batch of its own with
//! `source` naming where it came from, so `import_batches` still tells where every row came
//! from. The caller adds its audit row to the same transaction and commits: the record and
//! its row are stored together or not at all.
//!
//! Readings made here:
//! - A key already stored is [`Recorded::Existing`]: the stored row stays as it is, whatever
//!   this one says (a check-in's key is derived from what it records, so the same key is the
//!   same check-in).
//! - Only the references this row names are looked up, not the whole tables, so a record
//!   costs a few indexed queries whatever the size of the district.
//! - An entity that is given new integer keys (members, activities) takes the importer's lock
//!   first, without waiting: while a file import runs it is [`ImportError::Busy`], so the two
//!   never hand out the same key.

use super::prepare::{self, Refs};
use super::table::{self, Val};
use super::{IMPORT_LOCK, ImportError};
use crate::sql::Tx;
use domain::Entity;
use sqlx::AssertSqlSafe;

/// What became of the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Stored, as batch `batch_id`.
    Stored { batch_id: i64 },
    /// Its key was already stored; nothing was written.
    Existing,
    /// It fails §3's validation; nothing was written.
    Rejected(String),
}

/// Validates `fields` (one row of `entity`, in §3's column order) and stores it in `tx`.
/// Organisations are not taken here: they are validated as a tree, by a file import.
pub async fn import_one(tx: &mut Tx, entity: Entity, fields: &[&str], source: &str) -> Result<Recorded, ImportError> {
    if entity == Entity::Orgs {
        return Ok(Recorded::Rejected("organisations are imported from files (the tree is validated whole)".into()));
    }
    let allocates = matches!(entity, Entity::Members | Entity::Activities);
    if allocates {
        lock(tx).await?;
    }
    let mut refs = refs_named(tx, fields).await?;
    if allocates {
        refs.next_member = max_id(tx, "members").await?;
        refs.next_activity = max_id(tx, "activities").await?;
    }
    let row = match prepare::prepare_row(entity, fields, &mut refs, 2) {
        Ok(row) => row,
        Err(e) => return Ok(Recorded::Rejected(e.to_string())),
    };
    let spec = table::spec(entity);
    let batch: i64 = match tx {
        Tx::Sqlite(t, _) => {
            sqlx::query_scalar(
                "INSERT INTO import_batches (source, started_at, finished_at, status) VALUES ($1, datetime('now'), datetime('now'), 'done') RETURNING id",
            )
            .bind(source)
            .fetch_one(&mut **t)
            .await?
        }
        Tx::Postgres(t) => {
            sqlx::query_scalar(
                "INSERT INTO import_batches (source, started_at, finished_at, status) VALUES ($1, now()::text, now()::text, 'done') RETURNING id",
            )
            .bind(source)
            .fetch_one(&mut **t)
            .await?
        }
    };
    let cols: Vec<&str> = spec.cols.iter().map(|c| c.0).collect();
    let marks: Vec<String> = (1..=cols.len() + 1).map(|i| format!("${i}")).collect();
    // Only the table's own column names are spliced in.
    let sql = format!("INSERT INTO {} ({}, batch_id) VALUES ({}) ON CONFLICT DO NOTHING", spec.table, cols.join(", "), marks.join(", "));
    macro_rules! insert {
        ($conn:expr) => {{
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for v in &row.vals {
                q = match v {
                    Val::Int(i) => q.bind(*i),
                    Val::Text(t) => q.bind(t.clone()),
                    Val::Null => q.bind(None::<i64>),
                };
            }
            q.bind(batch).execute($conn).await?.rows_affected()
        }};
    }
    let inserted = match tx {
        Tx::Sqlite(t, _) => insert!(&mut **t),
        Tx::Postgres(t) => insert!(&mut **t),
    };
    if inserted == 0 {
        // The batch row goes with the caller's rollback; nothing else was written.
        return Ok(Recorded::Existing);
    }
    tx.execute("UPDATE import_batches SET accepted = 1 WHERE id = $1", crate::args![batch]).await?;
    Ok(Recorded::Stored { batch_id: batch })
}

/// The importer's lock, taken without waiting (see the module's readings) and held until the
/// transaction ends.
async fn lock(tx: &mut Tx) -> Result<(), ImportError> {
    match tx {
        Tx::Sqlite(t, held) => {
            let db_file = sqlx::query_scalar::<_, String>("SELECT file FROM pragma_database_list WHERE name = 'main'").fetch_one(&mut **t).await?;
            if db_file.is_empty() {
                return Ok(());
            }
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(format!("{db_file}-import.lock"))
                .map_err(|e| ImportError::Read { file: format!("{db_file}-import.lock"), source: e })?;
            match file.try_lock() {
                Ok(()) => {
                    *held = Some(file);
                    Ok(())
                }
                Err(std::fs::TryLockError::WouldBlock) => Err(ImportError::Busy),
                Err(std::fs::TryLockError::Error(e)) => Err(ImportError::Read { file: format!("{db_file}-import.lock"), source: e }),
            }
        }
        Tx::Postgres(t) => {
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)").bind(IMPORT_LOCK).fetch_one(&mut **t).await?;
            if got { Ok(()) } else { Err(ImportError::Busy) }
        }
    }
}

async fn max_id(tx: &mut Tx, table: &'static str) -> Result<i64, sqlx::Error> {
    let sql = AssertSqlSafe(format!("SELECT COALESCE(MAX(id), 0) FROM {table}"));
    Ok(match tx {
        Tx::Sqlite(t, _) => sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut **t).await?,
        Tx::Postgres(t) => sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut **t).await?,
    })
}

/// The organisations, members and activities among the row's values (a value that names
/// none of them is simply not found, and validation says so if it had to be one).
async fn refs_named(tx: &mut Tx, fields: &[&str]) -> Result<Refs, sqlx::Error> {
    let mut refs = Refs::default();
    let values: Vec<&str> = fields.iter().copied().filter(|v| !v.is_empty()).collect();
    if values.is_empty() {
        return Ok(refs);
    }
    let marks: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
    for (table, key, map) in
        [("orgs", "org_id", &mut refs.orgs), ("members", "member_id", &mut refs.members), ("activities", "activity_id", &mut refs.activities)]
    {
        let sql = format!("SELECT {key}, id FROM {table} WHERE {key} IN ({})", marks.join(", "));
        macro_rules! fetch {
            ($conn:expr) => {{
                let mut q = sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(sql));
                for v in &values {
                    q = q.bind(v.to_string());
                }
                q.fetch_all($conn).await?
            }};
        }
        let rows = match tx {
            Tx::Sqlite(t, _) => fetch!(&mut **t),
            Tx::Postgres(t) => fetch!(&mut **t),
        };
        map.extend(rows);
    }
    Ok(refs)
}
