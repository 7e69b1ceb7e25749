//! Phase one of reading rules: the file's shape, as serde sees it.
//!
//! Every struct rejects unknown keys; values whose meaning is checked later (stage names,
//! field references, formats) keep their spans so that phase two can point at them.

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInput {
    pub(crate) preset: Option<Spanned<String>>,
    pub(crate) date_formats: Option<Vec<Spanned<String>>>,
    pub(crate) decimal: Option<Spanned<String>>,
    pub(crate) empty_values: Option<Vec<String>>,
    pub(crate) delimiter: Option<Spanned<String>>,
    /// The encoding of text that is not UTF-8 (default: detected per file).
    pub(crate) encoding: Option<Spanned<String>>,
    pub(crate) currency: Option<Spanned<String>>,
    /// A CSV mapping owner ids to names, relative to the rules file.
    pub(crate) owners: Option<Spanned<String>>,
    /// The column names of a file without a header row, in order (IN007).
    pub(crate) header: Option<Spanned<Vec<String>>>,
    /// How a quote inside a quoted value is escaped: `"\\"` (a database dump, with `\N`
    /// for NULL) or `"\""` (doubled, plain CSV); default detected (IN008).
    pub(crate) escape: Option<Spanned<String>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawField {
    #[serde(rename = "type")]
    pub(crate) kind: Option<Spanned<String>>,
    pub(crate) required: Option<bool>,
    pub(crate) values: Option<Vec<String>>,
    pub(crate) pattern: Option<Spanned<String>>,
    pub(crate) min: Option<Spanned<toml::Value>>,
    pub(crate) max: Option<Spanned<toml::Value>>,
    pub(crate) weight: Option<Spanned<f64>>,
    pub(crate) severity: Option<Spanned<String>>,
    /// Percent fields only: a bare number is a fraction (HubSpot writes 0.4 for 40%).
    pub(crate) fraction: Option<bool>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStage {
    pub(crate) name: Spanned<String>,
    #[serde(default)]
    pub(crate) aliases: Vec<Spanned<String>>,
    pub(crate) probability: Option<Spanned<f64>>,
    pub(crate) forecast: Option<Vec<Spanned<String>>>,
    pub(crate) max_days: Option<Spanned<i64>>,
    pub(crate) stale_days: Option<Spanned<i64>>,
    #[serde(default)]
    pub(crate) requires: Vec<Spanned<String>>,
    pub(crate) outcome: Option<Spanned<String>>,
    /// Severity of this stage's exit-criteria findings (REQ002); default error.
    pub(crate) severity: Option<Spanned<String>>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    pub(crate) id: Spanned<String>,
    /// A condition table, or an array of them that must all hold; walked separately so that
    /// its keys are checked with their spans.
    #[serde(skip)]
    pub(crate) when: Vec<Spanned<RawCondition>>,
    /// The value test a deal that matches `when` must pass (RUL001); walked like `when`.
    #[serde(skip)]
    pub(crate) then: Option<Spanned<RawCondition>>,
    #[serde(default)]
    pub(crate) requires: Vec<Spanned<String>>,
    pub(crate) severity: Option<Spanned<String>>,
    pub(crate) message: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCondition {
    pub(crate) field: Spanned<String>,
    pub(crate) eq: Option<Spanned<toml::Value>>,
    #[serde(rename = "in")]
    pub(crate) in_: Option<Spanned<Vec<toml::Value>>>,
    pub(crate) not_in: Option<Spanned<Vec<toml::Value>>>,
    pub(crate) gt: Option<Spanned<toml::Value>>,
    pub(crate) gte: Option<Spanned<toml::Value>>,
    pub(crate) lt: Option<Spanned<toml::Value>>,
    pub(crate) lte: Option<Spanned<toml::Value>>,
    pub(crate) empty: Option<Spanned<bool>>,
    pub(crate) not_empty: Option<Spanned<bool>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRisk {
    pub(crate) stale_days: Option<Spanned<i64>>,
    pub(crate) probability_tolerance: Option<Spanned<f64>>,
    pub(crate) horizon_days: Option<Spanned<i64>>,
    pub(crate) weights: Option<RawWeights>,
    pub(crate) high: Option<Spanned<i64>>,
    pub(crate) medium: Option<Spanned<i64>>,
    /// `"linear"` (the default) or `"off"`.
    pub(crate) grading: Option<Spanned<String>>,
    /// Next-step texts that say nothing (HYG010), replacing the built-in list.
    pub(crate) next_step_filler: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWeights {
    pub(crate) overdue: Option<Spanned<i64>>,
    pub(crate) stale: Option<Spanned<i64>>,
    pub(crate) stage_aged: Option<Spanned<i64>>,
    pub(crate) exit_criteria: Option<Spanned<i64>>,
    pub(crate) forecast_mismatch: Option<Spanned<i64>>,
    pub(crate) no_next_step: Option<Spanned<i64>>,
    pub(crate) pushed: Option<Spanned<i64>>,
    pub(crate) slipping: Option<Spanned<i64>>,
    pub(crate) no_close_date: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGate {
    pub(crate) fail_on: Option<Spanned<String>>,
    pub(crate) min_completeness: Option<Spanned<f64>>,
    pub(crate) max_high_risk: Option<Spanned<i64>>,
    pub(crate) allow_empty: Option<Spanned<bool>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChanges {
    pub(crate) amount_cut_pct: Option<Spanned<f64>>,
    pub(crate) serial_pushes: Option<Spanned<i64>>,
    pub(crate) push_alarm_days: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawForecast {
    pub(crate) fiscal_year_start_month: Option<Spanned<i64>>,
    pub(crate) win_rate_days: Option<Spanned<i64>>,
    /// Normalised class (`commit`, `best_case`, …) → the spellings that mean it.
    pub(crate) categories: Option<Spanned<std::collections::BTreeMap<String, Vec<String>>>>,
}

/// The whole document after phase one. Maps keep their key spans.
#[derive(Default, Debug, Clone)]
pub(crate) struct RawRules {
    pub(crate) input: RawInput,
    pub(crate) columns: Vec<(Spanned<String>, Vec<Spanned<String>>)>,
    pub(crate) fields: Vec<(Spanned<String>, RawField)>,
    /// `None` when the document has no `[[stages]]` (a preset's stages then apply).
    pub(crate) stages: Option<Vec<RawStage>>,
    pub(crate) rules: Vec<RawRule>,
    pub(crate) risk: RawRisk,
    pub(crate) gate: RawGate,
    pub(crate) checks: Vec<(Spanned<String>, Spanned<String>)>,
    pub(crate) changes: RawChanges,
    pub(crate) forecast: RawForecast,
    pub(crate) team: RawTeam,
    pub(crate) notify: RawNotify,
    pub(crate) playbooks: Vec<RawPlaybook>,
}

/// `[team]`: who owns whom, and how to reach them.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTeam {
    /// A CSV of owners, relative to the rules file.
    pub(crate) file: Option<Spanned<String>>,
}

/// `[notify.*]`: where messages go. Secrets only as `${ENV_VAR}` references.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNotify {
    pub(crate) slack: Option<RawSlack>,
    pub(crate) teams: Option<RawTeams>,
    pub(crate) email: Option<RawEmail>,
    pub(crate) webhook: Option<RawWebhook>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSlack {
    pub(crate) webhook: Option<Spanned<String>>,
    pub(crate) token: Option<Spanned<String>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTeams {
    pub(crate) webhook: Option<Spanned<String>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEmail {
    pub(crate) smtp: Option<Spanned<String>>,
    pub(crate) from: Option<Spanned<String>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWebhook {
    pub(crate) url: Option<Spanned<String>>,
    pub(crate) secret: Option<Spanned<String>>,
}

/// `[[playbooks]]`: an exception and the response to it.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPlaybook {
    pub(crate) id: Spanned<String>,
    pub(crate) when: Spanned<RawWhen>,
    pub(crate) to: Spanned<String>,
    #[serde(default)]
    pub(crate) via: Vec<Spanned<String>>,
    pub(crate) escalate: Option<Spanned<RawEscalate>>,
    pub(crate) repeat: Option<Spanned<String>>,
    pub(crate) task: Option<Spanned<RawTask>>,
}

/// A playbook's condition: every key given must hold (and every entry of `and`).
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWhen {
    pub(crate) code: Option<Spanned<String>>,
    pub(crate) signal: Option<Spanned<String>>,
    /// With `signal`: how far past its threshold, in the signal's unit (days, points, …).
    pub(crate) beyond: Option<Spanned<f64>>,
    pub(crate) band: Option<Spanned<String>>,
    pub(crate) change: Option<Spanned<String>>,
    pub(crate) streak: Option<Spanned<i64>>,
    pub(crate) coverage_below: Option<Spanned<f64>>,
    /// With `coverage_below`: `"owner"` (the default) or `"team"`.
    pub(crate) per: Option<Spanned<String>>,
    #[serde(rename = "and", default)]
    pub(crate) all: Vec<Spanned<RawWhen>>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEscalate {
    pub(crate) after_weeks: Spanned<i64>,
    pub(crate) to: Spanned<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTask {
    pub(crate) subject: Spanned<String>,
    pub(crate) due_in_days: Option<Spanned<i64>>,
}

/// The top-level tables of a rules file.
pub(crate) const SECTIONS: [&str; 13] = [
    "input",
    "columns",
    "fields",
    "stages",
    "rules",
    "risk",
    "gate",
    "checks",
    "changes",
    "forecast",
    "team",
    "notify",
    "playbooks",
];

/// The keys a `Deserialize` struct accepts, read from serde's own field list so that the
/// "unknown key" check can never drift from the structs above.
pub(crate) fn struct_keys<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    struct Probe(&'static [&'static str]);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("probe")
        }
    }
    impl std::error::Error for Stop {}
    impl serde::de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    struct Capture<'a>(&'a mut Probe);
    impl<'de> serde::Deserializer<'de> for Capture<'_> {
        type Error = Stop;
        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Stop> {
            self.0.0 = fields;
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let mut probe = Probe(&[]);
    let _ = T::deserialize(Capture(&mut probe));
    probe.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struct_keys_reads_serde_field_names() {
        assert_eq!(
            struct_keys::<RawGate>(),
            &[
                "fail_on",
                "min_completeness",
                "max_high_risk",
                "allow_empty"
            ]
        );
        assert!(struct_keys::<RawField>().contains(&"type"));
        assert!(struct_keys::<RawCondition>().contains(&"in"));
        // `when` and `then` are skipped by serde but still valid keys of a rule.
        assert!(!struct_keys::<RawRule>().contains(&"when"));
        assert!(!struct_keys::<RawRule>().contains(&"then"));
    }
}
