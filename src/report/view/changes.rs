//! The change view's part of the report view: the figures of what changed since the
//! previous snapshot, built once, and each moved deal resolved with its values before and
//! now as an emitter walks them.

use super::Report;
use crate::audit::{Audit, AuditRun};
use crate::deal::{Deal, DealStore};
use crate::report::view::rows::{
    Amount, ChangesRow, DealSide, DeltaByCode, DeltaByOwner, FindingDeltaRow, FindingRow,
    MoveCounts, MovementRow, QuarterRow, SlipRow, WaterfallRow,
};
use crate::rules::RuleSet;
use crate::score::aggregate::CurrencySums;
use crate::score::changes::{ChangeView, Flow, Move, Movement, Moves};
use crate::values::{Currency, MoneySum};

/// The figures of the change view, with amounts that name no currency counted in `sole`.
pub(super) fn changes_row(view: &ChangeView, run: &AuditRun, sole: Option<Currency>) -> ChangesRow {
    let (audit, previous) = (&run.audit, run.previous());
    let (name, first, last) = &view.slips.quarter;
    // Flows of unlabelled amounts fold into the export's only currency, as every other
    // sum in the report does.
    let mut folded: Vec<Flow> = Vec::new();
    for f in &view.waterfall {
        let currency = f.currency.or(sole);
        match folded.iter_mut().find(|g| g.currency == currency) {
            Some(g) => {
                g.begin += f.begin;
                g.new += f.new;
                g.reopened += f.reopened;
                g.increased += f.increased;
                g.decreased += f.decreased;
                g.won += f.won;
                g.lost += f.lost;
                g.vanished += f.vanished;
                g.end += f.end;
            }
            None => folded.push(Flow { currency, ..*f }),
        }
    }
    folded.sort_by_key(|f| f.currency);
    let money = |v: i128| MoneySum(v).to_string();
    let waterfall = folded
        .iter()
        .map(|f| WaterfallRow {
            currency: f.currency.map(|c| c.to_string()),
            begin: money(f.begin),
            new: money(f.new),
            reopened: money(f.reopened),
            increased: money(f.increased),
            decreased: money(f.decreased),
            won: money(f.won),
            lost: money(f.lost),
            vanished: money(f.vanished),
            end: money(f.end),
        })
        .collect();
    let slip = |pairs: &[(u32, u32)], use_previous: bool| {
        let mut sums = CurrencySums::default();
        let mut without_amount = 0;
        for &(now, was) in pairs {
            let d = if use_previous {
                previous.and_then(|p| p.deals.get(was as usize))
            } else {
                audit.deals.get(now as usize)
            };
            match d.and_then(|d| d.amount().map(|m| (d.currency, m))) {
                Some(m) => sums.add(m.0.or(sole), m.1),
                None => without_amount += 1,
            }
        }
        SlipRow {
            deals: pairs.len() as u64,
            without_amount,
            amount: sums
                .iter()
                .map(|(c, a)| Amount {
                    currency: c.map(|c| c.to_string()),
                    amount: a.to_string(),
                })
                .collect(),
        }
    };
    let delta = &view.findings;
    let total = |slot: usize| delta.by_code.iter().map(|(_, c)| c[slot]).sum::<u64>();
    ChangesRow {
        quarter: QuarterRow {
            name: name.clone(),
            first_day: first.to_string(),
            last_day: last.to_string(),
        },
        counts: MoveCounts(
            Move::ALL
                .iter()
                .map(|m| (m.name(), view.counts[*m as usize]))
                .collect(),
        ),
        waterfall,
        deals_without_amount: view.without_amount,
        slipped: slip(&view.slips.slipped, true),
        pulled_in: slip(&view.slips.pulled_in, false),
        findings: FindingDeltaRow {
            introduced: total(0),
            cleared: total(1),
            persisting: total(2),
            by_code: delta
                .by_code
                .iter()
                .map(|(code, c)| DeltaByCode {
                    code: *code,
                    introduced: c[0],
                    cleared: c[1],
                    persisting: c[2],
                })
                .collect(),
            by_owner: delta
                .by_owner
                .iter()
                .map(|(owner, c)| DeltaByOwner {
                    owner: owner.clone(),
                    introduced: c[0],
                    cleared: c[1],
                    persisting: c[2],
                })
                .collect(),
        },
    }
}

/// A deal as one snapshot (`audit`, whose files its file index names) has it.
fn side<'a>(
    audit: &'a Audit,
    deals: &'a DealStore,
    rules: &'a RuleSet,
    d: &'a Deal,
) -> DealSide<'a> {
    let non_empty = |s: &'a str| (!s.is_empty()).then_some(s);
    DealSide {
        file: audit
            .inputs
            .get(d.file as usize)
            .map_or("", |i| i.path.as_str()),
        line: d.line,
        owner: deals.owner(d),
        stage: deals.stage_label(d, rules),
        stage_canonical: deals.stage_canonical(d, rules),
        close_date: d.close_date.map(|c| c.to_string()),
        amount: d.amount().map(|m| m.to_string()),
        currency: d.currency.map(|c| c.to_string()),
        forecast_category: deals.forecast(d).and_then(non_empty),
    }
}

impl<'a> Report<'a> {
    /// What changed since the previous snapshot, when there is one.
    pub fn changes(&self) -> Option<&ChangesRow> {
        self.changes.as_ref()
    }

    /// The change findings (CHG001–CHG005), in report order, and how many there are.
    pub fn change_findings(&self) -> (impl Iterator<Item = FindingRow<'_>> + '_, usize) {
        let count = self
            .shown_findings()
            .filter(|(_, f)| f.code.needs_previous())
            .count();
        (
            self.shown_findings()
                .filter(|(_, f)| f.code.needs_previous())
                .map(|(i, f)| self.finding_row(i, f)),
            count,
        )
    }

    /// The movements of the deals `deals` (indices in input order), by deal.
    pub(crate) fn movements_of(
        &self,
        deals: &std::collections::BTreeSet<usize>,
    ) -> std::collections::HashMap<usize, MovementRow<'a>> {
        let Some(c) = self.run.changes() else {
            return Default::default();
        };
        c.movements
            .iter()
            .filter_map(|m| {
                let now = m.now? as usize;
                if !deals.contains(&now) {
                    return None;
                }
                Some((now, self.movement_row(m)?))
            })
            .collect()
    }

    /// The deals that made `movement` (`pushed`, `vanished`, …), in order: picked by the
    /// movement before anything is resolved.
    pub fn movements_where(&self, movement: &str) -> impl Iterator<Item = MovementRow<'a>> + '_ {
        let wanted = Move::ALL.into_iter().find(|m| m.name() == movement);
        let list: &'a [Movement] = self.run.changes().map_or(&[], |c| c.movements.as_slice());
        list.iter()
            .filter(move |m| wanted.is_some_and(|w| m.moves.contains(w)))
            .filter_map(|m| self.movement_row(m))
    }

    /// The `top` pushes that moved a close date furthest (days, deal), furthest first, ties
    /// in report order; and how many deals were pushed.
    pub fn largest_pushes(&self, top: usize) -> (Vec<(i64, MovementRow<'a>)>, usize) {
        let (Some(c), Some(previous)) = (self.run.changes(), self.run.previous()) else {
            return (Vec::new(), 0);
        };
        let mut pushed: Vec<(i64, usize)> = c
            .movements
            .iter()
            .enumerate()
            .filter(|(_, m)| m.moves.contains(Move::Pushed))
            .filter_map(|(i, m)| {
                let deal = self.audit.deals.get(m.now? as usize)?;
                if !self.shows_owner(self.audit.deals.owner(deal)) {
                    return None;
                }
                let now = deal.close_date?;
                let was = previous.deals.get(m.was? as usize)?.close_date?;
                Some(((now - was).num_days(), i))
            })
            .collect();
        let total = pushed.len();
        pushed.sort_by_key(|&(days, i)| (std::cmp::Reverse(days), i));
        let rows = pushed
            .into_iter()
            .take(top)
            .filter_map(|(days, i)| Some((days, self.movement_row(&c.movements[i])?)))
            .collect();
        (rows, total)
    }

    /// How many deals moved (this snapshot's in input order, then vanished ones).
    pub fn movement_count(&self) -> usize {
        match self.owner_filter() {
            Some(_) => self.movements().count(),
            None => self.run.changes().map_or(0, |c| c.movements.len()),
        }
    }

    /// Every deal that moved, with its values before and now.
    pub fn movements(&self) -> impl Iterator<Item = MovementRow<'a>> + '_ {
        let list: &'a [Movement] = self.run.changes().map_or(&[], |c| c.movements.as_slice());
        list.iter().filter_map(|m| self.movement_row(m))
    }

    /// The deals that slipped out of the quarter of as-of, then those pulled into it (both
    /// open before and now), each with its values before and now.
    pub fn slips(&self) -> (Vec<MovementRow<'a>>, Vec<MovementRow<'a>>) {
        let Some(c) = self.run.changes() else {
            return (Vec::new(), Vec::new());
        };
        let rows = |pairs: &[(u32, u32)]| {
            pairs
                .iter()
                .filter_map(|&(now, was)| {
                    self.movement_row(&Movement {
                        now: Some(now),
                        was: Some(was),
                        moves: Moves::default(),
                    })
                })
                .collect()
        };
        (rows(&c.slips.slipped), rows(&c.slips.pulled_in))
    }

    fn movement_row(&self, m: &Movement) -> Option<MovementRow<'a>> {
        let audit: &'a Audit = self.audit;
        let previous: Option<&'a Audit> = self.run.previous();
        let now = m.now.and_then(|i| audit.deals.get(i as usize));
        let was = m
            .was
            .and_then(|i| previous.and_then(|p| p.deals.get(i as usize)));
        let (store, d): (&'a DealStore, &'a Deal) = match (now, was, previous) {
            (Some(d), _, _) => (&audit.deals, d),
            (None, Some(d), Some(p)) => (&p.deals, d),
            _ => return None,
        };
        if !self.shows_owner(store.owner(d)) {
            return None;
        }
        let name = store.name(d);
        let id = store.id(d);
        Some(MovementRow {
            id: (!id.is_empty()).then_some(id),
            deal: if name.is_empty() { id } else { name },
            moves: m.moves.iter().map(Move::name).collect(),
            from: was
                .zip(previous)
                .map(|(d, p)| side(p, &p.deals, &p.rules, d)),
            to: now.map(|d| side(audit, &audit.deals, &audit.rules, d)),
        })
    }
}
