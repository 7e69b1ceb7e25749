//! Auditing a chunk of rows: parse each read column, run the value and requirement checks,
//! score completeness and build the deal summary. Runs on rayon workers; everything it
//! produces is chunk-local and merged later in input order.

use std::borrow::Cow;

use super::deals::{DealBuffer, DealFacts, DealText, StageKey};
use super::plan::Plan;
use crate::checks::duplicates::id_hash;
use crate::checks::hygiene::{self, Activity, DealState, StageTime, folded_hash_any};
use crate::checks::input::ragged_row;
use crate::checks::required::{self, Demands, condition_holds};
use crate::checks::values::{Cell, Parsed, check_stage, check_value};
use crate::checks::{Code, Finding, Message, NO_FIELD, RowRef, Severity, Subject};
use crate::input::encoding;
use crate::input::{Row, Rows};
use crate::rules::{Outcome, normalize_forecast};
use crate::score::aggregate::grow;
use crate::score::risk::{self, RiskInputs, Riskiest, risk_key};
use crate::score::{Band, GroupTally, Tallies};
use crate::values::{Currency, DateCache, trim_cell};

/// What one chunk of rows produced.
pub struct ChunkOut {
    pub deals: DealBuffer,
    /// Per deal: hash of its id (for DUP001), `None` when it has no id.
    pub id_hashes: Vec<Option<u32>>,
    /// Per deal: hash of its folded account and name when it is open (for DUP002).
    pub dup_keys: Vec<Option<u32>>,
    /// In row order; subjects and stored messages index this chunk's `deals`, `rows` and
    /// `messages`.
    pub findings: Vec<Finding>,
    pub rows: Vec<RowRef>,
    pub messages: Vec<Box<str>>,
    pub tallies: Tallies,
    /// This batch's riskiest open deals (batch-local indices).
    pub riskiest: Riskiest,
    pub malformed: u64,
    /// Summary rows ("Total", "Grand Totals") skipped, and the line of the first.
    pub skipped: u64,
    pub first_skipped: Option<u64>,
    /// The line of the first row that was not UTF-8 (read as Windows-1252).
    pub first_not_utf8: Option<u64>,
}

/// Reusable per-worker state.
struct Scratch {
    cells: Vec<Cell>,
    /// Per slot, recently parsed dates (used by plain date columns).
    dates: Vec<DateCache>,
    demands: Demands,
    /// VAL006 messages per chunk-local unknown stage: the same misspelt stage recurs, and
    /// its "did you mean" is worth computing once.
    unknown_stage_messages: Vec<Option<String>>,
    /// Normalised forecast categories, by this batch's forecast interner id.
    forecast_norms: Vec<Box<str>>,
    /// Hash of each account's folded name, by this batch's account interner id.
    folded_accounts: Vec<Option<u64>>,
    /// Buffers for folding names (DUP002 keys).
    fold_a: String,
    fold_b: String,
}

pub fn audit_chunk(plan: &Plan<'_>, rows: &Rows) -> ChunkOut {
    let table = plan.table;
    let field_name = |f: &Finding| f.field().map(|id| table.name(id));
    let mut out = ChunkOut {
        deals: DealBuffer::default(),
        id_hashes: Vec::with_capacity(rows.len()),
        dup_keys: Vec::with_capacity(rows.len()),
        findings: Vec::new(),
        rows: Vec::new(),
        messages: Vec::new(),
        tallies: Tallies::new(plan.table.len(), plan.rules.stages.len()),
        riskiest: Riskiest::new(plan.keep_riskiest),
        skipped: 0,
        first_skipped: None,
        first_not_utf8: None,
        malformed: 0,
    };
    let mut scratch = Scratch {
        cells: vec![Cell::Missing { placeholder: false }; plan.slots.len()],
        dates: plan
            .slots
            .iter()
            .map(|s| {
                if s.plain_date {
                    DateCache::default()
                } else {
                    DateCache::empty()
                }
            })
            .collect(),
        demands: Demands::new(plan.table.len()),
        unknown_stage_messages: Vec::new(),
        forecast_norms: Vec::new(),
        folded_accounts: Vec::new(),
        fold_a: String::new(),
        fold_b: String::new(),
    };
    for row in rows.iter() {
        let start = out.findings.len();
        audit_row(plan, row, &mut scratch, &mut out);
        // A record's findings are ordered by code, then field (`Code` orders like its text).
        if out.findings.len() - start > 1 {
            out.findings[start..].sort_by(|a, b| {
                a.code
                    .cmp(&b.code)
                    .then_with(|| field_name(a).cmp(&field_name(b)))
            });
        }
    }
    out
}

/// A row's cells as text. The row is validated as UTF-8 once; a field is then a slice of it.
/// A row that is not UTF-8 has each cell decoded as Windows-1252 (see `input::encoding`).
struct RowText<'r> {
    row: Row<'r>,
    text: Option<&'r str>,
}

impl<'r> RowText<'r> {
    fn new(row: Row<'r>) -> RowText<'r> {
        RowText {
            row,
            text: std::str::from_utf8(row.bytes()).ok(),
        }
    }

    fn field(&self, column: Option<usize>) -> Cow<'r, str> {
        let Some(range) = column.and_then(|c| self.row.range(c)) else {
            return Cow::Borrowed("");
        };
        if let Some(s) = self.text.and_then(|t| t.get(range.clone())) {
            return Cow::Borrowed(s);
        }
        encoding::cell_text(self.row.bytes().get(range).unwrap_or(&[]))
    }
}

/// The deal a finding is about.
#[derive(Clone, Copy)]
struct At {
    deal: u32,
}

/// What a finding says: text kept now, or words rebuilt from the deal when shown.
enum Says {
    Text(String),
    Derived(u32),
}

fn emit(
    plan: &Plan<'_>,
    out: &mut ChunkOut,
    at: At,
    code: Code,
    specific: Option<Severity>,
    field: usize,
    says: Says,
) {
    if let Some(severity) = plan.policy.severity(code, specific) {
        let message = match says {
            Says::Text(text) => {
                out.messages.push(text.into_boxed_str());
                Message::Stored(out.messages.len() as u32 - 1)
            }
            Says::Derived(payload) => Message::Derived(payload),
        };
        out.findings.push(Finding {
            subject: Subject::Deal(at.deal),
            message,
            field: u16::try_from(field).unwrap_or(NO_FIELD),
            code,
            severity,
        });
    }
}

fn audit_row(plan: &Plan<'_>, row: Row<'_>, scratch: &mut Scratch, out: &mut ChunkOut) {
    let rules = plan.rules;
    let texts = RowText::new(row);
    if texts.text.is_none() {
        out.first_not_utf8.get_or_insert(row.line);
    }
    if is_summary_row(plan, &texts, row) {
        out.skipped += 1;
        out.first_skipped.get_or_insert(row.line);
        return;
    }
    if let Some((code, mut message)) = ragged_row(row.len(), plan.header_len) {
        if row.at_eof && row.iter().last().is_some_and(|c| c.contains(&b'\n')) {
            message = format!(
                "{message}; a quote opened on line {} is never closed, so the rest of the file was read as one field",
                row.line
            );
        }
        out.malformed += 1;
        if let Some(severity) = plan.policy.severity(code, None) {
            let id = trim_cell(&texts.field(plan.id_col)).to_string();
            out.rows.push(RowRef {
                file: plan.file,
                line: row.line,
                record_id: (!id.is_empty()).then(|| id.into_boxed_str()),
                column: None,
            });
            out.messages.push(message.into_boxed_str());
            out.findings.push(Finding {
                subject: Subject::Row(out.rows.len() as u32 - 1),
                message: Message::Stored(out.messages.len() as u32 - 1),
                field: NO_FIELD,
                code,
                severity,
            });
        }
        return;
    }
    let deal = out.deals.deals.len() as u32;
    let at = At { deal };
    let placeholders = &rules.input.empty_values;

    // Values: parse and check every read column.
    let mut stage = StageKey::Missing;
    for (i, slot) in plan.slots.iter().enumerate() {
        let text = texts.field(Some(slot.column));
        let t = trim_cell(&text);
        if placeholders.is_missing(t) {
            scratch.cells[i] = Cell::Missing {
                placeholder: !t.is_empty(),
            };
            continue;
        }
        let field_rule = plan.field_rule(slot);
        // Plain date columns: a cache hit skips the parse (errors are never cached).
        let cache_key = if slot.plain_date {
            DateCache::key(t)
        } else {
            None
        };
        if let Some(date) = cache_key.and_then(|k| scratch.dates[i].get(k)) {
            scratch.cells[i] = Cell::Valid(Parsed::Date(date));
            continue;
        }
        let checked = if slot.is_stage {
            match rules.stage_index(t) {
                Some(s) => Ok(Parsed::Stage(s)),
                None => {
                    let id = out.deals.unknown_stages.intern(t) as usize;
                    stage = StageKey::Unknown(id as u32);
                    let cache = &mut scratch.unknown_stage_messages;
                    if cache.len() <= id {
                        cache.resize(id + 1, None);
                    }
                    match &cache[id] {
                        Some(message) => Err((Code::Val006, message.clone())),
                        None => {
                            let v = check_stage(t, rules).map(Parsed::Stage);
                            if let Err((_, message)) = &v {
                                cache[id] = Some(message.clone());
                            }
                            v
                        }
                    }
                }
            }
        } else {
            check_value(t, slot.kind, field_rule, &plan.values)
        };
        scratch.cells[i] = match checked {
            Ok(parsed) => {
                if let Parsed::Stage(s) = parsed {
                    stage = StageKey::Known(s as u32);
                }
                if let (Some(k), Parsed::Date(d)) = (cache_key, parsed) {
                    scratch.dates[i].put(k, d);
                }
                Cell::Valid(parsed)
            }
            Err((code, message)) => {
                let severity = field_rule.and_then(|r| r.severity);
                emit(
                    plan,
                    out,
                    at,
                    code,
                    severity,
                    slot.field,
                    Says::Text(message),
                );
                Cell::Invalid
            }
        };
    }
    if stage == StageKey::Missing && rules.stages.is_empty() {
        // Without [[stages]] the stage is only a label to group by.
        let text = texts.field(plan.stage_slot.map(|s| plan.slots[s].column));
        let t = trim_cell(&text);
        if !placeholders.is_missing(t) {
            stage = StageKey::Unknown(out.deals.unknown_stages.intern(t));
        }
    }

    // Requirements: global, the stage's exit criteria, and rules whose `when` holds.
    let demands = &mut scratch.demands;
    demands.clear();
    for r in &plan.global {
        demands.demand(r);
    }
    if let StageKey::Known(s) = stage {
        if let Some(reqs) = plan.by_stage.get(s as usize) {
            for r in reqs {
                demands.demand(r);
            }
        }
    }
    for rule in &plan.conditional {
        let fires = rule.when.iter().all(|&(slot, test)| {
            let text = texts.field(Some(plan.slots[slot].column));
            condition_holds(test, &scratch.cells[slot], trim_cell(&text))
        });
        if fires {
            for r in &rule.requires {
                demands.demand(r);
            }
        }
    }

    // Completeness, and a REQ finding per missing demanded field.
    let (mut filled_w, mut applicable_w) = (0u32, 0u32);
    let amount_field = plan.hygiene_fields.amount;
    let mut amount_reported = false;
    for &field in demands.fields() {
        let weight = plan.table.entries[field].weight;
        applicable_w = applicable_w.saturating_add(weight);
        let cell = plan.slot_of[field].map(|s| scratch.cells[s]);
        let tally = &mut out.tallies.fields[field];
        tally.applicable += 1;
        match cell {
            Some(Cell::Valid(_)) => {
                tally.filled += 1;
                filled_w = filled_w.saturating_add(weight);
            }
            Some(Cell::Invalid) => tally.invalid += 1,
            Some(Cell::Missing { .. }) | None => {
                tally.missing += 1;
                if let Some((code, severity, because)) = demands.verdict(field, plan.policy) {
                    // An empty field is worded when shown; a placeholder's text is kept.
                    let says = if placeholder_text(cell) {
                        let text = texts.field(plan.slot_of[field].map(|s| plan.slots[s].column));
                        let how = format!(
                            "holds the placeholder {}",
                            crate::checks::values::quote(trim_cell(&text))
                        );
                        let name = plan.table.name(field);
                        Says::Text(required::message(because, name, &how, rules))
                    } else {
                        Says::Derived(because.payload())
                    };
                    emit(plan, out, at, code, Some(severity), field, says);
                    amount_reported |= field == amount_field;
                }
            }
        }
    }

    // Hygiene and forecast risk.
    let cell = |slot: Option<usize>| slot.map(|s| scratch.cells[s]);
    let date_of = |slot: Option<usize>| match cell(slot) {
        Some(Cell::Valid(Parsed::Date(d))) => Some(d),
        _ => None,
    };
    let number_of = |slot: Option<usize>| match cell(slot) {
        Some(Cell::Valid(Parsed::Number(n))) => Some(n),
        _ => None,
    };
    let h = &plan.hygiene;
    let money = plan.amount_slot.and_then(|s| match scratch.cells[s] {
        Cell::Valid(Parsed::Money(m)) => Some(m),
        _ => None,
    });
    let close_date = date_of(plan.close_date_slot);
    let known_stage = match stage {
        StageKey::Known(s) => rules.stages.get(s as usize),
        _ => None,
    };
    let forecast_text = h
        .forecast_category
        .map(|s| texts.field(Some(plan.slots[s].column)));
    let forecast = forecast_text
        .as_deref()
        .map(trim_cell)
        .filter(|t| !placeholders.is_missing(t));
    // A handful of categories recur: normalise each once per batch.
    let forecast_id = forecast.map(|f| out.deals.forecasts.intern(f));
    if let Some(id) = forecast_id {
        let norms = &mut scratch.forecast_norms;
        while norms.len() <= id as usize {
            let spelled = out.deals.forecasts.name(norms.len() as u32);
            norms.push(normalize_forecast(spelled).into_boxed_str());
        }
    }
    let forecast_norm = forecast_id
        .and_then(|id| scratch.forecast_norms.get(id as usize))
        .map(|n| &**n);
    let closed_as = plan.status_col.and_then(|c| {
        let text = texts.field(Some(c));
        let t = trim_cell(&text);
        if t.eq_ignore_ascii_case("won") {
            Some(Outcome::Won)
        } else if t.eq_ignore_ascii_case("lost") || t.eq_ignore_ascii_case("deleted") {
            Some(Outcome::Lost)
        } else {
            None
        }
    });
    let state = DealState {
        stage: known_stage,
        closed_as,
        close_date,
        created_date: date_of(h.created_date),
        activity: match cell(h.last_activity) {
            None => Activity::NotTracked,
            Some(Cell::Valid(Parsed::Date(d))) => Activity::Last(d),
            Some(Cell::Missing { .. }) => Activity::NoneRecorded,
            Some(_) => Activity::Unreadable,
        },
        stage_time: match (date_of(h.stage_changed), number_of(h.stage_age)) {
            (Some(since), _) => StageTime::Days {
                days: (plan.as_of - since).num_days(),
                field: plan.slots[h.stage_changed.unwrap_or(0)].field,
            },
            // A fraction of a day counts: 30.9 days is past a 30-day limit.
            (None, Some(days)) if days.is_finite() => StageTime::Days {
                days: days.ceil() as i64,
                field: plan.slots[h.stage_age.unwrap_or(0)].field,
            },
            _ => StageTime::Unknown,
        },
        probability: number_of(h.probability),
        forecast,
        forecast_norm,
        amount: money.map(|m| m.amount),
        amount_already_reported: amount_reported,
        amount_unreadable: matches!(cell(plan.amount_slot), Some(Cell::Invalid)),
        amount_tracked: plan.amount_slot.is_some(),
    };
    hygiene::check(
        &state,
        plan.as_of,
        &rules.risk,
        &plan.hygiene_fields,
        |code| plan.policy.enabled(code),
        |code, field, stored| {
            let says = match stored {
                Some(text) => Says::Text(text),
                None => Says::Derived(0),
            };
            emit(plan, out, at, code, None, field, says)
        },
    );
    let mut exit_unmet = 0u16;
    let mut exit_more = false;
    if let StageKey::Known(s) = stage {
        for r in plan.by_stage.get(s as usize).into_iter().flatten() {
            let unmet = plan.slot_of[r.field]
                .is_some_and(|slot| !matches!(scratch.cells[slot], Cell::Valid(_)));
            if unmet && r.pos < 16 {
                exit_unmet |= 1 << r.pos;
            } else if unmet {
                exit_more = true;
            }
        }
    }
    let inputs = RiskInputs {
        exit_unmet,
        exit_more,
        next_step_missing: cell(h.next_step).map(|c| matches!(c, Cell::Missing { .. })),
        push_count: number_of(h.push_count),
    };
    let signals = risk::assess(&state, &inputs, plan.as_of, &rules.risk);
    let score = signals.score(&rules.risk.weights);
    let risk_facts = risk::facts(
        &state,
        &inputs,
        &rules.risk,
        signals,
        score,
        forecast_id.unwrap_or(u32::MAX),
    );

    // The deal's summary.
    let owner_text = texts.field(plan.owner_col);
    let owner_t = trim_cell(&owner_text);
    let owner = (!placeholders.is_missing(owner_t)).then(|| out.deals.owners.intern(owner_t));
    let currency = plan
        .currency_col
        .map(|c| texts.field(Some(c)))
        .filter(|text| !placeholders.is_missing(trim_cell(text)))
        .and_then(|text| Currency::parse(&text))
        .or(money.and_then(|m| m.currency))
        .or(rules.input.currency);
    let id_text = texts.field(plan.id_col);
    let id = trim_cell(&id_text);
    let name_text = texts.field(plan.name_col);
    let name = trim_cell(&name_text);
    let account_text = texts.field(plan.account_col);
    let account = trim_cell(&account_text);
    // A placeholder id ("N/A") is no id: it must not make every such record a duplicate.
    let has_id = !placeholders.is_missing(id);
    out.id_hashes.push(has_id.then(|| id_hash(id)));
    // DUP002 compares open deals by account and folded name.
    let open = state.is_open();
    // Only real names count: a placeholder or punctuation ("N/A", "---") names no deal.
    let names_something =
        |s: &str| !placeholders.is_missing(s) && s.chars().any(char::is_alphanumeric);
    let dup_key = (open && names_something(account) && names_something(name)).then(|| {
        // Accounts recur: fold each once per batch.
        let id = out.deals.accounts.intern(account) as usize;
        let folded = &mut scratch.folded_accounts;
        if folded.len() <= id {
            folded.resize(id + 1, None);
        }
        let account_hash =
            *folded[id].get_or_insert_with(|| folded_hash_any(account, &mut scratch.fold_a));
        let full = account_hash.rotate_left(17) ^ folded_hash_any(name, &mut scratch.fold_b);
        (full ^ (full >> 32)) as u32
    });
    out.dup_keys.push(dup_key);
    out.deals.push(
        DealText { id, name, account },
        DealFacts {
            file: plan.file,
            line: row.line,
            owner,
            stage,
            amount: money.map(|m| m.amount),
            currency,
            close_date,
            filled: filled_w,
            applicable: applicable_w,
            risk: risk_facts,
        },
    );

    // Aggregates: completeness for every deal, the pipeline for open ones.
    let band = Band::of(score, &rules.risk);
    if open && band >= Band::Medium {
        let key = risk_key(score, money.map(|m| m.amount.0), plan.file, row.line);
        out.riskiest.offer(key, deal);
    }
    let amount = money.map(|m| m.amount);
    let t = &mut out.tallies;
    let add = |g: &mut GroupTally| {
        g.completeness.add(filled_w, applicable_w);
        if open {
            g.pipeline.add_open(band, currency, amount);
        }
    };
    add(&mut t.overall);
    match owner {
        Some(o) => add(grow(&mut t.by_owner, o as usize)),
        None => add(&mut t.no_owner),
    }
    match stage {
        StageKey::Known(s) => {
            if let Some(g) = t.by_stage.get_mut(s as usize) {
                add(g);
            }
        }
        StageKey::Unknown(u) => add(grow(&mut t.by_unknown_stage, u as usize)),
        StageKey::Missing => add(&mut t.no_stage),
    }
}

/// A "Total" / "Grand Totals" row of a formatted export (see [`is_summary_row`]).
fn is_summary_row(plan: &Plan<'_>, texts: &RowText<'_>, row: Row<'_>) -> bool {
    // Nearly every row starts with a filled cell that is no summary label: one byte says
    // so before any text is looked at.
    if let Some(first) = row.get(0).and_then(|c| c.first()) {
        if !matches!(
            first.to_ascii_lowercase(),
            b't' | b'g' | b's' | b' ' | b'\t' | b'"'
        ) {
            return false;
        }
    }
    crate::input::footer::is_summary_row(|i| texts.field(Some(i)), row.len(), plan.id_col)
}

fn placeholder_text(cell: Option<Cell>) -> bool {
    matches!(cell, Some(Cell::Missing { placeholder: true }))
}
