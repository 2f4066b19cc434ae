//! Organisation summaries as the wall shows them.

use serde::{Deserialize, Serialize};

/// One organisation with its subtree totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    pub org_id: String,
    pub name: String,
    /// Kind as stored (`district`, `street`, … `branch`), see [`kind_label`].
    pub kind: String,
    /// Members in the whole subtree.
    pub members: i64,
    /// Grassroots organisations (committee, general branch, branch) in the subtree.
    pub grassroots: i64,
    /// Number of direct children.
    pub children: i64,
}

impl OrgSummary {
    pub fn kind_label(&self) -> &'static str {
        kind_label(&self.kind)
    }
}

/// A root organisation together with its direct children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgTopLevel {
    pub root: OrgSummary,
    pub children: Vec<OrgSummary>,
}

/// Chinese label of an organisation kind (DOMAIN.md §2).
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "district" => "区",
        "street" => "街道",
        "town" => "镇",
        "township" => "乡",
        "community" => "社区",
        "village" => "村",
        "unit" => "单位",
        "committee" => "党委",
        "general_branch" => "党总支",
        "branch" => "党支部",
        _ => "其他",
    }
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

#[cfg(feature = "ssr")]
impl From<store::OrgNode> for OrgSummary {
    fn from(n: store::OrgNode) -> Self {
        OrgSummary {
            org_id: n.org_id,
            name: n.name,
            kind: n.kind,
            members: n.members,
            grassroots: n.grassroots,
            children: n.children,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(kind_label("district"), "区");
        assert_eq!(kind_label("general_branch"), "党总支");
        assert_eq!(kind_label("branch"), "党支部");
        assert_eq!(kind_label("nonsense"), "其他");
    }

    #[test]
    fn counts() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(47411), "47,411");
        assert_eq!(format_count(-1234567), "-1,234,567");
    }
}
