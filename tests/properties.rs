//! Arbitrary input never panics: CSV bytes through the reader and the whole audit, cell
//! values through every parser, and rules text through both validation phases.

mod common;

use pipelint::input::{RecordReader, Rows};
use pipelint::rules::{self, RulesText, UserRules};
use pipelint::values::{
    DateFormat, DecimalMark, parse_date, parse_money, parse_number, parse_percent,
};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn reader_never_panics_and_lines_increase(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut reader = RecordReader::new(bytes.as_slice(), b',');
        let mut rows = Rows::default();
        let mut last = 0;
        while let Ok(true) = reader.read_into(&mut rows) {
            let row = rows.get(rows.len() - 1).expect("the row just read");
            prop_assert!(row.line > last);
            last = row.line;
            for field in row.iter() {
                let _ = String::from_utf8_lossy(field);
            }
        }
    }

    #[test]
    fn value_parsers_never_panic(s in "\\PC{0,40}", comma in any::<bool>()) {
        let mark = if comma { DecimalMark::Comma } else { DecimalMark::Point };
        let formats = [
            DateFormat::compile("%m/%d/%Y").expect("format"),
            DateFormat::compile("%d %b %Y %I:%M %p").expect("format"),
        ];
        let _ = parse_date(&s, &formats);
        let _ = parse_money(&s, mark, None);
        let _ = parse_number(&s, mark);
        let _ = parse_percent(&s, mark, true);
    }

    #[test]
    fn money_round_trips(units in -9_000_000_000_000_000i64..9_000_000_000_000_000i64) {
        let m = pipelint::values::Money(units);
        let parsed = parse_money(&m.to_string(), DecimalMark::Point, None).expect("own output parses");
        prop_assert_eq!(parsed.amount, m);
    }

    #[test]
    fn rules_text_never_panics(text in "(\\[[a-z]{1,8}\\]\n|[a-z_]{1,10} = (\"[^\"\n]{0,12}\"|[0-9]{1,4}|\\[\"[A-Za-z ]{0,8}\"\\]|true|\\{ field = \"amount\", gte = 1 \\})\n|\\[\\[(stages|rules)\\]\\]\n){0,12}") {
        let user = UserRules::parse(RulesText { name: "fuzz.toml".into(), text });
        let _ = rules::build(Some(&user), None, None).map_err(|e| e.to_string());
    }

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
        if let Ok(audit) = result {
            let verdict = pipelint::gate::Verdict { passed: true, reasons: vec![] };
            let model = pipelint::report::model::build(&audit, verdict);
            let ctx = pipelint::report::RenderContext { audit: &audit, model: &model, top: 20, color: false, terminal: false };
            for format in [pipelint::cli::Format::Table, pipelint::cli::Format::Json] {
                let mut out = Vec::new();
                pipelint::report::emitter(format).emit(&ctx, &mut out).expect("render");
            }
        }
    }
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
        if let Ok(export) = pipelint::input::open(p, None) {
            let _ = pipelint::infer::FileProfile::scan(export, &pipelint::values::Placeholders::default(), None);
        }
        if let Ok(export) = pipelint::input::open(p, None) {
            let _ = pipelint::draft::draft(export, None, "fuzz");
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
        let _ = common::try_audit(&[path.to_str().expect("path")], Some("fixtures/checks/rules.toml"));
    }

    #[test]
    fn inference_never_panics(s in "\\PC{0,40}") {
        let candidates = pipelint::infer::Candidates::new();
        let mut dates = pipelint::infer::DateEvidence::default();
        dates.observe(&s, &candidates);
        let _ = dates.verdict();
        let mut numbers = pipelint::infer::NumberEvidence::default();
        numbers.observe(&s);
        let _ = numbers.decimal();
        let _ = pipelint::values::parse_bool(&s);
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
        let export = pipelint::input::open(p, None).expect("a CSV with a header opens");
        let text = pipelint::draft::draft(export, None, "fuzz").expect("draft");
        let user = UserRules::parse(RulesText { name: "draft.toml".into(), text: text.clone() });
        let built = rules::build(Some(&user), None, None);
        prop_assert!(built.is_ok(), "invalid draft: {}\n{}", built.err().map(|e| e.to_string()).unwrap_or_default(), text);
        let rules_path = dir.path().join("draft.toml");
        std::fs::write(&rules_path, &text).expect("write draft");
        let audit = common::try_audit(&[p], Some(rules_path.to_str().expect("path")));
        let audit = match audit {
            Ok(a) => a,
            Err(e) => return Err(TestCaseError::fail(format!("{e:#}\n{text}"))),
        };
        for f in &audit.findings {
            let field = audit.finding_field(f).unwrap_or("");
            let canonical = pipelint::field::Canonical::parse(field).is_some();
            let code = f.code.as_str();
            prop_assert!(code != "VAL006", "unknown stage: {}\n{}", audit.message(f), text);
            prop_assert!(
                canonical || !code.starts_with("VAL"),
                "{code} on {field}: {}\n{}", audit.message(f), text
            );
        }
    }
}
