//! Files a run reads or keeps (exports, `--previous`, rules, the history database, the quota
//! file) are never an output, whatever spelling reaches them; nor is the job summary file
//! `GITHUB_STEP_SUMMARY` names allowed to be one of them.

use std::path::Path;

use super::*;

const HISTORY_RULES: &str = "fixtures/history/rules.toml";
const WEEK1: &str = "fixtures/history/week1_2026-11-06.csv";
const WEEK2: &str = "fixtures/history/week2_2026-11-13.csv";
const QUOTAS: &str = "fixtures/history/quotas.csv";

fn absolute(path: &str) -> String {
    let path = std::fs::canonicalize(path).expect("fixture");
    path.to_str().expect("utf-8 path").to_string()
}

/// Refused: exit 2, one sentence on stderr naming `shown`, nothing on stdout.
fn assert_refused(r: &Run, shown: &str) {
    assert_exit_2(r, shown);
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn an_output_over_the_history_db_or_the_quota_file_replaced_it() {
    // `audit --history h.sqlite -o h.sqlite` replaced every stored week with the report, and
    // `--quota q.csv -o q.csv` the quotas, exit 0.
    let dir = tempfile::tempdir().expect("tempdir");
    let at = |name: &str| dir.path().join(name);
    let r = run(pipelint()
        .args(["history", "add", WEEK1, "-r", HISTORY_RULES])
        .args(["--as-of", "2026-11-06", "-q", "--db"])
        .arg(at("h.sqlite")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let db = std::fs::read(at("h.sqlite")).expect("db");
    std::fs::copy(QUOTAS, at("q.csv")).expect("copy");
    std::fs::copy(WEEK2, at("week2.csv")).expect("copy");
    std::fs::copy(HISTORY_RULES, at("rules.toml")).expect("copy");
    std::fs::hard_link(at("h.sqlite"), at("hard.sqlite")).expect("hard link");
    std::os::unix::fs::symlink("h.sqlite", at("soft.sqlite")).expect("symlink");
    std::os::unix::fs::symlink("rules.toml", at("rules-link.toml")).expect("symlink");
    std::fs::hard_link(at("q.csv"), at("q-hard.csv")).expect("hard link");
    let week2 = |extra: &[&str]| {
        run(pipelint()
            .current_dir(dir.path())
            .args([
                "audit",
                "week2.csv",
                "-r",
                "rules.toml",
                "--as-of",
                "2026-11-13",
            ])
            .args(extra))
    };
    let history = ["--history", "h.sqlite"];
    let quota = ["--quota", "q.csv"];
    let at_db = at("h.sqlite");
    let at_db = at_db.to_str().expect("path");
    let cases: [(&[&str], &[&str], &str); 9] = [
        (&history, &["-f", "json", "-o", "h.sqlite"], "h.sqlite"),
        (&history, &["-f", "json", "-o", "./h.sqlite"], "./h.sqlite"),
        (&history, &["-f", "json", "-o", at_db], at_db),
        (
            &history,
            &["-q", "--report", "json=hard.sqlite"],
            "hard.sqlite",
        ),
        (
            &history,
            &["-q", "--report", "csv=soft.sqlite"],
            "soft.sqlite",
        ),
        (&quota, &["-f", "csv", "-o", "q.csv"], "q.csv"),
        (&quota, &["-q", "--report", "json=q-hard.csv"], "q-hard.csv"),
        (
            &quota,
            &["-q", "--report", "json=rules-link.toml"],
            "rules-link.toml",
        ),
        (
            &quota,
            &["-q", "--report", "json=./week2.csv"],
            "./week2.csv",
        ),
    ];
    for (kept, output, shown) in cases {
        let r = week2(&[kept, output].concat());
        assert_refused(&r, shown);
        assert!(
            r.stderr.contains("it is the history database")
                || r.stderr.contains("it is the quota file")
                || r.stderr.contains("it is the rules file")
                || r.stderr.contains("it is the export"),
            "{output:?}: {}",
            r.stderr
        );
    }
    assert_eq!(
        std::fs::read(at("h.sqlite")).expect("db"),
        db,
        "the history"
    );
    for (name, original) in [
        ("q.csv", QUOTAS),
        ("week2.csv", WEEK2),
        ("rules.toml", HISTORY_RULES),
    ] {
        assert_eq!(
            std::fs::read(at(name)).expect("kept"),
            std::fs::read(original).expect("fixture"),
            "{name} is untouched"
        );
    }
    // `--previous`, through a hard link, and `diff OLD NEW -o OLD` likewise.
    std::fs::copy(WEEK1, at("week1.csv")).expect("copy");
    std::fs::hard_link(at("week1.csv"), at("week1-hard.csv")).expect("hard link");
    let r = week2(&[
        "--previous",
        "week1.csv",
        "-q",
        "--report",
        "json=week1-hard.csv",
    ]);
    assert_refused(&r, "week1-hard.csv");
    assert!(r.stderr.contains("the previous snapshot"), "{}", r.stderr);
    let r = run(pipelint().current_dir(dir.path()).args([
        "diff",
        "week1.csv",
        "week2.csv",
        "-r",
        "rules.toml",
        "--as-of",
        "2026-11-13",
        "-o",
        "week1-hard.csv",
    ]));
    assert_refused(&r, "week1-hard.csv");
    assert_eq!(
        std::fs::read(at("week1.csv")).expect("week1"),
        std::fs::read(WEEK1).expect("fixture")
    );
    // Without an output over a kept file, the same runs work.
    let r = week2(&["--history", "h.sqlite", "-f", "json", "-o", "out.json"]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
}

#[test]
fn a_history_db_naming_the_rules_file_overwrote_it() {
    // `history add export.csv -r rules.toml --db rules.toml` (and `audit --history` naming
    // the rules file) made the rules file a SQLite database.
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = temp_file(&dir, "pipelint.toml", "");
    let export = absolute(WEEK1);
    for args in [
        vec!["history", "add", &export, "-r", &rules, "--db", &rules],
        vec!["audit", &export, "-r", &rules, "--history", &rules],
    ] {
        let r = run(pipelint().args(&args).args(["--as-of", "2026-11-06"]));
        assert_refused(&r, &rules);
        assert!(r.stderr.contains("it is the rules file"), "{}", r.stderr);
        assert_eq!(std::fs::read(&rules).expect("rules"), b"", "{args:?}");
    }
    // The implicit ./pipelint.toml too, and an export.
    let r = run(pipelint().current_dir(dir.path()).args([
        "history",
        "add",
        &export,
        "--as-of",
        "2026-11-06",
        "--db",
        "./pipelint.toml",
    ]));
    assert_refused(&r, "pipelint.toml");
    let csv = temp_file(&dir, "empty.csv", "");
    let r = run(pipelint().args(["history", "add", &csv, "--db", &csv, "--as-of", AS_OF]));
    assert_refused(&r, "empty.csv");
    assert_eq!(std::fs::read(&csv).expect("export"), b"");
}

#[test]
fn github_step_summary_naming_an_input_appended_to_it() {
    // GITHUB_STEP_SUMMARY=export.csv appended the Markdown report to the export.
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = temp_file(&dir, "export.csv", std::fs::read(CLEAN).expect("fixture"));
    let rules = temp_file(&dir, "rules.toml", std::fs::read(RULES).expect("fixture"));
    let github = |summary: &str, extra: &[&str]| {
        run(pipelint()
            .env("GITHUB_STEP_SUMMARY", summary)
            .args([
                "audit", &csv, "-r", &rules, "--as-of", AS_OF, "-f", "github",
            ])
            .args(extra))
    };
    for kept in [&csv, &rules] {
        let r = github(kept, &[]);
        assert_refused(&r, kept);
        assert!(r.stderr.contains("GITHUB_STEP_SUMMARY"), "{}", r.stderr);
    }
    assert_eq!(
        std::fs::read(&csv).expect("csv"),
        std::fs::read(CLEAN).expect("fixture")
    );
    assert_eq!(
        std::fs::read(&rules).expect("rules"),
        std::fs::read(RULES).expect("fixture")
    );
    // Nor may the report itself go where the summary is appended.
    let out = dir.path().join("summary.md");
    let out = out.to_str().expect("path");
    let r = github(out, &["-o", out]);
    assert_refused(&r, out);
    assert!(!Path::new(out).exists(), "nothing is written");
    // A summary that cannot be written is named, not taken for standard output.
    if Path::new("/dev/full").exists() {
        let r = github("/dev/full", &[]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr.contains("/dev/full (GITHUB_STEP_SUMMARY)"),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("standard output"), "{}", r.stderr);
    }
    // A summary that is fine is appended once, even with two github reports.
    let summary = temp_file(&dir, "step.md", "# Earlier step\n");
    let second = format!("github={}", dir.path().join("gh.txt").display());
    let r = github(&summary, &["--report", &second]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let written = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        written.starts_with("# Earlier step\n## pipelint audit"),
        "{written}"
    );
    assert_eq!(written.matches("## pipelint audit").count(), 1, "{written}");
}

/// `[input] owners` names a file the run reads: `-o sf_users.csv` (or `--report` to it, or a
/// history database there) would replace the users with a report. Refused, the file kept.
#[test]
fn an_output_over_the_owners_lookup_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let at = |name: &str| dir.path().join(name);
    for name in ["sf_users.csv", "sf_org_dump.toml", "sf_org_dump.csv"] {
        std::fs::copy(format!("fixtures/traps/{name}"), at(name)).expect("copy");
    }
    let users = std::fs::read("fixtures/traps/sf_users.csv").expect("fixture");
    let audit = |extra: &[&str]| {
        run(pipelint()
            .current_dir(dir.path())
            .args(["audit", "sf_org_dump.csv", "-r", "sf_org_dump.toml"])
            .args(["--as-of", AS_OF])
            .args(extra))
    };
    let r = audit(&["-o", "sf_users.csv"]);
    assert_refused(&r, "it is the owners lookup file sf_users.csv");
    assert_eq!(
        r.stderr,
        "error: refusing to write the report to sf_users.csv: it is the owners lookup file \
         sf_users.csv, which this run reads; write the report elsewhere\n"
    );
    let r = audit(&["-q", "--report", "json=./sf_users.csv"]);
    assert_refused(&r, "it is the owners lookup file sf_users.csv");
    let r = audit(&["--history", "sf_users.csv"]);
    assert_refused(&r, "it is the owners lookup file sf_users.csv");
    assert_eq!(std::fs::read(at("sf_users.csv")).expect("users"), users);
    // The same audit writing elsewhere runs, and shows the names.
    let r = audit(&["-o", "report.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = std::fs::read_to_string(at("report.txt")).expect("report");
    assert!(report.contains("Priya Raman"), "{report}");
}

/// Rules given as a pipe (`-r <(pipelint init --from …)`) were read twice: once to find the
/// files they name, which emptied the pipe, so the audit ran on no rules at all ("no stage
/// column is mapped", amounts of four currencies summed). They are read once now.
#[cfg(unix)]
#[test]
fn rules_given_as_a_pipe_were_read_twice_and_audited_as_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("rules.toml");
    let made = StdCommand::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        common::cannot_run("PIPELINT_REQUIRE_DEVICES", "mkfifo cannot make a FIFO here");
        return;
    }
    let rules = std::fs::read_to_string("fixtures/checks/rules.toml").expect("rules");
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(&fifo, rules))
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pipelint"))
        .args([
            "audit",
            "fixtures/checks/VAL006/export.csv",
            "--as-of",
            AS_OF,
            "-f",
            "json",
            "-r",
        ])
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // A second open of the pipe would wait for a writer that has gone: a bounded wait.
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
            panic!("the audit still waits on the rules pipe: it opened it twice");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    writer.join().expect("writer").expect("write");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    // The fixture's rules, read: its unknown stage is found.
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"VAL006"), "{codes:?}");
}
