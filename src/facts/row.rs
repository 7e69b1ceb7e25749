//! One deal's row as every check family, the risk score and the aggregates read it: built
//! once per row ([`RowFacts::read`]), so that each typed cell is read once and each
//! placeholder decided once. The check families turn these facts into findings
//! (`checks::ROW_CHECKS`), the score into a risk, the engine into the deal's summary and
//! tallies; none of them reads the raw row again for what is here.

use std::borrow::Cow;

use super::cell::{Cell, Parsed};
use super::mapping::FieldId;
use super::pairing::{Identity, KeyScratch, Paired, Slippage};
use super::parse::{CellScratch, Invalid, read_cells};
use super::plan::Plan;
use super::requirement::{Demands, FieldTally, Fulfilment};
use super::state::{DealState, Forecast, intern_forecast};
use crate::deal::{Names, StageKey};
use crate::diag::{Code, Policy};
use crate::input::RowText;
use crate::values::{Currency, Money, trim_cell};

/// What a worker reuses from row to row to read facts: cell buffers, requirement marks,
/// normalised forecast categories. The facts of a row borrow it.
pub(crate) struct RowScratch {
    pub(crate) cells: CellScratch,
    demands: Demands,
    /// Per conditional rule of the plan: whether every `when` holds for the current row.
    fired: Vec<bool>,
    /// Per field the current row's requirements demand, in the order first demanded: what
    /// its cell holds.
    held: Vec<(FieldId, Held)>,
    /// Normalised forecast categories, by forecast id.
    forecast_norms: Vec<Box<str>>,
}

impl RowScratch {
    pub(crate) fn new(plan: &Plan<'_>) -> RowScratch {
        RowScratch {
            cells: CellScratch::new(plan),
            demands: Demands::new(plan.table.len(), &plan.global),
            fired: Vec::with_capacity(plan.conditional.len()),
            held: Vec::new(),
            forecast_norms: Vec::new(),
        }
    }
}

/// One deal's row, read (see the module docs).
pub(crate) struct RowFacts<'f> {
    /// The deal's index in its batch.
    pub(crate) deal: u32,
    pub(crate) texts: &'f RowText<'f>,
    /// The cells, conditions and requirements read into the worker's buffers.
    scratch: &'f RowScratch,
    pub(crate) stage: StageKey,
    /// The stage cell as written, trimmed (read only when there is a previous snapshot,
    /// whose change messages quote it).
    pub(crate) stage_label: Cow<'f, str>,
    pub(crate) fulfilment: Fulfilment,
    pub(crate) state: DealState<'f>,
    /// The forecast category's id in the batch's interner (`u32::MAX`: none).
    pub(crate) forecast_id: u32,
    id: Cow<'f, str>,
    name: Cow<'f, str>,
    account: Cow<'f, str>,
    /// The amount, when its cell is valid money, and the currency it is in.
    pub(crate) amount: Option<Money>,
    pub(crate) currency: Option<Currency>,
    /// Interned: the owner (by name when `[input] owners` knows the id), the account and the
    /// `--by` column's value; `None` when empty or a placeholder.
    pub(crate) owner: Option<u32>,
    pub(crate) account_id: Option<u32>,
    pub(crate) group: Option<u32>,
    /// The deal's previous self, when there is a previous snapshot and it pairs.
    pub(crate) paired: Option<Paired>,
    /// Its close date's pushes, all told.
    pub(crate) slip: Slippage,
    /// Open and slipping serially, as HYG009 reports it: the `slipping` risk signal, which
    /// HYG009 switched off switches off too.
    pub(crate) slipping: bool,
}

/// The four interned names a row adds, taken while the worker's names may still grow.
struct Interned {
    forecast: Option<u32>,
    owner: Option<u32>,
    account: Option<u32>,
    group: Option<u32>,
}

impl<'f> RowFacts<'f> {
    /// Read deal `deal`'s row `texts` under `plan`. Names it holds are interned in `names`;
    /// `policy` says which REQ codes report a missing field (the hygiene checks do not
    /// repeat them) and whether HYG009, which feeds the `slipping` signal, is on; `keys`
    /// are buffers for the pairing key.
    pub(crate) fn read(
        plan: &'f Plan<'f>,
        policy: &Policy,
        (texts, deal): (&'f RowText<'f>, u32),
        scratch: &'f mut RowScratch,
        names: &'f mut Names,
        keys: &mut KeyScratch,
    ) -> RowFacts<'f> {
        let stage = read_cells(plan, texts, &mut scratch.cells, names);
        let cells = scratch.cells.cells.as_slice();
        scratch.fired.clear();
        scratch.fired.extend(plan.conditional.iter().map(|rule| {
            (!rule.requires.is_empty() || rule.then.is_some()) && rule.fires(plan, texts, cells)
        }));
        demand(plan, stage, &scratch.fired, &mut scratch.demands);
        let fulfilment = fulfil(plan, cells, &scratch.demands, policy, &mut scratch.held);
        let (id, name, account) = (
            trim(texts.field(plan.id_col)),
            trim(texts.field(plan.name_col)),
            trim(texts.field(plan.account_col)),
        );
        let interned = intern(plan, texts, &account, names, &mut scratch.forecast_norms);

        let (names, scratch): (&'f Names, &'f RowScratch) = (names, scratch);
        let cells = scratch.cells.cells.as_slice();
        let forecast = interned
            .forecast
            .map(|id| Forecast::get(id, &names.forecasts, &scratch.forecast_norms));
        let state = DealState::read(plan, texts, cells, stage, &fulfilment, forecast);
        let (amount, currency) = amount_and_currency(plan, texts, cells);
        let open = state.is_open();
        let paired = plan.baseline.and_then(|b| {
            let now = Identity {
                id: &id,
                name: &name,
                account: &account,
                open,
                close_date: state.close_date,
            };
            b.pair(&now, plan.rules, keys)
        });
        let push_column = plan.hygiene.push_count.and_then(|s| match cells[s] {
            Cell::Valid(Parsed::Number(n)) => Some(n),
            _ => None,
        });
        let column_pushes = push_column.map_or(0, |n| n.clamp(0.0, f64::from(u16::MAX)) as u16);
        let slip = Slippage::of(column_pushes, paired.as_ref());
        let slipping = open && slip.serial(&plan.rules.changes) && policy.enabled(Code::Hyg009);
        let stage_label = match plan.baseline {
            Some(_) => trim(texts.field(plan.stage_slot.map(|s| plan.slots[s].column))),
            None => Cow::Borrowed(""),
        };
        RowFacts {
            deal,
            texts,
            scratch,
            stage,
            stage_label,
            fulfilment,
            forecast_id: interned.forecast.unwrap_or(u32::MAX),
            state,
            id,
            name,
            account,
            amount,
            currency,
            owner: interned.owner,
            account_id: interned.account,
            group: interned.group,
            paired,
            slip,
            slipping,
        }
    }

    /// Per slot: the typed cell.
    pub(crate) fn cells(&self) -> &'f [Cell] {
        &self.scratch.cells.cells
    }

    /// The values that failed their checks (VAL001–VAL006), in slot order.
    pub(crate) fn invalid(&self) -> &'f [Invalid] {
        &self.scratch.cells.invalid
    }

    /// Per conditional rule of the plan: whether its `when` holds.
    pub(crate) fn fired(&self) -> &'f [bool] {
        &self.scratch.fired
    }

    /// What the deal's requirements demand of each field.
    pub(crate) fn demands(&self) -> &'f Demands {
        &self.scratch.demands
    }

    /// Each demanded field, in the order first demanded, and what its cell holds.
    pub(crate) fn held(&self) -> &'f [(FieldId, Held)] {
        &self.scratch.held
    }

    /// The record id, deal name and account, trimmed.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn account(&self) -> &str {
        &self.account
    }

    /// The text of slot `slot`'s cell as written, trimmed.
    pub(crate) fn written(&self, plan: &Plan<'_>, slot: usize) -> Cow<'f, str> {
        trim(self.texts.field(Some(plan.slots[slot].column)))
    }

    /// Count each field the deal's requirements demand into `tallies`: applicable, and
    /// filled, invalid or missing.
    pub(crate) fn tally_fields(&self, tallies: &mut [FieldTally]) {
        for &(field, held) in self.held() {
            let tally = &mut tallies[field];
            tally.applicable += 1;
            match held {
                Held::Valid => tally.filled += 1,
                Held::Invalid => tally.invalid += 1,
                Held::Missing => tally.missing += 1,
            }
        }
    }
}

/// What the deal's requirements demand: global ones (demanded once, when `demands` was
/// made), its stage's exit criteria and those of the rules whose `when` holds.
fn demand(plan: &Plan<'_>, stage: StageKey, fired: &[bool], demands: &mut Demands) {
    demands.clear();
    if let StageKey::Known(s, _) = stage {
        if let Some(reqs) = plan.by_stage.get(s as usize) {
            for r in reqs {
                demands.demand(r);
            }
        }
    }
    for (rule, _) in plan.conditional.iter().zip(fired).filter(|(_, f)| **f) {
        for r in &rule.requires {
            demands.demand(r);
        }
    }
}

/// What a demanded field's cell holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Held {
    Valid,
    Invalid,
    /// Empty, a placeholder, or a column the file lacks.
    Missing,
}

/// What the demanded fields come to: each field's cell (into `held`), the weights
/// applicable and filled (completeness), and whether a REQ finding reports the amount or
/// the close date missing.
fn fulfil(
    plan: &Plan<'_>,
    cells: &[Cell],
    demands: &Demands,
    policy: &Policy,
    held: &mut Vec<(FieldId, Held)>,
) -> Fulfilment {
    let mut out = Fulfilment::default();
    let fields = &plan.hygiene_fields;
    held.clear();
    for &field in demands.fields() {
        let weight = plan.table.entries[field].weight;
        out.applicable = out.applicable.saturating_add(weight);
        let h = match plan.slot_of[field].and_then(|s| cells.get(s)) {
            Some(Cell::Valid(_)) => {
                out.filled = out.filled.saturating_add(weight);
                Held::Valid
            }
            Some(Cell::Invalid) => Held::Invalid,
            Some(Cell::Missing { .. }) | None => {
                if demands.verdict(field, policy).is_some() {
                    out.amount_reported |= field == fields.amount;
                    out.close_date_reported |= field == fields.close_date;
                }
                Held::Missing
            }
        };
        held.push((field, h));
    }
    out
}

/// The forecast category, owner, account and `--by` value of a row, interned; empty cells
/// and placeholders are none.
fn intern(
    plan: &Plan<'_>,
    texts: &RowText<'_>,
    account: &str,
    names: &mut Names,
    forecast_norms: &mut Vec<Box<str>>,
) -> Interned {
    let placeholders = &plan.rules.input.empty_values;
    let forecast_text = plan
        .hygiene
        .forecast_category
        .map(|s| texts.field(Some(plan.slots[s].column)));
    let forecast = intern_forecast(
        forecast_text.as_deref(),
        placeholders,
        &mut names.forecasts,
        forecast_norms,
    );
    let owner_text = texts.field(plan.owner_col);
    let owner = trim_cell(&owner_text);
    let input = &plan.rules.input;
    let owner = (!placeholders.is_missing(owner)).then(|| {
        let shown = input
            .owners
            .as_deref()
            .and_then(|o| o.name_of(owner))
            .unwrap_or(owner);
        names.owners.intern(shown)
    });
    let group = plan.group_col.and_then(|c| {
        let t = texts.field(Some(c));
        let t = trim_cell(&t);
        (!placeholders.is_missing(t)).then(|| names.groups.intern(t))
    });
    Interned {
        forecast,
        owner,
        account: names.account_id(account),
        group,
    }
}

/// The deal's amount, when its cell is valid money, and its currency: the currency
/// column's, else the amount's own symbol or code, else `[input] currency`.
fn amount_and_currency(
    plan: &Plan<'_>,
    texts: &RowText<'_>,
    cells: &[Cell],
) -> (Option<Money>, Option<Currency>) {
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

#[inline]
fn trim(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(trim_cell(s)),
        Cow::Owned(s) => Cow::Owned(trim_cell(&s).to_string()),
    }
}
