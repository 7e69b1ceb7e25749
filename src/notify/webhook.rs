//! The generic JSON webhook: the message and its structured digest, signed when the
//! rules give it a secret.

use std::fmt::Write as _;

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::http::{self, Answer, Post};
use super::{Budget, Delivery, Endpoints, Outgoing, Secret, retry};

pub(super) fn send(msg: &Outgoing<'_>, endpoints: &Endpoints, budget: &Budget) -> Delivery {
    let Some(url) = &endpoints.webhook else {
        return Delivery::Failed {
            attempts: 0,
            why: "webhook: no URL is configured".to_string(),
        };
    };
    let route = format!("webhook {url}");
    let body = body(msg);
    let signature = match &endpoints.webhook_secret {
        None => None,
        Some(secret) => match signature(secret, &body) {
            Some(signature) => Some(signature),
            None => {
                return Delivery::Failed {
                    attempts: 0,
                    why: format!("{route}: {secret} cannot key an HMAC"),
                };
            }
        },
    };
    let post = Post {
        url: url.expose(),
        shown: url.to_string(),
        body: &body,
        key: msg.key,
        bearer: None,
        signature: signature.as_deref(),
        answer: Answer::Status,
    };
    match http::target(&post) {
        Ok(target) => retry::deliver(&route, budget, |timeout| {
            http::post(&post, &target, timeout)
        }),
        Err(why) => Delivery::Failed {
            attempts: 0,
            why: format!("{route}: {why}"),
        },
    }
}

/// `{"key", "recipient", "subject", "text", "digest"}` as the bytes that are sent (and
/// signed).
pub(super) fn body(msg: &Outgoing<'_>) -> Vec<u8> {
    let body = json!({
        "key": msg.key,
        "recipient": msg.to,
        "subject": msg.subject,
        "text": msg.text,
        "digest": msg.data,
    });
    body.to_string().into_bytes()
}

/// `sha256=<hex>`: the HMAC-SHA256 of `body` keyed with the secret, in lower-case hex, as
/// `X-Pipelint-Signature` carries it. A receiver recomputes it over the raw body it got.
/// (HMAC takes a key of any length, so `None` does not happen; it is handled rather than
/// unwrapped all the same.)
pub(super) fn signature(secret: &Secret, body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).ok()?;
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256=");
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    Some(hex)
}
