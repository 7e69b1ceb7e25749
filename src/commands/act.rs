//! `pipelint act`: the audit (as `audit --history`), then the playbooks: each exception
//! routed to the person who can act on it, one digest per recipient and channel, recorded
//! in the history's outbox and sent from it, once. `--dry-run` shows what would go to
//! whom and stores nothing.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use comfy_table::{ContentArrangement, Table, presets};

use super::{EXIT_GATE_FAILED, EXIT_PASS, note, stdout};
use crate::cli::{PresetArg, parse_as_of};
use crate::history::Store;
use crate::history::outbox::{self, Stored};
use crate::input::team::Team;
use crate::notify::{self, Budget, Channel, Endpoints, Outgoing, Policy, Secret};
use crate::playbook::{self, Plan};
use crate::report::output::{self as out, Guard, Target, Wanted};
use crate::report::{EmitOptions, Format};
use crate::rules::playbooks::{EnvRef, NotifyRules};
use crate::session::{AuditRequest, thread_count};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ActFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum TasksFormat {
    /// Salesforce Task import (Data Import Wizard, Data Loader)
    Salesforce,
    /// HubSpot task import
    Hubspot,
}

#[derive(Args, Debug)]
pub(crate) struct ActArgs {
    /// Export files (CSV) of this week's snapshot; `-` reads standard input
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<String>,

    /// The history file: the previous snapshots, and the outbox
    #[arg(long, value_name = "DB", required = true)]
    pub(crate) history: PathBuf,

    /// Rules file with the [[playbooks]] (default: ./pipelint.toml)
    #[arg(short = 'r', long = "rules", value_name = "RULES")]
    pub(crate) rules: Option<PathBuf>,

    /// Built-in preset, overriding the rules file's
    #[arg(long, value_enum)]
    pub(crate) preset: Option<PresetArg>,

    /// The team file (owner, manager, email, slack, teams, team), over [team] file
    #[arg(long, value_name = "FILE")]
    pub(crate) team: Option<PathBuf>,

    /// The date the run is as of (default: the current date)
    #[arg(long = "as-of", value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    pub(crate) as_of: Option<NaiveDate>,

    /// Quotas per owner, for coverage_below playbooks
    #[arg(long, value_name = "FILE")]
    pub(crate) quota: Option<String>,

    /// Show what would be sent to whom; store and send nothing
    #[arg(long)]
    pub(crate) dry_run: bool,

    /// Output format: a table, or pipelint.outbox/1 JSON
    #[arg(short = 'f', long, value_enum, default_value_t = ActFormat::Table)]
    pub(crate) format: ActFormat,

    /// Write a CRM task import file: one row per playbook action with a `task`
    #[arg(long, value_name = "FILE")]
    pub(crate) tasks: Option<PathBuf>,

    /// The CRM the task file is for
    #[arg(long, value_enum, default_value_t = TasksFormat::Salesforce, requires = "tasks")]
    pub(crate) tasks_format: TasksFormat,

    /// Also write the audit as FORMAT to PATH, e.g. --report html=pipeline.html
    /// (repeatable); each digest links to the HTML one, or to --report-url
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = super::audit::parse_report)]
    pub(crate) reports: Vec<(Format, PathBuf)>,

    /// Where the HTML report is published (an https:// or http:// address): the link each
    /// digest carries, instead of the --report html path
    #[arg(long = "report-url", value_name = "URL", value_parser = parse_report_url)]
    pub(crate) report_url: Option<String>,

    /// Worker threads (0 = one per core)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) threads: usize,

    /// Print nothing but errors and the outcome
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

/// Exit 0 when every message went (or nothing was due), 1 when one failed or is uncertain.
pub(crate) fn run(args: &ActArgs) -> Result<u8> {
    let (threads, clamped) = thread_count(args.threads);
    if let Some(message) = clamped {
        note(&format!("pipelint: {message}"));
    }
    let request = AuditRequest {
        files: args.files.clone(),
        rules: args.rules.clone(),
        preset: args.preset.map(|p| p.name().to_string()),
        as_of: args.as_of,
        threads,
        quota: args.quota.clone(),
        progress: crate::progress::wanted(args.quiet),
        history: Some(args.history.clone()),
        ..AuditRequest::default()
    };
    // Every file asked for is checked (and created) before the work.
    let (mut reports, tasks) = prepare_outputs(args, &request)?;
    let (run, store) = request.run_in(!args.dry_run)?;
    let Some(mut store) = store else {
        bail!("no history was opened");
    };
    let audit = run.audit();
    let act = &audit.rules.act;
    if act.playbooks.is_empty() {
        bail!(
            "the rules ({}) have no [[playbooks]]: add one, such as\n[[playbooks]]\nid = \"gone-dark\"\nwhen = {{ signal = \"stale\" }}\nto = \"owner\"\nvia = [\"email\"]\n(docs/GUIDE.md, \"Playbooks\")",
            audit.rules.source
        );
    }
    let team = match args.team.as_ref().or(act.team_file.as_ref()) {
        Some(path) => Some(Team::read(path).map_err(|p| anyhow::anyhow!(p.join("\n")))?),
        None => None,
    };
    let report = run.report(&run.gate_settings());
    let options = EmitOptions {
        top: request.top,
        color: false,
        terminal: false,
        threads,
    };
    for (format, target) in reports.drain(..) {
        super::audit::write_report(&report, format, target, &options)?;
    }
    let hits = playbook::eval::hits(&run, &report, &act.playbooks, team.as_ref());
    let prior = outbox::state(&store).context("reading the outbox")?;
    let plan = playbook::plan(
        &hits,
        &act.playbooks,
        team.as_ref(),
        &act.notify,
        &prior,
        audit.as_of,
    );
    let mut plan = plan;
    plan.link(report_link(args).as_deref());
    if let Some(team) = &team {
        // Every owner of the export the team file lacks, once, not only those hit today.
        let owners = &audit.deals.owners;
        let mut missing: Vec<String> = (0..owners.len() as u32)
            .map(|i| owners.name(i))
            .filter(|o| !o.trim().is_empty() && team.member(o).is_none())
            .map(str::to_string)
            .collect();
        missing.sort();
        missing.dedup();
        plan.owners_missing = missing;
    }
    let as_of = audit.as_of.to_string();
    if let Some(target) = tasks {
        write_tasks(target, args.tasks_format, &plan)?;
    }
    if args.dry_run {
        // A table shows each digest's first items; JSON every one.
        let items = match args.format {
            ActFormat::Table => DRY_RUN_ITEMS,
            ActFormat::Json => usize::MAX,
        };
        let bodies: Vec<String> = plan.messages.iter().map(|m| m.body(items)).collect();
        let shown: Vec<Shown> = plan
            .messages
            .iter()
            .zip(&bodies)
            .map(|(m, body)| Shown {
                key: &m.key,
                playbook: &m.playbook,
                channel: m.channel,
                recipient: &m.recipient,
                subject: &m.subject,
                deals: &m.deals,
                body,
                state: "would send",
                error: None,
            })
            .collect();
        write(args.format, &as_of, true, &shown, &plan)?;
        return Ok(EXIT_PASS);
    }
    let texts: Vec<(String, String)> = plan
        .messages
        .iter()
        .map(|m| (m.body(usize::MAX), m.html()))
        .collect();
    let stored: Vec<_> = plan
        .messages
        .iter()
        .zip(&texts)
        .map(|(m, (body, html))| m.stored(body, html, audit.as_of))
        .collect();
    outbox::record(&mut store, &as_of, &stored, &plan.state).context("recording the outbox")?;
    let endpoints = endpoints(&act.notify);
    let sent = deliver(&store, &endpoints)?;
    let list = outbox::list(&store)?;
    let this_run: Vec<&Stored> = list.iter().filter(|m| m.as_of == as_of).collect();
    let shown: Vec<Shown> = this_run.iter().map(|m| Shown::of(m)).collect();
    write(args.format, &as_of, false, &shown, &plan)?;
    Ok(
        if sent.failed > 0 || list.iter().any(|m| m.state == "uncertain") {
            EXIT_GATE_FAILED
        } else {
            EXIT_PASS
        },
    )
}

/// `--report-url`: an http(s) address with nothing a link could be broken out of.
fn parse_report_url(s: &str) -> Result<String, String> {
    let s = s.trim();
    let scheme = s
        .split_once("://")
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    if !matches!(scheme.as_deref(), Some("https" | "http")) {
        return Err(format!(
            "`{s}` is not an https:// or http:// address of the published report"
        ));
    }
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\' | '`'))
    {
        return Err(format!(
            "`{s}` has a space, quote or angle bracket: percent-encode it (%20, %22, %3C)"
        ));
    }
    Ok(s.to_string())
}

/// The link each digest carries: `--report-url`, else the `--report html` path as given.
fn report_link(args: &ActArgs) -> Option<String> {
    args.report_url.clone().or_else(|| {
        args.reports
            .iter()
            .find(|(f, _)| *f == Format::Html)
            .map(|(_, p)| p.display().to_string())
    })
}

/// The `--report` targets with their formats, and the `--tasks` target.
type Outputs = (Vec<(Format, Target)>, Option<Target>);

/// Every `--report` and the `--tasks` file, checked and opened before the work, so a bad
/// path fails first; none may be an input, the rules, the team file or the history.
fn prepare_outputs(args: &ActArgs, request: &AuditRequest) -> Result<Outputs> {
    let mut kept = request.kept();
    if let Some(team) = &args.team {
        kept.add(team, crate::report::output::kept::Role::Team);
    }
    let mut wanted: Vec<Wanted<'_>> = args
        .reports
        .iter()
        .map(|(format, path)| {
            if format.is_directory() {
                Wanted {
                    path,
                    want: out::Want::Directory,
                    source: None,
                }
            } else {
                Wanted::file(path)
            }
        })
        .collect();
    if let Some(path) = &args.tasks {
        wanted.push(Wanted::file(path));
    }
    let guard = Guard {
        kept: &kept,
        stdout_taken: true,
    };
    let mut targets = out::prepare(&wanted, &guard)?;
    let tasks = if args.tasks.is_some() {
        targets.pop()
    } else {
        None
    };
    let reports = args.reports.iter().map(|(f, _)| *f).zip(targets).collect();
    Ok((reports, tasks))
}

/// The CRM task import file, replaced atomically (never an input or the history).
fn write_tasks(target: Target, format: TasksFormat, plan: &Plan) -> Result<()> {
    use crate::report::formats::csv::text;
    let mut body = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut body);
        let header: &[&str] = match format {
            TasksFormat::Salesforce => &[
                "WhatId",
                "OwnerId",
                "Subject",
                "ActivityDate",
                "Priority",
                "Status",
                "Description",
            ],
            TasksFormat::Hubspot => &[
                "Task Title",
                "Task Notes",
                "Due Date",
                "Priority",
                "Task Status",
                "Task Type",
                "Assigned To",
                "Associated Deal ID",
            ],
        };
        w.write_record(header)?;
        for t in &plan.tasks {
            let due = t.due.to_string();
            let row: Vec<String> = match format {
                TasksFormat::Salesforce => vec![
                    t.record_id.clone(),
                    t.owner.clone(),
                    t.subject.clone(),
                    due,
                    if t.high { "High" } else { "Normal" }.to_string(),
                    "Not Started".to_string(),
                    t.description.clone(),
                ],
                TasksFormat::Hubspot => vec![
                    t.subject.clone(),
                    t.description.clone(),
                    due,
                    if t.high { "HIGH" } else { "MEDIUM" }.to_string(),
                    "NOT_STARTED".to_string(),
                    "TODO".to_string(),
                    t.owner_email.clone().unwrap_or_else(|| t.owner.clone()),
                    t.record_id.clone(),
                ],
            };
            w.write_record(row.iter().map(|c| text(c).into_owned()))?;
        }
        w.flush()?;
    }
    target.write_with(|out| out.write_all(&body))?;
    Ok(())
}

/// The endpoints the rules name, each secret read from the environment now; a secret that
/// is not set leaves its channel unconfigured, and every message on it fails saying which
/// variable to set.
pub(crate) fn endpoints(n: &NotifyRules) -> Resolved {
    let mut missing = Vec::new();
    let mut secret = |channel: Channel, r: &Option<EnvRef>| -> Option<Secret> {
        let r = r.as_ref()?;
        match Secret::from_env(&r.shown()) {
            Ok(s) => Some(s),
            Err(why) => {
                missing.push((channel, why));
                None
            }
        }
    };
    let endpoints = Endpoints {
        slack_webhook: secret(Channel::Slack, &n.slack_webhook),
        slack_token: secret(Channel::Slack, &n.slack_token),
        teams_webhook: secret(Channel::Teams, &n.teams_webhook),
        smtp: secret(Channel::Email, &n.smtp),
        email_from: n.email_from.clone(),
        webhook: secret(Channel::Webhook, &n.webhook_url),
        webhook_secret: secret(Channel::Webhook, &n.webhook_secret),
        ..Endpoints::default()
    };
    Resolved { endpoints, missing }
}

/// The endpoints of a run, and the secrets that could not be read (by channel).
pub(crate) struct Resolved {
    pub(crate) endpoints: Endpoints,
    pub(crate) missing: Vec<(Channel, String)>,
}

/// How a run's sending went.
#[derive(Default)]
pub(crate) struct Sent {
    pub(crate) sent: usize,
    pub(crate) failed: usize,
}

/// Send every pending message of the outbox, oldest first, each one's state committed
/// before the request (`sending`) and after it (`sent` or `failed`). One budget for the
/// run: it never hangs.
pub(crate) fn deliver(store: &Store, resolved: &Resolved) -> Result<Sent> {
    let budget = Budget::start(Policy::default());
    let mut out = Sent::default();
    for m in outbox::pending(store)? {
        let Some(channel) = Channel::parse(&m.channel) else {
            outbox::mark(store, &m.key, "failed", 0, Some("unknown channel"))?;
            out.failed += 1;
            continue;
        };
        outbox::mark(store, &m.key, "sending", 0, None)?;
        let data: serde_json::Value =
            serde_json::from_str(&m.data).unwrap_or(serde_json::Value::Null);
        let to = if m.address.is_empty() && channel == Channel::Webhook {
            m.recipient.as_str()
        } else {
            m.address.as_str()
        };
        let delivery = notify::send(
            &Outgoing {
                key: &m.key,
                channel,
                to,
                subject: &m.subject,
                text: &m.body,
                html: &m.html,
                data: &data,
            },
            &resolved.endpoints,
            &budget,
        );
        match delivery {
            notify::Delivery::Sent { attempts } => {
                outbox::mark(store, &m.key, "sent", attempts, None)?;
                out.sent += 1;
            }
            notify::Delivery::Failed { attempts, why } => {
                let unset: Vec<&str> = resolved
                    .missing
                    .iter()
                    .filter(|(c, _)| *c == channel)
                    .map(|(_, w)| w.as_str())
                    .collect();
                let why = if unset.is_empty() {
                    why
                } else {
                    format!("{why} ({})", unset.join("; "))
                };
                outbox::mark(store, &m.key, "failed", attempts, Some(&why))?;
                out.failed += 1;
            }
        }
    }
    Ok(out)
}

/// A message as the output shows it.
#[derive(serde::Serialize)]
pub(crate) struct Shown<'a> {
    pub(crate) key: &'a str,
    pub(crate) playbook: &'a str,
    pub(crate) channel: &'a str,
    pub(crate) recipient: &'a str,
    pub(crate) subject: &'a str,
    pub(crate) deals: &'a [String],
    pub(crate) body: &'a str,
    pub(crate) state: &'a str,
    pub(crate) error: Option<&'a str>,
}

impl<'a> Shown<'a> {
    pub(crate) fn of(m: &'a Stored) -> Shown<'a> {
        Shown {
            key: &m.key,
            playbook: &m.playbook,
            channel: &m.channel,
            recipient: &m.recipient,
            subject: &m.subject,
            deals: &m.deals,
            body: &m.body,
            state: &m.state,
            error: m.error.as_deref(),
        }
    }
}

fn write(
    format: ActFormat,
    as_of: &str,
    dry_run: bool,
    messages: &[Shown<'_>],
    plan: &Plan,
) -> Result<()> {
    stdout(|out| match format {
        ActFormat::Json => {
            serde_json::to_writer_pretty(
                &mut *out,
                &serde_json::json!({
                    "schema": "pipelint.outbox/1",
                    "as_of": as_of,
                    "dry_run": dry_run,
                    "messages": messages,
                    "unreachable": plan.unreachable,
                    "owners_missing_from_team": plan.owners_missing,
                    "already_announced": plan.quiet,
                }),
            )?;
            writeln!(out)
        }
        ActFormat::Table => write_table(out, as_of, dry_run, messages, plan),
    })?;
    Ok(())
}

/// The messages as a table: to whom, how, about what, and what became of them.
pub(crate) fn table_of(messages: &[Shown<'_>]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners())
        .set_content_arrangement(ContentArrangement::Dynamic);
    t.set_header(vec!["Recipient", "Channel", "Playbooks", "Deals", "State"]);
    for m in messages {
        let state = match m.error {
            Some(e) => format!("{}: {e}", m.state),
            None => m.state.to_string(),
        };
        t.add_row(vec![
            crate::report::terminal(m.recipient).to_string(),
            m.channel.to_string(),
            crate::report::terminal(m.playbook).to_string(),
            crate::report::terminal(&deal_list(m.deals)).to_string(),
            crate::report::terminal(&state).to_string(),
        ]);
    }
    t
}

/// How many items of each message a dry run's table shows (JSON shows them all).
const DRY_RUN_ITEMS: usize = 20;

/// The deals of a message, the first three named: "Acme, Bolt, Cargo and 12 more".
fn deal_list(deals: &[String]) -> String {
    match deals.len() {
        0..=3 => deals.join(", "),
        n => format!("{} and {} more", deals[..3].join(", "), n - 3),
    }
}

fn write_table(
    out: &mut dyn Write,
    as_of: &str,
    dry_run: bool,
    messages: &[Shown<'_>],
    plan: &Plan,
) -> std::io::Result<()> {
    let verb = if dry_run {
        "would send"
    } else {
        "sent or queued"
    };
    writeln!(
        out,
        "pipelint act, as of {as_of}: {} message{} {verb}{}",
        messages.len(),
        if messages.len() == 1 { "" } else { "s" },
        if dry_run {
            " (dry run: nothing stored, nothing sent)"
        } else {
            ""
        }
    )?;
    if !messages.is_empty() {
        writeln!(out, "{}", table_of(messages))?;
    }
    if plan.quiet > 0 {
        writeln!(
            out,
            "{} exception{} announced in an earlier run and not escalating: not repeated (repeat = \"new\").",
            plan.quiet,
            if plan.quiet == 1 { "" } else { "s" }
        )?;
    }
    for u in &plan.unreachable {
        writeln!(out, "Cannot reach {}", crate::report::terminal(u))?;
    }
    if !plan.owners_missing.is_empty() {
        writeln!(
            out,
            "Owners not in the team file: {}",
            crate::report::terminal(&plan.owners_missing.join(", "))
        )?;
    }
    if dry_run {
        for m in messages {
            writeln!(
                out,
                "\n── to {} by {}: {}\n{}",
                crate::report::terminal(m.recipient),
                m.channel,
                crate::report::terminal(m.subject),
                crate::report::terminal(m.body)
            )?;
        }
    }
    Ok(())
}
