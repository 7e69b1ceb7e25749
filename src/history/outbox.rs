//! The outbox of `pipelint act`, in the history file: every message with its key and state
//! (pending → sending → sent | failed | uncertain), and what each playbook remembers of the
//! subjects it hit (since when, last seen). A state is committed before and after each
//! delivery, so a crash between the request and its record leaves the message `sending`,
//! which the next run marks `uncertain`: never sent again without `outbox retry
//! --uncertain`.

use anyhow::Result;
use rusqlite::params;
use serde::Serialize;

use super::Store;

/// How long a playbook's hit on one subject has stood: (playbook, subject) → the day
/// (Julian) it was first seen in its current run of weeks, and the last day seen.
pub(crate) type State = std::collections::BTreeMap<(String, String), (i64, i64)>;

/// A message to add: a digest for one recipient over one channel.
pub(crate) struct NewMessage<'a> {
    pub(crate) key: &'a str,
    pub(crate) playbook: &'a str,
    pub(crate) channel: &'a str,
    pub(crate) recipient: &'a str,
    pub(crate) address: &'a str,
    pub(crate) subject: &'a str,
    pub(crate) deals: &'a [String],
    pub(crate) body: &'a str,
    pub(crate) html: &'a str,
    /// The structured digest (JSON).
    pub(crate) data: String,
}

/// One stored message.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub(crate) struct Stored {
    pub(crate) key: String,
    pub(crate) as_of: String,
    pub(crate) playbook: String,
    pub(crate) channel: String,
    pub(crate) recipient: String,
    pub(crate) address: String,
    pub(crate) subject: String,
    pub(crate) deals: Vec<String>,
    pub(crate) body: String,
    #[serde(skip)]
    pub(crate) html: String,
    #[serde(skip)]
    pub(crate) data: String,
    pub(crate) state: String,
    pub(crate) attempts: u32,
    pub(crate) error: Option<String>,
}

/// What every playbook remembers of the subjects it hit.
pub(crate) fn state(store: &Store) -> Result<State> {
    let mut out = State::new();
    let mut stmt = store
        .conn
        .prepare("SELECT playbook, subject, since_day, last_day FROM playbook_state")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        out.insert((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?));
    }
    Ok(out)
}

/// Record a run: messages still `sending` from a run that died become `uncertain`; this
/// run's messages are added unless their key is there already (a second run the same week
/// adds nothing); the playbooks' memory is updated. One transaction. Returns the keys
/// added.
pub(crate) fn record(
    store: &mut Store,
    as_of: &str,
    messages: &[NewMessage<'_>],
    state: &State,
) -> Result<Vec<String>> {
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE outbox SET state = 'uncertain', error = 'pipelint stopped while sending it: it may or may not have arrived' WHERE state = 'sending'",
        [],
    )?;
    let mut added = Vec::new();
    {
        let mut insert = tx.prepare(
            "INSERT OR IGNORE INTO outbox (key, as_of, playbook, channel, recipient, address,
                subject, deals, body, html, data, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending')",
        )?;
        for m in messages {
            let n = insert.execute(params![
                m.key,
                as_of,
                m.playbook,
                m.channel,
                m.recipient,
                m.address,
                m.subject,
                serde_json::to_string(m.deals)?,
                m.body,
                m.html,
                m.data
            ])?;
            if n > 0 {
                added.push(m.key.to_string());
            }
        }
        let mut upsert = tx.prepare(
            "INSERT INTO playbook_state (playbook, subject, since_day, last_day)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (playbook, subject) DO UPDATE SET since_day = ?3, last_day = ?4",
        )?;
        for ((playbook, subject), (since, last)) in state {
            upsert.execute(params![playbook, subject, since, last])?;
        }
    }
    tx.commit()?;
    Ok(added)
}

fn stored(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
    let deals: String = r.get(7)?;
    Ok(Stored {
        key: r.get(0)?,
        as_of: r.get(1)?,
        playbook: r.get(2)?,
        channel: r.get(3)?,
        recipient: r.get(4)?,
        address: r.get(5)?,
        subject: r.get(6)?,
        deals: serde_json::from_str(&deals).unwrap_or_default(),
        body: r.get(8)?,
        html: r.get(9)?,
        data: r.get(10)?,
        state: r.get(11)?,
        attempts: r.get(12)?,
        error: r.get(13)?,
    })
}

const COLUMNS: &str = "key, as_of, playbook, channel, recipient, address, subject, deals, body, html, data, state, attempts, error";

/// Every message, oldest as-of first, then by recipient, channel and key.
pub(crate) fn list(store: &Store) -> Result<Vec<Stored>> {
    let mut stmt = store.conn.prepare(&format!(
        "SELECT {COLUMNS} FROM outbox ORDER BY as_of, recipient, channel, key"
    ))?;
    let rows = stmt.query_map([], stored)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The messages waiting to be sent, in the order `list` gives.
pub(crate) fn pending(store: &Store) -> Result<Vec<Stored>> {
    Ok(list(store)?
        .into_iter()
        .filter(|m| m.state == "pending")
        .collect())
}

/// Set a message's state (committed at once).
pub(crate) fn mark(
    store: &Store,
    key: &str,
    state: &str,
    attempts: u32,
    error: Option<&str>,
) -> Result<()> {
    store.conn.execute(
        "UPDATE outbox SET state = ?2, attempts = attempts + ?3, error = ?4 WHERE key = ?1",
        params![key, state, attempts, error],
    )?;
    Ok(())
}

/// Failed messages (and, with `uncertain`, those that may have arrived) back to pending.
/// Returns how many.
pub(crate) fn retry(store: &Store, uncertain: bool) -> Result<usize> {
    let sql = if uncertain {
        "UPDATE outbox SET state = 'pending' WHERE state IN ('failed', 'uncertain')"
    } else {
        "UPDATE outbox SET state = 'pending' WHERE state = 'failed'"
    };
    Ok(store.conn.execute(sql, [])?)
}

/// Remove the messages that were sent. Returns how many.
pub(crate) fn purge(store: &Store) -> Result<usize> {
    Ok(store
        .conn
        .execute("DELETE FROM outbox WHERE state = 'sent'", [])?)
}
