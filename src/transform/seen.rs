//! Per-slice dedupe of conversation ids.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, DefaultHasher, Hasher};

/// Conversation ids already written in the current slice.
///
/// Stores a 128-bit hash per id instead of the id itself: 16 bytes plus table
/// overhead per id, so a slice with a million conversations costs tens of MB,
/// not hundreds. At 128 bits a false "duplicate" is astronomically unlikely
/// (about 1e-27 for a million ids).
#[derive(Debug, Default, Clone)]
pub struct SeenIds {
    set: HashSet<u128, BuildHasherDefault<PassThrough>>,
}

impl SeenIds {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `id`; returns false when it was already present.
    pub fn insert(&mut self, id: &str) -> bool {
        self.set.insert(fingerprint(id))
    }

    /// Like [`SeenIds::insert`], returning the stored key when `id` was new,
    /// so a caller that abandons its work can [`SeenIds::forget`] it again.
    pub(crate) fn insert_undoable(&mut self, id: &str) -> Option<u128> {
        let fp = fingerprint(id);
        self.set.insert(fp).then_some(fp)
    }

    /// Removes a key returned by [`SeenIds::insert_undoable`].
    pub(crate) fn forget(&mut self, key: u128) {
        self.set.remove(&key);
    }

    /// True when `id` was recorded.
    pub fn contains(&self, id: &str) -> bool {
        self.set.contains(&fingerprint(id))
    }

    /// Number of distinct ids recorded.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// True when no id was recorded.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

/// Two independent SipHash-1-3 passes (fixed keys: `DefaultHasher::new` is
/// deterministic within a build, which is all an in-memory set needs).
fn fingerprint(id: &str) -> u128 {
    let mut a = DefaultHasher::new();
    a.write(id.as_bytes());
    let mut b = DefaultHasher::new();
    b.write_u8(0xa5);
    b.write(id.as_bytes());
    ((a.finish() as u128) << 64) | b.finish() as u128
}

/// The keys are already uniform hashes; hashing them again would be waste.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only reached if a non-u128 key is ever used; stay correct anyway.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = v as u64 ^ (v >> 64) as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_ids() {
        let mut s = SeenIds::new();
        assert!(s.insert("a"));
        assert!(!s.insert("a"));
        assert!(s.insert("b"));
        assert!(s.contains("b") && !s.contains("c"));
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn hundred_thousand_distinct_ids_stay_distinct() {
        let mut s = SeenIds::new();
        for i in 0..100_000 {
            assert!(s.insert(&format!("c0ffee00-0000-4000-8000-{i:012}")));
        }
        assert_eq!(s.len(), 100_000);
    }
}
