//! Graded signals: a fired signal scores its weight at its threshold and more the further
//! past it the deal is, linearly, to twice the weight at four times the threshold (three
//! thresholds beyond it). A deal idle 1,523 days against a 14-day limit is not the same risk
//! as one idle 15 days, and an overdue-by-300-days deal not the same as one 3 days late.
//!
//! Each signal's distance, `beyond` its threshold on a `scale`:
//!
//! | signal | beyond | scale |
//! |---|---|---|
//! | `overdue` | days past the close date | 30 days (2× at 90 days overdue) |
//! | `stale` | idle days past the stale limit | the limit |
//! | `stage_aged` | days in the stage (or the deal's age) past `max_days` | `max_days` |
//! | `exit_criteria` | unmet exit criteria past the first | 1 (2× at four unmet) |
//! | `forecast_mismatch` | probability points off past the tolerance | the tolerance |
//! | `pushed` | pushes past the first | 1 (2× at four pushes) |
//! | `slipping` | pushes past `serial_pushes`, or days pushed past `push_alarm_days` | that threshold |
//!
//! `no_next_step` and `no_close_date` are facts without a distance, a forecast category the
//! stage does not allow and a deal with no activity recorded at all likewise: they score
//! their weight. So does a signal whose threshold is 0 (no scale to grade by). The points
//! are `weight + floor(weight × min(beyond, 3 × scale) / (3 × scale))`, computed the same
//! way in `pipelint sql --summary`; `[risk] grading = "off"` scores every signal its weight.

use chrono::NaiveDate;

use crate::deal::{RiskFacts, Signal};
pub(crate) use crate::rules::OVERDUE_SCALE_DAYS;
use crate::rules::{ChangesRules, Grading, RiskRules, StageRule};

/// What grading a deal's signals needs beyond its facts.
#[derive(Clone, Copy)]
pub(crate) struct Grader<'a> {
    pub(crate) as_of: NaiveDate,
    pub(crate) close_date: Option<NaiveDate>,
    pub(crate) stage: Option<&'a StageRule>,
    pub(crate) risk: &'a RiskRules,
    pub(crate) changes: &'a ChangesRules,
}

/// How far past its threshold a fired signal is: `beyond` on a `scale` (both ≥ 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Distance {
    pub(crate) beyond: f64,
    pub(crate) scale: f64,
}

impl Distance {
    const NONE: Distance = Distance {
        beyond: 0.0,
        scale: 0.0,
    };

    fn of(beyond: i64, scale: i64) -> Distance {
        Distance {
            beyond: beyond.max(0) as f64,
            scale: scale.max(0) as f64,
        }
    }

    /// The points a signal of weight `weight` scores at this distance.
    pub(crate) fn points(self, weight: u32) -> u32 {
        if self.scale <= 0.0 || self.beyond <= 0.0 {
            return weight;
        }
        let full = 3.0 * self.scale;
        let w = f64::from(weight);
        weight + (w * self.beyond.min(full) / full).floor() as u32
    }

    /// How much of the way from the weight to twice the weight: 0 at the threshold (or
    /// without a scale), 1 at three scales beyond it.
    pub(crate) fn share(self) -> f64 {
        if self.scale > 0.0 && self.beyond > 0.0 {
            self.beyond.min(3.0 * self.scale) / (3.0 * self.scale)
        } else {
            0.0
        }
    }

    /// The larger of two distances (by their share).
    fn max(self, other: Distance) -> Distance {
        if other.share() > self.share() {
            other
        } else {
            self
        }
    }
}

impl Grader<'_> {
    /// How far past its threshold `signal` is for a deal with these facts ([`Distance`]);
    /// no distance when grading is off.
    pub(crate) fn distance(&self, signal: Signal, f: &RiskFacts) -> Distance {
        if self.risk.grading == Grading::Off {
            return Distance::NONE;
        }
        match signal {
            Signal::Overdue => match self.close_date {
                Some(close) => Distance::of((self.as_of - close).num_days(), OVERDUE_SCALE_DAYS),
                None => Distance::NONE,
            },
            Signal::Stale => match f.last_activity {
                Some(last) => {
                    let limit = self.stale_limit();
                    Distance::of((self.as_of - last).num_days() - limit, limit)
                }
                None => Distance::NONE,
            },
            Signal::StageAged => match (f.days_in_stage(), self.stage.and_then(|s| s.max_days)) {
                (Some(days), Some(max)) => Distance::of(days - max, max),
                _ => Distance::NONE,
            },
            Signal::ExitCriteria => Distance::of(i64::from(f.exit_count()) - 1, 1),
            Signal::ForecastMismatch => match (
                f.has(RiskFacts::PROBABILITY_OFF),
                f.probability(),
                self.stage.and_then(|s| s.probability),
            ) {
                (true, Some(p), Some(expected)) => {
                    let tolerance = self.risk.probability_tolerance;
                    Distance {
                        beyond: ((p - expected).abs() - tolerance).max(0.0),
                        scale: tolerance.max(0.0),
                    }
                }
                _ => Distance::NONE,
            },
            Signal::Pushed => Distance::of(i64::from(f.push_count.max(1)) - 1, 1),
            Signal::Slipping => {
                let c = self.changes;
                let (pushes, days) = (i64::from(f.push_count), i64::from(f.push_days));
                let (t, d) = (i64::from(c.serial_pushes), i64::from(c.push_alarm_days));
                let by_pushes = if pushes >= t {
                    Distance::of(pushes - t, t)
                } else {
                    Distance::NONE
                };
                let by_days = if days >= d {
                    Distance::of(days - d, d)
                } else {
                    Distance::NONE
                };
                by_pushes.max(by_days)
            }
            Signal::NoNextStep | Signal::NoCloseDate => Distance::NONE,
        }
    }

    /// The stale limit that applies: the stage's own, else the rules'.
    pub(crate) fn stale_limit(&self) -> i64 {
        self.stage
            .and_then(|s| s.stale_days)
            .unwrap_or(self.risk.stale_days)
    }

    /// The points `signal` adds to a deal's score: its graded weight, except the weaker of
    /// `exit_criteria` and `no_next_step` when both say the same missing next step
    /// ([`RiskFacts::COUNTED_ONCE`]; the stronger, or `exit_criteria` at equal weights,
    /// keeps its own), which adds 0.
    pub(crate) fn points(&self, signal: Signal, f: &RiskFacts) -> u32 {
        let w = &self.risk.weights;
        if f.has(RiskFacts::COUNTED_ONCE) {
            let weaker = if w.exit_criteria >= w.no_next_step {
                Signal::NoNextStep
            } else {
                Signal::ExitCriteria
            };
            if signal == weaker {
                return 0;
            }
        }
        self.distance(signal, f).points(signal.weight(w))
    }

    /// Each signal's grade in thousandths, in [`Signal::ALL`] order: 0 when it did not
    /// fire, else 1,000 at its threshold to 2,000 at three scales past it (what the stored
    /// history keeps for `history calibrate`, whatever the weights).
    pub(crate) fn grades(&self, f: &RiskFacts) -> [u16; 9] {
        let signals = f.signals();
        Signal::ALL.map(|s| {
            if signals.contains(s) {
                1_000 + (self.distance(s, f).share() * 1_000.0).round() as u16
            } else {
                0
            }
        })
    }

    /// A deal's score: the points of its signals, capped at 100.
    pub(crate) fn score(&self, f: &RiskFacts) -> u8 {
        f.signals()
            .iter()
            .map(|s| self.points(s, f))
            .sum::<u32>()
            .min(100) as u8
    }
}

/// "108×", "6.7×", "1.1×": how many times a limit `days` is (one decimal below 10).
pub(crate) fn times(days: i64, limit: i64) -> String {
    if limit <= 0 {
        return String::new();
    }
    let ratio = days as f64 / limit as f64;
    if ratio >= 10.0 {
        format!("{}×", crate::words::thousands(ratio.floor() as u64))
    } else {
        format!("{:.1}×", (ratio * 10.0).floor() / 10.0)
    }
}

#[cfg(test)]
mod tests;
