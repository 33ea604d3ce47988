//! Custom resources for the benchmarks: a share of the synthetic objects recast as objects of a
//! CustomResourceDefinition with the schema features real ones use (a list keyed by two fields,
//! a set, an atomic list, defaults, a free-form subtree), each carrying its original's content so
//! that the nights drift as before.

use serde_json::{Value, json};

/// The group of the benchmark's custom resources.
const GROUP: &str = "bench.driftlab.dev";

/// The definition of the benchmark's `Workload` kind.
pub fn definition() -> Value {
    let listener = json!({"type": "object", "properties": {
        "name": {"type": "string"},
        "port": {"type": "integer"},
        "protocol": {"type": "string", "default": "TCP"},
        "allowedRoutes": {"type": "object", "default": {"namespaces": {"from": "Same"}},
            "properties": {"namespaces": {"type": "object", "properties": {
                "from": {"type": "string", "default": "Same"}}}}},
        "timeoutSeconds": {"type": "integer", "default": 30}
    }});
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("workloads.{GROUP}")},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {"kind": "Workload", "plural": "workloads", "singular": "workload"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {
                        "listeners": {"type": "array", "x-kubernetes-list-type": "map",
                            "x-kubernetes-list-map-keys": ["port", "protocol"], "items": listener},
                        "hostnames": {"type": "array", "x-kubernetes-list-type": "set",
                            "items": {"type": "string"}},
                        "rules": {"type": "array", "x-kubernetes-list-type": "atomic",
                            "items": {"type": "object", "properties": {
                                "path": {"type": "string"},
                                "weight": {"type": "integer", "default": 1}}}},
                        "paused": {"type": "boolean", "default": false},
                        "template": {"type": "object",
                            "x-kubernetes-preserve-unknown-fields": true}
                    }},
                    "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                }}}}]
        }
    })
}

/// `object` recast as a `Workload`, as an API server returns it (defaults filled in).
pub fn recast(object: &Value) -> Value {
    let kind = object["kind"].as_str().unwrap_or("object").to_lowercase();
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("x");
    let mut metadata = object["metadata"].clone();
    metadata["name"] = json!(format!("{name}-{kind}"));
    let mut template = object.clone();
    if let Value::Object(map) = &mut template {
        map.remove("apiVersion");
        map.remove("kind");
        map.remove("metadata");
    }
    let listener = |name: &str, port: u16| {
        json!({"name": name, "port": port, "protocol": "TCP",
               "allowedRoutes": {"namespaces": {"from": "Same"}}, "timeoutSeconds": 30})
    };
    json!({
        "apiVersion": format!("{GROUP}/v1"),
        "kind": "Workload",
        "metadata": metadata,
        "spec": {
            "listeners": [listener("http", 8080), listener("https", 8443)],
            "hostnames": [format!("{name}.example.com"), format!("{name}.internal")],
            "rules": [{"path": "/", "weight": 1}, {"path": "/api", "weight": 1}],
            "paused": false,
            "template": template
        }
    })
}

/// Recasts `percent` of `objects` (spread evenly, the same ones every night) as custom resources.
pub fn recast_share(objects: &mut [Value], percent: f64) {
    let every = (100.0 / percent.clamp(0.001, 100.0)).max(1.0);
    let mut next = 0.0;
    for (index, object) in objects.iter_mut().enumerate() {
        if index as f64 >= next {
            *object = recast(object);
            next += every;
        }
    }
}
