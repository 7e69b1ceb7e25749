//! Which column holds the deal's stage and which its outcome, read from the values: a
//! column of pipeline stages (Qualify, Develop, Propose) is the stage, whatever its header
//! says, over a status or status-reason column that only says open, won or lost; a column
//! of Open/Won/Lost beside it is the status the engine closes deals from.

use super::mapping::{Confidence, Mapped, looks_like_id};
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

/// Most distinct values a stage column holds: a pipeline has a handful of stages, a few
/// dozen at the very most.
pub(super) const MAX_STAGES: usize = 60;
/// Longest stage name: a stage is a label, not a note.
pub(super) const MAX_STAGE_CHARS: usize = 60;
/// Most words in a stage name ("Perdida por licitación", "Closed Lost to Competition").
const MAX_STAGE_WORDS: usize = 6;

/// Whether `v` reads as a label (a stage, an outcome) rather than a sentence or a note:
/// short, a few words, on one line.
pub(super) fn is_label(v: &str) -> bool {
    let v = v.trim();
    v.chars().count() <= MAX_STAGE_CHARS
        && v.split_whitespace().count() <= MAX_STAGE_WORDS
        && !v.chars().any(char::is_control)
}

/// Whether the values of a column repeat as stage values do: each on several deals (on
/// average five; two in a file of fewer than 100 deals; a file of fewer than 20 is too small
/// to tell).
fn repeated(c: &ColumnStats) -> bool {
    let distinct = c.distinct() as u64;
    match c.filled {
        0..20 => true,
        20..100 => distinct * 2 <= c.filled,
        _ => distinct * 5 <= c.filled,
    }
}

/// Why a column's values cannot be pipeline stages, or `None` when they can. A stage
/// column holds few, short, repeated values: free text, ids, dates and numbers never are.
/// A column no header names as the stage (`guessed`) must also repeat its values; one the
/// header names may have as many values as deals in a small file.
pub(super) fn not_stages(c: &ColumnStats, guessed: bool) -> Option<String> {
    let kind = c.kind();
    if kind == ValueType::Empty {
        return Some("it is empty".to_string());
    }
    if kind != ValueType::Text {
        return Some(format!("its values are {}s", kind.as_str()));
    }
    if c.distinct_overflow || c.distinct() > MAX_STAGES {
        return Some(format!(
            "it holds {}{} distinct values, more than a pipeline has stages",
            if c.distinct_overflow { "over " } else { "" },
            crate::words::thousands(c.distinct() as u64)
        ));
    }
    if c.longest > MAX_STAGE_CHARS || c.values.keys().any(|v| !is_label(v)) {
        return Some(format!(
            "it holds free text (values of up to {} characters)",
            crate::words::thousands(c.longest as u64)
        ));
    }
    if c.values.keys().all(|v| looks_like_id(v)) {
        return Some("its values are record ids".to_string());
    }
    if guessed && !repeated(c) {
        return Some(format!(
            "its values do not repeat as stages do ({} distinct in {} deals)",
            c.distinct(),
            c.filled
        ));
    }
    if !guessed && c.filled >= 20 && c.distinct() as u64 == c.filled {
        return Some(format!("every one of its {} values is different", c.filled));
    }
    None
}

/// Whether `[columns]` can name column `i`: its header is not empty and no other column
/// goes by the same name (the rules bind a name to its first column).
pub(super) fn referable(header: &[String], i: usize) -> bool {
    let name = header[i].trim();
    let key = crate::input::header_key(name);
    !name.is_empty()
        && !key.is_empty()
        && !header.iter().enumerate().any(|(j, h)| {
            j != i && (h.trim().eq_ignore_ascii_case(name) || crate::input::header_key(h) == key)
        })
}

/// Whether a column could hold stages at all: a short list of labels, mostly filled.
fn could_be_stages(c: &ColumnStats, guessed: bool) -> bool {
    (2..=MAX_STAGES).contains(&c.distinct())
        && c.fill_rate() >= 0.5
        && not_stages(c, guessed).is_none()
}

/// Settle the stage and status columns among `mapped` (header matches) from the values in
/// `stats` (the sample at the head of the file): the column with the most pipeline-named
/// values is the stage (one not named like a stage needs two and more than the named one
/// has); a column of Open/Won/Lost beside it is the status.
pub(super) fn settle(stats: &[ColumnStats], header: &[String], mapped: &mut Vec<Mapped>) {
    let col_of = |m: &[Mapped], f: Canonical| m.iter().find(|x| x.field == f).map(|x| x.column);
    let named_stage = col_of(mapped, Canonical::Stage);
    let named_status = col_of(mapped, Canonical::Status);
    // A column the rules can name: a header of its own (an empty or repeated one cannot
    // be told apart in `[columns]`).
    let free = |i: usize| {
        referable(header, i)
            && !vocabulary::never_stage(&header[i])
            && !mapped
                .iter()
                .any(|m| m.column == i && !matches!(m.field, Canonical::Stage | Canonical::Status))
    };
    let named_like_stage = |i: usize| {
        Some(i) == named_stage || vocabulary::field_for(&header[i]) == Some(Canonical::Stage)
    };
    let candidates: Vec<(usize, Reading)> = stats
        .iter()
        .enumerate()
        .filter(|(i, c)| free(*i) && could_be_stages(c, !named_like_stage(*i)))
        .map(|(i, c)| (i, read(c)))
        .collect();
    let reading = |i: usize| candidates.iter().find(|(c, _)| *c == i).map(|(_, r)| *r);
    let named_pipeline = named_stage.and_then(reading).map_or(0, |r| r.pipeline);
    // A column the header names as the stage, whose values are labels that include a
    // pipeline stage (StageName: Qualifizierung, Angebot … Gewonnen), stays the stage
    // against any column that merely holds more stage-like words (Type: New Business,
    // Renewal, Evaluation; its name rules it out as well).
    let named_holds =
        named_stage.is_some_and(|i| reading(i).is_some_and(|r| !r.status)) && named_pipeline > 0;
    let best = candidates
        .iter()
        .filter(|(i, r)| {
            !named_holds
                && r.pipeline > 0
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
                confidence: if named_like_stage(i) {
                    Confidence::Medium
                } else {
                    Confidence::Low
                },
                evidence: format!(
                    "its values are pipeline stages ({}{})",
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
            confidence: Confidence::Medium,
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
                confidence: Confidence::High,
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
