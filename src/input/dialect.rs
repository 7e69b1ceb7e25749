//! The file's dialect, read from its first lines: which delimiter splits it, and whether it
//! is text at all.

use super::reader::{RecordReader, Rows};

/// Delimiters pipelint recognises, in order of preference on a tie.
pub(crate) const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// The delimiter that splits `sample` (the start of the decoded file) most consistently: the
/// header into more than one field, and the rows into as many fields as the header.
pub(crate) fn detect_delimiter(sample: &[u8]) -> Option<u8> {
    // Only whole lines: the sample may end mid-record.
    let cut = sample
        .iter()
        .rposition(|b| matches!(*b, b'\n' | b'\r'))
        .map_or(sample.len(), |i| i + 1);
    let sample = &sample[..cut];
    let mut best: Option<(u8, (usize, usize, usize))> = None;
    for &d in &CANDIDATES {
        let mut reader = RecordReader::new(sample, d);
        let mut rows = Rows::default();
        while rows.len() < 50 {
            match reader.read_into(&mut rows) {
                Ok(true) => {}
                _ => break,
            }
        }
        let Some(header) = rows.get(0) else {
            continue;
        };
        let width = header.len();
        if width < 2 {
            continue;
        }
        let data = rows.len() - 1;
        let consistent = rows.iter().skip(1).filter(|r| r.len() == width).count();
        // Rank: share of rows matching the header (in thousandths), then rows, then width.
        let share = (consistent * 1000).checked_div(data).unwrap_or(1000);
        let score = (share, consistent, width);
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((d, score));
        }
    }
    best.map(|(d, _)| d)
}

/// Whether the start of a file looks like binary data rather than text: many NUL or other
/// control bytes. (A few NULs inside cells, as some CRM dumps have, are fine.)
pub(crate) fn looks_binary(sample: &[u8]) -> bool {
    let sample = &sample[..sample.len().min(8192)];
    if sample.is_empty() {
        return false;
    }
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        .count();
    control * 10 > sample.len()
}

/// A database dump's dialect, and what the head of the file showed of it: cells that are
/// `\N` (NULL) and quotes escaped with a backslash (`\"`). Forced by `[input] escape`,
/// it may show neither.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Dump {
    pub(crate) nulls: u64,
    pub(crate) escaped_quotes: u64,
}

impl Dump {
    /// How the file was read, in words: "read as a database dump: `\N` as empty (412
    /// cells), quotes escaped with a backslash (3)".
    pub(crate) fn words(&self) -> String {
        use crate::words::{plural, thousands};
        format!(
            "read as a database dump: `\\N` as empty ({} cell{}) and quotes escaped with a \
             backslash ({})",
            thousands(self.nulls),
            plural(self.nulls),
            thousands(self.escaped_quotes)
        )
    }
}

/// Whether the start of a file (`sample`, split by `delimiter`) is a database dump: an
/// unquoted `\N` cell (MySQL's NULL), or a quote escaped with a backslash inside a value
/// (`"Proyecto \"Alfa\" 1"`, which plain CSV reads as a quote that ends the value).
pub(crate) fn detect_dump(sample: &[u8], delimiter: u8) -> Option<Dump> {
    let cut = sample
        .iter()
        .rposition(|b| matches!(*b, b'\n' | b'\r'))
        .map_or(sample.len(), |i| i + 1);
    let sample = &sample[..cut];
    let ends_value = |c: u8| c == delimiter || matches!(c, b'\n' | b'\r' | b'"');
    let escaped_quotes = memchr::memmem::find_iter(sample, b"\\\"")
        .filter(|&i| sample.get(i + 2).is_some_and(|&c| !ends_value(c)))
        .filter(|&i| i == 0 || sample[i - 1] != b'\\')
        .count() as u64;
    let mut nulls = 0;
    if memchr::memmem::find(sample, b"\\N").is_some() {
        let mut reader = RecordReader::new(sample, delimiter);
        let mut rows = Rows::default();
        while rows.len() < 2000 {
            match reader.read_into(&mut rows) {
                Ok(true) => {}
                _ => break,
            }
        }
        nulls = rows
            .iter()
            .map(|r| r.iter().filter(|c| *c == b"\\N").count() as u64)
            .sum();
    }
    (nulls > 0 || escaped_quotes > 0).then_some(Dump {
        nulls,
        escaped_quotes,
    })
}

/// What a cell of a first row says about it: a value no column is named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Datum {
    Date,
    Amount,
    Number,
    Null,
}

/// A cell that is a deal's value rather than a column's name: a date (`2026-03-15`,
/// `15.03.2026`, with or without a time), an amount with decimals (`12500.00`, `1.250,50`),
/// a number of five digits or more (an id, an amount), or, in a database dump, NULL.
fn datum(cell: &str, dump: bool) -> Option<Datum> {
    let cell = cell.trim();
    if cell.is_empty() || cell == "\\N" {
        return dump.then_some(Datum::Null);
    }
    let day = cell.split([' ', 'T']).next().unwrap_or("");
    let parts: Vec<&str> = day.split(['-', '/', '.']).collect();
    let digits = |p: &str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    if parts.len() == 3 && parts.iter().all(|p| digits(p)) && parts.iter().any(|p| p.len() == 4) {
        return Some(Datum::Date);
    }
    let number = cell.trim_start_matches(['-', '+', '$', '€', '£']).trim();
    if number.is_empty()
        || !number
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return None;
    }
    let decimals = number.rfind(['.', ',']).map(|i| number.len() - i - 1);
    match decimals {
        Some(2) if number.len() > 3 => Some(Datum::Amount),
        None if number.len() >= 5 => Some(Datum::Number),
        _ => None,
    }
}

/// Whether a header row (its cells) looks like a deal instead: two or more of its cells are
/// dates, amounts, long numbers or NULLs (`dump`: a database dump's empty cells are NULLs).
/// In words, for IN007; `None` when it reads as column names.
pub(crate) fn looks_like_data(cells: &[String], dump: bool) -> Option<String> {
    let data: Vec<(&str, Datum)> = cells
        .iter()
        .filter_map(|c| datum(c, dump).map(|d| (c.as_str(), d)))
        .collect();
    if data.len() < 2 || data.len() * 4 < cells.len() {
        return None;
    }
    let count = |d: Datum| data.iter().filter(|(_, k)| *k == d).count();
    let mut kinds = Vec::new();
    for (kind, one, many) in [
        (Datum::Date, "a date", "dates"),
        (Datum::Amount, "an amount", "amounts"),
        (Datum::Number, "a number", "numbers"),
        (Datum::Null, "a NULL", "NULLs"),
    ] {
        match count(kind) {
            0 => {}
            1 => {
                let example = data.iter().find(|(_, k)| *k == kind).map_or("", |(c, _)| c);
                kinds.push(if kind == Datum::Null {
                    one.to_string()
                } else {
                    format!("{one} ({})", crate::words::quote(example))
                });
            }
            n => kinds.push(format!("{n} {many}")),
        }
    }
    Some(crate::words::and_list(&kinds))
}

/// A delimiter as written in rules or on the command line: one ASCII character, or `tab`.
pub(crate) fn delimiter_byte(s: &str) -> Option<u8> {
    match s {
        "tab" | "\t" | "\\t" => Some(b'\t'),
        s if s.len() == 1 && s.is_ascii() && !matches!(s, "\"" | "\n" | "\r") => {
            Some(s.as_bytes()[0])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_consistent_delimiter() {
        assert_eq!(detect_delimiter(b"a,b,c\n1,2,3\n4,5,6\n"), Some(b','));
        assert_eq!(detect_delimiter(b"a;b;c\n1;2,5;3\n4;5;6,1\n"), Some(b';'));
        assert_eq!(detect_delimiter(b"a\tb\tc\n1\t2\t3\n"), Some(b'\t'));
        assert_eq!(detect_delimiter(b"a|b|c\n1|2|3\n"), Some(b'|'));
        // Commas inside quotes do not count.
        assert_eq!(
            detect_delimiter(b"\"Name, full\";Stage;Amount\n\"Acme, Inc\";Won;\"1,5\"\n"),
            Some(b';')
        );
        assert_eq!(detect_delimiter(b"just one column\nvalue\n"), None);
    }

    #[test]
    fn binary_is_not_text() {
        assert!(looks_binary(&[0u8, 1, 2, 3, 0, 0, 0, 5, 6, 7, 8, 0]));
        assert!(!looks_binary(b"Id,Name\n1,\x00<p>rich text</p>\n"));
    }
}

#[cfg(test)]
mod dump_tests {
    use super::*;

    fn cells(s: &str) -> Vec<String> {
        s.split(',').map(str::to_string).collect()
    }

    #[test]
    fn a_first_row_of_values_is_no_header() {
        let row = cells("24000,POT24000,Proyecto Alfa,700,12500.00,2026-03-15,Fase 2");
        assert_eq!(
            looks_like_data(&row, false).as_deref(),
            Some("a date (`2026-03-15`), an amount (`12500.00`) and a number (`24000`)")
        );
        // A dump's NULLs count: its empty cells are data.
        assert_eq!(
            looks_like_data(&cells("7,,Fase 2,,x"), true).as_deref(),
            Some("2 NULLs")
        );
        for header in [
            "Id,Name,Stage,Amount,Close Date",
            "Owner,2024,2025,Total",
            "Opportunity ID,Q1 2026,Q2 2026,Probability (%)",
            "Deal,Stage,,,Amount",
        ] {
            assert_eq!(looks_like_data(&cells(header), false), None, "{header}");
        }
        // One value among names is not enough (a header naming a year or a code).
        assert_eq!(
            looks_like_data(&cells("Id,Name,20240101,Stage"), false),
            None
        );
    }

    #[test]
    fn a_dump_shows_in_its_nulls_or_its_escaped_quotes() {
        let nulls = b"a,b,c\n1,\\N,x\n2,y,\\N\n";
        assert_eq!(
            detect_dump(nulls, b','),
            Some(Dump {
                nulls: 2,
                escaped_quotes: 0
            })
        );
        let quotes = b"a,b\n1,\"say \\\"hi\\\" now\"\n";
        assert_eq!(
            detect_dump(quotes, b','),
            Some(Dump {
                nulls: 0,
                escaped_quotes: 2
            })
        );
        // A backslash at the end of a value (a Windows path) and a quoted `N` are plain CSV.
        let plain = b"a,b\n1,\"C:\\\\\",x\n2,\"\\N is a name\"\n";
        assert_eq!(detect_dump(plain, b','), None);
        assert_eq!(detect_dump(b"a,b\n1,\"2\"\"\"\n", b','), None);
    }
}
