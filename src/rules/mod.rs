//! Rules: the declarative description of a pipeline (columns, fields, stages, conditional
//! rules, risk and gate settings), read in two phases: [`parse`] (TOML → raw serde structs,
//! unknown keys rejected) and [`validate`] (raw → [`RuleSet`], every problem collected).

pub mod parse;
pub mod presets;
pub mod problem;
pub mod raw;
pub mod validate;

use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;
use regex::Regex;

use crate::checks::{CheckSetting, Code, Severity};
use crate::field::{Canonical, FieldName, FieldType};
use crate::values::{Currency, DateFormat, DecimalMark, Money, Placeholders};
pub use presets::{Detection, Preset};
pub use problem::{DocId, Problem, Problems, RulesError, RulesText};

/// Where in which rules document something was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub doc: DocId,
    pub span: Range<usize>,
}

/// A field as a rule names it, with where it was named (for errors found once the export's
/// header is known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRef {
    pub name: FieldName,
    pub at: Origin,
}

/// A checked, complete rule set, ready to be bound to an export's header.
#[derive(Clone, Debug)]
pub struct RuleSet {
    /// How the report names the rules: a path, or `preset:salesforce`.
    pub source: String,
    /// The built-in preset the rules start from, if any.
    pub preset: Option<&'static str>,
    /// How the preset was chosen when `auto`.
    pub detection: Option<Detection>,
    /// The documents the rules came from; `Origin::doc` indexes this.
    pub docs: Vec<RulesText>,
    /// The user's own document (its references must resolve; a preset's may be skipped).
    pub user_doc: Option<DocId>,
    pub input: InputRules,
    pub columns: Vec<ColumnRule>,
    pub fields: Vec<FieldRule>,
    pub stages: Vec<StageRule>,
    pub rules: Vec<ConditionalRule>,
    pub risk: RiskRules,
    pub gate: GateRules,
    pub checks: Vec<(Code, CheckSetting)>,
}

impl RuleSet {
    pub fn is_user(&self, at: &Origin) -> bool {
        self.user_doc == Some(at.doc)
    }

    pub fn field(&self, name: &FieldName) -> Option<&FieldRule> {
        self.fields.iter().find(|f| &f.name == name)
    }

    /// The stage a value names (by name or alias, ignoring case and surrounding spaces).
    pub fn stage_index(&self, value: &str) -> Option<usize> {
        let v = value.trim();
        // Exports mostly spell stages exactly as the rules do: try that first.
        self.stages.iter().position(|s| s.name == v).or_else(|| {
            self.stages.iter().position(|s| {
                crate::values::eq_fold(&s.name, v)
                    || s.aliases.iter().any(|a| crate::values::eq_fold(a, v))
            })
        })
    }

    pub fn locate(&self, at: &Origin) -> String {
        match self.docs.get(at.doc) {
            Some(doc) => {
                let (line, col) = doc.line_col(at.span.start);
                format!("{}:{line}:{col}", doc.name)
            }
            None => "rules".to_string(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct InputRules {
    pub date_formats: Vec<DateFormat>,
    pub decimal: DecimalMark,
    pub empty_values: Placeholders,
    pub delimiter: Option<u8>,
    pub currency: Option<Currency>,
    /// The user's rules set `date_formats` / `decimal` themselves: the values of the file
    /// are not consulted. Otherwise the audit reads the head of each file for them and puts
    /// what it finds before the preset's.
    pub dates_given: bool,
    pub decimal_given: bool,
}

/// `[columns]`: the headers a canonical field may appear under, first match wins.
#[derive(Clone, Debug)]
pub struct ColumnRule {
    pub field: Canonical,
    pub headers: Vec<String>,
    pub at: Origin,
}

/// `[fields]`: typing and global requirements of one field.
#[derive(Clone, Debug)]
pub struct FieldRule {
    pub name: FieldName,
    pub at: Origin,
    pub kind: FieldType,
    pub required: bool,
    pub values: Vec<String>,
    pub pattern: Option<Regex>,
    pub min: Option<Bound>,
    pub max: Option<Bound>,
    pub weight: u32,
    pub severity: Option<Severity>,
    pub fraction: bool,
}

/// A `min`/`max` bound.
#[derive(Clone, Debug, PartialEq)]
pub enum Bound {
    Number { value: f64, exact: Option<Money> },
    Date(NaiveDate),
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Number { value, .. } => write!(f, "{value}"),
            Bound::Date(d) => write!(f, "{d}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Won,
    Lost,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Won => "won",
            Outcome::Lost => "lost",
        }
    }
}

/// `[[stages]]`: one stage of the pipeline, in order.
#[derive(Clone, Debug)]
pub struct StageRule {
    pub name: String,
    pub aliases: Vec<String>,
    pub probability: Option<f64>,
    /// Allowed forecast categories, normalised (see [`normalize_forecast`]).
    pub forecast: Option<Vec<String>>,
    pub max_days: Option<i64>,
    pub stale_days: Option<i64>,
    pub requires: Vec<FieldRef>,
    pub outcome: Option<Outcome>,
    pub severity: Option<Severity>,
    pub at: Origin,
}

impl StageRule {
    pub fn is_open(&self) -> bool {
        self.outcome.is_none()
    }
}

/// `[[rules]]`: fields required when all `when` conditions hold.
#[derive(Clone, Debug)]
pub struct ConditionalRule {
    pub id: String,
    pub when: Vec<Condition>,
    pub requires: Vec<FieldRef>,
    pub severity: Option<Severity>,
    pub message: Option<String>,
    pub at: Origin,
}

#[derive(Clone, Debug)]
pub struct Condition {
    pub field: FieldRef,
    pub test: Test,
}

/// What a condition tests. Operands are typed for the field they apply to.
#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    Eq(Operand),
    In(Vec<Operand>),
    NotIn(Vec<Operand>),
    Gt(Operand),
    Gte(Operand),
    Lt(Operand),
    Lte(Operand),
    Empty(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Text(String),
    Number {
        value: f64,
        exact: Option<Money>,
    },
    Date(NaiveDate),
    /// A stage, resolved to its index in [`RuleSet::stages`].
    Stage(usize),
    Bool(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RiskWeights {
    pub overdue: u32,
    pub stale: u32,
    pub stage_aged: u32,
    pub exit_criteria: u32,
    pub forecast_mismatch: u32,
    pub no_next_step: u32,
    pub pushed: u32,
}

impl Default for RiskWeights {
    fn default() -> Self {
        RiskWeights {
            overdue: 30,
            stale: 20,
            stage_aged: 15,
            exit_criteria: 20,
            forecast_mismatch: 10,
            no_next_step: 10,
            pushed: 15,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RiskRules {
    pub stale_days: i64,
    pub probability_tolerance: f64,
    pub horizon_days: i64,
    pub weights: RiskWeights,
    pub high: u32,
    pub medium: u32,
}

impl Default for RiskRules {
    fn default() -> Self {
        RiskRules {
            stale_days: 14,
            probability_tolerance: 20.0,
            horizon_days: 365,
            weights: RiskWeights::default(),
            high: 60,
            medium: 30,
        }
    }
}

/// `--fail-on`: the lowest severity that fails the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Never,
}

impl FailOn {
    pub fn parse(s: &str) -> Option<FailOn> {
        match s {
            "error" => Some(FailOn::Error),
            "warning" => Some(FailOn::Warning),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Never => "never",
        }
    }

    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Never => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct GateRules {
    pub fail_on: FailOn,
    pub min_completeness: Option<f64>,
    pub max_high_risk: Option<u64>,
}

/// Fold forecast-category spellings: `Best Case`/`BestCase`/`best_case` → `bestcase`;
/// Salesforce's API value `Forecast` is the label `Commit`; HubSpot's `Not forecasted` is
/// Salesforce's `Omitted`.
pub fn normalize_forecast(s: &str) -> String {
    let folded: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    match folded.as_str() {
        "forecast" => "commit".to_string(),
        "notforecasted" | "omit" => "omitted".to_string(),
        "closedwon" => "closed".to_string(),
        _ => folded,
    }
}

/// Forecast categories pipelint knows (normalised), for "did you mean" on typos.
pub const KNOWN_FORECAST: [&str; 6] = [
    "pipeline",
    "bestcase",
    "commit",
    "closed",
    "omitted",
    "mostlikely",
];

/// Read a rules file from disk: bad UTF-8 and unreadable files are errors naming the file.
pub fn read_rules_text(path: &Path) -> anyhow::Result<RulesText> {
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("cannot read rules file {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..valid];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let col = before.len()
            - before
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        anyhow::anyhow!(
            "rules file {}:{line}:{col} is not valid UTF-8 (byte 0x{:02X}); save it as UTF-8",
            path.display(),
            e.as_bytes()[valid]
        )
    })?;
    Ok(RulesText {
        name: path.display().to_string(),
        text,
    })
}

/// A user's rules file after phase one: what could be read, and the syntax, unknown-key
/// and type problems found, which [`build`] reports together with phase two's.
#[derive(Clone, Debug)]
pub struct UserRules {
    pub text: RulesText,
    pub raw: raw::RawRules,
    pub problems: Vec<Problem>,
}

impl UserRules {
    pub fn parse(text: RulesText) -> UserRules {
        let mut problems = Problems::default();
        let raw = parse::parse_rules(&text.text, 0, &mut problems);
        UserRules {
            text,
            raw,
            problems: problems.items,
        }
    }

    /// The preset the file asks to start from (`[input] preset`), if a valid one.
    pub fn preset(&self) -> Option<validate::PresetRef> {
        let name = self.raw.input.preset.as_ref()?.get_ref().trim().to_string();
        if name == "auto" {
            Some(validate::PresetRef::Auto)
        } else {
            presets::find(&name).map(|p| validate::PresetRef::Named(p.name))
        }
    }
}

/// Build the rule set from a user's file, a preset, or the preset with the file on top.
pub fn build(
    user: Option<&UserRules>,
    preset: Option<&'static Preset>,
    detection: Option<Detection>,
) -> Result<RuleSet, RulesError> {
    let mut problems = Problems {
        items: user.map(|u| u.problems.clone()).unwrap_or_default(),
    };
    let mut docs = Vec::new();
    let mut merged = validate::Layer::default();
    let mut user_doc = None;
    if let Some(user) = user {
        docs.push(user.text.clone());
        user_doc = Some(0);
    }
    if let Some(preset) = preset {
        let doc = docs.len();
        docs.push(RulesText {
            name: format!("preset:{} ({})", preset.name, preset.path),
            text: preset.text.to_string(),
        });
        let raw = parse::parse_rules(preset.text, doc, &mut problems);
        merged = validate::layer(&raw, doc, &mut problems);
    }
    let mut given = (false, false);
    if let Some(user) = user {
        let over = validate::layer(&user.raw, 0, &mut problems);
        given = (over.sets_date_formats(), over.sets_decimal());
        merged = validate::merge(merged, over);
    }
    let source = match (user, preset) {
        (Some(u), _) => u.text.name.clone(),
        (None, Some(p)) => format!("preset:{}", p.name),
        (None, None) => "defaults".to_string(),
    };
    let provenance = validate::Provenance {
        source,
        preset: preset.map(|p| p.name),
        docs,
        user_doc,
    };
    let mut rules = validate::finish(merged, provenance, problems)?;
    rules.detection = detection;
    (rules.input.dates_given, rules.input.decimal_given) = given;
    Ok(rules)
}
