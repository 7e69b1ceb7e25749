//! Dates read in SQL as the engine reads them: each of the rules' formats (then ISO 8601)
//! becomes an anchored pattern whose year, month and day are captured; the first format
//! that matches *and* names a real day gives the date. A column the warehouse already typed
//! DATE or TIMESTAMP is read through its text, which is ISO 8601, so it reads the same.

use super::dialect::Dialect;
use super::pattern::{Compiled, Piece, group, has, plain, raw};
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
}

const WS: &str = r"\s";
const AM_PM: &str = "[AaPp]([Mm]|\\.[Mm]\\.)";

fn offset() -> Piece<Tag> {
    plain(vec![raw(
        "Z|z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?|[Uu][Tt][Cc]|[Gg][Mm][Tt]",
    )])
}

/// `[ |T]HH:MM[:SS[.fff]][ ][AM|PM][ ][offset]`, as the engine's time tail.
fn time_tail() -> Piece<Tag> {
    plain(vec![
        raw(&format!("({WS}+|[Tt])")),
        group(Tag::TailHour, vec![raw("[0-9]{1,2}")]),
        raw(":[0-5][0-9](:([0-5][0-9]|60)([.,][0-9]{1,9})?)? *"),
        plain(vec![group(Tag::TailAmPm, vec![raw(AM_PM)]), raw(" *")]),
        raw("?"),
        offset(),
        raw("?"),
    ])
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
fn format_pattern(format: &DateFormat) -> Vec<Piece<Tag>> {
    let mut out = vec![raw("^")];
    for item in format.items() {
        out.push(match *item {
            Item::Year4 => group(Tag::Year4, vec![raw("[0-9]{4}")]),
            Item::Year2 => group(Tag::Year2, vec![raw("[0-9]{2}")]),
            Item::Month => group(Tag::Month, vec![raw("[0-9]{1,2}")]),
            Item::Day => plain(vec![raw(" ?"), group(Tag::Day, vec![raw("[0-9]{1,2}")])]),
            Item::MonthName => plain(vec![
                group(Tag::MonthName, vec![raw("[A-Za-z]{3,}")]),
                raw("[.]?"),
            ]),
            Item::Hour24 => group(Tag::Hour24, vec![raw("[0-9]{1,2}")]),
            Item::Hour12 => group(Tag::Hour12, vec![raw("[0-9]{1,2}")]),
            Item::Minute => raw("[0-5][0-9]"),
            Item::Second => plain(vec![raw("[0-5][0-9]|60")]),
            Item::Fraction => raw("[0-9]{1,9}"),
            Item::AmPm => plain(vec![raw(AM_PM)]),
            Item::Offset => offset(),
            Item::Space => raw(&format!("{WS}+")),
            Item::Lit(c) => raw(&escape(c)),
        });
    }
    out.push(time_tail());
    out.push(raw("?$"));
    out
}

fn iso_pattern() -> Vec<Piece<Tag>> {
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

/// A date column read in steps, each a list of select items over the row before: which
/// formats match, the groups of the one that does (where the dialect reads them all in one
/// call), its parts, then the date. Each pattern runs once per cell, and parts are
/// extracted only from the format that matched.
pub(crate) struct DateSteps {
    pub(crate) matched: Vec<String>,
    pub(crate) grouped: Vec<String>,
    pub(crate) parts: Vec<String>,
    /// The DATE (NULL when no format reads the cell), over the parts.
    pub(crate) date: String,
}

/// `cell` (trimmed text) read as a date: columns are named from `name`.
pub(crate) fn date_steps(d: Dialect, cell: &str, name: &str, formats: &[DateFormat]) -> DateSteps {
    let patterns: Vec<Vec<Piece<Tag>>> = formats
        .iter()
        .map(format_pattern)
        .chain(std::iter::once(iso_pattern()))
        .collect();
    let mut steps = DateSteps {
        matched: Vec::new(),
        grouped: Vec::new(),
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
fn arm(d: Dialect, cell: &str, name: &str, pieces: &[Piece<Tag>], steps: &mut DateSteps) -> String {
    let mut c = Compiled::new(d, pieces);
    steps.matched.push(format!("{} AS {name}", c.matches(cell)));
    steps
        .grouped
        .extend(c.group_all(cell, name, &format!("{name}_g")));
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
        Dialect::Duckdb | Dialect::Postgres | Dialect::Spark => {
            format!("MAKE_DATE({year}, {month}, {day})")
        }
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
    fn a_format_tags_its_year_month_and_day() {
        let f = DateFormat::compile("%d %b %Y %I:%M %p").expect("format");
        let pieces = format_pattern(&f);
        for tag in [
            Tag::Day,
            Tag::MonthName,
            Tag::Year4,
            Tag::Hour12,
            Tag::TailHour,
        ] {
            assert!(has(&pieces, tag), "{tag:?}");
        }
        assert!(!has(&pieces, Tag::Month));
    }
}
