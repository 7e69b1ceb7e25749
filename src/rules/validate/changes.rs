//! `[changes]`: what counts as a material change against the previous snapshot.

use super::Checker;
use crate::rules::ChangesRules;
use crate::rules::raw::RawChanges;

/// One document's `[changes]`, every setting optional.
#[derive(Clone, Debug, Default)]
pub(crate) struct ChangesLayer {
    amount_cut_pct: Option<f64>,
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
    layer
}

/// `over` (the user's file) onto `base` (its preset), key by key.
pub(super) fn merge(base: ChangesLayer, over: ChangesLayer) -> ChangesLayer {
    ChangesLayer {
        amount_cut_pct: over.amount_cut_pct.or(base.amount_cut_pct),
    }
}

pub(super) fn finish(layer: ChangesLayer) -> ChangesRules {
    ChangesRules {
        amount_cut_pct: layer
            .amount_cut_pct
            .unwrap_or(ChangesRules::default().amount_cut_pct),
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
            problems("[changes]\namount_cut = 10\n").len(),
            1,
            "unknown keys are refused"
        );
    }
}
