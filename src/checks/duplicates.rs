//! DUP001 and DUP002: the same record twice (same id), and probably the same deal twice
//! (two open deals with the same account and folded name).
//!
//! Both remember each key as a 32-bit hash with the index of its first deal (8 bytes a deal,
//! not a copy of every key); a hash match is confirmed by comparing the records themselves,
//! and keys whose hash collides with a different key go to an exact fallback map, so a
//! collision can never produce a false finding or hide a true one.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

/// Where keys were first seen.
#[derive(Default)]
pub struct KeyIndex {
    first: FxHashMap<u32, u32>,
    collided: FxHashMap<String, u32>,
}

pub fn id_hash(id: &str) -> u32 {
    let mut h = FxHasher::default();
    id.hash(&mut h);
    let full = h.finish();
    (full ^ (full >> 32)) as u32
}

impl KeyIndex {
    /// Record deal `deal` whose key hashes to `hash`; returns the first deal with the same
    /// key, if any. `same_as(prev)` compares the keys of `deal` and `prev`; `key()` spells
    /// the key out for the rare collision.
    pub fn insert(
        &mut self,
        hash: u32,
        deal: u32,
        same_as: impl Fn(u32) -> bool,
        key: impl Fn() -> String,
    ) -> Option<u32> {
        match self.first.get(&hash) {
            None => {
                self.first.insert(hash, deal);
                None
            }
            Some(&prev) if same_as(prev) => Some(prev),
            Some(_) => {
                let key = key();
                match self.collided.get(&key) {
                    Some(&prev) => Some(prev),
                    None => {
                        self.collided.insert(key, deal);
                        None
                    }
                }
            }
        }
    }
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
    fn finds_repeats_and_survives_collisions() {
        let ids = ["a", "b", "a", "c"];
        let mut index = KeyIndex::default();
        let mut found = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            found.push(index.insert(
                id_hash(id),
                i as u32,
                |p| ids[p as usize] == *id,
                || id.to_string(),
            ));
        }
        assert_eq!(found, vec![None, None, Some(0), None]);

        // Force a collision: different keys, same hash.
        let ids = ["x", "y", "y"];
        let mut index = KeyIndex::default();
        let mut ins = |i: usize| {
            index.insert(
                7,
                i as u32,
                |p| ids[p as usize] == ids[i],
                || ids[i].to_string(),
            )
        };
        assert_eq!(ins(0), None);
        assert_eq!(ins(1), None);
        assert_eq!(ins(2), Some(1));
    }
}
