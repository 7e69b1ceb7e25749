//! Open deals without amounts: three of the four open deals have none, among them the one
//! at high risk. No place that shows an open or at-risk amount shows a zero or a dash for
//! them; each says how many deals have none.

use serde_json::{Value, json};

use super::common::{AS_OF, pipelint, run};

const EXPORT: &str = "fixtures/truth/open_without_amount.csv";

fn audit(args: &[&str]) -> String {
    let r = run(pipelint()
        .args(["audit", EXPORT, "--as-of", AS_OF, "--color", "never"])
        .args(args));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    r.stdout
}

/// The lines of `text` that start with `prefix`.
fn lines_from<'t>(text: &'t str, prefix: &str) -> Vec<&'t str> {
    text.lines().filter(|l| l.starts_with(prefix)).collect()
}

#[test]
fn the_table_and_markdown_say_how_many_deals_have_no_amount() {
    let table = audit(&[]);
    assert_eq!(
        lines_from(&table, "  Open deals"),
        [
            "  Open deals    4 · 5,000.00 open (3 without an amount) · no amount on the 1 deal at risk (high band)"
        ]
    );
    let md = audit(&["-f", "markdown"]);
    for row in [
        // The forecast call.
        "| Commit | 2 | 5,000.00 (1 without an amount) | 1 | no amount on 1 |",
        "| Pipeline | 2 | no amount on 2 | 0 | - |",
        // The deals at risk.
        // Overdue 50 days: 30 + floor(30 × 50 / 90) = 46; idle 111 days: 40; open 172 days
        // against Proposal's 21: 30; exit criteria 20; no next step 10: capped at 100.
        "| 100 | high | Globex Suite | Ben | Proposal | no amount | 2026-10-01 | overdue 50 days; no activity for 111 days: 7.9× the 14-day limit; open 172 days, 8.1× Proposal's 21-day limit (no stage-change date: its age); exit criteria unmet for Proposal: amount; no next step |",
        // The pipeline by owner.
        "| Ben | 2 | 57.1% | 2 | no amount on 2 | 1 | no amount on 1 |",
        "| Ann | 3 | 100.0% | 2 | 5,000.00 (1 without an amount) | 0 | - |",
        // The pipeline by stage: a closed stage has no open deals to have an amount.
        "| Qualification | 1 | 100.0% | no amount on 1 | 0 | 0 | 1 | - |",
        "| Discovery | 1 | 100.0% | no amount on 1 | 0 | 0 | 1 | - |",
        "| Proposal | 2 | 70.0% | 5,000.00 (1 without an amount) | 1 | 0 | 1 | no amount on 1 |",
        "| Won | 1 | 100.0% | - | 0 | 0 | 0 | - |",
    ] {
        assert_eq!(lines_from(&md, row), [row]);
    }
    assert_eq!(
        lines_from(&md, "| **Open deals**"),
        [
            "| **Open deals** | 4 · 5,000.00 open (3 without an amount) · no amount on the 1 deal at risk (high band) |"
        ]
    );
}

/// The texts of the chart captioned `caption`, in order (labels, then what each bar says).
fn chart_texts<'h>(html: &'h str, caption: &str) -> Vec<&'h str> {
    let start = html
        .find(&format!("<figcaption>{caption}</figcaption>"))
        .unwrap_or_else(|| panic!("no chart {caption}"));
    let figure = &html[start..];
    let figure = &figure[..figure.find("</figure>").expect("figure end")];
    figure
        .split("</text>")
        .filter_map(|t| t.rsplit_once('>').map(|(_, text)| text))
        .filter(|t| !t.is_empty())
        .collect()
}

#[test]
fn html_charts_say_which_deals_have_no_amount() {
    let html = audit(&["-f", "html"]);
    assert_eq!(
        chart_texts(&html, "Open deals and amount by risk band"),
        [
            "high risk",
            "1 deal",
            "no amount on 1",
            "medium risk",
            "0 deals",
            "none",
            "low risk",
            "3 deals",
            "5,000.00 (2 without an amount)"
        ]
    );
    // Ben's open deals have no amount: charted, and said, not left out.
    assert_eq!(
        chart_texts(&html, "Open and at-risk amount by owner"),
        [
            "open",
            "at risk (high band)",
            "Ann",
            "5,000.00 (1 without an amount)",
            "none",
            "Ben",
            "no amount on 2",
            "no amount on 1"
        ]
    );
    assert!(html.contains("<td class=\"num\">no amount on 2</td>"));
}

#[test]
fn json_counts_the_deals_without_an_amount_beside_each_sum() {
    let doc: Value = serde_json::from_str(&audit(&["-f", "json"])).expect("json");
    let s = &doc["summary"];
    assert_eq!(
        (&s["open_without_amount"], &s["at_risk_without_amount"]),
        (&json!(3), &json!(1))
    );
    let owners: Vec<Value> = doc["pipeline"]["by_owner"]
        .as_array()
        .expect("by_owner")
        .iter()
        .map(|r| {
            json!([
                r["owner"],
                r["open_amount"],
                r["open_without_amount"],
                r["at_risk_without_amount"]
            ])
        })
        .collect();
    assert_eq!(
        owners,
        [
            json!(["Ann", [{"currency": null, "amount": "5000.00"}], 1, 0]),
            json!(["Ben", [], 2, 1]),
        ]
    );
    let call: Vec<Value> = doc["health"]["forecast"]["overall"]
        .as_array()
        .expect("forecast call")
        .iter()
        .map(|c| {
            json!([
                c["category"],
                c["deals"],
                c["without_amount"],
                c["at_risk_without_amount"]
            ])
        })
        .collect();
    assert_eq!(
        call,
        [json!(["commit", 2, 1, 1]), json!(["pipeline", 2, 2, 0])]
    );
}

#[test]
fn owner_lists_say_no_amount_rather_than_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = format!("owners={}", dir.path().display());
    audit(&["--report", &target, "-o", "/dev/null"]);
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect(name);
    assert_eq!(
        lines_from(&read("ben.md"), "## "),
        ["## 1. Globex Suite — no amount — high risk (100)"]
    );
    assert_eq!(
        lines_from(&read("index.md"), "| [Ben]"),
        ["| [Ben](ben.md) | 1 | 1 | no amount on 1 |"]
    );
}
