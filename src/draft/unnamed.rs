//! Columns a file without a header row names only by position (`column_1`, …, IN007): the
//! fields they hold guessed from their values alone, each a low-confidence decision listed
//! under `# CHECK`. A name would be better evidence; there is none.

use super::mapping::{Confidence, Mapped};
use crate::field::Canonical;
use crate::infer::{ColumnStats, ValueType};

/// Why a column's values look like a field's, or `None`.
type Guess = fn(&ColumnStats) -> Option<String>;

/// Map what the values of `stats` (the sample) show, among the columns `mapped` leaves free:
/// the id (unique values), the amount (money or decimals in the hundreds or more), the
/// probability (whole numbers from 0 to 100), the created date (a timestamp) and the close
/// date (a date), the owner (a few names of people) and the deal's name (text, nearly every
/// value its own).
pub(super) fn map_by_values(stats: &[ColumnStats], mapped: &mut Vec<Mapped>) {
    let guesses: [(Canonical, Guess); 7] = [
        (Canonical::Id, id),
        (Canonical::Amount, amount),
        (Canonical::Probability, probability),
        (Canonical::CreatedDate, created),
        (Canonical::CloseDate, close),
        (Canonical::Owner, owner),
        (Canonical::Name, name),
    ];
    for (field, guess) in guesses {
        if mapped.iter().any(|m| m.field == field) {
            continue;
        }
        let found = stats.iter().enumerate().find_map(|(column, c)| {
            let free = !mapped.iter().any(|m| m.column == column);
            free.then(|| guess(c)).flatten().map(|why| (column, why))
        });
        if let Some((column, why)) = found {
            mapped.push(Mapped {
                field,
                column,
                evidence: format!("guessed from its values ({why}); the file has no header"),
                confidence: Confidence::Low,
            });
        }
    }
}

/// Every value its own: how an id or a deal's name looks.
fn unique(c: &ColumnStats) -> bool {
    c.filled >= 2 && !c.distinct_overflow && c.distinct() as u64 == c.filled
}

fn id(c: &ColumnStats) -> Option<String> {
    let short = c.longest <= 40;
    let kind = c.kind();
    (unique(c) && short && c.filled == c.rows && matches!(kind, ValueType::Integer))
        .then(|| "a whole number on every row, each its own".to_string())
}

fn amount(c: &ColumnStats) -> Option<String> {
    let n = &c.numbers;
    let positive = n.min.is_some_and(|m| m >= 0.0);
    let large = n.max.is_some_and(|m| m >= 100.0);
    match c.kind() {
        ValueType::Money if positive => Some("money".to_string()),
        ValueType::Decimal if positive && large => Some("amounts with decimals".to_string()),
        // Whole amounts (`447000.00` reads as whole): many of them, in the thousands.
        ValueType::Integer
            if positive && n.max.is_some_and(|m| m >= 1000.0) && c.distinct() >= 10 =>
        {
            Some("numbers in the thousands".to_string())
        }
        _ => None,
    }
}

fn probability(c: &ColumnStats) -> Option<String> {
    let n = &c.numbers;
    let in_range = n.min.is_some_and(|m| m >= 0.0) && n.max.is_some_and(|m| m <= 100.0);
    let few = !c.distinct_overflow && c.distinct() <= 21;
    (matches!(c.kind(), ValueType::Integer | ValueType::Percent) && in_range && few)
        .then(|| "a few whole numbers from 0 to 100".to_string())
}

fn created(c: &ColumnStats) -> Option<String> {
    (c.kind() == ValueType::DateTime).then(|| "dates with a time, as a record's creation".into())
}

fn close(c: &ColumnStats) -> Option<String> {
    (c.kind() == ValueType::Date).then(|| "dates without a time".to_string())
}

fn owner(c: &ColumnStats) -> Option<String> {
    let distinct = c.distinct();
    if c.kind() != ValueType::Text || c.distinct_overflow || distinct == 0 || distinct > 50 {
        return None;
    }
    if (distinct as u64) * 5 > c.filled {
        return None;
    }
    // A person's name: two or more words, each starting with a capital letter.
    let person = |v: &str| {
        let words: Vec<&str> = v.split_whitespace().collect();
        (2..=4).contains(&words.len())
            && words
                .iter()
                .all(|w| w.chars().next().is_some_and(char::is_uppercase))
    };
    let people = c.values.keys().filter(|v| person(v)).count();
    (people * 5 >= distinct * 4).then(|| format!("{distinct} names of people, repeated"))
}

fn name(c: &ColumnStats) -> Option<String> {
    let words = c.values.keys().filter(|v| v.contains(' ')).count();
    (c.kind() == ValueType::Text && unique(c) && c.longest <= 200 && words * 2 >= c.distinct())
        .then(|| "words, every value its own".to_string())
}
