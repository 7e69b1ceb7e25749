//! Reading a row's cells: each read column's value parsed as its field's type and tested
//! against its constraints (allowed values, pattern, range), placeholders decided once.
//! What fails is kept with its code (VAL001–VAL006) and message for the value checks to
//! report; what passes is a typed [`Cell`]. The first failing test wins, in the order parse
//! (VAL001/VAL002), allowed values (VAL003), pattern (VAL004), range (VAL005); VAL006 is the
//! stage field's own test.

use chrono::NaiveDate;

use super::cell::{Cell, Parsed, ValueContext};
use super::plan::Plan;
use crate::deal::{Label, Names, StageKey};
use crate::diag::Code;
use crate::field::FieldType;
use crate::input::RowText;
use crate::rules::{Bound, FieldRule, RuleSet};
use crate::suggest;
use crate::values::{
    Currency, DateCache, DateFormat, MoneyValue, NumberError, eq_fold, parse_bool, parse_date,
    parse_money, parse_number, parse_percent, trim_cell,
};
use crate::words::{number as fmt_number, quote};

/// Per-batch state cell reading reuses from row to row.
pub(crate) struct CellScratch {
    /// Per read column (slot): what the current record holds.
    pub(crate) cells: Vec<Cell>,
    /// The current record's values that failed their checks, in slot order.
    pub(crate) invalid: Vec<Invalid>,
    /// Per slot, recently parsed dates (used by plain date columns).
    dates: Vec<DateCache>,
    /// VAL006 messages per batch-local unknown stage: the same misspelt stage recurs, and
    /// its "did you mean" is worth computing once.
    unknown_stage_messages: Vec<Option<String>>,
    /// Placeholder dates read as missing in this batch (VAL007, said once per file).
    pub(crate) placeholder_dates: Vec<PlaceholderDates>,
}

/// Placeholder dates of one field, read as missing: how many, and the first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PlaceholderDates {
    pub(crate) field: usize,
    pub(crate) count: u64,
    pub(crate) first_line: u64,
    pub(crate) example: String,
}

impl PlaceholderDates {
    /// Add a batch's to `into`, which holds the earlier batches' (so the first stays first).
    pub(crate) fn merge(into: &mut Vec<PlaceholderDates>, batch: &[PlaceholderDates]) {
        for p in batch {
            match into.iter_mut().find(|q| q.field == p.field) {
                Some(q) => q.count += p.count,
                None => into.push(p.clone()),
            }
        }
    }
}

/// A date no deal closes, was created or was touched on: a year past any forecast (2100 and
/// later: `31.12.3999`, `9999-12-31`) or a system's zero (`1900-01-01`, `1970-01-01`). CRMs
/// and spreadsheets write them for "no date".
pub(crate) fn is_placeholder_date(d: NaiveDate) -> bool {
    use chrono::Datelike;
    d.year() >= 2100 || (d.ordinal() == 1 && matches!(d.year(), 1900 | 1970))
}

impl CellScratch {
    pub(crate) fn new(plan: &Plan<'_>) -> CellScratch {
        CellScratch {
            cells: vec![Cell::Missing { placeholder: false }; plan.slots.len()],
            invalid: Vec::new(),
            dates: plan
                .slots
                .iter()
                .map(|s| {
                    if s.plain_date {
                        DateCache::default()
                    } else {
                        DateCache::empty()
                    }
                })
                .collect(),
            unknown_stage_messages: Vec::new(),
            placeholder_dates: Vec::new(),
        }
    }

    /// A placeholder date in slot `i`'s field on `line`: read as missing, and noted.
    fn placeholder_date(&mut self, i: usize, field: usize, line: u64, text: &str) {
        self.cells[i] = Cell::Missing { placeholder: true };
        match self.placeholder_dates.iter_mut().find(|p| p.field == field) {
            Some(p) => p.count += 1,
            None => self.placeholder_dates.push(PlaceholderDates {
                field,
                count: 1,
                first_line: line,
                example: text.to_string(),
            }),
        }
    }
}

/// Read every read column of a row into `scratch.cells`, each value parsed as its field's
/// type and tested against its constraints, placeholders decided once; the values that
/// fail (VAL001–VAL006) go to `scratch.invalid`. Returns the deal's stage. Unknown stage
/// spellings, and known stages spelt otherwise than the rules name them, are interned in
/// `names`.
pub(crate) fn read_cells(
    plan: &Plan<'_>,
    texts: &RowText<'_>,
    scratch: &mut CellScratch,
    names: &mut Names,
) -> StageKey {
    let rules = plan.rules;
    scratch.invalid.clear();
    let placeholders = &rules.input.empty_values;
    let mut stage = StageKey::Missing;
    let mut label = Label::AS_NAMED;
    for (i, slot) in plan.slots.iter().enumerate() {
        let text = texts.field(Some(slot.column));
        let t = trim_cell(&text);
        if placeholders.is_missing(t) {
            scratch.cells[i] = Cell::Missing {
                placeholder: !t.is_empty(),
            };
            continue;
        }
        let field_rule = plan.field_rule(slot);
        // Plain date columns: a cache hit skips the parse (errors are never cached).
        let cache_key = if slot.plain_date {
            DateCache::key(t)
        } else {
            None
        };
        if let Some(date) = cache_key.and_then(|k| scratch.dates[i].get(k)) {
            if is_placeholder_date(date) {
                scratch.placeholder_date(i, slot.field, texts.row().line, t);
            } else {
                scratch.cells[i] = Cell::Valid(Parsed::Date(date));
            }
            continue;
        }
        let checked = if slot.is_stage {
            match rules.stage_match(t) {
                Some((s, exact)) => {
                    // Only a spelling the rules do not use costs a lookup.
                    if !exact {
                        label = Label::interned(names.stage_labels.intern(t.trim()));
                    }
                    Ok(Parsed::Stage(s))
                }
                None => {
                    let id = names.unknown_stages.intern(t);
                    stage = StageKey::Unknown(id);
                    let cache = &mut scratch.unknown_stage_messages;
                    let id = id as usize;
                    if cache.len() <= id {
                        cache.resize(id + 1, None);
                    }
                    let message = cache[id].get_or_insert_with(|| unknown_stage(t, rules));
                    Err((Code::Val006, message.clone()))
                }
            }
        } else if slot.is_currency && !names_a_currency(t, plan.values.dollar) {
            Err((Code::Val002, not_a_currency(t)))
        } else {
            read_value(t, slot.kind, field_rule, &plan.values)
        };
        if let Ok(Parsed::Date(d)) = checked {
            if is_placeholder_date(d) {
                if let Some(k) = cache_key {
                    scratch.dates[i].put(k, d);
                }
                scratch.placeholder_date(i, slot.field, texts.row().line, t);
                continue;
            }
        }
        scratch.cells[i] = match checked {
            Ok(parsed) => {
                if let Parsed::Stage(s) = parsed {
                    stage = StageKey::Known(s as u32, label);
                }
                if let (Some(k), Parsed::Date(d)) = (cache_key, parsed) {
                    scratch.dates[i].put(k, d);
                }
                Cell::Valid(parsed)
            }
            Err((code, message)) => {
                scratch.invalid.push(Invalid {
                    slot: i,
                    code,
                    message,
                });
                Cell::Invalid
            }
        };
    }
    if stage == StageKey::Missing && rules.stages.is_empty() {
        // Without [[stages]] the stage is only a label to group by.
        let text = texts.field(plan.stage_slot.map(|s| plan.slots[s].column));
        let t = trim_cell(&text);
        if !placeholders.is_missing(t) {
            stage = StageKey::Unknown(names.unknown_stages.intern(t));
        }
    }
    stage
}

/// Whether a currency column's value names a currency: an ISO 4217 code, a symbol or a
/// name (`USD`, `€`, `US Dollar`), or a bare `$` where `[input] currency` says which dollar.
fn names_a_currency(text: &str, dollar: Option<Currency>) -> bool {
    Currency::parse(text).is_some() || (text == "$" && dollar.is_some())
}

fn not_a_currency(text: &str) -> String {
    format!(
        "{} is not a currency: write an ISO 4217 code (USD, EUR), a symbol (€, £) or a currency's name (US Dollar)",
        quote(text)
    )
}

/// A failed value check: its code and message.
pub(crate) type Violation = (Code, String);

/// A value of the current record that failed its checks: its slot, code and message.
#[derive(Clone, Debug)]
pub(crate) struct Invalid {
    pub(crate) slot: usize,
    pub(crate) code: Code,
    pub(crate) message: String,
}

/// Read one present (non-missing) value of a field typed `kind`, constrained by `rule`.
pub(crate) fn read_value(
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

/// VAL006's message for a stage that is none of the rules' stages (by name or alias).
fn unknown_stage(text: &str, rules: &RuleSet) -> String {
    let names = rules
        .stages
        .iter()
        .flat_map(|s| std::iter::once(s.name.as_str()).chain(s.aliases.iter().map(String::as_str)));
    match suggest::did_you_mean(text, names) {
        Some(near) => format!(
            "unknown stage {}; did you mean `{near}`? If it is a new stage, add it (or an alias) to [[stages]]",
            quote(text)
        ),
        None => format!(
            "unknown stage {}; add it (or an alias) to [[stages]]",
            quote(text)
        ),
    }
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
        NumberError::TooLarge => format!("{} is too large", quote(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::DecimalMark;

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
            read_value("soon", FieldType::Date, None, &c).unwrap_err().0,
            Code::Val001
        );
        assert_eq!(
            read_value("12k", FieldType::Money, None, &c).unwrap_err().0,
            Code::Val002
        );
        assert_eq!(
            read_value("150", FieldType::Percent, None, &c)
                .unwrap_err()
                .0,
            Code::Val005
        );
        assert!(matches!(
            read_value("2026-01-31", FieldType::Date, None, &c),
            Ok(Parsed::Date(_))
        ));
    }
}
