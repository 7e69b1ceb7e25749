//! `--report owners=DIR`: one Markdown action list per deal owner, and `index.md`. Each
//! owner's file lists their deals that need action (open at high or medium risk, or with
//! any error), the largest amount at risk first: why each is at risk, the fields to fill
//! or correct, its findings, and for each risk signal the question a manager asks the
//! seller. Closed deals listed only for a data error come after them, in a section of their
//! own (nothing to sell, a record to correct), then the deals that left the export since
//! the previous snapshot without closing (CHG004). File names are made safely from owner names (no path separators, no `..`, no
//! device names), deterministic, and never shared by two owners; deals without an owner
//! go to `unassigned.md`.
//!
//! A file in the directory that this format did not write (it does not start with
//! [`MARKER`]) is never written or removed: a list whose name it holds goes to the next free
//! suffixed name (`jane-doe-2.md`, `index-2.md`), said on stderr and in the index. At most
//! [`MAX_FILES`] owners get a file, those with the most deals needing action; the index lists
//! every owner with their counts.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::diag::{Code, Severity};
use crate::report::formats::escape::markdown as md;
use crate::report::sections::amount_words::amount_of;
use crate::report::sections::amounts;
use crate::report::view::rows::{DealRow, FindingRow, MovementRow};
use crate::report::view::{DealKey, Report};
use crate::report::{Amount, EmitOptions, Files, FilesEmitter};
use crate::score::Band;
use crate::words::{plural, thousands};

/// The first line of every file this format writes: how a later run knows which files
/// in the directory are its own to replace or remove.
pub(crate) const MARKER: &str = "<!-- pipelint owners: generated, rewritten on every run -->";

/// Deals listed per owner (the largest amounts at risk); the rest are counted.
const PER_OWNER: usize = 200;

/// Owner files at most: 50,000 owners must not make 50,000 files. The rest are in the index.
pub(crate) const MAX_FILES: usize = 1_000;

/// Owner lists worded at once: at most 200 deals each, so a window stays a few megabytes.
const WINDOW: usize = 16;

pub(crate) struct OwnersEmitter;

/// An owner's deals that need action.
struct OwnerList<'a> {
    owner: Option<&'a str>,
    /// None for an owner beyond [`MAX_FILES`], listed in the index only.
    file: Option<String>,
    /// Deal indices of the deals that are not closed, the largest amount at risk first.
    deals: Vec<usize>,
    /// Deal indices of closed deals with an error: data fixes, after the deals above.
    closed: Vec<usize>,
    /// Finding indices of the owner's deals that vanished without closing (CHG004).
    vanished: Vec<usize>,
    high: u64,
}

impl OwnerList<'_> {
    /// The deals listed in the file, in order: at most [`PER_OWNER`], open ones first.
    fn listed(&self) -> impl Iterator<Item = usize> + '_ {
        self.deals
            .iter()
            .chain(&self.closed)
            .take(PER_OWNER)
            .copied()
    }

    /// Everything the owner is asked to act on.
    fn items(&self) -> usize {
        self.deals.len() + self.closed.len() + self.vanished.len()
    }
}

impl FilesEmitter for OwnersEmitter {
    fn emit(&self, report: &Report<'_>, o: &EmitOptions, files: &mut dyn Files) -> io::Result<()> {
        let mut lists = action_lists(report);
        let plan = name_files(&mut lists, files)?;
        for line in plan.notes() {
            files.note(&line);
        }
        // The findings of the deals that will be listed, in report order.
        let listed: BTreeSet<usize> = lists
            .iter()
            .filter(|l| l.file.is_some())
            .flat_map(OwnerList::listed)
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
        let with_files: Vec<&OwnerList<'_>> = lists.iter().filter(|l| l.file.is_some()).collect();
        for window in with_files.chunks(WINDOW) {
            let texts: Vec<String> = pool.install(|| {
                window
                    .par_iter()
                    .map(|list| owner_file(report, list, &findings, &changes))
                    .collect()
            });
            for (list, text) in window.iter().zip(texts) {
                if let Some(file) = &list.file {
                    files.file(file, &mut |out| out.write_all(text.as_bytes()))?;
                }
            }
        }
        let index = index_file(report, &lists, &plan);
        files.file(&plan.index, &mut |out| out.write_all(index.as_bytes()))
    }
}

/// The file names of a run: the index's, the names taken by files this format did not
/// write, and how many owners got no file.
struct FilePlan {
    index: String,
    /// (the name wanted, whose list it was, the name used), in the order assigned.
    clashes: Vec<(String, String, String)>,
    /// Owners beyond [`MAX_FILES`].
    without_file: usize,
    owners: usize,
}

impl FilePlan {
    /// What the person running the report is told on stderr.
    fn notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = self
            .clashes
            .iter()
            .map(|(wanted, whose, used)| {
                format!("{wanted} was not written by pipelint and is left alone; {whose} is {used}")
            })
            .collect();
        if self.without_file > 0 {
            notes.push(format!(
                "only {} owner files are written (the owners with the most deals needing action); the {} other owner{} listed with their counts in {}",
                thousands(MAX_FILES as u64),
                thousands(self.without_file as u64),
                if self.without_file == 1 { " is" } else { "s are" },
                self.index
            ));
        }
        notes
    }
}

/// Give the index and at most [`MAX_FILES`] lists their file names: the index first (an
/// owner's name never takes its fallback), then the owners by name, the unassigned last.
fn name_files(lists: &mut [OwnerList<'_>], files: &dyn Files) -> io::Result<FilePlan> {
    let mut names = FileNames::default();
    let index = names.take("index", "the index", files)?;
    // The most open deals needing action, then the most at high risk, then the most of
    // everything else to do, then by name.
    let mut order: Vec<usize> = (0..lists.len()).collect();
    order.sort_by_key(|&i| {
        (
            std::cmp::Reverse(lists[i].deals.len()),
            std::cmp::Reverse(lists[i].high),
            std::cmp::Reverse(lists[i].items()),
            i,
        )
    });
    let chosen: BTreeSet<usize> = order.into_iter().take(MAX_FILES).collect();
    for (i, list) in lists.iter_mut().enumerate() {
        if !chosen.contains(&i) {
            continue;
        }
        let (base, whose) = match list.owner {
            Some(owner) => (slug(owner), format!("{owner}'s list")),
            None => (
                "unassigned".to_string(),
                "the list of deals without an owner".to_string(),
            ),
        };
        list.file = Some(names.take(&base, &whose, files)?);
    }
    Ok(FilePlan {
        index,
        clashes: names.clashes,
        without_file: lists.len() - chosen.len(),
        owners: lists.len(),
    })
}

/// Every owner with deals that need action, by owner name (deals without an owner last),
/// each with a file name of its own.
fn action_lists<'r>(report: &'r Report<'_>) -> Vec<OwnerList<'r>> {
    let mut has_error = vec![false; report.deal_count()];
    // Deals that left the export without closing, by their owner in the previous snapshot.
    let mut vanished: FxHashMap<Option<&'r str>, Vec<usize>> = FxHashMap::default();
    for i in 0..report.finding_count() {
        let Some(k) = report.finding_key(i) else {
            continue;
        };
        if let (Some(d), Severity::Error) = (k.deal, k.severity) {
            if let Some(flag) = has_error.get_mut(d) {
                *flag = true;
            }
        }
        if k.code == Code::Chg004 {
            let owner = report.finding(i).and_then(|f| f.deal?.owner);
            vanished.entry(owner).or_default().push(i);
        }
    }
    // 16 bytes a deal: an export where most deals need action stays small.
    // Grouped by hash (a million lookups), then ordered by name once.
    let mut by_owner: FxHashMap<Option<&'r str>, Vec<Entry>> = FxHashMap::default();
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
    for owner in vanished.keys() {
        by_owner.entry(*owner).or_default();
    }
    // Named owners first (sorting puts `None` first), then the unassigned.
    let mut lists: Vec<OwnerList<'r>> = Vec::new();
    let mut unassigned = None;
    let mut by_owner: Vec<(Option<&'r str>, Vec<Entry>)> = by_owner.into_iter().collect();
    by_owner.sort_unstable_by_key(|(owner, _)| *owner);
    for (owner, mut deals) in by_owner {
        // Open deals at risk first, the largest amount first, then the higher score, then
        // input order.
        deals.sort_unstable_by(|a, b| {
            (b.at_risk, b.amount, b.score, a.index).cmp(&(a.at_risk, a.amount, a.score, b.index))
        });
        let high = deals.iter().filter(|e| e.high).count() as u64;
        // A closed deal is here only for a data error: a record to correct, not a deal to
        // work, so it goes after every deal that is not closed.
        let (closed, open): (Vec<Entry>, Vec<Entry>) = deals.into_iter().partition(|e| e.closed);
        let list = OwnerList {
            owner,
            file: None,
            deals: open.into_iter().map(|e| e.index as usize).collect(),
            closed: closed.into_iter().map(|e| e.index as usize).collect(),
            vanished: vanished.remove(&owner).unwrap_or_default(),
            high,
        };
        match owner {
            None => unassigned = Some(list),
            Some(_) => lists.push(list),
        }
    }
    lists.extend(unassigned);
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
    /// Won or lost: listed for a data error only.
    closed: bool,
}

impl Entry {
    fn new(index: usize, key: &DealKey<'_>, at_risk: bool) -> Entry {
        Entry {
            amount: key.amount,
            index: u32::try_from(index).unwrap_or(u32::MAX),
            score: key.score,
            at_risk,
            high: key.band == Some(Band::High),
            closed: key.closed,
        }
    }
}

/// File names: made from a stem, unique, in the order asked; never one a file this format
/// did not write holds.
#[derive(Default)]
struct FileNames {
    taken: BTreeSet<String>,
    /// (the name wanted, whose file it was for, the name used).
    clashes: Vec<(String, String, String)>,
}

impl FileNames {
    /// `stem.md`, else `stem-2.md`, `stem-3.md`, …: the first neither taken by another list
    /// nor held by a file that is not this format's.
    fn take(&mut self, stem: &str, whose: &str, files: &dyn Files) -> io::Result<String> {
        let mut left_alone = Vec::new();
        // Every name skipped is a file in the directory or a list named earlier, so a free
        // one comes long before this bound; it only stops a `Files` that refuses all.
        for n in 1..=100_000 {
            let name = match n {
                1 => format!("{stem}.md"),
                n => format!("{stem}-{n}.md"),
            };
            if self.taken.contains(&name) {
                continue;
            }
            if !files.available(&name) {
                left_alone.push(name);
                continue;
            }
            for wanted in left_alone {
                self.clashes.push((wanted, whose.to_string(), name.clone()));
            }
            self.taken.insert(name.clone());
            return Ok(name);
        }
        Err(io::Error::other(format!(
            "no free file name for {whose} (tried {stem}.md to {stem}-100000.md)"
        )))
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
    let (open, closed, gone) = (list.deals.len(), list.closed.len(), list.vanished.len());
    let mut intro = format!(
        "From the pipelint audit of {} as of {}. ",
        md(&files.join(", ")),
        report.as_of()
    );
    if open > 0 || closed + gone == 0 {
        let _ = write!(
            intro,
            "{} deal{} need{} action ({} at high risk), the largest amounts at risk first.",
            thousands(open as u64),
            plural(open as u64),
            if open == 1 { "s" } else { "" },
            thousands(list.high)
        );
    } else {
        intro.push_str("No open deal needs action.");
    }
    let after = if open > 0 { "After them, " } else { "" };
    if closed > 0 {
        let _ = write!(
            intro,
            " {after}{} closed deal{} need{} {} data fixed.",
            thousands(closed as u64),
            plural(closed as u64),
            if closed == 1 { "s" } else { "" },
            if closed == 1 { "its" } else { "their" }
        );
    }
    if gone > 0 {
        let _ = write!(
            intro,
            " {} deal{} left the export without closing.",
            thousands(gone as u64),
            plural(gone as u64)
        );
    }
    let _ = writeln!(t, "{intro}\n");
    let sole = report.sole_currency();
    let deal = |t: &mut String, n: usize, i: usize, level: &str| {
        let Some(deal) = report.deal(i) else { return };
        let rows: Vec<FindingRow<'_>> = findings
            .get(&i)
            .map(|f| f.iter().filter_map(|&j| report.finding(j)).collect())
            .unwrap_or_default();
        write_deal(t, level, n, &deal, &rows, sole.as_deref());
        if let Some(words) = changes.get(&i).and_then(changed_words) {
            let _ = writeln!(t, "What changed since the previous snapshot: {words}\n");
        }
    };
    for (n, &i) in list.deals.iter().take(PER_OWNER).enumerate() {
        deal(&mut t, n + 1, i, "##");
    }
    let room = PER_OWNER.saturating_sub(open);
    if closed > 0 && room > 0 {
        let _ = writeln!(
            t,
            "## Data fixes on closed deals\n\nThese deals are closed (won or lost): nothing to sell, only their records to correct.\n"
        );
        for (n, &i) in list.closed.iter().take(room).enumerate() {
            deal(&mut t, n + 1, i, "###");
        }
    }
    let left_out = (open + closed).saturating_sub(PER_OWNER);
    if left_out > 0 {
        let _ = writeln!(
            t,
            "… and {} more deal{} (the full list: `pipelint audit … -f deals`).",
            thousands(left_out as u64),
            plural(left_out as u64)
        );
    }
    if gone > 0 {
        if !t.ends_with("\n\n") {
            t.push('\n');
        }
        let _ = writeln!(
            t,
            "## Left the export without closing\n\n*{}*\n",
            md(report.check_prompt(Code::Chg004))
        );
        for &i in list.vanished.iter().take(PER_OWNER) {
            if let Some(f) = report.finding(i) {
                let _ = writeln!(t, "- {} ({} line {})", md(&f.message), md(f.file), f.line);
            }
        }
        if gone > PER_OWNER {
            let _ = writeln!(t, "- … and {} more", thousands((gone - PER_OWNER) as u64));
        }
    }
    t
}

fn write_deal(
    t: &mut String,
    level: &str,
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
    let mut heading = format!("{level} {n}. {}", md(d.label()));
    match &amount {
        Some(a) => {
            let _ = write!(heading, " — {}", md(a));
        }
        // Said, so the list never reads as if the deal were worth nothing.
        None => heading.push_str(" — no amount"),
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
    let money = |s: &crate::report::view::rows::DealSide<'_>| {
        s.amount
            .as_deref()
            .map(|a| crate::report::sections::money(a, s.currency.as_deref()))
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

fn index_file(report: &Report<'_>, lists: &[OwnerList<'_>], plan: &FilePlan) -> String {
    let mut t = String::new();
    let files: Vec<&str> = report.inputs().iter().map(|i| i.path).collect();
    let _ = writeln!(t, "{MARKER}\n# Action lists by owner\n");
    let s = report.summary();
    let _ = writeln!(
        t,
        "From the pipelint audit of {} as of {}: {} deals, {} open, {} at high risk. Each owner's list holds their deals that need action (open at high or medium risk, or with an error), the largest amounts at risk first, with the question to ask about each risk; then closed deals with an error, as data fixes.\n",
        md(&files.join(", ")),
        report.as_of(),
        thousands(s.records),
        thousands(s.open),
        thousands(s.risk.high)
    );
    if !plan.clashes.is_empty() {
        let _ = writeln!(
            t,
            "Files in this directory that pipelint did not write are never replaced or removed; these names were taken, so the lists went elsewhere:\n"
        );
        for (wanted, whose, used) in &plan.clashes {
            let _ = writeln!(t, "- `{wanted}`: {} is `{used}`", md(whose));
        }
        t.push('\n');
    }
    if plan.without_file > 0 {
        let _ = writeln!(
            t,
            "{} owners need action: only the {} with the most deals needing action have a file of their own; the {} other owner{} listed below with their counts.\n",
            thousands(plan.owners as u64),
            thousands(MAX_FILES as u64),
            thousands(plan.without_file as u64),
            if plan.without_file == 1 {
                " is"
            } else {
                "s are"
            },
        );
    }
    if lists.is_empty() {
        let _ = writeln!(t, "No deal needs action.");
        return t;
    }
    let at_risk: HashMap<Option<&str>, String> = report
        .by_owner()
        .iter()
        .map(|r| {
            let f = &r.figures;
            let words = amount_of(&f.at_risk_amount, f.high_risk, f.at_risk_without_amount);
            (r.owner.as_deref(), words)
        })
        .collect();
    // The columns of data fixes and vanished deals only when some owner has any.
    let fixes = lists.iter().any(|l| !l.closed.is_empty());
    let gone = lists.iter().any(|l| !l.vanished.is_empty());
    let mut head = "| Owner | Deals needing action | High risk | At risk (high band) |".to_string();
    let mut rule = "|---|---:|---:|---:|".to_string();
    for (shown, name) in [
        (fixes, " Closed deals to fix |"),
        (gone, " Left without closing |"),
    ] {
        if shown {
            head.push_str(name);
            rule.push_str("---:|");
        }
    }
    let _ = writeln!(t, "{head}\n{rule}");
    for list in lists {
        let who = list
            .owner
            .map_or("(no owner)".to_string(), |o| md(o).into_owned());
        let who = match &list.file {
            Some(file) => format!("[{who}]({file})"),
            None => who,
        };
        let mut row = format!(
            "| {who} | {} | {} | {} |",
            thousands(list.deals.len() as u64),
            thousands(list.high),
            md(at_risk.get(&list.owner).map_or("-", String::as_str))
        );
        for (shown, n) in [(fixes, list.closed.len()), (gone, list.vanished.len())] {
            if shown {
                let _ = write!(row, " {} |", thousands(n as u64));
            }
        }
        let _ = writeln!(t, "{row}");
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
        let mut take = |owner: &str| names.take(&slug(owner), owner, &Free).unwrap();
        assert_eq!(take("Ann Lee"), "ann-lee.md");
        assert_eq!(take("Ann|Lee"), "ann-lee-2.md");
        assert_eq!(take("ann lee"), "ann-lee-3.md");
    }

    /// A directory where every name is free but those a user's files hold.
    struct Free;

    impl Files for Free {
        fn file(
            &mut self,
            _: &str,
            _: &mut dyn FnMut(&mut dyn std::io::Write) -> io::Result<()>,
        ) -> io::Result<()> {
            Ok(())
        }

        fn available(&self, name: &str) -> bool {
            !["jane-doe.md", "jane-doe-2.md", "index.md"].contains(&name)
        }
    }

    #[test]
    fn a_name_a_users_file_holds_goes_to_the_next_free_one() {
        let mut names = FileNames::default();
        assert_eq!(
            names.take("index", "the index", &Free).unwrap(),
            "index-2.md"
        );
        assert_eq!(
            names.take("index-2", "Index 2's list", &Free).unwrap(),
            "index-2-2.md"
        );
        assert_eq!(
            names.take("jane-doe", "Jane's list", &Free).unwrap(),
            "jane-doe-3.md"
        );
        assert_eq!(
            names.clashes,
            [
                ("index.md".into(), "the index".into(), "index-2.md".into()),
                (
                    "jane-doe.md".into(),
                    "Jane's list".into(),
                    "jane-doe-3.md".into()
                ),
                (
                    "jane-doe-2.md".into(),
                    "Jane's list".into(),
                    "jane-doe-3.md".into()
                ),
            ]
        );
    }
}
