//! One fixture per check code (fixtures/checks/<CODE>/export.csv), each asserting the exact
//! finding: code, line and field, and nothing else. tests/codes.rs holds every code to its
//! fixture directory and expected findings.

mod common;

use common::{audit, finding, findings, messages, report, said, try_audit};

const RULES: &str = "fixtures/checks/rules.toml";

fn check(code: &str) -> Vec<(String, u64, Option<String>)> {
    let path = format!("fixtures/checks/{code}/export.csv");
    findings(&audit(&[&path], Some(RULES)))
}

#[test]
fn clean_fixture_has_no_findings() {
    let a = audit(&["fixtures/checks/clean.csv"], Some(RULES));
    assert_eq!(findings(&a), vec![]);
    let r = report(&a);
    assert_eq!(r.summary().records, 4);
    assert_eq!(r.summary().completeness, 100.0);
}

#[test]
fn in001_missing_mapped_column_stops_the_audit() {
    let err = try_audit(&["fixtures/checks/IN001/export.csv"], Some(RULES))
        .err()
        .expect("IN001 must stop the audit");
    let msg = format!("{err:#}");
    assert!(msg.contains("1 mapped column is missing (IN001)"), "{msg}");
    assert!(
        msg.contains("next_step: \"Next Action\" (named at fixtures/checks/rules.toml:15:1); closest headers: Next Move, Region, Deal"),
        "{msg}"
    );
}

#[test]
fn in002_ragged_row() {
    assert_eq!(check("IN002"), vec![finding("IN002", 3, None)]);
    let a = audit(&["fixtures/checks/IN002/export.csv"], Some(RULES));
    let r = report(&a);
    assert_eq!(r.inputs()[0].records, 3);
    assert_eq!(r.inputs()[0].malformed, 1);
    assert_eq!(r.deal_count(), 2, "the malformed row is left out of deals");
    let f = &said(&a)[0];
    assert_eq!(f.file, "fixtures/checks/IN002/export.csv");
    assert_eq!(f.record_id.as_deref(), Some("D-2"));
    assert!(
        f.message.contains("row has 12 fields, the header has 11"),
        "{}",
        f.message
    );
}

#[test]
fn in003_text_that_is_not_utf8() {
    assert_eq!(check("IN003"), vec![finding("IN003", 4, None)]);
    let a = audit(&["fixtures/checks/IN003/export.csv"], Some(RULES));
    let r = report(&a);
    assert_eq!(r.inputs()[0].encoding, "windows-1252");
    let d = r.deals().nth(2).expect("third deal");
    assert_eq!(d.account, Some("Société Gamma"));
    let message = &messages(&a, "IN003")[0];
    assert!(message.contains("decoded as windows-1252"), "{message}");
}

#[test]
fn in004_report_footer_skipped() {
    assert_eq!(check("IN004"), vec![finding("IN004", 7, None)]);
    let a = audit(&["fixtures/checks/IN004/export.csv"], Some(RULES));
    let input = report(&a).inputs()[0].clone();
    assert_eq!((input.records, input.skipped), (4, 5));
    assert_eq!(
        messages(&a, "IN004"),
        vec!["skipped 5 report footer and summary rows (first at line 7)"]
    );
}

#[test]
fn in005_duplicate_header() {
    assert_eq!(check("IN005"), vec![finding("IN005", 1, Some("region"))]);
    let a = audit(&["fixtures/checks/IN005/export.csv"], Some(RULES));
    let f = &said(&a)[0];
    assert_eq!(f.column.as_deref(), Some("region"));
    assert!(
        f.message.starts_with("header `region` appears in columns"),
        "{}",
        f.message
    );
}

#[test]
fn req001_required_field_missing() {
    assert_eq!(check("REQ001"), vec![finding("REQ001", 3, Some("name"))]);
}

#[test]
fn req002_stage_exit_criteria() {
    assert_eq!(
        check("REQ002"),
        vec![finding("REQ002", 3, Some("next_step"))]
    );
    let a = audit(&["fixtures/checks/REQ002/export.csv"], Some(RULES));
    assert!(
        messages(&a, "REQ002")[0]
            .contains("stage `Contract` requires next_step, which holds the placeholder `TBD`")
    );
}

#[test]
fn req003_conditional_rule() {
    assert_eq!(
        check("REQ003"),
        vec![finding("REQ003", 3, Some("PO Number"))]
    );
    let a = audit(&["fixtures/checks/REQ003/export.csv"], Some(RULES));
    assert_eq!(
        messages(&a, "REQ003"),
        vec!["Deals of 50k or more need a PO number (rule big-deal-po): PO Number is empty"]
    );
}

/// Every finding of `csv` audited with `rules` through the binary, as JSON lines: (code,
/// severity, file, line, record id, field, message), and the exit code.
fn jsonl(csv: &str, rules: &str) -> (i32, Vec<[String; 7]>) {
    let r = common::run(common::pipelint().args([
        "audit",
        csv,
        "-r",
        rules,
        "--as-of",
        common::AS_OF,
        "-f",
        "jsonl",
    ]));
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let rows = r
        .stdout
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let s = |k: &str| match &v[k] {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            [
                s("code"),
                s("severity"),
                s("file"),
                s("line"),
                s("record_id"),
                s("field"),
                s("message"),
            ]
        })
        .collect();
    (r.code, rows)
}

fn row(fields: [&str; 7]) -> [String; 7] {
    fields.map(str::to_string)
}

#[test]
fn rul001_conditional_value_tests() {
    const CSV: &str = "fixtures/checks/RUL001/export.csv";
    let (code, rows) = jsonl(CSV, "fixtures/checks/RUL001/rules.toml");
    assert_eq!(
        rows,
        vec![
            // amount 120,000 with one contact; the rule has no message: one is made.
            row([
                "RUL001",
                "warning",
                CSV,
                "2",
                "R-1",
                "contacts",
                "amount ≥ 100,000 needs contacts ≥ 2 (has 1)",
            ]),
            // R-2 (150,000 with 3 contacts, Commit with a date) passes both tests.
            // Commit without a next-step date: the rule's severity and message.
            row([
                "RUL001",
                "error",
                CSV,
                "4",
                "R-3",
                "next_step_date",
                "Commit deals need a dated next step (rule commit-has-a-date: next_step_date filled, next_step_date is empty)",
            ]),
            // An empty value fails a `then` test, and the message says it is empty.
            row([
                "RUL001",
                "warning",
                CSV,
                "5",
                "R-4",
                "contacts",
                "amount ≥ 100,000 needs contacts ≥ 2 (contacts is empty)",
            ]),
            // An unreadable value is VAL002 only.
            row([
                "VAL002",
                "error",
                CSV,
                "6",
                "R-5",
                "contacts",
                "`two` is not a valid number",
            ]),
            // R-6 is under 100,000: the rule does not apply. R-7 is Commit without a date,
            // which its stage requires: REQ002 reports it, RUL001 does not repeat it.
            row([
                "REQ002",
                "error",
                CSV,
                "8",
                "R-7",
                "next_step_date",
                "stage `Contract` requires next_step_date, which is empty; fill it in or move the deal back",
            ]),
        ]
    );
    assert_eq!(code, 1, "error findings fail the default gate");

    // A `then` field is tested, not required: only R-7's stage requirement counts towards
    // completeness (1 of 1 applicable next_step_date, missing).
    let a = audit(&[CSV], Some("fixtures/checks/RUL001/rules.toml"));
    let fields: Vec<(String, u64, u64)> = report(&a)
        .by_field()
        .iter()
        .map(|f| (f.field.clone(), f.applicable, f.filled))
        .collect();
    assert_eq!(fields, vec![("next_step_date".to_string(), 1, 0)]);
}

#[test]
fn rul001_then_field_must_be_in_the_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = common::temp_file(
        &dir,
        "r.toml",
        "[[stages]]\nname = \"Lead\"\n\n[[rules]]\nid = \"r\"\nwhen = { field = \"Value\", eq = \"1\" }\nthen = { field = \"Contact Count\", eq = \"2\" }\n",
    );
    let csv = common::temp_file(
        &dir,
        "e.csv",
        "id,stage,Value,Contact Counts\nA-1,Lead,1,2\n",
    );
    let r = common::run(common::pipelint().args([
        "audit",
        &csv,
        "-r",
        &rules,
        "--as-of",
        common::AS_OF,
    ]));
    common::assert_exit_2(
        &r,
        "r.toml:7:18: `Contact Count` is neither a canonical field nor a header of",
    );
    assert!(
        r.stderr.contains("did you mean `Contact Counts`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn rul001_rules_check_errors_for_a_bad_then() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = common::temp_file(
        &dir,
        "bad.toml",
        "[[rules]]\nid = \"multithreaded\"\nwhen = { field = \"amount\", gte = 100000 }\nthen = { field = \"contact\", gte = 2 }\n\n[[rules]]\nid = \"dated\"\nwhen = { field = \"forecast_category\", eq = \"Commit\" }\nthen = { field = \"next_step_date\", gte = \"soon\" }\n\n[[rules]]\nid = \"typo\"\nwhen = { field = \"amount\", gte = 1 }\nthen = { field = \"contacts\", gtee = 2 }\n\n[[rules]]\nid = \"empty\"\nwhen = { field = \"amount\", gte = 1 }\n",
    );
    let r = common::run(common::pipelint().args(["rules", "check", &rules]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let lines: Vec<&str> = r
        .stderr
        .lines()
        .filter_map(|l| l.trim().strip_prefix(&format!("{rules}:")))
        .collect();
    assert_eq!(
        lines,
        vec![
            "4:18: `contact` is neither a canonical field nor typed in [fields], so gt, gte, lt and lte cannot compare it; did you mean `contacts`? Type it, e.g. [fields] \"contact\" = { type = \"number\" }",
            "9:42: this condition's field is a date; compare it with a date such as \"2026-01-31\"",
            "14:8: a condition on `contacts` needs exactly one test (eq, in, not_in, gt, gte, lt, lte, empty, not_empty); found 0",
            "14:30: unknown key `gtee` in [[rules]] \"typo\" then; did you mean `gte`? Valid keys: field, eq, in, not_in, gt, gte, lt, lte, empty, not_empty",
            "17:6: rule `empty` has neither requires nor then; add requires = [\"field\", ...] or then = { field = \"contacts\", gte = 2 }",
        ],
        "{}",
        r.stderr
    );
}

#[test]
fn val001_unparseable_date() {
    assert_eq!(
        check("VAL001"),
        vec![finding("VAL001", 2, Some("close_date"))]
    );
}

#[test]
fn val002_unparseable_amount() {
    assert_eq!(check("VAL002"), vec![finding("VAL002", 2, Some("amount"))]);
}

#[test]
fn val003_value_not_allowed() {
    assert_eq!(check("VAL003"), vec![finding("VAL003", 2, Some("Region"))]);
}

#[test]
fn val004_pattern_mismatch() {
    assert_eq!(
        check("VAL004"),
        vec![finding("VAL004", 2, Some("PO Number"))]
    );
}

#[test]
fn val005_out_of_range() {
    assert_eq!(
        check("VAL005"),
        vec![finding("VAL005", 2, Some("Discount"))]
    );
}

#[test]
fn val006_unknown_stage() {
    assert_eq!(check("VAL006"), vec![finding("VAL006", 2, Some("stage"))]);
}

/// A placeholder date (31/12/3999) is read as missing: the requirement on close_date reports
/// each deal, and VAL007 says once, on the first, how many held one.
#[test]
fn val007_placeholder_dates_read_as_missing() {
    assert_eq!(
        check("VAL007"),
        vec![
            finding("REQ001", 2, Some("close_date")),
            finding("VAL007", 2, Some("close_date")),
            finding("REQ001", 4, Some("close_date")),
        ]
    );
    let a = audit(&["fixtures/checks/VAL007/export.csv"], Some(RULES));
    assert_eq!(
        messages(&a, "VAL007"),
        vec![
            "close_date holds a placeholder date on 2 deals (such as `31/12/3999`, line 2): read \
             as missing, not as a date; leave the date empty or set the real one"
        ]
    );
}

/// A column empty on every one of 12 rows is named once and read by no check.
#[test]
fn in010_a_column_empty_on_every_row() {
    assert_eq!(check("IN010"), vec![finding("IN010", 1, Some("next_step"))]);
    let a = audit(&["fixtures/checks/IN010/export.csv"], Some(RULES));
    assert_eq!(
        messages(&a, "IN010"),
        vec![
            "next_step (Next Action) is empty on every one of the 12 rows: its checks, the \
             no_next_step signal and completeness leave it out; fill it in the CRM or map \
             another column"
        ]
    );
}

/// A database dump with a header row: `\N` cells read as empty (8 of them), `\"` as a quote
/// (2), so the name `Beta "19", rack` is one value, not a malformed row: IN008 once, on the
/// header line, and nothing else.
#[test]
fn in008_a_database_dump_is_read_as_one() {
    assert_eq!(check("IN008"), vec![finding("IN008", 1, None)]);
    let a = audit(&["fixtures/checks/IN008/export.csv"], Some(RULES));
    assert_eq!(
        messages(&a, "IN008"),
        vec![
            "read as a database dump: `\\N` as empty (8 cells) and quotes escaped with a \
             backslash (2)"
        ]
    );
    let r = report(&a);
    assert_eq!(r.summary().records, 4);
    assert_eq!(r.summary().completeness, 100.0);
}

/// Owners that are numbers (HubSpot's `hubspot_owner_id`, Pipedrive's user ids) on three of
/// four rows: one IN014 for the file, on the header line, and no other finding.
#[test]
fn in014_owner_ids_instead_of_names() {
    assert_eq!(check("IN014"), vec![finding("IN014", 1, Some("owner"))]);
    let a = audit(&["fixtures/checks/IN014/export.csv"], Some(RULES));
    assert_eq!(
        messages(&a, "IN014"),
        vec![
            "owner (Rep) holds user ids, not names: 2 owners (such as `52791234`), shown as ids \
             in every table and owner list; map them to names with [input] owners = \
             \"users.csv\" (a CSV of id and name, such as Salesforce's User export Id,Name)"
        ]
    );
}

#[test]
fn dup001_repeated_id() {
    assert_eq!(check("DUP001"), vec![finding("DUP001", 4, Some("id"))]);
    let a = audit(&["fixtures/checks/DUP001/export.csv"], Some(RULES));
    assert!(messages(&a, "DUP001")[0].contains("already appears on line 2"));
}

#[test]
fn dup001_across_files_names_the_first_file() {
    let a = audit(
        &[
            "fixtures/checks/clean.csv",
            "fixtures/checks/DUP001/export.csv",
        ],
        Some(RULES),
    );
    let dups: Vec<_> = said(&a)
        .into_iter()
        .filter(|f| f.code == "DUP001")
        .collect();
    // D-1 and D-2 are in clean.csv (lines 2, 3); DUP001.csv repeats D-1 (lines 2, 4) and D-2.
    let at: Vec<(&str, u64)> = dups.iter().map(|f| (f.file.as_str(), f.line)).collect();
    let dup = "fixtures/checks/DUP001/export.csv";
    assert_eq!(at, vec![(dup, 2), (dup, 3), (dup, 4)]);
    assert!(
        dups[0].message.contains("fixtures/checks/clean.csv line 2"),
        "{}",
        dups[0].message
    );
}

#[test]
fn one_req_or_val_finding_per_record_and_field() {
    // Contract deal of 75k: amount invalid (VAL002) must not also be REQ002; next step
    // missing is required by the stage (REQ002) only; the big-deal rule does not fire on an
    // invalid amount.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mixed.csv");
    std::fs::write(
        &path,
        "Ref,Deal,Customer,Rep,Phase,Value,Expected Close,Next Action,Region,PO Number,Discount\n\
         D-1,Alpha,Alpha Ltd,Ann,Contract,75k,15/01/2027,,EMEA,,\n",
    )
    .expect("write");
    let a = audit(&[path.to_str().expect("utf-8 path")], Some(RULES));
    assert_eq!(
        findings(&a),
        vec![
            finding("REQ002", 2, Some("next_step")),
            finding("VAL002", 2, Some("amount")),
        ]
    );
}

/// Each change fixture (fixtures/checks/CHG00N: last week's export and this week's, one
/// change apart) raises its code once, on the deal that changed: CHG004's deal is only in
/// last week's file, on its line there.
#[test]
fn each_change_fixture_raises_its_finding_on_the_deal_that_changed() {
    for (code, line, field) in [
        ("CHG001", 3, "close_date"),
        ("CHG002", 4, "stage"),
        ("CHG003", 3, "amount"),
        ("CHG004", 3, "id"),
        ("CHG005", 5, "stage"),
    ] {
        let export = format!("fixtures/checks/{code}/export.csv");
        let previous = format!("fixtures/checks/{code}/previous.csv");
        let a = common::audit_against_with(&[&export], &previous, RULES);
        let of_code: Vec<_> = findings(&a).into_iter().filter(|f| f.0 == code).collect();
        assert_eq!(of_code, vec![finding(code, line, Some(field))], "{code}");
    }
}

/// A push count of 3 on an open deal (default limit 2 pushes): HYG009 once, on its close date.
#[test]
fn hyg009_serial_slippage_from_the_push_count_column() {
    let a = audit(
        &["fixtures/checks/HYG009/export.csv"],
        Some("fixtures/hygiene/rules.toml"),
    );
    assert_eq!(findings(&a), vec![finding("HYG009", 3, Some("close_date"))]);
    assert_eq!(
        messages(&a, "HYG009"),
        vec![
            "close date pushed 3 times (serial slippage: 2 pushes or 30 days); ask what would \
             make this date hold, or take the deal out of the forecast"
        ]
    );
}
