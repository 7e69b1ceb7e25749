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
