//! The session: one run of the audit as a command asks for it. Rules and exports are
//! opened, the engine audits them (with the previous snapshot, the stored history and the
//! quotas around it), and the result goes to the report layer. The orchestration the
//! commands share lives here, so that `lib.rs` is only the public API.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;

use crate::audit::{Audit, AuditRun};
use crate::input::Export;
use crate::rules::RuleSet;
use crate::{checks, diag, engine, history, input, progress, report, rules};

/// How an audit runs.
#[derive(Clone, Debug)]
pub struct AuditOptions {
    /// "Today" for every date check.
    pub as_of: NaiveDate,
    /// Whether `as_of` was given (`--as-of`); when it defaulted to the system date, an
    /// export whose newest date is months before it is said to be (IN013).
    pub as_of_given: bool,
    /// Worker threads; 0 is one per core, and more than the machine runs are clamped.
    pub threads: usize,
    /// Only these check codes or prefixes (`REQ`, `VAL001`), if any.
    pub select: Vec<String>,
    /// Not these check codes or prefixes.
    pub ignore: Vec<String>,
    /// How many of the riskiest deals the report can list.
    pub top: usize,
    /// A column (`--by FIELD`: a field the rules name, or any header) to break the win rate
    /// down by.
    pub by: Option<String>,
}

impl AuditOptions {
    /// Every check, one thread per core, the 20 riskiest deals, as of `as_of`.
    pub fn as_of(as_of: NaiveDate) -> AuditOptions {
        AuditOptions {
            as_of,
            as_of_given: true,
            threads: 0,
            select: Vec::new(),
            ignore: Vec::new(),
            top: 20,
            by: None,
        }
    }
}

/// How many of the riskiest open deals an audit keeps at least, for the reports that list
/// them (the HTML report lists up to this many; the table `--top`).
const RISKIEST_KEPT: usize = 1_000;

/// Audit `exports` with `rules`.
pub fn audit(rules: RuleSet, exports: Vec<Export>, options: &AuditOptions) -> Result<AuditRun> {
    audit_with(rules, exports, options, None)
}

/// A previous snapshot to compare an audit with, and the date it is audited as of.
pub struct Previous {
    pub export: Export,
    pub as_of: NaiveDate,
}

/// Audit `exports` with `rules`, compared with `previous` (audited first, with the same
/// rules, as of its own date): the change checks CHG001–CHG005 and the change view.
pub fn audit_against(
    rules: RuleSet,
    exports: Vec<Export>,
    previous: Previous,
    options: &AuditOptions,
) -> Result<AuditRun> {
    let earlier = AuditOptions {
        as_of: previous.as_of,
        ..options.clone()
    };
    let mut old = audit_with(rules.clone(), vec![previous.export], &earlier, None)?.audit;
    old.keep_for_comparison();
    audit_with(rules, exports, options, Some(old))
}

/// The engine run on `exports`, compared with `previous` if given.
fn audit_with(
    rules: RuleSet,
    exports: Vec<Export>,
    options: &AuditOptions,
    previous: Option<Audit>,
) -> Result<AuditRun> {
    let workers = thread_count(options.threads).0;
    audit_on(rules, exports, options, previous, workers)
}

/// [`audit_with`] on exactly `workers` threads, however many the machine runs at once.
fn audit_on(
    rules: RuleSet,
    exports: Vec<Export>,
    options: &AuditOptions,
    previous: Option<Audit>,
    workers: usize,
) -> Result<AuditRun> {
    diag::Policy::check_patterns(&options.select).map_err(anyhow::Error::msg)?;
    diag::Policy::check_patterns(&options.ignore).map_err(anyhow::Error::msg)?;
    let run = engine::RunOptions {
        threads: workers,
        policy: diag::Policy::new(&rules.checks, &options.select, &options.ignore),
        as_of: options.as_of,
        as_of_given: options.as_of_given,
        // Reports that list more deals at risk than the table (HTML) read from these.
        keep_riskiest: options.top.max(RISKIEST_KEPT),
        by: options.by.clone(),
    };
    let (audit, compared) = engine::run(rules, exports, &run, previous)?;
    Ok(AuditRun {
        compared,
        ..AuditRun::alone(audit)
    })
}

/// An audit as the command line runs it, in one call: which files, which rules, which date.
#[derive(Clone, Debug)]
pub struct AuditRequest {
    pub files: Vec<String>,
    /// A rules file; `None` looks for `./pipelint.toml`, then uses the detected preset.
    pub rules: Option<PathBuf>,
    /// `auto`, or a preset name, overriding the rules file's `[input] preset`.
    pub preset: Option<String>,
    /// "Today" (default: the current date).
    pub as_of: Option<NaiveDate>,
    pub threads: usize,
    /// The field delimiter (default: the rules file's, else detected per file).
    pub delimiter: Option<String>,
    /// The encoding of text that is not UTF-8 (default: the rules file's, else detected per
    /// file).
    pub encoding: Option<String>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// How many of the riskiest open deals to keep for reports.
    pub top: usize,
    /// Draw a progress bar on standard error while large inputs are read (the command
    /// line sets it only for a person at a terminal).
    pub progress: bool,
    /// The previous snapshot to compare with (`--previous`).
    pub previous: Option<String>,
    /// The date the previous snapshot is audited as of (default: a week before `as_of`).
    pub previous_as_of: Option<NaiveDate>,
    /// Break the win rate down by this column (`--by`).
    pub by: Option<String>,
    /// A quota file to measure coverage against (`--quota`).
    pub quota: Option<String>,
    /// A snapshot history to compare with and learn from (`--history`).
    pub history: Option<PathBuf>,
}

impl Default for AuditRequest {
    fn default() -> Self {
        AuditRequest {
            files: Vec::new(),
            rules: None,
            preset: None,
            as_of: None,
            threads: 0,
            delimiter: None,
            encoding: None,
            select: Vec::new(),
            ignore: Vec::new(),
            top: 20,
            progress: false,
            previous: None,
            previous_as_of: None,
            by: None,
            quota: None,
            history: None,
        }
    }
}

impl AuditRequest {
    /// Load the rules, open the inputs and run the audit.
    pub fn run(&self) -> Result<AuditRun> {
        Ok(self.run_in(false)?.0)
    }

    /// Every file this request reads or keeps, which no output may replace: the one list
    /// each command checks its outputs against.
    pub(crate) fn kept(&self) -> report::output::kept::Kept {
        // A rules file that is a pipe (`-r <(…)`) can be read once, and the audit must read
        // it: its owners lookup is not looked up here (a regular file is read twice).
        let rules = self
            .rules
            .as_deref()
            .unwrap_or(Path::new(rules::DEFAULT_RULES_FILE));
        let user = if std::fs::metadata(rules).is_ok_and(|m| m.is_file()) {
            rules::load_user(self.rules.as_deref()).ok().flatten()
        } else {
            None
        };
        self.kept_with(user.as_ref())
    }

    /// [`AuditRequest::kept`], with the user's rules already read.
    fn kept_with(&self, user: Option<&rules::UserRules>) -> report::output::kept::Kept {
        use report::output::kept::Role;
        let mut kept = report::output::kept::Kept::default();
        for file in &self.files {
            kept.add(Path::new(file), Role::Export);
        }
        if let Some(previous) = &self.previous {
            kept.add(Path::new(previous), Role::Previous);
        }
        // Without -r, ./pipelint.toml is read when it exists.
        let rules = self
            .rules
            .as_deref()
            .unwrap_or(Path::new(rules::DEFAULT_RULES_FILE));
        kept.add(rules, Role::Rules);
        // The lookup the rules name, found as validation finds it; rules that cannot be
        // read fail the run on their own, before any report is written.
        if let Some(owners) = user.and_then(|u| u.owners_path()) {
            kept.add(&owners, Role::Owners);
        }
        if let Some(team) = user.and_then(|u| u.team_path()) {
            kept.add(&team, Role::Team);
        }
        if let Some(history) = &self.history {
            kept.add(history, Role::History);
        }
        if let Some(quota) = &self.quota {
            kept.add(Path::new(quota), Role::Quota);
        }
        kept
    }

    /// Run the audit; with a history, also return the store, created when `create`.
    pub(crate) fn run_in(&self, create: bool) -> Result<(AuditRun, Option<history::Store>)> {
        // The rules are read once (a pipe can be read only once), before anything else.
        let user = rules::load_user(self.rules.as_deref())?;
        // Before the store is opened: opening it would make another kept file a database.
        self.kept_with(user.as_ref()).check_history()?;
        let store = self
            .history
            .as_deref()
            .map(|db| {
                let access = if create {
                    history::Access::Write
                } else {
                    history::Access::Read
                };
                history::Store::open(db, access)
            })
            .transpose()?;
        diag::Policy::check_patterns(&self.select).map_err(anyhow::Error::msg)?;
        diag::Policy::check_patterns(&self.ignore).map_err(anyhow::Error::msg)?;
        if self.files.iter().filter(|f| *f == "-").count() > 1 {
            bail!("standard input (-) can be audited only once per run");
        }
        let mut how = user.as_ref().map(|u| u.read_as()).unwrap_or_default();
        if let Some(d) = &self.delimiter {
            how.delimiter = Some(input::parse_delimiter(d)?);
        }
        if let Some(e) = &self.encoding {
            how.encoding = Some(input::parse_encoding(e)?);
        }
        let exports = self
            .files
            .iter()
            .map(|f| input::open_as(f, &how))
            .collect::<Result<Vec<Export>>>()?;
        if let Some(p) = &self.previous {
            if self.files.iter().any(|f| f == p) {
                bail!("the previous snapshot {p} is also an input: name last week's export");
            }
            if p == "-" && self.files.iter().any(|f| f == "-") {
                bail!("standard input (-) can be audited only once per run");
            }
        }
        let previous = self
            .previous
            .as_deref()
            .map(|p| input::open_as(p, &how))
            .transpose()?;
        // A file whose first row is a deal is refused before anything reads its "header".
        let headerless: Vec<String> = exports
            .iter()
            .chain(previous.iter())
            .filter_map(checks::traps::headerless)
            .collect();
        if !headerless.is_empty() {
            bail!("{}", headerless.join("\n"));
        }
        let rules = rules::resolve(user.as_ref(), self.preset.as_deref(), &exports)?;
        let options = AuditOptions {
            as_of: self
                .as_of
                .unwrap_or_else(|| chrono::Local::now().date_naive()),
            as_of_given: self.as_of.is_some(),
            threads: self.threads,
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            top: self.top,
            by: self.by.clone(),
        };
        let quotas = self
            .quota
            .as_deref()
            .map(|q| input::quota::read(q, rules.input.decimal, rules.input.currency))
            .transpose()?;
        let _progress = self
            .progress
            .then(|| progress::Progress::start(exports.iter().chain(previous.iter())))
            .flatten();
        let mut run = match (previous, store.as_ref()) {
            (None, Some(store)) => history_audit(store, rules, exports, &options),
            (None, None) => audit(rules, exports, &options),
            (Some(export), _) => {
                let as_of = match self.previous_as_of {
                    Some(day) => day,
                    None => week_before(options.as_of)?,
                };
                audit_against(rules, exports, Previous { export, as_of }, &options)
            }
        }?;
        run.quotas = quotas;
        Ok((run, store))
    }
}

/// The default as-of of a previous snapshot: a week before `as_of`. Checked, since a
/// library caller may pass any date chrono holds, and one at the start of its range has no
/// week before it.
fn week_before(as_of: NaiveDate) -> Result<NaiveDate> {
    as_of.checked_sub_days(chrono::Days::new(7)).with_context(|| {
        format!("as-of {as_of} has no date a week before it; give the previous snapshot's date with --previous-as-of")
    })
}

/// An audit compared with the latest snapshot stored before its as-of, with what the
/// whole stored history adds.
fn history_audit(
    store: &history::Store,
    rules: RuleSet,
    exports: Vec<Export>,
    options: &AuditOptions,
) -> Result<AuditRun> {
    let day = options.as_of;
    let stored: Vec<history::SnapshotMeta> = store
        .list()?
        .into_iter()
        .filter(|s| s.as_of < day)
        .collect();
    // The stored commit calls depend on nothing the audit finds: they are read on a
    // connection of their own while last week is read back and this week audited.
    let location = &store.location;
    let (run, calls) = std::thread::scope(|scope| {
        let calls = scope.spawn(|| {
            let conn = location.another_reader()?;
            history::view::stored_calls(&conn, &location.path, day)
        });
        let run = stored
            .last()
            .map(|meta| history::load::previous(store, meta, &rules))
            .transpose()
            .and_then(|previous| {
                let (previous, streaks) = previous.unzip();
                let mut run = audit_with(rules, exports, options, previous)?;
                if let (Some(c), Some(streaks)) = (run.compared.as_mut(), streaks) {
                    c.streaks = streaks;
                }
                Ok(run)
            });
        let calls = calls
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("reading the stored commit calls failed")));
        (run, calls)
    });
    let mut run = run?;
    for (_, why) in &mut run.audit.not_checked {
        if why == checks::changes::NOT_CHECKED {
            *why = history::NO_EARLIER_SNAPSHOT.to_string();
        }
    }
    let view = history::view::build(store, &run, &stored, calls?)?;
    run.history = Some(Box::new(view));
    Ok(run)
}

impl AuditRun {
    /// The report view of this run: the gate decided under `gate`, the health figures
    /// (forecast call, win rate, coverage) computed and, compared with a previous snapshot
    /// but without a history (whose view holds them), the findings' streaks counted first,
    /// so that the view only reads.
    pub fn report(&self, gate: &crate::gate::GateSettings) -> report::Report<'_> {
        let audit = &self.audit;
        let verdict = crate::gate::evaluate(gate, &audit.gate_input());
        let health = crate::score::health::compute(
            crate::score::health::Audited {
                deals: &audit.deals,
                rules: &audit.rules,
                as_of: audit.as_of,
                by: audit.by.as_deref(),
            },
            audit.sole_currency(),
            self.quotas.as_ref(),
        );
        let compared_streaks = (self.history.is_none() && self.compared.is_some())
            .then(|| history::view::streaks(self));
        report::Report::build(self, verdict, health, compared_streaks)
    }
}

/// The worker threads to use for `requested` (0: one per core), at most what the machine
/// runs at once; with a sentence saying so when a request was cut.
pub(crate) fn thread_count(requested: usize) -> (usize, Option<String>) {
    let available = std::thread::available_parallelism().map_or(1, |n| n.get());
    match requested {
        0 => (available, None),
        n if n > available => (
            available,
            Some(format!(
                "--threads {n} is more than the {available} this machine runs at once; using {available}"
            )),
        ),
        n => (n, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_rows_kept_a_stored_text_per_malformed_row() {
        // 1M rows of garbage (196 MB) peaked at 637 MB: 846,000 malformed rows each kept
        // their IN002 message as text. The message is now worded when shown.
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("garbage.csv");
        let mut csv = String::from("Opportunity ID,Opportunity Name,Stage,Amount\n");
        for i in 0..1000 {
            csv.push_str(&format!("x{i},\"a,b\",c,d,e{}\n", ",".repeat(i % 5)));
        }
        std::fs::write(&path, csv).expect("write");
        let export = crate::input::open(path.to_str().expect("path"), None).expect("open");
        let rules = crate::rules::resolve(None, Some("generic"), std::slice::from_ref(&export))
            .expect("rules");
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
        let audit = audit(rules, vec![export], &AuditOptions::as_of(as_of)).expect("audit");
        assert!(
            audit.audit.findings.messages.is_empty(),
            "{} texts kept",
            audit.audit.findings.messages.len()
        );
        let report = audit.report(&crate::gate::GateSettings::default());
        let malformed: Vec<_> = report.findings_of(crate::diag::Code::In002).collect();
        assert_eq!(malformed.len(), 1000);
        assert_eq!(
            malformed[1].message,
            "row has 6 fields, the header has 4; the row is left out of scores (quote values \
             that contain the delimiter)"
        );
    }

    /// A messy Salesforce-style export of `rows` deals, seeded: last week's (`last`) has
    /// a tenth of them in another stage and a year later, and 700 deals more (gone since).
    fn export(rows: usize, last: bool) -> String {
        const STAGES: [&str; 8] = [
            "Prospecting",
            "Qualification",
            "Needs Analysis",
            "Proposal/Price Quote",
            "Negotiation/Review",
            "Closed Won",
            "Closed Lost",
            "Someday",
        ];
        const FORECASTS: [&str; 6] = ["Pipeline", "Best Case", "Commit", "Closed", "Omitted", ""];
        const OWNERS: [&str; 6] = ["Ana Ruiz", "Bo Chen", "Cy Okafor", "Di Park", "", "Ed Lund"];
        let mut out = String::from(
            "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Stage,Amount,\
             Close Date,Created Date,Forecast Category,Next Step,Probability (%)\n",
        );
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..rows + if last { 700 } else { 0 } {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let r = (x >> 33) as usize;
            let moved = usize::from(last && r % 10 == 0);
            let account = format!("Account {}", r % 997);
            let name = match i % 53 {
                0 => format!("{account} - Renewal"),
                _ => format!("{account} - Deal {i}"),
            };
            let amount = match r % 23 {
                0 => String::new(),
                1 => "n/a".to_string(),
                _ => format!("{}.00", 1_000 + r % 90_000),
            };
            let close = match r % 31 {
                0 => "13/45/2026".to_string(),
                1 => String::new(),
                _ => format!(
                    "{}/{}/{}",
                    1 + r % 12,
                    1 + r % 28,
                    2025 + (r / 7) % 3 + moved
                ),
            };
            let created = format!("{}/{}/2024", 1 + (r / 3) % 12, 1 + (r / 5) % 28);
            let next = if r % 4 == 0 { "" } else { "Call back" };
            out.push_str(&format!(
                "006{i:015},{name},{account},{},{},{amount},{close},{created},{},{next},{}\n",
                OWNERS[(r / 11) % OWNERS.len()],
                STAGES[(r / 13 + moved) % STAGES.len()],
                FORECASTS[(r / 17) % FORECASTS.len()],
                (r / 19) % 101,
            ));
        }
        out
    }

    /// The same JSON report from 1 to 8 workers, alone and compared with last week. The
    /// command line clamps --threads to the cores (a 2-core machine runs --threads 4 on
    /// 2), so the audit is run here on exactly that many, over six batches of rows.
    #[test]
    fn reports_are_the_same_on_any_number_of_workers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let this = dir.path().join("this.csv");
        let last = dir.path().join("last.csv");
        std::fs::write(&this, export(45_000, false)).expect("write");
        std::fs::write(&last, export(45_000, true)).expect("write");
        let open = |p: &Path| crate::input::open(p.to_str().expect("path"), None).expect("open");
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
        let options = AuditOptions::as_of(as_of);
        let json = |workers: usize, compared: bool| -> Vec<u8> {
            let exports = vec![open(&this)];
            let rules = crate::rules::resolve(None, Some("salesforce"), &exports).expect("rules");
            let previous = compared.then(|| {
                let earlier = AuditOptions {
                    as_of: as_of - chrono::Days::new(7),
                    ..options.clone()
                };
                let before = vec![open(&last)];
                let run = audit_on(rules.clone(), before, &earlier, None, workers);
                let mut old = run.expect("last week").audit;
                old.keep_for_comparison();
                old
            });
            let run = audit_on(rules, exports, &options, previous, workers).expect("audit");
            let report = run.report(&crate::gate::GateSettings::default());
            let mut out = Vec::new();
            let emit = crate::report::EmitOptions::default();
            report
                .emit(crate::report::Format::Json, &emit, &mut out)
                .expect("emit");
            out
        };
        for compared in [false, true] {
            let one = json(1, compared);
            let report: serde_json::Value = serde_json::from_slice(&one).expect("json");
            let findings = report["findings"].as_array().map_or(0, Vec::len);
            let changes = report["findings"].as_array().map_or(0, |f| {
                f.iter()
                    .filter(|f| f["code"].as_str().is_some_and(|c| c.starts_with("CHG")))
                    .count()
            });
            assert!(findings > 45_000, "{findings} findings");
            assert_eq!(changes > 1_000, compared, "{changes} change findings");
            for workers in [2, 3, 4, 8] {
                assert!(
                    json(workers, compared) == one,
                    "{workers} workers (compared: {compared}) differ from one"
                );
            }
        }
    }
}

/// The workbook's row and cell limits, exercised on a real audit: a test of the report
/// layer that needs the whole run, so it lives here (the session may import the report;
/// the report may not import the session).
#[cfg(test)]
mod xlsx_limits {
    use std::io;

    use calamine::{Data, Reader, Xlsx};
    use chrono::NaiveDate;

    use crate::report::formats::xlsx::{Limits, workbook};

    /// The bundled fixture with small limits: the sheets that overflow say so in their
    /// last row and in the Summary, and the file still opens.
    #[test]
    fn sheets_past_the_row_limit_are_cut_with_a_note() {
        let request = super::AuditRequest {
            files: vec!["fixtures/salesforce_q4_pipeline.csv".to_string()],
            as_of: NaiveDate::from_ymd_opt(2026, 11, 20),
            ..Default::default()
        };
        let run = request.run().expect("audit");
        let report = run.report(&crate::gate::GateSettings::default());
        let limits = Limits { rows: 6, cell: 150 };
        let mut book = workbook(&report, 20, limits).expect("workbook");
        let bytes = book.save_to_buffer().expect("save");
        let mut xlsx = Xlsx::new(io::Cursor::new(bytes)).expect("xlsx");
        let deals = xlsx.worksheet_range("Deals").expect("Deals");
        assert_eq!(deals.height(), 6, "header, 4 deals, the note");
        let last = deals.get((5, 0)).expect("note");
        assert!(
            matches!(last, Data::String(s) if s.starts_with("… and 15 more deals left out")),
            "{last:?}"
        );
        let summary = xlsx.worksheet_range("Summary").expect("Summary");
        let said: Vec<String> = summary
            .rows()
            .filter_map(|r| r.get(1).map(|c| c.to_string()))
            .collect();
        assert!(
            said.iter()
                .any(|s| s.starts_with("Deals: the first 4 deals; 15 more")),
            "{said:?}"
        );
        assert!(said.iter().any(|s| s.contains("cut to fit")), "{said:?}");
    }
}
