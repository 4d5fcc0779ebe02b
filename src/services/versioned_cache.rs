//! Answers kept for one data version (see `charts::data_version_of`): a hit only while the data the
//! answer was worked out from is unchanged. The estimate, refresh and TCO caches are each one of these.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// At most `CAP` answers (each a few rows, so small); when full it starts again rather than tracking use.
pub struct VersionedCache<K, V, const CAP: usize> {
    entries: Mutex<HashMap<K, (String, V)>>,
}

impl<K, V, const CAP: usize> Default for VersionedCache<K, V, CAP> {
    fn default() -> Self {
        VersionedCache { entries: Mutex::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash, V: Clone, const CAP: usize> VersionedCache<K, V, CAP> {
    /// The answer for `key` if it was worked out at `version`.
    pub fn get(&self, key: &K, version: &str) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(key).filter(|(v, _)| v == version).map(|(_, answer)| answer.clone())
    }

    /// Keeps `answer` for `key`, worked out at `version`.
    pub fn put(&self, key: K, version: String, answer: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CAP {
            entries.clear();
        }
        entries.insert(key, (version, answer));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hit_only_at_the_same_version_and_a_full_cache_starts_again() {
        let c: VersionedCache<u32, &str, 2> = VersionedCache::default();
        c.put(1, "v1".into(), "one");
        assert_eq!(c.get(&1, "v1"), Some("one"));
        assert_eq!(c.get(&1, "v2"), None, "the data changed since");
        c.put(2, "v1".into(), "two");
        c.put(3, "v1".into(), "three");
        assert_eq!((c.get(&1, "v1"), c.get(&3, "v1")), (None, Some("three")));
    }
}
