//! How the wall is presented in this browser: which design canvas is in force
//! ([`Layout`], chosen by the head's fit script, [`crate::scale`]) and whether the view is laid
//! out for print (issue 12). Components read it for the numbers that differ between the
//! two canvases (chart sizes, rows per page) and to show every row when printing.
//!
//! The server cannot see the screen: it renders the layout the URL forces, else the wall, and
//! the browser hydrates the same before it switches to the layout the script chose (so
//! hydration always meets the markup the server sent).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::scale::Layout;

/// The layout and print state of the wall page in view (context, `Copy`).
#[derive(Clone, Copy)]
pub struct Presentation {
    /// The design canvas in force.
    pub layout: RwSignal<Layout>,
    /// Laid out for print: every list whole, not paged (`?print=1`, or while the print
    /// button prints).
    pub print: Memo<bool>,
    /// Set while the print button prints (only the browser prints).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    printing: RwSignal<bool>,
}

/// The layout a URL forces: `?layout=`, and the print view (`?print=1`) prints the briefing's.
pub fn forced_layout(layout: Option<&str>, print: Option<&str>) -> Option<Layout> {
    if print == Some("1") { Some(Layout::Briefing) } else { layout.and_then(Layout::parse) }
}

impl Presentation {
    /// Creates it for a wall page (inside the router) and puts it in context.
    pub fn provide() -> Self {
        let query = use_query_map();
        let forced = Memo::new(move |_| query.with(|q| forced_layout(q.get_str("layout"), q.get_str("print"))));
        let url_print = Memo::new(move |_| query.with(|q| q.get_str("print") == Some("1")));
        let printing = RwSignal::new(false);
        let print = Memo::new(move |_| url_print.get() || printing.get());
        let layout = RwSignal::new(forced.get_untracked().unwrap_or_default());
        let this = Presentation { layout, print, printing };
        provide_context(this);
        // Effects run only in the browser, after hydration.
        Effect::new(move |_| {
            forced.track();
            #[cfg(feature = "hydrate")]
            browser::refit(layout);
        });
        #[cfg(feature = "hydrate")]
        browser::follow(layout);
        this
    }

    pub fn get() -> Self {
        expect_context::<Presentation>()
    }

    /// `wall` or `briefing`, as the layout in force.
    pub fn pick<T: Clone + Send + Sync + 'static>(&self, wall: T, briefing: T) -> Signal<T> {
        let layout = self.layout;
        Signal::derive(move || layout.get().pick(wall.clone(), briefing.clone()))
    }

    /// Rows per page: `wall` or `briefing`, and all of them while laid out for print.
    pub fn per_page(&self, wall: usize, briefing: usize) -> Signal<usize> {
        let (layout, print) = (self.layout, self.print);
        Signal::derive(move || if print.get() { usize::MAX } else { layout.get().pick(wall, briefing) })
    }

    /// Lays the view out for print (every list whole), opens the browser's print dialog
    /// once that is drawn, and goes back afterwards.
    pub fn print_now(&self) {
        #[cfg(feature = "hydrate")]
        {
            let printing = self.printing;
            printing.set(true);
            // Two frames: the lists and the charts redraw at their print size first.
            request_animation_frame(move || {
                request_animation_frame(move || {
                    if let Err(e) = window().print() {
                        leptos::logging::error!("cannot print: {e:?}");
                    }
                    printing.set(false);
                })
            });
        }
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    use crate::scale::Layout;

    /// The layout the fit script marked on the root element.
    fn marked() -> Option<Layout> {
        document().document_element()?.get_attribute("data-layout").as_deref().and_then(Layout::parse)
    }

    fn adopt(layout: RwSignal<Layout>) {
        if let Some(l) = marked().filter(|l| *l != layout.get_untracked()) {
            layout.set(l);
        }
    }

    /// Runs the fit script again (the URL may force another layout now) and adopts its choice.
    pub fn refit(layout: RwSignal<Layout>) {
        if let Ok(fit) = js_sys::Reflect::get(&window(), &"vgFit".into())
            && let Some(fit) = fit.dyn_ref::<js_sys::Function>()
        {
            let _ = fit.call0(&wasm_bindgen::JsValue::NULL);
        }
        adopt(layout);
    }

    /// Follows the script's choice when the window changes shape.
    pub fn follow(layout: RwSignal<Layout>) {
        let handle = window_event_listener_untyped("vg-layout", move |_| adopt(layout));
        on_cleanup(move || handle.remove());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forced() {
        assert_eq!(forced_layout(None, None), None);
        assert_eq!(forced_layout(Some("briefing"), None), Some(Layout::Briefing));
        assert_eq!(forced_layout(Some("wall"), None), Some(Layout::Wall));
        assert_eq!(forced_layout(Some("wall"), Some("1")), Some(Layout::Briefing));
        assert_eq!(forced_layout(Some("x"), Some("0")), None);
    }
}
