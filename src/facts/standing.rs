//! Where a deal stands: open, closed (won or lost), or neither (a stage the rules do not
//! know and no status).

use crate::deal::{Deal, RiskFacts, StageKey};
use crate::rules::{Outcome, RuleSet};

/// Where a deal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Standing {
    Open,
    Closed(Outcome),
    /// An unknown or missing stage: neither open nor closed.
    Unknown,
}

/// A deal's standing by its stage and its status: a known stage says open or closed, else
/// a status that says open makes it open (as [`DealState::is_open`] decides).
///
/// [`DealState::is_open`]: super::state::DealState::is_open
pub(crate) fn standing(d: &Deal, rules: &RuleSet) -> Standing {
    if let Some(outcome) = d.risk.closed_as() {
        return Standing::Closed(outcome);
    }
    match d.stage {
        StageKey::Known(i, _) => match rules.stages.get(i as usize).and_then(|s| s.outcome) {
            Some(outcome) => Standing::Closed(outcome),
            None => Standing::Open,
        },
        _ if d.risk.flags & RiskFacts::STATUS_OPEN != 0 => Standing::Open,
        _ => Standing::Unknown,
    }
}
