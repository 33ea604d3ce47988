//! The merge keys driftlab matches built-in lists by (`src/diff/keys.rs`) against what Kubernetes
//! publishes for them: the k8s-openapi crate driftlab builds with generates, for every list of
//! every built-in type, a `DeepMerge` implementation naming its strategy and key fields
//! (`merge_strategies::list::map(&mut self.ports, …, &[|lhs, rhs| lhs.container_port == …])`),
//! from the same `x-kubernetes-list-map-keys` and `patch-merge-key` markers the API server uses.
//!
//! This test reads that source (found with `cargo metadata`, so it follows the crate version in
//! Cargo.lock) and fails when a keyed built-in list is matched by anything but its published key,
//! or when Kubernetes keys a list by a field other than `name` that driftlab's table lacks. Lists
//! keyed by `name` need no entry: `name` is the table's fallback.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use driftlab::diff::keys;
use serde_json::{Map, Value};

/// Lists whose published key driftlab deliberately does not use, and why.
const DELIBERATE: &[(&str, &str)] = &[(
    "ownerReferences",
    "an owner recreated under the same kind and name gets a new uid: keyed by kind and name it \
     reads as one reference whose uid changed, not as one removed and another added",
)];

/// Published keys that only status (noise to driftlab) or alpha APIs use.
const STATUS_ONLY: &[&str] = &[
    "healthConditions",
    "nodeAllocatableResourceClaimStatuses",
    "resources",
    "reservedFor",
    "storageVersions",
];

/// The generated source of the newest Kubernetes version k8s-openapi carries.
fn k8s_openapi_source() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--manifest-path",
        ])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "cargo metadata failed");
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let manifest = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "k8s-openapi")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("k8s-openapi is a dependency");
    let src = Path::new(manifest).parent().unwrap().join("src");
    let newest = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("v1_"))
        .max_by_key(|name| name[3..].parse::<u32>().unwrap_or(0))
        .expect("a generated Kubernetes version");
    src.join(newest)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// What the generated code says of one list field.
#[derive(Debug, Default)]
struct Published {
    /// Key field sets (Rust names) of the types that merge it as a map.
    keys: BTreeSet<Vec<String>>,
    /// Where, for messages.
    files: BTreeSet<String>,
}

/// The Rust field names of `text` after each `marker`, up to the end of the call.
fn merge_calls(text: &str) -> Vec<(String, Vec<String>)> {
    let marker = "crate::merge_strategies::list::map(";
    let mut found = Vec::new();
    for (at, _) in text.match_indices(marker) {
        let call = &text[at + marker.len()..];
        let call = &call[..call.find(");").unwrap_or(call.len())];
        let field = call
            .split("&mut self.")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .unwrap_or_default()
            .trim()
            .to_string();
        let keys = call
            .split("lhs.")
            .skip(1)
            .filter_map(|rest| rest.split(" ==").next())
            .map(|key| key.trim().to_string())
            .collect();
        found.push((field, keys));
    }
    found
}

/// Rust field name → JSON name, from the generated deserialisers (`"hostIPs" => Field::Key_host_ips`).
fn json_names(text: &str, names: &mut HashMap<String, String>) {
    for line in text.lines() {
        let line = line.trim();
        let Some((json, rust)) = line.split_once("\" => Field::Key_") else {
            continue;
        };
        let json = json.trim_start_matches('"');
        let rust = rust.trim_end_matches(',');
        names.insert(rust.to_string(), json.to_string());
    }
}

fn published() -> BTreeMap<String, Published> {
    let mut files = Vec::new();
    let root = k8s_openapi_source();
    rust_files(&root, &mut files);
    assert!(files.len() > 500, "{} generated files", files.len());
    let mut names = HashMap::new();
    let mut calls = Vec::new();
    for file in &files {
        // The generic `List` (items keyed by namespace and name) is a response, not a field.
        if *file == root.join("list.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        json_names(&text, &mut names);
        let short = file
            .to_string_lossy()
            .rsplit("/src/")
            .next()
            .unwrap()
            .to_string();
        calls.extend(merge_calls(&text).into_iter().map(|c| (c, short.clone())));
    }
    let json = |rust: &str| {
        names
            .get(rust.trim_start_matches("r#"))
            .cloned()
            .unwrap_or_else(|| panic!("no JSON name for field {rust}"))
    };
    let mut lists: BTreeMap<String, Published> = BTreeMap::new();
    for ((field, keys), file) in calls {
        if keys.is_empty() {
            continue;
        }
        let entry = lists.entry(json(&field)).or_default();
        // A nested key (`metadata.name`) is a path of fields.
        let path = |key: &String| key.split('.').map(json).collect::<Vec<_>>().join(".");
        entry.keys.insert(keys.iter().map(path).collect());
        entry.files.insert(file);
    }
    lists
}

/// Sets the value at `pointer`, making the objects on the way.
fn set(value: &mut Value, pointer: &str, leaf: Value) {
    let mut at = value;
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let object = at.as_object_mut().unwrap();
        if i + 1 == parts.len() {
            object.insert(part.to_string(), leaf);
            return;
        }
        at = object
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

#[test]
fn built_in_lists_are_keyed_as_kubernetes_publishes() {
    let lists = published();
    assert!(
        lists.contains_key("containers") && lists.contains_key("volumeMounts"),
        "the generated source was read: {:?}",
        lists.keys().collect::<Vec<_>>()
    );
    let mut wrong = Vec::new();
    for (field, published) in &lists {
        if STATUS_ONLY.contains(&field.as_str()) || DELIBERATE.iter().any(|(f, _)| f == field) {
            continue;
        }
        for key_fields in &published.keys {
            if key_fields == &["name"] {
                // The fallback of every list: no entry needed, but an entry must not differ.
                if let Some(key) = keys::for_field(field)
                    && key(&serde_json::json!({"name": "n"})).is_none()
                {
                    wrong.push(format!(
                        "{field}: keyed by name, driftlab keys it otherwise"
                    ));
                }
                continue;
            }
            // An element with distinct values for the key fields must be keyed, by them.
            let mut element = Value::Object(Map::new());
            for (i, key) in key_fields.iter().enumerate() {
                let pointer = format!("/{}", key.replace('.', "/"));
                set(&mut element, &pointer, Value::from(format!("k{i}")));
            }
            let ours = keys::for_field(field).and_then(|key| key(&element));
            let covers = ours
                .as_deref()
                .is_some_and(|ours| (0..key_fields.len()).all(|i| ours.contains(&format!("k{i}"))));
            if !covers {
                wrong.push(format!(
                    "{field}: Kubernetes keys it by {key_fields:?} ({}); driftlab's key: {ours:?}",
                    published.files.iter().next().unwrap()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "built-in list keys that disagree:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_deliberate_exceptions_are_still_published_keys() {
    // An exception for a list Kubernetes no longer keys would hide nothing and mislead.
    let lists = published();
    for (field, why) in DELIBERATE {
        assert!(
            lists.contains_key(*field),
            "{field} ({why}) is not a keyed list any more"
        );
    }
    for field in STATUS_ONLY {
        assert!(
            lists.contains_key(*field),
            "{field} is not a keyed list any more"
        );
    }
}
