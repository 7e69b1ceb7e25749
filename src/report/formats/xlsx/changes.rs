//! The workbook's What changed sheet: the change figures, the waterfall and every movement.

use super::*;

/// The What changed sheet: the quarter, deals by movement, the open pipeline from begin to
/// end, slips and findings since the previous snapshot, then every deal that moved.
pub(super) fn changes_sheet(
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
pub(super) fn change_figures(
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
pub(super) fn waterfall(
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
pub(super) const MOVE_COLUMNS: [(&str, f64); 14] = [
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
pub(super) fn movement_row(
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
