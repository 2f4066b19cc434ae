//! Members (members.csv), membership transfers (transfers.csv) and the development
//! pipeline (candidates.csv).

use std::io;
use std::path::Path;

use super::cal::{self, Window, date_string, fixed2_string};
use super::names;
use super::rng::{Rng, stream};
use super::tree::{Ctype, Focus, Profile, Tree, apportion, org_id};
use super::{CsvOut, csv_writer};

/// Calibration of the learning-app sessions, the bulk of the events: with it the
/// reference district produces about 560 events per member per year.
pub(crate) const STUDY_SCALE: f64 = 1.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Category {
    Employed,
    Retired,
    Mobile,
    NewEconomy,
    Rural,
    Student,
}

impl Category {
    const ALL: [Category; 6] = [Category::Employed, Category::Retired, Category::Mobile, Category::NewEconomy, Category::Rural, Category::Student];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Category::Employed => "employed",
            Category::Retired => "retired",
            Category::Mobile => "mobile",
            Category::NewEconomy => "new_economy",
            Category::Rural => "rural",
            Category::Student => "student",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DuesStyle {
    /// Pays each month within the month (very occasionally a month late).
    Punctual,
    /// Often pays a month or two late.
    Late,
    /// Sometimes pays in two instalments.
    Partial,
    /// Falls into arrears for several months, settling (or not) in one go.
    Arrears,
    /// Pays the rest of the year (or half a year) in advance.
    Advance,
}

#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub org: u32,
    pub name: String,
    pub female: bool,
    pub birth: i32,
    pub joined: i32,
    pub probationary: bool,
    pub cat: Category,
    pub dues_fen: i64,
    // Behaviour, used by the event generator.
    pub attend_p: f64,
    pub leave_p: f64,
    pub away_p: f64,
    pub study_rate: f64,
    pub vol_rate: f64,
    pub vol_join: f64,
    pub model_rate: f64,
    pub dues_style: DuesStyle,
    pub chronic: bool,
    pub committee: bool,
    /// Party group (党小组) within the organisation, `u16::MAX` when it has none.
    pub group: u16,
}

pub(crate) fn member_id(i: u32) -> String {
    format!("M{:07}", i + 1)
}

/// Distributes `members` over the organisations that hold members directly (every
/// branch, a few general branches and committees), at least three each when possible.
pub(crate) fn allocate(tree: &mut Tree, members: u32) {
    let hosts: Vec<usize> = (0..tree.orgs.len()).filter(|&i| tree.orgs[i].host_weight > 0.0).collect();
    let weights: Vec<f64> = hosts.iter().map(|&i| tree.orgs[i].host_weight).collect();
    let parts = apportion(members as u64, &weights, 3);
    for (k, &i) in hosts.iter().enumerate() {
        tree.orgs[i].members = parts[k] as u32;
    }
    let mut next = 0u32;
    for o in tree.orgs.iter_mut() {
        o.first_member = next;
        next += o.members;
    }
    debug_assert_eq!(next, members);
}

/// Per-mille weights of the categories, in `Category::ALL` order.
fn category_mix(ctype: Ctype, focus: Focus) -> [u32; 6] {
    match focus {
        Focus::Retired => return [40, 950, 0, 0, 10, 0],
        Focus::Mobile => return [60, 0, 880, 20, 40, 0],
        Focus::Student => return [50, 0, 0, 0, 0, 950],
        Focus::NewEconomy => return [100, 0, 100, 800, 0, 0],
        Focus::None => {}
    }
    match ctype {
        Ctype::Community => [300, 470, 70, 110, 20, 30],
        Ctype::Village => [50, 110, 130, 10, 700, 0],
        Ctype::Enterprise => [760, 10, 30, 200, 0, 0],
        Ctype::School => [620, 80, 0, 0, 0, 300],
        Ctype::Gov | Ctype::Organ => [880, 120, 0, 0, 0, 0],
        Ctype::Social => [250, 0, 100, 650, 0, 0],
    }
}

/// Monthly dues in fen, after the Party's dues rules (a share of income or pension,
/// small fixed sums for farmers and students, exemption for hardship).
fn draw_dues(rng: &mut Rng, cat: Category) -> i64 {
    let hardship = match cat {
        Category::Retired => 0.012,
        Category::Rural => 0.015,
        Category::Mobile => 0.01,
        _ => 0.004,
    };
    if rng.chance(hardship) {
        return 0;
    }
    if rng.chance(0.02) {
        return *rng.pick(&[2_000, 5_000, 10_000, 20_000]);
    }
    let by_income = |income: i64| -> i64 {
        let permille = match income {
            ..=3_000 => 5,
            3_001..=5_000 => 10,
            5_001..=10_000 => 15,
            _ => 20,
        };
        income * permille / 10
    };
    match cat {
        Category::Employed => {
            // After-tax monthly salary, mostly 3,000–9,000 yuan with a long upper tail.
            let u = rng.f64().min(rng.f64());
            by_income(2_200 + (u * 11_800.0) as i64)
        }
        Category::NewEconomy => by_income(rng.range(3_500, 9_000)),
        Category::Mobile => {
            if rng.chance(0.5) {
                by_income(rng.range(3_000, 9_000))
            } else {
                *rng.pick(&[100, 200, 500, 1_000])
            }
        }
        Category::Retired => {
            let pension = rng.range(2_500, 9_000);
            pension * if pension <= 5_000 { 5 } else { 10 } / 10
        }
        Category::Rural => *rng.pick(&[50, 100, 100, 200, 200, 300, 500, 1_000]),
        Category::Student => *rng.pick(&[20, 20, 50, 100]),
    }
}

pub(crate) fn generate(tree: &Tree, seed: u64, win: &Window) -> Vec<Member> {
    let total: u32 = tree.orgs.iter().map(|o| o.members).sum();
    let years = (win.end_mi - win.start_mi + 1) as f64 / 12.0;
    let mut out = Vec::with_capacity(total as usize);
    for org in 0..tree.orgs.len() {
        let o = &tree.orgs[org];
        let groups = o.groups();
        let committee = o.committee_size();
        for pos in 0..o.members {
            let idx = o.first_member + pos;
            let mut rng = Rng::new(seed, stream::MEMBER, idx as u64);
            let cat = Category::ALL[rng.weighted(&category_mix(o.ctype, o.focus))];
            let u2 = |r: &mut Rng| (r.f64() + r.f64()) / 2.0;
            let age = match cat {
                Category::Employed => 23.0 + 37.0 * u2(&mut rng),
                Category::Retired => 58.0 + 34.0 * rng.f64().min(rng.f64()),
                Category::Rural => 25.0 + 60.0 * u2(&mut rng),
                Category::NewEconomy => 21.0 + 27.0 * u2(&mut rng),
                Category::Mobile => 22.0 + 33.0 * u2(&mut rng),
                Category::Student => 18.6 + 6.4 * rng.f64(),
            };
            let birth = win.end_day - (age * 365.2425) as i32;
            let female_p = match cat {
                Category::Employed => 0.40,
                Category::Retired => 0.27,
                Category::Rural => 0.22,
                Category::NewEconomy => 0.28,
                Category::Mobile => 0.20,
                Category::Student => 0.55,
            };
            let female = rng.chance(female_p);
            let (birth_year, _, _) = cal::civil_from_days(birth);
            let name = names::person(&mut rng, female, birth_year);

            // Joining: most long before the data window, a few (mostly young) during it.
            let eighteen = cal::add_years(birth, 18);
            let latest = win.end_day - 14;
            let recent_p: f64 = match cat {
                Category::Student => 0.55,
                Category::Employed => 0.025 * years,
                Category::NewEconomy => 0.04 * years,
                Category::Mobile | Category::Rural => 0.01 * years,
                Category::Retired => 0.0,
            };
            let recent_lo = eighteen.max(win.start_day);
            let joined = if rng.chance(recent_p.min(0.8)) && recent_lo <= latest {
                rng.range(recent_lo as i64, latest as i64) as i32
            } else {
                let lo = eighteen + rng.range(0, 200) as i32;
                let hi = cal::add_years(birth, 50).min(win.start_day - 1);
                if hi >= lo {
                    let u = rng.f64().min(rng.f64());
                    lo + (u * (hi - lo) as f64) as i32
                } else if recent_lo <= latest {
                    rng.range(recent_lo as i64, latest as i64) as i32
                } else {
                    eighteen.min(latest)
                }
            };
            let probationary = cal::add_years(joined, 1) > win.end_day;
            let dues_fen = draw_dues(&mut rng, cat);

            let profile = o.profile;
            let base_attend = match cat {
                Category::Retired => 0.92,
                Category::Employed => 0.86,
                Category::Student => 0.88,
                Category::Rural => 0.82,
                Category::NewEconomy => 0.72,
                Category::Mobile => 0.45,
            };
            let pf = match profile {
                Profile::Strong => 1.0,
                Profile::Normal => 0.94,
                Profile::Weak => 0.72,
            };
            let chronic_p = match profile {
                Profile::Strong => 0.012,
                Profile::Normal => 0.025,
                Profile::Weak => 0.08,
            };
            let chronic = rng.chance(chronic_p);
            let mut attend_p = (base_attend * pf * rng.uniform(0.85, 1.07)).clamp(0.02, 0.99);
            let mut leave_p = if cat == Category::Mobile { 0.6 } else { 0.45 };
            if profile == Profile::Weak {
                leave_p *= 0.7;
            }
            if chronic {
                attend_p = 0.12;
                leave_p = 0.1;
            }
            let away_p = match cat {
                Category::Mobile => 0.04,
                Category::Employed | Category::NewEconomy => 0.012,
                _ => 0.008,
            };
            let study_base = match rng.below(100) {
                0..8 => 0.03,
                8..33 => rng.uniform(0.3, 1.0),
                33..75 => rng.uniform(1.0, 2.0),
                _ => rng.uniform(2.0, 3.3),
            };
            let study_cat = match cat {
                Category::Retired => 1.2,
                Category::Employed => 1.0,
                Category::Student => 1.05,
                Category::NewEconomy => 0.7,
                Category::Mobile => 0.6,
                Category::Rural => 0.75,
            };
            let (vol_rate, vol_join) = match cat {
                Category::Retired => (0.35, 0.45),
                Category::Student => (0.25, 0.35),
                Category::Employed => (0.12, 0.2),
                _ => (0.08, 0.12),
            };
            let model_rate = 0.0022
                * match profile {
                    Profile::Strong => 1.4,
                    Profile::Normal => 1.0,
                    Profile::Weak => 0.5,
                };
            let mut style_w: [u32; 5] = match profile {
                Profile::Strong => [86, 5, 3, 2, 4],
                Profile::Normal => [78, 9, 4, 4, 5],
                Profile::Weak => [62, 15, 5, 12, 6],
            };
            if cat == Category::Retired {
                style_w[4] *= 3;
            }
            if chronic {
                style_w[3] *= 4;
            }
            let dues_style = match rng.weighted(&style_w) {
                0 => DuesStyle::Punctual,
                1 => DuesStyle::Late,
                2 => DuesStyle::Partial,
                3 => DuesStyle::Arrears,
                _ => DuesStyle::Advance,
            };
            out.push(Member {
                org: org as u32,
                name,
                female,
                birth,
                joined,
                probationary,
                cat,
                dues_fen,
                attend_p,
                leave_p,
                away_p,
                study_rate: study_base * study_cat * STUDY_SCALE,
                vol_rate,
                vol_join,
                model_rate,
                dues_style,
                chronic,
                committee: pos < committee,
                group: if groups > 0 { (pos % groups) as u16 } else { u16::MAX },
            });
        }
    }
    out
}

pub(crate) fn write_members(path: &Path, members: &[Member]) -> io::Result<u64> {
    let mut w = csv_writer(path)?;
    w.write_record(["member_id", "org_id", "name", "gender", "birth_date", "joined_on", "status", "category", "monthly_dues"])?;
    for (i, m) in members.iter().enumerate() {
        w.write_record([
            member_id(i as u32).as_str(),
            org_id(m.org).as_str(),
            m.name.as_str(),
            if m.female { "F" } else { "M" },
            date_string(m.birth).as_str(),
            date_string(m.joined).as_str(),
            if m.probationary { "probationary" } else { "full" },
            m.cat.as_str(),
            fixed2_string(m.dues_fen).as_str(),
        ])?;
    }
    w.flush()?;
    Ok(members.len() as u64)
}

/// 组织关系接转: about 1.8 % of members a year; completed ones moved the member into
/// their current organisation, pending ones (requested in the last weeks) move them out.
pub(crate) fn write_transfers(path: &Path, tree: &Tree, members: &[Member], seed: u64, win: &Window) -> io::Result<u64> {
    let mut w = csv_writer(path)?;
    w.write_record(["transfer_id", "member_id", "from_org_id", "to_org_id", "requested_on", "completed_on"])?;
    let hosts: Vec<u32> = tree.hosts().collect();
    let mut rng = Rng::new(seed, stream::TRANSFERS, 0);
    let years = (win.end_mi - win.start_mi + 1) as f64 / 12.0;
    let p = (0.018 * years).min(0.5);
    let mut n = 0u64;
    if hosts.len() < 2 {
        w.flush()?;
        return Ok(0);
    }
    for (i, m) in members.iter().enumerate() {
        if !rng.chance(p) {
            continue;
        }
        let mut other = *rng.pick(&hosts);
        while other == m.org {
            other = *rng.pick(&hosts);
        }
        let earliest = m.joined.max(win.start_day);
        let (from, to, requested, completed) = if rng.chance(0.1) {
            let lo = earliest.max(win.end_day - 40);
            let req = rng.range(lo as i64, win.end_day as i64) as i32;
            (m.org, other, req, None)
        } else {
            if earliest > win.end_day - 3 {
                continue;
            }
            let req = rng.range(earliest as i64, (win.end_day - 3) as i64) as i32;
            let done = (req + rng.range(1, 30) as i32).min(win.end_day);
            (other, m.org, req, Some(done))
        };
        n += 1;
        w.write_record([
            format!("T{n:06}").as_str(),
            member_id(i as u32).as_str(),
            org_id(from).as_str(),
            org_id(to).as_str(),
            date_string(requested).as_str(),
            completed.map(date_string).unwrap_or_default().as_str(),
        ])?;
    }
    w.flush()?;
    Ok(n)
}

/// 发展党员: one row per step reached. Members who joined in the last three years have
/// their whole path (application → activist → candidate → probationary → full after a
/// year); about 3 % more people are still on the way.
pub(crate) fn write_candidates(path: &Path, tree: &Tree, members: &[Member], seed: u64, win: &Window) -> io::Result<u64> {
    let mut w = csv_writer(path)?;
    w.write_record(["candidate_id", "org_id", "name", "step", "step_on"])?;
    let mut rng = Rng::new(seed, stream::CANDIDATES, 0);
    let since = cal::add_years(win.end_day, -3);
    let mut rows = 0u64;
    let mut person = 0u32;
    fn emit(w: &mut CsvOut, person: u32, org: u32, name: &str, steps: &[(&str, i32)]) -> io::Result<u64> {
        let id = format!("C{person:06}");
        let org = org_id(org);
        for (step, on) in steps {
            w.write_record([id.as_str(), org.as_str(), name, step, date_string(*on).as_str()])?;
        }
        Ok(steps.len() as u64)
    }
    for m in members.iter().filter(|m| m.joined >= since) {
        person += 1;
        let candidate = m.joined - rng.range(60, 200) as i32;
        let activist = candidate - rng.range(365, 500) as i32;
        let application = activist - rng.range(30, 180) as i32;
        let mut steps = vec![("application", application), ("activist", activist), ("candidate", candidate), ("probationary", m.joined)];
        let full = cal::add_years(m.joined, 1);
        if !m.probationary && full <= win.end_day {
            steps.push(("full", full));
        }
        rows += emit(&mut w, person, m.org, &m.name, &steps)?;
    }
    let hosts: Vec<u32> = tree.hosts().collect();
    if !hosts.is_empty() {
        let pipeline = (members.len() as u64 * 3).div_ceil(100);
        for _ in 0..pipeline {
            person += 1;
            let org = *rng.pick(&hosts);
            let female = rng.chance(0.45);
            let application = rng.range((win.end_day - 3 * 365) as i64, (win.end_day - 10) as i64) as i32;
            let (y, _, _) = cal::civil_from_days(application);
            let birth_year = y - rng.range(20, 40) as i32;
            let name = names::person(&mut rng, female, birth_year);
            let mut steps = vec![("application", application)];
            let activist = application + rng.range(30, 180) as i32;
            if activist <= win.end_day && rng.chance(0.75) {
                steps.push(("activist", activist));
                let candidate = activist + rng.range(365, 500) as i32;
                if candidate <= win.end_day && rng.chance(0.7) {
                    steps.push(("candidate", candidate));
                }
            }
            rows += emit(&mut w, person, org, &name, &steps)?;
        }
    }
    w.flush()?;
    Ok(rows)
}
