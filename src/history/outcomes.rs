//! How the deals of the stored history ended: every deal seen open in a stored snapshot and
//! closed (won or lost) in a later one, with what it looked like the last time it was seen
//! open (its score and graded signals) and the signals it carried in any snapshot while
//! open. `history backtest`, `history calibrate` and each risk band's track record read
//! them: from the state `history add` keeps (`tracks.rs`) when there is one for exactly
//! the snapshots read, else by replaying every stored deal.

use std::path::Path;

use anyhow::Result;
use rusqlite::Connection;

use super::Store;
use super::check::Table;
use super::load::DealRow;
use super::tracks::{self, Seen, Tracks};
use crate::deal::{Signal, Signals};

/// One deal that closed within the stored history.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Closed {
    /// Its pairing key (record id, or account and name).
    pub(crate) key: String,
    /// The as-of (a Julian day) of the first stored snapshot that shows it closed.
    pub(crate) closed_day: i64,
    pub(crate) lost: bool,
    /// As last seen open: its score, and its graded signals ([`Closed::grades`]).
    pub(crate) score: u8,
    pub(crate) grades: [u16; 9],
    /// As last seen open, its missing next step counted once (`exit_criteria` and
    /// `no_next_step` said one fact).
    pub(crate) counted_once: bool,
    /// Every signal it carried in any snapshot while it was open.
    pub(crate) signals_ever: Signals,
}

/// Every deal that closed after being seen open, in the order they closed (then by key):
/// the order `history calibrate` splits by time. Only snapshots before the Julian day
/// `before` are read, when given (an audit's track record looks back from its as-of).
pub(crate) fn read(store: &Store, before: Option<i64>) -> Result<Vec<Closed>> {
    scan(store, before).map_err(|e| super::failed(&store.path, "read", e))
}

fn scan(store: &Store, before: Option<i64>) -> Result<Vec<Closed>> {
    // One read transaction: the list, the kept state and a replay all see the store as
    // one add left it, whatever another process stores meanwhile.
    let _read = if store.conn.is_autocommit() {
        Some(store.conn.unchecked_transaction()?)
    } else {
        None
    };
    // The snapshots first: checked, so a damaged one is refused before any deal is counted.
    let covered: Vec<(i64, i64)> = store
        .list()?
        .iter()
        .map(|s| (s.id, super::julian_day(s.as_of)))
        .filter(|&(_, day)| day < before.unwrap_or(i64::MAX))
        .collect();
    let mut closed = match tracks::closed(&store.conn, &covered)? {
        Some(closed) => closed,
        None => replay(&store.conn, &store.path, &covered, None)?.0.closed(),
    };
    closed.sort_unstable_by(|a, b| (a.closed_day, &a.key).cmp(&(b.closed_day, &b.key)));
    Ok(closed)
}

/// Every stored deal of `snapshots` (oldest first, as `(id, as-of day)`) read into tracks
/// in order; with `mark`, the tracks after the snapshot at that index too.
pub(super) fn replay(
    conn: &Connection,
    path: &Path,
    snapshots: &[(i64, i64)],
    mark: Option<usize>,
) -> Result<(Tracks, Option<Tracks>)> {
    let mut stmt = conn.prepare(
        "SELECT id, coalesce(pair_key, record_id), standing, signals, risk_score, grades
         FROM deals WHERE id >= ?1 AND id < ?2 AND pair_key IS NOT ''
         ORDER BY id",
    )?;
    let t = Table {
        path,
        table: "deals",
    };
    let mut tracks = Tracks::default();
    let mut marked = None;
    for (i, &(snapshot, day)) in snapshots.iter().enumerate() {
        let (from, to) = super::deal_ids(snapshot);
        let mut rows = stmt.query([from, to])?;
        while let Some(r) = rows.next()? {
            let row = DealRow(r.get(0)?);
            let key = t.text(r, 1, row)?;
            let stands = t.word(r, 2, row, &["open", "won", "lost", "unknown"])?;
            if tracks.has_closed(key) {
                continue;
            }
            let seen = match stands {
                "open" => {
                    let signals = t.int(r, 3, row, 0..=i64::from(u16::MAX))? as u16;
                    let score = t.int(r, 4, row, 0..=100)? as u8;
                    let grades: Option<String> = r.get(5)?;
                    let (grades, counted_once) = match grades {
                        Some(text) => parse_grades(&text).ok_or_else(|| {
                            t.bad(
                                row,
                                "grades",
                                format!("{}, not ten whole numbers", super::check::quoted(&text)),
                            )
                        })?,
                        // Stored before grades were kept: each signal at its weight.
                        None => (
                            Signal::ALL.map(|s| {
                                if Signals(signals).contains(s) {
                                    1_000
                                } else {
                                    0
                                }
                            }),
                            false,
                        ),
                    };
                    Seen::Open {
                        signals,
                        score,
                        grades,
                        counted_once,
                    }
                }
                "won" | "lost" => Seen::Closed {
                    day,
                    lost: stands == "lost",
                },
                _ => Seen::Other,
            };
            tracks.see(key, seen);
        }
        if mark == Some(i) {
            marked = Some(tracks.clone());
        }
    }
    Ok((tracks, marked))
}

/// `deals.grades` read back: nine grades in thousandths (each 0 or 1,000 to 2,000), then
/// the counted-once bit.
fn parse_grades(text: &str) -> Option<([u16; 9], bool)> {
    let mut parts = text.split(',');
    let mut grades = [0u16; 9];
    for g in &mut grades {
        let v: u16 = parts.next()?.parse().ok()?;
        if v != 0 && !(1_000..=2_000).contains(&v) {
            return None;
        }
        *g = v;
    }
    let once = match parts.next()? {
        "0" => false,
        "1" => true,
        _ => return None,
    };
    parts.next().is_none().then_some((grades, once))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_read_back_or_are_refused() {
        assert_eq!(
            parse_grades("1000,0,1500,0,0,1000,0,0,2000,1"),
            Some(([1000, 0, 1500, 0, 0, 1000, 0, 0, 2000], true))
        );
        for bad in [
            "1000,0,1500,0,0,1000,0,0,2000",
            "1000,0,1500,0,0,1000,0,0,2000,1,0",
            "999,0,0,0,0,0,0,0,0,0",
            "2001,0,0,0,0,0,0,0,0,0",
            "a,0,0,0,0,0,0,0,0,0",
            "0,0,0,0,0,0,0,0,0,2",
        ] {
            assert_eq!(parse_grades(bad), None, "{bad}");
        }
    }
}
