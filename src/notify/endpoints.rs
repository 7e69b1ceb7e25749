//! Where each channel sends: what `[notify.*]` in the rules resolve to.

use percent_encoding::percent_decode_str;

use super::Secret;

/// Slack's Web API, where `chat.postMessage` lives.
pub(crate) const SLACK_API: &str = "https://slack.com/api";

/// The endpoints of one run, each secret read from the environment. `Debug` shows only
/// the secrets' `${NAME}`s.
#[derive(Debug, Clone)]
pub(crate) struct Endpoints {
    /// Slack's incoming webhook URL: messages to `""` or a `#channel`.
    pub(crate) slack_webhook: Option<Secret>,
    /// A Slack bot token (`xoxb-…`): messages to a member id, by `chat.postMessage`.
    pub(crate) slack_token: Option<Secret>,
    /// Slack's Web API base, [`SLACK_API`] unless a test points it elsewhere.
    pub(crate) slack_api: String,
    /// A Teams workflow webhook URL (one that posts an Adaptive Card to a channel).
    pub(crate) teams_webhook: Option<Secret>,
    /// `smtp://user:pass@host:587` (STARTTLS required), `smtps://user:pass@host:465`
    /// (implicit TLS), or for a loopback host only `smtp://127.0.0.1:PORT?tls=none`
    /// (plain, for a local relay). User and password are percent-decoded.
    pub(crate) smtp: Option<Secret>,
    /// The sender, `pipelint@example.com` or `Pipeline bot <pipelint@example.com>`.
    pub(crate) email_from: Option<String>,
    /// The generic webhook's URL.
    pub(crate) webhook: Option<Secret>,
    /// The key of the generic webhook's `X-Pipelint-Signature` (HMAC-SHA256 of the body).
    pub(crate) webhook_secret: Option<Secret>,
}

impl Default for Endpoints {
    fn default() -> Self {
        Endpoints {
            slack_webhook: None,
            slack_token: None,
            slack_api: SLACK_API.to_string(),
            teams_webhook: None,
            smtp: None,
            email_from: None,
            webhook: None,
            webhook_secret: None,
        }
    }
}

impl Endpoints {
    fn secrets(&self) -> impl Iterator<Item = &Secret> {
        [
            &self.slack_webhook,
            &self.slack_token,
            &self.teams_webhook,
            &self.smtp,
            &self.webhook,
            &self.webhook_secret,
        ]
        .into_iter()
        .flatten()
    }

    /// `text` with every secret, and every part of a secret URL that is itself secret
    /// (a web URL's path and query, which hold a webhook's token, and a password), replaced by
    /// the secret's `${NAME}`. Each `why` passes through here: a server may echo the path
    /// it was sent, and an error may carry more than it should.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut fragments: Vec<(String, String)> = Vec::new();
        for secret in self.secrets() {
            let shown = format!("${{{}}}", secret.name());
            for fragment in secret_parts(secret.expose()) {
                fragments.push((fragment, shown.clone()));
            }
        }
        // The longest first, so that a whole URL goes before its path.
        fragments.sort_by_key(|(fragment, _)| std::cmp::Reverse(fragment.len()));
        let mut out = text.to_string();
        for (fragment, shown) in fragments {
            if out.contains(&fragment) {
                out = out.replace(&fragment, &shown);
            }
        }
        out
    }
}

/// The strings that give a secret away: the value, and for a URL its path, its query (a
/// web URL's) and its password, raw and percent-decoded. Short parts of a URL (`/`, a one-letter password)
/// are left alone: replacing them would garble the sentence without hiding anything.
fn secret_parts(value: &str) -> Vec<String> {
    const SHORTEST: usize = 6;
    let mut parts = Vec::new();
    if let Ok(url) = url::Url::parse(value) {
        let path = url.path();
        parts.push(path.to_string());
        // A web URL's query may carry its signature (`?sig=…` on a Teams workflow); an
        // SMTP URL's holds options (`tls=none`), which may be named.
        if matches!(url.scheme(), "http" | "https") {
            parts.extend(url.query().map(str::to_string));
        }
        if let Some(password) = url.password() {
            parts.push(password.to_string());
            if let Ok(decoded) = percent_decode_str(password).decode_utf8() {
                parts.push(decoded.into_owned());
            }
        }
        if let Ok(decoded) = percent_decode_str(path).decode_utf8() {
            parts.push(decoded.into_owned());
        }
    }
    parts.retain(|p| p.chars().count() >= SHORTEST);
    if !value.is_empty() {
        parts.push(value.to_string());
    }
    parts
}
