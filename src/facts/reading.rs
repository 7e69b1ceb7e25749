//! How one file's values are read for the rules bound to it: the date formats and decimal
//! mark its columns show where the user's rules leave them open, and the traps its sample
//! holds in the mapped columns (IN010, IN011, IN014).

use crate::infer::{dates, decimal_of, read_sample, traps};
use crate::input::Export;
use crate::values::{DecimalMark, Placeholders};

/// How one file's values are read: the rules' date formats and decimal mark, adapted to
/// what the file's first rows show where the user's rules leave them open.
#[derive(Clone, Debug)]
pub(crate) struct FileReading {
    pub(crate) date_formats: Vec<crate::values::DateFormat>,
    pub(crate) decimal: DecimalMark,
    /// What was read from the values, in words, for the report.
    pub(crate) detected: Vec<String>,
    /// Columns empty on every sampled row, load timestamps and owner ids (IN010, IN011,
    /// IN014).
    pub(crate) traps: traps::SampleTraps,
}

impl FileReading {
    /// Dates and decimals as the rules alone say (no file to read them from).
    pub(crate) fn of_rules(rules: &crate::rules::RuleSet) -> FileReading {
        FileReading {
            date_formats: rules.input.date_formats.clone(),
            decimal: rules.input.decimal,
            detected: Vec::new(),
            traps: traps::SampleTraps::default(),
        }
    }
}

/// The traps in a file's sample: every mapped column, the dates other dates are compared
/// with (created, last activity, stage changed), and the owner column.
fn file_traps(
    table: &super::mapping::FieldTable,
    mapping: &super::mapping::Mapping,
    export: &Export,
    placeholders: &Placeholders,
) -> traps::SampleTraps {
    use crate::field::Canonical;
    let mut columns: Vec<usize> = (0..table.len())
        .filter_map(|id| mapping.column(id))
        .collect();
    columns.sort_unstable();
    columns.dedup();
    let dates: Vec<usize> = [
        Canonical::CreatedDate,
        Canonical::LastActivity,
        Canonical::StageChanged,
    ]
    .into_iter()
    .filter_map(|c| mapping.column(table.canonical(c)))
    .collect();
    traps::read(
        &export.sample,
        export.header.len(),
        (&columns, &dates),
        mapping.column(table.canonical(Canonical::Owner)),
        placeholders,
    )
}

/// Read dates and decimals the way each file writes them where the user's rules leave it
/// open: formats a file's date columns decide are tried before the preset's, and a decimal
/// comma is used when the file's numeric columns need one and none contradicts it. Each
/// file is read its own way: an EU and a US export audited together keep their orders.
pub(crate) fn read_files(
    rules: &crate::rules::RuleSet,
    table: &super::mapping::FieldTable,
    mappings: &[super::mapping::Mapping],
    exports: &[Export],
) -> Vec<FileReading> {
    exports
        .iter()
        .zip(mappings)
        .map(|(export, mapping)| read_file(rules, table, mapping, export))
        .collect()
}

fn read_file(
    rules: &crate::rules::RuleSet,
    table: &super::mapping::FieldTable,
    mapping: &super::mapping::Mapping,
    export: &Export,
) -> FileReading {
    use crate::field::FieldType;
    use crate::values::DateFormat;
    let input = &rules.input;
    let mut reading = FileReading {
        date_formats: input.date_formats.clone(),
        decimal: input.decimal,
        detected: Vec::new(),
        traps: file_traps(table, mapping, export, &input.empty_values),
    };
    if input.dates_given && input.decimal_given {
        return reading;
    }
    let columns_of = |want: fn(FieldType) -> bool| -> Vec<usize> {
        let mut cols: Vec<usize> = table
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| want(e.kind))
            .filter_map(|(id, _)| mapping.column(id))
            .collect();
        cols.sort_unstable();
        cols.dedup();
        cols
    };
    let sample = read_sample(
        &export.sample,
        &columns_of(|k| k == FieldType::Date),
        &columns_of(FieldType::is_numeric),
        &input.empty_values,
    );
    let mut decided: Vec<&'static str> = Vec::new();
    let mut assumed = false;
    for (_, v) in &sample.dates {
        if v.format == "%Y-%m-%d" || decided.contains(&v.format) {
            continue;
        }
        let position = |f: &str| input.date_formats.iter().position(|d| d.source == f);
        if let Some(alt) = v.ambiguous_with {
            // Nothing in the values decides the order: the rules' own order does, if they
            // have either; else the separator's usual order is assumed, and said.
            if position(v.format).is_some() || position(alt).is_some() {
                continue;
            }
            assumed = true;
        }
        // Already read this way, and not by a swapped pattern first: nothing to change.
        let swap = dates::swapped(v.format).and_then(position);
        if position(v.format).is_some_and(|p| swap.is_none_or(|s| p < s)) {
            continue;
        }
        decided.push(v.format);
    }
    if !input.dates_given && !decided.is_empty() {
        let mut formats: Vec<DateFormat> = decided
            .iter()
            .filter_map(|f| DateFormat::compile(f).ok())
            .collect();
        for f in &input.date_formats {
            if !decided.contains(&f.source.as_str()) {
                formats.push(f.clone());
            }
        }
        reading.date_formats = formats;
        reading.detected.push(if assumed {
            format!(
                "dates as {}, assumed (no day above 12 in the first rows)",
                decided.join(", ")
            )
        } else {
            format!("dates as {}, read from the values", decided.join(", "))
        });
    }
    if !input.decimal_given
        && decimal_of(sample.numbers.iter()) == DecimalMark::Comma
        && input.decimal != DecimalMark::Comma
    {
        reading.decimal = DecimalMark::Comma;
        reading
            .detected
            .push("decimal comma, read from the values".to_string());
    }
    reading
}
