//! The third layer: from exceptions to responses. Each `[[playbooks]]` rule's hits
//! ([`eval`]) go to the people who can act on them (the team file routes owner → manager),
//! one digest per recipient and channel per run, keyed so that a second run the same week
//! adds nothing; `repeat = "new"` includes a hit when it first appears or escalates, and
//! `escalate` sends it on once it has stood `after_weeks`.

pub(crate) mod eval;

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::input::team::{Member, Team};
use crate::rules::playbooks::{NotifyRules, Playbook, Repeat, Route, TaskRule, Via};
pub(crate) use eval::Hit;

pub(crate) use crate::history::outbox::State;

/// A hit seen again within this many days of the last run continues its run of weeks.
const CONTINUES_WITHIN_DAYS: i64 = 14;

/// What a digest says of one hit, shared by every message that names it (a hit goes to
/// the owner by email and Slack, and to the manager: one copy of its words).
#[derive(Debug)]
pub(crate) struct ItemText {
    pub(crate) playbook: String,
    pub(crate) subject: String,
    pub(crate) deal: String,
    pub(crate) owner: Option<String>,
    pub(crate) stage: Option<String>,
    pub(crate) amount: Option<String>,
    pub(crate) why: Vec<String>,
    pub(crate) prompt: Option<&'static str>,
}

/// One item of a digest: a hit, and whether it escalated to this recipient.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub(crate) text: std::rc::Rc<ItemText>,
    /// Weeks the hit has stood (0 in its first week).
    pub(crate) weeks: i64,
    /// Sent on because it stood `after_weeks`: to whom it escalated.
    pub(crate) escalated: Option<String>,
}

impl std::ops::Deref for Item {
    type Target = ItemText;

    fn deref(&self) -> &ItemText {
        &self.text
    }
}

impl Serialize for Item {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Item", 10)?;
        st.serialize_field("playbook", &self.playbook)?;
        st.serialize_field("subject", &self.subject)?;
        st.serialize_field("deal", &self.deal)?;
        st.serialize_field("owner", &self.owner)?;
        st.serialize_field("stage", &self.stage)?;
        st.serialize_field("amount", &self.amount)?;
        st.serialize_field("why", &self.why)?;
        st.serialize_field("prompt", &self.prompt)?;
        st.serialize_field("weeks", &self.weeks)?;
        st.serialize_field("escalated", &self.escalated)?;
        st.end()
    }
}

/// One message: a digest for one recipient over one channel.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Message {
    pub(crate) key: String,
    /// The playbooks it answers, comma-separated in rules order.
    pub(crate) playbook: String,
    pub(crate) channel: &'static str,
    pub(crate) recipient: String,
    /// Where: an email address, a Slack member id, or "" for the channel's webhook.
    pub(crate) address: String,
    pub(crate) subject: String,
    /// The deals (or owners) it names, in order.
    pub(crate) deals: Vec<String>,
    #[serde(skip)]
    pub(crate) items: Vec<Item>,
    #[serde(skip)]
    pub(crate) as_of: NaiveDate,
    /// The full report's address (`act --report-url`, or the `--report html` path).
    #[serde(skip)]
    pub(crate) report: Option<String>,
}

/// What a run of the playbooks decided.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) messages: Vec<Message>,
    /// The state to remember for each (playbook, subject) that hit this run.
    pub(crate) state: State,
    /// Recipients a channel cannot reach (no email, no Slack id, no team file row), each
    /// once, in words.
    pub(crate) unreachable: Vec<String>,
    /// Owners of hits the team file does not list.
    pub(crate) owners_missing: Vec<String>,
    /// Hits left out this run because they were already announced (`repeat = "new"`).
    pub(crate) quiet: usize,
    /// A CRM task per hit announced this run whose playbook has a `task`.
    pub(crate) tasks: Vec<Task>,
}

/// One CRM task row (`act --tasks`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Task {
    pub(crate) playbook: String,
    /// The deal's record id (Salesforce `WhatId`).
    pub(crate) record_id: String,
    /// The owner as the export writes it (an id in an org dump, a name in a report).
    pub(crate) owner: String,
    /// The owner's email, from the team file, when it has one.
    pub(crate) owner_email: Option<String>,
    pub(crate) subject: String,
    pub(crate) due: NaiveDate,
    /// Escalated: high priority.
    pub(crate) high: bool,
    pub(crate) description: String,
}

/// Who a route reaches for a hit: a name and (when the team file has one) their row.
fn resolve<'a>(
    route: &'a Route,
    hit: &'a Hit,
    team: Option<&'a Team>,
) -> Option<(&'a str, Option<&'a Member>)> {
    let member = |name: &str| team.and_then(|t| t.member(name));
    match route {
        Route::Owner => {
            let owner = hit.owner.as_deref()?;
            Some((owner, member(owner)))
        }
        Route::Manager => {
            let manager = match &hit.lead {
                Some(lead) => lead.as_str(),
                None => member(hit.owner.as_deref()?)?.manager.as_deref()?,
            };
            let m = member(manager);
            Some((m.map_or(manager, |m| m.owner.as_str()), m))
        }
        Route::Person(p) => {
            let m = member(p);
            Some((m.map_or(p.as_str(), |m| m.owner.as_str()), m))
        }
        Route::Channel(c) => Some((c.as_str(), None)),
    }
}

/// The address a channel reaches a recipient at, or why it cannot.
fn address<'a>(
    via: Via,
    route: &Route,
    member: Option<&'a Member>,
    notify: &NotifyRules,
    have_team: bool,
) -> Result<&'a str, &'static str> {
    let channel = matches!(route, Route::Channel(_));
    match via {
        Via::Slack => match member.and_then(|m| m.slack.as_deref()) {
            Some(id) if notify.slack_token.is_some() && !channel => Ok(id),
            _ if notify.slack_webhook.is_some() => Ok(""),
            _ => Err(
                "no Slack member id in the team file (or no [notify.slack] token), and no Slack webhook",
            ),
        },
        Via::Teams | Via::Webhook => Ok(""),
        Via::Email if channel => Err("a channel has no email address"),
        Via::Email if !have_team => {
            Err("no team file to find an email in ([team] file, or act --team)")
        }
        Via::Email => member
            .and_then(|m| m.email.as_deref())
            .ok_or("no email in the team file"),
    }
}

/// The messages of this run: `hits` routed by `playbooks` through `team`, with `prior`
/// (the outbox's memory of earlier runs) deciding what is new, what stood long enough to
/// escalate, and what was announced already.
pub(crate) fn plan(
    hits: &[Hit],
    playbooks: &[Playbook],
    team: Option<&Team>,
    notify: &NotifyRules,
    prior: &State,
    as_of: NaiveDate,
) -> Plan {
    let today = crate::history::julian_day(as_of);
    let mut plan = Plan::default();
    // (recipient, channel, address) → its digest's index, in first-seen order.
    let mut index: rustc_hash::FxHashMap<(&str, Via, &str), usize> =
        rustc_hash::FxHashMap::default();
    let mut digests: Vec<((String, Via, String), Vec<Item>)> = Vec::new();
    let mut unreachable: Vec<String> = Vec::new();
    // Who was said unreachable by which channel, and which owners were looked up already:
    // each is said once.
    let mut said: rustc_hash::FxHashSet<(&str, Via)> = rustc_hash::FxHashSet::default();
    let mut checked: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    let mut missing: Vec<String> = Vec::new();
    for hit in hits {
        let Some(p) = playbooks.get(hit.playbook) else {
            continue;
        };
        let state_key = (p.id.clone(), hit.subject.clone());
        let (since, prior_weeks) = match prior.get(&state_key) {
            Some(&(since, last)) if last == today => (since, (last - since) / 7 - 1),
            Some(&(since, last)) if last < today && today - last <= CONTINUES_WITHIN_DAYS => {
                (since, (last - since) / 7)
            }
            _ => (today, -1),
        };
        let weeks = (today - since) / 7;
        plan.state.insert(state_key, (since, today));
        if let (Some(owner), Some(t)) = (&hit.owner, team) {
            if !checked.contains(owner.as_str()) {
                checked.insert(owner.as_str());
                if t.member(owner).is_none() {
                    missing.push(owner.clone());
                }
            }
        }
        let first = since == today;
        let escalates = p
            .escalate
            .as_ref()
            .filter(|e| weeks >= i64::from(e.after_weeks));
        let escalated_now = escalates.is_some_and(|e| prior_weeks < i64::from(e.after_weeks));
        let mut routes: Vec<(&Route, Option<String>)> = Vec::new();
        if p.repeat == Repeat::Weekly || first || escalated_now {
            routes.push((&p.to, None));
        } else {
            plan.quiet += 1;
        }
        if let Some(e) = escalates {
            if p.repeat == Repeat::Weekly || escalated_now {
                let to = resolve(&e.to, hit, team).map_or(e.to.shown(), |(n, _)| n.to_string());
                routes.push((&e.to, Some(to)));
            }
        }
        if let (Some(rule), Some(record_id), true) = (
            p.task.as_ref(),
            hit.record_id.as_ref(),
            routes.iter().any(|(_, e)| e.is_none()) || escalated_now,
        ) {
            plan.tasks
                .push(task(p, rule, hit, record_id, team, as_of, escalated_now));
        }
        let mut shared: Option<std::rc::Rc<ItemText>> = None;
        for (route, escalated) in routes {
            let Some((name, member)) = resolve(route, hit, team) else {
                let why = match route {
                    Route::Manager => format!(
                        "the manager of {}: not in the team file",
                        hit.owner.as_deref().unwrap_or("a deal without an owner")
                    ),
                    _ => "a deal without an owner".to_string(),
                };
                if !unreachable.contains(&why) {
                    unreachable.push(why);
                }
                continue;
            };
            for &via in &p.via {
                match address(via, route, member, notify, team.is_some()) {
                    Ok(addr) => {
                        let at = match index.get(&(name, via, addr)) {
                            Some(&at) => at,
                            None => {
                                index.insert((name, via, addr), digests.len());
                                digests
                                    .push(((name.to_string(), via, addr.to_string()), Vec::new()));
                                digests.len() - 1
                            }
                        };
                        let text = shared
                            .get_or_insert_with(|| {
                                std::rc::Rc::new(ItemText {
                                    playbook: p.id.clone(),
                                    subject: hit.subject.clone(),
                                    deal: hit.label.clone(),
                                    owner: hit.owner.clone(),
                                    stage: hit.stage.clone(),
                                    amount: hit.amount.clone(),
                                    why: hit.why.clone(),
                                    prompt: hit.prompt,
                                })
                            })
                            .clone();
                        digests[at].1.push(Item {
                            text,
                            weeks,
                            escalated: escalated.clone(),
                        });
                    }
                    Err(why) => {
                        if said.insert((name, via)) {
                            unreachable.push(format!("{name} by {}: {why}", via.name()));
                        }
                    }
                }
            }
        }
    }
    let week = format!(
        "{}-W{:02}",
        as_of.iso_week().year(),
        as_of.iso_week().week()
    );
    for (k, items) in digests {
        plan.messages
            .push(message(&k.0, k.1, &k.2, items, playbooks, as_of, &week));
    }
    plan.unreachable = unreachable;
    plan.owners_missing = missing;
    plan
}

impl Plan {
    /// Every digest links to the full report at `link`.
    pub(crate) fn link(&mut self, link: Option<&str>) {
        for m in &mut self.messages {
            m.report = link.map(str::to_string);
        }
    }
}

impl Message {
    /// The digest as HTML (every value escaped): email's HTML part, made only when the
    /// message is stored.
    pub(crate) fn html(&self) -> String {
        let mut s = html(&self.recipient, &self.items, self.as_of);
        if let Some(link) = &self.report {
            if crate::words::is_web(link) {
                let _ = writeln!(s, "<p><a href=\"{}\">The full report</a></p>", escape(link));
            } else {
                let _ = writeln!(s, "<p>The full report: {}</p>", escape(link));
            }
        }
        s
    }

    /// The digest as plain text (Slack's mrkdwn too), its first `items` items (all with
    /// `usize::MAX`), saying how many more there are.
    pub(crate) fn body(&self, items: usize) -> String {
        let mut s = text(
            &self.recipient,
            &self.items[..items.min(self.items.len())],
            self.as_of,
        );
        if self.items.len() > items {
            let _ = writeln!(
                s,
                "\n… and {} more (all of them in -f json)",
                self.items.len() - items
            );
        }
        if let Some(link) = &self.report {
            let _ = writeln!(s, "\nThe full report: {link}");
        }
        s
    }

    /// The message as the outbox stores it (`body` and `html` are [`Message::body`] and
    /// [`Message::html`]).
    pub(crate) fn stored<'m>(
        &'m self,
        body: &'m str,
        html: &'m str,
        as_of: NaiveDate,
    ) -> crate::history::outbox::NewMessage<'m> {
        crate::history::outbox::NewMessage {
            key: &self.key,
            playbook: &self.playbook,
            channel: self.channel,
            recipient: &self.recipient,
            address: &self.address,
            subject: &self.subject,
            deals: &self.deals,
            body,
            html,
            data: self.data(as_of).to_string(),
        }
    }

    /// The structured digest: what the generic webhook carries.
    pub(crate) fn data(&self, as_of: NaiveDate) -> serde_json::Value {
        let mut data = serde_json::json!({
            "as_of": as_of.to_string(),
            "recipient": self.recipient,
            "items": self.items,
        });
        if let Some(link) = &self.report {
            data["report"] = serde_json::Value::String(link.clone());
        }
        data
    }
}

/// The CRM task of a hit of `p`, whose `task` is `rule`: its subject filled in, due
/// `due_in_days` after as-of, high priority when it escalated this run.
fn task(
    p: &Playbook,
    rule: &TaskRule,
    hit: &Hit,
    record_id: &str,
    team: Option<&Team>,
    as_of: NaiveDate,
    escalated: bool,
) -> Task {
    let subject = rule
        .subject
        .replace("{deal}", &hit.label)
        .replace("{owner}", hit.owner.as_deref().unwrap_or(""))
        .replace("{stage}", hit.stage.as_deref().unwrap_or(""))
        .replace("{why}", &hit.why.join("; "));
    let mut description = hit.why.join("\n");
    if let Some(prompt) = hit.prompt {
        description.push_str("\nAsk: ");
        description.push_str(prompt);
    }
    Task {
        playbook: p.id.clone(),
        record_id: record_id.to_string(),
        owner: hit.owner.clone().unwrap_or_default(),
        owner_email: hit
            .owner
            .as_deref()
            .and_then(|o| team.and_then(|t| t.member(o)))
            .and_then(|m| m.email.clone()),
        subject,
        due: as_of + chrono::Days::new(u64::from(rule.due_in_days)),
        high: escalated,
        description,
    }
}

/// The digest for one recipient over one channel.
fn message(
    recipient: &str,
    via: Via,
    addr: &str,
    items: Vec<Item>,
    playbooks: &[Playbook],
    as_of: NaiveDate,
    week: &str,
) -> Message {
    let mut ids: Vec<&str> = playbooks
        .iter()
        .map(|p| p.id.as_str())
        .filter(|id| items.iter().any(|i| i.playbook == *id))
        .collect();
    ids.dedup();
    let mut keys: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|i| {
            (
                i.playbook.as_str(),
                i.subject.as_str(),
                i.escalated.as_deref().unwrap_or(""),
            )
        })
        .collect();
    keys.sort_unstable();
    let mut h = Sha256::new();
    for part in [recipient, via.name(), addr, week] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    for (playbook, subject, escalated) in &keys {
        for part in [playbook, subject, escalated] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
    }
    let key: String = h
        .finalize()
        .iter()
        .take(16)
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
    let n = items.len();
    let subject = format!(
        "pipelint, as of {as_of}: {n} {} to act on",
        if n == 1 { "exception" } else { "exceptions" }
    );
    Message {
        key,
        playbook: ids.join(","),
        channel: via.name(),
        recipient: recipient.to_string(),
        address: addr.to_string(),
        deals: items.iter().map(|i| i.deal.clone()).collect(),
        as_of,
        subject,
        items,
        report: None,
    }
}

/// The digest as plain text.
fn text(recipient: &str, items: &[Item], as_of: NaiveDate) -> String {
    let mut s = format!("For {recipient}, from the pipelint audit as of {as_of}:\n");
    for (n, i) in items.iter().enumerate() {
        let mut what = vec![];
        what.extend(i.owner.clone());
        what.extend(i.stage.clone());
        what.extend(i.amount.clone());
        let _ = write!(s, "\n{}. {}", n + 1, i.deal);
        if !what.is_empty() {
            let _ = write!(s, " ({})", what.join(", "));
        }
        let _ = writeln!(s, " [{}]", i.playbook);
        for w in &i.why {
            let _ = writeln!(s, "   - {w}");
        }
        if let Some(p) = i.prompt {
            let _ = writeln!(s, "   Ask: {p}");
        }
        if let Some(to) = &i.escalated {
            let _ = writeln!(
                s,
                "   Escalated to {to}: standing {} week{}.",
                i.weeks,
                if i.weeks == 1 { "" } else { "s" }
            );
        }
    }
    s
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The digest as HTML (every value escaped).
fn html(recipient: &str, items: &[Item], as_of: NaiveDate) -> String {
    let mut s = format!(
        "<p>For {}, from the pipelint audit as of {as_of}:</p>\n<ol>\n",
        escape(recipient)
    );
    for i in items {
        let _ = write!(s, "<li><strong>{}</strong>", escape(&i.deal));
        let mut what = vec![];
        what.extend(i.owner.as_deref().map(escape));
        what.extend(i.stage.as_deref().map(escape));
        what.extend(i.amount.as_deref().map(escape));
        if !what.is_empty() {
            let _ = write!(s, " ({})", what.join(", "));
        }
        let _ = write!(s, " <em>[{}]</em><ul>", escape(&i.playbook));
        for w in &i.why {
            let _ = write!(s, "<li>{}</li>", escape(w));
        }
        if let Some(p) = i.prompt {
            let _ = write!(s, "<li>Ask: {}</li>", escape(p));
        }
        if let Some(to) = &i.escalated {
            let _ = write!(
                s,
                "<li>Escalated to {}: standing {} weeks.</li>",
                escape(to),
                i.weeks
            );
        }
        s.push_str("</ul></li>\n");
    }
    s.push_str("</ol>\n");
    s
}

#[cfg(test)]
mod tests;
