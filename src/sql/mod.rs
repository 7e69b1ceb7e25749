//! `pipelint sql`: a rule set compiled to one SELECT over a warehouse table whose columns
//! are the export's headers. The query follows the engine's own [`Plan`] (the rules bound
//! to one header: which columns are read as what, which requirements apply globally, per
//! stage and per rule), so a rule cannot mean one thing in a CSV and another in the
//! warehouse. Checks the compiler does not evaluate are named in the query's opening
//! comment, with why; none is dropped silently.

mod dates;
pub mod dialect;

use std::fmt::Write as _;

use chrono::NaiveDate;

pub use dialect::Dialect;

use crate::checks::plan::{Plan, Slot};
use crate::checks::required::Requirement;
use crate::diag::{Code, Policy, Severity};
use crate::field::{Canonical, FieldType};
use crate::infer::FileReading;
use crate::input::Header;
use crate::input::mapping::{FieldTable, Mapping};
use crate::rules::{Operand, RuleSet, Test};

/// What to compile: the rules, bound to a header, for a dialect and a table.
pub(crate) struct Target<'a> {
    pub(crate) rules: &'a RuleSet,
    pub(crate) header: &'a Header,
    pub(crate) reading: &'a FileReading,
    pub(crate) dialect: Dialect,
    pub(crate) table: &'a str,
    /// "Today" for the date checks; `None`: the warehouse's current date when the query
    /// runs (a dbt model or a scheduled check stays current).
    pub(crate) as_of: Option<NaiveDate>,
    /// A column holding each record's line in its export, copied to the `line` output.
    pub(crate) line_column: Option<&'a str>,
}

/// The findings query for `target`. `mapping` binds the rules' fields to the header.
pub(crate) fn findings_query(target: &Target<'_>, table: &FieldTable, mapping: &Mapping) -> String {
    let plan = Plan::new(
        target.rules,
        table,
        mapping,
        target
            .as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
        target.reading,
        0,
        target.header.len(),
    );
    let policy = Policy::new(&target.rules.checks, &[], &[]);
    Compiler {
        plan: &plan,
        target,
        policy: &policy,
        d: target.dialect,
    }
    .query()
}

/// Why a code is left to `pipelint audit`.
fn not_evaluated_why(code: Code) -> &'static str {
    let name = code.as_str();
    if name.starts_with("IN") {
        "reading quirk: only pipelint audit reads the file itself"
    } else if name.starts_with("CHG") || code == Code::Hyg009 {
        "needs a previous snapshot or the stored history"
    } else {
        "not compiled to SQL yet: run pipelint audit for it"
    }
}

/// A value test: its code, the condition on which it fails, and its message.
type ValueTest = (Code, String, String);

struct Compiler<'p, 'a> {
    plan: &'p Plan<'a>,
    target: &'p Target<'a>,
    policy: &'p Policy,
    d: Dialect,
}

/// A check the query makes: its code and the condition (over the `checked` rows) it fires on,
/// with its severity and message as expressions.
struct Check {
    code: String,
    severity: String,
    field: String,
    column: String,
    when: String,
    message: String,
}

impl Compiler<'_, '_> {
    fn lit(&self, s: &str) -> String {
        self.d.literal(s)
    }

    fn cell(&self, slot: usize) -> String {
        format!("c{slot}")
    }

    fn missing(&self, slot: usize) -> String {
        format!("m{slot}")
    }

    fn severity_of(&self, code: Code, specific: Option<Severity>) -> Option<Severity> {
        if !self.policy.enabled(code) {
            return None;
        }
        // A [checks] severity replaces the rules' own, as the sink does.
        let fixed = self
            .target
            .rules
            .checks
            .iter()
            .rev()
            .find_map(|(c, s)| match s {
                crate::diag::CheckSetting::Severity(s) if *c == code => Some(*s),
                _ => None,
            });
        Some(fixed.unwrap_or(specific.unwrap_or(code.default_severity())))
    }

    fn field_rule(&self, slot: &Slot) -> Option<&crate::rules::FieldRule> {
        self.plan.field_rule(slot)
    }

    /// The value tests of slot `i`, in the engine's order (a date read, yes/no, allowed
    /// values, the pattern): each as its code, the condition on which it fails and its
    /// message. `Err` holds those SQL evaluates when some it does not (a number's parse,
    /// allowed values or a pattern on a typed field) follow them.
    fn value_tests(&self, i: usize) -> Result<Vec<ValueTest>, Vec<ValueTest>> {
        let slot = &self.plan.slots[i];
        let c = self.cell(i);
        let rule = self.field_rule(slot);
        let mut tests = Vec::new();
        if slot.kind == FieldType::Date {
            tests.push((
                Code::Val001,
                format!("d{i} IS NULL"),
                format!("{c} || ' is not a date in a format the rules read'"),
            ));
        }
        if slot.is_stage {
            tests.push((
                Code::Val006,
                "pl_stage < 0".to_string(),
                format!("{c} || ' is not a stage of the rules'"),
            ));
            return Ok(tests);
        }
        if slot.kind == FieldType::Boolean {
            let words = BOOL_TRUE
                .iter()
                .chain(BOOL_FALSE)
                .map(|w| self.lit(w))
                .collect::<Vec<_>>()
                .join(", ");
            tests.push((
                Code::Val003,
                format!("LOWER({c}) NOT IN ({words})"),
                format!("{c} || ' is not a yes/no value (true/false, yes/no or 1/0)'"),
            ));
        }
        let Some(rule) = rule else {
            return Ok(tests);
        };
        let text_like = matches!(
            slot.kind,
            FieldType::Text | FieldType::Enum | FieldType::Boolean
        );
        if !text_like && (!rule.values.is_empty() || rule.pattern.is_some()) {
            return Err(tests);
        }
        if !rule.values.is_empty() {
            let allowed = rule
                .values
                .iter()
                .map(|v| self.lit(&v.to_lowercase()))
                .collect::<Vec<_>>()
                .join(", ");
            tests.push((
                Code::Val003,
                format!("LOWER({c}) NOT IN ({allowed})"),
                format!(
                    "{c} || {}",
                    self.lit(&format!(
                        " is not an allowed value ({})",
                        rule.values.join(", ")
                    ))
                ),
            ));
        }
        if let Some(re) = &rule.pattern {
            let pattern = re.as_str();
            let pattern = pattern
                .strip_prefix("^(?:")
                .and_then(|p| p.strip_suffix(")$"))
                .unwrap_or(pattern);
            tests.push((
                Code::Val004,
                format!("NOT {}", self.d.full_match(&c, pattern)),
                format!(
                    "{c} || {}",
                    self.lit(&format!(" does not match the pattern {pattern}"))
                ),
            ));
        }
        Ok(tests)
    }

    /// Whether slot `i` holds a valid value (what a rule's condition needs), when SQL can
    /// tell.
    fn valid(&self, i: usize) -> Option<String> {
        let tests = self.value_tests(i).ok()?;
        let slot = &self.plan.slots[i];
        // A date's range (VAL005) is not compiled yet: whether it is valid cannot be told.
        if self
            .field_rule(slot)
            .is_some_and(|r| r.min.is_some() || r.max.is_some())
            && !slot.is_stage
            && slot.kind == FieldType::Date
        {
            return None;
        }
        if !(slot.is_stage
            || matches!(
                slot.kind,
                FieldType::Text | FieldType::Enum | FieldType::Boolean | FieldType::Date
            ))
        {
            return None;
        }
        let mut parts = vec![format!("NOT {}", self.missing(i))];
        parts.extend(
            tests
                .into_iter()
                .map(|(_, fails, _)| format!("NOT ({fails})")),
        );
        Some(format!("({})", parts.join(" AND ")))
    }

    /// A rule's condition on slot `i`, or `None` when SQL cannot evaluate it yet.
    fn condition(&self, i: usize, test: &Test) -> Option<String> {
        if let Test::Empty(want) = test {
            let m = self.missing(i);
            return Some(if *want { m } else { format!("NOT {m}") });
        }
        let valid = self.valid(i)?;
        let c = self.cell(i);
        let date = format!("d{i}");
        let is_date = self.plan.slots[i].kind == FieldType::Date;
        let versus = |o: &Operand, op: &str| -> Option<String> {
            match o {
                Operand::Date(day) if is_date => Some(format!("{date} {op} {}", self.d.date(*day))),
                _ => None,
            }
        };
        let equal = |o: &Operand| -> Option<String> {
            match o {
                Operand::Date(_) => versus(o, "="),
                Operand::Text(t) => Some(format!("LOWER({c}) = {}", self.lit(&t.to_lowercase()))),
                Operand::Stage(s) if self.plan.slots[i].is_stage => Some(format!("pl_stage = {s}")),
                Operand::Bool(b) => {
                    let words = if *b { BOOL_TRUE } else { BOOL_FALSE };
                    let list = words
                        .iter()
                        .map(|w| self.lit(w))
                        .collect::<Vec<_>>()
                        .join(", ");
                    Some(format!("LOWER({c}) IN ({list})"))
                }
                _ => None,
            }
        };
        let any = |os: &[Operand]| -> Option<String> {
            let parts = os.iter().map(equal).collect::<Option<Vec<_>>>()?;
            Some(if parts.is_empty() {
                "FALSE".to_string()
            } else {
                format!("({})", parts.join(" OR "))
            })
        };
        let holds = match test {
            Test::Eq(o) => equal(o)?,
            Test::In(os) => any(os)?,
            Test::NotIn(os) => format!("NOT {}", any(os)?),
            Test::Gt(o) => versus(o, ">")?,
            Test::Gte(o) => versus(o, ">=")?,
            Test::Lt(o) => versus(o, "<")?,
            Test::Lte(o) => versus(o, "<=")?,
            Test::Empty(_) => return None,
        };
        Some(format!("({valid} AND {holds})"))
    }

    fn severity_rank(s: Severity) -> u8 {
        match s {
            Severity::Info => 1,
            Severity::Warning => 2,
            Severity::Error => 3,
        }
    }

    fn query(&self) -> String {
        let plan = self.plan;
        let d = self.d;
        let mut evaluated: Vec<Code> = Vec::new();
        let mut left: Vec<(Code, String)> = Vec::new();
        let mut checks: Vec<Check> = Vec::new();

        // VAL003, VAL004, VAL006: per slot, the first value test that fails.
        let mut val_ok = true;
        for (i, slot) in plan.slots.iter().enumerate() {
            let tests = match self.value_tests(i) {
                Ok(tests) => tests,
                Err(first) => {
                    val_ok = false;
                    first
                }
            };
            let specific = self.field_rule(slot).and_then(|r| r.severity);
            let mut passed: Vec<String> = Vec::new();
            for (code, fails, message) in tests {
                if let Some(sev) = self.severity_of(code, specific) {
                    let mut when = vec![format!("NOT {}", self.missing(i))];
                    when.extend(passed.iter().map(|p| format!("NOT ({p})")));
                    when.push(format!("({fails})"));
                    checks.push(Check {
                        code: code.as_str().to_string(),
                        severity: self.lit(sev.as_str()),
                        field: self.lit(plan.table.name(slot.field)),
                        column: self.lit(self.column_name(slot.column)),
                        when: when.join(" AND "),
                        message,
                    });
                }
                passed.push(fails);
            }
        }
        for code in [Code::Val001, Code::Val003, Code::Val004, Code::Val006] {
            if !self.policy.enabled(code) {
                continue;
            }
            if val_ok || matches!(code, Code::Val001 | Code::Val006) {
                evaluated.push(code);
            } else {
                left.push((
                    code,
                    "a typed field (date, number, money) has allowed values or a pattern; SQL does not parse values yet".to_string(),
                ));
            }
        }
        if !val_ok {
            checks.retain(|c| c.code == "VAL001" || c.code == "VAL006");
        }
        self.hygiene(&mut checks, &mut evaluated, &mut left);

        // DUP001: a record id seen on an earlier record (in line order, when the table has
        // a line column); placeholders name no record.
        if let (Some(col), Some(sev)) = (plan.id_col, self.severity_of(Code::Dup001, None)) {
            checks.push(Check {
                code: Code::Dup001.as_str().to_string(),
                severity: self.lit(sev.as_str()),
                field: self.lit(plan.table.name(plan.table.canonical(Canonical::Id))),
                column: self.lit(self.column_name(col)),
                when: "NOT pl_id_m AND pl_seen > 1".to_string(),
                message: "'record id ' || pl_id || ' appears more than once'".to_string(),
            });
            evaluated.push(Code::Dup001);
        }

        // REQ001–REQ003: one finding per missing field under its most specific code.
        match self.requirements() {
            Some(req) => {
                checks.extend(req);
                evaluated.extend(
                    [Code::Req001, Code::Req002, Code::Req003]
                        .into_iter()
                        .filter(|&c| self.policy.enabled(c)),
                );
            }
            None => {
                for code in [Code::Req001, Code::Req002, Code::Req003] {
                    if self.policy.enabled(code) {
                        left.push((code, "a rule's `when` compares a number or a date; SQL does not parse values yet".to_string()));
                    }
                }
            }
        }
        for &code in Code::ALL {
            if self.policy.enabled(code)
                && !evaluated.contains(&code)
                && !left.iter().any(|(c, _)| *c == code)
            {
                left.push((code, not_evaluated_why(code).to_string()));
            }
        }
        evaluated.sort();
        left.sort_by_key(|(c, _)| *c);

        let mut q = String::new();
        let _ = writeln!(
            q,
            "-- pipelint sql: {} for {}, as of {}",
            self.target.rules.source.replace(['\n', '\r'], " "),
            d.name(),
            self.target
                .as_of
                .map_or("the warehouse's current date".to_string(), |d| d
                    .to_string())
        );
        let _ = writeln!(
            q,
            "-- evaluated: {}",
            evaluated
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let _ = writeln!(
            q,
            "-- not evaluated: {}",
            left.iter()
                .map(|(c, why)| format!("{} ({why})", c.as_str()))
                .collect::<Vec<_>>()
                .join("; ")
        );
        q.push_str(&self.body(&checks));
        q
    }

    fn column_name(&self, column: usize) -> &str {
        self.target
            .header
            .cells
            .get(column)
            .map_or("", String::as_str)
    }

    /// The REQ checks, or `None` when a rule that requires fields has a condition SQL
    /// cannot evaluate (the precedence between codes would then be guessed).
    fn requirements(&self) -> Option<Vec<Check>> {
        let plan = self.plan;
        let mut fields: Vec<usize> = Vec::new();
        let mut note = |f: usize| {
            if !fields.contains(&f) {
                fields.push(f);
            }
        };
        plan.global.iter().for_each(|r| note(r.field));
        plan.by_stage.iter().flatten().for_each(|r| note(r.field));
        let mut fires: Vec<Option<String>> = Vec::new();
        for rule in &plan.conditional {
            rule.requires.iter().for_each(|r| note(r.field));
            if rule.requires.is_empty() {
                fires.push(None);
                continue;
            }
            let parts = rule
                .when
                .iter()
                .map(|&(slot, test)| self.condition(slot, test))
                .collect::<Option<Vec<_>>>()?;
            fires.push(Some(if parts.is_empty() {
                "TRUE".to_string()
            } else {
                parts.join(" AND ")
            }));
        }
        let rank = |r: &Requirement, code: Code| -> u8 {
            self.severity_of(code, None).map_or(0, |_| {
                Self::severity_rank(r.severity.unwrap_or(code.default_severity()))
            })
        };
        let mut checks = Vec::new();
        for f in fields {
            let Some(slot) = plan.slot_of[f] else {
                continue;
            };
            let global = plan
                .global
                .iter()
                .filter(|r| r.field == f)
                .map(|r| rank(r, Code::Req001))
                .max()
                .unwrap_or(0);
            let stages: Vec<String> = plan
                .by_stage
                .iter()
                .enumerate()
                .filter_map(|(i, reqs)| {
                    let s = reqs
                        .iter()
                        .filter(|r| r.field == f)
                        .map(|r| rank(r, Code::Req002))
                        .max()?;
                    (s > 0).then(|| format!("WHEN pl_stage = {i} THEN {s}"))
                })
                .collect();
            let stage = if stages.is_empty() {
                "0".to_string()
            } else {
                format!("CASE {} ELSE 0 END", stages.join(" "))
            };
            let rules: Vec<String> = plan
                .conditional
                .iter()
                .zip(&fires)
                .filter_map(|(rule, fires)| {
                    let fires = fires.as_ref()?;
                    let s = rule
                        .requires
                        .iter()
                        .filter(|r| r.field == f)
                        .map(|r| rank(r, Code::Req003))
                        .max()?;
                    (s > 0).then(|| format!("CASE WHEN {fires} THEN {s} ELSE 0 END"))
                })
                .collect();
            let rule = match rules.len() {
                0 => "0".to_string(),
                1 => rules[0].clone(),
                _ => format!("GREATEST({})", rules.join(", ")),
            };
            let (g, s, r) = (
                global.to_string(),
                format!("({stage})"),
                format!("({rule})"),
            );
            let code = format!(
                "CASE WHEN {r} > 0 THEN 'REQ003' WHEN {s} > 0 THEN 'REQ002' WHEN {g} > 0 THEN 'REQ001' END"
            );
            let fixed = |c: Code| self.severity_of(c, None).filter(|_| self.fixed(c));
            let highest = format!("GREATEST({g}, {s}, {r})");
            let by_rank =
                format!("CASE {highest} WHEN 3 THEN 'error' WHEN 2 THEN 'warning' ELSE 'info' END");
            let severity = format!(
                "CASE WHEN {r} > 0 THEN {} WHEN {s} > 0 THEN {} ELSE {} END",
                fixed(Code::Req003).map_or(by_rank.clone(), |s| self.lit(s.as_str())),
                fixed(Code::Req002).map_or(by_rank.clone(), |s| self.lit(s.as_str())),
                fixed(Code::Req001).map_or(by_rank.clone(), |s| self.lit(s.as_str())),
            );
            let name = plan.table.name(f);
            checks.push(Check {
                code,
                severity,
                field: self.lit(name),
                column: self.lit(self.column_name(plan.slots[slot].column)),
                when: format!("{} AND {highest} > 0", self.missing(slot)),
                message: self.lit(&format!("required field {name} is missing")),
            });
        }
        Some(checks)
    }

    /// HYG001–HYG003, HYG007, HYG008 and HYG010: the hygiene checks that read dates, the
    /// deal's stage and its status. Those that read numbers (HYG004, HYG006, a stage age in
    /// days) or a forecast category's normal form (HYG005) are left to the audit.
    fn hygiene(
        &self,
        checks: &mut Vec<Check>,
        evaluated: &mut Vec<Code>,
        left: &mut Vec<(Code, String)>,
    ) {
        let plan = self.plan;
        let (d, h, fields) = (self.d, &plan.hygiene, &plan.hygiene_fields);
        let as_of = self
            .target
            .as_of
            .map_or("CURRENT_DATE".to_string(), |day| d.date(day));
        let risk = &self.target.rules.risk;
        let stages = &self.target.rules.stages;
        let mut add =
            |code: Code, field: usize, slot: Option<usize>, when: String, message: String| {
                let Some(sev) = self.severity_of(code, None) else {
                    return;
                };
                let column = slot.map_or("", |s| self.column_name(plan.slots[s].column));
                checks.push(Check {
                    code: code.as_str().to_string(),
                    severity: self.lit(sev.as_str()),
                    field: self.lit(plan.table.name(field)),
                    column: self.lit(column),
                    when,
                    message,
                });
            };
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
            (_, Some(_)) => left.push((
                Code::Hyg003,
                "the export has a days-in-stage column; SQL does not parse numbers yet".to_string(),
            )),
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
        let _ = &mut *left;
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
        if h.next_step.is_some_and(|n| self.valid(n).is_none()) && self.policy.enabled(Code::Hyg010)
        {
            left.push((
                Code::Hyg010,
                "the next step's field has value checks SQL does not evaluate yet".to_string(),
            ));
        }
    }

    /// Whether `[checks]` fixes the severity of `code`.
    fn fixed(&self, code: Code) -> bool {
        self.target
            .rules
            .checks
            .iter()
            .any(|(c, s)| *c == code && matches!(s, crate::diag::CheckSetting::Severity(_)))
    }

    /// Whether a deal is open: a stage of the rules without an outcome, and no status
    /// (Won, Lost, Closed Won, …) that closed it.
    fn open(&self) -> String {
        let plan = self.plan;
        let Some(_) = plan.stage_slot.filter(|&s| plan.slots[s].is_stage) else {
            return "FALSE".to_string();
        };
        let open: Vec<String> = self
            .target
            .rules
            .stages
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_open())
            .map(|(i, _)| i.to_string())
            .collect();
        if open.is_empty() {
            return "FALSE".to_string();
        }
        let letters = self.d.replace_all("LOWER(pl_status)", "[^a-z0-9]", "");
        format!(
            "(pl_stage IN ({}) AND {letters} NOT IN ('won', 'closedwon', 'lost', 'closedlost', 'deleted'))",
            open.join(", ")
        )
    }

    fn body(&self, checks: &[Check]) -> String {
        let d = self.d;
        let plan = self.plan;
        // The characters a cell is trimmed of, spelled once in a one-row table.
        let set = "pl_ws.chars".to_string();
        let line = self
            .target
            .line_column
            .map_or("CAST(NULL AS BIGINT)".to_string(), |c| d.ident(c));
        let id = plan.id_col.map_or("''".to_string(), |c| {
            d.trimmed(&d.ident(self.column_name(c)), &set)
        });
        let status = plan.status_col.map_or("''".to_string(), |c| {
            d.trimmed(&d.ident(self.column_name(c)), &set)
        });
        let mut cells = vec![
            format!("{line} AS pl_line"),
            format!("{id} AS pl_id"),
            format!("{status} AS pl_status"),
        ];
        for (i, slot) in plan.slots.iter().enumerate() {
            let col = d.ident(self.column_name(slot.column));
            cells.push(format!("{} AS {}", d.trimmed(&col, &set), self.cell(i)));
        }
        let placeholders = self
            .target
            .rules
            .input
            .empty_values
            .lowered()
            .iter()
            .map(|p| self.lit(p))
            .collect::<Vec<_>>();
        let longest = self
            .target
            .rules
            .input
            .empty_values
            .lowered()
            .iter()
            .map(|p| p.chars().count())
            .max()
            .unwrap_or(0);
        let mut flags = vec!["cells.*".to_string()];
        flags.push(format!(
            "(pl_id = ''{}) AS pl_id_m",
            if placeholders.is_empty() {
                String::new()
            } else {
                format!(" OR LOWER(pl_id) IN ({})", placeholders.join(", "))
            }
        ));
        for i in 0..plan.slots.len() {
            let c = self.cell(i);
            // Placeholders are short: a longer cell is never one, and is not lower-cased.
            let placeholder = if placeholders.is_empty() {
                String::new()
            } else {
                format!(
                    " OR (LENGTH({c}) <= {longest} AND LOWER({c}) IN ({}))",
                    placeholders.join(", ")
                )
            };
            flags.push(format!("({c} = ''{placeholder}) AS {}", self.missing(i)));
        }
        let stage = match plan.stage_slot.filter(|&s| plan.slots[s].is_stage) {
            Some(s) => {
                let c = self.cell(s);
                let stages = &self.target.rules.stages;
                let mut arms: Vec<String> = stages
                    .iter()
                    .enumerate()
                    .map(|(i, st)| format!("WHEN {c} = {} THEN {i}", self.lit(&st.name)))
                    .collect();
                arms.extend(stages.iter().enumerate().map(|(i, st)| {
                    let names = std::iter::once(&st.name)
                        .chain(&st.aliases)
                        .map(|n| self.lit(&n.to_lowercase()))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("WHEN LOWER({c}) IN ({names}) THEN {i}")
                }));
                format!("CASE {} ELSE -1 END", arms.join(" "))
            }
            None => "CAST(NULL AS INTEGER)".to_string(),
        };
        // Date columns: which formats match, their parts, then the dates (d0, d1, …).
        let mut matched: Vec<String> = Vec::new();
        let mut parts: Vec<String> = Vec::new();
        let mut dates = String::new();
        for (i, slot) in plan.slots.iter().enumerate() {
            if slot.kind != FieldType::Date {
                continue;
            }
            let steps = dates::date_steps(
                d,
                &self.cell(i),
                &format!("pd{i}"),
                &self.target.reading.date_formats,
            );
            matched.extend(steps.matched);
            parts.extend(steps.parts);
            let _ = write!(dates, ",\n    {} AS d{i}", steps.date);
        }
        let step =
            |items: &[String]| -> String { items.iter().map(|i| format!(",\n    {i}")).collect() };
        let mut q = String::new();
        let _ = writeln!(q, "WITH cells AS (");
        let _ = writeln!(
            q,
            "  SELECT {}\n  FROM {} CROSS JOIN (SELECT {} AS chars) AS pl_ws\n),",
            cells.join(",\n    "),
            d.table(self.target.table),
            dialect::trim_set(d)
        );
        let _ = writeln!(
            q,
            "flagged AS (\n  SELECT {}\n  FROM cells\n),",
            flags.join(",\n    ")
        );
        let _ = writeln!(
            q,
            "matched AS (\n  SELECT flagged.*{}\n  FROM flagged\n),\nparted AS (\n  SELECT matched.*{}\n  FROM matched\n),",
            step(&matched),
            step(&parts)
        );
        let _ = writeln!(
            q,
            "checked AS (\n  SELECT parted.*, {stage} AS pl_stage,\n    ROW_NUMBER() OVER (PARTITION BY pl_id ORDER BY pl_line) AS pl_seen{dates}\n  FROM parted\n),"
        );
        let _ = writeln!(
            q,
            "stated AS (\n  SELECT checked.*, {} AS pl_open\n  FROM checked\n),",
            self.open()
        );
        let _ = writeln!(q, "findings AS (");
        if checks.is_empty() {
            let _ = writeln!(
                q,
                "  SELECT CAST(NULL AS VARCHAR) AS code, CAST(NULL AS VARCHAR) AS severity, CAST(NULL AS VARCHAR) AS record_id, CAST(NULL AS VARCHAR) AS field, CAST(NULL AS VARCHAR) AS col, CAST(NULL AS BIGINT) AS line, CAST(NULL AS VARCHAR) AS message FROM stated WHERE FALSE"
            );
        }
        let arms: Vec<String> = checks
            .iter()
            .map(|c| {
                format!(
                    "  SELECT {} AS code, {} AS severity, NULLIF(pl_id, '') AS record_id, {} AS field, {} AS col, pl_line AS line, {} AS message\n  FROM stated WHERE {}",
                    if c.code.starts_with("CASE") {
                        c.code.clone()
                    } else {
                        self.lit(&c.code)
                    },
                    c.severity,
                    c.field,
                    c.column,
                    c.message,
                    c.when
                )
            })
            .collect();
        q.push_str(&arms.join("\n  UNION ALL\n"));
        let _ = writeln!(q, "\n)");
        let _ = write!(
            q,
            "SELECT code, severity, record_id, field, col AS {}, line, message\nFROM findings\nORDER BY line, record_id, field, code;\n",
            d.ident("column")
        );
        q
    }
}

const BOOL_TRUE: &[&str] = &["true", "t", "yes", "y", "1", "1.0", "on"];
const BOOL_FALSE: &[&str] = &["false", "f", "no", "n", "0", "0.0", "off"];

/// A header made of the columns the rules map, for a query compiled without an export: a
/// `[columns]` entry's first name, else the field's own name.
pub(crate) fn header_from_rules(rules: &RuleSet, table: &FieldTable) -> Header {
    use crate::field::FieldName;
    let mut cells: Vec<String> = Vec::new();
    for entry in &table.entries {
        let name = match &entry.name {
            FieldName::Canonical(c) => match rules.columns.iter().find(|col| col.field == *c) {
                Some(col) => col.headers.first().cloned(),
                None if entry.refs.iter().any(|at| rules.is_user(at))
                    || rules.fields.iter().any(|f| f.name == entry.name) =>
                {
                    Some(c.as_str().to_string())
                }
                None => None,
            },
            FieldName::Header(h) => Some(h.clone()),
        };
        if let Some(name) = name {
            if !cells.contains(&name) {
                cells.push(name);
            }
        }
    }
    Header { cells, line: 1 }
}
