//! The one view of an audit that every report format reads: the summary and gate verdict,
//! completeness by field, the pipeline by owner and stage, findings by code, and every
//! finding and deal resolved (file, line, record id, field, column) and worded, in the
//! order reports list them. Small tables are computed once when the view is built; findings
//! and deals, which may number millions, are resolved one at a time as an emitter walks
//! them, so no report ever holds a second copy of them.
//!
//! Emitters see only this view, never the engine's internals.

mod breakdowns;
mod changes;
mod only;
pub(crate) mod rows;

use breakdowns::{by_code, by_field, by_owner, by_stage};

use crate::audit::{Audit, AuditRun};
use crate::checks::WordContext;
use crate::deal::{Deal, StageKey};
use crate::diag::{Code, Finding, Severity, Subject};
use crate::facts::pairing::PairBy;
use crate::facts::standing::{Standing, standing};
use crate::gate::Verdict;
use crate::report::view::rows::{
    Ambiguous, Amount, BandCounts, ChangesRow, CodeRow, CutCellsRow, DealRef, DealRisk, DealRow,
    DetectedRow, DumpRow, FieldRow, FindingRow, InputRow, NotCheckedRow, OwnerRow, PreviousRow,
    RulesRow, SeverityCounts, SignalRow, StageRow, Summary,
};
use crate::score::aggregate::CurrencySums;
use crate::score::risk::{self, Band, Describe};
use crate::score::round1;
use crate::values::{Currency, MoneySum};
use crate::words::delimiter_name;

/// The audit as every report shows it (see the module docs). Built by
/// [`AuditRun::report`](crate::AuditRun::report).
pub struct Report<'a> {
    run: &'a AuditRun,
    /// The run's audit of this snapshot.
    audit: &'a Audit,
    words: WordContext<'a>,
    /// The currency of amounts that name none (see [`Audit::sole_currency`]).
    currency: Option<Currency>,
    summary: Summary,
    rules: RulesRow<'a>,
    inputs: Vec<InputRow<'a>>,
    previous: Option<PreviousRow<'a>>,
    not_checked: Vec<NotCheckedRow>,
    changes: Option<ChangesRow>,
    by_field: Vec<FieldRow>,
    by_owner: Vec<OwnerRow>,
    by_stage: Vec<StageRow>,
    by_code: Vec<CodeRow>,
    health: crate::score::health::Health,
    /// Per finding, its streak counted from the previous snapshot, for a run compared with
    /// one without a history (a history's view holds its own streaks).
    compared_streaks: Option<Vec<u16>>,
    /// `--owner`: the deals and findings shown, when not all.
    only: Option<only::Only>,
}

impl Audit {
    /// What findings are worded from.
    pub(crate) fn word_context(&self) -> WordContext<'_> {
        WordContext {
            rules: &self.rules,
            table: &self.table,
            as_of: self.as_of,
            deals: &self.deals,
            files: self.inputs.iter().map(|i| i.path.as_str()).collect(),
            messages: &self.findings.messages,
            rows: &self.findings.rows,
            widths: self.inputs.iter().map(|i| i.header.len()).collect(),
            previous: None,
        }
    }
}

impl<'a> Report<'a> {
    /// The view of `run`, its gate already decided (`gate`), its health figures computed
    /// (`health`) and, compared with a previous snapshot but without a history, its
    /// findings' streaks counted (`compared_streaks`): the view reads, it never scores (see
    /// `AuditRun::report`).
    pub(crate) fn build(
        run: &'a AuditRun,
        gate: crate::gate::Verdict,
        health: crate::score::health::Health,
        compared_streaks: Option<Vec<u16>>,
    ) -> Report<'a> {
        let audit = &run.audit;
        let t = &audit.tallies;
        let p = &t.overall.pipeline;
        let sole = audit.sole_currency();
        let sums = |s: &CurrencySums| amounts(s.iter(), sole);
        let [info, warning, error] = audit.severity_counts();
        let findings = SeverityCounts {
            error,
            warning,
            info,
        };
        let summary = Summary {
            records: t.overall.completeness.records,
            open: p.open,
            closed: p.closed,
            unknown_stage: breakdowns::unknown_stages(audit),
            open_without_amount: p.open_without_amount,
            at_risk_without_amount: p.at_risk_without_amount,
            completeness: round1(t.overall.completeness.rate()),
            findings,
            open_amount: sums(&p.open_amount),
            at_risk_amount: sums(&p.at_risk_amount),
            risk: BandCounts::of(p.bands),
            gate,
        };
        let rules = RulesRow {
            source: &audit.rules.source,
            preset: audit.rules.preset,
            detected: audit.rules.detection.as_ref().map(|d| DetectedRow {
                preset: d.preset,
                matched: d.matched,
                total: d.total,
                stage_values: d.stage_values,
                stages_known: d.stages_known,
                confidence: round1(d.confidence() * 100.0),
                unknown_stages: d.unknown_stages.clone(),
                words: d.words(),
            }),
            skipped_fields: audit
                .skipped_fields()
                .into_iter()
                .map(|f| audit.table.name(f))
                .collect(),
        };
        let input_row = |i: &'a crate::audit::InputSummary| InputRow {
            path: &i.path,
            records: i.records,
            malformed: i.malformed,
            skipped: i.skipped,
            encoding: i.encoding,
            delimiter: delimiter_name(i.delimiter),
            read_from_values: &i.detected,
            cut_cells: i.first_cut.map(|(line, column)| CutCellsRow {
                count: i.cut_cells,
                first_line: line,
                first_column: column,
            }),
            database_dump: i.dump.map(|d| DumpRow {
                null_cells: d.nulls,
                escaped_quotes: d.escaped_quotes,
            }),
            no_header_row: i.header_named,
        };
        let inputs = audit
            .inputs
            .iter()
            .filter(|i| !i.previous)
            .map(input_row)
            .collect();
        let previous = match &run.compared {
            Some(crate::audit::Comparison {
                previous: p,
                pairing,
                ..
            }) => audit
                .inputs
                .iter()
                .find(|i| i.previous)
                .map(|i| PreviousRow {
                    input: input_row(i),
                    as_of: p.as_of.to_string(),
                    paired_by: match pairing.by {
                        Some(PairBy::Id) | None => "id",
                        Some(PairBy::AccountAndName) => "account_and_name",
                    },
                    paired: pairing.pairs.len() as u64,
                    repeated: pairing.repeated,
                    ambiguous: Ambiguous {
                        current: pairing.ambiguous.0,
                        previous: pairing.ambiguous.1,
                    },
                }),
            _ => None,
        };
        let not_checked = audit
            .not_checked
            .iter()
            .map(|(codes, why)| NotCheckedRow {
                codes: codes.clone(),
                why: why.clone(),
            })
            .collect();
        Report {
            run,
            audit,
            words: WordContext {
                previous: run
                    .compared
                    .as_ref()
                    .map(|c| (&c.previous.deals, &c.previous.rules)),
                ..audit.word_context()
            },
            currency: sole,
            summary,
            rules,
            inputs,
            previous,
            not_checked,
            changes: run.changes().map(|c| changes::changes_row(c, run, sole)),
            by_field: by_field(audit),
            by_owner: by_owner(audit, sole),
            by_stage: by_stage(audit, sole),
            by_code: by_code(audit.findings.list.iter()),
            health,
            compared_streaks,
            only: None,
        }
    }

    /// This view with its deal tables, findings, owner lists and movements limited to the
    /// deals of `owners` (`--owner`, each as the export writes it, else ignoring case),
    /// while the summary, health and history still describe the whole pipeline. An owner
    /// no deal has is an error naming the nearest.
    pub fn only_owners(mut self, owners: &[String]) -> Result<Report<'a>, String> {
        if owners.is_empty() {
            return Ok(self);
        }
        let owners = only::resolve(self.audit, owners)?;
        let only = only::Only::of(&self, owners);
        self.by_owner
            .retain(|r| r.owner.as_ref().is_some_and(|o| only.owners.contains(o)));
        let list = &self.audit.findings.list;
        self.by_code = by_code(only.findings.iter().filter_map(|&i| list.get(i as usize)));
        self.only = Some(only);
        Ok(self)
    }

    /// The findings shown (every one, or those of `--owner`'s deals) with their indices
    /// in the audit, in report order.
    fn shown_findings(&self) -> impl Iterator<Item = (usize, &'a Finding)> + '_ {
        let list: &'a [Finding] = &self.audit.findings.list;
        (0..self.finding_count())
            .filter_map(move |p| self.finding_index(p))
            .filter_map(move |i| Some((i, list.get(i)?)))
    }

    /// The date "today" was for every date check.
    pub fn as_of(&self) -> chrono::NaiveDate {
        self.audit.as_of
    }

    /// Why the as-of is suspect, when it is: it defaulted to today, far after the newest
    /// date in the export (IN013).
    pub fn as_of_note(&self) -> Option<&str> {
        self.audit.as_of_note.as_deref()
    }

    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The gate's verdict.
    pub fn gate(&self) -> &Verdict {
        &self.summary.gate
    }

    pub fn rules(&self) -> &RulesRow<'a> {
        &self.rules
    }

    /// The files audited (the previous snapshot's is [`Report::previous`]).
    pub fn inputs(&self) -> &[InputRow<'a>] {
        &self.inputs
    }

    /// The previous snapshot this audit was compared with, and how its deals paired.
    pub fn previous(&self) -> Option<&PreviousRow<'a>> {
        self.previous.as_ref()
    }

    /// Checks that were on but could not be evaluated, and why (never silently skipped).
    pub fn not_checked(&self) -> &[NotCheckedRow] {
        &self.not_checked
    }

    /// Completeness of every field some requirement names and some file has.
    pub fn by_field(&self) -> &[FieldRow] {
        &self.by_field
    }

    /// Owners by name, deals without an owner last.
    pub fn by_owner(&self) -> &[OwnerRow] {
        &self.by_owner
    }

    /// The rules' stages in pipeline order, then unknown stage spellings by name, then
    /// deals without a stage.
    pub fn by_stage(&self) -> &[StageRow] {
        &self.by_stage
    }

    /// What the stored history adds (`--history`): trends, commit accuracy, streaks.
    pub fn history(&self) -> Option<&crate::history::view::HistoryView> {
        self.run.history.as_deref()
    }

    /// How many snapshots in a row the `index`th finding's deal has had it (same code and
    /// field), this one included, where that is known: with a history (`--history`; 1 in
    /// the first snapshot of one), or compared with a previous snapshot (`--previous`, a
    /// file whose findings each count once, so 1 or 2). `None` without either, and for a
    /// finding about a row rather than a deal (an unreadable row, a file-level trap).
    pub fn streak(&self, index: usize) -> Option<u16> {
        let index = self.finding_index(index)?;
        let f = self.audit.findings.list.get(index)?;
        self.streak_of(index, f)
    }

    /// [`Report::streak`] of `f`, the `index`th finding.
    fn streak_of(&self, index: usize, f: &Finding) -> Option<u16> {
        let Subject::Deal(_) = f.subject else {
            return None;
        };
        let streaks = match &self.run.history {
            Some(h) => &h.streaks,
            None => self.compared_streaks.as_ref()?,
        };
        streaks.get(index).copied()
    }

    /// Pipeline health: the forecast call, win rate, cycle and coverage.
    pub fn health(&self) -> &crate::score::health::Health {
        &self.health
    }

    /// Codes with findings, most findings first.
    pub fn by_code(&self) -> &[CodeRow] {
        &self.by_code
    }

    /// Whether the rules have stages (so the pipeline and risk sections apply).
    pub fn has_stages(&self) -> bool {
        !self.audit.rules.stages.is_empty()
    }

    /// The score from which an open deal is at risk (the medium band's floor).
    pub fn at_risk_score(&self) -> u32 {
        self.audit.rules.risk.medium
    }

    /// The currency amounts that name none are in, if the export has exactly one.
    pub fn sole_currency(&self) -> Option<String> {
        self.currency.map(|c| c.to_string())
    }

    /// Every finding, in order: by file, line, code, field.
    pub fn findings(&self) -> impl ExactSizeIterator<Item = FindingRow<'_>> + '_ {
        let list = &self.audit.findings.list;
        (0..self.finding_count()).map(move |p| {
            // Every position below the count has its index (see `finding_index`).
            let i = self.finding_index(p).unwrap_or(p);
            self.finding_row(i, &list[i])
        })
    }

    /// The findings of one code, in the same order (resolved only for that code).
    pub fn findings_of(&self, code: Code) -> impl Iterator<Item = FindingRow<'_>> + '_ {
        self.shown_findings()
            .filter(move |(_, f)| f.code == code)
            .map(|(i, f)| self.finding_row(i, f))
    }

    /// The `index`th finding in that order (for emitters that render pieces in parallel).
    pub fn finding(&self, index: usize) -> Option<FindingRow<'_>> {
        let i = self.finding_index(index)?;
        self.audit
            .findings
            .list
            .get(i)
            .map(|f| self.finding_row(i, f))
    }

    /// How many findings there are (of `--owner`'s deals, when it is given).
    pub fn finding_count(&self) -> usize {
        match &self.only {
            Some(only) => only.findings.len(),
            None => self.audit.findings.list.len(),
        }
    }

    /// The `cap` most severe findings (every error, then warnings, then info; in report
    /// order within a severity), as indices in report order. Two passes over the
    /// severities, so picking 25,000 of millions holds 25,000 indices, not millions.
    pub(crate) fn most_severe(&self, cap: usize) -> Vec<usize> {
        let mut counts = [0usize; 3];
        for (_, f) in self.shown_findings() {
            counts[f.severity as usize] += 1;
        }
        // Severities above `cut` are all taken; of `cut` itself, the first `room`.
        let (mut cut, mut room) = (None, 0);
        let mut left = cap;
        for severity in [Severity::Error, Severity::Warning, Severity::Info] {
            let n = counts[severity as usize];
            if n > left {
                (cut, room) = (Some(severity), left);
                break;
            }
            left -= n;
        }
        let mut picked = Vec::with_capacity(cap.min(self.finding_count()));
        for (i, (_, f)) in self.shown_findings().enumerate() {
            match cut {
                Some(c) if f.severity < c => {}
                Some(c) if f.severity == c => {
                    if room > 0 {
                        room -= 1;
                        picked.push(i);
                    }
                }
                _ => picked.push(i),
            }
        }
        picked
    }

    /// What formats that count or pick findings before showing some need to know of the
    /// `index`th finding, without wording it.
    pub(crate) fn finding_key(&self, index: usize) -> Option<FindingKey> {
        let f = self.audit.findings.list.get(self.finding_index(index)?)?;
        let (file, deal) = match f.subject {
            Subject::Deal(d) => (self.audit.deals.get(d as usize)?.file, Some(d as usize)),
            Subject::Row(_) => (self.audit.finding_row(f).map_or(0, |r| r.file), None),
        };
        Some(FindingKey {
            file: file as usize,
            deal,
            code: f.code,
            severity: f.severity,
        })
    }

    /// The open amount in each risk band (high, medium, low), per currency: one pass over
    /// the deals, for charts.
    pub fn open_amount_by_band(&self) -> [(Band, Vec<Amount>); 3] {
        self.open_by_band().map(|(band, list, _)| (band, list))
    }

    /// The open amount in each risk band (high, medium, low), per currency, and how many of
    /// the band's deals have no amount: one pass over the deals.
    pub(crate) fn open_by_band(&self) -> [(Band, Vec<Amount>, u64); 3] {
        let audit = self.audit;
        let mut sums: [CurrencySums; 3] = Default::default();
        let mut without = [0u64; 3];
        for d in audit.deals.iter() {
            if standing(d, &audit.rules) != Standing::Open {
                continue;
            }
            let band = Band::of(d.risk.score, &audit.rules.risk) as usize;
            match d.amount() {
                Some(m) => sums[band].add(d.currency, m),
                None => without[band] += 1,
            }
        }
        let [low, medium, high] = sums;
        let of = |s: CurrencySums| amounts(s.iter(), self.currency);
        [
            (Band::High, of(high), without[Band::High as usize]),
            (Band::Medium, of(medium), without[Band::Medium as usize]),
            (Band::Low, of(low), without[Band::Low as usize]),
        ]
    }

    /// What formats that pick deals need to know of the `index`th deal, without resolving
    /// its text or wording its risk.
    pub(crate) fn deal_key(&self, index: usize) -> Option<DealKey<'a>> {
        let audit = self.audit;
        let d = audit.deals.get(self.deal_index(index)?)?;
        let standing = standing(d, &audit.rules);
        let open = standing == Standing::Open;
        Some(DealKey {
            owner: audit.deals.owner(d),
            closed: matches!(standing, Standing::Closed(_)),
            band: open.then(|| Band::of(d.risk.score, &audit.rules.risk)),
            score: d.risk.score,
            amount: d.amount().map_or(i64::MIN, |m| m.0),
        })
    }

    /// The question a manager asks the seller about a finding of `code` (its coaching
    /// prompt), or `""` when the check has none.
    pub(crate) fn check_prompt(&self, code: Code) -> &'static str {
        crate::checks::doc(code)
            .and_then(|d| d.prompt)
            .unwrap_or("")
    }

    /// What a check is, in the fixed headings `pipelint explain` prints (for formats that
    /// describe the checks they report on, such as SARIF's rules).
    pub fn check_help(&self, code: Code) -> &'static str {
        crate::checks::doc(code).map_or("", |d| d.explanation)
    }

    /// The codes that ran: every code not switched off by `[checks]`, `--select` or
    /// `--ignore`, in code order.
    pub fn checks_run(&self) -> &[Code] {
        &self.audit.checks_run
    }

    /// Every deal, in input order.
    pub fn deals(&self) -> impl Iterator<Item = DealRow<'a>> + '_ {
        (0..self.deal_count()).filter_map(|p| self.deal(p))
    }

    /// The `index`th deal in input order (for emitters that render pieces in parallel).
    pub fn deal(&self, index: usize) -> Option<DealRow<'a>> {
        let i = self.deal_index(index)?;
        self.audit.deals.get(i).map(|d| self.deal_row(d))
    }

    /// How many deals there are (of `--owner`, when it is given).
    pub fn deal_count(&self) -> usize {
        match &self.only {
            Some(only) => only.deals.len(),
            None => self.audit.deals.len(),
        }
    }

    /// The riskiest open deals (high and medium band), riskiest first (score, then amount,
    /// then file and line), at most `limit` of those the audit kept; and how many open
    /// deals are at risk in all.
    pub fn riskiest(&self, limit: usize) -> (Vec<DealRow<'a>>, u64) {
        if let Some(only) = &self.only {
            return self.riskiest_of(&only.deals, limit);
        }
        let bands = self.audit.tallies.overall.pipeline.bands;
        let total = bands[Band::High as usize] + bands[Band::Medium as usize];
        let deals = self
            .audit
            .riskiest
            .deals()
            .take(limit)
            .filter_map(|d| self.audit.deals.get(d as usize))
            .map(|d| self.deal_row(d))
            .collect();
        (deals, total)
    }

    /// [`Report::riskiest`] among `deals` (indices): every open one at risk, in the same
    /// order as the audit keeps them.
    fn riskiest_of(&self, deals: &[u32], limit: usize) -> (Vec<DealRow<'a>>, u64) {
        let audit = self.audit;
        let rules = &audit.rules;
        let mut at_risk: Vec<&'a Deal> = deals
            .iter()
            .filter_map(|&i| audit.deals.get(i as usize))
            .filter(|d| {
                standing(d, rules) == Standing::Open
                    && Band::of(d.risk.score, &rules.risk) != Band::Low
            })
            .collect();
        let total = at_risk.len() as u64;
        // The order the audit keeps its riskiest in.
        at_risk
            .sort_by_key(|d| risk::risk_key(d.risk.score, d.amount().map(|m| m.0), d.file, d.line));
        let rows = at_risk
            .into_iter()
            .take(limit)
            .map(|d| self.deal_row(d))
            .collect();
        (rows, total)
    }

    fn file(&self, file: u32) -> &'a str {
        self.audit
            .inputs
            .get(file as usize)
            .map_or("", |i| i.path.as_str())
    }

    /// `f`, the `index`th finding, resolved and worded.
    fn finding_row(&self, index: usize, f: &Finding) -> FindingRow<'_> {
        let audit = self.audit;
        let deal = audit.finding_deal(f);
        let row = audit.finding_row(f);
        let (file, line) = match (deal, row) {
            (Some(d), _) => (d.file, d.line),
            (_, Some(r)) => (r.file, r.line),
            _ => (0, 0),
        };
        let record_id = match (deal, row) {
            (Some(d), _) => Some(audit.deals.id(d)),
            (_, Some(r)) => r.record_id(&audit.findings.ids),
            _ => None,
        }
        .filter(|id| !id.is_empty());
        let column_index = match (f.field(), row) {
            (_, Some(r)) if r.column().is_some() => r.column().map(|c| c as usize),
            (Some(field), _) => audit
                .inputs
                .get(file as usize)
                .and_then(|i| i.mapping.column(field)),
            _ => None,
        };
        let column = column_index.and_then(|c| {
            audit
                .inputs
                .get(file as usize)
                .and_then(|i| i.header.get(c))
                .map(String::as_str)
        });
        let field = match f.field() {
            Some(id) => Some(audit.table.name(id)),
            None => column,
        };
        FindingRow {
            code: f.code,
            severity: f.severity,
            file: self.file(file),
            line,
            record_id,
            field,
            column,
            message: self.words.message(f),
            streak: self.streak_of(index, f),
            deal: match (deal, row.and_then(|r| r.previous_deal())) {
                (Some(d), _) => Some(deal_ref(audit, d)),
                // A deal that vanished: as the previous snapshot has it.
                (None, Some(old)) => self
                    .run
                    .previous()
                    .and_then(|p| Some(deal_ref(p, p.deals.get(old as usize)?))),
                (None, None) => None,
            },
        }
    }

    fn deal_row(&self, d: &'a Deal) -> DealRow<'a> {
        let store = &self.audit.deals;
        let non_empty = |s: &'a str| (!s.is_empty()).then_some(s);
        DealRow {
            file: self.file(d.file),
            line: d.line,
            id: non_empty(store.id(d)),
            name: non_empty(store.name(d)),
            account: non_empty(store.account(d)),
            owner: store.owner(d),
            stage: store.stage_label(d, &self.audit.rules),
            stage_canonical: store.stage_canonical(d, &self.audit.rules),
            amount: d.amount().map(|a| a.to_string()),
            currency: d.currency.map(|c| c.to_string()),
            close_date: d.close_date.map(|c| c.to_string()),
            completeness: round1(d.completeness()),
            risk: deal_risk(self.audit, d),
            probability: d.risk.probability(),
        }
    }
}

/// A finding's place, code and severity (see [`Report::finding_key`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FindingKey {
    /// Index into the report's inputs.
    pub(crate) file: usize,
    /// Index of its deal, when it is about one.
    pub(crate) deal: Option<usize>,
    pub(crate) code: Code,
    pub(crate) severity: Severity,
}

/// A deal's owner, risk and amount (see [`Report::deal_key`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct DealKey<'a> {
    pub(crate) owner: Option<&'a str>,
    /// Won or lost, by its stage or status.
    pub(crate) closed: bool,
    /// The risk band of an open deal; `None` when the deal is not open.
    pub(crate) band: Option<Band>,
    pub(crate) score: u8,
    /// The amount in ten-thousandths (for ordering); `i64::MIN` when there is none.
    pub(crate) amount: i64,
}

/// Who and what a finding's deal is, in `audit` (this snapshot or the previous one).
fn deal_ref<'a>(audit: &'a Audit, d: &Deal) -> DealRef<'a> {
    DealRef {
        label: deal_label(audit, d),
        owner: audit.deals.owner(d),
        stage: audit.deals.stage_label(d, &audit.rules),
        stage_canonical: audit.deals.stage_canonical(d, &audit.rules),
    }
}

/// A deal as a sales manager recognises it: its name, else its id.
fn deal_label<'a>(audit: &'a Audit, d: &Deal) -> &'a str {
    let name = audit.deals.name(d);
    if name.is_empty() {
        audit.deals.id(d)
    } else {
        name
    }
}

/// Totals per currency for reports, unlabelled amounts folded into `sole` when given.
pub(crate) fn amounts(
    sums: impl IntoIterator<Item = (Option<Currency>, MoneySum)>,
    sole: Option<Currency>,
) -> Vec<Amount> {
    let mut folded = CurrencySums::default();
    for (currency, sum) in sums {
        folded.insert_sum(currency.or(sole), sum);
    }
    folded
        .iter()
        .map(|(currency, amount)| Amount {
            currency: currency.map(|c| c.to_string()),
            amount: amount.to_string(),
        })
        .collect()
}

/// The risk of a deal, with its signals in words; `None` for closed deals (not scored).
fn deal_risk(audit: &Audit, d: &Deal) -> Option<DealRisk> {
    let rules = &audit.rules;
    let unscored = |detail: String| DealRisk {
        score: None,
        band: None,
        signals: vec![SignalRow {
            signal: "unknown_stage",
            weight: 0,
            detail,
            prompt: "Which stage is this deal really in?",
        }],
    };
    let stands = standing(d, rules);
    if matches!(stands, Standing::Closed(_)) {
        return None;
    }
    let known = match d.stage {
        StageKey::Known(i, _) => rules.stages.get(i as usize),
        _ => None,
    };
    match d.stage {
        // Open: by its stage, or (a stage the rules do not know) by its status.
        _ if stands == Standing::Open => {
            let describe = Describe {
                grader: risk::Grader {
                    as_of: audit.as_of,
                    close_date: d.close_date,
                    stage: known,
                    risk: &rules.risk,
                    changes: &rules.changes,
                },
                forecast: audit.deals.forecast(d),
                requires: known
                    .map(|stage| {
                        stage
                            .requires
                            .iter()
                            .map(|r| {
                                audit
                                    .table
                                    .id(&r.name)
                                    .map_or(r.name.as_str(), |id| audit.table.name(id))
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            let signals = d
                .risk
                .signals()
                .iter()
                .map(|s| SignalRow {
                    signal: s.name(),
                    weight: describe.grader.points(s, &d.risk),
                    detail: risk::describe(s, &d.risk, &describe),
                    prompt: crate::checks::signal_doc(s).map_or("", |doc| doc.prompt()),
                })
                .collect();
            Some(DealRisk {
                score: Some(d.risk.score),
                band: Some(Band::of(d.risk.score, &rules.risk)),
                signals,
            })
        }
        StageKey::Known(_, _) => None,
        StageKey::Unknown(u) => {
            let spelled = audit.deals.unknown_stages.name(u);
            Some(unscored(if rules.stages.is_empty() {
                "no [[stages]] in the rules: not scored".to_string()
            } else {
                format!("unknown stage `{spelled}`: not scored as open or closed")
            }))
        }
        StageKey::Missing => Some(unscored(
            "no stage: not scored as open or closed".to_string(),
        )),
    }
}
