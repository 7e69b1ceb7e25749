//! A snapshot's deals into the `deals` table. A million deals is a million inserts, so the
//! words each row needs (its pairing key, its standing, its findings) are made on a
//! second thread, a chunk ahead of the one binding and stepping the insert.

use std::sync::mpsc;

use anyhow::Result;
use rusqlite::{Transaction, params};
use rustc_hash::FxHashSet;

use super::form::{Encoder, ToStore};
use super::tracks::{Seen, Tracks};
use super::{FINDING_SEP, PART_SEP, commit_quarter, deal_ids, julian_day, standing_name};
use crate::audit::Audit;
use crate::diag::Subject;
use crate::facts::pairing::{PairBy, pairing_key};
use crate::facts::standing::{Standing, standing};

/// Deals per prepared chunk.
const CHUNK: usize = 4096;

/// How a row's pairing key is stored.
#[derive(Clone, Copy)]
enum Key {
    /// No key: stored as ''.
    None,
    /// The record id: stored as NULL.
    Id,
    /// Its own: the next span of `Prepared::keys`, up to this end (a `usize`: names are
    /// kept whole, so a chunk's keys may pass 4 GB).
    Own(usize),
}

/// The words of `CHUNK` consecutive deals.
#[derive(Default)]
struct Prepared {
    first: usize,
    keys: String,
    key: Vec<Key>,
    said: String,
    said_ends: Vec<usize>,
    stands: Vec<Standing>,
    /// Each open deal's graded signals ([`grades`]), up to this end of `said`'s sibling.
    grades: String,
    grade_ends: Vec<usize>,
    /// Form parts (`form.rs`) these deals completed: deal count and bytes.
    forms: Vec<(usize, Vec<u8>)>,
    /// These deals' commit calls.
    calls: Vec<Called>,
    /// After the last deal: the closed deals whose key was called, in this snapshot or an
    /// earlier one.
    closings: Vec<Called>,
    /// After the last deal: the outcome tracks after it, encoded (`tracks.rs`).
    tracks: Option<Vec<Vec<u8>>>,
}

/// A deal (by its number) that commit accuracy reads, under its pairing key: a call (the
/// quarter its close date falls in) or a closing (how it closed).
struct Called {
    seq: usize,
    key: String,
    what: String,
}

/// Insert every deal of `audit` as snapshot `snapshot`'s (of the Julian day `day`), with its
/// commit calls and the closings of deals called before (what commit accuracy reads), each
/// deal seen by `tracks` too when given (see `tracks.rs`): the tracks after it come back
/// encoded.
pub(super) fn insert(
    tx: &Transaction<'_>,
    audit: &Audit,
    streaks: &[u16],
    (snapshot, day): (i64, i64),
    by: PairBy,
    tracks: Option<&mut Tracks>,
) -> Result<Option<Vec<Vec<u8>>>> {
    let mut insert = tx.prepare(
        "INSERT INTO deals (id, snapshot, seq, file, line, pair_key, record_id, name, account,
            owner, stage, standing, amount, currency, close_day, created_day, forecast, filled,
            applicable, risk_score, signals, push_count, push_days, findings, grades)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
    )?;
    let mut calls = tx.prepare(
        "INSERT INTO commit_calls (snapshot, seq, pair_key, quarter, amount, currency)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut closings = tx.prepare(
        "INSERT INTO called_closings (snapshot, seq, pair_key, standing, close_day, amount, currency)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut forms =
        tx.prepare("INSERT INTO deal_forms (snapshot, part, deals, data) VALUES (?1, ?2, ?3, ?4)")?;
    let called = called_before(tx, day)?;
    let deals = &audit.deals;
    let rules = &audit.rules;
    let (first_id, _) = deal_ids(snapshot);
    let all: Vec<&crate::deal::Deal> = deals.iter().collect();
    let mut encoded = None;
    std::thread::scope(|scope| -> Result<()> {
        // Two chunks in flight at most; spent chunks come back to be refilled.
        let (ready, chunks) = mpsc::sync_channel::<Prepared>(2);
        let (give_back, spent) = mpsc::channel::<Prepared>();
        let preparing = Preparing {
            audit,
            streaks,
            all: &all,
            by,
            day,
        };
        scope.spawn(move || preparing.run(tracks, called, &ready, &spent));
        let mut form_part: i64 = 0;
        for mut p in chunks {
            let (mut key_at, mut said_at, mut graded_at) = (0usize, 0usize, 0usize);
            let part = all.get(p.first..).unwrap_or_default();
            for (i, d) in part.iter().take(p.key.len()).enumerate() {
                let seq = p.first + i;
                let id = deals.id(d);
                let key = match p.key[i] {
                    Key::None => Some(""),
                    Key::Id => None,
                    Key::Own(end) => {
                        let k = p.keys.get(key_at..end);
                        key_at = end;
                        k
                    }
                };
                let said_end = p.said_ends[i];
                let said = p.said.get(said_at..said_end).unwrap_or("");
                said_at = said_end;
                let graded_end = p.grade_ends[i];
                let graded = p
                    .grades
                    .get(graded_at..graded_end)
                    .filter(|g| !g.is_empty());
                graded_at = graded_end;
                let s = &mut insert;
                s.raw_bind_parameter(1, first_id + seq as i64)?;
                s.raw_bind_parameter(2, snapshot)?;
                s.raw_bind_parameter(3, seq as i64)?;
                s.raw_bind_parameter(4, i64::from(d.file))?;
                s.raw_bind_parameter(5, d.line as i64)?;
                s.raw_bind_parameter(6, key)?;
                s.raw_bind_parameter(7, id)?;
                s.raw_bind_parameter(8, deals.name(d))?;
                s.raw_bind_parameter(9, Some(deals.account(d)).filter(|a| !a.is_empty()))?;
                s.raw_bind_parameter(10, deals.owner(d))?;
                s.raw_bind_parameter(11, deals.stage(d, rules))?;
                s.raw_bind_parameter(12, standing_name(p.stands[i]))?;
                s.raw_bind_parameter(13, d.amount().map(|m| m.0))?;
                let code = d.currency.map(|c| c.code());
                s.raw_bind_parameter(14, code_text(&code))?;
                s.raw_bind_parameter(15, d.close_date.map(julian_day))?;
                s.raw_bind_parameter(16, d.created_date().map(julian_day))?;
                s.raw_bind_parameter(17, deals.forecast(d))?;
                s.raw_bind_parameter(18, i64::from(d.filled))?;
                s.raw_bind_parameter(19, i64::from(d.applicable))?;
                s.raw_bind_parameter(20, i64::from(d.risk.score))?;
                s.raw_bind_parameter(21, i64::from(d.risk.signals().0))?;
                s.raw_bind_parameter(22, i64::from(d.risk.push_count))?;
                s.raw_bind_parameter(23, i64::from(d.risk.push_days))?;
                s.raw_bind_parameter(24, said)?;
                s.raw_bind_parameter(25, graded)?;
                s.raw_execute()?;
            }
            for (deals, data) in &p.forms {
                forms.execute(params![snapshot, form_part, *deals as i64, data])?;
                form_part += 1;
            }
            for c in &p.calls {
                let Some(d) = all.get(c.seq) else { continue };
                let code = d.currency.map(|c| c.code());
                calls.execute(params![
                    snapshot,
                    c.seq as i64,
                    c.key,
                    c.what,
                    d.amount().map(|m| m.0),
                    code_text(&code),
                ])?;
            }
            for c in &p.closings {
                let Some(d) = all.get(c.seq) else { continue };
                let code = d.currency.map(|c| c.code());
                closings.execute(params![
                    snapshot,
                    c.seq as i64,
                    c.key,
                    c.what,
                    d.close_date.map(julian_day),
                    d.amount().map(|m| m.0),
                    code_text(&code),
                ])?;
            }
            if p.tracks.is_some() {
                encoded = p.tracks.take();
            }
            let _ = give_back.send(p);
        }
        Ok(())
    })?;
    Ok(encoded)
}

/// The pairing keys called commit in the snapshots stored before the day `day`.
fn called_before(tx: &Transaction<'_>, day: i64) -> Result<FxHashSet<String>> {
    let mut called: FxHashSet<String> = FxHashSet::default();
    let mut earlier = tx.prepare(
        "SELECT DISTINCT c.pair_key FROM commit_calls c JOIN snapshots s ON s.id = c.snapshot
         WHERE s.as_of_day < ?1",
    )?;
    let mut rows = earlier.query([day])?;
    while let Some(r) = rows.next()? {
        called.insert(r.get(0)?);
    }
    Ok(called)
}

/// What the thread preparing the rows reads.
struct Preparing<'a> {
    audit: &'a Audit,
    streaks: &'a [u16],
    all: &'a [&'a crate::deal::Deal],
    by: PairBy,
    day: i64,
}

impl Preparing<'_> {
    /// Prepare every deal's words, chunk by chunk, into `ready` (refilling the chunks that
    /// come back `spent`), each deal seen by `tracks` too; `called` (the keys called
    /// before) grows by this snapshot's calls. A last chunk of no deals brings the closings
    /// and the tracks encoded.
    fn run(
        self,
        mut tracks: Option<&mut Tracks>,
        mut called: FxHashSet<String>,
        ready: &mpsc::SyncSender<Prepared>,
        spent: &mpsc::Receiver<Prepared>,
    ) {
        let Preparing {
            audit,
            streaks,
            all,
            by,
            day,
        } = self;
        let (deals, rules) = (&audit.deals, &audit.rules);
        let findings = findings_by_deal(audit, streaks);
        let classes = deals.forecast_classes(&rules.forecast);
        let mut key = String::new();
        let mut form = Encoder::default();
        // Closed deals with a pairing key: their closings are known once every call is.
        let mut closed: Vec<(usize, Standing)> = Vec::new();
        for (n, part) in all.chunks(CHUNK).enumerate() {
            let mut p = spent.try_recv().unwrap_or_default();
            p.reset(n * CHUNK);
            for (i, d) in part.iter().enumerate() {
                let seq = p.first + i;
                let k = if !pairing_key(by, d, deals, rules, &mut key) {
                    Key::None
                } else if key == deals.id(d) {
                    Key::Id
                } else {
                    p.keys.push_str(&key);
                    Key::Own(p.keys.len())
                };
                p.key.push(k);
                let stands = standing(d, rules);
                p.stands.push(stands);
                let seen = seen(audit, d, stands, day, &mut p.grades);
                if !matches!(k, Key::None) {
                    if let Some(t) = tracks.as_deref_mut() {
                        t.see(&key, seen);
                    }
                    if let Some(quarter) = commit_quarter(d, stands, classes.of(d), rules) {
                        if !called.contains(&key) {
                            called.insert(key.clone());
                        }
                        p.calls.push(Called {
                            seq,
                            key: key.clone(),
                            what: quarter,
                        });
                    }
                    if matches!(stands, Standing::Closed(_)) {
                        closed.push((seq, stands));
                    }
                }
                p.grade_ends.push(p.grades.len());
                // One walk of the deal's findings words its column and its form.
                form.begin(&to_store(audit, d, stands));
                let begun = p.said.len();
                findings.each(seq, |code, field, streak| {
                    word(&mut p.said, begun, code, field.1, streak);
                    form.finding(code, field, streak);
                });
                p.said_ends.push(p.said.len());
                p.forms.extend(form.end());
            }
            if ready.send(p).is_err() {
                // The writer stopped (an SQLite error): it reports why.
                return;
            }
        }
        let mut last = Prepared {
            first: all.len(),
            forms: form.last().into_iter().collect(),
            tracks: tracks.map(|t| super::tracks::encode(t)),
            ..Prepared::default()
        };
        // A closed deal's key is built again here (rather than kept for each one) only
        // when some key was called.
        if !called.is_empty() {
            for (seq, stands) in closed {
                if pairing_key(by, all[seq], deals, rules, &mut key) && called.contains(&key) {
                    last.closings.push(Called {
                        seq,
                        key: key.clone(),
                        what: standing_name(stands).to_string(),
                    });
                }
            }
        }
        let _ = ready.send(last);
    }
}

impl Prepared {
    /// Empty, for the chunk whose first deal is `first`.
    fn reset(&mut self, first: usize) {
        self.first = first;
        self.keys.clear();
        self.key.clear();
        self.said.clear();
        self.said_ends.clear();
        self.stands.clear();
        self.grades.clear();
        self.grade_ends.clear();
        self.forms.clear();
        self.calls.clear();
        self.closings.clear();
        self.tracks = None;
    }
}

/// How the outcome tracks see a deal that `stands` so as of `day`; an open deal's graded
/// signals are written to `graded` too.
fn seen(
    audit: &Audit,
    d: &crate::deal::Deal,
    stands: Standing,
    day: i64,
    graded: &mut String,
) -> Seen {
    match stands {
        Standing::Open => {
            let (grades, counted_once) = grades(audit, d);
            write_grades(&grades, counted_once, graded);
            Seen::Open {
                signals: d.risk.signals().0,
                score: d.risk.score,
                grades,
                counted_once,
            }
        }
        Standing::Closed(outcome) => Seen::Closed {
            day,
            lost: outcome == crate::rules::Outcome::Lost,
        },
        Standing::Unknown => Seen::Other,
    }
}

/// What the deal's form keeps: the values its row stores in the columns a previous audit
/// reads, its names keyed by their interned ids.
fn to_store<'a>(audit: &'a Audit, d: &crate::deal::Deal, stands: Standing) -> ToStore<'a> {
    use crate::deal::StageKey;
    let deals = &audit.deals;
    let stage_key = match d.stage {
        StageKey::Known(i, _) => u64::from(i),
        StageKey::Unknown(u) => (1 << 32) | u64::from(u),
        StageKey::Missing => 0,
    };
    ToStore {
        file: d.file,
        line: d.line,
        id: deals.id(d),
        name: deals.name(d),
        account: deals
            .account_id(d)
            .map(|k| (u64::from(k), deals.account(d)))
            .filter(|(_, a)| !a.is_empty()),
        owner: deals
            .owner_id(d)
            .zip(deals.owner(d))
            .map(|(k, o)| (u64::from(k), o)),
        stage: deals.stage(d, &audit.rules).map(|s| (stage_key, s)),
        standing: standing_name(stands),
        amount: d.amount().map(|m| m.0),
        currency: d.currency.map(|c| c.code()),
        close_day: d.close_date.map(julian_day),
        forecast: deals.forecast(d).map(|f| (u64::from(d.risk.forecast), f)),
        push_count: d.risk.push_count,
        push_days: d.risk.push_days,
    }
}

/// An open deal's graded signals as the store keeps them (`deals.grades`): each signal's
/// grade in thousandths in `Signal::ALL` order (0: did not fire; 1,000 at its threshold to
/// 2,000), then 1 when its missing next step counted once, else 0 — what `history
/// calibrate` fits, whatever the weights were.
fn grades(audit: &Audit, d: &crate::deal::Deal) -> ([u16; 9], bool) {
    let rules = &audit.rules;
    let grader = crate::score::risk::Grader {
        as_of: audit.as_of,
        close_date: d.close_date,
        stage: d.stage.known().and_then(|i| rules.stages.get(i as usize)),
        risk: &rules.risk,
        changes: &rules.changes,
    };
    (
        grader.grades(&d.risk),
        d.risk.has(crate::deal::RiskFacts::COUNTED_ONCE),
    )
}

/// [`grades`] as `deals.grades` holds them.
fn write_grades(grades: &[u16; 9], counted_once: bool, out: &mut String) {
    use std::fmt::Write as _;
    for g in grades {
        let _ = write!(out, "{g},");
    }
    out.push(if counted_once { '1' } else { '0' });
}

/// A currency's ISO code as stored text.
fn code_text(code: &Option<[u8; 3]>) -> Option<&str> {
    code.as_ref().and_then(|c| std::str::from_utf8(c).ok())
}

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
    /// Each of the deal's findings: its code, its field's name as stored (without the
    /// separators the `findings` column uses) and its streak.
    fn each(&self, deal: usize, mut f: impl FnMut(crate::diag::Code, (u16, &str), u16)) {
        let Some(&start) = self.starts.get(deal) else {
            return;
        };
        if start == u32::MAX {
            return;
        }
        let list = &self.audit.findings.list;
        for (i, finding) in list.iter().enumerate().skip(start as usize) {
            if finding.subject != Subject::Deal(deal as u32) {
                break;
            }
            let field = finding.field().map_or("", |id| self.audit.table.name(id));
            let field: std::borrow::Cow<'_, str> = if field.contains([PART_SEP, FINDING_SEP]) {
                field
                    .chars()
                    .filter(|c| *c != PART_SEP && *c != FINDING_SEP)
                    .collect::<String>()
                    .into()
            } else {
                field.into()
            };
            let streak = self.streaks.get(i).copied().unwrap_or(1);
            f(finding.code, (finding.field, &field), streak);
        }
    }
}

/// Append one finding to `out`, a deal's `findings` column begun at `begun`, as the column
/// words it (`CODE␁field␁streak`, separated by `␂`).
fn word(out: &mut String, begun: usize, code: crate::diag::Code, field: &str, streak: u16) {
    use std::fmt::Write;
    if out.len() > begun {
        out.push(FINDING_SEP);
    }
    let code = code.as_str();
    let _ = write!(out, "{code}{PART_SEP}{field}{PART_SEP}{streak}");
}
