//! Labels as written: the export says `demo`, the generic preset knows it as Discovery by
//! alias. Every format shows `demo`; JSON, JSONL and the CSVs add `Discovery` beside it;
//! the pipeline by stage groups by Discovery and says `demo`.

use serde_json::{Value, json};

use super::common::{AS_OF, pipelint, run};

const EXPORT: &str = "fixtures/traps/labels_as_written.csv";
/// Close dates after 2027-03-01 an error: findings on the deals spelt by alias.
const RULES: &str = "fixtures/truth/labels_rules.toml";
/// The week before: Deal 1 was `proposal sent`, and is `demo` now.
const WEEK_BEFORE: &str = "fixtures/truth/labels_week_before.csv";

fn output(args: &[&str]) -> String {
    let r = run(pipelint()
        .args(args)
        .args(["--as-of", AS_OF, "--color", "never"]));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    r.stdout
}

fn audit(format: &str) -> String {
    output(&["audit", EXPORT, "-r", RULES, "-f", format])
}

/// The cells of the table rows of `section` (its title's first words), trimmed.
fn table_rows(text: &str, section: &str) -> Vec<Vec<String>> {
    text.split("\n\n")
        .find(|block| block.starts_with(section))
        .unwrap_or_else(|| panic!("no section {section}"))
        .lines()
        .filter(|l| l.starts_with('│'))
        .skip(1)
        .map(|l| {
            l.trim_matches('│')
                .split('┆')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn the_table_groups_by_the_rules_stage_and_names_the_labels_as_written() {
    let text = audit("table");
    let stages: Vec<String> = table_rows(&text, "Pipeline by stage")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(
        stages,
        [
            "Prospecting (lead)",
            "Qualification (qualified)",
            "Discovery (demo)",
            "Proposal (proposal sent)",
            "closed_won (unknown)"
        ]
    );
}

#[test]
fn markdown_and_html_group_by_the_rules_stage_and_name_the_labels() {
    let md = audit("markdown");
    assert!(md.contains("\n| Discovery (demo) | 2 | 100.0% | 6,000.00 | 0 | 0 | 2 | - |\n"));
    assert!(
        md.contains("\n| Proposal (proposal sent) | 1 | 100.0% | 3,000.00 | 0 | 0 | 1 | - |\n")
    );
    let html = audit("html");
    assert!(html.contains("<tr><td>Discovery (demo)</td><td class=\"num\">2</td>"));
    assert!(html.contains("<tr><td>Prospecting (lead)</td><td class=\"num\">1</td>"));
}

#[test]
fn json_deals_keep_the_label_as_stage_and_the_rules_stage_beside_it() {
    let doc: Value = serde_json::from_str(&audit("json")).expect("json");
    let stages: Vec<(Value, Value)> = doc["deals"]
        .as_array()
        .expect("deals")
        .iter()
        .map(|d| (d["stage"].clone(), d["stage_canonical"].clone()))
        .collect();
    assert_eq!(
        stages,
        [
            (json!("demo"), json!("Discovery")),
            (json!("qualified"), json!("Qualification")),
            (json!("proposal sent"), json!("Proposal")),
            (json!("closed_won"), Value::Null),
            (json!("demo"), json!("Discovery")),
            (json!("lead"), json!("Prospecting")),
        ]
    );
    let by_stage: Vec<(Value, Value)> = doc["pipeline"]["by_stage"]
        .as_array()
        .expect("by_stage")
        .iter()
        .map(|r| (r["stage"].clone(), r["labels"].clone()))
        .collect();
    assert_eq!(
        by_stage,
        [
            (json!("Prospecting"), json!(["lead"])),
            (json!("Qualification"), json!(["qualified"])),
            (json!("Discovery"), json!(["demo"])),
            (json!("Proposal"), json!(["proposal sent"])),
            (json!("closed_won"), json!(["closed_won"])),
        ]
    );
}

#[test]
fn jsonl_findings_carry_the_label_and_the_rules_stage() {
    let lines: Vec<(Value, Value, Value)> = audit("jsonl")
        .lines()
        .map(|l| {
            let f: Value = serde_json::from_str(l).expect("jsonl");
            (
                f["code"].clone(),
                f["stage"].clone(),
                f["stage_canonical"].clone(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (json!("VAL005"), json!("proposal sent"), json!("Proposal")),
            (json!("VAL005"), json!("closed_won"), Value::Null),
            (json!("VAL006"), json!("closed_won"), Value::Null),
            (json!("VAL005"), json!("demo"), json!("Discovery")),
            (json!("VAL005"), json!("lead"), json!("Prospecting")),
        ]
    );
}

#[test]
fn the_csvs_have_the_label_then_the_rules_stage() {
    let findings = audit("csv");
    let mut lines = findings.lines();
    assert_eq!(
        lines.next(),
        Some(
            "\u{feff}file,line,record_id,deal,owner,stage,stage_canonical,code,severity,field,column,message,streak"
        )
    );
    assert_eq!(
        lines.next(),
        Some(
            "fixtures/traps/labels_as_written.csv,4,L-3,Deal 3,Ann,proposal sent,Proposal,VAL005,error,close_date,close_date,2027-03-15 is above the maximum 2027-03-01,"
        )
    );
    let deals = audit("deals");
    let rows: Vec<&str> = deals.lines().collect();
    assert_eq!(
        rows[0],
        "\u{feff}file,line,id,name,account,owner,stage,stage_canonical,amount,currency,close_date,completeness,risk_score,band,signals,why"
    );
    assert!(rows[1].starts_with(
        "fixtures/traps/labels_as_written.csv,2,L-1,Deal 1,,Ann,demo,Discovery,1000.00,"
    ));
    assert!(rows[4].starts_with(
        "fixtures/traps/labels_as_written.csv,5,L-4,Deal 4,,Ann,closed_won,,4000.00,"
    ));
}

#[test]
fn owner_lists_show_the_label_as_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = format!("owners={}", dir.path().display());
    output(&[
        "audit",
        EXPORT,
        "-r",
        RULES,
        "--report",
        &target,
        "-o",
        "/dev/null",
    ]);
    let ann = std::fs::read_to_string(dir.path().join("ann.md")).expect("ann.md");
    for stage in ["demo", "proposal sent", "lead"] {
        assert!(ann.contains(&format!("Stage: {stage} · ")), "{stage}");
    }
    for canonical in ["Discovery", "Proposal", "Prospecting"] {
        assert!(!ann.contains(&format!("Stage: {canonical}")), "{canonical}");
    }
}

#[test]
fn a_deal_moved_back_is_told_by_its_labels_with_the_rules_stages_beside_them() {
    let chg002 = "stage moved back from `proposal sent` (Proposal) to `demo` (Discovery) since the previous snapshot; note what changed, or correct the stage";
    let doc: Value =
        serde_json::from_str(&output(&["diff", WEEK_BEFORE, EXPORT, "-f", "json"])).expect("json");
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["message"], chg002);
    let moved = doc["changes"]["movements"]
        .as_array()
        .expect("movements")
        .iter()
        .find(|m| {
            m["moves"]
                .as_array()
                .is_some_and(|a| a.contains(&json!("moved_back")))
        })
        .expect("a deal moved back");
    assert_eq!(
        (
            &moved["from"]["stage"],
            &moved["from"]["stage_canonical"],
            &moved["to"]["stage"],
            &moved["to"]["stage_canonical"]
        ),
        (
            &json!("proposal sent"),
            &json!("Proposal"),
            &json!("demo"),
            &json!("Discovery")
        )
    );
    let table = output(&["diff", WEEK_BEFORE, EXPORT]);
    assert_eq!(
        table_rows(&table, "Moved back"),
        [["Deal 1", "Ann", "proposal sent", "demo", "1,000.00", "2"]]
    );
}
