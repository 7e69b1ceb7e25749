//! A stored snapshot read back as the previous audit a new one is compared with: what the
//! change view and the change checks read of last week's deals (ids, names, accounts,
//! owners, stages by name under today's rules, standings, amounts, close dates, forecast
//! categories and push totals), and its findings by deal, code and field with their
//! streaks. What they do not read (completeness, risk score and signals, created date) is
//! left unread: a stored week is read back on every history audit, and each column costs.

use std::path::Path;

use anyhow::Result;
use rusqlite::OptionalExtension;
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
    let reading = Reading {
        conn: &store.conn,
        path: &store.path,
        under: Under {
            rules,
            table: &table,
            files: meta.files.len(),
        },
    };
    let parts = match form_parts(&reading, meta)? {
        Some(parts) => parts,
        None => row_parts(&reading, &store.location, meta)?,
    };
    Ok(previous_audit(parts, meta, pair_by, table, rules))
}

/// The snapshot's deals read from its rows.
fn row_parts(
    reading: &Reading<'_>,
    location: &super::access::Location,
    meta: &SnapshotMeta,
) -> Result<Vec<Part>> {
    let (from, to) = super::deal_ids(meta.id);
    let n = meta.deals;
    // Two halves read at once, each on its own connection, when there is enough to share;
    // read as one when the halves do not add up (the snapshot replaced meanwhile).
    let halves = if n >= PARALLEL_FROM {
        let (path, under) = (reading.path, reading.under);
        let mid = from + (n / 2) as i64;
        let (first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(|| -> Result<Part> {
                let conn = location.another_reader()?;
                let at = Reading {
                    conn: &conn,
                    path,
                    under,
                };
                read_part(&at, (mid, to), (n / 2) as u32, 1)
            });
            let first = read_part(reading, (from, mid), 0, 0);
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
    Ok(match halves {
        Some(parts) => parts,
        None => vec![read_part(reading, (from, to), 0, 0)?],
    })
}

/// The snapshot's deals read from its form (`form.rs`): `None` when it has none, or one
/// that does not cover its deals or decode whole (its rows are read then). Parts are
/// decoded in two halves at once when there is enough to share.
fn form_parts(at: &Reading<'_>, meta: &SnapshotMeta) -> Result<Option<Vec<Part>>> {
    let Some(blobs) = stored_forms(at.conn, meta.id)? else {
        return Ok(None);
    };
    let total: u64 = blobs.iter().map(|b| b.0 as u64).sum();
    if total != meta.deals {
        return Ok(None);
    }
    // The first half: the parts up to half the deals, and one at least.
    let mut split = 0;
    let mut before = 0u64;
    while split < blobs.len() && (split == 0 || 2 * (before + blobs[split].0 as u64) <= total) {
        before += blobs[split].0 as u64;
        split += 1;
    }
    let (first, second) = blobs.split_at(split);
    let under = &at.under;
    let parts = if meta.deals >= PARALLEL_FROM && !second.is_empty() {
        let (a, b) = std::thread::scope(|scope| {
            let b = scope.spawn(|| read_forms(under, second, before as u32, 1));
            let a = read_forms(under, first, 0, 0);
            (a, b.join().ok().flatten())
        });
        a.zip(b).map(|(a, b)| vec![a, b])
    } else {
        read_forms(under, &blobs, 0, 0).map(|p| vec![p])
    };
    Ok(parts.filter(|p| p.iter().map(|p| p.deals).sum::<u64>() == meta.deals))
}

/// A form part as stored: its deal count and bytes.
type FormBlob = (usize, Vec<u8>);

/// A snapshot's form parts in order, with their deal counts: `None` when the store keeps
/// none for it (or has no forms: a history not yet migrated), or its parts are not
/// numbered from 0 without a gap.
fn stored_forms(conn: &rusqlite::Connection, snapshot: i64) -> Result<Option<Vec<FormBlob>>> {
    let kept: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deal_forms'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if kept.is_none() {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT part, deals, data FROM deal_forms WHERE snapshot = ?1 ORDER BY part",
    )?;
    let mut rows = stmt.query([snapshot])?;
    let mut blobs = Vec::new();
    while let Some(r) = rows.next()? {
        use rusqlite::types::ValueRef;
        let (ValueRef::Integer(part), ValueRef::Integer(deals), ValueRef::Blob(data)) =
            (r.get_ref(0)?, r.get_ref(1)?, r.get_ref(2)?)
        else {
            return Ok(None);
        };
        match (usize::try_from(part), usize::try_from(deals)) {
            (Ok(part), Ok(deals)) if part == blobs.len() => blobs.push((deals, data.to_vec())),
            _ => return Ok(None),
        }
    }
    Ok((!blobs.is_empty()).then_some(blobs))
}

/// The deals of form parts `blobs`, deal `first` on, read by `worker`: `None` when a part
/// does not decode whole, or holds a value its row could not (the rows are read then, and
/// name it).
fn read_forms(at: &Under<'_>, blobs: &[FormBlob], first: u32, worker: usize) -> Option<Part> {
    let mut filling = Filling::new(CHUNK, worker, first);
    let mut fields = FieldIds::default();
    for (deals, blob) in blobs {
        let mut part = super::form::Part::open(blob).filter(|p| p.deals == *deals)?;
        // Each of the part's names resolved once, in deal order (as the rows intern them).
        let n = part.names.len();
        let mut owners: Vec<Option<u32>> = vec![None; n];
        let mut accounts: Vec<Option<Option<u32>>> = vec![None; n];
        let mut stages: Vec<Option<StageKey>> = vec![None; n];
        let mut forecasts: Vec<Option<u32>> = vec![None; n];
        let mut currencies: Vec<Option<Currency>> = vec![None; n];
        let mut codes: Vec<Option<Option<Code>>> = vec![None; n];
        let mut field_ids: Vec<Option<u16>> = vec![None; n];
        while let Some(d) = part.next()? {
            let names = &mut filling.names;
            let stage = match d.stage {
                None => StageKey::Missing,
                Some((i, s)) => *stages[i].get_or_insert_with(|| stage_key(at.rules, names, s)),
            };
            let owner = d
                .owner
                .map(|(i, s)| *owners[i].get_or_insert_with(|| names.owners.intern(s)));
            let account = d
                .account
                .and_then(|(i, s)| *accounts[i].get_or_insert_with(|| names.account_id(s)));
            let forecast = d.forecast.map_or(u32::MAX, |(i, s)| {
                *forecasts[i].get_or_insert_with(|| names.forecasts.intern(s))
            });
            let currency = match d.currency {
                None => None,
                Some((i, s)) => match currencies[i] {
                    Some(c) => Some(c),
                    None => {
                        let c = Currency::parse(s)?;
                        currencies[i] = Some(c);
                        Some(c)
                    }
                },
            };
            let close_date = match d.close_day {
                None => None,
                Some(n) => Some(super::from_julian_day(n).filter(super::check::in_years)?),
            };
            let push = |n: u64| -> Option<u16> {
                i64::try_from(n).ok()?;
                Some(n.min(u64::from(u16::MAX)) as u16)
            };
            let read = Resolved {
                text: DealText {
                    id: d.id,
                    name: d.name,
                },
                file: u32::try_from(d.file)
                    .ok()
                    .filter(|&f| (f as usize) < at.files)?,
                line: Some(d.line).filter(|&l| l >= 1 && i64::try_from(l).is_ok())?,
                owner,
                account,
                stage,
                forecast,
                standing: STANDINGS[d.standing],
                amount: d.amount,
                currency,
                close_date,
                pushes: (push(d.push_count)?, push(d.push_days)?),
            };
            filling
                .push(read, |deal, list, streaks| {
                    for _ in 0..d.findings {
                        let f = part.finding().ok_or(())?;
                        let (i, code) = f.code;
                        let code = *codes[i].get_or_insert_with(|| Code::exact(code));
                        let field = |fields: &mut FieldIds| match f.field {
                            None => NO_FIELD,
                            Some((i, name)) => {
                                *field_ids[i].get_or_insert_with(|| fields.of(name, at.table))
                            }
                        };
                        let streak = u16::try_from(f.streak).ok();
                        keep_finding((deal, code, field, streak), &mut fields, list, streaks)
                            .map_err(|_| ())?;
                    }
                    Ok::<(), ()>(())
                })
                .ok()?;
        }
    }
    Some(filling.done())
}

/// The previous audit of the snapshot `meta` from its deals read in `parts`.
fn previous_audit(
    parts: Vec<Part>,
    meta: &SnapshotMeta,
    pair_by: &str,
    table: FieldTable,
    rules: &RuleSet,
) -> (Audit, Vec<u16>) {
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
    (audit, streaks)
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

/// What a stored deal's values are read under: today's rules and fields, and the number
/// of files the snapshot read (a deal names one of them).
#[derive(Clone, Copy)]
struct Under<'a> {
    rules: &'a RuleSet,
    table: &'a FieldTable,
    files: usize,
}

/// What every part of a stored snapshot's rows is read with.
struct Reading<'a> {
    conn: &'a rusqlite::Connection,
    path: &'a Path,
    under: Under<'a>,
}

use super::form::STANDINGS;

fn read_part(at: &Reading<'_>, range: (i64, i64), first: u32, worker: usize) -> Result<Part> {
    let (rules, table) = (at.under.rules, at.under.table);
    let mut stmt = at.conn.prepare_cached(
        "SELECT id, file, line, record_id, name, account, owner, stage, standing, amount,
                currency, close_day, forecast, push_count, push_days, findings
         FROM deals WHERE id >= ?1 AND id < ?2 ORDER BY id",
    )?;
    let t = super::check::Table {
        path: at.path,
        table: "deals",
    };
    let files = i64::try_from(at.under.files).unwrap_or(i64::MAX);
    let count = super::check::COUNT;
    let mut rows = stmt.query([range.0, range.1])?;
    // A stage or a finding's field is looked up once per spelling, not once per row.
    let mut stage_of: FxHashMap<String, StageKey> = FxHashMap::default();
    let mut fields = FieldIds::default();
    let mut filling = Filling::new(CHUNK, worker, first);
    while let Some(r) = rows.next()? {
        let row = DealRow(r.get(0)?);
        let stage = match t.opt_text(r, 7, row)? {
            Some(s) => match stage_of.get(s) {
                Some(&k) => k,
                None => {
                    let k = stage_key(rules, &mut filling.names, s);
                    stage_of.insert(s.to_string(), k);
                    k
                }
            },
            None => StageKey::Missing,
        };
        let names = &mut filling.names;
        let owner = t.opt_text(r, 6, row)?.map(|o| names.owners.intern(o));
        let account = t.opt_text(r, 5, row)?.and_then(|a| names.account_id(a));
        let forecast = t
            .opt_text(r, 12, row)?
            .map_or(u32::MAX, |f| names.forecasts.intern(f));
        let pushes = |i: usize| -> Result<u16> {
            let n = t.int(r, i, row, count.clone())?;
            Ok(n.min(i64::from(u16::MAX)) as u16)
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
        let read = Resolved {
            text: DealText {
                id: t.text(r, 3, row)?,
                name: t.text(r, 4, row)?,
            },
            file: t.int(r, 1, row, 0..=files - 1)? as u32,
            line: t.int(r, 2, row, 1..=i64::MAX)? as u64,
            owner,
            account,
            stage,
            forecast,
            standing: t.word(r, 8, row, &STANDINGS)?,
            amount: t.opt_int(r, 9, row, i64::MIN..=i64::MAX)?,
            currency,
            close_date: t.day(r, 11, row)?,
            pushes: (pushes(13)?, pushes(14)?),
        };
        let said = t.text(r, 15, row)?;
        filling
            .push(read, |deal, list, streaks| {
                stored_findings(said, deal, table, &mut fields, list, streaks)
            })
            .map_err(|what| t.bad(row, "findings", what))?;
    }
    Ok(filling.done())
}

/// How a stored stage's name reads under today's rules: one of their stages, or a stage
/// they do not know.
fn stage_key(rules: &RuleSet, names: &mut Names, s: &str) -> StageKey {
    match rules.stage_index(s) {
        Some(i) => StageKey::Known(i as u32, Label::AS_NAMED),
        None => StageKey::Unknown(names.unknown_stages.intern(s)),
    }
}

/// One stored deal's values as the audit holds them (names interned, the stage read under
/// today's rules): what the rows and a form both give.
struct Resolved<'a> {
    text: DealText<'a>,
    file: u32,
    line: u64,
    owner: Option<u32>,
    account: Option<u32>,
    stage: StageKey,
    forecast: u32,
    standing: &'static str,
    amount: Option<i64>,
    currency: Option<Currency>,
    close_date: Option<chrono::NaiveDate>,
    /// Push count and days.
    pushes: (u16, u16),
}

/// A part being filled: deal buffers of one worker's names, and the findings.
struct Filling {
    part: Part,
    names: Names,
    mark: crate::deal::NamesMark,
    buffer: DealBuffer,
    worker: usize,
    first: u32,
    index: u32,
}

impl Filling {
    fn new(chunk: usize, worker: usize, first: u32) -> Filling {
        let names = Names::default();
        Filling {
            part: Part {
                buffers: Vec::new(),
                list: Vec::new(),
                streaks: Vec::new(),
                deals: 0,
            },
            mark: names.mark(),
            names,
            buffer: DealBuffer::with_capacity(chunk, worker),
            worker,
            first,
            index: first,
        }
    }

    /// Add one deal, and its findings as `findings` adds them to the list and streaks
    /// given (the deal's number first).
    fn push<E>(
        &mut self,
        d: Resolved<'_>,
        findings: impl FnOnce(u32, &mut Vec<Finding>, &mut Vec<u16>) -> Result<(), E>,
    ) -> Result<(), E> {
        let closed_as = match d.standing {
            "won" => Some(Outcome::Won),
            "lost" => Some(Outcome::Lost),
            _ => None,
        };
        // A closed standing, whatever decided it (a status column or the stage), restores
        // it; open by its status in a stage the rules do not know: open again.
        let flags = if d.standing == "open" {
            RiskFacts::STATUS_OPEN
        } else {
            RiskFacts::outcome_flag(closed_as)
        };
        let risk = RiskFacts {
            push_count: d.pushes.0,
            push_days: d.pushes.1,
            forecast: d.forecast,
            flags,
            ..RiskFacts::default()
        };
        self.buffer.push(
            d.text,
            DealFacts {
                risk,
                file: d.file,
                line: d.line,
                owner: d.owner,
                account: d.account,
                stage: d.stage,
                amount: d.amount.map(Money),
                currency: d.currency,
                close_date: d.close_date,
                filled: 0,
                applicable: 0,
                created_date: None,
                group: None,
            },
        );
        findings(self.index, &mut self.part.list, &mut self.part.streaks)?;
        self.index += 1;
        if self.buffer.deals.len() == CHUNK {
            self.buffer.new_names = self.names.since(self.mark);
            self.mark = self.names.mark();
            let full = DealBuffer::with_capacity(CHUNK, self.worker);
            self.part
                .buffers
                .push(std::mem::replace(&mut self.buffer, full));
        }
        Ok(())
    }

    fn done(mut self) -> Part {
        self.buffer.new_names = self.names.since(self.mark);
        self.part.buffers.push(self.buffer);
        self.part.deals = u64::from(self.index - self.first);
        self.part
    }
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
    /// The id of the field stored as `name`: none for an empty name, or one today's rules
    /// lack.
    fn of(&mut self, name: &str, table: &FieldTable) -> u16 {
        if name.is_empty() {
            return NO_FIELD;
        }
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
        let code = Code::exact(code);
        let named = |fields: &mut FieldIds| fields.of(field, table);
        keep_finding(
            (deal, code, named, streak.parse().ok()),
            fields,
            list,
            streaks,
        )
        .map_err(|()| {
            format!(
                "a streak of {}, not a count from 1",
                super::check::quoted(streak)
            )
        })?;
    }
    Ok(())
}

/// One stored finding of deal `deal` kept in `list`, with its streak, by the rules both the
/// rows and a form are read by: a streak that is not a count from 1 is refused (`Err`); a
/// code this pipelint does not know (`None`) is skipped, since a later pipelint may add
/// codes without a new schema; its field's id is asked of `field` only for a finding kept.
fn keep_finding(
    (deal, code, field, streak): (
        u32,
        Option<Code>,
        impl FnOnce(&mut FieldIds) -> u16,
        Option<u16>,
    ),
    fields: &mut FieldIds,
    list: &mut Vec<Finding>,
    streaks: &mut Vec<u16>,
) -> Result<(), ()> {
    let streak = streak.filter(|&n| n >= 1).ok_or(())?;
    if let Some(code) = code {
        list.push(stored_finding(deal, code, field(fields)));
        streaks.push(streak);
    }
    Ok(())
}

/// A stored finding about deal `deal`, at its code's default severity (the findings the
/// change view compares are matched by deal, code and field).
fn stored_finding(deal: u32, code: Code, field: u16) -> Finding {
    Finding {
        subject: Subject::Deal(deal),
        message: Message::Derived(0),
        field,
        code,
        severity: code.default_severity(),
    }
}
