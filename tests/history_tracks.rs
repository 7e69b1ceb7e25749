//! The outcome tracks a history keeps (`src/history/tracks.rs`): what `history backtest`,
//! `history calibrate` and each band's track record read instead of replaying every stored
//! deal. Whatever order the weeks were stored in, re-stored, or with the kept state gone or
//! damaged, every figure is the one a replay of the stored deals gives.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{pipelint, run};
use serde_json::Value;

const WEEKS: usize = 6;

fn as_of(week: usize) -> String {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 10, 2).expect("date")
        + chrono::Days::new(7 * (week as u64 - 1));
    day.to_string()
}

/// A seeded mix of deals over the weeks: each opens, is pushed, loses its next step or goes
/// quiet, and most close (won or lost) in a week of their own; some reopen after closing
/// (only the first close counts), some miss a week, a few have no id.
fn export(path: &Path, week: usize) {
    let stages = [
        "Prospecting",
        "Qualification",
        "Proposal/Price Quote",
        "Negotiation/Review",
    ];
    let owners = ["Ann Lee", "Bo Chen", "Cy Diaz", "Dee Park"];
    let mut csv = String::from(
        "\"Opportunity ID\",\"Opportunity Name\",\"Account Name\",\"Opportunity Owner\",\"Stage\",\"Amount\",\"Probability (%)\",\"Close Date\",\"Created Date\",\"Last Activity\",\"Last Stage Change Date\",\"Next Step\",\"Forecast Category\",\"Lead Source\"\n",
    );
    let mix =
        |i: usize, salt: usize| (i.wrapping_mul(2_654_435_761) ^ salt.wrapping_mul(40_503)) % 1_000;
    for i in 0..600 {
        if mix(i, week) % 11 == 0 {
            continue; // missing this week
        }
        let close_week = 2 + mix(i, 99) % 7;
        let closed = week >= close_week && !(i % 17 == 0 && week == close_week + 1);
        let stage = if closed {
            if mix(i, 7) % 3 == 0 {
                "Closed Lost"
            } else {
                "Closed Won"
            }
        } else {
            stages[(i + week) % stages.len()]
        };
        let pushed = (mix(i, 5) % 4 == 0) as usize * week;
        let day = 1 + (i + pushed) % 27;
        let month = 10 + (mix(i, 3) % 4 + pushed / 3) % 3;
        let activity = if mix(i, week + 50) % 5 == 0 {
            "8/01/2026"
        } else {
            "10/20/2026"
        };
        let step = if mix(i, week + 20) % 6 == 0 {
            ""
        } else {
            "Call"
        };
        let id = if i % 50 == 0 {
            String::new()
        } else {
            format!("006{i:07}")
        };
        let _ = writeln!(
            csv,
            "\"{id}\",\"Deal {i}\",\"Account {}\",\"{}\",\"{stage}\",\"{}.00\",\"50\",\"{month}/{day}/2026\",\"6/01/2026\",\"{activity}\",\"9/01/2026\",\"{step}\",\"{}\",\"Web\"",
            i % 90,
            owners[i % owners.len()],
            1000 + (i % 50) * 100,
            ["Commit", "Best Case", "Pipeline"][i % 3],
        );
    }
    std::fs::write(path, csv).expect("write export");
}

struct Series {
    dir: tempfile::TempDir,
    files: Vec<PathBuf>,
}

fn series() -> Series {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = (1..=WEEKS)
        .map(|w| {
            let p = dir.path().join(format!("w{w}.csv"));
            export(&p, w);
            p
        })
        .collect();
    Series { dir, files }
}

impl Series {
    /// A history of the weeks stored in `order` (1-based).
    fn store(&self, name: &str, order: &[usize]) -> PathBuf {
        let db = self.dir.path().join(name);
        for &w in order {
            let r = run(pipelint()
                .args(["history", "add"])
                .arg(&self.files[w - 1])
                .args(["--as-of", &as_of(w), "-q", "--db"])
                .arg(&db));
            assert_eq!(r.code, 0, "week {w}: {}", r.stderr);
        }
        db
    }

    /// Every figure read from the outcomes: the backtest, the calibration, and the band
    /// track record of an audit of the last week (its own as-of: the weeks before it) and
    /// of a week after it (every week).
    fn figures(&self, db: &Path) -> Vec<Value> {
        let json = |args: &[&str]| -> Value {
            let r = run(pipelint().args(args).arg("--db").arg(db));
            assert!(r.code <= 1, "{args:?}: {}", r.stderr);
            serde_json::from_str(&r.stdout).expect("json")
        };
        let band = |day: &str| -> Value {
            let r = run(pipelint()
                .arg("audit")
                .arg(&self.files[WEEKS - 1])
                .args(["--as-of", day, "-f", "json", "--history"])
                .arg(db));
            assert!(r.code <= 1, "{}", r.stderr);
            let v: Value = serde_json::from_str(&r.stdout).expect("json");
            v["history"]["band_record"].clone()
        };
        let mut calibration = json(&["history", "calibrate", "-f", "json"]);
        calibration["db"] = Value::Null;
        vec![
            json(&["history", "backtest", "-f", "json"])["backtest"].clone(),
            calibration,
            band(&as_of(WEEKS)),
            band(&as_of(WEEKS + 1)),
        ]
    }
}

fn sql(db: &Path, statement: &str) {
    let c = rusqlite::Connection::open(db).expect("open");
    c.execute_batch(statement).expect("sql");
}

/// The snapshots whose state is kept, as their as-ofs.
fn kept(db: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).expect("open");
    let mut s = c
        .prepare(
            "SELECT DISTINCT s.as_of FROM outcome_tracks t JOIN snapshots s ON s.id = t.snapshot
             ORDER BY s.as_of",
        )
        .expect("prepare");
    s.query_map([], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
}

#[test]
fn kept_outcomes_give_what_replaying_every_stored_deal_gives() {
    let s = series();
    let in_order: Vec<usize> = (1..=WEEKS).collect();
    let db = s.store("in_order.sqlite", &in_order);
    assert_eq!(kept(&db), [as_of(WEEKS - 1), as_of(WEEKS)]);
    let figures = s.figures(&db);
    // Enough closed deals, in more than one band, that a wrong track would show.
    let closed = figures[0]["closed"].as_u64().expect("closed");
    let lost = figures[0]["lost"].as_u64().expect("lost");
    assert!(
        closed >= 200 && lost >= 50 && lost < closed,
        "{closed} {lost}"
    );
    let bands = figures[2].as_array().expect("bands");
    assert!(
        bands
            .iter()
            .filter(|b| b["closed"].as_u64() > Some(0))
            .count()
            >= 2
    );
    assert_ne!(
        figures[2], figures[3],
        "the last week's closes count only after it"
    );

    // With no state kept, every stored deal is replayed: the same figures.
    as_replayed(&s, &db, &figures);

    // A damaged state is not used.
    let damaged = s.store("damaged.sqlite", &in_order);
    sql(
        &damaged,
        "UPDATE outcome_tracks SET data = substr(data, 1, length(data) - 3)",
    );
    assert_eq!(s.figures(&damaged), figures);

    // Stored out of order (the whole history replayed at each such add), then the newest
    // week stored again (on top of the state before it). Each week was audited against
    // the weeks stored before it, so the stored deals differ from the in-order store's.
    let shuffled = s.store("shuffled.sqlite", &[3, 1, 6, 2, 5, 4, 6]);
    assert_eq!(kept(&shuffled), [as_of(WEEKS - 1), as_of(WEEKS)]);
    let shuffled_figures = s.figures(&shuffled);
    assert_ne!(shuffled_figures, figures);
    as_replayed(&s, &shuffled, &shuffled_figures);

    // A week added after a store lost its state: replayed once, then kept again.
    let resumed = s.store("resumed.sqlite", &in_order[..4]);
    sql(&resumed, "DELETE FROM outcome_tracks");
    let resumed = s.store("resumed.sqlite", &in_order[4..]);
    assert_eq!(kept(&resumed), [as_of(WEEKS - 1), as_of(WEEKS)]);
    assert_eq!(s.figures(&resumed), figures);
}

/// `figures` are what a replay of every deal stored in `db` gives: its kept state dropped.
fn as_replayed(s: &Series, db: &Path, figures: &[Value]) {
    sql(db, "DELETE FROM outcome_tracks");
    assert!(kept(db).is_empty());
    assert_eq!(s.figures(db), figures);
}
