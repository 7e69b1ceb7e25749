//! CHG001–CHG005: what changed since the previous snapshot (`--previous`).
//!
//! The previous snapshot is audited first, with the same rules and its own reading (its
//! encoding, delimiter and column mapping), and its deals indexed by their pairing key: the
//! record id when both snapshots map one, else the account and the folded deal name (an
//! approximate pairing, said so in the report). Each current row is then paired as it is
//! audited, so that a pushed close date feeds the `pushed` risk signal before the deal is
//! scored; what can only be known once every row is read (which current row claimed an old
//! deal first, which old deals nobody claimed) is settled in [`finish`].

use chrono::NaiveDate;

use super::{CheckDoc, Wording};
use crate::deal::{Deal, DealStore, StageKey};
use crate::diag::{About, Code, Finding, FindingSink, RowRef, Says, Subject};
use crate::facts::mapping::FieldTable;
use crate::facts::pairing::{Baseline, PairBy, Pairing, Snapshot};
use crate::facts::plan::Plan;
use crate::facts::row::RowFacts;
use crate::facts::standing::{Standing, standing};
use crate::field::Canonical;
use crate::rules::{Outcome, RuleSet};
use crate::values::{Currency, Money};
use crate::words::{group_amount, plural, quote};

pub(crate) const CHECKS: &[CheckDoc] = &[
    CheckDoc {
        code: Code::Chg001,
        explanation: CHG001,
        prompt: Some(
            "The close date moved out: what changed on the buyer's side, and what makes the new date real?",
        ),
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::Chg002,
        explanation: CHG002,
        prompt: Some(
            "The deal went back a stage: what did we learn that we did not know last week?",
        ),
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::Chg003,
        explanation: CHG003,
        prompt: Some(
            "The amount was cut: what came out of the scope, and is the rest still committed?",
        ),
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::Chg004,
        explanation: CHG004,
        prompt: Some(
            "This deal disappeared without closing: was it deleted, merged, or moved to someone else?",
        ),
        wording: Wording::PreviousDerived(vanished_words),
    },
    CheckDoc {
        code: Code::Chg005,
        explanation: CHG005,
        prompt: Some(
            "A closed deal is open again: is it the same opportunity, or a new one that needs its own record?",
        ),
        wording: Wording::Stored,
    },
];

/// Why the change checks were not run, for the reports' "not checked" list.
pub(crate) const NOT_CHECKED: &str = "no previous snapshot to compare with (audit --previous FILE)";

/// CHG001, CHG002, CHG003 and CHG005: the deal against its paired previous self.
pub(crate) fn check_row(facts: &RowFacts<'_>, plan: &Plan<'_>, sink: &mut FindingSink<'_>) {
    let (Some(baseline), Some(paired)) = (plan.baseline, facts.paired) else {
        return;
    };
    let rules = plan.rules;
    let previous = baseline.audit;
    let Some(old) = previous.deals.get(paired.old as usize) else {
        return;
    };
    let deal = facts.deal;
    let now = Now {
        stage: facts.stage,
        stage_label: &facts.stage_label,
        open: facts.state.is_open(),
        close_date: facts.state.close_date,
        amount: facts.amount,
        currency: facts.currency,
    };
    let table = plan.table;
    let field = |c: Canonical| Some(table.canonical(c));
    let was = standing(old, previous.rules);
    if was == Standing::Open && now.open {
        if let (Some(from), Some(to)) = (old.close_date, now.close_date) {
            if to > from {
                sink.push(Code::Chg001, None, About::Deal(deal), field(Canonical::CloseDate), || {
                    let days = (to - from).num_days();
                    Says::Text(format!(
                        "close date pushed from {from} to {to} (+{days} day{}) since the previous snapshot; confirm the new date with the buyer",
                        plural(days)
                    ))
                });
            }
        }
        if let (StageKey::Known(was_at, _), StageKey::Known(now_at, _)) = (old.stage, now.stage) {
            if now_at < was_at {
                sink.push(Code::Chg002, None, About::Deal(deal), field(Canonical::Stage), || {
                    Says::Text(format!(
                        "stage moved back from {} to {} since the previous snapshot; note what changed, or correct the stage",
                        old_stage_words(old, previous),
                        stage_words(now.stage_label, stage_name(rules, now_at))
                    ))
                });
            }
        }
        if let (Some(from), Some(to)) = (old.amount(), now.amount) {
            let cut = from.0 > 0
                && old.currency == now.currency
                && to.0 < from.0
                && (from.0 - to.0) as f64 / from.0 as f64 * 100.0 > rules.changes.amount_cut_pct;
            if cut {
                sink.push(Code::Chg003, None, About::Deal(deal), field(Canonical::Amount), || {
                    Says::Text(format!(
                        "amount cut from {} to {} (-{:.1}%, more than {}%) since the previous snapshot; confirm what came out of the deal",
                        money(from, old.currency),
                        money(to, now.currency),
                        (from.0 - to.0) as f64 / from.0 as f64 * 100.0,
                        crate::words::number(rules.changes.amount_cut_pct)
                    ))
                });
            }
        }
    }
    if let (Standing::Closed(outcome), true) = (was, now.open) {
        sink.push(Code::Chg005, None, About::Deal(deal), field(Canonical::Stage), || {
            let then = match old.stage {
                StageKey::Known(..) => old_stage_words(old, previous),
                _ => outcome_word(outcome).to_string(),
            };
            let now_stage = match now.stage {
                StageKey::Known(i, _) => stage_words(now.stage_label, stage_name(rules, i)),
                _ => "open".to_string(),
            };
            Says::Text(format!(
                "closed deal reopened: {then} in the previous snapshot, now {now_stage}; confirm it is the same opportunity, or record a new one"
            ))
        });
    }
}

/// What the current deal is, as the change checks compare it with its previous self.
struct Now<'s> {
    stage: StageKey,
    /// The stage cell as written (read only when there is a previous snapshot).
    stage_label: &'s str,
    open: bool,
    close_date: Option<NaiveDate>,
    amount: Option<Money>,
    currency: Option<Currency>,
}

/// A deal's stage in a message: the label as written, with the rules' name beside it where
/// the two differ (`` `demo` (Discovery) ``), since the rules' order is what "back" means.
fn stage_words(label: &str, name: &str) -> String {
    if label.is_empty() || label == name {
        name.to_string()
    } else {
        format!("{} ({name})", quote(label))
    }
}

/// The stage of a previous snapshot's deal in a message (see [`stage_words`]).
fn old_stage_words(d: &Deal, previous: Snapshot<'_>) -> String {
    let rules = &previous.rules;
    match (
        previous.deals.stage_label(d, rules),
        previous.deals.stage_canonical(d, rules),
    ) {
        (Some(label), Some(name)) => stage_words(label, name),
        (label, name) => label.or(name).unwrap_or("?").to_string(),
    }
}

fn stage_name(rules: &RuleSet, i: u32) -> &str {
    rules
        .stages
        .get(i as usize)
        .map_or("?", |s| s.name.as_str())
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Won => "won",
        Outcome::Lost => "lost",
    }
}

/// An amount as messages show it: `USD 12,500.00`, or `12,500.00` without a currency.
pub(crate) fn money(m: Money, currency: Option<Currency>) -> String {
    let amount = group_amount(&m.to_string());
    match currency {
        Some(c) => format!("{c} {amount}"),
        None => amount,
    }
}

/// Settle the pairs the rows proposed (in current order): a record id repeated in the
/// current snapshot pairs on its first occurrence; an account and name claimed by two
/// current deals pairs with neither. Then CHG004 for every open previous deal that no
/// current deal claimed. Returns the pairing and the current deals whose row-time pairing
/// was undone (their change findings must go: [`drop_findings`]).
pub(crate) fn finish(
    baseline: &Baseline<'_>,
    proposed: &[(u32, u32)],
    table: &FieldTable,
    sink: &mut FindingSink<'_>,
) -> (Pairing, Vec<u32>) {
    let previous = baseline.audit;
    let mut claimed: Vec<u32> = vec![u32::MAX; previous.deals.len()];
    let mut contested = vec![false; previous.deals.len()];
    let mut undone = Vec::new();
    let mut repeated = 0;
    for &(now, old) in proposed {
        let slot = &mut claimed[old as usize];
        if *slot == u32::MAX {
            *slot = now;
        } else {
            if baseline.by == PairBy::AccountAndName {
                contested[old as usize] = true;
            } else {
                repeated += 1;
            }
            undone.push(now);
        }
    }
    let mut pairs = Vec::with_capacity(proposed.len());
    for &(now, old) in proposed {
        if claimed[old as usize] != now {
            continue;
        }
        if contested[old as usize] {
            undone.push(now);
        } else {
            pairs.push((now, old));
        }
    }
    let ambiguous_now = proposed
        .iter()
        .filter(|(_, old)| contested[*old as usize])
        .count() as u64;
    let ambiguous_old = baseline.shared.iter().filter(|s| **s).count() as u64;
    // CHG004: open before, not here now, and not merely unpairable.
    if sink.enabled(Code::Chg004) {
        let file = baseline.file;
        for (i, d) in previous.deals.iter().enumerate() {
            let gone = claimed[i] == u32::MAX && !contested[i] && !baseline.shared[i];
            if !gone || standing(d, previous.rules) != Standing::Open {
                continue;
            }
            let deals = &previous.deals;
            let row = RowRef {
                file,
                line: d.line,
                record_id: Some(deals.id(d))
                    .filter(|id| !id.is_empty())
                    .map(Into::into),
                column: None,
                previous_deal: u32::try_from(i).ok(),
            };
            let field = match baseline.by {
                PairBy::Id => table.canonical(Canonical::Id),
                PairBy::AccountAndName => table.canonical(Canonical::Name),
            };
            // Worded when shown, from the previous snapshot's deal (`vanished_words`): a
            // week may lose thousands of deals.
            sink.push(Code::Chg004, None, About::Row(row), Some(field), || {
                Says::Derived(0)
            });
        }
    }
    undone.sort_unstable();
    undone.dedup();
    (
        Pairing {
            by: Some(baseline.by),
            pairs,
            repeated,
            ambiguous: (ambiguous_now, ambiguous_old),
        },
        undone,
    )
}

fn vanished_words(d: &Deal, deals: &DealStore, rules: &RuleSet) -> String {
    let name = deals.name(d);
    let label = if name.is_empty() { deals.id(d) } else { name };
    let mut what = Vec::new();
    if let (Some(label), Some(name)) =
        (deals.stage_label(d, rules), deals.stage_canonical(d, rules))
    {
        what.push(stage_words(label, name));
    }
    if let Some(m) = d.amount() {
        what.push(money(m, d.currency));
    }
    let what = if what.is_empty() {
        String::new()
    } else {
        format!(" ({})", what.join(", "))
    };
    // The owner is who can say what became of it; the old file is the only place that
    // still names them.
    let owner = deals
        .owner(d)
        .map_or(String::new(), |o| format!(" owned by {}", quote(o)));
    format!(
        "open deal {}{owner}{what} is not in the current snapshot and did not close; find out whether it was deleted, merged or left out of the export",
        quote(label)
    )
}

/// Remove the change findings of `undone` deals (sorted), whose pairing did not hold.
pub(crate) fn drop_findings(findings: &mut Vec<Finding>, undone: &[u32]) {
    if undone.is_empty() {
        return;
    }
    findings.retain(|f| match f.subject {
        Subject::Deal(d) => !(f.code.needs_previous() && undone.binary_search(&d).is_ok()),
        Subject::Row(_) => true,
    });
}

const CHG001: &str = "\
What it checks
  A deal open in both snapshots whose close date is later now than in the previous
  snapshot (--previous FILE). Deals pair by record id (or, without an id
  column, by account and deal name).

Why it matters
  A pushed close date is the quietest way a forecast slips: the deal stays in the pipeline,
  only later. Deals pushed again and again rarely close.

Example
  Closing 2026-11-30 last week, 2027-01-15 now:
    CHG001 line 4 field close_date: close date pushed from 2026-11-30 to 2027-01-15
    (+46 days) since the previous snapshot; confirm the new date with the buyer

How to fix
  Confirm the new date with the buyer and log why it moved; if the deal is no longer real,
  close it lost.

Configuration
  Feeds the `pushed` risk signal (risk.weights.pushed, default 15).
  [checks] CHG001 = \"error\" | \"info\" | \"off\".";

const CHG002: &str = "\
What it checks
  A deal open in both snapshots whose stage is earlier in the rules' stage order now than in
  the previous snapshot.

Why it matters
  A deal moving backwards lost something it had (a champion, a budget, a decision date);
  the forecast should know before the quarter ends.

Example
  Negotiation/Review last week, Needs Analysis now:
    CHG002 line 9 field stage: stage moved back from Negotiation/Review to Needs Analysis
    since the previous snapshot; note what changed, or correct the stage

How to fix
  Record what changed in the next step, or correct the stage if it was set by mistake.

Configuration
  The order is the order of [[stages]]. [checks] CHG002 = \"error\" | \"info\" | \"off\".";

const CHG003: &str = "\
What it checks
  A deal open in both snapshots whose amount, in the same currency, is lower now than in
  the previous snapshot by more than [changes] amount_cut_pct of the previous amount.

Why it matters
  A cut amount shrinks the pipeline and the forecast as surely as a lost deal, and nobody
  announces it.

Example
  USD 120,000.00 last week, USD 80,000.00 now (amount_cut_pct = 20):
    CHG003 line 5 field amount: amount cut from USD 120,000.00 to USD 80,000.00 (-33.3%,
    more than 20%) since the previous snapshot; confirm what came out of the deal

How to fix
  Confirm the new scope with the seller, or restore the amount if it was typed wrong.

Configuration
  [changes] amount_cut_pct = 20 (percent). [checks] CHG003 = \"error\" | \"info\" | \"off\".";

const CHG004: &str = "\
What it checks
  A deal open in the previous snapshot that is not in the current one, and so never closed
  won or lost. The finding sits on the previous file's line, and names the deal and its
  owner as that file has them.

Why it matters
  Deleted, merged or filtered-out deals leave the pipeline without an outcome: the
  forecast loses them, and the win rate never counts them.

Example
  An open deal on line 7 of last week's export, absent this week:
    CHG004 last_week.csv line 7 field id: open deal `Acme - Renewal` owned by `Dana
    Whitfield` (Proposal/Price Quote, USD 12,000.00) is not in the current snapshot and did
    not close; find out whether it was deleted, merged or left out of the export

How to fix
  Close it won or lost in the CRM if it ended; fix the export's filter if it left by
  mistake.

Configuration
  Deals paired by account and name that two deals share are not reported.
  [checks] CHG004 = \"error\" | \"info\" | \"off\".";

const CHG005: &str = "\
What it checks
  A deal closed (won or lost) in the previous snapshot that is open now.

Why it matters
  Reopening a closed deal rewrites history: a lost deal coming back is good news, a won one
  going back to the pipeline means a booking was undone.

Example
  Closed Lost last week, Prospecting now:
    CHG005 line 3 field stage: closed deal reopened: Closed Lost in the previous snapshot,
    now Prospecting; confirm it is the same opportunity, or record a new one

How to fix
  Confirm the reopening; a new opportunity with the same customer deserves its own record.

Configuration
  [checks] CHG005 = \"error\" | \"info\" | \"off\".";

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes that need a previous snapshot are exactly this family's.
    #[test]
    fn needs_previous_is_this_family() {
        for code in Code::ALL {
            let here = CHECKS.iter().any(|d| d.code == *code);
            assert_eq!(code.needs_previous(), here, "{code}");
        }
    }
}
