//! Pipeline health from one export: the forecast call per normalised category, win rate,
//! sales cycle and average won size over the trailing `[forecast] win_rate_days`, and, with
//! a quota file, coverage of the fiscal quarter that holds as-of against the multiple the
//! trailing win rate requires. One pass over the deals; amounts stay exact and per currency.
//!
//! Definitions (docs/GUIDE.md, "Pipeline health"):
//! - A deal counts as closed in the window when it is won or lost and its close date is in
//!   `(as_of − win_rate_days, as_of]`.
//! - Sales cycle: created → close date of the window's won deals that have both dates (a
//!   close before the created date, HYG007, is left out).
//! - Coverage = open pipeline in the quota's currency closing by the quarter's last day
//!   (overdue deals included) ÷ (quota − won in the quarter); required multiple = closed ÷
//!   won, by count, in the trailing window.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::deal::Deal;
use crate::deal::DealStore;
use crate::facts::standing::{Standing, standing};
use crate::input::quota::Quotas;
use crate::rules::RuleSet;
use crate::rules::{ForecastClass, Outcome};
use crate::score::aggregate::CurrencySums;
use crate::score::risk::Band;
use crate::values::Amount;
use crate::values::{Currency, MoneySum};

/// Every health figure, as `-f json` writes it under `health`.
#[derive(Clone, Debug, Serialize)]
pub struct Health {
    pub forecast: ForecastCall,
    pub win_rate: WinRates,
    /// Only with `--quota FILE`.
    pub coverage: Option<Coverage>,
}

/// The forecast call: open deals per forecast category.
#[derive(Clone, Debug, Serialize)]
pub struct ForecastCall {
    pub overall: Vec<CategoryRow>,
    pub by_owner: Vec<OwnerCategories>,
}

/// Open deals in one forecast category (`uncategorised`: none given, or a spelling that is
/// in no class).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CategoryRow {
    pub category: &'static str,
    pub label: &'static str,
    pub deals: u64,
    pub amount: Vec<Amount>,
    /// Deals without a readable amount, which `amount` leaves out.
    pub without_amount: u64,
    /// Deals in the high risk band, and their amount.
    pub at_risk_deals: u64,
    pub at_risk_amount: Vec<Amount>,
    /// High-risk deals without a readable amount, which `at_risk_amount` leaves out.
    pub at_risk_without_amount: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct OwnerCategories {
    pub owner: Option<String>,
    pub categories: Vec<CategoryRow>,
}

/// Win rate, cycle and won size over the trailing window.
#[derive(Clone, Debug, Serialize)]
pub struct WinRates {
    pub window_days: u32,
    /// First and last close date the window takes.
    pub from: String,
    pub to: String,
    pub overall: WinRow,
    pub by_owner: Vec<NamedWin>,
    /// With `--by FIELD`: the field and its values.
    pub by_field: Option<String>,
    pub by_value: Vec<NamedWin>,
    /// Won deals dated after the as-of (HYG011, the `future_won` data note): the window
    /// ends at the as-of, so they are not in it; a win booked before its date would
    /// otherwise go unseen in the win rate.
    pub future_won: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct NamedWin {
    /// The owner or value; `None` for deals without one.
    pub name: Option<String>,
    #[serde(flatten)]
    pub figures: WinRow,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct WinRow {
    pub closed: u64,
    pub won: u64,
    pub lost: u64,
    /// Won ÷ closed by count, 0–100 with one decimal; `None` when nothing closed.
    pub win_rate: Option<f64>,
    /// Per currency: won amount ÷ (won + lost amount), 0–100.
    pub win_rate_by_amount: Vec<CurrencyRate>,
    pub won_amount: Vec<Amount>,
    pub lost_amount: Vec<Amount>,
    /// Per currency: won amount ÷ won deals with an amount.
    pub average_won: Vec<Amount>,
    /// Created → close of won deals, in days.
    pub cycle: Option<Cycle>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CurrencyRate {
    pub currency: Option<String>,
    pub rate: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Cycle {
    pub deals: u64,
    pub median_days: f64,
    pub mean_days: f64,
}

/// Coverage of the fiscal quarter that holds as-of.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub quota_file: String,
    pub period: String,
    pub period_start: String,
    pub period_end: String,
    pub basis: Basis,
    /// Per currency, the whole team (owners with a quota).
    pub team: Vec<CoverageRow>,
    pub owners: Vec<CoverageRow>,
    /// Owners in the quota file with no deal in the export.
    pub quota_without_deals: Vec<String>,
    /// Owners of open deals with no quota for the period.
    pub deals_without_quota: Vec<String>,
    /// Why coverage could not be worked out, when it could not (no quota for the period).
    pub note: Option<String>,
}

/// The multiple of the remaining quota the pipeline must cover, from the trailing win rate.
#[derive(Clone, Debug, Serialize)]
pub struct Basis {
    pub closed: u64,
    pub won: u64,
    pub window_days: u32,
    /// Closed ÷ won; `None` when nothing was won in the window.
    pub required: Option<f64>,
    /// `trailing win rate 20/32 closed won (62.5%) → required 1.60×`.
    pub text: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CoverageRow {
    /// `None` for the team row.
    pub owner: Option<String>,
    pub currency: Option<String>,
    pub quota: String,
    pub won: String,
    /// Quota − won (negative when the quota is beaten).
    pub remaining: String,
    pub pipeline: String,
    pub pipeline_deals: u64,
    /// Pipeline ÷ remaining, two decimals; `None` when nothing remains.
    pub coverage: Option<f64>,
    /// The quota is met already.
    pub met: bool,
    /// Coverage below the required multiple.
    pub below_required: bool,
    /// Quota, won and pipeline as exact sums, for adding rows up (a team's coverage).
    #[serde(skip)]
    pub(crate) sums: [i128; 3],
}

/// Figures of one group of closed deals, exact until they are worded.
#[derive(Default)]
struct WinTally {
    won: u64,
    lost: u64,
    won_amount: CurrencySums,
    lost_amount: CurrencySums,
    won_with_amount: BTreeMap<Option<Currency>, u64>,
    cycles: Vec<i64>,
}

impl WinTally {
    fn add(&mut self, outcome: Outcome, d: &Deal, currency: Option<Currency>) {
        match outcome {
            Outcome::Won => {
                self.won += 1;
                if let Some(m) = d.amount() {
                    self.won_amount.add(currency, m);
                    *self.won_with_amount.entry(currency).or_default() += 1;
                }
                if let (Some(created), Some(close)) = (d.created_date(), d.close_date) {
                    if close >= created {
                        self.cycles.push((close - created).num_days());
                    }
                }
            }
            Outcome::Lost => {
                self.lost += 1;
                if let Some(m) = d.amount() {
                    self.lost_amount.add(currency, m);
                }
            }
        }
    }

    fn row(mut self) -> WinRow {
        let closed = self.won + self.lost;
        let rate = |part: u64, whole: u64| {
            (whole > 0).then(|| crate::score::round1(part as f64 * 100.0 / whole as f64))
        };
        let by_amount = self
            .won_amount
            .iter()
            .filter_map(|(c, won)| {
                let lost = self
                    .lost_amount
                    .iter()
                    .find(|(l, _)| *l == c)
                    .map_or(0, |(_, s)| s.0);
                let whole = won.0 + lost;
                (whole > 0).then(|| CurrencyRate {
                    currency: c.map(|c| c.to_string()),
                    rate: crate::score::round1(won.0 as f64 * 100.0 / whole as f64),
                })
            })
            .collect();
        let average_won = self
            .won_amount
            .iter()
            .filter_map(|(c, sum)| {
                let n = *self.won_with_amount.get(&c)?;
                (n > 0).then(|| Amount {
                    currency: c.map(|c| c.to_string()),
                    amount: average(sum, n).to_string(),
                })
            })
            .collect();
        self.cycles.sort_unstable();
        let cycle = (!self.cycles.is_empty()).then(|| {
            let n = self.cycles.len();
            let median = if n % 2 == 1 {
                self.cycles[n / 2] as f64
            } else {
                (self.cycles[n / 2 - 1] + self.cycles[n / 2]) as f64 / 2.0
            };
            let mean = self.cycles.iter().sum::<i64>() as f64 / n as f64;
            Cycle {
                deals: n as u64,
                median_days: median,
                mean_days: crate::score::round1(mean),
            }
        });
        WinRow {
            closed,
            won: self.won,
            lost: self.lost,
            win_rate: rate(self.won, closed),
            win_rate_by_amount: by_amount,
            won_amount: words(&self.won_amount),
            lost_amount: words(&self.lost_amount),
            average_won,
            cycle,
        }
    }
}

/// `sum / n`, rounded half away from zero to the minor unit.
fn average(sum: MoneySum, n: u64) -> MoneySum {
    // Amounts are in ten-thousandths: divide by n cents' worth, then back to units.
    let d = i128::from(n) * 100;
    let cents = (2 * sum.0 + d * sum.0.signum()) / (2 * d);
    MoneySum(cents * 100)
}

fn words(sums: &CurrencySums) -> Vec<Amount> {
    sums.iter()
        .map(|(c, s)| Amount {
            currency: c.map(|c| c.to_string()),
            amount: s.to_string(),
        })
        .collect()
}

/// Open deals of one forecast category: how many, their amount, how many have none; the
/// same of those at high risk.
#[derive(Default, Clone)]
struct CallSlot {
    deals: u64,
    amount: CurrencySums,
    without_amount: u64,
    at_risk_deals: u64,
    at_risk_amount: CurrencySums,
    at_risk_without_amount: u64,
}

/// Open deals of one group per forecast category (the five classes, then uncategorised).
#[derive(Default, Clone)]
struct CallTally([CallSlot; 6]);

impl CallTally {
    fn add(&mut self, slot: usize, high: bool, d: &Deal, currency: Option<Currency>) {
        let t = &mut self.0[slot];
        t.deals += 1;
        match d.amount() {
            Some(m) => t.amount.add(currency, m),
            None => t.without_amount += 1,
        }
        if high {
            t.at_risk_deals += 1;
            match d.amount() {
                Some(m) => t.at_risk_amount.add(currency, m),
                None => t.at_risk_without_amount += 1,
            }
        }
    }

    fn rows(&self) -> Vec<CategoryRow> {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, t)| t.deals > 0)
            .map(|(i, t)| {
                let (category, label) = match ForecastClass::ALL.get(i) {
                    Some(c) => (c.name(), c.label()),
                    None => ("uncategorised", "Uncategorised"),
                };
                CategoryRow {
                    category,
                    label,
                    deals: t.deals,
                    amount: words(&t.amount),
                    without_amount: t.without_amount,
                    at_risk_deals: t.at_risk_deals,
                    at_risk_amount: words(&t.at_risk_amount),
                    at_risk_without_amount: t.at_risk_without_amount,
                }
            })
            .collect()
    }
}

/// Coverage sums of one owner (or the team) in one currency.
#[derive(Default, Clone, Copy)]
struct CoverSums {
    quota: MoneySum,
    won: MoneySum,
    pipeline: MoneySum,
    pipeline_deals: u64,
}

/// An owner's sums in `currency`, among the few currencies the owner has.
fn cover_of(
    sums: &mut Vec<(Option<Currency>, CoverSums)>,
    currency: Option<Currency>,
) -> &mut CoverSums {
    let i = match sums.iter().position(|(c, _)| *c == currency) {
        Some(i) => i,
        None => {
            sums.push((currency, CoverSums::default()));
            sums.len() - 1
        }
    };
    &mut sums[i].1
}

/// Every health figure of `audit`; `sole` is the currency amounts without one are in.
/// What the health figures read of an audit: its deals, rules and as-of, and the `--by`
/// field the win rate breaks down by.
pub(crate) struct Audited<'a> {
    pub(crate) deals: &'a DealStore,
    pub(crate) rules: &'a RuleSet,
    pub(crate) as_of: NaiveDate,
    pub(crate) by: Option<&'a str>,
}

/// The first day of a trailing window of `window` days that ends on `as_of`.
fn window_start(as_of: NaiveDate, window: u32) -> NaiveDate {
    as_of
        .checked_sub_days(Days::new(u64::from(window.saturating_sub(1))))
        .unwrap_or(as_of)
}

/// The one currency a quota file names, when every row that names one names it.
fn quota_currency(quotas: &Quotas) -> Option<Currency> {
    let mut named = quotas.rows.iter().filter_map(|r| r.currency);
    let first = named.next()?;
    named.all(|c| c == first).then_some(first)
}

pub(crate) fn compute(
    audit: Audited<'_>,
    sole: Option<Currency>,
    quotas: Option<&Quotas>,
) -> Health {
    // Amounts that name no currency are in the export's one currency, else in the quota
    // file's one currency, when it has one.
    let sole = sole.or_else(|| quotas.and_then(quota_currency));
    let rules = audit.rules;
    let deals = audit.deals;
    let as_of = audit.as_of;
    let window = rules.forecast.win_rate_days;
    let from = window_start(as_of, window);
    let (q_first, q_last, q_name) = rules.forecast.quarter_of(as_of);

    // Forecast classes per forecast id, decided once.
    let classes = deals.forecast_classes(&rules.forecast);
    let owners = deals.owners.len();
    let slot_of = |o: Option<u32>| o.map_or(owners, |o| o as usize);
    let mut call = CallTally::default();
    let mut call_by_owner: Vec<CallTally> = vec![CallTally::default(); owners + 1];
    let mut win = WinTally::default();
    let mut win_by_owner: Vec<WinTally> = (0..=owners).map(|_| WinTally::default()).collect();
    let groups = deals.groups.len();
    let mut win_by_value: Vec<WinTally> = (0..=groups).map(|_| WinTally::default()).collect();
    let mut basis = (0u64, 0u64);
    let mut future_won = 0u64;
    // Per owner slot and currency: won in the quarter, open pipeline closing by its end.
    // Kept per owner (a currency or two each) while the deals are read: a map lookup per
    // deal cost more than the rest of the loop.
    let mut cover_by_owner: Vec<Vec<(Option<Currency>, CoverSums)>> =
        (0..=owners).map(|_| Vec::new()).collect();
    let mut has_deals = vec![false; owners + 1];
    let mut has_open = vec![false; owners + 1];

    for (index, d) in deals.iter().enumerate() {
        let currency = d.currency.or(sole);
        let owner = slot_of(deals.owner_id(d));
        has_deals[owner] = true;
        match standing(d, rules) {
            Standing::Open => {
                has_open[owner] = true;
                let class = classes.of(d);
                let slot = class.map_or(5, |c| c as usize);
                let high = Band::of(d.risk.score, &rules.risk) == Band::High;
                call.add(slot, high, d, currency);
                call_by_owner[owner].add(slot, high, d, currency);
                if let (Some(close), Some(m)) = (d.close_date, d.amount()) {
                    if close <= q_last {
                        let c = cover_of(&mut cover_by_owner[owner], currency);
                        c.pipeline.add(m);
                        c.pipeline_deals += 1;
                    }
                }
            }
            Standing::Closed(outcome) => {
                let Some(close) = d.close_date else { continue };
                if outcome == Outcome::Won && close >= q_first && close <= q_last {
                    if let Some(m) = d.amount() {
                        cover_of(&mut cover_by_owner[owner], currency).won.add(m);
                    }
                }
                if outcome == Outcome::Won && close > as_of {
                    future_won += 1;
                }
                if close < from || close > as_of {
                    continue;
                }
                basis.0 += 1;
                if outcome == Outcome::Won {
                    basis.1 += 1;
                }
                win.add(outcome, d, currency);
                win_by_owner[owner].add(outcome, d, currency);
                let g = deals.group_id(index).map_or(groups, |g| g as usize);
                win_by_value[g].add(outcome, d, currency);
            }
            Standing::Unknown => {}
        }
    }

    let cover: BTreeMap<(usize, Option<Currency>), CoverSums> = cover_by_owner
        .into_iter()
        .enumerate()
        .flat_map(|(owner, sums)| sums.into_iter().map(move |(c, s)| ((owner, c), s)))
        .collect();
    let owner_name = |slot: usize| -> Option<String> {
        (slot < owners).then(|| deals.owners.name(slot as u32).to_string())
    };
    let named = |tallies: Vec<WinTally>, name: &dyn Fn(usize) -> Option<String>| {
        let mut rows: Vec<NamedWin> = tallies
            .into_iter()
            .enumerate()
            .filter(|(_, t)| t.won + t.lost > 0)
            .map(|(i, t)| NamedWin {
                name: name(i),
                figures: t.row(),
            })
            .collect();
        rows.sort_by(|a, b| by_name(&a.name, &b.name));
        rows
    };
    let mut forecast_by_owner: Vec<OwnerCategories> = call_by_owner
        .iter()
        .enumerate()
        .filter(|(_, t)| t.0.iter().any(|c| c.deals > 0))
        .map(|(i, t)| OwnerCategories {
            owner: owner_name(i),
            categories: t.rows(),
        })
        .collect();
    forecast_by_owner.sort_by(|a, b| by_name(&a.owner, &b.owner));
    let group_name = |slot: usize| -> Option<String> {
        (slot < groups).then(|| deals.groups.name(slot as u32).to_string())
    };
    let coverage = quotas.map(|q| {
        coverage(
            q,
            (q_first, q_last, q_name),
            basis,
            window,
            &cover,
            (&has_deals, &has_open),
            &owner_name,
            sole,
        )
    });
    Health {
        forecast: ForecastCall {
            overall: call.rows(),
            by_owner: forecast_by_owner,
        },
        win_rate: WinRates {
            window_days: window,
            from: from.to_string(),
            to: as_of.to_string(),
            overall: win.row(),
            by_owner: named(win_by_owner, &owner_name),
            by_field: audit.by.map(str::to_string),
            by_value: if audit.by.is_some() {
                named(win_by_value, &group_name)
            } else {
                Vec::new()
            },
            future_won,
        },
        coverage,
    }
}

/// Names in order, case folded, `None` (no owner, no value) last.
fn by_name(a: &Option<String>, b: &Option<String>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.to_lowercase().cmp(&b.to_lowercase()).then(a.cmp(b)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

/// The required multiple and its basis in words.
fn basis(closed: u64, won: u64, window: u32) -> Basis {
    let required = (won > 0).then(|| (closed as f64 / won as f64 * 100.0).round() / 100.0);
    let text = match required {
        Some(r) => format!(
            "trailing win rate {won}/{closed} closed won ({:.1}%) over {window} days → required {r:.2}×",
            won as f64 * 100.0 / closed as f64
        ),
        None if closed == 0 => format!(
            "no deal closed in the trailing {window} days: the required multiple is unknown"
        ),
        None => format!(
            "none of the {closed} deals closed in the trailing {window} days was won: the required multiple is unknown"
        ),
    };
    Basis {
        closed,
        won,
        window_days: window,
        required,
        text,
    }
}

#[allow(clippy::too_many_arguments)]
fn coverage(
    quotas: &Quotas,
    (first, last, period): (NaiveDate, NaiveDate, String),
    (closed, won): (u64, u64),
    window: u32,
    cover: &BTreeMap<(usize, Option<Currency>), CoverSums>,
    (has_deals, has_open): (&[bool], &[bool]),
    owner_name: &dyn Fn(usize) -> Option<String>,
    sole: Option<Currency>,
) -> Coverage {
    let basis = basis(closed, won, window);
    let slots = has_deals.len();
    let slot_named = |name: &str| {
        (0..slots.saturating_sub(1))
            .find(|&s| owner_name(s).is_some_and(|n| n.trim().eq_ignore_ascii_case(name.trim())))
    };
    let mut team: BTreeMap<Option<Currency>, CoverSums> = BTreeMap::new();
    let mut owners = Vec::new();
    let mut quota_without_deals = Vec::new();
    let mut with_quota = vec![false; slots];
    let rows: Vec<_> = quotas.rows.iter().filter(|r| r.period == period).collect();
    for q in &rows {
        let currency = q.currency.or(sole);
        let slot = slot_named(&q.owner);
        let mut sums = slot
            .and_then(|s| cover.get(&(s, currency)).copied())
            .unwrap_or_default();
        sums.quota = MoneySum(i128::from(q.amount.0));
        match slot {
            Some(s) if has_deals[s] => with_quota[s] = true,
            _ => quota_without_deals.push(q.owner.clone()),
        }
        let t = team.entry(currency).or_default();
        t.quota.merge(sums.quota);
        t.won.merge(sums.won);
        t.pipeline.merge(sums.pipeline);
        t.pipeline_deals += sums.pipeline_deals;
        owners.push(cover_row(
            Some(q.owner.clone()),
            currency,
            sums,
            basis.required,
        ));
    }
    owners.sort_by(|a, b| by_name(&a.owner, &b.owner));
    quota_without_deals.sort();
    let deals_without_quota: Vec<String> = (0..slots)
        .filter(|&s| has_open[s] && !with_quota[s])
        .map(|s| owner_name(s).unwrap_or_else(|| "(no owner)".to_string()))
        .collect();
    let note = rows.is_empty().then(|| {
        let mut periods: Vec<&str> = quotas.rows.iter().map(|r| r.period.as_str()).collect();
        periods.sort_unstable();
        periods.dedup();
        if periods.is_empty() {
            format!("{} has no quota rows", quotas.path)
        } else {
            format!(
                "{} has no quota for {period} (it has {}); add the quarter's quotas",
                quotas.path,
                periods.join(", ")
            )
        }
    });
    Coverage {
        quota_file: quotas.path.clone(),
        period,
        period_start: first.to_string(),
        period_end: last.to_string(),
        basis,
        team: team
            .into_iter()
            .map(|(c, s)| cover_row(None, c, s, None))
            .collect(),
        owners,
        quota_without_deals,
        deals_without_quota: if rows.is_empty() {
            Vec::new()
        } else {
            deals_without_quota
        },
        note,
    }
}

fn cover_row(
    owner: Option<String>,
    currency: Option<Currency>,
    s: CoverSums,
    required: Option<f64>,
) -> CoverageRow {
    let remaining = MoneySum(s.quota.0 - s.won.0);
    let met = remaining.0 <= 0;
    let coverage = (!met).then(|| {
        let c = s.pipeline.0 as f64 / remaining.0 as f64;
        (c * 100.0).round() / 100.0
    });
    CoverageRow {
        below_required: owner.is_some()
            && matches!((coverage, required), (Some(c), Some(r)) if c < r),
        owner,
        currency: currency.map(|c| c.to_string()),
        quota: s.quota.to_string(),
        won: s.won.to_string(),
        remaining: remaining.to_string(),
        pipeline: s.pipeline.to_string(),
        pipeline_deals: s.pipeline_deals,
        coverage,
        met,
        sums: [s.quota.0, s.won.0, s.pipeline.0],
    }
}

/// A row of sums added up from other rows (a team of the team file), in `currency` as
/// the rows write it.
pub(crate) fn sum_row(
    name: Option<String>,
    currency: Option<String>,
    quota: i128,
    won: i128,
    pipeline: i128,
) -> CoverageRow {
    let sums = CoverSums {
        quota: MoneySum(quota),
        won: MoneySum(won),
        pipeline: MoneySum(pipeline),
        pipeline_deals: 0,
    };
    CoverageRow {
        currency,
        ..cover_row(name, None, sums, None)
    }
}

/// Money as a sum, for tests.
#[cfg(test)]
fn sum(units: i64) -> MoneySum {
    MoneySum(i128::from(units))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_round_to_the_cent() {
        assert_eq!(average(sum(10_000 * 10), 3).to_string(), "3.33");
        assert_eq!(average(sum(20_000 * 10), 3).to_string(), "6.67");
        assert_eq!(average(sum(-20_000 * 10), 3).to_string(), "-6.67");
    }

    #[test]
    fn the_basis_says_how_the_multiple_was_found() {
        let b = basis(32, 20, 365);
        assert_eq!(
            b.text,
            "trailing win rate 20/32 closed won (62.5%) over 365 days → required 1.60×"
        );
        assert_eq!(b.required, Some(1.6));
        assert!(basis(3, 0, 365).required.is_none());
    }
}
