//! examples/dbt run for real with dbt on both of its adapters: DuckDB (dbt-duckdb) and
//! Spark (dbt-spark in session mode: an in-process PySpark), each in a copy of the project.
//! `dbt seed` and `dbt run` succeed, and `dbt test` fails its singular test on the same 23
//! error-severity findings on both (the seed's missing required fields, unmet exit
//! criteria, values outside the rules and repeated ids, as examples/dbt/README.md says).
//!
//! Needs `dbt` with both adapters (examples/dbt/requirements.txt) and a Java 17 runtime;
//! without them the test says why and passes, unless `PIPELINT_REQUIRE_DBT` or `CI` is set
//! (.ci/run installs them).

mod common;

use std::path::Path;
use std::process::Command;

/// The project copied into a temporary directory (dbt writes its target/, logs/, the
/// DuckDB file and Spark's warehouse and metastore beside the project).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for sub in ["models", "seeds", "tests"] {
        std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
    }
    for file in [
        "dbt_project.yml",
        "profiles.yml",
        "pipelint.toml",
        "models/pipelint_findings.sql",
        "models/pipelint_summary.sql",
        "seeds/opportunities.csv",
        "tests/no_pipelint_errors.sql",
    ] {
        std::fs::copy(Path::new("examples/dbt").join(file), dir.path().join(file))
            .unwrap_or_else(|e| panic!("copy {file}: {e}"));
    }
    dir
}

fn dbt(dir: &Path, args: &[&str], target: &str) -> (i32, String) {
    let out = Command::new("dbt")
        .current_dir(dir)
        .args(args)
        .args(["--profiles-dir", ".", "--target", target, "--no-use-colors"])
        .output()
        .expect("run dbt");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn available() -> Result<(), String> {
    let adapters = Command::new("python3")
        .args([
            "-c",
            "import dbt.adapters.duckdb, dbt.adapters.spark, pyspark",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    if !adapters.status.success() {
        return Err("dbt-duckdb, dbt-spark[session] or pyspark is not installed".into());
    }
    let java = Command::new("java").arg("-version").output();
    if !java.is_ok_and(|o| o.status.success()) {
        return Err("no Java runtime for Spark".into());
    }
    Ok(())
}

#[test]
fn the_dbt_example_fails_on_the_same_23_errors_on_duckdb_and_spark() {
    if let Err(why) = available() {
        common::cannot_run(
            "PIPELINT_REQUIRE_DBT",
            &format!("dbt cannot run: {why} (pip install -r examples/dbt/requirements.txt)"),
        );
        return;
    }
    for target in ["dev", "spark"] {
        let dir = project();
        for step in ["seed", "run"] {
            let (code, text) = dbt(dir.path(), &[step], target);
            assert_eq!(code, 0, "dbt {step} --target {target}:\n{text}");
        }
        let (code, text) = dbt(dir.path(), &["test"], target);
        assert_eq!(code, 1, "dbt test --target {target}:\n{text}");
        assert!(
            text.contains("FAIL 23 no_pipelint_errors"),
            "dbt test --target {target}:\n{text}"
        );
    }
}
