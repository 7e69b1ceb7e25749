//! Standard output: one report at most, under any of its names, and a write that fails
//! there is an error (exit 2), not a panic or a silent success.

use std::fs::File;
use std::path::Path;

use super::*;

/// A run of `args` with standard output going to `stdout`.
fn run_into(args: &[&str], stdout: File) -> Run {
    let out = StdCommand::new(assert_cmd::cargo::cargo_bin("pipelint"))
        .args(args)
        .stdout(stdout)
        .output()
        .expect("run pipelint");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[cfg(unix)]
#[test]
fn a_second_report_to_an_alias_of_stdout_was_interleaved_with_the_first() {
    // `-f json --report csv=/dev/stdout > out.txt` wrote both reports into out.txt.
    if !Path::new("/dev/fd/1").exists() || !Path::new("/proc/self/fd/1").exists() {
        common::cannot_run(
            "PIPELINT_REQUIRE_DEVICES",
            "no /dev/fd/1 or /proc/self/fd/1 here",
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.txt");
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink(&out, &link).expect("symlink");
    let named = [
        "/dev/stdout".to_string(),
        "/dev/fd/1".to_string(),
        "/proc/self/fd/1".to_string(),
        out.to_str().expect("path").to_string(),
        link.to_str().expect("path").to_string(),
    ];
    for alias in &named {
        let file = File::create(&out).expect("out.txt");
        let report = format!("csv={alias}");
        let r = run_into(
            &[
                "audit", CLEAN, "-r", RULES, "--as-of", AS_OF, "-f", "json", "--report", &report,
            ],
            file,
        );
        assert_eq!(r.code, 2, "{alias}: {}", r.stderr);
        assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
        assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr.contains("two reports would go to standard output")
                && r.stderr.contains(alias.as_str()),
            "{alias}: {}",
            r.stderr
        );
        assert_eq!(
            std::fs::read(&out).expect("out"),
            b"",
            "{alias}: nothing written"
        );
    }
    // Through a pipe too: the table and /dev/stdout cannot share it.
    let r = audit(&[CLEAN, "-r", RULES, "--report", "json=/dev/fd/1"]);
    assert_exit_2(&r, "two reports would go to standard output");
    // One report there is fine, under any name.
    let r = audit(&[CLEAN, "-r", RULES, "-q", "--report", "json=/proc/self/fd/1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with('{'), "{}", r.stdout);
}

#[cfg(unix)]
#[test]
fn a_full_stdout_panicked_or_exited_0() {
    // `pipelint completions bash > /dev/full` panicked (exit 101); `--help > /dev/full`
    // exited 0.
    if !Path::new("/dev/full").exists() {
        common::cannot_run("PIPELINT_REQUIRE_DEVICES", "no /dev/full on this machine");
        return;
    }
    let commands: [&[&str]; 11] = [
        &["--help"],
        &["--version"],
        &["audit", "--help"],
        &["completions", "bash"],
        &["explain", "REQ002"],
        &["explain", "overdue"],
        &["rules", "list"],
        &["init"],
        &["profile", CLEAN],
        &["audit", CLEAN, "-r", RULES, "--as-of", AS_OF],
        &["sql", "-r", RULES, "--dialect", "duckdb", "--as-of", AS_OF],
    ];
    for args in commands {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let r = run_into(args, full);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.starts_with("error: "), "{args:?}: {}", r.stderr);
        assert_eq!(
            r.stderr.trim_end().lines().count(),
            1,
            "{args:?}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{args:?}: {}", r.stderr);
    }
    // A reader that went away (`| head`) is still a quiet end.
    for args in [
        &["--help"][..],
        &["completions", "bash"],
        &["rules", "list"],
    ] {
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("pipelint"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}
