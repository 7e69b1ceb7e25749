//! `audit --owner NAME`: the deal tables, findings and owner lists of every format limited
//! to those owners' deals; the summary still the whole pipeline's, saying a filter is on.
//!
//! By hand, from fixtures/salesforce_q4_pipeline.csv as of 2026-11-20 (19 deals, 35
//! findings): Marcus Oyelaran owns the deals on lines 4, 5, 11, 16 and 21; their findings
//! are line 5's HYG002, HYG003, REQ002 amount and REQ002 next_step, line 11's HYG002,
//! HYG003 and VAL001, and line 16's HYG001, HYG002, HYG003 and REQ002 next_step: 11, two
//! of them errors (REQ002 amount on line 5, VAL001 on line 11). His
//! deals at risk: Aperture (100), Umbrella Health (100), Cyberdyne (45).

mod common;

use common::{pipelint, run};

const EXPORT: &str = "fixtures/salesforce_q4_pipeline.csv";
const MARCUS_LINES: [u64; 5] = [4, 5, 11, 16, 21];
const FILTER_LINE: &str = "Filter        --owner Marcus Oyelaran: the lists below show 5 of 19 deals and 11 of 35 findings; the figures above are the whole pipeline's";

fn audit(args: &[&str]) -> common::Run {
    run(pipelint()
        .args([
            "audit",
            EXPORT,
            "--as-of",
            "2026-11-20",
            "--owner",
            "Marcus Oyelaran",
        ])
        .args(args))
}

/// (code, line, field) of each finding Marcus's deals have, in report order.
fn marcus_findings() -> Vec<(String, u64, String)> {
    [
        ("HYG002", 5, "last_activity"),
        ("HYG003", 5, "stage_changed"),
        ("REQ002", 5, "amount"),
        ("REQ002", 5, "next_step"),
        ("HYG002", 11, "last_activity"),
        ("HYG003", 11, "stage_changed"),
        ("VAL001", 11, "close_date"),
        ("HYG001", 16, "close_date"),
        ("HYG002", 16, "last_activity"),
        ("HYG003", 16, "stage_changed"),
        ("REQ002", 16, "next_step"),
    ]
    .iter()
    .map(|(c, l, f)| (c.to_string(), *l, f.to_string()))
    .collect()
}

fn sorted(mut v: Vec<(String, u64, String)>) -> Vec<(String, u64, String)> {
    v.sort();
    v
}

#[test]
fn the_table_lists_only_the_owner_s_deals_and_says_the_filter_is_on() {
    let r = audit(&[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    // The summary is still the whole pipeline's.
    assert!(lines.contains(&"  Records       19 deals (1 malformed row left out)"));
    assert!(lines.contains(&"  Findings      10 errors, 25 warnings, 0 info"));
    assert!(
        lines.contains(&format!("  {FILTER_LINE}").as_str()),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Deals at risk (3, riskiest first)"),
        "{}",
        r.stdout
    );
    for other in ["Dana Whitfield", "Priya Raman", "Tomás Ibáñez"] {
        let in_lists = r
            .stdout
            .split("Deals at risk")
            .nth(1)
            .unwrap_or_default()
            .split("Win rate")
            .next()
            .unwrap_or_default();
        assert!(
            !in_lists.contains(other),
            "{other} in the deal list:\n{in_lists}"
        );
    }
}

#[test]
fn json_keeps_the_figures_and_limits_the_lists() {
    let r = audit(&["-f", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(
        doc["filter"],
        serde_json::json!({"owners": ["Marcus Oyelaran"], "deals": 5, "of_deals": 19, "findings": 11, "of_findings": 35})
    );
    assert_eq!(doc["summary"]["records"], 19);
    assert_eq!(doc["summary"]["findings"]["error"], 10);
    let lines: Vec<u64> = doc["deals"]
        .as_array()
        .expect("deals")
        .iter()
        .map(|d| d["line"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(lines, MARCUS_LINES);
    let findings: Vec<(String, u64, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["field"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(sorted(findings), sorted(marcus_findings()));
    let owners: Vec<&str> = doc["pipeline"]["by_owner"]
        .as_array()
        .expect("by_owner")
        .iter()
        .map(|o| o["owner"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(owners, ["Marcus Oyelaran"]);
    let by_code: u64 = doc["findings_by_code"]
        .as_array()
        .expect("by code")
        .iter()
        .map(|c| c["count"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(by_code, 11);
}

#[test]
fn csv_jsonl_and_deals_hold_only_the_owner_s_rows() {
    let r = audit(&["-f", "csv"]);
    let mut reader = csv::Reader::from_reader(r.stdout.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<(String, u64, String)> = reader
        .records()
        .map(|rec| {
            let rec = rec.expect("csv row");
            assert_eq!(&rec[4], "Marcus Oyelaran");
            (
                rec[7].to_string(),
                rec[1].parse().unwrap_or(0),
                rec[9].to_string(),
            )
        })
        .collect();
    assert_eq!(sorted(rows), sorted(marcus_findings()));

    let r = audit(&["-f", "jsonl"]);
    let rows: Vec<(String, u64, String)> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("jsonl line"))
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["field"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(sorted(rows), sorted(marcus_findings()));

    let r = audit(&["-f", "deals"]);
    let mut reader = csv::Reader::from_reader(r.stdout.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().expect("header").clone();
    let line = headers
        .iter()
        .position(|h| h == "line")
        .expect("line column");
    let lines: Vec<u64> = reader
        .records()
        .map(|rec| rec.expect("row")[line].parse().unwrap_or(0))
        .collect();
    assert_eq!(lines, MARCUS_LINES);
}

#[test]
fn sarif_junit_and_github_annotate_only_the_owner_s_findings() {
    let r = audit(&["-f", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("sarif");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 11);

    let r = audit(&["-f", "junit"]);
    let xml = roxmltree::Document::parse(&r.stdout).expect("junit xml");
    let failures: usize = xml
        .descendants()
        .filter(|n| n.has_tag_name("failure") || n.has_tag_name("error"))
        .count();
    assert!(failures > 0);
    let text: String = xml
        .descendants()
        .filter(|n| n.has_tag_name("failure") || n.has_tag_name("error"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        !text.contains("Dana Whitfield") && !text.contains("Priya Raman"),
        "{text}"
    );

    let r = audit(&["-f", "github"]);
    let annotations: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error") || l.starts_with("::warning"))
        .collect();
    assert_eq!(annotations.len(), 11, "{}", r.stdout);
    let last = r.stdout.lines().last().unwrap_or_default();
    assert!(
        last.contains("; --owner Marcus Oyelaran: annotations of 11 of 35 findings"),
        "{last}"
    );
}

#[test]
fn markdown_html_and_owner_lists_say_the_filter_and_hold_only_the_owner() {
    let r = audit(&["-f", "markdown"]);
    assert!(
        r.stdout.contains(
            "--owner Marcus Oyelaran: the lists below show 5 of 19 deals and 11 of 35 findings"
        ),
        "{}",
        r.stdout
    );
    let r = audit(&["-f", "html"]);
    assert!(
        r.stdout.contains(
            "--owner Marcus Oyelaran: the lists below show 5 of 19 deals and 11 of 35 findings"
        ),
        "{}",
        &r.stdout[..2000.min(r.stdout.len())]
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let owners = dir.path().join("owners");
    let r = audit(&["-q", "--report", &format!("owners={}", owners.display())]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let mut files: Vec<String> = std::fs::read_dir(&owners)
        .expect("owners dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["index.md", "marcus-oyelaran.md"]);
}

#[test]
fn owners_match_ignoring_case_repeat_and_an_unknown_one_is_named() {
    let r = run(pipelint().args([
        "audit",
        EXPORT,
        "--as-of",
        "2026-11-20",
        "-f",
        "json",
        "--owner",
        "marcus oyelaran",
        "--owner",
        "Priya Raman",
    ]));
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(
        doc["filter"]["owners"],
        serde_json::json!(["Marcus Oyelaran", "Priya Raman"])
    );
    let r = run(pipelint().args([
        "audit",
        EXPORT,
        "--as-of",
        "2026-11-20",
        "--owner",
        "Marcus Oyelarn",
    ]));
    common::assert_exit_2(
        &r,
        "--owner \"Marcus Oyelarn\": no deal of the export has this owner; did you mean `Marcus Oyelaran`? The owners are Dana Whitfield, Marcus Oyelaran, Priya Raman, Tomás Ibáñez",
    );
}

#[test]
fn the_workbook_lists_only_the_owner_s_deals_and_findings() {
    use calamine::{Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("marcus.xlsx");
    let r = audit(&["-f", "xlsx", "-o", path.to_str().expect("path")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let mut book: Xlsx<_> = open_workbook(&path).expect("the workbook opens");
    let deals = book.worksheet_range("Deals").expect("Deals");
    assert_eq!(
        deals.height(),
        1 + MARCUS_LINES.len(),
        "a header and his 5 deals"
    );
    let findings = book.worksheet_range("Findings").expect("Findings");
    assert_eq!(findings.height(), 1 + marcus_findings().len());
    let summary = book.worksheet_range("Summary").expect("Summary");
    let said: Vec<String> = summary
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
        .collect();
    assert!(
        said.iter().any(|s| s.contains(
            "--owner Marcus Oyelaran: the lists below show 5 of 19 deals and 11 of 35 findings"
        )),
        "{said:?}"
    );
}
