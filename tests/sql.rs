//! `pipelint sql`: the query each dialect gets (snapshots), and hostile headers and rule
//! values kept inside their quotes: the query stays one SELECT in every dialect. That the
//! queries return the engine's findings on real engines is tests/sql_engines.rs.

mod common;

use common::{AS_OF, pipelint, run};

const DIALECTS: [&str; 5] = ["duckdb", "postgres", "snowflake", "bigquery", "spark"];

fn sql(rules: &str, dialect: &str, like: Option<&str>) -> String {
    sql_with(rules, dialect, like, &[])
}

fn sql_with(rules: &str, dialect: &str, like: Option<&str>, more: &[&str]) -> String {
    let mut cmd = pipelint();
    cmd.args(["sql", "-r", rules, "--dialect", dialect, "--as-of", AS_OF]);
    cmd.args(more);
    if let Some(f) = like {
        cmd.args(["--like", f]);
    }
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn each_dialect_gets_its_query() {
    for dialect in DIALECTS {
        let q = sql("fixtures/sql/rules.toml", dialect, None);
        insta::assert_snapshot!(format!("sql_{dialect}"), q);
    }
}

#[test]
fn each_dialect_gets_its_summary_query() {
    for dialect in DIALECTS {
        let q = sql_with("fixtures/sql/rules.toml", dialect, None, &["--summary"]);
        insta::assert_snapshot!(format!("sql_summary_{dialect}"), q);
    }
}

/// With a push-count column, HYG009 is evaluated from it, and the query says the pushes
/// seen across snapshots are the audit's; the summary judges `pushed` and `slipping`.
#[test]
fn a_push_count_column_brings_serial_slippage_into_sql() {
    let q = sql(
        "fixtures/hygiene/rules.toml",
        "duckdb",
        Some("fixtures/hygiene/risk.csv"),
    );
    let lines: Vec<&str> = q.lines().collect();
    assert!(lines[1].contains(" HYG009 "), "{}", lines[1]);
    assert_eq!(
        lines[2],
        "-- HYG009 counts the pushes the push-count column states; pushes seen across snapshots need pipelint audit --history"
    );
    assert!(!lines[3].contains("HYG009"), "{}", lines[3]);
    let s = sql_with(
        "fixtures/hygiene/rules.toml",
        "duckdb",
        Some("fixtures/hygiene/risk.csv"),
        &["--summary"],
    );
    assert_eq!(
        s.lines().nth(1),
        Some(
            "-- rows: one per deal, then per owner, per stage and for all deals (scope); signals judged: overdue stale stage_aged exit_criteria forecast_mismatch no_next_step pushed slipping no_close_date"
        )
    );
    // Without one, HYG009 is left to the audit, saying what it needs.
    let q = sql("fixtures/sql/rules.toml", "duckdb", None);
    assert!(
        q.contains("HYG009 (needs a push-count column, a previous snapshot or the stored history)"),
        "{q}"
    );
}

/// What the query says it evaluates, and what it leaves to `pipelint audit`, with why.
#[test]
fn the_opening_comment_names_what_is_and_is_not_evaluated() {
    let q = sql("fixtures/sql/rules.toml", "duckdb", None);
    let lines: Vec<&str> = q.lines().collect();
    assert_eq!(
        lines[1],
        "-- evaluated: DUP001 DUP002 HYG001 HYG002 HYG003 HYG004 HYG005 HYG006 HYG007 HYG008 HYG010 HYG011 HYG012 REQ001 REQ002 REQ003 RUL001 VAL001 VAL002 VAL003 VAL004 VAL005 VAL006"
    );
    // Placeholder dates are read as missing in SQL too; the note about them is the audit's.
    assert!(
        lines[2].contains("VAL007 (a note on the whole file"),
        "{}",
        lines[2]
    );
    assert!(lines[2].starts_with("-- not evaluated: "), "{}", lines[2]);
    for code in ["IN001", "IN002", "IN006", "CHG001", "CHG005", "HYG009"] {
        assert!(
            lines[2].contains(&format!("{code} (")),
            "{code} in {}",
            lines[2]
        );
    }
    // The checks' own rules file compares an amount in a rule's `when`: amounts are read
    // as the engine reads them, so the requirements compile too.
    let q = sql("fixtures/checks/rules.toml", "duckdb", None);
    assert!(
        q.lines().nth(1).is_some_and(|l| l.contains("REQ003")),
        "{q}"
    );
}

/// `[input] owners` reaches the warehouse: every dialect's `--summary` compiles the lookup
/// into a `pl_owners` table (BigQuery has no `VALUES` table: an array of structs) and shows
/// the owners it names by name, keyed as the audit keys them (an 18-character Salesforce id
/// by its first 15 characters); the findings query, which names no owner, is unchanged.
/// tests/sql_engines.rs runs it on DuckDB and PostgreSQL against the audit.
#[test]
fn the_owners_lookup_is_compiled_into_the_summary() {
    let rules = "fixtures/traps/sf_org_dump.toml";
    let like = Some("fixtures/traps/sf_org_dump.csv");
    for dialect in DIALECTS {
        let s = sql_with(rules, dialect, like, &["--summary"]);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(
            lines[3],
            "-- owners: ids named by the owners lookup fixtures/traps/sf_users.csv ([input] \
             owners) are shown by name, as in pipelint audit; other owners as written",
            "{dialect}"
        );
        let pairs = if dialect == "bigquery" {
            "pl_owners AS (\n  SELECT * FROM UNNEST(ARRAY<STRUCT<pl_owner_key STRING, \
             pl_owner_mapped STRING>>[\n    ('00546000001l1cJ', 'Priya Raman'),\n    \
             ('00546000001l1cK', 'Dana Whitfield'),\n    ('00546000001l1cL', 'Marcus \
             Oyelaran')\n  ])\n),\n"
        } else {
            "pl_owners AS (\n  SELECT * FROM (VALUES\n    ('00546000001l1cJ', 'Priya Raman'),\n    \
             ('00546000001l1cK', 'Dana Whitfield'),\n    ('00546000001l1cL', 'Marcus \
             Oyelaran')\n  ) AS pl_values (pl_owner_key, pl_owner_mapped)\n),\n"
        };
        assert!(s.contains(pairs), "{dialect}:\n{s}");
        assert!(
            s.contains("THEN SUBSTR(pl_owner, 1, 15) ELSE pl_owner END\n"),
            "{dialect}:\n{s}"
        );
        assert!(
            s.contains("ELSE COALESCE(pl_owners.pl_owner_mapped, pl_owner) END AS pl_owner_name"),
            "{dialect}:\n{s}"
        );
        assert_eq!(statements(&s, dialect).len(), 1, "{dialect}");
        let q = sql(rules, dialect, like);
        assert!(!q.contains("pl_owners"), "{dialect}:\n{q}");
        assert!(
            q.lines().nth(2).is_some_and(|l| l.contains(
                "IN014 (a note on the whole file: only pipelint audit counts the owners that \
                 are user ids (--summary shows the ids [input] owners names by name, as the \
                 audit does))"
            )),
            "{dialect}:\n{q}"
        );
    }
}

/// The statements of `query` outside quotes and comments, split on `;`, with quoted
/// identifiers and literals read as `dialect` reads them.
fn statements(query: &str, dialect: &str) -> Vec<String> {
    // Snowflake and BigQuery read backslash escapes in literals and BigQuery in backticks;
    // Spark in literals only (a backtick inside backticks is doubled).
    let backslashes = matches!(dialect, "snowflake" | "bigquery" | "spark");
    let mut out = vec![String::new()];
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '\'' | '"' | '`' => {
                let close = c;
                let mut closed = false;
                while let Some(c) = chars.next() {
                    if c == '\\'
                        && backslashes
                        && close != '"'
                        && !(dialect == "spark" && close == '`')
                    {
                        chars.next();
                        continue;
                    }
                    if c == close {
                        if chars.peek() == Some(&close) && !(backslashes && close == '\'') {
                            chars.next();
                            continue;
                        }
                        closed = true;
                        break;
                    }
                }
                assert!(closed, "an unclosed {close} in {dialect}:\n{query}");
                out.last_mut().expect("one").push('_');
            }
            ';' => out.push(String::new()),
            c => out.last_mut().expect("one").push(c),
        }
    }
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

#[test]
fn hostile_headers_and_values_stay_inside_their_quotes() {
    for dialect in DIALECTS {
        for more in [&[][..], &["--summary"][..]] {
            let q = sql_with(
                "fixtures/sql/hostile.toml",
                dialect,
                Some("fixtures/sql/hostile.csv"),
                more,
            );
            let statements = statements(&q, dialect);
            assert_eq!(statements.len(), 1, "{dialect} {more:?}: {statements:#?}");
            let s = &statements[0];
            assert!(
                s.trim_start().starts_with("WITH"),
                "{dialect} {more:?}: {s}"
            );
            assert!(
                !s.to_uppercase().contains("DROP"),
                "{dialect} {more:?}: {s}"
            );
        }
    }
    // The header is one quoted identifier, as each dialect escapes it.
    let q = sql(
        "fixtures/sql/hostile.toml",
        "duckdb",
        Some("fixtures/sql/hostile.csv"),
    );
    assert!(q.contains(r#""x""; DROP TABLE deals; --""#), "{q}");
    let q = sql(
        "fixtures/sql/hostile.toml",
        "bigquery",
        Some("fixtures/sql/hostile.csv"),
    );
    assert!(q.contains(r#"`x"; DROP TABLE deals; --`"#), "{q}");
    assert!(q.contains(r"'it\'s'"), "{q}");
    let q = sql(
        "fixtures/sql/hostile.toml",
        "spark",
        Some("fixtures/sql/hostile.csv"),
    );
    assert!(q.contains(r#"`x"; DROP TABLE deals; --`"#), "{q}");
    assert!(q.contains(r"'it\'s'"), "{q}");
}

#[test]
fn the_tokenizer_would_see_a_second_statement() {
    // The check above can fail: a quote left unescaped ends the literal, and what follows
    // runs as a statement of its own.
    let broken = "SELECT 'it'; DROP TABLE deals; SELECT '1'";
    assert!(statements(broken, "duckdb").len() > 1);
}

#[test]
fn an_auto_preset_without_an_export_is_explained() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = common::temp_file(&dir, "auto.toml", "[input]\npreset = \"auto\"\n");
    let r = run(pipelint().args(["sql", "-r", &rules, "--dialect", "duckdb", "--as-of", AS_OF]));
    common::assert_exit_2(&r, "--like FILE");
}

/// examples/dbt's models are what `pipelint sql` (and `--summary`) writes today for its
/// rules, for both of its adapters: the Spark query and the DuckDB one, picked by the
/// target's type (examples/dbt/generate.sh writes them).
#[test]
fn the_dbt_example_models_are_current() {
    for (model, more) in [
        ("pipelint_findings", &[][..]),
        ("pipelint_summary", &["--summary"][..]),
    ] {
        let query = |dialect: &str| {
            let r = run(pipelint()
                .current_dir("examples/dbt")
                .args([
                    "sql",
                    "-r",
                    "pipelint.toml",
                    "--dialect",
                    dialect,
                    "--table",
                    "{{ ref('opportunities') }}",
                ])
                .args(more));
            assert_eq!(r.code, 0, "{}", r.stderr);
            r.stdout.replace(";\n", "\n")
        };
        let path = format!("examples/dbt/models/{model}.sql");
        let text = std::fs::read_to_string(&path).expect("model");
        let generated: String = text.lines().skip(2).map(|l| format!("{l}\n")).collect();
        assert_eq!(
            generated,
            format!(
                "{{% if target.type == 'spark' %}}\n{}{{% else %}}\n{}{{% endif %}}\n",
                query("spark"),
                query("duckdb")
            ),
            "regenerate {path} with examples/dbt/generate.sh (see examples/dbt/README.md)"
        );
        assert!(
            text.contains("FROM {{ ref('opportunities') }} CROSS JOIN"),
            "{text}"
        );
    }
}

/// A warehouse that typed its columns (DATE, BIGINT) gets the findings (and the summary) a
/// text table gets: typed values are read through their text, which the engine's formats
/// read.
#[test]
fn typed_columns_give_the_findings_text_columns_give() {
    let script = r#"
import sys, duckdb
q = sys.stdin.read()
con = duckdb.connect()
con.execute("CREATE TABLE text_t AS SELECT * FROM read_csv('fixtures/hygiene/risk.csv', all_varchar = true, header = true)")
con.execute("CREATE TABLE typed_t AS SELECT * FROM read_csv('fixtures/hygiene/risk.csv', header = true)")
kinds = {t for _, t, *rest in con.execute("DESCRIBE typed_t").fetchall()}
assert "DATE" in kinds and "BIGINT" in kinds, kinds
text = sorted(con.execute(q.replace('"deals"', 'text_t')).fetchall())
typed = sorted(con.execute(q.replace('"deals"', 'typed_t')).fetchall())
assert len(text) >= 5 and text == typed, (text, typed)
print(len(text))
"#;
    let probe = std::process::Command::new("python3")
        .args(["-c", "import duckdb"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var_os("PIPELINT_REQUIRE_SQL_ENGINES").is_none(),
            "DuckDB's Python package is required here (pip install -r tests/sql/requirements.txt)"
        );
        eprintln!("skipped: no duckdb Python package");
        return;
    }
    for more in [&[][..], &["--summary"][..]] {
        let query = sql_with(
            "fixtures/hygiene/rules.toml",
            "duckdb",
            Some("fixtures/hygiene/risk.csv"),
            more,
        );
        typed_equals_text(script, &query);
    }
}

/// Run `script` with `query` on its standard input; it must succeed.
fn typed_equals_text(script: &str, query: &str) {
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(query.as_bytes())
        .expect("query to python");
    let out = child.wait_with_output().expect("python3 ran");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
