//! One HTTP POST of a JSON body, and what its answer means for the retry loop.
//!
//! ureq (blocking, rustls) with every status returned as a response, no redirects
//! followed (a webhook that redirects is misconfigured, and a POST body should not chase
//! it), and one timeout over the whole exchange. Errors are worded here from their kind,
//! never from their `Display`, which may carry the URL.

use std::io::ErrorKind;
use std::sync::OnceLock;
use std::time::Duration;

use ureq::Agent;
use ureq::http::{HeaderMap, StatusCode};

use super::retry::span;
use super::{Attempt, Secret, shorten};

/// The largest answer read: Slack's JSON, or the start of an error page.
const ANSWER_LIMIT: u64 = 64 * 1024;

/// How a 2xx answer is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    /// Any 2xx is delivered.
    Status,
    /// Slack's Web API: a 200 carries `{"ok": true}` or `{"ok": false, "error": "…"}`.
    SlackApi,
}

/// One POST: where, what, and the headers that go with it.
pub(super) struct Post<'a> {
    pub(super) url: &'a str,
    /// What a message calls the URL: its secret's `${NAME}`, never the URL.
    pub(super) shown: String,
    pub(super) body: &'a [u8],
    pub(super) key: &'a str,
    /// `Authorization: Bearer …` (Slack's bot token).
    pub(super) bearer: Option<&'a Secret>,
    /// `X-Pipelint-Signature`.
    pub(super) signature: Option<&'a str>,
    pub(super) answer: Answer,
}

/// A checked URL: http or https with a host. A loopback host is reached directly, never
/// through a proxy from the environment (no proxy can reach this machine's loopback).
pub(super) struct Target {
    loopback: bool,
}

/// Check `post` before any request: the URL (named by its variable, never shown) and the
/// idempotency key (a header value).
pub(super) fn target(post: &Post<'_>) -> Result<Target, String> {
    let not_url = || format!("{} is not an http(s) URL", post.shown);
    let url = url::Url::parse(post.url).map_err(|_| not_url())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(not_url());
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(host)) => host.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(not_url()),
    };
    if url.scheme() == "http" && !loopback {
        return Err(format!(
            "{} is plain http:// to another machine: the digest (deal names, amounts) and any token in the address would cross the network unencrypted; use its https:// address (http:// is sent only to 127.0.0.1 or localhost)",
            post.shown
        ));
    }
    if post.key.is_empty() || !post.key.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return Err(format!(
            "the idempotency key {:?} cannot be sent as a header (printable ASCII only)",
            shorten(post.key, 80)
        ));
    }
    Ok(Target { loopback })
}

/// The agent every request goes through: one connection pool for the run.
fn agent() -> &'static Agent {
    static AGENT: OnceLock<Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(concat!("pipelint/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent()
    })
}

/// Make the request once, taking at most `timeout`.
pub(super) fn post(post: &Post<'_>, target: &Target, timeout: Duration) -> Attempt {
    let mut request = agent()
        .post(post.url)
        .header("Content-Type", "application/json; charset=utf-8")
        .header("Idempotency-Key", post.key);
    if let Some(token) = post.bearer {
        request = request.header("Authorization", format!("Bearer {}", token.expose()));
    }
    if let Some(signature) = post.signature {
        request = request.header("X-Pipelint-Signature", signature);
    }
    let mut config = request
        .config()
        .timeout_global(Some(timeout))
        .timeout_connect(Some(timeout));
    if target.loopback {
        config = config.proxy(None);
    }
    match config.build().send(post.body) {
        Ok(mut response) => {
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.body_mut();
            let text = body
                .with_config()
                .limit(ANSWER_LIMIT)
                .lossy_utf8(true)
                .read_to_string();
            answered(post.answer, status, &headers, text, timeout)
        }
        Err(e) => failed(post, e, timeout),
    }
}

/// What an answer means. `text` is its body (an error if it could not be read whole).
fn answered(
    answer: Answer,
    status: StatusCode,
    headers: &HeaderMap,
    text: Result<String, ureq::Error>,
    timeout: Duration,
) -> Attempt {
    // What the server said, when it said it in a line of text (not an HTML error page).
    let said = |text: &Result<String, ureq::Error>| match text.as_deref().map(first_line) {
        Ok(line) if !line.is_empty() && !line.starts_with('<') => {
            format!("answered {}: {line}", status_words(status))
        }
        _ => format!("answered {}", status_words(status)),
    };
    if status.is_success() {
        return match answer {
            Answer::Status => Attempt::Done,
            Answer::SlackApi => match text {
                Ok(text) => slack_answer(&text, headers),
                Err(e) => Attempt::Retry(format!(
                    "answered {} but its body could not be read ({})",
                    status_words(status),
                    cause(&e, timeout)
                )),
            },
        };
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Attempt::RetryAfter(retry_after(headers), said(&text));
    }
    if status.is_server_error() {
        return Attempt::Retry(said(&text));
    }
    if status.is_redirection() {
        return Attempt::Fail(format!(
            "answered {} (a redirect, which is not followed: use the URL it points to)",
            status_words(status)
        ));
    }
    Attempt::Fail(said(&text))
}

/// Slack's Web API answer: `ok: true` is sent; `ok: false` fails with its error word,
/// except `ratelimited`, which waits like a 429.
fn slack_answer(text: &str, headers: &HeaderMap) -> Attempt {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Attempt::Fail("answered 200 but not with Slack's JSON".to_string());
    };
    if json.get("ok").and_then(serde_json::Value::as_bool) == Some(true) {
        return Attempt::Done;
    }
    let error = json
        .get("error")
        .and_then(serde_json::Value::as_str)
        .map(|e| shorten(&word(e), 80))
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| "no error given".to_string());
    if error == "ratelimited" {
        return Attempt::RetryAfter(retry_after(headers), "Slack said ratelimited".to_string());
    }
    Attempt::Fail(format!("Slack said {error}"))
}

/// `Retry-After` in whole seconds (the form Slack and Teams send); a date or anything
/// else is ignored and the backoff used instead.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// `500 Internal Server Error`.
fn status_words(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// The first non-blank line of an answer, without control characters, shortened: enough
/// to say what the server said (`invalid_payload`, `channel_not_found`), no more.
fn first_line(text: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    let clean: String = line
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    shorten(&clean, 120)
}

/// An error word from a server (its first word), kept to letters, digits, `_`, `-`, `.`.
fn word(text: &str) -> String {
    text.split_whitespace()
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect()
}

/// What a request that got no answer means: most connection trouble is worth another
/// try, a bad URL or TLS is not.
fn failed(post: &Post<'_>, e: ureq::Error, timeout: Duration) -> Attempt {
    use ureq::Error as E;
    match e {
        // A TLS failure (an untrusted certificate, a server that does not speak TLS)
        // comes through the stream as invalid data; another try would fail alike.
        E::Io(ref io) if io.kind() == ErrorKind::InvalidData => {
            let why = io
                .get_ref()
                .map(|inner| inner.to_string())
                .unwrap_or_default();
            Attempt::Fail(format!("TLS failed ({})", shorten(&why, 120)))
        }
        E::Timeout(_)
        | E::Io(_)
        | E::HostNotFound
        | E::ConnectionFailed
        | E::Protocol(_)
        | E::ConnectProxyFailed(_) => Attempt::Retry(cause(&e, timeout)),
        E::BadUri(_) | E::Http(_) => {
            Attempt::Fail(format!("{} is not a usable http(s) URL", post.shown))
        }
        E::Tls(why) => Attempt::Fail(format!("TLS failed ({why})")),
        E::Rustls(ref tls) => {
            Attempt::Fail(format!("TLS failed ({})", shorten(&tls.to_string(), 120)))
        }
        E::TooManyRedirects | E::RedirectFailed => Attempt::Fail(
            "answered with a redirect, which is not followed: use the URL it points to".to_string(),
        ),
        E::InvalidProxyUrl => Attempt::Fail(
            "the proxy set in the environment (HTTPS_PROXY, ALL_PROXY) is not a valid URL"
                .to_string(),
        ),
        E::LargeResponseHeader(..) => {
            Attempt::Fail("answered with headers too large to read".to_string())
        }
        _ => Attempt::Fail("the request could not be made".to_string()),
    }
}

/// Why a request got no (whole) answer, in words: the kind of trouble, no address.
fn cause(e: &ureq::Error, timeout: Duration) -> String {
    use ureq::Error as E;
    match e {
        E::Timeout(_) => format!("no answer within {}", span(timeout)),
        E::Io(io) => match io.kind() {
            ErrorKind::ConnectionRefused => "connection refused".to_string(),
            ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => {
                "connection reset".to_string()
            }
            ErrorKind::BrokenPipe | ErrorKind::UnexpectedEof => {
                "connection closed before an answer".to_string()
            }
            ErrorKind::TimedOut | ErrorKind::WouldBlock => {
                format!("no answer within {}", span(timeout))
            }
            kind => format!("network error ({kind})"),
        },
        E::HostNotFound => "host not found".to_string(),
        E::ConnectionFailed => "could not connect".to_string(),
        E::Protocol(_) => "the answer was not valid HTTP".to_string(),
        E::ConnectProxyFailed(_) => "could not connect through the proxy".to_string(),
        _ => "the request failed".to_string(),
    }
}
