//! What the stored history says of each pairing key so far, kept in the store so that a
//! track record need not read every stored deal again.
//!
//! How deals ended ([`super::outcomes`]) is a replay of every stored deal in as-of order:
//! a key seen open, then closed. Replaying a year of weekly snapshots of 100k deals reads
//! 5M rows, several times the audit that shows the result. So each `history add` keeps
//! the replay's state after its snapshot (`outcome_tracks`): the newest snapshot's and the
//! one before it (what an audit of the newest week's own as-of reads). A week stored after
//! every other one updates the state of the one before from the deals in memory; any other
//! add (a week stored out of order, or no state kept yet) replays the whole history once.
//! A state is used only for exactly the snapshots it names (ids and as-of days); one that
//! does not decode is not used, and the replay runs instead.

use anyhow::Result;
use rusqlite::{Connection, params};
use rustc_hash::FxHashMap;

use super::outcomes::Closed;
use crate::deal::Signals;

/// What is tracked of a key while the snapshots are read in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Track {
    pub(super) seen_open: bool,
    pub(super) score: u8,
    pub(super) grades: [u16; 9],
    pub(super) counted_once: bool,
    pub(super) signals_ever: u16,
    pub(super) closed: Option<(i64, bool)>,
}

/// One stored deal as the replay reads it.
pub(super) enum Seen {
    /// Open, with its signals, score and grades (and whether its missing next step counted
    /// once).
    Open {
        signals: u16,
        score: u8,
        grades: [u16; 9],
        counted_once: bool,
    },
    /// Won or lost, in the snapshot of this Julian day.
    Closed { day: i64, lost: bool },
    /// Neither open nor closed (its standing unknown).
    Other,
}

impl Track {
    /// This key's deal as seen in the next snapshot (ignored once the key has closed).
    pub(super) fn see(&mut self, seen: Seen) {
        if self.closed.is_some() {
            return;
        }
        match seen {
            Seen::Open {
                signals,
                score,
                grades,
                counted_once,
            } => {
                self.seen_open = true;
                self.signals_ever |= signals;
                self.score = score;
                self.grades = grades;
                self.counted_once = counted_once;
            }
            Seen::Closed { day, lost } if self.seen_open => self.closed = Some((day, lost)),
            _ => {}
        }
    }

    fn closed(&self, key: &str) -> Option<Closed> {
        let (closed_day, lost) = self.closed?;
        Some(Closed {
            key: key.to_string(),
            closed_day,
            lost,
            score: self.score,
            grades: self.grades,
            counted_once: self.counted_once,
            signals_ever: Signals(self.signals_ever),
        })
    }
}

/// Every key's track.
#[derive(Clone, Default)]
pub(super) struct Tracks(pub(super) FxHashMap<String, Track>);

impl Tracks {
    /// Whether `key` has closed already (what it is seen as next is ignored then).
    pub(super) fn has_closed(&self, key: &str) -> bool {
        self.0.get(key).is_some_and(|t| t.closed.is_some())
    }

    /// `key`'s deal as seen in the next snapshot. A key never seen open is kept as none.
    pub(super) fn see(&mut self, key: &str, seen: Seen) {
        match self.0.get_mut(key) {
            Some(t) => t.see(seen),
            None => {
                let mut t = Track::default();
                t.see(seen);
                if t.seen_open {
                    self.0.insert(key.to_string(), t);
                }
            }
        }
    }

    /// The keys that closed.
    pub(super) fn closed(&self) -> Vec<Closed> {
        self.0.iter().filter_map(|(k, t)| t.closed(k)).collect()
    }
}

/// The snapshots a state covers, oldest first: `id:day` for each, comma-separated.
pub(super) fn covers(snapshots: &[(i64, i64)]) -> String {
    let mut s = String::new();
    for (i, (id, day)) in snapshots.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("{id}:{day}"));
    }
    s
}

/// The first byte of every part: the encoding's version.
const FORMAT: u8 = 1;
/// A part is cut at the first key past this many bytes (SQLite refuses a value over 1 GB).
const PART: usize = 16 << 20;

const COUNTED_ONCE: u8 = 1;
const CLOSED: u8 = 2;
const LOST: u8 = 4;

/// The tracks as stored: only keys seen open (any other track is the same as none), each
/// its key's length (a LEB128 varint) and bytes, flags, score, signals (two bytes), which
/// of the nine grades are not 0 (two bytes, a bit each), those grades (two bytes each) and,
/// when closed, its day (eight bytes); numbers little-endian. About 30 bytes a key.
pub(super) fn encode(tracks: &Tracks) -> Vec<Vec<u8>> {
    let mut parts = Vec::new();
    let mut part = vec![FORMAT];
    for (key, t) in tracks.0.iter().filter(|(_, t)| t.seen_open) {
        let mut len = key.len();
        while len >= 0x80 {
            part.push((len as u8 & 0x7F) | 0x80);
            len >>= 7;
        }
        part.push(len as u8);
        part.extend_from_slice(key.as_bytes());
        let mut flags = 0;
        if t.counted_once {
            flags |= COUNTED_ONCE;
        }
        if let Some((_, lost)) = t.closed {
            flags |= CLOSED | if lost { LOST } else { 0 };
        }
        part.push(flags);
        part.push(t.score);
        part.extend_from_slice(&t.signals_ever.to_le_bytes());
        let graded = t
            .grades
            .iter()
            .enumerate()
            .filter(|(_, g)| **g != 0)
            .fold(0u16, |m, (i, _)| m | 1 << i);
        part.extend_from_slice(&graded.to_le_bytes());
        for g in t.grades.iter().filter(|g| **g != 0) {
            part.extend_from_slice(&g.to_le_bytes());
        }
        if let Some((day, _)) = t.closed {
            part.extend_from_slice(&day.to_le_bytes());
        }
        if part.len() > PART {
            parts.push(std::mem::replace(&mut part, vec![FORMAT]));
        }
    }
    if part.len() > 1 || parts.is_empty() {
        parts.push(part);
    }
    parts
}

/// Bytes read in order; `None` past the end.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    /// A LEB128 varint of at most five bytes.
    fn len(&mut self) -> Option<usize> {
        let mut n = 0usize;
        for i in 0..5 {
            let [b] = self.array()?;
            n |= usize::from(b & 0x7F) << (7 * i);
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }
}

/// Each key and its track as `parts` hold them, passed to `each`; `None` when a part is
/// not one [`encode`] wrote (the caller replays the history instead).
fn decode(parts: &[Vec<u8>], mut each: impl FnMut(&str, Track) -> Option<()>) -> Option<()> {
    for part in parts {
        let mut b = Bytes(part);
        if b.take(1)? != [FORMAT] {
            return None;
        }
        while !b.0.is_empty() {
            let len = b.len()?;
            let key = std::str::from_utf8(b.take(len)?).ok()?;
            let [flags, score] = b.array()?;
            if flags & !(COUNTED_ONCE | CLOSED | LOST) != 0
                || (flags & LOST != 0 && flags & CLOSED == 0)
                || score > 100
            {
                return None;
            }
            let signals_ever = u16::from_le_bytes(b.array()?);
            let graded = u16::from_le_bytes(b.array()?);
            if graded >> 9 != 0 {
                return None;
            }
            let mut grades = [0u16; 9];
            for (i, g) in grades.iter_mut().enumerate() {
                if graded & 1 << i != 0 {
                    *g = u16::from_le_bytes(b.array()?);
                    if !(1_000..=2_000).contains(g) {
                        return None;
                    }
                }
            }
            let closed = if flags & CLOSED != 0 {
                Some((i64::from_le_bytes(b.array()?), flags & LOST != 0))
            } else {
                None
            };
            let track = Track {
                seen_open: true,
                score,
                grades,
                counted_once: flags & COUNTED_ONCE != 0,
                signals_ever,
                closed,
            };
            each(key, track)?;
        }
    }
    Some(())
}

/// The stored parts of the state after `snapshot`, when it covers exactly `covered`.
fn parts(conn: &Connection, snapshot: i64, covered: &str) -> Result<Option<Vec<Vec<u8>>>> {
    let mut stmt = conn.prepare(
        "SELECT part, covers, data FROM outcome_tracks WHERE snapshot = ?1 ORDER BY part",
    )?;
    let mut rows = stmt.query([snapshot])?;
    let mut parts = Vec::new();
    while let Some(r) = rows.next()? {
        let part: Option<i64> = r.get(0).ok();
        let covers: Option<String> = r.get(1).ok();
        let data: Option<Vec<u8>> = r.get(2).ok();
        match (part, covers, data) {
            // Parts numbered from 0 without a gap: a missing one would drop keys unseen.
            (Some(p), Some(c), Some(d)) if p == parts.len() as i64 && c == covered => parts.push(d),
            _ => return Ok(None),
        }
    }
    Ok((!parts.is_empty()).then_some(parts))
}

/// The keys that closed by the end of `covered` (the snapshots oldest first), from the
/// state kept after the last of them; `None` when none is kept for exactly those.
pub(super) fn closed(conn: &Connection, covered: &[(i64, i64)]) -> Result<Option<Vec<Closed>>> {
    Ok(load(conn, covered)?.map(|t| t.closed()))
}

/// Every key's track by the end of `covered`, from the state kept after the last of them
/// (empty when `covered` is); `None` when none is kept for exactly those.
pub(super) fn load(conn: &Connection, covered: &[(i64, i64)]) -> Result<Option<Tracks>> {
    let Some(&(last, _)) = covered.last() else {
        return Ok(Some(Tracks::default()));
    };
    let Some(parts) = parts(conn, last, &covers(covered))? else {
        return Ok(None);
    };
    let mut tracks = Tracks::default();
    let whole = decode(&parts, |key, t| {
        tracks.0.insert(key.to_string(), t).is_none().then_some(())
    });
    Ok(whole.map(|()| tracks))
}

/// Keep `tracks` as the state after the last snapshot of `covered`.
pub(super) fn save(conn: &Connection, covered: &[(i64, i64)], parts: &[Vec<u8>]) -> Result<()> {
    let Some(&(last, _)) = covered.last() else {
        return Ok(());
    };
    let covers = covers(covered);
    conn.execute("DELETE FROM outcome_tracks WHERE snapshot = ?1", [last])?;
    let mut insert = conn.prepare(
        "INSERT INTO outcome_tracks (snapshot, part, covers, data) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, part) in parts.iter().enumerate() {
        insert.execute(params![last, i as i64, covers, part])?;
    }
    Ok(())
}

/// Drop every kept state but those after the snapshots `keep`.
pub(super) fn keep_only(conn: &Connection, keep: &[i64]) -> Result<()> {
    let mut stmt = conn.prepare("SELECT DISTINCT snapshot FROM outcome_tracks")?;
    let kept: Vec<i64> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for s in kept.into_iter().filter(|s| !keep.contains(s)) {
        conn.execute("DELETE FROM outcome_tracks WHERE snapshot = ?1", [s])?;
    }
    Ok(())
}

/// The stored snapshots as `(id, as-of day)`, oldest first; `None` when one has no day
/// (a store that a read would refuse).
pub(super) fn snapshots(conn: &Connection) -> Result<Option<Vec<(i64, i64)>>> {
    let mut stmt = conn.prepare("SELECT id, as_of_day FROM snapshots ORDER BY as_of_day, id")?;
    let rows: Vec<(i64, Option<i64>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows
        .into_iter()
        .map(|(id, day)| day.map(|d| (id, d)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(closed: Option<(i64, bool)>) -> Track {
        Track {
            seen_open: true,
            score: 73,
            grades: [1000, 0, 1500, 0, 0, 2000, 0, 0, 1000],
            counted_once: true,
            signals_ever: 0b1_0010_0101,
            closed,
        }
    }

    #[test]
    fn tracks_round_trip_and_keys_never_seen_open_are_left_out() {
        let mut t = Tracks::default();
        t.0.insert("006A".into(), track(None));
        t.0.insert("006B".into(), track(Some((2_461_365, true))));
        t.0.insert("acme\u{1}renewal".into(), track(Some((2_461_372, false))));
        t.0.insert("never open".into(), Track::default());
        // Keys whose length takes two and three bytes to say.
        t.0.insert("a".repeat(300), track(None));
        t.0.insert("b".repeat(70_000), track(Some((1, false))));
        let parts = encode(&t);
        let mut back = FxHashMap::default();
        decode(&parts, |k, tr| {
            back.insert(k.to_string(), tr);
            Some(())
        })
        .expect("decodes");
        t.0.remove("never open");
        assert_eq!(back, t.0);
    }

    #[test]
    fn a_damaged_state_is_not_used() {
        let mut t = Tracks::default();
        t.0.insert("006B".into(), track(Some((2_461_365, true))));
        let parts = encode(&t);
        let ok = |p: &[Vec<u8>]| decode(p, |_, _| Some(())).is_some();
        assert!(ok(&parts));
        for cut in 0..parts[0].len() {
            let short = vec![parts[0][..cut].to_vec()];
            assert!(cut == 1 || !ok(&short), "cut at {cut}");
        }
        let mut bad_score = parts.clone();
        // format, 1-byte length, 4-byte key, flags, then the score.
        bad_score[0][7] = 101;
        assert!(!ok(&bad_score));
        let mut bad_flags = parts.clone();
        bad_flags[0][6] = 8;
        assert!(!ok(&bad_flags));
        let mut bad_format = parts;
        bad_format[0][0] = 2;
        assert!(!ok(&bad_format));
    }
}
