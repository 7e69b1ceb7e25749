//! The registry of check codes: one line per code with its slug, default severity and
//! one-line summary. Codes are stable and never reused. What each check does, its
//! explanation and the wording of its findings live beside the check, in its family file
//! under `checks/`, which registers them with the code (see `checks::registry`).

use std::fmt;
use std::str::FromStr;

use super::Severity;

macro_rules! codes {
    ($($variant:ident => $code:literal, $slug:literal, $severity:ident, $summary:literal;)*) => {
        /// A stable check code, such as `REQ002`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $(#[doc = $summary] $variant),* }

        impl Code {
            /// Every code, in the order findings sort by (which is the codes' text order).
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as written: `REQ002`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            /// A short kebab-case name, e.g. `missing-required-field`.
            pub fn slug(self) -> &'static str {
                match self { $(Code::$variant => $slug),* }
            }

            /// The severity a finding has unless the rules give one.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity),* }
            }

            /// One line saying what the check finds.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary),* }
            }
        }
    };
}

codes! {
    Chg001 => "CHG001", "close-date-pushed", Warning, "close date pushed out since the previous snapshot";
    Chg002 => "CHG002", "stage-moved-back", Warning, "stage moved backwards since the previous snapshot";
    Chg003 => "CHG003", "amount-cut", Warning, "amount cut by more than [changes] amount_cut_pct (default 20%) since the previous snapshot";
    Chg004 => "CHG004", "deal-vanished", Warning, "open deal vanished from the export without closing";
    Chg005 => "CHG005", "deal-reopened", Warning, "closed deal reopened";
    Dup001 => "DUP001", "duplicate-record-id", Error, "record id appears more than once";
    Dup002 => "DUP002", "probable-duplicate-deal", Warning, "probable duplicate deal (same account and normalised name, both open)";
    Hyg001 => "HYG001", "close-date-in-past", Warning, "open deal whose close date is in the past";
    Hyg002 => "HYG002", "no-recent-activity", Warning, "open deal with no activity for more than stale_days (or none recorded)";
    Hyg003 => "HYG003", "stuck-in-stage", Warning, "open deal in its stage longer than the stage's max_days";
    Hyg004 => "HYG004", "probability-off-stage", Warning, "probability inconsistent with the stage's expected probability";
    Hyg005 => "HYG005", "forecast-category-not-allowed", Warning, "forecast category not allowed for the stage (e.g. Commit in Prospecting)";
    Hyg006 => "HYG006", "won-without-amount", Error, "won deal without a positive amount";
    Hyg007 => "HYG007", "closes-before-created", Error, "close date before created date";
    Hyg008 => "HYG008", "close-date-too-far", Warning, "open deal closing implausibly far out (default more than 365 days)";
    Hyg009 => "HYG009", "serial-slippage", Warning, "serial slippage: close date pushed serial_pushes times or push_alarm_days days in all";
    Hyg010 => "HYG010", "next-step-stale-or-filler", Warning, "next step expired (its date is before as-of) or says nothing (filler such as \"follow up\", \"tbd\")";
    Hyg011 => "HYG011", "won-closing-in-future", Warning, "won deal with a close date in the future";
    Hyg012 => "HYG012", "open-without-close-date", Warning, "open deal without a close date";
    In001 => "IN001", "mapped-column-missing", Error, "a mapped column is missing from the header (fatal, exit 2)";
    In002 => "IN002", "malformed-row", Error, "a row has a different number of fields than the header";
    In003 => "IN003", "not-utf8", Info, "text was not UTF-8 and was decoded as the legacy encoding detected (named in the finding; a warning when the guess is not confident)";
    In004 => "IN004", "footer-skipped", Info, "rows that hold no deal were skipped: report footers and summary rows (e.g. Salesforce \"Grand Totals\", copyright lines), rows of bare delimiters, unlabelled totals rows";
    In005 => "IN005", "duplicate-header", Warning, "duplicate header name";
    In006 => "IN006", "malformed-quoting", Warning, "malformed quoting (a quote inside an unquoted value, text after a closing quote): the value is kept as read";
    In007 => "IN007", "no-header-row", Error, "the first row looks like a deal, not a header (a database dump): fatal, exit 2, unless [input] header names the columns";
    In008 => "IN008", "database-dump", Info, "read as a database dump: \\N as empty, quotes escaped with a backslash (\\\")";
    In009 => "IN009", "history-not-deals", Error, "history rows, not one row per deal (ids repeating on most rows): fatal, exit 2";
    In010 => "IN010", "column-empty-everywhere", Warning, "a mapped column is empty on every row: its checks and signals are not evaluated";
    In011 => "IN011", "load-timestamp", Warning, "a date column holds one value on 90% of rows or more (a load time): checks that compare with it are not evaluated";
    In012 => "IN012", "close-date-is-created-date", Warning, "close date equals created date on most open deals (dates filled by an import)";
    In013 => "IN013", "as-of-far-from-data", Warning, "as-of defaulted to today, far after the newest date in the export";
    In014 => "IN014", "owner-ids-not-names", Info, "the owner column holds user ids, not names (map them with [input] owners)";
    Req001 => "REQ001", "missing-required-field", Error, "a required field is missing (empty or placeholder)";
    Req002 => "REQ002", "stage-exit-criteria-unmet", Error, "stage exit criteria unmet: a field the deal's stage requires is missing";
    Req003 => "REQ003", "conditional-requirement-unmet", Error, "a conditional rule's required field is missing";
    Rul001 => "RUL001", "conditional-value-test-failed", Warning, "a conditional rule's then test fails (e.g. amount ≥ 100,000 but fewer than 2 contacts)";
    Val001 => "VAL001", "unparseable-date", Error, "date could not be parsed";
    Val002 => "VAL002", "unparseable-number", Error, "number / money / percent could not be parsed";
    Val003 => "VAL003", "value-not-allowed", Error, "value not among the allowed values";
    Val004 => "VAL004", "pattern-mismatch", Error, "value does not match the pattern";
    Val005 => "VAL005", "value-out-of-range", Error, "value out of range";
    Val006 => "VAL006", "unknown-stage", Error, "unknown stage";
    Val007 => "VAL007", "placeholder-date", Warning, "a placeholder date (year 2100 or later, 1900-01-01, 1970-01-01): read as missing";
}

impl Code {
    /// Whether the code compares two snapshots (CHG001–CHG005): it needs a previous one to
    /// be checked at all.
    pub(crate) fn needs_previous(self) -> bool {
        matches!(
            self,
            Code::Chg001 | Code::Chg002 | Code::Chg003 | Code::Chg004 | Code::Chg005
        )
    }

    /// Whether `[checks]`, `--select` and `--ignore` may switch this code off. IN001 is the
    /// audit failing to start, not a finding, so it cannot be.
    pub(crate) fn can_disable(self) -> bool {
        !matches!(self, Code::In001 | Code::In007 | Code::In009)
    }

    /// The code written exactly as [`Code::as_str`] writes it (as the history stores it),
    /// without the case folding and suggestions of parsing what a user typed.
    pub(crate) fn exact(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    pub(crate) fn names() -> impl Iterator<Item = &'static str> {
        Code::ALL.iter().map(|c| c.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Code {
    type Err = String;
    fn from_str(s: &str) -> Result<Code, String> {
        let upper = s.trim().to_ascii_uppercase();
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == upper)
            .ok_or_else(|| {
                format!(
                    "unknown check code `{s}`{}",
                    crate::suggest::hint_then(
                        &upper,
                        Code::names(),
                        "`pipelint rules list` shows them all"
                    )
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_sorted() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert!(seen.insert(code.slug()), "duplicate slug {}", code.slug());
            assert_eq!(code.as_str().parse::<Code>(), Ok(*code));
            // Settings are indexed by `code as usize`.
            assert_eq!(Code::ALL[*code as usize], *code);
        }
        // Findings sort by `Code`, which must order like the codes' text.
        for pair in Code::ALL.windows(2) {
            assert!(
                pair[0].as_str() < pair[1].as_str(),
                "{} before {}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn unknown_code_suggests() {
        let err = "REQ01".parse::<Code>().unwrap_err();
        assert!(err.contains("did you mean"), "{err}");
    }
}
