//! HYG009: serial slippage. A close date pushed again and again, counted across the stored
//! history (`audit --history`, `history add`), the previous snapshot (`--previous`), or the
//! export's own push-count column, whichever knows of more pushes.
//!
//! Each stored snapshot keeps, per deal, how many times and by how many days in all its close
//! date had been pushed by then; the current row adds this week's push to its paired previous
//! self's totals, so one earlier snapshot is read, never the whole history.

use super::{CheckDoc, Wording};
use crate::diag::{About, Code, FindingSink, Says};
use crate::facts::plan::Plan;
use crate::facts::row::RowFacts;
use crate::field::Canonical;
use crate::words::{plural, pushes};

pub(crate) const CHECKS: &[CheckDoc] = &[CheckDoc {
    code: Code::Hyg009,
    explanation: HYG009,
    prompt: Some(
        "This close date has moved again and again: what would have to be true for it to hold this time?",
    ),
    wording: Wording::Stored,
}];

/// Why HYG009 could not run, for the reports' "not checked" list.
pub(crate) const NOT_CHECKED: &str = "no push history: no stored history (audit --history DB), no previous snapshot and no push-count column";

/// Whether a code needs a push history (stored, previous, or a push-count column).
pub(crate) fn needs_push_history(code: Code) -> bool {
    CHECKS.iter().any(|d| d.code == code)
}

/// HYG009 for an open deal whose close date slips serially (see [`RowFacts::slipping`]).
pub(crate) fn check_row(facts: &RowFacts<'_>, plan: &Plan<'_>, sink: &mut FindingSink<'_>) {
    if !facts.slipping {
        return;
    }
    let (changes, slip) = (&plan.rules.changes, facts.slip);
    let field = Some(plan.table.canonical(Canonical::CloseDate));
    sink.push(Code::Hyg009, None, About::Deal(facts.deal), field, || {
        Says::Text(format!(
            "close date {} (serial slippage: {} push{} or {} day{}); ask what would make this date hold, or take the deal out of the forecast",
            pushes(slip.pushes, slip.days, false),
            changes.serial_pushes,
            if changes.serial_pushes == 1 { "" } else { "es" },
            changes.push_alarm_days,
            plural(changes.push_alarm_days)
        ))
    });
}

const HYG009: &str = "\
What it checks
  An open deal whose close date has been pushed out [changes] serial_pushes times or more,
  or by [changes] push_alarm_days days or more in all. Pushes are counted across the
  stored history (audit --history DB, history add), since the previous snapshot
  (--previous FILE), or from a push-count column (close_date_changes, Push Count),
  whichever knows of more.

Why it matters
  One push is news; the third is a pattern. Deals that slip again and again close far less
  often than their stage says, and they keep the forecast optimistic quarter after quarter.

Example
  Pushed in three of the last four weekly snapshots, 49 days in all:
    HYG009 line 4 field close_date: close date pushed 3 times, 49 days in all (serial
    slippage: 2 pushes or 30 days); ask what would make this date hold, or take the deal
    out of the forecast

How to fix
  Re-qualify the deal with the buyer: a mutual close plan with dated steps, or a lower
  forecast category until one exists.

Configuration
  [changes] serial_pushes = 2, push_alarm_days = 30. Feeds the `slipping` risk signal
  (risk.weights.slipping, default 20). [checks] HYG009 = \"error\" | \"info\" | \"off\".";
