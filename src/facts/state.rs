//! What one deal is, as the hygiene checks and the risk signals read it: its stage and
//! outcome, its dates, activity, time in stage, probability, forecast category, amount and
//! next step, each as far as the export tells.

use chrono::NaiveDate;

use super::cell::{Cell, Parsed};
use super::mapping::FieldId;
use super::plan::Plan;
use super::requirement::Fulfilment;
use crate::deal::{Interner, StageKey};
use crate::input::RowText;
use crate::rules::{Outcome, RiskRules, StageRule, normalize_forecast};
use crate::values::{Money, Placeholders, trim_cell};

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
    /// [`DealState::is_open`], decided once: every check and signal asks.
    open: bool,
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
    #[inline]
    pub(crate) fn is_open(&self) -> bool {
        self.open
    }

    fn decide_open(
        closed_as: Option<Outcome>,
        stage: Option<&StageRule>,
        status_open: bool,
    ) -> bool {
        closed_as.is_none()
            && match stage {
                Some(stage) => stage.is_open(),
                None => status_open,
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

    /// Days in the stage as the `stage_aged` signal reads them, and whether they are the
    /// deal's age: the stage time, else (nothing says when the deal entered its stage) the
    /// days since its created date, which the time in its stage cannot exceed.
    pub(crate) fn stage_days(&self, as_of: NaiveDate) -> Option<(i64, bool)> {
        match (self.stage_time, self.created_date) {
            (StageTime::Days { days, .. }, _) => Some((days, false)),
            (StageTime::Unknown, Some(created)) => Some(((as_of - created).num_days(), true)),
            (StageTime::Unknown, None) => None,
        }
    }

    /// The `stage_aged` signal: HYG003, or (nothing says when the deal entered its stage)
    /// an open deal older than its stage's `max_days`.
    pub(crate) fn stage_aged_or_old(&self, as_of: NaiveDate) -> bool {
        match (self.is_open(), self.stage.and_then(|s| s.max_days)) {
            (true, Some(max)) => self.stage_days(as_of).is_some_and(|(days, _)| days > max),
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

/// A deal's forecast category: as written (trimmed), and normalised.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Forecast<'a> {
    pub(crate) text: &'a str,
    pub(crate) norm: &'a str,
}

/// Intern a deal's forecast category (`text` is its cell, when the export has the
/// column): its id, `None` when empty or a placeholder. A handful of categories recur: each
/// spelling is interned, and normalised once per batch into `norms` (by interner id).
pub(crate) fn intern_forecast(
    text: Option<&str>,
    placeholders: &Placeholders,
    interner: &mut Interner,
    norms: &mut Vec<Box<str>>,
) -> Option<u32> {
    let text = trim_cell(text?);
    if placeholders.is_missing(text) {
        return None;
    }
    let id = interner.intern(text);
    while norms.len() <= id as usize {
        let spelled = interner.name(norms.len() as u32);
        norms.push(normalize_forecast(spelled).into_boxed_str());
    }
    Some(id)
}

impl<'a> Forecast<'a> {
    /// The forecast category interned as `id` by [`intern_forecast`].
    pub(crate) fn get(id: u32, interner: &'a Interner, norms: &'a [Box<str>]) -> Forecast<'a> {
        Forecast {
            text: interner.name(id),
            norm: norms.get(id as usize).map_or("", |n| &**n),
        }
    }
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
        // Cells by reference: each is read several times, and copying one costs more than
        // looking through it.
        let cell = |slot: Option<usize>| slot.and_then(|s| cells.get(s));
        let date_of = |slot: Option<usize>| match cell(slot) {
            Some(Cell::Valid(Parsed::Date(d))) => Some(*d),
            _ => None,
        };
        let number_of = |slot: Option<usize>| match cell(slot) {
            Some(Cell::Valid(Parsed::Number(n))) => Some(*n),
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
        let stage = match stage {
            StageKey::Known(s, _) => plan.rules.stages.get(s as usize),
            _ => None,
        };
        let mut state = DealState {
            stage,
            closed_as,
            status_open,
            open: DealState::decide_open(closed_as, stage, status_open),
            close_date: date_of(plan.close_date_slot),
            created_date: date_of(h.created_date),
            activity: match cell(h.last_activity) {
                None => Activity::NotTracked,
                Some(Cell::Valid(Parsed::Date(d))) => Activity::Last(*d),
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
