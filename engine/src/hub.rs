//! The engine as the server runs it: one in-memory state per data version, refreshed from
//! the store as data arrives, with every answer the wall and the API give cached in it.
//!
//! - A background task keeps a [`Live`] dataset and polls the store twice a second (and at
//!   once when [`Hub::poke`]d). New events, members, activities or small-table rows touch
//!   only some members' figures ([`crate::month::affected_members`]): those are recomputed
//!   and spliced in ([`Dataset::restrict`]). When only events arrived (a check-in, an import
//!   of events), the month's organisation frames are updated for those members'
//!   organisations and their ancestors only ([`MonthFigures::update`]); otherwise they are
//!   rebuilt from the spliced member frames. A new organisation, or data that moves the data
//!   start or the newest month, recomputes everything.
//! - Each change makes a new [`State`] with the next version number and tells subscribers
//!   ([`Hub::subscribe`], the SSE endpoint).
//! - A state computes the figures of a month once ([`MonthFigures`]) and each snapshot and
//!   profile once (kept with its JSON), so that a request never scans the events.

use crate::EngineError;
use crate::catalogue::Catalogue;
use crate::columnar::ColumnarCopy;
use crate::dataset::Dataset;
use crate::live::{Live, Refreshed};
use crate::lru::Lru;
use crate::month::{Base, MonthFigures, affected_members, incremental};
use crate::rules::Rules;
use crate::schema as c;
use crate::snapshot::{ActivityDetails, Ctx, OrgTree};
use bytes::Bytes;
use domain::wire::{MemberProfile, VersionEvent, WallSnapshot};
use domain::{Masked, Period, Timestamp};
use polars::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use store::Store;
use store::extras::Extras;
use tokio::sync::{Notify, watch};

/// Bytes of snapshots, and of profiles, kept per state (their JSON, counted three times for
/// the value and a masked copy); least recently used go first (issue 11 item 1).
const ANSWER_BYTES: usize = 64 << 20;
/// Bytes of month figures kept per state; the newest month's are never evicted.
const MONTH_BYTES: usize = 1 << 30;
/// Bytes of members' traces kept per state.
const TRACE_BYTES: usize = 64 << 20;
/// Computations of answers (snapshots, profiles, traces, views) running at once: each may
/// compute a month's figures, which polars spreads over every core already.
const MAX_RUNNING: usize = 2;
/// Requests waiting for a computation at most; beyond, or after [`MAX_WAIT`], the answer is
/// [`HubError::Busy`] (503 with `Retry-After`).
const MAX_WAITING: usize = 64;
const MAX_WAIT: Duration = Duration::from_secs(20);
/// How often the store is asked for new data (a few cheap queries: counts, the newest seq).
const POLL: Duration = Duration::from_millis(500);

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("the figures are still being computed")]
    NotReady,
    #[error("too many computations are waiting; try again shortly")]
    Busy,
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl From<PolarsError> for HubError {
    fn from(e: PolarsError) -> Self {
        HubError::Engine(EngineError::Polars(e))
    }
}

impl From<store::StoreError> for HubError {
    fn from(e: store::StoreError) -> Self {
        HubError::Engine(EngineError::Store(e))
    }
}

/// A snapshot with its JSON, as the API serves it.
pub struct Cached<T> {
    pub value: Arc<T>,
    pub json: Bytes,
    /// The JSON with member names masked, made on the first `viewer`'s request.
    masked_json: std::sync::OnceLock<Bytes>,
    /// The JSON gzip-compressed ([`Cached::gzip_for`]), unmasked and masked, each made on the
    /// first request that accepts it.
    gzip: [std::sync::OnceLock<Bytes>; 2],
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Bytes, HubError> {
    Ok(Bytes::from(serde_json::to_vec(value).map_err(|e| EngineError::Internal(format!("serialising: {e}")))?))
}

impl<T: serde::Serialize> Cached<T> {
    fn new(value: T) -> Result<Cached<T>, HubError> {
        let json = to_json(&value)?;
        Ok(Cached { value: Arc::new(value), json, masked_json: std::sync::OnceLock::new(), gzip: Default::default() })
    }

    /// Whether the gzip of [`Cached::gzip_for`] is made already.
    pub fn gzipped(&self, masked: bool) -> bool {
        self.gzip[usize::from(masked)].get().is_some()
    }
}

impl<T: serde::Serialize + Masked + Clone> Cached<T> {
    /// The JSON a caller reads: with member names masked when `masked` (a `viewer`, §10).
    pub fn json_for(&self, masked: bool) -> Result<Bytes, HubError> {
        if !masked {
            return Ok(self.json.clone());
        }
        if let Some(j) = self.masked_json.get() {
            return Ok(j.clone());
        }
        let j = to_json(&T::clone(&self.value).masked())?;
        Ok(self.masked_json.get_or_init(|| j).clone())
    }

    /// [`Cached::json_for`] gzip-compressed (RFC 1952, the `Content-Encoding: gzip` every
    /// browser accepts), compressed once and kept. Every wall fetches the same snapshot after
    /// each data version; compressed per request (31 KB → 6.7 KB at the reference district,
    /// ≈0.4 ms each) that was ≈80 ms of CPU for 200 walls, every version.
    pub fn gzip_for(&self, masked: bool) -> Result<Bytes, HubError> {
        let slot = &self.gzip[usize::from(masked)];
        if let Some(z) = slot.get() {
            return Ok(z.clone());
        }
        let json = self.json_for(masked)?;
        let z = gzip(&json).map_err(|e| EngineError::Internal(format!("compressing: {e}")))?;
        Ok(slot.get_or_init(|| z).clone())
    }
}

fn gzip(data: &[u8]) -> std::io::Result<Bytes> {
    use std::io::Write;
    let mut z = flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 4), flate2::Compression::default());
    z.write_all(data)?;
    Ok(Bytes::from(z.finish()?))
}

/// Answers kept per (subject, month) for one state.
type AnswerCache<T> = Mutex<Lru<(i64, i32), Arc<Cached<T>>>>;

/// A month's figures, computed by the first who asks while the others wait for it
/// (single-flight: a cold month asked by eight walls at once is computed once).
type MonthSlot = Arc<Mutex<Option<Arc<MonthFigures>>>>;

/// What the hub counts for `/metrics` and the tests (shared by its states).
#[derive(Debug, Default)]
pub struct Stats {
    /// Months' figures computed on request (not the refreshes' newest month).
    pub months_computed: std::sync::atomic::AtomicU64,
    /// Requests answered `Busy`.
    pub busy: std::sync::atomic::AtomicU64,
    /// How long the last refresh took, in milliseconds.
    pub last_refresh_ms: std::sync::atomic::AtomicU64,
    /// Figures read from what a stop or an earlier start saved ([`crate::saved`]) instead
    /// of computed.
    pub saved_reads: std::sync::atomic::AtomicU64,
}

/// The sizes of a state's caches, for `/metrics`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CacheSizes {
    pub months: usize,
    pub month_bytes: usize,
    pub snapshots: usize,
    pub snapshot_bytes: usize,
    pub profiles: usize,
    pub profile_bytes: usize,
    pub traces: usize,
    pub trace_bytes: usize,
}

/// A member's trace from January to a month (the items of
/// [`crate::index::contributions_between`]) with its activities' titles.
type Trace = Arc<(DataFrame, ActivityDetails)>;

/// The figures of one data version.
pub struct State {
    pub version: u64,
    pub computed_at: String,
    pub ds: Dataset,
    pub extras: Extras,
    /// `None` while the store holds no activity or event.
    pub base: Option<Base>,
    pub tree: OrgTree,
    months: Mutex<Lru<i32, MonthSlot>>,
    stats: Arc<Stats>,
    snapshots: AnswerCache<WallSnapshot>,
    profiles: AnswerCache<MemberProfile>,
    /// Members' traces by (member, month). A trace depends only on the member's own events
    /// and the activities, so an incremental refresh carries over every trace but those of
    /// the members it touched: after a check-in, a member whose profile is read again costs
    /// no scan of the events unless its own events changed.
    traces: Mutex<Lru<(i64, i32), Trace>>,
    /// What its figures were computed from ([`crate::saved::Origin::key`]), when known.
    saved_key: Option<String>,
}

fn trace_bytes(t: &Trace) -> usize {
    t.0.estimated_size() + t.1.len() * 128
}

impl State {
    fn new(
        version: u64,
        ds: Dataset,
        extras: Extras,
        base: Option<Base>,
        months: HashMap<i32, Arc<MonthFigures>>,
        traces: HashMap<(i64, i32), Trace>,
        stats: Arc<Stats>,
    ) -> Result<State, HubError> {
        let tree = OrgTree::new(&ds)?;
        let latest = base.as_ref().map(|b| b.latest.0);
        let mut month_cache = Lru::new(MONTH_BYTES);
        for (m, f) in months {
            month_cache.insert(m, Arc::new(Mutex::new(Some(f.clone()))), f.estimated_bytes(), |k| Some(*k) == latest);
        }
        let mut trace_cache = Lru::new(TRACE_BYTES);
        for (k, t) in traces {
            let bytes = trace_bytes(&t);
            trace_cache.insert(k, t, bytes, |_| false);
        }
        Ok(State {
            version,
            computed_at: now_local(),
            ds,
            extras,
            base,
            tree,
            months: Mutex::new(month_cache),
            stats,
            snapshots: Mutex::new(Lru::new(ANSWER_BYTES)),
            profiles: Mutex::new(Lru::new(ANSWER_BYTES)),
            traces: Mutex::new(trace_cache),
            saved_key: None,
        })
    }

    /// The same data as `prev` under `version` ([`Hub::bump`]): its figures and traces
    /// carried over, and its snapshots and profiles restamped with the new version and time
    /// rather than computed again — a bump changes nothing they show (issue 11: the soak's
    /// second version per import cost a snapshot computation while 200 walls fetched).
    fn republished(prev: &State, version: u64, stats: Arc<Stats>) -> Result<State, HubError> {
        let traces = lock(&prev.traces).iter().map(|(k, v, _)| (*k, v.clone())).collect();
        let mut state = State::new(version, prev.ds.clone(), prev.extras.clone(), prev.base.clone(), prev.ready_months(), traces, stats)?;
        state.saved_key = prev.saved_key.clone();
        restamp_into(&prev.snapshots, &state.snapshots, version, &state.computed_at)?;
        restamp_into(&prev.profiles, &state.profiles, version, &state.computed_at)?;
        Ok(state)
    }

    pub fn version_event(&self) -> VersionEvent {
        VersionEvent {
            version: self.version,
            computed_at: self.computed_at.clone(),
            latest_month: self.base.as_ref().map(|b| b.latest.to_string()).unwrap_or_default(),
        }
    }

    /// `month` as asked (`YYYY-MM`), or the newest with data; it must lie within the data.
    pub fn resolve_month(&self, month: Option<&str>) -> Result<Period, HubError> {
        let base = self.base.as_ref().ok_or_else(|| HubError::NotFound("尚无数据：请先导入".into()))?;
        let Some(s) = month.filter(|s| !s.is_empty()) else { return Ok(base.latest) };
        let p = Period::parse(s).map_err(HubError::BadRequest)?;
        if p < base.first || p > base.latest {
            return Err(HubError::BadRequest(format!("month {p} is outside the data ({} to {})", base.first, base.latest)));
        }
        Ok(p)
    }

    pub fn resolve_org(&self, org_id: Option<&str>) -> Result<i64, HubError> {
        match org_id.filter(|s| !s.is_empty()) {
            None => self.tree.roots.first().copied().ok_or_else(|| HubError::NotFound("no organisations".into())),
            Some(id) => self.tree.by_org_id.get(id).copied().ok_or_else(|| HubError::NotFound(format!("organisation {id}"))),
        }
    }

    pub fn resolve_member(&self, member_id: &str) -> Result<i64, HubError> {
        Ok(self.member_and_org(member_id)?.0)
    }

    /// The surrogate ids of `member_id` and of the organisation it belongs to (what a scope
    /// check needs).
    pub fn member_and_org(&self, member_id: &str) -> Result<(i64, i64), HubError> {
        let r = self.ds.members.clone().lazy().filter(col(c::MEMBER_ID).eq(lit(member_id))).select([col(c::ID), col(c::ORG)]).collect()?;
        if r.height() == 0 {
            return Err(HubError::NotFound(format!("member {member_id}")));
        }
        Ok((crate::read::i64_at(&r, c::ID, 0)?, crate::read::i64_at(&r, c::ORG, 0)?))
    }

    /// The figures of `month`, computed on first use by one caller while any others asking
    /// for the same month wait for it (they run on blocking threads, never the async ones).
    pub fn figures(&self, rules: &Rules, cat: &Catalogue, month: Period) -> Result<Arc<MonthFigures>, HubError> {
        let base = self.base.as_ref().ok_or(HubError::NotReady)?;
        let latest = base.latest.0;
        let slot = {
            let mut months = lock(&self.months);
            match months.get(&month.0) {
                Some(slot) => slot,
                None => {
                    let slot = MonthSlot::default();
                    months.insert(month.0, slot.clone(), 0, |k| *k == latest);
                    slot
                }
            }
        };
        let mut ready = lock(&slot);
        if let Some(f) = ready.as_ref() {
            return Ok(f.clone());
        }
        let f = Arc::new(MonthFigures::compute(&self.ds, &self.extras, base, rules, cat, month, None)?);
        *ready = Some(f.clone());
        drop(ready);
        self.stats.months_computed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lock(&self.months).insert(month.0, slot, f.estimated_bytes(), |k| *k == latest);
        Ok(f)
    }

    /// The figures of `month` if they are computed already.
    fn ready_figures(&self, month: i32) -> Option<Arc<MonthFigures>> {
        let slot = lock(&self.months).get(&month)?;
        lock(&slot).clone()
    }

    /// Every month's figures computed so far (carried to the next state by [`Hub::bump`]).
    fn ready_months(&self) -> HashMap<i32, Arc<MonthFigures>> {
        let slots: Vec<(i32, MonthSlot)> = lock(&self.months).iter().map(|(k, v, _)| (*k, v.clone())).collect();
        slots.into_iter().filter_map(|(k, slot)| lock(&slot).clone().map(|f| (k, f))).collect()
    }

    /// How many answers of each kind this state keeps, and their bytes.
    pub fn cache_sizes(&self) -> CacheSizes {
        let (m, s, p, t) = (lock(&self.months), lock(&self.snapshots), lock(&self.profiles), lock(&self.traces));
        CacheSizes {
            months: m.len(),
            month_bytes: m.bytes(),
            snapshots: s.len(),
            snapshot_bytes: s.bytes(),
            profiles: p.len(),
            profile_bytes: p.bytes(),
            traces: t.len(),
            trace_bytes: t.bytes(),
        }
    }

    fn ctx<'a>(&'a self, cat: &'a Catalogue, fig: &'a MonthFigures) -> Result<Ctx<'a>, HubError> {
        let base = self.base.as_ref().ok_or(HubError::NotReady)?;
        Ok(Ctx { ds: &self.ds, extras: &self.extras, base, tree: &self.tree, cat, fig, version: self.version, computed_at: &self.computed_at })
    }
}

/// An answer that says which data version (and when it was computed) it was made from.
trait Stamped: Clone {
    fn restamp(&mut self, version: u64, computed_at: &str);
}

impl Stamped for WallSnapshot {
    fn restamp(&mut self, version: u64, computed_at: &str) {
        self.version = version;
        self.computed_at = computed_at.to_owned();
    }
}

impl Stamped for MemberProfile {
    fn restamp(&mut self, version: u64, _computed_at: &str) {
        self.version = version;
    }
}

/// Copies every answer of `from` into `to` with the new version (least recently used
/// first, so that `to` keeps their order), gzip-compressed ahead where the old one had been
/// asked for so (the walls will ask for the new one at once).
fn restamp_into<T: Stamped + serde::Serialize + Masked + Clone>(
    from: &AnswerCache<T>,
    to: &AnswerCache<T>,
    version: u64,
    computed_at: &str,
) -> Result<(), HubError> {
    let answers: Vec<_> = lock(from).oldest_first().into_iter().map(|(k, v)| (*k, Arc::clone(v))).collect();
    for (key, cached) in answers {
        let mut value = T::clone(&cached.value);
        value.restamp(version, computed_at);
        let new = Cached::new(value)?;
        for masked in [false, true] {
            if cached.gzipped(masked) {
                new.gzip_for(masked)?;
            }
        }
        remember(to, key, &Arc::new(new));
    }
    Ok(())
}

/// Saves `state`'s base and newest month's figures beside the copy in `dir`
/// ([`crate::saved`]), unless they are there already.
fn save_figures(state: &State, dir: &std::path::Path) -> Result<(), EngineError> {
    let (Some(key), Some(base)) = (&state.saved_key, &state.base) else { return Ok(()) };
    let Some(fig) = state.ready_figures(base.latest.0) else { return Ok(()) };
    if crate::saved::holds(dir, key) {
        return Ok(());
    }
    crate::saved::save(dir, key, base, &fig)
}

/// How long a replaced state is kept before it is freed ([`retire`]): past the burst of
/// requests that follows an announcement (every wall asks within some tens of milliseconds).
const RETIRE_AFTER: Duration = Duration::from_secs(2);

/// Lets go of a state that a new one replaced: [`RETIRE_AFTER`] later, off the async
/// threads. When the hub held its last reference, freeing it (its member facts, month frames
/// and caches: hundreds of MB at the reference district) ran under the state's lock and
/// before the new version was announced, and then, moved off, still took CPU from the walls'
/// fetches of the new version (issue 11's soak: the first burst after each import was the
/// slowest).
fn retire(old: Option<Arc<State>>) {
    let Some(old) = old else { return };
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => {
            rt.spawn(async move {
                tokio::time::sleep(RETIRE_AFTER).await;
                tokio::task::spawn_blocking(move || drop(old));
            });
        }
        Err(_) => drop(old),
    }
}

/// Keeps an answer in a per-state cache (bounded in bytes, least recently used evicted).
fn remember<T>(cache: &AnswerCache<T>, key: (i64, i32), value: &Arc<Cached<T>>) {
    // The value, its JSON and the masked JSON (about three times the JSON), and the two gzip
    // copies (about a fifth of it each).
    let bytes = value.json.len() * 3 + value.json.len() / 2;
    lock(cache).insert(key, value.clone(), bytes, |_| false);
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding a cache lock leaves a usable cache (entries are whole Arcs).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Now, as a local (Asia/Shanghai, UTC+8, no daylight saving) timestamp to the second.
pub fn now_local() -> String {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs() as i64 + 8 * 3600;
    Timestamp(secs * 1_000_000).to_string()
}

struct Inner {
    store: Store,
    rules: Rules,
    catalogue: Catalogue,
    state: RwLock<Option<Arc<State>>>,
    versions: watch::Sender<VersionEvent>,
    poke: Notify,
    /// Why there is no state yet, or the last refresh error (for `/healthz`-like reporting).
    status: Mutex<String>,
    /// Set while the store cannot be reached (the last refresh failed); cleared by the next
    /// refresh that works. The state stays the last good one meanwhile.
    outage: Mutex<Option<String>>,
    stats: Arc<Stats>,
    /// Computations running ([`MAX_RUNNING`]) and requests waiting for one.
    running: Arc<tokio::sync::Semaphore>,
    waiting: std::sync::atomic::AtomicUsize,
    /// The columnar copy the hub loads from and appends to ([`Hub::save_for_restart`]).
    copy: ColumnarCopy,
    /// What the keys of saved figures say of this program ([`crate::saved`]).
    origin: crate::saved::Origin,
}

/// Cheap to clone; all clones share one state.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

impl Hub {
    /// Starts the hub: loads the store through the columnar copy in the background and then
    /// keeps refreshing. Until the first state is ready, questions get [`HubError::NotReady`].
    pub fn start(store: Store, copy: ColumnarCopy, rules: Rules, catalogue: Catalogue) -> Hub {
        let (versions, _) = watch::channel(VersionEvent { version: 0, computed_at: now_local(), latest_month: String::new() });
        let origin = crate::saved::Origin::new(&rules, &catalogue);
        let hub = Hub {
            inner: Arc::new(Inner {
                store,
                rules,
                catalogue,
                state: RwLock::new(None),
                versions,
                poke: Notify::new(),
                status: Mutex::new("loading".into()),
                outage: Mutex::new(None),
                stats: Arc::default(),
                running: Arc::new(tokio::sync::Semaphore::new(MAX_RUNNING)),
                waiting: Default::default(),
                copy: copy.clone(),
                origin,
            }),
        };
        let h = hub.clone();
        tokio::spawn(async move { h.run(copy).await });
        hub
    }

    /// Saves what the next start needs to be ready at once (issue 11 item 7: `/readyz` soon
    /// after a restart): the columnar copy's image of the data the hub holds now
    /// ([`ColumnarCopy::save_image`]; imports since the last start have grown the chain past the
    /// image that start left) and the figures of the newest month with the monthly facts
    /// ([`crate::saved`]). The server calls it when it stops. Blocking: call it off the async
    /// threads.
    pub fn save_for_restart(&self) -> Result<(), EngineError> {
        let Ok(state) = self.state() else { return Ok(()) };
        let copy = &self.inner.copy;
        copy.save_image(state.ds.max_seq, &state.ds.events, &state.ds.study)?;
        save_figures(&state, copy.dir())
    }

    pub fn rules(&self) -> &Rules {
        &self.inner.rules
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.inner.catalogue
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn status(&self) -> String {
        lock(&self.inner.status).clone()
    }

    /// Why the store cannot be reached, while it cannot (issue 11 item 3: `/readyz` answers 503
    /// and the wall shows its stale badge until a refresh works again).
    pub fn outage(&self) -> Option<String> {
        lock(&self.inner.outage).clone()
    }

    /// What the hub has counted (for `/metrics` and the tests).
    pub fn stats(&self) -> &Stats {
        &self.inner.stats
    }

    /// Requests waiting for a computation now.
    pub fn waiting(&self) -> usize {
        self.inner.waiting.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A turn to compute: at once when fewer than [`MAX_RUNNING`] run, else after waiting in
    /// line — unless [`MAX_WAITING`] wait already or the turn does not come within
    /// [`MAX_WAIT`]: then [`HubError::Busy`].
    async fn turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, HubError> {
        if let Ok(p) = self.inner.running.clone().try_acquire_owned() {
            return Ok(p);
        }
        struct Waiting<'a>(&'a std::sync::atomic::AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let before = self.inner.waiting.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let _waiting = Waiting(&self.inner.waiting);
        let busy = || {
            self.inner.stats.busy.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            HubError::Busy
        };
        if before >= MAX_WAITING {
            return Err(busy());
        }
        match tokio::time::timeout(MAX_WAIT, self.inner.running.clone().acquire_owned()).await {
            Ok(Ok(p)) => Ok(p),
            _ => Err(busy()),
        }
    }

    /// The state now (`NotReady` while the first load runs).
    pub fn state(&self) -> Result<Arc<State>, HubError> {
        self.inner.state.read().unwrap_or_else(|e| e.into_inner()).clone().ok_or(HubError::NotReady)
    }

    pub fn version_event(&self) -> VersionEvent {
        self.inner.versions.borrow().clone()
    }

    /// Every new version, as it is published.
    pub fn subscribe(&self) -> watch::Receiver<VersionEvent> {
        self.inner.versions.subscribe()
    }

    /// Look at the store now instead of at the next poll (after a write of this process).
    pub fn poke(&self) {
        self.inner.poke.notify_one();
    }

    /// Publishes the same data as a new version, so that every wall refetches what it shows:
    /// after a change that is not in the figures (a warning raised or handled, §11) and in
    /// tests of the live update path. The figures and traces are kept, the cached answers are not. When
    /// a newer state was published meanwhile, that one stands (it is a new version already).
    pub async fn bump(&self) -> Result<VersionEvent, HubError> {
        let old = self.state()?;
        let (hub, prev) = (self.clone(), old.clone());
        let state = tokio::task::spawn_blocking(move || -> Result<State, HubError> {
            let state = State::republished(&prev, prev.version + 1, hub.inner.stats.clone())?;
            hub.warm(&state);
            Ok(state)
        })
        .await
        .map_err(|e| EngineError::Internal(format!("bump task: {e}")))??;
        Ok(self.publish_over(state, Some(&old)))
    }

    /// Computes, before `state` is published, the answer every wall asks for as soon as it is
    /// told of a new version: the root's snapshot at the newest month. Hundreds of walls then
    /// read it from the cache at once instead of queueing for its computation (issue 11: the
    /// soak's snapshot p99). A failure is only logged: the snapshot is then computed when
    /// first asked, as any other.
    fn warm(&self, state: &State) {
        let t = Instant::now();
        let warmed = (|| -> Result<(), HubError> {
            let Some(base) = state.base.as_ref() else { return Ok(()) };
            let root = state.resolve_org(None)?;
            if lock(&state.snapshots).get(&(root, base.latest.0)).is_some() {
                return Ok(()); // carried over by a bump
            }
            let fig = state.figures(&self.inner.rules, &self.inner.catalogue, base.latest)?;
            let value = state.ctx(&self.inner.catalogue, &fig)?.snapshot(root)?;
            let cached = Arc::new(Cached::new(value)?);
            // As every wall's browser will ask for it.
            cached.gzip_for(false)?;
            remember(&state.snapshots, (root, base.latest.0), &cached);
            Ok(())
        })();
        match warmed {
            Ok(()) => tracing::debug!(took = ?t.elapsed(), "the wall's snapshot computed ahead"),
            Err(e) => tracing::warn!(error = %e, "computing the wall's snapshot ahead failed; it is computed when asked"),
        }
    }

    fn publish(&self, state: State) -> VersionEvent {
        self.publish_over(state, None)
    }

    /// Publishes `state` with the next version number (numbers are given here, under the
    /// lock, so two publishers never reuse one), unless `expected` is given and is no longer
    /// the current state.
    fn publish_over(&self, mut state: State, expected: Option<&Arc<State>>) -> VersionEvent {
        let mut slot = self.inner.state.write().unwrap_or_else(|e| e.into_inner());
        if let (Some(expected), Some(current)) = (expected, slot.as_ref())
            && !Arc::ptr_eq(expected, current)
        {
            return current.version_event();
        }
        let version = slot.as_ref().map_or(state.version, |s| s.version + 1);
        if version != state.version {
            // Answers computed ahead ([`Hub::warm`]) carry the number the state was made with.
            *lock(&state.snapshots) = Lru::new(ANSWER_BYTES);
            *lock(&state.profiles) = Lru::new(ANSWER_BYTES);
            state.version = version;
        }
        let event = state.version_event();
        let old = slot.replace(Arc::new(state));
        drop(slot);
        self.inner.versions.send_replace(event.clone());
        retire(old);
        event
    }

    /// The wall snapshot of `org_id` (the root for `None`) at `month` (newest for `None`).
    pub async fn snapshot(&self, org_id: Option<&str>, month: Option<&str>) -> Result<Arc<WallSnapshot>, HubError> {
        Ok(self.snapshot_cached(org_id, month).await?.value.clone())
    }

    pub async fn snapshot_cached(&self, org_id: Option<&str>, month: Option<&str>) -> Result<Arc<Cached<WallSnapshot>>, HubError> {
        let state = self.state()?;
        let org = state.resolve_org(org_id)?;
        self.snapshot_of(&state, org, month).await
    }

    /// The snapshot of an organisation already resolved in `state` (an API handler has checked
    /// the caller's scope on that state): the organisation is not looked up twice, and the
    /// answer is of the version the scope was checked on.
    pub async fn snapshot_of(&self, state: &Arc<State>, org: i64, month: Option<&str>) -> Result<Arc<Cached<WallSnapshot>>, HubError> {
        let month = state.resolve_month(month)?;
        if let Some(c) = lock(&state.snapshots).get(&(org, month.0)) {
            return Ok(c);
        }
        let cached = self.compute(state, month, move |ctx| ctx.snapshot(org)).await?;
        remember(&state.snapshots, (org, month.0), &cached);
        Ok(cached)
    }

    /// The member profile of `member_id` at `month` (newest for `None`).
    pub async fn member(&self, member_id: &str, month: Option<&str>) -> Result<Arc<MemberProfile>, HubError> {
        Ok(self.member_cached(member_id, month).await?.value.clone())
    }

    pub async fn member_cached(&self, member_id: &str, month: Option<&str>) -> Result<Arc<Cached<MemberProfile>>, HubError> {
        let state = self.state()?;
        let month = state.resolve_month(month)?;
        let member = state.resolve_member(member_id)?;
        if let Some(c) = lock(&state.profiles).get(&(member, month.0)) {
            return Ok(c);
        }
        let t = Instant::now();
        let trace = self.trace(&state, member, month).await?;
        let t_trace = t.elapsed();
        let cached = self.compute(&state, month, move |ctx| ctx.profile(member, &trace.0, &trace.1)).await?;
        remember(&state.profiles, (member, month.0), &cached);
        tracing::debug!(version = state.version, member, trace = ?t_trace, profile = ?(t.elapsed() - t_trace), "member profile computed");
        Ok(cached)
    }

    /// The trace of `member` from January to `month` (see [`State::traces`]): kept, or found
    /// off the async threads (it scans the events), with its titles from the store.
    async fn trace(&self, state: &Arc<State>, member: i64, month: Period) -> Result<Trace, HubError> {
        if let Some(t) = lock(&state.traces).get(&(member, month.0)) {
            return Ok(t);
        }
        let (st, rules) = (state.clone(), self.inner.rules.clone());
        let turn = self.turn().await?;
        let trace = tokio::task::spawn_blocking(move || -> Result<DataFrame, HubError> {
            let _turn = turn;
            let one = st.ds.restrict(&[member])?;
            Ok(crate::index::contributions_between(&one, &rules, Period::new(month.year(), 1), month)?.collect()?)
        })
        .await
        .map_err(|e| EngineError::Internal(format!("trace task: {e}")))??;
        let acts: Vec<i64> = trace.column(c::ACTIVITY)?.i64()?.iter().flatten().collect();
        let details: ActivityDetails =
            self.inner.store.activity_details(&acts).await?.into_iter().map(|(id, kind, title, held)| (id, (kind, title, held))).collect();
        let t: Trace = Arc::new((trace, details));
        lock(&state.traces).insert((member, month.0), t.clone(), trace_bytes(&t), |_| false);
        Ok(t)
    }

    /// Every report of `month` ([`crate::report`]) from the current state, and the state it
    /// was read from (its data version goes with the stored reports). The month's items for
    /// every member and their activity titles are read first, then the reports are built off
    /// the async threads.
    pub async fn month_reports(&self, month: Period) -> Result<(Arc<State>, crate::report::MonthReports), HubError> {
        let state = self.state()?;
        let month = state.resolve_month(Some(&month.to_string()))?;
        let (st, rules) = (state.clone(), self.inner.rules.clone());
        let trace = tokio::task::spawn_blocking(move || -> Result<DataFrame, HubError> {
            Ok(crate::index::contributions_between(&st.ds, &rules, month, month)?.collect()?)
        })
        .await
        .map_err(|e| EngineError::Internal(format!("report items task: {e}")))??;
        let mut acts: Vec<i64> = trace.column(c::ACTIVITY)?.i64()?.iter().flatten().collect();
        acts.sort_unstable();
        acts.dedup();
        let details: ActivityDetails =
            self.inner.store.activity_details(&acts).await?.into_iter().map(|(id, kind, title, held)| (id, (kind, title, held))).collect();
        let (hub, st) = (self.clone(), state.clone());
        let reports = tokio::task::spawn_blocking(move || -> Result<crate::report::MonthReports, HubError> {
            let fig = st.figures(&hub.inner.rules, &hub.inner.catalogue, month)?;
            Ok(st.ctx(&hub.inner.catalogue, &fig)?.reports(&trace, &details)?)
        })
        .await
        .map_err(|e| EngineError::Internal(format!("reports task: {e}")))??;
        Ok((state, reports))
    }

    /// An answer computed from `state`'s figures of `month` (newest for `None`) by `f`, off the
    /// async threads (the first question about a month computes its figures): the API's views
    /// ([`crate::views`]) are asked this way.
    pub async fn view<T, F>(&self, state: &Arc<State>, month: Option<&str>, f: F) -> Result<T, HubError>
    where
        T: Send + 'static,
        F: FnOnce(&Ctx<'_>) -> PolarsResult<T> + Send + 'static,
    {
        let month = state.resolve_month(month)?;
        let (hub, st) = (self.clone(), state.clone());
        let turn = self.turn().await?;
        tokio::task::spawn_blocking(move || -> Result<T, HubError> {
            let _turn = turn;
            let fig = st.figures(&hub.inner.rules, &hub.inner.catalogue, month)?;
            Ok(f(&st.ctx(&hub.inner.catalogue, &fig)?)?)
        })
        .await
        .map_err(|e| HubError::Engine(EngineError::Internal(format!("view task: {e}"))))?
    }

    /// Runs `f` on the figures of `month` off the async threads (the first call of a month
    /// computes them), and keeps its answer with its JSON.
    async fn compute<T, F>(&self, state: &Arc<State>, month: Period, f: F) -> Result<Arc<Cached<T>>, HubError>
    where
        T: serde::Serialize + Send + Sync + 'static,
        F: FnOnce(&Ctx<'_>) -> PolarsResult<T> + Send + 'static,
    {
        let (hub, st) = (self.clone(), state.clone());
        let turn = self.turn().await?;
        tokio::task::spawn_blocking(move || -> Result<Arc<Cached<T>>, HubError> {
            let _turn = turn;
            let fig = st.figures(&hub.inner.rules, &hub.inner.catalogue, month)?;
            let value = f(&st.ctx(&hub.inner.catalogue, &fig)?)?;
            Ok(Arc::new(Cached::new(value)?))
        })
        .await
        .map_err(|e| EngineError::Internal(format!("computing task: {e}")))?
    }

    async fn run(self, copy: ColumnarCopy) {
        let mut live = loop {
            match Live::open(self.inner.store.clone(), copy.clone()).await {
                Ok(l) => break l,
                Err(e) => {
                    tracing::error!(error = %e, "loading the store failed; retrying in 5 s");
                    *lock(&self.inner.status) = format!("loading failed: {e}");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        };
        if let Err(e) = self.rebuild(&live, None).await {
            tracing::error!(error = %e, "computing the figures failed");
            *lock(&self.inner.status) = format!("computing failed: {e}");
        }
        loop {
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = self.inner.poke.notified() => {}
            }
            // A file import shows all at once: nothing new is read while one is under way
            // (its committed chunks wait for its end, or for a re-run after a kill).
            match store::import::import_running(&self.inner.store).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::debug!(error = %e, "cannot tell whether an import runs; refreshing"),
            }
            let refreshed = live.refresh().await;
            let failed = refreshed.as_ref().err().map(|e| e.to_string());
            let was = std::mem::replace(&mut *lock(&self.inner.outage), failed.clone());
            match (&was, &failed) {
                (None, Some(e)) => tracing::error!(error = %e, "the store is unreachable: serving the last good figures"),
                (Some(_), None) => tracing::info!("the store is reachable again"),
                _ => {}
            }
            match refreshed {
                Ok(r) if r.changed() || self.state().is_err() => {
                    if let Err(e) = self.rebuild(&live, Some(r)).await {
                        tracing::error!(error = %e, "recomputing the figures failed; keeping the last good ones");
                        *lock(&self.inner.status) = format!("recomputing failed: {e}");
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    // The store is unreachable: keep serving the last good state.
                    *lock(&self.inner.status) = format!("refresh failed: {e}");
                }
            }
        }
    }

    /// Builds and publishes the state for the live dataset: incrementally from the last
    /// state when `r` says only events of known members arrived, else from scratch.
    async fn rebuild(&self, live: &Live, r: Option<Refreshed>) -> Result<(), HubError> {
        let t = Instant::now();
        let prev = self.state().ok();
        let ds = live.dataset().clone();
        // Only members' figures can have changed unless the tree or the data's span moved.
        let affected = match (&prev, &r) {
            (Some(p), Some(r)) if !r.reloaded => affected_members(&p.ds, &ds, &r.members)?,
            _ => None,
        };
        let splice_only = affected.is_some();
        // Nothing but new events: only their members' organisations can have other figures.
        let only_events = matches!(&r, Some(r) if !r.reference_changed && !r.reloaded);
        let extras = match (&prev, &r) {
            (Some(p), Some(r)) if !r.reference_changed && !r.reloaded => p.extras.clone(),
            _ => self.inner.store.extras().await?,
        };
        let hub = self.clone();
        let members = affected.unwrap_or_default();
        let stats = self.inner.stats.clone();
        let version = prev.as_ref().map_or(1, |p| p.version + 1);
        let key = self.inner.origin.key(ds.max_seq, live.stamp());
        let copy_dir = self.inner.copy.dir().to_path_buf();
        let first_state = prev.is_none();
        let state = tokio::task::spawn_blocking(move || -> Result<(State, bool), HubError> {
            let (rules, cat) = (&hub.inner.rules, &hub.inner.catalogue);
            match prev.filter(|_| splice_only) {
                Some(p) => {
                    let base = p.base.as_ref().ok_or(HubError::NotReady)?;
                    // The newest month is kept current; other months are recomputed when asked.
                    let old = p.ready_figures(base.latest.0);
                    let (base, fig) = incremental(&ds, &extras, base, old.as_deref(), &members, rules, cat, only_events)?;
                    let months = fig.map(|f| (f.month.0, Arc::new(f))).into_iter().collect();
                    let touched: std::collections::HashSet<i64> = members.iter().copied().collect();
                    let traces = lock(&p.traces).iter().filter(|((m, _), _, _)| !touched.contains(m)).map(|(k, v, _)| (*k, v.clone())).collect();
                    let mut state = State::new(version, ds, extras, Some(base), months, traces, stats)?;
                    state.saved_key = key;
                    hub.warm(&state);
                    Ok((state, false))
                }
                None => {
                    // Figures a stop or an earlier start saved for this very data and program.
                    let saved = match &key {
                        Some(k) => crate::saved::load(&copy_dir, k).unwrap_or_else(|e| {
                            tracing::warn!(error = %e, "the saved figures cannot be read; computing them");
                            None
                        }),
                        None => None,
                    };
                    let read = saved.is_some();
                    let mut months = HashMap::new();
                    let base = match saved {
                        Some((b, f)) => {
                            months.insert(f.month.0, Arc::new(f));
                            Some(b)
                        }
                        None => {
                            let base = Base::compute(&ds, rules)?;
                            if let Some(b) = &base {
                                months.insert(b.latest.0, Arc::new(MonthFigures::compute(&ds, &extras, b, rules, cat, b.latest, None)?));
                            }
                            base
                        }
                    };
                    let mut state = State::new(version, ds, extras, base, months, HashMap::new(), stats)?;
                    state.saved_key = key;
                    hub.warm(&state);
                    Ok((state, read))
                }
            }
        })
        .await
        .map_err(|e| EngineError::Internal(format!("recompute task: {e}")))??;
        let (state, read_saved) = state;
        if read_saved {
            self.inner.stats.saved_reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let event = self.publish(state);
        if first_state && !read_saved {
            // The start computed everything: saved for the next start (a crash skips the save
            // at the stop), off the async threads. Later states are saved when the server stops.
            if let Ok(st) = self.state() {
                let dir = self.inner.copy.dir().to_path_buf();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = save_figures(&st, &dir) {
                        tracing::warn!(error = %e, "saving the figures for the next start failed");
                    }
                });
            }
        }
        // The index of each member's events, built ahead of the first trace or check-in that
        // narrows the data to a few members (once per load; refreshes carry it over).
        if let Ok(st) = self.state() {
            tokio::task::spawn_blocking(move || {
                let t = Instant::now();
                match st.ds.member_rows.ensure(&st.ds.events).and_then(|()| st.ds.study_rows.ensure(&st.ds.study)) {
                    Ok(()) => tracing::debug!(took = ?t.elapsed(), index = ?st.ds.member_rows, "members' rows"),
                    Err(e) => tracing::warn!(error = %e, "indexing the members' rows failed; narrowing filters instead"),
                }
            });
        }
        *lock(&self.inner.status) = "ready".into();
        self.inner.stats.last_refresh_ms.store(t.elapsed().as_millis() as u64, std::sync::atomic::Ordering::Relaxed);
        tracing::info!(version = event.version, incremental = splice_only, saved = read_saved, took = ?t.elapsed(), "figures current");
        Ok(())
    }
}
