//! A stored snapshot read back as the previous audit a new one is compared with: what the
//! change view and the change checks read of last week's deals (ids, names, accounts,
//! owners, stages by name under today's rules, standings, amounts, close dates, forecast
//! categories and push totals), and its findings by deal, code and field with their
//! streaks. What they do not read (completeness, risk score and signals, created date) is
//! left unread: a stored week is read back on every history audit, and each column costs.

use std::path::Path;

use anyhow::Result;
use rustc_hash::FxHashMap;

use super::{FINDING_SEP, PART_SEP, SnapshotMeta, Store};
use crate::audit::{Audit, InputSummary};
use crate::deal::{DealBuffer, DealFacts, DealStore, DealText, Label, Names, RiskFacts, StageKey};
use crate::diag::{Code, Finding, Findings, Message, NO_FIELD, Subject};
use crate::facts::mapping::{FieldTable, Mapping};
use crate::field::{Canonical, FieldName};
use crate::rules::{Outcome, RuleSet};
use crate::score::Tallies;
use crate::score::risk::Riskiest;
use crate::values::{Currency, Money};

/// Deals per buffer, as the engine's batches are.
const CHUNK: usize = 1 << 16;

/// How a message names a stored deal's row (made into words only for a message).
#[derive(Clone, Copy)]
pub(crate) struct DealRow(pub(crate) i64);

impl std::fmt::Display for DealRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id = self.0;
        write!(
            f,
            "row {id} (snapshot {}, seq {})",
            id >> 32,
            id & 0xFFFF_FFFF
        )
    }
}

/// The snapshot `meta` as a previous audit under `rules`, and per finding the snapshots in
/// a row it had been flagged (its streak). Every value read is checked (see `check.rs`).
pub(crate) fn previous(
    store: &Store,
    meta: &SnapshotMeta,
    rules: &RuleSet,
) -> Result<(Audit, Vec<u16>)> {
    read_previous(store, meta, rules).map_err(|e| super::failed(&store.path, "read", e))
}

fn read_previous(store: &Store, meta: &SnapshotMeta, rules: &RuleSet) -> Result<(Audit, Vec<u16>)> {
    let table = FieldTable::new(rules);
    let pair_by = store.conn.query_row(
        "SELECT pair_by FROM snapshots WHERE id = ?1",
        [meta.id],
        |r| {
            let t = super::check::Table {
                path: &store.path,
                table: "snapshots",
            };
            Ok(t.word(
                r,
                0,
                format!("row {}", meta.id),
                &["id", "account_and_name"],
            ))
        },
    )??;
    let (from, to) = super::deal_ids(meta.id);
    let n = meta.deals;
    let reading = Reading {
        conn: &store.conn,
        path: &store.path,
        rules,
        table: &table,
        files: meta.files.len(),
    };
    // Two halves read at once, each on its own connection, when there is enough to share;
    // read as one when the halves do not add up (the snapshot replaced meanwhile).
    let halves = if n >= PARALLEL_FROM {
        let mid = from + (n / 2) as i64;
        let location = &store.location;
        let (first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(|| -> Result<Part> {
                let conn = location.another_reader()?;
                let at = Reading {
                    conn: &conn,
                    ..reading
                };
                read_part(&at, (mid, to), (n / 2) as u32, 1)
            });
            let first = read_part(&reading, (from, mid), 0, 0);
            let second = second
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("reading the stored deals failed")));
            (first, second)
        });
        let (first, second) = (first?, second?);
        (first.deals == n / 2 && first.deals + second.deals == n).then(|| vec![first, second])
    } else {
        None
    };
    let parts = match halves {
        Some(parts) => parts,
        None => vec![read_part(&reading, (from, to), 0, 0)?],
    };
    let mut deals = DealStore::default();
    let mut list: Vec<Finding> = Vec::new();
    let mut streaks: Vec<u16> = Vec::new();
    for part in parts {
        for buffer in part.buffers {
            deals.absorb(buffer);
        }
        list.extend(part.list);
        streaks.extend(part.streaks);
    }

    let inputs = stored_inputs(meta, pair_by, &table);
    let as_of = meta.as_of;
    let stages = rules.stages.len();
    let audit = Audit {
        rules: rules.clone(),
        tallies: Tallies::new(table.len(), stages),
        table,
        as_of,
        inputs,
        deals,
        findings: Findings {
            list,
            rows: Vec::new(),
            ids: String::new(),
            messages: Vec::new(),
        },
        riskiest: Riskiest::new(0),
        checks_run: Vec::new(),
        by: None,
        not_checked: Vec::new(),
        as_of_note: None,
    };
    Ok((audit, streaks))
}

/// Stored deals from this many up are read in two halves at once.
const PARALLEL_FROM: u64 = 20_000;

/// The deals with ids in `[range.0, range.1)`, read by `worker` into buffers of its own
/// names; their findings name deals from `first` on.
struct Part {
    buffers: Vec<DealBuffer>,
    list: Vec<Finding>,
    streaks: Vec<u16>,
    deals: u64,
}

/// What every part of a stored snapshot is read with.
struct Reading<'a> {
    conn: &'a rusqlite::Connection,
    path: &'a Path,
    rules: &'a RuleSet,
    table: &'a FieldTable,
    /// How many files the snapshot read: a deal names one of them.
    files: usize,
}

/// The words a stored deal's standing is one of.
const STANDINGS: [&str; 4] = ["open", "won", "lost", "unknown"];

fn read_part(at: &Reading<'_>, range: (i64, i64), first: u32, worker: usize) -> Result<Part> {
    let (rules, table) = (at.rules, at.table);
    let mut stmt = at.conn.prepare_cached(
        "SELECT id, file, line, record_id, name, account, owner, stage, standing, amount,
                currency, close_day, forecast, push_count, push_days, findings
         FROM deals WHERE id >= ?1 AND id < ?2 ORDER BY id",
    )?;
    let t = super::check::Table {
        path: at.path,
        table: "deals",
    };
    let files = i64::try_from(at.files).unwrap_or(i64::MAX);
    let count = super::check::COUNT;
    let mut rows = stmt.query([range.0, range.1])?;
    let mut part = Part {
        buffers: Vec::new(),
        list: Vec::new(),
        streaks: Vec::new(),
        deals: 0,
    };
    let mut names = Names::default();
    let mut mark = names.mark();
    let mut buffer = DealBuffer::with_capacity(CHUNK, worker);
    let mut index: u32 = first;
    // A stage or a finding's field is looked up once per spelling, not once per row.
    let mut stage_of: FxHashMap<String, StageKey> = FxHashMap::default();
    let mut fields = FieldIds::default();
    while let Some(r) = rows.next()? {
        let row = DealRow(r.get(0)?);
        let stage = match t.opt_text(r, 7, row)? {
            Some(s) => match stage_of.get(s) {
                Some(&k) => k,
                None => {
                    let k = match rules.stage_index(s) {
                        Some(i) => StageKey::Known(i as u32, Label::AS_NAMED),
                        None => StageKey::Unknown(names.unknown_stages.intern(s)),
                    };
                    stage_of.insert(s.to_string(), k);
                    k
                }
            },
            None => StageKey::Missing,
        };
        let owner = t.opt_text(r, 6, row)?.map(|o| names.owners.intern(o));
        let account = t.opt_text(r, 5, row)?.and_then(|a| names.account_id(a));
        let forecast = t
            .opt_text(r, 12, row)?
            .map_or(u32::MAX, |f| names.forecasts.intern(f));
        // A closed standing, whatever decided it (a status column or the stage), restores it.
        let stood = t.word(r, 8, row, &STANDINGS)?;
        let closed_as = match stood {
            "won" => Some(Outcome::Won),
            "lost" => Some(Outcome::Lost),
            _ => None,
        };
        // Open by its status in a stage the rules do not know: open again.
        let flags = if stood == "open" {
            RiskFacts::STATUS_OPEN
        } else {
            RiskFacts::outcome_flag(closed_as)
        };
        let pushes = |i: usize| -> Result<u16> {
            let n = t.int(r, i, row, count.clone())?;
            Ok(n.min(i64::from(u16::MAX)) as u16)
        };
        let risk = RiskFacts {
            push_count: pushes(13)?,
            push_days: pushes(14)?,
            forecast,
            flags,
            ..RiskFacts::default()
        };
        let currency = match t.opt_text(r, 10, row)? {
            None => None,
            Some(code) => Some(Currency::parse(code).ok_or_else(|| {
                t.bad(
                    row,
                    "currency",
                    format!("{}, not a currency code", super::check::quoted(code)),
                )
            })?),
        };
        buffer.push(
            DealText {
                id: t.text(r, 3, row)?,
                name: t.text(r, 4, row)?,
            },
            DealFacts {
                risk,
                file: t.int(r, 1, row, 0..=files - 1)? as u32,
                line: t.int(r, 2, row, 1..=i64::MAX)? as u64,
                owner,
                account,
                stage,
                amount: t.opt_int(r, 9, row, i64::MIN..=i64::MAX)?.map(Money),
                currency,
                close_date: t.day(r, 11, row)?,
                filled: 0,
                applicable: 0,
                created_date: None,
                group: None,
            },
        );
        let said = t.text(r, 15, row)?;
        stored_findings(
            said,
            index,
            table,
            &mut fields,
            &mut part.list,
            &mut part.streaks,
        )
        .map_err(|what| t.bad(row, "findings", what))?;
        index += 1;
        if buffer.deals.len() == CHUNK {
            buffer.new_names = names.since(mark);
            mark = names.mark();
            part.buffers.push(std::mem::replace(
                &mut buffer,
                DealBuffer::with_capacity(CHUNK, worker),
            ));
        }
    }
    buffer.new_names = names.since(mark);
    part.buffers.push(buffer);
    part.deals = u64::from(index - first);
    Ok(part)
}

/// The stored snapshot's files as inputs: paths and record counts; the id column counts as
/// mapped when the snapshot paired by id.
fn stored_inputs(meta: &SnapshotMeta, pair_by: &str, table: &FieldTable) -> Vec<InputSummary> {
    let mut columns = vec![None; table.len()];
    if pair_by == "id" {
        columns[table.canonical(Canonical::Id)] = Some(0);
    }
    let mapping = Mapping {
        columns,
        skipped: Vec::new(),
        empty: Vec::new(),
    };
    meta.files
        .iter()
        .zip(meta.records.iter().chain(std::iter::repeat(&0)))
        .map(|(path, &records)| InputSummary {
            path: path.clone(),
            records,
            malformed: 0,
            skipped: 0,
            cut_cells: 0,
            first_cut: None,
            dump: None,
            header_named: false,
            encoding: "stored",
            delimiter: b',',
            header: Vec::new(),
            header_line: 1,
            mapping: mapping.clone(),
            detected: Vec::new(),
            previous: false,
        })
        .collect()
}

/// A stored field name's id in today's field table, looked up once per name.
#[derive(Default)]
struct FieldIds(FxHashMap<String, u16>);

impl FieldIds {
    fn of(&mut self, name: &str, table: &FieldTable) -> u16 {
        if let Some(&id) = self.0.get(name) {
            return id;
        }
        let id = table
            .id(&FieldName::parse(name))
            .and_then(|f| u16::try_from(f).ok())
            .unwrap_or(NO_FIELD);
        self.0.insert(name.to_string(), id);
        id
    }
}

/// One stored deal's findings (`CODE␁field␁streak`, separated by `␂`) into `list`, with
/// their streaks; codes this pipelint does not know are skipped (a later pipelint may add
/// codes without a new schema), fields today's rules lack are kept without a field. A
/// finding not in that shape, or a streak that is not a count from 1, is refused.
fn stored_findings(
    said: &str,
    deal: u32,
    table: &FieldTable,
    fields: &mut FieldIds,
    list: &mut Vec<Finding>,
    streaks: &mut Vec<u16>,
) -> Result<(), String> {
    for part in said.split(FINDING_SEP).filter(|p| !p.is_empty()) {
        let mut bits = part.split(PART_SEP);
        let (Some(code), Some(field), Some(streak), None) =
            (bits.next(), bits.next(), bits.next(), bits.next())
        else {
            return Err(format!(
                "{}, not a finding (code, field and streak)",
                super::check::quoted(part)
            ));
        };
        let streak: u16 = streak.parse().ok().filter(|&n| n >= 1).ok_or_else(|| {
            format!(
                "a streak of {}, not a count from 1",
                super::check::quoted(streak)
            )
        })?;
        let Some(code) = Code::exact(code) else {
            continue;
        };
        let field = if field.is_empty() {
            NO_FIELD
        } else {
            fields.of(field, table)
        };
        list.push(Finding {
            subject: Subject::Deal(deal),
            message: Message::Derived(0),
            field,
            code,
            severity: code.default_severity(),
        });
        streaks.push(streak);
    }
    Ok(())
}
