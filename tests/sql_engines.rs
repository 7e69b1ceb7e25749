//! The SQL that `pipelint sql` writes, run on real engines: every fixture export and every file
//! in `../shared/realworld/` is loaded into DuckDB and PostgreSQL by
//! `tests/sql/load_and_query.py`, the generated query runs there, and its findings must be the
//! ones `pipelint audit` reports for the same file and rules: the same multiset of (code,
//! record id, field, severity, line), for the codes the query's `-- evaluated:` line names.
//! Every code the audit reports must be named on that line or on `-- not evaluated:`, so no
//! check is dropped silently. The `--summary` query of the same case must return the audit's
//! figures: every deal's completeness, risk score, band, signals, owner, stage, amount and
//! currency, and every owner's, stage's and the overall records, open deals, completeness,
//! risk bands and open amount (`sql_engines/summary.rs`).
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

#[path = "sql_engines/cases.rs"]
mod cases;
mod common;
#[path = "sql_engines/findings.rs"]
mod findings;
#[path = "sql_engines/loader.rs"]
mod loader;
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

use cases::*;
use findings::*;
use loader::*;

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

/// Stages named like placeholders (`None`, and `Pending` listed in `[input] empty_values`):
/// the audit reads such a cell as missing, as the guide says of every placeholder, and the
/// query matched it to the stage of that name (an extra REQ002, another stage in the
/// summary). Both now read it as missing; an alias that is no placeholder still matches.
#[test]
fn a_stage_named_like_a_placeholder_matches_the_engine_on_every_sql_engine() {
    assert_same_findings(&[Case {
        csv: PathBuf::from("fixtures/sql/placeholder_stage.csv"),
        rules: Rules::File(PathBuf::from("fixtures/sql/placeholder_stage.toml")),
    }]);
}

#[test]
fn trap_fixtures_match_the_engine_on_every_sql_engine() {
    assert_same_findings(&trap_fixtures());
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

/// A query by hand over the hostile header, its names quoted as `engine` quotes them.
fn hostile_query(engine: Engine) -> String {
    format!(
        "-- pipelint sql: by hand\n\
         SELECT id, {} AS v, {} AS note, pipelint_line \
         FROM deals -- a comment at the end\n",
        engine.quote("x\"; DROP TABLE deals; --"),
        engine.quote("Note")
    )
}

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
    for &engine in engines {
        std::fs::write(&query, hostile_query(engine)).expect("write");
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
                why.contains("one SELECT") || why.to_lowercase().contains("syntax error"),
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
            // Postgres and Spark (case-sensitive here) tell `Amount` from `amount`.
            if matches!(engine, Engine::Postgres | Engine::Spark) && needle == "columns 2 and 3" {
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
    let csv = PathBuf::from("fixtures/checks/REQ001/export.csv");
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
             SELECT 'REQ001' AS code, 'error' AS severity, {{ref}} AS record_id, \
             'name' AS field, 'Deal' AS {{column}}, pipelint_line AS line, \
             'required field name is empty; fill it in' AS message \
             FROM deals WHERE {missing}"
        )
    };
    for &engine in engines {
        let select = |missing: &str| {
            select(missing)
                .replace("{ref}", &engine.quote("Ref"))
                .replace("{column}", &engine.quote("column"))
        };
        let deal = engine.quote("Deal");
        // Right: an empty cell is NULL or '' depending on the engine's load.
        std::fs::write(&query, select(&format!("coalesce(trim({deal}), '') = ''"))).expect("write");
        let rows = load_and_query(engine, &repo().join(&csv), &query, &Load::default())
            .unwrap_or_else(|e| panic!("{}: {e:?}", engine.name()));
        let got: Vec<Key> = rows.iter().map(|r| key_of(r).expect("a finding")).collect();
        assert_eq!(diff(&want, &got), None, "{}", engine.name());
        // Wrong: only NULL counts as missing, so the engine that loads '' misses the finding.
        std::fs::write(&query, select(&format!("{deal} IS NULL"))).expect("write");
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

/// The summary comparison can fail: a changed figure, a missing row and an extra one are
/// each named.
#[test]
fn the_summary_comparison_names_what_differs() {
    let report = serde_json::json!({
        "deals": [{"line": 2, "id": "D-1", "owner": "Ann", "stage": "Demo",
                   "stage_canonical": "Demo", "completeness": 83.3,
                   "amount": "1200.00", "currency": "EUR",
                   "risk": {"score": 30, "band": "medium",
                            "signals": [{"signal": "stale"}, {"signal": "no_next_step"}]}}],
        "pipeline": {
            "by_owner": [{"owner": "Ann", "records": 1, "open": 1, "completeness": 83.3,
                          "risk": {"high": 0, "medium": 1, "low": 0},
                          "open_amount": [{"currency": "EUR", "amount": "1200.00"}]}],
            "by_stage": []
        },
        "summary": {"records": 1, "open": 1, "completeness": 83.3,
                    "risk": {"high": 0, "medium": 1, "low": 0},
                    "open_amount": [{"currency": "EUR", "amount": "1200.00"}]}
    });
    let row = |v: Value| v.as_object().cloned().expect("an object");
    let deal = row(serde_json::json!({
        "scope": "deal", "record_id": "D-1", "line": 2, "owner": "Ann", "stage": "Demo",
        "stage_canonical": "Demo", "completeness": 83.3, "risk_score": 30, "band": "medium",
        "signals": "no_next_step,stale", "amount": 1200.0, "currency": "EUR"}));
    let all = row(serde_json::json!({
        "scope": "all", "record_id": null, "line": null, "owner": null, "stage": null,
        "records": 1, "open_deals": 1, "completeness": 83.3, "high_risk": 0, "medium_risk": 1,
        "low_risk": 0, "amount": 1200.0, "currency": "EUR"}));
    let mut owner = all.clone();
    owner.insert("scope".into(), "owner".into());
    owner.insert("owner".into(), "Ann".into());
    let want = summary::expected(&report).expect("the report reads");
    let same = summary::returned(&[deal.clone(), owner.clone(), all.clone()]).expect("rows");
    assert_eq!(summary::differences(&want, &same), None);

    let mut off = deal.clone();
    off.insert("completeness".into(), serde_json::json!(83.4));
    off.insert("signals".into(), "stale".into());
    let mut stranger = owner.clone();
    stranger.insert("owner".into(), "Zed".into());
    let got = summary::returned(&[off, stranger, all]).expect("rows");
    let d = summary::differences(&want, &got).expect("a difference");
    assert!(
        d.contains("deal 2: completeness is 834 in SQL, 833 in the audit"),
        "{d}"
    );
    assert!(
        d.contains("deal 2: signals is \"stale\" in SQL, \"no_next_step,stale\" in the audit"),
        "{d}"
    );
    assert!(d.contains("missing in SQL: owner \"Ann\""), "{d}");
    assert!(d.contains("extra in SQL: owner \"Zed\""), "{d}");
}

/// On Spark itself: the rows the compiled queries return for the REQ002 fixture equal the
/// audit's, and the comparison fails on each kind of difference a broken query would make
/// (a changed figure, a missing row, an extra row), so a Spark run that passes means
/// something.
#[test]
fn the_spark_comparison_fails_on_a_changed_figure_a_missing_row_and_an_extra_row() {
    if !engines().contains(&Engine::Spark) || !has_sql_command() {
        return;
    }
    let case = Case {
        csv: PathBuf::from("fixtures/checks/REQ002/export.csv"),
        rules: Rules::File(PathBuf::from("fixtures/checks/REQ002/rules.toml")),
    };
    let p = prepare(&case).unwrap_or_else(|o| panic!("{o:?}"));
    let query = |more: &[&str], name: &str| {
        let r = compile(Engine::Spark, &case, &p.rules, more);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let path = p.dir.path().join(name);
        std::fs::write(&path, &r.stdout).expect("write");
        load_and_query(Engine::Spark, &repo().join(&case.csv), &path, &p.load())
            .unwrap_or_else(|e| panic!("spark: {e:?}"))
    };

    let rows = query(&[], "findings.sql");
    let found: Vec<Key> = rows.iter().map(|r| key_of(r).expect("a finding")).collect();
    assert_eq!(diff(&p.audited.findings, &found), None);
    assert!(!found.is_empty(), "{found:?}");
    // The first finding dropped, and a copy of it on another line added.
    let mut broken = found.clone();
    let dropped = broken.remove(0);
    let mut added = dropped.clone();
    added.4 = Some(9999);
    broken.push(added);
    let d = diff(&p.audited.findings, &broken).expect("a difference");
    assert!(
        d.contains("missing in SQL") && d.contains(&show(&dropped)),
        "{d}"
    );
    assert!(d.contains("extra in SQL") && d.contains("line 9999"), "{d}");

    let rows = query(&["--summary"], "summary.sql");
    let want = summary::expected(&p.audited.report).expect("the report");
    assert_eq!(
        summary::differences(&want, &summary::returned(&rows).expect("rows")),
        None
    );
    let deal = rows
        .iter()
        .position(|r| r["scope"] == "deal")
        .expect("a deal row");
    let mut changed = rows.clone();
    let was = changed[deal]["completeness"]
        .as_f64()
        .expect("completeness");
    changed[deal].insert("completeness".into(), serde_json::json!(was - 10.0));
    let d = summary::differences(&want, &summary::returned(&changed).expect("rows"))
        .expect("a changed figure");
    assert!(d.contains("completeness is"), "{d}");
    let mut fewer = rows.clone();
    fewer.remove(deal);
    let d = summary::differences(&want, &summary::returned(&fewer).expect("rows"))
        .expect("a missing row");
    assert!(d.contains("missing in SQL"), "{d}");
    let mut more = rows.clone();
    let mut stranger = rows[deal].clone();
    stranger.insert("line".into(), serde_json::json!(9999));
    stranger.insert("record_id".into(), "X-9999".into());
    more.push(stranger);
    let d = summary::differences(&want, &summary::returned(&more).expect("rows"))
        .expect("an extra row");
    assert!(d.contains("extra in SQL"), "{d}");
}

/// Without `--line-column`, which record of a duplicate pair is "the later" follows the
/// order the query states (created date, then id, then the other cells), never the order
/// the warehouse happens to return rows in: the same table loaded forwards and backwards
/// gives the same findings, on every engine. The DUP002 fixture's pair, H-1 (created
/// 2026-11-01) and H-2 (created 2026-11-02), names H-2 both ways; with equal created dates
/// the id decides, and H-2 is still the later.
#[test]
fn without_a_line_column_duplicates_follow_the_stated_order_whatever_the_row_order() {
    let engines = engines();
    if engines.is_empty() || !has_sql_command() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let original = std::fs::read_to_string(repo().join("fixtures/checks/DUP002/export.csv"))
        .expect("read the fixture");
    let same_day = original.replacen(
        "ACME corp.,Ben,Lead,5000,2026-11-02",
        "ACME corp.,Ben,Lead,5000,2026-11-01",
        1,
    );
    assert_ne!(
        same_day, original,
        "the fixture changed: H-2's created date"
    );
    for (name, text) in [("created", &original), ("same_day", &same_day)] {
        let mut lines: Vec<&str> = text.lines().collect();
        let forwards = dir.path().join(format!("{name}_forwards.csv"));
        std::fs::write(&forwards, lines.join("\n") + "\n").expect("write");
        lines[1..].reverse();
        let backwards = dir.path().join(format!("{name}_backwards.csv"));
        std::fs::write(&backwards, lines.join("\n") + "\n").expect("write");
        for &engine in engines {
            let compiled = run(pipelint().current_dir(repo()).args([
                "sql",
                "--dialect",
                engine.name(),
                "--table",
                "deals",
                "--as-of",
                AS_OF,
                "-r",
                "fixtures/checks/DUP002/rules.toml",
                "--like",
                "fixtures/checks/DUP002/export.csv",
            ]));
            assert_eq!(compiled.code, 0, "{}", compiled.stderr);
            let query = dir.path().join(format!("{}.sql", engine.name()));
            std::fs::write(&query, &compiled.stdout).expect("write");
            let found = |csv: &Path| -> Vec<String> {
                let rows = load_and_query(engine, csv, &query, &Load::default())
                    .unwrap_or_else(|e| panic!("{}: {e:?}", engine.name()));
                let mut found: Vec<String> = rows
                    .iter()
                    .map(|r| {
                        let get = |k: &str| r.get(k).map_or("null".to_string(), Value::to_string);
                        format!("{} {} {}", get("code"), get("record_id"), get("message"))
                    })
                    .collect();
                found.sort();
                found
            };
            let (there, back) = (found(&forwards), found(&backwards));
            assert_eq!(there, back, "{} on {name}", engine.name());
            let dup002: Vec<&String> = there.iter().filter(|f| f.contains("DUP002")).collect();
            assert_eq!(
                dup002,
                [&r#""DUP002" "H-2" "probably the same deal as an earlier record of ACME corp.""#
                    .to_string()],
                "{} on {name}",
                engine.name()
            );
        }
    }
}
