//! `-f json`: the `pipelint.report/1` document, which is the report view serialised
//! (see [`Report`]'s `Serialize`): deals and findings are streamed from the view one at a
//! time, so the output is byte-identical for the same input, rules and as-of.

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};

use super::rows::{Amount, BandCounts, FieldRow, OwnerRow, StageRow};
use super::view::Report;
use super::{EmitOptions, Emitter, Tool};

/// The version of the JSON report's shape.
pub const SCHEMA: &str = "pipelint.report/1";

pub(crate) struct JsonEmitter;

impl Emitter for JsonEmitter {
    fn emit(&self, report: &Report<'_>, _: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        let mut ser = serde_json::Serializer::with_formatter(
            &mut *out,
            serde_json::ser::PrettyFormatter::with_indent(b"  "),
        );
        // `io::Error::from` keeps an underlying I/O error's kind (a closed pipe stays one).
        report.serialize(&mut ser).map_err(io::Error::from)?;
        out.write_all(b"\n")
    }
}

/// The whole report as the `pipelint.report/1` JSON document: every figure, then every deal
/// and every finding, streamed from the view one at a time.
impl Serialize for Report<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let summary = self.summary();
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("schema", SCHEMA)?;
        map.serialize_entry("tool", &Tool::this())?;
        map.serialize_entry("as_of", &self.as_of().to_string())?;
        map.serialize_entry("rules", self.rules())?;
        map.serialize_entry("inputs", self.inputs())?;
        map.serialize_entry("summary", summary)?;
        map.serialize_entry(
            "completeness",
            &CompletenessJson {
                overall: summary.completeness,
                by_field: self.by_field(),
                by_owner: self
                    .by_owner()
                    .iter()
                    .map(|r| GroupCompleteness {
                        owner: Some(r.owner.as_deref()),
                        stage: None,
                        records: r.figures.records,
                        completeness: r.figures.completeness,
                    })
                    .collect(),
                by_stage: self
                    .by_stage()
                    .iter()
                    .map(|r| GroupCompleteness {
                        owner: None,
                        stage: Some(r.stage.as_deref()),
                        records: r.figures.records,
                        completeness: r.figures.completeness,
                    })
                    .collect(),
            },
        )?;
        map.serialize_entry(
            "pipeline",
            &PipelineJson {
                open: summary.open,
                open_amount: &summary.open_amount,
                at_risk_amount: &summary.at_risk_amount,
                risk: &summary.risk,
                by_owner: self.by_owner(),
                by_stage: self.by_stage(),
            },
        )?;
        map.serialize_entry("findings_by_code", self.by_code())?;
        map.serialize_entry("deals", &Streamed(self.deal_count(), || self.deals()))?;
        map.serialize_entry(
            "findings",
            &Streamed(self.finding_count(), || self.findings()),
        )?;
        map.end()
    }
}

/// A sequence of `len` items serialized as its iterator yields them, one at a time.
struct Streamed<F>(usize, F);

impl<F, I> Serialize for Streamed<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0))?;
        for item in (self.1)() {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
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
    open_amount: &'a [Amount],
    at_risk_amount: &'a [Amount],
    risk: &'a BandCounts,
    by_owner: &'a [OwnerRow],
    by_stage: &'a [StageRow],
}
