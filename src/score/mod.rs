//! Scores: completeness and forecast risk, with mergeable partial sums so that batches
//! audited in parallel combine, in input order, into identical totals.

pub mod aggregate;
pub mod completeness;
pub mod risk;

pub use aggregate::{CurrencySums, GroupTally, PipelineTally, Tallies};
pub use completeness::{FieldTally, WeightTally, round1};
pub use risk::{Band, RiskFacts, Signal, Signals};
