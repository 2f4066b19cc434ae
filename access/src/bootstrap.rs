//! First run (docs/RULES.md §10): when the store has no account, `serve` creates `admin` bound to
//! the root organisation with a random password and a kiosk token for the root, prints both
//! once and writes them to a file only its owner can read, so that a newcomer sees the wall
//! at once and nothing is open without a credential.
//!
//! The accounts hang on organisations, so nothing can be made before the organisation tree is
//! imported: with no organisation, [`bootstrap`] creates nothing and says so
//! ([`Bootstrap::NoOrganisation`]); the next start after an import does it.

use crate::audit::{self, Action, Actor, AuditEntry, Outcome};
use crate::db::{Tx, args};
use crate::{AccessError, clock, secret, tokens};
use domain::Role;
use std::io::Write;
use std::path::{Path, PathBuf};
use store::Store;

/// The login of the first-run administrator.
pub const FIRST_ADMIN: &str = "admin";

/// What the first run made; shown once.
#[derive(Clone, PartialEq, Eq)]
pub struct FirstRun {
    pub login: String,
    pub password: String,
    /// The root organisation both are bound to.
    pub org_id: String,
    /// A `viewer` token for the root: the wall's display opens `/kiosk?token=TOKEN`.
    pub token: String,
    /// Where both were written (mode 0600).
    pub file: PathBuf,
}

impl std::fmt::Debug for FirstRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirstRun").field("login", &self.login).field("org_id", &self.org_id).field("file", &self.file).finish_non_exhaustive()
    }
}

/// The outcome of [`bootstrap`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bootstrap {
    /// The store had no account: these were made now.
    Created(FirstRun),
    /// The store has accounts already (also when another server made them a moment ago).
    AlreadySetUp,
    /// There is no organisation yet, so no account can be bound to the root: nothing made.
    NoOrganisation,
}

impl Bootstrap {
    pub fn first_run(&self) -> Option<&FirstRun> {
        match self {
            Bootstrap::Created(f) => Some(f),
            _ => None,
        }
    }
}

/// Where the first-run file goes: beside a SQLite file (`data/vanguard.db` →
/// `data/vanguard.db.first-run.txt`); for PostgreSQL, which has no file of its own,
/// `data/postgres.first-run.txt` under the working directory (the repository root, where the
/// embedded database lives too). `serve` names it in its log either way.
pub fn first_run_path(db_url: &str) -> PathBuf {
    if let Some(rest) = db_url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//").split('?').next().unwrap_or("");
        if !path.is_empty() && path != ":memory:" {
            return PathBuf::from(format!("{path}.first-run.txt"));
        }
    }
    PathBuf::from("data/postgres.first-run.txt")
}

/// Creates the first administrator and kiosk token when the store has no account (see the
/// module's documentation), with their audit rows (actor `system`), and writes them to `file`
/// (mode 0600, replaced whole) before the transaction commits: if the file cannot be
/// written, nothing is created and the next start tries again.
///
/// Race-free: on SQLite the transaction holds the write lock from its start; on PostgreSQL
/// the unique login decides, and a second server that loses finds [`Bootstrap::AlreadySetUp`].
pub async fn bootstrap(store: &Store, file: &Path) -> Result<Bootstrap, AccessError> {
    let mut tx = Tx::write(store).await?;
    let (accounts,): (i64,) = tx.optional("SELECT CAST(COUNT(*) AS BIGINT) FROM accounts", args![]).await?.unwrap_or((0,));
    if accounts > 0 {
        return Ok(Bootstrap::AlreadySetUp);
    }
    // The root: the organisation without a parent (the district). Should an import ever hold
    // several, the first by id is taken and the others need accounts of their own.
    let root: Option<(String,)> = tx.optional("SELECT org_id FROM orgs WHERE parent IS NULL ORDER BY org_id LIMIT 1", args![]).await?;
    let Some((root,)) = root else {
        tracing::warn!("no organisation yet: no first-run admin or kiosk token created (import the organisation tree, then start again)");
        return Ok(Bootstrap::NoOrganisation);
    };
    let password = secret::new_password()?;
    let hash = secret::hash_password(&password).await?;
    let created: Option<(i64,)> = tx
        .optional(
            "INSERT INTO accounts (login, role, org_id, member_id, password_hash, created_at) VALUES ($1, $2, $3, NULL, $4, $5)
             ON CONFLICT (login) DO NOTHING RETURNING id",
            args![FIRST_ADMIN, Role::Admin.as_str(), root.as_str(), hash, clock::now().0],
        )
        .await?;
    if created.is_none() {
        return Ok(Bootstrap::AlreadySetUp);
    }
    let actor = Actor::system();
    audit::insert(&mut tx, &AuditEntry::new(actor.clone(), Action::UserAdd, format!("{FIRST_ADMIN} (admin of {root})"), Outcome::Ok)).await?;
    let token = tokens::create_token_in(&mut tx, &root, None, Some("wall"), &actor).await?;
    let first = FirstRun { login: FIRST_ADMIN.to_owned(), password, org_id: root, token: token.token, file: file.to_owned() };
    write_owner_only(file, &first).map_err(|source| AccessError::FirstRunFile { path: file.display().to_string(), source })?;
    tx.commit().await?;
    tracing::info!(file = %file.display(), "first run: created the admin account and a kiosk token");
    Ok(Bootstrap::Created(first))
}

/// Writes through a temporary file in the same directory (created with mode 0600) renamed
/// over `file`, so that the secrets are never readable by others, not even for a moment, and
/// an old file with wider permissions is replaced rather than reused.
fn write_owner_only(file: &Path, f: &FirstRun) -> std::io::Result<()> {
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(".first-run").tempfile_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    write!(
        tmp,
        "# Vanguard first run (docs/RULES.md §10), {at}. Readable by its owner only; keep it safe or delete it.\n\
         login: {login}\n\
         password: {password}\n\
         organisation: {org}\n\
         kiosk token (viewer, {org}): {token}\n\
         kiosk URL: /kiosk?token={token}\n",
        at = clock::format_millis(clock::now()),
        login = f.login,
        password = f.password,
        org = f.org_id,
        token = f.token,
    )?;
    tmp.as_file().sync_all()?;
    tmp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(first_run_path("sqlite://data/vanguard.db"), PathBuf::from("data/vanguard.db.first-run.txt"));
        assert_eq!(first_run_path("sqlite:///tmp/x/v.db?mode=rwc"), PathBuf::from("/tmp/x/v.db.first-run.txt"));
        assert_eq!(first_run_path("postgres://u@h/db"), PathBuf::from("data/postgres.first-run.txt"));
    }
}
