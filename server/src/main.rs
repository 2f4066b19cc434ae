//! `vanguard`: the command line of the district command centre (docs/RULES.md §9).

// The wall's view types nest deeply (leptos); laying them out needs more than the default 128.
#![recursion_limit = "256"]

mod admin;
mod api;
mod auth;
mod checkin;
mod cli_access;
mod cli_ops;
mod cli_reports;
mod extract;
mod html;
mod limits;
mod listen;
mod login_page;
mod metrics;
mod ops;
mod reports;
mod shutdown;
mod web;

use clap::{Parser, Subcommand};
use domain::Period;
use engine::{Export, Rules};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use store::import::{ImportOptions, ImportReport, import_dir};
use store::{DEFAULT_DB_URL, Store};

#[derive(Parser)]
#[command(name = "vanguard", version, about = "锋领指数 · district Party-building command centre")]
struct Cli {
    /// Log lines as JSON objects (one per line) instead of text: for a log collector.
    #[arg(long, global = true, env = "VANGUARD_LOG_JSON")]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import every interchange file (CSV or Parquet) in DIR. Exit 0: nothing rejected; 3: some rows rejected; 1: failure.
    Import {
        #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
        db: String,
        dir: PathBuf,
        /// Rows per transaction.
        #[arg(long, default_value_t = 50_000)]
        chunk_rows: usize,
        /// Write every rejection (file, line, reason) to this CSV file. Without it, they are
        /// written to import-rejections-BATCH.csv when more than 1,000 were rejected (only
        /// the first 1,000 are printed).
        #[arg(long)]
        rejections: Option<PathBuf>,
    },
    /// Generate realistic synthetic data and import it (only into an empty database, unless --force).
    Seed {
        #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
        db: String,
        #[arg(long, default_value_t = 47_411)]
        members: u32,
        #[arg(long, default_value_t = 1)]
        years: u32,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Keep the generated interchange files in this directory.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only write the files (needs --out); do not touch the database.
        #[arg(long, requires = "out")]
        files_only: bool,
        /// Import even if the database already holds data.
        #[arg(long)]
        force: bool,
    },
    /// Accounts of people (§10): add or disable.
    User {
        #[command(subcommand)]
        what: cli_access::UserCmd,
    },
    /// Kiosk tokens for the wall's display (§10): create or revoke.
    Token {
        #[command(subcommand)]
        what: cli_access::TokenCmd,
    },
    /// Webhooks that warnings are pushed to (§11): add, list or remove.
    Webhook {
        #[command(subcommand)]
        what: cli_ops::WebhookCmd,
    },
    /// The monthly reports (§11): generate a month's, or write one report's PDF.
    Report {
        #[command(subcommand)]
        what: cli_reports::ReportCmd,
    },
    /// Write an export file of §9 (Vanguard Index, member lights or branch lights) or the audit log (§10).
    Export {
        #[command(subcommand)]
        what: ExportCmd,
    },
    /// Benchmark of the engine: bring the columnar copy up to date, then recompute the index of
    /// YEAR and the lights and subtree counts of MONTH from it, --repeat times, and print timings.
    Recompute {
        #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
        db: String,
        #[arg(long)]
        year: i32,
        /// Month, YYYY-MM.
        #[arg(long)]
        month: Period,
        #[arg(long, env = "VANGUARD_COLUMNAR")]
        columnar: Option<PathBuf>,
        #[arg(long, default_value_t = 3)]
        repeat: u32,
        /// Then start the server's hub, import one new event (a model post of the first member
        /// in the newest month — it stays in the database) and time until the hub publishes
        /// figures that include it (incremental refresh and recompute).
        #[arg(long)]
        one_event: bool,
    },
    /// Copy a SQLite store to FILE while it may be in use (a consistent online copy); for
    /// PostgreSQL, says to use pg_dump. FILE must not exist.
    Backup {
        #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
        db: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Serve the wall (district view at /) and the API. Run from the repository root after `cargo leptos build --release`.
    Serve {
        #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
        db: String,
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        #[arg(long, env = "VANGUARD_COLUMNAR")]
        columnar: Option<PathBuf>,
        /// Points rules and thresholds (JSON of engine::Rules; default: docs/RULES.md §4/§5, version 1).
        #[arg(long, env = "VANGUARD_RULES")]
        rules: Option<PathBuf>,
        /// Indicator catalogue (JSON like engine/catalogue/default.json).
        #[arg(long, env = "VANGUARD_CATALOGUE")]
        catalogue: Option<PathBuf>,
        /// Also serve /metrics, without a credential, at this address (a loopback address
        /// for a local Prometheus); on the main address it answers admins only.
        #[arg(long, env = "VANGUARD_METRICS_ADDR")]
        metrics_addr: Option<SocketAddr>,
    },
}

/// Arguments every export takes.
#[derive(clap::Args, Clone)]
pub(crate) struct ExportArgs {
    #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
    pub(crate) db: String,
    /// Output file (`-` for standard output).
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Directory of the columnar copy of the events (default: beside a SQLite file, or
    /// under ~/.cache/vanguard/columnar for PostgreSQL). Safe to delete; rebuilt when stale.
    #[arg(long, env = "VANGUARD_COLUMNAR")]
    pub(crate) columnar: Option<PathBuf>,
    /// Points rules and thresholds (JSON of engine::Rules; default: docs/RULES.md §4/§5, version 1).
    #[arg(long, env = "VANGUARD_RULES")]
    pub(crate) rules: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ExportCmd {
    /// The Vanguard Index of year Y, one row per member, by district rank.
    Index {
        #[arg(long)]
        year: i32,
        #[command(flatten)]
        common: ExportArgs,
    },
    /// Member lights as of the end of month M (YYYY-MM), by member_id.
    MemberLights {
        /// Month, YYYY-MM.
        #[arg(long)]
        month: Period,
        #[command(flatten)]
        common: ExportArgs,
    },
    /// Branch lights as of the end of month M (YYYY-MM), by org_id.
    BranchLights {
        /// Month, YYYY-MM.
        #[arg(long)]
        month: Period,
        #[command(flatten)]
        common: ExportArgs,
    },
    /// The audit log (§10): at, actor, role, action, target, outcome, ip; sorted by at.
    Audit(cli_access::AuditArgs),
    /// The warnings of month M (§11), brought up to date with the data first: warning_id, month, subject_kind, subject_id, org_id, reason, light, state, raised_at.
    Warnings(cli_ops::WarningsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    // Colours only for a terminal: a log file, journald or a container's log gets plain text
    // (and writing the escape codes was a part of every request's access line).
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour);
    if cli.log_json {
        logs.json().init()
    } else {
        logs.init()
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let code = match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    };
    // A computation still running on a blocking thread (a month's figures, say) must not hold
    // the exit: `serve` has answered its last request by now.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    code
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Import { db, dir, chunk_rows, rejections } => {
            let store = Store::connect(&db).await?;
            let report = import_dir(&store, &dir, &ImportOptions { chunk_rows, progress: true }).await?;
            print_report(&report);
            let listed_all = report.rejected as usize <= report.rejections.len();
            let file = rejections.or_else(|| (!listed_all).then(|| PathBuf::from(format!("import-rejections-{}.csv", report.batch_id))));
            if let Some(file) = file {
                let mut out = std::io::BufWriter::new(std::fs::File::create(&file).map_err(|e| format!("{}: {e}", file.display()))?);
                let n = store::import::write_rejections(&store, report.batch_id, &mut out).await?;
                out.flush()?;
                println!("all {n} rejections are in {}", file.display());
            }
            store.close().await;
            Ok(if report.rejected == 0 { ExitCode::SUCCESS } else { ExitCode::from(3) })
        }
        Command::Seed { db, members, years, seed, out, files_only, force } => {
            let cfg = seed::SeedConfig { members, years, seed, ..Default::default() };
            let store = if files_only { None } else { Some(Store::connect(&db).await?) };
            if let Some(s) = &store
                && !force
                && !s.is_empty().await?
            {
                println!("{db} already holds data; nothing seeded (use --force to add more)");
                return Ok(ExitCode::SUCCESS);
            }
            let tmp;
            let dir = match &out {
                Some(d) => {
                    std::fs::create_dir_all(d)?;
                    d.clone()
                }
                None => {
                    tmp = tempfile::tempdir()?;
                    tmp.path().to_owned()
                }
            };
            let t0 = std::time::Instant::now();
            let summary = seed::write_dataset(&dir, &cfg, None)?;
            println!(
                "generated {} orgs ({} grassroots), {} members, {} activities, {} events in {:.1}s into {}",
                summary.orgs,
                summary.grassroots,
                summary.members,
                summary.activities,
                summary.events,
                t0.elapsed().as_secs_f64(),
                dir.display()
            );
            let Some(store) = store else { return Ok(ExitCode::SUCCESS) };
            let report = import_dir(&store, &dir, &ImportOptions { progress: true, ..Default::default() }).await?;
            print_report(&report);
            store.close().await;
            Ok(if report.rejected == 0 { ExitCode::SUCCESS } else { ExitCode::from(3) })
        }
        Command::User { what } => cli_access::user(what).await,
        Command::Token { what } => cli_access::token(what).await,
        Command::Webhook { what } => cli_ops::webhook(what).await,
        Command::Report { what } => cli_reports::report(what).await,
        Command::Export { what: ExportCmd::Audit(args) } => cli_access::export_audit(args).await,
        Command::Export { what: ExportCmd::Warnings(args) } => cli_ops::export_warnings(args).await,
        Command::Export { what } => {
            let (ExportCmd::Index { common, .. } | ExportCmd::MemberLights { common, .. } | ExportCmd::BranchLights { common, .. }) = &what else {
                unreachable!("the audit and warnings exports are handled above")
            };
            let ExportArgs { db, out, columnar, rules } = common.clone();
            let rules = load_rules(rules.as_deref())?;
            let what = match what {
                ExportCmd::Index { year, .. } => Export::Index { year },
                ExportCmd::MemberLights { month, .. } => Export::MemberLights { month },
                ExportCmd::BranchLights { month, .. } => Export::BranchLights { month },
                ExportCmd::Audit(_) | ExportCmd::Warnings(_) => unreachable!("handled above"),
            };
            let store = Store::connect(&db).await?;
            let t0 = std::time::Instant::now();
            let copy = engine::columnar::ColumnarCopy::open(columnar.unwrap_or_else(|| engine::columnar::default_dir(&db)))?;
            let ds = engine::load::load(&store, &copy).await?;
            store.close().await;
            let loaded = t0.elapsed();
            let rows = write_atomically(&out, |w| engine::write_export(&ds, &rules, what, w))?;
            eprintln!(
                "wrote {rows} rows to {} (loaded in {:.2}s, computed and written in {:.2}s)",
                out.display(),
                loaded.as_secs_f64(),
                (t0.elapsed() - loaded).as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Recompute { db, year, month, columnar, repeat, one_event } => {
            let store = Store::connect(&db).await?;
            let copy = engine::columnar::ColumnarCopy::open(columnar.unwrap_or_else(|| engine::columnar::default_dir(&db)))?;
            let t = std::time::Instant::now();
            let loaded = copy.sync(&store).await?;
            println!(
                "columnar copy synced: {} events (study sessions as {} member-month counts) in {:.2}s",
                loaded.events.height(),
                loaded.study.height(),
                t.elapsed().as_secs_f64()
            );
            drop(loaded);
            let mut best: Option<(f64, f64)> = None;
            for i in 1..=repeat.max(1) {
                let t = std::time::Instant::now();
                let reference = copy.reference(&store).await?;
                let ds = engine::Dataset::new(reference, copy.load()?)?;
                let loaded = t.elapsed().as_secs_f64();
                let f = engine::recompute::recompute(&ds, &Rules::default(), year, month)?;
                let total = t.elapsed().as_secs_f64();
                println!(
                    "run {i}: load {loaded:.3}s + compute {:.3}s = {total:.3}s (index {} rows, member lights {}, branch lights {}, subtree counts {})",
                    total - loaded,
                    f.index.height(),
                    f.member_lights.height(),
                    f.branch_lights.height(),
                    f.subtree.height()
                );
                if best.is_none_or(|(b, _)| total < b) {
                    best = Some((total, total - loaded));
                }
            }
            let (best, compute) = best.unwrap_or_default();
            println!("ENGINE_RESULT best_s={best:.3} compute_s={compute:.3} peak_rss_mb={}", peak_rss_mb());
            if one_event {
                // The server's path: a hub with every figure of the newest month current,
                // then one new event, and the time until the hub has published the version
                // that contains it (refresh from the store + incremental recompute).
                let hub = engine::hub::Hub::start(store.clone(), copy, Rules::default(), engine::catalogue::Catalogue::default());
                let mut rx = hub.subscribe();
                let t = std::time::Instant::now();
                while hub.state().is_err() {
                    rx.changed().await?;
                }
                let state = hub.state()?;
                println!(
                    "hub ready in {:.3}s (version {}: member facts over every month, figures of the newest month)",
                    t.elapsed().as_secs_f64(),
                    state.version
                );
                let member = state.ds.members.column("member_id")?.str()?.get(0).map(str::to_owned).ok_or("no members")?;
                let latest = state.base.as_ref().map(|b| b.latest).ok_or("no data")?;
                let before = hub.member(&member, None).await?.index.clone();
                drop(state);
                let dir = tempfile::tempdir()?;
                let id = format!("BENCH{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos());
                std::fs::write(
                    dir.path().join("events.csv"),
                    format!(
                        "event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\n{id},{member},model_post,{latest}-01T09:00:00,,,,manual\n"
                    ),
                )?;
                let t = std::time::Instant::now();
                import_dir(&store, dir.path(), &ImportOptions::default()).await?;
                let imported = t.elapsed().as_secs_f64();
                let v0 = hub.version_event().version;
                let t = std::time::Instant::now();
                hub.poke();
                while rx.borrow_and_update().version <= v0 {
                    rx.changed().await?;
                }
                let total = t.elapsed().as_secs_f64();
                let after = hub.member(&member, None).await?.index.clone();
                println!(
                    "one new event ({id}, a model post of {member} in {latest}): import {imported:.3}s; then {total:.3}s until the hub published the figures with it (index of {member} this year {before} -> {after})"
                );
                println!("INCREMENTAL_RESULT refresh_and_recompute_s={total:.3}");
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { db, out } => {
            if out.exists() {
                return Err(format!("{} exists already: give a new file", out.display()).into());
            }
            let store = Store::connect(&db).await?;
            // Into a file beside the target, renamed when complete: a copy cut short is never
            // taken for a backup.
            let partial = out.with_extension("partial");
            let _ = std::fs::remove_file(&partial);
            let t0 = std::time::Instant::now();
            let copied = store.backup_into(&partial).await;
            store.close().await;
            copied?;
            std::fs::rename(&partial, &out)?;
            let bytes = std::fs::metadata(&out)?.len();
            eprintln!("backed up {db} to {} ({bytes} bytes) in {:.1}s", out.display(), t0.elapsed().as_secs_f64());
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { db, addr, columnar, rules, catalogue, metrics_addr } => {
            let rules = load_rules(rules.as_deref())?;
            let catalogue = load_catalogue(catalogue.as_deref())?;
            tracing::info!(rules_version = rules.version, catalogue_version = catalogue.version, "rules and indicator catalogue");
            // PostgreSQL can go away under a running server: a request then waits a few seconds
            // for a connection, never 30. A SQLite file cannot; its waits are a writer's turn
            // (a month's warnings raised in one transaction, say), which must not fail a login.
            let store = if db.starts_with("sqlite:") { Store::connect(&db).await? } else { Store::connect_serving(&db).await? };
            first_run(&store, &db, addr).await?;
            let copy = engine::columnar::ColumnarCopy::open(columnar.unwrap_or_else(|| engine::columnar::default_dir(&db)))?;
            let hub = engine::hub::Hub::start(store, copy, rules, catalogue);
            if let Some(m) = metrics_addr {
                web::serve_metrics(hub.clone(), m).await?;
            }
            web::serve(hub.clone(), Some(addr)).await?;
            // The next start reads the data and figures as they stand now (issue 11 item 7).
            let t = std::time::Instant::now();
            match tokio::task::spawn_blocking(move || hub.save_for_restart()).await {
                Ok(Ok(())) => tracing::info!(took = ?t.elapsed(), "data and figures saved for the next start"),
                Ok(Err(e)) => tracing::warn!(error = %e, "saving for the next start failed; it computes afresh"),
                Err(e) => tracing::warn!(error = %e, "saving for the next start failed"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// docs/RULES.md §10's first run: when the store has no account, an `admin` for the root and a
/// kiosk token are made, written to a file only the owner can read, and printed once — so
/// that a newcomer sees the wall at once and nothing is open without a credential.
async fn first_run(store: &Store, db: &str, addr: SocketAddr) -> Result<()> {
    let file = access::first_run_path(db);
    match access::bootstrap(store, &file).await? {
        access::Bootstrap::Created(f) => {
            println!(
                "==> First run: an administrator and a kiosk token for {} were created (also in {}, readable by its owner only)",
                f.org_id,
                f.file.display()
            );
            println!("    admin login:    {}", f.login);
            println!("    admin password: {}", f.password);
            println!("    the wall:       http://{addr}/kiosk?token={}", f.token);
            tracing::info!(file = %f.file.display(), "first run: admin and kiosk token written");
        }
        access::Bootstrap::AlreadySetUp => {}
        access::Bootstrap::NoOrganisation => tracing::warn!("no organisation yet: import data, then restart to create the first admin"),
    }
    Ok(())
}

/// The indicator catalogue of a JSON file, or the default one.
pub(crate) fn load_catalogue(path: Option<&Path>) -> Result<engine::catalogue::Catalogue> {
    let Some(p) = path else { return Ok(engine::catalogue::Catalogue::default()) };
    let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
    Ok(engine::catalogue::Catalogue::from_json(&text).map_err(|e| format!("{}: {e}", p.display()))?)
}

/// The rules of a JSON file (every field of [`Rules`]), or the contract's defaults.
pub(crate) fn load_rules(path: Option<&Path>) -> Result<Rules> {
    let Some(p) = path else { return Ok(Rules::default()) };
    let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("{}: line {}, column {}: {e}", p.display(), e.line(), e.column()))?)
}

/// Writes through a buffer into a temporary file beside `out` and renames it into place, so
/// that a failed export never leaves a half-written file; `-` writes to standard output.
pub(crate) fn write_atomically<T>(out: &Path, f: impl FnOnce(&mut dyn Write) -> std::result::Result<T, engine::EngineError>) -> Result<T> {
    if out == Path::new("-") {
        let stdout = std::io::stdout();
        let mut w = std::io::BufWriter::new(stdout.lock());
        let v = f(&mut w)?;
        w.flush()?;
        return Ok(v);
    }
    // Something that is not a regular file (/dev/null, a named pipe, a terminal) is written
    // to as it is: renaming a file over it would replace the device with a file.
    if std::fs::metadata(out).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut w = std::io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(out)?);
        let v = f(&mut w)?;
        w.flush()?;
        return Ok(v);
    }
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    let v = {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        let v = f(&mut w)?;
        w.flush()?;
        v
    };
    tmp.persist(out).map_err(|e| e.error)?;
    Ok(v)
}

/// Peak resident memory of this process (VmHWM), in MB; 0 where /proc is unavailable.
fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<u64>().ok()))
        .map_or(0, |kb| kb / 1024)
}

fn print_report(r: &ImportReport) {
    for f in &r.files {
        println!("{:<32} accepted {:>10}  unchanged {:>10}  rejected {:>8}", f.file, f.accepted, f.unchanged, f.rejected);
    }
    for s in &r.skipped {
        println!(
            "{s:<32} skipped: not an interchange file (orgs, members, activities, events, resources, transfers, ratings, projects, candidates; .csv or .parquet)"
        );
    }
    for rej in &r.rejections {
        println!("rejected {rej}");
    }
    if r.rejected > r.rejections.len() as u64 {
        println!("… and {} more rejections (not printed)", r.rejected - r.rejections.len() as u64);
    }
    let secs = r.elapsed.as_secs_f64().max(1e-9);
    println!(
        "batch {}: accepted {}, unchanged {}, rejected {} in {:.1}s ({:.0} rows/s)",
        r.batch_id,
        r.accepted,
        r.unchanged,
        r.rejected,
        secs,
        (r.accepted + r.unchanged + r.rejected) as f64 / secs
    );
}
