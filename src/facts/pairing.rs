//! How a deal of this snapshot finds itself in the previous one: the pairing key (the
//! record id, else the account and the folded deal name) and the previous snapshot's deals
//! indexed by it.

use std::hash::Hasher;

use hashbrown::HashTable;
use rayon::prelude::*;
use rustc_hash::FxHasher;
use serde::Serialize;

use crate::deal::{Deal, DealStore};
use crate::rules::RuleSet;
use crate::values::normalize_name;

/// What the change checks and the change view read of the previous snapshot's audit: its
/// deals, its rules and its findings.
#[derive(Clone, Copy)]
pub(crate) struct Snapshot<'a> {
    pub(crate) deals: &'a DealStore,
    pub(crate) rules: &'a RuleSet,
    pub(crate) findings: &'a [crate::diag::Finding],
}

/// How the deals of two snapshots are paired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PairBy {
    /// By the mapped record id, exactly.
    Id,
    /// By account and folded deal name: approximate (a renamed deal is a new one).
    AccountAndName,
}

/// The previous snapshot, its deals indexed by pairing key (the first deal of each key).
pub(crate) struct Baseline<'a> {
    pub(crate) audit: Snapshot<'a>,
    pub(crate) by: PairBy,
    /// `(key hash, old deal)`.
    index: HashTable<(u64, u32)>,
    /// Old deals whose key another old deal shares: pairing by name cannot tell them apart.
    pub(crate) shared: Vec<bool>,
    /// The previous file's index among the current audit's inputs.
    pub(crate) file: u32,
}

fn hash_key(key: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(key.as_bytes());
    h.finish()
}

/// The pairing key of a deal into `out`; false when it has none (no id, or no account or
/// name to pair by).
pub(crate) fn key_into(
    by: PairBy,
    id: &str,
    account: &str,
    name: &str,
    rules: &RuleSet,
    out: &mut String,
) -> bool {
    out.clear();
    let missing = |s: &str| rules.input.empty_values.is_missing(s);
    match by {
        PairBy::Id => {
            if missing(id) {
                return false;
            }
            out.push_str(id);
        }
        PairBy::AccountAndName => {
            if missing(account) || missing(name) {
                return false;
            }
            let mut folded = String::new();
            normalize_name(account, &mut folded);
            out.push_str(&folded);
            out.push('\u{1}');
            normalize_name(name, &mut folded);
            out.push_str(&folded);
            if out.len() < 3 {
                return false;
            }
        }
    }
    true
}

/// A current deal paired with a previous one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Paired {
    pub(crate) old: u32,
    /// Open before and now, and its close date was pushed out (CHG001): the `pushed` risk
    /// signal, which counts towards serial slippage even when CHG001 is switched off.
    pub(crate) pushed: bool,
    /// By how many days (0 when not pushed).
    pub(crate) pushed_days: u32,
    /// The previous self's push totals: count and days.
    pub(crate) carried: (u16, u16),
}

/// Per worker: buffers for keys.
#[derive(Default)]
pub(crate) struct KeyScratch {
    key: String,
    other: String,
}

/// What a current deal is, as it pairs with the previous snapshot.
pub(crate) struct Identity<'s> {
    pub(crate) id: &'s str,
    pub(crate) name: &'s str,
    pub(crate) account: &'s str,
    pub(crate) open: bool,
    pub(crate) close_date: Option<chrono::NaiveDate>,
}

impl Baseline<'_> {
    /// The previous self of a current deal, if it has one, and whether its close date was
    /// pushed since (both open).
    pub(crate) fn pair(
        &self,
        now: &Identity<'_>,
        rules: &RuleSet,
        scratch: &mut KeyScratch,
    ) -> Option<Paired> {
        if !key_into(
            self.by,
            now.id,
            now.account,
            now.name,
            rules,
            &mut scratch.key,
        ) {
            return None;
        }
        let old_index = self.find(&scratch.key, &mut scratch.other)?;
        let old = self.audit.deals.get(old_index as usize)?;
        let was_open =
            super::standing::standing(old, self.audit.rules) == super::standing::Standing::Open;
        let pushed_days = match (was_open && now.open, old.close_date, now.close_date) {
            (true, Some(from), Some(to)) if to > from => {
                u32::try_from((to - from).num_days()).unwrap_or(u32::MAX)
            }
            _ => 0,
        };
        Some(Paired {
            old: old_index,
            pushed: pushed_days > 0,
            pushed_days,
            carried: (old.risk.push_count, old.risk.push_days),
        })
    }
}

/// How often and how far a deal's close date has been pushed: across the stored history or
/// since the previous snapshot, or as a push-count column says, whichever knows of more.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Slippage {
    pub(crate) pushes: u32,
    pub(crate) days: u32,
}

impl Slippage {
    pub(crate) fn of(column: u16, paired: Option<&Paired>) -> Slippage {
        let history = paired.map_or(Slippage::default(), |p| Slippage {
            pushes: u32::from(p.carried.0) + u32::from(p.pushed),
            days: u32::from(p.carried.1) + p.pushed_days,
        });
        Slippage {
            pushes: history.pushes.max(u32::from(column)),
            days: history.days,
        }
    }

    /// Serial slippage: pushed `[changes] serial_pushes` times or `push_alarm_days` days.
    pub(crate) fn serial(self, rules: &crate::rules::ChangesRules) -> bool {
        self.pushes >= rules.serial_pushes || self.days >= rules.push_alarm_days
    }
}

/// The pairing key of a stored deal into `out`; false when it has none.
pub(crate) fn pairing_key(
    by: PairBy,
    d: &Deal,
    deals: &DealStore,
    rules: &RuleSet,
    out: &mut String,
) -> bool {
    key_into(by, deals.id(d), deals.account(d), deals.name(d), rules, out)
}

impl<'a> Baseline<'a> {
    /// Index `previous`'s deals (on the current rayon pool). `by_id`: both snapshots map a
    /// record id.
    pub(crate) fn new(previous: Snapshot<'a>, by_id: bool, file: u32) -> Baseline<'a> {
        let by = if by_id {
            PairBy::Id
        } else {
            PairBy::AccountAndName
        };
        let deals = &previous.deals;
        // Each deal's key hashed on the workers (reading a million deals' text is most of
        // the work), then indexed here in deal order, so the first deal of a key is the one
        // indexed whatever the thread count. A key is built again only on a hash match.
        let hashes: Vec<Option<u64>> = (0..deals.len())
            .into_par_iter()
            .map_init(String::new, |key, i| {
                let d = deals.get(i)?;
                pairing_key(by, d, deals, previous.rules, key).then(|| hash_key(key))
            })
            .collect();
        let mut index: HashTable<(u64, u32)> = HashTable::with_capacity(deals.len());
        let mut shared = vec![false; deals.len()];
        let (mut key, mut other) = (String::new(), String::new());
        for (i, hash) in hashes.into_iter().enumerate() {
            let Some(hash) = hash else { continue };
            let mut built = false;
            let found = index.find(hash, |&(h, o)| {
                if h != hash {
                    return false;
                }
                if !built {
                    built = deals
                        .get(i)
                        .is_some_and(|d| pairing_key(by, d, deals, previous.rules, &mut key));
                }
                built && same_key(previous, by, o, &key, &mut other)
            });
            match found {
                // A repeated id pairs on its first occurrence (DUP001 flags the others); a
                // repeated account and name cannot be told apart.
                Some(&(_, first)) => {
                    if by == PairBy::AccountAndName {
                        shared[first as usize] = true;
                        shared[i] = true;
                    }
                }
                None => {
                    index.insert_unique(hash, (hash, i as u32), |&(h, _)| h);
                }
            }
        }
        Baseline {
            audit: previous,
            by,
            index,
            shared,
            file,
        }
    }

    /// The old deal a current deal's key names, if any (and if pairable).
    pub(crate) fn find(&self, key: &str, scratch: &mut String) -> Option<u32> {
        let hash = hash_key(key);
        let &(_, old) = self.index.find(hash, |&(h, o)| {
            h == hash && same_key(self.audit, self.by, o, key, scratch)
        })?;
        (!self.shared[old as usize]).then_some(old)
    }
}

/// Whether the previous snapshot's deal `old` has the pairing key `key` (`scratch` is a
/// buffer for keys that must be built: an id is compared as it is stored).
fn same_key(previous: Snapshot<'_>, by: PairBy, old: u32, key: &str, scratch: &mut String) -> bool {
    let deals = &previous.deals;
    let Some(d) = deals.get(old as usize) else {
        return false;
    };
    match by {
        PairBy::Id => deals.id(d) == key,
        PairBy::AccountAndName => {
            key_into(
                by,
                deals.id(d),
                deals.account(d),
                deals.name(d),
                previous.rules,
                scratch,
            ) && scratch == key
        }
    }
}

/// How the current deals paired with the previous ones, once every row is read.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pairing {
    pub(crate) by: Option<PairBy>,
    /// `(current deal, previous deal)`, in current order.
    pub(crate) pairs: Vec<(u32, u32)>,
    /// Current deals that repeat an id another current deal already paired with.
    pub(crate) repeated: u64,
    /// Deals left unpaired because their account and name are not unique: current, then
    /// previous.
    pub(crate) ambiguous: (u64, u64),
}
