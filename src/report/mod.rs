//! Reports: the one [`Report`] view of an audit, the sections table-like formats share,
//! one emitter per format behind [`Emitter`], escaping per target, and the files reports
//! are written to.

mod escape;
mod json;
mod jsonw;
pub(crate) mod output;
mod pieces;
pub(crate) mod profile;
mod rows;
mod sections;
mod table;
mod view;

use std::io::{self, Write};

use clap::ValueEnum;
use serde::Serialize;

pub(crate) use escape::terminal;
pub use json::SCHEMA;
pub use rows::{
    Amount, BandCounts, CodeRow, DealRef, DealRisk, DealRow, DetectedRow, FieldRow, FindingRow,
    GroupFigures, InputRow, OwnerRow, RulesRow, SeverityCounts, SignalRow, StageRow, Summary,
};
pub use view::Report;

/// A report format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ValueEnum)]
pub enum Format {
    /// The summary and tables, for a terminal (the default on stdout).
    Table,
    /// The full `pipelint.report/1` document.
    Json,
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

/// One report format: renders the view, and only the view.
pub(crate) trait Emitter {
    fn emit(
        &self,
        report: &Report<'_>,
        options: &EmitOptions,
        out: &mut dyn Write,
    ) -> io::Result<()>;
}

impl Format {
    /// The emitter of a format: one registration line per format.
    fn emitter(self) -> &'static dyn Emitter {
        match self {
            Format::Table => &table::TableEmitter,
            Format::Json => &json::JsonEmitter,
        }
    }

    /// The format's name on the command line: `table`, `json`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
        }
    }
}

impl Report<'_> {
    /// Render this report in `format` to `out`.
    pub fn emit(
        &self,
        format: Format,
        options: &EmitOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        format.emitter().emit(self, options, out)
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
    /// Emitters read the report view, never the engine's internals.
    #[test]
    fn emitters_read_only_the_view() {
        for (file, text) in [
            ("report/table.rs", include_str!("table.rs")),
            ("report/json.rs", include_str!("json.rs")),
            ("report/sections.rs", include_str!("sections.rs")),
        ] {
            for internal in ["engine::", "Audit", "deal::", "checks::", "tallies"] {
                assert!(!text.contains(internal), "{file} reaches into {internal}");
            }
        }
    }
}
