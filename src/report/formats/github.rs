//! `-f github`: GitHub Actions workflow commands, which the runner turns into annotations on
//! the pull request: `::error file=…,line=…,title=CODE::message` (`::warning`, `::notice`
//! for info), the most severe first, at most 50, then one summary line. Values are escaped
//! as the runner expects (`%`, CR and LF everywhere; `:` and `,` in properties too), so no
//! cell can end a command early or start another. The job summary (the Markdown report
//! appended to the file `GITHUB_STEP_SUMMARY` names) is a target of its own, which the audit
//! command checks and writes like any other output.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::diag::Severity;
use crate::report::view::Report;
use crate::report::{EmitOptions, Emitter, formats::escape};
use crate::words::{plural, thousands};

/// GitHub shows at most 10 annotations of each level per step and 50 per job.
const MAX_ANNOTATIONS: usize = 50;

pub(crate) struct GithubEmitter;

impl Emitter for GithubEmitter {
    fn emit(&self, report: &Report<'_>, _: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        // The most severe first, in report order within a severity; only what is shown is
        // worded.
        let total = report.finding_count();
        let mut picked = report.most_severe(MAX_ANNOTATIONS);
        let severity = |i: usize| report.finding_key(i).map(|k| k.severity);
        picked.sort_by_key(|&i| std::cmp::Reverse(severity(i)));
        for &i in &picked {
            let Some(f) = report.finding(i) else { continue };
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let message = match f.deal {
                Some(d) if !d.label.is_empty() => format!("{}: {}", d.label, f.message),
                _ => f.message.into_owned(),
            };
            writeln!(
                out,
                "::{level} file={},line={},title={}::{}",
                property(f.file),
                f.line,
                property(&match f.field {
                    Some(field) => format!("{} {field}", f.code),
                    None => f.code.to_string(),
                }),
                data(&message)
            )?;
        }
        let s = report.summary();
        let shown = total.min(MAX_ANNOTATIONS);
        let mut gate = if s.gate.passed {
            "gate passed".to_string()
        } else {
            format!("gate FAILED: {}", s.gate.reasons.join("; "))
        };
        if let Some(owners) = report.owner_filter() {
            gate.push_str(&format!(
                "; --owner {}: annotations of {} of {} findings",
                owners.join(", "),
                thousands(report.finding_count() as u64),
                thousands(report.unfiltered_counts().1 as u64)
            ));
        }
        for n in report.not_checked() {
            gate.push_str(&format!(
                "; not checked: {}: {}",
                crate::report::sections::code_span(&n.codes),
                n.why
            ));
        }
        writeln!(
            out,
            "pipelint: {} deal{} audited; {} error{}, {} warning{}, {} info; {} annotation{} shown of {}; {}",
            thousands(s.records),
            plural(s.records),
            thousands(s.findings.error),
            plural(s.findings.error),
            thousands(s.findings.warning),
            plural(s.findings.warning),
            thousands(s.findings.info),
            shown,
            plural(shown as u64),
            thousands(total as u64),
            data(&gate)
        )
    }
}

/// A message, escaped as workflow commands require: `%`, CR, LF.
pub(crate) fn data(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// A property value (`file=`, `title=`): also `:` and `,`.
pub(crate) fn property(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, property: bool) -> Cow<'_, str> {
    let special = |c: char| {
        matches!(c, '%' | '\r' | '\n')
            || (property && matches!(c, ':' | ','))
            || escape::needs_escape(c)
    };
    if !text.chars().any(special) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            // ESC and the like would colour or rewrite the CI log: shown, not sent.
            c if escape::needs_escape(c) => escape::push_shown(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_values_cannot_break_out_of_a_command() {
        assert_eq!(
            data("50% done\r\n::error::pwned"),
            "50%25 done%0D%0A::error::pwned"
        );
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(data("a:b,c"), "a:b,c");
        assert_eq!(property("plain.csv"), "plain.csv");
        assert_eq!(data("red\x1b[31m"), "red\\x1B[31m");
        assert_eq!(data("tab\there"), "tab\\there");
    }
}
