//! The draft's stages: the stage values seen, in their likely pipeline order (a sort-order
//! column, else words in their names, else their probabilities), won and lost recognised,
//! each with what the data says of it (probability, forecast categories, exit criteria) or
//! what the preset says when the preset knows it.

use super::mapping::Confidence;
use super::order::Strength;
use super::{Draft, REQUIRED_SHARE, STAGE_EVIDENCE};
use crate::field::Canonical;
use crate::infer::GroupStats;
use crate::rules::problem::Problems;
use crate::rules::raw::RawStage;
use crate::rules::{KNOWN_FORECAST, normalize_forecast};
use crate::values::{eq_fold, parse_percent};

/// Whole words that close a deal as won, in the languages CRMs are used in: English,
/// Spanish, Portuguese, French, German and Dutch, Italian.
const WON_WORDS: [&str; 12] = [
    "won", "win", "booked", "ganada", "ganado", "ganho", "ganha", "gagne", "gagné", "gagnée",
    "vinto", "vinta",
];
/// Word stems (a word starting with one) that close a deal as won: ganad(a/o), gewonnen,
/// adjudicad(a/o) (awarded, in public tenders).
const WON_STEMS: [&str; 3] = ["ganad", "gewonnen", "adjudicad"];
/// Whole words that close a deal as lost, discarded or dead.
const LOST_WORDS: [&str; 11] = [
    "lost", "dead", "lose", "loss", "dropped", "declined", "perdu", "perdue", "persa", "perso",
    "perdida",
];
/// Word stems that close a deal as lost.
const LOST_STEMS: [&str; 15] = [
    "disqualif",
    "descalific",
    "perdid",
    "verloren",
    "descart",
    "discard",
    "cancel",
    "inactiv",
    "churn",
    "abandon",
    "rejected",
    "rechaz",
    "storn",
    "abgesagt",
    "unqualif",
];
/// Labels that say won or lost only once their words are joined ("Closed-Won", "Out-Sold").
const JOINED: [(&str, &str); 3] = [
    ("closedwon", "won"),
    ("closedlost", "lost"),
    ("outsold", "lost"),
];

/// Won or lost, when a stage's name says so: a short label only (a note that tells how a
/// deal was won is not a won stage).
pub(super) fn outcome_from_name(name: &str) -> Option<&'static str> {
    if !super::roles::is_label(name) {
        return None;
    }
    let n = name.to_lowercase();
    let words: Vec<&str> = n
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    let stem = |list: &[&str]| words.iter().any(|w| list.iter().any(|s| w.starts_with(s)));
    let joined = words.concat();
    if let Some((_, o)) = JOINED.iter().find(|(k, _)| joined == *k) {
        return Some(o);
    }
    if has(&WON_WORDS) || stem(&WON_STEMS) {
        Some("won")
    } else if has(&LOST_WORDS) || stem(&LOST_STEMS) {
        Some("lost")
    } else {
        None
    }
}

/// The number a stage's name carries, when it is numbered: `Fase 0`, `1. Prospect`,
/// `Stage 3 - Proposal`, `05 Negotiation`, `1-Discover`, `S2`.
pub(super) fn number_from_name(name: &str) -> Option<f64> {
    const WORDS: [&str; 9] = [
        "stage", "fase", "phase", "etapa", "step", "paso", "stufe", "etape", "s",
    ];
    let n = name.trim().to_lowercase().replace('é', "e");
    let digits = |s: &str| -> Option<f64> {
        let d: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
        let rest = &s[d.len()..];
        let ends = rest
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric() || c.is_whitespace());
        (!d.is_empty() && d.len() <= 3 && ends)
            .then(|| d.parse::<f64>().ok())
            .flatten()
    };
    if let Some(v) = digits(&n) {
        return Some(v);
    }
    let mut words = n
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let first = words.next()?;
    if WORDS.contains(&first) {
        return words.next().and_then(digits);
    }
    // Glued: "s2", "stage3", "fase1".
    WORDS.iter().find_map(|w| {
        first
            .strip_prefix(w)
            .filter(|r| !r.is_empty())
            .and_then(digits)
    })
}

/// Where a stage usually sits, from words in its name (1 = first contact … 5 = signing).
pub(super) fn rank_from_name(name: &str) -> Option<f64> {
    const WORDS: [(&str, f64); 54] = [
        ("lead", 1.0),
        ("new", 1.0),
        ("prospect", 1.0),
        ("interes", 1.0),
        ("inbound", 1.0),
        ("appointment", 1.5),
        ("qualif", 2.0),
        ("contact", 2.0),
        ("engag", 2.0),
        ("connect", 2.0),
        ("intro", 2.0),
        ("discover", 3.0),
        ("needs", 3.0),
        ("analysis", 3.0),
        ("demo", 3.7),
        ("meeting", 3.0),
        ("evaluat", 3.0),
        ("value", 3.0),
        ("decision", 3.5),
        ("perception", 3.5),
        ("develop", 3.5),
        ("present", 3.8),
        ("design", 3.9),
        ("diseño", 3.9),
        ("proposal", 4.0),
        ("propose", 4.0),
        ("propuesta", 4.0),
        ("quote", 4.0),
        ("negotia", 5.0),
        ("negocia", 5.0),
        ("review", 5.0),
        ("contract", 5.2),
        ("verbal", 5.2),
        ("commit", 5.2),
        ("firma", 5.5),
        ("sign", 5.5),
        ("close", 5.5),
        // Spanish, Portuguese, French, German and Italian.
        ("prospec", 1.0),
        ("calific", 2.0),
        ("qualifizier", 2.0),
        ("découverte", 3.0),
        ("decouverte", 3.0),
        ("bedarf", 3.0),
        ("analyse", 3.0),
        ("análisis", 3.0),
        ("analisis", 3.0),
        ("angebot", 4.0),
        ("proposition", 4.0),
        ("proposta", 4.0),
        ("cotiza", 4.0),
        ("verhandlung", 5.0),
        ("négociation", 5.0),
        ("trattativa", 5.0),
        ("vertrag", 5.2),
    ];
    let n = name.to_lowercase();
    WORDS
        .iter()
        .filter(|(w, _)| n.contains(w))
        .map(|(_, r)| *r)
        .reduce(f64::max)
}

/// Why a stage's outcome is what it is, when only its name says so.
pub(super) const FROM_NAME: &str = "from its name";

/// The drafted stages in pipeline order, what ordered them and how sure that is.
pub(super) struct StageOrder {
    pub(super) stages: Vec<StageDraft>,
    pub(super) source: String,
    pub(super) confidence: Confidence,
}

/// A stage of the draft.
#[derive(Clone, Debug)]
pub(super) struct StageDraft {
    pub(super) name: String,
    pub(super) aliases: Vec<String>,
    pub(super) deals: u64,
    pub(super) probability: Option<f64>,
    /// The probability most deals of the stage carry, when it differs from `probability`.
    pub(super) observed_probability: Option<f64>,
    pub(super) forecast: Option<Vec<String>>,
    /// Forecast categories seen on too few deals to be allowed (left to HYG005).
    pub(super) rare_forecast: Vec<(String, u64)>,
    pub(super) max_days: Option<i64>,
    pub(super) stale_days: Option<i64>,
    pub(super) requires: Vec<String>,
    pub(super) outcome: Option<&'static str>,
    /// Why the outcome is what it is.
    pub(super) outcome_evidence: Option<String>,
    pub(super) from_preset: bool,
    pub(super) rank: f64,
    pub(super) first_seen: usize,
}

#[cfg(test)]
impl StageDraft {
    /// A stage seen with one deal and nothing else known of it (for ordering tests).
    pub(super) fn bare(
        name: &str,
        outcome: Option<&'static str>,
        first_seen: usize,
        rank: f64,
    ) -> StageDraft {
        StageDraft {
            name: name.into(),
            aliases: vec![],
            deals: 1,
            probability: None,
            observed_probability: None,
            forecast: None,
            rare_forecast: vec![],
            max_days: None,
            stale_days: None,
            requires: vec![],
            outcome,
            outcome_evidence: None,
            from_preset: false,
            rank,
            first_seen,
        }
    }
}

impl Draft<'_> {
    /// Stage values seen, as (value, deals, first seen), in file order.
    fn observed(&self, stage_col: usize) -> Vec<(String, u64, &GroupStats)> {
        let _ = stage_col;
        self.profile
            .groups
            .iter()
            .map(|g| (g.value.clone(), g.rows, g))
            .collect()
    }

    pub(super) fn stages(&self, stage_col: usize) -> StageOrder {
        let observed: Vec<(String, u64, Option<&GroupStats>)> = if self.grouped {
            self.observed(stage_col)
                .into_iter()
                .map(|(v, n, g)| (v, n, Some(g)))
                .collect()
        } else {
            let c = self.stats(stage_col);
            c.top(usize::MAX)
                .into_iter()
                .map(|(v, n)| (v.to_string(), n, None))
                .collect()
        };
        // Spellings differing only in case are one stage.
        let mut distinct: Vec<(String, u64, Option<&GroupStats>)> = Vec::new();
        for (v, n, g) in observed {
            match distinct.iter_mut().find(|(d, _, _)| eq_fold(d, &v)) {
                Some(d) => d.1 += n,
                None => distinct.push((v, n, g)),
            }
        }
        let preset_stages: Vec<RawStage> = self
            .base
            .map(|p| {
                let mut problems = Problems::default();
                crate::rules::parse::parse_rules(p.text, 0, &mut problems)
                    .stages
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        let matches = |s: &RawStage, v: &str| {
            eq_fold(s.name.get_ref().trim(), v)
                || s.aliases.iter().any(|a| eq_fold(a.get_ref().trim(), v))
        };
        // The preset's pipeline is this export's when it knows most of the open stages seen
        // (every pipeline has a won and a lost stage; those tell nothing).
        let all_deals: u64 = distinct.iter().map(|(_, n, _)| *n).sum();
        let open_values: Vec<bool> = distinct
            .iter()
            .filter_map(
                |(v, _, _)| match preset_stages.iter().find(|s| matches(s, v)) {
                    Some(s) if s.outcome.is_some() => None,
                    Some(_) => Some(true),
                    None if outcome_from_name(v).is_some() => None,
                    None => Some(false),
                },
            )
            .collect();
        let known_open = open_values.iter().filter(|k| **k).count();
        let use_preset = !preset_stages.is_empty() && known_open * 2 >= open_values.len();

        let mut stages: Vec<StageDraft> = Vec::new();
        if use_preset {
            // A CRM's default pipeline is real even where this export has no deals; the
            // generic preset's stages are a catch-all, kept only where deals are.
            let keep_unseen = self.base.is_some_and(|b| b.name != "generic");
            let mut groups: Vec<Option<&GroupStats>> = Vec::new();
            for (i, s) in preset_stages.iter().enumerate() {
                let seen: Vec<&(String, u64, Option<&GroupStats>)> =
                    distinct.iter().filter(|(v, _, _)| matches(s, v)).collect();
                let deals: u64 = seen.iter().map(|(_, n, _)| *n).sum();
                if deals == 0 && !keep_unseen && all_deals > 0 {
                    continue;
                }
                let group = seen.iter().find_map(|(_, _, g)| *g);
                let mut d = self.stage_from_data(s.name.get_ref().trim(), deals, group, i);
                self.borrow_preset(&mut d, s);
                d.rank = i as f64;
                stages.push(d);
                groups.push(group);
            }
            // Values the preset does not know go before the closed stages.
            let closed_at = stages
                .iter()
                .position(|s| s.outcome.is_some())
                .unwrap_or(stages.len());
            let mut extra: Vec<(StageDraft, Option<&GroupStats>)> = distinct
                .iter()
                .enumerate()
                .filter(|(_, (v, _, _))| !preset_stages.iter().any(|s| matches(s, v)))
                .map(|(i, (v, n, g))| (self.stage_from_data(v, *n, *g, i), *g))
                .collect();
            extra.sort_by(|a, b| compare(&a.0, &b.0));
            let (open_extra, closed_extra): (Vec<_>, Vec<_>) =
                extra.into_iter().partition(|(s, _)| s.outcome.is_none());
            let tail = stages.split_off(closed_at);
            groups.truncate(closed_at);
            let placed = self.place_among(&mut stages, &groups, open_extra);
            stages.extend(tail);
            stages.extend(closed_extra.into_iter().map(|(s, _)| s));
            let unknown = stages.iter().any(|s| !s.from_preset);
            let source = format!(
                "preset {}'s order{}",
                self.base.map_or("?", |b| b.name),
                match placed {
                    Some(how) =>
                        format!("; stages it does not know placed among them by their deals, {how}"),
                    None if unknown => "; stages it does not know placed by name".to_string(),
                    None => String::new(),
                }
            );
            let confidence = if unknown {
                Confidence::Medium
            } else {
                Confidence::High
            };
            return StageOrder {
                stages,
                source,
                confidence,
            };
        }
        for (i, (v, n, g)) in distinct.iter().enumerate() {
            let mut d = self.stage_from_data(v, *n, *g, i);
            // A value the preset knows keeps the preset's settings, not its place.
            if let Some(s) = preset_stages.iter().find(|s| matches(s, v)) {
                let rank = d.rank;
                self.borrow_preset(&mut d, s);
                d.rank = rank;
            }
            stages.push(d);
        }
        let groups: Vec<Option<&GroupStats>> = distinct.iter().map(|(_, _, g)| *g).collect();
        let (source, confidence) = self.order_open(&mut stages, &groups);
        order(&mut stages);
        merge_same(&mut stages);
        StageOrder {
            stages,
            source,
            confidence,
        }
    }

    /// Rank the open stages of an export no preset's pipeline fits, by the best evidence
    /// there is: a sort-order column; the moves deals made between snapshots; numbers in the
    /// names (`Fase 0`, `1. Prospect`); the probability the CRM sets per stage; common sales
    /// words; then weak signals (forecast categories, ages); last, the order of appearance.
    fn order_open(
        &self,
        stages: &mut [StageDraft],
        groups: &[Option<&GroupStats>],
    ) -> (String, Confidence) {
        let open = |s: &StageDraft| s.outcome.is_none();
        if self.watch.sort_order.is_some() && self.grouped {
            return (
                "from the StageSortOrder column".to_string(),
                Confidence::High,
            );
        }
        if let Some(how) = self
            .movement
            .and_then(|m| m.rank(stages.iter_mut().filter(|s| open(s))))
        {
            return (how, Confidence::High);
        }
        let numbered: Vec<Option<f64>> = stages
            .iter()
            .filter(|s| open(s))
            .map(|s| number_from_name(&s.name))
            .collect();
        let mut distinct: Vec<f64> = numbered.iter().flatten().copied().collect();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        if !numbered.is_empty()
            && numbered.iter().all(Option::is_some)
            && distinct.len() == numbered.len()
        {
            for s in stages.iter_mut().filter(|s| open(s)) {
                s.rank = number_from_name(&s.name).unwrap_or(f64::NAN);
            }
            return (
                "by the numbers in the stage names".to_string(),
                Confidence::High,
            );
        }
        if let Some(how) = self.order_from(stages, groups, Strength::Strong) {
            return (how, Confidence::Medium);
        }
        if stages
            .iter()
            .all(|s| !open(s) || rank_from_name(&s.name).is_some())
        {
            // The ranks stage_from_data set from the names stand.
            return (
                "from common sales words in the stage names".to_string(),
                Confidence::Medium,
            );
        }
        if let Some(how) = self.order_from(stages, groups, Strength::Weak) {
            return (how, Confidence::Low);
        }
        (
            "guessed from the stage names; unknown ones in order of appearance".to_string(),
            Confidence::Low,
        )
    }

    /// Whether the probability column holds fractions (0.4 for 40%): some value strictly
    /// between 0 and 1, or (when only 0 and 1 occur, as in an export of closed deals) the
    /// base preset says its CRM writes fractions.
    pub(super) fn probability_is_fraction(&self) -> bool {
        let Some(col) = self.column_of(Canonical::Probability) else {
            return false;
        };
        let n = &self.stats(col).numbers;
        if n.looks_fractional() {
            return true;
        }
        let within_unit = n.with_percent == 0
            && n.min.is_some_and(|m| m >= 0.0)
            && n.max.is_some_and(|m| m <= 1.0);
        within_unit
            && self.base.is_some_and(|p| {
                let mut problems = Problems::default();
                crate::rules::parse::parse_rules(p.text, 0, &mut problems)
                    .fields
                    .iter()
                    .any(|(k, f)| k.get_ref() == "probability" && f.fraction == Some(true))
            })
    }

    /// Take a preset stage's name, aliases and settings (the deals and evidence stay).
    fn borrow_preset(&self, d: &mut StageDraft, s: &RawStage) {
        d.name = s.name.get_ref().trim().to_string();
        d.from_preset = true;
        d.aliases = s
            .aliases
            .iter()
            .map(|a| a.get_ref().trim().to_string())
            .collect();
        d.probability = s.probability.as_ref().map(|p| *p.get_ref());
        if d.observed_probability == d.probability {
            d.observed_probability = None;
        }
        d.forecast = s
            .forecast
            .as_ref()
            .map(|f| f.iter().map(|c| c.get_ref().clone()).collect());
        d.rare_forecast.clear();
        d.max_days = s.max_days.as_ref().map(|v| *v.get_ref());
        d.stale_days = s.stale_days.as_ref().map(|v| *v.get_ref());
        d.requires = s
            .requires
            .iter()
            .map(|r| r.get_ref().trim().to_string())
            .filter(|r| self.resolves(r))
            .collect();
        d.outcome = s.outcome.as_ref().map(|o| match o.get_ref().as_str() {
            "won" => "won",
            _ => "lost",
        });
        d.outcome_evidence = None;
    }

    /// Whether a field name in a preset's `requires` exists in this export.
    fn resolves(&self, name: &str) -> bool {
        match Canonical::parse(name) {
            Some(c) => self.mapped.iter().any(|m| m.field == c),
            None => self.header.find(name).is_some(),
        }
    }

    /// A stage as the data shows it: its outcome, probability, forecast categories, order
    /// and exit criteria.
    fn stage_from_data(
        &self,
        name: &str,
        deals: u64,
        group: Option<&GroupStats>,
        first_seen: usize,
    ) -> StageDraft {
        let mut d = StageDraft {
            name: name.to_string(),
            aliases: Vec::new(),
            deals,
            probability: None,
            observed_probability: None,
            forecast: None,
            rare_forecast: Vec::new(),
            max_days: None,
            stale_days: None,
            requires: Vec::new(),
            outcome: None,
            outcome_evidence: None,
            from_preset: false,
            rank: f64::NAN,
            first_seen,
        };
        let fraction = self.probability_is_fraction();
        if let (Some(g), Some(w)) = (group, self.watch.probability) {
            d.observed_probability = g
                .mode(w)
                .and_then(|v| parse_percent(v, self.decimal(), fraction).ok())
                .filter(|p| (0.0..=100.0).contains(p));
            d.probability = d.observed_probability;
        }
        // Outcome: the won/closed flags of its deals, else its name.
        if let (Some(g), Some(wc)) = (group, self.watch.is_closed) {
            let truthy = |w: usize| {
                g.watched.get(w).map_or(0, |vals| {
                    vals.iter()
                        .filter(|(v, _)| crate::values::parse_bool(v) == Some(true))
                        .map(|(_, n)| *n)
                        .sum::<u64>()
                })
            };
            let closed = truthy(wc);
            if g.rows > 0 && closed * 10 >= g.rows * 9 {
                let won = self.watch.is_won.map_or(0, truthy);
                let is_won = won * 2 > closed;
                d.outcome = Some(if is_won { "won" } else { "lost" });
                d.outcome_evidence = Some(format!(
                    "IsClosed on {} of {} deals, IsWon on {}",
                    closed, g.rows, won
                ));
            }
        }
        if d.outcome.is_none() {
            if let Some(o) = outcome_from_name(name) {
                d.outcome = Some(o);
                d.outcome_evidence = Some(FROM_NAME.to_string());
            }
        }
        // Order: the sort-order column, else words in the name, else the probability.
        let sort = group
            .zip(self.watch.sort_order)
            .and_then(|(g, w)| g.mode(w))
            .and_then(|v| v.trim().parse::<f64>().ok());
        d.rank = sort
            .or_else(|| rank_from_name(name))
            .or_else(|| d.probability.map(|p| 1.0 + p / 100.0 * 4.5))
            .unwrap_or(f64::NAN);
        if let (Some(g), Some(w)) = (group, self.watch.forecast) {
            let total: u64 = g.watched[w].iter().map(|(_, n)| *n).sum();
            let mut allowed: Vec<String> = Vec::new();
            let mut norms: Vec<String> = Vec::new();
            let mut values = g.watched[w].clone();
            values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            for (v, n) in values {
                let norm = normalize_forecast(&v);
                if norm.is_empty() || norms.contains(&norm) {
                    continue;
                }
                // A misspelling of a known category is a data problem, not a category.
                let typo = !KNOWN_FORECAST.contains(&norm.as_str())
                    && crate::suggest::did_you_mean(&norm, KNOWN_FORECAST).is_some();
                if typo || (n * 20 < total && n < 2) {
                    d.rare_forecast.push((v, n));
                    continue;
                }
                norms.push(norm);
                allowed.push(v);
            }
            if !allowed.is_empty() {
                d.forecast = Some(allowed);
            }
        }
        // Exit criteria: fields (not globally required) filled on nearly every deal here.
        if let Some(g) = group.filter(|g| g.rows >= STAGE_EVIDENCE) {
            for field in [
                Canonical::Account,
                Canonical::Amount,
                Canonical::CloseDate,
                Canonical::NextStep,
            ] {
                let Some(col) = self.column_of(field) else {
                    continue;
                };
                if self.required(col) {
                    continue;
                }
                let filled = g.filled.get(col).copied().unwrap_or(0);
                if filled as f64 >= g.rows as f64 * REQUIRED_SHARE {
                    d.requires.push(field.as_str().to_string());
                }
            }
        }
        d
    }
}

/// One stage per name: values a preset knows as one stage (`Won` and `Closed Won` are its
/// Won) become that stage once, the later spellings its aliases and their deals its own.
fn merge_same(stages: &mut Vec<StageDraft>) {
    let names = |s: &StageDraft| -> Vec<String> {
        std::iter::once(s.name.clone())
            .chain(s.aliases.iter().cloned())
            .collect()
    };
    let mut i = 0;
    while i < stages.len() {
        let mine = names(&stages[i]);
        let mut j = i + 1;
        while j < stages.len() {
            let theirs = names(&stages[j]);
            if theirs.iter().any(|t| mine.iter().any(|m| eq_fold(m, t))) {
                let other = stages.remove(j);
                let first = &mut stages[i];
                first.deals += other.deals;
                for alias in names(&other) {
                    if !names(first).iter().any(|n| eq_fold(n, &alias)) {
                        first.aliases.push(alias);
                    }
                }
            } else {
                j += 1;
            }
        }
        i += 1;
    }
}

/// Open stages by rank (unranked ones keep their order of appearance, after ranked ones
/// of lower rank), then won, then lost.
pub(super) fn order(stages: &mut [StageDraft]) {
    stages.sort_by(compare);
}

/// The order of [`order`].
fn compare(a: &StageDraft, b: &StageDraft) -> std::cmp::Ordering {
    let key = |s: &StageDraft| match s.outcome {
        Some("won") => 1,
        Some(_) => 2,
        None => 0,
    };
    key(a).cmp(&key(b)).then_with(|| {
        let (ra, rb) = (a.rank, b.rank);
        match (ra.is_nan(), rb.is_nan()) {
            (false, false) => ra.total_cmp(&rb),
            (true, true) => std::cmp::Ordering::Equal,
            // Unranked stages sort after ranked ones.
            (false, true) => std::cmp::Ordering::Less,
            (true, false) => std::cmp::Ordering::Greater,
        }
        .then(a.first_seen.cmp(&b.first_seen))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_and_ranks_from_names() {
        assert_eq!(outcome_from_name("Closed Won"), Some("won"));
        assert_eq!(outcome_from_name("Won"), Some("won"));
        assert_eq!(outcome_from_name("Closed Lost"), Some("lost"));
        assert_eq!(outcome_from_name("Dead Deals"), Some("lost"));
        assert_eq!(outcome_from_name("Ganada"), Some("won"));
        assert_eq!(outcome_from_name("Wonderful"), None);
        assert_eq!(outcome_from_name("Negotiation"), None);
        assert!(rank_from_name("Prospecting") < rank_from_name("Engaging"));
        assert!(rank_from_name("Qualification") < rank_from_name("Discovery"));
        assert!(rank_from_name("Discovery") < rank_from_name("Proposal/Quote"));
        assert!(rank_from_name("Proposal/Quote") < rank_from_name("Negotiation"));
        assert!(rank_from_name("Negociación") < rank_from_name("Firmas"));
        assert_eq!(rank_from_name("Zeta"), None);
        // The common pipeline, word by word.
        let pipeline = [
            "Prospect", "Qualify", "Needs", "Develop", "Demo", "Present", "Propose", "Review",
            "Commit", "Close",
        ];
        for pair in pipeline.windows(2) {
            assert!(
                rank_from_name(pair[0]) < rank_from_name(pair[1]),
                "{} before {}",
                pair[0],
                pair[1]
            );
        }
        assert_eq!(rank_from_name("Discover"), rank_from_name("Needs"));
    }

    #[test]
    fn stages_sort_open_by_rank_then_won_then_lost() {
        let s = |name: &str, rank: f64, outcome: Option<&'static str>, first: usize| {
            StageDraft::bare(name, outcome, first, rank)
        };
        let mut v = vec![
            s("Lost", f64::NAN, Some("lost"), 0),
            s("Mystery", f64::NAN, None, 1),
            s("Won", f64::NAN, Some("won"), 2),
            s("Engaging", 2.0, None, 3),
            s("Prospecting", 1.0, None, 4),
        ];
        order(&mut v);
        let names: Vec<&str> = v.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Prospecting", "Engaging", "Mystery", "Won", "Lost"]);
    }
}
