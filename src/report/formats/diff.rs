//! `pipelint diff OLD NEW`: only the change view, for a terminal, as Markdown, or as the
//! `pipelint.diff/1` JSON document (the same `previous` and `changes` blocks as the audit
//! report's, with the change findings).

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::report::sections::changes as change_sections;
use crate::report::sections::{self, SummaryBlock, finding_list};
use crate::report::view::Report;
use crate::report::{EmitOptions, Tool, formats::markdown, formats::table};
use crate::words::thousands;

/// The version of the diff document's shape.
pub const DIFF_SCHEMA: &str = "pipelint.diff/1";

/// How `diff` shows the change view (`diff -f`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// The change view for a terminal
    Table,
    /// `pipelint.diff/1`: the change view's figures, every movement, the CHG findings
    Json,
    /// The change view as GitHub-flavoured Markdown
    Markdown,
}

/// The summary: which two snapshots, as of when, with which rules, how much changed.
fn summary(report: &Report<'_>) -> SummaryBlock {
    let full = sections::summary(report);
    let now: Vec<&str> = report.inputs().iter().map(|i| i.path).collect();
    let title = match report.previous() {
        Some(p) => format!("pipelint diff: {} → {}", p.input.path, now.join(", ")),
        None => format!("pipelint diff: {}", now.join(", ")),
    };
    let mut lines: Vec<_> = full
        .lines
        .into_iter()
        .filter(|(label, _)| matches!(*label, "Rules" | "As of" | "Previous"))
        .collect();
    let (_, count) = report.change_findings();
    lines.push((
        "Changes",
        vec![sections::Span::plain(format!(
            "{} deal{} moved; {} change finding{}",
            thousands(report.movement_count() as u64),
            crate::words::plural(report.movement_count() as u64),
            thousands(count as u64),
            crate::words::plural(count as u64)
        ))],
    ));
    SummaryBlock { title, lines }
}

fn all_sections(report: &Report<'_>, top: usize) -> Vec<sections::Section> {
    let mut out = change_sections::sections(report, top);
    let (findings, count) = report.change_findings();
    out.extend(finding_list(
        report,
        findings,
        count,
        top,
        "Change findings",
    ));
    out
}

impl Report<'_> {
    /// Render only the change view (what `pipelint diff` prints).
    pub fn emit_diff(
        &self,
        format: DiffFormat,
        options: &EmitOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        match format {
            DiffFormat::Table => {
                table::write_summary(&summary(self), options, out)?;
                for section in all_sections(self, options.top) {
                    table::write_section(&section, options, out)?;
                }
                Ok(())
            }
            DiffFormat::Markdown => out.write_all(
                markdown::render_with(&summary(self), all_sections(self, options.top)).as_bytes(),
            ),
            DiffFormat::Json => {
                let doc = DiffDocument(self);
                if options.terminal {
                    serde_json::to_writer_pretty(&mut *out, &doc)?;
                } else {
                    serde_json::to_writer(&mut *out, &doc)?;
                }
                out.write_all(b"\n")
            }
        }
    }
}

/// `{schema, tool, as_of, rules, inputs, previous, changes, findings}`: the change findings
/// only, streamed.
struct DiffDocument<'r, 'a>(&'r Report<'a>);

impl Serialize for DiffDocument<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("schema", DIFF_SCHEMA)?;
        map.serialize_entry("tool", &Tool::this())?;
        map.serialize_entry("as_of", &report.as_of().to_string())?;
        map.serialize_entry("rules", report.rules())?;
        map.serialize_entry("inputs", report.inputs())?;
        map.serialize_entry("previous", &report.previous())?;
        map.serialize_entry("changes", &crate::report::formats::json::Changes(report))?;
        map.serialize_entry("findings", &ChangeFindings(report))?;
        map.end()
    }
}

struct ChangeFindings<'r, 'a>(&'r Report<'a>);

impl Serialize for ChangeFindings<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (findings, count) = self.0.change_findings();
        s.collect_seq(findings.take(count))
    }
}
