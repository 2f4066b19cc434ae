//! A cache bounded in bytes, evicting the least recently used entries first (issue 11 item 1:
//! "caches bounded in bytes, evicted least recently used"). The hub keeps one per kind of
//! answer and state; each entry's size is given by its owner (a frame's estimated size, a
//! JSON's length). An entry the owner marks as kept (the newest month's figures) is never
//! evicted.

use std::collections::HashMap;
use std::hash::Hash;

pub struct Lru<K, V> {
    entries: HashMap<K, Entry<V>>,
    bytes: usize,
    budget: usize,
    tick: u64,
}

struct Entry<V> {
    value: V,
    bytes: usize,
    used: u64,
}

impl<K: Hash + Eq + Clone, V: Clone> Lru<K, V> {
    pub fn new(budget: usize) -> Self {
        Lru { entries: HashMap::new(), bytes: 0, budget, tick: 0 }
    }

    /// The value of `key`, now the most recently used.
    pub fn get(&mut self, key: &K) -> Option<V> {
        self.tick += 1;
        let tick = self.tick;
        self.entries.get_mut(key).map(|e| {
            e.used = tick;
            e.value.clone()
        })
    }

    /// Keeps `value` (replacing any value of `key`), then evicts the least recently used
    /// entries until the cache is within its budget, never `key` itself nor what `keep` names.
    pub fn insert(&mut self, key: K, value: V, bytes: usize, keep: impl Fn(&K) -> bool) {
        self.tick += 1;
        if let Some(old) = self.entries.insert(key.clone(), Entry { value, bytes, used: self.tick }) {
            self.bytes -= old.bytes;
        }
        self.bytes += bytes;
        while self.bytes > self.budget {
            let victim = self.entries.iter().filter(|(k, _)| **k != key && !keep(k)).min_by_key(|(_, e)| e.used).map(|(k, _)| k.clone());
            let Some(victim) = victim else { break };
            if let Some(e) = self.entries.remove(&victim) {
                self.bytes -= e.bytes;
            }
        }
    }

    /// Every entry, for carrying a cache over to the next state.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V, usize)> {
        self.entries.iter().map(|(k, e)| (k, &e.value, e.bytes))
    }

    /// Every entry from the least recently used to the most (inserting them into an empty
    /// cache in this order keeps their order).
    pub fn oldest_first(&self) -> Vec<(&K, &V)> {
        let mut all: Vec<(&K, &Entry<V>)> = self.entries.iter().collect();
        all.sort_by_key(|(_, e)| e.used);
        all.into_iter().map(|(k, e)| (k, &e.value)).collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The bytes held, as their owners measured them.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::Lru;

    #[test]
    fn evicts_the_least_recently_used_first_and_never_what_is_kept() {
        let mut c: Lru<i32, &str> = Lru::new(30);
        c.insert(1, "a", 10, |_| false);
        c.insert(2, "b", 10, |_| false);
        c.insert(3, "c", 10, |_| false);
        assert_eq!(c.get(&1), Some("a")); // 2 is now the least recently used
        c.insert(4, "d", 10, |_| false);
        assert_eq!((c.get(&2), c.len(), c.bytes()), (None, 3, 30));
        // 1 is kept: 3 goes, then 4, though 1 is older.
        c.insert(5, "e", 20, |k| *k == 1);
        assert_eq!((c.get(&1), c.get(&3), c.get(&4), c.get(&5)), (Some("a"), None, None, Some("e")));
        assert_eq!(c.bytes(), 30);
        // An entry larger than the budget stays alone (the newest is never evicted).
        c.insert(6, "f", 100, |_| false);
        assert_eq!((c.len(), c.bytes()), (1, 100));
        // Replacing a value counts its new size only.
        c.insert(6, "g", 5, |_| false);
        assert_eq!((c.get(&6), c.bytes()), (Some("g"), 5));
        c.insert(7, "h", 5, |_| false);
        c.insert(8, "i", 5, |_| false);
        assert_eq!(c.get(&6), Some("g"));
        assert_eq!(c.oldest_first(), vec![(&7, &"h"), (&8, &"i"), (&6, &"g")]);
    }
}
