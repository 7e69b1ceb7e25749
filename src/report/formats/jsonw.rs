//! JSON text appended to a byte buffer, for the formats that write millions of records
//! (`json`'s deals and findings, `jsonl`). It writes exactly what serde_json's compact
//! serializer writes for the same rows (tests hold the two together), several times
//! faster: a string with nothing to escape, which is nearly every string, is copied in one
//! piece after a scan of eight bytes at a time.

use crate::report::view::rows::{DealRisk, DealRow, FindingRow};

/// Appends `s` as a JSON string, escaped as serde_json escapes it.
pub(crate) fn string(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    let bytes = s.as_bytes();
    let mut clean = 0; // bytes[clean..i] need no escape and are not yet copied
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let word = match rest.first_chunk::<8>() {
            Some(w) => u64::from_le_bytes(*w),
            None => {
                // The last few bytes, padded with a byte that needs no escape.
                let mut w = [b'a'; 8];
                w[..rest.len()].copy_from_slice(rest);
                u64::from_le_bytes(w)
            }
        };
        if !needs_escape(word) {
            i += 8;
            continue;
        }
        let end = (i + 8).min(bytes.len());
        while i < end {
            let b = bytes[i];
            i += 1;
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0x00..=0x1f => b"",
                _ => continue,
            };
            buf.extend_from_slice(&bytes[clean..i - 1]);
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX[usize::from(b >> 4)]);
                buf.push(HEX[usize::from(b & 0xf)]);
            } else {
                buf.extend_from_slice(escape);
            }
            clean = i;
        }
    }
    buf.extend_from_slice(&bytes[clean..]);
    buf.push(b'"');
}

/// Appends `s`, which has nothing to escape (a code, a key, a band), as a JSON string.
fn plain(buf: &mut Vec<u8>, s: &str) {
    debug_assert!(!s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\'));
    buf.push(b'"');
    buf.extend_from_slice(s.as_bytes());
    buf.push(b'"');
}

/// Whether any of the eight bytes is a control character, `"` or `\`. (Each test is the
/// classic "has a byte below n" / "has a zero byte" bit trick: exact for the word as a whole.)
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    let quote = word ^ (ONES * u64::from(b'"'));
    let quote = quote.wrapping_sub(ONES) & !quote & HIGH;
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let backslash = backslash.wrapping_sub(ONES) & !backslash & HIGH;
    (below_space | quote | backslash) != 0
}

/// One JSON object being written: keys in the order they are given, as serde's derive
/// writes a struct's fields.
pub(crate) struct Object<'b> {
    buf: &'b mut Vec<u8>,
    empty: bool,
}

impl<'b> Object<'b> {
    pub(crate) fn new(buf: &'b mut Vec<u8>) -> Object<'b> {
        buf.push(b'{');
        Object { buf, empty: true }
    }

    /// Writes `"key":` (keys are this program's own names: nothing to escape) and
    /// returns the buffer for the value.
    pub(crate) fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.buf.push(b',');
        }
        self.empty = false;
        plain(self.buf, key);
        self.buf.push(b':');
        self.buf
    }

    pub(crate) fn str(&mut self, key: &str, value: &str) {
        string(self.key(key), value);
    }

    /// A value of this program's own vocabulary (a code, a severity, a band).
    pub(crate) fn word(&mut self, key: &str, value: &str) {
        plain(self.key(key), value);
    }

    pub(crate) fn opt_str(&mut self, key: &str, value: Option<&str>) {
        match value {
            Some(v) => self.str(key, v),
            None => self.key(key).extend_from_slice(b"null"),
        }
    }

    pub(crate) fn u64(&mut self, key: &str, value: u64) {
        let mut digits = itoa::Buffer::new();
        self.key(key)
            .extend_from_slice(digits.format(value).as_bytes());
    }

    /// A float as serde_json writes it (shortest form that reads back the same; `null`
    /// when not finite).
    pub(crate) fn f64(&mut self, key: &str, value: f64) {
        let buf = self.key(key);
        if serde_json::to_writer(&mut *buf, &value).is_err() {
            buf.extend_from_slice(b"null");
        }
    }

    pub(crate) fn end(self) {
        self.buf.push(b'}');
    }
}

/// A finding as the JSON document's `findings` array holds it.
pub(crate) fn finding(buf: &mut Vec<u8>, f: &FindingRow<'_>) {
    let mut o = Object::new(buf);
    finding_fields(&mut o, f);
    o.end();
}

/// A finding's fields, for objects that add more (`jsonl`).
pub(crate) fn finding_fields(o: &mut Object<'_>, f: &FindingRow<'_>) {
    o.word("code", f.code.as_str());
    o.word("severity", f.severity.as_str());
    o.str("file", f.file);
    o.u64("line", f.line);
    o.opt_str("record_id", f.record_id);
    o.opt_str("field", f.field);
    o.opt_str("column", f.column);
    o.str("message", &f.message);
    match f.streak {
        Some(n) => o.u64("streak", u64::from(n)),
        None => o.key("streak").extend_from_slice(b"null"),
    }
}

/// A deal as the JSON document's `deals` array holds it.
pub(crate) fn deal(buf: &mut Vec<u8>, d: &DealRow<'_>) {
    let mut o = Object::new(buf);
    o.str("file", d.file);
    o.u64("line", d.line);
    o.opt_str("id", d.id);
    o.opt_str("name", d.name);
    o.opt_str("account", d.account);
    o.opt_str("owner", d.owner);
    o.opt_str("stage", d.stage);
    o.opt_str("stage_canonical", d.stage_canonical);
    o.opt_str("amount", d.amount.as_deref());
    o.opt_str("currency", d.currency.as_deref());
    o.opt_str("close_date", d.close_date.as_deref());
    o.f64("completeness", d.completeness);
    let buf = o.key("risk");
    match &d.risk {
        Some(risk) => deal_risk(buf, risk),
        None => buf.extend_from_slice(b"null"),
    }
    o.end();
}

fn deal_risk(buf: &mut Vec<u8>, risk: &DealRisk) {
    let mut o = Object::new(buf);
    match risk.score {
        Some(score) => o.u64("score", u64::from(score)),
        None => o.key("score").extend_from_slice(b"null"),
    }
    match risk.band {
        Some(band) => o.word("band", band.as_str()),
        None => o.key("band").extend_from_slice(b"null"),
    }
    let buf = o.key("signals");
    buf.push(b'[');
    for (i, s) in risk.signals.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        let mut so = Object::new(buf);
        so.word("signal", s.signal);
        so.u64("weight", u64::from(s.weight));
        so.str("detail", &s.detail);
        so.end();
    }
    buf.push(b']');
    o.end();
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ours(s: &str) -> String {
        let mut buf = Vec::new();
        string(&mut buf, s);
        String::from_utf8(buf).expect("utf-8")
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for s in [
            "",
            "plain",
            "a longer plain string, past eight bytes",
            "quote \" and backslash \\ and slash /",
            "line\nbreak\r\ttab\u{8}\u{c}",
            "\u{0}\u{1}\u{1f}\u{7f}",
            "Société Générale — 東京 🚀",
            "12345678\"",
            "\"12345678",
        ] {
            assert_eq!(ours(s), serde_json::to_string(s).expect("json"), "{s:?}");
        }
    }

    proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(s in "\\PC*|[\\x00-\\x7f]{0,40}") {
            prop_assert_eq!(ours(&s), serde_json::to_string(&s).expect("json"));
        }
    }
}
