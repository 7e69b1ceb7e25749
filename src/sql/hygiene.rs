//! The hygiene checks in SQL: those that read dates, the deal's stage and its status.

use super::{Check, Compiler};
use crate::diag::Code;

impl Compiler<'_, '_> {
    /// HYG001–HYG003, HYG007, HYG008 and HYG010: the hygiene checks that read dates, the
    /// deal's stage and its status. Those that read numbers (HYG004, HYG006, a stage age in
    /// days) or a forecast category's normal form (HYG005) are left to the audit.
    pub(super) fn hygiene(
        &self,
        checks: &mut Vec<Check>,
        evaluated: &mut Vec<Code>,
        left: &mut Vec<(Code, String)>,
    ) {
        let mut add = |code: Code, field: usize, slot: Option<usize>, when, message| {
            checks.extend(self.hygiene_check(code, field, slot, when, message));
        };
        self.dated_hygiene(&mut add);
        self.next_step_hygiene(&mut add);
        let h = &self.plan.hygiene;
        for code in [
            Code::Hyg001,
            Code::Hyg002,
            Code::Hyg003,
            Code::Hyg007,
            Code::Hyg008,
            Code::Hyg010,
        ] {
            let held = code == Code::Hyg003 && h.stage_age.is_some()
                || code == Code::Hyg010 && h.next_step.is_some_and(|n| self.valid(n).is_none());
            if self.policy.enabled(code) && !held {
                evaluated.push(code);
            }
        }
        if h.stage_age.is_some() && self.policy.enabled(Code::Hyg003) {
            left.push((
                Code::Hyg003,
                "the export has a days-in-stage column; SQL does not parse numbers yet".to_string(),
            ));
        }
        if h.next_step.is_some_and(|n| self.valid(n).is_none()) && self.policy.enabled(Code::Hyg010)
        {
            left.push((
                Code::Hyg010,
                "the next step's field has value checks SQL does not evaluate yet".to_string(),
            ));
        }
    }

    /// "Today": the as-of date, else the warehouse's current date.
    pub(super) fn as_of_sql(&self) -> String {
        self.target
            .as_of
            .map_or("CURRENT_DATE".to_string(), |day| self.d.date(day))
    }

    /// One hygiene check on `field` (its column from `slot`), unless its code is off.
    fn hygiene_check(
        &self,
        code: Code,
        field: usize,
        slot: Option<usize>,
        when: String,
        message: String,
    ) -> Option<Check> {
        let sev = self.severity_of(code, None)?;
        let plan = self.plan;
        let column = slot.map_or("", |s| self.column_name(plan.slots[s].column));
        Some(Check {
            code: code.as_str().to_string(),
            severity: self.lit(sev.as_str()),
            field: self.lit(plan.table.name(field)),
            column: self.lit(column),
            when,
            message,
        })
    }

    /// HYG001, HYG008, HYG007, HYG002 and HYG003: the close, created, activity and
    /// stage-changed dates against as-of and the stage's limits.
    fn dated_hygiene(&self, add: &mut impl FnMut(Code, usize, Option<usize>, String, String)) {
        let plan = self.plan;
        let (d, h, fields) = (self.d, &plan.hygiene, &plan.hygiene_fields);
        let (as_of, risk) = (self.as_of_sql(), &self.target.rules.risk);
        let stages = &self.target.rules.stages;
        let close = plan.close_date_slot;
        if let Some(c) = close {
            add(
                Code::Hyg001,
                fields.close_date,
                close,
                format!("pl_open AND d{c} < {as_of}"),
                format!("'open deal whose close date ' || c{c} || ' has passed'"),
            );
            add(
                Code::Hyg008,
                fields.close_date,
                close,
                format!(
                    "pl_open AND {} > {}",
                    d.days_between(&as_of, &format!("d{c}")),
                    risk.horizon_days
                ),
                format!("'open deal closing ' || c{c} || ', implausibly far out'"),
            );
        }
        if let (Some(c), Some(k)) = (close, h.created_date) {
            add(
                Code::Hyg007,
                fields.close_date,
                close,
                format!("d{c} < d{k}"),
                format!("'close date ' || c{c} || ' is before the created date ' || c{k}"),
            );
        }
        if let Some(a) = h.last_activity {
            let limits: Vec<String> = stages
                .iter()
                .enumerate()
                .filter_map(|(i, s)| Some(format!("WHEN pl_stage = {i} THEN {}", s.stale_days?)))
                .collect();
            let limit = if limits.is_empty() {
                risk.stale_days.to_string()
            } else {
                format!("(CASE {} ELSE {} END)", limits.join(" "), risk.stale_days)
            };
            add(
                Code::Hyg002,
                fields.last_activity,
                Some(a),
                format!(
                    "pl_open AND (m{a} OR (d{a} IS NOT NULL AND {} > {limit}))",
                    d.days_between(&format!("d{a}"), &as_of)
                ),
                "'open deal without recent activity'".to_string(),
            );
        }
        match (h.stage_changed, h.stage_age) {
            // A days-in-stage column needs numbers parsed: hygiene() says so.
            (_, Some(_)) => {}
            (Some(s), None) => {
                let limits: Vec<String> = stages
                    .iter()
                    .enumerate()
                    .filter_map(|(i, st)| {
                        Some(format!("WHEN pl_stage = {i} THEN {}", st.max_days?))
                    })
                    .collect();
                if !limits.is_empty() {
                    add(
                        Code::Hyg003,
                        plan.slots[s].field,
                        Some(s),
                        format!(
                            "pl_open AND d{s} IS NOT NULL AND {} > (CASE {} END)",
                            d.days_between(&format!("d{s}"), &as_of),
                            limits.join(" ")
                        ),
                        "'open deal in its stage longer than the stage allows'".to_string(),
                    );
                }
            }
            (None, None) => {}
        }
    }

    /// HYG010: an open deal's next step overdue, or filler.
    fn next_step_hygiene(&self, add: &mut impl FnMut(Code, usize, Option<usize>, String, String)) {
        let plan = self.plan;
        let (d, h, fields) = (self.d, &plan.hygiene, &plan.hygiene_fields);
        let (as_of, risk) = (self.as_of_sql(), &self.target.rules.risk);
        if let Some(n) = h.next_step_date {
            add(
                Code::Hyg010,
                fields.next_step_date,
                Some(n),
                format!("pl_open AND d{n} < {as_of}"),
                format!("'next step was due ' || c{n}"),
            );
        }
        if let (Some(n), Some(valid)) = (h.next_step, h.next_step.and_then(|n| self.valid(n))) {
            let fillers: Vec<String> = risk.next_step_filler.iter().map(|f| self.lit(f)).collect();
            if !fillers.is_empty() {
                // Folded as the engine folds a next step: trailing spaces and punctuation off,
                // runs of spaces as one, case ignored.
                let core = d.replace_all(&format!("c{n}"), "[[:space:][:punct:]…]+$", "");
                let folded = format!("LOWER({})", d.replace_all(&core, "[[:space:]]+", " "));
                add(
                    Code::Hyg010,
                    fields.next_step,
                    Some(n),
                    format!(
                        "pl_open AND {valid} AND {folded} IN ({})",
                        fillers.join(", ")
                    ),
                    format!("'next step ' || c{n} || ' says nothing'"),
                );
            }
        }
    }
}
