//! The resource library (resources.csv), star ratings (ratings.csv) and secretary
//! projects (projects.csv).

use std::io;
use std::path::Path;

use super::cal::{self, Window, date_string};
use super::csv_writer;
use super::names;
use super::rng::{Rng, stream};
use super::tree::{Ctype, Kind, Profile, Tree, org_id};

/// Topic tags; the first seven are the ones the indicator catalogue prescribes from.
const MAIN_TAGS: [&str; 7] = ["三会一课", "组织生活", "党费", "志愿服务", "理论学习", "民主评议", "发展党员"];
const OTHER_TAGS: [&str; 6] = ["主题党日", "党史学习", "廉政教育", "基层治理", "组织关系接转", "慰问帮扶"];

/// Lesson topics and video titles per main tag.
fn topics(tag: usize) -> (&'static [&'static str], &'static [&'static str]) {
    match tag {
        0 => (
            &["如何开好支部委员会", "\"三会一课\"规范化操作指引", "党小组会怎么开, 开什么", "党员大会的议事规则"],
            &["三会一课标准流程示范", "一次规范的支部党员大会"],
        ),
        1 => (&["开好组织生活会的五个要点", "批评与自我批评的艺术", "主题党日活动如何出新出彩"], &["组织生活会现场实录", "主题党日的N种打开方式"]),
        2 => (&["党费的故事", "按时足额交纳党费是党员的义务", "党费收缴、使用和管理规定解读"], &["一笔特殊的党费", "账本里的初心"]),
        3 => (&["党员志愿服务的实践与思考", "在职党员进社区, 服务群众零距离"], &["志愿红, 温暖城", "他们在网格里"]),
        4 => (&["坚定理想信念, 筑牢信仰之基", "中国式现代化的理论与实践", "发展新质生产力的实践路径", "弘扬伟大建党精神"], &["榜样", "初心", "红色印记"]),
        5 => (&["民主评议党员怎么评", "锋领指数评价解读", "如何开展批评与自我批评"], &["民主评议党员大会示范", "镜子"]),
        _ => (&["发展党员工作程序二十五步", "入党积极分子培养考察要点", "预备党员的教育考察"], &["入党那一天", "一张党员证"]),
    }
}

const LECTURER_TITLES: &[&str] = &[
    "区委党校教授",
    "区委党校讲师",
    "市委讲师团成员",
    "社区书记",
    "老党员宣讲员",
    "劳动模范",
    "大学思政课教师",
    "退役军人宣讲员",
    "优秀共产党员",
    "村党组织书记",
];

const BASES: &[&str] = &["党史馆", "革命烈士纪念馆", "红色教育基地", "廉政教育基地", "党群服务中心", "村史馆", "新时代文明实践站", "先锋驿站"];

/// About 200 items: lecturers, lessons, videos and education bases, each tagged.
pub(crate) fn write_resources(path: &Path, seed: u64) -> io::Result<u64> {
    let mut w = csv_writer(path)?;
    w.write_record(["resource_id", "kind", "title", "tags"])?;
    let mut rng = Rng::new(seed, stream::RESOURCES, 0);
    let plan: [(&str, u32); 4] = [("lecturer", 50), ("lesson", 70), ("video", 50), ("base", 30)];
    let mut n = 0u32;
    let mut seen = std::collections::HashSet::new();
    for (kind, count) in plan {
        for j in 0..count {
            let main = (n as usize) % MAIN_TAGS.len();
            n += 1;
            let (lessons, videos) = topics(main);
            let mut title = match kind {
                "lecturer" => {
                    let female = rng.chance(0.4);
                    let birth = rng.range(1955, 1990) as i32;
                    let person = names::person(&mut rng, female, birth);
                    format!("{person}（{}）", rng.pick(LECTURER_TITLES))
                }
                "lesson" => {
                    if j == 0 {
                        // A title over two lines, to exercise RFC 4180 quoting of line breaks.
                        "支部书记讲党课：守初心, 担使命\n（讲稿及课件）".to_string()
                    } else {
                        format!("微党课：{}", rng.pick(lessons))
                    }
                }
                "video" => format!("专题片《{}》", rng.pick(videos)),
                _ => {
                    let place = if rng.chance(0.5) {
                        format!("{}{}", names::STREETS[rng.below(names::STREETS.len() as u64) as usize], "街道")
                    } else {
                        names::DISTRICT.to_string()
                    };
                    format!("{place}{}", rng.pick(BASES))
                }
            };
            // Keep titles distinct: number repeats as episodes.
            let base = title.clone();
            let mut k = 2;
            while !seen.insert(title.clone()) {
                title = format!("{base}（第{}讲）", cal::cn_num(k));
                k += 1;
            }
            let mut tags = vec![MAIN_TAGS[main]];
            for _ in 0..rng.below(3) {
                let t = if rng.chance(0.5) { *rng.pick(&MAIN_TAGS) } else { *rng.pick(&OTHER_TAGS) };
                if !tags.contains(&t) {
                    tags.push(t);
                }
            }
            w.write_record([format!("R{n:04}").as_str(), kind, title.as_str(), tags.join(";").as_str()])?;
        }
    }
    w.flush()?;
    Ok(n as u64)
}

/// Calendar years whose star rating has been given: those that ended inside the window.
fn rated_years(win: &Window) -> std::ops::RangeInclusive<i32> {
    let (ey, em) = cal::year_month(win.end_mi);
    let last = if em == 12 { ey } else { ey - 1 };
    win.start_year()..=last
}

/// 星级考评: one rating per grassroots organisation and completed year.
pub(crate) fn write_ratings(path: &Path, tree: &Tree, seed: u64, win: &Window) -> io::Result<u64> {
    let mut w = csv_writer(path)?;
    w.write_record(["org_id", "year", "stars"])?;
    let mut n = 0;
    for (i, o) in tree.orgs.iter().enumerate() {
        if !o.kind.is_grassroots() {
            continue;
        }
        let mut rng = Rng::new(seed, stream::RATINGS, i as u64);
        for y in rated_years(win) {
            if o.established > cal::days_from_civil(y, 12, 31) {
                continue;
            }
            let weights: [u32; 5] = match o.profile {
                Profile::Strong => [0, 2, 10, 48, 40],
                Profile::Normal => [1, 14, 50, 30, 5],
                Profile::Weak => [25, 45, 27, 3, 0],
            };
            let stars = rng.weighted(&weights) + 1;
            w.write_record([org_id(i as u32), y.to_string(), stars.to_string()])?;
            n += 1;
        }
    }
    w.flush()?;
    Ok(n)
}

fn project_themes(ctype: Ctype) -> &'static [&'static str] {
    match ctype {
        Ctype::Community => {
            &["老旧小区加装电梯", "垃圾分类精准投放", "红色物业提质增效", "社区养老服务站建设", "停车难综合治理", "流动人口服务管理, 网格化全覆盖"]
        }
        Ctype::Village => &["村集体经济增收", "人居环境整治提升", "高标准农田建设", "乡村旅游发展", "农村电商带富"],
        Ctype::Enterprise => &["党建引领科技攻关", "安全生产标准化", "新就业群体党建覆盖", "降本增效"],
        Ctype::School => &["\"双减\"课后服务提质", "师德师风建设", "校园安全提升"],
        Ctype::Gov | Ctype::Organ => &["营商环境优化", "\"最多跑一次\"改革深化", "基层减负, 提质增效", "矛盾纠纷多元化解"],
        Ctype::Social => &["快递小哥暖心驿站建设", "行业党建联盟", "新业态劳动者权益保障"],
    }
}

/// 书记攻坚项目: most committees and general branches, a few branches, each year.
pub(crate) fn write_projects(path: &Path, tree: &Tree, seed: u64, win: &Window) -> io::Result<u64> {
    let mut w = csv_writer(path)?;
    w.write_record(["project_id", "org_id", "title", "started_on", "due_on", "completed_on", "progress"])?;
    let mut n = 0u32;
    for (i, o) in tree.orgs.iter().enumerate() {
        if !o.kind.is_grassroots() {
            continue;
        }
        let mut rng = Rng::new(seed, stream::PROJECTS, i as u64);
        let mut p = match o.kind {
            Kind::Committee => 0.8,
            Kind::GeneralBranch => 0.5,
            _ => 0.15,
        };
        let p_done = match o.profile {
            Profile::Strong => {
                p *= 1.2;
                0.85
            }
            Profile::Normal => 0.7,
            Profile::Weak => {
                p *= 0.6;
                0.4
            }
        };
        for y in win.start_year()..=win.end_year() {
            if !rng.chance(p) {
                continue;
            }
            let lo = cal::days_from_civil(y, 1, 1).max(win.start_day).max(o.established);
            let hi = cal::days_from_civil(y, 12, 31).min(win.end_day - 1);
            if lo > hi {
                continue;
            }
            let started = rng.range(lo as i64, hi as i64) as i32;
            let due = started + rng.range(90, 365) as i32;
            let done = started + rng.range(60, (due - started + 45) as i64) as i32;
            let (completed, progress) = if rng.chance(p_done) && done <= win.end_day {
                (Some(done), 100)
            } else {
                let elapsed = (win.end_day - started) as f64 / (due - started) as f64;
                let pr = (elapsed * 100.0 * rng.uniform(0.6, 1.1)).clamp(0.0, 99.0) as u32;
                (None, pr)
            };
            n += 1;
            let title = format!("{y}年书记项目：{}", rng.pick(project_themes(o.ctype)));
            w.write_record([
                format!("P{n:05}"),
                org_id(i as u32),
                title,
                date_string(started),
                date_string(due),
                completed.map(date_string).unwrap_or_default(),
                progress.to_string(),
            ])?;
        }
    }
    w.flush()?;
    Ok(n as u64)
}
