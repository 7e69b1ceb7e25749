//! The owners lookup of `[input] owners = "users.csv"`: a CSV mapping the user ids an org
//! dump writes as its owners (`00546000001l1cJAAQ`, HubSpot's `hubspot_owner_id`, Pipedrive's
//! numbers) to the names a pipeline meeting knows, as Salesforce's User export gives it:
//!
//! ```text
//! Id,Name
//! 00546000001l1cJAAQ,Priya Raman
//! ```
//!
//! Columns are found by name in any order (`Id`/`UserId`/`OwnerId`, `Name`/`FullName`; any
//! case, spaces and underscores ignored), other columns ignored; a file of exactly two
//! columns under other names is read as id, name. Every problem names the file and the line.
//!
//! Salesforce writes one user's id in 15 characters (case-sensitive, in reports) or 18 (a
//! case-safe suffix added, in the API and data exports), so an org dump and a User export
//! taken another way still meet: both are keyed by the first 15 characters ([`id_key`]).

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

/// Header names of the id column, folded (lower case, letters and digits), in preference.
const ID: &[&str] = &["id", "userid", "ownerid", "hubspotownerid"];
/// Header names of the name column, folded, in preference (`Username` is a login, not one).
const NAME: &[&str] = &["name", "fullname", "ownername", "displayname"];

/// Owner ids and the names they stand for, read once per run.
#[derive(Clone, Debug)]
pub(crate) struct OwnerNames {
    /// The file as the run reads it (relative to the rules file).
    pub(crate) path: PathBuf,
    /// [`id_key`] of each id → its name.
    names: FxHashMap<Box<str>, Box<str>>,
}

impl OwnerNames {
    /// The name the lookup gives an owner cell (trimmed), if it holds a known id.
    pub(crate) fn name_of(&self, owner: &str) -> Option<&str> {
        if self.names.is_empty() {
            return None;
        }
        self.names.get(id_key(owner)).map(|n| &**n)
    }

    /// Every id key and its name, sorted by key (a query compiled from them reads the same
    /// on every run).
    pub(crate) fn pairs(&self) -> Vec<(&str, &str)> {
        let mut pairs: Vec<(&str, &str)> = self.names.iter().map(|(k, v)| (&**k, &**v)).collect();
        pairs.sort_unstable();
        pairs
    }

    /// The file's name as messages show it.
    pub(crate) fn shown(&self) -> String {
        self.path.display().to_string()
    }

    /// Read the lookup at `path`; the error says what is wrong with the file and how to fix
    /// it, naming it (and the line).
    pub(crate) fn read(path: &Path) -> Result<OwnerNames, String> {
        let shown = path.display();
        let bytes = std::fs::read(path).map_err(|e| {
            format!(
                "cannot read the owners lookup file {shown}: {e}; write its path relative to the \
                 rules file, or as an absolute path"
            )
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let line = super::side::not_utf8_line(&e);
            format!("the owners lookup file {shown}:{line} is not UTF-8; save it as UTF-8 CSV")
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut reader = super::side::reader(text);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| {
                format!("the owners lookup file {shown}:1: {e}; save it as a CSV with a header row such as Id,Name")
            })?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let (id, name) = columns(&header).map_err(|why| {
            format!("the owners lookup file {shown}:1 {why}; give it a header row such as Id,Name")
        })?;
        let mut names: FxHashMap<Box<str>, Box<str>> = FxHashMap::default();
        let mut first_line: FxHashMap<Box<str>, u64> = FxHashMap::default();
        for record in reader.records() {
            let record = record.map_err(|e| {
                format!(
                    "the owners lookup file {shown}: {e}; save it as a CSV, one id and name a row"
                )
            })?;
            let line = record.position().map_or(0, |p| p.line());
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let cell = |i: usize| record.get(i).map_or("", str::trim);
            let (who, called) = (cell(id), cell(name));
            if who.is_empty() {
                return Err(format!(
                    "{shown}:{line}: the owners lookup has a name ({called}) without an id in \
                     column {}; fill it or remove the row",
                    header[id]
                ));
            }
            if called.is_empty() {
                return Err(format!(
                    "{shown}:{line}: the owners lookup has no name for `{who}` in column {}; fill \
                     it or remove the row",
                    header[name]
                ));
            }
            let key = id_key(who);
            match names.get(key) {
                Some(before) if **before != *called => {
                    let at = first_line.get(key).copied().unwrap_or(0);
                    return Err(format!(
                        "{shown}:{line}: `{who}` is named {called}, but line {at} names the same \
                         user {before}; keep one row per user"
                    ));
                }
                Some(_) => {}
                None => {
                    names.insert(key.into(), called.into());
                    first_line.insert(key.into(), line);
                }
            }
        }
        if names.is_empty() {
            return Err(format!(
                "the owners lookup file {shown} names no owner; write one id and name a row under \
                 its header (Salesforce's User export: Id,Name)"
            ));
        }
        Ok(OwnerNames {
            path: path.to_path_buf(),
            names,
        })
    }
}

/// The id and name columns of a lookup's header, or what is wrong with it.
fn columns(header: &[String]) -> Result<(usize, usize), String> {
    let fold = |h: &str| -> String {
        h.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let folded: Vec<String> = header.iter().map(|h| fold(h)).collect();
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| folded.iter().position(|h| h == n))
    };
    if header.iter().all(|h| h.is_empty()) {
        return Err("is empty".to_string());
    }
    if let Some(cell) = header.first().filter(|h| looks_like_user_id(h)) {
        return Err(format!("starts with the id {cell}, not a header"));
    }
    match (find(ID), find(NAME), header.len()) {
        (Some(id), Some(name), _) if id != name => Ok((id, name)),
        // Two columns, one named otherwise: the other one.
        (Some(id), None, 2) => Ok((id, 1 - id)),
        (None, Some(name), 2) => Ok((1 - name, name)),
        // Two columns named otherwise: id, then name, as the rules reference says.
        (None, None, 2) => Ok((0, 1)),
        _ => Err(format!(
            "has no id and name columns (looked for Id, UserId, OwnerId and Name, FullName); its \
             header is {}",
            header.join(", ")
        )),
    }
}

/// The key an owner id is looked up by: a Salesforce 18-character id (letters and digits,
/// not all digits) by its first 15 characters, which are the same user's 15-character id;
/// anything else as written.
pub(crate) fn id_key(id: &str) -> &str {
    let b = id.as_bytes();
    if b.len() == 18 && b.iter().all(u8::is_ascii_alphanumeric) && !b.iter().all(u8::is_ascii_digit)
    {
        &id[..15]
    } else {
        id
    }
}

/// Whether an owner cell (trimmed) is a user id rather than a name: a Salesforce user id
/// (15 or 18 letters and digits starting `005`), or a number (HubSpot's `hubspot_owner_id`,
/// Pipedrive's user ids).
pub(crate) fn looks_like_user_id(owner: &str) -> bool {
    let b = owner.as_bytes();
    let salesforce = matches!(b.len(), 15 | 18)
        && owner.starts_with("005")
        && b.iter().all(u8::is_ascii_alphanumeric);
    salesforce || (!b.is_empty() && b.iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: impl AsRef<[u8]>) -> Result<OwnerNames, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let p = dir.path().join("users.csv");
        std::fs::write(&p, text).map_err(|e| e.to_string())?;
        OwnerNames::read(&p).map_err(|e| e.replace(&*p.to_string_lossy(), "users.csv"))
    }

    #[test]
    fn ids_are_read_by_column_name_in_any_order() -> Result<(), String> {
        let o = read_text(
            "Email;FullName;UserId\np@x.io;Priya Raman;00546000001l1cJAAQ\n;;\nd@x.io; Dana Whitfield ;52791234\n",
        )?;
        assert_eq!(o.name_of("00546000001l1cJAAQ"), Some("Priya Raman"));
        assert_eq!(o.name_of("52791234"), Some("Dana Whitfield"));
        assert_eq!(o.name_of("Priya Raman"), None);
        assert_eq!(
            o.pairs(),
            vec![
                ("00546000001l1cJ", "Priya Raman"),
                ("52791234", "Dana Whitfield")
            ]
        );
        // Two columns under other names: id, name; one of them named: the other is the other.
        let o = read_text("user,full\n7,Ann Lee\n")?;
        assert_eq!(o.name_of("7"), Some("Ann Lee"));
        let o = read_text("Owner,Owner Id\nAnn Lee,7\n")?;
        assert_eq!(o.name_of("7"), Some("Ann Lee"));
        Ok(())
    }

    #[test]
    fn a_users_15_and_18_character_ids_meet() -> Result<(), String> {
        let o = read_text("Id,Name\n00546000001l1cJ,Priya Raman\n00546000001l1cKAAQ,Dana\n")?;
        assert_eq!(o.name_of("00546000001l1cJAAQ"), Some("Priya Raman"));
        assert_eq!(o.name_of("00546000001l1cJ"), Some("Priya Raman"));
        assert_eq!(o.name_of("00546000001l1cK"), Some("Dana"));
        // Case matters in a 15-character id; 18 digits are a number, not a Salesforce id.
        assert_eq!(o.name_of("00546000001L1CJ"), None);
        assert_eq!(id_key("123456789012345678"), "123456789012345678");
        Ok(())
    }

    #[test]
    fn a_malformed_lookup_says_where_and_what_to_do() {
        let err = |text: &str| read_text(text).err().unwrap_or_default();
        assert_eq!(
            err("Id,Email,Phone\n1,a,b\n"),
            "the owners lookup file users.csv:1 has no id and name columns (looked for Id, \
             UserId, OwnerId and Name, FullName); its header is Id, Email, Phone; give it a \
             header row such as Id,Name"
        );
        assert_eq!(
            err("00546000001l1cJAAQ,Priya Raman\n"),
            "the owners lookup file users.csv:1 starts with the id 00546000001l1cJAAQ, not a \
             header; give it a header row such as Id,Name"
        );
        assert_eq!(
            err("Id,Name\n1,Ann\n2\n"),
            "users.csv:3: the owners lookup has no name for `2` in column Name; fill it or \
             remove the row"
        );
        assert_eq!(
            err("Id,Name\n00546000001l1cJAAQ,Ann\n00546000001l1cJ,Bo\n"),
            "users.csv:3: `00546000001l1cJ` is named Bo, but line 2 names the same user Ann; \
             keep one row per user"
        );
        assert!(err("Id,Name\n").contains("names no owner"));
        assert!(err("").contains("users.csv:1 is empty"));
        assert_eq!(
            read_text(b"Id,Name\n1,Ann\n2,Jos\xe9\n")
                .err()
                .unwrap_or_default(),
            "the owners lookup file users.csv:3 is not UTF-8; save it as UTF-8 CSV"
        );
        let missing = OwnerNames::read(Path::new("no/such/users.csv")).err();
        assert!(missing.is_some_and(|e| {
            e.starts_with("cannot read the owners lookup file no/such/users.csv: ")
                && e.ends_with("relative to the rules file, or as an absolute path")
        }),);
    }

    #[test]
    fn user_ids_are_told_from_names() {
        for id in ["00546000001l1cJAAQ", "00546000001l1cJ", "52791234", "7"] {
            assert!(looks_like_user_id(id), "{id}");
        }
        for name in ["Priya Raman", "00G46000001l1cJAAQ", "E-123", "", "005 Team"] {
            assert!(!looks_like_user_id(name), "{name}");
        }
    }
}
