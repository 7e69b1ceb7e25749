//! `history backtest`: which risk signals actually preceded losses here. For every deal
//! that was open in a stored snapshot and closed (won or lost) in a later one, the signals
//! it carried in any snapshot while it was open; then per signal, the loss rate of the deals
//! that had it against the loss rate of those that did not (lift), with the counts, so a
//! team sees which rules to trust and which to tune, and how small each sample is.

use anyhow::Result;
use serde::Serialize;

use super::Store;
use crate::deal::{Signal, Signals};

/// Below this many deals a side's loss rate is flagged as a small sample.
pub(crate) const SMALL_SAMPLE: u64 = 10;

#[derive(Clone, Debug, Serialize)]
pub struct Backtest {
    pub snapshots: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    /// Deals seen open and then closed within the stored history.
    pub closed: u64,
    pub lost: u64,
    pub loss_rate: Option<f64>,
    pub signals: Vec<SignalLift>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SignalLift {
    pub signal: &'static str,
    pub with: u64,
    pub lost_with: u64,
    /// Lost ÷ closed among deals with the signal, 0–100.
    pub loss_rate_with: Option<f64>,
    pub without: u64,
    pub lost_without: u64,
    pub loss_rate_without: Option<f64>,
    /// Loss rate with ÷ loss rate without; above 1 the signal preceded losses.
    pub lift: Option<f64>,
    /// Either side has fewer than [`SMALL_SAMPLE`] deals.
    pub small_sample: bool,
}

/// Read every stored snapshot in as-of order and tally the signals of deals that closed.
pub(crate) fn run(store: &Store) -> Result<Backtest> {
    let snapshots = store
        .list()
        .map_err(|e| super::failed(&store.path, "read", e))?;
    let outcomes: Vec<(u16, bool)> = super::outcomes::read(store, None)?
        .iter()
        .map(|c| (c.signals_ever.0, c.lost))
        .collect();
    Ok(tally(
        &outcomes,
        snapshots.len() as u64,
        snapshots.first().map(|s| s.as_of.to_string()),
        snapshots.last().map(|s| s.as_of.to_string()),
    ))
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| crate::score::round1(part as f64 * 100.0 / whole as f64))
}

/// The lift of every signal over `(signals, lost)` of closed deals.
pub(crate) fn tally(
    outcomes: &[(u16, bool)],
    snapshots: u64,
    first: Option<String>,
    last: Option<String>,
) -> Backtest {
    let closed = outcomes.len() as u64;
    let lost = outcomes.iter().filter(|(_, l)| *l).count() as u64;
    let signals = Signal::ALL
        .into_iter()
        .map(|s| {
            let has = |bits: u16| Signals(bits).contains(s);
            let with = outcomes.iter().filter(|(b, _)| has(*b)).count() as u64;
            let lost_with = outcomes.iter().filter(|(b, l)| has(*b) && *l).count() as u64;
            let (without, lost_without) = (closed - with, lost - lost_with);
            let (rw, ro) = (
                (with > 0).then(|| lost_with as f64 / with as f64),
                (without > 0).then(|| lost_without as f64 / without as f64),
            );
            SignalLift {
                signal: s.name(),
                with,
                lost_with,
                loss_rate_with: rate(lost_with, with),
                without,
                lost_without,
                loss_rate_without: rate(lost_without, without),
                lift: match (rw, ro) {
                    (Some(a), Some(b)) if b > 0.0 => Some((a / b * 100.0).round() / 100.0),
                    _ => None,
                },
                small_sample: with < SMALL_SAMPLE || without < SMALL_SAMPLE,
            }
        })
        .collect();
    Backtest {
        snapshots,
        first,
        last,
        closed,
        lost,
        loss_rate: rate(lost, closed),
        signals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lift_is_the_ratio_of_loss_rates() {
        let overdue = 1u16; // Signal::Overdue's bit
        // 4 deals had `overdue`: 3 lost. 6 did not: 1 lost. Rates 75% vs 16.7%: lift 4.5.
        let mut o = vec![(overdue, true); 3];
        o.push((overdue, false));
        o.push((0, true));
        o.extend(vec![(0, false); 5]);
        let b = tally(&o, 4, None, None);
        let s = &b.signals[0];
        assert_eq!(s.signal, "overdue");
        assert_eq!(
            (s.with, s.lost_with, s.without, s.lost_without),
            (4, 3, 6, 1)
        );
        assert_eq!(s.loss_rate_with, Some(75.0));
        assert_eq!(s.loss_rate_without, Some(16.7));
        assert_eq!(s.lift, Some(4.5));
        assert!(s.small_sample);
        assert_eq!(b.loss_rate, Some(40.0));
    }
}
