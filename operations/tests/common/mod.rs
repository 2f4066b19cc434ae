//! Shared helpers of the operations crate's tests: the store's fresh databases on every
//! backend (store/tests/common/db.rs, by path), a small tree with accounts, and lights built
//! by hand.

#![allow(dead_code)]

#[path = "../../../store/tests/common/db.rs"]
mod db;

pub use db::*;
use domain::{Light, Period, Role};
use operations::{Lights, Lit, Reason, SubjectKind};
use store::Store;

/// District D, street S, branches B1 (under S) and B2 (under D); members M1, M2 in B1 and M3
/// in B2. Accounts: `sec1` (secretary of B1), `off1` (officer of S), `m1` (member M1).
pub async fn district(store: &Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("orgs.csv"),
        "org_id,parent_id,name,kind,established_on\nD,,区,district,2000-01-01\nS,D,街道,street,2000-01-01\nB1,S,第一支部,branch,2001-01-01\nB2,D,第二支部,branch,2001-01-01\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("members.csv"),
        "member_id,org_id,name,gender,birth_date,joined_on,status,category,monthly_dues\n\
         M1,B1,张三,M,1980-01-01,2000-01-01,full,employed,10\n\
         M2,B1,李四,M,1980-01-01,2000-01-01,full,employed,10\n\
         M3,B2,欧阳娜娜,F,1981-01-01,2001-01-01,full,retired,0.5\n",
    )
    .unwrap();
    let report = store::import::import_dir(store, dir.path(), &Default::default()).await.expect("import");
    assert_eq!(report.rejected, 0, "fixture rejected: {:?}", report.rejections);
    for (login, role, org, member) in [("sec1", Role::Secretary, "B1", None), ("off1", Role::Officer, "S", None), ("m1", Role::Member, "B1", Some("M1"))] {
        access::add_user(store, login, role, org, member, "correct horse battery", &access::Actor::cli()).await.expect("add user");
    }
}

pub const MONTH: &str = "2024-05";

/// A lit light of the fixture's tree.
pub fn lit(kind: SubjectKind, subject: &str, org: &str, reason: Reason, light: Light, measure: &str) -> Lit {
    Lit {
        kind,
        subject_id: subject.into(),
        subject_name: format!("name of {subject}"),
        org_id: org.into(),
        org_name: format!("name of {org}"),
        reason,
        light,
        measure: measure.into(),
    }
}

/// `lit` at [`MONTH`], with the fixture's chains of organisations.
pub fn lights(lit: Vec<Lit>) -> Lights {
    let chains = [("B1", vec!["B1", "S", "D"]), ("B2", vec!["B2", "D"]), ("S", vec!["S", "D"]), ("D", vec!["D"])]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
        .collect();
    Lights { month: Some(Period::parse(MONTH).unwrap()), lit, chains }
}
