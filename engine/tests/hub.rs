//! The wall's figures: the index from monthly facts equals the §4 index, an incremental
//! refresh equals a full recompute, and the hub answers snapshots and profiles that agree
//! with the exports — on seeded data, SQLite and PostgreSQL.

#[path = "../../store/tests/common/mod.rs"]
mod common;

use domain::Period;
use engine::catalogue::Catalogue;
use engine::columnar::ColumnarCopy;
use engine::hub::{Hub, HubError};
use engine::month::{Base, MonthFigures, incremental};
use engine::schema as c;
use engine::{Rules, index};
use polars::prelude::*;
use seed::{SeedConfig, write_dataset};
use store::Store;
use store::import::{ImportOptions, import_dir};

const SEED: SeedConfig = SeedConfig { members: 400, years: 2, seed: 5, end_month: (2026, 10) };

async fn seeded(store: &Store) {
    let dir = tempfile::tempdir().unwrap();
    write_dataset(dir.path(), &SEED, None).unwrap();
    let r = import_dir(store, dir.path(), &ImportOptions::default()).await.expect("import");
    assert_eq!(r.rejected, 0);
}

async fn import_csv(store: &Store, name: &str, csv: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), csv).unwrap();
    let r = import_dir(store, dir.path(), &ImportOptions::default()).await.expect("import");
    assert_eq!(r.rejected, 0, "{:?}", r.rejections);
}

fn sorted(df: &DataFrame, by: &[&str]) -> DataFrame {
    df.sort(by.iter().map(|s| s.to_string()).collect::<Vec<_>>(), SortMultipleOptions::default()).unwrap()
}

fn assert_same(a: &DataFrame, b: &DataFrame, by: &[&str], what: &str) {
    let (a, b) = (sorted(a, by), sorted(b, by));
    assert_eq!(a.shape(), b.shape(), "{what}: shape");
    assert!(a.equals_missing(&b), "{what} differs:\n{a}\n{b}");
}

fn copy_dir() -> (tempfile::TempDir, ColumnarCopy) {
    let d = tempfile::tempdir().unwrap();
    let c = ColumnarCopy::open(d.path()).unwrap();
    (d, c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wall_index_is_the_contract_index() {
    let rules = Rules::default();
    for db in common::backends().await {
        seeded(&db.store).await;
        let (_d, copy) = copy_dir();
        let ds = engine::load::load(&db.store, &copy).await.unwrap();
        let extras = db.store.extras().await.unwrap();
        let base = Base::compute(&ds, &rules).unwrap().expect("data");
        let cat = Catalogue::default();
        // December: the wall's index so far this year is the year's index of §4.
        let dec = Period::new(2025, 12);
        let fig = MonthFigures::compute(&ds, &extras, &base, &rules, &cat, dec, None).unwrap();
        let export = index::index_frame(&ds, &rules, 2025).unwrap();
        let cols = [c::MEMBER_ID, c::INDEX, c::PARTY_LIFE, c::DUTY, c::CONTRIBUTION, c::MORALITY, c::DISTRICT_RANK, c::ORG_RANK];
        assert_same(&fig.index.select(cols).unwrap(), &export.select(cols).unwrap(), &[c::MEMBER_ID], &format!("[{}] index 2025", db.label));
        // Mid-year: the items counting from January to the month.
        let june = Period::new(2026, 6);
        let fig = MonthFigures::compute(&ds, &extras, &base, &rules, &cat, june, None).unwrap();
        let items = index::contributions_between(&ds, &rules, Period::new(2026, 1), june).unwrap();
        let expected = index::index_from(&ds, 2026, index::dimension_sums(items, &[c::MEMBER])).unwrap().collect().unwrap();
        assert_same(&fig.index.select(cols).unwrap(), &expected.select(cols).unwrap(), &[c::MEMBER_ID], &format!("[{}] index to 2026-06", db.label));
        // Lights are the export's.
        let lights = engine::lights::member_lights_frame(&ds, &rules, june).unwrap();
        assert_same(&fig.member_lights, &lights, &[c::MEMBER_ID], "member lights");
        assert!(fig.findings.height() > 0, "some branch is below the district average");
        assert_eq!(fig.branch_averages.len(), 26);
        assert_eq!(fig.member_averages(&cat, &base).unwrap().len(), 33);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_refresh_equals_full_recompute() {
    let (rules, cat) = (Rules::default(), Catalogue::default());
    for db in common::backends().await {
        seeded(&db.store).await;
        let (_d, copy) = copy_dir();
        let mut live = engine::live::Live::open(db.store.clone(), copy).await.unwrap();
        let extras = db.store.extras().await.unwrap();
        let base = Base::compute(live.dataset(), &rules).unwrap().unwrap();
        let month = base.latest;
        let fig = MonthFigures::compute(live.dataset(), &extras, &base, &rules, &cat, month, None).unwrap();

        // Two members get new events of every kind in the newest month.
        let ids: Vec<String> = live.dataset().members.column(c::MEMBER_ID).unwrap().str().unwrap().iter().flatten().take(2).map(str::to_owned).collect();
        let act = live.dataset().activities.clone().lazy().filter(col(c::HELD_MONTH).eq(lit(month.0))).collect().unwrap();
        let act_id: String = {
            // The activity's interchange id, from the store.
            let sid = act.column(c::ID).unwrap().i64().unwrap().get(0).unwrap();
            match &db.store {
                Store::Sqlite(p) => sqlx::query_scalar("SELECT activity_id FROM activities WHERE id = $1").bind(sid).fetch_one(p).await.unwrap(),
                Store::Postgres(p) => sqlx::query_scalar("SELECT activity_id FROM activities WHERE id = $1").bind(sid).fetch_one(p).await.unwrap(),
            }
        };
        let mut csv = String::from("event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\n");
        for (i, m) in ids.iter().enumerate() {
            csv += &format!("INC{i}a,{m},attend,{month}-20T10:00:00,{act_id},,,checkin\n");
            csv += &format!("INC{i}b,{m},dues,{month}-21T10:00:00,,500,{month},manual\n");
            csv += &format!("INC{i}c,{m},model_post,{month}-22T10:00:00,,,,manual\n");
            csv += &format!("INC{i}d,{m},volunteer,{month}-23T10:00:00,,2.5,,yongzhiyuan\n");
            csv += &format!("INC{i}e,{m},study,{month}-24T10:00:00,,,,fenglinghui\n");
        }
        import_csv(&db.store, "events.csv", &csv).await;
        let r = live.refresh().await.unwrap();
        assert!(!r.reference_changed && !r.reloaded && r.members.len() == 2, "{r:?}");
        let old = live.dataset().clone();
        let l = &db.label;
        // Only events: the month's frames are updated for those members' organisations
        // (with every member's indicators carried over) and equal a full recompute.
        fig.member_averages(&cat, &base).unwrap();
        let (ev_base, ev_fig) = incremental(&old, &extras, &base, Some(&fig), &r.members, &rules, &cat, true).unwrap();
        let ev_fig = ev_fig.unwrap();
        let full_base = Base::compute(&old, &rules).unwrap().unwrap();
        let full_fig = MonthFigures::compute(&old, &extras, &full_base, &rules, &cat, month, None).unwrap();
        assert_same_figures(&ev_fig, &full_fig, &cat, &format!("{l}, new events only"));
        assert_same(&ev_base.member_facts, &full_base.member_facts, &[c::MEMBER, c::MONTH], &format!("[{l}] member facts after new events"));
        assert_eq!(
            ev_fig.member_averages(&cat, &ev_base).unwrap(),
            full_fig.member_averages(&cat, &full_base).unwrap(),
            "[{l}] member averages after new events"
        );
        assert!(!ev_fig.index.equals_missing(&fig.index), "[{l}] the new events changed the index");

        // Then a new activity of the first member's branch, and a new member who attends it.
        let sql = "SELECT o.org_id FROM members m JOIN orgs o ON o.id = m.org WHERE m.member_id = $1";
        let org_id: String = match &db.store {
            Store::Sqlite(p) => sqlx::query_scalar(sql).bind(&ids[0]).fetch_one(p).await.unwrap(),
            Store::Postgres(p) => sqlx::query_scalar(sql).bind(&ids[0]).fetch_one(p).await.unwrap(),
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("activities.csv"),
            format!("activity_id,org_id,kind,held_at,title\nINCA,{org_id},theme_day,{month}-25T09:00:00,新的主题党日\n"),
        )
        .unwrap();
        std::fs::write(dir.path().join("members.csv"), format!("member_id,org_id,name,gender,birth_date,joined_on,status,category,monthly_dues\nINCM,{org_id},新党员,F,1995-05-05,{month}-02,probationary,employed,12\n")).unwrap();
        std::fs::write(
            dir.path().join("events.csv"),
            format!("event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\nINCX,INCM,attend,{month}-25T09:00:00,INCA,,,checkin\n"),
        )
        .unwrap();
        let rep = import_dir(&db.store, dir.path(), &ImportOptions::default()).await.unwrap();
        assert_eq!(rep.rejected, 0, "{:?}", rep.rejections);
        let r2 = live.refresh().await.unwrap();
        assert!(r2.reference_changed, "{r2:?}");

        let ds = live.dataset();
        let mut members = engine::month::affected_members(&old, ds, &r2.members).unwrap().expect("only members are affected");
        assert!(members.len() > 2, "the branch's members and the new one: {members:?}");
        members.extend(&r.members);
        members.sort_unstable();
        members.dedup();
        let (inc_base, inc_fig) = incremental(ds, &extras, &base, Some(&fig), &members, &rules, &cat, false).unwrap();
        let inc_fig = inc_fig.unwrap();
        let full_base = Base::compute(ds, &rules).unwrap().unwrap();
        let full_fig = MonthFigures::compute(ds, &extras, &full_base, &rules, &cat, month, None).unwrap();
        assert_same(&inc_base.member_facts, &full_base.member_facts, &[c::MEMBER, c::MONTH], &format!("[{l}] member facts"));
        assert_same_figures(&inc_fig, &full_fig, &cat, l);
        // And the new events did change the figures.
        assert!(!inc_base.member_facts.equals_missing(&base.member_facts));
    }
}

/// Every frame of two months' figures holds the same rows (as sets, keyed).
fn assert_same_figures(inc_fig: &MonthFigures, full_fig: &MonthFigures, cat: &Catalogue, l: &str) {
    assert_same(&inc_fig.index, &full_fig.index, &[c::MEMBER], &format!("[{l}] index"));
    assert_same(&inc_fig.member_lights, &full_fig.member_lights, &[c::MEMBER], &format!("[{l}] member lights"));
    assert_same(&inc_fig.branch_lights, &full_fig.branch_lights, &[c::ORG], &format!("[{l}] branch lights"));
    assert_same(&inc_fig.subtree, &full_fig.subtree, &[c::ORG], &format!("[{l}] subtree counts"));
    assert_same(&inc_fig.org_facts, &full_fig.org_facts, &[c::ORG, c::MONTH], &format!("[{l}] org facts"));
    assert_same(&inc_fig.subtree_facts, &full_fig.subtree_facts, &[c::ORG, c::MONTH], &format!("[{l}] subtree facts"));
    let root = inc_fig.subtree.column(c::ORG).unwrap().i64().unwrap().get(0).unwrap();
    assert_same(
        &inc_fig.org_indicators(cat, &[root]).unwrap(),
        &full_fig.org_indicators(cat, &[root]).unwrap(),
        &[c::ORG, c::TARGET_MONTH],
        &format!("[{l}] indicators"),
    );
    assert_same(&inc_fig.records, &full_fig.records, &[c::ORG], &format!("[{l}] records"));
    assert_same(&inc_fig.findings, &full_fig.findings, &[c::ORG, c::INDICATOR], &format!("[{l}] findings"));
    assert_same(&inc_fig.branch_indicators, &full_fig.branch_indicators, &[c::ORG], &format!("[{l}] branch indicators"));
    assert_eq!(inc_fig.branch_averages, full_fig.branch_averages, "[{l}] branch averages");
    assert_same(&inc_fig.grades, &full_fig.grades, &[c::MEMBER], &format!("[{l}] grades"));
}

/// A hub, ready, over the seeded data on SQLite (with the database and the copy's directory,
/// which must outlive it).
async fn seeded_sqlite_hub() -> (common::TestDb, tempfile::TempDir, Hub) {
    let db = common::backends().await.into_iter().next().expect("SQLite");
    seeded(&db.store).await;
    let (d, copy) = copy_dir();
    let hub = Hub::start(db.store.clone(), copy, Rules::default(), Catalogue::default());
    ready(&hub).await;
    (db, d, hub)
}

async fn ready(hub: &Hub) {
    let mut rx = hub.subscribe();
    while hub.state().is_err() {
        tokio::time::timeout(std::time::Duration::from_secs(120), rx.changed()).await.expect("hub ready in time").unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_serves_snapshots_and_profiles_and_follows_imports() {
    for db in common::backends().await {
        seeded(&db.store).await;
        let (_d, copy) = copy_dir();
        let hub = Hub::start(db.store.clone(), copy, Rules::default(), Catalogue::default());
        ready(&hub).await;
        let state = hub.state().unwrap();
        let l = &db.label;

        let root = hub.snapshot(None, None).await.unwrap();
        assert_eq!(root.month, "2026-10");
        assert_eq!(root.path.len(), 1);
        assert_eq!(root.trends.len(), 4);
        assert!(root.trends.iter().all(|s| s.values.len() == 12));
        assert!(!root.children.is_empty());
        let h = &root.headline;
        assert_eq!(h.red_members + h.yellow_members + h.green_members, h.members, "[{l}] every member has a light");
        assert_eq!(root.member_lights.iter().map(|s| s.value).sum::<i64>(), h.members);
        assert_eq!(root.categories.iter().map(|s| s.value).sum::<i64>(), h.members);
        assert_eq!(root.children.iter().map(|c| c.members).sum::<i64>(), h.members - root.members.len() as i64);
        assert!(root.leaderboard.len() == 10 && root.leaderboard.windows(2).all(|w| w[0].index_value >= w[1].index_value));
        assert!(!root.advice.is_empty() && root.advice.iter().all(|a| a.affected > 0 && a.resources.len() <= 3));

        // Drill down to a branch with members, and to its first member.
        let mut org = root.children[0].org_id.clone();
        let branch = loop {
            let s = hub.snapshot(Some(&org), Some("2026-10")).await.unwrap();
            if !s.members.is_empty() {
                break s;
            }
            org = s.children.first().expect("a branch below").org_id.clone();
        };
        assert_eq!(branch.path.last().unwrap().org_id, branch.org.org_id);
        let who = &branch.members[0];
        let p = hub.member(&who.member_id, None).await.unwrap();
        assert_eq!(p.index, who.index, "[{l}] profile and snapshot agree");
        let traced: i64 = p.trace.iter().map(|t| parse_points(&t.points)).sum();
        assert_eq!(traced, parse_points(&p.index), "[{l}] the trace adds up to the index");
        assert_eq!(p.indicators.len(), 33);
        assert_eq!(p.org_rank, who.org_rank);

        // The gzip kept beside each answer's JSON is that JSON, masked or not, and is made once.
        let cached = hub.snapshot_cached(Some(&branch.org.org_id), None).await.unwrap();
        for masked in [false, true] {
            let z = cached.gzip_for(masked).unwrap();
            let mut json = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&z[..]), &mut json).unwrap();
            assert_eq!(json, cached.json_for(masked).unwrap(), "[{l}] gzip of the JSON, masked: {masked}");
            assert!(z.len() < json.len() / 2, "[{l}] compressed");
            assert_eq!(z.as_ptr(), cached.gzip_for(masked).unwrap().as_ptr(), "[{l}] compressed once");
        }
        assert_ne!(cached.json_for(true).unwrap(), cached.json_for(false).unwrap(), "[{l}] a branch's snapshot names members");

        // Errors name what is wrong.
        assert!(matches!(hub.snapshot(Some("nope"), None).await, Err(HubError::NotFound(_))));
        assert!(matches!(hub.snapshot(None, Some("2026-13")).await, Err(HubError::BadRequest(_))));
        assert!(matches!(hub.snapshot(None, Some("2019-01")).await, Err(HubError::BadRequest(_))));

        // A new event appears in a new version, without reloading.
        let v0 = state.version;
        let mut rx = hub.subscribe();
        import_csv(
            &db.store,
            "events.csv",
            &format!(
                "event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\nHUB1,{},model_post,2026-10-30T09:00:00,,,,manual\n",
                who.member_id
            ),
        )
        .await;
        hub.poke();
        while rx.borrow_and_update().version <= v0 {
            tokio::time::timeout(std::time::Duration::from_secs(30), rx.changed()).await.expect("new version").unwrap();
        }
        let p2 = hub.member(&who.member_id, None).await.unwrap();
        assert_eq!(parse_points(&p2.index) - parse_points(&p.index), 2 * domain::points::POINT, "[{l}] a model post is 2 points");
    }
}

/// Issue 11 item 1: a month nobody has asked for, asked for by eight callers at once, is
/// computed once (the others wait for it), off the async workers: a ticker on those workers
/// keeps ticking meanwhile. The caches count what they hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_month_asked_eight_times_at_once_is_computed_once() {
    use std::sync::atomic::Ordering;
    let (_db, _d, hub) = seeded_sqlite_hub().await;
    let computed = || hub.stats().months_computed.load(Ordering::Relaxed);
    // What one question about a cold month computes (a snapshot may read other months too).
    let before = computed();
    hub.snapshot(None, Some("2025-06")).await.unwrap();
    let single = computed() - before;
    assert!(single >= 1, "a cold month is computed");
    let before = computed();

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ticker = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut worst = std::time::Duration::ZERO;
            while !stop.load(Ordering::Relaxed) {
                let t = std::time::Instant::now();
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                worst = worst.max(t.elapsed());
            }
            worst
        })
    };
    let asks: Vec<_> = (0..8)
        .map(|i| {
            let hub = hub.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    hub.snapshot(None, Some("2025-04")).await.map(|s| s.month.clone())
                } else {
                    let state = hub.state().unwrap();
                    hub.view(&state, Some("2025-04"), |ctx| Ok(ctx.fig.month.to_string())).await
                }
            })
        })
        .collect();
    for a in asks {
        assert_eq!(a.await.unwrap().unwrap(), "2025-04");
    }
    stop.store(true, Ordering::Relaxed);
    let worst = ticker.await.unwrap();
    assert_eq!(computed() - before, single, "eight questions at once computed 2025-04 as often as one question does");
    // Generous: computing on an async worker would stop the ticker for the whole computation.
    assert!(worst < std::time::Duration::from_millis(250), "the async workers stalled for {worst:?}");

    let sizes = hub.state().unwrap().cache_sizes();
    assert!(sizes.months >= 2 && sizes.month_bytes > 0, "{sizes:?}");
    assert!(sizes.snapshots >= 1 && sizes.snapshot_bytes > 0, "{sizes:?}");
}

/// A bump (warnings changed, §11) publishes the same figures as a new version: the answers
/// already made are carried over with the new version and time, not computed again (issue 11:
/// the soak's walls fetch each version at once), and say the same otherwise.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bump_carries_the_answers_over_under_the_new_version() {
    let (_db, _d, hub) = seeded_sqlite_hub().await;
    let root = hub.snapshot(None, None).await.unwrap();
    let branch = hub.snapshot(Some(&root.children[0].org_id), None).await.unwrap();
    let member_id = branch_member(&hub).await;
    let profile = hub.member(&member_id, None).await.unwrap();
    let before = hub.state().unwrap().cache_sizes();
    // The wall's snapshot is compressed ahead for the browsers; a branch's, as a kiosk asked.
    assert!(hub.snapshot_cached(None, None).await.unwrap().gzipped(false));
    let cached = hub.snapshot_cached(Some(&root.children[0].org_id), None).await.unwrap();
    cached.gzip_for(true).unwrap();
    assert!(!cached.gzipped(false));

    let event = hub.bump().await.unwrap();
    assert_eq!(event.version, root.version + 1);
    let after = hub.state().unwrap().cache_sizes();
    assert_eq!((after.snapshots, after.profiles), (before.snapshots, before.profiles), "every answer carried over");
    let computed = hub.stats().months_computed.load(std::sync::atomic::Ordering::Relaxed);

    let restamped = |mut s: domain::wire::WallSnapshot| {
        assert_eq!(s.version, event.version);
        assert_eq!(s.computed_at, event.computed_at);
        s.version = root.version;
        s.computed_at = root.computed_at.clone();
        serde_json::to_string(&s).unwrap()
    };
    let root2 = hub.snapshot(None, None).await.unwrap();
    assert_eq!(restamped((*root2).clone()), serde_json::to_string(&*root).unwrap());
    let branch2 = hub.snapshot(Some(&root.children[0].org_id), None).await.unwrap();
    assert_eq!(restamped((*branch2).clone()), serde_json::to_string(&*branch).unwrap());
    let mut profile2 = (*hub.member(&member_id, None).await.unwrap()).clone();
    assert_eq!(profile2.version, event.version);
    profile2.version = profile.version;
    assert_eq!(serde_json::to_string(&profile2).unwrap(), serde_json::to_string(&*profile).unwrap());
    assert_eq!(hub.stats().months_computed.load(std::sync::atomic::Ordering::Relaxed), computed, "nothing computed again");
    // Compressed ahead again where it had been asked for so.
    assert!(hub.snapshot_cached(None, None).await.unwrap().gzipped(false));
    let cached = hub.snapshot_cached(Some(&root.children[0].org_id), None).await.unwrap();
    assert!(cached.gzipped(true) && !cached.gzipped(false));
}

/// Issue 11 item 7: what a stopping server saves (the data's image and the newest month's
/// figures) is what the next start serves, without computing it; data changed since, or other
/// rules, are computed afresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_serves_the_figures_saved_at_the_stop() {
    use std::sync::atomic::Ordering;
    for db in common::backends().await {
        let l = &db.label;
        seeded(&db.store).await;
        let (_d, copy) = copy_dir();
        let dir = copy.dir().to_path_buf();
        let first = Hub::start(db.store.clone(), copy, Rules::default(), Catalogue::default());
        ready(&first).await;
        let snapshot = first.snapshot(None, None).await.unwrap();
        let branch = first.snapshot(Some(&snapshot.children[0].org_id), None).await.unwrap();
        let saver = first.clone();
        tokio::task::spawn_blocking(move || saver.save_for_restart()).await.unwrap().expect("saved");
        assert!(dir.join("figures").join("key.json").exists(), "[{l}]");

        let same = |a: &domain::wire::WallSnapshot, b: &domain::wire::WallSnapshot| {
            let (mut a, mut b) = (a.clone(), b.clone());
            (a.version, a.computed_at, b.version, b.computed_at) = (0, String::new(), 0, String::new());
            serde_json::to_string(&a).unwrap() == serde_json::to_string(&b).unwrap()
        };
        // Each later hub gets a copy of the directory as it stands (hubs append to theirs).
        let (_d2, copy2) = clone_dir(&dir);
        let second = Hub::start(db.store.clone(), copy2, Rules::default(), Catalogue::default());
        ready(&second).await;
        assert_eq!(second.stats().saved_reads.load(Ordering::Relaxed), 1, "[{l}] the saved figures were read");
        assert!(same(&second.snapshot(None, None).await.unwrap(), &snapshot), "[{l}] the same root snapshot");
        assert!(same(&second.snapshot(Some(&snapshot.children[0].org_id), None).await.unwrap(), &branch), "[{l}] the same branch snapshot");

        // Other rules: computed afresh.
        let mut rules = Rules::default();
        rules.model_post = domain::Points(rules.model_post.0 * 2);
        let (_d3, copy3) = clone_dir(&dir);
        let third = Hub::start(db.store.clone(), copy3, rules, Catalogue::default());
        ready(&third).await;
        assert_eq!(third.stats().saved_reads.load(Ordering::Relaxed), 0, "[{l}] other rules, other figures");

        // New data: computed afresh, and equal to what a hub without anything saved computes.
        import_csv(
            &db.store,
            "events.csv",
            &format!(
                "event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\nSAVED1,{},model_post,2026-10-30T09:00:00,,,,manual\n",
                branch_member(&second).await
            ),
        )
        .await;
        let (_d4, copy4) = clone_dir(&dir);
        let fourth = Hub::start(db.store.clone(), copy4, Rules::default(), Catalogue::default());
        ready(&fourth).await;
        assert_eq!(fourth.stats().saved_reads.load(Ordering::Relaxed), 0, "[{l}] new data, new figures");
        let (_d5, fresh_copy) = copy_dir();
        let fresh = Hub::start(db.store.clone(), fresh_copy, Rules::default(), Catalogue::default());
        ready(&fresh).await;
        assert!(same(&fourth.snapshot(None, None).await.unwrap(), &fresh.snapshot(None, None).await.unwrap()), "[{l}]");
    }
}

/// A new directory with the files of `dir` (not its subdirectories' debris: `figures/` too).
fn clone_dir(dir: &std::path::Path) -> (tempfile::TempDir, ColumnarCopy) {
    fn copy_all(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                copy_all(&e.path(), &to.join(e.file_name()));
            } else {
                // A file renamed away meanwhile is left out, as a copy made a moment later would.
                let _ = std::fs::copy(e.path(), to.join(e.file_name()));
            }
        }
    }
    let d = tempfile::tempdir().unwrap();
    copy_all(dir, d.path());
    let c = ColumnarCopy::open(d.path()).unwrap();
    (d, c)
}

/// A member of the first branch with members below the root.
async fn branch_member(hub: &Hub) -> String {
    let mut s = hub.snapshot(None, None).await.unwrap();
    while s.members.is_empty() {
        s = hub.snapshot(Some(&s.children[0].org_id), None).await.unwrap();
    }
    s.members[0].member_id.clone()
}

/// Issue 11 item 4: an import observed from the hub shows the old data, then all of the new,
/// never a part: the importer commits every 50 rows here, the hub polls twice a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_is_visible_all_at_once() {
    for db in common::backends().await {
        seeded(&db.store).await;
        let (_d, copy) = copy_dir();
        let hub = Hub::start(db.store.clone(), copy, Rules::default(), Catalogue::default());
        ready(&hub).await;
        let l = &db.label;
        let before = hub.state().unwrap().ds.events.height();
        let member = hub.snapshot(None, None).await.unwrap().leaderboard[0].member_id.clone();
        let dir = tempfile::tempdir().unwrap();
        let mut csv = String::from("event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\n");
        const N: usize = 3_000;
        for i in 0..N {
            csv.push_str(&format!("ALLATONCE{i},{member},volunteer,2026-10-20T09:00:00,,1,,manual\n"));
        }
        std::fs::write(dir.path().join("events.csv"), csv).unwrap();

        // Watch every version the hub publishes while the import runs.
        let watcher = {
            let hub = hub.clone();
            tokio::spawn(async move {
                let mut rx = hub.subscribe();
                let mut seen = Vec::new();
                loop {
                    if tokio::time::timeout(std::time::Duration::from_secs(60), rx.changed()).await.is_err() {
                        break seen;
                    }
                    let n = hub.state().unwrap().ds.events.height();
                    seen.push(n);
                    if n >= before + N {
                        break seen;
                    }
                }
            })
        };
        let store = db.store.clone();
        let import = tokio::spawn(async move { import_dir(&store, dir.path(), &ImportOptions { chunk_rows: 50, progress: false }).await });
        let r = import.await.unwrap().expect("import");
        assert_eq!(r.accepted as usize, N, "[{l}]");
        hub.poke();
        let seen = watcher.await.unwrap();
        assert_eq!(seen.last().copied(), Some(before + N), "[{l}] the import was shown: {seen:?}");
        assert!(seen.iter().all(|&n| n == before || n == before + N), "[{l}] part of the import was shown: {seen:?} (before {before}, {N} imported)");
    }
}

fn parse_points(s: &str) -> i64 {
    let neg = s.starts_with('-');
    let s = s.trim_start_matches('-');
    let (i, f) = s.split_once('.').unwrap_or((s, ""));
    let v = i.parse::<i64>().unwrap() * domain::points::POINT + format!("{f:0<7}").parse::<i64>().unwrap();
    if neg { -v } else { v }
}

#[test]
fn parse_points_reads_shortest_decimals() {
    assert_eq!(parse_points("187.5"), 1_875_000_000);
    assert_eq!(parse_points("-5"), -50_000_000);
}
