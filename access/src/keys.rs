//! Keys the server generates once and keeps in the store (docs/RULES.md §10, QR check-in: "a key
//! the server generates once and keeps in the store"). Kept in the store rather than in a
//! file so that every server process on one store — and the next start — signs and checks
//! with the same key.

use crate::db::{self, args};
use crate::{AccessError, clock, secret};
use store::Store;

/// The name of the HMAC-SHA256 key of check-in codes.
pub const CHECKIN_KEY: &str = "checkin";

/// The check-in HMAC key: 32 bytes from the operating system's generator, made on first use.
pub async fn checkin_key(store: &Store) -> Result<[u8; 32], AccessError> {
    server_key(store, CHECKIN_KEY).await
}

/// The 32-byte key called `name`, made on first use. Race-free on both databases: every
/// caller offers a fresh key with `INSERT … ON CONFLICT DO NOTHING` and then reads the one
/// that won, so two servers starting at once end up with the same key.
pub async fn server_key(store: &Store, name: &str) -> Result<[u8; 32], AccessError> {
    let offer = secret::random_bytes::<32>()?;
    db::execute(
        store,
        "INSERT INTO server_keys (name, key_hex, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        args![name, secret::hex(&offer), clock::now().0],
    )
    .await?;
    let (key,): (String,) =
        db::optional(store, "SELECT key_hex FROM server_keys WHERE name = $1", args![name]).await?.ok_or(AccessError::Corrupt("a server key vanished"))?;
    secret::unhex::<32>(&key).ok_or(AccessError::Corrupt("a server key is not 32 bytes of hex"))
}
