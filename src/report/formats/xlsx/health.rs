//! The workbook's Health sheet: the forecast call, win rate and coverage in figures.

use super::*;

/// The Health sheet: the forecast call overall and per owner, the win rate, coverage
/// against quota, and what the stored history adds, in figures.
pub(super) fn health_sheet(
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
pub(super) fn names(
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
pub(super) fn forecast_tables(
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
pub(super) fn category_row(
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
pub(super) fn win_rate_table(
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
pub(super) fn coverage_table(
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
