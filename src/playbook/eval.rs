//! Which deals (or owners) each playbook's `when` holds for, and why, in words: one pass
//! over the audit's deals, their findings (with streaks), signals (with their distances),
//! bands and movements since the previous snapshot; and the owners whose coverage is below
//! a playbook's multiple.

use std::collections::BTreeMap;

use crate::audit::AuditRun;
use crate::checks;
use crate::deal::{Signal, StageKey};
use crate::diag::{Code, Subject};
use crate::facts::pairing::pairing_key;
use crate::facts::standing::{Standing, standing};
use crate::input::team::Team;
use crate::report::Report;
use crate::rules::playbooks::{Per, Playbook, Test};
use crate::score::Band;
use crate::score::changes::Move;
use crate::score::risk::{Describe, Grader, describe as describe_signal};

/// One playbook holding for one deal (or owner).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Hit {
    /// The playbook's index in the rules.
    pub(crate) playbook: usize,
    /// What the hit is about across snapshots: `deal:<pairing key>` or `owner:<name>`.
    pub(crate) subject: String,
    /// The deal's name (else id), or the owner's name.
    pub(crate) label: String,
    pub(crate) owner: Option<String>,
    pub(crate) stage: Option<String>,
    pub(crate) amount: Option<String>,
    /// Why, one line per test.
    pub(crate) why: Vec<String>,
    /// The coaching question to ask about it.
    pub(crate) prompt: Option<&'static str>,
    /// The deal's record id, for a CRM task.
    pub(crate) record_id: Option<String>,
    /// A team's hit: the manager `to = "manager"` reaches (the one most of its owners
    /// share in the team file).
    pub(crate) lead: Option<String>,
}

/// Every hit of every playbook, deals in input order (vanished deals after), then owners;
/// deterministic.
pub(crate) fn hits(
    run: &AuditRun,
    report: &Report<'_>,
    playbooks: &[Playbook],
    team: Option<&Team>,
) -> Vec<Hit> {
    let audit = &run.audit;
    let rules = &audit.rules;
    // The findings of each deal: (code, finding index).
    let mut by_deal: BTreeMap<u32, Vec<(Code, usize)>> = BTreeMap::new();
    for (i, f) in audit.findings.list.iter().enumerate() {
        if let Subject::Deal(d) = f.subject {
            by_deal.entry(d).or_default().push((f.code, i));
        }
    }
    let moves: BTreeMap<u32, crate::score::changes::Moves> = run
        .changes()
        .map(|c| {
            c.movements
                .iter()
                .filter_map(|m| Some((m.now?, m.moves)))
                .collect()
        })
        .unwrap_or_default();
    let by = crate::history::pair_by(audit);
    // A band test can hold for a deal with no signal (the low band).
    let bands_wanted = playbooks
        .iter()
        .any(|p| p.when.iter().any(|t| matches!(t, Test::Band(_))));
    let mut key = String::new();
    let mut out = Vec::new();
    for (i, d) in audit.deals.iter().enumerate() {
        let index = i as u32;
        let findings = by_deal.get(&index).map_or(&[][..], Vec::as_slice);
        // Worded only for a deal some playbook may hold for: most deals have no signal.
        if findings.is_empty()
            && d.risk.signals().0 == 0
            && !moves.contains_key(&index)
            && !bands_wanted
        {
            continue;
        }
        let stage = match d.stage {
            StageKey::Known(s, _) => rules.stages.get(s as usize),
            _ => None,
        };
        let deal = DealTests {
            audit,
            report,
            d,
            findings,
            moves: moves.get(&index).copied(),
            open: standing(d, rules) == Standing::Open,
            grader: Grader {
                as_of: audit.as_of,
                close_date: d.close_date,
                stage,
                risk: &rules.risk,
                changes: &rules.changes,
            },
        };
        for (p, playbook) in playbooks.iter().enumerate() {
            if playbook.about_owners() || !playbook.when.iter().all(|t| deal.holds(t, playbook)) {
                continue;
            }
            let subject = if pairing_key(by, d, &audit.deals, rules, &mut key) {
                format!("deal:{key}")
            } else {
                format!("deal:{}:{}", d.file, d.line)
            };
            out.push(deal.hit(p, playbook, subject));
        }
    }
    out.extend(coverage_hits(report, playbooks, team));
    out
}

/// One deal as the playbooks' tests read it.
struct DealTests<'a> {
    audit: &'a crate::audit::Audit,
    report: &'a Report<'a>,
    d: &'a crate::deal::Deal,
    /// Its findings: (code, finding index).
    findings: &'a [(Code, usize)],
    moves: Option<crate::score::changes::Moves>,
    open: bool,
    grader: Grader<'a>,
}

impl DealTests<'_> {
    /// The longest streak of the deal's findings (of `code`, when given).
    fn streak(&self, code: Option<Code>) -> Option<u16> {
        self.findings
            .iter()
            .filter(|(fc, _)| code.is_none_or(|want| *fc == want))
            .filter_map(|(_, fi)| self.report.streak(*fi))
            .max()
    }

    /// Whether `test` of `playbook` holds, from the figures alone: words only for what does.
    fn holds(&self, test: &Test, playbook: &Playbook) -> bool {
        let d = self.d;
        match test {
            Test::Code(c) => self.findings.iter().any(|(fc, _)| fc == c),
            Test::Signal { name, beyond } => signal(name).is_some_and(|signal| {
                self.open
                    && d.risk.signals().contains(signal)
                    && beyond.is_none_or(|b| self.grader.distance(signal, &d.risk).beyond >= b)
            }),
            Test::Band(b) => {
                self.open && Band::of(d.risk.score, &self.audit.rules.risk).as_str() == *b
            }
            Test::Change(name) => Move::ALL
                .into_iter()
                .find(|m| m.name() == *name)
                .is_some_and(|m| self.moves.is_some_and(|ms| ms.contains(m))),
            Test::Streak(n) => self.streak(code_of(playbook)).is_some_and(|s| s >= *n),
            Test::CoverageBelow(..) => false,
        }
    }

    /// The words of the deal's one signal, as the report words it.
    fn signal_words(&self, signal: Signal) -> String {
        let audit = self.audit;
        let table = &audit.table;
        let describe = Describe {
            grader: self.grader,
            forecast: audit.deals.forecast(self.d),
            requires: self
                .grader
                .stage
                .map(|st| {
                    st.requires
                        .iter()
                        .map(|r| {
                            table
                                .id(&r.name)
                                .map_or(r.name.as_str(), |id| table.name(id))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        };
        describe_signal(signal, &self.d.risk, &describe)
    }

    /// Why `playbook` holds, one line per test, and the question to ask.
    fn why(&self, playbook: &Playbook) -> (Vec<String>, Option<&'static str>) {
        let mut why = Vec::new();
        let mut prompt = None;
        for t in &playbook.when {
            match t {
                Test::Code(c) => {
                    for (_, fi) in self.findings.iter().filter(|(fc, _)| fc == c) {
                        if let Some(f) = self.report.finding(*fi) {
                            why.push(format!("{}: {}", c.as_str(), f.message));
                        }
                    }
                    prompt = prompt.or_else(|| checks::doc(*c).and_then(|doc| doc.prompt));
                }
                Test::Signal { name, .. } => {
                    if let Some(signal) = signal(name) {
                        why.push(self.signal_words(signal));
                        let asked = checks::signal_doc(signal).map_or("", |doc| doc.prompt());
                        prompt = prompt.or((!asked.is_empty()).then_some(asked));
                    }
                }
                Test::Band(b) => why.push(format!("{b} risk ({})", self.d.risk.score)),
                Test::Change(name) => why.push(format!(
                    "{} since the previous snapshot",
                    name.replace('_', " ")
                )),
                Test::Streak(_) => {
                    if let Some(s) = self.streak(code_of(playbook)) {
                        why.push(format!("flagged {s} snapshots in a row"));
                    }
                }
                Test::CoverageBelow(..) => {}
            }
        }
        why.dedup();
        (why, prompt)
    }

    /// The hit of the `p`th playbook on this deal.
    fn hit(&self, p: usize, playbook: &Playbook, subject: String) -> Hit {
        let (store, d) = (&self.audit.deals, self.d);
        let (why, prompt) = self.why(playbook);
        let non_empty = |t: &str| (!t.is_empty()).then(|| t.to_string());
        Hit {
            playbook: p,
            subject,
            label: non_empty(store.name(d))
                .or_else(|| non_empty(store.id(d)))
                .unwrap_or_default(),
            owner: store.owner(d).map(str::to_string),
            stage: store.stage_label(d, &self.audit.rules).map(str::to_string),
            amount: d.amount().map(|a| {
                let grouped = crate::words::group_amount(&a.to_string());
                match d.currency {
                    Some(c) => format!("{c} {grouped}"),
                    None => grouped,
                }
            }),
            why,
            prompt,
            record_id: non_empty(store.id(d)),
            lead: None,
        }
    }
}

/// The signal a playbook names.
fn signal(name: &str) -> Option<Signal> {
    Signal::ALL.into_iter().find(|s| s.name() == name)
}

/// The code a playbook's `when` names, which its `streak` is about.
fn code_of(playbook: &Playbook) -> Option<Code> {
    playbook.when.iter().find_map(|t| match t {
        Test::Code(c) => Some(*c),
        _ => None,
    })
}

/// Owners (or teams) whose coverage of the quarter (`--quota`) is below a playbook's
/// multiple.
fn coverage_hits(report: &Report<'_>, playbooks: &[Playbook], team: Option<&Team>) -> Vec<Hit> {
    let mut out = Vec::new();
    let Some(coverage) = report.health().coverage.as_ref() else {
        return out;
    };
    for (p, playbook) in playbooks.iter().enumerate() {
        let Some((below, per)) = playbook.when.iter().find_map(|t| match t {
            Test::CoverageBelow(x, per) => Some((*x, *per)),
            _ => None,
        }) else {
            continue;
        };
        let rows = match per {
            Per::Owner => coverage.owners.iter().cloned().map(|r| (None, r)).collect(),
            Per::Team => team_rows(coverage, team),
        };
        for (lead, row) in rows {
            let Some(c) = row.coverage.filter(|c| *c < below && !row.met) else {
                continue;
            };
            let (subject, label) = match (per, &row.owner) {
                (Per::Owner, Some(owner)) => (format!("owner:{owner}"), owner.clone()),
                (Per::Team, Some(name)) => (format!("team:{name}"), format!("team {name}")),
                (Per::Team, None) => ("team:".to_string(), "the team".to_string()),
                (Per::Owner, None) => continue,
            };
            out.push(Hit {
                playbook: p,
                subject,
                label,
                owner: row.owner.clone().filter(|_| per == Per::Owner),
                stage: None,
                amount: None,
                why: vec![
                    format!(
                        "coverage {c:.2}× of the remaining quota ({} {}), below {below:.2}×",
                        row.currency.as_deref().unwrap_or(""),
                        crate::words::group_amount(&row.remaining)
                    )
                    .replace("( ", "("),
                ],
                prompt: Some(
                    "Coverage is below what the quarter needs: which deals can be added or advanced this week?",
                ),
                record_id: None,
                lead,
            });
        }
    }
    out
}

/// Coverage per team of the team file's `team` column, each with the manager most of its
/// owners share: its owners' quota, won and pipeline added up per currency. Without a team
/// file with teams, the whole team's rows (every owner with a quota), with no manager.
fn team_rows(
    coverage: &crate::score::health::Coverage,
    team: Option<&Team>,
) -> Vec<(Option<String>, crate::score::health::CoverageRow)> {
    let team_of = |owner: &str| {
        team.and_then(|t| t.member(owner))
            .and_then(|m| m.team.clone().map(|t| (t, m.manager.clone())))
    };
    let has_teams = coverage
        .owners
        .iter()
        .any(|r| r.owner.as_deref().and_then(team_of).is_some());
    if !has_teams {
        return coverage.team.iter().cloned().map(|r| (None, r)).collect();
    }
    // (team, currency) → sums; team → manager → how many of its owners have them.
    let mut sums: BTreeMap<(String, Option<String>), [i128; 3]> = BTreeMap::new();
    let mut managers: BTreeMap<String, BTreeMap<String, u32>> = BTreeMap::new();
    for row in &coverage.owners {
        let Some((name, manager)) = row.owner.as_deref().and_then(team_of) else {
            continue;
        };
        let s = sums
            .entry((name.clone(), row.currency.clone()))
            .or_default();
        for (total, part) in s.iter_mut().zip(row.sums) {
            *total += part;
        }
        if let Some(m) = manager {
            *managers.entry(name).or_default().entry(m).or_default() += 1;
        }
    }
    sums.into_iter()
        .map(|((name, currency), [quota, won, pipeline])| {
            // Most owners first; a tie goes to the first name.
            let lead = managers.get(&name).and_then(|m| {
                m.iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(m, _)| m.clone())
            });
            let row = crate::score::health::sum_row(Some(name), currency, quota, won, pipeline);
            (lead, row)
        })
        .collect()
}
