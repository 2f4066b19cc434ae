//! The organisation tree as the store answers it and the wall shows it.

use crate::OrgKind;
use serde::{Deserialize, Serialize};

/// An organisation with the sizes of its subtree. One type from the database to the
/// browser: the store fills it, server functions send it, the wall renders it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgNode {
    pub org_id: String,
    pub name: String,
    /// Kind as stored (`district`, `street`, … `branch`), see [`OrgNode::kind_label`].
    pub kind: String,
    /// Members of this organisation and every organisation below it.
    pub members: i64,
    /// Grassroots organisations (committee, general branch, branch) in the subtree, itself included.
    pub grassroots: i64,
    /// Direct child organisations.
    pub children: i64,
}

impl OrgNode {
    /// The Chinese label of the kind (区, 街道 … 党支部).
    pub fn kind_label(&self) -> &'static str {
        OrgKind::parse(&self.kind).map_or("其他", OrgKind::zh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let mut n = OrgNode { org_id: "O".into(), name: "n".into(), kind: "general_branch".into(), members: 0, grassroots: 0, children: 0 };
        assert_eq!(n.kind_label(), "党总支");
        n.kind = "nonsense".into();
        assert_eq!(n.kind_label(), "其他");
    }
}
