//! The rows of the report view: the figures and resolved records every format shows.
//! All serialise as the `pipelint.report/1` JSON document names them.

use std::borrow::Cow;

use serde::Serialize;

use crate::diag::{Code, Severity};
use crate::gate::Verdict;
use crate::score::risk::Band;

/// An amount of money in one currency, as an exact decimal string.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Amount {
    /// ISO 4217 code; `None` when the export names none.
    pub currency: Option<String>,
    pub amount: String,
}

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
    /// Overall completeness, 0–100, one decimal.
    pub completeness: f64,
    pub findings: SeverityCounts,
    pub open_amount: Vec<Amount>,
    /// The high band's open amount.
    pub at_risk_amount: Vec<Amount>,
    pub risk: BandCounts,
    pub gate: Verdict,
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
    pub high_risk: u64,
    pub at_risk_amount: Vec<Amount>,
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
    pub stage: Option<String>,
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
    pub stage: Option<&'a str>,
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
    pub stage: Option<&'a str>,
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

/// Checks that could not be evaluated in this audit, and why.
#[derive(Clone, Debug, Serialize)]
pub struct NotCheckedRow {
    pub codes: Vec<Code>,
    pub why: &'static str,
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
