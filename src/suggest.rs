//! "Did you mean …" suggestions for misspelt keys, fields, stages, codes and headers.

/// The candidate closest to `word`, if it is close enough to be a plausible misspelling.
///
/// Comparison folds case and ignores spaces, `_`, `-` and `.`, so `closedate` finds
/// `close_date` and `STAGENAME` finds `StageName`.
pub(crate) fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let folded = fold(word);
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        let other = fold(candidate);
        if other.is_empty() {
            continue;
        }
        let score = if other == folded {
            1.0
        } else {
            strsim::jaro_winkler(&folded, &other)
        };
        let distance = strsim::levenshtein(&folded, &other);
        // Short words get fewer edits: `B` is not a misspelling of `A`.
        let max_edits = match folded.chars().count() {
            0..=2 => 0,
            3..=5 => 1,
            _ => 2,
        };
        let close = distance <= max_edits
            || (score >= 0.9 && folded.len() >= 4)
            || (folded.len() > 4 && other.contains(&folded));
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Up to `n` candidates ordered by similarity to `word` (most similar first), whatever the
/// distance: used to list "closest headers" when a column is missing.
pub(crate) fn closest<'a, I>(word: &str, candidates: I, n: usize) -> Vec<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let folded = fold(word);
    let mut scored: Vec<(f64, &'a str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&folded, &fold(c)), c))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

/// A "; did you mean `x`? Rest" suffix, or "; rest" when nothing is close.
pub(crate) fn hint_then<'a, I>(word: &str, candidates: I, rest: &str) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    match did_you_mean(word, candidates) {
        Some(c) => {
            let mut chars = rest.chars();
            let capitalised: String = chars
                .next()
                .map(|f| f.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            format!("; did you mean `{c}`? {capitalised}")
        }
        None => format!("; {rest}"),
    }
}

/// A "; did you mean `x`?" suffix, or nothing.
pub(crate) fn hint<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    match did_you_mean(word, candidates) {
        Some(c) => format!("; did you mean `{c}`?"),
        None => String::new(),
    }
}

fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_misspelt_keys() {
        let keys = ["type", "required", "values", "pattern"];
        assert_eq!(did_you_mean("requird", keys), Some("required"));
        assert_eq!(did_you_mean("patern", keys), Some("pattern"));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(did_you_mean("B", ["A", "C"]), None);
        assert_eq!(did_you_mean("Comit", ["commit"]), Some("commit"));
    }

    #[test]
    fn folds_case_and_separators() {
        assert_eq!(
            did_you_mean("closedate", ["close_date", "created_date"]),
            Some("close_date")
        );
        assert_eq!(
            did_you_mean("STAGENAME", ["StageName", "Stage"]),
            Some("StageName")
        );
    }

    #[test]
    fn closest_orders_by_similarity() {
        let headers = ["Amount", "Close Date", "Stage", "Opportunity Owner"];
        assert_eq!(closest("Close Dt", headers, 2)[0], "Close Date");
    }
}
