//! The rows of the report view: the figures and resolved records every format shows.
//! All serialise as the `pipelint.report/1` JSON document names them.

use std::borrow::Cow;

use serde::Serialize;

use crate::diag::{Code, Severity};
use crate::gate::Verdict;
use crate::score::risk::Band;

pub use crate::values::Amount;

/// Findings by severity.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct SeverityCounts {
    pub error: u64,
    pub warning: u64,
    pub info: u64,
}

/// Open deals by risk band.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct BandCounts {
    pub high: u64,
    pub medium: u64,
    pub low: u64,
}

/// The audit in figures.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Deals audited (malformed and skipped rows excluded).
    pub records: u64,
    /// Open deals.
    pub open: u64,
    /// Closed deals (won or lost, by their stage or status). `open + closed +
    /// unknown_stage.deals = records`, always.
    pub closed: u64,
    /// Deals neither open nor closed: in a stage the rules do not know (or none), with no
    /// status saying which. Counted, never dropped.
    pub unknown_stage: UnknownStages,
    /// Open deals without a readable amount: the open amount leaves them out.
    pub open_without_amount: u64,
    /// Of those, the ones at high risk: the at-risk amount leaves them out.
    pub at_risk_without_amount: u64,
    /// Overall completeness, 0–100, one decimal.
    pub completeness: f64,
    pub findings: SeverityCounts,
    pub open_amount: Vec<Amount>,
    /// The high band's open amount.
    pub at_risk_amount: Vec<Amount>,
    pub risk: BandCounts,
    pub gate: Verdict,
}

/// Deals in stages the rules do not know.
#[derive(Clone, Debug, Default, Serialize)]
pub struct UnknownStages {
    /// Deals neither open nor closed (no status says which).
    pub deals: u64,
    /// Each stage value the rules do not know (as written; `None` for deals with no stage),
    /// most deals first: its deals, and how many of them a status counted open or closed.
    pub by_stage: Vec<UnknownStageRow>,
}

/// One stage value the rules do not know.
#[derive(Clone, Debug, Serialize)]
pub struct UnknownStageRow {
    pub stage: Option<String>,
    pub deals: u64,
    pub open: u64,
    pub closed: u64,
}

/// Completeness of one field.
#[derive(Clone, Debug, Serialize)]
pub struct FieldRow {
    /// The canonical name where mapped, else the header.
    pub field: String,
    /// The header as the (first) file writes it.
    pub column: Option<String>,
    pub applicable: u64,
    pub filled: u64,
    pub missing: u64,
    pub invalid: u64,
    /// Filled share of applicable, 0–100; `None` when it never applied.
    pub rate: Option<f64>,
}

/// A group of deals (an owner's, a stage's): completeness and open pipeline.
#[derive(Clone, Debug, Serialize)]
pub struct GroupFigures {
    pub records: u64,
    pub completeness: f64,
    pub open: u64,
    pub open_amount: Vec<Amount>,
    /// Open deals without a readable amount, which `open_amount` leaves out.
    pub open_without_amount: u64,
    pub high_risk: u64,
    pub at_risk_amount: Vec<Amount>,
    /// High-risk deals without a readable amount, which `at_risk_amount` leaves out.
    pub at_risk_without_amount: u64,
    pub risk: BandCounts,
}

/// An owner's deals (`owner` is `None` for deals without one).
#[derive(Clone, Debug, Serialize)]
pub struct OwnerRow {
    pub owner: Option<String>,
    #[serde(flatten)]
    pub figures: GroupFigures,
}

/// A stage's deals (`stage` is `None` for deals without one).
#[derive(Clone, Debug, Serialize)]
pub struct StageRow {
    /// The rules' stage name (the spelling found, for a stage the rules do not know).
    pub stage: Option<String>,
    /// How the export writes the stage, as written: each spelling its deals use, the
    /// rules' own name first when used, then aliases and other cases in order of first
    /// appearance (`["demo"]` for Discovery).
    pub labels: Vec<String>,
    /// Whether the stage is one of the rules' stages.
    pub known: bool,
    #[serde(flatten)]
    pub figures: GroupFigures,
}

/// How many findings one code produced.
#[derive(Clone, Debug, Serialize)]
pub struct CodeRow {
    pub code: Code,
    pub count: u64,
    pub severities: SeverityCounts,
    pub summary: &'static str,
}

/// A deal's risk with its reasons in words.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DealRisk {
    /// `None` for a deal in an unknown stage, which is neither open nor closed.
    pub score: Option<u8>,
    pub band: Option<Band>,
    pub signals: Vec<SignalRow>,
}

/// One reason a deal is at risk.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SignalRow {
    /// `overdue`, `stale`, `stage_aged`, …
    pub signal: &'static str,
    pub weight: u32,
    /// The facts behind it, in words: "overdue 10 days".
    pub detail: String,
    /// The question a manager asks the seller about it (not in the JSON document).
    #[serde(skip)]
    pub prompt: &'static str,
}

impl DealRisk {
    /// The signals' words joined, as a table cell shows them.
    pub fn why(&self) -> String {
        self.signals
            .iter()
            .map(|s| s.detail.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// One finding, resolved and worded.
#[derive(Clone, Debug, Serialize)]
pub struct FindingRow<'a> {
    pub code: Code,
    pub severity: Severity,
    pub file: &'a str,
    /// The physical line where the record starts (1-based).
    pub line: u64,
    pub record_id: Option<&'a str>,
    /// The canonical field where mapped, else the header.
    pub field: Option<&'a str>,
    /// The header as it appears in the file.
    pub column: Option<&'a str>,
    pub message: Cow<'a, str>,
    /// How many snapshots in a row its deal has had it (same code and field), this one
    /// included, where that is known (see [`Report::streak`](crate::Report::streak)).
    pub streak: Option<u16>,
    /// The deal it is about, when it is about one.
    #[serde(skip)]
    pub deal: Option<DealRef<'a>>,
}

/// Who and what a finding's deal is, for tables that list findings by deal.
#[derive(Clone, Copy, Debug)]
pub struct DealRef<'a> {
    /// Its name, else its id.
    pub label: &'a str,
    pub owner: Option<&'a str>,
    /// The stage as the export writes it.
    pub stage: Option<&'a str>,
    /// The rules' stage it is, by name or alias; `None` for a stage the rules do not know.
    pub stage_canonical: Option<&'a str>,
}

/// One deal, resolved, with its completeness and risk.
#[derive(Clone, Debug, Serialize)]
pub struct DealRow<'a> {
    pub file: &'a str,
    pub line: u64,
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub account: Option<&'a str>,
    pub owner: Option<&'a str>,
    /// The stage as the export writes it (`demo`).
    pub stage: Option<&'a str>,
    /// The rules' stage it is, by name or alias (`Discovery`); `None` for a stage the rules
    /// do not know.
    pub stage_canonical: Option<&'a str>,
    /// Exact decimal string.
    pub amount: Option<String>,
    /// The currency the deal names, if any.
    pub currency: Option<String>,
    pub close_date: Option<String>,
    pub completeness: f64,
    /// `None` for closed deals (not scored).
    pub risk: Option<DealRisk>,
    /// The probability as read, in points (0–100); not in the JSON document.
    #[serde(skip)]
    pub probability: Option<f64>,
}

impl DealRow<'_> {
    /// How tables name a deal: its name, else its id.
    pub fn label(&self) -> &str {
        self.name.or(self.id).unwrap_or("")
    }
}

/// One input file, as read.
#[derive(Clone, Debug, Serialize)]
pub struct InputRow<'a> {
    pub path: &'a str,
    pub records: u64,
    pub malformed: u64,
    pub skipped: u64,
    pub encoding: &'static str,
    pub delimiter: String,
    /// Date formats and decimal mark read from the file's values, in words.
    pub read_from_values: &'a [String],
    /// Cells longer than the 64 kB a cell keeps, cut to it (each ends with a marker saying
    /// how long it was); listed only when there are some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cut_cells: Option<CutCellsRow>,
    /// Read as a database dump (IN008): cells that were `\N` (NULL) read as empty, and
    /// quotes escaped with a backslash; listed only for a dump.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_dump: Option<DumpRow>,
    /// The file has no header row: `[input] header` named its columns (IN007); listed only
    /// then.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_header_row: bool,
}

/// What a database dump held of its dialect.
#[derive(Clone, Debug, Serialize)]
pub struct DumpRow {
    pub null_cells: u64,
    pub escaped_quotes: u64,
}

/// The cells of a file cut to the 64 kB a cell keeps.
#[derive(Clone, Debug, Serialize)]
pub struct CutCellsRow {
    pub count: u64,
    /// Where the first one is.
    pub first_line: u64,
    pub first_column: u32,
}

/// The previous snapshot a report compares with (`--previous`).
#[derive(Clone, Debug, Serialize)]
pub struct PreviousRow<'a> {
    #[serde(flatten)]
    pub input: InputRow<'a>,
    /// The date the previous snapshot was audited as of.
    pub as_of: String,
    /// How deals paired: `id`, or `account_and_name` (approximate: a renamed deal is new).
    pub paired_by: &'static str,
    /// Current deals paired with a previous one.
    pub paired: u64,
    /// Current deals repeating a record id another current deal paired with (DUP001).
    pub repeated: u64,
    /// Deals left unpaired because their account and name are not unique.
    pub ambiguous: Ambiguous,
}

/// Deals that could not be paired by account and name, in each snapshot.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Ambiguous {
    pub current: u64,
    pub previous: u64,
}

/// What changed since the previous snapshot: the figures (the deals are
/// [`Report::movements`](crate::Report::movements)).
#[derive(Clone, Debug, Serialize)]
pub struct ChangesRow {
    /// The fiscal quarter of as-of, which "slipped" and "pulled in" are about.
    pub quarter: QuarterRow,
    /// How many deals made each movement (`new`, `won`, `pushed`, …), in a fixed order.
    pub counts: MoveCounts,
    /// The open pipeline per currency, reconciled:
    /// `begin + new + reopened + increased - decreased - won - lost - vanished = end`.
    pub waterfall: Vec<WaterfallRow>,
    /// Deals open in either snapshot without a readable amount there (counted, not guessed).
    pub deals_without_amount: u64,
    /// Open deals due in the quarter before and after it now, with their previous amounts.
    pub slipped: SlipRow,
    /// Open deals due after the quarter before and in it now, with their current amounts.
    pub pulled_in: SlipRow,
    /// Findings since the previous snapshot (same deal, code and field).
    pub findings: FindingDeltaRow,
}

/// A fiscal quarter.
#[derive(Clone, Debug, Serialize)]
pub struct QuarterRow {
    /// `FY2026-Q4`.
    pub name: String,
    pub first_day: String,
    pub last_day: String,
}

/// Deals per movement, serialized as an object in movement order.
#[derive(Clone, Debug)]
pub struct MoveCounts(pub Vec<(&'static str, u64)>);

impl Serialize for MoveCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, n) in &self.0 {
            map.serialize_entry(name, n)?;
        }
        map.end()
    }
}

/// One currency's open-pipeline waterfall, exact decimals.
#[derive(Clone, Debug, Serialize)]
pub struct WaterfallRow {
    pub currency: Option<String>,
    pub begin: String,
    pub new: String,
    pub reopened: String,
    pub increased: String,
    pub decreased: String,
    pub won: String,
    pub lost: String,
    pub vanished: String,
    pub end: String,
}

/// Deals that left (or came into) the quarter, and their amounts per currency.
#[derive(Clone, Debug, Serialize)]
pub struct SlipRow {
    pub deals: u64,
    pub amount: Vec<Amount>,
    /// Deals without a readable amount, which `amount` leaves out.
    pub without_amount: u64,
}

/// Findings introduced, cleared and persisting since the previous snapshot.
#[derive(Clone, Debug, Serialize)]
pub struct FindingDeltaRow {
    pub introduced: u64,
    pub cleared: u64,
    pub persisting: u64,
    pub by_code: Vec<DeltaByCode>,
    pub by_owner: Vec<DeltaByOwner>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeltaByCode {
    pub code: Code,
    pub introduced: u64,
    pub cleared: u64,
    pub persisting: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeltaByOwner {
    pub owner: Option<String>,
    pub introduced: u64,
    pub cleared: u64,
    pub persisting: u64,
}

/// One deal that moved between the snapshots, with its values before and now.
#[derive(Clone, Debug, Serialize)]
pub struct MovementRow<'a> {
    pub id: Option<&'a str>,
    /// Its name, else its id.
    pub deal: &'a str,
    /// `new`, `won`, `lost`, `reopened`, `vanished`, `advanced`, `moved_back`, `pushed`,
    /// `pulled_in`, `amount_up`, `amount_down`, `forecast_up`, `forecast_down`,
    /// `owner_changed`.
    pub moves: Vec<&'static str>,
    /// In the previous snapshot (`None`: new).
    pub from: Option<DealSide<'a>>,
    /// Now (`None`: vanished).
    pub to: Option<DealSide<'a>>,
}

impl MovementRow<'_> {
    pub fn has(&self, movement: &str) -> bool {
        self.moves.contains(&movement)
    }
}

/// A deal as one snapshot has it.
#[derive(Clone, Debug, Serialize)]
pub struct DealSide<'a> {
    pub file: &'a str,
    pub line: u64,
    pub owner: Option<&'a str>,
    /// The stage as that snapshot's export writes it.
    pub stage: Option<&'a str>,
    /// The rules' stage it is; `None` for a stage the rules do not know.
    pub stage_canonical: Option<&'a str>,
    pub close_date: Option<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub forecast_category: Option<&'a str>,
}

/// Checks that could not be evaluated in this audit, and why.
#[derive(Clone, Debug, Serialize)]
pub struct NotCheckedRow {
    pub codes: Vec<Code>,
    pub why: String,
}

/// Which rules ran.
#[derive(Clone, Debug, Serialize)]
pub struct RulesRow<'a> {
    /// A path, or `preset:salesforce`.
    pub source: &'a str,
    pub preset: Option<&'static str>,
    pub detected: Option<DetectedRow>,
    /// Fields a preset uses that no file has: their checks were skipped.
    pub skipped_fields: Vec<&'a str>,
}

/// How the preset was picked when auto-detected.
#[derive(Clone, Debug, Serialize)]
pub struct DetectedRow {
    pub preset: &'static str,
    pub matched: usize,
    pub total: usize,
    pub stage_values: usize,
    pub stages_known: usize,
    pub confidence: f64,
    /// Sampled stage values that are not the preset's stages.
    #[serde(skip)]
    pub unknown_stages: Vec<String>,
    /// The detection in words.
    #[serde(skip)]
    pub words: String,
}
