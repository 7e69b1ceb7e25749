//! Escaping text from an export for each place it is shown, so that nothing a cell holds
//! can drive the target. For a terminal: control characters (ESC, BEL, CR, …, the C1
//! range) and bidirectional overrides are shown escaped instead of being sent.

use std::borrow::Cow;

/// Text safe to print on a terminal: line breaks stay (tables wrap on them); every other
/// control character and every bidirectional override is shown as an escape (`\x1B`,
/// `\r`, `\t`, `\u{202E}`).
pub(crate) fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !needs_escape(c) {
            out.push(c);
            continue;
        }
        match c {
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push_str(&format!("\\u{{{:04X}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert!(matches!(terminal("Acme Corp"), Cow::Borrowed(_)));
        assert_eq!(terminal("a\x1b]0;pwned\x07b"), "a\\x1B]0;pwned\\x07b");
        assert_eq!(terminal("a\rb\tc\nd"), "a\\rb\\tc\nd");
        assert_eq!(terminal("\u{9b}31m"), "\\x9B31m");
        assert_eq!(terminal("x\u{202E}gpj.exe"), "x\\u{202E}gpj.exe");
        assert_eq!(terminal("Société"), "Société");
    }
}
