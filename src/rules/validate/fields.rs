//! `[fields]`: how a field is typed, whether it is required everywhere, the values, pattern
//! and bounds it must meet, its completeness weight and its findings' severity.

use chrono::NaiveDate;
use regex::Regex;
use toml::Spanned;

use super::Checker;
use crate::field::{FieldName, FieldType};
use crate::rules::problem::Problems;
use crate::rules::raw::RawField;
use crate::rules::{Bound, FieldRule, Origin};
use crate::suggest;
use crate::values::{DecimalMark, Money};

/// One `[fields]` entry of one document, every setting optional.
#[derive(Clone, Debug)]
pub(crate) struct FieldLayer {
    pub(crate) name: FieldName,
    at: Origin,
    kind: Option<(FieldType, Origin)>,
    required: Option<bool>,
    values: Option<Vec<String>>,
    pattern: Option<Regex>,
    min: Option<(toml::Value, Origin)>,
    max: Option<(toml::Value, Origin)>,
    weight: Option<u32>,
    severity: Option<crate::diag::Severity>,
    fraction: Option<bool>,
}

pub(super) fn check(
    c: &mut Checker<'_>,
    key: &Spanned<String>,
    f: &RawField,
) -> Option<FieldLayer> {
    let name = key.get_ref().trim();
    if name.is_empty() {
        c.problem(key.span(), "[fields] has an empty field name");
        return None;
    }
    let kind = match &f.kind {
        Some(k) => match FieldType::parse(k.get_ref()) {
            Some(t) => Some((t, c.at(k.span()))),
            None => {
                c.problem(
                    k.span(),
                    format!(
                        "unknown field type `{}`{}",
                        k.get_ref(),
                        suggest::hint_then(
                            k.get_ref(),
                            FieldType::NAMES,
                            &format!("types are {}", FieldType::NAMES.join(", "))
                        )
                    ),
                );
                None
            }
        },
        None => None,
    };
    let pattern = match &f.pattern {
        Some(p) => match Regex::new(&format!("^(?:{})$", p.get_ref())) {
            Ok(re) => Some(re),
            Err(e) => {
                let detail = e.to_string();
                let last = detail.lines().last().unwrap_or("invalid regex").trim();
                c.problem(
                    p.span(),
                    format!("pattern {:?} is not a valid regex: {last}", p.get_ref()),
                );
                None
            }
        },
        None => None,
    };
    let weight = match &f.weight {
        Some(w) => {
            let v = *w.get_ref();
            if v.fract() == 0.0 && (0.0..=1000.0).contains(&v) {
                Some(v as u32)
            } else {
                c.problem(
                    w.span(),
                    format!("weight must be a whole number from 0 to 1000, not {v}"),
                );
                None
            }
        }
        None => None,
    };
    Some(FieldLayer {
        name: FieldName::parse(name),
        at: c.at(key.span()),
        kind,
        required: f.required,
        values: f.values.clone(),
        pattern,
        min: f
            .min
            .as_ref()
            .map(|m| (m.get_ref().clone(), c.at(m.span()))),
        max: f
            .max
            .as_ref()
            .map(|m| (m.get_ref().clone(), c.at(m.span()))),
        weight,
        severity: c.severity(&f.severity),
        fraction: f.fraction,
    })
}

impl FieldLayer {
    /// Whether two entries say the same (wherever they were written).
    fn same_settings(&self, other: &FieldLayer) -> bool {
        self.name == other.name
            && self.kind.as_ref().map(|k| k.0) == other.kind.as_ref().map(|k| k.0)
            && self.required == other.required
            && self.values == other.values
            && self.pattern.as_ref().map(Regex::as_str) == other.pattern.as_ref().map(Regex::as_str)
            && self.min.as_ref().map(|m| &m.0) == other.min.as_ref().map(|m| &m.0)
            && self.max.as_ref().map(|m| &m.0) == other.max.as_ref().map(|m| &m.0)
            && self.weight == other.weight
            && self.severity == other.severity
            && self.fraction == other.fraction
    }
}

/// `over`'s settings onto `base`'s, key by key. An entry the user's file repeats exactly
/// stays the preset's (so a field only the preset needs stays optional).
pub(super) fn merge_into(base: &mut FieldLayer, over: FieldLayer) {
    if !base.same_settings(&over) {
        base.at = over.at;
    }
    base.kind = over.kind.or(base.kind.take());
    base.required = over.required.or(base.required);
    base.values = over.values.or(base.values.take());
    base.pattern = over.pattern.or(base.pattern.take());
    base.min = over.min.or(base.min.take());
    base.max = over.max.or(base.max.take());
    base.weight = over.weight.or(base.weight);
    base.severity = over.severity.or(base.severity);
    base.fraction = over.fraction.or(base.fraction);
}

/// The checked field, or `None` (with its problems) when its settings contradict.
pub(super) fn finish(f: FieldLayer, problems: &mut Problems) -> Option<FieldRule> {
    let default_kind = match &f.name {
        FieldName::Canonical(c) => c.default_type(),
        FieldName::Header(_) if f.values.is_some() => FieldType::Enum,
        FieldName::Header(_) => FieldType::Text,
    };
    let kind = match (&f.kind, &f.values) {
        (Some((k, _)), _) => *k,
        (None, Some(_)) if default_kind == FieldType::Text => FieldType::Enum,
        (None, _) => default_kind,
    };
    let typed = check_type(&f, kind, problems);
    let (min, max, ordered) = bounds(&f, kind, problems);
    if f.fraction.is_some() && kind != FieldType::Percent {
        problems.push(
            f.at.doc,
            f.at.span.clone(),
            format!(
                "`fraction` applies to percent fields; `{}` is {}",
                f.name,
                kind.as_str()
            ),
        );
    }
    (typed && ordered).then(|| FieldRule {
        name: f.name,
        at: f.at,
        kind,
        required: f.required.unwrap_or(false),
        values: f
            .values
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.trim().to_string())
            .collect(),
        pattern: f.pattern,
        min,
        max,
        weight: f.weight.unwrap_or(1),
        severity: f.severity,
        fraction: f.fraction.unwrap_or(false),
    })
}

/// Whether the type fits the field and its values: a canonical field's type is fixed, an
/// enum lists values, and values apply to text or enum fields only.
fn check_type(f: &FieldLayer, kind: FieldType, problems: &mut Problems) -> bool {
    let mut ok = true;
    if let (FieldName::Canonical(c), Some((k, at))) = (&f.name, &f.kind) {
        if !c.accepts(*k) {
            problems.push(
                at.doc,
                at.span.clone(),
                format!(
                    "`{c}` cannot be of type {}: pipelint reads it as {}; remove `type` or set type = \"{}\"",
                    k.as_str(),
                    c.accepted_types(),
                    c.default_type().as_str()
                ),
            );
            ok = false;
        }
    }
    if kind == FieldType::Enum && f.values.as_ref().is_none_or(Vec::is_empty) {
        let at = f.kind.as_ref().map_or(&f.at, |(_, at)| at);
        problems.push(
            at.doc,
            at.span.clone(),
            format!(
                "field `{}` is an enum but lists no values; add values = [...]",
                f.name
            ),
        );
        ok = false;
    }
    if f.values.is_some() && !matches!(kind, FieldType::Enum | FieldType::Text) {
        problems.push(
            f.at.doc,
            f.at.span.clone(),
            format!(
                "field `{}` has values but is of type {}; values apply to enum fields",
                f.name,
                kind.as_str()
            ),
        );
        ok = false;
    }
    ok
}

/// `min` and `max` typed for the field, and whether they leave room for a value.
fn bounds(
    f: &FieldLayer,
    kind: FieldType,
    problems: &mut Problems,
) -> (Option<Bound>, Option<Bound>, bool) {
    let bound = |v: &Option<(toml::Value, Origin)>, which: &str, problems: &mut Problems| {
        let (value, at) = v.as_ref()?;
        let parsed = match kind {
            FieldType::Money | FieldType::Number | FieldType::Percent => {
                number_operand(value).map(|(value, exact)| Bound::Number { value, exact })
            }
            FieldType::Date => date_operand(value).map(Bound::Date),
            _ => {
                problems.push(
                    at.doc,
                    at.span.clone(),
                    format!(
                        "`{which}` applies to number, money, percent and date fields; `{}` is {}",
                        f.name,
                        kind.as_str()
                    ),
                );
                return None;
            }
        };
        if parsed.is_none() {
            let expected = if kind == FieldType::Date {
                "a date such as \"2026-01-31\""
            } else {
                "a number"
            };
            problems.push(
                at.doc,
                at.span.clone(),
                format!("`{which}` of `{}` must be {expected}", f.name),
            );
        }
        parsed
    };
    let min = bound(&f.min, "min", problems);
    let max = bound(&f.max, "max", problems);
    let inverted = match (&min, &max) {
        (Some(Bound::Number { value: lo, .. }), Some(Bound::Number { value: hi, .. })) => lo > hi,
        (Some(Bound::Date(lo)), Some(Bound::Date(hi))) => lo > hi,
        _ => false,
    };
    if let (true, Some((_, at))) = (inverted, &f.max) {
        problems.push(
            at.doc,
            at.span.clone(),
            format!("`{}` has min above max: no value could pass", f.name),
        );
    }
    (min, max, !inverted)
}

/// A number as a bound or operand: its value, and exactly as money where it can be.
pub(super) fn number_operand(v: &toml::Value) -> Option<(f64, Option<Money>)> {
    match v {
        toml::Value::Integer(i) => Some((
            *i as f64,
            Money::from_decimal(crate::values::number::Decimal {
                mantissa: i128::from(*i),
                scale: 0,
            })
            .ok(),
        )),
        toml::Value::Float(f) if f.is_finite() => {
            let exact = crate::values::parse_money(&format!("{f}"), DecimalMark::Point, None)
                .ok()
                .map(|m| m.amount);
            Some((*f, exact))
        }
        _ => None,
    }
}

/// A date as a bound or operand: `"2026-01-31"` or a TOML date.
pub(super) fn date_operand(v: &toml::Value) -> Option<NaiveDate> {
    match v {
        toml::Value::String(s) => crate::values::date::parse_iso(s.trim()),
        toml::Value::Datetime(d) => {
            let date = d.date?;
            NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            )
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::problems;

    #[test]
    fn types_values_patterns_and_weights() {
        let p = problems(
            "[fields]\nx = { type = \"numbr\" }\ny = { pattern = \"(\" }\nz = { weight = 2.5 }\namount = { type = \"text\" }\nw = { type = \"enum\" }\n",
        );
        assert_eq!(p.len(), 5, "{p:?}");
        assert!(
            p[0].starts_with("r.toml:2:14: unknown field type `numbr`; did you mean `number`?"),
            "{}",
            p[0]
        );
        assert!(
            p[1].starts_with("r.toml:3:17: pattern \"(\" is not a valid regex"),
            "{}",
            p[1]
        );
        assert_eq!(
            p[2],
            "r.toml:4:16: weight must be a whole number from 0 to 1000, not 2.5"
        );
        assert!(
            p[3].starts_with(
                "r.toml:5:19: `amount` cannot be of type text: pipelint reads it as money"
            ),
            "{}",
            p[3]
        );
        assert_eq!(
            p[4],
            "r.toml:6:14: field `w` is an enum but lists no values; add values = [...]"
        );
    }

    #[test]
    fn bounds_fit_the_type_and_leave_room() {
        let p = problems(
            "[fields]\nn = { type = \"number\", min = 5, max = 1 }\nd = { type = \"date\", min = \"soon\" }\nt = { min = 1 }\nf = { type = \"number\", fraction = true }\nv = { type = \"date\", values = [\"a\"] }\n",
        );
        assert_eq!(
            p,
            vec![
                "r.toml:2:39: `n` has min above max: no value could pass",
                "r.toml:3:28: `min` of `d` must be a date such as \"2026-01-31\"",
                "r.toml:4:13: `min` applies to number, money, percent and date fields; `t` is text",
                "r.toml:5:1: `fraction` applies to percent fields; `f` is number",
                "r.toml:6:1: field `v` has values but is of type date; values apply to enum fields",
            ]
        );
    }
}
