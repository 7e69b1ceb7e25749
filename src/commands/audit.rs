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
    for (format, target) in targets {
        let to_stdout = target.is_stdout();
        let options = EmitOptions {
            top: args.top,
            color: format == Format::Table && to_stdout && color(args.color, stdout_tty),
            terminal: to_stdout && stdout_tty,
            threads,
            // GitHub Actions names the job summary file; annotations add the report to it.
            step_summary: (format == Format::Github)
                .then(|| std::env::var_os("GITHUB_STEP_SUMMARY"))
                .flatten()
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
        };
        if format.is_directory() {
            target.write_files(crate::report::FILES_MARKER, |files| {
                report.emit_files(format, &options, files)
            })?;
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

/// The main report (stdout, or `-o`), then every `--report`, checked and opened.
fn prepare_targets(args: &AuditArgs, kept: &Kept) -> Result<Vec<(Format, Target)>> {
    let mut wanted: Vec<(Format, &Path)> = Vec::new();
    match &args.output {
        Some(path) => wanted.push((args.format, path)),
        None if args.format.is_directory() => bail!(
            "the {} report is a directory of files: name it with -o DIR or --report {}=DIR",
            args.format.name(),
            args.format.name()
        ),
        None if !args.quiet => wanted.push((args.format, Path::new("-"))),
        None => {}
    }
    for (format, path) in &args.reports {
        wanted.push((*format, path));
    }
    let targets: Vec<Wanted<'_>> = wanted
        .iter()
        .map(|(format, path)| Wanted {
            path,
            want: if format.is_directory() {
                Want::Directory
            } else {
                Want::File
            },
        })
        .collect();
    let guard = Guard {
        kept,
        stdout_taken: false,
    };
    let prepared = output::prepare(&targets, &guard)?;
    Ok(wanted.into_iter().map(|(f, _)| f).zip(prepared).collect())
}

/// Whether to colour the table on stdout.
pub(super) fn color(when: ColorWhen, stdout_tty: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => stdout_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}
