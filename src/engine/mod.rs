//! The audit engine: read → map → parse → check → score → aggregate.
//!
//! Each file is read on a background thread in batches of rows; rayon workers audit whole
//! batches in parallel as they arrive; the calling thread merges their results strictly in
//! input order through a small reorder buffer. Nothing a batch produces depends on which
//! worker audited it or when, so the result is identical at any `--threads`.

pub mod deals;
pub mod plan;
pub mod record;

use std::collections::BTreeMap;
use std::io;
use std::sync::mpsc::sync_channel;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rayon::prelude::*;

use crate::checks::duplicates::{self, IdIndex};
use crate::checks::input::duplicate_headers;
use crate::checks::{Code, Finding, Policy};
use crate::field::Canonical;
use crate::input::mapping::{FieldId, FieldTable, Mapping, bind};
use crate::input::{Batch, BatchStream, Export};
use crate::rules::RuleSet;
use crate::score::Tallies;
pub use deals::{Deal, DealStore, StageKey};
use plan::Plan;
use record::{ChunkOut, audit_chunk};

/// Rows per batch: the unit the reader hands over and a worker audits. Results do not depend
/// on how rows are split, only on the order batches are merged in.
const BATCH_ROWS: usize = 8 * 1024;

pub struct AuditOptions {
    /// Worker threads; 0 = one per core.
    pub threads: usize,
    pub policy: Policy,
    pub as_of: NaiveDate,
}

/// What the report says about one input file.
#[derive(Clone, Debug)]
pub struct InputSummary {
    pub path: String,
    /// Data rows read (deals plus malformed rows).
    pub records: u64,
    pub malformed: u64,
    /// Rows skipped as report footers or summaries.
    pub skipped: u64,
    pub encoding: &'static str,
    pub delimiter: u8,
    pub header: Vec<String>,
    pub mapping: Mapping,
}

/// The outcome of an audit, before rendering.
pub struct Audit {
    pub rules: RuleSet,
    pub table: FieldTable,
    pub as_of: NaiveDate,
    pub inputs: Vec<InputSummary>,
    pub deals: DealStore,
    /// Ordered by file, line, code, field.
    pub findings: Vec<Finding>,
    pub tallies: Tallies,
}

impl Audit {
    /// The header cell a finding's column refers to.
    pub fn column_name(&self, file: u32, column: Option<u32>) -> Option<&str> {
        let input = self.inputs.get(file as usize)?;
        input.header.get(column? as usize).map(String::as_str)
    }

    /// The header a field is read from (in the first file that has it).
    pub fn field_column(&self, field: FieldId) -> Option<&str> {
        self.inputs.iter().find_map(|i| {
            i.mapping
                .column(field)
                .and_then(|c| i.header.get(c))
                .map(String::as_str)
        })
    }

    /// Fields a preset uses that no file had (their checks were skipped).
    pub fn skipped_fields(&self) -> Vec<FieldId> {
        let mut out: Vec<FieldId> = Vec::new();
        for f in self.inputs.iter().flat_map(|i| i.mapping.skipped.iter()) {
            let everywhere = self.inputs.iter().all(|i| i.mapping.column(*f).is_none());
            if everywhere && !out.contains(f) {
                out.push(*f);
            }
        }
        out
    }

    /// A finding's field as the report names it: canonical name, else the header.
    pub fn finding_field(&self, f: &Finding) -> Option<&str> {
        match f.field {
            Some(id) => Some(self.table.name(id as usize)),
            None => self.column_name(f.file, f.column),
        }
    }
}

/// Bind the rules to every file's header. All problems of all files are reported at once.
pub fn bind_all(rules: &RuleSet, table: &FieldTable, exports: &[Export]) -> Result<Vec<Mapping>> {
    let mut mappings = Vec::new();
    let mut errors = Vec::new();
    for e in exports {
        match bind(rules, table, &e.header, &e.name) {
            Ok(m) => mappings.push(m),
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    Ok(mappings)
}

/// Audit every export with `rules`.
pub fn run(rules: RuleSet, exports: Vec<Export>, options: &AuditOptions) -> Result<Audit> {
    let table = FieldTable::new(&rules);
    let mappings = bind_all(&rules, &table, &exports)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .thread_name(|i| format!("pipelint-worker-{i}"))
        .build()?;

    let mut deals = DealStore::default();
    let mut findings = Vec::new();
    let mut tallies = Tallies::new(table.len(), rules.stages.len());
    let mut ids = IdIndex::default();
    let mut inputs = Vec::new();
    let id_field = table.canonical(Canonical::Id);

    for (file, (export, mapping)) in exports.into_iter().zip(mappings).enumerate() {
        let file = file as u32;
        if let Some(severity) = options.policy.severity(Code::In005, None) {
            for (column, message) in duplicate_headers(&export.header) {
                findings.push(Finding {
                    code: Code::In005,
                    severity,
                    file,
                    line: export.header.line,
                    deal: None,
                    record_id: None,
                    field: None,
                    column: Some(column as u32),
                    message,
                });
            }
        }
        let plan = Plan::new(
            &rules,
            &table,
            &mapping,
            &options.policy,
            file,
            export.header.len(),
        );
        let mut summary = InputSummary {
            path: export.name.clone(),
            records: 0,
            malformed: 0,
            skipped: 0,
            encoding: export.encoding,
            delimiter: export.delimiter,
            header: export.header.cells.clone(),
            mapping: mapping.clone(),
        };
        let name = export.name.clone();
        let mut stream = BatchStream::spawn(export.reader, BATCH_ROWS);
        let batches = stream.take_batches();
        let recycle = stream.recycle.clone();
        let mut into = MergeInto {
            deals: &mut deals,
            findings: &mut findings,
            tallies: &mut tallies,
            ids: &mut ids,
            inputs: &inputs,
            summary: &mut summary,
            policy: &options.policy,
            id_field,
            id_column: mapping.column(id_field),
        };
        let plan = &plan;
        let read_error = std::thread::scope(|scope| {
            let (done_tx, done_rx) = sync_channel::<(usize, io::Result<(ChunkOut, Batch)>)>(2);
            // Workers take whole batches as they come (no barrier between batches)...
            scope.spawn(|| {
                pool.install(|| {
                    batches.into_iter().enumerate().par_bridge().for_each_with(
                        done_tx,
                        |done, (seq, batch)| {
                            let result = batch.map(|b| (audit_chunk(plan, b.filled()), b));
                            let _ = done.send((seq, result));
                        },
                    );
                });
            });
            // ...and this thread merges their results strictly in input order.
            let mut waiting = BTreeMap::new();
            let mut next = 0;
            for (seq, result) in done_rx {
                match result {
                    Err(e) => return Some(e),
                    Ok((out, batch)) => {
                        into.summary.records += batch.len as u64;
                        let _ = recycle.send(batch);
                        waiting.insert(seq, out);
                    }
                }
                while let Some(out) = waiting.remove(&next) {
                    into.merge(out);
                    next += 1;
                }
            }
            None
        });
        if let Some(e) = read_error {
            bail!("cannot read {name}: {e}");
        }
        drop(stream);
        inputs.push(summary);
    }

    sort_findings(&mut findings, &table);
    Ok(Audit {
        rules,
        table,
        as_of: options.as_of,
        inputs,
        deals,
        findings,
        tallies,
    })
}

struct MergeInto<'a> {
    deals: &'a mut DealStore,
    findings: &'a mut Vec<Finding>,
    tallies: &'a mut Tallies,
    ids: &'a mut IdIndex,
    inputs: &'a [InputSummary],
    summary: &'a mut InputSummary,
    policy: &'a Policy,
    id_field: FieldId,
    id_column: Option<usize>,
}

impl MergeInto<'_> {
    /// Merge one chunk into the totals, in input order; DUP001 is decided here because it
    /// needs every earlier record.
    fn merge(&mut self, out: ChunkOut) {
        merge_chunk(out, self);
    }
}

fn merge_chunk(out: ChunkOut, into: &mut MergeInto<'_>) {
    let offset = into.deals.len() as u32;
    into.summary.malformed += out.malformed;
    let (owner_ids, stage_ids) = into.deals.absorb(out.deals);
    into.tallies.merge(&out.tallies, &owner_ids, &stage_ids);
    for mut f in out.findings {
        f.deal = f.deal.map(|d| d + offset);
        into.findings.push(f);
    }
    let dup_severity = into.policy.severity(Code::Dup001, None);
    for (i, hash) in out.id_hashes.into_iter().enumerate() {
        let (Some(hash), Some(severity)) = (hash, dup_severity) else {
            continue;
        };
        let deal = offset + i as u32;
        let store = &*into.deals;
        let id_of = |d: u32| store.get(d as usize).map_or("", |d| store.id(d));
        let Some(first) = into.ids.insert(id_of(deal), hash, deal, id_of) else {
            continue;
        };
        let (Some(this), Some(prev)) = (store.get(deal as usize), store.get(first as usize)) else {
            continue;
        };
        let id = store.id(this);
        let prev_file = if prev.file == this.file {
            into.summary.path.as_str()
        } else {
            into.inputs
                .get(prev.file as usize)
                .map_or("?", |s| s.path.as_str())
        };
        into.findings.push(Finding {
            code: Code::Dup001,
            severity,
            file: this.file,
            line: this.line,
            deal: Some(deal),
            record_id: None,
            field: Some(into.id_field as u32),
            column: into.id_column.map(|c| c as u32),
            message: duplicates::message(id, prev_file, prev.line, prev.file == this.file),
        });
    }
}

/// Findings are ordered by file, line, code, field.
fn sort_findings(findings: &mut [Finding], table: &FieldTable) {
    findings.sort_by(|a, b| {
        (a.file, a.line, a.code.as_str())
            .cmp(&(b.file, b.line, b.code.as_str()))
            .then_with(|| {
                let fa = a.field.map(|f| table.name(f as usize));
                let fb = b.field.map(|f| table.name(f as usize));
                fa.cmp(&fb)
            })
            .then_with(|| a.column.cmp(&b.column))
    });
}
