//! The figures every report shows, computed once from an [`Audit`]: the summary, completeness
//! by field, the pipeline (completeness, open amount and risk) by owner and stage, findings by
//! code, and the words that explain each deal's risk. Table-like formats share these rows.

use serde::Serialize;

use crate::checks::{Code, Severity};
use crate::engine::{Audit, Deal, StageKey};
use crate::gate::Verdict;
use crate::score::aggregate::{CurrencySums, GroupTally};
use crate::score::risk::{self, Band, Describe};
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

impl BandCounts {
    fn of(bands: [u64; 3]) -> BandCounts {
        BandCounts {
            low: bands[Band::Low as usize],
            medium: bands[Band::Medium as usize],
            high: bands[Band::High as usize],
        }
    }
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

/// A group of deals (an owner's, a stage's): completeness and open pipeline.
#[derive(Clone, Debug, Serialize)]
pub struct GroupFigures {
    pub records: u64,
    pub completeness: f64,
    pub open: u64,
    pub open_amount: Vec<Amount>,
    pub high_risk: u64,
    pub at_risk_amount: Vec<Amount>,
    pub risk: BandCounts,
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
            high_risk: p.high(),
            at_risk_amount: sums(&p.at_risk_amount),
            risk: BandCounts::of(p.bands),
        }
    }
}

/// An owner's deals.
#[derive(Clone, Debug, Serialize)]
pub struct OwnerRow {
    pub owner: Option<String>,
    #[serde(flatten)]
    pub figures: GroupFigures,
}

/// A stage's deals.
#[derive(Clone, Debug, Serialize)]
pub struct StageRow {
    pub stage: Option<String>,
    /// Whether the stage is one of the rules' stages.
    pub known: bool,
    #[serde(flatten)]
    pub figures: GroupFigures,
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
    /// The currency of amounts that name none (see [`sole_currency`]).
    pub currency: Option<Currency>,
    pub summary: Summary,
    pub by_field: Vec<FieldRow>,
    pub by_owner: Vec<OwnerRow>,
    pub by_stage: Vec<StageRow>,
    pub by_code: Vec<CodeRow>,
}

pub fn severity_counts(audit: &Audit) -> SeverityCounts {
    let mut c = [0u64; 3];
    for f in &audit.findings {
        c[f.severity as usize] += 1;
    }
    SeverityCounts {
        info: c[Severity::Info as usize],
        warning: c[Severity::Warning as usize],
        error: c[Severity::Error as usize],
    }
}

/// The currency amounts that name none are in: `[input] currency` if set (already applied
/// as deals are read), else the one currency the export's deals name, if exactly one (a `$`
/// on some values of a one-currency export). Decided once per audit, so every total in a
/// report agrees; with several named currencies unlabelled amounts stay apart, since adding
/// across currencies needs a rate.
pub fn sole_currency(audit: &Audit) -> Option<Currency> {
    let mut found: Option<Currency> = None;
    for d in audit.deals.iter() {
        match (found, d.currency) {
            (_, None) => {}
            (None, Some(c)) => found = Some(c),
            (Some(f), Some(c)) if f != c => return None,
            _ => {}
        }
    }
    found
}

/// Totals per currency for reports, unlabelled amounts folded into `sole` when given.
pub fn amounts(
    sums: impl IntoIterator<Item = (Option<Currency>, MoneySum)>,
    sole: Option<Currency>,
) -> Vec<Amount> {
    let mut folded = CurrencySums::default();
    for (currency, sum) in sums {
        folded.insert_sum(currency.or(sole), sum);
    }
    folded
        .iter()
        .map(|(currency, amount)| Amount {
            currency: currency.map(|c| c.to_string()),
            amount: amount.to_string(),
        })
        .collect()
}

pub fn build(audit: &Audit, gate: Verdict) -> Model {
    let t = &audit.tallies;
    let p = &t.overall.pipeline;
    let sole = sole_currency(audit);
    let sums = |s: &CurrencySums| amounts(s.iter(), sole);
    let summary = Summary {
        records: t.overall.completeness.records,
        open: p.open,
        completeness: round1(t.overall.completeness.rate()),
        findings: severity_counts(audit),
        open_amount: sums(&p.open_amount),
        at_risk_amount: sums(&p.at_risk_amount),
        risk: BandCounts::of(p.bands),
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
            let g = t.by_owner.get(id as usize)?;
            (g.completeness.records > 0).then(|| owner_row(Some(name.to_string()), g, sole))
        })
        .collect();
    by_owner.sort_by(|a, b| a.owner.cmp(&b.owner));
    if t.no_owner.completeness.records > 0 {
        by_owner.push(owner_row(None, &t.no_owner, sole));
    }

    let mut by_stage: Vec<StageRow> = audit
        .rules
        .stages
        .iter()
        .zip(&t.by_stage)
        .filter(|(_, g)| g.completeness.records > 0)
        .map(|(s, g)| stage_row(Some(s.name.clone()), true, g, sole))
        .collect();
    let mut unknown: Vec<StageRow> = audit
        .deals
        .unknown_stages
        .iter()
        .filter_map(|(id, name)| {
            let g = t.by_unknown_stage.get(id as usize)?;
            (g.completeness.records > 0).then(|| stage_row(Some(name.to_string()), false, g, sole))
        })
        .collect();
    unknown.sort_by(|a, b| a.stage.cmp(&b.stage));
    by_stage.append(&mut unknown);
    if t.no_stage.completeness.records > 0 {
        by_stage.push(stage_row(None, false, &t.no_stage, sole));
    }

    // Counted per code and severity in an array: millions of findings, a few dozen codes.
    let mut counts = vec![[0u64; 3]; Code::ALL.len()];
    for f in &audit.findings {
        counts[f.code as usize][f.severity as usize] += 1;
    }
    let mut by_code: Vec<CodeRow> = Code::ALL
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
    by_code.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.code.as_str().cmp(b.code.as_str()))
    });

    Model {
        currency: sole,
        summary,
        by_field,
        by_owner,
        by_stage,
        by_code,
    }
}

fn owner_row(owner: Option<String>, g: &GroupTally, sole: Option<Currency>) -> OwnerRow {
    OwnerRow {
        owner,
        figures: GroupFigures::of(g, sole),
    }
}

fn stage_row(
    stage: Option<String>,
    known: bool,
    g: &GroupTally,
    sole: Option<Currency>,
) -> StageRow {
    StageRow {
        stage,
        known,
        figures: GroupFigures::of(g, sole),
    }
}

/// A deal's risk as reports show it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DealRisk {
    /// `None` for a deal in an unknown stage, which is neither open nor closed.
    pub score: Option<u8>,
    pub band: Option<Band>,
    pub signals: Vec<SignalRow>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SignalRow {
    pub signal: &'static str,
    pub weight: u32,
    pub detail: String,
}

/// The risk of a deal, with its signals in words; `None` for closed deals (not scored).
pub fn deal_risk(audit: &Audit, d: &Deal) -> Option<DealRisk> {
    let rules = &audit.rules;
    match d.stage {
        StageKey::Known(i) => {
            let stage = rules.stages.get(i as usize)?;
            if !stage.is_open() || d.risk.closed_as.is_some() {
                return None;
            }
            let describe = Describe {
                as_of: audit.as_of,
                risk: &rules.risk,
                stage: Some(stage),
                close_date: d.close_date,
                forecast: audit.deals.forecast(d),
                requires: stage
                    .requires
                    .iter()
                    .map(|r| display_field(audit, r))
                    .collect(),
            };
            let signals = d
                .risk
                .signals
                .iter()
                .map(|s| SignalRow {
                    signal: s.name(),
                    weight: s.weight(&rules.risk.weights),
                    detail: risk::describe(s, &d.risk, &describe),
                })
                .collect();
            Some(DealRisk {
                score: Some(d.risk.score),
                band: Some(Band::of(d.risk.score, &rules.risk)),
                signals,
            })
        }
        StageKey::Unknown(u) => {
            let spelled = audit.deals.unknown_stages.name(u);
            let detail = if rules.stages.is_empty() {
                "no [[stages]] in the rules: not scored".to_string()
            } else {
                format!("unknown stage `{spelled}`: not scored as open or closed")
            };
            Some(DealRisk {
                score: None,
                band: None,
                signals: vec![SignalRow {
                    signal: "unknown_stage",
                    weight: 0,
                    detail,
                }],
            })
        }
        StageKey::Missing => Some(DealRisk {
            score: None,
            band: None,
            signals: vec![SignalRow {
                signal: "unknown_stage",
                weight: 0,
                detail: "no stage: not scored as open or closed".to_string(),
            }],
        }),
    }
}

/// A field reference as reports name it: the canonical name, else the header.
fn display_field<'a>(audit: &'a Audit, r: &'a crate::rules::FieldRef) -> &'a str {
    audit
        .table
        .id(&r.name)
        .map_or(r.name.as_str(), |id| audit.table.name(id))
}

/// Indices of open deals in the high and medium bands, riskiest first (score descending,
/// then amount descending, then file and line), at most `limit` of the ones the audit kept;
/// and how many there are in all.
pub fn riskiest(audit: &Audit, limit: usize) -> (Vec<usize>, usize) {
    let bands = audit.tallies.overall.pipeline.bands;
    let total = (bands[Band::High as usize] + bands[Band::Medium as usize]) as usize;
    let deals = audit
        .riskiest
        .deals()
        .take(limit)
        .map(|d| d as usize)
        .collect();
    (deals, total)
}

/// Signal words joined for a table cell.
pub fn why(risk: &DealRisk) -> String {
    risk.signals
        .iter()
        .map(|s| s.detail.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}
