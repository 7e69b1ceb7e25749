//! `pipelint diff OLD NEW`: the change view alone. NEW is audited against OLD exactly as
//! `audit NEW --previous OLD` does; only what changed is printed. It exits 0 (a view, not a
//! gate), or 2 when it cannot compare.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;
use clap::Args;

use super::{Delivered, EXIT_PASS};
use crate::cli::{ColorWhen, PresetArg, parse_as_of};
use crate::report::output::{self, Guard, Wanted};
use crate::report::{DiffFormat, EmitOptions};
use crate::session::{AuditRequest, thread_count};

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
    let format = args.format;
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

/// `pipelint diff`'s flags.
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
