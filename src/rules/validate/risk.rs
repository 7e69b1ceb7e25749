//! `[risk]`: how forecast risk is scored — the staleness limit, probability tolerance and
//! horizon, each signal's weight, the band thresholds, and which next steps say nothing.

use super::Checker;
use crate::rules::problem::Problems;
use crate::rules::raw::RawRisk;
use crate::rules::{Grading, Origin, RiskRules, RiskWeights, normalize_filler};

/// One document's `[risk]`, every setting optional.
#[derive(Clone, Debug, Default)]
pub(crate) struct RiskLayer {
    stale_days: Option<i64>,
    probability_tolerance: Option<f64>,
    horizon_days: Option<i64>,
    /// In the order of [`WEIGHTS`].
    weights: [Option<u32>; 9],
    high: Option<(u32, Origin)>,
    medium: Option<(u32, Origin)>,
    grading: Option<Grading>,
    /// Folded; replaces the built-in list when set.
    next_step_filler: Option<Vec<String>>,
}

/// The signals' weight keys, in the order a layer keeps them: the signals' names.
const WEIGHTS: [&str; 9] = crate::rules::playbooks::SIGNALS;

pub(super) fn check(c: &mut Checker<'_>, risk: &RawRisk) -> RiskLayer {
    let mut layer = RiskLayer {
        stale_days: c.days(&risk.stale_days, "risk.stale_days"),
        horizon_days: c.days(&risk.horizon_days, "risk.horizon_days"),
        ..RiskLayer::default()
    };
    if let Some(t) = &risk.probability_tolerance {
        if (0.0..=100.0).contains(t.get_ref()) {
            layer.probability_tolerance = Some(*t.get_ref());
        } else {
            c.problem(
                t.span(),
                "risk.probability_tolerance must be between 0 and 100 points",
            );
        }
    }
    if let Some(w) = &risk.weights {
        let all = [
            &w.overdue,
            &w.stale,
            &w.stage_aged,
            &w.exit_criteria,
            &w.forecast_mismatch,
            &w.no_next_step,
            &w.pushed,
            &w.slipping,
            &w.no_close_date,
        ];
        for (i, (v, name)) in all.into_iter().zip(WEIGHTS).enumerate() {
            layer.weights[i] = c.points(v, &format!("risk.weights.{name}"));
        }
    }
    let high = c.points(&risk.high, "risk.high");
    layer.high = high.zip(risk.high.as_ref().map(|h| c.at(h.span())));
    let medium = c.points(&risk.medium, "risk.medium");
    layer.medium = medium.zip(risk.medium.as_ref().map(|m| c.at(m.span())));
    if let Some(g) = &risk.grading {
        match g.get_ref().as_str() {
            "linear" => layer.grading = Some(Grading::Linear),
            "off" => layer.grading = Some(Grading::Off),
            other => c.problem(
                g.span(),
                format!(
                    "risk.grading must be \"linear\" (points grow past a signal's threshold, to twice its weight) or \"off\" (each signal scores its weight), not {other:?}"
                ),
            ),
        }
    }
    if let Some(list) = &risk.next_step_filler {
        let mut folded: Vec<String> = Vec::new();
        for text in list {
            let key = normalize_filler(text.get_ref());
            if key.is_empty() && !text.get_ref().chars().any(|c| c.is_ascii_punctuation()) {
                // An empty next step is missing, not filler: REQ and no_next_step say so.
                c.problem(
                    text.span(),
                    "risk.next_step_filler: an empty text is a missing next step, not filler; remove it",
                );
            } else if folded.contains(&key) {
                c.problem(
                    text.span(),
                    format!(
                        "risk.next_step_filler lists {:?} twice (case, spaces and trailing punctuation are ignored)",
                        text.get_ref()
                    ),
                );
            } else {
                folded.push(key);
            }
        }
        layer.next_step_filler = Some(folded);
    }
    layer
}

/// `over` (the user's file) onto `base` (its preset), key by key.
pub(super) fn merge(base: RiskLayer, over: RiskLayer) -> RiskLayer {
    let mut weights = base.weights;
    for (w, o) in weights.iter_mut().zip(over.weights) {
        *w = o.or(*w);
    }
    RiskLayer {
        stale_days: over.stale_days.or(base.stale_days),
        probability_tolerance: over.probability_tolerance.or(base.probability_tolerance),
        horizon_days: over.horizon_days.or(base.horizon_days),
        weights,
        high: over.high.or(base.high),
        medium: over.medium.or(base.medium),
        grading: over.grading.or(base.grading),
        next_step_filler: over.next_step_filler.or(base.next_step_filler),
    }
}

/// The checked `[risk]`, with defaults; the medium band must not start above the high.
pub(super) fn finish(layer: RiskLayer, problems: &mut Problems) -> RiskRules {
    let defaults = RiskRules::default();
    let w = layer.weights;
    let dw = &defaults.weights;
    let risk = RiskRules {
        stale_days: layer.stale_days.unwrap_or(defaults.stale_days),
        probability_tolerance: layer
            .probability_tolerance
            .unwrap_or(defaults.probability_tolerance),
        horizon_days: layer.horizon_days.unwrap_or(defaults.horizon_days),
        weights: RiskWeights {
            overdue: w[0].unwrap_or(dw.overdue),
            stale: w[1].unwrap_or(dw.stale),
            stage_aged: w[2].unwrap_or(dw.stage_aged),
            exit_criteria: w[3].unwrap_or(dw.exit_criteria),
            forecast_mismatch: w[4].unwrap_or(dw.forecast_mismatch),
            no_next_step: w[5].unwrap_or(dw.no_next_step),
            pushed: w[6].unwrap_or(dw.pushed),
            slipping: w[7].unwrap_or(dw.slipping),
            no_close_date: w[8].unwrap_or(dw.no_close_date),
        },
        high: layer.high.as_ref().map_or(defaults.high, |h| h.0),
        medium: layer.medium.as_ref().map_or(defaults.medium, |m| m.0),
        grading: layer.grading.unwrap_or(defaults.grading),
        next_step_filler: layer
            .next_step_filler
            .clone()
            .unwrap_or(defaults.next_step_filler.clone()),
    };
    if risk.medium > risk.high {
        let at = layer
            .medium
            .as_ref()
            .or(layer.high.as_ref())
            .map(|(_, at)| at.clone());
        let message = format!(
            "risk.medium ({}) must not be above risk.high ({})",
            risk.medium, risk.high
        );
        match at {
            Some(at) => problems.push(at.doc, at.span, message),
            None => problems.push_unlocated(0, message),
        }
    }
    risk
}

#[cfg(test)]
mod tests {
    use super::super::tests::problems;

    #[test]
    fn limits_weights_and_bands() {
        let p = problems(
            "[risk]\nstale_days = -3\nprobability_tolerance = 120\nweights = { overdue = 101 }\nhigh = 20\nmedium = 40\n",
        );
        assert_eq!(
            p,
            vec![
                "r.toml:2:14: risk.stale_days must be 0 or more, not -3",
                "r.toml:3:25: risk.probability_tolerance must be between 0 and 100 points",
                "r.toml:4:23: risk.weights.overdue must be between 0 and 100, not 101",
                "r.toml:6:10: risk.medium (40) must not be above risk.high (20)",
            ]
        );
    }

    #[test]
    fn next_step_filler_replaces_the_built_in_list() {
        use crate::rules::{RulesText, UserRules, build};
        let p = problems("[risk]\nnext_step_filler = [\"Follow up\", \"  \", \"follow up!\", 3]\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("r.toml:2:54: [risk]: invalid type: integer `3`, expected a string"),
            "{}",
            p[0]
        );
        assert_eq!(
            problems("[risk]\nnext_step_filler = [\"Follow up\", \"  \", \"follow up!\"]\n"),
            vec![
                "r.toml:2:34: risk.next_step_filler: an empty text is a missing next step, not filler; remove it",
                "r.toml:2:40: risk.next_step_filler lists \"follow up!\" twice (case, spaces and trailing punctuation are ignored)",
            ]
        );
        let user = UserRules::parse(RulesText {
            name: "r.toml".into(),
            text: "[risk]\nnext_step_filler = [\"Circle back\", \"?\"]\n".into(),
        });
        let risk = build(Some(&user), None, None).expect("valid").risk;
        assert!(risk.is_filler("  circle   BACK!! "));
        assert!(risk.is_filler("..."));
        assert!(
            !risk.is_filler("Follow up"),
            "the list replaces the built-in one"
        );
        let defaults = crate::rules::RiskRules::default();
        for filler in ["Follow up!", "TBD", "check-in.", "Sync soon", "?", "Call"] {
            assert!(defaults.is_filler(filler), "{filler}");
        }
        for real in [
            "Follow up with CFO on pricing",
            "Call Dana Tue re legal",
            "Demo 12/3",
        ] {
            assert!(!defaults.is_filler(real), "{real}");
        }
        // The raw-bytes pre-check never turns filler away, however it is spaced or
        // punctuated, and turns long ASCII next steps away undecoded.
        for filler in [
            "Follow up!",
            "  follow      up  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
            "TBD",
            "check-in.",
            "?",
            "Call",
            "Sync soon…",
        ] {
            assert!(defaults.may_be_filler(filler.as_bytes()), "{filler}");
            assert!(defaults.is_filler(filler), "{filler}");
        }
        assert!(!defaults.may_be_filler(b"Follow up with CFO on pricing"));
        assert!(!risk.may_be_filler(b"Circle back with the buying committee"));
        assert!(risk.may_be_filler(b"circle   BACK!! "));
    }

    #[test]
    fn unknown_weights_are_named_with_a_suggestion() {
        let p = problems("[risk]\nweights = { overdu = 5 }\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with(
                "r.toml:2:13: unknown key `overdu` in [risk] weights; did you mean `overdue`?"
            ),
            "{}",
            p[0]
        );
    }
}
