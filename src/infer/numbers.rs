//! What a column's values say about numbers: whether they are numbers at all, which decimal
//! mark they use, whether they carry currencies or percent signs, and whether a probability
//! column holds fractions (HubSpot's `0.4`) or points (`40`).

use crate::values::{DecimalMark, parse_bool, parse_money, parse_number, parse_percent};

/// Evidence gathered from a column's present values.
#[derive(Clone, Debug, Default)]
pub(crate) struct NumberEvidence {
    pub(crate) seen: u64,
    /// Values read with `.` as the decimal mark only (`1,234.50`, `12.5`).
    pub(crate) point_only: u64,
    /// Values read with `,` as the decimal mark only (`1.234,50`, `12,5`).
    pub(crate) comma_only: u64,
    /// Values read either way (`1200`, `1,234` and `1.234` are both readings).
    pub(crate) either: u64,
    /// Values with a currency symbol or code.
    pub(crate) with_currency: u64,
    /// Values ending in `%`.
    pub(crate) with_percent: u64,
    /// Values with a fractional part (under the winning mark, estimated by `.`/`,` presence).
    pub(crate) with_fraction: u64,
    /// Smallest and largest values read (with `.` where both read).
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
    /// Values that read as yes/no words (`true`, `FALSE`, `yes`).
    pub(crate) bool_words: u64,
    /// Digit strings with a leading zero (`0060000001042`, `007`): codes, not quantities.
    pub(crate) leading_zero: u64,
    /// Values that are exactly `0` or `1` (or `0.0`/`1.0`).
    pub(crate) zero_one: u64,
    /// Values a number field reads, with `.` and with `,` as the mark (no currency or
    /// accounting brackets: those are money).
    pub(crate) number: [u64; 2],
    /// Values a percent field reads (within 0–100), with `.` and with `,`.
    pub(crate) percent: [u64; 2],
}

impl NumberEvidence {
    pub(crate) fn observe(&mut self, value: &str) {
        self.seen += 1;
        if parse_bool(value).is_some() {
            if value.bytes().any(|c| c.is_ascii_alphabetic()) {
                self.bool_words += 1;
                return;
            }
            self.zero_one += 1;
        }
        for (i, mark) in [DecimalMark::Point, DecimalMark::Comma]
            .into_iter()
            .enumerate()
        {
            if parse_number(value, mark).is_ok() {
                self.number[i] += 1;
            }
            if parse_percent(value, mark, false).is_ok_and(|p| (0.0..=100.0).contains(&p)) {
                self.percent[i] += 1;
            }
        }
        let b = value.as_bytes();
        if b.len() > 1 && b[0] == b'0' && b[1].is_ascii_digit() && b.iter().all(u8::is_ascii_digit)
        {
            self.leading_zero += 1;
        }
        let percent = value.trim_end().ends_with('%');
        let body = value.trim_end().trim_end_matches('%');
        let point = parse_money(body, DecimalMark::Point, None).ok();
        let comma = parse_money(body, DecimalMark::Comma, None).ok();
        let (read, mark) = match (point, comma) {
            (Some(p), Some(_)) => {
                // `1,234` reads as 1234 or 1.234; the range uses the point reading.
                self.either += 1;
                (p, b'.')
            }
            (Some(p), None) => {
                self.point_only += 1;
                (p, b'.')
            }
            (None, Some(c)) => {
                self.comma_only += 1;
                (c, b',')
            }
            (None, None) => return,
        };
        if percent {
            self.with_percent += 1;
        }
        if read.currency.is_some() {
            self.with_currency += 1;
        }
        // From the text: an amount is rounded to the cent as it is read, and `0.001` still
        // has a fraction.
        if has_fraction(body, mark) {
            self.with_fraction += 1;
        }
        let v = read.amount.to_f64();
        self.min = Some(self.min.map_or(v, |m| m.min(v)));
        self.max = Some(self.max.map_or(v, |m| m.max(v)));
    }

    /// Values that read as numbers one way or the other.
    pub(crate) fn numeric(&self) -> u64 {
        self.point_only + self.comma_only + self.either
    }

    /// The decimal mark the values use: `,` only when some value needs it and none
    /// contradicts it.
    pub(crate) fn decimal(&self) -> Option<DecimalMark> {
        match (self.point_only, self.comma_only) {
            (0, c) if c > 0 => Some(DecimalMark::Comma),
            (p, 0) if p > 0 => Some(DecimalMark::Point),
            _ => None,
        }
    }

    /// Every present value is a yes/no word, or every one is 0/1 with both seen or words
    /// mixed in.
    pub(crate) fn is_boolean(&self) -> bool {
        self.seen > 0 && self.bool_words + self.zero_one == self.seen && self.bool_words > 0
    }

    /// Every present value is 0 or 1 (a flag column written as digits).
    pub(crate) fn is_zero_one(&self) -> bool {
        self.seen > 0 && self.zero_one == self.seen
    }

    /// A probability written as a fraction: every value in 0–1, some strictly between.
    pub(crate) fn looks_fractional(&self) -> bool {
        self.with_percent == 0
            && self.min.is_some_and(|m| m >= 0.0)
            && self.max.is_some_and(|m| m <= 1.0)
            && self.with_fraction > 0
    }
}

/// Whether the digits after the last decimal mark hold anything but zeros (`12.50`, not
/// `12.00` or `1,234` read with a point).
fn has_fraction(text: &str, mark: u8) -> bool {
    let b = text.as_bytes();
    b.iter().rposition(|&c| c == mark).is_some_and(|at| {
        b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .any(|&c| c != b'0')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(values: &[&str]) -> NumberEvidence {
        let mut e = NumberEvidence::default();
        for v in values {
            e.observe(v);
        }
        e
    }

    #[test]
    fn decimal_comma_needs_a_value_that_only_reads_that_way() {
        assert_eq!(
            evidence(&["12.500,00", "9.000", "1200"]).decimal(),
            Some(DecimalMark::Comma)
        );
        assert_eq!(
            evidence(&["12,500.00", "1200", "9225.225"]).decimal(),
            Some(DecimalMark::Point)
        );
        assert_eq!(evidence(&["1,234", "1200"]).decimal(), None);
        assert_eq!(
            evidence(&["€ 9.000", "12 500,00"]).decimal(),
            Some(DecimalMark::Comma)
        );
    }

    #[test]
    fn currencies_percents_fractions() {
        let e = evidence(&["$12,500", "USD 12,500.00", "(1,200.00)"]);
        assert_eq!(e.with_currency, 2);
        assert_eq!(e.numeric(), 3);
        assert_eq!(e.min, Some(-1200.0));
        assert!(evidence(&["0.4", "0.0", "1.0", "0.25"]).looks_fractional());
        assert!(!evidence(&["40", "10", "100"]).looks_fractional());
        assert_eq!(evidence(&["40%", "10 %"]).with_percent, 2);
        // Fractions come from the text, not from the amount rounded to the cent.
        assert_eq!(
            evidence(&["0.001", "12.00", "1,234", "1475.3000000000002"]).with_fraction,
            2
        );
        assert_eq!(evidence(&["12.500,50 €", "9.000"]).with_fraction, 1);
        assert_eq!(evidence(&["OPP-000123", "OPP1900001042"]).numeric(), 0);
    }

    #[test]
    fn yes_no_columns() {
        assert!(evidence(&["TRUE", "FALSE", "true"]).is_boolean());
        assert!(evidence(&["1", "0", "1"]).is_zero_one());
        assert!(!evidence(&["1", "0", "1"]).is_boolean());
        assert!(!evidence(&["1", "2"]).is_zero_one());
        assert!(!evidence(&["yes", "maybe"]).is_boolean());
    }
}
