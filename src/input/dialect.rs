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
