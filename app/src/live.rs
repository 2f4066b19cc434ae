//! Live and unattended: what the server pushes, whether the wall is stale, and the feeds
//! that keep a page's data current without re-mounting anything.
//!
//! The server pushes `event: version` on `GET /api/v1/events` (on connect and on every data
//! change). A page's [`Feed`] compares that version with the one it shows and refetches
//! through its server function when they differ, replacing the data in one signal: the
//! panels and charts read it and update in place. A failed fetch or a broken event stream
//! keeps the last good data and raises the stale badge ("数据未更新"); a watchdog re-polls
//! [`data_version`](crate::functions::wall::data_version) (every
//! [`STALE_POLL_SECONDS`] while stale) until the server answers again, which clears it.
//!
//! Nothing here grows with the number of updates: one event source and one interval for
//! the life of the page, each feed holds one value, and listeners are removed on cleanup.

use std::future::Future;
use std::sync::Arc;

use domain::wire::VersionEvent;
use leptos::prelude::*;

use crate::errors::AppError;

/// The server-sent events endpoint, narrowed to the `version` events the pages read: a
/// changed warning publishes a new version as well, so no page needs the `warning` events,
/// which one raise sends by the dozen to every stream that takes them.
pub const EVENTS_URL: &str = "/api/v1/events?events=version";
/// Name of the event that carries a [`VersionEvent`].
pub const VERSION_EVENT: &str = "version";
/// How often the watchdog asks for the data version while the wall is stale.
pub const STALE_POLL_SECONDS: u32 = 5;
/// How often it asks while all is well: a stream can die silently (a half-open
/// connection sends no error), and the server's keep-alive comments never reach scripts.
pub const HEALTHY_POLL_SECONDS: u32 = 15;

/// The wall's connection to the server, shared by every page (context, `Copy`).
#[derive(Clone, Copy)]
pub struct Live {
    /// The newest data version the server announced (event stream or poll).
    pub server: RwSignal<Option<VersionEvent>>,
    /// The last attempt to reach the server failed; the data shown may be out of date.
    pub stale: RwSignal<bool>,
    /// Local time (`HH:MM:SS`) of the last successful contact.
    pub last_ok: RwSignal<Option<String>>,
    /// Data version of what the page in view shows (the wall's `data-version`).
    pub shown_version: RwSignal<Option<u64>>,
}

impl Live {
    /// Creates the live state, puts it in context and (in the browser) connects it.
    pub fn provide() -> Self {
        let live = Live { server: RwSignal::new(None), stale: RwSignal::new(false), last_ok: RwSignal::new(None), shown_version: RwSignal::new(None) };
        provide_context(live);
        // Effects run only in the browser, once here (nothing is tracked).
        Effect::new(move |_| {
            #[cfg(feature = "hydrate")]
            browser::connect(live);
        });
        live
    }

    pub fn get() -> Self {
        expect_context::<Live>()
    }

    /// The server answered: clear the stale badge and remember when.
    pub fn mark_ok(&self) {
        if self.stale.get_untracked() {
            self.stale.set(false);
        }
        self.last_ok.set(Some(local_clock()));
    }

    /// The server could not be reached (or failed): keep the data, raise the badge.
    pub fn mark_failed(&self) {
        if !self.stale.get_untracked() {
            self.stale.set(true);
        }
    }

    /// Records the server's version, as announced by the stream or a poll. A server that
    /// has not computed its figures yet (just restarted) announces no month: it is up, but
    /// there is nothing newer to fetch from it, so the wall's state stays as it is.
    pub fn announce(&self, event: VersionEvent) {
        if event.latest_month.is_empty() {
            return;
        }
        self.server.set(Some(event));
        self.mark_ok();
    }
}

/// The browser's local time of day, `HH:MM:SS`.
fn local_clock() -> String {
    #[cfg(feature = "hydrate")]
    {
        let now = js_sys::Date::new_0();
        format!("{:02}:{:02}:{:02}", now.get_hours(), now.get_minutes(), now.get_seconds())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::from("--:--:--")
    }
}

/// An error that is the server's answer rather than a failure to get one: retrying the
/// same request gives the same.
fn is_answer(e: &AppError) -> bool {
    matches!(e, AppError::NotFound(_) | AppError::BadRequest(_))
}

/// One page's data, kept current: the value shown (the last good one), and the error of
/// the first load when there is nothing to show yet.
pub struct Feed<T: Send + Sync + 'static> {
    pub data: RwSignal<Option<Arc<T>>>,
    pub error: RwSignal<Option<AppError>>,
}

impl<T: Send + Sync + 'static> Clone for Feed<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Feed<T> {}

impl<T: Send + Sync + 'static> Feed<T> {
    /// Starts from the server-rendered `first` result (fetched for `first_key`) and from
    /// then on follows `key` (organisation or member, month) and the server's version:
    /// whenever either differs from what is shown, `fetch` runs and its result replaces the
    /// data. Responses for a key no longer wanted are dropped; failures to reach the server
    /// keep the data (and raise the stale badge); an answer that there is no such thing
    /// clears it (the page says so).
    pub fn new<K, F, Fut>(first: Result<T, AppError>, first_key: K, key: Memo<K>, fetch: F, version_of: fn(&T) -> u64) -> Self
    where
        K: Clone + PartialEq + Send + Sync + 'static,
        F: Fn(K) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, AppError>> + 'static,
    {
        let live = Live::get();
        let (data, error) = match first {
            Ok(t) => (RwSignal::new(Some(Arc::new(t))), RwSignal::new(None)),
            Err(e) => (RwSignal::new(None), RwSignal::new(Some(e))),
        };
        // The key last answered for good: with data, or with an error that retrying will not
        // change (no such organisation or member, a malformed month).
        let settled = StoredValue::new(first_key);
        // The (key, version) a request is out for, so one change starts one request.
        let in_flight: StoredValue<Option<(K, Option<u64>)>> = StoredValue::new(None);
        let fetch = Arc::new(fetch);

        Effect::new(move |_| {
            live.shown_version.set(data.with(|d| d.as_deref().map(version_of)));
        });

        Effect::new(move |_| {
            let wanted = key.get();
            let server = live.server.with(|s| s.as_ref().map(|s| s.version));
            let shown = data.with_untracked(|d| d.as_deref().map(version_of));
            let answered = error.with_untracked(|e| e.as_ref().is_some_and(is_answer));
            let key_differs = settled.with_value(|k| *k != wanted);
            let version_differs = matches!((server, shown), (Some(a), Some(b)) if a != b);
            let nothing_yet = shown.is_none() && !answered;
            if !key_differs && !version_differs && !nothing_yet {
                return;
            }
            let target = (wanted.clone(), server);
            if in_flight.with_value(|f| f.as_ref() == Some(&target)) {
                return;
            }
            in_flight.set_value(Some(target.clone()));
            let request = fetch(wanted.clone());
            leptos::task::spawn_local(async move {
                let result = request.await;
                if in_flight.try_with_value(|f| f.as_ref() == Some(&target)) == Some(true) {
                    in_flight.set_value(None);
                }
                // The page may be gone, or the view moved on while this was out.
                if key.try_get_untracked().as_ref() != Some(&wanted) {
                    return;
                }
                match result {
                    Ok(t) => {
                        settled.set_value(wanted);
                        data.set(Some(Arc::new(t)));
                        if error.with_untracked(Option::is_some) {
                            error.set(None);
                        }
                        live.mark_ok();
                    }
                    Err(e) if is_answer(&e) => {
                        // The server answered: nothing to show for this key, and the wall
                        // is not stale for it.
                        settled.set_value(wanted);
                        data.set(None);
                        error.set(Some(e));
                        live.mark_ok();
                    }
                    Err(e) => {
                        leptos::logging::warn!("refresh failed, keeping the last good data: {e}");
                        if data.with_untracked(Option::is_none) {
                            error.set(Some(e));
                        }
                        live.mark_failed();
                    }
                }
            });
        });

        Feed { data, error }
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;
    use std::rc::Rc;
    use std::time::Duration;

    use domain::wire::VersionEvent;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{Event, EventSource, MessageEvent};

    use super::{EVENTS_URL, HEALTHY_POLL_SECONDS, Live, STALE_POLL_SECONDS, VERSION_EVENT};
    use crate::functions::wall::data_version;

    /// Opens the event stream and starts the watchdog; both end with the owner.
    pub(super) fn connect(live: Live) {
        open_stream(live);
        start_watchdog(live);
    }

    fn open_stream(live: Live) {
        let source = match EventSource::new(EVENTS_URL) {
            Ok(s) => s,
            Err(e) => {
                leptos::logging::error!("cannot open {EVENTS_URL}: {e:?}");
                live.mark_failed();
                return;
            }
        };
        let on_version = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(text) = ev.data().as_string() else { return };
            match serde_json::from_str::<VersionEvent>(&text) {
                Ok(event) => live.announce(event),
                Err(e) => leptos::logging::warn!("unreadable version event {text:?}: {e}"),
            }
        });
        // The browser retries a broken stream by itself; until it is back the wall is stale.
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| live.mark_failed());
        let listen = source
            .add_event_listener_with_callback(VERSION_EVENT, on_version.as_ref().unchecked_ref())
            .and_then(|_| source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref()));
        if let Err(e) = listen {
            leptos::logging::error!("cannot listen on {EVENTS_URL}: {e:?}");
        }
        // The closures live exactly as long as the listeners that call them.
        let handles = send_wrapper::SendWrapper::new((source, on_version, on_error));
        on_cleanup(move || {
            let (source, on_version, on_error) = handles.take();
            source.close();
            let _ = source.remove_event_listener_with_callback(VERSION_EVENT, on_version.as_ref().unchecked_ref());
            let _ = source.remove_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        });
    }

    fn start_watchdog(live: Live) {
        let busy = Rc::new(Cell::new(false));
        let ticks = Rc::new(Cell::new(0u32));
        let every = HEALTHY_POLL_SECONDS / STALE_POLL_SECONDS;
        let tick = move || {
            ticks.set(ticks.get().wrapping_add(1));
            let due = live.stale.get_untracked() || ticks.get().is_multiple_of(every);
            if !due || busy.get() {
                return;
            }
            busy.set(true);
            let busy = busy.clone();
            leptos::task::spawn_local(async move {
                match data_version().await {
                    Ok(event) => live.announce(event),
                    Err(_) => live.mark_failed(),
                }
                busy.set(false);
            });
        };
        match set_interval_with_handle(tick, Duration::from_secs(u64::from(STALE_POLL_SECONDS))) {
            Ok(handle) => on_cleanup(move || handle.clear()),
            Err(e) => leptos::logging::error!("cannot start the data watchdog: {e:?}"),
        }
    }
}
