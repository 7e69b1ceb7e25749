//! Scores: completeness and forecast risk, with mergeable partial sums so that batches
//! audited in parallel combine, in input order, into identical totals.

pub(crate) mod aggregate;
pub(crate) mod changes;
pub(crate) mod completeness;
pub(crate) mod fit;
pub(crate) mod grade;
pub(crate) mod health;
pub(crate) mod risk;
pub(crate) mod trends;

pub(crate) use aggregate::{GroupTally, Tallies};
pub(crate) use completeness::round1;
pub use risk::Band;
