//! The benchmark's baseline: a plain csv-crate `ByteRecord` count of a file, the cheapest
//! correct parse of the same bytes pipelint reads.
//!
//! Usage: csv_count FILE

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: csv_count FILE");
        return ExitCode::from(2);
    };
    let start = Instant::now();
    let mut reader = match csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_path(&path)
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("csv_count: cannot open {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut record = csv::ByteRecord::new();
    let mut count: u64 = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => count += 1,
            Ok(false) => break,
            Err(e) => {
                eprintln!("csv_count: {path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    println!("{count} records in {:.3}s", start.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}
