//! The security table: the fields that decide what a workload may do on its node, or who may do
//! what in the cluster. It is the one place that names them; every rule that hides a change asks
//! it first, so that no built-in rule (noise, pairing, `--desired`) hides a change in it.
//!
//! An object's security-relevant settings are read as *facts*: `containers[web].securityContext
//! .privileged: true`, `roleRef: ClusterRole/admin`, `subject: ServiceAccount shop/deployer`. A
//! fact records only what grants something (a `privileged: false` or an SCC-assigned non-root
//! user grants nothing), and it is read from the object with the API server's defaults filled in,
//! so that a manifest and the object the server returned for it hold the same facts. A change is
//! security-sensitive when the facts of the two versions differ where the change is. Facts are
//! compared as sets: a pure reorder of a role's rules, or OpenShift 3's spelling of a binding
//! that names the same role and subjects, grants nothing new and is no security change.
//!
//! | object | facts |
//! |---|---|
//! | pods, and pod templates of every workload | `privileged`, `allowPrivilegeEscalation: true`, `capabilities.add`, `runAsUser: 0`, `runAsNonRoot: false`, `seLinuxOptions.type`, seccomp and AppArmor `Unconfined` (fields and annotations), `procMount: Unmasked`; `hostNetwork`, `hostPID`, `hostIPC`, `hostUsers: false`; hostPath volumes and their mounts; `hostPort`; `automountServiceAccountToken`; `serviceAccountName` other than `default` |
//! | Role, ClusterRole | each rule; `aggregationRule`; `rbac.authorization.k8s.io/aggregate-to-*` labels |
//! | RoleBinding, ClusterRoleBinding | the role it grants; each subject (OpenShift 3's `userNames`, `groupNames` too) |
//! | Mutating/ValidatingWebhookConfiguration, ValidatingAdmissionPolicy(Binding) | each webhook or policy, but a webhook's `caBundle` (cert-manager's cainjector and OpenShift's service CA write it) |
//! | NetworkPolicy, SecurityContextConstraints | the whole spec |
//! | ServiceAccount | `automountServiceAccountToken` |
//! | Namespace | the enforced Pod Security admission level (`pod-security.kubernetes.io/enforce*`) |
//!
//! This module reads the facts of an object ([`Facts::of`]) and says which kinds and places the
//! table covers; `pods` reads pod specs and security contexts, `rbac` roles and bindings,
//! `policies` webhooks, admission and network policies, SCCs, service accounts and namespaces;
//! `compare` compares two versions' facts and finds what a change touches.

mod compare;
mod pods;
mod policies;
mod rbac;

pub use compare::{Comparison, Touched};
pub use pods::granting_settings;
pub use rbac::{role_ref, subjects};

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diff::Change;

/// One security-relevant setting of an object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fact {
    /// The setting and its value, stable across reorders: `spec.template.spec.containers[web]
    /// .securityContext.privileged: true`.
    pub what: String,
    /// Where it is in the object (JSON pointers): a change at, above or below one of them
    /// concerns it.
    pub at: Vec<String>,
}

/// The security-relevant settings of one object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts(BTreeMap<String, Vec<String>>);

impl Facts {
    /// The facts of `object`, a `kind`, read with the server's defaults filled in.
    pub fn of(kind: &str, object: &Value) -> Facts {
        let mut facts = Facts::default();
        if !covers(kind) {
            return facts;
        }
        let object = crate::apiserver::defaults::defaulted(object);
        facts.read(kind, &object);
        facts
    }

    /// Every fact, in order.
    pub fn iter(&self) -> impl Iterator<Item = Fact> + '_ {
        self.0.iter().map(|(what, at)| Fact {
            what: what.clone(),
            at: at.clone(),
        })
    }

    fn add(&mut self, what: String, at: String) {
        self.0.entry(what).or_default().push(at);
    }

    fn read(&mut self, kind: &str, object: &Value) {
        if let Some((pointer, human)) = pod_spec_location(kind) {
            if let Some(spec) = object.pointer(pointer) {
                self.pod_spec(spec, pointer, human);
            }
            let (at, human) = annotations_location(pointer, human);
            if let Some(annotations) = object.pointer(&at).and_then(Value::as_object) {
                self.profile_annotations(annotations, &at, human);
            }
            return;
        }
        match kind {
            "Role" | "ClusterRole" => self.role(object),
            "RoleBinding" | "ClusterRoleBinding" => self.binding(object),
            "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => {
                self.webhooks(object)
            }
            "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "MutatingAdmissionPolicy"
            | "MutatingAdmissionPolicyBinding"
            | "NetworkPolicy"
            | "AdminNetworkPolicy"
            | "BaselineAdminNetworkPolicy" => self.whole_spec(object),
            "SecurityContextConstraints" => self.security_context_constraints(object),
            "ServiceAccount" => self.service_account(object),
            "Namespace" => self.namespace(object),
            "Gateway" => self.gateway(object),
            _ => {}
        }
    }
}

/// Whether `a` and `b`, two versions of an object of `kind`, grant the same: the same facts.
pub fn same_grants(kind: &str, a: &Value, b: &Value) -> bool {
    !covers(kind) || Facts::of(kind, a) == Facts::of(kind, b)
}

/// The kinds the table names.
pub fn covers(kind: &str) -> bool {
    pod_spec_location(kind).is_some()
        || matches!(
            kind,
            "Role"
                | "ClusterRole"
                | "RoleBinding"
                | "ClusterRoleBinding"
                | "MutatingWebhookConfiguration"
                | "ValidatingWebhookConfiguration"
                | "ValidatingAdmissionPolicy"
                | "ValidatingAdmissionPolicyBinding"
                | "MutatingAdmissionPolicy"
                | "MutatingAdmissionPolicyBinding"
                | "NetworkPolicy"
                | "AdminNetworkPolicy"
                | "BaselineAdminNetworkPolicy"
                | "SecurityContextConstraints"
                | "ServiceAccount"
                | "Namespace"
                | "Gateway"
        )
}

/// Whether `change` may concern a setting of the table at all, told from its place alone: a cheap
/// first look, so that the noise of a night (pod IPs, node names, labels of replaced pods) costs
/// no reading of facts. It answers `true` whenever it cannot rule a change out.
pub fn may_touch(kind: &str, change: &Change) -> bool {
    if !covers(kind) {
        return false;
    }
    let Some((spec, _)) = pod_spec_location(kind) else {
        // RBAC, webhooks, policies: rare kinds, read whole.
        return true;
    };
    let (annotations, _) = annotations_location(spec, "");
    [change.path.pointer(), change.path.old_pointer()]
        .iter()
        .any(|pointer| may_touch_pod(pointer, spec, &annotations))
}

/// [`may_touch`] for a change at `pointer` of an object whose pod spec is at `spec`.
fn may_touch_pod(pointer: &str, spec: &str, annotations: &str) -> bool {
    if related(pointer, annotations) || (spec.starts_with(pointer) && related(pointer, spec)) {
        return true;
    }
    let Some(rest) = pointer.strip_prefix(spec).and_then(|r| r.strip_prefix('/')) else {
        return false;
    };
    let mut steps = rest.split('/');
    match steps.next().unwrap_or_default() {
        "hostNetwork"
        | "hostPID"
        | "hostIPC"
        | "hostUsers"
        | "automountServiceAccountToken"
        | "serviceAccountName"
        | "serviceAccount"
        | "securityContext"
        | "volumes" => true,
        "containers" | "initContainers" | "ephemeralContainers" => {
            // The list, one container, or a container's security context, ports or mounts.
            let _index = steps.next();
            matches!(
                steps.next(),
                None | Some("securityContext" | "ports" | "volumeMounts")
            )
        }
        _ => false,
    }
}

/// Where the annotations that go with the pod spec at `spec` (a pointer, and `human`, the same
/// path for people) are: the pod's own, or its template's.
pub fn annotations_location(spec: &str, human: &str) -> (String, String) {
    let owner = spec.strip_suffix("/spec").unwrap_or_default();
    let human = match human.strip_suffix("spec").unwrap_or_default() {
        "" => "metadata.annotations".to_string(),
        above => format!("{above}metadata.annotations"),
    };
    (format!("{owner}/metadata/annotations"), human)
}

/// Where a kind keeps its pod spec: a pointer and the same path for people.
pub fn pod_spec_location(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "Pod" => ("/spec", "spec"),
        "PodTemplate" => ("/template/spec", "template.spec"),
        "CronJob" => (
            "/spec/jobTemplate/spec/template/spec",
            "spec.jobTemplate.spec.template.spec",
        ),
        "DeploymentConfig"
        | "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicationController"
        | "ReplicaSet"
        | "Job" => ("/spec/template/spec", "spec.template.spec"),
        _ => return None,
    })
}
/// Whether a label selector (`matchLabels`, `matchExpressions`) selects `labels`; an absent or
/// empty selector selects everything, as the API server reads it.
pub fn selects(selector: Option<&Value>, labels: &BTreeMap<String, String>) -> bool {
    let Some(selector) = selector else {
        return true;
    };
    let match_labels = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str());
    let expressions = items(selector, "matchExpressions").all(|(_, e)| {
        let value = labels.get(str_field(e, "key"));
        let values: Vec<&str> = items(e, "values").filter_map(|(_, v)| v.as_str()).collect();
        match str_field(e, "operator") {
            "In" => value.is_some_and(|v| values.contains(&v.as_str())),
            "NotIn" => value.is_none_or(|v| !values.contains(&v.as_str())),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            // An operator the API server would refuse: assume it selects, to be safe.
            _ => true,
        }
    });
    match_labels && expressions
}
/// Compact JSON with map keys sorted.
fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let ordered: BTreeMap<&String, Value> =
                    map.iter().map(|(k, v)| (k, sorted(v))).collect();
                Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

fn items<'a>(value: &'a Value, field: &str) -> impl Iterator<Item = (usize, &'a Value)> {
    value
        .get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
}

fn str_field<'a>(value: &'a Value, field: &str) -> &'a str {
    value.get(field).and_then(Value::as_str).unwrap_or_default()
}

fn labels(object: &Value) -> Vec<(String, String)> {
    object
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str()
                    .map(String::from)
                    .unwrap_or_else(|| v.to_string()),
            )
        })
        .collect()
}

fn label_pointer(label: &str) -> String {
    format!(
        "/metadata/labels/{}",
        crate::diff::path::escape_pointer(label)
    )
}

/// Whether one pointer is at, above or below the other.
fn related(a: &str, b: &str) -> bool {
    let below = |long: &str, short: &str| {
        long.len() > short.len() && long.starts_with(short) && long.as_bytes()[short.len()] == b'/'
    };
    a == b || below(a, b) || below(b, a) || a.is_empty() || b.is_empty()
}

#[cfg(test)]
mod tests;
