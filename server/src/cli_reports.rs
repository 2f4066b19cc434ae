//! The command line of the monthly reports (docs/RULES.md §11): `vanguard report generate`
//! and `vanguard report pdf`. Both read the figures through the same hub as `serve` and the
//! reports through `operations::reports`, so a report is the same whichever made it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use domain::Period;
use operations::reports::{self, Report};
use store::{DEFAULT_DB_URL, Store};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Where the figures come from (as `serve` takes them).
#[derive(clap::Args, Clone)]
pub struct Source {
    #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
    db: String,
    #[arg(long, env = "VANGUARD_COLUMNAR")]
    columnar: Option<PathBuf>,
    /// Points rules and thresholds (JSON of engine::Rules; default: docs/RULES.md §4/§5, version 1).
    #[arg(long, env = "VANGUARD_RULES")]
    rules: Option<PathBuf>,
    /// Indicator catalogue (JSON like engine/catalogue/default.json).
    #[arg(long, env = "VANGUARD_CATALOGUE")]
    catalogue: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum ReportCmd {
    /// Generate every member and branch report of MONTH, frozen with the rules' and
    /// catalogue's versions. A month generated before is left as it is.
    Generate {
        #[command(flatten)]
        source: Source,
        /// Month, YYYY-MM.
        #[arg(long)]
        month: Period,
    },
    /// Write the PDF of one report of MONTH: a member's (--member) or a branch's diagnosis
    /// (--org). Generates the month first when it has not been.
    Pdf {
        #[command(flatten)]
        source: Source,
        #[arg(long)]
        month: Period,
        #[arg(long, conflicts_with = "org", required_unless_present = "org")]
        member: Option<String>,
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
}

/// A hub over the store with every figure loaded, as `serve` has it, with the warnings brought
/// up to date with the data (a branch report lists the month's warnings).
async fn ready_hub(source: &Source) -> Result<engine::hub::Hub> {
    let rules = crate::load_rules(source.rules.as_deref())?;
    let catalogue = crate::load_catalogue(source.catalogue.as_deref())?;
    let store = Store::connect(&source.db).await?;
    let copy = engine::columnar::ColumnarCopy::open(source.columnar.clone().unwrap_or_else(|| engine::columnar::default_dir(&source.db)))?;
    let hub = engine::hub::Hub::start(store, copy, rules.clone(), catalogue);
    let mut rx = hub.subscribe();
    while hub.state().is_err() {
        // The hub retries a failed load; say why while waiting.
        if tokio::time::timeout(std::time::Duration::from_secs(30), rx.changed()).await.is_err() {
            eprintln!("still loading the figures: {}", hub.status());
        }
    }
    let state = hub.state()?;
    let lights = tokio::task::spawn_blocking(move || operations::lit::at_newest(&state.ds, &rules)).await??;
    operations::raise(hub.store(), &lights).await?;
    Ok(hub)
}

async fn generate(hub: &engine::hub::Hub, month: Period) -> Result<reports::Generated> {
    let t = std::time::Instant::now();
    let g = reports::generate(hub, month).await?;
    let r = &g.run;
    if g.created {
        eprintln!(
            "generated the reports of {}: {} member reports, {} branch reports in {:.1}s (rules v{}, catalogue v{}, data seq {})",
            r.month,
            r.member_reports,
            r.branch_reports,
            t.elapsed().as_secs_f64(),
            r.rules_version,
            r.catalogue_version,
            r.data_seq
        );
    } else {
        eprintln!(
            "the reports of {} were generated at {}: left as they are ({} member reports, {} branch reports)",
            r.month, r.generated_at, r.member_reports, r.branch_reports
        );
    }
    Ok(g)
}

pub async fn report(cmd: ReportCmd) -> Result<ExitCode> {
    match cmd {
        ReportCmd::Generate { source, month } => {
            // A month generated before is left as it is: no need to load the figures.
            let store = Store::connect(&source.db).await?;
            if let Some(r) = reports::run_of(&store, month).await? {
                eprintln!(
                    "the reports of {} were generated at {}: left as they are ({} member reports, {} branch reports)",
                    r.month, r.generated_at, r.member_reports, r.branch_reports
                );
                store.close().await;
                return Ok(ExitCode::SUCCESS);
            }
            store.close().await;
            let hub = ready_hub(&source).await?;
            generate(&hub, month).await?;
            hub.store().close().await;
            Ok(ExitCode::SUCCESS)
        }
        ReportCmd::Pdf { source, month, member, org, out } => {
            let (kind, subject) = match (&member, &org) {
                (Some(m), _) => ("member", m.clone()),
                (None, Some(o)) => ("branch", o.clone()),
                (None, None) => return Err("give --member ID or --org ID".into()),
            };
            let store = Store::connect(&source.db).await?;
            if reports::run_of(&store, month).await?.is_none() {
                eprintln!("the reports of {month} have not been generated yet: generating them first");
                let hub = ready_hub(&source).await?;
                generate(&hub, month).await?;
            }
            let Some((head, report)) = reports::find(&store, month, kind, &subject).await? else {
                return Err(
                    format!("no {kind} report of {month} for {subject:?} (a branch report exists for each grassroots organisation with members)").into()
                );
            };
            let run = reports::run_of_report(&store, &head).await?;
            store.close().await;
            let html = match &report {
                Report::Member(m) => crate::reports::page::member(m, &run, None),
                Report::Branch(b) => crate::reports::page::branch(b, &run, None),
            };
            let printed = crate::reports::pdf::print(&html).await;
            crate::reports::pdf::close().await;
            let pdf = printed?;
            crate::write_atomically(&out, |w| w.write_all(&pdf).map_err(engine::EngineError::Io))?;
            eprintln!("wrote the {kind} report of {month} for {subject} ({} bytes) to {}", pdf.len(), out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
