//! Values remembered for equal inputs, within a budget of bytes: the
//! letters of a batch share most paragraphs, most pages but the first, the
//! fonts and the signature.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use rustc_hash::FxHasher;

/// Values by key, found by the key's hash, then by equality. Bounded in
/// bytes: a value that would pass the budget empties it first (which costs
/// only the work done again), and a value larger than a quarter of the
/// budget is not kept at all, so one huge input cannot hold memory.
#[derive(Debug)]
pub struct Memo<K, V> {
    entries: HashMap<u64, Vec<(K, V)>, BuildHasherDefault<FxHasher>>,
    bytes: usize,
    budget: usize,
}

impl<K, V: Clone> Memo<K, V> {
    /// An empty memo holding values of up to `budget` bytes in all.
    pub fn new(budget: usize) -> Self {
        Memo {
            entries: HashMap::default(),
            bytes: 0,
            budget,
        }
    }

    /// The value of the key that hashes to `hash` and that `is` accepts.
    pub fn get(&self, hash: u64, is: impl Fn(&K) -> bool) -> Option<V> {
        let entries = self.entries.get(&hash)?;
        entries.iter().find(|(k, _)| is(k)).map(|(_, v)| v.clone())
    }

    /// Keeps `value` under `key` (which hashes to `hash`); `bytes` is what
    /// the two hold.
    pub fn insert(&mut self, hash: u64, key: K, value: V, bytes: usize) {
        if bytes > self.budget / 4 {
            return;
        }
        if self.bytes + bytes > self.budget {
            self.clear();
        }
        self.entries.entry(hash).or_default().push((key, value));
        self.bytes += bytes;
    }

    /// Forgets every value.
    pub fn clear(&mut self) {
        self.entries = HashMap::default();
        self.bytes = 0;
    }

    /// The bytes held, as told to [`Memo::insert`].
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

/// The hash a [`Memo`] files `value` under: FxHash, fast on the kilobytes
/// of a page's content. Not meant to resist chosen collisions, which only
/// make a lookup compare more keys.
pub fn hash(value: &impl Hash) -> u64 {
    let mut hasher = FxHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_and_tells_equal_hashes_apart() {
        let mut memo: Memo<String, usize> = Memo::new(800);
        memo.insert(1, "abc".into(), 3, 10);
        assert_eq!(memo.get(1, |k| k == "abc"), Some(3));
        // Same hash, other key: not confused.
        assert_eq!(memo.get(1, |k| k == "abcdef"), None);
        memo.insert(1, "abcdef".into(), 6, 10);
        assert_eq!(memo.get(1, |k| k == "abcdef"), Some(6));
        assert_eq!(memo.bytes(), 20);
    }

    #[test]
    fn stays_within_its_budget_and_keeps_no_huge_value() {
        let mut memo: Memo<u64, u64> = Memo::new(800);
        for key in 0..30 {
            memo.insert(key, key, key, 90);
            assert!(memo.bytes() <= 800);
        }
        assert_eq!(memo.get(29, |k| *k == 29), Some(29));
        memo.insert(99, 99, 99, 201);
        assert_eq!(memo.get(99, |k| *k == 99), None);
        memo.clear();
        assert_eq!((memo.bytes(), memo.get(29, |k| *k == 29)), (0, None));
    }
}
