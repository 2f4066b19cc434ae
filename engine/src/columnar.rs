//! The columnar copy of the events: Parquet segments the engine loads instead of decoding
//! tens of millions of rows through the database driver on every start.
//!
//! The store only ever appends events (the importer never updates or deletes one), and every
//! event has an increasing `seq`. So the copy is a chain of immutable segments, each covering
//! the events with `from < seq ≤ to`; bringing it up to date reads only "seq > the last
//! segment's `to`" from the database. A segment is two files:
//! - `events-<from>-<to>.parquet`: every event except study sessions, all columns;
//! - `study-<from>-<to>.parquet`: study sessions counted per member and month
//!   (`member, occurred_month, count`). They are nine events in ten and every rule reads them only as
//!   "how many in the year", so the engine never holds them one by one (a member's single
//!   sessions stay in the database).
//!
//! Each file is written to a temporary file and renamed, so a crash never leaves a half
//! segment; the reference tables are kept beside them with a stamp.
//!
//! Decoding a few dozen compressed segments (and summing their study counts) took most of
//! a start at the reference scale (issue 11 item 7: 1.6 s of each `vanguard export` at 80 M
//! events). So a load also keeps the whole chain as it loaded it, in an *image*: two
//! uncompressed Arrow IPC files named by the chain's last `seq`
//! (`image-events-<to>.arrow`, `image-study-<to>.arrow`, [`crate::arrow_file`]), which the
//! next load of the same chain maps instead of decoding anything. The segments stay the
//! truth: an image is written only from them, trusted only for the chain end in its name
//! (segments are immutable and the anchor is checked before any load), removed with the
//! chain, and replaced when the chain grows. The file `anchor`
//! holds the `event_id` stored at the chain's last `seq`: when the database behind the URL is
//! not the one the copy was made from (recreated, restored), the anchor no longer matches and
//! the copy is rebuilt from scratch. Deleting the directory is always safe.

use crate::schema as c;
use crate::{EngineError, arrow_file};
use domain::kinds::EventKind;
use polars::prelude::*;
use polars_io::SerReader;
use polars_io::prelude::{ParquetCompression, ParquetReader, ParquetWriter};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use store::Store;
use store::extract::Reference;

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
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
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
            if !self.dir.join(format!("study-{range}.parquet")).exists() {
                // Half a segment (killed between the two renames): not part of the chain.
                let _ = fs::remove_file(&path);
                continue;
            }
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
                Self::remove_segment(&s)?;
            }
        }
        Ok(chain)
    }

    /// The anchor's file name carries the layout of the segments' columns
    /// ([`store::schema`]): a copy written with other column names has no anchor under this
    /// name, so it is rebuilt rather than read.
    fn anchor_path(&self) -> PathBuf {
        self.dir.join("anchor.v3")
    }

    /// Whether the database still stores, at the anchor's seq, the event the copy saw there.
    async fn anchor_matches(&self, store: &Store) -> Result<bool, EngineError> {
        let Ok(anchor) = fs::read_to_string(self.anchor_path()) else { return Ok(false) };
        let Some((seq, id)) = anchor.split_once('\t') else { return Ok(false) };
        let Ok(seq) = seq.parse::<i64>() else { return Ok(false) };
        Ok(store.event_id_at(seq).await?.as_deref() == Some(id))
    }

    fn study_path(s: &Segment) -> PathBuf {
        let name = s.path.file_name().and_then(|n| n.to_str()).unwrap_or_default().replacen("events-", "study-", 1);
        s.path.with_file_name(name)
    }

    fn remove_segment(s: &Segment) -> Result<(), EngineError> {
        let _ = fs::remove_file(Self::study_path(s));
        fs::remove_file(&s.path)?;
        Ok(())
    }

    fn clear(&self) -> Result<(), EngineError> {
        for s in self.segments()? {
            Self::remove_segment(&s)?;
        }
        let _ = fs::remove_file(self.anchor_path());
        self.remove_images_but(None);
        // The anchor of the layout before the column names were spelled out.
        let _ = fs::remove_file(self.dir.join("anchor"));
        Ok(())
    }

    /// Splits raw events (of [`store::extract::events_schema`]) into the two files of a
    /// segment and writes them, study counts first, each through a temporary file.
    /// Returns the two frames written (events without `seq`, study counts).
    fn write_segment(&self, from: i64, to: i64, raw: DataFrame) -> Result<(DataFrame, DataFrame), EngineError> {
        let study = EventKind::Study.code();
        let mut events = raw.clone().lazy().filter(col(c::KIND).neq(lit(study))).drop(cols([c::SEQ])).collect()?;
        let mut counts = raw
            .lazy()
            .filter(col(c::KIND).eq(lit(study)))
            .group_by([col(c::MEMBER), col(c::OCCURRED_MONTH)])
            .agg([len().cast(DataType::Int64).alias(c::COUNT)])
            .sort([c::MEMBER, c::OCCURRED_MONTH], SortMultipleOptions::default())
            .collect()?;
        let range = format!("{from:015}-{to:015}");
        self.write_file(&format!("study-{range}.parquet"), &mut counts)?;
        self.write_file(&format!("events-{range}.parquet"), &mut events)?;
        Ok((events, counts))
    }

    fn write_file(&self, name: &str, df: &mut DataFrame) -> Result<(), EngineError> {
        let tmp = self.dir.join(format!(".{name}.tmp"));
        {
            let file = File::create(&tmp)?;
            ParquetWriter::new(file).with_compression(ParquetCompression::Lz4Raw).finish(df)?;
        }
        fs::rename(&tmp, self.dir.join(name))?;
        Ok(())
    }

    fn read_file(path: &Path) -> Result<DataFrame, EngineError> {
        Ok(ParquetReader::new(File::open(path)?).finish()?)
    }

    /// Brings the copy up to date with the store and loads it.
    pub async fn sync(&self, store: &Store) -> Result<Loaded, EngineError> {
        let db_max = store.max_event_seq().await?;
        let mut chain = self.segments()?;
        let covered = chain.last().map_or(0, |s| s.to);
        let valid = covered == 0 || self.anchor_matches(store).await?;
        if !valid || covered > db_max {
            tracing::info!(dir = %self.dir.display(), "columnar copy does not match the database; rebuilding it");
            self.clear()?;
            chain.clear();
        }
        let from = chain.last().map_or(0, |s| s.to);
        self.read_new(store, from, db_max, false).await?;
        self.compact()?;
        self.load()
    }

    /// The reference tables (organisations, members, activities), from the copy when the
    /// store's [`Store::reference_stamp`] says they have not changed since they were saved,
    /// else from the store (and saved for next time).
    pub async fn reference(&self, store: &Store) -> Result<Reference, EngineError> {
        let stamp = store.reference_stamp().await?;
        self.reference_at(store, &stamp).await
    }

    /// [`reference`](Self::reference) for a stamp the caller has just read.
    pub async fn reference_at(&self, store: &Store, stamp: &str) -> Result<Reference, EngineError> {
        const TABLES: [&str; 3] = ["orgs", c::MEMBERS, "activities"];
        let stamp_path = self.dir.join("reference.stamp");
        if fs::read_to_string(&stamp_path).ok().as_deref() == Some(stamp) {
            let read = |t: &str| Self::read_file(&self.dir.join(format!("reference-{t}.parquet")));
            if let (Ok(orgs), Ok(members), Ok(activities)) = (read(TABLES[0]), read(TABLES[1]), read(TABLES[2])) {
                return Ok(Reference { orgs, members, activities });
            }
        }
        let mut r = store.reference_frames().await?;
        // The stamp goes last: files without a matching stamp are never trusted.
        let _ = fs::remove_file(&stamp_path);
        for (t, df) in TABLES.iter().zip([&mut r.orgs, &mut r.members, &mut r.activities]) {
            self.write_file(&format!("reference-{t}.parquet"), df)?;
        }
        fs::write(&stamp_path, stamp)?;
        Ok(r)
    }

    /// Reads the events with `from < seq ≤ upto` from the store into new segments (also when a
    /// range is empty — identity values skipped by rolled-back chunks — so that the chain stays
    /// contiguous), and returns what was written when asked to `keep` it.
    async fn read_new(&self, store: &Store, mut from: i64, upto: i64, keep: bool) -> Result<Vec<(DataFrame, DataFrame)>, EngineError> {
        let mut written = Vec::new();
        while from < upto {
            let to = (from + SEGMENT_ROWS).min(upto);
            let df = store.events_between(from, to).await?;
            let last = df.column(c::SEQ)?.i64()?.max();
            let frames = self.write_segment(from, to, df)?;
            if keep {
                written.push(frames);
            }
            if let Some(last) = last {
                let id = store.event_id_at(last).await?.unwrap_or_default();
                fs::write(self.anchor_path(), format!("{last}\t{id}"))?;
            }
            from = to;
        }
        Ok(written)
    }

    /// The events stored after `after` (the `max_seq` of a loaded dataset), appended to the
    /// copy and returned as a delta: `None` when the copy does not continue from `after` (or
    /// no longer matches the database), and the caller must [`sync`](Self::sync) instead.
    pub async fn append_new(&self, store: &Store, after: i64) -> Result<Option<Loaded>, EngineError> {
        let chain = self.segments()?;
        if chain.last().map_or(0, |s| s.to) != after || (after > 0 && !self.anchor_matches(store).await?) {
            return Ok(None);
        }
        let db_max = store.max_event_seq().await?;
        if db_max < after {
            return Ok(None);
        }
        let mut events = DataFrame::empty_with_schema(&store::extract::events_schema()).drop(c::SEQ)?;
        let mut study = empty_study();
        for (e, st) in self.read_new(store, after, db_max, true).await? {
            events.vstack_mut_owned(e)?;
            study.vstack_mut_owned(st)?;
        }
        self.compact()?;
        Ok(Some(Loaded { events, study, max_seq: db_max }))
    }

    /// Merges runs of small segments (left by many small imports) into one.
    fn compact(&self) -> Result<(), EngineError> {
        let chain = self.segments()?;
        let is_small = |s: &Segment| s.to - s.from < SEGMENT_ROWS / 4;
        if chain.iter().filter(|s| is_small(s)).count() <= MAX_SMALL_SEGMENTS {
            return Ok(());
        }
        // Merge the tail of the chain from the first small segment onwards.
        let start = chain.iter().position(is_small).unwrap_or(0);
        let tail = &chain[start..];
        let (mut events, mut study) = Self::read_chain(tail)?;
        let range = format!("{:015}-{:015}", tail[0].from, tail[tail.len() - 1].to);
        // The merged segment replaces the tail: write it, then drop the parts (a crash in
        // between leaves both, and `segments` keeps the longer one).
        self.write_file(&format!("study-{range}.parquet"), &mut study)?;
        self.write_file(&format!("events-{range}.parquet"), &mut events)?;
        for s in tail {
            Self::remove_segment(s)?;
        }
        Ok(())
    }

    /// The events and the merged study counts of some segments.
    fn read_chain(chain: &[Segment]) -> Result<(DataFrame, DataFrame), EngineError> {
        let mut events: Option<DataFrame> = None;
        let mut study: Option<DataFrame> = None;
        for s in chain {
            for (acc, path) in [(&mut events, s.path.clone()), (&mut study, Self::study_path(s))] {
                let df = Self::read_file(&path)?;
                match acc {
                    None => *acc = Some(df),
                    Some(a) => {
                        a.vstack_mut_owned(df)?;
                    }
                }
            }
        }
        let empty_events = || DataFrame::empty_with_schema(&store::extract::events_schema()).drop(c::SEQ);
        let mut events = match events {
            Some(e) => e,
            None => empty_events()?,
        };
        events.rechunk_mut();
        let study = match study {
            Some(st) => merged_study(st.lazy())?,
            None => empty_study(),
        };
        Ok((events, study))
    }

    /// Every event of the chain but study sessions, the study counts, and the highest `seq`,
    /// as the copy stands (without asking the database): from the chain's image when there is
    /// one for its end, else from the segments (and an image is written for the next load).
    pub fn load(&self) -> Result<Loaded, EngineError> {
        let chain = self.segments()?;
        let max_seq = chain.last().map_or(0, |s| s.to);
        if max_seq > 0 {
            match self.read_image(max_seq) {
                Ok(Some((events, study))) => return Ok(Loaded { events, study, max_seq }),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "the columnar copy's image cannot be read; reading its segments"),
            }
        }
        let (events, study) = Self::read_chain(&chain)?;
        if max_seq > 0 {
            // Only a faster next start is lost when the image cannot be written.
            if let Err(e) = self.write_image(max_seq, &events, &study) {
                tracing::warn!(error = %e, "writing the columnar copy's image failed");
            }
        }
        Ok(Loaded { events, study, max_seq })
    }

    /// Writes the image of the chain ending at `max_seq` from frames the caller holds (a
    /// running hub's dataset: the chain's events and study counts, appended to as they
    /// arrived), unless there is one already. `max_seq` must be the chain's end.
    pub fn save_image(&self, max_seq: i64, events: &DataFrame, study: &DataFrame) -> Result<(), EngineError> {
        let chain_end = self.segments()?.last().map_or(0, |s| s.to);
        if max_seq == 0 || max_seq != chain_end || self.image_paths(max_seq).iter().all(|p| p.exists()) {
            return Ok(());
        }
        // Appends leave a member's month in several rows; a load gives one.
        self.write_image(max_seq, events, &merged_study(study.clone().lazy())?)
    }

    fn image_paths(&self, to: i64) -> [PathBuf; 2] {
        ["events", "study"].map(|what| self.dir.join(format!("image-{what}-{to:015}.arrow")))
    }

    /// The image of the chain ending at `to`, if it was written.
    fn read_image(&self, to: i64) -> Result<Option<(DataFrame, DataFrame)>, EngineError> {
        let [events, study] = self.image_paths(to);
        if !events.exists() || !study.exists() {
            return Ok(None);
        }
        Ok(Some((arrow_file::read_mapped(&events)?, arrow_file::read_mapped(&study)?)))
    }

    /// Writes the image of the chain ending at `to` (study counts first, so that an events
    /// image never stands without its study counts), then removes every other image.
    fn write_image(&self, to: i64, events: &DataFrame, study: &DataFrame) -> Result<(), EngineError> {
        let [events_path, study_path] = self.image_paths(to);
        arrow_file::write(&study_path, study)?;
        arrow_file::write(&events_path, events)?;
        self.remove_images_but(Some(to));
        Ok(())
    }

    /// Removes the images (and half-written ones) of every chain end but `keep`.
    fn remove_images_but(&self, keep: Option<i64>) {
        let kept = keep.map(|to| self.image_paths(to).map(|p| p.file_name().map(|n| n.to_owned())));
        let Ok(entries) = fs::read_dir(&self.dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let is_image = name.to_str().is_some_and(|n| n.starts_with("image-"));
            if is_image && !kept.as_ref().is_some_and(|k| k.iter().any(|n| n.as_deref() == Some(name.as_os_str()))) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Study counts with one row per member and month, in that order (segments, and appends to a
/// loaded frame, each count a member's month apart).
fn merged_study(study: LazyFrame) -> PolarsResult<DataFrame> {
    study
        .group_by([col(c::MEMBER), col(c::OCCURRED_MONTH)])
        .agg([col(c::COUNT).sum()])
        .sort([c::MEMBER, c::OCCURRED_MONTH], SortMultipleOptions::default())
        .collect()
}

fn empty_study() -> DataFrame {
    DataFrame::empty_with_schema(&Schema::from_iter([
        Field::new(c::MEMBER.into(), DataType::Int64),
        Field::new(c::OCCURRED_MONTH.into(), DataType::Int32),
        Field::new(c::COUNT.into(), DataType::Int64),
    ]))
}

/// What [`ColumnarCopy::sync`] returns.
pub struct Loaded {
    /// Events except study sessions: [`store::extract::events_schema`] without `seq`.
    pub events: DataFrame,
    /// Study sessions per member and month: `member, occurred_month, count`.
    pub study: DataFrame,
    pub max_seq: i64,
}
