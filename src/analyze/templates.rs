//! Generated objects that differ from their own controller's template in the same snapshot: a pod
//! definition edited by hand (`oc edit pod`, `kubectl set image pod/…`), which no later rollout
//! explains, or a pod, ReplicaSet, ReplicationController or Job that only claims an owner. A
//! generated object is churn only while it follows its owner's template, judged on what a pod
//! copies from it (containers, volumes and their sources) and on every setting of the security
//! table ([`super::security`]) after what admission and SCCs add.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Value, json};

use super::Owner;
use super::security;
use crate::apiserver;
use crate::diff::path::Segment;
use crate::diff::value::{Change, ValueOptions, diff};
use crate::snapshot::{ObjectKey, Snapshot};

/// A generated object that differs from its controller's template.
#[derive(Clone, Debug)]
pub struct Mismatch {
    /// The pod, or the ReplicaSet, ReplicationController or Job.
    pub object: ObjectKey,
    /// Its controller.
    pub owner: Owner,
    /// Template value → pod value, at paths of the pod (`spec.containers[web].image`).
    pub changes: Vec<Change>,
    /// What the object grants that its template does not ([`super::security`]): its
    /// security-sensitive differences, if any.
    pub grants: Vec<String>,
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

/// The comparable part of a pod spec: selected container fields, after taking out what admission
/// plugins inject into pods (the token volume and its mounts, tolerations, priority: see
/// [`apiserver::injected`]) and filling in the server's defaults on both sides
/// ([`apiserver::defaults`]), so that a template written without `imagePullPolicy` and its pod, which
/// has one, compare equal. Security contexts count by what they grant
/// ([`security::granting_settings`]): an SCC's non-root user and `drop: [ALL]` grant nothing.
fn comparable(spec: &Value) -> Value {
    let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "spec": spec.clone()});
    apiserver::injected::strip_injected(&mut pod);
    let mut spec = pod["spec"].take();
    // Both sides as a Pod: the template's spec becomes a pod's spec with the Pod defaults too.
    apiserver::defaults::apply_pod_spec(&mut spec, apiserver::defaults::PodSpecOwner::Pod);
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
                            kept.insert((*field).into(), value.clone());
                        }
                    }
                    if let Some(context) = c.get("securityContext") {
                        insert_granting(&mut kept, context, true);
                    }
                    Value::Object(kept)
                })
                .collect(),
        )
    };
    // Token volumes of clusters before 1.21 (`default-token-xxxxx`), which `strip_injected`
    // leaves to the `service-account-token` noise rule: a secret volume of a token secret only,
    // so that a "token" volume swapped for a host path still counts.
    let volumes: Vec<Value> = spec
        .get("volumes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|v| {
            !v.pointer("/secret/secretName")
                .and_then(Value::as_str)
                .is_some_and(|n| n.contains("-token-"))
        })
        .collect();
    let mut comparable = json!({"containers": containers("containers"), "initContainers": containers("initContainers"), "volumes": volumes});
    let kept = comparable.as_object_mut().expect("an object");
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if spec.get(field) == Some(&Value::Bool(true)) {
            kept.insert(field.into(), Value::Bool(true));
        }
    }
    for field in ["hostUsers", "automountServiceAccountToken", "nodeName"] {
        if let Some(value) = spec.get(field) {
            kept.insert(field.into(), value.clone());
        }
    }
    // `serviceAccount` is the deprecated spelling the server keeps in step; none is `default`.
    let account = spec
        .get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty())
        .unwrap_or("default");
    kept.insert("serviceAccountName".into(), json!(account));
    if let Some(context) = spec.get("securityContext") {
        insert_granting(kept, context, false);
    }
    comparable
}

/// `securityContext` with only what it grants, in `kept`; nothing when it grants nothing.
fn insert_granting(kept: &mut serde_json::Map<String, Value>, context: &Value, container: bool) {
    let mut granted = serde_json::Map::new();
    for (field, value) in security::granting_settings(context, container) {
        match granted.get_mut(&field) {
            Some(Value::Array(values)) => values.push(value),
            Some(first) => *first = Value::Array(vec![first.take(), value]),
            None => {
                granted.insert(field, value);
            }
        }
    }
    if !granted.is_empty() {
        kept.insert("securityContext".into(), Value::Object(granted));
    }
}

/// How the pod spec `spec` differs from `template`, a [`comparable`] template, at paths below the
/// spec.
fn differences(template: &Value, spec: &Value) -> Vec<Change> {
    let mut own = comparable(spec);
    // The scheduler places pods; only a template that names a node pins them.
    if template.get("nodeName").is_none()
        && let Some(own) = own.as_object_mut()
    {
        own.remove("nodeName");
    }
    diff("Pod", template, &own, &ValueOptions::default())
}

/// Whether a pod is one of OpenShift's deployment helpers: the deployer pod of a
/// ReplicationController (`web-4-deploy`) or a lifecycle hook pod (`web-4-hook-pre`). Both are
/// owned by the ReplicationController and run another command than its template's.
fn is_deployment_helper(pod: &Value) -> bool {
    let labels = pod.pointer("/metadata/labels");
    [
        "openshift.io/deployer-pod-for.name",
        "openshift.io/deployer-pod.type",
    ]
    .iter()
    .any(|label| labels.and_then(|l| l.get(*label)).is_some())
}

/// An owner's template, worked out once for all the objects it owns.
struct Template {
    /// Its [`comparable`] spec.
    comparable: Value,
    /// Its StatefulSet claim templates ([`claim_templates`]).
    claims: Vec<String>,
    /// What its pod spec grants ([`pod_facts`]).
    grants: Vec<String>,
}

/// The security facts of a pod spec and its annotations, read as a pod's (so that a template's
/// and a pod's compare).
fn pod_facts(annotations: Option<&Value>, spec: &Value) -> Vec<String> {
    let metadata = json!({"annotations": annotations.cloned().unwrap_or(Value::Null)});
    security::Facts::of(
        "Pod",
        &json!({"kind": "Pod", "metadata": metadata, "spec": spec}),
    )
    .iter()
    .map(|fact| fact.what)
    .collect()
}

/// Differences told by what an object grants beyond its template: a deployment helper pod's (it
/// runs other commands than the template, so only this counts, and a label proves nothing), or
/// an otherwise equal pod's unconfined profile annotation. One change for each such setting, at
/// the pod's spec.
fn grant_changes(grants: &[String]) -> Vec<Change> {
    grants
        .iter()
        .map(|what| Change {
            path: crate::diff::Path::default(),
            op: crate::diff::Op::Add,
            old: None,
            new: Some(Value::String(what.clone())),
            secret: false,
            format_only: false,
            elided: None,
        })
        .collect()
}

/// The names of a StatefulSet's volume claim templates (none for other owners).
fn claim_templates(owner: &Value) -> Vec<String> {
    owner
        .pointer("/spec/volumeClaimTemplates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|claim| claim.pointer("/metadata/name")?.as_str().map(String::from))
        .collect()
}

/// `spec` without the volumes a StatefulSet adds to its pod `pod` for its claim templates
/// (`data` → the claim `data-db-0`): the pod's own copy of its template, nothing more.
fn without_claims<'a>(spec: &'a Value, claims: &[String], pod: &str) -> Cow<'a, Value> {
    if claims.is_empty() {
        return Cow::Borrowed(spec);
    }
    let mut spec = spec.clone();
    if let Some(volumes) = spec.get_mut("volumes").and_then(Value::as_array_mut) {
        volumes.retain(|volume| {
            let name = volume
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let claim = volume
                .pointer("/persistentVolumeClaim/claimName")
                .and_then(Value::as_str);
            !(claims.iter().any(|c| c == name) && claim == Some(&format!("{name}-{pod}")))
        });
    }
    Cow::Owned(spec)
}

/// Kinds checked against their owner's template, and where their own pod spec is.
fn own_spec(kind: &str) -> Option<(&'static str, &'static [&'static str])> {
    match kind {
        "Pod" => Some(("/spec", &["spec"])),
        "ReplicaSet" | "ReplicationController" | "Job" => {
            Some(("/spec/template/spec", &["spec", "template", "spec"]))
        }
        _ => None,
    }
}

/// Every pod, ReplicaSet, ReplicationController and Job of `snapshot` that `wanted` asks about
/// and that differs from its controller's template.
///
/// Analysis asks only about objects that changed between the snapshots, or whose controller did:
/// a pod edited by hand between two nights is one of them, and checking every pod of a large
/// cluster twice would cost more than the whole diff.
pub fn mismatches(snapshot: &Snapshot, wanted: impl Fn(&ObjectKey) -> bool) -> Vec<Mismatch> {
    let mut templates: HashMap<ObjectKey, Option<Template>> = HashMap::new();
    let mut found = Vec::new();
    for (key, stored) in snapshot
        .iter()
        .filter(|(k, _)| own_spec(&k.kind).is_some() && wanted(k))
    {
        let Some((spec_pointer, spec_path)) = own_spec(&key.kind) else {
            continue;
        };
        let object = stored.value();
        let Some(owner) = super::refs::owner_of(&key.kind, &object) else {
            continue;
        };
        let owner_key = owner.key(&key.namespace);
        // Many pods share one controller: its comparable template is worked out once.
        let template = templates.entry(owner_key).or_insert_with_key(|owner_key| {
            let body = snapshot.owner(owner_key)?.value();
            let (_, template) = super::refs::pod_template(&owner_key.kind, &body)?;
            let spec = template.get("spec")?;
            Some(Template {
                comparable: comparable(spec),
                claims: claim_templates(&body),
                grants: pod_facts(template.pointer("/metadata/annotations"), spec),
            })
        });
        let (Some(template), Some(spec)) = (template.as_ref(), object.pointer(spec_pointer)) else {
            continue;
        };
        let helper = key.kind == "Pod" && is_deployment_helper(&object);
        let spec = without_claims(spec, &template.claims, &key.name);
        // What it grants beyond the template, profile annotations included (the spec comparison
        // below does not see them).
        let (annotations_pointer, _) = security::annotations_location(spec_pointer, "");
        let grants: Vec<String> = pod_facts(object.pointer(&annotations_pointer), &spec)
            .into_iter()
            .filter(|what| {
                // A helper runs as the `deployer` account whatever the template says.
                let helper_account = helper && what == "spec.serviceAccountName: deployer";
                !(template.grants.contains(what) || helper_account)
            })
            .collect();
        let mut changes = if helper {
            Vec::new()
        } else {
            differences(&template.comparable, &spec)
        };
        if changes.is_empty() {
            changes = grant_changes(&grants);
        }
        if changes.is_empty() {
            continue;
        }
        for change in &mut changes {
            for (at, field) in spec_path.iter().enumerate() {
                change.path.0.insert(at, Segment::Field((*field).into()));
            }
        }
        found.push(Mismatch {
            object: key.clone(),
            owner,
            changes,
            grants,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN_MOUNT: &str = apiserver::injected::TOKEN_MOUNT_PATH;

    #[test]
    fn injected_token_mounts_and_scc_fields_do_not_count() {
        let template = json!({"containers": [{"name": "web", "image": "a", "volumeMounts": [{"name": "c", "mountPath": "/etc"}]}], "volumes": [{"name": "c", "emptyDir": {}}]});
        let pod = json!({"containers": [{"name": "web", "image": "a", "securityContext": {"runAsUser": 1000},
            "volumeMounts": [{"name": "c", "mountPath": "/etc"}, {"name": "default-token-x2b4z", "mountPath": TOKEN_MOUNT, "readOnly": true}]}],
            "volumes": [{"name": "c", "emptyDir": {}}, {"name": "default-token-x2b4z", "secret": {"secretName": "default-token-x2b4z", "defaultMode": 420}}], "nodeName": "n1"});
        assert_eq!(differences(&comparable(&template), &pod), []);
        let mut edited = pod.clone();
        edited["containers"][0]["image"] = json!("b");
        assert_ne!(differences(&comparable(&template), &edited), []);
        // A volume of the pod's own, not a token, counts.
        let mut edited = pod.clone();
        edited["volumes"][0]["configMap"] = json!({"name": "other"});
        assert_ne!(differences(&comparable(&template), &edited), []);
    }

    /// A pod of a 1.21+ cluster as the API server returns it: projected token volume, its mount,
    /// default tolerations, priority, every default filled in. Its template, as written, has none
    /// of that.
    #[test]
    fn a_modern_pod_matches_its_template() {
        let template = json!({"containers": [{"name": "web", "image": "registry.example.com/web:1.2",
            "ports": [{"containerPort": 8080}],
            "readinessProbe": {"httpGet": {"path": "/health", "port": 8080}}}]});
        let pod = json!({
            "containers": [{"name": "web", "image": "registry.example.com/web:1.2",
                "imagePullPolicy": "IfNotPresent",
                "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                "readinessProbe": {"httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"},
                    "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
                "resources": {},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
                "volumeMounts": [{"name": "kube-api-access-7x2kq", "readOnly": true, "mountPath": TOKEN_MOUNT}]}],
            "volumes": [{"name": "kube-api-access-7x2kq", "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}],
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}],
            "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority", "priority": 0,
            "serviceAccountName": "default", "serviceAccount": "default",
            "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
            "securityContext": {}, "terminationGracePeriodSeconds": 30, "nodeName": "worker-1"});
        assert_eq!(differences(&comparable(&template), &pod), []);
        let mut edited = pod.clone();
        edited["containers"][0]["readinessProbe"]["timeoutSeconds"] = json!(5);
        assert_ne!(differences(&comparable(&template), &edited), []);
    }

    /// A StatefulSet's pods hold a claim volume per claim template, named after the pod: no
    /// difference. Another claim in its place is one.
    #[test]
    fn a_stateful_set_pod_holds_its_claims() {
        let spec = json!({"containers": [{"name": "db", "image": "db:1",
            "volumeMounts": [{"name": "data", "mountPath": "/var/lib/db"}]}]});
        let owned = json!([{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "controller": true}]);
        let pod = |claim: &str| {
            let mut pod_spec = spec.clone();
            pod_spec["volumes"] =
                json!([{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]);
            json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "db-0", "namespace": "p", "ownerReferences": owned}, "spec": pod_spec})
        };
        let set = json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "db", "namespace": "p"},
            "spec": {"template": {"spec": spec}, "volumeClaimTemplates": [{"metadata": {"name": "data"}}]}});
        let own = Snapshot::of(vec![set.clone(), pod("data-db-0")]);
        assert!(mismatches(&own, |_| true).is_empty());
        let other = Snapshot::of(vec![set, pod("data-db-7")]);
        assert_eq!(mismatches(&other, |_| true).len(), 1);
    }

    /// OpenShift's deployer and hook pods run other commands than the template: only what they
    /// grant beyond it counts.
    #[test]
    fn deployment_helper_pods_count_only_what_they_grant() {
        let owned = json!([{"apiVersion": "v1", "kind": "ReplicationController", "name": "web-4", "controller": true}]);
        let rc = json!({"apiVersion": "v1", "kind": "ReplicationController",
            "metadata": {"name": "web-4", "namespace": "p"},
            "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "web:1"}]}}}});
        let deployer = |spec: Value| {
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-4-deploy", "namespace": "p",
                "labels": {"openshift.io/deployer-pod-for.name": "web-4"}, "ownerReferences": owned}, "spec": spec})
        };
        let plain = deployer(json!({"serviceAccountName": "deployer",
            "containers": [{"name": "deployment", "image": "openshift/origin-deployer:v3.11"}]}));
        assert!(mismatches(&Snapshot::of(vec![rc.clone(), plain]), |_| true).is_empty());
        let privileged = deployer(json!({"serviceAccountName": "deployer", "hostPID": true,
            "containers": [{"name": "deployment", "image": "x"}]}));
        let found = mismatches(&Snapshot::of(vec![rc, privileged]), |_| true);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].changes[0].new, Some(json!("spec.hostPID: true")));
    }

    /// Only pods are compared with their controller's template: a ReplicationController owned
    /// by a DeploymentConfig holds a template, not a pod spec.
    #[test]
    fn only_pods_are_checked_against_their_template() {
        let template = json!({"spec": {"containers": [{"name": "web", "image": "web:1"}]}});
        let owned = json!([{"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig",
            "name": "web", "uid": "1", "controller": true}]);
        let snapshot = Snapshot::of(vec![
            json!({"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig",
                "metadata": {"name": "web", "namespace": "p"}, "spec": {"template": template}}),
            json!({"apiVersion": "v1", "kind": "ReplicationController",
                "metadata": {"name": "web-1", "namespace": "p", "ownerReferences": owned},
                "spec": {"replicas": 1, "template": template}}),
            json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "web-1-abcde", "namespace": "p", "ownerReferences": owned},
                "spec": {"containers": [{"name": "web", "image": "web:2"}]}}),
        ]);
        let found = mismatches(&snapshot, |_| true);
        let pods: Vec<&str> = found.iter().map(|m| m.object.name.as_str()).collect();
        assert_eq!(pods, ["web-1-abcde"]);
    }
}
