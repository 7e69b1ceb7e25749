//! Input: opening exports, reading their header and streaming their records.
//!
//! Every `csv_core` setting lives here (delimiter, quoting), decided once per file.

mod batch;
pub(crate) mod dialect;
pub(crate) mod encoding;
pub(crate) mod footer;

pub(crate) mod owners;
pub(crate) mod quota;
pub(crate) mod reader;
mod scan;
mod side;
pub(crate) mod team;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{Context, Result, bail};

pub(crate) use encoding::{Legacy, StreamEncoding};
pub(crate) use reader::RowText;
pub(crate) use reader::{Batch, BatchStream, RecordReader, Row, Rows};

const BUFFER: usize = 256 * 1024;
/// Bytes read before the encoding is decided.
const RAW_HEAD: usize = 8 * 1024;
/// Decoded bytes read before the delimiter is decided and the sample taken.
const SAMPLE_BYTES: usize = 256 * 1024;

/// An opened export, positioned after its header.
pub struct Export {
    /// The path as given (`-` is standard input, shown as `<stdin>`).
    pub(crate) name: String,
    pub(crate) header: Header,
    pub(crate) delimiter: u8,
    /// How the byte stream is decoded.
    pub(crate) encoding: StreamEncoding,
    /// How text that is not UTF-8 is decoded, when decided before the rows are read (named,
    /// or detected in the head of the file); otherwise the reader decides at the first such
    /// row.
    pub(crate) legacy: Option<Legacy>,
    /// The header itself was not UTF-8 (read in the legacy encoding).
    pub(crate) header_not_utf8: bool,
    /// Read as a database dump (IN008), and what the head of the file showed of it.
    pub(crate) dump: Option<dialect::Dump>,
    /// The header row looks like a deal (IN007), in words; `None` when it names columns or
    /// the rules named them (`[input] header`).
    pub(crate) headerless: Option<String>,
    /// The file has no header row: its columns were named (`[input] header`).
    pub(crate) header_named: bool,
    /// The first data rows, decoded: what value sniffing (date formats, decimal mark) reads.
    pub(crate) sample: Vec<Vec<String>>,
    pub(crate) reader: RecordReader<Box<dyn BufRead + Send>>,
    /// How far reading has got: bytes of the file read so far, and its size when known
    /// (for a progress bar).
    pub(crate) progress: ReadProgress,
}

/// Bytes of an export read so far (shared with whoever shows progress), and its size.
#[derive(Clone, Debug, Default)]
pub(crate) struct ReadProgress {
    pub(crate) read: std::sync::Arc<std::sync::atomic::AtomicU64>,
    pub(crate) size: Option<u64>,
}

/// A reader that counts the bytes it hands over.
struct Counted<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// The longest header row read. Column names are matched against every name the rules and
/// presets know, so a header of megabytes (a file that is one long line, or split on the
/// wrong delimiter) would take minutes to match; it is refused instead.
const MAX_HEADER_BYTES: usize = 256 << 10;
/// The most columns a header may have: a spreadsheet's limit.
const MAX_COLUMNS: usize = 16_384;

/// A byte count in words: "68.9 MB", "1.2 kB".
fn size_words(bytes: usize) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.1} kB", b as f64 / 1e3),
        b => format!("{b} bytes"),
    }
}

/// How many data rows the sample keeps.
const SAMPLE_ROWS: usize = 2000;

/// The header row of an export.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    /// Header cells as written (trimmed of surrounding spaces).
    pub(crate) cells: Vec<String>,
    pub(crate) line: u64,
}

impl Header {
    pub(crate) fn len(&self) -> usize {
        self.cells.len()
    }

    /// The column index of a header name, ignoring case and surrounding spaces, and then
    /// spaces, underscores and punctuation (`close_date` finds `Close Date`, `StageName`
    /// finds `STAGE_NAME`). The first of duplicated names wins.
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        self.find_spelled(name).or_else(|| self.find_loose(name))
    }

    /// The first of `names` the header has: any spelled as written (ignoring case) wins
    /// over one matching only loosely (`ForecastCategoryName` over `Forecast Category`
    /// read as `ForecastCategory`).
    pub(crate) fn find_any<S: AsRef<str>>(&self, names: &[S]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.find_spelled(n.as_ref()))
            .or_else(|| names.iter().find_map(|n| self.find_loose(n.as_ref())))
    }

    /// Exactly, then ignoring case.
    pub(crate) fn find_spelled(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.cells
            .iter()
            .position(|c| c == name)
            .or_else(|| self.cells.iter().position(|c| c.eq_ignore_ascii_case(name)))
            .or_else(|| {
                let lower = name.to_lowercase();
                self.cells.iter().position(|c| c.to_lowercase() == lower)
            })
    }

    /// Comparing letters and digits only.
    pub(crate) fn find_loose(&self, name: &str) -> Option<usize> {
        let key = header_key(name);
        if key.is_empty() {
            return None;
        }
        self.cells.iter().position(|c| header_key(c) == key)
    }
}

/// A header name with only its letters and digits, lower-cased: how header names compare
/// when their spelling differs only in case, spaces, underscores and punctuation.
pub(crate) fn header_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Header {
    /// When the header is one cell holding `;`, tab or `|`, the file is most likely split on
    /// another delimiter than the one used: say which.
    pub(crate) fn delimiter_hint(&self) -> Option<String> {
        let [only] = self.cells.as_slice() else {
            return None;
        };
        let (name, flag) = [(';', ";"), ('\t', "tab"), ('|', "|")]
            .into_iter()
            .find(|(c, _)| only.contains(*c))?;
        let shown = if name == '\t' {
            "tab".to_string()
        } else {
            format!("`{name}`")
        };
        Some(format!(
            "the header is a single column containing {shown}: the file looks {shown}-delimited; pass --delimiter '{flag}' or set [input] delimiter"
        ))
    }
}

/// `--delimiter` as given on the command line: one ASCII character, or `tab`.
pub(crate) fn parse_delimiter(d: &str) -> Result<u8> {
    dialect::delimiter_byte(d).with_context(|| {
        format!("--delimiter must be one ASCII character such as , ; | or `tab`, not {d:?}")
    })
}

pub(crate) fn display_name(path: &str) -> String {
    if path == "-" {
        "<stdin>".to_string()
    } else {
        path.to_string()
    }
}

/// How a file is to be read, as the command line and the rules' `[input]` say; what is not
/// said is detected from the file.
#[derive(Clone, Debug, Default)]
pub(crate) struct ReadAs {
    pub(crate) delimiter: Option<u8>,
    /// `--encoding`, `[input] encoding`.
    pub(crate) encoding: Option<encoding::Named>,
    /// `[input] header`: the file has no header row, and these name its columns (IN007).
    pub(crate) header: Option<Vec<String>>,
    /// `[input] escape`: `Some(true)` reads a database dump's dialect (`\"`, `\N`),
    /// `Some(false)` plain CSV, whatever the file's first rows show (IN008).
    pub(crate) dump: Option<bool>,
    /// A first row that looks like a deal is read as one, the columns named `column_1`,
    /// `column_2`, … (what `init --from` and `profile` do; an audit stops instead).
    pub(crate) name_columns: bool,
}

/// Open an export and read its header. `delimiter` is detected from the first lines when
/// not given.
pub(crate) fn open(path: &str, delimiter: Option<u8>) -> Result<Export> {
    open_as(
        path,
        &ReadAs {
            delimiter,
            ..ReadAs::default()
        },
    )
}

/// `--encoding NAME` as given on the command line.
pub(crate) fn parse_encoding(name: &str) -> Result<encoding::Named> {
    encoding::named(name).map_err(|e| anyhow::anyhow!("--encoding: {e}"))
}

/// [`open`], read as `how` says (the delimiter, the encoding, the header and the dialect
/// named rather than detected).
pub(crate) fn open_as(path: &str, how: &ReadAs) -> Result<Export> {
    let named = how.encoding;
    let name = display_name(path);
    let mut progress = ReadProgress::default();
    let raw: Box<dyn Read + Send> = if path == "-" {
        Box::new(io::stdin())
    } else {
        let p = Path::new(path);
        if p.is_dir() {
            bail!("cannot read {name}: it is a directory; pass a CSV file");
        }
        let file = File::open(p).with_context(|| format!("cannot open {name}"))?;
        progress.size = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        Box::new(Counted {
            inner: file,
            read: progress.read.clone(),
        })
    };
    // The head of the file is read in full before anything is decided (a pipe hands data
    // over in pieces), then put back in front of the rest: nothing is lost or re-read.
    let mut raw = raw;
    let mut raw_head = Vec::with_capacity(RAW_HEAD);
    (&mut raw)
        .take(RAW_HEAD as u64)
        .read_to_end(&mut raw_head)
        .with_context(|| format!("cannot read {name}"))?;
    let encoding = match named {
        // A byte order mark says what the file is, whatever was named.
        Some(encoding::Named::Stream(e)) if encoding::sniff(&raw_head) == StreamEncoding::Utf8 => e,
        _ => encoding::sniff(&raw_head),
    };
    let raw: Box<dyn Read + Send> = Box::new(io::Cursor::new(raw_head).chain(raw));
    let mut decoded = encoding::decoded(raw, encoding);
    let mut sample_bytes = Vec::with_capacity(SAMPLE_BYTES);
    (&mut decoded)
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample_bytes)
        .with_context(|| format!("cannot read {name}"))?;
    if dialect::looks_binary(&sample_bytes) {
        bail!(
            "{name} does not look like a CSV export: its first lines hold binary data (NUL and \
             control bytes); export the report as CSV"
        );
    }
    let legacy = match named {
        Some(encoding::Named::Legacy(l)) => Some(l),
        _ if head_is_utf8(&sample_bytes) => None,
        // Most legacy exports show it in their first rows: decide on the whole head.
        _ => Some(encoding::detect([sample_bytes.as_slice()])),
    };
    let delimiter = how
        .delimiter
        .or_else(|| dialect::detect_delimiter(&sample_bytes))
        .unwrap_or(b',');
    let dump = match how.dump {
        Some(true) => Some(dialect::Dump::default()),
        Some(false) => None,
        None => dialect::detect_dump(&sample_bytes, delimiter),
    };
    let mut sample = sample_rows(&sample_bytes, delimiter, legacy.unwrap_or_default(), dump);
    // The first row: the header, unless it looks like a deal (IN007).
    let first = sample.first().cloned().unwrap_or_default();
    let headerless = match how.header {
        Some(_) => None,
        None => dialect::looks_like_data(&first, dump.is_some()),
    };
    let header = how.header.clone().or_else(|| {
        (headerless.is_some() && how.name_columns)
            .then(|| (1..=first.len()).map(|i| format!("column_{i}")).collect())
    });
    if header.is_none() && !sample.is_empty() {
        sample.remove(0);
    }
    sample.truncate(SAMPLE_ROWS);
    let stream: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(
        BUFFER,
        io::Cursor::new(sample_bytes).chain(decoded),
    ));

    let mut reader = RecordReader::new(stream, delimiter);
    reader.legacy = legacy;
    if dump.is_some() {
        reader.read_as_dump();
    }
    let base = Export {
        name,
        header: Header {
            cells: Vec::new(),
            line: 1,
        },
        delimiter,
        encoding,
        legacy,
        header_not_utf8: false,
        dump,
        headerless: headerless.clone(),
        header_named: header.is_some(),
        sample,
        reader,
        progress,
    };
    match header {
        // The first row is a deal: the rules name the columns.
        Some(cells) => Ok(Export {
            header: Header {
                cells: cells.iter().map(|c| c.trim().to_string()).collect(),
                line: 1,
            },
            ..base
        }),
        None => read_header(base),
    }
}

/// Read the header row of `export`, opened up to it, and whether it looks like data (IN007).
fn read_header(mut export: Export) -> Result<Export> {
    let (name, delimiter, legacy) = (&export.name, export.delimiter, export.legacy);
    let reader = &mut export.reader;
    let mut first = Rows::default();
    first.legacy = legacy.unwrap_or_default();
    // The header is read up to its bound and no further: a file that is one long line
    // (hundreds of megabytes, or no line break at all) is refused without reading it whole.
    let next = reader
        .read_bounded(&mut first, MAX_HEADER_BYTES as u64)
        .with_context(|| format!("cannot read {name}"))?;
    if let reader::Next::TooLong { line, open_quote } = next {
        if let Some((at, column)) = open_quote {
            bail!(
                "{name}: the header row starting at line {line} never ends: the quote opened at \
                 line {at}, column {column} is not closed within the {} a header may take; \
                 close it (a quote inside a value is written twice: \"\")",
                size_words(MAX_HEADER_BYTES)
            );
        }
        bail!(
            "{name}: the header row (line {line}) is longer than {}; an export's header is a \
             line of column names, a few kB at most: is this a CSV export, and is its \
             delimiter `{}`? (pass --delimiter if not)",
            size_words(MAX_HEADER_BYTES),
            crate::words::delimiter_name(delimiter)
        );
    }
    let Some(row) = first.get(0).filter(|_| next == reader::Next::Row) else {
        bail!("{name} is empty: there is no header row to audit");
    };
    if let Some((line, column)) = row.quoting.unclosed {
        bail!(
            "{name}: the header row starting at line {} never ends: the quote opened at line \
             {line}, column {column} is never closed; close it (a quote inside a value is \
             written twice: \"\")",
            row.line
        );
    }
    if row.fields() > MAX_COLUMNS as u64 {
        bail!(
            "{name}: the header row (line {}) has {} columns; pipelint reads at most {} (as many \
             as a spreadsheet holds): is its delimiter `{}`? (pass --delimiter if not)",
            row.line,
            crate::words::thousands(row.fields()),
            crate::words::thousands(MAX_COLUMNS as u64),
            crate::words::delimiter_name(delimiter)
        );
    }
    export.header_not_utf8 = std::str::from_utf8(row.bytes()).is_err();
    let cells: Vec<String> = (0..row.len())
        .map(|i| row.text(i).trim().to_string())
        .collect();
    export.header = Header {
        cells,
        line: row.line,
    };
    Ok(export)
}

/// Whether the head of a file is UTF-8: a character cut at the end of the head does not
/// count against it.
fn head_is_utf8(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && bytes.len() >= SAMPLE_BYTES,
    }
}

/// The rows at the start of the decoded text (the header row first, if it has one), each
/// cell decoded (`legacy` where it is not UTF-8) and read in the file's dialect (`dump`).
/// The last, possibly cut-off, line is left out.
fn sample_rows(
    bytes: &[u8],
    delimiter: u8,
    legacy: Legacy,
    dump: Option<dialect::Dump>,
) -> Vec<Vec<String>> {
    // Whole lines only (LF, CRLF or a lone CR ends one), unless the text ends there.
    let cut = if bytes.len() < SAMPLE_BYTES {
        bytes.len()
    } else {
        bytes
            .iter()
            .rposition(|b| matches!(*b, b'\n' | b'\r'))
            .map_or(0, |i| i + 1)
    };
    let mut reader = RecordReader::new(&bytes[..cut], delimiter);
    if dump.is_some() {
        reader.read_as_dump();
    }
    let mut rows = Rows::default();
    rows.legacy = legacy;
    while rows.len() <= SAMPLE_ROWS {
        match reader.read_into(&mut rows) {
            Ok(true) => {}
            _ => break,
        }
    }
    rows.iter()
        .map(|r| (0..r.len()).map(|i| r.text(i).trim().to_string()).collect())
        .collect()
}
