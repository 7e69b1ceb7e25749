//! Escaping text from an export for each place it is shown, so that nothing a cell holds
//! can drive the target. For a terminal: control characters (ESC, BEL, CR, …, the C1
//! range), bidirectional overrides and Unicode noncharacters are shown escaped instead of
//! being sent. For Markdown: the characters that make tables, links, emphasis, code or HTML
//! are backslash-escaped or written as entities, and line breaks become spaces. For XML
//! (JUnit): what XML 1.0 cannot hold is shown the same way. (HTML is escaped by its
//! template library after [`terminal`]; CSV by its writer; GitHub workflow commands in
//! `github.rs`.)

use std::borrow::Cow;

/// Text safe to print on a terminal: line breaks stay (tables wrap on them); every other
/// control character and every bidirectional override is shown as an escape (`\x1B`,
/// `\r`, `\t`, `\u{202E}`).
pub(crate) fn terminal(text: &str) -> Cow<'_, str> {
    // Most cells are plain printable ASCII: one pass over the bytes says so.
    if text.bytes().all(|b| matches!(b, b' '..=b'~' | b'\n')) || !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            push_shown(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text safe inside an XML 1.0 document (JUnit): XML cannot hold C0 controls but tab, LF
/// and CR, nor U+FFFE and U+FFFF, and a parser refuses the whole file for one of them. They
/// are shown as escapes, as the terminal shows them, rather than dropped (quick-junit
/// drops C0 controls and terminal escape sequences, which would lose text silently): so
/// every control character and bidirectional override is shown, and tab and CR too.
pub(crate) fn xml(text: &str) -> Cow<'_, str> {
    terminal(text)
}

/// A control character or bidirectional override, written as the escape that shows it.
pub(crate) fn push_shown(out: &mut String, c: char) {
    match c {
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02X}", c as u32)),
        c => out.push_str(&format!("\\u{{{:04X}}}", c as u32)),
    }
}

/// Text safe inside GitHub-flavoured Markdown, table cells included: it renders as the
/// same characters, never as markup. Control characters are shown as for a terminal.
/// Bytes that are printable ASCII and mean nothing to Markdown: text made only of these
/// needs no escape (the common case, checked a byte at a time).
const MARKDOWN_PLAIN: [bool; 256] = {
    let mut plain = [false; 256];
    let mut b = b' ';
    while b <= b'~' {
        plain[b as usize] = !matches!(
            b,
            b'\\' | b'`' | b'*' | b'_' | b'[' | b']' | b'|' | b'<' | b'>' | b'&' | b'~'
        );
        b += 1;
    }
    plain
};

pub(crate) fn markdown(text: &str) -> Cow<'_, str> {
    let special = |c: char| {
        // Never at the start of a line (a pipelint cell or label comes first), so list
        // and heading markers (`-`, `+`, `1.`, `#`) need no escape.
        matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '<' | '>' | '&' | '~' | '\n'
        )
    };
    if text.bytes().all(|b| MARKDOWN_PLAIN[b as usize])
        || !text.chars().any(|c| special(c) || needs_escape(c))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in terminal(text).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push(' '),
            c if special(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

pub(crate) fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n') || is_bidi_control(c) || is_noncharacter(c)
}

/// Unicode's bidirectional formatting characters (UAX #9): the marks (U+061C Arabic letter
/// mark, U+200E, U+200F), embeddings and overrides (U+202A–U+202E) and isolates
/// (U+2066–U+2069). Each can reorder the text around it, so that a deal's name reads as
/// another's: all are treated alike.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Unicode's noncharacters (U+FDD0–U+FDEF and the last two code points of every plane):
/// never text, XML 1.0 forbids U+FFFE and U+FFFF, and HTML calls each a parse error.
fn is_noncharacter(c: char) -> bool {
    let n = c as u32;
    (0xFDD0..=0xFDEF).contains(&n) || n & 0xFFFE == 0xFFFE
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
        assert_eq!(terminal("a\u{061C}b\u{200E}c"), "a\\u{061C}b\\u{200E}c");
        assert_eq!(terminal("Société"), "Société");
        assert_eq!(terminal("a\u{FFFE}b\u{FFFF}"), "a\\u{FFFE}b\\u{FFFF}");
        assert_eq!(
            terminal("\u{FDD0}\u{1FFFF}\u{FFFD}"),
            "\\u{FDD0}\\u{1FFFF}\u{FFFD}"
        );
    }

    #[test]
    fn xml_shows_what_xml_cannot_hold() {
        assert!(matches!(xml("Acme <Corp> & Co"), Cow::Borrowed(_)));
        assert_eq!(xml("a\u{1}b\u{FFFE}c\td"), "a\\x01b\\u{FFFE}c\\td");
    }

    #[test]
    fn markdown_shows_markup_as_text() {
        assert!(matches!(markdown("Acme Corp 2026"), Cow::Borrowed(_)));
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(
            markdown("<script>x</script>"),
            "&lt;script&gt;x&lt;/script&gt;"
        );
        assert_eq!(
            markdown("[click](javascript:x)"),
            "\\[click\\](javascript:x)"
        );
        assert_eq!(markdown("Closed-Won 1.5"), "Closed-Won 1.5");
        assert_eq!(
            markdown("*bold* _it_ `code`"),
            "\\*bold\\* \\_it\\_ \\`code\\`"
        );
        assert_eq!(markdown("line\nbreak"), "line break");
        assert_eq!(markdown("a\x1b[31m"), "a\\\\x1B\\[31m");
    }
}
