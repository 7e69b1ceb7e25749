//! The typed cells one row holds: each read column's value after its value checks.

use chrono::NaiveDate;

use crate::values::{Currency, DateFormat, DecimalMark, MoneyValue};

/// A value that passed its checks, in the type it was read as.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Parsed {
    Text,
    Date(NaiveDate),
    Money(MoneyValue),
    /// Numbers, and percentages in points (0–100).
    Number(f64),
    /// Index into the rules' stages.
    Stage(usize),
    Bool(bool),
}

/// What one record holds in one read column, after its value checks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Cell {
    /// Empty, or a placeholder from `[input] empty_values`.
    Missing {
        placeholder: bool,
    },
    /// Present but failed a VAL check.
    Invalid,
    Valid(Parsed),
}

/// Settings that value parsing needs, borrowed from the rules.
pub(crate) struct ValueContext<'a> {
    pub(crate) formats: &'a [DateFormat],
    pub(crate) decimal: DecimalMark,
    pub(crate) dollar: Option<Currency>,
}
