//! The headline's open pipeline in words, shared by every format that has a headline: the
//! figures a pipeline meeting starts from, with what they leave out said beside them.

use crate::report::sections::amount_words::at_risk_words;
use crate::report::sections::{amounts, short};
use crate::words::thousands;

/// The headline's open pipeline: open deals, their amount and what of it is at risk; the
/// open deals without an amount, counted; and every deal in a stage the rules do not know,
/// by stage, so that open + closed + those = the records. With no stage or status to judge
/// by, it says so instead of a figure.
pub(crate) fn open_words(s: &crate::report::Summary) -> String {
    let unknown = &s.unknown_stage;
    if s.open == 0 && s.closed == 0 && unknown.deals == s.records && s.records > 0 {
        return format!(
            "not judged: no stage or status tells which of the {} deals are open (map `stage` in [columns])",
            thousands(s.records)
        );
    }
    let amount = if s.open > 0 && s.open_amount.is_empty() {
        format!("no amount on any of the {}", thousands(s.open))
    } else {
        let mut a = format!("{} open", amounts(&s.open_amount));
        if s.open_without_amount > 0 {
            a.push_str(&format!(
                " ({} without an amount)",
                thousands(s.open_without_amount)
            ));
        }
        a
    };
    let at_risk = at_risk_words(&s.at_risk_amount, s.risk.high, s.at_risk_without_amount);
    let mut words = format!("{} · {amount} · {at_risk}", thousands(s.open));
    if unknown.deals > 0 {
        let mut shown: Vec<String> = unknown
            .by_stage
            .iter()
            .map(|r| (r, r.deals - r.open - r.closed))
            .filter(|(_, n)| *n > 0)
            .take(5)
            .map(|(r, n)| {
                format!(
                    "{} {}",
                    r.stage.as_deref().map_or("(no stage)".to_string(), short),
                    thousands(n)
                )
            })
            .collect();
        let more = unknown
            .by_stage
            .iter()
            .filter(|r| r.deals > r.open + r.closed)
            .count();
        if more > shown.len() {
            shown.push("…".to_string());
        }
        words.push_str(&format!(
            " · + {} in stages the rules do not know: {}",
            thousands(unknown.deals),
            shown.join(", ")
        ));
    }
    words
}

/// The fields listed by name on the headline's completeness line; more are counted.
const COVERS_NAMED: usize = 5;

/// The headline's completeness: the rate and the fields it covers ("100.0% over stage,
/// close_date and next_step"), never a rate over no field, no deal, or deals none of whose
/// requirements apply ("not judged: …"). `deals` is how many deals were read.
pub(crate) fn completeness_words(
    rate: f64,
    fields: &[crate::report::FieldRow],
    deals: u64,
) -> String {
    match fields.len() {
        0 => "not judged: no field is required or weighted ([fields] NAME = { required = true })"
            .to_string(),
        // A rate over no deal (an export of a header only) is no figure.
        _ if deals == 0 => "not judged: no deal to measure it on".to_string(),
        // Fields required only in stages (or by rules) none of the deals is in.
        _ if fields.iter().all(|f| f.applicable == 0) => {
            let names: Vec<String> = fields.iter().map(|f| f.field.clone()).collect();
            format!(
                "not judged: no requirement applies to the {} deal{} ({} {} required only in stages or by rules none of them meets)",
                crate::words::thousands(deals),
                crate::words::plural(deals),
                crate::words::and_list(&names),
                if names.len() == 1 { "is" } else { "are" }
            )
        }
        n if n <= COVERS_NAMED => {
            let names: Vec<String> = fields.iter().map(|f| f.field.clone()).collect();
            format!("{rate:.1}% over {}", crate::words::and_list(&names))
        }
        n => format!("{rate:.1}% over {n} fields"),
    }
}
