use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    pipelint::run(pipelint::Cli::parse())
}
