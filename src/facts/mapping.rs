//! Mapping columns: which header holds each field the rules talk about.
//!
//! The [`FieldTable`] is built once from the rules and is the same for every file (findings
//! and completeness refer to fields by their index in it); a [`Mapping`] binds it to one
//! file's header. References the user's rules make must resolve (IN001, or "neither canonical
//! nor a header"); references only a preset makes are optional and skipped with a note.

use crate::field::{Canonical, FieldName, FieldType};
use crate::input::Header;
use crate::rules::{Origin, RuleSet};
use crate::suggest;

/// One field the audit knows about.
#[derive(Clone, Debug)]
pub(crate) struct FieldEntry {
    pub(crate) name: FieldName,
    /// Index of its `[fields]` entry, if any.
    pub(crate) rule: Option<usize>,
    pub(crate) kind: FieldType,
    pub(crate) weight: u32,
    /// Where the rules name this field; the user's references must resolve.
    pub(crate) refs: Vec<Origin>,
}

/// Every field the rules name, canonical ones first.
#[derive(Clone, Debug)]
pub(crate) struct FieldTable {
    pub(crate) entries: Vec<FieldEntry>,
}

/// Index into [`FieldTable::entries`].
pub(crate) type FieldId = usize;

impl FieldTable {
    pub(crate) fn new(rules: &RuleSet) -> FieldTable {
        let entries: Vec<FieldEntry> = Canonical::ALL
            .iter()
            .map(|&c| FieldEntry {
                name: FieldName::Canonical(c),
                rule: None,
                kind: c.default_type(),
                weight: 1,
                refs: Vec::new(),
            })
            .collect();
        let mut table = FieldTable { entries };
        for (i, f) in rules.fields.iter().enumerate() {
            let id = table.intern(&f.name);
            let e = &mut table.entries[id];
            e.rule = Some(i);
            e.kind = f.kind;
            e.weight = f.weight;
            e.refs.push(f.at.clone());
        }
        let refs = rules
            .stages
            .iter()
            .flat_map(|s| s.requires.iter())
            .chain(rules.rules.iter().flat_map(|r| r.requires.iter()))
            .chain(
                rules
                    .rules
                    .iter()
                    .flat_map(|r| r.conditions().map(|c| &c.field)),
            );
        for r in refs {
            let id = table.intern(&r.name);
            table.entries[id].refs.push(r.at.clone());
        }
        table
    }

    /// The id of a field, adding header fields on first sight. Names are canonical already
    /// (the rules resolved them against `[columns]`), so equal names are one field.
    fn intern(&mut self, name: &FieldName) -> FieldId {
        if let Some(i) = self.entries.iter().position(|e| &e.name == name) {
            return i;
        }
        self.entries.push(FieldEntry {
            name: name.clone(),
            rule: None,
            kind: FieldType::Text,
            weight: 1,
            refs: Vec::new(),
        });
        self.entries.len() - 1
    }

    pub(crate) fn id(&self, name: &FieldName) -> Option<FieldId> {
        self.entries
            .iter()
            .position(|e| &e.name == name)
            .or_else(|| match name {
                FieldName::Header(h) => self.entries.iter().position(|e| match &e.name {
                    FieldName::Header(x) => x.eq_ignore_ascii_case(h),
                    _ => false,
                }),
                _ => None,
            })
    }

    pub(crate) fn canonical(&self, c: Canonical) -> FieldId {
        c as usize
    }

    pub(crate) fn name(&self, id: FieldId) -> &str {
        self.entries.get(id).map_or("?", |e| e.name.as_str())
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// Which column of one file holds each field.
#[derive(Clone, Debug)]
pub(crate) struct Mapping {
    /// Per [`FieldId`]: the 0-based column, if the file has the field.
    pub(crate) columns: Vec<Option<usize>>,
    /// Fields a preset uses that this file lacks (their checks are skipped).
    pub(crate) skipped: Vec<FieldId>,
    /// Fields whose column is empty on every row the file was sampled on (IN010), with the
    /// column: no longer read, so that no check or signal judges deals by it.
    pub(crate) empty: Vec<(FieldId, usize)>,
}

impl Mapping {
    pub(crate) fn column(&self, id: FieldId) -> Option<usize> {
        self.columns.get(id).copied().flatten()
    }

    /// Stop reading the `empty` columns (see [`Mapping::empty`]).
    pub(crate) fn drop_empty(&mut self, empty: &[usize]) {
        for (id, column) in self.columns.iter_mut().enumerate() {
            if let Some(c) = column.filter(|c| empty.contains(c)) {
                self.empty.push((id, c));
                *column = None;
            }
        }
    }
}

/// Bind the field table to a header. Errors (one line each) make the audit impossible.
pub(crate) fn bind(
    rules: &RuleSet,
    table: &FieldTable,
    header: &Header,
    file: &str,
) -> Result<Mapping, Vec<String>> {
    let mut columns = vec![None; table.len()];
    let mut errors = Vec::new();
    let mut missing_mapped: Vec<String> = Vec::new();
    let headers: Vec<&str> = header.cells.iter().map(String::as_str).collect();

    let mut implicit = Vec::new();
    for (id, entry) in table.entries.iter().enumerate() {
        columns[id] = match &entry.name {
            FieldName::Canonical(c) => match rules.columns.iter().find(|col| col.field == *c) {
                Some(col) => header.find_any(&col.headers),
                // No [columns] entry: a header spelled like the canonical name maps itself.
                None => {
                    implicit.push(id);
                    header.find(c.as_str())
                }
            },
            FieldName::Header(h) => header.find(h),
        };
    }
    // ...unless [columns] gives that column to another field (`stage = "Close Date"` in an
    // export whose "Close Date" holds stages): what the rules say outranks a spelling.
    for &id in &implicit {
        let Some(column) = columns[id] else { continue };
        let claimed = rules.columns.iter().any(|col| {
            Some(column) == header.find_any(&col.headers) && table.canonical(col.field) != id
        });
        if claimed {
            columns[id] = None;
        }
    }

    // Columns the user's [columns] names must exist.
    for col in &rules.columns {
        let id = table.canonical(col.field);
        if columns[id].is_none() && rules.is_user(&col.at) {
            let at = format!("named at {}", rules.locate(&col.at));
            missing_mapped.push(describe_missing(
                col.field.as_str(),
                &col.headers,
                &headers,
                &at,
            ));
        }
    }
    let stage_id = table.canonical(Canonical::Stage);
    let mut skipped = Vec::new();
    for (id, entry) in table.entries.iter().enumerate() {
        if columns[id].is_some() {
            continue;
        }
        let user_ref = entry.refs.iter().find(|at| rules.is_user(at));
        let needed_stage = id == stage_id && !rules.stages.is_empty();
        match (&entry.name, user_ref) {
            (FieldName::Header(h), Some(at)) => {
                let mut candidates: Vec<&str> = headers.clone();
                for name in Canonical::names() {
                    candidates.push(name);
                }
                errors.push(format!(
                    "{}: `{h}` is neither a canonical field nor a header of {file}{}",
                    rules.locate(at),
                    suggest::hint(h, candidates)
                ));
            }
            (FieldName::Canonical(c), _) if needed_stage || user_ref.is_some() => {
                let already = rules
                    .columns
                    .iter()
                    .any(|col| col.field == *c && rules.is_user(&col.at));
                if !already {
                    let names: Vec<String> = rules
                        .columns
                        .iter()
                        .find(|col| col.field == *c)
                        .map(|col| col.headers.clone())
                        .unwrap_or_else(|| vec![c.as_str().to_string()]);
                    let at = match user_ref {
                        Some(at) => format!("named at {}", rules.locate(at)),
                        None => "needed to audit stages".to_string(),
                    };
                    missing_mapped.push(describe_missing(c.as_str(), &names, &headers, &at));
                }
            }
            _ if !entry.refs.is_empty() => skipped.push(id),
            _ => {}
        }
    }
    if !missing_mapped.is_empty() {
        let n = missing_mapped.len();
        let mut message = format!(
            "{file}: {n} mapped column{} missing (IN001); map the export's headers in [columns] or re-export with the column{}:",
            if n == 1 { " is" } else { "s are" },
            if n == 1 { "" } else { "s" },
        );
        for m in &missing_mapped {
            message.push_str("\n  ");
            message.push_str(m);
        }
        if let Some(hint) = header.delimiter_hint() {
            message.push_str("\n  ");
            message.push_str(&hint);
        }
        errors.insert(0, message);
    }
    // One column is one field: two fields reading the same column would count it twice.
    for (a, col_a) in columns.iter().enumerate() {
        let Some(col_a) = col_a else { continue };
        if let Some(b) = (a + 1..columns.len()).find(|&b| columns[b] == Some(*col_a)) {
            errors.push(format!(
                "{file}: fields `{}` and `{}` both read the column `{}`; map each field to its own column in [columns]",
                table.name(a),
                table.name(b),
                header.cells.get(*col_a).map_or("?", String::as_str)
            ));
        }
    }
    if errors.is_empty() {
        Ok(Mapping {
            columns,
            skipped,
            empty: Vec::new(),
        })
    } else {
        Err(errors)
    }
}

/// `field: "Header" or "Other" (named at rules.toml:3:1); closest headers: A, B, C`.
fn describe_missing(field: &str, names: &[String], headers: &[&str], at: &str) -> String {
    let wanted = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(" or ");
    let mut near: Vec<&str> = Vec::new();
    for n in names.iter().map(String::as_str).chain([field]) {
        for h in suggest::closest(n, headers.iter().copied(), 3) {
            if !near.contains(&h) {
                near.push(h);
            }
        }
    }
    near.truncate(3);
    if near.is_empty() {
        format!("{field}: {wanted} ({at})")
    } else {
        format!(
            "{field}: {wanted} ({at}); closest headers: {}",
            near.join(", ")
        )
    }
}
