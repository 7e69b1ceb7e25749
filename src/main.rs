use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = pipelint::cli::Cli::parse();
    match pipelint::app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if pipelint::app::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
