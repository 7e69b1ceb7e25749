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
use crate::rules::{Outcome, RiskRules, StageRule, validate::forecast_label};
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
    /// Won or lost by the status column (Pipedrive keeps the outcome apart from the stage,
    /// which stays where the deal closed).
    pub closed_as: Option<Outcome>,
    pub close_date: Option<NaiveDate>,
    pub created_date: Option<NaiveDate>,
    pub activity: Activity,
    pub stage_time: StageTime,
    /// Probability in points (0–100), when present and valid.
    pub probability: Option<f64>,
    /// The forecast category as written, when present, and normalised
    /// ([`normalize_forecast`]).
    pub forecast: Option<&'a str>,
    pub forecast_norm: Option<&'a str>,
    /// The amount, when present and valid.
    pub amount: Option<Money>,
    /// The amount cell was empty (or a placeholder) and a REQ finding already says so.
    pub amount_already_reported: bool,
    pub amount_unreadable: bool,
    /// The export has an amount column read as money (else HYG006 cannot judge).
    pub amount_tracked: bool,
}

impl DealState<'_> {
    /// Open: a known stage without an outcome, not closed by the status column. Unknown
    /// stages are neither open nor closed.
    pub fn is_open(&self) -> bool {
        self.closed_as.is_none() && self.stage.is_some_and(StageRule::is_open)
    }

    pub fn is_won(&self) -> bool {
        match self.closed_as {
            Some(outcome) => outcome == Outcome::Won,
            None => self.stage.is_some_and(|s| s.outcome == Some(Outcome::Won)),
        }
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
        let norm = self.forecast_norm?;
        (!allowed.iter().any(|a| a == norm)).then_some(category)
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

/// Run HYG001–HYG008 on one record. `emit(code, field, stored)` is called for each
/// finding: `stored` is the message when it cannot be rebuilt later from the deal's facts
/// (HYG007 needs the created date, which deals do not keep); otherwise `None`, and
/// [`message`] words it when the finding is shown. `enabled(code)` skips switched-off checks.
pub fn check(
    state: &DealState<'_>,
    as_of: NaiveDate,
    risk: &RiskRules,
    fields: &HygieneFields,
    enabled: impl Fn(Code) -> bool,
    mut emit: impl FnMut(Code, FieldId, Option<String>),
) {
    if enabled(Code::Hyg001) && state.overdue(as_of) {
        emit(Code::Hyg001, fields.close_date, None);
    }
    if enabled(Code::Hyg002) && state.stale(as_of, risk) {
        emit(Code::Hyg002, fields.last_activity, None);
    }
    if enabled(Code::Hyg003) && state.stage_aged() {
        if let StageTime::Days { field, .. } = state.stage_time {
            emit(Code::Hyg003, field, None);
        }
    }
    if enabled(Code::Hyg004) && state.probability_off(risk).is_some() {
        emit(Code::Hyg004, fields.probability, None);
    }
    if enabled(Code::Hyg005) && state.forecast_not_allowed().is_some() {
        emit(Code::Hyg005, fields.forecast_category, None);
    }
    if enabled(Code::Hyg006) && state.amount_tracked && state.is_won() && !state.amount_unreadable {
        let fires = match state.amount {
            Some(m) => !m.is_positive(),
            None => !state.amount_already_reported,
        };
        if fires {
            emit(Code::Hyg006, fields.amount, None);
        }
    }
    if enabled(Code::Hyg007) {
        if let (Some(close), Some(created)) = (state.close_date, state.created_date) {
            if close < created {
                emit(
                    Code::Hyg007,
                    fields.close_date,
                    Some(format!(
                        "close date {close} is before the created date {created}; correct whichever is wrong"
                    )),
                );
            }
        }
    }
    if enabled(Code::Hyg008) && state.is_open() {
        if let Some(close) = state.close_date {
            if (close - as_of).num_days() > risk.horizon_days {
                emit(Code::Hyg008, fields.close_date, None);
            }
        }
    }
}

/// What a hygiene message is worded from: the facts a deal keeps.
pub struct Facts<'a> {
    pub as_of: NaiveDate,
    pub risk: &'a RiskRules,
    pub stage: Option<&'a StageRule>,
    pub close_date: Option<NaiveDate>,
    pub last_activity: Option<NaiveDate>,
    pub days_in_stage: Option<i64>,
    /// `days_in_stage` is a cap, not the value.
    pub days_capped: bool,
    pub probability: Option<f64>,
    pub forecast: Option<&'a str>,
    pub amount: Option<Money>,
}

/// The message of a hygiene finding, from the deal's facts.
pub fn message(code: Code, f: &Facts<'_>) -> String {
    let stage = f.stage.map_or("?", |s| s.name.as_str());
    let date = |d: Option<NaiveDate>| d.map_or("?".to_string(), |d| d.to_string());
    match code {
        Code::Hyg001 => {
            let days = f.close_date.map_or(0, |d| (f.as_of - d).num_days());
            format!(
                "close date {} passed {days} day{} ago; set a new date or close the deal",
                date(f.close_date),
                plural(days)
            )
        }
        Code::Hyg002 => match f.last_activity {
            Some(d) => format!(
                "no activity for {} days (limit {} in {stage}); log the latest activity or follow up",
                (f.as_of - d).num_days(),
                f.stage
                    .and_then(|s| s.stale_days)
                    .unwrap_or(f.risk.stale_days)
            ),
            None => "no activity recorded; log the latest activity or follow up".to_string(),
        },
        Code::Hyg003 => format!(
            "in {stage} for {}{} days (limit {}); advance the deal, move it back, or close it",
            if f.days_capped { "over " } else { "" },
            f.days_in_stage.map_or("?".to_string(), |d| d.to_string()),
            f.stage.and_then(|s| s.max_days).unwrap_or(0)
        ),
        Code::Hyg004 => format!(
            "probability {}% but {stage} expects {}% (±{}); align the probability or the stage",
            f.probability.map_or("?".to_string(), fmt_number),
            f.stage
                .and_then(|s| s.probability)
                .map_or("?".to_string(), fmt_number),
            fmt_number(f.risk.probability_tolerance)
        ),
        Code::Hyg005 => {
            let allowed = f
                .stage
                .and_then(|s| s.forecast.as_ref())
                .map(|list| {
                    list.iter()
                        .map(|c| forecast_label(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            format!(
                "{} is not allowed in {stage} (allowed: {allowed}); lower the forecast category or advance the deal",
                f.forecast.unwrap_or("?")
            )
        }
        Code::Hyg006 => match f.amount {
            Some(m) => format!("won deal has amount {m}; record what was sold"),
            None => "won deal has no amount; record what was sold".to_string(),
        },
        Code::Hyg008 => {
            let ahead = f.close_date.map_or(0, |d| (d - f.as_of).num_days());
            format!(
                "close date {} is {ahead} days out (horizon {}); bring it in or close the deal",
                date(f.close_date),
                f.risk.horizon_days
            )
        }
        other => format!("{other}"),
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
    if s.is_ascii() {
        // The common case, byte by byte.
        for &b in s.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if gap && !out.is_empty() {
                    out.push(' ');
                }
                gap = false;
                out.push(char::from(b.to_ascii_lowercase()));
            } else {
                gap = true;
            }
        }
        return;
    }
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

/// Hash of `s` as [`normalize_name`] folds it, without building the folded text (ASCII;
/// `None` for other text, which takes the slower path).
pub fn folded_hash(s: &str) -> Option<u64> {
    use std::hash::Hasher;
    if !s.is_ascii() {
        return None;
    }
    let mut h = rustc_hash::FxHasher::default();
    let (mut word, mut n, mut gap, mut any) = (0u64, 0u32, false, false);
    let mut push = |b: u8, h: &mut rustc_hash::FxHasher| {
        word |= u64::from(b) << (8 * n);
        n += 1;
        if n == 8 {
            h.write_u64(word);
            word = 0;
            n = 0;
        }
    };
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() {
            if gap && any {
                push(b' ', &mut h);
            }
            push(b.to_ascii_lowercase(), &mut h);
            gap = false;
            any = true;
        } else {
            gap = true;
        }
    }
    h.write_u64(word);
    h.write_u32(n);
    Some(h.finish())
}

/// Hash of the folded text, for any text.
pub fn folded_hash_any(s: &str, scratch: &mut String) -> u64 {
    folded_hash(s).unwrap_or_else(|| {
        normalize_name(s, scratch);
        // Folded non-ASCII text hashes through the same word scheme when it folds to ASCII.
        folded_hash(scratch).unwrap_or_else(|| {
            use std::hash::{Hash, Hasher};
            let mut h = rustc_hash::FxHasher::default();
            scratch.hash(&mut h);
            h.finish()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_hash_agrees_with_folded_text() {
        let mut buf = String::new();
        for (a, b) in [
            ("Acme - Renewal, 2027", "  ACME renewal 2027. "),
            ("Globex Expansion", "globex   expansion"),
        ] {
            assert_eq!(folded_hash(a), folded_hash(b));
            normalize_name(a, &mut buf);
            assert_eq!(folded_hash(a), folded_hash(&buf.clone()));
        }
        assert_ne!(folded_hash("acme renewal"), folded_hash("acme renewals"));
        assert_eq!(folded_hash("Société"), None);
        let mut s = String::new();
        assert_eq!(
            folded_hash_any("Société  Générale", &mut s),
            folded_hash_any("société générale", &mut s)
        );
    }

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
        normalize_name("Société Générale  SA", &mut a);
        assert_eq!(a, "société générale sa");
    }
}
