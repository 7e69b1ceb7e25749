//! `-f xlsx`: an Excel workbook for the pipeline meeting, to a file only (`-o FILE.xlsx` or
//! `--report xlsx=FILE.xlsx`). Its sheets: Summary (the headline lines every format shows,
//! what could not be judged, the forecast call and coverage in words, findings by code, and
//! a native chart of open and at-risk amount by owner), Deals (every deal with its
//! completeness and risk, as `-f deals` lists them), Findings (every finding, as `-f csv`),
//! Owners, What changed (with `--previous` or `--history`) and Health (the forecast call,
//! win rate and coverage in figures).
//!
//! Safe to open: text from the export is only ever written as a string cell, never as a
//! formula (`=HYPERLINK(…)` stays text), shown as XML can hold it (control characters as
//! escapes, as `escape::xml` shows them), and cut to the 32,767 characters a cell holds with
//! a marker saying so. Amounts are numbers in their currency's number format, close dates
//! are dates, lines and scores are numbers. A sheet holds 1,048,576 rows: deals, findings or
//! movements beyond that are left out, and the sheet's last row and the Summary say how
//! many.
//!
//! Deals, findings and movements go to constant-memory sheets (each row is streamed to a
//! temporary file once the next begins), and the zipped workbook to a temporary file before
//! it is copied out, so a million-row export stays within bounded memory. The same input
//! writes the same bytes: the document's creation time is the as-of, never the clock.

use std::io::{self, Seek, Write};

use chrono::NaiveDate;
use rust_xlsxwriter::{
    Chart, ChartAxisCrossing, ChartFormat, ChartLegendPosition, ChartSolidFill, ChartType, Color,
    ConditionalFormatCell, ConditionalFormatCellRule, DocProperties, Format as Style, FormatAlign,
    FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::report::formats::escape;
use crate::report::sections::amount_words::amount_of;
use crate::report::sections::{self, Section, Span, Tone};
use crate::report::view::Report;
use crate::report::view::rows::{Amount, ChangesRow, DealRow, FindingRow, MovementRow, OwnerRow};
use crate::report::{EmitOptions, Emitter};
use crate::words::{plural, thousands};

mod changes;
mod health;
mod long;
mod owners;
mod summary;

use changes::*;
use health::*;
use long::*;
use owners::*;
use summary::*;

pub(crate) struct XlsxEmitter;

impl Emitter for XlsxEmitter {
    fn emit(&self, report: &Report<'_>, o: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        let mut book = workbook(report, o.top.max(LISTED), EXCEL).map_err(xlsx_error)?;
        // A zip is written with seeks: to a temporary file, then copied out.
        let mut zip = tempfile::tempfile()?;
        book.save_to_writer(&mut zip).map_err(xlsx_error)?;
        zip.rewind()?;
        io::copy(&mut zip, out)?;
        Ok(())
    }
}

/// What a workbook holds at most: Excel's limits (smaller in tests, to reach them).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Rows a worksheet holds.
    pub(crate) rows: u32,
    /// UTF-16 code units a cell holds (what Excel counts as characters).
    pub(crate) cell: usize,
}

const EXCEL: Limits = Limits {
    rows: 1_048_576,
    cell: 32_767,
};

/// The rows the history sections and per-owner health tables list at most (as the HTML
/// page); `--top` may ask for more.
const LISTED: usize = 10_000;

/// Owners charted (the largest open amounts).
const CHARTED_OWNERS: usize = 20;

/// Currencies the Owners sheet gives columns of figures; amounts in more are in words.
const OWNER_CURRENCIES: usize = 6;

fn xlsx_error(e: XlsxError) -> io::Error {
    match e {
        XlsxError::IoError(e) => e,
        other => io::Error::other(format!("cannot write the workbook: {other}")),
    }
}

/// The whole workbook, its sheets in order. The big sheets are written first, so that the
/// Summary can say what they left out; the Summary is still the first sheet.
pub(crate) fn workbook(
    report: &Report<'_>,
    top: usize,
    limits: Limits,
) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    // Constant-memory sheets stream their rows to temporary files: a temporary directory
    // that cannot be written is an error here rather than a failure later.
    book.set_tempdir(std::env::temp_dir())?;
    let as_of = report.as_of();
    book.set_properties(
        &DocProperties::new()
            .set_title(sections::summary(report).title)
            .set_author("pipelint")
            .set_creation_datetime(&as_of),
    );
    let styles = Styles::new();
    let mut cells = Cells::new(limits);
    let several_files = report.inputs().len() > 1 || report.previous().is_some();
    let (deals, deals_cut, findings, findings_cut) =
        long_sheets(&mut book, report, several_files, &styles, &mut cells)?;
    let mut changed = None;
    let mut moves_cut = Left::default();
    if let Some(changes) = report.changes() {
        let mut sheet = book.new_worksheet_with_constant_memory();
        moves_cut = changes_sheet(&mut sheet, report, changes, &styles, &mut cells)?;
        changed = Some(sheet);
    }
    let mut owners = Worksheet::new();
    let chart = owners_sheet(&mut owners, report, &styles, &mut cells)?;
    let mut health = Worksheet::new();
    health_sheet(&mut health, report, top, &styles, &mut cells)?;
    let mut notes = Vec::new();
    notes.extend(deals_cut.words("Deals", "deals", "-f deals or -f json"));
    notes.extend(findings_cut.words("Findings", "findings", "-f csv or -f json"));
    notes.extend(moves_cut.words("What changed", "moved deals", "-f json"));
    let mut summary = Worksheet::new();
    summary_sheet(
        &mut summary,
        report,
        &notes,
        chart.as_ref(),
        &styles,
        &mut cells,
    )?;
    book.push_worksheet(summary);
    book.push_worksheet(deals);
    book.push_worksheet(findings);
    book.push_worksheet(owners);
    if let Some(sheet) = changed {
        book.push_worksheet(sheet);
    }
    book.push_worksheet(health);
    Ok(book)
}

/// The cell formats every sheet uses.
struct Styles {
    title: Style,
    heading: Style,
    header: Style,
    /// The header of a column of figures.
    header_right: Style,
    label: Style,
    note: Style,
    /// A figure in a table of words: right-aligned, kept off the next cell.
    right: Style,
    /// Text in a table: kept off the figure before it.
    cell: Style,
    passed: Style,
    failed: Style,
    warning: Style,
    /// A line, score or streak.
    number: Style,
    date: Style,
    decimal: Style,
    count: Style,
    ratio: Style,
    /// A coverage multiple below the required one.
    ratio_below: Style,
    /// Conditional colours of a risk band: high, medium, low.
    bands: [Style; 3],
}

impl Styles {
    fn new() -> Styles {
        let font = |hex: u32| Style::new().set_font_color(Color::RGB(hex));
        let header = Style::new()
            .set_bold()
            .set_background_color(Color::RGB(0xF3F5F8))
            .set_border_bottom(FormatBorder::Thin);
        let fill = |bg: u32, fg: u32| {
            Style::new()
                .set_background_color(Color::RGB(bg))
                .set_font_color(Color::RGB(fg))
        };
        Styles {
            title: Style::new().set_bold().set_font_size(16),
            heading: Style::new().set_bold().set_font_size(12),
            header: header.clone(),
            header_right: figure(header),
            label: Style::new().set_bold(),
            note: font(0x5B6576).set_italic(),
            right: Style::new().set_align(FormatAlign::Right).set_indent(1),
            cell: Style::new().set_indent(1),
            passed: font(0x2E7D32).set_bold(),
            failed: font(0xC62828).set_bold(),
            warning: font(0xA15C00).set_bold(),
            number: figure(Style::new()),
            date: figure(Style::new().set_num_format("yyyy-mm-dd")),
            decimal: figure(Style::new().set_num_format("0.0")),
            count: figure(Style::new().set_num_format("#,##0")),
            ratio: figure(Style::new().set_num_format("0.00\"×\"")),
            ratio_below: figure(font(0xC62828).set_bold().set_num_format("0.00\"×\"")),
            bands: [
                fill(0xFFC7CE, 0x9C0006),
                fill(0xFFEB9C, 0x9C5700),
                fill(0xC6EFCE, 0x006100),
            ],
        }
    }

    /// How a span's tone shows: errors and failures red, warnings amber, a pass green.
    fn tone(&self, tone: Tone) -> Option<&Style> {
        use crate::diag::Severity;
        match tone {
            Tone::Failed | Tone::Severity(Severity::Error) => Some(&self.failed),
            Tone::Severity(Severity::Warning) => Some(&self.warning),
            Tone::Passed => Some(&self.passed),
            Tone::Plain | Tone::Severity(Severity::Info) => None,
        }
    }
}

/// What every cell is written through: text shown as XML holds it and cut to a cell's
/// limit (counted), amounts in their currency's number format, dates as dates.
struct Cells {
    limits: Limits,
    /// Text cells cut to the limit.
    cut: u64,
    /// Number formats by currency, made as first needed.
    money: Vec<(Option<String>, Style)>,
}

impl Cells {
    fn new(limits: Limits) -> Cells {
        Cells {
            limits,
            cut: 0,
            money: Vec::new(),
        }
    }

    /// `text` as a string cell (never a formula: `write_string` stores text as text),
    /// nothing for empty text.
    fn text(
        &mut self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        text: &str,
        style: Option<&Style>,
    ) -> Result<(), XlsxError> {
        if text.is_empty() {
            return Ok(());
        }
        let shown = escape::xml(text);
        let value = match cut(&shown, self.limits.cell) {
            Some(cut) => {
                self.cut += 1;
                cut
            }
            None => shown.into_owned(),
        };
        match style {
            Some(style) => ws.write_string_with_format(row, col, value, style)?,
            None => ws.write_string(row, col, value)?,
        };
        Ok(())
    }

    /// An exact decimal amount as a number in `currency`'s format (text if it is not a
    /// number, which the view never gives).
    fn amount(
        &mut self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        amount: &str,
        currency: Option<&str>,
    ) -> Result<(), XlsxError> {
        let Ok(value) = amount.parse::<f64>() else {
            return self.text(ws, row, col, amount, None);
        };
        let style = self.money_style(currency);
        ws.write_number_with_format(row, col, value, style)?;
        Ok(())
    }

    fn money_style(&mut self, currency: Option<&str>) -> &Style {
        let at = match self
            .money
            .iter()
            .position(|(c, _)| c.as_deref() == currency)
        {
            Some(at) => at,
            None => {
                self.money
                    .push((currency.map(str::to_string), money_format(currency)));
                self.money.len() - 1
            }
        };
        &self.money[at].1
    }

    /// A `YYYY-MM-DD` date as an Excel date (text if it does not parse).
    fn date(
        &mut self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        date: &str,
        style: &Style,
    ) -> Result<(), XlsxError> {
        match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            Ok(d) => {
                ws.write_date_with_format(row, col, d, style)?;
                Ok(())
            }
            Err(_) => self.text(ws, row, col, date, None),
        }
    }

    /// A group's amount: a number when its deals' amounts are in one currency; in words
    /// when in several, or when none of its deals has one (`no amount on 3`, `-`).
    fn amounts(
        &mut self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        list: &[Amount],
        deals: u64,
        without: u64,
    ) -> Result<(), XlsxError> {
        match list {
            [one] => self.amount(ws, row, col, &one.amount, one.currency.as_deref()),
            _ => self.text(ws, row, col, &amount_of(list, deals, without), None),
        }
    }
}

/// `#,##0.00` with the currency before it as a literal (`"USD "#,##0.00`); a code that is
/// not plain letters and digits is left out of the format rather than escaped.
fn money_format(currency: Option<&str>) -> Style {
    let code = currency.filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_alphanumeric()));
    let pattern = match code {
        Some(c) => format!("\"{c} \"#,##0.00"),
        None => "#,##0.00".to_string(),
    };
    figure(Style::new().set_num_format(pattern))
}

/// A figure's style: right-aligned and kept off the text in the next cell.
fn figure(style: Style) -> Style {
    style.set_align(FormatAlign::Right).set_indent(1)
}

/// `text` cut to `limit` UTF-16 code units with a marker saying how long it was, when it is
/// longer; `None` when it fits.
fn cut(text: &str, limit: usize) -> Option<String> {
    // A character is at least as many UTF-8 bytes as UTF-16 units.
    if text.len() <= limit || text.encode_utf16().count() <= limit {
        return None;
    }
    let marker = format!(
        " … [cut by pipelint: {} characters]",
        thousands(text.chars().count() as u64)
    );
    let room = limit.saturating_sub(marker.encode_utf16().count());
    let mut kept = String::with_capacity(room + marker.len());
    let mut used = 0;
    for c in text.chars() {
        used += c.len_utf16();
        if used > room {
            break;
        }
        kept.push(c);
    }
    kept.push_str(&marker);
    Some(kept)
}

/// Rows of a long list left out of a sheet.
#[derive(Clone, Copy, Debug, Default)]
struct Left {
    shown: usize,
    left: usize,
    /// The rows a sheet holds.
    limit: u32,
}

impl Left {
    /// Of `count` rows listed under a header at `header`, how many fit (the last row then
    /// says how many did not).
    fn fit(count: usize, header: u32, limits: Limits) -> Left {
        let room = limits.rows.saturating_sub(header + 1) as usize;
        if count <= room {
            Left {
                shown: count,
                left: 0,
                limit: limits.rows,
            }
        } else {
            let shown = room.saturating_sub(1);
            Left {
                shown,
                left: count - shown,
                limit: limits.rows,
            }
        }
    }

    /// The note a sheet ends with, and the Summary repeats, when rows were left out.
    fn words(self, sheet: &str, what: &str, full: &str) -> Option<String> {
        (self.left > 0).then(|| {
            format!(
                "{sheet}: the first {} {what}; {} more left out, as a sheet holds {} rows ({full} has every one)",
                thousands(self.shown as u64),
                thousands(self.left as u64),
                thousands(u64::from(self.limit))
            )
        })
    }
}

/// A table's heading row at `row`: the names in the header style, the widths set.
fn header(
    ws: &mut Worksheet,
    row: u32,
    columns: &[(&str, f64)],
    st: &Styles,
    cells: &mut Cells,
) -> Result<(), XlsxError> {
    for (c, (name, width)) in columns.iter().enumerate() {
        let col = c as u16;
        cells.text(ws, row, col, name, Some(&st.header))?;
        ws.set_column_width(col, *width)?;
    }
    Ok(())
}

/// A list sheet's header row frozen and filtered over its `rows` rows.
fn list_sheet(ws: &mut Worksheet, rows: usize, columns: usize) -> Result<(), XlsxError> {
    ws.set_freeze_panes(1, 0)?;
    let last_col = columns.saturating_sub(1) as u16;
    ws.autofilter(0, 0, rows as u32, last_col)?;
    Ok(())
}

/// A column's cells coloured by their text: `(text, style)` pairs, over rows 1 to `rows`.
fn colour_by_text(
    ws: &mut Worksheet,
    col: u16,
    rows: usize,
    rules: &[(&str, &Style)],
) -> Result<(), XlsxError> {
    if rows == 0 {
        return Ok(());
    }
    for (text, style) in rules {
        let rule = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo(*text))
            .set_format(*style);
        ws.add_conditional_format(1, col, rows as u32, col, &rule)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_with_a_marker_within_the_limit() {
        assert_eq!(cut("short", 10), None);
        let long = "é".repeat(40_000);
        let kept = cut(&long, EXCEL.cell).expect("cut");
        assert!(kept.encode_utf16().count() <= EXCEL.cell);
        assert!(
            kept.ends_with("[cut by pipelint: 40,000 characters]"),
            "{kept}"
        );
        // Characters outside the BMP count twice, as Excel counts them.
        let emoji = "😀".repeat(20_000);
        let kept = cut(&emoji, EXCEL.cell).expect("cut");
        assert!(kept.encode_utf16().count() <= EXCEL.cell);
    }

    #[test]
    fn money_formats_name_plain_currency_codes_only() {
        assert_eq!(
            money_format(Some("USD")),
            figure(Style::new().set_num_format("\"USD \"#,##0.00"))
        );
        assert_eq!(
            money_format(Some("U\"D")),
            figure(Style::new().set_num_format("#,##0.00"))
        );
    }
}
