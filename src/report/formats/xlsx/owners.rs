//! The workbook's Owners sheet and its native chart of open and at-risk amount by owner.

use super::*;

/// What the chart of open and at-risk amount by owner draws from the Owners sheet.
pub(super) struct OwnerChart {
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
pub(super) const OWNER_COLUMNS: [(&str, f64); 9] = [
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
pub(super) fn currencies(report: &Report<'_>) -> Vec<Option<String>> {
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
pub(super) fn in_currency<'l>(list: &'l [Amount], currency: Option<&str>) -> Option<&'l Amount> {
    list.iter().find(|a| a.currency.as_deref() == currency)
}

/// Every owner, the largest open amount (in the charted currency) first, then most open
/// deals, then by name: the chart draws the first rows.
pub(super) fn owners_sheet(
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
pub(super) fn owner_header(
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
pub(super) fn owner_row(
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
pub(super) fn owner_chart(c: &OwnerChart) -> Chart {
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
