//! The registry of check codes: one place owns every code, its default severity, its
//! one-line summary and its long explanation (served by `pipelint explain` and `rules list`).
//! Codes are stable and never reused.

use std::fmt;
use std::str::FromStr;

use super::Severity;

macro_rules! codes {
    ($($variant:ident => $code:literal, $slug:literal, $severity:ident, $summary:literal;)*) => {
        /// A stable check code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant),* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            /// A short kebab-case name, e.g. `missing-required-field`.
            pub fn slug(self) -> &'static str {
                match self { $(Code::$variant => $slug),* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity),* }
            }

            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary),* }
            }
        }
    };
}

codes! {
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
    In001 => "IN001", "mapped-column-missing", Error, "a mapped column is missing from the header (fatal, exit 2)";
    In002 => "IN002", "malformed-row", Error, "a row has a different number of fields than the header";
    In003 => "IN003", "not-utf8", Info, "text was not UTF-8 and was decoded as Windows-1252";
    In004 => "IN004", "footer-skipped", Info, "report footer / summary rows were skipped (e.g. Salesforce \"Grand Totals\", copyright lines)";
    In005 => "IN005", "duplicate-header", Warning, "duplicate header name";
    Req001 => "REQ001", "missing-required-field", Error, "a required field is missing (empty or placeholder)";
    Req002 => "REQ002", "stage-exit-criteria-unmet", Error, "stage exit criteria unmet: a field the deal's stage requires is missing";
    Req003 => "REQ003", "conditional-requirement-unmet", Error, "a conditional rule's required field is missing";
    Val001 => "VAL001", "unparseable-date", Error, "date could not be parsed";
    Val002 => "VAL002", "unparseable-number", Error, "number / money / percent could not be parsed";
    Val003 => "VAL003", "value-not-allowed", Error, "value not among the allowed values";
    Val004 => "VAL004", "pattern-mismatch", Error, "value does not match the pattern";
    Val005 => "VAL005", "value-out-of-range", Error, "value out of range";
    Val006 => "VAL006", "unknown-stage", Error, "unknown stage";
}

/// The headings every explanation has, in order.
pub const EXPLANATION_HEADINGS: [&str; 5] = [
    "What it checks",
    "Why it matters",
    "Example",
    "How to fix",
    "Configuration",
];

impl Code {
    /// The long explanation, with the fixed [`EXPLANATION_HEADINGS`].
    pub fn explanation(self) -> &'static str {
        match self {
            Code::In001 => IN001,
            Code::In002 => IN002,
            Code::In003 => IN003,
            Code::In004 => IN004,
            Code::In005 => IN005,
            Code::Req001 => REQ001,
            Code::Req002 => REQ002,
            Code::Req003 => REQ003,
            Code::Val001 => VAL001,
            Code::Val002 => VAL002,
            Code::Val003 => VAL003,
            Code::Val004 => VAL004,
            Code::Val005 => VAL005,
            Code::Val006 => VAL006,
            Code::Dup001 => DUP001,
            Code::Dup002 => DUP002,
            Code::Hyg001 => HYG001,
            Code::Hyg002 => HYG002,
            Code::Hyg003 => HYG003,
            Code::Hyg004 => HYG004,
            Code::Hyg005 => HYG005,
            Code::Hyg006 => HYG006,
            Code::Hyg007 => HYG007,
            Code::Hyg008 => HYG008,
        }
    }

    /// Whether `[checks]`, `--select` and `--ignore` may switch this code off. IN001 is the
    /// audit failing to start, not a finding, so it cannot be.
    pub fn can_disable(self) -> bool {
        self != Code::In001
    }

    pub fn names() -> impl Iterator<Item = &'static str> {
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

const IN001: &str = "\
What it checks
  Every column the rules rely on is present in the export's header: a column named in the
  rules file's [columns], or a field the rules file names (in [fields], a stage's `requires`
  or a rule) that maps to a header.

Why it matters
  A renamed or dropped column would silently turn every check on it into a pass. pipelint
  refuses to audit instead: exit code 2, no report.

Example
  [columns] next_step = \"Next Step\" but the export's header says \"NextStep\":
    error: export.csv: mapped column missing: next_step (\"Next Step\"); closest headers: NextStep, Stage

How to fix
  Point [columns] at the header as the export spells it (case does not matter), or re-export
  with the column included. Columns that only a built-in preset maps are optional: when they
  are absent, the checks on them are skipped and the report says so.

Configuration
  None: a missing mapped column always stops the audit.";

const IN002: &str = "\
What it checks
  Every row has as many fields as the header.

Why it matters
  A row with too many or too few fields has shifted columns: its amount may be its close date.
  It is reported and left out of scores and deals; the rows around it are audited normally.

Example
  Header with 8 columns, line 14 has 9 fields (an unquoted comma in a name):
    IN002 line 14: row has 9 fields, the header has 8; the row is left out of scores

How to fix
  Quote values that contain the delimiter, or re-export the file. Check that the delimiter is
  the one the file uses.

Configuration
  [checks] IN002 = \"warning\" | \"info\" | \"off\"";

const IN003: &str = "\
What it checks
  Whether the export's text is UTF-8. Rows that are not (Excel re-saves, older CRM exports in
  ISO-8859-1 or Windows-1252) are read as Windows-1252, which maps every byte to a character,
  so accented names and currency signs come out right and nothing is lost. Reported once per
  file, at the first such line. UTF-16 files with a byte order mark are decoded as UTF-16 and
  are not IN003.

Why it matters
  It tells you the file was read with a guess: if the text was in another single-byte
  encoding (Cyrillic, Greek), names would be wrong.

Example
  A Salesforce dump with \"Negociaci\\xf3n\" on line 12:
    IN003 line 12: text is not UTF-8 from line 12 on; read as Windows-1252

How to fix
  Nothing, if the names read right. Otherwise export the file as UTF-8.

Configuration
  [checks] IN003 = \"warning\" | \"off\".";

const IN004: &str = "\
What it checks
  Rows that are not deals but report furniture, which are skipped: a Salesforce report's
  footer (after the data, a blank line, the report name, \"Copyright (c) 2000-2026
  salesforce.com, inc. All rights reserved.\", \"Confidential Information - Do Not
  Distribute\", \"Generated By: …\" and the company name), and \"Total\" / \"Grand Totals\" /
  \"Subtotal\" rows of formatted exports. One finding per file, with the count.

Why it matters
  Read as deals, footer lines would be malformed rows and total rows would double the pipeline.

Example
    IN004 line 214: skipped 5 report footer and summary rows (first at line 214)

How to fix
  Nothing to fix. A row is skipped only if it cannot be a deal: short one-line rows at the end
  of the file among which one starts with a footer marker (Copyright, ©, Confidential
  Information, Generated By:), or a row whose first filled cell says Total, Subtotal or Grand
  Totals, with at most half of its cells filled and no id of its own. A quote left open that
  runs into the footer makes a malformed row (IN002), never a skipped one.

Configuration
  [checks] IN004 = \"off\" hides the finding (the rows are still skipped).";

const IN005: &str = "\
What it checks
  No two header cells have the same name (compared after trimming, ignoring case).

Why it matters
  When `Amount` appears twice, a mapping to `Amount` is ambiguous. pipelint reads the first
  one and tells you which it used.

Example
  Header: Id,Name,Amount,Stage,Amount
    IN005 line 1 field Amount: header `Amount` appears in columns 3 and 5; pipelint reads column 3

How to fix
  Rename or remove one of the columns in the export, then map the one you mean in [columns].

Configuration
  [checks] IN005 = \"error\" | \"info\" | \"off\"";

const REQ001: &str = "\
What it checks
  A field marked `required = true` in [fields] is filled on every record. Empty cells and
  placeholders from `[input] empty_values` (\"N/A\", \"TBD\", \"-\", …) count as missing.

Why it matters
  Required fields are your data standard: a deal without a close date or amount cannot be
  forecast, routed or reported on.

Example
  [fields] close_date = { type = \"date\", required = true }
    REQ001 line 7 field close_date: required field close_date is empty

How to fix
  Fill the field in the CRM. If the field is only needed later in the pipeline, require it in
  the stages that need it instead (a stage's `requires`).

Configuration
  [fields] <field> = { required = true, severity = \"warning\", weight = 3 }
  [checks] REQ001 = \"warning\" | \"off\". When several requirements name the same missing field,
  one finding is reported under the most specific code (REQ003, then REQ002, then REQ001).";

const REQ002: &str = "\
What it checks
  Stage exit criteria: every field listed in the deal's stage `requires` is filled. A deal
  may only sit in a stage once what that stage demands is true.

Why it matters
  \"Proposal sent\" without an amount, or \"Negotiation\" without a decision maker, is a deal
  that skipped a step: the forecast counts it at a probability it has not earned.

Example
  [[stages]] name = \"Proposal/Price Quote\", requires = [\"amount\", \"next_step\"]
    REQ002 line 12 field next_step: stage `Proposal/Price Quote` requires next_step, which is empty

How to fix
  Fill the field, or move the deal back to the stage it has really reached.

Configuration
  [[stages]] requires = [...] and severity = \"warning\" per stage; [checks] REQ002 = ... .";

const REQ003: &str = "\
What it checks
  Conditional requirements: when a [[rules]] entry's `when` holds for a deal, every field in
  its `requires` is filled.

Why it matters
  Some standards only apply to some deals: six-figure deals need an executive sponsor,
  partner-sourced deals need the partner.

Example
  [[rules]] id = \"big-deal-sponsor\", when = { field = \"amount\", gte = 100000 },
  requires = [\"Executive Sponsor\"]
    REQ003 line 9 field Executive Sponsor: Deals of 100k or more need an executive sponsor
    (rule big-deal-sponsor): Executive Sponsor is empty

How to fix
  Fill the field, or correct the value that made the rule apply.

Configuration
  [[rules]] id, when (eq, in, not_in, gt, gte, lt, lte, empty, not_empty; a list of
  conditions must all hold), requires, severity, message; [checks] REQ003 = ... .";

const VAL001: &str = "\
What it checks
  Date fields (close_date, created_date, last_activity, stage_changed and any [fields] entry of
  type \"date\") parse with one of `[input] date_formats` or as ISO 8601 (2026-01-31,
  2026-01-31T14:03:00Z, 2026-01-31 14:03). A time after the date is accepted.

Why it matters
  An unreadable close date cannot be checked for being overdue, and it drops out of every
  forecast that filters by quarter.

Example
  close_date = \"31/02/2026\" with date_formats = [\"%d/%m/%Y\"]:
    VAL001 line 4 field close_date: `31/02/2026` is not a valid date (expected %d/%m/%Y or ISO 8601)

How to fix
  Correct the value, or add the export's format to `[input] date_formats`.

Configuration
  [input] date_formats = [\"%m/%d/%Y\", \"%d.%m.%Y\"] (strftime: %Y %y %m %d %e %b %B %H %I %M %S %p);
  [checks] VAL001 = ... .";

const VAL002: &str = "\
What it checks
  Money, number and percent fields parse. Money may carry a currency symbol or ISO code and
  thousands separators (`$120,000`, `USD 45,000.00`, `(1,200.00)` for negatives); the decimal
  separator is `[input] decimal`. Thousands groups must have three digits, so `12,50` with
  decimal \".\" is rejected rather than read as 1250. Money keeps up to 4 decimal places exactly.

Why it matters
  Amounts feed every pipeline total; a value that cannot be read is a hole in the forecast.

Example
  amount = \"12k\":
    VAL002 line 5 field amount: `12k` is not a valid amount

How to fix
  Correct the value; for European exports set `[input] decimal = \",\"`.

Configuration
  [input] decimal, currency; [fields] <field> = { type = \"money\" | \"number\" | \"percent\",
  fraction = true }; [checks] VAL002 = ... .";

const VAL003: &str = "\
What it checks
  Fields of type \"enum\" (or any field with `values`) hold one of the allowed values,
  compared ignoring case and surrounding spaces.

Why it matters
  Free-text variants (\"web\", \"Website\", \"Web form\") split every report grouped by the field.

Example
  \"Lead Source\" = { type = \"enum\", values = [\"Web\", \"Partner\", \"Outbound\"] }
    VAL003 line 3 field Lead Source: `Webinar` is not an allowed value (Web, Partner, Outbound)

How to fix
  Use one of the allowed values, or add the value to `values` if it is legitimate.

Configuration
  [fields] <field> = { values = [...], severity = ... }; [checks] VAL003 = ... .";

const VAL004: &str = "\
What it checks
  Fields with a `pattern` match the regular expression in full.

Why it matters
  Ids, emails, territory codes and PO numbers follow formats that downstream systems rely on.

Example
  id = { pattern = \"006[A-Za-z0-9]{12,15}\" }
    VAL004 line 8 field id: `A-17` does not match the pattern 006[A-Za-z0-9]{12,15}

How to fix
  Correct the value, or relax the pattern.

Configuration
  [fields] <field> = { pattern = \"…\" } (Rust regex syntax, matched against the whole value).";

const VAL005: &str = "\
What it checks
  Numeric, money, percent and date fields lie within `min` and `max` (inclusive). Percent
  fields are also checked to lie in 0–100.

Why it matters
  A negative amount, a 250% probability or a close date in 1900 is a typo that distorts totals.

Example
  amount = { type = \"money\", min = 0 }
    VAL005 line 6 field amount: -500.00 is below the minimum 0

How to fix
  Correct the value, or adjust the bounds.

Configuration
  [fields] <field> = { min = 0, max = 1000000 } (dates: min = \"2020-01-01\").";

const VAL006: &str = "\
What it checks
  The stage is one of the rules' [[stages]], matched by name or alias, ignoring case.

Why it matters
  A deal in an unknown stage cannot be judged against exit criteria, counted as open or closed,
  or scored for risk. Renamed stages and new pipelines show up here first.

Example
  Stages Prospecting, Qualification, … and a deal in \"Qualifcation\":
    VAL006 line 11 field stage: unknown stage `Qualifcation`; did you mean `Qualification`?

How to fix
  Correct the stage, or add it (or an alias) to [[stages]] in pipeline order.

Configuration
  [[stages]] name, aliases; [checks] VAL006 = ... .";

const DUP001: &str = "\
What it checks
  Record ids are unique across the audited files (compared exactly, after trimming).

Why it matters
  A duplicated id double-counts pipeline and usually means two exports were concatenated or a
  sync ran twice.

Example
  Line 40 repeats the id of line 12:
    DUP001 line 40 field id: id `0061x00000AbCdE` already appears on line 12

How to fix
  Remove the duplicate rows or re-export. The finding is on the later record; the first
  occurrence is named.

Configuration
  [columns] id = \"…\"; [checks] DUP001 = ... .";

const DUP002: &str = "\
What it checks
  Two open deals with the same account and the same name once case, punctuation and spacing
  are folded (\"Acme - Renewal 2027\" and \"ACME renewal, 2027\").

Why it matters
  A deal entered twice doubles its amount in the forecast, and two reps may be working it.

Example
  Line 12 \"Globex — Expansion\" and line 31 \"globex expansion\", both open, account Globex:
    DUP002 line 31 field name: probably the same deal as line 12 (Globex: \"Globex — Expansion\");
    merge them or close one

How to fix
  Merge the two opportunities in the CRM, or rename one if they are really different.

Configuration
  Only open deals with an account are compared. [checks] DUP002 = \"error\" | \"off\".";

const HYG001: &str = "\
What it checks
  An open deal (its stage has no outcome) whose close date is before the as-of date.

Why it matters
  A close date in the past is the commonest sign of a forecast nobody updates: the deal is
  counted in a period that is already over.

Example
  As of 2026-11-20, an open deal closing 2026-10-31:
    HYG001 line 7 field close_date: close date 2026-10-31 passed 20 days ago; set a new
    date or close the deal

How to fix
  Move the close date to when the deal will really close, or mark it won or lost.

Configuration
  --as-of fixes today. Feeds the `overdue` risk signal (risk.weights.overdue, default 30).
  [checks] HYG001 = \"error\" | \"off\".";

const HYG002: &str = "\
What it checks
  An open deal whose last activity is more than `stale_days` before the as-of date, or that
  has no activity recorded at all. The stage's own `stale_days` overrides risk.stale_days.

Why it matters
  Deals nobody has touched in weeks are going dark; a Commit-stage deal goes stale sooner
  than a Prospecting one.

Example
  risk.stale_days = 14, last activity 2026-11-01, as of 2026-11-20:
    HYG002 line 9 field last_activity: no activity for 19 days (limit 14 in Needs Analysis)

How to fix
  Log the latest activity, or follow up with the customer.

Configuration
  [risk] stale_days (default 14); [[stages]] stale_days. Needs a last_activity column; when
  the export has none, the check is skipped. Feeds the `stale` signal (default weight 20).";

const HYG003: &str = "\
What it checks
  An open deal that has sat in its stage longer than the stage's `max_days`, measured from
  the stage_changed date (Salesforce \"Last Stage Change Date\") or read from a days-in-stage
  column (stage_age, Salesforce \"Stage Duration\").

Why it matters
  A deal that stopped moving is a deal that stopped progressing; the longer it sits, the less
  its stage probability means.

Example
  Proposal/Price Quote with max_days = 21, stage changed 2026-10-01, as of 2026-11-20:
    HYG003 line 4 field stage_changed: in Proposal/Price Quote for 50 days (limit 21)

How to fix
  Advance the deal, move it back to where it really is, or close it.

Configuration
  [[stages]] max_days. Stages without max_days are not checked; exports with neither a
  stage_changed nor a stage_age column are not checked. Feeds `stage_aged` (default 15).";

const HYG004: &str = "\
What it checks
  The deal's probability differs from its stage's `probability` by more than
  risk.probability_tolerance points. Fractions (HubSpot's 0.4) are read as percentages where
  the field has fraction = true.

Why it matters
  A probability that contradicts the stage skews every weighted forecast built on it.

Example
  Proposal/Price Quote expects 75, tolerance 20, deal at 30:
    HYG004 line 6 field probability: probability 30% but Proposal/Price Quote expects 75% (±20)

How to fix
  Set the probability the stage implies, or move the deal to the stage that matches it.

Configuration
  [[stages]] probability; [risk] probability_tolerance (default 20). Feeds
  `forecast_mismatch` (default weight 10).";

const HYG005: &str = "\
What it checks
  The deal's forecast category is one its stage allows (`forecast` in [[stages]]). Spellings
  are folded: \"Best Case\" = \"BestCase\", Salesforce's API value \"Forecast\" = \"Commit\",
  HubSpot's \"Not forecasted\" = \"Omitted\".

Why it matters
  \"Commit\" on a deal still in Prospecting is an optimistic forecast the pipeline cannot
  support.

Example
  Prospecting allows Pipeline and Omitted:
    HYG005 line 3 field forecast_category: Commit is not allowed in Prospecting (allowed:
    Pipeline, Omitted)

How to fix
  Lower the forecast category, or advance the deal to a stage that supports it.

Configuration
  [[stages]] forecast. Feeds `forecast_mismatch` (default weight 10).";

const HYG006: &str = "\
What it checks
  A deal in a won stage has an amount above zero.

Why it matters
  Won revenue of zero or less, or missing, breaks bookings and attainment reports.

Example
  Closed Won with amount 0:
    HYG006 line 14 field amount: won deal has amount 0.00; record what was sold

How to fix
  Enter the booked amount.

Configuration
  A missing amount that a requirement already reports (REQ finding on amount) is not
  reported again; an unreadable one is VAL002. [checks] HYG006 = ... .";

const HYG007: &str = "\
What it checks
  The close date is not before the created date.

Why it matters
  A deal cannot close before it exists; one of the dates is wrong, and cycle-time reports
  built on them go negative.

Example
    HYG007 line 8 field close_date: close date 2026-01-15 is before the created date
    2026-02-01

How to fix
  Correct whichever date is wrong.

Configuration
  Needs close_date and created_date columns. [checks] HYG007 = ... .";

const HYG008: &str = "\
What it checks
  An open deal whose close date lies more than risk.horizon_days after the as-of date.

Why it matters
  Far-future close dates park deals where no review looks at them, often to keep a dead deal
  open.

Example
  horizon 365 days, as of 2026-11-20, close date 2028-03-01:
    HYG008 line 5 field close_date: close date 2028-03-01 is 467 days out (horizon 365)

How to fix
  Bring the date in to a realistic quarter, or close the deal.

Configuration
  [risk] horizon_days (default 365). [checks] HYG008 = ... .";

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_documented() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            let text = code.explanation();
            for heading in EXPLANATION_HEADINGS {
                assert!(text.contains(heading), "{code} lacks {heading}");
            }
            assert_eq!(code.as_str().parse::<Code>(), Ok(*code));
            // Policy indexes settings by `code as usize`.
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
