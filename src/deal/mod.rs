//! Compact per-deal summaries: what the report must hold for every deal, and no more, with
//! the risk signals and facts its findings and reasons are worded from.
//!
//! Text (id, name, account) lives in per-batch arenas; owners, unknown stages and the
//! spellings of known ones are interned; money, dates and weights are fixed-size. About 100 bytes a deal plus its text.
//! This is plain data, below the checks (which word findings from it) and the scores
//! (which fill in its risk).

use chrono::NaiveDate;

use rustc_hash::FxHashMap;
use serde::Serialize;

pub(crate) use crate::interner::Interner;

use crate::rules::{Outcome, RiskWeights, RuleSet};
use crate::values::{Currency, Money};

/// Which stage a deal is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StageKey {
    /// Index into the rules' stages, and how the export spells it.
    Known(u32, Label),
    /// An interned spelling that matches no stage (VAL006).
    Unknown(u32),
    Missing,
}

impl StageKey {
    /// The index of the rules' stage, when the deal is in one.
    pub(crate) fn known(self) -> Option<u32> {
        match self {
            StageKey::Known(i, _) => Some(i),
            _ => None,
        }
    }
}

/// How the export spells a deal's known stage: exactly as the rules name it, or by an alias
/// or another case (`demo` for Discovery), interned in [`DealStore::stage_labels`]. Reports
/// show the label as written. Two bytes, so that a [`StageKey`] stays eight and a deal's
/// summary does not grow for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Label(u16);

impl Label {
    /// Spelt as the rules name the stage: most exports, and nothing to intern.
    pub(crate) const AS_NAMED: Label = Label(u16::MAX);

    /// Interned spelling `id`. Past 65,534 spellings of known stages in one audit (an
    /// export built for it: every case of every alias) a spelling reads as the rules' name.
    pub(crate) fn interned(id: u32) -> Label {
        u16::try_from(id)
            .ok()
            .filter(|&i| i != u16::MAX)
            .map_or(Label::AS_NAMED, Label)
    }

    /// The interned spelling's id; `None` for [`Label::AS_NAMED`].
    pub(crate) fn id(self) -> Option<u32> {
        (self != Label::AS_NAMED).then_some(u32::from(self.0))
    }
}

/// One deal's summary: 88 bytes plus its id and name.
#[derive(Clone, Debug)]
pub(crate) struct Deal {
    pub(crate) line: u64,
    /// Amount in ten-thousandths; `i64::MIN` when missing or invalid.
    amount: i64,
    pub(crate) file: u32,
    arena: u32,
    start: u32,
    /// Lengths of the id and the name in the arena; [`LONG`] when either is longer than a
    /// `u16` holds, and the lengths are written in the arena before the texts.
    lens: [u16; 2],
    /// Interned owner and account; `u32::MAX` when there is none.
    owner: u32,
    account: u32,
    pub(crate) stage: StageKey,
    pub(crate) currency: Option<Currency>,
    pub(crate) close_date: Option<NaiveDate>,
    /// Completeness weights: filled and applicable.
    pub(crate) filled: u32,
    pub(crate) applicable: u32,
    /// The created date in days from the common era ([`NO_DAY`] when unknown): the sales
    /// cycle is measured from it.
    created: i32,
    /// Forecast risk (open deals) and the facts behind its signals.
    pub(crate) risk: RiskFacts,
}

const NO_DAY: i32 = i32::MIN;

/// Each interned forecast spelling's class ([`DealStore::forecast_classes`]).
pub(crate) struct ForecastClasses(Vec<Option<crate::rules::ForecastClass>>);

impl ForecastClasses {
    /// The class of the deal's forecast category, when it has one pipelint knows.
    pub(crate) fn of(&self, d: &Deal) -> Option<crate::rules::ForecastClass> {
        self.0.get(d.risk.forecast as usize).copied().flatten()
    }
}

const NO_AMOUNT: i64 = i64::MIN;
const NO_OWNER: u32 = u32::MAX;
/// A deal's `lens` when its id or name is 65,535 bytes or longer: the arena then holds
/// `<id length>,<name length>;` in ASCII digits before the texts. Names that long are rare
/// (a pasted document, a broken export), and the guide promises cells are kept whole; two
/// `u32` lengths on every deal would grow the summary past 96 bytes for their sake.
const LONG: [u16; 2] = [u16::MAX, u16::MAX];

impl Deal {
    pub(crate) fn completeness(&self) -> f64 {
        crate::values::percent(u64::from(self.filled), u64::from(self.applicable))
    }

    pub(crate) fn amount(&self) -> Option<Money> {
        (self.amount != NO_AMOUNT).then_some(Money(self.amount))
    }

    pub(crate) fn created_date(&self) -> Option<NaiveDate> {
        (self.created != NO_DAY)
            .then(|| NaiveDate::from_num_days_from_ce_opt(self.created))
            .flatten()
    }
}

fn day_number(d: Option<NaiveDate>) -> i32 {
    use chrono::Datelike;
    d.map_or(NO_DAY, |d| d.num_days_from_ce())
}

/// `s` whole when it fits in `room` bytes, else its first bytes and how many were cut:
/// an arena is addressed by `u32`, so a batch can hold 4 GB of ids and names, and a cell of
/// gigabytes is cut in plain sight rather than silently.
fn fitted(s: &str, room: usize) -> std::borrow::Cow<'_, str> {
    if s.len() <= room {
        return std::borrow::Cow::Borrowed(s);
    }
    // The marker's own room: "… [cut: 18446744073709551615 bytes]" at most.
    let mut end = room.saturating_sub(40);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!("{}… [cut: {} bytes]", &s[..end], s.len() - end))
}

/// The lengths of a long deal's id and name, read from the arena at `at`, and where its
/// texts start.
fn long_lens(arena: &str, at: usize) -> Option<([usize; 2], usize)> {
    let rest = arena.get(at..)?;
    let end = rest.find(';')?;
    let (id, name) = rest[..end].split_once(',')?;
    Some(([id.parse().ok()?, name.parse().ok()?], at + end + 1))
}

/// Deals built by one batch chunk, with chunk-local owner and stage ids.
#[derive(Default)]
pub(crate) struct DealBuffer {
    pub(crate) arena: String,
    pub(crate) deals: Vec<Deal>,
    /// Per deal, its interned `--by` value (empty when no deal has one).
    groups: Vec<u32>,
    /// Which worker's [`Names`] the deals' owner, account, stage and forecast ids are.
    pub(crate) worker: usize,
    /// The names that worker learnt while reading these deals.
    pub(crate) new_names: NewNames,
}

/// The names a worker interns: owners, accounts, unknown stage spellings, the spellings of
/// known stages that differ from the rules' names, forecast categories. A worker keeps them from batch to batch, so its tables stay warm and a batch
/// carries only the names that were new to it.
#[derive(Debug, Default)]
pub(crate) struct Names {
    pub(crate) owners: Interner,
    pub(crate) accounts: Interner,
    pub(crate) unknown_stages: Interner,
    pub(crate) forecasts: Interner,
    /// Values of the `--by` column.
    pub(crate) groups: Interner,
    /// Known stages as spelt otherwise than the rules name them ([`Label`]).
    pub(crate) stage_labels: Interner,
}

/// Names added to a worker's [`Names`] by one batch, in id order.
#[derive(Clone, Debug, Default)]
pub(crate) struct NewNames {
    owners: Vec<Box<str>>,
    accounts: Vec<Box<str>>,
    unknown_stages: Vec<Box<str>>,
    forecasts: Vec<Box<str>>,
    groups: Vec<Box<str>>,
    stage_labels: Vec<Box<str>>,
}

/// How many names each of a worker's interners held: where a batch's new names start.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct NamesMark([u32; 6]);

impl Names {
    fn all(&self) -> [&Interner; 6] {
        [
            &self.owners,
            &self.accounts,
            &self.unknown_stages,
            &self.forecasts,
            &self.groups,
            &self.stage_labels,
        ]
    }

    pub(crate) fn mark(&self) -> NamesMark {
        NamesMark(self.all().map(|i| i.len() as u32))
    }

    /// The names added since `mark`.
    pub(crate) fn since(&self, mark: NamesMark) -> NewNames {
        let new = |i: &Interner, from: u32| -> Vec<Box<str>> {
            (from..i.len() as u32).map(|id| i.name(id).into()).collect()
        };
        let [
            owners,
            accounts,
            unknown_stages,
            forecasts,
            groups,
            stage_labels,
        ] = mark.0;
        NewNames {
            owners: new(&self.owners, owners),
            accounts: new(&self.accounts, accounts),
            unknown_stages: new(&self.unknown_stages, unknown_stages),
            forecasts: new(&self.forecasts, forecasts),
            groups: new(&self.groups, groups),
            stage_labels: new(&self.stage_labels, stage_labels),
        }
    }

    /// The interned id of an account as read; `None` when the cell is empty.
    pub(crate) fn account_id(&mut self, account: &str) -> Option<u32> {
        (!account.is_empty()).then(|| self.accounts.intern(account))
    }
}

/// Per worker, its ids mapped to the store's (worker id → store id), for each interner.
#[derive(Debug, Default)]
struct IdMaps {
    owners: Vec<u32>,
    accounts: Vec<u32>,
    unknown_stages: Vec<u32>,
    forecasts: Vec<u32>,
    groups: Vec<u32>,
    stage_labels: Vec<u32>,
}

/// The texts of a deal as read.
pub(crate) struct DealText<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
}

/// What a deal is, apart from its texts.
pub(crate) struct DealFacts {
    pub(crate) risk: RiskFacts,
    pub(crate) file: u32,
    pub(crate) line: u64,
    pub(crate) owner: Option<u32>,
    /// Interned account ([`DealBuffer::account_id`]).
    pub(crate) account: Option<u32>,
    pub(crate) stage: StageKey,
    pub(crate) amount: Option<Money>,
    pub(crate) currency: Option<Currency>,
    pub(crate) close_date: Option<NaiveDate>,
    pub(crate) filled: u32,
    pub(crate) applicable: u32,
    pub(crate) created_date: Option<NaiveDate>,
    /// Interned `--by` value ([`Names::groups`]).
    pub(crate) group: Option<u32>,
}

impl DealBuffer {
    /// Room for `deals` deals of `worker`, so a batch grows its buffers once.
    pub(crate) fn with_capacity(deals: usize, worker: usize) -> DealBuffer {
        DealBuffer {
            arena: String::with_capacity(deals * 48),
            deals: Vec::with_capacity(deals),
            worker,
            ..DealBuffer::default()
        }
    }

    /// The index the next deal will have.
    pub(crate) fn next(&self) -> u32 {
        self.deals.len() as u32
    }

    pub(crate) fn push(&mut self, text: DealText<'_>, facts: DealFacts) -> u32 {
        let at = self.arena.len();
        // Room for both texts and a long deal's lengths, so the arena stays within `u32`.
        let room = (u32::MAX as usize).saturating_sub(at + 48) / 2;
        let (id, name) = (fitted(text.id, room), fitted(text.name, room));
        let short = |s: &str| u16::try_from(s.len()).ok().filter(|&n| n < u16::MAX);
        let lens = match (short(&id), short(&name)) {
            (Some(i), Some(n)) => [i, n],
            _ => {
                use std::fmt::Write as _;
                let _ = write!(self.arena, "{},{};", id.len(), name.len());
                LONG
            }
        };
        self.arena.push_str(&id);
        self.arena.push_str(&name);
        let account = facts.account.unwrap_or(NO_OWNER);
        let deal = Deal {
            file: facts.file,
            line: facts.line,
            arena: 0,
            // Within `u32`: `room` keeps every text of the arena there.
            start: u32::try_from(at).unwrap_or(u32::MAX),
            lens,
            owner: facts.owner.unwrap_or(NO_OWNER),
            account,
            stage: facts.stage,
            amount: facts.amount.map_or(NO_AMOUNT, |m| m.0),
            currency: facts.currency,
            close_date: facts.close_date,
            filled: facts.filled,
            applicable: facts.applicable,
            created: day_number(facts.created_date),
            risk: facts.risk,
        };
        self.deals.push(deal);
        // The `--by` values live beside the deals, only when there is a `--by` column.
        if facts.group.is_some() || !self.groups.is_empty() {
            self.groups.resize(self.deals.len() - 1, NO_OWNER);
            self.groups.push(facts.group.unwrap_or(NO_OWNER));
        }
        (self.deals.len() - 1) as u32
    }
}

/// Deals per storage segment. Fixed segments mean the store never reallocates (and never
/// holds two copies of itself) as it grows.
const SEGMENT: usize = 1 << 16;

/// All deals of the audit, in input order.
#[derive(Default)]
pub(crate) struct DealStore {
    arenas: Vec<String>,
    segments: Vec<Vec<Deal>>,
    len: usize,
    pub(crate) owners: Interner,
    pub(crate) accounts: Interner,
    pub(crate) unknown_stages: Interner,
    pub(crate) forecasts: Interner,
    pub(crate) groups: Interner,
    /// Known stages as the export spells them where that is not the rules' name.
    pub(crate) stage_labels: Interner,
    /// Per deal, its `--by` value id in `groups` (empty when no deal has one).
    group_of: Vec<u32>,
    /// Per worker, how its ids map to these interners'.
    maps: FxHashMap<usize, IdMaps>,
}

impl DealStore {
    /// Append a batch's deals, which must come after every earlier batch of the same
    /// worker; returns the worker's owner and unknown-stage id maps (worker → store).
    pub(crate) fn absorb(&mut self, mut buffer: DealBuffer) -> (Vec<u32>, Vec<u32>) {
        let maps = self.maps.entry(buffer.worker).or_default();
        let new = std::mem::take(&mut buffer.new_names);
        for (map, names, interner) in [
            (&mut maps.owners, new.owners, &mut self.owners),
            (&mut maps.accounts, new.accounts, &mut self.accounts),
            (
                &mut maps.unknown_stages,
                new.unknown_stages,
                &mut self.unknown_stages,
            ),
            (&mut maps.forecasts, new.forecasts, &mut self.forecasts),
            (&mut maps.groups, new.groups, &mut self.groups),
            (
                &mut maps.stage_labels,
                new.stage_labels,
                &mut self.stage_labels,
            ),
        ] {
            map.extend(names.iter().map(|n| interner.intern(n)));
        }
        let (owner_ids, account_ids, stage_ids, forecast_ids, group_ids, label_ids) = (
            &maps.owners,
            &maps.accounts,
            &maps.unknown_stages,
            &maps.forecasts,
            &maps.groups,
            &maps.stage_labels,
        );
        let id = |map: &[u32], i: u32| map.get(i as usize).copied().unwrap_or(NO_OWNER);
        let arena = self.arenas.len() as u32;
        if !buffer.groups.is_empty() || !self.group_of.is_empty() {
            self.group_of.resize(self.len, NO_OWNER);
            self.group_of.extend(
                buffer
                    .groups
                    .iter()
                    .map(|&g| if g == NO_OWNER { g } else { id(group_ids, g) }),
            );
            self.group_of
                .resize(self.len + buffer.deals.len(), NO_OWNER);
        }
        for mut d in buffer.deals.drain(..) {
            d.arena = arena;
            if d.owner != NO_OWNER {
                d.owner = id(owner_ids, d.owner);
            }
            if d.account != NO_OWNER {
                d.account = id(account_ids, d.account);
            }
            if d.risk.forecast != u32::MAX {
                d.risk.forecast = id(forecast_ids, d.risk.forecast);
            }
            match d.stage {
                StageKey::Unknown(s) => d.stage = StageKey::Unknown(id(stage_ids, s)),
                StageKey::Known(s, label) => {
                    if let Some(l) = label.id() {
                        d.stage = StageKey::Known(s, Label::interned(id(label_ids, l)));
                    }
                }
                StageKey::Missing => {}
            }
            if self.segments.last().is_none_or(|seg| seg.len() == SEGMENT) {
                self.segments.push(Vec::with_capacity(SEGMENT));
            }
            if let Some(seg) = self.segments.last_mut() {
                seg.push(d);
                self.len += 1;
            }
        }
        buffer.arena.shrink_to_fit();
        self.arenas.push(std::mem::take(&mut buffer.arena));
        (owner_ids.clone(), stage_ids.clone())
    }

    pub(crate) fn get(&self, index: usize) -> Option<&Deal> {
        self.segments.get(index / SEGMENT)?.get(index % SEGMENT)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Deal> {
        self.segments.iter().flatten()
    }

    fn text(&self, d: &Deal, which: usize) -> &str {
        let Some(arena) = self.arenas.get(d.arena as usize) else {
            return "";
        };
        let (lens, start) = if d.lens == LONG {
            long_lens(arena, d.start as usize).unwrap_or(([0, 0], 0))
        } else {
            (d.lens.map(usize::from), d.start as usize)
        };
        let start = start + lens[..which].iter().sum::<usize>();
        arena.get(start..start + lens[which]).unwrap_or("")
    }

    pub(crate) fn id(&self, d: &Deal) -> &str {
        self.text(d, 0)
    }

    pub(crate) fn name(&self, d: &Deal) -> &str {
        self.text(d, 1)
    }

    /// The deal's account id in `accounts`, when it names one.
    pub(crate) fn account_id(&self, d: &Deal) -> Option<u32> {
        (d.account != NO_OWNER).then_some(d.account)
    }

    pub(crate) fn account(&self, d: &Deal) -> &str {
        if d.account == NO_OWNER {
            ""
        } else {
            self.accounts.name(d.account)
        }
    }

    pub(crate) fn forecast(&self, d: &Deal) -> Option<&str> {
        (d.risk.forecast != u32::MAX).then(|| self.forecasts.name(d.risk.forecast))
    }

    pub(crate) fn owner(&self, d: &Deal) -> Option<&str> {
        (d.owner != NO_OWNER).then(|| self.owners.name(d.owner))
    }

    /// The deal's owner id in `owners`, when it names one.
    pub(crate) fn owner_id(&self, d: &Deal) -> Option<u32> {
        (d.owner != NO_OWNER).then_some(d.owner)
    }

    /// The `--by` value id (in `groups`) of the `index`th deal, when it has one.
    pub(crate) fn group_id(&self, index: usize) -> Option<u32> {
        self.group_of.get(index).copied().filter(|&g| g != NO_OWNER)
    }

    /// The deal's forecast category id in `forecasts`, when it names one.
    pub(crate) fn forecast_id(&self, d: &Deal) -> Option<u32> {
        (d.risk.forecast != u32::MAX).then_some(d.risk.forecast)
    }

    /// The forecast class of each forecast spelling interned, worked out once.
    pub(crate) fn forecast_classes(&self, rules: &crate::rules::ForecastRules) -> ForecastClasses {
        ForecastClasses(
            self.forecasts
                .iter()
                .map(|(_, name)| rules.class_of(name))
                .collect(),
        )
    }

    /// The stage by the rules' name (the spelling found when the rules know none): what the
    /// history stores, so a snapshot reads back under aliases added later.
    pub(crate) fn stage<'a>(&'a self, d: &Deal, rules: &'a RuleSet) -> Option<&'a str> {
        match d.stage {
            StageKey::Known(..) => self.stage_canonical(d, rules),
            StageKey::Unknown(u) => Some(self.unknown_stages.name(u)),
            StageKey::Missing => None,
        }
    }

    /// The stage as the export writes it (`demo`): the label reports show.
    pub(crate) fn stage_label<'a>(&'a self, d: &Deal, rules: &'a RuleSet) -> Option<&'a str> {
        match d.stage {
            StageKey::Known(_, label) => match label.id() {
                Some(id) => Some(self.stage_labels.name(id)),
                None => self.stage_canonical(d, rules),
            },
            StageKey::Unknown(u) => Some(self.unknown_stages.name(u)),
            StageKey::Missing => None,
        }
    }

    /// The rules' stage the deal's stage is, by name or alias (`Discovery` for `demo`);
    /// `None` in a stage the rules do not know, or none.
    pub(crate) fn stage_canonical<'a>(&self, d: &Deal, rules: &'a RuleSet) -> Option<&'a str> {
        let i = d.stage.known()?;
        rules.stages.get(i as usize).map(|s| s.name.as_str())
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// A reason a deal is at risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Signal {
    Overdue,
    Stale,
    StageAged,
    ExitCriteria,
    ForecastMismatch,
    NoNextStep,
    Pushed,
    Slipping,
    NoCloseDate,
}

impl Signal {
    pub(crate) const ALL: [Signal; 9] = [
        Signal::Overdue,
        Signal::Stale,
        Signal::StageAged,
        Signal::ExitCriteria,
        Signal::ForecastMismatch,
        Signal::NoNextStep,
        Signal::Pushed,
        Signal::Slipping,
        Signal::NoCloseDate,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Signal::Overdue => "overdue",
            Signal::Stale => "stale",
            Signal::StageAged => "stage_aged",
            Signal::ExitCriteria => "exit_criteria",
            Signal::ForecastMismatch => "forecast_mismatch",
            Signal::NoNextStep => "no_next_step",
            Signal::Pushed => "pushed",
            Signal::Slipping => "slipping",
            Signal::NoCloseDate => "no_close_date",
        }
    }

    pub(crate) fn weight(self, w: &RiskWeights) -> u32 {
        match self {
            Signal::Overdue => w.overdue,
            Signal::Stale => w.stale,
            Signal::StageAged => w.stage_aged,
            Signal::ExitCriteria => w.exit_criteria,
            Signal::ForecastMismatch => w.forecast_mismatch,
            Signal::NoNextStep => w.no_next_step,
            Signal::Pushed => w.pushed,
            Signal::Slipping => w.slipping,
            Signal::NoCloseDate => w.no_close_date,
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u8)
    }
}

/// A set of signals, one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Signals(pub(crate) u16);

impl Signals {
    pub(crate) fn insert(&mut self, s: Signal) {
        self.0 |= s.bit();
    }

    pub(crate) fn contains(self, s: Signal) -> bool {
        self.0 & s.bit() != 0
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = Signal> {
        Signal::ALL.into_iter().filter(move |s| self.contains(*s))
    }
}

/// What a deal's risk rests on, kept per deal (28 bytes) so the signals can be put into
/// words when a report needs them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RiskFacts {
    /// The first eight signals' bits; the ninth's is [`RiskFacts::NINTH_SIGNAL`] in `flags`,
    /// which keeps a deal's summary at 96 bytes. Read and set them whole with
    /// [`RiskFacts::signals`] and [`RiskFacts::set_signals`].
    pub(crate) first_signals: u8,
    pub(crate) score: u8,
    /// Bit i: the stage's i-th `requires` field is missing or invalid (the first 16;
    /// [`RiskFacts::EXIT_MORE`] says whether later ones are too).
    pub(crate) exit_unmet: u16,
    /// Pushes, up to `u16::MAX` ([`RiskFacts::PUSHES_CAPPED`] when more): the push-count
    /// column's, or the stored history's with this snapshot's, whichever is more.
    pub(crate) push_count: u16,
    /// Days the close date was pushed in all across the stored history (up to `u16::MAX`).
    pub(crate) push_days: u16,
    /// Days since the next step was due, when it expired (HYG010; up to `u16::MAX`).
    pub(crate) next_step_late: u16,
    pub(crate) last_activity: Option<NaiveDate>,
    /// Days in the current stage; `i32::MIN` when unknown ([`RiskFacts::DAYS_CAPPED`] when
    /// beyond `i32`).
    pub(crate) days_in_stage: i32,
    /// Probability in ten-thousandths of a point, as read (exact to the four decimals a
    /// message shows); `i32::MIN` when unknown.
    pub(crate) probability: i32,
    /// What the checks decided, so that words never re-test rounded values.
    pub(crate) flags: u16,
    /// Interned forecast category; `u32::MAX` when none.
    pub(crate) forecast: u32,
}

impl RiskFacts {
    /// The probability is off the stage's by more than the tolerance (HYG004).
    pub(crate) const PROBABILITY_OFF: u16 = 1;
    /// The forecast category is not allowed in the stage (HYG005).
    pub(crate) const FORECAST_OFF: u16 = 2;
    /// A stage requirement past the 16th is unmet too.
    pub(crate) const EXIT_MORE: u16 = 4;
    /// `days_in_stage` and `push_count` hold their type's maximum, not the value.
    pub(crate) const DAYS_CAPPED: u16 = 8;
    pub(crate) const PUSHES_CAPPED: u16 = 16;
    /// Why `no_next_step` fired: the next step is missing, expired or filler (any of them).
    pub(crate) const NEXT_STEP_MISSING: u16 = 32;
    pub(crate) const NEXT_STEP_EXPIRED: u16 = 64;
    pub(crate) const NEXT_STEP_FILLER: u16 = 128;
    /// A status (or closed flag) says the deal is open: it is, in a stage the rules do not
    /// know as in one they do.
    pub(crate) const STATUS_OPEN: u16 = 256;
    /// Won or lost by the status column, whatever the stage ([`RiskFacts::closed_as`]):
    /// flags rather than a field of their own, which kept a deal's summary at 96 bytes.
    pub(crate) const CLOSED_WON: u16 = 512;
    pub(crate) const CLOSED_LOST: u16 = 1024;
    /// The missing next step is the one exit criterion unmet, and `no_next_step` says the
    /// same fact: it scores once, under the stronger of the two signals ([`points`]).
    ///
    /// [`points`]: crate::score::risk::points
    pub(crate) const COUNTED_ONCE: u16 = 2048;
    /// The ninth signal (`no_close_date`): its bit in `flags` ([`RiskFacts::signals`]).
    const NINTH_SIGNAL: u16 = 4096;
    /// `days_in_stage` is the deal's age since its created date: nothing says when it
    /// entered its stage (`stage_aged` then reads the age, and says so).
    pub(crate) const STAGE_FROM_AGE: u16 = 8192;

    /// The deal's signals.
    pub(crate) fn signals(&self) -> Signals {
        let ninth = if self.has(RiskFacts::NINTH_SIGNAL) {
            1 << 8
        } else {
            0
        };
        Signals(u16::from(self.first_signals) | ninth)
    }

    /// Keep `signals` as the deal's.
    pub(crate) fn set_signals(&mut self, signals: Signals) {
        self.first_signals = (signals.0 & 0xff) as u8;
        if signals.0 & (1 << 8) != 0 {
            self.flags |= RiskFacts::NINTH_SIGNAL;
        } else {
            self.flags &= !RiskFacts::NINTH_SIGNAL;
        }
    }

    /// The flag of a status outcome.
    pub(crate) fn outcome_flag(outcome: Option<Outcome>) -> u16 {
        match outcome {
            Some(Outcome::Won) => RiskFacts::CLOSED_WON,
            Some(Outcome::Lost) => RiskFacts::CLOSED_LOST,
            None => 0,
        }
    }

    /// Won or lost by the status column, whatever the stage.
    pub(crate) fn closed_as(&self) -> Option<Outcome> {
        if self.has(RiskFacts::CLOSED_WON) {
            Some(Outcome::Won)
        } else if self.has(RiskFacts::CLOSED_LOST) {
            Some(Outcome::Lost)
        } else {
            None
        }
    }

    pub(crate) fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    /// The probability in points, as read.
    pub(crate) fn probability(&self) -> Option<f64> {
        (self.probability != i32::MIN).then(|| f64::from(self.probability) / 10_000.0)
    }

    /// How many exit criteria are unmet: the first 16 by their bits, any past them as one.
    pub(crate) fn exit_count(&self) -> u32 {
        self.exit_unmet.count_ones() + u32::from(self.has(RiskFacts::EXIT_MORE))
    }

    pub(crate) fn days_in_stage(&self) -> Option<i64> {
        (self.days_in_stage != i32::MIN).then_some(i64::from(self.days_in_stage))
    }
}

impl Default for RiskFacts {
    fn default() -> Self {
        RiskFacts {
            first_signals: 0,
            score: 0,
            exit_unmet: 0,
            push_count: 0,
            push_days: 0,
            next_step_late: 0,
            last_activity: None,
            days_in_stage: i32::MIN,
            probability: i32::MIN,
            flags: 0,
            forecast: u32::MAX,
        }
    }
}

#[cfg(test)]
mod tests;
