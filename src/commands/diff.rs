//! `pipelint diff OLD NEW`: the change view alone. NEW is audited against OLD exactly as
//! `audit NEW --previous OLD` does; only what changed is printed. It exits 0 (a view, not a
//! gate), or 2 when it cannot compare.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;

use super::{Delivered, EXIT_PASS};
use crate::cli::{DiffArgs, DiffFormat as DiffFormatArg};
use crate::report::output::{self, Guard, Wanted};
use crate::report::{DiffFormat, EmitOptions};
use crate::{AuditRequest, thread_count};

pub(crate) fn run(args: &DiffArgs) -> Result<u8> {
    let (threads, clamped) = thread_count(args.threads);
    let request = AuditRequest {
        files: vec![args.new.clone()],
        rules: args.rules.clone(),
        preset: args.preset.map(|p| p.name().to_string()),
        as_of: args.as_of,
        threads,
        top: args.top,
        previous: Some(args.old.clone()),
        previous_as_of: args.previous_as_of,
        encoding: args.encoding.clone(),
        ..AuditRequest::default()
    };
    let path = args.output.clone().unwrap_or_else(|| PathBuf::from("-"));
    let target = output::prepare(
        &[Wanted::file(&path)],
        &Guard {
            kept: &request.kept(),
            stdout_taken: false,
        },
    )?
    .pop();
    if let Some(message) = clamped {
        super::note(&format!("pipelint: {message}"));
    }
    let audit = request.run()?;
    let report = audit.report(&audit.gate_settings());
    let Some(target) = target else {
        return Ok(EXIT_PASS);
    };
    let stdout_tty = target.is_stdout() && std::io::stdout().is_terminal();
    let format = match args.format {
        DiffFormatArg::Table => DiffFormat::Table,
        DiffFormatArg::Json => DiffFormat::Json,
        DiffFormatArg::Markdown => DiffFormat::Markdown,
    };
    let options = EmitOptions {
        top: args.top,
        color: format == DiffFormat::Table && super::audit::color(args.color, stdout_tty),
        terminal: stdout_tty,
        threads,
    };
    if target.write_with(|w| report.emit_diff(format, &options, w))? == Delivered::ReaderGone {
        return Ok(EXIT_PASS);
    }
    Ok(EXIT_PASS)
}
