//! The real `vanguard serve` stopped by SIGTERM while walls hold their event streams (issue 11
//! item 3, docs/RULES.md §12): it must exit, with status 0, within 10 s, closing every stream.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_vanguard");
/// Streams open when the signal arrives.
const STREAMS: usize = 50;

fn run(args: &[&str]) -> String {
    let o = Command::new(BIN).args(args).env_remove("VANGUARD_DB").env("RUST_LOG", "warn").stdin(Stdio::null()).output().unwrap();
    assert!(o.status.success(), "vanguard {args:?}: {}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn fixture(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("orgs.csv"), "org_id,parent_id,name,kind,established_on\nD,,区,district,2000-01-01\nB,D,第一支部,branch,2001-01-01\n").unwrap();
    std::fs::write(
        dir.join("members.csv"),
        "member_id,org_id,name,gender,birth_date,joined_on,status,category,monthly_dues\nM1,B,张三,M,1980-01-01,2000-01-01,full,employed,10\n",
    )
    .unwrap();
    std::fs::write(dir.join("activities.csv"), "activity_id,org_id,kind,held_at,title\nA1,B,theme_day,2026-10-05T09:00:00,主题党日\n").unwrap();
    std::fs::write(
        dir.join("events.csv"),
        "event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\nE1,M1,attend,2026-10-05T09:10:00,A1,,,manual\nE2,M1,study,2026-10-06T20:00:00,,,,manual\nE3,M1,study,2026-10-07T20:00:00,,,,manual\n",
    )
    .unwrap();
}

/// A SQLite store in a temporary directory with [`fixture`] imported: the directory and its URL.
fn imported() -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fixture(&data);
    let db = format!("sqlite://{}", tmp.path().join("v.db").display());
    run(&["import", "--db", &db, data.to_str().unwrap()]);
    (tmp, db)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A request on loopback, the whole answer as text.
fn request(port: u16, method: &str, path: &str, token: Option<&str>) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(s, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Length: 0\r\nConnection: close\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

#[test]
fn sigterm_with_open_event_streams_exits_within_10_s() {
    let (_tmp, db) = imported();
    let token = run(&["token", "create", "--db", &db, "--org", "D", "--label", "wall"]).lines().last().unwrap().trim().to_string();

    let metrics_port = free_port();
    let (port, mut server) = start(&db, &[("VANGUARD_METRICS_ADDR", &format!("127.0.0.1:{metrics_port}"))]);

    // /metrics (issue 11 item 6): Prometheus text for an admin, 403 for a viewer; at
    // --metrics-addr without a credential.
    let first_run = std::fs::read_to_string(format!("{}.first-run.txt", db.trim_start_matches("sqlite://"))).unwrap();
    let field = |name: &str| first_run.lines().find_map(|l| l.trim().strip_prefix(name)).unwrap().trim().to_string();
    let body = format!(r#"{{"login":"{}","password":"{}"}}"#, field("login:"), field("password:"));
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let cookie =
        answer.lines().find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: "))).unwrap().split(';').next().unwrap().to_string();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n").unwrap();
    let mut metrics = String::new();
    s.read_to_string(&mut metrics).unwrap();
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    assert!(metrics.contains("vanguard_http_requests_total{") && metrics.contains("vanguard_data_version"), "{metrics}");
    // Every event held, study sessions (kept as counts per member and month) included.
    assert!(metrics.lines().any(|l| l == "vanguard_events 3"), "{metrics}");
    assert!(request(port, "GET", "/metrics", Some(&token)).unwrap().starts_with("HTTP/1.1 403"), "a viewer");
    let open = request(metrics_port, "GET", "/metrics", None).unwrap();
    assert!(open.starts_with("HTTP/1.1 200") && open.contains("vanguard_store_up 1"), "{open}");

    // An unknown path under /api names nothing: 404 JSON (issue 11 item 2), for the API and
    // for server functions alike; without a credential it is 401 like every other.
    for (method, path) in [("GET", "/api/v1/no-such-route"), ("POST", "/api/no_such_function"), ("GET", "/api/v1/orgs/x/y/z")] {
        let r = request(port, method, path, Some(&token)).unwrap();
        assert!(r.starts_with("HTTP/1.1 404"), "{method} {path}: {r}");
        assert!(r.contains("application/json") && r.contains("\"not_found\""), "{method} {path}: {r}");
        let r = request(port, method, path, None).unwrap();
        assert!(r.starts_with("HTTP/1.1 401"), "{method} {path} without a credential: {r}");
    }

    // 50 walls, each past the first event of its stream.
    let mut streams = Vec::new();
    for i in 0..STREAMS {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        write!(s, "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer {token}\r\n\r\n").unwrap();
        let mut r = BufReader::new(s);
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert!(line.starts_with("HTTP/1.1 200"), "stream {i}: {line}");
        loop {
            line.clear();
            assert!(r.read_line(&mut line).unwrap() > 0, "stream {i} closed before its first event");
            if line.starts_with("event: version") {
                break;
            }
        }
        streams.push(r);
    }

    let signalled = Instant::now();
    let kill = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        if signalled.elapsed() > Duration::from_secs(15) {
            let _ = server.kill();
            panic!("still running 15 s after SIGTERM with {STREAMS} open event streams");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = signalled.elapsed();
    assert!(status.success(), "exit status after SIGTERM: {status}");
    assert!(took < Duration::from_secs(10), "exited {took:?} after SIGTERM (limit 10 s)");
    // Every stream was closed: reading reaches its end (the chunked body's last chunk, or EOF).
    for (i, mut r) in streams.into_iter().enumerate() {
        let mut rest = Vec::new();
        let end = r.read_to_end(&mut rest);
        assert!(end.is_ok(), "stream {i} was not closed: {end:?}");
    }
}

/// `vanguard backup` (issue 11 item 6): a consistent copy of a SQLite store that reads back
/// the same figures; an existing file is never overwritten.
#[test]
fn backup_copies_a_sqlite_store() {
    let (tmp, db) = imported();
    let copy = tmp.path().join("copy.db");
    run(&["backup", "--db", &db, "--out", copy.to_str().unwrap()]);
    let copy_db = format!("sqlite://{}", copy.display());
    let export = |db: &str, out: &Path| run(&["export", "index", "--db", db, "--year", "2026", "--out", out.to_str().unwrap()]);
    let (a, b) = (tmp.path().join("a.csv"), tmp.path().join("b.csv"));
    export(&db, &a);
    export(&copy_db, &b);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap(), "the copy holds the same figures");
    assert!(std::fs::read_to_string(&b).unwrap().contains("M1"));

    let again = Command::new(BIN).args(["backup", "--db", &db, "--out", copy.to_str().unwrap()]).output().unwrap();
    assert!(!again.status.success(), "an existing file is not overwritten");
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
}

/// The log written to a file (journald, a container's log) is plain text: no terminal colour
/// codes around its fields; and every request has its access line at INFO (issue 11 item 6).
#[test]
fn a_log_written_to_a_file_is_plain_text() {
    let (tmp, db) = imported();
    let log = tmp.path().join("serve.log");
    let (port, mut server) = start_logging(&db, &[("RUST_LOG", "info")], Stdio::from(std::fs::File::create(&log).unwrap()));
    assert!(request(port, "GET", "/healthz", None).is_some_and(|r| r.starts_with("HTTP/1.1 200")));
    let _ = server.kill();
    let _ = server.wait();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.lines().any(|l| l.contains("INFO") && l.contains("path=/healthz") && l.contains("status=200")), "no access line:\n{text}");
    assert!(!text.contains('\u{1b}'), "colour codes in a log file:\n{text}");
}

/// A slow client that never finishes its request headers is dropped after the header timeout
/// (issue 11 item 2), while the server answers others meanwhile; a kept-alive connection idle
/// for longer than that is not (a wall fetches on it again when the data changes), and its
/// next request's headers have the same time to arrive.
#[test]
fn a_half_sent_request_is_dropped_after_the_header_timeout() {
    let (_tmp, db) = imported();
    let (port, mut server) = start(&db, &[]);
    let get = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    let answer = |s: &mut TcpStream| {
        let mut buf = [0u8; 256];
        let n = s.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).to_string()
    };
    let mut kept = TcpStream::connect(("127.0.0.1", port)).unwrap();
    kept.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    kept.write_all(get).unwrap();
    assert!(answer(&mut kept).starts_with("HTTP/1.1 200"));
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(slow, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let t = Instant::now();
    assert!(request(port, "GET", "/healthz", None).unwrap().starts_with("HTTP/1.1 200"), "others are answered meanwhile");
    let mut buf = Vec::new();
    let _ = slow.read_to_end(&mut buf);
    let took = t.elapsed();
    assert!(took >= Duration::from_secs(9) && took < Duration::from_secs(15), "dropped after {took:?}");

    kept.write_all(get).unwrap();
    assert!(answer(&mut kept).starts_with("HTTP/1.1 200"), "kept alive while idle past the header timeout");
    write!(kept, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").unwrap();
    let t = Instant::now();
    let mut buf = Vec::new();
    let _ = kept.read_to_end(&mut buf);
    let took = t.elapsed();
    assert!(buf.is_empty() && took >= Duration::from_secs(9) && took < Duration::from_secs(15), "dropped after {took:?}: {buf:?}");
    let _ = server.kill();
}

/// Starts `vanguard serve` on a free port with `env`; returns once `/readyz` is 200.
fn start(db: &str, env: &[(&str, &str)]) -> (u16, std::process::Child) {
    start_logging(db, env, Stdio::null())
}

/// [`start`], its log written to `stderr`.
fn start_logging(db: &str, env: &[(&str, &str)], stderr: Stdio) -> (u16, std::process::Child) {
    let port = free_port();
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--db", db, "--addr", &format!("127.0.0.1:{port}")])
        .env_remove("VANGUARD_DB")
        .env("VANGUARD_REPORT_JOB", "off")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut server = cmd.spawn().unwrap();
    let started = Instant::now();
    while !request(port, "GET", "/readyz", None).is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
        assert!(started.elapsed() < Duration::from_secs(60), "not ready after 60 s");
        assert!(server.try_wait().unwrap().is_none(), "the server exited");
        std::thread::sleep(Duration::from_millis(100));
    }
    (port, server)
}

/// A PostgreSQL cluster of the test's own (initdb as the `postgres` user), so that it can be
/// stopped and started under a running server.
struct Cluster {
    dir: tempfile::TempDir,
    bin: std::path::PathBuf,
    port: u16,
}

impl Cluster {
    fn new() -> Option<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql").ok()?.flatten().map(|e| e.path().join("bin")).find(|b| b.join("initdb").is_file())?;
        let dir = tempfile::tempdir().unwrap();
        Command::new("chown").args(["-R", "postgres:postgres", dir.path().to_str().unwrap()]).status().ok()?.success().then_some(())?;
        let c = Cluster { bin, port: free_port(), dir };
        let ok = c.as_postgres("initdb", &["-D", &c.data(), "-A", "trust", "-U", "postgres", "--no-sync"]);
        ok.then_some(c)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn as_postgres(&self, tool: &str, args: &[&str]) -> bool {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(tool))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn start(&self) {
        let opts = format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", self.port, self.dir.path().display());
        assert!(self.as_postgres("pg_ctl", &["-D", &self.data(), "-o", &opts, "-w", "-l", &format!("{}/log", self.data()), "start"]), "pg_ctl start");
    }

    fn stop(&self) {
        assert!(self.as_postgres("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]), "pg_ctl stop");
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.as_postgres("pg_ctl", &["-D", &self.data(), "-m", "immediate", "stop"]);
    }
}

/// Issue 11 item 3: PostgreSQL stopped under a running server turns `/readyz` to 503 and a
/// question that needs the store to a quick 503 without the store's words; started again, all
/// recovers by itself, without a restart.
#[test]
fn a_database_outage_is_told_and_heals_by_itself() {
    let Some(cluster) = Cluster::new() else {
        assert!(std::env::var_os("VANGUARD_TEST_PG").is_none(), "VANGUARD_TEST_PG is set but no cluster of the test's own could be made (initdb as postgres)");
        eprintln!("skipped: no PostgreSQL binaries to make a cluster of the test's own");
        return;
    };
    cluster.start();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fixture(&data);
    let db = cluster.url();
    run(&["import", "--db", &db, data.to_str().unwrap()]);
    let token = run(&["token", "create", "--db", &db, "--org", "D"]).lines().last().unwrap().trim().to_string();
    let (port, mut server) = start(&db, &[]);

    cluster.stop();
    let t = Instant::now();
    while !request(port, "GET", "/readyz", None).is_some_and(|r| r.starts_with("HTTP/1.1 503")) {
        assert!(t.elapsed() < Duration::from_secs(20), "/readyz still 200 20 s into the outage");
        std::thread::sleep(Duration::from_millis(200));
    }
    // A question that needs the store (the credential is checked there) is answered quickly,
    // and the answer does not carry the store's own words.
    let t = Instant::now();
    let r = request(port, "GET", "/api/v1/audit", Some(&token)).unwrap();
    assert!(t.elapsed() < Duration::from_secs(10), "answered after {:?}", t.elapsed());
    assert!(r.starts_with("HTTP/1.1 503"), "{r}");
    assert!(r.to_lowercase().contains("retry-after"), "{r}");
    assert!(!r.to_lowercase().contains("pool") && !r.contains("sqlx") && !r.to_lowercase().contains("connection refused"), "{r}");
    // a probe that carries a credential reads the same 503 from /readyz (not an error about it)
    let r = request(port, "GET", "/readyz", Some(&token)).unwrap();
    assert!(r.starts_with("HTTP/1.1 503"), "{r}");
    assert!(!r.to_lowercase().contains("pool") && !r.contains("sqlx") && !r.to_lowercase().contains("connection refused"), "{r}");

    cluster.start();
    let t = Instant::now();
    while !request(port, "GET", "/readyz", None).is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
        assert!(t.elapsed() < Duration::from_secs(30), "/readyz not back 30 s after the database");
        std::thread::sleep(Duration::from_millis(200));
    }
    let r = request(port, "GET", "/api/v1/orgs", Some(&token)).unwrap();
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert!(server.try_wait().unwrap().is_none(), "the same server, never restarted");
    let _ = server.kill();
}

/// An export to something that is not a regular file (a named pipe here; /dev/null in the
/// benchmarks) writes into it and leaves it as it was: renaming a finished file over it, as a
/// regular file is replaced, once turned the machine's /dev/null into a file.
#[test]
fn an_export_into_a_pipe_leaves_the_pipe_a_pipe() {
    use std::os::unix::fs::FileTypeExt;
    let (tmp, db) = imported();
    let fifo = tmp.path().join("out.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    run(&["export", "member-lights", "--db", &db, "--month", "2026-10", "--out", fifo.to_str().unwrap()]);
    let text = reader.join().unwrap();
    assert!(text.starts_with("member_id") && text.contains("M1"), "{text}");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the pipe was replaced by a file");
}
