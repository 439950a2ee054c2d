//! Keys kept once and numbered in the order first seen, and the key by
//! which a host's finding is found again whole.

use std::hash::{Hash, Hasher};

use acsready_assess::Finding;
use foldhash::fast::RandomState;
use indexmap::{Equivalent, IndexMap, IndexSet};

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

/// The number of each distinct finding entered, by the whole finding (its
/// texts, parameters and evidence): a finding seen before is found again by
/// one lookup, without entering its texts one by one.
pub(super) type Found = IndexMap<Whole, u32, RandomState>;

/// A finding as a key of [`Found`].
pub(super) struct Whole(Finding);

impl Whole {
    pub(super) fn of(f: &Finding) -> Self {
        Whole(f.clone())
    }
}

/// A finding to look up in [`Found`] without copying it.
pub(super) struct ByRef<'a>(pub(super) &'a Finding);

fn hash_finding<H: Hasher>(f: &Finding, state: &mut H) {
    f.code.hash(state);
    f.severity.hash(state);
    f.title.hash(state);
    f.remediation.hash(state);
    f.params.hash(state);
    state.write_usize(f.evidence.len());
    for e in &f.evidence {
        e.fact.hash(state);
        e.value.hash(state);
        e.source.hash(state);
    }
}

impl Hash for Whole {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_finding(&self.0, state);
    }
}

impl Hash for ByRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_finding(self.0, state);
    }
}

impl PartialEq for Whole {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Whole {}

impl Equivalent<Whole> for ByRef<'_> {
    fn equivalent(&self, key: &Whole) -> bool {
        *self.0 == key.0
    }
}
