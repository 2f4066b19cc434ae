//! One headless Chromium kept running for the report PDFs, driven over the DevTools protocol
//! on a pipe (`--remote-debugging-pipe`: JSON messages separated by NUL bytes, Chromium
//! reading fd 3 and writing fd 4).
//!
//! Why a kept browser: starting Chromium costs 1–1.5 s on the reference machine, more than
//! half of issue 10's "one member's PDF ≤ 2 s"; a page printed in a running browser takes
//! 0.2–0.5 s. Why a pipe rather than the WebSocket port: Chromium exits by itself when the
//! pipe closes, so a server (or a `vanguard report pdf`, or a test binary) that dies leaves no
//! browser behind, and no port is opened. Three protocol commands are used (open a tab, load
//! a file, `Page.printToPDF`), which is why this is a small client of its own rather than a
//! crate carrying the whole generated protocol.
//!
//! The browser is started on the first print, shared by all prints (each in its own tab,
//! closed afterwards), replaced when it dies or after [`RECYCLE_AFTER`] prints, and closed
//! after [`IDLE`] without a print, so an idle server does not hold its memory.

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use base64ct::{Base64, Encoding};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::{mpsc, oneshot};

use super::pdf::PdfError;

/// Prints after which the browser is replaced by a fresh one (its memory returned).
pub const RECYCLE_AFTER: u64 = 1_000;
/// A browser without a print for this long is closed; the next print starts another.
pub const IDLE: Duration = Duration::from_secs(15 * 60);
/// Chromium must answer its first command within this.
const START_TIMEOUT: Duration = Duration::from_secs(20);

type Reply = Result<Value, String>;

/// A running Chromium and the protocol state of its pipe.
pub struct Browser {
    /// Killed when the last handle goes (and it exits by itself when `input` closes).
    _child: Child,
    input: tokio::sync::Mutex<ChildStdin>,
    /// Commands waiting for their answer, by id.
    pending: Arc<Mutex<HashMap<u64, oneshot::Sender<Reply>>>>,
    /// Tabs waiting for events (method names), by session id.
    sessions: Arc<Mutex<HashMap<String, mpsc::UnboundedSender<String>>>>,
    next_id: AtomicU64,
    /// Set when the pipe closes: the browser exited or its reader was dropped.
    dead: Arc<AtomicBool>,
    prints: AtomicU64,
    in_flight: AtomicUsize,
    started: Instant,
    /// Milliseconds after `started` of the last print's end.
    last_used_ms: AtomicU64,
    _profile: tempfile::TempDir,
}

/// The flags of every print: headless, no sandbox (the server may run as root in a
/// container), and none of the start-up work a print does not need.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-service-autorun",
    "--disable-breakpad",
    "--password-store=basic",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--remote-debugging-pipe",
];

/// Sets the flag when dropped: the reader task ends (pipe closed) or is dropped with its runtime.
struct MarkDead(Arc<AtomicBool>);
impl Drop for MarkDead {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Forgets a tab's event channel when its print ends, however it ends.
struct Forget<'a>(&'a Browser, String);
impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.0.sessions.lock().expect("sessions lock").remove(&self.1);
    }
}

/// Counts a print in flight, and its end as the browser's last use, however it ends.
struct Busy<'a>(&'a Browser);
impl<'a> Busy<'a> {
    fn new(b: &'a Browser) -> Self {
        b.in_flight.fetch_add(1, Ordering::SeqCst);
        Busy(b)
    }
}
impl Drop for Busy<'_> {
    fn drop(&mut self) {
        let now = self.0.started.elapsed().as_millis() as u64;
        self.0.last_used_ms.store(now, Ordering::Relaxed);
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn failed(what: impl std::fmt::Display) -> PdfError {
    PdfError::Failed(what.to_string())
}

impl Browser {
    /// Starts `bin` with the pipe on fds 3 and 4. `sh` moves the child's stdin and stdout
    /// there (`3<&0 4>&1`), so no unsafe code is needed to place the descriptors.
    async fn launch(bin: &Path) -> Result<Arc<Browser>, PdfError> {
        let profile = tempfile::tempdir().map_err(|e| failed(format!("temporary directory: {e}")))?;
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(r#"exec "$@" 3<&0 4>&1 </dev/null >/dev/null"#)
            .arg("sh")
            .arg(bin)
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| failed(format!("starting {}: {e}", bin.display())))?;
        let input = child.stdin.take().ok_or_else(|| failed("no pipe to Chromium"))?;
        let output = child.stdout.take().ok_or_else(|| failed("no pipe from Chromium"))?;
        let browser = Arc::new(Browser {
            _child: child,
            input: tokio::sync::Mutex::new(input),
            pending: Arc::default(),
            sessions: Arc::default(),
            next_id: AtomicU64::new(1),
            dead: Arc::default(),
            prints: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            started: Instant::now(),
            last_used_ms: AtomicU64::new(0),
            _profile: profile,
        });
        let (pending, sessions, dead) = (browser.pending.clone(), browser.sessions.clone(), browser.dead.clone());
        tokio::spawn(async move {
            let _mark = MarkDead(dead);
            let mut output = BufReader::new(output);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match output.read_until(0, &mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                if buf.last() == Some(&0) {
                    buf.pop();
                }
                let Ok(v) = serde_json::from_slice::<Value>(&buf) else { continue };
                if let Some(id) = v.get("id").and_then(Value::as_u64) {
                    let waiting = pending.lock().expect("pending lock").remove(&id);
                    if let Some(tx) = waiting {
                        let reply = match v.get("error") {
                            Some(e) => Err(e.get("message").and_then(Value::as_str).unwrap_or("error").to_string()),
                            None => Ok(v.get("result").cloned().unwrap_or(Value::Null)),
                        };
                        let _ = tx.send(reply);
                    }
                } else if let (Some(method), Some(sid)) = (v.get("method").and_then(Value::as_str), v.get("sessionId").and_then(Value::as_str))
                    && let Some(tx) = sessions.lock().expect("sessions lock").get(sid)
                {
                    let _ = tx.send(method.to_string());
                }
            }
            // Everyone still waiting learns that the browser is gone.
            pending.lock().expect("pending lock").clear();
            sessions.lock().expect("sessions lock").clear();
        });
        // The browser is usable once it answers.
        match tokio::time::timeout(START_TIMEOUT, browser.call(None, "Browser.getVersion", json!({}))).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(failed(format!("{} did not start: {e}", bin.display()))),
            Err(_) => return Err(failed(format!("{} did not answer within {START_TIMEOUT:?}", bin.display()))),
        }
        spawn_idle_close(Arc::downgrade(&browser));
        Ok(browser)
    }

    fn usable(&self) -> bool {
        !self.dead.load(Ordering::SeqCst) && self.prints.load(Ordering::Relaxed) < RECYCLE_AFTER
    }

    fn idle_for(&self) -> Duration {
        if self.in_flight.load(Ordering::SeqCst) > 0 {
            return Duration::ZERO;
        }
        let last = Duration::from_millis(self.last_used_ms.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }

    /// Sends one command (to the browser, or to a tab's session) and waits for its answer.
    async fn call(&self, session: Option<&str>, method: &str, params: Value) -> Result<Value, PdfError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().expect("pending lock").insert(id, tx);
        if self.dead.load(Ordering::SeqCst) {
            self.pending.lock().expect("pending lock").remove(&id);
            return Err(failed("Chromium has exited"));
        }
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = msg.to_string().into_bytes();
        bytes.push(0);
        {
            let mut input = self.input.lock().await;
            let written = async {
                input.write_all(&bytes).await?;
                input.flush().await
            };
            if let Err(e) = written.await {
                self.pending.lock().expect("pending lock").remove(&id);
                return Err(failed(format!("writing to Chromium: {e}")));
            }
        }
        match rx.await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(failed(format!("{method}: {e}"))),
            Err(_) => Err(failed("Chromium has exited")),
        }
    }

    /// Prints the page at `url` (a `file://` URL) in a new tab, closed afterwards.
    pub async fn print(&self, url: &str) -> Result<Vec<u8>, PdfError> {
        let _busy = Busy::new(self);
        self.prints.fetch_add(1, Ordering::Relaxed);
        let tab = self.call(None, "Target.createTarget", json!({ "url": "about:blank" })).await;
        match tab.as_ref().ok().and_then(|t| t.get("targetId")).and_then(Value::as_str) {
            Some(target) => {
                let r = self.print_in(target, url).await;
                let _ = self.call(None, "Target.closeTarget", json!({ "targetId": target })).await;
                r
            }
            None => Err(tab.err().unwrap_or_else(|| failed("Chromium opened no tab"))),
        }
    }

    async fn print_in(&self, target: &str, url: &str) -> Result<Vec<u8>, PdfError> {
        let attached = self.call(None, "Target.attachToTarget", json!({ "targetId": target, "flatten": true })).await?;
        let session = attached.get("sessionId").and_then(Value::as_str).ok_or_else(|| failed("no session"))?.to_string();
        let (tx, mut events) = mpsc::unbounded_channel();
        self.sessions.lock().expect("sessions lock").insert(session.clone(), tx);
        let _forget = Forget(self, session.clone());
        let s = Some(session.as_str());
        // Events are on before the navigation, so its load event cannot be missed.
        self.call(s, "Page.enable", json!({})).await?;
        let nav = self.call(s, "Page.navigate", json!({ "url": url })).await?;
        if let Some(err) = nav.get("errorText").and_then(Value::as_str) {
            return Err(failed(format!("loading the page: {err}")));
        }
        loop {
            match events.recv().await {
                Some(m) if m == "Page.loadEventFired" => break,
                Some(_) => continue,
                None => return Err(failed("Chromium has exited")),
            }
        }
        // The page's own `@page { size: A4 }` decides the paper and margins; no header or footer.
        let printed = self.call(s, "Page.printToPDF", json!({ "printBackground": true, "preferCSSPageSize": true, "displayHeaderFooter": false })).await?;
        let data = printed.get("data").and_then(Value::as_str).ok_or_else(|| failed("Page.printToPDF returned no data"))?;
        Base64::decode_vec(data).map_err(|e| failed(format!("Page.printToPDF data: {e}")))
    }
}

/// The browser shared by all prints, if one is running.
static SHARED: tokio::sync::Mutex<Option<Arc<Browser>>> = tokio::sync::Mutex::const_new(None);

/// The running browser, or a new one. The lock is held while one starts, so two prints at
/// once never start two browsers.
pub async fn shared(bin: &Path) -> Result<Arc<Browser>, PdfError> {
    let mut slot = SHARED.lock().await;
    if let Some(b) = slot.as_ref().filter(|b| b.usable()) {
        return Ok(b.clone());
    }
    // A dead or worn browser is dropped here (killed once its last print lets go of it).
    *slot = None;
    let b = Browser::launch(bin).await?;
    *slot = Some(b.clone());
    Ok(b)
}

/// Stops sharing `b` (after it failed): the next print starts a new browser.
pub async fn discard(b: &Arc<Browser>) {
    let mut slot = SHARED.lock().await;
    if slot.as_ref().is_some_and(|s| Arc::ptr_eq(s, b)) {
        *slot = None;
    }
}

/// Closes the shared browser (at the end of a command, or when a server stops).
pub async fn close() {
    SHARED.lock().await.take();
}

fn spawn_idle_close(browser: Weak<Browser>) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(30)).await;
            let Some(b) = browser.upgrade() else { return };
            if b.dead.load(Ordering::SeqCst) {
                discard(&b).await;
                return;
            }
            if b.idle_for() >= IDLE {
                tracing::debug!("closing the idle report browser");
                discard(&b).await;
                return;
            }
        }
    });
}
