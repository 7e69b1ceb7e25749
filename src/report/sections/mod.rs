//! What table-like formats show, defined once: the summary block and the sections that
//! follow it (deals at risk, completeness by field, the pipeline by owner and stage,
//! findings by code, the first findings), each as a title, columns and rows of cells with
//! a tone. A format only decides how to draw them (the terminal table with comfy-table and
//! ANSI colours; markdown and HTML likewise), and escapes cell text for its target.

pub(crate) mod amount_words;
pub(crate) mod changes;
pub(crate) mod headline;
pub(crate) mod health;
pub(crate) mod pieces;

use crate::diag::Code;
use crate::diag::Severity;
use crate::report::sections::amount_words::amount_of;
use crate::report::view::Report;
use crate::report::view::rows::{Amount, PreviousRow, StageRow};
use crate::score::Band;
use crate::words::{delimiter_word, group_amount, plural, thousands};

/// How a piece of text should stand out, in whatever way a format can show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tone {
    Plain,
    Severity(Severity),
    Passed,
    Failed,
}

/// Text with a tone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) text: String,
    pub(crate) tone: Tone,
}

impl Span {
    pub(crate) fn plain(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            tone: Tone::Plain,
        }
    }

    pub(crate) fn toned(text: impl Into<String>, tone: Tone) -> Span {
        Span {
            text: text.into(),
            tone,
        }
    }
}

/// A table column: its heading, and whether it holds figures (right-aligned).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Column {
    pub(crate) name: &'static str,
    pub(crate) numeric: bool,
}

pub(crate) const fn text(name: &'static str) -> Column {
    Column {
        name,
        numeric: false,
    }
}

pub(crate) const fn figure(name: &'static str) -> Column {
    Column {
        name,
        numeric: true,
    }
}

/// One section after the summary: a heading, then a table (or `empty` when it has no rows),
/// then `more` ("… and 5 more").
#[derive(Clone, Debug)]
pub(crate) struct Section {
    pub(crate) title: String,
    pub(crate) columns: Vec<Column>,
    pub(crate) rows: Vec<Vec<Span>>,
    pub(crate) empty: Option<String>,
    pub(crate) more: Option<String>,
}

/// The summary block: a title line, then labelled lines.
#[derive(Clone, Debug)]
pub(crate) struct SummaryBlock {
    pub(crate) title: String,
    pub(crate) lines: Vec<(&'static str, Vec<Span>)>,
}

/// An exact amount in words, with its currency when it names one: `USD 1,200.00`.
pub(crate) fn money(amount: &str, currency: Option<&str>) -> String {
    let shown = group_amount(amount);
    match currency {
        Some(c) => format!("{c} {shown}"),
        None => shown,
    }
}

/// Amounts per currency in words: `USD 1,200.00 + EUR 300.00`, `-` for none.
pub(crate) fn amounts(list: &[Amount]) -> String {
    if list.is_empty() {
        return "-".to_string();
    }
    list.iter()
        .map(|a| money(&a.amount, a.currency.as_deref()))
        .collect::<Vec<_>>()
        .join(" + ")
}

fn count(n: u64) -> Span {
    Span::plain(thousands(n))
}

fn pct(rate: Option<f64>) -> Span {
    Span::plain(rate.map_or("-".to_string(), |r| format!("{r:.1}%")))
}

/// Codes as a reader scans them: `CHG001–CHG005` for a run of one family, else a list.
pub(crate) fn code_span(codes: &[Code]) -> String {
    let names: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    let run = names.len() > 2
        && names.windows(2).all(|w| {
            let (a, b) = (w[0], w[1]);
            a.len() == b.len()
                && a[..a.len() - 3] == b[..b.len() - 3]
                && a[a.len() - 3..].parse::<u32>().ok().map(|n| n + 1)
                    == b[b.len() - 3..].parse::<u32>().ok()
        });
    match (run, names.first(), names.last()) {
        (true, Some(first), Some(last)) => format!("{first}–{last}"),
        _ => names.join(", "),
    }
}

/// The previous snapshot in words: which file, as of when, how its deals paired.
pub(crate) fn previous_words(p: &PreviousRow<'_>) -> String {
    let how = match p.paired_by {
        "id" => "by record id",
        _ => "by account and name (approximate: the export has no id column)",
    };
    let mut words = format!(
        "{} as of {}: {} deal{}, {} paired {how}",
        p.input.path,
        p.as_of,
        thousands(p.input.records - p.input.malformed),
        plural(p.input.records - p.input.malformed),
        thousands(p.paired)
    );
    if p.repeated > 0 {
        words.push_str(&format!(
            "; {} repeated id{} left unpaired",
            thousands(p.repeated),
            plural(p.repeated)
        ));
    }
    let a = p.ambiguous;
    if a.current + a.previous > 0 {
        words.push_str(&format!(
            "; {} ambiguous (same account and name) left unpaired",
            thousands(a.current + a.previous)
        ));
    }
    words
}

/// A stage value in the headline: at most 40 characters.
pub(crate) fn short(text: &str) -> String {
    if text.chars().count() <= 40 {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(39).collect::<String>())
    }
}

/// A stage of the rules with the export's own labels for it where they differ from its
/// name: `Discovery (demo)`, at most three, each cut at 40 characters.
fn stage_with_labels(name: &str, labels: &[String]) -> String {
    let other: Vec<String> = labels
        .iter()
        .filter(|l| l.as_str() != name)
        .map(|l| short(l))
        .collect();
    match other.len() {
        0 => name.to_string(),
        1..=3 => format!("{name} ({})", other.join(", ")),
        n => format!("{name} ({}, and {} more)", other[..3].join(", "), n - 3),
    }
}

/// The summary: what was audited with which rules as of when, and the answers in figures.
pub(crate) fn summary(report: &Report<'_>) -> SummaryBlock {
    let s = report.summary();
    let inputs = report.inputs();
    let files: Vec<&str> = inputs.iter().map(|i| i.path).collect();
    let malformed: u64 = inputs.iter().map(|i| i.malformed).sum();
    let records = if malformed > 0 {
        format!(
            "{} deals ({} malformed row{} left out)",
            thousands(s.records),
            thousands(malformed),
            plural(malformed)
        )
    } else {
        format!("{} deals", thousands(s.records))
    };
    let r = report.rules();
    let rules = match &r.detected {
        Some(d) => format!("{} ({})", r.source, d.words),
        None => match r.preset {
            Some(p) if !r.source.starts_with("preset:") => format!("{} (on preset:{p})", r.source),
            _ => r.source.to_string(),
        },
    };
    let mut lines: Vec<(&'static str, Vec<Span>)> = vec![("Records", vec![Span::plain(records)])];
    if let Some(input) = input_words(report) {
        lines.push(("Input", vec![Span::plain(input)]));
    }
    lines.push(("Rules", vec![Span::plain(rules)]));
    let as_of = match report.as_of_note() {
        Some(note) => vec![
            Span::plain(report.as_of().to_string()),
            Span::toned(format!(" (IN013: {note})"), Tone::Failed),
        ],
        None => vec![Span::plain(report.as_of().to_string())],
    };
    lines.push(("As of", as_of));
    if let Some(p) = report.previous() {
        lines.push(("Previous", vec![Span::plain(previous_words(p))]));
    }
    lines.push((
        "Completeness",
        vec![Span::plain(
            crate::report::sections::headline::completeness_words(
                s.completeness,
                report.by_field(),
                s.records,
            ),
        )],
    ));
    lines.push((
        "Open deals",
        vec![Span::plain(crate::report::sections::headline::open_words(
            s,
        ))],
    ));
    if s.open > 0 || report.has_stages() {
        lines.push((
            "Risk",
            vec![Span::plain(format!(
                "{} high · {} medium · {} low",
                thousands(s.risk.high),
                thousands(s.risk.medium),
                thousands(s.risk.low)
            ))],
        ));
    }
    let f = &s.findings;
    lines.push((
        "Findings",
        vec![Span::plain(format!(
            "{} error{}, {} warning{}, {} info",
            thousands(f.error),
            plural(f.error),
            thousands(f.warning),
            plural(f.warning),
            thousands(f.info)
        ))],
    ));
    for n in report.not_checked() {
        lines.push((
            "Not checked",
            vec![Span::plain(format!("{}: {}", code_span(&n.codes), n.why))],
        ));
    }
    let gate = if s.gate.passed {
        vec![Span::toned("PASSED", Tone::Passed)]
    } else {
        vec![
            Span::toned("FAILED", Tone::Failed),
            Span::plain(format!(": {}", s.gate.reasons.join("; "))),
        ]
    };
    lines.push(("Gate", gate));
    if let Some(owners) = report.owner_filter() {
        let (deals, findings) = report.unfiltered_counts();
        lines.push((
            "Filter",
            vec![Span::plain(format!(
                "--owner {}: the lists below show {} of {} deals and {} of {} findings; the figures above are the whole pipeline's",
                owners.join(", "),
                thousands(report.deal_count() as u64),
                thousands(deals as u64),
                thousands(report.finding_count() as u64),
                thousands(findings as u64)
            ))],
        ));
    }
    // Most stage values unknown: the pipeline is not the preset's (one odd value is a
    // VAL006 finding, not a different pipeline).
    if let Some(d) = r
        .detected
        .as_ref()
        .filter(|d| d.stages_known * 4 < d.stage_values * 3)
    {
        lines.push((
            "Note",
            vec![Span::plain(format!(
                "{} of {} stage values are not {} stages ({}); draft rules for this pipeline with `pipelint init --from {}`",
                d.stage_values - d.stages_known,
                d.stage_values,
                d.preset,
                d.unknown_stages.join(", "),
                files.first().copied().unwrap_or("FILE")
            ))],
        ));
    }
    if !r.skipped_fields.is_empty() {
        lines.push((
            "Not checked",
            vec![Span::plain(format!(
                "{} (not in the export; the preset's checks on them were skipped)",
                r.skipped_fields.join(", ")
            ))],
        ));
    }
    SummaryBlock {
        title: format!("pipelint audit: {}", files.join(", ")),
        lines,
    }
}

/// How the files were read, when it is worth saying: another encoding or delimiter than
/// UTF-8 and commas, skipped report rows, cells cut, date formats or decimals read from the
/// values.
fn input_words(report: &Report<'_>) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for i in report.inputs() {
        if i.encoding != "utf-8" {
            parts.push(i.encoding.to_string());
        }
        if i.delimiter != "," {
            let d = i.delimiter.as_bytes();
            let word = if i.delimiter == "tab" {
                "tab".to_string()
            } else {
                delimiter_word(d.first().copied().unwrap_or(b','))
            };
            parts.push(format!("{word}-delimited"));
        }
        if i.skipped > 0 {
            parts.push(format!(
                "{} report row{} skipped",
                thousands(i.skipped),
                plural(i.skipped)
            ));
        }
        if i.no_header_row {
            parts.push("no header row: columns named by [input] header".to_string());
        }
        if let Some(d) = &i.database_dump {
            let dump = crate::input::dialect::Dump {
                nulls: d.null_cells,
                escaped_quotes: d.escaped_quotes,
            };
            parts.push(dump.words());
        }
        if let Some(cut) = &i.cut_cells {
            parts.push(format!(
                "{} cell{} longer than 64 kB cut to it, marked \"cut by pipelint\" (first: line \
                 {}, column {})",
                thousands(cut.count),
                plural(cut.count),
                cut.first_line,
                cut.first_column
            ));
        }
    }
    for i in report.inputs() {
        parts.extend(i.read_from_values.iter().cloned());
    }
    parts.dedup();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Every section after the summary, in order; `top` caps the deals and findings listed.
pub(crate) fn sections(report: &Report<'_>, top: usize) -> Vec<Section> {
    // The pipeline meeting's four questions first: how are we tracking, which deals are at
    // risk, what is slipping, is the pipeline healthy.
    let mut out = crate::report::sections::health::first(report);
    if report.has_stages() {
        out.push(at_risk(report, top));
    }
    out.extend(crate::report::sections::changes::sections(report, top));
    out.extend(crate::report::sections::health::history(report, top));
    out.push(crate::report::sections::health::win_rate(report));
    if !report.by_field().is_empty() {
        out.push(by_field(report));
    }
    if !report.by_owner().is_empty() {
        out.push(by_owner(report));
    }
    if !report.by_stage().is_empty() {
        out.push(by_stage(report));
    }
    out.push(by_code(report));
    if let Some(findings) = findings(report, top) {
        out.push(findings);
    }
    out
}

/// The riskiest open deals, with their reasons in words.
fn at_risk(report: &Report<'_>, top: usize) -> Section {
    let (deals, total) = report.riskiest(top);
    let shown = deals.len() as u64;
    let title = if total == 0 {
        "Deals at risk".to_string()
    } else if shown < total {
        format!("Deals at risk (first {shown} of {total}, riskiest first)")
    } else {
        format!("Deals at risk ({total}, riskiest first)")
    };
    let sole = report.sole_currency();
    let rows = deals
        .iter()
        .filter_map(|d| {
            let risk = d.risk.as_ref()?;
            let band = risk.band.unwrap_or(Band::Low);
            let severity = if band == Band::High {
                Severity::Error
            } else {
                Severity::Warning
            };
            let amount = d.amount.as_deref().map_or("no amount".to_string(), |m| {
                money(m, d.currency.as_deref().or(sole.as_deref()))
            });
            Some(vec![
                Span::plain(risk.score.map_or(String::new(), |s| s.to_string())),
                Span::toned(band.as_str(), Tone::Severity(severity)),
                Span::plain(d.label()),
                Span::plain(d.owner.unwrap_or("")),
                Span::plain(d.stage.unwrap_or("")),
                Span::plain(amount),
                Span::plain(d.close_date.as_deref().unwrap_or("")),
                Span::plain(risk.why()),
            ])
        })
        .collect();
    Section {
        title,
        columns: vec![
            figure("Score"),
            text("Band"),
            text("Deal"),
            text("Owner"),
            text("Stage"),
            figure("Amount"),
            text("Close date"),
            text("Why"),
        ],
        rows,
        empty: (total == 0).then(|| {
            format!(
                "None: no open deal scores {} or more.",
                report.at_risk_score()
            )
        }),
        more: (shown < total).then(|| {
            format!(
                "… and {} more (--top N to list more, -f json for every deal's score)",
                total - shown
            )
        }),
    }
}

fn by_field(report: &Report<'_>) -> Section {
    Section {
        title: "Completeness by field".to_string(),
        columns: vec![
            text("Field"),
            text("Column"),
            figure("Applicable"),
            figure("Filled"),
            figure("Missing"),
            figure("Invalid"),
            figure("Rate"),
        ],
        rows: report
            .by_field()
            .iter()
            .map(|r| {
                vec![
                    Span::plain(r.field.clone()),
                    Span::plain(r.column.as_deref().unwrap_or("-")),
                    count(r.applicable),
                    count(r.filled),
                    count(r.missing),
                    count(r.invalid),
                    pct(r.rate),
                ]
            })
            .collect(),
        empty: None,
        more: None,
    }
}

/// Owners and stages a breakdown table lists. A team has dozens; a file of tens of thousands
/// of distinct owner or stage values (one that is not an export, or a shifted column) made
/// a table of 60,000 lines that took 120 MB to lay out. JSON and CSV keep every one.
const BREAKDOWN_ROWS: usize = 500;

/// `section` cut to [`BREAKDOWN_ROWS`] rows of `what`, saying how many more there are.
fn at_most_breakdown(mut section: Section, what: &str) -> Section {
    let total = section.rows.len();
    if total > BREAKDOWN_ROWS {
        section.rows.truncate(BREAKDOWN_ROWS);
        section.more = Some(format!(
            "… and {} more {what} (-f json lists every one)",
            thousands((total - BREAKDOWN_ROWS) as u64)
        ));
    }
    section
}

fn by_owner(report: &Report<'_>) -> Section {
    at_most_breakdown(owner_rows(report), "owners")
}

fn by_stage(report: &Report<'_>) -> Section {
    at_most_breakdown(stage_rows(report), "stages")
}

fn owner_rows(report: &Report<'_>) -> Section {
    let mut rows: Vec<_> = report.by_owner().iter().collect();
    let name = |o: &Option<String>| Span::plain(o.as_deref().unwrap_or("(no owner)"));
    if report.has_stages() {
        rows.sort_by(|a, b| {
            b.figures
                .high_risk
                .cmp(&a.figures.high_risk)
                .then_with(|| a.figures.completeness.total_cmp(&b.figures.completeness))
                .then_with(|| a.owner.cmp(&b.owner))
        });
        Section {
            title: "Pipeline by owner (most high-risk deals first)".to_string(),
            columns: vec![
                text("Owner"),
                figure("Deals"),
                figure("Completeness"),
                figure("Open"),
                figure("Open amount"),
                figure("High risk"),
                figure("At risk"),
            ],
            rows: rows
                .into_iter()
                .map(|r| {
                    let f = &r.figures;
                    vec![
                        name(&r.owner),
                        count(f.records),
                        pct(Some(f.completeness)),
                        count(f.open),
                        Span::plain(amount_of(&f.open_amount, f.open, f.open_without_amount)),
                        count(f.high_risk),
                        Span::plain(amount_of(
                            &f.at_risk_amount,
                            f.high_risk,
                            f.at_risk_without_amount,
                        )),
                    ]
                })
                .collect(),
            empty: None,
            more: None,
        }
    } else {
        rows.sort_by(|a, b| {
            a.figures
                .completeness
                .total_cmp(&b.figures.completeness)
                .then_with(|| a.owner.cmp(&b.owner))
        });
        completeness_by(
            "Completeness by owner (lowest first)",
            "Owner",
            rows.into_iter().map(|r| (name(&r.owner), &r.figures)),
        )
    }
}

/// Deals and completeness per group (a pipeline without stages, or owners without amounts):
/// the group's name, then its figures.
fn completeness_by<'f>(
    title: &str,
    group: &'static str,
    rows: impl Iterator<Item = (Span, &'f crate::report::view::rows::GroupFigures)>,
) -> Section {
    Section {
        title: title.to_string(),
        columns: vec![text(group), figure("Deals"), figure("Completeness")],
        rows: rows
            .map(|(name, f)| vec![name, count(f.records), pct(Some(f.completeness))])
            .collect(),
        empty: None,
        more: None,
    }
}

fn stage_rows(report: &Report<'_>) -> Section {
    let pipeline = report.has_stages();
    let name = |r: &StageRow| {
        Span::plain(match (&r.stage, r.known) {
            (Some(s), true) => stage_with_labels(s, &r.labels),
            (Some(s), false) if !pipeline => s.clone(),
            (Some(s), false) => format!("{s} (unknown)"),
            (None, _) => "(no stage)".to_string(),
        })
    };
    if pipeline {
        Section {
            title: "Pipeline by stage (pipeline order)".to_string(),
            columns: vec![
                text("Stage"),
                figure("Deals"),
                figure("Completeness"),
                figure("Open amount"),
                figure("High"),
                figure("Medium"),
                figure("Low"),
                figure("At risk"),
            ],
            rows: report
                .by_stage()
                .iter()
                .map(|r| {
                    let f = &r.figures;
                    vec![
                        name(r),
                        count(f.records),
                        pct(Some(f.completeness)),
                        Span::plain(amount_of(&f.open_amount, f.open, f.open_without_amount)),
                        count(f.risk.high),
                        count(f.risk.medium),
                        count(f.risk.low),
                        Span::plain(amount_of(
                            &f.at_risk_amount,
                            f.high_risk,
                            f.at_risk_without_amount,
                        )),
                    ]
                })
                .collect(),
            empty: None,
            more: None,
        }
    } else {
        completeness_by(
            "Completeness by stage",
            "Stage",
            report.by_stage().iter().map(|r| (name(r), &r.figures)),
        )
    }
}

fn by_code(report: &Report<'_>) -> Section {
    let codes = report.by_code();
    Section {
        title: if codes.is_empty() {
            "Findings".to_string()
        } else {
            "Findings by code".to_string()
        },
        columns: vec![
            text("Code"),
            text("Severity"),
            figure("Count"),
            text("Check"),
        ],
        rows: codes
            .iter()
            .map(|r| {
                let s = &r.severities;
                let present: Vec<Severity> = [
                    (s.error, Severity::Error),
                    (s.warning, Severity::Warning),
                    (s.info, Severity::Info),
                ]
                .into_iter()
                .filter(|(n, _)| *n > 0)
                .map(|(_, sev)| sev)
                .collect();
                let label = present
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("/");
                let tone = present.first().map_or(Tone::Plain, |s| Tone::Severity(*s));
                vec![
                    Span::plain(r.code.as_str()),
                    Span::toned(label, tone),
                    count(r.count),
                    Span::plain(r.summary),
                ]
            })
            .collect(),
        empty: Some("No findings.".to_string()),
        more: None,
    }
}

/// The first `top` findings, in order.
fn findings(report: &Report<'_>, top: usize) -> Option<Section> {
    finding_list(
        report,
        report.findings(),
        report.finding_count(),
        top,
        "Findings",
    )
}

/// The first `top` of `total` findings as a table titled `title`.
pub(crate) fn finding_list<'r>(
    report: &Report<'_>,
    findings: impl Iterator<Item = crate::report::view::rows::FindingRow<'r>>,
    total: usize,
    top: usize,
    title: &str,
) -> Option<Section> {
    let shown = total.min(top);
    if shown == 0 {
        return None;
    }
    // A previous snapshot's file can hold findings too (a deal that vanished from it).
    let several_files = report.inputs().len() > 1 || report.previous().is_some();
    let rows = findings
        .take(shown)
        .map(|f| {
            let line = if several_files {
                format!("{}:{}", f.file, f.line)
            } else {
                f.line.to_string()
            };
            let deal = f.deal.map_or(f.record_id.unwrap_or_default(), |d| d.label);
            vec![
                Span::plain(line),
                Span::plain(deal),
                Span::plain(f.deal.and_then(|d| d.owner).unwrap_or("")),
                Span::toned(f.code.as_str(), Tone::Severity(f.severity)),
                Span::plain(f.field.unwrap_or("")),
                Span::plain(f.message.into_owned()),
            ]
        })
        .collect();
    Some(Section {
        title: if shown < total {
            format!("{title} (first {shown} of {total})")
        } else {
            format!("{title} ({total})")
        },
        columns: vec![
            figure("Line"),
            text("Deal"),
            text("Owner"),
            text("Code"),
            text("Field"),
            text("Message"),
        ],
        rows,
        empty: None,
        more: (shown < total).then(|| {
            format!(
                "… and {} more (--top N to list more, -f json for all)",
                total - shown
            )
        }),
    })
}
