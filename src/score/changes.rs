//! The change view: what moved between the previous snapshot and this one, from the deals'
//! pairing (see `checks::changes`). Movements per deal, the open-pipeline waterfall per
//! currency (reconciled exactly, or the audit stops: a mismatch is a bug), the deals that
//! slipped out of (or were pulled into) the fiscal quarter of as-of, and the findings
//! introduced, cleared and persisting since the previous snapshot.

use anyhow::{Result, bail};
use chrono::NaiveDate;

use crate::deal::{Deal, DealStore, StageKey};
use crate::diag::{Code, Finding, Subject};
use crate::facts::pairing::Pairing;
use crate::facts::pairing::Snapshot;
use crate::facts::standing::{Standing, standing};
use crate::rules::{RuleSet, normalize_forecast};
use crate::values::Currency;

/// What happened to one deal between the snapshots (several may hold at once).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Move {
    New,
    Won,
    Lost,
    Reopened,
    Vanished,
    Advanced,
    MovedBack,
    Pushed,
    PulledIn,
    AmountUp,
    AmountDown,
    ForecastUp,
    ForecastDown,
    OwnerChanged,
}

impl Move {
    pub(crate) const ALL: [Move; 14] = [
        Move::New,
        Move::Won,
        Move::Lost,
        Move::Reopened,
        Move::Vanished,
        Move::Advanced,
        Move::MovedBack,
        Move::Pushed,
        Move::PulledIn,
        Move::AmountUp,
        Move::AmountDown,
        Move::ForecastUp,
        Move::ForecastDown,
        Move::OwnerChanged,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Move::New => "new",
            Move::Won => "won",
            Move::Lost => "lost",
            Move::Reopened => "reopened",
            Move::Vanished => "vanished",
            Move::Advanced => "advanced",
            Move::MovedBack => "moved_back",
            Move::Pushed => "pushed",
            Move::PulledIn => "pulled_in",
            Move::AmountUp => "amount_up",
            Move::AmountDown => "amount_down",
            Move::ForecastUp => "forecast_up",
            Move::ForecastDown => "forecast_down",
            Move::OwnerChanged => "owner_changed",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u8)
    }
}

/// A set of moves, one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Moves(pub(crate) u16);

impl Moves {
    fn insert(&mut self, m: Move) {
        self.0 |= m.bit();
    }

    pub(crate) fn contains(self, m: Move) -> bool {
        self.0 & m.bit() != 0
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = Move> {
        Move::ALL.into_iter().filter(move |m| self.contains(*m))
    }
}

/// One deal that moved: this snapshot's deal and the previous snapshot's (either may be
/// missing: a new deal, a vanished one).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Movement {
    pub(crate) now: Option<u32>,
    pub(crate) was: Option<u32>,
    pub(crate) moves: Moves,
}

/// The open pipeline of one currency, from the previous snapshot to this one, in
/// ten-thousandths: `begin + new + reopened + increased − decreased − won − lost − vanished
/// = end`. Won, lost and vanished use the previous amount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Flow {
    pub(crate) currency: Option<Currency>,
    pub(crate) begin: i128,
    pub(crate) new: i128,
    pub(crate) reopened: i128,
    pub(crate) increased: i128,
    pub(crate) decreased: i128,
    pub(crate) won: i128,
    pub(crate) lost: i128,
    pub(crate) vanished: i128,
    pub(crate) end: i128,
}

impl Flow {
    fn reconciles(&self) -> bool {
        self.begin + self.new + self.reopened + self.increased
            - self.decreased
            - self.won
            - self.lost
            - self.vanished
            == self.end
    }
}

/// Open deals whose close date left the fiscal quarter of as-of (or came into it).
#[derive(Clone, Debug, Default)]
pub(crate) struct Slips {
    /// The quarter: its name, first and last day.
    pub(crate) quarter: (String, NaiveDate, NaiveDate),
    /// `(deal, previous deal)`: due in the quarter before, after it now.
    pub(crate) slipped: Vec<(u32, u32)>,
    /// Due after the quarter before, in it now.
    pub(crate) pulled_in: Vec<(u32, u32)>,
}

/// Findings since the previous snapshot: the same deal, code and field is one finding.
#[derive(Clone, Debug, Default)]
pub(crate) struct FindingDelta {
    /// Per code: introduced, cleared, persisting.
    pub(crate) by_code: Vec<(Code, [u64; 3])>,
    /// Per owner (as named now, or before for cleared findings of deals that left).
    pub(crate) by_owner: Vec<(Option<String>, [u64; 3])>,
}

/// Everything the change view shows.
#[derive(Clone, Debug, Default)]
pub(crate) struct ChangeView {
    /// Deals that moved, this snapshot's first in input order, then vanished ones.
    pub(crate) movements: Vec<Movement>,
    /// How many deals made each move, in [`Move::ALL`] order.
    pub(crate) counts: [u64; 14],
    pub(crate) waterfall: Vec<Flow>,
    /// Deals open in either snapshot whose amount is missing or unreadable in it, each
    /// counted once (a deal open in both without one is one deal): counted, never guessed
    /// (they add nothing to the waterfall).
    pub(crate) without_amount: u64,
    pub(crate) slips: Slips,
    pub(crate) findings: FindingDelta,
}

/// The flow of `currency`, made on first use (kept sorted by currency).
fn flow(flows: &mut Vec<Flow>, currency: Option<Currency>) -> &mut Flow {
    let i = match flows.binary_search_by(|f| f.currency.cmp(&currency)) {
        Ok(i) => i,
        Err(i) => {
            flows.insert(
                i,
                Flow {
                    currency,
                    ..Flow::default()
                },
            );
            i
        }
    };
    &mut flows[i]
}

/// A forecast category's rank, lowest first; `None` for one pipelint does not rank.
fn forecast_rank(category: &str) -> Option<u8> {
    match normalize_forecast(category).as_str() {
        "omitted" => Some(0),
        "pipeline" => Some(1),
        "bestcase" | "upside" | "mostlikely" => Some(2),
        "commit" => Some(3),
        "closed" => Some(4),
        _ => None,
    }
}

/// The rank of every forecast category a store interned, by its id.
fn forecast_ranks(deals: &DealStore) -> Vec<Option<u8>> {
    deals
        .forecasts
        .iter()
        .map(|(_, name)| forecast_rank(name))
        .collect()
}

fn amount(d: &Deal) -> Option<i128> {
    d.amount().map(|m| i128::from(m.0))
}

/// A deal open in both snapshots: its amount change in the waterfall (a currency change
/// leaves one currency's pipeline and enters the other's), and its movements. `ranks`:
/// its forecast category's rank before and now.
fn open_in_both(
    old: &Deal,
    d: &Deal,
    ranks: (Option<u8>, Option<u8>),
    flows: &mut Vec<Flow>,
) -> Moves {
    let mut moves = Moves::default();
    let (a, b) = (amount(old).unwrap_or(0), amount(d).unwrap_or(0));
    if old.currency == d.currency {
        let f = flow(flows, d.currency);
        if b > a {
            f.increased += b - a;
        } else {
            f.decreased += a - b;
        }
    } else {
        flow(flows, old.currency).decreased += a;
        flow(flows, d.currency).increased += b;
    }
    match (old.stage, d.stage) {
        (StageKey::Known(x, _), StageKey::Known(y, _)) if y > x => moves.insert(Move::Advanced),
        (StageKey::Known(x, _), StageKey::Known(y, _)) if y < x => moves.insert(Move::MovedBack),
        _ => {}
    }
    match (old.close_date, d.close_date) {
        (Some(x), Some(y)) if y > x => moves.insert(Move::Pushed),
        (Some(x), Some(y)) if y < x => moves.insert(Move::PulledIn),
        _ => {}
    }
    if old.currency == d.currency {
        match (old.amount(), d.amount()) {
            (Some(x), Some(y)) if y.0 > x.0 => moves.insert(Move::AmountUp),
            (Some(x), Some(y)) if y.0 < x.0 => moves.insert(Move::AmountDown),
            _ => {}
        }
    }
    match ranks {
        (Some(x), Some(y)) if y > x => moves.insert(Move::ForecastUp),
        (Some(x), Some(y)) if y < x => moves.insert(Move::ForecastDown),
        _ => {}
    }
    moves
}

/// Begin and end: each snapshot's open amount per currency, summed apart from the flows
/// so that the identity is checked, not assumed.
fn add_open_sums(flows: &mut Vec<Flow>, deals: &DealStore, rules: &RuleSet, begin: bool) {
    for d in deals.iter() {
        if standing(d, rules) == Standing::Open {
            let f = flow(flows, d.currency);
            let a = amount(d).unwrap_or(0);
            if begin {
                f.begin += a;
            } else {
                f.end += a;
            }
        }
    }
}

/// The change view of `now` (this snapshot's deals) against `previous`.
/// `now` is this snapshot: its deals, rules, as-of and findings.
pub(crate) fn compare(
    previous: Snapshot<'_>,
    pairing: &Pairing,
    (now, rules, as_of, findings): (&DealStore, &RuleSet, NaiveDate, &[Finding]),
) -> Result<ChangeView> {
    let was = &previous.deals;
    let mut view = ChangeView::default();
    let mut paired_now = vec![u32::MAX; now.len()];
    for &(n, o) in &pairing.pairs {
        paired_now[n as usize] = o;
    }
    let mut paired_was = vec![false; was.len()];
    for &(_, o) in &pairing.pairs {
        paired_was[o as usize] = true;
    }
    let (first, last, name) = rules.forecast.quarter_of(as_of);
    view.slips.quarter = (name, first, last);
    let in_quarter = |d: Option<NaiveDate>| d.is_some_and(|d| d >= first && d <= last);
    let after_quarter = |d: Option<NaiveDate>| d.is_some_and(|d| d > last);
    let (ranks_was, ranks_now) = (forecast_ranks(was), forecast_ranks(now));
    let rank = |ranks: &[Option<u8>], id: Option<u32>| {
        id.and_then(|i| ranks.get(i as usize).copied().flatten())
    };
    let mut without_amount = 0;
    let mut note_amount = |d: &Deal| {
        if d.amount().is_none() {
            without_amount += 1;
        }
    };

    for (i, d) in now.iter().enumerate() {
        let stands = standing(d, rules);
        let o = paired_now[i];
        let mut moves = Moves::default();
        if o == u32::MAX {
            moves.insert(Move::New);
            if stands == Standing::Open {
                note_amount(d);
                flow(&mut view.waterfall, d.currency).new += amount(d).unwrap_or(0);
            }
        } else if let Some(old) = was.get(o as usize) {
            let stood = standing(old, previous.rules);
            match (stood, stands) {
                (Standing::Open, Standing::Open) => {
                    // One deal, however many of its two snapshots lack the amount.
                    if old.amount().is_some() {
                        note_amount(d);
                    } else {
                        note_amount(old);
                    }
                    let ranks = (
                        rank(&ranks_was, was.forecast_id(old)),
                        rank(&ranks_now, now.forecast_id(d)),
                    );
                    moves = open_in_both(old, d, ranks, &mut view.waterfall);
                    if in_quarter(old.close_date) && after_quarter(d.close_date) {
                        view.slips.slipped.push((i as u32, o));
                    }
                    if after_quarter(old.close_date) && in_quarter(d.close_date) {
                        view.slips.pulled_in.push((i as u32, o));
                    }
                }
                (Standing::Open, Standing::Closed(outcome)) => {
                    note_amount(old);
                    let f = flow(&mut view.waterfall, old.currency);
                    let a = amount(old).unwrap_or(0);
                    match outcome {
                        crate::rules::Outcome::Won => {
                            f.won += a;
                            moves.insert(Move::Won);
                        }
                        crate::rules::Outcome::Lost => {
                            f.lost += a;
                            moves.insert(Move::Lost);
                        }
                    }
                }
                (Standing::Open, Standing::Unknown) => {
                    // Out of the open pipeline without an outcome (its stage is unknown
                    // now): it leaves as a vanished deal does.
                    note_amount(old);
                    flow(&mut view.waterfall, old.currency).vanished += amount(old).unwrap_or(0);
                    moves.insert(Move::Vanished);
                }
                (Standing::Closed(_), Standing::Open) => {
                    note_amount(d);
                    flow(&mut view.waterfall, d.currency).reopened += amount(d).unwrap_or(0);
                    moves.insert(Move::Reopened);
                }
                (Standing::Unknown, Standing::Open) => {
                    // Into the open pipeline from an unknown stage: new to it.
                    note_amount(d);
                    flow(&mut view.waterfall, d.currency).new += amount(d).unwrap_or(0);
                    moves.insert(Move::New);
                }
                _ => {}
            }
            if now.owner(d) != was.owner(old) {
                moves.insert(Move::OwnerChanged);
            }
        }
        if moves != Moves::default() {
            view.movements.push(Movement {
                now: Some(i as u32),
                was: (o != u32::MAX).then_some(o),
                moves,
            });
        }
    }
    for (o, old) in was.iter().enumerate() {
        if paired_was[o] || standing(old, previous.rules) != Standing::Open {
            continue;
        }
        note_amount(old);
        flow(&mut view.waterfall, old.currency).vanished += amount(old).unwrap_or(0);
        let mut moves = Moves::default();
        moves.insert(Move::Vanished);
        view.movements.push(Movement {
            now: None,
            was: Some(o as u32),
            moves,
        });
    }
    view.without_amount = without_amount;
    add_open_sums(&mut view.waterfall, was, previous.rules, true);
    add_open_sums(&mut view.waterfall, now, rules, false);
    if let Some(f) = view.waterfall.iter().find(|f| !f.reconciles()) {
        bail!(
            "internal error: the pipeline waterfall does not reconcile ({f:?}); please report it"
        );
    }
    for m in &view.movements {
        for mv in m.moves.iter() {
            view.counts[mv as usize] += 1;
        }
    }
    view.findings = finding_delta(previous, &paired_now, now, findings);
    Ok(view)
}

/// Findings introduced, cleared and persisting: a finding persists when the previous
/// snapshot had one of the same code on the same field of the paired deal.
fn finding_delta(
    previous: Snapshot<'_>,
    paired_now: &[u32],
    now: &DealStore,
    findings: &[Finding],
) -> FindingDelta {
    let key = |deal: u32, f: &Finding| {
        (u64::from(deal) << 32) | ((f.code as u64) << 16) | u64::from(f.field)
    };
    let counted = |f: &Finding| !f.code.needs_previous();
    let mut before: Vec<u64> = previous
        .findings
        .iter()
        .filter(|f| counted(f))
        .filter_map(|f| match f.subject {
            Subject::Deal(d) => Some(key(d, f)),
            Subject::Row(_) => None,
        })
        .collect();
    before.sort_unstable();
    before.dedup();
    // Where each previous deal's findings start in `before` (sorted by deal): a finding
    // now is looked up among its paired deal's few findings, not in the whole list.
    let old_deals = previous.deals.len();
    let mut starts: Vec<u32> = Vec::with_capacity(old_deals + 1);
    let mut at = 0usize;
    for deal in 0..=old_deals as u64 {
        while at < before.len() && (before[at] >> 32) < deal {
            at += 1;
        }
        starts.push(at as u32);
    }
    let find = |was: u32, k: u64| -> Option<usize> {
        let w = was as usize;
        let (from, to) = (*starts.get(w)? as usize, *starts.get(w + 1)? as usize);
        before[from..to]
            .iter()
            .position(|b| *b == k)
            .map(|i| from + i)
    };
    let mut matched = vec![false; before.len()];
    let mut by_code: Vec<[u64; 3]> = vec![[0; 3]; Code::ALL.len()];
    // Per owner id of each store (the last slot: no owner), named once at the end.
    let mut by_owner_now: Vec<[u64; 3]> = vec![[0; 3]; now.owners.len() + 1];
    let mut by_owner_was: Vec<[u64; 3]> = vec![[0; 3]; previous.deals.owners.len() + 1];
    for f in findings.iter().filter(|f| counted(f)) {
        let Subject::Deal(d) = f.subject else {
            continue;
        };
        let owner = now
            .get(d as usize)
            .and_then(|deal| now.owner_id(deal))
            .map_or(now.owners.len(), |o| o as usize);
        let was = paired_now.get(d as usize).copied().unwrap_or(u32::MAX);
        let slot = if was == u32::MAX {
            0
        } else {
            match find(was, key(was, f)) {
                Some(i) => {
                    matched[i] = true;
                    2
                }
                None => 0,
            }
        };
        by_code[f.code as usize][slot] += 1;
        by_owner_now[owner][slot] += 1;
    }
    // Cleared: a previous finding with no match now, under its code and its deal's owner.
    let was_deals = &previous.deals;
    for (i, k) in before.iter().enumerate() {
        if matched[i] {
            continue;
        }
        let code_index = ((k >> 16) & 0xffff) as usize;
        by_code[code_index][1] += 1;
        let owner = was_deals
            .get((k >> 32) as usize)
            .and_then(|d| was_deals.owner_id(d))
            .map_or(was_deals.owners.len(), |o| o as usize);
        by_owner_was[owner][1] += 1;
    }
    let mut by_owner: std::collections::BTreeMap<Option<String>, [u64; 3]> = Default::default();
    for (counts, names) in [
        (&by_owner_now, &now.owners),
        (&by_owner_was, &was_deals.owners),
    ] {
        for (id, c) in counts.iter().enumerate() {
            if c.iter().all(|n| *n == 0) {
                continue;
            }
            let name = (id < names.len()).then(|| names.name(id as u32).to_string());
            let slot = by_owner.entry(name).or_default();
            for (total, n) in slot.iter_mut().zip(c) {
                *total += n;
            }
        }
    }
    FindingDelta {
        by_code: Code::ALL
            .iter()
            .zip(by_code)
            .filter(|(_, c)| c.iter().any(|n| *n > 0))
            .map(|(code, c)| (*code, c))
            .collect(),
        by_owner: by_owner.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::ForecastRules;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn fiscal_quarters_follow_the_year_start() {
        let calendar = ForecastRules {
            fiscal_year_start_month: 1,
            ..ForecastRules::default()
        };
        assert_eq!(
            calendar.quarter_of(day(2026, 11, 20)),
            (day(2026, 10, 1), day(2026, 12, 31), "FY2026-Q4".to_string())
        );
        let february = ForecastRules {
            fiscal_year_start_month: 2,
            ..ForecastRules::default()
        };
        assert_eq!(
            february.quarter_of(day(2026, 11, 20)),
            (day(2026, 11, 1), day(2027, 1, 31), "FY2027-Q4".to_string())
        );
        assert_eq!(
            february.quarter_of(day(2026, 2, 1)),
            (day(2026, 2, 1), day(2026, 4, 30), "FY2027-Q1".to_string())
        );
        let july = ForecastRules {
            fiscal_year_start_month: 7,
            ..ForecastRules::default()
        };
        assert_eq!(
            july.quarter_of(day(2026, 6, 30)),
            (day(2026, 4, 1), day(2026, 6, 30), "FY2026-Q4".to_string())
        );
    }
}
