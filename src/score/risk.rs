//! Forecast risk of an open deal: the sum of the weights of the signals that fire, capped at
//! 100, banded high / medium / low. Every score keeps its signals and the facts behind them,
//! so "why is this deal at risk?" is always answered in words.

use chrono::NaiveDate;
use serde::Serialize;

use crate::deal::{RiskFacts, Signal, Signals, StageKey};
use crate::facts::cell::Cell;
use crate::facts::plan::Plan;
use crate::facts::state::{Activity, DealState};
use crate::rules::RiskRules;
pub(crate) use crate::score::grade::Grader;
use crate::score::grade::times;
use crate::words::{number as fmt_number, plural, pushes};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
/// A forecast-risk band: high at `risk.high` or more, medium at `risk.medium` or more.
#[serde(rename_all = "lowercase")]
pub enum Band {
    Low,
    Medium,
    High,
}

impl Band {
    pub(crate) fn of(score: u8, risk: &RiskRules) -> Band {
        let s = u32::from(score);
        if s >= risk.high {
            Band::High
        } else if s >= risk.medium {
            Band::Medium
        } else {
            Band::Low
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Band::High => "high",
            Band::Medium => "medium",
            Band::Low => "low",
        }
    }
}

/// What the signals need beyond the hygiene state.
pub(crate) struct RiskInputs {
    pub(crate) exit_unmet: u16,
    /// A stage requirement past the 16th is unmet.
    pub(crate) exit_more: bool,
    /// The only unmet exit criterion is the next step (the field `no_next_step` reads).
    pub(crate) exit_only_next_step: bool,
    pub(crate) push_count: Option<f64>,
}

impl RiskInputs {
    /// Read from a deal's cells (the value checks') and stage: which of the stage's exit
    /// criteria are unmet, the push count.
    pub(crate) fn read(plan: &Plan<'_>, cells: &[Cell], stage: StageKey) -> RiskInputs {
        let mut exit_unmet = 0u16;
        let mut exit_more = false;
        let h = &plan.hygiene;
        let next_step = h.next_step.or(h.next_step_date);
        let (mut next_step_unmet, mut others_unmet) = (false, false);
        if let StageKey::Known(s, _) = stage {
            for r in plan.by_stage.get(s as usize).into_iter().flatten() {
                let slot = plan.slot_of[r.field];
                let unmet = slot.is_some_and(|slot| !matches!(cells[slot], Cell::Valid(_)));
                if unmet && slot == next_step {
                    next_step_unmet = true;
                } else if unmet {
                    others_unmet = true;
                }
                if unmet && r.pos < 16 {
                    exit_unmet |= 1 << r.pos;
                } else if unmet {
                    exit_more = true;
                }
            }
        }
        RiskInputs {
            exit_unmet,
            exit_more,
            exit_only_next_step: next_step_unmet && !others_unmet,
            push_count: h.push_count.and_then(|s| match cells[s] {
                Cell::Valid(crate::facts::cell::Parsed::Number(n)) => Some(n),
                _ => None,
            }),
        }
    }
}

/// The signals of an open deal (none for closed or unknown-stage deals).
pub(crate) fn assess(
    state: &DealState<'_>,
    inputs: &RiskInputs,
    as_of: NaiveDate,
    risk: &RiskRules,
) -> Signals {
    let mut s = Signals::default();
    if !state.is_open() {
        return s;
    }
    if state.overdue(as_of) {
        s.insert(Signal::Overdue);
    }
    if state.stale(as_of, risk) {
        s.insert(Signal::Stale);
    }
    if state.stage_aged_or_old(as_of) {
        s.insert(Signal::StageAged);
    }
    if inputs.exit_unmet != 0 || inputs.exit_more {
        s.insert(Signal::ExitCriteria);
    }
    if state.probability_off(risk).is_some() || state.forecast_not_allowed().is_some() {
        s.insert(Signal::ForecastMismatch);
    }
    if state.next_step_missing()
        || state.next_step_late(as_of).is_some()
        || state.next_step_filler()
    {
        s.insert(Signal::NoNextStep);
    }
    if inputs.push_count.is_some_and(|n| n > 0.0) {
        s.insert(Signal::Pushed);
    }
    if state.close_date_tracked && state.close_date_missing {
        s.insert(Signal::NoCloseDate);
    }
    s
}

/// Whether a deal's missing next step is both its one unmet exit criterion and its
/// `no_next_step` signal: one fact, scored once ([`Grader::points`]).
pub(crate) fn counted_once(signals: Signals, inputs: &RiskInputs, state: &DealState<'_>) -> bool {
    signals.contains(Signal::ExitCriteria)
        && signals.contains(Signal::NoNextStep)
        && inputs.exit_only_next_step
        && state.next_step_missing()
}

/// Everything needed to put a deal's signals into words.
pub(crate) struct Describe<'a> {
    pub(crate) grader: Grader<'a>,
    pub(crate) forecast: Option<&'a str>,
    /// Display names of the stage's `requires`, in order.
    pub(crate) requires: Vec<&'a str>,
}

/// One signal in words a sales manager reads without the docs, with how far past its
/// threshold the deal is: "overdue 20 days", "no activity for 1,523 days: 108× the 14-day
/// limit", "Commit not allowed in Demo".
pub(crate) fn describe(signal: Signal, facts: &RiskFacts, d: &Describe<'_>) -> String {
    let g = &d.grader;
    let stage = g.stage.map_or("?", |s| s.name.as_str());
    let days = |n: i64| format!("{} day{}", thousands_i(n), plural(n));
    match signal {
        Signal::Overdue => match g.close_date {
            Some(close) => format!("overdue {}", days((g.as_of - close).num_days())),
            None => "overdue".to_string(),
        },
        Signal::Stale => match facts.last_activity {
            Some(last) => {
                let idle = (g.as_of - last).num_days();
                let limit = g.stale_limit();
                format!(
                    "no activity for {}: {} the {limit}-day limit",
                    days(idle),
                    times(idle, limit)
                )
            }
            None => "no activity recorded".to_string(),
        },
        Signal::StageAged => {
            let max = g.stage.and_then(|s| s.max_days).unwrap_or(0);
            let over = if facts.has(RiskFacts::DAYS_CAPPED) {
                "over "
            } else {
                ""
            };
            match facts.days_in_stage() {
                None => format!("too long in {stage} (max {max} days)"),
                Some(n) if facts.has(RiskFacts::STAGE_FROM_AGE) => format!(
                    "open {over}{}, {} {stage}'s {max}-day limit (no stage-change date: its age)",
                    days(n),
                    times(n, max)
                ),
                Some(n) => format!(
                    "{over}{} in {stage}: {} the {max}-day limit",
                    days(n),
                    times(n, max)
                ),
            }
        }
        Signal::ExitCriteria => {
            let mut unmet: Vec<&str> = d
                .requires
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < 16 && facts.exit_unmet & (1 << i) != 0)
                .map(|(_, f)| *f)
                .collect();
            if facts.has(RiskFacts::EXIT_MORE) {
                unmet.push("and requirements past the 16th");
            }
            format!("exit criteria unmet for {stage}: {}", unmet.join(", "))
        }
        Signal::ForecastMismatch => {
            let mut parts = Vec::new();
            if let (Some(category), true) = (d.forecast, facts.has(RiskFacts::FORECAST_OFF)) {
                parts.push(format!("{category} not allowed in {stage}"));
            }
            if let (Some(expected), Some(p), true) = (
                g.stage.and_then(|s| s.probability),
                facts.probability(),
                facts.has(RiskFacts::PROBABILITY_OFF),
            ) {
                parts.push(format!(
                    "probability {}% vs {}% for {stage}",
                    fmt_number(p),
                    fmt_number(expected)
                ));
            }
            if parts.is_empty() {
                "forecast does not fit the stage".to_string()
            } else {
                parts.join("; ")
            }
        }
        Signal::NoNextStep => {
            let mut why = Vec::new();
            if facts.has(RiskFacts::NEXT_STEP_MISSING) {
                why.push("no next step".to_string());
            }
            if facts.has(RiskFacts::NEXT_STEP_EXPIRED) {
                let late = facts.next_step_late;
                why.push(format!("next step expired {late} day{} ago", plural(late)));
            }
            if facts.has(RiskFacts::NEXT_STEP_FILLER) {
                why.push("next step is filler".to_string());
            }
            if facts.has(RiskFacts::COUNTED_ONCE) {
                why.push("scored once with the exit criteria".to_string());
            }
            if why.is_empty() {
                // A deal read back from stored history keeps its signals, not their facts.
                "next step missing, expired or filler".to_string()
            } else {
                why.join("; ")
            }
        }
        Signal::Pushed => match facts.push_count {
            0 => "close date pushed".to_string(),
            n => pushes(u32::from(n), 0, facts.has(RiskFacts::PUSHES_CAPPED)),
        },
        Signal::Slipping => format!(
            "slipping: {}",
            pushes(
                u32::from(facts.push_count),
                u32::from(facts.push_days),
                facts.has(RiskFacts::PUSHES_CAPPED)
            )
        ),
        Signal::NoCloseDate => "no close date".to_string(),
    }
}

/// A whole number of days with thousands separators ("1,523").
fn thousands_i(n: i64) -> String {
    let digits = crate::words::thousands(n.unsigned_abs());
    if n < 0 { format!("-{digits}") } else { digits }
}

/// The facts to keep for a deal, from its state and signals (its score is the grader's,
/// [`Grader::score`], once the facts are complete).
pub(crate) fn facts(
    state: &DealState<'_>,
    inputs: &RiskInputs,
    as_of: NaiveDate,
    risk: &RiskRules,
    signals: Signals,
    forecast: u32,
) -> RiskFacts {
    let mut flags = 0;
    let mut flag = |on: bool, f: u16| {
        if on {
            flags |= f;
        }
    };
    flag(
        state.probability_off(risk).is_some(),
        RiskFacts::PROBABILITY_OFF,
    );
    flag(
        state.forecast_not_allowed().is_some(),
        RiskFacts::FORECAST_OFF,
    );
    flag(inputs.exit_more, RiskFacts::EXIT_MORE);
    let stage_days = state.stage_days(as_of);
    flag(
        stage_days.is_some_and(|(days, _)| days > i64::from(i32::MAX)),
        RiskFacts::DAYS_CAPPED,
    );
    flag(
        stage_days.is_some_and(|(_, from_age)| from_age),
        RiskFacts::STAGE_FROM_AGE,
    );
    flag(
        inputs.push_count.is_some_and(|n| n > f64::from(u16::MAX)),
        RiskFacts::PUSHES_CAPPED,
    );
    let late = state.next_step_late(as_of);
    flag(state.next_step_missing(), RiskFacts::NEXT_STEP_MISSING);
    flag(late.is_some(), RiskFacts::NEXT_STEP_EXPIRED);
    flag(state.next_step_filler(), RiskFacts::NEXT_STEP_FILLER);
    flag(state.status_open, RiskFacts::STATUS_OPEN);
    flag(
        counted_once(signals, inputs, state),
        RiskFacts::COUNTED_ONCE,
    );
    flags |= RiskFacts::outcome_flag(state.closed_as);
    let mut facts = RiskFacts {
        flags,
        exit_unmet: inputs.exit_unmet,
        push_count: inputs
            .push_count
            .map_or(0, |n| n.clamp(0.0, f64::from(u16::MAX)) as u16),
        next_step_late: late.map_or(0, |d| d.clamp(0, i64::from(u16::MAX)) as u16),
        last_activity: match state.activity {
            Activity::Last(d) => Some(d),
            _ => None,
        },
        days_in_stage: stage_days.map_or(i32::MIN, |(days, _)| {
            days.clamp(i64::from(i32::MIN) + 1, i64::from(i32::MAX)) as i32
        }),
        probability: state.probability.map_or(i32::MIN, |p| {
            (p * 10_000.0)
                .round()
                .clamp(f64::from(i32::MIN) + 1.0, f64::from(i32::MAX)) as i32
        }),
        forecast,
        ..RiskFacts::default()
    };
    facts.set_signals(signals);
    facts
}

/// The riskiest open deals (high and medium band), riskiest first: score descending, then
/// amount descending, then file and line. Kept as batches merge, so a report of a million
/// deals need not sort them: candidates are appended, and cut back to the `limit` best
/// (a selection, not a sort) whenever twice that many have gathered, so an offer costs
/// O(1) amortised whatever the limit (an insertion into a sorted list of 1,000 would move
/// kilobytes per deal).
#[derive(Clone, Debug, Default)]
pub(crate) struct Riskiest {
    limit: usize,
    entries: Vec<(RiskKey, u32)>,
    /// Keys at or after this cannot be among the best (the worst kept at the last cut).
    bound: Option<RiskKey>,
}

/// Orders deals riskiest first.
pub(crate) type RiskKey = (std::cmp::Reverse<u8>, std::cmp::Reverse<i64>, u32, u64);

pub(crate) fn risk_key(score: u8, amount: Option<i64>, file: u32, line: u64) -> RiskKey {
    (
        std::cmp::Reverse(score),
        std::cmp::Reverse(amount.unwrap_or(i64::MIN)),
        file,
        line,
    )
}

impl Riskiest {
    pub(crate) fn new(limit: usize) -> Riskiest {
        Riskiest {
            limit,
            entries: Vec::new(),
            bound: None,
        }
    }

    /// Consider deal `deal` with sort key `key`.
    pub(crate) fn offer(&mut self, key: RiskKey, deal: u32) {
        if self.limit == 0 || self.bound.is_some_and(|b| key >= b) {
            return;
        }
        self.entries.push((key, deal));
        if self.entries.len() >= 2 * self.limit {
            self.cut();
        }
    }

    /// Keep only the `limit` best.
    fn cut(&mut self) {
        if self.entries.len() <= self.limit {
            return;
        }
        self.entries.select_nth_unstable(self.limit - 1);
        self.entries.truncate(self.limit);
        // After the selection, the last kept is the worst of the best.
        self.bound = self.entries.last().map(|(k, _)| *k);
    }

    /// Take in another batch's, whose deal indices start at `offset` here.
    pub(crate) fn merge(&mut self, other: &Riskiest, offset: u32) {
        for &(key, deal) in &other.entries {
            self.offer(key, deal + offset);
        }
    }

    /// Deal indices, riskiest first (keys are unique: file and line tell any two apart).
    pub(crate) fn deals(&self) -> impl Iterator<Item = u32> + use<> {
        let mut best = self.entries.clone();
        best.sort_unstable();
        best.truncate(self.limit);
        best.into_iter().map(|(_, d)| d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands() {
        let r = RiskRules::default();
        assert_eq!(Band::of(60, &r), Band::High);
        assert_eq!(Band::of(59, &r), Band::Medium);
        assert_eq!(Band::of(30, &r), Band::Medium);
        assert_eq!(Band::of(29, &r), Band::Low);
    }

    /// The best `limit` keys, in order, whatever order they are offered in and however
    /// the offers are split between batches.
    #[test]
    fn riskiest_keeps_the_best_in_order() {
        let key = |i: u64| risk_key((i * 37 % 101) as u8, Some((i * 7919 % 1000) as i64), 0, i);
        let mut all: Vec<(RiskKey, u32)> = (0..5_000u64).map(|i| (key(i), i as u32)).collect();
        all.sort_unstable();
        let want: Vec<u32> = all.iter().take(300).map(|(_, d)| *d).collect();
        let mut one = Riskiest::new(300);
        for i in (0..5_000u64).rev() {
            one.offer(key(i), i as u32);
        }
        assert_eq!(one.deals().collect::<Vec<_>>(), want);
        let mut merged = Riskiest::new(300);
        for start in (0..5_000u64).step_by(1_000) {
            let mut batch = Riskiest::new(300);
            for i in start..start + 1_000 {
                batch.offer(key(i), (i - start) as u32);
            }
            merged.merge(&batch, start as u32);
        }
        assert_eq!(merged.deals().collect::<Vec<_>>(), want);
        assert_eq!(Riskiest::new(0).deals().count(), 0);
    }
}
