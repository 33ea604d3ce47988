//! A definition's `openAPIV3Schema` compiled into the few facts a comparison needs, per field:
//! its shape (object, list, scalar), how a list is merged (`x-kubernetes-list-type` and its map
//! keys), its `default:` and whether it is `nullable`, and where unknown fields are kept.
//!
//! Compiling is bounded in depth and size: a schema is input like any other, and an absurd one
//! is refused with a reason rather than followed.

use std::collections::HashMap;

use serde_json::Value;

/// How deep a schema may nest. Real definitions stay under 30 (Alertmanager's is about 20).
pub const MAX_DEPTH: usize = 64;

/// How many schema nodes one version may hold. Real definitions stay under 20,000 (the
/// Prometheus operator's largest about 12,000).
pub const MAX_NODES: usize = 200_000;

/// What a comparison knows about one field of a custom resource.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Node {
    /// Its shape.
    pub shape: Shape,
    /// The value the API server fills in when the field is absent.
    pub default: Option<Value>,
    /// The size of `default` as JSON, counted against a defaulting budget.
    pub default_bytes: usize,
    /// Whether `null` is a value here (else a `null` reads as absent and is defaulted).
    pub nullable: bool,
    /// `x-kubernetes-preserve-unknown-fields`: fields the schema does not name are kept, and
    /// compared as plain JSON.
    pub preserve_unknown: bool,
}

/// The shape of a field.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Shape {
    /// An object: named properties, and a schema for the others (`additionalProperties`).
    Object {
        /// The named properties.
        properties: HashMap<String, Node>,
        /// The schema of every other key, for maps.
        additional: Option<Box<Node>>,
    },
    /// A list.
    List {
        /// The schema of its items.
        items: Option<Box<Node>>,
        /// How its elements are matched.
        merge: ListType,
    },
    /// A string, number, boolean, or anything the schema leaves open.
    #[default]
    Scalar,
}

/// `x-kubernetes-list-type`: how the elements of a list are told apart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ListType {
    /// Not declared: driftlab's own merge keys apply, as for any list.
    #[default]
    Unspecified,
    /// `atomic`: the list is one value.
    Atomic,
    /// `set`: scalar elements whose order means nothing.
    Set,
    /// `map`: elements are objects, told apart by the values of these fields.
    Map(Vec<String>),
}

impl Node {
    /// The schema of property `key` of an object.
    pub fn property(&self, key: &str) -> Option<&Node> {
        match &self.shape {
            Shape::Object {
                properties,
                additional,
            } => properties.get(key).or(additional.as_deref()),
            _ => None,
        }
    }

    /// The schema of a list's items.
    pub fn items(&self) -> Option<&Node> {
        match &self.shape {
            Shape::List { items, .. } => items.as_deref(),
            _ => None,
        }
    }

    /// How a list is merged; `Unspecified` for anything that is not a list.
    pub fn list_type(&self) -> &ListType {
        static UNSPECIFIED: ListType = ListType::Unspecified;
        match &self.shape {
            Shape::List { merge, .. } => merge,
            _ => &UNSPECIFIED,
        }
    }
}

/// Compiles one version's `openAPIV3Schema`; `Err` says why it cannot be used.
pub fn compile(schema: &Value) -> Result<Node, String> {
    let mut budget = MAX_NODES;
    compile_node(schema, 0, &mut budget)
}

fn compile_node(schema: &Value, depth: usize, budget: &mut usize) -> Result<Node, String> {
    if depth > MAX_DEPTH {
        return Err(format!("its schema nests deeper than {MAX_DEPTH} levels"));
    }
    if *budget == 0 {
        return Err(format!("its schema has more than {MAX_NODES} fields"));
    }
    *budget -= 1;
    let Value::Object(schema) = schema else {
        return Err("a schema node is not an object".into());
    };
    let flag = |name: &str| schema.get(name).and_then(Value::as_bool) == Some(true);
    let declared = schema.get("type").and_then(Value::as_str);
    let shape = match declared {
        Some("array") => {
            let items = match schema.get("items") {
                Some(items @ Value::Object(_)) => {
                    Some(Box::new(compile_node(items, depth + 1, budget)?))
                }
                _ => None,
            };
            Shape::List {
                items,
                merge: list_type(schema)?,
            }
        }
        Some("object") | None if schema.contains_key("properties") || declared.is_some() => {
            let mut properties = HashMap::new();
            if let Some(Value::Object(named)) = schema.get("properties") {
                for (key, property) in named {
                    properties.insert(key.clone(), compile_node(property, depth + 1, budget)?);
                }
            }
            let additional = match schema.get("additionalProperties") {
                Some(more @ Value::Object(_)) => {
                    Some(Box::new(compile_node(more, depth + 1, budget)?))
                }
                _ => None,
            };
            Shape::Object {
                properties,
                additional,
            }
        }
        _ => Shape::Scalar,
    };
    let default = schema.get("default").cloned();
    Ok(Node {
        shape,
        default_bytes: default.as_ref().map_or(0, |d| d.to_string().len()),
        default,
        nullable: flag("nullable"),
        preserve_unknown: flag("x-kubernetes-preserve-unknown-fields"),
    })
}

/// Reads `x-kubernetes-list-type` and `x-kubernetes-list-map-keys`.
fn list_type(schema: &serde_json::Map<String, Value>) -> Result<ListType, String> {
    Ok(
        match schema.get("x-kubernetes-list-type").and_then(Value::as_str) {
            Some("atomic") => ListType::Atomic,
            Some("set") => ListType::Set,
            Some("map") => {
                let keys: Vec<String> = schema
                    .get("x-kubernetes-list-map-keys")
                    .and_then(Value::as_array)
                    .map(|keys| {
                        keys.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                if keys.is_empty() {
                    return Err("a list of type map names no x-kubernetes-list-map-keys".into());
                }
                ListType::Map(keys)
            }
            _ => ListType::Unspecified,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_types_keys_and_defaults_are_read() {
        let node = compile(&json!({
            "type": "object",
            "properties": {
                "spec": {"type": "object", "properties": {
                    "ports": {"type": "array", "x-kubernetes-list-type": "map",
                              "x-kubernetes-list-map-keys": ["port", "protocol"],
                              "items": {"type": "object", "properties": {
                                  "protocol": {"type": "string", "default": "TCP"}}}},
                    "hosts": {"type": "array", "x-kubernetes-list-type": "set",
                              "items": {"type": "string"}},
                    "rules": {"type": "array", "x-kubernetes-list-type": "atomic"},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    "from": {"type": "string", "default": "Same", "nullable": true}
                }}
            }
        }))
        .unwrap();
        let spec = node.property("spec").unwrap();
        let ports = spec.property("ports").unwrap();
        assert_eq!(
            ports.list_type(),
            &ListType::Map(vec!["port".into(), "protocol".into()])
        );
        let protocol = ports.items().unwrap().property("protocol").unwrap();
        assert_eq!(protocol.default, Some(json!("TCP")));
        assert_eq!(spec.property("hosts").unwrap().list_type(), &ListType::Set);
        assert_eq!(
            spec.property("rules").unwrap().list_type(),
            &ListType::Atomic
        );
        assert!(spec.property("labels").unwrap().property("any").is_some());
        assert!(spec.property("free").unwrap().preserve_unknown);
        assert!(spec.property("from").unwrap().nullable);
        assert_eq!(spec.property("absent"), None);
    }

    #[test]
    fn absurd_schemas_are_refused_with_a_reason() {
        let mut deep = json!({"type": "string"});
        for _ in 0..100 {
            deep = json!({"type": "object", "properties": {"a": deep}});
        }
        assert!(compile(&deep).unwrap_err().contains("deeper"));
        let wide: serde_json::Map<String, Value> = (0..MAX_NODES + 1)
            .map(|i| (format!("f{i}"), json!({"type": "string"})))
            .collect();
        let error = compile(&json!({"type": "object", "properties": wide})).unwrap_err();
        assert!(error.contains("more than"), "{error}");
        let keyless = json!({"type": "array", "x-kubernetes-list-type": "map"});
        assert!(compile(&keyless).unwrap_err().contains("map-keys"));
    }
}
