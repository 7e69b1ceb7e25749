//! Problems found in a rules file, each pointing at file:line:column.

use std::fmt;
use std::ops::Range;

/// The text of one rules document and the name it is reported under (a path or `preset:x`).
#[derive(Clone, Debug)]
pub(crate) struct RulesText {
    pub(crate) name: String,
    pub(crate) text: String,
}

impl RulesText {
    /// 1-based line and column (in characters) of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Which rules document a span refers to: the user's file or a built-in preset.
pub(crate) type DocId = usize;

/// One thing wrong with the rules, where it is, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) doc: DocId,
    pub(crate) span: Option<Range<usize>>,
    pub(crate) message: String,
}

/// Every problem found, with the documents needed to locate them.
#[derive(Debug)]
pub(crate) struct RulesError {
    pub(crate) docs: Vec<RulesText>,
    pub(crate) problems: Vec<Problem>,
}

impl RulesError {
    pub(crate) fn located(&self) -> Vec<String> {
        let mut items: Vec<(usize, String, usize, usize, &str)> = self
            .problems
            .iter()
            .map(|p| {
                let doc = &self.docs[p.doc.min(self.docs.len().saturating_sub(1))];
                let (line, col) = p
                    .span
                    .as_ref()
                    .map_or((0, 0), |span| doc.line_col(span.start));
                (p.doc, doc.name.clone(), line, col, p.message.as_str())
            })
            .collect();
        items.sort_by(|a, b| (a.0, a.2, a.3, a.4).cmp(&(b.0, b.2, b.3, b.4)));
        items.dedup();
        items
            .into_iter()
            .map(|(_, name, line, col, message)| {
                if line == 0 {
                    format!("{name}: {message}")
                } else {
                    format!("{name}:{line}:{col}: {message}")
                }
            })
            .collect()
    }
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines = self.located();
        let n = lines.len();
        let name = self.docs.first().map_or("rules", |d| d.name.as_str());
        if n == 1 {
            write!(f, "invalid rules in {name}:")?;
        } else {
            write!(f, "{n} problems in the rules ({name}):")?;
        }
        for line in lines {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RulesError {}

/// Collects problems while a rules document is walked, so that all are reported at once.
#[derive(Default, Debug)]
pub(crate) struct Problems {
    pub(crate) items: Vec<Problem>,
}

impl Problems {
    pub(crate) fn push(&mut self, doc: DocId, span: Range<usize>, message: impl Into<String>) {
        self.items.push(Problem {
            doc,
            span: Some(span),
            message: message.into(),
        });
    }

    pub(crate) fn push_unlocated(&mut self, doc: DocId, message: impl Into<String>) {
        self.items.push(Problem {
            doc,
            span: None,
            message: message.into(),
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let doc = RulesText {
            name: "r.toml".into(),
            text: "a = 1\n# é\nbé = 2\n".into(),
        };
        assert_eq!(doc.line_col(0), (1, 1));
        assert_eq!(doc.line_col(6), (2, 1));
        let pos = doc.text.find("= 2").unwrap();
        assert_eq!(doc.line_col(pos), (3, 4));
    }
}
