//! Message delivery: one rendered message to one recipient over one channel, reliably.
//!
//! `pipelint act` renders each recipient's digest and hands it here as an [`Outgoing`]
//! with the run's [`Endpoints`] (what `[notify.*]` in the rules resolve to) and the run's
//! [`Budget`]; [`send`] answers with a [`Delivery`]: sent after how many attempts, or
//! failed and why. It never panics on what a server or the user controls and never takes
//! longer than the budget allows.
//!
//! - **Channels**: Slack (Block Kit, by incoming webhook, or by bot token and
//!   `chat.postMessage` for a member id), Teams (an Adaptive Card to a workflow webhook),
//!   email (SMTP with STARTTLS or implicit TLS, text and HTML parts) and a generic JSON
//!   webhook, signed with `X-Pipelint-Signature` when it has a secret.
//! - **Retries** (the [`Policy`]): 5xx answers, timeouts and connection trouble (refused,
//!   reset) are tried again after a doubling backoff up to `attempts`; a 429 waits its
//!   `Retry-After` when that is short enough; any other 4xx, and Slack's `ok: false`, fail
//!   at once. Every HTTP request carries `Idempotency-Key` so a receiver can drop the
//!   duplicate a retry after a lost answer would make; an email's `Message-ID` is derived
//!   from the same key.
//! - **Secrets** ([`Secret`]) print as their `${NAME}` only. A failure names the channel,
//!   the variable and what the server answered, never a URL or token: every `why` is
//!   scrubbed of every endpoint's secret (and of the parts of a URL that carry one) before
//!   it leaves this module.
//!
//! Nothing here knows playbooks, the outbox or the team file: the caller decides what to
//! send and records what happened.

mod email;
mod endpoints;
mod http;
mod retry;
mod secret;
mod slack;
mod teams;
mod webhook;

#[cfg(test)]
mod tests;

use std::fmt;

pub(crate) use endpoints::Endpoints;
pub(crate) use retry::{Budget, Policy};
pub(crate) use secret::Secret;

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Channel {
    Slack,
    Teams,
    Email,
    Webhook,
}

impl Channel {
    /// Every channel, in the order the rules and the documentation list them.
    pub(crate) const ALL: [Channel; 4] = [
        Channel::Slack,
        Channel::Teams,
        Channel::Email,
        Channel::Webhook,
    ];

    /// The channel's name as the rules write it: `slack`, `teams`, `email`, `webhook`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Channel::Slack => "slack",
            Channel::Teams => "teams",
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }

    /// The channel named `name` (as [`Channel::name`] writes it), if there is one.
    pub(crate) fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One rendered message for one recipient.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outgoing<'a> {
    /// The outbox's idempotency key: `Idempotency-Key` on every HTTP channel, the source
    /// of an email's `Message-ID`, `key` in the generic webhook's body.
    pub(crate) key: &'a str,
    pub(crate) channel: Channel,
    /// Slack: a member id (`U…`/`W…`, sent with the bot token by `chat.postMessage`), or
    /// `""` / `#channel` (sent to the incoming webhook, which posts to its own channel).
    /// Teams: `""` (the webhook's channel) or a handle, mentioned at the start of the text.
    /// Email: the address. Webhook: the recipient's name, `recipient` in the body.
    pub(crate) to: &'a str,
    pub(crate) subject: &'a str,
    /// The plain-text body, which is also Slack's mrkdwn.
    pub(crate) text: &'a str,
    /// The HTML body: email's HTML part (left out when empty).
    pub(crate) html: &'a str,
    /// The structured digest: `digest` in the generic webhook's body.
    pub(crate) data: &'a serde_json::Value,
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// The server took it (a 2xx; Slack's `ok: true`; the mail server's 250 after DATA).
    Sent { attempts: u32 },
    /// Not delivered. `attempts` is how many requests were made (0: none, the
    /// configuration or the budget stopped it first); `why` is one sentence naming the
    /// route (`slack webhook ${SLACK_WEBHOOK_URL}`) and what went wrong, with no secret.
    Failed { attempts: u32, why: String },
}

/// Send `msg` over its channel with `endpoints`, retrying as the budget's [`Policy`] says,
/// never past what is left of `budget`. Blocks until sent, failed, or out of budget.
pub(crate) fn send(msg: &Outgoing<'_>, endpoints: &Endpoints, budget: &Budget) -> Delivery {
    let delivery = match msg.channel {
        Channel::Slack => slack::send(msg, endpoints, budget),
        Channel::Teams => teams::send(msg, endpoints, budget),
        Channel::Email => email::send(msg, endpoints, budget),
        Channel::Webhook => webhook::send(msg, endpoints, budget),
    };
    match delivery {
        Delivery::Failed { attempts, why } => Delivery::Failed {
            attempts,
            why: endpoints.scrub(&why),
        },
        sent => sent,
    }
}

/// What one attempt came to; [`retry::deliver`] decides what follows.
#[derive(Debug)]
enum Attempt {
    /// Delivered.
    Done,
    /// Worth trying again after the backoff: a 5xx, a timeout, a refused or reset
    /// connection, an SMTP 4xx.
    Retry(String),
    /// Rate limited: try again after the server's `Retry-After` (the backoff without one).
    RetryAfter(Option<std::time::Duration>, String),
    /// Trying again would not help: any other 4xx, Slack's `ok: false`, an SMTP 5xx, TLS.
    Fail(String),
}

/// `text` cut to at most `max` characters, with `…` when cut.
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
