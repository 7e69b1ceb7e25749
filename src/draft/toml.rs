//! A commented TOML document written top to bottom with the `toml_edit` document API: tables
//! and keys in order, comment lines (which sit before whatever comes next) and trailing
//! comments on keys. `toml_edit` quotes keys and strings and escapes what needs escaping;
//! this only decides where comments go.

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

/// Where keys are written.
enum At {
    Nowhere,
    Table(String),
    /// The last `[[name]]` element.
    Element(String),
}

pub(super) struct Toml {
    doc: DocumentMut,
    at: At,
    /// Comment lines and blank lines waiting for the next table or key.
    pending: String,
    position: isize,
}

/// A value for [`Toml::set`]. Text holding a line break or another control character is
/// written as one basic string with escapes (`"a\nb"`), never as a multi-line string: a
/// reader of the draft sees every value on its own line, and no line of export text starts
/// a line of the file.
pub(super) fn text(s: &str) -> Value {
    if !s.chars().any(char::is_control) {
        return Value::from(s);
    }
    let mut basic = String::with_capacity(s.len() + 2);
    basic.push('"');
    for ch in s.chars() {
        match ch {
            '"' => basic.push_str("\\\""),
            '\\' => basic.push_str("\\\\"),
            '\n' => basic.push_str("\\n"),
            '\r' => basic.push_str("\\r"),
            '\t' => basic.push_str("\\t"),
            c if c.is_control() => basic.push_str(&format!("\\u{:04X}", c as u32)),
            c => basic.push(c),
        }
    }
    basic.push('"');
    basic.parse::<Value>().unwrap_or_else(|_| Value::from(s))
}

/// A number as a person writes it: an integer when whole (`10`, not `10.0`).
pub(super) fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}

/// An array of strings on one line.
pub(super) fn list<S: AsRef<str>>(items: &[S]) -> Value {
    let mut array = Array::new();
    for s in items {
        array.push_formatted(text(s.as_ref()));
    }
    array.fmt();
    Value::Array(array)
}

/// An inline table `{ a = 1, b = "x" }`, keys in the order given.
pub(super) fn inline(entries: Vec<(&str, Value)>) -> Value {
    let mut t = InlineTable::new();
    for (k, v) in entries {
        t.insert(k, v);
    }
    t.fmt();
    Value::InlineTable(t)
}

/// Text shown in a `#` comment: on one line, whatever it holds. Every comment the draft
/// writes goes through here ([`Toml::comment`] and the trailing comments of keys), so that
/// no value of the export (a stage named "x\n[checks]\nVAL006 = \"off\"") can end a comment
/// and write TOML of its own. A TOML comment ends only at a line break, and may hold no
/// control character but tab: both are replaced. Unicode line and paragraph separators are
/// not TOML line breaks, but editors show them as such: they are replaced too.
pub(super) fn one_line(s: &str) -> String {
    s.chars()
        .map(|ch| {
            if ch.is_control() || matches!(ch, '\u{2028}' | '\u{2029}' | '\u{85}') {
                ' '
            } else {
                ch
            }
        })
        .collect()
}

impl Toml {
    pub(super) fn new() -> Toml {
        Toml {
            doc: DocumentMut::new(),
            at: At::Nowhere,
            pending: String::new(),
            position: 0,
        }
    }

    /// A `# ` comment line before whatever comes next.
    pub(super) fn comment(&mut self, line: &str) {
        self.pending.push_str("# ");
        self.pending.push_str(&one_line(line));
        self.pending.push('\n');
    }

    /// A blank line before whatever comes next.
    pub(super) fn blank(&mut self) {
        self.pending.push('\n');
    }

    fn header(&mut self, comment: Option<&str>) -> Table {
        let mut t = Table::new();
        t.set_position(Some(self.position));
        self.position += 1;
        // Tables are set apart by a blank line.
        let prefix = format!("{}\n", std::mem::take(&mut self.pending));
        t.decor_mut().set_prefix(prefix);
        if let Some(c) = comment {
            t.decor_mut().set_suffix(format!("  # {}", one_line(c)));
        }
        t
    }

    /// Start `[name]`, with a comment on its header line.
    pub(super) fn table(&mut self, name: &str, comment: Option<&str>) {
        let t = self.header(comment);
        self.doc.insert(name, Item::Table(t));
        self.at = At::Table(name.to_string());
    }

    /// Start a new `[[name]]` element.
    pub(super) fn element(&mut self, name: &str) {
        let t = self.header(None);
        match self.doc.get_mut(name) {
            Some(Item::ArrayOfTables(a)) => a.push(t),
            _ => {
                let mut a = ArrayOfTables::new();
                a.push(t);
                self.doc.insert(name, Item::ArrayOfTables(a));
            }
        }
        self.at = At::Element(name.to_string());
    }

    fn current(&mut self) -> Option<&mut Table> {
        match &self.at {
            At::Nowhere => None,
            At::Table(name) => self.doc.get_mut(name)?.as_table_mut(),
            At::Element(name) => self
                .doc
                .get_mut(name)?
                .as_array_of_tables_mut()?
                .iter_mut()
                .last(),
        }
    }

    /// `key = value` in the current table, with a trailing comment after `pad` spaces.
    pub(super) fn set_padded(&mut self, key: &str, value: Value, comment: Option<(&str, usize)>) {
        let prefix = std::mem::take(&mut self.pending);
        let Some(table) = self.current() else {
            return;
        };
        let mut value = value;
        value.decor_mut().set_prefix(" ");
        if let Some((c, pad)) = comment {
            value
                .decor_mut()
                .set_suffix(format!("{}  # {}", " ".repeat(pad), one_line(c)));
        }
        table.insert(key, Item::Value(value));
        if let Some(mut k) = table.key_mut(key) {
            k.leaf_decor_mut().set_prefix(prefix);
        }
    }

    /// `key = value` in the current table, with an optional trailing comment.
    pub(super) fn set(&mut self, key: &str, value: Value, comment: Option<&str>) {
        self.set_padded(key, value, comment.map(|c| (c, 0)));
    }

    /// Lines `key = value  # comment` with their comments aligned (lines longer than 60
    /// characters do not push the others out).
    pub(super) fn set_aligned(&mut self, lines: Vec<(String, Value, String)>) {
        let width_of = |k: &str, v: &Value| -> usize {
            let key = toml_edit::Key::new(k).display_repr().into_owned();
            let mut v = v.clone();
            v.decor_mut().clear();
            key.chars().count() + 3 + v.to_string().chars().count()
        };
        let width = lines
            .iter()
            .map(|(k, v, _)| width_of(k, v))
            .filter(|w| *w <= 60)
            .max()
            .unwrap_or(0);
        for (k, v, comment) in lines {
            let pad = width.saturating_sub(width_of(&k, &v));
            self.set_padded(&k, v, Some((&comment, pad)));
        }
    }

    pub(super) fn finish(mut self) -> String {
        let trailing = std::mem::take(&mut self.pending);
        self.doc.set_trailing(trailing);
        self.doc.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_sit_before_what_follows() {
        let mut t = Toml::new();
        t.comment("drafted");
        t.table("input", None);
        t.comment("dates");
        t.set("date_formats", list(&["%d.%m.%Y"]), None);
        t.set("decimal", text(","), Some("read from the values"));
        t.table("fields", None);
        t.set_aligned(vec![
            (
                "amount".into(),
                inline(vec![("min", number(0.0))]),
                "98% filled".into(),
            ),
            (
                "Lead Source".into(),
                inline(vec![("required", Value::from(true))]),
                "x".into(),
            ),
        ]);
        t.element("stages");
        t.set("name", text("Closed \"Won\""), Some("12 deals"));
        t.set("probability", number(12.5), None);
        t.comment("max_days = 30");
        t.blank();
        t.comment("end");
        let out = t.finish();
        assert_eq!(
            out,
            "# drafted\n\n[input]\n# dates\ndate_formats = [\"%d.%m.%Y\"]\ndecimal = \",\"  # read from the values\n\n[fields]\namount = { min = 0 }                 # 98% filled\n\"Lead Source\" = { required = true }  # x\n\n[[stages]]\nname = 'Closed \"Won\"'  # 12 deals\nprobability = 12.5\n# max_days = 30\n\n# end\n"
        );
        let parsed: toml::Table = toml::from_str(&out).expect("valid TOML");
        assert_eq!(parsed["stages"][0]["name"].as_str(), Some("Closed \"Won\""));
    }
}
