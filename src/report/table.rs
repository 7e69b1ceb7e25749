//! `-f table` (the default): a summary block and tables for the terminal.

use std::io::{self, Write};

use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table, presets};

use super::model::{Amount, deal_risk, riskiest, why};
use super::{Emitter, RenderContext};
use crate::checks::Severity;
use crate::engine::Audit;
use crate::score::Band;

pub struct TableEmitter;

impl Emitter for TableEmitter {
    fn emit(&self, ctx: &RenderContext<'_>, out: &mut dyn Write) -> io::Result<()> {
        let audit = ctx.audit;
        let model = ctx.model;
        write_summary(ctx, out)?;
        if !audit.rules.stages.is_empty() {
            write_at_risk(ctx, out)?;
        }

        if !model.by_field.is_empty() {
            heading(ctx, out, "Completeness by field")?;
            let mut t = table(
                ctx,
                &[
                    "Field",
                    "Column",
                    "Applicable",
                    "Filled",
                    "Missing",
                    "Invalid",
                    "Rate",
                ],
            );
            for r in &model.by_field {
                t.add_row(vec![
                    Cell::new(&r.field),
                    Cell::new(r.column.as_deref().unwrap_or("-")),
                    num(r.applicable),
                    num(r.filled),
                    num(r.missing),
                    num(r.invalid),
                    pct(r.rate),
                ]);
            }
            writeln!(out, "{t}")?;
        }

        let pipeline = !audit.rules.stages.is_empty();
        if !model.by_owner.is_empty() {
            let mut rows: Vec<_> = model.by_owner.iter().collect();
            if pipeline {
                heading(ctx, out, "Pipeline by owner (most high-risk deals first)")?;
                rows.sort_by(|a, b| {
                    b.figures
                        .high_risk
                        .cmp(&a.figures.high_risk)
                        .then_with(|| a.figures.completeness.total_cmp(&b.figures.completeness))
                        .then_with(|| a.owner.cmp(&b.owner))
                });
                let mut t = table(
                    ctx,
                    &[
                        "Owner",
                        "Deals",
                        "Completeness",
                        "Open",
                        "Open amount",
                        "High risk",
                        "At risk",
                    ],
                );
                for r in rows {
                    t.add_row(vec![
                        Cell::new(r.owner.as_deref().unwrap_or("(no owner)")),
                        num(r.figures.records),
                        pct(Some(r.figures.completeness)),
                        num(r.figures.open),
                        Cell::new(amounts(&r.figures.open_amount))
                            .set_alignment(CellAlignment::Right),
                        num(r.figures.high_risk),
                        Cell::new(amounts(&r.figures.at_risk_amount))
                            .set_alignment(CellAlignment::Right),
                    ]);
                }
                writeln!(out, "{t}")?;
            } else {
                heading(ctx, out, "Completeness by owner (lowest first)")?;
                rows.sort_by(|a, b| {
                    a.figures
                        .completeness
                        .total_cmp(&b.figures.completeness)
                        .then_with(|| a.owner.cmp(&b.owner))
                });
                let mut t = table(ctx, &["Owner", "Deals", "Completeness"]);
                for r in rows {
                    t.add_row(vec![
                        Cell::new(r.owner.as_deref().unwrap_or("(no owner)")),
                        num(r.figures.records),
                        pct(Some(r.figures.completeness)),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
        }

        if !model.by_stage.is_empty() {
            let name = |r: &super::model::StageRow| match (&r.stage, r.known) {
                (Some(s), true) => s.clone(),
                (Some(s), false) if !pipeline => s.clone(),
                (Some(s), false) => format!("{s} (unknown)"),
                (None, _) => "(no stage)".to_string(),
            };
            if pipeline {
                heading(ctx, out, "Pipeline by stage (pipeline order)")?;
                let mut t = table(
                    ctx,
                    &[
                        "Stage",
                        "Deals",
                        "Completeness",
                        "Open amount",
                        "High",
                        "Medium",
                        "Low",
                        "At risk",
                    ],
                );
                for r in &model.by_stage {
                    t.add_row(vec![
                        Cell::new(name(r)),
                        num(r.figures.records),
                        pct(Some(r.figures.completeness)),
                        Cell::new(amounts(&r.figures.open_amount))
                            .set_alignment(CellAlignment::Right),
                        num(r.figures.risk.high),
                        num(r.figures.risk.medium),
                        num(r.figures.risk.low),
                        Cell::new(amounts(&r.figures.at_risk_amount))
                            .set_alignment(CellAlignment::Right),
                    ]);
                }
                writeln!(out, "{t}")?;
            } else {
                heading(ctx, out, "Completeness by stage")?;
                let mut t = table(ctx, &["Stage", "Deals", "Completeness"]);
                for r in &model.by_stage {
                    t.add_row(vec![
                        Cell::new(name(r)),
                        num(r.figures.records),
                        pct(Some(r.figures.completeness)),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
        }

        if model.by_code.is_empty() {
            heading(ctx, out, "Findings")?;
            writeln!(out, "No findings.")?;
            return Ok(());
        }
        heading(ctx, out, "Findings by code")?;
        let mut t = table(ctx, &["Code", "Severity", "Count", "Check"]);
        for r in &model.by_code {
            let s = &r.severities;
            let mut parts = Vec::new();
            for (n, sev) in [
                (s.error, Severity::Error),
                (s.warning, Severity::Warning),
                (s.info, Severity::Info),
            ] {
                if n > 0 {
                    parts.push(sev);
                }
            }
            let label = parts
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("/");
            let mut cell = Cell::new(label);
            if let Some(first) = parts.first() {
                cell = severity_color(ctx, cell, *first);
            }
            t.add_row(vec![
                Cell::new(r.code.as_str()),
                cell,
                num(r.count),
                Cell::new(r.summary),
            ]);
        }
        writeln!(out, "{t}")?;

        let total = audit.findings.len();
        let shown = total.min(ctx.top);
        if shown > 0 {
            heading(
                ctx,
                out,
                &if shown < total {
                    format!("Findings (first {shown} of {total})")
                } else {
                    format!("Findings ({total})")
                },
            )?;
            let several_files = audit.inputs.len() > 1;
            let mut t = table(ctx, &["Line", "Deal", "Owner", "Code", "Field", "Message"]);
            for f in &audit.findings[..shown] {
                let deal = audit.finding_deal(f);
                let deal_label = deal.map_or_else(
                    || audit.finding_record_id(f).unwrap_or_default().to_string(),
                    |d| deal_label(audit, d),
                );
                let owner = deal.and_then(|d| audit.deals.owner(d)).unwrap_or("");
                let line = if several_files {
                    let file = audit
                        .inputs
                        .get(audit.finding_file(f) as usize)
                        .map_or("", |i| i.path.as_str());
                    format!("{file}:{}", audit.finding_line(f))
                } else {
                    audit.finding_line(f).to_string()
                };
                let code = severity_color(ctx, Cell::new(f.code.as_str()), f.severity);
                t.add_row(vec![
                    Cell::new(line).set_alignment(CellAlignment::Right),
                    Cell::new(deal_label),
                    Cell::new(owner),
                    code,
                    Cell::new(audit.finding_field(f).unwrap_or("")),
                    Cell::new(audit.message(f)),
                ]);
            }
            writeln!(out, "{t}")?;
            if shown < total {
                writeln!(
                    out,
                    "… and {} more (--top N to list more, -f json for all)",
                    total - shown
                )?;
            }
        }
        Ok(())
    }
}

/// The riskiest open deals, with their reasons in words.
fn write_at_risk(ctx: &RenderContext<'_>, out: &mut dyn Write) -> io::Result<()> {
    let audit = ctx.audit;
    let (riskiest, total) = riskiest(audit, ctx.top);
    if total == 0 {
        heading(ctx, out, "Deals at risk")?;
        return writeln!(
            out,
            "None: no open deal scores {} or more.",
            audit.rules.risk.medium
        );
    }
    heading(
        ctx,
        out,
        &if riskiest.len() < total {
            format!(
                "Deals at risk (first {} of {total}, riskiest first)",
                riskiest.len()
            )
        } else {
            format!("Deals at risk ({total}, riskiest first)")
        },
    )?;
    let mut t = table(
        ctx,
        &[
            "Score",
            "Band",
            "Deal",
            "Owner",
            "Stage",
            "Amount",
            "Close date",
            "Why",
        ],
    );
    for i in &riskiest {
        let Some(d) = audit.deals.get(*i) else {
            continue;
        };
        let Some(risk) = deal_risk(audit, d) else {
            continue;
        };
        let band = risk.band.unwrap_or(Band::Low);
        let severity = if band == Band::High {
            Severity::Error
        } else {
            Severity::Warning
        };
        let amount = d.amount().map_or(String::new(), |m| {
            let shown = group_amount(&m.to_string());
            match d.currency.or(ctx.model.currency) {
                Some(c) => format!("{c} {shown}"),
                None => shown,
            }
        });
        t.add_row(vec![
            num(u64::from(d.risk.score)),
            severity_color(ctx, Cell::new(band.as_str()), severity),
            Cell::new(deal_label(audit, d)),
            Cell::new(audit.deals.owner(d).unwrap_or("")),
            Cell::new(audit.deals.stage(d, &audit.rules).unwrap_or("")),
            Cell::new(amount).set_alignment(CellAlignment::Right),
            Cell::new(d.close_date.map_or(String::new(), |c| c.to_string())),
            Cell::new(why(&risk)),
        ]);
    }
    writeln!(out, "{t}")?;
    if riskiest.len() < total {
        writeln!(
            out,
            "… and {} more (--top N to list more, -f json for every deal's score)",
            total - riskiest.len()
        )?;
    }
    Ok(())
}

/// A deal as a sales manager recognises it: its name, else its id.
fn deal_label(audit: &Audit, d: &crate::engine::Deal) -> String {
    let name = audit.deals.name(d);
    if name.is_empty() {
        audit.deals.id(d).to_string()
    } else {
        name.to_string()
    }
}

fn write_summary(ctx: &RenderContext<'_>, out: &mut dyn Write) -> io::Result<()> {
    let audit = ctx.audit;
    let s = &ctx.model.summary;
    let files: Vec<&str> = audit.inputs.iter().map(|i| i.path.as_str()).collect();
    writeln!(
        out,
        "{}",
        bold(ctx, &format!("pipelint audit: {}", files.join(", ")))
    )?;
    let malformed: u64 = audit.inputs.iter().map(|i| i.malformed).sum();
    let records = if malformed > 0 {
        format!(
            "{} deals ({} malformed row{} left out)",
            thousands(s.records),
            thousands(malformed),
            if malformed == 1 { "" } else { "s" }
        )
    } else {
        format!("{} deals", thousands(s.records))
    };
    let rules = match &audit.rules.detection {
        Some(d) => format!("{} ({})", audit.rules.source, detection_words(d)),
        None => match audit.rules.preset {
            Some(p) if !audit.rules.source.starts_with("preset:") => {
                format!("{} (on preset:{p})", audit.rules.source)
            }
            _ => audit.rules.source.clone(),
        },
    };
    let findings = format!(
        "{} error{}, {} warning{}, {} info",
        thousands(s.findings.error),
        if s.findings.error == 1 { "" } else { "s" },
        thousands(s.findings.warning),
        if s.findings.warning == 1 { "" } else { "s" },
        thousands(s.findings.info)
    );
    let gate = if s.gate.passed {
        paint(ctx, "PASSED", "32")
    } else {
        format!(
            "{}: {}",
            paint(ctx, "FAILED", "31"),
            s.gate.reasons.join("; ")
        )
    };
    let mut lines = vec![
        ("Records", records),
        ("Rules", rules),
        ("As of", audit.as_of.to_string()),
        ("Completeness", format!("{:.1}%", s.completeness)),
    ];
    if !audit.rules.stages.is_empty() {
        lines.push((
            "Open deals",
            format!(
                "{} · {} open · {} at risk (high band)",
                thousands(s.open),
                amounts(&s.open_amount),
                if s.at_risk_amount.is_empty() {
                    "nothing".to_string()
                } else {
                    amounts(&s.at_risk_amount)
                }
            ),
        ));
        lines.push((
            "Risk",
            format!(
                "{} high · {} medium · {} low",
                thousands(s.risk.high),
                thousands(s.risk.medium),
                thousands(s.risk.low)
            ),
        ));
    }
    lines.push(("Findings", findings));
    lines.push(("Gate", gate));
    if let Some(input) = input_words(audit) {
        lines.insert(1, ("Input", input));
    }
    for (label, value) in lines {
        writeln!(out, "  {label:<13} {value}")?;
    }
    if let Some(d) = audit
        .rules
        .detection
        .as_ref()
        // Most stage values unknown: the pipeline is not the preset's (one odd value is
        // a VAL006 finding, not a different pipeline).
        .filter(|d| d.stages_known * 4 < d.stage_values * 3)
    {
        writeln!(
            out,
            "  {:<13} {} of {} stage values are not {} stages ({}); draft rules for this pipeline with `pipelint init --from {}`",
            "Note",
            d.stage_values - d.stages_known,
            d.stage_values,
            d.preset,
            d.unknown_stages.join(", "),
            audit.inputs.first().map_or("FILE", |i| i.path.as_str())
        )?;
    }
    let skipped = audit.skipped_fields();
    if !skipped.is_empty() {
        let names: Vec<&str> = skipped.iter().map(|f| audit.table.name(*f)).collect();
        writeln!(
            out,
            "  {:<13} {} (not in the export; the preset's checks on them were skipped)",
            "Not checked",
            names.join(", ")
        )?;
    }
    Ok(())
}

/// A delimiter in words: "semicolon", "tab".
pub fn delimiter_word(d: u8) -> String {
    match d {
        b',' => "comma".into(),
        b';' => "semicolon".into(),
        b'\t' => "tab".into(),
        b'|' => "pipe".into(),
        other => crate::report::json::delimiter_name(other),
    }
}

/// "auto-detected, confidence 83%: 10 of its 16 columns, 7 of 7 stage values".
pub fn detection_words(d: &crate::rules::Detection) -> String {
    let stages = if d.stage_values == 0 {
        String::new()
    } else {
        format!(", {} of {} stage values", d.stages_known, d.stage_values)
    };
    format!(
        "auto-detected, confidence {:.0}%: {} of its {} columns{stages}",
        d.confidence() * 100.0,
        d.matched,
        d.total
    )
}

/// How the files were read, when it is worth saying: another encoding or delimiter than
/// UTF-8 and commas, skipped report rows, date formats or decimals read from the values.
fn input_words(audit: &crate::engine::Audit) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for i in &audit.inputs {
        if i.encoding != "utf-8" {
            parts.push(i.encoding.to_string());
        }
        if i.delimiter != b',' {
            parts.push(format!("{}-delimited", delimiter_word(i.delimiter)));
        }
        if i.skipped > 0 {
            parts.push(format!(
                "{} report row{} skipped",
                thousands(i.skipped),
                if i.skipped == 1 { "" } else { "s" }
            ));
        }
    }
    for i in &audit.inputs {
        parts.extend(i.detected.iter().cloned());
    }
    parts.dedup();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

fn amounts(list: &[Amount]) -> String {
    if list.is_empty() {
        return "-".to_string();
    }
    list.iter()
        .map(|a| {
            let amount = group_amount(&a.amount);
            match &a.currency {
                Some(c) => format!("{c} {amount}"),
                None => amount,
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// `1234567.50` → `1,234,567.50`.
pub fn group_amount(plain: &str) -> String {
    let (sign, rest) = plain.strip_prefix('-').map_or(("", plain), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

pub fn thousands(n: u64) -> String {
    group_amount(&n.to_string())
}

fn heading(ctx: &RenderContext<'_>, out: &mut dyn Write, text: &str) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", bold(ctx, text))
}

fn bold(ctx: &RenderContext<'_>, text: &str) -> String {
    paint(ctx, text, "1")
}

fn paint(ctx: &RenderContext<'_>, text: &str, sgr: &str) -> String {
    if ctx.color {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn table(ctx: &RenderContext<'_>, headers: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners());
    if ctx.terminal {
        t.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        t.force_no_tty();
    }
    if ctx.color {
        t.enforce_styling();
    }
    t.set_header(
        headers
            .iter()
            .map(|h| {
                let c = Cell::new(h);
                if ctx.color {
                    c.add_attribute(Attribute::Bold)
                } else {
                    c
                }
            })
            .collect::<Vec<_>>(),
    );
    for (i, h) in headers.iter().enumerate() {
        if matches!(
            *h,
            "Applicable"
                | "Filled"
                | "Missing"
                | "Invalid"
                | "Rate"
                | "Records"
                | "Deals"
                | "Completeness"
                | "Count"
                | "Open"
                | "High risk"
                | "High"
                | "Medium"
                | "Low"
                | "Score"
        ) {
            if let Some(col) = t.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    t
}

fn severity_color(ctx: &RenderContext<'_>, cell: Cell, severity: Severity) -> Cell {
    if !ctx.color {
        return cell;
    }
    cell.fg(match severity {
        Severity::Error => Color::Red,
        Severity::Warning => Color::Yellow,
        Severity::Info => Color::Blue,
    })
}

fn num(n: u64) -> Cell {
    Cell::new(thousands(n))
}

fn pct(rate: Option<f64>) -> Cell {
    Cell::new(rate.map_or("-".to_string(), |r| format!("{r:.1}%")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(group_amount("1234567.50"), "1,234,567.50");
        assert_eq!(group_amount("-1200.00"), "-1,200.00");
        assert_eq!(group_amount("999"), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
