//! PDFs of the reports: the report's own HTML page ([`super::page`]) printed by headless
//! Chromium (`--print-to-pdf`), so the PDF holds the same text as the page, with the CJK
//! font embedded and its text extractable (`pdftotext`). Chromium is the browser the test
//! script installs; `scripts/lib/tools.sh` installs it wherever the server is set up.
//! `VANGUARD_CHROMIUM` names another binary.
//!
//! Each print runs in a fresh temporary directory (the page, Chromium's profile, the PDF),
//! removed afterwards; at most [`MAX_PRINTS`] run at once, each killed after [`TIMEOUT`].

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::Semaphore;

/// Chromium processes printing at once (each takes a core and ~150 MB while it runs).
pub const MAX_PRINTS: usize = 2;
/// A print that has not finished by then is killed.
pub const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("no Chromium to print with: install Debian's chromium (bash scripts/wall.sh does) or set VANGUARD_CHROMIUM")]
    NoBrowser,
    #[error("Chromium did not print within {0:?}")]
    Timeout(Duration),
    #[error("printing failed: {0}")]
    Failed(String),
}

/// The browser binary: `VANGUARD_CHROMIUM`, else the first of the usual names that exists.
fn browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("VANGUARD_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).chain([PathBuf::from("/usr/bin")]).collect();
    names.iter().flat_map(|n| dirs.iter().map(move |d| d.join(n))).find(|p| p.is_file())
}

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(MAX_PRINTS))
}

/// Prints `html` (a whole document) to PDF bytes on A4, without the browser's header and footer.
pub async fn print(html: &str) -> Result<Vec<u8>, PdfError> {
    let bin = browser().ok_or(PdfError::NoBrowser)?;
    let _permit = permits().acquire().await.map_err(|e| PdfError::Failed(e.to_string()))?;
    let dir = tempfile::tempdir().map_err(|e| PdfError::Failed(format!("temporary directory: {e}")))?;
    let (page, out, profile) = (dir.path().join("report.html"), dir.path().join("report.pdf"), dir.path().join("profile"));
    tokio::fs::write(&page, html).await.map_err(|e| PdfError::Failed(format!("writing the page: {e}")))?;
    let mut cmd = tokio::process::Command::new(&bin);
    cmd.arg("--headless")
        .arg("--no-sandbox")
        .arg("--disable-gpu")
        .arg("--disable-dev-shm-usage")
        .arg("--disable-extensions")
        .arg("--no-first-run")
        .arg("--no-default-browser-check")
        .arg("--hide-scrollbars")
        // Nothing a print needs: each of these is work Chromium does at start-up (about
        // 0.1–0.3 s of its 1–1.5 s here).
        .arg("--disable-background-networking")
        .arg("--disable-component-update")
        .arg("--disable-sync")
        .arg("--disable-default-apps")
        .arg("--no-service-autorun")
        .arg("--disable-breakpad")
        .arg("--password-store=basic")
        .arg("--disable-features=Translate,MediaRouter,OptimizationHints")
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--no-pdf-header-footer")
        .arg("--print-to-pdf-no-header")
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let child = cmd.spawn().map_err(|e| PdfError::Failed(format!("starting {}: {e}", bin.display())))?;
    let output = match tokio::time::timeout(TIMEOUT, child.wait_with_output()).await {
        Ok(r) => r.map_err(|e| PdfError::Failed(format!("waiting for {}: {e}", bin.display())))?,
        Err(_) => return Err(PdfError::Timeout(TIMEOUT)),
    };
    match tokio::fs::read(&out).await {
        Ok(pdf) if pdf.starts_with(b"%PDF") => Ok(pdf),
        _ => {
            let err = String::from_utf8_lossy(&output.stderr);
            let tail: String = err.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" | ");
            Err(PdfError::Failed(format!("{} exited with {} and wrote no PDF: {tail}", bin.display(), output.status)))
        }
    }
}
