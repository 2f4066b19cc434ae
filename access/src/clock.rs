//! Time as this crate stores and prints it.
//!
//! Stored: microseconds since 1970-01-01T00:00 Asia/Shanghai local time — the store's
//! convention for every timestamp (§3), i.e. [`domain::Timestamp`]. Asia/Shanghai is UTC+8
//! all year (no daylight saving since 1991), so the value is also a plain instant and
//! comparisons of expiry times are exact.
//!
//! Printed (the audit export): ISO 8601 local time of Asia/Shanghai with milliseconds and no
//! offset, `2024-05-01T09:30:00.123` — the contract's timestamp format (§3) plus
//! milliseconds, because several audit rows often fall in one second (a login and the first
//! page it opens). Ties within a millisecond keep the order of writing (the row id).

use domain::Timestamp;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SHANGHAI_OFFSET_MICROS: i64 = 8 * 3600 * 1_000_000;

/// Now, in the stored form.
pub fn now() -> Timestamp {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    Timestamp(i64::try_from(since.as_micros()).unwrap_or(i64::MAX - SHANGHAI_OFFSET_MICROS) + SHANGHAI_OFFSET_MICROS)
}

/// `t + d`, saturating.
pub(crate) fn plus(t: Timestamp, d: Duration) -> Timestamp {
    Timestamp(t.0.saturating_add(i64::try_from(d.as_micros()).unwrap_or(i64::MAX)))
}

/// `t - d`, saturating.
pub(crate) fn minus(t: Timestamp, d: Duration) -> Timestamp {
    Timestamp(t.0.saturating_sub(i64::try_from(d.as_micros()).unwrap_or(i64::MAX)))
}

/// `YYYY-MM-DDTHH:MM:SS.mmm`, Asia/Shanghai local time (see the module's documentation).
pub fn format_millis(t: Timestamp) -> String {
    const MICROS_PER_DAY: i64 = 86_400 * 1_000_000;
    let in_day = t.0.rem_euclid(MICROS_PER_DAY);
    let (secs, millis) = (in_day / 1_000_000, in_day % 1_000_000 / 1000);
    format!("{}T{:02}:{:02}:{:02}.{millis:03}", t.date(), secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(format_millis(Timestamp::from_parts(2024, 5, 1, 9, 30, 0)), "2024-05-01T09:30:00.000");
        assert_eq!(format_millis(Timestamp(Timestamp::from_parts(2023, 12, 31, 23, 59, 59).0 + 999_999)), "2023-12-31T23:59:59.999");
        assert_eq!(format_millis(Timestamp(Timestamp::from_parts(1969, 12, 31, 0, 0, 1).0 + 5_000)), "1969-12-31T00:00:01.005");
    }

    #[test]
    fn now_is_shanghai_local() {
        let utc = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_micros() as i64;
        let local = now().0;
        assert!((local - utc - SHANGHAI_OFFSET_MICROS).abs() < 5_000_000);
    }
}
