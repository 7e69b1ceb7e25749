//! `pipelint sql -r RULES --dialect D`: the rules compiled to one query, bound to the
//! columns the rules name or to an export's header (`--like`), exactly as an audit binds them.

use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use clap::Args;

use super::{EXIT_PASS, stdout};
use crate::cli::{PresetArg, parse_as_of};
use crate::facts::mapping::{FieldTable, bind};
use crate::facts::reading::FileReading;
use crate::sql::{Target, findings_query, header_from_rules, summary_query};

pub(crate) fn run(args: &SqlArgs) -> Result<u8> {
    let user = crate::rules::load_user(args.rules.as_deref())?;
    let like = args
        .like
        .as_deref()
        .map(|f| {
            let how = user.as_ref().map(|u| u.read_as()).unwrap_or_default();
            crate::input::open_as(f, &how)
        })
        .transpose()?;
    let preset = args.preset.map(|p| p.name());
    let rules = crate::rules::resolve(user.as_ref(), preset, like.as_slice()).map_err(|e| {
        if like.is_none() {
            anyhow::anyhow!(
                "{e}; the rules leave the preset to detection: name one (`[input] preset`) or give an export with --like FILE"
            )
        } else {
            e
        }
    })?;
    let table = FieldTable::new(&rules);
    let (header, name) = match &like {
        Some(export) => (export.header.clone(), export.name.clone()),
        None => (header_from_rules(&rules, &table), rules.source.clone()),
    };
    let mut mapping = match bind(&rules, &table, &header, &name) {
        Ok(m) => m,
        Err(errors) => bail!("{}", errors.join("\n")),
    };
    let reading = match &like {
        Some(export) => crate::facts::reading::read_files(
            &rules,
            &table,
            std::slice::from_ref(&mapping),
            std::slice::from_ref(export),
        )
        .pop()
        .unwrap_or_else(|| FileReading::of_rules(&rules)),
        None => FileReading::of_rules(&rules),
    };
    // Columns the export leaves empty on every row are not read, as the audit does not.
    mapping.drop_empty(&reading.traps.empty);
    let target = Target {
        rules: &rules,
        header: &header,
        reading: &reading,
        dialect: args.dialect,
        table: &args.table,
        as_of: args.as_of,
        line_column: args.line_column.as_deref(),
    };
    let query = if args.summary {
        match summary_query(&target, &table, &mapping) {
            Ok(q) => q,
            Err(why) => bail!(
                "cannot write the --summary query for {}: {why}",
                rules.source
            ),
        }
    } else {
        findings_query(&target, &table, &mapping)
    };
    stdout(|out| out.write_all(query.as_bytes()))?;
    Ok(EXIT_PASS)
}

/// `pipelint sql`'s flags.
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
