//! Secrets: read from `${NAME}` references, shown as their names only, and never in a
//! delivery's words, whatever a server answers or however a URL is wrong.

use std::ffi::OsString;

use super::server::{Receiver, Reply, refused_url};
use super::sink::Sink;
use super::*;

#[test]
fn from_env_reads_a_set_variable() {
    // PATH is set wherever tests run; reading it changes nothing.
    let Some(path) = std::env::var_os("PATH").and_then(|p| p.into_string().ok()) else {
        return;
    };
    let secret = Secret::from_env("${PATH}").map_err(|e| e.to_string());
    assert_eq!(secret.as_ref().map(Secret::name), Ok("PATH"));
    assert_eq!(secret.as_ref().map(|s| s.expose()), Ok(path.as_str()));
}

#[test]
fn from_env_names_an_unset_variable() {
    assert_eq!(
        Secret::from_env("${PIPELINT_NOTIFY_TEST_NEVER_SET_7Q2}").map(|s| s.to_string()),
        Err("${PIPELINT_NOTIFY_TEST_NEVER_SET_7Q2} is not set".to_string())
    );
}

#[test]
fn resolve_names_an_empty_or_unreadable_variable() {
    let empty = Secret::resolve("${SLACK_WEBHOOK_URL}", |_| Some(OsString::new()));
    assert_eq!(
        empty.map(|s| s.to_string()),
        Err("${SLACK_WEBHOOK_URL} is set but empty".to_string())
    );
    let asked = std::cell::RefCell::new(String::new());
    let set = Secret::resolve("${SLACK_WEBHOOK_URL}", |name| {
        asked.replace(name.to_string());
        Some(OsString::from("https://hooks.example.com/T/B/x"))
    });
    assert_eq!(asked.borrow().as_str(), "SLACK_WEBHOOK_URL");
    assert_eq!(
        set.as_ref().map(|s| s.expose()),
        Ok("https://hooks.example.com/T/B/x")
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let bad = Secret::resolve("${X_TOKEN}", |_| Some(OsString::from_vec(vec![0xff, 0xfe])));
        assert_eq!(
            bad.map(|s| s.to_string()),
            Err("${X_TOKEN} is not valid UTF-8".to_string())
        );
    }
}

#[test]
fn a_reference_not_of_the_dollar_brace_form_is_refused_without_echoing_it() {
    for reference in [
        "xoxb-1234-LITERALTOKEN",
        "$SLACK_TOKEN",
        "${}",
        "${1ABC}",
        "${A-B}",
        "${SLACK_TOKEN",
        " ${SLACK_TOKEN}",
        "https://hooks.slack.com/services/LITERAL",
    ] {
        let result = Secret::resolve(reference, |_| Some(OsString::from("value")));
        let Err(why) = result else {
            panic!("{reference} was read");
        };
        assert!(why.starts_with("a secret is written as ${NAME}"), "{why}");
        assert!(
            !why.contains("LITERAL") && !why.contains("SLACK_TOKEN"),
            "{why}"
        );
    }
    assert!(Secret::resolve("${_A1}", |_| Some(OsString::from("v"))).is_ok());
}

#[test]
fn a_secret_shows_only_its_name() {
    let secret = Secret::new("SLACK_BOT_TOKEN", "xoxb-DISTINCTIVE-VALUE");
    assert_eq!(format!("{secret:?}"), "${SLACK_BOT_TOKEN}");
    assert_eq!(format!("{secret}"), "${SLACK_BOT_TOKEN}");
    assert_eq!(format!("{secret:#?}"), "${SLACK_BOT_TOKEN}");
    let endpoints = Endpoints {
        slack_token: Some(secret),
        ..Endpoints::default()
    };
    let shown = format!("{endpoints:?} {endpoints:#?}");
    assert!(shown.contains("${SLACK_BOT_TOKEN}"));
    assert!(!shown.contains("DISTINCTIVE"), "{shown}");
}

#[test]
fn scrub_replaces_a_secret_and_the_parts_of_its_url_that_give_it_away() {
    let endpoints = Endpoints {
        slack_webhook: Some(Secret::new(
            "SLACK_WEBHOOK_URL",
            "https://hooks.example.com/services/T0AAA/B0BBB/QQSECRETQQ",
        )),
        smtp: Some(Secret::new(
            "SMTP_URL",
            "smtp://dana:p%40SECRETPW@mail.example.com:587",
        )),
        ..Endpoints::default()
    };
    let text = "https://hooks.example.com/services/T0AAA/B0BBB/QQSECRETQQ; \
                no_service for /services/T0AAA/B0BBB/QQSECRETQQ; \
                535 bad password p@SECRETPW or p%40SECRETPW";
    assert_eq!(
        endpoints.scrub(text),
        "${SLACK_WEBHOOK_URL}; no_service for ${SLACK_WEBHOOK_URL}; \
         535 bad password ${SMTP_URL} or ${SMTP_URL}"
    );
}

/// The distinctive marker every secret value below carries.
const MARK: &str = "SECRETMARK";

/// Send each case: none is sent, and no secret value shows in what comes back (or in the
/// endpoints' `Debug`); the failure names the variable instead.
fn assert_hidden(cases: &[(Channel, &str, Endpoints)]) {
    let data = digest();
    for (channel, to, endpoints) in cases {
        let msg = outgoing(*channel, to, &data);
        let (delivery, _) = timed(&msg, endpoints, quick());
        let shown = format!("{delivery:?} {delivery:#?} {endpoints:?}");
        assert!(!delivery.is_sent(), "{shown}");
        assert!(!shown.contains(MARK), "a secret shows in: {shown}");
        let named = ["${SLACK_", "${TEAMS_", "${PIPELINT_", "${SMTP_"];
        assert!(
            named.iter().any(|n| why(&delivery).contains(n)),
            "{delivery:?}"
        );
    }
}

#[test]
fn no_secret_value_appears_in_any_http_delivery() {
    // An HTTP server that echoes what it was sent, path and all, in its errors.
    let echo_400 = Receiver::start(vec![Reply::with(
        400,
        &[],
        "no_service for /hooks/SECRETMARK-path-7f3a9",
    )]);
    let always_500 = Receiver::start(vec![Reply::with(
        500,
        &[],
        "upstream /hooks/SECRETMARK-path-7f3a9 down",
    )]);
    let slack_api = Receiver::start(vec![Reply::with(
        200,
        &[],
        r#"{"ok": false, "error": "invalid_auth SECRETMARK-token-1"}"#,
    )]);
    let silent = Receiver::start(vec![Reply::Silent]);

    let hook = |receiver: &Receiver| receiver.url("/hooks/SECRETMARK-path-7f3a9");
    let cases: Vec<(Channel, &str, Endpoints)> = vec![
        (
            Channel::Slack,
            "",
            Endpoints {
                slack_webhook: Some(Secret::new("SLACK_WEBHOOK_URL", hook(&echo_400))),
                ..Endpoints::default()
            },
        ),
        (
            Channel::Slack,
            "#pipeline",
            Endpoints {
                slack_webhook: Some(Secret::new("SLACK_WEBHOOK_URL", hook(&always_500))),
                ..Endpoints::default()
            },
        ),
        (
            Channel::Slack,
            "U012AB3CD",
            Endpoints {
                slack_token: Some(Secret::new("SLACK_BOT_TOKEN", "SECRETMARK-token-1")),
                slack_api: slack_api.url("/api"),
                ..Endpoints::default()
            },
        ),
        (
            Channel::Teams,
            "",
            Endpoints {
                teams_webhook: Some(Secret::new(
                    "TEAMS_WEBHOOK_URL",
                    refused_url("/workflows/SECRETMARK-teams-2"),
                )),
                ..Endpoints::default()
            },
        ),
        (
            Channel::Teams,
            "",
            Endpoints {
                teams_webhook: Some(Secret::new("TEAMS_WEBHOOK_URL", hook(&silent))),
                ..Endpoints::default()
            },
        ),
        (
            Channel::Webhook,
            "Dana",
            Endpoints {
                webhook: Some(Secret::new("PIPELINT_WEBHOOK_URL", hook(&echo_400))),
                webhook_secret: Some(Secret::new("PIPELINT_WEBHOOK_SECRET", "SECRETMARK-hmac")),
                ..Endpoints::default()
            },
        ),
        (
            Channel::Webhook,
            "Dana",
            Endpoints {
                webhook: Some(Secret::new(
                    "PIPELINT_WEBHOOK_URL",
                    "htp:/broken SECRETMARK url",
                )),
                ..Endpoints::default()
            },
        ),
        (
            Channel::Webhook,
            "Dana",
            Endpoints {
                webhook: Some(Secret::new(
                    "PIPELINT_WEBHOOK_URL",
                    "http://[SECRETMARK-not-a-host]/x",
                )),
                ..Endpoints::default()
            },
        ),
    ];
    assert_hidden(&cases);
}

#[test]
fn no_secret_value_appears_in_any_email_delivery() {
    let sink_without_starttls = Sink::start(&["250 2.1.0 ok"]);
    let sink_550 = Sink::start(&["550 5.7.8 bad credentials for SECRETMARK-pass-3"]);
    let cases: Vec<(Channel, &str, Endpoints)> = vec![
        (
            Channel::Email,
            "dana@example.com",
            Endpoints {
                smtp: Some(Secret::new(
                    "SMTP_URL",
                    format!(
                        "smtp://dana:SECRETMARK-pass-3@127.0.0.1:{}",
                        sink_without_starttls.port()
                    ),
                )),
                email_from: Some("pipelint@example.com".to_string()),
                ..Endpoints::default()
            },
        ),
        (
            Channel::Email,
            "dana@example.com",
            Endpoints {
                smtp: Some(Secret::new(
                    "SMTP_URL",
                    format!(
                        "smtp://dana:SECRETMARK-pass-3@127.0.0.1:{}?tls=none",
                        sink_550.port()
                    ),
                )),
                email_from: Some("pipelint@example.com".to_string()),
                ..Endpoints::default()
            },
        ),
        (
            Channel::Email,
            "dana@example.com",
            Endpoints {
                smtp: Some(Secret::new(
                    "SMTP_URL",
                    "smtp://dana:SECRETMARK-pass-3@relay.example.invalid?tls=none",
                )),
                email_from: Some("pipelint@example.com".to_string()),
                ..Endpoints::default()
            },
        ),
        (
            Channel::Email,
            "dana@example.com",
            Endpoints {
                smtp: Some(Secret::new("SMTP_URL", "ftp://SECRETMARK@host")),
                email_from: Some("pipelint@example.com".to_string()),
                ..Endpoints::default()
            },
        ),
    ];
    assert_hidden(&cases);
}
