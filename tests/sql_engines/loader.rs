//! The loader (tests/sql/load_and_query.py) and the engines it runs on.

use super::*;

pub(crate) const LOADER: &str = "tests/sql/load_and_query.py";

/// The loader's exit status for a header that cannot be a table (duplicated or empty names).
pub(crate) const LOADER_BAD_HEADER: i32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Engine {
    DuckDb,
    Postgres,
    /// PySpark in local mode, through one loader process serving every case (a Spark
    /// session takes seconds to start).
    Spark,
}

impl Engine {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Engine::DuckDb => "duckdb",
            Engine::Postgres => "postgres",
            Engine::Spark => "spark",
        }
    }

    /// A column name quoted as the engine quotes identifiers.
    pub(crate) fn quote(self, name: &str) -> String {
        match self {
            Engine::Spark => format!("`{}`", name.replace('`', "``")),
            Engine::DuckDb | Engine::Postgres => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// How the engine's table holds an empty cell (the loader's `--empty`).
    pub(crate) fn empty(self) -> &'static str {
        match self {
            Engine::DuckDb => "text",
            Engine::Postgres | Engine::Spark => "null",
        }
    }
}

pub(crate) fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The engines this machine has, decided once. A missing one is skipped with the reason, or
/// fails the run when `PIPELINT_REQUIRE_SQL_ENGINES` is set; `PIPELINT_SQL_ENGINES` (a
/// comma-separated list: duckdb, postgres, spark) keeps only those it names.
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
        let java = probe(Command::new("java").arg("-version"));
        let pyspark = probe(Command::new("python3").args(["-c", "import pyspark"]));
        match java.and(pyspark) {
            Ok(()) => found.push(Engine::Spark),
            Err(why) => missing.push(format!(
                "Spark: `java -version` or `python3 -c \"import pyspark\"` failed ({why}); \
                 install a Java 17 runtime and `pip install -r tests/sql/requirements.txt`"
            )),
        }
        // PIPELINT_SQL_ENGINES=duckdb,postgres: only those (a quicker loop while working).
        if let Ok(only) = std::env::var("PIPELINT_SQL_ENGINES") {
            let only: Vec<String> = only.split(',').map(|e| e.trim().to_lowercase()).collect();
            found.retain(|e| only.iter().any(|o| format!("{e:?}").to_lowercase() == *o));
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
    let path = |p: &Path| p.to_string_lossy().into_owned();
    let mut args: Vec<String> = vec!["--engine".into(), engine.name().into()];
    args.extend(["--csv".into(), path(csv), "--query".into(), path(query)]);
    if let Some(d) = load.delimiter {
        args.extend(["--delimiter".into(), d.into()]);
    }
    if let Some(e) = load.encoding {
        args.extend(["--encoding".into(), e.into()]);
    }
    if let Some(lines) = load.only_lines {
        args.extend(["--only-lines".into(), path(lines)]);
    }
    args.extend([
        "--empty".into(),
        load.empty.unwrap_or(engine.empty()).into(),
    ]);
    if load.dump {
        args.push("--dump".into());
    }
    if let Some(rules) = load.header_from {
        args.extend(["--header-from".into(), path(rules)]);
    }
    let (code, stdout, stderr) = if engine == Engine::Spark {
        spark::ask(&args).map_err(LoadError::Failed)?
    } else {
        let out = Command::new("python3")
            .current_dir(repo())
            .arg(LOADER)
            .args(&args)
            .output()
            .map_err(|e| LoadError::Failed(format!("cannot run python3 {LOADER}: {e}")))?;
        let stdout = String::from_utf8(out.stdout)
            .map_err(|e| LoadError::Failed(format!("the loader printed non-UTF-8: {e}")))?;
        (
            out.status.code(),
            stdout,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    match code {
        Some(0) => {}
        Some(LOADER_BAD_HEADER) => return Err(LoadError::BadHeader(stderr.trim().to_string())),
        code => {
            return Err(LoadError::Failed(format!(
                "{LOADER} on {} exited with {code:?}:\n{stderr}",
                engine.name()
            )));
        }
    }
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

/// The one loader process serving every Spark case of this test binary (`--serve`): one
/// Spark session for the whole harness, asked one case at a time.
mod spark {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
    use std::sync::{Mutex, OnceLock};

    use super::{LOADER, repo};

    struct Server {
        _child: Child,
        stdin: ChildStdin,
        answers: BufReader<ChildStdout>,
    }

    fn server() -> &'static Mutex<Option<Server>> {
        static SERVER: OnceLock<Mutex<Option<Server>>> = OnceLock::new();
        SERVER.get_or_init(|| Mutex::new(None))
    }

    fn start() -> Result<Server, String> {
        let mut child = Command::new("python3")
            .current_dir(repo())
            .args([LOADER, "--serve"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start python3 {LOADER} --serve: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin for the Spark loader")?;
        let stdout = child
            .stdout
            .take()
            .ok_or("no stdout for the Spark loader")?;
        Ok(Server {
            _child: child,
            stdin,
            answers: BufReader::new(stdout),
        })
    }

    /// Run the loader with `args` in the serving process: its exit status, stdout, stderr.
    pub(crate) fn ask(args: &[String]) -> Result<(Option<i32>, String, String), String> {
        // A case that panicked while holding the lock leaves the server as it was.
        let mut guard = server().lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(start()?);
        }
        let Some(s) = guard.as_mut() else {
            return Err("the Spark loader did not start".into());
        };
        let request = serde_json::to_string(args).map_err(|e| e.to_string())?;
        let sent = writeln!(s.stdin, "{request}").and_then(|()| s.stdin.flush());
        let mut line = String::new();
        let read = sent.and_then(|()| s.answers.read_line(&mut line));
        if !matches!(read, Ok(n) if n > 0) {
            *guard = None;
            return Err(format!("the Spark loader stopped answering ({read:?})"));
        }
        let answer: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| format!("a bad answer {line:?}: {e}"))?;
        Ok((
            answer["status"].as_i64().map(|c| c as i32),
            answer["stdout"].as_str().unwrap_or_default().to_string(),
            answer["stderr"].as_str().unwrap_or_default().to_string(),
        ))
    }
}
