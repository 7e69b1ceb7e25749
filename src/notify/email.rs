//! Email: a multipart/alternative message (text and HTML) over SMTP with lettre's
//! blocking transport and rustls.
//!
//! The server is a URL in a secret: `smtp://user:pass@host:587` requires STARTTLS (a
//! server that does not offer it gets nothing, not even the password), `smtps://…:465`
//! is TLS from the first byte, and `?tls=none` (plain text) is accepted for a loopback
//! host only, for a local relay. An SMTP 4xx or a connection problem is tried again; a
//! 5xx is final.

use std::error::Error as _;
use std::fmt::{self, Write as _};
use std::io::ErrorKind;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};

use super::retry::span;
use super::{Attempt, Budget, Delivery, Endpoints, Outgoing, Secret, retry, shorten};
use crate::words::quote;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Security {
    /// `smtp://`: plain, then STARTTLS before anything else, or nothing is sent.
    StartTls,
    /// `smtps://`: TLS from the start.
    Implicit,
    /// `?tls=none` to a loopback host: plain text throughout.
    Plain,
}

/// The mail server a `smtp://` or `smtps://` URL names. `Debug` leaves the password out.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Server {
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) security: Security,
    /// User and password, percent-decoded; none when the URL has no user.
    pub(super) credentials: Option<(String, String)>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish_non_exhaustive()
    }
}

/// The server `secret` names. Errors name the secret and what is wrong, never the URL.
pub(super) fn server(secret: &Secret) -> Result<Server, String> {
    let shape = || {
        format!(
            "{secret} is not an SMTP URL (smtp://user:password@host:587 or \
             smtps://user:password@host:465)"
        )
    };
    let url = url::Url::parse(secret.expose()).map_err(|_| shape())?;
    let (mut security, default_port) = match url.scheme() {
        "smtp" => (Security::StartTls, 587),
        "smtps" => (Security::Implicit, 465),
        _ => return Err(shape()),
    };
    let (host, loopback) = match url.host() {
        Some(url::Host::Domain(name)) if !name.is_empty() => {
            let loopback = name.eq_ignore_ascii_case("localhost")
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            (name.to_string(), loopback)
        }
        Some(url::Host::Ipv4(ip)) => (ip.to_string(), ip.is_loopback()),
        Some(url::Host::Ipv6(ip)) => (ip.to_string(), ip.is_loopback()),
        _ => return Err(shape()),
    };
    for (key, value) in url.query_pairs() {
        match (key.as_ref(), value.as_ref(), security) {
            ("tls", "none", Security::StartTls) if loopback => security = Security::Plain,
            ("tls", "none", Security::StartTls) => {
                return Err(format!(
                    "{secret} asks for tls=none, which sends mail and password in the clear: \
                     it is allowed only for a loopback host (127.0.0.1, ::1, localhost), \
                     and this host is not one"
                ));
            }
            ("tls", "required", Security::StartTls) => {}
            _ => {
                return Err(format!(
                    "{secret} has an option this sender does not know ({}): the one option \
                     is tls=none, for a loopback relay",
                    quote(&key)
                ));
            }
        }
    }
    let decode = |part: &str, what: &str| {
        percent_decode_str(part)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| format!("{secret}: the {what} is not UTF-8 once percent-decoded"))
    };
    let credentials = match url.username() {
        "" => None,
        user => Some((
            decode(user, "user")?,
            decode(url.password().unwrap_or(""), "password")?,
        )),
    };
    Ok(Server {
        host,
        port: url.port().unwrap_or(default_port),
        security,
        credentials,
    })
}

pub(super) fn send(msg: &Outgoing<'_>, endpoints: &Endpoints, budget: &Budget) -> Delivery {
    let refuse = |why: String| Delivery::Failed { attempts: 0, why };
    let Some(smtp) = &endpoints.smtp else {
        return refuse("email: no SMTP server is configured".to_string());
    };
    let route = format!("email via {smtp}");
    let server = match server(smtp) {
        Ok(server) => server,
        Err(why) => return refuse(format!("email: {why}")),
    };
    let message = match message(msg, endpoints.email_from.as_deref()) {
        Ok(message) => message,
        Err(why) => return refuse(format!("{route}: {why}")),
    };
    retry::deliver(&route, budget, |timeout| {
        attempt(&server, &message, timeout)
    })
}

/// The message: From, To, Subject, a `Message-ID` derived from the idempotency key (the
/// same on every retry, so a mailbox can tell a duplicate), and the text and HTML parts
/// (the text alone when there is no HTML).
pub(super) fn message(msg: &Outgoing<'_>, from: Option<&str>) -> Result<Message, String> {
    let Some(from) = from else {
        return Err("no sender address is configured".to_string());
    };
    let from: Mailbox = from
        .parse()
        .map_err(|_| format!("the sender {} is not an email address", quote(from)))?;
    let to: Mailbox = msg
        .to
        .parse()
        .map_err(|_| format!("{} is not an email address", quote(msg.to)))?;
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(msg.subject)
        .message_id(Some(message_id(msg.key)));
    let built = if msg.html.trim().is_empty() {
        builder.singlepart(SinglePart::plain(msg.text.to_string()))
    } else {
        builder.multipart(MultiPart::alternative_plain_html(
            msg.text.to_string(),
            msg.html.to_string(),
        ))
    };
    built.map_err(|e| format!("the message could not be built ({e})"))
}

/// `<first 32 hex digits of SHA-256(key)@pipelint>`: a valid id whatever the key holds.
fn message_id(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let mut id = String::from("<");
    for byte in &digest[..16] {
        let _ = write!(id, "{byte:02x}");
    }
    id.push_str("@pipelint>");
    id
}

/// One SMTP session: connect (with TLS as the URL says), authenticate, send.
fn attempt(server: &Server, message: &Message, timeout: Duration) -> Attempt {
    let parameters = || {
        TlsParameters::new(server.host.clone())
            .map_err(|_| Attempt::Fail("TLS could not be set up for this host".to_string()))
    };
    let tls = match server.security {
        Security::Plain => Tls::None,
        Security::StartTls => match parameters() {
            Ok(p) => Tls::Required(p),
            Err(fail) => return fail,
        },
        Security::Implicit => match parameters() {
            Ok(p) => Tls::Wrapper(p),
            Err(fail) => return fail,
        },
    };
    let mut builder = SmtpTransport::builder_dangerous(server.host.as_str())
        .port(server.port)
        .tls(tls)
        .timeout(Some(timeout));
    if let Some((user, password)) = &server.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    match builder.build().send(message) {
        Ok(_) => Attempt::Done,
        Err(e) => failed(&e, server.security, timeout),
    }
}

/// What a failed session means: a 4xx, a timeout or a dropped connection is worth another
/// try; a 5xx, TLS trouble or a server without STARTTLS is not.
fn failed(e: &lettre::transport::smtp::Error, security: Security, timeout: Duration) -> Attempt {
    let detail = e
        .source()
        .map(|s| shorten(s.to_string().trim(), 200))
        .unwrap_or_default();
    let answered = |code: String| match detail.as_str() {
        "" => format!("the mail server answered {code}"),
        text => format!("the mail server answered {code}: {text}"),
    };
    if let Some(code) = e.status() {
        return if e.is_transient() {
            Attempt::Retry(answered(code.to_string()))
        } else {
            Attempt::Fail(answered(code.to_string()))
        };
    }
    if e.is_timeout() {
        return Attempt::Retry(format!("no answer within {}", span(timeout)));
    }
    if e.is_tls() {
        return Attempt::Fail(format!("TLS failed ({detail})"));
    }
    if e.is_client() {
        if security == Security::StartTls && detail.contains("STARTTLS") {
            return Attempt::Fail(
                "the server does not offer STARTTLS, which smtp:// requires (neither mail \
                 nor password was sent; smtps:// is TLS from the start)"
                    .to_string(),
            );
        }
        return Attempt::Fail(format!("not sent ({detail})"));
    }
    match io_kind(e) {
        // TLS trouble under an implicit-TLS connection (an untrusted certificate, a
        // server that does not speak TLS) surfaces as invalid data.
        Some(ErrorKind::InvalidData) => Attempt::Fail(format!("TLS failed ({detail})")),
        Some(ErrorKind::ConnectionRefused) => Attempt::Retry("connection refused".to_string()),
        Some(ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => {
            Attempt::Retry("connection reset".to_string())
        }
        Some(ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
            Attempt::Retry(format!("no answer within {}", span(timeout)))
        }
        Some(kind) => Attempt::Retry(format!("network error ({kind})")),
        None if e.is_response() => {
            Attempt::Fail("the mail server's answer was not valid SMTP".to_string())
        }
        None => Attempt::Retry(format!("could not reach the mail server ({detail})")),
    }
}

/// The kind of the I/O error under `e`, if there is one.
fn io_kind(e: &lettre::transport::smtp::Error) -> Option<ErrorKind> {
    let mut source = e.source();
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = err.source();
    }
    None
}
