//! Work remembered per thread for equal inputs: the letters of a batch share
//! most paragraphs and most pages but the first.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Values by key, found by the key's hash, then by equality. Bounded: when
/// full, it is emptied, which costs only the work done again.
pub struct Memo<K, V> {
    entries: HashMap<u64, Vec<(K, V)>>,
    len: usize,
    capacity: usize,
}

impl<K, V: Clone> Memo<K, V> {
    /// An empty memo holding up to `capacity` values.
    pub fn new(capacity: usize) -> Self {
        Memo {
            entries: HashMap::new(),
            len: 0,
            capacity,
        }
    }

    /// The value of the key that hashes to `hash` and that `is` accepts;
    /// without one, the value `make` makes, kept under the key `own` gives.
    pub fn get_or_make(
        &mut self,
        hash: u64,
        is: impl Fn(&K) -> bool,
        own: impl FnOnce() -> K,
        make: impl FnOnce() -> V,
    ) -> V {
        if let Some((_, value)) = self
            .entries
            .get(&hash)
            .and_then(|e| e.iter().find(|(k, _)| is(k)))
        {
            return value.clone();
        }
        if self.len >= self.capacity {
            self.entries.clear();
            self.len = 0;
        }
        let value = make();
        self.entries
            .entry(hash)
            .or_default()
            .push((own(), value.clone()));
        self.len += 1;
        value
    }
}

/// The hash a [`Memo`] files `value` under.
pub fn hash(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_each_value_once_and_tells_equal_hashes_apart() {
        let mut memo: Memo<String, usize> = Memo::new(8);
        let mut made = 0;
        let mut get = |memo: &mut Memo<String, usize>, key: &str, hash: u64| {
            memo.get_or_make(
                hash,
                |k| k == key,
                || key.to_owned(),
                || {
                    made += 1;
                    key.len()
                },
            )
        };
        assert_eq!(get(&mut memo, "abc", 1), 3);
        assert_eq!(get(&mut memo, "abc", 1), 3);
        // Same hash, other key: made, not confused.
        assert_eq!(get(&mut memo, "abcdef", 1), 6);
        assert_eq!(made, 2);
    }

    #[test]
    fn empties_when_full() {
        let mut memo: Memo<u64, u64> = Memo::new(2);
        for key in 0..3 {
            memo.get_or_make(key, |k| *k == key, || key, || key);
        }
        assert_eq!(memo.len, 1);
    }
}
