//! What the reader follows beside csv_core's records: physical lines and columns (`\n`,
//! `\r\n` and a lone `\r` each break a line), and quotes that csv_core reads silently
//! (IN006), with where an unclosed one opened.

/// Counts physical lines in consumed bytes: `\n`, `\r\n` and a lone `\r` (old Mac files,
/// which csv_core also ends records on) are one line break each. csv_core's own counter
/// knows only `\n`.
#[derive(Default)]
pub(super) struct LineCounter {
    /// Line breaks seen so far.
    breaks: u64,
    /// Bytes since the last line break.
    column: u64,
    /// The last byte seen was `\r`: one more break, unless a `\n` follows.
    pending_cr: bool,
}

impl LineCounter {
    /// Account for consumed bytes `b`, of which `lf` are `\n` (csv_core counts those for
    /// free, so the common LF and CRLF cases cost one `memchr` scan for `\r`).
    pub(super) fn consume(&mut self, b: &[u8], lf: u64) {
        let Some(&first) = b.first() else {
            return;
        };
        if self.pending_cr && first != b'\n' {
            self.breaks += 1;
        }
        self.pending_cr = false;
        match memchr::memrchr2(b'\n', b'\r', b) {
            Some(i) => self.column = (b.len() - i - 1) as u64,
            None => self.column += b.len() as u64,
        }
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
    pub(super) fn line(&self) -> u64 {
        1 + self.breaks + u64::from(self.pending_cr)
    }

    /// The line and 1-based column of byte `at` of `b`, the bytes about to be consumed.
    pub(super) fn position_in(&self, b: &[u8], at: usize) -> (u64, u64) {
        let before = &b[..at.min(b.len())];
        let mut probe = LineCounter {
            breaks: self.breaks,
            column: self.column,
            pending_cr: self.pending_cr,
        };
        let lf = memchr::memchr_iter(b'\n', before).count() as u64;
        probe.consume(before, lf);
        (probe.line(), probe.column + 1)
    }
}

/// Follows a record's quotes as its bytes stream through, to find what csv_core reads
/// silently: a quote inside an unquoted value (`ab"c`, kept literally) and text after a
/// closing quote (`"abc"def`, read as `abcdef`). Only quote bytes are looked at (found with
/// memchr), so a file with few quotes pays next to nothing.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct QuoteScan {
    pub(super) in_quotes: bool,
    /// The last byte seen before the current chunk (the delimiter at a record's start).
    prev: u8,
    /// The previous chunk ended on a quote inside a quoted value: the next byte says
    /// whether it closed the value or began a doubled quote.
    pub(super) pending: bool,
    /// Where the quote still open was opened, once known: line and column.
    pub(super) open_at: Option<(u64, u64)>,
    pub(super) malformed: Option<u32>,
    /// A database dump's dialect: a quote after a backslash inside a quoted value is part
    /// of the value (`\"`), and counted.
    dump: bool,
    pub(super) escaped: u64,
}

impl QuoteScan {
    pub(super) fn start(&mut self, delimiter: u8, dump: bool) {
        *self = QuoteScan {
            prev: delimiter,
            dump,
            ..QuoteScan::default()
        };
    }

    /// Whether the quote at `q` of `b` is escaped by the backslashes before it (an odd run:
    /// `\\"` is a backslash, then a closing quote).
    fn escaped_at(&self, b: &[u8], q: usize) -> bool {
        let run = b[..q].iter().rev().take_while(|&&c| c == b'\\').count();
        if run == q && q == 0 {
            return self.prev == b'\\';
        }
        run % 2 == 1
    }

    /// Scan `b`, the next bytes of the record, of which `fields_before` fields were
    /// complete before it. `lines` is the line counter before `b` is consumed.
    pub(super) fn scan(
        &mut self,
        b: &[u8],
        delimiter: u8,
        fields_before: usize,
        lines: &LineCounter,
    ) {
        if b.is_empty() {
            return;
        }
        let ends_value = |c: u8| c == delimiter || c == b'\n' || c == b'\r';
        let entry = (self.in_quotes && !self.pending, self.pending);
        let mut skip = None;
        let mut opened = None;
        if self.pending {
            self.pending = false;
            if b[0] == b'"' {
                skip = Some(0);
            } else {
                self.in_quotes = false;
                if !ends_value(b[0]) {
                    self.flag(b, 0, delimiter, fields_before, entry);
                }
            }
        }
        if memchr::memchr(b'"', b).is_some() {
            for q in memchr::memchr_iter(b'"', b) {
                if skip == Some(q) {
                    continue;
                }
                if !self.in_quotes {
                    let before = if q == 0 { self.prev } else { b[q - 1] };
                    if before == delimiter {
                        self.in_quotes = true;
                        opened = Some(q);
                    } else {
                        self.flag(b, q, delimiter, fields_before, entry);
                    }
                    continue;
                }
                if self.dump && self.escaped_at(b, q) {
                    self.escaped += 1;
                    continue;
                }
                match b.get(q + 1) {
                    None => self.pending = true,
                    Some(b'"') => skip = Some(q + 1),
                    Some(&c) => {
                        self.in_quotes = false;
                        if !ends_value(c) {
                            self.flag(b, q + 1, delimiter, fields_before, entry);
                        }
                    }
                }
            }
        }
        if let Some(q) = opened.filter(|_| self.in_quotes) {
            // Still open at the end of the chunk: remember where, in case it never closes.
            // (Rare enough to count its line here rather than track every quote's.)
            self.open_at = Some(lines.position_in(b, q));
        }
        self.prev = b[b.len() - 1];
    }

    /// Note malformed quoting at byte `at` of `b` (the first in the record counts).
    /// `entry` is the state `b` began in: inside a quoted value, and just after a quote
    /// that closed one.
    fn flag(
        &mut self,
        b: &[u8],
        at: usize,
        delimiter: u8,
        fields_before: usize,
        entry: (bool, bool),
    ) {
        if self.malformed.is_some() {
            return;
        }
        // Which field: the delimiters outside quotes before it. This runs once per flagged
        // record, so a plain byte walk is fine.
        let mut field = fields_before;
        let (mut quoted, mut closed) = entry;
        let mut at_start = !quoted && !closed && self.prev == delimiter;
        for &c in &b[..at] {
            if c == b'"' {
                if quoted {
                    (quoted, closed) = (false, true);
                } else if closed || at_start {
                    // A doubled quote inside the value, or the opening one.
                    (quoted, closed) = (true, false);
                }
            } else {
                closed = false;
                if c == delimiter && !quoted {
                    field += 1;
                }
            }
            at_start = c == delimiter && !quoted;
        }
        self.malformed = Some(field as u32);
    }
}
