//! `-f json`: the `pipelint.report/1` document, which is the report view serialised
//! (see [`Report`]'s `Serialize`): deals and findings are streamed from the view, never
//! held as a second copy, so the output is byte-identical for the same input, rules and
//! as-of at any thread count.

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};

use crate::report::view::Report;
use crate::report::view::rows::{Amount, BandCounts, FieldRow, OwnerRow, StageRow};
use crate::report::{EmitOptions, Emitter, Tool, formats::jsonw, sections::pieces};

/// The version of the JSON report's shape.
pub const SCHEMA: &str = "pipelint.report/1";

pub(crate) struct JsonEmitter;

impl Emitter for JsonEmitter {
    fn emit(
        &self,
        report: &Report<'_>,
        options: &EmitOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        // Pretty for a person at a terminal; compact for files and pipes (a third the size),
        // where deals and findings are rendered in parallel pieces.
        // `io::Error::from` keeps an underlying I/O error's kind (a closed pipe stays one).
        if options.terminal {
            let mut ser = serde_json::Serializer::with_formatter(
                &mut *out,
                serde_json::ser::PrettyFormatter::with_indent(b"  "),
            );
            report.serialize(&mut ser).map_err(io::Error::from)?;
        } else {
            compact(report, options.threads, out)?;
        }
        out.write_all(b"\n")
    }
}

/// The document as `serde_json::to_writer` writes it, byte for byte (a test holds it to
/// that), with the deals and findings rendered in parallel pieces.
fn compact(report: &Report<'_>, threads: usize, out: &mut dyn Write) -> io::Result<()> {
    let mut head = serde_json::to_vec(&Head(report)).map_err(io::Error::from)?;
    // `{…}`: reopen the object to append the two long arrays.
    head.pop();
    head.extend_from_slice(b",\"deals\":[");
    out.write_all(&head)?;
    pieces::write_in_order(out, threads, report.deal_count(), |i, buf| {
        if i > 0 {
            buf.push(b',');
        }
        if let Some(d) = report.deal(i) {
            jsonw::deal(buf, &d);
        }
        Ok(())
    })?;
    out.write_all(b"],\"findings\":[")?;
    pieces::write_in_order(out, threads, report.finding_count(), |i, buf| {
        if i > 0 {
            buf.push(b',');
        }
        if let Some(f) = report.finding(i) {
            jsonw::finding(buf, &f);
        }
        Ok(())
    })?;
    out.write_all(b"]}")
}

/// The whole report as the `pipelint.report/1` JSON document: every figure, then every deal
/// and every finding, streamed from the view one at a time.
impl Serialize for Report<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        head_entries(self, &mut map)?;
        map.serialize_entry("deals", &Streamed(self.deal_count(), || self.deals()))?;
        map.serialize_entry(
            "findings",
            &Streamed(self.finding_count(), || self.findings()),
        )?;
        map.end()
    }
}

/// Everything but the deals and findings, as one object.
struct Head<'r, 'a>(&'r Report<'a>);

impl Serialize for Head<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        head_entries(self.0, &mut map)?;
        map.end()
    }
}

/// Every figure of the document, in its order: the entries before the deals.
fn head_entries<M: SerializeMap>(report: &Report<'_>, map: &mut M) -> Result<(), M::Error> {
    let summary = report.summary();
    map.serialize_entry("schema", SCHEMA)?;
    map.serialize_entry("tool", &Tool::this())?;
    map.serialize_entry("as_of", &report.as_of().to_string())?;
    if let Some(note) = report.as_of_note() {
        map.serialize_entry("as_of_note", note)?;
    }
    map.serialize_entry("rules", report.rules())?;
    map.serialize_entry("inputs", report.inputs())?;
    map.serialize_entry("previous", &report.previous())?;
    map.serialize_entry("not_checked", report.not_checked())?;
    map.serialize_entry("summary", summary)?;
    if let Some(owners) = report.owner_filter() {
        // `--owner`: what the lists hold; the figures are the whole pipeline's.
        let (deals, findings) = report.unfiltered_counts();
        map.serialize_entry(
            "filter",
            &serde_json::json!({
                "owners": owners,
                "deals": report.deal_count(),
                "of_deals": deals,
                "findings": report.finding_count(),
                "of_findings": findings,
            }),
        )?;
    }
    map.serialize_entry(
        "completeness",
        &CompletenessJson {
            overall: summary.completeness,
            by_field: report.by_field(),
            by_owner: report
                .by_owner()
                .iter()
                .map(|r| GroupCompleteness {
                    owner: Some(r.owner.as_deref()),
                    stage: None,
                    records: r.figures.records,
                    completeness: r.figures.completeness,
                })
                .collect(),
            by_stage: report
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
            by_owner: report.by_owner(),
            by_stage: report.by_stage(),
        },
    )?;
    map.serialize_entry("findings_by_code", report.by_code())?;
    map.serialize_entry("health", report.health())?;
    map.serialize_entry("history", &report.history())?;
    map.serialize_entry("changes", &Changes(report))
}

/// The `changes` block: the change view's figures and every deal that moved; `null`
/// without a previous snapshot.
pub(crate) struct Changes<'r, 'a>(pub(crate) &'r Report<'a>);

impl Serialize for Changes<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        let Some(changes) = report.changes() else {
            return s.serialize_none();
        };
        #[derive(Serialize)]
        struct Block<'c, M> {
            #[serde(flatten)]
            figures: &'c crate::report::view::rows::ChangesRow,
            movements: M,
        }
        Block {
            figures: changes,
            movements: Streamed(report.movement_count(), || report.movements()),
        }
        .serialize(s)
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
