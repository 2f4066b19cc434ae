//! Member events (events-YYYY.csv), streamed member by member with hand-formatted rows.
//!
//! Volume: about 560 events per member per year, mostly learning-app study sessions and
//! activity attendance. Only one member's events are in memory at a time.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::acts::{ActKind, Activities};
use super::cal::{self, DAY, HOUR, Window};
use super::people::{DuesStyle, Member, member_id};
use super::rng::{Rng, stream};
use super::tree::{Ctype, Org, Tree};

const ATTEND: u8 = 0;
const LEAVE: u8 = 1;
const DUES: u8 = 2;
const MODEL_POST: u8 = 3;
const VOLUNTEER: u8 = 4;
const STUDY: u8 = 5;
const EVALUATION: u8 = 6;
const KIND_NAMES: [&[u8]; 7] = [b"attend", b"leave", b"dues", b"model_post", b"volunteer", b"study", b"evaluation"];

const FENGLING_EJIA: u8 = 0;
const FENGLINGHUI: u8 = 1;
const YONGZHIYUAN: u8 = 2;
const CHECKIN: u8 = 3;
const MANUAL: u8 = 4;
const SOURCE_NAMES: [&[u8]; 5] = [b"fengling_ejia", b"fenglinghui", b"yongzhiyuan", b"checkin", b"manual"];

const NO_ACT: u32 = u32::MAX;
const NO_NUM: i32 = i32::MIN;

/// One event before formatting. `qty` has two implied decimal places.
#[derive(Clone, Copy, Debug)]
struct Ev {
    ts: i64,
    act: u32,
    qty: i32,
    period: i32,
    kind: u8,
    src: u8,
}

impl Ev {
    fn new(ts: i64, kind: u8, src: u8) -> Self {
        Ev { ts, act: NO_ACT, qty: NO_NUM, period: NO_NUM, kind, src }
    }
}

struct Sink {
    path: PathBuf,
    file: File,
    buf: Vec<u8>,
}

const FLUSH_AT: usize = 1 << 20;

/// One output file per calendar year, plus a pre-formatted date for every day.
struct Sinks {
    start_day: i32,
    dates: Vec<[u8; 10]>,
    year_of_day: Vec<u8>,
    sinks: Vec<Sink>,
    next_id: u64,
}

const HEADER: &[u8] = b"event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\n";

impl Sinks {
    fn new(dir: &Path, win: &Window) -> io::Result<Self> {
        let (y0, y1) = (win.start_year(), win.end_year());
        let mut sinks = Vec::new();
        for y in y0..=y1 {
            let path = dir.join(format!("events-{y}.csv"));
            let file = File::create(&path)?;
            let mut buf = Vec::with_capacity(FLUSH_AT + 4096);
            buf.extend_from_slice(HEADER);
            sinks.push(Sink { path, file, buf });
        }
        let mut dates = Vec::new();
        let mut year_of_day = Vec::new();
        let mut tmp = Vec::with_capacity(10);
        for d in win.start_day..=win.end_day {
            tmp.clear();
            cal::push_date(&mut tmp, d);
            dates.push(<[u8; 10]>::try_from(tmp.as_slice()).expect("10-byte date"));
            year_of_day.push((cal::civil_from_days(d).0 - y0) as u8);
        }
        Ok(Sinks { start_day: win.start_day, dates, year_of_day, sinks, next_id: 0 })
    }

    #[inline]
    fn write(&mut self, ev: &Ev, member: &[u8]) -> io::Result<()> {
        let day = ev.ts.div_euclid(DAY) as i32;
        let di = (day - self.start_day) as usize;
        let sink = &mut self.sinks[self.year_of_day[di] as usize];
        let b = &mut sink.buf;
        self.next_id += 1;
        b.push(b'E');
        cal::push_padded(b, self.next_id, 9);
        b.push(b',');
        b.extend_from_slice(member);
        b.push(b',');
        b.extend_from_slice(KIND_NAMES[ev.kind as usize]);
        b.push(b',');
        b.extend_from_slice(&self.dates[di]);
        b.push(b'T');
        cal::push_time(b, ev.ts.rem_euclid(DAY) as u32);
        b.push(b',');
        if ev.act != NO_ACT {
            b.push(b'A');
            cal::push_padded(b, ev.act as u64 + 1, 8);
        }
        b.push(b',');
        if ev.qty != NO_NUM {
            cal::push_fixed2(b, ev.qty as i64);
        }
        b.push(b',');
        if ev.period != NO_NUM {
            cal::push_period(b, ev.period);
        }
        b.push(b',');
        b.extend_from_slice(SOURCE_NAMES[ev.src as usize]);
        b.push(b'\n');
        if b.len() >= FLUSH_AT {
            sink.file.write_all(b)?;
            b.clear();
        }
        Ok(())
    }

    fn finish(self) -> io::Result<Vec<PathBuf>> {
        let mut paths = Vec::new();
        for mut s in self.sinks {
            s.file.write_all(&s.buf)?;
            s.file.flush()?;
            paths.push(s.path);
        }
        Ok(paths)
    }
}

/// Relative frequency of learning-app sessions by hour of the day.
const HOUR_WEIGHTS: [u16; 24] = [4, 2, 1, 1, 1, 6, 30, 60, 55, 45, 45, 45, 70, 50, 40, 40, 40, 45, 55, 80, 110, 110, 70, 30];

/// Per-member scratch space, reused across members.
struct Scratch {
    evs: Vec<Ev>,
    away: Vec<bool>,
    pending: Vec<Pay>,
    hour_lut: Vec<u8>,
}

/// A scheduled dues payment: made in `month` for `period`; `ts` 0 = pick when made.
#[derive(Clone, Copy)]
struct Pay {
    month: i32,
    period: i32,
    amount: i64,
    ts: i64,
}

#[inline]
fn src_of(rng: &mut Rng, choices: &[(u8, u32)]) -> u8 {
    let total: u32 = choices.iter().map(|c| c.1).sum();
    let mut r = rng.below(total as u64) as u32;
    for &(s, w) in choices {
        if r < w {
            return s;
        }
        r -= w;
    }
    choices[0].0
}

/// A payment moment in days `lo..=hi`, skewed towards the start of the range.
fn pay_ts(rng: &mut Rng, lo: i32, hi: i32) -> i64 {
    let d = if rng.chance(0.6) { rng.range(lo as i64, (lo + 9).min(hi) as i64) } else { rng.range(lo as i64, hi as i64) };
    d * DAY + rng.range(8 * HOUR, 23 * HOUR - 1)
}

#[allow(clippy::too_many_arguments)]
fn member_events(m: &Member, org: &Org, acts: &Activities, win: &Window, seed: u64, idx: u32, s: &mut Scratch) {
    let mut rng = Rng::new(seed, stream::EVENTS, idx as u64);
    let evs = &mut s.evs;
    evs.clear();
    let lo_day = m.joined.max(win.start_day);
    if lo_day > win.end_day {
        return;
    }
    let lo_ts = lo_day as i64 * DAY;
    let joined_ts = m.joined as i64 * DAY;
    let lo_mi = cal::month_of_day(lo_day);
    let end_ts = win.end_ts();

    // Months away (working elsewhere, ill, travelling): almost no attendance.
    let months = (win.end_mi - win.start_mi + 1) as usize;
    s.away.clear();
    let mut left = 0;
    for _ in 0..months {
        if left > 0 {
            left -= 1;
            s.away.push(true);
        } else if rng.chance(m.away_p) {
            left = rng.range(1, 3);
            s.away.push(true);
        } else {
            s.away.push(false);
        }
    }

    // Attendance and excused absence at the organisation's activities.
    let (base, list) = acts.of(m.org);
    let consult_p = if matches!(org.ctype, Ctype::Community | Ctype::Village) { 0.4 } else { 0.25 };
    for (k, a) in list.iter().enumerate() {
        if a.ts < joined_ts {
            continue;
        }
        let mi = cal::month_of_day(a.ts.div_euclid(DAY) as i32);
        let away = s.away[(mi - win.start_mi) as usize];
        let (invited, p, leave_f) = match a.kind {
            ActKind::PartyCongress | ActKind::PartyLesson | ActKind::ThemeDay | ActKind::OrgLifeMeeting | ActKind::DemocraticEvaluation => {
                (true, m.attend_p, 1.0)
            }
            ActKind::CommitteeMeeting => (m.committee, if m.chronic { 0.5 } else { 0.95 }, 1.0),
            ActKind::GroupMeeting => (m.group == a.group, m.attend_p, 0.8),
            ActKind::TheoryStudy => (true, m.attend_p * 0.7, 0.4),
            ActKind::DemocraticConsultation => (true, consult_p * m.attend_p, 0.0),
            ActKind::VolunteerActivity => (true, m.vol_join, 0.0),
            ActKind::CondolenceVisit => (true, if m.committee { 0.8 } else { 0.04 }, 0.0),
        };
        if !invited {
            continue;
        }
        let p = if away { p * 0.05 } else { p };
        let act = base + k as u32;
        if rng.chance(p) {
            let ts = (a.ts + rng.range(-900, 1200)).max(lo_ts);
            let src = src_of(&mut rng, &[(CHECKIN, 76), (MANUAL, 18), (FENGLING_EJIA, 6)]);
            evs.push(Ev { act, ..Ev::new(ts, ATTEND, src) });
            if rng.chance(0.006) {
                // Scanned twice, or checked in and also recorded by hand.
                let src = if rng.chance(0.5) { CHECKIN } else { MANUAL };
                evs.push(Ev { act, ..Ev::new(ts + rng.range(60, 1800), ATTEND, src) });
            }
            if a.kind == ActKind::VolunteerActivity {
                let hours = 100 + 50 * rng.range(0, 6) as i32;
                let ts = a.ts + hours as i64 * 36 + rng.range(0, 1800);
                let src = if rng.chance(0.9) { YONGZHIYUAN } else { MANUAL };
                evs.push(Ev { qty: hours, ..Ev::new(ts, VOLUNTEER, src) });
            }
        } else if leave_f > 0.0 && rng.chance(leave_f * if away { 0.25 } else { m.leave_p }) {
            let ts = (a.ts - rng.range(HOUR, 2 * DAY)).max(lo_ts);
            let src = if rng.chance(0.7) { FENGLING_EJIA } else { MANUAL };
            evs.push(Ev { act, ..Ev::new(ts, LEAVE, src) });
        }
    }

    // Month by month: dues, volunteering, model posts, the December evaluation, study.
    let dues = m.dues_fen;
    s.pending.clear();
    let mut paid_through = i32::MIN;
    let mut arrears: Option<(i32, i32)> = None;
    let hour_total = s.hour_lut.len() as u64;
    for mi in lo_mi..=win.end_mi {
        let first = cal::month_first_day(mi);
        let last = cal::month_last_day(mi);
        let d_lo = first.max(lo_day);
        let (_, cm) = cal::year_month(mi);
        let away = s.away[(mi - win.start_mi) as usize];

        if dues > 0 && mi > paid_through {
            let pending = &mut s.pending;
            let mut sched = |month: i32, period: i32, amount: i64, ts: i64| pending.push(Pay { month, period, amount, ts });
            match m.dues_style {
                DuesStyle::Punctual => sched(mi + i32::from(rng.chance(0.03)), mi, dues, 0),
                DuesStyle::Late => {
                    let delay = match rng.below(100) {
                        0..55 => 0,
                        55..85 => 1,
                        _ => 2,
                    };
                    sched(mi + delay, mi, dues, 0);
                }
                DuesStyle::Partial => {
                    if dues >= 2 && rng.chance(0.35) {
                        let part = (dues * rng.range(25, 75) / 100).clamp(1, dues - 1);
                        let t1 = pay_ts(&mut rng, d_lo, last);
                        let month_end = (last as i64 + 1) * DAY - 1;
                        if rng.chance(0.5) && t1 + HOUR < month_end {
                            let t2 = rng.range(t1 + HOUR, month_end.min(t1 + 20 * DAY));
                            sched(mi, mi, part, t1);
                            sched(mi, mi, dues - part, t2);
                        } else {
                            sched(mi, mi, part, t1);
                            sched(mi + 1, mi, dues - part, 0);
                        }
                    } else {
                        sched(mi, mi, dues, 0);
                    }
                }
                DuesStyle::Arrears => match arrears {
                    Some((end, settle)) if mi < end => sched(settle, mi, dues, 0),
                    _ => {
                        arrears = None;
                        if rng.chance(0.09) {
                            let len = rng.range(2, 6) as i32;
                            let settle = if rng.chance(0.35) { i32::MAX } else { mi + len };
                            arrears = Some((mi + len, settle));
                            sched(settle, mi, dues, 0);
                        } else {
                            sched(mi + i32::from(rng.chance(0.15)), mi, dues, 0);
                        }
                    }
                },
                DuesStyle::Advance => {
                    if (cm == 1 || cm == 7 || mi == lo_mi) && rng.chance(0.75) {
                        let k = (if cm == 7 { 6 } else { 13 - cm as i32 }).min(win.end_mi - mi + 1);
                        let t = pay_ts(&mut rng, d_lo, last);
                        for j in 0..k {
                            sched(mi, mi + j, dues, t);
                        }
                        paid_through = mi + k - 1;
                    } else {
                        sched(mi, mi, dues, 0);
                    }
                }
            }
        }
        if !s.pending.is_empty() {
            // Everything outstanding that is paid this month is paid in one visit.
            let mut visit: Option<(i64, u8)> = None;
            for p in s.pending.iter().filter(|p| p.month == mi) {
                let (ts, src) = if p.ts != 0 {
                    (p.ts, src_of(&mut rng, &[(FENGLING_EJIA, 65), (FENGLINGHUI, 15), (MANUAL, 20)]))
                } else {
                    *visit.get_or_insert_with(|| {
                        let ts = pay_ts(&mut rng, d_lo, last);
                        (ts, src_of(&mut rng, &[(FENGLING_EJIA, 65), (FENGLINGHUI, 15), (MANUAL, 20)]))
                    })
                };
                evs.push(Ev { qty: p.amount as i32, period: p.period, ..Ev::new(ts, DUES, src) });
            }
            s.pending.retain(|p| p.month != mi);
        }

        // Volunteering recorded on the volunteer platform.
        if rng.chance(m.vol_rate * if away { 0.3 } else { 1.0 }) {
            let n = 1 + u32::from(rng.chance(0.25));
            for _ in 0..n {
                let d = rng.range(d_lo as i64, last as i64);
                let ts = d * DAY + rng.range(8 * 60, 17 * 60) * 60;
                const HOURS: [(i32, u32); 10] = [(50, 8), (100, 20), (150, 14), (200, 20), (250, 6), (300, 12), (400, 10), (500, 4), (600, 4), (800, 2)];
                let w: [u32; 10] = HOURS.map(|h| h.1);
                let hours = HOURS[rng.weighted(&w)].0;
                let src = if rng.chance(0.9) { YONGZHIYUAN } else { MANUAL };
                evs.push(Ev { qty: hours, ..Ev::new(ts, VOLUNTEER, src) });
            }
        }

        // Model posts (示范岗), rare.
        if rng.chance(m.model_rate * if m.committee { 3.0 } else { 1.0 }) {
            let d = rng.range(d_lo as i64, last as i64);
            let ts = d * DAY + rng.range(9 * 60, 18 * 60) * 60;
            let src = if rng.chance(0.7) { FENGLINGHUI } else { MANUAL };
            evs.push(Ev::new(ts, MODEL_POST, src));
        }

        // Democratic evaluation of the year, after the organisation's evaluation meeting.
        if cm == 12 {
            let month_end = (last as i64 + 1) * DAY - 1;
            let meeting = list.iter().find(|a| a.kind == ActKind::DemocraticEvaluation && a.ts >= first as i64 * DAY && a.ts <= month_end);
            let ts = match meeting {
                Some(a) => (a.ts + rng.range(HOUR, 3 * DAY)).min(month_end - HOUR),
                None => rng.range((first + 19) as i64, last as i64) * DAY + rng.range(9 * HOUR, 17 * HOUR),
            };
            if joined_ts + 7 * DAY <= ts && !rng.chance(0.015) {
                let weights: [u32; 4] = if m.chronic {
                    [5, 55, 28, 12]
                } else if m.attend_p > 0.9 {
                    [35, 63, 2, 0]
                } else if m.attend_p < 0.6 {
                    [8, 80, 10, 2]
                } else {
                    [20, 76, 3, 1]
                };
                let grade = rng.weighted(&weights) as i32 + 1;
                let src = if rng.chance(0.6) { MANUAL } else { FENGLINGHUI };
                evs.push(Ev { qty: grade * 100, period: mi, ..Ev::new(ts, EVALUATION, src) });
                if rng.chance(0.005) {
                    // A corrected grade recorded later (possibly in January).
                    let ts2 = ts + rng.range(2 * DAY, 30 * DAY);
                    if ts2 <= end_ts {
                        let g2 = if grade == 2 { if rng.chance(0.5) { 1 } else { 3 } } else { 2 };
                        evs.push(Ev { qty: g2 * 100, period: mi, ..Ev::new(ts2, EVALUATION, MANUAL) });
                    }
                }
            }
        }

        // Learning-app sessions: E[floor(2xU + V)] = x sessions a day.
        let rate = m.study_rate * if away { 0.7 } else { 1.0 };
        for d in d_lo..=last {
            let x = rate * if cal::is_weekend(d) { 1.25 } else { 0.9 };
            let n = (x * 2.0 * rng.f64() + rng.f64()) as u32;
            for _ in 0..n {
                let h = s.hour_lut[rng.below(hour_total) as usize] as i64;
                let ts = d as i64 * DAY + h * HOUR + rng.below(3600) as i64;
                let src = if rng.chance(0.85) { FENGLING_EJIA } else { FENGLINGHUI };
                evs.push(Ev::new(ts, STUDY, src));
            }
        }
    }
    evs.sort_by_key(|e| e.ts);
    debug_assert!(evs.iter().all(|e| e.ts >= lo_ts && e.ts <= end_ts));
}

/// Writes every member's events; returns the number of events and the files written.
pub(crate) fn write_events(
    dir: &Path,
    tree: &Tree,
    members: &[Member],
    acts: &Activities,
    win: &Window,
    seed: u64,
    progress: Option<&indicatif::ProgressBar>,
) -> io::Result<(u64, Vec<PathBuf>)> {
    let mut sinks = Sinks::new(dir, win)?;
    let mut hour_lut = Vec::new();
    for (h, &w) in HOUR_WEIGHTS.iter().enumerate() {
        hour_lut.extend(std::iter::repeat_n(h as u8, w as usize));
    }
    let mut s = Scratch { evs: Vec::with_capacity(4096), away: Vec::new(), pending: Vec::new(), hour_lut };
    if let Some(pb) = progress {
        pb.set_length(members.len() as u64);
        pb.set_position(0);
    }
    for (i, m) in members.iter().enumerate() {
        member_events(m, &tree.orgs[m.org as usize], acts, win, seed, i as u32, &mut s);
        let id = member_id(i as u32);
        for ev in &s.evs {
            sinks.write(ev, id.as_bytes())?;
        }
        if let Some(pb) = progress
            && i % 256 == 255
        {
            pb.set_position(i as u64 + 1);
        }
    }
    if let Some(pb) = progress {
        pb.set_position(members.len() as u64);
    }
    let n = sinks.next_id;
    let paths = sinks.finish()?;
    Ok((n, paths))
}
