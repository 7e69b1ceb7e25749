//! Rules: the declarative description of a pipeline (columns, fields, stages, conditional
//! rules, risk and gate settings), read in two phases: [`parse`] (TOML → raw serde structs,
//! unknown keys rejected) and [`validate`] (raw → [`RuleSet`], every problem collected).

pub(crate) mod forecast;
pub(crate) mod parse;
pub(crate) mod playbooks;
pub(crate) mod presets;
pub(crate) mod problem;
pub(crate) mod raw;
pub(crate) mod validate;

use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;
use regex::Regex;

use crate::diag::{CheckSetting, Code, Severity};
use crate::field::{Canonical, FieldName, FieldType};
pub(crate) use crate::gate::FailOn;
use crate::values::{Currency, DateFormat, DecimalMark, Money, Placeholders};
pub(crate) use forecast::{ForecastClass, ForecastRules, KNOWN_FORECAST, normalize_forecast};
pub(crate) use presets::{Detection, Preset};
pub(crate) use problem::{DocId, Problem, Problems, RulesError, RulesText};
pub(crate) use validate::PresetRef;
pub(crate) use validate::forecast_label;

/// Where in which rules document something was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) doc: DocId,
    pub(crate) span: Range<usize>,
}

/// A field as a rule names it, with where it was named (for errors found once the export's
/// header is known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldRef {
    pub(crate) name: FieldName,
    pub(crate) at: Origin,
}

/// A checked, complete rule set, ready to be bound to an export's header.
#[derive(Clone, Debug)]
pub struct RuleSet {
    /// How the report names the rules: a path, or `preset:salesforce`.
    pub(crate) source: String,
    /// The built-in preset the rules start from, if any.
    pub(crate) preset: Option<&'static str>,
    /// How the preset was chosen when `auto`.
    pub(crate) detection: Option<Detection>,
    /// The documents the rules came from; `Origin::doc` indexes this.
    pub(crate) docs: Vec<RulesText>,
    /// The user's own document (its references must resolve; a preset's may be skipped).
    pub(crate) user_doc: Option<DocId>,
    pub(crate) input: InputRules,
    pub(crate) columns: Vec<ColumnRule>,
    pub(crate) fields: Vec<FieldRule>,
    pub(crate) stages: Vec<StageRule>,
    pub(crate) rules: Vec<ConditionalRule>,
    pub(crate) risk: RiskRules,
    pub(crate) gate: GateRules,
    pub(crate) checks: Vec<(Code, CheckSetting)>,
    pub(crate) changes: ChangesRules,
    pub(crate) forecast: ForecastRules,
    /// `[team]`, `[notify.*]` and `[[playbooks]]`: what `pipelint act` does.
    pub(crate) act: playbooks::ActRules,
}

impl RuleSet {
    pub(crate) fn is_user(&self, at: &Origin) -> bool {
        self.user_doc == Some(at.doc)
    }

    /// The stage a value names (by name or alias, ignoring case and surrounding spaces).
    pub(crate) fn stage_index(&self, value: &str) -> Option<usize> {
        self.stage_match(value).map(|(i, _)| i)
    }

    /// The stage `value` names, and whether it is spelt exactly as the rules name it
    /// (else by an alias, or in another case: a label reports show as written).
    pub(crate) fn stage_match(&self, value: &str) -> Option<(usize, bool)> {
        let v = value.trim();
        // Exports mostly spell stages exactly as the rules do: try that first.
        if let Some(i) = self.stages.iter().position(|s| s.name == v) {
            return Some((i, true));
        }
        self.stages
            .iter()
            .position(|s| {
                crate::values::eq_fold(&s.name, v)
                    || s.aliases.iter().any(|a| crate::values::eq_fold(a, v))
            })
            .map(|i| (i, false))
    }

    pub(crate) fn locate(&self, at: &Origin) -> String {
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
pub(crate) struct InputRules {
    pub(crate) date_formats: Vec<DateFormat>,
    pub(crate) decimal: DecimalMark,
    pub(crate) empty_values: Placeholders,
    pub(crate) currency: Option<Currency>,
    /// `[input] owners`: owner ids → names, applied where each deal's owner is read.
    pub(crate) owners: Option<std::sync::Arc<crate::input::owners::OwnerNames>>,
    /// The user's rules set `date_formats` / `decimal` themselves: the values of the file
    /// are not consulted. Otherwise the audit reads the head of each file for them and puts
    /// what it finds before the preset's.
    pub(crate) dates_given: bool,
    pub(crate) decimal_given: bool,
}

/// `[columns]`: the headers a canonical field may appear under, first match wins.
#[derive(Clone, Debug)]
pub(crate) struct ColumnRule {
    pub(crate) field: Canonical,
    pub(crate) headers: Vec<String>,
    pub(crate) at: Origin,
}

/// `[fields]`: typing and global requirements of one field.
#[derive(Clone, Debug)]
pub(crate) struct FieldRule {
    pub(crate) name: FieldName,
    pub(crate) at: Origin,
    pub(crate) kind: FieldType,
    pub(crate) required: bool,
    pub(crate) values: Vec<String>,
    pub(crate) pattern: Option<Regex>,
    pub(crate) min: Option<Bound>,
    pub(crate) max: Option<Bound>,
    pub(crate) weight: u32,
    pub(crate) severity: Option<Severity>,
    pub(crate) fraction: bool,
}

/// A `min`/`max` bound.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Bound {
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
pub(crate) enum Outcome {
    Won,
    Lost,
}

impl Outcome {}

/// `[[stages]]`: one stage of the pipeline, in order.
#[derive(Clone, Debug)]
pub(crate) struct StageRule {
    pub(crate) name: String,
    pub(crate) aliases: Vec<String>,
    pub(crate) probability: Option<f64>,
    /// Allowed forecast categories, normalised (see [`normalize_forecast`]).
    pub(crate) forecast: Option<Vec<String>>,
    pub(crate) max_days: Option<i64>,
    pub(crate) stale_days: Option<i64>,
    pub(crate) requires: Vec<FieldRef>,
    pub(crate) outcome: Option<Outcome>,
    pub(crate) severity: Option<Severity>,
}

impl StageRule {
    pub(crate) fn is_open(&self) -> bool {
        self.outcome.is_none()
    }
}

/// `[[rules]]`: when all `when` conditions hold, the fields in `requires` must be filled
/// (REQ003) and the `then` test must pass (RUL001). A rule has at least one of the two.
#[derive(Clone, Debug)]
pub(crate) struct ConditionalRule {
    pub(crate) id: String,
    pub(crate) when: Vec<Condition>,
    pub(crate) requires: Vec<FieldRef>,
    pub(crate) then: Option<Condition>,
    pub(crate) severity: Option<Severity>,
    pub(crate) message: Option<String>,
}

impl ConditionalRule {
    /// Every condition the rule tests: its `when`, then its `then`.
    pub(crate) fn conditions(&self) -> impl Iterator<Item = &Condition> {
        self.when.iter().chain(&self.then)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Condition {
    pub(crate) field: FieldRef,
    pub(crate) test: Test,
}

/// What a condition tests. Operands are typed for the field they apply to.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Test {
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
pub(crate) enum Operand {
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
pub(crate) struct RiskWeights {
    pub(crate) overdue: u32,
    pub(crate) stale: u32,
    pub(crate) stage_aged: u32,
    pub(crate) exit_criteria: u32,
    pub(crate) forecast_mismatch: u32,
    pub(crate) no_next_step: u32,
    pub(crate) pushed: u32,
    pub(crate) slipping: u32,
    pub(crate) no_close_date: u32,
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
            slipping: 20,
            no_close_date: 20,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RiskRules {
    pub(crate) stale_days: i64,
    pub(crate) probability_tolerance: f64,
    pub(crate) horizon_days: i64,
    pub(crate) weights: RiskWeights,
    pub(crate) high: u32,
    pub(crate) medium: u32,
    /// Whether a signal's points grow with the distance past its threshold.
    pub(crate) grading: Grading,
    /// Next-step texts that say nothing (HYG010), folded with [`normalize_filler`].
    pub(crate) next_step_filler: Vec<String>,
}

/// `[risk] grading`: how a fired signal's points relate to how far past its threshold the
/// deal is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grading {
    /// From the weight at the threshold to twice it at four times the threshold (see
    /// `score::grade`).
    Linear,
    /// Every fired signal scores its weight.
    Off,
}

/// `overdue`'s scale when graded: it reaches twice its weight three scales (90 days) past
/// the close date.
pub(crate) const OVERDUE_SCALE_DAYS: i64 = 30;

/// The built-in `[risk] next_step_filler`.
pub(crate) const NEXT_STEP_FILLER: [&str; 13] = [
    "follow up",
    "follow-up",
    "followup",
    "tbd",
    "check in",
    "check-in",
    "touch base",
    "sync soon",
    "n/a",
    "call",
    "email",
    "ping",
    "?",
];

impl Default for RiskRules {
    fn default() -> Self {
        RiskRules {
            stale_days: 14,
            probability_tolerance: 20.0,
            horizon_days: 365,
            weights: RiskWeights::default(),
            high: 60,
            medium: 30,
            grading: Grading::Linear,
            next_step_filler: NEXT_STEP_FILLER
                .iter()
                .map(|f| normalize_filler(f))
                .collect(),
        }
    }
}

impl RiskRules {
    /// Whether a next step's raw bytes may be filler: ASCII text with more letters (outside
    /// spaces and trailing punctuation) than the longest filler is not, and is not decoded.
    pub(crate) fn may_be_filler(&self, raw: &[u8]) -> bool {
        if !raw.is_ascii() {
            return true;
        }
        let longest = self
            .next_step_filler
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(0);
        let end = raw
            .iter()
            .rposition(|b| !(b.is_ascii_whitespace() || b.is_ascii_punctuation()))
            .map_or(0, |i| i + 1);
        raw[..end]
            .iter()
            .filter(|b| !b.is_ascii_whitespace())
            .count()
            <= longest
    }

    /// Whether a next step (as written, not empty) is one of the filler texts. Compared
    /// folded, without allocating; [`RiskRules::may_be_filler`] turns most away first.
    pub(crate) fn is_filler(&self, next_step: &str) -> bool {
        self.next_step_filler
            .iter()
            .any(|f| filler_chars(next_step).eq(f.chars()))
    }
}

/// Fold a next step for the filler comparison: case and surrounding spaces ignored, runs of
/// spaces as one, and trailing punctuation dropped, so "Follow up!", "follow  up." and
/// "FOLLOW UP" are one text. A text of punctuation only ("?", "...") folds to "".
pub(crate) fn normalize_filler(text: &str) -> String {
    filler_chars(text).collect()
}

/// A next step without its trailing spaces and punctuation.
fn filler_core(text: &str) -> &str {
    text.trim_end_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation() || c == '…')
}

fn filler_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    filler_core(text)
        .split_whitespace()
        .enumerate()
        .flat_map(|(i, word)| {
            (i > 0)
                .then_some(' ')
                .into_iter()
                .chain(word.chars().flat_map(char::to_lowercase))
        })
}

#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct GateRules {
    pub(crate) fail_on: FailOn,
    pub(crate) min_completeness: Option<f64>,
    pub(crate) max_high_risk: Option<u64>,
    pub(crate) allow_empty: bool,
}

/// `[changes]`: what counts as a material change against the previous snapshot.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ChangesRules {
    /// CHG003: an amount cut by more than this share (percent) of the previous amount.
    pub(crate) amount_cut_pct: f64,
    /// HYG009: a close date pushed this many times (stored history or a push-count column).
    pub(crate) serial_pushes: u32,
    /// HYG009 also fires when the pushes add up to this many days.
    pub(crate) push_alarm_days: u32,
}

impl Default for ChangesRules {
    fn default() -> Self {
        ChangesRules {
            amount_cut_pct: 20.0,
            serial_pushes: 2,
            push_alarm_days: 30,
        }
    }
}

/// Read a rules file from disk: bad UTF-8 and unreadable files are errors naming the file.
pub(crate) fn read_rules_text(path: &Path) -> anyhow::Result<RulesText> {
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
pub(crate) struct UserRules {
    pub(crate) text: RulesText,
    pub(crate) raw: raw::RawRules,
    pub(crate) problems: Vec<Problem>,
}

impl UserRules {
    pub(crate) fn parse(text: RulesText) -> UserRules {
        let mut problems = Problems::default();
        let raw = parse::parse_rules(&text.text, 0, &mut problems);
        UserRules {
            text,
            raw,
            problems: problems.items,
        }
    }

    /// The preset the file asks to start from (`[input] preset`), if a valid one.
    pub(crate) fn preset(&self) -> Option<PresetRef> {
        let name = self.raw.input.preset.as_ref()?.get_ref().trim().to_string();
        if name == "auto" {
            Some(PresetRef::Auto)
        } else {
            presets::find(&name).map(|p| PresetRef::Named(p.name))
        }
    }

    /// The delimiter the file sets (`[input] delimiter`), if a valid one.
    pub(crate) fn delimiter(&self) -> Option<u8> {
        let d = self.raw.input.delimiter.as_ref()?;
        crate::input::dialect::delimiter_byte(d.get_ref())
    }

    /// The encoding the file names (`[input] encoding`), if a known one.
    pub(crate) fn encoding(&self) -> Option<crate::input::encoding::Named> {
        let e = self.raw.input.encoding.as_ref()?;
        crate::input::encoding::named(e.get_ref()).ok()
    }

    /// How the file says exports are read (`[input] delimiter`, `encoding`, `header`,
    /// `escape`): read before the rules are resolved, since the files are opened first.
    pub(crate) fn read_as(&self) -> crate::input::ReadAs {
        let input = &self.raw.input;
        crate::input::ReadAs {
            delimiter: self.delimiter(),
            encoding: self.encoding(),
            header: input
                .header
                .as_ref()
                .map(|h| h.get_ref().clone())
                .filter(|h| validate::input::header_names(h).is_ok()),
            dump: input
                .escape
                .as_ref()
                .and_then(|e| validate::input::escape_is_dump(e.get_ref())),
            name_columns: false,
        }
    }

    /// The directory the files this rules file names are relative to.
    pub(crate) fn dir(&self) -> &Path {
        Path::new(&self.text.name).parent().unwrap_or(Path::new(""))
    }

    /// The owners lookup the file names (`[input] owners`), as the run reads it: the one
    /// path both validation and the list of files no report may replace use.
    pub(crate) fn owners_path(&self) -> Option<std::path::PathBuf> {
        let o = self.raw.input.owners.as_ref()?;
        Some(validate::beside(self.dir(), o.get_ref()))
    }

    /// `[team] file`, resolved against the rules file's directory.
    pub(crate) fn team_path(&self) -> Option<std::path::PathBuf> {
        let t = self.raw.team.file.as_ref()?;
        Some(validate::beside(self.dir(), t.get_ref()))
    }
}

/// Build the rule set from a user's file, a preset, or the preset with the file on top.
pub(crate) fn build(
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
        merged = validate::layer(&raw, doc, None, &mut problems);
    }
    let mut given = (false, false);
    if let Some(user) = user {
        let over = validate::layer(&user.raw, 0, Some(user.dir()), &mut problems);
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
        detection,
        docs,
        user_doc,
        dates_given: given.0,
        decimal_given: given.1,
    };
    validate::finish(merged, provenance, problems)
}

/// The rules file used when none is named, if it exists in the current directory.
pub(crate) const DEFAULT_RULES_FILE: &str = "pipelint.toml";

/// The user's rules: `path`, else `./pipelint.toml` if present, else none.
pub(crate) fn load_user(path: Option<&Path>) -> anyhow::Result<Option<UserRules>> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => {
            let default = std::path::PathBuf::from(DEFAULT_RULES_FILE);
            if !default.is_file() {
                return Ok(None);
            }
            default
        }
    };
    let text = read_rules_text(&path)?;
    Ok(Some(UserRules::parse(text)))
}

/// The rule set for `exports`: the user's rules over a preset chosen by `flag` (a name or
/// `auto`), else by the file's `[input] preset`, else detected when there is no rules file.
pub(crate) fn resolve(
    user: Option<&UserRules>,
    flag: Option<&str>,
    exports: &[crate::input::Export],
) -> anyhow::Result<RuleSet> {
    use anyhow::Context;
    let wanted = match flag {
        Some("auto") => Some(PresetRef::Auto),
        Some(name) => presets::find(name).map(|p| PresetRef::Named(p.name)),
        None => match user {
            Some(u) => u.preset(),
            None => Some(PresetRef::Auto),
        },
    };
    let (preset, detection) = match wanted {
        None => (None, None),
        Some(PresetRef::Named(name)) => (presets::find(name), None),
        Some(PresetRef::Auto) => {
            let first = exports.first().context("no input files were given")?;
            let detection =
                presets::detect(&first.header.cells, &first.sample).map_err(|e| {
                    let hint = match first.header.delimiter_hint() {
                        Some(hint) => format!("\n  {hint}"),
                        None => String::new(),
                    };
                    let path = if first.name == "<stdin>" {
                        "FILE"
                    } else {
                        &first.name
                    };
                    anyhow::anyhow!(
                        "{}: {e}; draft rules for this export with `pipelint init --from {path} > pipelint.toml`, then audit with `-r pipelint.toml`{hint}",
                        first.name
                    )
                })?;
            if detection.confidence() < presets::MIN_CONFIDENCE {
                let path = if first.name == "<stdin>" {
                    "FILE"
                } else {
                    &first.name
                };
                let unknown = if detection.unknown_stages.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; its checks would flag every deal in {}",
                        detection.unknown_stages.join(", ")
                    )
                };
                anyhow::bail!(
                    "{}: the preset that fits best, {}, is only a guess ({}){unknown}. Force it \
                     with `--preset {}`, or draft rules for this export with `pipelint init \
                     --from {path} > pipelint.toml`, then audit with `-r pipelint.toml`",
                    first.name,
                    detection.preset,
                    detection.words(),
                    detection.preset
                );
            }
            (presets::find(detection.preset), Some(detection))
        }
    };
    Ok(build(user, preset, detection)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        /// Any rules text through both phases: rules or problems, never a panic; and every
        /// problem names the file and the line it is on.
        #[test]
        fn rules_text_gives_rules_or_problems_on_a_line(text in proptest::prop_oneof![
            "(\\[[a-z]{1,8}\\]\n|[a-z_]{1,10} = (\"[^\"\n]{0,12}\"|[0-9]{1,4}|\\[\"[A-Za-z ]{0,8}\"\\]|true|\\{ field = \"amount\", gte = 1 \\})\n|\\[\\[(stages|rules)\\]\\]\n){0,12}",
            "\\PC{0,200}",
            proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)
                .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        ]) {
            let user = UserRules::parse(RulesText { name: "fuzz.toml".into(), text: text.clone() });
            if let Err(e) = build(Some(&user), None, None) {
                let message = format!("{e:#}");
                proptest::prop_assert!(
                    message.contains("fuzz.toml:"),
                    "no file and line in {:?} for {:?}", message, text
                );
            }
        }
    }
}
