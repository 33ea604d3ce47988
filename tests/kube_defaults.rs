//! The server-default and admission-injection knowledge of `driftlab::kube`, checked against
//! objects as an API server returns them.
//!
//! `tests/kube/*.yaml` hold hand-written pairs (see its README): a manifest as people write it,
//! then its live form. Housekeeping that is neither a default nor an injection (status, uid,
//! allocated cluster IPs, the scheduler's nodeName) is removed from the live side first, by
//! driftlab's own pruning where it has a rule.

mod common;

use std::path::{Path, PathBuf};

use driftlab::apiserver::defaults::{
    self, PodSpecOwner, apply_explained, apply_pod_spec, defaulted,
};
use driftlab::apiserver::injected::{self, strip_injected};
use driftlab::format::documents::yaml_values;
use driftlab::normalize::{normalize, prune_for_export};
use serde_json::{Value, json};

/// Annotations that controllers write on the objects they manage: housekeeping, not defaults.
const HOUSEKEEPING_ANNOTATIONS: &[&str] = &[
    "deployment.kubernetes.io/revision",
    "deprecated.daemonset.template.generation",
];

/// Defaults that upstream fills only together: writing one explicitly stops the other. A Job
/// with an explicit `parallelism` gets no `completions` (SetDefaults_Job).
const COUPLED: &[(&str, &str)] = &[("job", "/spec/parallelism")];

/// Pairs whose kinds have no server defaults: the manifest is already its live form.
const WITHOUT_DEFAULTS: &[&str] = &["ingress", "poddisruptionbudget"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kube")
}

fn documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let docs = if path.extension().is_some_and(|e| e == "json") {
        vec![serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))]
    } else {
        yaml_values(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    docs.into_iter().filter(|d| !d.is_null()).collect()
}

/// Every `(name, manifest, live)` of `tests/kube/`, but the pod-versus-template files.
fn pairs() -> Vec<(String, Value, Value)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("tests/kube")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("pod-vs-"))
        })
        .collect();
    paths.sort();
    assert!(paths.len() >= 25, "{} fixture pairs", paths.len());
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut docs = documents(&path).into_iter();
            match (docs.next(), docs.next(), docs.next()) {
                (Some(manifest), Some(live), None) => (name, clean(manifest), clean(live)),
                _ => panic!("{name}: expected a manifest and its live form"),
            }
        })
        .collect()
}

/// driftlab's normalisation plus the controllers' housekeeping annotations.
fn clean(mut object: Value) -> Value {
    normalize(&mut object);
    if let Some(Value::Object(annotations)) = object.pointer_mut("/metadata/annotations") {
        for key in HOUSEKEEPING_ANNOTATIONS {
            annotations.shift_remove(*key);
        }
        if annotations.is_empty()
            && let Some(Value::Object(metadata)) = object.get_mut("metadata")
        {
            metadata.shift_remove("annotations");
        }
    }
    object
}

fn name_kind(object: &Value) -> &str {
    object["kind"].as_str().unwrap_or("")
}

/// The live object without what the cluster allocated or injected: what defaults must explain.
fn live_view(live: &Value) -> Value {
    let mut view = live.clone();
    let kind = name_kind(&view).to_string();
    // Export pruning keeps a headless Service's `clusterIP: None` (a choice, not an
    // allocation); `clusterIPs` goes, and the defaults put it back from clusterIP.
    prune_for_export(&mut view, &kind);
    strip_injected(&mut view);
    if let Some(Value::Object(spec)) = view.get_mut("spec") {
        // The scheduler's binding: not an admission injection, and not a default.
        spec.shift_remove("nodeName");
    }
    view
}

/// The pointers of the leaves where `a` and `b` differ.
fn differences(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let pointer = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (x.get(key), y.get(key)) {
                    (Some(v), Some(w)) => differences(v, w, pointer, out),
                    _ => out.push(pointer),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(v, w, format!("{at}/{i}"), out);
            }
        }
        _ if a != b => out.push(if at.is_empty() { "/".into() } else { at }),
        _ => {}
    }
}

fn diff_paths(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    differences(a, b, String::new(), &mut out);
    out
}

/// A value that is not `value`.
fn other_than(value: &Value) -> Value {
    match value {
        Value::String(s) => json!(format!("{s}-changed")),
        Value::Number(n) => json!(n.as_i64().unwrap_or(0) + 1),
        Value::Bool(b) => json!(!b),
        _ => json!("changed"),
    }
}

fn set(object: &mut Value, pointer: &str, value: Value) {
    let slot = object
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no field at {pointer}"));
    *slot = value;
}

/// Every leaf of `value` (strings, numbers, booleans), with its pointer.
fn leaves(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                leaves(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, format!("{at}/{i}"), out);
            }
        }
        Value::Null => {}
        _ => out.push(at),
    }
}

#[test]
fn every_manifest_defaults_to_its_live_form() {
    for (name, manifest, live) in pairs() {
        let expected = defaulted(&live_view(&live));
        let got = defaulted(&manifest);
        assert!(
            got == expected,
            "{name}: defaulted manifest and defaulted live differ at {:?}",
            diff_paths(&got, &expected)
        );
        // The live object itself (before removing injections) holds each default as filled.
        let filled = apply_explained(&mut manifest.clone());
        let view = live_view(&live);
        for f in &filled {
            let server = view.pointer(&f.pointer).or(live.pointer(&f.pointer));
            let default = got.pointer(&f.pointer);
            // An empty map ({}) as default means "the map is there"; injections may fill it.
            let empty_map = default.is_some_and(|d| d == &json!({}));
            assert!(
                server == default || (empty_map && server.is_some_and(Value::is_object)),
                "{name}: {} ({}) is {default:?}, the server wrote {server:?}",
                f.pointer,
                f.rule
            );
        }
        if WITHOUT_DEFAULTS.contains(&name.as_str()) {
            assert!(filled.is_empty(), "{name}: {filled:?}");
            assert_eq!(manifest, live_view(&live), "{name}");
        } else {
            assert!(!filled.is_empty(), "{name}: no default filled");
        }
        // A live object is complete: defaulting it (allocations pruned, injections kept) adds
        // nothing.
        let mut complete = live.clone();
        let added = apply_explained(&mut complete);
        assert!(added.is_empty(), "{name}: live is incomplete: {added:?}");
    }
}

#[test]
fn a_default_written_explicitly_compares_equal_and_any_other_value_differs() {
    for (name, manifest, live) in pairs() {
        let expected = defaulted(&live_view(&live));
        let complete = defaulted(&manifest);
        for f in apply_explained(&mut manifest.clone()) {
            let Some(default_value) = complete.pointer(&f.pointer).cloned() else {
                panic!("{name}: {} vanished", f.pointer);
            };
            // Explicitly the default: still equal. Where the manifest lacks the field's parent
            // too, the nearest missing ancestor is written, with the defaulted manifest's value.
            let mut explicit = manifest.clone();
            let mut target = f.pointer.as_str();
            while let Some((parent, _)) = target.rsplit_once('/') {
                if parent.is_empty() || explicit.pointer(parent).is_some() {
                    break;
                }
                target = parent;
            }
            let (parent, key) = target.rsplit_once('/').expect("a field");
            let value = complete.pointer(target).cloned().expect("defaulted");
            if let Some(Value::Object(map)) = explicit.pointer_mut(parent) {
                map.insert(key.replace("~1", "/").replace("~0", "~"), value);
            }
            if COUPLED.contains(&(name.as_str(), target)) {
                assert_ne!(
                    defaulted(&explicit),
                    expected,
                    "{name}: {target} is coupled"
                );
            } else {
                assert_eq!(
                    defaulted(&explicit),
                    expected,
                    "{name}: explicit {}",
                    f.pointer
                );
            }
            // Any other value: a difference.
            let mut changed = complete.clone();
            set(&mut changed, &f.pointer, other_than(&default_value));
            assert_ne!(
                defaulted(&changed),
                expected,
                "{name}: {} hid a change",
                f.pointer
            );
        }
    }
}

#[test]
fn changing_any_field_the_manifest_sets_is_a_difference() {
    for (name, manifest, live) in pairs() {
        let expected = defaulted(&live_view(&live));
        let mut set_fields = Vec::new();
        leaves(&manifest, String::new(), &mut set_fields);
        for pointer in set_fields {
            let mut changed = manifest.clone();
            let value = changed.pointer(&pointer).cloned().unwrap_or_default();
            set(&mut changed, &pointer, other_than(&value));
            assert_ne!(
                defaulted(&changed),
                expected,
                "{name}: changing {pointer} went unseen"
            );
        }
    }
}

#[test]
fn apply_is_idempotent_and_keeps_what_is_set_on_every_fixture() {
    for (name, manifest, live) in pairs() {
        for object in [manifest, live] {
            let once = defaulted(&object);
            assert_eq!(defaulted(&once), once, "{name}");
            let mut set_fields = Vec::new();
            leaves(&object, String::new(), &mut set_fields);
            for pointer in set_fields {
                assert_eq!(
                    once.pointer(&pointer),
                    object.pointer(&pointer),
                    "{name}: {pointer}"
                );
            }
        }
    }
}

/// A template's owner and one of its pods: the pod's spec, stripped of injections, and the
/// template's spec, both defaulted as a Pod's, are equal.
fn check_pod_against_template(file: &str, expected_rules: &[&str]) {
    let docs = documents(&fixtures().join(file));
    let [owner, pod] = [&docs[0], &docs[1]];
    let mut pod = pod.clone();
    let mut template_spec = owner
        .pointer("/spec/template/spec")
        .cloned()
        .expect("a template");
    let raw_pod_spec = pod["spec"].clone();
    assert_ne!(raw_pod_spec, template_spec, "{file}: nothing to strip");

    let stripped = strip_injected(&mut pod);
    let mut rules: Vec<&str> = stripped.iter().map(|f| f.rule).collect();
    rules.sort_unstable();
    rules.dedup();
    assert_eq!(rules, expected_rules, "{file}: {stripped:?}");

    let mut pod_spec = pod["spec"].clone();
    if let Some(Value::Object(spec)) = Some(&mut pod_spec) {
        spec.shift_remove("nodeName");
    }
    apply_pod_spec(&mut pod_spec, PodSpecOwner::Pod);
    apply_pod_spec(&mut template_spec, PodSpecOwner::Pod);
    assert!(
        pod_spec == template_spec,
        "{file}: pod and template differ at {:?}",
        diff_paths(&pod_spec, &template_spec)
    );
}

#[test]
fn a_kubernetes_pod_equals_its_replicaset_template_once_injections_are_stripped() {
    check_pod_against_template(
        "pod-vs-replicaset.yaml",
        &[
            "default-tolerations",
            "enable-service-links",
            "preemption-policy",
            "priority",
            "service-account-default",
            "service-account-token-mount",
            "service-account-token-volume",
        ],
    );
}

#[test]
fn an_openshift_pod_equals_its_replication_controller_template_once_injections_are_stripped() {
    check_pod_against_template(
        "pod-vs-deploymentconfig-openshift.yaml",
        &[
            "default-tolerations",
            "enable-service-links",
            "openshift-dockercfg-pull-secret",
            "openshift-scc-assigned",
            "preemption-policy",
            "priority",
            "service-account-token-mount",
            "service-account-token-volume",
        ],
    );
}

#[test]
fn injected_fields_are_explained_one_by_one() {
    let docs = documents(&fixtures().join("pod-vs-replicaset.yaml"));
    let pod = &docs[1];
    let cases = [
        ("/spec/volumes/1", Some("service-account-token-volume")),
        (
            "/spec/volumes/1/projected/sources/0",
            Some("service-account-token-volume"),
        ),
        (
            "/spec/containers/0/volumeMounts/1",
            Some("service-account-token-mount"),
        ),
        ("/spec/tolerations/0", Some("default-tolerations")),
        ("/spec/priority", Some("priority")),
        ("/spec/volumes/0", None),
        ("/spec/containers/0/volumeMounts/0", None),
        ("/spec/nodeName", None),
    ];
    for (pointer, expected) in cases {
        assert_eq!(injected::is_injected(pod, pointer), expected, "{pointer}");
    }
}

// ---- The Argo CD gitops-engine pairs ----------------------------------------------------------

/// The corpus folder, or `None` after a visible `SKIPPED:` line (a failure under CI).
fn argo_corpus() -> Option<PathBuf> {
    common::skip::corpus("argo-gitops-engine")
}

/// What still differs between a defaulted config and its defaulted live object, and why: the
/// pairs Argo CD calls in sync, each with the differences that remain (pointers) and the reason.
const ARGO_PAIRS: &[(&str, &str, &str, &[&str])] = &[
    (
        "deployment",
        "deployment-config.json",
        "deployment-live.json",
        // Argo CD's three-way diff ignores fields absent from both the config and the
        // last-applied annotation; a two-way diff rightly shows the env var added out of band.
        &["/spec/template/spec/containers/0/env"],
    ),
    (
        "elasticsearch",
        "elasticsearch-config.json",
        "elasticsearch-live.json",
        // The config leaves the namespace to Argo CD's Application.
        &["/metadata/namespace"],
    ),
    (
        "smd-deploy",
        "smd-deploy-config.yaml",
        "smd-deploy-live.yaml",
        &[],
    ),
    (
        "spinnaker-sa",
        "spinnaker-sa-config.json",
        "spinnaker-sa-live.json",
        &[],
    ),
    (
        "mutatingwebhookconfig",
        "mutatingwebhookconfig-config.json",
        "mutatingwebhookconfig-live.json",
        &[],
    ),
];

#[test]
fn argo_cd_in_sync_pairs_differ_only_where_a_two_way_diff_must() {
    let Some(dir) = argo_corpus() else {
        return;
    };
    for (name, config, live, expected) in ARGO_PAIRS {
        let config = clean(documents(&dir.join(config)).remove(0));
        let live = clean(documents(&dir.join(live)).remove(0));
        let (mut config_d, mut live_d) = (defaulted(&config), defaulted(&live));
        let by_defaults = diff_paths(&config_d, &live_d);
        strip_injected(&mut config_d);
        strip_injected(&mut live_d);
        let remaining = diff_paths(&config_d, &live_d);
        eprintln!("{name}: after defaults {by_defaults:?}; after injections too {remaining:?}");
        assert_eq!(remaining, *expected, "{name}");
    }
}

#[test]
fn argo_cd_pairs_need_the_knowledge() {
    // Without it, the same pairs differ in many places: the tables do the work.
    let Some(dir) = argo_corpus() else {
        return;
    };
    for (name, config, live, expected) in ARGO_PAIRS {
        let config = clean(documents(&dir.join(config)).remove(0));
        let live = clean(documents(&dir.join(live)).remove(0));
        assert!(diff_paths(&config, &live).len() > expected.len(), "{name}");
    }
    assert!(defaults::covers(
        &json!({"apiVersion": "apps/v1", "kind": "StatefulSet"})
    ));
}
