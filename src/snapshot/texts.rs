//! Equal object texts kept once: both sides of a comparison read through one pool, so an object
//! unchanged between them costs its text once in memory, and comparing it costs a pointer.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};

/// A set of texts shared by the readers of one comparison. Cloning shares it.
#[derive(Clone, Default)]
pub struct TextPool(Arc<Pool>);

#[derive(Default)]
struct Pool {
    /// Seeded per process: which texts share a bucket cannot be chosen by a file's author.
    hasher: foldhash::fast::RandomState,
    /// Texts by hash; equal hashes are told apart by comparing the texts, so a collision
    /// costs a comparison and never makes two texts one.
    texts: Mutex<HashMap<u64, Vec<Arc<str>>>>,
}

impl TextPool {
    /// The pool's copy of `text`, added when it holds none.
    pub fn intern(&self, text: &str) -> Arc<str> {
        let hash = self.0.hasher.hash_one(text);
        let mut texts = self
            .0
            .texts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = texts.entry(hash).or_default();
        if let Some(found) = bucket.iter().find(|kept| ***kept == *text) {
            return found.clone();
        }
        let kept: Arc<str> = Arc::from(text);
        bucket.push(kept.clone());
        kept
    }
}

impl std::fmt::Debug for TextPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TextPool")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_are_kept_once_and_different_ones_apart() {
        let pool = TextPool::default();
        let a = pool.intern(r#"{"a":1}"#);
        let b = pool.clone().intern(&String::from(r#"{"a":1}"#));
        let c = pool.intern(r#"{"a":2}"#);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(&*c, r#"{"a":2}"#);
    }
}
