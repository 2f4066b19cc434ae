//! The columnar copy of the events: Parquet segments the engine loads instead of decoding
//! tens of millions of rows through the database driver on every start.
//!
//! The store only ever appends events (the importer never updates or deletes one), and every
//! event has an increasing `seq`. So the copy is a chain of immutable segment files
//! `events-<from>-<to>.parquet`, each holding the events with `from < seq ≤ to`; bringing it up
//! to date reads only "seq > the last segment's `to`" from the database. A segment is written
//! to a temporary file and renamed, so a crash never leaves a half segment. The file `anchor`
//! holds the `event_id` stored at the chain's last `seq`: when the database behind the URL is
//! not the one the copy was made from (recreated, restored), the anchor no longer matches and
//! the copy is rebuilt from scratch. Deleting the directory is always safe.

use crate::EngineError;
use polars::prelude::*;
use polars_io::prelude::{ParquetCompression, ParquetReader, ParquetWriter};
use polars_io::SerReader;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use store::Store;

/// Events per segment written by one sync (a full rebuild writes several).
const SEGMENT_ROWS: i64 = 4_000_000;
/// More than this many segments smaller than a quarter of [`SEGMENT_ROWS`] are merged.
const MAX_SMALL_SEGMENTS: usize = 16;

#[derive(Debug, Clone)]
pub struct ColumnarCopy {
    dir: PathBuf,
}

#[derive(Debug, Clone)]
struct Segment {
    from: i64,
    to: i64,
    path: PathBuf,
}

/// Where the copy of the database at `url` lives unless told otherwise: beside a SQLite file
/// (`data/vanguard.db.columnar/`), or under the user's cache for a server database.
pub fn default_dir(url: &str) -> PathBuf {
    if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let path = path.split('?').next().unwrap_or(path);
        return PathBuf::from(format!("{path}.columnar"));
    }
    // FNV-1a of the URL without its password: stable across runs and platforms.
    let redacted = match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_owned(),
    };
    let hash = redacted.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let base = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache"))).unwrap_or_else(std::env::temp_dir);
    base.join("vanguard").join("columnar").join(format!("{hash:016x}"))
}

impl ColumnarCopy {
    pub fn open(dir: impl Into<PathBuf>) -> Result<ColumnarCopy, EngineError> {
        let dir = dir.into();
        fs::create_dir_all(&dir)?;
        Ok(ColumnarCopy { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The contiguous chain of segments from seq 0 (anything else is debris of an older chain).
    fn segments(&self) -> Result<Vec<Segment>, EngineError> {
        let mut all = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let path = entry?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
            let Some(range) = name.strip_prefix("events-").and_then(|r| r.strip_suffix(".parquet")) else { continue };
            let Some((a, b)) = range.split_once('-') else { continue };
            if let (Ok(from), Ok(to)) = (a.parse::<i64>(), b.parse::<i64>()) {
                all.push(Segment { from, to, path });
            }
        }
        all.sort_by_key(|s| (s.from, std::cmp::Reverse(s.to)));
        let mut chain: Vec<Segment> = Vec::new();
        for s in all {
            let next = chain.last().map_or(0, |l| l.to);
            if s.from == next && s.to > s.from {
                chain.push(s);
            } else {
                // Superseded by a merge, or left over: not part of the chain.
                let _ = fs::remove_file(&s.path);
            }
        }
        Ok(chain)
    }

    fn anchor_path(&self) -> PathBuf {
        self.dir.join("anchor")
    }

    /// Whether the database still stores, at the anchor's seq, the event the copy saw there.
    async fn anchor_matches(&self, store: &Store) -> Result<bool, EngineError> {
        let Ok(anchor) = fs::read_to_string(self.anchor_path()) else { return Ok(false) };
        let Some((seq, id)) = anchor.split_once('\t') else { return Ok(false) };
        let Ok(seq) = seq.parse::<i64>() else { return Ok(false) };
        Ok(store.event_id_at(seq).await?.as_deref() == Some(id))
    }

    fn clear(&self) -> Result<(), EngineError> {
        for s in self.segments()? {
            fs::remove_file(&s.path)?;
        }
        let _ = fs::remove_file(self.anchor_path());
        Ok(())
    }

    fn write_segment(&self, from: i64, to: i64, df: &mut DataFrame) -> Result<(), EngineError> {
        let path = self.dir.join(format!("events-{from:015}-{to:015}.parquet"));
        let tmp = self.dir.join(format!(".events-{from:015}-{to:015}.parquet.tmp"));
        {
            let file = File::create(&tmp)?;
            ParquetWriter::new(file).with_compression(ParquetCompression::Lz4Raw).finish(df)?;
        }
        fs::rename(&tmp, &path)?;
        Ok(())
    }

    fn read_segment(path: &Path) -> Result<DataFrame, EngineError> {
        Ok(ParquetReader::new(File::open(path)?).finish()?)
    }

    /// Brings the copy up to date with the store and returns every event (see
    /// [`store::extract::events_schema`]) and the highest `seq` included.
    pub async fn sync(&self, store: &Store) -> Result<(DataFrame, i64), EngineError> {
        let db_max = store.max_event_seq().await?;
        let mut chain = self.segments()?;
        let covered = chain.last().map_or(0, |s| s.to);
        let valid = covered == 0 || self.anchor_matches(store).await?;
        if !valid || covered > db_max {
            tracing::info!(dir = %self.dir.display(), "columnar copy does not match the database; rebuilding it");
            self.clear()?;
            chain.clear();
        }
        let mut from = chain.last().map_or(0, |s| s.to);
        while from < db_max {
            let to = (from + SEGMENT_ROWS).min(db_max);
            let mut df = store.events_between(from, to).await?;
            // Written even when empty (identity values skipped by rolled-back chunks) so that
            // the chain stays contiguous.
            self.write_segment(from, to, &mut df)?;
            if let Some(last) = df.column("seq")?.i64()?.max() {
                let id = store.event_id_at(last).await?.unwrap_or_default();
                fs::write(self.anchor_path(), format!("{last}\t{id}"))?;
            }
            from = to;
        }
        self.compact()?;
        self.load()
    }

    /// Merges runs of small segments (left by many small imports) into one.
    fn compact(&self) -> Result<(), EngineError> {
        let chain = self.segments()?;
        let small: Vec<&Segment> = chain.iter().filter(|s| s.to - s.from < SEGMENT_ROWS / 4).collect();
        if small.len() <= MAX_SMALL_SEGMENTS {
            return Ok(());
        }
        // Merge the tail of the chain from the first small segment onwards.
        let start = chain.iter().position(|s| s.to - s.from < SEGMENT_ROWS / 4).unwrap_or(0);
        let tail = &chain[start..];
        let mut merged: Option<DataFrame> = None;
        for s in tail {
            let df = Self::read_segment(&s.path)?;
            match &mut merged {
                None => merged = Some(df),
                Some(m) => {
                    m.vstack_mut(&df)?;
                }
            }
        }
        if let Some(mut m) = merged {
            m.rechunk_mut();
            let (from, to) = (tail[0].from, tail[tail.len() - 1].to);
            self.write_segment(from, to, &mut m)?;
            for s in tail {
                fs::remove_file(&s.path)?;
            }
        }
        Ok(())
    }

    /// Every event of the chain, and the highest `seq` it covers.
    fn load(&self) -> Result<(DataFrame, i64), EngineError> {
        let chain = self.segments()?;
        let covered = chain.last().map_or(0, |s| s.to);
        let mut out = DataFrame::empty_with_schema(&store::extract::events_schema());
        for s in &chain {
            out.vstack_mut(&Self::read_segment(&s.path)?)?;
        }
        out.rechunk_mut();
        Ok((out, covered))
    }
}
