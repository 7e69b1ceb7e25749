//! The result of one audit: every deal's summary, every finding, the aggregates, and what
//! each input file was. The engine builds it (`engine::run`); the report view, the history
//! store and the session read it.

use chrono::NaiveDate;

use crate::deal::{Deal, DealStore};
use crate::diag::{Code, Finding, Findings, Severity, StoredRow, Subject};
use crate::facts::mapping::{FieldId, FieldTable, Mapping};
use crate::facts::pairing::Pairing;
use crate::input::quota::Quotas;
use crate::rules::RuleSet;
use crate::score::Tallies;
use crate::score::changes::ChangeView;
use crate::score::risk::Riskiest;
use crate::score::trends::HistoryView;
use crate::values::Currency;

/// What the report says about one input file.
#[derive(Clone, Debug)]
pub(crate) struct InputSummary {
    pub(crate) path: String,
    /// Data rows read (deals plus malformed rows).
    pub(crate) records: u64,
    pub(crate) malformed: u64,
    /// Rows skipped as report footers or summaries.
    pub(crate) skipped: u64,
    /// Cells cut to the 64 kB a cell keeps, and the first one's line and column.
    pub(crate) cut_cells: u64,
    pub(crate) first_cut: Option<(u64, u32)>,
    /// Read as a database dump (IN008), with the NULLs and escaped quotes the file held.
    pub(crate) dump: Option<crate::input::dialect::Dump>,
    /// The file has no header row; `[input] header` named its columns (IN007).
    pub(crate) header_named: bool,
    pub(crate) encoding: &'static str,
    pub(crate) delimiter: u8,
    pub(crate) header: Vec<String>,
    /// The header's line (1, or after blank lines).
    pub(crate) header_line: u64,
    pub(crate) mapping: Mapping,
    /// Date formats and decimal mark read from the file's values, in words.
    pub(crate) detected: Vec<String>,
    /// The previous snapshot's file, listed so that findings on it (CHG004) name it.
    pub(crate) previous: bool,
}

/// The result of one audit: every deal's summary, every finding, the aggregates. What the
/// session puts around it (the previous snapshot, quotas, the stored history) is in
/// [`AuditRun`].
pub struct Audit {
    pub(crate) rules: RuleSet,
    pub(crate) table: FieldTable,
    pub(crate) as_of: NaiveDate,
    pub(crate) inputs: Vec<InputSummary>,
    pub(crate) deals: DealStore,
    /// Ordered by file, line, code, field; with the rows and texts they refer to.
    pub(crate) findings: Findings,
    pub(crate) tallies: Tallies,
    /// The riskiest open deals, riskiest first (up to `RunOptions::keep_riskiest`).
    pub(crate) riskiest: Riskiest,
    /// The codes that ran: on (not switched off by `[checks]`, `--select`, `--ignore`)
    /// and checkable (the change checks need a previous snapshot).
    pub(crate) checks_run: Vec<Code>,
    /// The `--by FIELD` each deal kept a value of, for the health breakdowns.
    pub(crate) by: Option<String>,
    /// Codes that were on but could not be checked, with why.
    pub(crate) not_checked: Vec<(Vec<Code>, String)>,
    /// Why the as-of is suspect: it defaulted to today, far after the data (IN013).
    pub(crate) as_of_note: Option<String>,
}

impl Audit {
    /// Findings by severity: info, warning, error.
    pub(crate) fn severity_counts(&self) -> [u64; 3] {
        let mut c = [0u64; 3];
        for f in &self.findings.list {
            c[f.severity as usize] += 1;
        }
        [
            c[Severity::Info as usize],
            c[Severity::Warning as usize],
            c[Severity::Error as usize],
        ]
    }

    /// What the gate decides on: findings by severity, completeness, high-risk deals, deals.
    pub(crate) fn gate_input(&self) -> crate::gate::GateInput {
        let t = &self.tallies;
        let [infos, warnings, errors] = self.severity_counts();
        crate::gate::GateInput {
            errors,
            warnings,
            infos,
            completeness: t.overall.completeness.rate(),
            high_risk: t.overall.pipeline.high(),
            deals: t.overall.completeness.records,
        }
    }

    /// The currency amounts that name none are in: `[input] currency` if set (already applied
    /// as deals are read), else the one currency the export's deals name, if exactly one (a `$`
    /// on some values of a one-currency export). Decided once per audit, so every total in a
    /// report agrees; with several named currencies unlabelled amounts stay apart, since adding
    /// across currencies needs a rate.
    pub(crate) fn sole_currency(&self) -> Option<Currency> {
        let mut found: Option<Currency> = None;
        for d in self.deals.iter() {
            match (found, d.currency) {
                (_, None) => {}
                (None, Some(c)) => found = Some(c),
                (Some(f), Some(c)) if f != c => return None,
                _ => {}
            }
        }
        found
    }

    /// The gate settings of the rules' `[gate]` section (flags override them).
    pub fn gate_settings(&self) -> crate::gate::GateSettings {
        let g = &self.rules.gate;
        crate::gate::GateSettings {
            fail_on: g.fail_on,
            min_completeness: g.min_completeness,
            max_high_risk: g.max_high_risk,
            allow_empty: g.allow_empty,
        }
    }

    /// What a later audit compares with: this one's deals, rules and findings.
    pub(crate) fn snapshot(&self) -> crate::facts::pairing::Snapshot<'_> {
        crate::facts::pairing::Snapshot {
            deals: &self.deals,
            rules: &self.rules,
            findings: &self.findings.list,
        }
    }

    /// Let go of what a comparison never reads of this audit (it is the previous snapshot:
    /// its findings are compared by deal, code and field, never shown), so that the next
    /// audit reuses that memory.
    pub(crate) fn keep_for_comparison(&mut self) {
        self.findings.messages = Vec::new();
        self.findings.rows = Vec::new();
        self.findings.ids = String::new();
        self.riskiest = Riskiest::new(0);
        self.findings
            .list
            .retain(|f| matches!(f.subject, Subject::Deal(_)));
        self.findings.list.shrink_to_fit();
    }

    /// The header a field is read from (in the first file that has it).
    pub(crate) fn field_column(&self, field: FieldId) -> Option<&str> {
        self.inputs.iter().find_map(|i| {
            i.mapping
                .column(field)
                .and_then(|c| i.header.get(c))
                .map(String::as_str)
        })
    }

    /// Fields a preset uses that no file had (their checks were skipped).
    pub(crate) fn skipped_fields(&self) -> Vec<FieldId> {
        let mut out: Vec<FieldId> = Vec::new();
        for f in self.inputs.iter().flat_map(|i| i.mapping.skipped.iter()) {
            let everywhere = self.inputs.iter().all(|i| i.mapping.column(*f).is_none());
            if everywhere && !out.contains(f) {
                out.push(*f);
            }
        }
        out
    }

    /// The deal a finding is about, if it is about one.
    pub(crate) fn finding_deal(&self, f: &Finding) -> Option<&Deal> {
        match f.subject {
            Subject::Deal(d) => self.deals.get(d as usize),
            Subject::Row(_) => None,
        }
    }

    /// The row a finding is about, if it is about no deal.
    pub(crate) fn finding_row(&self, f: &Finding) -> Option<&StoredRow> {
        match f.subject {
            Subject::Row(r) => self.findings.rows.get(r as usize),
            Subject::Deal(_) => None,
        }
    }
}

/// An audit compared with a previous snapshot (`--previous`, or the latest one stored before
/// it): that snapshot, how their deals paired, and what changed. The engine builds it, since
/// the change checks read the pairing as rows are read.
pub(crate) struct Comparison {
    /// The previous snapshot, audited in full with the same rules as of its own date.
    pub(crate) previous: Box<Audit>,
    /// Per finding of the previous snapshot, the snapshots in a row it had been flagged (a
    /// stored snapshot's; empty for a file, whose findings each count once).
    pub(crate) streaks: Vec<u16>,
    pub(crate) pairing: Pairing,
    pub(crate) changes: ChangeView,
}

/// What a run of the audit found: the [`Audit`] of this snapshot, and what the session
/// (`session.rs`) wraps it in: the comparison with the previous snapshot, the quotas
/// coverage is measured against, and what the stored history adds. Build its report view
/// with [`AuditRun::report`].
pub struct AuditRun {
    pub(crate) audit: Audit,
    pub(crate) compared: Option<Comparison>,
    /// The quotas coverage is measured against (`--quota FILE`).
    pub(crate) quotas: Option<Quotas>,
    /// What the stored history adds (`--history`).
    pub(crate) history: Option<Box<HistoryView>>,
}

impl AuditRun {
    /// An audit on its own: compared with nothing, no quotas, no history.
    pub(crate) fn alone(audit: Audit) -> AuditRun {
        AuditRun {
            audit,
            compared: None,
            quotas: None,
            history: None,
        }
    }

    /// The audit of this snapshot.
    pub fn audit(&self) -> &Audit {
        &self.audit
    }

    /// The previous snapshot this one was compared with.
    pub(crate) fn previous(&self) -> Option<&Audit> {
        self.compared.as_ref().map(|c| &*c.previous)
    }

    /// What changed since the previous snapshot.
    pub(crate) fn changes(&self) -> Option<&ChangeView> {
        self.compared.as_ref().map(|c| &c.changes)
    }

    /// The gate settings of the rules' `[gate]` section (flags override them).
    pub fn gate_settings(&self) -> crate::gate::GateSettings {
        self.audit.gate_settings()
    }
}
