//! "What changed" in the table-like formats (terminal, Markdown, HTML): the open-pipeline
//! waterfall, the deals that slipped out of the quarter or were pulled into it, the largest
//! pushes, the deals that moved back or vanished, how many deals made each movement, and
//! the findings since the previous snapshot. Shown when the audit has a previous snapshot.

use crate::diag::Severity;
use crate::report::sections::amount_words::amount_of as group_amount;
use crate::report::sections::{Section, Span, Tone, figure, money, text};
use crate::report::view::Report;
use crate::report::view::rows::{ChangesRow, MovementRow, WaterfallRow};
use crate::words::thousands;

/// Every change section, in the order a pipeline meeting reads them.
pub(crate) fn sections(report: &Report<'_>, top: usize) -> Vec<Section> {
    let Some(changes) = report.changes() else {
        return Vec::new();
    };
    let previous = report.previous().map_or(String::new(), |p| {
        format!(" since {} (as of {})", p.input.path, p.as_of)
    });
    let mut out = vec![waterfall(changes, &previous)];
    out.push(slipped(report, changes, top));
    out.push(pushes(report, top));
    let count = |name: &str| {
        changes
            .counts
            .0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, c)| *c as usize)
    };
    out.push(listed(
        "Moved back",
        report.movements_where("moved_back").take(top).collect(),
        count("moved_back"),
        top,
        "No deal moved back a stage.",
    ));
    out.push(listed(
        "Vanished without closing",
        report.movements_where("vanished").take(top).collect(),
        count("vanished"),
        top,
        "No open deal left the export without closing.",
    ));
    out.push(counts(changes));
    out.push(findings_since(changes));
    out.push(findings_by_owner(changes));
    out
}

fn waterfall(changes: &ChangesRow, since: &str) -> Section {
    let row = |w: &WaterfallRow| {
        let c = w.currency.as_deref();
        let cell = |v: &str| Span::plain(money(v, c));
        let minus = |v: &str| {
            if v.trim_start_matches(['0', '.']).is_empty() {
                cell(v)
            } else {
                Span::plain(format!("-{}", money(v, c)))
            }
        };
        vec![
            Span::plain(c.unwrap_or("-")),
            cell(&w.begin),
            cell(&w.new),
            cell(&w.reopened),
            cell(&w.increased),
            minus(&w.decreased),
            minus(&w.won),
            minus(&w.lost),
            minus(&w.vanished),
            cell(&w.end),
        ]
    };
    let note = (changes.deals_without_amount > 0).then(|| {
        format!(
            "{} open deal{} without a readable amount in one snapshot or the other add{} nothing to these figures.",
            thousands(changes.deals_without_amount),
            crate::words::plural(changes.deals_without_amount),
            if changes.deals_without_amount == 1 { "s" } else { "" }
        )
    });
    // A week of pushes only moved no amount: a row of zeros would read as a broken table.
    let unchanged = unchanged_words(changes);
    let empty = match (&unchanged, &note) {
        (Some(words), Some(note)) => format!("{words} {note}"),
        (Some(words), None) => words.clone(),
        _ => "No open pipeline in either snapshot.".to_string(),
    };
    Section {
        title: format!("What changed{since}: the open pipeline"),
        columns: vec![
            text("Currency"),
            figure("Begin"),
            figure("+ New"),
            figure("+ Reopened"),
            figure("+ Increased"),
            figure("- Decreased"),
            figure("- Won"),
            figure("- Lost"),
            figure("- Vanished"),
            figure("End"),
        ],
        rows: if unchanged.is_some() {
            Vec::new()
        } else {
            changes.waterfall.iter().map(row).collect()
        },
        empty: Some(empty),
        more: note,
    }
}

/// Whether an amount is nothing at all (`0.00`, `-0.00`).
fn is_zero(amount: &str) -> bool {
    amount
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
}

/// `No change in the open amount: 70,000.00 in both snapshots.` when there is an open
/// pipeline and no term of any currency's waterfall moved it (a week of pushes only).
pub(crate) fn unchanged_words(changes: &ChangesRow) -> Option<String> {
    let still = |w: &WaterfallRow| {
        [
            &w.new,
            &w.reopened,
            &w.increased,
            &w.decreased,
            &w.won,
            &w.lost,
            &w.vanished,
        ]
        .iter()
        .all(|v| is_zero(v))
    };
    if changes.waterfall.is_empty() || !changes.waterfall.iter().all(still) {
        return None;
    }
    let amounts: Vec<String> = changes
        .waterfall
        .iter()
        .map(|w| money(&w.end, w.currency.as_deref()))
        .collect();
    Some(format!(
        "No change in the open amount: {} in both snapshots.",
        amounts.join(" + ")
    ))
}

fn amount_of(m: &MovementRow<'_>, before: bool) -> String {
    let side = if before {
        m.from.as_ref()
    } else {
        m.to.as_ref()
    };
    side.and_then(|s| s.amount.as_deref().map(|a| money(a, s.currency.as_deref())))
        .unwrap_or_default()
}

fn owner_of<'a>(m: &MovementRow<'a>) -> &'a str {
    m.to.as_ref()
        .or(m.from.as_ref())
        .and_then(|s| s.owner)
        .unwrap_or("")
}

fn more(shown: usize, total: usize) -> Option<String> {
    (total > shown).then(|| {
        format!(
            "… and {} more (--top N to list more, -f json for every movement)",
            thousands((total - shown) as u64)
        )
    })
}

/// Open deals whose close date left the quarter of as-of, and those pulled into it.
fn slipped(report: &Report<'_>, changes: &ChangesRow, top: usize) -> Section {
    let q = &changes.quarter;
    let (out, into) = report.slips();
    let rows: Vec<(bool, &MovementRow<'_>)> = out
        .iter()
        .map(|m| (true, m))
        .chain(into.iter().map(|m| (false, m)))
        .collect();
    let total = rows.len();
    let words = |s: &crate::report::view::rows::SlipRow| {
        if s.deals == 0 {
            "none".to_string()
        } else {
            format!(
                "{} ({})",
                thousands(s.deals),
                group_amount(&s.amount, s.deals, s.without_amount)
            )
        }
    };
    Section {
        title: format!(
            "Slipped out of {} ({} to {}): {}; pulled in: {}",
            q.name,
            q.first_day,
            q.last_day,
            words(&changes.slipped),
            words(&changes.pulled_in)
        ),
        columns: vec![
            text("Direction"),
            text("Deal"),
            text("Owner"),
            text("Close date was"),
            text("Now"),
            figure("Amount"),
        ],
        rows: rows
            .iter()
            .take(top)
            .map(|(slipped, m)| {
                let was = m.from.as_ref().and_then(|s| s.close_date.clone());
                let now = m.to.as_ref().and_then(|s| s.close_date.clone());
                vec![
                    if *slipped {
                        Span::toned("slipped", Tone::Severity(Severity::Warning))
                    } else {
                        Span::plain("pulled in")
                    },
                    Span::plain(m.deal),
                    Span::plain(owner_of(m)),
                    Span::plain(was.unwrap_or_default()),
                    Span::plain(now.unwrap_or_default()),
                    Span::plain(amount_of(m, *slipped)),
                ]
            })
            .collect(),
        empty: Some(format!(
            "No open deal's close date left {} or came into it.",
            q.name
        )),
        more: more(top.min(total), total),
    }
}

/// The largest pushes: open deals whose close date moved out, by how far.
fn pushes(report: &Report<'_>, top: usize) -> Section {
    let (pushed, total) = report.largest_pushes(top);
    Section {
        title: "Largest pushes".to_string(),
        columns: vec![
            text("Deal"),
            text("Owner"),
            text("Close date was"),
            text("Now"),
            figure("Days"),
            figure("Amount"),
        ],
        rows: pushed
            .iter()
            .map(|(days, m)| {
                vec![
                    Span::plain(m.deal),
                    Span::plain(owner_of(m)),
                    Span::plain(
                        m.from
                            .as_ref()
                            .and_then(|s| s.close_date.clone())
                            .unwrap_or_default(),
                    ),
                    Span::plain(
                        m.to.as_ref()
                            .and_then(|s| s.close_date.clone())
                            .unwrap_or_default(),
                    ),
                    Span::plain(format!("+{days}")),
                    Span::plain(amount_of(m, false)),
                ]
            })
            .collect(),
        empty: Some("No open deal's close date moved out.".to_string()),
        more: more(pushed.len(), total),
    }
}

/// Deals that made a movement (the first `top` of `total`), with their stage and amount
/// before and now.
fn listed(
    title: &str,
    rows: Vec<MovementRow<'_>>,
    total: usize,
    top: usize,
    empty: &str,
) -> Section {
    fn stage<'a>(s: Option<&crate::report::view::rows::DealSide<'a>>) -> &'a str {
        s.and_then(|s| s.stage).unwrap_or("")
    }
    Section {
        title: format!("{title} ({})", thousands(total as u64)),
        columns: vec![
            text("Deal"),
            text("Owner"),
            text("Stage was"),
            text("Now"),
            figure("Amount was"),
            text("Previous line"),
        ],
        rows: rows
            .iter()
            .take(top)
            .map(|m| {
                let now = match &m.to {
                    Some(s) => stage(Some(s)).to_string(),
                    None => "(not in the export)".to_string(),
                };
                vec![
                    Span::plain(m.deal),
                    Span::plain(owner_of(m)),
                    Span::plain(stage(m.from.as_ref())),
                    Span::plain(now),
                    Span::plain(amount_of(m, true)),
                    Span::plain(
                        m.from
                            .as_ref()
                            .map_or(String::new(), |s| s.line.to_string()),
                    ),
                ]
            })
            .collect(),
        empty: Some(empty.to_string()),
        more: more(top.min(total), total),
    }
}

/// How many deals made each movement.
fn counts(changes: &ChangesRow) -> Section {
    fn words(name: &'static str) -> &'static str {
        match name {
            "new" => "new (not in the previous snapshot)",
            "won" => "won",
            "lost" => "lost",
            "reopened" => "reopened (closed before, open now)",
            "vanished" => "vanished without closing",
            "advanced" => "advanced a stage",
            "moved_back" => "moved back a stage",
            "pushed" => "close date pushed out",
            "pulled_in" => "close date pulled in",
            "amount_up" => "amount up",
            "amount_down" => "amount down",
            "forecast_up" => "forecast category up",
            "forecast_down" => "forecast category down",
            "owner_changed" => "owner changed",
            other => other,
        }
    }
    Section {
        title: "Deals that moved".to_string(),
        columns: vec![text("Movement"), figure("Deals")],
        rows: changes
            .counts
            .0
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| vec![Span::plain(words(name)), Span::plain(thousands(*n))])
            .collect(),
        empty: Some("No deal moved.".to_string()),
        more: None,
    }
}

/// Findings since the previous snapshot: what is new this week, what was fixed.
fn findings_since(changes: &ChangesRow) -> Section {
    let f = &changes.findings;
    Section {
        title: format!(
            "Findings since the previous snapshot: {} introduced, {} cleared, {} persisting",
            thousands(f.introduced),
            thousands(f.cleared),
            thousands(f.persisting)
        ),
        columns: vec![
            text("Code"),
            figure("Introduced"),
            figure("Cleared"),
            figure("Persisting"),
            text("Check"),
        ],
        rows: f
            .by_code
            .iter()
            .map(|c| {
                vec![
                    Span::plain(c.code.as_str()),
                    Span::plain(thousands(c.introduced)),
                    Span::plain(thousands(c.cleared)),
                    Span::plain(thousands(c.persisting)),
                    Span::plain(c.code.summary()),
                ]
            })
            .collect(),
        empty: Some("No findings in either snapshot.".to_string()),
        more: None,
    }
}

/// The same, per owner: who has new work this week, and who cleared theirs.
fn findings_by_owner(changes: &ChangesRow) -> Section {
    Section {
        title: "Findings since the previous snapshot, by owner".to_string(),
        columns: vec![
            text("Owner"),
            figure("Introduced"),
            figure("Cleared"),
            figure("Persisting"),
        ],
        rows: changes
            .findings
            .by_owner
            .iter()
            .map(|o| {
                vec![
                    Span::plain(o.owner.as_deref().unwrap_or("(no owner)")),
                    Span::plain(thousands(o.introduced)),
                    Span::plain(thousands(o.cleared)),
                    Span::plain(thousands(o.persisting)),
                ]
            })
            .collect(),
        empty: Some("No findings in either snapshot.".to_string()),
        more: None,
    }
}
