//! Issue 23, items 8–16 ("Nothing a user names is ever destroyed"), one regression test
//! per item, named after what broke: JUnit and HTML that stay well-formed whatever a cell
//! holds (8), the HTML filter and the bidirectional controls (9, with the browser half in
//! tests/browser.rs), names kept whole (10), date flags in range (12), and a history store
//! that is read without writing, names itself in every error and refuses rows it did not
//! write (14–16). (Item 11 is in tests/sql_engines.rs, on the SQL engines.)

use std::path::Path;
use std::process::Command as StdCommand;

use super::common::{AS_OF, Run, assert_exit_2, pipelint, run, temp_file};
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

/// `12345` as `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn names_and_accounts_over_64_kb_were_cut_without_a_word() {
    // The deal summary held an id, name or account in at most 65,535 bytes and cut the
    // rest without a word: `-f json` and `-f deals` showed a shorter name than the export's.
    // A cell now keeps at most 64 kB, cut as it is read with a marker that says so (and
    // counted in inputs[].cut_cells), the same in every report.
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
    // Compared without printing: a failure would otherwise print 200 kB of text. A cell past
    // 64 kB keeps its first bytes and ends with the marker naming its whole length.
    let same = |got: Option<&str>, want: &str| {
        let got = got.unwrap_or("");
        let marker = format!(
            "this cell is {} bytes, more than the 65,535 a cell keeps]",
            thousands(want.len())
        );
        let kept = got
            .split("[… cut by pipelint")
            .next()
            .unwrap_or("")
            .trim_end();
        (got.len() <= 65_535
            && got.ends_with(&marker)
            && want.starts_with(kept)
            && kept.len() > 60_000)
            || panic!(
                "{} bytes kept of {}: not cut with its marker",
                got.len(),
                want.len()
            )
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

const HISTORY_RULES: &str = "fixtures/history/rules.toml";
const HISTORY_WEEKS: [(&str, &str); 3] = [
    ("fixtures/history/week1_2026-11-06.csv", "2026-11-06"),
    ("fixtures/history/week2_2026-11-13.csv", "2026-11-13"),
    ("fixtures/history/week3_2026-11-20.csv", "2026-11-20"),
];
const WEEK4: &str = "fixtures/history/week4_2026-11-27.csv";

fn history_add(db: &Path, file: &str, as_of: &str) -> Run {
    run(pipelint()
        .args([
            "history",
            "add",
            file,
            "-r",
            HISTORY_RULES,
            "--as-of",
            as_of,
            "--db",
        ])
        .arg(db))
}

/// Three weeks stored in a fresh history `h.sqlite`.
fn three_weeks() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    for (file, as_of) in HISTORY_WEEKS {
        let r = history_add(&db, file, as_of);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    (dir, db)
}

/// The reads a history serves: list, backtest, and an audit against it.
fn history_reads(db: &Path) -> Vec<(String, Run)> {
    let db_arg = db.to_str().expect("path");
    let mut reads = Vec::new();
    for (what, args) in [
        (
            "list",
            vec!["history", "list", "--db", db_arg, "-f", "json"],
        ),
        ("backtest", vec!["history", "backtest", "--db", db_arg]),
        (
            "audit",
            vec![
                "audit",
                WEEK4,
                "-r",
                HISTORY_RULES,
                "--as-of",
                "2026-11-27",
                "-f",
                "json",
                "--history",
                db_arg,
            ],
        ),
    ] {
        reads.push((what.to_string(), run(pipelint().args(args))));
    }
    reads
}

/// `cmd` run as a user who may only read what root wrote: `nobody` when the tests run as
/// root (whom file permissions do not stop), else the user as is. None when there is no
/// way to drop root here.
fn as_reader(args: &[&str], db: &Path) -> Option<Run> {
    let uid = StdCommand::new("id").arg("-u").output().ok()?;
    let bin = assert_cmd::cargo::cargo_bin("pipelint");
    let mut cmd = if String::from_utf8_lossy(&uid.stdout).trim() == "0" {
        let mut c = StdCommand::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        StdCommand::new(&bin)
    };
    cmd.args(args).arg(db).env_remove("NO_COLOR");
    let out = cmd.output().ok()?;
    if out.status.code() == Some(127) || String::from_utf8_lossy(&out.stderr).contains("setpriv:") {
        return None;
    }
    Some(Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

#[cfg(unix)]
#[test]
fn a_read_only_history_is_read_and_a_write_to_it_says_so() {
    // `history list` on a history the user may only read said "not a pipelint history
    // (attempt to write a readonly database)": every open wrote (journal mode, migration).
    use std::os::unix::fs::PermissionsExt;
    let (dir, db) = three_weeks();
    // A read leaves nothing beside the history (no `-wal` or `-shm` of its own).
    let r = run(pipelint().args(["history", "list", "--db"]).arg(&db));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let beside: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside, ["h.sqlite"]);
    let before = std::fs::read(&db).expect("db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let reads: Vec<(&str, Vec<&str>)> = vec![
        ("list", vec!["history", "list", "-f", "json", "--db"]),
        ("backtest", vec!["history", "backtest", "--db"]),
        (
            "audit",
            vec![
                "audit",
                WEEK4,
                "-r",
                HISTORY_RULES,
                "--as-of",
                "2026-11-27",
                "-f",
                "json",
                "--history",
            ],
        ),
    ];
    for (what, args) in reads {
        let Some(r) = as_reader(&args, &db) else {
            eprintln!("skipped: cannot run as another user here");
            return;
        };
        assert!(r.code <= 1, "{what}: {}", r.stderr);
        let json = (what != "backtest")
            .then(|| serde_json::from_str::<serde_json::Value>(&r.stdout).expect("json"));
        match what {
            "list" => assert_eq!(
                json.expect("json")["snapshots"].as_array().map(Vec::len),
                Some(3)
            ),
            "audit" => assert_eq!(
                json.expect("json")["history"]["compared_with"],
                "2026-11-20"
            ),
            _ => assert!(
                r.stdout.contains("Backtest over 3 stored snapshots"),
                "{}",
                r.stdout
            ),
        }
    }
    let Some(r) = as_reader(
        &[
            "history",
            "add",
            WEEK4,
            "-r",
            HISTORY_RULES,
            "--as-of",
            "2026-11-27",
            "--db",
        ],
        &db,
    ) else {
        return;
    };
    assert_exit_2(&r, "is read-only");
    assert!(
        r.stderr.contains(db.to_str().expect("path")),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("attempt to write"), "{}", r.stderr);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_eq!(
        std::fs::read(&db).expect("db"),
        before,
        "the history is untouched"
    );
}

#[test]
fn a_history_that_is_no_file_is_refused_naming_it_and_a_fix() {
    // `--db /dev/null` said only "disk I/O error 1034".
    let dir = tempfile::tempdir().expect("tempdir");
    for db in [Path::new("/dev/null"), dir.path()] {
        if !db.exists() {
            continue;
        }
        let shown = db.to_str().expect("path");
        let writes = history_add(db, HISTORY_WEEKS[0].0, HISTORY_WEEKS[0].1);
        for (what, r) in std::iter::once(("add".to_string(), writes)).chain(history_reads(db)) {
            assert_eq!(r.code, 2, "{what} {shown}: {}", r.stderr);
            assert!(r.stderr.starts_with("error: "), "{what}: {}", r.stderr);
            assert!(r.stderr.contains(shown), "{what}: {}", r.stderr);
            assert!(
                r.stderr.contains("name a file such as"),
                "{what} {shown}: {}",
                r.stderr
            );
            assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        }
    }
}

/// Run `sql` on the history at `db`, as someone editing it by hand would.
fn tamper(db: &Path, sql: &str) {
    let c = rusqlite::Connection::open(db).expect("open the history");
    c.execute_batch(sql).expect("tamper");
}

/// The store as an older pipelint (schema 2) wrote it: the as-of as text only, no graded
/// signals, no outbox.
fn as_schema_2(db: &Path) {
    let c = rusqlite::Connection::open(db).expect("open the history");
    let has_day: bool = c
        .prepare("SELECT 1 FROM pragma_table_info('snapshots') WHERE name = 'as_of_day'")
        .and_then(|mut s| s.exists([]))
        .expect("table info");
    if has_day {
        c.execute_batch(
            "DROP INDEX IF EXISTS snapshots_day; ALTER TABLE snapshots DROP COLUMN as_of_day;",
        )
        .expect("drop as_of_day");
    }
    let has_grades: bool = c
        .prepare("SELECT 1 FROM pragma_table_info('deals') WHERE name = 'grades'")
        .and_then(|mut s| s.exists([]))
        .expect("table info");
    if has_grades {
        c.execute_batch("ALTER TABLE deals DROP COLUMN grades;")
            .expect("drop grades");
    }
    c.execute_batch(
        "DROP TABLE IF EXISTS outbox; DROP TABLE IF EXISTS playbook_state; DROP TABLE IF EXISTS outcome_tracks;
         DROP TRIGGER IF EXISTS deal_forms_stale; DROP TABLE IF EXISTS deal_forms;",
    )
        .expect("drop the outbox");
    c.pragma_update(None, "user_version", 2).expect("version");
}

#[test]
fn history_as_of_dates_order_as_dates_and_a_year_past_9999_is_refused() {
    // As text, `+10000-01-07` sorted before `9999-12-31` (and before any as-of of ours):
    // `history list` put it first, and `audit --history` took it for last week.
    let (_dir, db) = three_weeks();
    as_schema_2(&db);
    // A schema-2 store migrates, and its snapshots stay in date order.
    let r = run(pipelint()
        .args(["history", "list", "-f", "json", "--db"])
        .arg(&db));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let listed: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let days: Vec<&str> = listed["snapshots"]
        .as_array()
        .expect("snapshots")
        .iter()
        .filter_map(|s| s["as_of"].as_str())
        .collect();
    assert_eq!(days, ["2026-11-06", "2026-11-13", "2026-11-20"]);
    // One written (by an older pipelint) with a year past 9999.
    as_schema_2(&db);
    tamper(
        &db,
        "UPDATE snapshots SET as_of = '+10000-01-07' WHERE id = 3;
         UPDATE snapshots SET as_of = '9999-12-31' WHERE id = 2;",
    );
    for (what, r) in history_reads(&db) {
        assert_exit_2(&r, "table snapshots, row 3, column as_of");
        assert!(r.stderr.contains("+10000-01-07"), "{what}: {}", r.stderr);
        assert!(
            r.stderr.contains(db.to_str().expect("path")),
            "{what}: {}",
            r.stderr
        );
    }
}

#[test]
fn a_hand_edited_history_row_is_refused_naming_file_table_and_row() {
    // A summary edited to `"completeness": "abc"` was listed as "abc%" (and a missing one
    // as "null%"); impossible counts and dates were shown as figures.
    let (dir, db) = three_weeks();
    let pristine = std::fs::read(&db).expect("db");
    let edits: [(&str, &str); 11] = [
        (
            "UPDATE snapshots SET summary = json_set(summary, '$.completeness', 'abc') WHERE id = 2",
            "table snapshots, row 2, column summary: completeness is \"abc\"",
        ),
        (
            "UPDATE snapshots SET summary = json_remove(summary, '$.completeness') WHERE id = 1",
            "table snapshots, row 1, column summary: completeness is missing",
        ),
        (
            "UPDATE snapshots SET deals = -4 WHERE id = 1",
            "table snapshots, row 1, column deals: -4",
        ),
        (
            "UPDATE snapshot_files SET records = 'many' WHERE snapshot = 2",
            "table snapshot_files, the row of snapshot 2, column records",
        ),
        (
            "UPDATE owner_stats SET filled = applicable + 5 WHERE snapshot = 3 AND owner = (SELECT min(owner) FROM owner_stats WHERE snapshot = 3)",
            "table owner_stats, the row of snapshot 3 for owner",
        ),
        (
            "UPDATE deals SET close_day = 99999999 WHERE id = (3 << 32) + 1",
            "table deals, row 12884901889 (snapshot 3, seq 1), column close_day",
        ),
        (
            "UPDATE deals SET push_count = -3 WHERE id = (3 << 32)",
            "table deals, row 12884901888 (snapshot 3, seq 0), column push_count",
        ),
        (
            "UPDATE deals SET standing = 'maybe' WHERE id = (3 << 32) + 2",
            "table deals, row 12884901890 (snapshot 3, seq 2), column standing",
        ),
        (
            "UPDATE deals SET findings = 'REQ001' || char(1) || 'amount' || char(1) || '0' WHERE id = (3 << 32) + 1",
            "table deals, row 12884901889 (snapshot 3, seq 1), column findings: a streak of \"0\", not a count from 1",
        ),
        (
            "UPDATE deals SET findings = 'REQ001' || char(1) || 'amount' WHERE id = (3 << 32)",
            "table deals, row 12884901888 (snapshot 3, seq 0), column findings: \"REQ001\\u{1}amount\", not a finding",
        ),
        (
            "UPDATE commit_calls SET quarter = 'next year' WHERE snapshot = 1 AND seq = (SELECT min(seq) FROM commit_calls WHERE snapshot = 1)",
            "table commit_calls, the row of snapshot 1",
        ),
    ];
    for (sql, needle) in edits {
        std::fs::write(&db, &pristine).expect("restore the history");
        tamper(&db, sql);
        // Each is read by some of the reads; none shows it as data.
        let reads = history_reads(&db);
        let refused: Vec<&(String, Run)> = reads.iter().filter(|(_, r)| r.code == 2).collect();
        assert!(!refused.is_empty(), "{sql}: every read went on");
        for (what, r) in &refused {
            assert_exit_2(r, needle);
            assert!(
                r.stderr.contains(db.to_str().expect("path")),
                "{what}: {}",
                r.stderr
            );
            assert_eq!(r.stderr.trim().lines().count(), 1, "{what}: {}", r.stderr);
        }
        for (what, r) in &reads {
            assert!(
                r.code == 2 || !r.stdout.contains("null%") && !r.stdout.contains("abc"),
                "{sql}: {what} showed it: {}",
                r.stdout
            );
        }
    }
    drop(dir);
}

#[test]
fn control_characters_in_section_notes_do_not_reach_the_terminal() {
    // The table escaped its cells but printed section titles and notes as they were: an
    // owner named in the quota file only ("quota but no deals: …") drove the terminal.
    let dir = tempfile::tempdir().expect("tempdir");
    let quota = temp_file(
        &dir,
        "quota.csv",
        "owner,period,amount,currency\n\
         Ann Lee,FY2027-Q2,200000,USD\n\
         \"Evil\x1b]0;owned\x07\x1b[2J\u{202E}\",FY2027-Q2,100000,USD\n",
    );
    let r = run(pipelint().args([
        "audit",
        "fixtures/history/week4_2026-11-27.csv",
        "-r",
        "fixtures/history/rules.toml",
        "--as-of",
        "2026-11-27",
        "--color",
        "never",
        "--quota",
        &quota,
    ]));
    assert!(r.code <= 1, "{}", r.stderr);
    assert!(r.stdout.contains("quota but no deals"), "{}", r.stdout);
    assert!(
        !r.stdout.contains('\x1b') && !r.stdout.contains('\x07') && !r.stdout.contains('\u{202E}'),
        "{:?}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Evil\\x1B]0;owned\\x07\\x1B[2J\\u{202E}"),
        "{}",
        r.stdout
    );
}
