//! Who uses a ConfigMap or a Secret: workloads through env `valueFrom`, `envFrom`, volumes
//! (projected too), `imagePullSecrets`, and the secrets of their service account.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::Owner;
use crate::snapshot::{ObjectKey, Snapshot, StoredObject, kinds};

/// Kinds whose pod template is their own, and where it lives.
pub fn pod_template(kind: &str, object: &Value) -> Option<(String, Value)> {
    // Every workload keeps its pod spec in a template (`…/template/spec`); a pod is its own.
    let path = super::security::pod_spec_location(kind)?
        .0
        .strip_suffix("/spec")
        .filter(|template| template.ends_with("/template") && kind != "PodTemplate")?;
    object.pointer(path).map(|t| (path.to_string(), t.clone()))
}

/// The controller that owns an object: from its owner references, or in old archives without
/// them, from OpenShift's labels and annotations.
pub fn owner_of(kind: &str, object: &Value) -> Option<Owner> {
    let refs = object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array);
    if let Some(owner) = refs
        .into_iter()
        .flatten()
        .find(|r| r.get("controller") == Some(&Value::Bool(true)))
    {
        return Some(Owner::new(
            owner.get("kind")?.as_str()?,
            owner.get("name")?.as_str()?,
        ));
    }
    let label = |name: &str| {
        object
            .pointer(&format!("/metadata/labels/{name}"))
            .and_then(Value::as_str)
    };
    let annotation = |name: &str| {
        object
            .pointer(&format!(
                "/metadata/annotations/{}",
                name.replace('/', "~1")
            ))
            .and_then(Value::as_str)
    };
    match kind {
        "Pod" => label("deployment").map(|rc| Owner::new("ReplicationController", rc)),
        "ReplicationController" => annotation("openshift.io/deployment-config.name")
            .map(|dc| Owner::new("DeploymentConfig", dc)),
        "Build" => annotation("openshift.io/build-config.name")
            .or_else(|| label("openshift.io/build-config.name"))
            .or_else(|| label("buildconfig"))
            .map(|bc| Owner::new("BuildConfig", bc)),
        _ => None,
    }
}

impl Owner {
    /// Its identity in `namespace`.
    pub fn key(&self, namespace: &str) -> ObjectKey {
        owner_key(namespace, &self.kind, &self.name)
    }
}

/// The identity of an owner named `kind`/`name` in `namespace` (owner references name no group:
/// the kinds table gives it).
pub fn owner_key(namespace: &str, kind: &str, name: &str) -> ObjectKey {
    ObjectKey {
        namespace: namespace.to_string(),
        group: kinds::lookup(kind, "")
            .map(|k| k.group.to_string())
            .unwrap_or_default(),
        kind: kind.to_string(),
        name: name.to_string(),
    }
}

/// The controller that owns a generated object, proven: a controller owner reference names it
/// (a label or annotation alone proves nothing: anyone can write one) and it is in `snapshot`, in
/// the object's namespace. Where both the reference and the owner carry a uid, they must agree.
/// Exports prune `metadata.uid`, so archives are matched by kind and name.
pub fn verified_owner(snapshot: &Snapshot, namespace: &str, object: &Value) -> Option<Owner> {
    let reference = object
        .pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r.get("controller") == Some(&Value::Bool(true)))?;
    let kind = reference.get("kind")?.as_str()?;
    let name = reference.get("name")?.as_str()?;
    let owner = snapshot.owner(&owner_key(namespace, kind, name))?;
    if let Some(uid) = reference.get("uid").and_then(Value::as_str)
        && let Some(owner_uid) = uid_of(owner.body())
        && uid != owner_uid
    {
        return None;
    }
    Some(Owner::new(kind, name))
}

/// The `metadata.uid` of a stored object, read without building its tree (most owners are
/// asked once per pod they own).
fn uid_of(body: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Object {
        metadata: Option<Metadata>,
    }
    #[derive(serde::Deserialize)]
    struct Metadata {
        uid: Option<String>,
    }
    serde_json::from_str::<Object>(body).ok()?.metadata?.uid
}

/// Kinds that own a pod template, for ranking.
pub const WORKLOADS: &[&str] = &[
    "DeploymentConfig",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicationController",
    "ReplicaSet",
    "Job",
    "CronJob",
];

/// `(namespace, "ConfigMap"|"Secret", name)` → who uses it and how, e.g.
/// `DeploymentConfig web (volume config, env DB_PASSWORD)`.
pub type Uses = BTreeMap<(String, String, String), Vec<String>>;

fn name_of(v: &Value) -> Option<&str> {
    v.get("name").and_then(Value::as_str)
}

/// ConfigMap and Secret names asked about, by namespace.
pub type Wanted = BTreeMap<String, BTreeSet<String>>;

/// Whether an object's body mentions one of `names` as a JSON string: a cheap test before
/// parsing it. Asked first of its text ([`StoredObject::may_contain`]), so that an object that
/// certainly does not is passed over without building its body.
fn mentions(stored: &StoredObject, names: &BTreeSet<String>) -> bool {
    let tokens: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
    tokens.iter().any(|token| stored.may_contain(token))
        && tokens
            .iter()
            .any(|token| stored.body().contains(token.as_str()))
}

/// A reference from a pod spec to a ConfigMap or a Secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `ConfigMap` or `Secret`.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
    /// How: `env DB_PASSWORD`, `envFrom`, `volume config`, `imagePullSecrets`.
    pub how: String,
}

/// Every ConfigMap and Secret a pod spec names: env `valueFrom`, `envFrom`, volumes (projected
/// too) and `imagePullSecrets`, in that order. (Service-account secrets are the caller's: they
/// depend on the snapshot.)
pub fn references(spec: &Value) -> Vec<Reference> {
    let mut found = Vec::new();
    let mut add = |kind: &'static str, name: &str, how: String| {
        found.push(Reference {
            kind,
            name: name.to_string(),
            how,
        })
    };
    let items = |value: &Value, field: &str| -> Vec<Value> {
        value
            .get(field)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    for container in ["containers", "initContainers"]
        .iter()
        .flat_map(|field| items(spec, field))
    {
        for env in items(&container, "env") {
            let variable = name_of(&env).unwrap_or("?");
            if let Some(r) = env.pointer("/valueFrom/configMapKeyRef") {
                add(
                    "ConfigMap",
                    name_of(r).unwrap_or(""),
                    format!("env {variable}"),
                );
            }
            if let Some(r) = env.pointer("/valueFrom/secretKeyRef") {
                add(
                    "Secret",
                    name_of(r).unwrap_or(""),
                    format!("env {variable}"),
                );
            }
        }
        for from in items(&container, "envFrom") {
            if let Some(r) = from.get("configMapRef") {
                add("ConfigMap", name_of(r).unwrap_or(""), "envFrom".into());
            }
            if let Some(r) = from.get("secretRef") {
                add("Secret", name_of(r).unwrap_or(""), "envFrom".into());
            }
        }
    }
    for volume in items(spec, "volumes") {
        let volume_name = name_of(&volume).unwrap_or("?");
        if let Some(name) = volume.pointer("/configMap/name").and_then(Value::as_str) {
            add("ConfigMap", name, format!("volume {volume_name}"));
        }
        if let Some(name) = volume.pointer("/secret/secretName").and_then(Value::as_str) {
            add("Secret", name, format!("volume {volume_name}"));
        }
        for source in volume
            .pointer("/projected/sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = source.pointer("/configMap/name").and_then(Value::as_str) {
                add("ConfigMap", name, format!("projected volume {volume_name}"));
            }
            if let Some(name) = source.pointer("/secret/name").and_then(Value::as_str) {
                add("Secret", name, format!("projected volume {volume_name}"));
            }
        }
    }
    for pull in items(spec, "imagePullSecrets") {
        if let Some(name) = name_of(&pull) {
            add("Secret", name, "imagePullSecrets".into());
        }
    }
    found
}

/// The secrets (and pull secrets) of the service accounts that hold a wanted secret, by
/// `(namespace, account)`.
fn service_account_secrets(
    snapshot: &Snapshot,
    wanted: &Wanted,
) -> BTreeMap<(String, String), Vec<String>> {
    let mut accounts = BTreeMap::new();
    for (key, stored) in snapshot.iter().filter(|(k, s)| {
        k.kind == "ServiceAccount"
            && wanted
                .get(&k.namespace)
                .is_some_and(|names| mentions(s, names))
    }) {
        let value = stored.value();
        let names = ["secrets", "imagePullSecrets"]
            .iter()
            .flat_map(|field| {
                value
                    .get(*field)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
            })
            .filter_map(|r| name_of(r).map(String::from))
            .collect();
        accounts.insert((key.namespace.clone(), key.name.clone()), names);
    }
    accounts
}

/// Adds `user`'s use of `(namespace, kind, name)` as `how`: one mention per user, its ways of
/// use listed together (`DeploymentConfig web (volume config, env DB_PASSWORD)`).
fn record_use(uses: &mut Uses, namespace: &str, user: &str, reference: Reference) {
    let entry = uses
        .entry((
            namespace.to_string(),
            reference.kind.to_string(),
            reference.name,
        ))
        .or_default();
    let how = reference.how;
    match entry
        .iter_mut()
        .find(|u| u.starts_with(&format!("{user} (")))
    {
        Some(text) if !text.contains(&how) => {
            text.pop();
            text.push_str(&format!(", {how})"));
        }
        Some(_) => {}
        None => entry.push(format!("{user} ({how})")),
    }
}

/// The uses of the ConfigMaps and Secrets named in `wanted` by the workloads and bare pods of
/// `snapshot`. Only objects whose text mentions a wanted name (or a service account holding a
/// wanted secret) are parsed: on a large cluster most are not.
pub fn uses(snapshot: &Snapshot, wanted: &Wanted) -> Uses {
    let accounts = service_account_secrets(snapshot, wanted);
    let mut also_wanted = wanted.clone();
    for (namespace, account) in accounts.keys() {
        also_wanted
            .entry(namespace.clone())
            .or_default()
            .insert(account.clone());
    }
    let mut uses = Uses::new();
    for (key, stored) in snapshot.iter() {
        let Some(names) = also_wanted.get(&key.namespace) else {
            continue;
        };
        // The default service account is used without being named.
        let default_account =
            names.contains("default") && !stored.body().contains("\"serviceAccount");
        if !(default_account || mentions(stored, names)) {
            continue;
        }
        let is_workload = WORKLOADS.contains(&key.kind.as_str());
        let bare_pod = key.kind == "Pod" && !stored.body().contains("\"ownerReferences\"");
        // ReplicationControllers and ReplicaSets of a controller repeat its template: the owner
        // is the user worth naming.
        if !(is_workload || bare_pod) || stored.body().contains("\"controller\":true") {
            continue;
        }
        let value = stored.value();
        let spec = if bare_pod {
            value.get("spec").cloned()
        } else {
            pod_template(&key.kind, &value).and_then(|(_, t)| t.get("spec").cloned())
        };
        let Some(spec) = spec else { continue };
        let user = format!("{} {}", key.kind, key.name);
        for reference in references(&spec) {
            record_use(&mut uses, &key.namespace, &user, reference);
        }
        let account = spec
            .get("serviceAccountName")
            .or_else(|| spec.get("serviceAccount"))
            .and_then(Value::as_str)
            .unwrap_or("default");
        for secret in accounts
            .get(&(key.namespace.clone(), account.to_string()))
            .into_iter()
            .flatten()
        {
            let reference = Reference {
                kind: "Secret",
                name: secret.clone(),
                how: format!("service account {account}"),
            };
            record_use(&mut uses, &key.namespace, &user, reference);
        }
    }
    uses
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::tests::object;
    use serde_json::json;

    fn wanted(names: &[&str]) -> Wanted {
        let names = names.iter().map(|n| n.to_string()).collect();
        Wanted::from([("p".to_string(), names)])
    }

    #[test]
    fn a_cron_jobs_template_is_below_its_job_template() {
        let cron =
            json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}}});
        let (path, template) = pod_template("CronJob", &cron).unwrap();
        assert_eq!(path, "/spec/jobTemplate/spec/template");
        assert!(template.get("spec").is_some());
        assert!(pod_template("ConfigMap", &cron).is_none());
    }

    #[test]
    fn owners_from_references_or_from_openshift_annotations() {
        let rc =
            json!({"metadata": {"annotations": {"openshift.io/deployment-config.name": "web"}}});
        assert_eq!(
            owner_of("ReplicationController", &rc),
            Some(Owner::new("DeploymentConfig", "web"))
        );
        let pod = json!({"metadata": {"labels": {"deployment": "web-3"}}});
        assert_eq!(
            owner_of("Pod", &pod),
            Some(Owner::new("ReplicationController", "web-3"))
        );
        let build = json!({"metadata": {"labels": {"buildconfig": "web"}}});
        assert_eq!(
            owner_of("Build", &build),
            Some(Owner::new("BuildConfig", "web"))
        );
        // The annotation means a DeploymentConfig only on a ReplicationController.
        assert_eq!(owner_of("ConfigMap", &rc), None);
    }

    #[test]
    fn workloads_use_what_they_and_their_service_account_name() {
        let snapshot = Snapshot::of(vec![
            object(
                "v1",
                "ServiceAccount",
                "builder",
                json!({
                "secrets": [{"name": "builder-token"}], "imagePullSecrets": [{"name": "registry"}]}),
            ),
            object(
                "v1",
                "ServiceAccount",
                "default",
                json!({"secrets": [{"name": "default-token"}]}),
            ),
            object(
                "apps.openshift.io/v1",
                "DeploymentConfig",
                "web",
                json!({"spec": {"template": {"spec": {
                "serviceAccountName": "builder",
                "containers": [{"name": "web", "env": [{"name": "MODE",
                    "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}}]},
                    {"name": "sidecar", "env": [{"name": "MODE",
                    "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}}]}]}}}}),
            ),
            // Uses only what nobody asked about: not parsed, not listed.
            object(
                "apps/v1",
                "Deployment",
                "api",
                json!({"spec": {"template": {"spec": {"serviceAccountName": "api",
                "containers": [{"name": "api", "envFrom": [{"configMapRef": {"name": "api-env"}}]}]}}}}),
            ),
            object(
                "batch/v1",
                "CronJob",
                "nightly",
                json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {
                "containers": [{"name": "run", "envFrom": [{"configMapRef": {"name": "settings"}}]}]}}}}}}),
            ),
            object(
                "v1",
                "Pod",
                "debug",
                json!({"spec": {"containers": [{"name": "sh"}]}}),
            ),
        ]);
        let uses = uses(
            &snapshot,
            &wanted(&["settings", "registry", "builder-token", "default-token"]),
        );
        let users = |kind: &str, name: &str| {
            uses.get(&("p".to_string(), kind.to_string(), name.to_string()))
                .cloned()
                .unwrap_or_default()
        };
        // One mention per user, each way of use once (two containers read MODE alike).
        assert_eq!(
            users("ConfigMap", "settings"),
            [
                "CronJob nightly (envFrom)",
                "DeploymentConfig web (env MODE)"
            ]
        );
        assert!(users("ConfigMap", "api-env").is_empty());
        assert_eq!(uses.len(), 4, "{uses:?}");
        assert_eq!(
            users("Secret", "registry"),
            ["DeploymentConfig web (service account builder)"]
        );
        assert_eq!(
            users("Secret", "builder-token"),
            ["DeploymentConfig web (service account builder)"]
        );
        // The bare pod names no account: it runs as `default`, and uses its secrets.
        assert_eq!(
            users("Secret", "default-token"),
            [
                "CronJob nightly (service account default)",
                "Pod debug (service account default)"
            ]
        );
    }
}
