//! `--report owners=DIR`: one Markdown action list per deal owner, and `index.md`. Each
//! owner's file lists their deals that need action (open at high or medium risk, or with
//! any error), the largest amount at risk first: why each is at risk, the fields to fill
//! or correct, its findings, and for each risk signal the question a manager asks the
//! seller. File names are made safely from owner names (no path separators, no `..`, no
//! device names), deterministic, and never shared by two owners; deals without an owner
//! go to `unassigned.md`.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::escape::markdown as md;
use super::rows::{DealRow, FindingRow, MovementRow};
use super::sections::amounts;
use super::view::{DealKey, Report};
use super::{Amount, EmitOptions, Files, FilesEmitter};
use crate::diag::Severity;
use crate::score::Band;
use crate::words::{plural, thousands};

/// The first line of every file this format writes: how a later run knows which files
/// in the directory are its own to replace or remove.
pub(crate) const MARKER: &str = "<!-- pipelint owners: generated, rewritten on every run -->";

/// Deals listed per owner (the largest amounts at risk); the rest are counted.
const PER_OWNER: usize = 200;

/// Owner lists worded at once: at most 200 deals each, so a window stays a few megabytes.
const WINDOW: usize = 16;

pub(crate) struct OwnersEmitter;

/// An owner's deals that need action.
struct OwnerList<'a> {
    owner: Option<&'a str>,
    file: String,
    /// Deal indices, the largest amount at risk first.
    deals: Vec<usize>,
    high: u64,
}

impl FilesEmitter for OwnersEmitter {
    fn emit(&self, report: &Report<'_>, o: &EmitOptions, files: &mut dyn Files) -> io::Result<()> {
        let lists = action_lists(report);
        // The findings of the deals that will be listed, in report order.
        let listed: BTreeSet<usize> = lists
            .iter()
            .flat_map(|l| l.deals.iter().take(PER_OWNER).copied())
            .collect();
        let mut findings: HashMap<usize, Vec<usize>> = HashMap::new();
        for i in 0..report.finding_count() {
            if let Some(deal) = report.finding_key(i).and_then(|k| k.deal) {
                if listed.contains(&deal) {
                    findings.entry(deal).or_default().push(i);
                }
            }
        }
        // Lists are worded in parallel a window at a time (a few megabytes), and written
        // in order.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(o.threads)
            .build()
            .map_err(io::Error::other)?;
        let changes = report.movements_of(&listed);
        for window in lists.chunks(WINDOW) {
            let texts: Vec<String> = pool.install(|| {
                window
                    .par_iter()
                    .map(|list| owner_file(report, list, &findings, &changes))
                    .collect()
            });
            for (list, text) in window.iter().zip(texts) {
                files.file(&list.file, &mut |out| out.write_all(text.as_bytes()))?;
            }
        }
        let index = index_file(report, &lists);
        files.file("index.md", &mut |out| out.write_all(index.as_bytes()))
    }
}

/// Every owner with deals that need action, by owner name (deals without an owner last),
/// each with a file name of its own.
fn action_lists<'a>(report: &Report<'a>) -> Vec<OwnerList<'a>> {
    let mut has_error = vec![false; report.deal_count()];
    for i in 0..report.finding_count() {
        if let Some(k) = report.finding_key(i) {
            if let (Some(d), Severity::Error) = (k.deal, k.severity) {
                if let Some(flag) = has_error.get_mut(d) {
                    *flag = true;
                }
            }
        }
    }
    // 16 bytes a deal: an export where most deals need action stays small.
    // Grouped by hash (a million lookups), then ordered by name once.
    let mut by_owner: FxHashMap<Option<&'a str>, Vec<Entry>> = FxHashMap::default();
    for (i, error) in has_error.iter().enumerate() {
        let Some(key) = report.deal_key(i) else {
            continue;
        };
        let at_risk = matches!(key.band, Some(Band::High | Band::Medium));
        if at_risk || *error {
            by_owner
                .entry(key.owner)
                .or_default()
                .push(Entry::new(i, &key, at_risk));
        }
    }
    let mut names = FileNames::default();
    // Named owners first (BTreeMap puts `None` first), then the unassigned.
    let mut lists: Vec<OwnerList<'a>> = Vec::new();
    let mut unassigned = None;
    let mut by_owner: Vec<(Option<&'a str>, Vec<Entry>)> = by_owner.into_iter().collect();
    by_owner.sort_unstable_by_key(|(owner, _)| *owner);
    for (owner, mut deals) in by_owner {
        // Open deals at risk first, the largest amount first, then the higher score, then
        // input order.
        deals.sort_unstable_by(|a, b| {
            (b.at_risk, b.amount, b.score, a.index).cmp(&(a.at_risk, a.amount, a.score, b.index))
        });
        let high = deals.iter().filter(|e| e.high).count() as u64;
        let list = OwnerList {
            owner,
            file: String::new(),
            deals: deals.into_iter().map(|e| e.index as usize).collect(),
            high,
        };
        match owner {
            None => unassigned = Some(list),
            Some(_) => lists.push(list),
        }
    }
    for list in &mut lists {
        list.file = names.take(list.owner.unwrap_or(""));
    }
    if let Some(mut list) = unassigned {
        list.file = "unassigned.md".to_string();
        lists.push(list);
    }
    lists
}

/// What orders a deal in its owner's list.
struct Entry {
    /// In ten-thousandths; `i64::MIN` without an amount.
    amount: i64,
    index: u32,
    score: u8,
    /// Open at high or medium risk (else listed for an error).
    at_risk: bool,
    high: bool,
}

impl Entry {
    fn new(index: usize, key: &DealKey<'_>, at_risk: bool) -> Entry {
        Entry {
            amount: key.amount,
            index: u32::try_from(index).unwrap_or(u32::MAX),
            score: key.score,
            at_risk,
            high: key.band == Some(Band::High),
        }
    }
}

/// File names for owners: made from the name, unique, in the order asked.
#[derive(Default)]
struct FileNames {
    taken: BTreeSet<String>,
}

impl FileNames {
    fn take(&mut self, owner: &str) -> String {
        let base = slug(owner);
        let mut name = format!("{base}.md");
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}-{n}.md");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

/// A file name stem made from an owner's name: letters and digits (any script, lower
/// case), runs of anything else as one `-`; never empty, never a name this format uses
/// itself, never a device name Windows reserves; at most 60 characters.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out: String = out.trim_matches('-').chars().take(60).collect();
    while out.ends_with('-') {
        out.pop();
    }
    const RESERVED: [&str; 6] = ["index", "unassigned", "con", "prn", "aux", "nul"];
    let device = (out.starts_with("com") || out.starts_with("lpt"))
        && out.len() == 4
        && out.ends_with(|c: char| c.is_ascii_digit());
    if out.is_empty() {
        "owner".to_string()
    } else if RESERVED.contains(&out.as_str()) || device {
        format!("{out}-owner")
    } else {
        out
    }
}

fn owner_file(
    report: &Report<'_>,
    list: &OwnerList<'_>,
    findings: &HashMap<usize, Vec<usize>>,
    changes: &HashMap<usize, MovementRow<'_>>,
) -> String {
    let mut t = String::new();
    let who = list
        .owner
        .map_or("Deals without an owner".to_string(), |o| md(o).into_owned());
    let _ = writeln!(t, "{MARKER}\n# Action list: {who}\n");
    let files: Vec<&str> = report.inputs().iter().map(|i| i.path).collect();
    let total = list.deals.len();
    let _ = writeln!(
        t,
        "From the pipelint audit of {} as of {}. {} deal{} need{} action ({} at high risk), the largest amounts at risk first.\n",
        md(&files.join(", ")),
        report.as_of(),
        thousands(total as u64),
        plural(total as u64),
        if total == 1 { "s" } else { "" },
        thousands(list.high)
    );
    let sole = report.sole_currency();
    for (n, &i) in list.deals.iter().take(PER_OWNER).enumerate() {
        let Some(deal) = report.deal(i) else { continue };
        let rows: Vec<FindingRow<'_>> = findings
            .get(&i)
            .map(|f| f.iter().filter_map(|&j| report.finding(j)).collect())
            .unwrap_or_default();
        write_deal(&mut t, n + 1, &deal, &rows, sole.as_deref());
        if let Some(words) = changes.get(&i).and_then(changed_words) {
            let _ = writeln!(t, "What changed since the previous snapshot: {words}\n");
        }
    }
    if total > PER_OWNER {
        let _ = writeln!(
            t,
            "… and {} more deal{} (the full list: `pipelint audit … -f deals`).",
            thousands((total - PER_OWNER) as u64),
            plural((total - PER_OWNER) as u64)
        );
    }
    t
}

fn write_deal(
    t: &mut String,
    n: usize,
    d: &DealRow<'_>,
    findings: &[FindingRow<'_>],
    sole: Option<&str>,
) {
    let amount = d.amount.as_deref().map(|a| {
        let currency = d.currency.as_deref().or(sole);
        amounts(&[Amount {
            currency: currency.map(str::to_string),
            amount: a.to_string(),
        }])
    });
    let risk = d.risk.as_ref();
    let band = risk.and_then(|r| r.band.map(|b| (b, r.score.unwrap_or(0))));
    let mut heading = format!("## {n}. {}", md(d.label()));
    if let Some(a) = &amount {
        let _ = write!(heading, " — {}", md(a));
    }
    if let Some((band, score)) = band {
        let _ = write!(heading, " — {} risk ({score})", band.as_str());
    }
    let _ = writeln!(t, "{heading}\n");
    let mut facts = Vec::new();
    if let Some(stage) = d.stage {
        facts.push(format!("Stage: {}", md(stage)));
    }
    if let Some(close) = &d.close_date {
        facts.push(format!("Close date: {close}"));
    }
    if let Some(id) = d.id {
        facts.push(format!("Id: {}", md(id)));
    }
    facts.push(format!("{} line {}", md(d.file), d.line));
    let _ = writeln!(t, "{}\n", facts.join(" · "));
    if let Some(risk) = risk.filter(|r| r.score.is_some() && !r.signals.is_empty()) {
        let _ = writeln!(t, "Why it is at risk, and what to ask:\n");
        for s in &risk.signals {
            let _ = writeln!(t, "- {} — *{}*", md(&s.detail), md(s.prompt));
        }
        t.push('\n');
    }
    for (family, label) in [("REQ", "Fields to fill"), ("VAL", "Values to correct")] {
        if let Some(list) = fields_of(findings, family) {
            let _ = writeln!(t, "{label}: {list}\n");
        }
    }
    if !findings.is_empty() {
        let _ = writeln!(t, "Findings:\n");
        for f in findings {
            let _ = writeln!(
                t,
                "- {} {}{}: {}",
                f.code,
                f.severity.as_str(),
                f.field
                    .map_or(String::new(), |x| format!(" `{}`", x.replace('`', "'"))),
                md(&f.message)
            );
        }
        t.push('\n');
    }
}

/// What moved on a deal, in words: `close date 2026-11-30 → 2027-01-15; amount 50,000.00 →
/// 30,000.00`; `None` when nothing a seller acts on changed.
fn changed_words(m: &MovementRow<'_>) -> Option<String> {
    let (from, to) = (m.from.as_ref()?, m.to.as_ref()?);
    let mut parts = Vec::new();
    let mut pair = |what: &str, a: Option<String>, b: Option<String>| {
        if a != b {
            let shown = |v: Option<String>| v.map_or("(none)".to_string(), |v| md(&v).into_owned());
            parts.push(format!("{what} {} → {}", shown(a), shown(b)));
        }
    };
    pair(
        "stage",
        from.stage.map(str::to_string),
        to.stage.map(str::to_string),
    );
    pair("close date", from.close_date.clone(), to.close_date.clone());
    let money = |s: &crate::report::rows::DealSide<'_>| {
        s.amount
            .as_deref()
            .map(|a| super::sections::money(a, s.currency.as_deref()))
    };
    pair("amount", money(from), money(to));
    pair(
        "forecast category",
        from.forecast_category.map(str::to_string),
        to.forecast_category.map(str::to_string),
    );
    pair(
        "owner",
        from.owner.map(str::to_string),
        to.owner.map(str::to_string),
    );
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The fields that findings of a code family (`REQ`: missing, `VAL`: invalid) name, each
/// once, as Markdown code spans; `None` when there are none.
fn fields_of(findings: &[FindingRow<'_>], family: &str) -> Option<String> {
    let fields: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.code.as_str().starts_with(family))
        .filter_map(|f| f.field)
        .collect();
    let list: Vec<String> = fields
        .iter()
        .map(|f| format!("`{}`", f.replace('`', "'")))
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

fn index_file(report: &Report<'_>, lists: &[OwnerList<'_>]) -> String {
    let mut t = String::new();
    let files: Vec<&str> = report.inputs().iter().map(|i| i.path).collect();
    let _ = writeln!(t, "{MARKER}\n# Action lists by owner\n");
    let s = report.summary();
    let _ = writeln!(
        t,
        "From the pipelint audit of {} as of {}: {} deals, {} open, {} at high risk. Each owner's list holds their deals that need action (open at high or medium risk, or with an error), the largest amounts at risk first, with the question to ask about each risk.\n",
        md(&files.join(", ")),
        report.as_of(),
        thousands(s.records),
        thousands(s.open),
        thousands(s.risk.high)
    );
    if lists.is_empty() {
        let _ = writeln!(t, "No deal needs action.");
        return t;
    }
    let at_risk: HashMap<Option<&str>, String> = report
        .by_owner()
        .iter()
        .map(|r| (r.owner.as_deref(), amounts(&r.figures.at_risk_amount)))
        .collect();
    let _ = writeln!(
        t,
        "| Owner | Deals needing action | High risk | At risk (high band) |\n|---|---:|---:|---:|"
    );
    for list in lists {
        let who = list
            .owner
            .map_or("(no owner)".to_string(), |o| md(o).into_owned());
        let _ = writeln!(
            t,
            "| [{who}]({}) | {} | {} | {} |",
            list.file,
            thousands(list.deals.len() as u64),
            thousands(list.high),
            md(at_risk.get(&list.owner).map_or("-", String::as_str))
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_names_make_safe_distinct_file_names() {
        assert_eq!(slug("Dana Whitfield"), "dana-whitfield");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("CON"), "con-owner");
        assert_eq!(slug("lpt1"), "lpt1-owner");
        assert_eq!(slug("Ann|Lee"), "ann-lee");
        assert_eq!(slug("Tomás Ibáñez"), "tomás-ibáñez");
        assert_eq!(slug("..."), "owner");
        assert_eq!(slug("Index"), "index-owner");
        assert_eq!(slug("Unassigned"), "unassigned-owner");
        assert_eq!(slug(&"x".repeat(100)).len(), 60);
        let mut names = FileNames::default();
        assert_eq!(names.take("Ann Lee"), "ann-lee.md");
        assert_eq!(names.take("Ann|Lee"), "ann-lee-2.md");
        assert_eq!(names.take("ann lee"), "ann-lee-3.md");
    }
}
