//! The open stages' order from what their deals carry, not from which value the file
//! happens to list first: the deals' typical (median) probability where the export has a
//! probability column, else their forecast category, else how old they were in the pipeline
//! when they reached the stage; common stage words (prospect < qualify < discover < develop <
//! propose < negotiate < commit) break ties and place stages the data says nothing of.

use chrono::NaiveDate;

use super::Draft;
use super::stages::{StageDraft, rank_from_name};
use crate::field::Canonical;
use crate::infer::GroupStats;
use crate::rules::normalize_forecast;
use crate::values::{DateFormat, parse_date, parse_percent};

/// The rank scale of [`StageDraft::rank`] set by this module: 0 (first) to 10 (last open).
const SCALE: f64 = 10.0;

/// Which of the data's signals may order the stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Strength {
    Strong,
    Weak,
    Any,
}

/// What ordered the stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Signal {
    Probability,
    Forecast,
    Age,
}

/// A weighted median of (value, deals) pairs.
fn median(mut values: Vec<(f64, u64)>) -> Option<f64> {
    values.retain(|(v, n)| v.is_finite() && *n > 0);
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: u64 = values.iter().map(|(_, n)| n).sum();
    let mut seen = 0;
    for (v, n) in values {
        seen += n;
        if seen * 2 >= total {
            return Some(v);
        }
    }
    None
}

/// Where a forecast category sits: pipeline before best case before commit.
fn forecast_rank(category: &str) -> Option<f64> {
    match normalize_forecast(category).as_str() {
        "pipeline" | "open" => Some(1.0),
        "bestcase" | "upside" | "mostlikely" => Some(2.0),
        "commit" | "committed" => Some(3.0),
        _ => None,
    }
}

/// A stage's name rank on 0–1 (0 = first contact, 1 = signing).
fn name_rank(name: &str) -> Option<f64> {
    rank_from_name(name).map(|r| ((r - 1.0) / 4.5).clamp(0.0, 1.0))
}

impl Draft<'_> {
    /// The median probability of a stage's open deals.
    fn median_probability(&self, g: &GroupStats) -> Option<f64> {
        let w = self.watch.probability?;
        let fraction = self.probability_is_fraction();
        let values = g
            .watched
            .get(w)?
            .iter()
            .filter_map(|(v, n)| {
                parse_percent(v, self.decimal(), fraction)
                    .ok()
                    .map(|p| (p, *n))
            })
            .collect();
        median(values)
    }

    fn median_forecast(&self, g: &GroupStats) -> Option<f64> {
        let w = self.watch.forecast?;
        let values = g
            .watched
            .get(w)?
            .iter()
            .filter_map(|(v, n)| forecast_rank(v).map(|r| (r, *n)))
            .collect();
        median(values)
    }

    /// How old a stage's open deals were in the pipeline, in days: from created to when they
    /// entered the stage, or to the latest date the export holds when it does not say.
    fn median_ages(&self, groups: &[Option<&GroupStats>]) -> Vec<Option<f64>> {
        let formats = |c: Option<usize>| -> Vec<DateFormat> {
            c.map(|c| {
                self.formats_of(c)
                    .into_iter()
                    .filter_map(|f| DateFormat::compile(f).ok())
                    .collect()
            })
            .unwrap_or_default()
        };
        let created_formats = formats(self.column_of(Canonical::CreatedDate));
        let changed_formats = formats(self.column_of(Canonical::StageChanged));
        let [created_at, changed_at] = self.kept;
        let read = |row: &[Box<str>], at: Option<usize>, f: &[DateFormat]| -> Option<NaiveDate> {
            let v = row.get(at?)?;
            if v.is_empty() {
                return None;
            }
            parse_date(v, f)
        };
        let rows: Vec<Vec<(Option<NaiveDate>, Option<NaiveDate>)>> = groups
            .iter()
            .map(|g| {
                g.map(|g| {
                    g.kept
                        .iter()
                        .map(|row| {
                            (
                                read(row, created_at, &created_formats),
                                read(row, changed_at, &changed_formats),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
            })
            .collect();
        let latest = rows
            .iter()
            .flatten()
            .flat_map(|(a, b)| [*a, *b])
            .flatten()
            .max();
        rows.iter()
            .map(|rows| {
                let ages = rows
                    .iter()
                    .filter_map(|(created, changed)| {
                        let until = changed.or(latest)?;
                        Some(((until - (*created)?).num_days() as f64, 1))
                    })
                    .collect();
                median(ages)
            })
            .collect()
    }

    /// Rank the open stages from their deals (see the module's comment) and say how. `None`
    /// when the data orders nothing (no signal, or every stage alike).
    pub(super) fn order_from_data(
        &self,
        stages: &mut [StageDraft],
        groups: &[Option<&GroupStats>],
    ) -> Option<String> {
        self.order_from(stages, groups, Strength::Any)
    }

    /// [`Draft::order_from_data`] with only the signals of a strength: the probability a CRM
    /// sets per stage is strong evidence of the order; forecast categories and ages are weak
    /// (common stage words go before them).
    pub(super) fn order_from(
        &self,
        stages: &mut [StageDraft],
        groups: &[Option<&GroupStats>],
        strength: Strength,
    ) -> Option<String> {
        let figures = |f: &dyn Fn(&GroupStats) -> Option<f64>| -> Vec<Option<f64>> {
            groups.iter().map(|g| g.and_then(f)).collect()
        };
        let none = || vec![None; groups.len()];
        let strong = strength != Strength::Weak;
        let weak = strength != Strength::Strong;
        let candidates = [
            (
                Signal::Probability,
                if strong {
                    figures(&|g| self.median_probability(g))
                } else {
                    none()
                },
            ),
            (
                Signal::Forecast,
                if weak {
                    figures(&|g| self.median_forecast(g))
                } else {
                    none()
                },
            ),
            (
                Signal::Age,
                if weak {
                    self.median_ages(groups)
                } else {
                    none()
                },
            ),
        ];
        order_by(stages, candidates)
    }

    /// Add open stages a preset does not know to its open stages (`known`, in the preset's
    /// order, with their deals' `groups`): each goes before the first known stage its deals
    /// rank below. Without a signal in the data they go last, in the order given; `None`
    /// then, else how they were placed.
    pub(super) fn place_among(
        &self,
        known: &mut Vec<StageDraft>,
        groups: &[Option<&GroupStats>],
        extra: Vec<(StageDraft, Option<&GroupStats>)>,
    ) -> Option<String> {
        if extra.is_empty() {
            return None;
        }
        let mut all: Vec<StageDraft> = known.clone();
        let mut all_groups: Vec<Option<&GroupStats>> = groups.to_vec();
        all.extend(extra.iter().map(|(s, _)| s.clone()));
        all_groups.extend(extra.iter().map(|(_, g)| *g));
        let how = self.order_from_data(&mut all, &all_groups);
        let mut extra: Vec<StageDraft> = extra.into_iter().map(|(s, _)| s).collect();
        if how.is_none() {
            known.extend(extra);
            return None;
        }
        let known_ranks: Vec<f64> = all[..known.len()].iter().map(|s| s.rank).collect();
        for (s, ranked) in extra.iter_mut().zip(&all[known_ranks.len()..]) {
            s.rank = ranked.rank;
        }
        // Placed from the last, so that earlier insert positions stay valid.
        let mut at: Vec<(usize, StageDraft)> = extra
            .into_iter()
            .map(|s| {
                let before = (!s.rank.is_nan())
                    .then(|| known_ranks.iter().position(|k| *k > s.rank))
                    .flatten()
                    .unwrap_or(known_ranks.len());
                (before, s)
            })
            .collect();
        at.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.rank.total_cmp(&b.1.rank)));
        for (before, s) in at.into_iter().rev() {
            known.insert(before, s);
        }
        how
    }
}

/// Rank the open stages by the first signal that orders them (see
/// [`Draft::order_from_data`]), and say how.
fn order_by(
    stages: &mut [StageDraft],
    candidates: [(Signal, Vec<Option<f64>>); 3],
) -> Option<String> {
    let open: Vec<usize> = (0..stages.len())
        .filter(|&i| stages[i].outcome.is_none())
        .collect();
    // A signal orders the stages when they mostly differ by it: probabilities left at 0
    // on most stages (a sandbox export) say nothing of the order.
    let discriminates = |v: &[Option<f64>]| {
        let mut seen: Vec<f64> = open.iter().filter_map(|&i| v[i]).collect();
        let with_data = seen.len();
        seen.sort_by(f64::total_cmp);
        seen.dedup();
        with_data >= 2 && seen.len() >= 2 && seen.len() * 3 >= with_data * 2
    };
    // An open stage at 0% is a probability nobody set (0% is what a lost deal carries).
    let candidates = candidates.map(|(signal, mut values)| {
        if signal == Signal::Probability {
            values.iter_mut().for_each(|v| *v = v.filter(|p| *p > 0.0));
        }
        (signal, values)
    });
    let (signal, values) = candidates.into_iter().find(|(_, v)| discriminates(v))?;
    let seen: Vec<f64> = open.iter().filter_map(|&i| values[i]).collect();
    let lo = seen.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = seen.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    for &i in &open {
        let data = values[i].map(|v| (v - lo) / (hi - lo));
        let name = name_rank(&stages[i].name);
        stages[i].rank = match (data, name, signal) {
            // The probability a CRM sets per stage is its order; names only break ties.
            (Some(d), n, Signal::Probability | Signal::Forecast) => {
                SCALE * d + 0.99 * n.unwrap_or(0.5)
            }
            // Ages are noisy: they and the name count alike.
            (Some(d), Some(n), Signal::Age) => SCALE * (d + n) / 2.0,
            (Some(d), None, Signal::Age) => SCALE * d,
            (None, Some(n), _) => SCALE * n,
            (None, None, _) => f64::NAN,
        };
    }
    let mut shown: Vec<(f64, String)> = open
        .iter()
        .filter_map(|&i| {
            let v = values[i]?;
            let figure = match signal {
                Signal::Probability => crate::words::number(v.round()),
                Signal::Forecast => match v.round() as i64 {
                    1 => "pipeline".to_string(),
                    2 => "best case".to_string(),
                    _ => "commit".to_string(),
                },
                Signal::Age => format!("{} days", v.round()),
            };
            Some((stages[i].rank, format!("{} {figure}", stages[i].name)))
        })
        .collect();
    shown.sort_by(|a, b| a.0.total_cmp(&b.0));
    let list: Vec<String> = shown.into_iter().map(|(_, s)| s).collect();
    Some(match signal {
        Signal::Probability => format!(
            "ordered by median probability: {}; stage names break ties",
            list.join(", ")
        ),
        Signal::Forecast => format!(
            "ordered by median forecast category: {}; stage names break ties",
            list.join(", ")
        ),
        Signal::Age => format!(
            "ordered by median age in the pipeline on reaching the stage: {}; combined with the stage names",
            list.join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_weigh_each_value_by_its_deals() {
        assert_eq!(median(vec![(10.0, 1), (40.0, 3), (90.0, 1)]), Some(40.0));
        assert_eq!(median(vec![(100.0, 1), (80.0, 2)]), Some(80.0));
        assert_eq!(median(vec![]), None);
    }

    #[test]
    fn forecast_categories_rank_pipeline_before_commit() {
        assert!(forecast_rank("Pipeline") < forecast_rank("Best Case"));
        assert!(forecast_rank("Best case") < forecast_rank("Committed"));
        assert_eq!(forecast_rank("Commit"), forecast_rank("Forecast"));
        assert_eq!(forecast_rank("Omitted"), None);
    }

    fn stage(name: &str, outcome: Option<&'static str>, first_seen: usize) -> StageDraft {
        StageDraft::bare(name, outcome, first_seen, f64::NAN)
    }

    /// Order `names` (in file order, "Won"/"Lost" closed) by the signals, as `stages` does.
    fn ordered(
        names: &[&str],
        probability: &[Option<f64>],
        forecast: &[Option<f64>],
        age: &[Option<f64>],
    ) -> (Vec<String>, Option<String>) {
        let mut stages: Vec<StageDraft> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let outcome = match *n {
                    "Won" => Some("won"),
                    "Lost" => Some("lost"),
                    _ => None,
                };
                stage(n, outcome, i)
            })
            .collect();
        let how = order_by(
            &mut stages,
            [
                (Signal::Probability, probability.to_vec()),
                (Signal::Forecast, forecast.to_vec()),
                (Signal::Age, age.to_vec()),
            ],
        );
        super::super::stages::order(&mut stages);
        (stages.into_iter().map(|s| s.name).collect(), how)
    }

    #[test]
    fn probabilities_order_stages_over_first_appearance_and_names() {
        // Commit first in the file, Qualify before 1-Discover: the deals' probabilities say
        // 1-Discover (10) comes first although "qualify" usually precedes "discover".
        let names = [
            "Commit",
            "Propose",
            "Won",
            "Qualify",
            "1-Discover",
            "Develop",
            "Lost",
        ];
        let p = [
            Some(90.0),
            Some(60.0),
            Some(100.0),
            Some(20.0),
            Some(10.0),
            Some(40.0),
            Some(0.0),
        ];
        let (order, how) = ordered(&names, &p, &[None; 7], &[None; 7]);
        assert_eq!(
            order,
            [
                "1-Discover",
                "Qualify",
                "Develop",
                "Propose",
                "Commit",
                "Won",
                "Lost"
            ]
        );
        assert_eq!(
            how.as_deref(),
            Some(
                "ordered by median probability: 1-Discover 10, Qualify 20, Develop 40, \
                 Propose 60, Commit 90; stage names break ties"
            )
        );
    }

    #[test]
    fn equal_probabilities_fall_back_to_forecast_then_names_break_ties() {
        // Probabilities left at 0 are unset, and one stage's 10 orders nothing; the
        // forecast category orders, and within one category the names do.
        let names = ["Negotiate", "Propose", "Prospect", "Won"];
        let p = [Some(0.0), Some(0.0), Some(10.0), Some(100.0)];
        let f = [Some(3.0), Some(3.0), Some(1.0), None];
        let (order, how) = ordered(&names, &p, &f, &[None; 4]);
        assert_eq!(order, ["Prospect", "Propose", "Negotiate", "Won"]);
        assert!(how.is_some_and(|h| {
            h.starts_with("ordered by median forecast category: Prospect pipeline")
        }),);
    }

    #[test]
    fn ages_order_stages_without_names_and_nothing_orders_alike_stages() {
        let names = ["Gamma", "Alpha", "Beta", "Lost"];
        let age = [Some(60.0), Some(3.0), Some(21.0), None];
        let (order, how) = ordered(&names, &[None; 4], &[None; 4], &age);
        assert_eq!(order, ["Alpha", "Beta", "Gamma", "Lost"]);
        assert!(how.is_some_and(|h| h.contains("Alpha 3 days, Beta 21 days, Gamma 60 days")));
        let alike = [Some(5.0), Some(5.0), Some(5.0), None];
        assert_eq!(ordered(&names, &alike, &[None; 4], &[None; 4]).1, None);
    }
}
