//! Checks: what is wrong with a record, as findings with stable codes.
//!
//! One file per check family (`input`, `required`, `values`, `duplicates`); `codes` is the
//! registry; [`Policy`] applies `[checks]`, `--select` and `--ignore` in one place.

pub mod codes;
pub mod duplicates;
pub mod hygiene;
pub mod input;
pub mod required;
pub mod values;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub use codes::Code;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Severity, String> {
        match s {
            "error" => Ok(Severity::Error),
            "warning" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            other => Err(format!(
                "unknown severity `{other}`{}",
                crate::suggest::hint_then(
                    other,
                    ["error", "warning", "info"],
                    "use error, warning or info"
                )
            )),
        }
    }
}

/// One thing wrong with one record (or with the file), located by file index and line.
///
/// The record's id, name and owner are looked up from its deal at render time; `deal` is the
/// index of the record in the report's deal list when the record is a deal.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub file: u32,
    pub line: u64,
    pub deal: Option<u32>,
    /// Only for records that are not deals (malformed rows): the id as read.
    pub record_id: Option<String>,
    /// Index into the report's field table, if the finding is about a field.
    pub field: Option<u32>,
    /// The header cell as it appears in the file (0-based column index).
    pub column: Option<u32>,
    pub message: String,
}

/// What `[checks]`, `--select` and `--ignore` make of each code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckSetting {
    Off,
    Severity(Severity),
}

impl FromStr for CheckSetting {
    type Err = String;
    fn from_str(s: &str) -> Result<CheckSetting, String> {
        if s == "off" {
            return Ok(CheckSetting::Off);
        }
        s.parse::<Severity>()
            .map(CheckSetting::Severity)
            .map_err(|_| {
                format!(
                    "unknown setting `{s}`{}",
                    crate::suggest::hint_then(
                        s,
                        ["error", "warning", "info", "off"],
                        "use \"error\", \"warning\", \"info\" or \"off\""
                    )
                )
            })
    }
}

/// Severity policy, resolved once before the audit: each code is on (with an optional fixed
/// severity) or off. Checks ask `severity(code, default)` as they emit.
#[derive(Clone, Debug)]
pub struct Policy {
    settings: Vec<Option<Option<Severity>>>,
}

impl Policy {
    /// `select`: only these codes or prefixes (`REQ`, `VAL00`) are on, if non-empty.
    /// `ignore`: these codes or prefixes are off. `checks`: per-code settings from the rules.
    pub fn new(checks: &[(Code, CheckSetting)], select: &[String], ignore: &[String]) -> Policy {
        let matches = |code: Code, patterns: &[String]| {
            patterns
                .iter()
                .any(|p| code.as_str().starts_with(&p.trim().to_ascii_uppercase()))
        };
        let settings = Code::ALL
            .iter()
            .map(|&code| {
                let selected = select.is_empty() || matches(code, select);
                let ignored = matches(code, ignore);
                let configured = checks
                    .iter()
                    .rev()
                    .find(|(c, _)| *c == code)
                    .map(|(_, s)| s);
                if code.can_disable()
                    && (!selected || ignored || configured == Some(&CheckSetting::Off))
                {
                    None
                } else {
                    match configured {
                        Some(CheckSetting::Severity(s)) => Some(Some(*s)),
                        _ => Some(None),
                    }
                }
            })
            .collect();
        Policy { settings }
    }

    pub fn all_on() -> Policy {
        Policy::new(&[], &[], &[])
    }

    fn slot(&self, code: Code) -> Option<Option<Severity>> {
        // `Code::ALL` lists the variants in declaration order.
        self.settings.get(code as usize).copied().flatten()
    }

    pub fn enabled(&self, code: Code) -> bool {
        self.slot(code).is_some()
    }

    /// The severity a finding of `code` is emitted with, or `None` when the code is off.
    /// `specific` is the severity the rules give this finding (a field's or a rule's own);
    /// a `[checks]` setting overrides it.
    pub fn severity(&self, code: Code, specific: Option<Severity>) -> Option<Severity> {
        match self.slot(code)? {
            Some(fixed) => Some(fixed),
            None => Some(specific.unwrap_or(code.default_severity())),
        }
    }

    /// Validate `--select`/`--ignore` patterns: each must be a code or a prefix of one.
    pub fn check_patterns(patterns: &[String]) -> Result<(), String> {
        for p in patterns {
            let upper = p.trim().to_ascii_uppercase();
            if upper.is_empty() || !Code::ALL.iter().any(|c| c.as_str().starts_with(&upper)) {
                return Err(format!(
                    "`{p}` is not a check code or a prefix of one{}",
                    crate::suggest::hint_then(
                        &upper,
                        Code::names(),
                        "`pipelint rules list` shows them all"
                    )
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_applies_select_ignore_and_overrides() {
        let checks = vec![
            (Code::Val003, CheckSetting::Severity(Severity::Info)),
            (Code::Dup001, CheckSetting::Off),
        ];
        let policy = Policy::new(&checks, &[], &["REQ00".to_string()]);
        assert_eq!(policy.severity(Code::Req001, None), None);
        assert_eq!(
            policy.severity(Code::Val003, Some(Severity::Warning)),
            Some(Severity::Info)
        );
        assert_eq!(
            policy.severity(Code::Val001, Some(Severity::Warning)),
            Some(Severity::Warning)
        );
        assert_eq!(policy.severity(Code::Dup001, None), None);
        assert!(policy.enabled(Code::In001));

        let only_val = Policy::new(&[], &["val".to_string()], &[]);
        assert!(only_val.enabled(Code::Val006));
        assert!(!only_val.enabled(Code::Req002));
        assert!(
            only_val.enabled(Code::In001),
            "IN001 cannot be switched off"
        );
    }

    #[test]
    fn patterns_are_validated() {
        assert!(Policy::check_patterns(&["REQ".into(), "VAL001".into()]).is_ok());
        assert!(Policy::check_patterns(&["XYZ".into()]).is_err());
    }
}
