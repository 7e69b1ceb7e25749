//! A batch of rows through the checks, on a rayon worker. Each row goes through the check
//! families in turn (shape, values, requirements, conditional value rules, hygiene), then
//! its risk is scored, its duplicate keys taken and its summary and aggregates kept. This
//! file only orchestrates: every finding is a family's own, pushed through the batch's sink.
//! Everything a batch produces is batch-local and merged later in input order.

use crate::checks::duplicates::{self, DealNames, DupKeys, FoldScratch};
use crate::checks::input::{self, ReadTally, Shape};
use crate::deal::{DealBuffer, DealFacts, DealText, Names, RiskFacts, Signal, StageKey};
use crate::diag::{FindingSink, Policy};
use crate::facts::pairing::KeyScratch;
use crate::facts::plan::Plan;
use crate::facts::row::{RowFacts, RowScratch};
use crate::facts::state::DealState;
use crate::input::{Row, RowText, Rows};
use crate::score::risk::{self, RiskInputs, Riskiest, risk_key};
use crate::score::{Band, GroupTally, Tallies};
use crate::values::Currency;

/// What one batch of rows produced.
pub(crate) struct ChunkOut<'p> {
    pub(crate) deals: DealBuffer,
    /// Per deal, what duplicate detection needs once every file is read.
    pub(crate) dup_keys: Vec<DupKeys>,
    /// In row order, each record's findings sorted by code and field; subjects and stored
    /// messages index this batch's deals, rows and messages.
    pub(crate) sink: FindingSink<'p>,
    pub(crate) tallies: Tallies,
    /// This batch's riskiest open deals (batch-local indices).
    pub(crate) riskiest: Riskiest,
    pub(crate) read: ReadTally,
    /// `(deal, previous deal)` of every deal paired with the previous snapshot.
    pub(crate) pairs: Vec<(u32, u32)>,
}

/// What a worker keeps from batch to batch of one file: the names it has interned (so its
/// tables stay warm) and its buffers, with the caches keyed by those names' ids.
pub(crate) struct Worker {
    /// Tells this worker's ids apart from other workers' when batches are merged.
    key: usize,
    names: Names,
    row: RowScratch,
    keys: KeyScratch,
    fold: FoldScratch,
}

impl Worker {
    pub(crate) fn new(plan: &Plan<'_>) -> Worker {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        Worker {
            key: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            names: Names::default(),
            row: RowScratch::new(plan),
            keys: KeyScratch::default(),
            fold: FoldScratch::default(),
        }
    }
}

pub(crate) fn audit_chunk<'p>(
    plan: &Plan<'_>,
    policy: &'p Policy,
    keep_riskiest: usize,
    rows: &Rows,
    worker: &mut Worker,
) -> ChunkOut<'p> {
    let table = plan.table;
    let field_name = |f: &crate::diag::Finding| f.field().map(|id| table.name(id));
    let mark = worker.names.mark();
    let mut out = ChunkOut {
        deals: DealBuffer::with_capacity(rows.len(), worker.key),
        dup_keys: Vec::with_capacity(rows.len()),
        sink: FindingSink::with_capacity(policy, rows.len()),
        tallies: Tallies::new(plan.table.len(), plan.rules.stages.len()),
        riskiest: Riskiest::new(keep_riskiest),
        read: ReadTally::default(),
        pairs: Vec::new(),
    };
    for row in rows.iter() {
        let start = out.sink.findings.len();
        audit_row(plan, row, worker, &mut out);
        // A record's findings are ordered by code, then field (`Code` orders like its text).
        if out.sink.findings.len() - start > 1 {
            out.sink.findings[start..].sort_by(|a, b| {
                a.code
                    .cmp(&b.code)
                    .then_with(|| field_name(a).cmp(&field_name(b)))
            });
        }
    }
    out.deals.new_names = worker.names.since(mark);
    out.read.placeholder_dates = std::mem::take(&mut worker.row.cells.placeholder_dates);
    out.read.nulls = rows.nulls;
    out.read.escaped_quotes = rows.escaped_quotes;
    out
}

/// One row: its shape checked; if it is a deal, its facts read once, every family's row
/// checks run over them, its risk scored, and the deal kept and tallied.
fn audit_row(plan: &Plan<'_>, row: Row<'_>, worker: &mut Worker, out: &mut ChunkOut<'_>) {
    let texts = RowText::new(row);
    if input::check_row(plan, &texts, &mut out.read, &mut out.sink) == Shape::NotADeal {
        return;
    }
    let deal = out.deals.next();
    let policy = out.sink.policy();
    let facts = RowFacts::read(
        plan,
        policy,
        (&texts, deal),
        &mut worker.row,
        &mut worker.names,
        &mut worker.keys,
    );

    // Check: every family's part of the row.
    for family in &crate::checks::FAMILIES {
        if let Some(check) = family.row {
            check(&facts, plan, &mut out.sink);
        }
    }
    note_dates(&facts.state, row.line, &mut out.read);

    // Score: forecast risk.
    let (risk_facts, score) = score_risk(plan, &facts);
    if let Some(p) = facts.paired {
        out.pairs.push((deal, p.old));
    }

    // Keep: the deal's summary and its duplicate keys.
    let open = facts.state.is_open();
    let names = DealNames {
        id: facts.id(),
        name: facts.name(),
        account: facts.account(),
        account_id: facts.account_id,
        open,
    };
    let placeholders = &plan.rules.input.empty_values;
    out.dup_keys
        .push(duplicates::keys(&names, placeholders, &mut worker.fold));
    out.deals.push(
        DealText {
            id: facts.id(),
            name: facts.name(),
        },
        DealFacts {
            file: plan.file,
            line: row.line,
            owner: facts.owner,
            account: facts.account_id,
            stage: facts.stage,
            amount: facts.amount,
            currency: facts.currency,
            close_date: facts.state.close_date,
            filled: facts.fulfilment.filled,
            applicable: facts.fulfilment.applicable,
            created_date: facts.state.created_date,
            group: facts.group,
            risk: risk_facts,
        },
    );

    // Aggregate: completeness for every deal, the pipeline for open ones.
    let band = Band::of(score, &plan.rules.risk);
    if open && band >= Band::Medium {
        let key = risk_key(score, facts.amount.map(|m| m.0), plan.file, row.line);
        out.riskiest.offer(key, deal);
    }
    let pipeline = if open {
        Tallied::Open(band, facts.currency, facts.amount)
    } else if facts.state.is_closed() {
        Tallied::Closed
    } else {
        Tallied::Unknown
    };
    facts.tally_fields(&mut out.tallies.fields);
    tally(&mut out.tallies, &facts, pipeline);
}

/// What the file-level date traps count: an open deal's close date equal to its created
/// date (IN012), and the newest date of any deal (IN013).
fn note_dates(state: &DealState<'_>, line: u64, read: &mut ReadTally) {
    if let (true, Some(close), Some(created)) =
        (state.is_open(), state.close_date, state.created_date)
    {
        read.close_created.1 += 1;
        if close == created {
            read.close_created.0 += 1;
            read.close_created.2 = read.close_created.2.or(Some(line));
        }
    }
    let activity = match state.activity {
        crate::facts::state::Activity::Last(d) => Some(d),
        _ => None,
    };
    for d in [state.close_date, state.created_date, activity]
        .into_iter()
        .flatten()
    {
        read.newest = read.newest.max(Some(d));
    }
}

/// The deal's forecast risk: its signals (a push since the previous snapshot and serial
/// slippage among them), score and the facts kept with it.
fn score_risk(plan: &Plan<'_>, facts: &RowFacts<'_>) -> (RiskFacts, u8) {
    let rules = plan.rules;
    let state = &facts.state;
    let inputs = RiskInputs::read(plan, facts.cells(), facts.stage);
    let mut signals = risk::assess(state, &inputs, plan.as_of, &rules.risk);
    if facts.paired.is_some_and(|p| p.pushed) {
        signals.insert(Signal::Pushed);
    }
    if facts.slipping {
        signals.insert(Signal::Slipping);
    }
    let mut risk_facts = risk::facts(
        state,
        &inputs,
        plan.as_of,
        &rules.risk,
        signals,
        facts.forecast_id,
    );
    risk_facts.push_count = facts.slip.pushes.min(u32::from(u16::MAX)) as u16;
    risk_facts.push_days = facts.slip.days.min(u32::from(u16::MAX)) as u16;
    let grader = risk::Grader {
        as_of: plan.as_of,
        close_date: state.close_date,
        stage: state.stage,
        risk: &rules.risk,
        changes: &rules.changes,
    };
    let score = grader.score(&risk_facts);
    risk_facts.score = score;
    (risk_facts, score)
}

/// Where a deal stands in the pipeline, for the tallies: open (with its band, currency and
/// amount), closed, or in a stage nobody can judge.
#[derive(Clone, Copy)]
enum Tallied {
    Open(Band, Option<Currency>, Option<crate::values::Money>),
    Closed,
    Unknown,
}

/// A deal's completeness into every group it belongs to (overall, its owner, its stage), and
/// its open pipeline when it is open, or a closed deal counted.
fn tally(t: &mut Tallies, facts: &RowFacts<'_>, standing: Tallied) {
    let (owner, stage, fulfilment) = (facts.owner, facts.stage, &facts.fulfilment);
    let add = |g: &mut GroupTally| {
        g.completeness.add(fulfilment.filled, fulfilment.applicable);
        match standing {
            Tallied::Open(band, currency, amount) => g.pipeline.add_open(band, currency, amount),
            Tallied::Closed => g.pipeline.closed += 1,
            Tallied::Unknown => {}
        }
    };
    add(&mut t.overall);
    match owner {
        Some(o) => add(t.by_owner.entry(o as usize)),
        None => add(&mut t.no_owner),
    }
    match stage {
        StageKey::Known(s, _) => {
            if let Some(g) = t.by_stage.get_mut(s as usize) {
                add(g);
            }
        }
        StageKey::Unknown(u) => add(t.by_unknown_stage.entry(u as usize)),
        StageKey::Missing => add(&mut t.no_stage),
    }
}
