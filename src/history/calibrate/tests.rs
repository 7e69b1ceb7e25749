//! Calibration on deals whose losses follow a known model: it must find the model's
//! strongest signal with its sign, rank the held-out deals better than the default weights,
//! and refuse a sample too small to fit.

use super::*;
use crate::deal::Signals;

/// A small deterministic generator (64-bit LCG, top bits), so the test needs no crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` closed deals: each signal fires with chance 0.3 at a grade from 1 to 2, and the
/// deal is lost with P = sigmoid(−1.5 + Σ β·grade), where `no_next_step` has β = 1.5 (the
/// strongest; its default weight is among the smallest), `stale` 0.8, `overdue` 0 (the
/// largest default weight, no effect here) and `forecast_mismatch` −0.6.
fn deals(n: usize, seed: u64) -> Vec<Closed> {
    let beta = |s: Signal| match s {
        Signal::NoNextStep => 1.5,
        Signal::Stale => 0.8,
        Signal::ForecastMismatch => -0.6,
        _ => 0.0,
    };
    let mut rng = Lcg(seed);
    (0..n)
        .map(|i| {
            let mut grades = [0u16; 9];
            let mut logit = -1.5;
            for (g, s) in grades.iter_mut().zip(Signal::ALL) {
                if rng.next() < 0.3 {
                    *g = 1_000 + (rng.next() * 1_000.0) as u16;
                    logit += beta(s) * f64::from(*g) / 1_000.0;
                }
            }
            let lost = rng.next() < 1.0 / (1.0 + (-logit).exp());
            Closed {
                key: format!("D-{i:05}"),
                closed_day: 2_461_000 + (i / 100) as i64,
                lost,
                score: 0,
                grades,
                counted_once: false,
                signals_ever: Signals::default(),
            }
        })
        .collect()
}

#[test]
fn recovers_the_strongest_signal_and_beats_the_default_weights() {
    let closed = deals(4_000, 7);
    let c = calibrate(&closed, 40, None, None);
    assert_eq!(c.too_small, None);
    assert_eq!(
        (c.closed_deals, c.train.deals, c.test.deals),
        (4_000, 2_800, 1_200)
    );
    let strongest = c
        .signals
        .iter()
        .max_by(|a, b| a.coefficient.total_cmp(&b.coefficient))
        .expect("signals");
    assert_eq!(strongest.signal, "no_next_step");
    assert!(
        (strongest.coefficient - 1.5).abs() < 0.3,
        "{}",
        strongest.coefficient
    );
    let of = |name: &str| c.signals.iter().find(|s| s.signal == name).expect(name);
    assert!(of("stale").coefficient > 0.4, "{:?}", of("stale"));
    assert!(of("forecast_mismatch").coefficient < -0.2);
    // A signal that did not precede losses scores nothing; the strongest the most.
    assert_eq!(of("forecast_mismatch").points, 0);
    assert!(of("no_next_step").points > of("stale").points);
    assert!(of("stale").points > of("overdue").points);
    let (default, calibrated) = (
        c.default.auc.expect("default AUC"),
        c.calibrated.auc.expect("calibrated AUC"),
    );
    assert!(
        calibrated > default + 0.05,
        "calibrated {calibrated} vs default {default}"
    );
    assert!(c.calibrated.brier < c.default.brier);
    assert_eq!(c.bands.high, Some(60));
    assert!(c.bands.medium.is_some_and(|m| m < 60));
    // The same deals give the same calibration, to the bit.
    let again = calibrate(&closed, 40, None, None);
    assert_eq!(
        serde_json::to_string(&again).expect("json"),
        serde_json::to_string(&c).expect("json")
    );
}

#[test]
fn a_sample_too_small_is_refused_not_fitted() {
    for (n, why) in [(99, "99 closed deals"), (0, "0 closed deals")] {
        let c = calibrate(&deals(n, 3), 2, None, None);
        let said = c.too_small.expect("too small");
        assert!(said.starts_with(why), "{said}");
        assert!(c.weights.is_empty() && c.default.auc.is_none());
    }
    // Enough deals, too few lost.
    let mut few_lost = deals(500, 5);
    for (i, c) in few_lost.iter_mut().enumerate() {
        c.lost = i % 50 == 0;
    }
    let c = calibrate(&few_lost, 2, None, None);
    assert!(
        c.too_small
            .as_deref()
            .is_some_and(|s| s.contains("(10 lost")),
        "{:?}",
        c.too_small
    );
}

#[test]
fn the_score_is_graded_and_counts_the_next_step_once() {
    let mut c = deals(1, 1).remove(0);
    let mut points = [0u32; 9];
    // exit_criteria 20 at grade 1.5 → 20 + 10; no_next_step 10 at grade 1 → 10.
    let exit = Signal::ALL
        .iter()
        .position(|s| *s == Signal::ExitCriteria)
        .expect("exit");
    let next = Signal::ALL
        .iter()
        .position(|s| *s == Signal::NoNextStep)
        .expect("next");
    points[exit] = 20;
    points[next] = 10;
    c.grades = [0; 9];
    c.grades[exit] = 1_500;
    c.grades[next] = 1_000;
    assert_eq!(score(&c, &points), 40);
    c.counted_once = true;
    assert_eq!(score(&c, &points), 30, "the weaker adds nothing");
    assert_eq!(features(&c)[exit], 0.0, "the fact is the next step's");
    points[exit] = 100;
    assert_eq!(score(&c, &points), 100, "capped");
}
