//! Identifiers (§3): strings of at most 64 characters from `[A-Za-z0-9_.-]`.

use crate::FieldError;

pub const MAX_ID_LEN: usize = 64;

/// Checks an id field; an empty value is reported as missing.
pub fn check_id(field: &'static str, value: &str) -> Result<(), FieldError> {
    if value.is_empty() {
        return Err(FieldError::new(field, "is empty"));
    }
    if value.len() > MAX_ID_LEN {
        return Err(FieldError::new(field, format!("is longer than {MAX_ID_LEN} characters")));
    }
    if let Some(c) = value.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))) {
        return Err(FieldError::new(field, format!("has the character {c:?}; ids use only A-Z a-z 0-9 _ . -")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(check_id("x", "M-0001_a.b").is_ok());
        assert!(check_id("x", "").is_err());
        assert!(check_id("x", "a b").is_err());
        assert!(check_id("x", "党员").is_err());
        assert!(check_id("x", &"a".repeat(64)).is_ok());
        assert!(check_id("x", &"a".repeat(65)).is_err());
    }
}
