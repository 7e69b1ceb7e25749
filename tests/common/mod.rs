//! Shared helpers for the integration tests.
#![allow(dead_code)]

use assert_cmd::Command;
use chrono::NaiveDate;
use pipelint::{AuditRequest, AuditRun, GateSettings, Report};

pub const AS_OF: &str = "2026-11-20";

pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date")
}

/// The binary, with colour left to its defaults.
pub fn pipelint() -> Command {
    let mut cmd = Command::cargo_bin("pipelint").expect("binary");
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Status, stdout and stderr of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("run pipelint");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The run could not go on: exit 2, nothing on stdout, `needle` in the error, no panic.
pub fn assert_exit_2(r: &Run, needle: &str) {
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    assert!(
        r.stderr.contains(needle),
        "expected {needle:?} in:\n{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

/// Write `bytes` to `name` in `dir`; returns the path as a string.
pub fn temp_file(dir: &tempfile::TempDir, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    path.to_str().expect("utf-8 path").to_string()
}

/// Audit files with a rules file (or the auto preset), as of 2026-11-20.
pub fn audit(files: &[&str], rules: Option<&str>) -> AuditRun {
    try_audit(files, rules).unwrap_or_else(|e| panic!("audit failed: {e:#}"))
}

pub fn try_audit(files: &[&str], rules: Option<&str>) -> anyhow::Result<AuditRun> {
    AuditRequest {
        files: files.iter().map(|f| f.to_string()).collect(),
        rules: rules.map(Into::into),
        as_of: Some(as_of()),
        threads: 2,
        ..AuditRequest::default()
    }
    .run()
}

/// Audit files (with the preset they fit) against a previous snapshot audited a week
/// earlier, as of 2026-11-20.
pub fn audit_against(files: &[&str], previous: &str) -> AuditRun {
    AuditRequest {
        files: files.iter().map(|f| f.to_string()).collect(),
        as_of: Some(as_of()),
        threads: 2,
        previous: Some(previous.to_string()),
        ..AuditRequest::default()
    }
    .run()
    .unwrap_or_else(|e| panic!("audit failed: {e:#}"))
}

/// [`audit_against`] with a rules file.
#[allow(dead_code)]
pub fn audit_against_with(files: &[&str], previous: &str, rules: &str) -> AuditRun {
    AuditRequest {
        files: files.iter().map(|f| f.to_string()).collect(),
        rules: Some(rules.into()),
        as_of: Some(as_of()),
        threads: 2,
        previous: Some(previous.to_string()),
        ..AuditRequest::default()
    }
    .run()
    .unwrap_or_else(|e| panic!("audit failed: {e:#}"))
}

/// The report view with the default gate.
pub fn report(audit: &AuditRun) -> Report<'_> {
    audit.report(&GateSettings::default())
}

/// Findings as (code, line, field) — what every check test asserts.
pub fn findings(audit: &AuditRun) -> Vec<(String, u64, Option<String>)> {
    report(audit)
        .findings()
        .map(|f| {
            (
                f.code.as_str().to_string(),
                f.line,
                f.field.map(str::to_string),
            )
        })
        .collect()
}

/// A finding with everything it says, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    pub code: String,
    pub file: String,
    pub line: u64,
    pub record_id: Option<String>,
    pub field: Option<String>,
    pub column: Option<String>,
    pub message: String,
}

/// Every finding, in order, with its file, record id, column and message.
pub fn said(audit: &AuditRun) -> Vec<Said> {
    report(audit)
        .findings()
        .map(|f| Said {
            code: f.code.as_str().to_string(),
            file: f.file.to_string(),
            line: f.line,
            record_id: f.record_id.map(str::to_string),
            field: f.field.map(str::to_string),
            column: f.column.map(str::to_string),
            message: f.message.into_owned(),
        })
        .collect()
}

/// The messages of every finding of `code` (all findings when `code` is empty).
pub fn messages(audit: &AuditRun, code: &str) -> Vec<String> {
    said(audit)
        .into_iter()
        .filter(|f| code.is_empty() || f.code == code)
        .map(|f| f.message)
        .collect()
}

pub fn finding(code: &str, line: u64, field: Option<&str>) -> (String, u64, Option<String>) {
    (code.to_string(), line, field.map(str::to_string))
}

/// A Salesforce-report-shaped export of `rows` deals with a few percent of defects
/// (missing next steps, bad dates and amounts, unknown stages, repeated ids, ragged rows,
/// quoted commas and newlines). Deterministic.
pub fn salesforce_export(rows: usize) -> String {
    const STAGES: [&str; 11] = [
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Value Proposition",
        "Id. Decision Makers",
        "Perception Analysis",
        "Proposal/Price Quote",
        "Negotiation/Review",
        "Closed Won",
        "Closed Lost",
        "Negotiation",
    ];
    const OWNERS: [&str; 5] = [
        "Dana Whitfield",
        "Marcus Oyelaran",
        "Priya Raman",
        "Tomás Ibáñez",
        "",
    ];
    let mut out = String::from(
        "\"Opportunity ID\",\"Opportunity Name\",\"Account Name\",\"Opportunity Owner\",\"Stage\",\
         \"Amount\",\"Probability (%)\",\"Close Date\",\"Next Step\"\n",
    );
    for i in 0..rows {
        let id = if i % 97 == 96 {
            format!("006{:012}", i - 1)
        } else {
            format!("006{i:012}")
        };
        let stage = STAGES[(i * 7) % STAGES.len()];
        let owner = OWNERS[(i * 3) % if i % 41 == 0 { 5 } else { 4 }];
        let amount = match i % 53 {
            0 => String::new(),
            1 => "12k".to_string(),
            _ => format!("\"{},{:03}.{:02}\"", 10 + i % 400, i % 1000, i % 100),
        };
        let close = if i % 61 == 0 {
            "31/12/2026".to_string()
        } else {
            format!("{}/{}/2027", 1 + i % 12, 1 + i % 28)
        };
        let next = match i % 9 {
            0 => String::new(),
            1 => "\"Call back, then send quote\"".to_string(),
            2 => "\"Exec briefing\nwith CFO\"".to_string(),
            3 => "TBD".to_string(),
            _ => "Demo".to_string(),
        };
        if i % 499 == 498 {
            out.push_str(&format!("{id},Ragged row,Acme,{owner},{stage}\n"));
            continue;
        }
        out.push_str(&format!(
            "{id},\"Deal {i}, phase {}\",Account {},{owner},{stage},{amount},{},{close},{next}\n",
            i % 5,
            i % 300,
            (i * 13) % 101,
        ));
    }
    out
}

/// Whether a test that cannot run its subject must fail rather than skip: in CI (`CI` set),
/// or when `require` (a `PIPELINT_REQUIRE_*` variable) is set.
pub fn must_run(require: &str) -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os(require).is_some()
}

/// A test cannot run its subject (`why`): it fails where it must run ([`must_run`]), and
/// says loudly that it skipped elsewhere.
pub fn cannot_run(require: &str, why: &str) {
    assert!(
        !must_run(require),
        "{why} (CI or {require} is set, so this fails instead of skipping)"
    );
    eprintln!("SKIPPED: {why}; set {require} to make this a failure");
}
