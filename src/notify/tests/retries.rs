//! What each kind of answer (or silence) does to a delivery: retried how often, waited
//! how long, failed with what words. Through the generic webhook, whose 2xx is all a
//! success needs.

use std::time::Duration;

use super::server::{Receiver, Reply, refused_url};
use super::*;

fn webhook(url: String) -> Endpoints {
    Endpoints {
        webhook: Some(Secret::new("PIPELINT_WEBHOOK_URL", url)),
        ..Endpoints::default()
    }
}

fn post(receiver_url: String, policy: Policy) -> (Delivery, Duration) {
    let data = digest();
    let msg = outgoing(Channel::Webhook, "Dana Whitfield", &data);
    timed(&msg, &webhook(receiver_url), policy)
}

#[test]
fn a_200_is_sent_at_the_first_attempt() {
    let receiver = Receiver::start(vec![Reply::Status(200)]);
    let (delivery, _) = post(receiver.url("/hook"), quick());
    assert_eq!(delivery, Delivery::Sent { attempts: 1 });
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/hook")
    );
}

#[test]
fn a_429_waits_its_retry_after_then_sends() {
    let receiver = Receiver::start(vec![
        Reply::with(429, &[("Retry-After", "1")], "slow down"),
        Reply::Status(200),
    ]);
    let (delivery, took) = post(receiver.url("/hook"), quick());
    assert_eq!(delivery, Delivery::Sent { attempts: 2 });
    assert_eq!(receiver.requests().len(), 2);
    assert!(took >= Duration::from_secs(1), "waited {took:?}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn a_429_asking_longer_than_a_run_waits_fails_at_once() {
    let receiver = Receiver::start(vec![Reply::with(429, &[("Retry-After", "120")], "")]);
    let (delivery, took) = post(receiver.url("/hook"), quick());
    assert_eq!(delivery.attempts(), 1);
    assert_eq!(
        why(&delivery),
        "webhook ${PIPELINT_WEBHOOK_URL}: answered 429 Too Many Requests and asks to wait \
         120 s, longer than the 30 s a run waits"
    );
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

#[test]
fn a_429_past_the_budget_fails_without_waiting() {
    let receiver = Receiver::start(vec![Reply::with(429, &[("Retry-After", "5")], "")]);
    let policy = Policy {
        budget: Duration::from_secs(2),
        ..quick()
    };
    let (delivery, took) = post(receiver.url("/hook"), policy);
    assert_eq!(delivery.attempts(), 1);
    assert!(
        why(&delivery).contains("no time left in this run's budget (2 s)"),
        "{delivery:?}"
    );
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

#[test]
fn a_429_without_retry_after_waits_the_backoff() {
    let receiver = Receiver::start(vec![Reply::Status(429), Reply::Status(200)]);
    let (delivery, took) = post(receiver.url("/hook"), quick());
    assert_eq!(delivery, Delivery::Sent { attempts: 2 });
    assert!(took >= Duration::from_millis(50), "took {took:?}");
}

#[test]
fn two_500s_then_a_200_is_sent_at_the_third_attempt_after_backing_off() {
    let receiver = Receiver::start(vec![
        Reply::Status(500),
        Reply::Status(500),
        Reply::Status(200),
    ]);
    let (delivery, took) = post(receiver.url("/hook"), quick());
    assert_eq!(delivery, Delivery::Sent { attempts: 3 });
    assert_eq!(receiver.requests().len(), 3);
    // 50 ms, then 100 ms.
    assert!(took >= Duration::from_millis(150), "took {took:?}");
    // Every attempt carries the same key: a receiver can tell a retry from a new message.
    let keys: Vec<Option<String>> = receiver
        .requests()
        .iter()
        .map(|r| r.header("Idempotency-Key").map(str::to_string))
        .collect();
    assert_eq!(keys, vec![Some("stale-deals/dana/2026-W47".to_string()); 3]);
}

#[test]
fn always_500_fails_after_the_policy_s_attempts() {
    let receiver = Receiver::start(vec![Reply::with(500, &[], "database on fire\nmore")]);
    let policy = Policy {
        attempts: 4,
        ..quick()
    };
    let (delivery, _) = post(receiver.url("/hook"), policy);
    assert_eq!(receiver.requests().len(), 4);
    assert_eq!(
        delivery,
        Delivery::Failed {
            attempts: 4,
            why: "webhook ${PIPELINT_WEBHOOK_URL}: answered 500 Internal Server Error: \
                  database on fire (gave up after 4 attempts)"
                .to_string()
        }
    );
}

#[test]
fn a_server_that_never_answers_times_out_each_attempt() {
    let receiver = Receiver::start(vec![Reply::Silent]);
    let (delivery, took) = post(receiver.url("/hook"), quick());
    assert_eq!(
        delivery,
        Delivery::Failed {
            attempts: 3,
            why: "webhook ${PIPELINT_WEBHOOK_URL}: no answer within 300 ms (gave up after 3 \
                  attempts)"
                .to_string()
        }
    );
    assert_eq!(receiver.requests().len(), 3);
    // 3 × 300 ms of timeouts and 50 + 100 ms of backoff.
    assert!(took >= Duration::from_millis(1000), "took {took:?}");
    assert!(took < Duration::from_millis(2500), "took {took:?}");
}

#[test]
fn the_budget_stops_a_run_on_a_silent_server() {
    let receiver = Receiver::start(vec![Reply::Silent]);
    let policy = Policy {
        attempts: 10,
        budget: Duration::from_millis(500),
        ..quick()
    };
    // 300 ms, 50 ms of backoff, then an attempt cut to the 150 ms left; no time to wait
    // for a third.
    let (delivery, took) = post(receiver.url("/hook"), policy);
    assert_eq!(delivery.attempts(), 2, "{delivery:?}");
    assert!(
        why(&delivery).contains("no time left in this run's budget (500 ms)"),
        "{delivery:?}"
    );
    // The budget and a little for the machine, not the 10 × 300 ms the attempts allow.
    assert!(took < Duration::from_millis(900), "took {took:?}");
}

#[test]
fn a_spent_budget_sends_nothing() {
    let receiver = Receiver::start(vec![Reply::Status(200)]);
    let policy = Policy {
        budget: Duration::ZERO,
        ..quick()
    };
    let (delivery, _) = post(receiver.url("/hook"), policy);
    assert_eq!(
        delivery,
        Delivery::Failed {
            attempts: 0,
            why: "webhook ${PIPELINT_WEBHOOK_URL}: no time left in this run's budget (0 ms); \
                  not sent"
                .to_string()
        }
    );
    assert!(receiver.requests().is_empty());
}

#[test]
fn one_budget_is_shared_by_a_run_s_messages() {
    let receiver = Receiver::start(vec![Reply::Silent]);
    let endpoints = webhook(receiver.url("/hook"));
    let data = digest();
    let msg = outgoing(Channel::Webhook, "Dana Whitfield", &data);
    let budget = Budget::start(Policy {
        attempts: 1,
        budget: Duration::from_millis(400),
        ..quick()
    });
    let first = send(&msg, &endpoints, &budget);
    assert_eq!(
        why(&first),
        "webhook ${PIPELINT_WEBHOOK_URL}: no answer within 300 ms (gave up after 1 attempt)"
    );
    // The second message gets what the first left (about 100 ms), not a fresh 300.
    let second = send(&msg, &endpoints, &budget);
    assert_eq!(second.attempts(), 1);
    let waited: u64 = why(&second)
        .split("no answer within ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(u64::MAX);
    assert!(waited < 300, "{second:?}");
    // Then nothing is left for a third.
    let third = send(&msg, &endpoints, &budget);
    assert_eq!(third.attempts(), 0);
    assert!(why(&third).contains("no time left in this run's budget (400 ms); not sent"));
}

#[test]
fn a_refused_connection_is_retried_then_fails() {
    let (delivery, took) = post(refused_url("/hook"), quick());
    assert_eq!(
        delivery,
        Delivery::Failed {
            attempts: 3,
            why: "webhook ${PIPELINT_WEBHOOK_URL}: connection refused (gave up after 3 \
                  attempts)"
                .to_string()
        }
    );
    assert!(took >= Duration::from_millis(150), "took {took:?}");
}

#[test]
fn a_400_fails_at_once_naming_the_status() {
    let receiver = Receiver::start(vec![Reply::with(400, &[], "invalid_payload")]);
    let (delivery, _) = post(receiver.url("/hook"), quick());
    assert_eq!(
        delivery,
        Delivery::Failed {
            attempts: 1,
            why: "webhook ${PIPELINT_WEBHOOK_URL}: answered 400 Bad Request: invalid_payload"
                .to_string()
        }
    );
    assert_eq!(receiver.requests().len(), 1);
}

#[test]
fn a_redirect_is_not_followed() {
    let target = Receiver::start(vec![Reply::Status(200)]);
    let receiver = Receiver::start(vec![Reply::with(
        302,
        &[("Location", &target.url("/elsewhere"))],
        "",
    )]);
    let (delivery, _) = post(receiver.url("/hook"), quick());
    assert_eq!(delivery.attempts(), 1);
    assert!(
        why(&delivery).contains("302 Found (a redirect"),
        "{delivery:?}"
    );
    assert!(target.requests().is_empty());
}

#[test]
fn a_url_that_is_not_http_fails_before_any_request() {
    for url in ["ftp://127.0.0.1/hook", "not a url", ""] {
        let (delivery, _) = post(url.to_string(), quick());
        assert_eq!(
            delivery,
            Delivery::Failed {
                attempts: 0,
                why: "webhook ${PIPELINT_WEBHOOK_URL}: ${PIPELINT_WEBHOOK_URL} is not an \
                      http(s) URL"
                    .to_string()
            },
            "{url}"
        );
    }
}

#[test]
fn an_html_error_page_is_not_quoted() {
    let receiver = Receiver::start(vec![Reply::with(
        404,
        &[("Content-Type", "text/html")],
        "<!DOCTYPE html>\n<html><body>Not here</body></html>",
    )]);
    let (delivery, _) = post(receiver.url("/hook"), quick());
    assert_eq!(
        why(&delivery),
        "webhook ${PIPELINT_WEBHOOK_URL}: answered 404 Not Found"
    );
}
