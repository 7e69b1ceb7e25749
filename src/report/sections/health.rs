//! The pipeline meeting's sections, shared by the table, markdown and HTML: coverage vs
//! quota with its basis and the forecast call (first, with the deals at risk), then what
//! the stored history adds (serial slippage, the longest-flagged findings, owner trends,
//! commit accuracy), and the trailing win rate.

use crate::diag::{Code, Severity};
use crate::history::view::TrendPoint;
use crate::report::sections::amount_words::amount_of;
use crate::report::sections::{Section, Span, Tone, amounts, figure, text};
use crate::report::view::Report;
use crate::score::health::WinRow;

fn pct(rate: Option<f64>) -> String {
    rate.map_or("-".to_string(), |r| format!("{r:.1}%"))
}

/// Coverage vs quota and the forecast call: the first answers of a pipeline meeting.
pub(crate) fn first(report: &Report<'_>) -> Vec<Section> {
    let health = report.health();
    let mut out = Vec::new();
    if let Some(c) = &health.coverage {
        let money = |amount: &str, currency: &Option<String>| {
            crate::report::sections::money(amount, currency.as_deref())
        };
        let row = |r: &crate::score::health::CoverageRow| {
            let coverage = match (r.met, r.coverage) {
                (true, _) => Span::toned("quota met", Tone::Passed),
                (false, Some(x)) if r.below_required => {
                    Span::toned(format!("{x:.2}× (below)"), Tone::Severity(Severity::Error))
                }
                (false, Some(x)) => Span::plain(format!("{x:.2}×")),
                (false, None) => Span::plain("-"),
            };
            vec![
                Span::plain(r.owner.clone().unwrap_or_else(|| "Team".to_string())),
                Span::plain(money(&r.quota, &r.currency)),
                Span::plain(money(&r.won, &r.currency)),
                Span::plain(money(&r.remaining, &r.currency)),
                Span::plain(format!(
                    "{} ({})",
                    money(&r.pipeline, &r.currency),
                    r.pipeline_deals
                )),
                coverage,
            ]
        };
        let mut rows: Vec<Vec<Span>> = c.owners.iter().map(row).collect();
        rows.extend(c.team.iter().map(row));
        let mut notes = vec![c.basis.text.clone()];
        if !c.quota_without_deals.is_empty() {
            notes.push(format!(
                "quota but no deals: {}",
                c.quota_without_deals.join(", ")
            ));
        }
        if !c.deals_without_quota.is_empty() {
            notes.push(format!(
                "open deals but no quota: {}",
                c.deals_without_quota.join(", ")
            ));
        }
        out.push(Section {
            title: format!(
                "Coverage vs quota, {} ({} to {}): pipeline closing by quarter end ÷ (quota − won)",
                c.period, c.period_start, c.period_end
            ),
            columns: vec![
                text("Owner"),
                figure("Quota"),
                figure("Won"),
                figure("Remaining"),
                figure("Pipeline (deals)"),
                figure("Coverage"),
            ],
            empty: c.note.clone(),
            rows: if c.note.is_some() { Vec::new() } else { rows },
            more: Some(notes.join("; ")),
        });
    }
    let call = &health.forecast.overall;
    out.push(Section {
        title: "Forecast call (open deals by forecast category)".to_string(),
        columns: vec![
            text("Category"),
            figure("Deals"),
            figure("Amount"),
            figure("High risk"),
            figure("At risk"),
        ],
        rows: call
            .iter()
            .map(|c| {
                vec![
                    Span::plain(c.label),
                    Span::plain(c.deals.to_string()),
                    Span::plain(amount_of(&c.amount, c.deals, c.without_amount)),
                    Span::plain(c.at_risk_deals.to_string()),
                    Span::plain(amount_of(
                        &c.at_risk_amount,
                        c.at_risk_deals,
                        c.at_risk_without_amount,
                    )),
                ]
            })
            .collect(),
        empty: call.is_empty().then(|| "No open deals.".to_string()),
        more: None,
    });
    out
}

/// `▁▂▃▄▅▆▇█` for a series (blank where a point is missing).
pub(crate) fn sparkline(values: &[Option<f64>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let (lo, hi) = known
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(*v), h.max(*v)));
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if hi <= lo => BARS[3],
            Some(v) => BARS[(((v - lo) / (hi - lo)) * 7.0).round() as usize],
        })
        .collect()
}

/// A point's amount in its first currency, as a number for a sparkline.
fn first_amount(list: &[crate::report::Amount]) -> Option<f64> {
    list.first().and_then(|a| a.amount.parse().ok())
}

/// A trend point's amount for a sparkline: nothing (a gap) when its `deals` had no amount,
/// zero only when there were no deals.
fn point_amount(list: &[crate::report::Amount], deals: u64) -> Option<f64> {
    first_amount(list).or((deals == 0).then_some(0.0))
}

/// A trend point's amount in words: `no amount` when its `deals` had none, `-` without deals.
fn point_words(list: &[crate::report::Amount], deals: u64) -> String {
    if deals > 0 && list.is_empty() {
        "no amount".to_string()
    } else {
        amounts(list)
    }
}

/// The stored history's sections (with `--history`).
pub(crate) fn history(report: &Report<'_>, top: usize) -> Vec<Section> {
    let Some(h) = report.history() else {
        return Vec::new();
    };
    vec![
        serial_slippage(report, top),
        flagged(report, top),
        trends(h),
        commit_accuracy(h),
        band_record(h),
    ]
}

/// How each risk band's deals ended in the stored history.
fn band_record(h: &crate::history::view::HistoryView) -> Section {
    let closed: u64 = h.band_record.iter().map(|r| r.closed).sum();
    Section {
        title: "Risk band track record (deals of the stored history last seen open in each band, and how they ended)".to_string(),
        columns: vec![
            text("Band"),
            figure("Closed"),
            figure("Lost"),
            figure("Loss rate"),
            text("In words"),
        ],
        rows: h
            .band_record
            .iter()
            .map(|r| {
                vec![
                    Span::plain(r.band.as_str()),
                    Span::plain(r.closed.to_string()),
                    Span::plain(r.lost.to_string()),
                    Span::plain(pct(r.loss_rate)),
                    Span::plain(r.words()),
                ]
            })
            .collect(),
        empty: (closed == 0).then(|| {
            "No deal of the stored history has closed after being seen open yet: each band's record starts once deals close (pipelint history add every week).".to_string()
        }),
        more: None,
    }
}

/// Serial slippage: the HYG009 findings.
fn serial_slippage(report: &Report<'_>, top: usize) -> Section {
    let slipping: Vec<_> = report.findings_of(Code::Hyg009).collect();
    Section {
        title: format!("Serial slippage (HYG009, {} deals)", slipping.len()),
        columns: vec![text("Deal"), text("Owner"), text("Pushes")],
        rows: slipping
            .iter()
            .take(top)
            .map(|f| {
                vec![
                    Span::plain(f.deal.map_or(f.record_id.unwrap_or_default(), |d| d.label)),
                    Span::plain(f.deal.and_then(|d| d.owner).unwrap_or("")),
                    Span::plain(f.message.to_string()),
                ]
            })
            .collect(),
        empty: slipping.is_empty().then(|| "None.".to_string()),
        more: (slipping.len() > top).then(|| format!("… and {} more", slipping.len() - top)),
    }
}

/// The findings flagged in the most snapshots in a row.
fn flagged(report: &Report<'_>, top: usize) -> Section {
    let mut long: Vec<(u16, usize)> = (0..report.finding_count())
        .filter_map(|i| report.streak(i).filter(|s| *s > 1).map(|s| (s, i)))
        .collect();
    long.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let total = long.len();
    Section {
        title: format!(
            "Flagged week after week ({total} findings in more than one snapshot in a row)"
        ),
        columns: vec![
            figure("Snapshots"),
            text("Deal"),
            text("Owner"),
            text("Code"),
            text("Field"),
        ],
        rows: long
            .iter()
            .take(top)
            .filter_map(|&(streak, i)| {
                let f = report.finding(i)?;
                Some(vec![
                    Span::plain(format!("{streak} in a row")),
                    Span::plain(f.deal.map_or(f.record_id.unwrap_or_default(), |d| d.label)),
                    Span::plain(f.deal.and_then(|d| d.owner).unwrap_or("")),
                    Span::toned(f.code.as_str(), Tone::Severity(f.severity)),
                    Span::plain(f.field.unwrap_or("")),
                ])
            })
            .collect(),
        empty: (total == 0)
            .then(|| "None: no finding persisted from the previous snapshot.".to_string()),
        more: (total > top).then(|| format!("… and {} more", total - top)),
    }
}

/// Each owner's trend as sparklines.
fn trends(h: &crate::history::view::HistoryView) -> Section {
    let spark = |points: &[TrendPoint], f: &dyn Fn(&TrendPoint) -> Option<f64>| {
        let values: Vec<Option<f64>> = points.iter().map(f).collect();
        sparkline(&values)
    };
    let ends = |points: &[TrendPoint], f: &dyn Fn(&TrendPoint) -> String| match (
        points.first(),
        points.last(),
    ) {
        (Some(a), Some(b)) if points.len() > 1 => format!("{} → {}", f(a), f(b)),
        (_, Some(b)) => f(b),
        _ => String::new(),
    };
    Section {
        title: format!(
            "Owner trends (last {} snapshots)",
            h.trends.iter().map(|t| t.points.len()).max().unwrap_or(0)
        ),
        columns: vec![
            text("Owner"),
            text("Completeness"),
            text("Open amount"),
            text("At risk"),
        ],
        rows: h
            .trends
            .iter()
            .map(|t| {
                let p = &t.points;
                vec![
                    Span::plain(t.owner.clone().unwrap_or_else(|| "(no owner)".to_string())),
                    Span::plain(format!(
                        "{} {}",
                        spark(p, &|x| x.completeness),
                        ends(p, &|x| pct(x.completeness))
                    )),
                    Span::plain(format!(
                        "{} {}",
                        spark(p, &|x| point_amount(&x.open_amount, x.open)),
                        ends(p, &|x| point_words(&x.open_amount, x.open))
                    )),
                    Span::plain(format!(
                        "{} {}",
                        spark(p, &|x| point_amount(&x.at_risk_amount, x.high_risk)),
                        ends(p, &|x| point_words(&x.at_risk_amount, x.high_risk))
                    )),
                ]
            })
            .collect(),
        empty: h.trends.is_empty().then(|| "No owners.".to_string()),
        more: None,
    }
}

/// Commit accuracy per quarter.
fn commit_accuracy(h: &crate::history::view::HistoryView) -> Section {
    Section {
        title: "Commit accuracy (deals first called commit for a quarter, and how many closed won in it)".to_string(),
        columns: vec![
            text("Quarter"),
            figure("Called"),
            figure("Called amount"),
            figure("Won in quarter"),
            figure("Won amount"),
            figure("Lost"),
            figure("Accuracy"),
        ],
        rows: h
            .commit_accuracy
            .iter()
            .map(|q| {
                vec![
                    Span::plain(if q.ended {
                        q.quarter.clone()
                    } else {
                        format!("{} (in progress)", q.quarter)
                    }),
                    Span::plain(q.called.to_string()),
                    Span::plain(amounts(&q.called_amount)),
                    Span::plain(q.won.to_string()),
                    Span::plain(amounts(&q.won_amount)),
                    Span::plain(q.lost.to_string()),
                    Span::plain(pct(q.accuracy)),
                ]
            })
            .collect(),
        empty: h
            .commit_accuracy
            .is_empty()
            .then(|| "No deal was called commit in the stored history.".to_string()),
        more: None,
    }
}

/// Win rate, cycle and won size over the trailing window, overall, per owner and `--by`.
pub(crate) fn win_rate(report: &Report<'_>) -> Section {
    let w = &report.health().win_rate;
    let row = |name: String, r: &WinRow| {
        vec![
            Span::plain(name),
            Span::plain(format!("{}/{}", r.won, r.closed)),
            Span::plain(pct(r.win_rate)),
            Span::plain(
                r.win_rate_by_amount
                    .iter()
                    .map(|c| {
                        format!(
                            "{}{:.1}%",
                            c.currency
                                .as_deref()
                                .map_or(String::new(), |c| format!("{c} ")),
                            c.rate
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Span::plain(amounts(&r.average_won)),
            Span::plain(r.cycle.as_ref().map_or("-".to_string(), |c| {
                format!("{} / {:.1} days", c.median_days, c.mean_days)
            })),
        ]
    };
    let mut rows = vec![row("All".to_string(), &w.overall)];
    rows.extend(w.by_owner.iter().map(|o| {
        row(
            o.name.clone().unwrap_or_else(|| "(no owner)".to_string()),
            &o.figures,
        )
    }));
    if let Some(field) = &w.by_field {
        rows.extend(w.by_value.iter().map(|v| {
            row(
                format!("{field}: {}", v.name.as_deref().unwrap_or("(none)")),
                &v.figures,
            )
        }));
    }
    Section {
        title: format!(
            "Win rate, cycle and won size (closed {} to {}, trailing {} days){}",
            w.from,
            w.to,
            w.window_days,
            match w.future_won {
                0 => String::new(),
                1 =>
                    "; data note: 1 won deal dated after the as-of (HYG011) is left out".to_string(),
                n => format!(
                    "; data note: {n} won deals dated after the as-of (HYG011) are left out"
                ),
            }
        ),
        columns: vec![
            text("Group"),
            figure("Won/closed"),
            figure("Win rate"),
            figure("By amount"),
            figure("Average won"),
            figure("Cycle median / mean"),
        ],
        empty: (w.overall.closed == 0).then(|| "No deal closed in the window.".to_string()),
        rows: if w.overall.closed == 0 {
            Vec::new()
        } else {
            rows
        },
        more: None,
    }
}

#[cfg(test)]
mod tests {
    use super::sparkline;

    #[test]
    fn sparklines_span_the_range() {
        assert_eq!(sparkline(&[Some(0.0), Some(50.0), Some(100.0)]), "▁▅█");
        assert_eq!(sparkline(&[Some(3.0), None, Some(3.0)]), "▄ ▄");
    }
}
