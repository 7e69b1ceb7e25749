//! `-f json`: the full `pipelint.report/1` document. Deals and findings are serialized
//! straight from the audit's stores (no per-deal intermediate copies), in their stored order,
//! so the output is byte-identical for the same input, rules and as-of.

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::SerializeSeq;

use super::model::{CodeRow, DealRisk, FieldRow, OwnerRow, StageRow, Summary, deal_risk};
use super::{Emitter, RenderContext};
use crate::engine::Audit;
use crate::score::round1;

pub const SCHEMA: &str = "pipelint.report/1";

pub struct JsonEmitter;

impl Emitter for JsonEmitter {
    fn emit(&self, ctx: &RenderContext<'_>, out: &mut dyn Write) -> io::Result<()> {
        let audit = ctx.audit;
        let model = ctx.model;
        let report = JsonReport {
            schema: SCHEMA,
            tool: Tool::this(),
            as_of: audit.as_of.to_string(),
            rules: RulesInfo {
                source: &audit.rules.source,
                preset: audit.rules.preset,
                detected: audit.rules.detection.as_ref().map(|d| Detected {
                    preset: d.preset,
                    matched: d.matched,
                    total: d.total,
                    stage_values: d.stage_values,
                    stages_known: d.stages_known,
                    confidence: round1(d.confidence() * 100.0),
                }),
                skipped_fields: audit
                    .skipped_fields()
                    .into_iter()
                    .map(|f| audit.table.name(f))
                    .collect(),
            },
            inputs: audit
                .inputs
                .iter()
                .map(|i| InputJson {
                    path: &i.path,
                    records: i.records,
                    malformed: i.malformed,
                    skipped: i.skipped,
                    encoding: i.encoding,
                    delimiter: delimiter_name(i.delimiter),
                    read_from_values: &i.detected,
                })
                .collect(),
            summary: &model.summary,
            completeness: CompletenessJson {
                overall: model.summary.completeness,
                by_field: &model.by_field,
                by_owner: model
                    .by_owner
                    .iter()
                    .map(|r| GroupCompleteness {
                        owner: Some(r.owner.as_deref()),
                        stage: None,
                        records: r.figures.records,
                        completeness: r.figures.completeness,
                    })
                    .collect(),
                by_stage: model
                    .by_stage
                    .iter()
                    .map(|r| GroupCompleteness {
                        owner: None,
                        stage: Some(r.stage.as_deref()),
                        records: r.figures.records,
                        completeness: r.figures.completeness,
                    })
                    .collect(),
            },
            pipeline: PipelineJson {
                open: model.summary.open,
                open_amount: &model.summary.open_amount,
                at_risk_amount: &model.summary.at_risk_amount,
                risk: &model.summary.risk,
                by_owner: &model.by_owner,
                by_stage: &model.by_stage,
            },
            findings_by_code: &model.by_code,
            deals: Deals(audit),
            findings: Findings(audit),
        };
        let mut ser = serde_json::Serializer::with_formatter(
            &mut *out,
            serde_json::ser::PrettyFormatter::with_indent(b"  "),
        );
        // `io::Error::from` keeps an underlying I/O error's kind (a closed pipe stays one).
        report.serialize(&mut ser).map_err(io::Error::from)?;
        out.write_all(b"\n")
    }
}

pub fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        other => (other as char).to_string(),
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    tool: Tool,
    as_of: String,
    rules: RulesInfo<'a>,
    inputs: Vec<InputJson<'a>>,
    summary: &'a Summary,
    completeness: CompletenessJson<'a>,
    pipeline: PipelineJson<'a>,
    findings_by_code: &'a [CodeRow],
    deals: Deals<'a>,
    findings: Findings<'a>,
}

#[derive(Serialize)]
pub struct Tool {
    name: &'static str,
    version: &'static str,
}

impl Tool {
    /// This program, as every JSON document names it.
    pub fn this() -> Tool {
        Tool {
            name: "pipelint",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Serialize)]
struct RulesInfo<'a> {
    source: &'a str,
    preset: Option<&'static str>,
    detected: Option<Detected>,
    skipped_fields: Vec<&'a str>,
}

#[derive(Serialize)]
struct Detected {
    preset: &'static str,
    matched: usize,
    total: usize,
    stage_values: usize,
    stages_known: usize,
    confidence: f64,
}

#[derive(Serialize)]
struct InputJson<'a> {
    path: &'a str,
    records: u64,
    malformed: u64,
    skipped: u64,
    encoding: &'static str,
    delimiter: String,
    /// Date formats and decimal mark read from the file's values, in words.
    read_from_values: &'a [String],
}

#[derive(Serialize)]
struct CompletenessJson<'a> {
    overall: f64,
    by_field: &'a [FieldRow],
    by_owner: Vec<GroupCompleteness<'a>>,
    by_stage: Vec<GroupCompleteness<'a>>,
}

/// `{owner, records, completeness}` or `{stage, records, completeness}`.
#[derive(Serialize)]
struct GroupCompleteness<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<Option<&'a str>>,
    records: u64,
    completeness: f64,
}

/// The open pipeline: totals, and per owner and per stage (with completeness again, so each
/// row stands alone).
#[derive(Serialize)]
struct PipelineJson<'a> {
    open: u64,
    open_amount: &'a [super::model::Amount],
    at_risk_amount: &'a [super::model::Amount],
    risk: &'a super::model::BandCounts,
    by_owner: &'a [OwnerRow],
    by_stage: &'a [StageRow],
}

struct Deals<'a>(&'a Audit);

#[derive(Serialize)]
struct DealJson<'a> {
    file: &'a str,
    line: u64,
    id: Option<&'a str>,
    name: Option<&'a str>,
    account: Option<&'a str>,
    owner: Option<&'a str>,
    stage: Option<&'a str>,
    amount: Option<String>,
    currency: Option<String>,
    close_date: Option<String>,
    completeness: f64,
    risk: Option<DealRisk>,
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

impl Serialize for Deals<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let audit = self.0;
        let store = &audit.deals;
        let mut seq = s.serialize_seq(Some(store.len()))?;
        for d in store.iter() {
            seq.serialize_element(&DealJson {
                file: audit
                    .inputs
                    .get(d.file as usize)
                    .map_or("", |i| i.path.as_str()),
                line: d.line,
                id: non_empty(store.id(d)),
                name: non_empty(store.name(d)),
                account: non_empty(store.account(d)),
                owner: store.owner(d),
                stage: store.stage(d, &audit.rules),
                amount: d.amount().map(|a| a.to_string()),
                currency: d.currency.map(|c| c.to_string()),
                close_date: d.close_date.map(|c| c.to_string()),
                completeness: round1(d.completeness()),
                risk: deal_risk(audit, d),
            })?;
        }
        seq.end()
    }
}

struct Findings<'a>(&'a Audit);

#[derive(Serialize)]
struct FindingJson<'a> {
    code: &'static str,
    severity: &'static str,
    file: &'a str,
    line: u64,
    record_id: Option<&'a str>,
    field: Option<&'a str>,
    column: Option<&'a str>,
    message: &'a str,
}

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let audit = self.0;
        let mut seq = s.serialize_seq(Some(audit.findings.len()))?;
        for f in &audit.findings {
            let message = audit.message(f);
            seq.serialize_element(&FindingJson {
                code: f.code.as_str(),
                severity: f.severity.as_str(),
                file: audit
                    .inputs
                    .get(audit.finding_file(f) as usize)
                    .map_or("", |i| i.path.as_str()),
                line: audit.finding_line(f),
                record_id: audit.finding_record_id(f),
                field: audit.finding_field(f),
                column: audit.finding_column(f),
                message: &message,
            })?;
        }
        seq.end()
    }
}
