//! VAL001–VAL006: a present value must parse as its field's type and meet its constraints.
//!
//! One finding at most per record and field: the first failing test in the order parse
//! (VAL001/VAL002), allowed values (VAL003), pattern (VAL004), range (VAL005). VAL006 is the
//! stage field's own test.

use chrono::NaiveDate;

use super::Code;
use crate::field::FieldType;
use crate::rules::{Bound, FieldRule, RuleSet};
use crate::suggest;
pub use crate::values::eq_fold;
use crate::values::{
    Currency, DateFormat, DecimalMark, MoneyValue, NumberError, parse_bool, parse_date,
    parse_money, parse_number, parse_percent,
};

/// A value that passed its checks, in the type it was read as.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Parsed {
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
pub enum Cell {
    /// Empty, or a placeholder from `[input] empty_values`.
    Missing {
        placeholder: bool,
    },
    /// Present but failed a VAL check.
    Invalid,
    Valid(Parsed),
}

/// A failed value check: its code and message.
pub type Violation = (Code, String);

/// Settings that value parsing needs, borrowed from the rules.
pub struct ValueContext<'a> {
    pub formats: &'a [DateFormat],
    pub decimal: DecimalMark,
    pub dollar: Option<Currency>,
}

/// Check one present (non-missing) value of a field typed `kind`, constrained by `rule`.
pub fn check_value(
    text: &str,
    kind: FieldType,
    rule: Option<&FieldRule>,
    ctx: &ValueContext<'_>,
) -> Result<Parsed, Violation> {
    let parsed = match kind {
        FieldType::Text | FieldType::Enum => Parsed::Text,
        FieldType::Date => match parse_date(text, ctx.formats) {
            Some(d) => Parsed::Date(d),
            None => return Err((Code::Val001, val001_message(text, ctx.formats))),
        },
        FieldType::Money => match parse_money(text, ctx.decimal, ctx.dollar) {
            Ok(m) => Parsed::Money(m),
            Err(e) => return Err((Code::Val002, number_message(text, "amount", e))),
        },
        FieldType::Number => match parse_number(text, ctx.decimal) {
            Ok(n) => Parsed::Number(n),
            Err(e) => return Err((Code::Val002, number_message(text, "number", e))),
        },
        FieldType::Percent => {
            let fraction = rule.is_some_and(|r| r.fraction);
            match parse_percent(text, ctx.decimal, fraction) {
                Ok(n) => Parsed::Number(n),
                Err(e) => return Err((Code::Val002, number_message(text, "percentage", e))),
            }
        }
        FieldType::Boolean => match parse_bool(text) {
            Some(b) => Parsed::Bool(b),
            None => {
                return Err((
                    Code::Val003,
                    format!(
                        "{} is not a yes/no value (true/false, yes/no or 1/0)",
                        quote(text)
                    ),
                ));
            }
        },
    };
    let Some(rule) = rule else {
        return percent_range(kind, parsed, None).map(|_| parsed);
    };
    if !rule.values.is_empty() && !rule.values.iter().any(|v| eq_fold(v, text)) {
        let allowed = rule.values.join(", ");
        let hint = suggest::hint(text, rule.values.iter().map(String::as_str));
        return Err((
            Code::Val003,
            format!("{} is not an allowed value ({allowed}){hint}", quote(text)),
        ));
    }
    if let Some(re) = &rule.pattern {
        if !re.is_match(text) {
            let pattern = re.as_str();
            let pattern = pattern
                .strip_prefix("^(?:")
                .and_then(|p| p.strip_suffix(")$"))
                .unwrap_or(pattern);
            return Err((
                Code::Val004,
                format!("{} does not match the pattern {pattern}", quote(text)),
            ));
        }
    }
    percent_range(kind, parsed, Some(rule))?;
    range(parsed, rule.min.as_ref(), rule.max.as_ref())?;
    Ok(parsed)
}

/// Percentages lie in 0–100 unless the field sets its own bounds.
fn percent_range(
    kind: FieldType,
    parsed: Parsed,
    rule: Option<&FieldRule>,
) -> Result<(), Violation> {
    if kind != FieldType::Percent || rule.is_some_and(|r| r.min.is_some() || r.max.is_some()) {
        return Ok(());
    }
    if let Parsed::Number(n) = parsed {
        if !(0.0..=100.0).contains(&n) {
            return Err((Code::Val005, format!("{} is outside 0–100%", fmt_number(n))));
        }
    }
    Ok(())
}

fn range(parsed: Parsed, min: Option<&Bound>, max: Option<&Bound>) -> Result<(), Violation> {
    for (bound, is_min) in [(min, true), (max, false)] {
        let Some(bound) = bound else { continue };
        let ordering = match (parsed, bound) {
            (Parsed::Money(m), Bound::Number { exact: Some(b), .. }) => Some(m.amount.cmp(b)),
            (Parsed::Money(m), Bound::Number { value, .. }) => money_f64(m).partial_cmp(value),
            (Parsed::Number(n), Bound::Number { value, .. }) => n.partial_cmp(value),
            (Parsed::Date(d), Bound::Date(b)) => Some(d.cmp(b)),
            _ => None,
        };
        let Some(ordering) = ordering else { continue };
        let (outside, side) = if is_min {
            (ordering.is_lt(), "below the minimum")
        } else {
            (ordering.is_gt(), "above the maximum")
        };
        if outside {
            // Formatting only happens for the rare value that fails.
            let shown = match parsed {
                Parsed::Money(m) => m.amount.to_string(),
                Parsed::Number(n) => fmt_number(n),
                Parsed::Date(d) => d.to_string(),
                _ => String::new(),
            };
            return Err((Code::Val005, format!("{shown} is {side} {bound}")));
        }
    }
    Ok(())
}

fn money_f64(m: MoneyValue) -> f64 {
    m.amount.to_f64()
}

/// VAL006: the stage must be one of the rules' stages (by name or alias).
pub fn check_stage(text: &str, rules: &RuleSet) -> Result<usize, Violation> {
    rules.stage_index(text).ok_or_else(|| {
        let names = rules.stages.iter().flat_map(|s| {
            std::iter::once(s.name.as_str()).chain(s.aliases.iter().map(String::as_str))
        });
        let message = match suggest::did_you_mean(text, names) {
            Some(near) => format!(
                "unknown stage {}; did you mean `{near}`? If it is a new stage, add it (or an alias) to [[stages]]",
                quote(text)
            ),
            None => format!("unknown stage {}; add it (or an alias) to [[stages]]", quote(text)),
        };
        (Code::Val006, message)
    })
}

fn val001_message(text: &str, formats: &[DateFormat]) -> String {
    let expected: Vec<&str> = formats.iter().map(|f| f.source.as_str()).collect();
    if expected.is_empty() {
        format!(
            "{} is not a valid date (expected ISO 8601 such as 2026-01-31)",
            quote(text)
        )
    } else {
        // Day and month the other way round: the file (or part of it) writes the other order.
        let swapped = formats
            .iter()
            .filter_map(|f| crate::infer::dates::swapped(&f.source))
            .find(|s| DateFormat::compile(s).is_ok_and(|d| d.parse(text).is_some()));
        let hint = match swapped {
            Some(s) => format!(
                "; it reads as {s}: if the file writes dates that way, set [input] date_formats = [\"{s}\"]"
            ),
            None => String::new(),
        };
        format!(
            "{} is not a valid date (expected {} or ISO 8601){hint}",
            quote(text),
            expected.join(", ")
        )
    }
}

fn number_message(text: &str, what: &str, e: NumberError) -> String {
    match e {
        NumberError::Invalid => format!("{} is not a valid {what}", quote(text)),
        NumberError::TooManyDecimals => {
            format!("{} has more than 4 decimal places", quote(text))
        }
        NumberError::TooLarge => format!("{} is too large", quote(text)),
    }
}

/// A value quoted for a message, shortened when long.
pub fn quote(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        format!("`{text}`")
    } else {
        let short: String = text.chars().take(MAX).collect();
        format!("`{short}…`")
    }
}

pub fn fmt_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ValueContext<'static> {
        ValueContext {
            formats: &[],
            decimal: DecimalMark::Point,
            dollar: None,
        }
    }

    #[test]
    fn parse_failures_have_codes() {
        let c = ctx();
        assert_eq!(
            check_value("soon", FieldType::Date, None, &c)
                .unwrap_err()
                .0,
            Code::Val001
        );
        assert_eq!(
            check_value("12k", FieldType::Money, None, &c)
                .unwrap_err()
                .0,
            Code::Val002
        );
        assert_eq!(
            check_value("150", FieldType::Percent, None, &c)
                .unwrap_err()
                .0,
            Code::Val005
        );
        assert!(matches!(
            check_value("2026-01-31", FieldType::Date, None, &c),
            Ok(Parsed::Date(_))
        ));
    }

    #[test]
    fn quote_shortens() {
        assert_eq!(quote("abc"), "`abc`");
        assert!(quote(&"x".repeat(100)).ends_with("…`"));
    }
}
