//! Slack: a Block Kit message to an incoming webhook (for `""` or a `#channel`) or, with
//! the bot token, by `chat.postMessage` to a member id (a direct message).

use serde_json::{Value, json};

use super::http::{self, Answer, Post};
use super::{Budget, Delivery, Endpoints, Outgoing, retry, shorten};
use crate::words::quote;

/// A section block's text limit, in characters.
pub(super) const SECTION_MAX: usize = 3000;
/// A header block's text limit, in characters.
pub(super) const HEADER_MAX: usize = 150;
/// Blocks in one message.
pub(super) const BLOCKS_MAX: usize = 50;
/// The top-level `text` (the notification and fallback) is cut by Slack past this.
const TEXT_MAX: usize = 40_000;
/// Ends the last section when the text needed more blocks than a message holds.
const CUT_NOTE: &str = "\n_… cut here: the rest is longer than one Slack message holds._";

/// Where a Slack message goes.
#[derive(Debug, PartialEq, Eq)]
enum Route<'a> {
    /// The incoming webhook: its own channel.
    Webhook,
    /// `chat.postMessage` to this member id, with the bot token.
    Member(&'a str),
}

fn route(to: &str) -> Option<Route<'_>> {
    if to.is_empty() || to.starts_with('#') {
        Some(Route::Webhook)
    } else if is_member_id(to) {
        Some(Route::Member(to))
    } else {
        None
    }
}

/// A Slack member id: `U` (or `W`, an Enterprise Grid user) and upper-case letters and
/// digits, nine or more in all (`U012AB3CD`).
pub(super) fn is_member_id(to: &str) -> bool {
    to.len() >= 9
        && to.starts_with(['U', 'W'])
        && to
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

pub(super) fn send(msg: &Outgoing<'_>, endpoints: &Endpoints, budget: &Budget) -> Delivery {
    let refuse = |why: String| Delivery::Failed { attempts: 0, why };
    let Some(route) = route(msg.to) else {
        return refuse(format!(
            "slack: {} is neither a member id (U…) nor a #channel",
            quote(msg.to)
        ));
    };
    match route {
        Route::Webhook => {
            let Some(url) = &endpoints.slack_webhook else {
                return refuse("slack: no incoming webhook is configured".to_string());
            };
            let body = payload(msg, None).to_string();
            let post = Post {
                url: url.expose(),
                shown: url.to_string(),
                body: body.as_bytes(),
                key: msg.key,
                bearer: None,
                signature: None,
                answer: Answer::Status,
            };
            deliver(&format!("slack webhook {url}"), &post, budget)
        }
        Route::Member(member) => {
            let Some(token) = &endpoints.slack_token else {
                return refuse(format!(
                    "slack: a message to member {member} needs a bot token, and none is configured"
                ));
            };
            let url = format!(
                "{}/chat.postMessage",
                endpoints.slack_api.trim_end_matches('/')
            );
            let body = payload(msg, Some(member)).to_string();
            let post = Post {
                url: &url,
                shown: "the Slack API URL".to_string(),
                body: body.as_bytes(),
                key: msg.key,
                bearer: Some(token),
                signature: None,
                answer: Answer::SlackApi,
            };
            deliver(
                &format!("slack chat.postMessage with {token}"),
                &post,
                budget,
            )
        }
    }
}

fn deliver(route: &str, post: &Post<'_>, budget: &Budget) -> Delivery {
    match http::target(post) {
        Ok(target) => retry::deliver(route, budget, |timeout| http::post(post, &target, timeout)),
        Err(why) => Delivery::Failed {
            attempts: 0,
            why: format!("{route}: {why}"),
        },
    }
}

/// The message: `text` (notification and fallback), and `blocks`: a header with the
/// subject, then the text in sections under Slack's limits; `channel` for a member.
pub(super) fn payload(msg: &Outgoing<'_>, member: Option<&str>) -> Value {
    // The text is plain words from the export: nothing in it may become a mention
    // (`<!channel>`, `<@U…>`) or a link, so Slack's three control characters are escaped.
    let text = escape(msg.text);
    let mut payload = json!({
        "text": shorten(&text, TEXT_MAX),
        "blocks": blocks(msg.subject, &text),
    });
    if let Some(member) = member {
        payload["channel"] = json!(member);
    }
    payload
}

/// `&`, `<` and `>` as Slack's mrkdwn wants them escaped, so that a deal named
/// `<!channel> urgent` is shown, not acted on.
pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub(super) fn blocks(subject: &str, text: &str) -> Vec<Value> {
    let mut blocks = Vec::new();
    let subject = subject.trim();
    if !subject.is_empty() {
        blocks.push(json!({
            "type": "header",
            "text": {"type": "plain_text", "text": shorten(subject, HEADER_MAX - 1), "emoji": true},
        }));
    }
    let room = BLOCKS_MAX - blocks.len();
    let mut sections = sections(text, SECTION_MAX);
    if sections.len() > room {
        sections.truncate(room);
        if let Some(last) = sections.last_mut() {
            let keep = SECTION_MAX - CUT_NOTE.chars().count();
            let kept: String = last.chars().take(keep).collect();
            *last = format!("{kept}{CUT_NOTE}");
        }
    }
    blocks.extend(
        sections
            .into_iter()
            .map(|s| json!({"type": "section", "text": {"type": "mrkdwn", "text": s}})),
    );
    blocks
}

/// `text` in pieces of at most `max` characters, broken between lines where it can be
/// (so mrkdwn on one line stays whole), inside a line only when one line is too long.
/// Blank pieces are left out: Slack refuses an empty section.
pub(super) fn sections(text: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut len = 0;
    let mut started = false;
    for line in text.split('\n') {
        let line_len = line.chars().count();
        let separator = usize::from(started);
        if len + separator + line_len <= max {
            if started {
                current.push('\n');
            }
            current.push_str(line);
            len += separator + line_len;
            started = true;
            continue;
        }
        if started {
            pieces.push(std::mem::take(&mut current));
        }
        let mut rest = line;
        while let Some((at, _)) = rest.char_indices().nth(max) {
            pieces.push(rest[..at].to_string());
            rest = &rest[at..];
        }
        current = rest.to_string();
        len = rest.chars().count();
        started = true;
    }
    if started {
        pieces.push(current);
    }
    pieces.retain(|p| !p.trim().is_empty());
    pieces
}
