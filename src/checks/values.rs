//! VAL001–VAL006: a present value must parse as its field's type and meet its constraints.
//!
//! One finding at most per record and field: the first failing test in the order parse
//! (VAL001/VAL002), allowed values (VAL003), pattern (VAL004), range (VAL005). VAL006 is the
//! stage field's own test.

use super::{CheckDoc, Wording};
use crate::diag::{About, Code, FindingSink, Says};
use crate::facts::plan::Plan;
use crate::facts::row::RowFacts;
use crate::words::quote;

pub(crate) const CHECKS: &[CheckDoc] = &[
    CheckDoc {
        code: Code::Val001,
        explanation: VAL001,
        prompt: None,
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::Val002,
        explanation: VAL002,
        prompt: None,
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::Val003,
        explanation: VAL003,
        prompt: None,
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::Val004,
        explanation: VAL004,
        prompt: None,
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::Val005,
        explanation: VAL005,
        prompt: None,
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::Val006,
        explanation: VAL006,
        prompt: Some("This deal's stage is not one of ours: which stage has it really reached?"),
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::Val007,
        explanation: VAL007,
        prompt: None,
        wording: Wording::Stored,
    },
];

/// VAL001–VAL006: each value of the deal that failed its checks as its cell was read, at
/// the severity its field's rule gives.
pub(crate) fn check_row(facts: &RowFacts<'_>, plan: &Plan<'_>, sink: &mut FindingSink<'_>) {
    for invalid in facts.invalid() {
        let slot = &plan.slots[invalid.slot];
        let severity = plan.field_rule(slot).and_then(|r| r.severity);
        sink.push(
            invalid.code,
            severity,
            About::Deal(facts.deal),
            Some(slot.field),
            || Says::Text(invalid.message.clone()),
        );
    }
}

/// VAL007, once a file is read: one finding per field that held placeholder dates, at the
/// first, with how many.
pub(crate) fn check_placeholder_dates(
    file: u32,
    found: &[crate::facts::parse::PlaceholderDates],
    table: &crate::facts::mapping::FieldTable,
    sink: &mut FindingSink<'_>,
) {
    for p in found {
        let about = About::Row(crate::diag::RowRef {
            file,
            line: p.first_line,
            record_id: None,
            column: None,
            previous_deal: None,
        });
        let name = table.name(p.field);
        sink.push(Code::Val007, None, about, Some(p.field), || {
            Says::Text(format!(
                "{name} holds a placeholder date on {} deal{} (such as {}, line {}): read as \
                 missing, not as a date; leave the date empty or set the real one",
                crate::words::thousands(p.count),
                crate::words::plural(p.count),
                quote(&p.example),
                p.first_line
            ))
        });
    }
}

const VAL007: &str = "\
What it checks
  A date that stands for \"no date\": a year of 2100 or later (31.12.3999, 9999-12-31) or a
  system's zero (1900-01-01, 1970-01-01). It is read as missing, and said once per field.

Why it matters
  Read as a date, 31.12.3999 is a close date 721,158 days out, and 1900-01-01 a deal created
  a century ago.

Example
  VAL007 line 5 field close_date: close_date holds a placeholder date on 3 deals (such as
  `31.12.3999`, line 5): read as missing, not as a date; leave the date empty or set the real
  one

How to fix
  Empty the field, or set the real date. A requirement on the field reports it as missing.

Configuration
  [checks] VAL007 = \"off\" hides the finding; the dates are still read as missing.";

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
  decimal \".\" is rejected rather than read as 1250. Decimals of any length are read exactly
  and money is rounded half to even to the cent (`1475.3000000000002` is 1475.30). A currency
  is an ISO 4217 code, a symbol or a currency name (`US Dollar`, `Euro`): `OPP-000123` is not
  an amount.

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
