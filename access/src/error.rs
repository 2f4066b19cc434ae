//! What can go wrong, typed, with a stable [`AccessError::code`] and the HTTP status a web
//! layer should answer with ([`AccessError::status`]).
//!
//! Messages are meant for the person at the other end (a CLI operator or, through the web
//! layer, an admin): they never carry text from the database. The database's own error stays
//! reachable as [`std::error::Error::source`] for the log.

use thiserror::Error;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AccessError {
    /// Unknown login, wrong password or a disabled account: one error for all three (§10), so
    /// that an answer never tells whether a login exists.
    #[error("wrong login or password")]
    InvalidCredentials,
    #[error("login must be 1 to 64 characters, without spaces, control characters or ':' (and not a reserved name)")]
    BadLogin,
    #[error("the password must be at least {min} characters long", min = crate::MIN_PASSWORD_CHARS)]
    WeakPassword,
    #[error("the password must be at most {max} bytes long", max = crate::MAX_PASSWORD_BYTES)]
    LongPassword,
    #[error("a token label must be 1 to 64 characters without control characters")]
    BadLabel,
    #[error("a token's validity must be 1 to {max} days", max = crate::MAX_TOKEN_DAYS)]
    BadDays,
    #[error("a `member` account needs a member (--member)")]
    MemberRequired,
    #[error("the login {0:?} already exists")]
    LoginTaken(String),
    #[error("no organisation {0:?}")]
    UnknownOrg(String),
    #[error("no member {0:?}")]
    UnknownMember(String),
    #[error("member {member:?} does not belong to organisation {org:?} or its subtree")]
    MemberOutsideOrg { member: String, org: String },
    #[error("no account {0:?}")]
    UnknownLogin(String),
    #[error("no such token")]
    UnknownToken,
    #[error("cannot write the first-run file {path}: {source}")]
    FirstRunFile { path: String, source: std::io::Error },
    #[error("cannot write the audit log: {0}")]
    Export(#[source] std::io::Error),
    /// The store failed; the detail is in `source()`, for the log only.
    #[error("internal storage error")]
    Store(#[source] sqlx::Error),
    #[error("password hashing failed")]
    Hash,
    #[error("the operating system's random number generator failed")]
    Random,
    #[error("the stored data is not valid: {0}")]
    Corrupt(&'static str),
}

impl AccessError {
    /// A stable, machine-readable code (for JSON error bodies and tests).
    pub fn code(&self) -> &'static str {
        match self {
            AccessError::InvalidCredentials => "invalid_credentials",
            AccessError::BadLogin
            | AccessError::WeakPassword
            | AccessError::LongPassword
            | AccessError::BadLabel
            | AccessError::BadDays
            | AccessError::MemberRequired
            | AccessError::MemberOutsideOrg { .. } => "invalid_input",
            AccessError::LoginTaken(_) => "login_taken",
            AccessError::UnknownOrg(_) => "unknown_org",
            AccessError::UnknownMember(_) => "unknown_member",
            AccessError::UnknownLogin(_) => "unknown_login",
            AccessError::UnknownToken => "unknown_token",
            AccessError::FirstRunFile { .. }
            | AccessError::Export(_)
            | AccessError::Store(_)
            | AccessError::Hash
            | AccessError::Random
            | AccessError::Corrupt(_) => "internal",
        }
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> u16 {
        match self.code() {
            "invalid_credentials" => 401,
            // An organisation or member named in a request body is bad input; a login or token
            // that a request is about is a missing resource.
            "invalid_input" | "unknown_org" | "unknown_member" => 400,
            "login_taken" => 409,
            "unknown_login" | "unknown_token" => 404,
            _ => 500,
        }
    }
}

impl From<sqlx::Error> for AccessError {
    fn from(e: sqlx::Error) -> Self {
        AccessError::Store(e)
    }
}
