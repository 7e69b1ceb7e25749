//! `pipelint audit FILE...`: rules → inputs → engine → report view (with the gate) →
//! every requested format, and the exit code.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::{Delivered, EXIT_GATE_FAILED, EXIT_PASS, note};
use crate::cli::{AuditArgs, ColorWhen, FailOnArg};
use crate::gate::FailOn;
use crate::report::kept::Kept;
use crate::report::output::{self, Guard, Target, Want, Wanted};
use crate::report::{EmitOptions, Format};
use crate::{AuditRequest, thread_count};

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
    if let Some(why) = audit.as_of_note.as_deref() {
        note(&format!("pipelint: {why}"));
    }

    let mut gate = audit.gate_settings();
    if let Some(fail_on) = args.fail_on {
        gate.fail_on = match fail_on {
            FailOnArg::Error => FailOn::Error,
            FailOnArg::Warning => FailOn::Warning,
            FailOnArg::Never => FailOn::Never,
        };
    }
    gate.min_completeness = args.min_completeness.or(gate.min_completeness);
    gate.max_high_risk = args.max_high_risk.or(gate.max_high_risk);
    gate.allow_empty |= args.allow_empty;
    let report = audit.report(&gate);
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
        if format.is_directory() {
            let notes = target.write_files(crate::report::FILES_MARKER, |files| {
                report.emit_files(format, &options, files)
            })?;
            for line in notes {
                note(&format!("pipelint: {line}"));
            }
            continue;
        }
        if target.write_with(|w| report.emit(format, &options, w))? == Delivered::ReaderGone {
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
        None if !args.quiet => wanted.push((Job::Report(args.format), Path::new("-"))),
        None => {}
    }
    for (format, path) in &args.reports {
        wanted.push((Job::Report(*format), path));
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
