//! The SQL that `pipelint sql` writes, run on real engines: every fixture export and every file
//! in `../shared/realworld/` is loaded into DuckDB and PostgreSQL by
//! `tests/sql/load_and_query.py`, the generated query runs there, and its findings must be the
//! ones `pipelint audit` reports for the same file and rules: the same multiset of (code,
//! record id, field, severity, line), for the codes the query's `-- evaluated:` line names.
//! Every code the audit reports must be named on that line or on `-- not evaluated:`, so no
//! check is dropped silently.
//!
//! Engines: DuckDB through its Python package (`pip install -r tests/sql/requirements.txt`),
//! PostgreSQL through `psql` and the standard PG* variables. Without them the tests say why and
//! pass, so `cargo test` passes on a laptop; CI starts both (.ci/run) and sets
//! `PIPELINT_REQUIRE_SQL_ENGINES`, so that a missing engine fails instead.
//!
//! The table holds what the audit read, as a warehouse would: the records the audit read as
//! deals (a report footer, a totals row or a record with the wrong number of fields, IN002 and
//! IN004, are left out), decoded as the audit decoded them, with `pipelint_line` the line where
//! each starts; the query is `pipelint sql -r RULES --dialect D --table deals --as-of DATE
//! --like CSV --line-column pipelint_line`. Each engine holds empty cells its own way, both of
//! which a warehouse does: DuckDB's table has empty strings, PostgreSQL's NULLs. A compiled
//! query must read both as missing.
//!
//! Until this build has `pipelint sql`, the equality tests skip (saying so); the loader's own
//! tests and `every_export_loads_with_the_deals_the_audit_read` run regardless.

mod common;
#[path = "sql_engines/summary.rs"]
mod summary;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{AS_OF, pipelint, run};
use regex::Regex;
use serde_json::Value;

const LOADER: &str = "tests/sql/load_and_query.py";

/// The loader's exit status for a header that cannot be a table (duplicated or empty names).
const LOADER_BAD_HEADER: i32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Engine {
    DuckDb,
    Postgres,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::DuckDb => "duckdb",
            Engine::Postgres => "postgres",
        }
    }

    /// How the engine's table holds an empty cell (the loader's `--empty`).
    fn empty(self) -> &'static str {
        match self {
            Engine::DuckDb => "text",
            Engine::Postgres => "null",
        }
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The engines this machine has, decided once. A missing one is skipped with the reason, or
/// fails the run when `PIPELINT_REQUIRE_SQL_ENGINES` is set.
fn engines() -> &'static [Engine] {
    static FOUND: OnceLock<Vec<Engine>> = OnceLock::new();
    FOUND.get_or_init(|| {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        match probe(Command::new("python3").args(["-c", "import duckdb"])) {
            Ok(()) => found.push(Engine::DuckDb),
            Err(why) => missing.push(format!(
                "DuckDB: `python3 -c \"import duckdb\"` failed ({why}); install it with \
                 `pip install -r tests/sql/requirements.txt`"
            )),
        }
        match probe(Command::new("psql").args(["-X", "-q", "-A", "-t", "-c", "select 1"])) {
            Ok(()) => found.push(Engine::Postgres),
            Err(why) => missing.push(format!(
                "PostgreSQL: `psql -c \"select 1\"` failed ({why}); start a server and set \
                 PGHOST/PGPORT/PGUSER/PGDATABASE (.ci/postgres.sh's start_postgres does both)"
            )),
        }
        if !missing.is_empty() {
            assert!(
                std::env::var_os("PIPELINT_REQUIRE_SQL_ENGINES").is_none(),
                "PIPELINT_REQUIRE_SQL_ENGINES is set but an engine is missing:\n{}",
                missing.join("\n")
            );
            for m in &missing {
                eprintln!("skipped on this engine: {m}");
            }
        }
        found
    })
}

fn probe(cmd: &mut Command) -> Result<(), String> {
    match cmd.output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .unwrap_or("no message")
            .trim()
            .to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// Why the loader gave no rows.
#[derive(Debug)]
enum LoadError {
    /// The header cannot be a table's columns (the loader's message).
    BadHeader(String),
    Failed(String),
}

/// Options of one loader run beyond the engine, the CSV and the query.
#[derive(Default)]
struct Load<'a> {
    delimiter: Option<&'a str>,
    encoding: Option<&'a str>,
    only_lines: Option<&'a Path>,
    empty: Option<&'a str>,
}

/// Run the loader: load `csv` into `engine` and run `query`; the result rows.
fn load_and_query(
    engine: Engine,
    csv: &Path,
    query: &Path,
    load: &Load<'_>,
) -> Result<Vec<serde_json::Map<String, Value>>, LoadError> {
    let mut cmd = Command::new("python3");
    cmd.current_dir(repo()).arg(LOADER);
    cmd.args(["--engine", engine.name()]);
    cmd.arg("--csv").arg(csv).arg("--query").arg(query);
    if let Some(d) = load.delimiter {
        cmd.args(["--delimiter", d]);
    }
    if let Some(e) = load.encoding {
        cmd.args(["--encoding", e]);
    }
    if let Some(lines) = load.only_lines {
        cmd.arg("--only-lines").arg(lines);
    }
    cmd.args(["--empty", load.empty.unwrap_or(engine.empty())]);
    let out = cmd
        .output()
        .map_err(|e| LoadError::Failed(format!("cannot run python3 {LOADER}: {e}")))?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    match out.status.code() {
        Some(0) => {}
        Some(LOADER_BAD_HEADER) => return Err(LoadError::BadHeader(stderr.trim().to_string())),
        code => {
            return Err(LoadError::Failed(format!(
                "{LOADER} on {} exited with {code:?}:\n{stderr}",
                engine.name()
            )));
        }
    }
    let stdout = String::from_utf8(out.stdout)
        .map_err(|e| LoadError::Failed(format!("the loader printed non-UTF-8: {e}")))?;
    stdout
        .lines()
        .map(|line| match serde_json::from_str(line) {
            Ok(Value::Object(row)) => Ok(row),
            _ => Err(LoadError::Failed(format!(
                "the loader printed a line that is not a JSON object: {line:?}"
            ))),
        })
        .collect()
}

/// What a finding is compared on: code, record id, field, severity, line.
type Key = (String, Option<String>, Option<String>, String, Option<u64>);

fn show(k: &Key) -> String {
    let (code, id, field, severity, line) = k;
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map_or("(none)".to_string(), |s| format!("{s:?}"))
    };
    format!(
        "{code} {severity} line {} record {} field {}",
        line.map_or("(none)".to_string(), |l| l.to_string()),
        opt(id),
        opt(field)
    )
}

/// A finding of the JSON report, or a row of the SQL's result (both name their columns
/// alike: code, severity, record_id, field, line).
fn key_of(row: &serde_json::Map<String, Value>) -> Result<Key, String> {
    let text = |name: &str| -> Result<Option<String>, String> {
        match row.get(name) {
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Null) => Ok(None),
            Some(other) => Err(format!("column {name} is {other}, not text, in {row:?}")),
            None => Err(format!("no column {name} in {row:?}")),
        }
    };
    let line = match row.get("line") {
        Some(Value::Number(n)) => Some(
            n.as_u64()
                .ok_or_else(|| format!("line {n} is not a line number in {row:?}"))?,
        ),
        // Text holding a number: an engine that hands BIGINTs over as text.
        Some(Value::String(s)) => Some(
            s.parse()
                .map_err(|_| format!("line {s:?} is not a line number in {row:?}"))?,
        ),
        Some(Value::Null) => None,
        _ => return Err(format!("no column line in {row:?}")),
    };
    let need = |name: &str| text(name)?.ok_or_else(|| format!("{name} is null in {row:?}"));
    Ok((
        need("code")?,
        text("record_id")?,
        text("field")?,
        need("severity")?,
        line,
    ))
}

/// `None` when the multisets are equal; else what the SQL missed and what it added.
fn diff(engine_found: &[Key], sql_found: &[Key]) -> Option<String> {
    let mut count: BTreeMap<&Key, i64> = BTreeMap::new();
    for k in engine_found {
        *count.entry(k).or_default() += 1;
    }
    for k in sql_found {
        *count.entry(k).or_default() -= 1;
    }
    let (mut missing, mut extra) = (String::new(), String::new());
    for (k, n) in &count {
        let (list, times) = if *n > 0 {
            (&mut missing, *n)
        } else {
            (&mut extra, -*n)
        };
        for _ in 0..times {
            let _ = writeln!(list, "    {}", show(k));
        }
    }
    if missing.is_empty() && extra.is_empty() {
        return None;
    }
    let mut out = String::new();
    if !missing.is_empty() {
        let _ = write!(out, "  missing in SQL (the engine found them):\n{missing}");
    }
    if !extra.is_empty() {
        let _ = write!(
            out,
            "  extra in SQL (the engine did not find them):\n{extra}"
        );
    }
    Some(out)
}

/// Codes named on a line of the query's header comment that starts with `label`, e.g.
/// `-- evaluated: REQ001 REQ002` or `-- not evaluated: IN002 (reading quirk); CHG001–CHG005`.
fn codes_on(query: &str, label: &str) -> Option<BTreeSet<String>> {
    static CODE: OnceLock<Regex> = OnceLock::new();
    let code = CODE.get_or_init(|| {
        Regex::new(r"\b([A-Z]{2,4})(\d{3})(?:\s*[-–]\s*([A-Z]{2,4})?(\d{3}))?\b").expect("regex")
    });
    let line = query
        .lines()
        .take_while(|l| l.trim_start().starts_with("--") || l.trim().is_empty())
        .find_map(|l| {
            l.trim_start()
                .trim_start_matches('-')
                .trim_start()
                .strip_prefix(label)
        })?;
    let mut codes = BTreeSet::new();
    for c in code.captures_iter(line) {
        let prefix = &c[1];
        let from: u32 = c[2].parse().ok()?;
        let to: u32 = match c.get(4) {
            Some(m) => m.as_str().parse().ok()?,
            None => from,
        };
        for n in from..=to.max(from) {
            codes.insert(format!("{prefix}{n:03}"));
        }
    }
    Some(codes)
}

/// The rules of a case: a file, or a draft `pipelint init --from` writes for the export.
#[derive(Clone, Debug)]
enum Rules {
    File(PathBuf),
    Draft,
    /// The preset `pipelint audit` detects for the export (a rules file naming it in
    /// `[input] preset`), else a draft.
    Detected,
}

#[derive(Clone, Debug)]
struct Case {
    csv: PathBuf,
    rules: Rules,
}

enum Outcome {
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
struct Audited {
    findings: Vec<Key>,
    codes: BTreeSet<String>,
    deal_lines: Vec<u64>,
    delimiter: String,
    /// The encoding the audit decoded the file with, as its report names it.
    encoding: String,
    /// Each deal's name, account and owner as the audit read them (line, header, value), for
    /// the deals that have one.
    texts: Vec<(u64, String, String)>,
    /// The whole report, for the `--summary` comparison.
    report: Value,
}

fn audit(csv: &Path, rules: &Path) -> Result<Audited, Outcome> {
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
    Ok(Audited {
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
fn rules_for(case: &Case, dir: &Path) -> Result<PathBuf, Outcome> {
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
struct Prepared {
    dir: tempfile::TempDir,
    rules: PathBuf,
    audited: Audited,
    lines_file: PathBuf,
}

impl Prepared {
    /// The loader's `--delimiter` for the one the audit read the file with.
    fn delimiter(&self) -> &str {
        match self.audited.delimiter.as_str() {
            "\t" => "tab",
            d => d,
        }
    }

    fn load(&self) -> Load<'_> {
        Load {
            delimiter: Some(self.delimiter()),
            encoding: Some(&self.audited.encoding),
            only_lines: Some(&self.lines_file),
            empty: None,
        }
    }
}

fn prepare(case: &Case) -> Result<Prepared, Outcome> {
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
fn check_loading(case: &Case, engines: &[Engine]) -> Outcome {
    let p = match prepare(case) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let query = p.dir.path().join("texts.sql");
    let columns: BTreeSet<&str> = p.audited.texts.iter().map(|t| t.1.as_str()).collect();
    let mut select = String::from("SELECT pipelint_line");
    for c in &columns {
        let _ = write!(select, ", \"{}\"", c.replace('"', "\"\""));
    }
    select.push_str(" FROM deals");
    std::fs::write(&query, &select).expect("write");
    let mut failures = String::new();
    let mut skipped = Vec::new();
    for &engine in engines {
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

fn skipped_note(skipped: &[String]) -> String {
    if skipped.is_empty() {
        String::new()
    } else {
        format!(" (skipped on {})", skipped.join("; "))
    }
}

/// Run one case on every available engine.
fn check_case(case: &Case, engines: &[Engine]) -> Outcome {
    let p = match prepare(case) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let (audited, rules, dir) = (&p.audited, &p.rules, &p.dir);
    let mut skipped = Vec::new();
    let mut failures = String::new();
    let mut passed = Vec::new();
    for &engine in engines {
        let r = run(pipelint().current_dir(repo()).args([
            "sql".as_ref(),
            "-r".as_ref(),
            rules.as_os_str(),
            "--dialect".as_ref(),
            engine.name().as_ref(),
            "--table".as_ref(),
            "deals".as_ref(),
            "--as-of".as_ref(),
            AS_OF.as_ref(),
            "--like".as_ref(),
            case.csv.as_os_str(),
            // The loader's column of each record's line, which the query returns as `line`.
            "--line-column".as_ref(),
            "pipelint_line".as_ref(),
        ]));
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

/// `pipelint sql --summary` for a case on one engine, compared with the audit's figures.
fn check_summary(engine: Engine, case: &Case, p: &Prepared) -> Result<(), String> {
    let r = run(pipelint().current_dir(repo()).args([
        "sql".as_ref(),
        "--summary".as_ref(),
        "-r".as_ref(),
        p.rules.as_os_str(),
        "--dialect".as_ref(),
        engine.name().as_ref(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
        "--like".as_ref(),
        case.csv.as_os_str(),
        "--line-column".as_ref(),
        "pipelint_line".as_ref(),
    ]));
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

/// Whether this build has `pipelint sql`; the equality tests skip until it does.
fn has_sql_command() -> bool {
    let r = run(pipelint().args(["sql", "--help"]));
    if r.code != 0 {
        eprintln!(
            "skipped: `pipelint sql --help` exits {} (this build has no sql command yet): {}",
            r.code,
            r.stderr.lines().next().unwrap_or("")
        );
    }
    r.code == 0
}

/// Run `check` on every case, then fail once naming every case that failed.
fn assert_cases(cases: &[Case], check: fn(&Case, &[Engine]) -> Outcome) {
    let engines = engines();
    if engines.is_empty() {
        return;
    }
    assert!(!cases.is_empty(), "no cases found");
    let mut failed = Vec::new();
    let mut passed = 0;
    for case in cases {
        let name = format!("{} with {:?}", case.csv.display(), case.rules);
        match check(case, engines) {
            Outcome::Passed(how) => {
                passed += 1;
                eprintln!("ok: {name}: {how}");
            }
            Outcome::Skipped(why) => eprintln!("skipped: {name}: {why}"),
            Outcome::Failed(why) => failed.push(format!("{name}:\n{why}")),
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
fn assert_same_findings(cases: &[Case]) {
    if !engines().is_empty() && has_sql_command() {
        assert_cases(cases, check_case);
    }
}

/// The CSV files of a fixture directory (relative to the repository), sorted.
fn csvs_in(dir: &str) -> Vec<PathBuf> {
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

fn with_rules(dir: &str, rules: &str) -> Vec<Case> {
    csvs_in(dir)
        .into_iter()
        .map(|csv| Case {
            csv,
            rules: Rules::File(PathBuf::from(rules)),
        })
        .collect()
}

/// Every per-check fixture with the checks' rules (RUL001 has a rules file of its own).
fn check_fixtures() -> Vec<Case> {
    csvs_in("fixtures/checks")
        .into_iter()
        .map(|csv| {
            let own = csv.with_extension("toml");
            let rules = if repo().join(&own).is_file() {
                own
            } else {
                PathBuf::from("fixtures/checks/rules.toml")
            };
            Case {
                csv,
                rules: Rules::File(rules),
            }
        })
        .collect()
}

/// The hygiene, custom-pipeline and history fixtures, each with its directory's rules.
fn ruled_fixtures() -> Vec<Case> {
    let mut cases = with_rules("fixtures/hygiene", "fixtures/hygiene/rules.toml");
    cases.extend(with_rules(
        "fixtures/custom",
        "fixtures/custom/renewals.toml",
    ));
    cases.extend(with_rules(
        "fixtures/history",
        "fixtures/history/rules.toml",
    ));
    cases
}

/// Exports audited with the preset the audit detects, or a draft when none fits.
fn preset_fixtures() -> Vec<Case> {
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

/// Every file in ../shared/realworld/ with rules drafted by `init --from`; none when shared/
/// is not beside the repository (CI and every session have it; a bare clone does not).
fn realworld_exports() -> Vec<Case> {
    let dir = "../shared/realworld";
    if !repo().join(dir).is_dir() {
        eprintln!("skipped: {dir} is not beside the repository");
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

#[test]
fn check_fixtures_match_the_engine_on_every_sql_engine() {
    assert_same_findings(&check_fixtures());
}

#[test]
fn hygiene_custom_and_history_fixtures_match_the_engine_on_every_sql_engine() {
    assert_same_findings(&ruled_fixtures());
}

#[test]
fn preset_fixtures_match_the_engine_on_every_sql_engine() {
    assert_same_findings(&preset_fixtures());
}

#[test]
fn realworld_exports_match_the_engine_on_every_sql_engine() {
    let cases = realworld_exports();
    if !cases.is_empty() {
        assert_same_findings(&cases);
    }
}

/// The loader reads every export as the audit does: the table holds the deals the audit read,
/// on the lines it read them. Runs without `pipelint sql`.
/// The `--summary` comparison judges every risk signal somewhere: each fires on at least
/// one deal of the cases above (the hygiene fixtures at AS_OF), so an engine that got one
/// wrong would differ from the audit. Also every currency route: a deal with a currency.
#[test]
fn the_summary_cases_fire_every_risk_signal() {
    let mut seen = BTreeSet::new();
    let cases = ruled_fixtures().into_iter().chain(preset_fixtures());
    for case in cases {
        let Ok(p) = prepare(&case) else { continue };
        for d in p.audited.report["deals"].as_array().into_iter().flatten() {
            for s in d["risk"]["signals"].as_array().into_iter().flatten() {
                if let Some(name) = s["signal"].as_str() {
                    seen.insert(name.to_string());
                }
            }
            if d["currency"].is_string() {
                seen.insert("a currency".to_string());
            }
        }
    }
    for want in [
        "overdue",
        "stale",
        "stage_aged",
        "exit_criteria",
        "forecast_mismatch",
        "no_next_step",
        "pushed",
        "slipping",
        "unknown_stage",
        "a currency",
    ] {
        assert!(seen.contains(want), "no case fires {want}: {seen:?}");
    }
}

#[test]
fn every_export_loads_with_the_deals_the_audit_read() {
    let mut cases = check_fixtures();
    cases.extend(ruled_fixtures());
    cases.extend(preset_fixtures());
    cases.extend(realworld_exports());
    assert_cases(&cases, check_loading);
}

// The harness itself, testable without `pipelint sql`.

/// A header that would break a query built by pasting names, a quoted value over two lines,
/// CRLF, a blank line, a lone CR and a BOM.
const HOSTILE_CSV: &str = "\u{feff}id,\"x\"\"; DROP TABLE deals; --\" ,Note\r\n\
                           D-1,a,\"two\nlines\"\r\n\
                           \r\n\
                           D-2,,\"x\"\r\
                           D-3,\"q\"\"uote\",\n";

const HOSTILE_QUERY: &str = "-- pipelint sql: by hand\n\
     SELECT id, \"x\"\"; DROP TABLE deals; --\" AS v, \"Note\" AS note, pipelint_line \
     FROM deals -- a comment at the end\n";

fn rows_of(rows: &[serde_json::Map<String, Value>]) -> Vec<Value> {
    rows.iter().map(|r| Value::Object(r.clone())).collect()
}

#[test]
fn the_loader_round_trips_a_csv_with_hostile_headers() {
    let engines = engines();
    if engines.is_empty() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("hostile.csv");
    std::fs::write(&csv, HOSTILE_CSV).expect("write");
    let query = dir.path().join("q.sql");
    std::fs::write(&query, HOSTILE_QUERY).expect("write");
    for &engine in engines {
        for (empty, blank) in [("null", Value::Null), ("text", Value::from(""))] {
            let load = Load {
                empty: Some(empty),
                ..Load::default()
            };
            let rows = load_and_query(engine, &csv, &query, &load)
                .unwrap_or_else(|e| panic!("{}: {e:?}", engine.name()));
            // The header's name is trimmed as pipelint trims it; the record over two lines
            // starts on line 2; the blank line 4 is counted; the lone CR ends line 5.
            let want = vec![
                serde_json::json!({"id": "D-1", "v": "a", "note": "two\nlines", "pipelint_line": 2}),
                serde_json::json!({"id": "D-2", "v": blank, "note": "x", "pipelint_line": 5}),
                serde_json::json!({"id": "D-3", "v": "q\"uote", "note": blank, "pipelint_line": 6}),
            ];
            let mut got = rows_of(&rows);
            got.sort_by_key(|r| r["pipelint_line"].as_u64());
            assert_eq!(got, want, "{} with --empty {empty}", engine.name());
        }
    }
}

#[test]
fn the_loader_decodes_a_legacy_export_cell_by_cell_as_the_audit_does() {
    let engines = engines();
    if engines.is_empty() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("cp1252.csv");
    // A windows-1252 file with one UTF-8 cell pasted in, a byte (0x81) Python's cp1252 leaves
    // undefined, and a NUL that PostgreSQL's text cannot hold.
    let mut bytes = b"id,name\nD-1,Caf\xe9 \x80\nD-2,".to_vec();
    bytes.extend_from_slice("Café".as_bytes());
    bytes.extend_from_slice(b",\xe9\nD-3,a\x81\x00b\n");
    std::fs::write(&csv, bytes).expect("write");
    let query = dir.path().join("q.sql");
    std::fs::write(&query, "SELECT name, pipelint_line FROM deals").expect("write");
    for &engine in engines {
        let load = Load {
            encoding: Some("windows-1252"),
            ..Load::default()
        };
        let rows = load_and_query(engine, &csv, &query, &load)
            .unwrap_or_else(|e| panic!("{}: {e:?}", engine.name()));
        let mut got = rows_of(&rows);
        got.sort_by_key(|r| r["pipelint_line"].as_u64());
        let nul = if engine == Engine::Postgres { "" } else { "\0" };
        assert_eq!(
            got,
            vec![
                serde_json::json!({"name": "Café €", "pipelint_line": 2}),
                serde_json::json!({"name": "Café", "pipelint_line": 3}),
                serde_json::json!({"name": format!("a\u{81}{nul}b"), "pipelint_line": 4}),
            ],
            "{}",
            engine.name()
        );
    }
}

#[test]
fn the_loader_lines_agree_with_the_engine_deal_lines() {
    let engines = engines();
    if engines.is_empty() {
        return;
    }
    // The same layout with the columns a draft maps: the audit's deal lines must be the
    // loader's pipelint_line values.
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("deals.csv");
    std::fs::write(
        &csv,
        "id,Deal Name,Stage,Owner,Note\r\n\
         D-1,A,Lead,Ann,\"two\nlines\"\r\n\
         \r\n\
         D-2,B,Lead,Bob,x\r\
         D-3,C,Won,Cy,\n",
    )
    .expect("write");
    let draft = run(pipelint().args(["init".as_ref(), "--from".as_ref(), csv.as_os_str()]));
    assert_eq!(draft.code, 0, "{}", draft.stderr);
    let rules = dir.path().join("rules.toml");
    std::fs::write(&rules, draft.stdout).expect("write");
    let audited = audit(&csv, &rules).unwrap_or_else(|o| panic!("{o:?}"));
    assert_eq!(audited.deal_lines, [2, 5, 6]);
    let query = dir.path().join("q.sql");
    std::fs::write(&query, "SELECT pipelint_line AS line FROM deals ORDER BY 1").expect("write");
    for &engine in engines {
        let rows = load_and_query(engine, &csv, &query, &Load::default())
            .unwrap_or_else(|e| panic!("{}: {e:?}", engine.name()));
        let lines: Vec<u64> = rows.iter().filter_map(|r| r["line"].as_u64()).collect();
        assert_eq!(lines, audited.deal_lines, "{}", engine.name());
    }
}

#[test]
fn the_loader_loads_only_the_lines_it_is_given_and_refuses_unknown_ones() {
    let engines = engines();
    if engines.is_empty() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("deals.csv");
    std::fs::write(&csv, "id;name\nD-1;A\nD-2;B\nTotal;\n").expect("write");
    let query = dir.path().join("q.sql");
    std::fs::write(&query, "SELECT id, pipelint_line FROM deals;").expect("write");
    let lines = dir.path().join("lines.txt");
    for &engine in engines {
        std::fs::write(&lines, "2\n3\n").expect("write");
        let load = Load {
            delimiter: Some(";"),
            only_lines: Some(&lines),
            ..Load::default()
        };
        let rows = load_and_query(engine, &csv, &query, &load)
            .unwrap_or_else(|e| panic!("{}: {e:?}", engine.name()));
        let mut got = rows_of(&rows);
        got.sort_by_key(|r| r["pipelint_line"].as_u64());
        assert_eq!(
            got,
            vec![
                serde_json::json!({"id": "D-1", "pipelint_line": 2}),
                serde_json::json!({"id": "D-2", "pipelint_line": 3}),
            ],
            "{}",
            engine.name()
        );
        // A line where no record starts means the loader and the engine read the file
        // differently: that must fail, never load fewer rows quietly.
        std::fs::write(&lines, "2\n7\n").expect("write");
        match load_and_query(engine, &csv, &query, &load) {
            Err(LoadError::Failed(why)) => assert!(why.contains("line 7"), "{why}"),
            other => panic!("{}: expected a failure, got {other:?}", engine.name()),
        }
    }
}

#[test]
fn the_loader_refuses_anything_but_one_select() {
    let engines = engines();
    if engines.is_empty() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("deals.csv");
    std::fs::write(&csv, "id\nD-1\n").expect("write");
    let query = dir.path().join("q.sql");
    std::fs::write(&query, "SELECT id FROM deals; DROP TABLE deals").expect("write");
    for &engine in engines {
        match load_and_query(engine, &csv, &query, &Load::default()) {
            Err(LoadError::Failed(why)) => assert!(
                why.contains("one SELECT") || why.contains("syntax error"),
                "{}: {why}",
                engine.name()
            ),
            other => panic!("{}: expected a failure, got {other:?}", engine.name()),
        }
    }
}

#[test]
fn the_loader_refuses_a_header_that_cannot_be_a_table() {
    let engines = engines();
    if engines.is_empty() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let query = dir.path().join("q.sql");
    std::fs::write(&query, "SELECT 1 AS one").expect("write");
    for (header, needle) in [
        ("id,Amount,amount\n", "columns 2 and 3"),
        ("id,,name\n", "column 2 is empty"),
        ("id,pipelint_line\n", "pipelint_line"),
    ] {
        let csv = dir.path().join("deals.csv");
        std::fs::write(&csv, format!("{header}D-1,1,2\n")).expect("write");
        for &engine in engines {
            // Postgres tells `Amount` from `amount` (quoted identifiers keep their case).
            if engine == Engine::Postgres && needle == "columns 2 and 3" {
                continue;
            }
            match load_and_query(engine, &csv, &query, &Load::default()) {
                Err(LoadError::BadHeader(why)) => assert!(why.contains(needle), "{why}"),
                other => panic!("{} on {header:?}: got {other:?}", engine.name()),
            }
        }
    }
}

/// A query written by hand for the REQ001 fixture, through the same comparison the compiled
/// queries go through: the harness agrees with the engine on a right query and names the
/// finding a wrong one misses.
#[test]
fn the_harness_compares_a_hand_written_query_with_the_audit() {
    let engines = engines();
    if engines.is_empty() {
        return;
    }
    let csv = PathBuf::from("fixtures/checks/REQ001.csv");
    let audited = audit(&csv, Path::new("fixtures/checks/rules.toml"))
        .unwrap_or_else(|o| panic!("audit of {}: {o:?}", csv.display()));
    let want: Vec<Key> = audited
        .findings
        .iter()
        .filter(|k| k.0 == "REQ001")
        .cloned()
        .collect();
    assert_eq!(
        want,
        [(
            "REQ001".to_string(),
            Some("D-2".to_string()),
            Some("name".to_string()),
            "error".to_string(),
            Some(3)
        )]
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let query = dir.path().join("q.sql");
    let select = |missing: &str| {
        format!(
            "-- evaluated: REQ001\n\
             SELECT 'REQ001' AS code, 'error' AS severity, \"Ref\" AS record_id, \
             'name' AS field, 'Deal' AS \"column\", pipelint_line AS line, \
             'required field name is empty; fill it in' AS message \
             FROM deals WHERE {missing}"
        )
    };
    for &engine in engines {
        // Right: an empty cell is NULL or '' depending on the engine's load.
        std::fs::write(&query, select("coalesce(trim(\"Deal\"), '') = ''")).expect("write");
        let rows = load_and_query(engine, &repo().join(&csv), &query, &Load::default())
            .unwrap_or_else(|e| panic!("{}: {e:?}", engine.name()));
        let got: Vec<Key> = rows.iter().map(|r| key_of(r).expect("a finding")).collect();
        assert_eq!(diff(&want, &got), None, "{}", engine.name());
        // Wrong: only NULL counts as missing, so the engine that loads '' misses the finding.
        std::fs::write(&query, select("\"Deal\" IS NULL")).expect("write");
        let rows = load_and_query(engine, &repo().join(&csv), &query, &Load::default())
            .unwrap_or_else(|e| panic!("{}: {e:?}", engine.name()));
        let got: Vec<Key> = rows.iter().map(|r| key_of(r).expect("a finding")).collect();
        match engine.empty() {
            "null" => assert_eq!(diff(&want, &got), None),
            _ => {
                let d = diff(&want, &got).expect("a difference");
                assert!(
                    d.contains("missing in SQL")
                        && d.contains("REQ001 error line 3 record \"D-2\""),
                    "{d}"
                );
            }
        }
    }
}

#[test]
fn the_header_comment_lists_codes_and_ranges() {
    let query = "-- pipelint sql: rules.toml for duckdb, as of 2026-11-20\n\
                 -- evaluated: REQ001 REQ002 VAL003\n\
                 -- not evaluated: IN002 (reading quirk); CHG001–CHG003 (needs a previous \
                 snapshot); HYG009 (needs history)\n\
                 SELECT 1 -- evaluated: DUP001\n";
    let set = |codes: &[&str]| codes.iter().map(|c| c.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        codes_on(query, "evaluated:"),
        Some(set(&["REQ001", "REQ002", "VAL003"]))
    );
    assert_eq!(
        codes_on(query, "not evaluated:"),
        Some(set(&["CHG001", "CHG002", "CHG003", "HYG009", "IN002"]))
    );
    assert_eq!(codes_on("SELECT 1", "evaluated:"), None);
}

#[test]
fn the_diff_names_missing_and_extra_findings_with_their_counts() {
    let k = |code: &str, line: u64| {
        (
            code.to_string(),
            Some("D-1".to_string()),
            Some("name".to_string()),
            "error".to_string(),
            Some(line),
        )
    };
    let engine_found = [k("REQ001", 2), k("REQ001", 2), k("VAL003", 4)];
    assert_eq!(diff(&engine_found, &engine_found), None);
    let sql = [k("REQ001", 2), k("VAL003", 5)];
    let d = diff(&engine_found, &sql).expect("differs");
    assert_eq!(
        d,
        "  missing in SQL (the engine found them):\n\
         \x20   REQ001 error line 2 record \"D-1\" field \"name\"\n\
         \x20   VAL003 error line 4 record \"D-1\" field \"name\"\n\
         \x20 extra in SQL (the engine did not find them):\n\
         \x20   VAL003 error line 5 record \"D-1\" field \"name\"\n"
    );
}
