//! The seeder's calendar (domain's days, months and periods) and hand-rolled text
//! formatting (fast, for tens of millions of rows).
//!
//! Days are counted from 1970-01-01 (day 0) in the proleptic Gregorian calendar
//! ([`domain::time`]); a timestamp is `day * 86_400 + seconds of the day`,
//! local time of Asia/Shanghai (no DST, so every day has 86,400 seconds). Months are
//! numbered `year * 12 + (month - 1)` so that consecutive months differ by one.

use std::io;

pub(crate) const DAY: i64 = 86_400;
pub(crate) const HOUR: i64 = 3_600;

// The civil calendar is domain's: one implementation of day arithmetic in the workspace.
pub(crate) use domain::time::{civil_from_days, days_from_civil, days_in_month};
use domain::{Date, Period};

/// 0 = Monday … 6 = Sunday.
pub(crate) fn weekday(z: i32) -> u32 {
    (z as i64 + 3).rem_euclid(7) as u32
}

pub(crate) fn is_weekend(z: i32) -> bool {
    weekday(z) >= 5
}

/// A month as domain's [`Period`] number (`year * 12 + month - 1`).
pub(crate) fn month_index(y: i32, m: u32) -> i32 {
    Period::new(y, m).0
}

pub(crate) fn year_month(mi: i32) -> (i32, u32) {
    (Period(mi).year(), Period(mi).month())
}

pub(crate) fn month_first_day(mi: i32) -> i32 {
    Period(mi).first_day().0
}

pub(crate) fn month_last_day(mi: i32) -> i32 {
    Period(mi).last_day().0
}

pub(crate) fn month_of_day(z: i32) -> i32 {
    Date(z).period().0
}

/// The same calendar day `years` later (29 Feb → 28 Feb in common years).
pub(crate) fn add_years(z: i32, years: i32) -> i32 {
    let (y, m, d) = civil_from_days(z);
    let y2 = y + years;
    days_from_civil(y2, m, d.min(days_in_month(y2, m)))
}

/// The data window: `12 * years` calendar months ending with `end_month`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub start_mi: i32,
    pub end_mi: i32,
    pub start_day: i32,
    pub end_day: i32,
}

impl Window {
    pub(crate) fn new(years: u32, end_month: (i32, u32)) -> io::Result<Self> {
        let (y, m) = end_month;
        if !(1..=12).contains(&m) || !(1900..=9000).contains(&y) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("end_month {y}-{m} is not a valid month")));
        }
        let years = years.clamp(1, 200) as i32;
        let end_mi = month_index(y, m);
        let start_mi = end_mi - 12 * years + 1;
        Ok(Window { start_mi, end_mi, start_day: month_first_day(start_mi), end_day: month_last_day(end_mi) })
    }

    #[cfg(test)]
    pub(crate) fn start_ts(&self) -> i64 {
        self.start_day as i64 * DAY
    }

    /// The last second of the window (23:59:59 of its last day).
    pub(crate) fn end_ts(&self) -> i64 {
        (self.end_day as i64 + 1) * DAY - 1
    }

    pub(crate) fn start_year(&self) -> i32 {
        year_month(self.start_mi).0
    }

    pub(crate) fn end_year(&self) -> i32 {
        year_month(self.end_mi).0
    }

    pub(crate) fn months(&self) -> std::ops::RangeInclusive<i32> {
        self.start_mi..=self.end_mi
    }
}

// ---------------------------------------------------------------------------------------
// Formatting straight into byte buffers (the hot path writes tens of millions of rows).

#[inline]
pub(crate) fn push_padded(buf: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut tmp = [b'0'; 20];
    let mut i = 20;
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let digits = 20 - i;
    for _ in digits..width {
        buf.push(b'0');
    }
    buf.extend_from_slice(&tmp[i..]);
}

#[inline]
fn push2(buf: &mut Vec<u8>, v: u32) {
    buf.push(b'0' + (v / 10) as u8);
    buf.push(b'0' + (v % 10) as u8);
}

/// `YYYY-MM-DD`.
pub(crate) fn push_date(buf: &mut Vec<u8>, z: i32) {
    let (y, m, d) = civil_from_days(z);
    push_padded(buf, y as u64, 4);
    buf.push(b'-');
    push2(buf, m);
    buf.push(b'-');
    push2(buf, d);
}

pub(crate) fn date_string(z: i32) -> String {
    let mut b = Vec::with_capacity(10);
    push_date(&mut b, z);
    String::from_utf8(b).expect("ascii")
}

/// `HH:MM:SS`.
#[inline]
pub(crate) fn push_time(buf: &mut Vec<u8>, secs: u32) {
    push2(buf, secs / 3600);
    buf.push(b':');
    push2(buf, secs / 60 % 60);
    buf.push(b':');
    push2(buf, secs % 60);
}

/// `YYYY-MM-DDTHH:MM:SS`.
pub(crate) fn push_ts(buf: &mut Vec<u8>, ts: i64) {
    push_date(buf, ts.div_euclid(DAY) as i32);
    buf.push(b'T');
    push_time(buf, ts.rem_euclid(DAY) as u32);
}

#[cfg(test)]
pub(crate) fn ts_string(ts: i64) -> String {
    let mut b = Vec::with_capacity(19);
    push_ts(&mut b, ts);
    String::from_utf8(b).expect("ascii")
}

/// `YYYY-MM`.
#[inline]
pub(crate) fn push_period(buf: &mut Vec<u8>, mi: i32) {
    let (y, m) = year_month(mi);
    push_padded(buf, y as u64, 4);
    buf.push(b'-');
    push2(buf, m);
}

/// An exact decimal with two implied places (fen, or hundredths of an hour), printed
/// as the shortest exact text: `1235` → `12.35`, `550` → `5.5`, `200` → `2`.
#[inline]
pub(crate) fn push_fixed2(buf: &mut Vec<u8>, v: i64) {
    debug_assert!(v >= 0);
    let v = v as u64;
    let (int, frac) = (v / 100, (v % 100) as u32);
    push_padded(buf, int, 1);
    if frac != 0 {
        buf.push(b'.');
        buf.push(b'0' + (frac / 10) as u8);
        if frac % 10 != 0 {
            buf.push(b'0' + (frac % 10) as u8);
        }
    }
}

pub(crate) fn fixed2_string(v: i64) -> String {
    let mut b = Vec::with_capacity(8);
    push_fixed2(&mut b, v);
    String::from_utf8(b).expect("ascii")
}

/// Chinese numeral for 1..=99 (一, 十, 十二, 二十, 二十三 …); larger values in digits.
pub(crate) fn cn_num(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0 => D[0].to_string(),
        1..=9 => D[n as usize].to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", D[(n % 10) as usize]),
        20..=99 if n.is_multiple_of(10) => format!("{}十", D[(n / 10) as usize]),
        20..=99 => format!("{}十{}", D[(n / 10) as usize], D[(n % 10) as usize]),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for z in -800_000..800_000 {
            if z % 97 != 0 {
                continue;
            }
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
        assert_eq!(weekday(days_from_civil(2026, 10, 5)), 0); // a Monday
        assert_eq!(weekday(days_from_civil(2024, 2, 29)), 3); // a Thursday
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(add_years(days_from_civil(2024, 2, 29), 1), days_from_civil(2025, 2, 28));
    }

    #[test]
    fn formatting() {
        let mut b = Vec::new();
        push_ts(&mut b, days_from_civil(2023, 10, 5) as i64 * DAY + 19 * HOUR + 30 * 60);
        assert_eq!(b, b"2023-10-05T19:30:00");
        b.clear();
        push_period(&mut b, month_index(2026, 1));
        assert_eq!(b, b"2026-01");
        for (v, s) in [(1235, "12.35"), (550, "5.5"), (200, "2"), (5, "0.05"), (20, "0.2"), (0, "0"), (1_000_000, "10000")] {
            assert_eq!(fixed2_string(v), s);
        }
        b.clear();
        push_padded(&mut b, 42, 9);
        assert_eq!(b, b"000000042");
        b.clear();
        push_padded(&mut b, 1_234_567_890, 9);
        assert_eq!(b, b"1234567890");
        assert_eq!(cn_num(3), "三");
        assert_eq!(cn_num(10), "十");
        assert_eq!(cn_num(12), "十二");
        assert_eq!(cn_num(20), "二十");
        assert_eq!(cn_num(37), "三十七");
    }

    #[test]
    fn window() {
        let w = Window::new(1, (2026, 10)).unwrap();
        assert_eq!(year_month(w.start_mi), (2025, 11));
        assert_eq!(date_string(w.start_day), "2025-11-01");
        assert_eq!(date_string(w.end_day), "2026-10-31");
        assert_eq!(ts_string(w.end_ts()), "2026-10-31T23:59:59");
        let w = Window::new(3, (2026, 12)).unwrap();
        assert_eq!(date_string(w.start_day), "2024-01-01");
        assert!(Window::new(1, (2026, 13)).is_err());
    }
}
