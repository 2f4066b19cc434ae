//! Reading interchange files: CSV (RFC 4180, BOM, LF/CRLF, quoted line breaks) and
//! Parquet (typed or all strings), streamed in chunks so that a 5 GB file never sits in
//! memory. Both produce the same thing: rows of text fields in the entity's contract
//! column order, with the line (CSV: where the record starts; Parquet: the row number).

use domain::Entity;
use polars::prelude::*;
use polars_io::SerReader;
use polars_io::parquet::read::ParquetReader;
use std::fs::File;
use std::path::{Path, PathBuf};

/// One interchange file found in the import directory.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The name used in reports (the file name within the directory).
    pub name: String,
    pub entity: Entity,
    pub format: Format,
    pub bytes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
}

/// Lists the interchange files of `dir` in import order (by entity, then by name), and the
/// names of files that are not interchange files.
pub fn list_dir(dir: &Path) -> std::io::Result<(Vec<SourceFile>, Vec<String>)> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let lower = name.to_ascii_lowercase();
        let format = if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else if lower.ends_with(".parquet") || lower.ends_with(".pq") {
            Some(Format::Parquet)
        } else {
            None
        };
        match (Entity::from_file_name(&name), format) {
            (Some(entity), Some(format)) => files.push(SourceFile { bytes: entry.metadata()?.len(), path: entry.path(), name, entity, format }),
            _ => skipped.push(name),
        }
    }
    files.sort_by(|a, b| (a.entity, &a.name).cmp(&(b.entity, &b.name)));
    skipped.sort();
    Ok((files, skipped))
}

/// A row as read: its line and its fields in contract column order.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub line: u64,
    pub fields: Vec<String>,
}

/// What reading a file yields, chunk by chunk.
pub enum Read {
    Rows(Vec<RawRow>),
    /// A row the reader could not split into fields (bad quoting, wrong field count, not UTF-8).
    Bad {
        line: u64,
        reason: String,
    },
}

/// Maps a header to the entity's columns: for each contract column, its position in the file.
fn column_map(entity: Entity, header: &[String]) -> Result<Vec<usize>, String> {
    let names: Vec<String> = header.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase()).collect();
    for (i, n) in names.iter().enumerate() {
        if !n.is_empty() && names[..i].contains(n) {
            return Err(format!("the header names the column {n:?} twice"));
        }
    }
    let mut missing = Vec::new();
    let map = entity
        .columns()
        .iter()
        .map(|c| {
            names.iter().position(|n| n == c).unwrap_or_else(|| {
                missing.push(*c);
                usize::MAX
            })
        })
        .collect();
    if missing.is_empty() {
        Ok(map)
    } else {
        Err(format!("the header lacks the column(s) {}; {} files have: {}", missing.join(", "), entity.stem(), entity.columns().join(", ")))
    }
}

/// A header problem that stops a whole file (reported at line 1).
#[derive(Debug)]
pub struct HeaderError(pub String);

/// Streams `file`, calling `sink` with chunks of at most `chunk_rows` rows and the number of
/// bytes consumed so far. Stops early if `sink` returns false.
pub fn read_file(file: &SourceFile, chunk_rows: usize, sink: &mut dyn FnMut(Read, u64) -> bool) -> Result<Result<(), HeaderError>, std::io::Error> {
    match file.format {
        Format::Csv => read_csv(file, chunk_rows, sink),
        Format::Parquet => read_parquet(file, chunk_rows, sink),
    }
}

/// Where lines start. The csv crate places a record's start before any line terminator
/// left over from the previous record (the `\n` of a CRLF) and before skipped blank lines,
/// so its line numbers run one short there. This reader notes the offset of every `\r` and
/// `\n` as bytes pass to the csv parser; [`LineIndex::line_at`] then steps over the
/// terminators at a record's start and gives the line its first byte is on.
struct LineIndex<R> {
    inner: R,
    offset: u64,
    marks: std::rc::Rc<std::cell::RefCell<Marks>>,
}

/// The longest field accepted (issue 11 item 5): longer ones are rejected with their row.
pub const MAX_FIELD_BYTES: usize = 4 * 1024;
/// The longest record accepted (its fields and separators).
pub const MAX_RECORD_BYTES: usize = 64 * 1024;
/// A record still open after this many bytes (a quote that never closes swallowing the rest
/// of the file) stops the file's reading: the CSV parser would otherwise hold it all.
pub const RUNAWAY_RECORD_BYTES: u64 = 16 << 20;

/// Where the RFC 4180 quoting stands after the bytes read so far, tracked beside the csv
/// parser (which, at the end of the file, closes an open quote silently).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Quoting {
    #[default]
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: closes it, or is the first of a doubled quote.
    QuoteInQuoted,
}

impl Quoting {
    fn step(self, b: u8) -> Quoting {
        match (self, b) {
            (Quoting::Quoted, b'"') => Quoting::QuoteInQuoted,
            (Quoting::Quoted, _) => Quoting::Quoted,
            (Quoting::QuoteInQuoted, b'"') => Quoting::Quoted,
            (Quoting::FieldStart, b'"') => Quoting::Quoted,
            (_, b',' | b'\n' | b'\r') => Quoting::FieldStart,
            _ => Quoting::Unquoted,
        }
    }
}

/// The first byte of `field` that is a control character other than tab and line breaks (NUL
/// among them): such bytes are never data, and PostgreSQL's COPY cannot carry a NUL.
fn control_byte(field: &[u8]) -> Option<(usize, u8)> {
    field.iter().position(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f).map(|i| (i, field[i]))
}

/// Why a record read in full is not a row: too long, a field too long, a control character.
fn check_record(entity: Entity, map: &[usize], record: &csv::ByteRecord) -> Option<String> {
    let total = record.as_slice().len() + record.len().saturating_sub(1);
    if total > MAX_RECORD_BYTES {
        return Some(format!("the record is {total} bytes long; at most {MAX_RECORD_BYTES} are accepted"));
    }
    for (ci, &pos) in map.iter().enumerate() {
        let field = &record[pos];
        let col = entity.columns()[ci];
        if field.len() > MAX_FIELD_BYTES {
            return Some(format!("{col}: is {} bytes long; at most {MAX_FIELD_BYTES} are accepted", field.len()));
        }
        if let Some((at, b)) = control_byte(field) {
            let name = if b == 0 { "a NUL byte".to_string() } else { format!("the control character 0x{b:02X}") };
            return Some(format!("{col}: holds {name} at byte {}", at + 1));
        }
    }
    None
}

#[derive(Default)]
struct Marks {
    /// Offsets of `\r`/`\n` bytes not yet passed, with whether each is a `\n`.
    pending: std::collections::VecDeque<(u64, bool)>,
    /// Line of the first byte after the last consumed mark.
    line: u64,
    /// The quoting after every byte read so far.
    quoting: Quoting,
    /// Offset of the end of the last record the parser returned.
    record_end: u64,
}

impl<R: std::io::Read> std::io::Read for LineIndex<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut marks = self.marks.borrow_mut();
        if self.offset.saturating_sub(marks.record_end) > RUNAWAY_RECORD_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a record runs on for more than {} MB: a quote that is never closed?", RUNAWAY_RECORD_BYTES >> 20),
            ));
        }
        let n = self.inner.read(buf)?;
        let mut quoting = marks.quoting;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                marks.pending.push_back((self.offset + i as u64, b == b'\n'));
            }
            quoting = quoting.step(b);
        }
        marks.quoting = quoting;
        self.offset += n as u64;
        Ok(n)
    }
}

impl Marks {
    /// The line of the first byte at or after `offset` that is not a line terminator.
    fn line_at(&mut self, mut offset: u64) -> u64 {
        while let Some(&(at, lf)) = self.pending.front() {
            if at < offset {
                // A terminator before the record: it ended an earlier line.
            } else if at == offset {
                // A terminator where the record seems to start: step over it.
                offset += 1;
            } else {
                break;
            }
            if lf {
                self.line += 1;
            }
            self.pending.pop_front();
        }
        self.line
    }
}

fn read_csv(file: &SourceFile, chunk_rows: usize, sink: &mut dyn FnMut(Read, u64) -> bool) -> Result<Result<(), HeaderError>, std::io::Error> {
    let marks = std::rc::Rc::new(std::cell::RefCell::new(Marks { line: 1, ..Marks::default() }));
    let reader = LineIndex { inner: File::open(&file.path)?, offset: 0, marks: marks.clone() };
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).buffer_capacity(1 << 20).from_reader(reader);
    let line_of = |pos: Option<&csv::Position>, fallback: u64| pos.map_or(fallback, |p| marks.borrow_mut().line_at(p.byte()));
    let mut record = csv::ByteRecord::new();
    // The header.
    let header = match rdr.read_byte_record(&mut record) {
        Ok(false) => return Ok(Err(HeaderError("the file is empty: no header row".into()))),
        Ok(true) => match record.iter().map(|f| std::str::from_utf8(f).map(str::to_owned)).collect::<Result<Vec<_>, _>>() {
            Ok(h) => h,
            Err(_) => return Ok(Err(HeaderError("the header row is not valid UTF-8".into()))),
        },
        Err(e) if e.is_io_error() => return Err(into_io(e)),
        Err(e) => return Ok(Err(HeaderError(format!("the header row cannot be read: {e}")))),
    };
    let map = match column_map(file.entity, &header) {
        Ok(m) => m,
        Err(e) => return Ok(Err(HeaderError(e))),
    };
    let width = header.len();
    let mut rows = Vec::with_capacity(chunk_rows);
    // The line of the last record read, and whether it became the last row of `rows` (a row
    // is sent on only when the next one is read, so a record found cut at the end of the file
    // can still be taken back).
    let mut last: Option<(u64, bool)> = None;
    loop {
        let line_hint = rdr.position().line();
        let read = rdr.read_byte_record(&mut record);
        marks.borrow_mut().record_end = rdr.position().byte();
        match read {
            Ok(false) => break,
            Ok(true) => {
                let line = line_of(record.position(), line_hint);
                last = Some((line, false));
                // A blank line between records is not a row.
                if record.len() == 1 && record[0].is_empty() {
                    continue;
                }
                if record.len() != width {
                    let bad = Read::Bad { line, reason: format!("has {} fields; the header has {width}", record.len()) };
                    if !sink(bad, rdr.position().byte()) {
                        return Ok(Ok(()));
                    }
                    continue;
                }
                if let Some(reason) = check_record(file.entity, &map, &record) {
                    if !sink(Read::Bad { line, reason }, rdr.position().byte()) {
                        return Ok(Ok(()));
                    }
                    continue;
                }
                let mut fields = Vec::with_capacity(map.len());
                let mut utf8_error = None;
                for (ci, &pos) in map.iter().enumerate() {
                    match std::str::from_utf8(&record[pos]) {
                        Ok(s) => fields.push(s.to_owned()),
                        Err(_) => {
                            utf8_error = Some(file.entity.columns()[ci]);
                            break;
                        }
                    }
                }
                if let Some(col) = utf8_error {
                    if !sink(Read::Bad { line, reason: format!("{col}: is not valid UTF-8") }, rdr.position().byte()) {
                        return Ok(Ok(()));
                    }
                    continue;
                }
                if rows.len() >= chunk_rows && !sink(Read::Rows(std::mem::replace(&mut rows, Vec::with_capacity(chunk_rows))), rdr.position().byte()) {
                    return Ok(Ok(()));
                }
                rows.push(RawRow { line, fields });
                last = Some((line, true));
            }
            Err(e) if e.is_io_error() => {
                let io = into_io(e);
                if io.kind() == std::io::ErrorKind::InvalidData {
                    // A runaway record: rejected at its line, and the file's reading ends.
                    let line = line_of(None, line_hint);
                    sink(Read::Rows(std::mem::take(&mut rows)), rdr.position().byte());
                    sink(Read::Bad { line, reason: io.to_string() }, file.bytes);
                    return Ok(Ok(()));
                }
                return Err(io);
            }
            Err(e) => {
                let line = line_of(e.position(), line_hint);
                if !sink(Read::Bad { line, reason: format!("cannot be read as CSV: {e}") }, rdr.position().byte()) {
                    return Ok(Ok(()));
                }
            }
        }
    }
    // The file ended inside a quoted field: the csv parser closed it silently, so the last
    // record's text is cut short. It is rejected, never stored (§3).
    // (A record rejected for another reason already is not rejected twice.)
    if marks.borrow().quoting == Quoting::Quoted
        && let Some((line, true)) = last
    {
        rows.pop();
        sink(Read::Bad { line, reason: "the file ends inside a quoted field: the record is cut short".into() }, file.bytes);
    }
    if !rows.is_empty() {
        sink(Read::Rows(rows), file.bytes);
    }
    Ok(Ok(()))
}

fn into_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// Parquet is read slice by slice (each slice only touches the row groups it needs), every
/// column cast to text so that typed and all-string files pass the same validation: dates
/// print as `YYYY-MM-DD`, timestamps as `YYYY-MM-DD HH:MM:SS[.f]`, decimals exactly.
fn read_parquet(file: &SourceFile, chunk_rows: usize, sink: &mut dyn FnMut(Read, u64) -> bool) -> Result<Result<(), HeaderError>, std::io::Error> {
    let pl = |e: PolarsError| std::io::Error::other(format!("{}: {e}", file.name));
    let mut reader = ParquetReader::new(File::open(&file.path)?);
    let schema = match reader.schema() {
        Ok(s) => s,
        Err(e) => return Ok(Err(HeaderError(format!("is not a readable Parquet file: {e}")))),
    };
    let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let map = match column_map(file.entity, &header) {
        Ok(m) => m,
        Err(e) => return Ok(Err(HeaderError(e))),
    };
    let wanted: Vec<String> = map.iter().map(|&i| header[i].clone()).collect();
    let total = reader.num_rows().map_err(pl)?;
    let mut offset = 0usize;
    while offset < total {
        let len = chunk_rows.min(total - offset);
        let df = ParquetReader::new(File::open(&file.path)?).with_columns(Some(wanted.clone())).with_slice(Some((offset, len))).finish().map_err(pl)?;
        let mut columns = Vec::with_capacity(wanted.len());
        for name in &wanted {
            let col = df.column(name).map_err(pl)?;
            let text = col.as_materialized_series().cast(&DataType::String).map_err(pl)?;
            columns.push(text);
        }
        let mut rows: Vec<RawRow> = (0..df.height()).map(|i| RawRow { line: (offset + i + 1) as u64, fields: Vec::with_capacity(wanted.len()) }).collect();
        for s in &columns {
            let ca = s.str().map_err(pl)?;
            for (row, v) in rows.iter_mut().zip(ca.iter()) {
                row.fields.push(v.unwrap_or("").to_owned());
            }
        }
        offset += len;
        let done = (file.bytes as f64 * offset as f64 / total as f64) as u64;
        if !sink(Read::Rows(rows), done) {
            break;
        }
    }
    Ok(Ok(()))
}
