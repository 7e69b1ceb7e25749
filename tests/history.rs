//! The snapshot history and pipeline health, end to end: a four-week series whose figures
//! were worked out by hand (fixtures/history/README.md), the store's transactions (a killed
//! add, two adds at once, a store from a newer pipelint), and the backtest.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{pipelint, run};
use serde_json::Value;

const WEEKS: [(&str, &str); 4] = [
    ("week1_2026-11-06.csv", "2026-11-06"),
    ("week2_2026-11-13.csv", "2026-11-13"),
    ("week3_2026-11-20.csv", "2026-11-20"),
    ("week4_2026-11-27.csv", "2026-11-27"),
];

fn fixture(name: &str) -> String {
    format!("fixtures/history/{name}")
}

fn add(db: &Path, file: &str, as_of: &str) -> common::Run {
    run(pipelint()
        .args([
            "history",
            "add",
            file,
            "-r",
            "fixtures/history/rules.toml",
            "--as-of",
            as_of,
            "--db",
        ])
        .arg(db))
}

/// The four weeks stored in a fresh history.
fn series() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("h.sqlite");
    for (file, as_of) in WEEKS {
        let r = add(&db, &fixture(file), as_of);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    (dir, db)
}

/// The week-4 audit against the history at `db`, in `format` (no colour).
fn week4(db: &Path, format: &str, extra: &[&str]) -> common::Run {
    let r = run(pipelint()
        .args([
            "audit",
            &fixture("week4_2026-11-27.csv"),
            "-r",
            "fixtures/history/rules.toml",
            "--as-of",
            "2026-11-27",
            "--color",
            "never",
            "-f",
            format,
            "--history",
        ])
        .arg(db)
        .args(extra));
    assert!(r.code <= 1, "{}", r.stderr);
    r
}

fn week4_json(db: &Path, extra: &[&str]) -> Value {
    serde_json::from_str(&week4(db, "json", extra).stdout).expect("json")
}

fn count(db: &Path) -> i64 {
    let c = rusqlite::Connection::open(db).expect("open");
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(ok, "ok");
    c.query_row("SELECT count(*) FROM snapshots", [], |r| r.get(0))
        .expect("count")
}

#[test]
fn four_weeks_give_serial_slippage_streaks_and_commit_accuracy() {
    let (_dir, db) = series();
    let list = run(pipelint()
        .args(["history", "list", "-f", "json", "--db"])
        .arg(&db));
    let list: Value = serde_json::from_str(&list.stdout).expect("json");
    let days: Vec<&str> = list["snapshots"]
        .as_array()
        .expect("snapshots")
        .iter()
        .map(|s| s["as_of"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        days,
        ["2026-11-06", "2026-11-13", "2026-11-20", "2026-11-27"]
    );

    let d = week4_json(&db, &[]);
    // Compared with the latest snapshot before as-of.
    assert_eq!(d["history"]["compared_with"], "2026-11-20");
    // Acme's close date: 12/01 → 12/10 → 12/20 → 1/15: pushed 3 times, 9 + 10 + 26 = 45 days.
    let findings = d["findings"].as_array().expect("findings");
    let hyg009: Vec<&Value> = findings.iter().filter(|f| f["code"] == "HYG009").collect();
    assert_eq!(hyg009.len(), 1);
    let f = hyg009[0];
    assert_eq!(
        (&f["file"], &f["line"], &f["record_id"], &f["field"]),
        (
            &Value::from("fixtures/history/week4_2026-11-27.csv"),
            &Value::from(2),
            &Value::from("006A"),
            &Value::from("close_date")
        )
    );
    assert_eq!(
        f["message"],
        "close date pushed 3 times, 45 days in all (serial slippage: 2 pushes or 30 days); ask what would make this date hold, or take the deal out of the forecast"
    );
    let acme = d["deals"]
        .as_array()
        .expect("deals")
        .iter()
        .find(|x| x["id"] == "006A")
        .expect("acme");
    let signals: Vec<&str> = acme["risk"]["signals"]
        .as_array()
        .expect("signals")
        .iter()
        .map(|s| s["signal"].as_str().unwrap_or(""))
        .collect();
    assert!(signals.contains(&"slipping"), "{signals:?}");

    // Delta has had no activity since 9/01 in all four weeks: HYG002 four snapshots in a row.
    let table = run(pipelint()
        .args([
            "audit",
            &fixture("week4_2026-11-27.csv"),
            "-r",
            "fixtures/history/rules.toml",
            "--as-of",
            "2026-11-27",
            "--color",
            "never",
            "--history",
        ])
        .arg(&db));
    let line = table
        .stdout
        .lines()
        .find(|l| l.contains("HYG002") && l.contains("in a row"))
        .expect("streak row");
    assert!(
        line.contains("4 in a row") && line.contains("Delta - Pilot"),
        "{line}"
    );
    assert!(table.stdout.contains("Serial slippage (HYG009, 1 deals)"));

    // Commit accuracy, FY starting in July: FY2027-Q2 is Oct–Dec 2026. Called commit for
    // it: Acme (100k), Bolt (50k), Cargo (80k); Bolt won 11/25, Cargo lost: 1 of 3.
    let q = &d["history"]["commit_accuracy"];
    assert_eq!(q[0]["quarter"], "FY2027-Q2");
    assert_eq!(
        (
            q[0]["called"].as_u64(),
            q[0]["won"].as_u64(),
            q[0]["lost"].as_u64()
        ),
        (Some(3), Some(1), Some(1))
    );
    assert_eq!(q[0]["called_amount"][0]["amount"], "230000.00");
    assert_eq!(q[0]["won_amount"][0]["amount"], "50000.00");
    assert_eq!(q[0]["accuracy"], 33.3);
    // Acme, pushed into January, is called commit for FY2027-Q3 from week 4.
    assert_eq!(q[1]["quarter"], "FY2027-Q3");
    assert_eq!(q[1]["called"], 1);

    // Trends: Ann's open amount 150k (Acme + Bolt) for three weeks, then 100k.
    let ann = d["history"]["trends"]
        .as_array()
        .expect("trends")
        .iter()
        .find(|t| t["owner"] == "Ann Lee")
        .expect("ann");
    let open: Vec<&str> = ann["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| p["open_amount"][0]["amount"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(open, ["150000.00", "150000.00", "150000.00", "100000.00"]);
}

#[test]
fn coverage_and_win_rate_match_the_hand_computation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("h.sqlite");
    add(&db, &fixture("week4_2026-11-27.csv"), "2026-11-27");
    let d = week4_json(
        &db,
        &[
            "--quota",
            "fixtures/history/quotas.csv",
            "--by",
            "Lead Source",
        ],
    );
    let w = &d["health"]["win_rate"]["overall"];
    // Closed in the trailing 365 days: Bolt, Echo, Gull won; Cargo, Fox lost.
    assert_eq!(
        (w["closed"].as_u64(), w["won"].as_u64()),
        (Some(5), Some(3))
    );
    assert_eq!(w["win_rate"], 60.0);
    // 120,000 won of 210,000 closed.
    assert_eq!(w["win_rate_by_amount"][0]["rate"], 57.1);
    assert_eq!(w["average_won"][0]["amount"], "40000.00");
    // Cycles 85 (Bolt), 106 (Echo), 111 (Gull): median 106, mean 100.7.
    assert_eq!(w["cycle"]["median_days"], 106.0);
    assert_eq!(w["cycle"]["mean_days"], 100.7);
    let partner = &d["health"]["win_rate"]["by_value"][0];
    assert_eq!(
        (
            partner["name"].as_str(),
            partner["won"].as_u64(),
            partner["closed"].as_u64()
        ),
        (Some("Partner"), Some(1), Some(3))
    );

    let c = &d["health"]["coverage"];
    assert_eq!(c["period"], "FY2027-Q2");
    assert_eq!(
        c["basis"]["text"],
        "trailing win rate 3/5 closed won (60.0%) over 365 days → required 1.67×"
    );
    let owners = c["owners"].as_array().expect("owners");
    let ann = &owners[0];
    // Ann: quota 200k − won 50k (Bolt) = 150k; Acme closes in January: no pipeline.
    assert_eq!(
        (
            ann["owner"].as_str(),
            ann["remaining"].as_str(),
            ann["coverage"].as_f64(),
            ann["below_required"].as_bool()
        ),
        (Some("Ann Lee"), Some("150000.00"), Some(0.0), Some(true))
    );
    // Bo: Iris 180k closes 12/30 against 100k remaining: 1.80×, above 1.67×.
    let bo = &owners[1];
    assert_eq!(
        (
            bo["pipeline"].as_str(),
            bo["coverage"].as_f64(),
            bo["below_required"].as_bool()
        ),
        (Some("180000.00"), Some(1.8), Some(false))
    );
    assert_eq!(c["team"][0]["coverage"], 0.6);
    assert_eq!(c["quota_without_deals"], serde_json::json!(["Dee Park"]));
    assert_eq!(c["deals_without_quota"], serde_json::json!(["Cy Diaz"]));
    // The forecast call: Commit 100k, Best case 180k, Pipeline 35k (Delta, Hawk).
    let call = &d["health"]["forecast"]["overall"];
    assert_eq!(
        (
            call[0]["category"].as_str(),
            call[0]["amount"][0]["amount"].as_str()
        ),
        (Some("commit"), Some("100000.00"))
    );
    assert_eq!(
        (call[2]["category"].as_str(), call[2]["deals"].as_u64()),
        (Some("pipeline"), Some(2))
    );
}

#[test]
fn backtest_counts_deals_that_closed_within_the_history() {
    let (_dir, db) = series();
    let r = run(pipelint()
        .args(["history", "backtest", "-f", "json", "--db"])
        .arg(&db));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let b: Value = serde_json::from_str(&r.stdout).expect("json");
    let b = &b["backtest"];
    // Bolt (open, then won in week 4) and Cargo (open, then lost in week 3).
    assert_eq!(
        (b["closed"].as_u64(), b["lost"].as_u64()),
        (Some(2), Some(1))
    );
    let stale = b["signals"]
        .as_array()
        .expect("signals")
        .iter()
        .find(|s| s["signal"] == "stale")
        .expect("stale");
    // Cargo was stale and lost; Bolt was active and won.
    assert_eq!(
        (
            stale["with"].as_u64(),
            stale["lost_with"].as_u64(),
            stale["without"].as_u64(),
            stale["lost_without"].as_u64()
        ),
        (Some(1), Some(1), Some(1), Some(0))
    );
    assert_eq!(stale["small_sample"], true);
    let table = run(pipelint().args(["history", "backtest", "--db"]).arg(&db));
    assert!(
        table
            .stdout
            .contains("2 deals seen open and then closed, 1 lost (50.0%)"),
        "{}",
        table.stdout
    );
}

/// Two deals closed within the four weeks: far too few to calibrate on. `history calibrate`
/// says so, shows what it has, fits nothing and exits 1, in every format.
#[test]
fn calibrate_refuses_a_history_too_small_to_fit() {
    let (_dir, db) = series();
    let json = run(pipelint()
        .args(["history", "calibrate", "-f", "json", "--db"])
        .arg(&db));
    assert_eq!(json.code, 1, "{}", json.stderr);
    let c: Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(c["schema"], "pipelint.calibration/1");
    assert_eq!(
        (c["closed_deals"].as_u64(), c["lost"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        c["too_small"],
        "2 closed deals (1 lost, 1 won): a fit needs at least 100 closed deals with 20 lost and 20 won, or it would be fitting noise; keep adding weekly snapshots (pipelint history add)"
    );
    assert_eq!(c["weights"], serde_json::json!({}));
    assert_eq!(c["default"]["auc"], Value::Null);
    let table = run(pipelint().args(["history", "calibrate", "--db"]).arg(&db));
    assert_eq!(table.code, 1);
    assert!(
        table
            .stdout
            .contains("Too small a sample to calibrate on: 2 closed deals"),
        "{}",
        table.stdout
    );
    let toml = run(pipelint()
        .args(["history", "calibrate", "-f", "toml", "--db"])
        .arg(&db));
    assert_eq!(toml.code, 1);
    assert!(
        toml.stdout.contains("# not calibrated: 2 closed deals"),
        "{}",
        toml.stdout
    );
    assert!(!toml.stdout.contains("[risk]"), "no weights to adopt");
}

/// Each band's track record, by hand: before 2026-11-27 the stored weeks saw Cargo (006C)
/// open at 58 and then 60 points, and lost on 2026-11-20: last seen open at 60, high (≥ 60).
/// Bolt won only on 2026-11-27, the audit's own as-of: not yet in its record.
#[test]
fn each_band_shows_how_its_deals_ended() {
    let (_dir, db) = series();
    let json = week4_json(&db, &[]);
    assert_eq!(
        json["history"]["band_record"],
        serde_json::json!([
            {"band": "high", "closed": 1, "lost": 1, "loss_rate": 100.0},
            {"band": "medium", "closed": 0, "lost": 0, "loss_rate": null},
            {"band": "low", "closed": 0, "lost": 0, "loss_rate": null},
        ])
    );
    for format in ["table", "markdown", "html"] {
        let r = week4(&db, format, &[]);
        assert!(r.stdout.contains("Risk band track record"), "{format}");
        assert!(
            r.stdout.contains("high: 100.0% of 1 such deal was lost"),
            "{format}: {}",
            r.stdout
        );
    }
}

#[test]
fn re_adding_an_as_of_replaces_it_and_a_newer_store_is_refused() {
    let (_dir, db) = series();
    let r = add(&db, &fixture("week4_2026-11-27.csv"), "2026-11-27");
    assert!(
        r.stderr.contains("replaced snapshot 2026-11-27"),
        "{}",
        r.stderr
    );
    assert_eq!(count(&db), 4);
    let c = rusqlite::Connection::open(&db).expect("open");
    c.pragma_update(None, "user_version", 99).expect("version");
    drop(c);
    let r = run(pipelint().args(["history", "list", "--db"]).arg(&db));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("was written by a newer pipelint (history schema 99"),
        "{}",
        r.stderr
    );
    let missing = run(pipelint().args(["history", "list", "--db", "no-such.sqlite"]));
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("no history at no-such.sqlite"),
        "{}",
        missing.stderr
    );
}

/// A large export, so that an add takes long enough to be interrupted.
fn big_export(dir: &Path, rows: usize) -> PathBuf {
    use std::io::Write;
    let path = dir.join("big.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    let header = std::fs::read_to_string(fixture("week1_2026-11-06.csv")).expect("read");
    let header = header.lines().next().unwrap_or("");
    writeln!(f, "{header}").expect("write");
    for i in 0..rows {
        writeln!(
            f,
            "\"0{i:09}\",\"Deal {i}\",\"Acct {}\",\"Owner {}\",\"Prospecting\",\"{}.00\",\"10\",\"2/28/2027\",\"10/01/2026\",\"9/01/2026\",\"10/01/2026\",\"\",\"Pipeline\",\"Web\"",
            i % 997,
            i % 13,
            1000 + i % 5000
        )
        .expect("write");
    }
    drop(f);
    path
}

#[test]
fn a_killed_add_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("h.sqlite");
    assert_eq!(
        add(&db, &fixture("week1_2026-11-06.csv"), "2026-11-06").code,
        0
    );
    let big = big_export(dir.path(), 150_000);
    let wal = dir.path().join("h.sqlite-wal");
    let before = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pipelint"))
        .args([
            "history",
            "add",
            "-r",
            "fixtures/history/rules.toml",
            "--as-of",
            "2026-11-13",
            "--db",
        ])
        .arg(&db)
        .arg(&big)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // Kill it while its transaction is being written (the WAL grows), or at the deadline.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if size > before + 64 * 1024 || Instant::now() > deadline {
            break;
        }
        if child.try_wait().expect("wait").is_some() {
            panic!("the add finished before it could be killed; make the export larger");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("kill");
    let _ = child.wait();
    assert_eq!(count(&db), 1, "the interrupted snapshot must not be stored");
    // The store still works.
    assert_eq!(
        add(&db, &fixture("week2_2026-11-13.csv"), "2026-11-13").code,
        0
    );
    assert_eq!(count(&db), 2);
}

#[test]
fn two_adds_at_once_both_land() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("h.sqlite");
    assert_eq!(
        add(&db, &fixture("week1_2026-11-06.csv"), "2026-11-06").code,
        0
    );
    let big = big_export(dir.path(), 20_000);
    let spawn = |file: &Path, as_of: &str| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("pipelint"))
            .args([
                "history",
                "add",
                "-q",
                "-r",
                "fixtures/history/rules.toml",
                "--as-of",
                as_of,
                "--db",
            ])
            .arg(&db)
            .arg(file)
            .output()
            .expect("run")
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| spawn(&big, "2026-11-13"));
        let b = s.spawn(|| {
            spawn(
                Path::new("fixtures/history/week3_2026-11-20.csv"),
                "2026-11-20",
            )
        });
        (a.join().expect("a"), b.join().expect("b"))
    });
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    assert_eq!(count(&db), 3);
}

#[test]
fn a_by_column_the_export_lacks_is_an_error_with_a_suggestion() {
    let r = run(pipelint().args([
        "audit",
        &fixture("week4_2026-11-27.csv"),
        "--as-of",
        "2026-11-27",
        "--by",
        "Lead Sorce",
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--by Lead Sorce: no input has that column; did you mean `Lead Source`?"),
        "{}",
        r.stderr
    );
}

/// The HTML report charts each owner's trend: one row per owner with its completeness line
/// drawn from the same figures as the JSON `history.trends` (0–100 top to bottom of a 30
/// high plot), and the open and at-risk amount lines over as many snapshots.
#[test]
fn html_charts_the_owner_trends_from_the_json_figures() {
    let (dir, db) = series();
    let out = dir.path().join("week4.html");
    let r = run(pipelint()
        .args([
            "audit",
            &fixture("week4_2026-11-27.csv"),
            "-r",
            "fixtures/history/rules.toml",
            "--as-of",
            "2026-11-27",
            "-f",
            "html",
            "-o",
        ])
        .arg(&out)
        .arg("--history")
        .arg(&db));
    assert!(r.code <= 1, "{}", r.stderr);
    let html = std::fs::read_to_string(&out).expect("html");
    let start = html
        .find(r#"<figure class="trends">"#)
        .expect("a trend chart");
    let figure = &html[start..start + html[start..].find("</figure>").expect("closed")];
    assert!(
        figure.contains("Owner trends, 2026-11-06 to 2026-11-27"),
        "{figure}"
    );
    let json = week4_json(&db, &[]);
    let trends = json["history"]["trends"].as_array().expect("trends");
    let group = regex::Regex::new(r"<g><title>([^<]*)</title>(.*?)</g>").expect("regex");
    let rect = regex::Regex::new(r#"<rect x="150" y="(\d+)""#).expect("regex");
    let line = regex::Regex::new(r#"<polyline points="([^"]*)""#).expect("regex");
    let mut charted = 0;
    for g in group.captures_iter(figure) {
        charted += 1;
        let owner = &g[1];
        let trend = trends
            .iter()
            .find(|t| t["owner"].as_str() == Some(owner))
            .unwrap_or_else(|| panic!("{owner} charted but not in the JSON"));
        let points = trend["points"].as_array().expect("points");
        let top: f64 = rect.captures(&g[2]).expect("plot frame")[1]
            .parse()
            .expect("y");
        let lines: Vec<&str> = line
            .captures_iter(&g[2])
            .map(|c| c.get(1).map_or("", |m| m.as_str()))
            .collect();
        assert_eq!(lines.len(), 3, "{owner}: completeness, open, at risk");
        let ys: Vec<f64> = lines[0]
            .split(' ')
            .map(|xy| xy.split(',').nth(1).expect("y").parse().expect("number"))
            .collect();
        let want: Vec<f64> = points
            .iter()
            .filter_map(|p| p["completeness"].as_f64())
            .map(|c| ((top + 30.0 * (1.0 - c / 100.0)) * 10.0).round() / 10.0)
            .collect();
        assert_eq!(ys, want, "{owner}");
        for l in &lines[1..] {
            assert_eq!(l.split(' ').count(), points.len(), "{owner}: {l}");
        }
    }
    let with_history = trends
        .iter()
        .filter(|t| t["points"].as_array().is_some_and(|p| p.len() > 1))
        .count();
    assert_eq!(charted, with_history.min(10));
    assert!(charted >= 3);
}

/// `n` deals in the fixture's columns; `week` moves some close dates and stages, so that
/// the second week has pushes, moves back and vanished deals against the first.
fn weekly_export(path: &Path, n: usize, week: usize) {
    use std::fmt::Write;
    let stages = [
        "Prospecting",
        "Qualification",
        "Proposal/Price Quote",
        "Negotiation/Review",
        "Closed Won",
        "Closed Lost",
    ];
    let owners = ["Ann Lee", "Bo Chen", "Cy Diaz", "Dee Park"];
    let mut csv = String::from(
        "\"Opportunity ID\",\"Opportunity Name\",\"Account Name\",\"Opportunity Owner\",\"Stage\",\"Amount\",\"Probability (%)\",\"Close Date\",\"Created Date\",\"Last Activity\",\"Last Stage Change Date\",\"Next Step\",\"Forecast Category\",\"Lead Source\"\n",
    );
    for i in 0..n {
        if week == 2 && i % 97 == 0 {
            continue; // vanished
        }
        let moved = week == 2 && i % 13 == 0;
        let stage = stages[(i + usize::from(moved)) % stages.len()];
        let day = 1 + (i % 27) + if moved { 1 } else { 0 };
        let month = if moved && i % 2 == 0 { 2 } else { 1 };
        let forecast = ["Commit", "Best Case", "Pipeline"][i % 3];
        let _ = writeln!(
            csv,
            "\"006{i:07}\",\"Deal {i}\",\"Account {}\",\"{}\",\"{stage}\",\"{}.00\",\"50\",\"{month}/{day}/2027\",\"6/01/2026\",\"11/20/2026\",\"11/01/2026\",\"{}\",\"{forecast}\",\"Web\"",
            i % 5000,
            owners[i % owners.len()],
            1000 + (i % 50) * 100,
            if i % 7 == 0 { "" } else { "Call" },
        );
    }
    std::fs::write(path, csv).expect("write export");
}

/// A stored snapshot big enough to be read back in two halves at once gives exactly the
/// change view and findings that comparing with its export (`--previous`) gives.
#[test]
fn a_large_stored_snapshot_reads_back_as_its_export() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (one, two) = (dir.path().join("w1.csv"), dir.path().join("w2.csv"));
    weekly_export(&one, 30_000, 1);
    weekly_export(&two, 30_000, 2);
    let db = dir.path().join("h.sqlite");
    let r = add(&db, one.to_str().expect("path"), "2026-11-20");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let audit = |extra: &[&std::ffi::OsStr]| -> Value {
        let r = run(pipelint()
            .arg("audit")
            .arg(&two)
            .args([
                "-r",
                "fixtures/history/rules.toml",
                "--as-of",
                "2026-11-27",
                "-f",
                "json",
            ])
            .args(extra));
        assert!(r.code <= 1, "{}", r.stderr);
        serde_json::from_str(&r.stdout).expect("json")
    };
    let stored = audit(&["--history".as_ref(), db.as_os_str()]);
    let file = audit(&[
        "--previous".as_ref(),
        one.as_os_str(),
        "--previous-as-of".as_ref(),
        "2026-11-20".as_ref(),
    ]);
    let changes = &stored["changes"];
    assert!(
        changes["movements"]
            .as_array()
            .is_some_and(|m| m.len() > 1000)
    );
    assert_eq!(changes, &file["changes"]);
    let codes = |v: &Value| -> Vec<(String, String, u64)> {
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap_or("").to_string(),
                    f["record_id"].as_str().unwrap_or("").to_string(),
                    f["line"].as_u64().unwrap_or(0),
                )
            })
            .filter(|(c, _, _)| c.starts_with("CHG"))
            .collect()
    };
    let (a, b) = (codes(&stored), codes(&file));
    assert!(a.len() > 1000, "{}", a.len());
    assert_eq!(a, b);
}

/// `(code, record_id)` → `streak` of every finding of a `json` document.
fn streaks_of(doc: &Value) -> Vec<((String, String), Value)> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap_or("").to_string();
            ((text("code"), text("record_id")), f["streak"].clone())
        })
        .collect()
}

/// The streak of the finding of `code` on deal `id` in `findings` (exactly one such).
fn streak_in(findings: &[((String, String), Value)], code: &str, id: &str) -> Value {
    let hits: Vec<&Value> = findings
        .iter()
        .filter(|((c, i), _)| c == code && i == id)
        .map(|(_, s)| s)
        .collect();
    assert_eq!(hits.len(), 1, "{code} on {id}: {findings:?}");
    hits[0].clone()
}

/// `(code, record_id)` → `streak` cell of every row of a `csv` report.
fn csv_streaks(text: &str) -> Vec<((String, String), String)> {
    let text = text.strip_prefix('\u{feff}').expect("byte-order mark");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().expect("header").clone();
    let at = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column in {header:?}"))
    };
    let (code, id, streak) = (at("code"), at("record_id"), at("streak"));
    assert_eq!(streak, header.len() - 1, "streak is the last column");
    r.records()
        .map(|row| {
            let row = row.expect("csv row");
            let cell = |i: usize| row.get(i).unwrap_or("").to_string();
            ((cell(code), cell(id)), cell(streak))
        })
        .collect()
}

/// Every finding carries its streak in `json`, `jsonl` and `csv` (issue 26, item 7), worked
/// out from fixtures/history/*.csv for week 4 (as-of 11/27) against weeks 1–3:
/// - Delta (006D), Prospecting, last activity 9/01 in every week: HYG002 (over 14 days)
///   in all four weeks: 4.
/// - Acme (006A), in Negotiation/Review since 11/01 (limit 21 days): 5, 12, 19, then 26
///   days, so HYG003 is new this week: 1. Its close date moved 12/01 → 12/10 → 12/20 →
///   1/15: CHG001 (pushed since the previous snapshot) in weeks 2, 3 and 4: 3; serial
///   slippage (2 pushes) from week 3: HYG009 2.
/// - Hawk (006H), in Qualification since 10/20 (limit 30): 31 days on 11/20, 38 on 11/27:
///   HYG003 2.
///
/// Without `--history` the same audit knows no streak: `null`, an empty cell.
#[test]
fn every_finding_carries_its_streak_in_json_jsonl_and_csv() {
    let (_dir, db) = series();
    let expected = [
        ("HYG002", "006D", 4),
        ("HYG003", "006D", 4),
        ("HYG003", "006A", 1),
        ("CHG001", "006A", 3),
        ("HYG009", "006A", 2),
        ("HYG003", "006H", 2),
    ];

    let json = streaks_of(&week4_json(&db, &[]));
    let jsonl: Vec<((String, String), Value)> = week4(&db, "jsonl", &[])
        .stdout
        .lines()
        .map(|l| {
            let f: Value = serde_json::from_str(l).expect("jsonl line");
            let text = |k: &str| f[k].as_str().unwrap_or("").to_string();
            ((text("code"), text("record_id")), f["streak"].clone())
        })
        .collect();
    let csv = csv_streaks(&week4(&db, "csv", &[]).stdout);
    for findings in [&json, &jsonl] {
        assert_eq!(findings.len(), expected.len(), "{findings:?}");
        for (code, id, n) in expected {
            assert_eq!(
                streak_in(findings, code, id),
                Value::from(n),
                "{code} on {id}"
            );
        }
    }
    assert_eq!(csv.len(), expected.len(), "{csv:?}");
    for (code, id, n) in expected {
        let cells: Vec<&str> = csv
            .iter()
            .filter(|((c, i), _)| c == code && i == id)
            .map(|(_, s)| s.as_str())
            .collect();
        assert_eq!(cells, [n.to_string()], "{code} on {id}");
    }

    // The same audit without a history: no change findings, and no streak anywhere.
    let alone = |format: &str| {
        let r = run(pipelint().args([
            "audit",
            &fixture("week4_2026-11-27.csv"),
            "-r",
            "fixtures/history/rules.toml",
            "--as-of",
            "2026-11-27",
            "-f",
            format,
        ]));
        assert!(r.code <= 1, "{}", r.stderr);
        r.stdout
    };
    let doc: Value = serde_json::from_str(&alone("json")).expect("json");
    let json = streaks_of(&doc);
    assert_eq!(json.len(), 4, "{json:?}");
    assert_eq!(streak_in(&json, "HYG002", "006D"), Value::Null);
    assert!(json.iter().all(|(_, s)| s.is_null()), "{json:?}");
    let csv = csv_streaks(&alone("csv"));
    assert_eq!(csv.len(), 4, "{csv:?}");
    assert!(csv.iter().all(|(_, s)| s.is_empty()), "{csv:?}");
}

/// A finding about a row rather than a deal has no streak even with a history (IN002 on a
/// short row appended to week 4, line 11), while the deals' streaks stay as they are; and
/// compared with a previous file (`--previous`, week 3), a finding there too is 2 and a new
/// one 1.
#[test]
fn a_row_finding_has_no_streak_and_a_previous_file_counts_once() {
    let (dir, db) = series();
    let short = dir.path().join("week4_short_row.csv");
    let mut text = std::fs::read_to_string(fixture("week4_2026-11-27.csv")).expect("week 4");
    text.push_str("\"006Z\",\"Zed\"\n");
    std::fs::write(&short, text).expect("write");
    let audit = |extra: &[&std::ffi::OsStr]| -> Value {
        let r = run(pipelint()
            .arg("audit")
            .arg(&short)
            .args([
                "-r",
                "fixtures/history/rules.toml",
                "--as-of",
                "2026-11-27",
                "-f",
                "json",
            ])
            .args(extra));
        assert!(r.code <= 1, "{}", r.stderr);
        serde_json::from_str(&r.stdout).expect("json")
    };
    let doc = audit(&["--history".as_ref(), db.as_os_str()]);
    let in002: Vec<&Value> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "IN002")
        .collect();
    assert_eq!(in002.len(), 1, "{in002:?}");
    assert_eq!(
        (&in002[0]["line"], &in002[0]["streak"]),
        (&Value::from(11), &Value::Null)
    );
    let json = streaks_of(&doc);
    assert_eq!(streak_in(&json, "HYG002", "006D"), Value::from(4));
    assert_eq!(streak_in(&json, "HYG003", "006A"), Value::from(1));

    // Week 3 as a file: its own findings each count once.
    let doc = audit(&[
        "--previous".as_ref(),
        fixture("week3_2026-11-20.csv").as_ref(),
        "--previous-as-of".as_ref(),
        "2026-11-20".as_ref(),
    ]);
    let json = streaks_of(&doc);
    assert_eq!(streak_in(&json, "HYG002", "006D"), Value::from(2));
    assert_eq!(streak_in(&json, "HYG003", "006H"), Value::from(2));
    assert_eq!(streak_in(&json, "HYG003", "006A"), Value::from(1));
    // Pushed since week 3, and week 3 was compared with nothing: 1.
    assert_eq!(streak_in(&json, "CHG001", "006A"), Value::from(1));
    assert_eq!(streak_in(&json, "IN002", "006Z"), Value::Null);
}
