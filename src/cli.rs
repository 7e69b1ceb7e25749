//! The command line: commands, formats and flags (the contract in DESIGN.md).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;

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
}

/// The default history file, in the current directory.
pub(crate) const DEFAULT_DB: &str = "pipelint-history.sqlite";

#[derive(Args, Debug)]
pub(crate) struct HistoryAddArgs {
    /// Export files (CSV) of one snapshot; `-` reads standard input
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<String>,

    /// The history file (created when missing)
    #[arg(long, value_name = "DB", default_value = DEFAULT_DB)]
    pub(crate) db: PathBuf,

    /// The snapshot's date ("today" for its date checks; default: the current date)
    #[arg(long = "as-of", value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    pub(crate) as_of: Option<NaiveDate>,

    /// Rules file (default: ./pipelint.toml, else the detected preset)
    #[arg(short = 'r', long = "rules", value_name = "RULES")]
    pub(crate) rules: Option<PathBuf>,

    /// Built-in preset, overriding the rules file's
    #[arg(long, value_enum)]
    pub(crate) preset: Option<PresetArg>,

    /// Field delimiter (default: detected): one character or `tab`
    #[arg(long, value_name = "CHAR")]
    pub(crate) delimiter: Option<String>,

    /// Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...
    #[arg(long, value_name = "NAME")]
    pub(crate) encoding: Option<String>,

    /// Worker threads (0 = one per core)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) threads: usize,

    /// Print nothing but errors
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

#[derive(Args, Debug)]
pub(crate) struct HistoryDbArgs {
    /// The history file
    #[arg(long, value_name = "DB", default_value = DEFAULT_DB)]
    pub(crate) db: PathBuf,

    /// Output format
    #[arg(short = 'f', long, value_enum, default_value_t = ProfileFormat::Table)]
    pub(crate) format: ProfileFormat,
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

#[derive(Args, Debug)]
pub(crate) struct AuditArgs {
    /// Export files (CSV); `-` reads standard input
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<String>,

    /// Rules file (default: ./pipelint.toml if present, else the detected preset)
    #[arg(short = 'r', long = "rules", value_name = "RULES")]
    pub(crate) rules: Option<PathBuf>,

    /// Built-in preset to start from; `auto` picks the one matching the header
    #[arg(long, value_enum)]
    pub(crate) preset: Option<PresetArg>,

    /// The date treated as today for every date check (default: today)
    #[arg(long = "as-of", value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    pub(crate) as_of: Option<NaiveDate>,

    /// Compare with this earlier export of the same pipeline (last week's): the change checks
    /// CHG001-CHG005 and what changed
    #[arg(long, value_name = "FILE")]
    pub(crate) previous: Option<String>,

    /// The date the previous export is audited as of (default: --as-of minus 7 days)
    #[arg(
        long = "previous-as-of",
        value_name = "YYYY-MM-DD",
        value_parser = parse_as_of,
        requires = "previous"
    )]
    pub(crate) previous_as_of: Option<NaiveDate>,

    /// Compare with the latest snapshot stored in this history before --as-of (as
    /// --previous), and add serial slippage (HYG009), streaks, owner trends and commit
    /// accuracy from the whole stored history
    #[arg(long, value_name = "DB", conflicts_with = "previous")]
    pub(crate) history: Option<PathBuf>,

    /// Quota file (CSV: owner, period such as FY2027-Q1, amount, currency): coverage of the
    /// fiscal quarter that holds --as-of
    #[arg(long, value_name = "FILE")]
    pub(crate) quota: Option<String>,

    /// Break the win rate, cycle and won size down by this column (a field or any header,
    /// e.g. "Lead Source")
    #[arg(long, value_name = "FIELD")]
    pub(crate) by: Option<String>,

    /// Output format on stdout (or to --output)
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,

    /// Write the report to PATH instead of stdout (atomically)
    #[arg(short = 'o', long, value_name = "PATH")]
    pub(crate) output: Option<PathBuf>,

    /// Also write FORMAT to PATH, e.g. --report json=audit.json (repeatable)
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report)]
    pub(crate) reports: Vec<(Format, PathBuf)>,

    /// Lowest severity that fails the gate (default: [gate] fail_on, else error)
    #[arg(long = "fail-on", value_enum)]
    pub(crate) fail_on: Option<FailOnArg>,

    /// Fail the gate when overall completeness is below PCT (0-100)
    #[arg(long = "min-completeness", value_name = "PCT", value_parser = parse_percent)]
    pub(crate) min_completeness: Option<f64>,

    /// Fail the gate when more than N open deals are high risk
    #[arg(long = "max-high-risk", value_name = "N")]
    pub(crate) max_high_risk: Option<u64>,

    /// Pass the gate on an export with no deals (by default it fails: a sync that lost
    /// its rows)
    #[arg(long = "allow-empty")]
    pub(crate) allow_empty: bool,

    /// Only these check codes or prefixes (comma-separated), e.g. REQ,VAL001
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub(crate) select: Vec<String>,

    /// Switch off these check codes or prefixes (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub(crate) ignore: Vec<String>,

    /// How many findings the table lists
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub(crate) top: usize,

    /// Worker threads (0 = one per core; more than the machine runs at once are clamped)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) threads: usize,

    /// Field delimiter of the export (default: [input] delimiter, else ,): one character or `tab`
    #[arg(long, value_name = "CHAR")]
    pub(crate) delimiter: Option<String>,

    /// Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...
    #[arg(long, value_name = "NAME")]
    pub(crate) encoding: Option<String>,

    /// Print nothing on stdout; the exit code (and any -o/--report files) carry the result
    #[arg(short, long)]
    pub(crate) quiet: bool,

    /// When to colour the table
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub(crate) color: ColorWhen,
}

#[derive(Args, Debug)]
pub(crate) struct DiffArgs {
    /// The earlier export (last week's)
    #[arg(value_name = "OLD")]
    pub(crate) old: String,

    /// The later export (this week's)
    #[arg(value_name = "NEW")]
    pub(crate) new: String,

    /// Rules file (default: ./pipelint.toml if present, else the preset NEW fits)
    #[arg(short = 'r', long, value_name = "RULES")]
    pub(crate) rules: Option<PathBuf>,

    /// Built-in preset to start from; `auto` picks the one matching NEW's header
    #[arg(long, value_enum)]
    pub(crate) preset: Option<PresetArg>,

    /// The date NEW is audited as of (default: today)
    #[arg(long = "as-of", value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    pub(crate) as_of: Option<NaiveDate>,

    /// The date OLD is audited as of (default: --as-of minus 7 days)
    #[arg(long = "previous-as-of", value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    pub(crate) previous_as_of: Option<NaiveDate>,

    /// Output format
    #[arg(short = 'f', long, value_enum, default_value_t = DiffFormat::Table)]
    pub(crate) format: DiffFormat,

    /// Write the change view to PATH instead of stdout (atomically)
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub(crate) output: Option<PathBuf>,

    /// How many deals each list shows
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub(crate) top: usize,

    /// Worker threads (0 = one per core)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) threads: usize,

    /// Colour: auto (a terminal, unless NO_COLOR), always, never
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub(crate) color: ColorWhen,

    /// Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...
    #[arg(long, value_name = "NAME")]
    pub(crate) encoding: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    /// The change view for a terminal
    Table,
    /// `pipelint.diff/1`: the change view's figures, every movement, the CHG findings
    Json,
    /// The change view as GitHub-flavoured Markdown
    Markdown,
}

#[derive(Args, Debug)]
pub(crate) struct ProfileArgs {
    /// Export file (CSV); `-` reads standard input
    #[arg(value_name = "FILE")]
    pub(crate) file: String,

    /// Output format
    #[arg(short = 'f', long, value_enum, default_value_t = ProfileFormat::Table)]
    pub(crate) format: ProfileFormat,

    /// How many of the most common values to show per column
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub(crate) top: usize,

    /// Field delimiter (default: detected): one character or `tab`
    #[arg(long, value_name = "CHAR")]
    pub(crate) delimiter: Option<String>,

    /// Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...
    #[arg(long, value_name = "NAME")]
    pub(crate) encoding: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProfileFormat {
    Table,
    Json,
}

#[derive(Args, Debug)]
pub(crate) struct SqlArgs {
    /// The rules file to compile (default: ./pipelint.toml if present, else the preset)
    #[arg(short = 'r', long, value_name = "RULES")]
    pub(crate) rules: Option<PathBuf>,

    /// Preset to compile, overriding the rules file's `[input] preset` (`auto` detects it
    /// from the --like export)
    #[arg(long, value_enum)]
    pub(crate) preset: Option<PresetArg>,

    /// The SQL dialect to write
    #[arg(long, value_enum)]
    pub(crate) dialect: crate::sql::Dialect,

    /// The table (or `schema.table`) holding one row per deal; a dbt relation such as
    /// `{{ ref('opportunities') }}` is kept as written
    #[arg(long, value_name = "NAME", default_value = "deals")]
    pub(crate) table: String,

    /// "Today" for the date checks (default: the warehouse's CURRENT_DATE when the query
    /// runs)
    #[arg(long = "as-of", value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    pub(crate) as_of: Option<NaiveDate>,

    /// An export whose header the table's columns follow, bound to the rules exactly as
    /// `pipelint audit` binds it (default: the columns the rules name)
    #[arg(long, value_name = "FILE")]
    pub(crate) like: Option<String>,

    /// A column holding each record's line in its export, returned as `line`
    #[arg(long, value_name = "NAME")]
    pub(crate) line_column: Option<String>,

    /// Instead of the findings: each deal's completeness and forecast risk (score, band,
    /// signals), then the same figures by owner, by stage and for all deals
    #[arg(long)]
    pub(crate) summary: bool,
}

#[derive(Args, Debug)]
pub(crate) struct InitArgs {
    /// Draft the rules from this export's values (`-` reads standard input). Several
    /// weekly snapshots of one pipeline, oldest first, order the stages by the moves deals
    /// made between them; the rules are drafted from the last
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub(crate) from: Vec<String>,

    /// An opportunity-history export (a row per stage change: OpportunityId, StageName,
    /// CreatedDate) to order the stages by the moves deals made
    #[arg(long, value_name = "FILE", requires = "from")]
    pub(crate) stage_history: Option<String>,

    /// Preset to start from (default with --from: the one that fits, if any; without:
    /// generic)
    #[arg(long, value_enum)]
    pub(crate) preset: Option<PresetArg>,

    /// Field delimiter of the export (default: detected): one character or `tab`
    #[arg(long, value_name = "CHAR")]
    pub(crate) delimiter: Option<String>,

    /// Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...
    #[arg(long, value_name = "NAME")]
    pub(crate) encoding: Option<String>,
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
pub(crate) enum FailOnArg {
    Error,
    Warning,
    Never,
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
fn parse_as_of(s: &str) -> Result<NaiveDate, String> {
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

fn parse_percent(s: &str) -> Result<f64, String> {
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

fn parse_report(s: &str) -> Result<(Format, PathBuf), String> {
    let (format, path) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not FORMAT=PATH (e.g. json=audit.json)"))?;
    let format = Format::from_str(format.trim(), true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        format!(
            "unknown format `{format}`; formats are {}",
            names.join(", ")
        )
    })?;
    if path.trim().is_empty() {
        return Err(format!("`{s}` names no path"));
    }
    Ok((format, PathBuf::from(path)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn report_flag_parses() {
        assert_eq!(
            parse_report("json=out/a.json"),
            Ok((Format::Json, PathBuf::from("out/a.json")))
        );
        assert!(parse_report("yaml=a").is_err());
        assert!(parse_report("json").is_err());
    }
}
