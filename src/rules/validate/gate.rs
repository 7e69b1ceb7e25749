//! `[gate]`: what fails a CI run by default (flags override it).

use super::Checker;
use crate::rules::raw::RawGate;
use crate::rules::{FailOn, GateRules};
use crate::suggest;

/// One document's `[gate]`, every setting optional.
#[derive(Clone, Debug, Default)]
pub(crate) struct GateLayer {
    fail_on: Option<FailOn>,
    min_completeness: Option<f64>,
    max_high_risk: Option<u64>,
    allow_empty: Option<bool>,
}

pub(super) fn check(c: &mut Checker<'_>, gate: &RawGate) -> GateLayer {
    let mut layer = GateLayer::default();
    if let Some(f) = &gate.fail_on {
        match FailOn::parse(f.get_ref()) {
            Some(v) => layer.fail_on = Some(v),
            None => c.problem(
                f.span(),
                format!(
                    "gate.fail_on must be \"error\", \"warning\" or \"never\", not {:?}{}",
                    f.get_ref(),
                    suggest::hint(f.get_ref(), ["error", "warning", "never"])
                ),
            ),
        }
    }
    if let Some(m) = &gate.min_completeness {
        if (0.0..=100.0).contains(m.get_ref()) {
            layer.min_completeness = Some(*m.get_ref());
        } else {
            c.problem(
                m.span(),
                "gate.min_completeness is a percentage between 0 and 100",
            );
        }
    }
    if let Some(m) = &gate.max_high_risk {
        match u64::try_from(*m.get_ref()) {
            Ok(v) => layer.max_high_risk = Some(v),
            Err(_) => c.problem(m.span(), "gate.max_high_risk must be 0 or more"),
        }
    }
    layer.allow_empty = gate.allow_empty.as_ref().map(|a| *a.get_ref());
    layer
}

/// `over` (the user's file) onto `base` (its preset), key by key.
pub(super) fn merge(base: GateLayer, over: GateLayer) -> GateLayer {
    GateLayer {
        fail_on: over.fail_on.or(base.fail_on),
        min_completeness: over.min_completeness.or(base.min_completeness),
        max_high_risk: over.max_high_risk.or(base.max_high_risk),
        allow_empty: over.allow_empty.or(base.allow_empty),
    }
}

pub(super) fn finish(layer: GateLayer) -> GateRules {
    GateRules {
        fail_on: layer.fail_on.unwrap_or_default(),
        min_completeness: layer.min_completeness,
        max_high_risk: layer.max_high_risk,
        allow_empty: layer.allow_empty.unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::problems;

    #[test]
    fn gate_settings_are_checked() {
        let p = problems(
            "[gate]\nfail_on = \"warn\"\nmin_completeness = 120\nmax_high_risk = -1\nallow_empty = true\n",
        );
        assert_eq!(
            p,
            vec![
                "r.toml:2:11: gate.fail_on must be \"error\", \"warning\" or \"never\", not \"warn\"; did you mean `warning`?",
                "r.toml:3:20: gate.min_completeness is a percentage between 0 and 100",
                "r.toml:4:17: gate.max_high_risk must be 0 or more",
            ]
        );
    }
}
