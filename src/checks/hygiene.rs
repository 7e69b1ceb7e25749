//! HYG001–HYG008: pipeline hygiene. Data that parses and is present but tells an
//! implausible story: close dates in the past or years out, deals nobody touched, stages
//! nobody left, probabilities and forecast categories the stage cannot support, won deals
//! worth nothing, deals that close before they were created.
//!
//! The same [`DealState`] feeds the forecast-risk signals (`score::risk`), so a finding and
//! the signal it corresponds to can never disagree.

use chrono::NaiveDate;

use super::Code;
use super::values::fmt_number;
use crate::input::mapping::FieldId;
use crate::rules::{RiskRules, StageRule, normalize_forecast, validate::forecast_label};
use crate::values::Money;

/// When the deal last had activity, as far as the export tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    /// The export has no last-activity column: staleness cannot be judged.
    NotTracked,
    /// The column is empty (or a placeholder) for this deal.
    NoneRecorded,
    /// The column holds a value that is not a date (already a VAL001).
    Unreadable,
    Last(NaiveDate),
}

/// How long the deal has been in its stage, and which field says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageTime {
    Unknown,
    Days { days: i64, field: FieldId },
}

/// What the hygiene checks and the risk signals look at, for one record.
#[derive(Clone, Copy, Debug)]
pub struct DealState<'a> {
    /// The deal's stage, when it is one of the rules' stages.
    pub stage: Option<&'a StageRule>,
    pub close_date: Option<NaiveDate>,
    pub created_date: Option<NaiveDate>,
    pub activity: Activity,
    pub stage_time: StageTime,
    /// Probability in points (0–100), when present and valid.
    pub probability: Option<f64>,
    /// The forecast category as written, when present.
    pub forecast: Option<&'a str>,
    /// The amount, when present and valid.
    pub amount: Option<Money>,
    /// The amount cell was empty (or a placeholder) and a REQ finding already says so.
    pub amount_already_reported: bool,
    pub amount_unreadable: bool,
}

impl DealState<'_> {
    /// Open: a known stage without an outcome. Unknown stages are neither open nor closed.
    pub fn is_open(&self) -> bool {
        self.stage.is_some_and(StageRule::is_open)
    }

    pub fn is_won(&self) -> bool {
        self.stage
            .is_some_and(|s| s.outcome == Some(crate::rules::Outcome::Won))
    }

    /// Days past the close date (positive when overdue).
    pub fn days_overdue(&self, as_of: NaiveDate) -> Option<i64> {
        self.close_date.map(|d| (as_of - d).num_days())
    }

    /// The stale limit that applies: the stage's own, else the rules'.
    pub fn stale_limit(&self, risk: &RiskRules) -> i64 {
        self.stage
            .and_then(|s| s.stale_days)
            .unwrap_or(risk.stale_days)
    }

    /// HYG001 / the `overdue` signal.
    pub fn overdue(&self, as_of: NaiveDate) -> bool {
        self.is_open() && self.days_overdue(as_of).is_some_and(|d| d > 0)
    }

    /// HYG002 / the `stale` signal: idle days beyond the limit, or none recorded.
    pub fn stale(&self, as_of: NaiveDate, risk: &RiskRules) -> bool {
        self.is_open()
            && match self.activity {
                Activity::NoneRecorded => true,
                Activity::Last(d) => (as_of - d).num_days() > self.stale_limit(risk),
                Activity::NotTracked | Activity::Unreadable => false,
            }
    }

    /// HYG003 / the `stage_aged` signal.
    pub fn stage_aged(&self) -> bool {
        match (
            self.is_open(),
            self.stage.and_then(|s| s.max_days),
            self.stage_time,
        ) {
            (true, Some(max), StageTime::Days { days, .. }) => days > max,
            _ => false,
        }
    }

    /// HYG004: probability more than the tolerance away from the stage's.
    pub fn probability_off(&self, risk: &RiskRules) -> Option<(f64, f64)> {
        let expected = self.stage?.probability?;
        let actual = self.probability?;
        ((actual - expected).abs() > risk.probability_tolerance).then_some((actual, expected))
    }

    /// HYG005: the forecast category, when the stage does not allow it.
    pub fn forecast_not_allowed(&self) -> Option<&str> {
        let allowed = self.stage?.forecast.as_ref()?;
        let category = self.forecast?;
        (!allowed.contains(&normalize_forecast(category))).then_some(category)
    }
}

/// Field ids the hygiene findings are reported on.
#[derive(Clone, Copy, Debug)]
pub struct HygieneFields {
    pub close_date: FieldId,
    pub last_activity: FieldId,
    pub probability: FieldId,
    pub forecast_category: FieldId,
    pub amount: FieldId,
}

/// Run HYG001–HYG008 on one record. `emit(code, field, message)` is called for each
/// finding; `enabled(code)` lets a switched-off check skip building its message.
pub fn check(
    state: &DealState<'_>,
    as_of: NaiveDate,
    risk: &RiskRules,
    fields: &HygieneFields,
    enabled: impl Fn(Code) -> bool,
    mut emit: impl FnMut(Code, FieldId, String),
) {
    let stage_name = state.stage.map_or("?", |s| s.name.as_str());
    if enabled(Code::Hyg001) && state.overdue(as_of) {
        if let (Some(date), Some(days)) = (state.close_date, state.days_overdue(as_of)) {
            emit(
                Code::Hyg001,
                fields.close_date,
                format!(
                    "close date {date} passed {days} day{} ago; set a new date or close the deal",
                    plural(days)
                ),
            );
        }
    }
    if enabled(Code::Hyg002) && state.stale(as_of, risk) {
        let message = match state.activity {
            Activity::Last(d) => format!(
                "no activity for {} days (limit {} in {stage_name}); log the latest activity or follow up",
                (as_of - d).num_days(),
                state.stale_limit(risk)
            ),
            _ => "no activity recorded; log the latest activity or follow up".to_string(),
        };
        emit(Code::Hyg002, fields.last_activity, message);
    }
    if enabled(Code::Hyg003) && state.stage_aged() {
        if let (StageTime::Days { days, field }, Some(max)) =
            (state.stage_time, state.stage.and_then(|s| s.max_days))
        {
            emit(
                Code::Hyg003,
                field,
                format!(
                    "in {stage_name} for {days} days (limit {max}); advance the deal, move it back, or close it"
                ),
            );
        }
    }
    if enabled(Code::Hyg004) {
        if let Some((actual, expected)) = state.probability_off(risk) {
            emit(
                Code::Hyg004,
                fields.probability,
                format!(
                    "probability {}% but {stage_name} expects {}% (±{}); align the probability or the stage",
                    fmt_number(actual),
                    fmt_number(expected),
                    fmt_number(risk.probability_tolerance)
                ),
            );
        }
    }
    if enabled(Code::Hyg005) {
        if let Some(category) = state.forecast_not_allowed() {
            let allowed = state
                .stage
                .and_then(|s| s.forecast.as_ref())
                .map(|list| {
                    list.iter()
                        .map(|f| forecast_label(f))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            emit(
                Code::Hyg005,
                fields.forecast_category,
                format!(
                    "{category} is not allowed in {stage_name} (allowed: {allowed}); lower the forecast category or advance the deal"
                ),
            );
        }
    }
    if enabled(Code::Hyg006) && state.is_won() && !state.amount_unreadable {
        let message = match state.amount {
            Some(m) if m.is_positive() => None,
            Some(m) => Some(format!("won deal has amount {m}; record what was sold")),
            None if state.amount_already_reported => None,
            None => Some("won deal has no amount; record what was sold".to_string()),
        };
        if let Some(message) = message {
            emit(Code::Hyg006, fields.amount, message);
        }
    }
    if enabled(Code::Hyg007) {
        if let (Some(close), Some(created)) = (state.close_date, state.created_date) {
            if close < created {
                emit(
                    Code::Hyg007,
                    fields.close_date,
                    format!(
                        "close date {close} is before the created date {created}; correct whichever is wrong"
                    ),
                );
            }
        }
    }
    if enabled(Code::Hyg008) && state.is_open() {
        if let Some(close) = state.close_date {
            let ahead = (close - as_of).num_days();
            if ahead > risk.horizon_days {
                emit(
                    Code::Hyg008,
                    fields.close_date,
                    format!(
                        "close date {close} is {ahead} days out (horizon {}); bring it in or close the deal",
                        risk.horizon_days
                    ),
                );
            }
        }
    }
}

fn plural(n: i64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// DUP002's notion of "the same name": lower case, letters and digits only, words separated
/// by single spaces ("Acme - Renewal, 2027" → "acme renewal 2027"). Written into `out`.
pub fn normalize_name(s: &str, out: &mut String) {
    out.clear();
    let mut gap = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_case_punctuation_and_spacing() {
        let mut a = String::new();
        let mut b = String::new();
        normalize_name("Acme - Renewal, 2027", &mut a);
        normalize_name("  ACME renewal 2027. ", &mut b);
        assert_eq!(a, "acme renewal 2027");
        assert_eq!(a, b);
        normalize_name("Globex — Expansion", &mut a);
        assert_eq!(a, "globex expansion");
    }
}
