//! Issue 23, items 8–16 ("Nothing a user names is ever destroyed"), one regression test
//! per item, named after what broke: JUnit and HTML that stay well-formed whatever a cell
//! holds (8), the HTML filter and the bidirectional controls (9, with the browser half in
//! tests/browser.rs), names kept whole (10) and date flags in range (12). (Item 11 is in
//! tests/sql_engines.rs, on the SQL engines.)

use std::path::Path;

use super::common::{AS_OF, pipelint, run, temp_file};
use super::{RULES, audit};

const WEEK_OLD: &str = "fixtures/changes/week_2026-11-13.csv";
const WEEK_NEW: &str = "fixtures/changes/week_2026-11-20.csv";

#[test]
fn date_flags_outside_years_1_to_9999_are_refused_naming_the_flag_not_a_panic() {
    // `audit --previous F --as-of=-262143-01-01` and `diff … --as-of=…` panicked (exit 101)
    // subtracting a week from a date at the end of chrono's range.
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    let db = db.to_str().expect("path");
    for bad in [
        "-262143-01-01",
        "0000-12-31",
        "+10000-01-07",
        "+262142-12-31",
    ] {
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (
                vec!["audit", WEEK_NEW, "--previous", WEEK_OLD, "--as-of", bad],
                "--as-of",
            ),
            (
                vec![
                    "audit",
                    WEEK_NEW,
                    "--previous",
                    WEEK_OLD,
                    "--as-of",
                    AS_OF,
                    "--previous-as-of",
                    bad,
                ],
                "--previous-as-of",
            ),
            (vec!["diff", WEEK_OLD, WEEK_NEW, "--as-of", bad], "--as-of"),
            (
                vec![
                    "diff",
                    WEEK_OLD,
                    WEEK_NEW,
                    "--as-of",
                    AS_OF,
                    "--previous-as-of",
                    bad,
                ],
                "--previous-as-of",
            ),
            (
                vec!["history", "add", WEEK_NEW, "--db", db, "--as-of", bad],
                "--as-of",
            ),
            (
                vec!["sql", "-r", RULES, "--dialect", "duckdb", "--as-of", bad],
                "--as-of",
            ),
        ];
        for (args, flag) in cases {
            let arg = format!("{flag}={bad}");
            // Both spellings: `--as-of=-262143-01-01` and `--as-of -262143-01-01`.
            let mut joined: Vec<&str> = Vec::new();
            let mut skip = false;
            for (i, a) in args.iter().enumerate() {
                if skip {
                    skip = false;
                    continue;
                }
                if *a == flag && args.get(i + 1) == Some(&bad) {
                    joined.push(&arg);
                    skip = true;
                } else {
                    joined.push(a);
                }
            }
            let r = run(pipelint().args(&joined));
            assert_eq!(r.code, 2, "{joined:?}: {}", r.stderr);
            assert!(!r.stderr.contains("panicked"), "{joined:?}: {}", r.stderr);
            assert!(
                r.stderr.contains(flag) && r.stderr.contains("years 1 to 9999"),
                "{joined:?}: {}",
                r.stderr
            );
        }
    }
    assert!(!Path::new(db).exists(), "no history was written");
    // The first and last days of the range are dates: a week before 0001-01-01 is no panic.
    for edge in ["0001-01-01", "9999-12-31"] {
        let r = run(pipelint().args(["audit", WEEK_NEW, "--previous", WEEK_OLD, "--as-of", edge]));
        assert!(r.code <= 1, "{edge}: {}", r.stderr);
        let r = run(pipelint().args(["diff", WEEK_OLD, WEEK_NEW, "--as-of", edge]));
        assert_eq!(r.code, 0, "{edge}: {}", r.stderr);
    }
}

/// A deal whose name and region hold what XML 1.0 forbids (U+FFFE, U+FFFF, a C0 control)
/// beside what it allows (a tab, a no-break space, U+FFFD).
fn forbidden_in_xml_csv(dir: &tempfile::TempDir) -> String {
    temp_file(
        dir,
        "nonchars.csv",
        "Ref,Deal,Customer,Rep,Phase,Value,Expected Close,Next Action,Region,PO Number,Discount\n\
         D-1,\"Evil\u{FFFE}name\u{FFFF}\x01x\tok\u{A0}\u{FFFD}\",Acme,Ann,Lead,100,,Call,\"Mars\u{FFFF}\",,\n",
    )
}

#[test]
fn junit_with_noncharacters_in_cells_parses_as_xml() {
    // U+FFFE and U+FFFF went into the JUnit text as they were, which no XML 1.0 parser
    // accepts: the CI's test-report step failed on the file.
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = forbidden_in_xml_csv(&dir);
    let r = audit(&[&csv, "-r", RULES, "-f", "junit"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = roxmltree::Document::parse(&r.stdout)
        .unwrap_or_else(|e| panic!("JUnit is not well-formed XML: {e}\n{:?}", r.stdout));
    let text: String = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .filter_map(|n| n.text())
        .collect();
    // Shown, not dropped: the forbidden characters (and the controls quick-junit used to
    // drop, the tab among them) as the escapes the terminal, CSV and HTML show.
    assert!(
        text.contains("Evil\\u{FFFE}name\\u{FFFF}\\x01x\\tok\u{A0}\u{FFFD}"),
        "{text:?}"
    );
    assert!(text.contains("Mars\\u{FFFF}"), "{text:?}");
    // The HTML page shows them the same way: no noncharacter or C0 control in it.
    let r = audit(&[&csv, "-r", RULES, "-f", "html"]);
    let bad: Vec<char> = r
        .stdout
        .chars()
        .filter(|&c| {
            matches!(c, '\u{FFFE}' | '\u{FFFF}') || (c.is_control() && !matches!(c, '\n' | '\t'))
        })
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    assert!(r.stdout.contains("Evil\\u{FFFE}name"), "the name is shown");
}

#[test]
fn arabic_letter_mark_is_escaped_like_the_other_bidi_controls() {
    // U+200E and U+200F were shown as escapes, U+061C (the Arabic letter mark, the same kind
    // of character) went out as it was and could reorder what a terminal or page shows.
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = temp_file(
        &dir,
        "bidi.csv",
        "Ref,Deal,Customer,Rep,Phase,Value,Expected Close,Next Action,Region,PO Number,Discount\n\
         D-1,\"a\u{061C}b\u{200F}c\u{2067}d\",Acme,Ann,Lead,100,,Call,EMEA,,\n",
    );
    let shown = "a\\u{061C}b\\u{200F}c\\u{2067}d";
    for format in ["table", "markdown", "csv", "html", "junit", "github"] {
        let r = audit(&[&csv, "-r", RULES, "-f", format, "--color", "never"]);
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        let out = if format == "markdown" {
            // Markdown shows the backslash of an escape as `\\`.
            r.stdout.replace("\\\\", "\\")
        } else {
            r.stdout
        };
        assert!(
            !out.contains('\u{061C}') && !out.contains('\u{200F}') && !out.contains('\u{2067}'),
            "{format}: a bidi control went out as it was"
        );
        assert!(out.contains(shown), "{format}: {out}");
    }
    // The JSON keeps the text as it is.
    let r = audit(&[&csv, "-r", RULES, "-f", "json"]);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(report["deals"][0]["name"], "a\u{061C}b\u{200F}c\u{2067}d");
}

#[test]
fn names_and_accounts_over_64_kb_are_whole_in_json_and_deals() {
    // The deal summary held an id, name or account in at most 65,535 bytes and cut the
    // rest without a word: `-f json` and `-f deals` showed a shorter name than the export's.
    let dir = tempfile::tempdir().expect("tempdir");
    // A multi-byte character across the old cut, so a cut would also land mid-character.
    let name = format!("{}é{}", "N".repeat(65_534), "M".repeat(10_000));
    let account = format!("{}A", "Acme ".repeat(14_000));
    let id = format!("D-{}", "9".repeat(70_000));
    let csv = temp_file(
        &dir,
        "long.csv",
        format!(
            "Ref,Deal,Customer,Rep,Phase,Value,Expected Close,Next Action,Region,PO Number,Discount\n\
             {id},{name},{account},Ann,Lead,100,15/01/2027,Call,EMEA,,\n"
        ),
    );
    let r = audit(&[&csv, "-r", RULES, "-f", "json"]);
    assert!(r.code <= 1, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let deal = &report["deals"][0];
    // Compared without printing: a failure would otherwise print 200 kB of text.
    let same = |got: Option<&str>, want: &str| {
        got == Some(want) || panic!("{} bytes kept of {}", got.map_or(0, str::len), want.len())
    };
    same(deal["name"].as_str(), &name);
    same(deal["account"].as_str(), &account);
    same(deal["id"].as_str(), &id);
    let r = audit(&[&csv, "-r", RULES, "-f", "deals"]);
    assert!(r.code <= 1, "{}", r.stderr);
    let mut rows = csv::Reader::from_reader(r.stdout.trim_start_matches('\u{feff}').as_bytes());
    let headers = rows.headers().expect("header").clone();
    let row = rows.records().next().expect("a deal").expect("a row");
    let cell = |h: &str| {
        let i = headers
            .iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("{h}: {headers:?}"));
        row.get(i)
    };
    same(cell("name"), &name);
    same(cell("account"), &account);
    same(cell("id"), &id);
}
