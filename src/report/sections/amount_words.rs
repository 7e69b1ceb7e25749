//! The amount of a group of deals in words, for table cells, chart labels and owner lists.
//! Deals without a readable amount are counted and said ("no amount on 3"), never shown as a
//! zero or a dash that reads as the amount.

use crate::report::sections::amounts;
use crate::report::view::rows::Amount;
use crate::words::{plural, thousands};

/// The amount of `deals` deals of which `without` have none: `5,000.00`, `5,000.00 (2
/// without an amount)`, `no amount on 3`; `-` when there are no deals to have one.
pub(crate) fn amount_of(list: &[Amount], deals: u64, without: u64) -> String {
    if deals == 0 && list.is_empty() {
        return "-".to_string();
    }
    match (list.is_empty(), without) {
        (_, 0) => amounts(list),
        (true, n) => format!("no amount on {}", thousands(n)),
        (false, n) => format!("{} ({} without an amount)", amounts(list), thousands(n)),
    }
}

/// The headline's at-risk amount: `nothing at risk (high band)`, `USD 5,000.00 at risk (high
/// band)`, with the high-risk deals that have no amount said.
pub(crate) fn at_risk_words(list: &[Amount], high: u64, without: u64) -> String {
    match (high, list.is_empty(), without) {
        (0, _, _) => "nothing at risk (high band)".to_string(),
        (n, true, _) => format!(
            "no amount on the {} deal{} at risk (high band)",
            thousands(n),
            plural(n)
        ),
        (_, false, 0) => format!("{} at risk (high band)", amounts(list)),
        (_, false, w) => format!(
            "{} at risk (high band; {} without an amount)",
            amounts(list),
            thousands(w)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(amount: &str) -> Vec<Amount> {
        vec![Amount {
            currency: Some("USD".to_string()),
            amount: amount.to_string(),
        }]
    }

    #[test]
    fn deals_without_an_amount_are_said_not_shown_as_a_figure() {
        assert_eq!(amount_of(&[], 0, 0), "-");
        assert_eq!(amount_of(&usd("5000.00"), 2, 0), "USD 5,000.00");
        assert_eq!(
            amount_of(&usd("5000.00"), 3, 1),
            "USD 5,000.00 (1 without an amount)"
        );
        assert_eq!(amount_of(&[], 3, 3), "no amount on 3");
        assert_eq!(at_risk_words(&[], 0, 0), "nothing at risk (high band)");
        assert_eq!(
            at_risk_words(&[], 2, 2),
            "no amount on the 2 deals at risk (high band)"
        );
        assert_eq!(
            at_risk_words(&usd("10.00"), 3, 1),
            "USD 10.00 at risk (high band; 1 without an amount)"
        );
    }
}
