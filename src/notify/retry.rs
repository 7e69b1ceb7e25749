//! How long to wait, how often to try, and when to stop: the [`Policy`], the run's
//! [`Budget`], and the loop every channel's attempts run in.

use std::time::{Duration, Instant};

use super::{Attempt, Delivery};
use crate::words::plural;

/// How patiently a message is sent. The defaults are the contract: 10 s a request, 3
/// attempts, 1 s then 2 s between them, a `Retry-After` of up to 30 s honoured, and 120 s
/// for all of a run's messages together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    /// One request (or SMTP operation), connecting included.
    pub(crate) timeout: Duration,
    /// Requests per message, rate-limited ones included; at least one is made.
    pub(crate) attempts: u32,
    /// The wait before the second attempt, doubling for each one after.
    pub(crate) backoff: Duration,
    /// The longest `Retry-After` a run waits for; a 429 asking for more fails.
    pub(crate) max_retry_after: Duration,
    /// All of a run's sending together: no wait or request goes past it.
    pub(crate) budget: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            timeout: Duration::from_secs(10),
            attempts: 3,
            backoff: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(30),
            budget: Duration::from_secs(120),
        }
    }
}

/// The time a run has for sending, shared by all its messages: started once, then every
/// attempt and every wait of every message fits in what is left, so a run never hangs on
/// a slow or silent server.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    started: Instant,
    policy: Policy,
}

impl Budget {
    /// A budget of `policy.budget`, starting now.
    pub(crate) fn start(policy: Policy) -> Budget {
        Budget {
            started: Instant::now(),
            policy,
        }
    }

    pub(crate) fn policy(&self) -> &Policy {
        &self.policy
    }

    /// What is left of the budget (zero once spent).
    pub(crate) fn remaining(&self) -> Duration {
        self.policy.budget.saturating_sub(self.started.elapsed())
    }
}

/// Run `attempt` (given the time it may take) until it is done, fails, runs out of
/// attempts, or would run past the budget. `route` (`slack webhook ${SLACK_WEBHOOK_URL}`)
/// starts every `why`.
pub(super) fn deliver(
    route: &str,
    budget: &Budget,
    mut attempt: impl FnMut(Duration) -> Attempt,
) -> Delivery {
    let policy = budget.policy();
    let out_of_time = |attempts: u32, last: Option<&str>| Delivery::Failed {
        attempts,
        why: match last {
            Some(last) => format!(
                "{route}: {last}; no time left in this run's budget ({}) to try again",
                span(policy.budget)
            ),
            None => format!(
                "{route}: no time left in this run's budget ({}); not sent",
                span(policy.budget)
            ),
        },
    };
    let mut attempts = 0;
    let mut backoff = policy.backoff;
    let mut last: Option<String> = None;
    loop {
        let left = budget.remaining();
        if left.is_zero() {
            return out_of_time(attempts, last.as_deref());
        }
        attempts += 1;
        let (wait, why) = match attempt(policy.timeout.min(left)) {
            Attempt::Done => return Delivery::Sent { attempts },
            Attempt::Fail(why) => {
                return Delivery::Failed {
                    attempts,
                    why: format!("{route}: {why}"),
                };
            }
            Attempt::RetryAfter(Some(asked), why) if asked > policy.max_retry_after => {
                return Delivery::Failed {
                    attempts,
                    why: format!(
                        "{route}: {why} and asks to wait {}, longer than the {} a run waits",
                        span(asked),
                        span(policy.max_retry_after)
                    ),
                };
            }
            Attempt::RetryAfter(Some(asked), why) => {
                (asked, format!("{why}, asking to wait {}", span(asked)))
            }
            Attempt::RetryAfter(None, why) | Attempt::Retry(why) => {
                let wait = backoff;
                backoff = backoff.saturating_mul(2);
                (wait, why)
            }
        };
        if attempts >= policy.attempts {
            return Delivery::Failed {
                attempts,
                why: format!(
                    "{route}: {why} (gave up after {attempts} attempt{})",
                    plural(attempts)
                ),
            };
        }
        // Waiting must leave time for the attempt it waits for.
        if wait >= budget.remaining() {
            return out_of_time(attempts, Some(&why));
        }
        std::thread::sleep(wait);
        last = Some(why);
    }
}

/// A duration as a message writes it: `300 ms`, `1 s`, `1.5 s`.
pub(super) fn span(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}
