//! Pods that differ from their own controller's template in the same snapshot: a pod definition
//! edited by hand (`oc edit pod`, `kubectl set image pod/…`), which no later rollout explains.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::diff::path::Segment;
use crate::diff::value::{Change, ValueOptions, diff};
use crate::snapshot::{ObjectKey, Snapshot, kinds};

/// A pod that differs from its controller's template.
#[derive(Clone, Debug)]
pub struct Mismatch {
    /// The pod.
    pub pod: ObjectKey,
    /// Its controller: kind and name.
    pub owner: (String, String),
    /// Template value → pod value, at paths of the pod (`spec.containers[web].image`).
    pub changes: Vec<Change>,
}

/// The container fields a pod copies from its template unchanged (admission plugins and SCCs
/// add others, which are left out).
const CONTAINER_FIELDS: &[&str] = &[
    "image",
    "command",
    "args",
    "env",
    "envFrom",
    "ports",
    "resources",
    "readinessProbe",
    "livenessProbe",
    "startupProbe",
    "volumeMounts",
    "workingDir",
    "lifecycle",
];

const TOKEN_MOUNT: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The comparable part of a pod spec: selected container fields, without the service-account
/// token volume and mount the API server injects.
fn comparable(spec: &Value) -> Value {
    let containers = |field: &str| -> Value {
        let list = spec
            .get(field)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Value::Array(
            list.into_iter()
                .map(|c| {
                    let mut kept = serde_json::Map::new();
                    kept.insert("name".into(), c.get("name").cloned().unwrap_or(Value::Null));
                    for field in CONTAINER_FIELDS {
                        if let Some(value) = c.get(*field) {
                            let mut value = value.clone();
                            if *field == "volumeMounts"
                                && let Value::Array(mounts) = &mut value
                            {
                                mounts.retain(|m| {
                                    m.get("mountPath").and_then(Value::as_str) != Some(TOKEN_MOUNT)
                                });
                            }
                            kept.insert((*field).into(), value);
                        }
                    }
                    Value::Object(kept)
                })
                .collect(),
        )
    };
    let volumes: Vec<Value> = spec
        .get("volumes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|v| {
            !v.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.contains("-token-"))
        })
        .collect();
    json!({"containers": containers("containers"), "initContainers": containers("initContainers"), "volumes": volumes})
}

/// Every pod of `snapshot` that differs from its controller's template.
///
/// Analysis asks only about pods that changed between the snapshots, or whose controller did: a
/// pod edited by hand between two nights is one of them, and checking every pod of a large
/// cluster twice would cost more than the whole diff.
pub fn mismatches(snapshot: &Snapshot, wanted: impl Fn(&ObjectKey) -> bool) -> Vec<Mismatch> {
    let mut templates: HashMap<ObjectKey, Option<Value>> = HashMap::new();
    let mut found = Vec::new();
    for (key, stored) in snapshot
        .iter()
        .filter(|(k, _)| k.kind == "Pod" && k.group.is_empty() && wanted(k))
    {
        let pod = stored.value();
        let Some((owner_kind, owner_name)) = super::refs::owner_of("Pod", &pod) else {
            continue;
        };
        let owner_key = ObjectKey {
            namespace: key.namespace.clone(),
            group: kinds::lookup(&owner_kind, "")
                .map(|k| k.group.to_string())
                .unwrap_or_default(),
            kind: owner_kind.clone(),
            name: owner_name.clone(),
        };
        // Many pods share one controller: its comparable template is worked out once.
        let template = templates.entry(owner_key).or_insert_with_key(|owner_key| {
            let owner = snapshot.get(owner_key)?.value();
            let (_, template) = super::refs::pod_template(&owner_key.kind, &owner)?;
            Some(comparable(template.get("spec")?))
        });
        let (Some(template), Some(pod_spec)) = (template.as_ref(), pod.get("spec")) else {
            continue;
        };
        let mut changes = diff(
            "Pod",
            template,
            &comparable(pod_spec),
            &ValueOptions::default(),
        );
        if changes.is_empty() {
            continue;
        }
        for change in &mut changes {
            change.path.0.insert(0, Segment::Field("spec".into()));
        }
        found.push(Mismatch {
            pod: key.clone(),
            owner: (owner_kind, owner_name),
            changes,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injected_token_mounts_and_scc_fields_do_not_count() {
        let template = json!({"containers": [{"name": "web", "image": "a", "volumeMounts": [{"name": "c", "mountPath": "/etc"}]}], "volumes": [{"name": "c"}]});
        let pod = json!({"containers": [{"name": "web", "image": "a", "securityContext": {"runAsUser": 1000},
            "volumeMounts": [{"name": "c", "mountPath": "/etc"}, {"name": "default-token-x", "mountPath": TOKEN_MOUNT}]}],
            "volumes": [{"name": "c"}, {"name": "default-token-x"}], "nodeName": "n1"});
        assert_eq!(comparable(&template), comparable(&pod));
        let mut edited = pod.clone();
        edited["containers"][0]["image"] = json!("b");
        assert_ne!(comparable(&template), comparable(&edited));
    }
}
