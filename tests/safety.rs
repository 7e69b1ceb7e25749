//! Safety holes found by trying pipelint as a new user would, one regression test each,
//! named after what broke: where reports may be written, interrupted runs, closed streams,
//! absurd thread counts, cells that try to drive the terminal, and oversized input.

#[path = "safety/bounds.rs"]
mod bounds;
mod common;
#[path = "safety/kept.rs"]
mod kept;
#[path = "safety/owners.rs"]
mod owners;
#[path = "safety/streams.rs"]
mod streams;

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
        common::cannot_run("PIPELINT_REQUIRE_DEVICES", "no /dev/stdout on this machine");
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
        common::cannot_run("PIPELINT_REQUIRE_DEVICES", "mkfifo cannot make a FIFO here");
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

#[cfg(unix)]
#[test]
fn output_through_a_dangling_symlink_replaced_the_link() {
    // `-o latest.json`, a link to a report not written yet, replaced the link with a file.
    let dir = tempfile::tempdir().expect("tempdir");
    let link = dir.path().join("latest.json");
    std::os::unix::fs::symlink("reports/2026-11-20.json", &link).expect("symlink");
    std::fs::create_dir(dir.path().join("reports")).expect("mkdir");
    let r = json_to(&link);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    let target = dir.path().join("reports/2026-11-20.json");
    let written = std::fs::read_to_string(&target).expect("the target is created");
    assert!(written.starts_with('{'), "{written}");
    let left: Vec<String> = std::fs::read_dir(dir.path().join("reports"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["2026-11-20.json"], "no temporary file left behind");
    // A link into a directory that does not exist fails before the audit, link kept.
    let nowhere = dir.path().join("nowhere.json");
    std::os::unix::fs::symlink("missing/r.json", &nowhere).expect("symlink");
    let r = json_to(&nowhere);
    assert_exit_2(&r, "cannot create a file in");
    assert!(
        std::fs::symlink_metadata(&nowhere)
            .expect("link")
            .file_type()
            .is_symlink()
    );
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
    assert_exit_2(&r, "it is the rules file");
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
    assert_exit_2(&r, "it is the rules file");
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
fn a_huge_cell_is_cut_in_the_table_and_marked_in_the_json() {
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
    // The deal's name keeps what a cell keeps (64 kB), its marker included.
    let r = audit(&[&csv, "-r", RULES, "-f", "json"]);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let name = report["deals"][0]["name"].as_str().unwrap_or("");
    assert_eq!(name.len(), 65_535);
    assert!(name.ends_with("this cell is 5,000,000 bytes, more than the 65,535 a cell keeps]"));
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
        assert_exit_2(&r, "the header row (line 1) is longer than 262.1 kB");
    }
    let many: Vec<String> = (0..20_000).map(|i| format!("c{i}")).collect();
    let csv = temp_file(&dir, "many.csv", format!("{}\n1\n", many.join(",")));
    let r = run(pipelint().args(["profile", &csv]));
    assert_exit_2(&r, "has 20,000 columns; pipelint reads at most 16,384");
}

// -----------------------------------------------------------------------------------------
// Issue 23, items 8–16 ("Nothing a user names is ever destroyed"): reports that stay
// well-formed whatever a cell holds, names kept whole, dates in range for every flag, and a
// history store that is read without writing, names itself in every error and refuses rows it
// did not write. One regression test per item, named after what broke.
// -----------------------------------------------------------------------------------------

// The tests are in tests/safety/issue_23.rs, to keep this file under 800 lines.

#[path = "safety/issue_23.rs"]
mod issue_23;
