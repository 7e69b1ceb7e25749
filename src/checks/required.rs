//! REQ001–REQ003: fields that must be filled — globally, by the deal's stage (exit
//! criteria), or by a conditional rule whose `when` holds.
//!
//! Several requirements may name the same field; a missing field gets one finding, under the
//! most specific code (REQ003, then REQ002, then REQ001) at the highest of their severities.
//! A present but invalid value is a VAL finding and gets no REQ finding.

use crate::facts::requirement::Because;

use super::{CheckDoc, WordContext, Wording};
use crate::deal::{Deal, StageKey};
use crate::diag::{About, Code, Finding, FindingSink, Says};
use crate::facts::cell::Cell;
use std::borrow::Cow;

use crate::facts::plan::Plan;
use crate::facts::row::{Held, RowFacts};
use crate::rules::RuleSet;
use crate::words::quote;

pub(crate) const CHECKS: &[CheckDoc] = &[
    CheckDoc {
        code: Code::Req001,
        explanation: REQ001,
        prompt: None,
        wording: Wording::Derived(word),
    },
    CheckDoc {
        code: Code::Req002,
        explanation: REQ002,
        prompt: Some(
            "The stage's exit criteria are not met: what is missing, and has the deal really reached this stage?",
        ),
        wording: Wording::Derived(word),
    },
    CheckDoc {
        code: Code::Req003,
        explanation: REQ003,
        prompt: None,
        wording: Wording::Derived(word),
    },
];

/// One REQ finding for each field the deal's requirements demand that is missing (empty or
/// a placeholder): the most specific code that is on, at the highest severity demanded.
pub(crate) fn check_row(facts: &RowFacts<'_>, plan: &Plan<'_>, sink: &mut FindingSink<'_>) {
    for &(field, held) in facts.held() {
        if held != Held::Missing {
            continue;
        }
        let slot = plan.slot_of[field];
        let cell = slot.map(|s| facts.cells()[s]);
        let placeholder = matches!(cell, Some(Cell::Missing { placeholder: true }));
        let Some((code, severity, because)) = facts.demands().verdict(field, sink.policy()) else {
            continue;
        };
        // An empty field is worded when shown; a placeholder's text is kept.
        sink.push(
            code,
            Some(severity),
            About::Deal(facts.deal),
            Some(field),
            || {
                if placeholder {
                    let text = slot.map_or(Cow::Borrowed(""), |s| facts.written(plan, s));
                    let how = format!("holds the placeholder {}", quote(&text));
                    let name = plan.table.name(field);
                    Says::Text(message(because, name, &how, plan.rules))
                } else {
                    Says::Derived(because.payload())
                }
            },
        );
    }
}

/// The words of an empty required field's finding.
fn word(f: &Finding, deal: &Deal, ctx: &WordContext<'_>) -> String {
    let stage = match deal.stage {
        StageKey::Known(i, _) => Some(i as usize),
        _ => None,
    };
    let payload = match f.message {
        crate::diag::Message::Derived(p) => p,
        crate::diag::Message::Stored(_) => 0,
    };
    let because = Because::from_payload(payload, stage);
    let field = f.field().map_or("?", |id| ctx.table.name(id));
    message(because, field, "is empty", ctx.rules)
}

/// The message of a REQ finding for `field` (its display name), missing as `how`
/// ("is empty", "is a placeholder (`TBD`)").
pub(crate) fn message(because: Because, field: &str, how: &str, rules: &RuleSet) -> String {
    match because {
        Because::Global => format!("required field {field} {how}; fill it in"),
        Because::Stage(i) => {
            let stage = rules.stages.get(i).map_or("?", |s| s.name.as_str());
            format!(
                "stage `{stage}` requires {field}, which {how}; fill it in or move the deal back"
            )
        }
        Because::Rule(i) => {
            let (id, text) = rules
                .rules
                .get(i)
                .map_or(("?", None), |r| (r.id.as_str(), r.message.as_deref()));
            match text {
                Some(text) => format!("{text} (rule {id}): {field} {how}"),
                None => format!("rule {id} requires {field}, which {how}"),
            }
        }
    }
}

const REQ001: &str = "\
What it checks
  A field marked `required = true` in [fields] is filled on every record. Empty cells and
  placeholders from `[input] empty_values` (\"N/A\", \"TBD\", \"-\", …) count as missing.

Why it matters
  Required fields are your data standard: a deal without a close date or amount cannot be
  forecast, routed or reported on.

Example
  [fields] close_date = { type = \"date\", required = true }
    REQ001 line 7 field close_date: required field close_date is empty

How to fix
  Fill the field in the CRM. If the field is only needed later in the pipeline, require it in
  the stages that need it instead (a stage's `requires`).

Configuration
  [fields] <field> = { required = true, severity = \"warning\", weight = 3 }
  [checks] REQ001 = \"warning\" | \"off\". When several requirements name the same missing field,
  one finding is reported under the most specific code (REQ003, then REQ002, then REQ001).";

const REQ002: &str = "\
What it checks
  Stage exit criteria: every field listed in the deal's stage `requires` is filled. A deal
  may only sit in a stage once what that stage demands is true.

Why it matters
  \"Proposal sent\" without an amount, or \"Negotiation\" without a decision maker, is a deal
  that skipped a step: the forecast counts it at a probability it has not earned.

Example
  [[stages]] name = \"Proposal/Price Quote\", requires = [\"amount\", \"next_step\"]
    REQ002 line 12 field next_step: stage `Proposal/Price Quote` requires next_step, which is empty

How to fix
  Fill the field, or move the deal back to the stage it has really reached.

Configuration
  [[stages]] requires = [...] and severity = \"warning\" per stage; [checks] REQ002 = ... .";

const REQ003: &str = "\
What it checks
  Conditional requirements: when a [[rules]] entry's `when` holds for a deal, every field in
  its `requires` is filled.

Why it matters
  Some standards only apply to some deals: six-figure deals need an executive sponsor,
  partner-sourced deals need the partner.

Example
  [[rules]] id = \"big-deal-sponsor\", when = { field = \"amount\", gte = 100000 },
  requires = [\"Executive Sponsor\"]
    REQ003 line 9 field Executive Sponsor: Deals of 100k or more need an executive sponsor
    (rule big-deal-sponsor): Executive Sponsor is empty

How to fix
  Fill the field, or correct the value that made the rule apply.

Configuration
  [[rules]] id, when (eq, in, not_in, gt, gte, lt, lte, empty, not_empty; a list of
  conditions must all hold), requires, severity, message; [checks] REQ003 = ... .";
