//! Which column holds each canonical field: by header name (the chosen preset's spellings
//! first, then every preset's), checked against the column's values, and the stage column
//! guessed from won/lost values when no header names it.

use super::stages::outcome_from_name;
use crate::field::Canonical;
use crate::infer::{FileProfile, ValueType};
use crate::input::Header;
use crate::rules::presets::{PRESETS, Preset};
use crate::rules::problem::Problems;

/// A column mapped to a canonical field, and why.
#[derive(Clone, Debug)]
pub(super) struct Mapped {
    pub(super) field: Canonical,
    pub(super) column: usize,
    pub(super) evidence: String,
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
                        });
                        break 'presets;
                    }
                }
            }
        }
    }
    mapped
}

/// A column whose few values include won/lost words, when no header names the stage.
pub(super) fn guess_stage(profile: &FileProfile, mapped: &[Mapped]) -> Option<Mapped> {
    profile
        .columns
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            !mapped.iter().any(|m| m.column == *i)
                && c.kind() == ValueType::Text
                && (2..=40).contains(&c.distinct())
                && !c.distinct_overflow
                && c.fill_rate() >= 0.9
                && c.values.keys().any(|v| outcome_from_name(v).is_some())
        })
        .max_by_key(|(_, c)| c.filled)
        .map(|(column, c)| Mapped {
            field: Canonical::Stage,
            column,
            evidence: format!(
                "guessed from its values ({} distinct, including won/lost) (CHECK)",
                c.distinct()
            ),
        })
}

/// A record id rather than a picklist value (`0058a00000MNWtFAAX`): one word of ten or
/// more characters mixing letters and digits.
pub(super) fn looks_like_id(v: &str) -> bool {
    v.len() >= 10
        && v.chars().all(|c| c.is_ascii_alphanumeric())
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_alphabetic())
}
