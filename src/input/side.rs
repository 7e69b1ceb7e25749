//! Small CSV files the audit reads beside the exports (the quota file, the owners lookup):
//! UTF-8, a header row, the delimiter a spreadsheet saved them with.

/// The 1-based line where a file stops being UTF-8.
pub(crate) fn not_utf8_line(e: &std::string::FromUtf8Error) -> usize {
    let at = e.utf8_error().valid_up_to();
    e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1
}

/// A reader of `text` with its header row, split on the delimiter its first line holds
/// most of (`,` `;` tab `|`); rows may have fewer or more fields than the header.
pub(crate) fn reader(text: &str) -> csv::Reader<&[u8]> {
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes())
}
