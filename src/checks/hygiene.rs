//! HYG001–HYG008 and HYG010: pipeline hygiene. Data that parses and is present but tells an
//! implausible story: close dates in the past or years out, deals nobody touched, stages
//! nobody left, probabilities and forecast categories the stage cannot support, won deals
//! worth nothing, deals that close before they were created, next steps long due or saying
//! nothing.
//!
//! The same [`DealState`] feeds the forecast-risk signals (`score::risk`), so a finding and
//! the signal it corresponds to can never disagree.

use chrono::NaiveDate;

use super::required::Fulfilment;
use super::{CheckDoc, WordContext, Wording};
use crate::deal::{Deal, Interner, RiskFacts, StageKey};
use crate::diag::{About, Code, Finding, FindingSink, Says};
use crate::facts::cell::{Cell, Parsed};
use crate::facts::mapping::FieldId;
use crate::facts::plan::Plan;
use crate::input::RowText;
use crate::rules::{Outcome, RiskRules, StageRule, forecast_label, normalize_forecast};
use crate::values::{Money, Placeholders, trim_cell};
use crate::words::{number, plural, quote};

pub(crate) const CHECKS: &[CheckDoc] = &[
    CheckDoc {
        code: Code::Hyg001,
        explanation: HYG001,
        prompt: Some("The close date has passed: what date has the buyer committed to?"),
        wording: Wording::Derived(word_hyg001),
    },
    CheckDoc {
        code: Code::Hyg002,
        explanation: HYG002,
        prompt: Some(
            "Nothing is logged lately: when did you last speak to the buyer, and what was agreed?",
        ),
        wording: Wording::Derived(word_hyg002),
    },
    CheckDoc {
        code: Code::Hyg003,
        explanation: HYG003,
        prompt: Some(
            "The deal has sat in this stage longer than usual: what is blocking the next step?",
        ),
        wording: Wording::Derived(word_hyg003),
    },
    CheckDoc {
        code: Code::Hyg004,
        explanation: HYG004,
        prompt: Some("The probability does not fit the stage: which of the two is right?"),
        wording: Wording::Derived(word_hyg004),
    },
    CheckDoc {
        code: Code::Hyg005,
        explanation: HYG005,
        prompt: Some(
            "The forecast category is ahead of the stage: what makes you sure enough to call it?",
        ),
        wording: Wording::Derived(word_hyg005),
    },
    CheckDoc {
        code: Code::Hyg006,
        explanation: HYG006,
        prompt: Some("The deal is won: what was sold, and for how much?"),
        wording: Wording::Derived(word_hyg006),
    },
    CheckDoc {
        code: Code::Hyg007,
        explanation: HYG007,
        prompt: Some("The deal closes before it was created: which date is wrong?"),
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::Hyg008,
        explanation: HYG008,
        prompt: Some("The close date is far out: is the deal still real, or should it be closed?"),
        wording: Wording::Derived(word_hyg008),
    },
    CheckDoc {
        code: Code::Hyg010,
        explanation: HYG010,
        prompt: Some(
            "The next step is overdue or says nothing: what exactly happens next, who does it, and by when?",
        ),
        wording: Wording::Stored,
    },
];

/// When the deal last had activity, as far as the export tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Activity {
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
pub(crate) enum StageTime {
    Unknown,
    Days { days: i64, field: FieldId },
}

/// A deal's next step, as far as the export tells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct NextStep {
    /// Whether there is none: the next-step text is empty or a placeholder (or, in an
    /// export with a next-step date but no text, the date is). `None`: neither is exported.
    pub(crate) missing: Option<bool>,
    /// The text is one of `[risk] next_step_filler` (judged for open deals only).
    pub(crate) filler: bool,
    /// When it is due, when present and valid.
    pub(crate) due: Option<NaiveDate>,
}

/// What the hygiene checks and the risk signals look at, for one record.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DealState<'a> {
    /// The deal's stage, when it is one of the rules' stages.
    pub(crate) stage: Option<&'a StageRule>,
    /// Won or lost by the status column (Pipedrive keeps the outcome apart from the stage,
    /// which stays where the deal closed) or the closed and won flags.
    pub(crate) closed_as: Option<Outcome>,
    /// The status column or the closed flag says the deal is open: it is, even in a stage
    /// the rules do not know (no deal silently dropped from the open pipeline).
    pub(crate) status_open: bool,
    pub(crate) close_date: Option<NaiveDate>,
    pub(crate) created_date: Option<NaiveDate>,
    pub(crate) activity: Activity,
    pub(crate) stage_time: StageTime,
    /// Probability in points (0–100), when present and valid.
    pub(crate) probability: Option<f64>,
    /// The forecast category as written, when present, and normalised
    /// ([`normalize_forecast`](crate::rules::normalize_forecast)).
    pub(crate) forecast: Option<&'a str>,
    pub(crate) forecast_norm: Option<&'a str>,
    /// The amount, when present and valid.
    pub(crate) amount: Option<Money>,
    /// The amount cell was empty (or a placeholder) and a REQ finding already says so.
    pub(crate) amount_already_reported: bool,
    pub(crate) amount_unreadable: bool,
    /// The export has an amount column read as money (else HYG006 cannot judge).
    pub(crate) amount_tracked: bool,
    /// The close date: the export has the column (read as a date), its cell is missing,
    /// and whether a REQ finding already says so (HYG012).
    pub(crate) close_date_tracked: bool,
    pub(crate) close_date_missing: bool,
    pub(crate) close_date_reported: bool,
    pub(crate) next_step: NextStep,
}

impl DealState<'_> {
    /// Open: not closed by the status, and a known stage without an outcome, or (in a stage
    /// the rules do not know, or none) a status that says open. Unknown stages are
    /// otherwise neither open nor closed.
    pub(crate) fn is_open(&self) -> bool {
        self.closed_as.is_none()
            && match self.stage {
                Some(stage) => stage.is_open(),
                None => self.status_open,
            }
    }

    /// Closed, won or lost: by the status, or by a known stage's outcome.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed_as.is_some() || self.stage.is_some_and(|s| !s.is_open())
    }

    pub(crate) fn is_won(&self) -> bool {
        match self.closed_as {
            Some(outcome) => outcome == Outcome::Won,
            None => self.stage.is_some_and(|s| s.outcome == Some(Outcome::Won)),
        }
    }

    /// The stale limit that applies: the stage's own, else the rules'.
    pub(crate) fn stale_limit(&self, risk: &RiskRules) -> i64 {
        self.stage
            .and_then(|s| s.stale_days)
            .unwrap_or(risk.stale_days)
    }

    /// HYG001 / the `overdue` signal.
    pub(crate) fn overdue(&self, as_of: NaiveDate) -> bool {
        // Dates compare as integers: cheaper than the days between them, on every deal.
        self.is_open() && self.close_date.is_some_and(|d| d < as_of)
    }

    /// HYG002 / the `stale` signal: idle days beyond the limit, or none recorded.
    pub(crate) fn stale(&self, as_of: NaiveDate, risk: &RiskRules) -> bool {
        self.is_open()
            && match self.activity {
                Activity::NoneRecorded => true,
                Activity::Last(d) => (as_of - d).num_days() > self.stale_limit(risk),
                Activity::NotTracked | Activity::Unreadable => false,
            }
    }

    /// HYG003 / the `stage_aged` signal.
    pub(crate) fn stage_aged(&self) -> bool {
        match (
            self.is_open(),
            self.stage.and_then(|s| s.max_days),
            self.stage_time,
        ) {
            (true, Some(max), StageTime::Days { days, .. }) => days > max,
            _ => false,
        }
    }

    /// HYG004: probability more than the tolerance away from the stage's. A deal closed by
    /// its status (Dynamics 365, Pipedrive) keeps the stage it closed in, whose probability
    /// no longer applies (a deal lost in Propose is at 0%, not 60%).
    pub(crate) fn probability_off(&self, risk: &RiskRules) -> Option<(f64, f64)> {
        if self.closed_as.is_some() {
            return None;
        }
        let expected = self.stage?.probability?;
        let actual = self.probability?;
        ((actual - expected).abs() > risk.probability_tolerance).then_some((actual, expected))
    }

    /// The `no_next_step` signal, for a missing next step (no HYG010: a requirement on
    /// next_step reports it where one applies).
    pub(crate) fn next_step_missing(&self) -> bool {
        self.is_open() && self.next_step.missing == Some(true)
    }

    /// HYG010: days since an open deal's next step was due, when that is before as-of.
    pub(crate) fn next_step_late(&self, as_of: NaiveDate) -> Option<i64> {
        let late = (as_of - self.next_step.due?).num_days();
        (self.is_open() && late > 0).then_some(late)
    }

    /// HYG010: an open deal's next step says nothing.
    pub(crate) fn next_step_filler(&self) -> bool {
        self.is_open() && self.next_step.filler
    }

    /// HYG005: the forecast category, when the stage does not allow it (not for a deal
    /// closed by its status, as above).
    pub(crate) fn forecast_not_allowed(&self) -> Option<&str> {
        if self.closed_as.is_some() {
            return None;
        }
        let allowed = self.stage?.forecast.as_ref()?;
        let category = self.forecast?;
        let norm = self.forecast_norm?;
        (!allowed.iter().any(|a| a == norm)).then_some(category)
    }
}

/// A deal's forecast category: as written, its id in the batch's interner, and normalised.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Forecast<'a> {
    pub(crate) id: u32,
    pub(crate) text: &'a str,
    pub(crate) norm: &'a str,
}

/// Read a deal's forecast category (`text` is its cell, when the export has the column).
/// A handful of categories recur: each spelling is interned, and normalised once per batch
/// into `norms` (by interner id).
pub(crate) fn read_forecast<'a>(
    text: Option<&'a str>,
    placeholders: &Placeholders,
    interner: &mut Interner,
    norms: &'a mut Vec<Box<str>>,
) -> Option<Forecast<'a>> {
    let text = trim_cell(text?);
    if placeholders.is_missing(text) {
        return None;
    }
    let id = interner.intern(text);
    while norms.len() <= id as usize {
        let spelled = interner.name(norms.len() as u32);
        norms.push(normalize_forecast(spelled).into_boxed_str());
    }
    let norm = norms.get(id as usize).map_or("", |n| &**n);
    Some(Forecast { id, text, norm })
}

impl<'a> DealState<'a> {
    /// What the checks so far found in a deal: its cells (the value checks'), its stage,
    /// what its requirements came to, its forecast category and its status cell.
    pub(crate) fn read(
        plan: &Plan<'a>,
        texts: &RowText<'_>,
        cells: &[Cell],
        stage: StageKey,
        fulfilment: &Fulfilment,
        forecast: Option<Forecast<'a>>,
    ) -> DealState<'a> {
        let cell = |slot: Option<usize>| slot.map(|s| cells[s]);
        let date_of = |slot: Option<usize>| match cell(slot) {
            Some(Cell::Valid(Parsed::Date(d))) => Some(d),
            _ => None,
        };
        let number_of = |slot: Option<usize>| match cell(slot) {
            Some(Cell::Valid(Parsed::Number(n))) => Some(n),
            _ => None,
        };
        let h = &plan.hygiene;
        let amount = match cell(plan.amount_slot) {
            Some(Cell::Valid(Parsed::Money(m))) => Some(m.amount),
            _ => None,
        };
        let (closed_as, status_open) = super::status::status_of(plan, texts);
        let next_step = NextStep {
            missing: match (cell(h.next_step), cell(h.next_step_date)) {
                (Some(text), _) => Some(matches!(text, Cell::Missing { .. })),
                (None, Some(date)) => Some(matches!(date, Cell::Missing { .. })),
                (None, None) => None,
            },
            filler: false,
            due: date_of(h.next_step_date),
        };
        let mut state = DealState {
            stage: match stage {
                StageKey::Known(s, _) => plan.rules.stages.get(s as usize),
                _ => None,
            },
            closed_as,
            status_open,
            close_date: date_of(plan.close_date_slot),
            created_date: date_of(h.created_date),
            activity: match cell(h.last_activity) {
                None => Activity::NotTracked,
                Some(Cell::Valid(Parsed::Date(d))) => Activity::Last(d),
                Some(Cell::Missing { .. }) => Activity::NoneRecorded,
                Some(_) => Activity::Unreadable,
            },
            stage_time: match (date_of(h.stage_changed), number_of(h.stage_age)) {
                (Some(since), _) => StageTime::Days {
                    days: (plan.as_of - since).num_days(),
                    field: plan.slots[h.stage_changed.unwrap_or(0)].field,
                },
                // A fraction of a day counts: 30.9 days is past a 30-day limit.
                (None, Some(days)) if days.is_finite() => StageTime::Days {
                    days: days.ceil() as i64,
                    field: plan.slots[h.stage_age.unwrap_or(0)].field,
                },
                _ => StageTime::Unknown,
            },
            probability: number_of(h.probability),
            forecast: forecast.map(|f| f.text),
            forecast_norm: forecast.map(|f| f.norm),
            amount,
            amount_already_reported: fulfilment.amount_reported,
            amount_unreadable: matches!(cell(plan.amount_slot), Some(Cell::Invalid)),
            amount_tracked: plan.amount_slot.is_some(),
            close_date_tracked: plan.close_date_slot.is_some(),
            close_date_missing: matches!(cell(plan.close_date_slot), Some(Cell::Missing { .. })),
            close_date_reported: fulfilment.close_date_reported,
            next_step,
        };
        // Only an open deal's next step is judged: most rows of a large export are closed.
        if let (true, Some(Cell::Valid(_))) = (state.is_open(), cell(h.next_step)) {
            let column = h.next_step.map(|s| plan.slots[s].column);
            // Most next steps are too long to be filler: told from the raw bytes, unread.
            let raw = column.and_then(|c| texts.row().get(c)).unwrap_or(&[]);
            if plan.rules.risk.may_be_filler(raw) {
                let text = texts.field(column);
                state.next_step.filler = plan.rules.risk.is_filler(trim_cell(&text));
            }
        }
        state
    }
}

/// HYG001–HYG008 and HYG010 on deal `deal` (`texts` its row). Findings are worded when
/// shown, from the facts the deal keeps, except HYG007's and HYG010's (deals keep neither
/// the created date nor the next step).
pub(crate) fn check_row(
    state: &DealState<'_>,
    plan: &Plan<'_>,
    texts: &RowText<'_>,
    deal: u32,
    sink: &mut FindingSink<'_>,
) {
    let (as_of, risk, fields) = (plan.as_of, &plan.rules.risk, &plan.hygiene_fields);
    let mut push = |code: Code, field: FieldId| {
        sink.push(code, None, About::Deal(deal), Some(field), || {
            Says::Derived(0)
        });
    };
    if state.overdue(as_of) {
        push(Code::Hyg001, fields.close_date);
    }
    if state.stale(as_of, risk) {
        push(Code::Hyg002, fields.last_activity);
    }
    if state.stage_aged() {
        if let StageTime::Days { field, .. } = state.stage_time {
            push(Code::Hyg003, field);
        }
    }
    if state.probability_off(risk).is_some() {
        push(Code::Hyg004, fields.probability);
    }
    if state.forecast_not_allowed().is_some() {
        push(Code::Hyg005, fields.forecast_category);
    }
    if state.amount_tracked && state.is_won() && !state.amount_unreadable {
        let fires = match state.amount {
            Some(m) => !m.is_positive(),
            None => !state.amount_already_reported,
        };
        if fires {
            push(Code::Hyg006, fields.amount);
        }
    }
    if state.is_open() {
        if let Some(close) = state.close_date {
            if (close - as_of).num_days() > risk.horizon_days {
                push(Code::Hyg008, fields.close_date);
            }
        }
    }
    if let (Some(close), Some(created)) = (state.close_date, state.created_date) {
        if close < created {
            sink.push(
                Code::Hyg007,
                None,
                About::Deal(deal),
                Some(fields.close_date),
                || {
                    Says::Text(format!(
                        "close date {close} is before the created date {created}; correct whichever is wrong"
                    ))
                },
            );
        }
    }
    if let (Some(late), Some(due)) = (state.next_step_late(as_of), state.next_step.due) {
        sink.push(
            Code::Hyg010,
            None,
            About::Deal(deal),
            Some(fields.next_step_date),
            || {
                Says::Text(format!(
                    "next step was due {due}, {late} day{} ago; log what happened and set the next step and its date",
                    plural(late)
                ))
            },
        );
    }
    if state.next_step_filler() {
        sink.push(
            Code::Hyg010,
            None,
            About::Deal(deal),
            Some(fields.next_step),
            || {
                let text = texts.field(plan.hygiene.next_step.map(|s| plan.slots[s].column));
                Says::Text(format!(
                    "next step {} says nothing; write what happens next, who does it and by when",
                    quote(trim_cell(&text))
                ))
            },
        );
    }
}

/// What a hygiene message is worded from: the facts a deal keeps.
struct Facts<'a> {
    as_of: NaiveDate,
    risk: &'a RiskRules,
    stage: Option<&'a StageRule>,
    stage_name: &'a str,
    close_date: Option<NaiveDate>,
    facts: &'a RiskFacts,
    forecast: Option<&'a str>,
    amount: Option<Money>,
}

impl<'a> Facts<'a> {
    fn of(deal: &'a Deal, ctx: &'a WordContext<'_>) -> Facts<'a> {
        let stage = match deal.stage {
            StageKey::Known(i, _) => ctx.rules.stages.get(i as usize),
            _ => None,
        };
        Facts {
            as_of: ctx.as_of,
            risk: &ctx.rules.risk,
            stage,
            stage_name: stage.map_or("?", |s| s.name.as_str()),
            close_date: deal.close_date,
            facts: &deal.risk,
            forecast: ctx.deals.forecast(deal),
            amount: deal.amount(),
        }
    }

    fn close_date(&self) -> String {
        self.close_date.map_or("?".to_string(), |d| d.to_string())
    }
}

fn word_hyg001(_: &Finding, deal: &Deal, ctx: &WordContext<'_>) -> String {
    let f = Facts::of(deal, ctx);
    let days = f.close_date.map_or(0, |d| (f.as_of - d).num_days());
    format!(
        "close date {} passed {days} day{} ago; set a new date or close the deal",
        f.close_date(),
        plural(days)
    )
}

fn word_hyg002(_: &Finding, deal: &Deal, ctx: &WordContext<'_>) -> String {
    let f = Facts::of(deal, ctx);
    match f.facts.last_activity {
        Some(d) => format!(
            "no activity for {} days (limit {} in {}); log the latest activity or follow up",
            (f.as_of - d).num_days(),
            f.stage
                .and_then(|s| s.stale_days)
                .unwrap_or(f.risk.stale_days),
            f.stage_name
        ),
        None => "no activity recorded; log the latest activity or follow up".to_string(),
    }
}

fn word_hyg003(_: &Finding, deal: &Deal, ctx: &WordContext<'_>) -> String {
    let f = Facts::of(deal, ctx);
    format!(
        "in {} for {}{} days (limit {}); advance the deal, move it back, or close it",
        f.stage_name,
        if f.facts.has(RiskFacts::DAYS_CAPPED) {
            "over "
        } else {
            ""
        },
        f.facts
            .days_in_stage()
            .map_or("?".to_string(), |d| d.to_string()),
        f.stage.and_then(|s| s.max_days).unwrap_or(0)
    )
}

fn word_hyg004(_: &Finding, deal: &Deal, ctx: &WordContext<'_>) -> String {
    let f = Facts::of(deal, ctx);
    format!(
        "probability {}% but {} expects {}% (±{}); align the probability or the stage",
        f.facts.probability().map_or("?".to_string(), number),
        f.stage_name,
        f.stage
            .and_then(|s| s.probability)
            .map_or("?".to_string(), number),
        number(f.risk.probability_tolerance)
    )
}

fn word_hyg005(_: &Finding, deal: &Deal, ctx: &WordContext<'_>) -> String {
    let f = Facts::of(deal, ctx);
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
        "{} is not allowed in {} (allowed: {allowed}); lower the forecast category or advance the deal",
        f.forecast.unwrap_or("?"),
        f.stage_name
    )
}

fn word_hyg006(_: &Finding, deal: &Deal, ctx: &WordContext<'_>) -> String {
    match Facts::of(deal, ctx).amount {
        Some(m) => format!("won deal has amount {m}; record what was sold"),
        None => "won deal has no amount; record what was sold".to_string(),
    }
}

fn word_hyg008(_: &Finding, deal: &Deal, ctx: &WordContext<'_>) -> String {
    let f = Facts::of(deal, ctx);
    let ahead = f.close_date.map_or(0, |d| (d - f.as_of).num_days());
    format!(
        "close date {} is {ahead} days out (horizon {}); bring it in or close the deal",
        f.close_date(),
        f.risk.horizon_days
    )
}

const HYG001: &str = "\
What it checks
  An open deal (its stage has no outcome) whose close date is before the as-of date.

Why it matters
  A close date in the past is the commonest sign of a forecast nobody updates: the deal is
  counted in a period that is already over.

Example
  As of 2026-11-20, an open deal closing 2026-10-31:
    HYG001 line 7 field close_date: close date 2026-10-31 passed 20 days ago; set a new
    date or close the deal

How to fix
  Move the close date to when the deal will really close, or mark it won or lost.

Configuration
  --as-of fixes today. Feeds the `overdue` risk signal (risk.weights.overdue, default 30).
  [checks] HYG001 = \"error\" | \"off\".";

const HYG002: &str = "\
What it checks
  An open deal whose last activity is more than `stale_days` before the as-of date, or that
  has no activity recorded at all. The stage's own `stale_days` overrides risk.stale_days.

Why it matters
  Deals nobody has touched in weeks are going dark; a Commit-stage deal goes stale sooner
  than a Prospecting one.

Example
  risk.stale_days = 14, last activity 2026-11-01, as of 2026-11-20:
    HYG002 line 9 field last_activity: no activity for 19 days (limit 14 in Needs Analysis)

How to fix
  Log the latest activity, or follow up with the customer.

Configuration
  [risk] stale_days (default 14); [[stages]] stale_days. Needs a last_activity column; when
  the export has none, the check is skipped. Feeds the `stale` signal (default weight 20).";

const HYG003: &str = "\
What it checks
  An open deal that has sat in its stage longer than the stage's `max_days`, measured from
  the stage_changed date (Salesforce \"Last Stage Change Date\") or read from a days-in-stage
  column (stage_age, Salesforce \"Stage Duration\").

Why it matters
  A deal that stopped moving is a deal that stopped progressing; the longer it sits, the less
  its stage probability means.

Example
  Proposal/Price Quote with max_days = 21, stage changed 2026-10-01, as of 2026-11-20:
    HYG003 line 4 field stage_changed: in Proposal/Price Quote for 50 days (limit 21)

How to fix
  Advance the deal, move it back to where it really is, or close it.

Configuration
  [[stages]] max_days. Stages without max_days are not checked; exports with neither a
  stage_changed nor a stage_age column are not checked. Feeds `stage_aged` (default 15).";

const HYG004: &str = "\
What it checks
  The deal's probability differs from its stage's `probability` by more than
  risk.probability_tolerance points. Fractions (HubSpot's 0.4) are read as percentages where
  the field has fraction = true.

Why it matters
  A probability that contradicts the stage skews every weighted forecast built on it.

Example
  Proposal/Price Quote expects 75, tolerance 20, deal at 30:
    HYG004 line 6 field probability: probability 30% but Proposal/Price Quote expects 75% (±20)

How to fix
  Set the probability the stage implies, or move the deal to the stage that matches it.

Configuration
  [[stages]] probability; [risk] probability_tolerance (default 20). Feeds
  `forecast_mismatch` (default weight 10).";

const HYG005: &str = "\
What it checks
  The deal's forecast category is one its stage allows (`forecast` in [[stages]]). Spellings
  are folded: \"Best Case\" = \"BestCase\", Salesforce's API value \"Forecast\" = \"Commit\",
  HubSpot's \"Not forecasted\" = \"Omitted\".

Why it matters
  \"Commit\" on a deal still in Prospecting is an optimistic forecast the pipeline cannot
  support.

Example
  Prospecting allows Pipeline and Omitted:
    HYG005 line 3 field forecast_category: Commit is not allowed in Prospecting (allowed:
    Pipeline, Omitted)

How to fix
  Lower the forecast category, or advance the deal to a stage that supports it.

Configuration
  [[stages]] forecast. Feeds `forecast_mismatch` (default weight 10).";

const HYG006: &str = "\
What it checks
  A deal in a won stage has an amount above zero.

Why it matters
  Won revenue of zero or less, or missing, breaks bookings and attainment reports.

Example
  Closed Won with amount 0:
    HYG006 line 14 field amount: won deal has amount 0.00; record what was sold

How to fix
  Enter the booked amount.

Configuration
  A missing amount that a requirement already reports (REQ finding on amount) is not
  reported again; an unreadable one is VAL002. [checks] HYG006 = ... .";

const HYG007: &str = "\
What it checks
  The close date is not before the created date.

Why it matters
  A deal cannot close before it exists; one of the dates is wrong, and cycle-time reports
  built on them go negative.

Example
    HYG007 line 8 field close_date: close date 2026-01-15 is before the created date
    2026-02-01

How to fix
  Correct whichever date is wrong.

Configuration
  Needs close_date and created_date columns. [checks] HYG007 = ... .";

const HYG008: &str = "\
What it checks
  An open deal whose close date lies more than risk.horizon_days after the as-of date.

Why it matters
  Far-future close dates park deals where no review looks at them, often to keep a dead deal
  open.

Example
  horizon 365 days, as of 2026-11-20, close date 2028-03-01:
    HYG008 line 5 field close_date: close date 2028-03-01 is 467 days out (horizon 365)

How to fix
  Bring the date in to a realistic quarter, or close the deal.

Configuration
  [risk] horizon_days (default 365). [checks] HYG008 = ... .";

const HYG010: &str = "\
What it checks
  An open deal whose next step is long due or says nothing: its next_step_date is before
  the as-of date, or its next_step text is filler from [risk] next_step_filler (default
  \"follow up\", \"follow-up\", \"followup\", \"tbd\", \"check in\", \"check-in\", \"touch base\",
  \"sync soon\", \"n/a\", \"call\", \"email\", \"ping\", \"?\"). Filler is matched on the whole
  text, ignoring case, extra spaces and trailing punctuation: \"Follow up!\" is filler,
  \"Follow up with the CFO on pricing\" is not.

Why it matters
  A next step is the seller's plan for the deal. One that lapsed weeks ago, or that reads
  \"follow up\", means nobody knows what happens next.

Example
  As of 2026-11-20:
    HYG010 line 3 field next_step_date: next step was due 2026-11-02, 18 days ago; log what
    happened and set the next step and its date
    HYG010 line 4 field next_step: next step `Follow up!` says nothing; write what happens
    next, who does it and by when

How to fix
  Write the real next step (what, who, when) and its date.

Configuration
  [risk] next_step_filler = [...] replaces the list. A missing next step (empty, or a
  placeholder from [input] empty_values such as \"TBD\") is not HYG010: a requirement on
  next_step reports it (REQ), and it feeds the same `no_next_step` signal (default weight
  10). Needs a next_step or next_step_date column. [checks] HYG010 = ... .";
