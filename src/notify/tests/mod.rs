//! Tests of delivery against real servers the tests start on 127.0.0.1: an HTTP receiver
//! (`server`) and an SMTP sink (`sink`). Nothing here reaches past this machine. Policies
//! are short (300 ms a request, 50 ms backoff) so that retries and timeouts take well
//! under a second or two, and each test that waits asserts its time is bounded.

mod channels;
mod email;
mod retries;
mod secrets;
mod server;
mod sink;

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::*;

/// A policy for tests: short timeouts and waits, the default attempts.
fn quick() -> Policy {
    Policy {
        timeout: Duration::from_millis(300),
        attempts: 3,
        backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(30),
        budget: Duration::from_secs(10),
    }
}

fn digest() -> Value {
    json!({"deals": [{"name": "Globex - Data Warehouse Expansion", "risk": 80}]})
}

/// A message to `to` over `channel`, with `data` as its digest.
fn outgoing<'a>(channel: Channel, to: &'a str, data: &'a Value) -> Outgoing<'a> {
    Outgoing {
        key: "stale-deals/dana/2026-W47",
        channel,
        to,
        subject: "3 deals need you this week",
        text: "*Globex - Data Warehouse Expansion*: no activity for 49 days",
        html: "<p><b>Globex - Data Warehouse Expansion</b>: no activity for 49 days</p>",
        data,
    }
}

/// Send `msg` with a fresh budget of `policy`; the delivery and how long it took.
fn timed(msg: &Outgoing<'_>, endpoints: &Endpoints, policy: Policy) -> (Delivery, Duration) {
    let started = Instant::now();
    let delivery = send(msg, endpoints, &Budget::start(policy));
    (delivery, started.elapsed())
}

impl Delivery {
    /// How many requests (or SMTP sessions) were made.
    fn attempts(&self) -> u32 {
        match self {
            Delivery::Sent { attempts } | Delivery::Failed { attempts, .. } => *attempts,
        }
    }

    fn is_sent(&self) -> bool {
        matches!(self, Delivery::Sent { .. })
    }
}

/// The `why` of a failed delivery (the test fails on a sent one).
fn why(delivery: &Delivery) -> &str {
    match delivery {
        Delivery::Failed { why, .. } => why,
        Delivery::Sent { .. } => panic!("expected a failure, got {delivery:?}"),
    }
}

#[test]
fn channels_are_named_and_parsed_alike() {
    for channel in Channel::ALL {
        assert_eq!(Channel::parse(channel.name()), Some(channel));
        assert_eq!(channel.to_string(), channel.name());
    }
    let names: Vec<&str> = Channel::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(names, ["slack", "teams", "email", "webhook"]);
    assert_eq!(Channel::parse("Slack"), None);
    assert_eq!(Channel::parse("sms"), None);
}

#[test]
fn the_default_policy_is_the_contract() {
    let policy = Policy::default();
    assert_eq!(policy.timeout, Duration::from_secs(10));
    assert_eq!(policy.attempts, 3);
    assert_eq!(policy.backoff, Duration::from_secs(1));
    assert_eq!(policy.max_retry_after, Duration::from_secs(30));
    assert_eq!(policy.budget, Duration::from_secs(120));
    let budget = Budget::start(policy);
    assert!(budget.remaining() <= policy.budget);
    assert!(budget.remaining() > Duration::from_secs(119));
    assert_eq!(Endpoints::default().slack_api, "https://slack.com/api");
}
