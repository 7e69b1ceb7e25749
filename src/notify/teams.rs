//! Microsoft Teams: an Adaptive Card posted to a workflow webhook, which puts it in its
//! channel. A handle in `to` is mentioned at the start of the text.

use serde_json::{Value, json};

use super::http::{self, Answer, Post};
use super::{Budget, Delivery, Endpoints, Outgoing, retry};

/// The text is cut past this many bytes: a card posted to a Teams webhook must stay
/// under about 28 KB in all.
const TEXT_MAX_BYTES: usize = 24_000;
const CUT_NOTE: &str = "\n\n… cut here: the rest is longer than one Teams card holds.";

pub(super) fn send(msg: &Outgoing<'_>, endpoints: &Endpoints, budget: &Budget) -> Delivery {
    let Some(url) = &endpoints.teams_webhook else {
        return Delivery::Failed {
            attempts: 0,
            why: "teams: no webhook is configured".to_string(),
        };
    };
    let route = format!("teams webhook {url}");
    let body = payload(msg).to_string();
    let post = Post {
        url: url.expose(),
        shown: url.to_string(),
        body: body.as_bytes(),
        key: msg.key,
        bearer: None,
        signature: None,
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

/// `{"type": "message", "attachments": [an Adaptive Card 1.4]}`: the subject as a large
/// bold TextBlock, the text as a wrapping TextBlock (with the mention first, when `to`
/// names someone).
pub(super) fn payload(msg: &Outgoing<'_>) -> Value {
    let text = cut(msg.text, TEXT_MAX_BYTES);
    let handle = msg.to.trim();
    let (text, entities) = if handle.is_empty() {
        (text, Vec::new())
    } else {
        let at = format!("<at>{handle}</at>");
        let mention = json!({
            "type": "mention",
            "text": at,
            "mentioned": {"id": handle, "name": handle},
        });
        (format!("{at} {text}"), vec![mention])
    };
    let mut card = json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": msg.subject, "weight": "Bolder", "size": "Large", "wrap": true},
            {"type": "TextBlock", "text": text, "wrap": true},
        ],
    });
    if !entities.is_empty() {
        card["msteams"] = json!({"entities": entities});
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card,
        }],
    })
}

/// `text` within `max` bytes, cut at a line (or else a character) with a note.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let room = max - CUT_NOTE.len();
    let mut end = room;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    let head = head.rfind('\n').map_or(head, |at| &head[..at]);
    format!("{head}{CUT_NOTE}")
}
