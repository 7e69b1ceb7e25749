use std::process::ExitCode;

fn main() -> ExitCode {
    pipelint::run_args(std::env::args_os())
}
