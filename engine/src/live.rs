//! The engine as a long-running process holds it: a dataset in memory, brought up to date
//! from the store without reloading what it already has.

use crate::columnar::{ColumnarCopy, Loaded};
use crate::schema as c;
use crate::{Dataset, EngineError, load};
use polars::prelude::*;
use store::Store;

pub struct Live {
    store: Store,
    copy: ColumnarCopy,
    ds: Dataset,
    stamp: String,
}

/// What one [`Live::refresh`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refreshed {
    pub new_events: usize,
    /// Surrogate ids of the members the new events belong to (sorted, distinct).
    pub members: Vec<i64>,
    pub reference_changed: bool,
    /// The copy could not be continued (another database, or a rebuilt copy): reloaded whole.
    pub reloaded: bool,
}

impl Refreshed {
    /// Whether anything the figures read has changed.
    pub fn changed(&self) -> bool {
        self.new_events > 0 || self.reference_changed || self.reloaded
    }
}

impl Live {
    pub async fn open(store: Store, copy: ColumnarCopy) -> Result<Live, EngineError> {
        let stamp = store.reference_stamp().await?;
        let ds = load::load_at(&store, &copy, &stamp).await?;
        Ok(Live { store, copy, ds, stamp })
    }

    pub fn dataset(&self) -> &Dataset {
        &self.ds
    }

    /// The store's reference stamp the dataset was read at ([`Store::reference_stamp`]).
    pub fn stamp(&self) -> &str {
        &self.stamp
    }

    /// Appends the events stored since the last refresh to the in-memory frames (and to the
    /// columnar copy), and re-reads the reference tables only when their stamp changed.
    pub async fn refresh(&mut self) -> Result<Refreshed, EngineError> {
        let stamp = self.store.reference_stamp().await?;
        let reference_changed = stamp != self.stamp;
        let Some(delta) = self.copy.append_new(&self.store, self.ds.max_seq).await? else {
            self.ds = load::load_at(&self.store, &self.copy, &stamp).await?;
            self.stamp = stamp;
            return Ok(Refreshed { new_events: 0, members: vec![], reference_changed, reloaded: true });
        };
        let new_events = delta.events.height() + delta.study.column(c::COUNT)?.i64()?.sum().unwrap_or(0) as usize;
        let mut members: Vec<i64> =
            delta.events.column(c::MEMBER)?.i64()?.into_no_null_iter().chain(delta.study.column(c::MEMBER)?.i64()?.into_no_null_iter()).collect();
        members.sort_unstable();
        members.dedup();
        let reference = if reference_changed { self.copy.reference_at(&self.store, &stamp).await? } else { self.reference() };
        let (rows, study_rows) = (self.ds.member_rows.clone(), self.ds.study_rows.clone());
        let mut events = std::mem::take(&mut self.ds.events);
        let mut study = std::mem::take(&mut self.ds.study);
        events.vstack_mut_owned(delta.events)?;
        study.vstack_mut_owned(delta.study)?;
        // Appends leave small chunks behind; fold them when there are many.
        if events.first_col_n_chunks() > 64 {
            events.rechunk_mut();
        }
        if study.first_col_n_chunks() > 64 {
            study.rechunk_mut();
        }
        let (member_rows, study_rows) = (rows.after_append(events.height()), study_rows.after_append(study.height()));
        self.ds = Dataset { member_rows, study_rows, ..Dataset::new(reference, Loaded { events, study, max_seq: delta.max_seq })? };
        self.stamp = stamp;
        Ok(Refreshed { new_events, members, reference_changed, reloaded: false })
    }

    fn reference(&self) -> store::extract::Reference {
        store::extract::Reference { orgs: self.ds.orgs.clone(), members: self.ds.members.clone(), activities: self.ds.activities.clone() }
    }
}
