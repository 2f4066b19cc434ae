//! Paging of long lists on an unattended wall: a list longer than its panel shows one page
//! at a time and turns the page by itself every [`PAGE_SECONDS`], wrapping around.

use leptos::prelude::*;

/// How long a page stays on screen.
pub const PAGE_SECONDS: u64 = 12;

#[derive(Clone, Copy)]
pub struct Pager {
    /// The page on screen (from 0).
    pub page: RwSignal<usize>,
    /// Number of pages (at least 1).
    pub pages: Memo<usize>,
    per_page: Signal<usize>,
}

/// Pages needed for `total` items, `per_page` at a time (at least one, even when empty).
pub fn page_count(total: usize, per_page: usize) -> usize {
    total.div_ceil(per_page.max(1)).max(1)
}

impl Pager {
    /// A pager over `total` items, `per_page` at a time (it follows the layout, and is
    /// `usize::MAX` — one page — when printing), that starts again from the first page
    /// whenever `reset` changes (another organisation in view).
    pub fn new(total: Memo<usize>, per_page: Signal<usize>, reset: Memo<String>) -> Self {
        let page = RwSignal::new(0usize);
        let pages = Memo::new(move |_| page_count(total.get(), per_page.get()));
        Effect::new(move |_| {
            reset.track();
            page.set(0);
        });
        // Turn pages only while there is more than one; the interval ends with the pager.
        Effect::new(move |_| {
            if pages.get() <= 1 {
                if page.get_untracked() != 0 {
                    page.set(0);
                }
                return;
            }
            if page.get_untracked() >= pages.get_untracked() {
                page.set(0);
            }
            let turn = move || page.update(|p| *p = (*p + 1) % pages.get_untracked().max(1));
            match set_interval_with_handle(turn, std::time::Duration::from_secs(PAGE_SECONDS)) {
                Ok(handle) => on_cleanup(move || handle.clear()),
                Err(e) => leptos::logging::error!("cannot start paging: {e:?}"),
            }
        });
        Pager { page, pages, per_page }
    }

    /// The items of the page on screen.
    pub fn slice<T: Clone + PartialEq + Send + Sync + 'static>(&self, list: Memo<Vec<T>>) -> Memo<Vec<T>> {
        let (page, per_page) = (self.page, self.per_page);
        Memo::new(move |_| {
            let (p, n) = (page.get(), per_page.get());
            list.with(|l| l.iter().skip(p.saturating_mul(n)).take(n).cloned().collect())
        })
    }

    /// `第 2/5 页` while there are several pages, else nothing.
    pub fn label(&self) -> Signal<String> {
        let this = *self;
        Signal::derive(move || this.label_text())
    }

    /// [`Pager::label`]'s text now (read in a reactive closure, it tracks the page).
    pub fn label_text(&self) -> String {
        let short = self.short_text();
        if short.is_empty() { short } else { format!("第 {short} 页") }
    }

    /// `2/5` while there are several pages, else nothing (a narrow title bar's).
    pub fn short_text(&self) -> String {
        let n = self.pages.get();
        if n > 1 { format!("{}/{}", self.page.get() + 1, n) } else { String::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::page_count;

    #[test]
    fn pages() {
        assert_eq!(page_count(0, 12), 1);
        assert_eq!(page_count(12, 12), 1);
        assert_eq!(page_count(13, 12), 2);
        assert_eq!(page_count(5, 0), 5);
        // the print view: one page of everything
        assert_eq!(page_count(500, usize::MAX), 1);
    }
}
