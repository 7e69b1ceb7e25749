//! What the stored history adds to a report (`history` in JSON): the snapshots before this
//! one, each owner's trend over the last of them, commit accuracy per fiscal quarter, and
//! how long each finding has been flagged. The figures only: `history::view` builds them
//! from the store.

use serde::Serialize;

use crate::values::Amount;

/// The history's part of a report (`history` in JSON).
#[derive(Clone, Debug, Default, Serialize)]
pub struct HistoryView {
    /// The history file.
    pub db: String,
    /// Stored snapshots before this audit's as-of, oldest first.
    pub snapshots: Vec<String>,
    /// The one this audit was compared with (the latest of them).
    pub compared_with: Option<String>,
    pub trends: Vec<OwnerTrend>,
    pub commit_accuracy: Vec<QuarterAccuracy>,
    /// How the deals of each risk band ended: every deal of the stored history seen open and
    /// then closed, in the band its score (as stored the last time it was seen open) falls
    /// in under these rules, high first.
    pub band_record: Vec<BandRecord>,
    /// Per finding of the audit (in report order), snapshots in a row it has been flagged.
    #[serde(skip)]
    pub(crate) streaks: Vec<u16>,
}

/// One owner over the last snapshots, oldest first (this audit last).
#[derive(Clone, Debug, Serialize)]
pub struct OwnerTrend {
    pub owner: Option<String>,
    pub points: Vec<TrendPoint>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TrendPoint {
    pub as_of: String,
    pub records: u64,
    /// 0–100, one decimal; `None` when nothing applied.
    pub completeness: Option<f64>,
    pub open: u64,
    pub high_risk: u64,
    pub open_amount: Vec<Amount>,
    pub at_risk_amount: Vec<Amount>,
}

/// One risk band's track record in the stored history.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BandRecord {
    pub band: crate::score::Band,
    /// Deals last seen open in the band, and then closed.
    pub closed: u64,
    pub lost: u64,
    /// Lost ÷ closed, 0–100, one decimal.
    pub loss_rate: Option<f64>,
}

impl BandRecord {
    /// "high: 68.0% of 412 such deals were lost".
    pub fn words(&self) -> String {
        match self.loss_rate {
            Some(rate) => format!(
                "{}: {rate:.1}% of {} such deal{} {} lost",
                self.band.as_str(),
                crate::words::thousands(self.closed),
                if self.closed == 1 { "" } else { "s" },
                if self.closed == 1 { "was" } else { "were" }
            ),
            None => format!(
                "{}: no such deal has closed in the stored history yet",
                self.band.as_str()
            ),
        }
    }
}

/// Deals first called commit for one fiscal quarter, and how many closed won in it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct QuarterAccuracy {
    pub quarter: String,
    /// Whether the quarter is over at as-of.
    pub ended: bool,
    pub called: u64,
    pub called_amount: Vec<Amount>,
    /// Closed won with a close date in the quarter.
    pub won: u64,
    pub won_amount: Vec<Amount>,
    pub lost: u64,
    /// Still open, or closed after the quarter, or no longer in the exports.
    pub not_won: u64,
    /// Won ÷ called, 0–100.
    pub accuracy: Option<f64>,
}
