//! A progress bar on standard error while large exports are read (indicatif). Only the
//! command line asks for one, and only when standard error is a terminal, `-q` is not
//! given, `CI` is not set and the input is large: a bar is for a person waiting, never for
//! a log or a pipe. It reads the byte counters the readers keep, so it costs the audit
//! nothing, and it never writes to standard output.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, atomic::AtomicU64};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::input::Export;

/// Inputs smaller than this are read before a bar would be worth drawing.
pub(crate) const LARGE_INPUT: u64 = 50_000_000;

/// Whether the command line should show progress: a person at a terminal is waiting.
pub(crate) fn wanted(quiet: bool) -> bool {
    use std::io::IsTerminal;
    !quiet && std::env::var_os("CI").is_none() && std::io::stderr().is_terminal()
}

/// The bar, drawn by its own thread until dropped.
pub(crate) struct Progress {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Start a bar over `exports` when their sizes add up to [`LARGE_INPUT`] or more
    /// (standard input, of unknown size, never shows one).
    pub(crate) fn start<'e>(exports: impl Iterator<Item = &'e Export> + Clone) -> Option<Progress> {
        let sizes: Option<Vec<u64>> = exports.clone().map(|e| e.progress.size).collect();
        let total: u64 = sizes?.iter().sum();
        if total < LARGE_INPUT {
            return None;
        }
        let counters: Vec<Arc<AtomicU64>> = exports.map(|e| e.progress.read.clone()).collect();
        let stop = Arc::new(AtomicBool::new(false));
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            // `wide_bar` takes what the terminal's width leaves, so the line never wraps.
            "{spinner} reading {bytes}/{total_bytes} [{wide_bar}] {percent:>3}% {eta} left",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        let done = stop.clone();
        let thread = std::thread::Builder::new()
            .name("pipelint-progress".to_string())
            .spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    let read: u64 = counters.iter().map(|c| c.load(Ordering::Relaxed)).sum();
                    bar.set_position(read.min(total));
                    std::thread::sleep(Duration::from_millis(100));
                }
                bar.finish_and_clear();
            })
            .ok()?;
        Some(Progress {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
