//! What is read back from the history is checked before it is used: dates are dates from
//! the years 1 to 9999, counts are whole and not negative, percentages are numbers from 0
//! to 100, words are the ones pipelint writes. A row that fails is one pipelint did not
//! write (edited by hand, or damaged): the store is refused with one sentence naming the
//! file, the table, the row and the column, and nothing of it is shown as data.

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rusqlite::Row;
use rusqlite::types::ValueRef;
use serde_json::Value;

/// The rows of one table of the history at `path`.
#[derive(Clone, Copy)]
pub(crate) struct Table<'a> {
    pub(crate) path: &'a Path,
    pub(crate) table: &'static str,
}

/// A count's range: whole and not negative.
pub(crate) const COUNT: RangeInclusive<i64> = 0..=i64::MAX;

impl Table<'_> {
    /// The refusal for `row` (named as the message shows it: `row 3`), whose `column` holds
    /// what `what` says.
    pub(crate) fn bad(&self, row: impl Display, column: &str, what: impl Display) -> anyhow::Error {
        anyhow::anyhow!(
            "the history {} holds a value pipelint did not write (table {}, {row}, column {column}: {what}); restore the file from a backup, or name another --db",
            self.path.display(),
            self.table
        )
    }

    fn column<'r>(r: &'r Row<'_>, i: usize) -> &'r str {
        r.as_ref().column_name(i).unwrap_or("?")
    }

    /// A whole number in `range`.
    pub(crate) fn int(
        &self,
        r: &Row<'_>,
        i: usize,
        row: impl Display,
        range: RangeInclusive<i64>,
    ) -> anyhow::Result<i64> {
        match self.opt_int(r, i, &row, range)? {
            Some(n) => Ok(n),
            None => Err(self.bad(row, Self::column(r, i), "empty, where a number belongs")),
        }
    }

    /// A whole number in `range`, or NULL.
    pub(crate) fn opt_int(
        &self,
        r: &Row<'_>,
        i: usize,
        row: impl Display,
        range: RangeInclusive<i64>,
    ) -> anyhow::Result<Option<i64>> {
        let value = r.get_ref(i)?;
        match value {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(n) if range.contains(&n) => Ok(Some(n)),
            ValueRef::Integer(n) => Err(self.bad(
                row,
                Self::column(r, i),
                format!("{n}, outside {}", shown_range(&range)),
            )),
            other => Err(self.bad(
                row,
                Self::column(r, i),
                format!("{}, not a whole number", shown_value(other)),
            )),
        }
    }

    /// Text (not NULL).
    pub(crate) fn text<'r>(
        &self,
        r: &'r Row<'_>,
        i: usize,
        row: impl Display,
    ) -> anyhow::Result<&'r str> {
        match self.opt_text(r, i, &row)? {
            Some(t) => Ok(t),
            None => Err(self.bad(row, Self::column(r, i), "empty, where text belongs")),
        }
    }

    /// Text, or NULL.
    pub(crate) fn opt_text<'r>(
        &self,
        r: &'r Row<'_>,
        i: usize,
        row: impl Display,
    ) -> anyhow::Result<Option<&'r str>> {
        match r.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(Some)
                .map_err(|_| self.bad(row, Self::column(r, i), "text that is not UTF-8")),
            other => Err(self.bad(
                row,
                Self::column(r, i),
                format!("{}, not text", shown_value(other)),
            )),
        }
    }

    /// One of `words`.
    pub(crate) fn word<'w>(
        &self,
        r: &Row<'_>,
        i: usize,
        row: impl Display,
        words: &[&'w str],
    ) -> anyhow::Result<&'w str> {
        let text = self.text(r, i, &row)?;
        words.iter().find(|w| **w == text).copied().ok_or_else(|| {
            self.bad(
                row,
                Self::column(r, i),
                format!("{}, not one of {}", quoted(text), words.join(", ")),
            )
        })
    }

    /// A day stored as a Julian day number from the years 1 to 9999, or NULL.
    pub(crate) fn day(
        &self,
        r: &Row<'_>,
        i: usize,
        row: impl Display,
    ) -> anyhow::Result<Option<NaiveDate>> {
        let Some(n) = self.opt_int(r, i, &row, i64::MIN..=i64::MAX)? else {
            return Ok(None);
        };
        match super::from_julian_day(n).filter(in_years) {
            Some(day) => Ok(Some(day)),
            None => Err(self.bad(
                row,
                Self::column(r, i),
                format!("{n}, not the Julian day of a date from the years 1 to 9999"),
            )),
        }
    }
}

/// Whether `day` is in the years 1 to 9999, the dates pipelint stores.
pub(crate) fn in_years(day: &NaiveDate) -> bool {
    (1..=9999).contains(&day.year())
}

/// Stored text as a message quotes it: escaped as Rust escapes it, and cut after 40
/// characters (a tampered cell may be megabytes).
pub(crate) fn quoted(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{:?}…", &text[..end]),
        None => format!("{text:?}"),
    }
}

fn shown_range(range: &RangeInclusive<i64>) -> String {
    match (*range.start(), *range.end()) {
        (0, i64::MAX) => "the counts (0 or more)".to_string(),
        (lo, hi) => format!("{lo} to {hi}"),
    }
}

fn shown_value(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Null => "empty".to_string(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(x) => x.to_string(),
        ValueRef::Text(t) => quoted(&String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => format!("a blob of {} bytes", b.len()),
    }
}

/// A stored snapshot summary (`snapshots.summary`) checked to be the JSON pipelint writes
/// (`report::Summary`): counts, a percentage, amounts and the gate.
pub(crate) fn summary(text: &str) -> Result<Value, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    let count = |v: &Value, key: &str| match v.get(key) {
        Some(n) if n.is_u64() => Ok(()),
        other => Err(format!("{key} is {}, not a count", shown_json(other))),
    };
    for key in ["records", "open"] {
        count(&v, key)?;
    }
    match v.get("completeness") {
        Some(p) if p.as_f64().is_some_and(|p| (0.0..=100.0).contains(&p)) => {}
        other => {
            return Err(format!(
                "completeness is {}, not a percentage from 0 to 100",
                shown_json(other)
            ));
        }
    }
    for (block, keys) in [
        ("findings", ["error", "warning", "info"]),
        ("risk", ["high", "medium", "low"]),
    ] {
        let b = v
            .get(block)
            .filter(|b| b.is_object())
            .ok_or_else(|| format!("{block} is {}, not an object", shown_json(v.get(block))))?;
        for key in keys {
            count(b, key).map_err(|e| format!("{block}.{e}"))?;
        }
    }
    for key in ["open_amount", "at_risk_amount"] {
        amounts(v.get(key)).map_err(|e| format!("{key}: {e}"))?;
    }
    let gate = v.get("gate");
    let passed = gate
        .and_then(|g| g.get("passed"))
        .is_some_and(Value::is_boolean);
    let reasons = gate
        .and_then(|g| g.get("reasons"))
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().all(Value::is_string));
    if !passed || !reasons {
        return Err(format!(
            "gate is {}, not a verdict with its reasons",
            shown_json(gate)
        ));
    }
    Ok(v)
}

/// `[{"currency": "USD" | null, "amount": "1200.00"}, …]`.
fn amounts(v: Option<&Value>) -> Result<(), String> {
    let list = v
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{}, not a list of amounts", shown_json(v)))?;
    for a in list {
        let currency = a
            .get("currency")
            .is_some_and(|c| c.is_null() || c.is_string());
        let amount = a
            .get("amount")
            .and_then(Value::as_str)
            .is_some_and(is_decimal);
        if !currency || !amount {
            return Err(format!("{a}, not an amount"));
        }
    }
    Ok(())
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && cents.bytes().all(|b| b.is_ascii_digit())
}

/// An owner's stored amounts (`owner_stats.amounts`): `{"open": [[currency | null,
/// "units"]], "at_risk": [...]}`, units a whole number.
pub(crate) fn owner_amounts(text: &str) -> Result<Value, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    for key in ["open", "at_risk"] {
        let list = v
            .get(key)
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{key} is {}, not a list of amounts", shown_json(v.get(key))))?;
        for pair in list {
            let currency = pair.get(0).is_some_and(|c| c.is_null() || c.is_string());
            let units = pair
                .get(1)
                .and_then(Value::as_str)
                .is_some_and(|u| u.parse::<i128>().is_ok());
            if !currency || !units || pair.as_array().map(Vec::len) != Some(2) {
                return Err(format!("{key} holds {pair}, not an amount"));
            }
        }
    }
    Ok(v)
}

fn shown_json(v: Option<&Value>) -> String {
    match v {
        None => "missing".to_string(),
        Some(v) => {
            let text = v.to_string();
            match text.char_indices().nth(40) {
                Some((end, _)) => format!("{}…", &text[..end]),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUMMARY: &str = r#"{"records":9,"open":6,"completeness":100.0,"findings":{"error":0,"warning":4,"info":0},"open_amount":[{"currency":null,"amount":"445000.00"}],"at_risk_amount":[],"risk":{"high":0,"medium":2,"low":4},"gate":{"passed":true,"reasons":[]}}"#;

    #[test]
    fn a_stored_summary_is_what_pipelint_writes() {
        assert!(summary(SUMMARY).is_ok());
        let tampered = |from: &str, to: &str| summary(&SUMMARY.replace(from, to));
        assert_eq!(
            tampered("\"completeness\":100.0", "\"completeness\":\"abc\""),
            Err("completeness is \"abc\", not a percentage from 0 to 100".to_string())
        );
        assert!(tampered("\"completeness\":100.0", "\"completeness\":100.1").is_err());
        assert!(tampered("\"open\":6", "\"open\":-6").is_err());
        assert!(tampered("\"warning\":4", "\"warning\":1.5").is_err());
        assert!(tampered("\"445000.00\"", "\"lots\"").is_err());
        assert!(tampered("\"passed\":true", "\"passed\":1").is_err());
        assert!(summary("[]").is_err());
        assert!(summary("{").is_err());
    }

    #[test]
    fn stored_quarters_are_fiscal_quarter_names() {
        use super::super::view::is_quarter;
        assert!(is_quarter("FY2027-Q1") && is_quarter("FY0001-Q4"));
        for bad in [
            "FY2027-Q5",
            "FY2027Q1",
            "next year",
            "FY2027-é",
            "FY202é-Q1",
            "",
        ] {
            assert!(!is_quarter(bad), "{bad}");
        }
    }

    #[test]
    fn stored_owner_amounts_are_whole_units() {
        assert!(
            owner_amounts(r#"{"at_risk":[],"open":[[null,"1500000000"],["EUR","-5"]]}"#).is_ok()
        );
        assert!(owner_amounts(r#"{"at_risk":[],"open":[[null,"1.5"]]}"#).is_err());
        assert!(owner_amounts(r#"{"open":[]}"#).is_err());
    }
}
