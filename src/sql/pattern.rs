//! Regular expressions with tagged groups, written for each dialect: a value's parts (a
//! date's year, an amount's currency) are extracted by tag, the way the dialect can.
//! DuckDB numbers at most nine groups and BigQuery extracts only one, so there the pattern
//! captures the wanted group alone; Snowflake has no non-capturing groups, so there every
//! group captures and the wanted one is named by its number.

use super::dialect::Dialect;

/// A pattern as groups and text.
pub(super) enum Piece<T> {
    Raw(String),
    /// A group, tagged when a part is read from it.
    Group(Option<T>, Vec<Piece<T>>),
}

pub(super) fn raw<T>(s: &str) -> Piece<T> {
    Piece::Raw(s.to_string())
}

pub(super) fn group<T>(tag: T, pieces: Vec<Piece<T>>) -> Piece<T> {
    Piece::Group(Some(tag), pieces)
}

/// A group nothing is read from.
pub(super) fn plain<T>(pieces: Vec<Piece<T>>) -> Piece<T> {
    Piece::Group(None, pieces)
}

/// Render `pieces`: every group capturing (`only` None), or only the groups tagged `only`
/// (the rest non-capturing). `tags` gets, in capture order, each captured group's tag.
fn render<T: Copy + PartialEq>(
    pieces: &[Piece<T>],
    only: Option<T>,
    out: &mut String,
    tags: &mut Vec<Option<T>>,
) {
    for p in pieces {
        match p {
            Piece::Raw(s) => {
                // Groups written in the text capture too: count them, so that the tagged
                // groups' numbers stay right; for one group alone, none of them captures.
                if only.is_some() {
                    out.push_str(&s.replace("(", "(?:").replace("\\(?:", "\\("));
                } else {
                    tags.extend(std::iter::repeat_n(None, captures_in(s)));
                    out.push_str(s);
                }
            }
            Piece::Group(tag, inner) => {
                let capture = match only {
                    None => true,
                    Some(t) => *tag == Some(t),
                };
                if capture {
                    tags.push(*tag);
                    out.push('(');
                } else {
                    out.push_str("(?:");
                }
                render(inner, only, out, tags);
                out.push(')');
            }
        }
    }
}

/// How many capturing groups a piece of pattern text opens (outside classes and escapes).
fn captures_in(s: &str) -> usize {
    let (mut n, mut class, mut escaped) = (0, false, false);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' if !class => class = true,
            ']' if class => class = false,
            '(' if !class && chars.peek() != Some(&'?') => n += 1,
            _ => {}
        }
    }
    n
}

/// Whether a group tagged `tag` is among `pieces`.
pub(super) fn has<T: Copy + PartialEq>(pieces: &[Piece<T>], tag: T) -> bool {
    pieces.iter().any(|p| match p {
        Piece::Raw(_) => false,
        Piece::Group(t, inner) => *t == Some(tag) || has(inner, tag),
    })
}

/// A pattern written for a dialect: what matches, and how to extract each tagged group.
pub(super) struct Compiled<'a, T> {
    d: Dialect,
    pieces: &'a [Piece<T>],
    all: String,
    tags: Vec<Option<T>>,
}

impl<'a, T: Copy + PartialEq> Compiled<'a, T> {
    pub(super) fn new(d: Dialect, pieces: &'a [Piece<T>]) -> Compiled<'a, T> {
        let (mut all, mut tags) = (String::new(), Vec::new());
        render(pieces, None, &mut all, &mut tags);
        Compiled {
            d,
            pieces,
            all,
            tags,
        }
    }

    /// Whether the pattern is found in `cell` (it carries its own anchors where it needs
    /// them; Snowflake's REGEXP_LIKE would match the whole value only, so there it is
    /// REGEXP_INSTR).
    pub(super) fn matches(&self, cell: &str) -> String {
        let p = self.d.literal(&self.d.regex(&self.all));
        match self.d {
            Dialect::Duckdb => format!("regexp_matches({cell}, {p})"),
            Dialect::Postgres => format!("({cell} ~ {p})"),
            Dialect::Snowflake => format!("(REGEXP_INSTR({cell}, {p}) > 0)"),
            Dialect::Bigquery => format!("REGEXP_CONTAINS({cell}, {p})"),
            // RLIKE finds the pattern anywhere, as the others do.
            Dialect::Spark => format!("({cell} RLIKE {p})"),
        }
    }

    /// The text of the first group tagged `tag` ('' when it took no part).
    pub(super) fn extract(&self, cell: &str, tag: T) -> String {
        let one = || {
            let (mut one, mut tags) = (String::new(), Vec::new());
            render(self.pieces, Some(tag), &mut one, &mut tags);
            self.d.literal(&self.d.regex(&one))
        };
        let e = match self.d {
            Dialect::Duckdb => format!("regexp_extract({cell}, {}, 1)", one()),
            Dialect::Postgres => format!("(regexp_match({cell}, {}))[1]", one()),
            Dialect::Bigquery => format!("REGEXP_EXTRACT({cell}, {})", one()),
            // '' when the pattern does not match or the group took no part.
            Dialect::Spark => format!("REGEXP_EXTRACT({cell}, {}, 1)", one()),
            Dialect::Snowflake => {
                let index = self
                    .tags
                    .iter()
                    .position(|t| *t == Some(tag))
                    .map_or(1, |i| i + 1);
                let p = self.d.literal(&self.d.regex(&self.all));
                format!("REGEXP_SUBSTR({cell}, {p}, 1, 1, 'e', {index})")
            }
        };
        format!("COALESCE({e}, '')")
    }

    /// The group tagged `tag` as an integer (NULL when it took no part).
    pub(super) fn int(&self, cell: &str, tag: T) -> String {
        let ty = match self.d {
            Dialect::Bigquery => "INT64",
            _ => "INTEGER",
        };
        // Spark under ANSI mode fails a cast that overflows: TRY_CAST is NULL instead.
        let cast = if self.d == Dialect::Spark {
            "TRY_CAST"
        } else {
            "CAST"
        };
        format!("{cast}(NULLIF({}, '') AS {ty})", self.extract(cell, tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_counted_and_captured_alone() {
        assert_eq!(captures_in(r"(a|[(])\((b)(?:c)"), 2);
        let pieces = vec![
            raw("^(x|y)"),
            group(1u8, vec![raw("[0-9]+")]),
            plain(vec![raw("-")]),
            group(2u8, vec![raw("[a-z]+")]),
            raw("$"),
        ];
        let c = Compiled::new(Dialect::Snowflake, &pieces);
        assert_eq!(c.all, "^(x|y)([0-9]+)(-)([a-z]+)$");
        assert!(
            c.extract("v", 2).contains("'e', 4)"),
            "{}",
            c.extract("v", 2)
        );
        let (mut one, mut tags) = (String::new(), Vec::new());
        render(&pieces, Some(2u8), &mut one, &mut tags);
        assert_eq!(one, "^(?:x|y)(?:[0-9]+)(?:-)([a-z]+)$");
        assert_eq!(tags, vec![Some(2)]);
        assert!(has(&pieces, 1) && !has(&pieces, 3));
    }
}
