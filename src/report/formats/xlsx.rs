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

/// The Deals sheet's columns, as `-f deals` names them (File only when there are several).
const DEAL_COLUMNS: [(&str, f64); 16] = [
    ("File", 28.0),
    ("Line", 8.0),
    ("Id", 20.0),
    ("Name", 36.0),
    ("Account", 24.0),
    ("Owner", 20.0),
    ("Stage", 20.0),
    ("Rules' stage", 20.0),
    ("Amount", 16.0),
    ("Currency", 9.0),
    ("Close date", 11.0),
    ("Completeness %", 14.0),
    ("Risk score", 10.0),
    ("Band", 9.0),
    ("Signals", 30.0),
    ("Why", 80.0),
];

/// The Deals and Findings sheets: their headers, then their rows at once, each sheet on
/// its own thread, then their closing notes, filters and colours. While both threads run,
/// only the deals' rows use number formats (amounts, dates), so every style takes the same
/// index on every run, and the workbook the same bytes.
fn long_sheets(
    book: &mut Workbook,
    report: &Report<'_>,
    several_files: bool,
    st: &Styles,
    cells: &mut Cells,
) -> Result<(Worksheet, Left, Worksheet, Left), XlsxError> {
    let skip = usize::from(!several_files);
    let mut deals = book.new_worksheet_with_constant_memory();
    deals.set_name("Deals")?;
    header(&mut deals, 0, &DEAL_COLUMNS[skip..], st, cells)?;
    let mut findings = book.new_worksheet_with_constant_memory();
    findings.set_name("Findings")?;
    header(&mut findings, 0, &FINDING_COLUMNS[skip..], st, cells)?;
    let limits = cells.limits;
    let (deals_fit, findings_fit) = std::thread::scope(|scope| {
        let other = scope.spawn(|| {
            let mut mine = Cells::new(limits);
            let fit = finding_rows(&mut findings, report, several_files, st, &mut mine);
            (fit, mine.cut)
        });
        let deals_fit = deal_rows(&mut deals, report, several_files, st, cells);
        let (findings_fit, cut) = match other.join() {
            Ok(done) => done,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        cells.cut += cut;
        Ok::<_, XlsxError>((deals_fit?, findings_fit?))
    })?;
    end_list(
        &mut deals,
        0,
        deals_fit,
        "deals",
        "-f deals or -f json",
        st,
        cells,
    )?;
    list_sheet(&mut deals, deals_fit.shown, DEAL_COLUMNS.len() - skip)?;
    let [high, medium, low] = &st.bands;
    let bands = [("high", high), ("medium", medium), ("low", low)];
    colour_by_text(&mut deals, 13 - skip as u16, deals_fit.shown, &bands)?;
    let full = "-f csv or -f json";
    end_list(&mut findings, 0, findings_fit, "findings", full, st, cells)?;
    list_sheet(
        &mut findings,
        findings_fit.shown,
        FINDING_COLUMNS.len() - skip,
    )?;
    let severities = [("error", &st.failed), ("warning", &st.warning)];
    colour_by_text(
        &mut findings,
        8 - skip as u16,
        findings_fit.shown,
        &severities,
    )?;
    Ok((deals, deals_fit, findings, findings_fit))
}

/// Every deal, in input order, from row 1: its amount a number in its currency (the
/// export's only currency for a deal that names none, as every total counts it), its close
/// date a date.
fn deal_rows(
    ws: &mut Worksheet,
    report: &Report<'_>,
    several_files: bool,
    st: &Styles,
    cells: &mut Cells,
) -> Result<Left, XlsxError> {
    let width = DEAL_COLUMNS.len() - usize::from(!several_files);
    let sole = report.sole_currency();
    let fit = Left::fit(report.deal_count(), 0, cells.limits);
    let rows = report.deals().take(fit.shown);
    stream(ws, rows, width, st, cells, |d, out| {
        if several_files {
            out.text(d.file);
        }
        deal_cells(&d, sole.as_deref(), out);
    })?;
    Ok(fit)
}

/// A list's closing note, below its last row, when rows were left out; `header` is the
/// list's header row.
fn end_list(
    ws: &mut Worksheet,
    header: u32,
    fit: Left,
    what: &str,
    full: &str,
    st: &Styles,
    cells: &mut Cells,
) -> Result<(), XlsxError> {
    if fit.left > 0 {
        let note = format!(
            "… and {} more {what} left out: a sheet holds {} rows ({full} has every one)",
            thousands(fit.left as u64),
            thousands(u64::from(fit.limit))
        );
        cells.text(ws, header + fit.shown as u32 + 1, 0, &note, Some(&st.note))?;
    }
    Ok(())
}

/// One deal's cells from its line on.
fn deal_cells(d: &DealRow<'_>, sole: Option<&str>, out: &mut Rendered) {
    out.number(d.line as f64);
    out.text(d.id.unwrap_or(""));
    out.text(d.name.unwrap_or(""));
    out.text(d.account.unwrap_or(""));
    out.text(d.owner.unwrap_or(""));
    out.text(d.stage.unwrap_or(""));
    out.text(d.stage_canonical.unwrap_or(""));
    let currency = d.currency.as_deref().or(sole);
    match d.amount.as_deref().map(|a| (a, a.parse::<f64>())) {
        Some((_, Ok(value))) => out
            .cells
            .push(Cell::Money(value, currency.map(str::to_string))),
        Some((text, Err(_))) => out.text(text),
        None => out.cells.push(Cell::Blank),
    }
    out.text(currency.unwrap_or(""));
    match d.close_date.as_deref() {
        Some(date) => match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            Ok(date) => out.cells.push(Cell::Date(date)),
            Err(_) => out.text(date),
        },
        None => out.cells.push(Cell::Blank),
    }
    // General format shows the one decimal the view rounds to (83.3, 100): no number format
    // to look up for each of a million rows.
    out.number(d.completeness);
    let risk = d.risk.as_ref();
    match risk.and_then(|r| r.score) {
        Some(score) => out.number(f64::from(score)),
        None => out.cells.push(Cell::Blank),
    }
    out.text(risk.and_then(|r| r.band).map_or("", |b| b.as_str()));
    let signals: Vec<&str> =
        risk.map_or(Vec::new(), |r| r.signals.iter().map(|s| s.signal).collect());
    out.text(&signals.join(" "));
    out.text(&risk.map_or(String::new(), |r| r.why()));
}

/// The Findings sheet's columns, as `-f csv` names them (File only when there are several).
const FINDING_COLUMNS: [(&str, f64); 13] = [
    ("File", 28.0),
    ("Line", 8.0),
    ("Record id", 20.0),
    ("Deal", 36.0),
    ("Owner", 20.0),
    ("Stage", 20.0),
    ("Rules' stage", 20.0),
    ("Code", 9.0),
    ("Severity", 10.0),
    ("Field", 18.0),
    ("Column", 18.0),
    ("Message", 90.0),
    ("Streak", 8.0),
];

/// Every finding, in report order, from row 1: text and plain numbers only (see
/// [`long_sheets`]).
fn finding_rows(
    ws: &mut Worksheet,
    report: &Report<'_>,
    several_files: bool,
    st: &Styles,
    cells: &mut Cells,
) -> Result<Left, XlsxError> {
    let width = FINDING_COLUMNS.len() - usize::from(!several_files);
    let fit = Left::fit(report.finding_count(), 0, cells.limits);
    let rows = report.findings().take(fit.shown);
    stream(ws, rows, width, st, cells, |f, out| {
        if several_files {
            out.text(f.file);
        }
        finding_cells(&f, out);
    })?;
    Ok(fit)
}

/// One finding's cells from its line on.
fn finding_cells(f: &FindingRow<'_>, out: &mut Rendered) {
    out.number(f.line as f64);
    out.text(f.record_id.unwrap_or(""));
    let deal = f.deal;
    out.text(deal.map_or("", |d| d.label));
    out.text(deal.and_then(|d| d.owner).unwrap_or(""));
    out.text(deal.and_then(|d| d.stage).unwrap_or(""));
    out.text(deal.and_then(|d| d.stage_canonical).unwrap_or(""));
    out.text(f.code.as_str());
    out.text(f.severity.as_str());
    out.text(f.field.unwrap_or(""));
    out.text(f.column.unwrap_or(""));
    out.text(&f.message);
    match f.streak {
        Some(streak) => out.number(f64::from(streak)),
        None => out.cells.push(Cell::Blank),
    }
}

/// A cell rendered off the writing thread: text already shown as XML holds it and cut.
enum Cell {
    Blank,
    Text(String),
    Number(f64),
    /// An amount and the currency of its number format.
    Money(f64, Option<String>),
    Date(NaiveDate),
}

/// Rows rendered into cells, a batch at a time.
struct Rendered {
    cells: Vec<Cell>,
    /// The cell limit text is cut to, and how many cells were.
    limit: usize,
    cut: u64,
}

impl Rendered {
    fn text(&mut self, text: &str) {
        if text.is_empty() {
            self.cells.push(Cell::Blank);
            return;
        }
        let shown = escape::xml(text);
        let cell = match cut(&shown, self.limit) {
            Some(cut) => {
                self.cut += 1;
                cut
            }
            None => shown.into_owned(),
        };
        self.cells.push(Cell::Text(cell));
    }

    fn number(&mut self, value: f64) {
        self.cells.push(Cell::Number(value));
    }
}

/// Rows rendered per batch.
const BATCH: usize = 1024;

/// Write `rows` from row 1 on, `width` cells each: `render` turns a row into its cells on
/// a worker thread (wording a deal's risk, escaping, cutting), while this thread writes the
/// cells of the batch before, in order (a constant-memory sheet takes rows only in order).
fn stream<T, I, R>(
    ws: &mut Worksheet,
    rows: I,
    width: usize,
    st: &Styles,
    cells: &mut Cells,
    render: R,
) -> Result<(), XlsxError>
where
    I: Iterator<Item = T> + Send,
    R: Fn(T, &mut Rendered) + Send,
{
    let limit = cells.limits.cell;
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Rendered>(4);
        scope.spawn(move || {
            let mut rows = rows.peekable();
            while rows.peek().is_some() {
                let mut batch = Rendered {
                    cells: Vec::with_capacity(BATCH * width),
                    limit,
                    cut: 0,
                };
                for row in rows.by_ref().take(BATCH) {
                    render(row, &mut batch);
                }
                // The writer stopped (an error): stop too.
                if tx.send(batch).is_err() {
                    return;
                }
            }
        });
        let (mut row, mut col) = (1u32, 0usize);
        for batch in rx {
            cells.cut += batch.cut;
            for cell in batch.cells {
                write_cell(ws, row, col as u16, cell, st, cells)?;
                col += 1;
                if col == width {
                    (row, col) = (row + 1, 0);
                }
            }
        }
        Ok(())
    })
}

/// One rendered cell, its text moved into the sheet.
fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: Cell,
    st: &Styles,
    cells: &mut Cells,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Blank => return Ok(()),
        Cell::Text(text) => ws.write_string(row, col, text)?,
        Cell::Number(value) => ws.write_number(row, col, value)?,
        Cell::Money(value, currency) => {
            let style = cells.money_style(currency.as_deref());
            ws.write_number_with_format(row, col, value, style)?
        }
        Cell::Date(date) => ws.write_date_with_format(row, col, date, &st.date)?,
    };
    Ok(())
}

/// What the chart of open and at-risk amount by owner draws from the Owners sheet.
struct OwnerChart {
    /// The currency charted (the one with the largest open amount).
    currency: Option<String>,
    /// Owners charted: rows 1 to `owners` of the sheet.
    owners: u32,
    open_col: u16,
    risk_col: u16,
    /// Owners with open deals not charted.
    more: usize,
}

/// The Owners sheet's leading columns; then open and at-risk amount per currency.
const OWNER_COLUMNS: [(&str, f64); 9] = [
    ("Owner", 26.0),
    ("Deals", 9.0),
    ("Completeness %", 14.0),
    ("Open", 8.0),
    ("Open without amount", 12.0),
    ("High risk", 9.0),
    ("Medium risk", 9.0),
    ("Low risk", 9.0),
    ("High risk without amount", 12.0),
];

/// The currencies of the open pipeline, largest open amount first (the one charted).
fn currencies(report: &Report<'_>) -> Vec<Option<String>> {
    let mut list: Vec<(f64, Option<String>)> = report
        .summary()
        .open_amount
        .iter()
        .map(|a| (a.amount.parse::<f64>().unwrap_or(0.0), a.currency.clone()))
        .collect();
    list.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    list.into_iter().map(|(_, c)| c).collect()
}

/// The amount of `currency` in a list of per-currency amounts.
fn in_currency<'l>(list: &'l [Amount], currency: Option<&str>) -> Option<&'l Amount> {
    list.iter().find(|a| a.currency.as_deref() == currency)
}

/// Every owner, the largest open amount (in the charted currency) first, then most open
/// deals, then by name: the chart draws the first rows.
fn owners_sheet(
    ws: &mut Worksheet,
    report: &Report<'_>,
    st: &Styles,
    cells: &mut Cells,
) -> Result<Option<OwnerChart>, XlsxError> {
    ws.set_name("Owners")?;
    let all = currencies(report);
    let shown = &all[..all.len().min(OWNER_CURRENCIES)];
    let charted = all.first().map(|c| c.as_deref());
    let mut owners: Vec<&OwnerRow> = report.by_owner().iter().collect();
    let open_in = |r: &OwnerRow| {
        charted
            .and_then(|c| in_currency(&r.figures.open_amount, c))
            .and_then(|a| a.amount.parse::<f64>().ok())
    };
    owners.sort_by(|a, b| {
        let (x, y) = (open_in(a), open_in(b));
        y.unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&x.unwrap_or(f64::NEG_INFINITY))
            .then(b.figures.open.cmp(&a.figures.open))
            .then_with(|| (a.owner.is_none(), &a.owner).cmp(&(b.owner.is_none(), &b.owner)))
    });
    owner_header(ws, shown, all.len() > shown.len(), st, cells)?;
    let fit = Left::fit(owners.len(), 0, cells.limits);
    for (i, r) in owners.iter().take(fit.shown).enumerate() {
        owner_row(
            ws,
            i as u32 + 1,
            r,
            shown,
            all.len() > shown.len(),
            st,
            cells,
        )?;
    }
    end_list(ws, 0, fit, "owners", "-f json", st, cells)?;
    let columns = OWNER_COLUMNS.len() + 2 * shown.len() + usize::from(all.len() > shown.len());
    list_sheet(ws, fit.shown, columns)?;
    let with_open = owners.iter().filter(|r| r.figures.open > 0).count();
    let drawn = with_open.min(CHARTED_OWNERS).min(fit.shown);
    Ok(match charted {
        Some(currency) if report.has_stages() && drawn > 0 => Some(OwnerChart {
            currency: currency.map(str::to_string),
            owners: drawn as u32,
            open_col: OWNER_COLUMNS.len() as u16,
            risk_col: OWNER_COLUMNS.len() as u16 + 1,
            more: with_open - drawn,
        }),
        _ => None,
    })
}

/// The Owners header: the leading columns, two per currency, and amounts in words for the
/// currencies beyond those (`other`).
fn owner_header(
    ws: &mut Worksheet,
    currencies: &[Option<String>],
    other: bool,
    st: &Styles,
    cells: &mut Cells,
) -> Result<(), XlsxError> {
    header(ws, 0, &OWNER_COLUMNS, st, cells)?;
    let base = OWNER_COLUMNS.len() as u16;
    for (k, currency) in currencies.iter().enumerate() {
        let named = |what: &str| match currency {
            Some(c) => format!("{what} ({c})"),
            None => what.to_string(),
        };
        let col = base + 2 * k as u16;
        cells.text(ws, 0, col, &named("Open amount"), Some(&st.header))?;
        cells.text(
            ws,
            0,
            col + 1,
            &named("At risk, high band"),
            Some(&st.header),
        )?;
        ws.set_column_width(col, 18)?;
        ws.set_column_width(col + 1, 18)?;
    }
    if other {
        let col = base + 2 * currencies.len() as u16;
        cells.text(ws, 0, col, "Other currencies", Some(&st.header))?;
        ws.set_column_width(col, 40)?;
    }
    Ok(())
}

/// One owner's figures; an amount cell is empty when the owner has none in that currency
/// (the "without amount" columns count the deals that have none at all).
fn owner_row(
    ws: &mut Worksheet,
    row: u32,
    r: &OwnerRow,
    currencies: &[Option<String>],
    other: bool,
    st: &Styles,
    cells: &mut Cells,
) -> Result<(), XlsxError> {
    let f = &r.figures;
    let name = r.owner.as_deref().unwrap_or("(no owner)");
    cells.text(ws, row, 0, name, None)?;
    ws.write_number_with_format(row, 1, f.records as f64, &st.count)?;
    ws.write_number_with_format(row, 2, f.completeness, &st.decimal)?;
    let counts = [
        f.open,
        f.open_without_amount,
        f.risk.high,
        f.risk.medium,
        f.risk.low,
        f.at_risk_without_amount,
    ];
    for (k, n) in counts.into_iter().enumerate() {
        ws.write_number_with_format(row, 3 + k as u16, n as f64, &st.count)?;
    }
    let base = OWNER_COLUMNS.len() as u16;
    for (k, currency) in currencies.iter().enumerate() {
        let col = base + 2 * k as u16;
        let c = currency.as_deref();
        if let Some(a) = in_currency(&f.open_amount, c) {
            cells.amount(ws, row, col, &a.amount, c)?;
        }
        if let Some(a) = in_currency(&f.at_risk_amount, c) {
            cells.amount(ws, row, col + 1, &a.amount, c)?;
        }
    }
    if other {
        let rest = |list: &[Amount]| -> Vec<Amount> {
            list.iter()
                .filter(|a| !currencies.contains(&a.currency))
                .cloned()
                .collect()
        };
        let (open, risk) = (rest(&f.open_amount), rest(&f.at_risk_amount));
        if !open.is_empty() {
            let words = format!(
                "open {}; at risk {}",
                sections::amounts(&open),
                sections::amounts(&risk)
            );
            let col = base + 2 * currencies.len() as u16;
            cells.text(ws, row, col, &words, None)?;
        }
    }
    Ok(())
}

/// The bar chart of open and at-risk amount by owner, largest at the top.
fn owner_chart(c: &OwnerChart) -> Chart {
    let mut chart = Chart::new(ChartType::Bar);
    let last = c.owners;
    let bar = |hex: u32| {
        ChartFormat::new()
            .set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(hex)))
            .clone()
    };
    chart
        .add_series()
        .set_name("Open")
        .set_categories(("Owners", 1, 0, last, 0))
        .set_values(("Owners", 1, c.open_col, last, c.open_col))
        .set_format(&mut bar(0x3B6FB6))
        .set_gap(60);
    chart
        .add_series()
        .set_name("At risk (high band)")
        .set_categories(("Owners", 1, 0, last, 0))
        .set_values(("Owners", 1, c.risk_col, last, c.risk_col))
        .set_format(&mut bar(0xC62828));
    let currency = c.currency.as_deref().map(|c| format!("{c}; "));
    let title = match c.more {
        0 => format!(
            "Open and at-risk amount by owner{}",
            currency.map_or(String::new(), |c| format!(
                " ({})",
                c.trim_end_matches("; ")
            ))
        ),
        n => format!(
            "Open and at-risk amount by owner ({}the {} largest; {} more in Owners)",
            currency.unwrap_or_default(),
            c.owners,
            thousands(n as u64)
        ),
    };
    chart.title().set_name(&title);
    // A bar chart's categories are its y axis: the largest owner on top.
    chart
        .y_axis()
        .set_reverse()
        .set_crossing(ChartAxisCrossing::Max);
    chart.x_axis().set_num_format("#,##0");
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart.set_width(820).set_height(140 + 30 * last);
    chart
}

/// The Summary: the headline lines every format shows (what could not be judged among
/// them), what the workbook left out, the forecast call and coverage in the words every
/// format uses, findings by code, and the owner chart.
fn summary_sheet(
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
fn summary_widths(tables: &[Section], report: &Report<'_>) -> Vec<f64> {
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
fn summary_line(
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
fn section_table(
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
fn by_code(
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

/// The Health sheet: the forecast call overall and per owner, the win rate, coverage
/// against quota, and what the stored history adds, in figures.
fn health_sheet(
    ws: &mut Worksheet,
    report: &Report<'_>,
    top: usize,
    st: &Styles,
    cells: &mut Cells,
) -> Result<(), XlsxError> {
    ws.set_name("Health")?;
    ws.set_column_width(0, 30)?;
    for col in 1..10 {
        ws.set_column_width(col, 15)?;
    }
    let mut row = forecast_tables(ws, 0, report, top, st, cells)? + 1;
    row = win_rate_table(ws, row, report, top, st, cells)? + 1;
    row = coverage_table(ws, row, report, st, cells)?;
    for section in sections::health::history(report, top) {
        row = section_table(ws, row + 1, &section, st, cells)?;
    }
    Ok(())
}

/// Heading names at `row`: a table's name column, then its figures; returns the next row.
fn names(
    ws: &mut Worksheet,
    row: u32,
    names: &[&str],
    st: &Styles,
    cells: &mut Cells,
) -> Result<u32, XlsxError> {
    for (c, name) in names.iter().enumerate() {
        let style = if c == 0 { &st.header } else { &st.header_right };
        cells.text(ws, row, c as u16, name, Some(style))?;
    }
    Ok(row + 1)
}

/// The forecast call: open deals per forecast category, overall then per owner (at most
/// `top` rows of those).
fn forecast_tables(
    ws: &mut Worksheet,
    row: u32,
    report: &Report<'_>,
    top: usize,
    st: &Styles,
    cells: &mut Cells,
) -> Result<u32, XlsxError> {
    let call = &report.health().forecast;
    let title = "Forecast call (open deals by forecast category)";
    cells.text(ws, row, 0, title, Some(&st.heading))?;
    let columns = [
        "Category",
        "Deals",
        "Amount",
        "Without amount",
        "High risk",
        "At risk",
        "High risk without amount",
    ];
    let mut r = names(ws, row + 1, &columns, st, cells)?;
    if call.overall.is_empty() {
        cells.text(ws, r, 0, "No open deals.", Some(&st.note))?;
        r += 1;
    }
    for c in &call.overall {
        category_row(ws, r, c.label, c, st, cells)?;
        r += 1;
    }
    r += 1;
    cells.text(ws, r, 0, "Forecast call by owner", Some(&st.heading))?;
    let mut columns = columns;
    columns[0] = "Owner: category";
    r = names(ws, r + 1, &columns, st, cells)?;
    let rows: Vec<_> = call
        .by_owner
        .iter()
        .flat_map(|o| o.categories.iter().map(move |c| (o.owner.as_deref(), c)))
        .collect();
    for (owner, c) in rows.iter().take(top) {
        let name = format!("{}: {}", owner.unwrap_or("(no owner)"), c.label);
        category_row(ws, r, &name, c, st, cells)?;
        r += 1;
    }
    if rows.len() > top {
        let note = format!("… and {} more (-f json has every one)", rows.len() - top);
        cells.text(ws, r, 0, &note, Some(&st.note))?;
        r += 1;
    }
    Ok(r)
}

/// One forecast category's figures.
fn category_row(
    ws: &mut Worksheet,
    row: u32,
    name: &str,
    c: &crate::score::health::CategoryRow,
    st: &Styles,
    cells: &mut Cells,
) -> Result<(), XlsxError> {
    cells.text(ws, row, 0, name, None)?;
    ws.write_number_with_format(row, 1, c.deals as f64, &st.count)?;
    cells.amounts(ws, row, 2, &c.amount, c.deals, c.without_amount)?;
    ws.write_number_with_format(row, 3, c.without_amount as f64, &st.count)?;
    ws.write_number_with_format(row, 4, c.at_risk_deals as f64, &st.count)?;
    let (list, deals, without) = (&c.at_risk_amount, c.at_risk_deals, c.at_risk_without_amount);
    cells.amounts(ws, row, 5, list, deals, without)?;
    ws.write_number_with_format(row, 6, without as f64, &st.count)?;
    Ok(())
}

/// Win rate, cycle and won size over the trailing window: overall, per owner and `--by`.
fn win_rate_table(
    ws: &mut Worksheet,
    row: u32,
    report: &Report<'_>,
    top: usize,
    st: &Styles,
    cells: &mut Cells,
) -> Result<u32, XlsxError> {
    let w = &report.health().win_rate;
    let section = sections::health::win_rate(report);
    cells.text(ws, row, 0, &section.title, Some(&st.heading))?;
    if w.overall.closed == 0 {
        cells.text(
            ws,
            row + 1,
            0,
            section.empty.as_deref().unwrap_or(""),
            Some(&st.note),
        )?;
        return Ok(row + 2);
    }
    let columns = [
        "Group",
        "Closed",
        "Won",
        "Lost",
        "Win rate %",
        "Average won",
        "Cycle median (days)",
        "Cycle mean (days)",
    ];
    let mut r = names(ws, row + 1, &columns, st, cells)?;
    let mut groups = vec![("All".to_string(), &w.overall)];
    let named = |n: &Option<String>| n.clone().unwrap_or_else(|| "(no owner)".to_string());
    groups.extend(w.by_owner.iter().map(|o| (named(&o.name), &o.figures)));
    if let Some(field) = &w.by_field {
        let value = |n: &Option<String>| n.clone().unwrap_or_else(|| "(none)".to_string());
        groups.extend(
            w.by_value
                .iter()
                .map(|v| (format!("{field}: {}", value(&v.name)), &v.figures)),
        );
    }
    let total = groups.len();
    for (name, g) in groups.into_iter().take(top) {
        cells.text(ws, r, 0, &name, None)?;
        for (k, n) in [g.closed, g.won, g.lost].into_iter().enumerate() {
            ws.write_number_with_format(r, 1 + k as u16, n as f64, &st.count)?;
        }
        if let Some(rate) = g.win_rate {
            ws.write_number_with_format(r, 4, rate, &st.decimal)?;
        }
        cells.amounts(ws, r, 5, &g.average_won, g.won, 0)?;
        if let Some(c) = &g.cycle {
            ws.write_number_with_format(r, 6, c.median_days, &st.decimal)?;
            ws.write_number_with_format(r, 7, c.mean_days, &st.decimal)?;
        }
        r += 1;
    }
    if total > top {
        let note = format!("… and {} more (-f json has every one)", total - top);
        cells.text(ws, r, 0, &note, Some(&st.note))?;
        r += 1;
    }
    Ok(r)
}

/// Coverage against quota (`--quota`): quota, won, remaining, pipeline and the multiple,
/// per owner then the team; or why it could not be worked out.
fn coverage_table(
    ws: &mut Worksheet,
    row: u32,
    report: &Report<'_>,
    st: &Styles,
    cells: &mut Cells,
) -> Result<u32, XlsxError> {
    let Some(section) = sections::health::first(report)
        .into_iter()
        .find(|s| s.title.starts_with("Coverage"))
    else {
        return Ok(row);
    };
    let Some(c) = &report.health().coverage else {
        return Ok(row);
    };
    cells.text(ws, row, 0, &section.title, Some(&st.heading))?;
    let mut r = row + 1;
    if let Some(note) = &c.note {
        cells.text(ws, r, 0, note, Some(&st.note))?;
        return Ok(r + 1);
    }
    let columns = [
        "Owner",
        "Quota",
        "Won",
        "Remaining",
        "Pipeline",
        "Pipeline deals",
        "Coverage",
        "Quota met",
        "Below required",
    ];
    r = names(ws, r, &columns, st, cells)?;
    for q in c.owners.iter().chain(&c.team) {
        let currency = q.currency.as_deref();
        cells.text(ws, r, 0, q.owner.as_deref().unwrap_or("Team"), None)?;
        for (k, amount) in [&q.quota, &q.won, &q.remaining, &q.pipeline]
            .into_iter()
            .enumerate()
        {
            cells.amount(ws, r, 1 + k as u16, amount, currency)?;
        }
        ws.write_number_with_format(r, 5, q.pipeline_deals as f64, &st.count)?;
        if let Some(x) = q.coverage {
            let style = if q.below_required {
                &st.ratio_below
            } else {
                &st.ratio
            };
            ws.write_number_with_format(r, 6, x, style)?;
        }
        ws.write_string(r, 7, if q.met { "yes" } else { "no" })?;
        ws.write_string(r, 8, if q.below_required { "yes" } else { "no" })?;
        r += 1;
    }
    if let Some(more) = &section.more {
        cells.text(ws, r, 0, more, Some(&st.note))?;
        r += 1;
    }
    Ok(r)
}

/// The What changed sheet: the quarter, deals by movement, the open pipeline from begin to
/// end, slips and findings since the previous snapshot, then every deal that moved.
fn changes_sheet(
    ws: &mut Worksheet,
    report: &Report<'_>,
    changes: &ChangesRow,
    st: &Styles,
    cells: &mut Cells,
) -> Result<Left, XlsxError> {
    ws.set_name("What changed")?;
    let mut row = change_figures(ws, report, changes, st, cells)? + 1;
    cells.text(ws, row, 0, "Deals that moved", Some(&st.heading))?;
    row += 1;
    header(ws, row, &MOVE_COLUMNS, st, cells)?;
    // Wide enough for the figures' labels above the list too.
    ws.set_column_width(0, 40)?;
    let fit = Left::fit(report.movement_count(), row, cells.limits);
    let sole = report.sole_currency();
    for (i, m) in report.movements().take(fit.shown).enumerate() {
        movement_row(ws, row + 1 + i as u32, &m, sole.as_deref(), st, cells)?;
    }
    end_list(ws, row, fit, "moved deals", "-f json", st, cells)?;
    ws.autofilter(
        row,
        0,
        row + fit.shown as u32,
        MOVE_COLUMNS.len() as u16 - 1,
    )?;
    Ok(fit)
}

/// The change figures, from the top of the sheet; returns the next free row.
fn change_figures(
    ws: &mut Worksheet,
    report: &Report<'_>,
    c: &ChangesRow,
    st: &Styles,
    cells: &mut Cells,
) -> Result<u32, XlsxError> {
    cells.text(
        ws,
        0,
        0,
        "What changed since the previous snapshot",
        Some(&st.title),
    )?;
    if let Some(p) = report.previous() {
        cells.text(ws, 1, 0, &sections::previous_words(p), Some(&st.note))?;
    }
    let q = &c.quarter;
    let quarter = format!("{} ({} to {})", q.name, q.first_day, q.last_day);
    cells.text(ws, 2, 0, "Quarter", Some(&st.label))?;
    cells.text(ws, 2, 1, &quarter, None)?;
    cells.text(ws, 4, 0, "Deals by movement", Some(&st.heading))?;
    let mut r = 5;
    for (name, n) in &c.counts.0 {
        cells.text(ws, r, 0, name, None)?;
        ws.write_number_with_format(r, 1, *n as f64, &st.count)?;
        r += 1;
    }
    r = waterfall(ws, r + 1, c, st, cells)?;
    let without = "Without an amount (open in either)";
    cells.text(ws, r, 0, without, Some(&st.note))?;
    ws.write_number_with_format(r, 1, c.deals_without_amount as f64, &st.count)?;
    r += 2;
    r = names(
        ws,
        r,
        &["Quarter", "Deals", "Amount", "Without amount"],
        st,
        cells,
    )?;
    for (name, s) in [("Slipped out", &c.slipped), ("Pulled in", &c.pulled_in)] {
        cells.text(ws, r, 0, name, None)?;
        ws.write_number_with_format(r, 1, s.deals as f64, &st.count)?;
        cells.amounts(ws, r, 2, &s.amount, s.deals, s.without_amount)?;
        ws.write_number_with_format(r, 3, s.without_amount as f64, &st.count)?;
        r += 1;
    }
    r += 1;
    let f = &c.findings;
    r = names(
        ws,
        r,
        &["Findings", "Introduced", "Cleared", "Persisting"],
        st,
        cells,
    )?;
    cells.text(ws, r, 0, "Since the previous snapshot", None)?;
    for (k, n) in [f.introduced, f.cleared, f.persisting]
        .into_iter()
        .enumerate()
    {
        ws.write_number_with_format(r, 1 + k as u16, n as f64, &st.count)?;
    }
    Ok(r + 1)
}

/// The open pipeline from the previous snapshot to now, term by term, per currency, from
/// `row`; returns the next free row.
fn waterfall(
    ws: &mut Worksheet,
    row: u32,
    c: &ChangesRow,
    st: &Styles,
    cells: &mut Cells,
) -> Result<u32, XlsxError> {
    cells.text(
        ws,
        row,
        0,
        "Open pipeline, previous to now",
        Some(&st.heading),
    )?;
    let terms = [
        "Currency",
        "Begin",
        "New",
        "Reopened",
        "Increased",
        "Decreased",
        "Won",
        "Lost",
        "Vanished",
        "End",
    ];
    let mut r = names(ws, row + 1, &terms, st, cells)?;
    for w in &c.waterfall {
        let currency = w.currency.as_deref();
        cells.text(ws, r, 0, currency.unwrap_or("(no currency)"), None)?;
        let values = [
            &w.begin,
            &w.new,
            &w.reopened,
            &w.increased,
            &w.decreased,
            &w.won,
            &w.lost,
            &w.vanished,
            &w.end,
        ];
        for (k, v) in values.into_iter().enumerate() {
            cells.amount(ws, r, 1 + k as u16, v, currency)?;
        }
        r += 1;
    }
    Ok(r)
}

/// The columns of the deals that moved: before, then now.
const MOVE_COLUMNS: [(&str, f64); 14] = [
    ("Id", 20.0),
    ("Deal", 32.0),
    ("Moves", 24.0),
    ("Owner before", 18.0),
    ("Owner now", 18.0),
    ("Stage before", 18.0),
    ("Stage now", 18.0),
    ("Close date before", 12.0),
    ("Close date now", 12.0),
    ("Amount before", 16.0),
    ("Amount now", 16.0),
    ("Forecast before", 14.0),
    ("Forecast now", 14.0),
    ("Line now", 9.0),
];

/// One deal that moved, its values before and now side by side.
fn movement_row(
    ws: &mut Worksheet,
    row: u32,
    m: &MovementRow<'_>,
    sole: Option<&str>,
    st: &Styles,
    cells: &mut Cells,
) -> Result<(), XlsxError> {
    cells.text(ws, row, 0, m.id.unwrap_or(""), None)?;
    cells.text(ws, row, 1, m.deal, None)?;
    cells.text(ws, row, 2, &m.moves.join(" "), None)?;
    for (k, side) in [&m.from, &m.to].into_iter().enumerate() {
        let Some(s) = side else { continue };
        let k = k as u16;
        cells.text(ws, row, 3 + k, s.owner.unwrap_or(""), None)?;
        cells.text(ws, row, 5 + k, s.stage.unwrap_or(""), None)?;
        if let Some(date) = &s.close_date {
            cells.date(ws, row, 7 + k, date, &st.date)?;
        }
        if let Some(amount) = &s.amount {
            let currency = s.currency.as_deref().or(sole);
            cells.amount(ws, row, 9 + k, amount, currency)?;
        }
        cells.text(ws, row, 11 + k, s.forecast_category.unwrap_or(""), None)?;
    }
    if let Some(now) = &m.to {
        ws.write_number_with_format(row, 13, now.line as f64, &st.number)?;
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
