//! Opening the history file for what a command does with it, and saying what went wrong in
//! words that name the file and a fix. Reads never write: `history list`, `history
//! backtest` and `audit --history` open it with SQLite's `query_only` (read-only when this
//! user cannot write it, immutable when not even its `-shm` index can be made), so a
//! history on a read-only disk, or one this user may only read, can be read; only `history
//! add` writes (and creates it), and an older schema's one-time upgrade.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use rusqlite::{Connection, ErrorCode, OpenFlags};

/// What a command does with the history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Read snapshots; the file must exist, and is never written (but to migrate an older
    /// schema, which needs the file writable).
    Read,
    /// Store a snapshot; the file is created when missing.
    Write,
}

/// Where the history is and how more read-only connections to it are opened.
#[derive(Clone, Debug)]
pub(crate) struct Location {
    pub(crate) path: PathBuf,
    /// Read as an immutable file (no lock, no shared-memory index): only for a WAL-mode
    /// history beside which this user cannot create the `-shm` index, and which has no
    /// pending `-wal` log, so the file alone holds every snapshot.
    immutable: bool,
}

/// How long a connection waits for another process's write to finish.
const BUSY: std::time::Duration = std::time::Duration::from_secs(120);

impl Location {
    /// The history at `path`, checked to be a file that can hold one (a missing file is
    /// fine to write: it is created).
    pub(crate) fn at(path: &Path, access: Access) -> Result<Location> {
        let shown = path.display();
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if access == Access::Read {
                    bail!(
                        "no history at {shown}; store a snapshot first with `pipelint history add EXPORT --db {shown}`"
                    );
                }
            }
            Err(e) => bail!(
                "cannot read the history {shown}: {e}; check its permissions, or name another --db"
            ),
            Ok(m) if m.is_dir() => bail!(
                "the history {shown} is a directory; name a file such as {shown}/pipelint-history.sqlite"
            ),
            Ok(m) if !m.is_file() => bail!(
                "the history {shown} is not a regular file (a device, a pipe or a socket), so it cannot hold snapshots; name a file such as pipelint-history.sqlite"
            ),
            Ok(_) => {}
        }
        Ok(Location {
            path: path.to_path_buf(),
            immutable: false,
        })
    }

    /// A read-only connection; the first one learns whether the file must be read as
    /// immutable (see [`Location::immutable`]).
    pub(crate) fn reader(&mut self) -> Result<Connection> {
        match self.try_reader() {
            Ok(conn) => Ok(conn),
            Err(e) if !self.immutable && cannot_share(&e) && !self.pending_log() => {
                self.immutable = true;
                self.try_reader().map_err(|e| failed(&self.path, "read", e))
            }
            Err(e) => Err(failed(&self.path, "read", e)),
        }
    }

    /// Another read-only connection, opened as the first one was.
    pub(crate) fn another_reader(&self) -> Result<Connection> {
        self.try_reader().map_err(|e| failed(&self.path, "read", e))
    }

    fn try_reader(&self) -> rusqlite::Result<Connection> {
        let conn = if self.immutable {
            Connection::open_with_flags(
                immutable_uri(&self.path),
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI,
            )?
        } else {
            // Read-write without CREATE, and `query_only`, so SQLite refuses any write: a
            // read-only connection could not fold the WAL back on close and would leave
            // `-wal` and `-shm` files beside the history after every read. A file this user
            // cannot write is opened read-only by SQLite itself.
            Connection::open_with_flags(
                &self.path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?
        };
        conn.pragma_update(None, "query_only", true)?;
        conn.busy_timeout(BUSY)?;
        // The open is lazy: reading the schema is what finds a file that cannot be read.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })?;
        // Reads map the file rather than copy each page in.
        conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
        Ok(conn)
    }

    /// Whether a WAL log with snapshots not yet in the file lies beside it.
    fn pending_log(&self) -> bool {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        std::fs::metadata(wal).is_ok_and(|m| m.len() > 0)
    }

    /// A read-write connection (the file created when missing), refused in words when the
    /// file or its disk is read-only.
    pub(crate) fn writer(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)
            .map_err(|e| failed(&self.path, "open", e))?;
        // SQLite opens a write-protected file read-only without a word: say it here.
        if conn
            .is_readonly(rusqlite::MAIN_DB)
            .map_err(|e| failed(&self.path, "open", e))?
        {
            bail!("{}", read_only(&self.path));
        }
        conn.busy_timeout(BUSY)
            .map_err(|e| failed(&self.path, "open", e))?;
        Ok(conn)
    }
}

/// A read-only open that failed for want of the shared-memory index a WAL file needs.
fn cannot_share(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen)
    )
}

/// `file:` URI of `path` with `immutable=1`, percent-encoding all but the plainest bytes
/// (SQLite reads `?`, `#` and `%` in a URI).
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for &b in path_bytes(path).iter() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'.' | b'_' | b'-' | b'~' => {
                uri.push(char::from(b))
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// The bytes of `path` as the OS holds them (on Unix, any bytes; elsewhere, its text with
/// `/` separators, as SQLite's URIs want them).
#[cfg(unix)]
fn path_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt as _;
    std::borrow::Cow::Borrowed(path.as_os_str().as_bytes())
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    std::borrow::Cow::Owned(path.to_string_lossy().replace('\\', "/").into_bytes())
}

fn read_only(path: &Path) -> String {
    let shown = path.display();
    format!(
        "cannot store a snapshot in the history {shown}: it is read-only (its permissions, its directory's, or a read-only disk); make it writable (chmod u+w {shown}) or name another --db"
    )
}

/// An SQLite error while `doing` (open, read, store) something with the history at `path`,
/// as one sentence naming the file and a fix. Errors that are not SQLite's pass unchanged:
/// they already say what they are.
pub(crate) fn failed(path: &Path, doing: &str, e: impl Into<anyhow::Error>) -> anyhow::Error {
    let e = e.into();
    let Some(sqlite) = e.downcast_ref::<rusqlite::Error>() else {
        return e;
    };
    let shown = path.display();
    let words = match sqlite.sqlite_error_code() {
        Some(ErrorCode::ReadOnly) if doing == "store" || doing == "open" => read_only(path),
        Some(ErrorCode::ReadOnly) => format!(
            "cannot {doing} the history {shown} without writing to it, and it is read-only; make it writable once (chmod u+w {shown}) or copy it to a writable place"
        ),
        Some(ErrorCode::CannotOpen) => format!(
            "cannot {doing} the history {shown} ({sqlite}); check that its directory exists and may be read, and written to store a snapshot, or name another --db"
        ),
        Some(ErrorCode::NotADatabase) => {
            format!("{shown} is not a pipelint history (not an SQLite file); name another --db")
        }
        Some(ErrorCode::DatabaseCorrupt) => format!(
            "the history {shown} is damaged ({sqlite}); restore it from a backup or name another --db"
        ),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => format!(
            "the history {shown} stayed locked by another pipelint for {} s; try again when it is done",
            BUSY.as_secs()
        ),
        Some(ErrorCode::DiskFull) => format!(
            "cannot {doing} the history {shown}: the disk is full; free some space or name another --db"
        ),
        Some(ErrorCode::SystemIoFailure) => format!(
            "cannot {doing} the history {shown}: a disk error ({sqlite}); check the disk and that {shown} is a regular file, or name another --db"
        ),
        _ => format!(
            "cannot {doing} the history {shown} ({sqlite}); if it is not a pipelint history, name another --db"
        ),
    };
    anyhow::anyhow!(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_never_writes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("h.sqlite");
        Location::at(&path, Access::Write)
            .and_then(|at| at.writer())
            .expect("writer")
            .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);")
            .expect("schema");
        let mut at = Location::at(&path, Access::Read).expect("exists");
        let conn = at.reader().expect("reader");
        let tried = conn.execute("INSERT INTO t VALUES (1)", []);
        assert_eq!(
            tried.err().and_then(|e| e.sqlite_error_code()),
            Some(ErrorCode::ReadOnly)
        );
    }

    #[test]
    fn immutable_uris_escape_what_a_uri_reads() {
        assert_eq!(
            immutable_uri(Path::new("/tmp/a b/h?#%.sqlite")),
            "file:/tmp/a%20b/h%3F%23%25.sqlite?immutable=1"
        );
    }

    #[test]
    fn sqlite_errors_name_the_file_and_a_fix() {
        let e = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR_FSYNC),
            None,
        );
        let said = failed(Path::new("/dev/null"), "store", e).to_string();
        assert!(
            said.contains("/dev/null") && said.contains("name another --db"),
            "{said}"
        );
        let other = failed(Path::new("h"), "read", anyhow::anyhow!("already worded"));
        assert_eq!(other.to_string(), "already worded");
    }
}
