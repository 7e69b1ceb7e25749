//! The shared vocabulary of findings, below both `rules` and `checks`: codes and their
//! severities, a finding and what it is about, the per-code settings (`[checks]`, `--select`,
//! `--ignore`), and the one [`FindingSink`] every check pushes through, which applies those
//! settings once, as cargo-deny's diagnostic sink does.

mod code;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub use code::Code;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Severity, String> {
        match s {
            "error" => Ok(Severity::Error),
            "warning" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            other => Err(format!(
                "unknown severity `{other}`{}",
                crate::suggest::hint_then(
                    other,
                    ["error", "warning", "info"],
                    "use error, warning or info"
                )
            )),
        }
    }
}

/// What a finding is about: a deal, or a row that is not one (a malformed row, a header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Subject {
    /// Index into the audit's deals.
    Deal(u32),
    /// Index into the audit's other rows ([`RowRef`]).
    Row(u32),
}

/// A finding's message: stored text, or words rebuilt from the deal's facts when the finding
/// is shown (by the wording its check registered), which keeps the millions of findings a
/// messy pipeline produces free of per-finding text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Message {
    /// Index into the audit's stored messages.
    Stored(u32),
    /// Rebuilt from the deal; the payload is the check's own (see each family's wording).
    Derived(u32),
}

/// One thing wrong with one record (or with the file): 24 bytes. Its file, line, record id
/// and column come from its subject; its message from [`Message`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) subject: Subject,
    pub(crate) message: Message,
    /// The field (index into the field table), or [`NO_FIELD`].
    pub(crate) field: u16,
    pub(crate) code: Code,
    pub(crate) severity: Severity,
}

/// `Finding::field` when the finding is about no field of the field table.
pub(crate) const NO_FIELD: u16 = u16::MAX;

impl Finding {
    pub(crate) fn field(&self) -> Option<usize> {
        (self.field != NO_FIELD).then_some(usize::from(self.field))
    }
}

/// A record a finding is about that is not a deal: where it is, the id as read, and the
/// column the finding concerns (a duplicated header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RowRef {
    pub(crate) file: u32,
    pub(crate) line: u64,
    pub(crate) record_id: Option<Box<str>>,
    pub(crate) column: Option<u32>,
    /// The previous snapshot's deal this row is (a deal that vanished, CHG004), by its
    /// index there: reports name it and its owner as the old file has them.
    pub(crate) previous_deal: Option<u32>,
}

/// A [`RowRef`] as the findings keep it: 24 bytes, its record id in the findings' `ids`
/// text. A file of a million malformed rows keeps a million of these; as `RowRef`s (40
/// bytes and a string each) they cost 40 MB more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StoredRow {
    pub(crate) file: u32,
    /// The column (below [`StoredRow::PREVIOUS`]); or, with that bit set, the previous
    /// snapshot's deal this row is (CHG004) by its index in the low 31 bits; `u32::MAX`
    /// when neither. A header has at most 16,384 columns, so the bit never clashes.
    column: u32,
    pub(crate) line: u64,
    /// Where the record id starts in `ids` (high 48 bits) and its length (low 16 bits; an id
    /// is a cell, at most 65,535 bytes).
    id: u64,
}

impl StoredRow {
    /// Store `row`, its record id appended to `ids`.
    fn store(row: RowRef, ids: &mut String) -> StoredRow {
        let id = row.record_id.as_deref().unwrap_or("");
        let mut len = id.len().min(usize::from(u16::MAX));
        while !id.is_char_boundary(len) {
            len -= 1;
        }
        let start = ids.len() as u64;
        ids.push_str(&id[..len]);
        let column = match (row.column, row.previous_deal) {
            (Some(c), _) => c.min(StoredRow::PREVIOUS - 1),
            (None, Some(d)) if d < StoredRow::PREVIOUS - 1 => StoredRow::PREVIOUS | d,
            _ => u32::MAX,
        };
        StoredRow {
            file: row.file,
            column,
            line: row.line,
            id: (start << 16) | len as u64,
        }
    }

    /// The same row with its id `offset` bytes further into the ids text.
    fn shifted(self, offset: usize) -> StoredRow {
        StoredRow {
            id: self.id + ((offset as u64) << 16),
            ..self
        }
    }

    /// The bit of [`StoredRow::column`] that says it holds a previous deal instead.
    const PREVIOUS: u32 = 1 << 31;

    pub(crate) fn column(&self) -> Option<u32> {
        (self.column & StoredRow::PREVIOUS == 0).then_some(self.column)
    }

    /// The previous snapshot's deal this row is (CHG004), by its index there.
    pub(crate) fn previous_deal(&self) -> Option<u32> {
        (self.column != u32::MAX && self.column & StoredRow::PREVIOUS != 0)
            .then_some(self.column & !StoredRow::PREVIOUS)
    }

    /// The record id as read (`ids` is the findings' text of ids), when there is one.
    pub(crate) fn record_id<'a>(&self, ids: &'a str) -> Option<&'a str> {
        let (start, len) = ((self.id >> 16) as usize, (self.id & 0xFFFF) as usize);
        ids.get(start..start + len).filter(|id| !id.is_empty())
    }
}

/// What `[checks]` makes of a code: off, or a fixed severity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CheckSetting {
    Off,
    Severity(Severity),
}

impl FromStr for CheckSetting {
    type Err = String;
    fn from_str(s: &str) -> Result<CheckSetting, String> {
        if s == "off" {
            return Ok(CheckSetting::Off);
        }
        s.parse::<Severity>()
            .map(CheckSetting::Severity)
            .map_err(|_| {
                format!(
                    "unknown setting `{s}`{}",
                    crate::suggest::hint_then(
                        s,
                        ["error", "warning", "info", "off"],
                        "use \"error\", \"warning\", \"info\" or \"off\""
                    )
                )
            })
    }
}

/// `[checks]`, `--select` and `--ignore` resolved once before the audit: each code is on
/// (with an optional fixed severity) or off.
#[derive(Clone, Debug)]
pub(crate) struct Policy {
    settings: Vec<Option<Option<Severity>>>,
}

impl Policy {
    /// `select`: only these codes or prefixes (`REQ`, `VAL00`) are on, if non-empty.
    /// `ignore`: these codes or prefixes are off. `checks`: per-code settings from the rules.
    pub(crate) fn new(
        checks: &[(Code, CheckSetting)],
        select: &[String],
        ignore: &[String],
    ) -> Policy {
        let matches = |code: Code, patterns: &[String]| {
            patterns
                .iter()
                .any(|p| code.as_str().starts_with(&p.trim().to_ascii_uppercase()))
        };
        let settings = Code::ALL
            .iter()
            .map(|&code| {
                let selected = select.is_empty() || matches(code, select);
                let ignored = matches(code, ignore);
                let configured = checks
                    .iter()
                    .rev()
                    .find(|(c, _)| *c == code)
                    .map(|(_, s)| s);
                if code.can_disable()
                    && (!selected || ignored || configured == Some(&CheckSetting::Off))
                {
                    None
                } else {
                    match configured {
                        Some(CheckSetting::Severity(s)) => Some(Some(*s)),
                        _ => Some(None),
                    }
                }
            })
            .collect();
        Policy { settings }
    }

    #[cfg(test)]
    pub(crate) fn all_on() -> Policy {
        Policy::new(&[], &[], &[])
    }

    fn slot(&self, code: Code) -> Option<Option<Severity>> {
        // `Code::ALL` lists the variants in declaration order.
        self.settings.get(code as usize).copied().flatten()
    }

    pub(crate) fn enabled(&self, code: Code) -> bool {
        self.slot(code).is_some()
    }

    /// The severity `[checks]` fixes for `code`, whatever the rules give its findings.
    pub(crate) fn fixed(&self, code: Code) -> Option<Severity> {
        self.slot(code).flatten()
    }

    /// Every code that is on, in code order.
    pub(crate) fn codes_on(&self) -> Vec<Code> {
        Code::ALL
            .iter()
            .copied()
            .filter(|&c| self.enabled(c))
            .collect()
    }

    /// The severity a finding of `code` is emitted with, or `None` when the code is off.
    /// `specific` is the severity the rules give this finding (a field's or a rule's own);
    /// a `[checks]` setting overrides it.
    pub(crate) fn severity(&self, code: Code, specific: Option<Severity>) -> Option<Severity> {
        match self.slot(code)? {
            Some(fixed) => Some(fixed),
            None => Some(specific.unwrap_or(code.default_severity())),
        }
    }

    /// Validate `--select`/`--ignore` patterns: each must be a code or a prefix of one.
    pub(crate) fn check_patterns(patterns: &[String]) -> Result<(), String> {
        for p in patterns {
            let upper = p.trim().to_ascii_uppercase();
            if upper.is_empty() || !Code::ALL.iter().any(|c| c.as_str().starts_with(&upper)) {
                return Err(format!(
                    "`{p}` is not a check code or a prefix of one{}",
                    crate::suggest::hint_then(
                        &upper,
                        Code::names(),
                        "`pipelint rules list` shows them all"
                    )
                ));
            }
        }
        Ok(())
    }
}

/// What a pushed finding is about.
#[derive(Clone, Debug)]
pub(crate) enum About {
    /// A deal, by its index in the sink's batch.
    Deal(u32),
    /// A row or header that is no deal.
    Row(RowRef),
}

/// What a pushed finding says: its text now, or a payload its check words it from later.
pub(crate) enum Says {
    Text(String),
    Derived(u32),
}

/// Where every check pushes its findings. It applies the policy once, as each finding
/// arrives: a switched-off code is dropped before its message is even worded, and a
/// `[checks]` severity replaces the check's own. Findings of one batch (or of the end of
/// the audit) collect here and are appended to the audit in input order.
#[derive(Debug)]
pub(crate) struct FindingSink<'p> {
    policy: &'p Policy,
    pub(crate) findings: Vec<Finding>,
    /// Subjects of findings about rows that are no deals.
    pub(crate) rows: Vec<StoredRow>,
    /// Their record ids, one after another.
    pub(crate) ids: String,
    /// Texts of findings with stored messages.
    pub(crate) messages: Vec<Box<str>>,
}

impl<'p> FindingSink<'p> {
    pub(crate) fn new(policy: &'p Policy) -> FindingSink<'p> {
        FindingSink::with_capacity(policy, 0)
    }

    /// A sink with room for `findings` findings.
    pub(crate) fn with_capacity(policy: &'p Policy, findings: usize) -> FindingSink<'p> {
        FindingSink {
            policy,
            findings: Vec::with_capacity(findings),
            rows: Vec::new(),
            ids: String::new(),
            messages: Vec::new(),
        }
    }

    /// Whether findings of `code` are kept (checks skip work nobody will see).
    pub(crate) fn enabled(&self, code: Code) -> bool {
        self.policy.enabled(code)
    }

    /// The codes on and their severities, which this sink applies.
    pub(crate) fn policy(&self) -> &'p Policy {
        self.policy
    }

    /// Push a finding of `code` about `about`, on `field` (an index into the field table),
    /// at the rules' own `specific` severity for it, if any. `says` is called only when
    /// the code is on. Returns whether the finding was kept.
    pub(crate) fn push(
        &mut self,
        code: Code,
        specific: Option<Severity>,
        about: About,
        field: Option<usize>,
        says: impl FnOnce() -> Says,
    ) -> bool {
        let Some(severity) = self.policy.severity(code, specific) else {
            return false;
        };
        let subject = match about {
            About::Deal(d) => Subject::Deal(d),
            About::Row(row) => {
                self.rows.push(StoredRow::store(row, &mut self.ids));
                Subject::Row(self.rows.len() as u32 - 1)
            }
        };
        let message = match says() {
            Says::Text(text) => {
                self.messages.push(text.into_boxed_str());
                Message::Stored(self.messages.len() as u32 - 1)
            }
            Says::Derived(payload) => Message::Derived(payload),
        };
        self.findings.push(Finding {
            subject,
            message,
            field: field
                .and_then(|f| u16::try_from(f).ok())
                .unwrap_or(NO_FIELD),
            code,
            severity,
        });
        true
    }

    /// The findings collected, without the policy (which the audit no longer needs).
    pub(crate) fn finish(self) -> Findings {
        Findings {
            list: self.findings,
            rows: self.rows,
            ids: self.ids,
            messages: self.messages,
        }
    }

    /// Move `other`'s rows and messages into this sink; returns `other`'s findings with
    /// their indices relocated (deal indices shifted by `deal_offset`), for the caller to
    /// place among this sink's findings.
    pub(crate) fn take_from(
        &mut self,
        other: FindingSink<'_>,
        deal_offset: u32,
    ) -> impl Iterator<Item = Finding> + use<> {
        let row_offset = self.rows.len() as u32;
        let message_offset = self.messages.len() as u32;
        let id_offset = self.ids.len();
        self.ids.push_str(&other.ids);
        self.rows
            .extend(other.rows.into_iter().map(|r| r.shifted(id_offset)));
        self.messages.extend(other.messages);
        other.findings.into_iter().map(move |mut f| {
            f.subject = match f.subject {
                Subject::Deal(d) => Subject::Deal(d + deal_offset),
                Subject::Row(r) => Subject::Row(r + row_offset),
            };
            if let Message::Stored(m) = f.message {
                f.message = Message::Stored(m + message_offset);
            }
            f
        })
    }
}

/// An audit's findings, in order, with the rows and texts they refer to.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub(crate) list: Vec<Finding>,
    pub(crate) rows: Vec<StoredRow>,
    /// The rows' record ids ([`StoredRow::record_id`]).
    pub(crate) ids: String,
    pub(crate) messages: Vec<Box<str>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_stays_compact() {
        // A million-row export carries over a million findings: 20 bytes each (README).
        assert!(
            std::mem::size_of::<Finding>() <= 20,
            "{}",
            std::mem::size_of::<Finding>()
        );
    }

    #[test]
    fn policy_applies_select_ignore_and_overrides() {
        let checks = vec![
            (Code::Val003, CheckSetting::Severity(Severity::Info)),
            (Code::Dup001, CheckSetting::Off),
        ];
        let policy = Policy::new(&checks, &[], &["REQ00".to_string()]);
        assert_eq!(policy.severity(Code::Req001, None), None);
        assert_eq!(
            policy.severity(Code::Val003, Some(Severity::Warning)),
            Some(Severity::Info)
        );
        assert_eq!(
            policy.severity(Code::Val001, Some(Severity::Warning)),
            Some(Severity::Warning)
        );
        assert_eq!(policy.severity(Code::Dup001, None), None);
        assert!(policy.enabled(Code::In001));

        let only_val = Policy::new(&[], &["val".to_string()], &[]);
        assert!(only_val.enabled(Code::Val006));
        assert!(!only_val.enabled(Code::Req002));
        assert!(
            only_val.enabled(Code::In001),
            "IN001 cannot be switched off"
        );
    }

    #[test]
    fn patterns_are_validated() {
        assert!(Policy::check_patterns(&["REQ".into(), "VAL001".into()]).is_ok());
        assert!(Policy::check_patterns(&["XYZ".into()]).is_err());
    }

    #[test]
    fn the_sink_applies_the_policy_once() {
        let checks = vec![(Code::Val003, CheckSetting::Severity(Severity::Info))];
        let policy = Policy::new(&checks, &[], &["HYG".to_string()]);
        let mut sink = FindingSink::new(&policy);
        let mut worded = 0;
        // Off: dropped before its message is worded.
        let kept = sink.push(Code::Hyg001, None, About::Deal(0), Some(7), || {
            worded += 1;
            Says::Derived(0)
        });
        assert!(!kept);
        assert_eq!(worded, 0);
        // A `[checks]` severity replaces the rules' own.
        sink.push(
            Code::Val003,
            Some(Severity::Error),
            About::Deal(3),
            None,
            || Says::Text("`x` is not allowed".into()),
        );
        let row = RowRef {
            file: 0,
            line: 9,
            record_id: None,
            column: Some(2),
            previous_deal: None,
        };
        sink.push(Code::In005, None, About::Row(row), None, || {
            Says::Derived(5)
        });
        assert_eq!(sink.findings.len(), 2);
        assert_eq!(sink.findings[0].severity, Severity::Info);
        assert_eq!(sink.findings[0].subject, Subject::Deal(3));
        assert_eq!(sink.findings[0].field(), None);
        assert_eq!(sink.findings[0].message, Message::Stored(0));
        assert_eq!(&*sink.messages[0], "`x` is not allowed");
        assert_eq!(sink.findings[1].subject, Subject::Row(0));
        assert_eq!(sink.findings[1].severity, Severity::Warning);
        let stored = sink.rows[0];
        assert_eq!((stored.file, stored.line, stored.column()), (0, 9, Some(2)));
        assert_eq!(stored.record_id(&sink.ids), None);
    }

    #[test]
    fn stored_rows_keep_their_ids_through_a_merge() {
        let policy = Policy::all_on();
        let row = |line: u64, id: Option<&str>| {
            About::Row(RowRef {
                file: 1,
                line,
                record_id: id.map(Into::into),
                column: None,
                previous_deal: (line == 9).then_some(7),
            })
        };
        let mut first = FindingSink::new(&policy);
        first.push(Code::In002, None, row(2, Some("OPP-1")), None, || {
            Says::Derived(3)
        });
        let mut second = FindingSink::new(&policy);
        second.push(Code::In002, None, row(5, None), None, || Says::Derived(3));
        second.push(Code::In002, None, row(7, Some("ÉTÉ-2")), None, || {
            Says::Derived(3)
        });
        let moved: Vec<Finding> = first.take_from(second, 0).collect();
        assert_eq!(moved.len(), 2);
        let ids: Vec<(u64, Option<&str>)> = first
            .rows
            .iter()
            .map(|r| (r.line, r.record_id(&first.ids)))
            .collect();
        assert_eq!(ids, vec![(2, Some("OPP-1")), (5, None), (7, Some("ÉTÉ-2"))]);
        assert!(std::mem::size_of::<StoredRow>() <= 24);
        // A vanished deal's row keeps the previous deal it names, beside no column.
        let mut third = FindingSink::new(&policy);
        third.push(Code::Chg004, None, row(9, Some("OPP-9")), None, || {
            Says::Derived(0)
        });
        let r = third.rows[0];
        assert_eq!((r.previous_deal(), r.column()), (Some(7), None));
        assert_eq!(first.rows[0].previous_deal(), None);
    }
}
