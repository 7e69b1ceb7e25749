//! Built-in presets: the files in `rules/`, compiled into the binary, and the auto-detection
//! that picks the one whose columns best match an export's header.

use super::parse::parse_rules;
use super::problem::Problems;
use crate::field::Canonical;

/// A built-in rules file.
#[derive(Debug)]
pub struct Preset {
    pub name: &'static str,
    /// Where the file lives in the repository (for messages and `init --preset`).
    pub path: &'static str,
    pub text: &'static str,
}

pub const PRESETS: &[Preset] = &[
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
        name: "generic",
        path: "rules/generic.toml",
        text: include_str!("../../rules/generic.toml"),
    },
];

pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
}

pub fn names() -> impl Iterator<Item = &'static str> {
    PRESETS.iter().map(|p| p.name)
}

/// How well a preset's `[columns]` fit a header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    pub preset: &'static str,
    /// Canonical fields the preset maps that the header has.
    pub matched: usize,
    /// Canonical fields the preset maps.
    pub total: usize,
}

impl Detection {
    pub fn confidence(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.matched as f64 / self.total as f64
        }
    }
}

/// Score one preset against a header: which of its canonical fields the header has.
pub fn score(preset: &'static Preset, header: &[String]) -> (Detection, bool) {
    let mut problems = Problems::default();
    let raw = parse_rules(preset.text, 0, &mut problems);
    let mut matched = 0;
    let mut stage_found = false;
    for (key, headers) in &raw.columns {
        let hit = headers.iter().any(|h| {
            header
                .iter()
                .any(|col| col.trim().eq_ignore_ascii_case(h.get_ref().trim()))
        });
        if hit {
            matched += 1;
            if Canonical::parse(key.get_ref()) == Some(Canonical::Stage) {
                stage_found = true;
            }
        }
    }
    (
        Detection {
            preset: preset.name,
            matched,
            total: raw.columns.len(),
        },
        stage_found,
    )
}

/// Pick the preset that fits `header` best. It must find the stage column and at least three
/// mapped columns; otherwise the export needs its own rules file.
pub fn detect(header: &[String]) -> Result<Detection, String> {
    let mut best: Option<Detection> = None;
    for preset in PRESETS {
        let (d, stage_found) = score(preset, header);
        if !stage_found || d.matched < 3 {
            continue;
        }
        let better = best
            .as_ref()
            .is_none_or(|b| (d.matched, d.confidence()) > (b.matched, b.confidence()));
        if better {
            best = Some(d);
        }
    }
    best.ok_or_else(|| {
        "no built-in preset fits this header (none finds a stage column and three or more of \
         its columns); write a rules file with [columns] for this export and pass it with -r"
            .to_string()
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
        assert_eq!(detect(&labels).unwrap().preset, "salesforce");
        let api = header(&["ID", "NAME", "STAGENAME", "AMOUNT", "CLOSEDATE", "OWNERID"]);
        assert_eq!(detect(&api).unwrap().preset, "salesforce");
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
        assert_eq!(detect(&hs).unwrap().preset, "hubspot");
        let pd = header(&[
            "Deal - ID",
            "Deal - Title",
            "Deal - Stage",
            "Deal - Value",
            "Deal - Owner",
        ]);
        assert_eq!(detect(&pd).unwrap().preset, "pipedrive");
    }

    #[test]
    fn unknown_header_is_not_forced_onto_a_preset() {
        let custom = header(&["Ref", "Customer", "Phase", "Value"]);
        assert!(detect(&custom).is_err());
    }
}
