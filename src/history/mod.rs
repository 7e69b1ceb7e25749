//! The snapshot history: every weekly audit kept in one SQLite file (rusqlite with its
//! bundled SQLite, so nothing is installed), so that a week's audit can see more than last
//! week — serial slippage, streaks, trends, commit accuracy, and which signals predicted
//! losses (`history backtest`).
//!
//! Per snapshot the store keeps its as-of, rules source and summary; per deal its pairing
//! key, id, name, account, owner, stage, standing, amount, currency, dates, forecast
//! category, completeness, risk score and signals, the push totals by then, and its findings
//! (code, field and streak). Each `add` is one IMMEDIATE transaction in WAL mode: a process
//! killed mid-add leaves the store as it was, and a second writer waits (busy timeout) and
//! then lands. The schema has a version (`PRAGMA user_version`) and migrates forward; a
//! store from a newer pipelint is refused. Reads never write (`access.rs`: SQLite's
//! `query_only`, or a read-only open), and check every value they read back (`check.rs`):
//! a row pipelint did not write is refused, never shown as data.
//! The one derived table, the outcome state `add` keeps (`tracks.rs`), is read in place of
//! the deals it was replayed from, which `add` checked then; a state that does not decode
//! is not used.

mod access;
pub(crate) mod backtest;
pub(crate) mod calibrate;
mod check;
mod form;
pub(crate) mod load;
pub(crate) mod outbox;
pub(crate) mod outcomes;
mod rows;
mod schema;
mod tracks;
pub(crate) mod view;

use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

pub(crate) use access::{Access, Location, failed};

use crate::audit::Audit;
use crate::deal::Deal;
use crate::facts::pairing::PairBy;
use crate::facts::standing::Standing;
use crate::field::Canonical;

/// Why the change checks did not run in a history audit with nothing stored before as-of.
pub(crate) const NO_EARLIER_SNAPSHOT: &str =
    "no snapshot stored in the history before as-of (pipelint history add an earlier export)";

/// A history file, open.
pub(crate) struct Store {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    /// How more (read-only) connections to it are opened.
    pub(crate) location: Location,
}

/// One stored snapshot, as `history list` shows it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SnapshotMeta {
    #[serde(skip)]
    pub(crate) id: i64,
    #[serde(serialize_with = "as_text")]
    pub(crate) as_of: NaiveDate,
    pub(crate) rules: String,
    pub(crate) tool_version: String,
    pub(crate) files: Vec<String>,
    /// Rows read from each file.
    #[serde(skip)]
    pub(crate) records: Vec<u64>,
    pub(crate) deals: u64,
    pub(crate) summary: serde_json::Value,
}

fn as_text<S: serde::Serializer>(day: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(day)
}

impl Store {
    /// Open the history at `path` for `access`: without writing to read (an older schema
    /// is migrated first, which needs the file writable once), read-write to store a
    /// snapshot (created when missing). Every error names the file and a fix.
    pub(crate) fn open(path: &Path, access: Access) -> Result<Store> {
        let mut location = Location::at(path, access)?;
        let conn = match access {
            Access::Write => {
                let mut conn = location.writer()?;
                writing(&conn).map_err(|e| failed(path, "open", e))?;
                schema::migrate(&mut conn, path).map_err(|e| failed(path, "open", e))?;
                conn
            }
            Access::Read => {
                let conn = location.reader()?;
                let version =
                    schema::version(&conn, path, false).map_err(|e| failed(path, "read", e))?;
                if version < schema::SCHEMA_VERSION {
                    drop(conn);
                    upgrade(&location, version)?;
                    location.reader()?
                } else {
                    conn
                }
            }
        };
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            location,
        })
    }

    /// Every snapshot, oldest first, checked (see `check.rs`).
    pub(crate) fn list(&self) -> Result<Vec<SnapshotMeta>> {
        self.read_list().map_err(|e| failed(&self.path, "read", e))
    }

    fn read_list(&self) -> Result<Vec<SnapshotMeta>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, as_of, as_of_day, rules, tool_version, deals, summary FROM snapshots
             ORDER BY as_of_day, id",
        )?;
        let mut files = self.conn.prepare(
            "SELECT path, records FROM snapshot_files WHERE snapshot = ?1 ORDER BY file",
        )?;
        let snapshots = check::Table {
            path: &self.path,
            table: "snapshots",
        };
        let snapshot_files = check::Table {
            path: &self.path,
            table: "snapshot_files",
        };
        let mut out = Vec::new();
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id = snapshots.int(r, 0, "a row", i64::MIN..=i64::MAX)?;
            let row = format!("row {id}");
            let text = snapshots.text(r, 1, &row)?;
            let Some(as_of) = snapshots.day(r, 2, &row)? else {
                return Err(snapshots.bad(
                    &row,
                    "as_of",
                    format!(
                        "{}, not a date from the years 1 to 9999",
                        check::quoted(text)
                    ),
                ));
            };
            if text != as_of.to_string() {
                return Err(snapshots.bad(
                    &row,
                    "as_of",
                    format!("{}, where as_of_day says {as_of}", check::quoted(text)),
                ));
            }
            let summary = check::summary(snapshots.text(r, 6, &row)?)
                .map_err(|what| snapshots.bad(&row, "summary", what))?;
            let mut paths = Vec::new();
            let mut records = Vec::new();
            let mut stored = files.query([id])?;
            while let Some(f) = stored.next()? {
                let row = format!("the row of snapshot {id}");
                paths.push(snapshot_files.text(f, 0, &row)?.to_string());
                records.push(snapshot_files.int(f, 1, &row, check::COUNT)? as u64);
            }
            out.push(SnapshotMeta {
                id,
                as_of,
                rules: snapshots.text(r, 3, &row)?.to_string(),
                tool_version: snapshots.text(r, 4, &row)?.to_string(),
                files: paths,
                records,
                deals: snapshots.int(r, 5, &row, check::COUNT)? as u64,
                summary,
            });
        }
        Ok(out)
    }

    /// Store `audit` as the snapshot of its as-of, replacing one stored for the same day.
    /// `streaks` holds, per finding of the audit, how many snapshots in a row it has been
    /// flagged. One transaction: all of it lands, or none.
    pub(crate) fn add(
        &mut self,
        audit: &Audit,
        streaks: &[u16],
        summary: &str,
    ) -> Result<AddOutcome> {
        let path = self.path.clone();
        self.store(audit, streaks, summary)
            .map_err(|e| failed(&path, "store", e))
    }

    fn store(&mut self, audit: &Audit, streaks: &[u16], summary: &str) -> Result<AddOutcome> {
        let as_of = audit.as_of.to_string();
        let day = julian_day(audit.as_of);
        let rules = &audit.rules;
        let deals = &audit.deals;
        let by = pair_by(audit);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let old: Option<i64> = tx
            .query_row(
                "SELECT id FROM snapshots WHERE as_of_day = ?1",
                [day],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(old) = old {
            let (from, to) = deal_ids(old);
            tx.execute("DELETE FROM deals WHERE id >= ?1 AND id < ?2", [from, to])?;
            tx.execute("DELETE FROM deal_forms WHERE snapshot = ?1", [old])?;
            tx.execute("DELETE FROM snapshots WHERE id = ?1", [old])?;
        }
        let replaced = old.is_some();
        // The snapshots stored before this one (oldest first), and the outcome tracks after
        // the last of them when this one comes after every one: it is then seen on top.
        let prior = tracks::snapshots(&tx)?;
        let base = match &prior {
            Some(p) if p.iter().all(|&(_, d)| d < day) => tracks::load(&tx, p)?,
            _ => None,
        };
        tx.execute(
            "INSERT INTO snapshots (as_of, as_of_day, rules, tool_version, pair_by, fiscal_year_start_month, deals, summary)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                as_of,
                day,
                rules.source,
                env!("CARGO_PKG_VERSION"),
                pair_by_name(by),
                rules.forecast.fiscal_year_start_month,
                deals.len() as i64,
                summary
            ],
        )?;
        let snapshot = tx.last_insert_rowid();
        {
            let mut files = tx.prepare(
                "INSERT INTO snapshot_files (snapshot, file, path, records) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (i, input) in audit.inputs.iter().enumerate().filter(|(_, i)| !i.previous) {
                files.execute(params![
                    snapshot,
                    i as i64,
                    input.path,
                    input.records as i64
                ])?;
            }
            let mut tracks = base;
            let after = rows::insert(&tx, audit, streaks, (snapshot, day), by, tracks.as_mut())?;
            keep_tracks(&tx, &self.path, prior, (snapshot, day), after)?;
            // Forms are kept for the newest two snapshots: the ones an audit compares with.
            tx.execute(
                "DELETE FROM deal_forms WHERE snapshot NOT IN
                    (SELECT id FROM snapshots ORDER BY as_of_day DESC LIMIT 2)",
                [],
            )?;
            let mut owners = tx.prepare(
                "INSERT INTO owner_stats (snapshot, owner, records, filled, applicable, open, high, amounts)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for (owner, g) in view::owner_groups(audit) {
                owners.execute(params![
                    snapshot,
                    owner,
                    g.completeness.records as i64,
                    g.completeness.filled as i64,
                    g.completeness.applicable as i64,
                    g.pipeline.open as i64,
                    g.pipeline.high() as i64,
                    view::amounts_json(&g.pipeline),
                ])?;
            }
        }
        tx.commit()?;
        Ok(AddOutcome {
            replaced,
            deals: deals.len() as u64,
        })
    }
}

/// Keep the outcome tracks after the newest two snapshots (see `tracks.rs`): `tracks` is
/// the state after `added` (encoded), seen on top of the `prior` snapshots' when `added` came after
/// them all; else (`None`) every stored deal is replayed. A store with a snapshot of no day
/// (one a read refuses) keeps none.
fn keep_tracks(
    conn: &Connection,
    path: &Path,
    prior: Option<Vec<(i64, i64)>>,
    added: (i64, i64),
    tracks: Option<Vec<Vec<u8>>>,
) -> Result<()> {
    let Some(mut prior) = prior else {
        return tracks::keep_only(conn, &[]);
    };
    match tracks {
        Some(after) => {
            let before = prior.last().map(|&(id, _)| id);
            tracks::keep_only(conn, &before.into_iter().collect::<Vec<_>>())?;
            prior.push(added);
            tracks::save(conn, &prior, &after)
        }
        None => {
            tracks::keep_only(conn, &[])?;
            let Some(all) = tracks::snapshots(conn)? else {
                return Ok(());
            };
            let n = all.len();
            let (last, before) = outcomes::replay(conn, path, &all, n.checked_sub(2))?;
            if let Some(before) = before {
                tracks::save(conn, &all[..n - 1], &tracks::encode(&before))?;
            }
            tracks::save(conn, &all, &tracks::encode(&last))
        }
    }
}

/// Settings of a connection that writes: large pages, WAL, a cache, foreign keys.
fn writing(conn: &Connection) -> rusqlite::Result<()> {
    // The largest pages SQLite has (only takes on a new file, before its first write): a
    // snapshot appends a million short rows and a few large blobs, and 64 KB pages took
    // `history add` of a 1M-row export from 3.57 s to 3.30 s against 16 KB ones (medians
    // of 7 alternating runs), with reads of the store no slower.
    conn.pragma_update(None, "page_size", 65536)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "cache_size", -65536)?;
    // Reads map the file rather than copy each page in.
    conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")
}

/// Migrate a history of schema `version` that a read found older than this pipelint's:
/// the one write a read makes, and so the one a read-only file refuses.
fn upgrade(location: &Location, version: i64) -> Result<()> {
    let path = &location.path;
    let shown = path.display();
    let mut conn = location.writer().map_err(|_| {
        anyhow::anyhow!(
            "the history {shown} has schema {version} from an earlier pipelint; reading it needs a one-time upgrade to schema {}, which writes to it, and it cannot be written: run `pipelint history list --db {shown}` once where it can be, or read a writable copy",
            schema::SCHEMA_VERSION
        )
    })?;
    writing(&conn).map_err(|e| failed(path, "upgrade", e))?;
    schema::migrate(&mut conn, path).map_err(|e| failed(path, "upgrade", e))
}

/// The range `[from, to)` of the `deals` ids of a snapshot: `snapshot << 32 | seq`.
pub(crate) fn deal_ids(snapshot: i64) -> (i64, i64) {
    (snapshot << 32, (snapshot + 1) << 32)
}

/// Julian day number of 0000-12-31, the day before chrono's day 1 of the common era.
const JULIAN_CE: i64 = 1_721_425;

/// `day` as a Julian day number, as SQLite's `date()` reads it.
pub(crate) fn julian_day(day: chrono::NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(day.num_days_from_ce()) + JULIAN_CE
}

/// The day of a stored Julian day number.
pub(crate) fn from_julian_day(n: i64) -> Option<chrono::NaiveDate> {
    n.checked_sub(JULIAN_CE)
        .and_then(|days| i32::try_from(days).ok())
        .and_then(chrono::NaiveDate::from_num_days_from_ce_opt)
}

/// What `add` did.
pub(crate) struct AddOutcome {
    pub(crate) replaced: bool,
    pub(crate) deals: u64,
}

/// How the audit's deals are keyed in the store: by record id when every export it read
/// maps one, else by account and name.
pub(crate) fn pair_by(audit: &Audit) -> PairBy {
    let id = audit.table.canonical(Canonical::Id);
    if audit
        .inputs
        .iter()
        .filter(|i| !i.previous)
        .all(|i| i.mapping.column(id).is_some())
    {
        PairBy::Id
    } else {
        PairBy::AccountAndName
    }
}

pub(crate) fn pair_by_name(by: PairBy) -> &'static str {
    match by {
        PairBy::Id => "id",
        PairBy::AccountAndName => "account_and_name",
    }
}

pub(crate) fn standing_name(s: Standing) -> &'static str {
    match s {
        Standing::Open => "open",
        Standing::Closed(crate::rules::Outcome::Won) => "won",
        Standing::Closed(crate::rules::Outcome::Lost) => "lost",
        Standing::Unknown => "unknown",
    }
}

/// The fiscal quarter an open deal called commit is called for (its close date's).
pub(crate) fn commit_quarter(
    d: &Deal,
    stands: Standing,
    class: Option<crate::rules::ForecastClass>,
    rules: &crate::rules::RuleSet,
) -> Option<String> {
    let commit = class == Some(crate::rules::ForecastClass::Commit);
    (stands == Standing::Open && commit)
        .then_some(d.close_date)
        .flatten()
        .map(|c| rules.forecast.quarter_of(c).2)
}

/// Between a stored finding's code, field and streak.
pub(crate) const PART_SEP: char = '\u{1}';
/// Between a deal's stored findings.
pub(crate) const FINDING_SEP: char = '\u{2}';

#[cfg(test)]
mod tests {
    use super::*;

    /// A store written by the first schema: two weeks of one deal, called commit for
    /// FY2027-Q2 in the first, won in the second; and one deal paired by account and name.
    fn v1_store(path: &Path) {
        let conn = Connection::open(path).expect("open");
        conn.execute_batch(schema::MIGRATIONS[0])
            .expect("v1 schema");
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO snapshots VALUES (1, '2026-11-13', 'preset:salesforce', '0.1.0', 'id', 7, 2, '{}');
             INSERT INTO snapshots VALUES (2, '2026-11-20', 'preset:salesforce', '0.1.0', 'id', 7, 2, '{}');
             INSERT INTO deals VALUES (1, 0, 0, 2, '006A', '006A', 'Big', 'Acme', 'Ann', 'Negotiation',
                 'open', NULL, 1000000, 'USD', '2026-12-15', '2026-08-01', 'Commit', 'FY2027-Q2',
                 9, 10, 40, 3, 1, 14, 'HYG001' || char(1) || 'close_date' || char(1) || '1');
             INSERT INTO deals VALUES (1, 1, 0, 3, NULL, '', 'Nameless', NULL, NULL, NULL,
                 'unknown', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 10, 0, 0, 0, 0, '');
             INSERT INTO deals VALUES (2, 0, 0, 2, '006A', '006A', 'Big', 'Acme', 'Ann', 'Closed Won',
                 'won', 'won', 1200000, 'USD', '2026-11-18', '2026-08-01', 'Closed', NULL,
                 10, 10, 0, 0, 1, 14, '');
             INSERT INTO deals VALUES (2, 1, 0, 3, 'acme' || char(1) || 'renewal', '', 'Renewal', 'Acme', NULL, NULL,
                 'unknown', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 10, 0, 0, 0, 0, '');",
        )
        .expect("v1 rows");
    }

    #[test]
    fn a_first_schema_store_migrates_with_its_deals_calls_and_closings() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("h.sqlite");
        v1_store(&path);
        let store = Store::open(&path, Access::Read).expect("migrates");
        let c = &store.conn;
        let version: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, schema::SCHEMA_VERSION);
        let days: Vec<i64> = c
            .prepare("SELECT as_of_day FROM snapshots ORDER BY id")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        let day =
            |s: &str| julian_day(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date"));
        assert_eq!(days, [day("2026-11-13"), day("2026-11-20")]);
        let deals: Vec<(i64, Option<String>, String, Option<i64>)> = c
            .prepare("SELECT id, pair_key, standing, close_day FROM deals ORDER BY id")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        let day =
            |s: &str| julian_day(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date"));
        assert_eq!(
            deals,
            vec![
                (1 << 32, None, "open".into(), Some(day("2026-12-15"))),
                ((1 << 32) | 1, Some(String::new()), "unknown".into(), None),
                (2 << 32, None, "won".into(), Some(day("2026-11-18"))),
                (
                    (2 << 32) | 1,
                    Some("acme\u{1}renewal".into()),
                    "unknown".into(),
                    None
                ),
            ]
        );
        let date: String = c
            .query_row(
                "SELECT date(close_day) FROM deals WHERE id = ?1",
                [2i64 << 32],
                |r| r.get(0),
            )
            .expect("date()");
        assert_eq!(date, "2026-11-18");
        let calls: Vec<(i64, String, String, i64)> = c
            .prepare("SELECT snapshot, pair_key, quarter, amount FROM commit_calls")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert_eq!(
            calls,
            vec![(1, "006A".into(), "FY2027-Q2".into(), 1_000_000)]
        );
        let closings: Vec<(i64, String, String, i64)> = c
            .prepare("SELECT snapshot, pair_key, standing, amount FROM called_closings")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert_eq!(closings, vec![(2, "006A".into(), "won".into(), 1_200_000)]);
    }

    #[test]
    fn julian_days_round_trip_and_match_sqlite() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
        assert_eq!(julian_day(d), 2_461_365);
        assert_eq!(from_julian_day(julian_day(d)), Some(d));
        assert_eq!(from_julian_day(i64::MIN), None);
    }
}
