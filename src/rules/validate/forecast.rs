//! `[forecast]`: how the business counts its quarters.

use super::Checker;
use crate::rules::ForecastRules;
use crate::rules::raw::RawForecast;

/// One document's `[forecast]`, every setting optional.
#[derive(Clone, Debug, Default)]
pub(crate) struct ForecastLayer {
    fiscal_year_start_month: Option<u32>,
}

pub(super) fn check(c: &mut Checker<'_>, forecast: &RawForecast) -> ForecastLayer {
    let mut layer = ForecastLayer::default();
    if let Some(m) = &forecast.fiscal_year_start_month {
        match u32::try_from(*m.get_ref()) {
            Ok(month @ 1..=12) => layer.fiscal_year_start_month = Some(month),
            _ => c.problem(
                m.span(),
                format!(
                    "forecast.fiscal_year_start_month is a month from 1 (January) to 12, not {}",
                    m.get_ref()
                ),
            ),
        }
    }
    layer
}

/// `over` (the user's file) onto `base` (its preset), key by key.
pub(super) fn merge(base: ForecastLayer, over: ForecastLayer) -> ForecastLayer {
    ForecastLayer {
        fiscal_year_start_month: over
            .fiscal_year_start_month
            .or(base.fiscal_year_start_month),
    }
}

pub(super) fn finish(layer: ForecastLayer) -> ForecastRules {
    ForecastRules {
        fiscal_year_start_month: layer.fiscal_year_start_month.unwrap_or(1),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::problems;

    #[test]
    fn the_fiscal_year_starts_in_a_month() {
        assert_eq!(
            problems("[forecast]\nfiscal_year_start_month = 13\n"),
            vec![
                "r.toml:2:27: forecast.fiscal_year_start_month is a month from 1 (January) to 12, not 13"
            ]
        );
        assert!(problems("[forecast]\nfiscal_year_start_month = 2\n").is_empty());
    }
}
