//! `-f markdown`: the summary, the gate, the deals at risk, completeness and the findings
//! as GitHub-flavoured Markdown, to paste into Slack or a pull request or a wiki. The same
//! sections as the terminal table (`sections.rs`), every cell escaped for Markdown. It
//! stays under 65,000 characters (a GitHub comment's limit): when it would not, rows are
//! left out, and it says how many.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::report::formats::escape::markdown as md;
use crate::report::sections::{self, Section, Span, SummaryBlock, Tone};
use crate::report::view::Report;
use crate::report::{EmitOptions, Emitter};

/// A GitHub comment's limit is 65,536 characters; the document stays under this, its
/// closing note included.
pub(crate) const LIMIT: usize = 65_000;

/// Room kept for the note that says what was left out.
const NOTE_ROOM: usize = 200;

pub(crate) struct MarkdownEmitter;

impl Emitter for MarkdownEmitter {
    fn emit(&self, report: &Report<'_>, o: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(render(report, o.top).as_bytes())
    }
}

/// The whole document.
pub(crate) fn render(report: &Report<'_>, top: usize) -> String {
    render_with(&sections::summary(report), sections::sections(report, top))
}

/// A summary block and sections as one document, under the same limit.
pub(crate) fn render_with(summary: &SummaryBlock, sections: Vec<Section>) -> String {
    let mut doc = Doc::default();
    doc.push(&format!("## {}\n\n", md(&summary.title)));
    doc.push("| | |\n|---|---|\n");
    for (label, spans) in &summary.lines {
        doc.push(&format!("| **{label}** | {} |\n", spans_md(spans)));
    }
    for section in sections {
        write_section(&mut doc, &section);
    }
    doc.finish()
}

/// The document so far, its length in characters, and the rows it had to leave out.
#[derive(Default)]
struct Doc {
    text: String,
    chars: usize,
    left_out: usize,
}

impl Doc {
    /// Append `part` if it fits, else count it as left out.
    fn push(&mut self, part: &str) -> bool {
        let n = part.chars().count();
        if self.chars + n > LIMIT - NOTE_ROOM {
            return false;
        }
        self.text.push_str(part);
        self.chars += n;
        true
    }

    fn finish(mut self) -> String {
        if self.left_out > 0 {
            let _ = write!(
                self.text,
                "\n… and {} more rows left out to stay under {LIMIT} characters (the full report: `-f json` or `-f html`)\n",
                self.left_out
            );
        }
        self.text
    }
}

fn write_section(doc: &mut Doc, section: &Section) {
    let mut head = format!("\n### {}\n\n", md(&section.title));
    if section.rows.is_empty() {
        if let Some(empty) = &section.empty {
            let _ = writeln!(head, "{}", md(empty));
        }
        if !doc.push(&head) {
            doc.left_out += 1;
        }
        return;
    }
    let names: Vec<String> = section
        .columns
        .iter()
        .map(|c| md(c.name).into_owned())
        .collect();
    let align: Vec<&str> = section
        .columns
        .iter()
        .map(|c| if c.numeric { "---:" } else { "---" })
        .collect();
    let _ = write!(head, "| {} |\n|{}|\n", names.join(" | "), align.join("|"));
    if !doc.push(&head) {
        doc.left_out += section.rows.len();
        return;
    }
    for (i, row) in section.rows.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(span_md).collect();
        if !doc.push(&format!("| {} |\n", cells.join(" | "))) {
            doc.left_out += section.rows.len() - i;
            return;
        }
    }
    if let Some(more) = &section.more {
        if !doc.push(&format!("\n{}\n", md(more))) {
            doc.left_out += 1;
        }
    }
}

fn span_md(span: &Span) -> String {
    let text = md(&span.text);
    match span.tone {
        Tone::Failed => format!("**{text}**"),
        Tone::Passed => format!("**{text}**"),
        _ => text.into_owned(),
    }
}

fn spans_md(spans: &[Span]) -> String {
    spans.iter().map(span_md).collect()
}
