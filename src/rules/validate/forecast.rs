//! `[forecast]`: how the business counts its quarters.

use super::Checker;
use crate::rules::raw::RawForecast;
use crate::rules::{ForecastClass, ForecastRules, normalize_forecast};

/// One document's `[forecast]`, every setting optional.
#[derive(Clone, Debug, Default)]
pub(crate) struct ForecastLayer {
    fiscal_year_start_month: Option<u32>,
    win_rate_days: Option<u32>,
    categories: Option<Vec<(ForecastClass, Vec<String>)>>,
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
    if let Some(d) = &forecast.win_rate_days {
        match u32::try_from(*d.get_ref()) {
            Ok(days @ 1..=3660) => layer.win_rate_days = Some(days),
            _ => c.problem(
                d.span(),
                format!(
                    "forecast.win_rate_days is a number of days from 1 to 3660, not {}",
                    d.get_ref()
                ),
            ),
        }
    }
    if let Some(cats) = &forecast.categories {
        let mut out = Vec::new();
        for (class, spellings) in cats.get_ref() {
            match ForecastClass::parse(class) {
                Some(k) => out.push((k, spellings.iter().map(|s| normalize_forecast(s)).collect())),
                None => {
                    let names: Vec<&str> = ForecastClass::ALL.iter().map(|c| c.name()).collect();
                    c.problem(
                        cats.span(),
                        format!(
                            "forecast.categories has no class `{class}`; the classes are {}",
                            names.join(", ")
                        ),
                    );
                }
            }
        }
        layer.categories = Some(out);
    }
    layer
}

/// `over` (the user's file) onto `base` (its preset), key by key.
pub(super) fn merge(base: ForecastLayer, over: ForecastLayer) -> ForecastLayer {
    ForecastLayer {
        fiscal_year_start_month: over
            .fiscal_year_start_month
            .or(base.fiscal_year_start_month),
        win_rate_days: over.win_rate_days.or(base.win_rate_days),
        categories: over.categories.or(base.categories),
    }
}

pub(super) fn finish(layer: ForecastLayer) -> ForecastRules {
    let d = ForecastRules::default();
    ForecastRules {
        fiscal_year_start_month: layer
            .fiscal_year_start_month
            .unwrap_or(d.fiscal_year_start_month),
        win_rate_days: layer.win_rate_days.unwrap_or(d.win_rate_days),
        categories: layer.categories.unwrap_or_default(),
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

    #[test]
    fn the_window_and_the_categories_are_checked() {
        assert_eq!(
            problems("[forecast]\nwin_rate_days = 0\n"),
            vec!["r.toml:2:17: forecast.win_rate_days is a number of days from 1 to 3660, not 0"]
        );
        let p = problems("[forecast]\ncategories = { comit = [\"Commit\"] }\n");
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("no class `comit`"), "{p:?}");
        assert!(
            problems(
                "[forecast]\ncategories = { commit = [\"Must Win\"], best_case = [\"Stretch\"] }\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn categories_fold_to_classes() {
        use crate::rules::{ForecastClass, ForecastRules, normalize_forecast};
        let rules = ForecastRules {
            categories: vec![(ForecastClass::Commit, vec![normalize_forecast("Must Win")])],
            ..ForecastRules::default()
        };
        assert_eq!(rules.class_of("must_win"), Some(ForecastClass::Commit));
        assert_eq!(rules.class_of("Forecast"), Some(ForecastClass::Commit));
        assert_eq!(rules.class_of("Best Case"), Some(ForecastClass::BestCase));
        assert_eq!(
            rules.class_of("Not forecasted"),
            Some(ForecastClass::Omitted)
        );
        assert_eq!(rules.class_of("Closed Won"), Some(ForecastClass::Closed));
        assert_eq!(rules.class_of("Maybe"), None);
    }
}
