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

/// Which groups of a pattern capture.
#[derive(Clone, Copy)]
enum Mode<T> {
    /// Every group, those written in the text too (Snowflake numbers them).
    All,
    /// Only the groups tagged `T`.
    Only(T),
    /// Every tagged group, for one call that reads them all (DuckDB and PostgreSQL).
    Tagged,
}

/// Render `pieces` with the groups `mode` captures (the rest non-capturing). `tags` gets,
/// in capture order, each captured group's tag.
fn render<T: Copy + PartialEq>(
    pieces: &[Piece<T>],
    mode: Mode<T>,
    out: &mut String,
    tags: &mut Vec<Option<T>>,
) {
    for p in pieces {
        match p {
            Piece::Raw(s) => {
                // Groups written in the text capture too: count them, so that the tagged
                // groups' numbers stay right; otherwise none of them captures.
                if let Mode::All = mode {
                    tags.extend(std::iter::repeat_n(None, scan(s, &mut String::new())));
                    out.push_str(s);
                } else {
                    scan(s, out);
                }
            }
            Piece::Group(tag, inner) => {
                let capture = match mode {
                    Mode::All => true,
                    Mode::Only(t) => *tag == Some(t),
                    Mode::Tagged => tag.is_some(),
                };
                if capture {
                    tags.push(*tag);
                    out.push('(');
                } else {
                    out.push_str("(?:");
                }
                render(inner, mode, out, tags);
                out.push(')');
            }
        }
    }
}

/// Pattern text `s` pushed to `out` with each capturing group it opens (outside classes
/// and escapes) made non-capturing; returns how many it opens.
fn scan(s: &str, out: &mut String) -> usize {
    let (mut n, mut class, mut escaped) = (0, false, false);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            // A POSIX class inside a class (`[[:space:]]`) ends at its own `:]`.
            '[' if class && chars.peek() == Some(&':') => {
                for c in chars.by_ref() {
                    out.push(c);
                    if c == ']' {
                        break;
                    }
                }
            }
            '[' if !class => {
                class = true;
                // A `]` first in a class is a member, not its end.
                if chars.peek() == Some(&']') {
                    out.extend(chars.next());
                }
            }
            ']' if class => class = false,
            '(' if !class && chars.peek() != Some(&'?') => {
                n += 1;
                out.push_str("?:");
            }
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
    /// The column that holds every tagged group, read by one call ([`Compiled::group_all`]),
    /// and the groups' tags in its order.
    grouped: Option<(String, Vec<Option<T>>)>,
}

impl<'a, T: Copy + PartialEq + std::fmt::Debug> Compiled<'a, T> {
    pub(super) fn new(d: Dialect, pieces: &'a [Piece<T>]) -> Compiled<'a, T> {
        let (mut all, mut tags) = (String::new(), Vec::new());
        render(pieces, Mode::All, &mut all, &mut tags);
        Compiled {
            d,
            pieces,
            all,
            tags,
            grouped: None,
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

    /// Where the dialect reads every group of a match in one call (DuckDB: a struct from
    /// `regexp_extract` with a list of names; PostgreSQL: `regexp_match`'s array), the
    /// select item `CASE WHEN {when} THEN <every tagged group of cell> END AS {column}`;
    /// from then on [`Compiled::extract`] reads `column`, a step later, instead of matching
    /// `cell` once per group. None where the dialect has no such call.
    pub(super) fn group_all(&mut self, cell: &str, when: &str, column: &str) -> Option<String> {
        if !matches!(self.d, Dialect::Duckdb | Dialect::Postgres) {
            return None;
        }
        let (mut pattern, mut tags) = (String::new(), Vec::new());
        render(self.pieces, Mode::Tagged, &mut pattern, &mut tags);
        let p = self.d.literal(&self.d.regex(&pattern));
        let call = match self.d {
            Dialect::Duckdb => {
                let names: Vec<String> = (0..tags.len())
                    .map(|k| self.d.literal(&group_name(&tags, k)))
                    .collect();
                format!("regexp_extract({cell}, {p}, [{}])", names.join(", "))
            }
            _ => format!("regexp_match({cell}, {p})"),
        };
        self.grouped = Some((column.to_string(), tags));
        Some(format!("CASE WHEN {when} THEN {call} END AS {column}"))
    }

    /// The text of the first group tagged `tag` ('' when it took no part) in `cell`, or
    /// in the column of [`Compiled::group_all`] when there is one.
    pub(super) fn extract(&self, cell: &str, tag: T) -> String {
        if let Some((column, tags)) = &self.grouped
            && let Some(k) = tags.iter().position(|t| *t == Some(tag))
        {
            let e = match self.d {
                Dialect::Duckdb => format!("{column}[{}]", self.d.literal(&group_name(tags, k))),
                _ => format!("{column}[{}]", k + 1),
            };
            return format!("COALESCE({e}, '')");
        }
        let one = || {
            let (mut one, mut tags) = (String::new(), Vec::new());
            render(self.pieces, Mode::Only(tag), &mut one, &mut tags);
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

/// The name of the `k`th group of `tags` in DuckDB's struct: its tag in lower case, with
/// its place when the tag was seen before.
fn group_name<T: PartialEq + std::fmt::Debug>(tags: &[Option<T>], k: usize) -> String {
    let name = tags.get(k).map_or(String::new(), |t| match t {
        Some(t) => format!("{t:?}").to_lowercase(),
        None => String::new(),
    });
    if tags[..k].iter().any(|t| tags.get(k) == Some(t)) || name.is_empty() {
        format!("{name}{}", k + 1)
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_counted_and_captured_alone() {
        let mut out = String::new();
        assert_eq!(scan(r"(a|[(])\((b)(?:c)[[:space:](]", &mut out), 2);
        // Classes keep their parentheses, POSIX classes inside them included.
        assert_eq!(out, r"(?:a|[(])\((?:b)(?:c)[[:space:](]");
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
        render(&pieces, Mode::Only(2u8), &mut one, &mut tags);
        assert_eq!(one, "^(?:x|y)(?:[0-9]+)(?:-)([a-z]+)$");
        assert_eq!(tags, vec![Some(2)]);
        assert!(has(&pieces, 1) && !has(&pieces, 3));
    }

    #[test]
    fn every_tagged_group_is_read_in_one_call_where_the_dialect_can() {
        let pieces = vec![
            raw("^([(])?"),
            group(1u8, vec![raw("[0-9]+")]),
            plain(vec![raw("-")]),
            group(2u8, vec![raw("[a-z]+")]),
            group(1u8, vec![raw("x")]),
            raw("$"),
        ];
        let mut duck = Compiled::new(Dialect::Duckdb, &pieces);
        assert_eq!(
            duck.group_all("v", "m", "g").as_deref(),
            Some(
                "CASE WHEN m THEN regexp_extract(v, '^(?:[(])?([0-9]+)(?:-)([a-z]+)(x)$', ['1', '2', '13']) END AS g"
            )
        );
        assert_eq!(duck.extract("v", 2), "COALESCE(g['2'], '')");
        assert_eq!(duck.extract("v", 1), "COALESCE(g['1'], '')");
        let mut pg = Compiled::new(Dialect::Postgres, &pieces);
        assert!(pg.group_all("v", "m", "g").is_some());
        assert_eq!(pg.extract("v", 2), "COALESCE(g[2], '')");
        let mut spark = Compiled::new(Dialect::Spark, &pieces);
        assert_eq!(spark.group_all("v", "m", "g"), None);
        assert!(
            spark
                .extract("v", 2)
                .starts_with("COALESCE(REGEXP_EXTRACT(v, ")
        );
    }
}
