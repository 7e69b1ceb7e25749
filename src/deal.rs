//! Compact per-deal summaries: what the report must hold for every deal, and no more, with
//! the risk signals and facts its findings and reasons are worded from.
//!
//! Text (id, name, account) lives in per-batch arenas; owners and unknown stages are
//! interned; money, dates and weights are fixed-size. About 100 bytes a deal plus its text.
//! This is plain data, below the checks (which word findings from it) and the scores
//! (which fill in its risk).

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::rules::{Outcome, RiskWeights, RuleSet};
use crate::score::completeness::record_rate;
use crate::values::{Currency, Money};

/// Strings seen often (owners, unknown stage spellings), stored once.
#[derive(Clone, Debug, Default)]
pub(crate) struct Interner {
    ids: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |s| s)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        self.names.iter().enumerate().map(|(i, s)| (i as u32, &**s))
    }
}

/// Which stage a deal is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StageKey {
    /// Index into the rules' stages.
    Known(u32),
    /// An interned spelling that matches no stage (VAL006).
    Unknown(u32),
    Missing,
}

/// One deal's summary: 88 bytes plus its id and name.
#[derive(Clone, Debug)]
pub(crate) struct Deal {
    pub(crate) line: u64,
    /// Amount in ten-thousandths; `i64::MIN` when missing or invalid.
    amount: i64,
    pub(crate) file: u32,
    arena: u32,
    start: u32,
    /// Lengths of the id and the name in the arena.
    lens: [u16; 2],
    /// Interned owner and account; `u32::MAX` when there is none.
    owner: u32,
    account: u32,
    pub(crate) stage: StageKey,
    pub(crate) currency: Option<Currency>,
    pub(crate) close_date: Option<NaiveDate>,
    /// Completeness weights: filled and applicable.
    pub(crate) filled: u32,
    pub(crate) applicable: u32,
    /// Forecast risk (open deals) and the facts behind its signals.
    pub(crate) risk: RiskFacts,
}

const NO_AMOUNT: i64 = i64::MIN;
const NO_OWNER: u32 = u32::MAX;
/// Longest id, name or account kept in a deal's summary (the export itself is untouched).
const MAX_TEXT: usize = u16::MAX as usize;

impl Deal {
    pub(crate) fn completeness(&self) -> f64 {
        record_rate(self.filled, self.applicable)
    }

    pub(crate) fn amount(&self) -> Option<Money> {
        (self.amount != NO_AMOUNT).then_some(Money(self.amount))
    }
}

/// `s` cut to at most `MAX_TEXT` bytes on a character boundary.
fn capped(s: &str) -> &str {
    if s.len() <= MAX_TEXT {
        return s;
    }
    let mut end = MAX_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Deals built by one batch chunk, with chunk-local owner and stage ids.
#[derive(Default)]
pub(crate) struct DealBuffer {
    pub(crate) arena: String,
    pub(crate) deals: Vec<Deal>,
    pub(crate) owners: Interner,
    pub(crate) accounts: Interner,
    pub(crate) unknown_stages: Interner,
    pub(crate) forecasts: Interner,
}

/// The texts of a deal as read.
pub(crate) struct DealText<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
}

/// What a deal is, apart from its texts.
pub(crate) struct DealFacts {
    pub(crate) risk: RiskFacts,
    pub(crate) file: u32,
    pub(crate) line: u64,
    pub(crate) owner: Option<u32>,
    /// Interned account ([`DealBuffer::account_id`]).
    pub(crate) account: Option<u32>,
    pub(crate) stage: StageKey,
    pub(crate) amount: Option<Money>,
    pub(crate) currency: Option<Currency>,
    pub(crate) close_date: Option<NaiveDate>,
    pub(crate) filled: u32,
    pub(crate) applicable: u32,
}

impl DealBuffer {
    /// The interned id of an account as read; `None` when the cell is empty.
    pub(crate) fn account_id(&mut self, account: &str) -> Option<u32> {
        (!account.is_empty()).then(|| self.accounts.intern(capped(account)))
    }

    /// The index the next deal will have.
    pub(crate) fn next(&self) -> u32 {
        self.deals.len() as u32
    }

    pub(crate) fn push(&mut self, text: DealText<'_>, facts: DealFacts) -> u32 {
        let start = self.arena.len() as u32;
        let (id, name) = (capped(text.id), capped(text.name));
        self.arena.push_str(id);
        self.arena.push_str(name);
        let account = facts.account.unwrap_or(NO_OWNER);
        let deal = Deal {
            file: facts.file,
            line: facts.line,
            arena: 0,
            start,
            lens: [id.len() as u16, name.len() as u16],
            owner: facts.owner.unwrap_or(NO_OWNER),
            account,
            stage: facts.stage,
            amount: facts.amount.map_or(NO_AMOUNT, |m| m.0),
            currency: facts.currency,
            close_date: facts.close_date,
            filled: facts.filled,
            applicable: facts.applicable,
            risk: facts.risk,
        };
        self.deals.push(deal);
        (self.deals.len() - 1) as u32
    }
}

/// Deals per storage segment. Fixed segments mean the store never reallocates (and never
/// holds two copies of itself) as it grows.
const SEGMENT: usize = 1 << 16;

/// All deals of the audit, in input order.
#[derive(Default)]
pub(crate) struct DealStore {
    arenas: Vec<String>,
    segments: Vec<Vec<Deal>>,
    len: usize,
    pub(crate) owners: Interner,
    pub(crate) accounts: Interner,
    pub(crate) unknown_stages: Interner,
    pub(crate) forecasts: Interner,
}

impl DealStore {
    /// Append a chunk's deals; returns the chunk's owner and stage id maps (local → global).
    pub(crate) fn absorb(&mut self, mut buffer: DealBuffer) -> (Vec<u32>, Vec<u32>) {
        let owner_ids: Vec<u32> = buffer
            .owners
            .iter()
            .map(|(_, name)| self.owners.intern(name))
            .collect();
        let stage_ids: Vec<u32> = buffer
            .unknown_stages
            .iter()
            .map(|(_, name)| self.unknown_stages.intern(name))
            .collect();
        let forecast_ids: Vec<u32> = buffer
            .forecasts
            .iter()
            .map(|(_, name)| self.forecasts.intern(name))
            .collect();
        let account_ids: Vec<u32> = buffer
            .accounts
            .iter()
            .map(|(_, name)| self.accounts.intern(name))
            .collect();
        let arena = self.arenas.len() as u32;
        for mut d in buffer.deals.drain(..) {
            d.arena = arena;
            if d.owner != NO_OWNER {
                d.owner = owner_ids[d.owner as usize];
            }
            if d.account != NO_OWNER {
                d.account = account_ids[d.account as usize];
            }
            if d.risk.forecast != u32::MAX {
                d.risk.forecast = forecast_ids[d.risk.forecast as usize];
            }
            if let StageKey::Unknown(s) = d.stage {
                d.stage = StageKey::Unknown(stage_ids[s as usize]);
            }
            if self.segments.last().is_none_or(|seg| seg.len() == SEGMENT) {
                self.segments.push(Vec::with_capacity(SEGMENT));
            }
            if let Some(seg) = self.segments.last_mut() {
                seg.push(d);
                self.len += 1;
            }
        }
        buffer.arena.shrink_to_fit();
        self.arenas.push(std::mem::take(&mut buffer.arena));
        (owner_ids, stage_ids)
    }

    pub(crate) fn get(&self, index: usize) -> Option<&Deal> {
        self.segments.get(index / SEGMENT)?.get(index % SEGMENT)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Deal> {
        self.segments.iter().flatten()
    }

    fn text(&self, d: &Deal, which: usize) -> &str {
        let Some(arena) = self.arenas.get(d.arena as usize) else {
            return "";
        };
        let start = d.start as usize + d.lens[..which].iter().map(|l| *l as usize).sum::<usize>();
        arena
            .get(start..start + d.lens[which] as usize)
            .unwrap_or("")
    }

    pub(crate) fn id(&self, d: &Deal) -> &str {
        self.text(d, 0)
    }

    pub(crate) fn name(&self, d: &Deal) -> &str {
        self.text(d, 1)
    }

    pub(crate) fn account(&self, d: &Deal) -> &str {
        if d.account == NO_OWNER {
            ""
        } else {
            self.accounts.name(d.account)
        }
    }

    pub(crate) fn forecast(&self, d: &Deal) -> Option<&str> {
        (d.risk.forecast != u32::MAX).then(|| self.forecasts.name(d.risk.forecast))
    }

    pub(crate) fn owner(&self, d: &Deal) -> Option<&str> {
        (d.owner != NO_OWNER).then(|| self.owners.name(d.owner))
    }

    /// The stage as the report names it: the rules' name, or the spelling found.
    pub(crate) fn stage<'a>(&'a self, d: &Deal, rules: &'a RuleSet) -> Option<&'a str> {
        match d.stage {
            StageKey::Known(i) => rules.stages.get(i as usize).map(|s| s.name.as_str()),
            StageKey::Unknown(u) => Some(self.unknown_stages.name(u)),
            StageKey::Missing => None,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// A reason a deal is at risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Signal {
    Overdue,
    Stale,
    StageAged,
    ExitCriteria,
    ForecastMismatch,
    NoNextStep,
    Pushed,
}

impl Signal {
    pub(crate) const ALL: [Signal; 7] = [
        Signal::Overdue,
        Signal::Stale,
        Signal::StageAged,
        Signal::ExitCriteria,
        Signal::ForecastMismatch,
        Signal::NoNextStep,
        Signal::Pushed,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Signal::Overdue => "overdue",
            Signal::Stale => "stale",
            Signal::StageAged => "stage_aged",
            Signal::ExitCriteria => "exit_criteria",
            Signal::ForecastMismatch => "forecast_mismatch",
            Signal::NoNextStep => "no_next_step",
            Signal::Pushed => "pushed",
        }
    }

    pub(crate) fn weight(self, w: &RiskWeights) -> u32 {
        match self {
            Signal::Overdue => w.overdue,
            Signal::Stale => w.stale,
            Signal::StageAged => w.stage_aged,
            Signal::ExitCriteria => w.exit_criteria,
            Signal::ForecastMismatch => w.forecast_mismatch,
            Signal::NoNextStep => w.no_next_step,
            Signal::Pushed => w.pushed,
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of signals, one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Signals(pub(crate) u8);

impl Signals {
    pub(crate) fn insert(&mut self, s: Signal) {
        self.0 |= s.bit();
    }

    pub(crate) fn contains(self, s: Signal) -> bool {
        self.0 & s.bit() != 0
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = Signal> {
        Signal::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// The sum of the fired signals' weights, capped at 100.
    pub(crate) fn score(self, w: &RiskWeights) -> u8 {
        self.iter().map(|s| s.weight(w)).sum::<u32>().min(100) as u8
    }
}

/// What a deal's risk rests on, kept per deal (20 bytes) so the signals can be put into
/// words when a report needs them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RiskFacts {
    pub(crate) signals: Signals,
    pub(crate) score: u8,
    /// Bit i: the stage's i-th `requires` field is missing or invalid (the first 16;
    /// [`RiskFacts::EXIT_MORE`] says whether later ones are too).
    pub(crate) exit_unmet: u16,
    /// Pushes, up to `u16::MAX` ([`RiskFacts::PUSHES_CAPPED`] when more).
    pub(crate) push_count: u16,
    pub(crate) last_activity: Option<NaiveDate>,
    /// Days in the current stage; `i32::MIN` when unknown ([`RiskFacts::DAYS_CAPPED`] when
    /// beyond `i32`).
    pub(crate) days_in_stage: i32,
    /// Probability in ten-thousandths of a point, as read (exact to the four decimals a
    /// message shows); `i32::MIN` when unknown.
    pub(crate) probability: i32,
    /// What the checks decided, so that words never re-test rounded values.
    pub(crate) flags: u8,
    /// Interned forecast category; `u32::MAX` when none.
    pub(crate) forecast: u32,
    /// Won or lost by the status column, whatever the stage.
    pub(crate) closed_as: Option<Outcome>,
}

impl RiskFacts {
    /// The probability is off the stage's by more than the tolerance (HYG004).
    pub(crate) const PROBABILITY_OFF: u8 = 1;
    /// The forecast category is not allowed in the stage (HYG005).
    pub(crate) const FORECAST_OFF: u8 = 2;
    /// A stage requirement past the 16th is unmet too.
    pub(crate) const EXIT_MORE: u8 = 4;
    /// `days_in_stage` and `push_count` hold their type's maximum, not the value.
    pub(crate) const DAYS_CAPPED: u8 = 8;
    pub(crate) const PUSHES_CAPPED: u8 = 16;

    pub(crate) fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// The probability in points, as read.
    pub(crate) fn probability(&self) -> Option<f64> {
        (self.probability != i32::MIN).then(|| f64::from(self.probability) / 10_000.0)
    }

    pub(crate) fn days_in_stage(&self) -> Option<i64> {
        (self.days_in_stage != i32::MIN).then_some(i64::from(self.days_in_stage))
    }
}

impl Default for RiskFacts {
    fn default() -> Self {
        RiskFacts {
            signals: Signals::default(),
            score: 0,
            exit_unmet: 0,
            push_count: 0,
            last_activity: None,
            days_in_stage: i32::MIN,
            probability: i32::MIN,
            flags: 0,
            forecast: u32::MAX,
            closed_as: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deal_summary_stays_compact() {
        // Memory grows with deals, not bytes: keep the per-deal summary under 100 bytes.
        assert!(
            std::mem::size_of::<Deal>() <= 88,
            "{}",
            std::mem::size_of::<Deal>()
        );
    }
}
