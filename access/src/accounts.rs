//! Accounts of people (docs/RULES.md §10): a login, a role, the organisation whose subtree is its
//! scope, optionally the member it is (for check-in and "my report"), and an argon2id hash of
//! its password. Made with `vanguard user add` (or by an admin in the browser), never
//! deleted: a disabled account keeps its row, so the audit log's actors stay explained.

use crate::audit::{self, Action, Actor, AuditEntry, Outcome};
use crate::db::{self, Tx, args};
use crate::{AccessError, clock, secret};
use domain::{Role, Timestamp};
use store::Store;

/// Shortest password accepted (§10), counted in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted, in bytes: argon2 takes any length, but a login request must
/// not be able to make the server hash megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Longest login, in characters.
pub const MAX_LOGIN_CHARS: usize = 64;

/// Names the audit log uses for actors that are no account; no login may take them.
const RESERVED_LOGINS: [&str; 2] = ["cli", "system"];

/// An account as the rest of the application sees it (never its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub role: Role,
    pub org_id: String,
    pub member_id: Option<String>,
    pub created_at: Timestamp,
    pub disabled_at: Option<Timestamp>,
}

impl Account {
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }

    /// As the admin page and `GET /api/v1/accounts` show it (never the password hash).
    pub fn view(&self) -> domain::wire::AccountView {
        domain::wire::AccountView {
            login: self.login.clone(),
            role: self.role.as_str().to_owned(),
            org_id: self.org_id.clone(),
            member_id: self.member_id.clone(),
            created_at: crate::clock::format_millis(self.created_at),
            disabled_at: self.disabled_at.map(crate::clock::format_millis),
        }
    }
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    login: String,
    role: String,
    org_id: String,
    member_id: Option<String>,
    created_at: i64,
    disabled_at: Option<i64>,
    password_hash: String,
}

const BY_LOGIN: &str = "SELECT id, login, role, org_id, member_id, created_at, disabled_at, password_hash FROM accounts WHERE login = $1";
const ALL_BY_LOGIN: &str = "SELECT id, login, role, org_id, member_id, created_at, disabled_at, password_hash FROM accounts ORDER BY login";

impl AccountRow {
    fn into_account(self) -> Result<(Account, String), AccessError> {
        let role = Role::parse(&self.role).map_err(|_| AccessError::Corrupt("an account's role"))?;
        let account = Account {
            id: self.id,
            login: self.login,
            role,
            org_id: self.org_id,
            member_id: self.member_id,
            created_at: Timestamp(self.created_at),
            disabled_at: self.disabled_at.map(Timestamp),
        };
        Ok((account, self.password_hash))
    }
}

/// A login is 1–64 characters with no white space, no control character and no `:` (which
/// marks `token:LABEL` callers), and not a reserved actor name.
pub fn check_login(login: &str) -> Result<(), AccessError> {
    let n = login.chars().count();
    if n == 0 || n > MAX_LOGIN_CHARS || login.chars().any(|c| c.is_whitespace() || c.is_control() || c == ':') || RESERVED_LOGINS.contains(&login) {
        return Err(AccessError::BadLogin);
    }
    Ok(())
}

/// §10: at least [`MIN_PASSWORD_CHARS`] characters (and at most [`MAX_PASSWORD_BYTES`]).
pub fn check_password(password: &str) -> Result<(), AccessError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccessError::WeakPassword);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AccessError::LongPassword);
    }
    Ok(())
}

/// Creates an account and its `user_add` audit row in one transaction.
///
/// The organisation must exist; a `member` account must name a member, and a member named
/// for any role must exist and belong to the organisation's subtree (the account's scope).
/// An existing login is [`AccessError::LoginTaken`], decided by the unique index, so two
/// concurrent adds of one login never both succeed.
pub async fn add_user(
    store: &Store,
    login: &str,
    role: Role,
    org_id: &str,
    member_id: Option<&str>,
    password: &str,
    actor: &Actor,
) -> Result<Account, AccessError> {
    check_login(login)?;
    check_password(password)?;
    if role == Role::Member && member_id.is_none() {
        return Err(AccessError::MemberRequired);
    }
    let hash = secret::hash_password(password).await?;
    let mut tx = Tx::write(store).await?;
    check_org(&mut tx, org_id).await?;
    if let Some(m) = member_id {
        check_member(&mut tx, m, org_id).await?;
    }
    let now = clock::now();
    let id: Option<(i64,)> = tx
        .optional(
            "INSERT INTO accounts (login, role, org_id, member_id, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (login) DO NOTHING RETURNING id",
            args![login, role.as_str(), org_id, member_id, hash, now.0],
        )
        .await?;
    let Some((id,)) = id else { return Err(AccessError::LoginTaken(login.to_owned())) };
    audit::insert(&mut tx, &AuditEntry::new(actor.clone(), Action::UserAdd, format!("{login} ({role} of {org_id})"), Outcome::Ok)).await?;
    tx.commit().await?;
    Ok(Account { id, login: login.to_owned(), role, org_id: org_id.to_owned(), member_id: member_id.map(str::to_owned), created_at: now, disabled_at: None })
}

pub(crate) async fn check_org(tx: &mut Tx, org_id: &str) -> Result<(), AccessError> {
    let found: Option<(i64,)> = tx.optional("SELECT id FROM orgs WHERE org_id = $1", args![org_id]).await?;
    found.map(|_| ()).ok_or_else(|| AccessError::UnknownOrg(org_id.to_owned()))
}

/// The member exists and its organisation is `org_id` or below it.
async fn check_member(tx: &mut Tx, member_id: &str, org_id: &str) -> Result<(), AccessError> {
    let (exists, inside): (i64, i64) = tx
        .optional(
            "WITH RECURSIVE up(id, parent, depth) AS (
                 SELECT o.id, o.parent, 0 FROM members m JOIN orgs o ON o.id = m.org WHERE m.member_id = $1
                 UNION ALL
                 SELECT o.id, o.parent, up.depth + 1 FROM orgs o JOIN up ON o.id = up.parent WHERE up.depth < 100
             )
             SELECT CAST((SELECT COUNT(*) FROM members WHERE member_id = $1) AS BIGINT),
                    CAST((SELECT COUNT(*) FROM up JOIN orgs o ON o.id = up.id WHERE o.org_id = $2) AS BIGINT)",
            args![member_id, org_id],
        )
        .await?
        .unwrap_or((0, 0));
    if exists == 0 {
        return Err(AccessError::UnknownMember(member_id.to_owned()));
    }
    if inside == 0 {
        return Err(AccessError::MemberOutsideOrg { member: member_id.to_owned(), org: org_id.to_owned() });
    }
    Ok(())
}

/// Disables an account: it can no longer log in, and its sessions are deleted in the same
/// transaction, so a browser logged in as it stops working at its next request (§10: "the
/// account and its sessions stop working at once"). Disabling a disabled account only ends
/// sessions (there are none) and is audited again.
pub async fn disable_user(store: &Store, login: &str, actor: &Actor) -> Result<Account, AccessError> {
    let mut tx = Tx::write(store).await?;
    let row: Option<AccountRow> = tx.optional(BY_LOGIN, args![login]).await?;
    let Some(row) = row else { return Err(AccessError::UnknownLogin(login.to_owned())) };
    let (mut account, _) = row.into_account()?;
    if account.disabled_at.is_none() {
        let now = clock::now();
        tx.execute("UPDATE accounts SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL", args![account.id, now.0]).await?;
        account.disabled_at = Some(now);
    }
    tx.execute("DELETE FROM sessions WHERE account_id = $1", args![account.id]).await?;
    audit::insert(&mut tx, &AuditEntry::new(actor.clone(), Action::UserDisable, login, Outcome::Ok)).await?;
    tx.commit().await?;
    Ok(account)
}

/// Checks a login and password and writes `login` (ok) or `login_failed` (denied) to the
/// audit log.
///
/// An unknown login, a wrong password and a disabled account all give
/// [`AccessError::InvalidCredentials`], and an argon2 verification runs in every case (against
/// a dummy hash for an unknown login), so neither the answer nor its timing tells them
/// apart. A failed attempt is logged with the login as tried and no role, whether or not
/// the login exists. `ip` is the client address, for the log and for [`audit::login_failures`].
pub async fn verify_login(store: &Store, login: &str, password: &str, ip: Option<&str>) -> Result<Account, AccessError> {
    let row: Option<AccountRow> = if check_login(login).is_ok() { db::optional(store, BY_LOGIN, args![login]).await? } else { None };
    let found = row.map(AccountRow::into_account).transpose()?;
    let hash = found.as_ref().map(|(_, h)| h.clone());
    // An over-long password is checked against the dummy too: same cost, same answer.
    let matches = if password.len() <= MAX_PASSWORD_BYTES { secret::verify_password(password, hash).await } else { secret::verify_password("", None).await };
    let account = found.map(|(a, _)| a).filter(|a| matches && !a.is_disabled());
    let entry = match &account {
        Some(a) => AuditEntry::new(Actor { name: a.login.clone(), role: Some(a.role), ip: ip.map(str::to_owned) }, Action::Login, &*a.login, Outcome::Ok),
        None => AuditEntry::new(Actor { name: login.to_owned(), role: None, ip: ip.map(str::to_owned) }, Action::LoginFailed, login, Outcome::Denied),
    };
    audit::audit(store, &entry).await?;
    account.ok_or(AccessError::InvalidCredentials)
}

/// One account by login (disabled ones too).
pub async fn account(store: &Store, login: &str) -> Result<Option<Account>, AccessError> {
    let row: Option<AccountRow> = db::optional(store, BY_LOGIN, args![login]).await?;
    Ok(row.map(AccountRow::into_account).transpose()?.map(|(a, _)| a))
}

/// Every account, by login (for the admin's page).
pub async fn list_accounts(store: &Store) -> Result<Vec<Account>, AccessError> {
    let rows: Vec<AccountRow> = db::all(store, ALL_BY_LOGIN, args![]).await?;
    rows.into_iter().map(|r| r.into_account().map(|(a, _)| a)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_and_passwords() {
        for ok in ["admin", "zhang.san", "张三", "a@b.cn", &"x".repeat(64)] {
            assert!(check_login(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "token:x", "cli", "system", "a\nb", &"x".repeat(65)] {
            assert!(matches!(check_login(bad), Err(AccessError::BadLogin)), "{bad:?}");
        }
        assert!(matches!(check_password("123456789"), Err(AccessError::WeakPassword)));
        assert!(check_password("1234567890").is_ok());
        // Characters, not bytes: nine Chinese characters are 27 bytes but still too short.
        assert!(matches!(check_password("一二三四五六七八九"), Err(AccessError::WeakPassword)));
        assert!(matches!(check_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)), Err(AccessError::LongPassword)));
    }
}
