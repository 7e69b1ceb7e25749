//! Property tests of the drafter: whatever an export holds (empty, repeated or hostile
//! headers; stage words, dates, amounts, notes, control characters), `init --from` drafts a
//! rules file that parses, passes the rules' validation (`rules check`) and binds to the
//! export's own header — the three steps an analyst takes next.

use proptest::prelude::*;

use super::{History, draft};
use crate::facts::mapping::{FieldTable, bind};
use crate::rules::{RulesText, UserRules, build};

/// Headers a real or hostile export may carry.
const HEADERS: [&str; 16] = [
    "Stage",
    "Close Date",
    "Amount",
    "Owner",
    "",
    "Deal",
    "Type",
    "Description",
    "Status",
    "stage",
    "Probability",
    "x\n[checks]\nVAL006 = \"off\"",
    "Forecast",
    "Etapa",
    "Created",
    "id",
];

/// Cell values: stage words, outcomes, dates, amounts, notes, hostile text.
const VALUES: [&str; 18] = [
    "Prospecting",
    "Negotiation",
    "Closed Won",
    "Closed Lost",
    "Fase 2",
    "2026-11-30",
    "31.12.3999",
    "$12,500.00",
    "42",
    "",
    "N/A",
    "Open",
    "Won",
    "a long note that says the deal was won after a tough fight with the incumbent",
    "]] # \"\"\"",
    "x\n[checks]\nVAL006 = \"off\"",
    "\u{1b}[31mred",
    "Renewal",
];

/// A CSV field, quoted when it needs to be.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn export() -> impl Strategy<Value = String> {
    (2usize..7).prop_flat_map(|width| {
        (
            proptest::collection::vec(0..HEADERS.len(), width),
            proptest::collection::vec(proptest::collection::vec(0..VALUES.len(), width), 1..30),
        )
            .prop_map(|(header, rows)| {
                let mut csv = header
                    .iter()
                    .map(|&h| field(HEADERS[h]))
                    .collect::<Vec<_>>()
                    .join(",");
                csv.push('\n');
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|&v| field(VALUES[v])).collect();
                    csv.push_str(&cells.join(","));
                    csv.push('\n');
                }
                csv
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Every draft checks and binds to the export it was drafted from.
    #[test]
    fn every_draft_checks_and_binds(csv in export()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("export.csv");
        std::fs::write(&path, &csv).expect("write");
        let path = path.to_str().expect("utf-8 path");
        let Ok(export) = crate::input::open(path, None) else {
            // A file the reader refuses is refused before drafting, as in the command.
            return Ok(());
        };
        let text = draft(export, None, "pipelint init --from export.csv", History::default())
            .map_err(|e| TestCaseError::fail(format!("draft failed: {e:#}\n{csv}")))?;
        let user = UserRules::parse(RulesText { name: "draft.toml".into(), text: text.clone() });
        prop_assert!(user.problems.is_empty(), "{:?}\n{text}", user.problems);
        let rules = build(Some(&user), None, None)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let header = crate::input::open(path, None).expect("opens again").header;
        let table = FieldTable::new(&rules);
        let bound = bind(&rules, &table, &header, "export.csv");
        prop_assert!(bound.is_ok(), "{:?}\n{csv}\n{text}", bound.err());
    }
}
