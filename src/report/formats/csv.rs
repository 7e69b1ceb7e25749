//! `-f csv` (one finding per row) and `-f deals` (one deal per row), for a spreadsheet:
//! RFC 4180 (the csv crate's writer), UTF-8 with a byte-order mark so that Excel shows
//! accents, and safe to open: a text cell that begins with `=`, `+`, `-`, `@`, a tab or a
//! carriage return is neutralised with a leading `'` (OWASP's advice against CSV
//! injection) and control characters are shown as escapes, while numbers (amounts, lines,
//! scores) stay numbers, negative ones included. Rows are rendered in parallel pieces, in order.

use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;

use crate::report::view::Report;
use crate::report::{EmitOptions, Emitter, sections::pieces};

/// UTF-8's byte-order mark: how Excel knows the file is UTF-8.
const BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) struct FindingsCsv;
pub(crate) struct DealsCsv;

/// `stage` is the label as written, `stage_canonical` the rules' stage beside it; `streak`
/// is empty where it is not known.
const FINDING_COLUMNS: [&str; 13] = [
    "file",
    "line",
    "record_id",
    "deal",
    "owner",
    "stage",
    "stage_canonical",
    "code",
    "severity",
    "field",
    "column",
    "message",
    "streak",
];

const DEAL_COLUMNS: [&str; 16] = [
    "file",
    "line",
    "id",
    "name",
    "account",
    "owner",
    "stage",
    "stage_canonical",
    "amount",
    "currency",
    "close_date",
    "completeness",
    "risk_score",
    "band",
    "signals",
    "why",
];

impl Emitter for FindingsCsv {
    fn emit(&self, report: &Report<'_>, o: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(BOM)?;
        out.write_all(&header(&FINDING_COLUMNS)?)?;
        pieces::write_pieces(out, o.threads, report.finding_count(), |range, buf| {
            piece(buf, range, |i, w| {
                let f = report
                    .finding(i)
                    .ok_or_else(|| io::Error::other("no such finding"))?;
                let line = f.line.to_string();
                let mut digits = itoa::Buffer::new();
                let streak = f.streak.map_or("", |n| digits.format(n));
                let cells = [
                    text(f.file),
                    Cow::Borrowed(line.as_str()),
                    text(f.record_id.unwrap_or("")),
                    text(f.deal.map_or("", |d| d.label)),
                    text(f.deal.and_then(|d| d.owner).unwrap_or("")),
                    text(f.deal.and_then(|d| d.stage).unwrap_or("")),
                    text(f.deal.and_then(|d| d.stage_canonical).unwrap_or("")),
                    Cow::Borrowed(f.code.as_str()),
                    Cow::Borrowed(f.severity.as_str()),
                    text(f.field.unwrap_or("")),
                    text(f.column.unwrap_or("")),
                    text(&f.message),
                    Cow::Borrowed(streak),
                ];
                w.write_record(cells.iter().map(|c| c.as_bytes()))
            })
        })
    }
}

impl Emitter for DealsCsv {
    fn emit(&self, report: &Report<'_>, o: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(BOM)?;
        out.write_all(&header(&DEAL_COLUMNS)?)?;
        pieces::write_pieces(out, o.threads, report.deal_count(), |range, buf| {
            piece(buf, range, |i, w| {
                let d = report
                    .deal(i)
                    .ok_or_else(|| io::Error::other("no such deal"))?;
                let line = d.line.to_string();
                let completeness = format!("{:.1}", d.completeness);
                let risk = d.risk.as_ref();
                let score = risk.and_then(|r| r.score).map(|s| s.to_string());
                let signals = risk.map_or(String::new(), |r| {
                    r.signals
                        .iter()
                        .map(|s| s.signal)
                        .collect::<Vec<_>>()
                        .join(" ")
                });
                let why = risk.map_or(String::new(), |r| r.why());
                let cells = [
                    text(d.file),
                    Cow::Borrowed(line.as_str()),
                    text(d.id.unwrap_or("")),
                    text(d.name.unwrap_or("")),
                    text(d.account.unwrap_or("")),
                    text(d.owner.unwrap_or("")),
                    text(d.stage.unwrap_or("")),
                    text(d.stage_canonical.unwrap_or("")),
                    // An exact decimal (`-300.10` is a number, not a formula).
                    Cow::Borrowed(d.amount.as_deref().unwrap_or("")),
                    text(d.currency.as_deref().unwrap_or("")),
                    Cow::Borrowed(d.close_date.as_deref().unwrap_or("")),
                    Cow::Borrowed(completeness.as_str()),
                    Cow::Borrowed(score.as_deref().unwrap_or("")),
                    Cow::Borrowed(risk.and_then(|r| r.band).map_or("", |b| b.as_str())),
                    Cow::Borrowed(signals.as_str()),
                    text(&why),
                ];
                w.write_record(cells.iter().map(|c| c.as_bytes()))
            })
        })
    }
}

fn header(columns: &[&str]) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns)?;
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// Rows `range` into `buf`, through one CSV writer for the piece.
fn piece(
    buf: &mut Vec<u8>,
    range: Range<usize>,
    row: impl Fn(usize, &mut csv::Writer<&mut Vec<u8>>) -> csv::Result<()>,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(buf);
    for i in range {
        row(i, &mut w).map_err(csv_error)?;
    }
    w.flush()
}

fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A text cell made safe to open in a spreadsheet, or to print: control characters and
/// bidirectional overrides are shown as escapes (`\x1B`, `\t`; line breaks stay, quoted),
/// and a cell that a spreadsheet would read as a formula gets a leading `'`.
pub(crate) fn text(cell: &str) -> Cow<'_, str> {
    let shown = crate::report::formats::escape::terminal(cell);
    match shown.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{shown}")),
        _ => shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        for (cell, shown) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "\\tx"),
            ("\rx", "\\rx"),
            ("a\x1b[31mred", "a\\x1B[31mred"),
            ("two\nlines", "two\nlines"),
            ("Acme = best", "Acme = best"),
            ("", ""),
        ] {
            assert_eq!(text(cell), shown);
        }
    }
}
