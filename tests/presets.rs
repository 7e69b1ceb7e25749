//! Every file in rules/ loads and validates, and is the preset compiled into the binary.

use pipelint::rules::{self, RulesText, UserRules, presets};

#[test]
fn every_rules_file_validates_and_is_compiled_in() {
    let mut seen = 0;
    for entry in std::fs::read_dir("rules").expect("rules/") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        seen += 1;
        let text = std::fs::read_to_string(&path).expect("read");
        let user = UserRules::parse(RulesText {
            name: path.display().to_string(),
            text: text.clone(),
        });
        assert!(
            user.problems.is_empty(),
            "{}: {:?}",
            path.display(),
            user.problems
        );
        let built = rules::build(Some(&user), None, None)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            !built.stages.is_empty(),
            "{} defines stages",
            path.display()
        );
        assert!(
            built
                .stages
                .iter()
                .any(|s| s.outcome == Some(rules::Outcome::Won))
        );
        assert!(
            built
                .stages
                .iter()
                .any(|s| s.outcome == Some(rules::Outcome::Lost))
        );
        assert!(
            built.stages.iter().all(|s| s.probability.is_some()),
            "{}: probabilities",
            path.display()
        );

        let name = path.file_stem().and_then(|s| s.to_str()).expect("name");
        let preset = presets::find(name).unwrap_or_else(|| panic!("{name} is not compiled in"));
        assert_eq!(
            preset.text, text,
            "{name}: compiled text differs from the file"
        );
        assert!(rules::build(None, Some(preset), None).is_ok());
    }
    assert_eq!(seen, presets::PRESETS.len());
}

#[test]
fn salesforce_maps_report_labels_and_api_names() {
    let preset = presets::find("salesforce").expect("salesforce");
    let rules = rules::build(None, Some(preset), None).expect("valid");
    let headers = |field: &str| -> Vec<String> {
        rules
            .columns
            .iter()
            .find(|c| c.field.as_str() == field)
            .map(|c| c.headers.clone())
            .unwrap_or_default()
    };
    for (field, label, api) in [
        ("name", "Opportunity Name", "Name"),
        ("stage", "Stage", "StageName"),
        ("close_date", "Close Date", "CloseDate"),
        ("owner", "Opportunity Owner", "OwnerId"),
        ("created_date", "Created Date", "CreatedDate"),
        ("last_activity", "Last Activity", "LastActivityDate"),
        (
            "forecast_category",
            "Forecast Category",
            "ForecastCategoryName",
        ),
        ("currency", "Opportunity Currency", "CurrencyIsoCode"),
    ] {
        let h = headers(field);
        assert!(h.contains(&label.to_string()), "{field}: {label} in {h:?}");
        assert!(h.contains(&api.to_string()), "{field}: {api} in {h:?}");
    }
    let stages: Vec<(&str, Option<f64>)> = rules
        .stages
        .iter()
        .map(|s| (s.name.as_str(), s.probability))
        .collect();
    assert_eq!(
        stages,
        vec![
            ("Prospecting", Some(10.0)),
            ("Qualification", Some(10.0)),
            ("Needs Analysis", Some(20.0)),
            ("Value Proposition", Some(50.0)),
            ("Id. Decision Makers", Some(60.0)),
            ("Perception Analysis", Some(70.0)),
            ("Proposal/Price Quote", Some(75.0)),
            ("Negotiation/Review", Some(90.0)),
            ("Closed Won", Some(100.0)),
            ("Closed Lost", Some(0.0)),
        ]
    );
}

#[test]
fn auto_detection_reports_its_choice() {
    let header = |s: &str| -> Vec<String> { s.split(',').map(str::to_string).collect() };
    let d = presets::detect(&header(
        "Id,AccountId,Name,Description,StageName,Amount,Probability,CloseDate,NextStep,CreatedDate,LastActivityDate",
    ), &[])
    .expect("fits");
    assert_eq!(d.preset, "salesforce");
    assert_eq!((d.matched, d.total), (10, 16));
    let hs = presets::detect(&header(
        "Record ID,Amount,Close Date,Create Date,Deal Name,Deal owner,Deal probability,Deal Stage,Forecast category,Last Activity Date,Next step",
    ), &[])
    .expect("fits");
    assert_eq!(hs.preset, "hubspot");
}
