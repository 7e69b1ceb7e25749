//! Completeness: the weighted share of a record's applicable fields (globally required,
//! required by its stage, required by rules that fire) that hold a valid value.
//!
//! Weights are whole numbers and sums are integers, so pooled figures are exact and do not
//! depend on how the input was split into batches.

pub(crate) use crate::facts::requirement::FieldTally;
use crate::values::percent;
pub(crate) use crate::values::round1;

/// Pooled weights for a group of records (all, an owner, a stage).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WeightTally {
    pub(crate) records: u64,
    pub(crate) filled: u64,
    pub(crate) applicable: u64,
}

impl WeightTally {
    pub(crate) fn add(&mut self, filled: u32, applicable: u32) {
        self.records += 1;
        self.filled += u64::from(filled);
        self.applicable += u64::from(applicable);
    }

    pub(crate) fn merge(&mut self, other: &WeightTally) {
        self.records += other.records;
        self.filled += other.filled;
        self.applicable += other.applicable;
    }

    /// Completeness 0–100; a group with nothing applicable is complete.
    pub(crate) fn rate(&self) -> f64 {
        if self.applicable == 0 {
            100.0
        } else {
            percent(self.filled, self.applicable)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_rates() {
        let mut t = WeightTally::default();
        t.add(3, 4);
        t.add(0, 2);
        assert_eq!(t.rate(), 50.0);
        assert_eq!(round1(percent(2, 3)), 66.7);
        assert_eq!(WeightTally::default().rate(), 100.0);
        assert_eq!(FieldTally::default().rate(), None);
    }
}
