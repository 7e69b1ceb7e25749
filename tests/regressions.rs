//! One test per bug found after the first release of the engine, named after what broke.

mod common;

use common::{finding, findings, try_audit};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf-8 path").to_string()
}

fn audit(csv: &str, rules: &str) -> pipelint::engine::Audit {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = write(&dir, "export.csv", csv);
    let r = write(&dir, "rules.toml", rules);
    try_audit(&[&c], Some(&r)).unwrap_or_else(|e| panic!("{e:#}"))
}

#[test]
fn a_rule_naming_a_mapped_header_applies_to_the_canonical_field() {
    // `Value` is mapped to amount; a stage, a rule and [fields] name it by its header.
    let rules = r#"
[columns]
stage = "Phase"
amount = "Value"
[fields]
"Value" = { required = true, min = 0 }
[[stages]]
name = "Lead"
requires = ["Value"]
[[rules]]
id = "big"
when = { field = "Value", gte = 50000 }
requires = ["PO"]
"#;
    let a = audit("Phase,Value,PO\nLead,,\nLead,60000,\nLead,-5,x\n", rules);
    assert_eq!(
        findings(&a),
        vec![
            finding("REQ002", 2, Some("amount")),
            finding("REQ003", 3, Some("PO")),
            finding("VAL005", 4, Some("amount")),
        ]
    );
    // One field, counted once per record: amount (3 records) and PO (record 2).
    let amount = &a.tallies.fields[pipelint::field::Canonical::Amount as usize];
    assert_eq!(
        (
            amount.applicable,
            amount.filled,
            amount.missing,
            amount.invalid
        ),
        (3, 1, 1, 1)
    );
}

#[test]
fn a_header_spelled_like_a_canonical_field_is_that_field() {
    // No [columns] for amount: the header "Amount" maps itself, so "Amount" in [fields]
    // and `amount` are the same field and a bad value gets one finding.
    let rules = r#"
[columns]
stage = "Stage"
[fields]
"Amount" = { type = "money", required = true }
[[stages]]
name = "Demo"
requires = ["amount"]
"#;
    let a = audit("Id,Stage,Amount\n1,Demo,abc\n2,Demo,\n", rules);
    assert_eq!(
        findings(&a),
        vec![
            finding("VAL002", 2, Some("amount")),
            finding("REQ002", 3, Some("amount"))
        ]
    );
}

#[test]
fn placeholder_ids_are_not_duplicates() {
    let rules = "[[stages]]\nname = \"A\"\n";
    let a = audit("id,stage\nN/A,A\nN/A,A\n-,A\n-,A\n7,A\n7,A\n", rules);
    assert_eq!(findings(&a), vec![finding("DUP001", 7, Some("id"))]);
}

#[test]
fn a_placeholder_currency_is_no_currency() {
    let rules = "[[stages]]\nname = \"A\"\n";
    let a = audit("id,stage,amount,currency\n1,A,100,USD\n2,A,50,TBD\n", rules);
    let currencies: Vec<Option<String>> = a
        .deals
        .iter()
        .map(|d| d.currency.map(|c| c.to_string()))
        .collect();
    assert_eq!(currencies, vec![Some("USD".into()), None]);
    let m = pipelint::report::model::build(
        &a,
        pipelint::gate::Verdict {
            passed: true,
            reasons: vec![],
        },
    );
    // The unlabelled 50 counts in the export's only named currency.
    assert_eq!(m.summary.open_amount.len(), 1);
    assert_eq!(m.summary.open_amount[0].amount, "150.00");
}

#[test]
fn stage_names_match_ignoring_unicode_case() {
    let rules = "[[stages]]\nname = \"Qualifié\"\n[[stages]]\nname = \"Négociation\"\n";
    let a = audit("id,stage\n1,QUALIFIÉ\n2,négociation\n", rules);
    assert_eq!(findings(&a), vec![]);
}

#[test]
fn bom_then_blank_lines_keep_the_header_line() {
    let rules = "[[stages]]\nname = \"A\"\n";
    let a = audit("\u{feff}\n\nid,stage,id\n1,A,2\n", rules);
    assert_eq!(findings(&a), vec![finding("IN005", 3, Some("id"))]);
}

#[test]
fn min_above_max_is_a_rules_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = write(&dir, "e.csv", "id,stage,x\n1,A,3\n");
    let r = write(
        &dir,
        "r.toml",
        "[fields]\nx = { type = \"number\", min = 5, max = 1 }\n[[stages]]\nname = \"A\"\n",
    );
    let err = try_audit(&[&c], Some(&r)).err().expect("rules error");
    assert!(
        format!("{err:#}").contains("r.toml:2:39: `x` has min above max"),
        "{err:#}"
    );
}

#[test]
fn two_fields_on_one_column_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = write(&dir, "e.csv", "Title,Phase\nAcme,A\n");
    let r = write(
        &dir,
        "r.toml",
        "[columns]\nname = \"Title\"\naccount = \"Title\"\nstage = \"Phase\"\n[[stages]]\nname = \"A\"\n",
    );
    let err = try_audit(&[&c], Some(&r)).err().expect("binding error");
    assert!(
        format!("{err:#}").contains("fields `account` and `name` both read the column `Title`")
            || format!("{err:#}")
                .contains("fields `name` and `account` both read the column `Title`"),
        "{err:#}"
    );
}
