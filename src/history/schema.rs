//! The store's schema: its version (`PRAGMA user_version`), each version's migration, and
//! what an opened file's version means for reading it.

use std::path::Path;

use anyhow::{Context, Result, bail};
use rusqlite::Connection;

/// The schema this pipelint writes. Each version's migration is in [`MIGRATIONS`].
pub(crate) const SCHEMA_VERSION: i64 = 7;

/// `MIGRATIONS[v]` takes a store from version `v` to `v + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
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
    // 2 → 3: the as-of as a date too, a Julian day number (`date(as_of_day)` in SQL), by
    // which snapshots are ordered, compared and replaced: as text, `+10000-01-07` sorted
    // before `9999-12-31`. A stored as-of that is not a date from the years 1 to 9999 gets
    // none, and reading the store then names its row (see `check.rs`).
    "
    ALTER TABLE snapshots ADD COLUMN as_of_day INTEGER;
    UPDATE snapshots SET as_of_day = CAST(julianday(as_of) + 0.5 AS INTEGER)
    WHERE as_of GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'
        AND as_of >= '0001-01-01' AND date(as_of) = as_of;
    CREATE UNIQUE INDEX snapshots_day ON snapshots (as_of_day);
    ",
    // 3 → 4: each open deal's graded signals (`rows::grades`), which `history calibrate`
    // fits; NULL for the deals of snapshots stored before, read as their signals at 1×.
    "
    ALTER TABLE deals ADD COLUMN grades TEXT;
    ",
    // 4 → 5: the outbox of `pipelint act` (one row per message, its state committed around
    // each delivery) and what each playbook remembers of the subjects it hit.
    "
    CREATE TABLE outbox (
        key TEXT PRIMARY KEY,
        as_of TEXT NOT NULL,
        playbook TEXT NOT NULL,
        channel TEXT NOT NULL,
        recipient TEXT NOT NULL,
        address TEXT NOT NULL,
        subject TEXT NOT NULL,
        deals TEXT NOT NULL,
        body TEXT NOT NULL,
        html TEXT NOT NULL,
        data TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT
    ) WITHOUT ROWID;
    CREATE TABLE playbook_state (
        playbook TEXT NOT NULL,
        subject TEXT NOT NULL,
        since_day INTEGER NOT NULL,
        last_day INTEGER NOT NULL,
        PRIMARY KEY (playbook, subject)
    ) WITHOUT ROWID;
    ",
    // 5 → 6: how each key's deals ended so far, kept after the newest two snapshots (see
    // `tracks.rs`) so that a track record does not replay every stored deal; a store
    // migrated keeps none until its next `add`, and is replayed until then.
    "
    CREATE TABLE outcome_tracks (
        snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        part INTEGER NOT NULL,
        covers TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (snapshot, part)
    ) WITHOUT ROWID;
    ",
    // 6 → 7: the compact form of the newest snapshots' deals (see `form.rs`), which an
    // audit compared with the history reads instead of their rows; a store migrated keeps
    // none until its next `add`, and its rows are read until then. A deal's row edited by
    // hand (pipelint never updates one) drops its snapshot's form, so that the rows are
    // read, and checked, again.
    "
    CREATE TABLE deal_forms (
        snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        part INTEGER NOT NULL,
        deals INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (snapshot, part)
    );
    CREATE TRIGGER deal_forms_stale AFTER UPDATE ON deals BEGIN
        DELETE FROM deal_forms WHERE snapshot IN (OLD.snapshot, NEW.snapshot);
    END;
    ",
];

/// The schema version of the history open on `conn`, checked to be one this pipelint
/// reads: not newer, and a pipelint history (an empty file is one only to write into).
pub(super) fn version(conn: &Connection, path: &Path, writing: bool) -> Result<i64> {
    let shown = path.display();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        bail!(
            "{shown} was written by a newer pipelint (history schema {version}; this pipelint {} reads up to {SCHEMA_VERSION}); upgrade pipelint to read it",
            env!("CARGO_PKG_VERSION")
        );
    }
    if version == 0 {
        let tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )?;
        if tables > 0 {
            bail!("{shown} is an SQLite file but not a pipelint history; name another --db");
        }
        if !writing {
            bail!(
                "the history {shown} is empty: no snapshot is stored in it yet; store one with `pipelint history add EXPORT --db {shown}`"
            );
        }
    }
    Ok(version)
}

/// Bring the schema to [`SCHEMA_VERSION`], each step in its own transaction; refuse a
/// store written by a newer pipelint.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version = version(&tx, path, true)?;
        if version == SCHEMA_VERSION {
            return Ok(());
        }
        let step = MIGRATIONS
            .get(version as usize)
            .context("no migration for this history schema")?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}
