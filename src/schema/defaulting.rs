//! Structural defaulting, as the API server does it for custom resources
//! (`apiextensions-apiserver/pkg/apiserver/schema/defaulting`): an absent property with a
//! `default:` gets it, recursively, inside list items and `additionalProperties` too; a `null`
//! counts as absent unless the property is `nullable`. A default never replaces a value the
//! object holds.
//!
//! Applied to both sides before a comparison, so that a manifest that leaves a field to its
//! default and a cluster that filled it in read the same.
//!
//! Defaults are copied into every list item that lacks them, so a large default and a long list
//! multiply: the bytes one object may gain are bounded ([`budget_for`]); past that, the rest of
//! its defaults are left out (they then show as changes, never as a hidden one).

use serde_json::Value;

use super::structural::{Node, Shape};

/// How many bytes of defaults an object of `size` bytes may gain: eight times its own size, and
/// at least 1 MiB. Real defaults add a fraction of an object.
pub fn budget_for(size: usize) -> usize {
    size.saturating_mul(8).max(1 << 20)
}

/// Fills in `schema`'s defaults in `value`, the whole object of a custom resource, spending at
/// most `budget` bytes. Its `metadata` is the API server's own and is left alone, as the server
/// does.
pub fn apply_to_object(value: &mut Value, schema: &Node, budget: &mut usize) {
    let Value::Object(object) = value else {
        return;
    };
    let Shape::Object { properties, .. } = &schema.shape else {
        return;
    };
    for (key, property) in properties {
        if matches!(key.as_str(), "metadata" | "apiVersion" | "kind") {
            continue;
        }
        fill(object, key, property, budget);
    }
    for (key, field) in object.iter_mut() {
        if matches!(key.as_str(), "metadata" | "apiVersion" | "kind") {
            continue;
        }
        if let Some(property) = properties.get(key) {
            apply(field, property, budget);
        }
    }
}

/// Fills in the defaults of `schema` in `value`, spending at most `budget` bytes.
pub fn apply(value: &mut Value, schema: &Node, budget: &mut usize) {
    match (value, &schema.shape) {
        (
            Value::Object(object),
            Shape::Object {
                properties,
                additional,
            },
        ) => {
            for (key, property) in properties {
                fill(object, key, property, budget);
            }
            for (key, field) in object.iter_mut() {
                if let Some(property) = properties.get(key).or(additional.as_deref()) {
                    apply(field, property, budget);
                }
            }
        }
        (
            Value::Array(items),
            Shape::List {
                items: Some(item), ..
            },
        ) => {
            for value in items {
                apply(value, item, budget);
            }
        }
        _ => {}
    }
}

/// Gives `object[key]` the default of `property` when it is absent (or a `null` that may not
/// be one).
fn fill(
    object: &mut serde_json::Map<String, Value>,
    key: &str,
    property: &Node,
    budget: &mut usize,
) {
    let Some(default) = &property.default else {
        return;
    };
    if property.default_bytes > *budget {
        return;
    }
    let absent = match object.get(key) {
        None => true,
        Some(Value::Null) => !property.nullable,
        Some(_) => false,
    };
    if absent {
        *budget -= property.default_bytes;
        object.insert(key.to_string(), default.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::structural::compile;
    use serde_json::json;

    fn schema() -> Node {
        compile(&json!({
            "type": "object",
            "properties": {
                "metadata": {"type": "object", "properties": {
                    "name": {"type": "string", "default": "never"}}},
                "spec": {"type": "object", "default": {}, "properties": {
                    "replicas": {"type": "integer", "default": 1},
                    "mode": {"type": "string", "default": "Same", "nullable": true},
                    "listeners": {"type": "array", "items": {"type": "object", "properties": {
                        "allowedRoutes": {"type": "object", "default": {"namespaces": {"from": "Same"}},
                            "properties": {"namespaces": {"type": "object", "properties": {
                                "from": {"type": "string", "default": "Same"}}}}}
                    }}},
                    "byName": {"type": "object", "additionalProperties": {
                        "type": "object", "properties": {"weight": {"type": "integer", "default": 1}}}}
                }}
            }
        }))
        .unwrap()
    }

    #[test]
    fn absent_fields_get_their_defaults_recursively() {
        let mut object = json!({"metadata": {}, "spec": {
            "listeners": [{}, {"allowedRoutes": {"namespaces": {}}}],
            "byName": {"a": {}, "b": {"weight": 5}}
        }});
        apply_to_object(&mut object, &schema(), &mut budget_for(0));
        assert_eq!(
            object,
            json!({"metadata": {}, "spec": {
                "listeners": [
                    {"allowedRoutes": {"namespaces": {"from": "Same"}}},
                    {"allowedRoutes": {"namespaces": {"from": "Same"}}}
                ],
                "byName": {"a": {"weight": 1}, "b": {"weight": 5}},
                "replicas": 1,
                "mode": "Same"
            }})
        );
    }

    #[test]
    fn a_default_never_replaces_a_value_and_nullable_nulls_stay() {
        let mut object = json!({"spec": {"replicas": 3, "mode": null,
            "listeners": [{"allowedRoutes": {"namespaces": {"from": "All"}}}]}});
        apply_to_object(&mut object, &schema(), &mut budget_for(0));
        assert_eq!(object["spec"]["replicas"], 3);
        assert_eq!(object["spec"]["mode"], Value::Null);
        assert_eq!(
            object["spec"]["listeners"][0]["allowedRoutes"]["namespaces"]["from"],
            "All"
        );
        let mut nulls = json!({"spec": {"replicas": null}});
        apply_to_object(&mut nulls, &schema(), &mut budget_for(0));
        assert_eq!(
            nulls["spec"]["replicas"], 1,
            "a null that may not be one is absent"
        );
    }

    #[test]
    fn a_large_default_copied_into_many_items_stops_at_the_budget() {
        let big = "x".repeat(100_000);
        let schema = compile(
            &json!({"type": "object", "properties": {"spec": {"type": "object",
            "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
                "blob": {"type": "string", "default": big}}}}}}}}),
        )
        .unwrap();
        let mut object = json!({"spec": {"items": vec![json!({}); 1000]}});
        let mut budget = budget_for(0);
        apply_to_object(&mut object, &schema, &mut budget);
        let filled = object["spec"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|item| item.get("blob").is_some())
            .count();
        assert_eq!(
            filled, 10,
            "1 MiB buys ten copies of 100 kB, not a thousand"
        );
    }

    #[test]
    fn an_absent_parent_with_a_default_is_filled_in_and_then_defaulted() {
        let mut object = json!({"metadata": {"name": "x"}});
        apply_to_object(&mut object, &schema(), &mut budget_for(0));
        assert_eq!(object["spec"], json!({"replicas": 1, "mode": "Same"}));
        assert_eq!(
            object["metadata"],
            json!({"name": "x"}),
            "metadata is left alone"
        );
    }
}
