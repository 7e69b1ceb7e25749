//! The view's small tables, computed once when it is built: completeness by field, the
//! pipeline by owner and by stage, and findings by code.

use super::amounts;
use crate::audit::Audit;
use crate::deal::StageKey;
use crate::diag::{Code, Severity};
use crate::report::view::rows::{
    BandCounts, CodeRow, FieldRow, GroupFigures, OwnerRow, SeverityCounts, StageRow,
    UnknownStageRow, UnknownStages,
};
use crate::score::aggregate::{CurrencySums, GroupTally};
use crate::score::risk::Band;
use crate::score::round1;
use crate::values::Currency;

/// Completeness by field: every field some requirement names and some file has.
pub(super) fn by_field(audit: &Audit) -> Vec<FieldRow> {
    let t = &audit.tallies;
    let demanded = |id: usize| {
        let name = &audit.table.entries[id].name;
        audit
            .rules
            .fields
            .iter()
            .any(|f| f.required && &f.name == name)
            || audit
                .rules
                .stages
                .iter()
                .flat_map(|s| &s.requires)
                .any(|r| audit.table.id(&r.name) == Some(id))
            || audit
                .rules
                .rules
                .iter()
                .flat_map(|r| &r.requires)
                .any(|r| audit.table.id(&r.name) == Some(id))
    };
    audit
        .table
        .entries
        .iter()
        .enumerate()
        .filter(|(id, _)| {
            t.fields[*id].applicable > 0 || (demanded(*id) && audit.field_column(*id).is_some())
        })
        .map(|(id, entry)| {
            let f = &t.fields[id];
            FieldRow {
                field: entry.name.to_string(),
                column: audit.field_column(id).map(str::to_string),
                applicable: f.applicable,
                filled: f.filled,
                missing: f.missing,
                invalid: f.invalid,
                rate: f.rate().map(round1),
            }
        })
        .collect()
}

pub(super) fn by_owner(audit: &Audit, sole: Option<Currency>) -> Vec<OwnerRow> {
    let t = &audit.tallies;
    let mut rows: Vec<OwnerRow> = audit
        .deals
        .owners
        .iter()
        .filter_map(|(id, name)| {
            let g = t.by_owner.get(id as usize)?;
            (g.completeness.records > 0).then(|| OwnerRow {
                owner: Some(name.to_string()),
                figures: GroupFigures::of(g, sole),
            })
        })
        .collect();
    rows.sort_by(|a, b| a.owner.cmp(&b.owner));
    if t.no_owner.completeness.records > 0 {
        rows.push(OwnerRow {
            owner: None,
            figures: GroupFigures::of(&t.no_owner, sole),
        });
    }
    rows
}

pub(super) fn by_stage(audit: &Audit, sole: Option<Currency>) -> Vec<StageRow> {
    let t = &audit.tallies;
    let row = |stage: Option<String>, labels: Vec<String>, known: bool, g: &GroupTally| StageRow {
        stage,
        labels,
        known,
        figures: GroupFigures::of(g, sole),
    };
    let mut labels = stage_labels(audit);
    let mut rows: Vec<StageRow> = audit
        .rules
        .stages
        .iter()
        .zip(&t.by_stage)
        .enumerate()
        .filter(|(_, (_, g))| g.completeness.records > 0)
        .map(|(i, (s, g))| {
            let spelt = labels.get_mut(i).map(std::mem::take).unwrap_or_default();
            row(Some(s.name.clone()), spelt, true, g)
        })
        .collect();
    let mut unknown: Vec<StageRow> = audit
        .deals
        .unknown_stages
        .iter()
        .filter_map(|(id, name)| {
            let g = t.by_unknown_stage.get(id as usize)?;
            (g.completeness.records > 0)
                .then(|| row(Some(name.to_string()), vec![name.to_string()], false, g))
        })
        .collect();
    unknown.sort_by(|a, b| a.stage.cmp(&b.stage));
    rows.append(&mut unknown);
    if t.no_stage.completeness.records > 0 {
        rows.push(row(None, Vec::new(), false, &t.no_stage));
    }
    rows
}

/// Each of the rules' stages as the export writes it (see [`StageRow::labels`]), by stage
/// index. Only an export that spells some stage otherwise than the rules do costs a pass
/// over the deals; in any other, every deal of a stage is spelt as the rules name it.
fn stage_labels(audit: &Audit) -> Vec<Vec<String>> {
    let (rules, deals) = (&audit.rules, &audit.deals);
    let named = |i: usize| rules.stages.get(i).map(|s| s.name.clone());
    if deals.stage_labels.len() == 0 {
        return (0..rules.stages.len())
            .map(|i| named(i).into_iter().collect())
            .collect();
    }
    let mut as_named = vec![false; rules.stages.len()];
    let mut spelt: Vec<Vec<u32>> = vec![Vec::new(); rules.stages.len()];
    // A spelling names one stage only, so one flag a spelling is enough.
    let mut seen = vec![false; deals.stage_labels.len()];
    for d in deals.iter() {
        let StageKey::Known(i, label) = d.stage else {
            continue;
        };
        let i = i as usize;
        match label.id() {
            None => {
                if let Some(flag) = as_named.get_mut(i) {
                    *flag = true;
                }
            }
            Some(id) => {
                if let (Some(false), Some(list)) = (seen.get(id as usize), spelt.get_mut(i)) {
                    seen[id as usize] = true;
                    list.push(id);
                }
            }
        }
    }
    spelt
        .into_iter()
        .enumerate()
        .map(|(i, ids)| {
            let first = as_named[i].then(|| named(i)).flatten();
            first
                .into_iter()
                .chain(
                    ids.iter()
                        .map(|&id| deals.stage_labels.name(id).to_string()),
                )
                .collect()
        })
        .collect()
}

/// Deals in stages the rules do not know (and with no stage), by stage value, most deals
/// first (then by name, no stage last).
pub(super) fn unknown_stages(audit: &Audit) -> UnknownStages {
    let t = &audit.tallies;
    let row = |stage: Option<String>, g: &GroupTally| UnknownStageRow {
        stage,
        deals: g.completeness.records,
        open: g.pipeline.open,
        closed: g.pipeline.closed,
    };
    let mut by_stage: Vec<UnknownStageRow> = audit
        .deals
        .unknown_stages
        .iter()
        .filter_map(|(id, name)| {
            let g = t.by_unknown_stage.get(id as usize)?;
            (g.completeness.records > 0).then(|| row(Some(name.to_string()), g))
        })
        .collect();
    by_stage.sort_by(|a, b| b.deals.cmp(&a.deals).then_with(|| a.stage.cmp(&b.stage)));
    if t.no_stage.completeness.records > 0 {
        by_stage.push(row(None, &t.no_stage));
    }
    UnknownStages {
        deals: by_stage.iter().map(|r| r.deals - r.open - r.closed).sum(),
        by_stage,
    }
}

/// Findings per code and severity, most findings first. Counted in an array: millions of
/// findings, a few dozen codes.
pub(super) fn by_code<'f>(
    findings: impl Iterator<Item = &'f crate::diag::Finding>,
) -> Vec<CodeRow> {
    let mut counts = vec![[0u64; 3]; Code::ALL.len()];
    for f in findings {
        counts[f.code as usize][f.severity as usize] += 1;
    }
    let mut rows: Vec<CodeRow> = Code::ALL
        .iter()
        .zip(&counts)
        .filter(|(_, c)| c.iter().sum::<u64>() > 0)
        .map(|(&code, c)| CodeRow {
            code,
            count: c.iter().sum(),
            severities: SeverityCounts {
                info: c[Severity::Info as usize],
                warning: c[Severity::Warning as usize],
                error: c[Severity::Error as usize],
            },
            summary: code.summary(),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.code.as_str().cmp(b.code.as_str()))
    });
    rows
}

impl BandCounts {
    pub(super) fn of(bands: [u64; 3]) -> BandCounts {
        BandCounts {
            low: bands[Band::Low as usize],
            medium: bands[Band::Medium as usize],
            high: bands[Band::High as usize],
        }
    }
}

impl GroupFigures {
    fn of(g: &GroupTally, sole: Option<Currency>) -> GroupFigures {
        let p = &g.pipeline;
        let sums = |s: &CurrencySums| amounts(s.iter(), sole);
        GroupFigures {
            records: g.completeness.records,
            completeness: round1(g.completeness.rate()),
            open: p.open,
            open_amount: sums(&p.open_amount),
            open_without_amount: p.open_without_amount,
            high_risk: p.high(),
            at_risk_amount: sums(&p.at_risk_amount),
            at_risk_without_amount: p.at_risk_without_amount,
            risk: BandCounts::of(p.bands),
        }
    }
}
