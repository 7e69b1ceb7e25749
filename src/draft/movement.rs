//! The stages' order from the moves deals actually made: between weekly snapshots of one
//! pipeline (`init --from W1.csv W2.csv W3.csv`), or in an opportunity-history export
//! (`init --stage-history FILE`: a row per stage change, `OpportunityId, StageName,
//! CreatedDate`). A deal that went from Bronze to Silver says Bronze comes first, whatever
//! the names are; the order kept is the one most moves go forward in.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use chrono::NaiveDate;

use super::stages::StageDraft;
use crate::field::Canonical;
use crate::input::{Export, Rows};
use crate::values::{eq_fold, trim_cell};

/// Moves between stage values, as written, with how many deals made each.
#[derive(Clone, Debug, Default)]
pub(crate) struct Movement {
    moves: BTreeMap<(String, String), u64>,
    /// Where the moves were read, in words ("3 snapshots").
    read_from: String,
}

/// Every record's cells in `columns` (`None`: a column the file lacks, read as empty), in
/// file order, with the line each starts on.
fn read_columns(mut export: Export, columns: &[Option<usize>]) -> Result<Vec<(u64, Vec<String>)>> {
    let mut rows = Rows::default();
    rows.legacy = export.legacy.unwrap_or_default();
    let mut out = Vec::new();
    loop {
        rows.clear();
        let more = export.reader.read_into(&mut rows)?;
        if !more {
            break;
        }
        for row in rows.iter() {
            let cells = columns
                .iter()
                .map(|c| {
                    c.map(|c| trim_cell(&row.text(c)).to_string())
                        .unwrap_or_default()
                })
                .collect();
            out.push((row.line, cells));
        }
    }
    Ok(out)
}

impl Movement {
    /// The moves between consecutive snapshots (oldest first), pairing deals by the column
    /// named `key` (the id, else the deal name) and reading the stage from `stage`.
    pub(crate) fn from_snapshots(
        snapshots: Vec<Export>,
        key: &str,
        stage: &str,
    ) -> Result<Movement> {
        let count = snapshots.len();
        let mut last: BTreeMap<String, String> = BTreeMap::new();
        let mut movement = Movement {
            read_from: format!("{count} snapshots"),
            ..Movement::default()
        };
        for export in snapshots {
            let (Some(k), Some(s)) = (export.header.find(key), export.header.find(stage)) else {
                bail!(
                    "{}: no column {key:?} or {stage:?}: the snapshots given to init --from \
                     must be exports of one pipeline, with the same columns",
                    export.name
                );
            };
            for (_, cells) in read_columns(export, &[Some(k), Some(s)])? {
                let [id, now] = [&cells[0], &cells[1]];
                if id.is_empty() || now.is_empty() {
                    continue;
                }
                if let Some(before) = last.insert(id.clone(), now.clone()) {
                    movement.add(&before, now);
                }
            }
        }
        Ok(movement)
    }

    /// The moves an opportunity-history export records: per deal, its rows in date order
    /// (then file order), each change of stage a move.
    pub(crate) fn from_history(export: Export) -> Result<Movement> {
        let header = export.header.cells.clone();
        let find = |want: Canonical| {
            header
                .iter()
                .position(|h| super::vocabulary::field_for(h) == Some(want))
        };
        let id = find(Canonical::Id).or_else(|| {
            header.iter().position(|h| {
                let k = crate::input::header_key(h);
                k.ends_with("id") && k.len() > 2
            })
        });
        let (Some(id), Some(stage)) = (id, find(Canonical::Stage)) else {
            bail!(
                "{}: a stage history needs a deal id column and a stage column \
                 (OpportunityId, StageName, CreatedDate); its header is {}",
                export.name,
                header.join(", ")
            );
        };
        let date = find(Canonical::CreatedDate).or_else(|| find(Canonical::StageChanged));
        let name = export.name.clone();
        let mut rows: Vec<(String, Option<NaiveDate>, u64, String)> =
            read_columns(export, &[Some(id), Some(stage), date])?
                .into_iter()
                .filter(|(_, c)| !c[0].is_empty() && !c[1].is_empty())
                .map(|(line, mut c)| {
                    let when = crate::values::parse_date(&c[2], &[]);
                    let stage = std::mem::take(&mut c[1]);
                    (std::mem::take(&mut c[0]), when, line, stage)
                })
                .collect();
        rows.sort_by(|a, b| (&a.0, a.1, a.2).cmp(&(&b.0, b.1, b.2)));
        let mut movement = Movement {
            read_from: format!("the stage history {name}"),
            ..Movement::default()
        };
        for pair in rows.windows(2) {
            if pair[0].0 == pair[1].0 {
                movement.add(&pair[0].3, &pair[1].3);
            }
        }
        Ok(movement)
    }

    fn add(&mut self, from: &str, to: &str) {
        if !eq_fold(from, to) {
            *self
                .moves
                .entry((from.to_string(), to.to_string()))
                .or_insert(0) += 1;
        }
    }

    /// Rank the `open` stages by the order most moves go forward in, and say how; `None`
    /// when fewer than two of them were moved between.
    pub(super) fn rank<'a>(
        &self,
        open: impl Iterator<Item = &'a mut StageDraft>,
    ) -> Option<String> {
        let mut open: Vec<&'a mut StageDraft> = open.collect();
        let names = |s: &StageDraft| -> Vec<String> {
            std::iter::once(s.name.clone())
                .chain(s.aliases.iter().cloned())
                .collect()
        };
        let index_of = |v: &str, open: &[&'a mut StageDraft]| {
            open.iter()
                .position(|s| names(s).iter().any(|n| eq_fold(n, v)))
        };
        let n = open.len();
        let mut weight = vec![vec![0u64; n]; n];
        let mut shown: Vec<(u64, String)> = Vec::new();
        for ((from, to), deals) in &self.moves {
            if let (Some(a), Some(b)) = (index_of(from, &open), index_of(to, &open)) {
                if a != b {
                    weight[a][b] += deals;
                    shown.push((*deals, format!("{from} → {to} {deals}")));
                }
            }
        }
        let moved: Vec<usize> = (0..n)
            .filter(|&i| (0..n).any(|j| weight[i][j] + weight[j][i] > 0))
            .collect();
        if moved.len() < 2 {
            return None;
        }
        let order = forward_order(&moved, &weight);
        for s in open.iter_mut() {
            s.rank = f64::NAN;
        }
        for (rank, &i) in order.iter().enumerate() {
            open[i].rank = rank as f64;
        }
        shown.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let list: Vec<String> = shown.into_iter().take(6).map(|(_, s)| s).collect();
        Some(format!(
            "ordered by the moves deals made in {}: {}",
            self.read_from,
            list.join(", ")
        ))
    }
}

/// An order of `nodes` in which as many moves as possible go forward: sources first and
/// sinks last (the greedy order of Eades, Lin and Smyth), then neighbours swapped while a
/// swap sends more moves forward. Ties go to the earlier node, so the order is stable.
fn forward_order(nodes: &[usize], weight: &[Vec<u64>]) -> Vec<usize> {
    let mut left: Vec<usize> = nodes.to_vec();
    let mut order = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let score = |i: usize, left: &[usize]| -> i64 {
            let out: u64 = left.iter().map(|&j| weight[i][j]).sum();
            let into: u64 = left.iter().map(|&j| weight[j][i]).sum();
            out as i64 - into as i64
        };
        let (at, _) = left
            .iter()
            .enumerate()
            .map(|(at, &i)| (at, score(i, &left)))
            .fold(
                (0, i64::MIN),
                |best, (at, s)| if s > best.1 { (at, s) } else { best },
            );
        order.push(left.remove(at));
    }
    loop {
        let mut swapped = false;
        for k in 0..order.len().saturating_sub(1) {
            let (a, b) = (order[k], order[k + 1]);
            if weight[b][a] > weight[a][b] {
                order.swap(k, k + 1);
                swapped = true;
            }
        }
        if !swapped {
            break;
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_moves_go_forward() {
        // 0 → 1 → 2 → 3 on most deals, one deal moved back 2 → 1.
        let mut w = vec![vec![0u64; 4]; 4];
        w[0][1] = 5;
        w[1][2] = 4;
        w[2][3] = 3;
        w[2][1] = 1;
        assert_eq!(forward_order(&[3, 1, 0, 2], &w), vec![0, 1, 2, 3]);
    }

    #[test]
    fn moves_rank_stages_whatever_their_names() {
        let mut m = Movement {
            read_from: "3 snapshots".into(),
            ..Movement::default()
        };
        for (a, b) in [("Iron", "Bronze"), ("Bronze", "Silver"), ("Silver", "Gold")] {
            m.add(a, b);
            m.add(a, b);
        }
        m.add("Gold", "Silver");
        let mut stages: Vec<StageDraft> = ["Gold", "Silver", "Iron", "Bronze", "Tin"]
            .iter()
            .enumerate()
            .map(|(i, n)| StageDraft::bare(n, None, i, f64::NAN))
            .collect();
        let how = m.rank(stages.iter_mut()).expect("ranked");
        super::super::stages::order(&mut stages);
        let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Iron", "Bronze", "Silver", "Gold", "Tin"]);
        assert!(
            how.starts_with("ordered by the moves deals made in 3 snapshots: "),
            "{how}"
        );
    }
}
