//! Uncompressed Arrow IPC files: what the engine keeps on disk to start fast — the columnar
//! copy's image ([`crate::columnar`]) and the hub's saved figures ([`crate::saved`]). A file
//! is written whole under a temporary name and renamed into place, never written again in
//! place, and read back mapped rather than copied.

use crate::EngineError;
use polars::prelude::*;
use polars_io::prelude::{IpcReader, IpcWriter};
use polars_io::{SerReader, SerWriter};
use std::fs::{self, File};
use std::path::Path;

/// Writes `df` to `path` through `path.tmp` and a rename.
pub(crate) fn write(path: &Path, df: &DataFrame) -> Result<(), EngineError> {
    let tmp = path.with_extension("arrow.tmp");
    {
        let mut file = std::io::BufWriter::new(File::create(&tmp)?);
        IpcWriter::new(&mut file).finish(&mut df.clone())?;
        std::io::Write::flush(&mut file)?;
    }
    fs::rename(&tmp, path)?;
    Ok(())
}

/// The frame of a file [`write`] wrote, mapped.
pub(crate) fn read_mapped(path: &Path) -> Result<DataFrame, EngineError> {
    // SAFETY: polars maps the file and trusts its bytes for as long as the frame lives. Files
    // here are only ever written whole under a temporary name and renamed into place, and
    // never written again in place (a newer file has another name or directory; replacing or
    // removing a file leaves a mapping of the old one intact), so the mapped bytes are the
    // complete file that was opened and never change under the frame.
    let reader = unsafe { IpcReader::new(File::open(path)?).memory_mapped(Some(path.to_path_buf())) };
    Ok(reader.finish()?)
}
