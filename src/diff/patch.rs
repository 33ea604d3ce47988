//! RFC 6902 JSON Patch between two versions of an object.
//!
//! The patch is exact: applied to the old object it yields the new one (equal as JSON values), a
//! property the tests check on random objects. Lists with merge keys are aligned by key, so a
//! reordered list becomes `move` operations and a changed container is patched in place instead of
//! being replaced whole.

use json_patch::jsonptr::PointerBuf;
use json_patch::{AddOperation, MoveOperation, PatchOperation, RemoveOperation, ReplaceOperation};
use serde_json::{Map, Value};
use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};

use super::equality::hash;
use super::keys;

/// The operations that turn `old` into `new`.
pub fn patch(old: &Value, new: &Value) -> Vec<PatchOperation> {
    let mut ops = Vec::new();
    let mut path = Vec::new();
    value(old, new, None, &mut path, &mut ops);
    ops
}

fn pointer(path: &[String]) -> PointerBuf {
    PointerBuf::from_tokens(path.iter().map(String::as_str))
}

fn value(
    old: &Value,
    new: &Value,
    field: Option<&str>,
    path: &mut Vec<String>,
    ops: &mut Vec<PatchOperation>,
) {
    // Exact equality (serde_json's), not the semantic one: the patch must reproduce `new`.
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => map(a, b, path, ops),
        (Value::Array(a), Value::Array(b)) => list(a, b, field, path, ops),
        _ => ops.push(PatchOperation::Replace(ReplaceOperation {
            path: pointer(path),
            value: new.clone(),
        })),
    }
}

fn map(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    path: &mut Vec<String>,
    ops: &mut Vec<PatchOperation>,
) {
    for (key, old_value) in old {
        path.push(key.clone());
        match new.get(key) {
            Some(new_value) => value(old_value, new_value, Some(key), path, ops),
            None => ops.push(PatchOperation::Remove(RemoveOperation {
                path: pointer(path),
            })),
        }
        path.pop();
    }
    for (key, new_value) in new {
        if !old.contains_key(key) {
            path.push(key.clone());
            ops.push(PatchOperation::Add(AddOperation {
                path: pointer(path),
                value: new_value.clone(),
            }));
            path.pop();
        }
    }
}

fn list(
    old: &[Value],
    new: &[Value],
    field: Option<&str>,
    path: &mut Vec<String>,
    ops: &mut Vec<PatchOperation>,
) {
    match keys::choose(field, old, new) {
        Some((old_keys, new_keys)) => keyed_list(old, new, &old_keys, &new_keys, path, ops),
        None => sequence(old, new, path, ops),
    }
}

/// Aligns a keyed list: removals (from the back), then, position by position, additions and
/// moves into place, then patches of the elements both sides share.
fn keyed_list(
    old: &[Value],
    new: &[Value],
    old_keys: &[String],
    new_keys: &[String],
    path: &mut Vec<String>,
    ops: &mut Vec<PatchOperation>,
) {
    let new_set: std::collections::HashSet<&str> = new_keys.iter().map(String::as_str).collect();
    let old_at: std::collections::HashMap<&str, usize> = old_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();

    for i in (0..old.len()).rev() {
        if !new_set.contains(old_keys[i].as_str()) {
            path.push(i.to_string());
            ops.push(PatchOperation::Remove(RemoveOperation {
                path: pointer(path),
            }));
            path.pop();
        }
    }
    // The working order of the list as the operations so far leave it.
    let mut working: Vec<&str> = old_keys
        .iter()
        .map(String::as_str)
        .filter(|k| new_set.contains(k))
        .collect();
    for (target, key) in new_keys.iter().enumerate() {
        if !old_at.contains_key(key.as_str()) {
            path.push(target.to_string());
            ops.push(PatchOperation::Add(AddOperation {
                path: pointer(path),
                value: new[target].clone(),
            }));
            path.pop();
            working.insert(target, key);
            continue;
        }
        let current = working[target..]
            .iter()
            .position(|k| *k == key)
            .map(|offset| target + offset)
            .expect("a shared key is still in the working list");
        if current != target {
            path.push(current.to_string());
            let from = pointer(path);
            path.pop();
            path.push(target.to_string());
            ops.push(PatchOperation::Move(MoveOperation {
                from,
                path: pointer(path),
            }));
            path.pop();
            let moved = working.remove(current);
            working.insert(target, moved);
        }
    }
    for (target, key) in new_keys.iter().enumerate() {
        if let Some(&i) = old_at.get(key.as_str()) {
            path.push(target.to_string());
            value(&old[i], &new[target], None, path, ops);
            path.pop();
        }
    }
}

/// A list without keys: Myers over element hashes, removals and insertions in place.
fn sequence(old: &[Value], new: &[Value], path: &mut Vec<String>, ops: &mut Vec<PatchOperation>) {
    let old_hashes: Vec<u64> = old.iter().map(hash).collect();
    let new_hashes: Vec<u64> = new.iter().map(hash).collect();
    // `cursor` is the position in the list as the operations so far leave it.
    let mut cursor = 0usize;
    // A pathological list must not stall the patch: past the deadline Myers settles for a
    // longer, still exact, edit script.
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
    for op in
        capture_diff_slices_deadline(Algorithm::Myers, &old_hashes, &new_hashes, Some(deadline))
    {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                // Equal hashes may still differ exactly (1 vs 1.0, key order): patch them.
                for k in 0..len {
                    path.push((cursor + k).to_string());
                    value(&old[old_index + k], &new[new_index + k], None, path, ops);
                    path.pop();
                }
                cursor += len;
            }
            DiffOp::Delete { old_len, .. } => {
                for _ in 0..old_len {
                    path.push(cursor.to_string());
                    ops.push(PatchOperation::Remove(RemoveOperation {
                        path: pointer(path),
                    }));
                    path.pop();
                }
            }
            DiffOp::Insert {
                new_index, new_len, ..
            } => {
                for k in 0..new_len {
                    path.push(cursor.to_string());
                    ops.push(PatchOperation::Add(AddOperation {
                        path: pointer(path),
                        value: new[new_index + k].clone(),
                    }));
                    path.pop();
                    cursor += 1;
                }
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let paired = old_len.min(new_len);
                for k in 0..paired {
                    path.push(cursor.to_string());
                    value(&old[old_index + k], &new[new_index + k], None, path, ops);
                    path.pop();
                    cursor += 1;
                }
                for _ in paired..old_len {
                    path.push(cursor.to_string());
                    ops.push(PatchOperation::Remove(RemoveOperation {
                        path: pointer(path),
                    }));
                    path.pop();
                }
                for k in paired..new_len {
                    path.push(cursor.to_string());
                    ops.push(PatchOperation::Add(AddOperation {
                        path: pointer(path),
                        value: new[new_index + k].clone(),
                    }));
                    path.pop();
                    cursor += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(old: Value, new: Value) -> Vec<PatchOperation> {
        let ops = patch(&old, &new);
        let mut doc = old.clone();
        json_patch::patch(&mut doc, &ops).expect("patch applies");
        assert_eq!(doc, new, "ops: {}", serde_json::to_string(&ops).unwrap());
        ops
    }

    #[test]
    fn reordered_containers_become_moves_and_in_place_patches() {
        let ops = round_trip(
            json!({"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}, {"name": "c"}]}),
            json!({"containers": [{"name": "c"}, {"name": "a", "image": "a:2"}, {"name": "d"}]}),
        );
        let text = serde_json::to_string(&ops).unwrap();
        assert!(text.contains("\"op\":\"move\""), "{text}");
        assert!(text.contains("/containers/1/image"), "{text}");
    }

    #[test]
    fn sequences() {
        round_trip(
            json!(["a", "b", "c", "d"]),
            json!(["a", "x", "c", "d", "e"]),
        );
        round_trip(json!([1, 2, 3]), json!([]));
        round_trip(json!([]), json!([{"x": 1}]));
        round_trip(json!([1.0, {"b": 1, "a": 2}]), json!([1, {"a": 2, "b": 1}]));
    }

    /// Within the deadline Myers finds the shortest script: a rotated list is one removal and
    /// one addition, not a rewrite of every element.
    #[test]
    fn a_rotated_list_is_one_removal_and_one_addition() {
        let old: Vec<u32> = (0..40).collect();
        let mut new = old.clone();
        new.rotate_left(1);
        let ops = round_trip(json!(old), json!(new));
        assert_eq!(ops.len(), 2, "{}", serde_json::to_string(&ops).unwrap());
    }

    #[test]
    fn scalars_and_types() {
        round_trip(json!({"a": "8080"}), json!({"a": 8080}));
        round_trip(json!({"a/b": 1, "c~d": 2}), json!({"a/b": 2}));
        round_trip(json!(1), json!("x"));
    }
}
