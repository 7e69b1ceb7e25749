//! Which column holds each canonical field: by header name (the chosen preset's spellings
//! first, then every preset's), checked against the column's values, and the stage column
//! guessed from won/lost values when no header names it.

use super::stages::outcome_from_name;
use super::vocabulary;
use crate::field::Canonical;
use crate::infer::{ColumnStats, FileProfile, ValueType};
use crate::input::Header;
use crate::rules::presets::{PRESETS, Preset};
use crate::rules::problem::Problems;

/// A column mapped to a canonical field, and why.
#[derive(Clone, Debug)]
pub(super) struct Mapped {
    pub(super) field: Canonical,
    pub(super) column: usize,
    pub(super) evidence: String,
    pub(super) confidence: Confidence,
}

/// How sure the draft is of a decision: low and medium ones are listed under `# CHECK` at
/// the top of the draft, low first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// Whether a column whose values are `kind` can hold a canonical field.
pub(super) fn type_fits(field: Canonical, kind: ValueType) -> bool {
    use crate::field::FieldType;
    if kind == ValueType::Empty {
        return true;
    }
    match field.default_type() {
        FieldType::Date => matches!(kind, ValueType::Date | ValueType::DateTime),
        FieldType::Money | FieldType::Number | FieldType::Percent => {
            kind.is_numeric() || kind == ValueType::Boolean
        }
        _ => true,
    }
}

/// A preset's `[columns]`: each canonical field with the headers it may go by.
type PresetColumns = Vec<(Canonical, Vec<String>)>;

/// Map canonical fields by header name: the base preset's spellings first, then every
/// other preset's. One column serves one field.
pub(super) fn map_by_name(header: &Header, base: Option<&'static Preset>) -> Vec<Mapped> {
    let order: Vec<&'static Preset> = base
        .into_iter()
        .chain(
            PRESETS
                .iter()
                .filter(|p| base.is_none_or(|b| b.name != p.name)),
        )
        .collect();
    let lists: Vec<(&'static str, PresetColumns)> = order
        .iter()
        .map(|p| {
            let mut problems = Problems::default();
            let raw = crate::rules::parse::parse_rules(p.text, 0, &mut problems);
            let columns = raw
                .columns
                .iter()
                .filter_map(|(k, hs)| {
                    Some((
                        Canonical::parse(k.get_ref())?,
                        hs.iter().map(|h| h.get_ref().clone()).collect(),
                    ))
                })
                .collect();
            (p.name, columns)
        })
        .collect();
    let mut mapped: Vec<Mapped> = Vec::new();
    // Names spelled as the header spells them first, then loose matches.
    let passes: [fn(&Header, &str) -> Option<usize>; 2] =
        [Header::find_spelled, Header::find_loose];
    for field in Canonical::ALL {
        'presets: for find in passes {
            for (preset, columns) in &lists {
                for (f, names) in columns {
                    if *f != field {
                        continue;
                    }
                    for name in names {
                        let Some(column) = find(header, name) else {
                            continue;
                        };
                        if mapped.iter().any(|m| m.column == column) {
                            continue;
                        }
                        let written = &header.cells[column];
                        let evidence = if written == name {
                            format!("preset {preset} names it \"{name}\"")
                        } else {
                            format!("matches preset {preset}'s \"{name}\"")
                        };
                        mapped.push(Mapped {
                            field,
                            column,
                            evidence,
                            confidence: Confidence::High,
                        });
                        break 'presets;
                    }
                }
            }
        }
    }
    mapped
}

/// Map the fields no preset spelling found by the vocabulary of common column names
/// (`opp_name`, `Est. revenue`, `stage_entered_date`), each checked against the column's
/// values in `stats`: an "amount" whose values are not money is not the amount.
pub(super) fn map_by_vocabulary(header: &Header, stats: &[ColumnStats], mapped: &mut Vec<Mapped>) {
    for (column, written) in header.cells.iter().enumerate() {
        if mapped.iter().any(|m| m.column == column) {
            continue;
        }
        let Some(field) = vocabulary::field_for(written) else {
            continue;
        };
        if mapped.iter().any(|m| m.field == field) {
            continue;
        }
        let Some(c) = stats.get(column) else { continue };
        if !values_fit(field, c) {
            continue;
        }
        mapped.push(Mapped {
            field,
            column,
            evidence: format!("a common column name for {}", field.as_str()),
            confidence: Confidence::Medium,
        });
    }
}

/// Whether a column's values can be what a field the vocabulary names holds: stricter than
/// [`type_fits`], since a common word (`value`, `total`, `result`) is weaker evidence than a
/// preset's spelling.
fn values_fit(field: Canonical, c: &ColumnStats) -> bool {
    use crate::field::FieldType;
    let kind = c.kind();
    if kind == ValueType::Empty {
        return true;
    }
    let n = &c.numbers;
    let counts = || {
        matches!(kind, ValueType::Integer | ValueType::Boolean) && n.min.is_none_or(|m| m >= 0.0)
    };
    match field {
        Canonical::Amount => matches!(
            kind,
            ValueType::Money | ValueType::Integer | ValueType::Decimal
        ),
        Canonical::Probability => {
            matches!(
                kind,
                ValueType::Percent | ValueType::Integer | ValueType::Decimal | ValueType::Boolean
            ) && n.min.is_none_or(|m| m >= 0.0)
                && n.max.is_none_or(|m| m <= 100.0)
        }
        Canonical::PushCount | Canonical::Contacts => counts(),
        Canonical::StageAge => {
            matches!(kind, ValueType::Integer | ValueType::Decimal)
                && n.min.is_none_or(|m| m >= 0.0)
        }
        Canonical::Id => {
            !matches!(
                kind,
                ValueType::Date | ValueType::DateTime | ValueType::Money
            ) && c.distinct() as u64 * 10 >= c.filled * 9
        }
        Canonical::Name
        | Canonical::Account
        | Canonical::Owner
        | Canonical::Stage
        | Canonical::Status
        | Canonical::ForecastCategory
        | Canonical::NextStep => kind == ValueType::Text,
        Canonical::Currency => kind == ValueType::Text && c.longest <= 3,
        _ => match field.default_type() {
            FieldType::Date => matches!(kind, ValueType::Date | ValueType::DateTime),
            _ => type_fits(field, kind),
        },
    }
}

/// A column whose few, short, repeated values include won/lost words, when no header names
/// the stage (a column of notes that mention "won" is not one).
pub(super) fn guess_stage(profile: &FileProfile, mapped: &[Mapped]) -> Option<Mapped> {
    let names: Vec<String> = profile.columns.iter().map(|c| c.name.clone()).collect();
    profile
        .columns
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            !mapped.iter().any(|m| m.column == *i)
                && super::roles::referable(&names, *i)
                && !vocabulary::never_stage(&c.name)
                && (2..=40).contains(&c.distinct())
                && c.fill_rate() >= 0.9
                && super::roles::not_stages(c, true).is_none()
                && stage_like(c)
        })
        .max_by_key(|(_, c)| c.filled)
        .map(|(column, c)| Mapped {
            field: Canonical::Stage,
            column,
            evidence: format!(
                "guessed from its values ({} distinct, including won/lost)",
                c.distinct()
            ),
            confidence: Confidence::Low,
        })
}

/// Whether most of a column's values read as stages: named like a pipeline stage or an
/// outcome, and at least one an outcome ("Price, Competitor, No decision" is a reason).
fn stage_like(c: &ColumnStats) -> bool {
    let outcomes = c
        .values
        .keys()
        .filter(|v| outcome_from_name(v).is_some())
        .count();
    let named = c
        .values
        .keys()
        .filter(|v| {
            outcome_from_name(v).is_some()
                || super::stages::rank_from_name(v).is_some()
                || super::stages::number_from_name(v).is_some()
        })
        .count();
    outcomes > 0 && named >= 2 && named * 2 >= c.distinct()
}

/// A record id rather than a picklist value (`0058a00000MNWtFAAX`): one word of ten or
/// more characters mixing letters and digits.
pub(super) fn looks_like_id(v: &str) -> bool {
    v.len() >= 10
        && v.chars().all(|c| c.is_ascii_alphanumeric())
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::Candidates;
    use crate::values::Placeholders;

    /// Columns named `name` holding `values`, mapped by the vocabulary alone.
    fn by_vocabulary(columns: &[(&str, &[&str])]) -> Vec<(Canonical, String)> {
        let (c, p) = (Candidates::new(), Placeholders::default());
        let stats: Vec<ColumnStats> = columns
            .iter()
            .map(|(name, values)| {
                let mut s = ColumnStats::new(name);
                for v in *values {
                    s.observe(v, &p, &c);
                }
                s
            })
            .collect();
        let header = Header {
            cells: columns.iter().map(|(n, _)| n.to_string()).collect(),
            line: 1,
        };
        let mut mapped = Vec::new();
        map_by_vocabulary(&header, &stats, &mut mapped);
        mapped
            .into_iter()
            .map(|m| (m.field, header.cells[m.column].clone()))
            .collect()
    }

    #[test]
    fn a_common_name_is_taken_only_when_the_values_fit() {
        let mapped = by_vocabulary(&[
            ("value", &["High", "Low", "High"]),
            ("Est. revenue", &["$1,200.00", "$950.00", "$80.00"]),
            ("Confidence", &["High", "Medium", "Low"]),
            ("Push Count", &["1.5", "2", "0"]),
            ("num_contacts", &["1", "3", "2"]),
            ("Stage Since", &["2026-10-01", "2026-11-02", "2026-09-30"]),
            ("Next Step Due", &["soon", "next week", "2026-12-01"]),
        ]);
        assert_eq!(
            mapped,
            [
                (Canonical::Amount, "Est. revenue".to_string()),
                (Canonical::Contacts, "num_contacts".to_string()),
                (Canonical::StageChanged, "Stage Since".to_string()),
            ]
        );
    }

    #[test]
    fn a_field_already_mapped_is_not_mapped_twice() {
        let mapped = by_vocabulary(&[
            ("deal_value", &["100", "200", "300"]),
            ("value", &["5", "6", "7"]),
        ]);
        assert_eq!(mapped, [(Canonical::Amount, "deal_value".to_string())]);
    }
}
