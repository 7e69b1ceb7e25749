//! Reports: one emitter per format behind [`Emitter`], and atomic output files.

pub mod json;
pub mod model;
pub mod profile;
pub mod table;

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tempfile::NamedTempFile;

use crate::cli::Format;
use crate::engine::Audit;
pub use model::Model;

/// What an emitter renders from.
pub struct RenderContext<'a> {
    pub audit: &'a Audit,
    pub model: &'a Model,
    /// How many findings (and later deals) table-like formats list.
    pub top: usize,
    /// Whether to use ANSI colour.
    pub color: bool,
    /// Whether to wrap tables to the terminal's width.
    pub terminal: bool,
}

/// One report format.
pub trait Emitter {
    fn emit(&self, ctx: &RenderContext<'_>, out: &mut dyn Write) -> io::Result<()>;
}

/// The emitter for a format: one registration line per format.
pub fn emitter(format: Format) -> Box<dyn Emitter> {
    match format {
        Format::Table => Box::new(table::TableEmitter),
        Format::Json => Box::new(json::JsonEmitter),
    }
}

/// A report file, created (as a temporary file beside its destination) before the audit
/// starts so that a bad path fails at once, and renamed into place only when complete.
pub struct PendingFile {
    pub path: PathBuf,
    temp: NamedTempFile,
}

impl PendingFile {
    pub fn create(path: &Path) -> Result<PendingFile> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if path.is_dir() {
            anyhow::bail!(
                "cannot write report to {}: it is a directory",
                path.display()
            );
        }
        let temp = NamedTempFile::new_in(dir).with_context(|| {
            format!(
                "cannot write report to {}: cannot create a file in {}",
                path.display(),
                dir.display()
            )
        })?;
        Ok(PendingFile {
            path: path.to_path_buf(),
            temp,
        })
    }

    /// Render into the temporary file, then rename it over the destination.
    pub fn write_with(self, render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
        let path = self.path;
        let mut temp = self.temp;
        {
            let mut w = BufWriter::new(temp.as_file_mut());
            render(&mut w).with_context(|| format!("cannot write report to {}", path.display()))?;
            w.flush()
                .with_context(|| format!("cannot write report to {}", path.display()))?;
        }
        temp.as_file()
            .sync_all()
            .with_context(|| format!("cannot write report to {}", path.display()))?;
        temp.persist(&path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write report to {}", path.display()))?;
        Ok(())
    }
}

/// Whether `path` names the same file as any input (reports never overwrite an input).
pub fn is_input(path: &Path, inputs: &[String]) -> bool {
    let Ok(target) = path.canonicalize() else {
        return false;
    };
    inputs
        .iter()
        .filter(|i| *i != "-")
        .filter_map(|i| Path::new(i).canonicalize().ok())
        .any(|p| p == target)
}
