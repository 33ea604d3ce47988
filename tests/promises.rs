//! README promises that had no test through the command: each test is named after the sentence
//! it proves and runs `driftlab` as a user would (see tests/README.md for the map).

mod common;

use std::path::Path;

use common::{driftlab, stderr, stdout};
use serde_json::Value;

/// Writes `old` and `new` (YAML or JSON manifests) into `dir` and runs `driftlab diff` on them
/// with `extra` arguments.
fn diff_docs(dir: &Path, old: &str, new: &str, extra: &[&str]) -> std::process::Output {
    let old = common::write(dir, "old/objects.yaml", old.as_bytes());
    let new = common::write(dir, "new/objects.yaml", new.as_bytes());
    driftlab()
        .args(["diff", &old, &new])
        .args(extra)
        .output()
        .unwrap()
}

fn json_report(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(output), stderr(output)))
}

// ---- What "semantic" means here: normalisation (src/normalize.rs) ----

/// "`null` values … are dropped", at any depth: inside list elements too.
#[test]
fn null_values_are_dropped_inside_list_elements_too() {
    let dir = tempfile::tempdir().unwrap();
    let old = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: p}\n\
spec:\n  template:\n    spec:\n      containers:\n      - {name: web, image: 'web:1', command: null, env: [{name: A, value: '1', valueFrom: null}]}\n";
    let new = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: p}\n\
spec:\n  template:\n    spec:\n      containers:\n      - {name: web, image: 'web:1', env: [{name: A, value: '1'}]}\n";
    let output = diff_docs(dir.path(), old, new, &["--all"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    // Not a null-only artefact of the test: a real value in the same place is a difference.
    let changed = new.replace("image: 'web:1', env", "image: 'web:1', command: [sh], env");
    let output = diff_docs(dir.path(), old, &changed, &["--name-only"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

/// A Secret's `data` value `null` is the empty value (`""`), not an absent key.
#[test]
fn a_null_secret_value_is_the_empty_value_not_a_removed_key() {
    let dir = tempfile::tempdir().unwrap();
    let secret = |data: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: p}}\ntype: Opaque\ndata: {data}\n"
        )
    };
    let output = diff_docs(
        dir.path(),
        &secret("{a: null, b: Yg==}"),
        &secret("{a: '', b: Yg==}"),
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let output = diff_docs(
        dir.path(),
        &secret("{a: null, b: Yg==}"),
        &secret("{b: Yg==}"),
        &["--output", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_report(&output);
    let changes = &report["objects"][0]["changes"];
    assert_eq!(changes[0]["path"], "data.a", "{changes}");
    assert_eq!(changes[0]["op"], "remove", "{changes}");
}
