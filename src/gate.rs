//! The CI gate: does this audit pass? Settings come from `[gate]`, overridden by flags; the
//! verdict is part of the report view, so every format states the same one.

use serde::Serialize;

use crate::diag::Severity;
use crate::score::round1;
use crate::words::plural;

/// `--fail-on`: the lowest severity that fails the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Never,
}

impl FailOn {
    pub(crate) fn parse(s: &str) -> Option<FailOn> {
        match s {
            "error" => Some(FailOn::Error),
            "warning" => Some(FailOn::Warning),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Never => "never",
        }
    }

    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Never => None,
        }
    }
}

/// The thresholds in force for a run. The default fails on errors and on an export with
/// no deals, with no completeness or risk threshold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GateSettings {
    pub fail_on: FailOn,
    /// Fail when overall completeness (as shown, one decimal) is below this, 0–100.
    pub min_completeness: Option<f64>,
    /// Fail when more open deals than this are high risk.
    pub max_high_risk: Option<u64>,
    /// Pass an export with no deals (by default it fails: a sync that lost its rows).
    pub allow_empty: bool,
}

/// The gate's verdict, with a sentence per reason it failed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub passed: bool,
    pub reasons: Vec<String>,
}

/// What the gate looks at.
pub(crate) struct GateInput {
    pub(crate) errors: u64,
    pub(crate) warnings: u64,
    pub(crate) infos: u64,
    /// Overall completeness, 0–100.
    pub(crate) completeness: f64,
    pub(crate) high_risk: u64,
    /// Deals audited.
    pub(crate) deals: u64,
}

pub(crate) fn evaluate(settings: &GateSettings, input: &GateInput) -> Verdict {
    let mut reasons = Vec::new();
    if input.deals == 0 && !settings.allow_empty {
        reasons.push(
            "the export holds no deals (a sync that lost its rows?); pass --allow-empty or set [gate] allow_empty = true if that is expected"
                .to_string(),
        );
    }
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
                plural(count)
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
                plural(input.high_risk)
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

    #[test]
    fn an_export_with_no_deals_fails_unless_allowed() {
        let empty = GateInput {
            deals: 0,
            ..input(0, 0, 100.0)
        };
        let v = evaluate(&GateSettings::default(), &empty);
        assert!(!v.passed);
        assert!(v.reasons[0].contains("no deals"), "{:?}", v.reasons);
        let allowed = GateSettings {
            allow_empty: true,
            ..GateSettings::default()
        };
        assert!(evaluate(&allowed, &empty).passed);
    }

    fn input(errors: u64, warnings: u64, completeness: f64) -> GateInput {
        GateInput {
            errors,
            warnings,
            infos: 0,
            completeness,
            high_risk: 0,
            deals: 10,
        }
    }

    #[test]
    fn fail_on_levels() {
        let s = |fail_on| GateSettings {
            fail_on,
            ..GateSettings::default()
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
            ..GateSettings::default()
        };
        assert!(evaluate(&s, &input(0, 0, 84.96)).passed);
        let v = evaluate(&s, &input(0, 0, 84.9));
        assert_eq!(
            v.reasons,
            vec!["completeness 84.9% is below the minimum 85.0%"]
        );
    }
}
