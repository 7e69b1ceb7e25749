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

/// stdout of `audit THIS_WEEK --as-of AS_OF --previous LAST_WEEK -f FORMAT`.
fn against_last_week(format: &str) -> Vec<u8> {
    pipelint()
        .args([
            "audit",
            THIS_WEEK,
            "--as-of",
            AS_OF,
            "--previous",
            LAST_WEEK,
            "-f",
            format,
        ])
        .output()
        .expect("run")
        .stdout
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
        "open deal `Umbrella - Suite` owned by `Tomás Ibáñez` (Value Proposition, 40,000.00) is not in the current snapshot and did not close; find out whether it was deleted, merged or left out of the export"
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
    // Acme also lost its next step this week (its stage requires one: the missing next
    // step is one fact, scored once under exit_criteria); its one push of 46 days passes
    // push_alarm_days (30) on its own: serial slippage (HYG009) too, graded 16 days past
    // it: 20 + floor(20 × 16 / 90) = 23.
    assert_eq!(
        signals,
        [
            ("exit_criteria", 20),
            ("no_next_step", 0),
            ("pushed", 15),
            ("slipping", 23)
        ]
    );
    assert_eq!(risk.score, Some(58));
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
        }, {
            "codes": ["HYG009"],
            "why": "no push history: no stored history (audit --history DB), no previous snapshot and no push-count column"
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
    common::assert_exit_2(&r, "it is the previous snapshot");
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
    let xml = String::from_utf8(against_last_week("junit")).expect("utf-8");
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

fn change_json() -> serde_json::Value {
    serde_json::from_slice(&against_last_week("json")).expect("json")
}

/// The waterfall of the weekly pair, computed by hand (amounts in USD, the exports name no
/// currency):
/// - begin: the open deals of last week: Acme 100,000 + Globex 80,000 + Initech 50,000 +
///   Umbrella 40,000 + Wayne 25,000 + Hooli 30,000 + Oscorp 20,000 + Soylent 10,000 =
///   355,000 (Stark was lost, Cyberdyne won);
/// - new: Massive Dynamic 15,000 (Aperture is new but closed won: not open);
/// - reopened: Stark 60,000; increased: Oscorp 20,000 → 26,000 = 6,000;
/// - decreased: Initech 50,000 → 30,000 = 20,000;
/// - won: Wayne at last week's 25,000 (it closed at 27,000); lost: Hooli 30,000;
/// - vanished: Umbrella 40,000;
/// - end: 355,000 + 15,000 + 60,000 + 6,000 − 20,000 − 25,000 − 30,000 − 40,000 = 321,000,
///   which is this week's open amount: Acme 100,000 + Globex 80,000 + Initech 30,000 +
///   Stark 60,000 + Oscorp 26,000 + Soylent 10,000 + Massive Dynamic 15,000.
#[test]
fn the_waterfall_reconciles_with_the_figures_computed_by_hand() {
    let json = change_json();
    let c = &json["changes"];
    assert_eq!(
        c["waterfall"],
        serde_json::json!([{
            "currency": null, "begin": "355000.00", "new": "15000.00", "reopened": "60000.00",
            "increased": "6000.00", "decreased": "20000.00", "won": "25000.00",
            "lost": "30000.00", "vanished": "40000.00", "end": "321000.00"
        }])
    );
    assert_eq!(json["summary"]["open_amount"][0]["amount"], "321000.00");
    assert_eq!(c["deals_without_amount"], 0);
    assert_eq!(
        c["counts"],
        serde_json::json!({
            "new": 2, "won": 1, "lost": 1, "reopened": 1, "vanished": 1, "advanced": 0,
            "moved_back": 1, "pushed": 1, "pulled_in": 1, "amount_up": 1, "amount_down": 1,
            "forecast_up": 0, "forecast_down": 0, "owner_changed": 0
        })
    );
    // FY2026-Q4 (the calendar year by default): Acme left it (due 2026-11-30, now
    // 2027-01-15) with its 100,000; Soylent came into it (2027-02-15 → 2026-12-20).
    assert_eq!(c["quarter"]["name"], "FY2026-Q4");
    assert_eq!(
        c["slipped"],
        serde_json::json!({"deals": 1, "amount": [{"currency": null, "amount": "100000.00"}], "without_amount": 0})
    );
    assert_eq!(
        c["pulled_in"],
        serde_json::json!({"deals": 1, "amount": [{"currency": null, "amount": "10000.00"}], "without_amount": 0})
    );
}

/// Findings since last week: Soylent's missing activity persists (HYG002); Oscorp's 90% in
/// Qualification (HYG004), Acme's missing next step (REQ002) and its 46-day push (HYG009)
/// are new; Initech's missing next step was filled (REQ002 cleared).
#[test]
fn findings_since_the_previous_snapshot() {
    let json = change_json();
    let f = &json["changes"]["findings"];
    assert_eq!(
        (&f["introduced"], &f["cleared"], &f["persisting"]),
        (
            &serde_json::json!(3),
            &serde_json::json!(1),
            &serde_json::json!(1)
        )
    );
    assert_eq!(
        f["by_code"],
        serde_json::json!([
            {"code": "HYG002", "introduced": 0, "cleared": 0, "persisting": 1},
            {"code": "HYG004", "introduced": 1, "cleared": 0, "persisting": 0},
            {"code": "HYG009", "introduced": 1, "cleared": 0, "persisting": 0},
            {"code": "REQ002", "introduced": 1, "cleared": 1, "persisting": 0}
        ])
    );
    assert_eq!(
        f["by_owner"],
        serde_json::json!([
            {"owner": "Dana Whitfield", "introduced": 2, "cleared": 0, "persisting": 1},
            {"owner": "Priya Raman", "introduced": 0, "cleared": 1, "persisting": 0},
            {"owner": "Tomás Ibáñez", "introduced": 1, "cleared": 0, "persisting": 0}
        ])
    );
}

/// Every moved deal, with its values before and now.
#[test]
fn movements_carry_old_and_new_values() {
    let json = change_json();
    let movements = json["changes"]["movements"].as_array().expect("movements");
    let summary: Vec<(String, Vec<String>)> = movements
        .iter()
        .map(|m| {
            (
                m["deal"].as_str().unwrap_or("").to_string(),
                m["moves"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect();
    let expect = |deal: &str, moves: &[&str]| {
        (
            deal.to_string(),
            moves.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        summary,
        vec![
            expect("Massive Dynamic - Cloud", &["new"]),
            expect("Acme - Renewal", &["pushed"]),
            expect("Globex - Expansion", &["moved_back"]),
            expect("Initech - Add-on", &["amount_down"]),
            expect("Stark - Seats", &["reopened"]),
            expect("Wayne - Pilot", &["won"]),
            expect("Hooli - Migration", &["lost"]),
            expect("Oscorp - Lab", &["amount_up"]),
            expect("Soylent - Renewal", &["pulled_in"]),
            expect("Aperture - Chambers", &["new"]),
            expect("Umbrella - Suite", &["vanished"]),
        ]
    );
    let acme = &movements[1];
    assert_eq!(acme["from"]["file"], LAST_WEEK);
    assert_eq!(acme["from"]["line"], 2);
    assert_eq!(acme["from"]["close_date"], "2026-11-30");
    assert_eq!(acme["to"]["file"], THIS_WEEK);
    assert_eq!(acme["to"]["line"], 3);
    assert_eq!(acme["to"]["close_date"], "2027-01-15");
    assert_eq!(movements[0]["from"], serde_json::Value::Null);
    assert_eq!(movements[10]["to"], serde_json::Value::Null);
}

/// The table's "What changed" sections, as a person reads them.
#[test]
fn the_table_shows_what_changed() {
    let r = run(pipelint().args([
        "audit",
        THIS_WEEK,
        "--as-of",
        AS_OF,
        "--previous",
        LAST_WEEK,
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = &r.stdout;
    for line in [
        "What changed since fixtures/changes/week_2026-11-13.csv (as of 2026-11-13): the open pipeline",
        "│ -        ┆ 355,000.00 ┆ 15,000.00 ┆  60,000.00 ┆    6,000.00 ┆  -20,000.00 ┆ -25,000.00 ┆ -30,000.00 ┆ -40,000.00 ┆ 321,000.00 │",
        "Slipped out of FY2026-Q4 (2026-10-01 to 2026-12-31): 1 (100,000.00); pulled in: 1 (10,000.00)",
        "│ Acme - Renewal ┆ Dana Whitfield ┆ 2026-11-30     ┆ 2027-01-15 ┆  +46 ┆ 100,000.00 │",
        "Moved back (1)",
        "Vanished without closing (1)",
        "Findings since the previous snapshot: 3 introduced, 1 cleared, 1 persisting",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
}

/// `diff OLD NEW` prints only the change view, in each of its formats, and exits 0.
#[test]
fn diff_prints_only_the_change_view() {
    let table = run(pipelint().args(["diff", LAST_WEEK, THIS_WEEK, "--as-of", AS_OF]));
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.starts_with(
        "pipelint diff: fixtures/changes/week_2026-11-13.csv → fixtures/changes/week_2026-11-20.csv\n"
    ));
    assert!(
        table
            .stdout
            .contains("  Changes       11 deals moved; 5 change findings")
    );
    assert!(table.stdout.contains("Change findings (5)"));
    assert!(
        !table.stdout.contains("Completeness by field"),
        "only the change view"
    );
    let json = run(pipelint().args(["diff", LAST_WEEK, THIS_WEEK, "--as-of", AS_OF, "-f", "json"]));
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(doc["schema"], "pipelint.diff/1");
    assert_eq!(doc["changes"]["waterfall"][0]["end"], "321000.00");
    let codes: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, ["CHG001", "CHG002", "CHG003", "CHG005", "CHG004"]);
    assert!(doc.get("deals").is_none());
    let md = run(pipelint().args([
        "diff", LAST_WEEK, THIS_WEEK, "--as-of", AS_OF, "-f", "markdown",
    ]));
    assert!(
        md.stdout.contains("| - | 355,000.00 | 15,000.00 |"),
        "{}",
        md.stdout
    );
}

/// Each owner's action list says what changed on each listed deal.
#[test]
fn owner_lists_show_what_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("owners");
    let r = run(pipelint()
        .args([
            "audit",
            THIS_WEEK,
            "--as-of",
            AS_OF,
            "--previous",
            LAST_WEEK,
            "-q",
            "--report",
        ])
        .arg(format!("owners={}", out.display())));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dana = std::fs::read_to_string(out.join("dana-whitfield.md")).expect("Dana's list");
    assert!(
        dana.contains(
            "What changed since the previous snapshot: close date 2026-11-30 → 2027-01-15"
        ),
        "{dana}"
    );
}

/// A weekly series written by another tool (fixtures/changes/series, made by
/// `bench/edit_snapshot.py --make-series`: snake_case columns, its own stage names, ISO
/// dates), audited with rules drafted by `init --from`: pipelint finds exactly the pushes,
/// wins, losses, cuts, raises, removals and new deals the tool's own log records.
#[test]
fn a_series_from_another_tool_gives_what_its_log_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let series = "fixtures/changes/series";
    let (old, new) = (
        format!("{series}/week_2026-11-13.csv"),
        format!("{series}/week_2026-11-20.csv"),
    );
    let drafted = run(pipelint().args(["init", "--from", &old]));
    assert_eq!(drafted.code, 0, "{}", drafted.stderr);
    let rules = common::temp_file(&dir, "series.toml", &drafted.stdout);
    let out = run(pipelint().args([
        "audit",
        &new,
        "--previous",
        &old,
        "-r",
        &rules,
        "--as-of",
        AS_OF,
        "-f",
        "json",
    ]));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{series}/log.json")).expect("log"))
            .expect("log is JSON");
    let ids = |key: &str| -> std::collections::BTreeSet<String> {
        log[key]
            .as_array()
            .expect("ids")
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let moved = |movement: &str| -> std::collections::BTreeSet<String> {
        json["changes"]["movements"]
            .as_array()
            .expect("movements")
            .iter()
            .filter(|m| {
                m["moves"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|v| v == movement))
            })
            .filter_map(|m| m["id"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(json["previous"]["paired_by"], "id");
    for (movement, key) in [
        ("pushed", "pushed"),
        ("won", "won"),
        ("lost", "lost"),
        ("new", "new"),
        ("vanished", "removed"),
        ("amount_down", "cut"),
        ("amount_up", "raised"),
    ] {
        assert_eq!(moved(movement), ids(key), "{movement}");
        assert!(!ids(key).is_empty(), "the series has some {key}");
    }
    let flagged = |code: &str| -> std::collections::BTreeSet<String> {
        json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["code"] == code)
            .filter_map(|f| f["record_id"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(flagged("CHG001"), ids("pushed"));
    assert_eq!(flagged("CHG004"), ids("removed"));
    // Every cut is 30–70%: more than the default 20%.
    assert_eq!(flagged("CHG003"), ids("cut"));
}

/// A push-count column (`close_date_changes` in a snake_case export) is drafted by `init
/// --from` and feeds the `pushed` signal without any previous snapshot.
#[test]
fn a_push_count_column_is_mapped_and_scored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = common::temp_file(
        &dir,
        "pushes.csv",
        "deal_id,deal_name,company,rep,pipeline_stage,deal_value,expected_close,close_date_changes\n\
         D1,Alpha,Acme,Ana,discovery,100,2026-12-01,2\n\
         D2,Beta,Acme,Ana,closed_won,200,2026-11-01,0\n",
    );
    let drafted = run(pipelint().args(["init", "--from", &export]));
    assert!(
        drafted
            .stdout
            .contains("push_count = \"close_date_changes\""),
        "{}",
        drafted.stdout
    );
    let rules = common::temp_file(&dir, "rules.toml", &drafted.stdout);
    let out = run(pipelint().args([
        "audit", &export, "-r", &rules, "--as-of", AS_OF, "-f", "json",
    ]));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(
        json["deals"][0]["risk"]["signals"],
        // Two pushes reach serial_pushes (2): HYG009's `slipping` signal too, at its
        // threshold (20); `pushed` is one push past its first: 15 + floor(15 × 1 / 3) = 20.
        serde_json::json!([
            {"signal": "pushed", "weight": 20, "detail": "pushed 2 times"},
            {"signal": "slipping", "weight": 20, "detail": "slipping: pushed 2 times"}
        ])
    );
}

/// A deal open in both snapshots without an amount in either is one deal without a readable
/// amount, not two (CHG003's pair: Alpha renewal has no amount last week or this week; the
/// note under the waterfall said "2 open deals" of it).
#[test]
fn a_deal_without_an_amount_in_both_snapshots_counts_once() {
    let audit = |more: &[&str]| {
        run(pipelint()
            .args([
                "audit",
                "fixtures/checks/CHG003/export.csv",
                "--previous",
                "fixtures/checks/CHG003/previous.csv",
                "-r",
                "fixtures/checks/rules.toml",
                "--as-of",
                AS_OF,
            ])
            .args(more))
    };
    let r = audit(&["-f", "json"]);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(json["changes"]["deals_without_amount"], 1, "{}", r.stdout);
    let r = audit(&["--color", "never"]);
    assert!(
        r.stdout.contains(
            "1 open deal without a readable amount in one snapshot or the other adds nothing"
        ),
        "{}",
        r.stdout
    );
}
