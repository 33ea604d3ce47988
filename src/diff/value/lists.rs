//! Lists: matched by merge key ([`crate::diff::keys`]) when their elements have one, else
//! compared as sequences (similar's Myers over element hashes, under a deadline).

use std::collections::HashMap;

use serde_json::Value;
use similar::{Algorithm, DiffTag, capture_diff_slices_deadline};

use super::{Op, SEQUENCE_DEADLINE, Walker};
use crate::diff::equality::hash;
use crate::diff::keys;
use crate::diff::path::{ItemLabel, Segment};
use crate::schema::ListType;

impl Walker<'_> {
    pub(super) fn walk_lists(&mut self, old: &[Value], new: &[Value]) {
        if let Some(node) = self.node() {
            match node.list_type() {
                ListType::Map(fields) => {
                    if let Some((old_keys, new_keys)) = keys::by_fields(fields, old, new) {
                        return self.walk_keyed(old, new, &old_keys, &new_keys);
                    }
                }
                ListType::Set => return self.walk_set(old, new),
                // One value: the change is the whole list (the report shows what differs in it).
                ListType::Atomic => {
                    return self.push(
                        Op::Replace,
                        Some(Value::Array(old.to_vec())),
                        Some(Value::Array(new.to_vec())),
                    );
                }
                ListType::Unspecified => {}
            }
        }
        match keys::choose(self.current_field(), old, new) {
            Some((old_keys, new_keys)) => self.walk_keyed(old, new, &old_keys, &new_keys),
            None => self.walk_sequence(old, new),
        }
    }

    pub(super) fn walk_keyed(
        &mut self,
        old: &[Value],
        new: &[Value],
        old_keys: &[String],
        new_keys: &[String],
    ) {
        let old_at: HashMap<&str, usize> = old_keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let new_at: HashMap<&str, usize> = new_keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let one_sided = old_keys
            .iter()
            .filter(|k| !new_at.contains_key(k.as_str()))
            .count()
            + new_keys
                .iter()
                .filter(|k| !old_at.contains_key(k.as_str()))
                .count();
        if self.too_many(one_sided) {
            self.elide(old.len(), new.len(), one_sided);
            return;
        }

        // A changed order of the elements both sides share is reported once, for the list.
        let old_order: Vec<&str> = old_keys
            .iter()
            .map(String::as_str)
            .filter(|k| new_at.contains_key(k))
            .collect();
        let new_order: Vec<&str> = new_keys
            .iter()
            .map(String::as_str)
            .filter(|k| old_at.contains_key(k))
            .collect();
        if old_order != new_order && self.too_many(old_order.len()) {
            self.elide(old.len(), new.len(), old_order.len());
            return;
        }
        if old_order != new_order {
            let labels =
                |order: &[&str]| Value::Array(order.iter().map(|k| Value::from(*k)).collect());
            self.push(Op::Move, Some(labels(&old_order)), Some(labels(&new_order)));
        }

        for (i, key) in old_keys.iter().enumerate() {
            let j = new_at.get(key.as_str()).copied();
            self.path.push(Segment::Item {
                label: ItemLabel::Key(key.clone()),
                old: Some(i),
                new: j,
            });
            match j {
                Some(j) => self.walk(&old[i], &new[j]),
                None => self.removed(&old[i]),
            }
            self.path.pop();
        }
        for (j, key) in new_keys.iter().enumerate() {
            if !old_at.contains_key(key.as_str()) {
                self.path.push(Segment::Item {
                    label: ItemLabel::Key(key.clone()),
                    old: None,
                    new: Some(j),
                });
                self.added(&new[j]);
                self.path.pop();
            }
        }
    }

    /// A set (`x-kubernetes-list-type: set`): order means nothing, so only elements one side
    /// lacks are changes, each named by its value.
    pub(super) fn walk_set(&mut self, old: &[Value], new: &[Value]) {
        let count = |items: &[Value]| {
            let mut counts: HashMap<u64, usize> = HashMap::new();
            for item in items {
                *counts.entry(hash(item)).or_default() += 1;
            }
            counts
        };
        let (mut in_old, mut in_new) = (count(old), count(new));
        let mut removed = Vec::new();
        for (i, item) in old.iter().enumerate() {
            let left = in_new.entry(hash(item)).or_default();
            if *left > 0 {
                *left -= 1;
            } else {
                removed.push(i);
            }
        }
        let mut added = Vec::new();
        for (j, item) in new.iter().enumerate() {
            let left = in_old.entry(hash(item)).or_default();
            if *left > 0 {
                *left -= 1;
            } else {
                added.push(j);
            }
        }
        if self.too_many(removed.len() + added.len()) {
            self.elide(old.len(), new.len(), removed.len() + added.len());
            return;
        }
        let label = |item: &Value, index: usize| match item {
            Value::String(text) => ItemLabel::Key(text.clone()),
            Value::Number(_) | Value::Bool(_) => ItemLabel::Key(item.to_string()),
            _ => ItemLabel::Index(index),
        };
        for i in removed {
            self.path.push(Segment::Item {
                label: label(&old[i], i),
                old: Some(i),
                new: None,
            });
            self.removed(&old[i]);
            self.path.pop();
        }
        for j in added {
            self.path.push(Segment::Item {
                label: label(&new[j], j),
                old: None,
                new: Some(j),
            });
            self.added(&new[j]);
            self.path.pop();
        }
    }

    pub(super) fn walk_sequence(&mut self, old: &[Value], new: &[Value]) {
        let old_hashes: Vec<u64> = old.iter().map(hash).collect();
        let new_hashes: Vec<u64> = new.iter().map(hash).collect();

        let mut old_sorted = old_hashes.clone();
        let mut new_sorted = new_hashes.clone();
        old_sorted.sort_unstable();
        new_sorted.sort_unstable();
        if old_sorted == new_sorted {
            if self.too_many(old.len()) {
                self.elide(old.len(), new.len(), old.len());
                return;
            }
            // The same elements in another order: one order change, not a change per element.
            self.push(
                Op::Move,
                Some(Value::Array(old.to_vec())),
                Some(Value::Array(new.to_vec())),
            );
            return;
        }

        let deadline = std::time::Instant::now() + SEQUENCE_DEADLINE;
        let ops = capture_diff_slices_deadline(
            Algorithm::Myers,
            &old_hashes,
            &new_hashes,
            Some(deadline),
        );
        let changed: usize = ops
            .iter()
            .filter(|op| op.tag() != DiffTag::Equal)
            .map(|op| op.old_range().len().max(op.new_range().len()))
            .sum();
        if self.too_many(changed) {
            self.elide(old.len(), new.len(), changed);
            return;
        }
        // Elements removed in one place and inserted in another are moves, not a removal and an
        // addition. Replace ops count on both sides.
        let mut inserted_at: HashMap<u64, Vec<usize>> = HashMap::new();
        for op in &ops {
            for j in op.new_range().rev() {
                if op.tag() != DiffTag::Equal {
                    inserted_at.entry(new_hashes[j]).or_default().push(j);
                }
            }
        }
        let mut moved_from: HashMap<usize, usize> = HashMap::new();
        for op in &ops {
            if op.tag() == DiffTag::Equal {
                continue;
            }
            for i in op.old_range() {
                if let Some(j) = inserted_at.get_mut(&old_hashes[i]).and_then(Vec::pop) {
                    moved_from.insert(j, i);
                }
            }
        }
        let moved_away: std::collections::HashSet<usize> = moved_from.values().copied().collect();

        for op in ops {
            if op.tag() == DiffTag::Equal {
                continue;
            }
            let removed: Vec<usize> = op.old_range().filter(|i| !moved_away.contains(i)).collect();
            let mut inserted = Vec::new();
            for j in op.new_range() {
                match moved_from.get(&j) {
                    Some(&i) => self.item(j, Some(i), Some(j), |w| {
                        w.push(Op::Move, Some(Value::from(i)), Some(Value::from(j)))
                    }),
                    None => inserted.push(j),
                }
            }
            // What is left of a replaced range is paired by position: a changed element.
            let paired = removed.len().min(inserted.len());
            for (&i, &j) in removed.iter().zip(&inserted) {
                self.item(j, Some(i), Some(j), |w| w.walk(&old[i], &new[j]));
            }
            for &i in &removed[paired..] {
                self.item(i, Some(i), None, |w| w.removed(&old[i]));
            }
            for &j in &inserted[paired..] {
                self.item(j, None, Some(j), |w| w.added(&new[j]));
            }
        }
    }

    pub(super) fn item(
        &mut self,
        label: usize,
        old: Option<usize>,
        new: Option<usize>,
        f: impl FnOnce(&mut Self),
    ) {
        self.path.push(Segment::Item {
            label: ItemLabel::Index(label),
            old,
            new,
        });
        f(self);
        self.path.pop();
    }
}
