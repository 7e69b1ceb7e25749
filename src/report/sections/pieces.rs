//! Writing millions of records fast and in order: records are rendered in pieces, several
//! pieces at once on worker threads, each into its own buffer, while this thread writes the
//! finished pieces out in order. Memory stays bounded (a few windows of pieces in flight,
//! their buffers reused), and the bytes are the same at any thread count.

use std::io::{self, Write};
use std::sync::Mutex;
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

/// Records per piece: big enough that a piece's buffer is written in one call, small enough
/// that a window of pieces stays a few megabytes.
const PIECE: usize = 2048;

/// Write records `0..count` to `out`, in order: `render(i, buf)` appends record `i` to
/// `buf`. Rendering runs on `threads` worker threads (0: one per core); the first error
/// stops the writing and is returned.
pub(crate) fn write_in_order<R>(
    out: &mut dyn Write,
    threads: usize,
    count: usize,
    render: R,
) -> io::Result<()>
where
    R: Fn(usize, &mut Vec<u8>) -> io::Result<()> + Sync,
{
    write_pieces(out, threads, count, |records, buf| {
        records.into_iter().try_for_each(|i| render(i, buf))
    })
}

/// Write records `0..count` to `out`, in order, a piece at a time: `render(range, buf)`
/// appends the records in `range` to `buf` (for formats with per-piece state, such as a
/// CSV writer). Otherwise as [`write_in_order`].
pub(crate) fn write_pieces<R>(
    out: &mut dyn Write,
    threads: usize,
    count: usize,
    render: R,
) -> io::Result<()>
where
    R: Fn(std::ops::Range<usize>, &mut Vec<u8>) -> io::Result<()> + Sync,
{
    if count == 0 {
        return Ok(());
    }
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("pipelint-render-{i}"))
        .build()
        .map_err(io::Error::other)?;
    let pieces = count.div_ceil(PIECE);
    // Pieces rendered at once: two per thread keeps every thread busy while one is slow.
    let window = threads * 2;
    // Buffers written out come back here to be filled again.
    let spare: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let render_piece = |p: usize| -> io::Result<Vec<u8>> {
        let mut buf = spare
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_default();
        buf.clear();
        render(p * PIECE..((p + 1) * PIECE).min(count), &mut buf)?;
        Ok(buf)
    };
    std::thread::scope(|scope| {
        // One window is written while the next is rendered.
        let (tx, rx) = sync_channel::<io::Result<Vec<Vec<u8>>>>(1);
        let render_piece = &render_piece;
        scope.spawn(move || {
            pool.install(|| {
                for first in (0..pieces).step_by(window) {
                    let rendered = (first..(first + window).min(pieces))
                        .into_par_iter()
                        .map(render_piece)
                        .collect::<io::Result<Vec<Vec<u8>>>>();
                    let failed = rendered.is_err();
                    // The writer has stopped (a closed pipe, a full disk): stop too.
                    if tx.send(rendered).is_err() || failed {
                        return;
                    }
                }
            });
        });
        for rendered in rx {
            for buf in rendered? {
                out.write_all(&buf)?;
                if let Ok(mut s) = spare.lock() {
                    s.push(buf);
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_numbers(count: usize, threads: usize) -> Vec<u8> {
        let mut out = Vec::new();
        write_in_order(&mut out, threads, count, |i, buf| writeln!(buf, "{i}")).expect("write");
        out
    }

    #[test]
    fn records_come_out_in_order_at_any_thread_count() {
        let count = PIECE * 7 + 13;
        let expected: String = (0..count).map(|i| format!("{i}\n")).collect();
        for threads in [1, 2, 3, 8] {
            assert_eq!(render_numbers(count, threads), expected.as_bytes());
        }
        assert!(render_numbers(0, 2).is_empty());
    }

    #[test]
    fn the_first_error_stops_the_writing() {
        let mut out = Vec::new();
        let result = write_in_order(&mut out, 2, PIECE * 40, |i, buf| {
            if i == PIECE * 5 + 1 {
                return Err(io::Error::other("bad record"));
            }
            writeln!(buf, "{i}")
        });
        assert_eq!(result.map_err(|e| e.to_string()), Err("bad record".into()));
        assert!(
            out.len() < 10 * PIECE * 6,
            "stopped early: {} bytes",
            out.len()
        );
    }

    /// A writer that fails after `left` bytes, as a full disk or a closed pipe does.
    struct Failing {
        left: usize,
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.left < buf.len() {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
            }
            self.left -= buf.len();
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_writer_stops_the_rendering() {
        let mut out = Failing { left: 100_000 };
        let result = write_in_order(&mut out, 2, PIECE * 1000, |i, buf| writeln!(buf, "{i}"));
        assert_eq!(result.map_err(|e| e.kind()), Err(io::ErrorKind::BrokenPipe));
    }
}
