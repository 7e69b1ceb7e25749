//! A deal's standing by its status, where the CRM keeps it apart from the stage: a status
//! column's Open/Won/Lost (Pipedrive's Status, Zoho's Forecast Type, a drafted `status`),
//! else Salesforce's closed and won flags (`IsClosed`, `IsWon`). The SQL compiler reads the
//! same words (`sql/query.rs`), so both evaluators close and open the same deals.

use super::plan::Plan;
use crate::input::RowText;
use crate::rules::Outcome;
use crate::values::trim_cell;

/// Status values, by their letters, that say a deal is open, won or lost. `Closed Won` as a
/// status (init --from maps such a column; Zoho's Forecast Type) closes as `Won` does.
pub(crate) const STATUS_OPEN: [&str; 2] = ["open", "inprogress"];
pub(crate) const STATUS_WON: [&str; 2] = ["won", "closedwon"];
pub(crate) const STATUS_LOST: [&str; 3] = ["lost", "closedlost", "deleted"];

/// What a deal's status says: won or lost, or open. From the status column when it holds
/// one of the status words, else from the closed and won flags (`IsClosed`, `IsWon`).
pub(crate) fn status_of(plan: &Plan<'_>, texts: &RowText<'_>) -> (Option<Outcome>, bool) {
    if let Some(c) = plan.status_col {
        let text = texts.field(Some(c));
        let t = trim_cell(&text);
        let is = |words: &[&str]| words.iter().any(|w| letters_eq(t, w));
        if is(&STATUS_WON) {
            return (Some(Outcome::Won), false);
        }
        if is(&STATUS_LOST) {
            return (Some(Outcome::Lost), false);
        }
        if is(&STATUS_OPEN) {
            return (None, true);
        }
    }
    let flag = |col: Option<usize>| {
        col.and_then(|c| crate::values::parse_bool(trim_cell(&texts.field(Some(c)))))
    };
    match flag(plan.is_closed_col) {
        Some(true) if flag(plan.is_won_col) == Some(true) => (Some(Outcome::Won), false),
        Some(true) => (Some(Outcome::Lost), false),
        Some(false) => (None, true),
        None => (None, false),
    }
}

/// Whether `text`'s letters and digits, ignoring case, are `word` (lower-case ASCII):
/// "Closed-Won" is `closedwon`. Compared without allocating, once per deal.
fn letters_eq(text: &str, word: &str) -> bool {
    let mut letters = text.chars().filter(|c| c.is_alphanumeric());
    let mut expected = word.chars();
    loop {
        match (letters.next(), expected.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a.to_ascii_lowercase() == b => {}
            _ => return false,
        }
    }
}
