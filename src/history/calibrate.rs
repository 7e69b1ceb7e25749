//! `history calibrate`: risk weights learned from the team's own outcomes. Every deal of
//! the stored history seen open and then closed ([`super::outcomes`]) is one example: its
//! graded signals the last time it was seen open, and whether it was lost. P(lost |
//! signals) is fitted by L2-regularised logistic regression (`score::fit`) on the deals that
//! closed first (about 70%), and tested on those that closed last, against the default
//! weights, by AUC and Brier score. The fitted coefficients become points on the score's
//! scale, so the calibrated score still explains itself signal by signal.
//!
//! The scale: the `high` band stays at 60 points and stands for a loss probability halfway
//! between the training deals' loss rate and certainty; `medium` is the score at which a
//! deal is as likely lost as the average training deal. A coefficient `β` (log-odds per
//! grade) becomes `round(β × 60 / (logit(p_high) − β₀))` points, at most 100; a signal
//! that did not precede losses here gets 0.

use anyhow::Result;
use serde::Serialize;

use super::Store;
use super::outcomes::Closed;
use crate::deal::Signal;
use crate::rules::RiskWeights;
use crate::score::fit;

/// Fewer closed deals than this, or fewer lost (or won) ones than [`MIN_LOST`], and no fit
/// is made: the sample is too small to say anything but noise.
pub(crate) const MIN_CLOSED: usize = 100;
pub(crate) const MIN_LOST: usize = 20;
/// The share of closed deals (the first to close) the weights are fitted on.
pub(crate) const TRAIN_SHARE: (usize, usize) = (7, 10);
/// The ridge penalty on the coefficients (not the intercept).
pub(crate) const L2: f64 = 1.0;
/// The `high` band's threshold on the calibrated scale.
const HIGH_POINTS: f64 = 60.0;

/// The calibration, as `-f json` writes it (`pipelint.calibration/1`).
#[derive(Clone, Debug, Serialize)]
pub struct Calibration {
    pub snapshots: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    /// Deals seen open and then closed within the stored history.
    pub closed_deals: u64,
    pub lost: u64,
    /// Why no fit was made (too few closed or lost deals); the figures below are then empty.
    pub too_small: Option<String>,
    pub train: Split,
    pub test: Split,
    /// The default weights' score on the test deals.
    pub default: Measures,
    /// The calibrated weights' score on the test deals.
    pub calibrated: Measures,
    /// Points per signal, to paste into `[risk] weights`.
    pub weights: serde_json::Map<String, serde_json::Value>,
    pub bands: Bands,
    pub signals: Vec<SignalFit>,
    /// The fitted log-odds of loss of a deal with no signal.
    pub intercept: Option<f64>,
}

/// One side of the time split.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Split {
    pub deals: u64,
    pub lost: u64,
    /// The as-of of the first and last stored snapshot in which its deals were seen closed.
    pub closed_from: Option<String>,
    pub closed_to: Option<String>,
}

/// How well a score ranks and predicts the test deals' losses.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Measures {
    /// Area under the ROC curve: the chance a lost deal scores above a won one (0.5 is a
    /// coin toss).
    pub auc: Option<f64>,
    /// Mean squared error of the score read as a loss probability (a one-variable logistic
    /// fit of the score on the training deals): lower is better.
    pub brier: Option<f64>,
}

/// The calibrated band thresholds and the loss probabilities they stand for.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Bands {
    pub high: Option<u32>,
    pub medium: Option<u32>,
    pub high_loss_probability: Option<f64>,
    pub medium_loss_probability: Option<f64>,
}

impl Bands {
    /// `high`, `medium` and their loss probabilities, when a fit was made.
    pub fn fitted(&self) -> Option<(u32, u32, f64, f64)> {
        Some((
            self.high?,
            self.medium?,
            self.high_loss_probability?,
            self.medium_loss_probability?,
        ))
    }
}

/// One signal's fitted weight and its evidence.
#[derive(Clone, Debug, Serialize)]
pub struct SignalFit {
    pub signal: &'static str,
    /// Log-odds of loss per grade (1 at the threshold, up to 2).
    pub coefficient: f64,
    pub points: u32,
    pub default_points: u32,
    /// Closed deals that carried it when last seen open, and how many of them were lost.
    pub with: u64,
    pub lost_with: u64,
    /// Loss rate with ÷ loss rate without.
    pub lift: Option<f64>,
}

/// A deal's features: each signal's grade (0, or 1 to 2). A missing next step that counted
/// once is the `no_next_step` signal's alone.
fn features(c: &Closed) -> Vec<f64> {
    Signal::ALL
        .iter()
        .zip(c.grades)
        .map(|(s, g)| {
            if c.counted_once && *s == Signal::ExitCriteria {
                0.0
            } else {
                f64::from(g) / 1_000.0
            }
        })
        .collect()
}

/// The score of a deal under per-signal `points`, as the engine grades it: each fired
/// signal's points plus `floor(points × share)`, the weaker of `exit_criteria` and
/// `no_next_step` adding nothing when they said one fact, capped at 100.
fn score(c: &Closed, points: &[u32; 9]) -> u32 {
    let exit = Signal::ALL
        .iter()
        .position(|s| *s == Signal::ExitCriteria)
        .unwrap_or(0);
    let next = Signal::ALL
        .iter()
        .position(|s| *s == Signal::NoNextStep)
        .unwrap_or(0);
    let weaker = if points[exit] >= points[next] {
        next
    } else {
        exit
    };
    let mut total = 0u32;
    for (i, &g) in c.grades.iter().enumerate() {
        if g == 0 || (c.counted_once && i == weaker) {
            continue;
        }
        let w = points[i];
        total += w + (f64::from(w) * f64::from(g.saturating_sub(1_000)) / 1_000.0).floor() as u32;
    }
    total.min(100)
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

fn round(x: f64, places: i32) -> f64 {
    let m = 10f64.powi(places);
    (x * m).round() / m
}

/// AUC and Brier of `scores` on the test deals, the Brier through a one-variable logistic
/// fit of the training deals' scores.
fn measure(train: (&[u32], &[bool]), test: (&[u32], &[bool])) -> Measures {
    let as_x =
        |s: &[u32]| -> Vec<Vec<f64>> { s.iter().map(|&v| vec![f64::from(v) / 100.0]).collect() };
    let scores: Vec<f64> = test.0.iter().map(|&s| f64::from(s)).collect();
    let auc = fit::auc(&scores, test.1).map(|a| round(a, 4));
    let brier = fit::fit(&as_x(train.0), train.1, 1e-6).ok().and_then(|m| {
        let p: Vec<f64> = as_x(test.0).iter().map(|x| m.predict(x)).collect();
        fit::brier(&p, test.1).map(|b| round(b, 4))
    });
    Measures { auc, brier }
}

/// The as-of of a Julian day, as text.
fn day(n: i64) -> Option<String> {
    super::from_julian_day(n).map(|d| d.to_string())
}

fn split(deals: &[Closed]) -> Split {
    Split {
        deals: deals.len() as u64,
        lost: deals.iter().filter(|c| c.lost).count() as u64,
        closed_from: deals.first().and_then(|c| day(c.closed_day)),
        closed_to: deals.last().and_then(|c| day(c.closed_day)),
    }
}

/// Calibrate on the history in `store`.
pub(crate) fn run(store: &Store) -> Result<Calibration> {
    let snapshots = store
        .list()
        .map_err(|e| super::failed(&store.path, "read", e))?;
    let closed = super::outcomes::read(store, None)?;
    Ok(calibrate(
        &closed,
        snapshots.len() as u64,
        snapshots.first().map(|s| s.as_of.to_string()),
        snapshots.last().map(|s| s.as_of.to_string()),
    ))
}

/// Calibrate on `closed` (in the order they closed).
pub(crate) fn calibrate(
    closed: &[Closed],
    snapshots: u64,
    first: Option<String>,
    last: Option<String>,
) -> Calibration {
    let n = closed.len();
    let lost = closed.iter().filter(|c| c.lost).count();
    let mut out = Calibration {
        snapshots,
        first,
        last,
        closed_deals: n as u64,
        lost: lost as u64,
        too_small: None,
        train: Split::default(),
        test: Split::default(),
        default: Measures::default(),
        calibrated: Measures::default(),
        weights: serde_json::Map::new(),
        bands: Bands::default(),
        signals: Vec::new(),
        intercept: None,
    };
    if n < MIN_CLOSED || lost < MIN_LOST || n - lost < MIN_LOST {
        out.too_small = Some(format!(
            "{n} closed deals ({lost} lost, {} won): a fit needs at least {MIN_CLOSED} closed deals with {MIN_LOST} lost and {MIN_LOST} won, or it would be fitting noise; keep adding weekly snapshots (pipelint history add)",
            n - lost
        ));
        return out;
    }
    let cut = n * TRAIN_SHARE.0 / TRAIN_SHARE.1;
    let (train, test) = closed.split_at(cut);
    out.train = split(train);
    out.test = split(test);
    let x: Vec<Vec<f64>> = train.iter().map(features).collect();
    let y: Vec<bool> = train.iter().map(|c| c.lost).collect();
    let model = match fit::fit(&x, &y, L2) {
        Ok(m) => m,
        Err(why) => {
            out.too_small = Some(format!("the training deals cannot be fitted: {why}"));
            return out;
        }
    };
    // The scale: `high` at 60 points stands for a loss probability halfway between the
    // training loss rate and certainty; `medium` for the training loss rate.
    let rate = y.iter().filter(|&&l| l).count() as f64 / y.len() as f64;
    let p_high = rate + (1.0 - rate) / 2.0;
    let reach = logit(p_high) - model.intercept;
    let positive: f64 = model.weights.iter().map(|b| b.max(0.0)).sum();
    // A deal with no signal already past the high band's probability: the scale then puts
    // every signal at full grade at 100 points.
    let k = if reach > 0.0 {
        HIGH_POINTS / reach
    } else {
        100.0 / (2.0 * positive).max(f64::MIN_POSITIVE)
    };
    let mut points = [0u32; 9];
    for (p, b) in points.iter_mut().zip(&model.weights) {
        *p = (b * k).round().clamp(0.0, 100.0) as u32;
    }
    let medium = (k * (logit(rate) - model.intercept))
        .round()
        .clamp(0.0, HIGH_POINTS) as u32;
    out.bands = Bands {
        high: Some(HIGH_POINTS as u32),
        medium: Some(medium),
        high_loss_probability: Some(round(p_high, 4)),
        medium_loss_probability: Some(round(rate, 4)),
    };
    let defaults = RiskWeights::default();
    let default_points: [u32; 9] = Signal::ALL.map(|s| s.weight(&defaults));
    let scored = |deals: &[Closed], p: &[u32; 9]| -> Vec<u32> {
        deals.iter().map(|c| score(c, p)).collect()
    };
    let test_y: Vec<bool> = test.iter().map(|c| c.lost).collect();
    out.default = measure(
        (&scored(train, &default_points), &y),
        (&scored(test, &default_points), &test_y),
    );
    out.calibrated = measure(
        (&scored(train, &points), &y),
        (&scored(test, &points), &test_y),
    );
    for (i, s) in Signal::ALL.iter().enumerate() {
        out.weights
            .insert(s.name().to_string(), serde_json::Value::from(points[i]));
        let fired = |c: &&Closed| c.grades[i] > 0;
        let with = closed.iter().filter(fired).count() as u64;
        let lost_with = closed.iter().filter(fired).filter(|c| c.lost).count() as u64;
        let (without, lost_without) = (n as u64 - with, lost as u64 - lost_with);
        let lift = match (with, without) {
            (w, o) if w > 0 && o > 0 && lost_without > 0 => Some(round(
                (lost_with as f64 / w as f64) / (lost_without as f64 / o as f64),
                2,
            )),
            _ => None,
        };
        out.signals.push(SignalFit {
            signal: s.name(),
            coefficient: round(model.weights[i], 4),
            points: points[i],
            default_points: default_points[i],
            with,
            lost_with,
            lift,
        });
    }
    out.intercept = Some(round(model.intercept, 4));
    out
}

#[cfg(test)]
mod tests;
