//! The audit engine: read → map → parse → check → score → aggregate.
//!
//! Each file is read on a background thread in batches of rows; rayon workers audit whole
//! batches in parallel as they arrive; the calling thread merges their results strictly in
//! input order through a small reorder buffer. Nothing a batch produces depends on which
//! worker audited it or when, so the result is identical at any `--threads`.

pub mod deals;
pub mod plan;
pub mod record;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io;
use std::sync::mpsc::sync_channel;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rayon::prelude::*;

use crate::checks::duplicates;
use crate::checks::hygiene;
use crate::checks::hygiene::normalize_name;
use crate::checks::input::duplicate_headers;
use crate::checks::required::{self, Because};
use crate::checks::{Code, Finding, Message, NO_FIELD, Policy, RowRef, Severity, Subject};
use crate::field::Canonical;
use crate::input::mapping::{FieldId, FieldTable, Mapping, bind};
use crate::input::{Batch, BatchStream, Export};
use crate::rules::RuleSet;
use crate::score::Tallies;
use crate::score::risk::Riskiest;
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
    /// How many of the riskiest open deals to keep for reports (the table's `--top`).
    pub keep_riskiest: usize,
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
    /// Date formats and decimal mark read from the file's values, in words.
    pub detected: Vec<String>,
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
    /// Records findings are about that are not deals (malformed rows, headers).
    pub rows: Vec<RowRef>,
    /// Messages findings keep as text.
    pub messages: Vec<Box<str>>,
    pub tallies: Tallies,
    /// The riskiest open deals, riskiest first (up to `AuditOptions::keep_riskiest`).
    pub riskiest: Riskiest,
}

impl Audit {
    /// The header cell at `column` of `file`.
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

    /// The deal a finding is about, if it is about one.
    pub fn finding_deal(&self, f: &Finding) -> Option<&Deal> {
        match f.subject {
            Subject::Deal(d) => self.deals.get(d as usize),
            Subject::Row(_) => None,
        }
    }

    fn finding_row(&self, f: &Finding) -> Option<&RowRef> {
        match f.subject {
            Subject::Row(r) => self.rows.get(r as usize),
            Subject::Deal(_) => None,
        }
    }

    /// Index of the file a finding is in.
    pub fn finding_file(&self, f: &Finding) -> u32 {
        match (self.finding_deal(f), self.finding_row(f)) {
            (Some(d), _) => d.file,
            (_, Some(r)) => r.file,
            _ => 0,
        }
    }

    /// The physical line where the finding's record starts.
    pub fn finding_line(&self, f: &Finding) -> u64 {
        match (self.finding_deal(f), self.finding_row(f)) {
            (Some(d), _) => d.line,
            (_, Some(r)) => r.line,
            _ => 0,
        }
    }

    /// The record's id as read.
    pub fn finding_record_id(&self, f: &Finding) -> Option<&str> {
        let id = match (self.finding_deal(f), self.finding_row(f)) {
            (Some(d), _) => Some(self.deals.id(d)),
            (_, Some(r)) => r.record_id.as_deref(),
            _ => None,
        };
        id.filter(|id| !id.is_empty())
    }

    /// The header of the column the finding is about, as written in its file.
    pub fn finding_column(&self, f: &Finding) -> Option<&str> {
        let file = self.finding_file(f);
        let column = match (f.field(), self.finding_row(f)) {
            (_, Some(r)) if r.column.is_some() => r.column.map(|c| c as usize),
            (Some(field), _) => self.inputs.get(file as usize)?.mapping.column(field),
            _ => None,
        };
        self.column_name(file, column.map(|c| c as u32))
    }

    /// A finding's field as the report names it: canonical name, else the header.
    pub fn finding_field(&self, f: &Finding) -> Option<&str> {
        match f.field() {
            Some(id) => Some(self.table.name(id)),
            None => self.finding_column(f),
        }
    }

    /// What a finding says.
    pub fn message(&self, f: &Finding) -> Cow<'_, str> {
        match f.message {
            Message::Stored(i) => Cow::Borrowed(self.messages.get(i as usize).map_or("", |m| m)),
            Message::Derived(payload) => Cow::Owned(self.derived_message(f, payload)),
        }
    }

    fn derived_message(&self, f: &Finding, payload: u32) -> String {
        let Some(d) = self.finding_deal(f) else {
            return String::new();
        };
        let stage_index = match d.stage {
            StageKey::Known(i) => Some(i as usize),
            _ => None,
        };
        let stage = stage_index.and_then(|i| self.rules.stages.get(i));
        match f.code {
            Code::Req001 | Code::Req002 | Code::Req003 => {
                let because = Because::from_payload(payload, stage_index);
                let field = f.field().map_or("?", |id| self.table.name(id));
                required::message(because, field, "is empty", &self.rules)
            }
            Code::Dup001 | Code::Dup002 => {
                let Some(prev) = self.deals.get(payload as usize) else {
                    return String::new();
                };
                let prev_file = self
                    .inputs
                    .get(prev.file as usize)
                    .map_or("?", |i| i.path.as_str());
                let first = duplicates::place(prev_file, prev.line, prev.file == d.file);
                if f.code == Code::Dup001 {
                    duplicates::dup001_message(self.deals.id(d), &first)
                } else {
                    duplicates::dup002_message(
                        self.deals.account(prev),
                        self.deals.name(prev),
                        &first,
                    )
                }
            }
            code => hygiene::message(
                code,
                &hygiene::Facts {
                    as_of: self.as_of,
                    risk: &self.rules.risk,
                    stage,
                    close_date: d.close_date,
                    last_activity: d.risk.last_activity,
                    days_in_stage: d.risk.days_in_stage(),
                    days_capped: d.risk.has(crate::score::RiskFacts::DAYS_CAPPED),
                    probability: d.risk.probability(),
                    forecast: self.deals.forecast(d),
                    amount: d.amount(),
                },
            ),
        }
    }
}

/// Bind the rules to every file's header. All problems of all files are reported at once.
pub fn bind_all(rules: &RuleSet, table: &FieldTable, exports: &[Export]) -> Result<Vec<Mapping>> {
    if table.len() >= usize::from(NO_FIELD) {
        bail!(
            "the rules name {} fields; pipelint audits at most {}",
            table.len(),
            NO_FIELD - 1
        );
    }
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
    let readings = crate::infer::read_files(&rules, &table, &mappings, &exports);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .thread_name(|i| format!("pipelint-worker-{i}"))
        .build()?;

    let mut deals = DealStore::default();
    let mut findings = Vec::new();
    let mut rows = Vec::new();
    let mut messages = Vec::new();
    let mut tallies = Tallies::new(table.len(), rules.stages.len());
    let mut riskiest = Riskiest::new(options.keep_riskiest);
    let mut id_keys = Vec::new();
    // Findings known only once a file or the whole input is read (IN003, IN004, DUP).
    let mut extras = Vec::new();
    let mut deal_keys = Vec::new();
    let mut inputs = Vec::new();

    for (file, ((export, mapping), reading)) in
        exports.into_iter().zip(mappings).zip(&readings).enumerate()
    {
        let file = file as u32;
        if let Some(severity) = options.policy.severity(Code::In005, None) {
            for (column, message) in duplicate_headers(&export.header) {
                rows.push(RowRef {
                    file,
                    line: export.header.line,
                    record_id: None,
                    column: Some(column as u32),
                });
                messages.push(message.into_boxed_str());
                findings.push(Finding {
                    subject: Subject::Row(rows.len() as u32 - 1),
                    message: Message::Stored(messages.len() as u32 - 1),
                    field: NO_FIELD,
                    code: Code::In005,
                    severity,
                });
            }
        }
        let plan = Plan::new(
            &rules,
            &table,
            &mapping,
            options,
            reading,
            file,
            export.header.len(),
        );
        let mut summary = InputSummary {
            path: export.name.clone(),
            records: 0,
            malformed: 0,
            skipped: 0,
            encoding: export.encoding.name(),
            delimiter: export.delimiter,
            header: export.header.cells.clone(),
            mapping: mapping.clone(),
            detected: reading.detected.clone(),
        };
        let name = export.name.clone();
        let mut stream = BatchStream::spawn(export.reader, BATCH_ROWS, export.header.len());
        let batches = stream.take_batches();
        let recycle = stream.recycle.clone();
        let mut into = MergeInto {
            deals: &mut deals,
            findings: &mut findings,
            rows: &mut rows,
            messages: &mut messages,
            tallies: &mut tallies,
            riskiest: &mut riskiest,
            id_keys: &mut id_keys,
            deal_keys: &mut deal_keys,
            summary: &mut summary,
            first_skipped: None,
            first_not_utf8: export.header_not_utf8.then_some(export.header.line),
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
                            let result = batch.map(|b| (audit_chunk(plan, &b.rows), b));
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
                        into.summary.records += batch.len() as u64;
                        if let Some((n, first)) = batch.footer {
                            into.skipped(n, first);
                        }
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
        let (first_skipped, first_not_utf8) = (into.first_skipped, into.first_not_utf8);
        if let Some(e) = read_error {
            bail!("cannot read {name}: {e}");
        }
        drop(stream);
        // File-level findings, placed at their lines once the file is read.
        let mut file_finding = |code: Code, line: u64, message: String| {
            if let Some(severity) = options.policy.severity(code, None) {
                rows.push(RowRef {
                    file,
                    line,
                    record_id: None,
                    column: None,
                });
                messages.push(message.into_boxed_str());
                extras.push(Finding {
                    subject: Subject::Row(rows.len() as u32 - 1),
                    message: Message::Stored(messages.len() as u32 - 1),
                    field: NO_FIELD,
                    code,
                    severity,
                });
            }
        };
        if let Some(line) = first_not_utf8 {
            summary.encoding = "windows-1252";
            file_finding(
                Code::In003,
                line,
                format!("text is not UTF-8 from line {line} on; read as Windows-1252"),
            );
        }
        if let (Some(line), n) = (first_skipped, summary.skipped) {
            file_finding(
                Code::In004,
                line,
                format!(
                    "skipped {n} report footer and summary row{} (first at line {line})",
                    if n == 1 { "" } else { "s" }
                ),
            );
        }
        inputs.push(summary);
    }

    let findings = pool.install(|| {
        let mut repeats = find_duplicates(&deals, id_keys, deal_keys, &table, &options.policy);
        repeats.append(&mut extras);
        insert_ordered(findings, repeats, &deals, &rows, &table)
    });
    Ok(Audit {
        rules,
        table,
        as_of: options.as_of,
        inputs,
        deals,
        findings,
        rows,
        messages,
        tallies,
        riskiest,
    })
}

struct MergeInto<'a> {
    deals: &'a mut DealStore,
    findings: &'a mut Vec<Finding>,
    rows: &'a mut Vec<RowRef>,
    messages: &'a mut Vec<Box<str>>,
    tallies: &'a mut Tallies,
    riskiest: &'a mut Riskiest,
    /// `(hash, deal)` of every deal's id and (open deals) folded account and name.
    id_keys: &'a mut Vec<(u32, u32)>,
    deal_keys: &'a mut Vec<(u32, u32)>,
    summary: &'a mut InputSummary,
    /// The first skipped row and the first non-UTF-8 row of this file, for IN004 and IN003.
    first_skipped: Option<u64>,
    first_not_utf8: Option<u64>,
}

impl MergeInto<'_> {
    /// Append one batch, in input order. Its findings are in row order with each record's
    /// sorted already, so they are only relocated (deal, row and message indices shift).
    fn skipped(&mut self, n: u64, first: u64) {
        self.summary.skipped += n;
        let f = self.first_skipped.get_or_insert(first);
        *f = (*f).min(first);
    }

    fn merge(&mut self, out: ChunkOut) {
        let offset = self.deals.len() as u32;
        self.summary.records -= out.skipped;
        if let Some(first) = out.first_skipped {
            self.skipped(out.skipped, first);
        }
        if let Some(line) = out.first_not_utf8 {
            let f = self.first_not_utf8.get_or_insert(line);
            *f = (*f).min(line);
        }
        let row_offset = self.rows.len() as u32;
        let message_offset = self.messages.len() as u32;
        self.summary.malformed += out.malformed;
        let (owner_ids, stage_ids) = self.deals.absorb(out.deals);
        self.tallies.merge(&out.tallies, &owner_ids, &stage_ids);
        self.riskiest.merge(&out.riskiest, offset);
        self.rows.extend(out.rows);
        self.messages.extend(out.messages);
        self.findings.extend(out.findings.into_iter().map(|mut f| {
            f.subject = match f.subject {
                Subject::Deal(d) => Subject::Deal(d + offset),
                Subject::Row(r) => Subject::Row(r + row_offset),
            };
            if let Message::Stored(m) = f.message {
                f.message = Message::Stored(m + message_offset);
            }
            f
        }));
        let keys = out.id_hashes.into_iter().zip(out.dup_keys);
        for (i, (id_hash, deal_key)) in keys.enumerate() {
            let deal = offset + i as u32;
            if let Some(hash) = id_hash {
                self.id_keys.push((hash, deal));
            }
            if let Some(hash) = deal_key {
                self.deal_keys.push((hash, deal));
            }
        }
    }
}

/// DUP001 (same id) and DUP002 (same open deal, not already a DUP001), as findings sorted by
/// deal. Each finding's message is derived from the first deal's index.
fn find_duplicates(
    deals: &DealStore,
    id_keys: Vec<(u32, u32)>,
    deal_keys: Vec<(u32, u32)>,
    table: &FieldTable,
    policy: &Policy,
) -> Vec<Finding> {
    let finding = |code: Code, severity: Severity, deal: u32, first: u32, field: FieldId| Finding {
        subject: Subject::Deal(deal),
        message: Message::Derived(first),
        field: u16::try_from(field).unwrap_or(NO_FIELD),
        code,
        severity,
    };
    let id_of = |d: u32| deals.get(d as usize).map_or("", |d| deals.id(d));
    let same_id = duplicates::repeats(id_keys, |a, b| id_of(a) == id_of(b));
    let mut out = Vec::new();
    if let Some(severity) = policy.severity(Code::Dup001, None) {
        let field = table.canonical(Canonical::Id);
        out.extend(
            same_id
                .iter()
                .map(|&(d, first)| finding(Code::Dup001, severity, d, first, field)),
        );
    }
    if let Some(severity) = policy.severity(Code::Dup002, None) {
        // A repeated row is DUP001's; DUP002 is for the same deal entered twice. Repeats
        // stay among the keys (a later deal may match one of them) but get no DUP002.
        let mut repeated = vec![0u64; deals.len().div_ceil(64)];
        for &(d, _) in &same_id {
            repeated[d as usize / 64] |= 1 << (d % 64);
        }
        let is_repeat = |d: u32| repeated[d as usize / 64] & (1 << (d % 64)) != 0;
        let folded = |d: u32| -> String {
            let Some(d) = deals.get(d as usize) else {
                return String::new();
            };
            let (mut a, mut b) = (String::new(), String::new());
            normalize_name(deals.account(d), &mut a);
            normalize_name(deals.name(d), &mut b);
            a.push('\u{0}');
            a.push_str(&b);
            a
        };
        let same_deal = duplicates::repeats(deal_keys, |a, b| folded(a) == folded(b));
        let field = table.canonical(Canonical::Name);
        out.extend(
            same_deal
                .iter()
                .filter(|&&(d, _)| !is_repeat(d))
                .map(|&(d, first)| finding(Code::Dup002, severity, d, first, field)),
        );
    }
    out.sort_by_key(|f| match f.subject {
        Subject::Deal(d) => (d, f.code),
        Subject::Row(_) => (u32::MAX, f.code),
    });
    out
}

/// Put findings known only at the end (duplicates, file-level IN003/IN004) into the ordered
/// findings, each where it belongs by file, line, code and field. Merged in place from the
/// back, so the long list is neither copied nor reallocated twice.
fn insert_ordered(
    mut findings: Vec<Finding>,
    mut extras: Vec<Finding>,
    deals: &DealStore,
    rows: &[RowRef],
    table: &FieldTable,
) -> Vec<Finding> {
    if extras.is_empty() {
        return findings;
    }
    let key = |f: &Finding| {
        let (file, line) = match f.subject {
            Subject::Deal(d) => deals.get(d as usize).map_or((0, 0), |d| (d.file, d.line)),
            Subject::Row(r) => rows.get(r as usize).map_or((0, 0), |r| (r.file, r.line)),
        };
        (file, line, f.code, f.field().map(|id| table.name(id)))
    };
    extras.sort_by(|a, b| key(a).cmp(&key(b)));
    let old = findings.len();
    findings.extend_from_slice(&extras);
    let (mut i, mut write) = (old, findings.len());
    for e in extras.iter().rev() {
        let at = key(e);
        // Everything from the first finding after `e` moves up past it.
        let pos = findings[..i].partition_point(|f| key(f) <= at);
        write -= i - pos;
        findings.copy_within(pos..i, write);
        write -= 1;
        findings[write] = *e;
        i = pos;
    }
    findings
}
