//! The audit engine: orchestration only. It binds the rules to each file, reads the file on
//! a background thread in batches of rows, has rayon workers run whole batches through the
//! checks (`record`), and merges their results strictly in input order through a small
//! reorder buffer; then the whole-audit checks run. It names no check code: every finding
//! is a check family's.
//!
//! Nothing a batch produces depends on which worker audited it or when, so the result is
//! identical at any `--threads`.

mod gaps;
pub(crate) mod record;

use std::collections::BTreeMap;
use std::io;
use std::sync::mpsc::sync_channel;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rayon::prelude::*;

use crate::audit::{Audit, Comparison, InputSummary};
use crate::checks::changes;
use crate::checks::duplicates::{self, DupKeys, KeyBuckets};
use crate::checks::input::{self, ReadTally};
use crate::checks::traps;
use crate::deal::DealStore;
use crate::diag::{Code, Finding, FindingSink, Findings, NO_FIELD, Policy, StoredRow, Subject};
use crate::facts::mapping::{FieldTable, Mapping, bind};
use crate::facts::pairing::Baseline;
use crate::facts::pairing::Pairing;
use crate::facts::plan::Plan;
use crate::input::reader::BATCH_ROWS;
use crate::input::{Batch, BatchStream, Export};
use crate::rules::RuleSet;
use crate::score::Tallies;
use crate::score::risk::Riskiest;
use record::{ChunkOut, Worker, audit_chunk};

/// How an audit runs, beyond its rules and inputs.
pub(crate) struct RunOptions {
    /// Worker threads (at least one; the caller clamps it to the machine).
    pub(crate) threads: usize,
    pub(crate) policy: Policy,
    pub(crate) as_of: NaiveDate,
    /// Whether as-of was given; when it defaulted to today, IN013 may say it is far from
    /// the data.
    pub(crate) as_of_given: bool,
    /// How many of the riskiest open deals to keep for reports (the table's `--top`).
    pub(crate) keep_riskiest: usize,
    /// The column (`--by FIELD`) whose value each deal keeps for the health breakdowns.
    pub(crate) by: Option<String>,
}

/// The column of `by` in each file: a field the rules name (canonical or header), else a
/// header spelt any case. An error when no file has it; none without `--by`.
fn group_columns(
    by: Option<&str>,
    table: &FieldTable,
    mappings: &[Mapping],
    exports: &[Export],
) -> Result<Vec<Option<usize>>> {
    let Some(by) = by else {
        return Ok(vec![None; exports.len()]);
    };
    let id = table.id(&crate::field::FieldName::parse(by));
    let columns: Vec<Option<usize>> = mappings
        .iter()
        .zip(exports)
        .map(|(m, e)| {
            id.and_then(|id| m.column(id)).or_else(|| {
                e.header
                    .cells
                    .iter()
                    .position(|h| h.trim().eq_ignore_ascii_case(by.trim()))
            })
        })
        .collect();
    if columns.iter().all(Option::is_none) {
        let headers = exports
            .iter()
            .flat_map(|e| e.header.cells.iter().map(String::as_str));
        bail!(
            "--by {by}: no input has that column{}",
            crate::suggest::hint_then(by, headers, "name one of the export's headers")
        );
    }
    Ok(columns)
}

/// What is known of an export before its rows are read: its name, encoding, delimiter,
/// header and mapping; the counts start at zero.
fn before_reading(
    export: &Export,
    mapping: &Mapping,
    reading: &crate::facts::reading::FileReading,
) -> InputSummary {
    InputSummary {
        path: export.name.clone(),
        records: 0,
        malformed: 0,
        skipped: 0,
        cut_cells: 0,
        first_cut: None,
        dump: export.dump,
        header_named: export.header_named,
        encoding: export.encoding.name(),
        delimiter: export.delimiter,
        header: export.header.cells.clone(),
        header_line: export.header.line,
        mapping: mapping.clone(),
        detected: reading.detected.clone(),
        previous: false,
    }
}

/// Bind the rules to every file's header. All problems of all files are reported at once.
fn bind_all(rules: &RuleSet, table: &FieldTable, exports: &[Export]) -> Result<Vec<Mapping>> {
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
            Ok(m) => {
                let id = m.column(table.canonical(crate::field::Canonical::Id));
                if let Some(why) = traps::history_rows(e, id) {
                    errors.push(why);
                }
                mappings.push(m);
            }
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    Ok(mappings)
}

/// What the merge keeps of the whole audit while batches arrive.
struct Merged<'p> {
    deals: DealStore,
    findings: FindingSink<'p>,
    tallies: Tallies,
    riskiest: Riskiest,
    /// `(hash, deal)` of every deal's id and (open deals) folded account and name.
    id_keys: KeyBuckets,
    deal_keys: KeyBuckets,
    /// `(deal, previous deal)` as rows paired, in input order.
    pairs: Vec<(u32, u32)>,
}

impl<'p> Merged<'p> {
    fn new(policy: &'p Policy, table: &FieldTable, rules: &RuleSet, keep: usize) -> Merged<'p> {
        Merged {
            deals: DealStore::default(),
            findings: FindingSink::new(policy),
            tallies: Tallies::new(table.len(), rules.stages.len()),
            riskiest: Riskiest::new(keep),
            id_keys: KeyBuckets::default(),
            deal_keys: KeyBuckets::default(),
            pairs: Vec::new(),
        }
    }
}

/// The previous snapshot to compare with, paired by id when both it and every current file
/// map one, else by account and name.
fn baseline<'a>(
    previous: &'a Audit,
    table: &FieldTable,
    mappings: &[Mapping],
    current_files: u32,
) -> Baseline<'a> {
    let id = table.canonical(crate::field::Canonical::Id);
    let by_id = previous
        .inputs
        .iter()
        .all(|i| i.mapping.column(id).is_some())
        && mappings.iter().all(|m| m.column(id).is_some());
    let snapshot = previous.snapshot();
    Baseline::new(snapshot, by_id, current_files)
}

impl Merged<'_> {
    /// Append one batch, in input order. Its findings are in row order with each record's
    /// sorted already, so they are only relocated (deal, row and message indices shift).
    fn merge(&mut self, out: ChunkOut<'_>, read: &mut ReadTally) {
        let offset = self.deals.len() as u32;
        read.merge(&out.read);
        let (owner_ids, stage_ids) = self.deals.absorb(out.deals);
        self.tallies.merge(&out.tallies, &owner_ids, &stage_ids);
        self.riskiest.merge(&out.riskiest, offset);
        self.pairs
            .extend(out.pairs.iter().map(|&(d, old)| (d + offset, old)));
        let moved = self.findings.take_from(out.sink, offset);
        self.findings.findings.extend(moved);
        for (i, DupKeys { id, deal }) in out.dup_keys.into_iter().enumerate() {
            let d = offset + i as u32;
            if let Some(hash) = id {
                self.id_keys.push(hash, d);
            }
            if let Some(hash) = deal {
                self.deal_keys.push(hash, d);
            }
        }
    }
}

/// Audit every export with `rules`; with `previous`, compared with that earlier audit of
/// the same rules (the change checks), and the comparison besides.
pub(crate) fn run(
    rules: RuleSet,
    exports: Vec<Export>,
    options: &RunOptions,
    previous: Option<Audit>,
) -> Result<(Audit, Option<Comparison>)> {
    let table = FieldTable::new(&rules);
    let mappings = bind_all(&rules, &table, &exports)?;
    let current_files = exports.len() as u32;
    let pool = worker_pool(options.threads)?;
    let baseline = previous
        .as_ref()
        .map(|p| pool.install(|| baseline(p, &table, &mappings, current_files)));
    let groups = group_columns(options.by.as_deref(), &table, &mappings, &exports)?;
    let (mappings, readings) = read_files(&rules, &table, mappings, &exports);
    let policy = &options.policy;

    let mut merged = Merged::new(policy, &table, &rules, options.keep_riskiest);
    // Findings known only once a file or the whole input is read (IN003, IN004, DUP).
    let mut later = FindingSink::new(policy);
    let mut inputs = Vec::new();
    // What the data traps leave out of the audit, and the newest date of any deal.
    let mut trap_not_checked: Vec<(Vec<Code>, String)> = Vec::new();
    let mut newest: Option<NaiveDate> = None;

    for (file, ((export, mapping), reading)) in
        exports.into_iter().zip(mappings).zip(&readings).enumerate()
    {
        let file = file as u32;
        let header_line = export.header.line;
        input::check_header(&export.header, file, &mut merged.findings);
        let mut plan = Plan::new(
            &rules,
            &table,
            &mapping,
            options.as_of,
            reading,
            file,
            export.header.len(),
        );
        plan.baseline = baseline.as_ref();
        plan.group_col = groups.get(file as usize).copied().flatten();
        let mut summary = before_reading(&export, &mapping, reading);
        let mut read = ReadTally::default();
        if export.header_not_utf8 {
            read.not_utf8(export.header.line, export.legacy.unwrap_or_default());
        }
        let name = export.name.clone();
        let first_deal = merged.deals.len();
        let mut stream = BatchStream::spawn(export.reader, BATCH_ROWS, export.header.len());
        let read_error = read_batches(
            &pool,
            &plan,
            policy,
            options.keep_riskiest,
            &mut stream,
            &mut merged,
            &mut summary,
            &mut read,
        );
        if let Some(e) = read_error {
            bail!("cannot read {name}: {e}");
        }
        drop(stream);
        // Only a file whose sample shows owner ids has its owners counted (IN014).
        let owners = reading.traps.owner_ids.as_ref().map(|_| {
            traps::FileOwners::of(&merged.deals, first_deal, rules.input.owners.as_deref())
        });
        file_read(
            (file, header_line),
            (&table, &mapping, reading, owners.as_ref()),
            &read,
            &mut summary,
            &mut later,
            &mut trap_not_checked,
        );
        newest = newest.max(read.newest);
        inputs.push(summary);
    }

    // Only this snapshot's files are listed yet: the first is where IN013 points.
    let first_header = inputs.first().map(|i| i.header_line);
    let as_of_note = (!options.as_of_given)
        .then(|| traps::as_of_far(options.as_of, newest, first_header, &mut later))
        .flatten();
    let Merged {
        deals,
        findings,
        tallies,
        riskiest,
        id_keys,
        deal_keys,
        pairs,
    } = merged;
    let (findings, pairing) = pool.install(|| {
        settle(
            &deals,
            findings,
            later,
            (id_keys, deal_keys),
            baseline.as_ref().map(|b| (b, pairs.as_slice())),
            &table,
        )
    });
    drop(baseline);
    if let Some(p) = &previous {
        inputs.extend(p.inputs.iter().map(|i| InputSummary {
            previous: true,
            ..i.clone()
        }));
    }
    let (checks_run, not_checked) = gaps::checks_and_gaps(
        &rules,
        &table,
        policy,
        &inputs,
        previous.is_some(),
        trap_not_checked,
    );
    let audit = Audit {
        rules,
        table,
        as_of: options.as_of,
        inputs,
        deals,
        findings,
        tallies,
        riskiest,
        checks_run,
        by: options.by.clone(),
        not_checked,
        as_of_note,
    };
    let compared = match (previous, pairing) {
        (Some(p), Some(pairing)) => Some(compare(&audit, p, pairing)?),
        _ => None,
    };
    Ok((audit, compared))
}

/// The comparison of `audit` with the `previous` snapshot its deals paired with: what
/// changed (the change view).
fn compare(audit: &Audit, previous: Audit, pairing: Pairing) -> Result<Comparison> {
    let now = (
        &audit.deals,
        &audit.rules,
        audit.as_of,
        audit.findings.list.as_slice(),
    );
    let changes = crate::score::changes::compare(previous.snapshot(), &pairing, now)?;
    Ok(Comparison {
        previous: Box::new(previous),
        streaks: Vec::new(),
        pairing,
        changes,
    })
}

/// How each file's values are read (date formats, decimal mark, the traps its sample
/// shows), and its mapping without the columns empty on every sampled row (IN010): no check
/// judges deals by them.
fn read_files(
    rules: &RuleSet,
    table: &FieldTable,
    mut mappings: Vec<Mapping>,
    exports: &[Export],
) -> (Vec<Mapping>, Vec<crate::facts::reading::FileReading>) {
    let readings = crate::facts::reading::read_files(rules, table, &mappings, exports);
    for (mapping, reading) in mappings.iter_mut().zip(&readings) {
        mapping.drop_empty(&reading.traps.empty);
    }
    (mappings, readings)
}

/// The rayon workers batches are audited on.
fn worker_pool(threads: usize) -> Result<rayon::ThreadPool> {
    Ok(rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("pipelint-worker-{i}"))
        .build()?)
}

/// What a file gets once it is read: IN003 and IN004, its placeholder dates (VAL007), its
/// imported close dates (IN012) and the traps its sample showed (IN010, IN011, IN014), with
/// what they leave unchecked; and its summary's counts.
fn file_read(
    (file, header_line): (u32, u64),
    bound: (
        &FieldTable,
        &Mapping,
        &crate::facts::reading::FileReading,
        Option<&traps::FileOwners>,
    ),
    read: &ReadTally,
    summary: &mut InputSummary,
    later: &mut FindingSink<'_>,
    not_checked: &mut Vec<(Vec<Code>, String)>,
) {
    let table = bound.0;
    input::check_file(file, read, later);
    crate::checks::values::check_placeholder_dates(file, &read.placeholder_dates, table, later);
    traps::check_close_is_created(file, read.close_created, later);
    traps::check_reading(
        file,
        &summary.header,
        header_line,
        bound,
        read_records(summary, read),
        later,
        not_checked,
    );
    summary.malformed = read.malformed;
    summary.skipped = read.skipped;
    summary.cut_cells = read.cut_cells;
    summary.first_cut = read.first_cut;
    if let Some(dump) = &mut summary.dump {
        (dump.nulls, dump.escaped_quotes) = (read.nulls, read.escaped_quotes);
        traps::check_dump(file, header_line, dump, later);
    }
    if let Some(legacy) = read.legacy {
        summary.encoding = legacy.name();
    }
}

/// The deals a file held (rows read, less the malformed), for the traps' words.
fn read_records(summary: &InputSummary, read: &ReadTally) -> u64 {
    summary.records.saturating_sub(read.malformed)
}

/// Audit one file's batches in parallel and merge them in input order into `merged`;
/// `summary` and `read` count its records. Returns the first read error, if any.
#[allow(clippy::too_many_arguments)]
fn read_batches(
    pool: &rayon::ThreadPool,
    plan: &Plan<'_>,
    policy: &Policy,
    keep: usize,
    stream: &mut BatchStream,
    merged: &mut Merged<'_>,
    summary: &mut InputSummary,
    read: &mut ReadTally,
) -> Option<io::Error> {
    let batches = stream.take_batches();
    let recycle = stream.recycle.clone();
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = sync_channel::<(usize, io::Result<(ChunkOut, Batch)>)>(2);
        // Workers take whole batches as they come (no barrier between batches)...
        scope.spawn(|| {
            pool.install(|| {
                batches.into_iter().enumerate().par_bridge().for_each_init(
                    || (done_tx.clone(), Worker::new(plan)),
                    |(done, worker), (seq, batch)| {
                        let result =
                            batch.map(|b| (audit_chunk(plan, policy, keep, &b.rows, worker), b));
                        let _ = done.send((seq, result));
                    },
                );
                drop(done_tx);
            });
        });
        // ...and this thread merges their results strictly in input order.
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        for (seq, result) in done_rx {
            match result {
                Err(e) => return Some(e),
                Ok((out, batch)) => {
                    summary.records += batch.len() as u64;
                    if let Some((n, first)) = batch.footer {
                        read.skip(n, first);
                    }
                    let _ = recycle.send(batch);
                    waiting.insert(seq, out);
                }
            }
            while let Some(out) = waiting.remove(&next) {
                // Summary rows were counted as read; they are not records.
                summary.records -= out.read.skipped;
                merged.merge(out, read);
                next += 1;
            }
        }
        None
    })
}

/// The whole-audit checks once every file is read (duplicates; the pairing with the previous
/// snapshot and CHG004), and every finding in its place: the audit's findings, and how its
/// deals paired.
fn settle(
    deals: &DealStore,
    mut findings: FindingSink<'_>,
    mut later: FindingSink<'_>,
    (id_keys, deal_keys): (KeyBuckets, KeyBuckets),
    previous: Option<(&Baseline<'_>, &[(u32, u32)])>,
    table: &FieldTable,
) -> (Findings, Option<Pairing>) {
    duplicates::check(deals, id_keys, deal_keys, table, &mut later);
    let (pairing, undone) = match previous {
        Some((b, pairs)) => {
            let (pairing, undone) = changes::finish(b, pairs, table, &mut later);
            (Some(pairing), undone)
        }
        None => (None, Vec::new()),
    };
    let later: Vec<Finding> = findings.take_from(later, 0).collect();
    let mut findings = findings.finish();
    changes::drop_findings(&mut findings.list, &undone);
    findings.list = insert_ordered(
        std::mem::take(&mut findings.list),
        later,
        deals,
        &findings.rows,
        table,
    );
    (findings, pairing)
}

/// Put findings known only at the end (duplicates, file-level IN003/IN004) into the ordered
/// findings, each where it belongs by file, line, code and field: one merge from the back,
/// in place, so the long list is neither copied nor reallocated twice.
fn insert_ordered(
    mut findings: Vec<Finding>,
    mut extras: Vec<Finding>,
    deals: &DealStore,
    rows: &[StoredRow],
    table: &FieldTable,
) -> Vec<Finding> {
    use std::cmp::Ordering;
    if extras.is_empty() {
        return findings;
    }
    let place = |f: &Finding| match f.subject {
        Subject::Deal(d) => deals.get(d as usize).map_or((0, 0), |d| (d.file, d.line)),
        Subject::Row(r) => rows.get(r as usize).map_or((0, 0), |r| (r.file, r.line)),
    };
    // Deals are stored in input order, one per file and line: two findings about deals
    // sort by their deals' indices, without looking the deals up.
    let order = |a: &Finding, b: &Finding| -> Ordering {
        let by_place = match (a.subject, b.subject) {
            (Subject::Deal(x), Subject::Deal(y)) => x.cmp(&y),
            _ => place(a).cmp(&place(b)),
        };
        by_place.then(a.code.cmp(&b.code)).then_with(|| {
            a.field()
                .map(|id| table.name(id))
                .cmp(&b.field().map(|id| table.name(id)))
        })
    };
    // Duplicates come in deal order already; file-level findings may not.
    if !extras.is_sorted_by(|a, b| order(a, b) != Ordering::Greater) {
        extras.sort_by(order);
    }
    let (mut i, mut j) = (findings.len(), extras.len());
    findings.extend_from_slice(&extras);
    let mut write = findings.len();
    while j > 0 {
        write -= 1;
        // An extra goes after the findings it ties with.
        if i > 0 && order(&findings[i - 1], &extras[j - 1]) == Ordering::Greater {
            findings[write] = findings[i - 1];
            i -= 1;
        } else {
            findings[write] = extras[j - 1];
            j -= 1;
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    /// The engine orchestrates; every check code belongs to a check family.
    #[test]
    fn the_engine_names_no_check_code() {
        for (file, text) in [
            ("engine/mod.rs", include_str!("mod.rs")),
            ("engine/record.rs", include_str!("record.rs")),
        ] {
            let code = text.split("#[cfg(test)]").next().unwrap_or(text);
            assert!(!code.contains("Code::"), "{file} names a check code");
            for prefix in ["\"IN0", "\"REQ0", "\"VAL0", "\"DUP0", "\"HYG0", "\"CHG0"] {
                assert!(!code.contains(prefix), "{file} names a check code");
            }
        }
    }
}
