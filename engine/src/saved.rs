//! What the hub computed for a data version, kept on disk so that a restart serves it at once
//! (issue 11 item 7: `/readyz` within 5 s of a restart at the reference scale, where computing
//! the monthly member facts and the newest month's figures from 80 M events takes 15 s).
//!
//! One set is kept, in `figures/` beside the columnar copy's segments: the [`Base`] (monthly
//! member facts, ancestry) and the newest month's [`MonthFigures`] as uncompressed Arrow IPC
//! files, `meta.json` (the months and the branch averages, as bits so that they come back
//! exact) and `key.json`: what they were computed from — the columnar chain's last `seq`, the
//! store's reference stamp, the rules and the indicator catalogue as JSON, and the build of the
//! program (its executable's size and time when the hub started, so a new build never reads an
//! older build's figures, nor lends its build to them when it replaces the executable under a
//! running server). A start whose key is the same text reads the set; any other computes
//! afresh.
//! A set is written to a temporary directory and renamed into place, so a crash never leaves
//! half of one; the directory is always safe to delete.

use crate::catalogue::Catalogue;
use crate::month::{Base, MonthFigures};
use crate::rules::Rules;
use crate::{EngineError, arrow_file};
use domain::Period;
use std::fs;
use std::path::{Path, PathBuf};

/// The layout of a saved set; a set of another layout is never read.
const LAYOUT: u32 = 1;

/// The part of every key that stays for a hub's life: the layout, the program's build, the
/// rules and the catalogue — read once, when the hub starts.
#[derive(Debug, Clone)]
pub struct Origin(Option<String>);

impl Origin {
    /// `None` inside when the program cannot tell its own build (nothing is then saved or
    /// read).
    pub fn new(rules: &Rules, cat: &Catalogue) -> Origin {
        let build = || -> Option<String> {
            let meta = fs::metadata(std::env::current_exe().ok()?).ok()?;
            let built = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
            Some(format!("{} {} {}.{:09}", env!("CARGO_PKG_VERSION"), meta.len(), built.as_secs(), built.subsec_nanos()))
        };
        Origin(build().map(|build| serde_json::json!({ "layout": LAYOUT, "build": build, "rules": rules, "catalogue": cat }).to_string()))
    }

    /// The key of the figures of the data with the columnar chain's last `seq` at `max_seq`
    /// and the store's reference stamp `stamp` (see the module's text).
    pub fn key(&self, max_seq: i64, stamp: &str) -> Option<String> {
        let program = self.0.as_ref()?;
        Some(serde_json::json!({ "program": program, "max_seq": max_seq, "stamp": stamp }).to_string())
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    first: i32,
    latest: i32,
    month: i32,
    /// `f64::to_bits` of each average: JSON has no NaN, and the bits come back exact.
    branch_averages: Vec<Option<u64>>,
}

fn dir_of(copy_dir: &Path) -> PathBuf {
    copy_dir.join("figures")
}

/// The set saved beside the copy in `copy_dir`, when it was computed from `key`.
pub fn load(copy_dir: &Path, key: &str) -> Result<Option<(Base, MonthFigures)>, EngineError> {
    let dir = dir_of(copy_dir);
    match fs::read_to_string(dir.join("key.json")) {
        Ok(saved) if saved == key => {}
        _ => return Ok(None),
    }
    let meta: Meta =
        serde_json::from_str(&fs::read_to_string(dir.join("meta.json"))?).map_err(|e| EngineError::Internal(format!("saved figures' meta.json: {e}")))?;
    let base = Base::new(
        arrow_file::read_mapped(&dir.join("base-member_facts.arrow"))?,
        arrow_file::read_mapped(&dir.join("base-ancestry.arrow"))?,
        Period(meta.first),
        Period(meta.latest),
    );
    let averages = meta.branch_averages.into_iter().map(|b| b.map(f64::from_bits)).collect();
    let fig = MonthFigures::from_parts(Period(meta.month), averages, |name| arrow_file::read_mapped(&dir.join(format!("month-{name}.arrow"))))?;
    Ok(Some((base, fig)))
}

/// Whether the set beside the copy in `copy_dir` was computed from `key`.
pub fn holds(copy_dir: &Path, key: &str) -> bool {
    fs::read_to_string(dir_of(copy_dir).join("key.json")).is_ok_and(|k| k == key)
}

/// Saves `base` and `fig` as computed from `key`, replacing the set there was.
pub fn save(copy_dir: &Path, key: &str, base: &Base, fig: &MonthFigures) -> Result<(), EngineError> {
    // One save at a time in a process (a stop during the save after a start): the second
    // finds the set saved already, or replaces it whole.
    static SAVING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = SAVING.lock().unwrap_or_else(|e| e.into_inner());
    if holds(copy_dir, key) {
        return Ok(());
    }
    let dir = dir_of(copy_dir);
    let tmp = copy_dir.join(format!(".figures-{}.tmp", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    let written = (|| -> Result<(), EngineError> {
        arrow_file::write(&tmp.join("base-member_facts.arrow"), &base.member_facts)?;
        arrow_file::write(&tmp.join("base-ancestry.arrow"), &base.ancestry)?;
        let (frames, averages) = fig.parts();
        for (name, df) in frames {
            arrow_file::write(&tmp.join(format!("month-{name}.arrow")), df)?;
        }
        let meta =
            Meta { first: base.first.0, latest: base.latest.0, month: fig.month.0, branch_averages: averages.iter().map(|a| a.map(f64::to_bits)).collect() };
        fs::write(tmp.join("meta.json"), serde_json::to_string(&meta).map_err(|e| EngineError::Internal(format!("saved figures' meta: {e}")))?)?;
        // The key goes last: a set without it is never read.
        fs::write(tmp.join("key.json"), key)?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let old = copy_dir.join(format!(".figures-{}.old", std::process::id()));
    let _ = fs::remove_dir_all(&old);
    if dir.exists() {
        fs::rename(&dir, &old)?;
    }
    fs::rename(&tmp, &dir)?;
    let _ = fs::remove_dir_all(&old);
    Ok(())
}
