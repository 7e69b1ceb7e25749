//! Numbers, money and percentages as exports write them.
//!
//! Decimals are read digit by digit from the text, whatever their length (`1475.3000000000002`),
//! never through a binary float. Money is rounded half to even to the cent as it is read and
//! held exactly as an integer ([`Money`]); it is never summed in binary floating point. Plain
//! numbers and percentages, which are only compared, are `f64`.

use std::fmt;

pub(crate) use super::currency::Currency;
use super::currency::{CURRENCY_NAMES, SYMBOLS};

/// Which character separates the decimals: `.` (`12,500.00`) or `,` (`12.500,00`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum DecimalMark {
    #[default]
    Point,
    Comma,
}

impl DecimalMark {
    fn byte(self) -> u8 {
        match self {
            DecimalMark::Point => b'.',
            DecimalMark::Comma => b',',
        }
    }
}

/// Why a number could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumberError {
    Invalid,
    TooLarge,
}

/// A decimal as read: `mantissa / 10^scale`, with its sign folded in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decimal {
    pub(crate) mantissa: i128,
    pub(crate) scale: u32,
}

impl Decimal {
    pub(crate) fn to_f64(self) -> f64 {
        let m = match i64::try_from(self.mantissa) {
            Ok(small) => small as f64,
            Err(_) => self.mantissa as f64,
        };
        m / 10f64.powi(self.scale as i32)
    }
}

/// Scale of [`Money`]: four decimal places, of which amounts read from cells use two (they are
/// rounded to the cent); the two spare places keep stored histories and exact sums of
/// earlier versions readable.
pub(crate) const MONEY_SCALE: u32 = 4;
const MONEY_UNIT: i128 = 10_000;
/// Decimal places an amount keeps when it is read: cents.
const CENT_SCALE: u32 = 2;

/// An exact amount in ten-thousandths of its currency unit. Single amounts fit an `i64`
/// (about ±922 trillion units); totals are [`MoneySum`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) struct Money(pub(crate) i64);

impl Money {
    /// The amount a decimal names, rounded half to even to the cent (`9225.225` is
    /// 9225.22, `9225.235` is 9225.24): an export's 4-decimal or float-noise amounts
    /// (`1475.3000000000002`) are read, and totals stay in whole cents.
    pub(crate) fn from_decimal(d: Decimal) -> Result<Money, NumberError> {
        let cents = if d.scale <= CENT_SCALE {
            d.mantissa
                .checked_mul(10i128.pow(CENT_SCALE - d.scale))
                .ok_or(NumberError::TooLarge)?
        } else {
            let divisor = 10i128
                .checked_pow(d.scale - CENT_SCALE)
                .ok_or(NumberError::TooLarge)?;
            round_half_even(d.mantissa, divisor)
        };
        let units = cents
            .checked_mul(10i128.pow(MONEY_SCALE - CENT_SCALE))
            .ok_or(NumberError::TooLarge)?;
        // i64::MIN is excluded so that a deal's 8-byte amount can use it to mean "none".
        match i64::try_from(units) {
            Ok(v) if v != i64::MIN => Ok(Money(v)),
            _ => Err(NumberError::TooLarge),
        }
    }

    pub(crate) fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub(crate) fn to_f64(self) -> f64 {
        self.0 as f64 / MONEY_UNIT as f64
    }
}

/// `value / divisor` rounded half to even (banker's rounding: no drift up or down over many
/// amounts). `divisor` is a power of ten, at least 10.
fn round_half_even(value: i128, divisor: i128) -> i128 {
    let (q, r) = (value / divisor, value % divisor);
    let (r2, d) = (r.unsigned_abs() * 2, divisor.unsigned_abs());
    let away = r2 > d || (r2 == d && q % 2 != 0);
    match (away, value < 0) {
        (false, _) => q,
        (true, false) => q + 1,
        (true, true) => q - 1,
    }
}

/// A total of amounts in one currency, exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) struct MoneySum(pub(crate) i128);

impl MoneySum {
    pub(crate) fn add(&mut self, m: Money) {
        self.0 = self.0.saturating_add(i128::from(m.0));
    }

    pub(crate) fn merge(&mut self, other: MoneySum) {
        self.0 = self.0.saturating_add(other.0);
    }
}

/// Plain decimal, at least two decimals: `120000.00`, `-1200.50`, `9225.225`.
fn fmt_units(units: i128, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    let unit = MONEY_UNIT as u128;
    let mut frac = format!("{:04}", abs % unit);
    while frac.len() > 2 && frac.ends_with('0') {
        frac.pop();
    }
    write!(f, "{sign}{}.{frac}", abs / unit)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_units(i128::from(self.0), f)
    }
}

impl fmt::Display for MoneySum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_units(self.0, f)
    }
}

/// Money as read from a cell: the amount and the currency it names, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MoneyValue {
    pub(crate) amount: Money,
    pub(crate) currency: Option<Currency>,
}

/// Parse an amount: `$120,000`, `USD 45,000.00`, `45000`, `-1,200.50`, `(1,200.00)`,
/// `12.500,00 €` (with [`DecimalMark::Comma`]), `€ 9.000`.
pub(crate) fn parse_money(
    s: &str,
    mark: DecimalMark,
    dollar: Option<Currency>,
) -> Result<MoneyValue, NumberError> {
    let mut rest = trim(s);
    if let Some(amount) = plain(rest.as_bytes(), mark).and_then(|d| Money::from_decimal(d).ok()) {
        return Ok(MoneyValue {
            amount,
            currency: None,
        });
    }
    let mut negative = false;
    if rest.len() >= 2 && rest.starts_with('(') && rest.ends_with(')') {
        negative = true;
        rest = trim(&rest[1..rest.len() - 1]);
    }
    let mut currency = None;
    let mut sign_seen = false;
    // A sign may stand before or after the currency: `-$1,200`, `$-1,200`, `USD -5`.
    for _ in 0..2 {
        if let Some(r) = rest.strip_prefix('-') {
            negative = !negative;
            sign_seen = true;
            rest = trim(r);
        } else if let Some(r) = rest.strip_prefix('+') {
            sign_seen = true;
            rest = trim(r);
        }
        if currency.is_none() {
            if let Some((c, r)) = strip_currency_prefix(rest, dollar) {
                currency = Some(c);
                rest = trim(r);
                continue;
            }
        }
        break;
    }
    if currency.is_none() {
        if let Some((c, r)) = strip_currency_suffix(rest, dollar) {
            currency = Some(c);
            rest = trim(r);
        }
    }
    let decimal = parse_decimal_body(rest.as_bytes(), mark, !sign_seen)?;
    let decimal = if negative {
        Decimal {
            mantissa: -decimal.mantissa,
            ..decimal
        }
    } else {
        decimal
    };
    Ok(MoneyValue {
        amount: Money::from_decimal(decimal)?,
        currency,
    })
}

/// Parse a plain number with optional sign, grouping and the configured decimal mark.
pub(crate) fn parse_number(s: &str, mark: DecimalMark) -> Result<f64, NumberError> {
    let b = trim(s).as_bytes();
    match plain(b, mark) {
        Some(d) => Ok(d.to_f64()),
        None => parse_decimal_body(b, mark, true).map(Decimal::to_f64),
    }
}

/// Most numbers in most exports: digits with at most one decimal mark between them, no
/// sign, grouping or currency, at most 18 digits. Read here without the general parser
/// (which gives the same answer, more slowly); anything else is `None`.
fn plain(b: &[u8], mark: DecimalMark) -> Option<Decimal> {
    let (&first, &last) = (b.first()?, b.last()?);
    if !first.is_ascii_digit() || !last.is_ascii_digit() || b.len() > 19 {
        return None;
    }
    let mark = mark.byte();
    let mut mantissa: u64 = 0;
    let mut digits = 0;
    let mut scale: Option<u32> = None;
    for &c in b {
        if c.is_ascii_digit() {
            mantissa = mantissa * 10 + u64::from(c - b'0');
            digits += 1;
            if let Some(s) = &mut scale {
                *s += 1;
            }
        } else if c == mark && scale.is_none() {
            scale = Some(0);
        } else {
            return None;
        }
    }
    (digits <= 18).then(|| Decimal {
        mantissa: i128::from(mantissa),
        scale: scale.unwrap_or(0),
    })
}

/// Parse a percentage in points (0–100): `40`, `40%`, `40 %`; with `fraction`, a bare number
/// is a fraction (`0.4` → 40), as HubSpot writes probabilities.
pub(crate) fn parse_percent(
    s: &str,
    mark: DecimalMark,
    fraction: bool,
) -> Result<f64, NumberError> {
    let t = trim(s);
    if let Some(body) = t.strip_suffix('%') {
        return parse_number(body, mark);
    }
    let d = match plain(t.as_bytes(), mark) {
        Some(d) => d,
        None => parse_decimal_body(t.as_bytes(), mark, true)?,
    };
    if !fraction {
        return Ok(d.to_f64());
    }
    // Scaled exactly before the one rounding to f64: 0.55 is 55, not 55.00000000000001.
    let points = match d.scale {
        0 | 1 => Decimal {
            mantissa: d.mantissa.checked_mul(100).ok_or(NumberError::TooLarge)?,
            scale: d.scale,
        },
        s => Decimal {
            mantissa: d.mantissa,
            scale: s - 2,
        },
    };
    Ok(points.to_f64())
}

fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (None, _) => s,
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        _ => s.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}'),
    }
}

fn strip_currency_prefix(s: &str, dollar: Option<Currency>) -> Option<(Currency, &str)> {
    for (symbol, code) in SYMBOLS {
        if let Some(rest) = s.strip_prefix(symbol) {
            return symbol_currency(code, dollar).map(|c| (c, rest));
        }
    }
    let b = s.as_bytes();
    if b.len() > 3 && b[..3].iter().all(u8::is_ascii_uppercase) && !b[3].is_ascii_alphabetic() {
        return Currency::parse(&s[..3]).map(|c| (c, &s[3..]));
    }
    if b.first().is_some_and(u8::is_ascii_alphabetic) {
        for (name, code) in CURRENCY_NAMES {
            let n = name.len();
            let named = b.len() > n
                && b[..n].eq_ignore_ascii_case(name.as_bytes())
                && !b[n].is_ascii_alphabetic();
            if named {
                return Currency::parse(code).map(|c| (c, &s[n..]));
            }
        }
    }
    None
}

fn strip_currency_suffix(s: &str, dollar: Option<Currency>) -> Option<(Currency, &str)> {
    for (symbol, code) in SYMBOLS {
        if let Some(rest) = s.strip_suffix(symbol) {
            return symbol_currency(code, dollar).map(|c| (c, rest));
        }
    }
    let b = s.as_bytes();
    let n = b.len();
    if n > 3 && b[n - 3..].iter().all(u8::is_ascii_uppercase) && !b[n - 4].is_ascii_alphabetic() {
        return Currency::parse(&s[n - 3..]).map(|c| (c, &s[..n - 3]));
    }
    if b.last().is_some_and(u8::is_ascii_alphabetic) {
        for (name, code) in CURRENCY_NAMES {
            let len = name.len();
            let named = n > len
                && b[n - len..].eq_ignore_ascii_case(name.as_bytes())
                && !b[n - len - 1].is_ascii_alphabetic();
            if named {
                return Currency::parse(code).map(|c| (c, &s[..n - len]));
            }
        }
    }
    None
}

fn symbol_currency(code: &str, dollar: Option<Currency>) -> Option<Currency> {
    Currency::parse(code).or(dollar).or(Currency::parse("USD"))
}

/// Decimals read exactly; any further digits only say whether the value lies above them.
const KEPT_DECIMALS: u32 = 18;

/// The digits of a number: `[sign]int[mark frac]` where `int` is plain digits or groups of
/// three separated by one consistent separator (`,` ` ` `'` or `.` for a comma mark).
fn parse_decimal_body(
    b: &[u8],
    mark: DecimalMark,
    allow_sign: bool,
) -> Result<Decimal, NumberError> {
    let mark_byte = mark.byte();
    let mut pos = 0;
    let mut negative = false;
    if allow_sign {
        match b.first() {
            Some(b'-') => {
                negative = true;
                pos = 1;
            }
            Some(b'+') => pos = 1,
            _ => {}
        }
    }
    let mut mantissa: i128 = 0;
    let mut int_digits = 0usize;
    let mut group_len = 0usize;
    let mut separator: Option<&[u8]> = None;
    let mut groups = 0usize;
    // Digits accumulate in a u64 (fast) and spill into i128 only past 19 digits.
    let push = |m: i128, d: u8| -> Result<i128, NumberError> {
        let digit = i128::from(d - b'0');
        if let Ok(small) = u64::try_from(m) {
            if let Some(v) = small
                .checked_mul(10)
                .and_then(|v| v.checked_add(digit as u64))
            {
                return Ok(i128::from(v));
            }
        }
        m.checked_mul(10)
            .and_then(|m| m.checked_add(digit))
            .ok_or(NumberError::TooLarge)
    };
    while pos < b.len() {
        let c = b[pos];
        if c.is_ascii_digit() {
            mantissa = push(mantissa, c)?;
            int_digits += 1;
            group_len += 1;
            pos += 1;
            continue;
        }
        if c == mark_byte {
            break;
        }
        let sep = group_separator(&b[pos..], mark);
        let Some(sep) = sep else {
            return Err(NumberError::Invalid);
        };
        // Grouping: the first group has 1–3 digits, every later one exactly 3, and the same
        // separator throughout.
        let first_ok = groups == 0 && (1..=3).contains(&group_len);
        let later_ok = groups > 0 && group_len == 3;
        if !(first_ok || later_ok) || separator.is_some_and(|s| s != sep) {
            return Err(NumberError::Invalid);
        }
        separator = Some(sep);
        groups += 1;
        group_len = 0;
        pos += sep.len();
    }
    if groups > 0 && group_len != 3 {
        return Err(NumberError::Invalid);
    }
    let mut scale = 0u32;
    if pos < b.len() && b[pos] == mark_byte {
        pos += 1;
        // Past KEPT_DECIMALS digits only whether something non-zero follows can still
        // change a rounding (to the cent, or to an f64): that is kept as one final `1`.
        let mut beyond = false;
        while pos < b.len() && b[pos].is_ascii_digit() {
            if scale < KEPT_DECIMALS {
                mantissa = push(mantissa, b[pos])?;
                scale += 1;
            } else {
                beyond |= b[pos] != b'0';
            }
            pos += 1;
        }
        if beyond {
            mantissa = push(mantissa, b'1')?;
            scale += 1;
        }
    }
    if pos != b.len() || int_digits + scale as usize == 0 {
        return Err(NumberError::Invalid);
    }
    Ok(Decimal {
        mantissa: if negative { -mantissa } else { mantissa },
        scale,
    })
}

fn group_separator(b: &[u8], mark: DecimalMark) -> Option<&[u8]> {
    const NBSP: &[u8] = "\u{a0}".as_bytes();
    const NNBSP: &[u8] = "\u{202f}".as_bytes();
    let first = *b.first()?;
    match first {
        b',' if mark == DecimalMark::Point => Some(&b[..1]),
        b'.' if mark == DecimalMark::Comma => Some(&b[..1]),
        b' ' | b'\'' => Some(&b[..1]),
        _ if b.starts_with(NBSP) => Some(&b[..NBSP.len()]),
        _ if b.starts_with(NNBSP) => Some(&b[..NNBSP.len()]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(s: &str) -> Result<(String, Option<String>), NumberError> {
        parse_money(s, DecimalMark::Point, None)
            .map(|m| (m.amount.to_string(), m.currency.map(|c| c.to_string())))
    }

    fn euro(s: &str) -> Result<(String, Option<String>), NumberError> {
        parse_money(s, DecimalMark::Comma, None)
            .map(|m| (m.amount.to_string(), m.currency.map(|c| c.to_string())))
    }

    #[test]
    fn plain_numbers_read_like_the_general_parser() {
        for s in [
            "0",
            "7",
            "9950.00",
            "1475.3000000000002",
            "12.",
            ".5",
            "123456789012345678",
            "1234567890123456789",
            "1,234",
            "1.2.3",
            "12a",
            "007.50",
        ] {
            for mark in [DecimalMark::Point, DecimalMark::Comma] {
                if let Some(fast) = plain(s.as_bytes(), mark) {
                    assert_eq!(
                        Ok(fast),
                        parse_decimal_body(s.as_bytes(), mark, true),
                        "{s}"
                    );
                }
            }
        }
        assert_eq!(
            plain(b"9950.00", DecimalMark::Point).map(|d| d.scale),
            Some(2)
        );
        assert_eq!(plain(b"-5", DecimalMark::Point), None);
    }

    #[test]
    fn money_formats() {
        assert_eq!(
            money("$120,000"),
            Ok(("120000.00".into(), Some("USD".into())))
        );
        assert_eq!(
            money("USD 45,000.00"),
            Ok(("45000.00".into(), Some("USD".into())))
        );
        assert_eq!(money("45000"), Ok(("45000.00".into(), None)));
        assert_eq!(money("-1,200.50"), Ok(("-1200.50".into(), None)));
        assert_eq!(money("(1,200.00)"), Ok(("-1200.00".into(), None)));
        assert_eq!(
            money("-$1,200"),
            Ok(("-1200.00".into(), Some("USD".into())))
        );
        assert_eq!(money("9225.225"), Ok(("9225.22".into(), None)));
        assert_eq!(money("4612.6125"), Ok(("4612.61".into(), None)));
        assert_eq!(money("468.0"), Ok(("468.00".into(), None)));
        assert_eq!(money("1 250 000"), Ok(("1250000.00".into(), None)));
        assert_eq!(
            money("EUR1,000"),
            Ok(("1000.00".into(), Some("EUR".into())))
        );
        assert_eq!(
            money("1000 GBP"),
            Ok(("1000.00".into(), Some("GBP".into())))
        );
        assert_eq!(money(".5"), Ok(("0.50".into(), None)));
    }

    #[test]
    fn money_rejects_ambiguous_or_broken_values() {
        assert_eq!(money("12,50"), Err(NumberError::Invalid));
        assert_eq!(money("1,2345"), Err(NumberError::Invalid));
        assert_eq!(money("12k"), Err(NumberError::Invalid));
        assert_eq!(money("1.2E+05"), Err(NumberError::Invalid));
        assert_eq!(money("$"), Err(NumberError::Invalid));
        assert_eq!(money("1,000 200"), Err(NumberError::Invalid));
        assert_eq!(money("OPP-000123"), Err(NumberError::Invalid));
        assert_eq!(money("OPP1900001042"), Err(NumberError::Invalid));
        assert_eq!(money("000123 OPP"), Err(NumberError::Invalid));
        assert_eq!(
            money("999999999999999999999999999999999999999"),
            Err(NumberError::TooLarge)
        );
        assert_eq!(money("-922337203685477.59"), Err(NumberError::TooLarge));
        assert_eq!(
            money("-922337203685477.5808"),
            Ok(("-922337203685477.58".into(), None))
        );
    }

    #[test]
    fn long_decimals_are_read_exactly_and_rounded_half_to_even() {
        assert_eq!(money("1475.3000000000002"), Ok(("1475.30".into(), None)));
        assert_eq!(money("0.125"), Ok(("0.12".into(), None)));
        assert_eq!(money("0.135"), Ok(("0.14".into(), None)));
        assert_eq!(money("-0.125"), Ok(("-0.12".into(), None)));
        assert_eq!(money("-0.135"), Ok(("-0.14".into(), None)));
        assert_eq!(money("2.675"), Ok(("2.68".into(), None)));
        assert_eq!(money("0.00001"), Ok(("0.00".into(), None)));
        // A tie only at the 3rd decimal; a digit far beyond it breaks the tie upwards.
        assert_eq!(
            money("0.1250000000000000000000000000000000000001"),
            Ok(("0.13".into(), None))
        );
        assert_eq!(
            money("0.1249999999999999999999999999999999999999"),
            Ok(("0.12".into(), None))
        );
        assert_eq!(
            money("$1,475.30000000000000000000000000000000000000000000"),
            Ok(("1475.30".into(), Some("USD".into())))
        );
        // Numbers are read from the digits too: no binary residue before the one rounding.
        assert_eq!(
            parse_number("1475.3000000000002", DecimalMark::Point),
            Ok(1475.3000000000002)
        );
        assert_eq!(parse_number("0.1", DecimalMark::Point), Ok(0.1));
    }

    #[test]
    fn decimal_comma_money() {
        assert_eq!(euro("12.500,00"), Ok(("12500.00".into(), None)));
        assert_eq!(
            euro("12 500,00 €"),
            Ok(("12500.00".into(), Some("EUR".into())))
        );
        assert_eq!(euro("€ 9.000"), Ok(("9000.00".into(), Some("EUR".into()))));
        assert_eq!(euro("12,5"), Ok(("12.50".into(), None)));
    }

    #[test]
    fn dollar_follows_configured_currency() {
        let cad = Currency::parse("cad");
        let m = parse_money("$10", DecimalMark::Point, cad).unwrap();
        assert_eq!(m.currency, cad);
    }

    #[test]
    fn currencies_order_alphabetically() {
        let mut codes: Vec<Currency> = ["usd", "EUR", "MXN", "cop"]
            .iter()
            .filter_map(|c| Currency::parse(c))
            .collect();
        codes.sort();
        let shown: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        assert_eq!(shown, vec!["COP", "EUR", "MXN", "USD"]);
        assert_eq!(std::mem::size_of::<Option<Currency>>(), 4);
    }

    #[test]
    fn percents() {
        assert_eq!(parse_percent("40", DecimalMark::Point, false), Ok(40.0));
        assert_eq!(parse_percent("40%", DecimalMark::Point, true), Ok(40.0));
        assert_eq!(parse_percent("0.4", DecimalMark::Point, true), Ok(40.0));
        // Exact: no binary-fraction residue that would tip a tolerance test.
        assert_eq!(parse_percent("0.55", DecimalMark::Point, true), Ok(55.0));
        assert_eq!(parse_percent("0.15", DecimalMark::Point, true), Ok(15.0));
        assert_eq!(parse_percent("0.575", DecimalMark::Point, true), Ok(57.5));
        assert_eq!(parse_percent("1", DecimalMark::Point, true), Ok(100.0));
        assert_eq!(parse_percent("0,4", DecimalMark::Comma, true), Ok(40.0));
        assert_eq!(parse_percent("12,5 %", DecimalMark::Comma, false), Ok(12.5));
        assert!(parse_percent("high", DecimalMark::Point, false).is_err());
    }

    #[test]
    fn sums_are_exact() {
        let mut sum = MoneySum::default();
        for s in ["0.1", "0.2", "9225.225", "4612.6125"] {
            sum.add(parse_money(s, DecimalMark::Point, None).unwrap().amount);
        }
        // 0.10 + 0.20 + 9225.22 + 4612.61, each rounded to the cent as read.
        assert_eq!(sum.to_string(), "13838.13");
        let mut big = MoneySum::default();
        for _ in 0..1000 {
            big.add(Money(i64::MAX));
        }
        assert!(big.0 > i128::from(i64::MAX) * 999);
    }

    #[test]
    fn currency_names_and_symbols() {
        let code = |s: &str| Currency::parse(s).map(|c| c.to_string());
        for (text, iso) in [
            ("US Dollar", "USD"),
            ("us dollar", "USD"),
            (" Euro ", "EUR"),
            ("British Pound", "GBP"),
            ("Pound Sterling", "GBP"),
            ("JAPANESE YEN", "JPY"),
            ("Canadian Dollar", "CAD"),
            ("Australian Dollar", "AUD"),
            ("Swiss Franc", "CHF"),
            ("Indian Rupee", "INR"),
            ("Russian Ruble", "RUB"),
            ("Brazilian Real", "BRL"),
            ("Mexican Peso", "MXN"),
            ("€", "EUR"),
            ("£", "GBP"),
            ("US$", "USD"),
        ] {
            assert_eq!(code(text), Some(iso.to_string()), "{text}");
        }
        assert_eq!(code("$"), None, "a bare dollar sign names no one currency");
        assert_eq!(code("Dollar"), None);
        assert_eq!(code("Monopoly Money"), None);
        assert_eq!(
            money("US Dollar 1,200.50"),
            Ok(("1200.50".into(), Some("USD".into())))
        );
        assert_eq!(
            money("1,200.50 euro"),
            Ok(("1200.50".into(), Some("EUR".into())))
        );
        assert_eq!(
            money("-British Pound 5"),
            Ok(("-5.00".into(), Some("GBP".into())))
        );
        assert_eq!(
            euro("12.500,00 Euros"),
            Ok(("12500.00".into(), Some("EUR".into())))
        );
        assert_eq!(money("1,200.50 Dollarydoos"), Err(NumberError::Invalid));
        assert_eq!(money("Euroland 5"), Err(NumberError::Invalid));
    }
}
