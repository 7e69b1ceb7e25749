//! DUP001 and DUP002: the same record twice (same id), and probably the same deal twice
//! (two open deals with the same account and folded name).
//!
//! Both remember each key as a 32-bit hash with the index of its first deal (8 bytes a deal,
//! not a copy of every key); a hash match is confirmed by comparing the records themselves,
//! and keys whose hash collides with a different key go to an exact fallback map, so a
//! collision can never produce a false finding or hide a true one.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;

/// Records with the same key, earliest first: given every deal's `(hash, deal)` and a way
/// to compare two deals' exact keys, the `(deal, first)` pairs for each deal whose key an
/// earlier deal already had, sorted by deal.
///
/// One parallel sort groups equal hashes; within each (normally one-deal) run the exact keys
/// decide, so a hash collision can neither invent a duplicate nor hide one. Cheaper than a
/// hash table of a million keys probed at random, and it needs no table at all.
pub fn repeats(keys: Vec<(u32, u32)>, same: impl Fn(u32, u32) -> bool + Sync) -> Vec<(u32, u32)> {
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

pub fn id_hash(id: &str) -> u32 {
    let mut h = FxHasher::default();
    id.hash(&mut h);
    let full = h.finish();
    (full ^ (full >> 32)) as u32
}

/// Where an earlier record is, for a message: "line 12" or "other.csv line 12".
pub fn place(first_file: &str, first_line: u64, same_file: bool) -> String {
    if same_file {
        format!("line {first_line}")
    } else {
        format!("{first_file} line {first_line}")
    }
}

pub fn dup001_message(id: &str, first: &str) -> String {
    format!(
        "id {} already appears on {first}; remove the duplicate row",
        super::values::quote(id)
    )
}

pub fn dup002_message(account: &str, name: &str, first: &str) -> String {
    format!(
        "probably the same deal as {first} ({account}: {}); merge them or close one",
        super::values::quote(name)
    )
}

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
}
