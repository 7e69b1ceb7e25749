//! The Dynamics 365, Zoho and HubSpot-API presets on exports shaped as those CRMs write them
//! (fixtures/presets/): the preset detected, every value read (no VAL001/VAL002), close
//! dates and amounts exactly, the overdue open deals, and won/lost where the CRM keeps it.

mod common;

use common::{AS_OF, Said, audit, pipelint, report, run, said, temp_file};
use pipelint::AuditRun;

const DYNAMICS: &str = "fixtures/presets/dynamics365_opportunities.csv";
const ZOHO: &str = "fixtures/presets/zoho_potentials.csv";
const HUBSPOT_API: &str = "fixtures/presets/hubspot_api_deals.csv";

/// A finding as (code, line, record id, field, column).
type Brief = (String, u64, Option<String>, Option<String>, Option<String>);

fn briefly(a: &AuditRun) -> Vec<Brief> {
    said(a)
        .into_iter()
        .map(|f: Said| (f.code, f.line, f.record_id, f.field, f.column))
        .collect()
}

fn hyg001(line: u64, id: &str, column: &str) -> Brief {
    (
        "HYG001".to_string(),
        line,
        Some(id.to_string()),
        Some("close_date".to_string()),
        Some(column.to_string()),
    )
}

/// The deal on `line` as (name, close date, amount, currency).
fn deal_on(a: &AuditRun, line: u64) -> (String, String, String, String) {
    let d = report(a)
        .deals()
        .find(|d| d.line == line)
        .unwrap_or_else(|| panic!("no deal on line {line}"));
    (
        d.name.unwrap_or_default().to_string(),
        d.close_date.unwrap_or_else(|| "-".into()),
        d.amount.unwrap_or_else(|| "-".into()),
        d.currency.unwrap_or_else(|| "-".into()),
    )
}

fn deal(name: &str, close: &str, amount: &str, currency: &str) -> (String, String, String, String) {
    (name.into(), close.into(), amount.into(), currency.into())
}

/// Lines of the open deals (scored), in file order.
fn open_lines(a: &AuditRun) -> Vec<u64> {
    report(a)
        .deals()
        .filter(|d| d.risk.is_some())
        .map(|d| d.line)
        .collect()
}

/// Per owner: (owner, won, lost) among the deals closed in the trailing year.
fn outcomes(a: &AuditRun) -> Vec<(String, u64, u64)> {
    report(a)
        .health()
        .win_rate
        .by_owner
        .iter()
        .map(|o| {
            (
                o.name.clone().unwrap_or_default(),
                o.figures.won,
                o.figures.lost,
            )
        })
        .collect()
}

fn open_amounts(a: &AuditRun) -> Vec<(String, String)> {
    report(a)
        .summary()
        .open_amount
        .iter()
        .map(|x| (x.currency.clone().unwrap_or_default(), x.amount.clone()))
        .collect()
}

/// The CLI names the preset it picked: `rules.source` in the JSON and a note on stderr.
fn assert_detected(file: &str, preset: &str) {
    let r = run(pipelint()
        .args(["audit", file, "--as-of", AS_OF, "-f", "json"])
        .env("NO_COLOR", "1"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(json["rules"]["source"], format!("preset:{preset}"));
    assert_eq!(json["rules"]["detected"]["preset"], preset);
    assert!(
        r.stderr
            .contains(&format!("pipelint: using preset {preset} (auto-detected")),
        "{}",
        r.stderr
    );
    let table = run(pipelint().args(["audit", file, "--as-of", AS_OF, "--color", "never"]));
    assert!(
        table
            .stdout
            .contains(&format!("Rules         preset:{preset} (auto-detected")),
        "{}",
        table.stdout
    );
}

#[test]
fn dynamics365_export_is_detected() {
    assert_detected(DYNAMICS, "dynamics365");
}

#[test]
fn dynamics365_values_read_exactly() {
    let a = audit(&[DYNAMICS], None);
    let r = report(&a);
    assert_eq!(r.rules().preset, Some("dynamics365"));
    assert_eq!(r.inputs()[0].records, 13);
    // `Est. close date` (lower-case c) maps; `US Dollar`, `Euro` and `Pound Sterling` are
    // ISO codes; `5/20/2024 7:42` and `€18,500.00` read.
    assert_eq!(
        deal_on(&a, 4),
        deal(
            "Adventure Works CRM rollout",
            "2026-06-30",
            "250000.00",
            "USD"
        )
    );
    assert_eq!(
        deal_on(&a, 6),
        deal("Wide World Importers ERP", "2026-10-31", "18500.00", "EUR")
    );
    // No symbol on these amounts: the currency is the `Currency` column's name as a code.
    assert_eq!(
        deal_on(&a, 9),
        deal("Coho Winery POS", "2027-01-29", "9750.50", "USD")
    );
    assert_eq!(
        deal_on(&a, 11),
        deal(
            "Blue Yonder Airlines loyalty",
            "2026-12-31",
            "72000.00",
            "EUR"
        )
    );
    assert_eq!(
        deal_on(&a, 14),
        deal("Margie's Travel portal", "2026-07-31", "40000.00", "GBP")
    );
    // Every cell reads (Actual Revenue's `1475.3000000000002` too): the only findings are
    // the four open deals whose estimated close date has passed.
    let id = |n: u32| format!("5f2e1c3a-8b0d-ef11-9f89-000d3a5c1e{n:02}");
    assert_eq!(
        briefly(&a),
        vec![
            hyg001(3, &id(2), "Est. close date"),
            hyg001(6, &id(5), "Est. close date"),
            hyg001(8, &id(7), "Est. close date"),
            hyg001(14, &id(13), "Est. close date"),
        ]
    );
}

#[test]
fn dynamics365_status_closes_deals_whatever_their_sales_stage() {
    let a = audit(&[DYNAMICS], None);
    // Lines 4 and 12 are Won at stage Close; 5 (Propose) and 10 (Qualify) are Lost: only
    // the Status column says so. Line 5's 0% is no HYG004 against Propose's 60%: the stage's
    // probability stops applying once the status closes the deal.
    assert_eq!(open_lines(&a), vec![2, 3, 6, 7, 8, 9, 11, 13, 14]);
    assert_eq!(
        said(&a).iter().filter(|f| f.code == "HYG004").count(),
        0,
        "{:?}",
        said(&a)
    );
    assert_eq!(
        outcomes(&a),
        vec![
            ("Alex Wu".to_string(), 1, 0),
            ("Dana Ruiz".to_string(), 1, 0),
            ("Priya Natarajan".to_string(), 0, 2),
        ]
    );
    let won = report(&a).health().win_rate.overall.clone();
    assert_eq!((won.closed, won.won, won.lost), (4, 2, 2));
    // Created 5/20/2024 7:42, closed 6/30/2026: 771 days; 3/3/2025 to 12/20/2025: 292.
    let cycle = won.cycle.expect("cycle");
    assert_eq!((cycle.deals, cycle.median_days), (2, 531.5));
    // Open: USD 120,000 + 45,000 + 62,500 + 88,000 + 9,750.50 + 5,000; EUR 18,500 + 72,000.
    assert_eq!(
        open_amounts(&a),
        vec![
            ("EUR".to_string(), "90500.00".to_string()),
            ("GBP".to_string(), "40000.00".to_string()),
            ("USD".to_string(), "330250.50".to_string()),
        ]
    );
}

#[test]
fn zoho_export_is_detected() {
    assert_detected(ZOHO, "zoho");
}

#[test]
fn zoho_values_read_exactly() {
    let a = audit(&[ZOHO], None);
    assert_eq!(report(&a).inputs()[0].records, 12);
    assert_eq!(
        deal_on(&a, 2),
        deal("Benton Rollout", "2026-09-30", "22700.00", "USD")
    );
    assert_eq!(
        deal_on(&a, 11),
        deal("Carissa Kidman Upsell", "2026-12-05", "1475.30", "USD")
    );
    assert_eq!(
        deal_on(&a, 10),
        deal("Truhlar Services", "2026-10-21", "55000.00", "USD")
    );
    let id = |n: u32| format!("zcrm_48768760000002310{n:02}");
    assert_eq!(
        briefly(&a),
        vec![
            hyg001(2, &id(1), "Closing Date"),
            hyg001(4, &id(3), "Closing Date"),
            hyg001(6, &id(5), "Closing Date"),
            hyg001(12, &id(11), "Closing Date"),
        ]
    );
    // Closed Won, Closed Lost and Closed Lost to Competition close deals.
    assert_eq!(open_lines(&a), vec![2, 3, 4, 5, 6, 7, 11, 12, 13]);
    assert_eq!(
        outcomes(&a),
        vec![
            ("Aisha Bello".to_string(), 0, 1),
            ("Marco Rossi".to_string(), 0, 1),
            ("Sarah Kim".to_string(), 1, 0),
        ]
    );
    // `Created Time` 10 Feb, 2026 08:00:00 to closing 12 Aug, 2026: 183 days.
    let cycle = report(&a).health().win_rate.overall.cycle.clone();
    assert_eq!(cycle.map(|c| c.median_days), Some(183.0));
    assert_eq!(
        open_amounts(&a),
        vec![("USD".to_string(), "382025.30".to_string())]
    );
}

#[test]
fn older_zoho_potentials_headers_are_detected_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(ZOHO).expect("fixture").replacen(
        "Deal Name,Deal Owner",
        "Potential Name,Potential Owner",
        1,
    );
    let path = temp_file(&dir, "potentials.csv", text);
    let a = audit(&[&path], None);
    assert_eq!(report(&a).rules().preset, Some("zoho"));
    assert_eq!(
        deal_on(&a, 2),
        deal("Benton Rollout", "2026-09-30", "22700.00", "USD")
    );
    assert_eq!(
        report(&a)
            .deals()
            .find(|d| d.line == 2)
            .and_then(|d| d.owner),
        Some("Sarah Kim")
    );
}

#[test]
fn hubspot_internal_property_names_are_detected() {
    assert_detected(HUBSPOT_API, "hubspot");
}

#[test]
fn hubspot_api_values_read_exactly() {
    let a = audit(&[HUBSPOT_API], None);
    // ISO datetimes with milliseconds and Z, internal stage ids, float-noise amounts.
    assert_eq!(
        deal_on(&a, 3),
        deal("Globex - Platform migration", "2026-10-15", "56000.00", "-")
    );
    assert_eq!(
        deal_on(&a, 12),
        deal("Massive Dynamic - Expansion", "2026-06-30", "1475.30", "-")
    );
    let d = report(&a).deals().find(|d| d.line == 5).expect("line 5");
    // The stage as the export writes it (HubSpot's internal id), the preset's name beside it.
    assert_eq!(
        (d.stage, d.stage_canonical, d.owner, d.probability),
        (
            Some("decisionmakerboughtin"),
            Some("Decision Maker Bought-In"),
            Some("60114522"),
            Some(80.0)
        )
    );
    let id = |n: u32| format!("189340{n:02}");
    let hyg002 = |line: u64, n: u32| -> Brief {
        (
            "HYG002".to_string(),
            line,
            Some(id(n)),
            Some("last_activity".to_string()),
            Some("notes_last_contacted".to_string()),
        )
    };
    // hubspot_owner_id holds numbers, not names: said once, on the header line (IN014).
    let in014 = (
        "IN014".to_string(),
        1,
        None,
        Some("owner".to_string()),
        Some("hubspot_owner_id".to_string()),
    );
    assert_eq!(
        briefly(&a),
        vec![
            in014,
            hyg001(3, &id(2), "closedate"),
            hyg002(3, 2),
            hyg001(5, &id(4), "closedate"),
            hyg002(9, 8),
            hyg001(10, &id(9), "closedate"),
            hyg002(10, 9),
            hyg001(13, &id(12), "closedate"),
        ]
    );
    assert_eq!(open_lines(&a), vec![2, 3, 4, 5, 6, 9, 10, 11, 13]);
    let won = report(&a).health().win_rate.overall.clone();
    assert_eq!((won.won, won.lost), (2, 1));
    // 2026-06-01 to 2026-08-20 is 80 days; 2025-12-10 to 2026-06-30 is 202.
    assert_eq!(won.cycle.map(|c| c.mean_days), Some(141.0));
}

#[test]
fn presets_are_named_on_the_command_line() {
    for (file, preset) in [(DYNAMICS, "dynamics365"), (ZOHO, "zoho")] {
        let r = run(pipelint().args([
            "audit", file, "--as-of", AS_OF, "--preset", preset, "-f", "json",
        ]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        assert_eq!(json["rules"]["source"], format!("preset:{preset}"));
        assert!(json["rules"]["detected"].is_null());
        assert_eq!(json["summary"]["findings"]["warning"], 4);
    }
}

/// `profile` types and date formats per column, as (name, type, date format).
fn profile(file: &str) -> Vec<(String, String, Option<String>)> {
    let r = run(pipelint().args(["profile", file, "-f", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    json["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["type"].as_str().unwrap_or_default().to_string(),
                c["date_format"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn col(name: &str, kind: &str, format: Option<&str>) -> (String, String, Option<String>) {
    (name.into(), kind.into(), format.map(str::to_string))
}

#[test]
fn profile_keeps_identifiers_as_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_file(
        &dir,
        "ids.csv",
        "Opportunity ID,Salesforce Id,Legacy Id,Amount\n\
         OPP1900001042,006A000001abcD,0060000001042,\"$1,200.00\"\n\
         OPP1900001043,006A000001abcE,0060000001043,900\n\
         OPP-000123,006A000002XyZq,0060000001044,1475.3000000000002\n",
    );
    assert_eq!(
        profile(&path),
        vec![
            col("Opportunity ID", "text", None),
            col("Salesforce Id", "text", None),
            col("Legacy Id", "text", None),
            col("Amount", "money", None),
        ]
    );
}

#[test]
fn profile_and_init_read_zoho_and_dynamics_dates() {
    let zoho = profile(ZOHO);
    assert!(zoho.contains(&col("Closing Date", "date", Some("%d %b, %Y"))));
    assert!(zoho.contains(&col("Created Time", "datetime", Some("%d %b, %Y"))));
    let dynamics = profile(DYNAMICS);
    assert!(dynamics.contains(&col("Created On", "datetime", Some("%m/%d/%Y"))));
    assert!(dynamics.contains(&col("Est. close date", "date", Some("%m/%d/%Y"))));
    let init = run(pipelint().args(["init", "--from", ZOHO]));
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert!(
        init.stdout.contains("date_formats = [\"%d %b, %Y\"]"),
        "{}",
        init.stdout
    );
}

#[test]
fn printed_presets_audit_what_the_built_in_ones_audit() {
    // `init --preset NAME > pipelint.toml` starts a team's own rules: the copy must read the
    // fixtures exactly as the built-in preset does, `Actual Revenue`/`Expected Revenue`
    // (named in [fields]) included, and also where an export lacks them.
    let dir = tempfile::tempdir().expect("temp dir");
    let without_actual: String = std::fs::read_to_string(DYNAMICS)
        .expect("fixture")
        .lines()
        .map(|line| {
            let mut cells = csv_cells(line);
            cells.remove(9);
            cells.join(",") + "\n"
        })
        .collect();
    let trimmed = temp_file(&dir, "no_actual_revenue.csv", without_actual);
    let json = |args: &[&str]| -> serde_json::Value {
        let r = run(pipelint().args(args));
        assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.stderr);
        serde_json::from_str(&r.stdout).expect("json")
    };
    for (preset, export, warnings) in [
        ("dynamics365", DYNAMICS, 4),
        ("dynamics365", trimmed.as_str(), 4),
        ("zoho", ZOHO, 4),
        ("hubspot", HUBSPOT_API, 7),
    ] {
        let printed = run(pipelint().args(["init", "--preset", preset]));
        assert_eq!(printed.code, 0, "{}", printed.stderr);
        let rules = temp_file(&dir, &format!("{preset}.toml"), &printed.stdout);
        let base = ["audit", export, "--as-of", AS_OF, "-f", "json"];
        let built_in = json(&[&base[..], &["--preset", preset]].concat());
        let copy = json(&[&base[..], &["-r", &rules]].concat());
        assert_eq!(copy["rules"]["source"], rules.as_str());
        assert_eq!(
            built_in["summary"]["findings"]["warning"], warnings,
            "{export}"
        );
        for key in ["summary", "completeness", "deals", "findings"] {
            assert_eq!(built_in[key], copy[key], "{preset} on {export}: {key}");
        }
    }
}

/// The cells of one CSV line, quotes kept (enough for the fixture's quoted amounts).
fn csv_cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                cells.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = cells.last_mut() {
            last.push(c);
        }
    }
    cells
}

/// A currency column holds a currency: an ISO 4217 code, a symbol or a name. Anything else
/// is VAL002 on that cell (never a currency of its own), and the deal's amount keeps the
/// currency its own cell names.
#[test]
fn a_currency_column_names_a_currency_or_is_val002() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = "opportunity_id,opportunity_name,account,owner,stage,amount,currency,close_date\n\
               A1,Alpha,Acme,Ann,Qualify,1000,US Dollar,2026-12-01\n\
               A2,Beta,Beta Co,Bo,Qualify,2000,OPP,2026-12-02\n\
               A3,Gamma,Gamma Co,Ann,Qualify,EUR 3000,XYZ-1,2026-12-03\n\
               A4,Delta,Delta Co,Bo,Qualify,4000,€,2026-12-04\n";
    let file = temp_file(&dir, "currencies.csv", csv);
    let a = audit(&[&file], None);
    let val002: Vec<(u64, Option<String>, Option<String>, String)> = said(&a)
        .into_iter()
        .filter(|f| f.code == "VAL002")
        .map(|f| (f.line, f.record_id, f.field, f.message))
        .collect();
    let not = |v: &str| {
        format!(
            "`{v}` is not a currency: write an ISO 4217 code (USD, EUR), a symbol (€, £) or a currency's name (US Dollar)"
        )
    };
    assert_eq!(
        val002,
        vec![
            (3, Some("A2".into()), Some("currency".into()), not("OPP")),
            (4, Some("A3".into()), Some("currency".into()), not("XYZ-1")),
        ]
    );
    let r = report(&a);
    let open: Vec<(Option<String>, String)> = r
        .summary()
        .open_amount
        .iter()
        .map(|m| (m.currency.clone(), m.amount.clone()))
        .collect();
    // A1 in USD (its name), A4 in EUR (its symbol), A3 in EUR (its amount says so), A2
    // without one: no currency called "OPP".
    assert_eq!(
        open,
        vec![
            (None, "2000.00".to_string()),
            (Some("EUR".into()), "7000.00".to_string()),
            (Some("USD".into()), "1000.00".to_string()),
        ]
    );
}
