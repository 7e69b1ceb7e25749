//! The binary end to end: exit codes, errors on stderr, outputs, determinism. Every test
//! takes status, stdout and stderr from one run.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use common::{AS_OF, Run, assert_exit_2, pipelint, run, temp_file};

const CHECK_RULES: &str = "fixtures/checks/rules.toml";

fn audit(args: &[&str]) -> Run {
    run(pipelint().arg("audit").args(args).args(["--as-of", AS_OF]))
}

#[test]
fn exit_0_when_the_gate_passes() {
    let r = audit(&["fixtures/checks/clean.csv", "-r", CHECK_RULES]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Gate          PASSED"), "{}", r.stdout);
    assert!(r.stdout.contains("No findings."));
    assert_eq!(r.stderr, "");
}

#[test]
fn exit_1_when_the_gate_fails_with_reasons() {
    let r = audit(&["fixtures/salesforce_q4_pipeline.csv"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Gate          FAILED: 10 findings at error or above (fail-on error)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("preset:salesforce (auto-detected, confidence 91%: 13 of its 18 columns, 10 of 11 stage values)")
    );
    assert_eq!(r.stderr, "");
}

#[test]
fn fail_on_never_and_warning() {
    let never = audit(&[
        "fixtures/salesforce_q4_pipeline.csv",
        "--fail-on",
        "never",
        "-q",
    ]);
    assert_eq!(
        (never.code, never.stdout.as_str(), never.stderr.as_str()),
        (0, "", "")
    );
    // The REQ003 warning on line 3 of the renewals fixture fails a warning gate on its own.
    let warning = audit(&[
        "fixtures/custom/renewals.csv",
        "-r",
        "fixtures/custom/renewals.toml",
        "--select",
        "REQ003",
        "--fail-on",
        "warning",
        "--min-completeness",
        "0",
    ]);
    assert_eq!(warning.code, 1);
    assert!(
        warning
            .stdout
            .contains("3 findings at warning or above (fail-on warning)"),
        "{}",
        warning.stdout
    );
}

#[test]
fn min_completeness_fails_the_gate() {
    let r = audit(&[
        "fixtures/checks/REQ001/export.csv",
        "-r",
        CHECK_RULES,
        "--min-completeness",
        "90",
        "--fail-on",
        "never",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("completeness 83.3% is below the minimum 90.0%"),
        "{}",
        r.stdout
    );
    let ok = audit(&[
        "fixtures/checks/REQ001/export.csv",
        "-r",
        CHECK_RULES,
        "--min-completeness",
        "80",
        "--fail-on",
        "never",
    ]);
    assert_eq!(ok.code, 0);
}

#[test]
fn max_high_risk_fails_the_gate() {
    let args = [
        "fixtures/hygiene/risk.csv",
        "-r",
        "fixtures/hygiene/rules.toml",
        "--fail-on",
        "never",
    ];
    let ok = audit(&[&args[..], &["--max-high-risk", "1"]].concat());
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    let r = audit(&[&args[..], &["--max-high-risk", "0"]].concat());
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("Gate          FAILED: 1 high-risk open deal, more than the maximum 0"),
        "{}",
        r.stdout
    );
    let json = audit(&[&args[..], &["--max-high-risk", "0", "-f", "json"]].concat());
    let j: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(
        j["summary"]["gate"]["reasons"][0],
        "1 high-risk open deal, more than the maximum 0"
    );
}

#[test]
fn deals_at_risk_table_explains_why() {
    let r = audit(&[
        "fixtures/hygiene/risk.csv",
        "-r",
        "fixtures/hygiene/rules.toml",
    ]);
    assert!(
        r.stdout
            .contains("Open deals    6 · 140,000.00 open (1 without an amount) · 80,000.00 at risk (high band) · + 1 in stages the rules do not know: Verbal Commit 1"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Risk          1 high · 2 medium · 3 low"));
    assert!(r.stdout.contains("Deals at risk (3, riskiest first)"));
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("Contoso renewal"))
        .expect("R-2 listed");
    for words in [
        "100",
        "high",
        "overdue 10 days",
        "no activity for 19 days: 1.3× the 14-day limit",
        "50 days in Contract: 3.5× the 14-day limit",
        "pushed 2 times",
    ] {
        assert!(line.contains(words), "{words} missing from {line}");
    }
    let top = audit(&[
        "fixtures/hygiene/risk.csv",
        "-r",
        "fixtures/hygiene/rules.toml",
        "--top",
        "1",
    ]);
    assert!(
        top.stdout
            .contains("Deals at risk (first 1 of 3, riskiest first)")
    );
    assert!(
        top.stdout
            .contains("… and 2 more (--top N to list more, -f json for every deal's score)")
    );
}

#[test]
fn gate_defaults_come_from_the_rules_file() {
    // renewals.toml sets [gate] min_completeness = 90; the audit is at 85.2%.
    let r = audit(&[
        "fixtures/custom/renewals.csv",
        "-r",
        "fixtures/custom/renewals.toml",
        "--fail-on",
        "never",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("completeness 85.2% is below the minimum 90.0%")
    );
    let overridden = audit(&[
        "fixtures/custom/renewals.csv",
        "-r",
        "fixtures/custom/renewals.toml",
        "--fail-on",
        "never",
        "--min-completeness",
        "85",
    ]);
    assert_eq!(overridden.code, 0);
}

#[test]
fn unreadable_file_exits_2() {
    let r = audit(&["fixtures/does-not-exist.csv"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .starts_with("error: cannot open fixtures/does-not-exist.csv: "),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1);
}

#[test]
fn directory_and_empty_file_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = audit(&[dir.path().to_str().expect("path")]);
    assert_exit_2(&r, "it is a directory");

    let empty = temp_file(&dir, "empty.csv", "");
    let r = audit(&[&empty]);
    assert_exit_2(&r, "is empty: there is no header row");
}

#[test]
fn an_export_with_no_deals_fails_the_gate_unless_allowed() {
    // A CI job whose sync lost its rows must fail, at 100% completeness or not.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("header.csv");
    std::fs::write(
        &path,
        "Ref,Deal,Customer,Rep,Phase,Value,Expected Close,Next Action,Region,PO Number,Discount\n",
    )
    .expect("write");
    let p = path.to_str().expect("path");
    let r = audit(&[p, "-r", CHECK_RULES]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("Records       0 deals"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("Gate          FAILED: the export holds no deals"),
        "{}",
        r.stdout
    );
    let r = audit(&[p, "-r", CHECK_RULES, "--allow-empty"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Gate          PASSED"), "{}", r.stdout);
    // Or in the rules file.
    let rules =
        std::fs::read_to_string(CHECK_RULES).expect("rules") + "\n[gate]\nallow_empty = true\n";
    let rules_path = dir.path().join("rules.toml");
    std::fs::write(&rules_path, rules).expect("write");
    let r = audit(&[p, "-r", rules_path.to_str().expect("path")]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn bad_utf8_in_rules_exits_2_with_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = temp_file(
        &dir,
        "rules.toml",
        b"[input]\npreset = \"sales\xE9force\"\n",
    );
    let r = audit(&["fixtures/checks/clean.csv", "-r", &rules]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("rules.toml:2:16 is not valid UTF-8 (byte 0xE9); save it as UTF-8"),
        "{}",
        r.stderr
    );
}

#[test]
fn toml_syntax_error_exits_2_with_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = temp_file(
        &dir,
        "rules.toml",
        "[input]\ndate_formats = [\"%m/%d/%Y\"\n",
    );
    let r = audit(&["fixtures/checks/clean.csv", "-r", &rules]);
    assert_exit_2(&r, "rules.toml:");
    assert!(r.stderr.contains("TOML syntax error"), "{}", r.stderr);
    let located = r
        .stderr
        .lines()
        .any(|l| l.contains("rules.toml:2:") || l.contains("rules.toml:3:"));
    assert!(located, "{}", r.stderr);
}

#[test]
fn unknown_keys_are_all_reported_with_suggestions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[columns]\nstage = \"Phase\"\n\n[fields]\namount = { type = \"money\", requird = true }\n\n[[stages]]\nname = \"Lead\"\nmax_day = 3\n",
    )
    .expect("write");
    let r = audit(&[
        "fixtures/checks/clean.csv",
        "-r",
        rules.to_str().expect("path"),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error: 2 problems in the rules"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("rules.toml:5:28: unknown key `requird` in [fields] \"amount\"; did you mean `required`? Valid keys: type, required,"), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "rules.toml:9:1: unknown key `max_day` in [[stages]] #1; did you mean `max_days`?"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn field_neither_canonical_nor_header_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules.toml");
    let text = std::fs::read_to_string(CHECK_RULES)
        .expect("rules")
        .replace("requires = [\"PO Number\"]", "requires = [\"PO Numbr\"]");
    std::fs::write(&rules, text).expect("write");
    let r = audit(&[
        "fixtures/checks/clean.csv",
        "-r",
        rules.to_str().expect("path"),
    ]);
    assert_exit_2(
        &r,
        "`PO Numbr` is neither a canonical field nor a header of fixtures/checks/clean.csv; did you mean `PO Number`?",
    );
    assert!(r.stderr.contains("rules.toml:"), "{}", r.stderr);
}

#[test]
fn missing_mapped_column_is_in001_and_exits_2() {
    let r = audit(&["fixtures/checks/IN001/export.csv", "-r", CHECK_RULES]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.starts_with(
            "error: fixtures/checks/IN001/export.csv: 1 mapped column is missing (IN001)"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("\n  next_step: \"Next Action\" (named at fixtures/checks/rules.toml:15:1); closest headers: Next Move, Region, Deal"), "{}", r.stderr);
}

#[test]
fn no_preset_fits_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = temp_file(&dir, "odd.csv", "a,b,c\n1,2,3\n");
    let r = audit(&[&path]);
    assert_exit_2(&r, "no built-in preset fits this header");
}

#[test]
fn bad_arguments_exit_2() {
    let r = audit(&["fixtures/checks/clean.csv", "--fail-on", "sometimes"]);
    assert_exit_2(&r, "invalid value 'sometimes'");
    let r = audit(&[
        "fixtures/checks/clean.csv",
        "-r",
        CHECK_RULES,
        "--ignore",
        "REQ9",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("`REQ9` is not a check code or a prefix of one"),
        "{}",
        r.stderr
    );
    let r = run(pipelint().args([
        "audit",
        "fixtures/checks/clean.csv",
        "--as-of",
        "20/11/2026",
    ]));
    assert_exit_2(&r, "is not a date in the form YYYY-MM-DD");
}

#[test]
fn explain_and_rules_list() {
    let r = run(pipelint().args(["explain", "req002"]));
    assert_eq!(r.code, 0);
    for heading in [
        "What it checks",
        "Why it matters",
        "Example",
        "How to fix",
        "Configuration",
    ] {
        assert!(r.stdout.contains(heading), "{heading}");
    }
    assert!(r.stdout.starts_with("REQ002 (stage-exit-criteria-unmet)"));
    let r = run(pipelint().args(["explain", "REQ02"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `REQ002`?") || r.stderr.contains("did you mean"),
        "{}",
        r.stderr
    );

    let r = run(pipelint().args(["rules", "list"]));
    assert_eq!(r.code, 0);
    for code in [
        "IN001", "IN002", "IN005", "REQ001", "REQ002", "REQ003", "VAL001", "VAL006", "DUP001",
    ] {
        assert!(r.stdout.contains(code), "{code}");
    }
}

#[test]
fn rules_check_validates_and_reports_everything() {
    let r = run(pipelint().args(["rules", "check", "fixtures/custom/renewals.toml"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "fixtures/custom/renewals.toml: valid (5 field rules, 5 stages, 2 conditional rules)\n"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("bad.toml");
    std::fs::write(
        &rules,
        "[input]\npreset = \"salesfroce\"\ndecimal = \";\"\n\n[[stages]]\nname = \"A\"\nforecast = [\"Comit\"]\n\n[[rules]]\nid = \"r\"\nwhen = { field = \"stage\", eq = \"B\" }\nrequires = [\"x\"]\n\n[checks]\nREQ01 = \"off\"\n",
    )
    .expect("write");
    let r = run(pipelint().args(["rules", "check", rules.to_str().expect("path")]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("bad.toml:2:10: unknown preset `salesfroce`; did you mean `salesforce`?"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("bad.toml:3:11: decimal must be"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("bad.toml:7:13: unknown forecast category `Comit`; did you mean `Commit`?"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("bad.toml:11:32: unknown stage `B` in condition"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("bad.toml:15:1: unknown check code `REQ01`"),
        "{}",
        r.stderr
    );
}

#[test]
fn every_preset_passes_rules_check() {
    let mut checked = Vec::new();
    for entry in std::fs::read_dir("rules").expect("rules dir") {
        let path = entry.expect("entry").path();
        let r = run(pipelint().args(["rules", "check"]).arg(&path));
        assert_eq!(r.code, 0, "{}: {}", path.display(), r.stderr);
        // "rules/hubspot.toml: valid (7 field rules, 7 stages, 0 conditional rules)": a
        // preset names its stages, else nothing could be open or closed.
        let said = format!("{}: valid (", path.display());
        assert!(r.stdout.starts_with(&said), "{}", r.stdout);
        let stages: u32 = r
            .stdout
            .split(", ")
            .find_map(|p| p.strip_suffix(" stages"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no stage count in {}", r.stdout));
        assert!(stages >= 4, "{}", r.stdout);
        checked.push(
            path.file_stem()
                .expect("name")
                .to_string_lossy()
                .into_owned(),
        );
    }
    checked.sort();
    assert_eq!(
        checked,
        [
            "dynamics365",
            "generic",
            "hubspot",
            "pipedrive",
            "salesforce",
            "zoho"
        ]
    );
}

#[test]
fn completions_print_a_script() {
    let r = run(pipelint().args(["completions", "bash"]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("pipelint"));
    assert!(r.stdout.len() > 1000);
}

#[test]
fn stdin_is_read_with_dash() {
    let csv = std::fs::read("fixtures/checks/DUP001/export.csv").expect("fixture");
    let r = run(pipelint()
        .args([
            "audit",
            "-",
            "-r",
            CHECK_RULES,
            "--as-of",
            AS_OF,
            "-f",
            "json",
        ])
        .write_stdin(csv));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(json["inputs"][0]["path"], "<stdin>");
    assert_eq!(json["findings"][0]["file"], "<stdin>");
    assert_eq!(json["findings"][0]["line"], 4);
}

#[test]
fn pipelint_toml_in_the_working_directory_is_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(CHECK_RULES, dir.path().join("pipelint.toml")).expect("copy");
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/checks/VAL003/export.csv");
    let r = run(pipelint()
        .current_dir(dir.path())
        .arg("audit")
        .arg(&csv)
        .args(["--as-of", AS_OF]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("Rules         pipelint.toml"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("VAL003"));
}

#[test]
fn output_file_is_written_atomically_and_inputs_are_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.csv");
    std::fs::copy("fixtures/custom/renewals.csv", &input).expect("copy");
    let before = std::fs::read(&input).expect("read");
    let out = dir.path().join("report.json");
    let r = audit(&[
        input.to_str().expect("path"),
        "-r",
        "fixtures/custom/renewals.toml",
        "-f",
        "json",
        "-o",
        out.to_str().expect("path"),
        "--report",
        &format!("table={}", dir.path().join("report.txt").display()),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "", "a report written to -o is not also printed");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("report")).expect("json");
    assert_eq!(json["schema"], "pipelint.report/1");
    let table = std::fs::read_to_string(dir.path().join("report.txt")).expect("table report");
    assert!(table.contains("Completeness by field"));
    assert_eq!(
        std::fs::read(&input).expect("read"),
        before,
        "input unchanged"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "no temporary files left behind: {names:?}");
}

#[test]
fn bad_output_path_fails_before_the_audit() {
    let r = audit(&[
        "fixtures/checks/clean.csv",
        "-r",
        CHECK_RULES,
        "-o",
        "/nonexistent-dir/x/report.json",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("cannot write report to /nonexistent-dir/x/report.json"),
        "{}",
        r.stderr
    );
    let r = audit(&[
        "fixtures/checks/clean.csv",
        "-r",
        CHECK_RULES,
        "-o",
        "fixtures/checks/clean.csv",
    ]);
    assert_exit_2(&r, "it is the export fixtures/checks/clean.csv");
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = audit(&["fixtures/checks/VAL003/export.csv", "-r", CHECK_RULES]);
    assert!(
        !plain.stdout.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    let always = audit(&[
        "fixtures/checks/VAL003/export.csv",
        "-r",
        CHECK_RULES,
        "--color",
        "always",
    ]);
    assert!(always.stdout.contains("\u{1b}["));
    let no_color = run(pipelint().env("NO_COLOR", "1").args([
        "audit",
        "fixtures/checks/VAL003/export.csv",
        "-r",
        CHECK_RULES,
        "--as-of",
        AS_OF,
    ]));
    assert!(!no_color.stdout.contains('\u{1b}'));
}

#[test]
fn top_caps_the_findings_list() {
    let r = audit(&["fixtures/salesforce_q4_pipeline.csv", "--top", "3"]);
    assert!(
        r.stdout.contains("Findings (first 3 of 35)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("… and 32 more (--top N to list more, -f json for all)")
    );
}

#[test]
fn json_is_byte_identical_at_any_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.csv");
    // Several batches of 8,192 rows and chunks of 1,024, so the parallel split matters.
    std::fs::write(&path, common::salesforce_export(30_000)).expect("write");
    let p = path.to_str().expect("path");
    let one = run(pipelint().args(["audit", p, "--as-of", AS_OF, "-f", "json", "--threads", "1"]));
    let four = run(pipelint().args(["audit", p, "--as-of", AS_OF, "-f", "json", "--threads", "4"]));
    assert_eq!(one.code, 1, "{}", one.stderr);
    assert_eq!(four.code, 1);
    assert!(one.stdout.len() > 1_000_000);
    assert!(
        one.stdout == four.stdout,
        "JSON differs between --threads 1 and 4"
    );
    let json: serde_json::Value = serde_json::from_str(&one.stdout).expect("json");
    let codes: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    for code in [
        "DUP001", "IN002", "REQ001", "REQ002", "VAL001", "VAL002", "VAL006",
    ] {
        assert!(codes.contains(code), "{code} missing from {codes:?}");
    }
}

#[test]
fn broken_pipe_exits_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = temp_file(&dir, "big.csv", common::salesforce_export(5_000));
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("pipelint"))
        .args(["audit", &path, "--as-of", AS_OF, "-f", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout); // like `| head -c 100`
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let status = child.wait().expect("wait");
    assert_eq!(stderr, "", "no error message on a closed pipe");
    assert!(matches!(status.code(), Some(0) | Some(1)), "{status:?}");
}
