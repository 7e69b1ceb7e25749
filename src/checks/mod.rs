//! Checks: what is wrong with a record, as findings with stable codes.
//!
//! One file per check family. Each family runs its part of a row (or of a file, or of the
//! whole audit), decides its codes, words its messages and pushes its findings through the
//! one [`FindingSink`](crate::diag::FindingSink). Each family also registers, per code, its
//! explanation, its coaching prompt and how its findings are worded when shown: [`registry`]
//! lists the families, one line each.
//!
//! Adding a check: its line in `diag::code`'s registry, then in its family file the check
//! itself (pushing through the sink), its [`CheckDoc`] in the family's `CHECKS`, a fixture
//! named after the code and a test asserting the exact finding.

pub(crate) mod duplicates;
pub(crate) mod hygiene;
pub(crate) mod input;
pub(crate) mod plan;
pub(crate) mod required;
pub(crate) mod values;

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::deal::{Deal, DealStore};
use crate::diag::{Code, Finding, Message, Subject};
use crate::input::mapping::FieldTable;
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

/// Every family's checks: one line per family.
fn registry() -> [&'static [CheckDoc]; 5] {
    [
        input::CHECKS,
        required::CHECKS,
        values::CHECKS,
        duplicates::CHECKS,
        hygiene::CHECKS,
    ]
}

/// What a code's family registered for it.
pub(crate) fn doc(code: Code) -> Option<&'static CheckDoc> {
    registry()
        .into_iter()
        .flatten()
        .find(|doc| doc.code == code)
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
}

impl WordContext<'_> {
    /// What a finding says.
    pub(crate) fn message(&self, f: &Finding) -> Cow<'_, str> {
        match f.message {
            Message::Stored(i) => Cow::Borrowed(self.messages.get(i as usize).map_or("", |m| m)),
            Message::Derived(_) => {
                let deal = match f.subject {
                    Subject::Deal(d) => self.deals.get(d as usize),
                    Subject::Row(_) => None,
                };
                match (doc(f.code).map(|d| &d.wording), deal) {
                    (Some(Wording::Derived(word)), Some(deal)) => Cow::Owned(word(f, deal, self)),
                    _ => Cow::Borrowed(""),
                }
            }
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
            let docs: Vec<&CheckDoc> = registry()
                .into_iter()
                .flatten()
                .filter(|d| d.code == code)
                .collect();
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
        assert_eq!(
            registry().iter().map(|f| f.len()).sum::<usize>(),
            Code::ALL.len()
        );
    }

    #[test]
    fn families_own_their_prefixes() {
        let prefixes = [
            (input::CHECKS, "IN"),
            (required::CHECKS, "REQ"),
            (values::CHECKS, "VAL"),
            (duplicates::CHECKS, "DUP"),
            (hygiene::CHECKS, "HYG"),
        ];
        for (docs, prefix) in prefixes {
            for d in docs {
                assert!(d.code.as_str().starts_with(prefix), "{}", d.code);
            }
        }
    }
}
