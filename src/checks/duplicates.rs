//! DUP001 and DUP002: the same record twice (same id), and probably the same deal twice
//! (two open deals with the same account and folded name).
//!
//! Both remember each key as a 32-bit hash with the index of its deal (8 bytes a deal, not
//! a copy of every key); once every file is read, one parallel sort groups equal hashes and
//! the records themselves decide, so a hash collision can neither invent a duplicate nor
//! hide one.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;

use super::{CheckDoc, WordContext, Wording};
use crate::deal::{Deal, DealStore, Interner};
use crate::diag::{About, Code, Finding, FindingSink, Message, Says};
use crate::facts::mapping::FieldTable;
use crate::field::Canonical;
use crate::values::Placeholders;
use crate::values::normalize_name;
use crate::words::quote;

pub(crate) const CHECKS: &[CheckDoc] = &[
    CheckDoc {
        code: Code::Dup001,
        explanation: DUP001,
        prompt: None,
        wording: Wording::Derived(word_dup001),
    },
    CheckDoc {
        code: Code::Dup002,
        explanation: DUP002,
        prompt: Some("Is this the same opportunity as the other one? Which should stay open?"),
        wording: Wording::Derived(word_dup002),
    },
];

/// Per-batch buffers for folding names.
#[derive(Default)]
pub(crate) struct FoldScratch {
    /// Hash of each account's folded name, by the batch's account interner id.
    folded_accounts: Vec<Option<u64>>,
    /// The folded text being hashed, and a buffer for folding text that is not ASCII.
    bytes: Vec<u8>,
    text: String,
}

/// What duplicate detection keeps of one deal until every file is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DupKeys {
    /// Hash of its id (DUP001); `None` when it has none (or a placeholder: "N/A" must not
    /// make every such record a duplicate).
    pub(crate) id: Option<u32>,
    /// Hash of its folded account and name (DUP002), for open deals that name both.
    pub(crate) deal: Option<u32>,
}

/// What a deal is known by, for duplicate detection.
pub(crate) struct DealNames<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) account: &'a str,
    /// The account's id in the batch's account interner.
    pub(crate) account_id: Option<u32>,
    pub(crate) open: bool,
}

/// The keys of one deal.
pub(crate) fn keys(
    names: &DealNames<'_>,
    placeholders: &Placeholders,
    scratch: &mut FoldScratch,
) -> DupKeys {
    let id = (!placeholders.is_missing(names.id)).then(|| id_hash(names.id));
    // Only real names count: a placeholder or punctuation ("N/A", "---") names no deal.
    let names_something =
        |s: &str| !placeholders.is_missing(s) && s.chars().any(char::is_alphanumeric);
    let deal = match names.account_id {
        Some(account)
            if names.open && names_something(names.account) && names_something(names.name) =>
        {
            // Accounts recur: fold each once per batch.
            let i = account as usize;
            if scratch.folded_accounts.len() <= i {
                scratch.folded_accounts.resize(i + 1, None);
            }
            let account_hash = match scratch.folded_accounts[i] {
                Some(h) => h,
                None => {
                    let h = folded_hash(names.account, scratch);
                    scratch.folded_accounts[i] = Some(h);
                    h
                }
            };
            let full = account_hash.rotate_left(17) ^ folded_hash(names.name, scratch);
            Some((full ^ (full >> 32)) as u32)
        }
        _ => None,
    };
    DupKeys { id, deal }
}

/// DUP001 (same id) and DUP002 (same open deal, not already a DUP001), once every deal is
/// read: `id_keys` and `deal_keys` hold every deal's `(hash, deal)`. Findings are pushed in
/// deal order; each names the earlier deal (its payload) and is worded when shown.
pub(crate) fn check(
    deals: &DealStore,
    id_keys: KeyBuckets,
    deal_keys: KeyBuckets,
    table: &FieldTable,
    sink: &mut FindingSink<'_>,
) {
    let id_of = |d: u32| deals.get(d as usize).map_or("", |d| deals.id(d));
    let same_id = if sink.enabled(Code::Dup001) || sink.enabled(Code::Dup002) {
        Candidates::of(id_keys).confirm(|d, key, _| key.extend_from_slice(id_of(d).as_bytes()))
    } else {
        Vec::new()
    };
    let mut found: Vec<(u32, Code, u32)> = Vec::new();
    if sink.enabled(Code::Dup001) {
        found.extend(same_id.iter().map(|&(d, first)| (d, Code::Dup001, first)));
    }
    if sink.enabled(Code::Dup002) {
        // A repeated row is DUP001's; DUP002 is for the same deal entered twice. Repeats
        // stay among the keys (a later deal may match one of them) but get no DUP002.
        let mut repeated = vec![0u64; deals.len().div_ceil(64)];
        for &(d, _) in &same_id {
            repeated[d as usize / 64] |= 1 << (d % 64);
        }
        let is_repeat = |d: u32| repeated[d as usize / 64] & (1 << (d % 64)) != 0;
        // A deal's exact key: its account's class (accounts that fold alike share one,
        // each folded once) and its folded name, written once per deal in a run of equal
        // hashes (normally a real duplicate), then compared.
        let candidates = Candidates::of(deal_keys);
        let classes = account_classes(deals, &candidates.members);
        let same_deal = candidates.confirm(|d, key, text| {
            if let Some(d) = deals.get(d as usize) {
                let class = deals
                    .account_id(d)
                    .and_then(|a| classes.get(a as usize).copied())
                    .unwrap_or(u32::MAX);
                key.extend_from_slice(&class.to_le_bytes());
                fold_into(deals.name(d), key, text);
            }
        });
        found.extend(
            same_deal
                .iter()
                .filter(|&&(d, _)| !is_repeat(d))
                .map(|&(d, first)| (d, Code::Dup002, first)),
        );
    }
    found.sort_unstable();
    let field = |code: Code| match code {
        Code::Dup001 => table.canonical(Canonical::Id),
        _ => table.canonical(Canonical::Name),
    };
    for (deal, code, first) in found {
        sink.push(code, None, About::Deal(deal), Some(field(code)), || {
            Says::Derived(first)
        });
    }
}

/// Every deal's key hash, with the deal, as deals are merged: packed as `hash << 32 | deal`
/// (one integer compare per step of a sort) in 256 buckets by the hash's top byte, so that
/// the end of the audit sorts small buckets, each in cache, instead of one long list.
#[derive(Debug, Default)]
pub(crate) struct KeyBuckets(Vec<Vec<u64>>);

impl KeyBuckets {
    pub(crate) fn push(&mut self, hash: u32, deal: u32) {
        if self.0.is_empty() {
            self.0 = vec![Vec::new(); 256];
        }
        if let Some(bucket) = self.0.get_mut((hash >> 24) as usize) {
            bucket.push(u64::from(hash) << 32 | u64::from(deal));
        }
    }
}

impl FromIterator<(u32, u32)> for KeyBuckets {
    fn from_iter<I: IntoIterator<Item = (u32, u32)>>(keys: I) -> KeyBuckets {
        let mut buckets = KeyBuckets::default();
        for (hash, deal) in keys {
            buckets.push(hash, deal);
        }
        buckets
    }
}

/// The deals whose key hash an other deal shares, run by run: the candidates for being
/// duplicates, which their exact keys then confirm or not.
struct Candidates {
    /// The deals of runs of two or more equal hashes, run after run, each run in deal order.
    members: Vec<u32>,
    /// Where each run starts in `members`, and where the last ends.
    runs: Vec<usize>,
}

impl Candidates {
    /// Sorting the buckets (in parallel, each small enough to sort in cache) groups equal
    /// hashes; buckets in order are all the keys in hash order.
    fn of(keys: KeyBuckets) -> Candidates {
        use rayon::prelude::*;
        let mut buckets = keys.0;
        buckets.par_iter_mut().for_each(|b| b.sort_unstable());
        let mut members: Vec<u32> = Vec::new();
        let mut runs: Vec<usize> = vec![0];
        for bucket in &buckets {
            for run in bucket.chunk_by(|a, b| a >> 32 == b >> 32) {
                if run.len() > 1 {
                    members.extend(run.iter().map(|k| *k as u32));
                    runs.push(members.len());
                }
            }
        }
        Candidates { members, runs }
    }

    /// Records with the same exact key, earliest first: given a way to write a deal's exact
    /// key, the `(deal, first)` pairs for each deal whose key an earlier deal already had,
    /// sorted by deal.
    ///
    /// Exact keys are written only for the candidates, in deal order so that the deals'
    /// text is read front to back, not at random; within each run the exact keys decide,
    /// so a hash collision can neither invent a duplicate nor hide one.
    fn confirm(self, key_into: impl Fn(u32, &mut Vec<u8>, &mut String) + Sync) -> Vec<(u32, u32)> {
        use rayon::prelude::*;
        let Candidates { members, runs } = self;
        // Their exact keys, written in parallel pieces, each piece in deal order.
        let mut by_deal: Vec<(u32, u32)> = members
            .iter()
            .enumerate()
            .map(|(i, &d)| (d, i as u32))
            .collect();
        by_deal.par_sort_unstable();
        let pieces: Vec<KeyPiece> = by_deal
            .par_chunks(1 << 14)
            .map(|chunk| {
                let (mut text, mut scratch) = (Vec::new(), String::new());
                let mut spans = Vec::with_capacity(chunk.len());
                for &(deal, member) in chunk {
                    let start = text.len();
                    key_into(deal, &mut text, &mut scratch);
                    spans.push((member, start, text.len()));
                }
                KeyPiece { text, spans }
            })
            .collect();
        drop(by_deal);
        // Where each member's key is: its piece and span.
        let mut at = vec![(0usize, 0usize, 0usize); members.len()];
        for (p, piece) in pieces.iter().enumerate() {
            for &(member, start, end) in &piece.spans {
                at[member as usize] = (p, start, end);
            }
        }
        let key = |i: usize| {
            let (p, start, end) = at[i];
            pieces[p].text.get(start..end).unwrap_or(&[])
        };
        let mut out = Vec::new();
        let mut firsts: Vec<usize> = Vec::new();
        for run in runs.windows(2) {
            // Distinct keys of this run, by their first deal.
            firsts.clear();
            for i in run[0]..run[1] {
                match firsts.iter().find(|&&f| key(f) == key(i)) {
                    Some(&f) => out.push((members[i], members[f])),
                    None => firsts.push(i),
                }
            }
        }
        out.sort_unstable();
        out
    }
}

/// The class of each account the `members` name, by account id (`u32::MAX` for accounts
/// not looked at): accounts whose names fold alike ("Acme, Inc." and "ACME Inc") share a
/// class. Each account is folded once, however many deals name it: every account in turn
/// when there are fewer accounts than members (reading the names front to back), else the
/// members' accounts.
fn account_classes(deals: &DealStore, members: &[u32]) -> Vec<u32> {
    let mut folded = Interner::default();
    let (mut bytes, mut text) = (Vec::new(), String::new());
    let accounts = deals.accounts.len();
    if accounts <= members.len() {
        return (0..accounts as u32)
            .map(|a| class_of(deals, a, &mut folded, &mut bytes, &mut text))
            .collect();
    }
    let mut classes: Vec<u32> = Vec::new();
    for &m in members {
        let Some(account) = deals.get(m as usize).and_then(|d| deals.account_id(d)) else {
            continue;
        };
        let a = account as usize;
        if classes.len() <= a {
            classes.resize(a + 1, u32::MAX);
        }
        if classes[a] == u32::MAX {
            classes[a] = class_of(deals, account, &mut folded, &mut bytes, &mut text);
        }
    }
    classes
}

/// The class of account `account`: its folded name's id in `folded`.
fn class_of(
    deals: &DealStore,
    account: u32,
    folded: &mut Interner,
    bytes: &mut Vec<u8>,
    text: &mut String,
) -> u32 {
    bytes.clear();
    fold_into(deals.accounts.name(account), bytes, text);
    // Folded text is ASCII or the normalised (UTF-8) text.
    folded.intern(std::str::from_utf8(bytes).unwrap_or(""))
}

/// The exact keys of one piece of deals: their bytes end to end, and where each member's is.
struct KeyPiece {
    text: Vec<u8>,
    /// (member, start, end) into `text`.
    spans: Vec<(u32, usize, usize)>,
}

fn id_hash(id: &str) -> u32 {
    let mut h = FxHasher::default();
    id.hash(&mut h);
    let full = h.finish();
    (full ^ (full >> 32)) as u32
}

/// The earlier deal a duplicate finding names (its payload).
fn first_of<'a>(f: &Finding, ctx: &WordContext<'a>) -> Option<&'a Deal> {
    match f.message {
        Message::Derived(first) => ctx.deals.get(first as usize),
        Message::Stored(_) => None,
    }
}

fn word_dup001(f: &Finding, deal: &Deal, ctx: &WordContext<'_>) -> String {
    let Some(first) = first_of(f, ctx) else {
        return String::new();
    };
    format!(
        "id {} already appears on {}; remove the duplicate row",
        quote(ctx.deals.id(deal)),
        ctx.place(first, deal)
    )
}

fn word_dup002(f: &Finding, deal: &Deal, ctx: &WordContext<'_>) -> String {
    let Some(first) = first_of(f, ctx) else {
        return String::new();
    };
    format!(
        "probably the same deal as {} ({}: {}); merge them or close one",
        ctx.place(first, deal),
        ctx.deals.account(first),
        quote(ctx.deals.name(first))
    )
}

/// Each byte as [`normalize_name`](crate::values::normalize_name) folds it: letters lower-cased, digits kept, anything
/// else 0 (a separator).
const FOLD: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        if b.is_ascii_alphanumeric() {
            table[i] = b.to_ascii_lowercase();
        }
        i += 1;
    }
    table
};

/// Append `s` as [`normalize_name`](crate::values::normalize_name) folds it to `out` (`text` is a buffer for text that
/// is not ASCII).
fn fold_into(s: &str, out: &mut Vec<u8>, text: &mut String) {
    if !s.is_ascii() {
        normalize_name(s, text);
        out.extend_from_slice(text.as_bytes());
        return;
    }
    // Folded text is never longer than the text: each run of separators becomes at most
    // one space. Written into room made first, then cut to length.
    let start = out.len();
    out.resize(start + s.len(), 0);
    let buf = &mut out[start..];
    let (mut n, mut gap) = (0, false);
    for &b in s.as_bytes() {
        let f = FOLD[usize::from(b)];
        if f == 0 {
            gap = true;
            continue;
        }
        if gap && n > 0 {
            buf[n] = b' ';
            n += 1;
        }
        gap = false;
        buf[n] = f;
        n += 1;
    }
    out.truncate(start + n);
}

/// Hash of `s` as [`normalize_name`](crate::values::normalize_name) folds it.
fn folded_hash(s: &str, scratch: &mut FoldScratch) -> u64 {
    scratch.bytes.clear();
    fold_into(s, &mut scratch.bytes, &mut scratch.text);
    let mut h = FxHasher::default();
    h.write(&scratch.bytes);
    h.finish()
}

const DUP001: &str = "\
What it checks
  Record ids are unique across the audited files (compared exactly, after trimming).

Why it matters
  A duplicated id double-counts pipeline and usually means two exports were concatenated or a
  sync ran twice.

Example
  Line 40 repeats the id of line 12:
    DUP001 line 40 field id: id `0061x00000AbCdE` already appears on line 12

How to fix
  Remove the duplicate rows or re-export. The finding is on the later record; the first
  occurrence is named.

Configuration
  [columns] id = \"…\"; [checks] DUP001 = ... .";

const DUP002: &str = "\
What it checks
  Two open deals with the same account and the same name once case, punctuation and spacing
  are folded (\"Acme - Renewal 2027\" and \"ACME renewal, 2027\").

Why it matters
  A deal entered twice doubles its amount in the forecast, and two reps may be working it.

Example
  Line 12 \"Globex — Expansion\" and line 31 \"globex expansion\", both open, account Globex:
    DUP002 line 31 field name: probably the same deal as line 12 (Globex: \"Globex — Expansion\");
    merge them or close one

How to fix
  Merge the two opportunities in the CRM, or rename one if they are really different.

Configuration
  Only open deals with an account are compared. [checks] DUP002 = \"error\" | \"off\".";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_wins_and_collisions_are_settled_by_the_keys() {
        let ids = ["a", "b", "a", "c", "a"];
        let keys = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id_hash(id), i as u32))
            .collect();
        let found = Candidates::of(keys)
            .confirm(|x, key, _| key.extend_from_slice(ids[x as usize].as_bytes()));
        assert_eq!(found, vec![(2, 0), (4, 0)]);

        // Force collisions: every key hashes to 7.
        let ids = ["x", "y", "y", "x", "z"];
        let keys = (0..ids.len() as u32).map(|i| (7, i)).collect();
        let found = Candidates::of(keys)
            .confirm(|x, key, _| key.extend_from_slice(ids[x as usize].as_bytes()));
        assert_eq!(found, vec![(2, 1), (3, 0)]);
    }

    #[test]
    fn accounts_that_fold_alike_share_a_class() {
        let mut deals = DealStore::default();
        let a = deals.accounts.intern("Acme, Inc.");
        let b = deals.accounts.intern("ACME inc");
        let c = deals.accounts.intern("Globex");
        let mut folded = Interner::default();
        let (mut bytes, mut text) = (Vec::new(), String::new());
        let mut class = |id| class_of(&deals, id, &mut folded, &mut bytes, &mut text);
        let (ca, cb, cc) = (class(a), class(b), class(c));
        assert_eq!(ca, cb);
        assert_ne!(ca, cc);
    }

    #[test]
    fn folded_hash_agrees_with_folded_text() {
        let mut scratch = FoldScratch::default();
        let mut hash = |s: &str| folded_hash(s, &mut scratch);
        for (a, b) in [
            ("Acme - Renewal, 2027", "  ACME renewal 2027. "),
            ("Globex Expansion", "globex   expansion"),
            ("Société  Générale", "société générale"),
        ] {
            assert_eq!(hash(a), hash(b));
            let mut folded = String::new();
            normalize_name(a, &mut folded);
            assert_eq!(hash(a), hash(&folded));
        }
        assert_ne!(hash("acme renewal"), hash("acme renewals"));
        let (mut out, mut text) = (Vec::new(), String::new());
        fold_into("--Acme, Inc.--", &mut out, &mut text);
        assert_eq!(out, b"acme inc");
    }

    #[test]
    fn names_fold_case_punctuation_and_spacing() {
        let mut a = String::new();
        let mut b = String::new();
        normalize_name("Acme - Renewal, 2027", &mut a);
        normalize_name("  ACME renewal 2027. ", &mut b);
        assert_eq!(a, "acme renewal 2027");
        assert_eq!(a, b);
        normalize_name("Globex — Expansion", &mut a);
        assert_eq!(a, "globex expansion");
        normalize_name("Société Générale  SA", &mut a);
        assert_eq!(a, "société générale sa");
    }
}
