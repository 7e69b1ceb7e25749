//! The loader (tests/sql/load_and_query.py) and the engines it runs on.

use super::*;

pub(crate) const LOADER: &str = "tests/sql/load_and_query.py";

/// The loader's exit status for a header that cannot be a table (duplicated or empty names).
pub(crate) const LOADER_BAD_HEADER: i32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Engine {
    DuckDb,
    Postgres,
}

impl Engine {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Engine::DuckDb => "duckdb",
            Engine::Postgres => "postgres",
        }
    }

    /// How the engine's table holds an empty cell (the loader's `--empty`).
    pub(crate) fn empty(self) -> &'static str {
        match self {
            Engine::DuckDb => "text",
            Engine::Postgres => "null",
        }
    }
}

pub(crate) fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The engines this machine has, decided once. A missing one is skipped with the reason, or
/// fails the run when `PIPELINT_REQUIRE_SQL_ENGINES` is set.
pub(crate) fn engines() -> &'static [Engine] {
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

pub(crate) fn probe(cmd: &mut Command) -> Result<(), String> {
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
pub(crate) enum LoadError {
    /// The header cannot be a table's columns (the loader's message).
    BadHeader(String),
    Failed(String),
}

/// Options of one loader run beyond the engine, the CSV and the query.
#[derive(Default)]
pub(crate) struct Load<'a> {
    pub(crate) delimiter: Option<&'a str>,
    pub(crate) encoding: Option<&'a str>,
    pub(crate) only_lines: Option<&'a Path>,
    pub(crate) empty: Option<&'a str>,
    /// A database dump (IN008): `\N` is NULL and a backslash escapes a quote, as MySQL's
    /// `LOAD DATA` reads it into the warehouse.
    pub(crate) dump: bool,
    /// A file without a header row (IN007): the rules file whose `[input] header` names its
    /// columns.
    pub(crate) header_from: Option<&'a Path>,
}

/// Run the loader: load `csv` into `engine` and run `query`; the result rows.
pub(crate) fn load_and_query(
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
    if load.dump {
        cmd.arg("--dump");
    }
    if let Some(rules) = load.header_from {
        cmd.arg("--header-from").arg(rules);
    }
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
