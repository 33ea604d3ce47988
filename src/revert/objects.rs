//! What the plan needs to know about objects: who owns them, how a deleted object comes back
//! clean, whether a secret value is only a fingerprint; and what today's side holds: which
//! autoscaler sets an object's replicas, what an object refers to that is missing.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::analyze::refs;
use crate::analyze::relation::Owner;
use crate::secret;
use crate::snapshot::{ObjectKey, Snapshot, kinds};

/// The controller that makes an object (its topmost owner found in `snapshots`), or `None` for
/// an object people own.
pub fn controller(key: &ObjectKey, value: &Value, snapshots: &[&Snapshot]) -> Option<Owner> {
    let mut owner = refs::owner_of(&key.kind, value)?;
    // A pod of a ReplicaSet of a Deployment: the Deployment is what to revert.
    for _ in 0..4 {
        let owner_key = owner.key(&key.namespace);
        let Some(above) = snapshots
            .iter()
            .find_map(|s| s.get(&owner_key).or_else(|| s.owner(&owner_key)))
            .and_then(|stored| refs::owner_of(&owner.kind, &stored.value()))
        else {
            break;
        };
        owner = above;
    }
    Some(owner)
}

/// The `apiVersion` to create an object with today: an OpenShift 3 `v1` `DeploymentConfig`
/// becomes `apps.openshift.io/v1`, the group its kind has now.
pub fn api_version_today(key: &ObjectKey, api_version: &str) -> String {
    if api_version.contains('/') || key.group.is_empty() {
        api_version.to_string()
    } else {
        format!("{}/{api_version}", key.group)
    }
}

/// The name kubectl takes for the object's type: `deploymentconfigs.apps.openshift.io`; for a
/// kind driftlab does not know, its singular (a CustomResourceDefinition's default singular is
/// the lower-cased kind, which kubectl resolves; its plural can only be guessed).
pub fn resource(key: &ObjectKey) -> String {
    let plural = match kinds::lookup(&key.kind, &key.group) {
        Some(_) => kinds::plural_of(&key.kind, &key.group),
        None => key.kind.to_ascii_lowercase(),
    };
    if key.group.is_empty() {
        plural
    } else {
        format!("{plural}.{}", key.group)
    }
}

/// GOOD's object ready for `kubectl apply`: no server-set metadata, no status (normalisation
/// took them), none of what the cluster assigned (a Service's cluster IPs, a pod's node, a bound
/// claim's volume), today's `apiVersion`.
pub fn clean_manifest(key: &ObjectKey, good: &Value, api_version: &str) -> Value {
    let mut object = good.clone();
    let Some(map) = object.as_object_mut() else {
        return object;
    };
    map.insert("apiVersion".into(), Value::String(api_version.to_string()));
    map.shift_remove("status");
    if let Some(Value::Object(metadata)) = map.get_mut("metadata") {
        for field in [
            "uid",
            "resourceVersion",
            "selfLink",
            "generation",
            "managedFields",
        ] {
            metadata.shift_remove(field);
        }
        metadata.shift_remove("creationTimestamp");
        metadata.shift_remove("ownerReferences");
    }
    let bound = annotation(map, "pv.kubernetes.io/bind-completed").is_some()
        || annotation(map, "pv.kubernetes.io/bound-by-controller").is_some();
    if let Some(Value::Object(spec)) = map.get_mut("spec") {
        match key.kind.as_str() {
            "Service" if spec.get("clusterIP").and_then(Value::as_str) != Some("None") => {
                spec.shift_remove("clusterIP");
                spec.shift_remove("clusterIPs");
            }
            "Pod" => {
                spec.shift_remove("nodeName");
            }
            "PersistentVolumeClaim" if bound => {
                spec.shift_remove("volumeName");
            }
            _ => {}
        }
    }
    if let Some(Value::Object(annotations)) = map
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
    {
        for set_by_cluster in [
            "pv.kubernetes.io/bind-completed",
            "pv.kubernetes.io/bound-by-controller",
            "deployment.kubernetes.io/revision",
        ] {
            annotations.shift_remove(set_by_cluster);
        }
    }
    object
}

fn annotation<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get("metadata")?.get("annotations")?.get(name)
}

/// Whether a stored secret value is a fingerprint (`sha256:…`, `hmac-sha256:…`) rather than
/// the value: hashing it again leaves it as it is.
pub fn is_fingerprint(value: &Value) -> bool {
    value.is_string() && secret::hash_for_archive(value, false, None) == *value
}

/// Whether a value is a fingerprint, or a map holding one (a Secret's whole `data`).
pub fn holds_fingerprint(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.values().any(is_fingerprint),
        other => is_fingerprint(other),
    }
}

/// The secret values of a Secret that are only fingerprints: `data.password`.
pub fn fingerprinted_values(object: &Value) -> Vec<String> {
    ["data", "stringData"]
        .iter()
        .flat_map(|field| {
            object
                .get(*field)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(_, v)| is_fingerprint(v))
                .map(move |(k, _)| format!("{field}.{k}"))
        })
        .collect()
}

/// Something an object refers to that today's side lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    /// Its kind.
    pub kind: String,
    /// Its namespace (empty for a cluster-scoped object).
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// How it is referred to: `ConfigMap settings (env MODE)`.
    pub text: String,
}

impl Missing {
    fn of(kind: &str, namespace: &str, name: &str) -> Missing {
        Missing {
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
            text: format!("{kind} {name}"),
        }
    }
}

/// What today's side holds, to tell what an object refers to that it lacks.
pub struct Holdings<'a> {
    current: &'a Snapshot,
    kinds: BTreeSet<String>,
    namespaces: BTreeSet<String>,
    /// `(namespace, kind, name)` of what an autoscaler scales → the autoscaler's name.
    autoscaled: BTreeMap<(String, String, String), String>,
}

impl<'a> Holdings<'a> {
    /// What `current` holds.
    pub fn new(current: &'a Snapshot) -> Holdings<'a> {
        let autoscaled = current
            .iter()
            .filter(|(k, _)| k.kind == "HorizontalPodAutoscaler")
            .filter_map(|(k, stored)| {
                let target = stored.value().pointer("/spec/scaleTargetRef")?.clone();
                let field = |name: &str| target.get(name)?.as_str().map(String::from);
                let scaled = (k.namespace.clone(), field("kind")?, field("name")?);
                Some((scaled, k.name.clone()))
            })
            .collect();
        Holdings {
            current,
            kinds: current.kinds().into_iter().map(|(kind, _)| kind).collect(),
            namespaces: current.namespaces().into_iter().collect(),
            autoscaled,
        }
    }

    /// The HorizontalPodAutoscaler that scales `key`, by name.
    pub fn autoscaler(&self, key: &ObjectKey) -> Option<&str> {
        self.autoscaled
            .get(&(key.namespace.clone(), key.kind.clone(), key.name.clone()))
            .map(String::as_str)
    }

    /// Whether `kind`/`name` of `namespace` is missing, for a kind today's side was read for
    /// (a side read with `--kind dc` says nothing of ConfigMaps).
    fn lacks(&self, namespace: &str, kind: &str, group: &str, name: &str) -> bool {
        self.kinds.contains(kind)
            && self
                .current
                .get(&ObjectKey {
                    namespace: namespace.to_string(),
                    kind: kind.to_string(),
                    name: name.to_string(),
                    group: group.to_string(),
                })
                .is_none()
    }

    /// What `value` (the object `key` as it will be) refers to that today's side lacks:
    /// ConfigMaps, Secrets, its ServiceAccount, claims, pull secrets; for an object to create,
    /// also its namespace and the CustomResourceDefinition of a custom resource.
    pub fn missing(&self, key: &ObjectKey, value: &Value, creating: bool) -> Vec<Missing> {
        let ns = key.namespace.as_str();
        let mut missing = Vec::new();
        let spec = if key.kind == "Pod" {
            value.get("spec").cloned()
        } else {
            refs::pod_template(&key.kind, value).and_then(|(_, t)| t.get("spec").cloned())
        };
        if let Some(spec) = spec {
            for reference in refs::references(&spec) {
                if self.lacks(ns, reference.kind, "", &reference.name) {
                    missing.push(Missing {
                        kind: reference.kind.into(),
                        namespace: ns.into(),
                        text: format!("{} {} ({})", reference.kind, reference.name, reference.how),
                        name: reference.name,
                    });
                }
            }
            let account = spec
                .get("serviceAccountName")
                .or_else(|| spec.get("serviceAccount"))
                .and_then(Value::as_str)
                .filter(|a| *a != "default");
            if let Some(account) = account
                && self.lacks(ns, "ServiceAccount", "", account)
            {
                missing.push(Missing::of("ServiceAccount", ns, account));
            }
            for claim in spec
                .get("volumes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.pointer("/persistentVolumeClaim/claimName"))
                .filter_map(Value::as_str)
            {
                if self.lacks(ns, "PersistentVolumeClaim", "", claim) {
                    missing.push(Missing::of("PersistentVolumeClaim", ns, claim));
                }
            }
        }
        if creating {
            let namespace_object = ObjectKey {
                namespace: String::new(),
                kind: "Namespace".into(),
                name: ns.to_string(),
                group: String::new(),
            };
            if !ns.is_empty()
                && !self.namespaces.contains(ns)
                && self.current.get(&namespace_object).is_none()
            {
                missing.push(Missing::of("Namespace", "", ns));
            }
            let custom = kinds::lookup(&key.kind, &key.group).is_none() && !key.group.is_empty();
            if custom && !self.kinds.contains(&key.kind) {
                let crd = format!("{}.{}", kinds::plural_of(&key.kind, &key.group), key.group);
                let known = self.current.get(&ObjectKey {
                    namespace: String::new(),
                    kind: "CustomResourceDefinition".into(),
                    name: crd.clone(),
                    group: "apiextensions.k8s.io".into(),
                });
                if known.is_none() {
                    missing.push(Missing::of("CustomResourceDefinition", "", &crd));
                }
            }
        }
        missing
    }
}
