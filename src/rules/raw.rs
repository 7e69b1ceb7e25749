//! Phase one of reading rules: the file's shape, as serde sees it.
//!
//! Every struct rejects unknown keys; values whose meaning is checked later (stage names,
//! field references, formats) keep their spans so that phase two can point at them.

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawInput {
    pub preset: Option<Spanned<String>>,
    pub date_formats: Option<Vec<Spanned<String>>>,
    pub decimal: Option<Spanned<String>>,
    pub empty_values: Option<Vec<String>>,
    pub delimiter: Option<Spanned<String>>,
    pub currency: Option<Spanned<String>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    #[serde(rename = "type")]
    pub kind: Option<Spanned<String>>,
    pub required: Option<bool>,
    pub values: Option<Vec<String>>,
    pub pattern: Option<Spanned<String>>,
    pub min: Option<Spanned<toml::Value>>,
    pub max: Option<Spanned<toml::Value>>,
    pub weight: Option<Spanned<f64>>,
    pub severity: Option<Spanned<String>>,
    /// Percent fields only: a bare number is a fraction (HubSpot writes 0.4 for 40%).
    pub fraction: Option<bool>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    pub name: Spanned<String>,
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    pub probability: Option<Spanned<f64>>,
    pub forecast: Option<Vec<Spanned<String>>>,
    pub max_days: Option<Spanned<i64>>,
    pub stale_days: Option<Spanned<i64>>,
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    pub outcome: Option<Spanned<String>>,
    /// Severity of this stage's exit-criteria findings (REQ002); default error.
    pub severity: Option<Spanned<String>>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: Spanned<String>,
    /// A condition table, or an array of them that must all hold; walked separately so that
    /// its keys are checked with their spans.
    #[serde(skip)]
    pub when: Vec<Spanned<RawCondition>>,
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    pub severity: Option<Spanned<String>>,
    pub message: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub field: Spanned<String>,
    pub eq: Option<Spanned<toml::Value>>,
    #[serde(rename = "in")]
    pub in_: Option<Spanned<Vec<toml::Value>>>,
    pub not_in: Option<Spanned<Vec<toml::Value>>>,
    pub gt: Option<Spanned<toml::Value>>,
    pub gte: Option<Spanned<toml::Value>>,
    pub lt: Option<Spanned<toml::Value>>,
    pub lte: Option<Spanned<toml::Value>>,
    pub empty: Option<Spanned<bool>>,
    pub not_empty: Option<Spanned<bool>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawRisk {
    pub stale_days: Option<Spanned<i64>>,
    pub probability_tolerance: Option<Spanned<f64>>,
    pub horizon_days: Option<Spanned<i64>>,
    pub weights: Option<RawWeights>,
    pub high: Option<Spanned<i64>>,
    pub medium: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawWeights {
    pub overdue: Option<Spanned<i64>>,
    pub stale: Option<Spanned<i64>>,
    pub stage_aged: Option<Spanned<i64>>,
    pub exit_criteria: Option<Spanned<i64>>,
    pub forecast_mismatch: Option<Spanned<i64>>,
    pub no_next_step: Option<Spanned<i64>>,
    pub pushed: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawGate {
    pub fail_on: Option<Spanned<String>>,
    pub min_completeness: Option<Spanned<f64>>,
    pub max_high_risk: Option<Spanned<i64>>,
}

/// The whole document after phase one. Maps keep their key spans.
#[derive(Default, Debug, Clone)]
pub struct RawRules {
    pub input: RawInput,
    pub columns: Vec<(Spanned<String>, Vec<Spanned<String>>)>,
    pub fields: Vec<(Spanned<String>, RawField)>,
    /// `None` when the document has no `[[stages]]` (a preset's stages then apply).
    pub stages: Option<Vec<RawStage>>,
    pub rules: Vec<RawRule>,
    pub risk: RawRisk,
    pub gate: RawGate,
    pub checks: Vec<(Spanned<String>, Spanned<String>)>,
}

/// The top-level tables of a rules file.
pub const SECTIONS: [&str; 8] = [
    "input", "columns", "fields", "stages", "rules", "risk", "gate", "checks",
];

/// The keys a `Deserialize` struct accepts, read from serde's own field list so that the
/// "unknown key" check can never drift from the structs above.
pub fn struct_keys<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
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
            &["fail_on", "min_completeness", "max_high_risk"]
        );
        assert!(struct_keys::<RawField>().contains(&"type"));
        assert!(struct_keys::<RawCondition>().contains(&"in"));
        // `when` is skipped by serde but still a valid key of a rule.
        assert!(!struct_keys::<RawRule>().contains(&"when"));
    }
}
