//! The CI gate: does this audit pass? Settings come from `[gate]`, overridden by flags.

use serde::Serialize;

use crate::checks::Severity;
use crate::rules::FailOn;
use crate::score::round1;

/// The thresholds in force for this run.
#[derive(Clone, Debug, PartialEq)]
pub struct GateSettings {
    pub fail_on: FailOn,
    pub min_completeness: Option<f64>,
    pub max_high_risk: Option<u64>,
}

/// The gate's verdict, with a sentence per reason it failed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub passed: bool,
    pub reasons: Vec<String>,
}

/// What the gate looks at.
pub struct GateInput {
    pub errors: u64,
    pub warnings: u64,
    pub infos: u64,
    /// Overall completeness, 0–100.
    pub completeness: f64,
    pub high_risk: u64,
}

pub fn evaluate(settings: &GateSettings, input: &GateInput) -> Verdict {
    let mut reasons = Vec::new();
    if let Some(threshold) = settings.fail_on.threshold() {
        let count = match threshold {
            Severity::Error => input.errors,
            Severity::Warning => input.errors + input.warnings,
            Severity::Info => input.errors + input.warnings + input.infos,
        };
        if count > 0 {
            let level = settings.fail_on.as_str();
            reasons.push(format!(
                "{count} finding{} at {level} or above (fail-on {level})",
                if count == 1 { "" } else { "s" }
            ));
        }
    }
    if let Some(min) = settings.min_completeness {
        let shown = round1(input.completeness);
        if shown < min {
            reasons.push(format!(
                "completeness {shown:.1}% is below the minimum {min:.1}%"
            ));
        }
    }
    if let Some(max) = settings.max_high_risk {
        if input.high_risk > max {
            reasons.push(format!(
                "{} high-risk open deal{}, more than the maximum {max}",
                input.high_risk,
                if input.high_risk == 1 { "" } else { "s" }
            ));
        }
    }
    Verdict {
        passed: reasons.is_empty(),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(errors: u64, warnings: u64, completeness: f64) -> GateInput {
        GateInput {
            errors,
            warnings,
            infos: 0,
            completeness,
            high_risk: 0,
        }
    }

    #[test]
    fn fail_on_levels() {
        let s = |fail_on| GateSettings {
            fail_on,
            min_completeness: None,
            max_high_risk: None,
        };
        assert!(evaluate(&s(FailOn::Error), &input(0, 5, 90.0)).passed);
        assert!(!evaluate(&s(FailOn::Warning), &input(0, 5, 90.0)).passed);
        assert!(evaluate(&s(FailOn::Never), &input(9, 9, 90.0)).passed);
        let v = evaluate(&s(FailOn::Error), &input(1, 0, 90.0));
        assert_eq!(
            v.reasons,
            vec!["1 finding at error or above (fail-on error)"]
        );
    }

    #[test]
    fn completeness_uses_the_shown_figure() {
        let s = GateSettings {
            fail_on: FailOn::Never,
            min_completeness: Some(85.0),
            max_high_risk: None,
        };
        assert!(evaluate(&s, &input(0, 0, 84.96)).passed);
        let v = evaluate(&s, &input(0, 0, 84.9));
        assert_eq!(
            v.reasons,
            vec!["completeness 84.9% is below the minimum 85.0%"]
        );
    }
}
