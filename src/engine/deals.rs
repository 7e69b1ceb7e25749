//! Compact per-deal summaries: what the report must hold for every deal, and no more.
//!
//! Text (id, name, account) lives in per-batch arenas; owners and unknown stages are
//! interned; money, dates and weights are fixed-size. About 100 bytes a deal plus its text.

use chrono::NaiveDate;
use rustc_hash::FxHashMap;

use crate::rules::RuleSet;
use crate::score::RiskFacts;
use crate::score::completeness::record_rate;
use crate::values::{Currency, Money};

/// Strings seen often (owners, unknown stage spellings), stored once.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    ids: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }

    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |s| s)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        self.names.iter().enumerate().map(|(i, s)| (i as u32, &**s))
    }
}

/// Which stage a deal is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageKey {
    /// Index into the rules' stages.
    Known(u32),
    /// An interned spelling that matches no stage (VAL006).
    Unknown(u32),
    Missing,
}

/// One deal's summary: 88 bytes plus its id and name.
#[derive(Clone, Debug)]
pub struct Deal {
    pub line: u64,
    /// Amount in ten-thousandths; `i64::MIN` when missing or invalid.
    amount: i64,
    pub file: u32,
    arena: u32,
    start: u32,
    /// Lengths of the id and the name in the arena.
    lens: [u16; 2],
    /// Interned owner and account; `u32::MAX` when there is none.
    owner: u32,
    account: u32,
    pub stage: StageKey,
    pub currency: Option<Currency>,
    pub close_date: Option<NaiveDate>,
    /// Completeness weights: filled and applicable.
    pub filled: u32,
    pub applicable: u32,
    /// Forecast risk (open deals) and the facts behind its signals.
    pub risk: RiskFacts,
}

const NO_AMOUNT: i64 = i64::MIN;
const NO_OWNER: u32 = u32::MAX;
/// Longest id, name or account kept in a deal's summary (the export itself is untouched).
const MAX_TEXT: usize = u16::MAX as usize;

impl Deal {
    pub fn completeness(&self) -> f64 {
        record_rate(self.filled, self.applicable)
    }

    pub fn amount(&self) -> Option<Money> {
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
pub struct DealBuffer {
    pub arena: String,
    pub deals: Vec<Deal>,
    pub owners: Interner,
    pub accounts: Interner,
    pub unknown_stages: Interner,
    pub forecasts: Interner,
}

/// The texts of a deal as read.
pub struct DealText<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub account: &'a str,
}

/// What a deal is, apart from its texts.
pub struct DealFacts {
    pub risk: RiskFacts,
    pub file: u32,
    pub line: u64,
    pub owner: Option<u32>,
    pub stage: StageKey,
    pub amount: Option<Money>,
    pub currency: Option<Currency>,
    pub close_date: Option<NaiveDate>,
    pub filled: u32,
    pub applicable: u32,
}

impl DealBuffer {
    pub fn push(&mut self, text: DealText<'_>, facts: DealFacts) -> u32 {
        let start = self.arena.len() as u32;
        let (id, name) = (capped(text.id), capped(text.name));
        self.arena.push_str(id);
        self.arena.push_str(name);
        let account = if text.account.is_empty() {
            NO_OWNER
        } else {
            self.accounts.intern(capped(text.account))
        };
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

    /// The id of a deal in this buffer.
    pub fn id(&self, deal: u32) -> &str {
        let Some(d) = self.deals.get(deal as usize) else {
            return "";
        };
        let s = d.start as usize;
        self.arena.get(s..s + d.lens[0] as usize).unwrap_or("")
    }
}

/// Deals per storage segment. Fixed segments mean the store never reallocates (and never
/// holds two copies of itself) as it grows.
const SEGMENT: usize = 1 << 16;

/// All deals of the audit, in input order.
#[derive(Default)]
pub struct DealStore {
    arenas: Vec<String>,
    segments: Vec<Vec<Deal>>,
    len: usize,
    pub owners: Interner,
    pub accounts: Interner,
    pub unknown_stages: Interner,
    pub forecasts: Interner,
}

impl DealStore {
    /// Append a chunk's deals; returns the chunk's owner and stage id maps (local → global).
    pub fn absorb(&mut self, mut buffer: DealBuffer) -> (Vec<u32>, Vec<u32>) {
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

    pub fn get(&self, index: usize) -> Option<&Deal> {
        self.segments.get(index / SEGMENT)?.get(index % SEGMENT)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Deal> {
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

    pub fn id(&self, d: &Deal) -> &str {
        self.text(d, 0)
    }

    pub fn name(&self, d: &Deal) -> &str {
        self.text(d, 1)
    }

    pub fn account(&self, d: &Deal) -> &str {
        if d.account == NO_OWNER {
            ""
        } else {
            self.accounts.name(d.account)
        }
    }

    pub fn forecast(&self, d: &Deal) -> Option<&str> {
        (d.risk.forecast != u32::MAX).then(|| self.forecasts.name(d.risk.forecast))
    }

    pub fn owner(&self, d: &Deal) -> Option<&str> {
        (d.owner != NO_OWNER).then(|| self.owners.name(d.owner))
    }

    /// The stage as the report names it: the rules' name, or the spelling found.
    pub fn stage<'a>(&'a self, d: &Deal, rules: &'a RuleSet) -> Option<&'a str> {
        match d.stage {
            StageKey::Known(i) => rules.stages.get(i as usize).map(|s| s.name.as_str()),
            StageKey::Unknown(u) => Some(self.unknown_stages.name(u)),
            StageKey::Missing => None,
        }
    }

    pub fn is_open(&self, d: &Deal, rules: &RuleSet) -> bool {
        match d.stage {
            StageKey::Known(i) => {
                d.risk.closed_as.is_none()
                    && rules.stages.get(i as usize).is_some_and(|s| s.is_open())
            }
            _ => false,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
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
