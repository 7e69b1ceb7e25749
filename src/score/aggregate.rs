//! Aggregates over deals: completeness, and the open pipeline with its risk, overall, per
//! owner and per stage. Partial tallies from parallel batches merge in input order; every sum
//! is an integer (or exact money), so totals do not depend on how the work was split.

use super::completeness::{FieldTally, WeightTally};
use super::risk::Band;
use crate::values::{Currency, Money, MoneySum};

/// Exact sums per currency (`None`: the amount names no currency). A handful of entries at
/// most, kept sorted by currency; never added across currencies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CurrencySums(Vec<(Option<Currency>, MoneySum)>);

impl CurrencySums {
    pub(crate) fn add(&mut self, currency: Option<Currency>, amount: Money) {
        match self.0.binary_search_by(|(c, _)| c.cmp(&currency)) {
            Ok(i) => self.0[i].1.add(amount),
            Err(i) => {
                let mut sum = MoneySum::default();
                sum.add(amount);
                self.0.insert(i, (currency, sum));
            }
        }
    }

    /// Add a whole sum to `currency`'s.
    pub(crate) fn insert_sum(&mut self, currency: Option<Currency>, sum: MoneySum) {
        match self.0.binary_search_by(|(c, _)| c.cmp(&currency)) {
            Ok(i) => self.0[i].1.merge(sum),
            Err(i) => self.0.insert(i, (currency, sum)),
        }
    }

    pub(crate) fn merge(&mut self, other: &CurrencySums) {
        for (currency, sum) in &other.0 {
            match self.0.binary_search_by(|(c, _)| c.cmp(currency)) {
                Ok(i) => self.0[i].1.merge(*sum),
                Err(i) => self.0.insert(i, (*currency, *sum)),
            }
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (Option<Currency>, MoneySum)> + '_ {
        self.0.iter().copied()
    }
}

/// The open pipeline of a group: open deals, their risk bands, open and at-risk (high band)
/// amounts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PipelineTally {
    pub(crate) open: u64,
    /// Open deals without a readable amount (counted, never read as zero).
    pub(crate) open_without_amount: u64,
    /// Of those, the ones in the high band: the at-risk amount leaves them out.
    pub(crate) at_risk_without_amount: u64,
    /// Closed deals (won or lost, by their stage or status).
    pub(crate) closed: u64,
    /// Open deals per band: low, medium, high.
    pub(crate) bands: [u64; 3],
    pub(crate) open_amount: CurrencySums,
    pub(crate) at_risk_amount: CurrencySums,
}

impl PipelineTally {
    pub(crate) fn add_open(
        &mut self,
        band: Band,
        currency: Option<Currency>,
        amount: Option<Money>,
    ) {
        self.open += 1;
        self.bands[band as usize] += 1;
        match amount {
            Some(amount) => {
                self.open_amount.add(currency, amount);
                if band == Band::High {
                    self.at_risk_amount.add(currency, amount);
                }
            }
            None => {
                self.open_without_amount += 1;
                if band == Band::High {
                    self.at_risk_without_amount += 1;
                }
            }
        }
    }

    pub(crate) fn merge(&mut self, other: &PipelineTally) {
        self.open += other.open;
        self.open_without_amount += other.open_without_amount;
        self.at_risk_without_amount += other.at_risk_without_amount;
        self.closed += other.closed;
        for (mine, theirs) in self.bands.iter_mut().zip(other.bands) {
            *mine += theirs;
        }
        self.open_amount.merge(&other.open_amount);
        self.at_risk_amount.merge(&other.at_risk_amount);
    }

    pub(crate) fn high(&self) -> u64 {
        self.bands[Band::High as usize]
    }
}

/// Completeness and pipeline of one group of deals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct GroupTally {
    pub(crate) completeness: WeightTally,
    pub(crate) pipeline: PipelineTally,
}

impl GroupTally {
    pub(crate) fn merge(&mut self, other: &GroupTally) {
        self.completeness.merge(&other.completeness);
        self.pipeline.merge(&other.pipeline);
    }
}

/// Sums for a set of records. `by_owner` and `by_unknown_stage` are indexed by the ids of
/// the interner that produced them and are re-indexed on merge.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tallies {
    pub(crate) overall: GroupTally,
    pub(crate) fields: Vec<FieldTally>,
    pub(crate) by_owner: ById,
    /// Deals with no owner.
    pub(crate) no_owner: GroupTally,
    pub(crate) by_stage: Vec<GroupTally>,
    pub(crate) by_unknown_stage: ById,
    pub(crate) no_stage: GroupTally,
}

/// Group tallies by interned id (owners, unknown stages), held only for the ids that have
/// deals. A batch's tallies are indexed by its worker's ids, which grow with every owner the
/// worker has met: a file of 59,000 distinct "owners" made each batch in flight hold 59,000
/// tallies (14 MB) for the few hundred it saw. A slot per id costs 4 bytes instead.
#[derive(Clone, Debug, Default)]
pub(crate) struct ById {
    /// Per id, its tally's index in `tallies` (`u32::MAX`: none yet).
    slots: Vec<u32>,
    /// The ids, in the order their first deal came.
    ids: Vec<u32>,
    tallies: Vec<GroupTally>,
}

impl ById {
    /// The tally of `id`, made when it has none.
    #[inline]
    pub(crate) fn entry(&mut self, id: usize) -> &mut GroupTally {
        if self.slots.len() <= id {
            self.slots.resize(id + 1, u32::MAX);
        }
        let mut slot = self.slots[id] as usize;
        if slot == u32::MAX as usize {
            slot = self.tallies.len();
            self.slots[id] = slot as u32;
            self.ids.push(id as u32);
            self.tallies.push(GroupTally::default());
        }
        &mut self.tallies[slot]
    }

    pub(crate) fn get(&self, id: usize) -> Option<&GroupTally> {
        let slot = *self.slots.get(id)?;
        self.tallies.get(slot as usize)
    }

    /// Every id with its tally.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &GroupTally)> {
        self.ids.iter().copied().zip(&self.tallies)
    }
}

impl Tallies {
    pub(crate) fn new(fields: usize, stages: usize) -> Tallies {
        Tallies {
            fields: vec![FieldTally::default(); fields],
            by_stage: vec![GroupTally::default(); stages],
            ..Tallies::default()
        }
    }

    /// Merge `other`, whose owner and unknown-stage ids map to ours through `owner_ids` and
    /// `stage_ids`.
    pub(crate) fn merge(&mut self, other: &Tallies, owner_ids: &[u32], stage_ids: &[u32]) {
        self.overall.merge(&other.overall);
        for (mine, theirs) in self.fields.iter_mut().zip(&other.fields) {
            mine.merge(theirs);
        }
        for (local, tally) in other.by_owner.iter() {
            self.by_owner
                .entry(owner_ids[local as usize] as usize)
                .merge(tally);
        }
        self.no_owner.merge(&other.no_owner);
        for (mine, theirs) in self.by_stage.iter_mut().zip(&other.by_stage) {
            mine.merge(theirs);
        }
        for (local, tally) in other.by_unknown_stage.iter() {
            self.by_unknown_stage
                .entry(stage_ids[local as usize] as usize)
                .merge(tally);
        }
        self.no_stage.merge(&other.no_stage);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_held_a_tally_for_every_owner_its_worker_had_met() {
        // 59,000 distinct "owners" made each batch in flight hold 59,000 tallies.
        let mut t = ById::default();
        t.entry(50_000).completeness.add(1, 2);
        t.entry(7).completeness.add(1, 1);
        t.entry(50_000).completeness.add(0, 1);
        assert_eq!(t.tallies.len(), 2);
        assert_eq!(t.get(50_000).map(|g| g.completeness.records), Some(2));
        assert!(t.get(8).is_none() && t.get(90_000).is_none());
        let ids: Vec<u32> = t.iter().map(|(id, _)| id).collect();
        assert_eq!(ids, vec![50_000, 7]);
    }

    #[test]
    fn currency_sums_stay_apart_and_sorted() {
        let usd = Currency::parse("USD");
        let eur = Currency::parse("EUR");
        let mut a = CurrencySums::default();
        a.add(usd, Money(10_000));
        a.add(eur, Money(5_000));
        let mut b = CurrencySums::default();
        b.add(usd, Money(1));
        b.add(None, Money(7));
        a.merge(&b);
        let shown: Vec<(Option<String>, String)> = a
            .iter()
            .map(|(c, m)| (c.map(|c| c.to_string()), m.to_string()))
            .collect();
        assert_eq!(
            shown,
            vec![
                (None, "0.0007".to_string()),
                (Some("EUR".into()), "0.50".into()),
                (Some("USD".into()), "1.0001".into()),
            ]
        );
    }

    #[test]
    fn high_band_amounts_are_at_risk() {
        let mut p = PipelineTally::default();
        p.add_open(Band::High, None, Some(Money(100)));
        p.add_open(Band::Low, None, Some(Money(50)));
        p.add_open(Band::Medium, None, None);
        assert_eq!((p.open, p.bands), (3, [1, 1, 1]));
        assert_eq!(p.open_amount.iter().next().map(|(_, m)| m.0), Some(150));
        assert_eq!(p.at_risk_amount.iter().next().map(|(_, m)| m.0), Some(100));
    }
}
