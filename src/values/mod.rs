//! Reading cell values: dates, money, numbers, percentages, and placeholders that mean "empty".

pub(crate) mod boolean;
pub(crate) mod currency;
pub use currency::Amount;
pub(crate) mod date;
pub(crate) mod number;

pub(crate) use boolean::parse_bool;
pub(crate) use date::{DateCache, DateFormat, parse_date};
pub(crate) use number::{
    Currency, DecimalMark, Money, MoneySum, MoneyValue, NumberError, parse_money, parse_number,
    parse_percent,
};

/// Placeholders that count as missing (`[input] empty_values`), compared ignoring case and
/// surrounding spaces.
#[derive(Clone, Debug)]
pub(crate) struct Placeholders {
    lowered: Vec<String>,
    max_len: usize,
    max_chars: usize,
    /// Every placeholder is ASCII (the default list is): then a cell is one only if it
    /// matches byte for byte, ignoring ASCII case.
    all_ascii: bool,
    /// Bit `n` is set when some placeholder is `n` bytes long (n < 64): a quick reject.
    lengths: u64,
}

/// The default `[input] empty_values`.
pub(crate) const DEFAULT_EMPTY_VALUES: [&str; 8] =
    ["", "-", "--", "n/a", "#n/a", "null", "none", "tbd"];

impl Placeholders {
    pub(crate) fn new<I, S>(values: I) -> Placeholders
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut lowered: Vec<String> = values
            .into_iter()
            .map(|v| v.as_ref().trim().to_lowercase())
            .filter(|v| !v.is_empty())
            .collect();
        lowered.sort();
        lowered.dedup();
        let max_len = lowered.iter().map(String::len).max().unwrap_or(0);
        let lengths = lowered
            .iter()
            .filter(|p| p.len() < 64)
            .fold(0u64, |m, p| m | (1 << p.len()));
        let max_chars = lowered.iter().map(|p| p.chars().count()).max().unwrap_or(0);
        let all_ascii = lowered.iter().all(|p| p.is_ascii());
        Placeholders {
            lowered,
            max_len,
            max_chars,
            all_ascii,
            lengths,
        }
    }

    /// The placeholders, lower-cased.
    pub(crate) fn lowered(&self) -> &[String] {
        &self.lowered
    }

    /// Whether a trimmed cell is empty or a placeholder.
    pub(crate) fn is_missing(&self, trimmed: &str) -> bool {
        if trimmed.is_empty() {
            return true;
        }
        if self.all_ascii {
            let len = trimmed.len();
            return len <= self.max_len
                && (len >= 64 || self.lengths & (1 << len) != 0)
                && self
                    .lowered
                    .iter()
                    .any(|p| p.len() == len && p.eq_ignore_ascii_case(trimmed));
        }
        // Most cells are longer than any placeholder: decide on length before looking.
        if trimmed.len() > self.max_len * 4 {
            return false;
        }
        if trimmed.len() < 64 && self.lengths & (1 << trimmed.len()) == 0 && trimmed.is_ascii() {
            return false;
        }
        if trimmed.is_ascii() {
            trimmed.len() <= self.max_len
                && self
                    .lowered
                    .iter()
                    .any(|p| p.len() == trimmed.len() && p.eq_ignore_ascii_case(trimmed))
        } else {
            trimmed.chars().count() <= self.max_chars
                && self
                    .lowered
                    .iter()
                    .any(|p| p.chars().eq(trimmed.chars().flat_map(char::to_lowercase)))
        }
    }
}

impl Default for Placeholders {
    fn default() -> Self {
        Placeholders::new(DEFAULT_EMPTY_VALUES)
    }
}

/// Equality ignoring case, Unicode-aware: how stage names, enum values and condition
/// operands are compared. Both sides are trimmed already (cells by `trim_cell`, rules when
/// they are validated).
pub(crate) fn eq_fold(a: &str, b: &str) -> bool {
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        return false;
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Trim the spaces CRMs and spreadsheets leave around values (including no-break spaces).
pub(crate) fn trim_cell(s: &str) -> &str {
    let b = s.as_bytes();
    let clean_edge = |c: u8| c.is_ascii_graphic();
    match (b.first(), b.last()) {
        (None, _) => s,
        (Some(&f), Some(&l)) if clean_edge(f) && clean_edge(l) => s,
        _ => s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'),
    }
}

/// A name folded for comparison (DUP002's "same name", the pairing key's account and
/// name): lower case, letters and digits only, words separated
/// by single spaces ("Acme - Renewal, 2027" → "acme renewal 2027"). Written into `out`.
pub(crate) fn normalize_name(s: &str, out: &mut String) {
    out.clear();
    let mut gap = false;
    if s.is_ascii() {
        // The common case, byte by byte.
        for &b in s.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if gap && !out.is_empty() {
                    out.push(' ');
                }
                gap = false;
                out.push(char::from(b.to_ascii_lowercase()));
            } else {
                gap = true;
            }
        }
        return;
    }
    for c in s.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
}

/// `part / whole` as a percentage (unrounded).
pub(crate) fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        100.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Round to one decimal, as every percentage in reports is.
pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_fold_case() {
        let p = Placeholders::default();
        assert!(p.is_missing(""));
        assert!(p.is_missing("N/A"));
        assert!(p.is_missing("TBD"));
        assert!(p.is_missing("Null"));
        assert!(!p.is_missing("Nullable"));
        assert!(!p.is_missing("0"));
        let custom = Placeholders::new(["à définir"]);
        assert!(custom.is_missing("À DÉFINIR"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        /// Any cell text through every parser, never a panic; and a value that parses reads
        /// back as the same value from pipelint's own spelling of it (ISO dates, plain
        /// numbers, money as it prints it, `true`/`false`).
        #[test]
        fn parsed_values_round_trip(
            s in proptest::prop_oneof![
                "\\PC{0,40}",
                "[-+(]?[$€£]?[0-9., ']{0,18}[%)]?( ?(USD|EUR|GBP|JPY|XYZ|€))?",
                "[0-9]{1,4}[-/. ][0-9]{1,2}[-/. ][0-9]{1,4}( [0-9]{1,2}:[0-9]{2}( [AP]M)?)?",
                "(true|false|yes|no|y|n|on|off|1|0|1.0|0.0|TRUE|No)",
            ],
            comma in proptest::prelude::any::<bool>(),
        ) {
            use proptest::prop_assert_eq;
            let mark = if comma { DecimalMark::Comma } else { DecimalMark::Point };
            let formats = [
                DateFormat::compile("%m/%d/%Y").expect("format"),
                DateFormat::compile("%d.%m.%Y").expect("format"),
                DateFormat::compile("%d %b %Y %I:%M %p").expect("format"),
            ];
            if let Some(d) = parse_date(&s, &formats) {
                let iso = d.format("%Y-%m-%d").to_string();
                prop_assert_eq!(parse_date(&iso, &[]), Some(d), "{:?} read as {}", s, iso);
            }
            if let Ok(m) = parse_money(&s, mark, None) {
                let own = m.amount.to_string();
                let again = parse_money(&own, DecimalMark::Point, None).map(|v| v.amount);
                prop_assert_eq!(again, Ok(m.amount), "{:?} read as {}", s, own);
            }
            if let Ok(n) = parse_number(&s, mark) {
                proptest::prop_assert!(n.is_finite(), "{:?} read as {}", s, n);
                if n.abs() < 1e15 {
                    let own = format!("{n}");
                    prop_assert_eq!(parse_number(&own, DecimalMark::Point), Ok(n), "{:?} read as {}", s, own);
                }
            }
            if let Ok(p) = parse_percent(&s, mark, false) {
                if p.is_finite() && p.abs() < 1e15 {
                    let own = format!("{p}%");
                    prop_assert_eq!(parse_percent(&own, DecimalMark::Point, false), Ok(p), "{:?}", s);
                }
            }
            if let Some(b) = parse_bool(&s) {
                prop_assert_eq!(parse_bool(if b { "true" } else { "false" }), Some(b));
            }
        }

        /// Money written by pipelint reads back as the same amount (amounts are whole cents,
        /// 100 units).
        #[test]
        fn money_round_trips(cents in -90_000_000_000_000_000i64..90_000_000_000_000_000i64) {
            let m = Money(cents * 100);
            let parsed = parse_money(&m.to_string(), DecimalMark::Point, None).expect("own output parses");
            proptest::prop_assert_eq!(parsed.amount, m);
        }
    }
}
