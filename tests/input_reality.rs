//! Exports as they come (docs/GUIDE.md, "Real exports, as they come"): legacy 8-bit encodings detected once per
//! file and named in IN003 (or named by --encoding / [input] encoding), rows that hold no deal
//! skipped as IN004, malformed quoting as IN006. Fixtures: fixtures/input/ (written by
//! fixtures/input/make.py) with the rules of fixtures/checks/.

mod common;

use common::{AS_OF, assert_exit_2, audit, finding, findings, pipelint, report, run, said};
use serde_json::Value;

const RULES: &str = "fixtures/checks/rules.toml";

/// `pipelint audit FILE -r RULES --as-of … -f json ARGS…`: exit code and the JSON report.
fn audit_json(file: &str, rules: &str, args: &[&str]) -> (i32, Value) {
    let r = run(pipelint()
        .args(["audit", file, "-r", rules, "--as-of", AS_OF, "-f", "json"])
        .args(args));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let json = serde_json::from_str(&r.stdout).expect("a JSON report");
    (r.code, json)
}

/// (code, severity, file, line, message) of every finding in a JSON report.
fn json_findings(report: &Value) -> Vec<(String, String, String, u64, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().expect("code").to_string(),
                f["severity"].as_str().expect("severity").to_string(),
                f["file"].as_str().expect("file").to_string(),
                f["line"].as_u64().expect("line"),
                f["message"].as_str().expect("message").to_string(),
            )
        })
        .collect()
}

fn deal_field(report: &Value, i: usize, field: &str) -> String {
    report["deals"][i][field]
        .as_str()
        .unwrap_or_else(|| panic!("deal {i} {field}: {}", report["deals"][i]))
        .to_string()
}

fn in003(
    file: &str,
    line: u64,
    severity: &str,
    message: &str,
) -> (String, String, String, u64, String) {
    (
        "IN003".into(),
        severity.into(),
        file.into(),
        line,
        message.into(),
    )
}

#[test]
fn a_windows_1251_export_reads_in_cyrillic() {
    let file = "fixtures/input/cp1251_export.csv";
    let (_, r) = audit_json(file, RULES, &[]);
    assert_eq!(r["inputs"][0]["encoding"], "windows-1251");
    assert_eq!(
        json_findings(&r),
        vec![in003(
            file,
            2,
            "info",
            "text is not UTF-8 from line 2 on; decoded as windows-1251"
        )]
    );
    assert_eq!(deal_field(&r, 0, "name"), "Сделка Поставка оборудования");
    assert_eq!(deal_field(&r, 0, "owner"), "Иванов Пётр");
    assert_eq!(deal_field(&r, 1, "account"), "АО Северная звезда");
    assert_eq!(r["inputs"][0]["records"], 4);
}

#[test]
fn an_iso_8859_7_export_reads_in_greek() {
    let file = "fixtures/input/iso8859_7_export.csv";
    let (_, r) = audit_json(file, RULES, &[]);
    assert_eq!(r["inputs"][0]["encoding"], "ISO-8859-7");
    assert_eq!(
        json_findings(&r),
        vec![in003(
            file,
            2,
            "info",
            "text is not UTF-8 from line 2 on; decoded as ISO-8859-7"
        )]
    );
    assert_eq!(deal_field(&r, 0, "name"), "Έργο Άλφα");
    assert_eq!(deal_field(&r, 0, "owner"), "Παπαδόπουλος Άγγελος");
}

#[test]
fn too_little_text_to_be_sure_is_a_warning_read_as_windows_1252() {
    let file = "fixtures/input/unsure_encoding.csv";
    let (_, r) = audit_json(file, RULES, &[]);
    assert_eq!(r["inputs"][0]["encoding"], "windows-1252");
    let f = json_findings(&r);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].0.as_str(), f[0].1.as_str(), f[0].3),
        ("IN003", "warning", 3)
    );
    assert!(
        f[0].4
            .starts_with("text is not UTF-8 from line 3 on; decoded as windows-1252, a guess"),
        "{}",
        f[0].4
    );
    assert!(f[0].4.contains("--encoding NAME"), "{}", f[0].4);
    assert_eq!(deal_field(&r, 1, "owner"), "René");
}

/// A Windows-1252 export audits exactly as before the detector: same encoding, same IN003.
#[test]
fn windows_1252_exports_read_as_before() {
    let a = audit(&["fixtures/real/sf_report_cp1252_footer.csv"], None);
    let r = report(&a);
    assert_eq!(r.inputs()[0].encoding, "windows-1252");
    let f = said(&a);
    assert_eq!((f[0].code.as_str(), f[0].line), ("IN003", 2));
    assert_eq!(
        f[0].message,
        "text is not UTF-8 from line 2 on; decoded as windows-1252"
    );
}

/// Text that is UTF-8 for the first 256 kB and legacy after: decided at the first such row,
/// from the rows around it.
#[test]
fn legacy_text_far_into_the_file_is_detected_where_it_starts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from(
        "Ref,Deal,Customer,Rep,Phase,Value,Expected Close,Next Action,Region,PO Number,Discount\n",
    );
    for i in 0..5000 {
        text.push_str(&format!(
            "A-{i},Alpha renewal number {i},Alpha Ltd,Ann,Lead,,15/01/2027,,EMEA,,\n"
        ));
    }
    let late_line = 5002;
    for i in 0..20 {
        text.push_str(&format!(
            "B-{i},Поставка оборудования {i},ООО Ромашка,Иванов Пётр,Lead,,15/01/2027,,EMEA,,\n"
        ));
    }
    let bytes = encoding_rs::WINDOWS_1251.encode(&text).0;
    assert!(bytes.len() > 300_000);
    let file = common::temp_file(&dir, "late.csv", &bytes);
    let (_, r) = audit_json(&file, RULES, &[]);
    assert_eq!(r["inputs"][0]["encoding"], "windows-1251");
    assert_eq!(r["inputs"][0]["records"], 5020);
    let f: Vec<_> = json_findings(&r)
        .into_iter()
        .filter(|f| f.0 == "IN003")
        .collect();
    assert_eq!(
        f,
        vec![in003(
            &file,
            late_line,
            "info",
            &format!("text is not UTF-8 from line {late_line} on; decoded as windows-1251")
        )]
    );
    assert_eq!(deal_field(&r, 5000, "name"), "Поставка оборудования 0");
}

#[test]
fn encoding_flag_overrides_the_detector() {
    let file = "fixtures/input/cp1251_export.csv";
    let (_, r) = audit_json(file, RULES, &["--encoding", "koi8-r"]);
    assert_eq!(r["inputs"][0]["encoding"], "KOI8-R");
    assert_eq!(
        json_findings(&r),
        vec![in003(
            file,
            2,
            "info",
            "text is not UTF-8 from line 2 on; decoded as KOI8-R, as --encoding or [input] \
             encoding says"
        )]
    );
    // Read as asked, wrong as that is: the Windows-1251 bytes of the name, in KOI8-R.
    let bytes = encoding_rs::WINDOWS_1251
        .encode("Сделка Поставка оборудования")
        .0;
    let as_koi8 = encoding_rs::KOI8_R.decode_without_bom_handling(&bytes).0;
    assert_eq!(deal_field(&r, 0, "name"), as_koi8);
    assert_ne!(as_koi8, "Сделка Поставка оборудования");

    // A label encoding_rs knows (cp1251) on the file too little to guess from.
    let (_, r) = audit_json(
        "fixtures/input/unsure_encoding.csv",
        RULES,
        &["--encoding", "cp1251"],
    );
    assert_eq!(r["inputs"][0]["encoding"], "windows-1251");
    assert_eq!(json_findings(&r)[0].1, "info");
}

#[test]
fn rules_file_encoding_overrides_the_detector() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = std::fs::read_to_string(RULES)
        .expect("rules")
        .replace("[input]\n", "[input]\nencoding = \"iso-8859-5\"\n");
    let rules = common::temp_file(&dir, "rules.toml", rules);
    let (_, r) = audit_json("fixtures/input/cp1251_export.csv", &rules, &[]);
    assert_eq!(r["inputs"][0]["encoding"], "ISO-8859-5");
    assert!(
        json_findings(&r)[0]
            .4
            .ends_with("as --encoding or [input] encoding says")
    );
    // The flag wins over the file.
    let (_, r) = audit_json(
        "fixtures/input/cp1251_export.csv",
        &rules,
        &["--encoding", "windows-1251"],
    );
    assert_eq!(deal_field(&r, 0, "owner"), "Иванов Пётр");
}

#[test]
fn unknown_encodings_are_refused_with_a_suggestion() {
    let r = run(pipelint().args([
        "audit",
        "fixtures/input/cp1251_export.csv",
        "-r",
        RULES,
        "--encoding",
        "windows-1215",
    ]));
    assert_exit_2(
        &r,
        "--encoding: unknown encoding `windows-1215`; did you mean `windows-1251`?",
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let rules = std::fs::read_to_string(RULES)
        .expect("rules")
        .replace("[input]\n", "[input]\nencoding = \"latin-9000\"\n");
    let path = common::temp_file(&dir, "rules.toml", rules);
    let r = run(pipelint().args(["rules", "check", &path]));
    assert_eq!(r.code, 2, "{}", r.stdout);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert!(
        out.contains("rules.toml:5:12: unknown encoding `latin-9000`"),
        "{out}"
    );
}

/// Every command that reads an export takes --encoding.
#[test]
fn every_reading_command_takes_the_encoding() {
    let file = "fixtures/input/unsure_encoding.csv";
    let r = run(pipelint().args(["profile", file, "-f", "json", "--encoding", "koi8-u"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let profile: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(profile["file"]["encoding"], "KOI8-U");

    let r = run(pipelint().args(["init", "--from", file, "--encoding", "koi8-u"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("KOI8-U"), "{}", r.stdout);

    let r = run(pipelint().args([
        "diff",
        file,
        file,
        "-r",
        RULES,
        "--as-of",
        AS_OF,
        "--encoding",
        "nope",
    ]));
    assert_exit_2(&r, "unknown encoding `nope`");

    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.db");
    let r = run(pipelint().args([
        "history",
        "add",
        "fixtures/input/cp1251_export.csv",
        "--db",
        db.to_str().expect("path"),
        "-r",
        RULES,
        "--as-of",
        AS_OF,
        "--encoding",
        "windows-1251",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn rows_that_hold_no_deal_are_skipped_and_counted() {
    let file = "fixtures/input/no_deal_rows.csv";
    let a = audit(&[file], Some(RULES));
    // Bare delimiters (lines 3, 8), blanks (6), an unlabelled totals row (7) are skipped;
    // a deal with an id but no name (4) and one with only a stage (5) are deals.
    assert_eq!(
        findings(&a),
        vec![
            finding("IN004", 3, None),
            finding("REQ001", 4, Some("name")),
            finding("REQ001", 5, Some("name")),
        ]
    );
    let f = &said(&a)[0];
    assert_eq!(f.file, file);
    assert_eq!(
        f.message,
        "skipped 4 rows that hold no deal: bare delimiters or unlabelled totals (first at line 3)"
    );
    let r = report(&a);
    assert_eq!((r.inputs()[0].records, r.inputs()[0].skipped), (3, 4));
    assert_eq!(r.deal_count(), 3);
    let (_, json) = audit_json(file, RULES, &[]);
    assert_eq!(json_findings(&json)[0].1, "info");
    let lines: Vec<u64> = json["deals"]
        .as_array()
        .expect("deals")
        .iter()
        .map(|d| d["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(lines, vec![2, 4, 5]);
}

#[test]
fn malformed_quoting_is_in006_and_the_value_is_kept() {
    let file = "fixtures/input/quoting.csv";
    let a = audit(&[file], Some(RULES));
    assert_eq!(
        findings(&a),
        vec![
            finding("IN006", 4, Some("Deal")),
            finding("IN006", 5, Some("Customer")),
        ]
    );
    let f = said(&a);
    assert_eq!(f[0].file, file);
    assert_eq!(f[0].record_id.as_deref(), Some("Q-2"));
    assert!(
        f[0].message
            .contains("the value is kept as read: `Beta 12\" rack`"),
        "{}",
        f[0].message
    );
    assert!(f[1].message.contains("`Gamma Inc`"), "{}", f[1].message);
    let (_, json) = audit_json(file, RULES, &[]);
    let severities: Vec<String> = json_findings(&json).into_iter().map(|f| f.1).collect();
    assert_eq!(severities, vec!["warning", "warning"]);
    // Well-formed quoting (doubled quotes, a comma and a line break inside) reads cleanly.
    assert_eq!(deal_field(&json, 0, "name"), "Alpha \"Phase 1\" renewal");
    assert_eq!(deal_field(&json, 0, "account"), "Alpha, Ltd");
    assert_eq!(deal_field(&json, 1, "name"), "Beta 12\" rack");
    assert_eq!(deal_field(&json, 2, "account"), "Gamma Inc");
    assert_eq!(json["inputs"][0]["records"], 3);
}

#[test]
fn in006_fixture() {
    let a = audit(&["fixtures/checks/IN006/export.csv"], Some(RULES));
    assert_eq!(findings(&a), vec![finding("IN006", 3, Some("Deal"))]);
    let r = run(pipelint().args(["explain", "IN006"]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("the value is kept"), "{}", r.stdout);
}

#[test]
fn an_unclosed_quote_names_where_it_opened() {
    let a = audit(&["fixtures/input/unclosed_quote.csv"], Some(RULES));
    assert_eq!(findings(&a), vec![finding("IN002", 3, None)]);
    let f = &said(&a)[0];
    assert!(
        f.message
            .contains("the quote opened at line 3, column 20 is never closed"),
        "{}",
        f.message
    );

    let dir = tempfile::tempdir().expect("tempdir");
    // The last value of the last row, open to the end: the row keeps its fields (IN006).
    let text = std::fs::read_to_string("fixtures/checks/IN006/export.csv").expect("fixture")
        + "D-3,Gamma,Gamma Inc,Ann,Lead,,31/12/2026,,APAC,,\"5";
    let file = common::temp_file(&dir, "last.csv", text);
    let a = audit(&[&file], Some(RULES));
    assert_eq!(
        findings(&a),
        vec![
            finding("IN006", 3, Some("Deal")),
            finding("IN006", 4, Some("Discount")),
        ]
    );
    assert!(
        said(&a)[1]
            .message
            .contains("the quote opened at line 4, column 49 is never closed"),
        "{}",
        said(&a)[1].message
    );

    let file = common::temp_file(&dir, "h.csv", "Ref,Deal,\"Customer\nRep\n1,2,3\n");
    let r = run(pipelint().args(["audit", &file, "-r", RULES, "--as-of", AS_OF]));
    assert_exit_2(&r, "the quote opened at line 1, column 10 is never closed");
}
