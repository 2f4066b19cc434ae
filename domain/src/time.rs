//! Calendar types in Asia/Shanghai local time (§3): dates, naive timestamps and periods.
//!
//! All months and years in the contract are calendar periods of that zone and timestamps
//! carry no offset, so the store keeps them naive: a [`Date`] is days since 1970-01-01, a
//! [`Timestamp`] microseconds since 1970-01-01T00:00:00 local, a [`Period`] a month count.
//! Integers compare, sort and bucket the same way in SQLite, PostgreSQL and polars.

use serde::{Deserialize, Serialize};
use std::fmt;

pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Days since 1970-01-01 from a proleptic Gregorian civil date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

/// The civil date of a day count.
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u32, |a, b| a * 10 + u32::from(b - b'0')))
}

fn parse_ymd(s: &[u8]) -> Option<(i32, u32, u32)> {
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&s[0..4])? as i32, digits(&s[5..7])?, digits(&s[8..10])?);
    (y >= 1 && (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)).then_some((y, m, d))
}

/// A calendar date, as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date(pub i32);

impl Date {
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Self {
        Date(days_from_civil(y, m, d))
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// `YYYY-MM-DD`, a real calendar day.
    pub fn parse(s: &str) -> Result<Self, String> {
        parse_ymd(s.as_bytes()).map(|(y, m, d)| Date::from_ymd(y, m, d)).ok_or_else(|| format!("{s:?} is not a date YYYY-MM-DD"))
    }

    pub fn period(self) -> Period {
        let (y, m, _) = self.ymd();
        Period::new(y, m)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// A local (Asia/Shanghai) date and time without offset, as microseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_parts(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Self {
        let days = i64::from(days_from_civil(y, mo, d));
        Timestamp(days * MICROS_PER_DAY + (i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s)) * 1_000_000)
    }

    /// ISO 8601 local time `YYYY-MM-DDTHH:MM:SS[.ffffff]`. A space instead of `T` is accepted
    /// (typed Parquet timestamps print that way); an offset or `Z` is refused, because the
    /// contract's timestamps are local time of Asia/Shanghai.
    pub fn parse(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        let bad = || format!("{s:?} is not a local timestamp YYYY-MM-DDTHH:MM:SS");
        if b.len() < 19 || !(b[10] == b'T' || b[10] == b' ') || b[13] != b':' || b[16] != b':' {
            if b.len() > 19 && (s.ends_with('Z') || b[19..].contains(&b'+')) {
                return Err(format!("{s:?} has a time-zone offset; timestamps are Asia/Shanghai local time without offset"));
            }
            return Err(bad());
        }
        let (y, mo, d) = parse_ymd(&b[..10]).ok_or_else(bad)?;
        let (h, mi, sec) = (digits(&b[11..13]).ok_or_else(bad)?, digits(&b[14..16]).ok_or_else(bad)?, digits(&b[17..19]).ok_or_else(bad)?);
        if h > 23 || mi > 59 || sec > 59 {
            return Err(bad());
        }
        let mut micros = 0i64;
        let rest = &b[19..];
        if !rest.is_empty() {
            if rest[0] != b'.' {
                return Err(if rest.ends_with(b"Z") || rest.contains(&b'+') || rest.contains(&b'-') {
                    format!("{s:?} has a time-zone offset; timestamps are Asia/Shanghai local time without offset")
                } else {
                    bad()
                });
            }
            let frac = &rest[1..];
            if frac.is_empty() || frac.len() > 9 || !frac.iter().all(u8::is_ascii_digit) {
                return Err(bad());
            }
            for (i, c) in frac.iter().take(6).enumerate() {
                micros += i64::from(c - b'0') * 10i64.pow(5 - i as u32);
            }
        }
        Ok(Timestamp(Timestamp::from_parts(y, mo, d, h, mi, sec).0 + micros))
    }

    pub fn date(self) -> Date {
        Date(self.0.div_euclid(MICROS_PER_DAY) as i32)
    }

    pub fn period(self) -> Period {
        self.date().period()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let date = self.date();
        let in_day = self.0.rem_euclid(MICROS_PER_DAY);
        let secs = in_day / 1_000_000;
        let micros = in_day % 1_000_000;
        write!(f, "{date}T{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)?;
        if micros != 0 {
            let digits = format!("{micros:06}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        Ok(())
    }
}

/// A calendar month `YYYY-MM`, stored as `year * 12 + (month - 1)` so that consecutive
/// months are consecutive integers.
///
/// §3 writes periods `YYYY-MM`: four digits, a dash, two digits. [`Period::parse`] is the one
/// parser of that form (importer, CLI, API, the wall's `?month=`); it takes years 0001–9999
/// (four digits, and like dates there is no year 0) and months 01–12, nothing around them.
/// In JSON a period is that same text (`"2026-03"`), not the month count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period(pub i32);

impl Period {
    pub fn new(y: i32, m: u32) -> Self {
        Period(y * 12 + m as i32 - 1)
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    pub fn month(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }

    /// `YYYY-MM` with a year 0001–9999 and a month 01–12 (see [`Period`]); the error says
    /// what was given.
    pub fn parse(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        let bad = || format!("{s:?} is not a period YYYY-MM");
        if b.len() != 7 || b[4] != b'-' {
            return Err(bad());
        }
        let (y, m) = (digits(&b[..4]).ok_or_else(bad)? as i32, digits(&b[5..]).ok_or_else(bad)?);
        if y < 1 || !(1..=12).contains(&m) {
            return Err(bad());
        }
        Ok(Period::new(y, m))
    }

    pub fn first_day(self) -> Date {
        Date::from_ymd(self.year(), self.month(), 1)
    }

    pub fn last_day(self) -> Date {
        Date::from_ymd(self.year(), self.month(), days_in_month(self.year(), self.month()))
    }

    /// The first instant after the month: "no later than the end of M" is `< end()`.
    pub fn end(self) -> Timestamp {
        Timestamp(i64::from(Period(self.0 + 1).first_day().0) * MICROS_PER_DAY)
    }

    /// The month as the wall names it: `2026年3月`, `2026年10月`.
    pub fn zh(self) -> String {
        format!("{}年{}月", self.year(), self.month())
    }

    /// The short tick label of a monthly chart: `3月`.
    pub fn tick_zh(self) -> String {
        format!("{}月", self.month())
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

impl std::str::FromStr for Period {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Period::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for z in -800_000..800_000 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
    }

    #[test]
    fn dates() {
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        for bad in ["2023-02-29", "2023-13-01", "2023-1-01", "20230101", "2023-01-00", "", "2023-01-01T00:00:00"] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timestamps() {
        let t = Timestamp::parse("2023-10-05T19:30:00").unwrap();
        assert_eq!(t.to_string(), "2023-10-05T19:30:00");
        assert_eq!(Timestamp::parse("2023-10-05 19:30:00").unwrap(), t);
        assert_eq!(Timestamp::parse("2023-10-05T19:30:00.000000").unwrap(), t);
        assert_eq!(Timestamp::parse("2023-10-05T19:30:00.25").unwrap().0, t.0 + 250_000);
        assert_eq!(t.period().to_string(), "2023-10");
        assert!(Timestamp::parse("2023-10-05T19:30:00Z").unwrap_err().contains("offset"));
        assert!(Timestamp::parse("2023-10-05T19:30:00+08:00").unwrap_err().contains("offset"));
        for bad in ["2023-10-05", "2023-10-05T24:00:00", "2023-10-05T19:30", "2023-10-32T00:00:00", "x"] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn periods() {
        let p = Period::parse("2023-12").unwrap();
        assert_eq!((p.year(), p.month()), (2023, 12));
        assert_eq!(Period(p.0 + 1).to_string(), "2024-01");
        assert_eq!(p.last_day().to_string(), "2023-12-31");
        assert_eq!(p.end(), Timestamp::parse("2024-01-01T00:00:00").unwrap());
        assert!(Period::parse("2023-13").is_err());
        assert!(Period::parse("2023-1").is_err());
    }

    #[test]
    fn period_parser_takes_only_yyyy_mm() {
        assert_eq!(Period::parse("0001-01").unwrap().to_string(), "0001-01");
        assert_eq!(Period::parse("9999-12").unwrap().to_string(), "9999-12");
        assert_eq!("2026-01".parse::<Period>(), Period::parse("2026-01"));
        for bad in ["2026-13", "2026-00", "0000-01", "2026-1", "", " 2026-01", "2026-01 ", "2026/01", "20a6-01", "+026-01", "2026-01-01", "２０２６-01"] {
            let e = Period::parse(bad).unwrap_err();
            assert!(e.contains("YYYY-MM"), "{bad}: {e}");
        }
    }

    #[test]
    fn period_labels() {
        let p = Period::parse("2026-03").unwrap();
        assert_eq!((p.zh(), p.tick_zh()), ("2026年3月".to_string(), "3月".to_string()));
        assert_eq!(Period::parse("2026-10").unwrap().zh(), "2026年10月");
    }

    #[test]
    fn period_json_is_its_text() {
        let p = Period::parse("2026-03").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"2026-03\"");
        assert_eq!(serde_json::from_str::<Period>("\"2026-03\"").unwrap(), p);
        assert!(serde_json::from_str::<Period>("\"2026-13\"").is_err());
        assert!(serde_json::from_str::<Period>(&p.0.to_string()).is_err());
    }
}
