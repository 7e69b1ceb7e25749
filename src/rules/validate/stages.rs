//! `[[stages]]`: the pipeline in order, each stage with its aliases, expected probability,
//! allowed forecast categories, time limits, exit criteria and outcome.

use std::ops::Range;

use super::Checker;
use crate::rules::raw::RawStage;
use crate::rules::{KNOWN_FORECAST, Outcome, StageRule, normalize_forecast};
use crate::suggest;
use crate::values::eq_fold;

pub(super) fn check(c: &mut Checker<'_>, stages: &[RawStage]) -> Vec<StageRule> {
    // Every name and alias so far: one spelling names one stage.
    let mut names: Vec<(String, Range<usize>)> = Vec::new();
    stages
        .iter()
        .filter_map(|s| stage(c, s, &mut names))
        .collect()
}

fn stage(
    c: &mut Checker<'_>,
    s: &RawStage,
    names: &mut Vec<(String, Range<usize>)>,
) -> Option<StageRule> {
    let name = s.name.get_ref().trim().to_string();
    if name.is_empty() {
        c.problem(s.name.span(), "stage name is empty");
        return None;
    }
    let mut aliases = Vec::new();
    for spelled in std::iter::once(&s.name).chain(&s.aliases) {
        let v = spelled.get_ref().trim();
        if v.is_empty() {
            c.problem(spelled.span(), "stage alias is empty");
            continue;
        }
        if names.iter().any(|(n, _)| eq_fold(n, v)) {
            c.problem(
                spelled.span(),
                format!("stage name or alias `{v}` is used by two stages"),
            );
            continue;
        }
        names.push((v.to_string(), spelled.span()));
        if !std::ptr::eq(spelled, &s.name) {
            aliases.push(v.to_string());
        }
    }
    let probability = match &s.probability {
        Some(p) if (0.0..=100.0).contains(p.get_ref()) => Some(*p.get_ref()),
        Some(p) => {
            c.problem(
                p.span(),
                format!(
                    "stage probability is a percentage from 0 to 100, not {}",
                    p.get_ref()
                ),
            );
            None
        }
        None => None,
    };
    let forecast = s.forecast.as_ref().map(|list| {
        list.iter()
            .filter_map(|f| {
                let norm = normalize_forecast(f.get_ref());
                if norm.is_empty() {
                    c.problem(f.span(), "forecast category is empty");
                    return None;
                }
                if !KNOWN_FORECAST.contains(&norm.as_str()) {
                    if let Some(known) = suggest::did_you_mean(&norm, KNOWN_FORECAST) {
                        c.problem(
                            f.span(),
                            format!(
                                "unknown forecast category `{}`; did you mean `{}`?",
                                f.get_ref(),
                                forecast_label(known)
                            ),
                        );
                        return None;
                    }
                }
                Some(norm)
            })
            .collect()
    });
    let outcome = match &s.outcome {
        Some(o) => match o.get_ref().as_str() {
            "won" => Some(Outcome::Won),
            "lost" => Some(Outcome::Lost),
            other => {
                c.problem(
                    o.span(),
                    format!(
                        "outcome must be \"won\" or \"lost\", not {other:?}{}",
                        suggest::hint(other, ["won", "lost"])
                    ),
                );
                None
            }
        },
        None => None,
    };
    Some(StageRule {
        name,
        aliases,
        probability,
        forecast,
        max_days: c.days(&s.max_days, "max_days"),
        stale_days: c.days(&s.stale_days, "stale_days"),
        requires: s.requires.iter().map(|f| c.field_ref(f)).collect(),
        outcome,
        severity: c.severity(&s.severity),
    })
}

/// The user's stages replace the preset's whole list. Where a stage of the user's file
/// requires what the preset's stage of that name requires, the requirement stays the
/// preset's: optional where the export lacks the field, as in the preset itself.
pub(super) fn merge(
    base: Option<Vec<StageRule>>,
    over: Option<Vec<StageRule>>,
) -> Option<Vec<StageRule>> {
    let Some(mut stages) = over else {
        return base;
    };
    for stage in &mut stages {
        let Some(same) = base
            .iter()
            .flatten()
            .find(|b| eq_fold(&b.name, &stage.name))
        else {
            continue;
        };
        for r in &mut stage.requires {
            if let Some(b) = same.requires.iter().find(|b| b.name == r.name) {
                r.at = b.at.clone();
            }
        }
    }
    Some(stages)
}

/// The usual spelling of a normalised forecast category.
pub(crate) fn forecast_label(norm: &str) -> &str {
    match norm {
        "pipeline" => "Pipeline",
        "bestcase" => "Best Case",
        "commit" => "Commit",
        "closed" => "Closed",
        "omitted" => "Omitted",
        "mostlikely" => "Most Likely",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::problems;

    #[test]
    fn names_probabilities_forecasts_and_outcomes() {
        let p = problems(
            "[[stages]]\nname = \"A\"\naliases = [\"a\"]\nprobability = 120\nforecast = [\"Comit\"]\noutcome = \"wno\"\nmax_days = -1\n[[stages]]\nname = \" \"\n",
        );
        assert_eq!(
            p,
            vec![
                "r.toml:3:12: stage name or alias `a` is used by two stages",
                "r.toml:4:15: stage probability is a percentage from 0 to 100, not 120",
                "r.toml:5:13: unknown forecast category `Comit`; did you mean `Commit`?",
                "r.toml:6:11: outcome must be \"won\" or \"lost\", not \"wno\"",
                "r.toml:7:12: max_days must be 0 or more, not -1",
                "r.toml:9:8: stage name is empty",
            ]
        );
    }

    #[test]
    fn unknown_but_distinct_forecast_categories_are_allowed() {
        assert_eq!(
            problems("[[stages]]\nname = \"A\"\nforecast = [\"Upside\", \"Best Case\"]\n"),
            Vec::<String>::new()
        );
    }
}
