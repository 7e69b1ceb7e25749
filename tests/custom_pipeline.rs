//! A hand-made export with a custom pipeline (fixtures/custom/renewals.*): headers no
//! preset knows, its own stages, weights and conditional rules. Every finding and every
//! completeness figure below was worked out by hand from the rules file.
//!
//! Weights: close_date 2, amount 3, owner 1, others 1. Applicable fields per record are the
//! global requirements (close_date, amount, owner = 6) plus the stage's `requires` plus those
//! of rules whose `when` holds:
//!
//! | line | stage        | extra applicable                        | filled / applicable |
//! |------|--------------|-----------------------------------------|---------------------|
//! | 2    | Not Started  | -                                       | 6 / 6               |
//! | 3    | Outreach     | next_step (stage, red rule), Champion (enterprise rule) | 6 / 8 |
//! | 4    | Negotiating  | next_step, Champion                     | 8 / 8               |
//! | 5    | Negotiating  | next_step, Champion (stage + rule); close_date invalid | 5 / 8 |
//! | 6    | Renewed      | - ; owner missing                       | 5 / 6               |
//! | 7    | Churned      | -                                       | 6 / 6               |
//! | 8    | Outreach     | next_step; amount is the placeholder N/A | 4 / 7              |
//! | 9    | Not Started  | -                                       | 6 / 6               |
//! | 10   | (unknown)    | - (no stage requirements)               | 6 / 6               |
//!
//! Pooled: 52 / 61 = 85.2%.

mod common;

use common::{audit, finding, findings, report};
use pipelint::Severity;

const CSV: &str = "fixtures/custom/renewals.csv";
const RULES: &str = "fixtures/custom/renewals.toml";

#[test]
fn findings_are_exactly_the_hand_derived_ones() {
    let a = audit(&[CSV], Some(RULES));
    assert_eq!(
        findings(&a),
        vec![
            finding("REQ003", 3, Some("Champion")),
            finding("REQ003", 3, Some("next_step")),
            finding("REQ003", 5, Some("Champion")),
            finding("VAL001", 5, Some("close_date")),
            finding("REQ001", 6, Some("owner")),
            finding("REQ001", 8, Some("amount")),
            finding("VAL003", 8, Some("Health")),
            finding("DUP001", 9, Some("id")),
            finding("VAL006", 10, Some("stage")),
        ]
    );
    let r = report(&a);
    let severities: Vec<Severity> = r.findings().map(|f| f.severity).collect();
    // Line 3 Champion: only the warning rule demands it. Line 5 Champion: the stage (error)
    // and the warning rule demand it: most specific code (REQ003), highest severity (error).
    assert_eq!(severities[0], Severity::Warning);
    assert_eq!(severities[2], Severity::Error);
    assert!(severities[3..].iter().all(|s| *s == Severity::Error));
    // Line 3 next_step: the stage and the red-health rule both demand it; the rule's code
    // and message win.
    assert_eq!(
        r.findings()
            .nth(1)
            .map(|f| f.message.into_owned())
            .as_deref(),
        Some("Accounts in red health need a next touch (rule red-needs-plan): next_step is empty")
    );
}

#[test]
fn completeness_matches_hand_computation() {
    let a = audit(&[CSV], Some(RULES));
    let m = report(&a);
    // 52 / 61 pooled.
    assert_eq!(m.summary().completeness, 85.2);

    let fields: Vec<(String, u64, u64, u64, u64, Option<f64>)> = m
        .by_field()
        .iter()
        .map(|r| {
            (
                r.field.clone(),
                r.applicable,
                r.filled,
                r.missing,
                r.invalid,
                r.rate,
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            ("owner".into(), 9, 8, 1, 0, Some(88.9)),
            ("amount".into(), 9, 8, 1, 0, Some(88.9)),
            ("close_date".into(), 9, 8, 0, 1, Some(88.9)),
            ("next_step".into(), 4, 3, 1, 0, Some(75.0)),
            ("Champion".into(), 3, 1, 2, 0, Some(33.3)),
        ]
    );

    let owners: Vec<(Option<String>, u64, f64)> = m
        .by_owner()
        .iter()
        .map(|r| (r.owner.clone(), r.figures.records, r.figures.completeness))
        .collect();
    assert_eq!(
        owners,
        vec![
            (Some("Ana".into()), 3, 90.0),  // 18 / 20
            (Some("Ben".into()), 3, 86.4),  // 19 / 22
            (Some("Cara".into()), 2, 76.9), // 10 / 13
            (None, 1, 83.3),                // 5 / 6
        ]
    );

    let stages: Vec<(Option<String>, bool, u64, f64)> = m
        .by_stage()
        .iter()
        .map(|r| {
            (
                r.stage.clone(),
                r.known,
                r.figures.records,
                r.figures.completeness,
            )
        })
        .collect();
    assert_eq!(
        stages,
        vec![
            (Some("Not Started".into()), true, 2, 100.0),
            (Some("Outreach".into()), true, 2, 66.7), // 10 / 15
            (Some("Negotiating".into()), true, 2, 81.3), // 13 / 16
            (Some("Renewed".into()), true, 1, 83.3),
            (Some("Churned".into()), true, 1, 100.0),
            (Some("Verbal Commit".into()), false, 1, 100.0),
        ]
    );

    let per_deal: Vec<f64> = m.deals().map(|d| d.completeness).collect();
    assert_eq!(
        per_deal,
        vec![100.0, 75.0, 100.0, 62.5, 83.3, 100.0, 57.1, 100.0, 100.0]
    );
}

#[test]
fn open_pipeline_and_amounts_are_exact() {
    let a = audit(&[CSV], Some(RULES));
    // Open = stages without an outcome (Not Started, Outreach, Negotiating): lines 2,3,4,5,8,9.
    let m = report(&a);
    assert_eq!(m.summary().open, 6);
    let open = &m.summary().open_amount;
    assert_eq!(open.len(), 1);
    // 48,000 + 120,000 + 95,500.50 + 210,000 + 10,000 (line 8's amount is N/A).
    assert_eq!(open[0].amount, "483500.50");
    assert_eq!(open[0].currency, None);
}

#[test]
fn select_ignore_and_checks_settings_apply_in_one_place() {
    use pipelint::AuditRequest;
    let run = |select: &[&str], ignore: &[&str]| {
        let a = AuditRequest {
            files: vec![CSV.into()],
            rules: Some(RULES.into()),
            as_of: Some(common::as_of()),
            select: select.iter().map(|s| s.to_string()).collect(),
            ignore: ignore.iter().map(|s| s.to_string()).collect(),
            ..AuditRequest::default()
        }
        .run()
        .expect("audit");
        findings(&a)
    };
    assert_eq!(
        run(&["VAL"], &[]),
        vec![
            finding("VAL001", 5, Some("close_date")),
            finding("VAL003", 8, Some("Health")),
            finding("VAL006", 10, Some("stage")),
        ]
    );
    // With REQ003 off, line 3's next_step falls back to the stage's REQ002, and line 5's
    // Champion to REQ002; line 3's Champion (rule only) disappears.
    let without_rules = run(&[], &["REQ003", "VAL", "DUP"]);
    assert_eq!(
        without_rules,
        vec![
            finding("REQ002", 3, Some("next_step")),
            finding("REQ002", 5, Some("Champion")),
            finding("REQ001", 6, Some("owner")),
            finding("REQ001", 8, Some("amount")),
        ]
    );
}
