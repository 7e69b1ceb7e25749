//! Aggregates over deals: completeness by field, owner and stage; open deals and open amount
//! per currency. Partial tallies from parallel batches merge in input order.

use std::collections::BTreeMap;

use super::completeness::{FieldTally, WeightTally};
use crate::values::{Currency, Money, MoneySum};

/// Sums for a set of records. `by_owner` and `by_unknown_stage` are indexed by the ids of
/// the interner that produced them and are re-indexed on merge.
#[derive(Clone, Debug, Default)]
pub struct Tallies {
    pub overall: WeightTally,
    pub fields: Vec<FieldTally>,
    pub by_owner: Vec<WeightTally>,
    /// Deals with no owner.
    pub no_owner: WeightTally,
    pub by_stage: Vec<WeightTally>,
    pub by_unknown_stage: Vec<WeightTally>,
    pub no_stage: WeightTally,
    pub open: u64,
    /// Open amount per currency (`None`: the amount names no currency).
    pub open_amount: BTreeMap<Option<Currency>, MoneySum>,
}

impl Tallies {
    pub fn new(fields: usize, stages: usize) -> Tallies {
        Tallies {
            fields: vec![FieldTally::default(); fields],
            by_stage: vec![WeightTally::default(); stages],
            ..Tallies::default()
        }
    }

    pub fn add_open_amount(&mut self, currency: Option<Currency>, amount: Money) {
        self.open_amount.entry(currency).or_default().add(amount);
    }

    /// Merge `other`, whose owner and unknown-stage ids map to ours through `owner_ids` and
    /// `stage_ids`.
    pub fn merge(&mut self, other: &Tallies, owner_ids: &[u32], stage_ids: &[u32]) {
        self.overall.merge(&other.overall);
        for (mine, theirs) in self.fields.iter_mut().zip(&other.fields) {
            mine.merge(theirs);
        }
        for (local, tally) in other.by_owner.iter().enumerate() {
            let global = owner_ids[local] as usize;
            if self.by_owner.len() <= global {
                self.by_owner.resize(global + 1, WeightTally::default());
            }
            self.by_owner[global].merge(tally);
        }
        self.no_owner.merge(&other.no_owner);
        for (mine, theirs) in self.by_stage.iter_mut().zip(&other.by_stage) {
            mine.merge(theirs);
        }
        for (local, tally) in other.by_unknown_stage.iter().enumerate() {
            let global = stage_ids[local] as usize;
            if self.by_unknown_stage.len() <= global {
                self.by_unknown_stage
                    .resize(global + 1, WeightTally::default());
            }
            self.by_unknown_stage[global].merge(tally);
        }
        self.no_stage.merge(&other.no_stage);
        self.open += other.open;
        for (currency, sum) in &other.open_amount {
            self.open_amount.entry(*currency).or_default().merge(*sum);
        }
    }
}
