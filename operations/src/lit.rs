//! What raises a warning (docs/RULES.md §11): each light of §5 at the newest month with data
//! that is not green — a member's `dues` and `absence` lights, a branch's `gap` and `share`
//! lights, each on its own (not only the worst of a subject's two).

use std::collections::HashMap;

use domain::{Light, Period};
use engine::read::{i64s, strs};
use engine::schema as c;
use engine::snapshot::OrgTree;
use engine::{Dataset, Rules};
use polars::prelude::*;

/// Who a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubjectKind {
    Member,
    Org,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Member => "member",
            SubjectKind::Org => "org",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectKind> {
        match s {
            "member" => Some(SubjectKind::Member),
            "org" => Some(SubjectKind::Org),
            _ => None,
        }
    }
}

/// Which light of §5 raised it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    Dues,
    Absence,
    Gap,
    Share,
}

impl Reason {
    pub const ALL: [Reason; 4] = [Reason::Dues, Reason::Absence, Reason::Gap, Reason::Share];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Dues => "dues",
            Reason::Absence => "absence",
            Reason::Gap => "gap",
            Reason::Share => "share",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The reason in words, with its figure: `measure` is the run in months, or for `share`
    /// the red members and all members as `red/all`.
    pub fn words(self, measure: &str) -> String {
        match self {
            Reason::Dues => format!("连续{measure}个月未缴纳党费"),
            Reason::Absence => format!("连续{measure}个月未参加组织生活"),
            Reason::Gap => format!("连续{measure}个月未开展组织生活"),
            Reason::Share => {
                let (red, all) = measure.split_once('/').unwrap_or((measure, "0"));
                let (r, a) = (red.parse::<f64>().unwrap_or(0.0), all.parse::<f64>().unwrap_or(0.0));
                let pct = if a > 0.0 { 100.0 * r / a } else { 0.0 };
                format!("红灯党员占比{pct:.1}%（{red}/{all}）")
            }
        }
    }

    /// What the member is told on its own phone (§11: "您已亮起黄灯，请及时缴纳党费").
    pub fn advice(self, light: Light) -> String {
        let lamp = if light == Light::Red { "红灯" } else { "黄灯" };
        match self {
            Reason::Dues => format!("您已亮起{lamp}，请及时缴纳党费"),
            Reason::Absence => format!("您已亮起{lamp}，请按时参加组织生活"),
            Reason::Gap => format!("支部已亮起{lamp}，请及时开展组织生活"),
            Reason::Share => format!("支部已亮起{lamp}，请督促红灯党员整改"),
        }
    }

    /// What turns the light green again (§5), for the member report: the run it counts ends.
    pub fn clears(self, measure: &str) -> String {
        match self {
            Reason::Dues => format!("补缴拖欠的{measure}个月党费后，该灯即转为绿灯"),
            Reason::Absence => "参加下一次组织生活后，该灯即转为绿灯".into(),
            Reason::Gap => "开展一次组织生活后，该灯即转为绿灯".into(),
            Reason::Share => "红灯党员完成整改、占比回落后，该灯即转为绿灯".into(),
        }
    }
}

/// One light that is on: the warning it raises, keyed (subject, month, reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lit {
    pub kind: SubjectKind,
    pub subject_id: String,
    pub subject_name: String,
    /// The member's organisation, or the branch itself.
    pub org_id: String,
    pub org_name: String,
    pub reason: Reason,
    pub light: Light,
    /// See [`Reason::words`].
    pub measure: String,
}

/// The lights that are on at one month, with the chain of organisations above each
/// organisation they name (itself first), for the recipients.
#[derive(Debug, Clone, Default)]
pub struct Lights {
    pub month: Option<Period>,
    pub lit: Vec<Lit>,
    pub chains: HashMap<String, Vec<String>>,
}

impl Lights {
    /// `org_id` and the organisations above it, nearest first.
    pub fn chain(&self, org_id: &str) -> &[String] {
        self.chains.get(org_id).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The lights on at `month` from the engine's frames of that month ([`engine::lights`]):
/// `member_lights` (`member, member_id, org, org_id, dues_arrears, absence, dues_light,
/// absence_light`) and `branch_lights` (`org, org_id, members, red_members, org_life_gap,
/// gap_light, share_light`).
pub fn from_frames(ds: &Dataset, tree: &OrgTree, month: Period, member_lights: &DataFrame, branch_lights: &DataFrame) -> PolarsResult<Lights> {
    let mut out = Vec::new();
    let on = |l: i64| Light::from_code(l) != Light::Green;

    let ml = member_lights.clone().lazy().filter(col(c::DUES_LIGHT).gt(lit(0i64)).or(col(c::ABSENCE_LIGHT).gt(lit(0i64)))).collect()?;
    let names: HashMap<i64, String> = {
        let wanted: Vec<i64> = i64s(&ml, c::MEMBER)?;
        let wanted = Series::new("w".into(), wanted);
        let n = ds.members.clone().lazy().filter(col(c::ID).is_in(lit(wanted).implode(false), false)).select([col(c::ID), col(c::NAME)]).collect()?;
        i64s(&n, c::ID)?.into_iter().zip(strs(&n, c::NAME)?).collect()
    };
    let (mid, oid, org) = (strs(&ml, c::MEMBER_ID)?, strs(&ml, c::ORG_ID)?, i64s(&ml, c::ORG)?);
    let (member, da, ab, dl, al) =
        (i64s(&ml, c::MEMBER)?, i64s(&ml, c::DUES_ARREARS)?, i64s(&ml, c::ABSENCE)?, i64s(&ml, c::DUES_LIGHT)?, i64s(&ml, c::ABSENCE_LIGHT)?);
    for i in 0..ml.height() {
        let org_name = tree.by_id.get(&org[i]).map(|o| o.name.clone()).unwrap_or_default();
        for (reason, light, run) in [(Reason::Dues, dl[i], da[i]), (Reason::Absence, al[i], ab[i])] {
            if on(light) {
                out.push(Lit {
                    kind: SubjectKind::Member,
                    subject_id: mid[i].clone(),
                    subject_name: names.get(&member[i]).cloned().unwrap_or_default(),
                    org_id: oid[i].clone(),
                    org_name: org_name.clone(),
                    reason,
                    light: Light::from_code(light),
                    measure: run.to_string(),
                });
            }
        }
    }

    let bl = branch_lights.clone().lazy().filter(col(c::GAP_LIGHT).gt(lit(0i64)).or(col(c::SHARE_LIGHT).gt(lit(0i64)))).collect()?;
    let (oid, gap, red, members, gl, sl) = (
        strs(&bl, c::ORG_ID)?,
        i64s(&bl, c::ORG_LIFE_GAP)?,
        i64s(&bl, c::RED_MEMBERS)?,
        i64s(&bl, c::MEMBERS)?,
        i64s(&bl, c::GAP_LIGHT)?,
        i64s(&bl, c::SHARE_LIGHT)?,
    );
    for i in 0..bl.height() {
        let name = tree.by_org_id.get(&oid[i]).and_then(|id| tree.by_id.get(id)).map(|o| o.name.clone()).unwrap_or_default();
        for (reason, light, measure) in [(Reason::Gap, gl[i], gap[i].to_string()), (Reason::Share, sl[i], format!("{}/{}", red[i], members[i]))] {
            if on(light) {
                out.push(Lit {
                    kind: SubjectKind::Org,
                    subject_id: oid[i].clone(),
                    subject_name: name.clone(),
                    org_id: oid[i].clone(),
                    org_name: name.clone(),
                    reason,
                    light: Light::from_code(light),
                    measure,
                });
            }
        }
    }

    let mut chains = HashMap::new();
    for l in &out {
        if chains.contains_key(&l.org_id) {
            continue;
        }
        let mut chain = Vec::new();
        let mut at = tree.by_org_id.get(&l.org_id).copied();
        while let Some(id) = at {
            let Some(info) = tree.by_id.get(&id) else { break };
            chain.push(info.org_id.clone());
            at = info.parent;
        }
        chains.insert(l.org_id.clone(), chain);
    }
    Ok(Lights { month: Some(month), lit: out, chains })
}

/// The lights on at the newest month with data of a dataset loaded from the store (the CLI's
/// way; the server reads the hub's figures instead). Empty when the store holds no data.
pub fn at_newest(ds: &Dataset, rules: &Rules) -> PolarsResult<Lights> {
    let Some(month) = ds.latest_month()?.map(Period) else { return Ok(Lights::default()) };
    let ml = engine::lights::member_lights_frame(ds, rules, month)?;
    let bl = engine::lights::branch_lights_frame(ds, rules, month)?;
    from_frames(ds, &OrgTree::new(ds)?, month, &ml, &bl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(Reason::Dues.words("3"), "连续3个月未缴纳党费");
        assert_eq!(Reason::Share.words("3/20"), "红灯党员占比15.0%（3/20）");
        assert_eq!(Reason::Dues.advice(Light::Yellow), "您已亮起黄灯，请及时缴纳党费");
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
    }
}
