//! What an audit could not check, and why: the change checks without a previous snapshot,
//! slippage without push history, stage checks without a stage column, the open pipeline
//! without a stage or status, and what the data traps left out. Listed in every report as
//! "not checked", never silently skipped.

use super::InputSummary;
use crate::checks::{changes, slippage};
use crate::diag::{Code, Policy};
use crate::facts::mapping::FieldTable;
use crate::rules::RuleSet;

/// The codes that ran, and those on that could not be checked, with why: the change checks
/// without a previous snapshot, slippage without push history, stage checks without a
/// stage, and what the data traps left out (each trap's codes only where they would run).
pub(super) fn checks_and_gaps(
    rules: &RuleSet,
    table: &FieldTable,
    policy: &Policy,
    inputs: &[InputSummary],
    has_previous: bool,
    trap_gaps: Vec<(Vec<Code>, String)>,
) -> (Vec<Code>, Vec<(Vec<Code>, String)>) {
    let push_history = has_push_history(has_previous, inputs, table);
    let judged = Judged::of(rules, table, inputs);
    let (checks_run, mut not_checked) = which_checks(policy, has_previous, push_history, judged);
    for (codes, why) in trap_gaps {
        let codes: Vec<Code> = codes
            .into_iter()
            .filter(|c| checks_run.contains(c))
            .collect();
        not_checked.push((codes, why));
    }
    (checks_run, not_checked)
}

/// Whether pushes can be counted: a previous snapshot, or a push-count column in an input.
fn has_push_history(has_previous: bool, inputs: &[InputSummary], table: &FieldTable) -> bool {
    let push_column = table.canonical(crate::field::Canonical::PushCount);
    has_previous
        || inputs
            .iter()
            .any(|i| !i.previous && i.mapping.column(push_column).is_some())
}

/// What the inputs let the audit judge of a deal's standing: its stage (the rules list
/// stages and every file maps the stage column), or at least whether it is open (a status
/// or closed flag in every file).
#[derive(Clone, Copy, Debug)]
struct Judged {
    stages: bool,
    open: bool,
}

impl Judged {
    fn of(rules: &RuleSet, table: &FieldTable, inputs: &[InputSummary]) -> Judged {
        use crate::field::Canonical;
        let every = |c: Canonical| {
            let id = table.canonical(c);
            inputs
                .iter()
                .filter(|i| !i.previous)
                .all(|i| i.mapping.column(id).is_some())
        };
        let stages = !rules.stages.is_empty() && every(Canonical::Stage);
        Judged {
            stages,
            open: stages || every(Canonical::Status) || every(Canonical::IsClosed),
        }
    }
}

/// Why codes that read the deal's stage cannot be checked without one.
pub(crate) const NO_STAGE: &str = "no stage column is mapped (or the rules list no stages): \
     stage checks cannot be judged; map `stage` in [columns] and list the pipeline's stages";
/// Why codes that judge open deals cannot be checked without a stage or a status.
pub(crate) const NO_STANDING: &str = "no stage or status column is mapped: no deal can be \
     judged open or closed, so the open pipeline, its checks and risk are not judged; map \
     `stage` in [columns]";

/// The codes that run (those on, and checkable), and those on that cannot be checked, with
/// why (the change checks without a previous snapshot, the stage checks without a stage).
fn which_checks(
    policy: &Policy,
    has_previous: bool,
    push_history: bool,
    judged: Judged,
) -> (Vec<Code>, Vec<(Vec<Code>, String)>) {
    let mut not_checked: Vec<(Vec<Code>, String)> = Vec::new();
    let mut run = Vec::new();
    for c in policy.codes_on() {
        let why = if !judged.open && crate::checks::needs_open(c) {
            Some(NO_STANDING)
        } else if !judged.stages && crate::checks::needs_stage(c) {
            Some(NO_STAGE)
        } else if c.needs_previous() && !has_previous {
            Some(changes::NOT_CHECKED)
        } else if slippage::needs_push_history(c) && !push_history {
            Some(slippage::NOT_CHECKED)
        } else {
            None
        };
        match why {
            None => run.push(c),
            Some(why) => match not_checked.iter_mut().find(|(_, w)| w == why) {
                Some((codes, _)) => codes.push(c),
                None => not_checked.push((vec![c], why.to_string())),
            },
        }
    }
    (run, not_checked)
}
