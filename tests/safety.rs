//! Safety holes found by trying pipelint as a new user would, one regression test each,
//! named after what broke: where reports may be written, interrupted runs, closed streams,
//! absurd thread counts, cells that try to drive the terminal, and oversized input.

mod common;

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use common::{AS_OF, Run, assert_exit_2, pipelint, run, temp_file};

const RULES: &str = "fixtures/checks/rules.toml";
const CLEAN: &str = "fixtures/checks/clean.csv";

fn audit(args: &[&str]) -> Run {
    run(pipelint().args(["audit", "--as-of", AS_OF]).args(args))
}

/// The clean fixture's JSON report written with `-o path`.
fn json_to(path: &Path) -> Run {
    audit(&[
        CLEAN,
        "-r",
        RULES,
        "-f",
        "json",
        "-o",
        path.to_str().expect("path"),
    ])
}

#[test]
fn output_to_dev_stdout_writes_to_stdout_and_keeps_the_device_link() {
    let dev = Path::new("/dev/stdout");
    if !dev.exists() {
        return;
    }
    let before = std::fs::symlink_metadata(dev)
        .expect("metadata")
        .file_type();
    let r = audit(&[CLEAN, "-r", RULES, "-f", "json", "-o", "/dev/stdout"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON on stdout");
    assert_eq!(report["summary"]["records"], 4);
    let after = std::fs::symlink_metadata(dev)
        .expect("metadata")
        .file_type();
    assert_eq!(before, after, "/dev/stdout was replaced");
}

#[cfg(unix)]
#[test]
fn output_to_dev_null_and_dev_full_keep_the_devices() {
    use std::os::unix::fs::FileTypeExt;
    let r = audit(&[CLEAN, "-r", RULES, "-o", "/dev/null"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(
        std::fs::metadata("/dev/null")
            .expect("metadata")
            .file_type()
            .is_char_device()
    );
    if Path::new("/dev/full").exists() {
        let r = audit(&[CLEAN, "-r", RULES, "-o", "/dev/full"]);
        assert_exit_2(&r, "cannot write report to /dev/full");
        assert!(
            std::fs::metadata("/dev/full")
                .expect("metadata")
                .file_type()
                .is_char_device()
        );
    }
}

#[cfg(unix)]
#[test]
fn output_to_a_fifo_is_written_into_it_not_replaced() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("report.fifo");
    let made = StdCommand::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return;
    }
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::fs::File::open(&reader_path)
            .expect("open fifo")
            .read_to_string(&mut text)
            .expect("read fifo");
        text
    });
    let r = json_to(&fifo);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = reader.join().expect("reader");
    let report: serde_json::Value = serde_json::from_str(&text).expect("JSON through the FIFO");
    assert_eq!(report["summary"]["records"], 4);
    assert!(
        std::fs::metadata(&fifo)
            .expect("metadata")
            .file_type()
            .is_fifo()
    );
}

#[cfg(unix)]
#[test]
fn output_through_a_symlink_replaces_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = temp_file(&dir, "2026-11-20.json", "old");
    let link = dir.path().join("latest.json");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let r = json_to(&link);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    let written = std::fs::read_to_string(&target).expect("target");
    assert!(written.starts_with('{'), "{written}");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left behind: {names:?}");
}

#[test]
fn output_over_the_rules_file_in_use_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = temp_file(
        &dir,
        "rules.toml",
        std::fs::read_to_string(RULES).expect("rules"),
    );
    let csv = std::fs::canonicalize(CLEAN).expect("fixture");
    let csv = csv.to_str().expect("path");
    let r = audit(&[csv, "-r", &rules, "-o", &rules]);
    assert_exit_2(&r, "it is an input or the rules file in use");
    assert_eq!(
        std::fs::read_to_string(&rules).expect("rules"),
        std::fs::read_to_string(RULES).expect("rules"),
        "the rules file is untouched"
    );
    // The implicit ./pipelint.toml too.
    std::fs::write(
        dir.path().join("pipelint.toml"),
        std::fs::read_to_string(RULES).expect("rules"),
    )
    .expect("write");
    let r = run(pipelint().current_dir(dir.path()).args([
        "audit",
        csv,
        "--as-of",
        AS_OF,
        "--report",
        "json=pipelint.toml",
    ]));
    assert_exit_2(&r, "it is an input or the rules file in use");
}

#[test]
fn two_outputs_to_one_path_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("audit.json");
    let out = out.to_str().expect("path");
    let r = audit(&[
        CLEAN,
        "-r",
        RULES,
        "-f",
        "json",
        "-o",
        out,
        "--report",
        &format!("json={out}"),
    ]);
    assert_exit_2(&r, "two reports would be written to");
    assert!(!Path::new(out).exists(), "nothing is written");
    // Standard output once only: the table and `--report json=-` cannot share it...
    let r = audit(&[CLEAN, "-r", RULES, "--report", "json=-"]);
    assert_exit_2(&r, "two reports would go to standard output");
    // ...unless the table is kept off it.
    let r = audit(&[CLEAN, "-r", RULES, "-q", "--report", "json=-"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with('{'), "{}", r.stdout);
    let r = audit(&[CLEAN, "-r", RULES, "-f", "json", "-o", "-"]);
    assert!(r.stdout.starts_with('{'), "{}", r.stdout);
}

#[cfg(unix)]
#[test]
fn reports_are_created_with_the_umask_and_keep_an_existing_files_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = assert_cmd::cargo::cargo_bin("pipelint");
    let new = dir.path().join("new.json");
    let status = StdCommand::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 022; exec '{}' audit {CLEAN} -r {RULES} --as-of {AS_OF} -f json -o '{}'",
            bin.display(),
            new.display()
        ))
        .status()
        .expect("sh");
    assert_eq!(status.code(), Some(0));
    let mode = std::fs::metadata(&new).expect("new").permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "{mode:o}");
    let existing = temp_file(&dir, "existing.json", "old");
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let r = audit(&[CLEAN, "-r", RULES, "-f", "json", "-o", &existing]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mode = std::fs::metadata(&existing)
        .expect("existing")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o640, "{mode:o}");
}

#[cfg(unix)]
#[test]
fn an_interrupted_audit_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = temp_file(&dir, "big.csv", common::salesforce_export(200_000));
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    for signal in ["TERM", "INT"] {
        let out = out_dir.join("audit.json");
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("pipelint"))
            .args(["audit", &input, "--as-of", AS_OF, "-f", "json", "-o"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        // The temporary file exists from before the audit starts: wait for it.
        let temp_seen = (0..2_000).any(|_| {
            let found = std::fs::read_dir(&out_dir)
                .map(|d| d.count() > 0)
                .unwrap_or(false);
            if !found {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            found
        });
        assert!(temp_seen, "the temporary report file was never created");
        StdCommand::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("kill");
        let status = child.wait().expect("wait");
        // Ended by the signal itself, as a shell expects (not by finishing first).
        use std::os::unix::process::ExitStatusExt;
        let number = if signal == "TERM" { 15 } else { 2 };
        assert_eq!(status.signal(), Some(number), "{signal}: {status:?}");
        let left: Vec<String> = std::fs::read_dir(&out_dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            left.is_empty() || left == ["audit.json"],
            "{signal} left {left:?}"
        );
        let _ = std::fs::remove_file(&out);
    }
}

#[test]
fn a_closed_stderr_is_not_a_panic() {
    // `pipelint rules check bad.toml 2>&1 | head -1` exited 101: printing the error to a
    // stderr nobody reads any more panicked.
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = temp_file(
        &dir,
        "bad.toml",
        "[input]\npresett = 1\n[fields]\nx = { typ = 1 }\n",
    );
    for args in [
        vec!["rules", "check", bad.as_str()],
        vec!["audit", "nope.csv"],
    ] {
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("pipelint"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stderr.take());
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(2), "{args:?}: {status:?}");
    }
}

#[test]
fn thousands_of_threads_are_clamped_and_said() {
    // `--threads 20000` aborted (exit 134); `--threads 10000` took minutes on 20 rows.
    let r = audit(&[CLEAN, "-r", RULES, "--threads", "20000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("--threads 20000 is more than the")
            && r.stderr.contains("this machine runs at once; using"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"));
}

#[test]
fn control_characters_in_cells_do_not_reach_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = temp_file(
        &dir,
        "evil.csv",
        "Ref,Deal,Customer,Rep,Phase,Value,Expected Close,Next Action,Region,PO Number,Discount\n\
         D-1,\"Evil\x1b]0;owned\x07\x1b[2J\rdeal\",Acme,\"Ann\x1b[31m\",Lead,100,15/01/2027,Call,\"Mars\x1b[5m\",,\n",
    );
    for color in ["never", "always"] {
        let r = audit(&[&csv, "-r", RULES, "--color", color]);
        let raw = r.stdout.replace("\x1b[1m", "").replace("\x1b[0m", "");
        let raw = [31, 32, 33, 34].iter().fold(raw, |t, c| {
            t.replace(&format!("\x1b[{c}m"), "")
                .replace(&format!("\x1b[38;5;{c}m"), "")
        });
        assert!(
            !raw.contains('\x07') && !raw.contains('\r') && !raw.contains("\x1b]"),
            "{color}: {:?}",
            r.stdout
        );
        assert!(
            !raw.contains("\x1b[2J") && !raw.contains("\x1b[5m"),
            "{color}: {:?}",
            r.stdout
        );
        assert!(
            r.stdout.contains("\\x1B]0;owned\\x07"),
            "{color}: {}",
            r.stdout
        );
    }
    // The JSON keeps the text as it is (escaped as JSON).
    let r = audit(&[&csv, "-r", RULES, "-f", "json"]);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(
        report["deals"][0]["name"],
        "Evil\x1b]0;owned\x07\x1b[2J\rdeal"
    );
}

#[test]
fn a_huge_cell_is_cut_in_the_table_and_whole_in_the_json() {
    // A 5 MB cell made the table render for minutes (wrapping is quadratic).
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "N".repeat(5_000_000);
    let csv = temp_file(
        &dir,
        "huge.csv",
        format!(
            "Ref,Deal,Customer,Rep,Phase,Value,Expected Close,Next Action,Region,PO Number,Discount\n\
             D-1,{name},Acme,Ann,Lead,100,15/01/2027,,Moon,,\n"
        ),
    );
    let r = audit(&[&csv, "-r", RULES, "--color", "never"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let longest = r
        .stdout
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    assert!(longest < 2_000, "a table line of {longest} characters");
    assert!(r.stdout.contains("NNN…"), "the cut is marked");
    // The deal's name is kept whole (it was cut at 64 kB until issue 23).
    let r = audit(&[&csv, "-r", RULES, "-f", "json"]);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(
        report["deals"][0]["name"].as_str().map(str::len),
        Some(5_000_000)
    );
}

#[test]
fn a_huge_header_is_refused_with_the_reason() {
    // A 50 MB header line took over a minute to match against the presets' column names.
    let dir = tempfile::tempdir().expect("tempdir");
    let header: Vec<String> = (0..100_000).map(|i| format!("Column {i}")).collect();
    let csv = temp_file(&dir, "wide.csv", format!("{}\n1\n", header.join(",")));
    for args in [
        vec!["audit", csv.as_str(), "--as-of", AS_OF],
        vec!["profile", csv.as_str()],
        vec!["init", "--from", csv.as_str()],
    ] {
        let r = run(pipelint().args(&args));
        assert_exit_2(&r, "the header row (line 1) is 1.2 MB long");
    }
    let many: Vec<String> = (0..20_000).map(|i| format!("c{i}")).collect();
    let csv = temp_file(&dir, "many.csv", format!("{}\n1\n", many.join(",")));
    let r = run(pipelint().args(["profile", &csv]));
    assert_exit_2(&r, "has 20,000 columns; pipelint reads at most 16,384");
}

// -----------------------------------------------------------------------------------------
// Issue 23, items 8–16 ("Nothing a user names is ever destroyed"): reports that stay
// well-formed whatever a cell holds, names kept whole, dates in range for every flag, and a
// history store that is read read-only, names itself in every error and refuses rows it did
// not write. One regression test per item, named after what broke.
// -----------------------------------------------------------------------------------------

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
