//! The walls of the soak benchmark (`scripts/bench-soak.sh`, issue 11), as a compiled client.
//!
//! ```text
//! soak_walls URL CLIENTS     (env: COOKIE, the session cookie every wall sends;
//!                             ACCEPT_ENCODING, what the fetches accept: default `gzip`)
//! ```
//!
//! Each of CLIENTS walls does what the browser's feed does: it holds the event stream the
//! pages open ([`app::live::EVENTS_URL`]) and fetches `GET /api/v1/snapshot` once for the newest `version` it
//! has been told of (on connect, then after every data change), on two keep-alive connections
//! of its own (the stream, the snapshots), accepting gzip as a browser does.
//! A fetch is timed from the moment the request is handed to the connection to the last byte
//! of its body.
//!
//! Why not in Python like the rest of the soak: one Python process playing 200 walls spent
//! about 0.9 ms of CPU per wall and version, so the last fetches of a burst waited up to
//! 180 ms inside the client and the p99 it printed was the client's (the server's own log put
//! every answer of a burst within 14 ms). Here a wall's event and fetch cost microseconds; the
//! walls run on one thread, so the client takes at most one of the machine's cores from the
//! server, as the Python client did.
//!
//! The orchestrator (`scripts/bench/soak.py`: imports, RSS, verdicts) reads what the walls
//! observe from stdout, one line each, times in UNIX seconds (the clock of Python's
//! `time.time()`):
//!
//! ```text
//! up W                              wall W's stream answered 200 (again)
//! v W VERSION T                     wall W's stream announced VERSION at T
//! s W T MS STATUS GOT ASKED BYTES   a fetch ended at T after MS ms; GOT is the snapshot's own
//!                                   version (0 when not read), ASKED the version announced
//! e KIND DETAIL                     an error of the kinds soak.py counts
//! ```
//!
//! Loopback only; it stops when stdin closes (the orchestrator exited) or it is killed.
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use std::io::{Read, Write};
use std::sync::mpsc;

use tokio::sync::Notify;

/// A fetch not answered by then is an error.
const SNAPSHOT_TIMEOUT: Duration = Duration::from_secs(10);
/// A stream that says nothing for this long (three of the server's keep-alives) is dropped.
const SILENCE: Duration = Duration::from_secs(45);

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

struct Wall {
    i: usize,
    /// Newest version announced.
    newest: AtomicI64,
    wake: Notify,
    client: reqwest::Client,
}

#[derive(Clone)]
struct Out(mpsc::Sender<String>);

impl Out {
    fn line(&self, s: String) {
        let _ = self.0.send(s);
    }
    fn error(&self, kind: &str, detail: String) {
        self.line(format!("e {kind}\t{detail}"));
    }
}

async fn stream(wall: Arc<Wall>, url: String, out: Out) {
    loop {
        let res = wall.client.get(&url).header("Accept", "text/event-stream").send().await;
        let mut resp = match res {
            Ok(r) if r.status() == 200 => r,
            Ok(r) => {
                out.error(&format!("stream HTTP {}", r.status().as_u16()), format!("(wall {})", wall.i));
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            Err(e) => {
                out.error("stream dropped", format!("(wall {}: {e})", wall.i));
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        out.line(format!("up {}", wall.i));
        let mut buf: Vec<u8> = Vec::new();
        let mut event: Vec<u8> = Vec::new();
        let mut data: Vec<u8> = Vec::new();
        let why = loop {
            let part = match tokio::time::timeout(SILENCE, resp.chunk()).await {
                Err(_) => break ("stream silent or timed out", String::new()),
                Ok(Err(e)) => break ("stream dropped", format!(": {e}")),
                Ok(Ok(None)) => break ("stream dropped", ": the stream ended".to_owned()),
                Ok(Ok(Some(b))) => b,
            };
            buf.extend_from_slice(&part);
            let mut start = 0;
            while let Some(n) = buf[start..].iter().position(|&c| c == b'\n') {
                let line = buf[start..start + n].strip_suffix(b"\r").unwrap_or(&buf[start..start + n]);
                if line.is_empty() {
                    if event == b"version" && !data.is_empty() {
                        let at = now();
                        match serde_json::from_slice::<serde_json::Value>(&data).ok().and_then(|v| v["version"].as_i64()) {
                            Some(v) => {
                                out.line(format!("v {} {v} {at:.6}", wall.i));
                                if v > wall.newest.fetch_max(v, Ordering::SeqCst) {
                                    wall.wake.notify_one();
                                }
                            }
                            None => out.error("stream dropped", format!("(wall {}: a version event without a version)", wall.i)),
                        }
                    }
                    event.clear();
                    data.clear();
                } else if let Some(rest) = line.strip_prefix(b"event:") {
                    event = rest.trim_ascii().to_vec();
                } else if let Some(rest) = line.strip_prefix(b"data:") {
                    if !data.is_empty() {
                        data.push(b'\n');
                    }
                    data.extend_from_slice(rest.strip_prefix(b" ").unwrap_or(rest));
                }
                start += n + 1;
            }
            buf.drain(..start);
        };
        out.error(why.0, format!("(wall {}{})", wall.i, why.1));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// One fetch: (status, the snapshot's own version or 0, body bytes).
async fn fetch(client: &reqwest::Client, url: &str, encoding: &str) -> Result<(u16, i64, usize), reqwest::Error> {
    let mut req = client.get(url).header("Accept", "application/json");
    if !encoding.is_empty() {
        req = req.header("Accept-Encoding", encoding);
    }
    let mut resp = req.send().await?;
    let status = resp.status().as_u16();
    let gzip = resp.headers().get("content-encoding").is_some_and(|v| v.as_bytes() == b"gzip");
    let mut head: Vec<u8> = Vec::new();
    let mut bytes = 0;
    while let Some(b) = resp.chunk().await? {
        if head.len() < 48 {
            head.extend_from_slice(&b[..b.len().min(48 - head.len())]);
        }
        bytes += b.len();
    }
    // `{"version":N,…`: a cheap look at the snapshot's own version (not when compressed).
    let got = if gzip { None } else { head.strip_prefix(b"{\"version\":") };
    let got = got.and_then(|r| r.split(|&c| c == b',').next()).and_then(|d| std::str::from_utf8(d).ok()?.parse().ok()).unwrap_or(0);
    Ok((status, got, bytes))
}

async fn fetcher(wall: Arc<Wall>, url: String, encoding: Arc<str>, out: Out) {
    let mut fetched = 0;
    loop {
        wall.wake.notified().await;
        while fetched < wall.newest.load(Ordering::SeqCst) {
            let v = wall.newest.load(Ordering::SeqCst);
            let t = Instant::now();
            match tokio::time::timeout(SNAPSHOT_TIMEOUT, fetch(&wall.client, &url, &encoding)).await {
                Err(_) => out.error("snapshot timeout", format!("(wall {}, version {v})", wall.i)),
                Ok(Err(e)) => out.error("snapshot connection error", format!("(wall {}: {e})", wall.i)),
                Ok(Ok((status, got, bytes))) => {
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    out.line(format!("s {} {:.6} {ms:.3} {status} {got} {v} {bytes}", wall.i, now()));
                }
            }
            fetched = v;
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, clients] = &args[..] else {
        eprintln!("usage: soak_walls URL CLIENTS   (env: COOKIE)");
        std::process::exit(2);
    };
    let host = reqwest::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
    assert!(["127.0.0.1", "localhost", "[::1]"].contains(&host.as_str()), "loopback only, not {host}");
    let clients: usize = clients.parse().expect("CLIENTS is a number");
    let cookie = std::env::var("COOKIE").expect("COOKIE: the session cookie the walls send");
    let encoding: Arc<str> = std::env::var("ACCEPT_ENCODING").unwrap_or_else(|_| "gzip".to_owned()).into();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    // Lines go out in batches from a thread of their own: no wall waits for the orchestrator.
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        let mut stdout = std::io::stdout().lock();
        let mut batch = String::new();
        while let Ok(first) = rx.recv() {
            batch.clear();
            batch.push_str(&first);
            batch.push('\n');
            while let Ok(more) = rx.try_recv() {
                batch.push_str(&more);
                batch.push('\n');
            }
            if stdout.write_all(batch.as_bytes()).is_err() || stdout.flush().is_err() {
                std::process::exit(0);
            }
        }
    });
    // Until the orchestrator closes stdin (or exits).
    std::thread::spawn(|| {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    let out = Out(tx);
    rt.block_on(async move {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::COOKIE, cookie.parse().expect("a cookie fit for a header"));
        let (events, snapshot) = (format!("{url}{}", app::live::EVENTS_URL), format!("{url}/api/v1/snapshot"));
        for i in 0..clients {
            let client = reqwest::Client::builder()
                .no_proxy()
                .tcp_nodelay(true)
                .pool_max_idle_per_host(2)
                .default_headers(headers.clone())
                .build()
                .expect("an HTTP client");
            let wall = Arc::new(Wall { i, newest: AtomicI64::new(0), wake: Notify::new(), client });
            tokio::spawn(stream(wall.clone(), events.clone(), out.clone()));
            tokio::spawn(fetcher(wall, snapshot.clone(), encoding.clone(), out.clone()));
            // Walls come up over a second or so, not in one instant.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        std::future::pending::<()>().await;
    });
}
