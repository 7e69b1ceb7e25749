//! The files a run reads or keeps — its exports, the previous snapshot, the rules file, the
//! history database, the quota file, the owners lookup — and how two paths are found to be
//! one file.
//!
//! No report may replace a kept file, under whatever name reaches it: a relative path, `./`,
//! a symlink or a hard link (files are compared by device and inode). And the history
//! database, which the run writes, may not be one of the other kept files, since opening it
//! would turn that file into a database. `AuditRequest::kept` builds the one list, from the
//! very request that reads the files, so no command can check a list of its own that misses
//! one.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// What a kept file is to the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Export,
    Previous,
    Rules,
    History,
    Quota,
    /// `[input] owners` of the rules file.
    Owners,
    /// The team file of `act` (`[team] file` or `--team`).
    Team,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Export => "the export",
            Role::Previous => "the previous snapshot",
            Role::Rules => "the rules file",
            Role::History => "the history database",
            Role::Quota => "the quota file",
            Role::Owners => "the owners lookup file",
            Role::Team => "the team file",
        }
    }
}

/// The files a run reads or keeps, as the user named them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Kept {
    files: Vec<(PathBuf, Role)>,
}

impl Kept {
    /// Keep `path` (standard input, `-`, is no file to keep).
    pub(crate) fn add(&mut self, path: &Path, role: Role) {
        if path.as_os_str() != "-" {
            self.files.push((path.to_path_buf(), role));
        }
    }

    /// The kept file `path` names, in words for a message (`the history database h.sqlite`).
    pub(crate) fn holding(&self, path: &Path) -> Option<String> {
        self.files
            .iter()
            .find(|(kept, _)| same_file(kept, path))
            .map(|(kept, role)| format!("{} {}", role.name(), kept.display()))
    }

    /// Refuse a history database that is another kept file (`--db rules.toml`): opening it
    /// would write a database over that file.
    pub(crate) fn check_history(&self) -> Result<()> {
        let dbs = self.files.iter().filter(|(_, role)| *role == Role::History);
        for (db, _) in dbs {
            let other = self
                .files
                .iter()
                .find(|(p, role)| *role != Role::History && same_file(p, db));
            if let Some((p, role)) = other {
                bail!(
                    "refusing to use {} as the history database: it is {} {}, which this run reads; name another history file",
                    db.display(),
                    role.name(),
                    p.display()
                );
            }
        }
        Ok(())
    }

    /// The device and inode of every kept file that exists.
    pub(crate) fn identities(&self) -> Vec<(u64, u64)> {
        self.files.iter().filter_map(|(p, _)| identity(p)).collect()
    }
}

/// The device and inode of what `path` names (following symlinks), if it exists.
#[cfg(unix)]
pub(crate) fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
pub(crate) fn identity(path: &Path) -> Option<(u64, u64)> {
    let _ = path;
    None
}

/// Whether two paths name the same existing file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (identity(a), identity(b)) {
        (Some(x), Some(y)) => x == y,
        _ => match (fs::canonicalize(a), fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        },
    }
}

/// The path a chain of symlinks ends at, followed even where that file does not exist yet
/// (a dangling link names the file to create).
pub(crate) fn link_target(path: &Path) -> io::Result<PathBuf> {
    // Linux gives up after 40 links; so does this.
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&path)?;
                // A relative link is relative to its own directory; joining an absolute
                // target replaces the directory.
                path = match path.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// A path made absolute with its directory and its links resolved, to compare targets that
/// do not exist yet.
pub(crate) fn normalised(path: &Path) -> PathBuf {
    if let Ok(p) = fs::canonicalize(path) {
        return p;
    }
    let path = link_target(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (fs::canonicalize(dir), path.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_file_is_found_under_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("h.sqlite");
        fs::write(&db, "").unwrap();
        let mut kept = Kept::default();
        kept.add(Path::new("-"), Role::Export);
        kept.add(&db, Role::History);
        let hard = dir.path().join("hard.sqlite");
        fs::hard_link(&db, &hard).unwrap();
        assert_eq!(
            kept.holding(&hard),
            Some(format!("the history database {}", db.display()))
        );
        assert_eq!(kept.holding(Path::new("-")), None);
        assert_eq!(kept.holding(&dir.path().join("other")), None);
        assert!(kept.check_history().is_ok());
        kept.add(&hard, Role::Rules);
        let err = kept.check_history().map_err(|e| e.to_string());
        assert!(err.is_err_and(|e| e.contains("it is the rules file")));
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_names_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("latest.json");
        std::os::unix::fs::symlink("reports/new.json", &link).unwrap();
        assert_eq!(
            link_target(&link).unwrap(),
            dir.path().join("reports/new.json")
        );
        let looped = dir.path().join("loop");
        std::os::unix::fs::symlink("loop", &looped).unwrap();
        assert!(link_target(&looped).is_err());
    }
}
