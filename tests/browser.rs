//! The HTML report in a real browser (headless Chromium): the inline script passes the
//! page's Content-Security-Policy and runs without a console message, the tables hold every
//! row with and without scripts, the `#q=` filter hides the right rows, and a screenshot is
//! left in `target/tmp/html-report.png` (cargo's target directory) for a person to look at.
//!
//! Without Chromium the tests skip, so `cargo test` passes on a laptop without it; CI sets
//! `PIPELINT_REQUIRE_BROWSER` so that a missing browser fails instead of passing silently.
//! `PIPELINT_CHROMIUM` names the browser when it is not on PATH.

// Process groups (to kill a hung browser with its helpers) and the executable bit are Unix
// notions, and CI runs on Linux.
#![cfg(unix)]

mod common;

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use common::{AS_OF, pipelint, run};
use regex::Regex;
use serde_json::{Value, json};

const FIXTURE: &str = "fixtures/salesforce_q4_pipeline.csv";

/// A browser run that takes longer than this is hung (a normal one takes about a second).
const TIMEOUT: Duration = Duration::from_secs(60);

/// One browser at a time: the tests run on threads, and several Chromiums at once on a
/// two-core CI machine only make each slower and a timeout likelier.
static ONE_BROWSER: Mutex<()> = Mutex::new(());

/// The fixture's HTML report, written by the binary into a fresh temp dir.
fn html_report() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir for the report");
    let path = dir.path().join("report.html");
    let target = format!("html={}", path.to_str().expect("utf-8 temp path"));
    let r = run(pipelint().current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "audit", FIXTURE, "--as-of", AS_OF, "-q", "--report", &target,
    ]));
    // The fixture fails the gate on purpose; 1 is "audited, gate failed", not an error.
    assert_eq!(r.code, 1, "stderr:\n{}", r.stderr);
    assert!(path.is_file(), "no report at {}", path.display());
    (dir, path)
}

/// The browser to use, or None (after saying so) when there is none and none is required.
fn browser() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("PIPELINT_CHROMIUM") {
        let named = PathBuf::from(named);
        // A browser named explicitly but absent is a broken set-up, never a reason to skip.
        assert!(
            named.is_file(),
            "PIPELINT_CHROMIUM={} is not a file",
            named.display()
        );
        return Some(named);
    }
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| on_path(name));
    if found.is_none() {
        assert!(
            std::env::var_os("PIPELINT_REQUIRE_BROWSER").is_none(),
            "PIPELINT_REQUIRE_BROWSER is set but no Chromium was found on PATH \
             (chromium, chromium-browser, google-chrome). Install it, e.g. \
             `apt-get install -y chromium` on Debian/Ubuntu, or set PIPELINT_CHROMIUM to its path."
        );
        eprintln!(
            "skipped: no Chromium found (install chromium or set PIPELINT_CHROMIUM to run the browser tests)"
        );
    }
    found
}

fn on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// What one browser run printed.
struct Shown {
    /// The DOM once the page had loaded and its script had run (empty for a screenshot).
    dom: String,
    /// Chromium's log, which carries the page's console messages.
    log: String,
}

/// Flags of every run: headless, a fresh profile in `scratch`, no network, console messages
/// logged.
fn command(browser: &Path, scratch: &Path) -> Command {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        // Root in a container: Chromium's sandbox cannot start there.
        "--no-sandbox",
        "--disable-gpu",
        // Nothing may reach the network: the page must render from the file alone.
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        // Console messages (CSP violations among them) go to the log on stderr.
        "--enable-logging=stderr",
        "--v=0",
    ])
    // A fresh profile each run: no state (cache, crash reports, a lock) carries over.
    .arg(format!(
        "--user-data-dir={}",
        scratch.join("profile").display()
    ));
    // Its own process group, so that a hung browser is killed with its renderer and GPU
    // helpers, which would otherwise outlive it.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    cmd
}

/// A started browser, killed with its whole process group if the test gives up on it.
struct Running {
    child: Child,
    /// Its profile, log and output, removed with it.
    scratch: tempfile::TempDir,
    deadline: Instant,
}

impl Running {
    fn spawn(mut cmd: Command, scratch: tempfile::TempDir) -> Running {
        let log = scratch.path().join("stderr");
        let child = cmd
            .stderr(File::create(&log).expect("create browser log"))
            .spawn()
            .unwrap_or_else(|e| panic!("start {:?}: {e}", cmd.get_program()));
        Running {
            child,
            scratch,
            deadline: Instant::now() + TIMEOUT,
        }
    }

    fn read(&self, name: &str) -> String {
        let bytes = std::fs::read(self.scratch.path().join(name)).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn log(&self) -> String {
        self.read("stderr")
    }

    fn timed_out(&mut self, doing: &str) -> ! {
        self.kill();
        panic!(
            "Chromium took more than {TIMEOUT:?} {doing}; log:\n{}",
            self.log()
        );
    }

    fn kill(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the browser to exit by itself; returns its log.
    fn finish(&mut self, doing: &str) -> String {
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for the browser") {
                break status;
            }
            if Instant::now() > self.deadline {
                self.timed_out(doing);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let log = self.log();
        assert!(
            status.success(),
            "Chromium failed ({status}) {doing}; log:\n{log}"
        );
        log
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.kill();
        }
    }
}

/// Runs headless Chromium on `url` with `extra` flags (a `--dump-dom` or `--screenshot`).
fn chromium(browser: &Path, extra: &[&str], url: &str) -> Shown {
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let scratch = tempfile::tempdir().expect("temp dir for the browser");
    let out = File::create(scratch.path().join("stdout")).expect("create stdout file");
    let mut cmd = command(browser, scratch.path());
    cmd.args(extra)
        .arg(url)
        .stdin(Stdio::null())
        // A file, not a pipe: a large DOM can never block on a full pipe while we wait.
        .stdout(out);
    let mut running = Running::spawn(cmd, scratch);
    let log = running.finish(&format!("on {url}"));
    let dom = running.read("stdout");
    Shown { dom, log }
}

fn dump_dom(browser: &Path, url: &str, extra: &[&str]) -> Shown {
    let mut flags = extra.to_vec();
    flags.push("--dump-dom");
    let shown = chromium(browser, &flags, url);
    assert!(
        shown.dom.contains("</html>"),
        "no DOM from {url}; stdout:\n{}\nlog:\n{}",
        shown.dom,
        shown.log
    );
    shown
}

/// Chromium driven over the DevTools protocol. `--dump-dom` prints nothing when scripts are
/// off (Chromium 156 reads the DOM by running script in the page), so that case asks for
/// the DOM over the protocol instead, which needs no script in the page.
/// `--remote-debugging-pipe` reads NUL-terminated JSON commands on fd 3 and writes replies
/// and events on fd 4; `sh` moves our stdin and stdout pipes there, since std cannot hand a
/// child other descriptors.
struct Devtools {
    browser: Running,
    commands: ChildStdin,
    replies: Receiver<Value>,
    /// Events that came while waiting for a reply, for `wait_for`.
    events: Vec<Value>,
    next_id: u64,
}

impl Devtools {
    fn launch(browser: &Path, extra: &[&str]) -> Devtools {
        let scratch = tempfile::tempdir().expect("temp dir for the browser");
        let inner = command(browser, scratch.path());
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 </dev/null >&2"#)
            .arg(inner.get_program())
            .args(inner.get_args())
            .args(extra)
            .args(["--remote-debugging-pipe", "about:blank"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut browser = Running::spawn(cmd, scratch);
        let commands = browser.child.stdin.take().expect("browser stdin");
        let mut stdout = browser.child.stdout.take().expect("browser stdout");
        let (send, replies) = mpsc::channel();
        // Reading blocks; a thread reads so that the test can stop waiting at the deadline.
        std::thread::spawn(move || {
            let mut pending = Vec::new();
            let mut chunk = [0u8; 64 * 1024];
            while let Ok(n @ 1..) = stdout.read(&mut chunk) {
                pending.extend_from_slice(&chunk[..n]);
                while let Some(end) = pending.iter().position(|&b| b == 0) {
                    let message: Vec<u8> = pending.drain(..=end).collect();
                    let value = serde_json::from_slice(&message[..end]).expect("DevTools JSON");
                    if send.send(value).is_err() {
                        return;
                    }
                }
            }
        });
        Devtools {
            browser,
            commands,
            replies,
            events: Vec::new(),
            next_id: 0,
        }
    }

    fn next(&mut self, doing: &str) -> Value {
        let left = self
            .browser
            .deadline
            .saturating_duration_since(Instant::now());
        match self.replies.recv_timeout(left) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => self.browser.timed_out(doing),
            Err(RecvTimeoutError::Disconnected) => {
                panic!(
                    "Chromium closed the pipe {doing}; log:\n{}",
                    self.browser.log()
                )
            }
        }
    }

    /// Sends a command (to the page when `session` is given) and returns its result.
    fn call(&mut self, method: &str, params: Value, session: Option<&str>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).expect("serialise command");
        bytes.push(0);
        self.commands
            .write_all(&bytes)
            .unwrap_or_else(|e| panic!("send {method}: {e}; log:\n{}", self.browser.log()));
        loop {
            let reply = self.next(&format!("answering {method}"));
            if reply["id"] != id {
                self.events.push(reply);
                continue;
            }
            assert!(reply.get("error").is_none(), "{method}: {reply}");
            return reply["result"].clone();
        }
    }

    fn wait_for(&mut self, event: &str) -> Value {
        if let Some(i) = self.events.iter().position(|e| e["method"] == event) {
            return self.events.remove(i);
        }
        loop {
            let message = self.next(&format!("before {event}"));
            if message["method"] == event {
                return message;
            }
        }
    }
}

/// The DOM of `url` as Chromium builds it with scripts disabled, and the browser's log.
fn dom_without_scripts(browser: &Path, url: &str) -> Shown {
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let mut dt = Devtools::launch(browser, &["--blink-settings=scriptEnabled=false"]);
    let targets = dt.call("Target.getTargets", json!({}), None);
    let page = targets["targetInfos"]
        .as_array()
        .and_then(|all| all.iter().find(|t| t["type"] == "page"))
        .unwrap_or_else(|| panic!("no page target in {targets}"));
    let attach = json!({"targetId": page["targetId"], "flatten": true});
    let attached = dt.call("Target.attachToTarget", attach, None);
    let session = attached["sessionId"]
        .as_str()
        .expect("a session id")
        .to_string();
    let session = Some(session.as_str());
    // Enabled before navigating, so that the load event cannot come unseen.
    dt.call("Page.enable", json!({}), session);
    let navigated = dt.call("Page.navigate", json!({"url": url}), session);
    assert!(navigated.get("errorText").is_none(), "{url}: {navigated}");
    dt.wait_for("Page.loadEventFired");
    let document = dt.call("DOM.getDocument", json!({}), session);
    let node = json!({"nodeId": document["root"]["nodeId"]});
    let html = dt.call("DOM.getOuterHTML", node, session);
    let dom = html["outerHTML"].as_str().expect("outerHTML").to_string();
    // Closing stops the browser cleanly; its log is complete once it has exited.
    dt.call("Browser.close", json!({}), None);
    let log = dt.browser.finish(&format!("closing after {url}"));
    Shown { dom, log }
}

/// `file://` URL of an absolute path, percent-encoding what a URL path cannot hold (temp
/// dirs may contain spaces on some machines).
fn file_url(path: &Path) -> String {
    let path = path.canonicalize().expect("canonical report path");
    let mut url = String::from("file://");
    for b in path.to_str().expect("utf-8 path").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                url.push(b as char)
            }
            _ => url.push_str(&format!("%{b:02X}")),
        }
    }
    url
}

/// The lines of Chromium's log that show the page went wrong. With `--enable-logging=stderr
/// --v=0`, Chromium 156 logs every console message, whatever its level, as
///   `[pid:tid:MMDD/HHMMSS.micros:INFO:CONSOLE:27] "message", source: file:///….html (27)`
/// (older versions wrote `CONSOLE(27)`); a CSP violation reads "… violates the following
/// Content Security Policy directive … The action has been blocked." and an exception
/// "Uncaught …". The level is not in the line, so any console message counts: the page's
/// script logs nothing when it works. The other patterns catch the same problems should a
/// Chromium log them without the CONSOLE tag.
fn console_problems(log: &str) -> Vec<&str> {
    let console = Regex::new(r":CONSOLE[:(]\d+").expect("console regex");
    log.lines()
        .filter(|line| {
            console.is_match(line)
                || line.contains("Content Security Policy")
                || line.contains("Refused to")
                || line.contains("Uncaught")
        })
        .collect()
}

/// The `<html>` element's classes.
fn html_classes(dom: &str) -> Vec<String> {
    let re = Regex::new(r#"<html\b[^>]*?\sclass="([^"]*)""#).expect("html regex");
    re.captures(dom)
        .map(|c| c[1].split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// The section under the one `<h2>` whose title starts with `prefix`: its title and its
/// markup up to the end of the section.
fn section<'a>(dom: &'a str, prefix: &str) -> (String, &'a str) {
    let h2 = Regex::new(r"<h2>([^<]*)</h2>").expect("h2 regex");
    let titles: Vec<_> = h2.captures_iter(dom).collect();
    let matching: Vec<_> = titles.iter().filter(|c| c[1].starts_with(prefix)).collect();
    let all: Vec<&str> = titles
        .iter()
        .map(|c| c.get(1).expect("title").as_str())
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "expected one <h2> starting {prefix:?}, titles: {all:?}"
    );
    let start = matching[0].get(0).expect("h2 match").end();
    let end = dom[start..]
        .find("</section>")
        .map_or(dom.len(), |i| start + i);
    (matching[0][1].to_string(), &dom[start..end])
}

/// The body rows of the one table in a section: (attributes of `<tr>`, its inner markup).
fn body_rows(section: &str) -> Vec<(String, String)> {
    assert_eq!(
        section.matches("<table").count(),
        1,
        "expected one table in:\n{section}"
    );
    let start = section.find("<tbody>").expect("a <tbody>") + "<tbody>".len();
    let end = start + section[start..].find("</tbody>").expect("a </tbody>");
    let tr = Regex::new(r"(?s)<tr\b([^>]*)>(.*?)</tr>").expect("tr regex");
    tr.captures_iter(&section[start..end])
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

fn rows_under(dom: &str, prefix: &str) -> usize {
    body_rows(section(dom, prefix).1).len()
}

/// What the fixture's report holds, with or without scripts (cross-checked with `-f json`:
/// 35 findings, 3 high and 7 medium risk deals, 7 fields, 5 owners with "(no owner)").
fn assert_tables_complete(dom: &str) {
    let (title, findings) = section(dom, "Findings (");
    assert_eq!(title, "Findings (35)");
    assert_eq!(body_rows(findings).len(), 35, "finding rows");
    let (title, at_risk) = section(dom, "Deals at risk");
    assert!(title.starts_with("Deals at risk (10"), "{title}");
    assert_eq!(body_rows(at_risk).len(), 10, "deals at risk");
    let first_cell = Regex::new(r"<td[^>]*>([^<]*)</td>").expect("td regex");
    let fields: Vec<String> = body_rows(section(dom, "Completeness by field").1)
        .iter()
        .map(|(_, cells)| first_cell.captures(cells).expect("a first cell")[1].to_string())
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "account",
            "owner",
            "stage",
            "amount",
            "close_date",
            "next_step"
        ]
    );
    assert_eq!(rows_under(dom, "Pipeline by owner"), 5, "owners");
    let svg = Regex::new(r"<svg[\s>]").expect("svg regex");
    assert_eq!(svg.find_iter(dom).count(), 3, "inline SVG charts");
}

#[test]
fn html_report_runs_its_script_in_chromium() {
    let Some(browser) = browser() else { return };
    let (_dir, report) = html_report();
    let shown = dump_dom(&browser, &file_url(&report), &[]);
    let problems = console_problems(&shown.log);
    assert!(
        problems.is_empty(),
        "console messages:\n{}",
        problems.join("\n")
    );

    // The script ran, so the policy's hash is the script's: it marks the page…
    assert!(
        html_classes(&shown.dom).iter().any(|c| c == "js"),
        "<html> has no class js: the script did not run"
    );
    // …puts a filter before each data table…
    let tables = shown.dom.matches(r#"<table class="data""#).count();
    let filtered = Regex::new(r#"<input type="search" class="filter"[^>]*><table class="data""#)
        .expect("filter regex")
        .find_iter(&shown.dom)
        .count();
    assert!(tables >= 6, "only {tables} data tables");
    assert_eq!(filtered, tables, "data tables without a filter before them");
    // …and makes every header cell sortable.
    let th = Regex::new(r"<th\b[^>]*>").expect("th regex");
    let headers: Vec<&str> = th.find_iter(&shown.dom).map(|m| m.as_str()).collect();
    assert!(!headers.is_empty());
    let unsorted: Vec<&&str> = headers
        .iter()
        .filter(|h| !h.contains(r#"aria-sort="none""#))
        .collect();
    assert!(
        unsorted.is_empty(),
        "headers without aria-sort: {unsorted:?}"
    );

    assert_tables_complete(&shown.dom);
}

/// The console check can fail: a page whose script no longer matches its hash and which
/// loads an image from the network shows both violations in the log.
#[test]
fn browser_reports_a_blocked_script() {
    let Some(browser) = browser() else { return };
    let (dir, report) = html_report();
    let html = std::fs::read_to_string(&report).expect("read report");
    let end = html.rfind("</script>").expect("the page's script");
    let mut tampered = html.clone();
    // One more character in the script: its SHA-256 is no longer the one the policy allows.
    tampered.insert(end, ' ');
    let footer = tampered.find("<footer>").expect("a footer");
    tampered.insert_str(
        footer,
        r#"<img src="http://example.invalid/pixel.png" alt="">"#,
    );
    let copy = dir.path().join("tampered.html");
    std::fs::write(&copy, tampered).expect("write tampered copy");

    let shown = dump_dom(&browser, &file_url(&copy), &[]);
    let problems = console_problems(&shown.log);
    assert!(
        problems
            .iter()
            .any(|l| l.contains("Executing inline script violates")),
        "blocked script not detected; flagged: {problems:?}\nlog:\n{}",
        shown.log
    );
    assert!(
        problems
            .iter()
            .any(|l| l.contains("http://example.invalid/pixel.png")),
        "blocked image not detected; flagged: {problems:?}\nlog:\n{}",
        shown.log
    );
    assert!(!html_classes(&shown.dom).iter().any(|c| c == "js"));
}

/// Scripts off: the page is its tables as written, nothing added.
#[test]
fn html_report_tables_work_without_scripts() {
    let Some(browser) = browser() else { return };
    let (_dir, report) = html_report();
    let shown = dom_without_scripts(&browser, &file_url(&report));
    assert_tables_complete(&shown.dom);
    // Attributes, not the words: the style sheet names both `input.filter` and `aria-sort`.
    assert!(!shown.dom.contains("<input"), "a filter was added");
    let sortable = Regex::new(r"<th\b[^>]*\saria-sort=").expect("th regex");
    assert!(!sortable.is_match(&shown.dom), "headers were made sortable");
    assert!(!html_classes(&shown.dom).iter().any(|c| c == "js"));
}

/// `#q=` in the address starts every table filtered to rows containing the text.
#[test]
fn html_report_filter_starts_from_the_address() {
    let Some(browser) = browser() else { return };
    let (_dir, report) = html_report();
    let url = format!("{}#q=Dana%20Whitfield", file_url(&report));
    let shown = dump_dom(&browser, &url, &[]);
    let problems = console_problems(&shown.log);
    assert!(
        problems.is_empty(),
        "console messages:\n{}",
        problems.join("\n")
    );
    let rows = body_rows(section(&shown.dom, "Pipeline by owner").1);
    assert_eq!(rows.len(), 5, "every owner's row is still there");
    let hidden = Regex::new(r#"\shidden(\s|=|$)"#).expect("hidden regex");
    let visible: Vec<&String> = rows
        .iter()
        .filter(|(attrs, _)| !hidden.is_match(attrs))
        .map(|(_, cells)| cells)
        .collect();
    assert_eq!(visible.len(), 1, "visible rows: {visible:?}");
    assert!(visible[0].contains("Dana Whitfield"), "{}", visible[0]);
}

/// A picture of the page for people to look at; it must at least be a sizeable PNG. The test
/// writes it in the target directory cargo uses (`CARGO_TARGET_TMPDIR`: `target/tmp/`, or
/// under `CARGO_TARGET_DIR`): refreshing the one in docs/ is a deliberate step,
/// `cp target/tmp/html-report.png docs/html-report.png` after looking at it.
#[test]
fn html_report_screenshot() {
    let Some(browser) = browser() else { return };
    let (_dir, report) = html_report();
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(tmp).expect("cargo's target tmp directory");
    let png = tmp.join("html-report.png");
    // Gone first, so that a picture from an earlier run cannot pass for this one.
    let _ = std::fs::remove_file(&png);
    let shot = format!("--screenshot={}", png.display());
    let shown = chromium(
        &browser,
        &[&shot, "--window-size=1280,2200"],
        &file_url(&report),
    );
    let problems = console_problems(&shown.log);
    assert!(
        problems.is_empty(),
        "console messages:\n{}",
        problems.join("\n")
    );
    let bytes = std::fs::read(&png).unwrap_or_else(|e| {
        panic!(
            "no screenshot at {}: {e}\nlog:\n{}",
            png.display(),
            shown.log
        )
    });
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        bytes.len() > 20_000,
        "screenshot is only {} bytes: a blank page?",
        bytes.len()
    );
    eprintln!("screenshot: {}", png.display());
}

/// `#q=100%` is not valid percent-encoding: `decodeURIComponent` threw, and the script died
/// before it added a single filter or sort. The filter starts from the text as written.
#[test]
fn html_report_survives_a_malformed_filter_address() {
    let Some(browser) = browser() else { return };
    let (_dir, report) = html_report();
    let url = format!("{}#q=100%", file_url(&report));
    let shown = dump_dom(&browser, &url, &[]);
    let problems = console_problems(&shown.log);
    assert!(
        problems.is_empty(),
        "console messages:\n{}",
        problems.join("\n")
    );
    assert!(
        html_classes(&shown.dom).iter().any(|c| c == "js"),
        "<html> has no class js: the script died"
    );
    let tables = shown.dom.matches(r#"<table class="data""#).count();
    let filters = shown
        .dom
        .matches(r#"<input type="search" class="filter""#)
        .count();
    assert!(
        tables >= 6 && filters == tables,
        "{filters} filters, {tables} tables"
    );
    // Filtered by the raw text: a row stays visible only when it holds "100%".
    let hidden = Regex::new(r#"\shidden(\s|=|$)"#).expect("hidden regex");
    let tags = Regex::new(r"<[^>]*>").expect("tag regex");
    let rows = body_rows(section(&shown.dom, "Completeness by field").1);
    assert!(!rows.is_empty());
    for (attrs, cells) in &rows {
        let text = tags.replace_all(cells, "");
        assert_eq!(
            hidden.is_match(attrs),
            !text.contains("100%"),
            "row {text:?} with attributes {attrs:?}"
        );
    }
}
