//! Where the hub's time goes on a served database, one step at a time and uncontended (issue 9:
//! a check-in on the member's profile within 2 s; issue 11: the soak's snapshots).
//!
//!     cargo run --release -p engine --example costs -- sqlite://PATH/bench.db [MEMBERS]
//!
//! Starts a hub on the database (its columnar copy beside it), then times: a member's profile
//! (trace and figures) for MEMBERS members, the incremental update after new events of 100
//! members, and the wall's snapshot of the district and of a few organisations.

use engine::catalogue::Catalogue;
use engine::columnar::{ColumnarCopy, default_dir};
use engine::hub::Hub;
use engine::rules::Rules;
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let args: Vec<String> = std::env::args().collect();
    let db = args.get(1).expect("usage: costs DB_URL [MEMBERS]");
    let n: usize = args.get(2).map_or(20, |s| s.parse().expect("MEMBERS"));
    let store = store::Store::connect(db).await.expect("store");
    let copy = ColumnarCopy::open(default_dir(db)).expect("copy");
    let t = Instant::now();
    let hub = Hub::start(store, copy, Rules::default(), Catalogue::default());
    while hub.state().is_err() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let st = hub.state().unwrap();
    println!("ready in {:.2?} (version {})", t.elapsed(), st.version);
    let ids: Vec<String> = st.ds.members.column("member_id").unwrap().str().unwrap().iter().flatten().map(str::to_owned).collect();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut took = vec![];
    for id in ids.iter().step_by(ids.len() / n.max(1)).take(n) {
        let t = Instant::now();
        hub.member(id, None).await.expect("profile");
        took.push(ms(t.elapsed()));
    }
    took.sort_by(f64::total_cmp);
    println!("profiles: {n}, ms p50 {:.1} max {:.1}", took[took.len() / 2], took[took.len() - 1]);

    let (rules, cat) = (Rules::default(), Catalogue::default());
    let base = st.base.as_ref().expect("base");
    let fig = st.figures(&rules, &cat, base.latest).expect("figures");
    let surrogate: Vec<i64> = st.ds.members.column("id").unwrap().i64().unwrap().iter().flatten().collect();
    for round in 0..3 {
        let members: Vec<i64> = surrogate.iter().copied().skip(round * 997).step_by(surrogate.len() / 100).take(100).collect();
        let t = Instant::now();
        engine::month::incremental(&st.ds, &st.extras, base, Some(&fig), &members, &rules, &cat, true).expect("incremental");
        println!("incremental for {} members: {:.1} ms", members.len(), ms(t.elapsed()));
    }
    let orgs: Vec<String> = st.ds.orgs.column("org_id").unwrap().str().unwrap().iter().flatten().map(str::to_owned).collect();
    for org in orgs.iter().take(4) {
        let t = Instant::now();
        hub.snapshot(Some(org), None).await.expect("snapshot");
        println!("snapshot {org}: {:.1} ms", ms(t.elapsed()));
    }
}
