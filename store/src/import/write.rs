//! Writing prepared rows: each chunk goes through a temporary staging table, then two
//! set-based statements decide everything at once — rows whose key is stored with other
//! values are conflicts (reported, never written), rows stored identically are unchanged,
//! the rest are inserted. A chunk, its rejections and the batch's counters commit in one
//! transaction, so a killed import leaves whole chunks or nothing and a re-run completes it.

use super::Rejection;
use super::table::{ColType, Prepared, TableSpec, Val};
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

/// Drops duplicate keys within a chunk. A copy that differs from the first row with its key
/// is a conflict with it; an identical copy shares the first row's fate once the database
/// has decided it (unchanged if that row was stored or already there, rejected alike if it
/// conflicts with the stored row).
fn dedup(spec: &TableSpec, file: &str, rows: Vec<Prepared>, out: &mut ChunkOutcome) -> (Vec<Prepared>, Vec<(usize, u64)>) {
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    let mut kept: Vec<Prepared> = Vec::with_capacity(rows.len());
    let mut copies: Vec<(usize, u64)> = Vec::new();
    for row in rows {
        let key = row.key(spec);
        match seen.get(&key) {
            None => {
                seen.insert(key, kept.len());
                kept.push(row);
            }
            Some(&i) if kept[i].vals == row.vals => copies.push((i, row.line)),
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
    (kept, copies)
}

/// Settles identical copies (see [`dedup`]) after their first row's outcome is known.
fn settle_copies(file: &str, rows: &[Prepared], copies: &[(usize, u64)], out: &mut ChunkOutcome) {
    let conflicted: HashMap<u64, String> = out.conflicts.iter().filter(|c| c.file == file).map(|c| (c.line, c.reason.clone())).collect();
    for &(i, line) in copies {
        match conflicted.get(&rows[i].line) {
            Some(reason) => out.conflicts.push(Rejection { file: file.to_owned(), line, reason: reason.clone() }),
            None => out.unchanged += 1,
        }
    }
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

    /// Column `c` of the staging table as compared with the stored one. On PostgreSQL, id
    /// columns are byte-ordered (`COLLATE "C"`) and others use the database's collation;
    /// an explicit `COLLATE "C"` lets either compare with the staged text (equality is the
    /// same under any deterministic collation).
    fn staged(self, c: &str, ty: ColType) -> String {
        match (self, ty) {
            (Dialect::Postgres, ColType::Text) => format!("s.{c} COLLATE \"C\""),
            _ => format!("s.{c}"),
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

fn key_join(d: Dialect, spec: &TableSpec) -> String {
    spec.cols[..spec.key].iter().map(|(c, ty, _)| format!("t.{c} = {}", d.staged(c, *ty))).collect::<Vec<_>>().join(" AND ")
}

/// Lines of staged rows whose key is stored with other values, with a 0/1 flag per column.
fn conflict_sql(d: Dialect, spec: &TableSpec) -> String {
    let flags: Vec<String> =
        spec.cols.iter().map(|(c, ty, _)| format!("CASE WHEN {} THEN 0 ELSE 1 END", d.same(&format!("t.{c}"), &d.staged(c, *ty)))).collect();
    let all_same: Vec<String> = spec.cols.iter().map(|(c, ty, _)| d.same(&format!("t.{c}"), &d.staged(c, *ty))).collect();
    format!(
        "SELECT s.line, {} FROM {} s JOIN {} t ON {} WHERE NOT ({})",
        flags.join(", "),
        stage_name(spec),
        spec.table,
        key_join(d, spec),
        all_same.join(" AND ")
    )
}

fn insert_sql(d: Dialect, spec: &TableSpec) -> String {
    let cols: Vec<&str> = spec.cols.iter().map(|c| c.0).collect();
    let s_cols: Vec<String> = cols.iter().map(|c| format!("s.{c}")).collect();
    format!(
        "INSERT INTO {t} ({}, batch_id) SELECT {}, $1 FROM {} s WHERE NOT EXISTS (SELECT 1 FROM {t} t WHERE {}) ORDER BY s.line",
        cols.join(", "),
        s_cols.join(", "),
        stage_name(spec),
        key_join(d, spec),
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

/// Where a load puts rows: the staging table (each row with its line), or — on the fast
/// path — the table itself (each row with the batch id).
#[derive(Clone, Copy)]
enum Target {
    Stage,
    Table { batch: i64 },
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

macro_rules! backend {
    ($modname:ident, $Conn:ty, $dialect:expr, $load:ident) => {
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

            /// The careful path, inside the caller's transaction: stage the (deduplicated)
            /// rows, report stored keys with other values as conflicts, insert the new ones.
            async fn write_staged(
                conn: &mut $Conn,
                spec: &TableSpec,
                batch: i64,
                file: &str,
                rows: &[Prepared],
                out: &mut ChunkOutcome,
            ) -> Result<(), sqlx::Error> {
                if rows.is_empty() {
                    return Ok(());
                }
                $load(conn, spec, rows, Target::Stage).await?;
                let by_line: HashMap<u64, usize> = rows.iter().enumerate().map(|(i, r)| (r.line, i)).collect();
                let conflicts = sqlx::query(AssertSqlSafe(conflict_sql($dialect, spec))).fetch_all(&mut *conn).await?;
                for c in &conflicts {
                    let line: i64 = c.try_get(0)?;
                    let flags: Vec<i64> =
                        (1..=spec.cols.len()).map(|i| c.try_get::<i32, _>(i).map(i64::from).or_else(|_| c.try_get::<i64, _>(i))).collect::<Result<_, _>>()?;
                    let row = &rows[by_line[&(line as u64)]];
                    out.conflicts.push(Rejection { file: file.to_owned(), line: line as u64, reason: conflict_reason(spec, row, &flags) });
                }
                let inserted = sqlx::query(AssertSqlSafe(insert_sql($dialect, spec))).bind(batch).execute(&mut *conn).await?.rows_affected();
                sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", stage_name(spec)))).execute(&mut *conn).await?;
                out.accepted += inserted;
                out.unchanged += rows.len() as u64 - inserted - conflicts.len() as u64;
                Ok(())
            }

            /// Stores rejections and adds to the batch's counters (inside the caller's transaction).
            async fn record(conn: &mut $Conn, batch: i64, accepted: u64, unchanged: u64, rejections: &[Rejection]) -> Result<(), sqlx::Error> {
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

            /// Writes parts (one per file) and records their outcomes in one transaction.
            ///
            /// A single part first takes the fast path: load straight into the table, which on
            /// a fresh import stores every row at once. If any key was already stored, that
            /// transaction is rolled back and the part goes the careful (staged) way.
            pub async fn commit_parts(conn: &mut $Conn, spec: &TableSpec, batch: i64, parts: Vec<Part>) -> Result<Vec<PartOutcome>, sqlx::Error> {
                let mut staged: Vec<(Part, Vec<Prepared>, Vec<(usize, u64)>, ChunkOutcome)> = parts
                    .into_iter()
                    .map(|mut part| {
                        let mut out = ChunkOutcome::default();
                        let (rows, copies) = dedup(spec, &part.file, std::mem::take(&mut part.rows), &mut out);
                        (part, rows, copies, out)
                    })
                    .collect();
                if let [(part, rows, copies, out)] = staged.as_mut_slice()
                    && !rows.is_empty()
                {
                    let mut tx = conn.begin().await?;
                    match $load(&mut tx, spec, rows, Target::Table { batch }).await {
                        Ok(n) if n == rows.len() as u64 => {
                            out.accepted = n;
                            settle_copies(&part.file, rows, copies, out);
                            let mut rejections = std::mem::take(&mut part.rejections);
                            rejections.append(&mut out.conflicts);
                            record(&mut tx, batch, out.accepted, out.unchanged, &rejections).await?;
                            tx.commit().await?;
                            return Ok(vec![PartOutcome { file_idx: part.file_idx, accepted: out.accepted, unchanged: out.unchanged, rejections }]);
                        }
                        Ok(_) => tx.rollback().await?,
                        Err(e) if is_unique_violation(&e) => drop(tx),
                        Err(e) => return Err(e),
                    }
                }
                let mut tx = conn.begin().await?;
                let mut outcomes = Vec::with_capacity(staged.len());
                for (part, rows, copies, mut out) in staged {
                    write_staged(&mut tx, spec, batch, &part.file, &rows, &mut out).await?;
                    settle_copies(&part.file, &rows, &copies, &mut out);
                    let mut rejections = part.rejections;
                    rejections.append(&mut out.conflicts);
                    record(&mut tx, batch, out.accepted, out.unchanged, &rejections).await?;
                    outcomes.push(PartOutcome { file_idx: part.file_idx, accepted: out.accepted, unchanged: out.unchanged, rejections });
                }
                tx.commit().await?;
                Ok(outcomes)
            }
        }
    };
}

/// SQLite: multi-row INSERTs, as many rows per statement as the 32,766-parameter limit
/// allows (full statements repeat, so sqlx's statement cache reuses them). Into the table
/// itself, keys already stored are skipped (`ON CONFLICT DO NOTHING`) and the count tells.
async fn load_sqlite(conn: &mut SqliteConnection, spec: &TableSpec, rows: &[Prepared], target: Target) -> Result<u64, sqlx::Error> {
    let width = spec.cols.len() + usize::from(matches!(target, Target::Stage));
    let per_stmt = 32_000 / width;
    let cols: Vec<&str> = spec.cols.iter().map(|c| c.0).collect();
    let mut affected = 0;
    for part in rows.chunks(per_stmt) {
        let mut sql = match target {
            Target::Stage => format!("INSERT INTO {} (line, {}) VALUES ", stage_name(spec), cols.join(", ")),
            Target::Table { .. } => format!("INSERT INTO {} ({}, batch_id) VALUES ", spec.table, cols.join(", ")),
        };
        for i in 0..part.len() {
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for j in 0..width {
                sql.push_str(if j == 0 { "?" } else { ", ?" });
            }
            if let Target::Table { batch } = target {
                let _ = write!(sql, ", {batch}");
            }
            sql.push(')');
        }
        if matches!(target, Target::Table { .. }) {
            sql.push_str(" ON CONFLICT DO NOTHING");
        }
        let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(part.len() == per_stmt);
        for r in part {
            if matches!(target, Target::Stage) {
                q = q.bind(r.line as i64);
            }
            for v in &r.vals {
                q = match v {
                    Val::Int(i) => q.bind(*i),
                    Val::Text(t) => q.bind(t.as_str()),
                    Val::Null => q.bind(None::<i64>),
                };
            }
        }
        affected += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(affected)
}

/// PostgreSQL: COPY. Into the table itself a stored key fails the COPY with a unique
/// violation, which sends the chunk down the careful path.
async fn load_postgres(conn: &mut PgConnection, spec: &TableSpec, rows: &[Prepared], target: Target) -> Result<u64, sqlx::Error> {
    let cols: Vec<&str> = spec.cols.iter().map(|c| c.0).collect();
    let statement = match target {
        Target::Stage => format!("COPY {} (line, {}) FROM STDIN", stage_name(spec), cols.join(", ")),
        Target::Table { .. } => format!("COPY {} ({}, batch_id) FROM STDIN", spec.table, cols.join(", ")),
    };
    let mut copy = conn.copy_in_raw(&statement).await?;
    let mut buf = String::with_capacity(1 << 20);
    for r in rows {
        if matches!(target, Target::Stage) {
            let _ = write!(buf, "{}\t", r.line);
        }
        for (i, v) in r.vals.iter().enumerate() {
            if i > 0 {
                buf.push('\t');
            }
            copy_text(&mut buf, v);
        }
        if let Target::Table { batch } = target {
            let _ = write!(buf, "\t{batch}");
        }
        buf.push('\n');
        if buf.len() > (1 << 20) {
            copy.send(std::mem::take(&mut buf).into_bytes()).await?;
        }
    }
    if !buf.is_empty() {
        copy.send(buf.into_bytes()).await?;
    }
    copy.finish().await
}

backend!(sqlite, SqliteConnection, Dialect::Sqlite, load_sqlite);
backend!(postgres, PgConnection, Dialect::Postgres, load_postgres);
