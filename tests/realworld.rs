//! End to end over every export in ../shared/realworld (real files from public repositories;
//! see SOURCES.md there): each audits with the right record count and readable names with
//! the auto preset, and `init --from` drafts rules that audit it without a single
//! date-format or unknown-stage finding (nor any other value finding the draft's typing
//! could cause).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{report, try_audit};
use pipelint::AuditRun;

fn realworld() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld")
}

/// Every CSV in the directory, sorted.
fn files() -> Vec<PathBuf> {
    let dir = realworld();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} must exist beside the repository: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    assert!(files.len() >= 6, "expected the six real exports");
    files
}

/// What each known file must give with the auto preset: (records, the preset it detects),
/// or `None` for the preset a guess under 70% confidence would pick: the audit stops with
/// advice (`--preset`, `init --from`) instead of flooding unknown-stage findings.
fn expected(name: &str) -> Option<(u64, Option<&'static str>)> {
    Some(match name {
        "hubspot_deals_export_header_only.csv" => (0, Some("hubspot")),
        "maven_crm_sales_pipeline.csv" => (8_800, Some("generic")),
        "maven_crm_sales_pipeline_excel_ddmmyyyy_crlf.csv" => (8_800, Some("generic")),
        // 3 of 6 stage values (Negotiation, Discovery, Proposal/Quote) are not Salesforce's.
        "salesforce_opportunity_api_names_bom.csv" => (50, None),
        "salesforce_opportunity_devorg_excel_mmddyy.csv" => (36, Some("salesforce")),
        // Custom Spanish stages: 2 of 7 are Salesforce's.
        "salesforce_opportunity_export_cp1252_multicurrency.csv" => (512, None),
        _ => return None,
    })
}

/// The audit of a real export: with the auto preset when it fits, else (a guess the audit
/// refuses, the advice checked) with rules drafted by `init --from`, as the advice says.
fn audit_as_advised(path: &Path) -> AuditRun {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
    match try_audit(&[path.to_str().expect("utf-8 path")], None) {
        Ok(a) => a,
        Err(e) => {
            let e = format!("{e:#}");
            assert!(
                e.contains("is only a guess")
                    && e.contains("--preset")
                    && e.contains("init --from"),
                "{name}: {e}"
            );
            let dir = tempfile::tempdir().expect("tempdir");
            let rules = dir.path().join("drafted.toml");
            std::fs::write(&rules, draft(path)).expect("write");
            audit_path(path, Some(&rules))
        }
    }
}

fn codes(a: &AuditRun) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for f in report(a).findings() {
        *m.entry(f.code.as_str()).or_insert(0) += 1;
    }
    m
}

/// Rules drafted by `pipelint init --from FILE`.
fn draft(path: &Path) -> String {
    let run =
        common::run(common::pipelint().args(["init", "--from", path.to_str().expect("utf-8")]));
    assert_eq!(run.code, 0, "{}: {}", path.display(), run.stderr);
    run.stdout
}

fn audit_path(path: &Path, rules: Option<&Path>) -> AuditRun {
    let p = path.to_str().expect("utf-8 path");
    let r = rules.map(|r| r.to_str().expect("utf-8 path"));
    try_audit(&[p], r).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()))
}

#[test]
fn every_real_export_audits_with_the_auto_preset() {
    for path in files() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let auto = try_audit(&[path.to_str().expect("utf-8 path")], None);
        if let Some((_, preset)) = expected(name) {
            assert_eq!(auto.is_ok(), preset.is_some(), "{name}: {:?}", auto.err());
        }
        let a = audit_as_advised(&path);
        let r = report(&a);
        let input = &r.inputs()[0];
        assert_eq!(input.malformed, 0, "{name}");
        if let Some((records, preset)) = expected(name) {
            assert_eq!(input.records, records, "{name}");
            if preset.is_some() {
                assert_eq!(r.rules().preset, preset, "{name}");
            }
        }
        // No deal silently dropped: open + closed + unknown-stage deals = records.
        let s = r.summary();
        assert_eq!(
            s.open + s.closed + s.unknown_stage.deals,
            s.records,
            "{name}"
        );
        // Dates are read in every file, whatever its convention.
        assert_eq!(codes(&a).get("VAL001"), None, "{name}: {:?}", codes(&a));
        // Names are text as written: no replacement characters from a wrong decoding.
        for d in r.deals() {
            let n = d.name.unwrap_or_default();
            assert!(!n.contains('\u{fffd}'), "{name}: line {}: {n}", d.line);
        }
    }
}

#[test]
fn day_first_dates_are_read_as_day_first() {
    // The same 8,800 deals, ISO in one file and DD-MM-YYYY in the other, give the same dates.
    let iso = audit_path(&realworld().join("maven_crm_sales_pipeline.csv"), None);
    let dmy = audit_path(
        &realworld().join("maven_crm_sales_pipeline_excel_ddmmyyyy_crlf.csv"),
        None,
    );
    assert_eq!(
        report(&dmy).inputs()[0].read_from_values,
        vec!["dates as %d-%m-%Y, read from the values".to_string()]
    );
    let dates =
        |a: &AuditRun| -> Vec<Option<String>> { report(a).deals().map(|d| d.close_date).collect() };
    assert_eq!(dates(&iso), dates(&dmy));
    // CRLF shifts nothing: every deal starts on the same line in both.
    let lines = |a: &AuditRun| -> Vec<u64> { report(a).deals().map(|d| d.line).collect() };
    assert_eq!(lines(&iso), lines(&dmy));
}

#[test]
fn windows_1252_multicurrency_export_reads_names_and_exact_sums() {
    let a = audit_as_advised(
        &realworld().join("salesforce_opportunity_export_cp1252_multicurrency.csv"),
    );
    let r = report(&a);
    assert_eq!(r.inputs()[0].encoding, "windows-1252");
    assert_eq!(codes(&a).get("IN003"), Some(&1));
    assert!(r.deals().any(|d| d.name == Some("MEX-Nestlé-TBD-250")));
    // Every amount, summed per currency exactly, in integer ten-thousandths. The file has
    // up to four decimals; each amount is rounded half to even to the cent as it is read
    // (the four-decimal PEN sum would be 921853.5765).
    let mut sums: BTreeMap<String, i128> = BTreeMap::new();
    for d in r.deals() {
        if let Some(m) = &d.amount {
            let c = d.currency.clone().unwrap_or_else(|| "-".to_string());
            *sums.entry(c).or_default() += ten_thousandths(m);
        }
    }
    let shown: Vec<(String, String)> = sums.iter().map(|(c, s)| (c.clone(), decimal(*s))).collect();
    assert_eq!(
        shown,
        vec![
            ("COP".to_string(), "2409155000.00".to_string()),
            ("MXN".to_string(), "42740019.64".to_string()),
            ("PEN".to_string(), "921853.60".to_string()),
            ("USD".to_string(), "193613.29".to_string()),
        ]
    );
}

#[test]
fn drafted_rules_audit_every_real_export_without_value_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    for path in files() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let text = draft(&path);
        let rules = dir.path().join(format!("{name}.toml"));
        std::fs::write(&rules, &text).expect("write draft");
        let a = audit_path(&path, Some(&rules));
        let r = report(&a);
        if let Some((records, _)) = expected(name) {
            assert_eq!(r.inputs()[0].records, records, "{name}");
        }
        let found = codes(&a);
        for code in ["VAL001", "VAL002", "VAL003", "VAL004", "VAL005", "VAL006"] {
            assert_eq!(found.get(code), None, "{name}: {found:?}\n{text}");
        }
        // The draft is the user's own file: no preset underneath, dates as it says (none
        // read from the values).
        assert_eq!(r.rules().preset, None, "{name}");
        assert!(
            !r.inputs()[0]
                .read_from_values
                .iter()
                .any(|v| v.starts_with("dates as")),
            "{name}"
        );
    }
}

#[test]
fn drafted_stages_follow_the_pipeline() {
    let stages = |file: &str| -> Vec<(String, Option<&'static str>)> {
        let text = draft(&realworld().join(file));
        let doc: toml::Table = toml::from_str(&text).expect("valid TOML");
        let outcome = |s: &toml::Value| match s.get("outcome").and_then(|o| o.as_str()) {
            Some("won") => Some("won"),
            Some("lost") => Some("lost"),
            _ => None,
        };
        doc["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .map(|s| {
                (
                    s["name"].as_str().unwrap_or_default().to_string(),
                    outcome(s),
                )
            })
            .collect()
    };
    let s = |v: &[(&str, Option<&'static str>)]| -> Vec<(String, Option<&'static str>)> {
        v.iter().map(|(n, o)| (n.to_string(), *o)).collect()
    };
    // Custom Spanish stages, ordered by the StageSortOrder column.
    assert_eq!(
        stages("salesforce_opportunity_export_cp1252_multicurrency.csv"),
        s(&[
            ("Interes", None),
            ("Diseño Propuesta", None),
            ("Presentación Propuesta", None),
            ("Negociación", None),
            ("Firmas", None),
            ("Closed Won", Some("won")),
            ("Closed Lost", Some("lost")),
        ])
    );
    // Custom stages without a sort column, ordered by their names.
    assert_eq!(
        stages("salesforce_opportunity_api_names_bom.csv"),
        s(&[
            ("Qualification", None),
            ("Discovery", None),
            ("Proposal/Quote", None),
            ("Negotiation", None),
            ("Closed Won", Some("won")),
            ("Closed Lost", Some("lost")),
        ])
    );
    // Maven's pipeline: the generic preset's stages that have deals.
    assert_eq!(
        stages("maven_crm_sales_pipeline.csv"),
        s(&[
            ("Prospecting", None),
            ("Engaging", None),
            ("Won", Some("won")),
            ("Lost", Some("lost")),
        ])
    );
    // All ten Salesforce defaults, in Salesforce's order.
    assert_eq!(
        stages("salesforce_opportunity_devorg_excel_mmddyy.csv").len(),
        10
    );
}

/// `123.4567` as 1234567 ten-thousandths.
fn ten_thousandths(amount: &str) -> i128 {
    let (sign, digits) = amount
        .strip_prefix('-')
        .map_or((1, amount), |rest| (-1, rest));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let frac = format!("{frac:0<4}");
    sign * (int.parse::<i128>().expect("integer part") * 10_000
        + frac[..4].parse::<i128>().expect("fraction"))
}

/// Ten-thousandths as a decimal with two to four decimals, as pipelint writes money.
fn decimal(units: i128) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let u = units.abs();
    let frac = format!("{:04}", u % 10_000);
    let frac = frac.trim_end_matches('0');
    format!("{sign}{}.{frac:0<2}", u / 10_000)
}
