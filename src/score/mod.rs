//! Scores: completeness (and, later, forecast risk), as mergeable partial sums so that
//! batches audited in parallel combine, in input order, into identical totals.

pub mod aggregate;
pub mod completeness;

pub use aggregate::Tallies;
pub use completeness::{FieldTally, WeightTally, round1};
