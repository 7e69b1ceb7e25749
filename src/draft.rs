//! `pipelint init --from FILE`: a complete, commented rules file drafted from an export.
//!
//! The whole file is profiled (every column's fill rate, type, date format, placeholders,
//! and per stage the fill of every column and the values of probability, forecast, sort
//! order and won/closed flags). The draft maps columns by name (the chosen preset's
//! spellings first, then every preset's), lists the stages in their likely order with
//! won/lost recognised, and sets only what the data supports, so that auditing the same
//! file with the draft raises no unknown-stage or date-format finding the draft caused.

use std::fmt::Write as _;

use anyhow::Result;

use crate::field::Canonical;
use crate::infer::dates::{self, CANDIDATES};
use crate::infer::{ColumnStats, FileProfile, GroupSpec, GroupStats, ValueType};
use crate::input::{Export, Header, header_key};
use crate::rules::presets::{self, PRESETS, Preset};
use crate::rules::problem::Problems;
use crate::rules::raw::RawStage;
use crate::rules::{KNOWN_FORECAST, normalize_forecast};
use crate::values::{DEFAULT_EMPTY_VALUES, DecimalMark, Placeholders, eq_fold, parse_percent};

/// Share of records a field must be filled in to be proposed as required.
const REQUIRED_SHARE: f64 = 0.98;
/// Deals a stage needs before its own exit criteria are read from the data.
const STAGE_EVIDENCE: u64 = 5;

/// A column mapped to a canonical field, and why.
#[derive(Clone, Debug)]
struct Mapped {
    field: Canonical,
    column: usize,
    evidence: String,
}

/// Columns watched per stage, by their index in [`GroupSpec::watch`].
#[derive(Clone, Copy, Debug, Default)]
struct Watch {
    probability: Option<usize>,
    forecast: Option<usize>,
    sort_order: Option<usize>,
    is_won: Option<usize>,
    is_closed: Option<usize>,
}

/// Draft rules for `export`. `preset` is the one the user named; otherwise the one that
/// fits the header and the first rows, if any.
pub(crate) fn draft(
    export: Export,
    preset: Option<&'static Preset>,
    command: &str,
) -> Result<String> {
    let header = export.header.clone();
    let detected = presets::detect(&header.cells, &export.sample).ok();
    let base: Option<&'static Preset> =
        preset.or_else(|| detected.as_ref().and_then(|d| presets::find(d.preset)));
    let mut mapped = map_by_name(&header, base);

    // Watch, per stage, the columns that tell its order and outcome.
    let col = |c: Canonical| mapped.iter().find(|m| m.field == c).map(|m| m.column);
    let by_key = |key: &str| header.cells.iter().position(|h| header_key(h) == key);
    let mut spec = GroupSpec::default();
    let mut watch = Watch::default();
    let mut add = |column: Option<usize>, slot: &mut Option<usize>| {
        if let Some(c) = column {
            *slot = Some(spec.watch.len());
            spec.watch.push(c);
        }
    };
    add(col(Canonical::Probability), &mut watch.probability);
    add(col(Canonical::ForecastCategory), &mut watch.forecast);
    add(by_key("stagesortorder"), &mut watch.sort_order);
    add(by_key("iswon"), &mut watch.is_won);
    add(by_key("isclosed"), &mut watch.is_closed);
    let stage_column = col(Canonical::Stage);
    if let Some(c) = stage_column {
        spec.by = c;
    }
    let profile = FileProfile::scan(
        export,
        &Placeholders::default(),
        stage_column.map(|_| &spec),
    )?;

    // A name is not enough: a "date" column of text is no close date.
    let mut dropped = Vec::new();
    mapped.retain(|m| {
        let kind = profile.columns[m.column].kind();
        let fits = type_fits(m.field, kind);
        if !fits {
            dropped.push((m.clone(), kind));
        }
        fits
    });
    if !mapped.iter().any(|m| m.field == Canonical::Stage) {
        if let Some(m) = guess_stage(&profile, &mapped) {
            mapped.push(m);
        }
    }
    mapped.sort_by_key(|m| m.field);

    let draft = Draft {
        profile: &profile,
        header: &header,
        mapped: &mapped,
        dropped: &dropped,
        base,
        detected: detected.as_ref(),
        watch,
        // Per-stage figures hold every stage value, unless there were more than a stage
        // column can have (then the column's own distinct values are drafted).
        grouped: stage_column.is_some_and(|c| {
            mapped
                .iter()
                .any(|m| m.field == Canonical::Stage && m.column == c)
                && profile.groups.len() < crate::infer::GROUP_CAP
        }),
    };
    Ok(draft.render(command))
}

/// Whether a column whose values are `kind` can hold a canonical field.
fn type_fits(field: Canonical, kind: ValueType) -> bool {
    use crate::field::FieldType;
    if kind == ValueType::Empty {
        return true;
    }
    match field.default_type() {
        FieldType::Date => matches!(kind, ValueType::Date | ValueType::DateTime),
        FieldType::Money | FieldType::Number | FieldType::Percent => {
            kind.is_numeric() || kind == ValueType::Boolean
        }
        _ => true,
    }
}

/// A preset's `[columns]`: each canonical field with the headers it may go by.
type PresetColumns = Vec<(Canonical, Vec<String>)>;

/// Map canonical fields by header name: the base preset's spellings first, then every
/// other preset's. One column serves one field.
fn map_by_name(header: &Header, base: Option<&'static Preset>) -> Vec<Mapped> {
    let order: Vec<&'static Preset> = base
        .into_iter()
        .chain(
            PRESETS
                .iter()
                .filter(|p| base.is_none_or(|b| b.name != p.name)),
        )
        .collect();
    let lists: Vec<(&'static str, PresetColumns)> = order
        .iter()
        .map(|p| {
            let mut problems = Problems::default();
            let raw = crate::rules::parse::parse_rules(p.text, 0, &mut problems);
            let columns = raw
                .columns
                .iter()
                .filter_map(|(k, hs)| {
                    Some((
                        Canonical::parse(k.get_ref())?,
                        hs.iter().map(|h| h.get_ref().clone()).collect(),
                    ))
                })
                .collect();
            (p.name, columns)
        })
        .collect();
    let mut mapped: Vec<Mapped> = Vec::new();
    // Names spelled as the header spells them first, then loose matches.
    let passes: [fn(&Header, &str) -> Option<usize>; 2] =
        [Header::find_spelled, Header::find_loose];
    for field in Canonical::ALL {
        'presets: for find in passes {
            for (preset, columns) in &lists {
                for (f, names) in columns {
                    if *f != field {
                        continue;
                    }
                    for name in names {
                        let Some(column) = find(header, name) else {
                            continue;
                        };
                        if mapped.iter().any(|m| m.column == column) {
                            continue;
                        }
                        let written = &header.cells[column];
                        let evidence = if written == name {
                            format!("preset {preset} names it \"{name}\"")
                        } else {
                            format!("matches preset {preset}'s \"{name}\"")
                        };
                        mapped.push(Mapped {
                            field,
                            column,
                            evidence,
                        });
                        break 'presets;
                    }
                }
            }
        }
    }
    mapped
}

/// A column whose few values include won/lost words, when no header names the stage.
fn guess_stage(profile: &FileProfile, mapped: &[Mapped]) -> Option<Mapped> {
    profile
        .columns
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            !mapped.iter().any(|m| m.column == *i)
                && c.kind() == ValueType::Text
                && (2..=40).contains(&c.distinct())
                && !c.distinct_overflow
                && c.fill_rate() >= 0.9
                && c.values.keys().any(|v| outcome_from_name(v).is_some())
        })
        .max_by_key(|(_, c)| c.filled)
        .map(|(column, c)| Mapped {
            field: Canonical::Stage,
            column,
            evidence: format!(
                "guessed from its values ({} distinct, including won/lost) (CHECK)",
                c.distinct()
            ),
        })
}

/// A record id rather than a picklist value (`0058a00000MNWtFAAX`): one word of ten or
/// more characters mixing letters and digits.
fn looks_like_id(v: &str) -> bool {
    v.len() >= 10
        && v.chars().all(|c| c.is_ascii_alphanumeric())
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_alphabetic())
}

/// Won or lost, when a stage's name says so.
fn outcome_from_name(name: &str) -> Option<&'static str> {
    let n = name.to_lowercase();
    let words: Vec<&str> = n
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    if has("won")
        || has("win")
        || n.contains("ganad")
        || n.contains("gagn")
        || n.contains("gewonnen")
    {
        Some("won")
    } else if has("lost")
        || has("dead")
        || n.contains("disqualif")
        || n.contains("perdid")
        || n.contains("verloren")
        || n.contains("perdu")
    {
        Some("lost")
    } else {
        None
    }
}

/// Where a stage usually sits, from words in its name (1 = first contact … 5 = signing).
fn rank_from_name(name: &str) -> Option<f64> {
    const WORDS: [(&str, f64); 34] = [
        ("lead", 1.0),
        ("new", 1.0),
        ("prospect", 1.0),
        ("interes", 1.0),
        ("inbound", 1.0),
        ("appointment", 1.5),
        ("qualif", 2.0),
        ("contact", 2.0),
        ("engag", 2.0),
        ("connect", 2.0),
        ("intro", 2.0),
        ("discover", 3.0),
        ("needs", 3.0),
        ("analysis", 3.0),
        ("demo", 3.0),
        ("meeting", 3.0),
        ("evaluat", 3.0),
        ("value", 3.0),
        ("decision", 3.5),
        ("perception", 3.5),
        ("present", 3.8),
        ("design", 3.9),
        ("diseño", 3.9),
        ("proposal", 4.0),
        ("propuesta", 4.0),
        ("quote", 4.0),
        ("negotia", 5.0),
        ("negocia", 5.0),
        ("review", 5.0),
        ("contract", 5.2),
        ("verbal", 5.2),
        ("commit", 5.2),
        ("firma", 5.5),
        ("sign", 5.5),
    ];
    let n = name.to_lowercase();
    WORDS
        .iter()
        .filter(|(w, _)| n.contains(w))
        .map(|(_, r)| *r)
        .reduce(f64::max)
}

/// A stage of the draft.
#[derive(Clone, Debug)]
struct StageDraft {
    name: String,
    aliases: Vec<String>,
    deals: u64,
    probability: Option<f64>,
    /// The probability most deals of the stage carry, when it differs from `probability`.
    observed_probability: Option<f64>,
    forecast: Option<Vec<String>>,
    /// Forecast categories seen on too few deals to be allowed (left to HYG005).
    rare_forecast: Vec<(String, u64)>,
    max_days: Option<i64>,
    stale_days: Option<i64>,
    requires: Vec<String>,
    outcome: Option<&'static str>,
    /// Why the outcome is what it is.
    outcome_evidence: Option<String>,
    from_preset: bool,
    rank: f64,
    first_seen: usize,
}

struct Draft<'a> {
    profile: &'a FileProfile,
    header: &'a Header,
    mapped: &'a [Mapped],
    dropped: &'a [(Mapped, ValueType)],
    base: Option<&'static Preset>,
    detected: Option<&'a presets::Detection>,
    watch: Watch,
    /// Per-stage statistics were gathered for the mapped stage column.
    grouped: bool,
}

/// A TOML key: bare when it can be, else quoted.
fn key(s: &str) -> String {
    let bare = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { s.to_string() } else { q(s) }
}

/// A TOML basic string on one line (valid as a value and as a key): quotes, backslashes
/// and control characters escaped.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text from the export shown in a `#` comment: on one line, whatever it holds.
fn c(s: &str) -> String {
    s.chars()
        .map(|ch| if ch.is_control() { ' ' } else { ch })
        .collect()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// `type = "enum", values = [...]`: every value the column holds, most common first.
fn enum_of(c: &ColumnStats) -> String {
    let values: Vec<String> = c
        .top(usize::MAX)
        .into_iter()
        .map(|(v, _)| v.to_string())
        .collect();
    format!("type = \"enum\", values = {}", list(&values))
}

fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

use crate::words::{number, thousands};

impl Draft<'_> {
    fn column_of(&self, field: Canonical) -> Option<usize> {
        self.mapped
            .iter()
            .find(|m| m.field == field)
            .map(|m| m.column)
    }

    fn stats(&self, column: usize) -> &ColumnStats {
        &self.profile.columns[column]
    }

    fn records(&self) -> u64 {
        self.profile.records - self.profile.malformed
    }

    fn required(&self, column: usize) -> bool {
        let c = self.stats(column);
        self.records() > 0 && c.filled as f64 >= c.rows as f64 * REQUIRED_SHARE && c.rows > 0
    }

    fn decimal(&self) -> DecimalMark {
        self.profile.decimal()
    }

    /// Formats that read a date column's values: its best, and others for values the
    /// best does not read.
    fn formats_of(&self, column: usize) -> Vec<&'static str> {
        let c = self.stats(column);
        let Some(v) = c.date_verdict() else {
            return Vec::new();
        };
        let mut out = vec![v.format];
        if v.parsed < c.dates.date_like {
            let partner = dates::swapped(v.format);
            let mut rest: Vec<(u64, &'static str)> = CANDIDATES
                .iter()
                .enumerate()
                .filter(|(_, f)| **f != v.format && Some(**f) != partner)
                .map(|(i, f)| (c.dates.only[i].max(c.dates.parsed[i]), *f))
                .filter(|(n, _)| *n > 0)
                .collect();
            rest.sort_by_key(|r| std::cmp::Reverse(r.0));
            out.extend(rest.into_iter().take(2).map(|(_, f)| f));
        }
        out
    }

    /// Whether a column may be typed as a date by the draft: every value reads with the
    /// formats of its own verdict.
    fn all_dates(&self, column: usize) -> bool {
        let c = self.stats(column);
        c.date_verdict()
            .is_some_and(|v| c.dates.date_like == c.filled && v.parsed == c.filled)
    }

    /// Whether every value of a column reads as `kind` (money, number or percent) with the
    /// draft's decimal mark.
    fn all_read_as(&self, column: usize, kind: ValueType) -> bool {
        let c = self.stats(column);
        let n = &c.numbers;
        let mark = match self.decimal() {
            DecimalMark::Point => 0,
            DecimalMark::Comma => 1,
        };
        let read = match kind {
            ValueType::Money => {
                let against = [n.comma_only, n.point_only][mark];
                if against == 0 { n.numeric() } else { 0 }
            }
            ValueType::Percent => n.percent[mark],
            _ => n.number[mark],
        };
        read == c.filled
    }

    fn render(&self, command: &str) -> String {
        let mut out = String::new();
        let p = self.profile;
        let _ = writeln!(
            out,
            "# pipelint rules drafted by `{}` (pipelint {}).",
            c(command),
            env!("CARGO_PKG_VERSION")
        );
        let _ = writeln!(
            out,
            "# From {} records of {}: {}, {}-delimited, decimal {}.",
            thousands(self.records()),
            c(&p.name),
            p.encoding,
            crate::words::delimiter_word(p.delimiter),
            match self.decimal() {
                DecimalMark::Point => "point",
                DecimalMark::Comma => "comma",
            }
        );
        match (self.base, self.detected) {
            (Some(b), Some(d)) if d.preset == b.name => {
                let _ = writeln!(
                    out,
                    "# Column names and stages start from preset {} ({}).",
                    b.name,
                    d.words()
                );
            }
            (Some(b), _) => {
                let _ = writeln!(
                    out,
                    "# Column names and stages start from preset {} (as asked).",
                    b.name
                );
            }
            (None, _) => {
                let _ = writeln!(
                    out,
                    "# No built-in preset fits this export: everything below comes from its values."
                );
            }
        }
        let _ = writeln!(
            out,
            "# Every setting was read from the data; lines marked CHECK are guesses to confirm.\n\
             # Check it with `pipelint rules check FILE`, then `pipelint audit EXPORT -r FILE`."
        );
        self.render_input(&mut out);
        self.render_columns(&mut out);
        self.render_fields(&mut out);
        self.render_stages(&mut out);
        self.render_rest(&mut out);
        out
    }

    /// Date columns the draft reads as dates: mapped date fields and other all-date columns.
    fn date_columns(&self) -> Vec<usize> {
        (0..self.profile.columns.len())
            .filter(|&i| {
                let canonical_date = self.mapped.iter().any(|m| {
                    m.column == i && m.field.default_type() == crate::field::FieldType::Date
                });
                let kind = self.stats(i).kind();
                let is_date = matches!(kind, ValueType::Date | ValueType::DateTime);
                (canonical_date && is_date) || (!self.is_mapped(i) && is_date && self.all_dates(i))
            })
            .collect()
    }

    fn is_mapped(&self, column: usize) -> bool {
        self.mapped.iter().any(|m| m.column == column)
    }

    fn render_input(&self, out: &mut String) {
        let _ = writeln!(out, "\n[input]");
        let mut formats: Vec<&'static str> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        for column in self.date_columns() {
            let c = self.stats(column);
            let Some(v) = c.date_verdict() else { continue };
            let mut note = format!(
                "{}: {} ({} of {} values)",
                self::c(&c.name),
                v.format,
                thousands(v.parsed),
                thousands(c.filled)
            );
            if let Some(alt) = v.ambiguous_with {
                note.push_str(&format!(
                    "; no day above 12, so {alt} reads them too: {} assumed (CHECK)",
                    if v.format.starts_with("%m") {
                        "month-first"
                    } else {
                        "day-first"
                    }
                ));
            } else if v.contradicting > 0 {
                note.push_str(&format!(
                    "; {} value{} only read day/month swapped",
                    thousands(v.contradicting),
                    if v.contradicting == 1 { "" } else { "s" }
                ));
            } else if dates::swapped(v.format).is_some() {
                note.push_str("; a day above 12 decides the order");
            }
            notes.push(note);
            for f in self.formats_of(column) {
                if !formats.contains(&f) {
                    formats.push(f);
                }
            }
        }
        if notes.is_empty() {
            let _ = writeln!(
                out,
                "# No date values seen; ISO 8601 (2026-01-31) is always read."
            );
        } else {
            let _ = writeln!(out, "# Dates as written (ISO 8601 is always read as well):");
            for n in &notes {
                let _ = writeln!(out, "#   {n}");
            }
        }
        let shown: Vec<String> = formats.iter().map(|f| f.to_string()).collect();
        let _ = writeln!(out, "date_formats = {}", list(&shown));
        let _ = writeln!(
            out,
            "decimal = {}",
            q(match self.decimal() {
                DecimalMark::Point => ".",
                DecimalMark::Comma => ",",
            })
        );
        if self.profile.delimiter != b',' {
            let _ = writeln!(
                out,
                "delimiter = {}",
                q(&crate::words::delimiter_name(self.profile.delimiter))
            );
        }
        // Placeholders: the defaults, plus every known one seen (as spelled, once).
        let mut seen: Vec<(String, u64)> = Vec::new();
        for c in &self.profile.columns {
            for (v, n) in &c.placeholders {
                let lower = v.to_lowercase();
                match seen.iter_mut().find(|(s, _)| *s == lower) {
                    Some((_, total)) => *total += n,
                    None => seen.push((lower, *n)),
                }
            }
        }
        seen.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let defaults = Placeholders::default();
        let mut values: Vec<String> = DEFAULT_EMPTY_VALUES.iter().map(|s| s.to_string()).collect();
        let extra: Vec<&(String, u64)> = seen
            .iter()
            .filter(|(v, _)| !defaults.is_missing(v))
            .collect();
        for (v, _) in &extra {
            values.push(v.clone());
        }
        if seen.is_empty() {
            let _ = writeln!(out, "# No placeholders seen; these count as empty:");
        } else {
            let shown: Vec<String> = seen
                .iter()
                .take(8)
                .map(|(v, n)| format!("{} ({} cells)", c(v), thousands(*n)))
                .collect();
            let _ = writeln!(out, "# Placeholders seen: {}.", shown.join(", "));
        }
        let _ = writeln!(out, "empty_values = {}", list(&values));
    }

    fn render_columns(&self, out: &mut String) {
        let _ = writeln!(out, "\n[columns]\n# canonical field = the export's header");
        let width = self
            .mapped
            .iter()
            .map(|m| m.field.as_str().len() + q(&self.header.cells[m.column]).len() + 3)
            .max()
            .unwrap_or(0);
        for m in self.mapped {
            let line = format!("{} = {}", m.field.as_str(), q(&self.header.cells[m.column]));
            let _ = writeln!(out, "{line:<width$}  # {}", m.evidence);
        }
        for (m, kind) in self.dropped {
            let _ = writeln!(
                out,
                "# {} = {}  # not mapped: its values are {}, not what {} holds",
                m.field.as_str(),
                q(&self.header.cells[m.column]),
                kind.as_str(),
                m.field.as_str()
            );
        }
        let wanted = [
            (Canonical::Stage, "stage rules and risk need it"),
            (Canonical::Owner, "completeness by owner needs it"),
            (Canonical::Amount, "pipeline totals need it"),
            (Canonical::CloseDate, "overdue and horizon checks need it"),
            (Canonical::Name, "reports name deals with it"),
        ];
        for (field, why) in wanted {
            if !self.mapped.iter().any(|m| m.field == field)
                && !self.dropped.iter().any(|(m, _)| m.field == field)
            {
                let _ = writeln!(
                    out,
                    "# {} = \"\"  # no column found; map one if the export has it ({why})",
                    field.as_str()
                );
            }
        }
    }

    fn render_fields(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\n[fields]\n# required = true where at least {:.0}% of records are filled.",
            REQUIRED_SHARE * 100.0
        );
        let mut lines: Vec<(String, String)> = Vec::new();
        for m in self.mapped {
            let c = self.stats(m.column);
            let mut parts: Vec<String> = Vec::new();
            match m.field {
                Canonical::Probability => {
                    let fraction = self.probability_is_fraction();
                    if fraction {
                        parts.push("type = \"percent\", fraction = true".into());
                    }
                    let scale = if fraction { 100.0 } else { 1.0 };
                    let within = c.numbers.min.is_none_or(|v| v * scale >= 0.0)
                        && c.numbers.max.is_none_or(|v| v * scale <= 100.0);
                    if within {
                        parts.push("min = 0, max = 100".into());
                    }
                }
                Canonical::Amount => {
                    if c.numbers.min.is_none_or(|v| v >= 0.0) {
                        parts.push("min = 0".into());
                    }
                    parts.push("weight = 3".into());
                }
                Canonical::CloseDate => parts.push("weight = 3".into()),
                Canonical::NextStep => {
                    parts.push("severity = \"warning\"".into());
                    parts.push("weight = 2".into());
                }
                Canonical::Status if !c.distinct_overflow && c.distinct() > 0 => {
                    parts.push(enum_of(c));
                }
                _ => {}
            }
            if self.required(m.column) {
                parts.insert(0, "required = true".into());
            }
            if parts.is_empty() {
                continue;
            }
            lines.push((
                format!("{} = {{ {} }}", m.field.as_str(), parts.join(", ")),
                format!("{} filled", pct(c.fill_rate())),
            ));
        }
        // Other columns, by their header. A header that is empty, or spelled like a canonical
        // field (which `[fields]` would take to mean that field), is left out with a note.
        let mut skipped_names: Vec<String> = Vec::new();
        let others: Vec<usize> = (0..self.profile.columns.len())
            .filter(|&i| !self.is_mapped(i) && self.stats(i).filled > 0)
            .filter(|&i| {
                let name = self.stats(i).name.trim();
                let clash = Canonical::parse(name).is_some()
                    || Canonical::names().any(|n| header_key(n) == header_key(name));
                let duplicate = self
                    .header
                    .cells
                    .iter()
                    .enumerate()
                    .any(|(j, h)| j != i && eq_fold(h.trim(), name));
                if name.is_empty() || clash || duplicate {
                    skipped_names.push(name.to_string());
                    return false;
                }
                true
            })
            .collect();
        let mut other_lines: Vec<(String, String)> = Vec::new();
        for i in others {
            let c = self.stats(i);
            let mut parts: Vec<String> = Vec::new();
            let mut why = format!("{} filled", pct(c.fill_rate()));
            match c.kind() {
                ValueType::Boolean => parts.push("type = \"boolean\"".into()),
                ValueType::Date | ValueType::DateTime if self.all_dates(i) => {
                    parts.push("type = \"date\"".into());
                }
                ValueType::Money if self.all_read_as(i, ValueType::Money) => {
                    parts.push("type = \"money\"".into());
                }
                ValueType::Percent if self.all_read_as(i, ValueType::Percent) => {
                    parts.push("type = \"percent\"".into());
                }
                ValueType::Integer | ValueType::Decimal
                    if self.all_read_as(i, ValueType::Integer) =>
                {
                    parts.push("type = \"number\"".into());
                }
                ValueType::Text
                    if !c.distinct_overflow
                        && (2..=12).contains(&c.distinct())
                        && c.filled >= 20
                        && c.distinct() as u64 * 5 <= c.filled
                        && !c.values.keys().all(|v| looks_like_id(v)) =>
                {
                    parts.push(enum_of(c));
                    why.push_str(&format!(", {} distinct values", c.distinct()));
                }
                _ => {}
            }
            if self.required(i) {
                parts.insert(0, "required = true".into());
            }
            if parts.is_empty() {
                continue;
            }
            other_lines.push((
                format!("{} = {{ {} }}", key(&c.name), parts.join(", ")),
                why,
            ));
        }
        write_aligned(out, &lines);
        if !skipped_names.is_empty() {
            let shown: Vec<String> = skipped_names
                .iter()
                .map(|n| {
                    if n.is_empty() {
                        "(empty)".to_string()
                    } else {
                        c(n)
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "# Not typed here: {} (an empty or repeated header, or one named like a canonical field)",
                shown.join(", ")
            );
        }
        if !other_lines.is_empty() {
            let _ = writeln!(
                out,
                "# Other columns of the export, typed by their values (remove what you do not need checked):"
            );
            write_aligned(out, &other_lines);
        }
    }

    /// The stages: observed values in their likely order, with what the data says.
    fn render_stages(&self, out: &mut String) {
        let Some(stage_col) = self.column_of(Canonical::Stage) else {
            let _ = writeln!(
                out,
                "\n# No stage column was found, so no [[stages]] are drafted: map `stage` in\n\
                 # [columns] and list the pipeline's stages to audit exit criteria and risk."
            );
            return;
        };
        let column = self.stats(stage_col);
        if column.distinct_overflow {
            let _ = writeln!(
                out,
                "\n# The stage column {} holds more than {} distinct values, too many to be\n\
                 # stages: no [[stages]] are drafted. List the pipeline's stages to audit them.",
                c(&column.name),
                thousands(crate::infer::column::DISTINCT_CAP as u64)
            );
            return;
        }
        let (stages, order_source) = self.stages(stage_col);
        let _ = writeln!(
            out,
            "\n# Stages in pipeline order ({order_source}), with the deals seen in each.\n\
             # `requires` are exit criteria: fields a deal must have to sit in the stage."
        );
        for s in &stages {
            let _ = writeln!(out, "\n[[stages]]");
            let seen = if s.deals == 0 {
                "no deals in this export".to_string()
            } else {
                format!(
                    "{} deal{}",
                    thousands(s.deals),
                    if s.deals == 1 { "" } else { "s" }
                )
            };
            let _ = writeln!(
                out,
                "name = {}  # {seen}{}",
                q(&s.name),
                if s.from_preset {
                    ""
                } else {
                    "; not a preset stage"
                }
            );
            if !s.aliases.is_empty() {
                let _ = writeln!(out, "aliases = {}", list(&s.aliases));
            }
            if let Some(p) = s.probability {
                match s.observed_probability.filter(|o| *o != p) {
                    Some(o) => {
                        let _ = writeln!(
                            out,
                            "probability = {}  # most deals here carry {}",
                            number(p),
                            number(o)
                        );
                    }
                    None => {
                        let _ = writeln!(out, "probability = {}", number(p));
                    }
                }
            }
            if let Some(f) = &s.forecast {
                let _ = writeln!(out, "forecast = {}", list(f));
            }
            if !s.rare_forecast.is_empty() {
                let rare: Vec<String> = s
                    .rare_forecast
                    .iter()
                    .map(|(v, n)| format!("{} ({n})", c(v)))
                    .collect();
                let _ = writeln!(
                    out,
                    "# also seen here, on few deals, left out so that HYG005 flags them: {}",
                    rare.join(", ")
                );
            }
            if let Some(d) = s.max_days {
                let _ = writeln!(out, "max_days = {d}");
            } else if s.outcome.is_none() {
                let _ = writeln!(out, "# max_days = 30  # longest healthy stay (CHECK)");
            }
            if let Some(d) = s.stale_days {
                let _ = writeln!(out, "stale_days = {d}");
            }
            if !s.requires.is_empty() {
                let _ = writeln!(out, "requires = {}", list(&s.requires));
            }
            if let Some(o) = s.outcome {
                match &s.outcome_evidence {
                    Some(e) => {
                        let _ = writeln!(out, "outcome = {}  # {e}", q(o));
                    }
                    None => {
                        let _ = writeln!(out, "outcome = {}", q(o));
                    }
                }
            }
        }
    }

    /// Stage values seen, as (value, deals, first seen), in file order.
    fn observed(&self, stage_col: usize) -> Vec<(String, u64, &GroupStats)> {
        let _ = stage_col;
        self.profile
            .groups
            .iter()
            .map(|g| (g.value.clone(), g.rows, g))
            .collect()
    }

    fn stages(&self, stage_col: usize) -> (Vec<StageDraft>, String) {
        let observed: Vec<(String, u64, Option<&GroupStats>)> = if self.grouped {
            self.observed(stage_col)
                .into_iter()
                .map(|(v, n, g)| (v, n, Some(g)))
                .collect()
        } else {
            let c = self.stats(stage_col);
            c.top(usize::MAX)
                .into_iter()
                .map(|(v, n)| (v.to_string(), n, None))
                .collect()
        };
        // Spellings differing only in case are one stage.
        let mut distinct: Vec<(String, u64, Option<&GroupStats>)> = Vec::new();
        for (v, n, g) in observed {
            match distinct.iter_mut().find(|(d, _, _)| eq_fold(d, &v)) {
                Some(d) => d.1 += n,
                None => distinct.push((v, n, g)),
            }
        }
        let preset_stages: Vec<RawStage> = self
            .base
            .map(|p| {
                let mut problems = Problems::default();
                crate::rules::parse::parse_rules(p.text, 0, &mut problems)
                    .stages
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        let matches = |s: &RawStage, v: &str| {
            eq_fold(s.name.get_ref().trim(), v)
                || s.aliases.iter().any(|a| eq_fold(a.get_ref().trim(), v))
        };
        // The preset's pipeline is this export's when it knows most of the open stages seen
        // (every pipeline has a won and a lost stage; those tell nothing).
        let all_deals: u64 = distinct.iter().map(|(_, n, _)| *n).sum();
        let open_values: Vec<bool> = distinct
            .iter()
            .filter_map(
                |(v, _, _)| match preset_stages.iter().find(|s| matches(s, v)) {
                    Some(s) if s.outcome.is_some() => None,
                    Some(_) => Some(true),
                    None if outcome_from_name(v).is_some() => None,
                    None => Some(false),
                },
            )
            .collect();
        let known_open = open_values.iter().filter(|k| **k).count();
        let use_preset = !preset_stages.is_empty() && known_open * 2 >= open_values.len();

        let mut stages: Vec<StageDraft> = Vec::new();
        if use_preset {
            // A CRM's default pipeline is real even where this export has no deals; the
            // generic preset's stages are a catch-all, kept only where deals are.
            let keep_unseen = self.base.is_some_and(|b| b.name != "generic");
            for (i, s) in preset_stages.iter().enumerate() {
                let seen: Vec<&(String, u64, Option<&GroupStats>)> =
                    distinct.iter().filter(|(v, _, _)| matches(s, v)).collect();
                let deals: u64 = seen.iter().map(|(_, n, _)| *n).sum();
                if deals == 0 && !keep_unseen && all_deals > 0 {
                    continue;
                }
                let group = seen.iter().find_map(|(_, _, g)| *g);
                let mut d = self.stage_from_data(s.name.get_ref().trim(), deals, group, i);
                self.borrow_preset(&mut d, s);
                d.rank = i as f64;
                stages.push(d);
            }
            // Values the preset does not know go before the closed stages.
            let closed_at = stages
                .iter()
                .position(|s| s.outcome.is_some())
                .unwrap_or(stages.len());
            let mut extra: Vec<StageDraft> = distinct
                .iter()
                .enumerate()
                .filter(|(_, (v, _, _))| !preset_stages.iter().any(|s| matches(s, v)))
                .map(|(i, (v, n, g))| self.stage_from_data(v, *n, *g, i))
                .collect();
            order(&mut extra);
            let (open_extra, closed_extra): (Vec<StageDraft>, Vec<StageDraft>) =
                extra.into_iter().partition(|s| s.outcome.is_none());
            let tail = stages.split_off(closed_at);
            stages.extend(open_extra);
            stages.extend(tail);
            stages.extend(closed_extra);
            let source = format!(
                "preset {}'s order{}",
                self.base.map_or("?", |b| b.name),
                if stages.iter().any(|s| !s.from_preset) {
                    "; stages it does not know placed by name (CHECK)"
                } else {
                    ""
                }
            );
            return (stages, source);
        }
        for (i, (v, n, g)) in distinct.iter().enumerate() {
            let mut d = self.stage_from_data(v, *n, *g, i);
            // A value the preset knows keeps the preset's settings, not its place.
            if let Some(s) = preset_stages.iter().find(|s| matches(s, v)) {
                let rank = d.rank;
                self.borrow_preset(&mut d, s);
                d.rank = rank;
            }
            stages.push(d);
        }
        let source = if self.watch.sort_order.is_some() && self.grouped {
            "from the StageSortOrder column".to_string()
        } else if stages
            .iter()
            .all(|s| s.outcome.is_some() || rank_from_name(&s.name).is_some())
        {
            "from the stage names (CHECK)".to_string()
        } else if self.watch.probability.is_some() && self.grouped {
            "from the stage names and probabilities (CHECK)".to_string()
        } else {
            "guessed from the stage names; unknown ones in order of appearance (CHECK)".to_string()
        };
        order(&mut stages);
        (stages, source)
    }

    /// Whether the probability column holds fractions (0.4 for 40%): some value strictly
    /// between 0 and 1, or (when only 0 and 1 occur, as in an export of closed deals) the
    /// base preset says its CRM writes fractions.
    fn probability_is_fraction(&self) -> bool {
        let Some(col) = self.column_of(Canonical::Probability) else {
            return false;
        };
        let n = &self.stats(col).numbers;
        if n.looks_fractional() {
            return true;
        }
        let within_unit = n.with_percent == 0
            && n.min.is_some_and(|m| m >= 0.0)
            && n.max.is_some_and(|m| m <= 1.0);
        within_unit
            && self.base.is_some_and(|p| {
                let mut problems = Problems::default();
                crate::rules::parse::parse_rules(p.text, 0, &mut problems)
                    .fields
                    .iter()
                    .any(|(k, f)| k.get_ref() == "probability" && f.fraction == Some(true))
            })
    }

    /// Take a preset stage's name, aliases and settings (the deals and evidence stay).
    fn borrow_preset(&self, d: &mut StageDraft, s: &RawStage) {
        d.name = s.name.get_ref().trim().to_string();
        d.from_preset = true;
        d.aliases = s
            .aliases
            .iter()
            .map(|a| a.get_ref().trim().to_string())
            .collect();
        d.probability = s.probability.as_ref().map(|p| *p.get_ref());
        if d.observed_probability == d.probability {
            d.observed_probability = None;
        }
        d.forecast = s
            .forecast
            .as_ref()
            .map(|f| f.iter().map(|c| c.get_ref().clone()).collect());
        d.rare_forecast.clear();
        d.max_days = s.max_days.as_ref().map(|v| *v.get_ref());
        d.stale_days = s.stale_days.as_ref().map(|v| *v.get_ref());
        d.requires = s
            .requires
            .iter()
            .map(|r| r.get_ref().trim().to_string())
            .filter(|r| self.resolves(r))
            .collect();
        d.outcome = s.outcome.as_ref().map(|o| match o.get_ref().as_str() {
            "won" => "won",
            _ => "lost",
        });
        d.outcome_evidence = None;
    }

    /// Whether a field name in a preset's `requires` exists in this export.
    fn resolves(&self, name: &str) -> bool {
        match Canonical::parse(name) {
            Some(c) => self.mapped.iter().any(|m| m.field == c),
            None => self.header.find(name).is_some(),
        }
    }

    /// A stage as the data shows it: its outcome, probability, forecast categories, order
    /// and exit criteria.
    fn stage_from_data(
        &self,
        name: &str,
        deals: u64,
        group: Option<&GroupStats>,
        first_seen: usize,
    ) -> StageDraft {
        let mut d = StageDraft {
            name: name.to_string(),
            aliases: Vec::new(),
            deals,
            probability: None,
            observed_probability: None,
            forecast: None,
            rare_forecast: Vec::new(),
            max_days: None,
            stale_days: None,
            requires: Vec::new(),
            outcome: None,
            outcome_evidence: None,
            from_preset: false,
            rank: f64::NAN,
            first_seen,
        };
        let fraction = self.probability_is_fraction();
        if let (Some(g), Some(w)) = (group, self.watch.probability) {
            d.observed_probability = g
                .mode(w)
                .and_then(|v| parse_percent(v, self.decimal(), fraction).ok())
                .filter(|p| (0.0..=100.0).contains(p));
            d.probability = d.observed_probability;
        }
        // Outcome: the won/closed flags of its deals, else its name.
        if let (Some(g), Some(wc)) = (group, self.watch.is_closed) {
            let truthy = |w: usize| {
                g.watched.get(w).map_or(0, |vals| {
                    vals.iter()
                        .filter(|(v, _)| crate::values::parse_bool(v) == Some(true))
                        .map(|(_, n)| *n)
                        .sum::<u64>()
                })
            };
            let closed = truthy(wc);
            if g.rows > 0 && closed * 10 >= g.rows * 9 {
                let won = self.watch.is_won.map_or(0, truthy);
                let is_won = won * 2 > closed;
                d.outcome = Some(if is_won { "won" } else { "lost" });
                d.outcome_evidence = Some(format!(
                    "IsClosed on {} of {} deals, IsWon on {}",
                    closed, g.rows, won
                ));
            }
        }
        if d.outcome.is_none() {
            if let Some(o) = outcome_from_name(name) {
                d.outcome = Some(o);
                d.outcome_evidence = Some("from its name".to_string());
            }
        }
        // Order: the sort-order column, else words in the name, else the probability.
        let sort = group
            .zip(self.watch.sort_order)
            .and_then(|(g, w)| g.mode(w))
            .and_then(|v| v.trim().parse::<f64>().ok());
        d.rank = sort
            .or_else(|| rank_from_name(name))
            .or_else(|| d.probability.map(|p| 1.0 + p / 100.0 * 4.5))
            .unwrap_or(f64::NAN);
        if let (Some(g), Some(w)) = (group, self.watch.forecast) {
            let total: u64 = g.watched[w].iter().map(|(_, n)| *n).sum();
            let mut allowed: Vec<String> = Vec::new();
            let mut norms: Vec<String> = Vec::new();
            let mut values = g.watched[w].clone();
            values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            for (v, n) in values {
                let norm = normalize_forecast(&v);
                if norm.is_empty() || norms.contains(&norm) {
                    continue;
                }
                // A misspelling of a known category is a data problem, not a category.
                let typo = !KNOWN_FORECAST.contains(&norm.as_str())
                    && crate::suggest::did_you_mean(&norm, KNOWN_FORECAST).is_some();
                if typo || (n * 20 < total && n < 2) {
                    d.rare_forecast.push((v, n));
                    continue;
                }
                norms.push(norm);
                allowed.push(v);
            }
            if !allowed.is_empty() {
                d.forecast = Some(allowed);
            }
        }
        // Exit criteria: fields (not globally required) filled on nearly every deal here.
        if let Some(g) = group.filter(|g| g.rows >= STAGE_EVIDENCE) {
            for field in [
                Canonical::Account,
                Canonical::Amount,
                Canonical::CloseDate,
                Canonical::NextStep,
            ] {
                let Some(col) = self.column_of(field) else {
                    continue;
                };
                if self.required(col) {
                    continue;
                }
                let filled = g.filled.get(col).copied().unwrap_or(0);
                if filled as f64 >= g.rows as f64 * REQUIRED_SHARE {
                    d.requires.push(field.as_str().to_string());
                }
            }
        }
        d
    }

    fn render_rest(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\n# Conditional requirements, for example:\n\
             # [[rules]]\n\
             # id = \"big-deal-sponsor\"\n\
             # when = {{ field = \"amount\", gte = 100000 }}\n\
             # requires = [\"next_step\"]\n\
             # severity = \"warning\"\n\
             \n\
             [risk]  # the defaults; tune to your sales cycle\n\
             stale_days = 14\n\
             probability_tolerance = 20\n\
             horizon_days = 365\n\
             high = 60\n\
             medium = 30\n\
             \n\
             [gate]\n\
             fail_on = \"error\"\n\
             # min_completeness = 85"
        );
    }
}

/// Align trailing comments of `(code, comment)` lines.
fn write_aligned(out: &mut String, lines: &[(String, String)]) {
    let width = lines
        .iter()
        .map(|(l, _)| l.chars().count())
        .filter(|w| *w <= 60)
        .max()
        .unwrap_or(0);
    for (line, comment) in lines {
        let pad = width.saturating_sub(line.chars().count());
        let _ = writeln!(out, "{line}{}  # {comment}", " ".repeat(pad));
    }
}

/// Open stages by rank (unranked ones keep their order of appearance, after ranked ones
/// of lower rank), then won, then lost.
fn order(stages: &mut [StageDraft]) {
    let key = |s: &StageDraft| match s.outcome {
        Some("won") => 1,
        Some(_) => 2,
        None => 0,
    };
    stages.sort_by(|a, b| {
        key(a).cmp(&key(b)).then_with(|| {
            let (ra, rb) = (a.rank, b.rank);
            match (ra.is_nan(), rb.is_nan()) {
                (false, false) => ra.total_cmp(&rb),
                (true, true) => std::cmp::Ordering::Equal,
                // Unranked stages sort after ranked ones.
                (false, true) => std::cmp::Ordering::Less,
                (true, false) => std::cmp::Ordering::Greater,
            }
            .then(a.first_seen.cmp(&b.first_seen))
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_and_ranks_from_names() {
        assert_eq!(outcome_from_name("Closed Won"), Some("won"));
        assert_eq!(outcome_from_name("Won"), Some("won"));
        assert_eq!(outcome_from_name("Closed Lost"), Some("lost"));
        assert_eq!(outcome_from_name("Dead Deals"), Some("lost"));
        assert_eq!(outcome_from_name("Ganada"), Some("won"));
        assert_eq!(outcome_from_name("Wonderful"), None);
        assert_eq!(outcome_from_name("Negotiation"), None);
        assert!(rank_from_name("Prospecting") < rank_from_name("Engaging"));
        assert!(rank_from_name("Qualification") < rank_from_name("Discovery"));
        assert!(rank_from_name("Discovery") < rank_from_name("Proposal/Quote"));
        assert!(rank_from_name("Proposal/Quote") < rank_from_name("Negotiation"));
        assert!(rank_from_name("Negociación") < rank_from_name("Firmas"));
        assert_eq!(rank_from_name("Zeta"), None);
    }

    #[test]
    fn stages_sort_open_by_rank_then_won_then_lost() {
        let s = |name: &str, rank: f64, outcome: Option<&'static str>, first: usize| StageDraft {
            name: name.into(),
            aliases: vec![],
            deals: 1,
            probability: None,
            observed_probability: None,
            forecast: None,
            rare_forecast: vec![],
            max_days: None,
            stale_days: None,
            requires: vec![],
            outcome,
            outcome_evidence: None,
            from_preset: false,
            rank,
            first_seen: first,
        };
        let mut v = vec![
            s("Lost", f64::NAN, Some("lost"), 0),
            s("Mystery", f64::NAN, None, 1),
            s("Won", f64::NAN, Some("won"), 2),
            s("Engaging", 2.0, None, 3),
            s("Prospecting", 1.0, None, 4),
        ];
        order(&mut v);
        let names: Vec<&str> = v.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Prospecting", "Engaging", "Mystery", "Won", "Lost"]);
    }
}
