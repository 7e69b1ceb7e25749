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
use crate::deal::{Deal, DealStore};
use crate::diag::{About, Code, Finding, FindingSink, Message, Says};
use crate::field::Canonical;
use crate::input::mapping::FieldTable;
use crate::values::Placeholders;
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
    fold_a: String,
    fold_b: String,
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
            let folded = &mut scratch.folded_accounts;
            let i = account as usize;
            if folded.len() <= i {
                folded.resize(i + 1, None);
            }
            let account_hash = *folded[i]
                .get_or_insert_with(|| folded_hash_any(names.account, &mut scratch.fold_a));
            let full =
                account_hash.rotate_left(17) ^ folded_hash_any(names.name, &mut scratch.fold_b);
            Some((full ^ (full >> 32)) as u32)
        }
        _ => None,
    };
    DupKeys { id, deal }
}

/// DUP001 (same id) and DUP002 (same open deal, not already a DUP001), once every deal is
/// read: `id_keys` and `deal_keys` are every deal's `(hash, deal)`. Findings are pushed in
/// deal order; each names the earlier deal (its payload) and is worded when shown.
pub(crate) fn check(
    deals: &DealStore,
    id_keys: Vec<(u32, u32)>,
    deal_keys: Vec<(u32, u32)>,
    table: &FieldTable,
    sink: &mut FindingSink<'_>,
) {
    let id_of = |d: u32| deals.get(d as usize).map_or("", |d| deals.id(d));
    let same_id = if sink.enabled(Code::Dup001) || sink.enabled(Code::Dup002) {
        repeats(id_keys, |a, b| id_of(a) == id_of(b))
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
        let folded = |d: u32| -> String {
            let Some(d) = deals.get(d as usize) else {
                return String::new();
            };
            let (mut a, mut b) = (String::new(), String::new());
            normalize_name(deals.account(d), &mut a);
            normalize_name(deals.name(d), &mut b);
            a.push('\u{0}');
            a.push_str(&b);
            a
        };
        let same_deal = repeats(deal_keys, |a, b| folded(a) == folded(b));
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

/// Records with the same key, earliest first: given every deal's `(hash, deal)` and a way
/// to compare two deals' exact keys, the `(deal, first)` pairs for each deal whose key an
/// earlier deal already had, sorted by deal.
///
/// One parallel sort groups equal hashes; within each (normally one-deal) run the exact keys
/// decide, so a hash collision can neither invent a duplicate nor hide one. Cheaper than a
/// hash table of a million keys probed at random, and it needs no table at all.
fn repeats(keys: Vec<(u32, u32)>, same: impl Fn(u32, u32) -> bool + Sync) -> Vec<(u32, u32)> {
    use rayon::prelude::*;
    // Packed as hash << 32 | deal: one integer compare per step of the sort.
    let mut packed: Vec<u64> = keys
        .into_iter()
        .map(|(hash, deal)| u64::from(hash) << 32 | u64::from(deal))
        .collect();
    packed.par_sort_unstable();
    let mut out = Vec::new();
    let mut firsts: Vec<u32> = Vec::new();
    for run in packed.chunk_by(|a, b| a >> 32 == b >> 32) {
        if run.len() < 2 {
            continue;
        }
        // Distinct keys of this run, by their first deal (runs are in deal order).
        firsts.clear();
        for deal in run.iter().map(|k| *k as u32) {
            match firsts.iter().find(|&&first| same(first, deal)) {
                Some(&first) => out.push((deal, first)),
                None => firsts.push(deal),
            }
        }
    }
    out.sort_unstable();
    out
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

/// DUP002's notion of "the same name": lower case, letters and digits only, words separated
/// by single spaces ("Acme - Renewal, 2027" → "acme renewal 2027"). Written into `out`.
pub(crate) fn normalize_name(s: &str, out: &mut String) {
    out.clear();
    let mut gap = false;
    if s.is_ascii() {
        // The common case, byte by byte.
        for &b in s.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if gap && !out.is_empty() {
                    out.push(' ');
                }
                gap = false;
                out.push(char::from(b.to_ascii_lowercase()));
            } else {
                gap = true;
            }
        }
        return;
    }
    for c in s.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
}

/// Hash of `s` as [`normalize_name`] folds it, without building the folded text (ASCII;
/// `None` for other text, which takes the slower path).
pub(crate) fn folded_hash(s: &str) -> Option<u64> {
    use std::hash::Hasher;
    if !s.is_ascii() {
        return None;
    }
    let mut h = rustc_hash::FxHasher::default();
    let (mut word, mut n, mut gap, mut any) = (0u64, 0u32, false, false);
    let mut push = |b: u8, h: &mut rustc_hash::FxHasher| {
        word |= u64::from(b) << (8 * n);
        n += 1;
        if n == 8 {
            h.write_u64(word);
            word = 0;
            n = 0;
        }
    };
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() {
            if gap && any {
                push(b' ', &mut h);
            }
            push(b.to_ascii_lowercase(), &mut h);
            gap = false;
            any = true;
        } else {
            gap = true;
        }
    }
    h.write_u64(word);
    h.write_u32(n);
    Some(h.finish())
}

/// Hash of the folded text, for any text.
pub(crate) fn folded_hash_any(s: &str, scratch: &mut String) -> u64 {
    folded_hash(s).unwrap_or_else(|| {
        normalize_name(s, scratch);
        // Folded non-ASCII text hashes through the same word scheme when it folds to ASCII.
        folded_hash(scratch).unwrap_or_else(|| {
            use std::hash::{Hash, Hasher};
            let mut h = rustc_hash::FxHasher::default();
            scratch.hash(&mut h);
            h.finish()
        })
    })
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
        let found = repeats(keys, |x, y| ids[x as usize] == ids[y as usize]);
        assert_eq!(found, vec![(2, 0), (4, 0)]);

        // Force collisions: every key hashes to 7.
        let ids = ["x", "y", "y", "x", "z"];
        let keys = (0..ids.len() as u32).map(|i| (7, i)).collect();
        let found = repeats(keys, |x, y| ids[x as usize] == ids[y as usize]);
        assert_eq!(found, vec![(2, 1), (3, 0)]);
    }

    #[test]
    fn folded_hash_agrees_with_folded_text() {
        let mut buf = String::new();
        for (a, b) in [
            ("Acme - Renewal, 2027", "  ACME renewal 2027. "),
            ("Globex Expansion", "globex   expansion"),
        ] {
            assert_eq!(folded_hash(a), folded_hash(b));
            normalize_name(a, &mut buf);
            assert_eq!(folded_hash(a), folded_hash(&buf.clone()));
        }
        assert_ne!(folded_hash("acme renewal"), folded_hash("acme renewals"));
        assert_eq!(folded_hash("Société"), None);
        let mut s = String::new();
        assert_eq!(
            folded_hash_any("Société  Générale", &mut s),
            folded_hash_any("société générale", &mut s)
        );
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
