//! Phase two: raw documents → one checked [`RuleSet`], one validator per section.
//!
//! Each document (a preset, the user's file) is first checked on its own into a [`Layer`]
//! whose every setting is optional; layers are merged (the user's file over its preset); the
//! merged layer is then finished with defaults and cross-references (stage names in
//! conditions, bounds against field types). Every problem is collected; none stops the walk.
//! The rule set is complete when [`finish`] returns it: nothing is set on it afterwards.

mod changes;
mod checks;
mod columns;
mod conditions;
mod fields;
mod forecast;
mod gate;
pub(super) mod input;
mod playbooks;
mod risk;
mod stages;

use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::problem::{DocId, Problems, RulesError, RulesText};
use super::raw::RawRules;
use super::{ColumnRule, Detection, FieldRef, Origin, RuleSet, StageRule};
use crate::diag::{CheckSetting, Code, Severity};
use crate::field::{Canonical, FieldName, FieldType};
use crate::values::eq_fold;
pub(crate) use input::beside;
pub(crate) use stages::forecast_label;

/// `[input] preset` as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PresetRef {
    Auto,
    Named(&'static str),
}

/// One document's settings, section by section, all optional, before merging.
#[derive(Clone, Debug, Default)]
pub(crate) struct Layer {
    input: input::InputLayer,
    columns: Vec<ColumnRule>,
    fields: Vec<fields::FieldLayer>,
    stages: Option<Vec<StageRule>>,
    rules: Vec<conditions::RuleLayer>,
    risk: risk::RiskLayer,
    gate: gate::GateLayer,
    checks: Vec<(Code, CheckSetting)>,
    changes: changes::ChangesLayer,
    forecast: forecast::ForecastLayer,
    act: crate::rules::playbooks::ActRules,
}

/// Where problems of the document being checked go, and what its settings share.
pub(super) struct Checker<'p> {
    doc: DocId,
    /// The directory of the user's rules file, which the files it names are relative to;
    /// `None` for a preset, which names none.
    dir: Option<&'p Path>,
    problems: &'p mut Problems,
}

impl Checker<'_> {
    fn at(&self, span: Range<usize>) -> Origin {
        Origin {
            doc: self.doc,
            span,
        }
    }

    fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
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

/// Check one raw document into a layer, section by section; `dir` is the directory the
/// files it names are relative to.
pub(crate) fn layer(
    raw: &RawRules,
    doc: DocId,
    dir: Option<&Path>,
    problems: &mut Problems,
) -> Layer {
    let mut c = Checker { doc, dir, problems };
    Layer {
        input: input::check(&mut c, &raw.input),
        columns: columns::check(&mut c, &raw.columns),
        fields: raw
            .fields
            .iter()
            .filter_map(|(key, f)| fields::check(&mut c, key, f))
            .collect(),
        stages: raw.stages.as_ref().map(|s| stages::check(&mut c, s)),
        rules: conditions::check(&mut c, &raw.rules),
        risk: risk::check(&mut c, &raw.risk),
        gate: gate::check(&mut c, &raw.gate),
        checks: checks::check(&mut c, &raw.checks),
        changes: changes::check(&mut c, &raw.changes),
        forecast: forecast::check(&mut c, &raw.forecast),
        act: playbooks::check(&mut c, &raw.team, &raw.notify, &raw.playbooks),
    }
}

impl Layer {
    /// Whether this document sets `[input] date_formats` itself.
    pub(crate) fn sets_date_formats(&self) -> bool {
        self.input.date_formats.is_some()
    }

    /// Whether this document sets `[input] decimal` itself.
    pub(crate) fn sets_decimal(&self) -> bool {
        self.input.decimal.is_some()
    }
}

/// Merge `over` (the user's file) onto `base` (its preset), section by section.
pub(crate) fn merge(base: Layer, over: Layer) -> Layer {
    let mut fields = base.fields;
    for f in over.fields {
        match fields.iter_mut().find(|b| b.name == f.name) {
            Some(b) => fields::merge_into(b, f),
            None => fields.push(f),
        }
    }
    let mut rules = base.rules;
    rules.extend(over.rules);
    let mut checks = base.checks;
    checks.extend(over.checks);
    Layer {
        input: input::merge(base.input, over.input),
        columns: columns::merge(base.columns, over.columns),
        fields,
        stages: stages::merge(base.stages, over.stages),
        rules,
        risk: risk::merge(base.risk, over.risk),
        gate: gate::merge(base.gate, over.gate),
        checks,
        changes: changes::merge(base.changes, over.changes),
        forecast: forecast::merge(base.forecast, over.forecast),
        act: playbooks::merge(base.act, over.act),
    }
}

/// What a finished rule set is called, where it came from, and what the user's own
/// document settles itself.
pub(crate) struct Provenance {
    pub(crate) source: String,
    pub(crate) preset: Option<&'static str>,
    pub(crate) detection: Option<Detection>,
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
    let fields: Vec<_> = layer
        .fields
        .into_iter()
        .filter_map(|f| fields::finish(f, &mut problems))
        .collect();
    let kind_of = |name: &FieldName| -> Option<FieldType> {
        fields
            .iter()
            .find(|f| &f.name == name)
            .map(|f| f.kind)
            .or(match name {
                FieldName::Canonical(c) => Some(c.default_type()),
                FieldName::Header(_) => None,
            })
    };
    let rules = conditions::finish(layer.rules, kind_of, &stages, &mut problems);
    let risk = risk::finish(layer.risk, &mut problems);
    let given = (provenance.dates_given, provenance.decimal_given);
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
        input: input::finish(layer.input, given),
        columns: layer.columns,
        fields,
        stages,
        rules,
        risk,
        gate: gate::finish(layer.gate),
        checks: layer.checks,
        changes: changes::finish(layer.changes),
        forecast: forecast::finish(layer.forecast),
        act: layer.act,
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
    let mut merged: Vec<fields::FieldLayer> = Vec::new();
    for mut f in std::mem::take(&mut layer.fields) {
        f.name = canon(&f.name);
        match merged.iter_mut().find(|b| b.name == f.name) {
            Some(b) => fields::merge_into(b, f),
            None => merged.push(f),
        }
    }
    layer.fields = merged;
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
        for (field, _) in rule.when.iter_mut().chain(&mut rule.then) {
            field.name = canon(&field.name);
        }
    }
    layer
}

#[cfg(test)]
pub(super) mod tests {
    use crate::rules::{RulesText, UserRules, build};

    /// Every problem of a rules file named `r.toml`, located (`r.toml:3:9: …`), in order.
    pub(crate) fn problems(text: &str) -> Vec<String> {
        let user = UserRules::parse(RulesText {
            name: "r.toml".into(),
            text: text.into(),
        });
        match build(Some(&user), None, None) {
            Ok(_) => Vec::new(),
            Err(e) => e.located(),
        }
    }

    #[test]
    fn all_problems_of_all_sections_come_at_once() {
        let p = problems(
            "[input]\ndecimal = \";\"\n[fields]\nx = { weight = -1 }\n[risk]\nhigh = 200\n[gate]\nfail_on = \"x\"\n",
        );
        assert_eq!(p.len(), 4, "{p:?}");
    }

    #[test]
    fn a_user_file_repeating_its_preset_keeps_the_preset_optional() {
        use crate::rules::presets;
        // What `init --preset salesforce` prints, read back: every column and requirement
        // that only repeats the preset's stays the preset's (optional).
        let preset = presets::find("salesforce").expect("preset");
        let text =
            format!("{}\n", preset.text).replace("[input]\n", "[input]\npreset = \"salesforce\"\n");
        let user = UserRules::parse(RulesText {
            name: "copy.toml".into(),
            text,
        });
        let rules = build(Some(&user), Some(preset), None).expect("valid");
        assert!(rules.columns.iter().all(|c| !rules.is_user(&c.at)));
        assert!(rules.fields.iter().all(|f| !rules.is_user(&f.at)));
        assert!(
            rules
                .stages
                .iter()
                .flat_map(|s| &s.requires)
                .all(|r| !rules.is_user(&r.at))
        );
        // An edit takes effect, and is the user's own.
        let edited = user.text.text.replace(
            "next_step = [\"Next Step\", \"NextStep\"]",
            "next_step = \"Next Action\"",
        );
        let user = UserRules::parse(RulesText {
            name: "copy.toml".into(),
            text: edited,
        });
        let rules = build(Some(&user), Some(preset), None).expect("valid");
        let next = rules
            .columns
            .iter()
            .find(|c| c.field == crate::field::Canonical::NextStep)
            .expect("next_step");
        assert_eq!(next.headers, vec!["Next Action".to_string()]);
        assert!(rules.is_user(&next.at));
    }
}
