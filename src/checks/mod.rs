//! Checks: what is wrong with a record, as findings with stable codes.
//!
//! One file per check family. Each family runs its part of a row (reading the row's
//! [`RowFacts`], never the raw row), of a file, or of the whole audit, decides its codes,
//! words its messages and pushes its findings through the one
//! [`FindingSink`](crate::diag::FindingSink). Each family also registers, per code, its
//! explanation, its coaching prompt and how its findings are worded when shown:
//! [`FAMILIES`] lists the families, one line each.
//!
//! Adding a check: its line in `diag::code`'s registry, then in its family file the check
//! itself (pushing through the sink), its [`CheckDoc`] in the family's `CHECKS`, a fixture
//! directory named after the code (`fixtures/checks/<CODE>/`, held by `tests/codes.rs`)
//! and a test asserting the exact finding.

pub(crate) mod changes;
pub(crate) mod closing;
pub(crate) mod conditions;
pub(crate) mod duplicates;
pub(crate) mod hygiene;
pub(crate) mod input;
pub(crate) mod required;
pub(crate) mod slippage;
pub(crate) mod traps;
pub(crate) mod values;

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::deal::{Deal, DealStore, Signal};
use crate::diag::FindingSink;
use crate::diag::{Code, Finding, Message, StoredRow, Subject};
use crate::facts::mapping::FieldTable;
use crate::facts::plan::Plan;
use crate::facts::row::RowFacts;
use crate::rules::RuleSet;

/// Everything a code owns beyond its registry line: what `pipelint explain` prints, the
/// question a manager asks about it, and how its findings read.
pub(crate) struct CheckDoc {
    pub(crate) code: Code,
    /// The long explanation, with the fixed [`EXPLANATION_HEADINGS`].
    pub(crate) explanation: &'static str,
    /// The question a manager can ask the seller about a deal with this finding.
    pub(crate) prompt: Option<&'static str>,
    pub(crate) wording: Wording,
}

/// How a code's findings get their words.
pub(crate) enum Wording {
    /// The check writes the text as it pushes the finding.
    Stored,
    /// Rebuilt when shown, from the deal and the finding's payload.
    Derived(fn(&Finding, &Deal, &WordContext<'_>) -> String),
    /// Rebuilt when shown, for a row that is no deal: from the payload and the width of the
    /// file's header (a text stored as the finding is pushed still wins).
    RowDerived(fn(&Finding, usize) -> String),
    /// Rebuilt when shown, for a row of the previous snapshot: from its deal there, with
    /// that snapshot's deals and rules.
    PreviousDerived(fn(&Deal, &DealStore, &RuleSet) -> String),
}

/// The headings every explanation has, in order.
#[cfg(test)]
const EXPLANATION_HEADINGS: [&str; 5] = [
    "What it checks",
    "Why it matters",
    "Example",
    "How to fix",
    "Configuration",
];

/// A family's part of one deal's row: it reads the row's facts (built once, before any
/// family runs) and pushes its findings.
pub(crate) type RowCheck = fn(&RowFacts<'_>, &Plan<'_>, &mut FindingSink<'_>);

/// One check family: its codes (with their explanations, prompts and wording), and its part
/// of each deal's row, if it has one. The families without one run once a file is read
/// (`input`'s file checks, `traps`, VAL007) or once every file is (`duplicates`,
/// `changes::finish`): the engine calls those by name, as their inputs differ.
pub(crate) struct Family {
    pub(crate) checks: &'static [CheckDoc],
    pub(crate) row: Option<RowCheck>,
}

/// Every check family, one line each. The engine runs the `row` checks of every deal in
/// this order (a record's findings are then sorted by code and field, so the order never
/// shows). The shape of a row (IN002, IN005, IN006: `input::check_row`) is checked before
/// a row is a deal and has facts, so it is not among them.
#[rustfmt::skip]
pub(crate) const FAMILIES: [Family; 10] = [
    Family { checks: input::CHECKS, row: None },
    Family { checks: traps::CHECKS, row: None },
    Family { checks: values::CHECKS, row: Some(values::check_row) },
    Family { checks: required::CHECKS, row: Some(required::check_row) },
    Family { checks: conditions::CHECKS, row: Some(conditions::check_row) },
    Family { checks: hygiene::CHECKS, row: Some(hygiene::check_row) },
    Family { checks: closing::CHECKS, row: Some(closing::check_row) },
    Family { checks: changes::CHECKS, row: Some(changes::check_row) },
    Family { checks: slippage::CHECKS, row: Some(slippage::check_row) },
    Family { checks: duplicates::CHECKS, row: None },
];

/// Every family's checks.
fn registry() -> impl Iterator<Item = &'static [CheckDoc]> {
    FAMILIES.iter().map(|f| f.checks)
}

/// A forecast-risk signal as `explain` and the owner lists present it: what it means, the
/// checks it corresponds to, and the question a manager asks the seller about it.
pub(crate) struct SignalDoc {
    pub(crate) signal: Signal,
    pub(crate) meaning: &'static str,
    /// The checks whose findings the signal mirrors (none yet for some).
    pub(crate) codes: &'static [Code],
    prompt: Prompt,
}

/// Where a signal's coaching prompt lives: with the check it mirrors, or with the signal
/// when no single check raises it.
enum Prompt {
    Of(Code),
    Own(&'static str),
}

impl SignalDoc {
    pub(crate) fn prompt(&self) -> &'static str {
        match self.prompt {
            Prompt::Of(code) => doc(code).and_then(|d| d.prompt).unwrap_or(""),
            Prompt::Own(text) => text,
        }
    }
}

/// Every risk signal, in the order [`Signal::ALL`] lists them.
pub(crate) const SIGNALS: &[SignalDoc] = &[
    SignalDoc {
        signal: Signal::Overdue,
        meaning: "the close date is before as-of",
        codes: &[Code::Hyg001],
        prompt: Prompt::Of(Code::Hyg001),
    },
    SignalDoc {
        signal: Signal::Stale,
        meaning: "no activity for more than stale_days (the stage's, else risk.stale_days), or none recorded",
        codes: &[Code::Hyg002],
        prompt: Prompt::Of(Code::Hyg002),
    },
    SignalDoc {
        signal: Signal::StageAged,
        meaning: "longer in its stage than the stage's max_days; when nothing says when it entered the stage, open longer than that since its created date (said so)",
        codes: &[Code::Hyg003],
        prompt: Prompt::Of(Code::Hyg003),
    },
    SignalDoc {
        signal: Signal::ExitCriteria,
        meaning: "a field its stage requires is missing or invalid",
        codes: &[Code::Req002],
        prompt: Prompt::Of(Code::Req002),
    },
    SignalDoc {
        signal: Signal::ForecastMismatch,
        meaning: "probability or forecast category inconsistent with the stage",
        codes: &[Code::Hyg004, Code::Hyg005],
        prompt: Prompt::Own(
            "The forecast does not fit the stage: which is right, the stage or the forecast, and why?",
        ),
    },
    SignalDoc {
        signal: Signal::NoNextStep,
        meaning: "the next step is missing (empty or a placeholder), expired (next_step_date before as-of) or filler such as \"follow up\" (HYG010)",
        codes: &[Code::Hyg010],
        prompt: Prompt::Own("What happens next on this deal, who does it, and by when?"),
    },
    SignalDoc {
        signal: Signal::Pushed,
        meaning: "the close date moved out since the previous snapshot (CHG001), or a push-count column is above zero",
        codes: &[Code::Chg001],
        prompt: Prompt::Own(
            "The close date has moved before: what changed, and what makes the new date real?",
        ),
    },
    SignalDoc {
        signal: Signal::Slipping,
        meaning: "serial slippage: the close date pushed [changes] serial_pushes times or push_alarm_days days in all (HYG009)",
        codes: &[Code::Hyg009],
        prompt: Prompt::Of(Code::Hyg009),
    },
    SignalDoc {
        signal: Signal::NoCloseDate,
        meaning: "an open deal without a close date (HYG012): it is in no period's forecast",
        codes: &[Code::Hyg012],
        prompt: Prompt::Of(Code::Hyg012),
    },
];

/// The registered documentation of a signal.
pub(crate) fn signal_doc(signal: Signal) -> Option<&'static SignalDoc> {
    SIGNALS.iter().find(|d| d.signal == signal)
}

/// What a code's family registered for it.
/// Whether a code reads the deal's stage against the rules' stages (it cannot run without
/// a stage column): exit criteria, unknown stages, time in stage, probability and forecast
/// against the stage's.
pub(crate) fn needs_stage(code: Code) -> bool {
    matches!(
        code,
        Code::Req002 | Code::Val006 | Code::Hyg003 | Code::Hyg004 | Code::Hyg005
    )
}

/// Whether a code judges only open (or won) deals: without a stage or a status, no deal is
/// either, and the code would pass on a pipeline it never looked at.
pub(crate) fn needs_open(code: Code) -> bool {
    needs_stage(code)
        || matches!(
            code,
            Code::Hyg001
                | Code::Hyg002
                | Code::Hyg006
                | Code::Hyg011
                | Code::Hyg012
                | Code::Hyg008
                | Code::Hyg010
                | Code::Dup002
                | Code::Chg002
                | Code::Chg004
                | Code::Chg005
        )
}

pub(crate) fn doc(code: Code) -> Option<&'static CheckDoc> {
    registry().flatten().find(|doc| doc.code == code)
}

/// What findings are worded from when they are shown.
pub(crate) struct WordContext<'a> {
    pub(crate) rules: &'a RuleSet,
    pub(crate) table: &'a FieldTable,
    pub(crate) as_of: NaiveDate,
    pub(crate) deals: &'a DealStore,
    /// Each input file's path, by file index.
    pub(crate) files: Vec<&'a str>,
    /// Texts of findings with stored messages.
    pub(crate) messages: &'a [Box<str>],
    /// The subjects of findings about rows that are no deals.
    pub(crate) rows: &'a [StoredRow],
    /// Each input file's number of header columns, by file index.
    pub(crate) widths: Vec<usize>,
    /// The previous snapshot's deals and rules, when the audit was compared with one.
    pub(crate) previous: Option<(&'a DealStore, &'a RuleSet)>,
}

impl WordContext<'_> {
    /// What a finding says.
    pub(crate) fn message(&self, f: &Finding) -> Cow<'_, str> {
        match f.message {
            Message::Stored(i) => Cow::Borrowed(self.messages.get(i as usize).map_or("", |m| m)),
            Message::Derived(_) => match (doc(f.code).map(|d| &d.wording), f.subject) {
                (Some(Wording::Derived(word)), Subject::Deal(d)) => self
                    .deals
                    .get(d as usize)
                    .map_or(Cow::Borrowed(""), |deal| Cow::Owned(word(f, deal, self))),
                (Some(Wording::RowDerived(word)), Subject::Row(r)) => {
                    let width = self
                        .rows
                        .get(r as usize)
                        .and_then(|row| self.widths.get(row.file as usize));
                    Cow::Owned(word(f, width.copied().unwrap_or(0)))
                }
                (Some(Wording::PreviousDerived(word)), Subject::Row(r)) => {
                    let old = self
                        .rows
                        .get(r as usize)
                        .and_then(|row| row.previous_deal());
                    match (old, self.previous) {
                        (Some(i), Some((deals, rules))) => deals
                            .get(i as usize)
                            .map_or(Cow::Borrowed(""), |d| Cow::Owned(word(d, deals, rules))),
                        _ => Cow::Borrowed(""),
                    }
                }
                _ => Cow::Borrowed(""),
            },
        }
    }

    /// Where a deal is, for a message about another one: "line 12" or "other.csv line 12".
    pub(crate) fn place(&self, of: &Deal, from: &Deal) -> String {
        if of.file == from.file {
            format!("line {}", of.line)
        } else {
            let file = self.files.get(of.file as usize).copied().unwrap_or("?");
            format!("{file} line {}", of.line)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_registered_once_by_its_family_with_its_words() {
        for &code in Code::ALL {
            let docs: Vec<&CheckDoc> = registry().flatten().filter(|d| d.code == code).collect();
            assert_eq!(
                docs.len(),
                1,
                "{code} must be registered by exactly one family"
            );
            let text = docs[0].explanation;
            for heading in EXPLANATION_HEADINGS {
                assert!(text.contains(heading), "{code} lacks {heading}");
            }
            // The example in each explanation names the code it explains.
            assert!(
                text.contains(code.as_str()) || code == Code::In001,
                "{code}'s example does not show a finding"
            );
        }
        assert_eq!(registry().map(|f| f.len()).sum::<usize>(), Code::ALL.len());
    }

    #[test]
    fn every_signal_has_a_question_to_ask() {
        assert_eq!(SIGNALS.len(), Signal::ALL.len());
        for (doc, signal) in SIGNALS.iter().zip(Signal::ALL) {
            assert_eq!(doc.signal, signal);
            let prompt = doc.prompt();
            assert!(prompt.ends_with('?'), "{}: {prompt:?}", signal.name());
        }
    }

    #[test]
    fn families_own_their_prefixes() {
        let prefixes = [
            (input::CHECKS, "IN"),
            (traps::CHECKS, "IN"),
            (required::CHECKS, "REQ"),
            (conditions::CHECKS, "RUL"),
            (values::CHECKS, "VAL"),
            (duplicates::CHECKS, "DUP"),
            (hygiene::CHECKS, "HYG"),
            (closing::CHECKS, "HYG"),
        ];
        for (docs, prefix) in prefixes {
            for d in docs {
                assert!(d.code.as_str().starts_with(prefix), "{}", d.code);
            }
        }
    }
}
