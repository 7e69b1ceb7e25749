//! Routing and memory, by hand: a stale deal of Ann's, whose manager is Dee, under a
//! playbook that tells the owner once and escalates to the manager after two weeks.

use std::path::Path;

use chrono::NaiveDate;

use super::*;
use crate::input::team;
use crate::rules::playbooks::{EnvRef, Escalate, Test};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn setup() -> (Vec<Playbook>, Team, NotifyRules) {
    let playbooks = vec![Playbook {
        id: "gone-dark".to_string(),
        when: vec![Test::Signal {
            name: "stale",
            beyond: None,
        }],
        to: Route::Owner,
        via: vec![Via::Email, Via::Slack],
        escalate: Some(Escalate {
            after_weeks: 2,
            to: Route::Manager,
        }),
        repeat: Repeat::New,
        task: None,
    }];
    let team = team::parse(
        "owner,manager,email,slack\nAnn Lee,Dee Park,ann@example.com,U0ANN\nDee Park,,dee@example.com,\n",
        Path::new("team.csv"),
    )
    .expect("team");
    let notify = NotifyRules {
        slack_webhook: EnvRef::parse("${SLACK_WEBHOOK_URL}"),
        smtp: EnvRef::parse("${SMTP_URL}"),
        email_from: Some("revops@example.com".to_string()),
        ..NotifyRules::default()
    };
    (playbooks, team, notify)
}

fn hit(owner: &str) -> Hit {
    Hit {
        playbook: 0,
        subject: "deal:006A".to_string(),
        label: "Acme <Renewal>".to_string(),
        owner: Some(owner.to_string()),
        stage: Some("Proposal".to_string()),
        amount: Some("USD 50000.00".to_string()),
        why: vec!["no activity for 21 days: 1.5× the 14-day limit".to_string()],
        prompt: Some("When did you last speak with the buyer?"),
        record_id: Some("006A".to_string()),
        lead: None,
    }
}

#[test]
fn the_owner_hears_once_and_the_manager_after_two_weeks() {
    let (playbooks, team, notify) = setup();
    let hits = [hit("Ann Lee")];
    // Week 1: new. Ann by email (her address) and Slack (the webhook: no bot token).
    let w1 = plan(
        &hits,
        &playbooks,
        Some(&team),
        &notify,
        &State::new(),
        day("2026-11-06"),
    );
    let to: Vec<(&str, &str, &str)> = w1
        .messages
        .iter()
        .map(|m| (m.recipient.as_str(), m.channel, m.address.as_str()))
        .collect();
    assert_eq!(
        to,
        [
            ("Ann Lee", "email", "ann@example.com"),
            ("Ann Lee", "slack", "")
        ]
    );
    assert!(
        w1.messages[0]
            .body(usize::MAX)
            .contains("   Ask: When did you last speak with the buyer?")
    );
    assert!(
        w1.messages[0]
            .html()
            .contains("<strong>Acme &lt;Renewal&gt;</strong>")
    );
    // The same run again: the same messages, the same keys (the outbox adds nothing).
    let again = plan(
        &hits,
        &playbooks,
        Some(&team),
        &notify,
        &w1.state,
        day("2026-11-06"),
    );
    let keys = |p: &Plan| p.messages.iter().map(|m| m.key.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&again), keys(&w1));
    // Week 2: still stale, announced already: nothing.
    let w2 = plan(
        &hits,
        &playbooks,
        Some(&team),
        &notify,
        &w1.state,
        day("2026-11-13"),
    );
    assert!(w2.messages.is_empty());
    assert_eq!(w2.quiet, 1);
    // Week 3: two weeks standing: escalates to Dee, and Ann hears it escalated.
    let w3 = plan(
        &hits,
        &playbooks,
        Some(&team),
        &notify,
        &w2.state,
        day("2026-11-20"),
    );
    let to: Vec<(&str, &str)> = w3
        .messages
        .iter()
        .map(|m| (m.recipient.as_str(), m.channel))
        .collect();
    assert_eq!(
        to,
        [
            ("Ann Lee", "email"),
            ("Ann Lee", "slack"),
            ("Dee Park", "email"),
            ("Dee Park", "slack")
        ]
    );
    assert_eq!(
        w3.messages[2].items[0].escalated.as_deref(),
        Some("Dee Park")
    );
    assert!(
        w3.messages[2]
            .body(usize::MAX)
            .contains("Escalated to Dee Park: standing 2 weeks.")
    );
    // Week 4: escalated already: quiet again.
    let w4 = plan(
        &hits,
        &playbooks,
        Some(&team),
        &notify,
        &w3.state,
        day("2026-11-27"),
    );
    assert!(w4.messages.is_empty());
    // A gap of more than two weeks starts the count again: new.
    let later = plan(
        &hits,
        &playbooks,
        Some(&team),
        &notify,
        &w4.state,
        day("2026-12-18"),
    );
    assert_eq!(later.messages.len(), 2);
    assert_eq!(
        later.state[&("gone-dark".to_string(), "deal:006A".to_string())].0,
        crate::history::julian_day(day("2026-12-18"))
    );
}

#[test]
fn who_cannot_be_reached_is_said_once() {
    let (playbooks, team, notify) = setup();
    let hits = [hit("Cy Diaz"), hit("Cy Diaz")];
    let p = plan(
        &hits,
        &playbooks,
        Some(&team),
        &notify,
        &State::new(),
        day("2026-11-06"),
    );
    assert_eq!(p.owners_missing, ["Cy Diaz"]);
    assert_eq!(
        p.unreachable,
        ["Cy Diaz by email: no email in the team file"]
    );
    // Slack still reaches the channel's webhook, naming Cy.
    assert_eq!(p.messages.len(), 1);
    assert_eq!(
        (p.messages[0].channel, p.messages[0].recipient.as_str()),
        ("slack", "Cy Diaz")
    );
}

/// The names playbooks may use are the signals' and the moves' own, in their order.
#[test]
fn playbook_names_are_the_signals_and_the_moves() {
    use crate::deal::Signal;
    use crate::rules::playbooks::{CHANGES, SIGNALS};
    use crate::score::changes::Move;
    let signals: Vec<&str> = Signal::ALL.iter().map(|s| s.name()).collect();
    assert_eq!(signals, SIGNALS);
    let moves: Vec<&str> = Move::ALL.iter().map(|m| m.name()).collect();
    assert_eq!(moves, CHANGES);
}

/// Without a team file, email reaches no one and says why; the Slack webhook still posts.
#[test]
fn without_a_team_file_email_says_so() {
    let (playbooks, _, notify) = setup();
    let hits = [hit("Ann Lee")];
    let p = plan(
        &hits,
        &playbooks,
        None,
        &notify,
        &State::new(),
        day("2026-11-06"),
    );
    assert_eq!(
        p.unreachable,
        ["Ann Lee by email: no team file to find an email in ([team] file, or act --team)"]
    );
    assert!(p.owners_missing.is_empty());
    assert_eq!(p.messages.len(), 1);
    assert_eq!(p.messages[0].channel, "slack");
}
