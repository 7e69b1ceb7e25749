//! The query's text: the table's cells trimmed, their missing flags, the stage, the dates and
//! whether the deal is open, step by step in CTEs; then one arm per check, joined.

use std::fmt::Write as _;

use super::{Check, Compiler, dates, numbers};
use crate::facts::status::{STATUS_LOST, STATUS_OPEN, STATUS_WON};

/// Status words as SQL string literals (letters and digits only: nothing to escape).
fn quoted(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(", ")
}
use crate::field::FieldType;

impl Compiler<'_, '_> {
    /// Whether a deal is open, as the engine's `DealState::is_open` decides: not closed by its
    /// status, and a stage of the rules without an outcome, or (a stage the rules lack, or
    /// none) a status that says open. Without a status column or closed flag, only the
    /// stage decides.
    pub(super) fn open(&self) -> String {
        let plan = self.plan;
        let status_open = self.status_open();
        let Some(_) = plan.stage_slot.filter(|&s| plan.slots[s].is_stage) else {
            return match status_open {
                Some(open) => format!("({} IS NULL AND {open})", self.closed_as()),
                None => "FALSE".to_string(),
            };
        };
        let open: Vec<String> = self
            .target
            .rules
            .stages
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_open())
            .map(|(i, _)| i.to_string())
            .collect();
        let by_stage = (!open.is_empty()).then(|| format!("pl_stage IN ({})", open.join(", ")));
        let either = match (by_stage, status_open) {
            (None, None) => return "FALSE".to_string(),
            (Some(stage), None) => stage,
            (None, Some(status)) => format!("((pl_stage IS NULL OR pl_stage < 0) AND {status})"),
            (Some(stage), Some(status)) => {
                format!("({stage} OR ((pl_stage IS NULL OR pl_stage < 0) AND {status}))")
            }
        };
        if plan.status_col.is_none() && plan.is_closed_col.is_none() {
            return either;
        }
        format!("({either} AND {} IS NULL)", self.closed_as())
    }

    /// The status column's value by its letters, lower-cased: `pl_status_w`, computed once a
    /// row in the `checked` step ([`Compiler::status_words`]); '' without a status column.
    fn status_letters(&self) -> String {
        match self.plan.status_col {
            Some(_) => "pl_status_w".to_string(),
            None => "''".to_string(),
        }
    }

    /// The select item of `pl_status_w`, where the table has a status column.
    fn status_words(&self) -> Option<String> {
        self.plan.status_col.map(|_| {
            format!(
                "{} AS pl_status_w",
                self.d.replace_all("LOWER(pl_status)", "[^a-z0-9]", "")
            )
        })
    }

    /// 'true' or 'false' as the engine reads a yes/no cell, else NULL.
    fn flag(&self, cell: &str) -> String {
        let words = |list: &[&str]| {
            list.iter()
                .map(|w| self.lit(w))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "(CASE WHEN LOWER({cell}) IN ({}) THEN 'true' WHEN LOWER({cell}) IN ({}) THEN 'false' END)",
            words(super::BOOL_TRUE),
            words(super::BOOL_FALSE)
        )
    }

    /// 'won' or 'lost' when the status closed the deal: the status column (Won, Closed Won,
    /// Lost, Deleted, …, read by their letters) when it holds a status word, else the
    /// closed and won flags (IsClosed, IsWon); NULL otherwise.
    pub(super) fn closed_as(&self) -> String {
        let letters = self.status_letters();
        let mut arms = String::new();
        if self.plan.status_col.is_some() {
            arms.push_str(&format!(
                " WHEN {letters} IN ({}) THEN 'won' WHEN {letters} IN ({}) THEN 'lost'",
                quoted(&STATUS_WON),
                quoted(&STATUS_LOST)
            ));
        }
        if self.plan.is_closed_col.is_some() {
            if self.plan.status_col.is_some() {
                arms.push_str(&format!(
                    " WHEN {letters} IN ({}) THEN NULL",
                    quoted(&STATUS_OPEN)
                ));
            }
            let (closed, won) = (self.flag("pl_is_closed"), self.flag("pl_is_won"));
            arms.push_str(&format!(
                " WHEN {closed} = 'true' AND {won} = 'true' THEN 'won' WHEN {closed} = 'true' THEN 'lost'"
            ));
        }
        // Neither a status nor a closed flag: nothing closes a deal but its stage.
        if arms.is_empty() {
            return format!("CAST(NULL AS {})", self.d.text_type());
        }
        format!("(CASE{arms} END)")
    }

    /// Whether the status says the deal is open: the status column's word, else the closed
    /// flag set to no. `None` when the table has neither.
    fn status_open(&self) -> Option<String> {
        let plan = self.plan;
        let letters = self.status_letters();
        match (plan.status_col, plan.is_closed_col) {
            (None, None) => None,
            (Some(_), None) => Some(format!("{letters} IN ({})", quoted(&STATUS_OPEN))),
            (None, Some(_)) => Some(format!(
                "COALESCE({} = 'false', FALSE)",
                self.flag("pl_is_closed")
            )),
            (Some(_), Some(_)) => Some(format!(
                "(CASE WHEN {letters} IN ({}) THEN TRUE WHEN {letters} IN ({}, {}) THEN FALSE WHEN {} = 'false' THEN TRUE ELSE FALSE END)",
                quoted(&STATUS_OPEN),
                quoted(&STATUS_WON),
                quoted(&STATUS_LOST),
                self.flag("pl_is_closed")
            )),
        }
    }

    /// The typed columns' select items, slot by slot: which shapes match, the groups of
    /// those that do (one call each, where the dialect has one), their parts, then the
    /// values: dates (`dr0`, …), numbers and amounts (`v0`, …; an amount's `_raw` value is
    /// rounded to the cent a step later, in `rounded`).
    fn typed(&self) -> Typed {
        let d = self.d;
        let (mut matched, mut grouped, mut parts) = (Vec::new(), Vec::new(), Vec::new());
        let (mut dates, mut rounded) = (String::new(), String::new());
        let mark = self.target.reading.decimal;
        for (i, slot) in self.plan.slots.iter().enumerate() {
            let cell = self.cell(i);
            let name = format!("pd{i}");
            let (m, g, p, value) = match slot.kind {
                _ if slot.is_currency || slot.is_stage => continue,
                FieldType::Date => {
                    let steps =
                        dates::date_steps(d, &cell, &name, &self.target.reading.date_formats);
                    (
                        steps.matched,
                        steps.grouped,
                        steps.parts,
                        format!("{} AS dr{i}", steps.date),
                    )
                }
                FieldType::Number => {
                    let steps = numbers::number(d, &cell, &name, mark);
                    (
                        steps.matched,
                        steps.grouped,
                        steps.parts,
                        format!("{} AS v{i}", steps.value),
                    )
                }
                FieldType::Percent => {
                    let fraction = self.field_rule(slot).is_some_and(|r| r.fraction);
                    let steps = numbers::percent(d, &cell, &name, mark, fraction);
                    (
                        steps.matched,
                        steps.grouped,
                        steps.parts,
                        format!("{} AS v{i}", steps.value),
                    )
                }
                FieldType::Money => {
                    let steps = numbers::money(d, &cell, &name, mark);
                    let _ = write!(
                        rounded,
                        ", {} AS v{i}",
                        numbers::cents(&format!("v{i}_raw"))
                    );
                    (
                        steps.matched,
                        steps.grouped,
                        steps.parts,
                        format!("{} AS v{i}_raw", steps.value),
                    )
                }
                FieldType::Text | FieldType::Enum | FieldType::Boolean => continue,
            };
            matched.extend(m);
            grouped.extend(g);
            parts.extend(p);
            let _ = write!(dates, ",\n    {value}");
        }
        Typed {
            matched,
            grouped,
            parts,
            values: dates,
            rounded,
        }
    }

    /// The CTEs every query starts with, up to `stated` (one row per record: its trimmed
    /// cells, their missing flags, what each typed cell reads as, its stage and whether it
    /// is open), each followed by a comma. `extra` are more cells to select from the table.
    pub(super) fn steps(&self, extra: &[(Option<usize>, &str)]) -> String {
        let d = self.d;
        let plan = self.plan;
        // The characters a cell is trimmed of, spelled once in a one-row table.
        let set = "pl_ws.chars".to_string();
        let line = self
            .target
            .line_column
            .map_or("CAST(NULL AS BIGINT)".to_string(), |c| d.ident(c));
        let text = |col: Option<usize>| {
            col.map_or("''".to_string(), |c| {
                d.trimmed(&d.ident(self.column_name(c)), &set)
            })
        };
        let mut cells = vec![
            format!("{line} AS pl_line"),
            format!("{} AS pl_id", text(plan.id_col)),
            format!("{} AS pl_status", text(plan.status_col)),
            format!("{} AS pl_name", text(plan.name_col)),
            format!("{} AS pl_account", text(plan.account_col)),
        ];
        if plan.is_closed_col.is_some() {
            cells.push(format!("{} AS pl_is_closed", text(plan.is_closed_col)));
            cells.push(format!("{} AS pl_is_won", text(plan.is_won_col)));
        }
        cells.extend(
            extra
                .iter()
                .map(|(col, name)| format!("{} AS {name}", text(*col))),
        );
        for (i, slot) in plan.slots.iter().enumerate() {
            let col = d.ident(self.column_name(slot.column));
            cells.push(format!("{} AS {}", d.trimmed(&col, &set), self.cell(i)));
        }
        let flags = self.flags();
        let stage = self.stage_index();
        // The forecast category's normal form and the status's words, once a row.
        let once: String = [self.forecast_normal(), self.status_words()]
            .into_iter()
            .flatten()
            .map(|item| format!(", {item}"))
            .collect();
        let Typed {
            matched,
            grouped,
            parts,
            values: dates,
            rounded,
        } = self.typed();
        let step =
            |items: &[String]| -> String { items.iter().map(|i| format!(",\n    {i}")).collect() };
        let mut q = String::new();
        let _ = writeln!(q, "WITH cells AS (");
        let _ = writeln!(
            q,
            "  SELECT {}\n  FROM {} CROSS JOIN (SELECT {} AS chars) AS pl_ws\n),",
            cells.join(",\n    "),
            d.table(self.target.table),
            d.trim_set()
        );
        let _ = writeln!(
            q,
            "flagged AS (\n  SELECT {}\n  FROM cells\n),",
            flags.join(",\n    ")
        );
        let _ = writeln!(
            q,
            "matched AS (\n  SELECT flagged.*{}\n  FROM flagged\n),",
            step(&matched)
        );
        // Every group of each matched shape, read in one call where the dialect can.
        let mut before = "matched";
        if !grouped.is_empty() {
            let _ = writeln!(
                q,
                "grouped AS (\n  SELECT matched.*{}\n  FROM matched\n),",
                step(&grouped)
            );
            before = "grouped";
        }
        let _ = writeln!(
            q,
            "parted AS (\n  SELECT {before}.*{}\n  FROM {before}\n),",
            step(&parts)
        );
        let _ = writeln!(
            q,
            "checked AS{} (\n  SELECT parted.*, {stage} AS pl_stage{once}{dates}\n  FROM parted\n),",
            d.fence()
        );
        let _ = writeln!(
            q,
            "stated AS (\n  SELECT checked.*, {} AS pl_open, {} AS pl_closed_as{rounded}{}\n  FROM checked\n),",
            self.open(),
            self.closed_as(),
            self.dates_final()
        );
        q
    }

    pub(super) fn body(&self, checks: &[Check]) -> String {
        let d = self.d;
        let mut q = self.steps(&[]);
        // DUP002's key: an open deal's folded account and name (both naming something).
        let fold = |c: &str| {
            format!(
                "TRIM({})",
                d.replace_all(&format!("LOWER({c})"), "[^[:alnum:]]+", " ")
            )
        };
        let names = |c: &str| names_something(d, c);
        let _ = writeln!(
            q,
            "keyed AS (\n  SELECT stated.*, CASE WHEN pl_open AND NOT pl_name_m AND NOT pl_account_m AND {} AND {} THEN {} || '|' || {} END AS pl_dkey,\n    ROW_NUMBER() OVER (PARTITION BY pl_id ORDER BY {order}) AS pl_seen\n  FROM stated\n),\nranked AS (\n  SELECT keyed.*, CASE WHEN pl_dkey IS NULL THEN 0 ELSE ROW_NUMBER() OVER (PARTITION BY pl_dkey ORDER BY {order}, pl_seen) END AS pl_dseen\n  FROM keyed\n),",
            names("pl_account"),
            names("pl_name"),
            fold("pl_account"),
            fold("pl_name"),
            order = self.record_order()
        );
        q.push_str(&self.findings(checks));
        let _ = write!(
            q,
            "SELECT code, severity, record_id, field, col AS {}, line, message\nFROM findings\nORDER BY line, record_id, field, code;\n",
            d.ident("column")
        );
        q
    }

    /// The order "earlier" and "later" follow among duplicates (DUP001, DUP002): the
    /// `--line-column` value, then the created date, then the id, then every other cell
    /// the query reads, so that the same table always gives the same findings. Records
    /// equal in all of these give the same findings whichever comes first; DUP002's window
    /// adds `pl_seen`, so a repeated id (DUP001's) comes after its first record there too.
    fn record_order(&self) -> String {
        let plan = self.plan;
        let mut keys = vec!["pl_line".to_string()];
        if let Some(k) = plan.hygiene.created_date {
            keys.push(format!("d{k}"));
        }
        keys.extend(["pl_id", "pl_name", "pl_account", "pl_status"].map(String::from));
        if plan.is_closed_col.is_some() {
            keys.extend(["pl_is_closed", "pl_is_won"].map(String::from));
        }
        keys.extend((0..plan.slots.len()).map(|i| self.cell(i)));
        keys.iter()
            .map(|k| format!("{k} NULLS LAST"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether trimmed cell `c` is missing: empty, or one of the rules' placeholders.
    pub(super) fn is_missing(&self, c: &str) -> String {
        let lowered = self.target.rules.input.empty_values.lowered();
        let placeholders: Vec<String> = lowered.iter().map(|p| self.lit(p)).collect();
        let longest = lowered.iter().map(|p| p.chars().count()).max().unwrap_or(0);
        // Placeholders are short: a longer cell is never one, and is not lower-cased.
        if placeholders.is_empty() {
            format!("({c} = '')")
        } else {
            format!(
                "({c} = '' OR (LENGTH({c}) <= {longest} AND LOWER({c}) IN ({})))",
                placeholders.join(", ")
            )
        }
    }

    /// Per cell, whether it is missing (empty or a placeholder), and the same of the id.
    fn flags(&self) -> Vec<String> {
        let plan = self.plan;
        let missing = |c: &str| self.is_missing(c);
        let mut flags = vec![
            "cells.*".to_string(),
            format!("{} AS pl_id_m", missing("pl_id")),
            format!("{} AS pl_name_m", missing("pl_name")),
            format!("{} AS pl_account_m", missing("pl_account")),
        ];
        for i in 0..plan.slots.len() {
            // A date's flag is final only once the date is read: a placeholder date is
            // missing too (see `dates_final`).
            let name = if plan.slots[i].kind == FieldType::Date && !self.is_special(i) {
                format!("mt{i}")
            } else {
                self.missing(i)
            };
            flags.push(format!("{} AS {name}", missing(&self.cell(i))));
        }
        flags
    }

    /// Whether slot `i` is read as something else than its type (the stage, the currency).
    fn is_special(&self, i: usize) -> bool {
        let slot = &self.plan.slots[i];
        slot.is_stage || slot.is_currency
    }

    /// Each date slot's final missing flag and date: a placeholder date (year 2100 or later,
    /// 1900-01-01, 1970-01-01) is missing, not a date, as the engine reads it (VAL007).
    fn dates_final(&self) -> String {
        let mut out = String::new();
        for (i, slot) in self.plan.slots.iter().enumerate() {
            if slot.kind != FieldType::Date || self.is_special(i) {
                continue;
            }
            let placeholder = format!(
                "(EXTRACT(YEAR FROM dr{i}) >= 2100 OR dr{i} = DATE '1900-01-01' OR dr{i} = DATE '1970-01-01')"
            );
            let _ = write!(
                out,
                ", (mt{i} OR COALESCE({placeholder}, FALSE)) AS m{i}, CASE WHEN {placeholder} THEN NULL ELSE dr{i} END AS d{i}"
            );
        }
        out
    }

    /// The deal's stage as its index in the rules (-1: a stage the rules lack; NULL: none),
    /// matched by name first, then by name or alias ignoring case, as the engine matches.
    /// A missing cell (empty, or a placeholder) names no stage, even one called `None`:
    /// the engine reads placeholders before stages, and the guide says they count as
    /// missing.
    fn stage_index(&self) -> String {
        let plan = self.plan;
        match plan.stage_slot.filter(|&s| plan.slots[s].is_stage) {
            Some(s) => {
                let c = self.cell(s);
                let stages = &self.target.rules.stages;
                let mut arms: Vec<String> = stages
                    .iter()
                    .enumerate()
                    .map(|(i, st)| format!("WHEN {c} = {} THEN {i}", self.lit(&st.name)))
                    .collect();
                arms.extend(stages.iter().enumerate().map(|(i, st)| {
                    let names = std::iter::once(&st.name)
                        .chain(&st.aliases)
                        .map(|n| self.lit(&n.to_lowercase()))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("WHEN LOWER({c}) IN ({names}) THEN {i}")
                }));
                format!(
                    "CASE WHEN {} THEN NULL {} ELSE -1 END",
                    self.missing(s),
                    arms.join(" ")
                )
            }
            None => "CAST(NULL AS INTEGER)".to_string(),
        }
    }

    /// The `judged` CTE (whether each check holds for a record, once per record: `pl_w1`,
    /// `pl_w2`, …) and the `findings` CTE, one row per record and check that holds.
    fn findings(&self, checks: &[Check]) -> String {
        let mut q = String::new();
        if !checks.is_empty() {
            // Each condition is evaluated on the records, before they meet the list of
            // checks: written inside the join's filter, an engine evaluates it (its regular
            // expressions, its IN lists) once per record and check, 20-odd times over.
            // Each column ends with a comment naming its check's code (for a reader of the
            // query in a dbt project); a code is letters and digits only, so nothing in a
            // rules file can end the comment.
            let last = checks.len();
            let judged: Vec<String> = checks
                .iter()
                .enumerate()
                .map(|(n, c)| {
                    let code: String = if c.code.starts_with("CASE") {
                        "REQ001-REQ003".to_string()
                    } else {
                        c.code.chars().filter(char::is_ascii_alphanumeric).collect()
                    };
                    let comma = if n + 1 < last { "," } else { "" };
                    format!("({}) AS pl_w{}{comma} -- {code}", c.when, n + 1)
                })
                .collect();
            let _ = writeln!(
                q,
                "judged AS (\n  SELECT ranked.*,\n    {}\n  FROM ranked\n),",
                judged.join("\n    ")
            );
        }
        let _ = writeln!(q, "findings AS (");
        if checks.is_empty() {
            // No check to run: the same columns, no rows.
            let text = format!("CAST(NULL AS {})", self.d.text_type());
            let _ = writeln!(
                q,
                "  SELECT {text} AS code, {text} AS severity, {text} AS record_id, {text} AS field, {text} AS col, CAST(NULL AS BIGINT) AS line, {text} AS message FROM ranked WHERE FALSE"
            );
        }
        if !checks.is_empty() {
            // One scan of `ranked`: each row meets the list of checks (a constant table
            // of their numbers) and keeps a row per check that holds. A union of one SELECT
            // per check would read `ranked` once per check on engines that inline a CTE
            // (Spark, DuckDB), with its windows each time.
            let per = |what: &dyn Fn(&Check) -> String| {
                let arms: Vec<String> = checks
                    .iter()
                    .enumerate()
                    .map(|(n, c)| format!("WHEN {} THEN {}", n + 1, what(c)))
                    .collect();
                format!("CASE pl_check\n      {}\n    END", arms.join("\n      "))
            };
            let code = per(&|c: &Check| {
                if c.code.starts_with("CASE") {
                    c.code.clone()
                } else {
                    self.lit(&c.code)
                }
            });
            let _ = writeln!(
                q,
                "  SELECT\n    {code} AS code,\n    {} AS severity,\n    NULLIF(pl_id, '') AS record_id,\n    {} AS field,\n    {} AS col,\n    pl_line AS line,\n    {} AS message",
                per(&|c: &Check| c.severity.clone()),
                per(&|c: &Check| c.field.clone()),
                per(&|c: &Check| c.column.clone()),
                per(&|c: &Check| c.message.clone()),
            );
            let _ = writeln!(
                q,
                "  FROM judged CROSS JOIN {}\n  WHERE CASE pl_check\n      {}\n      ELSE FALSE\n    END",
                self.d.numbers("pl_checks", "pl_check", checks.len()),
                (1..=checks.len())
                    .map(|n| format!("WHEN {n} THEN pl_w{n}"))
                    .collect::<Vec<_>>()
                    .join("\n      ")
            );
        }
        let _ = writeln!(q, ")");
        q
    }
}

/// What [`Compiler::typed`] writes: the select items of the `matched`, `grouped`, `parted`
/// steps, the values of `checked` and the rounded amounts of `stated` (each value item
/// after a comma).
struct Typed {
    matched: Vec<String>,
    grouped: Vec<String>,
    parts: Vec<String>,
    values: String,
    rounded: String,
}

/// Whether `cell` holds a letter or digit (a name that names something).
fn names_something(d: super::dialect::Dialect, cell: &str) -> String {
    super::pattern::Compiled::<()>::new(d, &[super::pattern::raw("[[:alnum:]]")]).matches(cell)
}
