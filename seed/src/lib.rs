//! Synthetic data generator behind `vanguard seed`.
//!
//! [`write_dataset`] writes a complete, realistic set of §3 interchange CSV files into a
//! directory: the organisation tree, members, activities, the resource library,
//! transfers, star ratings, secretary projects, the development pipeline, and member
//! events split by calendar year (`events-2025.csv`, `events-2026.csv` …). The importer
//! then loads them through its one validation path.
//!
//! The generator is pure and deterministic: the same [`SeedConfig`] gives byte-identical
//! files on every platform (it carries its own random generator and uses no libm
//! functions). Events are streamed member by member, so memory stays small at any scale.
//!
//! The data window is the `12 × years` calendar months ending with `end_month`; nothing
//! happens after the last day of `end_month`. At the default scale (47,411 members) the
//! tree has exactly 2,654 grassroots organisations, like the reference district; other
//! member counts scale it proportionally (never below one branch).
//!
//! Shapes, roughly, at the default scale:
//! - ids: `ORG00001` (the district root), `M0000001`, `A00000001`, `E000000001`,
//!   `T000001`, `P00001`, `C000001` (one candidate, several step rows), `R0001`;
//! - tree: ~10 streets/towns/townships, communities, villages and units under them, the
//!   district's working committee and a few units directly under the district; about
//!   10 % committees, 10 % general branches, 80 % branches; 8–100 members per branch;
//! - members: ~70 % men; retired ~35 %, employed ~30 %, rural ~15 %, new_economy ~9 %,
//!   mobile ~8 %, student ~3 %; ~3 % joined during the last year (probationary);
//!   dues by the income rules (median ≈ 48 yuan, ~1 % exempt with 0);
//! - per grassroots organisation and year: committee meetings monthly, a group meeting
//!   per party group monthly, theme days monthly, congresses and lessons quarterly, one
//!   organisation-life meeting, December evaluation, study, consultations, volunteer
//!   work, year-end visits; weak organisations skip items and whole months;
//! - ~560 events per member-year: ~91 % study sessions, ~5 % attendance, ~2 % dues,
//!   then volunteering, leave, evaluations (one per member each December) and model posts.

mod acts;
mod cal;
mod events;
mod extras;
mod names;
mod people;
mod rng;
#[cfg(test)]
mod tests;
mod tree;

use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedConfig {
    /// Members of the district (the tree's size follows: 2,654 grassroots organisations per 47,411 members).
    pub members: u32,
    /// Years of data (12 months each) ending with `end_month`.
    pub years: u32,
    /// Seed of every random draw; the same seed gives byte-identical files.
    pub seed: u64,
    /// The last month of data, `(year, month)`, e.g. `(2026, 10)`.
    pub end_month: (i32, u32),
}

impl Default for SeedConfig {
    fn default() -> Self {
        SeedConfig { members: 47_411, years: 1, seed: 42, end_month: (2026, 10) }
    }
}

/// Rows written per file (`orgs` counts every organisation, `grassroots` the committees,
/// general branches and branches among them), and the files written, in writing order.
#[derive(Debug, Clone, Default)]
pub struct SeedSummary {
    pub orgs: u64,
    pub grassroots: u64,
    pub members: u64,
    pub activities: u64,
    pub events: u64,
    pub resources: u64,
    pub transfers: u64,
    pub ratings: u64,
    pub projects: u64,
    pub candidates: u64,
    pub files: Vec<PathBuf>,
}

type CsvOut = csv::Writer<BufWriter<File>>;

/// A CSV writer with LF line ends and RFC 4180 quoting where needed.
fn csv_writer(path: &Path) -> io::Result<CsvOut> {
    let file = File::create(path)?;
    Ok(csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(BufWriter::with_capacity(1 << 16, file)))
}

fn write_orgs(path: &Path, tree: &tree::Tree) -> io::Result<u64> {
    let mut w = csv_writer(path)?;
    w.write_record(["org_id", "parent_id", "name", "kind", "established_on"])?;
    for (i, o) in tree.orgs.iter().enumerate() {
        w.write_record([
            tree::org_id(i as u32).as_str(),
            o.parent.map(tree::org_id).unwrap_or_default().as_str(),
            o.name.as_str(),
            o.kind.as_str(),
            cal::date_string(o.established).as_str(),
        ])?;
    }
    w.flush()?;
    Ok(tree.orgs.len() as u64)
}

/// Writes the whole dataset into `dir` (created if missing; files of the same names are
/// replaced). `progress`, when given, is advanced per member while events are written
/// (its length is set to the member count).
pub fn write_dataset(dir: &Path, cfg: &SeedConfig, progress: Option<&indicatif::ProgressBar>) -> io::Result<SeedSummary> {
    let win = cal::Window::new(cfg.years, cfg.end_month)?;
    fs::create_dir_all(dir)?;
    let mut summary = SeedSummary::default();
    let file = |name: &str, summary: &mut SeedSummary| {
        let p = dir.join(name);
        summary.files.push(p.clone());
        p
    };

    let mut tree = tree::build(cfg.members, cfg.seed, &win);
    people::allocate(&mut tree, cfg.members);
    let p = file("orgs.csv", &mut summary);
    summary.orgs = write_orgs(&p, &tree)?;
    summary.grassroots = tree.grassroots as u64;

    let members = people::generate(&tree, cfg.seed, &win);
    let p = file("members.csv", &mut summary);
    summary.members = people::write_members(&p, &members)?;

    let p = file("activities.csv", &mut summary);
    let activities = acts::generate(&p, &tree, cfg.seed, &win)?;
    summary.activities = activities.acts.len() as u64;

    let p = file("resources.csv", &mut summary);
    summary.resources = extras::write_resources(&p, cfg.seed)?;
    let p = file("transfers.csv", &mut summary);
    summary.transfers = people::write_transfers(&p, &tree, &members, cfg.seed, &win)?;
    let p = file("ratings.csv", &mut summary);
    summary.ratings = extras::write_ratings(&p, &tree, cfg.seed, &win)?;
    let p = file("projects.csv", &mut summary);
    summary.projects = extras::write_projects(&p, &tree, cfg.seed, &win)?;
    let p = file("candidates.csv", &mut summary);
    summary.candidates = people::write_candidates(&p, &tree, &members, cfg.seed, &win)?;

    let (events, paths) = events::write_events(dir, &tree, &members, &activities, &win, cfg.seed, progress)?;
    summary.events = events;
    summary.files.extend(paths);
    tracing::debug!(
        orgs = summary.orgs,
        grassroots = summary.grassroots,
        members = summary.members,
        activities = summary.activities,
        events = summary.events,
        "seed dataset written to {}",
        dir.display()
    );
    Ok(summary)
}
