//! Encodings as exports come: UTF-8 with or without a byte order mark, UTF-16 (LE/BE, with a
//! BOM, or recognisably without one), and Windows-1252 from Excel re-saves and older CRMs.
//!
//! UTF-16 is transcoded to UTF-8 as the file streams. Legacy 8-bit text (Windows-1252 from
//! Excel re-saves, Windows-1251, ISO-8859-7, …) is recognised where a row is not valid UTF-8:
//! the first time that happens in a file, chardetng (by encoding_rs's author, made for this)
//! guesses the encoding from a large sample of such text, once for the whole file, and the
//! cells of every such row are decoded with it. The audit reports IN003 once per file, at the
//! first such line, naming the encoding. A file of ASCII and valid UTF-8 pays nothing for this.

use std::borrow::Cow;
use std::io::Read;

use encoding_rs::Encoding;

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

/// How a file's text that is not UTF-8 is read, decided once per file: by the detector over
/// a large sample of the file's non-UTF-8 bytes, or named by `--encoding` / `[input]
/// encoding`. Rows that are valid UTF-8 are read as UTF-8 either way (a legacy-encoded row of
/// letters is practically never valid UTF-8), so a UTF-8 file never pays for the guess.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Legacy {
    pub(crate) encoding: &'static Encoding,
    pub(crate) decided: Decided,
}

/// How the legacy encoding was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decided {
    /// The detector's guess scored above the other candidates.
    Confident,
    /// The detector's guess is likely wrong (too little text, or no candidate stood out).
    Unsure,
    /// `--encoding` or `[input] encoding` named it.
    Named,
}

impl Default for Legacy {
    /// Before anything is decided: Windows-1252, which maps every byte to a character.
    fn default() -> Legacy {
        Legacy {
            encoding: encoding_rs::WINDOWS_1252,
            decided: Decided::Confident,
        }
    }
}

impl Legacy {
    /// The encoding's WHATWG name as encoding_rs spells it: `windows-1251`, `ISO-8859-7`.
    pub(crate) fn name(self) -> &'static str {
        self.encoding.name()
    }

    /// Decode `bytes` that are not UTF-8 (nothing is dropped: a byte with no character in
    /// the encoding becomes U+FFFD).
    pub(crate) fn decode(self, bytes: &[u8]) -> Cow<'_, str> {
        self.encoding.decode_without_bom_handling(bytes).0
    }

    /// A cell's text: UTF-8 as is, anything else in this encoding.
    pub(crate) fn cell_text(self, bytes: &[u8]) -> Cow<'_, str> {
        match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => self.decode(bytes),
        }
    }
}

/// The most bytes the detector reads: enough text for its letter-pair statistics to settle,
/// few enough that a guess costs milliseconds.
pub(crate) const DETECT_BYTES: usize = 1 << 20;

/// Fewer bytes outside ASCII than this, and the detector's guess is no better than a coin.
const MIN_NON_ASCII: usize = 16;

/// Guess the legacy encoding of `chunks` (the file's text that is not UTF-8, in order).
pub(crate) fn detect<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Legacy {
    let mut detector = chardetng::EncodingDetector::new();
    let (mut fed, mut non_ascii) = (0, 0);
    for chunk in chunks {
        let take = chunk.len().min(DETECT_BYTES - fed);
        detector.feed(&chunk[..take], false);
        non_ascii += chunk[..take].iter().filter(|b| !b.is_ascii()).count();
        fed += take;
        if fed >= DETECT_BYTES {
            break;
        }
    }
    detector.feed(&[], true);
    let (encoding, confident) = detector.guess_assess(None, false);
    if non_ascii < MIN_NON_ASCII {
        // A handful of accented letters says little about the encoding (one é is a letter
        // in a dozen of them): keep to the one that loses nothing and is by far the most
        // common in exports, and say it is a guess.
        return Legacy {
            decided: Decided::Unsure,
            ..Legacy::default()
        };
    }
    if !encoding.is_ascii_compatible() || encoding == encoding_rs::UTF_8 {
        // Only a stateful 7-bit encoding could be guessed here, and a CSV's delimiters
        // and quotes must be ASCII: fall back to the encoding that loses nothing.
        return Legacy {
            decided: Decided::Unsure,
            ..Legacy::default()
        };
    }
    Legacy {
        encoding,
        decided: if confident {
            Decided::Confident
        } else {
            Decided::Unsure
        },
    }
}

/// What `--encoding NAME` or `[input] encoding` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Named {
    /// Text the stream itself must be transcoded from (UTF-16).
    Stream(StreamEncoding),
    /// An ASCII-compatible encoding for text that is not UTF-8 (UTF-8 itself: invalid bytes
    /// become U+FFFD instead of being guessed).
    Legacy(Legacy),
}

/// Encodings to suggest when a name is not known (labels encoding_rs accepts).
const KNOWN: &[&str] = &[
    "utf-8",
    "utf-16le",
    "utf-16be",
    "windows-1250",
    "windows-1251",
    "windows-1252",
    "windows-1253",
    "windows-1254",
    "windows-1255",
    "windows-1256",
    "windows-1257",
    "windows-1258",
    "iso-8859-1",
    "iso-8859-2",
    "iso-8859-5",
    "iso-8859-7",
    "iso-8859-15",
    "koi8-r",
    "koi8-u",
    "ibm866",
    "macintosh",
    "shift_jis",
    "euc-jp",
    "euc-kr",
    "gbk",
    "gb18030",
    "big5",
];

/// Parse an encoding name (any WHATWG label: `cp1251`, `latin1`, `greek`, `utf-16le`).
/// The error says what is wrong and suggests a name.
pub(crate) fn named(label: &str) -> Result<Named, String> {
    let Some(encoding) = Encoding::for_label(label.trim().as_bytes()) else {
        return Err(format!(
            "unknown encoding `{label}`{}",
            crate::suggest::hint_then(
                &label.trim().to_ascii_lowercase(),
                KNOWN.iter().copied(),
                "names such as utf-8, windows-1251, iso-8859-7 or utf-16le"
            )
        ));
    };
    if encoding == encoding_rs::UTF_16LE {
        return Ok(Named::Stream(StreamEncoding::Utf16Le));
    }
    if encoding == encoding_rs::UTF_16BE {
        return Ok(Named::Stream(StreamEncoding::Utf16Be));
    }
    if !encoding.is_ascii_compatible() {
        return Err(format!(
            "encoding `{label}` ({}) cannot hold a CSV file: its delimiters and quotes are not \
             plain ASCII bytes; export the file as UTF-8",
            encoding.name()
        ));
    }
    Ok(Named::Legacy(Legacy {
        encoding,
        decided: Decided::Named,
    }))
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
        let cell_text = |b| Legacy::default().cell_text(b).into_owned();
        assert_eq!(cell_text(b"Negociaci\xf3n"), "Negociación");
        assert_eq!(cell_text(b"Dise\xf1o \x80 9.000"), "Diseño € 9.000");
        assert_eq!(cell_text("déjà".as_bytes()), "déjà");
        assert_eq!(cell_text(b"\x00<p>"), "\u{0}<p>");
    }

    #[test]
    fn detects_cyrillic_and_greek_and_keeps_western() {
        let cp1251 = encoding_rs::WINDOWS_1251
            .encode(
                "Сделка,Иванов Пётр,Переговоры\nПоставка оборудования,Смирнова Анна,Предложение\n",
            )
            .0;
        let got = detect([cp1251.as_ref()]);
        assert_eq!(got.name(), "windows-1251");
        assert_eq!(got.cell_text(&cp1251[..11]), "Сделка,Иван");
        let greek = encoding_rs::ISO_8859_7
            .encode("Έργο Άλφα,Παπαδόπουλος Άγγελος,Διαπραγμάτευση\nΠρομήθεια λογισμικού,Νικολάου Μαρία,Πρόταση\n")
            .0;
        // Άλφα and Έργο: bytes that are letters in ISO-8859-7 and not in Windows-1253.
        let got = detect([greek.as_ref()]);
        assert_eq!(got.name(), "ISO-8859-7");
        assert!(got.cell_text(&greek).starts_with("Έργο Άλφα,"));
        let western = encoding_rs::WINDOWS_1252
            .encode(
                "Negociación,José Muñoz,Propuesta económica\nDiseño,François Dupré,Clôturé gagné\n",
            )
            .0;
        assert_eq!(detect([western.as_ref()]).name(), "windows-1252");
    }

    #[test]
    fn names_are_labels_and_unknown_ones_are_refused() {
        let Ok(Named::Legacy(l)) = named("cp1251") else {
            panic!("cp1251 is windows-1251");
        };
        assert_eq!((l.name(), l.decided), ("windows-1251", Decided::Named));
        assert_eq!(
            named("UTF-16LE"),
            Ok(Named::Stream(StreamEncoding::Utf16Le))
        );
        let err = named("windows-1215").unwrap_err();
        assert!(err.contains("unknown encoding `windows-1215`"), "{err}");
        assert!(err.contains("did you mean"), "{err}");
        assert!(named("iso-2022-jp").is_err());
    }
}
