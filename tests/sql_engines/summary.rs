//! `pipelint sql --summary` on the engines: each deal's completeness, risk score, band,
//! signals, owner, stage (as written, and the rules' stage beside it), amount and currency, and
//! the figures by owner, by stage and for all
//! deals, against the audit's JSON report (`deals[]`, `pipeline.by_owner`,
//! `pipeline.by_stage`, `summary`) for the same file and rules.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

/// A figure as compared: text, a whole number, a percentage to one decimal, an amount in
/// cents, or nothing.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Fig {
    None,
    Text(String),
    Int(i64),
    /// Tenths (completeness) or cents (amounts).
    Scaled(i64),
}

fn show(f: &Fig) -> String {
    match f {
        Fig::None => "null".to_string(),
        Fig::Text(s) => format!("{s:?}"),
        Fig::Int(n) | Fig::Scaled(n) => n.to_string(),
    }
}

/// A JSON value (a number, numeric text such as "184500.00", or null) scaled by `scale`.
fn scaled(v: &Value, scale: f64) -> Result<Fig, String> {
    let x = match v {
        Value::Null => return Ok(Fig::None),
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("{n} is not a number"))?,
        Value::String(s) => s
            .parse::<f64>()
            .map_err(|_| format!("{s:?} is not a number"))?,
        other => return Err(format!("{other} is not a number")),
    };
    Ok(Fig::Scaled((x * scale).round() as i64))
}

fn text(v: &Value) -> Result<Fig, String> {
    match v {
        Value::Null => Ok(Fig::None),
        Value::String(s) => Ok(Fig::Text(s.clone())),
        other => Err(format!("{other} is not text")),
    }
}

fn int(v: &Value) -> Result<Fig, String> {
    match v {
        Value::Null => Ok(Fig::None),
        Value::Number(n) => n
            .as_i64()
            .map(Fig::Int)
            .ok_or_else(|| format!("{n} is not a whole number")),
        // An engine that hands integers over as text, or a DECIMAL sum.
        Value::String(s) => s
            .parse::<f64>()
            .map(|x| Fig::Int(x as i64))
            .map_err(|_| format!("{s:?} is not a whole number")),
        other => Err(format!("{other} is not a whole number")),
    }
}

/// One row's figures by name.
pub(crate) type Figures = BTreeMap<&'static str, Fig>;

/// A row's key (scope and what it is of) and its figures.
pub(crate) type Row = ((String, Fig), Figures);

/// The signals, as a sorted comma-separated list.
fn signal_list(names: impl Iterator<Item = String>) -> Fig {
    let mut v: Vec<String> = names.filter(|s| !s.is_empty()).collect();
    v.sort();
    Fig::Text(v.join(","))
}

/// The group figures the audit reports for an owner, a stage or all deals.
fn audit_group(g: &Value, open: &str) -> Result<Figures, String> {
    let mut f = Figures::new();
    f.insert("records", int(&g["records"])?);
    f.insert("open_deals", int(&g[open])?);
    f.insert("completeness", scaled(&g["completeness"], 10.0)?);
    for band in ["high", "medium", "low"] {
        f.insert(
            match band {
                "high" => "high_risk",
                "medium" => "medium_risk",
                _ => "low_risk",
            },
            int(&g["risk"][band])?,
        );
    }
    // One currency (or none): the summary's amount; several: none (the deal rows hold them).
    let amounts = g["open_amount"].as_array().cloned().unwrap_or_default();
    let (amount, currency) = match amounts.as_slice() {
        [one] => (scaled(&one["amount"], 100.0)?, text(&one["currency"])?),
        _ => (Fig::None, Fig::None),
    };
    f.insert("amount", amount);
    f.insert("currency", currency);
    Ok(f)
}

/// Every row the summary should return, from the audit's JSON report.
pub(crate) fn expected(report: &Value) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for d in report["deals"].as_array().ok_or("no deals array")? {
        let mut f = Figures::new();
        f.insert("record_id", text(&d["id"])?);
        f.insert("owner", text(&d["owner"])?);
        f.insert("stage", text(&d["stage"])?);
        f.insert("stage_canonical", text(&d["stage_canonical"])?);
        f.insert("completeness", scaled(&d["completeness"], 10.0)?);
        // Closed deals are not scored (`risk` is null); a deal whose stage is unknown has the
        // one signal `unknown_stage` and neither score nor band.
        f.insert("risk_score", int(&d["risk"]["score"])?);
        f.insert("band", text(&d["risk"]["band"])?);
        let signals = match d["risk"]["signals"].as_array() {
            Some(list) => signal_list(
                list.iter()
                    .filter_map(|s| s["signal"].as_str().map(str::to_string)),
            ),
            None if d["risk"].is_null() => Fig::None,
            None => return Err("a scored deal without signals".to_string()),
        };
        f.insert("signals", signals);
        f.insert("amount", scaled(&d["amount"], 100.0)?);
        f.insert("currency", text(&d["currency"])?);
        let line = d["line"].as_i64().ok_or("a deal without a line")?;
        rows.push((("deal".to_string(), Fig::Int(line)), f));
    }
    let p = &report["pipeline"];
    for (scope, key) in [("owner", "by_owner"), ("stage", "by_stage")] {
        for g in p[key].as_array().ok_or("no pipeline breakdown")? {
            rows.push((
                (scope.to_string(), text(&g[scope])?),
                audit_group(g, "open")?,
            ));
        }
    }
    rows.push((
        ("all".to_string(), Fig::None),
        audit_group(&report["summary"], "open")?,
    ));
    Ok(rows)
}

/// The summary's result rows as compared.
pub(crate) fn returned(rows: &[Map<String, Value>]) -> Result<Vec<Row>, String> {
    let mut out = Vec::new();
    for r in rows {
        let get = |name: &str| r.get(name).cloned().ok_or(format!("no column {name}"));
        let scope = match get("scope")? {
            Value::String(s) => s,
            other => return Err(format!("scope {other}")),
        };
        let mut f = Figures::new();
        let key = match scope.as_str() {
            "deal" => {
                f.insert("record_id", text(&get("record_id")?)?);
                f.insert("owner", text(&get("owner")?)?);
                f.insert("stage", text(&get("stage")?)?);
                f.insert("stage_canonical", text(&get("stage_canonical")?)?);
                f.insert("risk_score", int(&get("risk_score")?)?);
                f.insert("band", text(&get("band")?)?);
                let signals = match get("signals")? {
                    Value::String(s) => signal_list(s.split(',').map(str::to_string)),
                    Value::Null => Fig::None,
                    other => return Err(format!("signals {other}")),
                };
                f.insert("signals", signals);
                int(&get("line")?)?
            }
            "owner" => text(&get("owner")?)?,
            "stage" => text(&get("stage")?)?,
            "all" => Fig::None,
            other => return Err(format!("unknown scope {other:?}")),
        };
        f.insert("completeness", scaled(&get("completeness")?, 10.0)?);
        f.insert("amount", scaled(&get("amount")?, 100.0)?);
        f.insert("currency", text(&get("currency")?)?);
        if scope != "deal" {
            f.insert("records", int(&get("records")?)?);
            f.insert("open_deals", int(&get("open_deals")?)?);
            for band in ["high_risk", "medium_risk", "low_risk"] {
                f.insert(band, int(&get(band)?)?);
            }
        }
        out.push(((scope, key), f));
    }
    Ok(out)
}

/// `None` when the rows agree; else each row that differs, figure by figure.
pub(crate) fn differences(expected: &[Row], returned: &[Row]) -> Option<String> {
    let index =
        |rows: &[Row]| -> BTreeMap<(String, Fig), Figures> { rows.iter().cloned().collect() };
    let (want, got) = (index(expected), index(returned));
    let mut out = String::new();
    if want.len() != expected.len() || got.len() != returned.len() {
        let _ = writeln!(
            out,
            "  duplicate rows: {} expected for {} keys, {} returned for {} keys",
            expected.len(),
            want.len(),
            returned.len(),
            got.len()
        );
    }
    for (key, w) in &want {
        let name = format!("{} {}", key.0, show(&key.1));
        let Some(g) = got.get(key) else {
            let _ = writeln!(out, "  missing in SQL: {name}");
            continue;
        };
        for (figure, value) in w {
            let returned = g.get(figure).unwrap_or(&Fig::None);
            if returned != value {
                let _ = writeln!(
                    out,
                    "  {name}: {figure} is {} in SQL, {} in the audit",
                    show(returned),
                    show(value)
                );
            }
        }
    }
    for key in got.keys().filter(|k| !want.contains_key(*k)) {
        let _ = writeln!(out, "  extra in SQL: {} {}", key.0, show(&key.1));
    }
    (!out.is_empty()).then_some(out)
}
