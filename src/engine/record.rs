//! A batch of rows through the checks, on a rayon worker. Each row goes through the check
//! families in turn (shape, values, requirements, conditional value rules, hygiene), then
//! its risk is scored, its duplicate keys taken and its summary and aggregates kept. This
//! file only orchestrates: every finding is a family's own, pushed through the batch's sink.
//! Everything a batch produces is batch-local and merged later in input order.

use std::borrow::Cow;

use crate::checks::changes::{self, KeyScratch, Now, Paired};
use crate::checks::conditions;
use crate::checks::duplicates::{self, DealNames, DupKeys, FoldScratch};
use crate::checks::hygiene;
use crate::checks::input::{self, ReadTally, Shape};
use crate::checks::required::{self, Demands};
use crate::checks::slippage::{self, Slippage};
use crate::checks::values::{self, ValueScratch};
use crate::deal::{DealBuffer, DealFacts, DealText, Names, RiskFacts, Signal, StageKey};
use crate::diag::{FindingSink, Policy};
use crate::facts::cell::{Cell, Parsed};
use crate::facts::plan::Plan;
use crate::facts::state::DealState;
use crate::input::{Row, RowText, Rows};
use crate::score::risk::{self, RiskInputs, Riskiest, risk_key};
use crate::score::{Band, GroupTally, Tallies};
use crate::values::{Currency, trim_cell};

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
    values: ValueScratch,
    demands: Demands,
    /// Normalised forecast categories, by forecast id.
    forecast_norms: Vec<Box<str>>,
    fold: FoldScratch,
    keys: KeyScratch,
}

impl Worker {
    pub(crate) fn new(plan: &Plan<'_>) -> Worker {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        Worker {
            key: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            names: Names::default(),
            values: ValueScratch::new(plan),
            demands: Demands::new(plan.table.len()),
            forecast_norms: Vec::new(),
            fold: FoldScratch::default(),
            keys: KeyScratch::default(),
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
    out.read.placeholder_dates = std::mem::take(&mut worker.values.placeholder_dates);
    out.read.nulls = rows.nulls;
    out.read.escaped_quotes = rows.escaped_quotes;
    out
}

fn audit_row(plan: &Plan<'_>, row: Row<'_>, scratch: &mut Worker, out: &mut ChunkOut<'_>) {
    let rules = plan.rules;
    let placeholders = &rules.input.empty_values;
    let texts = RowText::new(row);
    if input::check_row(plan, &texts, &mut out.read, &mut out.sink) == Shape::NotADeal {
        return;
    }
    let deal = out.deals.next();

    // Check: values, requirements, hygiene.
    let stage = values::check_row(
        plan,
        &texts,
        deal,
        &mut scratch.values,
        &mut scratch.names,
        &mut out.sink,
    );
    let cells = &scratch.values.cells;
    let fulfilment = required::check_row(
        plan,
        &texts,
        deal,
        cells,
        stage,
        &mut scratch.demands,
        &mut out.tallies.fields,
        &mut out.sink,
    );
    conditions::check_row(plan, &texts, deal, cells, &scratch.demands, &mut out.sink);
    let forecast_text = plan
        .hygiene
        .forecast_category
        .map(|s| texts.field(Some(plan.slots[s].column)));
    let forecast = crate::facts::state::read_forecast(
        forecast_text.as_deref(),
        placeholders,
        &mut scratch.names.forecasts,
        &mut scratch.forecast_norms,
    );
    let state = DealState::read(plan, &texts, cells, stage, &fulfilment, forecast);
    hygiene::check_row(&state, plan, &texts, deal, &mut out.sink);
    crate::checks::closing::check_row(&state, plan, deal, &mut out.sink);
    note_dates(&state, row.line, &mut out.read);

    // What the deal is called and worth: for the change checks, its summary and duplicates.
    let text = |column: Option<usize>| texts.field(column);
    let (amount, currency) = amount_and_currency(plan, &texts, cells);
    let (id_text, name_text, account_text) = (
        text(plan.id_col),
        text(plan.name_col),
        text(plan.account_col),
    );
    let (id, name, account) = (
        trim_cell(&id_text),
        trim_cell(&name_text),
        trim_cell(&account_text),
    );
    let open = state.is_open();

    // Check: what changed since the previous snapshot, if there is one.
    let now = Now {
        id,
        name,
        account,
        stage,
        stage_label: stage_as_written(plan, &texts),
        open,
        close_date: state.close_date,
        amount,
        currency,
    };
    let paired = changes::check_row(plan, &now, deal, &mut scratch.keys, &mut out.sink);

    // Score: forecast risk.
    let (risk_facts, score) = score_risk(
        plan,
        &state,
        cells,
        stage,
        paired.as_ref(),
        (deal, forecast.map_or(u32::MAX, |f| f.id)),
        &mut out.sink,
    );
    if let Some(p) = paired {
        out.pairs.push((deal, p.old));
    }

    let owner = owner_of(plan, &texts, &mut scratch.names);
    let account_id = scratch.names.account_id(account);
    let group = plan.group_col.and_then(|c| {
        let t = text(Some(c));
        let t = trim_cell(&t);
        (!placeholders.is_missing(t)).then(|| scratch.names.groups.intern(t))
    });
    let names = DealNames {
        id,
        name,
        account,
        account_id,
        open,
    };
    out.dup_keys
        .push(duplicates::keys(&names, placeholders, &mut scratch.fold));
    out.deals.push(
        DealText { id, name },
        DealFacts {
            file: plan.file,
            line: row.line,
            owner,
            account: account_id,
            stage,
            amount,
            currency,
            close_date: state.close_date,
            filled: fulfilment.filled,
            applicable: fulfilment.applicable,
            created_date: state.created_date,
            group,
            risk: risk_facts,
        },
    );

    // Aggregate: completeness for every deal, the pipeline for open ones.
    let band = Band::of(score, &rules.risk);
    if open && band >= Band::Medium {
        let key = risk_key(score, amount.map(|m| m.0), plan.file, row.line);
        out.riskiest.offer(key, deal);
    }
    let pipeline = if open {
        Tallied::Open(band, currency, amount)
    } else if state.is_closed() {
        Tallied::Closed
    } else {
        Tallied::Unknown
    };
    tally(&mut out.tallies, owner, stage, &fulfilment, pipeline);
}

/// The deal's amount, when its cell is valid money, and its currency: the currency
/// column's, else the amount's own symbol or code, else `[input] currency`.
fn amount_and_currency(
    plan: &Plan<'_>,
    texts: &RowText<'_>,
    cells: &[Cell],
) -> (Option<crate::values::Money>, Option<Currency>) {
    let money = plan.amount_slot.and_then(|s| match cells[s] {
        Cell::Valid(Parsed::Money(m)) => Some(m),
        _ => None,
    });
    let placeholders = &plan.rules.input.empty_values;
    let currency = plan
        .currency_col
        .map(|c| texts.field(Some(c)))
        .filter(|t| !placeholders.is_missing(trim_cell(t)))
        .and_then(|t| Currency::parse(&t))
        .or(money.and_then(|m| m.currency))
        .or(plan.rules.input.currency);
    (money.map(|m| m.amount), currency)
}

/// The deal's owner, interned: by name when `[input] owners` knows the id, so that every
/// table, list and stored snapshot downstream shows the person; an id it lacks stays as
/// written. `None` when the cell is empty or a placeholder.
fn owner_of(plan: &Plan<'_>, texts: &RowText<'_>, names: &mut Names) -> Option<u32> {
    let owner_text = texts.field(plan.owner_col);
    let owner = trim_cell(&owner_text);
    let input = &plan.rules.input;
    (!input.empty_values.is_missing(owner)).then(|| {
        let shown = input
            .owners
            .as_deref()
            .and_then(|o| o.name_of(owner))
            .unwrap_or(owner);
        names.owners.intern(shown)
    })
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

/// The stage cell as written (trimmed), which the change checks quote: read only when there
/// is a previous snapshot to compare with.
fn stage_as_written<'r>(plan: &Plan<'_>, texts: &RowText<'r>) -> Cow<'r, str> {
    if plan.baseline.is_none() {
        return Cow::Borrowed("");
    }
    match texts.field(plan.stage_slot.map(|s| plan.slots[s].column)) {
        Cow::Borrowed(s) => Cow::Borrowed(trim_cell(s)),
        Cow::Owned(s) => Cow::Owned(trim_cell(&s).to_string()),
    }
}

/// The deal's forecast risk: its signals (a push since the previous snapshot and serial
/// slippage among them, HYG009 pushed to `sink`), score and the facts kept with it.
fn score_risk(
    plan: &Plan<'_>,
    state: &DealState<'_>,
    cells: &[Cell],
    stage: StageKey,
    paired: Option<&Paired>,
    (deal, forecast_id): (u32, u32),
    sink: &mut FindingSink<'_>,
) -> (RiskFacts, u8) {
    let rules = plan.rules;
    let inputs = RiskInputs::read(plan, cells, stage);
    let mut signals = risk::assess(state, &inputs, plan.as_of, &rules.risk);
    if paired.is_some_and(|p| p.pushed) {
        signals.insert(Signal::Pushed);
    }
    let column_pushes = inputs
        .push_count
        .map_or(0, |n| n.clamp(0.0, f64::from(u16::MAX)) as u16);
    let slip = Slippage::of(column_pushes, paired);
    if slippage::check_row(plan, deal, state.is_open(), slip, sink) {
        signals.insert(Signal::Slipping);
    }
    let score = signals.score(&rules.risk.weights);
    let mut facts = risk::facts(
        state,
        &inputs,
        plan.as_of,
        &rules.risk,
        signals,
        score,
        forecast_id,
    );
    facts.push_count = slip.pushes.min(u32::from(u16::MAX)) as u16;
    facts.push_days = slip.days.min(u32::from(u16::MAX)) as u16;
    (facts, score)
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
fn tally(
    t: &mut Tallies,
    owner: Option<u32>,
    stage: StageKey,
    fulfilment: &crate::facts::requirement::Fulfilment,
    standing: Tallied,
) {
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
