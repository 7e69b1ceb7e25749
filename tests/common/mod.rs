//! Shared helpers for the integration tests.
#![allow(dead_code)]

use chrono::NaiveDate;
use pipelint::app::{AuditRequest, load_and_audit};
use pipelint::engine::Audit;

pub const AS_OF: &str = "2026-11-20";

pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date")
}

/// Audit files with a rules file (or the auto preset), as of 2026-11-20.
pub fn audit(files: &[&str], rules: Option<&str>) -> Audit {
    try_audit(files, rules).unwrap_or_else(|e| panic!("audit failed: {e:#}"))
}

pub fn try_audit(files: &[&str], rules: Option<&str>) -> anyhow::Result<Audit> {
    load_and_audit(&AuditRequest {
        files: files.iter().map(|f| f.to_string()).collect(),
        rules: rules.map(Into::into),
        as_of: Some(as_of()),
        threads: 2,
        ..AuditRequest::default()
    })
}

/// Findings as (code, line, field) — what every check test asserts.
pub fn findings(audit: &Audit) -> Vec<(String, u64, Option<String>)> {
    audit
        .findings
        .iter()
        .map(|f| {
            (
                f.code.as_str().to_string(),
                f.line,
                audit.finding_field(f).map(str::to_string),
            )
        })
        .collect()
}

pub fn finding(code: &str, line: u64, field: Option<&str>) -> (String, u64, Option<String>) {
    (code.to_string(), line, field.map(str::to_string))
}
