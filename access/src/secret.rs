//! Secrets: random values from the operating system, SHA-256 of what is kept at rest, and
//! argon2id password hashes. Nothing here is home-made cryptography: `getrandom` (the OS
//! generator), `sha2` and `argon2` (RustCrypto) do the work; this module only chooses the
//! sizes and encodings.

use crate::AccessError;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};

/// Random bytes in a token or a session id: 256 bits, as the issue asks (≥ 32 bytes).
pub const SECRET_BYTES: usize = 32;

/// `n` bytes from the operating system's generator.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], AccessError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| AccessError::Random)?;
    Ok(b)
}

/// A new bearer secret (kiosk token or session id): 32 random bytes as unpadded base64url
/// (43 characters, safe in a cookie, a header and a URL query).
pub(crate) fn new_secret() -> Result<String, AccessError> {
    Ok(Base64UrlUnpadded::encode_string(&random_bytes::<SECRET_BYTES>()?))
}

/// A random password for the first-run admin: 18 bytes → 24 base64url characters.
pub(crate) fn new_password() -> Result<String, AccessError> {
    Ok(Base64UrlUnpadded::encode_string(&random_bytes::<18>()?))
}

/// Whether `s` can be a secret made by [`new_secret`]: cheap to check before any hashing or
/// database look-up, so a long or garbled cookie costs nothing.
pub(crate) fn looks_like_secret(s: &str) -> bool {
    s.len() == 43 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Lowercase hex of the SHA-256 of a secret: what the store keeps instead of the secret.
pub(crate) fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

pub(crate) fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let b = s.as_bytes();
    if b.len() != 2 * N {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (nibble(b[2 * i])? << 4) | nibble(b[2 * i + 1])?;
    }
    Some(out)
}

/// The argon2id PHC string of a password, with argon2's default parameters (Argon2id v19,
/// m = 19 MiB, t = 2, p = 1: OWASP's recommendation) and a random 16-byte salt. CPU-bound
/// for tens of milliseconds: runs on a blocking thread, off the async workers.
pub(crate) async fn hash_password(password: &str) -> Result<String, AccessError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|_| AccessError::Hash))
        .await
        .map_err(|_| AccessError::Hash)?
}

/// Whether `password` matches the PHC string `hash`; with `None` (an unknown login) it
/// verifies against [`DUMMY_HASH`] and answers `false`, taking the same time as a real
/// verification, so that timing does not tell an unknown login from a wrong password.
pub(crate) async fn verify_password(password: &str, hash: Option<String>) -> bool {
    let password = password.to_owned();
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_owned());
    let ok = tokio::task::spawn_blocking(move || Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok()).await.unwrap_or(false);
    ok && known
}

/// An argon2id hash of a random, discarded password, made with the same parameters as
/// [`hash_password`] (a test checks that they stay the same).
pub(crate) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$mFel97uXlNNbBdrQgcgosA$GtQXMfPVajX674D9438ubVAl2o0Lh+Il/SiRz7zO2QQ";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords() {
        let h = hash_password("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$"), "{h}");
        assert!(verify_password("correct horse battery", Some(h.clone())).await);
        assert!(!verify_password("correct horse batterY", Some(h.clone())).await);
        assert!(!verify_password("correct horse battery", None).await);
        // The dummy costs what a real hash costs: same algorithm, version and parameters.
        let params = |s: &str| s.split('$').take(4).collect::<Vec<_>>().join("$");
        assert_eq!(params(DUMMY_HASH), params(&h));
        assert!(argon2::PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn secrets() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_ne!(a, b);
        assert!(looks_like_secret(&a) && looks_like_secret(&b), "{a}");
        assert!(!looks_like_secret("short"));
        assert!(!looks_like_secret(&format!("{}=", &a[..42])));
        assert_eq!(new_password().unwrap().chars().count(), 24);
        // SHA-256 of "abc" (FIPS 180-2 test vector).
        assert_eq!(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let k = random_bytes::<32>().unwrap();
        assert_eq!(unhex::<32>(&hex(&k)), Some(k));
        assert_eq!(unhex::<2>("0g00"), None);
        assert_eq!(unhex::<2>("abc"), None);
    }
}
