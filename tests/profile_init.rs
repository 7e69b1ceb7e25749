//! `profile`, `init` and malformed input, end to end through the binary: status, stdout and
//! stderr from one run.

mod common;

use common::{AS_OF, Run, assert_exit_2, pipelint, temp_file};

fn run(args: &[&str]) -> Run {
    common::run(pipelint().args(args))
}

#[test]
fn profile_table_shows_the_file_and_every_column() {
    let r = run(&["profile", "fixtures/real/sf_report_cp1252_footer.csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    for needle in [
        "pipelint profile: fixtures/real/sf_report_cp1252_footer.csv",
        "  Encoding      windows-1252",
        "  Delimiter     ,",
        "  Records       6; 5 report rows skipped (footer, totals)",
        "  Preset        salesforce (auto-detected",
        "│ Close Date ",
        "%m/%d/%Y",
        "Dana Whitfield (2), Priya Raman (2)",
        "each value once",
    ] {
        assert!(r.stdout.contains(needle), "{needle:?} not in\n{}", r.stdout);
    }
}

#[test]
fn profile_json_parses_back_with_exact_figures() {
    let r = run(&[
        "profile",
        "fixtures/real/excel_semicolon_decimal_comma.csv",
        "-f",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert_eq!(v["schema"], "pipelint.profile/1");
    let file = &v["file"];
    assert_eq!(file["encoding"], "utf-8-bom");
    assert_eq!(file["delimiter"], ";");
    assert_eq!(file["decimal"], ",");
    assert_eq!(file["records"], 5);
    let columns = v["columns"].as_array().expect("columns");
    let by_name = |n: &str| {
        columns
            .iter()
            .find(|c| c["name"] == n)
            .unwrap_or_else(|| panic!("column {n}"))
    };
    let close = by_name("Close Date");
    assert_eq!(close["type"], "date");
    assert_eq!(close["date_format"], "%d.%m.%Y");
    assert_eq!(close["date_format_ambiguous_with"], serde_json::Value::Null);
    let amount = by_name("Amount");
    assert_eq!(amount["type"], "money");
    assert_eq!(amount["min"], -1200.0);
    assert_eq!(amount["max"], 1250000.5);
    let next = by_name("Next Step");
    assert_eq!(
        (next["filled"].as_u64(), next["empty"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(next["fill_rate"], 60.0);
}

#[test]
fn profile_counts_placeholders_and_flags_ambiguous_dates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = temp_file(
        &dir,
        "pull.csv",
        "Deal,Stage,Close,Owner\nA,Won,02/03/2026,N/A\nB,Lost,05/06/2026,null\nC,Won,07/08/2026,Ann\n",
    );
    let r = run(&["profile", &path, "-f", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let owner = &v["columns"][3];
    assert_eq!(owner["filled"], 1);
    assert_eq!(
        owner["placeholders"],
        serde_json::json!([{"value": "N/A", "count": 1}, {"value": "null", "count": 1}])
    );
    let close = &v["columns"][2];
    assert_eq!(close["date_format"], "%m/%d/%Y");
    assert_eq!(close["date_format_ambiguous_with"], "%d/%m/%Y");
    let table = run(&["profile", &path]);
    assert!(table.stdout.contains("%m/%d/%Y?"), "{}", table.stdout);
    assert!(
        table
            .stdout
            .contains("no value of Close has a day above 12"),
        "{}",
        table.stdout
    );
}

#[test]
fn init_from_drafts_rules_that_audit_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run(&[
        "init",
        "--from",
        "fixtures/real/excel_semicolon_decimal_comma.csv",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for needle in [
        "[input]",
        "date_formats = [\"%d.%m.%Y\"]",
        "decimal = \",\"",
        "delimiter = \";\"",
        "stage = \"Stage\"",
        "name = \"Needs Analysis\"",
        "outcome = \"won\"",
    ] {
        assert!(r.stdout.contains(needle), "{needle:?} not in\n{}", r.stdout);
    }
    let rules = temp_file(&dir, "drafted.toml", &r.stdout);
    let check = run(&["rules", "check", &rules]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let audit = run(&[
        "audit",
        "fixtures/real/excel_semicolon_decimal_comma.csv",
        "-r",
        &rules,
        "--as-of",
        AS_OF,
        "-f",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&audit.stdout).expect("json");
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(
        !codes.contains(&"VAL001") && !codes.contains(&"VAL006"),
        "{codes:?}"
    );
    assert_eq!(v["summary"]["records"], 5);
}

#[test]
fn init_without_a_file_prints_a_preset_to_edit() {
    let r = run(&["init", "--preset", "hubspot"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("# pipelint rules: a copy of the built-in hubspot preset")
    );
    assert!(r.stdout.contains("name = \"Appointment Scheduled\""));
    let generic = run(&["init"]);
    assert!(
        generic.stdout.contains("built-in generic preset"),
        "{}",
        generic.stdout
    );
}

#[test]
fn an_export_no_preset_fits_points_to_init() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = temp_file(&dir, "odd.csv", "Ref,Kunde,Phase,Wert\n1,A,Angebot,10\n");
    let r = run(&["audit", &path, "--as-of", AS_OF]);
    assert_exit_2(&r, "no built-in preset fits this header");
    assert!(
        r.stderr.contains(&format!("pipelint init --from {path}")),
        "{}",
        r.stderr
    );
    // And the draft it points to works.
    let draft = run(&["init", "--from", &path]);
    assert_eq!(draft.code, 0, "{}", draft.stderr);
    let rules = temp_file(&dir, "odd.toml", &draft.stdout);
    let audit = run(&["audit", &path, "-r", &rules, "--as-of", AS_OF]);
    assert!(audit.code == 0 || audit.code == 1, "{}", audit.stderr);
}

#[test]
fn stage_values_no_preset_knows_refuse_auto_detection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = temp_file(
        &dir,
        "spanish.csv",
        "Id,Name,StageName,Amount,CloseDate\n1,A,Fase Uno,10,2026-01-01\n2,B,Fase Dos,20,2026-01-02\n",
    );
    let r = run(&["audit", &path, "--as-of", AS_OF]);
    assert_exit_2(
        &r,
        "none of the stage values in the first rows (Fase Uno, Fase Dos)",
    );
    assert!(r.stderr.contains("pipelint init --from"), "{}", r.stderr);
    // Naming the preset audits anyway.
    let forced = run(&[
        "audit",
        &path,
        "--preset",
        "salesforce",
        "--as-of",
        AS_OF,
        "-q",
    ]);
    assert_eq!(forced.code, 1, "{}", forced.stderr);
}

#[test]
fn binary_garbage_is_refused_with_the_file_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 32) as u8).collect();
    let path = temp_file(&dir, "image.csv", bytes);
    for cmd in [
        vec!["audit", path.as_str(), "--as-of", AS_OF],
        vec!["profile", path.as_str()],
        vec!["init", "--from", path.as_str()],
    ] {
        let r = run(&cmd);
        assert_exit_2(&r, "does not look like a CSV export");
        assert!(r.stderr.contains("image.csv"), "{}", r.stderr);
    }
}

#[test]
fn an_unclosed_quote_is_reported_at_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = temp_file(
        &dir,
        "cut.csv",
        "Opportunity Name,Stage,Amount,Close Date\nA,Prospecting,1,1/1/2027\n\"B,Prospecting,2,1/2/2027\nC,Prospecting,3,1/3/2027\n",
    );
    let r = run(&["audit", &path, "--as-of", AS_OF, "-f", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let f = &v["findings"][0];
    assert_eq!(
        (f["code"].as_str(), f["line"].as_u64()),
        (Some("IN002"), Some(3))
    );
    assert!(
        f["message"].as_str().is_some_and(|m| m.contains("quote")),
        "{f}"
    );
    assert_eq!(v["summary"]["records"], 1);
    // A header that never ends cannot be audited.
    let header = temp_file(&dir, "header.csv", "\"Opportunity Name,Stage\n");
    assert_exit_2(&run(&["audit", &header]), "never ends");
}

#[test]
fn a_million_character_cell_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let long = "x".repeat(1_000_000);
    let path = temp_file(
        &dir,
        "long.csv",
        format!(
            "Opportunity Name,Stage,Amount,Close Date\n{long},Prospecting,1,1/1/2027\nB,Prospecting,2,1/2/2027\n"
        ),
    );
    let r = run(&["audit", &path, "--as-of", AS_OF, "-f", "json"]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["summary"]["records"], 2);
    let lines: Vec<u64> = v["deals"]
        .as_array()
        .expect("deals")
        .iter()
        .filter_map(|d| d["line"].as_u64())
        .collect();
    assert_eq!(lines, vec![2, 3]);
    let p = run(&["profile", &path, "-f", "json"]);
    assert_eq!(p.code, 0, "{}", p.stderr);
}

#[test]
fn empty_and_header_only_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = temp_file(&dir, "empty.csv", "");
    for cmd in [
        vec!["audit", empty.as_str()],
        vec!["profile", empty.as_str()],
        vec!["init", "--from", empty.as_str()],
    ] {
        assert_exit_2(&run(&cmd), "is empty");
    }
    let bom_only = temp_file(&dir, "bom.csv", b"\xef\xbb\xbf");
    assert_exit_2(&run(&["audit", &bom_only]), "is empty");
    let header = temp_file(
        &dir,
        "header.csv",
        "Opportunity Name,Stage,Amount,Close Date\r\n",
    );
    // Audited, with no deals: the gate fails (a sync that lost its rows) unless allowed.
    let r = run(&["audit", &header, "--as-of", AS_OF]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("Records       0 deals"), "{}", r.stdout);
    let r = run(&["audit", &header, "--as-of", AS_OF, "--allow-empty"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let p = run(&["profile", &header, "-f", "json"]);
    let v: serde_json::Value = serde_json::from_str(&p.stdout).expect("json");
    assert_eq!(v["file"]["records"], 0);
    let draft = run(&["init", "--from", &header]);
    assert_eq!(draft.code, 0, "{}", draft.stderr);
}

#[test]
fn standard_input_arriving_in_pieces_is_sniffed_as_a_whole() {
    use std::io::Write;
    use std::process::{Command as StdCommand, Stdio};
    let text = "Opportunity Name;Stage;Amount;Close Date\nAlpha;Prospecting;12.500,00;31.01.2027\nBeta;Qualification;9.000;15.02.2027\n";
    let bin = assert_cmd::cargo::cargo_bin("pipelint");
    let mut child = StdCommand::new(bin)
        .args(["audit", "-", "--as-of", AS_OF, "-f", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(&text.as_bytes()[..10])
        .expect("first piece");
    stdin.flush().expect("flush");
    std::thread::sleep(std::time::Duration::from_millis(300));
    stdin.write_all(&text.as_bytes()[10..]).expect("rest");
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v["inputs"][0]["delimiter"], ";");
    assert_eq!(v["summary"]["records"], 2);
    assert_eq!(v["summary"]["open_amount"][0]["amount"], "21500.00");
}
