//! `audit --owner NAME`: the deal tables, findings and owner lists limited to those owners'
//! deals, while the summary, health and history still describe the whole pipeline (and
//! say that a filter is on). The view keeps the positions of the deals and findings shown;
//! every walk over deals or findings goes through them, so no emitter filters on its own.

use crate::audit::Audit;
use crate::diag::{Finding, Subject};
use crate::report::view::Report;

/// The owners asked for, as the export writes them, and what of the audit is theirs.
pub(crate) struct Only {
    pub(crate) owners: Vec<String>,
    /// Their deals' indices, in input order.
    pub(crate) deals: Vec<u32>,
    /// Their findings' indices, in report order.
    pub(crate) findings: Vec<u32>,
}

/// The owners as the export writes them for `asked`: exactly, else ignoring case and
/// surrounding space when that names one owner; an owner found in neither way is an error
/// with the nearest names.
pub(crate) fn resolve(audit: &Audit, asked: &[String]) -> Result<Vec<String>, String> {
    let owners = &audit.deals.owners;
    let mut names: Vec<&str> = (0..owners.len() as u32)
        .map(|i| owners.name(i))
        .filter(|o| !o.trim().is_empty())
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut out: Vec<String> = Vec::new();
    for a in asked {
        let found = if names.binary_search(&a.as_str()).is_ok() {
            Some(a.as_str())
        } else {
            let folded: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| n.trim().eq_ignore_ascii_case(a.trim()))
                .collect();
            (folded.len() == 1).then(|| folded[0])
        };
        match found {
            Some(n) => {
                if !out.iter().any(|o| o == n) {
                    out.push(n.to_string());
                }
            }
            None => {
                let listed = if names.len() <= 8 {
                    format!("the owners are {}", names.join(", "))
                } else {
                    format!(
                        "the export has {} owners; `pipelint audit FILE -f json` lists them under pipeline.by_owner",
                        names.len()
                    )
                };
                return Err(format!(
                    "--owner {a:?}: no deal of the export has this owner{}",
                    crate::suggest::hint_then(a, names.iter().copied(), &listed)
                ));
            }
        }
    }
    Ok(out)
}

impl Only {
    /// The deals and findings of `owners` in `report`'s audit.
    pub(crate) fn of(report: &Report<'_>, owners: Vec<String>) -> Only {
        let audit = report.audit;
        let mine = |o: Option<&str>| o.is_some_and(|o| owners.iter().any(|n| n == o));
        let deals = audit
            .deals
            .iter()
            .enumerate()
            .filter(|(_, d)| mine(audit.deals.owner(d)))
            .map(|(i, _)| i as u32)
            .collect();
        let findings = audit
            .findings
            .list
            .iter()
            .enumerate()
            .filter(|(_, f)| mine(report.finding_owner(f)))
            .map(|(i, _)| i as u32)
            .collect();
        Only {
            owners,
            deals,
            findings,
        }
    }
}

impl<'a> Report<'a> {
    /// The owner of the deal `f` is about: this snapshot's deal, else (a deal that vanished)
    /// the previous snapshot's; `None` for a finding about a row or the file.
    pub(crate) fn finding_owner(&self, f: &Finding) -> Option<&'a str> {
        let audit: &'a Audit = self.audit;
        if let Some(d) = audit.finding_deal(f) {
            return audit.deals.owner(d);
        }
        let Subject::Row(_) = f.subject else {
            return None;
        };
        let old = audit.finding_row(f)?.previous_deal()?;
        let previous: &'a Audit = self.run.previous()?;
        previous.deals.owner(previous.deals.get(old as usize)?)
    }

    /// Whether `owner`'s deals are shown: always, without `--owner`.
    pub(crate) fn shows_owner(&self, owner: Option<&str>) -> bool {
        match &self.only {
            None => true,
            Some(only) => owner.is_some_and(|o| only.owners.iter().any(|n| n == o)),
        }
    }

    /// The owners `--owner` limits the deal tables, findings and owner lists to, as the
    /// export writes them; `None` when every owner's deals are shown.
    pub fn owner_filter(&self) -> Option<&[String]> {
        self.only.as_ref().map(|o| o.owners.as_slice())
    }

    /// How many deals and findings the audit has in all, before `--owner`.
    pub fn unfiltered_counts(&self) -> (usize, usize) {
        (self.audit.deals.len(), self.audit.findings.list.len())
    }

    /// The audit's index of the `position`th finding shown.
    pub(crate) fn finding_index(&self, position: usize) -> Option<usize> {
        match &self.only {
            None => (position < self.audit.findings.list.len()).then_some(position),
            Some(only) => only.findings.get(position).map(|&i| i as usize),
        }
    }

    /// The audit's index of the `position`th deal shown.
    pub(crate) fn deal_index(&self, position: usize) -> Option<usize> {
        match &self.only {
            None => (position < self.audit.deals.len()).then_some(position),
            Some(only) => only.deals.get(position).map(|&i| i as usize),
        }
    }
}
