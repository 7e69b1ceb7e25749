//! The streaming record reader: `csv_core` driven over a buffered byte stream, producing
//! reusable [`Row`]s that remember the physical line where each record starts.
//!
//! `csv::Reader` reports a record's position as where the previous one ended, which is off by
//! the blank lines in between and, in CRLF files, by the pending `\n`. Findings must name the
//! line an analyst sees in an editor, so this reader skips the gap between records itself and
//! stamps each row with the line of its first byte.

use std::io::{self, BufRead};
use std::sync::mpsc::{Receiver, Sender, SyncSender, sync_channel};
use std::thread::JoinHandle;

use csv_core::{ReadRecordResult, Reader as CoreReader, ReaderBuilder as CoreBuilder};

/// One record's fields, stored contiguously. Reused across reads, so a steady-state read
/// allocates nothing.
#[derive(Clone, Debug, Default)]
pub struct Row {
    data: Vec<u8>,
    ends: Vec<usize>,
    len: usize,
    /// 1-based physical line where the record starts.
    pub line: u64,
}

impl Row {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.data.get(self.range(i)?)
    }

    /// Where field `i` lies in the row's data.
    pub fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        if i >= self.len {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(start..self.ends[i])
    }

    /// All fields' bytes, concatenated.
    pub fn bytes(&self) -> &[u8] {
        let end = if self.len == 0 {
            0
        } else {
            self.ends[self.len - 1]
        };
        self.data.get(..end).unwrap_or(&[])
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len).filter_map(|i| self.get(i))
    }

    /// Build a row from fields (tests and generated input).
    pub fn from_fields<I, S>(fields: I, line: u64) -> Row
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut row = Row {
            line,
            ..Row::default()
        };
        for f in fields {
            row.data.extend_from_slice(f.as_ref());
            row.ends.push(row.data.len());
            row.len += 1;
        }
        row
    }
}

/// Reads rows from a CSV byte stream.
pub struct RecordReader<R> {
    input: R,
    core: CoreReader,
    lines: LineCounter,
    started: bool,
}

/// Counts physical lines in consumed bytes: `\n`, `\r\n` and a lone `\r` (old Mac files,
/// which csv_core also ends records on) are one line break each. csv_core's own counter
/// knows only `\n`.
#[derive(Default)]
struct LineCounter {
    /// Line breaks seen so far.
    breaks: u64,
    /// The last byte seen was `\r`: one more break, unless a `\n` follows.
    pending_cr: bool,
}

impl LineCounter {
    /// Account for consumed bytes `b`, of which `lf` are `\n` (csv_core counts those for
    /// free, so the common LF and CRLF cases cost one `memchr` scan for `\r`).
    fn consume(&mut self, b: &[u8], lf: u64) {
        let Some(&first) = b.first() else {
            return;
        };
        if self.pending_cr && first != b'\n' {
            self.breaks += 1;
        }
        self.pending_cr = false;
        let mut n = lf;
        if memchr::memchr(b'\r', b).is_some() {
            let cr = memchr::memchr_iter(b'\r', b).count() as u64;
            let crlf = memchr::memmem::find_iter(b, b"\r\n").count() as u64;
            let mut lone = cr - crlf;
            if b.last() == Some(&b'\r') {
                lone -= 1;
                self.pending_cr = true;
            }
            n += lone;
        }
        self.breaks += n;
    }

    /// The 1-based line of the next byte.
    fn line(&self) -> u64 {
        1 + self.breaks + u64::from(self.pending_cr)
    }
}

impl<R: BufRead> RecordReader<R> {
    pub fn new(input: R, delimiter: u8) -> RecordReader<R> {
        let core = CoreBuilder::new().delimiter(delimiter).build();
        RecordReader {
            input,
            core,
            lines: LineCounter::default(),
            started: false,
        }
    }

    /// Read the next record into `row`; `false` at the end of the input.
    pub fn read_row(&mut self, row: &mut Row) -> io::Result<bool> {
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
                return Ok(false);
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
        row.line = self.lines.line();
        if row.data.is_empty() {
            row.data.resize(256, 0);
        }
        if row.ends.is_empty() {
            row.ends.resize(16, 0);
        }
        let (mut out, mut nends) = (0, 0);
        loop {
            let input = self.input.fill_buf()?;
            let before = self.core.line();
            let (res, nin, nout, nend) =
                self.core
                    .read_record(input, &mut row.data[out..], &mut row.ends[nends..]);
            self.lines.consume(&input[..nin], self.core.line() - before);
            self.input.consume(nin);
            out += nout;
            nends += nend;
            match res {
                ReadRecordResult::InputEmpty => continue,
                ReadRecordResult::OutputFull => {
                    let n = row.data.len().max(256) * 2;
                    row.data.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = row.ends.len().max(16) * 2;
                    row.ends.resize(n, 0);
                }
                ReadRecordResult::Record => {
                    row.len = nends;
                    return Ok(true);
                }
                ReadRecordResult::End => {
                    row.len = nends;
                    return Ok(nends > 0);
                }
            }
        }
    }
}

/// A batch of rows in input order. `len` rows of `rows` are filled; the rest are spares kept
/// for reuse.
#[derive(Default)]
pub struct Batch {
    pub rows: Vec<Row>,
    pub len: usize,
}

impl Batch {
    pub fn filled(&self) -> &[Row] {
        &self.rows[..self.len]
    }
}

/// Rows read on a background thread, in batches, with the batches recycled so the reader
/// allocates nothing once warmed up.
pub struct BatchStream {
    pub batches: Receiver<io::Result<Batch>>,
    pub recycle: Sender<Batch>,
    handle: Option<JoinHandle<()>>,
}

impl BatchStream {
    pub fn spawn<R>(mut reader: RecordReader<R>, batch_size: usize) -> BatchStream
    where
        R: BufRead + Send + 'static,
    {
        let (tx, rx): (SyncSender<io::Result<Batch>>, _) = sync_channel(2);
        let (recycle_tx, recycle_rx) = std::sync::mpsc::channel::<Batch>();
        let handle = std::thread::Builder::new()
            .name("pipelint-reader".into())
            .spawn(move || {
                loop {
                    let mut batch = recycle_rx.try_recv().unwrap_or_default();
                    batch.len = 0;
                    if batch.rows.len() < batch_size {
                        batch.rows.resize_with(batch_size, Row::default);
                    }
                    let mut eof = false;
                    while batch.len < batch_size {
                        match reader.read_row(&mut batch.rows[batch.len]) {
                            Ok(true) => batch.len += 1,
                            Ok(false) => {
                                eof = true;
                                break;
                            }
                            Err(e) => {
                                let _ = tx.send(Err(e));
                                return;
                            }
                        }
                    }
                    if batch.len > 0 && tx.send(Ok(batch)).is_err() {
                        return;
                    }
                    if eof {
                        return;
                    }
                }
            });
        let (batches, handle) = match handle {
            Ok(h) => (rx, Some(h)),
            Err(e) => {
                // Could not start a thread: report it as a read error.
                let (etx, erx) = sync_channel(1);
                let _ = etx.send(Err(e));
                (erx, None)
            }
        };
        BatchStream {
            batches,
            recycle: recycle_tx,
            handle,
        }
    }
}

impl BatchStream {
    /// Take the receiving end of the batches (to hand to the workers); the stream keeps the
    /// reader thread's handle and joins it when dropped.
    pub fn take_batches(&mut self) -> Receiver<io::Result<Batch>> {
        let (_, dead) = sync_channel(0);
        std::mem::replace(&mut self.batches, dead)
    }
}

impl Drop for BatchStream {
    fn drop(&mut self) {
        // Unblock the reader (its sends fail once the receiver is gone) and wait for it.
        let (_, dead) = sync_channel(0);
        let rx = std::mem::replace(&mut self.batches, dead);
        drop(rx);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(data: &str) -> Vec<(u64, Vec<String>)> {
        let mut r = RecordReader::new(data.as_bytes(), b',');
        let mut row = Row::default();
        let mut out = Vec::new();
        while r.read_row(&mut row).unwrap() {
            let fields = row
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            out.push((row.line, fields));
        }
        out
    }

    #[test]
    fn lines_are_physical_start_lines() {
        let lf = rows("a,b\n1,2\n\n3,4\n\"x\ny\",5\n6,7");
        let lines: Vec<u64> = lf.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![1, 2, 4, 5, 7]);
        assert_eq!(lf[3].1[0], "x\ny");

        let crlf = rows("a,b\r\n1,2\r\n\r\n3,4\r\n\"x\r\ny\",5\r\n6,7\r\n");
        let lines: Vec<u64> = crlf.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![1, 2, 4, 5, 7]);

        // Old Mac line endings (lone CR), and a mix of all three.
        let cr = rows("a,b\r1,2\r\r3,4\r");
        let lines: Vec<u64> = cr.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![1, 2, 4]);
        let mixed = rows("a,b\n1,2\r\n3,4\r5,6\n\"q\rr\",7\n8,9");
        let lines: Vec<u64> = mixed.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![1, 2, 3, 4, 5, 7]);
    }

    #[test]
    fn strips_utf8_bom_and_keeps_ragged_rows() {
        let r = rows("\u{feff}a,b\n1\n2,3,4\n");
        assert_eq!(r[0].1, vec!["a", "b"]);
        assert_eq!(r[1].1.len(), 1);
        assert_eq!(r[2].1.len(), 3);
    }

    #[test]
    fn bom_before_blank_lines_keeps_the_header_line() {
        let r = rows("\u{feff}\n\nid,stage\n1,A\n");
        assert_eq!((r[0].0, r[0].1[0].as_str()), (3, "id"));
        assert_eq!(r[1].0, 4);
    }

    #[test]
    fn long_fields_grow_buffers() {
        let long = "x".repeat(100_000);
        let many = vec!["f"; 500].join(",");
        let r = rows(&format!("{long},{many}\n"));
        assert_eq!(r[0].1[0].len(), 100_000);
        assert_eq!(r[0].1.len(), 501);
    }

    #[test]
    fn batches_arrive_in_order() {
        let mut data = String::from("h\n");
        for i in 0..10_000 {
            data.push_str(&format!("{i}\n"));
        }
        let reader = RecordReader::new(std::io::Cursor::new(data.into_bytes()), b',');
        let stream = BatchStream::spawn(reader, 64);
        let mut seen = Vec::new();
        for batch in stream.batches.iter() {
            let batch = batch.unwrap();
            seen.extend(batch.filled().iter().map(|r| r.line));
            let _ = stream.recycle.send(batch);
        }
        assert_eq!(seen.len(), 10_001);
        assert!(seen.windows(2).all(|w| w[1] == w[0] + 1));
    }
}
