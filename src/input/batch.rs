//! Records read into batches on a reader thread of their own, while workers audit the batches
//! before: a batch is some thousands of rows in one buffer, recycled once audited. A report
//! footer (totals, copyright lines) is held back until the file shows where it ends.

use std::io::{self, BufRead};
use std::sync::mpsc::{Receiver, Sender, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::encoding::Legacy;
use super::reader::{RecordReader, Rows};

/// A batch of rows in input order.
#[derive(Default)]
pub(crate) struct Batch {
    pub(crate) rows: Rows,
    /// On the batch that ends the file: the report footer that was skipped (how many lines,
    /// and the line of the first).
    pub(crate) footer: Option<(u64, u64)>,
}

impl Batch {
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A batch also closes once it holds this many bytes, so a file of enormous rows does not
/// make batches enormous.
const BATCH_BYTES: usize = 16 << 20;

/// Trailing short lines (fewer cells than the header) held back in case they are a report
/// footer. Footers are a handful of lines; past this many, the lines are rows after all.
const FOOTER_HOLD: usize = 16;

/// Short lines after the last full row, held back until the file shows what they are:
/// a report footer (when the file ends and one of them is a footer marker) or rows.
#[derive(Default)]
struct FooterWatch {
    held: Rows,
}

impl FooterWatch {
    /// Whether `rows`' last record should be held back (and move it here if so).
    fn hold(&mut self, rows: &mut Rows, header_len: usize) -> bool {
        let Some(last) = rows.get(rows.len().wrapping_sub(1)) else {
            return false;
        };
        // Footer lines are one cell, or a few when a comma in them was not quoted
        // ("Copyright (c) 2000-2026 salesforce.com, inc."): shorter than a row either way.
        // A footer line is short text on one line: a cell spanning lines is a quote left
        // open, and what it swallowed are rows (IN002), never a footer.
        let footer_like = || {
            last.iter()
                .all(|c| c.len() <= 200 && !c.contains(&b'\n') && !c.contains(&b'\r'))
        };
        if header_len < 2 || last.len() >= header_len || !footer_like() {
            if !self.held.is_empty() {
                // A full row: the held lines were rows. Put them back before it.
                let mut full = Rows::default();
                full.push_row(last);
                rows.pop();
                for r in self.held.iter() {
                    rows.push_row(r);
                }
                self.held.clear();
                if let Some(r) = full.get(0) {
                    rows.push_row(r);
                }
            }
            return false;
        }
        self.held.push_row(last);
        rows.pop();
        if self.held.len() > FOOTER_HOLD {
            self.release(rows);
        }
        true
    }

    fn release(&mut self, rows: &mut Rows) {
        for r in self.held.iter() {
            rows.push_row(r);
        }
        self.held.clear();
    }

    /// At the end of the file: a footer is dropped (returns its size and first line); other
    /// held lines go back to the rows.
    fn finish(&mut self, rows: &mut Rows) -> Option<(u64, u64)> {
        let is_footer = self.held.iter().any(|r| {
            let text: Vec<String> = (0..r.len()).map(|i| r.text(i).into_owned()).collect();
            super::footer::is_footer_marker(&text.join(","))
        });
        let first = self.held.get(0).map(|r| r.line);
        if is_footer {
            let n = self.held.len() as u64;
            self.held.clear();
            first.map(|line| (n, line))
        } else {
            self.release(rows);
            None
        }
    }
}

/// Guess the legacy encoding from the rows (read or held back) that are not UTF-8.
fn detect_in(rows: &Rows, held: &Rows) -> Legacy {
    let not_utf8 = rows
        .iter()
        .chain(held.iter())
        .filter(|r| std::str::from_utf8(r.bytes()).is_err());
    // Cells apart, so that the last letter of one and the first of the next do not count
    // as a pair of letters.
    super::encoding::detect(
        not_utf8.flat_map(|r| {
            (0..r.len()).flat_map(move |i| [r.get(i).unwrap_or(&[]), b" ".as_slice()])
        }),
    )
}

/// Rows read on a background thread, in batches, with the batches recycled so the reader
/// allocates nothing once warmed up.
pub(crate) struct BatchStream {
    pub(crate) batches: Receiver<io::Result<Batch>>,
    pub(crate) recycle: Sender<Batch>,
    handle: Option<JoinHandle<()>>,
}

impl BatchStream {
    /// Read `reader` in batches of `batch_size` rows on a new thread. Trailing short
    /// lines are held back and dropped if they are a report footer (files whose header has
    /// more than one column; `header_len` says).
    pub(crate) fn spawn<R>(
        mut reader: RecordReader<R>,
        batch_size: usize,
        header_len: usize,
    ) -> BatchStream
    where
        R: BufRead + Send + 'static,
    {
        let (tx, rx): (SyncSender<io::Result<Batch>>, _) = sync_channel(2);
        let (recycle_tx, recycle_rx) = std::sync::mpsc::channel::<Batch>();
        let handle = std::thread::Builder::new()
            .name("pipelint-reader".into())
            .spawn(move || {
                let mut watch = FooterWatch::default();
                loop {
                    let mut batch: Batch = recycle_rx.try_recv().unwrap_or_default();
                    batch.rows.clear();
                    batch.footer = None;
                    batch.rows.legacy = reader.legacy.unwrap_or_default();
                    watch.held.legacy = batch.rows.legacy;
                    let mut eof = false;
                    let mut not_utf8 = false;
                    while batch.rows.len() < batch_size && batch.rows.bytes_used() < BATCH_BYTES {
                        match reader.read_into(&mut batch.rows) {
                            Ok(true) => {
                                watch.hold(&mut batch.rows, header_len);
                            }
                            Ok(false) => {
                                batch.footer = watch.finish(&mut batch.rows);
                                eof = true;
                                break;
                            }
                            Err(e) => {
                                let _ = tx.send(Err(e));
                                return;
                            }
                        }
                    }
                    // Until the file's legacy encoding is decided, look for a row that
                    // needs one: a batch of ASCII (most are) is cleared in one pass.
                    if reader.legacy.is_none() && !batch.rows.is_ascii() {
                        not_utf8 = (0..batch.rows.len()).any(|i| {
                            batch
                                .rows
                                .get(i)
                                .is_some_and(|r| std::str::from_utf8(r.bytes()).is_err())
                        });
                    }
                    if not_utf8 {
                        // Decided once for the file, before any row that needs it is handed
                        // over: later batches carry the same decision.
                        let legacy = detect_in(&batch.rows, &watch.held);
                        reader.legacy = Some(legacy);
                        batch.rows.legacy = legacy;
                        watch.held.legacy = legacy;
                    }
                    let carries = !batch.is_empty() || batch.footer.is_some();
                    if carries && tx.send(Ok(batch)).is_err() {
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
    pub(crate) fn take_batches(&mut self) -> Receiver<io::Result<Batch>> {
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
