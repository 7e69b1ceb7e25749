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
    let text = cut(&markdown(msg.text), TEXT_MAX_BYTES);
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
    if let Some(link) = msg.data["report"]
        .as_str()
        .filter(|l| crate::words::is_web(l))
    {
        card["actions"] =
            json!([{"type": "Action.OpenUrl", "title": "The full report", "url": link}]);
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

/// The plain-text digest as a TextBlock's markdown: each line a paragraph of its own (a
/// TextBlock joins lines that one line break separates), and every character its markdown
/// acts on escaped, so no cell makes a link, emphasis, code or a heading. The digest's own
/// list markers (`1.`, `-`) stay.
fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        let marker = if line.starts_with("- ") {
            2
        } else if digits > 0 && line[digits..].starts_with(". ") {
            digits + 2
        } else {
            0
        };
        out.push_str(&line[..marker]);
        let rest = &line[marker..];
        // What would start a list or a heading at the start of the content.
        let lead = rest.bytes().take_while(u8::is_ascii_digit).count();
        for (at, c) in rest.char_indices() {
            let opens_block = (at == 0 && matches!(c, '-' | '+' | '='))
                || (at == lead && lead > 0 && matches!(c, '.' | ')'));
            if opens_block
                || matches!(
                    c,
                    '\\' | '*' | '_' | '[' | ']' | '(' | ')' | '~' | '`' | '#' | '<' | '>' | '|'
                )
            {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
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
