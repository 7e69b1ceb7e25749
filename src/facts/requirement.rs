//! What the rules require of a deal's fields, and why: everywhere, in its stage (exit
//! criteria) or by a rule whose `when` holds.

use std::cmp::Ordering;

use super::cell::{Cell, Parsed};
use super::mapping::FieldId;
use crate::diag::{Code, Severity};
use crate::rules::{Operand, Test};
use crate::values::{eq_fold, percent};

/// Why a field is required.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Because {
    Global,
    Stage(usize),
    Rule(usize),
}

impl Because {
    pub(crate) fn code(self) -> Code {
        match self {
            Because::Global => Code::Req001,
            Because::Stage(_) => Code::Req002,
            Because::Rule(_) => Code::Req003,
        }
    }

    /// As a derived message's payload: 0 global, 1 the deal's stage, 2 + r rule r.
    pub(crate) fn payload(self) -> u32 {
        match self {
            Because::Global => 0,
            Because::Stage(_) => 1,
            Because::Rule(r) => 2u32.saturating_add(u32::try_from(r).unwrap_or(u32::MAX - 2)),
        }
    }

    /// Back from a payload; `stage` is the deal's stage.
    pub(crate) fn from_payload(payload: u32, stage: Option<usize>) -> Because {
        match payload {
            0 => Because::Global,
            1 => Because::Stage(stage.unwrap_or(usize::MAX)),
            r => Because::Rule((r - 2) as usize),
        }
    }

    pub(crate) fn rank(self) -> usize {
        match self {
            Because::Global => 0,
            Because::Stage(_) => 1,
            Because::Rule(_) => 2,
        }
    }
}

/// One requirement: `field` must be filled, because of `because`, at `severity` (the rules'
/// own severity for it, if they give one).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Requirement {
    pub(crate) field: FieldId,
    pub(crate) because: Because,
    pub(crate) severity: Option<Severity>,
    /// Position in the stage's `requires` list (stage requirements only).
    pub(crate) pos: u8,
}

/// Whether a `when` test holds for a record's cell (`text` is the cell as written). A missing
/// or invalid value satisfies no test except `empty = true`.
pub(crate) fn condition_holds(test: &Test, cell: &Cell, text: &str) -> bool {
    let parsed = match (test, cell) {
        (Test::Empty(want), _) => return matches!(cell, Cell::Missing { .. }) == *want,
        (_, Cell::Valid(p)) => p,
        _ => return false,
    };
    let is = |o: &Operand, accept: &[Ordering]| {
        compare(parsed, o, text).is_some_and(|c| accept.contains(&c))
    };
    match test {
        Test::Eq(o) => is(o, &[Ordering::Equal]),
        Test::In(os) => os.iter().any(|o| is(o, &[Ordering::Equal])),
        Test::NotIn(os) => !os.iter().any(|o| is(o, &[Ordering::Equal])),
        Test::Gt(o) => is(o, &[Ordering::Greater]),
        Test::Gte(o) => is(o, &[Ordering::Greater, Ordering::Equal]),
        Test::Lt(o) => is(o, &[Ordering::Less]),
        Test::Lte(o) => is(o, &[Ordering::Less, Ordering::Equal]),
        Test::Empty(_) => false,
    }
}

/// The value compared with the operand (`Less`: the value is below it).
fn compare(value: &Parsed, operand: &Operand, text: &str) -> Option<Ordering> {
    match (value, operand) {
        (Parsed::Stage(s), Operand::Stage(o)) => (s == o).then_some(Ordering::Equal),
        (Parsed::Bool(b), Operand::Bool(o)) => (b == o).then_some(Ordering::Equal),
        (_, Operand::Text(t)) => eq_fold(t, text).then_some(Ordering::Equal),
        (Parsed::Money(m), Operand::Number { exact: Some(e), .. }) => Some(m.amount.cmp(e)),
        (Parsed::Money(m), Operand::Number { value, .. }) => m.amount.to_f64().partial_cmp(value),
        (Parsed::Number(n), Operand::Number { value, .. }) => n.partial_cmp(value),
        (Parsed::Date(d), Operand::Date(o)) => Some(d.cmp(o)),
        _ => None,
    }
}

/// What one deal's requirements came to: its completeness weights, and whether a REQ
/// finding already reports its amount missing (so HYG006 does not repeat it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Fulfilment {
    pub(crate) filled: u32,
    pub(crate) applicable: u32,
    pub(crate) amount_reported: bool,
    /// A REQ finding already says the close date is missing (HYG012 then says nothing).
    pub(crate) close_date_reported: bool,
}

/// Per field: how often it was applicable, and what it held then.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldTally {
    pub(crate) applicable: u64,
    pub(crate) filled: u64,
    pub(crate) missing: u64,
    pub(crate) invalid: u64,
}

impl FieldTally {
    pub(crate) fn merge(&mut self, other: &FieldTally) {
        self.applicable += other.applicable;
        self.filled += other.filled;
        self.missing += other.missing;
        self.invalid += other.invalid;
    }

    /// Share of applicable records in which the field was filled, 0–100; `None` when the
    /// field never applied.
    pub(crate) fn rate(&self) -> Option<f64> {
        (self.applicable > 0).then(|| percent(self.filled, self.applicable))
    }
}
