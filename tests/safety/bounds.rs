//! Bounded resources: whatever the bytes, a header is refused at its bound, and no cell
//! costs more than the 64 kB it keeps (cut with a marker that says so, counted in the report).
//! The measured peaks (a 1 GiB cell, 1M rows of garbage, a 300 MiB header) are in the
//! README's performance section; these tests hold the behaviour on scaled-down cases.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use super::*;

/// Run `args` with `header_bytes` of one unbroken header line on standard input, which is
/// kept open (more is always about to come) until pipelint exits or `limit` passes.
/// Returns the run, or `None` when pipelint was still reading at the limit.
fn run_on_open_stdin(args: &[&str], header_bytes: usize, limit: Duration) -> Option<Run> {
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("pipelint"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pipelint");
    let mut stdin = child.stdin.take().expect("stdin");
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'h'; 64 << 10];
        let mut written = 0;
        while written < header_bytes {
            // A refusal closes the pipe: the write fails, which is the point.
            if stdin.write_all(&chunk).is_err() {
                break;
            }
            written += chunk.len();
        }
        // Hold the pipe open: the line never ends while pipelint runs.
        let _ = done_rx.recv();
        drop(stdin);
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = done_tx.send(());
    let _ = writer.join();
    let status = status?;
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut stdout)
        .expect("read stdout");
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    Some(Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    })
}

#[test]
fn a_huge_header_was_read_whole_before_its_bound_refused_it() {
    // A 300 MiB header line was read (and held) whole, 519 MB, before the 256 kB bound
    // refused it. Now the refusal comes at the bound: here while the line is still arriving.
    for args in [
        vec!["audit", "-", "--as-of", AS_OF],
        vec!["profile", "-"],
        vec!["init", "--from", "-"],
    ] {
        let r = run_on_open_stdin(&args, 4 << 20, Duration::from_secs(60)).unwrap_or_else(|| {
            panic!("{args:?} was still reading the header after 60 s: it waits for its end")
        });
        assert_exit_2(&r, "the header row (line 1) is longer than 262.1 kB");
    }
}

#[test]
fn a_huge_cell_was_held_whole_and_is_now_cut_with_a_stated_marker() {
    // A 1 GiB cell took 3.2 GB to audit and 4.1 GB to profile (held whole, and copied).
    // Scaled down: a 3 MB cell keeps 64 kB, ends with a marker saying how long it was, and
    // every report counts it.
    let dir = tempfile::tempdir().expect("tempdir");
    let n = 3_000_000;
    let csv = temp_file(
        &dir,
        "cell.csv",
        format!(
            "Ref,Deal,Customer,Rep,Phase,Value,Expected Close,Next Action,Region,PO Number,Discount\n\
             D-1,{},Acme,Ann,Lead,100,15/01/2027,,Moon,,\n\
             D-2,Small,Acme,Ann,Lead,200,15/01/2027,,Moon,,\n",
            "N".repeat(n)
        ),
    );
    let marker =
        "[… cut by pipelint: this cell is 3,000,000 bytes, more than the 65,535 a cell keeps]";
    let r = audit(&[&csv, "-r", RULES, "-f", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let name = report["deals"][0]["name"].as_str().expect("name");
    assert!(name.len() <= 65_535, "{}", name.len());
    assert!(
        name.starts_with("NNNN") && name.ends_with(marker),
        "{}",
        &name[name.len() - 120..]
    );
    assert_eq!(report["deals"][1]["name"], "Small");
    assert_eq!(
        report["inputs"][0]["cut_cells"],
        serde_json::json!({"count": 1, "first_line": 2, "first_column": 2})
    );
    let r = audit(&[&csv, "-r", RULES, "--color", "never"]);
    assert!(
        r.stdout
            .contains("1 cell longer than 64 kB cut to it, marked \"cut by pipelint\" (first: line 2, column 2)"),
        "{}",
        r.stdout
    );

    let r = run(pipelint().args(["profile", &csv, "-f", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let profile: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(profile["file"]["cut_cells"]["count"], 1);
    let values: Vec<&str> = profile["columns"][1]["top"]
        .as_array()
        .expect("top values")
        .iter()
        .filter_map(|v| v["value"].as_str())
        .collect();
    assert!(values.iter().any(|v| v.ends_with(marker)), "{values:?}");

    let r = run(pipelint().args(["init", "--from", &csv]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.len() < 200_000,
        "a draft of {} bytes",
        r.stdout.len()
    );
}

#[test]
fn garbage_owners_made_a_table_of_sixty_thousand_lines() {
    // 1M rows of garbage cells named 59,000 owners and as many stages: the table listed every
    // one (120 MB to lay out, 28 MB of text). It lists 500 and says how many more there are.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut csv = String::from(
        "Ref,Deal,Customer,Rep,Phase,Value,Expected Close,Next Action,Region,PO Number,Discount\n",
    );
    for i in 0..600 {
        csv.push_str(&format!(
            "D-{i},Deal {i},Acme,Rep {i:03},Phase {i},100,15/01/2027,,Moon,,\n"
        ));
    }
    let csv = temp_file(&dir, "owners.csv", csv);
    let r = audit(&[&csv, "-r", RULES, "--color", "never"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("… and 100 more owners (-f json lists every one)"),
        "{}",
        &r.stdout[..2000.min(r.stdout.len())]
    );
    assert!(
        r.stdout
            .contains("… and 100 more stages (-f json lists every one)")
    );
    assert!(r.stdout.contains("Rep 499") && !r.stdout.contains("Rep 500 "));
    let r = audit(&[&csv, "-r", RULES, "-f", "json"]);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(
        report["completeness"]["by_owner"].as_array().map(Vec::len),
        Some(600)
    );
}
