//! `-f table` (the default): the summary block and the shared sections drawn for a
//! terminal with comfy-table. Every cell is made safe for a terminal first: control
//! characters from the export are shown escaped, never sent raw, and long cells are cut.

use std::io::{self, Write};

use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table, presets};

use crate::diag::Severity;
use crate::report::formats::escape::terminal;
use crate::report::sections::{self, Section, Span, SummaryBlock, Tone};
use crate::report::view::Report;
use crate::report::{EmitOptions, Emitter};

/// The most characters of one cell a table shows (the JSON keeps cells whole). Wrapping is
/// quadratic in a cell's length, so a 5 MB cell would take minutes to lay out.
const MAX_CELL_CHARS: usize = 300;

pub(crate) struct TableEmitter;

impl Emitter for TableEmitter {
    fn emit(&self, report: &Report<'_>, o: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        write_summary(&sections::summary(report), o, out)?;
        for section in sections::sections(report, o.top) {
            write_section(&section, o, out)?;
        }
        Ok(())
    }
}

pub(crate) fn write_summary(
    block: &SummaryBlock,
    o: &EmitOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "{}", paint(o, &terminal(&block.title), "1"))?;
    for (label, spans) in &block.lines {
        writeln!(out, "  {label:<13} {}", spans_text(o, spans))?;
    }
    Ok(())
}

fn spans_text(o: &EmitOptions, spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| {
            let text = terminal(&s.text);
            match sgr(s.tone) {
                Some(code) => paint(o, &text, code),
                None => text.into_owned(),
            }
        })
        .collect()
}

/// The ANSI colour of a tone, if it has one.
fn sgr(tone: Tone) -> Option<&'static str> {
    match tone {
        Tone::Plain => None,
        Tone::Passed => Some("32"),
        Tone::Failed | Tone::Severity(Severity::Error) => Some("31"),
        Tone::Severity(Severity::Warning) => Some("33"),
        Tone::Severity(Severity::Info) => Some("34"),
    }
}

pub(crate) fn write_section(
    section: &Section,
    o: &EmitOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out)?;
    // Titles and notes carry names from the exports and the quota file too: escaped as
    // the cells are.
    writeln!(out, "{}", paint(o, &terminal(&section.title), "1"))?;
    if section.rows.is_empty() {
        if let Some(empty) = &section.empty {
            writeln!(out, "{}", terminal(empty))?;
        }
        return Ok(());
    }
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners());
    if o.terminal {
        t.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        t.force_no_tty();
    }
    if o.color {
        t.enforce_styling();
    }
    t.set_header(section.columns.iter().map(|c| {
        let cell = Cell::new(c.name);
        if o.color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }));
    for (i, c) in section.columns.iter().enumerate() {
        if let (true, Some(column)) = (c.numeric, t.column_mut(i)) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    for row in &section.rows {
        t.add_row(row.iter().map(|span| {
            let cell = Cell::new(clip(&terminal(&span.text)));
            match (o.color, span.tone) {
                (true, Tone::Severity(s)) => cell.fg(match s {
                    Severity::Error => Color::Red,
                    Severity::Warning => Color::Yellow,
                    Severity::Info => Color::Blue,
                }),
                (true, Tone::Passed) => cell.fg(Color::Green),
                (true, Tone::Failed) => cell.fg(Color::Red),
                _ => cell,
            }
        }));
    }
    writeln!(out, "{t}")?;
    if let Some(more) = &section.more {
        writeln!(out, "{}", terminal(more))?;
    }
    Ok(())
}

/// A cell cut to [`MAX_CELL_CHARS`] characters, marked with `…` when cut.
fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_CELL_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

fn paint(o: &EmitOptions, text: &str, sgr: &str) -> String {
    if o.color {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_are_cut() {
        assert_eq!(clip("abc"), "abc");
        let long = "é".repeat(MAX_CELL_CHARS + 10);
        let cut = clip(&long);
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
