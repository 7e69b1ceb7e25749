//! Findings as compared: the key of a finding, the multiset difference, and the codes a
//! query's opening comment names.

use super::*;

/// What a finding is compared on: code, record id, field, severity, line.
pub(crate) type Key = (String, Option<String>, Option<String>, String, Option<u64>);

pub(crate) fn show(k: &Key) -> String {
    let (code, id, field, severity, line) = k;
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map_or("(none)".to_string(), |s| format!("{s:?}"))
    };
    format!(
        "{code} {severity} line {} record {} field {}",
        line.map_or("(none)".to_string(), |l| l.to_string()),
        opt(id),
        opt(field)
    )
}

/// A finding of the JSON report, or a row of the SQL's result (both name their columns
/// alike: code, severity, record_id, field, line).
pub(crate) fn key_of(row: &serde_json::Map<String, Value>) -> Result<Key, String> {
    let text = |name: &str| -> Result<Option<String>, String> {
        match row.get(name) {
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Null) => Ok(None),
            Some(other) => Err(format!("column {name} is {other}, not text, in {row:?}")),
            None => Err(format!("no column {name} in {row:?}")),
        }
    };
    let line = match row.get("line") {
        Some(Value::Number(n)) => Some(
            n.as_u64()
                .ok_or_else(|| format!("line {n} is not a line number in {row:?}"))?,
        ),
        // Text holding a number: an engine that hands BIGINTs over as text.
        Some(Value::String(s)) => Some(
            s.parse()
                .map_err(|_| format!("line {s:?} is not a line number in {row:?}"))?,
        ),
        Some(Value::Null) => None,
        _ => return Err(format!("no column line in {row:?}")),
    };
    let need = |name: &str| text(name)?.ok_or_else(|| format!("{name} is null in {row:?}"));
    Ok((
        need("code")?,
        text("record_id")?,
        text("field")?,
        need("severity")?,
        line,
    ))
}

/// `None` when the multisets are equal; else what the SQL missed and what it added.
pub(crate) fn diff(engine_found: &[Key], sql_found: &[Key]) -> Option<String> {
    let mut count: BTreeMap<&Key, i64> = BTreeMap::new();
    for k in engine_found {
        *count.entry(k).or_default() += 1;
    }
    for k in sql_found {
        *count.entry(k).or_default() -= 1;
    }
    let (mut missing, mut extra) = (String::new(), String::new());
    for (k, n) in &count {
        let (list, times) = if *n > 0 {
            (&mut missing, *n)
        } else {
            (&mut extra, -*n)
        };
        for _ in 0..times {
            let _ = writeln!(list, "    {}", show(k));
        }
    }
    if missing.is_empty() && extra.is_empty() {
        return None;
    }
    let mut out = String::new();
    if !missing.is_empty() {
        let _ = write!(out, "  missing in SQL (the engine found them):\n{missing}");
    }
    if !extra.is_empty() {
        let _ = write!(
            out,
            "  extra in SQL (the engine did not find them):\n{extra}"
        );
    }
    Some(out)
}

/// Codes named on a line of the query's header comment that starts with `label`, e.g.
/// `-- evaluated: REQ001 REQ002` or `-- not evaluated: IN002 (reading quirk); CHG001–CHG005`.
pub(crate) fn codes_on(query: &str, label: &str) -> Option<BTreeSet<String>> {
    static CODE: OnceLock<Regex> = OnceLock::new();
    let code = CODE.get_or_init(|| {
        Regex::new(r"\b([A-Z]{2,4})(\d{3})(?:\s*[-–]\s*([A-Z]{2,4})?(\d{3}))?\b").expect("regex")
    });
    let line = query
        .lines()
        .take_while(|l| l.trim_start().starts_with("--") || l.trim().is_empty())
        .find_map(|l| {
            l.trim_start()
                .trim_start_matches('-')
                .trim_start()
                .strip_prefix(label)
        })?;
    let mut codes = BTreeSet::new();
    for c in code.captures_iter(line) {
        let prefix = &c[1];
        let from: u32 = c[2].parse().ok()?;
        let to: u32 = match c.get(4) {
            Some(m) => m.as_str().parse().ok()?,
            None => from,
        };
        for n in from..=to.max(from) {
            codes.insert(format!("{prefix}{n:03}"));
        }
    }
    Some(codes)
}
