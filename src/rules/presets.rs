//! Built-in presets: the files in `rules/`, compiled into the binary, and the auto-detection
//! that picks the one whose columns best match an export's header.

use super::parse::parse_rules;
use super::problem::Problems;
use crate::field::Canonical;

/// A built-in rules file.
#[derive(Debug)]
pub(crate) struct Preset {
    pub(crate) name: &'static str,
    /// Where the file lives in the repository (for messages and `init --preset`).
    pub(crate) path: &'static str,
    pub(crate) text: &'static str,
}

pub(crate) const PRESETS: &[Preset] = &[
    Preset {
        name: "salesforce",
        path: "rules/salesforce.toml",
        text: include_str!("../../rules/salesforce.toml"),
    },
    Preset {
        name: "hubspot",
        path: "rules/hubspot.toml",
        text: include_str!("../../rules/hubspot.toml"),
    },
    Preset {
        name: "pipedrive",
        path: "rules/pipedrive.toml",
        text: include_str!("../../rules/pipedrive.toml"),
    },
    Preset {
        name: "dynamics365",
        path: "rules/dynamics365.toml",
        text: include_str!("../../rules/dynamics365.toml"),
    },
    Preset {
        name: "zoho",
        path: "rules/zoho.toml",
        text: include_str!("../../rules/zoho.toml"),
    },
    Preset {
        name: "generic",
        path: "rules/generic.toml",
        text: include_str!("../../rules/generic.toml"),
    },
];

pub(crate) fn find(name: &str) -> Option<&'static Preset> {
    PRESETS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
}

pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    PRESETS.iter().map(|p| p.name)
}

/// How well a preset fits an export: its columns against the header, its stages against
/// the stage values at the head of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Detection {
    pub(crate) preset: &'static str,
    /// Canonical fields the preset maps that the header has.
    pub(crate) matched: usize,
    /// Canonical fields the preset maps.
    pub(crate) total: usize,
    /// Distinct stage values in the sampled rows, and how many are the preset's stages.
    pub(crate) stage_values: usize,
    pub(crate) stages_known: usize,
    /// Sampled stage values that are not the preset's stages (first few, in file order).
    pub(crate) unknown_stages: Vec<String>,
}

/// The least confidence an auto-detected preset needs to be used: below it, half the stage
/// values or columns are not the preset's, and auditing with it would flood the report with
/// identical unknown-stage findings; the audit stops with advice instead.
pub(crate) const MIN_CONFIDENCE: f64 = 0.70;

/// Columns that make the column fit certain: four of the preset's own names (a report of
/// deal name, stage, amount and close date is that CRM's report; what decides then is
/// whether its stage values are the preset's).
const KEY_COLUMNS: usize = 4;

impl Detection {
    /// "auto-detected, confidence 83%: 10 of its 16 columns, 7 of 7 stage values".
    pub(crate) fn words(&self) -> String {
        let stages = if self.stage_values == 0 {
            String::new()
        } else {
            format!(
                ", {} of {} stage values",
                self.stages_known, self.stage_values
            )
        };
        format!(
            "auto-detected, confidence {:.0}%: {} of its {} columns{stages}",
            self.confidence() * 100.0,
            self.matched,
            self.total
        )
    }

    /// 0–1: how many key columns map (four is full marks) times the share of stage values
    /// the preset knows.
    pub(crate) fn confidence(&self) -> f64 {
        let columns = self.matched.min(KEY_COLUMNS) as f64 / KEY_COLUMNS as f64;
        let stages = if self.stage_values == 0 {
            1.0
        } else {
            self.stages_known as f64 / self.stage_values as f64
        };
        columns * stages
    }
}

/// Score one preset against a header and the sampled rows. `None` when it does not find
/// the stage column.
pub(crate) fn score(
    preset: &'static Preset,
    header: &[String],
    sample: &[Vec<String>],
) -> Option<Detection> {
    let mut problems = Problems::default();
    let raw = parse_rules(preset.text, 0, &mut problems);
    let header = crate::input::Header {
        cells: header.to_vec(),
        line: 1,
    };
    let mut matched = 0;
    let mut stage_column = None;
    for (key, headers) in &raw.columns {
        let names: Vec<&str> = headers.iter().map(|h| h.get_ref().as_str()).collect();
        let hit = header.find_any(&names);
        if let Some(col) = hit {
            matched += 1;
            if Canonical::parse(key.get_ref()) == Some(Canonical::Stage) {
                stage_column = Some(col);
            }
        }
    }
    let stage_column = stage_column?;
    let mut values: Vec<&str> = Vec::new();
    // A malformed row (another number of fields) holds no stage value worth counting.
    for row in sample.iter().filter(|r| r.len() == header.len()) {
        if let Some(v) = row.get(stage_column).map(|v| crate::values::trim_cell(v)) {
            if !v.is_empty() && !values.contains(&v) && values.len() < 200 {
                values.push(v);
            }
        }
    }
    let known = |v: &str| {
        raw.stages.iter().flatten().any(|s| {
            crate::values::eq_fold(s.name.get_ref().trim(), v)
                || s.aliases
                    .iter()
                    .any(|a| crate::values::eq_fold(a.get_ref().trim(), v))
        })
    };
    let unknown: Vec<String> = values
        .iter()
        .filter(|v| !known(v))
        .map(|v| v.to_string())
        .collect();
    Some(Detection {
        preset: preset.name,
        matched,
        total: raw.columns.len(),
        stage_values: values.len(),
        stages_known: values.len() - unknown.len(),
        unknown_stages: unknown.into_iter().take(5).collect(),
    })
}

/// Pick the preset that fits best: most mapped columns, then most known stage values, then
/// the earlier preset. It must find the stage column and three or more columns, and know at
/// least one of the stage values sampled; otherwise the export needs rules of its own.
pub(crate) fn detect(header: &[String], sample: &[Vec<String>]) -> Result<Detection, String> {
    let mut best: Option<Detection> = None;
    let mut close: Option<Detection> = None;
    for preset in PRESETS {
        let Some(d) = score(preset, header, sample) else {
            continue;
        };
        if d.matched < 3 {
            continue;
        }
        if d.stage_values > 0 && d.stages_known == 0 {
            if close.as_ref().is_none_or(|c| d.matched > c.matched) {
                close = Some(d);
            }
            continue;
        }
        let better = best
            .as_ref()
            .is_none_or(|b| (d.matched, d.stages_known) > (b.matched, b.stages_known));
        if better {
            best = Some(d);
        }
    }
    if let Some(best) = best {
        return Ok(best);
    }
    Err(match close {
        Some(c) => format!(
            "preset {} maps {} of its columns here, but none of the stage values in the first \
             rows ({}) is one of its stages",
            c.preset,
            c.matched,
            c.unknown_stages.join(", ")
        ),
        None => "no built-in preset fits this header (none finds a stage column and three or \
                 more of its columns)"
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cols: &[&str]) -> Vec<String> {
        cols.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn detects_salesforce_report_labels_and_api_names() {
        let labels = header(&[
            "Opportunity Name",
            "Account Name",
            "Stage",
            "Amount",
            "Close Date",
            "Opportunity Owner",
        ]);
        assert_eq!(detect(&labels, &[]).unwrap().preset, "salesforce");
        let api = header(&["ID", "NAME", "STAGENAME", "AMOUNT", "CLOSEDATE", "OWNERID"]);
        assert_eq!(detect(&api, &[]).unwrap().preset, "salesforce");
    }

    #[test]
    fn detects_hubspot_and_pipedrive() {
        let hs = header(&[
            "Record ID",
            "Deal Name",
            "Deal Stage",
            "Amount",
            "Close Date",
            "Deal owner",
        ]);
        assert_eq!(detect(&hs, &[]).unwrap().preset, "hubspot");
        let pd = header(&[
            "Deal - ID",
            "Deal - Title",
            "Deal - Stage",
            "Deal - Value",
            "Deal - Owner",
        ]);
        assert_eq!(detect(&pd, &[]).unwrap().preset, "pipedrive");
    }

    #[test]
    fn detects_dynamics365_zoho_and_hubspot_property_names() {
        // Stage values sit in the second column (see `rows`).
        let dynamics = header(&[
            "(Do Not Modify) Opportunity",
            "Sales Stage",
            "Topic",
            "Potential Customer",
            "Owner",
            "Est. close date",
            "Est. revenue",
            "Probability",
            "Status",
            "Currency",
        ]);
        let d = detect(&dynamics, &rows(&dynamics, &["Develop", "Close"])).unwrap();
        assert_eq!(
            (d.preset, d.matched, d.stages_known),
            ("dynamics365", 10, 2)
        );
        // Zoho's stages are mostly Salesforce's: its columns decide.
        let zoho = header(&[
            "Potential Name",
            "Stage",
            "Potential Owner",
            "Account Name",
            "Amount",
            "Closing Date",
        ]);
        let sample = rows(&zoho, &["Needs Analysis", "Closed Lost to Competition"]);
        let d = detect(&zoho, &sample).unwrap();
        assert_eq!((d.preset, d.matched, d.stages_known), ("zoho", 6, 2));
        let api = header(&[
            "hs_object_id",
            "dealstage",
            "dealname",
            "amount",
            "closedate",
            "createdate",
            "hubspot_owner_id",
            "hs_deal_stage_probability",
        ]);
        let d = detect(&api, &rows(&api, &["appointmentscheduled", "closedwon"])).unwrap();
        assert_eq!((d.preset, d.matched, d.stages_known), ("hubspot", 8, 2));
    }

    #[test]
    fn unknown_header_is_not_forced_onto_a_preset() {
        let custom = header(&["Ref", "Customer", "Phase", "Value"]);
        assert!(detect(&custom, &[]).is_err());
    }

    /// Rows as wide as `header`, each with a stage value in the second column.
    fn rows(header: &[String], stages: &[&str]) -> Vec<Vec<String>> {
        stages
            .iter()
            .map(|s| {
                let mut row = vec![String::new(); header.len().max(2)];
                row[0] = "1".to_string();
                row[1] = s.to_string();
                row
            })
            .collect()
    }

    #[test]
    fn snake_case_exports_get_the_generic_preset() {
        let maven = header(&[
            "opportunity_id",
            "sales_agent",
            "product",
            "account",
            "deal_stage",
            "engage_date",
            "close_date",
            "close_value",
        ]);
        let d = detect(&maven, &[]).unwrap();
        assert_eq!((d.preset, d.matched), ("generic", 6));
    }

    #[test]
    fn stage_values_decide_ties_and_confidence() {
        let h = header(&["Id", "StageName", "Amount", "CloseDate", "Name"]);
        let sf = rows(&h, &["Prospecting", "Id. Decision Makers", "Closed Won"]);
        let d = detect(&h, &sf).unwrap();
        assert_eq!(d.preset, "salesforce");
        assert_eq!((d.stage_values, d.stages_known), (3, 3));
        let spanish = rows(&h, &["Interes", "Negociación", "Closed Won"]);
        let d = score(find("salesforce").unwrap(), &h, &spanish).unwrap();
        assert_eq!(d.unknown_stages, vec!["Interes", "Negociación"]);
        assert!((d.confidence() - 1.0 / 3.0).abs() < 1e-9);
        let none_known = rows(&h, &["Fase A", "Fase B"]);
        let err = detect(&h, &none_known).unwrap_err();
        assert!(err.contains("none of the stage values"), "{err}");
    }

    use crate::rules::{RulesText, UserRules};

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
            let built = crate::rules::build(Some(&user), None, None)
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
                    .any(|s| s.outcome == Some(crate::rules::Outcome::Won))
            );
            assert!(
                built
                    .stages
                    .iter()
                    .any(|s| s.outcome == Some(crate::rules::Outcome::Lost))
            );
            assert!(
                built.stages.iter().all(|s| s.probability.is_some()),
                "{}: probabilities",
                path.display()
            );

            let name = path.file_stem().and_then(|s| s.to_str()).expect("name");
            let preset = find(name).unwrap_or_else(|| panic!("{name} is not compiled in"));
            assert_eq!(
                preset.text, text,
                "{name}: compiled text differs from the file"
            );
            assert!(crate::rules::build(None, Some(preset), None).is_ok());
        }
        assert_eq!(seen, PRESETS.len());
    }

    #[test]
    fn salesforce_maps_report_labels_and_api_names() {
        let preset = find("salesforce").expect("salesforce");
        let rules = crate::rules::build(None, Some(preset), None).expect("valid");
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
        let d = detect(&header(
            "Id,AccountId,Name,Description,StageName,Amount,Probability,CloseDate,NextStep,CreatedDate,LastActivityDate",
        ), &[])
        .expect("fits");
        assert_eq!(d.preset, "salesforce");
        assert_eq!((d.matched, d.total), (10, 18));
        let hs = detect(&header(
            "Record ID,Amount,Close Date,Create Date,Deal Name,Deal owner,Deal probability,Deal Stage,Forecast category,Last Activity Date,Next step",
        ), &[])
        .expect("fits");
        assert_eq!(hs.preset, "hubspot");
    }
}
