//! What changed since the previous snapshot: the change checks CHG001–CHG005 on a weekly
//! pair (fixtures/changes), each finding asserted exactly; pairing across encodings,
//! delimiters and column orders; repeated ids; pairing without an id column; determinism.

mod common;

use common::{AS_OF, Said, audit_against, pipelint, run, said};

const THIS_WEEK: &str = "fixtures/changes/week_2026-11-20.csv";
/// Last week's export as Excel re-saved it: Windows-1252, semicolons, CRLF, the columns in
/// another order.
const LAST_WEEK: &str = "fixtures/changes/week_2026-11-13.csv";

/// A change finding as asserted: code, file, line, field, record id.
type Change<'a> = (&'a str, &'a str, u64, Option<&'a str>, Option<&'a str>);

fn changes(found: &[Said]) -> Vec<Change<'_>> {
    found
        .iter()
        .filter(|f| f.code.starts_with("CHG"))
        .map(|f| {
            (
                f.code.as_str(),
                f.file.as_str(),
                f.line,
                f.field.as_deref(),
                f.record_id.as_deref(),
            )
        })
        .collect()
}

#[test]
fn each_change_check_fires_where_the_snapshots_differ() {
    let a = audit_against(&[THIS_WEEK], LAST_WEEK);
    let found = said(&a);
    assert_eq!(
        changes(&found),
        vec![
            (
                "CHG001",
                THIS_WEEK,
                3,
                Some("close_date"),
                Some("0065g00000CH1A01AAA")
            ),
            (
                "CHG002",
                THIS_WEEK,
                4,
                Some("stage"),
                Some("0065g00000CH1A02AAA")
            ),
            (
                "CHG003",
                THIS_WEEK,
                5,
                Some("amount"),
                Some("0065g00000CH1A03AAA")
            ),
            (
                "CHG005",
                THIS_WEEK,
                6,
                Some("stage"),
                Some("0065g00000CH1A05AAA")
            ),
            // On the previous file's line: the deal is not in this week's file.
            (
                "CHG004",
                LAST_WEEK,
                5,
                Some("id"),
                Some("0065g00000CH1A04AAA")
            ),
        ]
    );
    let message = |code: &str| {
        found
            .iter()
            .find(|f| f.code == code)
            .map(|f| f.message.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        message("CHG001"),
        "close date pushed from 2026-11-30 to 2027-01-15 (+46 days) since the previous snapshot; confirm the new date with the buyer"
    );
    assert_eq!(
        message("CHG002"),
        "stage moved back from Negotiation/Review to Needs Analysis since the previous snapshot; note what changed, or correct the stage"
    );
    assert_eq!(
        message("CHG003"),
        "amount cut from 50,000.00 to 30,000.00 (-40.0%, more than 20%) since the previous snapshot; confirm what came out of the deal"
    );
    assert_eq!(
        message("CHG004"),
        "open deal `Umbrella - Suite` (Value Proposition, 40,000.00) is not in the current snapshot and did not close; find out whether it was deleted, merged or left out of the export"
    );
    assert_eq!(
        message("CHG005"),
        "closed deal reopened: Closed Lost in the previous snapshot, now Prospecting; confirm it is the same opportunity, or record a new one"
    );
}

/// The pushed close date is a risk signal of the deal, with its weight.
#[test]
fn a_pushed_close_date_feeds_the_pushed_signal() {
    let a = audit_against(&[THIS_WEEK], LAST_WEEK);
    let report = common::report(&a);
    let acme = report
        .deals()
        .find(|d| d.id == Some("0065g00000CH1A01AAA"))
        .expect("Acme");
    let risk = acme.risk.expect("open deal is scored");
    let signals: Vec<(&str, u32)> = risk.signals.iter().map(|s| (s.signal, s.weight)).collect();
    assert_eq!(signals, [("pushed", 15)]);
    assert_eq!(risk.score, Some(15));
}

/// `[changes] amount_cut_pct` sets CHG003's threshold: 40% is not more than 40.
#[test]
fn the_amount_cut_threshold_is_the_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = common::temp_file(
        &dir,
        "rules.toml",
        "[input]\npreset = \"salesforce\"\n\n[changes]\namount_cut_pct = 40\n",
    );
    let a = pipelint::AuditRequest {
        files: vec![THIS_WEEK.to_string()],
        rules: Some(rules.into()),
        as_of: Some(common::as_of()),
        previous: Some(LAST_WEEK.to_string()),
        ..Default::default()
    }
    .run()
    .expect("audit");
    let codes: Vec<String> = said(&a)
        .into_iter()
        .map(|f| f.code)
        .filter(|c| c.starts_with("CHG"))
        .collect();
    assert_eq!(codes, ["CHG001", "CHG002", "CHG005", "CHG004"]);
}

/// Without a previous snapshot the change checks are not run, and the report says so.
#[test]
fn without_a_previous_snapshot_the_change_checks_are_not_checked() {
    let r = run(pipelint().args(["audit", THIS_WEEK, "--as-of", AS_OF, "-f", "json"]));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(
        json["not_checked"],
        serde_json::json!([{
            "codes": ["CHG001", "CHG002", "CHG003", "CHG004", "CHG005"],
            "why": "no previous snapshot to compare with (audit --previous FILE)"
        }])
    );
    assert_eq!(json["previous"], serde_json::Value::Null);
    let table = run(pipelint().args(["audit", THIS_WEEK, "--as-of", AS_OF]));
    assert!(
        table
            .stdout
            .contains("  Not checked   CHG001–CHG005: no previous snapshot"),
        "{}",
        table.stdout
    );
    let r = run(pipelint().args([
        "audit",
        THIS_WEEK,
        "--as-of",
        AS_OF,
        "--previous",
        LAST_WEEK,
        "-f",
        "json",
    ]));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(json["not_checked"], serde_json::json!([]));
    assert_eq!(json["previous"]["path"], LAST_WEEK);
    assert_eq!(json["previous"]["encoding"], "windows-1252");
    assert_eq!(json["previous"]["delimiter"], ";");
    assert_eq!(json["previous"]["as_of"], "2026-11-13");
    assert_eq!(json["previous"]["paired_by"], "id");
    assert_eq!(json["previous"]["paired"], 9);
    // The inputs are this week's files only.
    assert_eq!(json["inputs"].as_array().map(Vec::len), Some(1));
}

/// `--previous-as-of` sets the date the previous export is audited as of.
#[test]
fn the_previous_as_of_is_stated() {
    let r = run(pipelint().args([
        "audit",
        THIS_WEEK,
        "--as-of",
        AS_OF,
        "--previous",
        LAST_WEEK,
        "--previous-as-of",
        "2026-11-12",
    ]));
    assert!(
        r.stdout.contains(
            "  Previous      fixtures/changes/week_2026-11-13.csv as of 2026-11-12: 10 deals, 9 paired by record id"
        ),
        "{}",
        r.stdout
    );
    let r = run(pipelint().args(["audit", THIS_WEEK, "--previous-as-of", "2026-11-12"]));
    assert_eq!(r.code, 2, "--previous-as-of needs --previous: {}", r.stderr);
}

/// The previous export is never an output path, and is not also an input.
#[test]
fn the_previous_export_is_protected() {
    let r = run(pipelint().args([
        "audit",
        THIS_WEEK,
        "--as-of",
        AS_OF,
        "--previous",
        LAST_WEEK,
        "-o",
        LAST_WEEK,
    ]));
    common::assert_exit_2(&r, "an input or the rules file");
    let r = run(pipelint().args([
        "audit",
        THIS_WEEK,
        "--as-of",
        AS_OF,
        "--previous",
        THIS_WEEK,
    ]));
    common::assert_exit_2(&r, "is also an input");
}

/// A record id repeated this week pairs on its first occurrence; the repeat is counted
/// (and DUP001 flags it), and raises no change finding of its own.
#[test]
fn a_repeated_id_pairs_on_its_first_occurrence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(THIS_WEEK).expect("fixture");
    let acme = text
        .lines()
        .find(|l| l.contains("CH1A01AAA"))
        .expect("Acme's row")
        .to_string();
    let file = common::temp_file(&dir, "repeated.csv", format!("{text}{acme}\n"));
    let a = audit_against(&[&file], LAST_WEEK);
    let found = said(&a);
    let pushes: Vec<u64> = found
        .iter()
        .filter(|f| f.code == "CHG001")
        .map(|f| f.line)
        .collect();
    assert_eq!(pushes, [3], "only the first Acme row is paired");
    assert!(found.iter().any(|f| f.code == "DUP001" && f.line == 13));
    let report = common::report(&a);
    let previous = report.previous().expect("previous");
    assert_eq!((previous.paired, previous.repeated), (9, 1));
}

/// Without an id column, deals pair by account and folded name, said to be approximate;
/// two deals of one account with the same name pair with neither.
#[test]
fn without_ids_deals_pair_by_account_and_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header = "Opportunity Name,Account Name,Opportunity Owner,Stage,Amount,Close Date\n";
    let old = common::temp_file(
        &dir,
        "old.csv",
        format!(
            "{header}Acme - Renewal,Acme Corp,Dana,Prospecting,100,12/01/2026\n\
             Twin,Globex,Dana,Prospecting,100,12/01/2026\n\
             Twin,Globex,Dana,Prospecting,100,12/01/2026\n\
             Gone,Initech,Dana,Prospecting,100,12/01/2026\n"
        ),
    );
    let new = common::temp_file(
        &dir,
        "new.csv",
        format!(
            "{header}ACME  renewal,acme corp,Dana,Prospecting,100,12/20/2026\n\
             Twin,Globex,Dana,Prospecting,100,12/01/2026\n"
        ),
    );
    let a = audit_against(&[&new], &old);
    let found = said(&a);
    let codes: Vec<(&str, u64)> = found
        .iter()
        .filter(|f| f.code.starts_with("CHG"))
        .map(|f| (f.code.as_str(), f.line))
        .collect();
    // Acme pairs despite case and spacing, and was pushed; the twins pair with neither and
    // are not "vanished"; Initech's deal is.
    assert_eq!(codes, [("CHG001", 2), ("CHG004", 5)]);
    let report = common::report(&a);
    let p = report.previous().expect("previous");
    assert_eq!(p.paired_by, "account_and_name");
    assert_eq!(p.paired, 1);
    assert_eq!((p.ambiguous.current, p.ambiguous.previous), (0, 2));
    let table = run(pipelint().args(["audit", &new, "--as-of", AS_OF, "--previous", &old]));
    assert!(
        table.stdout.contains(
            "1 paired by account and name (approximate: the export has no id column); 2 ambiguous"
        ),
        "{}",
        table.stdout
    );
}

/// The same bytes at one thread and at four, with the change checks on.
#[test]
fn change_checks_are_the_same_at_any_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = common::temp_file(&dir, "old.csv", common::salesforce_export(5_000));
    // This week: every 7th deal's close date a month later, every 11th row gone.
    let new_text: String = common::salesforce_export(5_000)
        .lines()
        .enumerate()
        .filter(|(i, _)| *i == 0 || i % 11 != 0)
        .map(|(i, l)| {
            if i > 0 && i % 7 == 0 {
                l.replacen("/2027,", "/2028,", 1)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let new = common::temp_file(&dir, "new.csv", new_text + "\n");
    let render = |threads: &str| {
        let out = pipelint()
            .args([
                "audit",
                &new,
                "--as-of",
                AS_OF,
                "--previous",
                &old,
                "-f",
                "json",
                "--threads",
                threads,
            ])
            .output()
            .expect("run");
        out.stdout
    };
    let one = render("1");
    assert!(one == render("4"));
    let json: serde_json::Value = serde_json::from_slice(&one).expect("json");
    let count = |code: &str| {
        json["findings"]
            .as_array()
            .map_or(0, |f| f.iter().filter(|f| f["code"] == code).count())
    };
    assert!(count("CHG001") > 100, "{}", count("CHG001"));
    assert!(count("CHG004") > 100, "{}", count("CHG004"));
}

/// JUnit gives the previous file a suite of its own for the findings that sit there.
#[test]
fn junit_has_a_suite_for_the_previous_file() {
    let out = pipelint()
        .args([
            "audit",
            THIS_WEEK,
            "--as-of",
            AS_OF,
            "--previous",
            LAST_WEEK,
            "-f",
            "junit",
        ])
        .output()
        .expect("run");
    let xml = String::from_utf8(out.stdout).expect("utf-8");
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let suites: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: Vec<&str> = suites.iter().filter_map(|s| s.attribute("name")).collect();
    assert_eq!(names, [THIS_WEEK, LAST_WEEK, "gate"]);
    let cases: Vec<&str> = suites[1]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert_eq!(cases, ["CHG004"]);
    let this_week: Vec<&str> = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .filter_map(|n| n.attribute("name"))
        .filter(|n| n.starts_with("CHG"))
        .collect();
    assert_eq!(
        this_week,
        ["CHG001", "CHG002", "CHG003", "CHG004", "CHG005"]
    );
}
