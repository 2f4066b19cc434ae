//! Exact decimals with at most six places (§3), held as a count of millionths in an `i64`.
//!
//! Money must never lose a fen, so nothing here goes through floating point: parsing reads
//! the digits, printing writes the shortest exact decimal (`187.5`, `-5`, `0.165`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A decimal number with six implied places: `Dec6(1_500_000)` is 1.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Dec6(pub i64);

pub const SCALE: i64 = 1_000_000;

impl Dec6 {
    pub const ZERO: Dec6 = Dec6(0);

    pub fn from_int(v: i64) -> Self {
        Dec6(v * SCALE)
    }

    /// Parses `[+-]digits[.digits]` with at most six fractional digits. Leading/trailing
    /// spaces are not accepted here; the caller trims.
    pub fn parse(s: &str) -> Result<Self, String> {
        let (neg, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(format!("{s:?} is not a decimal number"));
        }
        if !int_part.bytes().all(|b| b.is_ascii_digit()) || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{s:?} is not a decimal number"));
        }
        if body.contains('.') && frac_part.is_empty() && int_part.is_empty() {
            return Err(format!("{s:?} is not a decimal number"));
        }
        let frac_trimmed = frac_part.trim_end_matches('0');
        if frac_trimmed.len() > 6 {
            return Err(format!("{s:?} has more than 6 decimal places"));
        }
        let int_trimmed = int_part.trim_start_matches('0');
        if int_trimmed.len() > 12 {
            return Err(format!("{s:?} is too large"));
        }
        let mut v: i64 = 0;
        for b in int_trimmed.bytes() {
            v = v * 10 + i64::from(b - b'0');
        }
        let mut f: i64 = 0;
        for (i, b) in frac_trimmed.bytes().enumerate() {
            f += i64::from(b - b'0') * 10i64.pow(5 - i as u32);
        }
        let total = v * SCALE + f;
        Ok(Dec6(if neg { -total } else { total }))
    }

    /// Builds a value from an unscaled integer and a scale, as Parquet decimals arrive;
    /// fails if that would lose digits.
    pub fn from_scaled(unscaled: i128, scale: u32) -> Result<Self, String> {
        let v = if scale <= 6 {
            unscaled.checked_mul(10i128.pow(6 - scale))
        } else {
            let div = 10i128.pow(scale - 6);
            if unscaled % div != 0 {
                return Err("has more than 6 decimal places".into());
            }
            Some(unscaled / div)
        };
        v.and_then(|v| i64::try_from(v).ok()).map(Dec6).ok_or_else(|| "is too large".into())
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// The integer value if the number has no fractional part.
    pub fn as_int(self) -> Option<i64> {
        (self.0 % SCALE == 0).then_some(self.0 / SCALE)
    }
}

impl fmt::Display for Dec6 {
    /// The shortest exact decimal: no trailing zeros, no trailing point.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_scaled(f, self.0, 6)
    }
}

/// Writes `v / 10^places` as the shortest exact decimal (`187.5`, `-5`, `0.165`): the one
/// way §9 prints numbers, for every fixed-point type.
pub(crate) fn write_scaled(f: &mut fmt::Formatter<'_>, v: i64, places: u32) -> fmt::Result {
    let scale = 10u64.pow(places);
    let abs = v.unsigned_abs();
    let (int, frac) = (abs / scale, abs % scale);
    if v < 0 {
        f.write_str("-")?;
    }
    write!(f, "{int}")?;
    if frac != 0 {
        let digits = format!("{frac:0width$}", width = places as usize);
        write!(f, ".{}", digits.trim_end_matches('0'))?;
    }
    Ok(())
}

impl std::ops::Add for Dec6 {
    type Output = Dec6;
    fn add(self, o: Dec6) -> Dec6 {
        Dec6(self.0 + o.0)
    }
}

impl std::ops::AddAssign for Dec6 {
    fn add_assign(&mut self, o: Dec6) {
        self.0 += o.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        for (s, v, out) in [
            ("187.5", 187_500_000, "187.5"),
            ("-5", -5_000_000, "-5"),
            ("0.165", 165_000, "0.165"),
            ("12.350000", 12_350_000, "12.35"),
            ("0.000001", 1, "0.000001"),
            (".5", 500_000, "0.5"),
            ("5.", 5_000_000, "5"),
            ("+3", 3_000_000, "3"),
            ("0", 0, "0"),
            ("-0.5", -500_000, "-0.5"),
            ("1.1234560", 1_123_456, "1.123456"),
        ] {
            let d = Dec6::parse(s).unwrap();
            assert_eq!(d.0, v, "{s}");
            assert_eq!(d.to_string(), out, "{s}");
        }
        for bad in ["", "-", ".", "1.2.3", "1e5", "abc", "1.1234567", " 1", "1,5", "0x10"] {
            assert!(Dec6::parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn scaled() {
        assert_eq!(Dec6::from_scaled(1250, 2).unwrap(), Dec6(12_500_000));
        assert_eq!(Dec6::from_scaled(12_000_000_000, 9).unwrap(), Dec6(12_000_000));
        assert!(Dec6::from_scaled(12_000_000_001, 9).is_err());
        assert_eq!(Dec6::from_scaled(7, 0).unwrap(), Dec6::from_int(7));
    }
}
