//! Reports: the one [`Report`] view of an audit, the sections table-like formats share,
//! one emitter per format behind [`Emitter`], escaping per target, and the files reports
//! are written to.

pub(crate) mod formats;
pub(crate) mod output;
pub(crate) mod sections;
pub(crate) mod view;

use std::io::{self, Write};

use formats::{
    csv, diff, escape, github, html, json, jsonl, junit, markdown, owners, sarif, table, xlsx,
};
use view::rows;

use clap::ValueEnum;
use serde::Serialize;

pub(crate) use escape::terminal;
/// The first line of every file a directory report writes (see `output::write_files`).
pub(crate) const FILES_MARKER: &str = owners::MARKER;
pub use diff::{DIFF_SCHEMA, DiffFormat};
pub use json::SCHEMA;
pub use rows::{
    Ambiguous, Amount, BandCounts, ChangesRow, CodeRow, CutCellsRow, DealRef, DealRisk, DealRow,
    DealSide, DeltaByCode, DeltaByOwner, DetectedRow, FieldRow, FindingDeltaRow, FindingRow,
    GroupFigures, InputRow, MoveCounts, MovementRow, NotCheckedRow, OwnerRow, PreviousRow,
    QuarterRow, RulesRow, SeverityCounts, SignalRow, SlipRow, StageRow, Summary, UnknownStageRow,
    UnknownStages, WaterfallRow,
};
pub use view::Report;

/// A report format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ValueEnum)]
pub enum Format {
    /// The summary and tables, for a terminal (the default on stdout)
    Table,
    /// The full `pipelint.report/1` document (compact unless on a terminal)
    Json,
    /// One finding per line, with its deal's name, owner and stage (for jq, DuckDB, a warehouse)
    Jsonl,
    /// One finding per row, for a spreadsheet (UTF-8 with BOM, formula-safe)
    Csv,
    /// One deal per row with its completeness and risk, for a spreadsheet
    Deals,
    /// Summary, deals at risk, completeness and findings as GitHub-flavoured Markdown
    Markdown,
    /// One self-contained page with charts and sortable tables, for the pipeline meeting
    Html,
    /// JUnit XML: one suite per file, one case per check (for CI test reports)
    Junit,
    /// SARIF 2.1.0 (for code-scanning dashboards)
    Sarif,
    /// GitHub Actions workflow-command annotations
    Github,
    /// A directory of per-owner action lists (`--report owners=DIR`)
    Owners,
    /// An Excel workbook: summary, every deal and finding, owners, health, a chart (to a file:
    /// `-o FILE.xlsx` or `--report xlsx=FILE.xlsx`)
    Xlsx,
}

/// How a report is rendered beyond its format.
#[derive(Clone, Debug)]
pub struct EmitOptions {
    /// How many deals at risk and findings table-like formats list.
    pub top: usize,
    /// Colour with ANSI escapes (the table).
    pub color: bool,
    /// Output goes to a terminal: wrap tables to its width, pretty-print JSON.
    pub terminal: bool,
    /// Threads that render large reports (0: one per core).
    pub threads: usize,
}

impl Default for EmitOptions {
    fn default() -> Self {
        EmitOptions {
            top: 20,
            color: false,
            terminal: false,
            threads: 0,
        }
    }
}

/// A format that renders the view, and only the view, to one stream.
pub(crate) trait Emitter: Sync {
    fn emit(
        &self,
        report: &Report<'_>,
        options: &EmitOptions,
        out: &mut dyn Write,
    ) -> io::Result<()>;
}

/// A format that renders the view as several files in a directory.
pub(crate) trait FilesEmitter: Sync {
    fn emit(
        &self,
        report: &Report<'_>,
        options: &EmitOptions,
        files: &mut dyn Files,
    ) -> io::Result<()>;
}

/// Where a [`FilesEmitter`] writes: one named file at a time, each complete or not at all.
pub trait Files {
    /// Write the file `name` (a plain file name, no directories) through `render`.
    fn file(
        &mut self,
        name: &str,
        render: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()>;

    /// Whether `name` may be written. A file the report did not write itself is never
    /// replaced: the report picks another name for what it would have written there.
    fn available(&self, name: &str) -> bool {
        let _ = name;
        true
    }

    /// Something the person running the report should know (a name that was taken, files
    /// left out); the command line prints it on standard error.
    fn note(&mut self, text: &str) {
        let _ = text;
    }
}

/// What a format writes: one stream, or files in a directory.
pub(crate) enum Output {
    Stream(&'static dyn Emitter),
    Files(&'static dyn FilesEmitter),
}

impl Format {
    /// The emitter of a format: one registration line per format.
    pub(crate) fn output(self) -> Output {
        match self {
            Format::Table => Output::Stream(&table::TableEmitter),
            Format::Json => Output::Stream(&json::JsonEmitter),
            Format::Jsonl => Output::Stream(&jsonl::JsonlEmitter),
            Format::Csv => Output::Stream(&csv::FindingsCsv),
            Format::Deals => Output::Stream(&csv::DealsCsv),
            Format::Markdown => Output::Stream(&markdown::MarkdownEmitter),
            Format::Html => Output::Stream(&html::HtmlEmitter),
            Format::Junit => Output::Stream(&junit::JunitEmitter),
            Format::Sarif => Output::Stream(&sarif::SarifEmitter),
            Format::Github => Output::Stream(&github::GithubEmitter),
            Format::Owners => Output::Files(&owners::OwnersEmitter),
            Format::Xlsx => Output::Stream(&xlsx::XlsxEmitter),
        }
    }

    /// The format's name on the command line: `table`, `json`, ….
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Deals => "deals",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Owners => "owners",
            Format::Xlsx => "xlsx",
        }
    }

    /// Whether the format writes a directory of files rather than one stream.
    pub fn is_directory(self) -> bool {
        matches!(self.output(), Output::Files(_))
    }
}

impl Report<'_> {
    /// Render this report in `format` to `out`. A format that writes a directory
    /// ([`Format::is_directory`]) is an error here: use [`Report::emit_files`].
    pub fn emit(
        &self,
        format: Format,
        options: &EmitOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        match format.output() {
            Output::Stream(emitter) => emitter.emit(self, options, out),
            Output::Files(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "the {} format writes a directory, not a stream",
                    format.name()
                ),
            )),
        }
    }

    /// Render this report in a format that writes a directory, one file at a time.
    pub fn emit_files(
        &self,
        format: Format,
        options: &EmitOptions,
        files: &mut dyn Files,
    ) -> io::Result<()> {
        match format.output() {
            Output::Files(emitter) => emitter.emit(self, options, files),
            Output::Stream(emitter) => {
                let name = format!("report.{}", format.name());
                files.file(&name, &mut |out| emitter.emit(self, options, out))
            }
        }
    }
}

/// This program, as every JSON document names it.
#[derive(Serialize)]
pub(crate) struct Tool {
    name: &'static str,
    version: &'static str,
}

impl Tool {
    pub(crate) fn this() -> Tool {
        Tool {
            name: "pipelint",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[cfg(test)]
mod tests {
    /// Emitters and the sections they share read the report view, never the engine's
    /// internals: every file under `formats/` and `sections/`.
    #[test]
    fn emitters_read_only_the_view() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report");
        let mut read = 0;
        for dir in ["formats", "sections"] {
            // Every file, in subdirectories too (a format split into a module directory).
            let mut paths = Vec::new();
            let mut dirs = vec![root.join(dir)];
            while let Some(d) = dirs.pop() {
                for entry in std::fs::read_dir(&d).expect("report directory").flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        dirs.push(path);
                    } else {
                        paths.push(path);
                    }
                }
            }
            for path in paths {
                let text = std::fs::read_to_string(&path).expect("source file");
                let code = text.split("#[cfg(test)]").next().unwrap_or("");
                for internal in [
                    "crate::engine",
                    "crate::audit",
                    "Audit",
                    "crate::deal",
                    "crate::checks",
                    "tallies",
                ] {
                    assert!(
                        !code.contains(internal),
                        "{} reaches into {internal}",
                        path.display()
                    );
                }
                read += 1;
            }
        }
        assert!(read >= 20, "only {read} files read");
    }

    /// The view reads: the gate is decided and the health figures computed before it is
    /// built (`Audit::report` in session.rs), never inside it.
    #[test]
    fn the_view_decides_and_computes_nothing() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report/view");
        let entries = std::fs::read_dir(&root).expect("report/view");
        for entry in entries.flatten() {
            let path = entry.path();
            let text = std::fs::read_to_string(&path).expect("source file");
            for call in ["gate::evaluate", "health::compute"] {
                assert!(!text.contains(call), "{} calls {call}", path.display());
            }
        }
    }
}
