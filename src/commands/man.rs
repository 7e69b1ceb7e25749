//! `pipelint man [--dir DIR]`: the manual pages, made from the same clap definitions as
//! `--help` (clap_mangen), so they cannot drift from the program: `pipelint(1)` on standard
//! output, or every page (`pipelint.1`, `pipelint-audit.1`, `pipelint-history-add.1`, …)
//! into DIR. `docs/man/` holds them as generated; `tests/docs_current.rs` checks they are
//! current.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::CommandFactory;

use super::{EXIT_PASS, stdout};
use crate::cli::Cli;

pub(crate) fn run(dir: Option<&Path>) -> Result<u8> {
    let pages = pages()?;
    match dir {
        None => {
            let top = pages.first().map(|(_, p)| p.as_slice()).unwrap_or_default();
            stdout(|w| w.write_all(top))?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the directory {}", dir.display()))?;
            for (name, page) in &pages {
                write_page(&dir.join(name), page)?;
            }
        }
    }
    Ok(EXIT_PASS)
}

/// Every page, the program's first, then each subcommand's depth first, by name
/// (`pipelint-history-add.1`), the help subcommand left out.
pub(crate) fn pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    add(&cmd, "pipelint", &mut out)?;
    Ok(out)
}

fn add(cmd: &clap::Command, name: &str, out: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone().name(name.to_string()))
        .section("1")
        .manual("pipelint manual")
        .source(concat!("pipelint ", env!("CARGO_PKG_VERSION")))
        .render(&mut page)
        .with_context(|| format!("cannot render the manual page of {name}"))?;
    out.push((format!("{name}.1"), page));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        add(sub, &format!("{name}-{}", sub.get_name()), out)?;
    }
    Ok(())
}

/// A page written whole (a temporary file renamed over it), never over something that is
/// not a regular file.
fn write_page(path: &Path, page: &[u8]) -> Result<()> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.is_file() {
            bail!(
                "{} exists and is not a regular file: name another directory",
                path.display()
            );
        }
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(page)?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
