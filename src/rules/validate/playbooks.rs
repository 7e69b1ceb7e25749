//! `[team]`, `[notify.*]` and `[[playbooks]]`: the team file (read and checked here, so its
//! problems come with the rules'), channels whose secrets are `${ENV_VAR}` references only,
//! and each playbook's condition, recipients and channels, with a suggestion for every
//! misspelt name.

use std::path::Path;

use toml::Spanned;

use super::Checker;
use super::input::beside;
use crate::diag::Code;
use crate::input::team::Team;
use crate::rules::playbooks::{
    ActRules, BANDS, CHANGES, EnvRef, Escalate, NotifyRules, Per, Playbook, Repeat, Route, SIGNALS,
    TaskRule, Test, Via,
};
use crate::rules::raw::{RawNotify, RawPlaybook, RawTeam, RawWhen};
use crate::suggest;

pub(super) fn check(
    c: &mut Checker<'_>,
    team: &RawTeam,
    notify: &RawNotify,
    playbooks: &[RawPlaybook],
) -> ActRules {
    let mut out = ActRules {
        notify: notify_rules(c, notify),
        ..ActRules::default()
    };
    if let Some(file) = &team.file {
        let path = beside(c.dir.unwrap_or(Path::new("")), file.get_ref());
        match Team::read(&path) {
            Ok(_) => out.team_file = Some(path),
            Err(problems) => {
                for p in problems {
                    c.problem(file.span(), p);
                }
            }
        }
    }
    for raw in playbooks {
        if let Some(p) = playbook(c, raw, &out.notify) {
            if out.playbooks.iter().any(|o| o.id == p.id) {
                c.problem(
                    raw.id.span(),
                    format!(
                        "playbook id {:?} is used twice; give each playbook its own id",
                        p.id
                    ),
                );
            } else {
                out.playbooks.push(p);
            }
        }
    }
    out
}

/// The user's `[team]`, `[notify]` and playbooks over a preset's (which has none).
pub(super) fn merge(base: ActRules, over: ActRules) -> ActRules {
    let n = |o: Option<EnvRef>, b: Option<EnvRef>| o.or(b);
    ActRules {
        team_file: over.team_file.or(base.team_file),
        notify: NotifyRules {
            slack_webhook: n(over.notify.slack_webhook, base.notify.slack_webhook),
            slack_token: n(over.notify.slack_token, base.notify.slack_token),
            teams_webhook: n(over.notify.teams_webhook, base.notify.teams_webhook),
            smtp: n(over.notify.smtp, base.notify.smtp),
            email_from: over.notify.email_from.or(base.notify.email_from),
            webhook_url: n(over.notify.webhook_url, base.notify.webhook_url),
            webhook_secret: n(over.notify.webhook_secret, base.notify.webhook_secret),
        },
        playbooks: if over.playbooks.is_empty() {
            base.playbooks
        } else {
            over.playbooks
        },
    }
}

/// A secret setting: `${ENV_VAR}` only; a literal value is refused, and not repeated in the
/// message.
fn secret(c: &mut Checker<'_>, v: &Option<Spanned<String>>, what: &str) -> Option<EnvRef> {
    let v = v.as_ref()?;
    match EnvRef::parse(v.get_ref()) {
        Some(r) => Some(r),
        None => {
            c.problem(
                v.span(),
                format!(
                    "{what} is a secret: write it as a reference to an environment variable, such as \"${{{}}}\", and set that variable where pipelint runs; a literal secret in a rules file is refused",
                    what.replace(['.', ' '], "_").to_uppercase()
                ),
            );
            None
        }
    }
}

fn notify_rules(c: &mut Checker<'_>, raw: &RawNotify) -> NotifyRules {
    let mut n = NotifyRules::default();
    if let Some(s) = &raw.slack {
        n.slack_webhook = secret(c, &s.webhook, "notify.slack.webhook");
        n.slack_token = secret(c, &s.token, "notify.slack.token");
    }
    if let Some(t) = &raw.teams {
        n.teams_webhook = secret(c, &t.webhook, "notify.teams.webhook");
    }
    if let Some(e) = &raw.email {
        n.smtp = secret(c, &e.smtp, "notify.email.smtp");
        if let Some(from) = &e.from {
            if from.get_ref().contains('@') {
                n.email_from = Some(from.get_ref().trim().to_string());
            } else {
                c.problem(
                    from.span(),
                    "notify.email.from must be an email address, such as \"revops@example.com\"",
                );
            }
        }
        if n.smtp.is_some() != n.email_from.is_some() && e.smtp.is_some() != e.from.is_some() {
            let at = e.smtp.as_ref().or(e.from.as_ref()).map(|v| v.span());
            if let Some(at) = at {
                c.problem(
                    at,
                    "[notify.email] needs both smtp (a ${VAR} holding smtp://user:pass@host:587) and from",
                );
            }
        }
    }
    if let Some(w) = &raw.webhook {
        n.webhook_url = secret(c, &w.url, "notify.webhook.url");
        n.webhook_secret = secret(c, &w.secret, "notify.webhook.secret");
    }
    n
}

/// One name from `list`, or a problem with the nearest.
fn one_of(
    c: &mut Checker<'_>,
    v: &Spanned<String>,
    list: &[&'static str],
    what: &str,
) -> Option<&'static str> {
    let t = v.get_ref().trim();
    match list.iter().find(|x| x.eq_ignore_ascii_case(t)) {
        Some(x) => Some(x),
        None => {
            c.problem(
                v.span(),
                format!(
                    "unknown {what} `{t}`{}",
                    suggest::hint_then(
                        t,
                        list.iter().copied(),
                        &format!("{what}s are {}", list.join(", "))
                    )
                ),
            );
            None
        }
    }
}

/// A `when` table's tests, and its `and` entries', in order.
fn tests(c: &mut Checker<'_>, w: &RawWhen, out: &mut Vec<Test>) {
    if let Some(code) = &w.code {
        match code.get_ref().trim().parse::<Code>() {
            Ok(code) => out.push(Test::Code(code)),
            Err(e) => c.problem(code.span(), e),
        }
    }
    if let Some(s) = &w.signal {
        if let Some(name) = one_of(c, s, &SIGNALS, "signal") {
            let beyond = match &w.beyond {
                Some(b) if *b.get_ref() >= 0.0 && b.get_ref().is_finite() => Some(*b.get_ref()),
                Some(b) => {
                    c.problem(b.span(), "beyond must be 0 or more");
                    None
                }
                None => None,
            };
            out.push(Test::Signal { name, beyond });
        }
    } else if let Some(b) = &w.beyond {
        c.problem(
            b.span(),
            "beyond goes with a signal: when = { signal = \"stale\", beyond = 14 }",
        );
    }
    if let Some(b) = &w.band {
        if let Some(band) = one_of(c, b, &BANDS, "band") {
            out.push(Test::Band(band));
        }
    }
    if let Some(ch) = &w.change {
        let alias = match ch.get_ref().trim() {
            "amount_cut" => Some("amount_down"),
            "pushed_out" => Some("pushed"),
            _ => None,
        };
        match alias {
            Some(a) => out.push(Test::Change(a)),
            None => {
                if let Some(name) = one_of(c, ch, &CHANGES, "change") {
                    out.push(Test::Change(name));
                }
            }
        }
    }
    if let Some(s) = &w.streak {
        match u16::try_from(*s.get_ref()) {
            Ok(n) if n >= 1 => out.push(Test::Streak(n)),
            _ => c.problem(
                s.span(),
                "streak is a number of snapshots in a row, 1 or more",
            ),
        }
    }
    let per = match w.per.as_ref().map(|p| (p, p.get_ref().trim())) {
        None | Some((_, "owner")) => Per::Owner,
        Some((_, "team")) => Per::Team,
        Some((p, other)) => {
            c.problem(
                p.span(),
                format!("per is \"owner\" or \"team\", not {other:?}"),
            );
            Per::Owner
        }
    };
    if let (Some(p), None) = (&w.per, &w.coverage_below) {
        c.problem(
            p.span(),
            "per goes with coverage_below (e.g. coverage_below = 2.5, per = \"team\")",
        );
    }
    if let Some(cov) = &w.coverage_below {
        if *cov.get_ref() > 0.0 && cov.get_ref().is_finite() {
            out.push(Test::CoverageBelow(*cov.get_ref(), per));
        } else {
            c.problem(
                cov.span(),
                "coverage_below is a multiple of the remaining quota, above 0 (e.g. 2.5)",
            );
        }
    }
    for nested in &w.all {
        tests(c, nested.get_ref(), out);
    }
}

fn playbook(c: &mut Checker<'_>, raw: &RawPlaybook, notify: &NotifyRules) -> Option<Playbook> {
    let id = raw.id.get_ref().trim().to_string();
    let problems_before = c.problems.items.len();
    if id.is_empty() {
        c.problem(
            raw.id.span(),
            "a playbook needs an id, such as \"gone-dark\"",
        );
    }
    let mut when = Vec::new();
    tests(c, raw.when.get_ref(), &mut when);
    if when.is_empty() && c.problems.items.len() == problems_before {
        c.problem(
            raw.when.span(),
            format!(
                "playbook {id:?} has an empty `when`; name what it answers, such as when = {{ signal = \"stale\" }}"
            ),
        );
    }
    if when.iter().any(|t| matches!(t, Test::CoverageBelow(..)))
        && when.iter().any(|t| !matches!(t, Test::CoverageBelow(..)))
    {
        c.problem(
            raw.when.span(),
            format!(
                "playbook {id:?} mixes coverage_below (about owners or teams) with tests about deals; make two playbooks"
            ),
        );
    }
    let to = Route::parse(raw.to.get_ref());
    if matches!(&to, Route::Person(p) if p.is_empty()) {
        c.problem(
            raw.to.span(),
            "to names who hears: owner, manager, a person of the team file, or a #channel",
        );
    }
    if to == Route::Owner
        && when
            .iter()
            .any(|t| matches!(t, Test::CoverageBelow(_, Per::Team)))
    {
        c.problem(
            raw.to.span(),
            format!(
                "playbook {id:?} is about teams, and a team has no owner: to = \"manager\" (the manager most of its owners share), a person of the team file, or a #channel"
            ),
        );
    }
    let mut via = Vec::new();
    for v in &raw.via {
        let names: Vec<&'static str> = Via::ALL.iter().map(|v| v.name()).collect();
        if let Some(name) = one_of(c, v, &names, "channel") {
            let chosen = Via::ALL.into_iter().find(|x| x.name() == name);
            match chosen {
                Some(x) if !notify.configured(x) => c.problem(
                    v.span(),
                    format!(
                        "playbook {id:?} sends by {name}, but [notify.{name}] does not say where: add it (secrets as ${{ENV_VAR}})"
                    ),
                ),
                Some(x) if !via.contains(&x) => via.push(x),
                _ => {}
            }
        }
    }
    if raw.via.is_empty() && raw.task.is_none() {
        c.problem(
            raw.to.span(),
            format!(
                "playbook {id:?} has no `via` and no `task`: say how it reaches people, such as via = [\"slack\", \"email\"]"
            ),
        );
    }
    let escalate = raw.escalate.as_ref().and_then(|e| {
        let e = e.get_ref();
        match u32::try_from(*e.after_weeks.get_ref()) {
            Ok(w) if w >= 1 => Some(Escalate {
                after_weeks: w,
                to: Route::parse(e.to.get_ref()),
            }),
            _ => {
                c.problem(e.after_weeks.span(), "after_weeks must be 1 or more");
                None
            }
        }
    });
    let repeat = match raw.repeat.as_ref().map(|r| r.get_ref().trim()) {
        None | Some("new") => Repeat::New,
        Some("weekly") => Repeat::Weekly,
        Some(other) => {
            if let Some(r) = &raw.repeat {
                c.problem(
                    r.span(),
                    format!(
                        "repeat must be \"new\" (when it first appears or escalates) or \"weekly\" (every run), not {other:?}"
                    ),
                );
            }
            Repeat::New
        }
    };
    let task = raw.task.as_ref().and_then(|t| {
        let t = t.get_ref();
        let due = match &t.due_in_days {
            None => Some(3),
            Some(d) => match u32::try_from(*d.get_ref()) {
                Ok(d) => Some(d),
                Err(_) => {
                    c.problem(d.span(), "due_in_days must be 0 or more");
                    None
                }
            },
        };
        due.map(|due_in_days| TaskRule {
            subject: t.subject.get_ref().clone(),
            due_in_days,
        })
    });
    (c.problems.items.len() == problems_before).then_some(Playbook {
        id,
        when,
        to,
        via,
        escalate,
        repeat,
        task,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::problems;

    #[test]
    fn playbooks_are_checked_with_suggestions() {
        let p = problems(
            "[notify.slack]\nwebhook = \"https://hooks.slack.com/services/T000/B000/XXXX\"\n\n[[playbooks]]\nid = \"dark\"\nwhen = { sigal = \"stale\" }\nto = \"owner\"\nvia = [\"slack\"]\n\n[[playbooks]]\nid = \"dark2\"\nwhen = { signal = \"stael\", band = \"hgh\" }\nto = \"owner\"\nvia = [\"emial\"]\nrepeat = \"daily\"\n",
        );
        assert_eq!(p.len(), 6, "{p:?}");
        assert!(
            p[0].starts_with("r.toml:2:11: notify.slack.webhook is a secret"),
            "{}",
            p[0]
        );
        assert!(
            !p.iter().any(|m| m.contains("XXXX")),
            "a secret is never repeated: {p:?}"
        );
        assert!(p[1].contains("unknown field `sigal`"), "{}", p[1]);
        assert!(
            p[2].contains("unknown signal `stael`; did you mean `stale`?"),
            "{}",
            p[2]
        );
        assert!(
            p[3].contains("unknown band `hgh`; did you mean `high`?"),
            "{}",
            p[3]
        );
        assert!(
            p[4].contains("unknown channel `emial`; did you mean `email`?"),
            "{}",
            p[4]
        );
        assert!(p[5].contains("repeat must be \"new\""), "{}", p[5]);
    }

    #[test]
    fn a_channel_needs_its_notify_section_and_secrets_are_references() {
        let p = problems(
            "[[playbooks]]\nid = \"dark\"\nwhen = { signal = \"stale\", beyond = 14 }\nto = \"manager\"\nvia = [\"teams\"]\n",
        );
        assert_eq!(
            p,
            vec![
                "r.toml:5:8: playbook \"dark\" sends by teams, but [notify.teams] does not say where: add it (secrets as ${ENV_VAR})"
            ]
        );
        assert!(
            problems(
                "[notify.teams]\nwebhook = \"${TEAMS_WEBHOOK_URL}\"\n[[playbooks]]\nid = \"dark\"\nwhen = { signal = \"stale\", beyond = 14, and = [{ streak = 2 }] }\nto = \"manager\"\nvia = [\"teams\"]\nescalate = { after_weeks = 2, to = \"#revops\" }\n"
            )
            .is_empty()
        );
    }
}
