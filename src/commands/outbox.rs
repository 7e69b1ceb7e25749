//! `pipelint outbox list|retry|purge`: what `pipelint act` recorded, and what became of it.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use super::act::{ActFormat, Shown, deliver, endpoints, table_of};
use super::history::DEFAULT_DB;
use super::{EXIT_GATE_FAILED, EXIT_PASS, stdout};
use crate::history::outbox;
use crate::history::{Access, Store};

#[derive(Subcommand, Debug)]
pub(crate) enum OutboxCommand {
    /// Every message with its state (pending, sending, sent, failed, uncertain)
    List(OutboxListArgs),
    /// Send the failed messages again (--uncertain: also those that may have arrived)
    Retry(OutboxRetryArgs),
    /// Remove the messages that were sent
    Purge(OutboxDbArgs),
}

#[derive(Args, Debug)]
pub(crate) struct OutboxDbArgs {
    /// The history file holding the outbox
    #[arg(long, value_name = "DB", default_value = DEFAULT_DB)]
    pub(crate) db: PathBuf,
}

#[derive(Args, Debug)]
pub(crate) struct OutboxListArgs {
    #[command(flatten)]
    pub(crate) db: OutboxDbArgs,

    /// Output format: a table, or pipelint.outbox/1 JSON
    #[arg(short = 'f', long, value_enum, default_value_t = ActFormat::Table)]
    pub(crate) format: ActFormat,
}

#[derive(Args, Debug)]
pub(crate) struct OutboxRetryArgs {
    #[command(flatten)]
    pub(crate) db: OutboxDbArgs,

    /// The rules whose [notify.*] say where messages go (default: ./pipelint.toml)
    #[arg(short = 'r', long = "rules", value_name = "RULES")]
    pub(crate) rules: Option<PathBuf>,

    /// Also send again the messages a crash left uncertain (they may have arrived)
    #[arg(long)]
    pub(crate) uncertain: bool,
}

pub(crate) fn run(command: &OutboxCommand) -> Result<u8> {
    match command {
        OutboxCommand::List(args) => list(args),
        OutboxCommand::Retry(args) => retry(args),
        OutboxCommand::Purge(args) => {
            let store = Store::open(&args.db, Access::Write)?;
            let n = outbox::purge(&store).context("purging the outbox")?;
            stdout(|out| {
                writeln!(
                    out,
                    "{n} sent message{} removed",
                    if n == 1 { "" } else { "s" }
                )
            })?;
            Ok(EXIT_PASS)
        }
    }
}

fn list(args: &OutboxListArgs) -> Result<u8> {
    let store = Store::open(&args.db.db, Access::Read)?;
    let list = outbox::list(&store).context("reading the outbox")?;
    let shown: Vec<Shown> = list.iter().map(Shown::of).collect();
    stdout(|out| match args.format {
        ActFormat::Json => {
            serde_json::to_writer_pretty(
                &mut *out,
                &serde_json::json!({"schema": "pipelint.outbox/1", "messages": shown}),
            )?;
            writeln!(out)
        }
        ActFormat::Table => {
            if shown.is_empty() {
                writeln!(out, "The outbox is empty.")
            } else {
                writeln!(out, "{}", table_of(&shown))
            }
        }
    })?;
    Ok(EXIT_PASS)
}

fn retry(args: &OutboxRetryArgs) -> Result<u8> {
    let user = crate::rules::load_user(args.rules.as_deref())?;
    let rules =
        crate::rules::build(user.as_ref(), None, None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let store = Store::open(&args.db.db, Access::Write)?;
    let n = outbox::retry(&store, args.uncertain).context("updating the outbox")?;
    let sent = deliver(&store, &endpoints(&rules.act.notify))?;
    stdout(|out| {
        writeln!(
            out,
            "{n} message{} queued again: {} sent, {} failed",
            if n == 1 { "" } else { "s" },
            sent.sent,
            sent.failed
        )
    })?;
    Ok(if sent.failed > 0 {
        EXIT_GATE_FAILED
    } else {
        EXIT_PASS
    })
}
