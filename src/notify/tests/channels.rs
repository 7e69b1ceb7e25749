//! What each HTTP channel sends: Slack's Block Kit by webhook and by bot token, Teams'
//! Adaptive Card, the generic webhook's body and signature, and the headers all share.

use serde_json::json;
use sha2::{Digest, Sha256};

use super::server::{Receiver, Reply};
use super::*;

const USER_AGENT: &str = concat!("pipelint/", env!("CARGO_PKG_VERSION"));

#[test]
fn slack_webhook_gets_a_block_kit_message() {
    let receiver = Receiver::start(vec![Reply::with(200, &[], "ok")]);
    let endpoints = Endpoints {
        slack_webhook: Some(Secret::new(
            "SLACK_WEBHOOK_URL",
            receiver.url("/services/T/B/x"),
        )),
        ..Endpoints::default()
    };
    let data = digest();
    for to in ["", "#pipeline"] {
        let msg = outgoing(Channel::Slack, to, &data);
        let (delivery, _) = timed(&msg, &endpoints, quick());
        assert_eq!(delivery, Delivery::Sent { attempts: 1 }, "{to}");
    }
    let requests = receiver.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.path, "/services/T/B/x");
        assert_eq!(
            request.header("Idempotency-Key"),
            Some("stale-deals/dana/2026-W47")
        );
        assert_eq!(request.header("User-Agent"), Some(USER_AGENT));
        assert_eq!(
            request.header("Content-Type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(request.header("Authorization"), None);
        assert_eq!(
            request.json(),
            json!({
                "text": "*Globex - Data Warehouse Expansion*: no activity for 49 days",
                "blocks": [
                    {"type": "header", "text": {"type": "plain_text", "text": "3 deals need you this week", "emoji": true}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": "*Globex - Data Warehouse Expansion*: no activity for 49 days"}},
                ],
            })
        );
    }
}

#[test]
fn slack_text_is_split_under_the_section_limit_and_the_block_limit() {
    use crate::notify::slack::{BLOCKS_MAX, HEADER_MAX, SECTION_MAX, blocks, sections};

    // Lines are kept whole, and nothing is lost when it fits.
    let line = "x".repeat(99);
    let text = vec![line.as_str(); 100].join("\n");
    let pieces = sections(&text, SECTION_MAX);
    assert_eq!(pieces.len(), 4);
    assert!(pieces.iter().all(|p| p.chars().count() <= SECTION_MAX));
    assert!(pieces.iter().all(|p| p.split('\n').all(|l| l == line)));
    assert_eq!(pieces.join("\n"), text);

    // One line longer than a section is cut inside, on characters (not bytes).
    let long = "é".repeat(7000);
    let pieces = sections(&long, SECTION_MAX);
    let lengths: Vec<usize> = pieces.iter().map(|p| p.chars().count()).collect();
    assert_eq!(lengths, [3000, 3000, 1000]);
    assert_eq!(pieces.concat(), long);

    // Blank stretches make no empty section.
    assert_eq!(sections("\n\n", SECTION_MAX), Vec::<String>::new());
    assert_eq!(sections("a\n\nb", SECTION_MAX), ["a\n\nb"]);

    // Past 50 blocks the message is cut, and says so.
    let huge = "word ".repeat(60_000);
    let all = blocks(&"s".repeat(400), &huge);
    assert_eq!(all.len(), BLOCKS_MAX);
    let header = all[0]["text"]["text"].as_str().unwrap_or_default();
    assert!(header.chars().count() <= HEADER_MAX);
    assert!(header.ends_with('…'));
    for block in &all[1..] {
        let text = block["text"]["text"].as_str().unwrap_or_default();
        assert!(text.chars().count() <= SECTION_MAX);
    }
    let last = all[BLOCKS_MAX - 1]["text"]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        last.ends_with("longer than one Slack message holds._"),
        "{last}"
    );

    // No subject, no header block.
    let plain = blocks(" ", "body");
    assert_eq!(plain.len(), 1);
    assert_eq!(plain[0]["type"], "section");
}

#[test]
fn slack_member_ids_are_told_from_channels() {
    use crate::notify::slack::is_member_id;
    for id in ["U012AB3CD", "W012AB3CDEF", "U0123456789"] {
        assert!(is_member_id(id), "{id}");
    }
    for not in [
        "U123",
        "u012ab3cd",
        "C012AB3CD",
        "dana@example.com",
        "U012AB3C!",
    ] {
        assert!(!is_member_id(not), "{not}");
    }
}

#[test]
fn slack_member_gets_a_direct_message_by_bot_token() {
    let receiver = Receiver::start(vec![Reply::with(
        200,
        &[("Content-Type", "application/json")],
        r#"{"ok": true, "channel": "D024BE91L", "ts": "1401383885.000061"}"#,
    )]);
    let endpoints = Endpoints {
        slack_token: Some(Secret::new("SLACK_BOT_TOKEN", "xoxb-test-token")),
        slack_api: receiver.url("/api/"),
        ..Endpoints::default()
    };
    let data = digest();
    let msg = outgoing(Channel::Slack, "U012AB3CD", &data);
    let (delivery, _) = timed(&msg, &endpoints, quick());
    assert_eq!(delivery, Delivery::Sent { attempts: 1 });
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.path, "/api/chat.postMessage");
    assert_eq!(
        request.header("Authorization"),
        Some("Bearer xoxb-test-token")
    );
    assert_eq!(
        request.header("Idempotency-Key"),
        Some("stale-deals/dana/2026-W47")
    );
    assert_eq!(request.header("User-Agent"), Some(USER_AGENT));
    let body = request.json();
    assert_eq!(body["channel"], "U012AB3CD");
    assert_eq!(body["blocks"][0]["type"], "header");
    assert_eq!(body["text"], msg.text);
}

#[test]
fn slack_ok_false_fails_at_once_with_slack_s_error() {
    let receiver = Receiver::start(vec![Reply::with(
        200,
        &[],
        r#"{"ok": false, "error": "channel_not_found"}"#,
    )]);
    let endpoints = Endpoints {
        slack_token: Some(Secret::new("SLACK_BOT_TOKEN", "xoxb-test-token")),
        slack_api: receiver.url("/api"),
        ..Endpoints::default()
    };
    let data = digest();
    let (delivery, _) = timed(
        &outgoing(Channel::Slack, "U012AB3CD", &data),
        &endpoints,
        quick(),
    );
    assert_eq!(
        delivery,
        Delivery::Failed {
            attempts: 1,
            why: "slack chat.postMessage with ${SLACK_BOT_TOKEN}: Slack said channel_not_found"
                .to_string()
        }
    );
    assert_eq!(receiver.requests().len(), 1);
}

#[test]
fn slack_ratelimited_is_waited_out_and_retried() {
    let receiver = Receiver::start(vec![
        Reply::with(
            200,
            &[("Retry-After", "0")],
            r#"{"ok": false, "error": "ratelimited"}"#,
        ),
        Reply::with(200, &[], r#"{"ok": true}"#),
    ]);
    let endpoints = Endpoints {
        slack_token: Some(Secret::new("SLACK_BOT_TOKEN", "xoxb-test-token")),
        slack_api: receiver.url("/api"),
        ..Endpoints::default()
    };
    let data = digest();
    let (delivery, _) = timed(
        &outgoing(Channel::Slack, "U012AB3CD", &data),
        &endpoints,
        quick(),
    );
    assert_eq!(delivery, Delivery::Sent { attempts: 2 });
}

#[test]
fn slack_200_without_slack_s_json_is_a_failure() {
    let receiver = Receiver::start(vec![Reply::with(200, &[], "<html>proxy login</html>")]);
    let endpoints = Endpoints {
        slack_token: Some(Secret::new("SLACK_BOT_TOKEN", "xoxb-test-token")),
        slack_api: receiver.url("/api"),
        ..Endpoints::default()
    };
    let data = digest();
    let (delivery, _) = timed(
        &outgoing(Channel::Slack, "U012AB3CD", &data),
        &endpoints,
        quick(),
    );
    assert_eq!(delivery.attempts(), 1);
    assert!(why(&delivery).ends_with("answered 200 but not with Slack's JSON"));
}

#[test]
fn a_missing_endpoint_or_a_bad_recipient_fails_before_any_request() {
    let data = digest();
    let none = Endpoints::default();
    let cases = [
        (
            Channel::Slack,
            "",
            "slack: no incoming webhook is configured",
        ),
        (
            Channel::Slack,
            "U012AB3CD",
            "slack: a message to member U012AB3CD needs a bot token, and none is configured",
        ),
        (
            Channel::Slack,
            "dana",
            "slack: `dana` is neither a member id (U…) nor a #channel",
        ),
        (Channel::Teams, "", "teams: no webhook is configured"),
        (Channel::Webhook, "Dana", "webhook: no URL is configured"),
        (
            Channel::Email,
            "dana@example.com",
            "email: no SMTP server is configured",
        ),
    ];
    for (channel, to, expected) in cases {
        let (delivery, _) = timed(&outgoing(channel, to, &data), &none, quick());
        assert_eq!(
            delivery,
            Delivery::Failed {
                attempts: 0,
                why: expected.to_string()
            }
        );
    }
}

#[test]
fn teams_gets_an_adaptive_card() {
    let receiver = Receiver::start(vec![Reply::Status(202)]);
    let endpoints = Endpoints {
        teams_webhook: Some(Secret::new(
            "TEAMS_WEBHOOK_URL",
            receiver.url("/workflows/run"),
        )),
        ..Endpoints::default()
    };
    let data = digest();
    let (delivery, _) = timed(&outgoing(Channel::Teams, "", &data), &endpoints, quick());
    assert_eq!(delivery, Delivery::Sent { attempts: 1 });
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/workflows/run");
    assert_eq!(
        requests[0].header("Idempotency-Key"),
        Some("stale-deals/dana/2026-W47")
    );
    assert_eq!(requests[0].header("User-Agent"), Some(USER_AGENT));
    assert_eq!(
        requests[0].json(),
        json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "type": "AdaptiveCard",
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "version": "1.4",
                    "body": [
                        {"type": "TextBlock", "text": "3 deals need you this week", "weight": "Bolder", "size": "Large", "wrap": true},
                        {"type": "TextBlock", "text": "\\*Globex - Data Warehouse Expansion\\*: no activity for 49 days", "wrap": true},
                    ],
                },
            }],
        })
    );
}

#[test]
fn teams_mentions_a_handle_and_cuts_a_long_text() {
    use crate::notify::teams::payload;
    let data = digest();
    let msg = outgoing(Channel::Teams, "dana@example.com", &data);
    let card = &payload(&msg)["attachments"][0]["content"];
    assert_eq!(
        card["body"][1]["text"],
        "<at>dana@example.com</at> \\*Globex - Data Warehouse Expansion\\*: no activity for 49 days"
    );
    assert_eq!(
        card["msteams"]["entities"],
        json!([{
            "type": "mention",
            "text": "<at>dana@example.com</at>",
            "mentioned": {"id": "dana@example.com", "name": "dana@example.com"},
        }])
    );

    let long = "line of the digest\n".repeat(5000);
    let msg = Outgoing {
        text: &long,
        ..outgoing(Channel::Teams, "", &data)
    };
    let body = payload(&msg);
    let text = body["attachments"][0]["content"]["body"][1]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(text.len() <= 24_000);
    assert!(text.ends_with("longer than one Teams card holds."));
    assert!(body.to_string().len() < 28_000);
}

#[test]
fn plain_http_goes_only_to_this_machine() {
    let data = digest();
    let endpoints = Endpoints {
        webhook: Some(Secret::new(
            "HOOK_URL",
            "http://hooks.example.com/pipeline?token=abc".to_string(),
        )),
        ..Endpoints::default()
    };
    let (delivery, _) = timed(
        &outgoing(Channel::Webhook, "Dana", &data),
        &endpoints,
        quick(),
    );
    let Delivery::Failed { attempts, why } = delivery else {
        panic!("sent over plain http: {delivery:?}");
    };
    assert_eq!(attempts, 0);
    assert!(
        why.starts_with("webhook ${HOOK_URL}: ${HOOK_URL} is plain http:// to another machine"),
        "{why}"
    );
    assert!(!why.contains("token=abc"), "{why}");
}

#[test]
fn teams_text_is_markdown_that_no_cell_can_drive() {
    use crate::notify::teams::payload;
    let text = "For Dana, from the pipelint audit as of 2026-11-20:\n\n\
        1. [Win](https://evil.example) *now* (Dana, Proposal, 1,200.00) [stale]\n   \
        - # 2. no activity for 49 days: `3.5×` the 14-day limit\n   \
        Ask: <b>call</b> them_today\n\nThe full report: https://reports.example/pipe_line.html\n";
    let data = json!({"report": "https://reports.example/pipe_line.html"});
    let msg = Outgoing {
        text,
        data: &data,
        ..outgoing(Channel::Teams, "", &data)
    };
    let card = &payload(&msg)["attachments"][0]["content"];
    assert_eq!(
        card["body"][1]["text"],
        "For Dana, from the pipelint audit as of 2026-11-20:\n\n\
         1. \\[Win\\]\\(https://evil.example\\) \\*now\\* \\(Dana, Proposal, 1,200.00\\) \\[stale\\]\n\n\
         - \\# 2. no activity for 49 days: \\`3.5×\\` the 14-day limit\n\n\
         Ask: \\<b\\>call\\</b\\> them\\_today\n\n\
         The full report: https://reports.example/pipe\\_line.html"
    );
    assert_eq!(
        card["actions"],
        json!([{"type": "Action.OpenUrl", "title": "The full report", "url": "https://reports.example/pipe_line.html"}])
    );
    // A path is no address a card can open: no button.
    let data = json!({"report": "out/pipeline.html"});
    let msg = Outgoing {
        data: &data,
        ..outgoing(Channel::Teams, "", &data)
    };
    assert!(
        payload(&msg)["attachments"][0]["content"]
            .get("actions")
            .is_none()
    );
}

/// HMAC-SHA256 as RFC 2104 writes it, to check the signature without the code under test.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

#[test]
fn webhook_carries_the_key_and_a_signature_that_verifies() {
    let receiver = Receiver::start(vec![Reply::Status(204)]);
    let endpoints = Endpoints {
        webhook: Some(Secret::new("PIPELINT_WEBHOOK_URL", receiver.url("/in"))),
        webhook_secret: Some(Secret::new("PIPELINT_WEBHOOK_SECRET", "s3cret-key")),
        ..Endpoints::default()
    };
    let data = digest();
    let (delivery, _) = timed(
        &outgoing(Channel::Webhook, "Dana Whitfield", &data),
        &endpoints,
        quick(),
    );
    assert_eq!(delivery, Delivery::Sent { attempts: 1 });
    let requests = receiver.requests();
    let request = &requests[0];
    assert_eq!(
        request.header("Idempotency-Key"),
        Some("stale-deals/dana/2026-W47")
    );
    assert_eq!(request.header("User-Agent"), Some(USER_AGENT));
    assert_eq!(
        request.json(),
        json!({
            "key": "stale-deals/dana/2026-W47",
            "recipient": "Dana Whitfield",
            "subject": "3 deals need you this week",
            "text": "*Globex - Data Warehouse Expansion*: no activity for 49 days",
            "digest": data,
        })
    );
    let expected: String = hmac_sha256(b"s3cret-key", &request.body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        request.header("X-Pipelint-Signature"),
        Some(format!("sha256={expected}").as_str())
    );

    // The RFC 4231 case 2 vector, through the code under test.
    let signed = crate::notify::webhook::signature(
        &Secret::new("K", "Jefe"),
        b"what do ya want for nothing?",
    );
    assert_eq!(
        signed.as_deref(),
        Some("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    );
    // A key longer than a block is hashed first; both sides agree.
    let long_key = "k".repeat(100);
    let signed = crate::notify::webhook::signature(&Secret::new("K", long_key.as_str()), b"body");
    let expected: String = hmac_sha256(long_key.as_bytes(), b"body")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(signed, Some(format!("sha256={expected}")));
}

#[test]
fn webhook_without_a_secret_is_not_signed() {
    let receiver = Receiver::start(vec![Reply::Status(200)]);
    let endpoints = Endpoints {
        webhook: Some(Secret::new("PIPELINT_WEBHOOK_URL", receiver.url("/in"))),
        ..Endpoints::default()
    };
    let data = digest();
    let (delivery, _) = timed(
        &outgoing(Channel::Webhook, "Dana Whitfield", &data),
        &endpoints,
        quick(),
    );
    assert!(delivery.is_sent());
    assert_eq!(receiver.requests()[0].header("X-Pipelint-Signature"), None);
}

#[test]
fn a_key_that_cannot_be_a_header_fails_before_any_request() {
    let receiver = Receiver::start(vec![Reply::Status(200)]);
    let endpoints = Endpoints {
        webhook: Some(Secret::new("PIPELINT_WEBHOOK_URL", receiver.url("/in"))),
        ..Endpoints::default()
    };
    let data = digest();
    let msg = Outgoing {
        key: "line\nbreak",
        ..outgoing(Channel::Webhook, "Dana", &data)
    };
    let (delivery, _) = timed(&msg, &endpoints, quick());
    assert_eq!(delivery.attempts(), 0);
    assert!(why(&delivery).contains("cannot be sent as a header"));
    assert!(receiver.requests().is_empty());
}

#[test]
fn https_to_a_server_that_does_not_speak_tls_fails_at_once() {
    // The SMTP sink greets first, in plain text: no TLS handshake can succeed.
    let sink = super::sink::Sink::start(&["250 2.1.0 ok"]);
    let endpoints = Endpoints {
        webhook: Some(Secret::new(
            "PIPELINT_WEBHOOK_URL",
            format!("https://127.0.0.1:{}/in", sink.port()),
        )),
        ..Endpoints::default()
    };
    let data = digest();
    let (delivery, _) = timed(
        &outgoing(Channel::Webhook, "Dana", &data),
        &endpoints,
        quick(),
    );
    assert_eq!(delivery.attempts(), 1, "{delivery:?}");
    assert!(
        why(&delivery).starts_with("webhook ${PIPELINT_WEBHOOK_URL}: TLS failed"),
        "{delivery:?}"
    );
}

/// A deal named like a Slack mention or link is shown, not acted on: `&`, `<` and `>` are
/// escaped in the text and every section.
#[test]
fn slack_text_cannot_mention_or_link() {
    let text = "1. <!channel> Acme & Co <https://evil.example|click> (Ann)";
    let data = digest();
    let msg = Outgoing {
        text,
        ..outgoing(Channel::Slack, "", &data)
    };
    let payload = crate::notify::slack::payload(&msg, None);
    let want = "1. &lt;!channel&gt; Acme &amp; Co &lt;https://evil.example|click&gt; (Ann)";
    assert_eq!(payload["text"], want);
    assert_eq!(payload["blocks"][1]["text"]["text"], want);
}
