//! The command line: the commands and what they share (dates, presets, colour, list
//! formats). Each command's own flags live beside it in `commands/<command>.rs`; the
//! contract is the guide, docs/GUIDE.md.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::commands::audit::AuditArgs;
use crate::commands::diff::DiffArgs;
use crate::commands::history::{HistoryAddArgs, HistoryDbArgs};
use crate::commands::init::InitArgs;
use crate::commands::profile::ProfileArgs;
use crate::commands::sql::SqlArgs;

/// The `pipelint` command line; [`run`](crate::run) runs it.
#[derive(Parser, Debug)]
#[command(
    name = "pipelint",
    version,
    about = "Audit CRM pipeline exports: required fields, stage exit criteria, completeness",
    long_about = "pipelint reads a CRM pipeline export (Salesforce, HubSpot, Pipedrive or your own \
                  CSV), validates every deal against declarative rules, scores data completeness \
                  and exits 0 (gate passed), 1 (gate failed) or 2 (could not audit)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

// Parsed once per run: the size of the audit variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Audit one or more exports (audited as one pipeline)
    Audit(AuditArgs),
    /// What changed from one export of a pipeline to a later one: the open-pipeline
    /// waterfall, slipped and pushed deals, movements, CHG findings
    Diff(DiffArgs),
    /// Store weekly snapshots in a SQLite history, list them, and backtest the risk signals
    History {
        #[command(subcommand)]
        command: HistoryCommand,
    },
    /// Run the playbooks: audit as `audit --history`, route each exception to the person
    /// who can act on it, record one digest per recipient in the history's outbox and send
    /// it, once (--dry-run: show what would go to whom)
    Act(crate::commands::act::ActArgs),
    /// Inspect and manage the outbox of `pipelint act`
    Outbox {
        #[command(subcommand)]
        command: crate::commands::outbox::OutboxCommand,
    },
    /// Profile an export: encoding, delimiter, records; per column the fill rate,
    /// placeholders, distinct and top values, type and date format
    Profile(ProfileArgs),
    /// Print a rules file: drafted from an export's values (--from), or a preset to edit
    Init(InitArgs),
    /// Validate or list rules
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Compile the rules to one SQL query over a warehouse table whose columns are the
    /// export's headers: the findings of every check SQL evaluates (the rest are named in
    /// its opening comment)
    Sql(SqlArgs),
    /// Explain a check code: what it checks, why, an example, how to fix, configuration
    Explain {
        /// A check code such as REQ002
        code: String,
    },
    /// Print the manual page, or write every page (one per subcommand) into a directory
    Man {
        /// Write pipelint.1 and a page per subcommand (pipelint-audit.1, …) into DIR
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum HistoryCommand {
    /// Audit an export and store its snapshot (replacing one stored for the same as-of)
    Add(HistoryAddArgs),
    /// List the stored snapshots
    List(HistoryDbArgs),
    /// Which risk signals predicted losses: for deals that closed within the stored history,
    /// the loss rate of deals with each signal against those without (lift), with counts
    Backtest(HistoryDbArgs),
    /// Fit the risk weights to the stored history's outcomes: logistic regression on the
    /// deals that closed first, tested on those that closed last against the default
    /// weights (AUC, Brier); -f toml prints the [risk] block to adopt
    Calibrate(crate::commands::calibrate::HistoryCalibrateArgs),
}

#[derive(Subcommand, Debug)]
pub(crate) enum RulesCommand {
    /// Validate a rules file: exit 0 when valid, 2 with every problem listed
    Check {
        /// The rules file
        rules: PathBuf,
    },
    /// List every check code with its default severity and one-line summary
    List,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProfileFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum PresetArg {
    Auto,
    Salesforce,
    Hubspot,
    Pipedrive,
    Dynamics365,
    Zoho,
    Generic,
}

impl PresetArg {
    pub(crate) fn name(self) -> &'static str {
        match self {
            PresetArg::Auto => "auto",
            PresetArg::Salesforce => "salesforce",
            PresetArg::Hubspot => "hubspot",
            PresetArg::Pipedrive => "pipedrive",
            PresetArg::Dynamics365 => "dynamics365",
            PresetArg::Zoho => "zoho",
            PresetArg::Generic => "generic",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// A date flag's value: `YYYY-MM-DD` in the years 1 to 9999. chrono reads years far beyond
/// (`-262143-01-01`, `+10000-01-07`), where a week's arithmetic overflows and where a
/// date's text no longer sorts as the date does; no export is dated there.
pub(crate) fn parse_as_of(s: &str) -> Result<NaiveDate, String> {
    use chrono::Datelike;
    let day = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date in the form YYYY-MM-DD (e.g. 2026-11-20)"))?;
    if (1..=9999).contains(&day.year()) {
        Ok(day)
    } else {
        Err(format!(
            "`{s}` is outside the years 1 to 9999; give a date such as 2026-11-20"
        ))
    }
}

pub(crate) fn parse_percent(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{s}` is not a percentage"))?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{s}` is outside 0-100"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
