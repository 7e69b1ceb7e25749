//! Yes/no values as CRMs write them: `TRUE`/`FALSE` (Excel, Salesforce reports), `true`/`false`
//! (HubSpot), `1`/`0` (Data Loader), `yes`/`no`, and HubSpot's float-printed `1.0`/`0.0`.

/// Read a trimmed cell as a boolean, ignoring ASCII case.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    const TRUE: [&str; 7] = ["true", "t", "yes", "y", "1", "1.0", "on"];
    const FALSE: [&str; 7] = ["false", "f", "no", "n", "0", "0.0", "off"];
    if s.len() > 5 {
        return None;
    }
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
        Some(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(s)) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_crms_use() {
        for t in ["TRUE", "true", "True", "1", "yes", "Y", "1.0"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["FALSE", "false", "0", "no", "N", "0.0"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        for x in ["", "maybe", "2", "truely", "10"] {
            assert_eq!(parse_bool(x), None, "{x}");
        }
    }
}
