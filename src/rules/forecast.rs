//! `[forecast]`: how the business counts its quarters, and the forecast categories the
//! forecast call groups open deals by (Commit, Best case, Pipeline, …, with the spellings
//! CRMs use for them).

use chrono::NaiveDate;
use serde::Serialize;

/// `[forecast]`: how the business counts its quarters.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ForecastRules {
    /// The month (1–12) the fiscal year starts in; quarters follow it.
    pub(crate) fiscal_year_start_month: u32,
    /// The trailing window (days up to as-of) for win rate, cycle length and coverage's basis.
    pub(crate) win_rate_days: u32,
    /// Extra spellings per class (normalised with [`normalize_forecast`]), from
    /// `[forecast] categories`; they are tried before the built-in spellings.
    pub(crate) categories: Vec<(ForecastClass, Vec<String>)>,
}

impl Default for ForecastRules {
    fn default() -> Self {
        ForecastRules {
            fiscal_year_start_month: 1,
            win_rate_days: 365,
            categories: Vec::new(),
        }
    }
}

/// A forecast category as the pipeline meeting counts it, whatever the CRM calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ForecastClass {
    Commit,
    BestCase,
    Pipeline,
    Omitted,
    Closed,
}

impl ForecastClass {
    pub(crate) const ALL: [ForecastClass; 5] = [
        ForecastClass::Commit,
        ForecastClass::BestCase,
        ForecastClass::Pipeline,
        ForecastClass::Omitted,
        ForecastClass::Closed,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            ForecastClass::Commit => "commit",
            ForecastClass::BestCase => "best_case",
            ForecastClass::Pipeline => "pipeline",
            ForecastClass::Omitted => "omitted",
            ForecastClass::Closed => "closed",
        }
    }

    /// How the class is shown: `Best case`.
    pub(crate) fn label(self) -> &'static str {
        match self {
            ForecastClass::Commit => "Commit",
            ForecastClass::BestCase => "Best case",
            ForecastClass::Pipeline => "Pipeline",
            ForecastClass::Omitted => "Omitted",
            ForecastClass::Closed => "Closed",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<ForecastClass> {
        ForecastClass::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The built-in spellings of each class (Salesforce, HubSpot, Dynamics 365, Zoho),
    /// normalised.
    fn built_in(self) -> &'static [&'static str] {
        match self {
            ForecastClass::Commit => &["commit", "committed"],
            ForecastClass::BestCase => &["bestcase", "upside", "mostlikely", "probable"],
            ForecastClass::Pipeline => &["pipeline"],
            ForecastClass::Omitted => &["omitted", "excluded", "removed"],
            ForecastClass::Closed => &["closed", "won", "lost", "closedlost"],
        }
    }
}

impl ForecastRules {
    /// The class of a forecast category as read: the rules' spellings first, then the
    /// built-in ones; `None` for a category nobody named.
    pub(crate) fn class_of(&self, category: &str) -> Option<ForecastClass> {
        let n = normalize_forecast(category);
        self.categories
            .iter()
            .find(|(_, spellings)| spellings.contains(&n))
            .map(|(c, _)| *c)
            .or_else(|| {
                ForecastClass::ALL
                    .into_iter()
                    .find(|c| c.built_in().contains(&n.as_str()))
            })
    }

    /// The first and last day of the fiscal quarter that holds `day`, and its name
    /// (`FY2027-Q1`: a fiscal year is named by the calendar year it ends in).
    pub(crate) fn quarter_of(&self, day: NaiveDate) -> (NaiveDate, NaiveDate, String) {
        use chrono::Datelike;
        let start_month = self.fiscal_year_start_month.clamp(1, 12) as i32;
        let months = day.year() * 12 + day.month0() as i32 - (start_month - 1);
        let quarter_start = months - months.rem_euclid(3);
        let date = |m: i32| {
            let (y, m0) = (m.div_euclid(12), m.rem_euclid(12));
            NaiveDate::from_ymd_opt(y, m0 as u32 + 1, 1).unwrap_or(day)
        };
        let first = date(quarter_start + start_month - 1);
        let last = date(quarter_start + start_month - 1 + 3)
            .pred_opt()
            .unwrap_or(day);
        let fiscal_year = {
            let year_start = months.div_euclid(12);
            if start_month == 1 {
                year_start
            } else {
                year_start + 1
            }
        };
        let q = months.rem_euclid(12) / 3 + 1;
        (first, last, format!("FY{fiscal_year}-Q{q}"))
    }
}

/// Fold forecast-category spellings: `Best Case`/`BestCase`/`best_case` → `bestcase`;
/// Salesforce's API value `Forecast` is the label `Commit`; HubSpot's `Not forecasted` is
/// Salesforce's `Omitted`.
pub(crate) fn normalize_forecast(s: &str) -> String {
    let folded: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    match folded.as_str() {
        "forecast" => "commit".to_string(),
        "notforecasted" | "omit" => "omitted".to_string(),
        "closedwon" => "closed".to_string(),
        _ => folded,
    }
}

/// Forecast categories pipelint knows (normalised), for "did you mean" on typos.
pub(crate) const KNOWN_FORECAST: [&str; 6] = [
    "pipeline",
    "bestcase",
    "commit",
    "closed",
    "omitted",
    "mostlikely",
];
