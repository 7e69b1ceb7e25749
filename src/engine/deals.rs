//! Compact per-deal summaries: what the report must hold for every deal, and no more.
//!
//! Text (id, name, account) lives in per-batch arenas; owners and unknown stages are
//! interned; money, dates and weights are fixed-size. About 100 bytes a deal plus its text.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::rules::RuleSet;
use crate::score::completeness::record_rate;
use crate::values::{Currency, Money};

/// Strings seen often (owners, unknown stage spellings), stored once.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    ids: HashMap<Box<str>, u32>,
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

/// One deal's summary.
#[derive(Clone, Debug)]
pub struct Deal {
    pub file: u32,
    pub line: u64,
    arena: u32,
    start: usize,
    lens: [u32; 3],
    pub owner: Option<u32>,
    pub stage: StageKey,
    pub amount: Option<Money>,
    pub currency: Option<Currency>,
    pub close_date: Option<NaiveDate>,
    /// Completeness weights: filled and applicable.
    pub filled: u32,
    pub applicable: u32,
}

impl Deal {
    pub fn completeness(&self) -> f64 {
        record_rate(self.filled, self.applicable)
    }
}

/// Deals built by one batch chunk, with chunk-local owner and stage ids.
#[derive(Default)]
pub struct DealBuffer {
    pub arena: String,
    pub deals: Vec<Deal>,
    pub owners: Interner,
    pub unknown_stages: Interner,
}

/// The texts of a deal as read.
pub struct DealText<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub account: &'a str,
}

/// What a deal is, apart from its texts.
pub struct DealFacts {
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
        let start = self.arena.len();
        self.arena.push_str(text.id);
        self.arena.push_str(text.name);
        self.arena.push_str(text.account);
        let deal = Deal {
            file: facts.file,
            line: facts.line,
            arena: 0,
            start,
            lens: [
                text.id.len() as u32,
                text.name.len() as u32,
                text.account.len() as u32,
            ],
            owner: facts.owner,
            stage: facts.stage,
            amount: facts.amount,
            currency: facts.currency,
            close_date: facts.close_date,
            filled: facts.filled,
            applicable: facts.applicable,
        };
        self.deals.push(deal);
        (self.deals.len() - 1) as u32
    }

    /// The id of a deal in this buffer.
    pub fn id(&self, deal: u32) -> &str {
        let d = &self.deals[deal as usize];
        let s = d.start;
        self.arena.get(s..s + d.lens[0] as usize).unwrap_or("")
    }
}

/// All deals of the audit, in input order.
#[derive(Default)]
pub struct DealStore {
    arenas: Vec<String>,
    pub deals: Vec<Deal>,
    pub owners: Interner,
    pub unknown_stages: Interner,
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
        let arena = self.arenas.len() as u32;
        for d in &mut buffer.deals {
            d.arena = arena;
            d.owner = d.owner.map(|o| owner_ids[o as usize]);
            if let StageKey::Unknown(s) = d.stage {
                d.stage = StageKey::Unknown(stage_ids[s as usize]);
            }
        }
        self.arenas.push(std::mem::take(&mut buffer.arena));
        self.deals.append(&mut buffer.deals);
        (owner_ids, stage_ids)
    }

    fn text(&self, d: &Deal, which: usize) -> &str {
        let Some(arena) = self.arenas.get(d.arena as usize) else {
            return "";
        };
        let start = d.start + d.lens[..which].iter().map(|l| *l as usize).sum::<usize>();
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
        self.text(d, 2)
    }

    pub fn owner(&self, d: &Deal) -> Option<&str> {
        d.owner.map(|o| self.owners.name(o))
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
            StageKey::Known(i) => rules.stages.get(i as usize).is_some_and(|s| s.is_open()),
            _ => false,
        }
    }

    pub fn len(&self) -> usize {
        self.deals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.deals.is_empty()
    }
}
