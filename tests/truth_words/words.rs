//! The smaller untruths of issue 22, each asserted in its exact words.

use serde_json::Value;

use super::common::{AS_OF, pipelint, run};

/// The week of pushes only: Acme Renewal's close date moved once, 67 days out.
const PUSHES_BEFORE: &str = "fixtures/truth/pushes_2026-11-13.csv";
const PUSHES_NOW: &str = "fixtures/truth/pushes_2026-11-20.csv";

fn json(args: &[&str]) -> Value {
    let r = run(pipelint().args(args).args(["--as-of", AS_OF, "-f", "json"]));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("json")
}

#[test]
fn a_single_long_push_reads_pushed_once_by_its_days() {
    let doc = json(&["audit", PUSHES_NOW, "--previous", PUSHES_BEFORE]);
    let hyg009: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "HYG009")
        .map(|f| f["message"].as_str().expect("message"))
        .collect();
    assert_eq!(
        hyg009,
        [
            "close date pushed once, by 67 days (serial slippage: 2 pushes or 30 days); ask what would make this date hold, or take the deal out of the forecast"
        ]
    );
    let acme = &doc["deals"][0];
    assert_eq!(acme["name"], "Acme Renewal");
    let details: Vec<&str> = acme["risk"]["signals"]
        .as_array()
        .expect("signals")
        .iter()
        .map(|s| s["detail"].as_str().expect("detail"))
        .collect();
    assert_eq!(
        details,
        [
            // No stage-change date: the deal's age (created 2026-09-01) stands for it.
            "open 80 days, 3.8× Proposal's 21-day limit (no stage-change date: its age)",
            "pushed once",
            "slipping: pushed once, by 67 days"
        ]
    );
}

/// Umbrella - Suite, Tomás Ibáñez's, is open on line 5 of the week before and gone now.
const WEEK_BEFORE: &str = "fixtures/changes/week_2026-11-13.csv";
const WEEK_NOW: &str = "fixtures/changes/week_2026-11-20.csv";
const VANISHED: &str = "open deal `Umbrella - Suite` owned by `Tomás Ibáñez` (Value Proposition, 40,000.00) is not in the current snapshot and did not close; find out whether it was deleted, merged or left out of the export";

fn output(args: &[&str]) -> String {
    let r = run(pipelint()
        .args(args)
        .args(["--as-of", AS_OF, "--color", "never"]));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    r.stdout
}

/// The one line of `text` that holds `needle`.
fn line_with<'t>(text: &'t str, needle: &str) -> &'t str {
    let lines: Vec<&str> = text.lines().filter(|l| l.contains(needle)).collect();
    assert_eq!(lines.len(), 1, "{needle}: {lines:?}");
    lines[0]
}

#[test]
fn a_vanished_deal_is_named_with_its_owner_in_every_format() {
    let diff = ["diff", WEEK_BEFORE, WEEK_NOW];
    let audit = ["audit", WEEK_NOW, "--previous", WEEK_BEFORE];
    // diff, as a table: the deal and owner columns, not the record id and a blank.
    let table = output(&diff);
    let row: Vec<&str> = line_with(&table, "CHG004")
        .split(['│', '┆'])
        .map(str::trim)
        .collect();
    assert_eq!(
        row[1..7],
        [
            "fixtures/changes/week_2026-11-13.csv:5",
            "Umbrella - Suite",
            "Tomás Ibáñez",
            "CHG004",
            "id",
            VANISHED
        ]
    );
    let markdown_row = "| fixtures/changes/week\\_2026-11-13.csv:5 | Umbrella - Suite | Tomás Ibáñez | CHG004 | id | open deal \\`Umbrella - Suite\\` owned by \\`Tomás Ibáñez\\` (Value Proposition, 40,000.00) is not in the current snapshot and did not close; find out whether it was deleted, merged or left out of the export |";
    for args in [&diff[..], &audit[..]] {
        let md = output(&[args, &["-f", "markdown"]].concat());
        assert_eq!(line_with(&md, "CHG004 | id"), markdown_row);
    }
    let chg004 = |doc: &Value| {
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["code"] == "CHG004")
            .expect("CHG004")
            .clone()
    };
    let diff_json: Value =
        serde_json::from_str(&output(&[&diff[..], &["-f", "json"]].concat())).expect("json");
    assert_eq!(chg004(&diff_json)["message"], VANISHED);
    assert_eq!(chg004(&json(&audit))["message"], VANISHED);
    let csv = output(&[&audit[..], &["-f", "csv"]].concat());
    assert_eq!(
        line_with(&csv, "CHG004"),
        format!(
            "fixtures/changes/week_2026-11-13.csv,5,0065g00000CH1A04AAA,Umbrella - Suite,Tomás Ibáñez,Value Proposition,Value Proposition,CHG004,warning,id,Opportunity ID,\"{VANISHED}\","
        )
    );
    let jsonl: Value = serde_json::from_str(line_with(
        &output(&[&audit[..], &["-f", "jsonl"]].concat()),
        "CHG004",
    ))
    .expect("jsonl");
    assert_eq!(
        (&jsonl["deal"], &jsonl["owner"], &jsonl["message"]),
        (
            &Value::from("Umbrella - Suite"),
            &Value::from("Tomás Ibáñez"),
            &Value::from(VANISHED)
        )
    );
    let junit = output(&[&audit[..], &["-f", "junit"]].concat());
    assert!(junit.contains(&format!("line 5: Umbrella - Suite: id: {VANISHED}")));
    let github = output(&[&audit[..], &["-f", "github"]].concat());
    assert_eq!(
        line_with(&github, "CHG004"),
        format!(
            "::warning file=fixtures/changes/week_2026-11-13.csv,line=5,title=CHG004 id::Umbrella - Suite: {VANISHED}"
        )
    );
    let sarif: Value =
        serde_json::from_str(&output(&[&audit[..], &["-f", "sarif"]].concat())).expect("sarif");
    let result = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "CHG004")
        .expect("CHG004 result");
    assert_eq!(
        result["message"]["text"],
        format!("Umbrella - Suite: {VANISHED}")
    );
    let html = output(&[&audit[..], &["-f", "html"]].concat());
    assert!(html.contains("<td class=\"num\">fixtures/changes/week_2026-11-13.csv:5</td><td>Umbrella - Suite</td><td>Tomás Ibáñez</td>"));
}

/// Ann: one open deal at high risk, a won deal without an amount and a lost one without a
/// close date; Ben: only a deal won at 0.00.
const CLOSED_FIXES: &str = "fixtures/truth/closed_fixes.csv";

fn owner_lists(args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = format!("owners={}", dir.path().display());
    output(&[args, &["--report", &target, "-o", "/dev/null"]].concat());
    dir
}

fn read(dir: &tempfile::TempDir, name: &str) -> String {
    std::fs::read_to_string(dir.path().join(name)).expect(name)
}

#[test]
fn closed_deals_data_fixes_come_after_the_open_deals_in_their_own_section() {
    let dir = owner_lists(&["audit", CLOSED_FIXES]);
    let ann = read(&dir, "ann.md");
    let outline: Vec<&str> = ann
        .lines()
        .filter(|l| l.starts_with('#') || l.starts_with("From "))
        .collect();
    assert_eq!(
        outline,
        [
            "# Action list: Ann",
            "From the pipelint audit of fixtures/truth/closed\\_fixes.csv as of 2026-11-20. 1 deal needs action (1 at high risk), the largest amounts at risk first. After them, 2 closed deals need their data fixed.",
            "## 1. Globex Suite — 40,000.00 — high risk (100)",
            "## Data fixes on closed deals",
            "### 1. Initech Pilot — 1,500.00",
            "### 2. Acme Renewal — no amount",
        ]
    );
    assert!(ann.contains("## Data fixes on closed deals\n\nThese deals are closed (won or lost): nothing to sell, only their records to correct.\n\n### 1. Initech Pilot"));
    let ben = read(&dir, "ben.md");
    assert!(ben.contains("2026-11-20. No open deal needs action. 1 closed deal needs its data fixed.\n\n## Data fixes on closed deals\n"));
    assert!(ben.contains("### 1. Wayne Pilot — 0.00\n\nStage: Won · Close date: 2026-11-10 · Id: K-5 · fixtures/truth/closed\\_fixes.csv line 6\n\nFindings:\n\n- HYG006 error `amount`: won deal has amount 0.00; record what was sold\n"));
    let index = read(&dir, "index.md");
    let table: Vec<&str> = index.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(
        table,
        [
            "| Owner | Deals needing action | High risk | At risk (high band) | Closed deals to fix |",
            "|---|---:|---:|---:|---:|",
            "| [Ann](ann.md) | 1 | 1 | 40,000.00 | 2 |",
            "| [Ben](ben.md) | 0 | 0 | - | 1 |",
        ]
    );
}

#[test]
fn owner_lists_name_the_deals_that_left_the_export_without_closing() {
    let dir = owner_lists(&["audit", WEEK_NOW, "--previous", WEEK_BEFORE]);
    assert_eq!(
        read(&dir, "tomás-ibáñez.md"),
        format!(
            "<!-- pipelint owners: generated, rewritten on every run -->\n# Action list: Tomás Ibáñez\n\nFrom the pipelint audit of fixtures/changes/week\\_2026-11-20.csv as of 2026-11-20. No open deal needs action. 1 deal left the export without closing.\n\n## Left the export without closing\n\n*This deal disappeared without closing: was it deleted, merged, or moved to someone else?*\n\n- {} (fixtures/changes/week\\_2026-11-13.csv line 5)\n",
            VANISHED.replace('`', "\\`")
        )
    );
    let index = read(&dir, "index.md");
    assert!(index.contains("| [Tomás Ibáñez](tomás-ibáñez.md) | 0 | 0 | - | 1 |\n"));
}

#[test]
fn a_week_of_pushes_only_says_no_change_in_the_open_amount() {
    let said = "No change in the open amount: 70,000.00 in both snapshots.";
    let audit = ["audit", PUSHES_NOW, "--previous", PUSHES_BEFORE];
    let diff = ["diff", PUSHES_BEFORE, PUSHES_NOW];
    for args in [&audit[..], &diff[..]] {
        let table = output(args);
        assert!(
            table.contains(&format!(
                "What changed since fixtures/truth/pushes_2026-11-13.csv (as of 2026-11-13): the open pipeline\n{said}\n"
            )),
            "{args:?}"
        );
        let md = output(&[args, &["-f", "markdown"]].concat());
        assert!(
            md.contains(&format!(
                "### What changed since fixtures/truth/pushes\\_2026-11-13.csv (as of 2026-11-13): the open pipeline\n\n{said}\n"
            )),
            "{args:?}"
        );
    }
    let html = output(&[&audit[..], &["-f", "html"]].concat());
    assert!(html.contains(&format!(
        "<figure><figcaption>Open pipeline since the previous snapshot</figcaption><p class=\"empty\">{said}</p></figure>"
    )));
    // The figures stay in JSON, where a program reads them.
    let doc = json(&audit);
    assert_eq!(doc["changes"]["waterfall"][0]["begin"], "70000.00");
    assert_eq!(doc["changes"]["waterfall"][0]["new"], "0.00");
}

/// A week in which one amount moved: the HTML waterfall shows its empty terms as 0.00, never
/// as "-0.00" (a regression: every subtraction carried its minus sign). A week in which
/// nothing moved says so instead of drawing a chart of zeros (moved from tests/changes.rs).
#[test]
fn an_unmoved_week_draws_no_negative_zero_in_the_html_waterfall() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = |previous: &str| {
        let copy = dir.path().join("previous_week.csv");
        std::fs::write(&copy, previous).expect("write");
        let out = pipelint()
            .args(["audit", WEEK_NOW, "--as-of", AS_OF, "--previous"])
            .arg(&copy)
            .args(["-f", "html"])
            .output()
            .expect("run");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let same = std::fs::read_to_string(WEEK_NOW).expect("read");
    let unmoved = html(&same);
    assert!(unmoved.contains("<figcaption>Open pipeline since the previous snapshot</figcaption><p class=\"empty\">No change in the open amount: 321,000.00 in both snapshots.</p>"));
    // Initech was 31,000.00 the week before: only its decrease moved.
    let cut = same.replace(
        "\"Initech - Add-on\",\"Initech\",\"Priya Raman\",\"Proposal/Price Quote\",\"30,000.00\"",
        "\"Initech - Add-on\",\"Initech\",\"Priya Raman\",\"Proposal/Price Quote\",\"31,000.00\"",
    );
    assert_ne!(cut, same);
    let moved = html(&cut);
    assert!(
        moved.contains("Open pipeline since the previous snapshot"),
        "no waterfall"
    );
    assert!(moved.contains(">0.00<"), "an empty term is drawn as 0.00");
    assert!(moved.contains(">-1,000.00<"), "the decrease is drawn");
    assert!(!moved.contains("-0.00"), "negative zero in the waterfall");
}
