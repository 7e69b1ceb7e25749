//! `pipelint profile`: what is in a file, as a table or as JSON (`pipelint.profile/1`).

use std::io::{self, Write};

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};
use serde::Serialize;

use crate::infer::{ColumnStats, FileProfile, ValueType};
use crate::report::Tool;
use crate::report::formats::escape::terminal;
use crate::score::round1;
use crate::values::DecimalMark;
use crate::words::{delimiter_name, plural, thousands};

pub(crate) const SCHEMA: &str = "pipelint.profile/1";

/// How a profile is shown.
pub(crate) struct ProfileView<'a> {
    pub(crate) profile: &'a FileProfile,
    /// The preset the header fits, in words, if any.
    pub(crate) preset: Option<String>,
    /// Top values listed per column.
    pub(crate) top: usize,
    /// Wrap the table to the terminal's width.
    pub(crate) terminal: bool,
}

/// One column, as both formats show it.
#[derive(Serialize)]
struct ColumnView<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    /// The date format its values are written in (date columns).
    date_format: Option<&'static str>,
    /// The day/month-swapped format reads every value too: the order is assumed.
    date_format_ambiguous_with: Option<&'static str>,
    /// Probability-like numbers all within 0–1 (HubSpot writes 0.4 for 40%).
    fraction: bool,
    rows: u64,
    filled: u64,
    empty: u64,
    placeholders: Vec<ValueCount<'a>>,
    fill_rate: f64,
    distinct: usize,
    /// More distinct values than pipelint counts exactly: `distinct` is a lower bound.
    distinct_capped: bool,
    top: Vec<ValueCount<'a>>,
    min: Option<f64>,
    max: Option<f64>,
    longest: usize,
}

#[derive(Serialize)]
struct ValueCount<'a> {
    value: &'a str,
    count: u64,
}

#[derive(Serialize)]
struct ProfileJson<'a> {
    schema: &'static str,
    tool: Tool,
    file: FileJson<'a>,
    columns: Vec<ColumnView<'a>>,
}

#[derive(Serialize)]
struct FileJson<'a> {
    path: &'a str,
    encoding: &'static str,
    delimiter: String,
    decimal: &'static str,
    records: u64,
    malformed: u64,
    first_malformed_line: Option<u64>,
    skipped: u64,
    /// Cells longer than the 64 kB a cell keeps, cut to it (listed only when there are some).
    #[serde(skip_serializing_if = "Option::is_none")]
    cut_cells: Option<CutCells>,
    /// Read as a database dump (IN008), listed only then.
    #[serde(skip_serializing_if = "Option::is_none")]
    database_dump: Option<DumpJson>,
    /// The first row is a deal, not a header (IN007): the columns are named `column_1`, …;
    /// listed only then.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    no_header_row: bool,
    preset: Option<&'a str>,
}

#[derive(Serialize)]
struct DumpJson {
    null_cells: u64,
    escaped_quotes: u64,
}

#[derive(Serialize)]
struct CutCells {
    count: u64,
    first_line: u64,
    first_column: u32,
}

fn column_view(c: &ColumnStats, top: usize) -> ColumnView<'_> {
    let kind = c.kind();
    let verdict = c.date_verdict();
    let mut placeholders: Vec<ValueCount<'_>> = c
        .placeholders
        .iter()
        .map(|(v, n)| ValueCount {
            value: v.as_str(),
            count: *n,
        })
        .collect();
    placeholders.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(b.value)));
    let numeric = kind.is_numeric();
    ColumnView {
        name: &c.name,
        kind: kind.as_str(),
        date_format: verdict.as_ref().map(|v| v.format),
        date_format_ambiguous_with: verdict.as_ref().and_then(|v| v.ambiguous_with),
        fraction: numeric && c.numbers.looks_fractional(),
        rows: c.rows,
        filled: c.filled,
        empty: c.empty,
        placeholders,
        fill_rate: round1(c.fill_rate() * 100.0),
        distinct: c.distinct(),
        distinct_capped: c.distinct_overflow,
        top: c
            .top(top)
            .into_iter()
            .map(|(value, count)| ValueCount { value, count })
            .collect(),
        min: if numeric { c.numbers.min } else { None },
        max: if numeric { c.numbers.max } else { None },
        longest: c.longest,
    }
}

fn decimal_name(p: &FileProfile) -> &'static str {
    match p.decimal() {
        DecimalMark::Point => ".",
        DecimalMark::Comma => ",",
    }
}

pub(crate) fn write_json(view: &ProfileView<'_>, out: &mut dyn Write) -> io::Result<()> {
    let p = view.profile;
    let doc = ProfileJson {
        schema: SCHEMA,
        tool: Tool::this(),
        file: FileJson {
            path: &p.name,
            encoding: p.encoding,
            delimiter: delimiter_name(p.delimiter),
            decimal: decimal_name(p),
            records: p.records,
            malformed: p.malformed,
            first_malformed_line: p.first_malformed,
            skipped: p.skipped,
            cut_cells: p.first_cut.map(|(line, column)| CutCells {
                count: p.cut_cells,
                first_line: line,
                first_column: column,
            }),
            database_dump: p.dump.map(|d| DumpJson {
                null_cells: d.nulls,
                escaped_quotes: d.escaped_quotes,
            }),
            no_header_row: p.named_columns,
            preset: view.preset.as_deref(),
        },
        columns: p.columns.iter().map(|c| column_view(c, view.top)).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

/// A value cut to `max` characters for a table cell, control characters escaped.
fn clip(s: &str, max: usize) -> String {
    let s = terminal(s);
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(max.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

/// The file's lines above the column table: encoding, dialect, delimiter, decimal mark,
/// records, columns and preset.
fn file_lines(view: &ProfileView<'_>) -> Vec<(&'static str, String)> {
    let p = view.profile;
    let mut records = thousands(p.records);
    if p.malformed > 0 {
        records.push_str(&format!(
            " ({} malformed, first on line {})",
            thousands(p.malformed),
            p.first_malformed.unwrap_or(0)
        ));
    }
    if p.skipped > 0 {
        records.push_str(&format!(
            "; {} report row{} skipped (footer, totals)",
            thousands(p.skipped),
            plural(p.skipped)
        ));
    }
    if let Some((line, column)) = p.first_cut {
        records.push_str(&format!(
            "; {} cell{} longer than 64 kB cut to it, marked \"cut by pipelint\" (first: line \
             {line}, column {column})",
            thousands(p.cut_cells),
            plural(p.cut_cells)
        ));
    }
    let mut columns = format!("{} (header on line {})", p.columns.len(), p.header_line);
    if p.named_columns {
        columns = format!(
            "{} (no header row: the first row is a deal, IN007; named column_1 to column_{} \
             here, name them with [input] header)",
            p.columns.len(),
            p.columns.len()
        );
    }
    let mut lines = vec![
        ("Encoding", p.encoding.to_string()),
        ("Delimiter", delimiter_name(p.delimiter)),
        ("Decimal mark", decimal_name(p).to_string()),
        ("Records", records),
        ("Columns", columns),
        (
            "Preset",
            view.preset.as_deref().map_or_else(
                || "none fits; draft rules with `pipelint init --from`".into(),
                |p| terminal(p).into_owned(),
            ),
        ),
    ];
    if let Some(d) = p.dump {
        lines.insert(1, ("Dialect", format!("{} (IN008)", d.words())));
    }
    lines
}

pub(crate) fn write_table(view: &ProfileView<'_>, out: &mut dyn Write) -> io::Result<()> {
    let p = view.profile;
    writeln!(out, "pipelint profile: {}", terminal(&p.name))?;
    let lines = file_lines(view);
    for (label, value) in lines {
        writeln!(out, "  {label:<13} {value}")?;
    }
    writeln!(out)?;
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners());
    if view.terminal {
        t.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        t.force_no_tty();
    }
    t.set_header(vec![
        "Column",
        "Type",
        "Format",
        "Filled",
        "Empty",
        "Placeholders",
        "Distinct",
        "Top values",
    ]);
    for i in [3, 4, 6] {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    for c in &p.columns {
        let v = column_view(c, view.top);
        let mut kind = v.kind.to_string();
        if v.fraction {
            kind.push_str(" (0–1)");
        }
        let format = match (v.date_format, v.date_format_ambiguous_with) {
            (Some(f), Some(_)) => format!("{f}?"),
            (Some(f), None) => f.to_string(),
            (None, _) => String::new(),
        };
        let filled = if c.rows == 0 {
            "-".to_string()
        } else {
            format!("{:.1}%", c.fill_rate() * 100.0)
        };
        let placeholders = v
            .placeholders
            .iter()
            .map(|p| format!("{} {}", clip(p.value, 20), thousands(p.count)))
            .collect::<Vec<_>>()
            .join(", ");
        let distinct = if v.distinct_capped {
            format!("{}+", thousands(v.distinct as u64))
        } else {
            thousands(v.distinct as u64)
        };
        let top = if v.top.first().is_some_and(|t| t.count == 1) && v.distinct > 1 {
            "each value once".to_string()
        } else {
            v.top
                .iter()
                .map(|t| format!("{} ({})", clip(t.value, 24), thousands(t.count)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        t.add_row(vec![
            clip(&c.name, 32),
            kind,
            format,
            filled,
            thousands(c.empty),
            placeholders,
            distinct,
            top,
        ]);
    }
    writeln!(out, "{t}")?;
    let ambiguous: Vec<&str> = p
        .columns
        .iter()
        .filter(|c| c.date_verdict().is_some_and(|v| v.ambiguous_with.is_some()))
        .map(|c| c.name.as_str())
        .collect();
    if !ambiguous.is_empty() {
        writeln!(
            out,
            "? no value of {} has a day above 12, so day-first and month-first both read it; the format shown is assumed",
            terminal(&ambiguous.join(", "))
        )?;
    }
    if p.columns.iter().any(|c| c.kind() == ValueType::Empty) && p.records > 0 {
        let empty: Vec<&str> = p
            .columns
            .iter()
            .filter(|c| c.kind() == ValueType::Empty)
            .map(|c| c.name.as_str())
            .collect();
        writeln!(
            out,
            "{} column{} hold{} no values: {}",
            empty.len(),
            plural(empty.len()),
            if empty.len() == 1 { "s" } else { "" },
            clip(&empty.join(", "), 400)
        )?;
    }
    Ok(())
}
