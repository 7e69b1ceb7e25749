//! `pipelint profile FILE`: what is in an export, per column.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use clap::Args;

use super::{EXIT_PASS, stdout};
use crate::cli::ProfileFormat;
use crate::infer::FileProfile;
use crate::input;
use crate::report::formats::profile::{self, ProfileView};
use crate::rules::presets;
use crate::values::Placeholders;

pub(crate) fn run(args: &ProfileArgs) -> Result<u8> {
    let delimiter = args
        .delimiter
        .as_deref()
        .map(input::parse_delimiter)
        .transpose()?;
    let encoding = args.encoding.as_deref().map(input::parse_encoding);
    // A file without a header row is profiled with its columns named (IN007).
    let how = input::ReadAs {
        delimiter,
        encoding: encoding.transpose()?,
        name_columns: true,
        ..input::ReadAs::default()
    };
    let export = input::open_as(&args.file, &how)?;
    let preset = presets::detect(&export.header.cells, &export.sample)
        .ok()
        .map(|d| format!("{} ({})", d.preset, d.words()));
    let name = export.name.clone();
    let profile = FileProfile::scan(export, &Placeholders::default(), None)
        .with_context(|| format!("cannot profile {name}"))?;
    let view = ProfileView {
        profile: &profile,
        preset,
        top: args.top,
        terminal: std::io::stdout().is_terminal(),
    };
    stdout(|out| match args.format {
        ProfileFormat::Table => profile::write_table(&view, out),
        ProfileFormat::Json => profile::write_json(&view, out),
    })?;
    Ok(EXIT_PASS)
}

/// `pipelint profile`'s flags.
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
