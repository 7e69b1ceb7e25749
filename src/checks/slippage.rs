//! HYG009: serial slippage. A close date pushed again and again, counted across the stored
//! history (`audit --history`, `history add`), the previous snapshot (`--previous`), or the
//! export's own push-count column, whichever knows of more pushes.
//!
//! Each stored snapshot keeps, per deal, how many times and by how many days in all its close
//! date had been pushed by then; the current row adds this week's push to its paired previous
//! self's totals, so one earlier snapshot is read, never the whole history.

use super::changes::Paired;
use super::{CheckDoc, Wording};
use crate::diag::{About, Code, FindingSink, Says};
use crate::facts::plan::Plan;
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

/// How often and by how much a deal's close date has been pushed, all told.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Slippage {
    pub(crate) pushes: u32,
    pub(crate) days: u32,
}

impl Slippage {
    /// The totals of a deal whose push-count column says `column` and whose paired previous
    /// self (if any) carried `carried`, plus this snapshot's push.
    pub(crate) fn of(column: u16, paired: Option<&Paired>) -> Slippage {
        let history = paired.map_or(Slippage::default(), |p| Slippage {
            pushes: u32::from(p.carried.0) + u32::from(p.pushed),
            days: u32::from(p.carried.1) + p.pushed_days,
        });
        Slippage {
            pushes: history.pushes.max(u32::from(column)),
            days: history.days,
        }
    }

    /// Whether it is serial slippage by the rules.
    pub(crate) fn serial(self, rules: &crate::rules::ChangesRules) -> bool {
        self.pushes >= rules.serial_pushes || self.days >= rules.push_alarm_days
    }
}

/// HYG009 for an open deal: true (the `slipping` signal) when it fired.
pub(crate) fn check_row(
    plan: &Plan<'_>,
    deal: u32,
    open: bool,
    slip: Slippage,
    sink: &mut FindingSink<'_>,
) -> bool {
    let changes = &plan.rules.changes;
    if !open || !slip.serial(changes) {
        return false;
    }
    let field = Some(plan.table.canonical(Canonical::CloseDate));
    sink.push(Code::Hyg009, None, About::Deal(deal), field, || {
        Says::Text(format!(
            "close date {} (serial slippage: {} push{} or {} day{}); ask what would make this date hold, or take the deal out of the forecast",
            pushes(slip.pushes, slip.days, false),
            changes.serial_pushes,
            if changes.serial_pushes == 1 { "" } else { "es" },
            changes.push_alarm_days,
            plural(changes.push_alarm_days)
        ))
    })
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
