//! Forecast risk of an open deal: the sum of the weights of the signals that fire, capped at
//! 100, banded high / medium / low. Every score keeps its signals and the facts behind them,
//! so "why is this deal at risk?" is always answered in words.

use chrono::NaiveDate;
use serde::Serialize;

use crate::checks::hygiene::{Activity, DealState, StageTime};
use crate::checks::values::fmt_number;
use crate::rules::{Outcome, RiskRules, RiskWeights, StageRule, validate::forecast_label};

/// A reason a deal is at risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    Overdue,
    Stale,
    StageAged,
    ExitCriteria,
    ForecastMismatch,
    NoNextStep,
    Pushed,
}

impl Signal {
    pub const ALL: [Signal; 7] = [
        Signal::Overdue,
        Signal::Stale,
        Signal::StageAged,
        Signal::ExitCriteria,
        Signal::ForecastMismatch,
        Signal::NoNextStep,
        Signal::Pushed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Signal::Overdue => "overdue",
            Signal::Stale => "stale",
            Signal::StageAged => "stage_aged",
            Signal::ExitCriteria => "exit_criteria",
            Signal::ForecastMismatch => "forecast_mismatch",
            Signal::NoNextStep => "no_next_step",
            Signal::Pushed => "pushed",
        }
    }

    pub fn weight(self, w: &RiskWeights) -> u32 {
        match self {
            Signal::Overdue => w.overdue,
            Signal::Stale => w.stale,
            Signal::StageAged => w.stage_aged,
            Signal::ExitCriteria => w.exit_criteria,
            Signal::ForecastMismatch => w.forecast_mismatch,
            Signal::NoNextStep => w.no_next_step,
            Signal::Pushed => w.pushed,
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of signals, one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Signals(pub u8);

impl Signals {
    pub fn insert(&mut self, s: Signal) {
        self.0 |= s.bit();
    }

    pub fn contains(self, s: Signal) -> bool {
        self.0 & s.bit() != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Signal> {
        Signal::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// The sum of the fired signals' weights, capped at 100.
    pub fn score(self, w: &RiskWeights) -> u8 {
        self.iter().map(|s| s.weight(w)).sum::<u32>().min(100) as u8
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    Low,
    Medium,
    High,
}

impl Band {
    pub fn of(score: u8, risk: &RiskRules) -> Band {
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

/// What a deal's risk rests on, kept per deal (20 bytes) so the signals can be put into
/// words when a report needs them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RiskFacts {
    pub signals: Signals,
    pub score: u8,
    /// Bit i: the stage's i-th `requires` field is missing or invalid (the first 16;
    /// [`RiskFacts::EXIT_MORE`] says whether later ones are too).
    pub exit_unmet: u16,
    /// Pushes, up to `u16::MAX` ([`RiskFacts::PUSHES_CAPPED`] when more).
    pub push_count: u16,
    pub last_activity: Option<NaiveDate>,
    /// Days in the current stage; `i32::MIN` when unknown ([`RiskFacts::DAYS_CAPPED`] when
    /// beyond `i32`).
    pub days_in_stage: i32,
    /// Probability in ten-thousandths of a point, as read (exact to the four decimals a
    /// message shows); `i32::MIN` when unknown.
    pub probability: i32,
    /// What the checks decided, so that words never re-test rounded values.
    pub flags: u8,
    /// Interned forecast category; `u32::MAX` when none.
    pub forecast: u32,
    /// Won or lost by the status column, whatever the stage.
    pub closed_as: Option<Outcome>,
}

impl RiskFacts {
    /// The probability is off the stage's by more than the tolerance (HYG004).
    pub const PROBABILITY_OFF: u8 = 1;
    /// The forecast category is not allowed in the stage (HYG005).
    pub const FORECAST_OFF: u8 = 2;
    /// A stage requirement past the 16th is unmet too.
    pub const EXIT_MORE: u8 = 4;
    /// `days_in_stage` and `push_count` hold their type's maximum, not the value.
    pub const DAYS_CAPPED: u8 = 8;
    pub const PUSHES_CAPPED: u8 = 16;

    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// The probability in points, as read.
    pub fn probability(&self) -> Option<f64> {
        (self.probability != i32::MIN).then(|| f64::from(self.probability) / 10_000.0)
    }

    pub fn days_in_stage(&self) -> Option<i64> {
        (self.days_in_stage != i32::MIN).then_some(i64::from(self.days_in_stage))
    }
}

impl Default for RiskFacts {
    fn default() -> Self {
        RiskFacts {
            signals: Signals::default(),
            score: 0,
            exit_unmet: 0,
            push_count: 0,
            last_activity: None,
            days_in_stage: i32::MIN,
            probability: i32::MIN,
            flags: 0,
            forecast: u32::MAX,
            closed_as: None,
        }
    }
}

/// What the signals need beyond the hygiene state.
pub struct RiskInputs {
    pub exit_unmet: u16,
    /// A stage requirement past the 16th is unmet.
    pub exit_more: bool,
    /// `None` when the export has no next-step column.
    pub next_step_missing: Option<bool>,
    pub push_count: Option<f64>,
}

/// The signals of an open deal (none for closed or unknown-stage deals).
pub fn assess(
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
    if state.stage_aged() {
        s.insert(Signal::StageAged);
    }
    if inputs.exit_unmet != 0 || inputs.exit_more {
        s.insert(Signal::ExitCriteria);
    }
    if state.probability_off(risk).is_some() || state.forecast_not_allowed().is_some() {
        s.insert(Signal::ForecastMismatch);
    }
    if inputs.next_step_missing == Some(true) {
        s.insert(Signal::NoNextStep);
    }
    if inputs.push_count.is_some_and(|n| n > 0.0) {
        s.insert(Signal::Pushed);
    }
    s
}

/// Everything needed to put a deal's signals into words.
pub struct Describe<'a> {
    pub as_of: NaiveDate,
    pub risk: &'a RiskRules,
    pub stage: Option<&'a StageRule>,
    pub close_date: Option<NaiveDate>,
    pub forecast: Option<&'a str>,
    /// Display names of the stage's `requires`, in order.
    pub requires: Vec<&'a str>,
}

/// One signal in words a sales manager reads without the docs: "overdue 20 days",
/// "no activity 19 days", "Commit not allowed in Demo".
pub fn describe(signal: Signal, facts: &RiskFacts, d: &Describe<'_>) -> String {
    let stage = d.stage.map_or("?", |s| s.name.as_str());
    match signal {
        Signal::Overdue => match d.close_date {
            Some(close) => {
                let days = (d.as_of - close).num_days();
                format!("overdue {days} day{}", if days == 1 { "" } else { "s" })
            }
            None => "overdue".to_string(),
        },
        Signal::Stale => match facts.last_activity {
            Some(last) => format!("no activity {} days", (d.as_of - last).num_days()),
            None => "no activity recorded".to_string(),
        },
        Signal::StageAged => {
            let max = d.stage.and_then(|s| s.max_days).unwrap_or(0);
            match facts.days_in_stage() {
                None => format!("too long in {stage} (max {max} days)"),
                Some(days) if facts.has(RiskFacts::DAYS_CAPPED) => {
                    format!("over {days} days in {stage} (max {max})")
                }
                Some(days) => format!("{days} days in {stage} (max {max})"),
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
                d.stage.and_then(|s| s.probability),
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
        Signal::NoNextStep => "no next step".to_string(),
        Signal::Pushed => match facts.push_count {
            0 => "close date pushed".to_string(),
            1 => "pushed once".to_string(),
            n if facts.has(RiskFacts::PUSHES_CAPPED) => format!("pushed over {n} times"),
            n => format!("pushed {n} times"),
        },
    }
}

/// The facts to keep for a deal, from its state and signals.
pub fn facts(
    state: &DealState<'_>,
    inputs: &RiskInputs,
    risk: &RiskRules,
    signals: Signals,
    score: u8,
    forecast: u32,
) -> RiskFacts {
    let mut flags = 0;
    let mut flag = |on: bool, f: u8| {
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
    flag(
        matches!(state.stage_time, StageTime::Days { days, .. } if days > i64::from(i32::MAX)),
        RiskFacts::DAYS_CAPPED,
    );
    flag(
        inputs.push_count.is_some_and(|n| n > f64::from(u16::MAX)),
        RiskFacts::PUSHES_CAPPED,
    );
    RiskFacts {
        flags,
        signals,
        score,
        exit_unmet: inputs.exit_unmet,
        push_count: inputs
            .push_count
            .map_or(0, |n| n.clamp(0.0, f64::from(u16::MAX)) as u16),
        last_activity: match state.activity {
            Activity::Last(d) => Some(d),
            _ => None,
        },
        days_in_stage: match state.stage_time {
            StageTime::Days { days, .. } => {
                days.clamp(i64::from(i32::MIN) + 1, i64::from(i32::MAX)) as i32
            }
            StageTime::Unknown => i32::MIN,
        },
        probability: state.probability.map_or(i32::MIN, |p| {
            (p * 10_000.0)
                .round()
                .clamp(f64::from(i32::MIN) + 1.0, f64::from(i32::MAX)) as i32
        }),
        forecast,
        closed_as: state.closed_as,
    }
}

/// The riskiest open deals (high and medium band), riskiest first: score descending, then
/// amount descending, then file and line. Kept as batches merge, so a report of a million
/// deals need not sort them.
#[derive(Clone, Debug, Default)]
pub struct Riskiest {
    limit: usize,
    entries: Vec<(RiskKey, u32)>,
}

/// Orders deals riskiest first.
pub type RiskKey = (std::cmp::Reverse<u8>, std::cmp::Reverse<i64>, u32, u64);

pub fn risk_key(score: u8, amount: Option<i64>, file: u32, line: u64) -> RiskKey {
    (
        std::cmp::Reverse(score),
        std::cmp::Reverse(amount.unwrap_or(i64::MIN)),
        file,
        line,
    )
}

impl Riskiest {
    pub fn new(limit: usize) -> Riskiest {
        Riskiest {
            limit,
            entries: Vec::new(),
        }
    }

    /// Consider deal `deal` with sort key `key`.
    pub fn offer(&mut self, key: RiskKey, deal: u32) {
        if self.entries.len() == self.limit
            && self.entries.last().is_none_or(|(last, _)| key >= *last)
        {
            return;
        }
        let pos = self.entries.partition_point(|(k, _)| *k < key);
        self.entries.insert(pos, (key, deal));
        self.entries.truncate(self.limit);
    }

    /// Take in another batch's, whose deal indices start at `offset` here.
    pub fn merge(&mut self, other: &Riskiest, offset: u32) {
        for &(key, deal) in &other.entries {
            self.offer(key, deal + offset);
        }
    }

    /// Deal indices, riskiest first.
    pub fn deals(&self) -> impl Iterator<Item = u32> + '_ {
        self.entries.iter().map(|(_, d)| *d)
    }
}

/// The label of a normalised forecast category, for messages.
pub fn forecast_word(norm: &str) -> &str {
    forecast_label(norm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_cap_at_100_and_band() {
        let w = RiskWeights::default();
        let mut s = Signals::default();
        s.insert(Signal::Overdue);
        s.insert(Signal::Stale);
        assert_eq!(s.score(&w), 50);
        for sig in Signal::ALL {
            s.insert(sig);
        }
        assert_eq!(s.score(&w), 100);
        let r = RiskRules::default();
        assert_eq!(Band::of(60, &r), Band::High);
        assert_eq!(Band::of(59, &r), Band::Medium);
        assert_eq!(Band::of(30, &r), Band::Medium);
        assert_eq!(Band::of(29, &r), Band::Low);
        let names: Vec<&str> = s.iter().map(Signal::name).collect();
        assert_eq!(names.len(), 7);
    }
}
