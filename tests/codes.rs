//! Every registered check code has a fixture directory named after it,
//! `fixtures/checks/<CODE>/`: the export that raises it (`export.csv`), the rules it is
//! audited with (`rules.toml`; the auto-detected preset when there is none), last week's
//! export for a change check (`previous.csv`), and the expected findings of that code
//! (`expected.snap`, an insta snapshot: file, line, field and words of each). A code without
//! its directory, a directory that raises no finding of its code, and a finding without
//! words each fail the build. The tests per family (`tests/checks.rs`, `tests/hygiene.rs`)
//! assert the finer points.

mod common;

use std::path::{Path, PathBuf};

use common::as_of;
use pipelint::{AuditRequest, Code, GateSettings};

const DIR: &str = "fixtures/checks";

/// What the audit of a code's fixture says of that code: its findings, one per line, or
/// the error that stopped the audit (IN001, IN007, IN009 refuse an export). Every finding
/// of any code must have words. The second value says whether the code was raised: a
/// finding of it, or an error naming it as `(CODE)`.
fn said_of(code: Code, dir: &Path) -> (String, bool) {
    let rules = dir.join("rules.toml");
    let previous = dir.join("previous.csv");
    let path = |p: &Path| p.to_str().expect("utf-8 path").to_string();
    let request = AuditRequest {
        files: vec![path(&dir.join("export.csv"))],
        preset: (!rules.exists()).then(|| "auto".to_string()),
        rules: rules.exists().then_some(rules),
        // IN013 says an as-of that defaulted to today is far after the data: it needs none.
        as_of: (code != Code::In013).then(as_of),
        previous: previous.exists().then(|| path(&previous)),
        threads: 2,
        ..AuditRequest::default()
    };
    let run = match request.run() {
        Ok(run) => run,
        Err(e) => {
            let text = format!("error: {e:#}\n");
            let raised = text.contains(&format!("({code})"));
            return (text, raised);
        }
    };
    let report = run.report(&GateSettings::default());
    let mut out = String::new();
    let mut raised = false;
    for f in report.findings() {
        assert!(
            !f.message.trim().is_empty(),
            "{}: {} on line {} says nothing",
            dir.display(),
            f.code,
            f.line
        );
        if f.code == code {
            raised = true;
            out.push_str(&format!(
                "{} {}:{} field {}: {}\n",
                f.code,
                f.file,
                f.line,
                f.field.unwrap_or("-"),
                f.message
            ));
        }
    }
    (out, raised)
}

#[test]
fn every_code_has_a_fixture_directory_that_raises_it() {
    for &code in Code::ALL {
        let dir = PathBuf::from(DIR).join(code.as_str());
        assert!(
            dir.join("export.csv").is_file(),
            "no fixture for {code}: add {}/export.csv (and rules.toml) raising it",
            dir.display()
        );
        let (said, raised) = said_of(code, &dir);
        assert!(raised, "{} does not raise {code}:\n{said}", dir.display());
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(Path::new("..").join(&dir));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_input_file(dir.join("export.csv"));
        // IN013 names today's date, and how many days lie between it and the data.
        settings.add_filter(r"\d{4}-\d{2}-\d{2} \(today\)", "[today] (today)");
        settings.add_filter(r"[\d,]+ days before", "[n] days before");
        settings.bind(|| insta::assert_snapshot!("expected", said));
    }
}

/// Every directory under fixtures/checks is named after a registered code.
#[test]
fn every_fixture_directory_names_a_code() {
    for entry in std::fs::read_dir(DIR).expect("fixtures/checks") {
        let path = entry.expect("entry").path();
        if !path.is_dir() {
            continue;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        assert!(
            Code::ALL.iter().any(|c| c.as_str() == name),
            "{} is named after no check code",
            path.display()
        );
    }
}
