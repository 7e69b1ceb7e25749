//! The history's owner trends as SVG line charts in the HTML report: one row per owner (the
//! largest open pipelines first), completeness on a fixed 0–100 scale and the open and
//! at-risk amount on the owner's own scale, over the last snapshots and this one. The table
//! shows the same trends as sparklines; the JSON `history.trends` holds every figure.

use maud::{Markup, html};

use crate::history::view::{OwnerTrend, TrendPoint};
use crate::report::Amount;
use crate::report::formats::html::{clip_label, shown};

/// Owners charted; the rest are in the table and the JSON.
const CHARTED: usize = 10;
const WIDTH: f64 = 560.0;
const LABEL: f64 = 150.0;
/// Width of each of the two plots in a row.
const PLOT: f64 = 180.0;
const GAP: f64 = 30.0;
const ROW: f64 = 44.0;
const LINE: f64 = 30.0;

/// The amount of `currency` at a point, as a length to draw.
fn amount(list: &[Amount], currency: Option<&str>) -> f64 {
    list.iter()
        .find(|a| a.currency.as_deref() == currency)
        .and_then(|a| a.amount.parse::<f64>().ok())
        .unwrap_or(0.0)
}

/// The points of one series as an SVG polyline's `points`: x across `width` from `left`,
/// y down from `top` by `LINE` for the range 0..=max; a missing value breaks the line into
/// the segments returned.
fn polylines(values: &[Option<f64>], left: f64, top: f64, max: f64) -> Vec<String> {
    let step = if values.len() > 1 {
        PLOT / (values.len() - 1) as f64
    } else {
        0.0
    };
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                let x = left + step * i as f64;
                let share = if max > 0.0 {
                    (v / max).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let y = top + LINE * (1.0 - share);
                if !current.is_empty() {
                    current.push(' ');
                }
                current.push_str(&format!("{x:.1},{y:.1}"));
            }
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A single point still shows: as a short tick rather than a line of no length.
fn series(points: &str) -> String {
    if points.contains(' ') {
        points.to_string()
    } else {
        let (x, y) = points.split_once(',').unwrap_or(("0", "0"));
        let x: f64 = x.parse().unwrap_or(0.0);
        format!("{:.1},{y} {:.1},{y}", x - 2.0, x + 2.0)
    }
}

/// The chart, or nothing when no owner has two points to compare.
pub(super) fn trend_chart(trends: &[OwnerTrend], currency: Option<&str>) -> Markup {
    let mut owners: Vec<&OwnerTrend> = trends.iter().filter(|t| t.points.len() > 1).collect();
    if owners.is_empty() {
        return html! {};
    }
    let latest_open = |t: &OwnerTrend| {
        t.points
            .last()
            .map_or(0.0, |p| amount(&p.open_amount, currency))
    };
    owners.sort_by(|a, b| {
        latest_open(b)
            .total_cmp(&latest_open(a))
            .then_with(|| a.owner.cmp(&b.owner))
    });
    let more = owners.len().saturating_sub(CHARTED);
    owners.truncate(CHARTED);
    let first = owners
        .iter()
        .filter_map(|t| t.points.first())
        .map(|p| p.as_of.as_str())
        .min()
        .unwrap_or("");
    let last = owners
        .iter()
        .filter_map(|t| t.points.last())
        .map(|p| p.as_of.as_str())
        .max()
        .unwrap_or("");
    let head = 34.0;
    let height = head + ROW * owners.len() as f64 + 18.0;
    let amounts_left = LABEL + PLOT + GAP;
    let in_currency = currency.map_or(String::new(), |c| format!(" ({c})"));
    let title = format!(
        "Owner trends, {first} to {last}: completeness and open amount{in_currency}{}",
        if more > 0 {
            format!("; the {CHARTED} largest, {more} more in the table")
        } else {
            String::new()
        }
    );
    html! {
        figure.trends {
            figcaption { (title) }
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {WIDTH} {height:.0}"))
                width=(WIDTH) height=(format!("{height:.0}")) font-size="12" role="img" aria-label=(title) {
                text x=(format!("{LABEL:.0}")) y="14" { "completeness (0–100%)" }
                text x=(format!("{amounts_left:.0}")) y="14" { "open" }
                line x1=(format!("{:.0}", amounts_left + 36.0)) y1="10" x2=(format!("{:.0}", amounts_left + 52.0)) y2="10"
                    stroke="#3b6fb6" stroke-width="2" {}
                text x=(format!("{:.0}", amounts_left + 60.0)) y="14" { "at risk (high band)" }
                line x1=(format!("{:.0}", amounts_left + 176.0)) y1="10" x2=(format!("{:.0}", amounts_left + 192.0)) y2="10"
                    stroke="#c62828" stroke-width="2" stroke-dasharray="4 2" {}
                @for (i, t) in owners.iter().enumerate() {
                    @let top = head + ROW * i as f64;
                    (owner_row(t, top, amounts_left, currency))
                }
                text x=(format!("{LABEL:.0}")) y=(format!("{:.0}", height - 4.0)) { (first) }
                text x=(format!("{:.0}", LABEL + PLOT)) y=(format!("{:.0}", height - 4.0)) text-anchor="end" { (last) }
            }
        }
    }
}

fn owner_row(t: &OwnerTrend, top: f64, amounts_left: f64, currency: Option<&str>) -> Markup {
    let name = t.owner.clone().unwrap_or_else(|| "(no owner)".to_string());
    let complete: Vec<Option<f64>> = t.points.iter().map(|p| p.completeness).collect();
    // A snapshot whose deals had no amount is a gap in the line, not a drop to zero.
    let charted = |list: &[crate::report::Amount], deals: u64| {
        (deals == 0 || !list.is_empty()).then(|| amount(list, currency))
    };
    let open: Vec<Option<f64>> = t
        .points
        .iter()
        .map(|p| charted(&p.open_amount, p.open))
        .collect();
    let risk: Vec<Option<f64>> = t
        .points
        .iter()
        .map(|p| charted(&p.at_risk_amount, p.high_risk))
        .collect();
    let max = open
        .iter()
        .chain(risk.iter())
        .flatten()
        .copied()
        .fold(0.0, f64::max);
    let now = t.points.last();
    let said = |p: Option<&TrendPoint>| {
        p.and_then(|p| p.completeness)
            .map_or("n/a".to_string(), |c| format!("{c:.1}%"))
    };
    html! {
        g {
            title { (shown(&name)) }
            text x="0" y=(format!("{:.0}", top + 18.0)) { (shown(&clip_label(&name))) }
            text x="0" y=(format!("{:.0}", top + 32.0)) class="sub" font-size="10" { (said(now)) " now" }
            rect x=(format!("{LABEL:.0}")) y=(format!("{top:.0}")) width=(format!("{PLOT:.0}")) height=(format!("{LINE:.0}"))
                fill="none" stroke="#9995" {}
            rect x=(format!("{amounts_left:.0}")) y=(format!("{top:.0}")) width=(format!("{PLOT:.0}")) height=(format!("{LINE:.0}"))
                fill="none" stroke="#9995" {}
            @for p in polylines(&complete, LABEL, top, 100.0) {
                polyline points=(series(&p)) fill="none" stroke="#2e7d32" stroke-width="2" {}
            }
            @for p in polylines(&open, amounts_left, top, max) {
                polyline points=(series(&p)) fill="none" stroke="#3b6fb6" stroke-width="2" {}
            }
            @for p in polylines(&risk, amounts_left, top, max) {
                polyline points=(series(&p)) fill="none" stroke="#c62828" stroke-width="2" stroke-dasharray="4 2" {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_value_breaks_the_line_and_values_scale_to_the_plot() {
        let lines = polylines(
            &[Some(0.0), Some(100.0), None, Some(50.0)],
            10.0,
            0.0,
            100.0,
        );
        assert_eq!(
            lines,
            vec!["10.0,30.0 70.0,0.0".to_string(), "190.0,15.0".to_string()]
        );
        assert_eq!(series("190.0,15.0"), "188.0,15.0 192.0,15.0");
    }
}
