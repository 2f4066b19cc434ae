//! Writing prepared rows: each chunk goes through a temporary staging table, then two
//! set-based statements decide everything at once — rows whose key is stored with other
//! values are conflicts (reported, never written), rows stored identically are unchanged,
//! the rest are inserted. A chunk, its rejections and the batch's counters commit in one
//! transaction, so a killed import leaves whole chunks or nothing and a re-run completes it.

use super::table::{ColType, Prepared, TableSpec, Val};
use super::Rejection;
use sqlx::{AssertSqlSafe, Connection, PgConnection, SqliteConnection};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Rows of one file to write, with the rejections found while reading them.
#[derive(Debug)]
pub struct Part {
    pub file_idx: usize,
    pub file: String,
    pub rows: Vec<Prepared>,
    pub rejections: Vec<Rejection>,
}

/// What became of a [`Part`] once committed.
#[derive(Debug)]
pub struct PartOutcome {
    pub file_idx: usize,
    pub accepted: u64,
    pub unchanged: u64,
    pub rejections: Vec<Rejection>,
}

/// What writing one chunk did.
#[derive(Debug, Default)]
pub struct ChunkOutcome {
    pub accepted: u64,
    pub unchanged: u64,
    pub conflicts: Vec<Rejection>,
}

/// Drops duplicate keys within a chunk: a copy identical to an earlier row of the chunk is
/// unchanged, a different one is a conflict with it.
fn dedup(spec: &TableSpec, file: &str, rows: Vec<Prepared>, out: &mut ChunkOutcome) -> Vec<Prepared> {
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    let mut kept: Vec<Prepared> = Vec::with_capacity(rows.len());
    for row in rows {
        match seen.get(&row.key(spec)) {
            None => {
                seen.insert(row.key(spec), kept.len());
                kept.push(row);
            }
            Some(&i) if kept[i].vals == row.vals => out.unchanged += 1,
            Some(&i) => {
                let fields = differing(spec, &kept[i].vals, &row.vals);
                out.conflicts.push(Rejection {
                    file: file.to_owned(),
                    line: row.line,
                    reason: format!("conflict: {} appears earlier (line {}) with a different {}", key_text(spec, &row), kept[i].line, fields),
                });
            }
        }
    }
    kept
}

fn differing(spec: &TableSpec, a: &[Val], b: &[Val]) -> String {
    let mut names: Vec<&str> = spec.cols.iter().zip(a.iter().zip(b)).filter(|(_, (x, y))| x != y).map(|(c, _)| c.2).collect();
    names.dedup();
    names.join(", ")
}

fn key_text(spec: &TableSpec, row: &Prepared) -> String {
    spec.cols[..spec.key]
        .iter()
        .zip(&row.vals)
        .map(|(c, v)| match v {
            Val::Text(t) => format!("{} {t:?}", c.2),
            Val::Int(i) => format!("{} {i}", c.2),
            Val::Null => format!("{} (empty)", c.2),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Clone, Copy)]
enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn same(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{a} IS {b}"),
            Dialect::Postgres => format!("{a} IS NOT DISTINCT FROM {b}"),
        }
    }
}

fn stage_name(spec: &TableSpec) -> String {
    format!("stage_{}", spec.table)
}

fn create_stage_sql(d: Dialect, spec: &TableSpec) -> String {
    let cols: Vec<String> = spec
        .cols
        .iter()
        .map(|(c, t, _)| {
            let ty = match (d, t) {
                (_, ColType::Text) => "TEXT",
                (Dialect::Sqlite, ColType::Int) => "INTEGER",
                (Dialect::Postgres, ColType::Int) => "BIGINT",
            };
            format!("{c} {ty}")
        })
        .collect();
    format!("CREATE TEMP TABLE IF NOT EXISTS {} (line BIGINT NOT NULL, {})", stage_name(spec), cols.join(", "))
}

fn key_join(spec: &TableSpec) -> String {
    spec.cols[..spec.key].iter().map(|(c, _, _)| format!("t.{c} = s.{c}")).collect::<Vec<_>>().join(" AND ")
}

/// Lines of staged rows whose key is stored with other values, with a 0/1 flag per column.
fn conflict_sql(d: Dialect, spec: &TableSpec) -> String {
    let flags: Vec<String> = spec.cols.iter().map(|(c, _, _)| format!("CASE WHEN {} THEN 0 ELSE 1 END", d.same(&format!("t.{c}"), &format!("s.{c}")))).collect();
    let all_same: Vec<String> = spec.cols.iter().map(|(c, _, _)| d.same(&format!("t.{c}"), &format!("s.{c}"))).collect();
    format!(
        "SELECT s.line, {} FROM {} s JOIN {} t ON {} WHERE NOT ({})",
        flags.join(", "),
        stage_name(spec),
        spec.table,
        key_join(spec),
        all_same.join(" AND ")
    )
}

fn insert_sql(spec: &TableSpec) -> String {
    let cols: Vec<&str> = spec.cols.iter().map(|c| c.0).collect();
    let s_cols: Vec<String> = cols.iter().map(|c| format!("s.{c}")).collect();
    format!(
        "INSERT INTO {t} ({}, batch_id) SELECT {}, $1 FROM {} s WHERE NOT EXISTS (SELECT 1 FROM {t} t WHERE {}) ORDER BY s.line",
        cols.join(", "),
        s_cols.join(", "),
        stage_name(spec),
        key_join(spec),
        t = spec.table
    )
}

fn conflict_reason(spec: &TableSpec, row: &Prepared, flags: &[i64]) -> String {
    let mut names: Vec<&str> = spec.cols.iter().zip(flags).filter(|(_, f)| **f != 0).map(|(c, _)| c.2).collect();
    names.dedup();
    format!("conflict: {} is already stored with a different {}; the stored row is kept", key_text(spec, row), names.join(", "))
}

/// COPY text-format encoding of one value.
fn copy_text(out: &mut String, v: &Val) {
    match v {
        Val::Null => out.push_str("\\N"),
        Val::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Val::Text(t) => {
            for c in t.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
    }
}

macro_rules! backend {
    ($modname:ident, $Conn:ty, $dialect:expr, $stage:ident) => {
        pub mod $modname {
            use super::*;
            use sqlx::Row;

            /// Creates this connection's staging tables (temporary: they vanish with it).
            pub async fn prepare(conn: &mut $Conn, specs: &[&TableSpec]) -> Result<(), sqlx::Error> {
                for spec in specs {
                    sqlx::query(AssertSqlSafe(create_stage_sql($dialect, spec))).execute(&mut *conn).await?;
                    sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", stage_name(spec)))).execute(&mut *conn).await?;
                }
                Ok(())
            }

            /// Writes one chunk of `file` inside the caller's transaction.
            pub async fn write_chunk(
                conn: &mut $Conn,
                spec: &TableSpec,
                batch: i64,
                file: &str,
                rows: Vec<Prepared>,
            ) -> Result<ChunkOutcome, sqlx::Error> {
                let mut out = ChunkOutcome::default();
                let rows = dedup(spec, file, rows, &mut out);
                if rows.is_empty() {
                    return Ok(out);
                }
                $stage(conn, spec, &rows).await?;
                let by_line: HashMap<u64, usize> = rows.iter().enumerate().map(|(i, r)| (r.line, i)).collect();
                let conflicts = sqlx::query(AssertSqlSafe(conflict_sql($dialect, spec))).fetch_all(&mut *conn).await?;
                for c in &conflicts {
                    let line: i64 = c.try_get(0)?;
                    let flags: Vec<i64> = (1..=spec.cols.len()).map(|i| c.try_get::<i32, _>(i).map(i64::from).or_else(|_| c.try_get::<i64, _>(i))).collect::<Result<_, _>>()?;
                    let row = &rows[by_line[&(line as u64)]];
                    out.conflicts.push(Rejection { file: file.to_owned(), line: line as u64, reason: conflict_reason(spec, row, &flags) });
                }
                let inserted = sqlx::query(AssertSqlSafe(insert_sql(spec))).bind(batch).execute(&mut *conn).await?.rows_affected();
                sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", stage_name(spec)))).execute(&mut *conn).await?;
                out.accepted = inserted;
                out.unchanged += rows.len() as u64 - inserted - conflicts.len() as u64;
                Ok(out)
            }

            /// Stores rejections and adds to the batch's counters (inside the caller's transaction).
            pub async fn record(
                conn: &mut $Conn,
                batch: i64,
                accepted: u64,
                unchanged: u64,
                rejections: &[Rejection],
            ) -> Result<(), sqlx::Error> {
                for part in rejections.chunks(500) {
                    let mut sql = String::from("INSERT INTO import_rejections (batch_id, file, line, reason) VALUES ");
                    for i in 0..part.len() {
                        let b = 2 + i * 3;
                        let _ = write!(sql, "{}($1, ${}, ${}, ${})", if i == 0 { "" } else { ", " }, b, b + 1, b + 2);
                    }
                    let mut q = sqlx::query(AssertSqlSafe(sql)).bind(batch);
                    for r in part {
                        q = q.bind(r.file.clone()).bind(r.line as i64).bind(r.reason.clone());
                    }
                    q.execute(&mut *conn).await?;
                }
                sqlx::query("UPDATE import_batches SET accepted = accepted + $1, unchanged = unchanged + $2, rejected = rejected + $3 WHERE id = $4")
                    .bind(accepted as i64)
                    .bind(unchanged as i64)
                    .bind(rejections.len() as i64)
                    .bind(batch)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            /// Writes chunks (one per file part) and records their outcomes in one transaction.
            pub async fn commit_parts(conn: &mut $Conn, spec: &TableSpec, batch: i64, parts: Vec<Part>) -> Result<Vec<PartOutcome>, sqlx::Error> {
                let mut tx = conn.begin().await?;
                let mut outcomes = Vec::with_capacity(parts.len());
                for part in parts {
                    let out = write_chunk(&mut tx, spec, batch, &part.file, part.rows).await?;
                    let mut rejections = part.rejections;
                    rejections.extend(out.conflicts);
                    record(&mut tx, batch, out.accepted, out.unchanged, &rejections).await?;
                    outcomes.push(PartOutcome { file_idx: part.file_idx, accepted: out.accepted, unchanged: out.unchanged, rejections });
                }
                tx.commit().await?;
                Ok(outcomes)
            }
        }
    };
}

/// SQLite: multi-row INSERT into the staging table, as many rows per statement as the
/// 32,766-parameter limit allows (the statement text repeats, so sqlx's cache reuses it).
async fn stage_sqlite(conn: &mut SqliteConnection, spec: &TableSpec, rows: &[Prepared]) -> Result<(), sqlx::Error> {
    let width = spec.cols.len() + 1;
    let per_stmt = 32_000 / width;
    let cols: Vec<&str> = spec.cols.iter().map(|c| c.0).collect();
    for part in rows.chunks(per_stmt) {
        let mut sql = format!("INSERT INTO {} (line, {}) VALUES ", stage_name(spec), cols.join(", "));
        for i in 0..part.len() {
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for j in 0..width {
                sql.push_str(if j == 0 { "?" } else { ", ?" });
            }
            sql.push(')');
        }
        let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(part.len() == per_stmt);
        for r in part {
            q = q.bind(r.line as i64);
            for v in &r.vals {
                q = match v {
                    Val::Int(i) => q.bind(*i),
                    Val::Text(t) => q.bind(t.clone()),
                    Val::Null => q.bind(None::<i64>),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// PostgreSQL: COPY into the staging table.
async fn stage_postgres(conn: &mut PgConnection, spec: &TableSpec, rows: &[Prepared]) -> Result<(), sqlx::Error> {
    let cols: Vec<&str> = spec.cols.iter().map(|c| c.0).collect();
    let statement = format!("COPY {} (line, {}) FROM STDIN", stage_name(spec), cols.join(", "));
    let mut copy = conn.copy_in_raw(&statement).await?;
    let mut buf = String::with_capacity(1 << 20);
    for r in rows {
        let _ = write!(buf, "{}", r.line);
        for v in &r.vals {
            buf.push('\t');
            copy_text(&mut buf, v);
        }
        buf.push('\n');
        if buf.len() > (1 << 20) {
            copy.send(std::mem::take(&mut buf).into_bytes()).await?;
        }
    }
    if !buf.is_empty() {
        copy.send(buf.into_bytes()).await?;
    }
    copy.finish().await?;
    Ok(())
}

backend!(sqlite, SqliteConnection, Dialect::Sqlite, stage_sqlite);
backend!(postgres, PgConnection, Dialect::Postgres, stage_postgres);
