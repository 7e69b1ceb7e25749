//! What the rules require of a deal's fields, and why: everywhere, in its stage (exit
//! criteria) or by a rule whose `when` holds.

use std::cmp::Ordering;

use super::cell::{Cell, Parsed};
use super::mapping::FieldId;
use crate::diag::{Code, Policy, Severity};
use crate::rules::{Operand, Test};
use crate::values::{eq_fold, percent};

/// Why a field is required.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Because {
    Global,
    Stage(usize),
    Rule(usize),
}

impl Because {
    pub(crate) fn code(self) -> Code {
        match self {
            Because::Global => Code::Req001,
            Because::Stage(_) => Code::Req002,
            Because::Rule(_) => Code::Req003,
        }
    }

    /// As a derived message's payload: 0 global, 1 the deal's stage, 2 + r rule r.
    pub(crate) fn payload(self) -> u32 {
        match self {
            Because::Global => 0,
            Because::Stage(_) => 1,
            Because::Rule(r) => 2u32.saturating_add(u32::try_from(r).unwrap_or(u32::MAX - 2)),
        }
    }

    /// Back from a payload; `stage` is the deal's stage.
    pub(crate) fn from_payload(payload: u32, stage: Option<usize>) -> Because {
        match payload {
            0 => Because::Global,
            1 => Because::Stage(stage.unwrap_or(usize::MAX)),
            r => Because::Rule((r - 2) as usize),
        }
    }

    pub(crate) fn rank(self) -> usize {
        match self {
            Because::Global => 0,
            Because::Stage(_) => 1,
            Because::Rule(_) => 2,
        }
    }
}

/// One requirement: `field` must be filled, because of `because`, at `severity` (the rules'
/// own severity for it, if they give one).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Requirement {
    pub(crate) field: FieldId,
    pub(crate) because: Because,
    pub(crate) severity: Option<Severity>,
    /// Position in the stage's `requires` list (stage requirements only).
    pub(crate) pos: u8,
}

/// Whether a `when` test holds for a record's cell (`text` is the cell as written). A missing
/// or invalid value satisfies no test except `empty = true`.
pub(crate) fn condition_holds(test: &Test, cell: &Cell, text: &str) -> bool {
    let parsed = match (test, cell) {
        (Test::Empty(want), _) => return matches!(cell, Cell::Missing { .. }) == *want,
        (_, Cell::Valid(p)) => p,
        _ => return false,
    };
    let is = |o: &Operand, accept: &[Ordering]| {
        compare(parsed, o, text).is_some_and(|c| accept.contains(&c))
    };
    match test {
        Test::Eq(o) => is(o, &[Ordering::Equal]),
        Test::In(os) => os.iter().any(|o| is(o, &[Ordering::Equal])),
        Test::NotIn(os) => !os.iter().any(|o| is(o, &[Ordering::Equal])),
        Test::Gt(o) => is(o, &[Ordering::Greater]),
        Test::Gte(o) => is(o, &[Ordering::Greater, Ordering::Equal]),
        Test::Lt(o) => is(o, &[Ordering::Less]),
        Test::Lte(o) => is(o, &[Ordering::Less, Ordering::Equal]),
        Test::Empty(_) => false,
    }
}

/// The value compared with the operand (`Less`: the value is below it).
fn compare(value: &Parsed, operand: &Operand, text: &str) -> Option<Ordering> {
    match (value, operand) {
        (Parsed::Stage(s), Operand::Stage(o)) => (s == o).then_some(Ordering::Equal),
        (Parsed::Bool(b), Operand::Bool(o)) => (b == o).then_some(Ordering::Equal),
        (_, Operand::Text(t)) => eq_fold(t, text).then_some(Ordering::Equal),
        (Parsed::Money(m), Operand::Number { exact: Some(e), .. }) => Some(m.amount.cmp(e)),
        (Parsed::Money(m), Operand::Number { value, .. }) => m.amount.to_f64().partial_cmp(value),
        (Parsed::Number(n), Operand::Number { value, .. }) => n.partial_cmp(value),
        (Parsed::Date(d), Operand::Date(o)) => Some(d.cmp(o)),
        _ => None,
    }
}

/// What one deal's requirements came to: its completeness weights, and whether a REQ
/// finding already reports its amount missing (so HYG006 does not repeat it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Fulfilment {
    pub(crate) filled: u32,
    pub(crate) applicable: u32,
    pub(crate) amount_reported: bool,
    /// A REQ finding already says the close date is missing (HYG012 then says nothing).
    pub(crate) close_date_reported: bool,
}

/// Per field: how often it was applicable, and what it held then.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldTally {
    pub(crate) applicable: u64,
    pub(crate) filled: u64,
    pub(crate) missing: u64,
    pub(crate) invalid: u64,
}

impl FieldTally {
    pub(crate) fn merge(&mut self, other: &FieldTally) {
        self.applicable += other.applicable;
        self.filled += other.filled;
        self.missing += other.missing;
        self.invalid += other.invalid;
    }

    /// Share of applicable records in which the field was filled, 0–100; `None` when the
    /// field never applied.
    pub(crate) fn rate(&self) -> Option<f64> {
        (self.applicable > 0).then(|| percent(self.filled, self.applicable))
    }
}

/// What one record's requirements demand of each field. Reused across records: the
/// requirements every record has (`[fields]`'s `required`) are demanded once, and only what
/// a record's stage and rules added is reset.
#[derive(Clone, Debug)]
pub(crate) struct Demands {
    /// Per field: per code rank, the highest severity demanded (None: not demanded).
    marks: Vec<[Option<Severity>; 3]>,
    /// Per field: the first stage and rule that demanded it (for messages).
    first: Vec<[Option<Because>; 3]>,
    touched: Vec<FieldId>,
    /// What every record demands: the marks and reasons, and how many of `touched` they are.
    base_marks: Vec<[Option<Severity>; 3]>,
    base_first: Vec<[Option<Because>; 3]>,
    base: usize,
    /// Fields a record demanded beyond the base (with repeats), to be reset.
    dirty: Vec<FieldId>,
}

impl Demands {
    /// Demands over `fields` fields, every record demanding `always`.
    pub(crate) fn new(fields: usize, always: &[Requirement]) -> Demands {
        let mut d = Demands {
            marks: vec![[None; 3]; fields],
            first: vec![[None; 3]; fields],
            touched: Vec::new(),
            base_marks: Vec::new(),
            base_first: Vec::new(),
            base: 0,
            dirty: Vec::new(),
        };
        for r in always {
            d.demand(r);
        }
        d.base_marks = d.marks.clone();
        d.base_first = d.first.clone();
        d.base = d.touched.len();
        d.dirty.clear();
        d
    }

    /// Back to what every record demands.
    pub(crate) fn clear(&mut self) {
        for &f in &self.dirty {
            self.marks[f] = self.base_marks[f];
            self.first[f] = self.base_first[f];
        }
        self.dirty.clear();
        self.touched.truncate(self.base);
    }

    #[inline]
    pub(crate) fn demand(&mut self, req: &Requirement) {
        let f = req.field;
        let rank = req.because.rank();
        let severity = req
            .severity
            .unwrap_or(req.because.code().default_severity());
        if self.marks[f] == [None; 3] {
            self.touched.push(f);
        }
        self.dirty.push(f);
        let slot = &mut self.marks[f][rank];
        *slot = Some(slot.map_or(severity, |s| s.max(severity)));
        self.first[f][rank].get_or_insert(req.because);
    }

    /// The fields demanded by the current record, in the order first demanded.
    pub(crate) fn fields(&self) -> &[FieldId] {
        &self.touched
    }

    /// The finding for a missing `field`: the most specific code that is on, the highest
    /// severity the requirements give it (a `[checks]` setting still overrides it in the
    /// sink), and what demanded it; `None` when every code that demands it is off.
    pub(crate) fn verdict(
        &self,
        field: FieldId,
        policy: &Policy,
    ) -> Option<(Code, Severity, Because)> {
        let marks = &self.marks[field];
        let mut most_specific = None;
        let mut highest: Option<Severity> = None;
        for (rank, mark) in marks.iter().enumerate() {
            if let Some(s) = *mark {
                if policy.enabled(RANKED[rank]) {
                    most_specific = Some(rank);
                    highest = Some(highest.map_or(s, |h| h.max(s)));
                }
            }
        }
        let (most_specific, highest) = (most_specific?, highest?);
        let because = self.first[field][most_specific]?;
        Some((RANKED[most_specific], highest, because))
    }
}

const RANKED: [Code; 3] = [Code::Req001, Code::Req002, Code::Req003];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{About, CheckSetting, FindingSink, Says};

    #[test]
    fn most_specific_code_at_highest_severity() {
        let mut d = Demands::new(3, &[]);
        d.demand(&Requirement {
            field: 1,
            because: Because::Global,
            severity: Some(Severity::Error),
            pos: 0,
        });
        d.demand(&Requirement {
            field: 1,
            because: Because::Rule(0),
            severity: Some(Severity::Warning),
            pos: 0,
        });
        d.demand(&Requirement {
            field: 1,
            because: Because::Stage(2),
            severity: None,
            pos: 0,
        });
        let policy = Policy::all_on();
        assert_eq!(
            d.verdict(1, &policy),
            Some((Code::Req003, Severity::Error, Because::Rule(0)))
        );
        assert_eq!(d.verdict(0, &policy), None);

        // With REQ003 off, the stage requirement reports it.
        let no_rules = Policy::new(&[], &[], &["REQ003".into()]);
        assert_eq!(
            d.verdict(1, &no_rules),
            Some((Code::Req002, Severity::Error, Because::Stage(2)))
        );

        // [checks] fixes the severity of the chosen code, as the sink takes it.
        let info = Policy::new(
            &[(Code::Req003, CheckSetting::Severity(Severity::Info))],
            &[],
            &[],
        );
        let mut sink = FindingSink::new(&info);
        let (code, severity, _) = d.verdict(1, &info).unwrap();
        sink.push(code, Some(severity), About::Deal(0), Some(1), || {
            Says::Derived(0)
        });
        assert_eq!(sink.findings[0].severity, Severity::Info);

        d.clear();
        assert!(d.fields().is_empty());
        assert_eq!(d.verdict(1, &policy), None);
    }

    #[test]
    fn clear_keeps_what_every_record_demands() {
        let req = |field, because, severity| Requirement {
            field,
            because,
            severity,
            pos: 0,
        };
        let policy = Policy::all_on();
        let mut d = Demands::new(2, &[req(0, Because::Global, None)]);
        let global = Some((
            Code::Req001,
            Code::Req001.default_severity(),
            Because::Global,
        ));
        for _ in 0..2 {
            d.demand(&req(0, Because::Stage(1), Some(Severity::Error)));
            d.demand(&req(1, Because::Stage(1), None));
            assert_eq!(d.fields(), &[0, 1]);
            assert_eq!(
                d.verdict(0, &policy),
                Some((Code::Req002, Severity::Error, Because::Stage(1)))
            );
            d.clear();
            assert_eq!(d.fields(), &[0]);
            assert_eq!(d.verdict(0, &policy), global);
            assert_eq!(d.verdict(1, &policy), None);
        }
    }
}
