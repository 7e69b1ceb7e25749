//! `pipelint sql`: a rule set compiled to one SELECT over a warehouse table whose columns
//! are the export's headers. The query follows the engine's own [`Plan`] (the rules bound
//! to one header: which columns are read as what, which requirements apply globally, per
//! stage and per rule), so a rule cannot mean one thing in a CSV and another in the
//! warehouse. Checks the compiler does not evaluate are named in the query's opening
//! comment, with why; none is dropped silently.

mod dates;
pub mod dialect;
mod hygiene;
mod numbers;
mod pattern;
mod query;
mod required;
mod summary;

use std::fmt::Write as _;

use chrono::NaiveDate;

pub use dialect::Dialect;

use crate::diag::{Code, Policy, Severity};
use crate::facts::mapping::{FieldTable, Mapping};
use crate::facts::plan::{Plan, Slot};
use crate::facts::reading::FileReading;
use crate::field::{Canonical, FieldType};
use crate::input::Header;
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
    compile(target, table, mapping, |c| c.query())
}

/// The summary query for `target` (`--summary`): per deal, owner, stage and overall, the
/// completeness and forecast risk figures of `pipelint audit`; an error says why it cannot
/// be written.
pub(crate) fn summary_query(
    target: &Target<'_>,
    table: &FieldTable,
    mapping: &Mapping,
) -> Result<String, String> {
    compile(target, table, mapping, |c| c.summary())
}

/// `write` run on a compiler for `target`: the engine's own plan of the rules bound to the
/// header, and its policy of severities.
fn compile<R>(
    target: &Target<'_>,
    table: &FieldTable,
    mapping: &Mapping,
    write: impl FnOnce(&Compiler<'_, '_>) -> R,
) -> R {
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
    write(&Compiler {
        plan: &plan,
        target,
        policy: &policy,
        d: target.dialect,
    })
}

/// Why a code is left to `pipelint audit`.
fn not_evaluated_why(code: Code) -> &'static str {
    let name = code.as_str();
    if code == Code::Val007 {
        "a note on the whole file; placeholder dates are read as missing here too"
    } else if matches!(code, Code::In010 | Code::In011 | Code::In012 | Code::In013) {
        "a note on the whole file: only pipelint audit reads the file itself (columns it finds \
         empty or a load time in the --like export are left out here too)"
    } else if code == Code::In014 {
        "a note on the whole file: only pipelint audit counts the owners that are user ids \
         (--summary shows the ids [input] owners names by name, as the audit does)"
    } else if name.starts_with("IN") {
        "reading quirk: only pipelint audit reads the file itself"
    } else if code == Code::Hyg009 {
        "needs a push-count column, a previous snapshot or the stored history"
    } else if name.starts_with("CHG") {
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

    /// The severity findings of `code` get (`specific`: the rules' own for them), as the
    /// engine's sink gives it; `None` when the code is off.
    fn severity_of(&self, code: Code, specific: Option<Severity>) -> Option<Severity> {
        self.policy.severity(code, specific)
    }

    fn field_rule(&self, slot: &Slot) -> Option<&crate::rules::FieldRule> {
        self.plan.field_rule(slot)
    }

    /// The value tests of slot `i`, in the engine's order (the value read as its type, the
    /// allowed values, the pattern, a percentage's 0–100, the bounds): each as its code,
    /// the condition on which it fails and its message.
    fn value_tests(&self, i: usize) -> Vec<ValueTest> {
        let slot = &self.plan.slots[i];
        let c = self.cell(i);
        let v = format!("v{i}");
        let rule = self.field_rule(slot);
        let mut tests = Vec::new();
        if slot.is_stage {
            tests.push((
                Code::Val006,
                "pl_stage < 0".to_string(),
                format!("{c} || ' is not a stage of the rules'"),
            ));
            return tests;
        }
        let unread = |what: &str| format!("{c} || ' is not {what} the rules read'");
        if slot.is_currency {
            let dollar = self.plan.values.dollar;
            tests.push((
                Code::Val002,
                format!("NOT {}", numbers::is_currency(self.d, &c, dollar)),
                unread("a currency"),
            ));
        } else {
            match slot.kind {
                FieldType::Date => tests.push((
                    Code::Val001,
                    format!("d{i} IS NULL"),
                    unread("a date in a format"),
                )),
                FieldType::Money | FieldType::Number | FieldType::Percent => {
                    tests.push((Code::Val002, format!("{v} IS NULL"), unread("a number")))
                }
                FieldType::Boolean => {
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
                FieldType::Text | FieldType::Enum => {}
            }
        }
        if let Some(rule) = rule {
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
        }
        let bounded = rule.is_some_and(|r| r.min.is_some() || r.max.is_some());
        if slot.kind == FieldType::Percent && !slot.is_currency && !bounded {
            tests.push((
                Code::Val005,
                format!("({v} < 0 OR {v} > 100)"),
                format!("{c} || ' is outside 0–100%'"),
            ));
        }
        if let (Some(rule), false) = (rule, slot.is_currency) {
            for (bound, op, side) in [
                (&rule.min, "<", "below the minimum"),
                (&rule.max, ">", "above the maximum"),
            ] {
                let Some(bound) = bound else { continue };
                if let Some(limit) = self.bound(i, bound) {
                    let value = if slot.kind == FieldType::Date {
                        format!("d{i}")
                    } else {
                        v.clone()
                    };
                    tests.push((
                        Code::Val005,
                        format!("{value} {op} {limit}"),
                        format!("{c} || {}", self.lit(&format!(" is {side} {bound}"))),
                    ));
                }
            }
        }
        tests
    }

    /// A `min`/`max` bound as a literal to compare slot `i`'s value with, when its type has
    /// one (the engine skips a bound of the other type).
    fn bound(&self, i: usize, bound: &crate::rules::Bound) -> Option<String> {
        use crate::rules::Bound;
        let kind = self.plan.slots[i].kind;
        match (kind, bound) {
            (FieldType::Money, Bound::Number { exact: Some(m), .. }) => {
                Some(format!("CAST('{m}' AS {})", self.d.decimal_type()))
            }
            (
                FieldType::Money | FieldType::Number | FieldType::Percent,
                Bound::Number { value, .. },
            ) if value.is_finite() => Some(format!("CAST('{value}' AS {})", self.d.decimal_type())),
            (FieldType::Date, Bound::Date(day)) => Some(self.d.date(*day)),
            _ => None,
        }
    }

    /// Whether slot `i` holds a valid value (what a rule's condition needs).
    fn valid(&self, i: usize) -> String {
        let mut parts = vec![format!("NOT {}", self.missing(i))];
        parts.extend(
            self.value_tests(i)
                .into_iter()
                .map(|(_, fails, _)| format!("NOT ({fails})")),
        );
        format!("({})", parts.join(" AND "))
    }

    /// A rule's condition on slot `i`, or `None` when SQL cannot evaluate it yet.
    fn condition(&self, i: usize, test: &Test) -> Option<String> {
        if let Test::Empty(want) = test {
            let m = self.missing(i);
            return Some(if *want { m } else { format!("NOT {m}") });
        }
        let valid = self.valid(i);
        let c = self.cell(i);
        let date = format!("d{i}");
        let is_date = self.plan.slots[i].kind == FieldType::Date;
        let kind = self.plan.slots[i].kind;
        let number = matches!(
            kind,
            FieldType::Money | FieldType::Number | FieldType::Percent
        ) && !self.plan.slots[i].is_currency;
        let versus = |o: &Operand, op: &str| -> Option<String> {
            match o {
                Operand::Date(day) if is_date => Some(format!("{date} {op} {}", self.d.date(*day))),
                Operand::Number { value, exact } if number => {
                    let limit = match (kind, exact) {
                        (FieldType::Money, Some(m)) => m.to_string(),
                        _ if value.is_finite() => value.to_string(),
                        _ => return None,
                    };
                    Some(format!(
                        "v{i} {op} CAST('{limit}' AS {})",
                        self.d.decimal_type()
                    ))
                }
                _ => None,
            }
        };
        let equal = |o: &Operand| -> Option<String> {
            match o {
                Operand::Date(_) | Operand::Number { .. } => versus(o, "="),
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

    fn query(&self) -> String {
        let plan = self.plan;
        let mut evaluated: Vec<Code> = Vec::new();
        let mut left: Vec<(Code, String)> = Vec::new();
        let mut checks: Vec<Check> = Vec::new();

        // VAL001–VAL006: per slot, the first value test that fails.
        for (i, slot) in plan.slots.iter().enumerate() {
            let tests = self.value_tests(i);
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
        evaluated.extend(
            [
                Code::Val001,
                Code::Val002,
                Code::Val003,
                Code::Val004,
                Code::Val005,
                Code::Val006,
            ]
            .into_iter()
            .filter(|&c| self.policy.enabled(c)),
        );
        // REQ001–REQ003: one finding per missing field under its most specific code.
        let required = self.requirements();
        // Whether a REQ finding reports the amount missing (HYG006 does not repeat it).
        // Whether a REQ finding reports a field missing (HYG006 and HYG012 then say
        // nothing of it).
        let reported = |field: usize| {
            required.as_ref().map(|req| {
                req.iter()
                    .find(|(f, _)| *f == field)
                    .map_or("FALSE".to_string(), |(_, c)| format!("({})", c.when))
            })
        };
        let amount_reported = reported(plan.hygiene_fields.amount);
        let close_reported = reported(plan.hygiene_fields.close_date);
        // RUL001, with each field's REQ condition (a missing value REQ reports is not
        // reported again).
        let reported: Vec<(usize, String)> = required
            .iter()
            .flatten()
            .map(|(f, c)| (*f, c.when.clone()))
            .collect();
        match (required.is_some(), self.then_checks(&reported)) {
            (true, Some(then)) => {
                checks.extend(then);
                if self.policy.enabled(Code::Rul001) {
                    evaluated.push(Code::Rul001);
                }
            }
            _ if self.policy.enabled(Code::Rul001) => left.push((
                Code::Rul001,
                "a rule's test is one the compiler does not write yet".to_string(),
            )),
            _ => {}
        }
        match required {
            Some(req) => {
                checks.extend(req.into_iter().map(|(_, c)| c));
                evaluated.extend(
                    [Code::Req001, Code::Req002, Code::Req003]
                        .into_iter()
                        .filter(|&c| self.policy.enabled(c)),
                );
            }
            None => {
                for code in [Code::Req001, Code::Req002, Code::Req003] {
                    if self.policy.enabled(code) {
                        left.push((
                            code,
                            "a rule's `when` has a test SQL does not evaluate yet".to_string(),
                        ));
                    }
                }
            }
        }
        self.hygiene(
            &mut checks,
            &mut evaluated,
            &mut left,
            (amount_reported, close_reported),
        );

        checks.extend(self.duplicates(&mut evaluated));
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

        let mut q = self.header(&evaluated, &left);
        q.push_str(&self.body(&checks));
        q
    }

    /// DUP001 and DUP002, each added to `evaluated` when it is on.
    fn duplicates(&self, evaluated: &mut Vec<Code>) -> Vec<Check> {
        let plan = self.plan;
        let mut checks = Vec::new();
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
        // DUP002: the same open deal again (same folded account and name) on a later
        // record, unless that record repeats an earlier id (DUP001's).
        if let (Some(col), Some(sev)) = (plan.name_col, self.severity_of(Code::Dup002, None)) {
            if plan.account_col.is_some() {
                checks.push(Check {
                    code: Code::Dup002.as_str().to_string(),
                    severity: self.lit(sev.as_str()),
                    field: self.lit(plan.table.name(plan.table.canonical(Canonical::Name))),
                    column: self.lit(self.column_name(col)),
                    when: "pl_dseen > 1 AND NOT (NOT pl_id_m AND pl_seen > 1)".to_string(),
                    message: "'probably the same deal as an earlier record of ' || pl_account"
                        .to_string(),
                });
            }
            evaluated.push(Code::Dup002);
        }

        checks
    }

    /// The query's opening comment: the rules, the dialect and as-of, what it evaluates and
    /// what it leaves to the audit, with why.
    fn header(&self, evaluated: &[Code], left: &[(Code, String)]) -> String {
        let mut q = self.title("pipelint sql");
        let _ = writeln!(
            q,
            "-- evaluated: {}",
            evaluated
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        );
        if evaluated.contains(&Code::Hyg009) {
            let _ = writeln!(
                q,
                "-- HYG009 counts the pushes the push-count column states; pushes seen across snapshots need pipelint audit --history"
            );
        }
        let _ = writeln!(
            q,
            "-- not evaluated: {}",
            left.iter()
                .map(|(c, why)| format!("{} ({why})", c.as_str()))
                .collect::<Vec<_>>()
                .join("; ")
        );
        q
    }

    /// A query's first comment line: what wrote it, the rules, the dialect and as-of.
    fn title(&self, what: &str) -> String {
        format!(
            "-- {what}: {} for {}, as of {}\n",
            self.target.rules.source.replace(['\n', '\r'], " "),
            self.d.name(),
            self.target
                .as_of
                .map_or("the warehouse's current date".to_string(), |d| d
                    .to_string())
        )
    }

    fn column_name(&self, column: usize) -> &str {
        self.target
            .header
            .cells
            .get(column)
            .map_or("", String::as_str)
    }
}

pub(super) const BOOL_TRUE: &[&str] = &["true", "t", "yes", "y", "1", "1.0", "on"];
pub(super) const BOOL_FALSE: &[&str] = &["false", "f", "no", "n", "0", "0.0", "off"];

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
