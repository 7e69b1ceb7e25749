//! The reports CI reads: SARIF (rules, locations, fingerprints stable week to week, the
//! result cap), JUnit (suites, cases, the gate), GitHub annotations and the job summary,
//! and a Markdown comment's size.

use super::*;

/// One rule per check that ran, with its explanation as help; relative URIs; fingerprints
/// from record id, code and field.
#[test]
fn sarif_rules_locations_and_fingerprints() {
    let log: Value = serde_json::from_slice(&render(Q4, "sarif", &[])).expect("JSON");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let codes: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    let listed = rules_list();
    for code in &codes {
        assert!(listed.contains(code), "{code}");
    }
    let hyg001 = rules
        .iter()
        .find(|r| r["id"] == "HYG001")
        .expect("HYG001 rule");
    let help = hyg001["help"]["text"].as_str().expect("help text");
    assert!(
        help.contains("What it checks") && help.contains("How to fix"),
        "{help}"
    );
    for result in run["results"].as_array().expect("results") {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"],
            "fixtures/salesforce_q4_pipeline.csv"
        );
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(location["region"]["startLine"].as_u64().expect("line") >= 2);
        assert_eq!(
            result["partialFingerprints"]["pipelint/v1"]
                .as_str()
                .map(str::len),
            Some(16)
        );
    }
    // An ignored code has no rule.
    let log: Value =
        serde_json::from_slice(&render(Q4, "sarif", &["--ignore", "HYG"])).expect("JSON");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(
        rules
            .iter()
            .all(|r| !r["id"].as_str().unwrap_or("").starts_with("HYG"))
    );
}

/// A deal that did not change between two weekly exports keeps its finding's fingerprint,
/// even on another line of another file; a different problem gets a different one.
#[test]
fn sarif_fingerprints_are_stable_across_weekly_runs() {
    let week = |file: &str, as_of: &str| -> Vec<(String, u64, String)> {
        let out = pipelint()
            .args(["audit", file, "--as-of", as_of, "-f", "sarif"])
            .output()
            .expect("run");
        let log: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().expect("rule").to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .expect("line"),
                    r["partialFingerprints"]["pipelint/v1"]
                        .as_str()
                        .expect("fingerprint")
                        .to_string(),
                )
            })
            .collect()
    };
    let before = week("fixtures/reports/weekly_2026-11-13.csv", "2026-11-13");
    let after = week("fixtures/reports/weekly_2026-11-20.csv", "2026-11-20");
    let globex = |results: &[(String, u64, String)]| {
        results
            .iter()
            .find(|r| r.0 == "REQ002")
            .cloned()
            .expect("Globex's REQ002")
    };
    let (old, new) = (globex(&before), globex(&after));
    assert_eq!((old.1, new.1), (3, 5), "the deal moved down two lines");
    assert_eq!(old.2, new.2, "same deal, code and field: same fingerprint");
    let others: Vec<&String> = after
        .iter()
        .filter(|r| r.0 != "REQ002")
        .map(|r| &r.2)
        .collect();
    assert!(!others.is_empty() && others.iter().all(|f| **f != new.2));
}

/// Results are capped at 25,000 (errors first), with a notification saying so.
#[test]
fn sarif_caps_results_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = common::temp_file(&dir, "big.csv", common::salesforce_export(30_000));
    let log: Value = serde_json::from_slice(&render(&big, "sarif", &[])).expect("JSON");
    let json: Value = serde_json::from_slice(&render(&big, "json", &[])).expect("JSON");
    let total = json["findings"].as_array().expect("findings").len();
    let errors = json["summary"]["findings"]["error"]
        .as_u64()
        .expect("errors") as usize;
    assert!(total > 25_000, "the export must overflow the cap: {total}");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 25_000);
    let shown_errors = results.iter().filter(|r| r["level"] == "error").count();
    assert_eq!(
        shown_errors,
        errors.min(25_000),
        "every error is kept first"
    );
    let note = log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .expect("a notification");
    assert!(
        note.starts_with(&format!("25000 of {total} findings")),
        "{note}"
    );
    sarif_schema_errors(&log).expect("schema-valid");
}

/// One suite per input file, one case per code that ran, failing ones with the count and
/// the first 100 findings; a gate case with the gate's reasons.
#[test]
fn junit_suites_cases_and_gate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = common::temp_file(&dir, "big.csv", common::salesforce_export(1_000));
    let xml = text(render(Q4, "junit", &[big.as_str()]));
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let suites: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: Vec<&str> = suites.iter().filter_map(|s| s.attribute("name")).collect();
    assert_eq!(names, [Q4, big.as_str(), "gate"]);
    let listed = rules_list();
    // Every code has a case; the change checks, which need a previous snapshot, are
    // skipped with why.
    let code = regex::Regex::new(r"^[A-Z]+[0-9]{3} ").expect("regex");
    let codes = listed.lines().filter(|l| code.is_match(l)).count();
    assert!(codes > 20, "{listed}");
    for suite in &suites[..2] {
        let cases: Vec<roxmltree::Node> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(cases.len(), codes, "one case per check code");
        assert_eq!(suite.attribute("tests"), Some(codes.to_string().as_str()));
    }
    let chg = suites[0]
        .children()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("CHG001"))
        .expect("a CHG001 case");
    let skipped = chg
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .expect("CHG001 is skipped without a previous snapshot");
    assert_eq!(
        skipped.attribute("message"),
        Some("no previous snapshot to compare with (audit --previous FILE)")
    );
    fn case<'a, 'i>(suite: roxmltree::Node<'a, 'i>, code: &str) -> roxmltree::Node<'a, 'i> {
        suite
            .children()
            .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some(code))
            .expect(code)
    }
    // In the fixture: one HYG001 (Aperture, line 16); no DUP002.
    let hyg001 = case(suites[0], "HYG001");
    let failure = hyg001
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("failing");
    assert_eq!(
        failure.attribute("message"),
        Some("1 finding: open deal whose close date is in the past")
    );
    assert!(failure.text().expect("listing").starts_with(
        "line 16: Aperture - Test Chambers: close_date: close date 2026-11-14 passed 6 days ago"
    ));
    assert!(
        case(suites[0], "DUP002")
            .children()
            .all(|n| !n.is_element())
    );
    // The big export's most frequent failure lists 100 and counts the rest.
    let busiest = suites[1]
        .children()
        .filter_map(|c| c.children().find(|n| n.has_tag_name("failure")))
        .max_by_key(|f| {
            f.attribute("message")
                .and_then(|m| m.split(' ').next())
                .and_then(|n| n.replace(',', "").parse::<usize>().ok())
                .unwrap_or(0)
        })
        .expect("failures");
    let listing = busiest.text().expect("listing");
    assert_eq!(
        listing.lines().filter(|l| l.starts_with("line ")).count(),
        100
    );
    assert!(
        listing.lines().last().expect("last").starts_with("… and "),
        "{listing}"
    );
    let gate = case(suites[2], "gate");
    let failure = gate
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("gate failed");
    assert!(
        failure
            .attribute("message")
            .expect("reasons")
            .contains("findings at error or above"),
    );
}

/// At most 50 annotations, errors first, then one summary line; with
/// `GITHUB_STEP_SUMMARY` set, the Markdown report is appended to that file.
#[test]
fn github_annotations_are_capped_and_the_job_summary_appended() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = common::temp_file(&dir, "big.csv", common::salesforce_export(1_000));
    let summary = common::temp_file(&dir, "summary.md", "# Earlier step\n");
    let out = pipelint()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["audit", &big, "--as-of", AS_OF, "-f", "github"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let out = text(out.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 51);
    let levels: Vec<&str> = lines[..50]
        .iter()
        .map(|l| l.split(' ').next().expect("level"))
        .collect();
    let first_warning = levels.iter().position(|l| *l != "::error").unwrap_or(50);
    assert!(
        levels[first_warning..].iter().all(|l| *l != "::error"),
        "errors first"
    );
    assert!(
        lines[50].contains("50 annotations shown of"),
        "{}",
        lines[50]
    );
    let written = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        written.starts_with("# Earlier step\n## pipelint audit"),
        "{written}"
    );
    assert!(written.contains("### Deals at risk"));
}

/// Under 65,000 characters, a GitHub comment's limit, and it says what it left out.
#[test]
fn markdown_stays_under_a_github_comment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = common::temp_file(&dir, "big.csv", common::salesforce_export(3_000));
    let md = text(render(&big, "markdown", &["--top", "5000"]));
    assert!(md.chars().count() <= 65_000, "{}", md.chars().count());
    let last = md.trim_end().lines().last().expect("lines");
    assert!(
        last.starts_with("… and ") && last.contains("left out to stay under 65000 characters"),
        "{last}"
    );
}
