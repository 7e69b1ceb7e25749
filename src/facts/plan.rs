//! A rule set compiled for one file: which columns to read, as what, and which requirements
//! apply globally, per stage and per rule. Built once per file; read by every record.

use chrono::NaiveDate;

use super::cell::{Cell, ValueContext};
use super::requirement::{Because, Requirement, condition_holds};
use crate::diag::Severity;
use crate::facts::mapping::{FieldId, FieldTable, Mapping};
use crate::facts::reading::FileReading;
use crate::field::{Canonical, FieldName, FieldType};
use crate::input::RowText;
use crate::rules::{FieldRule, RuleSet, Test};
use crate::values::trim_cell;

/// A column read and checked for every record.
#[derive(Clone, Debug)]
pub(crate) struct Slot {
    pub(crate) field: FieldId,
    pub(crate) column: usize,
    pub(crate) kind: FieldType,
    pub(crate) rule: Option<usize>,
    pub(crate) is_stage: bool,
    /// The currency column: its value must name a currency (VAL002), never a new one.
    pub(crate) is_currency: bool,
    /// A date column without constraints: its parses may be cached.
    pub(crate) plain_date: bool,
}

/// A conditional rule bound to this file's slots.
#[derive(Clone, Debug)]
pub(crate) struct BoundRule<'a> {
    /// Index of the rule in [`RuleSet::rules`].
    pub(crate) index: usize,
    /// Conditions: the slot of the tested field and the test.
    pub(crate) when: Vec<(usize, &'a Test)>,
    pub(crate) requires: Vec<Requirement>,
    /// The value test (RUL001): the slot of its field and the test; `None` when the rule
    /// has none, or this file lacks its field.
    pub(crate) then: Option<(usize, &'a Test)>,
}

impl BoundRule<'_> {
    /// Whether every `when` condition holds for a record (`cells` are the value checks').
    pub(crate) fn fires(&self, plan: &Plan<'_>, texts: &RowText<'_>, cells: &[Cell]) -> bool {
        self.when.iter().all(|&(slot, test)| {
            let text = texts.field(Some(plan.slots[slot].column));
            condition_holds(test, &cells[slot], trim_cell(&text))
        })
    }
}

/// Where the hygiene inputs are, among the slots.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HygieneSlots {
    pub(crate) created_date: Option<usize>,
    pub(crate) last_activity: Option<usize>,
    pub(crate) stage_changed: Option<usize>,
    pub(crate) stage_age: Option<usize>,
    pub(crate) probability: Option<usize>,
    pub(crate) forecast_category: Option<usize>,
    pub(crate) next_step: Option<usize>,
    pub(crate) next_step_date: Option<usize>,
    pub(crate) push_count: Option<usize>,
}

pub(crate) struct Plan<'a> {
    pub(crate) rules: &'a RuleSet,
    pub(crate) table: &'a FieldTable,
    pub(crate) file: u32,
    pub(crate) header_len: usize,
    pub(crate) slots: Vec<Slot>,
    /// Per field: its slot, if read.
    pub(crate) slot_of: Vec<Option<usize>>,
    pub(crate) id_col: Option<usize>,
    pub(crate) name_col: Option<usize>,
    pub(crate) account_col: Option<usize>,
    pub(crate) owner_col: Option<usize>,
    pub(crate) currency_col: Option<usize>,
    /// The open/won/lost status column, if the export has one.
    pub(crate) status_col: Option<usize>,
    /// The closed and won flags (`IsClosed`, `IsWon`), if the export has them.
    pub(crate) is_closed_col: Option<usize>,
    pub(crate) is_won_col: Option<usize>,
    pub(crate) stage_slot: Option<usize>,
    pub(crate) amount_slot: Option<usize>,
    pub(crate) close_date_slot: Option<usize>,
    /// Slots the hygiene checks and risk signals read (each when the export has it).
    pub(crate) hygiene: HygieneSlots,
    pub(crate) hygiene_fields: HygieneFields,
    pub(crate) as_of: NaiveDate,
    pub(crate) global: Vec<Requirement>,
    pub(crate) by_stage: Vec<Vec<Requirement>>,
    pub(crate) conditional: Vec<BoundRule<'a>>,
    pub(crate) values: ValueContext<'a>,
    /// The previous snapshot, when the audit compares with one (the change checks).
    pub(crate) baseline: Option<&'a crate::facts::pairing::Baseline<'a>>,
    /// The `--by` column, whose value each deal keeps for the pipeline-health breakdowns.
    pub(crate) group_col: Option<usize>,
}

/// The rules and one file's mapping, while a plan is built.
struct Binder<'a, 'm> {
    rules: &'a RuleSet,
    table: &'a FieldTable,
    mapping: &'m Mapping,
}

impl<'a> Binder<'a, '_> {
    fn field_rule(&self, id: FieldId) -> Option<&'a FieldRule> {
        self.table.entries[id]
            .rule
            .and_then(|r| self.rules.fields.get(r))
    }

    /// A requirement of `name`, when the file has the field.
    fn requirement(
        &self,
        name: &FieldName,
        because: Because,
        severity: Option<Severity>,
        pos: usize,
    ) -> Option<Requirement> {
        let id = self.table.id(name)?;
        self.mapping.column(id)?;
        Some(Requirement {
            field: id,
            because,
            severity: severity.or(self.field_rule(id).and_then(|r| r.severity)),
            pos: pos.min(usize::from(u8::MAX)) as u8,
        })
    }

    fn global(&self) -> Vec<Requirement> {
        self.rules
            .fields
            .iter()
            .filter(|f| f.required)
            .filter_map(|f| self.requirement(&f.name, Because::Global, None, 0))
            .collect()
    }

    fn by_stage(&self) -> Vec<Vec<Requirement>> {
        self.rules
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.requires
                    .iter()
                    .enumerate()
                    .filter_map(|(pos, r)| {
                        self.requirement(&r.name, Because::Stage(i), s.severity, pos)
                    })
                    .collect()
            })
            .collect()
    }

    /// Which fields are read: typed or constrained ones, the stage and what hygiene and
    /// risk read, and every field a requirement or condition names.
    fn wanted(&self, required: &[&Requirement]) -> Vec<bool> {
        let table = self.table;
        let mut wanted: Vec<bool> = (0..table.len())
            .map(|id| {
                let constrained = self.field_rule(id).is_some_and(|r| {
                    !r.values.is_empty()
                        || r.pattern.is_some()
                        || r.min.is_some()
                        || r.max.is_some()
                });
                table.entries[id].kind != FieldType::Text || constrained
            })
            .collect();
        for c in [
            Canonical::Stage,
            Canonical::Amount,
            Canonical::Currency,
            Canonical::CloseDate,
            Canonical::CreatedDate,
            Canonical::LastActivity,
            Canonical::StageChanged,
            Canonical::StageAge,
            Canonical::Probability,
            Canonical::ForecastCategory,
            Canonical::NextStep,
            Canonical::NextStepDate,
            Canonical::PushCount,
        ] {
            wanted[table.canonical(c)] = true;
        }
        for r in required {
            wanted[r.field] = true;
        }
        for r in &self.rules.rules {
            let named = r.conditions().map(|c| &c.field).chain(&r.requires);
            for id in named.filter_map(|f| table.id(&f.name)) {
                wanted[id] = true;
            }
        }
        wanted
    }

    /// The slots (columns read), and per field its slot.
    fn slots(&self, wanted: &[bool]) -> (Vec<Slot>, Vec<Option<usize>>) {
        let table = self.table;
        let mut slots = Vec::new();
        let mut slot_of = vec![None; table.len()];
        for (id, entry) in table.entries.iter().enumerate() {
            if let (true, Some(column)) = (wanted[id], self.mapping.column(id)) {
                slot_of[id] = Some(slots.len());
                let unconstrained = self.field_rule(id).is_none_or(|r| {
                    r.values.is_empty() && r.pattern.is_none() && r.min.is_none() && r.max.is_none()
                });
                slots.push(Slot {
                    field: id,
                    column,
                    kind: entry.kind,
                    rule: entry.rule,
                    plain_date: entry.kind == FieldType::Date && unconstrained,
                    is_stage: id == table.canonical(Canonical::Stage)
                        && !self.rules.stages.is_empty(),
                    is_currency: id == table.canonical(Canonical::Currency),
                });
            }
        }
        (slots, slot_of)
    }

    /// The conditional rules that apply: those whose every tested field is in the file.
    fn conditional(&self, slot_of: &[Option<usize>]) -> Vec<BoundRule<'a>> {
        self.rules
            .rules
            .iter()
            .enumerate()
            .filter_map(|(index, r)| {
                let when = r
                    .when
                    .iter()
                    .map(|c| {
                        let id = self.table.id(&c.field.name)?;
                        Some((slot_of[id]?, &c.test))
                    })
                    .collect::<Option<Vec<_>>>()?;
                let requires = r
                    .requires
                    .iter()
                    .filter_map(|f| self.requirement(&f.name, Because::Rule(index), r.severity, 0))
                    .collect();
                let then = r.then.as_ref().and_then(|c| {
                    let id = self.table.id(&c.field.name)?;
                    Some((slot_of[id]?, &c.test))
                });
                Some(BoundRule {
                    index,
                    when,
                    requires,
                    then,
                })
            })
            .collect()
    }
}

impl<'a> Plan<'a> {
    pub(crate) fn new(
        rules: &'a RuleSet,
        table: &'a FieldTable,
        mapping: &Mapping,
        as_of: NaiveDate,
        reading: &'a FileReading,
        file: u32,
        header_len: usize,
    ) -> Plan<'a> {
        let binder = Binder {
            rules,
            table,
            mapping,
        };
        let global = binder.global();
        let by_stage = binder.by_stage();
        let required: Vec<&Requirement> = global.iter().chain(by_stage.iter().flatten()).collect();
        let (slots, slot_of) = binder.slots(&binder.wanted(&required));
        let conditional = binder.conditional(&slot_of);

        let col = |c: Canonical| mapping.column(table.canonical(c));
        let slot = |c: Canonical| slot_of[table.canonical(c)];
        let typed =
            |c: Canonical, fits: fn(FieldType) -> bool| slot(c).filter(|&s| fits(slots[s].kind));
        let date = |k: FieldType| k == FieldType::Date;
        let numeric = |k: FieldType| k.is_numeric();
        // A date column holding one load time on nearly every row (IN011) is read and
        // checked as a value, but no deal is compared with it.
        let compared = |c: Canonical| {
            typed(c, date).filter(|&s| {
                !reading
                    .traps
                    .stamps
                    .iter()
                    .any(|t| t.column == slots[s].column)
            })
        };
        Plan {
            rules,
            table,
            file,
            header_len,
            id_col: col(Canonical::Id),
            name_col: col(Canonical::Name),
            account_col: col(Canonical::Account),
            owner_col: col(Canonical::Owner),
            currency_col: col(Canonical::Currency),
            status_col: col(Canonical::Status),
            is_closed_col: col(Canonical::IsClosed),
            is_won_col: col(Canonical::IsWon),
            stage_slot: slot(Canonical::Stage),
            amount_slot: typed(Canonical::Amount, |k| k == FieldType::Money),
            close_date_slot: typed(Canonical::CloseDate, date),
            hygiene: HygieneSlots {
                created_date: compared(Canonical::CreatedDate),
                last_activity: compared(Canonical::LastActivity),
                stage_changed: compared(Canonical::StageChanged),
                stage_age: typed(Canonical::StageAge, numeric),
                probability: typed(Canonical::Probability, numeric),
                forecast_category: slot(Canonical::ForecastCategory),
                next_step: slot(Canonical::NextStep),
                next_step_date: typed(Canonical::NextStepDate, date),
                push_count: typed(Canonical::PushCount, numeric),
            },
            hygiene_fields: HygieneFields {
                close_date: table.canonical(Canonical::CloseDate),
                last_activity: table.canonical(Canonical::LastActivity),
                probability: table.canonical(Canonical::Probability),
                forecast_category: table.canonical(Canonical::ForecastCategory),
                amount: table.canonical(Canonical::Amount),
                next_step: table.canonical(Canonical::NextStep),
                next_step_date: table.canonical(Canonical::NextStepDate),
            },
            as_of,
            slots,
            slot_of,
            global,
            by_stage,
            conditional,
            values: ValueContext {
                formats: &reading.date_formats,
                decimal: reading.decimal,
                dollar: rules.input.currency,
            },
            baseline: None,
            group_col: None,
        }
    }

    pub(crate) fn field_rule(&self, slot: &Slot) -> Option<&'a FieldRule> {
        slot.rule.and_then(|r| self.rules.fields.get(r))
    }
}

/// Field ids the hygiene findings are reported on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HygieneFields {
    pub(crate) close_date: FieldId,
    pub(crate) last_activity: FieldId,
    pub(crate) probability: FieldId,
    pub(crate) forecast_category: FieldId,
    pub(crate) amount: FieldId,
    pub(crate) next_step: FieldId,
    pub(crate) next_step_date: FieldId,
}
