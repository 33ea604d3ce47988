//! The OpenAPI documents `kubectl explain` reads: `/openapi/v3` (the root, naming one document
//! per group version) and `/openapi/v3/apis/GROUP/VERSION`, and `/openapi/v2` (one Swagger
//! document) for older clients.
//!
//! Custom resources take their schemas from their definitions in the snapshot, named as the API
//! server names them (`io.k8s.networking.gateway.v1.GRPCRoute`). Built-in kinds take theirs from
//! `builtin.json`, generated from the `k8s-openapi` crate's `schemars` feature for the common
//! kinds (pods, services, config maps, secrets, namespaces, persistent volumes and claims, nodes,
//! service accounts, replication controllers, deployments, replica sets, stateful sets, daemon
//! sets, jobs, cron jobs, ingresses, horizontal pod autoscalers) and the types they use: the
//! feature itself more than doubled the crate's build time, so the schemas are data, not code.
//! To regenerate, build a program against `k8s-openapi` (features `latest`, `schemars`) that
//! calls `SchemaSettings::openapi3().into_generator()`, `subschema_for` each kind, adds each
//! kind's `x-kubernetes-group-version-kind`, and prints `{"schemas": take_definitions(true)}`.
//!
//! The documents are built on the first request for any of them and kept: they are large, and
//! the snapshot never changes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use crate::schema::crd::Crd;
use crate::snapshot::kinds;

/// The built-in schemas, by name.
const BUILT_IN: &str = include_str!("builtin.json");

const REF_PREFIX: &str = "#/components/schemas/";
const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// The documents, built once.
#[derive(Debug, Default)]
pub(crate) struct Documents {
    built: OnceLock<Built>,
}

#[derive(Debug)]
struct Built {
    /// `/openapi/v3`.
    root: String,
    /// `api/v1`, `apis/apps/v1`, … and their documents.
    group_versions: BTreeMap<String, String>,
    /// `/openapi/v2`.
    swagger: String,
}

impl Documents {
    /// The document at `/openapi/<rest>`, if there is one.
    pub(crate) fn get(
        &self,
        crds: &BTreeMap<(String, String), Crd>,
        rest: &[&str],
    ) -> Option<&str> {
        let built = self.built.get_or_init(|| build(crds));
        match rest {
            ["v2"] => Some(&built.swagger),
            ["v3"] => Some(&built.root),
            ["v3", path @ ..] => built
                .group_versions
                .get(&path.join("/"))
                .map(String::as_str),
            _ => None,
        }
    }
}

/// The schema name the API server gives a custom resource: the group reversed, the version, the
/// kind (`gateway.networking.k8s.io`, `v1`, `Gateway`: `io.k8s.networking.gateway.v1.Gateway`).
pub(crate) fn crd_schema_name(group: &str, version: &str, kind: &str) -> String {
    let reversed: Vec<&str> = group.split('.').rev().collect();
    format!("{}.{version}.{kind}", reversed.join("."))
}

fn build(crds: &BTreeMap<(String, String), Crd>) -> Built {
    let mut schemas: Map<String, Value> = serde_json::from_str::<Value>(BUILT_IN)
        .ok()
        .and_then(|mut v| v.get_mut("schemas").map(Value::take))
        .and_then(|v| match v {
            Value::Object(map) => Some(map),
            _ => None,
        })
        .unwrap_or_default();
    // Which kinds each group version's document serves.
    let mut roots: BTreeMap<String, Vec<Root>> = BTreeMap::new();
    for (name, schema) in &schemas {
        for (group, version, kind) in gvks(schema) {
            let Some(info) = kinds::lookup(&kind, &group) else {
                continue;
            };
            let root = Root {
                schema: name.clone(),
                gvk: json!({"group": group, "version": version, "kind": kind}),
                plural: info.plural.to_string(),
                namespaced: info.namespaced,
            };
            roots
                .entry(gv_path(&group, &version))
                .or_default()
                .push(root);
        }
    }
    for crd in crds.values() {
        for version in crd.versions.iter().filter(|v| v.served) {
            let name = crd_schema_name(&crd.group, &version.name, &crd.names.kind);
            let schema = crd_schema(crd, &version.name, version.schema.as_ref());
            schemas.insert(name.clone(), schema);
            let root = Root {
                schema: name,
                gvk: json!({"group": crd.group, "version": version.name, "kind": crd.names.kind}),
                plural: crd.names.plural.clone(),
                namespaced: crd.namespaced,
            };
            roots
                .entry(gv_path(&crd.group, &version.name))
                .or_default()
                .push(root);
        }
    }
    let mut group_versions = BTreeMap::new();
    let mut paths = Map::new();
    for (path, kinds) in roots {
        let document = group_version_document(&schemas, &path, &kinds);
        let hash = format!("{:016X}", xxhash_rust::xxh3::xxh3_64(document.as_bytes()));
        paths.insert(
            path.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={hash}")}),
        );
        group_versions.insert(path, document);
    }
    let root = json!({"paths": paths}).to_string();
    let swagger = swagger(&schemas);
    Built {
        root,
        group_versions,
        swagger,
    }
}

/// A kind a group version's document serves.
struct Root {
    /// Its schema's name.
    schema: String,
    /// `{"group", "version", "kind"}`.
    gvk: Value,
    plural: String,
    namespaced: bool,
}

/// The document of one group version: a `get` path per kind (where `kubectl explain` finds the
/// kind of a resource), and the kinds' schemas with every schema they refer to.
fn group_version_document(schemas: &Map<String, Value>, path: &str, kinds: &[Root]) -> String {
    let mut paths = Map::new();
    for root in kinds {
        let resource = if root.namespaced {
            format!("/{path}/namespaces/{{namespace}}/{}", root.plural)
        } else {
            format!("/{path}/{}", root.plural)
        };
        let reference = json!({"$ref": format!("{REF_PREFIX}{}", root.schema)});
        paths.insert(
            resource,
            json!({"get": {
                "x-kubernetes-group-version-kind": root.gvk,
                "responses": {"200": {"description": "OK",
                    "content": {"application/json": {"schema": reference}}}},
            }}),
        );
    }
    let names: Vec<String> = kinds.iter().map(|k| k.schema.clone()).collect();
    let mut components = Map::new();
    for name in closure(schemas, &names) {
        if let Some(schema) = schemas.get(&name) {
            components.insert(name, schema.clone());
        }
    }
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.32.0"},
        "paths": paths,
        "components": {"schemas": components},
    })
    .to_string()
}

/// `api/v1` for the core group, `apis/GROUP/VERSION` for the others.
fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// The `(group, version, kind)`s a schema says it is.
fn gvks(schema: &Value) -> Vec<(String, String, String)> {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    schema
        .get("x-kubernetes-group-version-kind")
        .and_then(Value::as_array)
        .map(|all| {
            all.iter()
                .map(|g| (text(g, "group"), text(g, "version"), text(g, "kind")))
                .collect()
        })
        .unwrap_or_default()
}

/// A definition's schema for `version` as the API server publishes it: its own (or one that
/// takes anything), with `apiVersion`, `kind` and `metadata` described as for every object.
fn crd_schema(crd: &Crd, version: &str, schema: Option<&Value>) -> Value {
    let mut schema = match schema {
        Some(Value::Object(map)) => Value::Object(map.clone()),
        _ => json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
    };
    if let Some(map) = schema.as_object_mut() {
        let properties = map
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(properties) = properties.as_object_mut() {
            properties.insert("apiVersion".into(), json!({"type": "string",
                "description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."}));
            properties.insert("kind".into(), json!({"type": "string",
                "description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."}));
            properties.insert("metadata".into(), json!({
                "allOf": [{"$ref": format!("{REF_PREFIX}{OBJECT_META}")}],
                "description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"}));
        }
        map.insert(
            "x-kubernetes-group-version-kind".into(),
            json!([{"group": crd.group, "version": version, "kind": crd.names.kind}]),
        );
    }
    schema
}

/// `names` and every schema they refer to, directly or not.
fn closure(schemas: &Map<String, Value>, names: &[String]) -> BTreeSet<String> {
    let mut seen: BTreeSet<String> = names.iter().cloned().collect();
    let mut queue: Vec<String> = names.to_vec();
    while let Some(name) = queue.pop() {
        let Some(schema) = schemas.get(&name) else {
            continue;
        };
        for target in references(schema) {
            if seen.insert(target.clone()) {
                queue.push(target);
            }
        }
    }
    seen
}

/// The schema names `value` refers to (`$ref`), walked without recursion so that no schema is
/// too deep for it.
fn references(value: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref")
                    && let Some(name) = target.strip_prefix(REF_PREFIX)
                {
                    found.insert(name.to_string());
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    found
}

/// The Swagger 2.0 document: every schema under `definitions`, references pointed there.
fn swagger(schemas: &Map<String, Value>) -> String {
    let definitions = Value::Object(schemas.clone());
    let text = json!({
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": "v1.32.0"},
        "paths": {},
        "definitions": definitions,
    })
    .to_string();
    // A reference is the only place the prefix appears as a JSON string's start.
    text.replace(&format!("\"{REF_PREFIX}"), "\"#/definitions/")
}

#[cfg(test)]
mod tests;
