//! Reading an export's values for what they say about themselves: date formats, decimal
//! marks, types, placeholders, fill rates. `profile` shows it, `init --from` drafts rules
//! from it, and the audit uses the sample at the head of a file to read dates and decimals
//! the way the file writes them when the rules do not say.

pub(crate) mod column;
pub(crate) mod dates;
pub(crate) mod numbers;
pub(crate) mod traps;

use std::io;

use anyhow::Result;

use crate::input::reader::BATCH_ROWS;
use crate::input::{BatchStream, Export};
use crate::values::{DecimalMark, Placeholders, trim_cell};
pub(crate) use column::{ColumnStats, ValueType};
pub(crate) use dates::{Candidates, DateEvidence, DateVerdict};
pub(crate) use numbers::NumberEvidence;

/// Everything `profile` and `init --from` know about one file, from reading all of it.
#[derive(Clone, Debug)]
pub(crate) struct FileProfile {
    pub(crate) name: String,
    /// `utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be`, or `windows-1252` when some text was
    /// not UTF-8.
    pub(crate) encoding: &'static str,
    pub(crate) delimiter: u8,
    pub(crate) header_line: u64,
    /// Data rows read (records plus malformed rows; footers and summary rows excluded).
    pub(crate) records: u64,
    /// Rows with a different number of fields than the header, and the first one's line.
    pub(crate) malformed: u64,
    pub(crate) first_malformed: Option<u64>,
    /// Report footer lines and Total rows skipped.
    pub(crate) skipped: u64,
    /// Cells cut to the 64 kB a cell keeps, and the first one's line and 1-based column.
    pub(crate) cut_cells: u64,
    pub(crate) first_cut: Option<(u64, u32)>,
    pub(crate) columns: Vec<ColumnStats>,
    /// Read as a database dump (IN008): NULLs read as empty and backslash-escaped quotes,
    /// counted over the whole file.
    pub(crate) dump: Option<crate::input::dialect::Dump>,
    /// The columns were named for the file, which has no header row (IN007).
    pub(crate) named_columns: bool,
    /// Per distinct value of the grouping column (the stage), in order of first
    /// appearance: see [`GroupSpec`].
    pub(crate) groups: Vec<GroupStats>,
}

/// Rows grouped by one column's values (a stage column): how full every column is within
/// each group, and the values of a few watched columns (probability, sort order, forecast
/// category, won/closed flags).
#[derive(Clone, Debug, Default)]
pub(crate) struct GroupSpec {
    pub(crate) by: usize,
    pub(crate) watch: Vec<usize>,
    /// Columns whose values are kept row by row (up to [`KEEP_ROWS`] per group), for figures
    /// that pair two cells of one deal (its age when it entered the stage).
    pub(crate) keep: Vec<usize>,
    /// A status column: deals it says are won or lost still count in their group, but feed
    /// no kept value nor the first [`GroupSpec::open_only`] watched columns, since a stage's
    /// typical probability or age is its open deals' (a won deal carries 100% in whatever
    /// stage it closed). Flags such as IsClosed are watched on every deal.
    pub(crate) closed_by: Option<usize>,
    /// How many of the watched columns, from the first, count open deals only.
    pub(crate) open_only: usize,
}

/// Whether a status cell says the deal is closed: Won, Lost or Deleted (any case and
/// punctuation, also "Closed Won").
pub(crate) fn status_closes(value: &str) -> bool {
    let key: String = value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    matches!(
        key.as_str(),
        "won" | "lost" | "deleted" | "closedwon" | "closedlost"
    )
}

/// Rows kept per group for [`GroupSpec::keep`].
pub(crate) const KEEP_ROWS: usize = 2_000;

/// Most groups kept; a column with more distinct values is no stage column.
pub(crate) const GROUP_CAP: usize = 500;
/// Most distinct values kept per watched column and group.
const WATCH_CAP: usize = 64;

#[derive(Clone, Debug, Default)]
pub(crate) struct GroupStats {
    pub(crate) value: String,
    pub(crate) rows: u64,
    /// Per column: rows of the group with a real value.
    pub(crate) filled: Vec<u64>,
    /// Per watched column (in [`GroupSpec::watch`] order): value → rows.
    pub(crate) watched: Vec<Vec<(String, u64)>>,
    /// The first open rows' cells of the kept columns (in [`GroupSpec::keep`] order).
    pub(crate) kept: Vec<Vec<Box<str>>>,
}

impl GroupStats {
    /// The most common value of a watched column (ties: the first seen).
    pub(crate) fn mode(&self, watch_index: usize) -> Option<&str> {
        let values = self.watched.get(watch_index)?;
        let mut best: Option<&(String, u64)> = None;
        for v in values {
            if best.is_none_or(|b| v.1 > b.1) {
                best = Some(v);
            }
        }
        best.map(|b| b.0.as_str())
    }
}

impl FileProfile {
    /// Read the whole export (streaming) and profile every column. `placeholders` are the
    /// values that count as empty besides the well-known ones.
    pub(crate) fn scan(
        export: Export,
        placeholders: &Placeholders,
        group: Option<&GroupSpec>,
    ) -> Result<FileProfile> {
        let Export {
            name,
            header,
            delimiter,
            encoding: stream_encoding,
            header_not_utf8,
            legacy,
            reader,
            dump,
            header_named,
            ..
        } = export;
        let width = header.len();
        let mut columns: Vec<ColumnStats> =
            header.cells.iter().map(|h| ColumnStats::new(h)).collect();
        let candidates = Candidates::new();
        let mut profile = FileProfile {
            name: name.clone(),
            encoding: stream_encoding.name(),
            delimiter,
            header_line: header.line,
            records: 0,
            malformed: 0,
            first_malformed: None,
            skipped: 0,
            cut_cells: 0,
            first_cut: None,
            columns: Vec::new(),
            dump: dump.map(|_| crate::input::dialect::Dump::default()),
            named_columns: header_named,
            groups: Vec::new(),
        };
        let mut group_index: rustc_hash::FxHashMap<String, usize> = Default::default();
        let mut not_utf8 = header_not_utf8.then(|| legacy.unwrap_or_default());
        let mut stream = BatchStream::spawn(reader, BATCH_ROWS, width);
        let batches = stream.take_batches();
        let mut cells: Vec<String> = Vec::with_capacity(width);
        for batch in batches {
            let batch = batch.map_err(|e| read_error(&name, e))?;
            if let Some((n, _)) = batch.footer {
                profile.skipped += n;
            }
            if let Some(d) = &mut profile.dump {
                d.nulls += batch.rows.nulls;
                d.escaped_quotes += batch.rows.escaped_quotes;
            }
            for row in batch.rows.iter() {
                if not_utf8.is_none() && std::str::from_utf8(row.bytes()).is_err() {
                    not_utf8 = Some(row.legacy);
                }
                if let Some(first) = row.cut.first {
                    profile.cut_cells += u64::from(row.cut.count);
                    profile.first_cut.get_or_insert((row.line, first + 1));
                }
                cells.clear();
                cells.extend((0..row.len()).map(|i| row.text(i).into_owned()));
                if is_summary(&cells) {
                    profile.skipped += 1;
                    continue;
                }
                profile.records += 1;
                if row.len() != width {
                    profile.malformed += 1;
                    profile.first_malformed.get_or_insert(row.line);
                    continue;
                }
                for (stats, cell) in columns.iter_mut().zip(&cells) {
                    stats.observe(cell, placeholders, &candidates);
                }
                if let Some(spec) = group {
                    profile.add_to_group(spec, &cells, placeholders, &mut group_index);
                }
            }
            let _ = stream.recycle.send(batch);
        }
        if let Some(legacy) = not_utf8 {
            profile.encoding = legacy.name();
        }
        profile.columns = columns;
        Ok(profile)
    }

    fn add_to_group(
        &mut self,
        spec: &GroupSpec,
        cells: &[String],
        placeholders: &Placeholders,
        index: &mut rustc_hash::FxHashMap<String, usize>,
    ) {
        let Some(key) = cells.get(spec.by).map(|c| trim_cell(c)) else {
            return;
        };
        if column::is_placeholder(key, placeholders) {
            return;
        }
        let g = match index.get(key) {
            Some(&g) => g,
            None if self.groups.len() < GROUP_CAP => {
                index.insert(key.to_string(), self.groups.len());
                self.groups.push(GroupStats {
                    value: key.to_string(),
                    rows: 0,
                    filled: vec![0; cells.len()],
                    watched: vec![Vec::new(); spec.watch.len()],
                    kept: Vec::new(),
                });
                self.groups.len() - 1
            }
            None => return,
        };
        let stats = &mut self.groups[g];
        stats.rows += 1;
        for (filled, cell) in stats.filled.iter_mut().zip(cells) {
            if !column::is_placeholder(trim_cell(cell), placeholders) {
                *filled += 1;
            }
        }
        let closed = spec
            .closed_by
            .and_then(|c| cells.get(c))
            .is_some_and(|v| status_closes(trim_cell(v)));
        if !closed && stats.kept.len() < KEEP_ROWS && !spec.keep.is_empty() {
            let row = spec
                .keep
                .iter()
                .map(|&c| cells.get(c).map_or("", |v| trim_cell(v)).into())
                .collect();
            stats.kept.push(row);
        }
        let skip = if closed { spec.open_only } else { 0 };
        for (values, &col) in stats.watched.iter_mut().zip(&spec.watch).skip(skip) {
            let Some(v) = cells.get(col).map(|c| trim_cell(c)) else {
                continue;
            };
            if column::is_placeholder(v, placeholders) {
                continue;
            }
            match values.iter().position(|(k, _)| k == v) {
                Some(i) => values[i].1 += 1,
                None if values.len() < WATCH_CAP => values.push((v.to_string(), 1)),
                None => {}
            }
        }
    }

    /// The decimal mark the file's numbers use: `,` when some numeric column needs it and
    /// none contradicts it.
    pub(crate) fn decimal(&self) -> DecimalMark {
        decimal_of(self.columns.iter().map(|c| &c.numbers))
    }
}

fn read_error(name: &str, e: io::Error) -> anyhow::Error {
    anyhow::Error::new(e).context(format!("cannot read {name}"))
}

/// A row that holds no deal: a Total / Grand Totals row, or bare delimiters (the audit's
/// rules; `profile` knows no id column, nor which columns name a deal, so it cannot tell an
/// unlabelled totals row from a deal of figures).
pub(crate) fn is_summary(cells: &[String]) -> bool {
    use crate::input::footer;
    let cell = |i: usize| std::borrow::Cow::Borrowed(cells[i].as_str());
    footer::is_summary_row(cell, cells.len(), None) || footer::is_blank_row(cell, cells.len())
}

/// The decimal mark several numeric columns agree on.
pub(crate) fn decimal_of<'a>(columns: impl Iterator<Item = &'a NumberEvidence>) -> DecimalMark {
    let mut comma = false;
    let mut point = false;
    for n in columns {
        match n.decimal() {
            Some(DecimalMark::Comma) => comma = true,
            Some(DecimalMark::Point) => point = true,
            None => {}
        }
    }
    if comma && !point {
        DecimalMark::Comma
    } else {
        DecimalMark::Point
    }
}

/// What the sample at the head of a file says about the columns the audit reads as dates
/// and numbers.
#[derive(Clone, Debug, Default)]
pub(crate) struct SampleReading {
    /// Per date column (in column order): the verdict on its format.
    pub(crate) dates: Vec<(usize, DateVerdict)>,
    /// Evidence from the numeric columns.
    pub(crate) numbers: Vec<NumberEvidence>,
}

/// Read the sample's `date_columns` and `number_columns`.
pub(crate) fn read_sample(
    sample: &[Vec<String>],
    date_columns: &[usize],
    number_columns: &[usize],
    placeholders: &Placeholders,
) -> SampleReading {
    let candidates = Candidates::new();
    let mut reading = SampleReading::default();
    for &col in date_columns {
        let mut e = DateEvidence::default();
        for row in sample {
            if let Some(v) = row.get(col).map(|c| trim_cell(c)) {
                if !column::is_placeholder(v, placeholders) {
                    e.observe(v, &candidates);
                }
            }
        }
        if let Some(v) = e.verdict() {
            reading.dates.push((col, v));
        }
    }
    for &col in number_columns {
        let mut e = NumberEvidence::default();
        for row in sample {
            if let Some(v) = row.get(col).map(|c| trim_cell(c)) {
                if !column::is_placeholder(v, placeholders) {
                    e.observe(v);
                }
            }
        }
        reading.numbers.push(e);
    }
    reading
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        /// Any cell text as evidence for dates and numbers: never a panic, and a verdict
        /// the one value observed bears out: a date format that reads it, a decimal mark
        /// with which it reads as money and without the other.
        #[test]
        fn inference_is_borne_out_by_its_evidence(s in proptest::prop_oneof![
            "\\PC{0,40}",
            "[0-9]{1,4}[-/. ][0-9]{1,2}[-/. ][0-9]{1,4}( [0-9]{1,2}:[0-9]{2})?",
            "[-$€]?[0-9]{1,3}([.,' ][0-9]{3}){0,2}([.,][0-9]{1,2})?%?",
        ]) {
            use proptest::prop_assert;
            let candidates = Candidates::new();
            let mut dates = DateEvidence::default();
            dates.observe(&s, &candidates);
            if let Some(v) = dates.verdict() {
                prop_assert!(v.seen == 1 && v.parsed == 1, "{:?}: {:?}", s, v);
                let format = crate::values::DateFormat::compile(v.format).expect("a candidate compiles");
                prop_assert!(format.parse(&s).is_some(), "{:?} not read by {}", s, v.format);
                prop_assert!(v.has_time == s.contains(':'), "{:?}: {:?}", s, v);
            }
            let mut numbers = NumberEvidence::default();
            numbers.observe(&s);
            if let Some(mark) = numbers.decimal() {
                let other = match mark {
                    crate::values::DecimalMark::Point => crate::values::DecimalMark::Comma,
                    crate::values::DecimalMark::Comma => crate::values::DecimalMark::Point,
                };
                let body = s.trim_end().trim_end_matches('%');
                prop_assert!(crate::values::parse_money(body, mark, None).is_ok(), "{:?} as {:?}", s, mark);
                prop_assert!(crate::values::parse_money(body, other, None).is_err(), "{:?} also as {:?}", s, other);
            }
        }
    }
}
