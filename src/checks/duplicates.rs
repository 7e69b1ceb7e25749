//! DUP001: a record id that appears more than once across the audited files.
//!
//! Ids are remembered as 32-bit hashes with the index of their first deal (8 bytes a deal,
//! not a copy of every id); a hash match is confirmed by comparing the ids themselves, and
//! ids whose hash collides with a different id go to an exact fallback map, so a collision
//! can never produce a false finding or hide a true one.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

/// Where ids were first seen.
#[derive(Default)]
pub struct IdIndex {
    first: FxHashMap<u32, u32>,
    /// Ids whose hash collided with a different id: exact map as a fallback.
    collided: FxHashMap<String, u32>,
}

pub fn id_hash(id: &str) -> u32 {
    let mut h = FxHasher::default();
    id.hash(&mut h);
    let full = h.finish();
    (full ^ (full >> 32)) as u32
}

impl IdIndex {
    /// Record deal `deal` with `id` (hash `hash`); returns the first deal that had the same
    /// id, if any. `id_of` reads a previous deal's id.
    pub fn insert<'a>(
        &mut self,
        id: &str,
        hash: u32,
        deal: u32,
        id_of: impl Fn(u32) -> &'a str,
    ) -> Option<u32> {
        match self.first.get(&hash) {
            None => {
                self.first.insert(hash, deal);
                None
            }
            Some(&prev) if id_of(prev) == id => Some(prev),
            Some(_) => match self.collided.get(id) {
                Some(&prev) => Some(prev),
                None => {
                    self.collided.insert(id.to_string(), deal);
                    None
                }
            },
        }
    }
}

pub fn message(id: &str, first_file: &str, first_line: u64, same_file: bool) -> String {
    let id = super::values::quote(id);
    if same_file {
        format!("id {id} already appears on line {first_line}; remove the duplicate row")
    } else {
        format!(
            "id {id} already appears in {first_file} line {first_line}; remove the duplicate row"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_repeats_and_survives_collisions() {
        let ids = ["a", "b", "a", "c"];
        let mut index = IdIndex::default();
        let mut found = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            found.push(index.insert(id, id_hash(id), i as u32, |d| ids[d as usize]));
        }
        assert_eq!(found, vec![None, None, Some(0), None]);

        // Force a collision: different ids, same hash.
        let ids = ["x", "y", "y"];
        let mut index = IdIndex::default();
        assert_eq!(index.insert("x", 7, 0, |d| ids[d as usize]), None);
        assert_eq!(index.insert("y", 7, 1, |d| ids[d as usize]), None);
        assert_eq!(index.insert("y", 7, 2, |d| ids[d as usize]), Some(1));
    }
}
