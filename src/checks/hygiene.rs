//! HYG001–HYG008 and HYG010: pipeline hygiene. Data that parses and is present but tells an
//! implausible story: close dates in the past or years out, deals nobody touched, stages
//! nobody left, probabilities and forecast categories the stage cannot support, won deals
//! worth nothing, deals that close before they were created, next steps long due or saying
//! nothing.
//!
//! The same [`DealState`] feeds the forecast-risk signals (`score::risk`), so a finding and
//! the signal it corresponds to can never disagree.

use chrono::NaiveDate;

use super::{CheckDoc, WordContext, Wording};
use crate::deal::{Deal, RiskFacts, StageKey};
use crate::diag::{About, Code, Finding, FindingSink, Says};
use crate::facts::mapping::FieldId;
use crate::facts::plan::Plan;
use crate::facts::row::RowFacts;
use crate::facts::state::StageTime;
use crate::rules::{RiskRules, StageRule, forecast_label};
use crate::values::{Money, trim_cell};
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

/// HYG001–HYG008 and HYG010 on one deal. Findings are worded when shown, from the facts
/// the deal keeps, except HYG007's and HYG010's (deals keep neither the created date nor
/// the next step).
pub(crate) fn check_row(facts: &RowFacts<'_>, plan: &Plan<'_>, sink: &mut FindingSink<'_>) {
    let (state, texts, deal) = (&facts.state, facts.texts, facts.deal);
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
  stage_changed nor a stage_age column are not checked. Feeds `stage_aged` (default 15),
  which in such exports reads the deal's age from created_date instead, and says so.";

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
