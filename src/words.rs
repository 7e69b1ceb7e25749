//! How counts, numbers and values read in messages and reports: "1 row" / "2 rows",
//! `1,234,567.50`, `12.5`, and a cell's value quoted and shortened. One definition each,
//! so a finding, a table and a drafted rules file write them alike.

/// `""` for one, `"s"` otherwise: `format!("{n} row{}", plural(n))`.
pub(crate) fn plural<N: TryInto<i128>>(n: N) -> &'static str {
    match n.try_into() {
        Ok(1) => "",
        _ => "s",
    }
}

/// `1234567.50` → `1,234,567.50` (a plain decimal string, as `Money` displays).
pub(crate) fn group_amount(plain: &str) -> String {
    let (sign, rest) = plain.strip_prefix('-').map_or(("", plain), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A count with thousands separators: `1,000,000`.
pub(crate) fn thousands(n: u64) -> String {
    group_amount(&n.to_string())
}

/// A number as a person writes it: `40`, `12.5`, at most four decimals.
pub(crate) fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Items in a sentence: "a", "a and b", "a, b and c".
pub(crate) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A value from the export quoted for a message, shortened when long: `` `12k` ``.
pub(crate) fn quote(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        format!("`{text}`")
    } else {
        let short: String = text.chars().take(MAX).collect();
        format!("`{short}…`")
    }
}

/// How often and how far a close date was pushed: "pushed once, by 67 days" (one push is
/// one distance, not a total), "pushed 3 times, 90 days in all"; "over" when the count hit
/// its cap. HYG009 and the risk signals word pushes alike through this.
pub(crate) fn pushes(count: u32, days: u32, capped: bool) -> String {
    let over = if capped { "over " } else { "" };
    let days_word = |d: u32| format!("{d} day{}", plural(d));
    match (count, days) {
        (0, 0) => "pushed 0 times".to_string(),
        (0, d) => format!("pushed by {} in all", days_word(d)),
        (1, 0) if !capped => "pushed once".to_string(),
        (1, d) if !capped => format!("pushed once, by {}", days_word(d)),
        (n, 0) => format!("pushed {over}{n} times"),
        (n, d) => format!("pushed {over}{n} times, {} in all", days_word(d)),
    }
}

/// A delimiter as reports and rules files name it: `,` `;` `|`, or `tab`.
pub(crate) fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        other => (other as char).to_string(),
    }
}

/// A delimiter in words: "comma", "semicolon", "tab", "pipe".
pub(crate) fn delimiter_word(d: u8) -> String {
    match d {
        b',' => "comma".into(),
        b';' => "semicolon".into(),
        b'\t' => "tab".into(),
        b'|' => "pipe".into(),
        other => delimiter_name(other),
    }
}

/// An address a mail client or chat can open (`act --report-url` checks its characters).
pub(crate) fn is_web(link: &str) -> bool {
    let lower = link.get(..8).unwrap_or(link).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_amounts() {
        assert_eq!(plural(1u64), "");
        assert_eq!(plural(0usize), "s");
        assert_eq!(plural(-1i64), "s");
        assert_eq!(group_amount("1234567.50"), "1,234,567.50");
        assert_eq!(group_amount("-1200.00"), "-1,200.00");
        assert_eq!(group_amount("999"), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(number(40.0), "40");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(0.12345), "0.1235");
    }

    #[test]
    fn pushes_read_as_a_person_says_them() {
        assert_eq!(pushes(1, 67, false), "pushed once, by 67 days");
        assert_eq!(pushes(1, 1, false), "pushed once, by 1 day");
        assert_eq!(pushes(1, 0, false), "pushed once");
        assert_eq!(pushes(2, 0, false), "pushed 2 times");
        assert_eq!(pushes(3, 90, false), "pushed 3 times, 90 days in all");
        assert_eq!(pushes(65_535, 0, true), "pushed over 65535 times");
        assert_eq!(pushes(0, 40, false), "pushed by 40 days in all");
    }

    #[test]
    fn quote_shortens() {
        assert_eq!(quote("abc"), "`abc`");
        assert!(quote(&"x".repeat(100)).ends_with("…`"));
    }
}
