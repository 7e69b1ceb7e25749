//! `pipelint audit FILE...`: rules → inputs → engine → report view (with the gate) →
//! every requested format, and the exit code.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use super::{Delivered, EXIT_GATE_FAILED, EXIT_PASS, note};
use crate::cli::{ColorWhen, PresetArg, parse_as_of, parse_percent};
use crate::report::output::kept::Kept;
use crate::report::output::{self, Guard, Target, Want, Wanted};
use crate::report::{EmitOptions, Format};
use crate::session::{AuditRequest, thread_count};

/// What a target receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Job {
    Report(Format),
    /// The Markdown report appended to the job summary file GitHub Actions names in
    /// `GITHUB_STEP_SUMMARY`, when a `github` report is written.
    JobSummary,
}

pub(crate) fn run(args: &AuditArgs) -> Result<u8> {
    let (threads, clamped) = thread_count(args.threads);
    let request = AuditRequest {
        files: args.files.clone(),
        rules: args.rules.clone(),
        preset: args.preset.map(|p| p.name().to_string()),
        as_of: args.as_of,
        threads,
        delimiter: args.delimiter.clone(),
        encoding: args.encoding.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        top: args.top,
        progress: crate::progress::wanted(args.quiet),
        previous: args.previous.clone(),
        previous_as_of: args.previous_as_of,
        by: args.by.clone(),
        quota: args.quota.clone(),
        history: args.history.clone(),
    };
    // Every output is checked (and created) first, so a bad path fails before the work.
    let targets = prepare_targets(args, &request.kept())?;
    if let Some(message) = clamped {
        note(&format!("pipelint: {message}"));
    }
    let audit = request.run()?;
    if let Some(why) = audit.audit().as_of_note.as_deref() {
        note(&format!("pipelint: {why}"));
    }

    let mut gate = audit.gate_settings();
    if let Some(fail_on) = args.fail_on {
        gate.fail_on = fail_on;
    }
    gate.min_completeness = args.min_completeness.or(gate.min_completeness);
    gate.max_high_risk = args.max_high_risk.or(gate.max_high_risk);
    gate.allow_empty |= args.allow_empty;
    let report = audit
        .report(&gate)
        .only_owners(&args.owners)
        .map_err(anyhow::Error::msg)?;
    let code = if report.gate().passed {
        EXIT_PASS
    } else {
        EXIT_GATE_FAILED
    };

    let stdout_tty = std::io::stdout().is_terminal();
    for (job, target) in targets {
        let format = match job {
            Job::Report(format) => format,
            Job::JobSummary => Format::Markdown,
        };
        let to_stdout = target.is_stdout();
        let options = EmitOptions {
            top: args.top,
            color: format == Format::Table && to_stdout && color(args.color, stdout_tty),
            terminal: to_stdout && stdout_tty,
            threads,
        };
        if write_report(&report, format, target, &options)? == Delivered::ReaderGone {
            return Ok(code);
        }
    }
    if !args.quiet && args.format != Format::Table {
        if let Some(d) = &report.rules().detected {
            note(&format!(
                "pipelint: using preset {} ({})",
                d.preset, d.words
            ));
        }
    }
    Ok(code)
}

/// The main report (stdout, or `-o`), then every `--report`, then the job summary, checked
/// and opened.
fn prepare_targets(args: &AuditArgs, kept: &Kept) -> Result<Vec<(Job, Target)>> {
    let mut wanted: Vec<(Job, &Path)> = Vec::new();
    match &args.output {
        Some(path) => wanted.push((Job::Report(args.format), path)),
        None if args.format.is_directory() => bail!(
            "the {} report is a directory of files: name it with -o DIR or --report {}=DIR",
            args.format.name(),
            args.format.name()
        ),
        None if args.format == Format::Xlsx => bail!("{XLSX_ON_STDOUT}"),
        None if !args.quiet => wanted.push((Job::Report(args.format), Path::new("-"))),
        None => {}
    }
    for (format, path) in &args.reports {
        wanted.push((Job::Report(*format), path));
    }
    if wanted
        .iter()
        .any(|(job, path)| *job == Job::Report(Format::Xlsx) && path.as_os_str() == "-")
    {
        bail!("{XLSX_ON_STDOUT}");
    }
    // GitHub Actions sets it in every step; annotations add the report to the job summary.
    let summary = std::env::var_os(STEP_SUMMARY)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    let annotations = wanted
        .iter()
        .any(|(job, _)| *job == Job::Report(Format::Github));
    if let Some(summary) = summary.as_deref().filter(|_| annotations) {
        wanted.push((Job::JobSummary, summary));
    }
    let targets: Vec<Wanted<'_>> = wanted
        .iter()
        .map(|(job, path)| match job {
            Job::Report(format) if format.is_directory() => Wanted {
                path,
                want: Want::Directory,
                source: None,
            },
            Job::Report(_) => Wanted::file(path),
            Job::JobSummary => Wanted {
                path,
                want: Want::Append,
                source: Some(STEP_SUMMARY),
            },
        })
        .collect();
    let guard = Guard {
        kept,
        stdout_taken: false,
    };
    let prepared = output::prepare(&targets, &guard)?;
    Ok(wanted
        .into_iter()
        .map(|(job, _)| job)
        .zip(prepared)
        .collect())
}

/// Write `report` as `format` to `target`: a directory of files (saying what it left), or
/// one file or standard output.
pub(super) fn write_report(
    report: &crate::report::Report<'_>,
    format: Format,
    target: Target,
    options: &EmitOptions,
) -> Result<Delivered> {
    if format.is_directory() {
        let notes = target.write_files(crate::report::FILES_MARKER, |files| {
            report.emit_files(format, options, files)
        })?;
        for line in notes {
            note(&format!("pipelint: {line}"));
        }
        return Ok(Delivered::All);
    }
    target.write_with(|w| report.emit(format, options, w))
}

/// Why an Excel workbook is never written to standard output (a terminal shows it as noise).
const XLSX_ON_STDOUT: &str = "the xlsx report is a workbook file, not text for standard output: name it with -o FILE.xlsx or --report xlsx=FILE.xlsx";

/// The variable GitHub Actions names the job summary file in.
const STEP_SUMMARY: &str = "GITHUB_STEP_SUMMARY";

/// Whether to colour the table on stdout.
pub(super) fn color(when: ColorWhen, stdout_tty: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => stdout_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// `pipelint audit`'s flags.
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

    /// Limit the deal tables, findings and owner lists to this owner's deals, as the
    /// export writes the name (repeatable); the summary still describes the whole pipeline
    #[arg(long = "owner", value_name = "NAME")]
    pub(crate) owners: Vec<String>,

    /// Lowest severity that fails the gate (default: [gate] fail_on, else error)
    #[arg(long = "fail-on", value_enum)]
    pub(crate) fail_on: Option<crate::gate::FailOn>,

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

pub(super) fn parse_report(s: &str) -> Result<(Format, PathBuf), String> {
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
