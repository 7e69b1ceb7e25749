//! Which column holds the deal's stage and which its outcome, read from the values: a
//! column of pipeline stages (Qualify, Develop, Propose) is the stage, whatever its header
//! says, over a status or status-reason column that only says open, won or lost; a column
//! of Open/Won/Lost beside it is the status the engine closes deals from.

use super::mapping::{Mapped, looks_like_id};
use super::stages::{outcome_from_name, rank_from_name};
use super::vocabulary;
use crate::field::Canonical;
use crate::infer::{ColumnStats, ValueType};
use crate::input::header_key;

/// Values of a status column, letters only: open, or closed one way or the other.
const STATUS_VALUES: [&str; 8] = [
    "open",
    "won",
    "lost",
    "deleted",
    "closedwon",
    "closedlost",
    "closed",
    "inprogress",
];

/// What a column's values say about holding stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Reading {
    /// Distinct open values named like a pipeline stage.
    pipeline: usize,
    /// Every value is open/won/lost (with at least one closed one).
    status: bool,
}

fn read(c: &ColumnStats) -> Reading {
    let keys: Vec<(String, &str)> = c.values.keys().map(|v| (header_key(v), &**v)).collect();
    let is_status = |k: &str| STATUS_VALUES.contains(&k);
    let pipeline = keys
        .iter()
        .filter(|(k, v)| {
            !is_status(k) && outcome_from_name(v).is_none() && rank_from_name(v).is_some()
        })
        .count();
    let status = !keys.is_empty()
        && keys.iter().all(|(k, _)| is_status(k))
        && keys.iter().any(|(k, _)| k != "open" && k != "inprogress");
    Reading { pipeline, status }
}

/// Whether a column could hold stages at all: a short list of words, mostly filled.
fn could_be_stages(c: &ColumnStats) -> bool {
    c.kind() == ValueType::Text
        && (2..=60).contains(&c.distinct())
        && !c.distinct_overflow
        && c.fill_rate() >= 0.5
        && !c.values.keys().all(|v| looks_like_id(v))
}

/// Settle the stage and status columns among `mapped` (header matches) from the values in
/// `stats` (the sample at the head of the file): the column with the most pipeline-named
/// values is the stage (one not named like a stage needs two and more than the named one
/// has); a column of Open/Won/Lost beside it is the status.
pub(super) fn settle(stats: &[ColumnStats], header: &[String], mapped: &mut Vec<Mapped>) {
    let col_of = |m: &[Mapped], f: Canonical| m.iter().find(|x| x.field == f).map(|x| x.column);
    let named_stage = col_of(mapped, Canonical::Stage);
    let named_status = col_of(mapped, Canonical::Status);
    let free = |i: usize| {
        !mapped
            .iter()
            .any(|m| m.column == i && !matches!(m.field, Canonical::Stage | Canonical::Status))
    };
    let candidates: Vec<(usize, Reading)> = stats
        .iter()
        .enumerate()
        .filter(|(i, c)| free(*i) && could_be_stages(c))
        .map(|(i, c)| (i, read(c)))
        .collect();
    let reading = |i: usize| candidates.iter().find(|(c, _)| *c == i).map(|(_, r)| *r);
    let named_pipeline = named_stage.and_then(reading).map_or(0, |r| r.pipeline);
    let named_like_stage = |i: usize| {
        Some(i) == named_stage || vocabulary::field_for(&header[i]) == Some(Canonical::Stage)
    };
    let best = candidates
        .iter()
        .filter(|(i, r)| {
            r.pipeline > 0
                && !r.status
                && (named_like_stage(*i) || (r.pipeline >= 2 && r.pipeline > named_pipeline))
        })
        .max_by_key(|(i, r)| {
            (
                r.pipeline,
                named_like_stage(*i),
                stats[*i].filled,
                usize::MAX - i,
            )
        });
    let stage = match best {
        Some(&(i, r)) if Some(i) != named_stage => {
            let mut shown: Vec<&str> = stats[i]
                .top(usize::MAX)
                .into_iter()
                .map(|(v, _)| v)
                .filter(|v| outcome_from_name(v).is_none() && rank_from_name(v).is_some())
                .take(3)
                .collect();
            shown.sort_by(|a, b| {
                rank_from_name(a)
                    .partial_cmp(&rank_from_name(b))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            mapped.retain(|m| m.field != Canonical::Stage && m.column != i);
            mapped.push(Mapped {
                field: Canonical::Stage,
                column: i,
                evidence: format!(
                    "its values are pipeline stages ({}{}) (CHECK)",
                    shown.join(", "),
                    if r.pipeline > shown.len() {
                        ", …"
                    } else {
                        ""
                    }
                ),
            });
            Some(i)
        }
        _ => named_stage,
    };
    // A status beside the stage: the header's status if its values say open/won/lost,
    // else the first column whose values do (the stage's former column included).
    let Some(stage) = stage else { return };
    let keeps_status = named_status.is_some_and(|s| s != stage);
    if keeps_status {
        return;
    }
    mapped.retain(|m| m.field != Canonical::Status || m.column != stage);
    let status = candidates
        .iter()
        .filter(|(i, r)| *i != stage && r.status)
        .max_by_key(|(i, _)| {
            (
                vocabulary::field_for(&header[*i]) == Some(Canonical::Status),
                stats[*i].filled,
                usize::MAX - i,
            )
        });
    if let Some(&(i, _)) = status {
        mapped.retain(|m| m.column != i);
        let mut values: Vec<&str> = stats[i]
            .top(usize::MAX)
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        values.truncate(4);
        mapped.push(Mapped {
            field: Canonical::Status,
            column: i,
            evidence: format!("its values are {}: the deal's outcome", values.join("/")),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::Candidates;
    use crate::values::Placeholders;

    fn column(name: &str, values: &[&str]) -> ColumnStats {
        let (c, p) = (Candidates::new(), Placeholders::default());
        let mut s = ColumnStats::new(name);
        for v in values {
            s.observe(v, &p, &c);
        }
        s
    }

    fn settled(
        columns: Vec<ColumnStats>,
        mapped: &[(Canonical, usize)],
    ) -> Vec<(Canonical, String)> {
        let header: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        let mut m: Vec<Mapped> = mapped
            .iter()
            .map(|&(field, column)| Mapped {
                field,
                column,
                evidence: String::new(),
            })
            .collect();
        settle(&columns, &header, &mut m);
        let mut out: Vec<(Canonical, String)> = m
            .into_iter()
            .map(|m| (m.field, header[m.column].clone()))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn pipeline_values_beat_a_status_reason_and_open_won_lost_is_the_status() {
        let columns = vec![
            column(
                "Sales Stage",
                &["Qualify", "Develop", "Propose", "Close", "Close"],
            ),
            column("Status", &["Open", "Open", "Won", "Lost", "open"]),
            column(
                "Status Reason",
                &["In Progress", "On Hold", "Won", "Canceled", "Out-Sold"],
            ),
        ];
        // Before: the reason column guessed as the stage, Status mapped by name.
        let out = settled(columns, &[(Canonical::Stage, 2), (Canonical::Status, 1)]);
        assert_eq!(
            out,
            [
                (Canonical::Stage, "Sales Stage".to_string()),
                (Canonical::Status, "Status".to_string())
            ]
        );
    }

    #[test]
    fn a_status_header_holding_stages_is_the_stage() {
        let columns = vec![
            column("Status", &["Prospecting", "Negotiation", "Proposal", "Won"]),
            column("Result", &["Open", "Open", "Open", "Closed Won"]),
        ];
        let out = settled(columns, &[(Canonical::Status, 0)]);
        assert_eq!(
            out,
            [
                (Canonical::Stage, "Status".to_string()),
                (Canonical::Status, "Result".to_string())
            ]
        );
    }

    #[test]
    fn a_named_stage_is_kept_against_one_stage_word_elsewhere() {
        let columns = vec![
            column("Stage", &["s1", "s2", "s3", "s4"]),
            column(
                "Type",
                &["New Business", "Existing", "Existing", "New Business"],
            ),
        ];
        let out = settled(columns, &[(Canonical::Stage, 0)]);
        assert_eq!(out, [(Canonical::Stage, "Stage".to_string())]);
    }

    #[test]
    fn an_open_won_lost_stage_alone_stays_the_stage() {
        let columns = vec![column("stage", &["Open", "Won", "Lost"])];
        let out = settled(columns, &[(Canonical::Stage, 0)]);
        assert_eq!(out, [(Canonical::Stage, "stage".to_string())]);
    }
}
