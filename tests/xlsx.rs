//! `-f xlsx`, the Excel workbook, read back with calamine: its sheets, figures that equal the
//! JSON report's (deal and finding counts, amounts as numbers, close dates as dates), text
//! from a hostile export kept as text and never a formula, the same bytes for the same
//! input, never on standard output, and opened by LibreOffice where it is installed.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, DataType, Range, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use common::{AS_OF, assert_exit_2, pipelint, run};
use serde_json::Value;

const Q4: &str = "fixtures/salesforce_q4_pipeline.csv";
const HOSTILE: &str = "fixtures/reports/xlsx_hostile.csv";

/// `audit FILE --report xlsx=… --report json=… -q` into `dir`: the workbook's path and the
/// JSON report of the same run.
fn audit(dir: &Path, file: &str, extra: &[&str]) -> (PathBuf, Value) {
    let xlsx = dir.join("report.xlsx");
    let json = dir.join("report.json");
    let r = run(pipelint()
        .args(["audit", file, "--as-of", AS_OF, "-q"])
        .arg(format!("--report=xlsx={}", xlsx.display()))
        .arg(format!("--report=json={}", json.display()))
        .args(extra));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let text = std::fs::read_to_string(&json).expect("json report");
    (xlsx, serde_json::from_str(&text).expect("valid json"))
}

fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).expect("the workbook opens")
}

fn sheet(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Range<Data> {
    book.worksheet_range(name).expect(name)
}

/// A sheet's column, by its header (row 0).
fn column(range: &Range<Data>, name: &str) -> usize {
    let header: Vec<String> = range
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// The cell at `row` (counting the header as 0), `col`.
fn cell(range: &Range<Data>, row: usize, col: usize) -> Data {
    range.get((row, col)).cloned().unwrap_or(Data::Empty)
}

/// Column B of the rows whose column A is `label`, in the Summary.
fn summary_lines(range: &Range<Data>, label: &str) -> Vec<String> {
    range
        .rows()
        .filter(|r| r.first().is_some_and(|c| *c == label))
        .map(|r| r.get(1).map(|c| c.to_string()).unwrap_or_default())
        .collect()
}

/// Every deal's cells against its JSON: the amount a number equal to the exact decimal,
/// the close date a date, completeness and score numbers, the band as text.
fn check_deals(deals: &Range<Data>, listed: &[Value]) {
    let (amount, close, name, score, band, done) = (
        column(deals, "Amount"),
        column(deals, "Close date"),
        column(deals, "Name"),
        column(deals, "Risk score"),
        column(deals, "Band"),
        column(deals, "Completeness %"),
    );
    let mut amounts = 0;
    for (i, d) in listed.iter().enumerate() {
        let row = i + 1;
        assert_eq!(
            cell(deals, row, name).to_string(),
            d["name"].as_str().unwrap_or("")
        );
        match d["amount"].as_str() {
            Some(a) => {
                let want: f64 = a.parse().expect("an exact decimal");
                assert_eq!(cell(deals, row, amount), Data::Float(want), "deal {row}");
                amounts += 1;
            }
            None => assert_eq!(cell(deals, row, amount), Data::Empty, "deal {row}"),
        }
        match d["close_date"].as_str() {
            Some(c) => {
                let want = NaiveDate::parse_from_str(c, "%Y-%m-%d").expect("date");
                let got = cell(deals, row, close);
                assert!(matches!(got, Data::DateTime(_)), "deal {row}: {got:?}");
                let date = got.as_datetime().expect("a date").date();
                assert_eq!(date, want, "deal {row}");
            }
            None => assert_eq!(cell(deals, row, close), Data::Empty),
        }
        let completeness = d["completeness"].as_f64().expect("completeness");
        assert_eq!(cell(deals, row, done), Data::Float(completeness));
        let risk = &d["risk"];
        match risk["score"].as_u64() {
            Some(s) => assert_eq!(cell(deals, row, score), Data::Float(s as f64)),
            None => assert_eq!(cell(deals, row, score), Data::Empty),
        }
        let want_band = risk["band"].as_str().unwrap_or("");
        assert_eq!(cell(deals, row, band).to_string(), want_band, "deal {row}");
    }
    assert!(amounts > 10, "the fixture's deals have amounts");
}

#[test]
fn the_workbook_holds_the_json_reports_figures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, json) = audit(dir.path(), Q4, &[]);
    let mut book = open(&path);
    assert_eq!(
        book.sheet_names(),
        ["Summary", "Deals", "Findings", "Owners", "Health"],
        "no What changed sheet without a previous snapshot"
    );
    let deals = sheet(&mut book, "Deals");
    let listed = json["deals"].as_array().expect("deals");
    assert_eq!(
        deals.height(),
        listed.len() + 1,
        "a header, then every deal"
    );
    check_deals(&deals, listed);

    let findings = sheet(&mut book, "Findings");
    let found = json["findings"].as_array().expect("findings");
    assert_eq!(findings.height(), found.len() + 1);
    let (code, line) = (column(&findings, "Code"), column(&findings, "Line"));
    for (i, f) in found.iter().enumerate() {
        assert_eq!(
            cell(&findings, i + 1, code).to_string(),
            f["code"].as_str().unwrap_or("")
        );
        let want = f["line"].as_u64().expect("line") as f64;
        assert_eq!(cell(&findings, i + 1, line), Data::Float(want));
    }

    let owners = sheet(&mut book, "Owners");
    let by_owner = json["pipeline"]["by_owner"].as_array().expect("by_owner");
    assert_eq!(owners.height(), by_owner.len() + 1);
    let open_amount = column(&owners, "Open amount (USD)");
    let total: f64 = (1..owners.height())
        .map(|r| cell(&owners, r, open_amount).as_f64().unwrap_or(0.0))
        .sum();
    let headline: f64 = json["summary"]["open_amount"][0]["amount"]
        .as_str()
        .and_then(|a| a.parse().ok())
        .expect("an open amount");
    assert!((total - headline).abs() < 0.005, "{total} vs {headline}");

    let summary = sheet(&mut book, "Summary");
    let gate = summary_lines(&summary, "Gate");
    assert!(
        gate.len() == 1 && gate[0].starts_with("FAILED: "),
        "{gate:?}"
    );
    let not_checked = summary_lines(&summary, "Not checked");
    let expected = json["not_checked"].as_array().expect("not_checked").len();
    assert!(
        not_checked.len() >= expected && expected > 0,
        "{not_checked:?}"
    );
    assert_eq!(summary_lines(&summary, "As of"), [AS_OF]);
    let said: Vec<String> = summary.rows().map(|r| r[0].to_string()).collect();
    assert!(
        said.iter().any(|s| s.starts_with("Forecast call")),
        "{said:?}"
    );
    let bytes = std::fs::read(&path).expect("workbook");
    let has = |name: &[u8]| bytes.windows(name.len()).any(|w| w == name);
    assert!(has(b"xl/charts/chart1.xml"), "a native chart");
}

#[test]
fn text_that_looks_like_a_formula_stays_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, json) = audit(dir.path(), HOSTILE, &[]);
    let mut book = open(&path);
    for name in ["Summary", "Deals", "Findings", "Owners", "Health"] {
        let formulas = book.worksheet_formula(name).expect(name);
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name} holds a formula"
        );
    }
    let deals = sheet(&mut book, "Deals");
    let listed = json["deals"].as_array().expect("deals");
    let mut seen = Vec::new();
    for (field, header) in [("name", "Name"), ("account", "Account"), ("owner", "Owner")] {
        let col = column(&deals, header);
        for (i, d) in listed.iter().enumerate() {
            let want = d[field].as_str().unwrap_or("");
            let got = cell(&deals, i + 1, col);
            if want.is_empty() {
                continue;
            }
            assert_eq!(
                got,
                Data::String(want.to_string()),
                "{field} of deal {}",
                i + 1
            );
            seen.push(want.to_string());
        }
    }
    for hostile in [
        "=HYPERLINK(\"http://x\",\"y\")",
        "+1",
        "-2+3",
        "@SUM(A1)",
        "=cmd|' /C calc'!A0",
    ] {
        assert!(seen.iter().any(|s| s == hostile), "{hostile} in {seen:?}");
    }
    let owners = sheet(&mut book, "Owners");
    let names: Vec<Data> = (1..owners.height()).map(|r| cell(&owners, r, 0)).collect();
    assert!(names.contains(&Data::String("=HYPERLINK(\"http://x\",\"y\")".to_string())));
}

#[test]
fn the_same_input_writes_the_same_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = std::fs::read(audit(dir.path(), Q4, &[]).0).expect("first");
    // A clock in the file would show: its times are to the second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let again = tempfile::tempdir().expect("tempdir");
    let second = std::fs::read(audit(again.path(), Q4, &["--threads", "1"]).0).expect("second");
    assert!(first == second, "two runs wrote different workbooks");
}

#[test]
fn a_cell_longer_than_excel_holds_is_cut_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header = std::fs::read_to_string(Q4).expect("fixture");
    let header = header.lines().next().expect("header");
    let long = "x".repeat(40_000);
    let csv = format!(
        "{header}\n\"0061\",\"{long}\",\"Acme\",\"Dana\",\"Qualification\",\"1,000.00\",\"10\",\"1/30/2027\",\"10/21/2026\",\"11/12/2026\",\"10/21/2026\",\"Call\",\"Pipeline\",\"Web\"\n"
    );
    let file = common::temp_file(&dir, "long.csv", csv);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("out");
    let xlsx = out.join("r.xlsx");
    let r = run(pipelint()
        .args(["audit", &file, "--as-of", AS_OF, "-q", "-o"])
        .arg(&xlsx)
        .args(["-f", "xlsx"]));
    assert!(r.code <= 1, "{}", r.stderr);
    let mut book = open(&xlsx);
    let deals = sheet(&mut book, "Deals");
    let name = cell(&deals, 1, column(&deals, "Name")).to_string();
    assert!(
        name.encode_utf16().count() <= 32_767,
        "{} units",
        name.len()
    );
    assert!(name.starts_with("xxxx"));
    assert!(
        name.ends_with("[cut by pipelint: 40,000 characters]"),
        "{}",
        &name[32_000..]
    );
    let summary = sheet(&mut book, "Summary");
    let said = summary_lines(&summary, "Workbook");
    assert!(said.iter().any(|s| s.contains("cut to fit")), "{said:?}");
}

#[test]
fn what_changed_is_a_sheet_when_there_is_a_previous_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, json) = audit(
        dir.path(),
        "fixtures/changes/week_2026-11-20.csv",
        &["--previous", "fixtures/changes/week_2026-11-13.csv"],
    );
    let mut book = open(&path);
    assert_eq!(
        book.sheet_names(),
        [
            "Summary",
            "Deals",
            "Findings",
            "Owners",
            "What changed",
            "Health"
        ]
    );
    let changed = sheet(&mut book, "What changed");
    let moved = json["changes"]["movements"].as_array().expect("movements");
    assert!(!moved.is_empty());
    let header = changed
        .rows()
        .position(|r| r.first().is_some_and(|c| *c == "Id"))
        .expect("the moved deals' header");
    let rows = changed.height() - header - 1;
    assert_eq!(rows, moved.len(), "every moved deal");
    for (i, m) in moved.iter().enumerate() {
        let moves: Vec<&str> = m["moves"]
            .as_array()
            .expect("moves")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(
            cell(&changed, header + 1 + i, 2).to_string(),
            moves.join(" ")
        );
    }
}

#[test]
fn a_workbook_never_goes_to_standard_output() {
    for extra in [
        &["-f", "xlsx"][..],
        &["-f", "xlsx", "-q"],
        &["-f", "xlsx", "-o", "-"],
        &["--report", "xlsx=-"],
    ] {
        let r = run(pipelint().args(["audit", Q4, "--as-of", AS_OF]).args(extra));
        assert_exit_2(&r, "-o FILE.xlsx or --report xlsx=FILE.xlsx");
    }
}

/// LibreOffice, headless, converts the workbook (every sheet, as CSV), and shows the hostile
/// text as text. Skipped without `soffice`, unless `PIPELINT_REQUIRE_LIBREOFFICE` (or CI) is
/// set.
#[test]
fn libreoffice_opens_the_workbook() {
    const REQUIRE: &str = "PIPELINT_REQUIRE_LIBREOFFICE";
    let soffice = ["soffice", "libreoffice"].into_iter().find(|bin| {
        std::process::Command::new(bin)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(soffice) = soffice else {
        common::cannot_run(REQUIRE, "LibreOffice (soffice) is not installed");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = audit(dir.path(), HOSTILE, &[]);
    let out = dir.path().join("csv");
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    // Every sheet (-1) to its own UTF-8 CSV, cells as stored.
    let filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1";
    let status = std::process::Command::new(soffice)
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            filter,
            "--outdir",
        ])
        .arg(&out)
        .arg(&path)
        .output()
        .expect("run soffice");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let deals = std::fs::read_to_string(out.join("report-Deals.csv")).unwrap_or_else(|e| {
        let listed: Vec<_> = std::fs::read_dir(&out)
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        panic!("no Deals sheet converted ({e}): {listed:?}")
    });
    assert!(
        deals.contains("\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        "{deals}"
    );
    assert!(deals.contains("@SUM(A1)"), "{deals}");
}
