//! Rotation mode (`?rotate=SECONDS`): an unattended wall cycles through the child
//! organisations of the organisation in the URL, one every interval, wrapping around, for
//! as long as it runs. The URL stays the parent's (that is the bookmark); the organisation
//! on screen is the parent at first and then each child in turn. Without children, or
//! without `?rotate`, the wall simply shows the organisation of the URL.

use std::sync::Arc;

use domain::wire::WallSnapshot;
use leptos::prelude::*;

/// Which organisation is on screen, and where the rotation stands.
#[derive(Clone, Copy)]
pub struct Rotation {
    /// The organisation to show: the URL's (`None` = the district root) or the current child.
    pub shown: Memo<Option<String>>,
    /// `(position, count)` of the child on screen while rotating (position from 1).
    pub step: Memo<Option<(usize, usize)>>,
    /// The rotation interval in force.
    pub every: Memo<Option<u32>>,
    url_org: Memo<Option<String>>,
    over: RwSignal<Option<String>>,
    pos: RwSignal<Option<usize>>,
    count: RwSignal<usize>,
    children: StoredValue<Vec<String>>,
}

impl Rotation {
    pub fn new(url_org: Memo<Option<String>>, every: Memo<Option<u32>>) -> Self {
        let over = RwSignal::new(None::<String>);
        let pos = RwSignal::new(None::<usize>);
        let count = RwSignal::new(0usize);
        let shown = Memo::new(move |_| over.get().or_else(|| url_org.get()));
        let step = Memo::new(move |_| pos.get().map(|p| (p + 1, count.get())));
        let rotation = Rotation { shown, step, every, url_org, over, pos, count, children: StoredValue::new(Vec::new()) };

        // One interval per (organisation, interval) in the URL; a new URL starts over from
        // the parent. Effects run only in the browser.
        Effect::new(move |_| {
            let secs = every.get();
            url_org.track();
            over.set(None);
            pos.set(None);
            let Some(secs) = secs else { return };
            match set_interval_with_handle(move || rotation.advance(), std::time::Duration::from_secs(u64::from(secs))) {
                Ok(handle) => on_cleanup(move || handle.clear()),
                Err(e) => leptos::logging::error!("cannot start rotation: {e:?}"),
            }
        });
        rotation
    }

    /// Learns the children to cycle through from the URL organisation's snapshot.
    pub fn follow(&self, snapshot: RwSignal<Option<Arc<WallSnapshot>>>) {
        let this = *self;
        Effect::new(move |_| {
            snapshot.with(|s| {
                let Some(s) = s.as_deref() else { return };
                let is_url_org = match this.url_org.get_untracked() {
                    Some(id) => id == s.org.org_id,
                    None => s.path.len() <= 1,
                };
                if is_url_org {
                    this.children.set_value(s.children.iter().map(|c| c.org_id.clone()).collect());
                    this.count.set(s.children.len());
                }
            });
        });
    }

    /// Shows the next child, wrapping around.
    fn advance(&self) {
        let Some(next) = next_position(self.pos.get_untracked(), self.children.with_value(Vec::len)) else {
            return;
        };
        let id = self.children.with_value(|c| c[next].clone());
        self.pos.set(Some(next));
        self.over.set(Some(id));
    }
}

/// The position after `current` among `count` children: the first one to begin with,
/// then each in turn, back to the first after the last; `None` without children.
pub fn next_position(current: Option<usize>, count: usize) -> Option<usize> {
    if count == 0 {
        return None;
    }
    Some(current.map_or(0, |p| (p + 1) % count))
}

#[cfg(test)]
mod tests {
    use super::next_position;

    #[test]
    fn cycles_and_wraps() {
        assert_eq!(next_position(None, 3), Some(0));
        assert_eq!(next_position(Some(0), 3), Some(1));
        assert_eq!(next_position(Some(2), 3), Some(0));
        // the list shrank under the current position
        assert_eq!(next_position(Some(7), 3), Some(2));
        assert_eq!(next_position(None, 0), None);
    }
}
