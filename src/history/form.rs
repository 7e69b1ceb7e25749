//! A stored snapshot's compact form (`deal_forms`): what a previous audit reads back of
//! each deal (the columns `load.rs` reads from `deals`), packed by parts of
//! [`PART_DEALS`] deals, each part writing its owner, account, stage, forecast and currency
//! names once and each deal's use of them as a number.
//!
//! `audit --history` reads last week back on every run: stepping SQLite through 16 columns
//! of every stored row and interning their names again was a quarter of its time. A form
//! is read as a few blobs and decoded with each name resolved once a part.
//!
//! The rows stay the store's truth: every query, trend and replay reads them, and a form is
//! kept only for the newest two snapshots (the ones an audit compares with). A form is read
//! only when its parts cover its snapshot's deals exactly and decode whole (the bytes are
//! checked as a row's values are: ranges, days, UTF-8); else the rows are read, which say
//! what is wrong with them when anything is.

use rustc_hash::FxHashMap;

/// Deals per part: the deal buffers' size, so a part fills one.
pub(super) const PART_DEALS: usize = 1 << 16;

/// The first bytes of a part: the form and its version.
const MAGIC: &[u8; 4] = b"PLF1";

/// The standings a stored deal has, in the order a form numbers them.
pub(super) const STANDINGS: [&str; 4] = ["open", "won", "lost", "unknown"];

/// Which of a part's names a deal uses (with its text), or none.
pub(super) type Ref<'a> = Option<(usize, &'a str)>;

/// One deal as a form holds it: the values its row holds in the columns a previous audit
/// reads, names by reference.
pub(super) struct FormDeal<'a> {
    pub(super) file: u64,
    pub(super) line: u64,
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) account: Ref<'a>,
    pub(super) owner: Ref<'a>,
    pub(super) stage: Ref<'a>,
    /// Index into [`STANDINGS`].
    pub(super) standing: usize,
    pub(super) amount: Option<i64>,
    pub(super) currency: Ref<'a>,
    pub(super) close_day: Option<i64>,
    pub(super) forecast: Ref<'a>,
    pub(super) push_count: u64,
    pub(super) push_days: u64,
    /// How many findings follow ([`Part::finding`]).
    pub(super) findings: u64,
}

/// One finding of a deal as a form holds it.
pub(super) struct FormFinding<'a> {
    pub(super) code: (usize, &'a str),
    /// `None` for a finding about no field.
    pub(super) field: Ref<'a>,
    pub(super) streak: u64,
}

/// Which column a name is written for: the roles keep their names apart in a part.
#[derive(Clone, Copy)]
pub(super) enum Role {
    Account = 1,
    Owner = 2,
    Stage = 3,
    Currency = 4,
    Forecast = 5,
    Code = 6,
    Field = 7,
}

/// A name as the encoder is given it: a key that stands for its text within its role (an
/// interned id), and the text.
pub(super) type Named<'a> = Option<(u64, &'a str)>;

/// One deal for [`Encoder::push`], as its row stores it.
pub(super) struct ToStore<'a> {
    pub(super) file: u32,
    pub(super) line: u64,
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) account: Named<'a>,
    pub(super) owner: Named<'a>,
    pub(super) stage: Named<'a>,
    pub(super) standing: &'a str,
    pub(super) amount: Option<i64>,
    /// The ISO 4217 code.
    pub(super) currency: Option<[u8; 3]>,
    pub(super) close_day: Option<i64>,
    pub(super) forecast: Named<'a>,
    pub(super) push_count: u16,
    pub(super) push_days: u16,
}

/// Packs deals into parts, in deal order: [`Encoder::begin`] a deal, add its
/// [`Encoder::finding`]s, [`Encoder::end`] it.
#[derive(Default)]
pub(super) struct Encoder {
    names: PartNames,
    body: Vec<u8>,
    deals: usize,
    /// The deal's findings so far, and how many.
    found: Vec<u8>,
    findings: u64,
}

/// The current part's names by role and key, and their texts.
#[derive(Default)]
struct PartNames {
    index: FxHashMap<(u8, u64), u32>,
    texts: Vec<u8>,
}

impl PartNames {
    /// Write into `out` which name `named` is (0 for none), adding it when it is new.
    fn refer(&mut self, out: &mut Vec<u8>, role: Role, named: Named<'_>) {
        let Some((key, name)) = named else {
            out.push(0);
            return;
        };
        let next = self.index.len() as u32;
        let texts = &mut self.texts;
        let index = *self.index.entry((role as u8, key)).or_insert_with(|| {
            text(texts, name);
            next
        });
        varint(out, u64::from(index) + 1);
    }
}

impl Encoder {
    /// Begin one deal.
    pub(super) fn begin(&mut self, d: &ToStore<'_>) {
        let (names, body) = (&mut self.names, &mut self.body);
        varint(body, u64::from(d.file));
        varint(body, d.line);
        text(body, d.id);
        text(body, d.name);
        names.refer(body, Role::Account, d.account);
        names.refer(body, Role::Owner, d.owner);
        names.refer(body, Role::Stage, d.stage);
        let standing = STANDINGS.iter().position(|s| *s == d.standing);
        body.push(standing.map_or(u8::MAX, |i| i as u8));
        optional(body, d.amount);
        let code = d.currency.as_ref().and_then(|c| {
            let key = u64::from(u32::from_be_bytes([0, c[0], c[1], c[2]]));
            Some((key, std::str::from_utf8(c).ok()?))
        });
        names.refer(body, Role::Currency, code);
        optional(body, d.close_day);
        names.refer(body, Role::Forecast, d.forecast);
        varint(body, u64::from(d.push_count));
        varint(body, u64::from(d.push_days));
        self.found.clear();
        self.findings = 0;
    }

    /// One finding of the deal begun: its code, its field (id and name as stored; an
    /// empty name for none) and its streak.
    pub(super) fn finding(&mut self, code: crate::diag::Code, field: (u16, &str), streak: u16) {
        let out = &mut self.found;
        self.names
            .refer(out, Role::Code, Some((code as u64, code.as_str())));
        let field = (!field.1.is_empty()).then_some((u64::from(field.0), field.1));
        self.names.refer(out, Role::Field, field);
        varint(out, u64::from(streak));
        self.findings += 1;
    }

    /// End the deal begun; the part it completes, when it completes one.
    pub(super) fn end(&mut self) -> Option<(usize, Vec<u8>)> {
        varint(&mut self.body, self.findings);
        self.body.extend_from_slice(&self.found);
        self.deals += 1;
        (self.deals == PART_DEALS).then(|| self.finish())
    }

    /// The part begun, if any deal is in it: its deal count and bytes.
    pub(super) fn last(mut self) -> Option<(usize, Vec<u8>)> {
        (self.deals > 0).then(|| self.finish())
    }

    fn finish(&mut self) -> (usize, Vec<u8>) {
        let names = &mut self.names;
        let mut out = Vec::with_capacity(16 + names.texts.len() + self.body.len());
        out.extend_from_slice(MAGIC);
        varint(&mut out, self.deals as u64);
        varint(&mut out, names.index.len() as u64);
        out.append(&mut names.texts);
        out.append(&mut self.body);
        // The next part starts with no names, and the index keeps its room.
        names.index.clear();
        let deals = std::mem::take(&mut self.deals);
        (deals, out)
    }
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn text(out: &mut Vec<u8>, s: &str) {
    varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// 0 for none, else 1 and the number zigzagged.
fn optional(out: &mut Vec<u8>, n: Option<i64>) {
    match n {
        None => out.push(0),
        Some(n) => {
            out.push(1);
            varint(out, ((n << 1) ^ (n >> 63)) as u64);
        }
    }
}

/// A part's bytes being read: every read is checked, and any failure is `None`.
struct Bytes<'a> {
    at: &'a [u8],
}

impl<'a> Bytes<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.at.split_first()?;
        self.at = rest;
        Some(b)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7F).checked_shl(shift)?;
            if b < 0x80 {
                return Some(n);
            }
        }
        None
    }

    fn text(&mut self) -> Option<&'a str> {
        let len = usize::try_from(self.varint()?).ok()?;
        if len > self.at.len() {
            return None;
        }
        let (s, rest) = self.at.split_at(len);
        self.at = rest;
        std::str::from_utf8(s).ok()
    }

    fn optional(&mut self) -> Option<Option<i64>> {
        match self.byte()? {
            0 => Some(None),
            1 => {
                let z = self.varint()?;
                Some(Some(((z >> 1) as i64) ^ -((z & 1) as i64)))
            }
            _ => None,
        }
    }

    fn name(&mut self, names: &[&'a str]) -> Option<Ref<'a>> {
        match self.varint()? {
            0 => Some(None),
            n => {
                let i = usize::try_from(n - 1).ok()?;
                Some(Some((i, *names.get(i)?)))
            }
        }
    }
}

/// A part's deal count and names, and its deals read one by one.
pub(super) struct Part<'a> {
    pub(super) deals: usize,
    pub(super) names: Vec<&'a str>,
    bytes: Bytes<'a>,
    read: usize,
}

impl<'a> Part<'a> {
    /// The part in `data`, when it is one.
    pub(super) fn open(data: &'a [u8]) -> Option<Part<'a>> {
        let rest = data.strip_prefix(MAGIC)?;
        let mut bytes = Bytes { at: rest };
        let deals = usize::try_from(bytes.varint()?).ok()?;
        let count = usize::try_from(bytes.varint()?).ok()?;
        // Each name takes a byte at least: a count past the bytes left is not a part's.
        if count > bytes.at.len() {
            return None;
        }
        let names = (0..count)
            .map(|_| bytes.text())
            .collect::<Option<Vec<_>>>()?;
        Some(Part {
            deals,
            names,
            bytes,
            read: 0,
        })
    }

    /// The next deal; `Some(None)` once every deal is read and no byte is left over, and
    /// `None` for bytes that are not a deal.
    pub(super) fn next(&mut self) -> Option<Option<FormDeal<'a>>> {
        if self.read == self.deals {
            return self.bytes.at.is_empty().then_some(None);
        }
        self.read += 1;
        let names = &self.names;
        let b = &mut self.bytes;
        Some(Some(FormDeal {
            file: b.varint()?,
            line: b.varint()?,
            id: b.text()?,
            name: b.text()?,
            account: b.name(names)?,
            owner: b.name(names)?,
            stage: b.name(names)?,
            standing: Some(usize::from(b.byte()?)).filter(|&s| s < STANDINGS.len())?,
            amount: b.optional()?,
            currency: b.name(names)?,
            close_day: b.optional()?,
            forecast: b.name(names)?,
            push_count: b.varint()?,
            push_days: b.varint()?,
            findings: b.varint()?,
        }))
    }

    /// The next finding of the deal just read (as many as its `findings` says).
    pub(super) fn finding(&mut self) -> Option<FormFinding<'a>> {
        let names = &self.names;
        let b = &mut self.bytes;
        Some(FormFinding {
            code: b.name(names)??,
            field: b.name(names)?,
            streak: b.varint()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    fn deal<'a>(id: &'a str, owner: Named<'a>) -> ToStore<'a> {
        ToStore {
            file: 1,
            line: 300,
            id,
            name: "Renewal – Ünïcode",
            account: None,
            owner,
            stage: Some((0, "Prospecting")),
            standing: "lost",
            amount: Some(-1_250_000),
            currency: Some(*b"EUR"),
            close_day: Some(2_461_365),
            forecast: None,
            push_count: 3,
            push_days: u16::MAX,
        }
    }

    /// One deal with `findings` (code, field, streak).
    fn push(
        e: &mut Encoder,
        d: &ToStore<'_>,
        findings: &[(Code, (u16, &str), u16)],
    ) -> Option<(usize, Vec<u8>)> {
        e.begin(d);
        for &(code, field, streak) in findings {
            e.finding(code, field, streak);
        }
        e.end()
    }

    #[test]
    fn a_part_reads_back_what_was_stored() {
        let mut e = Encoder::default();
        assert!(push(&mut e, &deal("006A", Some((7, "Ana"))), &[]).is_none());
        let two = [
            (Code::Req001, (4, "Amount"), 2),
            (Code::Hyg003, (u16::MAX, ""), 1),
        ];
        assert!(push(&mut e, &deal("006B", Some((7, "Ana"))), &two).is_none());
        assert!(push(&mut e, &deal("006C", Some((9, "Bo"))), &[]).is_none());
        let (n, bytes) = e.last().expect("a part");
        assert_eq!(n, 3);
        let mut part = Part::open(&bytes).expect("opens");
        // Each name written once, in the order first used.
        assert_eq!(
            part.names,
            [
                "Ana",
                "Prospecting",
                "EUR",
                "REQ001",
                "Amount",
                "HYG003",
                "Bo"
            ]
        );
        let a = part.next().expect("decodes").expect("a deal");
        assert_eq!((a.file, a.line, a.id), (1, 300, "006A"));
        assert_eq!(a.name, "Renewal – Ünïcode");
        assert_eq!(a.owner, Some((0, "Ana")));
        assert_eq!(a.stage, Some((1, "Prospecting")));
        assert_eq!(STANDINGS[a.standing], "lost");
        assert_eq!(a.amount, Some(-1_250_000));
        assert_eq!(a.currency, Some((2, "EUR")));
        assert_eq!(a.close_day, Some(2_461_365));
        assert_eq!((a.account, a.forecast), (None, None));
        assert_eq!((a.push_count, a.push_days), (3, u64::from(u16::MAX)));
        assert_eq!(a.findings, 0);
        let b = part.next().expect("decodes").expect("a deal");
        assert_eq!((b.id, b.owner, b.findings), ("006B", Some((0, "Ana")), 2));
        let f = part.finding().expect("a finding");
        assert_eq!(
            (f.code, f.field, f.streak),
            ((3, "REQ001"), Some((4, "Amount")), 2)
        );
        let f = part.finding().expect("a finding");
        assert_eq!((f.code, f.field, f.streak), ((5, "HYG003"), None, 1));
        let c = part.next().expect("decodes").expect("a deal");
        assert_eq!(c.owner, Some((6, "Bo")));
        assert!(matches!(part.next(), Some(None)));
    }

    #[test]
    fn a_full_part_is_handed_over_and_the_next_starts_afresh() {
        let mut e = Encoder::default();
        let mut parts = Vec::new();
        for i in 0..PART_DEALS + 1 {
            let id = format!("{i}");
            parts.extend(push(&mut e, &deal(&id, Some((1, "Ana"))), &[]));
        }
        parts.extend(e.last());
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].0, PART_DEALS);
        assert_eq!(parts[1].0, 1);
        let mut second = Part::open(&parts[1].1).expect("opens");
        assert_eq!(second.names, ["Ana", "Prospecting", "EUR"]);
        let d = second.next().expect("decodes").expect("a deal");
        assert_eq!(d.id, PART_DEALS.to_string());
    }

    #[test]
    fn damaged_bytes_are_refused_not_misread() {
        let mut e = Encoder::default();
        push(
            &mut e,
            &deal("006A", Some((7, "Ana"))),
            &[(Code::Hyg001, (2, "Stage"), 1)],
        );
        let (_, bytes) = e.last().expect("a part");
        let whole = |b: &[u8]| -> Option<usize> {
            let mut p = Part::open(b)?;
            let mut n = 0;
            while let Some(d) = p.next()? {
                for _ in 0..d.findings {
                    p.finding()?;
                }
                n += 1;
            }
            Some(n)
        };
        assert_eq!(whole(&bytes), Some(1));
        // Every cut short of the whole is refused, and so is a byte left over.
        for cut in 0..bytes.len() {
            assert_eq!(whole(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(whole(&longer), None);
        // Another form's bytes.
        let mut other = bytes.clone();
        other[3] = b'9';
        assert_eq!(whole(&other), None);
        // A name past the part's names: the deal's owner reference (after the magic, the
        // counts, the names, and the deal's file, line, id, name and account).
        let names: usize = ["Ana", "Prospecting", "EUR", "HYG001", "Stage"]
            .iter()
            .map(|s| 1 + s.len())
            .sum();
        let owner_at = 4 + 2 + names + 1 + 2 + 5 + 1 + "Renewal – Ünïcode".len() + 1;
        let mut past = bytes.clone();
        assert_eq!(past[owner_at], 1);
        past[owner_at] = 9;
        assert_eq!(whole(&past), None);
    }
}
