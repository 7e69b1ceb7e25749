//! The compact form a history keeps of its newest snapshots (`src/history/form.rs`): what
//! `audit --history` reads back instead of last week's rows. Read from the form, from the
//! rows (the form gone) or past a damaged form, the report is byte for byte the same; the
//! form is kept for the newest two snapshots only, and replaced with its snapshot.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::{pipelint, run};

/// Deals in the big weeks: more than one form part (65,536 deals), so the parts are read
/// in two halves at once.
const DEALS: usize = 70_000;

/// A week of `n` deals with what a stored deal can hold: known, aliased, unknown and
/// missing stages; owners and accounts present or empty; forecasts, amounts and close dates
/// present or not; currencies; findings with and without a field.
fn export(path: &Path, n: usize, week: usize) {
    let stages = [
        "Prospecting",
        "qualification",
        "Proposal/Price Quote",
        "Negotiation/Review",
        "Closed Won",
        "Closed Lost",
        "Pilot (custom)",
        "",
    ];
    let owners = ["Ann Lee", "Bo Chen", "Cy Díaz", ""];
    let mut csv = String::from(
        "\"Opportunity ID\",\"Opportunity Name\",\"Account Name\",\"Opportunity Owner\",\"Stage\",\"Amount\",\"Currency\",\"Close Date\",\"Created Date\",\"Last Activity\",\"Next Step\",\"Forecast Category\"\n",
    );
    for i in 0..n {
        if week > 1 && (i + week) % 89 == 0 {
            continue; // gone this week
        }
        let moved = week > 1 && (i + week) % 11 == 0;
        let stage = stages[(i + usize::from(moved)) % stages.len()];
        let day = 1 + (i % 27) + usize::from(moved) * week;
        let account = if i % 41 == 0 {
            String::new()
        } else {
            format!("Account {}", i % 3000)
        };
        let amount = if i % 23 == 0 {
            String::new()
        } else {
            format!("{}.{:02}", 1000 + (i % 70) * 150, i % 100)
        };
        let currency = ["USD", "EUR", "", "GBP"][i % 4];
        let close = if i % 31 == 0 {
            String::new()
        } else {
            format!("{}/{}/2027", 1 + (i % 12), day.min(28))
        };
        let forecast = ["Commit", "Best Case", "Pipeline", "", "Omitted"][i % 5];
        let _ = writeln!(
            csv,
            "\"006{i:07}\",\"Deal {i} – Ünïcode\",\"{account}\",\"{}\",\"{stage}\",\"{amount}\",\"{currency}\",\"{close}\",\"6/01/2026\",\"11/20/2026\",\"{}\",\"{forecast}\"",
            owners[i % owners.len()],
            if i % 7 == 0 { "" } else { "Call" },
        );
    }
    std::fs::write(path, csv).expect("write export");
}

fn as_of(week: usize) -> String {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 6).expect("date")
        + chrono::Days::new(7 * (week as u64 - 1));
    day.to_string()
}

fn add(db: &Path, file: &Path, week: usize) {
    let r = run(pipelint()
        .args(["history", "add"])
        .arg(file)
        .args(["--as-of", &as_of(week), "--db"])
        .arg(db));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The audit of `file` as of `week` against the history at `db`, as JSON.
fn audit(db: &Path, file: &Path, week: usize, threads: &str) -> String {
    let r = run(pipelint()
        .arg("audit")
        .arg(file)
        .args(["--as-of", &as_of(week), "-f", "json", "--threads", threads])
        .arg("--history")
        .arg(db));
    assert!(r.code <= 1, "{}", r.stderr);
    r.stdout
}

/// `(snapshot, part, deals)` of every form part kept.
fn forms(db: &Path) -> Vec<(i64, i64, i64)> {
    let c = rusqlite::Connection::open(db).expect("open");
    let mut s = c
        .prepare("SELECT snapshot, part, deals FROM deal_forms ORDER BY snapshot, part")
        .expect("prepare");
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
}

fn execute(db: &Path, sql: &str) {
    let c = rusqlite::Connection::open(db).expect("open");
    c.execute_batch(sql).expect(sql);
}

#[test]
fn a_form_reads_back_as_its_rows_and_a_damaged_one_is_passed_over() {
    let dir = tempfile::tempdir().expect("temp dir");
    let weeks: Vec<_> = (1..=3)
        .map(|w| dir.path().join(format!("w{w}.csv")))
        .collect();
    for (w, path) in weeks.iter().enumerate() {
        export(path, if w == 0 { DEALS } else { DEALS - 2 }, w + 1);
    }
    let db = dir.path().join("h.sqlite");
    add(&db, &weeks[0], 1);
    add(&db, &weeks[1], 2);

    // Both snapshots keep a form, in parts of 65,536 deals.
    let kept = forms(&db);
    let week2 = DEALS - 2 - (0..DEALS - 2).filter(|i| (i + 2) % 89 == 0).count();
    assert_eq!(
        kept,
        vec![
            (1, 0, 65_536),
            (1, 1, (DEALS - 65_536) as i64),
            (2, 0, 65_536),
            (2, 1, (week2 - 65_536) as i64),
        ]
    );

    let from_form = audit(&db, &weeks[2], 3, "2");
    assert!(
        from_form.contains("\"compared_with\""),
        "compared with week 2"
    );
    assert!(audit(&db, &weeks[2], 3, "1") == from_form, "one thread");

    // The form is what is read: changed behind its back (the trigger off), the rows do not
    // show; with the form gone, they do.
    let changed = dir.path().join("changed.sqlite");
    std::fs::copy(&db, &changed).expect("copy");
    execute(
        &changed,
        "DROP TRIGGER deal_forms_stale;
         UPDATE deals SET stage = 'Closed Lost', standing = 'lost' WHERE snapshot = 2;",
    );
    let shown = |report: String, at: &Path| {
        report.replace(at.to_str().expect("path"), db.to_str().expect("path"))
    };
    assert!(shown(audit(&changed, &weeks[2], 3, "2"), &changed) == from_form);
    execute(&changed, "DELETE FROM deal_forms");
    let edited = shown(audit(&changed, &weeks[2], 3, "2"), &changed);
    assert!(edited != from_form);
    // A row edited by hand drops its snapshot's form (the other's stays), so the rows are
    // read.
    let by_hand = dir.path().join("by_hand.sqlite");
    std::fs::copy(&db, &by_hand).expect("copy");
    execute(
        &by_hand,
        "UPDATE deals SET stage = 'Closed Lost', standing = 'lost' WHERE snapshot = 2",
    );
    assert!(forms(&by_hand).iter().all(|f| f.0 == 1));
    assert!(shown(audit(&by_hand, &weeks[2], 3, "2"), &by_hand) == edited);

    // The rows alone (a history stored before forms) give the same report.
    let rows_only = dir.path().join("rows.sqlite");
    std::fs::copy(&db, &rows_only).expect("copy");
    execute(&rows_only, "DELETE FROM deal_forms");
    let from_rows = audit(&rows_only, &weeks[2], 3, "2");
    assert_eq!(
        from_rows.replace(
            rows_only.to_str().expect("path"),
            db.to_str().expect("path")
        ),
        from_form
    );

    // A damaged part, a part missing, or parts that do not add up to the snapshot's deals:
    // the rows are read, and the report is the same.
    let damages = [
        "UPDATE deal_forms SET data = substr(data, 1, length(data) - 9) WHERE snapshot = 2 AND part = 1",
        "UPDATE deal_forms SET data = CAST('PLF1' AS BLOB) || randomblob(5000) WHERE snapshot = 2 AND part = 0",
        "DELETE FROM deal_forms WHERE snapshot = 2 AND part = 0",
        "UPDATE deal_forms SET deals = deals - 1 WHERE snapshot = 2 AND part = 1",
        "UPDATE deal_forms SET data = 'text, not bytes' WHERE snapshot = 2 AND part = 1",
    ];
    for damage in damages {
        let damaged = dir.path().join("damaged.sqlite");
        std::fs::copy(&db, &damaged).expect("copy");
        execute(&damaged, damage);
        let report = audit(&damaged, &weeks[2], 3, "2");
        assert!(shown(report, &damaged) == from_form, "{damage}");
    }

    // A third week: the oldest snapshot's form goes. Re-storing week 3 replaces its form
    // (its parts are deleted with it: the new snapshot may reuse its number).
    add(&db, &weeks[2], 3);
    let snapshots = |db: &Path| -> Vec<i64> {
        let mut s: Vec<i64> = forms(db).iter().map(|f| f.0).collect();
        s.dedup();
        s
    };
    assert_eq!(snapshots(&db), vec![2, 3]);
    let before = forms(&db);
    add(&db, &weeks[2], 3);
    assert_eq!(forms(&db), before);
}
