//! Ground truth on any export: the headline never states a number it cannot stand behind.
//! On every fixture and every real export, open + closed + unknown-stage deals = records;
//! the data-trap exports (fixtures/traps, made by fixtures/traps/make.py) draft rules that
//! check and audit, with the trap named instead of trusted.

mod common;

use std::path::{Path, PathBuf};

use common::{AS_OF, pipelint, run, temp_file};

/// Every CSV under `dir` (one level of subdirectories too), sorted.
fn csvs(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        // A link is another name for a file listed where it lives (fixtures/checks/IN007/).
        if p.is_symlink() {
            continue;
        }
        if p.is_dir() {
            out.extend(csvs(p.to_str().unwrap_or_default()));
        } else if p.extension().is_some_and(|x| x == "csv") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The audit's JSON with `args`, or `None` when it refused (exit 2) with its reason.
fn audit_json(file: &Path, args: &[&str]) -> Result<serde_json::Value, String> {
    let f = file.to_str().expect("utf-8 path");
    let r = run(pipelint()
        .args(["audit", f, "--as-of", AS_OF, "-f", "json"])
        .args(args));
    match r.code {
        0 | 1 => serde_json::from_str(&r.stdout).map_err(|e| format!("{f}: {e}")),
        _ => Err(r.stderr),
    }
}

/// The rules `init --from FILE` drafts (asserting it ran).
fn draft(file: &Path) -> String {
    let r = run(pipelint().args(["init", "--from", file.to_str().expect("utf-8")]));
    assert_eq!(r.code, 0, "{}: {}", file.display(), r.stderr);
    r.stdout
}

/// The summary's standing counts: (records, open, closed, unknown-stage).
fn standing(report: &serde_json::Value) -> [u64; 4] {
    let s = &report["summary"];
    let n = |v: &serde_json::Value| v.as_u64().unwrap_or(u64::MAX);
    [
        n(&s["records"]),
        n(&s["open"]),
        n(&s["closed"]),
        n(&s["unknown_stage"]["deals"]),
    ]
}

/// Fixture exports audited with rules of their own, beside them or for their directory.
fn own_rules(file: &Path) -> Option<String> {
    let beside = file.with_extension("toml");
    if beside.is_file() {
        return beside.to_str().map(str::to_string);
    }
    let dir = file.parent()?.join("rules.toml");
    dir.is_file()
        .then(|| dir.to_str().map(str::to_string))
        .flatten()
}

#[test]
fn open_closed_and_unknown_stage_deals_add_up_to_the_records_everywhere() {
    let realworld = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld");
    let mut files: Vec<PathBuf> = csvs("fixtures");
    let real = csvs(realworld.to_str().expect("utf-8"));
    assert!(
        real.len() >= 6,
        "the real exports must be beside the repository"
    );
    files.extend(real);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut audited = 0;
    for file in files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        if file.to_str().is_some_and(|f| f.contains("quotas")) {
            continue;
        }
        // Its own rules, else the preset it fits, else (a guess refused with advice, or no
        // preset) rules drafted from it.
        let report = match own_rules(&file) {
            Some(rules) => audit_json(&file, &["-r", &rules]),
            None => audit_json(&file, &[]),
        };
        // Only the dump has no header row: no real export's header reads as data.
        if let Err(why) = &report {
            assert!(
                !why.contains("IN007") || name == "vtiger_dump.csv",
                "{}: {why}",
                file.display()
            );
        }
        let report = match report {
            Ok(r) => r,
            Err(why)
                if !why.contains("IN009")
                    && (why.contains("is only a guess") || why.contains("init --from")) =>
            {
                let rules = temp_file(&dir, &format!("{name}.toml"), draft(&file));
                match audit_json(&file, &["-r", &rules]) {
                    Ok(r) => r,
                    // A history export: refused as such with its own rules too.
                    Err(why) if why.contains("IN009") => continue,
                    Err(why) => panic!("{}: {why}", file.display()),
                }
            }
            Err(why) => {
                // Refused for a reason of the input's own (a mapped column missing, history
                // rows, an unreadable file): a fixture made to be refused.
                assert!(
                    why.contains("IN001")
                        || why.contains("IN009")
                        || why.contains("never ends")
                        || why.contains("empty"),
                    "{}: {why}",
                    file.display()
                );
                continue;
            }
        };
        let [records, open, closed, unknown] = standing(&report);
        assert_eq!(
            open + closed + unknown,
            records,
            "{}: open {open} + closed {closed} + unknown {unknown}",
            file.display()
        );
        audited += 1;
    }
    assert!(audited >= 80, "only {audited} exports audited");
}

/// The trap exports: each draft checks and audits, and its drafted rules are snapshotted.
#[test]
fn every_trap_export_drafts_rules_that_check_and_audit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut names = Vec::new();
    for file in csvs("fixtures/traps") {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        if [
            "sf_users.csv",
            "stage_history.csv",
            "opportunity_history.csv",
        ]
        .contains(&name)
        {
            continue;
        }
        let text = draft(&file);
        let rules = temp_file(&dir, &format!("{name}.toml"), &text);
        let check = run(pipelint().args(["rules", "check", &rules]));
        assert_eq!(check.code, 0, "{name}: {}\n{text}", check.stderr);
        let report = audit_json(&file, &["-r", &rules]).unwrap_or_else(|e| panic!("{name}: {e}"));
        let [records, open, closed, unknown] = standing(&report);
        assert_eq!(open + closed + unknown, records, "{name}");
        // The first lines name the command and the file's path: the rest is the draft.
        let body: String = text.lines().skip(2).collect::<Vec<_>>().join("\n");
        let snapshot = file
            .strip_prefix("fixtures/traps")
            .unwrap_or(&file)
            .to_string_lossy()
            .replace(['/', '.'], "_");
        insta::assert_snapshot!(format!("trap_draft_{snapshot}"), body);
        names.push(name.to_string());
    }
    assert!(names.len() >= 11, "{names:?}");
}

/// A file of lost deals with no stage column: no stage is drafted (a 600-character
/// Description is no stage), and the audit says the open pipeline was not judged instead of
/// "19 open deals, 0 findings".
#[test]
fn a_file_without_a_stage_column_is_not_judged_open() {
    let file = Path::new("fixtures/traps/no_stage_column.csv");
    let text = draft(file);
    assert!(
        text.contains("#   [low] no stage column:"),
        "the CHECK list says why\n{text}"
    );
    let doc: toml::Table = toml::from_str(&text).expect("TOML");
    assert!(doc["columns"].get("stage").is_none(), "{text}");
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = temp_file(&dir, "r.toml", &text);
    let table = run(pipelint().args([
        "audit",
        "fixtures/traps/no_stage_column.csv",
        "-r",
        &rules,
        "--as-of",
        AS_OF,
    ]));
    assert!(
        table.stdout.contains(
            "Open deals    not judged: no stage or status tells which of the 20 deals are open"
        ),
        "{}",
        table.stdout
    );
    let report = audit_json(file, &["-r", &rules]).expect("audits");
    assert_eq!(standing(&report), [20, 0, 0, 20]);
}

/// Type (Renewal, Evaluation, New Business) is never the stage beside StageName; the
/// European report's 31.12.3999 close dates are read as missing (VAL007), never as a date
/// 721,158 days out.
#[test]
fn stagename_beats_type_and_placeholder_dates_are_missing() {
    let file = Path::new("fixtures/traps/type_and_stagename.csv");
    let text = draft(file);
    let doc: toml::Table = toml::from_str(&text).expect("TOML");
    assert_eq!(
        doc["columns"]["stage"].as_str(),
        Some("StageName"),
        "{text}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = temp_file(&dir, "r.toml", &text);
    let report = audit_json(file, &["-r", &rules]).expect("audits");
    let codes: Vec<(&str, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or(""),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert!(codes.contains(&("VAL007", 5)), "{codes:?}");
    assert!(!codes.iter().any(|(c, _)| *c == "HYG008"), "{codes:?}");
}

/// A Zoho export: Forecast Type is the outcome, so the 18 deals in stages the preset does
/// not know whose Forecast Type says Open are open, and the 2 it closed are closed.
#[test]
fn zoho_forecast_type_counts_deals_in_unknown_stages() {
    let report =
        audit_json(Path::new("fixtures/traps/zoho_forecast_type.csv"), &[]).expect("audits");
    assert_eq!(report["rules"]["preset"], "zoho");
    assert_eq!(standing(&report), [50, 38, 12, 0]);
    let by_stage = &report["summary"]["unknown_stage"]["by_stage"];
    assert_eq!(by_stage[0]["stage"], "Initial Offer");
    assert_eq!(
        (
            &by_stage[0]["deals"],
            &by_stage[0]["open"],
            &by_stage[0]["closed"]
        ),
        (&12.into(), &10.into(), &2.into())
    );
}

/// A Salesforce org dump: LastActivityDate empty on every row is left out (IN010, not "no
/// activity recorded" on every open deal); CreatedDate, the load time on every row, is
/// compared with nothing (IN011, not 30 "close date before created date" errors).
#[test]
fn an_org_dump_names_its_empty_and_load_time_columns() {
    let report = audit_json(Path::new("fixtures/traps/sf_org_dump.csv"), &[]).expect("audits");
    let found: Vec<(String, Option<String>)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["field"].as_str().map(str::to_string),
            )
        })
        .collect();
    let count = |code: &str| found.iter().filter(|(c, _)| c == code).count();
    assert_eq!(count("IN010"), 1, "{found:?}");
    assert_eq!(count("IN011"), 1, "{found:?}");
    assert_eq!(count("HYG002"), 0, "{found:?}");
    assert_eq!(count("HYG007"), 0, "{found:?}");
    assert!(found.contains(&("IN010".into(), Some("last_activity".into()))));
    assert!(found.contains(&("IN011".into(), Some("created_date".into()))));
    assert_eq!(standing(&report), [43, 13, 30, 0]);
}

/// A 2018 export audited without --as-of: the as-of line and standard error say the newest
/// date in the export is years before today, and IN013 names it once.
#[test]
fn as_of_far_from_the_data_is_said() {
    let r = run(pipelint().args(["audit", "fixtures/traps/old_2018.csv", "-f", "json"]));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the newest date in the export is 2018-09-15"),
        "{}",
        r.stderr
    );
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert!(
        report["as_of_note"]
            .as_str()
            .is_some_and(|n| n.contains("pass --as-of")),
        "{report}"
    );
    let in013 = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "IN013")
        .count();
    assert_eq!(in013, 1);
    // With --as-of, nothing is said.
    let given = audit_json(Path::new("fixtures/traps/old_2018.csv"), &[]).expect("audits");
    assert!(given.get("as_of_note").is_none());
}

/// A preset guess under 70% stops with advice instead of one identical unknown-stage error
/// per deal.
#[test]
fn a_low_confidence_preset_guess_stops_with_advice() {
    let r = run(pipelint().args([
        "audit",
        "fixtures/traps/low_confidence.csv",
        "--as-of",
        AS_OF,
    ]));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("is only a guess")
            && r.stderr.contains("--preset salesforce")
            && r.stderr
                .contains("init --from fixtures/traps/low_confidence.csv"),
        "{}",
        r.stderr
    );
    let forced = run(pipelint().args([
        "audit",
        "fixtures/traps/low_confidence.csv",
        "--preset",
        "salesforce",
        "--as-of",
        AS_OF,
    ]));
    assert!(forced.code == 0 || forced.code == 1, "{}", forced.stderr);
}

/// Weekly snapshots of stages no word orders (metals) are ordered by the moves deals made;
/// an opportunity-history export orders them the same.
#[test]
fn stages_are_ordered_by_the_moves_deals_made() {
    let names = |text: &str| -> Vec<String> {
        let doc: toml::Table = toml::from_str(text).expect("TOML");
        doc["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .map(|s| s["name"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let weekly = run(pipelint().args([
        "init",
        "--from",
        "fixtures/traps/weekly/W1.csv",
        "fixtures/traps/weekly/W2.csv",
        "fixtures/traps/weekly/W3.csv",
    ]));
    assert_eq!(weekly.code, 0, "{}", weekly.stderr);
    let order = ["Bronze", "Silver", "Gold", "Platinum", "Signed", "Dropped"];
    assert_eq!(names(&weekly.stdout), order, "{}", weekly.stdout);
    assert!(
        weekly
            .stdout
            .contains("ordered by the moves deals made in 3 snapshots")
    );
    let history = run(pipelint().args([
        "init",
        "--from",
        "fixtures/traps/weekly/W3.csv",
        "--stage-history",
        "fixtures/traps/stage_history.csv",
    ]));
    assert_eq!(history.code, 0, "{}", history.stderr);
    assert_eq!(names(&history.stdout), order, "{}", history.stdout);
}

/// An opportunity-history export (two rows per deal) is refused as history rows, pointing
/// to --stage-history, instead of being audited as 62 deals "at confidence 100%".
#[test]
fn history_rows_are_refused_as_deals() {
    let r = run(pipelint().args([
        "audit",
        "fixtures/traps/opportunity_history.csv",
        "--as-of",
        AS_OF,
    ]));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("these are history rows, not one row per deal (IN009): 31 ids on 62 rows")
            && r.stderr
                .contains("--stage-history fixtures/traps/opportunity_history.csv"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "");
}

/// The IN014 findings of a report: (file, line, field, column, message).
fn in014(report: &serde_json::Value) -> Vec<[String; 5]> {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "IN014")
        .map(|f| {
            assert_eq!(f["severity"], "info", "{f}");
            [
                text(&f["file"]),
                text(&f["line"]),
                text(&f["field"]),
                text(&f["column"]),
                text(&f["message"]),
            ]
        })
        .collect()
}

/// A Salesforce org dump whose owners are user ids (`00546000001l1cJAAQ`): one IN014 for the
/// file, on its header line, naming the column, how many owners are ids, one of them and
/// `[input] owners`, instead of a pipeline by owner nobody can read silently.
#[test]
fn an_org_dump_names_its_owner_ids_once() {
    let report = audit_json(
        Path::new("fixtures/traps/sf_org_dump.csv"),
        &["--preset", "salesforce"],
    )
    .expect("audits");
    assert_eq!(
        in014(&report),
        vec![[
            "fixtures/traps/sf_org_dump.csv".to_string(),
            "1".to_string(),
            "owner".to_string(),
            "OwnerId".to_string(),
            "owner (OwnerId) holds user ids, not names: 3 owners (such as \
             `00546000001l1cJAAQ`), shown as ids in every table and owner list; map them to \
             names with [input] owners = \"users.csv\" (a CSV of id and name, such as \
             Salesforce's User export Id,Name)"
                .to_string(),
        ]]
    );
}

/// With `[input] owners = "sf_users.csv"` (Salesforce's User export, beside the rules file)
/// every deal, owner figure, win rate and owner list shows the person, and IN014 is not
/// raised: the lookup names every owner.
#[test]
fn owner_ids_are_shown_as_names_with_an_owners_lookup() {
    let names = ["Dana Whitfield", "Marcus Oyelaran", "Priya Raman"];
    let file = Path::new("fixtures/traps/sf_org_dump.csv");
    let rules = ["-r", "fixtures/traps/sf_org_dump.toml"];
    let report = audit_json(file, &rules).expect("audits");
    assert_eq!(in014(&report), Vec::<[String; 5]>::new());
    let mut deal_owners: Vec<&str> = report["deals"]
        .as_array()
        .expect("deals")
        .iter()
        .map(|d| d["owner"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(deal_owners.len(), 43);
    deal_owners.sort_unstable();
    deal_owners.dedup();
    assert_eq!(deal_owners, names);
    let mut by_owner: Vec<(&str, u64)> = report["pipeline"]["by_owner"]
        .as_array()
        .expect("by_owner")
        .iter()
        .map(|o| {
            (
                o["owner"].as_str().unwrap_or("?"),
                o["records"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    by_owner.sort_unstable();
    assert_eq!(
        by_owner,
        vec![
            ("Dana Whitfield", 14),
            ("Marcus Oyelaran", 14),
            ("Priya Raman", 15)
        ]
    );
    // The table, and the owner lists (only owners with deals needing action have one).
    let dir = tempfile::tempdir().expect("tempdir");
    let lists = dir.path().join("owners");
    let table = run(pipelint()
        .args(["audit", "fixtures/traps/sf_org_dump.csv", "--as-of", AS_OF])
        .args(rules)
        .arg("--report")
        .arg(format!("owners={}", lists.display())));
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        !table.stdout.contains("00546000001l1c"),
        "an id is still shown:\n{}",
        table.stdout
    );
    for name in names {
        assert!(table.stdout.contains(name), "{name}:\n{}", table.stdout);
    }
    let index = std::fs::read_to_string(lists.join("index.md")).expect("index.md");
    assert!(
        index.contains("| [Dana Whitfield](dana-whitfield.md) | 1 | 0 | - |")
            && index.contains("| [Marcus Oyelaran](marcus-oyelaran.md) | 2 | 0 | - |"),
        "{index}"
    );
    assert!(lists.join("marcus-oyelaran.md").is_file());
}

/// A lookup written with 15-character ids names the dump's 18-character ids of the same
/// users; the owner it lacks stays an id, and IN014 counts it and names the lookup.
#[test]
fn a_lookup_of_15_character_ids_names_18_character_owners_and_counts_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    temp_file(
        &dir,
        "users.csv",
        "Name,Username,Id\nPriya Raman,priya@example.com,00546000001l1cJ\n\
         Dana Whitfield,dana@example.com,00546000001l1cK\n",
    );
    let rules = temp_file(
        &dir,
        "r.toml",
        "[input]\npreset = \"salesforce\"\nowners = \"users.csv\"\n",
    );
    let report =
        audit_json(Path::new("fixtures/traps/sf_org_dump.csv"), &["-r", &rules]).expect("audits");
    let lookup = dir.path().join("users.csv");
    assert_eq!(
        in014(&report),
        vec![[
            "fixtures/traps/sf_org_dump.csv".to_string(),
            "1".to_string(),
            "owner".to_string(),
            "OwnerId".to_string(),
            format!(
                "owner (OwnerId) holds user ids, not names: 1 of 3 owners has no name in the \
                 owners lookup {} (`00546000001l1cLAAQ`) and is shown as an id; add it to the \
                 lookup",
                lookup.display()
            ),
        ]]
    );
    let mut owners: Vec<&str> = report["pipeline"]["by_owner"]
        .as_array()
        .expect("by_owner")
        .iter()
        .map(|o| o["owner"].as_str().unwrap_or("?"))
        .collect();
    owners.sort_unstable();
    assert_eq!(
        owners,
        ["00546000001l1cLAAQ", "Dana Whitfield", "Priya Raman"]
    );
}

/// A lookup the rules name that is missing or has no id and name columns stops the audit
/// (exit 2) at the rules file's line and column, naming the lookup and the fix.
#[test]
fn a_missing_or_malformed_owners_lookup_stops_the_audit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = temp_file(
        &dir,
        "r.toml",
        "[input]\npreset = \"salesforce\"\nowners = \"users.csv\"\n",
    );
    let shown = |p: &str| p.replace(&*dir.path().to_string_lossy(), "DIR");
    let audit = || {
        run(pipelint().args([
            "audit",
            "fixtures/traps/sf_org_dump.csv",
            "-r",
            &rules,
            "--as-of",
            AS_OF,
        ]))
    };
    let missing = audit();
    common::assert_exit_2(&missing, "users.csv");
    assert!(
        shown(&missing.stderr).starts_with(
            "error: invalid rules in DIR/r.toml:\n  DIR/r.toml:3:10: cannot read the owners \
             lookup file DIR/users.csv: "
        ) && missing
            .stderr
            .contains("write its path relative to the rules file, or as an absolute path"),
        "{}",
        missing.stderr
    );
    temp_file(&dir, "users.csv", "Id,Email,Phone\n005A,a@example.com,1\n");
    let malformed = audit();
    common::assert_exit_2(&malformed, "users.csv");
    assert_eq!(
        shown(&malformed.stderr),
        "error: invalid rules in DIR/r.toml:\n  DIR/r.toml:3:10: the owners lookup file \
         DIR/users.csv:1 has no id and name columns (looked for Id, UserId, OwnerId and Name, \
         FullName); its header is Id, Email, Phone; give it a header row such as Id,Name\n"
    );
    temp_file(
        &dir,
        "users.csv",
        "Id,Name\n00546000001l1cJAAQ,Priya Raman\n00546000001l1cK,\n",
    );
    let unnamed = audit();
    common::assert_exit_2(&unnamed, "users.csv");
    assert!(
        shown(&unnamed.stderr).contains(
            "DIR/r.toml:3:10: DIR/users.csv:3: the owners lookup has no name for \
             `00546000001l1cK` in column Name; fill it or remove the row"
        ),
        "{}",
        unnamed.stderr
    );
}

/// The rules for the MySQL dump: its columns named in order (it has no header row).
const VTIGER_RULES: &str = r#"
[input]
header = ["potentialid", "potential_no", "potentialname", "related_to", "amount",
          "closingdate", "sales_stage", "probability", "assigned_to", "createdtime"]

[columns]
id = "potentialid"
name = "potentialname"
amount = "amount"
close_date = "closingdate"
stage = "sales_stage"
probability = "probability"
owner = "assigned_to"
created_date = "createdtime"

[[stages]]
name = "Fase 0"
[[stages]]
name = "Fase 1"
[[stages]]
name = "Fase 2"
[[stages]]
name = "Fase 3"
[[stages]]
name = "Fase 4"
[[stages]]
name = "Adjudicada"
outcome = "won"
[[stages]]
name = "Descartada"
outcome = "lost"
[[stages]]
name = "Perdida por licitación"
outcome = "lost"
[[stages]]
name = "Inactivo"
outcome = "lost"
"#;

/// A MySQL dump has no header row: audited as it is, its first deal would be the header. It
/// is refused (IN007) with the fix; with `[input] header` it is read whole, its first row a
/// deal on line 1, `\N` as empty and `\"` as a quote (IN008, counted: make.py writes `\N`
/// for 9 amounts (i % 11 == 0 of 94 rows), 8 close dates (i % 13 == 0) and the probability
/// of the 60 deals not in a "Fase" stage: 77 cells; and two `\"` in every deal's name: 188).
#[test]
fn a_dump_without_a_header_row_is_refused_then_read_with_its_names() {
    let dump = Path::new("fixtures/traps/vtiger_dump.csv");
    let refused = audit_json(dump, &[]).expect_err("refused");
    assert_eq!(
        refused.trim(),
        "error: fixtures/traps/vtiger_dump.csv: the first row looks like data, not a header \
         (IN007): line 1 holds a date (`2025-01-01 10:00:00`), a number (`24000`) and 3 NULLs; \
         name the columns in order with [input] header = [\"…\", …] in the rules file \
         (`pipelint init --from fixtures/traps/vtiger_dump.csv` drafts it), or export with a \
         header row"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = temp_file(&dir, "vtiger.toml", VTIGER_RULES);
    let report = audit_json(dump, &["-r", &rules]).expect("audits");
    assert_eq!(standing(&report), [94, 34, 60, 0]);
    let input = &report["inputs"][0];
    assert_eq!(input["no_header_row"], true);
    assert_eq!(input["malformed"], 0);
    assert_eq!(
        input["database_dump"],
        serde_json::json!({"null_cells": 77, "escaped_quotes": 188})
    );
    let in008: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "IN008")
        .map(|f| (f["line"].clone(), f["message"].clone()))
        .collect();
    assert_eq!(
        in008,
        vec![(
            serde_json::json!(1),
            serde_json::json!(
                "read as a database dump: `\\N` as empty (77 cells) and quotes escaped with a \
                 backslash (188)"
            )
        )]
    );
    // The first row is a deal, its name read with its quotes; a NULL amount is no amount.
    let deals = report["deals"].as_array().expect("deals");
    let first = deals
        .iter()
        .find(|d| d["line"] == 1)
        .expect("line 1 is a deal");
    assert_eq!(first["name"], "Proyecto \"Alfa\" 1");
    assert_eq!(first["amount"], serde_json::Value::Null);
    assert_eq!(first["stage"], "Descartada");

    // `escape = "\""` reads it as plain CSV, as asked: `\N` is then a value, and no IN008.
    let plain = format!("{VTIGER_RULES}\n").replacen("[input]\n", "[input]\nescape = '\"'\n", 1);
    let rules = temp_file(&dir, "plain.toml", &plain);
    let report = audit_json(dump, &["-r", &rules]).expect("audits");
    assert!(report["inputs"][0].get("database_dump").is_none());
    assert!(
        !report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["code"] == "IN008")
    );
}

/// `[input] header` and `[input] escape` are checked like every other key.
#[test]
fn header_and_escape_are_checked_in_the_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (text, says) in [
        ("[input]\nescape = \"x\"\n", "escape must be"),
        (
            "[input]\nheader = []\n",
            "header must name the file's columns",
        ),
        (
            "[input]\nheader = [\"a\", \"A\"]\n",
            "\"A\" names two columns",
        ),
        ("[input]\nheader = [\"a\", \" \"]\n", "column 2 has no name"),
    ] {
        let rules = temp_file(&dir, "r.toml", text);
        let r = run(pipelint().args(["rules", "check", &rules]));
        assert_eq!(r.code, 2, "{text}");
        assert!(r.stderr.contains(says), "{text}: {}", r.stderr);
    }
}

/// An export of a header only (HubSpot's, from ../shared/realworld) has no deal to measure
/// completeness on: the headline says so instead of "100.0%".
#[test]
fn completeness_over_no_deal_is_not_judged() {
    let file = "../shared/realworld/hubspot_deals_export_header_only.csv";
    assert!(
        Path::new(file).is_file(),
        "the real exports must be beside the repository"
    );
    let r = run(pipelint().args(["audit", file, "--as-of", AS_OF]));
    assert!(
        r.stdout
            .contains("Completeness  not judged: no deal to measure it on"),
        "{}",
        r.stdout
    );
}

/// Deals none of whose requirements apply (the hygiene rules require amount and next step
/// only in later stages; this fixture's four deals are leads): completeness is not judged,
/// and the headline says why instead of "no deal" or "100.0%".
#[test]
fn completeness_no_requirement_applies_is_not_judged() {
    let r = run(pipelint().args([
        "audit",
        "fixtures/checks/HYG001/export.csv",
        "-r",
        "fixtures/hygiene/rules.toml",
        "--as-of",
        AS_OF,
    ]));
    assert!(
        r.stdout.contains(
            "Completeness  not judged: no requirement applies to the 4 deals (amount and \
             next_step are required only in stages or by rules none of them meets)"
        ),
        "{}",
        r.stdout
    );
}

/// A Salesforce org dump's open deals (IsClosed = 0) with no next step were worded "no next
/// step; next step is filler": the open status and the filler flag shared one bit.
#[test]
fn an_open_status_is_not_a_filler_next_step() {
    let report = audit_json(Path::new("fixtures/traps/sf_org_dump.csv"), &[]).expect("audits");
    let details: Vec<&str> = report["deals"]
        .as_array()
        .expect("deals")
        .iter()
        .flat_map(|d| d["risk"]["signals"].as_array().into_iter().flatten())
        .filter(|s| s["signal"] == "no_next_step")
        .filter_map(|s| s["detail"].as_str())
        .collect();
    assert_eq!(details.len(), 8, "{details:?}");
    assert!(details.iter().all(|d| !d.contains("filler")), "{details:?}");
}
