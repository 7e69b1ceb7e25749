//! Phase two: raw documents → one checked [`RuleSet`].
//!
//! Each document (a preset, the user's file) is first checked on its own into a [`Layer`]
//! whose every setting is optional; layers are merged (the user's file over its preset); the
//! merged layer is then finished with defaults and cross-references (stage names in
//! conditions, bounds against field types). Every problem is collected; none stops the walk.

use std::collections::HashSet;

use chrono::NaiveDate;
use regex::Regex;
use toml::Spanned;

use super::problem::{DocId, Problems, RulesError, RulesText};
use super::raw::{RawCondition, RawField, RawRules, RawStage};
use super::{
    Bound, ColumnRule, Condition, ConditionalRule, FailOn, FieldRef, FieldRule, GateRules,
    InputRules, KNOWN_FORECAST, Operand, Origin, Outcome, RiskRules, RuleSet, StageRule, Test,
    normalize_forecast,
};
use crate::diag::{CheckSetting, Code, Severity};
use crate::field::{Canonical, FieldName, FieldType};
use crate::suggest;
use crate::values::{
    Currency, DEFAULT_EMPTY_VALUES, DateFormat, DecimalMark, Money, Placeholders, eq_fold,
};

/// `[input] preset` as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PresetRef {
    Auto,
    Named(&'static str),
}

/// One document's settings, all optional, before merging.
#[derive(Clone, Debug, Default)]
pub(crate) struct Layer {
    pub(crate) preset: Option<PresetRef>,
    date_formats: Option<Vec<DateFormat>>,
    decimal: Option<DecimalMark>,
    empty_values: Option<Vec<String>>,
    delimiter: Option<u8>,
    currency: Option<Currency>,
    columns: Vec<ColumnRule>,
    fields: Vec<FieldLayer>,
    stages: Option<Vec<StageRule>>,
    rules: Vec<RuleLayer>,
    stale_days: Option<i64>,
    probability_tolerance: Option<f64>,
    horizon_days: Option<i64>,
    weights: [Option<u32>; 7],
    high: Option<(u32, Origin)>,
    medium: Option<(u32, Origin)>,
    fail_on: Option<FailOn>,
    min_completeness: Option<f64>,
    max_high_risk: Option<u64>,
    allow_empty: Option<bool>,
    checks: Vec<(Code, CheckSetting)>,
}

#[derive(Clone, Debug)]
struct FieldLayer {
    name: FieldName,
    at: Origin,
    kind: Option<(FieldType, Origin)>,
    required: Option<bool>,
    values: Option<Vec<String>>,
    pattern: Option<Regex>,
    min: Option<(toml::Value, Origin)>,
    max: Option<(toml::Value, Origin)>,
    weight: Option<u32>,
    severity: Option<Severity>,
    fraction: Option<bool>,
}

#[derive(Clone, Debug)]
struct RuleLayer {
    id: String,
    when: Vec<(FieldRef, RawTest)>,
    requires: Vec<FieldRef>,
    severity: Option<Severity>,
    message: Option<String>,
}

/// A condition's test before its operands are typed against the field.
#[derive(Clone, Debug)]
enum RawTest {
    Eq(toml::Value, Origin),
    In(Vec<toml::Value>, Origin),
    NotIn(Vec<toml::Value>, Origin),
    Cmp(CmpOp, toml::Value, Origin),
    Empty(bool),
}

#[derive(Clone, Copy, Debug)]
enum CmpOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

struct Checker<'p> {
    doc: DocId,
    problems: &'p mut Problems,
}

impl Checker<'_> {
    fn at(&self, span: std::ops::Range<usize>) -> Origin {
        Origin {
            doc: self.doc,
            span,
        }
    }

    fn problem(&mut self, span: std::ops::Range<usize>, message: impl Into<String>) {
        self.problems.push(self.doc, span, message);
    }

    fn severity(&mut self, s: &Option<Spanned<String>>) -> Option<Severity> {
        let s = s.as_ref()?;
        match s.get_ref().parse::<Severity>() {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(s.span(), e);
                None
            }
        }
    }

    fn field_ref(&self, s: &Spanned<String>) -> FieldRef {
        FieldRef {
            name: FieldName::parse(s.get_ref().trim()),
            at: self.at(s.span()),
        }
    }

    fn days(&mut self, v: &Option<Spanned<i64>>, what: &str) -> Option<i64> {
        let v = v.as_ref()?;
        if *v.get_ref() < 0 {
            self.problem(
                v.span(),
                format!("{what} must be 0 or more, not {}", v.get_ref()),
            );
            return None;
        }
        Some(*v.get_ref())
    }

    fn points(&mut self, v: &Option<Spanned<i64>>, what: &str) -> Option<u32> {
        let v = v.as_ref()?;
        match u32::try_from(*v.get_ref()) {
            Ok(p) if p <= 100 => Some(p),
            _ => {
                self.problem(
                    v.span(),
                    format!("{what} must be between 0 and 100, not {}", v.get_ref()),
                );
                None
            }
        }
    }
}

/// Check one raw document into a layer.
pub(crate) fn layer(raw: &RawRules, doc: DocId, problems: &mut Problems) -> Layer {
    let mut c = Checker { doc, problems };
    let mut layer = Layer::default();

    // [input]
    let input = &raw.input;
    if let Some(p) = &input.preset {
        let name = p.get_ref().trim();
        if name == "auto" {
            layer.preset = Some(PresetRef::Auto);
        } else if let Some(preset) = super::presets::find(name) {
            layer.preset = Some(PresetRef::Named(preset.name));
        } else {
            let names = super::presets::names().chain(["auto"]);
            c.problem(
                p.span(),
                format!(
                    "unknown preset `{name}`{}",
                    suggest::hint_then(
                        name,
                        names,
                        &format!(
                            "presets are {}, auto",
                            super::presets::names().collect::<Vec<_>>().join(", ")
                        )
                    )
                ),
            );
        }
    }
    if let Some(formats) = &input.date_formats {
        let mut compiled = Vec::new();
        for f in formats {
            match DateFormat::compile(f.get_ref()) {
                Ok(df) => compiled.push(df),
                Err(e) => c.problem(f.span(), e),
            }
        }
        layer.date_formats = Some(compiled);
    }
    if let Some(d) = &input.decimal {
        match d.get_ref().as_str() {
            "." => layer.decimal = Some(DecimalMark::Point),
            "," => layer.decimal = Some(DecimalMark::Comma),
            other => c.problem(
                d.span(),
                format!("decimal must be \".\" or \",\", not {other:?}"),
            ),
        }
    }
    layer.empty_values = input.empty_values.clone();
    if let Some(d) = &input.delimiter {
        match crate::input::dialect::delimiter_byte(d.get_ref()) {
            Some(b) => layer.delimiter = Some(b),
            None => c.problem(
                d.span(),
                format!(
                    "delimiter must be one ASCII character such as \",\", \";\", \"|\" or \"tab\", not {:?}",
                    d.get_ref()
                ),
            ),
        }
    }
    if let Some(cur) = &input.currency {
        match Currency::parse(cur.get_ref()) {
            Some(code) => layer.currency = Some(code),
            None => c.problem(
                cur.span(),
                format!(
                    "currency must be an ISO 4217 code such as \"USD\", not {:?}",
                    cur.get_ref()
                ),
            ),
        }
    }

    // [columns]
    let mut seen_columns = HashSet::new();
    for (key, headers) in &raw.columns {
        let Some(field) = Canonical::parse(key.get_ref()) else {
            c.problem(
                key.span(),
                format!(
                    "`{}` in [columns] is not a canonical field{}",
                    key.get_ref(),
                    suggest::hint_then(
                        key.get_ref(),
                        Canonical::names(),
                        &format!(
                            "[columns] maps canonical fields ({}) to headers",
                            Canonical::names().collect::<Vec<_>>().join(", ")
                        )
                    )
                ),
            );
            continue;
        };
        if !seen_columns.insert(field) {
            c.problem(key.span(), format!("[columns] maps `{field}` twice"));
        }
        let mut names = Vec::new();
        for h in headers {
            if h.get_ref().trim().is_empty() {
                c.problem(h.span(), format!("[columns] {field}: header name is empty"));
            } else {
                names.push(h.get_ref().trim().to_string());
            }
        }
        if headers.is_empty() {
            c.problem(
                key.span(),
                format!("[columns] {field}: list at least one header"),
            );
        }
        layer.columns.push(ColumnRule {
            field,
            headers: names,
            at: c.at(key.span()),
        });
    }

    // [fields]
    for (key, f) in &raw.fields {
        if let Some(field) = field_layer(&mut c, key, f) {
            layer.fields.push(field);
        }
    }

    // [[stages]]
    if let Some(stages) = &raw.stages {
        let mut names: Vec<(String, std::ops::Range<usize>)> = Vec::new();
        let mut out = Vec::new();
        for s in stages {
            if let Some(stage) = stage_rule(&mut c, s, &mut names) {
                out.push(stage);
            }
        }
        layer.stages = Some(out);
    }

    // [[rules]]
    let mut ids = HashSet::new();
    for r in &raw.rules {
        let id = r.id.get_ref().trim().to_string();
        if id.is_empty() {
            c.problem(r.id.span(), "rule id is empty");
        } else if !ids.insert(id.clone()) {
            c.problem(r.id.span(), format!("rule id `{id}` is used twice"));
        }
        if r.requires.is_empty() {
            c.problem(
                r.id.span(),
                format!("rule `{id}` requires nothing; add requires = [\"field\", ...]"),
            );
        }
        let mut when = Vec::new();
        for cond in &r.when {
            if let Some(test) = raw_test(&mut c, cond) {
                when.push((c.field_ref(&cond.get_ref().field), test));
            }
        }
        layer.rules.push(RuleLayer {
            id,
            when,
            requires: r.requires.iter().map(|f| c.field_ref(f)).collect(),
            severity: c.severity(&r.severity),
            message: r.message.clone(),
        });
    }

    // [risk]
    let risk = &raw.risk;
    layer.stale_days = c.days(&risk.stale_days, "risk.stale_days");
    layer.horizon_days = c.days(&risk.horizon_days, "risk.horizon_days");
    if let Some(t) = &risk.probability_tolerance {
        if (0.0..=100.0).contains(t.get_ref()) {
            layer.probability_tolerance = Some(*t.get_ref());
        } else {
            c.problem(
                t.span(),
                "risk.probability_tolerance must be between 0 and 100 points",
            );
        }
    }
    if let Some(w) = &risk.weights {
        let all = [
            (&w.overdue, "overdue"),
            (&w.stale, "stale"),
            (&w.stage_aged, "stage_aged"),
            (&w.exit_criteria, "exit_criteria"),
            (&w.forecast_mismatch, "forecast_mismatch"),
            (&w.no_next_step, "no_next_step"),
            (&w.pushed, "pushed"),
        ];
        for (i, (v, name)) in all.into_iter().enumerate() {
            layer.weights[i] = c.points(v, &format!("risk.weights.{name}"));
        }
    }
    let high = c.points(&risk.high, "risk.high");
    layer.high = high.zip(risk.high.as_ref().map(|h| c.at(h.span())));
    let medium = c.points(&risk.medium, "risk.medium");
    layer.medium = medium.zip(risk.medium.as_ref().map(|m| c.at(m.span())));

    // [gate]
    let gate = &raw.gate;
    if let Some(f) = &gate.fail_on {
        match FailOn::parse(f.get_ref()) {
            Some(v) => layer.fail_on = Some(v),
            None => c.problem(
                f.span(),
                format!(
                    "gate.fail_on must be \"error\", \"warning\" or \"never\", not {:?}{}",
                    f.get_ref(),
                    suggest::hint(f.get_ref(), ["error", "warning", "never"])
                ),
            ),
        }
    }
    if let Some(m) = &gate.min_completeness {
        if (0.0..=100.0).contains(m.get_ref()) {
            layer.min_completeness = Some(*m.get_ref());
        } else {
            c.problem(
                m.span(),
                "gate.min_completeness is a percentage between 0 and 100",
            );
        }
    }
    if let Some(m) = &gate.max_high_risk {
        match u64::try_from(*m.get_ref()) {
            Ok(v) => layer.max_high_risk = Some(v),
            Err(_) => c.problem(m.span(), "gate.max_high_risk must be 0 or more"),
        }
    }
    layer.allow_empty = gate.allow_empty.as_ref().map(|a| *a.get_ref());

    // [checks]
    for (key, value) in &raw.checks {
        let code = match key.get_ref().parse::<Code>() {
            Ok(code) => code,
            Err(e) => {
                c.problem(key.span(), e);
                continue;
            }
        };
        match value.get_ref().parse::<CheckSetting>() {
            Ok(CheckSetting::Off) if !code.can_disable() => {
                c.problem(value.span(), format!("{code} cannot be switched off"));
            }
            Ok(setting) => layer.checks.push((code, setting)),
            Err(e) => c.problem(value.span(), format!("[checks] {code}: {e}")),
        }
    }
    layer
}

fn field_layer(c: &mut Checker<'_>, key: &Spanned<String>, f: &RawField) -> Option<FieldLayer> {
    let name = key.get_ref().trim();
    if name.is_empty() {
        c.problem(key.span(), "[fields] has an empty field name");
        return None;
    }
    let kind = match &f.kind {
        Some(k) => match FieldType::parse(k.get_ref()) {
            Some(t) => Some((t, c.at(k.span()))),
            None => {
                c.problem(
                    k.span(),
                    format!(
                        "unknown field type `{}`{}",
                        k.get_ref(),
                        suggest::hint_then(
                            k.get_ref(),
                            FieldType::NAMES,
                            &format!("types are {}", FieldType::NAMES.join(", "))
                        )
                    ),
                );
                None
            }
        },
        None => None,
    };
    let pattern = match &f.pattern {
        Some(p) => match Regex::new(&format!("^(?:{})$", p.get_ref())) {
            Ok(re) => Some(re),
            Err(e) => {
                let detail = e.to_string();
                let last = detail.lines().last().unwrap_or("invalid regex").trim();
                c.problem(
                    p.span(),
                    format!("pattern {:?} is not a valid regex: {last}", p.get_ref()),
                );
                None
            }
        },
        None => None,
    };
    let weight = match &f.weight {
        Some(w) => {
            let v = *w.get_ref();
            if v.fract() == 0.0 && (0.0..=1000.0).contains(&v) {
                Some(v as u32)
            } else {
                c.problem(
                    w.span(),
                    format!("weight must be a whole number from 0 to 1000, not {v}"),
                );
                None
            }
        }
        None => None,
    };
    Some(FieldLayer {
        name: FieldName::parse(name),
        at: c.at(key.span()),
        kind,
        required: f.required,
        values: f.values.clone(),
        pattern,
        min: f
            .min
            .as_ref()
            .map(|m| (m.get_ref().clone(), c.at(m.span()))),
        max: f
            .max
            .as_ref()
            .map(|m| (m.get_ref().clone(), c.at(m.span()))),
        weight,
        severity: c.severity(&f.severity),
        fraction: f.fraction,
    })
}

fn stage_rule(
    c: &mut Checker<'_>,
    s: &RawStage,
    names: &mut Vec<(String, std::ops::Range<usize>)>,
) -> Option<StageRule> {
    let name = s.name.get_ref().trim().to_string();
    if name.is_empty() {
        c.problem(s.name.span(), "stage name is empty");
        return None;
    }
    let mut aliases = Vec::new();
    for spelled in std::iter::once(&s.name).chain(&s.aliases) {
        let v = spelled.get_ref().trim();
        if v.is_empty() {
            c.problem(spelled.span(), "stage alias is empty");
            continue;
        }
        if let Some((_, _)) = names.iter().find(|(n, _)| eq_fold(n, v)) {
            c.problem(
                spelled.span(),
                format!("stage name or alias `{v}` is used by two stages"),
            );
            continue;
        }
        names.push((v.to_string(), spelled.span()));
        if !std::ptr::eq(spelled, &s.name) {
            aliases.push(v.to_string());
        }
    }
    let probability = match &s.probability {
        Some(p) if (0.0..=100.0).contains(p.get_ref()) => Some(*p.get_ref()),
        Some(p) => {
            c.problem(
                p.span(),
                format!(
                    "stage probability is a percentage from 0 to 100, not {}",
                    p.get_ref()
                ),
            );
            None
        }
        None => None,
    };
    let forecast = s.forecast.as_ref().map(|list| {
        list.iter()
            .filter_map(|f| {
                let norm = normalize_forecast(f.get_ref());
                if norm.is_empty() {
                    c.problem(f.span(), "forecast category is empty");
                    return None;
                }
                if !KNOWN_FORECAST.contains(&norm.as_str()) {
                    if let Some(known) = suggest::did_you_mean(&norm, KNOWN_FORECAST) {
                        c.problem(
                            f.span(),
                            format!(
                                "unknown forecast category `{}`; did you mean `{}`?",
                                f.get_ref(),
                                forecast_label(known)
                            ),
                        );
                        return None;
                    }
                }
                Some(norm)
            })
            .collect()
    });
    let outcome = match &s.outcome {
        Some(o) => match o.get_ref().as_str() {
            "won" => Some(Outcome::Won),
            "lost" => Some(Outcome::Lost),
            other => {
                c.problem(
                    o.span(),
                    format!(
                        "outcome must be \"won\" or \"lost\", not {other:?}{}",
                        suggest::hint(other, ["won", "lost"])
                    ),
                );
                None
            }
        },
        None => None,
    };
    Some(StageRule {
        name,
        aliases,
        probability,
        forecast,
        max_days: c.days(&s.max_days, "max_days"),
        stale_days: c.days(&s.stale_days, "stale_days"),
        requires: s.requires.iter().map(|f| c.field_ref(f)).collect(),
        outcome,
        severity: c.severity(&s.severity),
    })
}

/// The usual spelling of a normalised forecast category.
pub(crate) fn forecast_label(norm: &str) -> &str {
    match norm {
        "pipeline" => "Pipeline",
        "bestcase" => "Best Case",
        "commit" => "Commit",
        "closed" => "Closed",
        "omitted" => "Omitted",
        "mostlikely" => "Most Likely",
        other => other,
    }
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

impl Layer {
    /// Whether this document sets `[input] date_formats` itself.
    pub(crate) fn sets_date_formats(&self) -> bool {
        self.date_formats.is_some()
    }

    /// Whether this document sets `[input] decimal` itself.
    pub(crate) fn sets_decimal(&self) -> bool {
        self.decimal.is_some()
    }
}

/// Merge `over` (the user's file) onto `base` (its preset).
pub(crate) fn merge(base: Layer, over: Layer) -> Layer {
    let mut columns = base.columns;
    for col in over.columns {
        columns.retain(|c| c.field != col.field);
        columns.push(col);
    }
    let mut fields = base.fields;
    for f in over.fields {
        match fields.iter_mut().find(|b| b.name == f.name) {
            Some(b) => merge_field(b, f),
            None => fields.push(f),
        }
    }
    let mut rules = base.rules;
    rules.extend(over.rules);
    let mut checks = base.checks;
    checks.extend(over.checks);
    let mut weights = base.weights;
    for (w, o) in weights.iter_mut().zip(over.weights) {
        *w = o.or(*w);
    }
    Layer {
        preset: over.preset.or(base.preset),
        date_formats: over.date_formats.or(base.date_formats),
        decimal: over.decimal.or(base.decimal),
        empty_values: over.empty_values.or(base.empty_values),
        delimiter: over.delimiter.or(base.delimiter),
        currency: over.currency.or(base.currency),
        columns,
        fields,
        stages: over.stages.or(base.stages),
        rules,
        stale_days: over.stale_days.or(base.stale_days),
        probability_tolerance: over.probability_tolerance.or(base.probability_tolerance),
        horizon_days: over.horizon_days.or(base.horizon_days),
        weights,
        high: over.high.or(base.high),
        medium: over.medium.or(base.medium),
        fail_on: over.fail_on.or(base.fail_on),
        min_completeness: over.min_completeness.or(base.min_completeness),
        max_high_risk: over.max_high_risk.or(base.max_high_risk),
        allow_empty: over.allow_empty.or(base.allow_empty),
        checks,
    }
}

/// What a finished rule set is called, where it came from, and what the user's own
/// document settles itself.
pub(crate) struct Provenance {
    pub(crate) source: String,
    pub(crate) preset: Option<&'static str>,
    pub(crate) detection: Option<super::Detection>,
    pub(crate) docs: Vec<RulesText>,
    pub(crate) user_doc: Option<DocId>,
    pub(crate) dates_given: bool,
    pub(crate) decimal_given: bool,
}

/// Apply defaults and check cross-references; every problem is reported at once.
pub(crate) fn finish(
    layer: Layer,
    provenance: Provenance,
    mut problems: Problems,
) -> Result<RuleSet, RulesError> {
    let layer = canonicalise(layer);
    let stages = layer.stages.unwrap_or_default();
    let fields: Vec<FieldRule> = layer
        .fields
        .into_iter()
        .filter_map(|f| finish_field(f, &mut problems))
        .collect();
    let field_kind = |name: &FieldName| -> FieldType {
        fields
            .iter()
            .find(|f| &f.name == name)
            .map(|f| f.kind)
            .or(match name {
                FieldName::Canonical(c) => Some(c.default_type()),
                FieldName::Header(_) => None,
            })
            .unwrap_or(FieldType::Text)
    };
    let mut rules = Vec::new();
    for r in layer.rules {
        let mut when = Vec::new();
        for (field, test) in r.when {
            let kind = field_kind(&field.name);
            let is_stage = field.name == FieldName::Canonical(Canonical::Stage);
            if let Some(test) = type_test(test, kind, is_stage, &stages, &mut problems) {
                when.push(Condition { field, test });
            }
        }
        rules.push(ConditionalRule {
            id: r.id,
            when,
            requires: r.requires,
            severity: r.severity,
            message: r.message,
        });
    }
    let defaults = RiskRules::default();
    let w = layer.weights;
    let dw = &defaults.weights;
    let risk = RiskRules {
        stale_days: layer.stale_days.unwrap_or(defaults.stale_days),
        probability_tolerance: layer
            .probability_tolerance
            .unwrap_or(defaults.probability_tolerance),
        horizon_days: layer.horizon_days.unwrap_or(defaults.horizon_days),
        weights: super::RiskWeights {
            overdue: w[0].unwrap_or(dw.overdue),
            stale: w[1].unwrap_or(dw.stale),
            stage_aged: w[2].unwrap_or(dw.stage_aged),
            exit_criteria: w[3].unwrap_or(dw.exit_criteria),
            forecast_mismatch: w[4].unwrap_or(dw.forecast_mismatch),
            no_next_step: w[5].unwrap_or(dw.no_next_step),
            pushed: w[6].unwrap_or(dw.pushed),
        },
        high: layer.high.as_ref().map_or(defaults.high, |h| h.0),
        medium: layer.medium.as_ref().map_or(defaults.medium, |m| m.0),
    };
    if risk.medium > risk.high {
        let at = layer
            .medium
            .as_ref()
            .or(layer.high.as_ref())
            .map(|(_, at)| at.clone());
        let message = format!(
            "risk.medium ({}) must not be above risk.high ({})",
            risk.medium, risk.high
        );
        match at {
            Some(at) => problems.push(at.doc, at.span, message),
            None => problems.push_unlocated(0, message),
        }
    }
    let input = InputRules {
        date_formats: layer.date_formats.unwrap_or_default(),
        decimal: layer.decimal.unwrap_or_default(),
        empty_values: match &layer.empty_values {
            Some(v) => Placeholders::new(v),
            None => Placeholders::new(DEFAULT_EMPTY_VALUES),
        },
        currency: layer.currency,
        dates_given: provenance.dates_given,
        decimal_given: provenance.decimal_given,
    };
    if !problems.is_empty() {
        return Err(RulesError {
            docs: provenance.docs,
            problems: problems.items,
        });
    }
    Ok(RuleSet {
        source: provenance.source,
        preset: provenance.preset,
        detection: provenance.detection,
        docs: provenance.docs,
        user_doc: provenance.user_doc,
        input,
        columns: layer.columns,
        fields,
        stages,
        rules,
        risk,
        gate: GateRules {
            fail_on: layer.fail_on.unwrap_or_default(),
            min_completeness: layer.min_completeness,
            max_high_risk: layer.max_high_risk,
            allow_empty: layer.allow_empty.unwrap_or(false),
        },
        checks: layer.checks,
    })
}

/// The field a name means once `[columns]` is known: a header that `[columns]` lists for a
/// canonical field, or (when that field has no `[columns]` entry) a header spelled like the
/// canonical name, *is* the canonical field. Every reference goes through here, so one
/// column is one field for requirements, conditions, checks and completeness alike.
pub(crate) fn canonical_name(name: &FieldName, columns: &[ColumnRule]) -> FieldName {
    let FieldName::Header(h) = name else {
        return name.clone();
    };
    let h = h.trim();
    if let Some(col) = columns
        .iter()
        .find(|c| c.headers.iter().any(|x| eq_fold(x.trim(), h)))
    {
        return FieldName::Canonical(col.field);
    }
    match Canonical::ALL
        .into_iter()
        .find(|c| c.as_str().eq_ignore_ascii_case(h))
    {
        Some(c) if !columns.iter().any(|col| col.field == c) => FieldName::Canonical(c),
        _ => name.clone(),
    }
}

/// Rewrite every field reference to its canonical name; `[fields]` entries that turn out to
/// be the same field are merged key by key, later (the user's) over earlier (the preset's).
fn canonicalise(mut layer: Layer) -> Layer {
    let columns = layer.columns.clone();
    let canon = |name: &FieldName| canonical_name(name, &columns);
    let mut fields: Vec<FieldLayer> = Vec::new();
    for mut f in std::mem::take(&mut layer.fields) {
        f.name = canon(&f.name);
        match fields.iter_mut().find(|b| b.name == f.name) {
            Some(b) => merge_field(b, f),
            None => fields.push(f),
        }
    }
    layer.fields = fields;
    if let Some(stages) = &mut layer.stages {
        for s in stages {
            for r in &mut s.requires {
                r.name = canon(&r.name);
            }
        }
    }
    for rule in &mut layer.rules {
        for r in &mut rule.requires {
            r.name = canon(&r.name);
        }
        for (field, _) in &mut rule.when {
            field.name = canon(&field.name);
        }
    }
    layer
}

fn merge_field(base: &mut FieldLayer, over: FieldLayer) {
    base.at = over.at;
    base.kind = over.kind.or(base.kind.take());
    base.required = over.required.or(base.required);
    base.values = over.values.or(base.values.take());
    base.pattern = over.pattern.or(base.pattern.take());
    base.min = over.min.or(base.min.take());
    base.max = over.max.or(base.max.take());
    base.weight = over.weight.or(base.weight);
    base.severity = over.severity.or(base.severity);
    base.fraction = over.fraction.or(base.fraction);
}

fn finish_field(f: FieldLayer, problems: &mut Problems) -> Option<FieldRule> {
    let default_kind = match &f.name {
        FieldName::Canonical(c) => c.default_type(),
        FieldName::Header(_) if f.values.is_some() => FieldType::Enum,
        FieldName::Header(_) => FieldType::Text,
    };
    let kind = match (&f.kind, &f.values) {
        (Some((k, _)), _) => *k,
        (None, Some(_)) if default_kind == FieldType::Text => FieldType::Enum,
        (None, _) => default_kind,
    };
    let mut ok = true;
    if let (FieldName::Canonical(c), Some((k, at))) = (&f.name, &f.kind) {
        if !c.accepts(*k) {
            problems.push(
                at.doc,
                at.span.clone(),
                format!(
                    "`{c}` cannot be of type {}: pipelint reads it as {}; remove `type` or set type = \"{}\"",
                    k.as_str(),
                    c.accepted_types(),
                    c.default_type().as_str()
                ),
            );
            ok = false;
        }
    }
    if kind == FieldType::Enum && f.values.as_ref().is_none_or(Vec::is_empty) {
        let at = f.kind.as_ref().map_or(&f.at, |(_, at)| at);
        problems.push(
            at.doc,
            at.span.clone(),
            format!(
                "field `{}` is an enum but lists no values; add values = [...]",
                f.name
            ),
        );
        ok = false;
    }
    if f.values.is_some() && !matches!(kind, FieldType::Enum | FieldType::Text) {
        problems.push(
            f.at.doc,
            f.at.span.clone(),
            format!(
                "field `{}` has values but is of type {}; values apply to enum fields",
                f.name,
                kind.as_str()
            ),
        );
        ok = false;
    }
    let bound =
        |v: Option<(toml::Value, Origin)>, which: &str, problems: &mut Problems| -> Option<Bound> {
            let (value, at) = v?;
            let parsed = match kind {
                FieldType::Money | FieldType::Number | FieldType::Percent => {
                    number_operand(&value).map(|(value, exact)| Bound::Number { value, exact })
                }
                FieldType::Date => date_operand(&value).map(Bound::Date),
                _ => {
                    problems.push(
                    at.doc,
                    at.span,
                    format!(
                        "`{which}` applies to number, money, percent and date fields; `{}` is {}",
                        f.name,
                        kind.as_str()
                    ),
                );
                    return None;
                }
            };
            if parsed.is_none() {
                let expected = if kind == FieldType::Date {
                    "a date such as \"2026-01-31\""
                } else {
                    "a number"
                };
                problems.push(
                    at.doc,
                    at.span,
                    format!("`{which}` of `{}` must be {expected}", f.name),
                );
            }
            parsed
        };
    let max_at = f.max.as_ref().map(|(_, at)| at.clone());
    let min = bound(f.min, "min", problems);
    let max = bound(f.max, "max", problems);
    let inverted = match (&min, &max) {
        (Some(Bound::Number { value: lo, .. }), Some(Bound::Number { value: hi, .. })) => lo > hi,
        (Some(Bound::Date(lo)), Some(Bound::Date(hi))) => lo > hi,
        _ => false,
    };
    if let (true, Some(at)) = (inverted, max_at) {
        problems.push(
            at.doc,
            at.span,
            format!("`{}` has min above max: no value could pass", f.name),
        );
        ok = false;
    }
    if f.fraction.is_some() && kind != FieldType::Percent {
        problems.push(
            f.at.doc,
            f.at.span.clone(),
            format!(
                "`fraction` applies to percent fields; `{}` is {}",
                f.name,
                kind.as_str()
            ),
        );
    }
    ok.then(|| FieldRule {
        name: f.name,
        at: f.at,
        kind,
        required: f.required.unwrap_or(false),
        values: f
            .values
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.trim().to_string())
            .collect(),
        pattern: f.pattern,
        min,
        max,
        weight: f.weight.unwrap_or(1),
        severity: f.severity,
        fraction: f.fraction.unwrap_or(false),
    })
}

fn number_operand(v: &toml::Value) -> Option<(f64, Option<Money>)> {
    match v {
        toml::Value::Integer(i) => Some((
            *i as f64,
            Money::from_decimal(crate::values::number::Decimal {
                mantissa: i128::from(*i),
                scale: 0,
            })
            .ok(),
        )),
        toml::Value::Float(f) if f.is_finite() => {
            let exact = crate::values::parse_money(&format!("{f}"), DecimalMark::Point, None)
                .ok()
                .map(|m| m.amount);
            Some((*f, exact))
        }
        _ => None,
    }
}

fn date_operand(v: &toml::Value) -> Option<NaiveDate> {
    match v {
        toml::Value::String(s) => crate::values::date::parse_iso(s.trim()),
        toml::Value::Datetime(d) => {
            let date = d.date?;
            NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            )
        }
        _ => None,
    }
}

fn type_test(
    test: RawTest,
    kind: FieldType,
    is_stage: bool,
    stages: &[StageRule],
    problems: &mut Problems,
) -> Option<Test> {
    let operand = |v: &toml::Value, at: &Origin, problems: &mut Problems| -> Option<Operand> {
        if is_stage {
            let toml::Value::String(s) = v else {
                problems.push(
                    at.doc,
                    at.span.clone(),
                    "stage conditions compare with stage names (strings)",
                );
                return None;
            };
            if stages.is_empty() {
                return Some(Operand::Text(s.trim().to_string()));
            }
            let found = stages.iter().position(|st| {
                eq_fold(&st.name, s.trim()) || st.aliases.iter().any(|a| eq_fold(a, s.trim()))
            });
            return match found {
                Some(i) => Some(Operand::Stage(i)),
                None => {
                    let names = stages.iter().map(|s| s.name.as_str());
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
            };
        }
        match kind {
            FieldType::Money | FieldType::Number | FieldType::Percent => match number_operand(v) {
                Some((value, exact)) => Some(Operand::Number { value, exact }),
                None => {
                    problems.push(
                        at.doc,
                        at.span.clone(),
                        format!(
                            "this condition's field is {}; compare it with a number",
                            kind.as_str()
                        ),
                    );
                    None
                }
            },
            FieldType::Date => match date_operand(v) {
                Some(d) => Some(Operand::Date(d)),
                None => {
                    problems.push(at.doc, at.span.clone(), "this condition's field is a date; compare it with a date such as \"2026-01-31\"");
                    None
                }
            },
            FieldType::Boolean => {
                let b = match v {
                    toml::Value::Boolean(b) => Some(*b),
                    toml::Value::Integer(i) => crate::values::parse_bool(&i.to_string()),
                    toml::Value::String(s) => crate::values::parse_bool(s.trim()),
                    _ => None,
                };
                if b.is_none() {
                    problems.push(
                        at.doc,
                        at.span.clone(),
                        "this condition's field is boolean; compare it with true or false",
                    );
                }
                b.map(Operand::Bool)
            }
            FieldType::Text | FieldType::Enum => match v {
                toml::Value::String(s) => Some(Operand::Text(s.trim().to_string())),
                toml::Value::Integer(i) => Some(Operand::Text(i.to_string())),
                toml::Value::Float(f) => Some(Operand::Text(f.to_string())),
                toml::Value::Boolean(b) => Some(Operand::Text(b.to_string())),
                _ => {
                    problems.push(at.doc, at.span.clone(), "compare text fields with strings");
                    None
                }
            },
        }
    };
    let list = |vs: &[toml::Value], at: &Origin, problems: &mut Problems| -> Option<Vec<Operand>> {
        let ops: Vec<Option<Operand>> = vs.iter().map(|v| operand(v, at, problems)).collect();
        ops.into_iter().collect()
    };
    Some(match test {
        RawTest::Eq(v, at) => Test::Eq(operand(&v, &at, problems)?),
        RawTest::In(vs, at) => Test::In(list(&vs, &at, problems)?),
        RawTest::NotIn(vs, at) => Test::NotIn(list(&vs, &at, problems)?),
        RawTest::Cmp(op, v, at) => {
            if is_stage || !(kind.is_numeric() || kind == FieldType::Date) {
                problems.push(
                    at.doc,
                    at.span.clone(),
                    "gt, gte, lt and lte compare number, money, percent and date fields",
                );
                return None;
            }
            let o = operand(&v, &at, problems)?;
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
