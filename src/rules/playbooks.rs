//! `[team]`, `[notify.*]` and `[[playbooks]]` as a checked rule set holds them: each
//! exception (a finding, a signal, a band, a change, a streak, a health figure) and who
//! hears about it, how, and when it escalates. `pipelint act` runs them.

use std::path::PathBuf;

use crate::diag::Code;

/// The risk signals a playbook may name (`crate::deal::Signal::name`, in its order; a test
/// holds the two lists together).
pub(crate) const SIGNALS: [&str; 9] = [
    "overdue",
    "stale",
    "stage_aged",
    "exit_criteria",
    "forecast_mismatch",
    "no_next_step",
    "pushed",
    "slipping",
    "no_close_date",
];

/// The risk bands a playbook may name.
pub(crate) const BANDS: [&str; 3] = ["high", "medium", "low"];

/// The changes since the previous snapshot a playbook may name (`score::changes::Move`'s
/// names; a test holds the two lists together).
pub(crate) const CHANGES: [&str; 14] = [
    "new",
    "won",
    "lost",
    "reopened",
    "vanished",
    "advanced",
    "moved_back",
    "pushed",
    "pulled_in",
    "amount_up",
    "amount_down",
    "forecast_up",
    "forecast_down",
    "owner_changed",
];

/// One test of a playbook's `when`; a playbook fires where all of its tests hold.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Test {
    /// The deal has a finding of this code.
    Code(Code),
    /// The deal carries this signal; with `beyond`, at least that far past its threshold,
    /// in the signal's unit (days, points, pushes, criteria).
    Signal {
        name: &'static str,
        beyond: Option<f64>,
    },
    /// The deal is in this band.
    Band(&'static str),
    /// The deal made this move since the previous snapshot.
    Change(&'static str),
    /// A finding of the deal (of `code`, when the playbook names one) stood this many
    /// snapshots in a row or more.
    Streak(u16),
    /// The owner's (or team's) coverage of the quarter is below this multiple
    /// (`--quota`): the playbook is about owners (or teams), not deals.
    CoverageBelow(f64, Per),
}

/// What a coverage test is about (`per` in `when`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Per {
    /// Each owner with a quota.
    Owner,
    /// Each team of the team file's `team` column (its owners with a quota added up); the
    /// whole team when the file has no such column.
    Team,
}

/// Who hears.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    /// The deal's owner.
    Owner,
    /// The owner's manager (the team file's `manager`).
    Manager,
    /// A person of the team file, by owner name.
    Person(String),
    /// A channel (`#pipeline`): Slack's or Teams' incoming webhook.
    Channel(String),
}

impl Route {
    pub(crate) fn parse(s: &str) -> Route {
        let t = s.trim();
        match t {
            "owner" => Route::Owner,
            "manager" => Route::Manager,
            _ if t.starts_with('#') => Route::Channel(t.to_string()),
            _ => Route::Person(t.to_string()),
        }
    }

    pub(crate) fn shown(&self) -> String {
        match self {
            Route::Owner => "owner".to_string(),
            Route::Manager => "manager".to_string(),
            Route::Person(p) | Route::Channel(p) => p.clone(),
        }
    }
}

/// How a message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Via {
    Slack,
    Teams,
    Email,
    Webhook,
}

impl Via {
    pub(crate) const ALL: [Via; 4] = [Via::Slack, Via::Teams, Via::Email, Via::Webhook];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Via::Slack => "slack",
            Via::Teams => "teams",
            Via::Email => "email",
            Via::Webhook => "webhook",
        }
    }
}

/// When a playbook's matches are included in a digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// When the condition first appears, or escalates.
    New,
    /// Every run.
    Weekly,
}

/// `escalate = { after_weeks, to }`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Escalate {
    pub(crate) after_weeks: u32,
    pub(crate) to: Route,
}

/// `task = { subject, due_in_days }`: a CRM task row per match (`act --tasks`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TaskRule {
    /// With `{deal}`, `{owner}`, `{stage}` and `{why}` filled in per match.
    pub(crate) subject: String,
    pub(crate) due_in_days: u32,
}

/// One `[[playbooks]]` entry.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Playbook {
    pub(crate) id: String,
    pub(crate) when: Vec<Test>,
    pub(crate) to: Route,
    pub(crate) via: Vec<Via>,
    pub(crate) escalate: Option<Escalate>,
    pub(crate) repeat: Repeat,
    pub(crate) task: Option<TaskRule>,
}

impl Playbook {
    /// About owners (a health figure) rather than deals.
    pub(crate) fn about_owners(&self) -> bool {
        self.when
            .iter()
            .any(|t| matches!(t, Test::CoverageBelow(..)))
    }
}

/// A secret named, never written: `${SLACK_WEBHOOK_URL}` is the variable
/// `SLACK_WEBHOOK_URL`, read when a message is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EnvRef {
    pub(crate) var: String,
}

impl EnvRef {
    /// `${NAME}` (NAME: letters, digits and `_`, not starting with a digit).
    pub(crate) fn parse(s: &str) -> Option<EnvRef> {
        let name = s.trim().strip_prefix("${")?.strip_suffix('}')?;
        let ok = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        ok.then(|| EnvRef {
            var: name.to_string(),
        })
    }

    pub(crate) fn shown(&self) -> String {
        format!("${{{}}}", self.var)
    }
}

/// `[notify.*]`: where each channel's messages go.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct NotifyRules {
    pub(crate) slack_webhook: Option<EnvRef>,
    pub(crate) slack_token: Option<EnvRef>,
    pub(crate) teams_webhook: Option<EnvRef>,
    pub(crate) smtp: Option<EnvRef>,
    pub(crate) email_from: Option<String>,
    pub(crate) webhook_url: Option<EnvRef>,
    pub(crate) webhook_secret: Option<EnvRef>,
}

impl NotifyRules {
    /// Whether the rules say where `via`'s messages go.
    pub(crate) fn configured(&self, via: Via) -> bool {
        match via {
            Via::Slack => self.slack_webhook.is_some() || self.slack_token.is_some(),
            Via::Teams => self.teams_webhook.is_some(),
            Via::Email => self.smtp.is_some() && self.email_from.is_some(),
            Via::Webhook => self.webhook_url.is_some(),
        }
    }
}

/// Everything `pipelint act` reads from the rules.
#[derive(Clone, Debug, Default)]
pub(crate) struct ActRules {
    /// `[team] file`, resolved against the rules file's directory.
    pub(crate) team_file: Option<PathBuf>,
    pub(crate) notify: NotifyRules,
    pub(crate) playbooks: Vec<Playbook>,
}
