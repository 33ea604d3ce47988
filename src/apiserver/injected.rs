//! What admission plugins and controllers inject into objects after they are written: the
//! service-account token volume and its mounts, default tolerations, the pod's priority, the
//! SCC-assigned user and SELinux level on OpenShift, generated pull secrets, injected CA bundles.
//!
//! One table, [`INJECTIONS`]; each entry finds its fields by name pattern and exact value, so
//! it is conservative: a field someone could plausibly have written by hand with another value
//! is not claimed. [`is_injected`] answers for one field (a noise rule), [`strip_injected`]
//! removes them all (a pod-versus-template check: strip the pod, default both, compare).
//!
//! Pod entries work on every PodSpec of the object: a Pod's, or a workload's template (where
//! they find nothing unless someone wrote the injected values by hand, which strips both sides
//! alike).

use serde_json::Value;

use super::TypeInfo;
use super::locate::{Where, locate};

/// One kind of injected field.
#[derive(Clone, Copy, Debug)]
pub struct Injection {
    /// Its name, for explanations (`service-account-token-volume`).
    pub name: &'static str,
    /// What it recognises, and why that is unmistakable.
    pub doc: &'static str,
    /// The admission plugin or controller that injects it.
    pub source: &'static str,
    /// Finds the injected fields in an object: their JSON pointers.
    pub find: fn(&Value, &TypeInfo) -> Vec<String>,
}

/// One injected field found in an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The JSON pointer of the field (a list element for volumes, mounts, tolerations).
    pub pointer: String,
    /// The name of the [`Injection`] that recognised it.
    pub rule: &'static str,
}

/// Where the ServiceAccount admission plugin mounts the token.
pub const TOKEN_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The characters of the random suffixes Kubernetes generates (`utilrand.String`): no vowels,
/// no 0, 1 or 3.
const SUFFIX_ALPHABET: &str = "bcdfghjklmnpqrstvwxz2456789";

/// The annotation OpenShift's SCC admission writes on every pod it admits.
const SCC_ANNOTATION: &str = "openshift.io/scc";

/// OpenShift allocates namespace UID ranges from here up (`1000000000/10000` blocks).
const OPENSHIFT_UID_BASE: u64 = 1_000_000_000;

/// Every injection recognised, pods first.
pub const INJECTIONS: &[Injection] = &[
    Injection {
        name: "service-account-token-volume",
        doc: "The projected volume kube-api-access-<5 chars> (1.21+): a serviceAccountToken \
              source with path token, plus only the kube-root-ca.crt ConfigMap, the namespace \
              downward API item and, on OpenShift, the openshift-service-ca.crt ConfigMap.",
        source: "ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount)",
        find: token_volumes,
    },
    Injection {
        name: "legacy-service-account-token-volume",
        doc: "Before 1.21 (and OpenShift 3): a secret volume named like its secret \
              <serviceaccount>-token-<5 chars>, mounted at the token path.",
        source: "ServiceAccount admission plugin",
        find: legacy_token_volumes,
    },
    Injection {
        name: "service-account-token-mount",
        doc: "Each container's read-only mount of a token volume above at \
              /var/run/secrets/kubernetes.io/serviceaccount.",
        source: "ServiceAccount admission plugin",
        find: token_mounts,
    },
    Injection {
        name: "service-account-default",
        doc: "serviceAccountName (and its deprecated alias serviceAccount) set to default.",
        source: "ServiceAccount admission plugin",
        find: default_service_account,
    },
    Injection {
        name: "default-tolerations",
        doc: "Exactly {key: node.kubernetes.io/not-ready or node.kubernetes.io/unreachable, \
              operator: Exists, effect: NoExecute, tolerationSeconds: 300}.",
        source: "DefaultTolerationSeconds admission plugin",
        find: default_tolerations,
    },
    Injection {
        name: "enable-service-links",
        doc: "enableServiceLinks: true on a Pod (a Pod-only default, absent from templates).",
        source: "pkg/apis/core/v1/defaults.go SetDefaults_Pod",
        find: service_links,
    },
    Injection {
        name: "priority",
        doc: "priority 0 without a priorityClassName, or the value of the built-in classes \
              system-cluster-critical (2000000000) and system-node-critical (2000001000).",
        source: "Priority admission plugin",
        find: priority,
    },
    Injection {
        name: "preemption-policy",
        doc: "preemptionPolicy: PreemptLowerPriority, copied from the (default) priority class.",
        source: "Priority admission plugin",
        find: preemption_policy,
    },
    Injection {
        name: "openshift-dockercfg-pull-secret",
        doc: "imagePullSecrets entries <serviceaccount>-dockercfg-<5 chars> of the pod's own \
              service account.",
        source: "OpenShift ServiceAccount admission (image pull secrets of the account)",
        find: dockercfg_pull_secrets,
    },
    Injection {
        name: "openshift-scc-assigned",
        doc: "On a pod annotated openshift.io/scc only: runAsUser and fsGroup in OpenShift's \
              namespace UID ranges (≥ 1000000000), seLinuxOptions that are only a level \
              s0:cN,cM, and restricted's capabilities.drop [KILL, MKNOD, SETGID, SETUID]. \
              restricted-v2's drop [ALL], runAsNonRoot, allowPrivilegeEscalation and \
              seccompProfile are not claimed: people write those values by hand.",
        source: "OpenShift SecurityContextConstraints admission",
        find: scc_assigned,
    },
    Injection {
        name: "service-account-generated-secrets",
        doc: "A ServiceAccount's secrets and imagePullSecrets entries <name>-token-<5 chars> \
              and <name>-dockercfg-<5 chars>.",
        source: "Token controller (before 1.24), OpenShift's service account controllers",
        find: service_account_secrets,
    },
    Injection {
        name: "injected-ca-bundle",
        doc: "caBundle of webhooks, CRD conversion webhooks and APIServices annotated for CA \
              injection (cert-manager.io/inject-ca-from, inject-ca-from-secret, \
              inject-apiserver-ca; service.beta.openshift.io/inject-cabundle), and a ConfigMap's \
              service-ca.crt under the OpenShift annotation.",
        source: "cert-manager cainjector, OpenShift service-ca operator",
        find: injected_ca_bundles,
    },
    Injection {
        name: "job-generated-selector",
        doc: "A Job's selector, template and own labels controller-uid and \
              batch.kubernetes.io/controller-uid (a UID), job-name and \
              batch.kubernetes.io/job-name (the Job's name), unless manualSelector is true. \
              The Job's own labels get them when it has none: they are defaulted from the \
              template's labels on read, after the selector was generated.",
        source: "pkg/registry/batch/job/strategy.go (generateSelector)",
        find: job_selector_labels,
    },
    Injection {
        name: "storage-protection-finalizer",
        doc: "The kubernetes.io/pvc-protection finalizer of a PersistentVolumeClaim and the \
              kubernetes.io/pv-protection finalizer of a PersistentVolume.",
        source: "StorageObjectInUseProtection admission plugin",
        find: protection_finalizers,
    },
    Injection {
        name: "openshift-namespace-scc-annotations",
        doc: "A Namespace's openshift.io/sa.scc.mcs, sa.scc.supplemental-groups and \
              sa.scc.uid-range annotations.",
        source: "OpenShift cluster-policy-controller (namespace SCC allocation)",
        find: namespace_scc_annotations,
    },
];

/// Every injected field of `object`, in table order.
pub fn injected_fields(object: &Value) -> Vec<Found> {
    let t = TypeInfo::of(object);
    INJECTIONS
        .iter()
        .flat_map(|injection| {
            (injection.find)(object, &t)
                .into_iter()
                .map(|pointer| Found {
                    pointer,
                    rule: injection.name,
                })
        })
        .collect()
}

/// The injection that explains the field at `pointer` (RFC 6901) in `object`, when it is an
/// injected field or lies inside one (a source of the token volume).
pub fn is_injected(object: &Value, pointer: &str) -> Option<&'static str> {
    injected_fields(object)
        .into_iter()
        .find(|f| f.pointer == pointer || pointer.starts_with(&format!("{}/", f.pointer)))
        .map(|f| f.rule)
}

/// Removes every injected field from `object` and returns what it removed. Lists and maps left
/// empty by the removal are removed too (a pod whose only toleration was a default one had no
/// `tolerations` in its template).
pub fn strip_injected(object: &mut Value) -> Vec<Found> {
    let mut found = injected_fields(object);
    // Deepest and last first, so removing a list element does not shift the ones still to go.
    found.sort_by_key(|f| std::cmp::Reverse(pointer_key(&f.pointer)));
    found.dedup_by(|a, b| a.pointer == b.pointer);
    for f in &found {
        remove(object, &f.pointer);
    }
    found.reverse();
    found
}

/// A pointer's segments, numbers compared as numbers.
fn pointer_key(pointer: &str) -> Vec<(u64, String)> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| match s.parse::<u64>() {
            Ok(n) => (n, String::new()),
            Err(_) => (u64::MAX, s.to_string()),
        })
        .collect()
}

/// Removes the field or list element at `pointer`, then its parents left empty.
fn remove(object: &mut Value, pointer: &str) {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    let key = key.replace("~1", "/").replace("~0", "~");
    let Some(container) = object.pointer_mut(parent) else {
        return;
    };
    let now_empty = match container {
        Value::Object(map) => {
            map.shift_remove(&key);
            map.is_empty()
        }
        Value::Array(items) => {
            if let Ok(i) = key.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
            items.is_empty()
        }
        _ => false,
    };
    if now_empty && !parent.is_empty() {
        remove(object, parent);
    }
}

// ---- Pod specs -------------------------------------------------------------------------------

/// The PodSpecs of an object, with the pointer of each and its pod's annotations.
fn pod_specs<'a>(object: &'a Value, t: &TypeInfo) -> Vec<(String, &'a Value, Option<&'a Value>)> {
    locate(object, Where::PodSpec, t)
        .into_iter()
        .filter_map(|pointer| {
            let spec = object.pointer(&pointer)?;
            let metadata = pointer
                .strip_suffix("/spec")
                .map(|base| format!("{base}/metadata/annotations"));
            let annotations = metadata.and_then(|m| object.pointer(&m));
            Some((pointer, spec, annotations))
        })
        .collect()
}

/// Each element of the list at `key` of `parent`, with its pointer.
fn items<'a>(parent: &'a Value, base: &str, key: &str) -> Vec<(String, &'a Value)> {
    parent
        .get(key)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .enumerate()
                .map(|(i, item)| (format!("{base}/{key}/{i}"), item))
                .collect()
        })
        .unwrap_or_default()
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// Whether `name` is `prefix` followed by a generated 5-character suffix.
fn generated(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix).is_some_and(|suffix| {
        suffix.len() == 5 && suffix.chars().all(|c| SUFFIX_ALPHABET.contains(c))
    })
}

/// The containers of a PodSpec, of all three lists, with pointers.
fn containers<'a>(spec: &'a Value, base: &str) -> Vec<(String, &'a Value)> {
    ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|key| items(spec, base, key))
        .collect()
}

fn is_token_volume(volume: &Value) -> bool {
    let Some(sources) = volume
        .pointer("/projected/sources")
        .and_then(Value::as_array)
    else {
        return false;
    };
    let known = |source: &Value| {
        text(source, "/serviceAccountToken/path") == "token"
            || matches!(
                text(source, "/configMap/name"),
                "kube-root-ca.crt" | "openshift-service-ca.crt"
            )
            || source.get("downwardAPI").is_some_and(|d| {
                d.get("items")
                    .and_then(Value::as_array)
                    .is_some_and(|items| {
                        items.iter().all(|i| {
                            text(i, "/fieldRef/fieldPath") == "metadata.namespace"
                                && text(i, "/path") == "namespace"
                        })
                    })
            })
    };
    generated(text(volume, "/name"), "kube-api-access-")
        && sources
            .iter()
            .any(|s| s.get("serviceAccountToken").is_some())
        && sources.iter().all(known)
}

fn token_volumes(object: &Value, t: &TypeInfo) -> Vec<String> {
    pod_specs(object, t)
        .into_iter()
        .flat_map(|(base, spec, _)| items(spec, &base, "volumes"))
        .filter(|(_, volume)| is_token_volume(volume))
        .map(|(pointer, _)| pointer)
        .collect()
}

/// Whether a container of `spec` mounts the volume `name` at the token path.
fn mounted_at_token_path(spec: &Value, name: &str) -> bool {
    containers(spec, "").iter().any(|(_, c)| {
        items(c, "", "volumeMounts")
            .iter()
            .any(|(_, m)| text(m, "/name") == name && text(m, "/mountPath") == TOKEN_MOUNT_PATH)
    })
}

fn is_legacy_token_volume(spec: &Value, volume: &Value) -> bool {
    let name = text(volume, "/name");
    let token_name = name.rsplit_once("-token-").is_some_and(|(account, _)| {
        !account.is_empty() && generated(name, &format!("{account}-token-"))
    });
    token_name && text(volume, "/secret/secretName") == name && mounted_at_token_path(spec, name)
}

fn legacy_token_volumes(object: &Value, t: &TypeInfo) -> Vec<String> {
    pod_specs(object, t)
        .into_iter()
        .flat_map(|(base, spec, _)| {
            items(spec, &base, "volumes")
                .into_iter()
                .filter(|(_, volume)| is_legacy_token_volume(spec, volume))
                .map(|(pointer, _)| pointer)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn token_mounts(object: &Value, t: &TypeInfo) -> Vec<String> {
    let mut found = Vec::new();
    for (base, spec, _) in pod_specs(object, t) {
        let token_names: Vec<&str> = items(spec, "", "volumes")
            .into_iter()
            .filter(|(_, v)| is_token_volume(v) || is_legacy_token_volume(spec, v))
            .map(|(_, v)| text(v, "/name"))
            .collect();
        for (container, c) in containers(spec, &base) {
            for (pointer, mount) in items(c, &container, "volumeMounts") {
                if token_names.contains(&text(mount, "/name"))
                    && text(mount, "/mountPath") == TOKEN_MOUNT_PATH
                {
                    found.push(pointer);
                }
            }
        }
    }
    found
}

fn default_service_account(object: &Value, t: &TypeInfo) -> Vec<String> {
    let mut found = Vec::new();
    for (base, spec, _) in pod_specs(object, t) {
        for key in ["serviceAccountName", "serviceAccount"] {
            if spec.get(key).and_then(Value::as_str) == Some("default") {
                found.push(format!("{base}/{key}"));
            }
        }
    }
    found
}

fn default_tolerations(object: &Value, t: &TypeInfo) -> Vec<String> {
    let is_default = |toleration: &Value| {
        let Some(map) = toleration.as_object() else {
            return false;
        };
        map.len() == 4
            && matches!(
                text(toleration, "/key"),
                "node.kubernetes.io/not-ready" | "node.kubernetes.io/unreachable"
            )
            && text(toleration, "/operator") == "Exists"
            && text(toleration, "/effect") == "NoExecute"
            && toleration.get("tolerationSeconds").and_then(Value::as_u64) == Some(300)
    };
    pod_specs(object, t)
        .into_iter()
        .flat_map(|(base, spec, _)| items(spec, &base, "tolerations"))
        .filter(|(_, toleration)| is_default(toleration))
        .map(|(pointer, _)| pointer)
        .collect()
}

/// Fields of the PodSpecs of Pods (not templates) that hold exactly `value`.
fn pod_field(object: &Value, t: &TypeInfo, key: &str, value: &Value) -> Vec<String> {
    if !t.is_any(&["v1 Pod"]) {
        return Vec::new();
    }
    pod_specs(object, t)
        .into_iter()
        .filter(|(_, spec, _)| spec.get(key) == Some(value))
        .map(|(base, _, _)| format!("{base}/{key}"))
        .collect()
}

fn service_links(object: &Value, t: &TypeInfo) -> Vec<String> {
    pod_field(object, t, "enableServiceLinks", &Value::Bool(true))
}

fn preemption_policy(object: &Value, t: &TypeInfo) -> Vec<String> {
    pod_field(
        object,
        t,
        "preemptionPolicy",
        &Value::from("PreemptLowerPriority"),
    )
}

fn priority(object: &Value, t: &TypeInfo) -> Vec<String> {
    pod_specs(object, t)
        .into_iter()
        .filter(|(_, spec, _)| {
            let expected = match text(spec, "/priorityClassName") {
                "" => 0,
                "system-cluster-critical" => 2_000_000_000,
                "system-node-critical" => 2_000_001_000,
                _ => return false,
            };
            spec.get("priority").and_then(Value::as_i64) == Some(expected)
        })
        .map(|(base, _, _)| format!("{base}/priority"))
        .collect()
}

fn dockercfg_pull_secrets(object: &Value, t: &TypeInfo) -> Vec<String> {
    let mut found = Vec::new();
    for (base, spec, _) in pod_specs(object, t) {
        let account = match text(spec, "/serviceAccountName") {
            "" => "default",
            account => account,
        };
        let prefix = format!("{account}-dockercfg-");
        for (pointer, secret) in items(spec, &base, "imagePullSecrets") {
            if generated(text(secret, "/name"), &prefix) {
                found.push(pointer);
            }
        }
    }
    found
}

fn in_uid_range(value: Option<&Value>) -> bool {
    value
        .and_then(Value::as_u64)
        .is_some_and(|id| (OPENSHIFT_UID_BASE..=i32::MAX as u64).contains(&id))
}

/// `s0:cN,cM`, the MCS level OpenShift allocates per namespace.
fn is_mcs_level(level: &str) -> bool {
    let Some(categories) = level.strip_prefix("s0:") else {
        return false;
    };
    let parts: Vec<&str> = categories.split(',').collect();
    parts.len() == 2
        && parts.iter().all(|p| {
            p.strip_prefix('c')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

fn scc_assigned(object: &Value, t: &TypeInfo) -> Vec<String> {
    let mut found = Vec::new();
    let restricted_drop = serde_json::json!(["KILL", "MKNOD", "SETGID", "SETUID"]);
    for (base, spec, annotations) in pod_specs(object, t) {
        if annotations.and_then(|a| a.get(SCC_ANNOTATION)).is_none() {
            continue;
        }
        let pod_context = format!("{base}/securityContext");
        for key in ["runAsUser", "fsGroup"] {
            if in_uid_range(spec.pointer(&format!("/securityContext/{key}"))) {
                found.push(format!("{pod_context}/{key}"));
            }
        }
        let se_linux = spec.pointer("/securityContext/seLinuxOptions");
        if se_linux
            .and_then(Value::as_object)
            .is_some_and(|o| o.len() == 1)
            && se_linux.is_some_and(|o| is_mcs_level(text(o, "/level")))
        {
            found.push(format!("{pod_context}/seLinuxOptions"));
        }
        for (container, c) in containers(spec, &base) {
            if in_uid_range(c.pointer("/securityContext/runAsUser")) {
                found.push(format!("{container}/securityContext/runAsUser"));
            }
            if c.pointer("/securityContext/capabilities/drop") == Some(&restricted_drop) {
                found.push(format!("{container}/securityContext/capabilities/drop"));
            }
        }
    }
    found
}

// ---- Other objects ----------------------------------------------------------------------------

fn service_account_secrets(object: &Value, t: &TypeInfo) -> Vec<String> {
    if !t.is_any(&["v1 ServiceAccount"]) {
        return Vec::new();
    }
    let name = text(object, "/metadata/name");
    if name.is_empty() {
        return Vec::new();
    }
    let (token, dockercfg) = (format!("{name}-token-"), format!("{name}-dockercfg-"));
    ["secrets", "imagePullSecrets"]
        .iter()
        .flat_map(|key| items(object, "", key))
        .filter(|(_, secret)| {
            let secret = text(secret, "/name");
            generated(secret, &token) || generated(secret, &dockercfg)
        })
        .map(|(pointer, _)| pointer)
        .collect()
}

/// Whether the object asks cert-manager or OpenShift's service-ca operator to inject its CA.
fn asks_for_ca(object: &Value) -> bool {
    let Some(annotations) = object.pointer("/metadata/annotations") else {
        return false;
    };
    [
        "cert-manager.io/inject-ca-from",
        "cert-manager.io/inject-ca-from-secret",
    ]
    .iter()
    .any(|key| annotations.get(*key).is_some())
        || [
            "cert-manager.io/inject-apiserver-ca",
            "service.beta.openshift.io/inject-cabundle",
        ]
        .iter()
        .any(|key| annotations.get(*key).and_then(Value::as_str) == Some("true"))
}

fn injected_ca_bundles(object: &Value, t: &TypeInfo) -> Vec<String> {
    if !asks_for_ca(object) {
        return Vec::new();
    }
    let candidates: Vec<String> = match t.kind.as_str() {
        "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => {
            items(object, "", "webhooks")
                .into_iter()
                .map(|(pointer, _)| format!("{pointer}/clientConfig/caBundle"))
                .collect()
        }
        "CustomResourceDefinition" => {
            vec!["/spec/conversion/webhook/clientConfig/caBundle".to_string()]
        }
        "APIService" => vec!["/spec/caBundle".to_string()],
        "ConfigMap" if t.group.is_empty() => vec!["/data/service-ca.crt".to_string()],
        _ => Vec::new(),
    };
    candidates
        .into_iter()
        .filter(|p| object.pointer(p).is_some_and(Value::is_string))
        .collect()
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_uid(value: &str) -> bool {
    let lengths: Vec<usize> = value.split('-').map(str::len).collect();
    lengths == [8, 4, 4, 4, 12] && value.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

fn job_selector_labels(object: &Value, t: &TypeInfo) -> Vec<String> {
    if !t.is_any(&["batch/v1 Job"])
        || object.pointer("/spec/manualSelector") == Some(&Value::Bool(true))
    {
        return Vec::new();
    }
    let name = text(object, "/metadata/name");
    let mut found = Vec::new();
    for base in [
        "/spec/selector/matchLabels",
        "/spec/template/metadata/labels",
        "/metadata/labels",
    ] {
        let Some(labels) = object.pointer(base).and_then(Value::as_object) else {
            continue;
        };
        for (key, value) in labels {
            let value = value.as_str().unwrap_or("");
            let generated = match key.as_str() {
                "controller-uid" | "batch.kubernetes.io/controller-uid" => is_uid(value),
                "job-name" | "batch.kubernetes.io/job-name" => !name.is_empty() && value == name,
                _ => false,
            };
            if generated {
                found.push(format!("{base}/{}", super::escape(key)));
            }
        }
    }
    found
}

fn protection_finalizers(object: &Value, t: &TypeInfo) -> Vec<String> {
    let finalizer = match t.kind.as_str() {
        "PersistentVolumeClaim" => "kubernetes.io/pvc-protection",
        "PersistentVolume" => "kubernetes.io/pv-protection",
        _ => return Vec::new(),
    };
    if !t.group.is_empty() {
        return Vec::new();
    }
    let metadata = object.get("metadata").unwrap_or(&Value::Null);
    items(metadata, "/metadata", "finalizers")
        .into_iter()
        .filter(|(_, f)| f.as_str() == Some(finalizer))
        .map(|(pointer, _)| pointer)
        .collect()
}

fn namespace_scc_annotations(object: &Value, t: &TypeInfo) -> Vec<String> {
    if !t.is_any(&["v1 Namespace"]) {
        return Vec::new();
    }
    [
        "openshift.io/sa.scc.mcs",
        "openshift.io/sa.scc.supplemental-groups",
        "openshift.io/sa.scc.uid-range",
    ]
    .iter()
    .map(|key| format!("/metadata/annotations/{}", super::escape(key)))
    .filter(|p| object.pointer(p).is_some())
    .collect()
}

#[cfg(test)]
mod tests;
