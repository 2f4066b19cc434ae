//! PDFs of the reports: the report's own HTML page ([`super::page`]) printed by headless
//! Chromium (`Page.printToPDF`), so the PDF holds the same text as the page, with the CJK
//! font embedded and its text extractable (`pdftotext`). Chromium is the browser the test
//! script installs; `scripts/lib/tools.sh` installs it wherever the server is set up.
//! `VANGUARD_CHROMIUM` names another binary.
//!
//! The browser is kept running between prints ([`super::chromium`]); each print writes its
//! page to a fresh temporary directory, removed afterwards. At most [`MAX_PRINTS`] pages
//! print at once, each given up after [`TIMEOUT`] (and its browser replaced).

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::chromium;

/// Pages printing at once (each takes a core while it lays out).
pub const MAX_PRINTS: usize = 2;
/// A print that has not finished by then is given up, and its browser replaced. Below the
/// request timeout ([`crate::limits::REQUEST_TIMEOUT`]), so a stuck print is ended here, with
/// its browser, rather than dropped with the request and its tab left open.
pub const TIMEOUT: Duration = Duration::from_secs(25);

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

/// Prints `html` (a whole document) to PDF bytes, on the paper of its `@page` rule (A4),
/// without the browser's header and footer. A browser that died since its last print is
/// replaced and the page printed again, once.
pub async fn print(html: &str) -> Result<Vec<u8>, PdfError> {
    let bin = browser().ok_or(PdfError::NoBrowser)?;
    let _permit = permits().acquire().await.map_err(|e| PdfError::Failed(e.to_string()))?;
    let dir = tempfile::tempdir().map_err(|e| PdfError::Failed(format!("temporary directory: {e}")))?;
    let page = dir.path().join("report.html");
    tokio::fs::write(&page, html).await.map_err(|e| PdfError::Failed(format!("writing the page: {e}")))?;
    let url = format!("file://{}", page.display());
    let mut attempt = 0;
    loop {
        attempt += 1;
        let b = chromium::shared(&bin).await?;
        match tokio::time::timeout(TIMEOUT, b.print(&url)).await {
            Ok(Ok(pdf)) if pdf.starts_with(b"%PDF") => return Ok(pdf),
            Ok(Ok(_)) => {
                chromium::discard(&b).await;
                return Err(PdfError::Failed("Chromium returned something that is not a PDF".into()));
            }
            Ok(Err(e)) => {
                chromium::discard(&b).await;
                if attempt >= 2 {
                    return Err(e);
                }
                tracing::warn!(error = %e, "report pdf: printing again in a new browser");
            }
            Err(_) => {
                chromium::discard(&b).await;
                return Err(PdfError::Timeout(TIMEOUT));
            }
        }
    }
}

/// Closes the browser kept for printing (a command that printed calls it before it exits).
pub async fn close() {
    chromium::close().await;
}
