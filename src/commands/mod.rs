//! One module per command, each with its `run(args) -> Result<u8>` returning the exit code;
//! plus the two ways a command talks: standard output (where a reader that went away, as
//! in `pipelint … | head`, ends the command quietly) and notes on standard error (which
//! never fail a command, even when nobody reads them).

pub(crate) mod act;
pub(crate) mod audit;
pub(crate) mod calibrate;
pub(crate) mod diff;
mod explain;
pub(crate) mod history;
pub(crate) mod init;
mod man;
pub(crate) mod outbox;
pub(crate) mod profile;
mod rules;
pub(crate) mod sql;

use std::io::{self, IsTerminal, Write};

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, Command, RulesCommand};
pub(crate) use crate::report::output::{Delivered, is_broken_pipe, stdout};

/// Exit codes (docs/GUIDE.md, "Exit codes").
pub(crate) const EXIT_PASS: u8 = 0;
pub(crate) const EXIT_GATE_FAILED: u8 = 1;
pub(crate) const EXIT_ERROR: u8 = 2;

pub(crate) fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Audit(args) => audit::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::History { command } => history::run(&command),
        Command::Act(args) => act::run(&args),
        Command::Outbox { command } => outbox::run(&command),
        Command::Profile(args) => profile::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Rules {
            command: RulesCommand::Check { rules },
        } => rules::check(&rules),
        Command::Rules {
            command: RulesCommand::List,
        } => rules::list(),
        Command::Sql(args) => sql::run(&args),
        Command::Explain { code } => explain::run(&code),
        Command::Man { dir } => man::run(dir.as_deref()),
        Command::Completions { shell } => {
            // Generated into memory first: clap_complete panics when its writer fails, and a
            // full stdout must be an error, not a crash.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "pipelint", &mut script);
            stdout(|w| w.write_all(&script))?;
            Ok(EXIT_PASS)
        }
    }
}

/// What clap has to say instead of a command: help or the version on standard output
/// (written as any output is, so a full stdout is an error and a closed pipe a quiet end),
/// a usage error on standard error. Returns the exit code.
pub(crate) fn clap_output(e: &clap::Error) -> u8 {
    if e.use_stderr() {
        // Like `note`: a stderr nobody reads is no reason to fail differently.
        let _ = e.print();
        return EXIT_ERROR;
    }
    let text = e.render();
    let color = audit::color(crate::cli::ColorWhen::Auto, io::stdout().is_terminal());
    let written = stdout(|w| {
        if color {
            write!(w, "{}", text.ansi())
        } else {
            write!(w, "{text}")
        }
    });
    match written {
        Ok(_) => EXIT_PASS,
        Err(e) => {
            note(&format!("error: {e:#}"));
            EXIT_ERROR
        }
    }
}

/// A line on standard error for the person running the command. A closed or full stderr
/// is ignored: a note must never turn into a crash.
pub(crate) fn note(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{}", crate::report::terminal(line));
}
