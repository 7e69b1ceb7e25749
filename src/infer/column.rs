//! One column's profile: how full it is, which placeholders stand in for "empty", how many
//! distinct values it has and which are most common, and what type its values are.

use rustc_hash::FxHashMap;

use super::dates::{Candidates, DateEvidence, DateVerdict};
use super::numbers::NumberEvidence;
use crate::values::{Placeholders, trim_cell};

/// Distinct values tracked per column; past this the count is a lower bound.
pub(crate) const DISTINCT_CAP: usize = 5_000;
/// Bytes of distinct values kept per column, past which the count is a lower bound too: 5,000
/// values of a cell's 64 kB each would be 320 MB for one column. An export's longest texts
/// (next steps, descriptions) average far under the 800 bytes this leaves a value.
pub(crate) const DISTINCT_BYTES: usize = 4 << 20;

/// Placeholders pipelint recognises when drafting rules, besides an empty cell. Salesforce
/// writes a null lookup id as fifteen zeros and `AAA`.
pub(crate) const KNOWN_PLACEHOLDERS: [&str; 16] = [
    "-",
    "--",
    "n/a",
    "na",
    "#n/a",
    "null",
    "none",
    "nil",
    "tbd",
    "tba",
    "(blank)",
    "(none)",
    "not set",
    "?",
    "000000000000000AAA",
    "000000000000000",
];

/// The type a column's values have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValueType {
    Empty,
    Boolean,
    Date,
    DateTime,
    Integer,
    Decimal,
    Money,
    Percent,
    Text,
}

impl ValueType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ValueType::Empty => "empty",
            ValueType::Boolean => "boolean",
            ValueType::Date => "date",
            ValueType::DateTime => "datetime",
            ValueType::Integer => "integer",
            ValueType::Decimal => "decimal",
            ValueType::Money => "money",
            ValueType::Percent => "percent",
            ValueType::Text => "text",
        }
    }

    pub(crate) fn is_numeric(self) -> bool {
        matches!(
            self,
            ValueType::Integer | ValueType::Decimal | ValueType::Money | ValueType::Percent
        )
    }
}

/// Everything observed about one column.
#[derive(Clone, Debug, Default)]
pub(crate) struct ColumnStats {
    pub(crate) name: String,
    /// Rows that reached this column.
    pub(crate) rows: u64,
    /// Cells with a real value.
    pub(crate) filled: u64,
    /// Empty cells (nothing but spaces).
    pub(crate) empty: u64,
    /// Placeholder cells, by spelling as written.
    pub(crate) placeholders: FxHashMap<String, u64>,
    /// Distinct values and how often each occurs (up to [`DISTINCT_CAP`]).
    pub(crate) values: FxHashMap<Box<str>, u64>,
    /// More distinct values than [`DISTINCT_CAP`] (or [`DISTINCT_BYTES`] of them) were seen.
    pub(crate) distinct_overflow: bool,
    /// Bytes of the distinct values kept.
    distinct_bytes: usize,
    pub(crate) longest: usize,
    pub(crate) dates: DateEvidence,
    pub(crate) numbers: NumberEvidence,
}

impl ColumnStats {
    pub(crate) fn new(name: &str) -> ColumnStats {
        ColumnStats {
            name: name.to_string(),
            ..ColumnStats::default()
        }
    }

    /// Look at one cell (as decoded, untrimmed).
    pub(crate) fn observe(&mut self, cell: &str, known: &Placeholders, candidates: &Candidates) {
        self.rows += 1;
        let v = trim_cell(cell);
        if v.is_empty() {
            self.empty += 1;
            return;
        }
        if is_placeholder(v, known) {
            *self.placeholders.entry(v.to_string()).or_insert(0) += 1;
            return;
        }
        self.filled += 1;
        self.longest = self.longest.max(v.chars().count());
        let room =
            self.values.len() < DISTINCT_CAP && self.distinct_bytes + v.len() <= DISTINCT_BYTES;
        match self.values.get_mut(v) {
            Some(n) => *n += 1,
            None if room => {
                self.distinct_bytes += v.len();
                self.values.insert(v.into(), 1);
            }
            None => self.distinct_overflow = true,
        }
        self.dates.observe(v, candidates);
        self.numbers.observe(v);
    }

    /// Share of rows with a real value (0–1).
    pub(crate) fn fill_rate(&self) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            self.filled as f64 / self.rows as f64
        }
    }

    pub(crate) fn distinct(&self) -> usize {
        self.values.len()
    }

    /// The most common values, most common first (ties by value), at most `n`.
    pub(crate) fn top(&self, n: usize) -> Vec<(&str, u64)> {
        let mut all: Vec<(&str, u64)> = self.values.iter().map(|(k, v)| (&**k, *v)).collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        all.truncate(n);
        all
    }

    /// The date format of a date column.
    pub(crate) fn date_verdict(&self) -> Option<DateVerdict> {
        (self.kind() == ValueType::Date || self.kind() == ValueType::DateTime)
            .then(|| self.dates.verdict())
            .flatten()
    }

    /// The type nearly all present values have (98%; every value for yes/no).
    pub(crate) fn kind(&self) -> ValueType {
        let seen = self.filled;
        if seen == 0 {
            return ValueType::Empty;
        }
        let most = |n: u64| n as f64 >= seen as f64 * 0.98;
        let n = &self.numbers;
        if n.is_boolean() || (n.is_zero_one() && self.distinct() <= 2) {
            return ValueType::Boolean;
        }
        if most(self.dates.date_like) && !self.dates.abandoned {
            // Plain numbers are never dates (a column of years or ids).
            if n.numeric() < self.dates.date_like {
                return if self.dates.with_time * 2 > self.dates.date_like {
                    ValueType::DateTime
                } else {
                    ValueType::Date
                };
            }
        }
        // Identifiers are text: a digit string with a leading zero is a code (`00601042`);
        // letters and digits together (`OPP1900001042`, `006A000001abcD`) never read as
        // numbers, and three letters that are not an ISO 4217 code are no currency.
        if most(n.numeric()) && n.leading_zero == 0 {
            if n.with_percent > 0 {
                return ValueType::Percent;
            }
            if n.with_currency > 0 {
                return ValueType::Money;
            }
            if n.with_fraction > 0 {
                return ValueType::Decimal;
            }
            return ValueType::Integer;
        }
        ValueType::Text
    }
}

/// Whether a trimmed value is a known placeholder (or one of the rules' own).
pub(crate) fn is_placeholder(v: &str, rules: &Placeholders) -> bool {
    rules.is_missing(v)
        || KNOWN_PLACEHOLDERS
            .iter()
            .any(|p| p.len() == v.len() && p.eq_ignore_ascii_case(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(values: &[&str]) -> ColumnStats {
        let c = Candidates::new();
        let p = Placeholders::default();
        let mut s = ColumnStats::new("x");
        for v in values {
            s.observe(v, &p, &c);
        }
        s
    }

    #[test]
    fn long_distinct_values_held_320_mb_a_column_and_now_stop_at_a_budget() {
        // 5,000 distinct values of a cell's 64 kB each were all kept: 320 MB for one column.
        let values: Vec<String> = (0..200)
            .map(|i| format!("{i:05}{}", "v".repeat(65_000)))
            .collect();
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let s = column(&refs);
        let kept: usize = s.values.keys().map(|k| k.len()).sum();
        assert!(
            kept <= DISTINCT_BYTES,
            "{kept} bytes of distinct values kept"
        );
        assert!(s.distinct_overflow, "the count is said to be a lower bound");
        assert_eq!((s.filled, s.rows), (200, 200));
    }

    #[test]
    fn fill_placeholders_distinct_top() {
        let s = column(&["Won", "Lost", "Won", "", " ", "N/A", "null", "Won"]);
        assert_eq!(s.rows, 8);
        assert_eq!(s.filled, 4);
        assert_eq!(s.empty, 2);
        assert_eq!(s.placeholders.values().sum::<u64>(), 2);
        assert_eq!(s.distinct(), 2);
        assert_eq!(s.top(5), vec![("Won", 3), ("Lost", 1)]);
        assert_eq!(s.kind(), ValueType::Text);
    }

    #[test]
    fn salesforce_null_ids_are_placeholders() {
        let s = column(&["000000000000000AAA", "7018a000000XyZ1AAK"]);
        assert_eq!(s.filled, 1);
        assert_eq!(s.placeholders.values().sum::<u64>(), 1);
    }

    #[test]
    fn types() {
        assert_eq!(column(&["TRUE", "FALSE"]).kind(), ValueType::Boolean);
        assert_eq!(column(&["1", "0", "1"]).kind(), ValueType::Boolean);
        assert_eq!(column(&["1", "", "1"]).kind(), ValueType::Boolean);
        assert_eq!(column(&["10", "20", "100"]).kind(), ValueType::Integer);
        assert_eq!(column(&["9225.225", "1200"]).kind(), ValueType::Decimal);
        assert_eq!(column(&["$12,500", "$900"]).kind(), ValueType::Money);
        assert_eq!(column(&["40%", "10%"]).kind(), ValueType::Percent);
        assert_eq!(
            column(&["2026-01-31", "2026-02-01"]).kind(),
            ValueType::Date
        );
        assert_eq!(
            column(&["2025-11-28 16:14", "2025-11-29 09:00"]).kind(),
            ValueType::DateTime
        );
        assert_eq!(column(&["2016", "2017"]).kind(), ValueType::Integer);
        assert_eq!(column(&["Acme", "Globex"]).kind(), ValueType::Text);
    }

    #[test]
    fn identifiers_are_not_numbers_or_money() {
        let ids = column(&["OPP1900001042", "OPP1900001043", "OPP1900001044"]);
        assert_eq!(ids.kind(), ValueType::Text);
        assert_eq!(ids.numbers.with_currency, 0);
        let sf = column(&["006A000001abcD", "006A000001abcE", "006A000002XyZq"]);
        assert_eq!(sf.kind(), ValueType::Text);
        let padded = column(&["0060000001042", "0060000001043", "0060000001044"]);
        assert_eq!(padded.kind(), ValueType::Text);
        assert_eq!(
            column(&["OPP-000123", "OPP-000124"]).kind(),
            ValueType::Text
        );
        // Real amounts still are: a zero, a decimal below one, an ISO code.
        assert_eq!(column(&["0", "0.50", "1200"]).kind(), ValueType::Decimal);
        assert_eq!(
            column(&["USD 1,200.00", "EUR 900"]).kind(),
            ValueType::Money
        );
    }
}
