//! `[changes]`: what counts as a material change against the previous snapshot.

use super::Checker;
use crate::rules::ChangesRules;
use crate::rules::raw::RawChanges;

/// One document's `[changes]`, every setting optional.
#[derive(Clone, Debug, Default)]
pub(crate) struct ChangesLayer {
    amount_cut_pct: Option<f64>,
    serial_pushes: Option<u32>,
    push_alarm_days: Option<u32>,
}

pub(super) fn check(c: &mut Checker<'_>, changes: &RawChanges) -> ChangesLayer {
    let mut layer = ChangesLayer::default();
    if let Some(p) = &changes.amount_cut_pct {
        if (0.0..=100.0).contains(p.get_ref()) {
            layer.amount_cut_pct = Some(*p.get_ref());
        } else {
            c.problem(
                p.span(),
                format!(
                    "changes.amount_cut_pct is a percentage between 0 and 100, not {}",
                    p.get_ref()
                ),
            );
        }
    }
    let count = |c: &mut Checker<'_>, v: &Option<toml::Spanned<i64>>, key: &str| {
        let v = v.as_ref()?;
        match u32::try_from(*v.get_ref()) {
            Ok(n @ 1..) => Some(n),
            _ => {
                c.problem(
                    v.span(),
                    format!(
                        "changes.{key} is a whole number of at least 1, not {}",
                        v.get_ref()
                    ),
                );
                None
            }
        }
    };
    layer.serial_pushes = count(c, &changes.serial_pushes, "serial_pushes");
    layer.push_alarm_days = count(c, &changes.push_alarm_days, "push_alarm_days");
    layer
}

/// `over` (the user's file) onto `base` (its preset), key by key.
pub(super) fn merge(base: ChangesLayer, over: ChangesLayer) -> ChangesLayer {
    ChangesLayer {
        amount_cut_pct: over.amount_cut_pct.or(base.amount_cut_pct),
        serial_pushes: over.serial_pushes.or(base.serial_pushes),
        push_alarm_days: over.push_alarm_days.or(base.push_alarm_days),
    }
}

pub(super) fn finish(layer: ChangesLayer) -> ChangesRules {
    let d = ChangesRules::default();
    ChangesRules {
        amount_cut_pct: layer.amount_cut_pct.unwrap_or(d.amount_cut_pct),
        serial_pushes: layer.serial_pushes.unwrap_or(d.serial_pushes),
        push_alarm_days: layer.push_alarm_days.unwrap_or(d.push_alarm_days),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::problems;

    #[test]
    fn the_cut_is_a_percentage() {
        assert_eq!(
            problems("[changes]\namount_cut_pct = 120\n"),
            vec!["r.toml:2:18: changes.amount_cut_pct is a percentage between 0 and 100, not 120"]
        );
        assert!(problems("[changes]\namount_cut_pct = 12.5\n").is_empty());
        assert_eq!(
            problems("[changes]\nserial_pushes = 0\npush_alarm_days = -3\n"),
            vec![
                "r.toml:2:17: changes.serial_pushes is a whole number of at least 1, not 0",
                "r.toml:3:19: changes.push_alarm_days is a whole number of at least 1, not -3"
            ]
        );
        assert!(problems("[changes]\nserial_pushes = 3\npush_alarm_days = 45\n").is_empty());
        assert_eq!(
            problems("[changes]\namount_cut = 10\n").len(),
            1,
            "unknown keys are refused"
        );
    }
}
