//! REQ001–REQ003: fields that must be filled — globally, by the deal's stage (exit
//! criteria), or by a conditional rule whose `when` holds.
//!
//! Several requirements may name the same field; a missing field gets one finding, under the
//! most specific code (REQ003, then REQ002, then REQ001) at the highest of their severities.
//! A present but invalid value is a VAL finding and gets no REQ finding.

use crate::facts::requirement::{Because, Fulfilment, Requirement};

use super::{CheckDoc, WordContext, Wording};
use crate::deal::{Deal, StageKey};
use crate::diag::{About, Code, Finding, FindingSink, Says, Severity};
use crate::facts::cell::Cell;
use crate::facts::mapping::FieldId;
use crate::facts::plan::Plan;
use crate::facts::requirement::FieldTally;
use crate::input::RowText;
use crate::rules::RuleSet;
use crate::values::trim_cell;
use crate::words::quote;

pub(crate) const CHECKS: &[CheckDoc] = &[
    CheckDoc {
        code: Code::Req001,
        explanation: REQ001,
        prompt: None,
        wording: Wording::Derived(word),
    },
    CheckDoc {
        code: Code::Req002,
        explanation: REQ002,
        prompt: Some(
            "The stage's exit criteria are not met: what is missing, and has the deal really reached this stage?",
        ),
        wording: Wording::Derived(word),
    },
    CheckDoc {
        code: Code::Req003,
        explanation: REQ003,
        prompt: None,
        wording: Wording::Derived(word),
    },
];

/// The requirements of deal `deal`: global ones, its stage's exit criteria and those of
/// the rules whose `when` holds. Each demanded field counts towards completeness (and its
/// per-field tally); each missing one gets one REQ finding. `cells` are the value checks'.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_row(
    plan: &Plan<'_>,
    texts: &RowText<'_>,
    deal: u32,
    cells: &[Cell],
    stage: StageKey,
    demands: &mut Demands,
    tallies: &mut [FieldTally],
    sink: &mut FindingSink<'_>,
) -> Fulfilment {
    demands.clear();
    for r in &plan.global {
        demands.demand(r);
    }
    if let StageKey::Known(s, _) = stage {
        if let Some(reqs) = plan.by_stage.get(s as usize) {
            for r in reqs {
                demands.demand(r);
            }
        }
    }
    for rule in &plan.conditional {
        if !rule.requires.is_empty() && rule.fires(plan, texts, cells) {
            for r in &rule.requires {
                demands.demand(r);
            }
        }
    }

    let mut out = Fulfilment::default();
    let amount_field = plan.hygiene_fields.amount;
    let close_date_field = plan.hygiene_fields.close_date;
    for &field in demands.fields() {
        let weight = plan.table.entries[field].weight;
        out.applicable = out.applicable.saturating_add(weight);
        let slot = plan.slot_of[field];
        let cell = slot.map(|s| cells[s]);
        let tally = &mut tallies[field];
        tally.applicable += 1;
        match cell {
            Some(Cell::Valid(_)) => {
                tally.filled += 1;
                out.filled = out.filled.saturating_add(weight);
            }
            Some(Cell::Invalid) => tally.invalid += 1,
            Some(Cell::Missing { .. }) | None => {
                tally.missing += 1;
                let placeholder = matches!(cell, Some(Cell::Missing { placeholder: true }));
                let Some((code, severity, because)) = demands.verdict(field, sink) else {
                    continue;
                };
                // An empty field is worded when shown; a placeholder's text is kept.
                sink.push(code, Some(severity), About::Deal(deal), Some(field), || {
                    if placeholder {
                        let text = texts.field(slot.map(|s| plan.slots[s].column));
                        let how = format!("holds the placeholder {}", quote(trim_cell(&text)));
                        let name = plan.table.name(field);
                        Says::Text(message(because, name, &how, plan.rules))
                    } else {
                        Says::Derived(because.payload())
                    }
                });
                out.amount_reported |= field == amount_field;
                out.close_date_reported |= field == close_date_field;
            }
        }
    }
    out
}

/// The words of an empty required field's finding.
fn word(f: &Finding, deal: &Deal, ctx: &WordContext<'_>) -> String {
    let stage = match deal.stage {
        StageKey::Known(i, _) => Some(i as usize),
        _ => None,
    };
    let payload = match f.message {
        crate::diag::Message::Derived(p) => p,
        crate::diag::Message::Stored(_) => 0,
    };
    let because = Because::from_payload(payload, stage);
    let field = f.field().map_or("?", |id| ctx.table.name(id));
    message(because, field, "is empty", ctx.rules)
}

/// What one record's requirements demand of each field. Reused across records: only the
/// fields touched by the last record are reset.
#[derive(Clone, Debug)]
pub(crate) struct Demands {
    /// Per field: per code rank, the highest severity demanded (None: not demanded).
    marks: Vec<[Option<Severity>; 3]>,
    /// Per field: the first stage and rule that demanded it (for messages).
    first: Vec<[Option<Because>; 3]>,
    touched: Vec<FieldId>,
}

impl Demands {
    pub(crate) fn new(fields: usize) -> Demands {
        Demands {
            marks: vec![[None; 3]; fields],
            first: vec![[None; 3]; fields],
            touched: Vec::new(),
        }
    }

    pub(crate) fn clear(&mut self) {
        for &f in &self.touched {
            self.marks[f] = [None; 3];
            self.first[f] = [None; 3];
        }
        self.touched.clear();
    }

    pub(crate) fn demand(&mut self, req: &Requirement) {
        let f = req.field;
        let rank = req.because.rank();
        let severity = req
            .severity
            .unwrap_or(req.because.code().default_severity());
        if self.marks[f] == [None; 3] {
            self.touched.push(f);
        }
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
        sink: &FindingSink<'_>,
    ) -> Option<(Code, Severity, Because)> {
        let marks = &self.marks[field];
        let mut most_specific = None;
        let mut highest: Option<Severity> = None;
        for (rank, mark) in marks.iter().enumerate() {
            if let Some(s) = *mark {
                if sink.enabled(RANKED[rank]) {
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

/// The message of a REQ finding for `field` (its display name), missing as `how`
/// ("is empty", "is a placeholder (`TBD`)").
pub(crate) fn message(because: Because, field: &str, how: &str, rules: &RuleSet) -> String {
    match because {
        Because::Global => format!("required field {field} {how}; fill it in"),
        Because::Stage(i) => {
            let stage = rules.stages.get(i).map_or("?", |s| s.name.as_str());
            format!(
                "stage `{stage}` requires {field}, which {how}; fill it in or move the deal back"
            )
        }
        Because::Rule(i) => {
            let (id, text) = rules
                .rules
                .get(i)
                .map_or(("?", None), |r| (r.id.as_str(), r.message.as_deref()));
            match text {
                Some(text) => format!("{text} (rule {id}): {field} {how}"),
                None => format!("rule {id} requires {field}, which {how}"),
            }
        }
    }
}

const REQ001: &str = "\
What it checks
  A field marked `required = true` in [fields] is filled on every record. Empty cells and
  placeholders from `[input] empty_values` (\"N/A\", \"TBD\", \"-\", …) count as missing.

Why it matters
  Required fields are your data standard: a deal without a close date or amount cannot be
  forecast, routed or reported on.

Example
  [fields] close_date = { type = \"date\", required = true }
    REQ001 line 7 field close_date: required field close_date is empty

How to fix
  Fill the field in the CRM. If the field is only needed later in the pipeline, require it in
  the stages that need it instead (a stage's `requires`).

Configuration
  [fields] <field> = { required = true, severity = \"warning\", weight = 3 }
  [checks] REQ001 = \"warning\" | \"off\". When several requirements name the same missing field,
  one finding is reported under the most specific code (REQ003, then REQ002, then REQ001).";

const REQ002: &str = "\
What it checks
  Stage exit criteria: every field listed in the deal's stage `requires` is filled. A deal
  may only sit in a stage once what that stage demands is true.

Why it matters
  \"Proposal sent\" without an amount, or \"Negotiation\" without a decision maker, is a deal
  that skipped a step: the forecast counts it at a probability it has not earned.

Example
  [[stages]] name = \"Proposal/Price Quote\", requires = [\"amount\", \"next_step\"]
    REQ002 line 12 field next_step: stage `Proposal/Price Quote` requires next_step, which is empty

How to fix
  Fill the field, or move the deal back to the stage it has really reached.

Configuration
  [[stages]] requires = [...] and severity = \"warning\" per stage; [checks] REQ002 = ... .";

const REQ003: &str = "\
What it checks
  Conditional requirements: when a [[rules]] entry's `when` holds for a deal, every field in
  its `requires` is filled.

Why it matters
  Some standards only apply to some deals: six-figure deals need an executive sponsor,
  partner-sourced deals need the partner.

Example
  [[rules]] id = \"big-deal-sponsor\", when = { field = \"amount\", gte = 100000 },
  requires = [\"Executive Sponsor\"]
    REQ003 line 9 field Executive Sponsor: Deals of 100k or more need an executive sponsor
    (rule big-deal-sponsor): Executive Sponsor is empty

How to fix
  Fill the field, or correct the value that made the rule apply.

Configuration
  [[rules]] id, when (eq, in, not_in, gt, gte, lt, lte, empty, not_empty; a list of
  conditions must all hold), requires, severity, message; [checks] REQ003 = ... .";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{CheckSetting, Policy};

    #[test]
    fn most_specific_code_at_highest_severity() {
        let mut d = Demands::new(3);
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
        let sink = FindingSink::new(&policy);
        assert_eq!(
            d.verdict(1, &sink),
            Some((Code::Req003, Severity::Error, Because::Rule(0)))
        );
        assert_eq!(d.verdict(0, &sink), None);

        // With REQ003 off, the stage requirement reports it.
        let no_rules = Policy::new(&[], &[], &["REQ003".into()]);
        let sink = FindingSink::new(&no_rules);
        assert_eq!(
            d.verdict(1, &sink),
            Some((Code::Req002, Severity::Error, Because::Stage(2)))
        );

        // [checks] fixes the severity of the chosen code, as the sink takes it.
        let info = Policy::new(
            &[(Code::Req003, CheckSetting::Severity(Severity::Info))],
            &[],
            &[],
        );
        let mut sink = FindingSink::new(&info);
        let (code, severity, _) = d.verdict(1, &sink).unwrap();
        sink.push(code, Some(severity), About::Deal(0), Some(1), || {
            Says::Derived(0)
        });
        assert_eq!(sink.findings[0].severity, Severity::Info);

        d.clear();
        assert!(d.fields().is_empty());
        let sink = FindingSink::new(&policy);
        assert_eq!(d.verdict(1, &sink), None);
    }
}
