//! Keys kept once and numbered in the order first seen.

use std::hash::Hash;

use foldhash::fast::RandomState;
use indexmap::{Equivalent, IndexSet};

/// Keys (texts, or rows of indices) kept once, numbered in the order first
/// seen.
pub(super) struct Table<K> {
    keys: IndexSet<K, RandomState>,
}

impl<K> Default for Table<K> {
    fn default() -> Self {
        Table {
            keys: IndexSet::default(),
        }
    }
}

/// A position in a table as the page numbers it (more than 4 billion
/// distinct entries cannot be embedded in a page anyway).
fn number(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl<K: Hash + Eq> Table<K> {
    /// The number of `key`, and whether it is new.
    pub(super) fn id<Q>(&mut self, key: &Q) -> (u32, bool)
    where
        Q: Hash + Equivalent<K> + ?Sized + ToOwned,
        Q::Owned: Into<K>,
    {
        if let Some(i) = self.keys.get_index_of(key) {
            return (number(i), false);
        }
        let (i, new) = self.keys.insert_full(key.to_owned().into());
        (number(i), new)
    }

    /// The key numbered `i`.
    pub(super) fn get(&self, i: u32) -> Option<&K> {
        self.keys.get_index(i as usize)
    }

    /// The keys, in the order of their numbers.
    pub(super) fn iter(&self) -> impl Iterator<Item = &K> {
        self.keys.iter()
    }
}
