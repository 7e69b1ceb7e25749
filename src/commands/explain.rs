//! `pipelint explain CODE`: what a check does, why, an example, how to fix, configuration
//! and the question to ask about it. `pipelint explain SIGNAL` does the same for a
//! forecast-risk signal (`overdue`, `pushed`, …).

use anyhow::{Result, bail};

use super::{EXIT_PASS, stdout};
use crate::checks::{SIGNALS, SignalDoc};
use crate::diag::Code;

pub(crate) fn run(name: &str) -> Result<u8> {
    let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
    if let Some(signal) = SIGNALS.iter().find(|d| d.signal.name() == wanted) {
        return explain_signal(signal);
    }
    let code: Code = match name.parse() {
        Ok(code) => code,
        Err(e) => {
            let signals: Vec<&str> = SIGNALS.iter().map(|d| d.signal.name()).collect();
            bail!("{e}; or name a risk signal: {}", signals.join(", "))
        }
    };
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

fn explain_signal(doc: &SignalDoc) -> Result<u8> {
    let defaults = crate::rules::RiskWeights::default();
    stdout(|out| {
        writeln!(
            out,
            "{} — forecast-risk signal\ndefault weight: {}\n",
            doc.signal.name(),
            doc.signal.weight(&defaults)
        )?;
        writeln!(out, "Fires when\n  {}", doc.meaning)?;
        if !doc.codes.is_empty() {
            let codes: Vec<&str> = doc.codes.iter().map(|c| c.as_str()).collect();
            writeln!(
                out,
                "\nChecks\n  {} (pipelint explain {})",
                codes.join(", "),
                codes[0]
            )?;
        }
        writeln!(out, "\nCoaching prompt\n  {}", doc.prompt())?;
        Ok(())
    })?;
    Ok(EXIT_PASS)
}
