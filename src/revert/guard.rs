//! Guards on a JSON patch: before every `replace`, `remove` and `move`, a `test` of the value it
//! replaces or removes, and of the key field of each list element it addresses
//! (`/spec/template/spec/containers/0/name` = `"web"`); before an element is put back into a list,
//! of the keys of its neighbours. A cluster that changed since the plan was
//! made then refuses the patch instead of having it clobber someone else's change.

use std::collections::HashSet;

use json_patch::jsonptr::PointerBuf;
use json_patch::{PatchOperation, TestOperation};
use serde_json::Value;

use crate::diff::keys;

/// `ops` with their guards, and whether the ops applied (in order) to `today`.
pub fn guard(today: &Value, ops: Vec<PatchOperation>) -> Option<Vec<PatchOperation>> {
    let mut doc = today.clone();
    let mut out = Vec::with_capacity(ops.len() * 3);
    // Tests already written since the list structure last changed.
    let mut tested: HashSet<String> = HashSet::new();
    for op in ops {
        let (addressed, value_test): (Option<&str>, Option<&str>) = match &op {
            PatchOperation::Replace(o) => (Some(o.path.as_str()), Some(o.path.as_str())),
            PatchOperation::Remove(o) => (Some(o.path.as_str()), Some(o.path.as_str())),
            PatchOperation::Move(o) => (Some(o.from.as_str()), None),
            PatchOperation::Add(o) => (o.path.parent().map(|p| p.as_str()), None),
            _ => (None, None),
        };
        let mut addressed: Vec<String> = addressed.into_iter().map(String::from).collect();
        if let PatchOperation::Add(add) = &op {
            // An element put back between its neighbours: they must still be the same ones.
            addressed.extend(neighbours(&doc, add.path.as_str()));
        }
        for path in &addressed {
            for key_test in key_tests(&doc, path) {
                if tested.insert(key_test.path.to_string()) {
                    out.push(PatchOperation::Test(key_test));
                }
            }
        }
        if let Some(path) = value_test {
            let value = doc.pointer(path)?.clone();
            out.push(PatchOperation::Test(TestOperation {
                path: PointerBuf::parse(path).ok()?,
                value,
            }));
        }
        json_patch::patch(&mut doc, std::slice::from_ref(&op)).ok()?;
        if !matches!(op, PatchOperation::Replace(_)) {
            tested.clear();
        }
        out.push(op);
    }
    Some(out)
}

/// Paths just below the elements on either side of the list position `path` (when it is one),
/// so that their keys are tested.
fn neighbours(doc: &Value, path: &str) -> Vec<String> {
    let Some((list, index)) = path.rsplit_once('/') else {
        return Vec::new();
    };
    let (Some(Value::Array(items)), Ok(index)) = (doc.pointer(list), index.parse::<usize>()) else {
        return Vec::new();
    };
    [index.checked_sub(1), Some(index)]
        .into_iter()
        .flatten()
        .filter(|i| *i < items.len())
        .map(|i| format!("{list}/{i}/-"))
        .collect()
}

/// Tests of the key fields of the list elements on the way to `path` (the element `path` names
/// itself included when `path` is below it; an element removed whole has its value tested).
fn key_tests(doc: &Value, path: &str) -> Vec<TestOperation> {
    let tokens: Vec<String> = path
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut tests = Vec::new();
    let mut node = doc;
    let mut prefix: Vec<&str> = Vec::new();
    let mut field: Option<&str> = None;
    for (at, token) in tokens.iter().enumerate() {
        let next = match node {
            Value::Array(items) => {
                let Some(item) = token.parse::<usize>().ok().and_then(|i| items.get(i)) else {
                    break;
                };
                // The element is addressed, not replaced whole: its key says it is the same one.
                let below = at + 1 < tokens.len();
                if below && keys::choose(field, items, items).is_some() {
                    for key in keys::key_fields(field.unwrap_or_default()) {
                        if let Some(value) = item.get(*key) {
                            let mut pointer = PointerBuf::from_tokens(prefix.iter().copied());
                            pointer.push_back(token.as_str());
                            pointer.push_back(*key);
                            // The op itself tests (or replaces) what is at its path.
                            if pointer.as_str() != path {
                                tests.push(TestOperation {
                                    path: pointer,
                                    value: value.clone(),
                                });
                            }
                        }
                    }
                }
                field = None;
                item
            }
            Value::Object(map) => {
                let Some(child) = map.get(token.as_str()) else {
                    break;
                };
                field = Some(token.as_str());
                child
            }
            _ => break,
        };
        prefix.push(token.as_str());
        node = next;
    }
    tests
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replaces_are_guarded_by_the_value_and_the_elements_key() {
        let today = json!({"spec": {"containers": [{"name": "web", "image": "a:2"}]}});
        let target = json!({"spec": {"containers": [{"name": "web", "image": "a:1"}]}});
        let ops = guard(&today, crate::diff::patch::patch(&today, &target)).unwrap();
        let text = serde_json::to_string(&ops).unwrap();
        assert_eq!(
            text,
            r#"[{"op":"test","path":"/spec/containers/0/name","value":"web"},{"op":"test","path":"/spec/containers/0/image","value":"a:2"},{"op":"replace","path":"/spec/containers/0/image","value":"a:1"}]"#
        );
        let mut changed = today.clone();
        changed["spec"]["containers"][0]["image"] = json!("a:3");
        assert!(json_patch::patch(&mut changed, &ops).is_err());
    }

    #[test]
    fn an_element_put_back_tests_its_neighbours() {
        let today = json!({"env": [{"name": "A"}, {"name": "C"}]});
        let target = json!({"env": [{"name": "A"}, {"name": "B"}, {"name": "C"}]});
        let ops = guard(&today, crate::diff::patch::patch(&today, &target)).unwrap();
        let text = serde_json::to_string(&ops).unwrap();
        assert!(
            text.contains(r#"{"op":"test","path":"/env/0/name","value":"A"}"#),
            "{text}"
        );
        assert!(
            text.contains(r#"{"op":"test","path":"/env/1/name","value":"C"}"#),
            "{text}"
        );
        // Someone inserted an entry where B goes: refused.
        let mut changed = json!({"env": [{"name": "A"}, {"name": "X"}, {"name": "C"}]});
        assert!(json_patch::patch(&mut changed, &ops).is_err());
    }
}
