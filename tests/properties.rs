//! Arbitrary input never panics the audit: CSV bytes of any shape and encoding through the
//! whole audit and every report format. (The reader, the value parsers, rules text,
//! inference and drafting have their own property tests beside their code.)

mod common;

use pipelint::{EmitOptions, Format, GateSettings};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn audit_never_panics_on_arbitrary_csv(body in proptest::collection::vec(
        prop_oneof![
            Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b'$'), Just(b'/'), Just(0u8), Just(0xFFu8),
            any::<u8>(), Just(b'1'), Just(b'L'),
        ],
        0..600,
    )) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("fuzz.csv");
        let mut bytes = b"Ref,Deal,Customer,Rep,Phase,Value,Expected Close,Next Action,Region,PO Number,Discount\n".to_vec();
        bytes.extend_from_slice(&body);
        std::fs::write(&path, &bytes).expect("write");
        let result = common::try_audit(&[path.to_str().expect("path")], Some("fixtures/checks/rules.toml"));
        audited_or_refused(result, &bytes, "fuzz.csv", &[Format::Table, Format::Json])?;
    }
}

/// What `pipelint audit` would exit with, through the library: an audit (0 or 1, its gate's
/// verdict) whose records are no more than the file's lines and which renders in `formats`,
/// or a refusal (2) that names the file.
fn audited_or_refused(
    result: anyhow::Result<pipelint::AuditRun>,
    bytes: &[u8],
    name: &str,
    formats: &[Format],
) -> Result<(), TestCaseError> {
    match result {
        Ok(audit) => {
            let report = audit.report(&GateSettings::default());
            let lines = bytes
                .iter()
                .filter(|b| **b == b'\n' || **b == b'\r')
                .count() as u64
                + 1;
            let records = report.summary().records;
            prop_assert!(records <= lines, "{} records from {} lines", records, lines);
            let exit = if report.gate().passed { 0 } else { 1 };
            prop_assert!(
                exit == 1
                    || report
                        .findings()
                        .all(|f| f.severity != pipelint::Severity::Error)
            );
            for format in formats {
                let mut out = Vec::new();
                report
                    .emit(*format, &EmitOptions::default(), &mut out)
                    .expect("render");
                prop_assert!(!out.is_empty(), "{:?} wrote nothing", format);
            }
        }
        Err(e) => {
            let message = format!("{e:#}");
            prop_assert!(
                message.contains(name),
                "a refusal that does not name the file: {}",
                message
            );
        }
    }
    Ok(())
}

/// A byte-order mark (or none) to put before arbitrary content.
fn bom() -> impl Strategy<Value = &'static [u8]> {
    prop_oneof![
        Just(&b""[..]),
        Just(&b"\xef\xbb\xbf"[..]),
        Just(&b"\xff\xfe"[..]),
        Just(&b"\xfe\xff"[..]),
    ]
}

/// Bytes that stress decoding and dialect sniffing: delimiters, quotes, line breaks, NULs,
/// Windows-1252 and UTF-8 lead bytes, and anything else.
fn messy_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            Just(b','),
            Just(b';'),
            Just(b'\t'),
            Just(b'|'),
            Just(b'"'),
            Just(b'\n'),
            Just(b'\r'),
            Just(0u8),
            Just(0xE9u8),
            Just(0xC3u8),
            Just(0x80u8),
            Just(b'1'),
            Just(b'/'),
            any::<u8>(),
        ],
        0..max,
    )
}

/// A CSV cell: words, numbers, dates, placeholders, and hostile text.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z ]{0,10}",
        "[0-9]{1,6}(\\.[0-9]{1,3})?",
        "[0-3]?[0-9]/[0-3]?[0-9]/20[0-9]{2}",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]",
        Just("N/A".to_string()),
        Just("null".to_string()),
        Just("TRUE".to_string()),
        Just("Closed Won".to_string()),
        "\\PC{0,12}",
        "[\"\\\\#\n\r,;=\\[\\]{}' ]{0,6}",
    ]
}

/// The canonical field names (docs/GUIDE.md, "The rules file").
const CANONICAL: [&str; 17] = [
    "id",
    "name",
    "account",
    "owner",
    "stage",
    "amount",
    "currency",
    "close_date",
    "created_date",
    "last_activity",
    "stage_changed",
    "probability",
    "forecast_category",
    "next_step",
    "push_count",
    "stage_age",
    "status",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn opening_and_profiling_never_panic(prefix in bom(), body in messy_bytes(3000)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("any.csv");
        let mut bytes = prefix.to_vec();
        bytes.extend_from_slice(&body);
        std::fs::write(&path, &bytes).expect("write");
        let p = path.to_str().expect("path");
        // Profile and draft: an answer or a clear refusal (exit 2), never a panic.
        for args in [&["profile", p, "-f", "json"][..], &["init", "--from", p][..]] {
            let run = common::run(common::pipelint().args(args));
            prop_assert!(run.code == 0 || run.code == 2, "{:?}: exit {}: {}", args, run.code, run.stderr);
            prop_assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
            if run.code == 2 {
                prop_assert!(run.stderr.contains("any.csv"), "a refusal without its file: {}", run.stderr);
            } else if args[0] == "profile" {
                let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("profile JSON");
                prop_assert_eq!(&json["schema"], "pipelint.profile/1");
            } else {
                // Whatever the bytes, a draft is rules that check.
                let rules = dir.path().join("draft.toml");
                std::fs::write(&rules, &run.stdout).expect("write draft");
                let check = common::run(common::pipelint().args(["rules", "check", rules.to_str().expect("path")]));
                prop_assert_eq!(check.code, 0, "invalid draft: {}\n{}", check.stderr, run.stdout);
            }
        }
    }


    /// Whatever the export holds, its draft is valid rules, and auditing the export with it
    /// finds no unknown stage and no value the draft's own typing rejects.
    #[test]
    fn drafts_are_valid_and_fit_their_export(
        header in proptest::collection::vec("[A-Za-z][A-Za-z _#\"\\\\]{0,10}", 2..6),
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 6), 0..30),
        stage_col in 0usize..6,
    ) {
        let width = header.len();
        let mut names: Vec<String> = Vec::new();
        for (i, h) in header.iter().enumerate() {
            let h = h.trim();
            // Distinct, non-empty header names.
            names.push(if h.is_empty() || names.iter().any(|n| n.eq_ignore_ascii_case(h)) {
                format!("col{i}")
            } else {
                h.to_string()
            });
        }
        // One column is the stage, so stage rules are drafted.
        names[stage_col % width] = "Stage".to_string();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&names).expect("header");
        for r in &rows {
            w.write_record(&r[..width]).expect("row");
        }
        let bytes = w.into_inner().expect("csv");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pull.csv");
        std::fs::write(&path, &bytes).expect("write");
        let p = path.to_str().expect("path");
        let run = common::run(common::pipelint().args(["init", "--from", p]));
        prop_assert_eq!(run.code, 0, "{}", run.stderr);
        let text = run.stdout;
        let rules_path = dir.path().join("draft.toml");
        std::fs::write(&rules_path, &text).expect("write draft");
        let check = common::run(common::pipelint().args(["rules", "check", rules_path.to_str().expect("path")]));
        prop_assert_eq!(check.code, 0, "invalid draft: {}\n{}", check.stderr, text);
        let audit = common::try_audit(&[p], Some(rules_path.to_str().expect("path")));
        let audit = match audit {
            Ok(a) => a,
            Err(e) => return Err(TestCaseError::fail(format!("{e:#}\n{text}"))),
        };
        for f in common::said(&audit) {
            let field = f.field.as_deref().unwrap_or("");
            let canonical = CANONICAL.contains(&field);
            let code = f.code.as_str();
            prop_assert!(code != "VAL006", "unknown stage: {}\n{}", f.message, text);
            prop_assert!(
                canonical || !code.starts_with("VAL"),
                "{code} on {field}: {}\n{}", f.message, text
            );
        }
    }

    #[test]
    fn audit_never_panics_whatever_the_encoding(prefix in bom(), body in messy_bytes(1500)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("any.csv");
        let mut bytes = prefix.to_vec();
        let header = "Ref,Deal,Customer,Rep,Phase,Value,Expected Close,Next Action,Region,PO Number,Discount\n";
        match prefix {
            b"\xff\xfe" => bytes.extend(header.encode_utf16().flat_map(u16::to_le_bytes)),
            b"\xfe\xff" => bytes.extend(header.encode_utf16().flat_map(u16::to_be_bytes)),
            _ => bytes.extend_from_slice(header.as_bytes()),
        }
        bytes.extend_from_slice(&body);
        std::fs::write(&path, &bytes).expect("write");
        let result = common::try_audit(&[path.to_str().expect("path")], Some("fixtures/checks/rules.toml"));
        audited_or_refused(result, &bytes, "any.csv", &[])?;
    }

}
