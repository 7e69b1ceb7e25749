//! Completeness: the weighted share of a record's applicable fields (globally required,
//! required by its stage, required by rules that fire) that hold a valid value.
//!
//! Weights are whole numbers and sums are integers, so pooled figures are exact and do not
//! depend on how the input was split into batches.

/// Per field: how often it was applicable, and what it held then.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldTally {
    pub(crate) applicable: u64,
    pub(crate) filled: u64,
    pub(crate) missing: u64,
    pub(crate) invalid: u64,
}

impl FieldTally {
    pub(crate) fn merge(&mut self, other: &FieldTally) {
        self.applicable += other.applicable;
        self.filled += other.filled;
        self.missing += other.missing;
        self.invalid += other.invalid;
    }

    /// Share of applicable records in which the field was filled, 0–100; `None` when the
    /// field never applied.
    pub(crate) fn rate(&self) -> Option<f64> {
        (self.applicable > 0).then(|| percent(self.filled, self.applicable))
    }
}

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

/// `part / whole` as a percentage (unrounded).
pub(crate) fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        100.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Round to one decimal, as every percentage in reports is.
pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A single record's completeness, 0–100.
pub(crate) fn record_rate(filled: u32, applicable: u32) -> f64 {
    percent(u64::from(filled), u64::from(applicable))
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
