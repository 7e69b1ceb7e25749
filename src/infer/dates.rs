//! Which date format a column is written in, decided from its values.
//!
//! Every candidate pattern is tried on every value; the one that reads the most values wins.
//! Day-first and month-first patterns read the same values until a value has a day above 12
//! (`20-10-2016` is only day-first): when no value tells them apart the verdict says so, and
//! the separator decides (`/` month-first as US exports write it, `-` and `.` day-first).

use crate::values::DateFormat;

/// Candidate patterns, in order of preference on a tie.
pub(crate) const CANDIDATES: [&str; 21] = [
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m/%d/%y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d-%m-%y",
    "%m-%d-%y",
    "%d.%m.%Y",
    "%m.%d.%Y",
    "%d.%m.%y",
    "%Y.%m.%d",
    "%d %b %Y",
    "%d %b, %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%b %d, %Y",
    "%b %d %Y",
    "%d/%b/%Y",
];

/// The patterns, compiled once.
pub(crate) struct Candidates {
    formats: Vec<DateFormat>,
    /// Per candidate: the index of its day/month-swapped partner.
    partner: Vec<Option<usize>>,
}

impl Candidates {
    pub(crate) fn new() -> Candidates {
        let formats: Vec<DateFormat> = CANDIDATES
            .iter()
            .filter_map(|c| DateFormat::compile(c).ok())
            .collect();
        let partner = CANDIDATES
            .iter()
            .map(|c| swapped(c).and_then(|s| CANDIDATES.iter().position(|x| *x == s)))
            .collect();
        Candidates { formats, partner }
    }
}

impl Default for Candidates {
    fn default() -> Self {
        Candidates::new()
    }
}

/// The same pattern with day and month swapped, if it has both as numbers.
pub(crate) fn swapped(format: &str) -> Option<&'static str> {
    let swapped = if format.contains("%d") && format.contains("%m") {
        format
            .replace("%d", "\u{1}")
            .replace("%m", "%d")
            .replace('\u{1}', "%m")
    } else {
        return None;
    };
    CANDIDATES.iter().copied().find(|c| *c == swapped)
}

/// What a column's values say about dates.
#[derive(Clone, Debug, Default)]
pub(crate) struct DateEvidence {
    /// Values looked at (present, not placeholders).
    pub(crate) seen: u64,
    /// Values some candidate reads.
    pub(crate) date_like: u64,
    /// Per candidate: values it reads.
    pub(crate) parsed: [u64; CANDIDATES.len()],
    /// Per candidate: values it reads and its day/month-swapped partner does not.
    pub(crate) only: [u64; CANDIDATES.len()],
    /// Values with a time of day after the date.
    pub(crate) with_time: u64,
    /// A value no candidate reads (the first seen).
    pub(crate) unreadable: Option<String>,
    /// Gave up: the column is plainly not dates.
    pub(crate) abandoned: bool,
}

/// How a column's dates are written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DateVerdict {
    pub(crate) format: &'static str,
    /// Values the format reads, of those looked at.
    pub(crate) parsed: u64,
    pub(crate) seen: u64,
    /// The day/month-swapped pattern reads every value this one does: nothing in the data
    /// tells them apart.
    pub(crate) ambiguous_with: Option<&'static str>,
    /// Values that only the swapped pattern reads (mixed orders in one column).
    pub(crate) contradicting: u64,
    pub(crate) has_time: bool,
}

impl DateEvidence {
    /// Look at one present value (trimmed).
    pub(crate) fn observe(&mut self, value: &str, candidates: &Candidates) {
        if self.abandoned {
            return;
        }
        self.seen += 1;
        let b = value.as_bytes();
        let plausible = b.len() >= 6
            && b.len() <= 40
            && b.iter().filter(|c| c.is_ascii_digit()).count() >= 3
            && b.first().is_some_and(u8::is_ascii_alphanumeric);
        let mut read = [false; CANDIDATES.len()];
        if plausible {
            for (i, f) in candidates.formats.iter().enumerate() {
                read[i] = f.parse(value).is_some();
            }
        }
        let any = read.iter().any(|r| *r);
        for i in 0..CANDIDATES.len() {
            if read[i] {
                self.parsed[i] += 1;
                let partner_reads = candidates.partner[i].is_some_and(|p| read[p]);
                if !partner_reads {
                    self.only[i] += 1;
                }
            }
        }
        if any {
            self.date_like += 1;
            if has_time(value) {
                self.with_time += 1;
            }
        } else if self.unreadable.is_none() {
            self.unreadable = Some(value.to_string());
        }
        // A column whose first hundred values are mostly not dates is not a date column.
        if self.seen == 100 && self.date_like < 50 {
            self.abandoned = true;
        }
    }

    /// The format that reads the most values, when any does.
    pub(crate) fn verdict(&self) -> Option<DateVerdict> {
        if self.abandoned || self.date_like == 0 {
            return None;
        }
        let mut best: Option<usize> = None;
        for i in 0..CANDIDATES.len() {
            if self.parsed[i] > best.map_or(0, |b| self.parsed[b]) {
                best = Some(i);
            }
        }
        let best = best?;
        let format = CANDIDATES[best];
        let other = swapped(format).and_then(|s| CANDIDATES.iter().position(|c| *c == s));
        let (ambiguous_with, contradicting) = match other {
            Some(o) if self.only[best] == 0 && self.only[o] == 0 => (Some(CANDIDATES[o]), 0),
            Some(o) => (None, self.only[o]),
            None => (None, 0),
        };
        Some(DateVerdict {
            format,
            parsed: self.parsed[best],
            seen: self.seen,
            ambiguous_with,
            contradicting,
            has_time: self.with_time > 0,
        })
    }
}

/// Whether a date value carries a time of day (`… 14:03`, `…T14:03:00`).
fn has_time(value: &str) -> bool {
    value.contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(values: &[&str]) -> Option<DateVerdict> {
        let c = Candidates::new();
        let mut e = DateEvidence::default();
        for v in values {
            e.observe(v, &c);
        }
        e.verdict()
    }

    #[test]
    fn iso_and_datetimes() {
        let v = verdict(&["2024-01-22T16:14:25.000+0000", "2023-05-11 00:00:00"]).unwrap();
        assert_eq!(v.format, "%Y-%m-%d");
        assert!(v.has_time);
        assert_eq!(v.ambiguous_with, None);
        let v = verdict(&["2025-11-28 16:14", "2025-12-01 09:00"]).unwrap();
        assert_eq!(v.format, "%Y-%m-%d");
    }

    #[test]
    fn a_day_above_twelve_decides_the_order() {
        let v = verdict(&["01-03-2017", "20-10-2016", "11-03-2017"]).unwrap();
        assert_eq!(v.format, "%d-%m-%Y");
        assert_eq!(v.ambiguous_with, None);
        let v = verdict(&["02/03/24", "03/31/26", "02/23/26 08:55 PM"]).unwrap();
        assert_eq!(v.format, "%m/%d/%y");
        assert!(v.has_time);
        let v = verdict(&["1/31/2026", "2/1/2026"]).unwrap();
        assert_eq!(v.format, "%m/%d/%Y");
        let v = verdict(&["31.01.2026", "01.02.2026"]).unwrap();
        assert_eq!(v.format, "%d.%m.%Y");
    }

    #[test]
    fn undecided_order_is_said() {
        let v = verdict(&["02/03/2024", "05/06/2024"]).unwrap();
        assert_eq!(v.format, "%m/%d/%Y");
        assert_eq!(v.ambiguous_with, Some("%d/%m/%Y"));
        let v = verdict(&["02-03-2024"]).unwrap();
        assert_eq!(v.format, "%d-%m-%Y");
        assert_eq!(v.ambiguous_with, Some("%m-%d-%Y"));
    }

    #[test]
    fn mixed_orders_are_counted() {
        let v = verdict(&["13/01/2026", "14/01/2026", "01/13/2026"]).unwrap();
        assert_eq!(v.format, "%d/%m/%Y");
        assert_eq!(v.parsed, 2);
        assert_eq!(v.contradicting, 1);
    }

    #[test]
    fn text_is_not_a_date() {
        assert_eq!(verdict(&["Acme Corp", "Prospecting"]), None);
        let numbers: Vec<String> = (0..150).map(|i| format!("{}", 1000 + i)).collect();
        let refs: Vec<&str> = numbers.iter().map(String::as_str).collect();
        assert_eq!(verdict(&refs), None);
    }

    #[test]
    fn crm_date_shapes() {
        // Zoho: `16 Apr, 2021 00:03:00`.
        let v = verdict(&["16 Apr, 2021 00:03:00", "02 Sep, 2026 17:45:10"]).unwrap();
        assert_eq!((v.format, v.parsed, v.has_time), ("%d %b, %Y", 2, true));
        let v = verdict(&["Apr 16, 2021", "Sep 2, 2026"]).unwrap();
        assert_eq!((v.format, v.parsed), ("%b %d, %Y", 2));
        let v = verdict(&["16-Apr-2021", "02-Sep-2026"]).unwrap();
        assert_eq!((v.format, v.parsed), ("%d-%b-%Y", 2));
        let v = verdict(&["2021/04/16", "2026/09/02"]).unwrap();
        assert_eq!((v.format, v.ambiguous_with), ("%Y/%m/%d", None));
        // Dynamics 365: `5/20/2024 7:42`, a one-digit hour.
        let v = verdict(&["5/20/2024 7:42", "11/3/2026 16:05"]).unwrap();
        assert_eq!((v.format, v.parsed, v.has_time), ("%m/%d/%Y", 2, true));
        assert_eq!(v.ambiguous_with, None);
    }

    #[test]
    fn swapped_patterns() {
        assert_eq!(swapped("%m/%d/%Y"), Some("%d/%m/%Y"));
        assert_eq!(swapped("%d.%m.%y"), None);
        assert_eq!(swapped("%Y-%m-%d"), None);
    }
}
