//! IN001–IN006: the file's shape rather than a value: a mapped column missing (IN001, raised
//! while binding the rules to the header, see [`crate::facts::mapping::bind`], and fatal),
//! malformed rows (IN002), text that is not UTF-8 (IN003), rows that hold no deal skipped
//! (IN004), repeated header names (IN005) and malformed quoting (IN006).

use super::{CheckDoc, Wording};
use crate::diag::{About, Code, FindingSink, RowRef, Says, Severity};
use crate::facts::plan::Plan;
use crate::input::encoding::Decided;
use crate::input::{Header, Legacy, Row, RowText};
use crate::values::trim_cell;
use crate::words::plural;

pub(crate) const CHECKS: &[CheckDoc] = &[
    CheckDoc {
        code: Code::In001,
        explanation: IN001,
        prompt: None,
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::In002,
        explanation: IN002,
        prompt: None,
        wording: Wording::RowDerived(word_malformed_row),
    },
    CheckDoc {
        code: Code::In003,
        explanation: IN003,
        prompt: None,
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::In004,
        explanation: IN004,
        prompt: None,
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::In005,
        explanation: IN005,
        prompt: None,
        wording: Wording::Stored,
    },
    CheckDoc {
        code: Code::In006,
        explanation: IN006,
        prompt: None,
        wording: Wording::Stored,
    },
];

/// How a file's rows were read, tallied per batch and merged in input order: what IN002,
/// IN003 and IN004 report once the file is read, and the file-level traps counted as the
/// deals are read (VAL007, IN012, IN013).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ReadTally {
    /// Placeholder dates read as missing, per field (VAL007).
    pub(crate) placeholder_dates: Vec<crate::facts::parse::PlaceholderDates>,
    /// Open deals with a close and a created date, those whose two are one day, and the
    /// line of the first of those (IN012).
    pub(crate) close_created: (u64, u64, Option<u64>),
    /// The newest close, created or activity date of any deal (IN013).
    pub(crate) newest: Option<chrono::NaiveDate>,
    /// Rows left out as malformed (IN002).
    pub(crate) malformed: u64,
    /// Report footer and summary rows skipped (IN004), and the line of the first.
    pub(crate) skipped: u64,
    pub(crate) first_skipped: Option<u64>,
    /// Of those, rows of bare delimiters and unlabelled totals rows.
    pub(crate) no_deal: u64,
    /// The line of the first row that was not UTF-8 (IN003), and how such rows were read.
    pub(crate) first_not_utf8: Option<u64>,
    pub(crate) legacy: Option<Legacy>,
    /// Cells cut to the 64 kB a cell keeps, and where the first was (line, 1-based column).
    pub(crate) cut_cells: u64,
    pub(crate) first_cut: Option<(u64, u32)>,
    /// Read as a database dump: `\N` cells read as empty, quotes escaped with a backslash
    /// (IN008).
    pub(crate) nulls: u64,
    pub(crate) escaped_quotes: u64,
}

impl ReadTally {
    /// Add `n` skipped rows, the first at `first`.
    pub(crate) fn skip(&mut self, n: u64, first: u64) {
        self.skipped += n;
        let f = self.first_skipped.get_or_insert(first);
        *f = (*f).min(first);
    }

    pub(crate) fn merge(&mut self, other: &ReadTally) {
        crate::facts::parse::PlaceholderDates::merge(
            &mut self.placeholder_dates,
            &other.placeholder_dates,
        );
        let (same, dated, first) = other.close_created;
        self.close_created.0 += same;
        self.close_created.1 += dated;
        self.close_created.2 = self.close_created.2.or(first);
        self.newest = self.newest.max(other.newest);
        self.malformed += other.malformed;
        self.cut_cells += other.cut_cells;
        self.nulls += other.nulls;
        self.escaped_quotes += other.escaped_quotes;
        self.first_cut = match (self.first_cut, other.first_cut) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.no_deal += other.no_deal;
        if let Some(first) = other.first_skipped {
            self.skip(other.skipped, first);
        }
        if let (Some(line), Some(legacy)) = (other.first_not_utf8, other.legacy) {
            self.not_utf8(line, legacy);
        }
    }

    /// A row at `line` was not UTF-8 and was read as `legacy` (one encoding per file).
    pub(crate) fn not_utf8(&mut self, line: u64, legacy: Legacy) {
        let f = self.first_not_utf8.get_or_insert(line);
        *f = (*f).min(line);
        self.legacy = Some(legacy);
    }
}

/// What a row is, once its shape is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A record to audit as a deal.
    Deal,
    /// A row that holds no deal (skipped, IN004) or a malformed one (IN002): no deal.
    NotADeal,
}

/// The shape checks of one row: where the text stops being UTF-8 (IN003), a row that holds
/// no deal (IN004: a Total row, bare delimiters, an unlabelled totals row), malformed quoting
/// (IN006) and a row with the wrong number of fields (IN002).
pub(crate) fn check_row(
    plan: &Plan<'_>,
    texts: &RowText<'_>,
    tally: &mut ReadTally,
    sink: &mut FindingSink<'_>,
) -> Shape {
    let row = texts.row();
    if !texts.is_utf8() {
        tally.not_utf8(row.line, row.legacy);
    }
    if let Some(first) = row.cut.first {
        tally.cut_cells += u64::from(row.cut.count);
        tally.first_cut.get_or_insert((row.line, first + 1));
    }
    if is_summary_row(plan, texts, row) {
        tally.skip(1, row.line);
        return Shape::NotADeal;
    }
    if holds_no_deal(plan, texts, row) {
        tally.skip(1, row.line);
        tally.no_deal += 1;
        return Shape::NotADeal;
    }
    let (fields, header) = (row.len(), plan.header_len);
    if fields == header && row.extra_fields == 0 {
        // On a malformed row, stray quotes are a symptom of what IN002 reports.
        if let Some(field) = row.quoting.malformed {
            malformed_quoting(plan, texts, field as usize, None, sink);
        } else if let Some(opened) = row.quoting.unclosed {
            // The last value's quote ran to the end of the file without swallowing a row.
            malformed_quoting(plan, texts, fields - 1, Some(opened), sink);
        }
        return Shape::Deal;
    }
    tally.malformed += 1;
    let record_id = || {
        let id = trim_cell(&texts.field(plan.id_col)).to_string();
        (!id.is_empty()).then(|| id.into_boxed_str())
    };
    sink.push(
        Code::In002,
        None,
        About::Row(RowRef {
            file: plan.file,
            line: row.line,
            record_id: record_id(),
            column: None,
            previous_deal: None,
        }),
        None,
        || match row.quoting.unclosed {
            // A million malformed rows (a file that is not an export) kept a million texts:
            // the common message is worded when shown, from the row's field count.
            None => Says::Derived(u32::try_from(row.fields()).unwrap_or(u32::MAX)),
            Some((line, column)) => Says::Text(format!(
                "{}; the quote opened at line {line}, column {column} is never closed, so the \
                 rest of the file was read as one field (close it, and write a quote inside a \
                 value twice: \"\")",
                malformed_row_words(row.fields(), header)
            )),
        },
    );
    Shape::NotADeal
}

/// IN002's message for a row of `fields` fields in a file whose header has `header`.
fn malformed_row_words(fields: u64, header: usize) -> String {
    format!(
        "row has {fields} field{}, the header has {header}; the row is left out of scores \
         (quote values that contain the delimiter)",
        plural(fields)
    )
}

/// IN002 worded when shown: the payload is the row's field count.
fn word_malformed_row(f: &crate::diag::Finding, header: usize) -> String {
    let fields = match f.message {
        crate::diag::Message::Derived(n) => u64::from(n),
        crate::diag::Message::Stored(_) => 0,
    };
    malformed_row_words(fields, header)
}

/// A "Total" / "Grand Totals" row of a formatted export (see
/// [`crate::input::footer::is_summary_row`]).
fn is_summary_row(plan: &Plan<'_>, texts: &RowText<'_>, row: Row<'_>) -> bool {
    // Nearly every row starts with a filled cell that is no summary label: one byte says
    // so before any text is looked at.
    if let Some(first) = row.get(0).and_then(|c| c.first()) {
        if !matches!(
            first.to_ascii_lowercase(),
            b't' | b'g' | b's' | b' ' | b'\t' | b'"'
        ) {
            return false;
        }
    }
    crate::input::footer::is_summary_row(|i| texts.field(Some(i)), row.len(), plan.id_col)
}

/// Bare delimiters (`,,,,,`) or an unlabelled totals row: figures only, with none of the
/// cells that name a deal (id, name, account, stage, owner) filled. See
/// [`crate::input::footer`].
fn holds_no_deal(plan: &Plan<'_>, texts: &RowText<'_>, row: Row<'_>) -> bool {
    let cell = |i| texts.field(Some(i));
    // Nearly every row's first cell is filled and is not a figure: decided on one cell.
    if let Some(first) = row.get(0).filter(|f| !f.trim_ascii().is_empty()) {
        // A lower-case letter is in no figure: ids and names, most first cells, are told
        // apart on their bytes, undecoded (see `footer::is_figure`).
        if first.iter().any(u8::is_ascii_lowercase) {
            return false;
        }
        let first = cell(0);
        if !crate::input::footer::is_figure(&first) {
            return false;
        }
    }
    let stage = plan
        .stage_slot
        .and_then(|s| plan.slots.get(s))
        .map(|s| s.column);
    let deal_cols: Vec<usize> = [
        plan.id_col,
        plan.name_col,
        plan.account_col,
        plan.owner_col,
        stage,
    ]
    .into_iter()
    .flatten()
    .collect();
    crate::input::footer::is_blank_row(cell, row.len())
        || crate::input::footer::is_unlabelled_total(cell, row.len(), &deal_cols)
}

/// IN006: a quote inside an unquoted value, or text after a closing quote, in `field`; or,
/// with `unclosed`, a quote opened there (line, column) and never closed.
fn malformed_quoting(
    plan: &Plan<'_>,
    texts: &RowText<'_>,
    field: usize,
    unclosed: Option<(u64, u64)>,
    sink: &mut FindingSink<'_>,
) {
    let row = texts.row();
    let id = trim_cell(&texts.field(plan.id_col)).to_string();
    let about = About::Row(RowRef {
        file: plan.file,
        line: row.line,
        record_id: (!id.is_empty()).then(|| id.into_boxed_str()),
        column: Some(field as u32),
        previous_deal: None,
    });
    sink.push(Code::In006, None, about, None, || {
        let value = texts.field(Some(field));
        if let Some((line, column)) = unclosed {
            return Says::Text(format!(
                "malformed quoting in field {}: the quote opened at line {line}, column {column} \
                 is never closed (the file ends inside it); the value is kept as read: {}; close \
                 the quote",
                field + 1,
                crate::words::quote(&value)
            ));
        }
        Says::Text(format!(
            "malformed quoting in field {}: a quote inside a value that does not start with one, \
             or text after a value's closing quote; the value is kept as read: {}; quote the \
             whole value and write a quote inside it twice (\"\")",
            field + 1,
            crate::words::quote(&value)
        ))
    });
}

/// IN005: header names that appear more than once (ignoring case and surrounding spaces).
pub(crate) fn check_header(header: &Header, file: u32, sink: &mut FindingSink<'_>) {
    for (i, name) in header.cells.iter().enumerate() {
        let first = header.cells[..i]
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case(name.trim()));
        let Some(first) = first else { continue };
        let about = About::Row(RowRef {
            file,
            line: header.line,
            record_id: None,
            column: Some(i as u32),
            previous_deal: None,
        });
        sink.push(Code::In005, None, about, None, || {
            Says::Text(format!(
                "header `{name}` appears in columns {} and {}; pipelint reads column {}",
                first + 1,
                i + 1,
                first + 1
            ))
        });
    }
}

/// IN003 and IN004, once the whole file is read: one finding each, at the first line
/// concerned.
pub(crate) fn check_file(file: u32, tally: &ReadTally, sink: &mut FindingSink<'_>) {
    let at = |line: u64| {
        About::Row(RowRef {
            file,
            line,
            record_id: None,
            column: None,
            previous_deal: None,
        })
    };
    if let Some(line) = tally.first_not_utf8 {
        let legacy = tally.legacy.unwrap_or_default();
        let severity = (legacy.decided == Decided::Unsure).then_some(Severity::Warning);
        sink.push(Code::In003, severity, at(line), None, || {
            let name = legacy.name();
            Says::Text(match legacy.decided {
                Decided::Confident => {
                    format!("text is not UTF-8 from line {line} on; decoded as {name}")
                }
                Decided::Unsure => format!(
                    "text is not UTF-8 from line {line} on; decoded as {name}, a guess the \
                     detector is not confident of: if names read wrong, pass --encoding NAME or \
                     set [input] encoding"
                ),
                Decided::Named => format!(
                    "text is not UTF-8 from line {line} on; decoded as {name}, as --encoding or \
                     [input] encoding says"
                ),
            })
        });
    }
    if let Some(line) = tally.first_skipped {
        let n = tally.skipped;
        sink.push(Code::In004, None, at(line), None, || {
            let furniture = n - tally.no_deal;
            Says::Text(if tally.no_deal == 0 {
                format!(
                    "skipped {n} report footer and summary row{} (first at line {line})",
                    plural(n)
                )
            } else if furniture == 0 {
                format!(
                    "skipped {n} row{} that hold no deal: bare delimiters or unlabelled totals \
                     (first at line {line})",
                    plural(n)
                )
            } else {
                format!(
                    "skipped {n} rows that hold no deal: {} of bare delimiters or unlabelled \
                     totals, {furniture} of report footer and summary (first at line {line})",
                    tally.no_deal
                )
            })
        });
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
    error: export.csv: 1 mapped column is missing (IN001); …:
      next_step: \"Next Step\" (named at pipelint.toml:12:1); closest headers: NextStep, Stage

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
  Whether the export's text is UTF-8. When rows are not (Excel re-saves, older CRM exports),
  the file's legacy 8-bit encoding is detected once, from a large sample of that text, with
  chardetng (the detector Firefox uses): Windows-1252 for Western names, Windows-1251 for
  Cyrillic, ISO-8859-7 or Windows-1253 for Greek, and so on. Those rows are decoded with it;
  rows that are valid UTF-8 stay UTF-8. Reported once per file, at the first such line,
  naming the encoding: info when the detector is confident, a warning when it is not (little
  text, or no candidate stood out). UTF-16 files with a byte order mark are decoded as UTF-16
  and are not IN003. The JSON report's inputs[].encoding names the encoding used.

Why it matters
  It tells you the file was read with a guess: if the guess is wrong, names and owners read
  wrong (\"Ñäåëêà\" for \"Сделка\"), and owners' lists and duplicate checks go astray.

Example
  A Windows-1251 export with \"Сделка\" on line 2:
    IN003 line 2: text is not UTF-8 from line 2 on; decoded as windows-1251

How to fix
  Nothing, if the names read right. Otherwise name the encoding: --encoding windows-1251 (on
  audit, diff, profile, init and history add) or [input] encoding = \"windows-1251\" in the
  rules file; or export the file as UTF-8.

Configuration
  [input] encoding = \"NAME\" (any WHATWG label: windows-1251, cp1251, iso-8859-7, latin1,
  utf-16le, ...); [checks] IN003 = \"warning\" | \"info\" | \"off\".";

const IN004: &str = "\
What it checks
  Rows that are not deals but report furniture, which are skipped: a Salesforce report's
  footer (after the data, a blank line, the report name, \"Copyright (c) 2000-2026
  salesforce.com, inc. All rights reserved.\", \"Confidential Information - Do Not
  Distribute\", \"Generated By: …\" and the company name), \"Total\" / \"Grand Totals\" /
  \"Subtotal\" rows of formatted exports, rows of only delimiters or blanks (`,,,,,` that a
  spreadsheet leaves after the data), and unlabelled totals rows (figures only, such as a sum
  of amounts, with no id, name, account, stage or owner). One finding per file, with the
  count and the first line. Skipped rows are never audited and never counted as records.

Why it matters
  Read as deals, footer lines would be malformed rows, blank rows would be deals missing every
  field, and total rows would double the pipeline.

Example
    IN004 line 214: skipped 5 report footer and summary rows (first at line 214)

How to fix
  Nothing to fix. A row is skipped only if it cannot be a deal: short one-line rows at the end
  of the file among which one starts with a footer marker (Copyright, ©, Confidential
  Information, Generated By:); a row whose first filled cell says Total, Subtotal or Grand
  Totals, with at most half of its cells filled and no id of its own; a row whose cells are
  all blank; or a row whose filled cells are all figures (numbers, amounts, percentages; not
  dates) while the id, name, account, stage and owner columns the rules map are all empty. A
  deal with a missing name but an id or a stage is a deal. A quote left open that runs into
  the footer makes a malformed row (IN002), never a skipped one.

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

const IN006: &str = "\
What it checks
  Quotes where the CSV format does not allow them: a quote inside a value that does not start
  with one (ab\"c), or text after a value's closing quote (\"abc\"def). Such a value is kept
  as read (ab\"c, and abcdef), never dropped; the row is audited normally. One finding per
  row, naming the first such field.

Why it matters
  It is the sign of an export or a hand edit that did not escape quotes: the value may not be
  what the CRM holds (a quote lost, two values run together), and another tool may split the
  row differently.

Example
  Line 3 reads: 006A3,\"Acme \"Phase 2\"\",Prospecting
    IN006 line 3 field Name: malformed quoting in field 2: …; the value is kept as read: `Acme Phase 2\"\"`

How to fix
  Quote the whole value and write each quote inside it twice: \"Acme \"\"Phase 2\"\"\".
  A quote that is opened and never closed swallows the rows after it: that is IN002, which
  names the line and column where the quote was opened (IN006 when it opens the file's very
  last value, which is kept as read).

Configuration
  [checks] IN006 = \"error\" | \"info\" | \"off\"";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Policy;

    #[test]
    fn finds_repeated_headers() {
        let h = Header {
            cells: vec!["Id".into(), "Amount".into(), "amount".into()],
            line: 1,
        };
        let policy = Policy::new(&[], &[], &[]);
        let mut sink = FindingSink::new(&policy);
        check_header(&h, 0, &mut sink);
        assert_eq!(sink.findings.len(), 1);
        assert_eq!(sink.findings[0].code, Code::In005);
        assert_eq!(sink.rows[0].column(), Some(2));
        assert!(sink.messages[0].contains("columns 2 and 3"));
    }

    #[test]
    fn file_findings_sit_at_their_first_line() {
        let mut tally = ReadTally::default();
        tally.skip(2, 40);
        let mut other = ReadTally::default();
        other.skip(1, 12);
        other.not_utf8(7, Legacy::default());
        tally.merge(&other);
        let policy = Policy::new(&[], &[], &[]);
        let mut sink = FindingSink::new(&policy);
        check_file(0, &tally, &mut sink);
        let lines: Vec<u64> = sink.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![7, 12]);
        assert!(sink.messages[1].contains("skipped 3 report footer and summary rows"));
    }
}
