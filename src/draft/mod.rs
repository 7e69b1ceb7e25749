//! `pipelint init --from FILE`: a complete, commented rules file drafted from an export.
//!
//! The whole file is profiled (every column's fill rate, type, date format, placeholders,
//! and per stage the fill of every column and the values of probability, forecast, sort
//! order and won/closed flags). The draft maps columns by name (the chosen preset's
//! spellings first, then every preset's, then common column names checked against the
//! values), picks the stage and status columns by their values, lists the stages in the
//! order their deals show with won/lost recognised, and sets only what the data supports,
//! so that auditing the same file with the draft raises no unknown-stage or date-format
//! finding the draft caused.

mod mapping;
pub(crate) mod movement;
mod order;
#[cfg(test)]
mod properties;
mod render;
mod roles;
mod stages;
mod toml;
mod unnamed;
mod vocabulary;

use anyhow::Result;

use crate::field::Canonical;
use crate::infer::dates::{self, CANDIDATES};
use crate::infer::{Candidates, ColumnStats, FileProfile, GroupSpec, ValueType, is_summary};
use crate::input::{Export, Header, header_key};
use crate::rules::presets::{self, Preset};
use crate::values::{DecimalMark, Placeholders};
use mapping::{Mapped, guess_stage, map_by_name, map_by_vocabulary, type_fits};
use movement::Movement;

/// Share of records a field must be filled in to be proposed as required.
const REQUIRED_SHARE: f64 = 0.98;
/// Deals a stage needs before its own exit criteria are read from the data.
const STAGE_EVIDENCE: u64 = 5;

/// Columns watched per stage, by their index in [`GroupSpec::watch`].
#[derive(Clone, Copy, Debug, Default)]
struct Watch {
    probability: Option<usize>,
    forecast: Option<usize>,
    sort_order: Option<usize>,
    is_won: Option<usize>,
    is_closed: Option<usize>,
}

/// Where the stages' order may be read from, besides the export itself: earlier snapshots of
/// the same pipeline (oldest first; the export drafted from is the newest) and an
/// opportunity-history export.
#[derive(Default)]
pub(crate) struct History {
    pub(crate) snapshots: Vec<Export>,
    pub(crate) stage_history: Option<Export>,
}

/// Draft rules for `export`. `preset` is the one the user named; otherwise the one that
/// fits the header and the first rows, if any.
pub(crate) fn draft(
    export: Export,
    preset: Option<&'static Preset>,
    command: &str,
    history: History,
) -> Result<String> {
    let header = export.header.clone();
    let detected = presets::detect(&header.cells, &export.sample).ok();
    let base: Option<&'static Preset> =
        preset.or_else(|| detected.as_ref().and_then(|d| presets::find(d.preset)));
    let mut mapped = map_by_name(&header, base);
    // Roles are settled on the rows at the head of the file (the whole file, for most
    // exports), so that the one full read can group by the stage column they choose.
    let sample = sample_stats(&export);
    map_by_vocabulary(&header, &sample, &mut mapped);
    roles::settle(&sample, &header.cells, &mut mapped);
    if export.header_named {
        unnamed::map_by_values(&sample, &mut mapped);
    }

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
    // Probability and forecast are watched first: they count open deals only.
    let open_only =
        usize::from(watch.probability.is_some()) + usize::from(watch.forecast.is_some());
    add(by_key("stagesortorder"), &mut watch.sort_order);
    add(by_key("iswon"), &mut watch.is_won);
    add(by_key("isclosed"), &mut watch.is_closed);
    let mut kept = [None, None];
    for (slot, field) in kept
        .iter_mut()
        .zip([Canonical::CreatedDate, Canonical::StageChanged])
    {
        if let Some(c) = col(field) {
            *slot = Some(spec.keep.len());
            spec.keep.push(c);
        }
    }
    spec.closed_by = col(Canonical::Status);
    spec.open_only = open_only;
    let stage_column = col(Canonical::Stage);
    if let Some(c) = stage_column {
        spec.by = c;
    }
    let profile = FileProfile::scan(
        export,
        &Placeholders::default(),
        stage_column.map(|_| &spec),
    )?;

    // A name is not enough: a "date" column of text is no close date, and a "stage"
    // column of notes, ids or dates is no stage.
    let mut dropped: Vec<(Mapped, String)> = Vec::new();
    mapped.retain(|m| {
        let c = &profile.columns[m.column];
        let kind = c.kind();
        let why = if !type_fits(m.field, kind) {
            Some(format!(
                "its values are {}, not what {} holds",
                kind.as_str(),
                m.field.as_str()
            ))
        } else if m.field == Canonical::Stage {
            roles::not_stages(c, false)
        } else {
            None
        };
        if let Some(why) = &why {
            dropped.push((m.clone(), why.clone()));
        }
        why.is_none()
    });
    // The whole file may tell otherwise than its head (an export sorted by stage shows few
    // stages in its first rows): settled again, a stage column that changes loses only the
    // per-stage figures, gathered for the first choice.
    roles::settle(&profile.columns, &header.cells, &mut mapped);
    if !mapped.iter().any(|m| m.field == Canonical::Stage) {
        if let Some(m) = guess_stage(&profile, &mapped) {
            mapped.push(m);
        }
    }
    mapped.sort_by_key(|m| m.field);
    let movement = movement_of(history, &header, &mapped)?;

    let draft = Draft {
        movement: movement.as_ref(),
        profile: &profile,
        header: &header,
        mapped: &mapped,
        dropped: &dropped,
        base,
        detected: detected.as_ref(),
        watch,
        kept,
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

/// The moves deals made, from the earlier snapshots (with the drafted export as the last)
/// or the stage history; `None` without either, or when no stage is mapped.
fn movement_of(history: History, header: &Header, mapped: &[Mapped]) -> Result<Option<Movement>> {
    let name_of = |f: Canonical| {
        mapped
            .iter()
            .find(|m| m.field == f)
            .map(|m| header.cells[m.column].clone())
    };
    let Some(stage) = name_of(Canonical::Stage) else {
        return Ok(None);
    };
    if let Some(h) = history.stage_history {
        return Ok(Some(Movement::from_history(h)?));
    }
    if history.snapshots.len() < 2 {
        return Ok(None);
    }
    let Some(key) = name_of(Canonical::Id).or_else(|| name_of(Canonical::Name)) else {
        return Ok(None);
    };
    Ok(Some(Movement::from_snapshots(
        history.snapshots,
        &key,
        &stage,
    )?))
}

/// Every column's profile over the rows at the head of the export.
fn sample_stats(export: &Export) -> Vec<ColumnStats> {
    let (candidates, placeholders) = (Candidates::new(), Placeholders::default());
    let mut stats: Vec<ColumnStats> = export
        .header
        .cells
        .iter()
        .map(|h| ColumnStats::new(h))
        .collect();
    let width = stats.len();
    for row in export
        .sample
        .iter()
        .filter(|r| r.len() == width && !is_summary(r))
    {
        for (c, cell) in stats.iter_mut().zip(row) {
            c.observe(cell, &placeholders, &candidates);
        }
    }
    stats
}

struct Draft<'a> {
    /// The moves deals made between snapshots or in a stage history.
    movement: Option<&'a Movement>,
    profile: &'a FileProfile,
    header: &'a Header,
    mapped: &'a [Mapped],
    /// Columns a name mapped that the values refuse, with why.
    dropped: &'a [(Mapped, String)],
    base: Option<&'static Preset>,
    detected: Option<&'a presets::Detection>,
    watch: Watch,
    /// Where the created and stage-changed dates sit in [`GroupSpec::keep`].
    kept: [Option<usize>; 2],
    /// Per-stage statistics were gathered for the mapped stage column.
    grouped: bool,
}

impl Draft<'_> {
    pub(super) fn column_of(&self, field: Canonical) -> Option<usize> {
        self.mapped
            .iter()
            .find(|m| m.field == field)
            .map(|m| m.column)
    }

    pub(super) fn stats(&self, column: usize) -> &ColumnStats {
        &self.profile.columns[column]
    }

    pub(super) fn records(&self) -> u64 {
        self.profile.records - self.profile.malformed
    }

    pub(super) fn required(&self, column: usize) -> bool {
        let c = self.stats(column);
        self.records() > 0 && c.filled as f64 >= c.rows as f64 * REQUIRED_SHARE && c.rows > 0
    }

    pub(super) fn decimal(&self) -> DecimalMark {
        self.profile.decimal()
    }

    /// Formats that read a date column's values: its best, and others for values the
    /// best does not read.
    pub(super) fn formats_of(&self, column: usize) -> Vec<&'static str> {
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
    pub(super) fn all_dates(&self, column: usize) -> bool {
        let c = self.stats(column);
        c.date_verdict()
            .is_some_and(|v| c.dates.date_like == c.filled && v.parsed == c.filled)
    }

    /// Whether every value of a column reads as `kind` (money, number or percent) with the
    /// draft's decimal mark.
    pub(super) fn all_read_as(&self, column: usize, kind: ValueType) -> bool {
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

    /// Date columns the draft reads as dates: mapped date fields and other all-date columns.
    pub(super) fn date_columns(&self) -> Vec<usize> {
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

    pub(super) fn is_mapped(&self, column: usize) -> bool {
        self.mapped.iter().any(|m| m.column == column)
    }
}
