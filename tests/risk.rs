//! Forecast risk on a hand-made pipeline (fixtures/hygiene/risk.csv, rules.toml beside it):
//! every deal's score, band and signals, the aggregates, and the gate, predicted by hand.
//!
//! Default weights: overdue 30, stale 20, stage_aged 15, exit_criteria 20,
//! forecast_mismatch 10, no_next_step 10, pushed 15, slipping 20, no_close_date 20; high ≥
//! 60, medium ≥ 30. Graded: a signal's weight at its threshold, plus
//! floor(weight × min(beyond, 3 × scale) / (3 × scale)) past it (`score::grade`). A missing
//! next step that is the stage's one unmet exit criterion is one fact: it scores under
//! `exit_criteria` (20) and `no_next_step` adds nothing. As of 2026-11-20.
//!
//! R-3: idle 12 days against Demo's 10: 20 + floor(20 × 2 / 30) = 21; probability 90 against
//! 40 is 50 off, 30 past the tolerance of 20: 10 + floor(10 × 30 / 60) = 15; 36.
//!
//! | line | deal | stage | signals | score | band |
//! |---|---|---|---|---|---|
//! | 2 | R-1 | Lead | none | 0 | low |
//! | 3 | R-2 | Contract | overdue 10 d, no activity 19 d, 50 d in stage (max 14), next_step unmet, no next step (scored once), pushed 2, slipping | 120 → 100 | high |
//! | 4 | R-3 | Demo | no activity 12 d (Demo's stale_days 10), probability 90 vs 40 | 21 + 15 = 36 | medium |
//! | 5 | R-4 | Lead | Commit not allowed in Lead | 10 | low |
//! | 6 | R-5 | Won | closed: not scored | – | – |
//! | 7 | R-6 | Verbal Commit | unknown stage: not scored | – | – |
//! | 8 | R-7 | Demo | amount unmet | 20 | low |
//! | 9 | R-8 | Contract | no activity recorded, pushed once | 35 | medium |

mod common;

use common::{audit, finding, findings, report};
use pipelint::{Band, DealRisk};

const CSV: &str = "fixtures/hygiene/risk.csv";
const RULES: &str = "fixtures/hygiene/rules.toml";

fn risks(a: &pipelint::AuditRun) -> Vec<(String, Option<DealRisk>)> {
    report(a)
        .deals()
        .map(|d| (d.id.unwrap_or_default().to_string(), d.risk))
        .collect()
}

fn words(r: &Option<DealRisk>) -> (Option<u8>, Option<Band>, Vec<(&'static str, String)>) {
    match r {
        Some(r) => (
            r.score,
            r.band,
            r.signals
                .iter()
                .map(|s| (s.signal, s.detail.clone()))
                .collect(),
        ),
        None => (None, None, vec![]),
    }
}

#[test]
fn every_deal_scores_as_predicted() {
    let a = audit(&[CSV], Some(RULES));
    let r = risks(&a);
    let s = |x: &str| x.to_string();
    assert_eq!(words(&r[0].1), (Some(0), Some(Band::Low), vec![]));
    assert_eq!(
        words(&r[1].1),
        (
            Some(100),
            Some(Band::High),
            vec![
                ("overdue", s("overdue 10 days")),
                ("stale", s("no activity for 19 days: 1.3× the 14-day limit")),
                (
                    "stage_aged",
                    s("50 days in Contract: 3.5× the 14-day limit")
                ),
                (
                    "exit_criteria",
                    s("exit criteria unmet for Contract: next_step")
                ),
                (
                    "no_next_step",
                    s("no next step; scored once with the exit criteria")
                ),
                ("pushed", s("pushed 2 times")),
                ("slipping", s("slipping: pushed 2 times")),
            ]
        )
    );
    assert_eq!(
        words(&r[2].1),
        (
            Some(36),
            Some(Band::Medium),
            vec![
                ("stale", s("no activity for 12 days: 1.2× the 10-day limit")),
                ("forecast_mismatch", s("probability 90% vs 40% for Demo")),
            ]
        )
    );
    assert_eq!(
        words(&r[3].1),
        (
            Some(10),
            Some(Band::Low),
            vec![("forecast_mismatch", s("Commit not allowed in Lead"))]
        )
    );
    assert_eq!(r[4].1, None, "closed deals are not scored");
    assert_eq!(
        words(&r[5].1),
        (
            None,
            None,
            vec![(
                "unknown_stage",
                s("unknown stage `Verbal Commit`: not scored as open or closed")
            )]
        )
    );
    assert_eq!(
        words(&r[6].1),
        (
            Some(20),
            Some(Band::Low),
            vec![("exit_criteria", s("exit criteria unmet for Demo: amount"))]
        )
    );
    assert_eq!(
        words(&r[7].1),
        (
            Some(35),
            Some(Band::Medium),
            vec![
                ("stale", s("no activity recorded")),
                ("pushed", s("pushed once"))
            ]
        )
    );
}

#[test]
fn hygiene_findings_match_the_signals() {
    let a = audit(&[CSV], Some(RULES));
    assert_eq!(
        findings(&a),
        vec![
            finding("HYG001", 3, Some("close_date")),
            finding("HYG002", 3, Some("last_activity")),
            finding("HYG003", 3, Some("stage_changed")),
            // Pushed twice by its push-count column: serial slippage.
            finding("HYG009", 3, Some("close_date")),
            finding("REQ002", 3, Some("next_step")),
            finding("HYG002", 4, Some("last_activity")),
            finding("HYG004", 4, Some("probability")),
            finding("HYG005", 5, Some("forecast_category")),
            finding("VAL006", 7, Some("stage")),
            finding("REQ002", 8, Some("amount")),
            finding("HYG002", 9, Some("last_activity")),
        ]
    );
}

#[test]
fn aggregates_by_band_owner_and_stage() {
    let a = audit(&[CSV], Some(RULES));
    let m = report(&a);
    let s = m.summary();
    assert_eq!(s.open, 6);
    assert_eq!((s.risk.high, s.risk.medium, s.risk.low), (1, 2, 3));
    assert_eq!(s.open_amount[0].amount, "140000.00");
    assert_eq!(s.at_risk_amount[0].amount, "80000.00");

    let owners: Vec<(String, u64, u64, String, String)> = m
        .by_owner()
        .iter()
        .map(|r| {
            (
                r.owner.clone().unwrap_or_default(),
                r.figures.open,
                r.figures.high_risk,
                r.figures
                    .open_amount
                    .first()
                    .map(|x| x.amount.clone())
                    .unwrap_or_default(),
                r.figures
                    .at_risk_amount
                    .first()
                    .map(|x| x.amount.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        owners,
        vec![
            ("Ana".into(), 2, 1, "85000.00".into(), "80000.00".into()),
            ("Ben".into(), 2, 0, "15000.00".into(), String::new()),
            ("Cara".into(), 2, 0, "40000.00".into(), String::new()),
        ]
    );
    let stages: Vec<(String, u64, [u64; 3])> = m
        .by_stage()
        .iter()
        .map(|r| {
            (
                r.stage.clone().unwrap_or_default(),
                r.figures.open,
                [
                    r.figures.risk.high,
                    r.figures.risk.medium,
                    r.figures.risk.low,
                ],
            )
        })
        .collect();
    assert_eq!(
        stages,
        vec![
            ("Lead".into(), 2, [0, 0, 2]),
            ("Demo".into(), 2, [0, 1, 1]),
            ("Contract".into(), 2, [1, 1, 0]),
            ("Won".into(), 0, [0, 0, 0]),
            ("Verbal Commit".into(), 0, [0, 0, 0]),
        ]
    );
}

#[test]
fn riskiest_first_ties_by_amount() {
    let a = audit(&[CSV], Some(RULES));
    let r = report(&a);
    let (top, total) = r.riskiest(10);
    let ids: Vec<&str> = top.iter().filter_map(|d| d.id).collect();
    // R-2 (100), then R-3 (36) before R-8 (35); low-band deals are not "at risk".
    assert_eq!((ids, total), (vec!["R-2", "R-3", "R-8"], 3));
    let (first, total) = r.riskiest(1);
    assert_eq!((first.len(), total), (1, 3));
}

#[test]
fn weights_thresholds_and_stage_limits_are_tunable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = std::fs::read_to_string(RULES).expect("rules").replace(
        "[risk]\nstale_days = 14",
        "[risk]\nstale_days = 14\nweights = { forecast_mismatch = 40, pushed = 0 }\nhigh = 40\nmedium = 20",
    );
    let path = dir.path().join("rules.toml");
    std::fs::write(&path, rules).expect("write");
    let a = audit(&[CSV], Some(path.to_str().expect("path")));
    let scores: Vec<Option<u8>> = risks(&a)
        .iter()
        .map(|(_, r)| r.as_ref().and_then(|r| r.score))
        .collect();
    // R-2: over 100 before any grading, capped at 100; R-3: stale 21 + mismatch 40 + floor(40 ×
    // 30 / 60) = 81; R-4: mismatch 40 (a forecast category has no distance); R-8: stale 20,
    // pushed now 0.
    assert_eq!(
        scores,
        vec![
            Some(0),
            Some(100),
            Some(81),
            Some(40),
            None,
            None,
            Some(20),
            Some(20)
        ]
    );
    let bands: Vec<Option<Band>> = risks(&a)
        .iter()
        .map(|(_, r)| r.as_ref().and_then(|r| r.band))
        .collect();
    assert_eq!(bands[3], Some(Band::High));
    assert_eq!(bands[6], Some(Band::Medium));
}

#[test]
fn signals_do_not_depend_on_which_findings_are_shown() {
    let a = pipelint::AuditRequest {
        files: vec![CSV.into()],
        rules: Some(RULES.into()),
        as_of: Some(common::as_of()),
        ignore: vec!["HYG".into()],
        ..Default::default()
    }
    .run()
    .expect("audit");
    assert!(findings(&a).iter().all(|f| !f.0.starts_with("HYG")));
    let r = risks(&a);
    assert_eq!(r[1].1.as_ref().and_then(|r| r.score), Some(100));
}

/// `no_next_step` says which: missing, expired or filler (fixtures/checks/HYG010/export.csv), in
/// the JSON report as a CI job reads it.
#[test]
fn no_next_step_says_missing_expired_or_filler_in_json() {
    let r = common::run(common::pipelint().args([
        "audit",
        "fixtures/checks/HYG010/export.csv",
        "-r",
        RULES,
        "--as-of",
        common::AS_OF,
        "-f",
        "json",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let deals = json["deals"].as_array().expect("deals");
    let signals: Vec<(String, serde_json::Value)> = deals
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap_or("").to_string(),
                d["risk"]["signals"].clone(),
            )
        })
        .collect();
    let next_step = |detail: &str| serde_json::json!([{"signal": "no_next_step", "weight": 10, "detail": detail}]);
    let none = serde_json::json!([]);
    assert_eq!(
        signals,
        vec![
            ("H-1".to_string(), none.clone()),
            (
                "H-2".to_string(),
                next_step("next step expired 18 days ago")
            ),
            ("H-3".to_string(), next_step("next step is filler")),
            // "TBD" is a placeholder: the next step is missing (not HYG010).
            ("H-4".to_string(), next_step("no next step")),
            ("H-5".to_string(), none),
            // Closed deals are not scored.
            ("H-6".to_string(), serde_json::Value::Null),
            ("H-7".to_string(), next_step("next step is filler")),
            (
                "H-8".to_string(),
                next_step("next step expired 1 day ago; next step is filler")
            ),
        ]
    );
    assert_eq!(json["deals"][1]["risk"]["score"], 10);
}

/// One fact, one score: a Contract deal (which requires amount and next step) whose only
/// fault is its missing next step scored 20 for the unmet exit criterion and 10 more for
/// `no_next_step`, 30 and medium; it scores 20, low, and both reasons are still named.
/// With `amount` missing too, the exit criteria stand for it as well and both count: two
/// unmet, 20 + floor(20 × 1 / 3) = 26, and 10 for the next step, 36.
#[test]
fn a_missing_next_step_counts_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header = "Ref,Deal,Customer,Rep,Phase,Value,Created,Expected Close,Last Touch,Phase Since,Probability,Forecast,Next Action,Pushes\n";
    let csv = format!(
        "{header}C-1,Only the next step,Acme,Ana,Contract,5000,2026-11-01,2027-01-15,2026-11-18,2026-11-15,80,Commit,,0\n\
         C-2,Amount and next step,Acme,Ana,Contract,,2026-11-01,2027-01-15,2026-11-18,2026-11-15,80,Commit,,0\n"
    );
    let path = common::temp_file(&dir, "contract.csv", csv);
    let a = audit(&[&path], Some(RULES));
    let r = risks(&a);
    let weights = |r: &Option<DealRisk>| -> Vec<(&'static str, u32)> {
        r.as_ref()
            .map(|r| r.signals.iter().map(|s| (s.signal, s.weight)).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        (r[0].1.as_ref().and_then(|r| r.score), weights(&r[0].1)),
        (Some(20), vec![("exit_criteria", 20), ("no_next_step", 0)])
    );
    assert_eq!(r[0].1.as_ref().and_then(|r| r.band), Some(Band::Low));
    assert_eq!(
        (r[1].1.as_ref().and_then(|r| r.score), weights(&r[1].1)),
        (Some(36), vec![("exit_criteria", 26), ("no_next_step", 10)])
    );
}

/// `no_close_date` (fixtures/checks/HYG012/export.csv): the open deal without a close date
/// (H-2, line 3) is at risk for it, 20 points, beside its HYG012 finding; the lost one
/// without a date (H-3) is closed and not scored.
#[test]
fn an_open_deal_without_a_close_date_is_at_risk() {
    let a = audit(&["fixtures/checks/HYG012/export.csv"], Some(RULES));
    assert_eq!(findings(&a), vec![finding("HYG012", 3, Some("close_date"))]);
    let r = risks(&a);
    let s = |x: &str| x.to_string();
    assert_eq!(words(&r[0].1), (Some(0), Some(Band::Low), vec![]));
    assert_eq!(
        words(&r[1].1),
        (
            Some(20),
            Some(Band::Low),
            vec![("no_close_date", s("no close date"))]
        )
    );
    assert_eq!(r[2].1, None);
}

/// Without a stage-changed date, `stage_aged` reads the deal's age and says so: a Contract
/// deal (max_days 14) created 2026-09-01 is 80 days old on 2026-11-20, 66 days past the
/// limit, more than three limits: 15 + floor(15 × 42 / 42) = 30. With a stage-changed date
/// of 2026-11-10 (10 days) it is not aged, whatever its age.
#[test]
fn stage_aged_reads_the_deal_age_when_nothing_says_when_it_entered_the_stage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header = "Ref,Deal,Customer,Rep,Phase,Value,Created,Expected Close,Last Touch,Probability,Forecast,Next Action\n";
    let no_date = common::temp_file(
        &dir,
        "aged.csv",
        format!(
            "{header}A-1,Old contract,Acme,Ana,Contract,5000,2026-09-01,2027-01-15,2026-11-18,80,Commit,Sign\n"
        ),
    );
    // The same rules without the columns this export lacks.
    let rules = std::fs::read_to_string(RULES)
        .expect("rules")
        .replace("stage_changed = \"Phase Since\"\n", "")
        .replace("push_count = \"Pushes\"\n", "");
    let rules = common::temp_file(&dir, "rules.toml", rules);
    let a = audit(&[&no_date], Some(&rules));
    let r = risks(&a);
    assert_eq!(
        words(&r[0].1),
        (
            Some(30),
            Some(Band::Medium),
            vec![(
                "stage_aged",
                "open 80 days, 5.7× Contract's 14-day limit (no stage-change date: its age)"
                    .to_string()
            )]
        )
    );
    assert!(
        findings(&a).iter().all(|f| f.0 != "HYG003"),
        "HYG003 speaks of the time in the stage, which nothing gives"
    );
    let dated = common::temp_file(
        &dir,
        "dated.csv",
        "Ref,Deal,Customer,Rep,Phase,Value,Created,Expected Close,Last Touch,Phase Since,Probability,Forecast,Next Action,Pushes\n\
         A-1,Old contract,Acme,Ana,Contract,5000,2026-09-01,2027-01-15,2026-11-18,2026-11-10,80,Commit,Sign,0\n",
    );
    let a = audit(&[&dated], Some(RULES));
    assert_eq!(words(&risks(&a)[0].1), (Some(0), Some(Band::Low), vec![]));
}

/// `[risk] grading = "off"` restores on/off scoring: R-3 is stale 20 + mismatch 10 = 30 again
/// (graded, 36), R-2's points are each signal's weight.
#[test]
fn grading_off_scores_every_signal_its_weight() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = std::fs::read_to_string(RULES).expect("rules").replace(
        "[risk]\nstale_days = 14",
        "[risk]\nstale_days = 14\ngrading = \"off\"",
    );
    let path = dir.path().join("rules.toml");
    std::fs::write(&path, rules).expect("write");
    let a = audit(&[CSV], Some(path.to_str().expect("path")));
    let r = risks(&a);
    assert_eq!(r[2].1.as_ref().and_then(|r| r.score), Some(30));
    let weights: Vec<(&str, u32)> = r[1]
        .1
        .as_ref()
        .map(|r| r.signals.iter().map(|s| (s.signal, s.weight)).collect())
        .unwrap_or_default();
    assert_eq!(
        weights,
        [
            ("overdue", 30),
            ("stale", 20),
            ("stage_aged", 15),
            ("exit_criteria", 20),
            ("no_next_step", 0),
            ("pushed", 15),
            ("slipping", 20)
        ]
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(RULES).expect("rules").replace(
            "[risk]\nstale_days = 14",
            "[risk]\nstale_days = 14\ngrading = \"log\"",
        ),
    )
    .expect("write");
    let out = common::run(common::pipelint().args(["rules", "check", bad.to_str().expect("path")]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("risk.grading must be \"linear\""),
        "{}",
        out.stderr
    );
}

/// The `future_won` data note (fixtures/checks/HYG011/export.csv): H-2 is won but dated
/// 2027-03-15, after the as-of; the win rate's window ends at the as-of, so it counts only
/// H-3 (1 of 1), and says that one won deal was left out, in JSON and in words.
#[test]
fn won_deals_dated_after_the_as_of_are_a_data_note_of_the_win_rate() {
    let args = |format: &str| {
        common::run(common::pipelint().args([
            "audit",
            "fixtures/checks/HYG011/export.csv",
            "-r",
            RULES,
            "--as-of",
            common::AS_OF,
            "--color",
            "never",
            "-f",
            format,
        ]))
    };
    let json: serde_json::Value = serde_json::from_str(&args("json").stdout).expect("json");
    let w = &json["health"]["win_rate"];
    assert_eq!(w["future_won"], 1);
    assert_eq!(
        (
            w["overall"]["won"].as_u64(),
            w["overall"]["closed"].as_u64()
        ),
        (Some(1), Some(1))
    );
    for format in ["table", "markdown"] {
        let out = args(format).stdout;
        assert!(
            out.contains("data note: 1 won deal dated after the as-of (HYG011) is left out"),
            "{format}: {out}"
        );
    }
}
