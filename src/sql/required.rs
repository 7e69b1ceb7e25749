//! REQ001–REQ003 in SQL: per field, the severity each kind of requirement gives it (global,
//! the deal's stage, the rules whose `when` holds), and one finding for a missing field under
//! the most specific code at the highest of those severities, as the engine's `Demands`.

use super::{Check, Compiler};
use crate::diag::{Code, Severity};
use crate::facts::requirement::Requirement;

impl Compiler<'_, '_> {
    /// The REQ checks, or `None` when a rule that requires fields has a condition SQL
    /// cannot evaluate (the precedence between codes would then be guessed).
    pub(super) fn requirements(&self) -> Option<Vec<(usize, Check)>> {
        let plan = self.plan;
        let fields = self.required_fields();
        let mut fires: Vec<Option<String>> = Vec::new();
        for rule in &plan.conditional {
            if rule.requires.is_empty() {
                fires.push(None);
                continue;
            }
            fires.push(Some(self.fires(rule)?));
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
            let stage = self.per_stage(
                |i, _| {
                    let s = plan
                        .by_stage
                        .get(i)?
                        .iter()
                        .filter(|r| r.field == f)
                        .map(|r| rank(r, Code::Req002))
                        .max()?;
                    (s > 0).then(|| s.to_string())
                },
                Some("0"),
            );
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
                0 => None,
                1 => Some(format!("({})", rules[0])),
                _ => Some(format!("GREATEST({})", rules.join(", "))),
            };
            // Each kind's rank, folded where it is a constant: no `CASE WHEN 0 > 0` is
            // written, and a field no kind requires is no check.
            let kinds = [
                (rule.map_or(Rank::Fixed(0), Rank::Per), Code::Req003),
                (stage.map_or(Rank::Fixed(0), Rank::Per), Code::Req002),
                (Rank::Fixed(global), Code::Req001),
            ];
            let Some(highest) = Rank::greatest(kinds.iter().map(|(r, _)| r)) else {
                continue;
            };
            // One code on every row is the bare code, as every other check's.
            let code = match Rank::first(kinds.iter().map(|(r, c)| (r, self.lit(c.as_str())))) {
                code if code.starts_with("CASE") => code,
                code => code.trim_matches('\'').to_string(),
            };
            let fixed = |c: Code| self.policy.fixed(c);
            let by_rank = match &highest {
                Rank::Fixed(n) => self.lit(Self::rank_severity(*n)),
                Rank::Per(h) => {
                    format!("CASE {h} WHEN 3 THEN 'error' WHEN 2 THEN 'warning' ELSE 'info' END")
                }
            };
            let severity = Rank::first(kinds.iter().map(|(r, c)| {
                let s = fixed(*c).map_or(by_rank.clone(), |s| self.lit(s.as_str()));
                (r, s)
            }));
            let when = match &highest {
                Rank::Fixed(_) => self.missing(slot),
                Rank::Per(h) => format!("{} AND {h} > 0", self.missing(slot)),
            };
            let name = plan.table.name(f);
            checks.push((
                f,
                Check {
                    code,
                    severity,
                    field: self.lit(name),
                    column: self.lit(self.column_name(plan.slots[slot].column)),
                    when,
                    message: self.lit(&format!("required field {name} is missing")),
                },
            ));
        }
        Some(checks)
    }

    /// Every field some requirement names (globally, a stage's, a rule's), once each, in
    /// that order.
    pub(super) fn required_fields(&self) -> Vec<usize> {
        let plan = self.plan;
        let mut fields: Vec<usize> = Vec::new();
        let named = plan.global.iter().chain(plan.by_stage.iter().flatten());
        let named = named.chain(plan.conditional.iter().flat_map(|r| &r.requires));
        for r in named {
            if !fields.contains(&r.field) {
                fields.push(r.field);
            }
        }
        fields
    }

    /// Whether a rule's `when` holds for the row, or `None` when a test is not compiled.
    pub(super) fn fires(&self, rule: &crate::facts::plan::BoundRule<'_>) -> Option<String> {
        let parts = rule
            .when
            .iter()
            .map(|&(slot, test)| self.condition(slot, test))
            .collect::<Option<Vec<_>>>()?;
        Some(if parts.is_empty() {
            "TRUE".to_string()
        } else {
            parts.join(" AND ")
        })
    }

    /// RUL001: a rule whose `when` holds and whose `then` test fails, unless a VAL finding
    /// (the value is invalid) or a REQ finding (it is missing and required) already says
    /// so. `reported` is, per field, the condition its REQ finding fires on. `None` when a
    /// test is not compiled.
    pub(super) fn then_checks(&self, reported: &[(usize, String)]) -> Option<Vec<Check>> {
        let plan = self.plan;
        let mut checks = Vec::new();
        for rule in &plan.conditional {
            let Some((slot, test)) = rule.then else {
                continue;
            };
            let Some(r) = self.target.rules.rules.get(rule.index) else {
                continue;
            };
            let Some(sev) = self.severity_of(Code::Rul001, r.severity) else {
                continue;
            };
            let field = plan.slots[slot].field;
            let (fires, holds) = (self.fires(rule)?, self.condition(slot, test)?);
            let missing = self.missing(slot);
            let required = reported
                .iter()
                .find(|(f, _)| *f == field)
                .map_or("FALSE".to_string(), |(_, when)| format!("({when})"));
            checks.push(Check {
                code: Code::Rul001.as_str().to_string(),
                severity: self.lit(sev.as_str()),
                field: self.lit(plan.table.name(field)),
                column: self.lit(self.column_name(plan.slots[slot].column)),
                when: format!(
                    "({fires}) AND NOT ({holds}) AND (CASE WHEN {missing} THEN NOT {required} ELSE {} END)",
                    self.valid(slot)
                ),
                message: self.lit(&format!(
                    "rule {} is not met by {}",
                    r.id,
                    plan.table.name(field)
                )),
            });
        }
        Some(checks)
    }

    fn rank_severity(rank: u8) -> &'static str {
        match rank {
            3 => "error",
            2 => "warning",
            _ => "info",
        }
    }

    pub(super) fn severity_rank(s: Severity) -> u8 {
        match s {
            Severity::Info => 1,
            Severity::Warning => 2,
            Severity::Error => 3,
        }
    }
}

/// A requirement's rank for a field (0: not required; 1–3: info, warning, error): the same
/// on every row, or an expression of the row.
enum Rank {
    Fixed(u8),
    Per(String),
}

impl Rank {
    /// The greatest of `ranks`, folded: `None` when every one is a fixed 0.
    fn greatest<'r>(ranks: impl Iterator<Item = &'r Rank>) -> Option<Rank> {
        let mut fixed = 0;
        let mut per: Vec<&str> = Vec::new();
        for r in ranks {
            match r {
                Rank::Fixed(n) => fixed = fixed.max(*n),
                Rank::Per(e) => per.push(e),
            }
        }
        let fixed_part = (fixed > 0).then(|| fixed.to_string());
        let parts: Vec<&str> = per.into_iter().chain(fixed_part.as_deref()).collect();
        match parts.as_slice() {
            [] => None,
            [_] if fixed > 0 => Some(Rank::Fixed(fixed)),
            [one] => Some(Rank::Per(one.to_string())),
            many => Some(Rank::Per(format!("GREATEST({})", many.join(", ")))),
        }
    }

    /// The value of the first rank above 0, in order, on a row where one is (the check's
    /// condition says so): `CASE WHEN r > 0 THEN v … ELSE last END`, with fixed 0s left
    /// out, a fixed rank above 0 ending the list, and one value left written alone.
    fn first<'r>(arms: impl Iterator<Item = (&'r Rank, String)>) -> String {
        let mut kept: Vec<(&Rank, String)> = Vec::new();
        for (rank, value) in arms {
            match rank {
                Rank::Fixed(0) => {}
                Rank::Fixed(_) => {
                    kept.push((rank, value));
                    break;
                }
                Rank::Per(_) => kept.push((rank, value)),
            }
        }
        let Some((_, last)) = kept.pop() else {
            return "NULL".to_string();
        };
        if kept.is_empty() {
            return last;
        }
        let mut q = "CASE".to_string();
        for (rank, value) in kept {
            if let Rank::Per(e) = rank {
                q.push_str(&format!(" WHEN {e} > 0 THEN {value}"));
            }
        }
        format!("{q} ELSE {last} END")
    }
}
