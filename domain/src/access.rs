//! People and access (docs/RULES.md §10): the five roles and the masking of member names.
//!
//! Pure vocabulary shared by the `access` crate (accounts, tokens, sessions), the server
//! (which maps a caller to a scope) and the pages (which show a masked name to a `viewer`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Who a caller is (§10's table). Scope is always the subtree of the caller's `org_id`; the
/// role says what may be done inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The whole district; accounts, tokens, webhooks, rules, audit.
    Admin,
    /// Street or community staff: its subtree with names; handles warnings, reports.
    Officer,
    /// Branch secretary: creates activities, opens check-in, handles warnings.
    Secretary,
    /// A party member: its own profile and reports; checks in.
    Member,
    /// The wall's kiosk: its subtree read-only, member names masked.
    Viewer,
}

impl Role {
    pub const ALL: &'static [Role] = &[Role::Admin, Role::Officer, Role::Secretary, Role::Member, Role::Viewer];

    /// The contract's spelling (also how the store keeps it).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Officer => "officer",
            Role::Secretary => "secretary",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    /// A label for the UI.
    pub fn zh(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Officer => "组织干部",
            Role::Secretary => "支部书记",
            Role::Member => "党员",
            Role::Viewer => "大屏",
        }
    }

    pub fn parse(s: &str) -> Result<Role, String> {
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("{s:?} is not a known role (expected one of: {})", Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")))
    }

    /// A `viewer` reads member names masked everywhere (§10, [`mask_name`]).
    pub fn masks_names(self) -> bool {
        self == Role::Viewer
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::parse(s)
    }
}

/// A member's name as a `viewer` sees it (§10): the first character kept, every other
/// character replaced by `*`, counted in Unicode scalar values (`张三` → `张*`,
/// `欧阳娜娜` → `欧***`). A one-character name is unchanged and an empty one stays empty.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("李"), "李");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_name("Ann Lee"), "A******");
        // Scalar values, not bytes and not grapheme clusters: a combining mark is a character.
        assert_eq!(mask_name("e\u{301}x"), "e**");
        assert_eq!(mask_name("𠮷野家"), "𠮷**");
    }

    #[test]
    fn roles() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(*r));
            assert_eq!(r.to_string().parse::<Role>(), Ok(*r));
            // serde spells a role as the contract does (lowercase).
            let de = serde::de::IntoDeserializer::<serde::de::value::Error>::into_deserializer(r.as_str());
            assert_eq!(Role::deserialize(de), Ok(*r));
        }
        assert!(Role::parse("Admin").is_err());
        assert!(Role::parse("root").unwrap_err().contains("admin, officer, secretary, member, viewer"));
        assert!(Role::Viewer.masks_names());
        assert!(!Role::Officer.masks_names());
    }
}
