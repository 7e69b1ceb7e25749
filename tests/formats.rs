//! Report formats: snapshots of each format for the same audit, and the JSON parsed back
//! against the `pipelint.report/1` contract (docs/GUIDE.md, "Reports").

mod common;

use assert_cmd::Command;
use common::AS_OF;
use serde_json::Value;

fn render(format: &str, extra: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("pipelint")
        .expect("binary")
        .env_remove("NO_COLOR")
        .args([
            "audit",
            "fixtures/custom/renewals.csv",
            "-r",
            "fixtures/custom/renewals.toml",
            "--as-of",
            AS_OF,
            "-f",
            format,
        ])
        .args(extra)
        .output()
        .expect("run");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8 output"),
    )
}

#[test]
fn json_snapshot() {
    // Piped, the JSON is compact: one line. The snapshot shows it parsed and pretty-printed
    // (keys sorted) so a change reads as a diff.
    let (code, json) = render("json", &[]);
    assert_eq!(code, 1);
    assert_eq!(json.lines().count(), 1, "compact JSON is one line");
    let value: Value = serde_json::from_str(&json).expect("valid JSON");
    insta::assert_snapshot!(
        "renewals_json",
        serde_json::to_string_pretty(&value).expect("json")
    );
}

/// The compact JSON is rendered in parallel pieces by a hand-written writer: it must be
/// byte for byte what serde_json's serializer writes for the same report view, and the
/// pretty form (for a terminal) the same document.
#[test]
fn compact_json_is_what_serde_writes() {
    use pipelint::{EmitOptions, Format};
    let dir = tempfile::tempdir().expect("tempdir");
    // More deals and findings than one piece of 2,048, and every kind of row.
    let big = common::temp_file(&dir, "big.csv", common::salesforce_export(9_000));
    for (files, rules) in [
        (vec![big.as_str()], None),
        (vec!["fixtures/salesforce_q4_pipeline.csv"], None),
        (
            vec!["fixtures/custom/renewals.csv"],
            Some("fixtures/custom/renewals.toml"),
        ),
        (
            vec!["fixtures/hygiene/risk.csv"],
            Some("fixtures/hygiene/rules.toml"),
        ),
    ] {
        let audit = common::audit(&files, rules);
        let report = common::report(&audit);
        let mut expected = serde_json::to_vec(&report).expect("serde");
        expected.push(b'\n');
        for threads in [1, 3] {
            let mut ours = Vec::new();
            let options = EmitOptions {
                threads,
                ..EmitOptions::default()
            };
            report
                .emit(Format::Json, &options, &mut ours)
                .expect("emit");
            assert!(
                ours == expected,
                "{files:?} at {threads} threads differs from serde"
            );
        }
        let mut pretty = Vec::new();
        let options = EmitOptions {
            terminal: true,
            ..EmitOptions::default()
        };
        report
            .emit(Format::Json, &options, &mut pretty)
            .expect("emit");
        let a: Value = serde_json::from_slice(&pretty).expect("pretty");
        let b: Value = serde_json::from_slice(&expected).expect("compact");
        assert_eq!(a, b);
    }
}

#[test]
fn table_snapshot() {
    let (code, table) = render("table", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("renewals_table", table);
}

#[test]
fn json_has_every_contract_key() {
    let (_, text) = render("json", &[]);
    let j: Value = serde_json::from_str(&text).expect("valid JSON");
    let keys =
        |v: &Value| -> Vec<String> { v.as_object().expect("object").keys().cloned().collect() };
    assert_eq!(j["schema"], "pipelint.report/1");
    assert_eq!(j["tool"]["name"], "pipelint");
    assert_eq!(j["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(j["as_of"], AS_OF);
    assert_eq!(j["rules"]["source"], "fixtures/custom/renewals.toml");
    for k in [
        "path",
        "records",
        "malformed",
        "skipped",
        "encoding",
        "delimiter",
    ] {
        assert!(j["inputs"][0].get(k).is_some(), "inputs[].{k}");
    }
    for k in [
        "records",
        "open",
        "completeness",
        "findings",
        "open_amount",
        "at_risk_amount",
        "risk",
        "gate",
    ] {
        assert!(keys(&j["summary"]).contains(&k.to_string()), "summary.{k}");
    }
    for k in ["error", "warning", "info"] {
        assert!(j["summary"]["findings"].get(k).is_some());
    }
    for k in ["high", "medium", "low"] {
        assert!(j["summary"]["risk"].get(k).is_some());
    }
    assert_eq!(j["summary"]["gate"]["passed"], false);
    assert_eq!(
        j["summary"]["gate"]["reasons"].as_array().map(Vec::len),
        Some(2)
    );
    for k in ["overall", "by_field", "by_owner", "by_stage"] {
        assert!(j["completeness"].get(k).is_some(), "completeness.{k}");
    }
    for k in [
        "field",
        "column",
        "applicable",
        "filled",
        "missing",
        "invalid",
        "rate",
    ] {
        assert!(
            j["completeness"]["by_field"][0].get(k).is_some(),
            "by_field[].{k}"
        );
    }
    for k in ["owner", "records", "completeness"] {
        assert!(j["completeness"]["by_owner"][0].get(k).is_some());
    }
    for k in ["stage", "records", "completeness"] {
        assert!(j["completeness"]["by_stage"][0].get(k).is_some());
    }
    for k in [
        "file",
        "line",
        "id",
        "name",
        "account",
        "owner",
        "stage",
        "amount",
        "close_date",
        "completeness",
        "risk",
    ] {
        assert!(j["deals"][0].get(k).is_some(), "deals[].{k}");
    }
    for k in [
        "open",
        "open_amount",
        "at_risk_amount",
        "risk",
        "by_owner",
        "by_stage",
    ] {
        assert!(j["pipeline"].get(k).is_some(), "pipeline.{k}");
    }
    for k in [
        "owner",
        "records",
        "completeness",
        "open",
        "open_amount",
        "high_risk",
        "at_risk_amount",
        "risk",
    ] {
        assert!(
            j["pipeline"]["by_owner"][0].get(k).is_some(),
            "pipeline.by_owner[].{k}"
        );
    }
    for k in [
        "stage",
        "known",
        "open",
        "open_amount",
        "high_risk",
        "at_risk_amount",
        "risk",
    ] {
        assert!(
            j["pipeline"]["by_stage"][0].get(k).is_some(),
            "pipeline.by_stage[].{k}"
        );
    }
    // An open deal's risk has a score, a band and its signals in words, each with the
    // points it adds; a closed one none. Its missing next step is its one unmet exit
    // criterion: 20 under exit_criteria, and no_next_step, which says the same fact, 0.
    let c101 = &j["deals"][1]["risk"];
    assert_eq!(c101["score"], 20);
    assert_eq!(c101["band"], "low");
    assert_eq!(c101["signals"][0]["signal"], "exit_criteria");
    assert_eq!(c101["signals"][0]["weight"], 20);
    assert_eq!(c101["signals"][1]["signal"], "no_next_step");
    assert_eq!(c101["signals"][1]["weight"], 0);
    assert_eq!(
        c101["signals"][0]["detail"],
        "exit criteria unmet for Outreach: next_step"
    );
    assert_eq!(
        j["deals"][4]["risk"],
        Value::Null,
        "Renewed is closed: not scored"
    );
    for k in [
        "code",
        "severity",
        "file",
        "line",
        "record_id",
        "field",
        "column",
        "message",
    ] {
        assert!(j["findings"][0].get(k).is_some(), "findings[].{k}");
    }
    // `field` is canonical where mapped, `column` is the header as written.
    let f = &j["findings"][1];
    assert_eq!(
        (f["field"].as_str(), f["column"].as_str()),
        (Some("next_step"), Some("Next Touch"))
    );
    // Percentages have one decimal; money is an exact decimal string.
    assert_eq!(j["completeness"]["overall"], 85.2);
    assert_eq!(j["deals"][2]["amount"], "95500.50");
    assert_eq!(j["deals"][2]["close_date"], "2026-12-31");
}

#[test]
fn findings_are_ordered_by_file_line_code_field() {
    let (_, text) = render("json", &[]);
    let j: Value = serde_json::from_str(&text).expect("json");
    let keys: Vec<(String, u64, String, String)> = j["findings"]
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().expect("file").to_string(),
                f["line"].as_u64().expect("line"),
                f["code"].as_str().expect("code").to_string(),
                // A finding about a whole row has no field: null, never missing.
                match &f["field"] {
                    Value::Null => String::new(),
                    v => v.as_str().expect("field").to_string(),
                },
            )
        })
        .collect();
    assert!(keys.len() > 5, "{} findings", keys.len());
    assert!(
        f_fields_present(&j),
        "every finding has its field key (null when it has none)"
    );
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

/// Whether every finding has a `field` key (null or a name).
fn f_fields_present(j: &Value) -> bool {
    j["findings"]
        .as_array()
        .is_some_and(|a| a.iter().all(|f| f.get("field").is_some()))
}
