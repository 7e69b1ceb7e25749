//! `pipelint history add|list|backtest`: the snapshot store (`calibrate` is its own
//! module).

use std::io::Write;

use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;
use clap::Args;
use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

use super::{EXIT_PASS, note, stdout};
use crate::cli::{HistoryCommand, PresetArg, ProfileFormat, parse_as_of};
use crate::history::{Access, Store, backtest};
use crate::report::terminal;
use crate::session::{AuditRequest, thread_count};

pub(crate) fn run(command: &HistoryCommand) -> Result<u8> {
    match command {
        HistoryCommand::Add(args) => add(args),
        HistoryCommand::List(args) => list(args),
        HistoryCommand::Backtest(args) => backtest(args),
        HistoryCommand::Calibrate(args) => super::calibrate::run(args),
    }
}

fn add(args: &HistoryAddArgs) -> Result<u8> {
    let (threads, clamped) = thread_count(args.threads);
    if let Some(message) = clamped {
        note(&format!("pipelint: {message}"));
    }
    let request = AuditRequest {
        files: args.files.clone(),
        rules: args.rules.clone(),
        preset: args.preset.map(|p| p.name().to_string()),
        as_of: args.as_of,
        threads,
        delimiter: args.delimiter.clone(),
        encoding: args.encoding.clone(),
        progress: crate::progress::wanted(args.quiet),
        history: Some(args.db.clone()),
        ..AuditRequest::default()
    };
    let (run, store) = request.run_in(true)?;
    let Some(mut store) = store else {
        anyhow::bail!("no history was opened");
    };
    let report = run.report(&run.gate_settings());
    let summary = serde_json::to_string(report.summary())?;
    let audit = run.audit();
    let streaks = run
        .history
        .as_ref()
        .map(|h| h.streaks.clone())
        .unwrap_or_default();
    let later = store
        .list()?
        .into_iter()
        .filter(|s| s.as_of > audit.as_of)
        .count();
    let done = store.add(audit, &streaks, &summary)?;
    if !args.quiet {
        let compared = run
            .history
            .as_ref()
            .and_then(|h| h.compared_with.clone())
            .map_or_else(
                || "the first snapshot stored".to_string(),
                |p| format!("compared with {p}"),
            );
        note(&format!(
            "pipelint: {} snapshot {} in {}: {} deals, {compared}",
            if done.replaced { "replaced" } else { "stored" },
            audit.as_of,
            store.path.display(),
            done.deals
        ));
        if later > 0 {
            note(&format!(
                "pipelint: {later} later snapshot{} were stored before this one: their push counts and streaks do not count it; add them again, in order, to include it",
                if later == 1 { "" } else { "s" }
            ));
        }
    }
    Ok(EXIT_PASS)
}

fn table() -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners())
        .set_content_arrangement(ContentArrangement::Dynamic);
    t
}

fn list(args: &HistoryDbArgs) -> Result<u8> {
    let store = Store::open(&args.db, Access::Read)?;
    let snapshots = store.list()?;
    stdout(|out| match args.format {
        ProfileFormat::Json => {
            serde_json::to_writer_pretty(
                &mut *out,
                &serde_json::json!({
                    "schema": "pipelint.history/1",
                    "db": store.path.display().to_string(),
                    "snapshots": snapshots,
                }),
            )?;
            writeln!(out)
        }
        ProfileFormat::Table => {
            writeln!(
                out,
                "{} snapshot{} in {}",
                snapshots.len(),
                if snapshots.len() == 1 { "" } else { "s" },
                terminal(&store.path.display().to_string())
            )?;
            if snapshots.is_empty() {
                return Ok(());
            }
            let mut t = table();
            t.set_header(vec![
                "as of",
                "deals",
                "open",
                "completeness",
                "findings",
                "rules",
                "files",
            ]);
            for s in &snapshots {
                let get = |k: &str| s.summary.get(k).cloned().unwrap_or_default();
                let findings = get("findings");
                let total = ["error", "warning", "info"]
                    .iter()
                    .filter_map(|k| findings.get(k).and_then(|v| v.as_u64()))
                    .sum::<u64>();
                t.add_row(vec![
                    s.as_of.to_string(),
                    s.deals.to_string(),
                    get("open").to_string(),
                    format!("{}%", get("completeness")),
                    total.to_string(),
                    terminal(&s.rules).into_owned(),
                    terminal(&s.files.join(", ")).into_owned(),
                ]);
            }
            for i in [1, 2, 3, 4] {
                if let Some(c) = t.column_mut(i) {
                    c.set_cell_alignment(CellAlignment::Right);
                }
            }
            writeln!(out, "{t}")
        }
    })?;
    Ok(EXIT_PASS)
}

fn backtest(args: &HistoryDbArgs) -> Result<u8> {
    let store = Store::open(&args.db, Access::Read)?;
    let b = backtest::run(&store)?;
    stdout(|out| match args.format {
        ProfileFormat::Json => {
            serde_json::to_writer_pretty(
                &mut *out,
                &serde_json::json!({
                    "schema": "pipelint.backtest/1",
                    "db": store.path.display().to_string(),
                    "backtest": b,
                }),
            )?;
            writeln!(out)
        }
        ProfileFormat::Table => write_backtest(&b, out),
    })?;
    Ok(EXIT_PASS)
}

fn pct(r: Option<f64>) -> String {
    r.map_or("–".to_string(), |r| format!("{r:.1}%"))
}

fn write_backtest(b: &backtest::Backtest, out: &mut dyn Write) -> std::io::Result<()> {
    let span = match (&b.first, &b.last) {
        (Some(f), Some(l)) => format!(" ({f} to {l})"),
        _ => String::new(),
    };
    writeln!(
        out,
        "Backtest over {} stored snapshot{}{span}: {} deals seen open and then closed, {} lost ({})",
        b.snapshots,
        if b.snapshots == 1 { "" } else { "s" },
        b.closed,
        b.lost,
        pct(b.loss_rate)
    )?;
    if b.closed == 0 {
        return writeln!(
            out,
            "No deal closed within the stored history yet: add more weekly snapshots (pipelint history add)."
        );
    }
    let mut t = table();
    t.set_header(vec![
        "signal",
        "deals with it",
        "lost",
        "loss rate",
        "deals without",
        "lost",
        "loss rate",
        "lift",
    ]);
    let mut rows = b.signals.clone();
    rows.sort_by(|x, y| {
        y.lift
            .unwrap_or(-1.0)
            .total_cmp(&x.lift.unwrap_or(-1.0))
            .then(x.signal.cmp(y.signal))
    });
    for s in &rows {
        let lift = match s.lift {
            Some(l) if s.small_sample => format!("{l:.2}× (small sample)"),
            Some(l) => format!("{l:.2}×"),
            None => "–".to_string(),
        };
        t.add_row(vec![
            s.signal.to_string(),
            s.with.to_string(),
            s.lost_with.to_string(),
            pct(s.loss_rate_with),
            s.without.to_string(),
            s.lost_without.to_string(),
            pct(s.loss_rate_without),
            lift,
        ]);
    }
    for i in 1..8 {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "Lift = loss rate with the signal ÷ loss rate without. Above 1× the signal preceded losses here; near 1× it told you nothing; below {} deals on a side the sample is small.",
        backtest::SMALL_SAMPLE
    )
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
