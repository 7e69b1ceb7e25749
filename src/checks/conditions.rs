//! RUL001: conditional value rules. When every `when` condition of a `[[rules]]` entry holds
//! for a deal, its `then` test must pass too ("deals of 100k or more have at least two
//! contacts engaged").
//!
//! The `then` test reuses the `when` evaluator, so the two read a value alike. A value that
//! is present but invalid already has its VAL finding, and a missing one that a requirement
//! names already has its REQ finding: neither is reported again here. A missing value that
//! nothing requires fails every test but `empty = true`, and the message says it is empty.

use super::{CheckDoc, Wording};
use crate::diag::{About, Code, FindingSink, Says};
use crate::facts::cell::Cell;
use crate::facts::plan::Plan;
use crate::facts::requirement::condition_holds;
use crate::facts::row::RowFacts;
use crate::rules::{Operand, RuleSet, Test};
use crate::words::{group_amount, number, quote};

pub(crate) const CHECKS: &[CheckDoc] = &[CheckDoc {
    code: Code::Rul001,
    explanation: RUL001,
    prompt: Some(
        "The deal does not meet one of our deal standards: is the value out of date, or does the deal need work before it counts?",
    ),
    wording: Wording::Stored,
}];

/// The `then` tests of the rules that fire for a deal. A missing field a REQ finding
/// reports (the deal's demands say which) is not reported again.
pub(crate) fn check_row(facts: &RowFacts<'_>, plan: &Plan<'_>, sink: &mut FindingSink<'_>) {
    if plan.conditional.is_empty() || !sink.enabled(Code::Rul001) {
        return;
    }
    let (deal, demands) = (facts.deal, facts.demands());
    for (rule, _) in plan
        .conditional
        .iter()
        .zip(facts.fired())
        .filter(|(_, f)| **f)
    {
        let Some((slot, test)) = rule.then else {
            continue;
        };
        let cell = facts.cells()[slot];
        let written = facts.written(plan, slot);
        let written: &str = &written;
        if condition_holds(test, &cell, written) {
            continue;
        }
        let field = plan.slots[slot].field;
        let already_reported = match cell {
            Cell::Invalid => true,
            Cell::Missing { .. } => demands.verdict(field, sink.policy()).is_some(),
            Cell::Valid(_) => false,
        };
        if already_reported {
            continue;
        }
        let Some(r) = plan.rules.rules.get(rule.index) else {
            continue;
        };
        sink.push(
            Code::Rul001,
            r.severity,
            About::Deal(deal),
            Some(field),
            || {
                let name = plan.table.name(field);
                let has = match cell {
                    Cell::Missing { placeholder: true } => {
                        format!("{name} holds the placeholder {}", quote(written))
                    }
                    Cell::Missing { .. } => format!("{name} is empty"),
                    _ => format!("has {}", shorten(written)),
                };
                let then = describe(name, test, plan.rules);
                Says::Text(match &r.message {
                    Some(text) => format!("{text} (rule {}: {then}, {has})", r.id),
                    None => {
                        let when: Vec<String> = r
                            .when
                            .iter()
                            .map(|c| {
                                let field = plan
                                    .table
                                    .id(&c.field.name)
                                    .map_or(c.field.name.as_str(), |id| plan.table.name(id));
                                describe(field, &c.test, plan.rules)
                            })
                            .collect();
                        format!("{} needs {then} ({has})", when.join(" and "))
                    }
                })
            },
        );
    }
}

/// A value from the export in a message, cut when long.
fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

/// A test as a person writes it: `amount ≥ 100,000`, `stage in (Demo, Trial)`,
/// `next_step_date filled`.
pub(crate) fn describe(field: &str, test: &Test, rules: &RuleSet) -> String {
    let list = |os: &[Operand]| {
        os.iter()
            .map(|o| operand(o, rules))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match test {
        Test::Eq(o) => format!("{field} = {}", operand(o, rules)),
        Test::In(os) => format!("{field} in ({})", list(os)),
        Test::NotIn(os) => format!("{field} not in ({})", list(os)),
        Test::Gt(o) => format!("{field} > {}", operand(o, rules)),
        Test::Gte(o) => format!("{field} ≥ {}", operand(o, rules)),
        Test::Lt(o) => format!("{field} < {}", operand(o, rules)),
        Test::Lte(o) => format!("{field} ≤ {}", operand(o, rules)),
        Test::Empty(true) => format!("{field} empty"),
        Test::Empty(false) => format!("{field} filled"),
    }
}

fn operand(o: &Operand, rules: &RuleSet) -> String {
    match o {
        Operand::Text(t) => t.clone(),
        Operand::Number { value, .. } => group_amount(&number(*value)),
        Operand::Date(d) => d.to_string(),
        Operand::Stage(i) => rules
            .stages
            .get(*i)
            .map_or_else(|| "?".to_string(), |s| s.name.clone()),
        Operand::Bool(b) => b.to_string(),
    }
}

const RUL001: &str = "\
What it checks
  Conditional value rules: when a [[rules]] entry's `when` holds for a deal, its `then` test
  (eq, in, not_in, gt, gte, lt, lte, empty, not_empty, as in `when`) passes too. A `then`
  on an empty field fails (except `empty = true`) and the message says the field is empty.

Why it matters
  Some standards are about values, not just filled fields: a six-figure deal with one
  contact is single-threaded, a Commit deal without a next-step date is hope, not a plan.

Example
  [[rules]] id = \"big-deal-multithreaded\", when = { field = \"amount\", gte = 100000 },
  then = { field = \"contacts\", gte = 2 }
    RUL001 line 3 field contacts: amount ≥ 100,000 needs contacts ≥ 2 (has 1)
  With message = \"Deals of 100k or more need two contacts engaged\":
    RUL001 line 3 field contacts: Deals of 100k or more need two contacts engaged (rule
    big-deal-multithreaded: contacts ≥ 2, has 1)

How to fix
  Bring the deal up to the standard (engage a second contact, set the next-step date), or
  correct the value that made the rule apply.

Configuration
  [[rules]] id, when, then = { field, <test> }, severity (default warning), message; a rule
  may have requires, then, or both. A value that is present but unreadable is reported as
  VAL only, and an empty one that a requirement names as REQ only. The `then` field does not
  count towards completeness (list it in `requires` too for that). [checks] RUL001 = ... .";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_read_as_people_write_them() {
        let rules = crate::rules::build(None, None, None).expect("defaults");
        let n = |value: f64| Operand::Number { value, exact: None };
        assert_eq!(
            describe("amount", &Test::Gte(n(100_000.0)), &rules),
            "amount ≥ 100,000"
        );
        assert_eq!(
            describe("contacts", &Test::Lt(n(2.5)), &rules),
            "contacts < 2.5"
        );
        assert_eq!(
            describe(
                "Region",
                &Test::NotIn(vec![
                    Operand::Text("EMEA".into()),
                    Operand::Text("APAC".into())
                ]),
                &rules
            ),
            "Region not in (EMEA, APAC)"
        );
        assert_eq!(
            describe("next_step_date", &Test::Empty(false), &rules),
            "next_step_date filled"
        );
    }
}
