//! Dates read in SQL as the engine reads them: each of the rules' formats (then ISO 8601)
//! becomes an anchored pattern whose year, month and day are captured; the first format
//! that matches *and* names a real day gives the date. A column the warehouse already typed
//! DATE or TIMESTAMP is read through its text, which is ISO 8601, so it reads the same.

use super::dialect::Dialect;
use crate::values::DateFormat;
use crate::values::date::{Item, MONTHS};

/// What a group of a pattern holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Year4,
    Year2,
    Month,
    MonthName,
    Day,
    /// An hour that must be below 24 (a 24-hour clock), or 1–12 with `AmPm` set.
    Hour24,
    Hour12,
    /// The time after the date: its hour, and its AM/PM marker.
    TailHour,
    TailAmPm,
    Other,
}

/// A pattern as groups and text, so that each dialect can be given the groups it can
/// capture (BigQuery extracts one group per call).
enum Piece {
    Raw(String),
    Group(Tag, Vec<Piece>),
}

fn raw(s: &str) -> Piece {
    Piece::Raw(s.to_string())
}

fn group(tag: Tag, pieces: Vec<Piece>) -> Piece {
    Piece::Group(tag, pieces)
}

const WS: &str = r"\s";
const AM_PM: &str = "[AaPp]([Mm]|\\.[Mm]\\.)";

fn offset() -> Piece {
    group(
        Tag::Other,
        vec![raw(
            "Z|z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?|[Uu][Tt][Cc]|[Gg][Mm][Tt]",
        )],
    )
}

/// `[ |T]HH:MM[:SS[.fff]][ ][AM|PM][ ][offset]`, as the engine's time tail.
fn time_tail() -> Piece {
    group(
        Tag::Other,
        vec![
            raw(&format!("({WS}+|[Tt])")),
            group(Tag::TailHour, vec![raw("[0-9]{1,2}")]),
            raw(":[0-5][0-9](:([0-5][0-9]|60)([.,][0-9]{1,9})?)? *"),
            group(
                Tag::Other,
                vec![group(Tag::TailAmPm, vec![raw(AM_PM)]), raw(" *")],
            ),
            raw("?"),
            offset(),
            raw("?"),
        ],
    )
}

fn escape(c: u8) -> String {
    let c = c as char;
    if c.is_ascii_alphanumeric() || c == ' ' {
        c.to_string()
    } else {
        format!("\\{c}")
    }
}

/// The pattern of one format, with an optional time tail.
fn format_pattern(format: &DateFormat) -> Vec<Piece> {
    let mut out = vec![raw("^")];
    for item in format.items() {
        out.push(match *item {
            Item::Year4 => group(Tag::Year4, vec![raw("[0-9]{4}")]),
            Item::Year2 => group(Tag::Year2, vec![raw("[0-9]{2}")]),
            Item::Month => group(Tag::Month, vec![raw("[0-9]{1,2}")]),
            Item::Day => group(
                Tag::Other,
                vec![raw(" ?"), group(Tag::Day, vec![raw("[0-9]{1,2}")])],
            ),
            Item::MonthName => group(
                Tag::Other,
                vec![
                    group(Tag::MonthName, vec![raw("[A-Za-z]{3,}")]),
                    raw("[.]?"),
                ],
            ),
            Item::Hour24 => group(Tag::Hour24, vec![raw("[0-9]{1,2}")]),
            Item::Hour12 => group(Tag::Hour12, vec![raw("[0-9]{1,2}")]),
            Item::Minute => raw("[0-5][0-9]"),
            Item::Second => group(Tag::Other, vec![raw("[0-5][0-9]|60")]),
            Item::Fraction => raw("[0-9]{1,9}"),
            Item::AmPm => group(Tag::Other, vec![raw(AM_PM)]),
            Item::Offset => offset(),
            Item::Space => raw(&format!("{WS}+")),
            Item::Lit(c) => raw(&escape(c)),
        });
    }
    out.push(time_tail());
    out.push(raw("?$"));
    out
}

fn iso_pattern() -> Vec<Piece> {
    vec![
        raw("^"),
        group(Tag::Year4, vec![raw("[0-9]{4}")]),
        raw("-"),
        group(Tag::Month, vec![raw("[0-9]{2}")]),
        raw("-"),
        group(Tag::Day, vec![raw("[0-9]{2}")]),
        time_tail(),
        raw("?$"),
    ]
}

/// Render `pieces`: every group capturing (`only` None), or only the groups tagged `only`
/// (the rest non-capturing). Returns the text and, in capture order, the tags captured.
fn render(pieces: &[Piece], only: Option<Tag>, out: &mut String, tags: &mut Vec<Tag>) {
    for p in pieces {
        match p {
            Piece::Raw(s) => {
                // Groups written in the text capture too: count them, so that the tagged
                // groups' numbers stay right; for one group alone, none of them captures.
                if only.is_some() {
                    out.push_str(&s.replace("(", "(?:").replace("\\(?:", "\\("));
                } else {
                    tags.extend(std::iter::repeat_n(Tag::Other, captures_in(s)));
                    out.push_str(s);
                }
            }
            Piece::Group(tag, inner) => {
                let capture = only.is_none_or(|t| t == *tag);
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

fn has(pieces: &[Piece], tag: Tag) -> bool {
    pieces.iter().any(|p| match p {
        Piece::Raw(_) => false,
        Piece::Group(t, inner) => *t == tag || has(inner, tag),
    })
}

/// A compiled pattern: what matches, and how to extract each tagged group.
struct Compiled<'a> {
    d: Dialect,
    pieces: &'a [Piece],
    all: String,
    tags: Vec<Tag>,
}

impl<'a> Compiled<'a> {
    fn new(d: Dialect, pieces: &'a [Piece]) -> Compiled<'a> {
        let (mut all, mut tags) = (String::new(), Vec::new());
        render(pieces, None, &mut all, &mut tags);
        Compiled {
            d,
            pieces,
            all,
            tags,
        }
    }

    fn matches(&self, cell: &str) -> String {
        let p = self.d.literal(&self.all);
        match self.d {
            Dialect::Duckdb => format!("regexp_matches({cell}, {p})"),
            Dialect::Postgres => format!("({cell} ~ {p})"),
            Dialect::Snowflake => format!("REGEXP_LIKE({cell}, {p})"),
            Dialect::Bigquery => format!("REGEXP_CONTAINS({cell}, {p})"),
        }
    }

    /// The text of the first group tagged `tag` ('' when it took no part). Where the
    /// dialect has non-capturing groups, the pattern captures that group alone (DuckDB
    /// numbers at most nine groups; BigQuery extracts only one); Snowflake, which has none,
    /// numbers every group.
    fn extract(&self, cell: &str, tag: Tag) -> String {
        let one = || {
            let (mut one, mut tags) = (String::new(), Vec::new());
            render(self.pieces, Some(tag), &mut one, &mut tags);
            self.d.literal(&one)
        };
        let e = match self.d {
            Dialect::Duckdb => format!("regexp_extract({cell}, {}, 1)", one()),
            Dialect::Postgres => format!("(regexp_match({cell}, {}))[1]", one()),
            Dialect::Bigquery => format!("REGEXP_EXTRACT({cell}, {})", one()),
            Dialect::Snowflake => {
                let index = self
                    .tags
                    .iter()
                    .position(|t| *t == tag)
                    .map_or(1, |i| i + 1);
                let p = self.d.literal(&self.all);
                format!("REGEXP_SUBSTR({cell}, {p}, 1, 1, 'e', {index})")
            }
        };
        format!("COALESCE({e}, '')")
    }

    fn int(&self, cell: &str, tag: Tag) -> String {
        let ty = match self.d {
            Dialect::Bigquery => "INT64",
            _ => "INTEGER",
        };
        format!("CAST(NULLIF({}, '') AS {ty})", self.extract(cell, tag))
    }
}

/// A date column read in three steps, each a list of select items over the row before:
/// which formats match, the parts of those that do, then the date. Each pattern runs once
/// per cell, and a part is extracted only from the format that matched.
pub(crate) struct DateSteps {
    pub(crate) matched: Vec<String>,
    pub(crate) parts: Vec<String>,
    /// The DATE (NULL when no format reads the cell), over the parts.
    pub(crate) date: String,
}

/// `cell` (trimmed text) read as a date: columns are named from `name`.
pub(crate) fn date_steps(d: Dialect, cell: &str, name: &str, formats: &[DateFormat]) -> DateSteps {
    let patterns: Vec<Vec<Piece>> = formats
        .iter()
        .map(format_pattern)
        .chain(std::iter::once(iso_pattern()))
        .collect();
    let mut steps = DateSteps {
        matched: Vec::new(),
        parts: Vec::new(),
        date: String::new(),
    };
    let mut arms = Vec::new();
    for (k, pieces) in patterns.iter().enumerate() {
        arms.push(arm(d, cell, &format!("{name}_{k}"), pieces, &mut steps));
    }
    steps.date = format!("COALESCE({})", arms.join(", "));
    steps
}

/// One format: its match and parts pushed to `steps`, and its date over them (NULL unless
/// it matched and names a real day at a real time).
fn arm(d: Dialect, cell: &str, name: &str, pieces: &[Piece], steps: &mut DateSteps) -> String {
    let c = Compiled::new(d, pieces);
    steps.matched.push(format!("{} AS {name}", c.matches(cell)));
    let mut part = |suffix: &str, expr: String| -> String {
        steps.parts.push(format!(
            "CASE WHEN {name} THEN {expr} END AS {name}_{suffix}"
        ));
        format!("{name}_{suffix}")
    };
    let year = if has(pieces, Tag::Year4) {
        part("y", c.int(cell, Tag::Year4))
    } else {
        let yy = c.int(cell, Tag::Year2);
        part(
            "y",
            format!("(CASE WHEN {yy} >= 69 THEN 1900 + {yy} ELSE 2000 + {yy} END)"),
        )
    };
    let month = if has(pieces, Tag::MonthName) {
        let lowered = format!("LOWER({})", c.extract(cell, Tag::MonthName));
        let mut arms: Vec<String> = Vec::new();
        for (i, m) in MONTHS.iter().enumerate() {
            arms.push(format!("WHEN {} THEN {}", d.literal(m), i + 1));
            arms.push(format!("WHEN {} THEN {}", d.literal(&m[..3]), i + 1));
        }
        arms.push(format!("WHEN {} THEN 9", d.literal("sept")));
        // "may" is both a name and its abbreviation.
        arms.dedup();
        part("m", format!("(CASE {lowered} {} END)", arms.join(" ")))
    } else {
        part("m", c.int(cell, Tag::Month))
    };
    let day = part("d", c.int(cell, Tag::Day));
    let mut valid = vec![
        name.to_string(),
        format!("{month} BETWEEN 1 AND 12"),
        format!("{day} BETWEEN 1 AND {}", days_in_month(&year, &month)),
    ];
    if has(pieces, Tag::Hour24) {
        let h = part("h", c.int(cell, Tag::Hour24));
        valid.push(format!("{h} < 24"));
    }
    if has(pieces, Tag::Hour12) {
        let h = part("h12", c.int(cell, Tag::Hour12));
        valid.push(format!("{h} BETWEEN 1 AND 12"));
    }
    // The time after the date: 1–12 with AM/PM, else below 24.
    let hour = part("th", c.int(cell, Tag::TailHour));
    let am = part("tam", c.extract(cell, Tag::TailAmPm));
    valid.push(format!(
        "({hour} IS NULL OR (CASE WHEN {am} = '' THEN {hour} < 24 ELSE {hour} BETWEEN 1 AND 12 END))"
    ));
    let make = match d {
        Dialect::Duckdb | Dialect::Postgres => format!("MAKE_DATE({year}, {month}, {day})"),
        Dialect::Snowflake => format!("DATE_FROM_PARTS({year}, {month}, {day})"),
        Dialect::Bigquery => format!("DATE({year}, {month}, {day})"),
    };
    // Each condition is evaluated only when the one before holds (nested CASE: SQL's AND
    // may evaluate both sides, and a date of February 30 must never be built).
    let mut expr = make;
    for v in valid.iter().rev() {
        expr = format!("CASE WHEN {v} THEN {expr} END");
    }
    expr
}

fn days_in_month(year: &str, month: &str) -> String {
    let leap = format!("(MOD({year}, 4) = 0 AND (MOD({year}, 100) <> 0 OR MOD({year}, 400) = 0))");
    format!(
        "(CASE WHEN {month} IN (1, 3, 5, 7, 8, 10, 12) THEN 31 WHEN {month} IN (4, 6, 9, 11) THEN 30 WHEN {leap} THEN 29 ELSE 28 END)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_is_captured_or_named_for_bigquery() {
        let f = DateFormat::compile("%d %b %Y %I:%M %p").expect("format");
        let pieces = format_pattern(&f);
        let c = Compiled::new(Dialect::Duckdb, &pieces);
        assert!(c.tags.contains(&Tag::MonthName));
        assert!(c.all.starts_with('^') && c.all.ends_with('$'), "{}", c.all);
        let (mut one, mut tags) = (String::new(), Vec::new());
        render(&pieces, Some(Tag::Day), &mut one, &mut tags);
        assert!(tags.contains(&Tag::Day), "{one}");
        assert_eq!(captures_in(r"(a|[(])\((b)(?:c)"), 2);
    }
}
