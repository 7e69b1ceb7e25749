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
            // The stages that require the field, by rank: the stage's rank is the first
            // arm's whose stages hold the deal's, else 0.
            let stage_arms = self.stage_groups(|i, _| {
                let s = plan
                    .by_stage
                    .get(i)?
                    .iter()
                    .filter(|r| r.field == f)
                    .map(|r| rank(r, Code::Req002))
                    .max()?;
                (s > 0).then_some(s)
            });
            let stage = Rank::per(
                stage_arms
                    .iter()
                    .map(|(s, stages)| (stage_in(stages), *s))
                    .collect(),
            );
            let rules: Vec<Rank> = plan
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
                    // A rule that always fires requires the field on every row.
                    (s > 0).then(|| match fires.as_str() {
                        "TRUE" => Rank::Fixed(s),
                        _ => Rank::per(vec![(format!("COALESCE({fires}, FALSE)"), s)]),
                    })
                })
                .collect();
            let rule = Rank::greatest(rules.iter()).unwrap_or(Rank::Fixed(0));
            // Each kind's rank, folded where it is a constant: no `CASE WHEN 0 > 0` is
            // written, and a field no kind requires is no check.
            let kinds = [
                (rule, Code::Req003),
                (stage, Code::Req002),
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
                Rank::Fixed(n) | Rank::Per { only: Some(n), .. } => {
                    self.lit(Self::rank_severity(*n))
                }
                Rank::Per { expr, .. } => {
                    format!("CASE {expr} WHEN 3 THEN 'error' WHEN 2 THEN 'warning' ELSE 'info' END")
                }
            };
            let severity = Rank::first(kinds.iter().map(|(r, c)| {
                let s = fixed(*c).map_or(by_rank.clone(), |s| self.lit(s.as_str()));
                (r, s)
            }));
            let when = match &highest {
                Rank::Per { above, .. } if above != "TRUE" => {
                    format!("{} AND {above}", self.missing(slot))
                }
                _ => self.missing(slot),
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

/// `pl_stage` in `stages`, as a condition that is never NULL (a deal without a stage is in
/// none).
fn stage_in(stages: &[usize]) -> String {
    format!("COALESCE({}, FALSE)", super::hygiene::stage_test(stages))
}

/// A requirement's rank for a field (0: not required; 1–3: info, warning, error): the same
/// on every row, or an expression of the row, with what the compiler knows of it so that
/// constants fold: the condition (never NULL) on which it is above 0, and its one value
/// above 0 when it has only one (the severity is then a constant where the check holds).
enum Rank {
    Fixed(u8),
    Per {
        expr: String,
        above: String,
        only: Option<u8>,
    },
}

impl Rank {
    /// The rank of the first of `arms` (a condition that is never NULL, a rank above 0)
    /// that holds, else 0; `Fixed(0)` without arms.
    fn per(arms: Vec<(String, u8)>) -> Rank {
        let Some(&(_, first)) = arms.first() else {
            return Rank::Fixed(0);
        };
        let whens: Vec<String> = arms
            .iter()
            .map(|(cond, r)| format!("WHEN {cond} THEN {r}"))
            .collect();
        let conds: Vec<&str> = arms.iter().map(|(c, _)| c.as_str()).collect();
        Rank::Per {
            expr: format!("(CASE {} ELSE 0 END)", whens.join(" ")),
            above: match conds.as_slice() {
                [one] => one.to_string(),
                many => format!("({})", many.join(" OR ")),
            },
            only: arms.iter().all(|&(_, r)| r == first).then_some(first),
        }
    }

    /// The greatest of `ranks`, folded: `None` when every one is a fixed 0.
    fn greatest<'r>(ranks: impl Iterator<Item = &'r Rank>) -> Option<Rank> {
        let mut fixed = 0;
        let mut per: Vec<(&str, &str, Option<u8>)> = Vec::new();
        for r in ranks {
            match r {
                Rank::Fixed(n) => fixed = fixed.max(*n),
                Rank::Per { expr, above, only } => per.push((expr, above, *only)),
            }
        }
        if per.is_empty() {
            return (fixed > 0).then_some(Rank::Fixed(fixed));
        }
        // One value above 0 whichever arm gives it (a fixed rank is one of them).
        let first = per[0].2;
        let only =
            first.filter(|&n| per.iter().all(|p| p.2 == Some(n)) && (fixed == 0 || fixed == n));
        if let ([(expr, above, _)], 0) = (per.as_slice(), fixed) {
            return Some(Rank::Per {
                expr: expr.to_string(),
                above: above.to_string(),
                only,
            });
        }
        let fixed_part = (fixed > 0).then(|| fixed.to_string());
        let exprs: Vec<&str> = per
            .iter()
            .map(|p| p.0)
            .chain(fixed_part.as_deref())
            .collect();
        let above = if fixed > 0 {
            "TRUE".to_string()
        } else {
            let conds: Vec<&str> = per.iter().map(|p| p.1).collect();
            format!("({})", conds.join(" OR "))
        };
        Some(Rank::Per {
            expr: format!("GREATEST({})", exprs.join(", ")),
            above,
            only,
        })
    }

    /// The value of the first rank above 0, in order, on a row where one is (the check's
    /// condition says so): `CASE WHEN r > 0 THEN v … ELSE last END`, with fixed 0s left
    /// out, a fixed rank above 0 ending the list, and one value left written alone.
    fn first<'r>(arms: impl Iterator<Item = (&'r Rank, String)>) -> String {
        let mut kept: Vec<(&Rank, String)> = Vec::new();
        for (rank, value) in arms {
            match rank {
                Rank::Fixed(0) => {}
                // Above 0 on every row: the arms after it are never reached.
                Rank::Fixed(_) => {
                    kept.push((rank, value));
                    break;
                }
                Rank::Per { above, .. } if above == "TRUE" => {
                    kept.push((rank, value));
                    break;
                }
                Rank::Per { .. } => kept.push((rank, value)),
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
            if let Rank::Per { above, .. } = rank {
                q.push_str(&format!(" WHEN {above} THEN {value}"));
            }
        }
        format!("{q} ELSE {last} END")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_fold_to_conditions_and_constant_severities() {
        let stage = Rank::per(vec![(stage_in(&[1, 2]), 3), (stage_in(&[4]), 3)]);
        let Rank::Per { expr, above, only } = &stage else {
            panic!("a per-stage rank");
        };
        assert_eq!(
            expr,
            "(CASE WHEN COALESCE(pl_stage IN (1, 2), FALSE) THEN 3 WHEN COALESCE(pl_stage = 4, FALSE) THEN 3 ELSE 0 END)"
        );
        assert_eq!(
            above,
            "(COALESCE(pl_stage IN (1, 2), FALSE) OR COALESCE(pl_stage = 4, FALSE))"
        );
        assert_eq!(*only, Some(3));
        let mixed = Rank::per(vec![(stage_in(&[1]), 3), (stage_in(&[2]), 2)]);
        assert!(matches!(mixed, Rank::Per { only: None, .. }));
        // A stage rank alone keeps its condition; with a fixed rank above 0 it always holds.
        let alone = Rank::greatest([&stage, &Rank::Fixed(0)].into_iter());
        assert!(
            matches!(&alone, Some(Rank::Per { above: a, only: Some(3), .. }) if a.starts_with("(COALESCE"))
        );
        let with_fixed = Rank::greatest([&stage, &Rank::Fixed(2)].into_iter());
        assert!(matches!(&with_fixed, Some(Rank::Per { above: a, only: None, .. }) if a == "TRUE"));
        let same_fixed = Rank::greatest([&stage, &Rank::Fixed(3)].into_iter());
        assert!(matches!(same_fixed, Some(Rank::Per { only: Some(3), .. })));
        assert!(Rank::greatest([&Rank::Fixed(0), &Rank::per(Vec::new())].into_iter()).is_none());
        // The first rank above 0 names the code: the stage's condition, else the global one.
        let code = Rank::first(
            [
                (&stage, "'REQ002'".to_string()),
                (&Rank::Fixed(1), "'REQ001'".to_string()),
            ]
            .into_iter(),
        );
        assert_eq!(
            code,
            "CASE WHEN (COALESCE(pl_stage IN (1, 2), FALSE) OR COALESCE(pl_stage = 4, FALSE)) THEN 'REQ002' ELSE 'REQ001' END"
        );
    }
}
