//! The workbook's long sheets: Deals and Findings, streamed row by row through
//! constant-memory sheets, rendered on worker threads in batches.

use super::*;

/// The Deals sheet's columns, as `-f deals` names them (File only when there are several).
pub(super) const DEAL_COLUMNS: [(&str, f64); 16] = [
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
pub(super) fn long_sheets(
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
pub(super) fn deal_rows(
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
pub(super) fn end_list(
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
pub(super) fn deal_cells(d: &DealRow<'_>, sole: Option<&str>, out: &mut Rendered) {
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
pub(super) const FINDING_COLUMNS: [(&str, f64); 13] = [
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
pub(super) fn finding_rows(
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
pub(super) fn finding_cells(f: &FindingRow<'_>, out: &mut Rendered) {
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
pub(super) enum Cell {
    Blank,
    Text(String),
    Number(f64),
    /// An amount and the currency of its number format.
    Money(f64, Option<String>),
    Date(NaiveDate),
}

/// Rows rendered into cells, a batch at a time.
pub(super) struct Rendered {
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
pub(super) const BATCH: usize = 1024;

/// Write `rows` from row 1 on, `width` cells each: `render` turns a row into its cells on
/// a worker thread (wording a deal's risk, escaping, cutting), while this thread writes the
/// cells of the batch before, in order (a constant-memory sheet takes rows only in order).
pub(super) fn stream<T, I, R>(
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
pub(super) fn write_cell(
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
