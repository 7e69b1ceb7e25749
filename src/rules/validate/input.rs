//! `[input]`: the preset to start from, date formats, decimal mark, placeholders, delimiter,
//! encoding, currency and the owners lookup.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Checker;
use crate::input::owners::OwnerNames;
use crate::rules::presets;
use crate::rules::raw::RawInput;
use crate::rules::{InputRules, PresetRef};
use crate::suggest;
use crate::values::{Currency, DEFAULT_EMPTY_VALUES, DateFormat, DecimalMark, Placeholders};

/// One document's `[input]`, every setting optional.
#[derive(Clone, Debug, Default)]
pub(crate) struct InputLayer {
    pub(crate) preset: Option<PresetRef>,
    pub(crate) date_formats: Option<Vec<DateFormat>>,
    pub(crate) decimal: Option<DecimalMark>,
    empty_values: Option<Vec<String>>,
    delimiter: Option<u8>,
    currency: Option<Currency>,
    /// Read here, once: a lookup that cannot be read is a problem of the rules file, at
    /// the line that names it.
    owners: Option<Arc<OwnerNames>>,
}

/// A file the rules name (`value`, trimmed), relative to their directory `dir` unless it is
/// absolute.
pub(crate) fn beside(dir: &Path, value: &str) -> PathBuf {
    dir.join(value.trim())
}

pub(super) fn check(c: &mut Checker<'_>, input: &RawInput) -> InputLayer {
    let mut layer = InputLayer::default();
    if let Some(p) = &input.preset {
        let name = p.get_ref().trim();
        if name == "auto" {
            layer.preset = Some(PresetRef::Auto);
        } else if let Some(preset) = presets::find(name) {
            layer.preset = Some(PresetRef::Named(preset.name));
        } else {
            let names = presets::names().chain(["auto"]);
            c.problem(
                p.span(),
                format!(
                    "unknown preset `{name}`{}",
                    suggest::hint_then(
                        name,
                        names,
                        &format!(
                            "presets are {}, auto",
                            presets::names().collect::<Vec<_>>().join(", ")
                        )
                    )
                ),
            );
        }
    }
    if let Some(formats) = &input.date_formats {
        let mut compiled = Vec::new();
        for f in formats {
            match DateFormat::compile(f.get_ref()) {
                Ok(df) => compiled.push(df),
                Err(e) => c.problem(f.span(), e),
            }
        }
        layer.date_formats = Some(compiled);
    }
    if let Some(d) = &input.decimal {
        match d.get_ref().as_str() {
            "." => layer.decimal = Some(DecimalMark::Point),
            "," => layer.decimal = Some(DecimalMark::Comma),
            other => c.problem(
                d.span(),
                format!("decimal must be \".\" or \",\", not {other:?}"),
            ),
        }
    }
    layer.empty_values = input.empty_values.clone();
    if let Some(d) = &input.delimiter {
        match crate::input::dialect::delimiter_byte(d.get_ref()) {
            Some(b) => layer.delimiter = Some(b),
            None => c.problem(
                d.span(),
                format!(
                    "delimiter must be one ASCII character such as \",\", \";\", \"|\" or \"tab\", not {:?}",
                    d.get_ref()
                ),
            ),
        }
    }
    if let Some(e) = &input.encoding {
        // Read before the rules are resolved (the files are opened first); checked here.
        if let Err(problem) = crate::input::encoding::named(e.get_ref()) {
            c.problem(e.span(), problem);
        }
    }
    if let Some(h) = &input.header {
        if let Err(problem) = header_names(h.get_ref()) {
            c.problem(h.span(), problem);
        }
    }
    if let Some(e) = &input.escape {
        if escape_is_dump(e.get_ref()).is_none() {
            c.problem(
                e.span(),
                format!(
                    "escape must be \"\\\\\" (a database dump: \\\" inside quotes, \\N for NULL) or \
                     \"\\\"\" (quotes doubled, plain CSV), not {:?}",
                    e.get_ref()
                ),
            );
        }
    }
    if let Some(cur) = &input.currency {
        match Currency::parse(cur.get_ref()) {
            Some(code) => layer.currency = Some(code),
            None => c.problem(
                cur.span(),
                format!(
                    "currency must be an ISO 4217 code such as \"USD\", not {:?}",
                    cur.get_ref()
                ),
            ),
        }
    }
    if let Some(o) = &input.owners {
        if o.get_ref().trim().is_empty() {
            c.problem(
                o.span(),
                "owners must name a CSV file of owner ids and names, such as \"users.csv\"",
            );
        } else {
            let path = beside(c.dir.unwrap_or(Path::new("")), o.get_ref());
            match OwnerNames::read(&path) {
                Ok(names) => layer.owners = Some(Arc::new(names)),
                Err(why) => c.problem(o.span(), why),
            }
        }
    }
    layer
}

/// `[input] header`: the names of a headerless file's columns, in order. Each is named, once
/// (ignoring case), and there are at most as many as a header may have.
pub(crate) fn header_names(names: &[String]) -> Result<(), String> {
    if names.is_empty() {
        return Err(
            "header must name the file's columns in order, such as [\"id\", \"name\", \
                    \"stage\"]"
                .to_string(),
        );
    }
    if names.len() > 16_384 {
        return Err(format!(
            "header names {} columns; a file has at most 16,384",
            names.len()
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, n) in names.iter().enumerate() {
        if n.trim().is_empty() {
            return Err(format!(
                "header: column {} has no name; name every column",
                i + 1
            ));
        }
        if !seen.insert(n.trim().to_lowercase()) {
            return Err(format!(
                "header: {:?} names two columns; each column's name must be its own",
                n.trim()
            ));
        }
    }
    Ok(())
}

/// `[input] escape` read: `Some(true)` for a dump's backslash, `Some(false)` for plain CSV.
pub(crate) fn escape_is_dump(escape: &str) -> Option<bool> {
    match escape {
        "\\" => Some(true),
        "\"" => Some(false),
        _ => None,
    }
}

/// `over` (the user's file) onto `base` (its preset), key by key.
pub(super) fn merge(base: InputLayer, over: InputLayer) -> InputLayer {
    InputLayer {
        preset: over.preset.or(base.preset),
        date_formats: over.date_formats.or(base.date_formats),
        decimal: over.decimal.or(base.decimal),
        empty_values: over.empty_values.or(base.empty_values),
        delimiter: over.delimiter.or(base.delimiter),
        currency: over.currency.or(base.currency),
        owners: over.owners.or(base.owners),
    }
}

/// The checked `[input]`, with defaults. `given` says whether the user's own document set
/// the date formats and the decimal mark (otherwise they are read from each file).
pub(super) fn finish(layer: InputLayer, given: (bool, bool)) -> InputRules {
    InputRules {
        date_formats: layer.date_formats.unwrap_or_default(),
        decimal: layer.decimal.unwrap_or_default(),
        empty_values: match &layer.empty_values {
            Some(v) => Placeholders::new(v),
            None => Placeholders::new(DEFAULT_EMPTY_VALUES),
        },
        currency: layer.currency,
        owners: layer.owners,
        dates_given: given.0,
        decimal_given: given.1,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::problems;

    #[test]
    fn each_input_setting_is_checked_where_it_is_written() {
        let p = problems(
            "[input]\npreset = \"salesfroce\"\ndecimal = \";\"\ndelimiter = \"ab\"\ncurrency = \"dollars\"\ndate_formats = [\"%Q\"]\n",
        );
        assert_eq!(p.len(), 5, "{p:?}");
        assert!(
            p[0].starts_with(
                "r.toml:2:10: unknown preset `salesfroce`; did you mean `salesforce`?"
            ),
            "{}",
            p[0]
        );
        assert!(
            p[1].starts_with("r.toml:3:11: decimal must be \".\" or \",\""),
            "{}",
            p[1]
        );
        assert!(
            p[2].starts_with("r.toml:4:13: delimiter must be one ASCII character"),
            "{}",
            p[2]
        );
        assert!(
            p[3].starts_with("r.toml:5:12: currency must be an ISO 4217 code"),
            "{}",
            p[3]
        );
        assert!(p[4].starts_with("r.toml:6:17:"), "{}", p[4]);
    }

    #[test]
    fn valid_input_has_no_problems() {
        let p = problems(
            "[input]\npreset = \"auto\"\ndecimal = \",\"\ndelimiter = \"tab\"\ncurrency = \"EUR\"\ndate_formats = [\"%d.%m.%Y\"]\nempty_values = [\"-\"]\n",
        );
        assert_eq!(p, Vec::<String>::new());
    }

    /// The lookup is read relative to the rules file, not the working directory; one that
    /// is missing or malformed is a problem at the line and column that name it.
    #[test]
    fn the_owners_lookup_is_read_beside_the_rules_file() {
        use crate::rules::{RulesText, UserRules, build};
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temporary directory")
        };
        let rules = dir.path().join("r.toml");
        let build_with = |text: &str| {
            let user = UserRules::parse(RulesText {
                name: rules.display().to_string(),
                text: text.into(),
            });
            build(Some(&user), None, None).map_err(|e| {
                e.located()
                    .join("\n")
                    .replace(&*dir.path().to_string_lossy(), "DIR")
            })
        };
        let missing = build_with("[input]\nowners = \"users.csv\"\n").err();
        assert!(
            missing.as_deref().is_some_and(|e| e.starts_with(
                "DIR/r.toml:2:10: cannot read the owners lookup file DIR/users.csv: "
            )),
            "{missing:?}"
        );
        let written = std::fs::write(dir.path().join("users.csv"), "Id,Name\n7,Ann Lee\n");
        assert!(written.is_ok());
        let set = build_with("[input]\nowners = \" users.csv \"\n");
        let owners = set.ok().and_then(|r| r.input.owners);
        assert_eq!(
            owners.and_then(|o| o.name_of("7").map(str::to_string)),
            Some("Ann Lee".into())
        );
        let empty = build_with("[input]\nowners = \"\"\n").err();
        assert!(
            empty
                .as_deref()
                .is_some_and(|e| e.starts_with("DIR/r.toml:2:10: owners must name")),
            "{empty:?}"
        );
    }
}
