//! The wall's panels. Each takes signals and updates in place when they change: rows are
//! fixed slots ([`slots`], [`cell`]) whose text follows the data, charts redraw their
//! canvas, and nothing is re-created on a live update.

pub mod advice;
pub mod breadcrumb;
pub mod charts;
pub mod children;
pub mod clock;
pub mod composition;
pub mod header;
pub mod indicators;
pub mod kpi;
pub mod leaderboard;
pub mod members;
pub mod month;
pub mod pager;
pub mod panel;
pub mod print;
pub mod profile;
pub mod rows;
pub mod signed_in;
pub mod stale;
pub mod trace;
pub mod trends;
pub mod warnings;

use std::sync::Arc;

use leptos::prelude::*;

/// What a page shows: the last good value of its feed (`None` before the first load).
pub type Shown<T> = Signal<Option<Arc<T>>>;

/// The positions of a list, for `<For>` rows keyed by position: a row's DOM stays put
/// and its cells (see [`cell`]) follow whatever item is at its position now.
pub fn slots<T: Send + Sync + 'static>(list: Memo<Vec<T>>) -> impl Fn() -> std::ops::Range<usize> + Send + Sync + Copy + 'static {
    move || 0..list.with(Vec::len)
}

/// A reactive cell of row `i`: `read` of the item there (the default once it is gone).
pub fn cell<T, R>(list: Memo<Vec<T>>, i: usize, read: impl Fn(&T) -> R + Send + Sync + 'static) -> impl Fn() -> R + Send + Sync + 'static
where
    T: Send + Sync + 'static,
    R: Default,
{
    move || list.with(|l| l.get(i).map(&read).unwrap_or_default())
}

/// A derived list from what is shown (empty while nothing is).
pub fn list_of<S, T>(shown: Shown<S>, pick: impl Fn(&S) -> Vec<T> + Send + Sync + 'static) -> Memo<Vec<T>>
where
    S: Send + Sync + 'static,
    T: PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| shown.with(|s| s.as_deref().map(&pick).unwrap_or_default()))
}

/// The name of the organisation in view (names under it are printed shorter).
pub fn org_name_of(snap: Shown<domain::wire::WallSnapshot>) -> Signal<String> {
    Signal::derive(move || snap.with(|s| s.as_deref().map(|s| s.org.name.clone()).unwrap_or_default()))
}

/// The data version of what is shown, for the charts' `data-version`.
pub fn version_of<S: Send + Sync + 'static>(shown: Shown<S>, version: fn(&S) -> u64) -> Signal<Option<u64>> {
    Signal::derive(move || shown.with(|s| s.as_deref().map(version)))
}
