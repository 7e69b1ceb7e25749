//! Where reports go. Every target is checked (and a regular file's temporary file created)
//! before the audit starts, so a bad path fails in a millisecond, not after the audit:
//!
//! - `-` is standard output, and so is any other name of it (`/dev/stdout`, `/dev/fd/1`,
//!   `/proc/self/fd/1`, or a path to the very file, pipe or terminal standard output is):
//!   two reports there would interleave, so only one may go there;
//! - a regular file, new or existing, is written atomically: into a temporary file beside
//!   it, renamed over it when complete (through a symlink, the file it points to is
//!   written, created if the link dangles, and the link kept). A new file gets the umask's
//!   permissions, an existing one keeps its own;
//! - a character device (`/dev/null`, a terminal) or a FIFO is written to as a stream,
//!   never replaced; so is anything named under `/dev/` or `/proc/`;
//! - a file appended to (the job summary) is opened for appending, never replaced;
//! - a file the run reads or keeps (see `kept.rs`), a directory or the same target twice is
//!   refused, every target checked before any is created, so a refusal leaves nothing.
//!
//! A temporary file is removed if the run fails, and also if it is interrupted (Ctrl-C,
//! SIGTERM, SIGHUP): a handler removes every pending temporary file, then lets the signal
//! end the process as it would have.

pub(crate) mod kept;

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

use anyhow::{Context, Result, bail};
use tempfile::NamedTempFile;

use crate::report::Files;
use crate::report::output::kept::{Kept, identity, link_target, normalised};

/// What became of output to standard output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Delivered {
    All,
    /// The reader went away (`| head`): not a failure, but nothing more is wanted.
    ReaderGone,
}

/// Write through `write` to standard output, buffered. A closed stdout is not a failure:
/// the reader has what it wanted.
pub(crate) fn stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<Delivered> {
    let out = io::stdout();
    let mut out = io::BufWriter::new(out.lock());
    match write(&mut out).and_then(|_| out.flush()) {
        Ok(()) => Ok(Delivered::All),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Delivered::ReaderGone),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}

/// Whether an error is a closed stdout (`pipelint … | head`), which is not a failure.
pub(crate) fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Temporary report files not yet renamed into place, for the signal handler.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();

/// A report target, checked and ready.
pub(crate) struct Target {
    /// The path as given (for messages).
    shown: String,
    kind: Kind,
}

enum Kind {
    Stdout,
    /// Written in place: a character device (opened already) or a FIFO (opened when
    /// written, since opening one waits for a reader); or a file appended to.
    Stream {
        path: PathBuf,
        file: Option<File>,
        append: bool,
    },
    /// Written to `temp`, then renamed over `path`.
    Atomic {
        path: PathBuf,
        temp: PendingTemp,
    },
    /// A directory of files, each written atomically.
    Directory {
        path: PathBuf,
        /// Kept files, never written or removed even where they carry the marker.
        kept: Vec<(u64, u64)>,
    },
}

/// A temporary file registered for removal on a signal.
struct PendingTemp {
    file: Option<NamedTempFile>,
    path: PathBuf,
}

impl PendingTemp {
    fn new(file: NamedTempFile) -> PendingTemp {
        let path = file.path().to_path_buf();
        if let Ok(mut pending) = PENDING.lock() {
            pending.push(path.clone());
        }
        PendingTemp {
            file: Some(file),
            path,
        }
    }
}

impl Drop for PendingTemp {
    fn drop(&mut self) {
        // Dropping the NamedTempFile removes it (unless it was persisted).
        self.file.take();
        if let Ok(mut pending) = PENDING.lock() {
            pending.retain(|p| p != &self.path);
        }
    }
}

/// What may not be overwritten, and what is already taken.
pub(crate) struct Guard<'a> {
    /// The files the run reads or keeps.
    pub(crate) kept: &'a Kept,
    /// Standard output already carries the main report.
    pub(crate) stdout_taken: bool,
}

/// How a target is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// One file, replaced atomically.
    File,
    /// A directory of files.
    Directory,
    /// A file appended to in place.
    Append,
}

/// A report target as asked for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Wanted<'p> {
    pub(crate) path: &'p Path,
    pub(crate) want: Want,
    /// Where the path came from, when not the command line (`GITHUB_STEP_SUMMARY`): messages
    /// name it beside the path.
    pub(crate) source: Option<&'p str>,
}

impl<'p> Wanted<'p> {
    pub(crate) fn file(path: &'p Path) -> Wanted<'p> {
        Wanted {
            path,
            want: Want::File,
            source: None,
        }
    }

    fn shown(&self) -> String {
        match self.source {
            Some(source) => format!("{} ({source})", self.path.display()),
            None => self.path.display().to_string(),
        }
    }
}

/// Check and open every target, in order.
pub(crate) fn prepare(wanted: &[Wanted<'_>], guard: &Guard<'_>) -> Result<Vec<Target>> {
    let checked = check(wanted, guard)?;
    // Before the first temporary file exists: a signal between its creation and the
    // handler's would leave it behind.
    if checked
        .iter()
        .any(|(w, _, to_stdout)| !to_stdout && w.want != Want::Append)
    {
        install_handler();
    }
    let mut out: Vec<Target> = Vec::with_capacity(checked.len());
    for (w, shown, to_stdout) in checked {
        let kind = if to_stdout {
            Kind::Stdout
        } else {
            match w.want {
                Want::File => classify(w.path),
                Want::Directory => directory_target(w.path, guard.kept),
                Want::Append => append_target(w.path),
            }
            .with_context(|| format!("cannot write report to {shown}"))?
        };
        out.push(Target { shown, kind });
    }
    Ok(out)
}

/// Every refusal, before any target is created: each target with how it is shown and
/// whether it is standard output.
fn check<'p>(wanted: &[Wanted<'p>], guard: &Guard<'_>) -> Result<Vec<(Wanted<'p>, String, bool)>> {
    let stdout = stdout_identity();
    let mut stdout_taken = guard.stdout_taken;
    let mut seen: Vec<(PathBuf, Option<(u64, u64)>)> = Vec::new();
    let mut checked = Vec::with_capacity(wanted.len());
    for &w in wanted {
        let shown = w.shown();
        let dash = w.path.as_os_str() == "-";
        if dash || is_stdout(w.path, stdout) {
            if w.want == Want::Directory {
                bail!(
                    "a directory of reports cannot go to standard output ({shown}): name a directory"
                );
            }
            if stdout_taken {
                let alias = if dash {
                    "-".to_string()
                } else {
                    format!("{shown} is standard output")
                };
                bail!(
                    "two reports would go to standard output ({alias}); write one of them to a file, or pass -q to keep the table off stdout"
                );
            }
            stdout_taken = true;
            checked.push((w, shown, true));
            continue;
        }
        if let Some(kept) = guard.kept.holding(w.path) {
            bail!(
                "refusing to write the report to {shown}: it is {kept}, which this run reads; write the report elsewhere"
            );
        }
        let key = (normalised(w.path), identity(w.path));
        if seen
            .iter()
            .any(|(p, id)| *p == key.0 || (id.is_some() && *id == key.1))
        {
            bail!("two reports would be written to {shown}; give each its own path");
        }
        seen.push(key);
        checked.push((w, shown, false));
    }
    Ok(checked)
}

/// Names of standard output whatever it is connected to.
const STDOUT_NAMES: [&str; 3] = ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"];

/// Whether `path` is standard output: one of its names, or the file, pipe or terminal it is.
fn is_stdout(path: &Path, stdout: Option<(u64, u64)>) -> bool {
    STDOUT_NAMES.iter().any(|n| path == Path::new(n))
        || stdout.is_some_and(|id| identity(path) == Some(id))
}

/// The device and inode of what standard output is (`fstat(1)`); none for `/dev/null`,
/// where any number of reports may go, since nothing there can interleave.
#[cfg(unix)]
fn stdout_identity() -> Option<(u64, u64)> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let fd = io::stdout().as_fd().try_clone_to_owned().ok()?;
    let meta = File::from(fd).metadata().ok()?;
    let id = (meta.dev(), meta.ino());
    (identity(Path::new("/dev/null")) != Some(id)).then_some(id)
}

#[cfg(not(unix))]
fn stdout_identity() -> Option<(u64, u64)> {
    None
}

/// A directory for a report of several files: an existing directory, or one made now.
/// Writing into it is tried at once, so a bad path fails before the audit.
fn directory_target(path: &Path, kept: &Kept) -> Result<Kind> {
    match fs::metadata(path) {
        Ok(m) if !m.is_dir() => bail!("it is not a directory (this report writes several files)"),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(path).context("cannot create the directory")?;
        }
        Err(e) => return Err(e.into()),
    }
    drop(temp_in(path, None)?);
    Ok(Kind::Directory {
        path: path.to_path_buf(),
        kept: kept.identities(),
    })
}

/// A file appended to in place: created when missing, never replaced.
fn append_target(path: &Path) -> Result<Kind> {
    let meta = match fs::metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let kind = meta.map(|m| m.file_type());
    if kind.is_some_and(|k| k.is_dir()) {
        bail!("it is a directory");
    }
    let file = if kind.is_some_and(|k| is_fifo(&k)) {
        None
    } else {
        Some(open_append(path)?)
    };
    Ok(Kind::Stream {
        path: path.to_path_buf(),
        file,
        append: true,
    })
}

fn classify(path: &Path) -> Result<Kind> {
    let special = path.starts_with("/dev") || path.starts_with("/proc");
    let meta = match fs::metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let Some(meta) = meta else {
        if special {
            bail!("it does not exist");
        }
        // A new file, beside which the temporary file is made; through a dangling symlink,
        // the file the link names, so that the link is kept.
        let path = link_target(path)?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        return Ok(Kind::Atomic {
            temp: temp_in(dir, None)?,
            path,
        });
    };
    let kind = meta.file_type();
    if kind.is_dir() {
        bail!("it is a directory");
    }
    if kind.is_file() && !special {
        // Through a symlink, replace the file it points to and keep the link.
        let real = fs::canonicalize(path)?;
        let dir = real.parent().unwrap_or(Path::new("/")).to_path_buf();
        return Ok(Kind::Atomic {
            temp: temp_in(&dir, Some(meta.permissions()))?,
            path: real,
        });
    }
    if kind.is_file() || is_stream(&kind) {
        let file = if is_fifo(&kind) {
            None
        } else {
            Some(open_stream(path, kind.is_file())?)
        };
        return Ok(Kind::Stream {
            path: path.to_path_buf(),
            file,
            append: false,
        });
    }
    bail!("it is not a regular file, a character device or a FIFO")
}

fn open_stream(path: &Path, truncate: bool) -> io::Result<File> {
    OpenOptions::new().write(true).truncate(truncate).open(path)
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().append(true).create(true).open(path)
}

/// A temporary file in `dir`: with `keep` (an existing file's permissions), or else the
/// umask's default for a new file.
fn temp_in(dir: &Path, keep: Option<Permissions>) -> Result<PendingTemp> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".pipelint-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // open(2) applies the umask to this mode, as for any new file.
        builder.permissions(Permissions::from_mode(0o666));
    }
    let temp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    if let Some(perms) = keep {
        fs::set_permissions(temp.path(), perms)?;
    }
    Ok(PendingTemp::new(temp))
}

#[cfg(unix)]
fn is_stream(kind: &fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_char_device() || kind.is_fifo()
}

#[cfg(not(unix))]
fn is_stream(_: &fs::FileType) -> bool {
    false
}

#[cfg(unix)]
fn is_fifo(kind: &fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_fifo()
}

#[cfg(not(unix))]
fn is_fifo(_: &fs::FileType) -> bool {
    false
}

impl Target {
    pub(crate) fn is_stdout(&self) -> bool {
        matches!(self.kind, Kind::Stdout)
    }

    /// Write a report of several files into the directory target: each file atomically;
    /// then files an earlier run of the same report left and this one did not write are
    /// removed (only those that begin with `marker`, which the report writes first). A file
    /// without the marker is never written or removed. Returns what the report noted for
    /// the person running it (names it could not use, files it left out).
    pub(crate) fn write_files(
        self,
        marker: &str,
        render: impl FnOnce(&mut dyn Files) -> io::Result<()>,
    ) -> Result<Vec<String>> {
        let shown = self.shown;
        let Kind::Directory { path, kept } = self.kind else {
            bail!("cannot write a report of several files to {shown}: it is not a directory");
        };
        let mut files = DirectoryFiles {
            dir: path,
            marker: marker.to_string(),
            kept,
            written: Vec::new(),
            notes: Vec::new(),
        };
        render(&mut files).with_context(|| format!("cannot write report to {shown}"))?;
        files
            .remove_stale()
            .with_context(|| format!("cannot tidy {shown}"))?;
        Ok(files
            .notes
            .into_iter()
            .map(|n| format!("{shown}: {n}"))
            .collect())
    }

    /// Render into the target; a regular file is renamed into place only when complete.
    pub(crate) fn write_with(
        self,
        render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<Delivered> {
        let shown = self.shown;
        let context = || format!("cannot write report to {shown}");
        match self.kind {
            Kind::Stdout => return stdout(render),
            Kind::Stream { path, file, append } => {
                let file = match file {
                    Some(f) => f,
                    None if append => open_append(&path).with_context(context)?,
                    None => open_stream(&path, false).with_context(context)?,
                };
                let mut w = BufWriter::new(file);
                render(&mut w).with_context(context)?;
                w.flush().with_context(context)?;
            }
            Kind::Directory { .. } => {
                bail!("cannot write report to {shown}: it is a directory");
            }
            Kind::Atomic { path, mut temp } => {
                let Some(file) = temp.file.take() else {
                    bail!("cannot write report to {shown}: its temporary file is gone");
                };
                {
                    let mut w = BufWriter::new(file.as_file());
                    render(&mut w).with_context(context)?;
                    w.flush().with_context(context)?;
                }
                // No fsync: the rename is what makes the write atomic for readers, and
                // forcing a 900 MB report to disk would cost more than the audit.
                file.persist(&path)
                    .map_err(|e| e.error)
                    .with_context(context)?;
            }
        }
        Ok(Delivered::All)
    }
}

/// The files of a directory report, each written to a temporary file and renamed into
/// place when complete.
struct DirectoryFiles {
    dir: PathBuf,
    /// The first line of every file the report writes: what makes a file its own.
    marker: String,
    kept: Vec<(u64, u64)>,
    written: Vec<String>,
    notes: Vec<String>,
}

/// A plain file name: nothing that could lead out of the directory.
fn plain(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && Path::new(name).components().count() == 1
}

impl Files for DirectoryFiles {
    fn available(&self, name: &str) -> bool {
        if !plain(name) {
            return false;
        }
        let path = self.dir.join(name);
        match fs::symlink_metadata(&path) {
            Err(e) => e.kind() == io::ErrorKind::NotFound,
            // A symlink, a directory or a file the user wrote is never replaced.
            Ok(m) => m.file_type().is_file() && self.ours(&path),
        }
    }

    fn file(
        &mut self,
        name: &str,
        render: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        if !plain(name) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write a report file named {name:?}"),
            ));
        }
        if !self.available(name) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "refusing to replace {name}: pipelint did not write it (it does not start with the report's marker line)"
                ),
            ));
        }
        let target = self.dir.join(name);
        let keep = fs::metadata(&target)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.permissions());
        let mut temp = temp_in(&self.dir, keep).map_err(io::Error::other)?;
        let Some(file) = temp.file.take() else {
            return Err(io::Error::other("temporary file is gone"));
        };
        {
            let mut w = BufWriter::new(file.as_file());
            render(&mut w)?;
            w.flush()?;
        }
        file.persist(&target).map_err(|e| e.error)?;
        self.written.push(name.to_string());
        Ok(())
    }

    fn note(&mut self, text: &str) {
        self.notes.push(text.to_string());
    }
}

impl DirectoryFiles {
    /// Whether the file at `path` is one this report wrote: it starts with the marker, and
    /// is none of the files the run reads or keeps.
    fn ours(&self, path: &Path) -> bool {
        let mut head = vec![0u8; self.marker.len()];
        let marked = File::open(path)
            .and_then(|mut f| io::Read::read_exact(&mut f, &mut head))
            .is_ok()
            && head == self.marker.as_bytes();
        marked && identity(path).is_none_or(|id| !self.kept.contains(&id))
    }

    fn remove_stale(&self) -> io::Result<()> {
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if self.written.contains(&name) || !entry.file_type()?.is_file() {
                continue;
            }
            if self.ours(&entry.path()) {
                fs::remove_file(entry.path())?;
            }
        }
        Ok(())
    }
}

/// On SIGINT, SIGTERM or SIGHUP: remove every pending temporary file, then end as the
/// signal would have.
fn install_handler() {
    HANDLER.call_once(|| {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
            else {
                return;
            };
            let _ = std::thread::Builder::new()
                .name("pipelint-signals".into())
                .spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        if let Ok(pending) = PENDING.lock() {
                            for path in pending.iter() {
                                let _ = fs::remove_file(path);
                            }
                        }
                        let _ = signal_hook::low_level::emulate_default_handler(signal);
                        std::process::exit(128 + signal);
                    }
                });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::output::kept::Role;

    #[test]
    fn targets_are_checked_before_the_audit() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        fs::write(&input, "a\n1\n").unwrap();
        let mut kept = Kept::default();
        kept.add(&input, Role::Export);
        let guard = Guard {
            kept: &kept,
            stdout_taken: true,
        };
        let err = |wanted: &[Wanted<'_>]| match prepare(wanted, &guard) {
            Ok(_) => String::new(),
            Err(e) => format!("{e:#}"),
        };
        let files = |paths: &[&Path]| {
            let wanted: Vec<Wanted<'_>> = paths.iter().map(|p| Wanted::file(p)).collect();
            err(&wanted)
        };
        assert!(files(&[&input]).contains("it is the export"));
        let out = dir.path().join("out.json");
        assert!(files(&[&out, &out]).contains("two reports"));
        assert!(files(&[Path::new("-")]).contains("standard output"));
        assert!(files(&[dir.path()]).contains("directory"));
        assert!(files(&[&dir.path().join("nope/x.json")]).contains("cannot create a file"));
        assert_eq!(files(&[&out]), "");
        // A refusal leaves nothing behind, not even a directory made for an earlier target.
        let owners = dir.path().join("owners");
        let wanted = [
            Wanted {
                path: &owners,
                want: Want::Directory,
                source: None,
            },
            Wanted {
                path: &input,
                want: Want::Append,
                source: Some("GITHUB_STEP_SUMMARY"),
            },
        ];
        let refused = err(&wanted);
        assert!(
            refused.contains("(GITHUB_STEP_SUMMARY): it is the export"),
            "{refused}"
        );
        assert!(!owners.exists());
    }
}
