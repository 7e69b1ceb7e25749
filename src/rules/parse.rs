//! Phase one: TOML text → [`RawRules`], collecting every syntax, key and type problem.
//!
//! The document is parsed once into a spanned tree; each section (and each stage, field and
//! rule) is then checked for unknown keys and deserialized on its own, so one bad entry does
//! not hide the problems of the others.

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::problem::{DocId, Problems};
use super::raw::{
    RawChanges, RawCondition, RawField, RawForecast, RawGate, RawInput, RawNotify, RawPlaybook,
    RawRisk, RawRule, RawRules, RawStage, RawTeam, RawWeights, SECTIONS, struct_keys,
};
use crate::suggest;

/// Parse one rules document. Problems are added to `problems`; what could be read is returned.
pub(crate) fn parse_rules(text: &str, doc: DocId, problems: &mut Problems) -> RawRules {
    let (root, errors) = DeTable::parse_recoverable(text);
    let mut raw = RawRules::default();
    if !errors.is_empty() {
        for error in errors {
            let span = error.span().unwrap_or(0..0);
            problems.push(
                doc,
                span,
                format!("TOML syntax error: {}", one_line(error.message())),
            );
        }
        // A broken document yields a partial tree whose other errors would only confuse.
        return raw;
    }
    let root_table = root.into_inner();
    for (key, value) in root_table {
        let key_span = key.span();
        let name = key.get_ref().as_ref();
        let ctx = Ctx {
            doc,
            problems: &mut *problems,
        };
        match name {
            "input" => {
                if let Some(input) = ctx.section::<RawInput>(value, "[input]") {
                    raw.input = input;
                }
            }
            "columns" => {
                raw.columns = parse_columns(
                    value,
                    Ctx {
                        doc,
                        problems: &mut *problems,
                    },
                )
            }
            "fields" => {
                raw.fields = parse_fields(
                    value,
                    Ctx {
                        doc,
                        problems: &mut *problems,
                    },
                )
            }
            "stages" => {
                raw.stages = Some(parse_stages(
                    value,
                    Ctx {
                        doc,
                        problems: &mut *problems,
                    },
                ))
            }
            "rules" => {
                raw.rules = parse_rule_list(
                    value,
                    Ctx {
                        doc,
                        problems: &mut *problems,
                    },
                )
            }
            "risk" => {
                if let Some(risk) = parse_risk(
                    value,
                    Ctx {
                        doc,
                        problems: &mut *problems,
                    },
                ) {
                    raw.risk = risk;
                }
            }
            "gate" => {
                if let Some(gate) = ctx.section::<RawGate>(value, "[gate]") {
                    raw.gate = gate;
                }
            }
            "changes" => {
                if let Some(changes) = ctx.section::<RawChanges>(value, "[changes]") {
                    raw.changes = changes;
                }
            }
            "forecast" => {
                if let Some(forecast) = ctx.section::<RawForecast>(value, "[forecast]") {
                    raw.forecast = forecast;
                }
            }
            "team" => {
                if let Some(team) = ctx.section::<RawTeam>(value, "[team]") {
                    raw.team = team;
                }
            }
            "notify" => {
                if let Some(notify) = ctx.section::<RawNotify>(value, "[notify]") {
                    raw.notify = notify;
                }
            }
            "playbooks" => {
                raw.playbooks = parse_playbooks(
                    value,
                    Ctx {
                        doc,
                        problems: &mut *problems,
                    },
                )
            }
            "checks" => {
                raw.checks = parse_checks(
                    value,
                    Ctx {
                        doc,
                        problems: &mut *problems,
                    },
                )
            }
            other => problems.push(
                doc,
                key_span,
                format!(
                    "unknown section `{other}`{}",
                    suggest::hint_then(
                        other,
                        SECTIONS,
                        &format!("sections are {}", SECTIONS.join(", "))
                    )
                ),
            ),
        }
    }
    raw
}

struct Ctx<'p> {
    doc: DocId,
    problems: &'p mut Problems,
}

impl Ctx<'_> {
    /// Check a table's keys against `T`'s, report the unknown ones, then deserialize the rest.
    fn section<T>(mut self, value: Spanned<DeValue<'_>>, context: &str) -> Option<T>
    where
        T: for<'de> Deserialize<'de>,
    {
        let value = self.known_keys_only(value, struct_keys::<T>(), &[], context)?;
        self.deserialize(value, context)
    }

    fn known_keys_only<'i>(
        &mut self,
        value: Spanned<DeValue<'i>>,
        allowed: &[&str],
        extra: &[&str],
        context: &str,
    ) -> Option<Spanned<DeValue<'i>>> {
        let span = value.span();
        let DeValue::Table(mut table) = value.into_inner() else {
            self.problems
                .push(self.doc, span, format!("{context} must be a table"));
            return None;
        };
        let unknown: Vec<(String, std::ops::Range<usize>)> = table
            .iter()
            .filter(|(k, _)| {
                let k = k.get_ref().as_ref();
                !allowed.contains(&k) && !extra.contains(&k)
            })
            .map(|(k, _)| (k.get_ref().to_string(), k.span()))
            .collect();
        for (key, key_span) in unknown {
            let candidates = allowed.iter().chain(extra).copied();
            let valid = allowed
                .iter()
                .chain(extra)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            self.problems.push(
                self.doc,
                key_span,
                format!(
                    "unknown key `{key}` in {context}{}",
                    suggest::hint_then(&key, candidates, &format!("valid keys: {valid}"))
                ),
            );
            table.remove(key.as_str());
        }
        Some(Spanned::new(span, DeValue::Table(table)))
    }

    fn deserialize<T>(&mut self, value: Spanned<DeValue<'_>>, context: &str) -> Option<T>
    where
        T: for<'de> Deserialize<'de>,
    {
        let span = value.span();
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(v) => Some(v),
            Err(e) => {
                let at = e.span().unwrap_or(span);
                self.problems.push(
                    self.doc,
                    at,
                    format!("{context}: {}", one_line(e.message())),
                );
                None
            }
        }
    }
}

fn table_entries<'i>(
    value: Spanned<DeValue<'i>>,
    ctx: &mut Ctx<'_>,
    context: &str,
) -> Vec<(Spanned<String>, Spanned<DeValue<'i>>)> {
    let span = value.span();
    match value.into_inner() {
        DeValue::Table(table) => table
            .into_iter()
            .map(|(k, v)| (Spanned::new(k.span(), k.into_inner().into_owned()), v))
            .collect(),
        _ => {
            ctx.problems
                .push(ctx.doc, span, format!("{context} must be a table"));
            Vec::new()
        }
    }
}

fn array_items<'i>(
    value: Spanned<DeValue<'i>>,
    ctx: &mut Ctx<'_>,
    context: &str,
) -> Vec<Spanned<DeValue<'i>>> {
    let span = value.span();
    match value.into_inner() {
        DeValue::Array(items) => items.into_iter().collect(),
        _ => {
            ctx.problems.push(
                ctx.doc,
                span,
                format!("{context} must be an array of tables (write [[{context}]])"),
            );
            Vec::new()
        }
    }
}

fn parse_columns(
    value: Spanned<DeValue<'_>>,
    mut ctx: Ctx<'_>,
) -> Vec<(Spanned<String>, Vec<Spanned<String>>)> {
    let mut out = Vec::new();
    for (key, value) in table_entries(value, &mut ctx, "[columns]") {
        let context = format!("[columns] {}", key.get_ref());
        let span = value.span();
        let headers = match value.get_ref() {
            DeValue::String(_) => ctx
                .deserialize::<Spanned<String>>(value, &context)
                .map(|s| vec![s]),
            DeValue::Array(_) => ctx.deserialize::<Vec<Spanned<String>>>(value, &context),
            _ => {
                ctx.problems.push(
                    ctx.doc,
                    span,
                    format!("{context}: expected a header name or a list of header names"),
                );
                None
            }
        };
        if let Some(headers) = headers {
            out.push((key, headers));
        }
    }
    out
}

fn parse_fields(value: Spanned<DeValue<'_>>, mut ctx: Ctx<'_>) -> Vec<(Spanned<String>, RawField)> {
    let mut out = Vec::new();
    for (key, value) in table_entries(value, &mut ctx, "[fields]") {
        let context = format!("[fields] {:?}", key.get_ref());
        let Some(value) = ctx.known_keys_only(value, struct_keys::<RawField>(), &[], &context)
        else {
            continue;
        };
        if let Some(field) = ctx.deserialize::<RawField>(value, &context) {
            out.push((key, field));
        }
    }
    out
}

fn parse_stages(value: Spanned<DeValue<'_>>, mut ctx: Ctx<'_>) -> Vec<RawStage> {
    let mut out = Vec::new();
    for (i, item) in array_items(value, &mut ctx, "stages")
        .into_iter()
        .enumerate()
    {
        let context = format!("[[stages]] #{}", i + 1);
        let Some(item) = ctx.known_keys_only(item, struct_keys::<RawStage>(), &[], &context) else {
            continue;
        };
        if let Some(stage) = ctx.deserialize::<RawStage>(item, &context) {
            out.push(stage);
        }
    }
    out
}

fn parse_rule_list(value: Spanned<DeValue<'_>>, mut ctx: Ctx<'_>) -> Vec<RawRule> {
    let mut out = Vec::new();
    for (i, item) in array_items(value, &mut ctx, "rules")
        .into_iter()
        .enumerate()
    {
        let context = format!("[[rules]] #{}", i + 1);
        let item_span = item.span();
        let Some(item) =
            ctx.known_keys_only(item, struct_keys::<RawRule>(), &["when", "then"], &context)
        else {
            continue;
        };
        let DeValue::Table(mut table) = item.into_inner() else {
            continue;
        };
        let when = table.remove("when");
        let then = table.remove("then");
        let item = Spanned::new(item_span.clone(), DeValue::Table(table));
        let Some(mut rule) = ctx.deserialize::<RawRule>(item, &context) else {
            continue;
        };
        let context = format!("[[rules]] {:?} when", rule.id.get_ref());
        match when {
            None => ctx.problems.push(
                ctx.doc,
                rule.id.span(),
                format!(
                    "rule {:?} has no `when`; add e.g. when = {{ field = \"amount\", gte = 100000 }}",
                    rule.id.get_ref()
                ),
            ),
            Some(when) => {
                let conditions = match when.get_ref() {
                    DeValue::Array(_) => array_items(when, &mut ctx, "when"),
                    _ => vec![when],
                };
                for condition in conditions {
                    if let Some(c) = condition_of(condition, &mut ctx, &context) {
                        rule.when.push(c);
                    }
                }
            }
        }
        if let Some(then) = then {
            let context = format!("[[rules]] {:?} then", rule.id.get_ref());
            if let DeValue::Array(_) = then.get_ref() {
                ctx.problems.push(
                    ctx.doc,
                    then.span(),
                    format!(
                        "{context} is one test, such as {{ field = \"contacts\", gte = 2 }}; write one rule per test"
                    ),
                );
            } else {
                rule.then = condition_of(then, &mut ctx, &context);
            }
        }
        out.push(rule);
    }
    out
}

/// One `{ field, <test> }` table of a rule, its keys checked.
fn condition_of(
    condition: Spanned<DeValue<'_>>,
    ctx: &mut Ctx<'_>,
    context: &str,
) -> Option<Spanned<RawCondition>> {
    let span = condition.span();
    let condition = ctx.known_keys_only(condition, struct_keys::<RawCondition>(), &[], context)?;
    ctx.deserialize::<RawCondition>(condition, context)
        .map(|c| Spanned::new(span, c))
}

fn parse_risk(value: Spanned<DeValue<'_>>, mut ctx: Ctx<'_>) -> Option<RawRisk> {
    let value = ctx.known_keys_only(value, struct_keys::<RawRisk>(), &[], "[risk]")?;
    let span = value.span();
    let DeValue::Table(mut table) = value.into_inner() else {
        return None;
    };
    // Weights are a nested table: check their keys separately for precise messages.
    let weights = table.remove("weights");
    let mut risk: RawRisk = ctx.deserialize(Spanned::new(span, DeValue::Table(table)), "[risk]")?;
    if let Some(weights) = weights {
        risk.weights = ctx
            .known_keys_only(weights, struct_keys::<RawWeights>(), &[], "[risk] weights")
            .and_then(|w| ctx.deserialize::<RawWeights>(w, "[risk] weights"));
    }
    Some(risk)
}

/// Each `[[playbooks]]` entry on its own, so that one bad entry does not hide the others.
fn parse_playbooks(value: Spanned<DeValue<'_>>, mut ctx: Ctx<'_>) -> Vec<RawPlaybook> {
    let mut out = Vec::new();
    for (i, item) in array_items(value, &mut ctx, "playbooks")
        .into_iter()
        .enumerate()
    {
        let context = format!("[[playbooks]] #{}", i + 1);
        let Some(item) = ctx.known_keys_only(item, struct_keys::<RawPlaybook>(), &[], &context)
        else {
            continue;
        };
        if let Some(p) = ctx.deserialize::<RawPlaybook>(item, &context) {
            out.push(p);
        }
    }
    out
}

fn parse_checks(
    value: Spanned<DeValue<'_>>,
    mut ctx: Ctx<'_>,
) -> Vec<(Spanned<String>, Spanned<String>)> {
    let mut out = Vec::new();
    for (key, value) in table_entries(value, &mut ctx, "[checks]") {
        let context = format!("[checks] {}", key.get_ref());
        if let Some(v) = ctx.deserialize::<Spanned<String>>(value, &context) {
            out.push((key, v));
        }
    }
    out
}

fn one_line(message: &str) -> String {
    message.trim().replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (RawRules, Vec<String>) {
        let mut problems = Problems::default();
        let raw = parse_rules(text, 0, &mut problems);
        (raw, problems.items.into_iter().map(|p| p.message).collect())
    }

    #[test]
    fn reads_every_section() {
        let (raw, problems) = parse(
            r#"
[input]
preset = "salesforce"
date_formats = ["%m/%d/%Y"]
[columns]
owner = "Opportunity Owner"
stage = ["Stage", "StageName"]
[fields]
amount = { type = "money", required = true, min = 0, weight = 3 }
[[stages]]
name = "Prospecting"
probability = 10
[[rules]]
id = "big"
when = { field = "amount", gte = 100000 }
requires = ["Executive Sponsor"]
[risk]
stale_days = 14
weights = { overdue = 30 }
[gate]
fail_on = "warning"
[checks]
HYG004 = "off"
"#,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(raw.columns.len(), 2);
        assert_eq!(raw.columns[1].1.len(), 2);
        assert_eq!(raw.stages.as_ref().map(Vec::len), Some(1));
        assert_eq!(raw.rules[0].when.len(), 1);
        assert_eq!(
            raw.risk
                .weights
                .as_ref()
                .and_then(|w| w.overdue.as_ref())
                .map(|v| *v.get_ref()),
            Some(30)
        );
    }

    #[test]
    fn reports_all_unknown_keys_at_once() {
        let (_, problems) = parse(
            r#"
[input]
presett = "salesforce"
[fields]
amount = { type = "money", requird = true }
[[stages]]
name = "A"
max_day = 3
[gates]
"#,
        );
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`presett`") && p.contains("did you mean `preset`"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`requird`") && p.contains("did you mean `required`"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`max_day`") && p.contains("did you mean `max_days`"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`gates`") && p.contains("did you mean `gate`"))
        );
    }

    #[test]
    fn reports_type_errors_per_entry() {
        let (raw, problems) = parse(
            r#"
[[stages]]
name = "A"
probability = "high"
[[stages]]
name = "B"
probability = 20
"#,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(raw.stages.map(|s| s.len()), Some(1));
    }

    #[test]
    fn syntax_errors_have_spans() {
        let mut problems = Problems::default();
        parse_rules("[input\npreset = 1", 0, &mut problems);
        assert!(!problems.items.is_empty());
        assert!(problems.items[0].span.is_some());
        assert!(problems.items[0].message.starts_with("TOML syntax error"));
    }

    #[test]
    fn when_may_be_a_list_of_conditions() {
        let (raw, problems) = parse(
            r#"
[[rules]]
id = "r"
when = [{ field = "amount", gte = 1 }, { field = "stage", in = ["A"], colour = 1 }]
requires = ["x"]
"#,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("`colour`"));
        assert_eq!(raw.rules[0].when.len(), 2);
    }
}
