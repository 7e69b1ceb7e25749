//! Numbers, percentages and amounts read in SQL as the engine reads them: a sign, digits
//! grouped in threes by one separator, the rules' decimal mark; a percentage's `%` (or a
//! fraction scaled to points); an amount's parentheses, signs and currency before or after
//! (a symbol, an ISO 4217 code or a currency's name), rounded half to even to the cent.
//! Each reads to a DECIMAL, NULL when the cell is not one (its VAL002).

use super::dialect::Dialect;
use super::pattern::{Compiled, Piece, group, plain, raw};
use crate::values::currency::{CURRENCY_NAMES, ISO_4217, SYMBOLS};
use crate::values::{Currency, DecimalMark};

/// What a group of an amount's pattern holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Open,
    Close,
    /// A sign before the currency, and one after it.
    Sign1,
    Sign2,
    Prefix,
    Body,
    Suffix,
    /// A percentage's number, before its `%`.
    Points,
}

/// Spaces a number's parts may have between them: whitespace, no-break and narrow no-break.
const GAP: &str = "[[:space:]\u{a0}\u{202f}]*";

/// The digits of a number, `[sign]int[mark frac]`, as a pattern (at least one digit is
/// checked apart).
fn body(mark: DecimalMark, signed: bool) -> String {
    let (sep_mark, seps) = match mark {
        DecimalMark::Point => ("[.]", [",", " ", "'", "\u{a0}", "\u{202f}"]),
        DecimalMark::Comma => (",", ["[.]", " ", "'", "\u{a0}", "\u{202f}"]),
    };
    let grouped: Vec<String> = seps
        .iter()
        .map(|s| format!("[0-9]{{1,3}}({s}[0-9]{{3}})+"))
        .collect();
    format!(
        "{}({}|[0-9]*)({sep_mark}[0-9]*)?",
        if signed { "[+-]?" } else { "" },
        grouped.join("|")
    )
}

/// The text of a number's digits with grouping removed and a `.` for the decimal mark.
fn normalized(d: Dialect, text: &str, mark: DecimalMark) -> String {
    match mark {
        DecimalMark::Point => d.replace_all(text, "[, '\u{a0}\u{202f}]", ""),
        DecimalMark::Comma => format!(
            "REPLACE({}, ',', '.')",
            d.replace_all(text, "[. '\u{a0}\u{202f}]", "")
        ),
    }
}

/// `text` (a normalized number) as a DECIMAL.
fn decimal(d: Dialect, text: &str) -> String {
    // Spark under ANSI mode fails a cast that does not fit (more than 28 integer digits):
    // TRY_CAST is NULL there, as the other engines' cast of a shape-checked number never is.
    let cast = if d == Dialect::Spark {
        "TRY_CAST"
    } else {
        "CAST"
    };
    format!("{cast}({text} AS {})", d.decimal_type())
}

/// A number's steps: which shapes match, their parts, and the value.
pub(crate) struct NumberSteps {
    pub(crate) matched: Vec<String>,
    /// Every group of a match read in one call, where the dialect can.
    pub(crate) grouped: Vec<String>,
    pub(crate) parts: Vec<String>,
    pub(crate) value: String,
}

fn has_digit(d: Dialect, text: &str) -> String {
    Compiled::<Tag>::new(d, &[raw("[0-9]")]).matches(text)
}

/// A plain number (the `number` type): NULL unless the whole cell is one.
pub(crate) fn number(d: Dialect, cell: &str, name: &str, mark: DecimalMark) -> NumberSteps {
    let pieces: Vec<Piece<Tag>> = vec![raw("^"), raw(&body(mark, true)), raw("$")];
    let c = Compiled::new(d, &pieces);
    NumberSteps {
        matched: vec![format!(
            "({} AND {}) AS {name}",
            c.matches(cell),
            has_digit(d, cell)
        )],
        grouped: Vec::new(),
        parts: Vec::new(),
        value: format!(
            "CASE WHEN {name} THEN {} END",
            decimal(d, &normalized(d, cell, mark))
        ),
    }
}

/// A percentage in points: `40`, `40 %`; with `fraction`, a bare number is a fraction
/// (`0.4` is 40 points).
pub(crate) fn percent(
    d: Dialect,
    cell: &str,
    name: &str,
    mark: DecimalMark,
    fraction: bool,
) -> NumberSteps {
    let with_sign: Vec<Piece<Tag>> = vec![
        raw("^"),
        group(Tag::Points, vec![raw(&body(mark, true))]),
        raw(GAP),
        raw("%$"),
    ];
    let bare: Vec<Piece<Tag>> = vec![raw("^"), raw(&body(mark, true)), raw("$")];
    let (pc, bc) = (Compiled::new(d, &with_sign), Compiled::new(d, &bare));
    let points = pc.extract(cell, Tag::Points);
    let matched = vec![
        format!(
            "({} AND {}) AS {name}_pc",
            pc.matches(cell),
            has_digit(d, cell)
        ),
        format!(
            "({} AND {}) AS {name}",
            bc.matches(cell),
            has_digit(d, cell)
        ),
    ];
    let parts = vec![format!(
        "CASE WHEN {name}_pc THEN {} END AS {name}_p",
        decimal(d, &normalized(d, &points, mark))
    )];
    let bare_value = decimal(d, &normalized(d, cell, mark));
    let bare_value = if fraction {
        format!("({bare_value} * 100)")
    } else {
        bare_value
    };
    NumberSteps {
        matched,
        grouped: Vec::new(),
        parts,
        value: format!("CASE WHEN {name}_pc THEN {name}_p WHEN {name} THEN {bare_value} END"),
    }
}

/// Currency symbols, longest first as the engine tries them, escaped for a pattern.
fn symbols() -> String {
    SYMBOLS
        .iter()
        .map(|(s, _)| s.chars().map(|c| format!("[{c}]")).collect::<String>())
        .collect::<Vec<_>>()
        .join("|")
}

/// The currency vocabulary as SQL lists: ISO 4217 codes, symbols (with `$` only when
/// `bare_dollar`: it names a currency only where the rules say which dollar), and
/// lower-cased names.
pub(super) fn currency_lists(d: Dialect, bare_dollar: bool) -> [String; 3] {
    let list = |items: Vec<String>| items.join(", ");
    [
        list(
            ISO_4217
                .iter()
                .map(|c| d.literal(&String::from_utf8_lossy(c)))
                .collect(),
        ),
        list(
            SYMBOLS
                .iter()
                .filter(|(_, code)| bare_dollar || !code.is_empty())
                .map(|(s, _)| d.literal(s))
                .collect(),
        ),
        list(
            CURRENCY_NAMES
                .iter()
                .map(|(n, _)| d.literal(&n.to_lowercase()))
                .collect(),
        ),
    ]
}

/// Whether `text` (a captured prefix or suffix) names a currency as the engine reads one
/// there: an ISO 4217 code in capitals, a symbol, or a currency's name.
fn names_currency(d: Dialect, text: &str) -> String {
    let [iso, symbols, names] = currency_lists(d, true);
    let three = Compiled::<Tag>::new(d, &[raw("^[A-Z]{3}$")]).matches(text);
    format!(
        "(CASE WHEN {three} THEN {text} IN ({iso}) ELSE ({text} IN ({symbols}) OR LOWER({text}) IN ({names})) END)"
    )
}

/// Whether a currency column's cell names a currency (else VAL002): a code in any case, a
/// symbol that names one, a currency's name; a bare `$` where the rules name the dollar.
pub(crate) fn is_currency(d: Dialect, cell: &str, dollar: Option<Currency>) -> String {
    let [iso, symbols, names] = currency_lists(d, false);
    let dollar = if dollar.is_some() {
        format!(" OR {cell} = '$'")
    } else {
        String::new()
    };
    format!(
        "(UPPER({cell}) IN ({iso}) OR {cell} IN ({symbols}) OR LOWER({cell}) IN ({names}){dollar})"
    )
}

/// An amount, rounded half to even to the cent.
pub(crate) fn money(d: Dialect, cell: &str, name: &str, mark: DecimalMark) -> NumberSteps {
    let currency = format!("{}|[A-Z]{{3}}|[A-Za-z][A-Za-z .]*[A-Za-z]", symbols());
    let pieces: Vec<Piece<Tag>> = vec![
        raw("^"),
        group(Tag::Open, vec![raw("[(]")]),
        raw("?"),
        raw(GAP),
        group(Tag::Sign1, vec![raw("[+-]")]),
        raw("?"),
        raw(GAP),
        plain(vec![
            group(Tag::Prefix, vec![raw(&currency)]),
            raw(GAP),
            group(Tag::Sign2, vec![raw("[+-]")]),
            raw("?"),
            raw(GAP),
        ]),
        raw("?"),
        group(Tag::Body, vec![raw(&body(mark, true))]),
        raw(GAP),
        group(Tag::Suffix, vec![raw(&currency)]),
        raw("?"),
        raw(GAP),
        group(Tag::Close, vec![raw("[)]")]),
        raw("?$"),
    ];
    let mut c = Compiled::new(d, &pieces);
    let grouped: Vec<String> = c
        .group_all(cell, name, &format!("{name}_g"))
        .into_iter()
        .collect();
    let plain_number: Vec<Piece<Tag>> = vec![raw("^[0-9]+([.][0-9]+)?$")];
    let simple = Compiled::new(d, &plain_number);
    let mut parts = Vec::new();
    let mut part = |suffix: &str, tag: Tag| -> String {
        parts.push(format!(
            "CASE WHEN {name} THEN {} END AS {name}_{suffix}",
            c.extract(cell, tag)
        ));
        format!("{name}_{suffix}")
    };
    let (open, close) = (part("open", Tag::Open), part("close", Tag::Close));
    let (s1, s2) = (part("s1", Tag::Sign1), part("s2", Tag::Sign2));
    let (pre, suf) = (part("pre", Tag::Prefix), part("suf", Tag::Suffix));
    let body_text = part("body", Tag::Body);
    let signed_body = Compiled::<Tag>::new(d, &[raw("^[+-]")]).matches(&body_text);
    let valid = [
        format!("({open} = '') = ({close} = '')"),
        format!("NOT ({pre} <> '' AND {suf} <> '')"),
        format!("NOT (({s1} <> '' OR {s2} <> '') AND {signed_body})"),
        format!("({pre} = '' OR {})", names_currency(d, &pre)),
        format!("({suf} = '' OR {})", names_currency(d, &suf)),
        has_digit(d, &body_text),
    ];
    let minus = format!(
        "((CASE WHEN {open} <> '' THEN 1 ELSE 0 END + CASE WHEN {s1} = '-' THEN 1 ELSE 0 END + CASE WHEN {s2} = '-' THEN 1 ELSE 0 END) = 1 OR (CASE WHEN {open} <> '' THEN 1 ELSE 0 END + CASE WHEN {s1} = '-' THEN 1 ELSE 0 END + CASE WHEN {s2} = '-' THEN 1 ELSE 0 END) = 3)"
    );
    let amount = decimal(d, &normalized(d, &body_text, mark));
    let general = format!(
        "CASE WHEN {} THEN (CASE WHEN {minus} THEN -1 ELSE 1 END) * {amount} END",
        valid.join(" AND ")
    );
    let value = format!(
        "CASE WHEN {name}_plain THEN {} WHEN {name} THEN {general} END",
        decimal(d, cell)
    );
    NumberSteps {
        matched: vec![
            format!("{} AS {name}_plain", simple.matches(cell)),
            format!(
                "(NOT {} AND {}) AS {name}",
                simple.matches(cell),
                c.matches(cell)
            ),
        ],
        grouped,
        parts,
        value,
    }
}

/// `value` (an amount's column) rounded half to even to the cent, as the engine keeps money.
pub(crate) fn cents(value: &str) -> String {
    let x = format!("(({value}) * 100)");
    let floor = format!("FLOOR{x}");
    format!(
        "(CASE WHEN {x} - {floor} > 0.5 THEN {floor} + 1 WHEN {x} - {floor} < 0.5 THEN {floor} WHEN MOD({floor}, 2) = 0 THEN {floor} ELSE {floor} + 1 END) / 100"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grouped_body_keeps_one_separator() {
        let b = body(DecimalMark::Point, true);
        assert!(b.starts_with("[+-]?("), "{b}");
        assert!(b.contains("[0-9]{1,3}(,[0-9]{3})+"), "{b}");
        assert!(body(DecimalMark::Comma, false).contains("[0-9]{1,3}([.][0-9]{3})+"));
    }
}
