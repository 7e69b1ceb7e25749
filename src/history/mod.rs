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
pub(crate) mod view;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags, params};
use serde::Serialize;

use crate::checks::changes::{PairBy, Standing, pairing_key, standing};
use crate::deal::Deal;
use crate::diag::Subject;
use crate::engine::Audit;
use crate::field::Canonical;

/// Why the change checks did not run in a history audit with nothing stored before as-of.
pub(crate) const NO_EARLIER_SNAPSHOT: &str =
    "no snapshot stored in the history before as-of (pipelint history add an earlier export)";

/// The schema this pipelint writes. Each version's migration is in [`MIGRATIONS`].
pub(crate) const SCHEMA_VERSION: i64 = 1;

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
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(not_sqlite)?;
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
        let id_field = audit.table.canonical(Canonical::Id);
        let by = if audit
            .inputs
            .iter()
            .filter(|i| !i.previous)
            .all(|i| i.mapping.column(id_field).is_some())
        {
            PairBy::Id
        } else {
            PairBy::AccountAndName
        };
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let replaced = tx.execute("DELETE FROM snapshots WHERE as_of = ?1", [&as_of])? > 0;
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
            let findings = findings_by_deal(audit, streaks);
            let mut insert = tx.prepare(
                "INSERT INTO deals (snapshot, seq, file, line, pair_key, record_id, name, account, owner,
                    stage, standing, closed_as, amount, currency, close_date, created_date, forecast,
                    commit_quarter, filled, applicable, risk_score, signals, push_count, push_days, findings)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                    ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
            )?;
            let mut key = String::new();
            let mut said = String::new();
            for (seq, d) in deals.iter().enumerate() {
                let has_key = pairing_key(by, d, deals, rules, &mut key);
                let stands = standing(d, rules);
                let forecast = deals.forecast(d);
                let commit = commit_quarter(d, stands, forecast, rules);
                said.clear();
                findings.words(seq, &mut said);
                insert.execute(params![
                    snapshot,
                    seq as i64,
                    i64::from(d.file),
                    d.line as i64,
                    has_key.then_some(key.as_str()),
                    deals.id(d),
                    deals.name(d),
                    Some(deals.account(d)).filter(|a| !a.is_empty()),
                    deals.owner(d),
                    deals.stage(d, rules),
                    standing_name(stands),
                    d.risk.closed_as.map(outcome_name),
                    d.amount().map(|m| m.0),
                    d.currency.map(|c| c.to_string()),
                    d.close_date.map(|c| c.to_string()),
                    d.created_date().map(|c| c.to_string()),
                    forecast,
                    commit,
                    i64::from(d.filled),
                    i64::from(d.applicable),
                    i64::from(d.risk.score),
                    i64::from(d.risk.signals.0),
                    i64::from(d.risk.push_count),
                    i64::from(d.risk.push_days),
                    said.as_str(),
                ])?;
            }
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

/// What `add` did.
pub(crate) struct AddOutcome {
    pub(crate) replaced: bool,
    pub(crate) deals: u64,
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

pub(crate) fn outcome_name(o: crate::rules::Outcome) -> &'static str {
    match o {
        crate::rules::Outcome::Won => "won",
        crate::rules::Outcome::Lost => "lost",
    }
}

/// The fiscal quarter an open deal called commit is called for (its close date's).
pub(crate) fn commit_quarter(
    d: &Deal,
    stands: Standing,
    forecast: Option<&str>,
    rules: &crate::rules::RuleSet,
) -> Option<String> {
    let commit = forecast.and_then(|f| rules.forecast.class_of(f))
        == Some(crate::rules::ForecastClass::Commit);
    (stands == Standing::Open && commit)
        .then_some(d.close_date)
        .flatten()
        .map(|c| rules.forecast.quarter_of(c).2)
}

/// Between a stored finding's code, field and streak.
pub(crate) const PART_SEP: char = '\u{1}';
/// Between a deal's stored findings.
pub(crate) const FINDING_SEP: char = '\u{2}';

/// Each deal's findings (code, field, streak), ready to store.
struct DealFindings<'a> {
    audit: &'a Audit,
    streaks: &'a [u16],
    /// Per deal, where its findings start in the audit's list.
    starts: Vec<u32>,
}

fn findings_by_deal<'a>(audit: &'a Audit, streaks: &'a [u16]) -> DealFindings<'a> {
    let list = &audit.findings.list;
    let mut starts = vec![u32::MAX; audit.deals.len()];
    for (i, f) in list.iter().enumerate() {
        if let Subject::Deal(d) = f.subject {
            if let Some(s) = starts.get_mut(d as usize) {
                if *s == u32::MAX {
                    *s = i as u32;
                }
            }
        }
    }
    DealFindings {
        audit,
        streaks,
        starts,
    }
}

impl DealFindings<'_> {
    fn words(&self, deal: usize, out: &mut String) {
        use std::fmt::Write;
        let Some(&start) = self.starts.get(deal) else {
            return;
        };
        if start == u32::MAX {
            return;
        }
        let list = &self.audit.findings.list;
        for (i, f) in list.iter().enumerate().skip(start as usize) {
            if f.subject != Subject::Deal(deal as u32) {
                break;
            }
            if !out.is_empty() {
                out.push(FINDING_SEP);
            }
            let field = f.field().map_or("", |id| self.audit.table.name(id));
            let streak = self.streaks.get(i).copied().unwrap_or(1);
            let field: String = field
                .chars()
                .filter(|c| *c != PART_SEP && *c != FINDING_SEP)
                .collect();
            let _ = write!(
                out,
                "{}{PART_SEP}{field}{PART_SEP}{streak}",
                f.code.as_str()
            );
        }
    }
}
