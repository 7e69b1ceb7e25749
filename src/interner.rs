//! Strings seen often, stored once: owners, accounts, forecast categories, stage spellings.
//! Plain data, at the bottom with the deals that hold their ids.

use std::hash::Hasher;

use hashbrown::HashTable;
use rustc_hash::FxHasher;

/// Strings seen often (owners, accounts, forecast categories, unknown stage spellings),
/// stored once. The names live back to back in one buffer; each table entry holds a name's
/// id, place and length, so a lookup reads the table and the name's bytes and nothing else,
/// and interning a new name allocates nothing once the buffers are warm.
#[derive(Clone, Debug, Default)]
pub(crate) struct Interner {
    text: String,
    /// Where each name ends in `text`, by id.
    ends: Vec<usize>,
    /// `(id, start, len)` of each name, found by the name's hash: 12 bytes an entry, so
    /// the table of a worker's ten thousand accounts stays in cache.
    table: HashTable<(u32, u32, u32)>,
}

fn name_hash(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

impl Interner {
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        let hash = name_hash(s);
        let text = self.text.as_bytes();
        let span = |start: u32, len: u32| {
            let start = start as usize;
            text.get(start..start + len as usize)
        };
        let found = self.table.find(hash, |&(_, start, len)| {
            len as usize == s.len() && span(start, len) == Some(s.as_bytes())
        });
        if let Some(&(id, _, _)) = found {
            return id;
        }
        let (id, start) = (self.ends.len() as u32, self.text.len());
        self.text.push_str(s);
        self.ends.push(self.text.len());
        // Past 4 GB of names (never, in practice) a name is kept but not looked up again.
        if let (Ok(start), Ok(len)) = (u32::try_from(start), u32::try_from(s.len())) {
            if u32::try_from(self.text.len()).is_ok() {
                let text = &self.text;
                self.table
                    .insert_unique(hash, (id, start, len), |&(_, start, len)| {
                        let start = start as usize;
                        name_hash(text.get(start..start + len as usize).unwrap_or(""))
                    });
            }
        }
        id
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        let i = id as usize;
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end).unwrap_or("")
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        (0..self.ends.len() as u32).map(|id| (id, self.name(id)))
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_names_come_back_as_given() {
        let mut i = Interner::default();
        let names = ["Acme", "", "Globex", "acme", "Société", "Acme"];
        let ids: Vec<u32> = names.iter().map(|n| i.intern(n)).collect();
        assert_eq!(ids, vec![0, 1, 2, 3, 4, 0]);
        for (n, id) in names.iter().zip(&ids) {
            assert_eq!(i.name(*id), *n);
        }
        assert_eq!(i.name(99), "");
        assert_eq!(i.iter().count(), 5);
    }
}
