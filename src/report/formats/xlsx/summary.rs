//! The workbook's Summary sheet: the headline lines, what could not be judged, the
//! sections in words and findings by code.

use super::*;

/// The Summary: the headline lines every format shows (what could not be judged among
/// them), what the workbook left out, the forecast call and coverage in the words every
/// format uses, findings by code, and the owner chart.
pub(super) fn summary_sheet(
    ws: &mut Worksheet,
    report: &Report<'_>,
    notes: &[String],
    chart: Option<&OwnerChart>,
    st: &Styles,
    cells: &mut Cells,
) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    let tables = sections::health::first(report);
    for (col, width) in summary_widths(&tables, report).into_iter().enumerate() {
        ws.set_column_width(col as u16, width)?;
    }
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    let block = sections::summary(report);
    cells.text(ws, 0, 0, "Pipeline audit", Some(&st.title))?;
    cells.text(ws, 1, 0, &block.title, Some(&st.note))?;
    let mut row = 3;
    for (label, spans) in &block.lines {
        row = summary_line(ws, row, label, spans, st, cells)?;
    }
    if cells.cut > 0 {
        let words = format!(
            "{} cell{} longer than {} characters cut to fit, each marked \"cut by pipelint\"",
            thousands(cells.cut),
            plural(cells.cut),
            thousands(cells.limits.cell as u64)
        );
        row = summary_line(ws, row, "Workbook", &[Span::plain(words)], st, cells)?;
    }
    for note in notes {
        row = summary_line(ws, row, "Left out", &[Span::plain(note.clone())], st, cells)?;
    }
    row += 1;
    for section in &tables {
        row = section_table(ws, row, section, st, cells)? + 1;
    }
    row = by_code(ws, row, report, st, cells)? + 1;
    if let Some(c) = chart {
        ws.insert_chart(row, 0, &owner_chart(c))?;
    }
    Ok(())
}

/// The Summary's column widths: each as wide as the widest cell of its tables (from 10 to
/// 50 characters; 14, the headline's labels, at least).
pub(super) fn summary_widths(tables: &[Section], report: &Report<'_>) -> Vec<f64> {
    let mut widths = vec![14usize; 8];
    let mut fit = |col: usize, text: &str| {
        if let Some(w) = widths.get_mut(col) {
            *w = (*w).max(text.chars().count() + 2);
        }
    };
    for t in tables {
        for (c, column) in t.columns.iter().enumerate() {
            fit(c, column.name);
        }
        for row in &t.rows {
            for (c, span) in row.iter().enumerate() {
                fit(c, &span.text);
            }
        }
    }
    for code in report.by_code() {
        fit(4, code.summary);
    }
    widths.into_iter().map(|w| w.min(50) as f64).collect()
}

/// One labelled headline line; returns the next row.
pub(super) fn summary_line(
    ws: &mut Worksheet,
    row: u32,
    label: &str,
    spans: &[Span],
    st: &Styles,
    cells: &mut Cells,
) -> Result<u32, XlsxError> {
    cells.text(ws, row, 0, label, Some(&st.label))?;
    let text: String = spans.iter().map(|s| s.text.as_str()).collect();
    let style = spans.iter().find_map(|s| st.tone(s.tone));
    cells.text(ws, row, 1, &text, style)?;
    Ok(row + 1)
}

/// A shared section as a table of its words: title, column names, rows (or what it says
/// when it has none), then what it says of rows it left out. Returns the next free row.
pub(super) fn section_table(
    ws: &mut Worksheet,
    row: u32,
    section: &Section,
    st: &Styles,
    cells: &mut Cells,
) -> Result<u32, XlsxError> {
    cells.text(ws, row, 0, &section.title, Some(&st.heading))?;
    let mut r = row + 1;
    if section.rows.is_empty() {
        if let Some(empty) = &section.empty {
            cells.text(ws, r, 0, empty, Some(&st.note))?;
            r += 1;
        }
    } else {
        for (c, column) in section.columns.iter().enumerate() {
            let style = if column.numeric {
                &st.header_right
            } else {
                &st.header
            };
            cells.text(ws, r, c as u16, column.name, Some(style))?;
        }
        r += 1;
        for spans in &section.rows {
            for (c, (column, span)) in section.columns.iter().zip(spans).enumerate() {
                let style = st.tone(span.tone).or(column.numeric.then_some(&st.right));
                cells.text(ws, r, c as u16, &span.text, style)?;
            }
            r += 1;
        }
    }
    if let Some(more) = &section.more {
        cells.text(ws, r, 0, more, Some(&st.note))?;
        r += 1;
    }
    Ok(r)
}

/// Findings by code: how many, of which severities, and what the check is.
pub(super) fn by_code(
    ws: &mut Worksheet,
    row: u32,
    report: &Report<'_>,
    st: &Styles,
    cells: &mut Cells,
) -> Result<u32, XlsxError> {
    let codes = report.by_code();
    cells.text(ws, row, 0, "Findings by code", Some(&st.heading))?;
    if codes.is_empty() {
        cells.text(ws, row + 1, 0, "No findings.", Some(&st.note))?;
        return Ok(row + 2);
    }
    for (c, name) in ["Code", "Errors", "Warnings", "Info", "Check"]
        .iter()
        .enumerate()
    {
        let style = if (1..4).contains(&c) {
            &st.header_right
        } else {
            &st.header
        };
        cells.text(ws, row + 1, c as u16, name, Some(style))?;
    }
    let mut r = row + 2;
    for code in codes {
        let s = &code.severities;
        cells.text(ws, r, 0, code.code.as_str(), None)?;
        for (k, n) in [s.error, s.warning, s.info].into_iter().enumerate() {
            ws.write_number_with_format(r, 1 + k as u16, n as f64, &st.count)?;
        }
        cells.text(ws, r, 4, code.summary, Some(&st.cell))?;
        r += 1;
    }
    Ok(r)
}
