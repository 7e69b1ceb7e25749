//! pipelint: an auditor for CRM pipeline exports.
//!
//! Data flows one way: an export is read and its columns mapped (`input`), its cells parsed
//! (`values`), every record checked by the check families (`checks`, each pushing its
//! findings through one sink that applies the severity settings, `diag`), scored for
//! completeness and forecast risk (`score`), run in parallel and aggregated (`engine`),
//! and rendered from one report view (`report`). `rules` holds the declarative
//! configuration everything reads; `session` runs one audit as a command asks for it
//! (previous snapshot, history, quotas); `commands` is the command line. ARCHITECTURE.md
//! has the layers and what each may import.
//!
//! The library's API is small: open an export, load rules, run an audit, build the report
//! view (which evaluates the gate), emit a format.
//!
//! ```
//! use pipelint::{AuditOptions, EmitOptions, Format, GateSettings};
//!
//! # fn main() -> anyhow::Result<()> {
//! let export = pipelint::open("fixtures/salesforce_q4_pipeline.csv")?;
//! // No rules file: the built-in preset that fits the export (here Salesforce's).
//! let rules = pipelint::load_rules(None, Some("auto"), std::slice::from_ref(&export))?;
//! let options = AuditOptions::as_of(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
//! let audit = pipelint::audit(rules, vec![export], &options)?;
//!
//! let report = audit.report(&GateSettings::default());
//! assert_eq!(report.summary().records, 19);
//! assert!(!report.gate().passed);
//! let first = report.findings().next().unwrap();
//! assert_eq!((first.code.as_str(), first.line), ("HYG002", 3));
//!
//! let mut json = Vec::new();
//! report.emit(Format::Json, &EmitOptions::default(), &mut json)?;
//! assert!(json.starts_with(b"{"));
//! # Ok(())
//! # }
//! ```

mod audit;
mod checks;
mod cli;
mod commands;
mod deal;
mod diag;
mod draft;
mod engine;
mod facts;
mod field;
mod gate;
mod history;
mod infer;
mod input;
mod interner;
mod notify;
mod playbook;
mod progress;
mod report;
mod rules;
mod score;
mod session;
pub mod sql;
mod suggest;
mod values;
mod words;

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

pub use audit::{Audit, AuditRun};
pub use cli::Cli;
pub use diag::{Code, Severity};
pub use gate::{FailOn, GateSettings, Verdict};
pub use history::backtest::{Backtest, SignalLift};
pub use history::view::{HistoryView, OwnerTrend, QuarterAccuracy, TrendPoint};
pub use input::Export;
pub use input::quota::Quotas;
pub use report::{
    Ambiguous, Amount, BandCounts, ChangesRow, CodeRow, CutCellsRow, DIFF_SCHEMA, DealRef,
    DealRisk, DealRow, DealSide, DeltaByCode, DeltaByOwner, DetectedRow, DiffFormat, EmitOptions,
    FieldRow, Files, FindingDeltaRow, FindingRow, Format, GroupFigures, InputRow, MoveCounts,
    MovementRow, NotCheckedRow, OwnerRow, PreviousRow, QuarterRow, Report, RulesRow, SCHEMA,
    SeverityCounts, SignalRow, SlipRow, StageRow, Summary, UnknownStageRow, UnknownStages,
    WaterfallRow,
};
pub use rules::RuleSet;
pub use score::Band;
pub use score::health::{
    Basis, CategoryRow, Coverage, CoverageRow, CurrencyRate, Cycle, ForecastCall, Health, NamedWin,
    OwnerCategories, WinRates, WinRow,
};
pub use session::{AuditOptions, AuditRequest, Previous, audit, audit_against};

/// Parse the command line `args` (the program's name first) and run it, as the `pipelint`
/// binary does. Help and the version go to standard output, and failing to write them
/// there is an error like any other (exit 2); usage errors go to standard error (exit 2).
pub fn run_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::Parser;
    match Cli::try_parse_from(args) {
        Ok(cli) => run(cli),
        Err(e) => ExitCode::from(commands::clap_output(&e)),
    }
}

/// Run the `pipelint` command line; returns its exit code (0 the gate passed, 1 it failed,
/// 2 the audit could not run). Errors are printed to standard error as one sentence.
pub fn run(cli: Cli) -> ExitCode {
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if commands::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            commands::note(&format!("error: {e:#}"));
            ExitCode::from(commands::EXIT_ERROR)
        }
    }
}

/// Open an export: detect its encoding and delimiter, read its header and a sample of its
/// rows. `-` reads standard input.
pub fn open(path: &str) -> Result<Export> {
    input::open(path, None)
}

/// The rules for `exports`, as the command line loads them: `rules` (else `./pipelint.toml`
/// if it exists) over a preset named by `preset` (or `auto`: the one that fits the first
/// export), else the file's own `[input] preset`.
pub fn load_rules(
    rules: Option<&Path>,
    preset: Option<&str>,
    exports: &[Export],
) -> Result<RuleSet> {
    let user = rules::load_user(rules)?;
    rules::resolve(user.as_ref(), preset, exports)
}
