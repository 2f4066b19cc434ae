//! Organisation summaries as the wall shows them.

use serde::{Deserialize, Serialize};

/// One organisation with its subtree totals: the domain's type, shared with the store.
pub use domain::OrgNode as OrgSummary;

/// A root organisation together with its direct children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgTopLevel {
    pub root: OrgSummary,
    pub children: Vec<OrgSummary>,
}

/// Formats a count with thousands separators (`47411` → `47,411`).
pub fn format_count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(47411), "47,411");
        assert_eq!(format_count(-1234567), "-1,234,567");
    }
}
