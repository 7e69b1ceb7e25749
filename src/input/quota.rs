//! The quota file of `audit --quota FILE`: one row per owner and fiscal period, with the
//! amount and its currency, as a sales-ops team keeps it in a spreadsheet:
//!
//! ```text
//! owner,period,amount,currency
//! Ann Lee,FY2027-Q1,250000,USD
//! ```
//!
//! Columns are found by name (any case; `rep`/`name` for the owner, `quarter` for the period,
//! `quota` for the amount); the currency column is optional when the amount names one
//! (`USD 250,000`) or the rules set `[input] currency`. Every problem names the file, line
//! and column.

use anyhow::{Result, bail};

use crate::values::{Currency, DecimalMark, Money, parse_money};

/// One owner's quota for one fiscal period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QuotaRow {
    pub(crate) owner: String,
    /// `FY2027-Q1`, upper case.
    pub(crate) period: String,
    pub(crate) amount: Money,
    pub(crate) currency: Option<Currency>,
    pub(crate) line: u64,
}

/// A quota file as read. Build it with [`read_quotas`](crate::read_quotas).
#[derive(Clone, Debug)]
pub struct Quotas {
    pub(crate) path: String,
    pub(crate) rows: Vec<QuotaRow>,
}

const OWNER: &[&str] = &[
    "owner",
    "rep",
    "name",
    "sales rep",
    "opportunity owner",
    "deal owner",
];
const PERIOD: &[&str] = &["period", "quarter", "fiscal period", "fiscal quarter"];
const AMOUNT: &[&str] = &["amount", "quota", "target"];
const CURRENCY: &[&str] = &["currency", "currency code", "iso code"];

fn find(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let h = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
        names.contains(&h.as_str())
    })
}

/// Whether `p` names a fiscal quarter as pipelint writes one: `FY2027-Q1`.
fn is_period(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() == 9
        && p.starts_with("FY")
        && b[2..6].iter().all(u8::is_ascii_digit)
        && &p[6..8] == "-Q"
        && matches!(b[8], b'1'..=b'4')
}

/// Read a quota file with the rules' decimal mark and `default` currency (`[input] decimal`,
/// `[input] currency`).
pub(crate) fn read(path: &str, decimal: DecimalMark, default: Option<Currency>) -> Result<Quotas> {
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read quota file {path}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = super::side::not_utf8_line(&e);
        anyhow::anyhow!("{path}:{line}: the quota file is not UTF-8; save it as UTF-8 CSV")
    })?;
    let mut reader = super::side::reader(&text);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| anyhow::anyhow!("{path}:1: cannot read the quota file's header: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    let need = |names: &[&str], what: &str| {
        find(&header, names).ok_or_else(|| {
            anyhow::anyhow!(
                "{path}:1: the quota file has no {what} column (looked for {}); its header is {}",
                names.join(", "),
                header.join(", ")
            )
        })
    };
    let (owner, period, amount) = (
        need(OWNER, "owner")?,
        need(PERIOD, "period")?,
        need(AMOUNT, "amount")?,
    );
    let currency = find(&header, CURRENCY);
    let mut rows: Vec<QuotaRow> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let column = |i: usize| header.get(i).map_or("?", String::as_str);
        let who = cell(owner);
        if who.is_empty() {
            bail!(
                "{path}:{line}: column {}: the owner is empty; name the owner as the export does",
                column(owner)
            );
        }
        let when = cell(period).to_ascii_uppercase();
        if !is_period(&when) {
            bail!(
                "{path}:{line}: column {}: `{}` is not a fiscal quarter; write it as FY2027-Q1 (a fiscal year is named by the calendar year it ends in)",
                column(period),
                cell(period)
            );
        }
        let value = parse_money(cell(amount), decimal, default).map_err(|_| {
            anyhow::anyhow!(
                "{path}:{line}: column {}: `{}` is not an amount; write it as 250000 or USD 250,000.00",
                column(amount),
                cell(amount)
            )
        })?;
        let named = match currency.map(cell).filter(|c| !c.is_empty()) {
            Some(c) => Some(Currency::parse(c).ok_or_else(|| {
                anyhow::anyhow!(
                    "{path}:{line}: column {}: `{c}` is not a currency code; write an ISO 4217 code such as USD",
                    column(currency.unwrap_or(0))
                )
            })?),
            None => None,
        };
        let row = QuotaRow {
            owner: who.to_string(),
            period: when,
            amount: value.amount,
            currency: named.or(value.currency).or(default),
            line,
        };
        if let Some(dup) = rows
            .iter()
            .find(|r| r.period == row.period && r.owner.eq_ignore_ascii_case(&row.owner))
        {
            bail!(
                "{path}:{line}: {} has a second quota for {} (the first is on line {}); keep one row per owner and period",
                row.owner,
                row.period,
                dup.line
            );
        }
        rows.push(row);
    }
    Ok(Quotas {
        path: path.to_string(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<Quotas> {
        let dir = tempfile::tempdir()?;
        let p = dir.path().join("q.csv");
        std::fs::write(&p, text)?;
        // As the generic preset reads them: a decimal point, no default currency.
        read(&p.to_string_lossy(), DecimalMark::Point, None).map_err(|e| {
            anyhow::anyhow!("{}", e.to_string().replace(&*p.to_string_lossy(), "q.csv"))
        })
    }

    #[test]
    fn quotas_are_read_by_column_name() -> Result<()> {
        let q = read_text(
            "Currency;Rep;Quarter;Quota\nEUR;Ann Lee;fy2027-q1;250.000,00\n;Bo;FY2027-Q1;USD 10\n",
        );
        // The decimal mark is the rules': generic reads `.`, so `250.000,00` is refused.
        assert!(q.is_err());
        let q = read_text(
            "owner,period,amount,currency\nAnn Lee,fy2027-q1,\"250,000\",usd\nBo,FY2027-Q1,USD 10,\n",
        )?;
        assert_eq!(q.rows.len(), 2);
        assert_eq!(q.rows[0].period, "FY2027-Q1");
        assert_eq!(q.rows[0].amount, Money(250_000 * 10_000));
        assert_eq!(q.rows[0].currency, Currency::parse("USD"));
        assert_eq!(q.rows[1].currency, Currency::parse("USD"));
        assert_eq!(q.rows[1].line, 3);
        Ok(())
    }

    #[test]
    fn problems_name_the_line_and_column() {
        let err = |t: &str| read_text(t).map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            err("owner,period,amount\nAnn,2027Q1,5\n"),
            "q.csv:2: column period: `2027Q1` is not a fiscal quarter; write it as FY2027-Q1 (a fiscal year is named by the calendar year it ends in)"
        );
        assert_eq!(
            err("owner,period,amount\nAnn,FY2027-Q1,lots\n"),
            "q.csv:2: column amount: `lots` is not an amount; write it as 250000 or USD 250,000.00"
        );
        assert_eq!(
            err("owner,period,amount\nAnn,FY2027-Q1,5\nann,FY2027-Q1,6\n"),
            "q.csv:3: ann has a second quota for FY2027-Q1 (the first is on line 2); keep one row per owner and period"
        );
        assert!(
            err("who,period,amount\n").starts_with("q.csv:1: the quota file has no owner column")
        );
    }
}
