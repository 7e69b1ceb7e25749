//! What the stored history adds to an audit (`audit --history`): how long each finding has
//! been flagged, each owner's trend over the last snapshots, and commit accuracy per fiscal
//! quarter.

use std::collections::BTreeMap;

use anyhow::Result;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{SnapshotMeta, Store};
use crate::audit::{Audit, AuditRun};
use crate::diag::Subject;
use crate::facts::pairing::pairing_key;
use crate::facts::standing::standing;
use crate::score::Band;
use crate::score::aggregate::{CurrencySums, GroupTally, PipelineTally};
use crate::score::round1;
pub use crate::score::trends::{BandRecord, HistoryView, OwnerTrend, QuarterAccuracy, TrendPoint};
use crate::values::Amount;
use crate::values::{Currency, Money};

/// How many snapshots an owner's trend spans, this one included.
pub(crate) const TREND_SNAPSHOTS: usize = 8;

/// Per finding of the run's audit, the snapshots in a row it has been flagged: one more
/// than its paired previous self's streak for the same code and field, else 1.
pub(crate) fn streaks(run: &AuditRun) -> Vec<u16> {
    let audit = &run.audit;
    let list = &audit.findings.list;
    let Some(compared) = run.compared.as_ref() else {
        return vec![1; list.len()];
    };
    let (previous, pairing) = (&*compared.previous, &compared.pairing);
    let before = compared.streaks.as_slice();
    let key = |deal: u32, code: crate::diag::Code, field: u16| {
        (u64::from(deal) << 32) | ((code as u64) << 16) | u64::from(field)
    };
    let mut was: Vec<(u64, u16)> = previous
        .findings
        .list
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match f.subject {
            Subject::Deal(d) => {
                Some((key(d, f.code, f.field), before.get(i).copied().unwrap_or(1)))
            }
            Subject::Row(_) => None,
        })
        .collect();
    was.sort_unstable();
    let mut old_of = vec![u32::MAX; audit.deals.len()];
    for &(now, old) in &pairing.pairs {
        if let Some(slot) = old_of.get_mut(now as usize) {
            *slot = old;
        }
    }
    list.iter()
        .map(|f| {
            let Subject::Deal(d) = f.subject else {
                return 1;
            };
            let old = old_of.get(d as usize).copied().unwrap_or(u32::MAX);
            if old == u32::MAX {
                return 1;
            }
            let k = key(old, f.code, f.field);
            match was.binary_search_by(|(w, _)| w.cmp(&k)) {
                Ok(i) => was[i].1.saturating_add(1),
                Err(_) => 1,
            }
        })
        .collect()
}

/// Every owner's group of the audit (`""` for deals without an owner).
pub(crate) fn owner_groups(audit: &Audit) -> Vec<(String, &GroupTally)> {
    let t = &audit.tallies;
    let mut groups: Vec<(u32, &GroupTally)> = t
        .by_owner
        .iter()
        .filter(|(_, g)| g.completeness.records > 0)
        .collect();
    // In owner id order, as when the tallies were a vector by id.
    groups.sort_unstable_by_key(|(id, _)| *id);
    let mut out: Vec<(String, &GroupTally)> = groups
        .into_iter()
        .map(|(id, g)| (audit.deals.owners.name(id).to_string(), g))
        .collect();
    if t.no_owner.completeness.records > 0 {
        out.push((String::new(), &t.no_owner));
    }
    out
}

/// Open and at-risk amounts as stored: `{"open": [["USD", units]], "at_risk": [...]}`.
pub(crate) fn amounts_json(p: &PipelineTally) -> String {
    let list = |s: &CurrencySums| -> Vec<(Option<String>, String)> {
        s.iter()
            .map(|(c, m)| (c.map(|c| c.to_string()), m.0.to_string()))
            .collect()
    };
    serde_json::json!({"open": list(&p.open_amount), "at_risk": list(&p.at_risk_amount)})
        .to_string()
}

fn amounts_from_json(v: &serde_json::Value, key: &str, sole: Option<Currency>) -> Vec<Amount> {
    let mut sums = CurrencySums::default();
    for pair in v.get(key).and_then(|x| x.as_array()).into_iter().flatten() {
        let currency = pair
            .get(0)
            .and_then(|c| c.as_str())
            .and_then(Currency::parse);
        let units = pair
            .get(1)
            .and_then(|u| u.as_str())
            .and_then(|u| u.parse::<i128>().ok());
        if let Some(units) = units {
            sums.insert_sum(currency.or(sole), crate::values::MoneySum(units));
        }
    }
    words(&sums)
}

fn words(sums: &CurrencySums) -> Vec<Amount> {
    sums.iter()
        .map(|(c, s)| Amount {
            currency: c.map(|c| c.to_string()),
            amount: s.to_string(),
        })
        .collect()
}

/// The history view of the run's audit from `store`: `stored` are the snapshots before its
/// as-of.
pub(crate) fn build(
    store: &Store,
    run: &AuditRun,
    stored: &[SnapshotMeta],
    calls: StoredCalls,
) -> Result<HistoryView> {
    let audit = &run.audit;
    let sole = audit.sole_currency();
    // Commit accuracy walks every deal of the audit: it runs beside the trends and the
    // bands' track record (which read the store on this thread) and the streaks.
    let (commit_accuracy, trends, streaks, band_record) = std::thread::scope(|scope| {
        let accuracy = scope.spawn(|| commit_accuracy(calls, audit, sole));
        let trends = trends(store, audit, stored, sole);
        let streaks = streaks(run);
        let band_record = band_record(store, audit);
        let accuracy = accuracy
            .join()
            .map_err(|_| anyhow::anyhow!("tallying commit accuracy failed"));
        (accuracy, trends, streaks, band_record)
    });
    let commit_accuracy = commit_accuracy?;
    Ok(HistoryView {
        db: store.path.display().to_string(),
        snapshots: stored.iter().map(|s| s.as_of.to_string()).collect(),
        compared_with: run.previous().map(|p| p.as_of.to_string()),
        trends: trends.map_err(|e| super::failed(&store.path, "read", e))?,
        commit_accuracy,
        band_record: band_record?,
        streaks,
    })
}

/// Each band's track record: the deals of the stored history (before the audit's as-of)
/// seen open and then closed, by the band of their last stored score under the audit's
/// rules.
fn band_record(store: &Store, audit: &Audit) -> Result<Vec<BandRecord>> {
    let closed = super::outcomes::read(store, Some(super::julian_day(audit.as_of)))?;
    let risk = &audit.rules.risk;
    Ok([Band::High, Band::Medium, Band::Low]
        .into_iter()
        .map(|band| {
            let mut r = BandRecord {
                band,
                closed: 0,
                lost: 0,
                loss_rate: None,
            };
            for c in closed.iter().filter(|c| Band::of(c.score, risk) == band) {
                r.closed += 1;
                r.lost += u64::from(c.lost);
            }
            r.loss_rate = (r.closed > 0).then(|| round1(r.lost as f64 * 100.0 / r.closed as f64));
            r
        })
        .collect())
}

fn trends(
    store: &Store,
    audit: &Audit,
    stored: &[SnapshotMeta],
    sole: Option<Currency>,
) -> Result<Vec<OwnerTrend>> {
    let recent = &stored[stored.len().saturating_sub(TREND_SNAPSHOTS - 1)..];
    let mut by_owner: BTreeMap<String, Vec<TrendPoint>> = BTreeMap::new();
    let rate = |filled: u64, applicable: u64| {
        (applicable > 0).then(|| round1(filled as f64 * 100.0 / applicable as f64))
    };
    for s in recent {
        for stats in owner_stats(store, s.id)? {
            let v = &stats.amounts;
            by_owner.entry(stats.owner).or_default().push(TrendPoint {
                as_of: s.as_of.to_string(),
                records: stats.records,
                completeness: rate(stats.filled, stats.applicable),
                open: stats.open,
                high_risk: stats.high,
                open_amount: amounts_from_json(v, "open", sole),
                at_risk_amount: amounts_from_json(v, "at_risk", sole),
            });
        }
    }
    let fold = |s: &CurrencySums| {
        let mut f = CurrencySums::default();
        for (c, m) in s.iter() {
            f.insert_sum(c.or(sole), m);
        }
        words(&f)
    };
    for (owner, g) in owner_groups(audit) {
        by_owner.entry(owner).or_default().push(TrendPoint {
            as_of: audit.as_of.to_string(),
            records: g.completeness.records,
            completeness: rate(g.completeness.filled, g.completeness.applicable),
            open: g.pipeline.open,
            high_risk: g.pipeline.high(),
            open_amount: fold(&g.pipeline.open_amount),
            at_risk_amount: fold(&g.pipeline.at_risk_amount),
        });
    }
    let mut out: Vec<OwnerTrend> = by_owner
        .into_iter()
        .map(|(owner, points)| OwnerTrend {
            owner: (!owner.is_empty()).then_some(owner),
            points,
        })
        .collect();
    out.sort_by(|a, b| match (&a.owner, &b.owner) {
        (Some(x), Some(y)) => x.to_lowercase().cmp(&y.to_lowercase()).then(x.cmp(y)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    Ok(out)
}

/// One owner's row of a stored snapshot (`owner_stats`), checked.
struct OwnerStats {
    owner: String,
    records: u64,
    filled: u64,
    applicable: u64,
    open: u64,
    high: u64,
    amounts: serde_json::Value,
}

/// The owner rows of snapshot `snapshot`, each checked: counts whole and not negative, no
/// more filled weight than applicable (a completeness over 100%), no more open deals than
/// records nor high-risk than open, amounts as stored.
fn owner_stats(store: &Store, snapshot: i64) -> Result<Vec<OwnerStats>> {
    let mut stmt = store.conn.prepare_cached(
        "SELECT owner, records, filled, applicable, open, high, amounts FROM owner_stats
         WHERE snapshot = ?1 ORDER BY owner",
    )?;
    let t = super::check::Table {
        path: &store.path,
        table: "owner_stats",
    };
    let count = super::check::COUNT;
    let mut out = Vec::new();
    let mut rows = stmt.query([snapshot])?;
    while let Some(r) = rows.next()? {
        let owner = t.text(r, 0, format!("the row of snapshot {snapshot}"))?;
        let row = format!(
            "the row of snapshot {snapshot} for owner {}",
            super::check::quoted(owner)
        );
        let n = |i: usize| t.int(r, i, &row, count.clone()).map(|n| n as u64);
        let (records, filled, applicable, open, high) = (n(1)?, n(2)?, n(3)?, n(4)?, n(5)?);
        let over = |column: &str, what: String| Err(t.bad(&row, column, what));
        if filled > applicable {
            return over(
                "filled",
                format!("{filled}, more than applicable ({applicable})"),
            );
        }
        if open > records {
            return over("open", format!("{open}, more than records ({records})"));
        }
        if high > open {
            return over("high", format!("{high}, more than open ({open})"));
        }
        let amounts = super::check::owner_amounts(t.text(r, 6, &row)?)
            .map_err(|what| t.bad(&row, "amounts", what))?;
        out.push(OwnerStats {
            owner: owner.to_string(),
            records,
            filled,
            applicable,
            open,
            high,
            amounts,
        });
    }
    Ok(out)
}

/// A deal's first commit call for a quarter: for how much.
struct Call {
    amount: Option<(Option<Currency>, Money)>,
}

/// First calls by deal key and quarter.
#[derive(Default)]
struct Calls(FxHashMap<String, FxHashMap<String, Call>>);

impl Calls {
    fn has(&self, key: &str, quarter: &str) -> bool {
        self.0.get(key).is_some_and(|q| q.contains_key(quarter))
    }

    /// Keep `amount` as the first call of `key` for `quarter` (unless one is kept).
    fn first(&mut self, key: &str, quarter: &str, amount: Option<(Option<Currency>, Money)>) {
        let quarters = match self.0.get_mut(key) {
            Some(q) => q,
            None => self.0.entry(key.to_string()).or_default(),
        };
        quarters
            .entry(quarter.to_string())
            .or_insert(Call { amount });
    }

    fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &str, &Call)> {
        self.0
            .iter()
            .flat_map(|(k, qs)| qs.iter().map(move |(q, c)| (k.as_str(), q.as_str(), c)))
    }
}

/// A deal's last known standing: its outcome, close date and amount.
#[derive(Clone)]
struct Last {
    stands: &'static str,
    close: Option<chrono::NaiveDate>,
    amount: Option<(Option<Currency>, Money)>,
}

/// What the store says of commit calls before an as-of: each key's first call for each
/// quarter, and the last closing of each called key; amounts in their stored currency (the
/// audit's sole currency fills a missing one when they are tallied). It reads only the
/// store, so a history audit reads it on its own connection while the export is audited.
#[derive(Default)]
pub(crate) struct StoredCalls {
    calls: Calls,
    closings: FxHashMap<String, Last>,
}

/// The commit calls and closings stored in snapshots before `before` (an as-of), read on
/// `conn` from the history at `path`; every value checked (see `check.rs`).
pub(crate) fn stored_calls(
    conn: &rusqlite::Connection,
    path: &std::path::Path,
    before: chrono::NaiveDate,
) -> Result<StoredCalls> {
    read_calls(conn, path, super::julian_day(before)).map_err(|e| super::failed(path, "read", e))
}

/// A stored currency: NULL, or a code this pipelint reads.
fn stored_currency(
    t: &super::check::Table<'_>,
    r: &rusqlite::Row<'_>,
    i: usize,
    row: impl std::fmt::Display,
) -> Result<Option<Currency>> {
    match t.opt_text(r, i, &row)? {
        None => Ok(None),
        Some(code) => Currency::parse(code).map(Some).ok_or_else(|| {
            t.bad(
                row,
                "currency",
                format!("{}, not a currency code", super::check::quoted(code)),
            )
        }),
    }
}

/// A fiscal quarter's name as stored: `FY2027-Q1`.
pub(super) fn is_quarter(name: &str) -> bool {
    // Bytes, not text slices: a tampered name may hold a character across any offset.
    let b = name.as_bytes();
    b.len() == 9
        && b.starts_with(b"FY")
        && b[2..6].iter().all(u8::is_ascii_digit)
        && &b[6..8] == b"-Q"
        && (b'1'..=b'4').contains(&b[8])
}

/// How a message names a stored call's or closing's row (made into words only for a
/// message: a history holds a row per call of every week).
#[derive(Clone, Copy)]
struct CallRow(i64, i64);

impl std::fmt::Display for CallRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the row of snapshot {}, seq {}", self.0, self.1)
    }
}

fn read_calls(
    conn: &rusqlite::Connection,
    path: &std::path::Path,
    before: i64,
) -> Result<StoredCalls> {
    let count = super::check::COUNT;
    // (key, quarter) → first call, in as-of order. Most calls repeat week after week, so
    // a key is looked up borrowed and copied only when it is new.
    let mut calls = Calls::default();
    let t = super::check::Table {
        path,
        table: "commit_calls",
    };
    // Ordered by the snapshot's id after its (unique) day: SQLite then walks each
    // snapshot's calls in their key's order instead of sorting them all in a temporary
    // B-tree.
    let mut stmt = conn.prepare(
        "SELECT c.snapshot, c.seq, c.pair_key, c.quarter, c.amount, c.currency
         FROM snapshots s JOIN commit_calls c ON c.snapshot = s.id
         WHERE s.as_of_day < ?1
         ORDER BY s.as_of_day, s.id, c.seq",
    )?;
    let mut rows = stmt.query([before])?;
    while let Some(r) = rows.next()? {
        let row = CallRow(r.get(0)?, t.int(r, 1, "a row", count.clone())?);
        let (key, quarter) = (t.text(r, 2, row)?, t.text(r, 3, row)?);
        if !is_quarter(quarter) {
            return Err(t.bad(
                row,
                "quarter",
                format!(
                    "{}, not a fiscal quarter such as FY2027-Q1",
                    super::check::quoted(quarter)
                ),
            ));
        }
        let amount = t.opt_int(r, 4, row, i64::MIN..=i64::MAX)?;
        let currency = stored_currency(&t, r, 5, row)?;
        if calls.has(key, quarter) {
            continue;
        }
        calls.first(key, quarter, amount.map(|a| (currency, Money(a))));
    }
    // A snapshot stores the closings of keys called commit by then, so every stored closing
    // is of a key called above.
    let mut closings: FxHashMap<String, Last> = FxHashMap::default();
    let t = super::check::Table {
        path,
        table: "called_closings",
    };
    let mut stmt = conn.prepare(
        "SELECT c.snapshot, c.seq, c.pair_key, c.standing, c.close_day, c.amount, c.currency
         FROM snapshots s JOIN called_closings c ON c.snapshot = s.id
         WHERE s.as_of_day < ?1
         ORDER BY s.as_of_day, s.id, c.seq",
    )?;
    let mut rows = stmt.query([before])?;
    while let Some(r) = rows.next()? {
        let row = CallRow(r.get(0)?, t.int(r, 1, "a row", count.clone())?);
        let key = t.text(r, 2, row)?;
        let stands = t.word(r, 3, row, &["won", "lost"])?;
        let close = t.day(r, 4, row)?;
        let amount = t.opt_int(r, 5, row, i64::MIN..=i64::MAX)?;
        let currency = stored_currency(&t, r, 6, row)?;
        if !calls.0.contains_key(key) {
            continue;
        }
        let last = Last {
            stands,
            close,
            amount: amount.map(|a| (currency, Money(a))),
        };
        match closings.get_mut(key) {
            Some(slot) => *slot = last,
            None => {
                closings.insert(key.to_string(), last);
            }
        }
    }
    Ok(StoredCalls { calls, closings })
}

/// Commit accuracy per fiscal quarter: the stored calls and closings, then the current
/// audit's calls and standings (its export is the latest word on every deal it holds).
fn commit_accuracy(
    stored: StoredCalls,
    audit: &Audit,
    sole: Option<Currency>,
) -> Vec<QuarterAccuracy> {
    let rules = &audit.rules;
    let StoredCalls {
        mut calls,
        closings: mut last,
    } = stored;
    let by = super::pair_by(audit);
    let deals = &audit.deals;
    let classes = deals.forecast_classes(&rules.forecast);
    // Keys called commit so far; the current export's word is kept only on those.
    let mut called: FxHashSet<String> = calls.keys().map(str::to_string).collect();
    let mut key = String::new();
    let mut now: FxHashMap<String, Last> = FxHashMap::default();
    for d in deals.iter() {
        if !pairing_key(by, d, deals, rules, &mut key) {
            continue;
        }
        let stands = standing(d, rules);
        let amount = d.amount().map(|m| (d.currency, m));
        if let Some(q) = super::commit_quarter(d, stands, classes.of(d), rules) {
            if !calls.has(&key, &q) {
                calls.first(&key, &q, amount);
            }
            if !called.contains(key.as_str()) {
                called.insert(key.clone());
            }
        }
        // A key called by an earlier row or snapshot: this row is its latest word (the
        // last row of a key wins, as it would if every row were kept).
        if called.contains(key.as_str()) {
            now.insert(
                key.clone(),
                Last {
                    stands: super::standing_name(stands),
                    close: d.close_date,
                    amount,
                },
            );
        }
    }
    last.extend(now);
    tally_quarters(&calls, &last, audit, sole)
}

/// Per quarter, the calls and what became of them.
fn tally_quarters(
    calls: &Calls,
    last: &FxHashMap<String, Last>,
    audit: &Audit,
    sole: Option<Currency>,
) -> Vec<QuarterAccuracy> {
    let rules = &audit.rules;
    let mut quarters: BTreeMap<String, (u64, CurrencySums, u64, CurrencySums, u64)> =
        BTreeMap::new();
    // Sums are exact and order-free, so the map's order does not show.
    for (k, q, call) in calls.iter() {
        let e = match quarters.get_mut(q) {
            Some(e) => e,
            None => quarters.entry(q.to_string()).or_default(),
        };
        e.0 += 1;
        if let Some((c, m)) = call.amount {
            e.1.add(c.or(sole), m);
        }
        let Some(l) = last.get(k) else { continue };
        let in_quarter = l
            .close
            .is_some_and(|day| rules.forecast.quarter_of(day).2 == *q);
        match l.stands {
            "won" if in_quarter => {
                e.2 += 1;
                if let Some((c, m)) = l.amount {
                    e.3.add(c.or(sole), m);
                }
            }
            "lost" => e.4 += 1,
            _ => {}
        }
    }
    let (_, today_last, _) = rules.forecast.quarter_of(audit.as_of);
    quarters
        .into_iter()
        .map(
            |(quarter, (called, called_amount, won, won_amount, lost))| {
                let ended = quarter_end(&quarter, rules)
                    .is_some_and(|end| end < audit.as_of && end < today_last);
                QuarterAccuracy {
                    ended,
                    called,
                    called_amount: words(&called_amount),
                    won,
                    won_amount: words(&won_amount),
                    lost,
                    not_won: called - won,
                    accuracy: (called > 0).then(|| round1(won as f64 * 100.0 / called as f64)),
                    quarter,
                }
            },
        )
        .collect()
}

/// The last day of a named fiscal quarter (`FY2027-Q1`).
fn quarter_end(name: &str, rules: &crate::rules::RuleSet) -> Option<chrono::NaiveDate> {
    let year: i32 = name.get(2..6)?.parse().ok()?;
    let q: u32 = name.get(8..9)?.parse().ok()?;
    // Walk the months of the fiscal year's calendar span and find the quarter's days.
    let start = rules.forecast.fiscal_year_start_month;
    let first_year = if start == 1 { year } else { year - 1 };
    let month0 = (start - 1) + (q - 1) * 3;
    let (y, m) = (first_year + (month0 / 12) as i32, month0 % 12 + 1);
    let day = chrono::NaiveDate::from_ymd_opt(y, m, 1)?;
    Some(rules.forecast.quarter_of(day).1)
}
