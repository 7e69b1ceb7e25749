//! `-f sarif`: SARIF 2.1.0 through serde-sarif's typed structures, for code-scanning
//! dashboards (GitHub code scanning, Azure DevOps, GitLab). One rule per check code that
//! ran, with its summary and its explanation as help text; one result per finding, the
//! at most 25,000, picked most severe first (then a note says how many were left out), and a
//! note per check that could not run; each result with
//! its level, message, the file as a relative URI and the line. `partialFingerprints` are
//! made from the record id, code and field, so that a dashboard tracks the same problem on
//! the same deal from one weekly export to the next.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Run, Tool, ToolComponent,
};

use crate::diag::{Code, Severity};
use crate::report::view::Report;
use crate::report::view::rows::FindingRow;
use crate::report::{EmitOptions, Emitter};

/// Results per run: enough for any real export's problems, small enough for a dashboard.
pub(crate) const MAX_RESULTS: usize = 25_000;

pub(crate) struct SarifEmitter;

impl Emitter for SarifEmitter {
    fn emit(&self, report: &Report<'_>, o: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        let log = build(report);
        if o.terminal {
            serde_json::to_writer_pretty(&mut *out, &log)?;
        } else {
            serde_json::to_writer(&mut *out, &log)?;
        }
        out.write_all(b"\n")
    }
}

fn build<'r>(report: &'r Report<'r>) -> Log<'r> {
    let codes = report.checks_run();
    let rules: Vec<ReportingDescriptor> = codes.iter().map(|&c| rule(report, c)).collect();
    let index: BTreeMap<Code, i64> = codes
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, i as i64))
        .collect();
    // The most severe are kept, in report order: picked by severity,
    // worded only when written.
    let total = report.finding_count();
    let picked = report.most_severe(MAX_RESULTS);
    let results = Results {
        report,
        picked,
        index,
    };
    let driver = ToolComponent::builder()
        .name("pipelint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let mut run = Run::builder()
        .tool(Tool::from(driver))
        .column_kind(serde_json::Value::from("unicodeCodePoints"))
        .build();
    // Checks that could not run, said as notifications: never silently left out.
    let mut notes: Vec<Notification> = report
        .not_checked()
        .iter()
        .map(|n| {
            let codes: Vec<&str> = n.codes.iter().map(|c| c.as_str()).collect();
            Notification::builder()
                .message(Message::from(
                    format!("not checked: {}: {}", codes.join(", "), n.why).as_str(),
                ))
                .level(serde_json::Value::from("note"))
                .build()
        })
        .collect();
    if total > MAX_RESULTS {
        let note = Notification::builder()
            .message(Message::from(
                format!(
                    "{MAX_RESULTS} of {total} findings are shown (every error first, then warnings, then info); the full list is in pipelint's JSON report (-f json)"
                )
                .as_str(),
            ))
            .level(serde_json::Value::from("warning"))
            .build();
        notes.insert(0, note);
    }
    if !notes.is_empty() {
        run.invocations = Some(vec![
            Invocation::builder()
                .execution_successful(true)
                .tool_execution_notifications(notes)
                .build(),
        ]);
    }
    Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [RunOut { run, results }],
    }
}

/// The SARIF log as written: serde-sarif's typed run, with its results serialized one at
/// a time as they are worded (25,000 of serde-sarif's `Result`s held at once would take
/// about 100 MB).
#[derive(Serialize)]
struct Log<'r> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [RunOut<'r>; 1],
}

#[derive(Serialize)]
struct RunOut<'r> {
    #[serde(flatten)]
    run: Run,
    results: Results<'r>,
}

/// The findings a run reports, by index in report order, built when serialized.
struct Results<'r> {
    report: &'r Report<'r>,
    picked: Vec<usize>,
    index: BTreeMap<Code, i64>,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.picked
                .iter()
                .filter_map(|&i| self.report.finding(i))
                .map(|f| result(&f, self.index.get(&f.code).copied())),
        )
    }
}

fn rule(report: &Report<'_>, code: Code) -> ReportingDescriptor {
    let text = |s: &str| MultiformatMessageString::builder().text(s).build();
    ReportingDescriptor::builder()
        .id(code.as_str())
        .name(code.slug())
        .short_description(text(code.summary()))
        .full_description(text(code.summary()))
        .help(text(report.check_help(code)))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::Value::from(level_name(code.default_severity())))
                .build(),
        )
        .build()
}

fn result(f: &FindingRow<'_>, rule_index: Option<i64>) -> SarifResult {
    let text = match f.deal {
        Some(d) if !d.label.is_empty() => format!("{}: {}", d.label, f.message),
        _ => f.message.to_string(),
    };
    let (uri, base) = uri(f.file);
    let mut artifact = ArtifactLocation::builder().uri(uri.into_owned()).build();
    artifact.uri_base_id = base.map(str::to_string);
    let region = Region::builder().start_line(f.line.max(1) as i64).build();
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(region)
                .build(),
        )
        .build();
    let mut r = SarifResult::builder()
        .rule_id(f.code.as_str())
        .level(match f.severity {
            Severity::Error => ResultLevel::Error,
            Severity::Warning => ResultLevel::Warning,
            Severity::Info => ResultLevel::Note,
        })
        .message(Message::from(text.as_str()))
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([(
            "pipelint/v1".to_string(),
            fingerprint(f),
        )]))
        .build();
    r.rule_index = rule_index;
    r
}

fn level_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The same problem on the same deal, whatever line it moved to: the record id (else the
/// deal's name, else the line), the code and the field, hashed with FNV-1a (a fixed
/// algorithm, so fingerprints stay stable across pipelint versions).
pub(crate) fn fingerprint(f: &FindingRow<'_>) -> String {
    let line = f.line.to_string();
    let who = f
        .record_id
        .or(f.deal.map(|d| d.label).filter(|l| !l.is_empty()))
        .unwrap_or(&line);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [who, f.code.as_str(), f.field.unwrap_or("")] {
        for &b in part.as_bytes().iter().chain(&[0u8]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// A file as a SARIF URI: a relative path stays relative (to `%SRCROOT%`, the checkout),
/// an absolute one under the working directory is made relative, any other absolute one
/// becomes a `file://` URI. Characters a URI cannot hold are percent-encoded.
fn uri(path: &str) -> (Cow<'static, str>, Option<&'static str>) {
    let p = std::path::Path::new(path);
    if p.is_relative() {
        return (
            Cow::Owned(encode(path.trim_start_matches("./"))),
            Some("%SRCROOT%"),
        );
    }
    if let Some(rel) = std::env::current_dir().ok().and_then(|cwd| {
        p.strip_prefix(cwd)
            .ok()
            .map(|r| r.to_string_lossy().into_owned())
    }) {
        return (Cow::Owned(encode(&rel)), Some("%SRCROOT%"));
    }
    (Cow::Owned(format!("file://{}", encode(path))), None)
}

/// Percent-encode everything but unreserved characters and `/`.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_uris() {
        assert_eq!(
            uri("data/q4 pipeline.csv"),
            (Cow::Borrowed("data/q4%20pipeline.csv"), Some("%SRCROOT%"))
        );
        assert_eq!(uri("./a.csv").0, "a.csv");
        assert_eq!(
            uri("/nowhere/x,y.csv"),
            (Cow::Borrowed("file:///nowhere/x%2Cy.csv"), None)
        );
    }
}
