//! Exports as analysts get them (fixtures/real/): each encoding, dialect, locale format and
//! footer style, asserting records, lines, names, dates and money exactly.

mod common;

use common::{audit, finding, findings, messages, report};
use pipelint::AuditRun;

/// Every deal as (line, name, close date, amount).
fn deals(a: &AuditRun) -> Vec<(u64, String, String, String)> {
    report(a)
        .deals()
        .map(|d| {
            (
                d.line,
                d.name.unwrap_or_default().to_string(),
                d.close_date.unwrap_or_else(|| "-".into()),
                d.amount.unwrap_or_else(|| "-".into()),
            )
        })
        .collect()
}

fn probabilities(a: &AuditRun) -> Vec<Option<f64>> {
    report(a).deals().map(|d| d.probability).collect()
}

fn deal(line: u64, name: &str, close: &str, amount: &str) -> (u64, String, String, String) {
    (line, name.into(), close.into(), amount.into())
}

/// The open pipeline per currency, exactly (as the report totals it).
fn open_amounts(a: &AuditRun) -> Vec<(String, String)> {
    report(a)
        .summary()
        .open_amount
        .iter()
        .map(|x| {
            (
                x.currency.clone().unwrap_or_else(|| "-".into()),
                x.amount.clone(),
            )
        })
        .collect()
}

/// The Salesforce report's six deals, as both the Windows-1252 CSV and the UTF-16 text
/// file hold them. The second deal's next step spans two lines, so the deals after it start
/// one line later than their position.
fn report_deals() -> Vec<(u64, String, String, String)> {
    vec![
        deal(2, "Müller – Fleet Renewal", "2027-01-31", "120000.00"),
        deal(3, "Café Olé – POS Rollout", "2026-12-15", "45500.50"),
        deal(5, "Señor Pollo – Expansion", "2027-03-01", "9000.00"),
        deal(6, "Zürich Rück – Pilot", "2026-10-20", "30250.25"),
        deal(7, "Œuvre – Audit €", "2026-09-30", "0.00"),
        deal(8, "Smørrebrød – Year 2", "2027-02-28", "18400.00"),
    ]
}

#[test]
fn salesforce_report_in_windows_1252_with_its_footer() {
    let a = audit(&["fixtures/real/sf_report_cp1252_footer.csv"], None);
    let r = report(&a);
    let input = &r.inputs()[0];
    assert_eq!(
        (input.records, input.malformed, input.skipped),
        (6, 0, 5),
        "six deals; the footer's five lines are skipped, not deals"
    );
    assert_eq!(
        (input.encoding, input.delimiter.as_str()),
        ("windows-1252", ",")
    );
    assert_eq!(deals(&a), report_deals());
    // IN003 once, on the first line that is not UTF-8; IN004 once, where the footer starts.
    assert_eq!(
        findings(&a),
        vec![finding("IN003", 2, None), finding("IN004", 10, None)]
    );
    let messages = messages(&a, "");
    assert!(messages[1].contains("5 "), "{}", messages[1]);
    assert_eq!(
        open_amounts(&a),
        vec![("USD".to_string(), "192900.50".to_string())]
    );
    assert_eq!(r.deals().nth(2).expect("deal").owner, Some("Tomás Ibáñez"));
}

#[test]
fn the_same_report_as_utf16_tab_text() {
    let a = audit(&["fixtures/real/sf_report_utf16_tab.txt"], None);
    let r = report(&a);
    let input = &r.inputs()[0];
    assert_eq!((input.records, input.malformed, input.skipped), (6, 0, 5));
    assert_eq!(
        (input.encoding, input.delimiter.as_str()),
        ("utf-16le", "tab")
    );
    assert_eq!(deals(&a), report_deals());
    // UTF-16 is decoded, not guessed: no IN003. The © footer is recognised.
    assert_eq!(findings(&a), vec![finding("IN004", 10, None)]);
    assert_eq!(
        open_amounts(&a),
        vec![("USD".to_string(), "192900.50".to_string())]
    );
}

#[test]
fn hubspot_export_with_datetimes_floats_and_fractions() {
    let a = audit(&["fixtures/real/hubspot_deals_all_quoted.csv"], None);
    let r = report(&a);
    assert_eq!(r.rules().preset, Some("hubspot"));
    assert_eq!(r.inputs()[0].records, 5);
    assert_eq!(
        deals(&a),
        vec![
            deal(2, "O’Brien Dental – 40 seats", "2026-12-18", "468.00"),
            deal(3, "Kaffeehaus Wien", "2027-01-15", "12500.00"),
            deal(4, "Lumen Labs expansion", "2026-11-28", "88000.50"),
            deal(5, "Northwind renewal", "2026-10-30", "30000.00"),
            deal(6, "Tailspin pilot", "2026-09-30", "0.00"),
        ]
    );
    // Probabilities are fractions: 0.8 is 80%, within the stage's expectation.
    assert_eq!(
        probabilities(&a),
        vec![Some(20.0), Some(40.0), Some(80.0), Some(100.0), Some(0.0)]
    );
    assert_eq!(findings(&a), vec![]);
    assert_eq!(
        open_amounts(&a),
        vec![("-".to_string(), "100968.50".to_string())]
    );
}

#[test]
fn excel_resave_with_semicolons_and_decimal_commas() {
    let a = audit(&["fixtures/real/excel_semicolon_decimal_comma.csv"], None);
    let r = report(&a);
    let input = &r.inputs()[0];
    assert_eq!(
        (input.records, input.encoding, input.delimiter.as_str()),
        (5, "utf-8-bom", ";")
    );
    // Read from the values, since no rules file says: day-first dates, decimal comma.
    assert_eq!(
        input.read_from_values,
        vec![
            "dates as %d.%m.%Y, read from the values".to_string(),
            "decimal comma, read from the values".to_string()
        ]
    );
    assert_eq!(
        deals(&a),
        vec![
            deal(2, "Stadtwerke Nord – Zähler", "2027-01-31", "12500.00"),
            deal(3, "Bäckerei Huber", "2027-02-15", "9000.00"),
            deal(4, "Alpen Solar Ausbau", "2027-03-02", "1250000.50"),
            // (1.200,00) reads as -1200, below the preset's minimum: invalid, not kept.
            deal(5, "Rhein Chemie Gutschrift", "2026-11-13", "-"),
            deal(6, "Hafen Logistik", "2026-11-05", "7350.25"),
        ]
    );
    assert_eq!(findings(&a), vec![finding("VAL005", 5, Some("amount"))]);
    assert_eq!(
        messages(&a, "VAL005"),
        vec!["-1200.00 is below the minimum 0"]
    );
    // `€` names the currency of the amounts that carry it; the others name none, and the
    // report counts them in the export's only named currency (the fourth amount is invalid).
    let currencies: Vec<Option<String>> = r.deals().map(|d| d.currency).collect();
    let eur = || Some("EUR".to_string());
    assert_eq!(currencies, vec![eur(), eur(), None, None, eur()]);
    assert_eq!(
        open_amounts(&a),
        vec![("EUR".to_string(), "1271500.50".to_string())]
    );
}

#[test]
fn pipedrive_status_closes_deals_whatever_their_stage() {
    let a = audit(&["fixtures/real/pipedrive_status.csv"], None);
    let r = report(&a);
    assert_eq!(r.rules().preset, Some("pipedrive"));
    assert_eq!(r.inputs()[0].records, 4);
    // Won and Lost by status: not open, not scored, whatever the stage says.
    let open: Vec<(u64, bool)> = r.deals().map(|d| (d.line, d.risk.is_some())).collect();
    assert_eq!(open, vec![(2, true), (3, false), (4, false), (5, true)]);
    assert_eq!(r.summary().open, 2);
    assert_eq!(
        open_amounts(&a),
        vec![("EUR".to_string(), "48000.00".to_string())]
    );
    assert_eq!(findings(&a), vec![finding("REQ002", 5, Some("amount"))]);
}

#[test]
fn data_loader_caps_headers_bom_and_null_ids() {
    let a = audit(&["fixtures/real/dataloader_caps_bom.csv"], None);
    let r = report(&a);
    assert_eq!(r.rules().preset, Some("salesforce"));
    assert_eq!(
        (r.inputs()[0].records, r.inputs()[0].encoding),
        (3, "utf-8-bom")
    );
    assert_eq!(
        deals(&a),
        vec![
            deal(2, "Globex – Data platform", "2027-02-15", "250000.00"),
            deal(3, "Initech – Licences", "2027-01-20", "80000.50"),
            deal(4, "Umbrella – Renewal", "2026-10-30", "125000.00"),
        ]
    );
    // The all-zero account id is Salesforce's "no account": Needs Analysis requires one.
    // OWNERID holds user ids (0058a00000MNWtFAAX), said once for the file (IN014).
    assert_eq!(
        findings(&a),
        vec![
            finding("IN014", 1, Some("owner")),
            finding("HYG002", 3, Some("last_activity")),
            finding("REQ002", 3, Some("account")),
        ]
    );
}

#[test]
fn formatted_report_totals_are_skipped_but_total_named_deals_are_not() {
    let a = audit(&["fixtures/real/formatted_report_totals.csv"], None);
    let r = report(&a);
    let input = &r.inputs()[0];
    assert_eq!((input.records, input.skipped), (3, 3));
    assert_eq!(
        deals(&a),
        vec![
            deal(2, "Alpha renewal", "2027-01-15", "10000.00"),
            deal(3, "Total Solutions – Upgrade", "2027-02-01", "5000.00"),
            deal(5, "Gamma pilot", "2026-10-01", "2500.00"),
        ]
    );
    assert_eq!(findings(&a), vec![finding("IN004", 4, None)]);
    assert_eq!(
        open_amounts(&a),
        vec![("USD".to_string(), "15000.00".to_string())]
    );
}

#[test]
fn mixed_line_endings_and_quoted_newlines_keep_start_lines() {
    let a = audit(&["fixtures/real/mixed_line_endings.csv"], None);
    let r = report(&a);
    let lines: Vec<u64> = r.deals().map(|d| d.line).collect();
    assert_eq!(lines, vec![2, 3, 5, 6, 9]);
    assert_eq!(r.inputs()[0].records, 5);
}

#[test]
fn us_spreadsheet_values() {
    let a = audit(
        &["fixtures/real/us_spreadsheet_values.csv"],
        Some("fixtures/real/us_spreadsheet_values.toml"),
    );
    assert_eq!(
        deals(&a),
        vec![
            deal(2, "Acme", "2024-02-03", "12500.00"),
            deal(3, "Bolt", "2026-01-31", "12500.00"),
            deal(4, "Core", "1999-12-31", "-1200.00"),
            deal(5, "Dune", "2026-03-04", "-300.10"),
        ]
    );
    // "40%", "40", "100 %" and "0".
    assert_eq!(
        probabilities(&a),
        vec![Some(40.0), Some(40.0), Some(100.0), Some(0.0)]
    );
    // Every value parsed: the only findings are about what the values say.
    assert_eq!(
        findings(&a),
        vec![
            finding("HYG001", 2, Some("close_date")),
            finding("HYG007", 2, Some("close_date")),
            finding("HYG001", 3, Some("close_date")),
            finding("HYG006", 4, Some("amount")),
            finding("HYG001", 5, Some("close_date")),
        ]
    );
    assert_eq!(
        open_amounts(&a),
        vec![("USD".to_string(), "24699.90".to_string())]
    );
}
