//! Activities (activities.csv): each grassroots organisation's 三会一课, theme days,
//! organisation-life meetings, study sessions, consultations, evaluations, volunteer
//! work and year-end visits, month by month, with realistic irregularities.

use std::io;
use std::path::Path;

use super::cal::{self, DAY, HOUR, Window, cn_num};
use super::csv_writer;
use super::rng::{Rng, stream};
use super::tree::{Ctype, Kind, Org, Profile, Tree, org_id};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ActKind {
    PartyCongress,
    CommitteeMeeting,
    GroupMeeting,
    PartyLesson,
    ThemeDay,
    OrgLifeMeeting,
    TheoryStudy,
    DemocraticConsultation,
    DemocraticEvaluation,
    VolunteerActivity,
    CondolenceVisit,
}

impl ActKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ActKind::PartyCongress => "party_congress",
            ActKind::CommitteeMeeting => "committee_meeting",
            ActKind::GroupMeeting => "group_meeting",
            ActKind::PartyLesson => "party_lesson",
            ActKind::ThemeDay => "theme_day",
            ActKind::OrgLifeMeeting => "org_life_meeting",
            ActKind::TheoryStudy => "theory_study",
            ActKind::DemocraticConsultation => "democratic_consultation",
            ActKind::DemocraticEvaluation => "democratic_evaluation",
            ActKind::VolunteerActivity => "volunteer_activity",
            ActKind::CondolenceVisit => "condolence_visit",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Act {
    pub ts: i64,
    pub kind: ActKind,
    /// Party group for group meetings, `u16::MAX` otherwise.
    pub group: u16,
}

pub(crate) fn activity_id(i: u32) -> String {
    format!("A{:08}", i + 1)
}

/// All activities, grouped by organisation in tree order and chronological within it;
/// the activity id is the index + 1.
pub(crate) struct Activities {
    pub acts: Vec<Act>,
    /// `ranges[org]` = the organisation's slice of `acts`.
    pub ranges: Vec<(u32, u32)>,
}

impl Activities {
    pub(crate) fn of(&self, org: u32) -> (u32, &[Act]) {
        let (a, b) = self.ranges[org as usize];
        (a, &self.acts[a as usize..b as usize])
    }
}

const THEMES: &[&str] = &[
    "重温入党誓词",
    "学习贯彻党的二十届四中全会精神",
    "学习新修订的《中国共产党纪律处分条例》",
    "开展\"我为群众办实事\"实践活动",
    "走进红色教育基地, 传承红色基因",
    "垃圾分类进小区",
    "党员亮身份、践承诺",
    "清廉建设专题学习",
    "学党史, 悟思想, 办实事, 开新局",
    "平安建设志愿巡逻",
    "\"七一\"主题党日：重温初心",
    "文明城市创建在行动",
    "党员政治生日",
    "国家安全教育",
    "法治宣传进网格",
    "关爱\"一老一小\"",
];

const LESSONS: &[&str] = &[
    "坚定理想信念, 筑牢信仰之基",
    "新时代党员如何发挥先锋模范作用",
    "从党史中汲取奋进力量",
    "以高质量党建引领基层治理",
    "严守纪律规矩, 永葆清正廉洁",
    "中国式现代化的理论与实践",
    "弘扬伟大建党精神",
    "党章党规党纪学习",
    "践行全过程人民民主",
    "发展新质生产力的实践路径",
];

const STUDIES: &[&str] = &[
    "《习近平谈治国理政》第五卷",
    "党的二十大报告原文",
    "《中国共产党章程》",
    "《中国共产党支部工作条例（试行）》",
    "《中国共产党党员教育管理工作条例》",
    "习近平总书记重要讲话精神",
    "《中国共产党纪律处分条例》",
    "《关于新时代加强和改进思想政治工作的意见》",
];

const ISSUES_COMMUNITY: &[&str] =
    &["小区停车位规划", "老旧小区加装电梯, 费用分摊方案", "垃圾分类设施选址", "物业服务质量提升", "社区养老服务站建设", "小区公共收益使用", "背街小巷整治"];
const ISSUES_VILLAGE: &[&str] = &["村集体资金使用", "村道硬化工程", "土地流转方案", "人居环境整治", "村规民约修订", "集体经济项目选址"];
const ISSUES_UNIT: &[&str] = &["职工福利方案", "年度工作计划", "安全生产责任制落实", "党建和业务融合, 互促共进"];

const VOLUNTEER: &[&str] = &[
    "社区环境整治",
    "关爱空巢老人",
    "文明交通劝导",
    "义务理发",
    "反诈宣传进小区",
    "爱心献血",
    "河道清洁",
    "助老助残上门服务",
    "疫苗接种引导",
    "图书馆志愿服务",
];

fn title(rng: &mut Rng, org: &Org, kind: ActKind, mi: i32, group: u16) -> String {
    let (y, m) = cal::year_month(mi);
    let q = (m - 1) / 3 + 1;
    match kind {
        ActKind::PartyCongress => match rng.below(4) {
            0 => format!("{y}年第{}季度党员大会", cn_num(q)),
            1 => "党员大会：讨论接收预备党员".to_string(),
            2 => "党员大会: 通报党费收缴情况, 部署下阶段工作".to_string(),
            _ => format!("{y}年第{}季度党员大会暨主题学习", cn_num(q)),
        },
        ActKind::CommitteeMeeting => match org.kind {
            Kind::Committee => format!("{y}年{m}月党委会"),
            Kind::GeneralBranch => format!("{y}年{m}月党总支委员会会议"),
            _ => format!("{y}年{m}月支委会"),
        },
        ActKind::GroupMeeting => format!("第{}党小组{m}月党小组会", cn_num(group as u32 + 1)),
        ActKind::PartyLesson => format!("党课：{}", rng.pick(LESSONS)),
        ActKind::ThemeDay => format!("{m}月主题党日：{}", rng.pick(THEMES)),
        ActKind::OrgLifeMeeting => {
            let year = if m <= 6 { y - 1 } else { y };
            format!("{year}年度组织生活会")
        }
        ActKind::TheoryStudy => format!("理论学习：{}", rng.pick(STUDIES)),
        ActKind::DemocraticConsultation => {
            let pool = match org.ctype {
                Ctype::Community => ISSUES_COMMUNITY,
                Ctype::Village => ISSUES_VILLAGE,
                _ => ISSUES_UNIT,
            };
            format!("民主协商议事会：{}", rng.pick(pool))
        }
        ActKind::DemocraticEvaluation => format!("{y}年度民主评议党员大会"),
        ActKind::VolunteerActivity => format!("志愿服务：{}", rng.pick(VOLUNTEER)),
        ActKind::CondolenceVisit => {
            if m == 12 {
                format!("{y}年末走访慰问老党员、困难党员")
            } else {
                format!("{y}年春节前走访慰问困难党员和群众")
            }
        }
    }
}

/// A start time (seconds of the day), always between 08:30 and 20:00.
fn time_of_day(rng: &mut Rng, ctype: Ctype, kind: ActKind) -> i64 {
    let slots: &[(i64, i64)] = match (ctype, kind) {
        (_, ActKind::VolunteerActivity) => &[(8, 30), (9, 0), (14, 0), (15, 0)],
        (Ctype::Community | Ctype::Village, ActKind::ThemeDay | ActKind::PartyCongress) => &[(9, 0), (9, 30), (14, 30), (15, 0)],
        (Ctype::Community | Ctype::Village, _) => &[(9, 0), (14, 30), (15, 0), (19, 0), (19, 30)],
        (Ctype::Social, _) => &[(10, 0), (14, 30), (19, 0), (19, 30), (20, 0)],
        _ => &[(9, 0), (10, 0), (14, 0), (14, 30), (15, 0), (16, 0)],
    };
    let (h, m) = *rng.pick(slots);
    h * HOUR + m * 60
}

/// Units meet on working days: move a weekend day to the nearest weekday in range.
fn working_day(d: i32, lo: i32, hi: i32) -> i32 {
    let mut d = d;
    if cal::is_weekend(d) {
        let back = d - (cal::weekday(d) as i32 - 4);
        let fwd = d + (7 - cal::weekday(d) as i32);
        d = if back >= lo {
            back
        } else if fwd <= hi {
            fwd
        } else {
            d
        };
    }
    d
}

/// Generates the activities of every grassroots organisation and writes activities.csv.
pub(crate) fn generate(path: &Path, tree: &Tree, seed: u64, win: &Window) -> io::Result<Activities> {
    let mut w = csv_writer(path)?;
    w.write_record(["activity_id", "org_id", "kind", "held_at", "title"])?;
    let mut acts: Vec<Act> = Vec::new();
    let mut ranges = vec![(0u32, 0u32); tree.orgs.len()];
    let mut month: Vec<(Act, String)> = Vec::new();
    let mut ts_buf = Vec::with_capacity(19);
    for (oi, o) in tree.orgs.iter().enumerate() {
        let start = acts.len() as u32;
        if o.kind.is_grassroots() {
            let mut rng = Rng::new(seed, stream::ACTIVITY, oi as u64);
            let first_day = o.established.max(win.start_day);
            let has_members = o.members > 0;
            let groups = o.groups();
            let unit_like = !matches!(o.ctype, Ctype::Community | Ctype::Village);
            // Per-organisation habits.
            let theme_dom = rng.range(5, 25) as i32;
            let congress_q = rng.range(0, 2) as u32;
            let lesson_q = rng.range(0, 2) as u32;
            let olm_month = match rng.below(10) {
                0..6 => 1,
                6..9 => 2,
                _ => 12,
            };
            let (p_hold, p_skip, p_skip_more) = match o.profile {
                Profile::Strong => (0.97, 0.004, 0.2),
                Profile::Normal => (0.9, 0.02, 0.35),
                Profile::Weak => (0.62, 0.16, 0.55),
            };
            let mut skipped_last = false;
            for mi in win.months() {
                let lo = cal::month_first_day(mi).max(first_day);
                let hi = cal::month_last_day(mi);
                if lo > hi {
                    continue;
                }
                // Months with no organisation life at all (→ org-life gap lights).
                let skip = rng.chance(if skipped_last { p_skip_more } else { p_skip });
                skipped_last = skip;
                if skip {
                    continue;
                }
                let (_, m) = cal::year_month(mi);
                let q_pos = (m - 1) % 3;
                month.clear();
                let mut push = |rng: &mut Rng, kind: ActKind, day: i32, group: u16| {
                    let day = day.clamp(lo, hi);
                    let day = if unit_like && kind != ActKind::VolunteerActivity { working_day(day, lo, hi) } else { day };
                    let ts = day as i64 * DAY + time_of_day(rng, o.ctype, kind);
                    let t = title(rng, o, kind, mi, group);
                    month.push((Act { ts, kind, group }, t));
                };
                let any_day = |rng: &mut Rng| rng.range(lo as i64, hi as i64) as i32;
                let first = cal::month_first_day(mi);
                if o.has_committee() && rng.chance(p_hold) {
                    let d = first + rng.range(1, 9) as i32;
                    push(&mut rng, ActKind::CommitteeMeeting, d, u16::MAX);
                }
                for g in 0..groups {
                    if rng.chance(p_hold - 0.05) {
                        let d = any_day(&mut rng);
                        push(&mut rng, ActKind::GroupMeeting, d, g as u16);
                    }
                }
                if has_members && rng.chance(p_hold) {
                    let d = first + theme_dom - 1 + rng.range(-2, 2) as i32;
                    push(&mut rng, ActKind::ThemeDay, d, u16::MAX);
                }
                if has_members && q_pos == congress_q && rng.chance(p_hold - 0.03) {
                    let d = any_day(&mut rng);
                    push(&mut rng, ActKind::PartyCongress, d, u16::MAX);
                }
                if q_pos == lesson_q && rng.chance(p_hold - 0.05) {
                    let d = any_day(&mut rng);
                    push(&mut rng, ActKind::PartyLesson, d, u16::MAX);
                }
                if has_members && m == olm_month && rng.chance(p_hold) {
                    let d = any_day(&mut rng);
                    push(&mut rng, ActKind::OrgLifeMeeting, d, u16::MAX);
                }
                if rng.chance(p_hold * 0.7) {
                    let d = any_day(&mut rng);
                    push(&mut rng, ActKind::TheoryStudy, d, u16::MAX);
                }
                let consult_p = match o.ctype {
                    Ctype::Community | Ctype::Village => 0.35,
                    _ => 0.12,
                };
                if has_members && rng.chance(consult_p * p_hold) {
                    let d = any_day(&mut rng);
                    push(&mut rng, ActKind::DemocraticConsultation, d, u16::MAX);
                }
                if has_members && m == 12 && rng.chance(p_hold) {
                    let d = first + rng.range(9, 27) as i32;
                    push(&mut rng, ActKind::DemocraticEvaluation, d, u16::MAX);
                }
                let volunteer_n = match (has_members, o.ctype) {
                    (false, _) => u64::from(rng.chance(0.2)),
                    (true, Ctype::Community | Ctype::Village) => rng.below(3),
                    (true, _) => u64::from(rng.chance(0.6)),
                };
                for _ in 0..volunteer_n {
                    if rng.chance(p_hold) {
                        let d = any_day(&mut rng);
                        push(&mut rng, ActKind::VolunteerActivity, d, u16::MAX);
                    }
                }
                if (m == 1 && rng.chance(0.6 * p_hold)) || (m == 12 && rng.chance(0.45 * p_hold)) {
                    let d = if m == 12 { first + rng.range(19, 30) as i32 } else { first + rng.range(9, 24) as i32 };
                    push(&mut rng, ActKind::CondolenceVisit, d, u16::MAX);
                }
                // Chronological within the month (the stable sort keeps ties in push order).
                month.sort_by_key(|(a, _)| a.ts);
                let oid = org_id(oi as u32);
                for (a, t) in month.drain(..) {
                    ts_buf.clear();
                    cal::push_ts(&mut ts_buf, a.ts);
                    let id = activity_id(acts.len() as u32);
                    w.write_record([id.as_bytes(), oid.as_bytes(), a.kind.as_str().as_bytes(), ts_buf.as_slice(), t.as_bytes()])?;
                    acts.push(a);
                }
            }
        }
        ranges[oi] = (start, acts.len() as u32);
    }
    w.flush()?;
    Ok(Activities { acts, ranges })
}
