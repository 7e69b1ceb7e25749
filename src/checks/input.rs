//! IN001, IN002, IN005: problems with the file's shape rather than a value.
//!
//! IN001 (a mapped column missing) is raised while binding the rules to the header
//! ([`crate::input::mapping::bind`]) and stops the audit; the other two are findings.

use super::Code;
use crate::input::Header;

/// IN002: a row whose field count differs from the header's.
pub fn ragged_row(fields: usize, header: usize) -> Option<(Code, String)> {
    (fields != header).then(|| {
        (
            Code::In002,
            format!(
                "row has {fields} field{}, the header has {header}; the row is left out of scores \
                 (quote values that contain the delimiter)",
                if fields == 1 { "" } else { "s" }
            ),
        )
    })
}

/// IN005: header names that appear more than once (ignoring case and surrounding spaces).
/// Returns, per repeated column, its index and the message.
pub fn duplicate_headers(header: &Header) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, name) in header.cells.iter().enumerate() {
        let first = header.cells[..i]
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case(name.trim()));
        if let Some(first) = first {
            out.push((
                i,
                format!(
                    "header `{name}` appears in columns {} and {}; pipelint reads column {}",
                    first + 1,
                    i + 1,
                    first + 1
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_repeated_headers() {
        let h = Header {
            cells: vec!["Id".into(), "Amount".into(), "amount".into()],
            line: 1,
        };
        let d = duplicate_headers(&h);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, 2);
        assert!(d[0].1.contains("columns 2 and 3"));
    }

    #[test]
    fn ragged_rows() {
        assert!(ragged_row(3, 3).is_none());
        assert_eq!(ragged_row(2, 3).map(|r| r.0), Some(Code::In002));
    }
}
