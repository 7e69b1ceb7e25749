//! One test per bug found after the first release of the engine, named after what broke.

mod common;

use common::{finding, findings, report, try_audit};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf-8 path").to_string()
}

fn audit(csv: &str, rules: &str) -> pipelint::AuditRun {
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
    let r = report(&a);
    let amount = r
        .by_field()
        .iter()
        .find(|f| f.field == "amount")
        .expect("amount");
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
    let m = report(&a);
    let currencies: Vec<Option<String>> = m.deals().map(|d| d.currency).collect();
    assert_eq!(currencies, vec![Some("USD".into()), None]);
    // The unlabelled 50 counts in the export's only named currency.
    assert_eq!(m.summary().open_amount.len(), 1);
    assert_eq!(m.summary().open_amount[0].amount, "150.00");
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

// --- Found reviewing the forecast-risk work -------------------------------------------

/// A small pipeline: `Ref`, `Deal`, `Customer`, `Phase`; stages Demo (open) and Won.
const SMALL: &str = r#"
[columns]
id = "Ref"
name = "Deal"
account = "Customer"
stage = "Phase"
[[stages]]
name = "Demo"
[[stages]]
name = "Won"
outcome = "won"
"#;

fn signals(a: &pipelint::AuditRun, deal: usize) -> Vec<(String, String)> {
    let d = report(a).deals().nth(deal).expect("deal");
    d.risk
        .map(|r| {
            r.signals
                .into_iter()
                .map(|s| (s.signal.to_string(), s.detail))
                .collect()
        })
        .unwrap_or_default()
}

fn messages(a: &pipelint::AuditRun, code: &str) -> Vec<String> {
    common::messages(a, code)
}

#[test]
fn an_unmet_requirement_past_the_sixteenth_still_fires_exit_criteria() {
    let names: Vec<String> = (1..=17).map(|i| format!("F{i}")).collect();
    let requires = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let rules = format!(
        "[columns]\nstage = \"Phase\"\n[[stages]]\nname = \"Demo\"\nrequires = [{requires}]\n"
    );
    let header = format!("Phase,{}\n", names.join(","));
    let filled = vec!["x"; 16].join(",");
    let a = audit(&format!("{header}Demo,{filled},\n"), &rules);
    assert_eq!(findings(&a), vec![finding("REQ002", 2, Some("F17"))]);
    let s = signals(&a, 0);
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].0, "exit_criteria");
    assert!(s[0].1.contains("past the 16th"), "{}", s[0].1);
}

#[test]
fn no_won_deal_amount_finding_when_the_export_has_no_amount() {
    let a = audit("Ref,Deal,Customer,Phase\nA,x,Acme,Won\n", SMALL);
    assert_eq!(findings(&a), vec![]);
}

#[test]
fn amount_must_be_read_as_money() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = write(&dir, "export.csv", "Ref,Phase,Value\nA,Won,5000\n");
    let r = write(
        &dir,
        "rules.toml",
        &format!("{SMALL}\n[fields]\namount = {{ type = \"number\" }}\n")
            .replace("[columns]\n", "[columns]\namount = \"Value\"\n"),
    );
    let err = try_audit(&[&c], Some(&r)).err().expect("refused");
    let text = format!("{err:#}");
    assert!(text.contains("`amount` cannot be of type number"), "{text}");
}

#[test]
fn a_deal_matching_a_repeated_row_is_still_a_probable_duplicate() {
    let a = audit(
        "Ref,Deal,Customer,Phase\nX,Bar,Acme,Demo\nX,Foo,Acme,Demo\nZ,Foo,Acme,Demo\n",
        SMALL,
    );
    assert_eq!(
        findings(&a),
        vec![
            finding("DUP001", 3, Some("id")),
            finding("DUP002", 4, Some("name")),
        ]
    );
    assert_eq!(messages(&a, "DUP002").len(), 1);
    assert!(messages(&a, "DUP002")[0].contains("line 3"));
}

#[test]
fn placeholder_and_punctuation_names_are_not_duplicates() {
    let a = audit(
        "Ref,Deal,Customer,Phase\nB,N/A,acme,Demo\nC,n/a,acme,Demo\nD,---,acme,Demo\nE,???,acme,Demo\n",
        SMALL,
    );
    assert_eq!(findings(&a), vec![]);
}

const PROBABILITY: &str = r#"
[columns]
stage = "Phase"
probability = "P"
stage_age = "Age"
push_count = "Pushes"
[fields]
probability = { type = "percent", fraction = true }
[risk]
probability_tolerance = 20
[[stages]]
name = "Demo"
probability = 35
max_days = 30
"#;

#[test]
fn fraction_probabilities_exactly_at_the_tolerance_are_fine() {
    let a = audit(
        "Phase,P,Age,Pushes\nDemo,0.55,1,0\nDemo,0.15,1,0\n",
        PROBABILITY,
    );
    assert_eq!(findings(&a), vec![]);
}

#[test]
fn probability_words_agree_with_the_check() {
    let a = audit("Phase,P,Age,Pushes\nDemo,0.6666665,1,0\n", PROBABILITY);
    assert_eq!(
        findings(&a),
        vec![finding("HYG004", 2, Some("probability"))]
    );
    let m = &messages(&a, "HYG004")[0];
    assert!(
        m.starts_with("probability 66.6667% but Demo expects 35%"),
        "{m}"
    );
    let s = signals(&a, 0);
    assert_eq!(s[0].0, "forecast_mismatch");
    assert!(
        s[0].1.starts_with("probability 66.6667% vs 35%"),
        "{}",
        s[0].1
    );
}

#[test]
fn huge_stage_ages_and_push_counts_are_not_shown_as_caps() {
    let a = audit(
        "Phase,P,Age,Pushes\nDemo,0.35,5000000000,70000\n",
        PROBABILITY,
    );
    let m = &messages(&a, "HYG003")[0];
    assert!(m.starts_with("in Demo for over 2147483647 days"), "{m}");
    let s = signals(&a, 0);
    let pushed = s.iter().find(|(n, _)| n == "pushed").expect("pushed");
    assert_eq!(pushed.1, "pushed over 65535 times");
}

#[test]
fn a_fraction_of_a_day_past_max_days_counts() {
    let a = audit(
        "Phase,P,Age,Pushes\nDemo,0.35,30.9,0\nDemo,0.35,30,0\n",
        PROBABILITY,
    );
    assert_eq!(findings(&a), vec![finding("HYG003", 2, Some("stage_age"))]);
}

// --- Found reviewing the real-exports work -----------------------------------------------

fn auto(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> pipelint::AuditRun {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    try_audit(&[path.to_str().expect("path")], None).unwrap_or_else(|e| panic!("{e:#}"))
}

/// Draft rules from `bytes` (as file `name`), check them, and audit the file with them.
fn drafted(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> (String, pipelint::AuditRun) {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    let p = path.to_str().expect("path");
    let run = common::run(common::pipelint().args(["init", "--from", p]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = run.stdout;
    let rules_path = dir.path().join(format!("{}.toml", name.replace('\n', "_")));
    std::fs::write(&rules_path, &text).expect("write draft");
    let audit = try_audit(&[p], Some(rules_path.to_str().expect("path")))
        .unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    (text, audit)
}

fn codes(a: &pipelint::AuditRun) -> Vec<&'static str> {
    report(a).findings().map(|f| f.code.as_str()).collect()
}

#[test]
fn utf16_without_a_bom_is_decoded_and_split_on_tabs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "Opportunity ID\tOpportunity Name\tStage\tAmount\tClose Date\r\n0061\tA\tProspecting\t1500\t1/31/2027\r\n";
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let a = auto(&dir, "t.csv", &bytes);
    let r = report(&a);
    let input = &r.inputs()[0];
    assert_eq!(
        (input.encoding, input.delimiter.as_str(), input.records),
        ("utf-16le", "tab", 1)
    );
    assert_eq!(findings(&a), vec![]);
}

#[test]
fn lone_cr_files_are_sampled_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "opportunity_id,sales_agent,deal_stage,close_date,close_value\r1,Ann,Won,20-10-2016,10\r2,Bo,Lost,01-03-2017,0\r";
    let a = auto(&dir, "cr.csv", text.as_bytes());
    let r = report(&a);
    assert_eq!(r.inputs()[0].records, 2);
    assert_eq!(
        r.inputs()[0].read_from_values,
        vec!["dates as %d-%m-%Y, read from the values".to_string()]
    );
    assert_eq!(codes(&a), Vec::<&str>::new());
}

#[test]
fn an_unclosed_quote_before_a_footer_is_a_malformed_row_not_a_footer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "Opportunity Name,Stage,Amount,Close Date,Opportunity ID\nAcme,Prospecting,100,1/31/2027,006A\n\"Beta,Prospecting,200,2/28/2027,006B\nGamma,Qualification,300,3/1/2027,006C\n\n\"Pipeline Report\"\n\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n";
    let a = auto(&dir, "open_quote.csv", text.as_bytes());
    // The quote closes at the report name's opening quote: Beta and Gamma are one malformed
    // row (IN002, reported, not dropped); the copyright line after it is the footer.
    assert_eq!(
        findings(&a),
        vec![finding("IN002", 3, None), finding("IN004", 7, None)]
    );
    let input = report(&a).inputs()[0].clone();
    assert_eq!((input.records, input.malformed, input.skipped), (2, 1, 1));
    // Without that quote to end it, the open quote runs to the end: all of it one row.
    let unended = text.replace("\"Pipeline Report\"\n", "");
    let a = auto(&dir, "open_quote_2.csv", unended.as_bytes());
    assert_eq!(findings(&a), vec![finding("IN002", 3, None)]);
    let m = &messages(&a, "IN002")[0];
    assert!(m.contains("quote"), "{m}");
    let input = report(&a).inputs()[0].clone();
    assert_eq!((input.records, input.skipped), (2, 0));
}

#[test]
fn summary_rows_are_told_apart_from_deals_the_same_way_everywhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An account called Total on a real deal with most cells filled is a deal.
    let deal = "account,deal_name,sales_agent,deal_stage,close_value,close_date\nAcme,Renewal,Ann,Engaging,100,2027-01-01\nTotal,Lubricants supply 2027,Ann,,250000,2027-03-01\n";
    let a = auto(&dir, "total_account.csv", deal.as_bytes());
    let input = report(&a).inputs()[0].clone();
    assert_eq!((input.records, input.skipped), (2, 0));
    assert_eq!(findings(&a), vec![finding("REQ001", 3, Some("stage"))]);
    // A Total row in the id column is a summary, for the audit and for profile alike.
    let totals = "Opportunity ID,Opportunity Name,Stage,Amount,Close Date,Owner\n006A,Alpha,Prospecting,\"$1,000\",1/31/2027,Ann\nTotal,,,\"$1,000\",,\n";
    let a = auto(&dir, "totals.csv", totals.as_bytes());
    let input = report(&a).inputs()[0].clone();
    assert_eq!((input.records, input.skipped), (1, 1));
    let path = dir.path().join("totals.csv");
    let run = common::run(common::pipelint().args([
        "profile",
        path.to_str().expect("path"),
        "-f",
        "json",
    ]));
    let profile: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(
        (&profile["file"]["records"], &profile["file"]["skipped"]),
        (&serde_json::json!(1), &serde_json::json!(1))
    );
}

#[test]
fn drafts_leave_out_columns_named_like_canonical_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "opportunity_id,sales_agent,deal_stage,close_value,amount,stage,close_date\n1,Ann,Won,10,x,y,soon\n2,Bo,Lost,0,x,y,Q3\n";
    let (draft, a) = drafted(&dir, "clash.csv", text.as_bytes());
    assert!(draft.contains("# Not typed here: amount, stage"), "{draft}");
    assert!(!codes(&a).contains(&"VAL006"), "{:?}", codes(&a));
}

#[test]
fn drafts_survive_hostile_headers_and_file_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text =
        "\"Deal\nName\",Stage,,\" \",\"quote\"\"d\",back\\slash\nA,Won,1,2,3,4\nB,Lost,1,2,3,4\n";
    let (draft, a) = drafted(&dir, "weird\nname.csv", text.as_bytes());
    assert!(
        !codes(&a).iter().any(|c| c.starts_with("VAL")),
        "{:?}\n{draft}",
        codes(&a)
    );
}

/// A column named Stage with 600 values is no pipeline's stages (a pipeline has a few, a
/// few dozen at most): the draft maps no stage and says why, rather than 600 stages, and
/// the audit says the open pipeline was not judged.
#[test]
fn a_stage_column_of_600_values_is_not_drafted_as_600_stages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("Deal,Stage\n");
    for i in 0..1_200 {
        text.push_str(&format!("D{i},Stage {}\n", i % 600));
    }
    let (draft, a) = drafted(&dir, "many.csv", text.as_bytes());
    assert_eq!(
        draft
            .lines()
            .filter(|l| l.starts_with("[[stages]]"))
            .count(),
        0,
        "{draft}"
    );
    assert!(
        draft.contains(
            "# stage = \"Stage\"  # not mapped: it holds 600 distinct values, more than a pipeline has stages"
        ),
        "{draft}"
    );
    assert!(!codes(&a).contains(&"VAL006"));
    let r = common::report(&a);
    assert_eq!(r.summary().open, 0);
    assert_eq!(r.summary().unknown_stage.deals, 1_200);
}

#[test]
fn hubspot_closed_only_probabilities_stay_fractions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Deal owner\",\"Amount\",\"Close Date\",\"Deal probability\"\n\"1\",\"A\",\"Closed Won\",\"Ann\",\"10.0\",\"2026-10-01 10:00\",\"1.0\"\n\"2\",\"B\",\"Closed Lost\",\"Ann\",\"0.0\",\"2026-10-02 10:00\",\"0.0\"\n";
    let (draft, a) = drafted(&dir, "hs.csv", text.as_bytes());
    assert!(draft.contains("fraction = true"), "{draft}");
    assert!(!codes(&a).contains(&"HYG004"), "{:?}", codes(&a));
}

#[test]
fn each_file_keeps_its_own_date_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header = "opportunity_id,sales_agent,deal_stage,close_date\n";
    let eu = dir.path().join("eu.csv");
    std::fs::write(
        &eu,
        format!("{header}1,Ann,Engaging,25/12/2026\n2,Ann,Engaging,03/04/2027\n"),
    )
    .expect("write");
    let us = dir.path().join("us.csv");
    std::fs::write(
        &us,
        format!("{header}3,Bo,Engaging,12/25/2026\n4,Bo,Engaging,03/04/2027\n"),
    )
    .expect("write");
    let a = try_audit(&[eu.to_str().expect("p"), us.to_str().expect("p")], None).expect("audit");
    let dates: Vec<String> = report(&a)
        .deals()
        .map(|d| d.close_date.unwrap_or_else(|| "-".into()))
        .collect();
    assert_eq!(
        dates,
        ["2026-12-25", "2027-04-03", "2026-12-25", "2027-03-04"]
    );
}

#[test]
fn an_assumed_date_order_is_said_and_its_misreads_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("opportunity_id,sales_agent,deal_stage,close_date\n");
    // More ambiguous rows than the sample holds, then one only month-first reads.
    for i in 0..2_100 {
        text.push_str(&format!("{i},Ann,Engaging,03-04-2027\n"));
    }
    text.push_str("99,Ann,Engaging,03-20-2027\n");
    let a = auto(&dir, "dash.csv", text.as_bytes());
    assert_eq!(
        report(&a).inputs()[0].read_from_values,
        vec!["dates as %d-%m-%Y, assumed (no day above 12 in the first rows)".to_string()]
    );
    let m = &messages(&a, "VAL001")[0];
    assert!(
        m.ends_with("it reads as %m-%d-%Y: if the file writes dates that way, set [input] date_formats = [\"%m-%d-%Y\"]"),
        "{m}"
    );
}

// --- Found trying it as a new user would (the core reshape) -------------------------------

#[test]
fn a_printed_preset_audits_what_the_built_in_one_audits() {
    // `pipelint init --preset salesforce > pipelint.toml` used to break every audit: the
    // copy's columns were the user's own, so the preset's optional ones became IN001.
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("salesforce", "fixtures/salesforce_q4_pipeline.csv"),
        ("salesforce", "fixtures/real/sf_report_cp1252_footer.csv"),
        ("hubspot", "fixtures/real/hubspot_deals_all_quoted.csv"),
        ("pipedrive", "fixtures/real/pipedrive_status.csv"),
        (
            "generic",
            "../shared/realworld/maven_crm_sales_pipeline.csv",
        ),
    ];
    let json = |args: &[&str]| -> serde_json::Value {
        let run = common::run(common::pipelint().args(args));
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
        serde_json::from_str(&run.stdout).expect("json")
    };
    for (preset, export) in cases {
        let printed = common::run(common::pipelint().args(["init", "--preset", preset]));
        assert_eq!(printed.code, 0, "{}", printed.stderr);
        let rules = write(&dir, &format!("{preset}.toml"), &printed.stdout);
        let base = ["audit", export, "--as-of", common::AS_OF, "-f", "json"];
        let built_in = json(&[&base[..], &["--preset", preset]].concat());
        let copy = json(&[&base[..], &["-r", &rules]].concat());
        for key in ["summary", "completeness", "pipeline", "deals", "findings"] {
            assert_eq!(
                built_in[key], copy[key],
                "{preset} on {export}: {key} differs"
            );
        }
        assert_eq!(
            built_in["rules"]["skipped_fields"],
            copy["rules"]["skipped_fields"]
        );
    }
}
