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
//! store from a newer pipelint is refused.

pub(crate) mod backtest;
pub(crate) mod load;
mod rows;
pub(crate) mod view;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;

use crate::checks::changes::{PairBy, Standing};
use crate::deal::Deal;
use crate::engine::Audit;
use crate::field::Canonical;

/// Why the change checks did not run in a history audit with nothing stored before as-of.
pub(crate) const NO_EARLIER_SNAPSHOT: &str =
    "no snapshot stored in the history before as-of (pipelint history add an earlier export)";

/// The schema this pipelint writes. Each version's migration is in [`MIGRATIONS`].
pub(crate) const SCHEMA_VERSION: i64 = 2;

/// `MIGRATIONS[v]` takes a store from version `v` to `v + 1`.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: the first schema.
    "
    CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY,
        as_of TEXT NOT NULL UNIQUE,
        rules TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        pair_by TEXT NOT NULL,
        fiscal_year_start_month INTEGER NOT NULL,
        deals INTEGER NOT NULL,
        summary TEXT NOT NULL
    );
    CREATE TABLE snapshot_files (
        snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        file INTEGER NOT NULL,
        path TEXT NOT NULL,
        records INTEGER NOT NULL,
        PRIMARY KEY (snapshot, file)
    ) WITHOUT ROWID;
    CREATE TABLE deals (
        snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        file INTEGER NOT NULL,
        line INTEGER NOT NULL,
        pair_key TEXT,
        record_id TEXT NOT NULL,
        name TEXT NOT NULL,
        account TEXT,
        owner TEXT,
        stage TEXT,
        standing TEXT NOT NULL,
        closed_as TEXT,
        amount INTEGER,
        currency TEXT,
        close_date TEXT,
        created_date TEXT,
        forecast TEXT,
        commit_quarter TEXT,
        filled INTEGER NOT NULL,
        applicable INTEGER NOT NULL,
        risk_score INTEGER NOT NULL,
        signals INTEGER NOT NULL,
        push_count INTEGER NOT NULL,
        push_days INTEGER NOT NULL,
        findings TEXT NOT NULL,
        PRIMARY KEY (snapshot, seq)
    ) WITHOUT ROWID;
    CREATE INDEX deals_commit ON deals (snapshot) WHERE commit_quarter IS NOT NULL;
    CREATE INDEX deals_closed ON deals (snapshot) WHERE standing IN ('won', 'lost');
    CREATE TABLE owner_stats (
        snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        owner TEXT NOT NULL,
        records INTEGER NOT NULL,
        filled INTEGER NOT NULL,
        applicable INTEGER NOT NULL,
        open INTEGER NOT NULL,
        high INTEGER NOT NULL,
        amounts TEXT NOT NULL,
        PRIMARY KEY (snapshot, owner)
    ) WITHOUT ROWID;
    ",
    // 1 → 2: deals keyed by snapshot << 32 | seq in a rowid table (appends stay appends,
    // no foreign key to check per row), and a pair key stored only where it is not the
    // record id ('' for a deal with none); dates as Julian day numbers (`date(close_day)`
    // in SQL), the outcome in `standing` alone. Commit accuracy reads two narrow tables
    // instead of every stored deal: each snapshot's commit calls, and its closed deals whose
    // key had been called commit by then.
    "
    CREATE TABLE deals_v2 (
        id INTEGER PRIMARY KEY,
        snapshot INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        file INTEGER NOT NULL,
        line INTEGER NOT NULL,
        pair_key TEXT,
        record_id TEXT NOT NULL,
        name TEXT NOT NULL,
        account TEXT,
        owner TEXT,
        stage TEXT,
        standing TEXT NOT NULL,
        amount INTEGER,
        currency TEXT,
        close_day INTEGER,
        created_day INTEGER,
        forecast TEXT,
        filled INTEGER NOT NULL,
        applicable INTEGER NOT NULL,
        risk_score INTEGER NOT NULL,
        signals INTEGER NOT NULL,
        push_count INTEGER NOT NULL,
        push_days INTEGER NOT NULL,
        findings TEXT NOT NULL
    );
    CREATE TABLE commit_calls (
        snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        pair_key TEXT NOT NULL,
        quarter TEXT NOT NULL,
        amount INTEGER,
        currency TEXT,
        PRIMARY KEY (snapshot, seq)
    ) WITHOUT ROWID;
    CREATE TABLE called_closings (
        snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        pair_key TEXT NOT NULL,
        standing TEXT NOT NULL,
        close_day INTEGER,
        amount INTEGER,
        currency TEXT,
        PRIMARY KEY (snapshot, seq)
    ) WITHOUT ROWID;
    INSERT INTO commit_calls
    SELECT snapshot, seq, coalesce(pair_key, ''), commit_quarter, amount, currency FROM deals
    WHERE commit_quarter IS NOT NULL AND pair_key IS NOT NULL;
    CREATE INDEX v1_calls_key ON commit_calls (pair_key);
    INSERT INTO called_closings
    SELECT d.snapshot, d.seq, d.pair_key, d.standing,
        CAST(julianday(d.close_date) + 0.5 AS INTEGER), d.amount, d.currency
    FROM deals d JOIN snapshots s ON s.id = d.snapshot
    WHERE d.standing IN ('won', 'lost') AND d.pair_key IS NOT NULL AND EXISTS (
        SELECT 1 FROM commit_calls c JOIN snapshots cs ON cs.id = c.snapshot
        WHERE c.pair_key = d.pair_key AND cs.as_of <= s.as_of);
    DROP INDEX v1_calls_key;
    INSERT INTO deals_v2
    SELECT (snapshot << 32) | seq, snapshot, seq, file, line,
        CASE WHEN pair_key IS NULL THEN '' WHEN pair_key = record_id THEN NULL ELSE pair_key END,
        record_id, name, account, owner, stage, standing, amount, currency,
        CAST(julianday(close_date) + 0.5 AS INTEGER), CAST(julianday(created_date) + 0.5 AS INTEGER),
        forecast, filled, applicable, risk_score,
        signals, push_count, push_days, findings
    FROM deals ORDER BY snapshot, seq;
    DROP TABLE deals;
    ALTER TABLE deals_v2 RENAME TO deals;
    ",
];

/// A history file, open.
pub(crate) struct Store {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
}

/// One stored snapshot, as `history list` shows it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SnapshotMeta {
    #[serde(skip)]
    pub(crate) id: i64,
    pub(crate) as_of: String,
    pub(crate) rules: String,
    pub(crate) tool_version: String,
    pub(crate) files: Vec<String>,
    /// Rows read from each file.
    #[serde(skip)]
    pub(crate) records: Vec<u64>,
    pub(crate) deals: u64,
    pub(crate) summary: serde_json::Value,
}

impl Store {
    /// Open the history at `path`; with `create`, make it when it is missing.
    pub(crate) fn open(path: &Path, create: bool) -> Result<Store> {
        let shown = path.display();
        if !create && !path.exists() {
            bail!(
                "no history at {shown}; store a snapshot first with `pipelint history add EXPORT --db {shown}`"
            );
        }
        if path.is_dir() {
            bail!(
                "the history {shown} is a directory; name a file such as {shown}/pipelint-history.sqlite"
            );
        }
        let flags = if create {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_context(|| format!("cannot open the history {shown}"))?;
        // A writer holding the lock makes others wait rather than fail.
        conn.busy_timeout(std::time::Duration::from_secs(120))?;
        let not_sqlite = |e: rusqlite::Error| {
            anyhow::anyhow!(
                "{shown} is not a pipelint history (SQLite says: {e}); name another --db"
            )
        };
        // Larger pages: fewer splits and headers for a table of short rows (only takes on
        // a new file, before its first write).
        conn.pragma_update(None, "page_size", 16384)
            .map_err(not_sqlite)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(not_sqlite)?;
        conn.pragma_update(None, "cache_size", -65536)?;
        // Reads map the file rather than copy each page in.
        conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Bring the schema to [`SCHEMA_VERSION`], each step in its own transaction; refuse a
    /// store written by a newer pipelint.
    fn migrate(&mut self) -> Result<()> {
        let shown = self.path.display().to_string();
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if version > SCHEMA_VERSION {
                bail!(
                    "{shown} was written by a newer pipelint (history schema {version}; this pipelint {} reads up to {SCHEMA_VERSION}); upgrade pipelint to read it",
                    env!("CARGO_PKG_VERSION")
                );
            }
            if version == SCHEMA_VERSION {
                return Ok(());
            }
            if version == 0 {
                let tables: i64 = tx.query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                    [],
                    |r| r.get(0),
                )?;
                if tables > 0 {
                    bail!(
                        "{shown} is an SQLite file but not a pipelint history; name another --db"
                    );
                }
            }
            let step = MIGRATIONS
                .get(version as usize)
                .context("no migration for this history schema")?;
            tx.execute_batch(step)?;
            tx.pragma_update(None, "user_version", version + 1)?;
            tx.commit()?;
        }
    }

    /// Every snapshot, oldest first.
    pub(crate) fn list(&self) -> Result<Vec<SnapshotMeta>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, as_of, rules, tool_version, deals, summary FROM snapshots ORDER BY as_of",
        )?;
        let mut files = self.conn.prepare(
            "SELECT path, records FROM snapshot_files WHERE snapshot = ?1 ORDER BY file",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, as_of, rules, tool_version, deals, summary) = row?;
            let stored = files
                .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let (paths, records): (Vec<String>, Vec<u64>) = stored
                .into_iter()
                .map(|(p, n)| (p, n.max(0) as u64))
                .unzip();
            out.push(SnapshotMeta {
                id,
                as_of,
                rules,
                tool_version,
                files: paths,
                records,
                deals: deals as u64,
                summary: serde_json::from_str(&summary).unwrap_or(serde_json::Value::Null),
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
        let as_of = audit.as_of.to_string();
        let rules = &audit.rules;
        let deals = &audit.deals;
        let by = pair_by(audit);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let old: Option<i64> = tx
            .query_row("SELECT id FROM snapshots WHERE as_of = ?1", [&as_of], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(old) = old {
            let (from, to) = deal_ids(old);
            tx.execute("DELETE FROM deals WHERE id >= ?1 AND id < ?2", [from, to])?;
            tx.execute("DELETE FROM snapshots WHERE id = ?1", [old])?;
        }
        let replaced = old.is_some();
        tx.execute(
            "INSERT INTO snapshots (as_of, rules, tool_version, pair_by, fiscal_year_start_month, deals, summary)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                as_of,
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
            rows::insert(&tx, audit, streaks, snapshot, by)?;
            rows::insert_calls(&tx, audit, snapshot, by)?;
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

/// A second, read-only connection to the history at `path` (for reading in parallel).
pub(crate) fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open the history {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(120))?;
    conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
    Ok(conn)
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
        conn.execute_batch(MIGRATIONS[0]).expect("v1 schema");
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
        let store = Store::open(&path, false).expect("migrates");
        let c = &store.conn;
        let version: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, SCHEMA_VERSION);
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
