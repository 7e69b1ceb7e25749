//! Encodings as exports come: UTF-8 with or without a byte order mark, UTF-16 (LE/BE, with a
//! BOM, or recognisably without one), and Windows-1252 from Excel re-saves and older CRMs.
//!
//! UTF-16 is transcoded to UTF-8 as the file streams. Windows-1252 needs no guess up front:
//! a row that is not valid UTF-8 has its cells decoded as Windows-1252 (every byte maps to a
//! character, so nothing is lost), and the audit reports IN003 once per file, at the first such
//! line. A file of ASCII and valid UTF-8 pays nothing for this.

use std::borrow::Cow;
use std::io::Read;

/// How a file's bytes become text, decided from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StreamEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

impl StreamEncoding {
    pub(crate) fn name(self) -> &'static str {
        match self {
            StreamEncoding::Utf8 => "utf-8",
            StreamEncoding::Utf8Bom => "utf-8-bom",
            StreamEncoding::Utf16Le => "utf-16le",
            StreamEncoding::Utf16Be => "utf-16be",
        }
    }
}

/// Decide the stream encoding from the first bytes of a file.
pub(crate) fn sniff(prefix: &[u8]) -> StreamEncoding {
    match prefix {
        [0xEF, 0xBB, 0xBF, ..] => StreamEncoding::Utf8Bom,
        [0xFF, 0xFE, ..] => StreamEncoding::Utf16Le,
        [0xFE, 0xFF, ..] => StreamEncoding::Utf16Be,
        _ => match utf16_without_bom(prefix) {
            Some(e) => e,
            None => StreamEncoding::Utf8,
        },
    }
}

/// UTF-16 text of mostly ASCII characters has a NUL in every other byte: a file saved as
/// "Unicode text" without a byte order mark.
fn utf16_without_bom(prefix: &[u8]) -> Option<StreamEncoding> {
    let sample = &prefix[..prefix.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let (mut zero_even, mut zero_odd) = (0, 0);
    for pair in sample.chunks_exact(2) {
        zero_even += usize::from(pair[0] == 0);
        zero_odd += usize::from(pair[1] == 0);
    }
    let mostly = |n: usize| n * 10 >= pairs * 9;
    let rarely = |n: usize| n * 10 <= pairs;
    if mostly(zero_odd) && rarely(zero_even) {
        Some(StreamEncoding::Utf16Le)
    } else if mostly(zero_even) && rarely(zero_odd) {
        Some(StreamEncoding::Utf16Be)
    } else {
        None
    }
}

/// Wrap a raw stream so that it yields UTF-8 (UTF-16 is transcoded; UTF-8 passes through).
pub(crate) fn decoded(raw: Box<dyn Read + Send>, encoding: StreamEncoding) -> Box<dyn Read + Send> {
    let utf16 = match encoding {
        StreamEncoding::Utf16Le => encoding_rs::UTF_16LE,
        StreamEncoding::Utf16Be => encoding_rs::UTF_16BE,
        StreamEncoding::Utf8 | StreamEncoding::Utf8Bom => return raw,
    };
    Box::new(
        encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(utf16))
            .bom_override(true)
            .build(raw),
    )
}

/// A cell's text: UTF-8 as is, anything else as Windows-1252.
pub(crate) fn cell_text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => windows_1252(bytes),
    }
}

/// Decode bytes as Windows-1252 (every byte is a character: nothing is lost).
pub(crate) fn windows_1252(bytes: &[u8]) -> Cow<'_, str> {
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_boms_and_bare_utf16() {
        assert_eq!(sniff(b"\xEF\xBB\xBFId,Name"), StreamEncoding::Utf8Bom);
        assert_eq!(sniff(b"\xFF\xFEI\0d\0"), StreamEncoding::Utf16Le);
        assert_eq!(sniff(b"\xFE\xFF\0I\0d"), StreamEncoding::Utf16Be);
        let le: Vec<u8> = "Id\tName\tStage\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(sniff(&le), StreamEncoding::Utf16Le);
        let be: Vec<u8> = "Id\tName\tStage\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(sniff(&be), StreamEncoding::Utf16Be);
        assert_eq!(sniff(b"Id,Name,Stage\n1,a,b\n"), StreamEncoding::Utf8);
        assert_eq!(sniff(b""), StreamEncoding::Utf8);
    }

    #[test]
    fn utf16_streams_to_utf8() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(
            "Négociation\t12\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        let mut out = String::new();
        decoded(
            Box::new(std::io::Cursor::new(bytes)),
            StreamEncoding::Utf16Le,
        )
        .read_to_string(&mut out)
        .unwrap();
        assert_eq!(out, "Négociation\t12\n");
    }

    #[test]
    fn windows_1252_cells() {
        assert_eq!(cell_text(b"Negociaci\xf3n"), "Negociación");
        assert_eq!(cell_text(b"Dise\xf1o \x80 9.000"), "Diseño € 9.000");
        assert_eq!(cell_text("déjà".as_bytes()), "déjà");
        assert_eq!(cell_text(b"\x00<p>"), "\u{0}<p>");
    }
}
