//! `vanguard import DIR`: every interchange file of a directory (CSV or Parquet, any subset,
//! any order, several parts per file kind) validated row by row and written in chunks.
//!
//! Readings of §3 made here:
//! - A conflict (a stored key arriving with other values) is a rejected row: the stored row
//!   is kept unchanged and the rejection names the differing fields.
//! - A file whose header lacks a §3 column is rejected whole, as one rejection at line 1.
//!   Extra columns are ignored. Column names match case-insensitively.
//! - Parquet has no lines: a Parquet rejection's `line` is the 1-based row number.
//! - References may point at rows stored earlier or imported in the same run (files are
//!   applied in dependency order: orgs, resources, members, activities, transfers, ratings,
//!   projects, candidates, events).

pub mod one;
mod prepare;
pub mod source;
mod table;
mod write;

use crate::{Store, StoreError};
use domain::Entity;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use prepare::{OrgInput, Refs};
use serde::{Deserialize, Serialize};
use source::{Read, SourceFile};
use sqlx::{PgConnection, Row, SqliteConnection};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use write::{Part, PartOutcome};

pub use one::{Recorded, import_one};
pub use table::TableSpec;

/// A row that was not stored, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub file: String,
    /// CSV: the line where the record starts (the header is line 1); Parquet: the row number.
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileReport {
    pub file: String,
    pub entity: Entity,
    pub accepted: u64,
    pub unchanged: u64,
    pub rejected: u64,
}

/// Rejections an [`ImportReport`] lists at most (issue 11 item 5); the rest are counted in
/// `rejected`, and every one is stored with the batch ([`write_rejections`] reads them all).
pub const MAX_LISTED_REJECTIONS: usize = 1_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportReport {
    pub batch_id: i64,
    pub files: Vec<FileReport>,
    /// Files of the directory that are not interchange files (by name or extension).
    pub skipped: Vec<String>,
    pub accepted: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// The first [`MAX_LISTED_REJECTIONS`] rejections.
    pub rejections: Vec<Rejection>,
    pub elapsed: Duration,
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Rows per chunk (one transaction each).
    pub chunk_rows: usize,
    /// Draw a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions { chunk_rows: 50_000, progress: false }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}: not a readable directory: {1}")]
    Dir(PathBuf, std::io::Error),
    #[error("{file}: {source}")]
    Read { file: String, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file import holds the importer's lock ([`one`] does not wait for it).
    #[error("an import is running; try again when it has finished")]
    Busy,
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Store(StoreError::Sql(e))
    }
}

/// The import's own connection: staging tables are temporary tables of this connection, and
/// on PostgreSQL it holds an advisory lock so that two imports never interleave. It is
/// detached from the pool, so if the import is cancelled or fails midway the connection is
/// closed — releasing the lock and any open transaction — instead of going back to the pool.
/// On SQLite the same role falls to an exclusive lock on a file beside the database (the
/// OS drops it when the process dies, so a killed import never leaves it behind).
enum Conn {
    Sqlite(SqliteConnection, #[allow(dead_code)] /* held for its lock */ Option<std::fs::File>),
    Postgres(PgConnection),
}

const IMPORT_LOCK: i64 = 0x5641_4E47; // "VANG"

impl Conn {
    async fn open(store: &Store) -> Result<Conn, sqlx::Error> {
        let specs: Vec<&TableSpec> = Entity::IMPORT_ORDER.iter().map(|e| table::spec(*e)).collect();
        Ok(match store {
            Store::Sqlite(p) => {
                let db_file = p.connect_options().get_filename().to_owned();
                let lock = if db_file.as_os_str().is_empty() || db_file.as_os_str() == ":memory:" {
                    None
                } else {
                    let mut path = db_file.into_os_string();
                    path.push("-import.lock");
                    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
                    Some(tokio::task::spawn_blocking(move || file.lock().map(|()| file)).await.map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))??)
                };
                let mut c = p.acquire().await?.detach();
                write::sqlite::prepare(&mut c, &specs).await?;
                Conn::Sqlite(c, lock)
            }
            Store::Postgres(p) => {
                let mut c = p.acquire().await?.detach();
                sqlx::query("SELECT pg_advisory_lock($1)").bind(IMPORT_LOCK).execute(&mut c).await?;
                write::postgres::prepare(&mut c, &specs).await?;
                Conn::Postgres(c)
            }
        })
    }

    async fn start_batch(&mut self, source: &str) -> Result<i64, sqlx::Error> {
        // A batch still 'running' belongs to an import that was killed: its committed chunks
        // stay (they are whole), and this run completes the rest.
        const STALE: &str = "UPDATE import_batches SET status = 'interrupted' WHERE status = 'running'";
        Ok(match self {
            Conn::Sqlite(c, _) => {
                sqlx::query(STALE).execute(&mut *c).await?;
                sqlx::query("INSERT INTO import_batches (source, started_at, status) VALUES ($1, datetime('now'), 'running') RETURNING id")
                    .bind(source)
                    .fetch_one(&mut *c)
                    .await?
                    .get(0)
            }
            Conn::Postgres(c) => {
                sqlx::query(STALE).execute(&mut *c).await?;
                sqlx::query("INSERT INTO import_batches (source, started_at, status) VALUES ($1, now()::text, 'running') RETURNING id")
                    .bind(source)
                    .fetch_one(&mut *c)
                    .await?
                    .get(0)
            }
        })
    }

    async fn finish_batch(&mut self, batch: i64, status: &str) -> Result<(), sqlx::Error> {
        match self {
            Conn::Sqlite(c, _) => {
                sqlx::query("UPDATE import_batches SET status = $1, finished_at = datetime('now') WHERE id = $2")
                    .bind(status)
                    .bind(batch)
                    .execute(&mut *c)
                    .await?;
            }
            Conn::Postgres(c) => {
                sqlx::query("UPDATE import_batches SET status = $1, finished_at = now()::text WHERE id = $2").bind(status).bind(batch).execute(&mut *c).await?;
                sqlx::query("SELECT pg_advisory_unlock($1)").bind(IMPORT_LOCK).execute(&mut *c).await?;
            }
        }
        Ok(())
    }

    async fn load_refs(&mut self) -> Result<Refs, sqlx::Error> {
        let mut refs = Refs::default();
        for (sql, map, next) in [
            ("SELECT org_id, id FROM orgs", &mut refs.orgs, &mut refs.next_org),
            ("SELECT member_id, id FROM members", &mut refs.members, &mut refs.next_member),
            ("SELECT activity_id, id FROM activities", &mut refs.activities, &mut refs.next_activity),
        ] {
            let rows: Vec<(String, i64)> = match self {
                Conn::Sqlite(c, _) => sqlx::query_as(sql).fetch_all(&mut *c).await?,
                Conn::Postgres(c) => sqlx::query_as(sql).fetch_all(&mut *c).await?,
            };
            *next = rows.iter().map(|r| r.1).max().unwrap_or(0);
            map.extend(rows);
        }
        Ok(refs)
    }

    async fn commit_parts(&mut self, spec: &TableSpec, batch: i64, parts: Vec<Part>) -> Result<Vec<PartOutcome>, sqlx::Error> {
        match self {
            Conn::Sqlite(c, _) => write::sqlite::commit_parts(c, spec, batch, parts).await,
            Conn::Postgres(c) => write::postgres::commit_parts(c, spec, batch, parts).await,
        }
    }
}

/// Imports every interchange file in `dir`. Bad rows are reported and skipped; only a
/// failure of the directory, a file's I/O or the database ends the import early (with
/// everything committed so far kept, whole).
pub async fn import_dir(store: &Store, dir: &Path, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let (files, skipped) = source::list_dir(dir).map_err(|e| ImportError::Dir(dir.to_owned(), e))?;
    let mut conn = Conn::open(store).await?;
    let batch = conn.start_batch(&dir.display().to_string()).await?;
    let mut report = ImportReport {
        batch_id: batch,
        files: files.iter().map(|f| FileReport { file: f.name.clone(), entity: f.entity, accepted: 0, unchanged: 0, rejected: 0 }).collect(),
        skipped,
        accepted: 0,
        unchanged: 0,
        rejected: 0,
        rejections: Vec::new(),
        elapsed: Duration::ZERO,
    };
    let bar = progress_bar(opts, files.iter().map(|f| f.bytes).sum());
    let result = run(&mut conn, batch, &files, opts, &mut report, &bar).await;
    bar.finish_and_clear();
    match result {
        Ok(()) => {
            conn.finish_batch(batch, "done").await?;
            report.elapsed = started.elapsed();
            Ok(report)
        }
        Err(e) => {
            // Best effort: the batch's committed chunks stay; mark it so a reader knows.
            let _ = conn.finish_batch(batch, "failed").await;
            Err(e)
        }
    }
}

fn progress_bar(opts: &ImportOptions, total: u64) -> ProgressBar {
    if !opts.progress || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:<24} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

async fn run(conn: &mut Conn, batch: i64, files: &[SourceFile], opts: &ImportOptions, report: &mut ImportReport, bar: &ProgressBar) -> Result<(), ImportError> {
    let mut refs = conn.load_refs().await?;
    let mut done_bytes = 0u64;
    for entity in Entity::IMPORT_ORDER {
        let idx: Vec<usize> = (0..files.len()).filter(|&i| files[i].entity == entity).collect();
        if idx.is_empty() {
            continue;
        }
        let spec = table::spec(entity);
        if entity == Entity::Orgs {
            let parts = read_orgs(files, &idx, &mut refs, opts.chunk_rows.max(1))?;
            let outcomes = conn.commit_parts(spec, batch, parts).await?;
            apply(report, outcomes);
            done_bytes += idx.iter().map(|&i| files[i].bytes).sum::<u64>();
            bar.set_position(done_bytes);
            continue;
        }
        // Reading and validation run on a blocking thread, writing here: the two overlap.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<(Part, u64), ImportError>>(2);
        let owned: Vec<(usize, SourceFile)> = idx.iter().map(|&i| (i, files[i].clone())).collect();
        let chunk_rows = opts.chunk_rows.max(1);
        let reader = tokio::task::spawn_blocking(move || {
            let mut refs = refs;
            read_entity(entity, &owned, chunk_rows, &mut refs, &tx);
            refs
        });
        let mut failure = None;
        while let Some(msg) = rx.recv().await {
            match msg {
                Ok((part, bytes)) => {
                    bar.set_message(part.file.clone());
                    let outcomes = match conn.commit_parts(spec, batch, vec![part]).await {
                        Ok(o) => o,
                        Err(e) => {
                            failure = Some(ImportError::from(e));
                            break;
                        }
                    };
                    apply(report, outcomes);
                    bar.set_position(done_bytes + bytes);
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        drop(rx);
        refs = reader.await.map_err(|e| StoreError::Other(format!("reader thread failed: {e}")))?;
        if let Some(e) = failure {
            return Err(e);
        }
        done_bytes += idx.iter().map(|&i| files[i].bytes).sum::<u64>();
    }
    Ok(())
}

fn apply(report: &mut ImportReport, outcomes: Vec<PartOutcome>) {
    for o in outcomes {
        let f = &mut report.files[o.file_idx];
        f.accepted += o.accepted;
        f.unchanged += o.unchanged;
        f.rejected += o.rejections.len() as u64;
        report.accepted += o.accepted;
        report.unchanged += o.unchanged;
        report.rejected += o.rejections.len() as u64;
        let room = MAX_LISTED_REJECTIONS.saturating_sub(report.rejections.len());
        report.rejections.extend(o.rejections.into_iter().take(room));
    }
}

/// Reads the files of one entity, sending validated chunks (with their rejections) to the
/// writer. Rows the reader cannot split are gathered and sent with the next chunk.
fn read_entity(
    entity: Entity,
    files: &[(usize, SourceFile)],
    chunk_rows: usize,
    refs: &mut Refs,
    tx: &tokio::sync::mpsc::Sender<Result<(Part, u64), ImportError>>,
) {
    for (file_idx, file) in files {
        let reject = |line: u64, reason: String| Rejection { file: file.name.clone(), line, reason };
        let mut pending: Vec<Rejection> = Vec::new();
        let send = |rows, rejections, bytes| tx.blocking_send(Ok((Part { file_idx: *file_idx, file: file.name.clone(), rows, rejections }, bytes))).is_ok();
        let result = source::read_file(file, chunk_rows, &mut |read, bytes| match read {
            Read::Bad { line, reason } => {
                pending.push(reject(line, reason));
                pending.len() < chunk_rows || send(Vec::new(), std::mem::take(&mut pending), bytes)
            }
            Read::Rows(raw) => {
                let mut rows = Vec::with_capacity(raw.len());
                let mut rejections = std::mem::take(&mut pending);
                for r in raw {
                    let fields: Vec<&str> = r.fields.iter().map(String::as_str).collect();
                    match prepare::prepare_row(entity, &fields, refs, r.line) {
                        Ok(p) => rows.push(p),
                        Err(e) => rejections.push(reject(r.line, e.to_string())),
                    }
                }
                send(rows, rejections, bytes)
            }
        });
        let ok = match result {
            Ok(Ok(())) => true,
            Ok(Err(source::HeaderError(reason))) => {
                pending.push(reject(1, format!("file rejected: {reason}")));
                true
            }
            Err(e) => {
                let _ = tx.blocking_send(Err(ImportError::Read { file: file.name.clone(), source: e }));
                false
            }
        };
        if !ok || (!pending.is_empty() && !send(Vec::new(), std::mem::take(&mut pending), file.bytes)) {
            return;
        }
    }
}

/// Organisations are read whole (they are few) and resolved as a tree before anything is
/// written; all their files then commit in one transaction.
fn read_orgs(files: &[SourceFile], idx: &[usize], refs: &mut Refs, chunk_rows: usize) -> Result<Vec<Part>, ImportError> {
    let mut inputs: Vec<OrgInput> = Vec::new();
    let mut parts: Vec<Part> = Vec::new();
    for &fi in idx {
        let file = &files[fi];
        let mut rejections = Vec::new();
        let result = source::read_file(file, chunk_rows, &mut |read, _| {
            match read {
                Read::Bad { line, reason } => rejections.push(Rejection { file: file.name.clone(), line, reason }),
                Read::Rows(raw) => {
                    for r in raw {
                        let fields: Vec<&str> = r.fields.iter().map(String::as_str).collect();
                        inputs.push(OrgInput { file: fi, line: r.line, row: domain::OrgRow::parse(&fields) });
                    }
                }
            }
            true
        });
        match result {
            Ok(Ok(())) => {}
            Ok(Err(source::HeaderError(reason))) => rejections.push(Rejection { file: file.name.clone(), line: 1, reason: format!("file rejected: {reason}") }),
            Err(e) => return Err(ImportError::Read { file: file.name.clone(), source: e }),
        }
        parts.push(Part { file_idx: fi, file: file.name.clone(), rows: Vec::new(), rejections });
    }
    let prepared = prepare::prepare_orgs(&inputs, refs);
    for (inp, p) in inputs.iter().zip(prepared) {
        let part = parts.iter_mut().find(|p| p.file_idx == inp.file).expect("a part per file");
        match p {
            Ok(row) => part.rows.push(row),
            Err(e) => part.rejections.push(Rejection { file: part.file.clone(), line: inp.line, reason: e.to_string() }),
        }
    }
    Ok(parts)
}

/// Whether a file import is under way now: a batch is `running` and its importer still holds
/// the import lock (a killed import leaves its batch `running` but drops the lock). The hub
/// asks this before it looks for new data, so that the wall never shows part of an import
/// (issue 11 item 4). Check-ins are batches of their own, stored `done` at once.
pub async fn import_running(store: &Store) -> Result<bool, StoreError> {
    let running: Option<(i64,)> = crate::sql::optional(store, "SELECT id FROM import_batches WHERE status = 'running' LIMIT 1", crate::sql::args![]).await?;
    if running.is_none() {
        return Ok(false);
    }
    match store {
        Store::Sqlite(p) => {
            let db_file = p.connect_options().get_filename().to_owned();
            if db_file.as_os_str().is_empty() || db_file.as_os_str() == ":memory:" {
                return Ok(false);
            }
            let mut path = db_file.into_os_string();
            path.push("-import.lock");
            let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
            match file.try_lock() {
                Ok(()) => Ok(false), // released when `file` is dropped
                Err(std::fs::TryLockError::WouldBlock) => Ok(true),
                Err(std::fs::TryLockError::Error(e)) => Err(StoreError::Io(e)),
            }
        }
        Store::Postgres(p) => {
            let mut c = p.acquire().await?;
            let free: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(IMPORT_LOCK).fetch_one(&mut *c).await?;
            if free {
                sqlx::query("SELECT pg_advisory_unlock($1)").bind(IMPORT_LOCK).execute(&mut *c).await?;
            }
            Ok(!free)
        }
    }
}

/// Writes every rejection of import batch `batch` as CSV (`file,line,reason`, by file and
/// line) to `out`, page by page; returns how many.
pub async fn write_rejections(store: &Store, batch: i64, out: &mut dyn std::io::Write) -> Result<u64, StoreError> {
    const PAGE: i64 = 50_000;
    const SQL: &str = "SELECT file, line, reason FROM import_rejections WHERE batch_id = $1 AND (file > $2 OR (file = $2 AND line > $3)) \
                       ORDER BY file, line LIMIT $4";
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["file", "line", "reason"]).map_err(|e| StoreError::Other(format!("writing rejections: {e}")))?;
    let (mut after_file, mut after_line, mut n) = (String::new(), -1i64, 0u64);
    loop {
        let rows: Vec<(String, i64, String)> = crate::sql::all(store, SQL, crate::sql::args![batch, after_file.clone(), after_line, PAGE]).await?;
        for (file, line, reason) in &rows {
            w.write_record([file.as_str(), &line.to_string(), reason.as_str()]).map_err(|e| StoreError::Other(format!("writing rejections: {e}")))?;
        }
        n += rows.len() as u64;
        match rows.last() {
            Some((f, l, _)) if rows.len() as i64 == PAGE => (after_file, after_line) = (f.clone(), *l),
            _ => break,
        }
    }
    w.flush()?;
    Ok(n)
}
