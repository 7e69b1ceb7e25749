//! The figures every report shows, computed once from an [`Audit`]: the summary, completeness
//! by field, owner and stage, and findings by code. Table-like formats share these rows.

use serde::Serialize;

use crate::checks::{Code, Severity};
use crate::engine::Audit;
use crate::gate::Verdict;
use crate::score::completeness::WeightTally;
use crate::score::round1;
use crate::values::{Currency, MoneySum};

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Amount {
    pub currency: Option<String>,
    pub amount: String,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct SeverityCounts {
    pub error: u64,
    pub warning: u64,
    pub info: u64,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct BandCounts {
    pub high: u64,
    pub medium: u64,
    pub low: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub records: u64,
    pub open: u64,
    pub completeness: f64,
    pub findings: SeverityCounts,
    pub open_amount: Vec<Amount>,
    pub at_risk_amount: Vec<Amount>,
    pub risk: BandCounts,
    pub gate: Verdict,
}

#[derive(Clone, Debug, Serialize)]
pub struct FieldRow {
    pub field: String,
    pub column: Option<String>,
    pub applicable: u64,
    pub filled: u64,
    pub missing: u64,
    pub invalid: u64,
    pub rate: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OwnerRow {
    pub owner: Option<String>,
    pub records: u64,
    pub completeness: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StageRow {
    pub stage: Option<String>,
    /// Whether the stage is one of the rules' stages.
    pub known: bool,
    pub records: u64,
    pub completeness: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct CodeRow {
    pub code: Code,
    pub count: u64,
    pub severities: SeverityCounts,
    pub summary: &'static str,
}

/// Everything derived from the audit that more than one format shows.
pub struct Model {
    pub summary: Summary,
    pub by_field: Vec<FieldRow>,
    pub by_owner: Vec<OwnerRow>,
    pub by_stage: Vec<StageRow>,
    pub by_code: Vec<CodeRow>,
}

pub fn severity_counts(audit: &Audit) -> SeverityCounts {
    let mut c = SeverityCounts::default();
    for f in &audit.findings {
        match f.severity {
            Severity::Error => c.error += 1,
            Severity::Warning => c.warning += 1,
            Severity::Info => c.info += 1,
        }
    }
    c
}

/// Totals per currency for reports. Amounts that name no currency are taken to be in the
/// only currency the others name (a `$` on some values of a one-currency export), so one
/// pipeline is not split into "USD 1,000" and "2,000"; with several named currencies they
/// stay apart, since adding across currencies needs a rate.
pub fn amounts(sums: impl IntoIterator<Item = (Option<Currency>, MoneySum)>) -> Vec<Amount> {
    let mut sums: Vec<(Option<Currency>, MoneySum)> = sums.into_iter().collect();
    let named: Vec<usize> = (0..sums.len()).filter(|&i| sums[i].0.is_some()).collect();
    if let ([only], Some(unlabelled)) = (named.as_slice(), sums.iter().position(|s| s.0.is_none()))
    {
        let (_, sum) = sums.remove(unlabelled);
        let only = if unlabelled < *only { only - 1 } else { *only };
        sums[only].1.merge(sum);
    }
    sums.into_iter()
        .map(|(currency, amount)| Amount {
            currency: currency.map(|c| c.to_string()),
            amount: amount.to_string(),
        })
        .collect()
}

pub fn build(audit: &Audit, gate: Verdict) -> Model {
    let t = &audit.tallies;
    let summary = Summary {
        records: t.overall.records,
        open: t.open,
        completeness: round1(t.overall.rate()),
        findings: severity_counts(audit),
        open_amount: amounts(t.open_amount.iter().map(|(c, m)| (*c, *m))),
        at_risk_amount: Vec::new(),
        risk: BandCounts::default(),
        gate,
    };

    // Completeness by field: every field some requirement names and some file has.
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
    let by_field = audit
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
        .collect();

    let mut by_owner: Vec<OwnerRow> = audit
        .deals
        .owners
        .iter()
        .filter_map(|(id, name)| {
            let tally = t.by_owner.get(id as usize)?;
            (tally.records > 0).then(|| owner_row(Some(name.to_string()), tally))
        })
        .collect();
    by_owner.sort_by(|a, b| a.owner.cmp(&b.owner));
    if t.no_owner.records > 0 {
        by_owner.push(owner_row(None, &t.no_owner));
    }

    let mut by_stage: Vec<StageRow> = audit
        .rules
        .stages
        .iter()
        .zip(&t.by_stage)
        .filter(|(_, tally)| tally.records > 0)
        .map(|(s, tally)| stage_row(Some(s.name.clone()), true, tally))
        .collect();
    let mut unknown: Vec<StageRow> = audit
        .deals
        .unknown_stages
        .iter()
        .filter_map(|(id, name)| {
            let tally = t.by_unknown_stage.get(id as usize)?;
            (tally.records > 0).then(|| stage_row(Some(name.to_string()), false, tally))
        })
        .collect();
    unknown.sort_by(|a, b| a.stage.cmp(&b.stage));
    by_stage.append(&mut unknown);
    if t.no_stage.records > 0 {
        by_stage.push(stage_row(None, false, &t.no_stage));
    }

    let mut by_code: Vec<CodeRow> = Vec::new();
    for f in &audit.findings {
        let index = match by_code.iter().position(|r| r.code == f.code) {
            Some(i) => i,
            None => {
                by_code.push(CodeRow {
                    code: f.code,
                    count: 0,
                    severities: SeverityCounts::default(),
                    summary: f.code.summary(),
                });
                by_code.len() - 1
            }
        };
        let row = &mut by_code[index];
        row.count += 1;
        match f.severity {
            Severity::Error => row.severities.error += 1,
            Severity::Warning => row.severities.warning += 1,
            Severity::Info => row.severities.info += 1,
        }
    }
    by_code.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.code.as_str().cmp(b.code.as_str()))
    });

    Model {
        summary,
        by_field,
        by_owner,
        by_stage,
        by_code,
    }
}

fn owner_row(owner: Option<String>, t: &WeightTally) -> OwnerRow {
    OwnerRow {
        owner,
        records: t.records,
        completeness: round1(t.rate()),
    }
}

fn stage_row(stage: Option<String>, known: bool, t: &WeightTally) -> StageRow {
    StageRow {
        stage,
        known,
        records: t.records,
        completeness: round1(t.rate()),
    }
}
