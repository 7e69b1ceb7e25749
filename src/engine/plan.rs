//! A rule set compiled for one file: which columns to read, as what, and which requirements
//! apply globally, per stage and per rule. Built once per file; read by every record.

use crate::checks::Policy;
use crate::checks::required::{Because, Requirement};
use crate::checks::values::ValueContext;
use crate::field::{Canonical, FieldType};
use crate::input::mapping::{FieldId, FieldTable, Mapping};
use crate::rules::{FieldRule, RuleSet, Test};

/// A column read and checked for every record.
#[derive(Clone, Debug)]
pub struct Slot {
    pub field: FieldId,
    pub column: usize,
    pub kind: FieldType,
    pub rule: Option<usize>,
    pub is_stage: bool,
}

/// A conditional rule bound to this file's slots.
#[derive(Clone, Debug)]
pub struct BoundRule<'a> {
    pub index: usize,
    /// Conditions: the slot of the tested field and the test.
    pub when: Vec<(usize, &'a Test)>,
    pub requires: Vec<Requirement>,
}

pub struct Plan<'a> {
    pub rules: &'a RuleSet,
    pub table: &'a FieldTable,
    pub policy: &'a Policy,
    pub file: u32,
    pub header_len: usize,
    pub slots: Vec<Slot>,
    /// Per field: its slot, if read.
    pub slot_of: Vec<Option<usize>>,
    pub id_col: Option<usize>,
    pub name_col: Option<usize>,
    pub account_col: Option<usize>,
    pub owner_col: Option<usize>,
    pub currency_col: Option<usize>,
    pub stage_slot: Option<usize>,
    pub amount_slot: Option<usize>,
    pub close_date_slot: Option<usize>,
    pub global: Vec<Requirement>,
    pub by_stage: Vec<Vec<Requirement>>,
    pub conditional: Vec<BoundRule<'a>>,
    pub values: ValueContext<'a>,
}

impl<'a> Plan<'a> {
    pub fn new(
        rules: &'a RuleSet,
        table: &'a FieldTable,
        mapping: &Mapping,
        policy: &'a Policy,
        file: u32,
        header_len: usize,
    ) -> Plan<'a> {
        let field_rule = |id: FieldId| -> Option<&FieldRule> {
            table.entries[id].rule.and_then(|r| rules.fields.get(r))
        };
        let field_severity = |id: FieldId| field_rule(id).and_then(|r| r.severity);
        let mapped = |id: FieldId| mapping.column(id).is_some();

        let requirement = |name: &crate::field::FieldName,
                           because: Because,
                           severity: Option<crate::checks::Severity>| {
            let id = table.id(name)?;
            mapped(id).then_some(Requirement {
                field: id,
                because,
                severity: severity.or(field_severity(id)),
            })
        };
        let global: Vec<Requirement> = rules
            .fields
            .iter()
            .filter(|f| f.required)
            .filter_map(|f| requirement(&f.name, Because::Global, None))
            .collect();
        let by_stage: Vec<Vec<Requirement>> = rules
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.requires
                    .iter()
                    .filter_map(|r| requirement(&r.name, Because::Stage(i), s.severity))
                    .collect()
            })
            .collect();

        // Which fields are read: typed or constrained ones, the stage, and every field a
        // requirement or condition names.
        let mut wanted = vec![false; table.len()];
        for (id, entry) in table.entries.iter().enumerate() {
            let constrained = field_rule(id).is_some_and(|r| {
                !r.values.is_empty() || r.pattern.is_some() || r.min.is_some() || r.max.is_some()
            });
            wanted[id] = entry.kind != FieldType::Text || constrained;
        }
        wanted[table.canonical(Canonical::Stage)] = true;
        for r in global.iter().chain(by_stage.iter().flatten()) {
            wanted[r.field] = true;
        }
        for r in &rules.rules {
            for c in &r.when {
                if let Some(id) = table.id(&c.field.name) {
                    wanted[id] = true;
                }
            }
            for f in &r.requires {
                if let Some(id) = table.id(&f.name) {
                    wanted[id] = true;
                }
            }
        }
        let mut slots = Vec::new();
        let mut slot_of = vec![None; table.len()];
        for (id, entry) in table.entries.iter().enumerate() {
            if let (true, Some(column)) = (wanted[id], mapping.column(id)) {
                slot_of[id] = Some(slots.len());
                slots.push(Slot {
                    field: id,
                    column,
                    kind: entry.kind,
                    rule: entry.rule,
                    is_stage: id == table.canonical(Canonical::Stage) && !rules.stages.is_empty(),
                });
            }
        }

        // A rule applies only where every field it tests is in the file.
        let conditional = rules
            .rules
            .iter()
            .enumerate()
            .filter_map(|(index, r)| {
                let when = r
                    .when
                    .iter()
                    .map(|c| {
                        let id = table.id(&c.field.name)?;
                        Some((slot_of[id]?, &c.test))
                    })
                    .collect::<Option<Vec<_>>>()?;
                let requires = r
                    .requires
                    .iter()
                    .filter_map(|f| requirement(&f.name, Because::Rule(index), r.severity))
                    .collect();
                Some(BoundRule {
                    index,
                    when,
                    requires,
                })
            })
            .collect();

        let col = |c: Canonical| mapping.column(table.canonical(c));
        let slot = |c: Canonical| slot_of[table.canonical(c)];
        Plan {
            rules,
            table,
            policy,
            file,
            header_len,
            id_col: col(Canonical::Id),
            name_col: col(Canonical::Name),
            account_col: col(Canonical::Account),
            owner_col: col(Canonical::Owner),
            currency_col: col(Canonical::Currency),
            stage_slot: slot(Canonical::Stage),
            amount_slot: slot(Canonical::Amount).filter(|&s| slots[s].kind == FieldType::Money),
            close_date_slot: slot(Canonical::CloseDate)
                .filter(|&s| slots[s].kind == FieldType::Date),
            slots,
            slot_of,
            global,
            by_stage,
            conditional,
            values: ValueContext {
                formats: &rules.input.date_formats,
                decimal: rules.input.decimal,
                dollar: rules.input.currency,
            },
        }
    }

    pub fn field_rule(&self, slot: &Slot) -> Option<&'a FieldRule> {
        slot.rule.and_then(|r| self.rules.fields.get(r))
    }
}
