//! Input: opening exports, reading their header and streaming their records.
//!
//! Every `csv_core` setting lives here (delimiter, quoting), decided once per file.

pub mod mapping;
pub mod reader;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{Context, Result, bail};

pub use reader::{Batch, BatchStream, RecordReader, Row, Rows};

const BUFFER: usize = 256 * 1024;

/// An opened export, positioned after its header.
pub struct Export {
    /// The path as given (`-` is standard input, shown as `<stdin>`).
    pub name: String,
    pub header: Header,
    pub delimiter: u8,
    pub encoding: &'static str,
    pub reader: RecordReader<Box<dyn BufRead + Send>>,
}

/// The header row of an export.
#[derive(Clone, Debug)]
pub struct Header {
    /// Header cells as written (trimmed of surrounding spaces).
    pub cells: Vec<String>,
    pub line: u64,
}

impl Header {
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The column index of a header name, ignoring case and surrounding spaces. The first of
    /// duplicated names wins.
    pub fn find(&self, name: &str) -> Option<usize> {
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
}

impl Header {
    /// When the header is one cell holding `;`, tab or `|`, the file is most likely split on
    /// another delimiter than the one used: say which.
    pub fn delimiter_hint(&self) -> Option<String> {
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

pub fn display_name(path: &str) -> String {
    if path == "-" {
        "<stdin>".to_string()
    } else {
        path.to_string()
    }
}

/// Open an export and read its header. `delimiter` defaults to `,`.
pub fn open(path: &str, delimiter: Option<u8>) -> Result<Export> {
    let name = display_name(path);
    let raw: Box<dyn Read + Send> = if path == "-" {
        Box::new(io::stdin())
    } else {
        let p = Path::new(path);
        if p.is_dir() {
            bail!("cannot read {name}: it is a directory; pass a CSV file");
        }
        Box::new(File::open(p).with_context(|| format!("cannot open {name}"))?)
    };
    let buffered: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(BUFFER, raw));
    let delimiter = delimiter.unwrap_or(b',');
    let mut reader = RecordReader::new(buffered, delimiter);
    let mut first = Rows::default();
    let has_header = reader
        .read_into(&mut first)
        .with_context(|| format!("cannot read {name}"))?;
    let Some(row) = first.get(0).filter(|_| has_header) else {
        bail!("{name} is empty: there is no header row to audit");
    };
    let cells = row
        .iter()
        .map(|c| String::from_utf8_lossy(c).trim().to_string())
        .collect();
    let line = row.line;
    Ok(Export {
        name,
        header: Header { cells, line },
        delimiter,
        encoding: "utf-8",
        reader,
    })
}
