//! The hygiene checks in SQL: those that read dates, the deal's stage and its status.

use super::{Check, Compiler};
use crate::diag::Code;
use crate::rules::StageRule;

impl Compiler<'_, '_> {
    /// HYG001–HYG003, HYG007, HYG008 and HYG010: the hygiene checks that read dates, the
    /// deal's stage and its status. Those that read numbers (HYG004, HYG006, a stage age in
    /// days) or a forecast category's normal form (HYG005) are left to the audit.
    pub(super) fn hygiene(
        &self,
        checks: &mut Vec<Check>,
        evaluated: &mut Vec<Code>,
        left: &mut Vec<(Code, String)>,
        (amount_reported, close_reported): (Option<String>, Option<String>),
    ) {
        let mut add = |code: Code, field: usize, slot: Option<usize>, when, message| {
            checks.extend(self.hygiene_check(code, field, slot, when, message));
        };
        self.dated_hygiene(&mut add);
        self.next_step_hygiene(&mut add);
        if let Some(reported) = &amount_reported {
            self.won_hygiene(reported, &mut add);
        }
        self.closing_hygiene(close_reported.as_deref(), &mut add);
        self.forecast_hygiene(&mut add);
        // HYG009 only where the export has a push-count column: without one the audit
        // reports it not checked.
        let slipping = self.push_slot().and(self.slipping());
        if let Some(when) = &slipping {
            add(
                Code::Hyg009,
                self.plan.hygiene_fields.close_date,
                self.plan.close_date_slot,
                when.clone(),
                {
                    // Worded as the audit words it: one push is "once", not "1 times".
                    let pushes = self.pushes(self.push_slot());
                    format!(
                        "CASE WHEN {pushes} = 1 THEN 'close date pushed once (serial slippage)' ELSE 'close date pushed ' || CAST({pushes} AS {}) || ' times (serial slippage)' END",
                        self.d.text_type()
                    )
                },
            );
        }
        let mut codes = vec![
            Code::Hyg001,
            Code::Hyg002,
            Code::Hyg003,
            Code::Hyg004,
            Code::Hyg005,
            Code::Hyg007,
            Code::Hyg008,
            Code::Hyg010,
        ];
        if slipping.is_some() {
            codes.push(Code::Hyg009);
        }
        codes.push(Code::Hyg011);
        match &close_reported {
            Some(_) => codes.push(Code::Hyg012),
            None if self.policy.enabled(Code::Hyg012) => left.push((
                Code::Hyg012,
                "whether a REQ finding already reports the close date missing is not evaluated"
                    .to_string(),
            )),
            None => {}
        }
        match amount_reported {
            Some(_) => codes.push(Code::Hyg006),
            None if self.policy.enabled(Code::Hyg006) => left.push((
                Code::Hyg006,
                "whether a REQ finding already reports the amount missing is not evaluated"
                    .to_string(),
            )),
            None => {}
        }
        evaluated.extend(codes.into_iter().filter(|&c| self.policy.enabled(c)));
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

    /// HYG001, HYG008, HYG007, HYG002, HYG003 and HYG004: the close, created, activity and
    /// stage-changed dates against as-of and the stage's limits, and the probability.
    fn dated_hygiene(&self, add: &mut impl FnMut(Code, usize, Option<usize>, String, String)) {
        let plan = self.plan;
        let (d, h, fields) = (self.d, &plan.hygiene, &plan.hygiene_fields);
        let (as_of, risk) = (self.as_of_sql(), &self.target.rules.risk);
        let close = plan.close_date_slot;
        if let (Some(c), Some(when)) = (close, self.overdue()) {
            add(
                Code::Hyg001,
                fields.close_date,
                close,
                when,
                format!("'open deal whose close date ' || c{c} || ' has passed'"),
            );
        }
        if let Some(c) = close {
            add(
                Code::Hyg008,
                fields.close_date,
                close,
                format!(
                    "pl_open AND {} AND {} > {}",
                    self.holds(c),
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
                format!("{} AND {} AND d{c} < d{k}", self.holds(c), self.holds(k)),
                format!("'close date ' || c{c} || ' is before the created date ' || c{k}"),
            );
        }
        if let (Some(a), Some(when)) = (h.last_activity, self.stale()) {
            add(
                Code::Hyg002,
                fields.last_activity,
                Some(a),
                when,
                "'open deal without recent activity'".to_string(),
            );
        }
        for (s, when) in self.stage_aged() {
            add(
                Code::Hyg003,
                plan.slots[s].field,
                Some(s),
                when,
                "'open deal in its stage longer than the stage allows'".to_string(),
            );
        }
        if let (Some(p), Some(when)) = (h.probability, self.probability_off()) {
            add(
                Code::Hyg004,
                fields.probability,
                Some(p),
                when,
                format!("'probability ' || c{p} || ' is off the stage''s'"),
            );
        }
    }

    /// HYG001 and the `overdue` signal: an open deal whose close date has passed.
    pub(super) fn overdue(&self) -> Option<String> {
        let c = self.plan.close_date_slot?;
        Some(format!(
            "pl_open AND {} AND d{c} < {}",
            self.holds(c),
            self.as_of_sql()
        ))
    }

    /// HYG002 and the `stale` signal: an open deal idle past its stage's (or the rules')
    /// limit, or with no activity recorded.
    pub(super) fn stale(&self) -> Option<String> {
        let a = self.plan.hygiene.last_activity?;
        let risk = &self.target.rules.risk;
        let limit = self
            .per_stage(
                |_, s| s.stale_days.map(|d| d.to_string()),
                Some(&risk.stale_days.to_string()),
            )
            .unwrap_or_else(|| risk.stale_days.to_string());
        Some(format!(
            "pl_open AND (m{a} OR ({} AND {} > {limit}))",
            self.holds(a),
            self.d.days_between(&format!("d{a}"), &self.as_of_sql())
        ))
    }

    /// HYG003 and the `stage_aged` signal, per slot it is judged on: days in the stage
    /// since the stage-changed date, else a days-in-stage number (a fraction of a day
    /// counts), past the stage's `max_days`.
    pub(super) fn stage_aged(&self) -> Vec<(usize, String)> {
        let h = &self.plan.hygiene;
        let Some(max) = self.per_stage(|_, s| s.max_days.map(|d| d.to_string()), None) else {
            return Vec::new();
        };
        let mut arms = Vec::new();
        if let Some(s) = h.stage_changed {
            arms.push((
                s,
                format!(
                    "pl_open AND {} AND {} > {max}",
                    self.holds(s),
                    self.d.days_between(&format!("d{s}"), &self.as_of_sql())
                ),
            ));
        }
        if let Some(a) = h.stage_age.filter(|&a| self.reads_a_number(a)) {
            let no_date = h
                .stage_changed
                .map_or(String::new(), |s| format!("NOT {} AND ", self.holds(s)));
            arms.push((
                a,
                format!(
                    "pl_open AND {no_date}{} AND CEIL(v{a}) > {max}",
                    self.holds(a)
                ),
            ));
        }
        arms
    }

    /// HYG004: the probability away from the stage's by more than the tolerance (not for a
    /// deal its status closed: its stage's probability no longer applies).
    pub(super) fn probability_off(&self) -> Option<String> {
        let p = self
            .plan
            .hygiene
            .probability
            .filter(|&p| self.reads_a_number(p))?;
        let expected = self.per_stage(|_, s| s.probability.map(|p| p.to_string()), None)?;
        Some(format!(
            "pl_closed_as IS NULL AND {} AND ABS(v{p} - {expected}) > {}",
            self.holds(p),
            self.target.rules.risk.probability_tolerance
        ))
    }

    /// HYG005: a forecast category the deal's stage does not allow, compared in its normal
    /// form (letters and digits, lower case; Forecast is Commit, Omit is Omitted, Closed Won
    /// is Closed); not for a deal its status closed.
    fn forecast_hygiene(&self, add: &mut impl FnMut(Code, usize, Option<usize>, String, String)) {
        let plan = self.plan;
        if let (Some(f), Some(when)) = (plan.hygiene.forecast_category, self.forecast_off()) {
            add(
                Code::Hyg005,
                plan.hygiene_fields.forecast_category,
                Some(f),
                when,
                format!("'forecast category ' || c{f} || ' is not one the stage allows'"),
            );
        }
    }

    /// The forecast category's normal form, the select item `… AS pl_fc` (computed once a
    /// row, a step before the checks that compare it with each stage's list).
    pub(super) fn forecast_normal(&self) -> Option<String> {
        let f = self.plan.hygiene.forecast_category?;
        let letters = format!(
            "LOWER({})",
            self.d.replace_all(&format!("c{f}"), "[^[:alnum:]]", "")
        );
        Some(format!(
            "(CASE {letters} WHEN 'forecast' THEN 'commit' WHEN 'notforecasted' THEN 'omitted' WHEN 'omit' THEN 'omitted' WHEN 'closedwon' THEN 'closed' ELSE {letters} END) AS pl_fc"
        ))
    }

    /// HYG005's condition: the forecast category is one the deal's stage does not allow.
    pub(super) fn forecast_off(&self) -> Option<String> {
        let f = self.plan.hygiene.forecast_category?;
        let norm = "pl_fc";
        let outside = |_, st: &StageRule| {
            let allowed = st.forecast.as_ref()?;
            Some(if allowed.is_empty() {
                "TRUE".to_string()
            } else {
                let list: Vec<String> = allowed.iter().map(|a| self.lit(a)).collect();
                format!("{norm} NOT IN ({})", list.join(", "))
            })
        };
        let outside = self.per_stage(outside, Some("FALSE"))?;
        Some(format!("NOT m{f} AND pl_closed_as IS NULL AND {outside}"))
    }

    /// A value per stage of the rules, as `(CASE WHEN pl_stage IN (i, j) THEN … [ELSE
    /// otherwise] END)` over the stages that have one (stages with equal values in one
    /// arm); `None` when none has.
    pub(super) fn per_stage(
        &self,
        value: impl Fn(usize, &StageRule) -> Option<String>,
        otherwise: Option<&str>,
    ) -> Option<String> {
        let groups = self.stage_groups(value);
        if groups.is_empty() {
            return None;
        }
        let arms: Vec<String> = groups
            .iter()
            .map(|(v, stages)| format!("WHEN {} THEN {v}", stage_test(stages)))
            .collect();
        let otherwise = otherwise.map_or(String::new(), |o| format!(" ELSE {o}"));
        Some(format!("(CASE {}{otherwise} END)", arms.join(" ")))
    }

    /// The rules' stages that have a value, grouped by equal values in the order of their
    /// first stage.
    pub(super) fn stage_groups<V: PartialEq>(
        &self,
        value: impl Fn(usize, &StageRule) -> Option<V>,
    ) -> Vec<(V, Vec<usize>)> {
        let mut groups: Vec<(V, Vec<usize>)> = Vec::new();
        for (i, st) in self.target.rules.stages.iter().enumerate() {
            let Some(v) = value(i, st) else { continue };
            match groups.iter_mut().find(|(g, _)| *g == v) {
                Some((_, stages)) => stages.push(i),
                None => groups.push((v, vec![i])),
            }
        }
        groups
    }

    /// Whether slot `i` holds a valid value, as the engine's checks read it.
    pub(super) fn holds(&self, i: usize) -> String {
        self.valid(i)
    }

    /// Whether slot `i` reads as a plain number (the engine's number or percentage).
    pub(super) fn reads_a_number(&self, i: usize) -> bool {
        let slot = &self.plan.slots[i];
        !slot.is_currency
            && matches!(
                slot.kind,
                crate::field::FieldType::Number | crate::field::FieldType::Percent
            )
    }

    /// HYG006: a won deal without a positive amount (one a REQ finding already reports
    /// missing, or whose amount is unreadable, is left to those findings).
    fn won_hygiene(
        &self,
        amount_reported: &str,
        add: &mut impl FnMut(Code, usize, Option<usize>, String, String),
    ) {
        let plan = self.plan;
        let Some(a) = plan.amount_slot else { return };
        let valid = self.holds(a);
        add(
            Code::Hyg006,
            plan.hygiene_fields.amount,
            Some(a),
            format!(
                "{} AND (m{a} OR {valid}) AND (CASE WHEN {valid} THEN v{a} <= 0 ELSE {} END)",
                self.won(),
                not(amount_reported)
            ),
            "'won deal without a positive amount'".to_string(),
        );
    }

    /// Whether a deal is won: by its status, else by a won stage (the engine's
    /// `DealState::is_won`).
    fn won(&self) -> String {
        let plan = self.plan;
        let won: Vec<String> = self
            .target
            .rules
            .stages
            .iter()
            .enumerate()
            .filter(|(_, s)| s.outcome == Some(crate::rules::Outcome::Won))
            .map(|(i, _)| i.to_string())
            .collect();
        let by_stage = if won.is_empty() || !plan.stage_slot.is_some_and(|s| plan.slots[s].is_stage)
        {
            "FALSE".to_string()
        } else {
            format!("pl_stage IN ({})", won.join(", "))
        };
        format!("(pl_closed_as = 'won' OR (pl_closed_as IS NULL AND {by_stage}))")
    }

    /// HYG011 (a won deal dated after as-of) and HYG012 (an open deal without a close date,
    /// unless a REQ finding reports it; `close_reported` is that condition, `None` when the
    /// requirements are not compiled).
    fn closing_hygiene(
        &self,
        close_reported: Option<&str>,
        add: &mut impl FnMut(Code, usize, Option<usize>, String, String),
    ) {
        let plan = self.plan;
        let Some(c) = plan.close_date_slot else {
            return;
        };
        let field = plan.hygiene_fields.close_date;
        add(
            Code::Hyg011,
            field,
            Some(c),
            format!(
                "{} AND {} AND d{c} > {}",
                self.won(),
                self.holds(c),
                self.as_of_sql()
            ),
            format!("'won, but its close date ' || c{c} || ' is after as-of'"),
        );
        // A close date required on every deal is REQ's to report whenever it is missing:
        // then HYG012 holds on no row and is left out of the query.
        let when = match close_reported {
            Some(r) if r == format!("(m{c})") => None,
            Some(r) => Some(match not(r).as_str() {
                "TRUE" => format!("pl_open AND m{c}"),
                not_reported => format!("pl_open AND m{c} AND {not_reported}"),
            }),
            None => None,
        };
        if let Some(when) = when {
            add(
                Code::Hyg012,
                field,
                Some(c),
                when,
                "'open deal without a close date'".to_string(),
            );
        }
    }

    /// HYG010: an open deal's next step overdue, or filler.
    fn next_step_hygiene(&self, add: &mut impl FnMut(Code, usize, Option<usize>, String, String)) {
        let plan = self.plan;
        let (h, fields) = (&plan.hygiene, &plan.hygiene_fields);
        if let (Some(n), Some(when)) = (h.next_step_date, self.next_step_late()) {
            add(
                Code::Hyg010,
                fields.next_step_date,
                Some(n),
                when,
                format!("'next step was due ' || c{n}"),
            );
        }
        if let (Some(n), Some(when)) = (h.next_step, self.next_step_filler()) {
            add(
                Code::Hyg010,
                fields.next_step,
                Some(n),
                when,
                format!("'next step ' || c{n} || ' says nothing'"),
            );
        }
    }

    /// HYG010: an open deal's next step was due before as-of.
    pub(super) fn next_step_late(&self) -> Option<String> {
        let n = self.plan.hygiene.next_step_date?;
        Some(format!(
            "pl_open AND {} AND d{n} < {}",
            self.holds(n),
            self.as_of_sql()
        ))
    }

    /// HYG010: an open deal's next step is one of `[risk] next_step_filler`, folded as the
    /// engine folds it (trailing spaces and punctuation off, runs of spaces as one, case
    /// ignored).
    pub(super) fn next_step_filler(&self) -> Option<String> {
        let n = self.plan.hygiene.next_step?;
        let d = self.d;
        let fillers: Vec<String> = self
            .target
            .rules
            .risk
            .next_step_filler
            .iter()
            .map(|f| self.lit(f))
            .collect();
        if fillers.is_empty() {
            return None;
        }
        let core = d.replace_all(&format!("c{n}"), "[[:space:][:punct:]…]+$", "");
        let folded = format!("LOWER({})", d.replace_all(&core, "[[:space:]]+", " "));
        Some(format!(
            "pl_open AND {} AND {folded} IN ({})",
            self.holds(n),
            fillers.join(", ")
        ))
    }

    /// The push-count slot, when the export has one read as a plain number.
    pub(super) fn push_slot(&self) -> Option<usize> {
        self.plan
            .hygiene
            .push_count
            .filter(|&p| self.reads_a_number(p))
    }

    /// The `pushed` signal: an open deal whose push-count column counts a push.
    pub(super) fn pushed(&self) -> Option<String> {
        let p = self.push_slot()?;
        Some(format!("pl_open AND {} AND v{p} > 0", self.holds(p)))
    }

    /// How many pushes the push-count column of slot `p` counts, as the engine reads it
    /// (0 when there is no slot or the cell is not a number; whole pushes, at most 65535).
    pub(super) fn pushes(&self, p: Option<usize>) -> String {
        match p {
            Some(p) => format!(
                "(CASE WHEN {} THEN FLOOR(LEAST(GREATEST(v{p}, 0), 65535)) ELSE 0 END)",
                self.holds(p)
            ),
            None => "0".to_string(),
        }
    }

    /// HYG009 and the `slipping` signal, from the push-count column alone: an open deal
    /// pushed `[changes] serial_pushes` times or more (pushes seen across snapshots, and
    /// the days pushed, need the stored history). `None` without a push-count column,
    /// unless the thresholds make every open deal serial slippage.
    pub(super) fn slipping(&self) -> Option<String> {
        let changes = &self.target.rules.changes;
        if changes.serial_pushes == 0 || changes.push_alarm_days == 0 {
            return Some("pl_open".to_string());
        }
        let p = self.push_slot()?;
        Some(format!(
            "pl_open AND {} >= {}",
            self.pushes(Some(p)),
            changes.serial_pushes
        ))
    }
}

/// `NOT condition`, folded when the condition is a constant.
fn not(condition: &str) -> String {
    match condition {
        "FALSE" => "TRUE".to_string(),
        "TRUE" => "FALSE".to_string(),
        c => format!("NOT {c}"),
    }
}

/// Whether the deal's stage is one of `stages` (NULL for a deal without a stage).
pub(super) fn stage_test(stages: &[usize]) -> String {
    match stages {
        [one] => format!("pl_stage = {one}"),
        many => {
            let list: Vec<String> = many.iter().map(usize::to_string).collect();
            format!("pl_stage IN ({})", list.join(", "))
        }
    }
}
