//! A stored snapshot read back as the previous audit a new one is compared with: what the
//! change view and the change checks read of last week's deals (ids, names, accounts,
//! owners, stages by name under today's rules, standings, amounts, close dates, forecast
//! categories and push totals), and its findings by deal, code and field with their
//! streaks. What they do not read (completeness, risk score and signals, created date) is
//! left unread: a stored week is read back on every history audit, and each column costs.

use anyhow::Result;
use chrono::NaiveDate;
use rustc_hash::FxHashMap;

use super::{FINDING_SEP, PART_SEP, SnapshotMeta, Store};
use crate::deal::{DealBuffer, DealFacts, DealStore, DealText, Names, RiskFacts, StageKey};
use crate::diag::{Code, Finding, Findings, Message, NO_FIELD, Subject};
use crate::engine::{Audit, InputSummary};
use crate::field::{Canonical, FieldName};
use crate::input::mapping::{FieldTable, Mapping};
use crate::rules::{Outcome, RuleSet};
use crate::score::Tallies;
use crate::score::risk::Riskiest;
use crate::values::{Currency, Money};

/// Deals per buffer, as the engine's batches are.
const CHUNK: usize = 1 << 16;

fn date(day: Option<i64>) -> Option<NaiveDate> {
    day.and_then(super::from_julian_day)
}

/// The snapshot `meta` as a previous audit under `rules`; its streaks are in
/// `history.streaks`.
pub(crate) fn previous(store: &Store, meta: &SnapshotMeta, rules: &RuleSet) -> Result<Audit> {
    let table = FieldTable::new(rules);
    let pair_by: String = store.conn.query_row(
        "SELECT pair_by FROM snapshots WHERE id = ?1",
        [meta.id],
        |r| r.get(0),
    )?;
    let (from, to) = super::deal_ids(meta.id);
    let n = meta.deals;
    // Two halves read at once, each on its own connection, when there is enough to share;
    // read as one when the halves do not add up (the snapshot replaced meanwhile).
    let halves = if n >= PARALLEL_FROM {
        let mid = from + (n / 2) as i64;
        let path = store.path.clone();
        let (first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(|| -> Result<Part> {
                let conn = super::open_reader(&path)?;
                read_part(&conn, rules, &table, (mid, to), (n / 2) as u32, 1)
            });
            let first = read_part(&store.conn, rules, &table, (from, mid), 0, 0);
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
        None => vec![read_part(&store.conn, rules, &table, (from, to), 0, 0)?],
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

    let inputs = stored_inputs(meta, &pair_by, &table);
    let as_of = NaiveDate::parse_from_str(&meta.as_of, "%Y-%m-%d")?;
    let stages = rules.stages.len();
    Ok(Audit {
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
        previous: None,
        pairing: None,
        not_checked: Vec::new(),
        changes: None,
        by: None,
        quotas: None,
        history: Some(Box::new(super::view::HistoryView {
            streaks,
            ..super::view::HistoryView::default()
        })),
    })
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

fn read_part(
    conn: &rusqlite::Connection,
    rules: &RuleSet,
    table: &FieldTable,
    range: (i64, i64),
    first: u32,
    worker: usize,
) -> Result<Part> {
    let mut stmt = conn.prepare_cached(
        "SELECT file, line, record_id, name, account, owner, stage, standing, amount, currency,
                close_day, forecast, push_count, push_days, findings
         FROM deals WHERE id >= ?1 AND id < ?2 ORDER BY id",
    )?;
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
        let text = |i: usize| -> rusqlite::Result<Option<&str>> {
            Ok(r.get_ref(i)?.as_str_or_null().ok().flatten())
        };
        let stage = match text(6)? {
            Some(s) => match stage_of.get(s) {
                Some(&k) => k,
                None => {
                    let k = match rules.stage_index(s) {
                        Some(i) => StageKey::Known(i as u32),
                        None => StageKey::Unknown(names.unknown_stages.intern(s)),
                    };
                    stage_of.insert(s.to_string(), k);
                    k
                }
            },
            None => StageKey::Missing,
        };
        let owner = text(5)?.map(|o| names.owners.intern(o));
        let account = text(4)?.and_then(|a| names.account_id(a));
        let forecast = text(11)?.map_or(u32::MAX, |f| names.forecasts.intern(f));
        // A closed standing, whatever decided it (a status column or the stage), restores it.
        let stood = text(7)?;
        let closed_as = match stood {
            Some("won") => Some(Outcome::Won),
            Some("lost") => Some(Outcome::Lost),
            _ => None,
        };
        // Open by its status in a stage the rules do not know: open again.
        let flags = if stood == Some("open") {
            RiskFacts::STATUS_OPEN
        } else {
            0
        };
        let int = |i: usize| -> rusqlite::Result<i64> { r.get(i) };
        let risk = RiskFacts {
            push_count: int(12)?.clamp(0, i64::from(u16::MAX)) as u16,
            push_days: int(13)?.clamp(0, i64::from(u16::MAX)) as u16,
            forecast,
            closed_as,
            flags,
            ..RiskFacts::default()
        };
        buffer.push(
            DealText {
                id: text(2)?.unwrap_or(""),
                name: text(3)?.unwrap_or(""),
            },
            DealFacts {
                risk,
                file: int(0)?.clamp(0, i64::from(u32::MAX)) as u32,
                line: int(1)?.max(0) as u64,
                owner,
                account,
                stage,
                amount: r.get::<_, Option<i64>>(8)?.map(Money),
                currency: text(9)?.and_then(Currency::parse),
                close_date: date(r.get(10)?),
                filled: 0,
                applicable: 0,
                created_date: None,
                group: None,
            },
        );
        let said = text(14)?.unwrap_or("");
        stored_findings(
            said,
            index,
            table,
            &mut fields,
            &mut part.list,
            &mut part.streaks,
        );
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
            encoding: "stored",
            delimiter: b',',
            header: Vec::new(),
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
/// their streaks; codes this pipelint does not know, or fields today's rules lack, are
/// skipped or kept without a field.
fn stored_findings(
    said: &str,
    deal: u32,
    table: &FieldTable,
    fields: &mut FieldIds,
    list: &mut Vec<Finding>,
    streaks: &mut Vec<u16>,
) {
    for part in said.split(FINDING_SEP).filter(|p| !p.is_empty()) {
        let mut bits = part.split(PART_SEP);
        let (Some(code), field, streak) = (bits.next(), bits.next(), bits.next()) else {
            continue;
        };
        let Some(code) = Code::exact(code) else {
            continue;
        };
        let field = field
            .filter(|f| !f.is_empty())
            .map_or(NO_FIELD, |f| fields.of(f, table));
        list.push(Finding {
            subject: Subject::Deal(deal),
            message: Message::Derived(0),
            field,
            code,
            severity: code.default_severity(),
        });
        streaks.push(streak.and_then(|s| s.parse().ok()).unwrap_or(1));
    }
}
