//! `[[rules]]`: conditional requirements (`requires`) and value tests (`then`). Each rule's
//! `when` and `then` tests are checked for their shape here and typed against their field
//! once every document is merged (a stage name in a condition must be one of the stages that
//! apply, a date field compares with dates), the `then` exactly as a `when`.

use std::collections::HashSet;

use toml::Spanned;

use super::Checker;
use super::fields::{date_operand, number_operand};
use crate::diag::Severity;
use crate::field::{Canonical, FieldName, FieldType};
use crate::rules::problem::Problems;
use crate::rules::raw::{RawCondition, RawRule};
use crate::rules::{Condition, ConditionalRule, FieldRef, Operand, Origin, StageRule, Test};
use crate::suggest;
use crate::values::eq_fold;

/// One rule of one document, its tests not yet typed.
#[derive(Clone, Debug)]
pub(crate) struct RuleLayer {
    id: String,
    pub(super) when: Vec<(FieldRef, RawTest)>,
    pub(super) requires: Vec<FieldRef>,
    pub(super) then: Option<(FieldRef, RawTest)>,
    severity: Option<Severity>,
    message: Option<String>,
}

/// A condition's test before its operands are typed against the field.
#[derive(Clone, Debug)]
pub(super) enum RawTest {
    Eq(toml::Value, Origin),
    In(Vec<toml::Value>, Origin),
    NotIn(Vec<toml::Value>, Origin),
    Cmp(CmpOp, toml::Value, Origin),
    Empty(bool),
}

#[derive(Clone, Copy, Debug)]
pub(super) enum CmpOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

pub(super) fn check(c: &mut Checker<'_>, rules: &[RawRule]) -> Vec<RuleLayer> {
    let mut ids = HashSet::new();
    let mut out = Vec::new();
    for r in rules {
        let id = r.id.get_ref().trim().to_string();
        if id.is_empty() {
            c.problem(r.id.span(), "rule id is empty");
        } else if !ids.insert(id.clone()) {
            c.problem(r.id.span(), format!("rule id `{id}` is used twice"));
        }
        if r.requires.is_empty() && r.then.is_none() {
            c.problem(
                r.id.span(),
                format!(
                    "rule `{id}` has neither requires nor then; add requires = [\"field\", ...] or then = {{ field = \"contacts\", gte = 2 }}"
                ),
            );
        }
        let mut when = Vec::new();
        for cond in &r.when {
            if let Some(test) = raw_test(c, cond) {
                when.push((c.field_ref(&cond.get_ref().field), test));
            }
        }
        let then = r.then.as_ref().and_then(|cond| {
            let test = raw_test(c, cond)?;
            Some((c.field_ref(&cond.get_ref().field), test))
        });
        out.push(RuleLayer {
            id,
            when,
            then,
            requires: r.requires.iter().map(|f| c.field_ref(f)).collect(),
            severity: c.severity(&r.severity),
            message: r.message.clone(),
        });
    }
    out
}

fn raw_test(c: &mut Checker<'_>, cond: &Spanned<RawCondition>) -> Option<RawTest> {
    let r = cond.get_ref();
    let mut tests = Vec::new();
    if let Some(v) = &r.eq {
        tests.push(RawTest::Eq(v.get_ref().clone(), c.at(v.span())));
    }
    if let Some(v) = &r.in_ {
        tests.push(RawTest::In(v.get_ref().clone(), c.at(v.span())));
    }
    if let Some(v) = &r.not_in {
        tests.push(RawTest::NotIn(v.get_ref().clone(), c.at(v.span())));
    }
    for (v, op) in [
        (&r.gt, CmpOp::Gt),
        (&r.gte, CmpOp::Gte),
        (&r.lt, CmpOp::Lt),
        (&r.lte, CmpOp::Lte),
    ] {
        if let Some(v) = v {
            tests.push(RawTest::Cmp(op, v.get_ref().clone(), c.at(v.span())));
        }
    }
    if let Some(v) = &r.empty {
        tests.push(RawTest::Empty(*v.get_ref()));
    }
    if let Some(v) = &r.not_empty {
        tests.push(RawTest::Empty(!*v.get_ref()));
    }
    if tests.len() != 1 {
        c.problem(
            cond.span(),
            format!(
                "a condition on `{}` needs exactly one test (eq, in, not_in, gt, gte, lt, lte, empty, not_empty); found {}",
                r.field.get_ref(),
                tests.len()
            ),
        );
        return None;
    }
    tests.pop()
}

/// The rules with their tests typed: `kind_of` gives each field's type (`None`: a header
/// neither canonical nor typed in [fields]), `stages` the stages that apply.
pub(super) fn finish(
    rules: Vec<RuleLayer>,
    kind_of: impl Fn(&FieldName) -> Option<FieldType>,
    stages: &[StageRule],
    problems: &mut Problems,
) -> Vec<ConditionalRule> {
    let condition = |(field, test): (FieldRef, RawTest), problems: &mut Problems| {
        let typed = Typed {
            kind: kind_of(&field.name),
            field: &field,
            is_stage: field.name == FieldName::Canonical(Canonical::Stage),
            stages,
        };
        typed
            .test(test, problems)
            .map(|test| Condition { field, test })
    };
    rules
        .into_iter()
        .map(|r| {
            let when = r
                .when
                .into_iter()
                .filter_map(|c| condition(c, problems))
                .collect();
            ConditionalRule {
                id: r.id,
                when,
                requires: r.requires,
                then: r.then.and_then(|c| condition(c, problems)),
                severity: r.severity,
                message: r.message,
            }
        })
        .collect()
}

/// What a condition's operands are typed against.
struct Typed<'a> {
    /// `None`: a header the rules give no type (text, unless it is a misspelt field).
    kind: Option<FieldType>,
    field: &'a FieldRef,
    is_stage: bool,
    stages: &'a [StageRule],
}

impl Typed<'_> {
    fn test(&self, test: RawTest, problems: &mut Problems) -> Option<Test> {
        let list = |vs: &[toml::Value], at: &Origin, problems: &mut Problems| {
            let ops: Vec<Option<Operand>> =
                vs.iter().map(|v| self.operand(v, at, problems)).collect();
            ops.into_iter().collect::<Option<Vec<Operand>>>()
        };
        Some(match test {
            RawTest::Eq(v, at) => Test::Eq(self.operand(&v, &at, problems)?),
            RawTest::In(vs, at) => Test::In(list(&vs, &at, problems)?),
            RawTest::NotIn(vs, at) => Test::NotIn(list(&vs, &at, problems)?),
            RawTest::Cmp(op, v, at) => {
                let Some(kind) = self.kind else {
                    // A comparison needs a type: an untyped header is either a misspelt
                    // canonical field or a column [fields] should type.
                    let name = self.field.name.as_str();
                    let at = &self.field.at;
                    problems.push(
                        at.doc,
                        at.span.clone(),
                        format!(
                            "`{name}` is neither a canonical field nor typed in [fields], so gt, gte, lt and lte cannot compare it{}",
                            suggest::hint_then(
                                name,
                                Canonical::names(),
                                &format!("type it, e.g. [fields] \"{name}\" = {{ type = \"number\" }}")
                            )
                        ),
                    );
                    return None;
                };
                if self.is_stage || !(kind.is_numeric() || kind == FieldType::Date) {
                    problems.push(
                        at.doc,
                        at.span.clone(),
                        "gt, gte, lt and lte compare number, money, percent and date fields",
                    );
                    return None;
                }
                let o = self.operand(&v, &at, problems)?;
                match op {
                    CmpOp::Gt => Test::Gt(o),
                    CmpOp::Gte => Test::Gte(o),
                    CmpOp::Lt => Test::Lt(o),
                    CmpOp::Lte => Test::Lte(o),
                }
            }
            RawTest::Empty(b) => Test::Empty(b),
        })
    }

    fn operand(&self, v: &toml::Value, at: &Origin, problems: &mut Problems) -> Option<Operand> {
        if self.is_stage {
            return self.stage(v, at, problems);
        }
        let kind = self.kind.unwrap_or(FieldType::Text);
        let wrong = |problems: &mut Problems, message: String| {
            problems.push(at.doc, at.span.clone(), message);
            None
        };
        match kind {
            FieldType::Money | FieldType::Number | FieldType::Percent => match number_operand(v) {
                Some((value, exact)) => Some(Operand::Number { value, exact }),
                None => wrong(
                    problems,
                    format!(
                        "this condition's field is {}; compare it with a number",
                        kind.as_str()
                    ),
                ),
            },
            FieldType::Date => match date_operand(v) {
                Some(d) => Some(Operand::Date(d)),
                None => wrong(
                    problems,
                    "this condition's field is a date; compare it with a date such as \"2026-01-31\"".into(),
                ),
            },
            FieldType::Boolean => {
                let b = match v {
                    toml::Value::Boolean(b) => Some(*b),
                    toml::Value::Integer(i) => crate::values::parse_bool(&i.to_string()),
                    toml::Value::String(s) => crate::values::parse_bool(s.trim()),
                    _ => None,
                };
                match b {
                    Some(b) => Some(Operand::Bool(b)),
                    None => wrong(
                        problems,
                        "this condition's field is boolean; compare it with true or false".into(),
                    ),
                }
            }
            FieldType::Text | FieldType::Enum => match v {
                toml::Value::String(s) => Some(Operand::Text(s.trim().to_string())),
                toml::Value::Integer(i) => Some(Operand::Text(i.to_string())),
                toml::Value::Float(f) => Some(Operand::Text(f.to_string())),
                toml::Value::Boolean(b) => Some(Operand::Text(b.to_string())),
                _ => wrong(problems, "compare text fields with strings".into()),
            },
        }
    }

    /// A stage condition's operand: one of the stages, by name or alias.
    fn stage(&self, v: &toml::Value, at: &Origin, problems: &mut Problems) -> Option<Operand> {
        let toml::Value::String(s) = v else {
            problems.push(
                at.doc,
                at.span.clone(),
                "stage conditions compare with stage names (strings)",
            );
            return None;
        };
        if self.stages.is_empty() {
            return Some(Operand::Text(s.trim().to_string()));
        }
        let found = self.stages.iter().position(|st| {
            eq_fold(&st.name, s.trim()) || st.aliases.iter().any(|a| eq_fold(a, s.trim()))
        });
        match found {
            Some(i) => Some(Operand::Stage(i)),
            None => {
                let names = self.stages.iter().map(|s| s.name.as_str());
                problems.push(
                    at.doc,
                    at.span.clone(),
                    format!(
                        "unknown stage `{s}` in condition{}",
                        suggest::hint(s, names)
                    ),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::problems;

    #[test]
    fn rule_ids_requirements_and_test_shapes() {
        let p = problems(
            "[[rules]]\nid = \"a\"\nwhen = { field = \"amount\", gte = 1, lt = 5 }\nrequires = [\"x\"]\n[[rules]]\nid = \"a\"\nwhen = { field = \"amount\", gte = 1 }\n",
        );
        assert_eq!(
            p,
            vec![
                "r.toml:3:8: a condition on `amount` needs exactly one test (eq, in, not_in, gt, gte, lt, lte, empty, not_empty); found 2",
                "r.toml:6:6: rule `a` has neither requires nor then; add requires = [\"field\", ...] or then = { field = \"contacts\", gte = 2 }",
                "r.toml:6:6: rule id `a` is used twice",
            ]
        );
    }

    #[test]
    fn operands_are_typed_against_their_field() {
        let p = problems(
            "[[stages]]\nname = \"Demo\"\n[[rules]]\nid = \"r\"\nwhen = [{ field = \"amount\", gte = \"big\" }, { field = \"close_date\", lt = 3 }, { field = \"stage\", eq = \"Dmeo\" }, { field = \"stage\", gt = \"Demo\" }]\nrequires = [\"x\"]\n",
        );
        assert_eq!(
            p,
            vec![
                "r.toml:5:35: this condition's field is money; compare it with a number",
                "r.toml:5:73: this condition's field is a date; compare it with a date such as \"2026-01-31\"",
                "r.toml:5:102: unknown stage `Dmeo` in condition; did you mean `Demo`?",
                "r.toml:5:136: gt, gte, lt and lte compare number, money, percent and date fields",
            ]
        );
    }

    #[test]
    fn then_is_checked_like_when() {
        let p = problems(
            "[[rules]]\nid = \"a\"\nwhen = { field = \"amount\", gte = 100000 }\nthen = { field = \"contact\", gte = 2 }\n[[rules]]\nid = \"b\"\nwhen = { field = \"amount\", gte = 1 }\nthen = { field = \"close_date\", gte = \"soon\" }\n[[rules]]\nid = \"c\"\nwhen = { field = \"amount\", gte = 1 }\nthen = { field = \"contacts\", atleast = 2 }\n[[rules]]\nid = \"d\"\nwhen = { field = \"amount\", gte = 1 }\nthen = [{ field = \"contacts\", gte = 2 }]\n",
        );
        assert_eq!(
            p,
            vec![
                "r.toml:4:18: `contact` is neither a canonical field nor typed in [fields], so gt, gte, lt and lte cannot compare it; did you mean `contacts`? Type it, e.g. [fields] \"contact\" = { type = \"number\" }",
                "r.toml:8:38: this condition's field is a date; compare it with a date such as \"2026-01-31\"",
                "r.toml:12:8: a condition on `contacts` needs exactly one test (eq, in, not_in, gt, gte, lt, lte, empty, not_empty); found 0",
                "r.toml:12:30: unknown key `atleast` in [[rules]] \"c\" then; valid keys: field, eq, in, not_in, gt, gte, lt, lte, empty, not_empty",
                "r.toml:14:6: rule `d` has neither requires nor then; add requires = [\"field\", ...] or then = { field = \"contacts\", gte = 2 }",
                "r.toml:16:8: [[rules]] \"d\" then is one test, such as { field = \"contacts\", gte = 2 }; write one rule per test",
            ]
        );
        // A rule with only a `then`, or with both, is valid.
        assert_eq!(
            problems(
                "[[rules]]\nid = \"a\"\nwhen = { field = \"amount\", gte = 100000 }\nthen = { field = \"contacts\", gte = 2 }\n[[rules]]\nid = \"b\"\nwhen = { field = \"forecast_category\", eq = \"Commit\" }\nrequires = [\"next_step\"]\nthen = { field = \"next_step_date\", not_empty = true }\n"
            ),
            Vec::<String>::new()
        );
    }
}
