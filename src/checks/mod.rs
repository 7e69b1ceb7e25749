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

/// What a finding is about: a deal, or a row that is not one (a malformed row, a header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// Index into the audit's deals.
    Deal(u32),
    /// Index into the audit's other rows ([`RowRef`]).
    Row(u32),
}

/// A finding's message: stored text, or words rebuilt from the deal's facts when the finding
/// is shown (hygiene findings, empty required fields), which keeps the millions of findings
/// a messy pipeline produces free of per-finding text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message {
    /// Index into the audit's stored messages.
    Stored(u32),
    /// Rebuilt from the deal; the payload says what the code needs (see `required::Because`).
    Derived(u32),
}

/// One thing wrong with one record (or with the file): 24 bytes. Its file, line, record id
/// and column come from its subject; its message from [`Message`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finding {
    pub subject: Subject,
    pub message: Message,
    /// The field (index into the field table), or [`NO_FIELD`].
    pub field: u16,
    pub code: Code,
    pub severity: Severity,
}

/// `Finding::field` when the finding is about no field of the field table.
pub const NO_FIELD: u16 = u16::MAX;

impl Finding {
    pub fn field(&self) -> Option<usize> {
        (self.field != NO_FIELD).then_some(usize::from(self.field))
    }
}

/// A record a finding is about that is not a deal: where it is, the id as read, and the
/// column the finding concerns (a duplicated header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowRef {
    pub file: u32,
    pub line: u64,
    pub record_id: Option<Box<str>>,
    pub column: Option<u32>,
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
