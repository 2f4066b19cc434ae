//! The command line of people and access (docs/RULES.md §10): `vanguard user add|disable`,
//! `vanguard token create|revoke` and `vanguard export audit`. Each change is made by the
//! `access` crate, audited with actor `cli`; bad input is a clear message and exit 1.

use access::{AccessError, Actor};
use clap::{Args, Subcommand};
use domain::Role;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use store::{DEFAULT_DB_URL, Store};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[derive(Subcommand)]
pub enum UserCmd {
    /// Add an account; the password is the first line of standard input (at least 10 characters).
    Add {
        #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
        db: String,
        #[arg(long)]
        login: String,
        /// admin, officer, secretary, member or viewer.
        #[arg(long, value_parser = Role::parse)]
        role: Role,
        /// The organisation whose subtree is the account's scope.
        #[arg(long)]
        org: String,
        /// The member this account is (required for the `member` role).
        #[arg(long)]
        member: Option<String>,
    },
    /// Add many accounts from a CSV file with the header `login,role,org_id,member_id,password`
    /// (onboarding a district's members); each row is checked and added as `user add` would,
    /// and each failure is reported with its line.
    Import {
        #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
        db: String,
        /// The CSV file.
        #[arg(long)]
        file: PathBuf,
    },
    /// Disable an account: it cannot log in any more and its sessions end at once.
    Disable {
        #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
        db: String,
        #[arg(long)]
        login: String,
    },
}

#[derive(Subcommand)]
pub enum TokenCmd {
    /// Make a `viewer` token for the wall's kiosk display; prints it alone on the last line (shown once, stored only as a hash).
    Create {
        #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
        db: String,
        /// The organisation whose subtree the display shows.
        #[arg(long)]
        org: String,
        /// Days of validity (default: until revoked).
        #[arg(long)]
        days: Option<u32>,
        /// A name for it in lists and the audit log (default: kiosk).
        #[arg(long)]
        label: Option<String>,
    },
    /// Revoke a token: it and the sessions made from it stop at once.
    Revoke {
        #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
        db: String,
        /// The token as printed; it may begin with `-` (base64url), which is taken as the value.
        #[arg(long, allow_hyphen_values = true)]
        token: String,
    },
}

/// `vanguard export audit`.
#[derive(Args, Clone)]
pub struct AuditArgs {
    #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
    db: String,
    /// Output file (`-` for standard output).
    #[arg(long)]
    out: PathBuf,
}

pub async fn user(cmd: UserCmd) -> Result<ExitCode> {
    match cmd {
        UserCmd::Add { db, login, role, org, member } => {
            // Check what needs no database before asking for the password.
            access::check_login(&login).map_err(explain)?;
            if role == Role::Member && member.is_none() {
                return Err(explain(AccessError::MemberRequired));
            }
            let password = read_password()?;
            access::check_password(&password).map_err(explain)?;
            let store = Store::connect(&db).await?;
            let r = access::add_user(&store, &login, role, &org, member.as_deref(), &password, &Actor::cli()).await;
            store.close().await;
            let a = r.map_err(explain)?;
            let member = a.member_id.map(|m| format!(", member {m}")).unwrap_or_default();
            println!("added {} ({}, scope {}{member})", a.login, a.role, a.org_id);
        }
        UserCmd::Import { db, file } => return import_users(&db, &file).await,
        UserCmd::Disable { db, login } => {
            let store = Store::connect(&db).await?;
            let r = access::disable_user(&store, &login, &Actor::cli()).await;
            store.close().await;
            let a = r.map_err(explain)?;
            println!("disabled {} ({}); its sessions have ended", a.login, a.role);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Accounts hashed at once (argon2id takes a core for some milliseconds each).
const IMPORT_PARALLEL: usize = 4;

/// `vanguard user import`: every row of the file, checked first; the valid ones added (an
/// existing login is a failure of its row, never a change to it). Exit 1 if any row failed.
async fn import_users(db: &str, file: &Path) -> Result<ExitCode> {
    use futures_util::StreamExt;
    const HEADER: [&str; 5] = ["login", "role", "org_id", "member_id", "password"];
    let name = file.display().to_string();
    let mut reader = csv::Reader::from_path(file).map_err(|e| format!("{name}: {e}"))?;
    let header: Vec<String> = reader.headers().map_err(|e| format!("{name}: {e}"))?.iter().map(|h| h.trim().to_lowercase()).collect();
    if header != HEADER {
        return Err(format!("{name}:1: the header must be {} (found {})", HEADER.join(","), header.join(",")).into());
    }
    let mut rows = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name}:{line}: {e}"));
                continue;
            }
        };
        let (login, role, org, member, password) = (rec[0].trim().to_owned(), &rec[1], rec[2].trim().to_owned(), rec[3].trim().to_owned(), rec[4].to_owned());
        let checked = Role::parse(role.trim()).map_err(|e| format!("role: {e}")).and_then(|role| {
            access::check_login(&login).map_err(|e| format!("login: {e}"))?;
            access::check_password(&password).map_err(|e| format!("password: {e}"))?;
            if role == Role::Member && member.is_empty() {
                return Err(AccessError::MemberRequired.to_string());
            }
            Ok(role)
        });
        match checked {
            Ok(role) => rows.push((line, login, role, org, Some(member).filter(|m| !m.is_empty()), password)),
            Err(e) => failures.push(format!("{name}:{line}: {e}")),
        }
    }
    let store = Store::connect(db).await?;
    let results: Vec<(u64, std::result::Result<(), AccessError>)> = futures_util::stream::iter(rows)
        .map(|(line, login, role, org, member, password)| {
            let store = store.clone();
            async move { (line, access::add_user(&store, &login, role, &org, member.as_deref(), &password, &Actor::cli()).await.map(|_| ())) }
        })
        .buffer_unordered(IMPORT_PARALLEL)
        .collect()
        .await;
    store.close().await;
    let added = results.iter().filter(|r| r.1.is_ok()).count();
    let mut failed: Vec<(u64, String)> =
        results.into_iter().filter_map(|(line, r)| r.err().map(|e| (line, format!("{name}:{line}: {}", explain(e))))).collect();
    failed.sort();
    failures.extend(failed.into_iter().map(|f| f.1));
    for f in &failures {
        eprintln!("{f}");
    }
    println!("added {added} accounts; {} rows failed", failures.len());
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

pub async fn token(cmd: TokenCmd) -> Result<ExitCode> {
    match cmd {
        TokenCmd::Create { db, org, days, label } => {
            let store = Store::connect(&db).await?;
            let r = access::create_token(&store, &org, days, label.as_deref(), &Actor::cli()).await;
            store.close().await;
            let t = r.map_err(explain)?;
            let until = t.info.expires_at.map_or("until revoked".to_owned(), |e| format!("until {}", domain::Timestamp(e.0 - e.0.rem_euclid(1_000_000))));
            println!("kiosk token #{} {:?}: viewer of {}, valid {until}.", t.info.id, t.info.label, t.info.org_id);
            println!("The wall's display opens /kiosk?token=TOKEN once. The token is shown only now:");
            println!("{}", t.token);
        }
        TokenCmd::Revoke { db, token } => {
            let store = Store::connect(&db).await?;
            let r = access::revoke_token(&store, token.trim(), &Actor::cli()).await;
            store.close().await;
            let t = r.map_err(explain)?;
            println!("revoked kiosk token #{} {:?} ({}); its sessions have ended", t.id, t.label, t.org_id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn export_audit(args: AuditArgs) -> Result<ExitCode> {
    let store = Store::connect(&args.db).await?;
    let r = export_to(&store, &args.out).await;
    store.close().await;
    let rows = r?;
    eprintln!("wrote {rows} audit rows to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// Through a temporary file beside `out`, renamed into place once complete, so a failed
/// export never leaves a half-written file; `-` is standard output.
async fn export_to(store: &Store, out: &Path) -> Result<u64> {
    if out == Path::new("-") {
        let mut w = std::io::BufWriter::new(std::io::stdout().lock());
        let rows = access::export_audit(store, &mut w).await.map_err(explain)?;
        w.flush()?;
        return Ok(rows);
    }
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    let rows = {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        let rows = access::export_audit(store, &mut w).await.map_err(explain)?;
        w.flush()?;
        rows
    };
    tmp.as_file().sync_all()?;
    tmp.persist(out).map_err(|e| e.error)?;
    Ok(rows)
}

/// The first line of standard input, without its line end.
fn read_password() -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password (at least {} characters; it will be visible): ", access::MIN_PASSWORD_CHARS);
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    if stdin.lock().read_line(&mut line)? == 0 {
        return Err("no password: give it as the first line of standard input".into());
    }
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// The error for the operator, with its causes: on the command line the operator owns the
/// database, so the store's own message (hidden from web clients) is useful here.
fn explain(e: AccessError) -> Box<dyn std::error::Error> {
    let mut msg = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        msg.push_str(&format!(": {c}"));
        cause = c.source();
    }
    msg.into()
}
