//! `[columns]`: which headers a canonical field may appear under.

use std::collections::HashSet;

use toml::Spanned;

use super::Checker;
use crate::field::Canonical;
use crate::rules::ColumnRule;
use crate::suggest;

pub(super) fn check(
    c: &mut Checker<'_>,
    columns: &[(Spanned<String>, Vec<Spanned<String>>)],
) -> Vec<ColumnRule> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (key, headers) in columns {
        let Some(field) = Canonical::parse(key.get_ref()) else {
            c.problem(
                key.span(),
                format!(
                    "`{}` in [columns] is not a canonical field{}",
                    key.get_ref(),
                    suggest::hint_then(
                        key.get_ref(),
                        Canonical::names(),
                        &format!(
                            "[columns] maps canonical fields ({}) to headers",
                            Canonical::names().collect::<Vec<_>>().join(", ")
                        )
                    )
                ),
            );
            continue;
        };
        if !seen.insert(field) {
            c.problem(key.span(), format!("[columns] maps `{field}` twice"));
        }
        let mut names = Vec::new();
        for h in headers {
            if h.get_ref().trim().is_empty() {
                c.problem(h.span(), format!("[columns] {field}: header name is empty"));
            } else {
                names.push(h.get_ref().trim().to_string());
            }
        }
        if headers.is_empty() {
            c.problem(
                key.span(),
                format!("[columns] {field}: list at least one header"),
            );
        }
        out.push(ColumnRule {
            field,
            headers: names,
            at: c.at(key.span()),
        });
    }
    out
}

/// `over`'s columns replace `base`'s field by field. A column the user's file maps exactly
/// as its preset does stays the preset's: optional, like the preset's own (a printed preset
/// audits what the built-in one audits).
pub(super) fn merge(base: Vec<ColumnRule>, over: Vec<ColumnRule>) -> Vec<ColumnRule> {
    let mut columns = base;
    for mut col in over {
        if let Some(same) = columns
            .iter()
            .find(|c| c.field == col.field && c.headers == col.headers)
        {
            col.at = same.at.clone();
        }
        columns.retain(|c| c.field != col.field);
        columns.push(col);
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::super::tests::problems;

    #[test]
    fn unknown_repeated_and_empty_columns() {
        let p = problems(
            "[columns]\nclosedate = \"Close\"\nowner = \"A\"\nowner = \"B\"\nstage = [\"\"]\namount = []\n",
        );
        // A repeated key is a TOML error before validation: fix that one first.
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("r.toml:4:1: TOML syntax error"), "{}", p[0]);
        let p = problems("[columns]\nclosedate = \"Close\"\nstage = [\"\"]\namount = []\n");
        assert_eq!(
            p,
            vec![
                "r.toml:2:1: `closedate` in [columns] is not a canonical field; did you mean `close_date`? [columns] maps canonical fields (id, name, account, owner, stage, amount, currency, close_date, created_date, last_activity, stage_changed, probability, forecast_category, next_step, push_count, stage_age, status, next_step_date, contacts, is_closed, is_won) to headers",
                "r.toml:3:10: [columns] stage: header name is empty",
                "r.toml:4:1: [columns] amount: list at least one header",
            ]
        );
    }
}
