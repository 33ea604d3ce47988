//! The pruning rules: which fields are housekeeping that the API server writes, not state a person
//! chose. Both sides of a diff pass through [`normalize`], so archives pruned by different tools
//! (openshift-backup's jq, kubectl-neat, driftlab's export) compare cleanly; `driftlab export`
//! prunes with [`prune_for_export`], which adds the per-type rules of the original tool.

use serde_json::{Map, Value, json};

/// One field that pruning removes.
#[derive(Debug, Clone, Copy)]
pub struct PruneRule {
    /// The rule's name, for documentation and explanations.
    pub name: &'static str,
    /// Restricts the rule to one kind (`None`: every kind).
    pub kind: Option<&'static str>,
    /// The path of the field. `[]` steps into every element of a list.
    pub path: &'static [&'static str],
}

const fn rule(name: &'static str, path: &'static [&'static str]) -> PruneRule {
    PruneRule {
        name,
        kind: None,
        path,
    }
}

const fn kind_rule(
    name: &'static str,
    kind: &'static str,
    path: &'static [&'static str],
) -> PruneRule {
    PruneRule {
        name,
        kind: Some(kind),
        path,
    }
}

/// The annotation `kubectl apply` writes: a full copy of the applied object (secret values
/// included), so it is both noise and a leak.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Server-written fields removed from every object before comparing.
pub const GENERIC_RULES: &[PruneRule] = &[
    rule("status", &["status"]),
    rule("uid", &["metadata", "uid"]),
    rule("selfLink", &["metadata", "selfLink"]),
    rule("resourceVersion", &["metadata", "resourceVersion"]),
    rule("creationTimestamp", &["metadata", "creationTimestamp"]),
    rule("generation", &["metadata", "generation"]),
    rule("managedFields", &["metadata", "managedFields"]),
    rule("deletionTimestamp", &["metadata", "deletionTimestamp"]),
    rule(
        "deletionGracePeriodSeconds",
        &["metadata", "deletionGracePeriodSeconds"],
    ),
    rule("last-applied", &["metadata", "annotations", LAST_APPLIED]),
];

/// The per-type rules of the original openshift-backup tool, applied by `driftlab export` on top of
/// [`GENERIC_RULES`]. They are not applied when comparing, so `--all` can still show such changes.
pub const EXPORT_TYPE_RULES: &[PruneRule] = &[
    kind_rule("service-cluster-ip", "Service", &["spec", "clusterIP"]),
    kind_rule("service-cluster-ips", "Service", &["spec", "clusterIPs"]),
    kind_rule(
        "dc-last-triggered-image",
        "DeploymentConfig",
        &[
            "spec",
            "triggers",
            "[]",
            "imageChangeParams",
            "lastTriggeredImage",
        ],
    ),
    kind_rule(
        "imagestream-repository-check",
        "ImageStream",
        &[
            "metadata",
            "annotations",
            "openshift.io/image.dockerRepositoryCheck",
        ],
    ),
    kind_rule(
        "pvc-bind-completed",
        "PersistentVolumeClaim",
        &["metadata", "annotations", "pv.kubernetes.io/bind-completed"],
    ),
    kind_rule(
        "pvc-bound-by-controller",
        "PersistentVolumeClaim",
        &[
            "metadata",
            "annotations",
            "pv.kubernetes.io/bound-by-controller",
        ],
    ),
    kind_rule(
        "pvc-storage-provisioner",
        "PersistentVolumeClaim",
        &[
            "metadata",
            "annotations",
            "volume.beta.kubernetes.io/storage-provisioner",
        ],
    ),
    kind_rule(
        "pvc-volume-name",
        "PersistentVolumeClaim",
        &["spec", "volumeName"],
    ),
];

/// Normalises an object for comparison: removes the fields of [`GENERIC_RULES`], map entries whose
/// value is `null` (Kubernetes treats them as absent), and `metadata.labels`/`annotations` maps
/// left empty.
pub fn normalize(object: &mut Value) {
    apply_rules(object, GENERIC_RULES, None);
    empty_secret_values(object);
    remove_nulls(object);
    drop_empty_metadata_maps(object);
}

/// Puts back into `object`'s metadata what pruning removed and a reader keeps for attribution:
/// `managedFields` and the last-applied annotation (its text), each when given.
pub fn restore_provenance(object: &mut Value, managed: Option<Value>, last_applied: Option<Value>) {
    let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if let Some(managed) = managed {
        metadata.insert("managedFields".into(), managed);
    }
    if let Some(applied) = last_applied {
        let annotations = metadata
            .entry("annotations")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(map) = annotations.as_object_mut() {
            map.insert(LAST_APPLIED.into(), applied);
        }
    }
}

/// Prunes an object for an export archive: [`normalize`] plus the per-type rules of
/// [`EXPORT_TYPE_RULES`] for `kind`.
pub fn prune_for_export(object: &mut Value, kind: &str) {
    apply_rules(object, GENERIC_RULES, None);
    // `clusterIP: None` makes a Service headless: a choice someone wrote, not an allocation.
    let headless = kind == "Service" && object.pointer("/spec/clusterIP") == Some(&json!("None"));
    apply_rules(object, EXPORT_TYPE_RULES, Some(kind));
    if headless && let Some(Value::Object(spec)) = object.get_mut("spec") {
        spec.insert("clusterIP".into(), json!("None"));
    }
    empty_secret_values(object);
    remove_nulls(object);
    drop_empty_metadata_maps(object);
}

fn apply_rules(object: &mut Value, rules: &[PruneRule], kind: Option<&str>) {
    for rule in rules {
        if rule.kind.is_none() || rule.kind == kind {
            remove_path(object, rule.path);
        }
    }
}

/// Removes the field at `path` (with `[]` stepping into each list element), if present.
pub fn remove_path(value: &mut Value, path: &[&str]) {
    match path {
        [] => {}
        ["[]", rest @ ..] => {
            if let Value::Array(items) = value {
                for item in items {
                    remove_path(item, rest);
                }
            }
        }
        [last] => {
            if let Value::Object(map) = value {
                map.shift_remove(*last);
            }
        }
        [first, rest @ ..] => {
            if let Some(child) = value.get_mut(*first) {
                remove_path(child, rest);
            }
        }
    }
}

/// A Secret's `data` value `null` is the empty value the API server returns for `""` (a nil
/// `[]byte`), not an absent key: kept as `""` so that `null` and `""` compare equal and neither
/// reads as a removed key.
fn empty_secret_values(object: &mut Value) {
    if object.get("kind").and_then(Value::as_str) != Some("Secret") {
        return;
    }
    for field in ["data", "stringData"] {
        if let Some(Value::Object(map)) = object.get_mut(field) {
            for value in map.values_mut().filter(|v| v.is_null()) {
                *value = Value::String(String::new());
            }
        }
    }
}

fn remove_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.values().any(Value::is_null) {
                map.retain(|_, v| !v.is_null());
            }
            map.values_mut().for_each(remove_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(remove_nulls),
        _ => {}
    }
}

fn drop_empty_metadata_maps(object: &mut Value) {
    if let Some(Value::Object(metadata)) = object.get_mut("metadata") {
        for key in ["annotations", "labels"] {
            if metadata
                .get(key)
                .is_some_and(|v| v.as_object().is_some_and(Map::is_empty))
            {
                metadata.shift_remove(key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generic_rules_remove_server_fields_and_keep_the_rest() {
        let mut obj = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {
                "name": "web", "namespace": "p", "uid": "u", "selfLink": "/x",
                "resourceVersion": "5", "creationTimestamp": null, "generation": 2,
                "managedFields": [], "deletionTimestamp": "t", "deletionGracePeriodSeconds": 30,
                "annotations": {LAST_APPLIED: "{}"}, "labels": {"app": "web"}
            },
            "data": {"a": "1"},
            "status": {"phase": "x"}
        });
        normalize(&mut obj);
        assert_eq!(
            obj,
            json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "web", "namespace": "p", "labels": {"app": "web"}},
                "data": {"a": "1"}
            })
        );
    }

    #[test]
    fn nulls_are_absent_but_empty_volumes_are_not() {
        let mut obj = json!({"kind": "Pod", "metadata": {"name": "p", "labels": {}},
            "spec": {"volumes": [{"name": "tmp", "emptyDir": {}}], "nodeName": null}});
        normalize(&mut obj);
        assert_eq!(
            obj,
            json!({"kind": "Pod", "metadata": {"name": "p"},
                "spec": {"volumes": [{"name": "tmp", "emptyDir": {}}]}})
        );
    }

    #[test]
    fn export_rules_follow_the_original_tool() {
        let mut svc = json!({"kind": "Service", "metadata": {"name": "s"},
            "spec": {"clusterIP": "10.0.0.1", "clusterIPs": ["10.0.0.1"], "ports": []}});
        prune_for_export(&mut svc, "Service");
        assert_eq!(svc["spec"], json!({"ports": []}));
        // A headless Service keeps what makes it headless.
        let mut headless = json!({"kind": "Service", "metadata": {"name": "s"},
            "spec": {"clusterIP": "None", "clusterIPs": ["None"], "ports": []}});
        prune_for_export(&mut headless, "Service");
        assert_eq!(headless["spec"], json!({"ports": [], "clusterIP": "None"}));

        let mut dc = json!({"kind": "DeploymentConfig", "metadata": {"name": "web"},
            "spec": {"triggers": [{"type": "ConfigChange"},
                {"type": "ImageChange", "imageChangeParams": {"from": {"name": "web:latest"},
                 "lastTriggeredImage": "reg/web@sha256:1"}}]}});
        prune_for_export(&mut dc, "DeploymentConfig");
        assert_eq!(
            dc["spec"]["triggers"][1]["imageChangeParams"],
            json!({"from": {"name": "web:latest"}})
        );

        // The Service rule does not touch other kinds.
        let mut other =
            json!({"kind": "Widget", "metadata": {"name": "w"}, "spec": {"clusterIP": "x"}});
        prune_for_export(&mut other, "Widget");
        assert_eq!(other["spec"]["clusterIP"], "x");
    }
}
