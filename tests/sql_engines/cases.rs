//! The cases (an export and its rules), what the audit says of each, and the checks that
//! load a case into every engine and compare what its queries return with the audit.

use super::*;

/// The rules of a case: a file, or a draft `pipelint init --from` writes for the export.
#[derive(Clone, Debug)]
pub(crate) enum Rules {
    File(PathBuf),
    Draft,
    /// The preset `pipelint audit` detects for the export (a rules file naming it in
    /// `[input] preset`), else a draft.
    Detected,
}

#[derive(Clone, Debug)]
pub(crate) struct Case {
    pub(crate) csv: PathBuf,
    pub(crate) rules: Rules,
}

pub(crate) enum Outcome {
    Passed(String),
    Skipped(String),
    Failed(String),
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Passed(s) => write!(f, "passed: {s}"),
            Outcome::Skipped(s) => write!(f, "skipped: {s}"),
            Outcome::Failed(s) => write!(f, "failed: {s}"),
        }
    }
}

/// What `pipelint audit -f json` says of a case.
pub(crate) struct Audited {
    pub(crate) findings: Vec<Key>,
    pub(crate) codes: BTreeSet<String>,
    pub(crate) deal_lines: Vec<u64>,
    pub(crate) delimiter: String,
    /// The encoding the audit decoded the file with, as its report names it.
    pub(crate) encoding: String,
    /// Each deal's name, account and owner as the audit read them (line, header, value), for
    /// the deals that have one.
    pub(crate) texts: Vec<(u64, String, String)>,
    /// The whole report, for the `--summary` comparison.
    pub(crate) report: Value,
    /// Read as a database dump (IN008), and without a header row (IN007).
    pub(crate) dump: bool,
    pub(crate) no_header: bool,
}

pub(crate) fn audit(csv: &Path, rules: &Path) -> Result<Audited, Outcome> {
    let r = run(pipelint().current_dir(repo()).args([
        "audit".as_ref(),
        csv.as_os_str(),
        "-r".as_ref(),
        rules.as_os_str(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
        "-f".as_ref(),
        "json".as_ref(),
    ]));
    if r.code == 2 {
        return Err(Outcome::Skipped(format!(
            "audit exits 2 (it cannot read the file): {}",
            r.stderr.lines().next().unwrap_or("")
        )));
    }
    if r.code != 0 && r.code != 1 {
        return Err(Outcome::Failed(format!(
            "audit exited with {}:\n{}",
            r.code, r.stderr
        )));
    }
    let report: Value = serde_json::from_str(&r.stdout)
        .map_err(|e| Outcome::Failed(format!("audit's JSON does not parse: {e}")))?;
    let findings = report["findings"]
        .as_array()
        .ok_or_else(|| Outcome::Failed("the report has no findings array".into()))?
        .iter()
        .map(|f| {
            f.as_object()
                .ok_or_else(|| "a finding is not an object".to_string())
                .and_then(key_of)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Outcome::Failed(format!("the report's findings: {e}")))?;
    let deal_lines = report["deals"]
        .as_array()
        .ok_or_else(|| Outcome::Failed("the report has no deals array".into()))?
        .iter()
        .map(|d| d["line"].as_u64())
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| Outcome::Failed("a deal without a line".into()))?;
    let delimiter = report["inputs"][0]["delimiter"]
        .as_str()
        .ok_or_else(|| Outcome::Failed("the report names no delimiter".into()))?
        .to_string();
    let encoding = report["inputs"][0]["encoding"]
        .as_str()
        .ok_or_else(|| Outcome::Failed("the report names no encoding".into()))?
        .to_string();
    let column_of = |field: &str| {
        report["completeness"]["by_field"]
            .as_array()?
            .iter()
            .find(|f| f["field"] == field)?["column"]
            .as_str()
            .map(str::to_string)
    };
    let mut texts = Vec::new();
    for field in ["name", "account", "owner"] {
        let Some(column) = column_of(field) else {
            continue;
        };
        for d in report["deals"].as_array().into_iter().flatten() {
            if let (Some(line), Some(v)) = (d["line"].as_u64(), d[field].as_str()) {
                texts.push((line, column.clone(), v.to_string()));
            }
        }
    }
    let codes = findings.iter().map(|k| k.0.clone()).collect();
    let dump = report["inputs"][0].get("database_dump").is_some();
    let no_header = report["inputs"][0]["no_header_row"] == true;
    Ok(Audited {
        dump,
        no_header,
        report,
        texts,
        findings,
        codes,
        deal_lines,
        delimiter,
        encoding,
    })
}

/// The rules file for a case, written into `dir` when drafted.
pub(crate) fn rules_for(case: &Case, dir: &Path) -> Result<PathBuf, Outcome> {
    let draft = || -> Result<PathBuf, Outcome> {
        let r = run(pipelint().current_dir(repo()).args([
            "init".as_ref(),
            "--from".as_ref(),
            case.csv.as_os_str(),
        ]));
        if r.code != 0 {
            return Err(Outcome::Skipped(format!(
                "init --from exits {}: {}",
                r.code,
                r.stderr.lines().next().unwrap_or("")
            )));
        }
        let path = dir.join("drafted.toml");
        std::fs::write(&path, r.stdout).expect("write the drafted rules");
        Ok(path)
    };
    match &case.rules {
        Rules::File(p) => Ok(p.clone()),
        Rules::Draft => draft(),
        Rules::Detected => {
            let r = run(pipelint().current_dir(repo()).args([
                "audit".as_ref(),
                case.csv.as_os_str(),
                "--as-of".as_ref(),
                AS_OF.as_ref(),
                "-f".as_ref(),
                "json".as_ref(),
            ]));
            let preset = serde_json::from_str::<Value>(&r.stdout)
                .ok()
                .and_then(|v| v["rules"]["preset"].as_str().map(str::to_string));
            match preset {
                // Not `-r rules/<preset>.toml`: as a rules file of its own, a preset's
                // optional columns become required (IN001). A file that starts from the
                // preset is what an analyst writes, and audits as the detected preset does.
                Some(p) => {
                    let path = dir.join("preset.toml");
                    std::fs::write(&path, format!("[input]\npreset = \"{p}\"\n"))
                        .expect("write the preset's rules");
                    Ok(path)
                }
                None => draft(),
            }
        }
    }
}

/// A case made ready to load: its rules, what the audit found, and the line list.
pub(crate) struct Prepared {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) rules: PathBuf,
    pub(crate) audited: Audited,
    pub(crate) lines_file: PathBuf,
}

impl Prepared {
    /// The loader's `--delimiter` for the one the audit read the file with.
    pub(crate) fn delimiter(&self) -> &str {
        match self.audited.delimiter.as_str() {
            "\t" => "tab",
            d => d,
        }
    }

    pub(crate) fn load(&self) -> Load<'_> {
        Load {
            delimiter: Some(self.delimiter()),
            encoding: Some(&self.audited.encoding),
            only_lines: Some(&self.lines_file),
            empty: None,
            dump: self.audited.dump,
            header_from: self.audited.no_header.then_some(self.rules.as_path()),
        }
    }
}

pub(crate) fn prepare(case: &Case) -> Result<Prepared, Outcome> {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = rules_for(case, dir.path())?;
    let audited = audit(&case.csv, &rules)?;
    let lines_file = dir.path().join("lines.txt");
    let lines: String = audited
        .deal_lines
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&lines_file, lines).expect("write the line list");
    Ok(Prepared {
        dir,
        rules,
        audited,
        lines_file,
    })
}

/// Load one case on every available engine: the table must hold exactly the deals the audit
/// read, on the lines it read them (the loader fails on a line where no record starts), with
/// the text it read (names, accounts and owners, decoded as the audit decoded them).
pub(crate) fn check_loading(case: &Case, engines: &[Engine]) -> Outcome {
    let p = match prepare(case) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let query = p.dir.path().join("texts.sql");
    let columns: BTreeSet<&str> = p.audited.texts.iter().map(|t| t.1.as_str()).collect();
    let mut failures = String::new();
    let mut skipped = Vec::new();
    for &engine in engines {
        let mut select = String::from("SELECT pipelint_line");
        for c in &columns {
            let _ = write!(select, ", {}", engine.quote(c));
        }
        select.push_str(" FROM deals");
        std::fs::write(&query, &select).expect("write");
        match load_and_query(engine, &repo().join(&case.csv), &query, &p.load()) {
            Ok(rows) => {
                let mut lines: Vec<u64> = rows
                    .iter()
                    .filter_map(|r| r["pipelint_line"].as_u64())
                    .collect();
                lines.sort_unstable();
                if lines != p.audited.deal_lines {
                    let _ = writeln!(
                        failures,
                        "{}: {} rows loaded, the audit read {} deals",
                        engine.name(),
                        lines.len(),
                        p.audited.deal_lines.len()
                    );
                    continue;
                }
                let loaded: BTreeMap<(u64, &str), &str> = rows
                    .iter()
                    .flat_map(|r| {
                        let line = r["pipelint_line"].as_u64().unwrap_or(0);
                        columns
                            .iter()
                            .filter_map(move |c| Some(((line, *c), r.get(*c)?.as_str()?.trim())))
                    })
                    .collect();
                for (line, column, want) in &p.audited.texts {
                    let got = loaded.get(&(*line, column.as_str()));
                    if got != Some(&want.as_str()) {
                        let _ = writeln!(
                            failures,
                            "{}: line {line} {column:?} holds {got:?}, the audit read {want:?}",
                            engine.name()
                        );
                    }
                }
            }
            Err(LoadError::BadHeader(why)) => skipped.push(format!("{}: {why}", engine.name())),
            Err(LoadError::Failed(why)) => {
                let _ = writeln!(failures, "{}: {why}", engine.name());
            }
        }
    }
    if !failures.is_empty() {
        Outcome::Failed(failures)
    } else if skipped.len() == engines.len() {
        Outcome::Skipped(format!(
            "the header cannot be a table: {}",
            skipped.join("; ")
        ))
    } else {
        Outcome::Passed(format!(
            "{} deals, {} names, accounts and owners{}",
            p.audited.deal_lines.len(),
            p.audited.texts.len(),
            skipped_note(&skipped)
        ))
    }
}

pub(crate) fn skipped_note(skipped: &[String]) -> String {
    if skipped.is_empty() {
        String::new()
    } else {
        format!(" (skipped on {})", skipped.join("; "))
    }
}

/// Run one case on every available engine.
pub(crate) fn check_case(case: &Case, engines: &[Engine]) -> Outcome {
    let p = match prepare(case) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let (audited, rules, dir) = (&p.audited, &p.rules, &p.dir);
    let mut skipped = Vec::new();
    let mut failures = String::new();
    let mut passed = Vec::new();
    for &engine in engines {
        let r = compile(engine, case, rules, &[]);
        if r.code != 0 {
            let _ = writeln!(
                failures,
                "{}: pipelint sql exited with {}:\n{}",
                engine.name(),
                r.code,
                r.stderr
            );
            continue;
        }
        let Some(evaluated) = codes_on(&r.stdout, "evaluated:") else {
            let _ = writeln!(
                failures,
                "{}: the query has no `-- evaluated:` line:\n{}",
                engine.name(),
                r.stdout.lines().take(5).collect::<Vec<_>>().join("\n")
            );
            continue;
        };
        if evaluated.is_empty() {
            // A query that evaluates nothing would match every audit.
            let _ = writeln!(failures, "{}: the query evaluates no code", engine.name());
            continue;
        }
        let not_evaluated = codes_on(&r.stdout, "not evaluated:").unwrap_or_default();
        let dropped: Vec<&String> = audited
            .codes
            .iter()
            .filter(|c| !evaluated.contains(*c) && !not_evaluated.contains(*c))
            .collect();
        if !dropped.is_empty() {
            let _ = writeln!(
                failures,
                "{}: the audit reports {dropped:?}, which the query lists neither as evaluated \
                 nor as not evaluated",
                engine.name()
            );
        }
        let query = dir.path().join(format!("{}.sql", engine.name()));
        std::fs::write(&query, &r.stdout).expect("write the query");
        let rows = match load_and_query(engine, &repo().join(&case.csv), &query, &p.load()) {
            Ok(rows) => rows,
            Err(LoadError::BadHeader(why)) => {
                // DuckDB cannot hold `Region` beside `region`; PostgreSQL can.
                skipped.push(format!("{}: {why}", engine.name()));
                continue;
            }
            Err(LoadError::Failed(why)) => {
                let _ = writeln!(failures, "{}: {why}", engine.name());
                continue;
            }
        };
        // The contract's other two columns, present but not compared: a message need not
        // match the engine's word for word.
        if let Some(row) = rows
            .iter()
            .find(|r| !r.contains_key("column") || !r.contains_key("message"))
        {
            let _ = writeln!(
                failures,
                "{}: a result row lacks the column or message column: {row:?}",
                engine.name()
            );
            continue;
        }
        let sql_found = match rows.iter().map(key_of).collect::<Result<Vec<_>, _>>() {
            Ok(k) => k,
            Err(e) => {
                let _ = writeln!(failures, "{}: a result row: {e}", engine.name());
                continue;
            }
        };
        let engine_found: Vec<Key> = audited
            .findings
            .iter()
            .filter(|k| evaluated.contains(&k.0))
            .cloned()
            .collect();
        if let Err(why) = check_summary(engine, case, &p) {
            let _ = write!(failures, "{}: --summary {why}", engine.name());
        }
        match diff(&engine_found, &sql_found) {
            None => passed.push(format!(
                "{} ({} findings of {} codes; summary of {} deals)",
                engine.name(),
                engine_found.len(),
                evaluated.len(),
                audited.deal_lines.len()
            )),
            Some(d) => {
                let _ = write!(
                    failures,
                    "{} differs from pipelint audit (query: {}):\n{d}",
                    engine.name(),
                    query.display()
                );
            }
        }
    }
    if failures.is_empty() && passed.is_empty() {
        Outcome::Skipped(format!(
            "the header cannot be a table: {}",
            skipped.join("; ")
        ))
    } else if failures.is_empty() {
        Outcome::Passed(format!("{}{}", passed.join(", "), skipped_note(&skipped)))
    } else {
        // Keep the queries and line list of a failed case to look at.
        let kept = p.dir.keep();
        Outcome::Failed(format!("{failures}  (files kept in {})", kept.display()))
    }
}

/// `pipelint sql` (with `more` arguments) for a case's export and rules in `engine`'s
/// dialect, over the loader's table `deals`.
pub(crate) fn compile(engine: Engine, case: &Case, rules: &Path, more: &[&str]) -> common::Run {
    run(pipelint()
        .current_dir(repo())
        .args([
            "sql",
            "--dialect",
            engine.name(),
            "--table",
            "deals",
            "--as-of",
            AS_OF,
        ])
        .arg("-r")
        .arg(rules)
        .arg("--like")
        .arg(&case.csv)
        // The loader's column of each record's line, which the query returns as `line`.
        .args(["--line-column", "pipelint_line"])
        .args(more))
}

/// `pipelint sql --summary` for a case on one engine, compared with the audit's figures.
pub(crate) fn check_summary(engine: Engine, case: &Case, p: &Prepared) -> Result<(), String> {
    let r = compile(engine, case, &p.rules, &["--summary"]);
    if r.code != 0 {
        return Err(format!("exited with {}:\n{}", r.code, r.stderr));
    }
    let query = p.dir.path().join(format!("{}-summary.sql", engine.name()));
    std::fs::write(&query, &r.stdout).expect("write the query");
    let rows = match load_and_query(engine, &repo().join(&case.csv), &query, &p.load()) {
        Ok(rows) => rows,
        Err(LoadError::BadHeader(why) | LoadError::Failed(why)) => return Err(why),
    };
    let want =
        summary::expected(&p.audited.report).map_err(|e| format!("the audit's report: {e}"))?;
    let got = summary::returned(&rows).map_err(|e| format!("a result row: {e}"))?;
    match summary::differences(&want, &got) {
        None => Ok(()),
        Some(d) => Err(format!(
            "differs from pipelint audit (query: {}):\n{d}",
            query.display()
        )),
    }
}

/// Whether this build has a working `pipelint sql`. Where the engines must run (CI, or
/// `PIPELINT_REQUIRE_SQL_ENGINES`), a `sql` that does not answer `--help` fails the test
/// instead of skipping every comparison.
pub(crate) fn has_sql_command() -> bool {
    let r = run(pipelint().args(["sql", "--help"]));
    if r.code != 0 {
        common::cannot_run(
            "PIPELINT_REQUIRE_SQL_ENGINES",
            &format!(
                "`pipelint sql --help` exits {}: {}",
                r.code,
                r.stderr.lines().next().unwrap_or("")
            ),
        );
    }
    r.code == 0
}

/// The cases that cannot be compared, by file, and what their skip must say: an export the
/// audit refuses has no deals to load. Any other skip fails, and so does a listed case that
/// no longer skips (the list only states what is true).
pub(crate) const EXPECTED_SKIPS: &[(&str, &str)] = &[
    // IN001: a mapped column is missing; the audit stops (exit 2) by design.
    ("fixtures/checks/IN001/export.csv", "audit exits 2"),
    // IN005: `Region` and `region` are one column to DuckDB, whose identifiers ignore case
    // even quoted; a warehouse load fails the same way. PostgreSQL compares this case.
    (
        "fixtures/checks/IN005/export.csv",
        "name the same duckdb column",
    ),
];

/// Run `check` on every case, then fail once naming every case that failed, every case
/// that skipped unexpectedly, and every expected skip that ran.
pub(crate) fn assert_cases(cases: &[Case], check: fn(&Case, &[Engine]) -> Outcome) {
    let engines = engines();
    if engines.is_empty() {
        return;
    }
    assert!(!cases.is_empty(), "no cases found");
    let mut failed = Vec::new();
    let mut passed = 0;
    for case in cases {
        let name = format!("{} with {:?}", case.csv.display(), case.rules);
        let expected = EXPECTED_SKIPS
            .iter()
            .find(|(file, _)| case.csv == Path::new(file));
        match (check(case, engines), expected) {
            // Skipped on one engine (a header it cannot take as a table): listed too.
            (Outcome::Passed(how), None) if how.contains("(skipped on ") => failed.push(format!(
                "{name}: {how}; list it in EXPECTED_SKIPS with the engine's reason"
            )),
            (Outcome::Passed(how), Some((_, says))) if how.contains(says) => {
                passed += 1;
                eprintln!("ok, skipped on an engine as expected: {name}: {how}");
            }
            (Outcome::Passed(how), None) => {
                passed += 1;
                eprintln!("ok: {name}: {how}");
            }
            // With PIPELINT_SQL_ENGINES naming only some engines, the one a skip is for
            // may not run: the case passing on the others says nothing of the list.
            (Outcome::Passed(how), Some(_))
                if std::env::var_os("PIPELINT_SQL_ENGINES").is_some() =>
            {
                passed += 1;
                eprintln!("ok (its expected skip's engine not run): {name}: {how}");
            }
            (Outcome::Passed(how), Some(_)) => failed.push(format!(
                "{name}: listed in EXPECTED_SKIPS but ran ({how}): take it off the list"
            )),
            (Outcome::Skipped(why), Some((_, says))) if why.contains(says) => {
                eprintln!("skipped, as expected: {name}: {why}")
            }
            (Outcome::Skipped(why), _) => failed.push(format!(
                "{name}: skipped ({why}); a case that cannot be compared is a failure unless \
                 EXPECTED_SKIPS lists it with its reason"
            )),
            (Outcome::Failed(why), _) => failed.push(format!("{name}:\n{why}")),
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
    assert!(passed > 0, "every case was skipped");
}

/// The equality proof over `cases`; skipped (saying so) until this build has `pipelint sql`.
pub(crate) fn assert_same_findings(cases: &[Case]) {
    if !engines().is_empty() && has_sql_command() {
        assert_cases(cases, check_case);
    }
}

/// The CSV files of a fixture directory (relative to the repository), sorted.
pub(crate) fn csvs_in(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .map(|p| Path::new(dir).join(p.file_name().expect("file name")))
        .collect();
    files.sort();
    files
}

pub(crate) fn with_rules(dir: &str, rules: &str) -> Vec<Case> {
    csvs_in(dir)
        .into_iter()
        .map(|csv| Case {
            csv,
            rules: Rules::File(PathBuf::from(rules)),
        })
        .collect()
}

/// Every per-code fixture (`fixtures/checks/<CODE>/export.csv`) with the rules beside it
/// (a link to the shared checks' or hygiene rules, or its own), and the checks' clean
/// export. A change check's pair is compared through `--previous` elsewhere; a link to a
/// trap export (IN007, IN009, IN013) is audited among the traps.
pub(crate) fn check_fixtures() -> Vec<Case> {
    let mut cases = Vec::new();
    let dir = "fixtures/checks";
    let entries =
        std::fs::read_dir(repo().join(dir)).unwrap_or_else(|e| panic!("cannot list {dir}: {e}"));
    for entry in entries.filter_map(|e| e.ok()) {
        let code = entry.file_name().to_string_lossy().into_owned();
        let export = Path::new(dir).join(&code).join("export.csv");
        let rules = Path::new(dir).join(&code).join("rules.toml");
        let full = repo().join(&export);
        if !full.is_file() || full.is_symlink() || !repo().join(&rules).is_file() {
            continue;
        }
        cases.push(Case {
            csv: export,
            rules: Rules::File(rules),
        });
    }
    cases.sort_by(|a, b| a.csv.cmp(&b.csv));
    cases.push(Case {
        csv: PathBuf::from("fixtures/checks/clean.csv"),
        rules: Rules::File(PathBuf::from("fixtures/checks/rules.toml")),
    });
    // Every code but the three whose fixture is a trap export has a case here, and the
    // clean export.
    assert_eq!(
        cases.len(),
        pipelint::Code::ALL.len() - 3 + 1,
        "per-code fixtures found under {dir}"
    );
    cases
}

/// The hygiene, custom-pipeline and history fixtures, each with its directory's rules.
pub(crate) fn ruled_fixtures() -> Vec<Case> {
    let mut cases = with_rules("fixtures/hygiene", "fixtures/hygiene/rules.toml");
    cases.extend(with_rules(
        "fixtures/custom",
        "fixtures/custom/renewals.toml",
    ));
    // fixtures/history/quotas.csv is a quota file (--quota), not an export.
    cases.extend(
        with_rules("fixtures/history", "fixtures/history/rules.toml")
            .into_iter()
            .filter(|c| c.csv.file_name().is_none_or(|n| n != "quotas.csv")),
    );
    cases
}

/// Exports audited with the preset the audit detects, or a draft when none fits.
pub(crate) fn preset_fixtures() -> Vec<Case> {
    let mut csvs = vec![PathBuf::from("fixtures/salesforce_q4_pipeline.csv")];
    for dir in [
        "fixtures/presets",
        "fixtures/real",
        "fixtures/init",
        "fixtures/changes",
        "fixtures/input",
    ] {
        csvs.extend(csvs_in(dir));
    }
    csvs.into_iter()
        .map(|csv| Case {
            csv,
            rules: Rules::Detected,
        })
        .collect()
}

/// The data-trap exports (fixtures/traps): those a preset reads with that preset, the rest
/// with rules drafted by `init --from`. Deals in stages the rules do not know that a status
/// (Forecast Type, IsClosed/IsWon) counts open or closed are among them. The org dump also
/// with its own rules, whose `[input] owners` lookup names the owners: the audit shows them
/// by name, and the `--summary` query must too (the lookup compiled into it).
pub(crate) fn trap_fixtures() -> Vec<Case> {
    let detected = [
        "zoho_forecast_type.csv",
        "sf_org_dump.csv",
        "labels_as_written.csv",
    ];
    let drafted = [
        "zoho_forecast_type.csv",
        "sf_org_dump.csv",
        "spanish_import.csv",
        "type_and_stagename.csv",
        "no_stage_column.csv",
        "close_equals_created.csv",
        "no_owner_no_amount.csv",
        "weekly/W3.csv",
        "vtiger_dump.csv",
    ];
    let case = |name: &str, rules: Rules| Case {
        csv: PathBuf::from("fixtures/traps").join(name),
        rules,
    };
    let looked_up = case(
        "sf_org_dump.csv",
        Rules::File(PathBuf::from("fixtures/traps/sf_org_dump.toml")),
    );
    detected
        .iter()
        .map(|n| case(n, Rules::Detected))
        .chain(drafted.iter().map(|n| case(n, Rules::Draft)))
        .chain([looked_up])
        .collect()
}

/// Every file in ../shared/realworld/ with rules drafted by `init --from`; none when shared/
/// is not beside the repository (CI and every session have it; a bare clone does not).
pub(crate) fn realworld_exports() -> Vec<Case> {
    let dir = "../shared/realworld";
    if !repo().join(dir).is_dir() {
        common::cannot_run(
            "PIPELINT_REQUIRE_SQL_ENGINES",
            &format!("{dir} is not beside the repository"),
        );
        return Vec::new();
    }
    csvs_in(dir)
        .into_iter()
        .map(|csv| Case {
            csv,
            rules: Rules::Draft,
        })
        .collect()
}
