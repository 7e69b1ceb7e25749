//! Graded points on their boundaries, computed by hand from the module's table.

use chrono::NaiveDate;

use super::*;
use crate::deal::Signals;
use crate::rules::{ChangesRules, RiskRules};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

fn stage(max_days: Option<i64>, probability: Option<f64>) -> StageRule {
    StageRule {
        name: "Demo".to_string(),
        aliases: Vec::new(),
        probability,
        forecast: None,
        max_days,
        stale_days: None,
        requires: Vec::new(),
        outcome: None,
        severity: None,
    }
}

/// The points of `signal` for a deal with `facts`, closing on `close` (as of 2026-12-01).
fn points(signal: Signal, facts: &RiskFacts, close: Option<&str>, stage: &StageRule) -> u32 {
    let risk = RiskRules::default();
    let changes = ChangesRules::default();
    let g = Grader {
        as_of: day("2026-12-01"),
        close_date: close.map(day),
        stage: Some(stage),
        risk: &risk,
        changes: &changes,
    };
    g.points(signal, facts)
}

#[test]
fn overdue_grows_from_its_weight_to_twice_at_ninety_days() {
    let f = RiskFacts::default();
    let s = stage(None, None);
    // Weight 30: 1 day late → 30 + floor(30 × 1/90) = 30; 3 → 31; 45 → 45; 89 → 59;
    // 90 → 60; 300 → 60 (capped at twice the weight).
    for (close, want) in [
        ("2026-11-30", 30),
        ("2026-11-28", 31),
        ("2026-10-17", 45),
        ("2026-09-03", 59),
        ("2026-09-02", 60),
        ("2026-02-04", 60),
    ] {
        assert_eq!(
            points(Signal::Overdue, &f, Some(close), &s),
            want,
            "{close}"
        );
    }
}

#[test]
fn stale_is_graded_on_its_limit() {
    let s = stage(None, None);
    // Limit 14, weight 20: 15 idle days → 20 + floor(20 × 1/42) = 20; 35 → 20 + 10 = 30;
    // 56 (four times the limit) → 40; 1,523 → 40. No activity recorded: its weight.
    for (idle, want) in [(15, 20), (35, 30), (55, 39), (56, 40), (1_523, 40)] {
        let f = RiskFacts {
            last_activity: Some(day("2026-12-01") - chrono::Duration::days(idle)),
            ..RiskFacts::default()
        };
        assert_eq!(points(Signal::Stale, &f, None, &s), want, "{idle}");
    }
    assert_eq!(points(Signal::Stale, &RiskFacts::default(), None, &s), 20);
}

#[test]
fn stage_age_exit_criteria_and_pushes_are_graded() {
    let s = stage(Some(30), Some(60.0));
    // max_days 30, weight 15: 31 days → 15; 60 → 15 + floor(15 × 30/90) = 20; 120 → 30.
    for (days, want) in [(31, 15), (60, 20), (119, 29), (120, 30), (4_000, 30)] {
        let f = RiskFacts {
            days_in_stage: days,
            ..RiskFacts::default()
        };
        assert_eq!(points(Signal::StageAged, &f, None, &s), want, "{days}");
    }
    // Weight 20: 1 unmet → 20; 2 → 26; 3 → 33; 4 or more → 40.
    for (bits, more, want) in [
        (0b1, false, 20),
        (0b11, false, 26),
        (0b111, false, 33),
        (0b1111, false, 40),
        (0b11, true, 33),
    ] {
        let f = RiskFacts {
            exit_unmet: bits,
            flags: if more { RiskFacts::EXIT_MORE } else { 0 },
            ..RiskFacts::default()
        };
        assert_eq!(points(Signal::ExitCriteria, &f, None, &s), want, "{bits:b}");
    }
    // Weight 15: a push seen (count unknown) or 1 → 15; 2 → 20; 4 → 30; 9 → 30.
    for (n, want) in [(0, 15), (1, 15), (2, 20), (4, 30), (9, 30)] {
        let f = RiskFacts {
            push_count: n,
            ..RiskFacts::default()
        };
        assert_eq!(points(Signal::Pushed, &f, None, &s), want, "{n}");
    }
}

#[test]
fn probability_and_slipping_are_graded_on_their_thresholds() {
    let s = stage(None, Some(60.0));
    // Tolerance 20, weight 10: 10% against 60% is 50 off, 30 past → 10 + floor(10 × 30/60)
    // = 15; 90% against 60% is 30 off → 10 + floor(10 × 10/60) = 11.
    for (p, want) in [(10.0, 15), (90.0, 11), (100.0, 13)] {
        let f = RiskFacts {
            probability: (p * 10_000.0) as i32,
            flags: RiskFacts::PROBABILITY_OFF,
            ..RiskFacts::default()
        };
        assert_eq!(points(Signal::ForecastMismatch, &f, None, &s), want, "{p}");
    }
    // A forecast category the stage does not allow has no distance.
    let f = RiskFacts {
        flags: RiskFacts::FORECAST_OFF,
        ..RiskFacts::default()
    };
    assert_eq!(points(Signal::ForecastMismatch, &f, None, &s), 10);
    // serial_pushes 2, push_alarm_days 30, weight 20: 2 pushes → 20; 4 → 26; 8 → 40;
    // 1 push of 75 days → 20 + floor(20 × 45/90) = 30; the larger share counts.
    for (n, days, want) in [(2, 0, 20), (4, 0, 26), (8, 0, 40), (1, 75, 30), (4, 75, 30)] {
        let f = RiskFacts {
            push_count: n,
            push_days: days,
            ..RiskFacts::default()
        };
        assert_eq!(points(Signal::Slipping, &f, None, &s), want, "{n} {days}");
    }
}

#[test]
fn facts_without_distance_and_grading_off_score_the_weight() {
    let s = stage(Some(30), None);
    let f = RiskFacts {
        days_in_stage: 4_000,
        last_activity: Some(day("2020-01-01")),
        ..RiskFacts::default()
    };
    assert_eq!(points(Signal::NoNextStep, &f, None, &s), 10);
    assert_eq!(points(Signal::NoCloseDate, &f, None, &s), 20);
    let risk = RiskRules {
        grading: crate::rules::Grading::Off,
        ..RiskRules::default()
    };
    let changes = ChangesRules::default();
    let g = Grader {
        as_of: day("2026-12-01"),
        close_date: Some(day("2025-01-01")),
        stage: Some(&s),
        risk: &risk,
        changes: &changes,
    };
    for (signal, want) in [
        (Signal::StageAged, 15),
        (Signal::Stale, 20),
        (Signal::Overdue, 30),
    ] {
        assert_eq!(g.points(signal, &f), want, "{signal:?}");
    }
    // A zero threshold has no scale: the weight.
    let zero = RiskRules {
        stale_days: 0,
        ..RiskRules::default()
    };
    let g = Grader {
        risk: &zero,
        stage: None,
        ..g
    };
    assert_eq!(g.points(Signal::Stale, &f), 20);
}

#[test]
fn the_missing_next_step_scores_once_and_the_score_caps_at_100() {
    let s = stage(None, None);
    let mut f = RiskFacts {
        exit_unmet: 1,
        flags: RiskFacts::COUNTED_ONCE,
        ..RiskFacts::default()
    };
    let mut signals = Signals::default();
    signals.insert(Signal::ExitCriteria);
    signals.insert(Signal::NoNextStep);
    f.set_signals(signals);
    assert_eq!(points(Signal::ExitCriteria, &f, None, &s), 20);
    assert_eq!(points(Signal::NoNextStep, &f, None, &s), 0);
    let risk = RiskRules::default();
    let changes = ChangesRules::default();
    let g = Grader {
        as_of: day("2026-12-01"),
        close_date: Some(day("2025-01-01")),
        stage: Some(&s),
        risk: &risk,
        changes: &changes,
    };
    assert_eq!(g.score(&f), 20);
    let mut all = Signals::default();
    for sig in Signal::ALL {
        all.insert(sig);
    }
    f.set_signals(all);
    assert_eq!(f.signals(), all, "the ninth signal's bit is kept");
    assert_eq!(g.score(&f), 100);
}

#[test]
fn times_reads_as_a_person_says_it() {
    assert_eq!(times(1_523, 14), "108×");
    assert_eq!(times(19, 14), "1.3×");
    assert_eq!(times(200, 30), "6.6×");
    assert_eq!(times(30_000, 1), "30,000×");
    assert_eq!(times(5, 0), "");
}
