//! Email through a plain SMTP sink on 127.0.0.1 (`smtp://127.0.0.1:PORT?tls=none`), and
//! the SMTP URL's rules: STARTTLS required, implicit TLS for smtps://, plain text for a
//! loopback relay only.

use std::time::Duration;

use base64::Engine as _;

use super::sink::Sink;
use super::*;
use crate::notify::email::{Security, Server, server};

fn endpoints(smtp: String) -> Endpoints {
    Endpoints {
        smtp: Some(Secret::new("SMTP_URL", smtp)),
        email_from: Some("Pipelint <pipelint@example.com>".to_string()),
        ..Endpoints::default()
    }
}

#[test]
fn email_reaches_a_local_relay_with_text_and_html() {
    let sink = Sink::start(&["250 2.1.0 ok"]);
    let data = digest();
    let msg = outgoing(Channel::Email, "dana@example.com", &data);
    let (delivery, _) = timed(&msg, &endpoints(sink.url()), quick());
    assert_eq!(delivery, Delivery::Sent { attempts: 1 });

    let sessions = sink.sessions();
    assert_eq!(sessions.len(), 1);
    let session = &sessions[0];
    assert!(
        session
            .commands
            .contains(&"MAIL FROM:<pipelint@example.com>".to_string()),
        "{:?}",
        session.commands
    );
    assert!(
        session
            .commands
            .contains(&"RCPT TO:<dana@example.com>".to_string())
    );
    assert!(!session.sent("AUTH"), "no user, no AUTH");
    let data = session.data.as_deref().unwrap_or_default();
    for expected in [
        "From: Pipelint <pipelint@example.com>\r\n",
        "To: dana@example.com\r\n",
        "Subject: 3 deals need you this week\r\n",
        "Content-Type: multipart/alternative;",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Type: text/html; charset=utf-8",
        "*Globex - Data Warehouse Expansion*: no activity for 49 days",
        "<p><b>Globex - Data Warehouse Expansion</b>: no activity for 49 days</p>",
    ] {
        assert!(data.contains(expected), "{expected:?} not in:\n{data}");
    }
    // The plain part comes first: a client shows the last part it can render.
    let plain = data.find("text/plain").unwrap_or(usize::MAX);
    let html = data.find("text/html").unwrap_or(0);
    assert!(plain < html);
    // The Message-ID is the key's, the same on every retry.
    let id = data
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .unwrap_or_default();
    assert!(id.starts_with('<') && id.ends_with("@pipelint>"), "{id}");
    assert_eq!(id.len(), "<@pipelint>".len() + 32);
}

#[test]
fn email_without_html_is_text_alone() {
    let data = digest();
    let msg = Outgoing {
        html: "",
        ..outgoing(Channel::Email, "dana@example.com", &data)
    };
    let formatted = crate::notify::email::message(&msg, Some("pipelint@example.com"))
        .map(|m| String::from_utf8_lossy(&m.formatted()).into_owned())
        .unwrap_or_default();
    assert!(formatted.contains("Content-Type: text/plain; charset=utf-8"));
    assert!(!formatted.contains("text/html"));
    assert!(!formatted.contains("multipart"));
}

#[test]
fn email_credentials_come_percent_decoded_from_the_url() {
    let sink = Sink::start(&["250 2.1.0 ok"]);
    let url = format!(
        "smtp://dana%40example.com:p%40ss%20w%3Ard@127.0.0.1:{}?tls=none",
        sink.port()
    );
    let data = digest();
    let (delivery, _) = timed(
        &outgoing(Channel::Email, "dana@example.com", &data),
        &endpoints(url),
        quick(),
    );
    assert_eq!(delivery, Delivery::Sent { attempts: 1 });
    let sessions = sink.sessions();
    let auth = sessions[0]
        .commands
        .iter()
        .find(|c| c.starts_with("AUTH PLAIN "))
        .cloned()
        .unwrap_or_default();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth.trim_start_matches("AUTH PLAIN "))
        .unwrap_or_default();
    assert_eq!(decoded, b"\0dana@example.com\0p@ss w:rd");
}

#[test]
fn a_451_to_mail_is_retried() {
    let sink = Sink::start(&["451 4.3.0 try again later", "250 2.1.0 ok"]);
    let data = digest();
    let (delivery, took) = timed(
        &outgoing(Channel::Email, "dana@example.com", &data),
        &endpoints(sink.url()),
        quick(),
    );
    assert_eq!(delivery, Delivery::Sent { attempts: 2 });
    let sessions = sink.sessions();
    assert_eq!(sessions.len(), 2);
    assert!(sessions[0].data.is_none());
    assert!(sessions[1].data.is_some());
    assert!(took >= Duration::from_millis(50), "took {took:?}");
}

#[test]
fn a_550_fails_at_once() {
    let sink = Sink::start(&["550 5.7.1 sender rejected"]);
    let data = digest();
    let (delivery, _) = timed(
        &outgoing(Channel::Email, "dana@example.com", &data),
        &endpoints(sink.url()),
        quick(),
    );
    assert_eq!(
        delivery,
        Delivery::Failed {
            attempts: 1,
            why: "email via ${SMTP_URL}: the mail server answered 550: 5.7.1 sender rejected"
                .to_string()
        }
    );
    assert_eq!(sink.sessions().len(), 1);
}

#[test]
fn always_451_gives_up_after_the_policy_s_attempts() {
    let sink = Sink::start(&["451 4.3.0 try again later"]);
    let data = digest();
    let (delivery, _) = timed(
        &outgoing(Channel::Email, "dana@example.com", &data),
        &endpoints(sink.url()),
        quick(),
    );
    assert_eq!(delivery.attempts(), 3);
    assert!(why(&delivery).contains("451"), "{delivery:?}");
    assert_eq!(sink.sessions().len(), 3);
}

#[test]
fn smtp_without_tls_none_requires_starttls_and_sends_nothing_in_the_clear() {
    let sink = Sink::start(&["250 2.1.0 ok"]);
    let url = format!("smtp://dana:hunter22@127.0.0.1:{}", sink.port());
    let data = digest();
    let (delivery, _) = timed(
        &outgoing(Channel::Email, "dana@example.com", &data),
        &endpoints(url),
        quick(),
    );
    assert_eq!(delivery.attempts(), 1);
    assert!(
        why(&delivery).contains("does not offer STARTTLS"),
        "{delivery:?}"
    );
    let sessions = sink.sessions();
    assert!(!sessions[0].sent("AUTH"), "{:?}", sessions[0].commands);
    assert!(!sessions[0].sent("MAIL"), "{:?}", sessions[0].commands);
}

#[test]
fn tls_none_is_refused_for_a_host_that_is_not_loopback() {
    // Hosts under .invalid never resolve: should this ever try to connect, it reaches
    // nothing (and counts an attempt, which fails the test).
    for url in [
        "smtp://relay.example.invalid:25?tls=none",
        "smtp://user:pw@smtp.invalid?tls=none",
    ] {
        let data = digest();
        let (delivery, _) = timed(
            &outgoing(Channel::Email, "dana@example.com", &data),
            &endpoints(url.to_string()),
            quick(),
        );
        assert_eq!(delivery.attempts(), 0, "{url}");
        assert!(
            why(&delivery).starts_with(
                "email: ${SMTP_URL} asks for tls=none, which sends mail and password in the clear"
            ),
            "{delivery:?}"
        );
    }
}

#[test]
fn smtp_urls_are_read_as_the_rules_document_them() {
    let read = |url: &str| server(&Secret::new("SMTP_URL", url));
    let server_of = |host: &str, port, security, credentials: Option<(&str, &str)>| Server {
        host: host.to_string(),
        port,
        security,
        credentials: credentials.map(|(u, p)| (u.to_string(), p.to_string())),
    };
    assert_eq!(
        read("smtp://user:pass@mail.example.com"),
        Ok(server_of(
            "mail.example.com",
            587,
            Security::StartTls,
            Some(("user", "pass"))
        ))
    );
    assert_eq!(
        read("smtps://user:pass@mail.example.com"),
        Ok(server_of(
            "mail.example.com",
            465,
            Security::Implicit,
            Some(("user", "pass"))
        ))
    );
    assert_eq!(
        read("smtp://mail.example.com:2525?tls=required"),
        Ok(server_of(
            "mail.example.com",
            2525,
            Security::StartTls,
            None
        ))
    );
    assert_eq!(
        read("smtp://localhost:25?tls=none"),
        Ok(server_of("localhost", 25, Security::Plain, None))
    );
    assert_eq!(
        read("smtp://[::1]:25?tls=none"),
        Ok(server_of("::1", 25, Security::Plain, None))
    );
    assert_eq!(
        read("smtp://127.0.0.2:25?tls=none"),
        Ok(server_of("127.0.0.2", 25, Security::Plain, None))
    );
    for bad in [
        "http://mail.example.com",
        "mail.example.com:587",
        "smtp://",
        "smtps://127.0.0.1:465?tls=none",
        "smtp://mail.example.com?tls=opportunistic",
        "smtp://mail.example.com?pool=true",
        "smtp://10.1.2.3:25?tls=none",
        "smtp://[2001:db8::1]:25?tls=none",
        "smtp://mail.example.com:25?tls=none",
    ] {
        let Err(why) = read(bad) else {
            panic!("{bad} was accepted");
        };
        assert!(why.starts_with("${SMTP_URL} "), "{why}");
        // The URL's host is not repeated (the URL is the secret's business).
        for host in ["example.com", "10.1.2.3", "2001:db8"] {
            assert!(!why.contains(host), "{why}");
        }
    }
    // The password is never in Debug.
    let Ok(parsed) = read("smtp://user:hunter22@mail.example.com") else {
        panic!("not read");
    };
    assert!(!format!("{parsed:?}").contains("hunter22"));
}

#[test]
fn a_bad_address_fails_before_connecting() {
    let sink = Sink::start(&["250 2.1.0 ok"]);
    let data = digest();
    let (delivery, _) = timed(
        &outgoing(Channel::Email, "not an address", &data),
        &endpoints(sink.url()),
        quick(),
    );
    assert_eq!(
        delivery,
        Delivery::Failed {
            attempts: 0,
            why: "email via ${SMTP_URL}: `not an address` is not an email address".to_string()
        }
    );
    let no_sender = Endpoints {
        email_from: None,
        ..endpoints(sink.url())
    };
    let (delivery, _) = timed(
        &outgoing(Channel::Email, "dana@example.com", &data),
        &no_sender,
        quick(),
    );
    assert_eq!(
        why(&delivery),
        "email via ${SMTP_URL}: no sender address is configured"
    );
    assert!(sink.sessions().is_empty());
}

#[test]
fn smtps_to_a_server_that_does_not_speak_tls_fails_at_once() {
    let sink = Sink::start(&["250 2.1.0 ok"]);
    let url = format!("smtps://dana:pw@127.0.0.1:{}", sink.port());
    let data = digest();
    let (delivery, _) = timed(
        &outgoing(Channel::Email, "dana@example.com", &data),
        &endpoints(url),
        quick(),
    );
    assert_eq!(delivery.attempts(), 1, "{delivery:?}");
    assert!(why(&delivery).contains("TLS failed"), "{delivery:?}");
    assert!(!sink.sessions().iter().any(|s| s.sent("MAIL")));
}

#[test]
fn a_subject_or_address_cannot_add_a_header() {
    let data = digest();
    let msg = Outgoing {
        subject: "Your deals\r\nBcc: someone@example.net",
        ..outgoing(Channel::Email, "dana@example.com", &data)
    };
    let formatted = crate::notify::email::message(&msg, Some("pipelint@example.com"))
        .map(|m| String::from_utf8_lossy(&m.formatted()).into_owned())
        .unwrap_or_default();
    assert!(formatted.contains("Subject: "), "{formatted}");
    assert!(!formatted.contains("\r\nBcc:"), "{formatted}");
    let msg = outgoing(
        Channel::Email,
        "dana@example.com\r\nBcc: someone@example.net",
        &data,
    );
    assert!(crate::notify::email::message(&msg, Some("pipelint@example.com")).is_err());
}
