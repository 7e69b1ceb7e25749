//! `pipelint explain CODE`: what a check does, why, an example, how to fix, configuration.

use anyhow::Result;

use super::{EXIT_PASS, stdout};
use crate::diag::Code;

pub(crate) fn run(code: &str) -> Result<u8> {
    let code: Code = code.parse().map_err(anyhow::Error::msg)?;
    let doc = crate::checks::doc(code);
    stdout(|out| {
        writeln!(
            out,
            "{} ({}) — {}\ndefault severity: {}\n",
            code.as_str(),
            code.slug(),
            code.summary(),
            code.default_severity()
        )?;
        writeln!(out, "{}", doc.map_or("", |d| d.explanation))?;
        if let Some(prompt) = doc.and_then(|d| d.prompt) {
            writeln!(out, "\nCoaching prompt\n  {prompt}")?;
        }
        Ok(())
    })?;
    Ok(EXIT_PASS)
}
