//! Accounts, tokens, sessions, the audit log, the first run and the server keys (docs/RULES.md
//! §10) on SQLite and — when `VANGUARD_TEST_PG` is set — PostgreSQL.

mod common;

use access::{AccessError, Action, Actor, AuditEntry, Bootstrap, Outcome, Principal};
use common::{TestDb, backends, exec, rows, scalar, with_orgs};
use domain::Role;
use std::time::{Duration, Instant};

const PW: &str = "correct horse battery";

async fn setup() -> Vec<TestDb> {
    let dbs = backends().await;
    for db in &dbs {
        with_orgs(&db.store).await;
    }
    dbs
}

/// The audit rows as `action actor role outcome target`, in order of writing.
async fn audit_rows(db: &TestDb) -> Vec<String> {
    rows(&db.store, "SELECT action, actor, role, outcome, target, ip FROM audit ORDER BY id")
        .await
        .into_iter()
        .map(|r| r.into_iter().map(|v| v.unwrap_or_default()).collect::<Vec<_>>().join(" ").trim_end().to_owned())
        .collect()
}

#[tokio::test]
async fn accounts_and_login() {
    for db in setup().await {
        let (s, l) = (&db.store, db.label);
        let cli = Actor::cli();
        let a = access::add_user(s, "li.si", Role::Officer, "S", None, PW, &cli).await.unwrap();
        assert_eq!((a.role, a.org_id.as_str(), a.member_id.as_deref(), a.is_disabled()), (Role::Officer, "S", None, false), "[{l}]");

        // Stored as argon2id, never in clear.
        let hash = rows(s, "SELECT password_hash FROM accounts WHERE login = 'li.si'").await[0][0].clone().unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"), "[{l}] {hash}");
        assert!(!hash.contains(PW));

        // Input errors, each typed.
        let e = access::add_user(s, "li.si", Role::Admin, "D", None, PW, &cli).await.unwrap_err();
        assert!(matches!(e, AccessError::LoginTaken(_)) && e.status() == 409, "[{l}] {e:?}");
        let e = access::add_user(s, "x1", Role::Officer, "NOPE", None, PW, &cli).await.unwrap_err();
        assert!(matches!(e, AccessError::UnknownOrg(_)), "[{l}] {e:?}");
        let e = access::add_user(s, "x2", Role::Member, "B1", None, PW, &cli).await.unwrap_err();
        assert!(matches!(e, AccessError::MemberRequired), "[{l}] {e:?}");
        let e = access::add_user(s, "x3", Role::Member, "B1", Some("NOBODY"), PW, &cli).await.unwrap_err();
        assert!(matches!(e, AccessError::UnknownMember(_)), "[{l}] {e:?}");
        let e = access::add_user(s, "x4", Role::Member, "S", Some("M2"), PW, &cli).await.unwrap_err();
        assert!(matches!(e, AccessError::MemberOutsideOrg { .. }), "[{l}] M2 is under B2, not S: {e:?}");
        let e = access::add_user(s, "x5", Role::Officer, "S", None, "short", &cli).await.unwrap_err();
        assert!(matches!(e, AccessError::WeakPassword) && e.code() == "invalid_input", "[{l}] {e:?}");
        // A member of a branch deeper in the subtree, and a member account at the district.
        access::add_user(s, "zhang", Role::Member, "D", Some("M1"), PW, &cli).await.unwrap();
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM accounts").await, 2, "[{l}] failed adds leave nothing");

        // Login: right, wrong, unknown.
        let ip = Some("10.0.0.7");
        let ok = access::verify_login(s, "li.si", PW, ip).await.unwrap();
        assert_eq!(ok.login, "li.si");
        let wrong = access::verify_login(s, "li.si", "correct horse batterY", ip).await.unwrap_err();
        let unknown = access::verify_login(s, "nobody", PW, ip).await.unwrap_err();
        assert!(matches!(wrong, AccessError::InvalidCredentials), "[{l}] {wrong:?}");
        assert_eq!((wrong.to_string(), wrong.code(), wrong.status()), (unknown.to_string(), unknown.code(), unknown.status()), "[{l}] same error");
        assert_eq!(wrong.status(), 401);

        // The unknown login runs argon2 too: timing does not tell it from a wrong password.
        let mut t_wrong = Duration::MAX;
        let mut t_unknown = Duration::MAX;
        for _ in 0..4 {
            let t = Instant::now();
            let _ = access::verify_login(s, "li.si", "not the password", None).await;
            t_wrong = t_wrong.min(t.elapsed());
            let t = Instant::now();
            let _ = access::verify_login(s, "nobody-at-all", "not the password", None).await;
            t_unknown = t_unknown.min(t.elapsed());
        }
        assert!(t_unknown * 2 >= t_wrong, "[{l}] unknown login {t_unknown:?} vs wrong password {t_wrong:?}");

        let f = access::login_failures(s, "li.si", ip, Duration::from_secs(900)).await.unwrap();
        assert_eq!((f.by_login, f.by_ip), (5, 2), "[{l}] failures by login (1 + 4) and by address");

        let log = audit_rows(&db).await;
        assert_eq!(log[0], "user_add cli  ok li.si (officer of S)", "[{l}] {log:#?}");
        assert_eq!(log[1], "user_add cli  ok zhang (member of D)", "[{l}]");
        assert_eq!(log[2], "login li.si officer ok li.si 10.0.0.7", "[{l}]");
        assert_eq!(log[3], "login_failed li.si  denied li.si 10.0.0.7", "[{l}]");
        assert_eq!(log[4], "login_failed nobody  denied nobody 10.0.0.7", "[{l}] an unknown login is logged like a wrong password");
        assert_eq!(log.len(), 5 + 8, "[{l}] failed adds write no audit row");
    }
}

#[tokio::test]
async fn sessions_disable_and_logout() {
    for db in setup().await {
        let (s, l) = (&db.store, db.label);
        let cli = Actor::cli();
        access::add_user(s, "sec", Role::Secretary, "B1", Some("M1"), PW, &cli).await.unwrap();
        let acc = access::verify_login(s, "sec", PW, None).await.unwrap();
        let sid = access::create_session(s, Principal::Account(acc.id)).await.unwrap();
        assert_eq!(sid.as_str().len(), 43, "[{l}] 32 bytes, base64url");
        assert!(!format!("{sid:?}").contains(sid.as_str()), "[{l}] Debug hides the id");

        let c = access::session(s, sid.as_str()).await.unwrap().expect("a live session");
        assert_eq!((c.login.as_str(), c.role, c.org_id.as_str(), c.member_id.as_deref(), c.masked), ("sec", Role::Secretary, "B1", Some("M1"), false), "[{l}]");
        assert_eq!(c.session.as_deref(), Some(sid.hash().as_str()));
        // Only the hash is stored.
        assert_eq!(scalar(s, &format!("SELECT COUNT(*) FROM sessions WHERE id_hash = '{}'", sid.hash())).await, 1, "[{l}]");
        assert_eq!(scalar(s, &format!("SELECT COUNT(*) FROM sessions WHERE id_hash = '{}'", sid.as_str())).await, 0, "[{l}]");

        // Sessions survive a restart: a new connection (as a new server process) knows it.
        let s2 = db.reconnect().await;
        assert!(access::session(&s2, sid.as_str()).await.unwrap().is_some(), "[{l}] session after reconnect");

        // Garbage never matches.
        for bad in ["", "x", &format!("{}A", sid.as_str()), &"A".repeat(43)] {
            assert!(access::session(s, bad).await.unwrap().is_none(), "[{l}] {bad:?}");
        }

        // Sliding expiry: a session last seen long ago moves its expiry forward when used.
        exec(s, &format!("UPDATE sessions SET last_seen = last_seen - 7200000000, expires_at = last_seen + 60000000 WHERE id_hash = '{}'", sid.hash()))
            .await
            .unwrap();
        let before = scalar(s, "SELECT expires_at FROM sessions").await;
        access::session(s, sid.as_str()).await.unwrap().expect("still live");
        let after = scalar(s, "SELECT expires_at FROM sessions").await;
        assert!(after > before + 3_600_000_000, "[{l}] slid from {before} to {after}");

        // Expired: refused and swept.
        exec(s, "UPDATE sessions SET expires_at = 0").await.unwrap();
        assert!(access::session(s, sid.as_str()).await.unwrap().is_none(), "[{l}] expired");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM sessions").await, 0, "[{l}] expired session deleted");

        // Disable cuts an existing session at once (also one seen by another connection).
        let sid = access::create_session(s, Principal::Account(acc.id)).await.unwrap();
        let other = access::create_session(&s2, Principal::Account(acc.id)).await.unwrap();
        access::disable_user(&s2, "sec", &cli).await.unwrap();
        assert!(access::session(s, sid.as_str()).await.unwrap().is_none(), "[{l}] disabled account's session");
        assert!(access::session(s, other.as_str()).await.unwrap().is_none(), "[{l}]");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM sessions").await, 0, "[{l}] deleted with the disable");
        let e = access::verify_login(s, "sec", PW, None).await.unwrap_err();
        assert!(matches!(e, AccessError::InvalidCredentials), "[{l}] a disabled account cannot log in: {e:?}");
        assert!(matches!(access::create_session(s, Principal::Account(acc.id)).await, Err(AccessError::InvalidCredentials)), "[{l}]");
        assert!(matches!(access::disable_user(s, "nobody", &cli).await, Err(AccessError::UnknownLogin(_))), "[{l}]");

        // Logout removes the session on the server: the same cookie stops working.
        access::add_user(s, "off", Role::Officer, "D", None, PW, &cli).await.unwrap();
        let acc = access::verify_login(s, "off", PW, Some("::1")).await.unwrap();
        let sid = access::create_session(s, Principal::Account(acc.id)).await.unwrap();
        assert!(access::end_session(s, sid.as_str(), Some("::1")).await.unwrap());
        assert!(access::session(s, sid.as_str()).await.unwrap().is_none(), "[{l}] after logout");
        assert!(!access::end_session(s, sid.as_str(), None).await.unwrap(), "[{l}] twice");

        let log = audit_rows(&db).await;
        assert!(log.contains(&"user_disable cli  ok sec".to_owned()), "[{l}] {log:#?}");
        assert_eq!(log.last().unwrap(), "logout off officer ok off ::1", "[{l}]");
        s2.close().await;
    }
}

#[tokio::test]
async fn kiosk_tokens() {
    for db in setup().await {
        let (s, l) = (&db.store, db.label);
        let cli = Actor::cli();
        let t = access::create_token(s, "S", Some(30), Some("大屏 1"), &cli).await.unwrap();
        assert_eq!(t.token.len(), 43, "[{l}]");
        assert!(!format!("{t:?}").contains(&t.token), "[{l}] Debug hides the token");
        assert!(t.info.expires_at.unwrap().0 - t.info.created_at.0 == 30 * 86_400 * 1_000_000, "[{l}]");
        // Stored only as its SHA-256; nowhere in clear, not in the audit log either.
        let stored = rows(s, "SELECT token_hash, org_id, label FROM kiosk_tokens").await;
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0][0].as_deref().unwrap().len(), 64, "[{l}]");
        assert_ne!(stored[0][0].as_deref(), Some(t.token.as_str()));
        assert!(!audit_rows(&db).await.iter().any(|r| r.contains(&t.token)), "[{l}]");

        let c = access::token_caller(s, &t.token).await.unwrap().expect("a valid token");
        assert_eq!((c.login.as_str(), c.role, c.org_id.as_str(), c.masked, c.member_id), ("token:大屏 1", Role::Viewer, "S", true, None), "[{l}]");
        assert!(access::token_caller(s, &format!("{}x", &t.token[..42])).await.unwrap().is_none(), "[{l}]");

        // /kiosk?token=: a session from the token, which lives and dies with it.
        let sid = access::create_session(s, c.principal).await.unwrap();
        let sc = access::session(s, sid.as_str()).await.unwrap().expect("kiosk session");
        assert_eq!((sc.login.as_str(), sc.role, sc.masked), ("token:大屏 1", Role::Viewer, true), "[{l}]");

        let other = access::create_token(s, "D", None, None, &cli).await.unwrap();
        assert_eq!((other.info.label.as_str(), other.info.expires_at), ("kiosk", None), "[{l}] defaults");

        let revoked = access::revoke_token(s, &t.token, &cli).await.unwrap();
        assert!(revoked.revoked_at.is_some());
        assert!(access::token_caller(s, &t.token).await.unwrap().is_none(), "[{l}] revoked token");
        assert!(access::session(s, sid.as_str()).await.unwrap().is_none(), "[{l}] its session too");
        assert!(access::token_caller(s, &other.token).await.unwrap().is_some(), "[{l}] the other token is untouched");
        assert!(matches!(access::revoke_token(s, "not-a-token", &cli).await, Err(AccessError::UnknownToken)), "[{l}]");
        assert!(matches!(access::create_session(s, Principal::Token(revoked.id)).await, Err(AccessError::InvalidCredentials)), "[{l}]");

        // Expired tokens stop, with their sessions.
        let short = access::create_token(s, "B1", Some(1), Some("short"), &cli).await.unwrap();
        let ssid = access::create_session(s, Principal::Token(short.info.id)).await.unwrap();
        exec(s, &format!("UPDATE kiosk_tokens SET expires_at = 1 WHERE id = {}", short.info.id)).await.unwrap();
        assert!(access::token_caller(s, &short.token).await.unwrap().is_none(), "[{l}] expired token");
        assert!(access::session(s, ssid.as_str()).await.unwrap().is_none(), "[{l}] expired token's session");

        for (org, days, label) in [("NOPE", None, None), ("D", Some(0), None), ("D", Some(100_000), None), ("D", None, Some("")), ("D", None, Some("a\nb"))] {
            let e = access::create_token(s, org, days, label, &cli).await.unwrap_err();
            assert!(e.status() == 400, "[{l}] {org} {days:?} {label:?}: {e:?}");
        }
        assert_eq!(access::list_tokens(s).await.unwrap().len(), 3, "[{l}]");

        let log = audit_rows(&db).await;
        assert!(log[0].starts_with(&format!("token_create cli  ok token:大屏 1#{} (S)", t.info.id)), "[{l}] {log:#?}");
        assert!(log.contains(&format!("token_revoke cli  ok token:大屏 1#{}", t.info.id)), "[{l}] {log:#?}");
    }
}

#[tokio::test]
async fn audit_is_append_only_and_exports_sorted() {
    for db in setup().await {
        let (s, l) = (&db.store, db.label);
        access::add_user(s, "admin2", Role::Admin, "D", None, PW, &Actor::cli()).await.unwrap();
        let caller = access::token_caller(s, &access::create_token(s, "D", None, Some("w"), &Actor::cli()).await.unwrap().token).await.unwrap().unwrap();
        access::audit(s, &AuditEntry::denied(&caller, Some("10.1.1.1"), "GET /api/v1/members/M1")).await.unwrap();
        access::audit(s, &AuditEntry::new(Actor::cli(), Action::MemberView, "M1, \"quoted\"\nline", Outcome::Ok)).await.unwrap();

        // Never updated, never deleted — whoever asks.
        let n = scalar(s, "SELECT COUNT(*) FROM audit").await;
        assert_eq!(n, 4, "[{l}]");
        let e = exec(s, "UPDATE audit SET outcome = 'ok' WHERE action = 'denied'").await.unwrap_err();
        assert!(e.contains("append-only"), "[{l}] {e}");
        let e = exec(s, "DELETE FROM audit").await.unwrap_err();
        assert!(e.contains("append-only"), "[{l}] {e}");
        if db.label == "postgres" {
            assert!(exec(s, "TRUNCATE audit").await.unwrap_err().contains("append-only"), "[{l}]");
        }
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM audit").await, n, "[{l}]");

        // Rows written with clocks out of step (two servers): the export sorts by `at`, then
        // by order of writing. (Raw inserts stand in for another process's rows.)
        exec(s, "INSERT INTO audit (at, actor, role, action, target, outcome, ip) VALUES (1000, 'late', '', 'checkin', 'b', 'ok', '')").await.unwrap();
        exec(s, "INSERT INTO audit (at, actor, role, action, target, outcome, ip) VALUES (1000, 'later', '', 'checkin', 'c', 'ok', '')").await.unwrap();
        exec(s, "INSERT INTO audit (at, actor, role, action, target, outcome, ip) VALUES (999, 'early', '', 'checkin', 'a', 'ok', '')").await.unwrap();

        let mut out = Vec::new();
        let written = access::export_audit(s, &mut out).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(written, 7, "[{l}]");
        assert!(!text.contains('\r'), "[{l}] LF line ends");
        let mut r = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), ["at", "actor", "role", "action", "target", "outcome", "ip"]);
        let recs: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(recs.len(), 7);
        assert_eq!(recs[0].iter().collect::<Vec<_>>(), ["1970-01-01T00:00:00.000", "early", "", "checkin", "a", "ok", ""], "[{l}]");
        assert_eq!((&recs[1][1], &recs[2][1]), ("late", "later"), "[{l}] ties keep the order of writing");
        let ats: Vec<&str> = recs.iter().map(|r| r.get(0).unwrap()).collect();
        let mut sorted = ats.clone();
        sorted.sort();
        assert_eq!(ats, sorted, "[{l}] sorted by at");
        for at in &ats {
            assert!(at.len() == 23 && &at[10..11] == "T" && &at[19..20] == ".", "[{l}] {at}");
        }
        let denied = recs.iter().find(|r| &r[3] == "denied").unwrap();
        assert_eq!(denied.iter().skip(1).collect::<Vec<_>>(), ["token:w", "viewer", "denied", "GET /api/v1/members/M1", "denied", "10.1.1.1"], "[{l}]");
        let view = recs.iter().find(|r| &r[3] == "member_view").unwrap();
        assert_eq!(&view[4], "M1, \"quoted\" line", "[{l}] quoted, one line");
        let rest: Vec<&str> = text.lines().collect();
        assert_eq!(rest.len(), 8, "[{l}] one line per row: {text}");
    }
}

#[tokio::test]
async fn first_run_creates_once() {
    for db in backends().await {
        let (s, l) = (&db.store, db.label);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data").join("vanguard.db.first-run.txt");

        // No organisation yet: nothing made.
        assert_eq!(access::bootstrap(s, &file).await.unwrap(), Bootstrap::NoOrganisation, "[{l}]");
        assert!(!file.exists());
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM accounts").await, 0);

        with_orgs(s).await;
        // Two servers starting at once: exactly one creates.
        let s2 = db.reconnect().await;
        let (a, b) = tokio::join!(access::bootstrap(s, &file), access::bootstrap(&s2, &file));
        let (a, b) = (a.unwrap(), b.unwrap());
        let first = match (&a, &b) {
            (Bootstrap::Created(f), Bootstrap::AlreadySetUp) | (Bootstrap::AlreadySetUp, Bootstrap::Created(f)) => f.clone(),
            other => panic!("[{l}] one creates, the other finds it done: {other:?}"),
        };
        assert_eq!((first.login.as_str(), first.org_id.as_str()), ("admin", "D"), "[{l}]");
        assert!(first.password.chars().count() >= 16, "[{l}]");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM accounts").await, 1, "[{l}]");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM kiosk_tokens").await, 1, "[{l}]");

        // The file: owner-only, with both secrets.
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(&first.password) && text.contains(&first.token), "[{l}] {text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600, "[{l}]");
        }

        // They work.
        let admin = access::verify_login(s, "admin", &first.password, None).await.unwrap();
        assert_eq!((admin.role, admin.org_id.as_str()), (Role::Admin, "D"));
        let kiosk = access::token_caller(s, &first.token).await.unwrap().unwrap();
        assert_eq!((kiosk.role, kiosk.org_id.as_str()), (Role::Viewer, "D"));

        // Again: a no-op that leaves the file alone.
        std::fs::write(&file, "kept").unwrap();
        assert_eq!(access::bootstrap(s, &file).await.unwrap(), Bootstrap::AlreadySetUp, "[{l}]");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "kept");
        let log = audit_rows(&db).await;
        assert_eq!(
            &log[..2],
            ["user_add system  ok admin (admin of D)".to_owned(), format!("token_create system  ok token:wall#{} (D)", kiosk_id(&db).await)],
            "[{l}]"
        );
        s2.close().await;
    }
}

async fn kiosk_id(db: &TestDb) -> i64 {
    scalar(&db.store, "SELECT MIN(id) FROM kiosk_tokens").await
}

#[tokio::test]
async fn checkin_key_is_made_once() {
    for db in backends().await {
        let (s, l) = (&db.store, db.label);
        let s2 = db.reconnect().await;
        let (a, b) = tokio::join!(access::checkin_key(s), access::checkin_key(&s2));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a, b, "[{l}] concurrent first uses agree");
        assert_ne!(a, [0u8; 32]);
        assert_eq!(access::checkin_key(&db.reconnect().await).await.unwrap(), a, "[{l}] kept across restarts");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM server_keys").await, 1);
        s2.close().await;
    }
}
