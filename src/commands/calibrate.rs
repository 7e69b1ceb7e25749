//! `pipelint history calibrate`: the risk weights the stored history's outcomes support,
//! as a table (the comparison with the default weights, then each signal's evidence), as
//! JSON (`pipelint.calibration/1`) or as a `[risk]` block to paste into the rules.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

use super::history::DEFAULT_DB;
use super::{EXIT_GATE_FAILED, EXIT_PASS, stdout};
use crate::history::calibrate::{self, Calibration, Measures};
use crate::history::{Access, Store};
use crate::words::thousands;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum CalibrateFormat {
    Table,
    Json,
    Toml,
}

#[derive(Args, Debug)]
pub(crate) struct HistoryCalibrateArgs {
    /// The history file
    #[arg(long, value_name = "DB", default_value = DEFAULT_DB)]
    pub(crate) db: PathBuf,

    /// Output format: the comparison table, pipelint.calibration/1 JSON, or the [risk]
    /// block to paste into the rules
    #[arg(short = 'f', long, value_enum, default_value_t = CalibrateFormat::Table)]
    pub(crate) format: CalibrateFormat,
}

/// Exit 0 with a fit, 1 when the history is too small to fit (what it has is still shown).
pub(crate) fn run(args: &HistoryCalibrateArgs) -> Result<u8> {
    let store = Store::open(&args.db, Access::Read)?;
    let c = calibrate::run(&store)?;
    let db = store.path.display().to_string();
    stdout(|out| match args.format {
        CalibrateFormat::Json => {
            let mut doc = serde_json::json!({
                "schema": "pipelint.calibration/1",
                "db": db,
            });
            if let (Some(doc), serde_json::Value::Object(fields)) =
                (doc.as_object_mut(), serde_json::to_value(&c)?)
            {
                doc.extend(fields);
            }
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)
        }
        CalibrateFormat::Table => write_table(&c, out),
        CalibrateFormat::Toml => write_toml(&c, &db, out),
    })?;
    Ok(if c.too_small.is_some() {
        EXIT_GATE_FAILED
    } else {
        EXIT_PASS
    })
}

fn count(n: u64) -> String {
    thousands(n)
}

fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".to_string()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn measure(m: Option<f64>) -> String {
    m.map_or("–".to_string(), |v| format!("{v:.3}"))
}

/// The opening lines: the history, the deals, the split.
fn write_heading(c: &Calibration, out: &mut dyn Write) -> std::io::Result<()> {
    let span = match (&c.first, &c.last) {
        (Some(f), Some(l)) => format!(" ({f} to {l})"),
        _ => String::new(),
    };
    writeln!(
        out,
        "Calibration over {} stored snapshot{}{span}: {} deals seen open and then closed, {} lost ({})",
        c.snapshots,
        if c.snapshots == 1 { "" } else { "s" },
        count(c.closed_deals),
        count(c.lost),
        share(c.lost, c.closed_deals)
    )?;
    if let Some(why) = &c.too_small {
        return writeln!(out, "Too small a sample to calibrate on: {why}.");
    }
    let range = |s: &calibrate::Split| match (&s.closed_from, &s.closed_to) {
        (Some(a), Some(b)) if a != b => format!("closed {a} to {b}"),
        (Some(a), _) => format!("closed by {a}"),
        _ => String::new(),
    };
    writeln!(
        out,
        "Fitted on the {} that closed first ({} lost; {}), tested on the {} that closed last ({} lost; {}).",
        count(c.train.deals),
        count(c.train.lost),
        range(&c.train),
        count(c.test.deals),
        count(c.test.lost),
        range(&c.test)
    )
}

fn table() -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners())
        .set_content_arrangement(ContentArrangement::Dynamic);
    t
}

fn write_table(c: &Calibration, out: &mut dyn Write) -> std::io::Result<()> {
    write_heading(c, out)?;
    if c.too_small.is_some() {
        return Ok(());
    }
    let mut t = table();
    t.set_header(vec!["weights", "AUC (test)", "Brier (test)"]);
    let row = |name: &str, m: &Measures| vec![name.to_string(), measure(m.auc), measure(m.brier)];
    t.add_row(row("default", &c.default));
    t.add_row(row("calibrated", &c.calibrated));
    right(&mut t, 1..3);
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "AUC: the chance a lost deal scores above a won one (0.5 is a coin toss; higher is better). Brier: the score read as a loss probability, mean squared error (lower is better)."
    )?;
    let mut t = table();
    t.set_header(vec![
        "signal",
        "points",
        "default",
        "log-odds per grade",
        "lift",
        "deals with it",
        "lost",
    ]);
    for s in &c.signals {
        t.add_row(vec![
            s.signal.to_string(),
            s.points.to_string(),
            s.default_points.to_string(),
            format!("{:+.3}", s.coefficient),
            s.lift.map_or("–".to_string(), |l| format!("{l:.2}×")),
            count(s.with),
            format!("{} ({})", count(s.lost_with), share(s.lost_with, s.with)),
        ]);
    }
    right(&mut t, 1..7);
    writeln!(out, "{t}")?;
    if let Some((high, medium, ph, pm)) = c.bands.fitted() {
        writeln!(
            out,
            "Bands: high ≥ {high} (a loss probability of {:.0}%), medium ≥ {medium} ({:.0}%, the training deals' loss rate).",
            ph * 100.0,
            pm * 100.0
        )?;
    }
    writeln!(
        out,
        "Points are the fitted log-odds on the score's scale (a signal that did not precede losses here gets 0). To adopt them: pipelint history calibrate -f toml, and replace the rules' [risk] weights and bands with it."
    )
}

fn right(t: &mut Table, columns: std::ops::Range<usize>) {
    for i in columns {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// The `[risk]` block, each line with its evidence in a comment.
fn write_toml(c: &Calibration, db: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let one_line = |s: &str| s.replace(['\n', '\r'], " ");
    writeln!(out, "# pipelint history calibrate --db {}", one_line(db))?;
    if let Some(why) = &c.too_small {
        return writeln!(out, "# not calibrated: {}", one_line(why));
    }
    writeln!(
        out,
        "# Fitted on the {} deals that closed first ({} lost), tested on the {} that closed last ({} lost).",
        count(c.train.deals),
        count(c.train.lost),
        count(c.test.deals),
        count(c.test.lost)
    )?;
    writeln!(
        out,
        "# Test AUC {} (default weights {}); Brier {} ({}).",
        measure(c.calibrated.auc),
        measure(c.default.auc),
        measure(c.calibrated.brier),
        measure(c.default.brier)
    )?;
    writeln!(
        out,
        "# Replace the [risk] weights, high and medium of your rules with these lines."
    )?;
    writeln!(out, "[risk]")?;
    writeln!(out, "grading = \"linear\"   # the fit read graded signals")?;
    if let Some((high, medium, ph, pm)) = c.bands.fitted() {
        writeln!(
            out,
            "high = {high}   # a loss probability of {:.0}%",
            ph * 100.0
        )?;
        writeln!(
            out,
            "medium = {medium}   # {:.0}%: the training deals' loss rate",
            pm * 100.0
        )?;
    }
    writeln!(out, "[risk.weights]")?;
    for s in &c.signals {
        let lift = s.lift.map_or("no lift to measure".to_string(), |l| {
            format!("lift {l:.2}×")
        });
        writeln!(
            out,
            "{} = {}   # log-odds {:+.3} per grade; {lift}; {} of {} deals with it lost (default {})",
            s.signal,
            s.points,
            s.coefficient,
            count(s.lost_with),
            count(s.with),
            s.default_points
        )?;
    }
    Ok(())
}
