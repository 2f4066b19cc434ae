//! People and access (docs/RULES.md §10), kept in the store: accounts with argon2id passwords,
//! kiosk tokens, server-side sessions, the append-only audit log and the server's own keys.
//!
//! No web dependencies: the server's HTTP layer turns cookies and `Authorization` headers
//! into a [`Caller`] with [`session`] and [`token_caller`], maps [`AccessError::status`] to a
//! response, and the `vanguard` CLI calls the same functions with [`Actor::cli`]. Every write
//! here commits together with its audit row; [`audit()`] is the way in for the rest.
//!
//! Secrets never reach the store: a session cookie and a kiosk token are 32 bytes from the
//! operating system's generator, kept as SHA-256; a password as an argon2id hash.

pub mod accounts;
pub mod audit;
pub mod bootstrap;
pub mod clock;
mod db;
pub mod error;
pub mod keys;
mod secret;
pub mod sessions;
pub mod tokens;

pub use accounts::{
    Account, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, account, add_user, check_login, check_password, disable_user, list_accounts, verify_login,
};
pub use audit::{Action, Actor, AuditEntry, AuditFilter, Failures, Outcome, audit, export_audit, insert as audit_in, login_failures, read_audit};
pub use bootstrap::{Bootstrap, FirstRun, bootstrap, first_run_path};
pub use error::AccessError;
pub use keys::{checkin_key, server_key};
pub use sessions::{Caller, Principal, SessionId, create_session, end_session, end_session_by_hash, session};
pub use tokens::{MAX_TOKEN_DAYS, NewToken, TokenInfo, create_token, list_tokens, revoke_token, revoke_token_id, token_caller};
