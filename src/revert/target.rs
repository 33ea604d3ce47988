//! The object as it should be: today's object (as the API server holds it) with the selected
//! changes put back as GOOD had them. Everything else of today's object is kept, so that the
//! JSON patch from today's object to this one touches only what was asked.
//!
//! A change's path names list elements by their index on each side ([`Segment::Item`]): today's
//! index addresses today's object, GOOD's index GOOD's. Edits that keep every list's length
//! (values set or removed) come first, on today's indices; then, from the deepest lists up,
//! elements added since GOOD are removed (highest index first), elements GOOD had are put back at
//! GOOD's index, and lists whose order changed are put back in GOOD's order.

use serde_json::Value;

use crate::diff::keys;
use crate::diff::path::Segment;
use crate::diff::{Change, Op};

/// One step into a JSON value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Index(usize),
}

/// One edit of today's object.
#[derive(Debug)]
enum Edit {
    /// The value at `at` becomes `good` (removed when `None`).
    Set { at: Vec<Step>, good: Option<Value> },
    /// The element `index` of the list at `list`, added since GOOD, goes.
    RemoveItem { list: Vec<Step>, index: usize },
    /// GOOD's element `value` comes back at `index` of the list at `list`.
    InsertItem {
        list: Vec<Step>,
        index: usize,
        value: Value,
    },
    /// The list at `list` (held by `field`) takes GOOD's order back.
    Reorder {
        list: Vec<Step>,
        field: String,
        good: Vec<Value>,
    },
}

/// Why a change could not be put back.
#[derive(Debug, PartialEq, Eq)]
pub struct Unplaced;

/// `today` with `changes` reverted to `good`'s values. `normalised` is today's object as the
/// diff saw it: keys `today` holds beyond it (managed fields, the last-applied annotation) are
/// kept where a whole map is put back.
pub fn revert(
    today: &Value,
    normalised: &Value,
    good: &Value,
    changes: &[&Change],
) -> Result<Value, Unplaced> {
    let mut edits = Vec::new();
    for change in changes {
        edits.extend(edits_of(change, good)?);
    }
    let mut target = today.clone();
    for edit in &edits {
        if let Edit::Set { at, good } = edit {
            set(&mut target, at, good.clone(), normalised)?;
        }
    }
    let mut lists: Vec<&Vec<Step>> = edits
        .iter()
        .filter_map(|edit| match edit {
            Edit::Set { .. } => None,
            Edit::RemoveItem { list, .. }
            | Edit::InsertItem { list, .. }
            | Edit::Reorder { list, .. } => Some(list),
        })
        .collect();
    // Deepest first: a deeper list is addressed through shallower ones, still unchanged.
    lists.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    lists.dedup();
    for list in lists {
        edit_list(&mut target, list, &edits)?;
    }
    Ok(target)
}

/// The edits that revert one change.
fn edits_of(change: &Change, good: &Value) -> Result<Vec<Edit>, Unplaced> {
    let segments: Vec<&Segment> = change
        .path
        .0
        .iter()
        .take_while(|s| !matches!(s, Segment::Document(_)))
        .collect();
    let in_document = segments.len() < change.path.0.len();
    let (parent, last) = match segments.split_last() {
        Some((last, parent)) => (parent, *last),
        None => return Err(Unplaced),
    };
    let today = |segments: &[&Segment]| steps(segments, true);
    let good_at = |segments: &[&Segment]| {
        steps(segments, false)
            .ok()
            .and_then(|at| get(good, &at).cloned())
    };
    let set = || -> Result<Vec<Edit>, Unplaced> {
        Ok(vec![Edit::Set {
            at: today(&segments)?,
            good: good_at(&segments),
        }])
    };
    if in_document {
        return set();
    }
    match last {
        Segment::Item { old, new, .. } => {
            let list = today(parent)?;
            let insert = |index: usize| -> Result<Edit, Unplaced> {
                Ok(Edit::InsertItem {
                    list: list.clone(),
                    index,
                    value: good_at(&segments).ok_or(Unplaced)?,
                })
            };
            match (old, new) {
                (None, Some(index)) => Ok(vec![Edit::RemoveItem {
                    list: list.clone(),
                    index: *index,
                }]),
                (Some(index), None) => Ok(vec![insert(*index)?]),
                (Some(old), Some(new)) if change.op == Op::Move => Ok(vec![
                    Edit::RemoveItem {
                        list: list.clone(),
                        index: *new,
                    },
                    insert(*old)?,
                ]),
                _ => set(),
            }
        }
        Segment::Field(field) if change.op == Op::Move => {
            let good = good_at(&segments)
                .and_then(|v| v.as_array().cloned())
                .ok_or(Unplaced)?;
            Ok(vec![Edit::Reorder {
                list: today(&segments)?,
                field: field.clone(),
                good,
            }])
        }
        _ => set(),
    }
}

/// The steps of `segments`, list elements by today's index (`today`) or GOOD's.
fn steps(segments: &[&Segment], today: bool) -> Result<Vec<Step>, Unplaced> {
    segments
        .iter()
        .map(|segment| match segment {
            Segment::Field(name) => Ok(Step::Key(name.clone())),
            Segment::Item { old, new, .. } => {
                let index = if today { new } else { old };
                index.map(Step::Index).ok_or(Unplaced)
            }
            Segment::Document(_) => Err(Unplaced),
        })
        .collect()
}

fn get<'a>(value: &'a Value, at: &[Step]) -> Option<&'a Value> {
    at.iter().try_fold(value, |value, step| match step {
        Step::Key(key) => value.get(key.as_str()),
        Step::Index(index) => value.get(*index),
    })
}

fn get_mut<'a>(value: &'a mut Value, at: &[Step]) -> Option<&'a mut Value> {
    at.iter().try_fold(value, |value, step| match step {
        Step::Key(key) => value.get_mut(key.as_str()),
        Step::Index(index) => value.get_mut(*index),
    })
}

/// Sets (or removes) the value at `at`. A map put back whole keeps the keys today's object holds
/// beyond what the diff saw (managed fields, the last-applied annotation).
fn set(
    target: &mut Value,
    at: &[Step],
    good: Option<Value>,
    normalised: &Value,
) -> Result<(), Unplaced> {
    let (last, parent_at) = at.split_last().ok_or(Unplaced)?;
    let seen = get(normalised, at).and_then(Value::as_object).cloned();
    let parent = get_mut(target, parent_at).ok_or(Unplaced)?;
    match (parent, last) {
        (Value::Object(map), Step::Key(key)) => {
            let kept: Vec<(String, Value)> = match (map.get(key), &seen) {
                (Some(Value::Object(slot)), Some(seen)) => slot
                    .iter()
                    .filter(|(k, _)| !seen.contains_key(*k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                _ => Vec::new(),
            };
            match good {
                Some(Value::Object(mut good)) => {
                    good.extend(kept);
                    map.insert(key.clone(), Value::Object(good));
                }
                Some(good) => {
                    map.insert(key.clone(), good);
                }
                None if kept.is_empty() => {
                    map.shift_remove(key);
                }
                None => {
                    map.insert(key.clone(), Value::Object(kept.into_iter().collect()));
                }
            }
            Ok(())
        }
        (Value::Array(items), Step::Index(index)) if *index < items.len() => {
            match good {
                Some(good) => items[*index] = good,
                None => {
                    items.remove(*index);
                }
            }
            Ok(())
        }
        _ => Err(Unplaced),
    }
}

/// The element edits of one list: removals (highest index first), insertions (GOOD's order),
/// then GOOD's order back.
fn edit_list(target: &mut Value, list: &[Step], edits: &[Edit]) -> Result<(), Unplaced> {
    let items = get_mut(target, list)
        .and_then(Value::as_array_mut)
        .ok_or(Unplaced)?;
    let mut removals: Vec<usize> = Vec::new();
    let mut insertions: Vec<(usize, &Value)> = Vec::new();
    let mut reorder = None;
    for edit in edits {
        match edit {
            Edit::RemoveItem { list: l, index } if l == list => removals.push(*index),
            Edit::InsertItem {
                list: l,
                index,
                value,
            } if l == list => insertions.push((*index, value)),
            Edit::Reorder {
                list: l,
                field,
                good,
            } if l == list => reorder = Some((field, good)),
            _ => {}
        }
    }
    removals.sort_unstable_by(|a, b| b.cmp(a));
    removals.dedup();
    for index in removals {
        if index >= items.len() {
            return Err(Unplaced);
        }
        items.remove(index);
    }
    insertions.sort_by_key(|(index, _)| *index);
    for (index, value) in insertions {
        items.insert(index.min(items.len()), value.clone());
    }
    let Some((field, good)) = reorder else {
        return Ok(());
    };
    let Some((good_keys, today_keys)) = keys::choose(Some(field), good, items) else {
        // A list without keys whose order alone changed holds GOOD's elements: GOOD's order.
        *items = good.clone();
        return Ok(());
    };
    let rank = |key: &String| {
        good_keys
            .iter()
            .position(|k| k == key)
            .unwrap_or(usize::MAX)
    };
    let mut order: Vec<(usize, Value)> = today_keys.iter().map(rank).zip(items.drain(..)).collect();
    order.sort_by_key(|(rank, _)| *rank);
    items.extend(order.into_iter().map(|(_, v)| v));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::ValueOptions;
    use serde_json::json;

    /// Reverts every change of the diff from `good` to `today`.
    fn revert_all(good: &Value, today: &Value) -> Value {
        let changes = crate::diff::value::diff("Deployment", good, today, &ValueOptions::default());
        let changes: Vec<&Change> = changes.iter().collect();
        revert(today, today, good, &changes).unwrap()
    }

    #[test]
    fn every_change_reverted_gives_good_back() {
        let good = json!({"spec": {"containers": [
            {"name": "a", "image": "a:1", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]},
            {"name": "b", "image": "b:1"},
            {"name": "c", "image": "c:1"}],
            "args": ["x", "y", "z"]}});
        let today = json!({"spec": {"containers": [
            {"name": "hand", "image": "h:1"},
            {"name": "c", "image": "c:2"},
            {"name": "a", "image": "a:1", "env": [{"name": "Y", "value": "3"}, {"name": "Z", "value": "9"}]}],
            "args": ["y", "x", "w"]}});
        let back = revert_all(&good, &today);
        let left = crate::diff::value::diff("Deployment", &good, &back, &ValueOptions::default());
        assert!(left.is_empty(), "{back:#}\n{left:?}");
    }

    #[test]
    fn a_list_changed_in_too_many_elements_is_put_back_whole() {
        let good = json!({"spec": {"args": ["a", "b", "c", "d", "e"]}});
        let today = json!({"spec": {"args": ["v", "w", "x", "y", "z"]}});
        let options = ValueOptions {
            max_list_changes: 2,
            ..ValueOptions::default()
        };
        let changes = crate::diff::value::diff("Pod", &good, &today, &options);
        assert!(changes[0].elided.is_some(), "{changes:?}");
        let changes: Vec<&Change> = changes.iter().collect();
        assert_eq!(revert(&today, &today, &good, &changes).unwrap(), good);
    }

    #[test]
    fn a_whole_map_put_back_keeps_what_the_diff_did_not_see() {
        let good = json!({"metadata": {"name": "x"}});
        let normalised = json!({"metadata": {"name": "x", "annotations": {"a": "1"}}});
        let today = json!({"metadata": {"name": "x", "annotations": {"a": "1", "kept": "k"}}});
        let changes =
            crate::diff::value::diff("ConfigMap", &good, &normalised, &ValueOptions::default());
        let changes: Vec<&Change> = changes.iter().collect();
        let back = revert(&today, &normalised, &good, &changes).unwrap();
        assert_eq!(
            back,
            json!({"metadata": {"name": "x", "annotations": {"kept": "k"}}})
        );
    }
}
