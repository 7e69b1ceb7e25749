//! The streaming record reader: `csv_core` driven over a buffered byte stream, appending
//! records to [`Rows`], a batch stored contiguously (one byte buffer, one offsets buffer),
//! each record remembering the physical line where it starts.
//!
//! `csv::Reader` reports a record's position as where the previous one ended, which is off by
//! the blank lines in between and, in CRLF files, by the pending `\n`. Findings must name the
//! line an analyst sees in an editor, so this reader skips the gap between records itself and
//! stamps each row with the line of its first byte.

use std::borrow::Cow;
use std::io::{self, BufRead};

use csv_core::{ReadRecordResult, Reader as CoreReader, ReaderBuilder as CoreBuilder};

use super::encoding::Legacy;
use super::scan::{LineCounter, QuoteScan};

pub(crate) use super::batch::{Batch, BatchStream};

/// Records stored contiguously: every field's bytes in one buffer, field ends (relative to
/// their record) in another. Buffers keep their size when cleared, so a recycled batch is
/// refilled without allocating or zero-filling.
#[derive(Clone, Debug, Default)]
pub(crate) struct Rows {
    data: Vec<u8>,
    used: usize,
    ends: Vec<usize>,
    ends_used: usize,
    meta: Vec<RowMeta>,
    /// How the batch's rows that are not UTF-8 are decoded (decided once per file).
    pub(crate) legacy: Legacy,
    /// Read as a database dump (IN008): cells that were `\N` (NULL) and read as empty, and
    /// quotes escaped with a backslash, in the rows read into this batch.
    pub(crate) nulls: u64,
    pub(crate) escaped_quotes: u64,
}

#[derive(Clone, Copy, Debug)]
struct RowMeta {
    data: usize,
    ends: usize,
    len: usize,
    line: u64,
    /// The record ended because the input did (no line break after it).
    at_eof: bool,
    quoting: Quoting,
    cut: CutCells,
    /// Fields past [`MAX_FIELDS`], counted and dropped.
    extra_fields: u64,
}

/// The cells of a record longer than [`MAX_CELL`]: each keeps its first bytes and a marker
/// saying how long it was ([`cut_marker`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CutCells {
    /// How many of the record's cells were cut.
    pub(crate) count: u32,
    /// The first cut field (0-based).
    pub(crate) first: Option<u32>,
}

/// The most bytes one cell keeps, its marker included: what a deal summary can hold of a
/// name (64 kB). A cell is text a person typed; one of megabytes or gigabytes (a quote left
/// open, a file that is not an export, an attack) would otherwise be held whole, and copied,
/// by every stage that keeps cells: the reader's batch, the deal store, the profile's
/// distinct values. It is cut as it is read, so no cell ever costs more.
pub(crate) const MAX_CELL: usize = u16::MAX as usize;

/// The most fields a record keeps: one more than the widest header read (16,384 columns,
/// a spreadsheet's), so a record with more is still seen to have more than its header. A
/// line of 20 MB of delimiters held 21 million field ends (and the profile a string for
/// each): 760 MB. The fields past this are counted ([`Row::extra_fields`]), not kept.
pub(crate) const MAX_FIELDS: usize = 16_385;

/// What a cut cell ends with in place of its cut bytes: visible wherever the value is
/// shown, and no valid date, number or stage, so a cut value never passes a check.
pub(crate) fn cut_marker(length: u64) -> String {
    format!(
        " [… cut by pipelint: this cell is {} bytes, more than the {} a cell keeps]",
        crate::words::thousands(length),
        crate::words::thousands(MAX_CELL as u64)
    )
}

/// What the reader saw of a record's quotes beyond the values themselves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Quoting {
    /// The first field (0-based) with a quote inside an unquoted value (`ab"c`) or text
    /// after its closing quote (`"abc"def`): IN006. The value is kept as read.
    pub(crate) malformed: Option<u32>,
    /// Where the quote that was still open when the input ended was opened: its line and
    /// 1-based column (in bytes).
    pub(crate) unclosed: Option<(u64, u64)>,
}

impl Rows {
    pub(crate) fn len(&self) -> usize {
        self.meta.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.meta.is_empty()
    }

    /// Bytes of field data held.
    /// Whether every byte of the batch's rows is ASCII (and so every row UTF-8).
    pub(crate) fn is_ascii(&self) -> bool {
        self.data[..self.used].is_ascii()
    }

    pub(crate) fn bytes_used(&self) -> usize {
        self.used
    }

    pub(crate) fn clear(&mut self) {
        self.used = 0;
        self.ends_used = 0;
        self.meta.clear();
        self.nulls = 0;
        self.escaped_quotes = 0;
    }

    pub(crate) fn get(&self, i: usize) -> Option<Row<'_>> {
        let m = self.meta.get(i)?;
        let ends = self.ends.get(m.ends..m.ends + m.len)?;
        let size = ends.last().copied().unwrap_or(0);
        Some(Row {
            data: self.data.get(m.data..m.data + size)?,
            ends,
            line: m.line,
            at_eof: m.at_eof,
            quoting: m.quoting,
            cut: m.cut,
            extra_fields: m.extra_fields,
            legacy: self.legacy,
        })
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Append a record made of `fields` (tests and generated input).
    pub(crate) fn push_fields<I, S>(&mut self, fields: I, line: u64)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let (data, ends) = (self.used, self.ends_used);
        let mut len = 0;
        for f in fields {
            let f = f.as_ref();
            let end = self.used + f.len();
            if self.data.len() < end {
                self.data.resize(end, 0);
            }
            self.data[self.used..end].copy_from_slice(f);
            self.used = end;
            if self.ends.len() <= self.ends_used {
                self.ends.resize(self.ends_used + 1, 0);
            }
            self.ends[self.ends_used] = self.used - data;
            self.ends_used += 1;
            len += 1;
        }
        self.meta.push(RowMeta {
            data,
            ends,
            len,
            line,
            at_eof: false,
            quoting: Quoting::default(),
            cut: CutCells::default(),
            extra_fields: 0,
        });
    }

    /// Remove the last record.
    pub(crate) fn pop(&mut self) {
        if let Some(m) = self.meta.pop() {
            self.used = m.data;
            self.ends_used = m.ends;
        }
    }

    /// Append a copy of `row`.
    pub(crate) fn push_row(&mut self, row: Row<'_>) {
        self.push_fields(row.iter(), row.line);
        if let Some(m) = self.meta.last_mut() {
            m.at_eof = row.at_eof;
            m.quoting = row.quoting;
            m.cut = row.cut;
            m.extra_fields = row.extra_fields;
        }
    }
}

/// One record: a view into [`Rows`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Row<'a> {
    data: &'a [u8],
    ends: &'a [usize],
    /// 1-based physical line where the record starts.
    pub(crate) line: u64,
    /// The record ended because the input did: with a line break inside its last field, the
    /// sign of a quote that was never closed.
    pub(crate) at_eof: bool,
    pub(crate) quoting: Quoting,
    /// The cells cut to [`MAX_CELL`] bytes.
    pub(crate) cut: CutCells,
    /// Fields the record has past the [`MAX_FIELDS`] it keeps.
    pub(crate) extra_fields: u64,
    /// How the row's cells are decoded when they are not UTF-8.
    pub(crate) legacy: Legacy,
}

impl<'a> Row<'a> {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// How many fields the record has, those past [`MAX_FIELDS`] included.
    pub(crate) fn fields(&self) -> u64 {
        self.ends.len() as u64 + self.extra_fields
    }

    pub(crate) fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.data.get(self.range(i)?)
    }

    /// Where field `i` lies in the row's data.
    pub(crate) fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(start..end)
    }

    /// All fields' bytes, concatenated.
    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.data
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let row = *self;
        (0..row.len()).filter_map(move |i| row.get(i))
    }

    /// Field `i` as text (UTF-8, else the file's legacy encoding).
    pub(crate) fn text(&self, i: usize) -> Cow<'a, str> {
        self.legacy.cell_text(self.get(i).unwrap_or(&[]))
    }
}

/// Reads rows from a CSV byte stream.
pub(crate) struct RecordReader<R> {
    input: R,
    core: CoreReader,
    lines: LineCounter,
    started: bool,
    delimiter: u8,
    quotes: QuoteScan,
    /// The legacy encoding, when decided before the rows are read (named by the user, or
    /// detected in the head of the file).
    pub(crate) legacy: Option<Legacy>,
    /// Read as a database dump: `\"` is a quote inside a quoted value and an unquoted `\N`
    /// is NULL, an empty cell (IN008).
    dump: bool,
}

/// What [`RecordReader::read_bounded`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// A record, appended to the rows.
    Row,
    /// The end of the input.
    End,
    /// The record starting at `line` runs past the bound; reading stopped there and
    /// nothing was appended. `open_quote` is where a quote still open there was opened.
    TooLong {
        line: u64,
        open_quote: Option<(u64, u64)>,
    },
}

/// Where the record being read stands while its long cells are cut ([`MAX_CELL`]): the
/// reader's positions differ from csv_core's by the bytes cut so far.
#[derive(Default)]
struct Cutting {
    /// Bytes of the record csv_core wrote that are no longer in the rows.
    shift: usize,
    /// Bytes of the field being read already dropped.
    dropped: u64,
    cut: CutCells,
    /// Fields dropped past [`MAX_FIELDS`].
    extra_fields: u64,
}

impl<R: BufRead> RecordReader<R> {
    pub(crate) fn new(input: R, delimiter: u8) -> RecordReader<R> {
        let core = CoreBuilder::new().delimiter(delimiter).build();
        RecordReader {
            input,
            core,
            lines: LineCounter::default(),
            started: false,
            delimiter,
            quotes: QuoteScan::default(),
            legacy: None,
            dump: false,
        }
    }

    /// Read the rest of the input as a database dump (MySQL's `SELECT … INTO OUTFILE`,
    /// `mysqldump --tab`): a backslash escapes the quote after it, and `\N` is NULL.
    pub(crate) fn read_as_dump(&mut self) {
        self.core = CoreBuilder::new()
            .delimiter(self.delimiter)
            .escape(Some(b'\\'))
            .build();
        self.dump = true;
    }

    /// Append the next record to `rows`; `false` at the end of the input.
    pub(crate) fn read_into(&mut self, rows: &mut Rows) -> io::Result<bool> {
        Ok(self.read_bounded(rows, u64::MAX)? == Next::Row)
    }

    /// Append the next record to `rows`, reading at most `limit` bytes of it: a header row
    /// is refused at its bound, not after the whole line (which may be the whole file) has
    /// been read.
    #[inline]
    pub(crate) fn read_bounded(&mut self, rows: &mut Rows, limit: u64) -> io::Result<Next> {
        if !self.started {
            // A UTF-8 byte order mark belongs to the file, not the first line: drop it before
            // skipping blank lines, so that a header after them keeps its line number.
            self.started = true;
            if self.input.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
                self.input.consume(3);
            }
        }
        // Skip the line breaks between records (blank lines, a CRLF's pending `\n`),
        // counting them, so that the row's line is where its first byte is.
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                return Ok(Next::End);
            }
            let gap = buf
                .iter()
                .take_while(|b| **b == b'\n' || **b == b'\r')
                .count();
            let lf = memchr::memchr_iter(b'\n', &buf[..gap]).count() as u64;
            self.lines.consume(&buf[..gap], lf);
            let at_content = gap < buf.len();
            self.input.consume(gap);
            if at_content {
                break;
            }
        }
        let line = self.lines.line();
        self.quotes.start(self.delimiter, self.dump);
        let (start, ends_start) = (rows.used, rows.ends_used);
        let (mut out, mut nends) = (0, 0);
        let mut consumed: u64 = 0;
        let mut cutting = Cutting::default();
        loop {
            // Room to write: buffers only ever grow, so recycled batches are warm.
            if rows.data.len() < start + out + 64 {
                let n = (rows.data.len() * 2).max(start + out + 4096);
                rows.data.resize(n, 0);
            }
            if rows.ends.len() < ends_start + nends + 4 {
                let n = (rows.ends.len() * 2).max(ends_start + nends + 64);
                rows.ends.resize(n, 0);
            }
            let input = self.input.fill_buf()?;
            let eof = input.is_empty();
            let before = self.core.line();
            let (res, nin, nout, nend) = self.core.read_record(
                input,
                &mut rows.data[start + out..],
                &mut rows.ends[ends_start + nends..],
            );
            self.quotes
                .scan(&input[..nin], self.delimiter, nends, &self.lines);
            self.lines.consume(&input[..nin], self.core.line() - before);
            self.input.consume(nin);
            consumed += nin as u64;
            // Only a record longer than a cell may be has a cell to cut: ordinary records
            // pass this one comparison.
            if out + nout > MAX_CELL || cutting.shift > 0 {
                let record = (&mut rows.data[start..], &mut rows.ends[ends_start..]);
                out = cutting.settle(record, out, nout, nends..nends + nend);
            } else {
                out += nout;
            }
            nends += nend;
            if nends > MAX_FIELDS {
                let record = (&mut rows.data[start..], &rows.ends[ends_start..]);
                out = cutting.drop_fields(record, out, nends);
                nends = MAX_FIELDS;
            }
            if consumed > limit {
                // Nothing of the record stays: the rows are as they were.
                let open_quote = (self.quotes.in_quotes && !self.quotes.pending)
                    .then(|| self.quotes.open_at.unwrap_or((line, 1)));
                return Ok(Next::TooLong { line, open_quote });
            }
            match res {
                ReadRecordResult::InputEmpty
                | ReadRecordResult::OutputFull
                | ReadRecordResult::OutputEndsFull => continue,
                ReadRecordResult::Record | ReadRecordResult::End => {
                    if res == ReadRecordResult::End && nends == 0 {
                        return Ok(Next::End);
                    }
                    if self.dump {
                        let record = (&mut rows.data[start..], &mut rows.ends[ends_start..]);
                        let nulls;
                        (out, nulls) = empty_nulls(record, out, nends);
                        rows.nulls += nulls;
                        rows.escaped_quotes += self.quotes.escaped;
                    }
                    rows.used = start + out;
                    rows.ends_used = ends_start + nends;
                    let quoting = Quoting {
                        malformed: self.quotes.malformed,
                        unclosed: if eof && self.quotes.in_quotes && !self.quotes.pending {
                            self.quotes.open_at.or(Some((line, 1)))
                        } else {
                            None
                        },
                    };
                    rows.meta.push(RowMeta {
                        data: start,
                        ends: ends_start,
                        len: nends,
                        line,
                        at_eof: eof,
                        quoting,
                        cut: cutting.cut,
                        extra_fields: cutting.extra_fields,
                    });
                    return Ok(Next::Row);
                }
            }
        }
    }
}

impl Cutting {
    /// After csv_core wrote `nout` bytes at `out` and the field ends `new_ends` (in its own
    /// positions) of the record `(data, ends)`: put the ends in the rows' positions, cut
    /// every field that ended longer than [`MAX_CELL`] (its first bytes, then the marker),
    /// and drop what the open field holds past [`MAX_CELL`]. Returns where the record's
    /// bytes now end.
    fn settle(
        &mut self,
        (data, ends): (&mut [u8], &mut [usize]),
        out: usize,
        nout: usize,
        new_ends: std::ops::Range<usize>,
    ) -> usize {
        let mut len = out + nout;
        // The ends before these are in the rows' positions already.
        let mut field_start = new_ends.start.checked_sub(1).map_or(0, |k| ends[k]);
        for k in new_ends {
            let end = ends[k] - self.shift;
            let field = end - field_start;
            // A field past the kept ones is dropped whole (`drop_fields`): no cut to count.
            let end = if (field > MAX_CELL || self.dropped > 0) && k < MAX_FIELDS {
                let marker = cut_marker(field as u64 + self.dropped);
                let keep = char_floor(
                    &data[field_start..end],
                    MAX_CELL.saturating_sub(marker.len()),
                );
                let at = field_start + keep;
                data[at..at + marker.len()].copy_from_slice(marker.as_bytes());
                let new_end = at + marker.len();
                // The fields csv_core wrote after this one move up to follow it.
                data.copy_within(end..len, new_end);
                self.shift += end - new_end;
                len -= end - new_end;
                self.dropped = 0;
                self.cut.count += 1;
                self.cut.first.get_or_insert(k as u32);
                new_end
            } else {
                end
            };
            ends[k] = end;
            field_start = end;
        }
        let open = len - field_start;
        if open > MAX_CELL {
            let excess = open - MAX_CELL;
            self.dropped += excess as u64;
            self.shift += excess;
            len -= excess;
        }
        len
    }
}

impl Cutting {
    /// The record `(data, ends)` holds `nends` fields, more than [`MAX_FIELDS`]: drop those
    /// past it, and the bytes of the field being read after them. Returns where the
    /// record's bytes now end.
    fn drop_fields(&mut self, (_, ends): (&mut [u8], &[usize]), out: usize, nends: usize) -> usize {
        let keep = ends[MAX_FIELDS - 1];
        self.extra_fields += (nends - MAX_FIELDS) as u64;
        self.shift += out - keep;
        self.dropped = 0;
        keep
    }
}

/// A database dump's NULL (an unquoted `\N`) as the empty cell it stands for: the fields of
/// the record `(data, ends)` (`out` bytes, `nends` fields) that are exactly `\N` lose their
/// two bytes. Returns where the record's bytes now end, and how many there were.
fn empty_nulls((data, ends): (&mut [u8], &mut [usize]), out: usize, nends: usize) -> (usize, u64) {
    let (mut start, mut shift, mut nulls) = (0, 0, 0);
    for end in &mut ends[..nends] {
        let (from, to) = (start, *end);
        start = to;
        if data.get(from..to) == Some(b"\\N") {
            shift += 2;
            nulls += 1;
        } else if shift > 0 {
            data.copy_within(from..to, from - shift);
        }
        *end = to - shift;
    }
    (out - shift, nulls)
}

/// The longest prefix of `bytes` of at most `max` bytes that does not end inside a UTF-8
/// character (text in a legacy encoding is one byte a character, and is cut at `max`).
fn char_floor(bytes: &[u8], max: usize) -> usize {
    let mut end = max.min(bytes.len());
    // At most three continuation bytes precede a character's end.
    for _ in 0..3 {
        match bytes.get(end) {
            Some(b) if (0x80..0xC0).contains(b) && end > 0 => end -= 1,
            _ => break,
        }
    }
    end
}

/// Rows per batch: the unit the reader hands over and a worker audits (or profiles).
/// Results never depend on how rows are split, only on the order batches are merged in.
pub(crate) const BATCH_ROWS: usize = 8 * 1024;

/// A row's cells as text. The row is validated as UTF-8 once; a field is then a slice of it.
/// A row that is not UTF-8 has each cell decoded in the file's legacy encoding (see
/// `input::encoding`).
pub(crate) struct RowText<'r> {
    row: Row<'r>,
    text: Option<&'r str>,
}

impl<'r> RowText<'r> {
    pub(crate) fn new(row: Row<'r>) -> RowText<'r> {
        RowText {
            row,
            text: std::str::from_utf8(row.bytes()).ok(),
        }
    }

    /// Whether the row is UTF-8 (else its cells are read in the file's legacy encoding).
    pub(crate) fn is_utf8(&self) -> bool {
        self.text.is_some()
    }

    pub(crate) fn row(&self) -> Row<'r> {
        self.row
    }

    /// The text of field `column` (empty when the row has no such field).
    pub(crate) fn field(&self, column: Option<usize>) -> Cow<'r, str> {
        let Some(range) = column.and_then(|c| self.row.range(c)) else {
            return Cow::Borrowed("");
        };
        if let Some(s) = self.text.and_then(|t| t.get(range.clone())) {
            return Cow::Borrowed(s);
        }
        self.row
            .legacy
            .cell_text(self.row.bytes().get(range).unwrap_or(&[]))
    }
}

#[cfg(test)]
#[path = "reader_tests.rs"]
mod tests;
