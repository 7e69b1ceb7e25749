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

use crate::checks::duplicates::{self, KeyIndex};
use crate::checks::hygiene::normalize_name;
use crate::checks::input::duplicate_headers;
use crate::checks::{Code, Finding, Policy, Severity};
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
    let mut ids = KeyIndex::default();
    let mut same_deals = KeyIndex::default();
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
            options.as_of,
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
            same_deals: &mut same_deals,
            inputs: &inputs,
            summary: &mut summary,
            policy: &options.policy,
            id_field,
            name_field: table.canonical(Canonical::Name),
            mapping: &mapping,
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
    ids: &'a mut KeyIndex,
    same_deals: &'a mut KeyIndex,
    inputs: &'a [InputSummary],
    summary: &'a mut InputSummary,
    policy: &'a Policy,
    id_field: FieldId,
    name_field: FieldId,
    mapping: &'a Mapping,
}

impl MergeInto<'_> {
    /// Merge one batch into the totals, in input order. DUP001 and DUP002 are decided here
    /// because they need every earlier record.
    fn merge(&mut self, out: ChunkOut) {
        let offset = self.deals.len() as u32;
        self.summary.malformed += out.malformed;
        let (owner_ids, stage_ids) = self.deals.absorb(out.deals);
        self.tallies.merge(&out.tallies, &owner_ids, &stage_ids);
        for mut f in out.findings {
            f.deal = f.deal.map(|d| d + offset);
            self.findings.push(f);
        }
        let dup001 = self.policy.severity(Code::Dup001, None);
        let dup002 = self.policy.severity(Code::Dup002, None);
        let keys = out.id_hashes.into_iter().zip(out.dup_keys);
        for (i, (id_hash, deal_key)) in keys.enumerate() {
            let deal = offset + i as u32;
            let mut repeated_id = false;
            if let (Some(hash), Some(severity)) = (id_hash, dup001) {
                if let Some(first) = self.first_with_id(deal, hash) {
                    repeated_id = true;
                    self.report(Code::Dup001, severity, deal, first, self.id_field);
                }
            }
            // A repeated row is DUP001's; DUP002 is for the same deal entered twice.
            if let (Some(hash), Some(severity), false) = (deal_key, dup002, repeated_id) {
                if let Some(first) = self.first_same_deal(deal, hash) {
                    self.report(Code::Dup002, severity, deal, first, self.name_field);
                }
            }
        }
    }

    fn first_with_id(&mut self, deal: u32, hash: u32) -> Option<u32> {
        let store = &*self.deals;
        let id_of = |d: u32| store.get(d as usize).map_or("", |d| store.id(d));
        let id = id_of(deal);
        self.ids
            .insert(hash, deal, |prev| id_of(prev) == id, || id.to_string())
    }

    fn first_same_deal(&mut self, deal: u32, hash: u32) -> Option<u32> {
        let store = &*self.deals;
        let key_of = |d: u32| -> String {
            let Some(d) = store.get(d as usize) else {
                return String::new();
            };
            let (mut a, mut b) = (String::new(), String::new());
            normalize_name(store.account(d), &mut a);
            normalize_name(store.name(d), &mut b);
            format!("{a}\u{0}{b}")
        };
        self.same_deals.insert(
            hash,
            deal,
            |prev| key_of(prev) == key_of(deal),
            || key_of(deal),
        )
    }

    fn report(&mut self, code: Code, severity: Severity, deal: u32, first: u32, field: FieldId) {
        let store = &*self.deals;
        let (Some(this), Some(prev)) = (store.get(deal as usize), store.get(first as usize)) else {
            return;
        };
        let prev_file = if prev.file == this.file {
            self.summary.path.as_str()
        } else {
            self.inputs
                .get(prev.file as usize)
                .map_or("?", |s| s.path.as_str())
        };
        let first_place = duplicates::place(prev_file, prev.line, prev.file == this.file);
        let message = match code {
            Code::Dup001 => duplicates::dup001_message(store.id(this), &first_place),
            _ => duplicates::dup002_message(store.account(prev), store.name(prev), &first_place),
        };
        self.findings.push(Finding {
            code,
            severity,
            file: this.file,
            line: this.line,
            deal: Some(deal),
            record_id: None,
            field: Some(field as u32),
            column: self.mapping.column(field).map(|c| c as u32),
            message,
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
