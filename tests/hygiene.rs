//! One fixture per hygiene check (fixtures/checks/<CODE>/export.csv, with the hygiene rules
//! of fixtures/hygiene/rules.toml), each asserting the exact finding: code, line and field,
//! and nothing else. As of 2026-11-20.

mod common;

use common::{audit, finding, findings};

const RULES: &str = "fixtures/hygiene/rules.toml";

fn check(code: &str) -> Vec<(String, u64, Option<String>)> {
    findings(&audit(
        &[&format!("fixtures/checks/{code}/export.csv")],
        Some(RULES),
    ))
}

fn messages(code: &str) -> Vec<String> {
    let a = audit(
        &[&format!("fixtures/checks/{code}/export.csv")],
        Some(RULES),
    );
    common::messages(&a, "")
}

#[test]
fn clean_hygiene_fixture_has_no_findings() {
    // Includes `BestCase` and Salesforce's API value `Forecast` (= Commit), a won deal with an
    // amount, and a lost deal whose old dates do not matter once closed.
    let a = audit(&["fixtures/hygiene/clean.csv"], Some(RULES));
    assert_eq!(findings(&a), vec![]);
}

#[test]
fn hyg001_close_date_in_the_past() {
    // Line 4 closes on as-of itself (not overdue), line 5 the day before (overdue by one).
    assert_eq!(
        check("HYG001"),
        vec![
            finding("HYG001", 3, Some("close_date")),
            finding("HYG001", 5, Some("close_date"))
        ]
    );
    assert_eq!(
        messages("HYG001"),
        vec![
            "close date 2026-11-01 passed 19 days ago; set a new date or close the deal",
            "close date 2026-11-19 passed 1 day ago; set a new date or close the deal"
        ]
    );
}

#[test]
fn hyg002_no_recent_activity_or_none_recorded() {
    assert_eq!(
        check("HYG002"),
        vec![
            finding("HYG002", 3, Some("last_activity")),
            finding("HYG002", 4, Some("last_activity"))
        ]
    );
    let m = messages("HYG002");
    assert_eq!(
        m[0],
        "no activity for 50 days (limit 14 in Lead); log the latest activity or follow up"
    );
    assert_eq!(
        m[1],
        "no activity recorded; log the latest activity or follow up"
    );
}

#[test]
fn hyg003_stuck_in_stage() {
    assert_eq!(
        check("HYG003"),
        vec![finding("HYG003", 3, Some("stage_changed"))]
    );
    assert_eq!(
        messages("HYG003"),
        vec!["in Lead for 80 days (limit 30); advance the deal, move it back, or close it"]
    );
}

#[test]
fn hyg003_reads_a_days_in_stage_column_when_there_is_no_stage_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = std::fs::read_to_string(RULES).expect("rules").replace(
        "stage_changed = \"Phase Since\"",
        "stage_age = \"Days In Phase\"",
    );
    let rules_path = dir.path().join("rules.toml");
    std::fs::write(&rules_path, rules).expect("write");
    let csv = std::fs::read_to_string("fixtures/checks/HYG003/export.csv")
        .expect("csv")
        .replace("Phase Since", "Days In Phase")
        .replace("2026-11-05,10", "15,10")
        .replace("2026-09-01,10", "80,10");
    let csv_path = dir.path().join("export.csv");
    std::fs::write(&csv_path, csv).expect("write");
    let a = audit(
        &[csv_path.to_str().expect("path")],
        Some(rules_path.to_str().expect("path")),
    );
    assert_eq!(findings(&a), vec![finding("HYG003", 3, Some("stage_age"))]);
}

#[test]
fn hyg004_probability_off_stage() {
    assert_eq!(
        check("HYG004"),
        vec![finding("HYG004", 3, Some("probability"))]
    );
    assert_eq!(
        messages("HYG004"),
        vec!["probability 60% but Lead expects 10% (±20); align the probability or the stage"]
    );
}

#[test]
fn hyg005_forecast_category_not_allowed() {
    assert_eq!(
        check("HYG005"),
        vec![finding("HYG005", 3, Some("forecast_category"))]
    );
    assert_eq!(
        messages("HYG005"),
        vec![
            "Commit is not allowed in Lead (allowed: Pipeline, Omitted); lower the forecast category or advance the deal"
        ]
    );
}

#[test]
fn hyg006_won_without_positive_amount() {
    assert_eq!(check("HYG006"), vec![finding("HYG006", 3, Some("amount"))]);
    assert_eq!(
        messages("HYG006"),
        vec!["won deal has amount 0.00; record what was sold"]
    );
}

#[test]
fn hyg007_closes_before_created() {
    assert_eq!(
        check("HYG007"),
        vec![finding("HYG007", 3, Some("close_date"))]
    );
}

#[test]
fn hyg008_close_date_beyond_the_horizon() {
    assert_eq!(
        check("HYG008"),
        vec![finding("HYG008", 3, Some("close_date"))]
    );
    assert_eq!(
        messages("HYG008"),
        vec!["close date 2028-03-01 is 467 days out (horizon 365); bring it in or close the deal"]
    );
}

#[test]
fn dup002_same_account_and_folded_name_both_open() {
    // Line 3 folds to line 2 (case, punctuation, spacing); line 4 is closed; line 5 has
    // another account.
    assert_eq!(check("DUP002"), vec![finding("DUP002", 3, Some("name"))]);
    assert_eq!(
        messages("DUP002"),
        vec![
            "probably the same deal as line 2 (Acme Corp: `Acme - Renewal 2027`); merge them or close one"
        ]
    );
}

#[test]
fn closed_deals_are_exempt_from_timing_checks() {
    // Lost deal with a past close date, months without activity, long in its stage and a
    // close date beyond the horizon: none of HYG001-003, HYG008 apply once closed.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("closed.csv");
    std::fs::write(
        &path,
        "Ref,Deal,Customer,Rep,Phase,Value,Created,Expected Close,Last Touch,Phase Since,Probability,Forecast,Next Action,Pushes\n\
         C-1,Old deal,Acme,Ana,Lost,0,2025-01-01,2028-06-01,2025-02-01,2025-02-01,0,Omitted,,\n",
    )
    .expect("write");
    let a = audit(&[path.to_str().expect("path")], Some(RULES));
    assert_eq!(findings(&a), vec![]);
}

#[test]
fn hyg010_next_step_expired_or_filler() {
    const CSV: &str = "fixtures/checks/HYG010/export.csv";
    let a = audit(&[CSV], Some(RULES));
    let said = |line: u64, id: &str, field: &str, column: &str, message: &str| common::Said {
        code: "HYG010".to_string(),
        file: CSV.to_string(),
        line,
        record_id: Some(id.to_string()),
        field: Some(field.to_string()),
        column: Some(column.to_string()),
        message: message.to_string(),
    };
    assert_eq!(
        common::said(&a),
        vec![
            // H-1 has a real next step due in five days: nothing.
            said(
                3,
                "H-2",
                "next_step_date",
                "next_step_date",
                "next step was due 2026-11-02, 18 days ago; log what happened and set the next step and its date"
            ),
            said(
                4,
                "H-3",
                "next_step",
                "Next Action",
                "next step `Follow up!` says nothing; write what happens next, who does it and by when"
            ),
            // H-4's "TBD" is a placeholder ([input] empty_values): a missing next step, not
            // filler. H-5's "Follow up with CFO on budget" says something. H-6 is won.
            said(
                8,
                "H-7",
                "next_step",
                "Next Action",
                "next step `Check-in.` says nothing; write what happens next, who does it and by when"
            ),
            // Both at once: one finding per field.
            said(
                9,
                "H-8",
                "next_step",
                "Next Action",
                "next step `ping` says nothing; write what happens next, who does it and by when"
            ),
            said(
                9,
                "H-8",
                "next_step_date",
                "next_step_date",
                "next step was due 2026-11-19, 1 day ago; log what happened and set the next step and its date"
            ),
        ]
    );
    let report = common::report(&a);
    assert!(
        report
            .findings()
            .all(|f| f.severity == pipelint::Severity::Warning)
    );
}

#[test]
fn hyg010_tbd_is_filler_where_it_is_not_a_placeholder_and_the_list_is_tunable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = std::fs::read_to_string(RULES).expect("rules");
    let rules = common::temp_file(
        &dir,
        "r.toml",
        format!("[input]\nempty_values = [\"\", \"-\"]\n\n{base}"),
    );
    let a = audit(&["fixtures/checks/HYG010/export.csv"], Some(&rules));
    assert!(
        findings(&a).contains(&finding("HYG010", 5, Some("next_step"))),
        "{:?}",
        findings(&a)
    );
    assert_eq!(
        common::messages(&a, "HYG010")[2],
        "next step `TBD` says nothing; write what happens next, who does it and by when"
    );

    // [risk] next_step_filler replaces the built-in list.
    let rules = common::temp_file(
        &dir,
        "own.toml",
        format!("{base}next_step_filler = [\"Circle back\", \"ping\"]\n"),
    );
    let a = audit(&["fixtures/checks/HYG010/export.csv"], Some(&rules));
    assert_eq!(
        findings(&a),
        vec![
            finding("HYG010", 3, Some("next_step_date")),
            finding("HYG010", 9, Some("next_step")),
            finding("HYG010", 9, Some("next_step_date")),
        ]
    );
}

/// The Pipedrive preset reads "Deal - Next activity date" as the next step's date: an open
/// deal whose next activity lapsed is HYG010 with no rules file at all.
#[test]
fn hyg010_from_the_pipedrive_preset_next_activity_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = common::temp_file(
        &dir,
        "deals.csv",
        "Deal - ID,Deal - Title,Deal - Organization,Deal - Owner,Deal - Stage,Deal - Status,Deal - Value,Deal - Currency of Value,Deal - Expected close date,Deal - Next activity subject,Deal - Next activity date\n\
         101,Fjord Fisheries fleet tracking,Fjord Fisheries AS,Ingrid Dahl,Negotiations Started,Open,48000,EUR,2026-12-20,Contract review with legal,2026-11-10\n\
         102,Kappa Print refresh,Kappa Print Srl,Luca Bianchi,Negotiations Started,Won,12500,EUR,2026-11-02,Follow up,2026-10-01\n\
         103,Orbit Gyms trial,Orbit Gyms Ltd,Ingrid Dahl,Demo Scheduled,Open,3000,GBP,2026-12-10,Email,2026-11-25\n",
    );
    let a = audit(&[&csv], None);
    let hyg010: Vec<(u64, Option<String>, String)> = common::said(&a)
        .into_iter()
        .filter(|f| f.code == "HYG010")
        .map(|f| (f.line, f.field, f.message))
        .collect();
    assert_eq!(
        hyg010,
        vec![
            (
                2,
                Some("next_step_date".to_string()),
                "next step was due 2026-11-10, 10 days ago; log what happened and set the next step and its date".to_string()
            ),
            (
                4,
                Some("next_step".to_string()),
                "next step `Email` says nothing; write what happens next, who does it and by when".to_string()
            ),
        ]
    );
}

#[test]
fn hyg011_won_deal_closing_in_the_future() {
    assert_eq!(
        check("HYG011"),
        vec![finding("HYG011", 3, Some("close_date"))]
    );
    assert_eq!(
        messages("HYG011"),
        vec!["won, but its close date 2027-03-15 is 115 days after as-of; set the day it was won"]
    );
}

/// An open deal without a close date; a lost one without is no finding.
#[test]
fn hyg012_open_deal_without_a_close_date() {
    assert_eq!(
        check("HYG012"),
        vec![finding("HYG012", 3, Some("close_date"))]
    );
}

/// 22 deals created at one load time: named once, and no deal's close date is compared
/// with it (HYG007 would fire on none of them anyway; the stage and activity dates vary).
#[test]
fn in011_a_load_time_in_the_created_date() {
    assert_eq!(
        check("IN011"),
        vec![finding("IN011", 1, Some("created_date"))]
    );
    assert_eq!(
        messages("IN011"),
        vec![
            "created_date (Created) holds `2026-10-02` on 22 of 22 rows (100%): a load time, \
             not the deal's; dates are not compared with it"
        ]
    );
}

/// Four of five open deals close the day they were created: one IN012, at the first (their
/// overdue close dates are still each deal's HYG001).
#[test]
fn in012_close_date_is_the_created_date_on_most_open_deals() {
    let found = check("IN012");
    assert!(found.contains(&finding("IN012", 2, None)), "{found:?}");
    assert_eq!(found.iter().filter(|f| f.0 == "IN012").count(), 1);
    assert_eq!(found.iter().filter(|f| f.0 == "HYG001").count(), 4);
}
