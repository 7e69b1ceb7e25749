//! Dates as CRMs write them.
//!
//! `[input] date_formats` are strftime patterns compiled once into a small matcher (the audit
//! parses millions of dates, and chrono's general parser costs several times more per value);
//! chrono still decides which calendar dates exist. ISO 8601 dates and datetimes are always
//! accepted, and any date may be followed by a time of day, which is read and validated but
//! does not change the date.

use chrono::NaiveDate;

/// A compiled date pattern such as `%m/%d/%Y`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DateFormat {
    pub(crate) source: String,
    items: Vec<Item>,
}

/// One piece of a compiled date format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    Year4,
    Year2,
    Month,
    Day,
    MonthName,
    Hour24,
    Hour12,
    Minute,
    Second,
    Fraction,
    AmPm,
    Offset,
    Space,
    Lit(u8),
}

impl DateFormat {
    /// Compile a strftime pattern. Supported: `%Y %y %m %d %e %b %h %B %H %I %M %S %f %.f %p
    /// %P %z %:z %F %D %T %R %%`, with the `-`, `_` and `0` padding flags (widths are always
    /// lenient: `%m` reads `1` and `01`).
    pub(crate) fn compile(source: &str) -> Result<DateFormat, String> {
        let mut items = Vec::new();
        let bytes = source.as_bytes();
        let mut i = 0;
        let mut has = [false; 3]; // year, month, day
        while i < bytes.len() {
            let b = bytes[i];
            if b != b'%' {
                if b.is_ascii_whitespace() {
                    items.push(Item::Space);
                } else if b.is_ascii() {
                    items.push(Item::Lit(b));
                } else {
                    return Err(format!(
                        "date format `{source}` contains a non-ASCII character; use ASCII separators"
                    ));
                }
                i += 1;
                continue;
            }
            i += 1;
            while i < bytes.len() && matches!(bytes[i], b'-' | b'_' | b'0') {
                i += 1;
            }
            let Some(&spec) = bytes.get(i) else {
                return Err(format!("date format `{source}` ends with a lone `%`"));
            };
            if !spec.is_ascii() {
                let shown = source
                    .get(i..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or('?');
                return Err(format!(
                    "date format `{source}` uses `%{shown}`, which pipelint does not read; \
                     supported: %Y %y %m %d %e %b %B %H %I %M %S %f %p %z %F %D %T %R"
                ));
            }
            i += 1;
            let expand: &[Item] = match spec {
                b'Y' => &[Item::Year4],
                b'y' => &[Item::Year2],
                b'm' => &[Item::Month],
                b'd' | b'e' => &[Item::Day],
                b'b' | b'h' | b'B' => &[Item::MonthName],
                b'H' => &[Item::Hour24],
                b'I' => &[Item::Hour12],
                b'M' => &[Item::Minute],
                b'S' => &[Item::Second],
                b'f' => &[Item::Fraction],
                b'p' | b'P' => &[Item::AmPm],
                b'z' => &[Item::Offset],
                b':' if bytes.get(i) == Some(&b'z') => {
                    i += 1;
                    &[Item::Offset]
                }
                b'.' if bytes.get(i) == Some(&b'f') => {
                    i += 1;
                    &[Item::Lit(b'.'), Item::Fraction]
                }
                b'F' => &[
                    Item::Year4,
                    Item::Lit(b'-'),
                    Item::Month,
                    Item::Lit(b'-'),
                    Item::Day,
                ],
                b'D' => &[
                    Item::Month,
                    Item::Lit(b'/'),
                    Item::Day,
                    Item::Lit(b'/'),
                    Item::Year2,
                ],
                b'T' => &[
                    Item::Hour24,
                    Item::Lit(b':'),
                    Item::Minute,
                    Item::Lit(b':'),
                    Item::Second,
                ],
                b'R' => &[Item::Hour24, Item::Lit(b':'), Item::Minute],
                b'%' => &[Item::Lit(b'%')],
                other => {
                    return Err(format!(
                        "date format `{source}` uses `%{}`, which pipelint does not read; \
                         supported: %Y %y %m %d %e %b %B %H %I %M %S %f %p %z %F %D %T %R",
                        other as char
                    ));
                }
            };
            for item in expand {
                match item {
                    Item::Year4 | Item::Year2 => has[0] = true,
                    Item::Month | Item::MonthName => has[1] = true,
                    Item::Day => has[2] = true,
                    _ => {}
                }
            }
            items.extend_from_slice(expand);
        }
        if has != [true; 3] {
            return Err(format!(
                "date format `{source}` must contain a year (%Y or %y), a month (%m or %b) and a day (%d)"
            ));
        }
        Ok(DateFormat {
            source: source.to_string(),
            items,
        })
    }

    /// The pieces the format reads, in order (the SQL compiler writes them as a pattern).
    pub(crate) fn items(&self) -> &[Item] {
        &self.items
    }

    /// Parse `s` (already trimmed). A time of day may follow the pattern's last item.
    pub(crate) fn parse(&self, s: &str) -> Option<NaiveDate> {
        let b = s.as_bytes();
        let mut pos = 0;
        let (mut year, mut month, mut day) = (None, None, None);
        let mut time = TimeOfDay::default();
        for item in &self.items {
            match *item {
                Item::Year4 => {
                    let (v, n) = digits(&b[pos..], 4, 4)?;
                    year = Some(v as i32);
                    pos += n;
                }
                Item::Year2 => {
                    let (v, n) = digits(&b[pos..], 2, 2)?;
                    year = Some(pivot_two_digit_year(v));
                    pos += n;
                }
                Item::Month => {
                    let (v, n) = digits(&b[pos..], 1, 2)?;
                    month = Some(v);
                    pos += n;
                }
                Item::Day => {
                    // `%e` pads with a space.
                    if b.get(pos) == Some(&b' ') {
                        pos += 1;
                    }
                    let (v, n) = digits(&b[pos..], 1, 2)?;
                    day = Some(v);
                    pos += n;
                }
                Item::MonthName => {
                    let (v, n) = month_name(&b[pos..])?;
                    month = Some(v);
                    pos += n;
                }
                Item::Hour24 => {
                    let (v, n) = digits(&b[pos..], 1, 2)?;
                    time.hour = Some(v);
                    pos += n;
                }
                Item::Hour12 => {
                    let (v, n) = digits(&b[pos..], 1, 2)?;
                    if !(1..=12).contains(&v) {
                        return None;
                    }
                    time.hour12 = Some(v);
                    pos += n;
                }
                Item::Minute => {
                    let (v, n) = digits(&b[pos..], 2, 2)?;
                    time.minute = Some(v);
                    pos += n;
                }
                Item::Second => {
                    let (v, n) = digits(&b[pos..], 2, 2)?;
                    time.second = Some(v);
                    pos += n;
                }
                Item::Fraction => {
                    let (_, n) = digits(&b[pos..], 1, 9)?;
                    pos += n;
                }
                Item::AmPm => {
                    let (pm, n) = am_pm(&b[pos..])?;
                    time.pm = Some(pm);
                    pos += n;
                }
                Item::Offset => pos += offset(&b[pos..])?,
                Item::Space => {
                    let n = b[pos..]
                        .iter()
                        .take_while(|c| c.is_ascii_whitespace())
                        .count();
                    if n == 0 {
                        return None;
                    }
                    pos += n;
                }
                Item::Lit(c) => {
                    if b.get(pos) != Some(&c) {
                        return None;
                    }
                    pos += 1;
                }
            }
        }
        if !time.valid() {
            return None;
        }
        if pos < b.len() && !time_tail(&b[pos..]) {
            return None;
        }
        NaiveDate::from_ymd_opt(year?, month?, day?)
    }
}

#[derive(Default)]
struct TimeOfDay {
    hour: Option<u32>,
    hour12: Option<u32>,
    minute: Option<u32>,
    second: Option<u32>,
    pm: Option<bool>,
}

impl TimeOfDay {
    fn valid(&self) -> bool {
        self.hour.is_none_or(|h| h < 24)
            && self.minute.is_none_or(|m| m < 60)
            && self.second.is_none_or(|s| s <= 60)
    }
}

/// Parse an ISO 8601 date or datetime: `2026-01-31`, `2026-01-31T14:03:00.000+0000`,
/// `2026-01-31 14:03`, `2026-01-31T14:03:00Z`.
pub(crate) fn parse_iso(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, _) = digits(&b[0..4], 4, 4)?;
    let (month, _) = digits(&b[5..7], 2, 2)?;
    let (day, _) = digits(&b[8..10], 2, 2)?;
    if b.len() > 10 && !time_tail(&b[10..]) {
        return None;
    }
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// A time of day after a date: `[ |T]HH:MM[:SS[.fff]][ ][AM|PM][ ][Z|±HH[:MM]|UTC|GMT]`.
fn time_tail(b: &[u8]) -> bool {
    let mut pos = match b.first() {
        Some(b'T') | Some(b't') => 1,
        Some(c) if c.is_ascii_whitespace() => {
            b.iter().take_while(|c| c.is_ascii_whitespace()).count()
        }
        _ => return false,
    };
    let Some((hour, n)) = digits(&b[pos..], 1, 2) else {
        return false;
    };
    pos += n;
    if b.get(pos) != Some(&b':') {
        return false;
    }
    pos += 1;
    let Some((minute, n)) = digits(&b[pos..], 2, 2) else {
        return false;
    };
    pos += n;
    let mut second = 0;
    if b.get(pos) == Some(&b':') {
        let Some((s, n)) = digits(&b[pos + 1..], 2, 2) else {
            return false;
        };
        second = s;
        pos += 1 + n;
        if matches!(b.get(pos), Some(b'.') | Some(b',')) {
            let Some((_, n)) = digits(&b[pos + 1..], 1, 9) else {
                return false;
            };
            pos += 1 + n;
        }
    }
    if minute >= 60 || second > 60 {
        return false;
    }
    pos += b[pos..].iter().take_while(|c| **c == b' ').count();
    if let Some((_, n)) = am_pm(&b[pos..]) {
        if !(1..=12).contains(&hour) {
            return false;
        }
        pos += n;
        pos += b[pos..].iter().take_while(|c| **c == b' ').count();
    } else if hour >= 24 {
        return false;
    }
    if pos < b.len() {
        match offset(&b[pos..]) {
            Some(n) => pos += n,
            None => return false,
        }
    }
    pos == b.len()
}

/// `Z`, `±HH`, `±HHMM`, `±HH:MM`, `UTC`, `GMT`: returns the bytes consumed.
fn offset(b: &[u8]) -> Option<usize> {
    match b.first()? {
        b'Z' | b'z' => Some(1),
        b'+' | b'-' => {
            let (h, n) = digits(&b[1..], 2, 2)?;
            if h > 23 {
                return None;
            }
            let mut pos = 1 + n;
            let colon = b.get(pos) == Some(&b':');
            if colon {
                pos += 1;
            }
            match digits(&b[pos..], 2, 2) {
                Some((m, n)) if m < 60 => Some(pos + n),
                _ if !colon => Some(pos),
                _ => None,
            }
        }
        _ if b.len() >= 3
            && (b[..3].eq_ignore_ascii_case(b"UTC") || b[..3].eq_ignore_ascii_case(b"GMT")) =>
        {
            Some(3)
        }
        _ => None,
    }
}

/// Read between `min` and `max` ASCII digits.
fn digits(b: &[u8], min: usize, max: usize) -> Option<(u32, usize)> {
    let mut value = 0u32;
    let mut n = 0;
    while n < max && n < b.len() && b[n].is_ascii_digit() {
        value = value * 10 + u32::from(b[n] - b'0');
        n += 1;
    }
    (n >= min).then_some((value, n))
}

fn am_pm(b: &[u8]) -> Option<(bool, usize)> {
    let first = b.first()?.to_ascii_uppercase();
    let pm = match first {
        b'A' => false,
        b'P' => true,
        _ => return None,
    };
    match b.get(1).map(u8::to_ascii_uppercase) {
        Some(b'M') => Some((pm, 2)),
        Some(b'.')
            if b.get(2).map(u8::to_ascii_uppercase) == Some(b'M') && b.get(3) == Some(&b'.') =>
        {
            Some((pm, 4))
        }
        _ => None,
    }
}

/// Month names, January first (a three-letter abbreviation is the first three letters).
pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_name(b: &[u8]) -> Option<(u32, usize)> {
    let word = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if word < 3 {
        return None;
    }
    let w = &b[..word];
    for (i, name) in MONTHS.iter().enumerate() {
        let name = name.as_bytes();
        let matches_full = w.eq_ignore_ascii_case(name);
        let matches_abbrev = w.len() == 3 && w.eq_ignore_ascii_case(&name[..3]);
        // "Sept" is common enough to accept.
        let sept = i == 8 && w.eq_ignore_ascii_case(b"sept");
        if matches_full || matches_abbrev || sept {
            let dot = usize::from(b.get(word) == Some(&b'.'));
            return Some((i as u32 + 1, word + dot));
        }
    }
    None
}

/// POSIX rule, as chrono and Excel read `%y`: 69–99 are 1969–1999, 00–68 are 2000–2068.
fn pivot_two_digit_year(yy: u32) -> i32 {
    if yy >= 69 {
        1900 + yy as i32
    } else {
        2000 + yy as i32
    }
}

/// Recently parsed short dates, direct-mapped: an export repeats the same few hundred date
/// strings, and a hit costs one 16-byte compare instead of a parse. One cache per date column
/// per worker; only successful parses are kept.
pub(crate) struct DateCache {
    slots: Box<[(u128, Option<NaiveDate>)]>,
}

impl Default for DateCache {
    fn default() -> Self {
        DateCache {
            slots: vec![(0, None); 1024].into_boxed_slice(),
        }
    }
}

impl DateCache {
    /// A cache that holds nothing (for columns that do not use one).
    pub(crate) fn empty() -> DateCache {
        DateCache {
            slots: Box::new([]),
        }
    }

    /// The cache key of a value up to 15 bytes: its bytes and its length (never 0).
    pub(crate) fn key(s: &str) -> Option<u128> {
        let b = s.as_bytes();
        let len = b.len();
        if len == 0 || len > 15 {
            return None;
        }
        // Dates are 8 to 15 bytes: two overlapping 8-byte loads, the second shifted to keep
        // only bytes 8.., build the same key as the byte copy below without going through
        // memory (a short copy then a wide load stalls store forwarding in the hot loop).
        if let (Some(lo), Some(hi)) = (b.first_chunk::<8>(), b.last_chunk::<8>()) {
            let lo = u64::from_le_bytes(*lo);
            // At 8 bytes there is no tail (and a 64-bit shift would overflow).
            let tail = u64::from_le_bytes(*hi)
                .checked_shr(((16 - len) * 8) as u32)
                .unwrap_or(0);
            return Some(u128::from(lo) | u128::from(tail) << 64 | (len as u128) << 120);
        }
        let mut k = [0u8; 16];
        k[..len].copy_from_slice(b);
        k[15] = len as u8;
        Some(u128::from_le_bytes(k))
    }

    fn index(key: u128) -> usize {
        let mixed = (key as u64 ^ (key >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> 54) as usize
    }

    pub(crate) fn get(&self, key: u128) -> Option<NaiveDate> {
        match self.slots.get(Self::index(key)) {
            Some(&(k, date)) if k == key => date,
            _ => None,
        }
    }

    pub(crate) fn put(&mut self, key: u128, date: NaiveDate) {
        if let Some(slot) = self.slots.get_mut(Self::index(key)) {
            *slot = (key, Some(date));
        }
    }
}

/// Parse with the configured formats in order, then ISO 8601.
pub(crate) fn parse_date(s: &str, formats: &[DateFormat]) -> Option<NaiveDate> {
    formats
        .iter()
        .find_map(|f| f.parse(s))
        .or_else(|| parse_iso(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn iso_dates_and_datetimes() {
        assert_eq!(parse_iso("2026-01-31"), d(2026, 1, 31));
        assert_eq!(parse_iso("2024-01-22T16:14:25.000+0000"), d(2024, 1, 22));
        assert_eq!(parse_iso("2025-11-28 16:14"), d(2025, 11, 28));
        assert_eq!(parse_iso("2023-05-11 00:00:00"), d(2023, 5, 11));
        assert_eq!(parse_iso("2026-01-31T14:03:00Z"), d(2026, 1, 31));
        assert_eq!(parse_iso("2026-01-31T14:03:00+01:00"), d(2026, 1, 31));
        assert_eq!(parse_iso("2026-02-30"), None);
        assert_eq!(parse_iso("2026-01-31x"), None);
        assert_eq!(parse_iso("2026-01-31 25:00"), None);
        assert_eq!(parse_iso("2026-1-31"), None);
    }

    #[test]
    fn configured_formats() {
        let us = DateFormat::compile("%m/%d/%Y").unwrap();
        assert_eq!(us.parse("1/31/2026"), d(2026, 1, 31));
        assert_eq!(us.parse("01/31/2026"), d(2026, 1, 31));
        assert_eq!(us.parse("31/01/2026"), None);
        assert_eq!(us.parse("1/31/2026 2:05 PM"), d(2026, 1, 31));
        assert_eq!(us.parse("1/31/2026 13:05 PM"), None);

        let yy = DateFormat::compile("%m/%d/%y").unwrap();
        assert_eq!(yy.parse("02/03/24"), d(2024, 2, 3));
        assert_eq!(yy.parse("02/23/26 08:55 PM"), d(2026, 2, 23));
        assert_eq!(yy.parse("02/03/99"), d(1999, 2, 3));

        let de = DateFormat::compile("%d.%m.%Y").unwrap();
        assert_eq!(de.parse("31.01.2026"), d(2026, 1, 31));
        let named = DateFormat::compile("%d %b %Y").unwrap();
        assert_eq!(named.parse("3 Sep 2026"), d(2026, 9, 3));
        assert_eq!(named.parse("3 September 2026"), d(2026, 9, 3));
        let with_time = DateFormat::compile("%Y/%m/%d %I:%M %p").unwrap();
        assert_eq!(with_time.parse("2026/01/31 12:00 AM"), d(2026, 1, 31));
    }

    #[test]
    fn crm_date_shapes() {
        let f = |p: &str| DateFormat::compile(p).expect("format");
        // Zoho writes `16 Apr, 2021 00:03:00`.
        let zoho = f("%d %b, %Y");
        assert_eq!(zoho.parse("16 Apr, 2021 00:03:00"), d(2021, 4, 16));
        assert_eq!(zoho.parse("16 Apr, 2021"), d(2021, 4, 16));
        assert_eq!(zoho.parse("02 Sep, 2026 17:45:10"), d(2026, 9, 2));
        assert_eq!(zoho.parse("31 Apr, 2021 00:03:00"), None);
        assert_eq!(zoho.parse("16 Apr, 2021 24:03:00"), None);
        assert_eq!(zoho.parse("16 Apr 2021"), None);
        let us_named = f("%b %d, %Y");
        assert_eq!(us_named.parse("Apr 16, 2021"), d(2021, 4, 16));
        assert_eq!(us_named.parse("April 16, 2021"), d(2021, 4, 16));
        assert_eq!(us_named.parse("Apr 16 2021"), None);
        let dashed = f("%d-%b-%Y");
        assert_eq!(dashed.parse("16-Apr-2021"), d(2021, 4, 16));
        assert_eq!(dashed.parse("16-apr-2021"), d(2021, 4, 16));
        assert_eq!(dashed.parse("16-Apx-2021"), None);
        let slashed = f("%Y/%m/%d");
        assert_eq!(slashed.parse("2021/04/16"), d(2021, 4, 16));
        assert_eq!(slashed.parse("2021/16/04"), None);
        // Dynamics 365 writes `5/20/2024 7:42`: a one-digit hour, no seconds.
        let dynamics = f("%m/%d/%Y");
        assert_eq!(dynamics.parse("5/20/2024 7:42"), d(2024, 5, 20));
        assert_eq!(dynamics.parse("5/20/2024 17:42"), d(2024, 5, 20));
        assert_eq!(dynamics.parse("5/20/2024 7:42 PM"), d(2024, 5, 20));
        assert_eq!(dynamics.parse("5/20/2024 7:4"), None);
        // HubSpot's API writes UTC datetimes with milliseconds.
        assert_eq!(parse_iso("2024-03-01T17:20:11.123Z"), d(2024, 3, 1));
    }

    #[test]
    fn rejects_unsupported_or_incomplete_formats() {
        assert!(DateFormat::compile("%j/%Y").is_err());
        assert!(DateFormat::compile("%m/%Y").is_err());
        assert!(DateFormat::compile("%m/%d/%Y%").is_err());
    }

    #[test]
    fn date_cache_returns_what_was_put() {
        let mut cache = DateCache::default();
        let k = DateCache::key("11/18/2026").unwrap();
        assert_eq!(cache.get(k), None);
        cache.put(k, d(2026, 11, 18).unwrap());
        assert_eq!(cache.get(k), d(2026, 11, 18));
        assert_eq!(cache.get(DateCache::key("11/18/2025").unwrap()), None);
        assert_eq!(DateCache::key("a value longer than fifteen"), None);
    }

    #[test]
    fn date_cache_key_is_the_bytes_and_the_length() {
        // The fast path for 8 to 15 bytes builds exactly the byte-copy key.
        for s in [
            "1/2/2026",
            "11/18/2026",
            "2026-11-18",
            "aaaaaaaaa",
            "aaaaaaaaaa",
            "15 bytes long!!",
        ] {
            let mut k = [0u8; 16];
            k[..s.len()].copy_from_slice(s.as_bytes());
            k[15] = s.len() as u8;
            assert_eq!(DateCache::key(s), Some(u128::from_le_bytes(k)), "{s}");
        }
        assert_ne!(DateCache::key("aaaaaaaaa"), DateCache::key("aaaaaaaaaa"));
        assert_eq!(DateCache::key(""), None);
    }

    #[test]
    fn formats_tried_in_order_then_iso() {
        let formats = vec![
            DateFormat::compile("%d/%m/%Y").unwrap(),
            DateFormat::compile("%m/%d/%Y").unwrap(),
        ];
        assert_eq!(parse_date("02/03/2026", &formats), d(2026, 3, 2));
        assert_eq!(parse_date("02/13/2026", &formats), d(2026, 2, 13));
        assert_eq!(parse_date("2026-02-13", &formats), d(2026, 2, 13));
        assert_eq!(parse_date("soon", &formats), None);
    }
}
