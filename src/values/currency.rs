//! Currencies as exports write them: ISO 4217 codes, symbols and English names, all read
//! as one packed code ([`Currency`]); anything else is no currency.

use std::fmt;

/// An ISO 4217 code, upper case, packed big-endian into a `u32` so that it is 4 aligned
/// bytes (values carrying it move through registers, not byte copies) and orders
/// alphabetically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Currency(std::num::NonZeroU32);

impl Currency {
    /// A currency as a currency column or a rules file names it: an ISO 4217 code (`usd`,
    /// `EUR`), a symbol that names one currency (`€`, `US$`; a bare `$` does not), or a
    /// currency's English name (`US Dollar`, `Pound Sterling`), ignoring case. Three
    /// letters that are not an ISO 4217 code (`OPP`) are not a currency.
    pub(crate) fn parse(text: &str) -> Option<Currency> {
        let t = text.trim();
        let b = t.as_bytes();
        if b.len() == 3 && b.iter().all(u8::is_ascii_alphabetic) {
            return Currency::iso([
                b[0].to_ascii_uppercase(),
                b[1].to_ascii_uppercase(),
                b[2].to_ascii_uppercase(),
            ]);
        }
        if let Some((_, code)) = SYMBOLS.iter().find(|(s, code)| *s == t && !code.is_empty()) {
            return Currency::parse(code);
        }
        let name = CURRENCY_NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(t))?;
        Currency::parse(name.1)
    }

    /// The currency of an ISO 4217 code in upper case, if it is one.
    fn iso(code: [u8; 3]) -> Option<Currency> {
        ISO_4217
            .binary_search(&code)
            .ok()
            .and_then(|_| Currency::from_bytes(code))
    }

    fn from_bytes(code: [u8; 3]) -> Option<Currency> {
        std::num::NonZeroU32::new(u32::from_be_bytes([0, code[0], code[1], code[2]])).map(Currency)
    }

    pub(crate) fn code(self) -> [u8; 3] {
        let [_, a, b, c] = self.0.get().to_be_bytes();
        [a, b, c]
    }
}

/// ISO 4217 currency codes: those in use (funds codes included) and a few lately withdrawn
/// that older exports still carry (`HRK`, `SLL`, `ZWL`), sorted for binary search. A const
/// list rather than a crate: pipelint needs only "is this a code", and the list changes a
/// few times a decade.
pub(crate) const ISO_4217: &[[u8; 3]] = &[
    *b"AED", *b"AFN", *b"ALL", *b"AMD", *b"ANG", *b"AOA", *b"ARS", *b"AUD", *b"AWG", *b"AZN",
    *b"BAM", *b"BBD", *b"BDT", *b"BGN", *b"BHD", *b"BIF", *b"BMD", *b"BND", *b"BOB", *b"BOV",
    *b"BRL", *b"BSD", *b"BTN", *b"BWP", *b"BYN", *b"BZD", *b"CAD", *b"CDF", *b"CHE", *b"CHF",
    *b"CHW", *b"CLF", *b"CLP", *b"CNY", *b"COP", *b"COU", *b"CRC", *b"CUC", *b"CUP", *b"CVE",
    *b"CZK", *b"DJF", *b"DKK", *b"DOP", *b"DZD", *b"EGP", *b"ERN", *b"ETB", *b"EUR", *b"FJD",
    *b"FKP", *b"GBP", *b"GEL", *b"GHS", *b"GIP", *b"GMD", *b"GNF", *b"GTQ", *b"GYD", *b"HKD",
    *b"HNL", *b"HRK", *b"HTG", *b"HUF", *b"IDR", *b"ILS", *b"INR", *b"IQD", *b"IRR", *b"ISK",
    *b"JMD", *b"JOD", *b"JPY", *b"KES", *b"KGS", *b"KHR", *b"KMF", *b"KPW", *b"KRW", *b"KWD",
    *b"KYD", *b"KZT", *b"LAK", *b"LBP", *b"LKR", *b"LRD", *b"LSL", *b"LYD", *b"MAD", *b"MDL",
    *b"MGA", *b"MKD", *b"MMK", *b"MNT", *b"MOP", *b"MRU", *b"MUR", *b"MVR", *b"MWK", *b"MXN",
    *b"MXV", *b"MYR", *b"MZN", *b"NAD", *b"NGN", *b"NIO", *b"NOK", *b"NPR", *b"NZD", *b"OMR",
    *b"PAB", *b"PEN", *b"PGK", *b"PHP", *b"PKR", *b"PLN", *b"PYG", *b"QAR", *b"RON", *b"RSD",
    *b"RUB", *b"RWF", *b"SAR", *b"SBD", *b"SCR", *b"SDG", *b"SEK", *b"SGD", *b"SHP", *b"SLE",
    *b"SLL", *b"SOS", *b"SRD", *b"SSP", *b"STN", *b"SVC", *b"SYP", *b"SZL", *b"THB", *b"TJS",
    *b"TMT", *b"TND", *b"TOP", *b"TRY", *b"TTD", *b"TWD", *b"TZS", *b"UAH", *b"UGX", *b"USD",
    *b"USN", *b"UYI", *b"UYU", *b"UYW", *b"UZS", *b"VED", *b"VES", *b"VND", *b"VUV", *b"WST",
    *b"XAF", *b"XCD", *b"XCG", *b"XDR", *b"XOF", *b"XPF", *b"YER", *b"ZAR", *b"ZMW", *b"ZWG",
    *b"ZWL",
];

/// English currency names as CRMs write them in a currency column (Dynamics 365 writes
/// `US Dollar`, `Euro`) or around an amount, and their codes. Matched ignoring case.
pub(crate) const CURRENCY_NAMES: &[(&str, &str)] = &[
    ("US Dollar", "USD"),
    ("U.S. Dollar", "USD"),
    ("United States Dollar", "USD"),
    ("US Dollars", "USD"),
    ("Euro", "EUR"),
    ("Euros", "EUR"),
    ("British Pound", "GBP"),
    ("British Pound Sterling", "GBP"),
    ("Pound Sterling", "GBP"),
    ("Pounds Sterling", "GBP"),
    ("Japanese Yen", "JPY"),
    ("Canadian Dollar", "CAD"),
    ("Australian Dollar", "AUD"),
    ("New Zealand Dollar", "NZD"),
    ("Hong Kong Dollar", "HKD"),
    ("Singapore Dollar", "SGD"),
    ("New Taiwan Dollar", "TWD"),
    ("Taiwan Dollar", "TWD"),
    ("Swiss Franc", "CHF"),
    ("Indian Rupee", "INR"),
    ("Pakistani Rupee", "PKR"),
    ("Sri Lankan Rupee", "LKR"),
    ("Indonesian Rupiah", "IDR"),
    ("Russian Ruble", "RUB"),
    ("Russian Rouble", "RUB"),
    ("Brazilian Real", "BRL"),
    ("Mexican Peso", "MXN"),
    ("Colombian Peso", "COP"),
    ("Chilean Peso", "CLP"),
    ("Argentine Peso", "ARS"),
    ("Philippine Peso", "PHP"),
    ("Peruvian Sol", "PEN"),
    ("Peruvian Nuevo Sol", "PEN"),
    ("Chinese Yuan", "CNY"),
    ("Chinese Yuan Renminbi", "CNY"),
    ("Yuan Renminbi", "CNY"),
    ("Renminbi", "CNY"),
    ("South Korean Won", "KRW"),
    ("Korean Won", "KRW"),
    ("Swedish Krona", "SEK"),
    ("Norwegian Krone", "NOK"),
    ("Danish Krone", "DKK"),
    ("Icelandic Krona", "ISK"),
    ("Polish Zloty", "PLN"),
    ("Czech Koruna", "CZK"),
    ("Hungarian Forint", "HUF"),
    ("Romanian Leu", "RON"),
    ("Bulgarian Lev", "BGN"),
    ("Ukrainian Hryvnia", "UAH"),
    ("Turkish Lira", "TRY"),
    ("Israeli New Shekel", "ILS"),
    ("New Israeli Sheqel", "ILS"),
    ("Israeli Shekel", "ILS"),
    ("South African Rand", "ZAR"),
    ("Nigerian Naira", "NGN"),
    ("Kenyan Shilling", "KES"),
    ("Egyptian Pound", "EGP"),
    ("Moroccan Dirham", "MAD"),
    ("UAE Dirham", "AED"),
    ("United Arab Emirates Dirham", "AED"),
    ("Saudi Riyal", "SAR"),
    ("Saudi Arabian Riyal", "SAR"),
    ("Qatari Riyal", "QAR"),
    ("Kuwaiti Dinar", "KWD"),
    ("Bahraini Dinar", "BHD"),
    ("Omani Rial", "OMR"),
    ("Thai Baht", "THB"),
    ("Malaysian Ringgit", "MYR"),
    ("Vietnamese Dong", "VND"),
    ("Bangladeshi Taka", "BDT"),
    ("Uruguayan Peso", "UYU"),
    ("Dominican Peso", "DOP"),
];

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.code() {
            write!(f, "{}", b as char)?;
        }
        Ok(())
    }
}

/// Symbols and the currency they stand for. `$` alone is `[input] currency` when that is
/// set, else USD.
pub(crate) const SYMBOLS: [(&str, &str); 17] = [
    ("US$", "USD"),
    ("CA$", "CAD"),
    ("AU$", "AUD"),
    ("NZ$", "NZD"),
    ("HK$", "HKD"),
    ("R$", "BRL"),
    ("C$", "CAD"),
    ("A$", "AUD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("₹", "INR"),
    ("₩", "KRW"),
    ("₽", "RUB"),
    ("₺", "TRY"),
    ("₪", "ILS"),
    ("$", ""),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_iso_4217_codes_are_currencies() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]), "sorted, unique");
        assert!(ISO_4217.len() > 170);
        for code in ["USD", "eur", "MXN", "PEN", "COP", "chf", "XOF", "ZWG"] {
            assert!(Currency::parse(code).is_some(), "{code}");
        }
        for code in ["OPP", "ABC", "XXX", "US", "USDD", "", "DEM"] {
            assert_eq!(Currency::parse(code), None, "{code}");
        }
        for (_, code) in CURRENCY_NAMES {
            assert!(Currency::parse(code).is_some(), "{code} named but not ISO");
        }
    }
}

/// An amount of money in one currency, as an exact decimal string: how every report and
/// figure (health, history) states money.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct Amount {
    /// ISO 4217 code; `None` when the export names none.
    pub currency: Option<String>,
    pub amount: String,
}
