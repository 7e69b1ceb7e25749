//! `pipelint rules check RULES` and `pipelint rules list`.

use std::path::Path;

use anyhow::Result;

use super::{EXIT_PASS, stdout};
use crate::diag::Code;
use crate::rules::{self, PresetRef, UserRules, presets};
use crate::words::plural;

/// Validate a rules file: every problem at once, exit 2; or what it holds, exit 0.
pub(crate) fn check(path: &Path) -> Result<u8> {
    let text = rules::read_rules_text(path)?;
    let user = UserRules::parse(text);
    let preset = match user.preset() {
        Some(PresetRef::Named(name)) => presets::find(name),
        _ => None,
    };
    let rules = rules::build(Some(&user), preset, None)?;
    let base = match rules.preset {
        Some(p) => format!(" on preset:{p}"),
        None => String::new(),
    };
    let (fields, stages, conditional) = (rules.fields.len(), rules.stages.len(), rules.rules.len());
    stdout(|out| {
        writeln!(
            out,
            "{}: valid{base} ({fields} field rule{}, {stages} stage{}, {conditional} conditional rule{})",
            path.display(),
            plural(fields),
            plural(stages),
            plural(conditional)
        )?;
        if user.preset() == Some(PresetRef::Auto) {
            writeln!(
                out,
                "note: preset = \"auto\" is chosen per export; stage names in conditions are checked then"
            )?;
        }
        Ok(())
    })?;
    Ok(EXIT_PASS)
}

/// Every check code with its default severity and summary.
pub(crate) fn list() -> Result<u8> {
    stdout(|out| {
        writeln!(out, "{:<7} {:<8} CHECK", "CODE", "SEVERITY")?;
        for code in Code::ALL {
            writeln!(
                out,
                "{:<7} {:<8} {}",
                code.as_str(),
                code.default_severity().as_str(),
                code.summary()
            )?;
        }
        Ok(())
    })?;
    Ok(EXIT_PASS)
}
