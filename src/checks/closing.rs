//! HYG011 and HYG012: the close date against the deal's standing. A won deal dated in the
//! future was won on no day yet (its close date was never updated, or it was marked won too
//! early); an open deal without a close date is in no quarter's forecast.

use super::{CheckDoc, Wording};
use crate::diag::{About, Code, FindingSink, Says};
use crate::facts::plan::Plan;
use crate::facts::row::RowFacts;
use crate::words::{plural, thousands};

pub(crate) const CHECKS: &[CheckDoc] = &[
    CheckDoc {
        code: Code::Hyg011,
        explanation: HYG011,
        prompt: Some("The deal is won but dated in the future: on what day was it signed?"),
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::Hyg012,
        explanation: HYG012,
        prompt: Some("The deal has no close date: when does the buyer expect to sign?"),
        wording: Wording::Stored,
    },
];

/// HYG011 and HYG012 of one deal.
pub(crate) fn check_row(facts: &RowFacts<'_>, plan: &Plan<'_>, sink: &mut FindingSink<'_>) {
    let (state, deal) = (&facts.state, facts.deal);
    let field = Some(plan.hygiene_fields.close_date);
    if let (true, Some(close)) = (state.is_won(), state.close_date) {
        if close > plan.as_of {
            let days = (close - plan.as_of).num_days();
            sink.push(Code::Hyg011, None, About::Deal(deal), field, || {
                Says::Text(format!(
                    "won, but its close date {close} is {} day{} after as-of; set the day it \
                     was won",
                    thousands(days.unsigned_abs()),
                    plural(days.unsigned_abs())
                ))
            });
        }
    }
    if state.close_date_tracked
        && state.close_date_missing
        && !state.close_date_reported
        && state.is_open()
    {
        sink.push(Code::Hyg012, None, About::Deal(deal), field, || {
            Says::Text(
                "open deal without a close date: it is in no quarter's forecast; set the date \
                 the buyer expects to sign"
                    .to_string(),
            )
        });
    }
}

const HYG011: &str = "\
What it checks
  A won deal (by its stage or status) whose close date is after the as-of date.

Why it matters
  A deal is won on the day it is signed. A won deal dated next quarter counts in that
  quarter's bookings and in no win rate until then (the win rate's window ends at the
  as-of; its section says how many won deals it left out), and usually means the close date
  was never updated, or the deal was marked won too early.

Example
  As of 2026-11-20:
    HYG011 line 7 field close_date: won, but its close date 2027-03-15 is 115 days after
    as-of; set the day it was won

How to fix
  Set the close date to the day the deal was signed, or move the deal back to an open stage.

Configuration
  [checks] HYG011 = ... .";

const HYG012: &str = "\
What it checks
  An open deal whose close date is empty (or a placeholder, or a placeholder date such as
  31.12.3999), where no requirement already reports it.

Why it matters
  A deal without a close date is in no quarter: it never shows in a forecast call, coverage
  or slippage, and no one is asked when it will close.

Example
  HYG012 line 4 field close_date: open deal without a close date: it is in no quarter's
  forecast; set the date the buyer expects to sign

How to fix
  Set the date the buyer expects to sign.

Configuration
  When close_date is required (most presets), REQ001 or REQ002 reports the empty date
  instead. [checks] HYG012 = ... . Feeds `no_close_date` (default 20), whichever finding
  reports the empty date.";
