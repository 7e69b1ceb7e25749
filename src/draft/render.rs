//! The draft as a commented rules file: what was read from the data, and why, beside each
//! setting. Written with the `toml_edit` document API (see [`super::toml`]).

use toml_edit::Value;

use super::mapping::Confidence;
use super::stages::{FROM_NAME, StageOrder};
use super::toml::{Toml, inline, list, number, one_line, text};
use super::{Draft, REQUIRED_SHARE};
use crate::field::Canonical;
use crate::infer::dates;
use crate::infer::{ColumnStats, ValueType};
use crate::input::header_key;
use crate::values::{DEFAULT_EMPTY_VALUES, DecimalMark, Placeholders, eq_fold};
use crate::words::{plural, thousands};

/// A share (0–1) as a percentage with one decimal.
fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A string as a TOML value writes it, for a comment that shows a line to uncomment.
fn quoted(s: &str) -> String {
    let mut v = text(s);
    v.decor_mut().clear();
    one_line(&v.to_string())
}

/// `type = "enum", values = [...]`: every value the column holds, most common first.
fn enum_of(c: &ColumnStats) -> Vec<(&'static str, Value)> {
    let values: Vec<&str> = c.top(usize::MAX).into_iter().map(|(v, _)| v).collect();
    vec![("type", text("enum")), ("values", list(&values))]
}

impl Draft<'_> {
    pub(super) fn render(&self, command: &str) -> String {
        let mut t = Toml::new();
        let p = self.profile;
        t.comment(&format!(
            "pipelint rules drafted by `{}` (pipelint {}).",
            one_line(command),
            env!("CARGO_PKG_VERSION")
        ));
        t.comment(&format!(
            "From {} records of {}: {}, {}-delimited, decimal {}.",
            thousands(self.records()),
            one_line(&p.name),
            p.encoding,
            crate::words::delimiter_word(p.delimiter),
            match self.decimal() {
                DecimalMark::Point => "point",
                DecimalMark::Comma => "comma",
            }
        ));
        t.comment(&match (self.base, self.detected) {
            (Some(b), Some(d)) if d.preset == b.name => format!(
                "Column names and stages start from preset {} ({}).",
                b.name,
                d.words()
            ),
            (Some(b), _) => format!(
                "Column names and stages start from preset {} (as asked).",
                b.name
            ),
            (None, _) => {
                "No built-in preset fits this export: everything below comes from its values."
                    .to_string()
            }
        });
        t.comment("Every setting was read from the data, with its evidence and how sure it is.");
        t.comment(
            "Check it with `pipelint rules check FILE`, then `pipelint audit EXPORT -r FILE`.",
        );
        let stages = self.column_of(Canonical::Stage).map(|c| self.stages(c));
        self.render_checks(&mut t, stages.as_ref());
        self.render_input(&mut t);
        self.render_columns(&mut t);
        self.render_fields(&mut t);
        self.render_stages(&mut t, stages);
        render_rest(&mut t);
        t.finish()
    }

    /// The decisions to confirm, least certain first: mappings guessed from values or common
    /// names, a stage column that is not there, the stages' order and outcomes read from
    /// words, dates whose order only a guess decides.
    fn render_checks(&self, t: &mut Toml, stages: Option<&StageOrder>) {
        let mut checks: Vec<(Confidence, String)> = Vec::new();
        if self.column_of(Canonical::Stage).is_none() {
            let why = match self
                .dropped
                .iter()
                .find(|(m, _)| m.field == Canonical::Stage)
            {
                Some((m, why)) => format!(
                    "the column named {} is not one ({why})",
                    quoted(&self.header.cells[m.column])
                ),
                None => {
                    "no column holds few, short, repeated values that read as stages".to_string()
                }
            };
            checks.push((
                Confidence::Low,
                format!(
                    "no stage column: {why}. Without one, stage checks, risk and the open \
                     pipeline cannot be judged; map `stage` in [columns] if the export has it"
                ),
            ));
        }
        for m in self
            .mapped
            .iter()
            .filter(|m| m.confidence < Confidence::High)
        {
            checks.push((
                m.confidence,
                format!(
                    "{} = {}: {}",
                    m.field.as_str(),
                    quoted(&self.header.cells[m.column]),
                    m.evidence
                ),
            ));
        }
        if let Some(order) = stages {
            if order.confidence < Confidence::High {
                checks.push((
                    order.confidence,
                    format!("the stages' order: {}", order.source),
                ));
            }
            for s in &order.stages {
                if s.outcome.is_some() && s.outcome_evidence.as_deref() == Some(FROM_NAME) {
                    checks.push((
                        Confidence::Medium,
                        format!(
                            "stage {} is {} (from its name)",
                            quoted(&s.name),
                            if s.outcome == Some("won") {
                                "won"
                            } else {
                                "lost"
                            }
                        ),
                    ));
                }
            }
        }
        for column in self.date_columns() {
            let c = self.stats(column);
            if let Some(alt) = c
                .date_verdict()
                .and_then(|v| v.ambiguous_with.map(|a| (v, a)))
            {
                checks.push((
                    Confidence::Low,
                    format!(
                        "{}: no day above 12, so {} and {} both read it",
                        quoted(&c.name),
                        alt.0.format,
                        alt.1
                    ),
                ));
            }
        }
        if checks.is_empty() {
            return;
        }
        checks.sort_by_key(|(c, _)| *c);
        t.blank();
        t.comment("CHECK, least certain first:");
        for (confidence, what) in checks {
            t.comment(&format!("  [{}] {what}", confidence.as_str()));
        }
    }

    fn render_input(&self, t: &mut Toml) {
        t.table("input", None);
        if self.profile.named_columns {
            t.comment("The file has no header row (its first row is a deal): its columns are");
            t.comment("named here in order. Rename them as you like; [columns] follows the names.");
            let names: Vec<&str> = self
                .profile
                .columns
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            t.set("header", list(&names), None);
        }
        if let Some(dump) = &self.profile.dump {
            t.comment(&format!(
                "A database dump (MySQL's SELECT … INTO OUTFILE): `\\N` is NULL ({} cells) and",
                thousands(dump.nulls)
            ));
            t.comment(&format!(
                "a backslash escapes a quote inside a value ({} of them).",
                thousands(dump.escaped_quotes)
            ));
            t.set("escape", text("\\"), None);
        }
        let mut formats: Vec<&'static str> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        for column in self.date_columns() {
            let c = self.stats(column);
            let Some(v) = c.date_verdict() else { continue };
            let mut note = format!(
                "{}: {} ({} of {} values)",
                one_line(&c.name),
                v.format,
                thousands(v.parsed),
                thousands(c.filled)
            );
            if let Some(alt) = v.ambiguous_with {
                let order = if v.format.starts_with("%m") {
                    "month-first"
                } else {
                    "day-first"
                };
                note.push_str(&format!(
                    "; no day above 12, so {alt} reads them too: {order} assumed (low confidence)"
                ));
            } else if v.contradicting > 0 {
                note.push_str(&format!(
                    "; {} value{} only read day/month swapped",
                    thousands(v.contradicting),
                    plural(v.contradicting)
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
            t.comment("No date values seen; ISO 8601 (2026-01-31) is always read.");
        } else {
            t.comment("Dates as written (ISO 8601 is always read as well):");
            for n in &notes {
                t.comment(&format!("  {n}"));
            }
        }
        t.set("date_formats", list(&formats), None);
        let decimal = match self.decimal() {
            DecimalMark::Point => ".",
            DecimalMark::Comma => ",",
        };
        t.set("decimal", text(decimal), None);
        if self.profile.delimiter != b',' {
            let name = crate::words::delimiter_name(self.profile.delimiter);
            t.set("delimiter", text(&name), None);
        }
        self.render_placeholders(t);
    }

    /// Placeholders: the defaults, plus every known one seen (as spelled, once).
    fn render_placeholders(&self, t: &mut Toml) {
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
        values.extend(
            seen.iter()
                .filter(|(v, _)| !defaults.is_missing(v))
                .map(|(v, _)| v.clone()),
        );
        if seen.is_empty() {
            t.comment("No placeholders seen; these count as empty:");
        } else {
            let shown: Vec<String> = seen
                .iter()
                .take(8)
                .map(|(v, n)| format!("{} ({} cells)", one_line(v), thousands(*n)))
                .collect();
            t.comment(&format!("Placeholders seen: {}.", shown.join(", ")));
        }
        t.set("empty_values", list(&values), None);
    }

    fn render_columns(&self, t: &mut Toml) {
        t.table("columns", None);
        t.comment("canonical field = the export's header");
        let lines = self
            .mapped
            .iter()
            .map(|m| {
                (
                    m.field.as_str().to_string(),
                    text(&self.header.cells[m.column]),
                    format!("{} ({} confidence)", m.evidence, m.confidence.as_str()),
                )
            })
            .collect();
        t.set_aligned(lines);
        for (m, why) in self.dropped {
            t.comment(&format!(
                "{} = {}  # not mapped: {why}",
                m.field.as_str(),
                quoted(&self.header.cells[m.column]),
            ));
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
                t.comment(&format!(
                    "{} = \"\"  # no column found; map one if the export has it ({why})",
                    field.as_str()
                ));
            }
        }
    }

    fn render_fields(&self, t: &mut Toml) {
        t.table("fields", None);
        t.comment(&format!(
            "required = true where at least {:.0}% of records are filled.",
            REQUIRED_SHARE * 100.0
        ));
        let mut lines = Vec::new();
        for m in self.mapped {
            let c = self.stats(m.column);
            let parts = self.mapped_field(m.field, m.column, c);
            if !parts.is_empty() {
                let why = format!("{} filled", pct(c.fill_rate()));
                lines.push((m.field.as_str().to_string(), inline(parts), why));
            }
        }
        t.set_aligned(lines);
        let (others, skipped) = self.other_columns();
        if !skipped.is_empty() {
            let shown: Vec<String> = skipped
                .iter()
                .map(|n| {
                    if n.is_empty() {
                        "(empty)".to_string()
                    } else {
                        one_line(n)
                    }
                })
                .collect();
            t.comment(&format!(
                "Not typed here: {} (an empty or repeated header, or one named like a canonical field)",
                shown.join(", ")
            ));
        }
        let mut other_lines = Vec::new();
        for i in others {
            let c = self.stats(i);
            let mut why = format!("{} filled", pct(c.fill_rate()));
            let parts = self.other_field(i, c, &mut why);
            if !parts.is_empty() {
                other_lines.push((c.name.clone(), inline(parts), why));
            }
        }
        if !other_lines.is_empty() {
            t.comment("Other columns of the export, typed by their values (remove what you do not need checked):");
            t.set_aligned(other_lines);
        }
    }

    /// What a mapped canonical field is drafted with.
    fn mapped_field(
        &self,
        field: Canonical,
        column: usize,
        c: &ColumnStats,
    ) -> Vec<(&'static str, Value)> {
        let mut parts = Vec::new();
        match field {
            Canonical::Probability => {
                let fraction = self.probability_is_fraction();
                if fraction {
                    parts.push(("type", text("percent")));
                    parts.push(("fraction", Value::from(true)));
                }
                let scale = if fraction { 100.0 } else { 1.0 };
                let within = c.numbers.min.is_none_or(|v| v * scale >= 0.0)
                    && c.numbers.max.is_none_or(|v| v * scale <= 100.0);
                if within {
                    parts.push(("min", number(0.0)));
                    parts.push(("max", number(100.0)));
                }
            }
            Canonical::Amount => {
                if c.numbers.min.is_none_or(|v| v >= 0.0) {
                    parts.push(("min", number(0.0)));
                }
                parts.push(("weight", number(3.0)));
            }
            Canonical::CloseDate => parts.push(("weight", number(3.0))),
            Canonical::NextStep => {
                parts.push(("severity", text("warning")));
                parts.push(("weight", number(2.0)));
            }
            Canonical::Status if !c.distinct_overflow && c.distinct() > 0 => {
                parts.extend(enum_of(c));
            }
            _ => {}
        }
        if self.required(column) {
            parts.insert(0, ("required", Value::from(true)));
        }
        parts
    }

    /// The columns no canonical field maps that hold values, by their header; and the
    /// headers left out (empty, repeated, or spelled like a canonical field, which
    /// `[fields]` would take to mean that field).
    fn other_columns(&self) -> (Vec<usize>, Vec<String>) {
        let mut skipped: Vec<String> = Vec::new();
        let others = (0..self.profile.columns.len())
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
                    skipped.push(name.to_string());
                    return false;
                }
                true
            })
            .collect();
        (others, skipped)
    }

    /// What another column is drafted with: its type, when every value reads as one.
    fn other_field(
        &self,
        i: usize,
        c: &ColumnStats,
        why: &mut String,
    ) -> Vec<(&'static str, Value)> {
        let mut parts = Vec::new();
        match c.kind() {
            ValueType::Boolean => parts.push(("type", text("boolean"))),
            ValueType::Date | ValueType::DateTime if self.all_dates(i) => {
                parts.push(("type", text("date")));
            }
            ValueType::Money if self.all_read_as(i, ValueType::Money) => {
                parts.push(("type", text("money")));
            }
            ValueType::Percent if self.all_read_as(i, ValueType::Percent) => {
                parts.push(("type", text("percent")));
            }
            ValueType::Integer | ValueType::Decimal if self.all_read_as(i, ValueType::Integer) => {
                parts.push(("type", text("number")));
            }
            ValueType::Text
                if !c.distinct_overflow
                    && (2..=12).contains(&c.distinct())
                    && c.filled >= 20
                    && c.distinct() as u64 * 5 <= c.filled
                    && !c.values.keys().all(|v| super::mapping::looks_like_id(v)) =>
            {
                parts.extend(enum_of(c));
                why.push_str(&format!(", {} distinct values", c.distinct()));
            }
            _ => {}
        }
        if self.required(i) {
            parts.insert(0, ("required", Value::from(true)));
        }
        parts
    }

    /// The stages: observed values in their likely order, with what the data says.
    fn render_stages(&self, t: &mut Toml, order: Option<StageOrder>) {
        let (Some(stage_col), Some(order)) = (self.column_of(Canonical::Stage), order) else {
            t.blank();
            t.comment("No stage column was found, so no [[stages]] are drafted: map `stage` in");
            t.comment("[columns] and list the pipeline's stages to audit exit criteria and risk.");
            t.comment("Until then the audit says that stage checks and the open pipeline were not");
            t.comment("judged, rather than counting every deal as open.");
            return;
        };
        let column = self.stats(stage_col);
        if column.distinct_overflow {
            t.blank();
            t.comment(&format!(
                "The stage column {} holds more than {} distinct values, too many to be",
                one_line(&column.name),
                thousands(crate::infer::column::DISTINCT_CAP as u64)
            ));
            t.comment(
                "stages: no [[stages]] are drafted. List the pipeline's stages to audit them.",
            );
            return;
        }
        let StageOrder {
            stages,
            source: order_source,
            confidence,
        } = order;
        t.blank();
        t.comment(&format!(
            "Stages in pipeline order ({order_source}; {} confidence), with the deals seen in each.",
            confidence.as_str()
        ));
        t.comment("`requires` are exit criteria: fields a deal must have to sit in the stage.");
        for s in &stages {
            t.element("stages");
            let seen = if s.deals == 0 {
                "no deals in this export".to_string()
            } else {
                format!("{} deal{}", thousands(s.deals), plural(s.deals))
            };
            let preset = if s.from_preset {
                ""
            } else {
                "; not a preset stage"
            };
            t.set("name", text(&s.name), Some(&format!("{seen}{preset}")));
            if !s.aliases.is_empty() {
                t.set("aliases", list(&s.aliases), None);
            }
            if let Some(p) = s.probability {
                let observed = s
                    .observed_probability
                    .filter(|o| *o != p)
                    .map(|o| format!("most deals here carry {}", crate::words::number(o)));
                t.set("probability", number(p), observed.as_deref());
            }
            if let Some(f) = &s.forecast {
                t.set("forecast", list(f), None);
            }
            if !s.rare_forecast.is_empty() {
                let rare: Vec<String> = s
                    .rare_forecast
                    .iter()
                    .map(|(v, n)| format!("{} ({n})", one_line(v)))
                    .collect();
                t.comment(&format!(
                    "also seen here, on few deals, left out so that HYG005 flags them: {}",
                    rare.join(", ")
                ));
            }
            if let Some(d) = s.max_days {
                t.set("max_days", Value::from(d), None);
            } else if s.outcome.is_none() {
                t.comment("max_days = 30  # longest healthy stay (CHECK)");
            }
            if let Some(d) = s.stale_days {
                t.set("stale_days", Value::from(d), None);
            }
            if !s.requires.is_empty() {
                t.set("requires", list(&s.requires), None);
            }
            if let Some(o) = s.outcome {
                t.set("outcome", text(o), s.outcome_evidence.as_deref());
            }
        }
    }
}

/// What the data cannot tell: an example rule, the risk defaults, the gate.
fn render_rest(t: &mut Toml) {
    t.blank();
    for line in [
        "Conditional requirements, for example:",
        "[[rules]]",
        "id = \"big-deal-sponsor\"",
        "when = { field = \"amount\", gte = 100000 }",
        "requires = [\"next_step\"]",
        "severity = \"warning\"",
    ] {
        t.comment(line);
    }
    t.table("risk", Some("the defaults; tune to your sales cycle"));
    let risk = crate::rules::RiskRules::default();
    t.set("stale_days", Value::from(risk.stale_days), None);
    t.set(
        "probability_tolerance",
        number(risk.probability_tolerance),
        None,
    );
    t.set("horizon_days", Value::from(risk.horizon_days), None);
    t.set("high", Value::from(i64::from(risk.high)), None);
    t.set("medium", Value::from(i64::from(risk.medium)), None);
    t.table("gate", None);
    t.set("fail_on", text("error"), None);
    t.comment("min_completeness = 85");
}
