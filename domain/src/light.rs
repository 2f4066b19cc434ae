//! The lights of §5: green, yellow, red.
//!
//! A light is ordered by severity (`Green < Yellow < Red`), so "the worst of these" (§5:
//! a member's light is the worst of dues and absence, a branch's the worst of gap and
//! share) is their maximum. It travels as §9 writes it: the lowercase words `green`,
//! `yellow`, `red` (exports, JSON, CSS classes), and is stored in frames as the code
//! 0 / 1 / 2.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Severity of a light; the worst of several is their maximum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Light {
    #[default]
    Green = 0,
    Yellow = 1,
    Red = 2,
}

/// A word that is not one of §9's lights.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a light (expected green, yellow or red)")]
pub struct UnknownLight(pub String);

impl Light {
    /// Mildest first.
    pub const ALL: [Light; 3] = [Light::Green, Light::Yellow, Light::Red];

    /// The light of a frame code (0 green, 1 yellow, 2 red). The engine's frames hold only
    /// those three; anything else reads as green, as a light that is not on.
    pub fn from_code(code: i64) -> Light {
        match code {
            2 => Light::Red,
            1 => Light::Yellow,
            _ => Light::Green,
        }
    }

    /// The frame code: 0 green, 1 yellow, 2 red (ordered like the lights).
    pub fn code(self) -> i64 {
        self as i64
    }

    /// As §9 writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }

    /// 绿灯 / 黄灯 / 红灯.
    pub fn zh(self) -> &'static str {
        match self {
            Light::Green => "绿灯",
            Light::Yellow => "黄灯",
            Light::Red => "红灯",
        }
    }
}

impl FromStr for Light {
    type Err = UnknownLight;

    /// Exactly §9's words; case and spaces matter, as they do in the exports.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Light::ALL.into_iter().find(|l| l.as_str() == s).ok_or_else(|| UnknownLight(s.to_string()))
    }
}

impl fmt::Display for Light {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_is_the_maximum() {
        assert!(Light::Green < Light::Yellow && Light::Yellow < Light::Red);
        assert_eq!([Light::Yellow, Light::Red, Light::Green].into_iter().max(), Some(Light::Red));
    }

    #[test]
    fn codes_and_words_round_trip() {
        for l in Light::ALL {
            assert_eq!(Light::from_code(l.code()), l);
            assert_eq!(l.as_str().parse::<Light>(), Ok(l));
            assert_eq!(l.to_string(), l.as_str());
        }
        assert_eq!(Light::from_code(7), Light::Green);
        assert_eq!(Light::Red.zh(), "红灯");
        assert!("Red".parse::<Light>().is_err());
        assert!(" red".parse::<Light>().is_err());
    }

    #[test]
    fn json_is_the_lowercase_word() {
        assert_eq!(serde_json::to_string(&Light::Yellow).unwrap(), "\"yellow\"");
        assert_eq!(serde_json::from_str::<Light>("\"red\"").unwrap(), Light::Red);
        assert!(serde_json::from_str::<Light>("\"amber\"").is_err());
    }
}
