//! The real `vanguard` binary: `user add|disable`, `token create|revoke` and `export audit`
//! (docs/RULES.md §10), on SQLite and — when `VANGUARD_TEST_PG` is set — PostgreSQL (fresh
//! databases from the store's test helper).

#[path = "../../store/tests/common/db.rs"]
mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_vanguard");
const PASSWORD: &str = "zhi-bu shu-ji 2024";

/// Runs `vanguard ARGS` with `stdin` (none: an empty, closed standard input).
fn vanguard(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("VANGUARD_DB")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn show(o: &Output) -> String {
    format!("exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}", o.status.code(), String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn fixture(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("orgs.csv"), "org_id,parent_id,name,kind,established_on\nD,,区,district,2000-01-01\nB,D,第一支部,branch,2001-01-01\n").unwrap();
    std::fs::write(
        dir.join("members.csv"),
        "member_id,org_id,name,gender,birth_date,joined_on,status,category,monthly_dues\nM1,B,张三,M,1980-01-01,2000-01-01,full,employed,10\n",
    )
    .unwrap();
}

async fn run_all(label: &str, db: &str, tmp: &Path) {
    let data = tmp.join(format!("data-{label}"));
    fixture(&data);
    let o = vanguard(&["import", "--db", db, data.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0), "[{label}] import: {}", show(&o));

    // user add: the password is the first line of stdin (CRLF tolerated, the rest ignored).
    let add = |login: &str, role: &str, org: &str, member: Option<&str>, stdin: Option<&str>| {
        let mut args = vec!["user", "add", "--db", db, "--login", login, "--role", role, "--org", org];
        if let Some(m) = member {
            args.extend(["--member", m]);
        }
        vanguard(&args, stdin)
    };
    let o = add("sec", "secretary", "B", None, Some(&format!("{PASSWORD}\r\nnot this line\n")));
    assert_eq!(o.status.code(), Some(0), "[{label}] user add: {}", show(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("sec"), "[{label}] {}", show(&o));

    let o = add("sec", "officer", "D", None, Some(&format!("{PASSWORD}\n")));
    assert_eq!(o.status.code(), Some(1), "[{label}] duplicate login: {}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"), "[{label}] {}", show(&o));

    let o = add("weak", "officer", "D", None, Some("123456789\n"));
    assert_eq!(o.status.code(), Some(1), "[{label}] 9 characters: {}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("at least 10"), "[{label}] {}", show(&o));

    let o = add("nopw", "officer", "D", None, None);
    assert_eq!(o.status.code(), Some(1), "[{label}] empty stdin: {}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("standard input"), "[{label}] {}", show(&o));

    let o = add("m1", "member", "B", None, Some(&format!("{PASSWORD}\n")));
    assert_eq!(o.status.code(), Some(1), "[{label}] member without --member: {}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--member"), "[{label}] {}", show(&o));
    let o = add("m1", "member", "B", Some("M9"), Some(&format!("{PASSWORD}\n")));
    assert_eq!(o.status.code(), Some(1), "[{label}] unknown member: {}", show(&o));
    let o = add("m1", "member", "B", Some("M1"), Some(&format!("{PASSWORD}\n")));
    assert_eq!(o.status.code(), Some(0), "[{label}] member: {}", show(&o));
    let o = add("x", "officer", "NOWHERE", None, Some(&format!("{PASSWORD}\n")));
    assert_eq!(o.status.code(), Some(1), "[{label}] unknown org: {}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("NOWHERE"), "[{label}] {}", show(&o));
    let o = add("x", "root", "D", None, Some(&format!("{PASSWORD}\n")));
    assert_eq!(o.status.code(), Some(2), "[{label}] unknown role is a usage error: {}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("secretary"), "[{label}] lists the roles: {}", show(&o));

    // The stored hash is argon2id and the password (without its line end) logs in.
    let store = Store::connect(db).await.unwrap();
    let sec = access::verify_login(&store, "sec", PASSWORD, None).await.unwrap_or_else(|e| panic!("[{label}] login with the stdin password: {e}"));
    assert_eq!((sec.role, sec.org_id.as_str()), (domain::Role::Secretary, "B"));

    // token create: the token alone on the last line of stdout.
    let o = vanguard(&["token", "create", "--db", db, "--org", "D", "--days", "7", "--label", "wall"], None);
    assert_eq!(o.status.code(), Some(0), "[{label}] token create: {}", show(&o));
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let token = stdout.lines().last().unwrap().to_owned();
    assert_eq!(token.len(), 43, "[{label}] {}", show(&o));
    assert_eq!(stdout.matches(&token).count(), 1, "[{label}] printed once: {stdout}");
    let caller = access::token_caller(&store, &token).await.unwrap().unwrap_or_else(|| panic!("[{label}] the printed token works"));
    assert_eq!((caller.role, caller.org_id.as_str(), caller.login.as_str()), (domain::Role::Viewer, "D", "token:wall"));
    let o = vanguard(&["token", "create", "--db", db, "--org", "D", "--days", "0"], None);
    assert_eq!(o.status.code(), Some(1), "[{label}] --days 0: {}", show(&o));

    // token revoke: stops at once.
    let o = vanguard(&["token", "revoke", "--db", db, "--token", &token], None);
    assert_eq!(o.status.code(), Some(0), "[{label}] token revoke: {}", show(&o));
    assert!(access::token_caller(&store, &token).await.unwrap().is_none(), "[{label}] revoked");
    let o = vanguard(&["token", "revoke", "--db", db, "--token", "no-such-token"], None);
    assert_eq!(o.status.code(), Some(1), "[{label}] unknown token: {}", show(&o));
    // A token may begin with '-' (base64url, 1 in 32): it is still the value of --token.
    let o = vanguard(&["token", "revoke", "--db", db, "--token", "-8not-a-token"], None);
    assert_eq!(o.status.code(), Some(1), "[{label}] a token beginning with '-': {}", show(&o));

    // user disable: a live session stops.
    let sid = access::create_session(&store, access::Principal::Account(sec.id)).await.unwrap();
    let o = vanguard(&["user", "disable", "--db", db, "--login", "sec"], None);
    assert_eq!(o.status.code(), Some(0), "[{label}] user disable: {}", show(&o));
    assert!(access::session(&store, sid.as_str()).await.unwrap().is_none(), "[{label}] session after disable");
    let o = vanguard(&["user", "disable", "--db", db, "--login", "nobody"], None);
    assert_eq!(o.status.code(), Some(1), "[{label}] unknown login: {}", show(&o));
    store.close().await;

    // export audit: header, LF, sorted by at, the CLI's actions by `cli`.
    let out = tmp.join(format!("audit-{label}.csv"));
    let o = vanguard(&["export", "audit", "--db", db, "--out", out.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0), "[{label}] export audit: {}", show(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains('\r'), "[{label}] LF line ends");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "at,actor,role,action,target,outcome,ip", "[{label}]");
    let fields: Vec<Vec<&str>> = lines[1..].iter().map(|l| l.split(',').collect()).collect();
    let actions: Vec<(&str, &str)> = fields.iter().map(|f| (f[1], f[3])).collect();
    assert_eq!(
        actions,
        [("cli", "user_add"), ("cli", "user_add"), ("sec", "login"), ("cli", "token_create"), ("cli", "token_revoke"), ("cli", "user_disable")],
        "[{label}] {text}"
    );
    let ats: Vec<&str> = fields.iter().map(|f| f[0]).collect();
    let mut sorted = ats.clone();
    sorted.sort();
    assert_eq!(ats, sorted, "[{label}] sorted by at");
    assert!(ats.iter().all(|a| a.len() == 23 && a.as_bytes()[10] == b'T'), "[{label}] {ats:?}");
    assert!(!text.contains(&token) && !text.contains(PASSWORD), "[{label}] no secret in the log");
}

#[tokio::test]
async fn user_token_and_audit_commands() {
    let tmp = tempfile::tempdir().unwrap();
    for db in common::backends().await {
        run_all(db.label, &db.url, tmp.path()).await;
    }
}
