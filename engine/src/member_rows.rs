//! Where each member's events lie in a dataset's event frame, so that narrowing the dataset to
//! a few members ([`crate::Dataset::restrict`]: a profile's trace, a refresh after check-ins)
//! gathers their own rows instead of testing every event (26 M at the reference district).
//! Issue 9: a check-in shows on the member's profile within 2 s while 100 arrive a second.
//!
//! The index is built on first use (or ahead of it, [`MemberRows::ensure`]) and carried over
//! while the frame only grows by appends ([`crate::live::Live::refresh`]): rows appended since
//! it was built are scanned, until there are [`TAIL_MAX`] of them and the next dataset builds
//! it again.

use crate::schema as c;
use polars::prelude::*;
use std::sync::{Arc, OnceLock};

/// Rows appended after the index was built that are scanned rather than indexed; beyond this,
/// the next dataset builds a new index.
const TAIL_MAX: usize = 1 << 20;
/// Member ids spanning more than this are not indexed (restrict filters instead). Surrogate ids
/// are dense, so a district's span is its number of members.
const SPAN_MAX: i64 = 1 << 24;

/// The rows of each member in an event frame (column [`c::MEMBER`]), built on first use; a
/// clone shares it.
#[derive(Clone, Default)]
pub struct MemberRows(Arc<OnceLock<Option<Index>>>);

struct Index {
    /// Rows `0..height` of the frame are indexed; later rows are scanned.
    height: usize,
    /// The smallest member id: member `m`'s rows are `rows[starts[m - min]..starts[m - min + 1]]`.
    min: i64,
    starts: Vec<usize>,
    rows: Vec<IdxSize>,
}

impl std::fmt::Debug for MemberRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.get() {
            Some(Some(ix)) => write!(f, "MemberRows({} rows indexed)", ix.height),
            Some(None) => f.write_str("MemberRows(not indexable)"),
            None => f.write_str("MemberRows(not built)"),
        }
    }
}

impl Index {
    /// Counts each member's rows, then places every row under its member: two passes, no
    /// hashing. `None` when the ids span too far for a dense table (or the frame is empty).
    fn build(members: &Int64Chunked) -> Option<Index> {
        let (min, max) = (members.min()?, members.max()?);
        if max - min >= SPAN_MAX || members.len() >= IdxSize::MAX as usize {
            return None;
        }
        let span = (max - min + 1) as usize;
        let mut starts = vec![0usize; span + 1];
        for m in members.iter().flatten() {
            starts[(m - min) as usize + 1] += 1;
        }
        for i in 1..=span {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut rows = vec![0 as IdxSize; starts[span]];
        for (i, m) in members.iter().enumerate() {
            if let Some(m) = m {
                let slot = &mut next[(m - min) as usize];
                rows[*slot] = i as IdxSize;
                *slot += 1;
            }
        }
        Some(Index { height: members.len(), min, starts, rows })
    }

    fn of(&self, member: i64) -> &[IdxSize] {
        let k = member - self.min;
        if k < 0 || k as usize + 1 >= self.starts.len() {
            return &[];
        }
        &self.rows[self.starts[k as usize]..self.starts[k as usize + 1]]
    }
}

impl MemberRows {
    /// Builds the index of `events` now, unless it is built (off the request path: the hub
    /// calls it after publishing a state, so the first check-in does not pay for it).
    pub fn ensure(&self, events: &DataFrame) -> PolarsResult<()> {
        if self.0.get().is_none() {
            let members = events.column(c::MEMBER)?.i64()?;
            // A second caller meanwhile waits for this build rather than doing its own.
            self.0.get_or_init(|| Index::build(members));
        }
        Ok(())
    }

    /// The index for the frame this one's frame became by appending rows (now `height` rows):
    /// the same index while the appended tail is short, else a new one to be built.
    pub fn after_append(&self, height: usize) -> MemberRows {
        match self.0.get() {
            Some(Some(ix)) if ix.height <= height && height - ix.height <= TAIL_MAX => self.clone(),
            _ => MemberRows::default(),
        }
    }

    /// The rows of `members` in `events`, ascending (the order a filter keeps), or `None` when
    /// the frame cannot be indexed.
    pub fn rows_of(&self, events: &DataFrame, members: &[i64]) -> PolarsResult<Option<IdxCa>> {
        self.ensure(events)?;
        let Some(Some(ix)) = self.0.get() else { return Ok(None) };
        let column = events.column(c::MEMBER)?.i64()?;
        if ix.height > column.len() {
            return Ok(None);
        }
        let mut wanted: Vec<i64> = members.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut rows: Vec<IdxSize> = wanted.iter().flat_map(|m| ix.of(*m).iter().copied()).collect();
        if ix.height < column.len() {
            let tail = column.slice(ix.height as i64, column.len() - ix.height);
            rows.extend(tail.iter().enumerate().filter(|(_, m)| m.is_some_and(|m| wanted.binary_search(&m).is_ok())).map(|(i, _)| (ix.height + i) as IdxSize));
        }
        if wanted.len() > 1 {
            rows.sort_unstable();
        }
        Ok(Some(IdxCa::from_vec("rows".into(), rows)))
    }
}

impl MemberRows {
    /// The rows of `members` in `frame` (column [`c::MEMBER`]), in the frame's order:
    /// gathered through the index, or filtered when the frame cannot be indexed.
    pub fn gather(&self, frame: &DataFrame, members: &[i64]) -> PolarsResult<DataFrame> {
        match self.rows_of(frame, members)? {
            Some(rows) => frame.take(&rows),
            None => frame.clone().lazy().filter(col(c::MEMBER).is_in(lit(Series::new("ids".into(), members)).implode(false), false)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(members: &[Option<i64>]) -> DataFrame {
        let n = members.len() as i64;
        df![c::MEMBER => members, "n" => (0..n).collect::<Vec<_>>()].unwrap()
    }

    fn filtered(df: &DataFrame, members: &[i64]) -> DataFrame {
        let ids = Series::new("ids".into(), members);
        df.clone().lazy().filter(col(c::MEMBER).is_in(lit(ids).implode(false), false)).collect().unwrap()
    }

    #[test]
    fn the_rows_of_members_are_what_a_filter_keeps_in_its_order() {
        let df = events(&[Some(3), Some(1), Some(3), None, Some(2), Some(1), Some(7), Some(3)]);
        let ix = MemberRows::default();
        for members in [&[3][..], &[1, 3], &[3, 1, 3], &[2, 7], &[5], &[0, 99], &[]] {
            let rows = ix.rows_of(&df, members).unwrap().expect("indexable");
            assert_eq!(df.take(&rows).unwrap(), filtered(&df, members), "{members:?}");
        }
    }

    #[test]
    fn rows_appended_after_the_index_are_found_by_scanning() {
        let mut df = events(&[Some(1), Some(2), Some(1)]);
        let ix = MemberRows::default();
        ix.ensure(&df).unwrap();
        df.vstack_mut_owned(df![c::MEMBER => [Some(2i64), Some(9), Some(1)], "n" => [3i64, 4, 5]].unwrap()).unwrap();
        let grown = ix.after_append(df.height());
        assert!(Arc::ptr_eq(&grown.0, &ix.0), "a short tail keeps the index");
        for members in [&[1][..], &[2, 9], &[9]] {
            let rows = grown.rows_of(&df, members).unwrap().expect("indexable");
            assert_eq!(df.take(&rows).unwrap(), filtered(&df, members), "{members:?}");
        }
        // A frame shorter than the index (never appended to it) is not read through it.
        let short = events(&[Some(1)]);
        assert!(grown.rows_of(&short, &[1]).unwrap().is_none());
    }

    #[test]
    fn ids_spanning_too_far_are_not_indexed() {
        let df = events(&[Some(0), Some(SPAN_MAX + 5)]);
        assert!(MemberRows::default().rows_of(&df, &[0]).unwrap().is_none());
        assert!(MemberRows::default().rows_of(&events(&[]), &[0]).unwrap().is_none());
    }
}
