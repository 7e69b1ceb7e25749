//! The documentation tells the truth about the checks: the check table in docs/GUIDE.md lists
//! every registered code, with its default severity, and no code that does not exist.

mod common;

use common::{pipelint, run};
use std::collections::BTreeMap;

/// Code → default severity, as `pipelint rules list` prints them.
fn registered() -> BTreeMap<String, String> {
    let r = run(pipelint().args(["rules", "list"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?.to_string(), words.next()?.to_string()))
        })
        .collect()
}

/// Code → default severity, from the rows of the guide's check table.
fn documented() -> BTreeMap<String, String> {
    let guide = std::fs::read_to_string("docs/GUIDE.md").expect("docs/GUIDE.md");
    let checks = guide
        .split("\n## Checks\n")
        .nth(1)
        .expect("a Checks section in docs/GUIDE.md");
    checks
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let code = cells.get(1)?;
            let looks_like_code = code.len() >= 5
                && code.chars().take(2).all(|c| c.is_ascii_uppercase())
                && code.chars().last().is_some_and(|c| c.is_ascii_digit());
            let severity = cells.get(2)?;
            looks_like_code.then(|| (code.to_string(), severity.to_string()))
        })
        .collect()
}

#[test]
fn the_guide_lists_every_check_with_its_default_severity() {
    let registered = registered();
    assert!(registered.len() >= 24, "{registered:?}");
    assert_eq!(documented(), registered);
}

#[test]
fn every_check_explains_itself() {
    for code in registered().keys() {
        let r = run(pipelint().args(["explain", code]));
        assert_eq!(r.code, 0, "{code}: {}", r.stderr);
        for part in [
            "What it checks",
            "Why it matters",
            "Example",
            "How to fix",
            "Configuration",
        ] {
            assert!(
                r.stdout.contains(part),
                "{code} lacks {part}:\n{}",
                r.stdout
            );
        }
    }
}

/// Every risk signal has a question a manager can ask the seller, kept with the
/// check's explanation. The signals with a check of their own today: overdue (HYG001), stale
/// (HYG002), stage_aged (HYG003), forecast_mismatch (HYG004, HYG005), exit_criteria (REQ002),
/// no_next_step (HYG010), slipping (HYG009).
#[test]
fn every_risk_signal_check_has_a_coaching_prompt() {
    for code in [
        "HYG001", "HYG002", "HYG003", "HYG004", "HYG005", "HYG009", "HYG010", "REQ002",
    ] {
        let r = run(pipelint().args(["explain", code]));
        let prompt = r
            .stdout
            .split("Coaching prompt\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{code} has no coaching prompt:\n{}", r.stdout));
        assert!(prompt.trim_end().ends_with('?'), "{code}: {prompt}");
    }
}
