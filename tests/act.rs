//! `pipelint act` end to end, against real servers this test starts on 127.0.0.1 (an HTTP
//! receiver for the Slack and generic webhooks, an SMTP sink for email; nothing leaves the
//! machine): the four-week history series (fixtures/history/) with the act fixture's rules
//! and team (fixtures/act/). Each week: `act` as of that week, then `history add` of it.
//!
//! By hand, from the fixture weeks:
//! - Delta (Bo Chen's) has had no activity since 2026-09-01 in every week, and Cargo (his
//!   too) in weeks 1 and 2: `gone-dark` tells Bo, in one email, in week 1; nothing in week 2
//!   (announced, `repeat = "new"`); in week 3 (two weeks standing) Delta escalates to his
//!   manager Dee Park, Bo hearing it too (Cargo was lost by then).
//! - Cargo is high risk in week 2 (60): `high-risk-feed` (weekly) sends it to RevOps by the
//!   signed webhook.
//! - Acme (Ann Lee's) had its close date pushed in weeks 2, 3 and 4 (12/01 → 12/10 → 12/20 →
//!   1/15): `slipped` posts to #pipeline by the Slack webhook in week 2, and the push
//!   standing on in weeks 3 and 4 is not repeated; Acme is high risk in week 4 only (64;
//!   40 in week 3): `high-risk-feed` (weekly) sends it to RevOps by the signed webhook.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{pipelint, run};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const SECRET: &str = "s3cr3t-hmac-value-1234";
const HOOK_TOKEN: &str = "T000-B000-tokenXYZ";

/// One request the HTTP receiver took.
#[derive(Clone, Debug)]
struct Request {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP/1.1 receiver: records each request and answers 200, or (`hang`) never answers.
struct Http {
    port: u16,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl Http {
    fn start(hang: bool) -> Http {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen: Arc<Mutex<Vec<Request>>> = Arc::default();
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve_http(stream, &log, hang));
            }
        });
        Http { port, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self) -> Vec<Request> {
        self.seen.lock().expect("lock").clone()
    }
}

fn serve_http(stream: TcpStream, log: &Mutex<Vec<Request>>, hang: bool) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.trim_end().split_once(':') {
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    log.lock().expect("lock").push(Request {
        path,
        headers,
        body,
    });
    if hang {
        std::thread::sleep(Duration::from_secs(600));
        return;
    }
    let mut stream = reader.into_inner();
    let _ =
        stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
}

/// An SMTP sink: takes every message and records its DATA.
struct Smtp {
    port: u16,
    mails: Arc<Mutex<Vec<String>>>,
}

impl Smtp {
    fn start() -> Smtp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mails: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = Arc::clone(&mails);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve_smtp(stream, &log));
            }
        });
        Smtp { port, mails }
    }

    fn mails(&self) -> Vec<String> {
        self.mails.lock().expect("lock").clone()
    }
}

fn serve_smtp(stream: TcpStream, log: &Mutex<Vec<String>>) {
    let Ok(mut out) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let _ = out.write_all(b"220 sink ESMTP\r\n");
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if command.starts_with("DATA") {
            let _ = out.write_all(b"354 go ahead\r\n");
            let mut data = String::new();
            loop {
                let mut l = String::new();
                if reader.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                    break;
                }
                data.push_str(&l);
            }
            log.lock().expect("lock").push(data);
            b"250 queued\r\n"
        } else if command.starts_with("QUIT") {
            let _ = out.write_all(b"221 bye\r\n");
            return;
        } else {
            b"250 ok\r\n"
        };
        let _ = out.write_all(reply);
    }
}

const WEEKS: [(&str, &str); 4] = [
    ("week1_2026-11-06.csv", "2026-11-06"),
    ("week2_2026-11-13.csv", "2026-11-13"),
    ("week3_2026-11-20.csv", "2026-11-20"),
    ("week4_2026-11-27.csv", "2026-11-27"),
];

/// `pipelint act` on a week, with the servers' addresses in the rules' variables.
fn act(db: &Path, week: usize, http: &Http, smtp: &Smtp, extra: &[&str]) -> common::Run {
    let (file, as_of) = WEEKS[week];
    run(pipelint()
        .args([
            "act",
            &format!("fixtures/history/{file}"),
            "-r",
            "fixtures/act/rules.toml",
        ])
        .args(["--as-of", as_of, "--history"])
        .arg(db)
        .args(extra)
        .env(
            "PIPELINT_TEST_SMTP",
            format!("smtp://127.0.0.1:{}?tls=none", smtp.port),
        )
        .env(
            "PIPELINT_TEST_SLACK_WEBHOOK",
            http.url(&format!("/slack/{HOOK_TOKEN}")),
        )
        .env("PIPELINT_TEST_WEBHOOK", http.url("/hook"))
        .env("PIPELINT_TEST_WEBHOOK_SECRET", SECRET))
}

fn store(db: &Path, week: usize) {
    let (file, as_of) = WEEKS[week];
    let r = run(pipelint()
        .args(["history", "add", &format!("fixtures/history/{file}")])
        .args([
            "-r",
            "fixtures/history/rules.toml",
            "--as-of",
            as_of,
            "-q",
            "--db",
        ])
        .arg(db));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// Who each mail went to and which deals it names, in order.
fn mail_lines(mails: &[String]) -> Vec<(String, String)> {
    mails
        .iter()
        .map(|m| {
            let to = m
                .lines()
                .find_map(|l| l.strip_prefix("To: "))
                .unwrap_or("")
                .to_string();
            let subject = m
                .lines()
                .find_map(|l| l.strip_prefix("Subject: "))
                .unwrap_or("")
                .to_string();
            (to, subject)
        })
        .collect()
}

#[test]
fn digests_reach_the_right_people_once_and_escalate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    let (http, smtp) = (Http::start(false), Smtp::start());
    let mut outputs = String::new();
    let mut per_week = Vec::new();
    for week in 0..4 {
        let before = (smtp.mails().len(), http.requests().len());
        let r = act(&db, week, &http, &smtp, &["-f", "json"]);
        assert_eq!(r.code, 0, "week {}: {}\n{}", week + 1, r.stdout, r.stderr);
        outputs.push_str(&r.stdout);
        outputs.push_str(&r.stderr);
        // A second run the same week sends nothing new.
        let again = act(&db, week, &http, &smtp, &[]);
        assert_eq!(again.code, 0, "{}", again.stderr);
        outputs.push_str(&again.stdout);
        let mails = smtp.mails();
        let requests = http.requests();
        per_week.push((
            mail_lines(&mails[before.0..]),
            requests[before.1..]
                .iter()
                .map(|r| r.path.clone())
                .collect::<Vec<_>>(),
        ));
        store(&db, week);
    }
    let to = |pairs: &[(String, String)]| -> Vec<String> {
        pairs.iter().map(|(t, _)| t.clone()).collect()
    };
    // Week 1: Cargo and Delta are new: one email to Bo. Nothing else fires (no previous
    // snapshot, no deal at 60).
    assert_eq!(to(&per_week[0].0), ["bo@example.com"]);
    let first = &smtp.mails()[0];
    assert!(
        first.contains("Cargo - Fleet") && first.contains("Delta - Pilot"),
        "{first}"
    );
    assert!(per_week[0].1.is_empty(), "{:?}", per_week[0].1);
    // Week 2: Bo's deals announced already; Acme's first push goes to #pipeline, Cargo
    // (high) to RevOps.
    assert!(per_week[1].0.is_empty(), "{:?}", per_week[1].0);
    let mut week2 = per_week[1].1.clone();
    week2.sort();
    assert_eq!(week2, ["/hook", format!("/slack/{HOOK_TOKEN}").as_str()]);
    // Week 3: two weeks standing: Dee hears it, and Bo that it escalated; Acme's pushes
    // stand on (not repeated).
    let mut week3 = to(&per_week[2].0);
    week3.sort();
    assert_eq!(week3, ["bo@example.com", "dee@example.com"]);
    assert!(per_week[2].1.is_empty(), "{:?}", per_week[2].1);
    // Week 4: Acme high risk (the webhook, weekly); Delta escalated already: quiet.
    assert!(per_week[3].0.is_empty(), "{:?}", per_week[3].0);
    assert_eq!(per_week[3].1, ["/hook"]);
    let requests = http.requests();
    let hook = requests
        .iter()
        .rev()
        .find(|r| r.path == "/hook")
        .expect("webhook");
    // The signature verifies, and the key is the idempotency key.
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(&hook.body);
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        hook.header("X-Pipelint-Signature"),
        Some(format!("sha256={want}").as_str())
    );
    let body: serde_json::Value = serde_json::from_slice(&hook.body).expect("json");
    assert_eq!(hook.header("Idempotency-Key"), body["key"].as_str());
    assert_eq!(body["recipient"], "RevOps");
    assert!(
        String::from_utf8_lossy(&hook.body).contains("Acme - Renewal"),
        "{}",
        String::from_utf8_lossy(&hook.body)
    );
    let slack = requests
        .iter()
        .find(|r| r.path.starts_with("/slack"))
        .expect("slack");
    assert!(String::from_utf8_lossy(&slack.body).contains("pushed since the previous snapshot"));
    // The escalation mail to Dee says so.
    let dee = smtp
        .mails()
        .into_iter()
        .find(|m| m.contains("To: dee@example.com"))
        .expect("Dee's mail");
    assert!(dee.contains("Escalated to Dee Park"), "{dee}");
    // No secret in any output.
    for secret in [SECRET, HOOK_TOKEN] {
        assert!(!outputs.contains(secret), "{secret} in the output");
    }
    // The outbox lists every message sent.
    let listed = run(pipelint()
        .args(["outbox", "list", "-f", "json", "--db"])
        .arg(&db));
    let listed: serde_json::Value = serde_json::from_str(&listed.stdout).expect("json");
    let states: Vec<&str> = listed["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["state"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(states, ["sent"; 6]);
}

#[test]
fn a_dry_run_shows_what_would_go_and_stores_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    for week in 0..3 {
        store(&db, week);
    }
    let (http, smtp) = (Http::start(false), Smtp::start());
    let r = act(&db, 3, &http, &smtp, &["--dry-run", "-f", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let plan: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(plan["schema"], "pipelint.outbox/1");
    assert_eq!(plan["dry_run"], true);
    let to: Vec<(&str, &str, &str)> = plan["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            (
                m["recipient"].as_str().unwrap_or(""),
                m["channel"].as_str().unwrap_or(""),
                m["playbook"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        to,
        [
            ("#pipeline", "slack", "slipped"),
            ("RevOps", "webhook", "high-risk-feed"),
            ("Bo Chen", "email", "gone-dark")
        ]
    );
    assert!(smtp.mails().is_empty() && http.requests().is_empty());
    let listed = run(pipelint()
        .args(["outbox", "list", "-f", "json", "--db"])
        .arg(&db));
    assert!(
        listed.stdout.contains("\"messages\": []"),
        "{}",
        listed.stdout
    );
    // The CRM task file: the high-risk-feed playbook's task for Acme.
    let tasks = dir.path().join("tasks.csv");
    let r = act(
        &db,
        3,
        &http,
        &smtp,
        &["--dry-run", "--tasks", tasks.to_str().expect("path")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&tasks).expect("tasks"),
        "WhatId,OwnerId,Subject,ActivityDate,Priority,Status,Description\n\
         006A,Ann Lee,Review Acme - Renewal with Ann Lee,2026-11-29,Normal,Not Started,high risk (64)\n"
    );
}

/// kill -9 while a message is being sent: it stays `sending`, the next run marks it
/// `uncertain` and does not send it again; `outbox retry --uncertain` does.
#[test]
fn a_crash_mid_send_leaves_the_message_uncertain_never_resent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    let (hanging, smtp) = (Http::start(true), Smtp::start());
    for week in 0..3 {
        store(&db, week);
    }
    let (file, as_of) = WEEKS[3];
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pipelint"))
        .args([
            "act",
            &format!("fixtures/history/{file}"),
            "-r",
            "fixtures/act/rules.toml",
        ])
        .args(["--as-of", as_of, "-q", "--history"])
        .arg(&db)
        .env(
            "PIPELINT_TEST_SMTP",
            format!("smtp://127.0.0.1:{}?tls=none", smtp.port),
        )
        .env("PIPELINT_TEST_SLACK_WEBHOOK", hanging.url("/slack/x"))
        .env("PIPELINT_TEST_WEBHOOK", hanging.url("/hook"))
        .env("PIPELINT_TEST_WEBHOOK_SECRET", SECRET)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    while hanging.requests().is_empty() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(hanging.requests().len(), 1, "the first request arrived");
    child.kill().expect("kill -9");
    let _ = child.wait();
    let list = |db: &Path| -> Vec<(String, String)> {
        let r = run(pipelint()
            .args(["outbox", "list", "-f", "json", "--db"])
            .arg(db));
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        v["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .map(|m| {
                (
                    m["channel"].as_str().unwrap_or("").to_string(),
                    m["state"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let states = list(&db);
    assert!(
        states.contains(&("slack".into(), "sending".into())),
        "{states:?}"
    );
    // The next run (servers now answering) marks it uncertain and does not resend it.
    let (http, _) = (Http::start(false), ());
    let r = act(&db, 3, &http, &smtp, &[]);
    assert_eq!(
        r.code, 1,
        "an uncertain message fails the run: {}",
        r.stdout
    );
    assert!(
        !http.requests().iter().any(|q| q.path.starts_with("/slack")),
        "never resent"
    );
    assert!(list(&db).contains(&("slack".into(), "uncertain".into())));
    // Only `outbox retry --uncertain` sends it again (to the answering server).
    let r = run(pipelint()
        .args([
            "outbox",
            "retry",
            "--uncertain",
            "-r",
            "fixtures/act/rules.toml",
            "--db",
        ])
        .arg(&db)
        .env(
            "PIPELINT_TEST_SMTP",
            format!("smtp://127.0.0.1:{}?tls=none", smtp.port),
        )
        .env("PIPELINT_TEST_SLACK_WEBHOOK", http.url("/slack/x"))
        .env("PIPELINT_TEST_WEBHOOK", http.url("/hook"))
        .env("PIPELINT_TEST_WEBHOOK_SECRET", SECRET));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(http.requests().iter().any(|q| q.path == "/slack/x"));
    assert!(
        list(&db).iter().all(|(_, s)| s == "sent"),
        "{:?}",
        list(&db)
    );
}

/// `--team` over `[team] file`: an owner of the export it lacks is listed once (Cy Diaz owns
/// Echo, Fox and Hawk), whoever the playbooks hit; a team file with a problem stops the run
/// naming its line and column.
#[test]
fn the_team_file_is_checked_and_owners_it_lacks_are_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    for week in 0..3 {
        store(&db, week);
    }
    let (http, smtp) = (Http::start(false), Smtp::start());
    let team = common::temp_file(
        &dir,
        "team.csv",
        "owner,manager,email\nAnn Lee,Dee Park,ann@example.com\nBo Chen,Dee Park,bo@example.com\nDee Park,,dee@example.com\nRevOps,,revops@example.com\n",
    );
    let r = act(
        &db,
        3,
        &http,
        &smtp,
        &["--dry-run", "-f", "json", "--team", &team],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let plan: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(
        plan["owners_missing_from_team"],
        serde_json::json!(["Cy Diaz"])
    );
    let bad = common::temp_file(&dir, "bad.csv", "owner,manger\nAnn Lee,Dee Park\n");
    let r = act(&db, 3, &http, &smtp, &["--dry-run", "--team", &bad]);
    common::assert_exit_2(
        &r,
        "bad.csv:1:2: unknown column `manger`; did you mean `manager`?",
    );
}

/// Coverage playbooks per owner and per team (the team file's `team` column), and the link
/// to the report `act` writes. By hand, from fixtures/history/quotas.csv (FY2027-Q2, the
/// quarter holding 2026-11-27 with a July fiscal year) and week 4: East is Ann Lee, Bo Chen
/// and Dee Park, quota 200,000 + 100,000 + 50,000, won 50,000 (Ann), so 300,000 remains;
/// its open pipeline in the quarter is Bo's 180,000: 0.60×. Dee Park is the manager its
/// owners share. West (Cy Diaz) has no quota: no row.
#[test]
fn coverage_playbooks_per_owner_and_team_link_the_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    store(&db, 2);
    std::fs::copy("fixtures/act/team.csv", dir.path().join("team.csv")).expect("team");
    let rules = common::temp_file(
        &dir,
        "rules.toml",
        "[input]\npreset = \"salesforce\"\n[forecast]\nfiscal_year_start_month = 7\nwin_rate_days = 365\n\
         [team]\nfile = \"team.csv\"\n[notify.email]\nsmtp = \"${PIPELINT_TEST_SMTP}\"\nfrom = \"revops@example.com\"\n\
         [[playbooks]]\nid = \"team-coverage\"\nwhen = { coverage_below = 3, per = \"team\" }\nto = \"manager\"\nvia = [\"email\"]\n",
    );
    let html = dir.path().join("pipeline.html");
    let html_arg = format!("html={}", html.display());
    let act_with = |extra: &[&str]| {
        run(pipelint()
            .args(["act", "fixtures/history/week4_2026-11-27.csv", "-r", &rules])
            .args(["--as-of", "2026-11-27", "--history"])
            .arg(&db)
            .args(["--quota", "fixtures/history/quotas.csv", "--dry-run"])
            .args(extra)
            .env("PIPELINT_TEST_SMTP", "smtp://127.0.0.1:9"))
    };
    let r = act_with(&[
        "-f",
        "json",
        "--report",
        &html_arg,
        "--report-url",
        "https://intranet.example/pipeline.html",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let plan: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let messages = plan["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 1, "{}", r.stdout);
    assert_eq!(messages[0]["recipient"], "Dee Park");
    assert_eq!(messages[0]["deals"], serde_json::json!(["team East"]));
    assert_eq!(
        messages[0]["body"],
        "For Dee Park, from the pipelint audit as of 2026-11-27:\n\n\
         1. team East [team-coverage]\n   \
         - coverage 0.60× of the remaining quota (USD 300,000.00), below 3.00×\n   \
         Ask: Coverage is below what the quarter needs: which deals can be added or advanced this week?\n\n\
         The full report: https://intranet.example/pipeline.html\n"
    );
    let written = std::fs::read_to_string(&html).expect("the HTML report is written");
    assert!(written.starts_with("<!DOCTYPE html>"), "{}", &written[..80]);

    // Without --report-url, the digest names the path the report was written to.
    let r = act_with(&["-f", "json", "--report", &html_arg]);
    let plan: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let body = plan["messages"][0]["body"].as_str().unwrap_or_default();
    assert!(
        body.ends_with(&format!("The full report: {}\n", html.display())),
        "{body}"
    );

    // No report may replace the team file or the history; a link must be an address.
    let team_arg = format!("html={}", dir.path().join("team.csv").display());
    let r = act_with(&["--report", &team_arg]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("the team file"), "{}", r.stderr);
    let r = act_with(&["--report-url", "javascript:alert(1)"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("is not an https:// or http:// address"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("team.csv")).expect("team"),
        std::fs::read_to_string("fixtures/act/team.csv").expect("fixture")
    );

    // A team playbook cannot go to "owner": a team has none.
    let owner_rules = common::temp_file(
        &dir,
        "owner.toml",
        "[input]\npreset = \"salesforce\"\n[team]\nfile = \"team.csv\"\n[notify.email]\nsmtp = \"${PIPELINT_TEST_SMTP}\"\nfrom = \"r@example.com\"\n\
         [[playbooks]]\nid = \"t\"\nwhen = { coverage_below = 3, per = \"team\" }\nto = \"owner\"\nvia = [\"email\"]\n",
    );
    let r = run(pipelint().args(["rules", "check", &owner_rules]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("owner.toml:11:6: playbook \"t\" is about teams, and a team has no owner"),
        "{}",
        r.stderr
    );
}
