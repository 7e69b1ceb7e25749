//! Data traps read from the rows at the head of a file, before the audit: columns the rules
//! map that are empty on every row (IN010: an export that carries the column but never
//! fills it, such as `LastActivityDate` in an org dump), and date columns that hold one
//! value on nearly every row (IN011: `CreatedDate` written by the load, not by a seller).
//! Checks and signals that would read them are not evaluated, instead of judging every deal
//! by a column that says nothing ("no activity recorded" on 12 of 13 deals).
//!
//! An owner column holding user ids on most rows (IN014: `00546000001l1cJAAQ` in an org
//! dump, HubSpot's `hubspot_owner_id`) is named too, so that the figures by owner are read
//! as ids until `[input] owners` maps them to names.
//!
//! They are decided on the sample the encoding, delimiter and date formats are read from,
//! so that `pipelint sql --like FILE` compiles the same decisions into its query.

use rustc_hash::FxHashMap;

use super::column::is_placeholder;
use crate::input::owners::looks_like_user_id;
use crate::values::{Placeholders, trim_cell};

/// Rows a file must have before a column empty on all of them says nobody fills it (in a
/// file of three deals, three empty cells are three deals' data).
const EMPTY_ROWS: u64 = 10;
/// Rows of a date column that must hold a value, and the share of them one value must hold,
/// for the column to be a load timestamp rather than real dates.
const STAMP_ROWS: u64 = 20;
const STAMP_SHARE: f64 = 0.9;
/// Rows with an owner a sample must have before ids on most of them say the column holds
/// ids (one numeric owner among two is a team named "7", or a typo).
const OWNER_ROWS: u64 = 3;

/// A date column whose values are one load time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub(crate) column: usize,
    /// The value most rows hold, as written.
    pub(crate) value: String,
    pub(crate) rows: u64,
    pub(crate) filled: u64,
}

/// An owner column whose values are user ids, not names (IN014).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OwnerIds {
    pub(crate) column: usize,
    /// Sampled rows with an owner, and those whose owner looks like a user id.
    pub(crate) filled: u64,
    pub(crate) ids: u64,
}

/// The traps the sample shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SampleTraps {
    /// Rows looked at.
    pub(crate) rows: u64,
    /// Mapped columns with no value on any of them (empty or a placeholder).
    pub(crate) empty: Vec<usize>,
    /// Date columns holding one value on ≥ 90% of at least 20 filled rows.
    pub(crate) stamps: Vec<Stamp>,
    /// The owner column, when it holds user ids on most rows with an owner.
    pub(crate) owner_ids: Option<OwnerIds>,
}

/// Look for the traps in `columns` (the mapped ones), `date_columns` (those among them the
/// audit compares with other dates) and the `owner` column of the sampled rows.
pub(crate) fn read(
    sample: &[Vec<String>],
    width: usize,
    (columns, date_columns): (&[usize], &[usize]),
    owner: Option<usize>,
    placeholders: &Placeholders,
) -> SampleTraps {
    let rows: Vec<&Vec<String>> = sample.iter().filter(|r| r.len() == width).collect();
    let mut traps = SampleTraps {
        rows: rows.len() as u64,
        ..SampleTraps::default()
    };
    if rows.is_empty() {
        return traps;
    }
    let value = |row: &Vec<String>, c: usize| -> Option<String> {
        let v = trim_cell(row.get(c)?);
        (!v.is_empty() && !is_placeholder(v, placeholders)).then(|| v.to_string())
    };
    for &c in columns.iter().filter(|_| traps.rows >= EMPTY_ROWS) {
        if rows.iter().all(|r| value(r, c).is_none()) && !traps.empty.contains(&c) {
            traps.empty.push(c);
        }
    }
    for &c in date_columns {
        let mut counts: FxHashMap<String, u64> = FxHashMap::default();
        let mut filled = 0;
        for r in &rows {
            if let Some(v) = value(r, c) {
                filled += 1;
                *counts.entry(v).or_insert(0) += 1;
            }
        }
        if filled < STAMP_ROWS {
            continue;
        }
        let top = counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
        if let Some((value, n)) = top {
            if n as f64 >= filled as f64 * STAMP_SHARE
                && !traps.stamps.iter().any(|s| s.column == c)
            {
                traps.stamps.push(Stamp {
                    column: c,
                    value,
                    rows: n,
                    filled,
                });
            }
        }
    }
    if let Some(c) = owner {
        let owners: Vec<String> = rows.iter().filter_map(|r| value(r, c)).collect();
        let filled = owners.len() as u64;
        let ids = owners.iter().filter(|o| looks_like_user_id(o)).count() as u64;
        if filled >= OWNER_ROWS && ids * 2 > filled {
            traps.owner_ids = Some(OwnerIds {
                column: c,
                filled,
                ids,
            });
        }
    }
    traps.empty.sort_unstable();
    traps.stamps.sort_by_key(|s| s.column);
    traps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[[&str; 3]]) -> Vec<Vec<String>> {
        cells
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn an_empty_column_and_a_load_time_are_found() {
        let mut cells = Vec::new();
        for i in 0..25 {
            let day = if i == 3 {
                "2026-01-05"
            } else {
                "2026-10-02T03:14:07"
            };
            cells.push(["", day, if i % 2 == 0 { "x" } else { "N/A" }]);
        }
        let t = read(
            &rows(&cells),
            3,
            (&[0, 1, 2], &[1]),
            None,
            &Placeholders::default(),
        );
        assert_eq!(t.rows, 25);
        assert_eq!(t.empty, vec![0]);
        assert_eq!(
            t.stamps,
            vec![Stamp {
                column: 1,
                value: "2026-10-02T03:14:07".into(),
                rows: 24,
                filled: 25
            }]
        );
    }

    #[test]
    fn real_dates_and_small_samples_are_no_load_time() {
        let mut cells = Vec::new();
        for i in 0..30 {
            let day = format!("2026-01-{:02}", i % 28 + 1);
            cells.push([day.clone(), day, "y".to_string()]);
        }
        let cells: Vec<[&str; 3]> = cells
            .iter()
            .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str()])
            .collect();
        let t = read(
            &rows(&cells),
            3,
            (&[0, 1, 2], &[0, 1]),
            None,
            &Placeholders::default(),
        );
        assert!(t.stamps.is_empty() && t.empty.is_empty());
        let few = rows(&[["2026-10-02", "", ""]; 19]);
        let t = read(&few, 3, (&[0], &[0]), None, &Placeholders::default());
        assert!(t.stamps.is_empty());
    }

    #[test]
    fn an_owner_column_of_ids_on_most_rows_is_found() {
        let read_owners = |owners: &[&str]| {
            let cells: Vec<[&str; 3]> = owners.iter().map(|o| ["x", *o, "y"]).collect();
            read(
                &rows(&cells),
                3,
                (&[0, 1, 2], &[]),
                Some(1),
                &Placeholders::default(),
            )
            .owner_ids
        };
        let sf = [
            "00546000001l1cJAAQ",
            "00546000001l1cK",
            "Ann Lee",
            "",
            "N/A",
        ];
        assert_eq!(
            read_owners(&sf),
            Some(OwnerIds {
                column: 1,
                filled: 3,
                ids: 2
            })
        );
        assert_eq!(
            read_owners(&["52791234", "7", "Bo"]).map(|o| o.ids),
            Some(2)
        );
        // Names, half ids, or too few owners to tell: no finding.
        assert_eq!(read_owners(&["Ann Lee", "Bo Chen", "52791234"]), None);
        assert_eq!(read_owners(&["52791234", "Bo", "7", "Cy"]), None);
        assert_eq!(read_owners(&["52791234", "7", "", ""]), None);
    }
}
