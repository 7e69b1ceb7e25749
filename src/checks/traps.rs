//! IN007–IN014: data traps, each named once for the file rather than trusted or charged to
//! every deal. An export without a header row (IN007) or of history rows (IN009) stops the
//! audit; a database dump's dialect is read as such and said (IN008); a column empty on every
//! row (IN010) or holding one load time (IN011) is left out of the checks and signals that would read it; close dates equal to created dates on
//! most open deals (IN012), an as-of far after the data (IN013) and owners that are user ids
//! no lookup names (IN014) are said.

use super::{CheckDoc, Wording};
use crate::deal::DealStore;
use crate::diag::{About, Code, FindingSink, RowRef, Says};
use crate::facts::mapping::{FieldTable, Mapping};
use crate::facts::reading::FileReading;
use crate::field::{Canonical, FieldName};
use crate::input::owners::{OwnerNames, looks_like_user_id};
use crate::words::{plural, quote, thousands};

const fn doc(code: Code, explanation: &'static str) -> CheckDoc {
    CheckDoc {
        code,
        explanation,
        prompt: None,
        wording: Wording::Stored,
    }
}

pub(crate) const CHECKS: &[CheckDoc] = &[
    doc(Code::In007, IN007),
    doc(Code::In008, IN008),
    doc(Code::In009, IN009),
    doc(Code::In010, IN010),
    doc(Code::In011, IN011),
    doc(Code::In012, IN012),
    doc(Code::In013, IN013),
    doc(Code::In014, IN014),
];

/// The checks and signals that read a canonical field, in words: what an empty or a
/// load-time column takes out of the audit.
pub(crate) fn readers(field: Canonical) -> (&'static [Code], &'static str) {
    match field {
        Canonical::LastActivity => (&[Code::Hyg002], "the stale signal"),
        Canonical::StageChanged | Canonical::StageAge => (&[Code::Hyg003], "the stage_aged signal"),
        Canonical::CreatedDate => (&[Code::Hyg007, Code::In012], "close before created"),
        Canonical::Probability => (&[Code::Hyg004], "the forecast_mismatch signal"),
        Canonical::ForecastCategory => (&[Code::Hyg005], "the forecast call by category"),
        Canonical::NextStep | Canonical::NextStepDate => {
            (&[Code::Hyg010], "the no_next_step signal")
        }
        Canonical::CloseDate => (
            &[Code::Hyg001, Code::Hyg008, Code::Hyg011, Code::Hyg012],
            "the overdue signal and coverage",
        ),
        Canonical::Amount => (&[Code::Hyg006], "the open amount"),
        Canonical::Owner => (&[], "the figures by owner"),
        Canonical::Stage => (
            &[Code::Req002, Code::Val006],
            "stage checks and the open pipeline",
        ),
        _ => (&[], "its checks"),
    }
}

/// A field as the reports name it, with its column: `last_activity (LastActivityDate)`.
fn named(table: &FieldTable, id: usize, header: &[String], column: usize) -> String {
    let name = table.name(id);
    match header.get(column) {
        Some(h) if h != name => format!("{name} ({h})"),
        _ => name.to_string(),
    }
}

/// How many rows a sampled trap holds for: all of them, or the first `sampled` of more.
fn rows_words(sampled: u64, records: u64) -> String {
    if records <= sampled {
        format!("every one of the {} rows", thousands(records))
    } else {
        format!(
            "every one of the first {} rows (of {})",
            thousands(sampled),
            thousands(records)
        )
    }
}

/// The owners of one file's deals as the audit names them (after `[input] owners`), and
/// the lookup that named them: what IN014 counts.
pub(crate) struct FileOwners<'a> {
    /// Each distinct owner, in the order the file first names them.
    pub(crate) names: Vec<&'a str>,
    pub(crate) lookup: Option<&'a OwnerNames>,
}

impl<'a> FileOwners<'a> {
    /// The owners of deals `from..` of `deals` (one file's, read last).
    pub(crate) fn of(
        deals: &'a DealStore,
        from: usize,
        lookup: Option<&'a OwnerNames>,
    ) -> FileOwners<'a> {
        let mut seen = vec![false; deals.owners.len()];
        let mut names = Vec::new();
        for d in (from..deals.len()).filter_map(|i| deals.get(i)) {
            let Some(id) = deals.owner_id(d) else {
                continue;
            };
            if let Some(s) = seen.get_mut(id as usize).filter(|s| !**s) {
                *s = true;
                names.push(deals.owners.name(id));
            }
        }
        FileOwners { names, lookup }
    }
}

/// IN010, IN011 and IN014, once a file is read: one finding per column, on its header line,
/// and what each takes out of the audit (for the report's "not checked"). `owners` are the
/// file's owners when the sample found ids in the owner column.
pub(crate) fn check_reading(
    file: u32,
    header: &[String],
    header_line: u64,
    (table, mapping, reading, owners): (
        &FieldTable,
        &Mapping,
        &FileReading,
        Option<&FileOwners<'_>>,
    ),
    records: u64,
    sink: &mut FindingSink<'_>,
    not_checked: &mut Vec<(Vec<Code>, String)>,
) {
    let at = |column: usize| {
        About::Row(RowRef {
            file,
            line: header_line,
            record_id: None,
            column: Some(column as u32),
            previous_deal: None,
        })
    };
    let traps = &reading.traps;
    for &(id, column) in &mapping.empty {
        let what = named(table, id, header, column);
        let (codes, signal) = match &table.entries[id].name {
            FieldName::Canonical(c) => readers(*c),
            FieldName::Header(_) => (&[][..], "its checks"),
        };
        let left_out = if signal == "its checks" {
            "its checks and completeness leave it out".to_string()
        } else {
            format!("its checks, {signal} and completeness leave it out")
        };
        let rows = rows_words(traps.rows, records);
        let message = format!(
            "{what} is empty on {rows}: {left_out}; fill it in the CRM or map another column"
        );
        sink.push(Code::In010, None, at(column), Some(id), || {
            Says::Text(message.clone())
        });
        not_checked.push((codes.to_vec(), format!("{what} is empty on {rows} (IN010)")));
    }
    for stamp in &traps.stamps {
        let Some(id) = (0..table.len()).find(|&id| mapping.column(id) == Some(stamp.column)) else {
            continue;
        };
        let what = named(table, id, header, stamp.column);
        let (codes, _) = match &table.entries[id].name {
            FieldName::Canonical(c) => readers(*c),
            FieldName::Header(_) => (&[][..], ""),
        };
        let share = stamp.rows as f64 * 100.0 / stamp.filled.max(1) as f64;
        let message = format!(
            "{what} holds {} on {} of {} rows ({share:.0}%): a load time, not the deal's; \
             dates are not compared with it",
            quote(&stamp.value),
            thousands(stamp.rows),
            thousands(stamp.filled)
        );
        sink.push(Code::In011, None, at(stamp.column), Some(id), || {
            Says::Text(message.clone())
        });
        not_checked.push((
            codes.to_vec(),
            format!(
                "{what} is one load time ({}) on {share:.0}% of rows (IN011)",
                quote(&stamp.value)
            ),
        ));
    }
    if let (Some(found), Some(owners)) = (&traps.owner_ids, owners) {
        let id = table.canonical(Canonical::Owner);
        if let Some(message) = owner_ids(&named(table, id, header, found.column), owners) {
            sink.push(Code::In014, None, at(found.column), Some(id), || {
                Says::Text(message.clone())
            });
        }
    }
}

/// IN014's words for an owner column (`what`) the sample found ids in: the owners still
/// shown as ids once the lookup is applied, and how to name them; `None` when the lookup
/// named them all.
fn owner_ids(what: &str, owners: &FileOwners<'_>) -> Option<String> {
    let ids: Vec<&str> = owners
        .names
        .iter()
        .copied()
        .filter(|o| looks_like_user_id(o))
        .collect();
    let first = quote(ids.first()?);
    let one = ids.len() == 1;
    let count = thousands(ids.len() as u64);
    let example = if one {
        first
    } else {
        format!("such as {first}")
    };
    Some(match owners.lookup {
        None => format!(
            "{what} holds user ids, not names: {count} owner{} ({example}), shown as ids in \
             every table and owner list; map them to names with [input] owners = \"users.csv\" \
             (a CSV of id and name, such as Salesforce's User export Id,Name)",
            plural(ids.len())
        ),
        Some(lookup) => {
            let (has, is, it) = if one {
                ("has", "is shown as an id", "it")
            } else {
                ("have", "are shown as ids", "them")
            };
            format!(
                "{what} holds user ids, not names: {count} of {} owner{} {has} no name in the \
                 owners lookup {} ({example}) and {is}; add {it} to the lookup",
                thousands(owners.names.len() as u64),
                plural(owners.names.len()),
                lookup.shown(),
            )
        }
    })
}

/// IN012: the close date equals the created date on most open deals that have both, a sign
/// that an import filled them. `same` of `dated` open deals, the first at `first`.
pub(crate) fn check_close_is_created(
    file: u32,
    (same, dated, first): (u64, u64, Option<u64>),
    sink: &mut FindingSink<'_>,
) {
    let Some(line) = first else { return };
    if same * 2 <= dated || same < 3 {
        return;
    }
    let about = at_line(file, line);
    sink.push(Code::In012, None, about, None, || {
        Says::Text(format!(
            "the close date is the created date on {} of {} open deal{} with both (first at line \
             {line}): dates an import filled in, not a forecast; set real close dates",
            thousands(same),
            thousands(dated),
            plural(dated)
        ))
    });
}

/// A finding about the whole file, on `line` of it.
fn at_line(file: u32, line: u64) -> About {
    About::Row(RowRef {
        file,
        line,
        record_id: None,
        column: None,
        previous_deal: None,
    })
}

/// IN007: an export whose first row looks like a deal, not a header (a database dump
/// without one), and no `[input] header` to name its columns. The reason to stop, with the
/// fix; `None` when the file has a header row.
pub(crate) fn headerless(export: &crate::input::Export) -> Option<String> {
    let what = export.headerless.as_deref()?;
    Some(format!(
        "{}: the first row looks like data, not a header (IN007): line {} holds {what}; name \
         the columns in order with [input] header = [\"…\", …] in the rules file (`pipelint \
         init --from {}` drafts it), or export with a header row",
        export.name, export.header.line, export.name
    ))
}

/// IN008: the file was read as a database dump, `dump` holding what it held of one; said
/// once for the file, on the line of its first row.
pub(crate) fn check_dump(
    file: u32,
    line: u64,
    dump: &crate::input::dialect::Dump,
    sink: &mut FindingSink<'_>,
) {
    let about = at_line(file, line);
    let message = dump.words();
    sink.push(Code::In008, None, about, None, || {
        Says::Text(message.clone())
    });
}

/// Rows a sample needs before repeated ids say "history rows" rather than a few duplicates.
const HISTORY_ROWS: usize = 10;

/// IN009: an export of history rows (an opportunity-history or field-history export), not
/// one row per deal: on most sampled rows the id repeats one seen before. The reason to stop,
/// naming the shape and what to do instead; `None` for an export of deals.
pub(crate) fn history_rows(export: &crate::input::Export, id: Option<usize>) -> Option<String> {
    let id = id?;
    let width = export.header.len();
    let ids: Vec<&str> = export
        .sample
        .iter()
        .filter(|r| r.len() == width)
        .filter_map(|r| r.get(id).map(|v| crate::values::trim_cell(v)))
        .filter(|v| !v.is_empty())
        .collect();
    if ids.len() < HISTORY_ROWS {
        return None;
    }
    let mut seen = rustc_hash::FxHashSet::default();
    let repeats = ids.iter().filter(|v| !seen.insert(**v)).count();
    if repeats * 2 < ids.len() {
        return None;
    }
    let column = export.header.cells.get(id).map_or("the id", String::as_str);
    Some(format!(
        "{}: these are history rows, not one row per deal (IN009): {} ids on {} rows, {column} \
         repeating on {repeats} of them; audit the opportunities export itself, and give this \
         file to `pipelint init --from EXPORT --stage-history {}` to order the stages by the \
         moves it records",
        export.name,
        thousands(seen.len() as u64),
        thousands(ids.len() as u64),
        export.name
    ))
}

/// Days between as-of and the newest date in the export past which a defaulted as-of is
/// said to be far from the data.
const FAR_DAYS: i64 = 90;

/// IN013: as-of defaulted to today, more than 90 days after the newest date of any deal
/// (`newest`). One finding on the first file's header line (`header_line`); the note, for
/// the report's as-of line and standard error.
pub(crate) fn as_of_far(
    as_of: chrono::NaiveDate,
    newest: Option<chrono::NaiveDate>,
    header_line: Option<u64>,
    sink: &mut FindingSink<'_>,
) -> Option<String> {
    let newest = newest?;
    let days = (as_of - newest).num_days();
    if days <= FAR_DAYS {
        return None;
    }
    let note = format!(
        "as of {as_of} (today), but the newest date in the export is {newest}, {} days before: \
         pass --as-of with the day the export was taken",
        thousands(days.unsigned_abs())
    );
    let about = at_line(0, header_line?);
    sink.push(Code::In013, None, about, None, || Says::Text(note.clone()));
    Some(note)
}

const IN007: &str = "\
What it checks
  The first row of the file is its header: column names, not a deal. A first row of numbers,
  dates and amounts (a database dump without headers) is not one.

Why it matters
  Read as a header, the first deal's values become column names: nothing maps, the deal
  vanishes, and every other row is read against the wrong names.

Example
  24000,\"POT24000\",\"Proyecto Alfa\",700,12500.00,2026-03-15,\"Fase 2\":
    error: dump.csv: the first row looks like data, not a header (IN007): line 1 holds a
    number, a date and an amount; name the columns with [input] header = [...]

How to fix
  Name the columns in order with `[input] header = [\"potentialid\", \"potential_no\", …]` in
  the rules file (`pipelint init --from FILE` drafts it), or export with a header row.

Configuration
  [input] header = [...] reads a file without a header row; the first row is then a deal.";

const IN008: &str = "\
What it checks
  Files written by a database (MySQL's SELECT INTO OUTFILE, mysqldump): \\N for NULL, and
  quotes inside values escaped with a backslash (\\\") instead of doubled (\"\").

Why it matters
  Read as plain CSV, \\N counts as a value (\"closingdate 100% filled\") and a backslash-escaped
  quote breaks the row into the wrong fields (deals lost as malformed rows).

Example
  IN008 line 1: read as a database dump: \\N as empty (412 cells), backslash-escaped quotes (3)

How to fix
  Nothing: the file is read as a dump. Set `[input] escape = \"\\\\\"` to read it that way
  even where the first rows do not show it.

Configuration
  [input] escape = \"\\\\\" forces the dialect; [checks] IN008 = \"off\" hides the note.";

const IN009: &str = "\
What it checks
  The export holds one row per deal, not one row per change of a deal: the same id repeating
  on most of the rows read before the audit is an opportunity-history (or field-history)
  export.

Why it matters
  Audited as deals, 62 history rows of 31 deals would be 62 deals, each judged by a stage it
  has since left, with the headline's figures counted twice.

Example
  error: history.csv: these are history rows, not one row per deal (IN009): 31 ids on 62 rows,
  OpportunityId repeating on 31 of them; audit the opportunities export itself, and give this
  file to `pipelint init --from EXPORT --stage-history history.csv` to order the stages by the
  moves it records

How to fix
  Audit the opportunities export itself. A history export orders the stages for
  `pipelint init --from EXPORT --stage-history HISTORY`.

Configuration
  None: the audit stops (exit 2). A few repeated ids in an export of deals are DUP001s.";

const IN010: &str = "\
What it checks
  A column the rules map that is empty (or a placeholder) on every row read before the
  audit: the export carries it but nobody fills it.

Why it matters
  An activity column that is always empty would call every deal \"no activity recorded\" and
  score it high risk; a required column always empty would raise one error per deal. Neither
  says anything about the deals.

Example
  IN010 line 1 field last_activity: last_activity (LastActivityDate) is empty on every one of
  the 43 rows: its checks, the stale signal and completeness leave it out; fill it in the CRM
  or map another column

How to fix
  Fill the field in the CRM, export another column that holds it, or take it out of
  [columns]. The report lists what was not checked under Not checked.

Configuration
  [checks] IN010 = \"off\" hides the finding; the column is still left out.";

const IN011: &str = "\
What it checks
  A date column other dates are compared with (created, last activity, stage changed) that
  holds one value on 90% or more of at least 20 rows: the time a load wrote, not the deal's.

Why it matters
  A CreatedDate that is the load time on every row makes every close date \"before the
  created date\" (30 errors that fail the gate) and every deal the same age.

Example
  IN011 line 1 field created_date: created_date (CreatedDate) holds
  `2026-10-02T03:14:07.000+0000` on 43 of 43 rows (100%): a load time, not the deal's; dates
  are not compared with it

How to fix
  Export the real created dates (Salesforce's CreatedDate survives a data export; a sandbox
  refresh or a migration rewrites it).

Configuration
  [checks] IN011 = \"off\" hides the finding; the column is still not compared.";

const IN012: &str = "\
What it checks
  On most open deals that have both, the close date is the created date.

Why it matters
  A close date an import copied from the created date is no forecast: the deals look overdue
  or due today, and slippage cannot be read.

Example
  IN012 line 3: the close date is the created date on 16 of 20 open deals with both (first at
  line 3): dates an import filled in, not a forecast; set real close dates

How to fix
  Have the owners set the close dates they expect.

Configuration
  [checks] IN012 = \"off\".";

const IN013: &str = "\
What it checks
  Without --as-of, \"today\" is the system date. When the newest date in the export is more
  than 90 days before it, every date check is measured from the wrong day.

Why it matters
  A 2018 export audited as of today calls every deal \"overdue by 8 years\".

Example
  IN013 line 1: as of 2026-12-06 (today), but the newest date in the export is 2018-09-15,
  2,639 days before: pass --as-of 2018-09-15 (or the day the export was taken)

How to fix
  Pass --as-of with the day the export was taken.

Configuration
  --as-of DATE; [checks] IN013 = \"off\".";

const IN014: &str = "\
What it checks
  The owner column holds user ids, not names, on most of the rows read before the audit: a
  Salesforce user id (15 or 18 letters and digits starting 005, such as 00546000001l1cJAAQ in
  an org dump's OwnerId) or a number (HubSpot's hubspot_owner_id, Pipedrive's user ids). With
  [input] owners, the owners its lookup does not name.

Why it matters
  The pipeline by owner, the win rates, the owner lists and the history are read by people:
  \"00546000001l1cJAAQ: 5 open deals, 2 at risk\" reaches nobody, and a quota file that
  names the sellers matches none of them.

Example
  IN014 line 1 field owner: owner (OwnerId) holds user ids, not names: 3 owners (such as
  `00546000001l1cJAAQ`), shown as ids in every table and owner list; map them to names with
  [input] owners = \"users.csv\" (a CSV of id and name, such as Salesforce's User export
  Id,Name)

How to fix
  Export the users (Salesforce: Data Loader or a report on Users, columns Id and Name) and
  name the file in the rules: [input] owners = \"users.csv\", relative to the rules file. A
  15-character and an 18-character id of one user both find the name. Or export the owner's
  name instead of the id (Opportunity Owner: Full Name).

Configuration
  [input] owners names the lookup; [checks] IN014 = \"off\" hides the finding.";
