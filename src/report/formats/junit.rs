//! `-f junit`: JUnit XML, written with quick-junit, which every CI system's test-report
//! reader parses. One `<testsuite>` per input file; in it one `<testcase>` per check code
//! that ran, passing when it found nothing there and failing with the count and the first
//! 100 findings (line, deal, field, message); with a previous snapshot, a suite for its file
//! when findings sit there (CHG004); then a `gate` suite with one testcase that
//! carries the gate's verdict and reasons. Deterministic: no timestamps, no ids. Text from
//! the exports and the command line goes through [`escape::xml`], so the file stays XML
//! whatever a cell or a path holds.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};

use crate::diag::Code;
use crate::report::formats::escape;
use crate::report::view::Report;
use crate::report::{EmitOptions, Emitter};
use crate::words::{plural, thousands};

/// How many findings a failing testcase lists.
const LISTED: usize = 100;

pub(crate) struct JunitEmitter;

impl Emitter for JunitEmitter {
    fn emit(&self, report: &Report<'_>, _: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        // Per file and code: how many findings, and the first ones (by index; worded only
        // when listed).
        let mut found: BTreeMap<(usize, Code), (usize, Vec<usize>)> = BTreeMap::new();
        for i in 0..report.finding_count() {
            if let Some(k) = report.finding_key(i) {
                let entry = found.entry((k.file, k.code)).or_default();
                entry.0 += 1;
                if entry.1.len() < LISTED {
                    entry.1.push(i);
                }
            }
        }
        let mut junit = Junit::new("pipelint");
        for (file, input) in report.inputs().iter().enumerate() {
            let mut suite = TestSuite::new(escape::xml(input.path).as_ref());
            for &code in report.checks_run() {
                let mut case = match found.get(&(file, code)) {
                    None => TestCase::new(code.as_str(), TestCaseStatus::success()),
                    Some((count, first)) => failing(report, code, *count, first),
                };
                case.set_classname(format!("pipelint.{}", code.slug()));
                suite.add_test_case(case);
            }
            // Checks that could not run are skipped cases, with why: never silently left out.
            for n in report.not_checked() {
                for &code in &n.codes {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(n.why.clone());
                    let mut case = TestCase::new(code.as_str(), status);
                    case.set_classname(format!("pipelint.{}", code.slug()));
                    suite.add_test_case(case);
                }
            }
            junit.add_test_suite(suite);
        }
        // Findings on the previous snapshot's file (a deal that vanished from it): a suite of
        // its own, with a case for each code that found something there.
        if let Some(previous) = report.previous() {
            let file = report.inputs().len();
            let mut suite = TestSuite::new(escape::xml(previous.input.path).as_ref());
            for (&(_, code), (count, first)) in found.range((file, Code::ALL[0])..) {
                let mut case = failing(report, code, *count, first);
                case.set_classname(format!("pipelint.{}", code.slug()));
                suite.add_test_case(case);
            }
            if !suite.test_cases.is_empty() {
                junit.add_test_suite(suite);
            }
        }
        let verdict = report.gate();
        let mut gate = TestSuite::new("gate");
        let status = if verdict.passed {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(escape::xml(&verdict.reasons.join("; ")).as_ref())
                .set_type("gate");
            status
        };
        gate.add_test_case(TestCase::new("gate", status));
        junit.add_test_suite(gate);
        junit
            .serialize(&mut *out)
            .map_err(|e| io::Error::other(e.to_string()))?;
        out.write_all(b"\n")
    }
}

/// A failing testcase: the count in its message, the first findings in its description.
fn failing(report: &Report<'_>, code: Code, count: usize, first: &[usize]) -> TestCase {
    let mut listing = String::new();
    for &i in first {
        if let Some(f) = report.finding(i) {
            let deal = f.deal.map_or(f.record_id.unwrap_or(""), |d| d.label);
            let _ = writeln!(
                listing,
                "line {}: {}{}{}",
                f.line,
                if deal.is_empty() {
                    String::new()
                } else {
                    format!("{deal}: ")
                },
                f.field.map_or(String::new(), |field| format!("{field}: ")),
                f.message
            );
        }
    }
    if count > first.len() {
        let _ = writeln!(
            listing,
            "… and {} more",
            thousands((count - first.len()) as u64)
        );
    }
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status
        .set_message(format!(
            "{} finding{}: {}",
            thousands(count as u64),
            plural(count as u64),
            code.summary()
        ))
        .set_type(code.as_str())
        .set_description(escape::xml(&listing).as_ref());
    TestCase::new(code.as_str(), status)
}
